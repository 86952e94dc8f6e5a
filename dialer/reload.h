/*
 * A reload in waiting (SIGHUP).  The file is loaded at once (a syntax or
 * key error is refused at once), then `sshd -t` checks the new
 * configuration in a child whose output joins the poll set, like
 * sshdcheck.h, while the running configuration goes on serving.  Once the
 * check has ended, reload_take() hands an accepted configuration to the
 * caller to apply, or logs why it was refused and drops it.
 *
 * At most one reload waits at a time: a new SIGHUP cancels the one in
 * progress (its sshd -t killed and reaped) and starts over with the file
 * as it is then.
 */
#ifndef NCHOME_RELOAD_H
#define NCHOME_RELOAD_H

#include <stdint.h>
#include <sys/types.h>

#include "conf.h"
#include "subproc.h"

#define RELOAD_CHECK_TIMEOUT_MS	10000	/* as handoff_preflight() at start */

struct reload {
	struct subproc		 sp;		/* sshd -t for conf */
	struct nchome_conf	*conf;		/* loaded, being checked; NULL: none */
	int64_t			 deadline;	/* when to give up on sshd -t */
};

/* No reload in waiting. */
void reload_init(struct reload *r);

/*
 * SIGHUP: cancels a reload in waiting, loads path and starts its sshd -t.
 * A file that does not load is refused here, with a log line.
 */
void reload_start(struct reload *r, const char *path, int64_t now);

/* Whether a reload waits for its check. */
int reload_pending(const struct reload *r);

/* The pipe to watch (POLLIN), or -1; the time to give up, or -1. */
int reload_poll_fd(const struct reload *r);
int64_t reload_deadline(const struct reload *r);

void reload_on_readable(struct reload *r);

/* SIGCHLD: 1 if pid was the reload's sshd -t. */
int reload_on_exit(struct reload *r, pid_t pid, int status);

/* Past the deadline: kills sshd -t (the check then fails). */
void reload_on_timer(struct reload *r, int64_t now);

/*
 * Once the check has ended: the configuration to apply (the caller owns
 * it) if sshd accepts it; else NULL, after logging the refusal and freeing
 * it.  NULL too while the check runs or when no reload waits.
 */
struct nchome_conf *reload_take(struct reload *r);

/* Drops a reload in waiting: kills and reaps sshd -t, frees its conf. */
void reload_cancel(struct reload *r);

#endif
