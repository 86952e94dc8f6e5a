/*
 * Unit tests of filter_may_select() (tree/filter_scope.c): a <get>
 * builds costly state (the YANG library) only when its filter can
 * select it, so a wrong 0 loses data from the reply; a wrong 1 only
 * costs time.  filter_scope_closed: when a <get> may copy only those
 * top-level nodes.
 */
#include <string.h>

#include <libxml/parser.h>

#include "tree/tree.h"
#include "unit.h"

#define YL	"urn:ietf:params:xml:ns:yang:ietf-yang-library"

static int
may(const char *filter)
{
	xmlDocPtr doc = xmlReadMemory(filter, (int)strlen(filter), NULL, NULL, XML_PARSE_NONET);
	int rc;

	if (doc == NULL)
		return -1;
	rc = filter_may_select(xmlDocGetRootElement(doc), YL, "yang-library");
	xmlFreeDoc(doc);
	return rc;
}

static int
closed(const char *filter)
{
	xmlDocPtr doc = xmlReadMemory(filter, (int)strlen(filter), NULL, NULL, XML_PARSE_NONET);
	int rc;

	if (doc == NULL)
		return -1;
	rc = filter_scope_closed(xmlDocGetRootElement(doc), NULL);
	xmlFreeDoc(doc);
	return rc;
}

int
main(void)
{
	CHECK(filter_may_select(NULL, YL, "yang-library") == 1, "no filter: selects all");
	CHECK(may("<filter type='subtree'><yang-library xmlns='" YL "'/></filter>") == 1,
	    "subtree: the element itself");
	CHECK(may("<filter><yang-library xmlns='" YL "'><content-id/></yang-library></filter>") == 1,
	    "subtree without type, a child of it");
	CHECK(may("<filter type='subtree'><yang-library/></filter>") == 1,
	    "subtree: the name in no namespace matches every namespace");
	CHECK(may("<filter type='subtree'><x xmlns='urn:x'/><yang-library xmlns='" YL "'/></filter>") == 1,
	    "subtree: second of two");
	CHECK(may("<filter type='subtree'><yang-library xmlns='urn:other'/></filter>") == 0,
	    "subtree: same name, other namespace");
	CHECK(may("<filter type='subtree'><netconf-state xmlns='urn:x'/></filter>") == 0,
	    "subtree: another element");
	CHECK(may("<filter type='subtree'></filter>") == 0, "subtree: empty selects nothing");
	CHECK(may("<filter type='xpath' select='/yl:yang-library/yl:content-id'/>") == 1,
	    "xpath: names it");
	CHECK(may("<filter type='xpath' select='/ncm:netconf-state/ncm:schemas'/>") == 0,
	    "xpath: names only another element");
	CHECK(may("<filter type='xpath' select='/*'/>") == 1, "xpath: wildcard");
	CHECK(may("<filter type='xpath' select='//yl:module'/>") == 1, "xpath: descendant");
	CHECK(may("<filter type='xpath' select='/child::node()'/>") == 1, "xpath: axis and node()");
	CHECK(may("<filter type='xpath' select='a'/>") == 1, "xpath: relative");
	CHECK(may("<filter type='subtree' xmlns='urn:ietf:params:xml:ns:netconf:base:1.0'>"
	    "<yang-library/></filter>") == 1, "subtree: the base namespace matches every namespace");
	CHECK(may("<filter type='xpath' select='/ncm:netconf-state[contains(string(/), \"x\")]'/>") == 1,
	    "xpath: string(/) reads every node");
	CHECK(may("<filter type='xpath' select='/ncm:netconf-state[/ = \"x\"]'/>") == 1,
	    "xpath: the root node compared");
	CHECK(may("<filter type='xpath' select='/ncm:netconf-state[id(\"k\")]'/>") == 1,
	    "xpath: id() reads any node");
	CHECK(may("<filter type='xpath' select='/ ncm:netconf-state'/>") == 0,
	    "xpath: a step after white space is still a name");
	CHECK(closed("<filter type='subtree'><x xmlns='urn:x'/></filter>") == 1,
	    "closed: a subtree filter");
	CHECK(closed("<filter type='xpath' select='/a:x[count(/a:y) > 1]'/>") == 1,
	    "closed: xpath with prefixes only");
	CHECK(closed("<filter type='xpath' select='/a:x/s'/>") == 0,
	    "not closed: an unprefixed name the data may resolve");
	CHECK(closed("<filter type='xpath' select='/a:x/@s'/>") == 1,
	    "closed: an attribute name is no name test");
	CHECK(closed("<filter type='xpath'/>") == 0, "not closed: no select");
	CHECK(filter_scope_closed(NULL, NULL) == 0, "not closed: no filter");
	CHECK(may("<filter type='xpath'/>") == 1, "xpath without select: the filter's error follows");
	CHECK(may("<filter type='other'/>") == 1, "unknown type: the filter's error follows");
	UNIT_DONE();
}
