/*
 * The store layer (README.md, "Layers"): the datastores running,
 * candidate and startup as files in datastore-dir, each session's parsed
 * cache of them, and the locks on them; all that other folders may use.
 *
 *   store.c      the datastore files and the cache, the cross-process write lock
 *   journal.c    the edit journal of a datastore
 *   candidate.c  the candidate as an overlay on running, and who changed it
 *   dslock.c     the datastore locks of <lock>/<unlock>
 *   dssize.c     writing base files within max-datastore-size
 *   schema.c     the RELAX NG check of a datastore document
 *   shared.c     running's shared form: a new session's reply without a parse
 *   index_table.c  where each list entry lies in it (running.index): keyed filters
 *   index_read.c   running.index read: a keyed filter's entries, the top-level ranges
 *   nacm_form.c  running's nacm container alone (running.nacm): NACM without a parse
 *   leftovers.c  temp files of writers killed mid-write, removed
 *
 * A store is what one session process holds of the datastores (struct
 * store, private to the folder: store_int.h); it needs no session, only
 * datastore-dir (host/dsdir.c opens every file), the schema, and the
 * session-id it acts for (candidate owners, lock holders).
 */
#ifndef NCHOME_STORE_H
#define NCHOME_STORE_H

#include <stdint.h>
#include <time.h>

#include <libxml/hash.h>
#include <libxml/tree.h>

#include "netconf/netconf.h"
#include "tree/tree.h"

struct dsdir;
struct store;

enum ds_id { DS_RUNNING, DS_CANDIDATE, DS_STARTUP, DS_COUNT };

/* "running", "candidate", "startup". */
const char *ds_name(enum ds_id ds);

/*
 * The datastores of dd for session sid (0: the server, e.g. a rollback
 * timer), with schema (a RELAX NG file, NULL or "": none).  Creates the
 * missing running and startup files.  NULL on failure (logged).
 */
struct store *store_open(struct dsdir *dd, const char *schema, uint32_t sid);

/* Frees the store; releases its write lock (not the datastore locks). */
void store_close(struct store *st);

/*
 * After our hello, while the client's is on its way (server.c): opens the
 * write lock's file and, when current, running.shared, which a new
 * session's first get-config would open (its handling took 90-110 us
 * against a warm one's 15-35 us here; about 0.1 ms of the first's
 * 0.7 ms over a warm one, bench_cold.py).  Takes no lock and never
 * waits: a get-config checks the form's stamp again under the lock, and
 * opens the newer form when running changed since.
 */
void store_prepare(struct store *st);

/* The list keys of the schema (edit.c), or NULL. */
xmlHashTablePtr store_keys(struct store *st);

/*
 * The session's YANG module set (loaded once at the session's start,
 * main.c; the store borrows it, one instance per process, so the
 * libyang context is built at most once); NULL: none.  The first call
 * also logs the top-level data of doc (the
 * datastore about to be edited) that no module covers: it is edited by
 * the schema-less rules, nchome-netconf(8).
 */
struct schema *store_yang(struct store *st, struct schema *yang, xmlDocPtr doc);

/*
 * An edit's config (after store_yang): logs its top-level nodes that no
 * module covers and that the session has not logged yet, so data an
 * edit brings is named when it is first edited, not by a later session.
 */
void store_yang_edit(struct store *st, xmlNodePtr config);

/*
 * The module set the journal's edits are replayed with (at the
 * session's start, server.c): a replayed edit must mean what it meant
 * to the session that made it (keys, ordered-by user, choice/case,
 * normalised values).  Replaying with modules builds the libyang
 * context, once per process.
 */
void store_set_yang(struct store *st, struct schema *yang);

/* The cross-process write lock (flock on datastore-dir/.ds-write.lock); 0 or -1. */
int store_lock(struct store *st, int exclusive);
/*
 * The shared lock only if no other process holds the write lock now; 0,
 * or -1 (held: nothing logged, store_lock_busy() unchanged).  For work
 * done ahead that the first RPC would otherwise do under store_lock.
 */
int store_lock_try(struct store *st);
void store_unlock(struct store *st);
/* 1 when the last store_lock() failed because another process held the lock past lock-wait. */
int store_lock_busy(const struct store *st);
/* Caps each datastore's XML at bytes (0: no cap; nchome.conf max-datastore-size). */
void store_set_max_size(struct store *st, uint64_t bytes);
/*
 * 1 when doc, written out, stays within the cap; else 0 and, as for a
 * refused write, store_too_big() is 1 (an error writing counts as too big).
 * For checks before acting on a new content (the commit hooks).
 */
int store_fits(struct store *st, xmlDocPtr doc);
/* 1 when the last write under store_lock() was refused: the datastore would pass the cap. */
int store_too_big(const struct store *st);

/*
 * The current content of ds (under store_lock).  Candidate without its own
 * file is running's doc.  Owned by the cache: do not modify or free.  NULL
 * on error (logged).
 */
xmlDocPtr store_doc(struct store *st, enum ds_id ds);

/* Like store_doc but the doc may be changed in place (then store_edit_*). */
xmlDocPtr store_doc_for_edit(struct store *st, enum ds_id ds);

/* The cached doc of ds, taken out of the cache (the caller owns it now). */
xmlDocPtr store_take_doc(struct store *st, enum ds_id ds);

/* 1 when the candidate differs from running (candidate.xml or an overlay). */
int store_candidate_present(struct store *st);

/* Replaces ds's content with doc (taken over, also on error): full atomic write. */
int store_replace(struct store *st, enum ds_id ds, xmlDocPtr doc);

/*
 * Writes doc, the cached content of another datastore, as ds's new base:
 * full atomic write, no copy (a 10 MB datastore copied to startup would
 * be a second tree).  doc is borrowed, ds's cache is dropped (reloaded
 * when used).  Not for running.  0 or -1.
 */
int store_replace_from(struct store *st, enum ds_id ds, xmlDocPtr doc);

/* Drops the cached doc of ds (it is reloaded on next use). */
void store_forget(struct store *st, enum ds_id ds);

/*
 * Drops the list indexes of the cached docs, and the unique values kept
 * with them (tree/validate_unique.c), before another datastore is
 * parsed: at 50,000 entries they are 8 MB that a copy-config to startup
 * held beside both documents.  What needs them builds them again.
 */
void store_drop_indexes(struct store *st);

/*
 * An overlay candidate (candidate.c) becomes a full candidate.xml: done
 * before running changes any other way.  0 or -1.
 */
int store_pin_candidate(struct store *st);

/*
 * commit of an overlay candidate whose running is unchanged: its journal
 * records are appended to running's, and the candidate's document becomes
 * running's.  1 when done, 0 when not applicable (use the full path), -1
 * on error.
 */
int store_commit_overlay(struct store *st);

/*
 * The edits that make an overlay candidate from running, when the
 * overlay is one store_commit_overlay would commit (this session's, on
 * the running it holds): the candidate is exactly running with these
 * edits applied, so a commit's checks can look at what they name only.
 */
struct store_edits {
	size_t		 n;
	xmlDocPtr	*docs;		/* each record's <config> document */
	enum edit_defop	*defops;	/* and its default-operation */
};

/* 1 with *e filled (free with store_edits_free), 0: not such an overlay (compare documents). */
int store_overlay_edits(struct store *st, struct store_edits *e);
void store_edits_free(struct store_edits *e);

/* Removes candidate.xml and its journal: the candidate equals running again. */
void store_drop_candidate(struct store *st);

/* Notes that the store's session changed the candidate (candidate.owners). */
void store_candidate_owner(struct store *st);

/*
 * RFC 6241 7.5: 1 when the candidate holds changes not made by the
 * store's session, 0 when not, -1 when that cannot be told (the write
 * lock failed): a <lock> must then be refused.
 */
int store_candidate_changed_by_other(struct store *st);

/* Discards the candidate's changes (unlock of candidate, its holder's end). */
void store_candidate_discard(struct store *st);

/* A new empty datastore document (root <config> in the base namespace). */
xmlDocPtr store_new_doc(void);

/* A datastore document kept as file name in datastore-dir (rollback copy). */
int store_save_file(struct store *st, const char *name, xmlDocPtr doc);
xmlDocPtr store_load_file(struct store *st, const char *name);

/*
 * Schema check of a datastore doc (schema.c): 0 when valid or no schema,
 * -1 with an invalid-value rpc-error (r may be NULL) otherwise.
 */
int store_validate(struct store *st, struct rpc *r, xmlDocPtr doc);

/*
 * Why a write of the datastores failed, when the cause is known and not
 * the server's own fault (a sticky datastore-dir); else NULL.
 */
const char *store_failure_hint(struct store *st);

/* ---- shared.c: running's shared form ---- */

/*
 * Under store_lock: when the session holds no tree of running and
 * datastore-dir/running.shared is current, 1 with the content of a
 * get-config reply's <data> as *len bytes at *off of the file open on
 * *fd (*empty: <data/>), valid until the next call or store_close: the
 * file's content never changes (a new form is a new file).  Else 0: use
 * store_doc, and store_shared_publish after the reply writes the form.
 */
int store_shared_data(struct store *st, int *fd, off_t *off, size_t *len, int *empty);

/*
 * After an RPC's reply: when a get-config found no current form and the
 * session's tree of running is still running as loaded, writes the form
 * from it (atomically) for the sessions after it.  Never on an edit's path.
 */
void store_shared_publish(struct store *st);

/*
 * Under store_lock, before store_doc(DS_RUNNING) for a reply that cannot
 * be the form as it is (NACM hides part of running): when the form or
 * its index is missing or stale, store_shared_publish writes them after
 * the reply, for the keyed filters of the sessions after it (where every
 * session is an ordinary account's, none would write them otherwise).
 */
void store_shared_want(struct store *st);

/* ---- shared.c (with index_table.c): whole top-level nodes without running ---- */

/* One top-level node of running.shared: where it lies in the content. */
#define STORE_TOPS_MAX	4096
struct store_top {
	char		 ns[256];		/* its namespace */
	char		 name[KEYQ_NAME_MAX];	/* its local name */
	uint64_t	 off, len;
	uint64_t	 one_ns;	/* every element of its subtree is in ns */
};

/*
 * store_shared_data, and the form's top-level nodes: 1 with *tops (*n,
 * free()), end to end from the first byte of the content to the last,
 * so a reply may send the ranges of some of them.  0: no current form,
 * or no ranges for it (text between them, more than STORE_TOPS_MAX):
 * use store_doc (store_shared_publish writes what was missing).
 */
int store_shared_tops(struct store *st, int *fd, off_t *off, struct store_top **tops,
    size_t *n);

/* ---- shared.c (with index_table.c): entries of running by key without running ---- */

/*
 * Under store_lock: when the session holds no tree of running and
 * running.shared and running.index are current, 1 with *doc (free with
 * doc_free) a datastore document holding q's top-level node with every
 * entry of q's list that q may select: the filter run on it gives the
 * reply it gives on running.  Else 0: use store_doc (and when the index
 * was missing or broken, store_shared_publish writes it after the reply).
 */
int store_shared_keyed(struct store *st, const struct keyq *q, xmlDocPtr *doc);

/* ---- nacm_form.c: running's NACM rules without running ---- */

/* The top-level ietf-netconf-acm nacm container of doc, NULL if none. */
xmlNodePtr store_doc_nacm(xmlDocPtr doc);

/*
 * Under store_lock: when the session holds no tree of running and
 * datastore-dir/running.nacm is current and whole, 1 with *nacm running's
 * ietf-netconf-acm:nacm element as it stands there (NULL: running has
 * none), valid until the next call or store_close.  Else 0: read it from
 * store_doc(DS_RUNNING); store_nacm_publish after the reply writes the form.
 */
int store_nacm_form(struct store *st, xmlNodePtr *nacm);

/*
 * After an RPC's reply: when store_nacm_form found no current form and the
 * session's tree of running is still running as loaded, writes the form
 * from it (atomically).  Never on an edit's path.
 */
void store_nacm_publish(struct store *st);

/* ---- journal.c: an edit in place ---- */

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
int store_edit_begin(struct store *st, enum ds_id ds, xmlNodePtr config,
    enum edit_defop defop, enum edit_erropt erropt, struct store_edit *se);

/*
 * Makes the applied edit durable (record header + fdatasync, or a base
 * rewrite).  0, or -1 (the caller undoes the in-memory edit and calls
 * store_forget).
 */
int store_edit_commit(struct store *st, struct store_edit *se);

/* The edit was not kept: its record is cut off again. */
void store_edit_abort(struct store *st, struct store_edit *se);

/* ---- dslock.c: the datastore locks (<lock>, <unlock>) ---- */

/* What store_ds_lock did. */
enum ds_lock_result {
	DSL_TAKEN,		/* the store's session holds the lock now */
	DSL_MINE,		/* it held it already */
	DSL_BUSY,		/* another session holds it (*holder; 0: being changed) */
	DSL_CANDIDATE_DIRTY,	/* candidate holds another session's changes */
	DSL_CANDIDATE_UNKNOWN,	/* could not check the candidate: refused */
	DSL_OPEN_FAILED,	/* the lock file could not be opened */
	DSL_WRITE_FAILED	/* or not written */
};

/*
 * A lock is flock(LOCK_EX) on datastore-dir/<ds>.lock with the holder's
 * session-id in the file; the kernel drops it with the holder.
 */
enum ds_lock_result store_ds_lock(struct store *st, enum ds_id ds, uint32_t *holder);

/* 1 when the store's session holds ds's lock. */
int store_ds_held(struct store *st, enum ds_id ds);

/* Releases ds's lock (unlock of candidate discards its changes). */
void store_ds_unlock(struct store *st, enum ds_id ds);

/* Releases every lock the store's session holds (session end). */
void store_release_locks(struct store *st);

/* The session-id holding ds's lock, 0 if none; *since its time when asked. */
uint32_t store_lock_holder(struct store *st, enum ds_id ds, time_t *since);

/*
 * Before changing ds: if another live session holds its lock, adds the
 * in-use error naming the holder and returns -1; 0 when writing is allowed.
 */
int store_check_write(struct store *st, struct rpc *r, enum ds_id ds);

#endif
