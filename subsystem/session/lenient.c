/*
 * NETCONF protocol elements written in no namespace inside a
 * base-namespace <rpc> (issue 16).  ncclient writes its envelope with a
 * prefix (<nc:rpc xmlns:nc=...>) and the user's <config> or <filter>
 * without one; Ansible's and ncclient's documented examples send
 * <config>, <filter>, <source><running/></source>, <target> and even
 * <lock> that way, and Junos, netconfd and Netopeer2 accept them.  The
 * meaning is unambiguous, so they are taken as base-namespace elements:
 *
 *   - the operation element, when its name is an operation of the base
 *     namespace (netconf/'s table);
 *   - a child of a base operation named as one of its parameters below;
 *   - a child of <source> or <target> naming a datastore, <url> or
 *     <config>.
 *
 * Nothing else changes: the content of <config> and <filter> is data
 * (a subtree filter's no-namespace nodes match any namespace, RFC 6241
 * 6.2.1), and an element in another namespace stays an error.
 */
#include <string.h>

#include "session.h"

/* Parameters of the base operations (RFC 6241, 6470's kill-session). */
static const char *const params[] = {
	"config", "filter", "source", "target", "default-operation",
	"test-option", "error-option", "url", "confirmed", "confirm-timeout",
	"persist", "persist-id", "session-id", NULL
};

/* What <source> and <target> hold. */
static const char *const places[] = {
	"running", "candidate", "startup", "url", "config", NULL
};

static int
listed(const char *const *names, const xmlChar *name)
{
	for (; *names != NULL; names++)
		if (strcmp(*names, (const char *)name) == 0)
			return 1;
	return 0;
}

static int
no_ns(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE && (n->ns == NULL || n->ns->href == NULL ||
	    n->ns->href[0] == '\0');
}

void
rpc_lenient_ns(xmlNodePtr rpc, xmlNodePtr op)
{
	xmlNsPtr base = rpc->ns;
	int known;

	if (op == NULL || base == NULL)
		return;
	if (no_ns(op) && nc_find_op(NC_NS_BASE, (const char *)op->name, &known) != NULL)
		op->ns = base;
	if (!nc_is(op, (const char *)op->name))
		return;		/* not a base operation */
	for (xmlNodePtr p = op->children; p != NULL; p = p->next) {
		if (no_ns(p) && listed(params, p->name))
			p->ns = base;
		if (!nc_is(p, "source") && !nc_is(p, "target"))
			continue;
		for (xmlNodePtr c = p->children; c != NULL; c = c->next)
			if (no_ns(c) && listed(places, c->name))
				c->ns = base;
	}
}
