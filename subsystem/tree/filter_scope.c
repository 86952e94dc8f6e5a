/*
 * Whether a <get> filter can select a top-level element at all, asked
 * before costly state data is built (the YANG library: a libyang
 * context).  Conservative: 1 unless the filter certainly cannot select
 * it.  A subtree filter selects a top-level element when one of its own
 * top-level elements has that name and its namespace or none (RFC 6241
 * 6.2.1); an XPath filter when its expression names it or may reach it
 * without naming it (wildcards, //, axes, node()).
 */
#include <string.h>

#include <libxml/tree.h>

#include "tree.h"

static int
xpath_may_select(const char *sel, const char *name)
{
	return strstr(sel, name) != NULL || strchr(sel, '*') != NULL ||
	    strstr(sel, "//") != NULL || strstr(sel, "::") != NULL ||
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
		if (c->ns == NULL || ns == NULL || xmlStrEqual(c->ns->href, BAD_CAST ns))
			return 1;
	}
	return 0;
}
