/*
 * The datastores running, candidate and startup, as XML files in
 * datastore-dir.  Owned by the data side (datastore.c and friends); the
 * protocol side only calls what is declared here.
 */
#ifndef NCHOME_DATASTORE_H
#define NCHOME_DATASTORE_H

#include <libxml/tree.h>

#include "rpc.h"
#include "session.h"

enum ds_id { DS_RUNNING, DS_CANDIDATE, DS_STARTUP, DS_COUNT };

/* "running", "candidate", "startup". */
const char *ds_name(enum ds_id ds);

/*
 * Reads <target>/<source> style children: the single element child of
 * parent must be <running/>, <candidate/> or <startup/>.  On anything else
 * adds the rpc-error (bad-element / missing-element) and returns -1.
 */
int ds_parse_target(struct rpc *r, xmlNodePtr parent, enum ds_id *out);

/* At session start: creates missing datastore files, loads nothing yet. */
int ds_session_init(struct session *s);

/* At session end (any end: close, kill, EOF): releases what the session held. */
void ds_session_end(struct session *s);

/*
 * For lock.c: 1 when the candidate holds changes not made by session s
 * (RFC 6241 7.5: such a lock must fail), 0 otherwise.
 */
int ds_candidate_changed_by_other(struct session *s);

/* For lock.c: unlock of candidate (or its holder's end) discards its changes. */
void ds_candidate_discard(struct session *s);

#endif
