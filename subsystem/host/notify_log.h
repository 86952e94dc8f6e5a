/*
 * The host's bounded event log shared by all session processes (see
 * notify_log.c for the format and the rotation).
 */
#ifndef NCHOME_NOTIFY_LOG_H
#define NCHOME_NOTIFY_LOG_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define NLOG_RECORD_MAX	(256 * 1024)

/* The wall clock in microseconds, as records and eventTime count it. */
int64_t nlog_now_us(void);
/* us as an RFC 3339 UTC date-and-time with microseconds (eventTime). */
void nlog_format_us(int64_t us, char *buf, size_t len);

/* datastore-dir/notifications[/name]; 0 or -1 when too long. */
int nlog_path(const char *dsdir, const char *name, char *buf, size_t len);

/* Appends one record (xml must hold no newline).  0 or -1. */
int nlog_append(const char *dsdir, int64_t when_us, const char *xml, size_t len);

/* What RFC 5277 /netconf/streams tells about the log. */
struct nlog_info {
	uint64_t	 seq;		/* records written so far */
	int64_t		 created_us;	/* replayLogCreationTime */
	int64_t		 aged_us;	/* replayLogAgedTime; 0: nothing aged out yet */
};

/* Fills info (creating the log's folder if need be); 0 or -1. */
int nlog_info(const char *dsdir, struct nlog_info *info);

/* A record: its time and its notification text (NUL-terminated). */
typedef void (*nlog_cb)(int64_t when_us, const char *xml, size_t len, void *arg);

struct nlog_reader {
	const char	*dsdir;
	int		 fd;		/* on "log", -1 when not open */
	ino_t		 ino;
	char		*buf;		/* a partial line carried over */
	size_t		 len, cap;
	uint64_t	 last_seq;	/* seq of the last record delivered */
	uint64_t	 lost;		/* records dropped by rotation before we read them */
};

void nlog_reader_init(struct nlog_reader *rd, const char *dsdir);
void nlog_reader_close(struct nlog_reader *rd);
/* Opens "log" at its start, or at its end (only new records); 0 or -1. */
int nlog_reader_open(struct nlog_reader *rd, int at_end);
/* Delivers the records appended since the last call, following rotations. */
void nlog_reader_poll(struct nlog_reader *rd, nlog_cb cb, void *arg);
/* Delivers every stored record ("log.1", then "log"); live then follows "log". */
void nlog_replay(const char *dsdir, struct nlog_reader *live, nlog_cb cb, void *arg);

#endif
