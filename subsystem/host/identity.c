/*
 * The service identity (doc/security.md).  make install makes
 * nchome-netconf set-uid to the service account (_nchome), executable only
 * by the NETCONF group, as crontab is: a session's process then owns
 * datastore-dir and every file in it, and the logged-in account, which
 * sshd started it as, owns none of them.  That account reaches the data,
 * the locks, the registry and the event log only through NETCONF.
 *
 * A set-id program runs with what its caller chose: environment,
 * descriptors, umask, resource limits, arguments.  identity_start(), the
 * first thing main() does, treats all of them as hostile: descriptors 0-2
 * open (on /dev/null if closed), every other one closed; umask 077; no
 * core files; a file-size limit refused (a write cut short by SIGXFSZ
 * would tear the journal), other limits raised to a floor or refused
 * under it; the terminal's job-control stops ignored and
 * no signal blocked; the environment cleared but for a fixed PATH
 * and what sshd says about the connection.  Then it records the account
 * (account.c) and drops the caller's uid for good: real, effective and
 * saved uid all become the service identity, so the logged-in account
 * cannot signal, trace or stop the process either.
 *
 * Not set-id (a build tree, the test suite, an operator running it as
 * one account): nothing changes; the process is the account.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "closefrom.h"
#include "host.h"
#include "log.h"
#include "xmalloc.h"

#define SAFE_PATH	"/usr/bin:/bin:/usr/sbin:/sbin"
#define ENV_VALUE_MAX	256

static int setid;
static int caller_root;

/* What sshd says about the connection, kept when sane (printable, short). */
static const char *const kept_env[] = { "SSH_CLIENT", "SSH_CONNECTION", NULL };

static void
fds_sanitize(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
			int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);

			if (n == -1)
				_exit(1);	/* no log yet: nowhere safe to write */
			if (n != fd)
				_exit(1);
		}
	close_from(3);
}

static int
value_ok(const char *v)
{
	size_t n = strlen(v);

	if (n > ENV_VALUE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			return 0;
	return 1;
}

static void
env_sanitize(void)
{
	char *keep[sizeof(kept_env) / sizeof(kept_env[0])];
	const char *v;
	int i;

	for (i = 0; kept_env[i] != NULL; i++)
		keep[i] = (v = getenv(kept_env[i])) != NULL && value_ok(v) ?
		    xstrdup(v) : NULL;
#ifdef __GLIBC__
	(void)clearenv();
#else
	{
		extern char **environ;
		static char *empty[1];

		environ = empty;
	}
#endif
	if (setenv("PATH", SAFE_PATH, 1) == -1)
		_exit(1);
	for (i = 0; kept_env[i] != NULL; i++)
		if (keep[i] != NULL) {
			(void)setenv(kept_env[i], keep[i], 1);
			free(keep[i]);
		}
}

/*
 * Limits below which a session would fail part way through its work
 * (descriptors for the store, journal and a hook's pipes; memory and
 * stack for a parse; processes for hooks, state providers and the
 * confirmed-commit timer, which inherits them; CPU time for a long
 * session), at a moment the caller chose.  A soft limit under its floor
 * is raised to it; a hard one under it refuses the start.
 */
struct limit_floor {
	int		 resource;
	rlim_t		 floor;
	const char	*what;
};

static const struct limit_floor floors[] = {
	{ RLIMIT_NOFILE, 256, "open files (ulimit -n)" },
	{ RLIMIT_STACK, (rlim_t)4 << 20, "stack size (ulimit -s)" },
	{ RLIMIT_DATA, (rlim_t)1 << 30, "data size (ulimit -d)" },
	{ RLIMIT_AS, (rlim_t)1 << 30, "virtual memory (ulimit -v)" },
	{ RLIMIT_CPU, 3600, "CPU time (ulimit -t)" },
	{ RLIMIT_NPROC, 64, "processes (ulimit -u)" },
};

static void
limit_floor(const struct limit_floor *lf)
{
	struct rlimit rl;

	if (getrlimit(lf->resource, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= lf->floor)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < lf->floor)
		fatalx("the %s limit is %llu, under the %llu a session needs: "
		    "refusing to start", lf->what, (unsigned long long)rl.rlim_max,
		    (unsigned long long)lf->floor);
	rl.rlim_cur = lf->floor;
	if (setrlimit(lf->resource, &rl) == -1)
		fatal("raising the %s limit", lf->what);
}

static void
limits_sanitize(void)
{
	struct rlimit rl = { 0, 0 };
	struct sigaction sa;

	(void)setrlimit(RLIMIT_CORE, &rl);
	if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY)
		fatalx("a file size limit (ulimit -f) is set: refusing to write "
		    "the datastores under it");
	rl.rlim_cur = RLIM_INFINITY;
	(void)setrlimit(RLIMIT_FSIZE, &rl);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (size_t i = 0; i < sizeof(floors) / sizeof(floors[0]); i++)
		limit_floor(&floors[i]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGXFSZ, &sa, NULL);	/* a write fails with EFBIG instead */
}

/*
 * Job control: the caller's terminal stops its foreground group on ^Z
 * (SIGTSTP), and a background read or write (SIGTTIN, SIGTTOU), whoever
 * owns the process.  Ignored, so an account with a shell cannot freeze
 * its session holding a lock or the store's write lock: a background read
 * of the terminal fails (EIO) and ends the session instead.  The signal
 * mask, which exec keeps, is the caller's too: emptied, so a SIGTERM
 * blocked by the caller cannot make kill-session wait its grace and end
 * the session unrecorded by SIGKILL.
 */
static void
signals_sanitize(void)
{
	static const int sigs[] = { SIGTSTP, SIGTTIN, SIGTTOU };
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)sigaction(sigs[i], &sa, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

int
identity_start(void)
{
	uid_t svc = geteuid();

	setid = getuid() != geteuid() || getgid() != getegid();
	caller_root = getuid() == 0;
	if (!setid) {
		(void)account_current();
		return 0;
	}
	fds_sanitize();
	umask(077);
	env_sanitize();
	(void)account_current();	/* the logged-in account, before the switch */
	limits_sanitize();
	signals_sanitize();
	if (setresuid(svc, svc, svc) == -1)
		fatal("setresuid to the service identity");
	if (getuid() != svc || geteuid() != svc)
		fatalx("could not switch to the service identity");
#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__linux__) && (defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer))
	/*
	 * Sanitizer builds only: LeakSanitizer traces its own threads, which a
	 * set-id (non-dumpable) process may not.  Every uid is the service
	 * identity's now, so no NETCONF account gains a way in.
	 */
	(void)prctl(PR_SET_DUMPABLE, 1);
#endif
	return 1;
}

int
identity_setid(void)
{
	return setid;
}

int
identity_setid_for_account(void)
{
	return setid && !caller_root;
}

int
identity_check_dsdir(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (!setid)
		return 0;
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 027) != 0) {
		snprintf(err, errlen, "%s: owned by uid %lu with mode %04o: the service "
		    "identity (uid %lu) must own it, mode 0700 or 0750 (doc/security.md)",
		    path, (unsigned long)st.st_uid, (unsigned)(st.st_mode & 07777),
		    (unsigned long)geteuid());
		return -1;
	}
	return 0;
}
