/*
 * ordered-by user lists and leaf-lists in edits (RFC 7950 7.8.6, 7.7.9):
 * where an entry goes, from the yang:insert attribute ("first", "last",
 * "before", "after") and, for the last two, yang:key (a list: the key
 * predicates of the entry, "[name='a']" or "[p:name='a'][p:n2='b']") or
 * yang:value (a leaf-list: the value), in urn:ietf:params:xml:ns:yang:1.
 *
 *   - Without insert a new entry goes last and an existing one stays.
 *   - insert on a merge or replace of an existing entry moves it.
 *   - before/after without key (value): missing-attribute; naming an
 *     entry that is not there: bad-attribute with error-app-tag
 *     missing-instance (RFC 7950 15.7); a value other than the four, or
 *     insert on a node that is not an ordered-by user list or
 *     leaf-list: bad-attribute.  Each with bad-attribute and bad-element.
 *   - Data no module covers ignores the attributes; none is stored.
 * The anchor is found by the list's keys (edit_index.c's index_match),
 * so in a big list it is a hash look-up.
 */
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "tree_int.h"

#define YANG_NS	"urn:ietf:params:xml:ns:yang:1"

int
is_yang_insert_attr(const xmlAttr *a)
{
	return a->ns != NULL && a->ns->href != NULL &&
	    strcmp((const char *)a->ns->href, YANG_NS) == 0 &&
	    (strcmp((const char *)a->name, "insert") == 0 ||
	    strcmp((const char *)a->name, "key") == 0 ||
	    strcmp((const char *)a->name, "value") == 0);
}

static char *
attr_text(xmlNodePtr e, const char *name)
{
	xmlAttrPtr a = xmlHasNsProp(e, BAD_CAST name, BAD_CAST YANG_NS);
	xmlChar *v;
	char *s;

	if (a == NULL)
		return NULL;
	v = xmlNodeGetContent((xmlNodePtr)a);
	s = xstrdup(v != NULL ? (const char *)v : "");
	xmlFree(v);
	return s;
}

static const char *
skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/*
 * Adds to tmp one key leaf per predicate of pred ("[k='v']...", prefixes
 * ignored: keys are in the list's namespace); -1 when it does not parse.
 */
static int
key_leaves(xmlNodePtr tmp, const char *pred)
{
	const char *s = skip_ws(pred);
	int n = 0;

	while (*s == '[') {
		const char *name, *colon, *end;
		char q, *nm, *val;

		s = skip_ws(s + 1);
		name = s;
		while (*s != '\0' && *s != '=' && *s != ']' && *s != ' ' && *s != '\t')
			s++;
		end = s;
		for (colon = name; colon < end && *colon != ':'; colon++)
			;
		if (colon < end)
			name = colon + 1;
		s = skip_ws(s);
		if (*s != '=' || name == end)
			return -1;
		s = skip_ws(s + 1);
		if ((q = *s) != '\'' && q != '"')
			return -1;
		const char *v = ++s;
		while (*s != '\0' && *s != q)
			s++;
		if (*s != q)
			return -1;
		nm = xstrndup(name, (size_t)(end - name));
		val = xstrndup(v, (size_t)(s - v));
		if (xmlNewTextChild(tmp, tmp->ns, BAD_CAST nm, BAD_CAST val) == NULL)
			xoom();
		free(nm);
		free(val);
		s = skip_ws(s + 1);
		if (*s != ']')
			return -1;
		s = skip_ws(s + 1);
		n++;
	}
	return *s == '\0' && n > 0 ? 0 : -1;
}

/* The datastore entry (a sibling of e's match under p) that key or value names. */
static xmlNodePtr
anchor(struct edit_ctx *c, xmlNodePtr p, const struct lysc_node *psn, int known,
    xmlNodePtr e, const struct lysc_node *sn, const char *which, int *bad)
{
	xmlNodePtr tmp, d = NULL;

	if ((tmp = xmlNewDocNode(e->doc, e->ns, e->name, NULL)) == NULL)
		xoom();
	*bad = 0;
	if (sn->nodetype == LYS_LEAFLIST)
		xmlNodeAddContent(tmp, BAD_CAST which);
	else if (key_leaves(tmp, which) == -1)
		*bad = 1;
	if (!*bad)
		d = index_match(c, p, psn, known, tmp, sn, 1, NULL);
	xmlFreeNode(tmp);
	return d;
}

/* The first (last 0) or last (last 1) datastore child of p named as e. */
static xmlNodePtr
end_entry(xmlNodePtr p, xmlNodePtr e, int last)
{
	xmlNodePtr found = NULL;

	for (xmlNodePtr x = p->children; x != NULL; x = x->next)
		if (node_same_name(x, e)) {
			found = x;
			if (!last)
				break;
		}
	return found;
}

int
order_place(struct edit_ctx *c, xmlNodePtr p, const struct lysc_node *psn, int known,
    xmlNodePtr e, const struct lysc_node *sn, int *at, xmlNodePtr *next)
{
	const struct schema_info *in;
	const char *what, *name = (const char *)e->name;
	char *ins, *ref = NULL;
	xmlNodePtr x;
	int rc = 0, bad;

	*at = 0;
	*next = NULL;
	if (sn == NULL || (ins = attr_text(e, "insert")) == NULL)
		return 0;
	if ((in = schema_info(c->schema, sn)) == NULL)
		xoom();
	what = sn->nodetype == LYS_LEAFLIST ? "value" : "key";
	if (!(in->flags & SCHEMA_ORDERED_BY_USER) ||
	    !(sn->nodetype & (LYS_LIST | LYS_LEAFLIST))) {
		edit_schema_refuse(c, e, TAG_BAD_ATTRIBUTE, NULL,
		    "insert is for ordered-by user lists and leaf-lists", "insert", name);
		rc = 1;
	} else if (strcmp(ins, "first") == 0 || strcmp(ins, "last") == 0) {
		*at = 1;
		x = end_entry(p, e, ins[0] == 'l');
		*next = x == NULL ? NULL : ins[0] == 'l' ? x->next : x;
	} else if (strcmp(ins, "before") != 0 && strcmp(ins, "after") != 0) {
		edit_schema_refuse(c, e, TAG_BAD_ATTRIBUTE, NULL,
		    "insert is first, last, before or after", "insert", name);
		rc = 1;
	} else if ((ref = attr_text(e, what)) == NULL) {
		edit_schema_refuse(c, e, TAG_MISSING_ATTRIBUTE, NULL,
		    sn->nodetype == LYS_LEAFLIST ? "insert before or after needs a value attribute" :
		    "insert before or after needs a key attribute", what, name);
		rc = 1;
	} else if ((x = anchor(c, p, psn, known, e, sn, ref, &bad)) == NULL) {
		edit_schema_refuse(c, e, TAG_BAD_ATTRIBUTE, bad ? NULL : "missing-instance",
		    bad ? "the key attribute is no list of key predicates" :
		    "no such entry to insert before or after", what, name);
		rc = 1;
	} else {
		*at = 1;
		*next = ins[0] == 'b' ? x : x->next;
	}
	free(ins);
	free(ref);
	return rc;
}
