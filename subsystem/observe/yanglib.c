/*
 * The ietf-yang-library data for <get> (see observe.h): RFC 8525
 * <yang-library> and the deprecated RFC 7895 <modules-state> that
 * libnetconf2 2.0 and other older clients read.  schema/ builds both
 * from its libyang context once per process (schema_yanglib_append);
 * each is a state source of its own, registered for its top-level
 * element, so a <get> whose filter selects neither never builds the
 * context.
 */
#include <string.h>

#include <libxml/tree.h>

#include "log.h"
#include "observe.h"
#include "schema/schema.h"

#define YANGLIB_NS	"urn:ietf:params:xml:ns:yang:ietf-yang-library"

/* Appends the one top-level element name of the yang-library data. */
static int
append_one(struct session *s, xmlNodePtr into, const char *name)
{
	xmlNodePtr scratch, c, next;
	int rc = 0;

	if (s->schema == NULL)
		return 0;
	if ((scratch = xmlNewDocNode(into->doc, NULL, BAD_CAST "scratch", NULL)) == NULL)
		return -1;
	if (schema_yanglib_append(s->schema, scratch) == -1) {
		log_warnx("session %u: no %s: %s", s->id, name,
		    schema_context_error(s->schema));
		rc = -1;
	}
	for (c = scratch->children; c != NULL; c = next) {
		next = c->next;
		if (c->type != XML_ELEMENT_NODE || c->ns == NULL ||
		    !xmlStrEqual(c->name, BAD_CAST name) ||
		    !xmlStrEqual(c->ns->href, BAD_CAST YANGLIB_NS))
			continue;
		xmlUnlinkNode(c);
		if (xmlAddChild(into, c) == NULL) {
			xmlFreeNode(c);
			rc = -1;
		}
	}
	xmlFreeNode(scratch);
	return rc;
}

static int
yang_library_collect(struct session *s, xmlNodePtr into)
{
	return append_one(s, into, "yang-library");
}

static int
modules_state_collect(struct session *s, xmlNodePtr into)
{
	return append_one(s, into, "modules-state");
}

void
yanglib_init(void)
{
	if (nc_add_state_source_for(yang_library_collect, YANGLIB_NS,
	    "yang-library") == -1 ||
	    nc_add_state_source_for(modules_state_collect, YANGLIB_NS,
	    "modules-state") == -1)
		log_warnx("cannot register the yang-library data");
}
