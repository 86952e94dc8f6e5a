/*
 * Why do sessions end at once?  After a session whose sshd exited at once
 * (its configuration broken or a host key gone since the dialer started),
 * `sshd -t` runs again, off the poll loop, and what sshd says is logged
 * once: not again while it says the same, and a line says when it accepts
 * the configuration again.  One check runs at a time for the whole dialer,
 * and not more often than every SSHD_CHECK_INTERVAL_MS.
 */
#ifndef NCHOME_SSHDCHECK_H
#define NCHOME_SSHDCHECK_H

#include <stdint.h>
#include <sys/types.h>

#include "conf.h"
#include "subproc.h"

#define SSHD_CHECK_INTERVAL_MS	5000
#define SSHD_CHECK_TIMEOUT_MS	10000

enum sshd_verdict { SSHD_ACCEPTS, SSHD_REFUSES };

struct sshd_check {
	struct subproc		 sp;
	const struct nchome_conf *conf;	/* of the running check */
	int64_t			 deadline;	/* running: when to give up; else -1 */
	int64_t			 last_end;	/* when the last check ended; -1: never */
	enum sshd_verdict	 verdict;	/* what was last logged */
	int			 told_accepts;	/* "sshd -t accepts, see sshd's log" said */
	char			 said[SUBPROC_OUT_MAX + 256];	/* the complaint logged */
};

/* sshd -t passed at start (preflight). */
void sshd_check_init(struct sshd_check *ck);

/* A session ended at once: check, unless a check runs or ran just now. */
void sshd_check_request(struct sshd_check *ck, const struct nchome_conf *conf, int64_t now);

/* The pipe to watch (POLLIN), or -1; the time to give up, or -1. */
int sshd_check_poll_fd(const struct sshd_check *ck);
int64_t sshd_check_deadline(const struct sshd_check *ck);

void sshd_check_on_readable(struct sshd_check *ck, int64_t now);
void sshd_check_on_timer(struct sshd_check *ck, int64_t now);

/* SIGCHLD: 1 if pid was the check's sshd -t. */
int sshd_check_on_exit(struct sshd_check *ck, pid_t pid, int status, int64_t now);

/*
 * The configuration was reloaded (and its sshd -t passed): a running check
 * is for the old one; what was logged no longer holds.
 */
void sshd_check_reset(struct sshd_check *ck);

/* Ends a running check (shutdown). */
void sshd_check_cancel(struct sshd_check *ck);

#endif
