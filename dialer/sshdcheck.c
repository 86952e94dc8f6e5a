/*
 * Re-running `sshd -t` after sessions that end at once (see sshdcheck.h).
 *
 * sshd -i logs to syslog, not to us, so all the dialer sees of a broken
 * sshd is a session that ends within a second with status 255.  sshd -t
 * prints the reason on stderr; it is read through a subproc (bounded, in
 * the poll set, killed after SSHD_CHECK_TIMEOUT_MS) and logged only when
 * it differs from what was logged last, so that retries with backoff do
 * not repeat the same lines.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "handoff.h"
#include "log.h"
#include "sshdcheck.h"

void
sshd_check_init(struct sshd_check *ck)
{
	subproc_init(&ck->sp);
	ck->conf = NULL;
	ck->deadline = -1;
	ck->last_end = -1;
	ck->verdict = SSHD_ACCEPTS;
	ck->told_accepts = 0;
	ck->said[0] = '\0';
}

void
sshd_check_request(struct sshd_check *ck, const struct nchome_conf *conf, int64_t now)
{
	if (subproc_busy(&ck->sp))
		return;
	if (ck->last_end >= 0 && now - ck->last_end < SSHD_CHECK_INTERVAL_MS)
		return;
	if (handoff_check_start(conf, &ck->sp) == -1) {
		log_warn("cannot run %s -t", conf->sshd);
		ck->last_end = now;
		return;
	}
	log_debug("a session ended at once: running %s -t -f %s (pid %ld)", conf->sshd,
	    conf->sshd_config, (long)ck->sp.pid);
	ck->conf = conf;
	ck->deadline = now + SSHD_CHECK_TIMEOUT_MS;
}

int
sshd_check_poll_fd(const struct sshd_check *ck)
{
	return ck->sp.fd;
}

int64_t
sshd_check_deadline(const struct sshd_check *ck)
{
	return subproc_busy(&ck->sp) ? ck->deadline : -1;
}

/* Output closed and sshd -t reaped (or killed): say what it means, once. */
static void
conclude(struct sshd_check *ck, int64_t now)
{
	char msg[sizeof(ck->said)];

	ck->deadline = -1;
	ck->last_end = now;
	if (handoff_check_verdict(ck->conf, &ck->sp, msg, sizeof(msg)) == 0) {
		if (ck->verdict == SSHD_REFUSES)
			log_info("%s -t -f %s accepts the configuration again", ck->conf->sshd,
			    ck->conf->sshd_config);
		else if (!ck->told_accepts)
			log_info("a session ended at once, but %s -t -f %s accepts the "
			    "configuration: sshd's own log (syslog) tells why", ck->conf->sshd,
			    ck->conf->sshd_config);
		else
			log_debug("%s -t still accepts the configuration", ck->conf->sshd);
		ck->verdict = SSHD_ACCEPTS;
		ck->told_accepts = 1;
		ck->said[0] = '\0';
	} else {
		if (ck->verdict != SSHD_REFUSES || strcmp(msg, ck->said) != 0)
			log_warnx("sessions end at once: %s", msg);
		else
			log_debug("%s -t still refuses (logged before)", ck->conf->sshd);
		ck->verdict = SSHD_REFUSES;
		ck->told_accepts = 0;
		snprintf(ck->said, sizeof(ck->said), "%s", msg);
	}
	subproc_init(&ck->sp);
}

void
sshd_check_on_readable(struct sshd_check *ck, int64_t now)
{
	if (subproc_on_readable(&ck->sp) && subproc_finished(&ck->sp))
		conclude(ck, now);
}

int
sshd_check_on_exit(struct sshd_check *ck, pid_t pid, int status, int64_t now)
{
	if (!subproc_on_exit(&ck->sp, pid, status))
		return 0;
	if (subproc_finished(&ck->sp))
		conclude(ck, now);
	return 1;
}

void
sshd_check_on_timer(struct sshd_check *ck, int64_t now)
{
	if (!subproc_busy(&ck->sp) || now < ck->deadline)
		return;
	/* Killed with SIGKILL and no output: the verdict says "did not finish". */
	subproc_cancel(&ck->sp);
	conclude(ck, now);
}

void
sshd_check_reset(struct sshd_check *ck)
{
	subproc_cancel(&ck->sp);
	sshd_check_init(ck);
}

void
sshd_check_cancel(struct sshd_check *ck)
{
	subproc_cancel(&ck->sp);
	subproc_init(&ck->sp);
	ck->deadline = -1;
}
