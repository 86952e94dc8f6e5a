/*
 * The host's event log (subsystem/host/notify_log.c): seq numbering, readers
 * following rotations, the exact count of records a stalled reader lost,
 * the aged/created times, and logs written before records had a seq;
 * sessions that keep the log open across records (dsdir_kept_open) while
 * others rotate it, or opened it before their first record (nlog_prepare).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>

#include "flockwait.h"
#include "host/host.h"
#include "log.h"
#include "unit.h"

static char dir[] = "/tmp/nchome-test-nlog-XXXXXX";
static char dir2[] = "/tmp/nchome-test-nlogk-XXXXXX";

#define NREC		300
#define ROTATIONS	12
static struct dsdir *dd;
static int ndelivered;
static int64_t last_when;

static void
count_cb(int64_t when, const char *xml, size_t len, void *arg)
{
	(void)arg;
	if (len > 0 && xml[0] == '<')
		ndelivered++;
	last_when = when;
}

static void
append_n(int n, int64_t from)
{
	char xml[200];

	for (int i = 0; i < n; i++) {
		snprintf(xml, sizeof(xml), "<notification><eventTime>x</eventTime><e>%d "
		    "padding padding padding padding padding padding padding</e></notification>", i);
		(void)nlog_append(dd, from + i, xml, strlen(xml));
	}
}

/* 1 when file (in dir2's notifications/) holds needle. */
static int
file_has(const char *d, const char *file, const char *needle)
{
	char path[512], buf[8192];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/notifications/%s", d, file);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

static void
append_tagged(struct dsdir *d, const char *tag, int i)
{
	char xml[200];

	snprintf(xml, sizeof(xml), "<notification><eventTime>x</eventTime><t>%s %d "
	    "padding padding padding padding padding</t></notification>", tag, i);
	if (nlog_append(d, nlog_now_us(), xml, strlen(xml)) == -1)
		fprintf(stderr, "append %s %d failed\n", tag, i);
}

/* s writes records tagged tag under a 1024-byte log until needle is in "log.1" (20 at most); how many. */
static int
rotate_past(const char *d, struct dsdir *s, const char *tag, const char *needle)
{
	int i;

	setenv("NCHOME_NOTIFY_LOG_MAX", "1024", 1);
	for (i = 0; i < 20 && !file_has(d, "log.1", needle); i++)
		append_tagged(s, tag, i);
	unsetenv("NCHOME_NOTIFY_LOG_MAX");
	return i;
}

/* A session that kept its log across another's rotation writes into the new log. */
static void
kept_across_rotation(const char *d)
{
	struct dsdir *s1 = dsdir_open(d), *s2 = dsdir_open(d);
	int i;

	unsetenv("NCHOME_NOTIFY_LOG_MAX");
	append_tagged(s1, "first", 0);		/* s1 keeps "log" open */
	i = rotate_past(d, s2, "other", "first 0");	/* s2 rotates it */
	CHECK(file_has(d, "log.1", "first 0") && !file_has(d, "log", "first 0"),
	    "another session rotated the log (%d records)", i);
	append_tagged(s1, "second", 0);
	CHECK(file_has(d, "log", "second 0") && !file_has(d, "log.1", "second 0"),
	    "a session that kept its log across another's rotation writes into the new log");
	dsdir_close(s1);
	dsdir_close(s2);
}

/*
 * A lock file replaced under a session that kept the old one open (the
 * folder cleaned up by hand): the session locks the new one, so it waits
 * for whoever holds that (here: past lock-wait, the record not written).
 */
static void
kept_lock_replaced(const char *d)
{
	struct dsdir *s1 = dsdir_open(d);
	char path[512];
	int fd, rc;

	unsetenv("NCHOME_NOTIFY_LOG_MAX");
	append_tagged(s1, "locked", 0);		/* s1 keeps "lock" open */
	snprintf(path, sizeof(path), "%s/notifications/lock", d);
	(void)unlink(path);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	CHECK(fd != -1 && flock(fd, LOCK_EX) == 0, "another holds the new lock file");
	flock_wait_set_bound(100);
	rc = nlog_append(s1, nlog_now_us(), "<x>unlocked</x>", 15);
	CHECK(rc == -1 && !file_has(d, "log", "unlocked"),
	    "a session whose kept lock file was replaced waits for the new one's lock (%d)", rc);
	flock_wait_set_bound(-1);
	if (fd != -1)
		close(fd);
	append_tagged(s1, "locked", 1);
	CHECK(file_has(d, "log", "locked 1"), "and writes once it is free");
	dsdir_close(s1);
}

/* This process's open descriptors. */
static int
open_fds(void)
{
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* opendir's own */
}

/*
 * nlog_prepare (after our hello) opens the folder, "lock" and "log" and
 * writes nothing; the first record then opens nothing more, and one
 * that comes after another session rotated the log still goes into the
 * new "log".
 */
static void
prepared_first_record(const char *d)
{
	struct dsdir *s1 = dsdir_open(d), *s2 = dsdir_open(d);
	struct nlog_info before, after;
	int fds;

	unsetenv("NCHOME_NOTIFY_LOG_MAX");
	append_tagged(s2, "before", 0);
	CHECK(nlog_info(s2, &before) == 0, "the log's state");
	fds = open_fds();
	nlog_prepare(s1);
	CHECK(open_fds() == fds + 3, "nlog_prepare keeps the folder, lock and log open (%d -> %d)",
	    fds, open_fds());
	CHECK(nlog_info(s2, &after) == 0 && after.seq == before.seq && !file_has(d, "log", "prepared"),
	    "and writes no record");
	fds = open_fds();
	append_tagged(s1, "prepared", 0);
	CHECK(open_fds() == fds && file_has(d, "log", "prepared 0"),
	    "the first record after it opens nothing and is written (%d -> %d)", fds, open_fds());
	dsdir_close(s1);

	s1 = dsdir_open(d);
	nlog_prepare(s1);
	(void)rotate_past(d, s2, "rotator", "prepared 0");
	append_tagged(s1, "prepared", 1);
	CHECK(file_has(d, "log", "prepared 1") && !file_has(d, "log.1", "prepared 1"),
	    "a record after a rotation since nlog_prepare goes into the new log");
	dsdir_close(s1);
	dsdir_close(s2);
}

/*
 * The state is rewritten in place without ftruncate when it covers the
 * old one; a longer old state (more lines, longer numbers) is cut to
 * the new one's length, leaving none of its bytes behind.
 */
static void
state_shorter_cut(const char *d)
{
	struct dsdir *s1 = dsdir_open(d);
	char path[512], buf[512];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/notifications/lock", d);
	if ((f = fopen(path, "w")) != NULL) {
		fprintf(f, "seq 900\ncreated 1000\naged 0\n# an older version's note, longer than the state\n");
		fclose(f);
	}
	append_tagged(s1, "cut", 0);
	append_tagged(s1, "cut", 1);
	buf[0] = '\0';
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
	}
	CHECK(strcmp(buf, "seq 902\ncreated 1000\naged 0\n") == 0,
	    "a longer old state is cut to the new one (\"%s\")", buf);
	dsdir_close(s1);
}

static int seen[2][NREC], order_ok = 1, strays;

static void
tag_cb(int64_t when, const char *xml, size_t len, void *arg)
{
	static int next[2];
	const char *t = memmem(xml, len, "<t>", 3);
	int w, i;

	(void)when;
	(void)arg;
	if (t == NULL || (t[3] != 'A' && t[3] != 'B'))
		return;
	w = t[3] - 'A';
	i = atoi(t + 5);
	if (i < 0 || i >= NREC) {
		strays++;
		return;
	}
	if (i != next[w])
		order_ok = 0;
	next[w] = i + 1;
	seen[w][i]++;
}

/*
 * Two sessions write NREC records each while a third rotates the log
 * again and again (each rotation after the reader has caught up, so
 * that nothing is dropped by design): every record is read once, in
 * its session's order, with no seq gap.
 */
static void
concurrent_rotation(const char *d)
{
	int tok[2], ack[2], once = 1, twice = 0;
	struct nlog_reader rd;
	struct dsdir *me = dsdir_open(d);
	pid_t pid[3];
	char c = 'x';

	if (pipe(tok) == -1 || pipe(ack) == -1)
		return;
	nlog_reader_init(&rd, me);
	(void)nlog_reader_open(&rd, 1);
	for (int w = 0; w < 3; w++) {
		if ((pid[w] = fork()) != 0)
			continue;
		struct dsdir *s = dsdir_open(d);

		if (w < 2) {
			unsetenv("NCHOME_NOTIFY_LOG_MAX");
			for (int i = 0; i < NREC; i++) {
				append_tagged(s, w == 0 ? "A" : "B", i);
				if (i % 8 == 0)
					usleep(500);
			}
		} else {
			setenv("NCHOME_NOTIFY_LOG_MAX", "1024", 1);
			for (int i = 0; i < ROTATIONS && read(tok[0], &c, 1) == 1; i++) {
				usleep(3000);
				append_tagged(s, "C", i);	/* rotates: > 1024 bytes since */
				if (write(ack[1], &c, 1) != 1)
					break;
			}
		}
		dsdir_close(s);
		_exit(0);
	}
	for (int i = 0; i < ROTATIONS; i++) {
		if (write(tok[1], &c, 1) != 1 || read(ack[0], &c, 1) != 1)
			break;
		nlog_reader_poll(&rd, tag_cb, NULL);
	}
	for (int w = 0; w < 3; w++)
		(void)waitpid(pid[w], NULL, 0);
	nlog_reader_poll(&rd, tag_cb, NULL);
	for (int w = 0; w < 2; w++)
		for (int i = 0; i < NREC; i++) {
			once &= seen[w][i] == 1;
			twice += seen[w][i] > 1;
		}
	CHECK(once && order_ok && strays == 0 && rd.lost == 0,
	    "two sessions' %d records each, a third rotating %d times: all read once, "
	    "in order (order %d, lost %llu, repeated %d)", NREC, ROTATIONS, order_ok,
	    (unsigned long long)rd.lost, twice);
	CHECK(file_has(d, "log.1", "<t>") && rd.last_seq >= 2 * NREC,
	    "the log did rotate under them (last seq %llu)", (unsigned long long)rd.last_seq);
	nlog_reader_close(&rd);
	dsdir_close(me);
	close(tok[0]);
	close(tok[1]);
	close(ack[0]);
	close(ack[1]);
}

int
main(void)
{
	struct nlog_reader rd;
	struct nlog_info info;
	char path[512];
	FILE *f;

	log_init("test_notify_log", LOG_TO_STDERR, 0);
	if (mkdtemp(dir) == NULL)
		return 1;

	if ((dd = dsdir_open(dir)) == NULL)
		return 1;
	/* A log of an older version: records without a seq. */
	snprintf(path, sizeof(path), "%s/notifications", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/notifications/log", dir);
	f = fopen(path, "w");
	fprintf(f, "1000 <notification><old>1</old></notification>\n"
	    "2000 <notification><old>2</old></notification>\n");
	fclose(f);
	append_n(1, 3000);
	CHECK(nlog_info(dd, &info) == 0 && info.seq == 1 && info.created_us == 1000 &&
	    info.aged_us == 0, "an old log goes on: first seq 1, created at its oldest record");
	nlog_reader_init(&rd, dd);
	nlog_replay(&rd, count_cb, NULL);
	CHECK(ndelivered == 3 && rd.lost == 0 && rd.last_seq == 1,
	    "replay reads records with and without a seq (%d)", ndelivered);
	nlog_reader_close(&rd);

	/* Following rotations as they come: nothing lost. */
	setenv("NCHOME_NOTIFY_LOG_MAX", "1024", 1);
	nlog_reader_init(&rd, dd);
	CHECK(nlog_reader_open(&rd, 1) == 0 && rd.last_seq == 1, "reader at the end knows the last seq");
	ndelivered = 0;
	for (int i = 0; i < 30; i++) {
		append_n(1, 10000 + i);
		nlog_reader_poll(&rd, count_cb, NULL);
	}
	CHECK(ndelivered == 30 && rd.lost == 0, "a reader polling after each record gets all 30 (%d, lost %llu)",
	    ndelivered, (unsigned long long)rd.lost);
	CHECK(nlog_info(dd, &info) == 0 && info.seq == 31 && info.aged_us >= 3000 &&
	    info.aged_us < 10030, "rotations dropped records: aged is the newest dropped one's time");
	snprintf(path, sizeof(path), "%s/notifications/log", dir);
	struct stat st;
	CHECK(stat(path, &st) == 0 && st.st_size <= 1024, "the log stays within its bound");

	/* Stalled across many rotations: the loss is counted exactly. */
	ndelivered = 0;
	append_n(40, 20000);
	nlog_reader_poll(&rd, count_cb, NULL);
	CHECK(rd.lost > 0 && ndelivered + (int)rd.lost == 40 && last_when == 20039,
	    "a stalled reader: delivered %d + lost %llu = 40, ending with the newest",
	    ndelivered, (unsigned long long)rd.lost);
	nlog_reader_close(&rd);

	/* Rotated exactly twice between looks: log.1 is read, nothing lost. */
	nlog_reader_init(&rd, dd);
	(void)nlog_reader_open(&rd, 1);
	ndelivered = 0;
	append_n(8, 30000);	/* ~2 logs' worth at 1024 bytes */
	nlog_reader_poll(&rd, count_cb, NULL);
	CHECK(ndelivered + (int)rd.lost == 8, "delivered + lost always adds up (%d + %llu)",
	    ndelivered, (unsigned long long)rd.lost);
	nlog_reader_close(&rd);

	for (int i = 0; i < 3; i++) {
		const char *names[] = { "log", "log.1", "lock" };

		snprintf(path, sizeof(path), "%s/notifications/%s", dir, names[i]);
		(void)unlink(path);
	}
	snprintf(path, sizeof(path), "%s/notifications", dir);
	(void)rmdir(path);
	dsdir_close(dd);
	(void)rmdir(dir);

	unsetenv("NCHOME_NOTIFY_LOG_MAX");
	if (mkdtemp(dir2) == NULL)
		return 1;
	kept_across_rotation(dir2);
	kept_lock_replaced(dir2);
	prepared_first_record(dir2);
	state_shorter_cut(dir2);
	concurrent_rotation(dir2);
	for (int i = 0; i < 3; i++) {
		const char *names[] = { "log", "log.1", "lock" };

		snprintf(path, sizeof(path), "%s/notifications/%s", dir2, names[i]);
		(void)unlink(path);
	}
	snprintf(path, sizeof(path), "%s/notifications", dir2);
	(void)rmdir(path);
	(void)rmdir(dir2);
	UNIT_DONE();
}
