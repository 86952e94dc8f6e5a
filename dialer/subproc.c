/*
 * Short-lived children with a bounded output pipe (see subproc.h).
 *
 * Reaping: the dialer's SIGCHLD handling reaps with waitpid(-1) and hands
 * each pid to its owner (subproc_on_exit), so a pid is never waited for
 * twice and never killed after it was reaped (it could belong to someone
 * else by then).  subproc_cancel() kills with SIGKILL and waits for that
 * one pid, which returns at once.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "secret.h"
#include "subproc.h"

void
subproc_init(struct subproc *sp)
{
	sp->pid = -1;
	sp->fd = -1;
	sp->status = 0;
	sp->truncated = 0;
	sp->len = 0;
	sp->out[0] = '\0';
}

void
subproc_reset_signals(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGCHLD, SIGPIPE,
	    SIGUSR1, SIGUSR2, SIGALRM };
	sigset_t none;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

void
subproc_close_from(int lowfd)
{
#if defined(__linux__) && !defined(__GLIBC__)
	for (int fd = lowfd; fd < 1024; fd++)
		close(fd);
#else
	closefrom(lowfd);
#endif
}

int
subproc_start(struct subproc *sp, void (*child)(int, void *), void *arg)
{
	int fds[2], saved;
	pid_t pid;

	subproc_init(sp);
	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) == -1 || (pid = fork()) == -1) {
		saved = errno;
		close(fds[0]);
		close(fds[1]);
		errno = saved;
		return -1;
	}
	if (pid == 0) {
		/* no child (resolver, sshd -t) needs a client's secret */
		secrets_wipe_all();
		close(fds[0]);
		/* Exec'ing children need it open across exec (dup2 clears the flag too). */
		fcntl(fds[1], F_SETFD, 0);
		child(fds[1], arg);
		_exit(127);
	}
	close(fds[1]);
	sp->pid = pid;
	sp->fd = fds[0];
	return 0;
}

int
subproc_busy(const struct subproc *sp)
{
	return sp->pid != -1 || sp->fd != -1;
}

int
subproc_on_readable(struct subproc *sp)
{
	char sink[256];
	ssize_t n;

	if (sp->fd == -1)
		return 1;
	for (;;) {
		if (sp->len < SUBPROC_OUT_MAX)
			n = read(sp->fd, sp->out + sp->len, SUBPROC_OUT_MAX - sp->len);
		else
			n = read(sp->fd, sink, sizeof(sink));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			break;		/* EOF, or an error that ends the output alike */
		if (sp->len < SUBPROC_OUT_MAX)
			sp->len += (size_t)n;
		else
			sp->truncated = 1;
	}
	sp->out[sp->len] = '\0';
	close(sp->fd);
	sp->fd = -1;
	/* The child usually exits right after its output: collect it now if so. */
	if (sp->pid != -1) {
		int status;
		pid_t w;

		while ((w = waitpid(sp->pid, &status, WNOHANG)) == -1 && errno == EINTR)
			;
		if (w == sp->pid) {
			sp->status = status;
			sp->pid = -1;
		}
	}
	return 1;
}

int
subproc_on_exit(struct subproc *sp, pid_t pid, int status)
{
	if (sp->pid == -1 || sp->pid != pid)
		return 0;
	sp->status = status;
	sp->pid = -1;
	return 1;
}

int
subproc_finished(const struct subproc *sp)
{
	return sp->fd == -1 && sp->pid == -1;
}

void
subproc_cancel(struct subproc *sp)
{
	if (sp->fd != -1) {
		close(sp->fd);
		sp->fd = -1;
	}
	if (sp->pid != -1) {
		kill(sp->pid, SIGKILL);
		while (waitpid(sp->pid, &sp->status, 0) == -1 && errno == EINTR)
			;
		sp->pid = -1;
	}
}
