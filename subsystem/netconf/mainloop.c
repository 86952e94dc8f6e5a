/* The session's poll() loop; see netconf.h. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <time.h>

#include "log.h"
#include "netconf.h"

#define ML_MAX_FDS	8
#define ML_MAX_TIMERS	16

static struct {
	int		 fd;
	ml_fd_cb	 cb;
	void		*arg;
} fds[ML_MAX_FDS];
static int nfds;

static struct {
	int		 id;		/* 0: free slot */
	int64_t		 due_ms;
	ml_timer_cb	 cb;
	void		*arg;
} timers[ML_MAX_TIMERS];
static int next_timer_id = 1;

static int stop_requested, stop_code;

static ml_timer_cb before_poll;
static void *before_poll_arg;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
ml_add_fd(int fd, ml_fd_cb cb, void *arg)
{
	if (nfds == ML_MAX_FDS)
		return -1;
	fds[nfds].fd = fd;
	fds[nfds].cb = cb;
	fds[nfds].arg = arg;
	nfds++;
	return 0;
}

void
ml_remove_fd(int fd)
{
	for (int i = 0; i < nfds; i++)
		if (fds[i].fd == fd) {
			fds[i] = fds[--nfds];
			return;
		}
}

int
ml_add_timer(long ms, ml_timer_cb cb, void *arg)
{
	for (int i = 0; i < ML_MAX_TIMERS; i++)
		if (timers[i].id == 0) {
			timers[i].id = next_timer_id++;
			if (next_timer_id <= 0)
				next_timer_id = 1;
			timers[i].due_ms = now_ms() + (ms > 0 ? ms : 0);
			timers[i].cb = cb;
			timers[i].arg = arg;
			return timers[i].id;
		}
	return -1;
}

void
ml_cancel_timer(int id)
{
	for (int i = 0; i < ML_MAX_TIMERS; i++)
		if (id > 0 && timers[i].id == id)
			timers[i].id = 0;
}

void
ml_before_poll(ml_timer_cb cb, void *arg)
{
	before_poll = cb;
	before_poll_arg = arg;
}

void
ml_stop(int code)
{
	if (!stop_requested)
		stop_code = code;
	stop_requested = 1;
}

int
ml_stopped(void)
{
	return stop_requested;
}

/* Milliseconds until the next timer is due (0: one is due); -1: none. */
static int
next_timeout(void)
{
	int64_t now = now_ms(), next = -1;

	for (int i = 0; i < ML_MAX_TIMERS; i++) {
		if (timers[i].id == 0)
			continue;
		if (timers[i].due_ms <= now)
			return 0;
		if (next == -1 || timers[i].due_ms - now < next)
			next = timers[i].due_ms - now;
	}
	return next > INT32_MAX ? INT32_MAX : (int)next;
}

/* Runs due timers until none is due. */
static void
run_timers(void)
{
	int64_t now = now_ms();

	for (int i = 0; i < ML_MAX_TIMERS && !stop_requested; i++) {
		if (timers[i].id == 0 || timers[i].due_ms > now)
			continue;
		ml_timer_cb cb = timers[i].cb;
		void *arg = timers[i].arg;

		timers[i].id = 0;
		cb(arg);
		now = now_ms();
		i = -1;		/* the callback may have changed the table */
	}
}

int
ml_run(void)
{
	struct pollfd pfd[ML_MAX_FDS];

	while (!stop_requested) {
		int timeout, n, cnt;

		run_timers();
		if (stop_requested)
			break;
		/* after every callback: what it arms counts for this poll */
		if (before_poll != NULL)
			before_poll(before_poll_arg);
		timeout = next_timeout();
		cnt = nfds;
		for (int i = 0; i < cnt; i++) {
			pfd[i].fd = fds[i].fd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		n = poll(pfd, (nfds_t)cnt, timeout);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			ml_stop(1);
			break;
		}
		for (int i = 0; i < cnt && !stop_requested; i++) {
			if (pfd[i].revents == 0)
				continue;
			/* Look the fd up again: a callback may have removed it. */
			for (int j = 0; j < nfds; j++)
				if (fds[j].fd == pfd[i].fd) {
					fds[j].cb(fds[j].fd, fds[j].arg);
					break;
				}
		}
	}
	return stop_code;
}
