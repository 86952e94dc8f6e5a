/*
 * The registry of live sessions, shared by every nchome-netconf process
 * on the host, in datastore-dir/sessions/:
 *
 *   sessions/next-id   the last session-id handed out (decimal text),
 *                      updated under flock(LOCK_EX); ids count up from 1,
 *                      wrap skipping 0, and an id still registered is
 *                      skipped.
 *   sessions/<id>      one file per live session, created under a
 *                      temporary name and link()ed into place (so the id is
 *                      never given twice), flock(LOCK_EX)ed by its session
 *                      process for its whole life: a session is live
 *                      exactly when its file is locked, so a killed process
 *                      (even SIGKILL) leaves no live entry.  Unlocked
 *                      leftovers are removed by the next registration or
 *                      listing.  Content, one "key value" per line:
 *                        pid 1234
 *                        user alice
 *                        peer 192.0.2.7
 *                        login 1795812345        (time_t, UTC seconds)
 *                        in-rpcs 12
 *                        in-bad-rpcs 0
 *                        out-rpc-errors 1
 *                        out-notifications 0
 *                      Counters are refreshed after each RPC.  On a full
 *                      disk the entry is registered empty (the inode
 *                      needs no data block): the id stays unique, the
 *                      session works, and the text is written by the
 *                      first registry_update() that finds space.
 *   sessions/statistics host-wide RFC 6022 totals (stats.c).
 */
#ifndef NCHOME_SESSION_REGISTRY_H
#define NCHOME_SESSION_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "session.h"

struct reg_session {
	uint32_t	 id;
	pid_t		 pid;
	char		 user[64];
	char		 peer[64];	/* "" when unknown */
	time_t		 login_time;
	uint64_t	 in_rpcs, in_bad_rpcs, out_rpc_errors, out_notifications;
};

/*
 * Mode for files shared by all session processes (sessions/, its
 * entries, next-id, the *.lock files): derived from datastore-dir's own
 * permissions, so a datastore-dir shared by several users (e.g. 1777 or
 * 0770 with a group) gives files those users can all open.  For the
 * folder (dir = 1) the bits are copied; for files execute bits are
 * dropped.
 */
mode_t shared_mode(const char *datastore_dir, int dir);

/* Allocates s->id and publishes the session's entry; 0 or -1 (logged). */
int registry_register(struct session *s);

/*
 * Rewrites s's counters in its entry (cheap: one pwrite, no fsync) and
 * adds what they grew by to the host-wide statistics (stats.h).
 */
void registry_update(struct session *s);

/* Removes s's entry (session end). */
void registry_unregister(struct session *s);

/*
 * The live sessions of datastore_dir (sorted by id); *out is malloc()ed,
 * free() it.  0 or -1.
 */
int registry_list(const char *datastore_dir, struct reg_session **out, size_t *n);

/* Entry of live session id: 0 and *out filled, or -1 when not live. */
int registry_lookup(const char *datastore_dir, uint32_t id, struct reg_session *out);

#endif
