/*
 * Running the operator's programs (commit hooks, state providers); see
 * host.h.  The program gets its own process group so that a timeout
 * kills whatever it started too (a hook that runs `sleep` under sh).  We
 * read its stdout and stderr with poll() until both reach end of file or
 * the program has exited; output beyond the bound is read and dropped so
 * the program never blocks on a full pipe.  A program that exits while a
 * background child still holds the pipes open is noticed by a waitpid()
 * check every CHECK_MS, so it does not run into its deadline.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "closefrom.h"
#include "safepath.h"
#include "host.h"
#include "log.h"
#include "xmalloc.h"

extern char **environ;

#define CHECK_MS	200	/* how often a running program's exit is checked */

static int
name_cmp(const void *a, const void *b)
{
	const char *const *pa = a, *const *pb = b;

	return strcmp(*pa, *pb);
}

static int
wanted_name(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && name[0] != '.' && name[len - 1] != '~';
}

static int
is_program(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/*
 * Set-id (identity.c): the service identity runs only programs that root
 * alone can change, file and every folder above it (safepath.h); a NETCONF
 * account's program in commit.d would otherwise run as the service
 * identity.  1 when path may run (always when not set-id).
 */
static int
root_only(const char *path)
{
	char err[PATH_MAX + 200];
	struct stat st;

	if (!identity_setid())
		return 1;
	if (stat(path, &st) == -1)
		snprintf(err, sizeof(err), "%s", strerror(errno));
	else if (safe_path_root(path, &st, err, sizeof(err)) == 0)
		return 1;
	log_warnx("not running %s: %s", path, err);
	return 0;
}

int
progdir_list(const char *dir, struct progdir *pd)
{
	DIR *d;
	struct dirent *de;
	char path[PATH_MAX];
	size_t cap = 0;
	int n;

	memset(pd, 0, sizeof(*pd));
	if (dir == NULL || *dir == '\0')
		return 0;
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		log_warn("%s", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!wanted_name(de->d_name))
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(path) || !is_program(path))
			continue;
		if (!root_only(path)) {
			closedir(d);
			progdir_free(pd);
			return -1;
		}
		if (pd->n == cap) {
			cap = cap ? cap * 2 : 8;
			pd->paths = xreallocarray(pd->paths, cap, sizeof(*pd->paths));
		}
		pd->paths[pd->n++] = xstrdup(path);
	}
	closedir(d);
	if (pd->n == 0)
		return 0;
	qsort(pd->paths, pd->n, sizeof(*pd->paths), name_cmp);
	pd->names = xcalloc(pd->n, sizeof(*pd->names));
	for (size_t i = 0; i < pd->n; i++)
		pd->names[i] = strrchr(pd->paths[i], '/') + 1;
	return 0;
}

void
progdir_free(struct progdir *pd)
{
	for (size_t i = 0; i < pd->n; i++)
		free(pd->paths[i]);
	free(pd->paths);
	free(pd->names);
	memset(pd, 0, sizeof(*pd));
}

int
progdir_any(const char *dir)
{
	DIR *d;
	struct dirent *de;
	char path[PATH_MAX];
	int n, found = 0;

	if (dir == NULL || *dir == '\0' || (d = opendir(dir)) == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		if (!wanted_name(de->d_name))
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (n >= 0 && (size_t)n < sizeof(path) && is_program(path))
			found = 1;
	}
	closedir(d);
	return found;
}

/* environ without the names set by extra, then extra. */
static char **
build_env(char *const extra[])
{
	size_t n = 0, nx = 0, k = 0, len;
	char **env;
	int replaced;

	while (environ != NULL && environ[n] != NULL)
		n++;
	while (extra != NULL && extra[nx] != NULL)
		nx++;
	env = xcalloc(n + nx + 1, sizeof(*env));
	for (size_t i = 0; i < n; i++) {
		replaced = 0;
		for (size_t j = 0; j < nx && !replaced; j++) {
			len = strcspn(extra[j], "=");
			if (strncmp(environ[i], extra[j], len) == 0 &&
			    environ[i][len] == '=')
				replaced = 1;
		}
		if (!replaced)
			env[k++] = environ[i];
	}
	for (size_t j = 0; j < nx; j++)
		env[k++] = extra[j];
	env[k] = NULL;
	return env;
}

/*
 * In the child: puts the inputs on descriptors 3, 4, ... (through high
 * numbers first, so one already at 3 or 4 is not overwritten).  0 or -1.
 */
static int
place_inputs(const int *in, size_t nin)
{
	int high[PROG_MAX_INPUTS];

	for (size_t i = 0; i < nin; i++)
		if ((high[i] = fcntl(in[i], F_DUPFD, 3 + PROG_MAX_INPUTS + 3)) == -1)
			return -1;
	for (size_t i = 0; i < nin; i++)
		if (dup2(high[i], 3 + (int)i) == -1)
			return -1;
	return 0;
}

/* In the child: never returns. */
static void
child_exec(const char *path, char *const argv[], char **env, int devnull,
    int outfd, int errfd, const int *in, size_t nin)
{
	sigset_t none;

	/* Dispositions set to "ignore" survive exec; the program gets defaults. */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	(void)setpgid(0, 0);
	if (dup2(devnull, 0) == -1 || dup2(outfd, 1) == -1 || dup2(errfd, 2) == -1 ||
	    place_inputs(in, nin) == -1)
		_exit(127);
	/* Lock files and the SSH channel must not live on in a hook. */
	close_from(3 + (int)nin);
	execve(path, argv, env);
	dprintf(2, "cannot execute %s: %s\n", path, strerror(errno));
	_exit(127);
}

struct capture {
	int	 fd;
	char	*buf;
	size_t	 len, cap, max;
	int	 truncated;
};

/* Reads what is available; 1 at end of file (or error), 0 otherwise. */
static int
capture_read(struct capture *c)
{
	char scratch[16384];
	size_t want, ncap;
	ssize_t n;

	/* Bounded, so a program that writes without pause cannot keep us here. */
	for (int rounds = 0; rounds < 256; rounds++) {
		if (c->len < c->max) {
			if (c->cap - c->len < 2) {
				ncap = c->cap ? c->cap * 2 : 4096;
				if (ncap > c->max + 1)
					ncap = c->max + 1;
				c->buf = xreallocarray(c->buf, 1, ncap);
				c->cap = ncap;
			}
			want = c->cap - c->len - 1;	/* room for the NUL */
			n = read(c->fd, c->buf + c->len, want);
			if (n > 0)
				c->len += (size_t)n;
		} else {
			n = read(c->fd, scratch, sizeof(scratch));
			if (n > 0)
				c->truncated = 1;
		}
		if (n == 0)
			return 1;
		if (n < 0)
			return !(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
	}
	return 0;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
set_status(struct prog_result *res, int status)
{
	if (WIFEXITED(status)) {
		res->exited = 1;
		res->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status))
		res->signo = WTERMSIG(status);
}

static int
open_pipe(int p[2])
{
	if (pipe(p) == -1)
		return -1;
	if (fcntl(p[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(p[0], F_SETFL, O_NONBLOCK) == -1) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	return 0;
}

/* A started program: its pid and the read ends of its output pipes. */
struct child {
	pid_t			 pid;
	struct capture		 cap[2];	/* stdout, stderr */
	struct sigaction	 saved_chld;
};

/*
 * Forks and execs path with its output on two non-blocking pipes.  We
 * must reap our own child: whatever the main loop does with SIGCHLD
 * (ignore, or a handler that waits for any child) is put aside until
 * prog_run's end.  0, or -1 (logged, nothing left open).
 */
static int
start_child(const char *path, char *const argv[], char *const extra_env[],
    const int *in, size_t nin, struct child *ch)
{
	struct sigaction dfl;
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, devnull = -1;
	char **env = build_env(extra_env);

	if ((devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1 ||
	    open_pipe(outp) == -1 || open_pipe(errp) == -1) {
		log_warn("cannot run %s", path);
		goto fail;
	}
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &ch->saved_chld);
	if ((ch->pid = fork()) == -1) {
		log_warn("fork for %s", path);
		sigaction(SIGCHLD, &ch->saved_chld, NULL);
		goto fail;
	}
	if (ch->pid == 0)
		child_exec(path, argv, env, devnull, outp[1], errp[1], in, nin);
	(void)setpgid(ch->pid, ch->pid);	/* either of us may win the race */
	close(outp[1]);
	close(errp[1]);
	close(devnull);
	free(env);
	ch->cap[0].fd = outp[0];
	ch->cap[1].fd = errp[0];
	return 0;
fail:
	free(env);
	if (devnull != -1)
		close(devnull);
	for (int i = 0; i < 2; i++) {
		if (outp[i] != -1)
			close(outp[i]);
		if (errp[i] != -1)
			close(errp[i]);
	}
	return -1;
}

static void
kill_group(struct child *ch, struct prog_result *res)
{
	kill(-ch->pid, SIGKILL);
	kill(ch->pid, SIGKILL);
	res->timed_out = 1;
}

/*
 * Reads the program's output until both pipes end or it has exited (then
 * what is left in the pipes, written before the exit), killing it at the
 * deadline.  1 when it was reaped (res says how it ended), else 0.
 */
static int
capture_until_exit(struct child *ch, int timeout_ms, struct prog_result *res)
{
	long long deadline = now_ms() + timeout_ms;
	struct pollfd pfd[2];
	int status, reaped = 0, nopen, wait_ms;
	pid_t w;

	for (;;) {
		long long left = deadline - now_ms();

		if (left <= 0) {
			kill_group(ch, res);
			return 0;
		}
		nopen = 0;
		for (int i = 0; i < 2; i++) {
			if (ch->cap[i].fd == -1)
				continue;
			pfd[nopen].fd = ch->cap[i].fd;
			pfd[nopen].events = POLLIN;
			pfd[nopen].revents = 0;
			nopen++;
		}
		if (nopen == 0 && reaped)
			return 1;
		wait_ms = left < CHECK_MS ? (int)left : CHECK_MS;
		if (poll(pfd, (nfds_t)nopen, wait_ms) == -1 && errno != EINTR) {
			log_warn("poll");
			kill_group(ch, res);
			return 0;
		}
		for (int i = 0; i < 2; i++)
			if (ch->cap[i].fd != -1 && capture_read(&ch->cap[i])) {
				close(ch->cap[i].fd);
				ch->cap[i].fd = -1;
			}
		if (!reaped) {
			w = waitpid(ch->pid, &status, WNOHANG);
			if (w == ch->pid) {
				set_status(res, status);
				reaped = 1;
			} else if (w == -1 && errno != EINTR)
				reaped = 1;	/* not ours to know: counts as failed */
		}
		if (reaped) {
			for (int i = 0; i < 2; i++)
				if (ch->cap[i].fd != -1) {
					(void)capture_read(&ch->cap[i]);
					close(ch->cap[i].fd);
					ch->cap[i].fd = -1;
				}
			return 1;
		}
	}
}

int
prog_run(const char *path, char *const argv[], char *const extra_env[],
    int timeout_ms, size_t out_max, size_t err_max, struct prog_result *res)
{
	return prog_run_inputs(path, argv, extra_env, NULL, 0, timeout_ms, out_max,
	    err_max, res);
}

int
prog_run_inputs(const char *path, char *const argv[], char *const extra_env[],
    const int *in, size_t nin, int timeout_ms, size_t out_max, size_t err_max,
    struct prog_result *res)
{
	struct child ch;
	int status;
	pid_t w;

	memset(res, 0, sizeof(*res));
	memset(&ch, 0, sizeof(ch));
	ch.cap[0].max = out_max;
	ch.cap[1].max = err_max;
	if (nin > PROG_MAX_INPUTS) {
		log_warnx("cannot run %s: more than %d inputs", path, PROG_MAX_INPUTS);
		return -1;
	}
	/* every program reads its inputs from the start */
	for (size_t i = 0; i < nin; i++)
		(void)lseek(in[i], 0, SEEK_SET);
	if (start_child(path, argv, extra_env, in, nin, &ch) == -1)
		return -1;
	if (!capture_until_exit(&ch, timeout_ms, res)) {
		for (int i = 0; i < 2; i++)
			if (ch.cap[i].fd != -1)
				close(ch.cap[i].fd);
		while ((w = waitpid(ch.pid, &status, 0)) == -1 && errno == EINTR)
			;
		if (w == ch.pid && !res->timed_out)
			set_status(res, status);
		else if (w == ch.pid)
			res->signo = SIGKILL;
	}
	sigaction(SIGCHLD, &ch.saved_chld, NULL);
	for (int i = 0; i < 2; i++)
		if (ch.cap[i].buf != NULL)
			ch.cap[i].buf[ch.cap[i].len] = '\0';
	res->out = ch.cap[0].buf;
	res->outlen = ch.cap[0].len;
	res->out_truncated = ch.cap[0].truncated;
	res->err = ch.cap[1].buf;
	res->errlen = ch.cap[1].len;
	res->err_truncated = ch.cap[1].truncated;
	return 0;
}

void
prog_result_free(struct prog_result *res)
{
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof(*res));
}

int
prog_succeeded(const struct prog_result *res)
{
	return !res->timed_out && res->exited && res->exit_code == 0;
}

void
prog_describe(const struct prog_result *res, int timeout_ms, char *buf, size_t len)
{
	if (res->timed_out)
		snprintf(buf, len, "timed out after %d.%03d s and was killed",
		    timeout_ms / 1000, timeout_ms % 1000);
	else if (res->exited)
		snprintf(buf, len, "exit status %d", res->exit_code);
	else if (res->signo != 0)
		snprintf(buf, len, "killed by signal %d", res->signo);
	else
		snprintf(buf, len, "ended in an unknown way");
}

int
prog_timeout_from_env(const char *name, int def_ms)
{
	const char *v = getenv(name);
	char *end;
	double secs;

	if (v == NULL || *v == '\0')
		return def_ms;
	errno = 0;
	secs = strtod(v, &end);
	if (errno != 0 || *end != '\0' || !(secs > 0) || secs > 86400)
		return def_ms;
	return (int)(secs * 1000);
}
