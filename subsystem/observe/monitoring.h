/*
 * RFC 6022 NETCONF monitoring: the netconf-state subtree of <get> replies
 * and the get-schema operation, serving the YANG modules nchome ships.
 */
#ifndef NCHOME_MONITORING_H
#define NCHOME_MONITORING_H

#include <libxml/tree.h>

#include "rpc.h"
#include "session.h"

#define NCM_NS	"urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"

/*
 * The folder of the shipped YANG modules: $NCHOME_YANG_DIR when set;
 * else, for a program run from the build tree (<top>/subsystem/), the
 * source tree's <top>/yang; else NCHOME_DATADIR/yang.
 */
const char *yang_dir(void);

/*
 * Registers get-schema and advertises the monitoring capability and the
 * shipped modules in the hello.  Call once, before the hello.
 */
void monitoring_init(void);

/* Appends <netconf-state> to into (state_collect calls it).  0 or -1. */
int monitoring_collect(struct session *s, xmlNodePtr into);

void op_get_schema(struct rpc *r);

#endif
