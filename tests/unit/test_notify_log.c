/*
 * The host's event log (subsystem/host/notify_log.c): seq numbering, readers
 * following rotations, the exact count of records a stalled reader lost,
 * the aged/created times, and logs written before records had a seq.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/host.h"
#include "log.h"
#include "unit.h"

static char dir[] = "/tmp/nchome-test-nlog-XXXXXX";
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
	UNIT_DONE();
}
