/*
 * The host's event log for notifications: datastore-dir/notifications/
 * holds "log" and, after a rotation, "log.1" (the older events).  One
 * record is one line, "<microseconds since the epoch> <notification>\n",
 * written with a single write(2) on an O_APPEND descriptor while holding
 * flock(LOCK_EX) on "lock", so records of concurrent sessions never
 * interleave.  When "log" would grow past NOTIFY_LOG_MAX (or
 * $NCHOME_NOTIFY_LOG_MAX bytes) it is renamed to "log.1" first (atomic),
 * so the log never holds more than about twice that: the replay window is
 * bounded by size, not time.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "log.h"
#include "notify_log.h"
#include "session_registry.h"

#define NOTIFY_LOG_MAX	(1024 * 1024)

int
nlog_path(const char *dsdir, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/notifications%s%s", dsdir,
	    name != NULL ? "/" : "", name != NULL ? name : "");

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static size_t
log_max(void)
{
	const char *v = getenv("NCHOME_NOTIFY_LOG_MAX");
	long n;

	if (v != NULL && (n = strtol(v, NULL, 10)) >= 1024 && n <= (1L << 30))
		return (size_t)n;
	return NOTIFY_LOG_MAX;
}

static int
open_shared(const char *dsdir, const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0600);

	if (fd != -1 && (flags & O_CREAT))
		(void)fchmod(fd, shared_mode(dsdir, 0));
	return fd;
}

int
nlog_append(const char *dsdir, int64_t when_us, const char *xml, size_t len)
{
	char dir[PATH_MAX], lockp[PATH_MAX], logp[PATH_MAX], oldp[PATH_MAX];
	char head[32], *rec;
	struct stat st;
	size_t hl, rl;
	int lfd, fd, rc = -1;

	if (nlog_path(dsdir, NULL, dir, sizeof(dir)) == -1 ||
	    nlog_path(dsdir, "lock", lockp, sizeof(lockp)) == -1 ||
	    nlog_path(dsdir, "log", logp, sizeof(logp)) == -1 ||
	    nlog_path(dsdir, "log.1", oldp, sizeof(oldp)) == -1)
		return -1;
	if (mkdir(dir, 0700) == 0)
		(void)chmod(dir, shared_mode(dsdir, 1));
	else if (errno != EEXIST) {
		log_warn("%s", dir);
		return -1;
	}
	hl = (size_t)snprintf(head, sizeof(head), "%lld ", (long long)when_us);
	rl = hl + len + 1;
	if ((rec = malloc(rl)) == NULL)
		return -1;
	memcpy(rec, head, hl);
	memcpy(rec + hl, xml, len);
	rec[rl - 1] = '\n';
	if ((lfd = open_shared(dsdir, lockp, O_RDWR | O_CREAT)) == -1) {
		log_warn("%s", lockp);
		free(rec);
		return -1;
	}
	while (flock(lfd, LOCK_EX) == -1)
		if (errno != EINTR)
			goto out;
	if (stat(logp, &st) == 0 && (size_t)st.st_size + rl > log_max() &&
	    rename(logp, oldp) == -1)
		log_warn("rotating %s", logp);
	if ((fd = open_shared(dsdir, logp, O_WRONLY | O_APPEND | O_CREAT)) == -1) {
		log_warn("%s", logp);
		goto out;
	}
	rc = write_all(fd, rec, rl);
	close(fd);
out:
	close(lfd);	/* drops the flock */
	free(rec);
	return rc;
}

void
nlog_reader_init(struct nlog_reader *rd, const char *dsdir)
{
	memset(rd, 0, sizeof(*rd));
	rd->dsdir = dsdir;
	rd->fd = -1;
}

void
nlog_reader_close(struct nlog_reader *rd)
{
	if (rd->fd != -1)
		close(rd->fd);
	rd->fd = -1;
	free(rd->buf);
	rd->buf = NULL;
	rd->len = rd->cap = 0;
}

/* Opens "log" (at its start, or at its end when at_end). */
int
nlog_reader_open(struct nlog_reader *rd, int at_end)
{
	char logp[PATH_MAX];
	struct stat st;

	if (nlog_path(rd->dsdir, "log", logp, sizeof(logp)) == -1)
		return -1;
	if (rd->fd != -1)
		close(rd->fd);
	rd->len = 0;
	if ((rd->fd = open(logp, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(rd->fd, &st) == 0)
		rd->ino = st.st_ino;
	if (at_end)
		(void)lseek(rd->fd, 0, SEEK_END);
	return 0;
}

/* Calls cb for each whole record read from fd until its end. */
static void
drain_fd(struct nlog_reader *rd, int fd, nlog_cb cb, void *arg)
{
	char *nl, *p, *end;
	ssize_t n;

	if (rd->buf == NULL) {
		if ((rd->buf = malloc(NLOG_RECORD_MAX * 2)) == NULL)
			return;
		rd->cap = NLOG_RECORD_MAX * 2;
		rd->len = 0;
	}
	for (;;) {
		if (rd->len == rd->cap)
			rd->len = 0;	/* a line longer than any record: drop it */
		n = read(fd, rd->buf + rd->len, rd->cap - rd->len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		rd->len += (size_t)n;
		p = rd->buf;
		end = rd->buf + rd->len;
		while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			char *sp = memchr(p, ' ', (size_t)(nl - p));

			*nl = '\0';
			if (sp != NULL)
				cb(strtoll(p, NULL, 10), sp + 1, (size_t)(nl - sp - 1), arg);
			p = nl + 1;
		}
		rd->len = (size_t)(end - p);
		memmove(rd->buf, p, rd->len);
	}
}

void
nlog_reader_poll(struct nlog_reader *rd, nlog_cb cb, void *arg)
{
	char logp[PATH_MAX], oldp[PATH_MAX];
	struct stat st, ost;
	int fd;

	if (rd->fd != -1)
		drain_fd(rd, rd->fd, cb, arg);
	/* Rotated (or created) since: the rest of ours is read, go on with the new one. */
	if (nlog_path(rd->dsdir, "log", logp, sizeof(logp)) == 0 &&
	    stat(logp, &st) == 0 && (rd->fd == -1 || st.st_ino != rd->ino)) {
		/* Rotated twice: "log.1" is a file we never read. */
		if (rd->fd != -1 &&
		    nlog_path(rd->dsdir, "log.1", oldp, sizeof(oldp)) == 0 &&
		    stat(oldp, &ost) == 0 && ost.st_ino != rd->ino &&
		    (fd = open(oldp, O_RDONLY | O_CLOEXEC)) != -1) {
			rd->len = 0;
			drain_fd(rd, fd, cb, arg);
			close(fd);
		}
		if (nlog_reader_open(rd, 0) == 0 && rd->fd != -1)
			drain_fd(rd, rd->fd, cb, arg);
	}
}

void
nlog_replay(const char *dsdir, struct nlog_reader *live, nlog_cb cb, void *arg)
{
	struct nlog_reader old;
	char oldp[PATH_MAX];

	nlog_reader_init(&old, dsdir);
	if (nlog_path(dsdir, "log.1", oldp, sizeof(oldp)) == 0 &&
	    (old.fd = open(oldp, O_RDONLY | O_CLOEXEC)) != -1)
		drain_fd(&old, old.fd, cb, arg);
	nlog_reader_close(&old);
	(void)nlog_reader_open(live, 0);
	nlog_reader_poll(live, cb, arg);
}
