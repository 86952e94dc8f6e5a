/*
 * RFC 6243 with-defaults in get and get-config replies, from the YANG
 * modules' defaults.  nchome stores what clients wrote, a value equal to
 * its default included, and never writes a default itself: its basic
 * mode is "explicit", which is the stored data as it is.  The other
 * modes change a copy of the data before any filter sees it:
 *
 *   report-all         every default leaf and leaf-list (YANG 1.1) that
 *                      is missing is added: in each node present (list
 *                      entries, containers), and in non-presence
 *                      containers, which are added when they then hold
 *                      something, at the top level too.  In a choice,
 *                      only the case that has data, else the default
 *                      case, gets its defaults (RFC 7950 7.9.3).
 *   report-all-tagged  the same, and each default, added or stored with
 *                      its default value, carries wd:default="true"
 *                      (urn:ietf:params:xml:ns:netconf:default:1.0).
 *   trim               a leaf whose value is its default is left out.
 *
 * A value equals the default when it reads the same as the module's
 * default in canonical form (stored identityrefs are in the module's
 * prefixes, edit_schema.c).  Not looked at: "when" conditions on a
 * default, leaf-lists in trim mode, data no module covers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "tree_int.h"

#define WD_NS	"urn:ietf:params:xml:ns:netconf:default:1.0"

struct wd {
	struct schema	*s;
	enum wd_mode	 mode;
	int		 config_only;
};

struct fill_arg {
	struct wd		*w;
	xmlNodePtr		 d;
	const struct lysc_node	*psn;
};

static void fill(struct wd *w, xmlNodePtr d, const struct lysc_node *psn);

static const struct lysc_node *
sn_of(struct schema *s, const struct lysc_node *psn, xmlNodePtr x)
{
	if (x->type != XML_ELEMENT_NODE || x->ns == NULL)
		return NULL;
	return schema_child(s, psn, (const char *)x->ns->href, (const char *)x->name);
}

/* 1 when leaf x (schema node sn) holds its default value. */
static int
is_default(struct schema *s, const struct lysc_node *sn, xmlNodePtr x)
{
	const struct schema_text *dv;
	char *t;
	int eq;

	if (sn->nodetype != LYS_LEAF || schema_defaults(s, sn, &dv) != 1)
		return 0;
	t = node_leaf_text(x);
	eq = strcmp(t, dv[0].text) == 0;
	free(t);
	return eq;
}

/* x gets wd:default="true", declared on its top-level ancestor. */
static void
tag(xmlNodePtr x)
{
	xmlNodePtr top = x;
	xmlNsPtr ns;
	char pf[16] = "wd";

	while (top->parent != NULL && top->parent->parent != NULL &&
	    top->parent->parent->type == XML_ELEMENT_NODE)
		top = top->parent;
	if ((ns = xmlSearchNsByHref(x->doc, x, BAD_CAST WD_NS)) == NULL) {
		for (int k = 0; xmlSearchNs(x->doc, top, BAD_CAST pf) != NULL; k++)
			snprintf(pf, sizeof(pf), "wd%d", k);
		if ((ns = xmlNewNs(top, BAD_CAST WD_NS, BAD_CAST pf)) == NULL)
			xoom();
	}
	if (xmlSetNsProp(x, ns, BAD_CAST "default", BAD_CAST "true") == NULL)
		xoom();
}

/* 1 when d has a child of schema node sn. */
static int
present(xmlNodePtr d, const struct lysc_node *sn)
{
	for (xmlNodePtr x = d->children; x != NULL; x = x->next)
		if (x->type == XML_ELEMENT_NODE && x->ns != NULL &&
		    strcmp((const char *)x->name, sn->name) == 0 &&
		    strcmp((const char *)x->ns->href, sn->module->ns) == 0)
			return 1;
	return 0;
}

/*
 * 1 when sn's case, if it is in one, is the one its choice has in d:
 * the case some child of d is in, else the choice's default case.
 */
static int
case_active(struct schema *s, xmlNodePtr d, const struct lysc_node *psn,
    const struct lysc_node *sn, const struct schema_info *in)
{
	if (!(in->flags & SCHEMA_IN_CASE))
		return 1;
	for (xmlNodePtr x = d->children; x != NULL; x = x->next) {
		const struct lysc_node *xsn = sn_of(s, psn, x);
		const struct schema_info *xin;

		if (xsn == NULL || (xin = schema_info(s, xsn)) == NULL ||
		    !(xin->flags & SCHEMA_IN_CASE) || xin->choice != in->choice)
			continue;
		return !schema_cases_conflict(sn, xsn);
	}
	return schema_default_case(in->choice) == in->cas;
}

/* A new element for sn at the end of d, in sn's namespace. */
static xmlNodePtr
new_child(xmlNodePtr d, const struct lysc_node *sn)
{
	const xmlChar *href = BAD_CAST sn->module->ns;
	xmlNsPtr def = xmlSearchNs(d->doc, d, NULL), ns;
	xmlNodePtr n = xmlNewDocNode(d->doc, NULL, BAD_CAST sn->name, NULL);

	if (n == NULL)
		xoom();
	ns = def != NULL && xmlStrEqual(def->href, href) ? def : xmlSearchNsByHref(d->doc, d, href);
	if (ns == NULL && (ns = xmlNewNs(n, href, NULL)) == NULL)
		xoom();
	xmlSetNs(n, ns);
	xmlAddChild(d, n);
	return n;
}

static void
add_value(xmlNodePtr d, const struct lysc_node *sn, const struct schema_text *v, int tagged)
{
	xmlNodePtr n = new_child(d, sn);

	for (size_t i = 0; i < v->nns; i++) {
		xmlNsPtr have = xmlSearchNs(n->doc, n, BAD_CAST v->ns[i].prefix);

		if ((have == NULL || !xmlStrEqual(have->href, BAD_CAST v->ns[i].ns)) &&
		    xmlNewNs(n, BAD_CAST v->ns[i].ns, BAD_CAST v->ns[i].prefix) == NULL)
			xoom();
	}
	xmlNodeAddContent(n, BAD_CAST v->text);
	if (tagged)
		tag(n);
}

/* schema_each_child's callback: the default of sn, when d lacks it. */
static void
each(void *arg, const struct lysc_node *sn)
{
	struct fill_arg *a = arg;
	struct wd *w = a->w;
	const struct schema_info *in = schema_info(w->s, sn);
	const struct schema_text *dv;
	size_t n;

	if (in == NULL || ((in->flags & SCHEMA_CONFIG_FALSE) && w->config_only) ||
	    present(a->d, sn) || !case_active(w->s, a->d, a->psn, sn, in))
		return;
	if (sn->nodetype & (LYS_LEAF | LYS_LEAFLIST)) {
		n = schema_defaults(w->s, sn, &dv);
		for (size_t i = 0; i < n; i++)
			add_value(a->d, sn, &dv[i], w->mode == WD_REPORT_ALL_TAGGED);
	} else if (in->kind == SCHEMA_CONTAINER) {
		xmlNodePtr c = new_child(a->d, sn);

		fill(w, c, sn);
		if (c->children == NULL) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
	}
}

static void
fill(struct wd *w, xmlNodePtr d, const struct lysc_node *psn)
{
	struct fill_arg a = { w, d, psn };
	xmlNodePtr x, next;

	for (x = d->children; x != NULL; x = next) {
		const struct lysc_node *xsn = sn_of(w->s, psn, x);

		next = x->next;
		if (xsn == NULL)
			continue;
		if (xsn->nodetype == LYS_LEAF && is_default(w->s, xsn, x)) {
			if (w->mode == WD_TRIM) {
				xmlUnlinkNode(x);
				xmlFreeNode(x);
			} else if (w->mode == WD_REPORT_ALL_TAGGED)
				tag(x);
		} else if (xsn->nodetype & (LYS_CONTAINER | LYS_LIST))
			fill(w, x, xsn);
	}
	if (w->mode == WD_REPORT_ALL || w->mode == WD_REPORT_ALL_TAGGED)
		schema_each_child(w->s, psn, each, &a);
}

void
wd_apply(struct schema *s, xmlNodePtr root, enum wd_mode mode, int config_only)
{
	struct wd w = { s, mode, config_only };

	if (s == NULL || mode == WD_EXPLICIT || root == NULL)
		return;
	packed_unpack_tree(root);
	fill(&w, root, NULL);
}
