/*
 * Inside the store folder only: the store's state and what its files
 * share.  Other folders use store.h.
 */
#ifndef NCHOME_STORE_INT_H
#define NCHOME_STORE_INT_H

#include <sys/stat.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include <libxml/relaxng.h>

#include "host/host.h"
#include "store.h"

#define DS_NS_STORE		"urn:nchome:datastore:1"
#define STORE_OVERLAY_FILE	"candidate.overlay"
#define STORE_OWNERS_FILE	"candidate.owners"
#define STORE_LOCK_FILE		".ds-write.lock"
#define STORE_SHARED_FILE	"running.shared"
#define STORE_NACM_FILE		"running.nacm"
#define STORE_INDEX_FILE	"running.index"
#define SHARED_ID_WORDS		12	/* running.xml's and running.journal's stat */
#define STORE_NAME_MAX		64

/* One datastore's parsed content and the identity of the files it came from. */
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

/* running's shared form (shared.c): the one this session maps, the one it may write. */
struct store_shared {
	int		 fd;		/* running.shared open, or -1 */
	size_t		 len;		/* its <data> content's bytes (after the header) */
	int		 empty;
	uint64_t	 id[SHARED_ID_WORDS];	/* the identity it is stamped with */
	int		 want;		/* a get-config found none current: publish */
	int		 index_bad;	/* a lookup found running.index broken: rewrite */
	int		 asked;		/* store_shared_want looked, doc as loaded */
	xmlDocPtr	 doc;		/* running's doc as loaded, unchanged since; */
	uint64_t	 doc_id[SHARED_ID_WORDS];	/* and the identity it was loaded at */
	struct index_build *ib;		/* while the form is written: its index */
	struct store_top *named;	/* tops found named so in the open form (top_named) */
	size_t		 nnamed;	/* once: the same ones again are not read again */
};

/* running's nacm container from running.nacm (nacm_form.c), for a session without its tree. */
struct store_nacm {
	xmlDocPtr	 doc;		/* the form's nacm element; NULL: running has none */
	int		 have;		/* doc is the form stamped with id */
	uint64_t	 id[SHARED_ID_WORDS];
	int		 want;		/* a session found none current: publish */
};

struct store {
	struct dsdir	*dd;
	uint32_t	 sid;		/* the session acted for (0: the server) */
	int		 lockfd;
	int		 lockdepth;
	int		 lock_busy;	/* the last store_lock() gave up after lock-wait */
	uint64_t	 max_size;	/* a datastore's XML at most (0: no cap) */
	int		 too_big;	/* the last write was refused by max_size */
	struct ds_cache	 c[DS_COUNT];
	xmlHashTablePtr	 keys;		/* list keys from the schema (store_keys) */
	int		 keys_read;	/* keys holds what the schema gave */
	char		*schema_path;	/* NULL: none configured */
	xmlRelaxNGPtr	 schema;
	int		 schema_loaded;
	struct schema	*yang;		/* the session's YANG module set, borrowed (schema.c) */
	int		 yang_loaded;
	xmlHashTablePtr	 uncovered_seen;	/* top-level names logged as no
						   module's (schema.c) */
	struct ds_cache	 stolen;	/* running's identity when its doc became the candidate */
	int		 have_stolen;
	int		 overlay_pending;	/* candidate overlay made in memory: its
						   file is written once its first
						   record is durable */
	uint64_t	 overlay_seq;	/* running's seq under it */
	char		 sticky_why[160];	/* "": none; else why files of other
						   users cannot be replaced */
	int		 held_fd[DS_COUNT];	/* datastore locks held, else -1 */
	struct store_shared shared;
	struct store_nacm nacm;
	int		 leftovers_checked;	/* leftovers.c ran in this session */
};

/* "<ds>.xml", "<ds>.journal"; return buf. */
const char *store_base_name(enum ds_id ds, char *buf, size_t len);
const char *journal_name(enum ds_id ds, char *buf, size_t len);

/* 1 when a and b are the same file with the same content (identity check). */
int store_same_file(const struct stat *a, const struct stat *b);

/* Brings ds's cache up to date with the files (under store_lock); 0 or -1. */
int store_refresh(struct store *st, enum ds_id ds);

/* The sticky-folder check (sets the hint store_failure_hint returns). */
void store_check_sticky(struct store *st);

/* Empties a file in datastore-dir (truncate(2) would follow a planted link). */
void store_empty_file(struct store *st, const char *name);

/* ---- shared.c ---- */

/* running's doc was just loaded from its files (store_refresh). */
void shared_loaded(struct store *st);
/* running's doc may change or go: it is no longer running as loaded. */
void shared_changed(struct store *st);
/* Closes the form (store_close). */
void shared_close(struct store *st);
/* Opens the form if it is current (store_prepare, no lock held). */
void shared_prepare(struct store *st);
/* running's identity now, as the words a form is stamped with (under store_lock); 0 or -1. */
int shared_running_id(struct store *st, uint64_t id[SHARED_ID_WORDS]);
/* The words of the identity of running.xml (bst) and running.journal (jst). */
void shared_make_id(uint64_t id[SHARED_ID_WORDS], int have_base, const struct stat *bst,
    int have_jr, const struct stat *jst);

/* ---- index_table.c ---- */

/*
 * running.index's writer: index_build_new(running's root); for each
 * top-level child c, index_build_top(ib, c), then c written through
 * xo_data_child_marked(xo, c, index_build_mark, ib); after the form,
 * index_build_write with its stamp and content length (0 or -1).
 */
struct index_build;
struct index_build *index_build_new(xmlNodePtr root);
void index_build_top(struct index_build *ib, xmlNodePtr c);
void index_build_mark(void *ib, xmlNodePtr n, enum xo_mark what, uint64_t off, uint64_t len);
/* After c is written: its range of the form (off, len), recorded for store_shared_tops. */
void index_build_range(struct index_build *ib, xmlNodePtr c, uint64_t off, uint64_t len);
int index_build_write(struct store *st, struct index_build *ib,
    const uint64_t id[SHARED_ID_WORDS], uint64_t shared_len);
void index_build_free(struct index_build *ib);
/* Where the entries a keyq may select lie in running.shared's content (index_find). */
#define INDEX_FOUND_MAX	256
struct index_entry {
	uint64_t	 off;
	uint64_t	 len;
};
struct index_found {
	uint64_t	 head_off, head_len;	/* the top-level node's start tag */
	uint64_t	 tail_off, tail_len;	/* its end tag */
	size_t		 n;
	struct index_entry e[INDEX_FOUND_MAX];	/* in document order, each once */
};

/*
 * Looks q up in running.index, made for the form stamped id of
 * shared_len content bytes: 1 with *f; 0 when q's list or leaf is not
 * indexed; -1 when the index is missing, stale or broken (write it again).
 */
int index_find(struct store *st, const uint64_t id[SHARED_ID_WORDS], uint64_t shared_len,
    const struct keyq *q, struct index_found *f);
/*
 * The top-level nodes' ranges running.index holds for the form stamped
 * id (end to end over its shared_len bytes): 1 with *tops (free()); 0
 * when it holds none; -1 when it is missing, stale or broken.
 */
int index_tops(struct store *st, const uint64_t id[SHARED_ID_WORDS], uint64_t shared_len,
    struct store_top **tops, size_t *n);
/* 1 when running.index is whole and made for the form stamped id of shared_len bytes. */
int index_current(struct store *st, const uint64_t id[SHARED_ID_WORDS], uint64_t shared_len);

/*
 * running.index's form (index_table.c writes it, index_read.c reads it):
 * the header, the group records, the top records, the slots.
 */
#define INDEX_MAGIC	"NCINDEX2"
#define INDEX_GROUPS_MAX	4096
#define INDEX_SLOTS_MAX	(1ull << 28)
#define SLOT_BATCH	8

struct index_hdr {
	char		 magic[8];
	uint64_t	 id[SHARED_ID_WORDS];
	uint64_t	 shared_len;	/* running.shared's content bytes */
	uint64_t	 ngroups;
	uint64_t	 nslots;	/* a power of two */
	uint64_t	 ntops;		/* top-level node records (tops_ok) */
	uint64_t	 tops_ok;	/* they cover the form: each of its top nodes, in order */
	uint64_t	 sum;		/* FNV-1a of this header (sum 0), the groups, the tops */
};

struct index_group {
	char		 top[KEYQ_NAME_MAX];
	char		 list[KEYQ_NAME_MAX];
	char		 leaf[KEYQ_NAME_MAX];
	uint64_t	 head_off, head_len;	/* the top node's start tag */
	uint64_t	 tail_off, tail_len;	/* and its end tag */
};

/* len 0: empty.  sum: of the 20 bytes before it. */
struct index_slot {
	uint64_t	 hash;
	uint64_t	 off;
	uint32_t	 len;
	uint32_t	 sum;
};

/* A slot's checksum (its sum field). */
uint32_t index_slot_sum(const struct index_slot *s);
/* A key value's hash: trimmed as a subtree content match compares. */
uint64_t index_value_hash(const char *v);
/* Where a value of group gid starts probing. */
uint64_t index_slot_hash(uint64_t vhash, uint64_t gid);
/* The header's checksum over it (sum 0), its groups and top records. */
uint64_t index_header_sum(const struct index_hdr *h, const struct index_group *groups,
    const struct store_top *tops);

/* ---- nacm_form.c ---- */

/* Frees the session's copy of the form (store_close). */
void nacm_form_close(struct store *st);

/* ---- leftovers.c ---- */

/* Once per session, before a big write: removes the temp files killed writers left. */
void store_remove_leftovers(struct store *st);

/* ---- candidate.c ---- */

/* A copy of running as the base of the candidate overlay. */
xmlDocPtr candidate_overlay_base(struct store *st);

/* After the first record of a new overlay is durable: writes its file.  0 or -1. */
int candidate_overlay_settle(struct store *st);

/* 1 when candidate.overlay exists. */
int candidate_overlay_present(struct store *st);

/* ---- journal.c ---- */

/*
 * A journal record: a header of JR_HDR_SIZE bytes, then len bytes of
 * payload (the edit-config <config> element as XML).  The header is
 * "NCJ1", then len (u32), seq (u64), the default-operation word (u32:
 * defop | erropt << 8) and a checksum (u32, FNV-1a of seq, op and the
 * payload), in host byte order.
 */
#define JR_MAGIC	"NCJ1"
#define JR_MAGIC_LEN	4
#define JR_HDR_SIZE	24
#define JR_MAX_REC	(1u << 30)
#define JR_FOLD_MIN	(4 * 1024 * 1024)	/* fold a journal at this size... */
#define JR_FOLD_FLOOR	65536			/* ...or its base's, but not below this */

struct jr_header {
	uint32_t	 len;
	uint64_t	 seq;
	uint32_t	 op;
	uint32_t	 sum;
};

/* The one encoder and the one decoder of a record header. */
void jr_encode(unsigned char out[JR_HDR_SIZE], const struct jr_header *h);
int jr_decode(const unsigned char in[JR_HDR_SIZE], struct jr_header *h);	/* -1: no magic */

/* The checksum of a record. */
uint32_t jr_sum(uint64_t seq, uint32_t op, const void *payload, size_t len);

/* One record: its default-operation word and its payload (XML). */
struct jrec {
	uint32_t	 op;
	const void	*payload;
	uint32_t	 len;
	uint64_t	 seq;		/* journal_read_all: the record's (append: unused) */
};

/*
 * Replays the records of the open journal fd from dc->jr_end on, those
 * with seq above dc->seq, into dc->doc.  Leaves dc->jr_end at the end
 * of the last good one.
 */
void journal_replay(struct store *st, struct ds_cache *dc, int fd, off_t size);

/* Appends records (seq after the cache's) to ds's journal and fdatasyncs; 0 or -1. */
int journal_append(struct store *st, enum ds_id ds, const struct jrec *recs, size_t n);

/*
 * The valid records of ds's journal; *buf holds their payloads (free it
 * and *recs).  Count, or -1.
 */
ssize_t journal_read_all(struct store *st, enum ds_id ds, char **buf, struct jrec **recs);

/* The highest seq of a valid record in ds's journal, 0 when none. */
uint64_t journal_last_seq(struct store *st, enum ds_id ds);

/* Folds ds's journal into its base when it has grown large. */
void journal_maybe_fold(struct store *st, enum ds_id ds);

#endif
