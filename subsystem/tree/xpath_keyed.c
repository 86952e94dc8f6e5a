/*
 * XPath filters of the shape that selects list entries by key, answered
 * through the list index (edit_index.c) instead of libxml2's walk of the
 * whole (unpacked) datastore: an absolute location path of child steps,
 * each a prefixed name test with predicates that compare a prefixed
 * child to a string literal, joined by "and" or written one after the
 * other:
 *     /a:top/a:item[a:name='x']
 *     /a:top/a:item[a:k1='x' and a:k2="y"][a:k3='z']/a:cfg/a:alpha
 * Anything else (other axes, functions, numbers, "or", a name without a
 * prefix, a prefix not declared on the filter) is left to libxml2
 * (filter_xpath.c).  The result is XPath's: a predicate holds when some
 * child of that name has exactly that string value.  A step with
 * predicates asks the index for the entry their values name; when the
 * index cannot tell (few children, no key among them, irregular keys:
 * index_lookup) it reads the children, packed ones as they are.  A path
 * without predicates is walked here too: a step into a big packed
 * container of leaves reads only the leaves of its name (packed_view),
 * where libxml2 would need the whole container unpacked.
 */
#include <string.h>

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "xmalloc.h"
#include "tree_int.h"
#include "schema/schema.h"

#define STEPS_MAX	32
#define CONDS_MAX	16

struct cond {
	const xmlChar	*ns;
	char		*name;
	char		*val;
};

struct step {
	const xmlChar	*ns;
	char		*name;
	struct cond	 c[CONDS_MAX];
	int		 nc;
};

struct path {
	struct step	 s[STEPS_MAX];
	int		 ns;
};

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static int
ncchar(unsigned char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80 ||
	    (!first && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
}

/* An NCName at p: its length (0: none). */
static size_t
ncname(const char *p)
{
	size_t n = 0;

	while (ncchar((unsigned char)p[n], n == 0))
		n++;
	return n;
}

/*
 * A prefixed name at *pp, its namespace the one its prefix has in scope
 * on filter; 0 when there is none.
 */
static int
qname(const char **pp, xmlNodePtr filter, const xmlChar **ns, char **name)
{
	const char *p = skip_ws(*pp);
	size_t pl = ncname(p), ll;
	char *prefix;
	xmlNsPtr x;

	if (pl == 0 || p[pl] != ':' || (ll = ncname(p + pl + 1)) == 0)
		return 0;
	prefix = xstrndup(p, pl);
	x = xmlSearchNs(filter->doc, filter, BAD_CAST prefix);
	free(prefix);
	if (x == NULL || x->href == NULL)
		return 0;
	*ns = x->href;
	*name = xstrndup(p + pl + 1, ll);
	*pp = p + pl + 1 + ll;
	return 1;
}

static int
literal(const char **pp, char **val)
{
	const char *p = skip_ws(*pp), *e;

	if ((*p != '\'' && *p != '"') || (e = strchr(p + 1, *p)) == NULL)
		return 0;
	*val = xstrndup(p + 1, (size_t)(e - p - 1));
	*pp = e + 1;
	return 1;
}

/* name = 'literal' or 'literal' = name, into c (nothing kept when not). */
static int
condition(const char **pp, xmlNodePtr filter, struct cond *c)
{
	const char *p = *pp;
	int ok;

	if (qname(&p, filter, &c->ns, &c->name)) {
		p = skip_ws(p);
		ok = *p++ == '=' && literal(&p, &c->val);
	} else if ((ok = literal(&p, &c->val)) != 0) {
		p = skip_ws(p);
		ok = *p++ == '=' && qname(&p, filter, &c->ns, &c->name);
	}
	if (!ok) {
		free(c->name);
		free(c->val);
		c->name = c->val = NULL;
		return 0;
	}
	*pp = p;
	return 1;
}

static void
path_free(struct path *x)
{
	for (int i = 0; i < x->ns; i++) {
		free(x->s[i].name);
		for (int j = 0; j < x->s[i].nc; j++) {
			free(x->s[i].c[j].name);
			free(x->s[i].c[j].val);
		}
	}
}

/* Parses select into x; 0 when it is not of the shape (x is freed). */
static int
parse(const char *select, xmlNodePtr filter, struct path *x)
{
	const char *p = skip_ws(select);

	memset(x, 0, sizeof(*x));
	while (*p == '/') {
		struct step *s;

		if (x->ns == STEPS_MAX)
			goto no;
		s = &x->s[x->ns++];
		p++;
		if (!qname(&p, filter, &s->ns, &s->name))
			goto no;
		for (p = skip_ws(p); *p == '['; p = skip_ws(p)) {
			p++;
			do {
				if (s->nc == CONDS_MAX)
					goto no;
				if (!condition(&p, filter, &s->c[s->nc]))
					goto no;
				s->nc++;
				p = skip_ws(p);
				if (strncmp(p, "and", 3) != 0 || ncchar((unsigned char)p[3], 0))
					break;
				p += 3;
			} while (1);
			if (*p++ != ']')
				goto no;
		}
	}
	if (*p == '\0' && x->ns > 0)
		return 1;
no:
	path_free(x);
	return 0;
}

/* ---- evaluation ---- */

/* XPath's string value of element c (its text, all of it). */
static int
value_is(xmlNodePtr c, const char *val)
{
	xmlChar *t;
	int eq;

	packed_unpack(c);
	t = xmlNodeGetContent(c);
	eq = strcmp(t != NULL ? (const char *)t : "", val) == 0;
	xmlFree(t);
	return eq;
}

/* 1 when e has a child (ns, name) whose string value is val. */
static int
holds(xmlNodePtr e, const struct cond *c)
{
	const char *pos = NULL, *cname, *text;
	int kind;

	if (packed_is(e)) {
		/* packed children are in e's namespace: read them as they are */
		if (e->ns == NULL || !xmlStrEqual(e->ns->href, c->ns))
			return 0;
		while ((kind = packed_next_child(e, &pos, &cname, &text)) != 0) {
			if (strcmp(cname, c->name) != 0)
				continue;
			if (kind != PACKED_LEAF)
				break;	/* text spread over nodes: unpack */
			if (strcmp(text, c->val) == 0)
				return 1;
		}
		if (kind == 0)
			return 0;
		packed_unpack(e);
	}
	for (xmlNodePtr x = e->children; x != NULL; x = x->next)
		if (x->type == XML_ELEMENT_NODE && strcmp((const char *)x->name, c->name) == 0 &&
		    x->ns != NULL && xmlStrEqual(x->ns->href, c->ns) && value_is(x, c->val))
			return 1;
	return 0;
}

static int
step_holds(xmlNodePtr e, const struct step *s)
{
	if (e->type != XML_ELEMENT_NODE || strcmp((const char *)e->name, s->name) != 0 ||
	    e->ns == NULL || !xmlStrEqual(e->ns->href, s->ns))
		return 0;
	for (int i = 0; i < s->nc; i++)
		if (!holds(e, &s->c[i]))
			return 0;
	return 1;
}

/*
 * The child of p that step s selects through p's index: 1 with *found
 * (NULL: none), 0 when the index cannot tell.
 */
static int
step_lookup(const struct reply_opts *o, xmlNodePtr p, xmlNodePtr root,
    const struct step *s, xmlNodePtr *found)
{
	struct index_rules ru = { NULL, NULL, NULL, 1 };
	const char *names[CONDS_MAX], *vals[CONDS_MAX];
	int n = 0;

	for (int i = 0; i < s->nc; i++)
		if (xmlStrEqual(s->c[i].ns, s->ns)) {
			names[n] = s->c[i].name;
			vals[n++] = s->c[i].val;
		}
	if (n == 0 || !index_worth(p))
		return 0;
	if (o != NULL) {
		ru.keys = o->keys;
		ru.schema = o->schema;
		if (o->schema != NULL && p != root) {
			ru.psn = schema_node_of(o->schema, p, root);
			ru.known = ru.psn != NULL;
		}
	}
	if (!index_lookup(p, &ru, (const char *)s->ns, s->name, n, names, vals, found))
		return 0;
	if (*found != NULL && !step_holds(*found, s))
		*found = NULL;	/* the other predicates */
	return 1;
}

#define VIEW_MAX	256	/* leaves of a packed container read as nodes */

/* For packed_view: the first leaf (a key) and those of the step's name. */
static int
named(void *arg, const char *name, int first)
{
	return first || strcmp(name, arg) == 0;
}

/*
 * Packed p, a container of leaves that step s looks into: only the
 * leaves of s's name (and the first) become p's children, its string
 * kept in v for xpath_views_done; 0 when not so (p is then unpacked).
 * Not when a module knows p or keys are named for it (an entry's keys,
 * which the reply carries, could be any leaf).
 */
static int
view(const struct reply_opts *o, xmlNodePtr p, xmlNodePtr root, const struct step *s,
    struct xpath_views *v)
{
	void *taken;

	if (!packed_is(p) || v->n == XPATH_VIEWS_MAX || (o != NULL && ((o->keys != NULL &&
	    xmlHashLookup(o->keys, p->name) != NULL) ||
	    (o->schema != NULL && schema_node_of(o->schema, p, root) != NULL))))
		return 0;
	if ((taken = packed_view(p, named, s->name, VIEW_MAX)) == NULL)
		return 0;
	v->node[v->n] = p;
	v->taken[v->n++] = taken;
	return 1;
}

void
xpath_views_done(struct xpath_views *v)
{
	while (v->n > 0) {
		v->n--;
		index_drop_subtree(v->node[v->n]);
		packed_restore(v->node[v->n], v->taken[v->n]);
	}
}

static void
set_add(xmlNodeSetPtr set, xmlNodePtr n)
{
	if (xmlXPathNodeSetAddUnique(set, n) != 0)
		xoom();
}

int
xpath_keyed(const struct reply_opts *o, xmlNodePtr filter, const char *select,
    xmlNodePtr root, xmlNodeSetPtr *out, struct xpath_views *v)
{
	struct path x;
	xmlNodeSetPtr cur, next;

	v->n = 0;
	if (!filter_index_on || !parse(select, filter, &x))
		return 0;
	if ((cur = xmlXPathNodeSetCreate(root)) == NULL)
		xoom();
	for (int i = 0; i < x.ns; i++) {
		const struct step *s = &x.s[i];

		if ((next = xmlXPathNodeSetCreate(NULL)) == NULL)
			xoom();
		for (int j = 0; j < cur->nodeNr; j++) {
			xmlNodePtr p = cur->nodeTab[j], found;

			if (s->nc > 0 && step_lookup(o, p, root, s, &found)) {
				if (found != NULL)
					set_add(next, found);
				continue;
			}
			if (!view(o, p, root, s, v))
				packed_unpack(p);
			for (xmlNodePtr c = p->children; c != NULL; c = c->next)
				if (step_holds(c, s))
					set_add(next, c);
		}
		xmlXPathFreeNodeSet(cur);
		cur = next;
	}
	path_free(&x);
	*out = cur;
	return 1;
}
