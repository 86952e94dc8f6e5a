/*
 * NACM rule paths: parsing the node-instance-identifier grammar of
 * nacm.h into steps, matching one step against a data node (real or
 * packed), a node's ancestry, and a node's instance-identifier for an
 * error-path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "nacm_int.h"
#include "tree/tree.h"

#define NC_NS_BASE	"urn:ietf:params:xml:ns:netconf:base:1.0"

/* ---- parsing ---- */

struct pp {
	const char	*s;		/* the whole text */
	const char	*p;		/* where we are */
	nacm_prefix_fn	 prefix_ns;
	void		*arg;
	char		*err;
	size_t		 errlen;
};

static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static void
skip_ws(struct pp *pp)
{
	while (is_ws(*pp->p))
		pp->p++;
}

static int
pp_err(struct pp *pp, const char *what)
{
	return set_err(pp->err, pp->errlen, "%s at offset %zu", what,
	    (size_t)(pp->p - pp->s));
}

/* identifier (nacm.h): a malloc()ed copy in *out; 0 or -1. */
static int
identifier(struct pp *pp, char **out)
{
	const char *b = pp->p;

	if (!is_alpha(*pp->p) && *pp->p != '_')
		return pp_err(pp, "expected a name");
	while (is_alpha(*pp->p) || is_digit(*pp->p) || *pp->p == '_' ||
	    *pp->p == '-' || *pp->p == '.')
		pp->p++;
	if ((*out = strndup(b, (size_t)(pp->p - b))) == NULL)
		return set_err(pp->err, pp->errlen, "out of memory");
	return 0;
}

/* node-name: prefix ":" identifier, prefix resolved to *ns (copied). */
static int
node_name(struct pp *pp, char **ns, char **name)
{
	char *prefix;
	const char *uri;
	const char *at = pp->p;

	*ns = *name = NULL;
	if (identifier(pp, &prefix) == -1)
		return -1;
	if (*pp->p != ':') {
		pp->p = at;
		free(prefix);
		return pp_err(pp, "a node name without a prefix (every name needs one)");
	}
	pp->p++;
	if (pp->prefix_ns(pp->arg, prefix, &uri) == -1) {
		pp->p = at;
		set_err(pp->err, pp->errlen, "prefix \"%s\" is not declared on the path element "
		    "(offset %zu)", prefix, (size_t)(at - pp->s));
		free(prefix);
		return -1;
	}
	free(prefix);
	if ((*ns = strdup(uri)) == NULL)
		return set_err(pp->err, pp->errlen, "out of memory");
	if (identifier(pp, name) == -1) {
		free(*ns);
		*ns = NULL;
		return -1;
	}
	return 0;
}

static void
pred_free(struct nacm_pred *pr)
{
	free(pr->ns);
	free(pr->name);
	free(pr->value);
}

/* One "[...]" at pp->p into *pr. */
static int
predicate(struct pp *pp, struct nacm_pred *pr)
{
	char q;
	const char *b;

	memset(pr, 0, sizeof(*pr));
	pp->p++;	/* '[' */
	skip_ws(pp);
	if (*pp->p == '.') {
		pp->p++;
	} else if (is_digit(*pp->p)) {
		return pp_err(pp, "positional predicates are not supported");
	} else if (node_name(pp, &pr->ns, &pr->name) == -1)
		return -1;
	skip_ws(pp);
	if (*pp->p != '=') {
		pred_free(pr);
		return pp_err(pp, "expected '=' in a predicate");
	}
	pp->p++;
	skip_ws(pp);
	if (*pp->p == '\'' || *pp->p == '"') {
		q = *pp->p++;
		b = pp->p;
		while (*pp->p != '\0' && *pp->p != q)
			pp->p++;
		if (*pp->p != q) {
			pred_free(pr);
			return pp_err(pp, "unterminated string");
		}
		if ((pr->value = strndup(b, (size_t)(pp->p - b))) == NULL) {
			pred_free(pr);
			return set_err(pp->err, pp->errlen, "out of memory");
		}
		pp->p++;
	} else if (strncmp(pp->p, "$USER", 5) == 0 && !is_alpha(pp->p[5]) &&
	    !is_digit(pp->p[5]) && pp->p[5] != '_' && pp->p[5] != '-' && pp->p[5] != '.') {
		pp->p += 5;	/* value NULL: the session's user name */
	} else {
		pred_free(pr);
		return pp_err(pp, "expected a quoted value or $USER");
	}
	skip_ws(pp);
	if (*pp->p != ']') {
		pred_free(pr);
		return pp_err(pp, "expected ']'");
	}
	pp->p++;
	return 0;
}

static void
step_free(struct nacm_step *st)
{
	for (size_t i = 0; i < st->npred; i++)
		pred_free(&st->pred[i]);
	free(st->pred);
	free(st->ns);
	free(st->name);
}

void
nacm_path_free(struct nacm_path *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nstep; i++)
		step_free(&p->step[i]);
	free(p->step);
	free(p);
}

static int
same_key(const struct nacm_pred *a, const struct nacm_pred *b)
{
	if (a->name == NULL || b->name == NULL)
		return a->name == b->name;
	return strcmp(a->name, b->name) == 0 && strcmp(a->ns, b->ns) == 0;
}

static int
step(struct pp *pp, struct nacm_step *st)
{
	memset(st, 0, sizeof(*st));
	if (node_name(pp, &st->ns, &st->name) == -1)
		return -1;
	while (*pp->p == '[') {
		struct nacm_pred *np;

		if (st->npred == NACM_PATH_MAX_PREDS)
			return pp_err(pp, "too many predicates");
		if ((np = realloc(st->pred, (st->npred + 1) * sizeof(*np))) == NULL)
			return set_err(pp->err, pp->errlen, "out of memory");
		st->pred = np;
		if (predicate(pp, &st->pred[st->npred]) == -1)
			return -1;
		for (size_t i = 0; i < st->npred; i++)
			if (same_key(&st->pred[i], &st->pred[st->npred])) {
				pred_free(&st->pred[st->npred]);
				return pp_err(pp, "the same key twice in one step");
			}
		st->npred++;
	}
	return 0;
}

struct nacm_path *
nacm_path_parse(const char *text, nacm_prefix_fn prefix_ns, void *arg,
    char *err, size_t errlen)
{
	struct pp pp = { text, text, prefix_ns, arg, err, errlen };
	struct nacm_path *p;
	struct nacm_step *ns;

	if (strlen(text) > NACM_PATH_MAX_LEN) {
		set_err(err, errlen, "path longer than %d bytes", NACM_PATH_MAX_LEN);
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	skip_ws(&pp);
	if (*pp.p != '/') {
		pp_err(&pp, *pp.p == '\0' ? "empty path" : "a path starts with '/'");
		goto fail;
	}
	if (pp.p[1] == '\0' || is_ws(pp.p[1])) {	/* "/": everything */
		pp.p++;
		skip_ws(&pp);
		if (*pp.p != '\0') {
			pp_err(&pp, "unexpected text after '/'");
			goto fail;
		}
		return p;
	}
	while (*pp.p == '/') {
		pp.p++;
		if (p->nstep == NACM_PATH_MAX_STEPS) {
			pp_err(&pp, "too many steps");
			goto fail;
		}
		if ((ns = realloc(p->step, (p->nstep + 1) * sizeof(*ns))) == NULL) {
			set_err(err, errlen, "out of memory");
			goto fail;
		}
		p->step = ns;
		if (step(&pp, &p->step[p->nstep]) == -1) {
			step_free(&p->step[p->nstep]);
			goto fail;
		}
		p->nstep++;
	}
	skip_ws(&pp);
	if (*pp.p != '\0') {
		pp_err(&pp, "unexpected character");
		goto fail;
	}
	return p;
fail:
	nacm_path_free(p);
	return NULL;
}

/* ---- matching ---- */

void
nacm_vcache_init(struct nacm_vcache *vc, const xmlNode *node)
{
	vc->node = node;
	vc->n = 0;
}

void
nacm_vcache_clear(struct nacm_vcache *vc)
{
	for (size_t i = 0; i < vc->n; i++)
		free(vc->v[i].owned);
	vc->n = 0;
}

/*
 * The text of real leaf n (NULL if it has child elements); when it had
 * to be built (several text nodes) it is *owned, for the caller to free.
 */
static const char *
leaf_text(const xmlNode *n, char **owned, int *oom)
{
	const xmlNode *t, *only = NULL;
	int ntext = 0;

	*owned = NULL;
	for (t = n->children; t != NULL; t = t->next) {
		if (t->type == XML_ELEMENT_NODE)
			return NULL;
		if (t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) {
			only = t;
			ntext++;
		}
	}
	if (ntext == 0)
		return "";
	if (ntext == 1)
		return only->content != NULL ? (const char *)only->content : "";
	if ((*owned = (char *)xmlNodeGetContent(n)) == NULL)
		*oom = 1;
	return *owned;
}

/*
 * The values of packed n's children named name when one of them is split
 * into several texts (comments, CDATA): read from an unpacked copy, so n
 * stays as it is.  Calls fn like each_value.
 */
static int
packed_split_values(const xmlNode *n, const char *name,
    int (*fn)(void *, const char *, int), void *arg)
{
	xmlNodePtr copy = packed_copy_node((xmlNodePtr)n, NULL);
	int oom = 0, r = 0;

	packed_unpack(copy);
	for (xmlNodePtr c = copy->children; c != NULL && r == 0 && !oom; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST name)) {
			char *owned;
			const char *t = leaf_text(c, &owned, &oom);

			if (t != NULL)
				r = fn(arg, t, 0);
			free(owned);
		}
	xmlFreeNode(copy);
	return oom ? -1 : r;
}

/* See nacm_int.h. */
int
nacm_each_value(const xmlNode *n, const char *ns, const char *name,
    int (*fn)(void *, const char *, int), void *arg)
{
	int oom = 0, r = 0;
	char *owned;
	const char *v;

	if (name == NULL) {
		if (packed_is(n))
			return 0;	/* it has child elements: not a leaf */
		v = leaf_text(n, &owned, &oom);
		if (v != NULL)
			r = fn(arg, v, owned == NULL);
		free(owned);
		return oom ? -1 : r;
	}
	if (packed_is(n)) {
		const char *pos = NULL, *cname, *text;
		int kind;

		/* packed children are all in n's namespace */
		if (n->ns == NULL || strcmp((const char *)n->ns->href, ns) != 0)
			return 0;
		while (r == 0 && (kind = packed_next_child(n, &pos, &cname, &text)) != 0) {
			if (strcmp(cname, name) != 0)
				continue;
			if (kind == PACKED_TEXTS)
				return packed_split_values(n, name, fn, arg);
			if (kind == PACKED_LEAF)
				r = fn(arg, text, 1);
		}
		return r;
	}
	for (const xmlNode *c = n->children; c != NULL && r == 0; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, BAD_CAST name) ||
		    c->ns == NULL || strcmp((const char *)c->ns->href, ns) != 0)
			continue;
		v = leaf_text(c, &owned, &oom);
		if (v != NULL)
			r = fn(arg, v, owned == NULL);
		free(owned);
		if (oom)
			return -1;
	}
	return r;
}

struct first_value {
	const char	*first;
	char		*owned;		/* first, when it was not stable */
	int		 count;
	int		 oom;
};

static int
note_value(void *arg, const char *v, int stable)
{
	struct first_value *fv = arg;

	if (fv->count++ > 0)
		return 1;	/* several: the caller asks each_value */
	fv->first = v;
	if (!stable && (fv->first = fv->owned = strdup(v)) == NULL) {
		fv->oom = 1;
		return 1;
	}
	return 0;
}

int
nacm_vcache_value(struct nacm_vcache *vc, const xmlNode *n, const char *ns,
    const char *name, size_t *slot)
{
	struct first_value fv = { NULL, NULL, 0, 0 };
	size_t i;

	for (i = 0; i < vc->n; i++)
		if (vc->v[i].name == name || (name != NULL && vc->v[i].name != NULL &&
		    strcmp(vc->v[i].name, name) == 0 && strcmp(vc->v[i].ns, ns) == 0)) {
			*slot = i;
			return 0;
		}
	if (vc->n == NACM_VCACHE) {
		*slot = NACM_VCACHE;	/* full: uncached */
		return 0;
	}
	if (nacm_each_value(n, ns, name, note_value, &fv) == -1 || fv.oom) {
		free(fv.owned);
		return -1;
	}
	vc->v[i].name = name;
	vc->v[i].ns = ns;
	vc->v[i].value = fv.count == 1 ? fv.first : NULL;
	vc->v[i].many = fv.count > 1;
	vc->v[i].owned = fv.owned;
	vc->n++;
	*slot = i;
	return 0;
}

static int
value_is(void *arg, const char *v, int stable)
{
	(void)stable;
	return strcmp((const char *)arg, v) == 0;
}

/* 1 if pred holds on n; -1 when out of memory. */
static int
pred_holds(const struct nacm_pred *pr, const xmlNode *n, const char *user,
    struct nacm_vcache *vc)
{
	const char *want = pr->value != NULL ? pr->value : user;
	size_t slot;

	if (want == NULL)
		return 0;
	if (vc != NULL && vc->node == n) {
		if (nacm_vcache_value(vc, n, pr->ns, pr->name, &slot) == -1)
			return -1;
		if (slot < NACM_VCACHE && !vc->v[slot].many)
			return vc->v[slot].value != NULL &&
			    strcmp(vc->v[slot].value, want) == 0;
	}
	return nacm_each_value(n, pr->ns, pr->name, value_is, (void *)want);
}

int
nacm_step_match(const struct nacm_step *st, const xmlNode *n, const char *user,
    struct nacm_vcache *vc)
{
	if (n->type != XML_ELEMENT_NODE || n->ns == NULL ||
	    strcmp((const char *)n->name, st->name) != 0 ||
	    strcmp((const char *)n->ns->href, st->ns) != 0)
		return 0;
	for (size_t i = 0; i < st->npred; i++) {
		int r = pred_holds(&st->pred[i], n, user, vc);

		if (r != 1)
			return r;
	}
	return 1;
}

int
nacm_is_data_root(const xmlNode *n)
{
	return n == NULL || n->type != XML_ELEMENT_NODE ||
	    (n->ns != NULL && strcmp((const char *)n->ns->href, NC_NS_BASE) == 0);
}

const xmlNode **
nacm_ancestry(const xmlNode *n, size_t *depth)
{
	const xmlNode **a;
	size_t d = 0;

	for (const xmlNode *p = n; !nacm_is_data_root(p); p = p->parent)
		d++;
	if ((a = calloc(d > 0 ? d : 1, sizeof(*a))) == NULL)
		return NULL;
	*depth = d;
	for (const xmlNode *p = n; d > 0; p = p->parent)
		a[--d] = p;
	return a;
}
