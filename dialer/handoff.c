/*
 * Starting sshd on a called-home connection.  The child gets the real TCP
 * socket (not a pipe) as stdin and stdout, so sshd sees and logs the NMS's
 * address, and nothing else of ours: every other descriptor is closed and
 * signal handling is back to the defaults before the exec.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "handoff.h"
#include "secret.h"
#include "subproc.h"

#define PREFLIGHT_TIMEOUT_MS	10000

/* Only async-signal-safe calls after fork(): we may be in a big process. */
static void
exec_child(int in, int out, int err, char *const argv[])
{
	subproc_reset_signals();
	secrets_wipe_all();	/* sshd needs none; a failed exec leaves none */
	if (dup2(in, 0) == -1 || dup2(out, 1) == -1 || dup2(err, 2) == -1)
		_exit(127);
	subproc_close_from(3);
	execv(argv[0], argv);
	_exit(127);
}

pid_t
handoff_spawn(int sock, const struct nchome_conf *conf, const struct conf_client *c,
    int keep_stderr)
{
	char interval[48], count[48];
	char *argv[] = { conf->sshd, "-i", "-f", conf->sshd_config,
	    "-o", interval, "-o", count, NULL };
	int errfd, flags;
	pid_t pid;

	snprintf(interval, sizeof(interval), "ClientAliveInterval=%u", c->keepalive_timeout);
	snprintf(count, sizeof(count), "ClientAliveCountMax=%u", c->keepalive_retry);
	/* sshd expects an ordinary blocking socket. */
	if ((flags = fcntl(sock, F_GETFL)) == -1 ||
	    fcntl(sock, F_SETFL, flags & ~O_NONBLOCK) == -1)
		return -1;
	if (keep_stderr)
		errfd = dup(2);
	else
		errfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (errfd == -1)
		return -1;
	/* dup2 onto 0/1/2 needs fds above 2 to survive close_from(3)'s order. */
	if (sock < 3 || errfd < 3) {
		errno = EBADF;
		close(errfd);
		return -1;
	}
	switch ((pid = fork())) {
	case -1:
		close(errfd);
		return -1;
	case 0:
		exec_child(sock, sock, errfd, argv);
	}
	close(errfd);
	return pid;
}

/* The child of handoff_check_start(): sshd -t with stdout and stderr on wfd. */
static void
check_child(int wfd, void *arg)
{
	char *const *argv = arg;
	int nullfd = open("/dev/null", O_RDONLY);

	if (nullfd == -1)
		_exit(127);
	exec_child(nullfd, wfd, wfd, argv);
}

int
handoff_check_start(const struct nchome_conf *conf, struct subproc *sp)
{
	char *argv[] = { conf->sshd, "-t", "-f", conf->sshd_config, NULL };

	/* The child has its own copy of argv (fork), so the stack array is fine. */
	return subproc_start(sp, check_child, argv);
}

int
handoff_check_verdict(const struct nchome_conf *conf, const struct subproc *sp,
    char *err, size_t errlen)
{
	char joined[SUBPROC_OUT_MAX + 1];
	int status = sp->status;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	/* One line for the log: sshd's lines joined with "; ". */
	for (size_t i = 0, j = 0; i <= sp->len; i++) {
		char ch = i < sp->len ? sp->out[i] : '\0';

		if (ch == '\r' || ch == '\n' || ch == '\0') {
			while (j > 0 && (joined[j - 1] == ' ' || joined[j - 1] == ';'))
				j--;
			if (ch != '\0' && j > 0 && j + 2 < sizeof(joined)) {
				joined[j++] = ';';
				joined[j++] = ' ';
			}
			joined[j] = '\0';
		} else if (j + 1 < sizeof(joined))
			joined[j++] = (unsigned char)ch < 0x20 || ch == 0x7f ? '?' : ch;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(err, errlen, "cannot execute %s", conf->sshd);
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && sp->len == 0)
		snprintf(err, errlen, "%s -t -f %s did not finish", conf->sshd, conf->sshd_config);
	else
		snprintf(err, errlen, "%s -t -f %s refuses to run: %s%s", conf->sshd,
		    conf->sshd_config, joined[0] ? joined : "(no message)",
		    sp->truncated ? " ..." : "");
	return -1;
}

int
handoff_preflight(const struct nchome_conf *conf, char *err, size_t errlen)
{
	struct timespec start, now;
	struct subproc sp;
	int64_t left;
	int rc;

	if (handoff_check_start(conf, &sp) == -1) {
		snprintf(err, errlen, "cannot run %s: %s", conf->sshd, strerror(errno));
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = { sp.fd, POLLIN, 0 };

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = PREFLIGHT_TIMEOUT_MS - ((int64_t)(now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0)
			break;
		if (sp.fd != -1) {
			if ((rc = poll(&pfd, 1, (int)left)) == -1 && errno != EINTR)
				break;
			if (rc > 0)
				subproc_on_readable(&sp);
			continue;
		}
		/* Output closed: the child is exiting; wait for it, still bounded. */
		if (sp.pid == -1)
			break;
		{
			struct timespec ts = { 0, 20 * 1000000L };
			int status;

			if (waitpid(sp.pid, &status, WNOHANG) == sp.pid)
				subproc_on_exit(&sp, sp.pid, status);
			else
				nanosleep(&ts, NULL);
		}
	}
	if (!subproc_finished(&sp)) {
		subproc_cancel(&sp);
		snprintf(err, errlen, "%s -t -f %s did not finish", conf->sshd, conf->sshd_config);
		return -1;
	}
	return handoff_check_verdict(conf, &sp, err, errlen);
}
