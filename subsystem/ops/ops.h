/*
 * The ops layer (README.md, "Layers"): the handlers of the RFC 6241
 * operations, registered into netconf/'s table by subsystem/server.c.
 *
 *   config.c       get, get-config
 *   config_write.c edit-config, copy-config, delete-config
 *   config_tops.c  an account's get-config from running.shared's top-level nodes
 *   get_merge.c    get's state joined to running: a copy of only the nodes it joins
 *   commit.c       commit, discard-changes, cancel-commit, the confirmed commit
 *   confirm_timer.c the confirmed commit's state file and its rollback timer
 *   config_audit.c a kept change announced: its event, and for running or
 *                  startup the LOG_NOTICE audit line
 *   lock.c         lock, unlock
 *   session_ops.c  close-session, kill-session
 *   validate.c     validate
 *   nacm.c         access control: the session's NACM view, the exec check
 *   nacm_edit.c    the write check of an edit-config, entry by entry as it goes
 *   nacm_diff.c    the write check of copy-config, delete-config and commit:
 *                  a diff of the two documents
 *   nacm_pair.c    that diff's node-by-node comparison and pairing of siblings
 *   nacm_errors.c  NACM on what an <rpc-error> tells (RFC 8341 3.4.3)
 *   params.c       what they share: parameters, sources, errors (ops_int.h)
 *
 * They reach the datastores through store/, the host through host/, and
 * never observe/ (events go to host/'s event log).
 */
#ifndef NCHOME_OPS_H
#define NCHOME_OPS_H

#include "netconf/netconf.h"

void op_get(struct rpc *r);
void op_get_config(struct rpc *r);
void op_edit_config(struct rpc *r);
void op_copy_config(struct rpc *r);
void op_delete_config(struct rpc *r);
void op_lock(struct rpc *r);
void op_unlock(struct rpc *r);
void op_close_session(struct rpc *r);
void op_kill_session(struct rpc *r);
void op_commit(struct rpc *r);
void op_discard_changes(struct rpc *r);
void op_cancel_commit(struct rpc *r);
void op_validate(struct rpc *r);

/*
 * RFC 8341 exec check of r's operation (dispatcher, before the handler):
 * brings the session's NACM view up to date with running's nacm
 * container, then 1 when the operation may run, 0 when an access-denied
 * error was added.
 */
int ops_nacm_exec(struct rpc *r);

/*
 * After the handler (RFC 8341 3.4.3): an <rpc-error> whose error-path
 * names a data node the session may not read (a validation error in a
 * subtree it may not read) keeps its type and tag but loses its path,
 * app-tag, error-info and message, which get a general one.
 */
void ops_nacm_errors(struct rpc *r);

/*
 * What the first RPC's exec check would set up, done while the client's
 * hello is on its way: the account and the modules' names and, for a
 * session NACM applies to, its view of running's rules (running.nacm,
 * the rules compiled, the account's Unix groups when a rule-list needs
 * them): most of an account's first request when its reply comes from
 * running's shared form.  The recovery session's view (bypassed) waits
 * for its first RPC; a view without rule-lists reads no groups.
 */
void ops_nacm_prepare(struct session *s);

/* At session end: the session's NACM view goes. */
void ops_nacm_end(struct session *s);

/*
 * At session end, before its store closes: a confirmed commit without
 * persist started by s is rolled back (RFC 6241 8.4).
 */
void commit_session_end(struct session *s);

#endif
