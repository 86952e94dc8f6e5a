/*
 * SIGHUP without stalling the dialer (see reload.h).
 *
 * `sshd -t` may take a while (a slow disk, a host key on a network file
 * system, an sshd wrapper); run synchronously it would leave every client
 * unserved and SIGTERM unanswered meanwhile.  So the new configuration
 * waits here, owned by struct reload, until its check ends: its output
 * closed and the child reaped (by the dialer's SIGCHLD handling, or by
 * subproc_on_readable at end of output), or killed at the deadline.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "handoff.h"
#include "laststate.h"
#include "log.h"
#include "reload.h"

#define REFUSED	"reload refused, keeping the running configuration"

void
reload_init(struct reload *r)
{
	subproc_init(&r->sp);
	r->conf = NULL;
	r->deadline = -1;
}

void
reload_cancel(struct reload *r)
{
	subproc_cancel(&r->sp);
	conf_free(r->conf);
	reload_init(r);
}

void
reload_start(struct reload *r, const char *path, int64_t now)
{
	struct nchome_conf *nc;
	char err[1024];

	if (reload_pending(r)) {
		log_info("reload: a new SIGHUP abandons the check of the previous file");
		reload_cancel(r);
	}
	log_info("reloading %s", path);
	if ((nc = conf_load(path, CONF_CHECK_DIALER, err, sizeof(err))) == NULL) {
		log_warnx(REFUSED ": %s", err);
		return;
	}
	if (laststate_check_dir(nc->state_dir, 1, err, sizeof(err)) == -1) {
		log_warnx(REFUSED ": %s", err);
		conf_free(nc);
		return;
	}
	if (handoff_check_start(nc, &r->sp) == -1) {
		log_warnx(REFUSED ": cannot run %s: %s", nc->sshd, strerror(errno));
		conf_free(nc);
		subproc_init(&r->sp);
		return;
	}
	r->conf = nc;
	r->deadline = now + RELOAD_CHECK_TIMEOUT_MS;
	log_info("reload: checking the new configuration with %s -t -f %s (pid %ld); "
	    "the running one serves meanwhile", nc->sshd, nc->sshd_config, (long)r->sp.pid);
}

int
reload_pending(const struct reload *r)
{
	return r->conf != NULL;
}

int
reload_poll_fd(const struct reload *r)
{
	return r->sp.fd;
}

int64_t
reload_deadline(const struct reload *r)
{
	return subproc_busy(&r->sp) ? r->deadline : -1;
}

void
reload_on_readable(struct reload *r)
{
	(void)subproc_on_readable(&r->sp);
}

int
reload_on_exit(struct reload *r, pid_t pid, int status)
{
	return subproc_on_exit(&r->sp, pid, status);
}

void
reload_on_timer(struct reload *r, int64_t now)
{
	if (!subproc_busy(&r->sp) || now < r->deadline)
		return;
	/* Killed with SIGKILL and no output: the verdict says "did not finish". */
	subproc_cancel(&r->sp);
}

struct nchome_conf *
reload_take(struct reload *r)
{
	struct nchome_conf *nc = r->conf;
	char err[SUBPROC_OUT_MAX + 256];

	if (nc == NULL || !subproc_finished(&r->sp))
		return NULL;
	if (handoff_check_verdict(nc, &r->sp, err, sizeof(err)) == -1) {
		log_warnx(REFUSED ": %s", err);
		conf_free(nc);
		nc = NULL;
	}
	reload_init(r);
	return nc;
}
