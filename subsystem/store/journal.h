/*
 * The edit journal of a datastore (journal.c).  Data-side private header.
 */
#ifndef NCHOME_JOURNAL_H
#define NCHOME_JOURNAL_H

#include <sys/types.h>

#include "store.h"

/* One record: its default-operation word and its payload (XML). */
struct jrec {
	uint32_t	 op;
	const void	*payload;
	uint32_t	 len;
	uint64_t	 seq;		/* journal_read_all: the record's (append: unused) */
};

/* datastore-dir/<ds>.journal; returns buf. */
const char *journal_path(struct session *s, enum ds_id ds, char *buf, size_t len);

/*
 * Replays the records of the open journal fd from dc->jr_end on, those
 * with seq above dc->seq, into dc->doc.  Leaves dc->jr_end at the end
 * of the last good one.
 */
void journal_replay(struct session *s, struct ds_cache *dc, int fd, off_t size);

/* Appends records (seq after the cache's) to ds's journal and fdatasyncs; 0 or -1. */
int journal_append(struct session *s, enum ds_id ds, const struct jrec *recs, size_t n);

/*
 * The valid records of the journal at path; *buf holds their payloads
 * (free it and *recs).  Count, or -1.
 */
ssize_t journal_read_all(const char *path, char **buf, struct jrec **recs);

/* An edit's journal record between store_edit_begin and _commit/_abort. */
struct store_edit {
	enum ds_id	 ds;
	int		 fd;		/* the journal; -1: the base is rewritten */
	int		 created;	/* the journal file is new */
	off_t		 off;		/* where the record starts */
	uint64_t	 seq;
	uint32_t	 op, len, sum;
};

/*
 * Before an in-place edit of ds's cached doc: writes config (the
 * edit-config <config> element, which the edit may then take apart) with
 * its default operation as a not yet valid journal record, or decides
 * that the edit is big enough to rewrite the base instead.  0, or -1
 * (nothing written).
 */
int store_edit_begin(struct session *s, enum ds_id ds, xmlNodePtr config,
    enum edit_defop defop, enum edit_erropt erropt, struct store_edit *se);

/*
 * Makes the applied edit durable (record header + fdatasync, or a base
 * rewrite).  0, or -1 (the caller undoes the in-memory edit and calls
 * store_forget).
 */
int store_edit_commit(struct session *s, struct store_edit *se);

/* The edit was not kept: its record is cut off again. */
void store_edit_abort(struct session *s, struct store_edit *se);

/* The highest seq of a valid record in ds's journal, 0 when none. */
uint64_t journal_last_seq(struct session *s, enum ds_id ds);

/* Folds ds's journal into its base when it has grown large. */
void journal_maybe_fold(struct session *s, enum ds_id ds);

#endif
