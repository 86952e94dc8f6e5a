/*
 * RFC 5277 notifications on the NETCONF stream, with the RFC 6470 events
 * (netconf-config-change, netconf-session-start, netconf-session-end,
 * netconf-confirmed-commit).  Every session process appends the events
 * it causes to a bounded log shared by all sessions on the host; every
 * subscribed session watches that log, so an event reaches every
 * subscriber whatever session caused it.
 */
#ifndef NCHOME_NOTIFY_H
#define NCHOME_NOTIFY_H

#include <stdint.h>

#include <libxml/tree.h>

#include "datastore.h"
#include "rpc.h"
#include "session.h"

#define NOTIF_NS	"urn:ietf:params:xml:ns:netconf:notification:1.0"
#define NCN_NS		"urn:ietf:params:xml:ns:yang:ietf-netconf-notifications"
#define NCEVENT_NS	"urn:ietf:params:xml:ns:netmod:notification"

/* Registers create-subscription and the capabilities; before the hello. */
void notify_init(void);

/* Events.  s->id == 0 (a detached rollback timer) means "the server". */
void notify_session_start(struct session *s);
/* killed_by: the session-id of the kill-session that ended s, else 0. */
void notify_session_end(struct session *s, const char *reason, uint32_t killed_by);
void notify_config_change(struct session *s, enum ds_id ds);
/* event: start, cancel, timeout, extend or complete; timeout in seconds (start/extend). */
void notify_confirmed_commit(struct session *s, const char *event, unsigned long timeout);

/*
 * Appends RFC 5277 <netconf><streams> (the NETCONF stream, its replay
 * log's creation and aged times) to into, for <get>.  0 or -1.
 */
int notify_streams_collect(struct session *s, xmlNodePtr into);

/* Ends this session's subscription (session end). */
void notify_session_stop(struct session *s);

void op_create_subscription(struct rpc *r);

#endif
