/*
 * <close-session> and <kill-session> (RFC 6241 7.8, 7.9).
 *
 * kill-session looks the target up in the session registry (so only a
 * live nchome-netconf session can be named), sends it SIGTERM (with
 * sigqueue(), carrying the killer's session-id for the target's
 * netconf-session-end killed-by), and
 * answers only once the target's registry entry is no longer locked,
 * i.e. the process is gone and with it its datastore locks.  A target
 * that does not end within KILL_GRACE_MS gets SIGKILL.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "ops_int.h"

#define KILL_GRACE_MS	3000
#define KILL_WAIT_MS	2000

void
op_close_session(struct rpc *r)
{
	r->s->closing = 1;
}

/* Waits up to ms for session id to leave the registry; 0 when gone. */
static int
wait_gone(struct dsdir *dd, uint32_t id, int ms)
{
	struct reg_session e;

	for (int waited = 0; waited <= ms; waited += 10) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (reg_lookup(dd, id, &e) == -1)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

#ifdef __linux__
/* 1 when pid runs the same program as we do (Linux: /proc/PID/exe). */
static int
same_program(pid_t pid)
{
	char a[PATH_MAX], b[PATH_MAX], p[64];
	ssize_t na, nb;

	snprintf(p, sizeof(p), "/proc/%ld/exe", (long)pid);
	/*
	 * thread-self, not self: valgrind fakes /proc/self/exe as the program
	 * it runs but shows other processes' exe as its tool, so under
	 * valgrind (make check-valgrind) no session would match another.
	 * Kernels before 3.17 have no thread-self.
	 */
	if ((na = readlink(p, a, sizeof(a) - 1)) == -1)
		return errno == ENOENT ? 0 : 1;	/* cannot tell: kill() decides */
	if ((nb = readlink("/proc/thread-self/exe", b, sizeof(b) - 1)) == -1 &&
	    (nb = readlink("/proc/self/exe", b, sizeof(b) - 1)) == -1)
		return 1;
	a[na] = b[nb] = '\0';
	/* An upgraded binary shows as "path (deleted)". */
	if (na > 10 && strcmp(a + na - 10, " (deleted)") == 0)
		a[na - 10] = '\0';
	if (nb > 10 && strcmp(b + nb - 10, " (deleted)") == 0)
		b[nb - 10] = '\0';
	return strcmp(a, b) == 0;
}
#else
static int
same_program(pid_t pid)
{
	(void)pid;
	return 1;
}
#endif

/*
 * SIGTERM carrying our session-id (sigqueue), so that the target's
 * netconf-session-end says killed-by (RFC 6470); plain kill() where
 * sigqueue() is missing.
 */
static int
send_term(pid_t pid, uint32_t killer)
{
#if defined(SI_QUEUE) && !defined(__OpenBSD__)
	union sigval v;

	memset(&v, 0, sizeof(v));
	v.sival_int = (int)killer;
	return sigqueue(pid, SIGTERM, v);
#else
	(void)killer;
	return kill(pid, SIGTERM);
#endif
}

void
op_kill_session(struct rpc *r)
{
	struct session *s = r->s;
	struct dsdir *dd = s->dd;
	struct reg_session e;
	xmlNodePtr idn, err;
	xmlChar *txt;
	unsigned long long v;
	char *end;

	if ((idn = nc_child(r->op, "session-id")) == NULL) {
		ops_missing(r, "session-id", "<kill-session> needs a <session-id>");
		return;
	}
	txt = xmlNodeGetContent(idn);
	errno = 0;
	v = txt != NULL ? strtoull((const char *)txt, &end, 10) : 0;
	if (txt == NULL || errno != 0 || end == (char *)txt ||
	    strspn(end, " \t\r\n") != strlen(end) || v == 0 || v > UINT32_MAX) {
		err = rpc_error(r, ERR_PROTOCOL, TAG_INVALID_VALUE, NULL,
		    "session-id must be a number from 1 to 4294967295");
		rpc_error_info(err, "bad-element", "session-id");
		xmlFree(txt);
		return;
	}
	xmlFree(txt);
	if ((uint32_t)v == s->id) {
		err = rpc_error(r, ERR_PROTOCOL, TAG_INVALID_VALUE, NULL,
		    "a session cannot kill itself (use close-session)");
		rpc_error_info(err, "bad-element", "session-id");
		return;
	}
	if (reg_lookup(dd, (uint32_t)v, &e) == 0 && e.pid == 0) {
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "session %llu registered without its process id (datastore-dir "
		    "was full): it cannot be ended from NETCONF until there is space", v);
		return;
	}
	if (reg_lookup(dd, (uint32_t)v, &e) == -1 || e.pid <= 1) {
		err = rpc_error(r, ERR_PROTOCOL, TAG_INVALID_VALUE, NULL,
		    "no session %llu", v);
		rpc_error_info(err, "bad-element", "session-id");
		return;
	}
	if (!same_program(e.pid)) {
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "process %ld of session %llu is not an nchome-netconf session",
		    (long)e.pid, v);
		return;
	}
	log_info("session %u: kill-session %llu (pid %ld, user %s)", s->id, v,
	    (long)e.pid, e.user);
	if (send_term(e.pid, s->id) == -1) {
		if (errno == EPERM)
			rpc_error(r, ERR_APPLICATION, TAG_ACCESS_DENIED, NULL,
			    "not allowed to end session %llu", v);
		else if (wait_gone(dd, (uint32_t)v, 0) != 0)
			rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
			    "cannot end session %llu: %s", v, strerror(errno));
		return;
	}
	if (wait_gone(dd, (uint32_t)v, KILL_GRACE_MS) == 0)
		return;
	log_warnx("session %u: session %llu ignores SIGTERM, sending SIGKILL",
	    s->id, v);
	(void)kill(e.pid, SIGKILL);
	if (wait_gone(dd, (uint32_t)v, KILL_WAIT_MS) != 0)
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "session %llu did not end", v);
}
