/*
 * Whether a <get> filter can select a top-level element at all, asked
 * before costly state data is built (the YANG library: a libyang
 * context).  Conservative: 1 unless the filter certainly cannot select
 * it.  A subtree filter selects a top-level element when one of its own
 * top-level elements has that name and its namespace or none (RFC 6241
 * 6.2.1; the base namespace, inherited from <rpc>, is none there); an
 * XPath filter when its expression names it or may reach it without
 * naming it (wildcards, //, axes, node(), the root node itself: string(/)
 * reads every node, id() any).
 *
 * filter_scope_closed says when the reply depends on nothing else: a
 * <get> then copies only the top-level nodes the filter may select.
 */
#include <string.h>

#include <libxml/tree.h>

#include "tree_int.h"

/* 1 when a '/' of sel is not followed by a name: the root node as a value (string(/), /.). */
static int
bare_root(const char *sel)
{
	for (const char *p = strchr(sel, '/'); p != NULL; p = strchr(p + 1, '/')) {
		const unsigned char *q = (const unsigned char *)p + 1;

		while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
			q++;
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '_' ||
		    *q >= 0x80))
			return 1;
	}
	return 0;
}

static int
xpath_may_select(const char *sel, const char *name)
{
	return strstr(sel, name) != NULL || bare_root(sel) || strstr(sel, "id(") != NULL ||
	    strchr(sel, '*') != NULL || strstr(sel, "//") != NULL || strstr(sel, "::") != NULL ||
	    strstr(sel, "node()") != NULL || strstr(sel, "..") != NULL ||
	    strchr(sel, '$') != NULL || sel[strspn(sel, " \t\r\n")] != '/';
}

int
filter_may_select(xmlNodePtr filter, const char *ns, const char *name)
{
	xmlChar *type, *sel;
	int rc;

	if (filter == NULL)
		return 1;
	type = xmlGetProp(filter, BAD_CAST "type");
	if (type != NULL && xmlStrEqual(type, BAD_CAST "xpath")) {
		xmlFree(type);
		if ((sel = xmlGetProp(filter, BAD_CAST "select")) == NULL)
			return 1;	/* the filter's own error follows */
		rc = xpath_may_select((const char *)sel, name);
		xmlFree(sel);
		return rc;
	}
	if (type != NULL && !xmlStrEqual(type, BAD_CAST "subtree")) {
		xmlFree(type);
		return 1;		/* an error follows */
	}
	xmlFree(type);
	for (xmlNodePtr c = filter->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, BAD_CAST name))
			continue;
		if (c->ns == NULL || c->ns->href == NULL || c->ns->href[0] == '\0' ||
		    xmlStrEqual(c->ns->href, BAD_CAST NC_NS_BASE) || ns == NULL ||
		    xmlStrEqual(c->ns->href, BAD_CAST ns))
			return 1;
	}
	return 0;
}

int
filter_scope_closed(xmlNodePtr filter, struct schema *schema)
{
	xmlChar *sel;
	int rc;

	if (filter == NULL)
		return 0;
	if (filter_is_subtree(filter))
		return 1;	/* each top-level node matched on its own (6.2) */
	if ((sel = xmlGetProp(filter, BAD_CAST "select")) == NULL)
		return 0;
	/* a name without a prefix may be resolved by the data, all of it (xpath_names.c) */
	rc = xpath_names_from_schema((const char *)sel, schema);
	xmlFree(sel);
	return rc;
}
