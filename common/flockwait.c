/* See flockwait.h. */
#include <sys/file.h>
#include <sys/time.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "flockwait.h"

#define DEFAULT_BOUND_MS	5000

static long bound_ms = DEFAULT_BOUND_MS;

void
flock_wait_set_bound(long ms)
{
	bound_ms = ms;
}

long
flock_wait_bound(void)
{
	return bound_ms;
}

static void
on_alarm(int sig)
{
	(void)sig;	/* only interrupts the blocked flock() */
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
arm(long ms)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	if (ms > 0 && it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
		it.it_value.tv_usec = 1000;
	/*
	 * Ticks again every 50 ms: a tick that lands between setitimer()
	 * and flock() is lost, and the next one still ends the wait.
	 */
	if (ms > 0)
		it.it_interval.tv_usec = 50000;
	(void)setitimer(ITIMER_REAL, &it, NULL);
}

int
flock_wait(int fd, int op)
{
	struct sigaction sa, old;
	long deadline;
	int rc, saved;

	while ((rc = flock(fd, op | LOCK_NB)) == -1 && errno == EINTR)
		;
	if (rc == 0 || errno != EWOULDBLOCK)
		return rc;
	if (bound_ms < 0) {
		while ((rc = flock(fd, op)) == -1 && errno == EINTR)
			;
		return rc;
	}
	if (bound_ms == 0) {
		errno = EWOULDBLOCK;
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_alarm;
	sa.sa_flags = 0;		/* no SA_RESTART: flock() returns EINTR */
	if (sigaction(SIGALRM, &sa, &old) == -1)
		return -1;
	deadline = now_ms() + bound_ms;
	for (;;) {
		long left = deadline - now_ms();

		if (left <= 0) {
			rc = -1;
			errno = EWOULDBLOCK;
			break;
		}
		arm(left);
		rc = flock(fd, op);
		if (rc == 0 || errno != EINTR)
			break;
	}
	saved = errno;
	arm(0);
	(void)sigaction(SIGALRM, &old, NULL);
	errno = saved;
	return rc;
}
