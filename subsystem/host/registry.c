/*
 * The registry of live sessions in datastore-dir/sessions/; the file
 * layout is described in host.h.
 *
 * Liveness is an flock(): each session holds LOCK_EX on its own entry
 * for its whole life, so "is session N alive" is "can I not take
 * LOCK_SH on sessions/N".  The kernel drops the lock when the process
 * dies in any way, so a crashed or SIGKILLed session is never counted as
 * live; its file is removed by whoever notices it next, which first folds
 * the counts it holds into the host's statistics (stats.c).
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

#include "xmalloc.h"
#include "access/access.h"
#include "flockwait.h"
#include "host.h"
#include "log.h"
#include "xmalloc.h"

#define NEXT_ID		"next-id"
#define ENTRY_NAME_MAX	16

static int reg_fd = -1;			/* our entry, flock(LOCK_EX)ed */
static struct dsdir *reg_dd;
static char reg_name[ENTRY_NAME_MAX];
static size_t reg_len;			/* bytes last written */
/*
 * Registered without text (a full disk): the entry cannot carry the
 * counts, so they go to the statistics file after each RPC.
 */
static int count_direct;
static pid_t reg_pid;			/* getpid() is a system call each time */
static struct stats flushed;		/* what the statistics file has (or gets) of ours */

/* This session's counters, as the statistics file counts them. */
static void
session_counts(struct session *s, struct stats *c)
{
	struct nacm_counters nc;

	memset(c, 0, sizeof(*c));
	nacm_counters_get(&nc);
	c->in_rpcs = s->in_rpcs;
	c->in_bad_rpcs = s->in_bad_rpcs;
	c->out_rpc_errors = s->out_rpc_errors;
	c->out_notifications = s->out_notifications;
	c->denied_operations = nc.denied_operations;
	c->denied_data_writes = nc.denied_data_writes;
	c->denied_notifications = nc.denied_notifications;
}

/* d = counts - flushed; 0 when nothing grew. */
static int
unflushed(const struct stats *counts, struct stats *d)
{
	memset(d, 0, sizeof(*d));
	d->in_rpcs = counts->in_rpcs - flushed.in_rpcs;
	d->in_bad_rpcs = counts->in_bad_rpcs - flushed.in_bad_rpcs;
	d->out_rpc_errors = counts->out_rpc_errors - flushed.out_rpc_errors;
	d->out_notifications = counts->out_notifications - flushed.out_notifications;
	d->denied_operations = counts->denied_operations - flushed.denied_operations;
	d->denied_data_writes = counts->denied_data_writes - flushed.denied_data_writes;
	d->denied_notifications = counts->denied_notifications -
	    flushed.denied_notifications;
	return d->in_rpcs != 0 || d->in_bad_rpcs != 0 || d->out_rpc_errors != 0 ||
	    d->out_notifications != 0 || d->denied_operations != 0 ||
	    d->denied_data_writes != 0 || d->denied_notifications != 0;
}

/*
 * The entry's text in buf (len >= ENTRY_MAX), ending in a check line:
 * FNV-1a 64 of the bytes before it, so that a reader whose pread() met
 * our pwrite() halfway (they are not atomic) sees a torn text and reads
 * again (reg_text.c).  Its length (0 on failure).
 */
static size_t
format_entry(struct session *s, char *buf, size_t len)
{
	struct stats c;
	size_t off;
	int n;

	session_counts(s, &c);
	n = snprintf(buf, len - CHECK_LINE,
	    "pid %ld\nuser %s\npeer %s\nlogin %lld\n"
	    "in-rpcs %llu\nin-bad-rpcs %llu\nout-rpc-errors %llu\n"
	    "out-notifications %llu\ndenied-operations %llu\n"
	    "denied-data-writes %llu\ndenied-notifications %llu\n%s%s%s",
	    (long)reg_pid, s->user != NULL ? s->user : "",
	    s->peer != NULL ? s->peer : "", (long long)s->login_time,
	    (unsigned long long)c.in_rpcs, (unsigned long long)c.in_bad_rpcs,
	    (unsigned long long)c.out_rpc_errors,
	    (unsigned long long)c.out_notifications,
	    (unsigned long long)c.denied_operations,
	    (unsigned long long)c.denied_data_writes,
	    (unsigned long long)c.denied_notifications,
	    count_direct ? "" : "fold-boot ",
	    count_direct ? "" : stats_boot_mark(stats_boot_id()),
	    count_direct ? "" : "\n");

	if (n < 0)
		return 0;
	off = (size_t)n >= len - CHECK_LINE ? len - CHECK_LINE - 1 : (size_t)n;
	return reg_seal(buf, off, len);
}

/* The counts an entry holds that the statistics may lack. */
static void
entry_counts(const struct reg_session *e, struct stats *c)
{
	memset(c, 0, sizeof(*c));
	c->in_rpcs = e->in_rpcs;
	c->in_bad_rpcs = e->in_bad_rpcs;
	c->out_rpc_errors = e->out_rpc_errors;
	c->out_notifications = e->out_notifications;
	c->denied_operations = e->denied_operations;
	c->denied_data_writes = e->denied_data_writes;
	c->denied_notifications = e->denied_notifications;
}

/*
 * Removes the entry name of a dead session (fd: it, opened and found
 * unlocked), first adding its unfolded counts to the statistics.  Both
 * under the statistics' LOCK_EX, so a reader sees the counts in the
 * entry or in the file, never both or neither; and only when name is
 * still fd's file: another process may have folded and removed it (or a
 * new session taken its id) since fd was opened.  Left in place when the
 * statistics cannot be locked: its counts are kept for a later fold.
 */
static void
fold_dead(struct dsdir *dd, const char *name, int fd)
{
	struct reg_session e;
	struct stat was, now;
	struct stats c;
	int sfd;

	if ((sfd = stats_lock(dd, LOCK_EX)) == -1)
		return;
	if (fstat(fd, &was) == 0 && dsdir_stat(dd, DSD_SESSIONS, name, &now) == 0 &&
	    was.st_dev == now.st_dev && was.st_ino == now.st_ino) {
		/*
		 * An entry that does not read whole has no writer left to
		 * finish it: its session died in the middle of a write, and
		 * it goes without its counts rather than be re-read forever.
		 */
		if (reg_read_entry(fd, &e) == 0 && !e.counts_bad &&
		    stats_same_boot(e.fold_boot, stats_boot_id())) {
			entry_counts(&e, &c);
			if (stats_add_locked(dd, sfd, &c) == -1)
				goto out;	/* kept for a later fold */
		}
		(void)dsdir_unlink(dd, DSD_SESSIONS, name);
	}
out:
	close(sfd);
}

/*
 * Reads entry path if its session is live (0), removes it if it is a
 * leftover of a dead one (-1).
 */
static int
read_live_entry(struct dsdir *dd, const char *name, uint32_t id, struct reg_session *e)
{
	int fd;

	if ((fd = dsdir_open_file(dd, DSD_SESSIONS, name, O_RDONLY)) == -1)
		return -1;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		/* Nobody holds it: the session is gone. */
		fold_dead(dd, name, fd);
		close(fd);
		return -1;
	}
	if (errno != EWOULDBLOCK || reg_read_entry(fd, e) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	e->id = id;
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

/*
 * Removes leftovers of dead sessions, including half-made entries.  Not
 * part of reg_register: it reads every live session's entry, so the
 * session calls it after its hello (issue 18), and nothing needs it
 * before: ids come from next-id, and reg_list() skips (and removes) dead
 * entries itself.
 */
void
reg_clean_stale(struct dsdir *dd)
{
	struct reg_session e;
	struct dirent *de;
	DIR *d;

	if ((d = dsdir_list(dd, DSD_SESSIONS)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		uint32_t id;
		long pid;

		if (parse_id(de->d_name, &id) == 0)
			(void)read_live_entry(dd, de->d_name, id, &e);
		else if (sscanf(de->d_name, ".new-%ld", &pid) == 1 &&
		    kill((pid_t)pid, 0) == -1 && errno == ESRCH)
			(void)dsdir_unlink(dd, DSD_SESSIONS, de->d_name);
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

/*
 * Our entry, complete and locked before it appears under its id, as
 * .new-<pid>; fd or -1.  *len: the bytes written (0 on a full disk: the
 * empty, locked entry still keeps the id unique and the session working;
 * reg_update() writes the details once there is space again).
 */
static int
make_entry(struct session *s, const char *tmp, size_t *len)
{
	char buf[ENTRY_MAX];
	int fd;

	(void)dsdir_unlink(s->dd, DSD_SESSIONS, tmp);
	if ((fd = dsdir_open_file(s->dd, DSD_SESSIONS, tmp,
	    O_RDWR | O_CREAT | O_EXCL)) == -1) {
		log_warn("%s", tmp);
		return -1;
	}
	if (flock_wait(fd, LOCK_EX) == -1) {
		log_warn("flock %s", tmp);
		goto fail;
	}
	*len = format_entry(s, buf, sizeof(buf));
	if (pwrite(fd, buf, *len, 0) != (ssize_t)*len) {
		if (errno != ENOSPC && errno != EDQUOT) {
			log_warn("write %s", tmp);
			goto fail;
		}
		*len = 0;
		(void)ftruncate(fd, 0);
	}
	return fd;
fail:
	close(fd);
	(void)dsdir_unlink(s->dd, DSD_SESSIONS, tmp);
	return -1;
}

/*
 * Links tmp under the first free id after next-id's (link() fails on a
 * taken name, so an id is never given twice) and writes that id back to
 * next-id, all under next-id's flock.  The id, or 0.
 */
static uint32_t
claim_id(struct dsdir *dd, const char *tmp)
{
	char name[ENTRY_NAME_MAX], num[32];
	uint32_t last, id = 0;
	int cfd, n, unlocked = 0;

	if ((cfd = dsdir_open_file(dd, DSD_SESSIONS, NEXT_ID, O_RDWR | O_CREAT)) == -1) {
		log_warn("%s/sessions/%s", dsdir_path(dd), NEXT_ID);
		return 0;
	}
	/*
	 * A holder that never lets go (lock-wait passed) must not keep the
	 * session from starting: link() below keeps ids unique without the
	 * lock; only next-id is then left as it is.
	 */
	if (flock_wait(cfd, LOCK_EX) == -1) {
		log_warn("%s/sessions/%s: lock (ids taken without it)", dsdir_path(dd),
		    NEXT_ID);
		unlocked = 1;
	}
	if (read_counter(cfd, &last) == -1) {
		log_warn("%s/sessions/%s", dsdir_path(dd), NEXT_ID);
		close(cfd);
		return 0;
	}
	for (int tries = 0; tries < 1000; tries++) {
		id = last + 1 + (uint32_t)tries;
		if (id == 0)
			continue;
		snprintf(name, sizeof(name), "%" PRIu32, id);
		if (dsdir_link(dd, DSD_SESSIONS, tmp, name) == 0)
			break;
		if (errno != EEXIST) {
			log_warn("link %s", name);
			id = 0;
			break;
		}
		id = 0;
	}
	if (id == 0)
		log_warnx("no free session-id in %s/sessions", dsdir_path(dd));
	else if (!unlocked) {
		n = snprintf(num, sizeof(num), "%" PRIu32 "\n", id);
		if (pwrite(cfd, num, (size_t)n, 0) != n || ftruncate(cfd, n) == -1)
			log_warn("%s", NEXT_ID);	/* link() above still keeps ids unique */
	}
	close(cfd);
	return id;
}

int
reg_register(struct session *s)
{
	char tmp[32];
	size_t len;
	uint32_t id;
	int fd;

	if (dsdir_fd(s->dd, DSD_SESSIONS) == -1)
		return -1;
	reg_pid = getpid();
	snprintf(tmp, sizeof(tmp), ".new-%ld", (long)getpid());
	if ((fd = make_entry(s, tmp, &len)) == -1)
		return -1;
	id = claim_id(s->dd, tmp);
	(void)dsdir_unlink(s->dd, DSD_SESSIONS, tmp);
	if (id == 0) {
		close(fd);
		return -1;
	}
	s->id = id;
	reg_fd = fd;
	reg_dd = s->dd;
	count_direct = len == 0;
	snprintf(reg_name, sizeof(reg_name), "%" PRIu32, id);
	reg_len = len;
	if (len == 0)
		log_warnx("session %u: %s/sessions is full: registered without details "
		    "(netconf-state shows no user or address and kill-session "
		    "cannot end this session until there is space again)", id,
		    dsdir_path(s->dd));
	return 0;
}

/* Adds what s counted since the last call to the host-wide statistics. */
static void
flush_stats(struct session *s)
{
	struct stats c, d;

	session_counts(s, &c);
	if (!unflushed(&c, &d))
		return;
	stats_add(s->dd, &d);
	flushed = c;
}

void
reg_update(struct session *s)
{
	char buf[ENTRY_MAX];
	size_t len;

	if (s->dd == NULL)
		return;		/* no datastore-dir (unit tests) */
	if (reg_fd == -1 || count_direct) {
		flush_stats(s);	/* no entry to carry the counts */
		if (reg_fd == -1)
			return;
	}
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
reg_unregister(struct session *s)
{
	struct stats c, d;
	int sfd = -1;

	if (reg_fd == -1)
		return;
	session_counts(s, &c);
	if (!count_direct && s->dd != NULL && unflushed(&c, &d)) {
		/* added and unlinked under LOCK_EX: readers count them once */
		if ((sfd = stats_lock(reg_dd, LOCK_EX)) == -1 ||
		    stats_add_locked(reg_dd, sfd, &d) == -1) {
			/* left for whoever finds the entry dead (fold_dead) */
			reg_update(s);
			flushed = c;	/* the entry has them: not also added later */
			goto out;
		}
		flushed = c;
		/* emptied first: if the unlink fails, no mark is left to count again */
		(void)ftruncate(reg_fd, 0);
	}
	(void)dsdir_unlink(reg_dd, DSD_SESSIONS, reg_name);
out:
	if (sfd != -1)
		close(sfd);
	close(reg_fd);
	reg_fd = -1;
}

int
reg_lookup(struct dsdir *dd, uint32_t id, struct reg_session *out)
{
	char name[ENTRY_NAME_MAX];

	if (id == 0)
		return -1;
	snprintf(name, sizeof(name), "%" PRIu32, id);
	return read_live_entry(dd, name, id, out);
}

static int
cmp_id(const void *a, const void *b)
{
	const struct reg_session *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int
reg_list(struct dsdir *dd, struct reg_session **out, size_t *n)
{
	struct reg_session *v = NULL, e;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	*out = NULL;
	*n = 0;
	if ((d = dsdir_list(dd, DSD_SESSIONS)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		uint32_t id;

		if (parse_id(de->d_name, &id) == -1 ||
		    read_live_entry(dd, de->d_name, id, &e) == -1)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof(*v));
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

/* Adds to *acc the counts of every entry whose fold-boot is boot, live or dead. */
static void
sum_unfolded(struct dsdir *dd, const char *boot, struct stats *acc)
{
	struct reg_session e;
	struct dirent *de;
	struct stats c;
	DIR *d;
	int fd;

	if ((d = dsdir_list(dd, DSD_SESSIONS)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		uint32_t id;

		/* live or dead: no flock test, an unfolded entry counts either way */
		if (parse_id(de->d_name, &id) == -1 ||
		    (fd = dsdir_open_file(dd, DSD_SESSIONS, de->d_name, O_RDONLY)) == -1)
			continue;
		if (reg_read_entry(fd, &e) == 0 && !e.counts_bad &&
		    stats_same_boot(e.fold_boot, boot)) {
			entry_counts(&e, &c);
			stats_sum(acc, &c);
		}
		close(fd);
	}
	closedir(d);
}

int
reg_stats(struct dsdir *dd, struct stats *out)
{
	int fd, rc = -1;

	memset(out, 0, sizeof(*out));
	/*
	 * Under the file's LOCK_SH: a fold (add to the file, remove the
	 * entry, under LOCK_EX) is seen whole.  When the lock is not had
	 * (lock-wait passed) the file is read unlocked: the sum may then
	 * miss or repeat a session folded meanwhile, but a reader is still
	 * answered with the host's totals.
	 */
	if ((fd = stats_lock(dd, LOCK_SH)) == -1)
		fd = stats_open_unlocked(dd);
	if (fd != -1)
		rc = stats_read_locked(fd, out);
	sum_unfolded(dd, stats_boot_id(), out);
	if (fd != -1)
		close(fd);
	return rc;
}
