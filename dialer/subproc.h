/*
 * A short-lived child process whose output comes back over a pipe that the
 * dialer's poll() loop watches, so that work which may block (a DNS lookup,
 * `sshd -t`) never stalls the loop.  The output is bounded: what goes past
 * SUBPROC_OUT_MAX is dropped and flagged.  The owner reaps the child (from
 * the SIGCHLD handler, or subproc_cancel()): no zombie is left behind.
 */
#ifndef NCHOME_SUBPROC_H
#define NCHOME_SUBPROC_H

#include <stddef.h>
#include <sys/types.h>

#define SUBPROC_OUT_MAX	1024

struct subproc {
	pid_t	 pid;		/* -1: none, or reaped */
	int	 fd;		/* read end, non-blocking; -1: closed (EOF or cancelled) */
	int	 status;	/* wait status, once reaped */
	int	 truncated;	/* output went past SUBPROC_OUT_MAX */
	size_t	 len;
	char	 out[SUBPROC_OUT_MAX + 1];	/* NUL-terminated */
};

/* An idle subproc (no child, no pipe). */
void subproc_init(struct subproc *sp);

/*
 * Forks.  The child runs child(wfd, arg), which must not return: it
 * writes its output on wfd and calls _exit() or execs (wfd is not
 * close-on-exec in the child).  0, or -1 with errno.
 */
int subproc_start(struct subproc *sp, void (*child)(int wfd, void *arg), void *arg);

/* Whether a child is running or its output still open. */
int subproc_busy(const struct subproc *sp);

/* POLLIN/POLLHUP on sp->fd: reads what is there.  1 at end of output, else 0. */
int subproc_on_readable(struct subproc *sp);

/* SIGCHLD: 1 if pid is this child (status kept), else 0. */
int subproc_on_exit(struct subproc *sp, pid_t pid, int status);

/* Output closed and child reaped. */
int subproc_finished(const struct subproc *sp);

/* Closes the pipe and, if the child is not reaped yet, kills and reaps it. */
void subproc_cancel(struct subproc *sp);

/* In a child before exec or _exit: default signal handling, empty mask. */
void subproc_reset_signals(void);

/* In a child: closes every descriptor from lowfd up. */
void subproc_close_from(int lowfd);

#endif
