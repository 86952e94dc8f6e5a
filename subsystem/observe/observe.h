/*
 * The observe layer (README.md, "Layers"): what a client can watch.
 *
 *   monitoring.c  RFC 6022: netconf-state for <get>, get-schema
 *   notify.c      RFC 5277 subscriptions, /netconf/streams for <get>
 *
 * Each registers itself (operations, capabilities, state sources) into
 * netconf/'s tables when subsystem/server.c calls its init, before the
 * hello; nothing calls into it by name.  It never calls ops/, nor ops/
 * it: the events it delivers come through host/'s event log.
 */
#ifndef NCHOME_OBSERVE_H
#define NCHOME_OBSERVE_H

#include "netconf/netconf.h"

#define NCM_NS	"urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"

/*
 * The folder of the shipped YANG modules: $NCHOME_YANG_DIR when set;
 * else, for a program run from the build tree (<top>/subsystem/), the
 * source tree's <top>/yang; else NCHOME_DATADIR/yang.
 */
const char *yang_dir(void);

/* get-schema, netconf-state and the capabilities of the shipped modules. */
void monitoring_init(void);

/* create-subscription, /netconf/streams, :notification and :interleave. */
void notify_init(void);

/* Ends this session's subscription (session end). */
void notify_session_stop(struct session *s);

#endif
