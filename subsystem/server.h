/*
 * The assembly of nchome-netconf (server.c): what ties the layers
 * together, for main.c and for the tests that run a session without a
 * process.
 */
#ifndef NCHOME_SERVER_H
#define NCHOME_SERVER_H

#include "netconf/netconf.h"

/*
 * Fills netconf/'s tables: the RFC 6241 operations, the capabilities of
 * the hello, and the sources of <get> state data (monitoring, the
 * notification streams, the state providers), in that order.  Once,
 * before the hello.
 */
void server_setup(void);

/* Opens the session's datastores (s->dd, s->id set); 0 or -1 (logged). */
int server_open_store(struct session *s);

/*
 * After our hello, while the client's is on its way: what the first RPC
 * would otherwise set up (the NACM account, module names and, unless
 * the session is the recovery session, its view of running's rules with
 * the Unix groups they need; the store's lock file and running's shared
 * form open), and an event serialized for nothing (event_prepare: the
 * session-start logged on the client's hello finds its code warm) and
 * the event log's files opened for it (nlog_prepare).
 */
void server_prepare(struct session *s);

/*
 * Ends what the session holds, in this order: its datastore locks (an
 * unlocked candidate loses its changes), its confirmed commit without
 * persist (rolled back), its store, its registry entry.
 */
void server_teardown(struct session *s);

#endif
