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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "handoff.h"

#define PREFLIGHT_TIMEOUT_MS	10000

/* In the child, before exec: default dispositions and an empty mask. */
static void
reset_signals(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGCHLD, SIGPIPE,
	    SIGUSR1, SIGUSR2, SIGALRM };
	sigset_t none;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void
close_from(int lowfd)
{
#if defined(__linux__) && !defined(__GLIBC__)
	for (int fd = lowfd; fd < 1024; fd++)
		close(fd);
#else
	closefrom(lowfd);
#endif
}

/* Only async-signal-safe calls after fork(): we may be in a big process. */
static void
exec_child(int in, int out, int err, char *const argv[])
{
	reset_signals();
	if (dup2(in, 0) == -1 || dup2(out, 1) == -1 || dup2(err, 2) == -1)
		_exit(127);
	close_from(3);
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

/* Reads what sshd -t says, for at most the deadline. */
static size_t
read_output(int fd, char *buf, size_t len)
{
	struct timespec start, now;
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t got = 0;
	ssize_t n;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		long left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = PREFLIGHT_TIMEOUT_MS - ((now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0)
			break;
		if ((rc = poll(&pfd, 1, (int)left)) == -1 && errno == EINTR)
			continue;
		if (rc <= 0)
			break;
		if (got + 1 < len)
			n = read(fd, buf + got, len - 1 - got);
		else {
			char sink[256];
			n = read(fd, sink, sizeof(sink));
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (got + 1 < len)
			got += (size_t)n;
	}
	buf[got] = '\0';
	return got;
}

int
handoff_preflight(const struct nchome_conf *conf, char *err, size_t errlen)
{
	char *argv[] = { conf->sshd, "-t", "-f", conf->sshd_config, NULL };
	char out[1024], joined[1024];
	int fds[2], status, nullfd;
	pid_t pid, w;
	size_t n;

	if (pipe2(fds, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1 ||
	    (pid = fork()) == -1) {
		snprintf(err, errlen, "cannot run %s: %s", conf->sshd, strerror(errno));
		if (nullfd != -1)
			close(nullfd);
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0)
		exec_child(nullfd, fds[1], fds[1], argv);
	close(nullfd);
	close(fds[1]);
	n = read_output(fds[0], out, sizeof(out));
	close(fds[0]);
	for (int waited = 0; (w = waitpid(pid, &status, WNOHANG)) == 0; waited++) {
		/* Output closed but still running, or timed out: bounded wait. */
		struct timespec ts = { 0, 50 * 1000000L };
		if (waited > PREFLIGHT_TIMEOUT_MS / 50) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(err, errlen, "%s -t -f %s did not finish", conf->sshd,
			    conf->sshd_config);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	if (w == -1) {
		snprintf(err, errlen, "waitpid: %s", strerror(errno));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	/* One line for the log: sshd's lines joined with "; ". */
	for (size_t i = 0, j = 0; i <= n; i++) {
		char ch = i < n ? out[i] : '\0';

		if (ch == '\r' || ch == '\n' || ch == '\0') {
			while (j > 0 && (joined[j - 1] == ' ' || joined[j - 1] == ';'))
				j--;
			if (ch != '\0' && j > 0 && j + 2 < sizeof(joined)) {
				joined[j++] = ';';
				joined[j++] = ' ';
			}
			joined[j] = '\0';
		} else if (j + 1 < sizeof(joined))
			joined[j++] = ch;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(err, errlen, "cannot execute %s", conf->sshd);
	else
		snprintf(err, errlen, "%s -t -f %s refuses to run: %s", conf->sshd,
		    conf->sshd_config, joined[0] ? joined : "(no message)");
	return -1;
}
