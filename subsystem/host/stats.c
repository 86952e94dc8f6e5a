/*
 * Host-wide RFC 6022 statistics (see host.h).
 *
 * nchome has no long-lived server: each session is its own process.  The
 * totals therefore live in one small text file shared by all of them,
 * datastore-dir/sessions/statistics, beside the session registry:
 *
 *   boot 6c0b2f5e-...        the boot the counters belong to
 *   start 1795812345         netconf-start-time (time_t, UTC)
 *   in-bad-hellos 0
 *   in-sessions 12
 *   dropped-sessions 1
 *   in-rpcs 340
 *   in-bad-rpcs 2
 *   out-rpc-errors 7
 *   out-notifications 55
 *   denied-operations 3      RFC 8341 /nacm counters
 *   denied-data-writes 1
 *   denied-notifications 0
 *
 * Every change is a read-modify-write of the whole file in place (it is
 * well under a page, so a full disk does not stop it once it exists)
 * under flock(LOCK_EX) on the file itself.  The session events
 * (in-sessions, in-bad-hellos, dropped-sessions) are added as they happen
 * (subsystem/main.c).  The per-RPC counters are not: a session keeps them
 * in its own registry entry, which it rewrites after each RPC anyway, and
 * folds them into this file once, when it ends; an entry left by a
 * session that died without folding (SIGKILL) is folded by whoever
 * removes it (registry.c).  The file alone therefore lags; the totals are
 * the file plus every entry not yet folded, and reg_stats() sums both
 * under LOCK_SH while every fold adds and removes its entry under
 * LOCK_EX, so a reader counts each session exactly once.  A session whose
 * entry could not be written at registration (a full disk) adds its
 * counts here after each RPC instead, as all sessions once did.
 *
 * "The management subsystem" starts with the host: on Linux, when the
 * kernel's boot_id differs from the file's, the counters start again
 * from zero with netconf-start-time = now, and an entry's counts are
 * folded only into the boot they were counted in.  Elsewhere (or when
 * boot_id cannot be read) they count from the file's creation: the file
 * is never reset by a process that does not know its boot, and entries
 * are marked "fold-boot -" (stats_boot_mark), never an empty mark,
 * which would mean "already folded".
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flockwait.h"
#include "host.h"
#include "log.h"

#define STATS_FILE	"statistics"	/* in sessions/ */
#define STATS_MAX	1024

static int warned;

static void
read_boot_id(char *buf, size_t len)
{
	ssize_t n = -1;
	int fd;

	buf[0] = '\0';
#ifdef __linux__
	if ((fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, buf, len - 1);
		close(fd);
	}
#else
	(void)fd;
#endif
	if (n <= 0) {
		buf[0] = '\0';
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, " \t\r\n")] = '\0';
}

const char *
stats_boot_id(void)
{
	static char id[STATS_BOOT_MAX];

	/*
	 * Only a read that worked is kept (a process does not outlive its
	 * boot): one failed open (ENFILE) must not leave the process
	 * without a boot for its life.
	 */
	if (id[0] == '\0')
		read_boot_id(id, sizeof(id));
	return id;
}

const char *
stats_boot_mark(const char *boot)
{
	return boot[0] != '\0' ? boot : STATS_BOOT_UNKNOWN;
}

int
stats_same_boot(const char *mark, const char *boot)
{
	if (mark[0] == '\0')
		return 0;	/* no mark: the counts are in the file already */
	if (strcmp(mark, STATS_BOOT_UNKNOWN) == 0 || boot[0] == '\0')
		return 1;	/* a boot not known: count from the file's creation */
	return strcmp(mark, boot) == 0;
}

static const struct field {
	const char	*key;
	size_t		 off;
} fields[] = {
	{ "in-bad-hellos", offsetof(struct stats, in_bad_hellos) },
	{ "in-sessions", offsetof(struct stats, in_sessions) },
	{ "dropped-sessions", offsetof(struct stats, dropped_sessions) },
	{ "in-rpcs", offsetof(struct stats, in_rpcs) },
	{ "in-bad-rpcs", offsetof(struct stats, in_bad_rpcs) },
	{ "out-rpc-errors", offsetof(struct stats, out_rpc_errors) },
	{ "out-notifications", offsetof(struct stats, out_notifications) },
	{ "denied-operations", offsetof(struct stats, denied_operations) },
	{ "denied-data-writes", offsetof(struct stats, denied_data_writes) },
	{ "denied-notifications", offsetof(struct stats, denied_notifications) },
};
#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))

static uint64_t *
field_ptr(struct stats *st, size_t i)
{
	return (uint64_t *)(void *)((char *)st + fields[i].off);
}

static uint64_t
field_get(const struct stats *st, size_t i)
{
	return *(const uint64_t *)(const void *)((const char *)st + fields[i].off);
}

/* Parses the file's text; boot gets its boot line ("" when none). */
static void
parse(char *text, struct stats *st, char *boot, size_t bootlen)
{
	char *line, *save = NULL, *v;

	memset(st, 0, sizeof(*st));
	boot[0] = '\0';
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((v = strchr(line, ' ')) == NULL)
			continue;
		*v++ = '\0';
		if (strcmp(line, "boot") == 0)
			snprintf(boot, bootlen, "%s", v);
		else if (strcmp(line, "start") == 0)
			st->start_time = (time_t)strtoll(v, NULL, 10);
		else
			for (size_t i = 0; i < NFIELDS; i++)
				if (strcmp(line, fields[i].key) == 0)
					*field_ptr(st, i) = strtoull(v, NULL, 10);
	}
}

static int
format(char *buf, size_t len, const struct stats *st, const char *boot)
{
	size_t off;
	int n;

	n = snprintf(buf, len, "boot %s\nstart %lld\n", boot, (long long)st->start_time);
	if (n < 0 || (size_t)n >= len)
		return -1;
	off = (size_t)n;
	for (size_t i = 0; i < NFIELDS; i++) {
		n = snprintf(buf + off, len - off, "%s %" PRIu64 "\n", fields[i].key,
		    field_get(st, i));
		if (n < 0 || (size_t)n >= len - off)
			return -1;
		off += (size_t)n;
	}
	return (int)off;
}

/* Reads the file at fd (locked by the caller); 0 or -1. */
static int
read_locked(int fd, struct stats *st, char *boot, size_t bootlen)
{
	char buf[STATS_MAX];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return -1;
	buf[n] = '\0';
	parse(buf, st, boot, bootlen);
	return 0;
}

int
stats_lock(struct dsdir *dd, int op)
{
	int fd;

	/* readers create it too: the lock that orders them with folds is on it */
	if ((fd = dsdir_open_file(dd, DSD_SESSIONS, STATS_FILE, O_RDWR)) == -1 &&
	    errno == ENOENT)
		fd = dsdir_open_file(dd, DSD_SESSIONS, STATS_FILE, O_RDWR | O_CREAT);
	if (fd == -1) {
		if (!warned++)
			log_warn("statistics not counted: %s/sessions/%s",
			    dsdir_path(dd), STATS_FILE);
		return -1;
	}
	if (flock_wait(fd, op) == -1) {	/* held past lock-wait: not counted */
		if (!warned++)
			log_warn("statistics not counted: %s/sessions/%s: lock",
			    dsdir_path(dd), STATS_FILE);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * After a failed ftruncate: the bytes past n (the end of a longer, older
 * text) are overwritten with newlines, which parse() skips, so they
 * cannot override the counts just written.  A write inside the file
 * needs no new block on a full disk.  0 or -1.
 */
static int
blank_tail(int fd, int n)
{
	char nl[STATS_MAX];
	struct stat sb;

	if (fstat(fd, &sb) == -1)
		return -1;
	if (sb.st_size <= n)
		return 0;
	if (sb.st_size - n > (off_t)sizeof(nl))
		return -1;
	memset(nl, '\n', sizeof(nl));
	return pwrite(fd, nl, (size_t)(sb.st_size - n), n) == sb.st_size - n ? 0 : -1;
}

int
stats_open_unlocked(struct dsdir *dd)
{
	return dsdir_open_file(dd, DSD_SESSIONS, STATS_FILE, O_RDONLY);
}

int
stats_add_locked(struct dsdir *dd, int fd, const struct stats *delta)
{
	char buf[STATS_MAX], boot[STATS_BOOT_MAX];
	const char *now_boot = stats_boot_id();
	struct stats st;
	int n;

	if (read_locked(fd, &st, boot, sizeof(boot)) == -1)
		return -1;
	/* our boot unknown (not Linux, or its read failed): never a reset */
	if (st.start_time == 0 ||
	    (now_boot[0] != '\0' && strcmp(boot, now_boot) != 0)) {
		/* new file, or the host rebooted: the counters start now */
		memset(&st, 0, sizeof(st));
		st.start_time = time(NULL);
	}
	for (size_t i = 0; i < NFIELDS; i++)
		*field_ptr(&st, i) += field_get(delta, i);
	if ((n = format(buf, sizeof(buf), &st,
	    now_boot[0] != '\0' ? now_boot : boot)) == -1)
		return -1;
	if (pwrite(fd, buf, (size_t)n, 0) != n) {
		if (!warned++)
			log_warn("statistics not counted: %s/sessions/%s",
			    dsdir_path(dd), STATS_FILE);
		return -1;
	}
	if (ftruncate(fd, n) == -1 && blank_tail(fd, n) == -1) {
		/* the counts are in; only an older, longer text's tail may follow */
		if (!warned++)
			log_warn("statistics: %s/sessions/%s: truncate",
			    dsdir_path(dd), STATS_FILE);
	}
	return 0;
}

void
stats_add(struct dsdir *dd, const struct stats *delta)
{
	int fd;

	if ((fd = stats_lock(dd, LOCK_EX)) == -1)
		return;
	(void)stats_add_locked(dd, fd, delta);
	close(fd);	/* drops the flock */
}

int
stats_read_locked(int fd, struct stats *out)
{
	const char *now_boot = stats_boot_id();
	char boot[STATS_BOOT_MAX];

	if (read_locked(fd, out, boot, sizeof(boot)) == 0 && out->start_time != 0 &&
	    (now_boot[0] == '\0' || strcmp(boot, now_boot) == 0))
		return 0;
	memset(out, 0, sizeof(*out));
	return -1;
}

void
stats_sum(struct stats *acc, const struct stats *add)
{
	for (size_t i = 0; i < NFIELDS; i++)
		*field_ptr(acc, i) += field_get(add, i);
}
