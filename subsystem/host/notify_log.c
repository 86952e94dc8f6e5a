/*
 * The host's event log for notifications: datastore-dir/notifications/
 * holds "log" and, after a rotation, "log.1" (the older events).  One
 * record is one line, "<microseconds since the epoch> <seq> <notification>\n",
 * written with a single write(2) on an O_APPEND descriptor while holding
 * flock(LOCK_EX) on "lock", so records of concurrent sessions never
 * interleave.  seq numbers the records of the host from 1 without gaps,
 * so a reader can tell exactly how many it missed.  (Records of older
 * versions, "<us> <notification>", carry no seq and are still read.)
 *
 * "lock" also holds the log's state, rewritten under that lock:
 *   seq 1234             the last record's seq
 *   created 1795812345000000   when the log was created (replayLogCreationTime)
 *   aged 1795812345000000      time of the newest record dropped (replayLogAgedTime)
 *
 * When "log" would grow past its size (nchome.conf event-log-size,
 * NOTIFY_LOG_MAX by default; $NCHOME_NOTIFY_LOG_MAX bytes where not
 * set-uid) it is renamed to "log.1" first (atomic), dropping the previous
 * "log.1": the log never holds more than about twice that, so the replay
 * window is bounded by size, not time.
 *
 * A subscriber keeps its descriptor on the file it reads, so a rotation
 * takes nothing from it; after one it reads "log.1" (when that is not its
 * own file) and then the new "log", skipping the seqs it has seen.  One
 * that falls more than a whole "log.1" behind (a stalled NMS while others
 * cause about twice that size of events) loses the records dropped in
 * between: the seq gap counts them into rd->lost.
 *
 * A writing session keeps "lock" and "log" open across its records
 * (dsdir_kept_open): a record is then flock, read the state, fstatat
 * "log" (still our file? its size), rewrite the state, write, unlock.
 * The check is made under the lock, so a rotation by another session is
 * always seen and the record goes to the new "log", and the size checked
 * is the current file's.  Nothing is buffered: each record is one write(2)
 * before the lock is let go, so a session killed while holding the
 * descriptors loses nothing, and its flock goes with it.  A session
 * that has recorded nothing for a while lets them go (main.c,
 * dsdir_kept_release), so it does not hold a log rotated away since.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"
#include "atomicfile.h"
#include "flockwait.h"
#include "host.h"
#include "log.h"

#define NOTIFY_LOG_MAX	(1024 * 1024)
#define LOG_NAME	"log"
#define OLD_NAME	"log.1"
#define LOCK_NAME	"lock"
/*
 * O_NONBLOCK left on (dsdir_open_file would clear it, two fcntl calls):
 * these are regular files (dsdir accepts nothing else), where it changes
 * nothing for read, write and flock.
 */
#define LOCK_FLAGS	(O_RDWR | O_CREAT | O_NONBLOCK)
#define LOG_FLAGS	(O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK)

static size_t configured_max = NOTIFY_LOG_MAX;

void
nlog_set_max(uint64_t bytes)
{
	configured_max = (size_t)bytes;
}

static size_t
log_max(void)
{
	const char *v = getenv("NCHOME_NOTIFY_LOG_MAX");
	long n;

	if (v != NULL && (n = strtol(v, NULL, 10)) >= 1024 && n <= (1L << 30))
		return (size_t)n;
	return configured_max;
}

/*
 * Splits a record line (without its newline) into time, seq (0 when the
 * record has none) and the notification text; -1 when it is no record.
 */
static int
parse_record(const char *p, size_t len, int64_t *when, uint64_t *seq,
    const char **xml)
{
	const char *end = p + len, *q;

	*seq = 0;
	if (len == 0 || !isdigit((unsigned char)*p))
		return -1;
	*when = strtoll(p, NULL, 10);
	if ((q = memchr(p, ' ', len)) == NULL)
		return -1;
	q++;
	if (q < end && isdigit((unsigned char)*q)) {
		*seq = strtoull(q, NULL, 10);
		if ((q = memchr(q, ' ', (size_t)(end - q))) == NULL)
			return -1;
		q++;
	}
	*xml = q;
	return 0;
}

/*
 * Time and seq of the first (last = 0) or last (last = 1) record of the
 * log file name; -1 when it has none.
 */
static int
edge_record(struct dsdir *dd, const char *name, int last, int64_t *when, uint64_t *seq)
{
	struct stat st;
	size_t want, n;
	ssize_t got;
	char *buf, *p, *e;
	const char *xml;
	off_t off = 0;
	int fd, rc = -1;

	if ((fd = dsdir_open_file(dd, DSD_NOTIFY, name, O_RDONLY)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || st.st_size == 0) {
		close(fd);
		return -1;
	}
	want = last ? NLOG_RECORD_MAX + 64 : 64;
	if ((size_t)st.st_size < want)
		want = (size_t)st.st_size;
	if (last)
		off = st.st_size - (off_t)want;
	buf = xmalloc(want + 1);
	got = pread(fd, buf, want, off);
	close(fd);
	if (got <= 0)
		goto out;
	n = (size_t)got;
	buf[n] = '\0';
	if (last) {
		while (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		for (p = buf + n; p > buf && p[-1] != '\n'; p--)
			;
		if (p == buf && off > 0)
			goto out;	/* the last line is longer than any record */
	} else
		p = buf;
	e = strchr(p, '\n');
	rc = parse_record(p, e != NULL ? (size_t)(e - p) : strlen(p), when, seq, &xml);
out:
	free(buf);
	return rc;
}

int64_t
nlog_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
nlog_format_us(int64_t us, char *buf, size_t len)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	char base[32];

	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06dZ", base, (int)(us % 1000000));
}

/*
 * Reads the state kept in the lock file; missing lines stay 0.  The
 * file's length when it was read whole, else -1 (state_write).
 */
static ssize_t
state_read(int lfd, struct nlog_info *st)
{
	char buf[256], *line, *save = NULL;
	ssize_t n;

	memset(st, 0, sizeof(*st));
	if ((n = pread(lfd, buf, sizeof(buf) - 1, 0)) <= 0)
		return n == 0 ? 0 : -1;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "seq ", 4) == 0)
			st->seq = strtoull(line + 4, NULL, 10);
		else if (strncmp(line, "created ", 8) == 0)
			st->created_us = strtoll(line + 8, NULL, 10);
		else if (strncmp(line, "aged ", 5) == 0)
			st->aged_us = strtoll(line + 5, NULL, 10);
	}
	return n < (ssize_t)sizeof(buf) - 1 ? n : -1;
}

/*
 * *flen: the file's length (-1: not known), then the state's.  No
 * ftruncate when the state covers the old one (seq only grows, so
 * nearly always): on ext4 it is one more journalled inode change per
 * record, and a wait for the journal when other writers fsync (the
 * session-start record is in a session's first request).
 */
static int
state_write(int lfd, const struct nlog_info *st, ssize_t *flen)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "seq %" PRIu64 "\ncreated %lld\naged %lld\n",
	    st->seq, (long long)st->created_us, (long long)st->aged_us);

	if (n < 0 || (size_t)n >= sizeof(buf) || pwrite(lfd, buf, (size_t)n, 0) != n) {
		*flen = -1;
		return -1;
	}
	if ((*flen < 0 || n < *flen) && ftruncate(lfd, n) == -1) {
		*flen = -1;
		return -1;
	}
	*flen = n;
	return 0;
}

/*
 * State of a log without one (new, or written by an older version):
 * seq goes on from the last stored record, created is the oldest stored
 * record's time, or now.
 */
static void
state_recover(struct dsdir *dd, struct nlog_info *st)
{
	int64_t when;
	uint64_t seq;

	if (st->seq == 0 && (edge_record(dd, LOG_NAME, 1, &when, &seq) == 0 ||
	    edge_record(dd, OLD_NAME, 1, &when, &seq) == 0))
		st->seq = seq;
	if (st->created_us == 0) {
		if (edge_record(dd, OLD_NAME, 0, &when, &seq) == 0 ||
		    edge_record(dd, LOG_NAME, 0, &when, &seq) == 0)
			st->created_us = when;
		else
			st->created_us = nlog_now_us();
	}
}

/*
 * flock()s the lock file (op: LOCK_SH or LOCK_EX), kept open across
 * records (dsdir_kept_open); unlock_log() lets go.  Checked against the
 * name once locked: a lock file removed or replaced since (the folder made
 * again) is let go and the new one locked, so every process locks the same
 * file.  fd or -1.
 */
static int
lock_log(struct dsdir *dd, int op)
{
	int lfd, fresh;

	lfd = dsdir_kept_open(dd, DSD_NOTIFY, LOCK_NAME, LOCK_FLAGS, 0, NULL, &fresh);
	for (int tries = 0; lfd != -1 && tries < 8; tries++) {
		if (flock_wait(lfd, op) == -1) {	/* lock-wait passed, or an error */
			log_warn("%s/notifications/%s: lock", dsdir_path(dd), LOCK_NAME);
			return -1;
		}
		lfd = dsdir_kept_open(dd, DSD_NOTIFY, LOCK_NAME, LOCK_FLAGS, 1, NULL, &fresh);
		if (lfd != -1 && !fresh)
			return lfd;
	}
	if (lfd == -1)
		log_warn("%s/notifications/%s", dsdir_path(dd), LOCK_NAME);
	else
		log_warnx("%s/notifications/%s: replaced again and again",
		    dsdir_path(dd), LOCK_NAME);
	return -1;
}

static void
unlock_log(int lfd)
{
	(void)flock(lfd, LOCK_UN);
}

/*
 * The log, kept open across records: the kept descriptor only while
 * "log" is still its file (checked under the lock, so a rotation by
 * another session is seen); *sb: the current log's stat.
 */
static int
open_log(struct dsdir *dd, struct stat *sb, int *fresh)
{
	return dsdir_kept_open(dd, DSD_NOTIFY, LOG_NAME, LOG_FLAGS, 1, sb, fresh);
}

/*
 * After our hello (server_prepare): the folder, "lock" and "log" opened
 * and kept, so the session-start record logged on the client's hello,
 * just before its first request, opens none of them (mkdirat, three
 * opens and their fstats: about a third of that record's time).  Nothing
 * is locked or written: the record checks both descriptors under the
 * lock as every record does, so a rotation or a replaced lock file in
 * between is seen there.  A session whose client never says hello now
 * makes the (empty) files its hello would have.
 */
void
nlog_prepare(struct dsdir *dd)
{
	int fresh;

	(void)dsdir_kept_open(dd, DSD_NOTIFY, LOCK_NAME, LOCK_FLAGS, 0, NULL, &fresh);
	(void)dsdir_kept_open(dd, DSD_NOTIFY, LOG_NAME, LOG_FLAGS, 0, NULL, &fresh);
}

int
nlog_append(struct dsdir *dd, int64_t when_us, const char *xml, size_t len)
{
	char head[64], *rec;
	struct nlog_info st;
	struct stat sb;
	int64_t aged;
	uint64_t aged_seq;
	size_t hl, rl;
	ssize_t flen;
	int lfd, fd, fresh = 0, rotated = 0, rc = -1;

	if ((lfd = lock_log(dd, LOCK_EX)) == -1)
		return -1;
	flen = state_read(lfd, &st);
	if (st.seq == 0 || st.created_us == 0)
		state_recover(dd, &st);
	hl = (size_t)snprintf(head, sizeof(head), "%lld %" PRIu64 " ",
	    (long long)when_us, st.seq + 1);
	rl = hl + len + 1;
	rec = xmalloc(rl);
	memcpy(rec, head, hl);
	memcpy(rec + hl, xml, len);
	rec[rl - 1] = '\n';
	if ((fd = open_log(dd, &sb, &fresh)) != -1 && (size_t)sb.st_size + rl > log_max()) {
		/* log.1 goes: its newest record is the last one aged out. */
		if (edge_record(dd, OLD_NAME, 1, &aged, &aged_seq) == 0)
			st.aged_us = aged;
		if (dsdir_rename(dd, DSD_NOTIFY, LOG_NAME, OLD_NAME) == -1)
			log_warn("rotating %s/notifications/%s", dsdir_path(dd), LOG_NAME);
		rotated = 1;
		fd = open_log(dd, &sb, &fresh);
	}
	if (fd == -1) {
		log_warn("%s/notifications/%s", dsdir_path(dd), LOG_NAME);
		goto out;
	}
	/*
	 * The seq is counted before the record is written: a process killed
	 * in between leaves a gap (readers count one event lost that never
	 * was), never two records with one seq (a reader would skip one).
	 */
	st.seq++;
	if (state_write(lfd, &st, &flen) == -1)
		log_warn("%s/notifications/%s", dsdir_path(dd), LOCK_NAME);
	if ((rc = write_all(fd, rec, rl)) == -1) {
		st.seq--;
		(void)state_write(lfd, &st, &flen);
	}
	/*
	 * A log that rotated since our last record (here or in another
	 * session) is busy: the next rotation may come before our next
	 * record, and a kept descriptor would then hold the dropped log.1
	 * (up to the log's size) until that record.  Not kept then.
	 */
	if (rotated || fresh == 2)
		dsdir_kept_close(dd, DSD_NOTIFY, LOG_NAME);
out:
	unlock_log(lfd);
	free(rec);
	return rc;
}

int
nlog_info(struct dsdir *dd, struct nlog_info *info)
{
	int lfd;

	memset(info, 0, sizeof(*info));
	if ((lfd = lock_log(dd, LOCK_SH)) == -1)
		return -1;
	(void)state_read(lfd, info);
	if (info->seq == 0 || info->created_us == 0)
		state_recover(dd, info);
	unlock_log(lfd);
	return 0;
}

void
nlog_reader_init(struct nlog_reader *rd, struct dsdir *dd)
{
	memset(rd, 0, sizeof(*rd));
	rd->dd = dd;
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

/* Opens "log" at its start. */
static int
reader_open_start(struct nlog_reader *rd)
{
	struct stat st;

	if (rd->fd != -1)
		close(rd->fd);
	rd->len = 0;
	if ((rd->fd = dsdir_open_file(rd->dd, DSD_NOTIFY, LOG_NAME, O_RDONLY)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(rd->fd, &st) == 0)
		rd->ino = st.st_ino;
	return 0;
}

int
nlog_reader_open(struct nlog_reader *rd, int at_end)
{
	struct nlog_info st;
	int lfd;

	if (!at_end)
		return reader_open_start(rd);
	/* Under the lock, so that "the end" and "the last seq" agree. */
	if ((lfd = lock_log(rd->dd, LOCK_SH)) == -1)
		return reader_open_start(rd);
	if (reader_open_start(rd) == 0 && rd->fd != -1)
		(void)lseek(rd->fd, 0, SEEK_END);
	(void)state_read(lfd, &st);
	if (st.seq == 0)
		state_recover(rd->dd, &st);
	rd->last_seq = st.seq;
	unlock_log(lfd);
	return 0;
}

/* One whole record line: skips those seen, counts gaps, calls cb. */
static void
take_record(struct nlog_reader *rd, const char *line, size_t len, nlog_cb cb,
    void *arg)
{
	const char *xml;
	int64_t when;
	uint64_t seq;

	if (parse_record(line, len, &when, &seq, &xml) == -1)
		return;
	if (seq != 0) {
		if (seq <= rd->last_seq)
			return;		/* read before, from another file */
		if (rd->last_seq != 0 && seq > rd->last_seq + 1)
			rd->lost += seq - rd->last_seq - 1;
		rd->last_seq = seq;
	}
	cb(when, xml, (size_t)(line + len - xml), arg);
}

/* Calls cb for each whole record read from fd until its end. */
static void
drain_fd(struct nlog_reader *rd, int fd, nlog_cb cb, void *arg)
{
	char *nl, *p, *end;
	ssize_t n;

	if (rd->buf == NULL) {
		rd->buf = xmalloc(NLOG_RECORD_MAX * 2);
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
			*nl = '\0';
			take_record(rd, p, (size_t)(nl - p), cb, arg);
			p = nl + 1;
		}
		rd->len = (size_t)(end - p);
		memmove(rd->buf, p, rd->len);
	}
}

void
nlog_reader_poll(struct nlog_reader *rd, nlog_cb cb, void *arg)
{
	struct stat st, ost;
	int fd;

	if (rd->fd != -1)
		drain_fd(rd, rd->fd, cb, arg);
	if (dsdir_stat(rd->dd, DSD_NOTIFY, LOG_NAME, &st) == -1 ||
	    (rd->fd != -1 && st.st_ino == rd->ino))
		return;
	/*
	 * Rotated (or created) since.  Ours was complete before the rename,
	 * so finish it; then "log.1" unless that is ours (we still hold ours
	 * open, so its inode number cannot have been reused); then the new
	 * "log".  Seqs already seen are skipped.
	 */
	if (rd->fd != -1)
		drain_fd(rd, rd->fd, cb, arg);
	rd->len = 0;
	if (dsdir_stat(rd->dd, DSD_NOTIFY, OLD_NAME, &ost) == 0 &&
	    (rd->fd == -1 || ost.st_ino != rd->ino) &&
	    (fd = dsdir_open_file(rd->dd, DSD_NOTIFY, OLD_NAME, O_RDONLY)) != -1) {
		drain_fd(rd, fd, cb, arg);
		rd->len = 0;
		close(fd);
	}
	if (reader_open_start(rd) == 0 && rd->fd != -1)
		drain_fd(rd, rd->fd, cb, arg);
}

void
nlog_replay(struct nlog_reader *live, nlog_cb cb, void *arg)
{
	struct stat ost;
	int fd;

	/*
	 * Every stored record, oldest first.  "log" is opened before "log.1"
	 * is read: a rotation in between makes "log.1" our own file, which
	 * is then skipped rather than missed.
	 */
	(void)reader_open_start(live);
	if ((fd = dsdir_open_file(live->dd, DSD_NOTIFY, OLD_NAME, O_RDONLY)) != -1) {
		if (fstat(fd, &ost) == 0 && (live->fd == -1 || ost.st_ino != live->ino))
			drain_fd(live, fd, cb, arg);
		live->len = 0;
		close(fd);
	}
	nlog_reader_poll(live, cb, arg);
}
