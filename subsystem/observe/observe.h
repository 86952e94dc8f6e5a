/*
 * The observe layer (README.md, "Layers"): what a client can watch.
 *
 *   monitoring.c  RFC 6022: netconf-state for <get>, get-schema
 *   yanglib.c     RFC 8525 yang-library and RFC 7895 modules-state for <get>
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

/* get-schema and netconf-state. */
void monitoring_init(void);

/* ietf-yang-library data (schema/ builds it, on the first <get> that wants it). */
void yanglib_init(void);

/* create-subscription, /netconf/streams, :notification and :interleave. */
void notify_init(void);

/* Ends this session's subscription (session end). */
void notify_session_stop(struct session *s);

#endif
