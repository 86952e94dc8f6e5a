/*
 * The on-disk datastores and the session's cache of them (datastore.c).
 * Data-side private header; the protocol side uses datastore.h.
 */
#ifndef NCHOME_STORE_H
#define NCHOME_STORE_H

#include <sys/stat.h>

#include <limits.h>
#include <stdint.h>

#include <libxml/relaxng.h>

#include "datastore.h"
#include "edit.h"

#define DS_NS_STORE	"urn:nchome:datastore:1"
#define STORE_OVERLAY_FILE	"candidate.overlay"

struct ds_cache {
	xmlDocPtr	 doc;		/* NULL: not loaded */
	struct stat	 base_st;
	int		 have_base;
	struct stat	 jr_st;
	int		 have_jr;
	off_t		 jr_end;	/* journal bytes applied */
	uint64_t	 seq;		/* last journal record applied */
	int		 overlay;	/* candidate: running@seq + its journal */
};

struct ds_state {
	char		 dir[PATH_MAX];
	int		 lockfd;
	int		 lockdepth;
	struct ds_cache	 c[DS_COUNT];
	xmlHashTablePtr	 keys;		/* list keys from the schema */
	xmlRelaxNGPtr	 schema;	/* NULL: none configured */
	int		 schema_loaded;
	int		 confirmed_mine;	/* started a confirmed commit without persist */
	struct ds_cache	 stolen;	/* running's identity when its doc became the candidate */
	int		 have_stolen;
	int		 overlay_pending;	/* candidate overlay made in memory: its
						   file is written once its first
						   record is durable */
	uint64_t	 overlay_seq;	/* running's seq under it */
	char		 sticky_why[160];	/* "": none; else why files of other
						   users cannot be replaced */
};

/* The cross-process write lock (flock on datastore-dir/.ds-write.lock). */
int store_lock(struct session *s, int exclusive);
void store_unlock(struct session *s);

/*
 * datastore-dir's files (dsdir.c): the mode of shared files, open(2) that
 * applies it to new files and never follows a link, and the check of a
 * sticky folder (sets the hint store_failure_hint returns).
 */
void store_set_file_mode(mode_t mode);
mode_t store_file_mode(void);
int store_open(const char *path, int flags);
void store_check_sticky(struct session *s);

/* datastore-dir/<name>; returns buf. */
const char *store_path(struct session *s, const char *name, char *buf, size_t len);

/* datastore-dir/<ds>.xml; returns buf. */
const char *store_base_path(struct session *s, enum ds_id ds, char *buf, size_t len);

/* 1 when a and b are the same file with the same content (identity check). */
int store_same_file(const struct stat *a, const struct stat *b);

/*
 * Why a write of the datastores failed, when the cause is known and not
 * the server's own fault (a sticky datastore-dir); else NULL.
 */
const char *store_failure_hint(struct session *s);

/* fsyncs datastore-dir, so names just created, renamed or removed in it last. */
void store_fsync_dir(struct session *s);

/*
 * After the first record of a new candidate overlay is durable: writes
 * candidate.overlay (candidate.c).  0 or -1.
 */
int candidate_overlay_settle(struct session *s);

/* Brings ds's cache up to date with the files (under store_lock); 0 or -1. */
int store_refresh(struct session *s, enum ds_id ds);

/* A copy of running as the base of the overlay described by file path (candidate.c). */
xmlDocPtr candidate_overlay_base(struct session *s, const char *path);

/*
 * The current content of ds (under store_lock).  Candidate without its own
 * file is running's doc.  Owned by the cache: do not modify or free.  NULL
 * on error (logged).
 */
xmlDocPtr store_doc(struct session *s, enum ds_id ds);

/* 1 when candidate.xml exists (the candidate differs from running). */
int store_candidate_present(struct session *s);

/* Like store_doc but the doc may be changed in place (then store_edit_*). */
xmlDocPtr store_doc_for_edit(struct session *s, enum ds_id ds);

/* Replaces ds's content with doc (taken over, also on error): full atomic write. */
int store_replace(struct session *s, enum ds_id ds, xmlDocPtr doc);

/*
 * Writes doc, the cached content of another datastore, as ds's new base:
 * full atomic write, no copy (a 10 MB datastore copied to startup would
 * be a second tree, and loading the old target to learn its seq a
 * third).  doc is borrowed, ds's cache is dropped (reloaded when used).
 * Not for running (hooks and the cache want a doc of their own).  0 or -1.
 */
int store_replace_from(struct session *s, enum ds_id ds, xmlDocPtr doc);

/* Drops the cached doc of ds (it is reloaded on next use). */
void store_forget(struct session *s, enum ds_id ds);

/*
 * An overlay candidate (see datastore.c) becomes a full candidate.xml:
 * done before running changes any other way.  0 or -1.
 */
int store_pin_candidate(struct session *s);

/*
 * commit of an overlay candidate whose running is unchanged: its journal
 * records are appended to running's, and the candidate's document becomes
 * running's.  1 when done, 0 when not applicable (use the full path), -1
 * on error.
 */
int store_commit_overlay(struct session *s);

/* Removes candidate.xml and its journal: the candidate equals running again. */
void store_drop_candidate(struct session *s);

/* Notes that s changed the candidate (ds_candidate_changed_by_other). */
void store_candidate_owner(struct session *s);

/* A new empty datastore document (root <config> in the base namespace). */
xmlDocPtr store_new_doc(void);

/* Writes doc atomically to path; 0 or -1 with errno. */
int store_write_doc(const char *path, xmlDocPtr doc);

/* Reads a datastore document from path; NULL when unreadable or bad. */
xmlDocPtr store_read_doc(const char *path);

/*
 * Schema check of a datastore doc (validate.c): 0 when valid or no schema,
 * -1 with an invalid-value rpc-error (r may be NULL) otherwise.
 */
int store_validate(struct session *s, struct rpc *r, xmlDocPtr doc);

/*
 * The one call site for "running changed" (commit hooks): old and new
 * content as docs.  0 to keep the change, -1 (rpc-error added) to undo.
 */
int ds_running_changed(struct rpc *r, xmlDocPtr olddoc, xmlDocPtr newdoc);

/* The <source> of copy-config/validate as a new datastore doc; NULL with an rpc-error. */
xmlDocPtr ops_source_doc(struct rpc *r, xmlNodePtr source);

/* At session end: a confirmed commit without persist started by s is rolled back (commit.c). */
void confirmed_session_end(struct session *s);

#endif
