/*
 * The tables through which the layers above are reached from here, filled
 * once at start by the assembly (subsystem/server.c), as relayd's procs[]
 * or libnetconf2's registered callbacks: the operations rpc_handle
 * dispatches to, the capabilities of the server hello, and the sources of
 * state data a <get> collects.  So nothing in a lower layer names a
 * handler of a higher one.
 */
#include <string.h>

#include <libxml/tree.h>

#include "netconf.h"

#define MAX_OPS		32
#define MAX_CAPS	48
#define MAX_SOURCES	8

static struct {
	const char	*ns;
	const char	*name;
	op_handler	 fn;
} ops[MAX_OPS];
static int nops;

static const char *caps[MAX_CAPS];
static int ncaps;

static struct {
	nc_state_fn	 fn;
	const char	*ns;	/* with name: the one top-level element it adds */
	const char	*name;
} sources[MAX_SOURCES];
static int nsources;

int
nc_register_op(const char *ns, const char *name, op_handler fn)
{
	for (int i = 0; i < nops; i++)
		if (strcmp(ops[i].ns, ns) == 0 && strcmp(ops[i].name, name) == 0) {
			ops[i].fn = fn;
			return 0;
		}
	if (nops == MAX_OPS)
		return -1;
	ops[nops].ns = ns;
	ops[nops].name = name;
	ops[nops].fn = fn;
	nops++;
	return 0;
}

op_handler
nc_find_op(const char *ns, const char *name, int *ns_known)
{
	*ns_known = 0;
	for (int i = 0; i < nops; i++) {
		if (strcmp(ops[i].ns, ns) != 0)
			continue;
		*ns_known = 1;
		if (strcmp(ops[i].name, name) == 0)
			return ops[i].fn;
	}
	return NULL;
}

int
nc_add_capability(const char *uri)
{
	for (int i = 0; i < ncaps; i++)
		if (strcmp(caps[i], uri) == 0)
			return 0;
	if (ncaps == MAX_CAPS)
		return -1;
	caps[ncaps++] = uri;
	return 0;
}

const char *
nc_capability(int i)
{
	return i >= 0 && i < ncaps ? caps[i] : NULL;
}

int
nc_add_state_source_for(nc_state_fn fn, const char *ns, const char *name)
{
	for (int i = 0; i < nsources; i++)
		if (sources[i].fn == fn)
			return 0;
	if (nsources == MAX_SOURCES)
		return -1;
	sources[nsources].fn = fn;
	sources[nsources].ns = ns;
	sources[nsources].name = name;
	nsources++;
	return 0;
}

int
nc_add_state_source(nc_state_fn fn)
{
	return nc_add_state_source_for(fn, NULL, NULL);
}

int
state_collect(struct session *s, xmlNodePtr into,
    int (*want)(void *arg, const char *ns, const char *name), void *arg,
    const char **lost)
{
	int rc = 0;

	if (lost != NULL)
		*lost = NULL;
	if (s == NULL || into == NULL || into->doc == NULL)
		return -1;
	for (int i = 0; i < nsources; i++) {
		if (want != NULL && sources[i].name != NULL &&
		    !want(arg, sources[i].ns, sources[i].name))
			continue;
		if (sources[i].fn(s, into) == -1) {
			rc = -1;
			if (lost != NULL && *lost == NULL)
				*lost = sources[i].name;
		}
	}
	return rc;
}
