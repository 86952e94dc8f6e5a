/*
 * The registry of live sessions in datastore-dir/sessions/; the file
 * layout is described in session_registry.h.
 *
 * Liveness is an flock(): each session holds LOCK_EX on its own entry
 * for its whole life, so "is session N alive" is "can I not take
 * LOCK_SH on sessions/N".  The kernel drops the lock when the process
 * dies in any way, so a crashed or SIGKILLed session is never counted as
 * live; its file is just removed by whoever notices it next.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "session_registry.h"
#include "stats.h"

#define SESSIONS	"sessions"
#define NEXT_ID		"next-id"

static int reg_fd = -1;			/* our entry, flock(LOCK_EX)ed */
static char reg_path[PATH_MAX];
static size_t reg_len;			/* bytes last written */

mode_t
shared_mode(const char *datastore_dir, int dir)
{
	struct stat st;
	mode_t m;

	if (stat(datastore_dir, &st) == -1)
		return dir ? 0755 : 0644;
	m = st.st_mode & 07777;
	m |= dir ? 0755 : 0644;		/* monitoring reads every entry */
	return dir ? m : (m & 0666);
}

static int
sessions_dir(const char *dsdir, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", dsdir, SESSIONS);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int
entry_path(const char *dsdir, uint32_t id, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s/%" PRIu32, dsdir, SESSIONS, id);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static size_t
format_entry(struct session *s, char *buf, size_t len)
{
	int n = snprintf(buf, len,
	    "pid %ld\nuser %s\npeer %s\nlogin %lld\n"
	    "in-rpcs %llu\nin-bad-rpcs %llu\nout-rpc-errors %llu\n"
	    "out-notifications %llu\n",
	    (long)getpid(), s->user != NULL ? s->user : "",
	    s->peer != NULL ? s->peer : "", (long long)s->login_time,
	    (unsigned long long)s->in_rpcs, (unsigned long long)s->in_bad_rpcs,
	    (unsigned long long)s->out_rpc_errors,
	    (unsigned long long)s->out_notifications);

	if (n < 0)
		return 0;
	return (size_t)n >= len ? len - 1 : (size_t)n;
}

static void
parse_entry(char *text, struct reg_session *e)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, ' ');

		if (v == NULL)
			continue;
		*v++ = '\0';
		if (strcmp(line, "pid") == 0)
			e->pid = (pid_t)strtol(v, NULL, 10);
		else if (strcmp(line, "user") == 0)
			snprintf(e->user, sizeof(e->user), "%s", v);
		else if (strcmp(line, "peer") == 0)
			snprintf(e->peer, sizeof(e->peer), "%s", v);
		else if (strcmp(line, "login") == 0)
			e->login_time = (time_t)strtoll(v, NULL, 10);
		else if (strcmp(line, "in-rpcs") == 0)
			e->in_rpcs = strtoull(v, NULL, 10);
		else if (strcmp(line, "in-bad-rpcs") == 0)
			e->in_bad_rpcs = strtoull(v, NULL, 10);
		else if (strcmp(line, "out-rpc-errors") == 0)
			e->out_rpc_errors = strtoull(v, NULL, 10);
		else if (strcmp(line, "out-notifications") == 0)
			e->out_notifications = strtoull(v, NULL, 10);
	}
}

/*
 * Reads entry path if its session is live (0), removes it if it is a
 * leftover of a dead one (-1).
 */
static int
read_live_entry(const char *path, uint32_t id, struct reg_session *e)
{
	char buf[1024];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		/* Nobody holds it: the session is gone. */
		(void)unlink(path);
		close(fd);
		return -1;
	}
	if (errno != EWOULDBLOCK) {
		close(fd);
		return -1;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	memset(e, 0, sizeof(*e));
	e->id = id;
	parse_entry(buf, e);
	return 0;
}

static int
parse_id(const char *name, uint32_t *id)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)name[0]) || name[0] == '0')
		return -1;
	errno = 0;
	v = strtoull(name, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > UINT32_MAX)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

/* Removes leftovers of dead sessions, including half-made entries. */
static void
clean_stale(const char *dir)
{
	struct reg_session e;
	struct dirent *de;
	char path[PATH_MAX];
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		uint32_t id;
		long pid;

		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (parse_id(de->d_name, &id) == 0)
			(void)read_live_entry(path, id, &e);
		else if (sscanf(de->d_name, ".new-%ld", &pid) == 1 &&
		    kill((pid_t)pid, 0) == -1 && errno == ESRCH)
			(void)unlink(path);
	}
	closedir(d);
}

static int
read_counter(int fd, uint32_t *v)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	*v = 0;
	if (n < 0)
		return -1;
	buf[n] = '\0';
	*v = (uint32_t)strtoul(buf, NULL, 10);
	return 0;
}

int
registry_register(struct session *s)
{
	const char *dsdir = s->nc->datastore_dir;
	char dir[PATH_MAX], tmp[PATH_MAX], path[PATH_MAX], buf[1024], num[32];
	uint32_t last, id = 0;
	int cfd = -1, fd = -1, n, unwritten = 0;
	size_t len;

	if (mkdir(dsdir, 0755) == -1 && errno != EEXIST) {
		log_warn("mkdir %s", dsdir);
		return -1;
	}
	if (sessions_dir(dsdir, dir, sizeof(dir)) == -1)
		return -1;
	if (mkdir(dir, 0700) == 0)
		(void)chmod(dir, shared_mode(dsdir, 1));	/* umask-free */
	else if (errno != EEXIST) {
		log_warn("mkdir %s", dir);
		return -1;
	}
	clean_stale(dir);

	/* The entry is complete and locked before it appears under its id. */
	if (snprintf(tmp, sizeof(tmp), "%s/.new-%ld", dir, (long)getpid()) >= (int)sizeof(tmp))
		return -1;
	(void)unlink(tmp);
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1) {
		log_warn("%s", tmp);
		return -1;
	}
	(void)fchmod(fd, shared_mode(dsdir, 0));
	if (flock(fd, LOCK_EX) == -1) {
		log_warn("flock %s", tmp);
		goto fail;
	}
	len = format_entry(s, buf, sizeof(buf));
	if (pwrite(fd, buf, len, 0) != (ssize_t)len) {
		/*
		 * A full disk still has room for the empty, locked entry: the
		 * id stays unique and the session works; registry_update()
		 * writes the details once there is space again.
		 */
		if (errno != ENOSPC && errno != EDQUOT) {
			log_warn("write %s", tmp);
			goto fail;
		}
		unwritten = 1;
		len = 0;
		(void)ftruncate(fd, 0);
	}

	if (snprintf(path, sizeof(path), "%s/%s", dir, NEXT_ID) >= (int)sizeof(path))
		goto fail;
	if ((cfd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) != -1)
		(void)fchmod(cfd, shared_mode(dsdir, 0));
	else if (errno == EEXIST)
		cfd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (cfd == -1 || flock(cfd, LOCK_EX) == -1 || read_counter(cfd, &last) == -1) {
		log_warn("%s", path);
		goto fail;
	}
	for (int tries = 0; tries < 1000; tries++) {
		char epath[PATH_MAX];

		id = last + 1 + (uint32_t)tries;
		if (id == 0)
			continue;
		if (entry_path(dsdir, id, epath, sizeof(epath)) == -1)
			goto fail;
		if (link(tmp, epath) == 0) {
			snprintf(reg_path, sizeof(reg_path), "%s", epath);
			break;
		}
		if (errno != EEXIST) {
			log_warn("link %s", epath);
			goto fail;
		}
		id = 0;
	}
	if (id == 0) {
		log_warnx("no free session-id in %s", dir);
		goto fail;
	}
	n = snprintf(num, sizeof(num), "%" PRIu32 "\n", id);
	if (pwrite(cfd, num, (size_t)n, 0) != n || ftruncate(cfd, n) == -1)
		log_warn("%s", path);	/* link() above still keeps ids unique */
	close(cfd);
	(void)unlink(tmp);
	s->id = id;
	reg_fd = fd;
	reg_len = len;
	if (unwritten)
		log_warnx("session %u: %s is full: registered without details "
		    "(netconf-state shows no user or address and kill-session "
		    "cannot end this session until there is space again)", id, dir);
	return 0;
fail:
	if (cfd != -1)
		close(cfd);
	(void)unlink(tmp);
	close(fd);
	return -1;
}

/* Adds what s counted since the last call to the host-wide statistics. */
static void
flush_stats(struct session *s)
{
	static struct stats flushed;
	struct stats d;

	if (s->nc == NULL)
		return;		/* no datastore-dir (unit tests) */
	memset(&d, 0, sizeof(d));
	d.in_rpcs = s->in_rpcs - flushed.in_rpcs;
	d.in_bad_rpcs = s->in_bad_rpcs - flushed.in_bad_rpcs;
	d.out_rpc_errors = s->out_rpc_errors - flushed.out_rpc_errors;
	d.out_notifications = s->out_notifications - flushed.out_notifications;
	if (d.in_rpcs == 0 && d.in_bad_rpcs == 0 && d.out_rpc_errors == 0 &&
	    d.out_notifications == 0)
		return;
	stats_add(s->nc->datastore_dir, &d);
	flushed.in_rpcs = s->in_rpcs;
	flushed.in_bad_rpcs = s->in_bad_rpcs;
	flushed.out_rpc_errors = s->out_rpc_errors;
	flushed.out_notifications = s->out_notifications;
}

void
registry_update(struct session *s)
{
	char buf[1024];
	size_t len;

	flush_stats(s);
	if (reg_fd == -1)
		return;
	len = format_entry(s, buf, sizeof(buf));
	if (pwrite(reg_fd, buf, len, 0) != (ssize_t)len) {
		if (reg_len == 0)
			(void)ftruncate(reg_fd, 0);	/* still empty, not half-written */
		return;
	}
	if (len < reg_len && ftruncate(reg_fd, (off_t)len) == -1)
		return;
	reg_len = len;
}

void
registry_unregister(struct session *s)
{
	(void)s;
	if (reg_fd == -1)
		return;
	(void)unlink(reg_path);
	close(reg_fd);
	reg_fd = -1;
}

int
registry_lookup(const char *datastore_dir, uint32_t id, struct reg_session *out)
{
	char path[PATH_MAX];

	if (id == 0 || entry_path(datastore_dir, id, path, sizeof(path)) == -1)
		return -1;
	return read_live_entry(path, id, out);
}

static int
cmp_id(const void *a, const void *b)
{
	const struct reg_session *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int
registry_list(const char *datastore_dir, struct reg_session **out, size_t *n)
{
	struct reg_session *v = NULL, *nv, e;
	size_t cnt = 0, cap = 0;
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	*out = NULL;
	*n = 0;
	if (sessions_dir(datastore_dir, dir, sizeof(dir)) == -1 ||
	    (d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		uint32_t id;

		if (parse_id(de->d_name, &id) == -1)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (read_live_entry(path, id, &e) == -1)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				free(v);
				closedir(d);
				return -1;
			}
			v = nv;
		}
		v[cnt++] = e;
	}
	closedir(d);
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), cmp_id);
	*out = v;
	*n = cnt;
	return 0;
}
