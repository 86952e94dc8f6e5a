/*
 * The datastores on disk and the session's parsed cache of them.
 *
 * Files in datastore-dir:
 *   running.xml, startup.xml, candidate.xml  the base documents: root
 *       <config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"> whose
 *       children are the configuration; the root's nchome:seq attribute
 *       (urn:nchome:datastore:1) is the last journal record folded in.
 *       Always replaced atomically (temp file, fsync, rename, fsync dir).
 *   running.journal, candidate.journal  edits applied since the base
 *       (journal.c).  Loading = parse the base, then replay the records
 *       with seq above the base's.
 *   candidate.xml absent means the candidate equals running;
 *       candidate.overlay and candidate.owners (candidate.c) say how it
 *       differs and who changed it.
 *   .ds-write.lock  flock: exclusive around every read-modify-write,
 *       shared around loads, so sessions are serialized across processes.
 *   running.shared  running's get-config reply content for sessions that
 *       hold no tree of it (shared.c): a cache, written by readers.
 *   running.nacm  running's nacm container alone, for the NACM view of
 *       sessions that hold no tree of it (nacm_form.c): the same kind of cache.
 *
 * Why: a one-leaf edit of a 10 MB datastore must be on disk in a few
 * milliseconds, and rewriting 10 MB cannot be.  So each session keeps
 * the parsed documents (with hash indexes of big lists, edit_index.c)
 * between RPCs, edits them in place, and persists only the edit.  A
 * session notices another session's change by stat identity (dev, inode,
 * size, mtime) of the base and the journal: unchanged -> use the cache;
 * only the journal grew -> replay its new records; else reload.
 *
 * Memory: a libxml2 tree costs ~7x its XML, so a session holds one tree
 * per datastore it uses and no more, with its list entries packed
 * (packed.c: under 2x the XML, list index included); edits move the
 * request's nodes (packed as the request is parsed) into the tree
 * instead of copying them, records and base rewrites are streamed to
 * disk by xmlout.c, and copy-config writes the target from the source's
 * tree (store_replace_from) and drops the target's.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "flockwait.h"
#include "log.h"
#include "store_int.h"
#include "xmalloc.h"

static const char *const ds_names[DS_COUNT] = { "running", "candidate", "startup" };

const char *
ds_name(enum ds_id ds)
{
	return ds >= 0 && ds < DS_COUNT ? ds_names[ds] : "?";
}

const char *
store_base_name(enum ds_id ds, char *buf, size_t len)
{
	snprintf(buf, len, "%s.xml", ds_name(ds));
	return buf;
}

/*
 * Read from the schema file by the first request that needs them, not
 * by store_open(): a session's start (exec -> hello, issue 18) does not
 * parse the RELAX NG schema, whose size is the operator's.
 */
xmlHashTablePtr
store_keys(struct store *st)
{
	if (!st->keys_read) {
		st->keys_read = 1;
		st->keys = keys_from_schema(st->schema_path);
	}
	return st->keys;
}

/* ---- the write lock ---- */

/* The lock's file, open from its first use to store_close; 0 or -1 (logged). */
static int
lock_file(struct store *st)
{
	if (st->lockfd == -1 && (st->lockfd = dsdir_open_file(st->dd, DSD_TOP,
	    STORE_LOCK_FILE, O_RDWR | O_CREAT)) == -1) {
		log_warn("%s/%s", dsdir_path(st->dd), STORE_LOCK_FILE);
		return -1;
	}
	return 0;
}

int
store_lock(struct store *st, int exclusive)
{
	if (st->lockdepth++ > 0)
		return 0;
	st->lock_busy = 0;
	st->too_big = 0;
	if (lock_file(st) == -1) {
		st->lockdepth--;
		return -1;
	}
	if (flock_wait(st->lockfd, exclusive ? LOCK_EX : LOCK_SH) == -1) {
		if (errno == EWOULDBLOCK) {
			st->lock_busy = 1;
			log_warnx("%s/%s: still held by another process after %ld ms "
			    "(lock-wait)", dsdir_path(st->dd), STORE_LOCK_FILE,
			    flock_wait_bound());
		} else
			log_warn("flock");
		st->lockdepth--;
		return -1;
	}
	return 0;
}

int
store_lock_try(struct store *st)
{
	if (st->lockdepth > 0) {
		st->lockdepth++;
		return 0;
	}
	if (lock_file(st) == -1 || flock(st->lockfd, LOCK_SH | LOCK_NB) == -1)
		return -1;
	st->lockdepth = 1;
	return 0;
}

void
store_prepare(struct store *st)
{
	if (lock_file(st) == 0)
		shared_prepare(st);
}

int
store_lock_busy(const struct store *st)
{
	return st != NULL && st->lock_busy;
}

void
store_unlock(struct store *st)
{
	if (st->lockdepth > 0 && --st->lockdepth == 0)
		flock(st->lockfd, LOCK_UN);
}

/* ---- documents ---- */

xmlDocPtr
store_new_doc(void)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root;

	/* a dictionary, so names of nodes moved in from a request stay shared */
	if (doc == NULL || (doc->dict = xmlDictCreate()) == NULL ||
	    (root = xmlNewDocNode(doc, NULL, BAD_CAST "config", NULL)) == NULL)
		xoom();
	xmlSetNs(root, xmlNewNs(root, BAD_CAST NC_NS_BASE, NULL));
	xmlDocSetRootElement(doc, root);
	return doc;
}

static int
good_root(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);

	return root != NULL && doc->intSubset == NULL && nc_is(root, "config");
}

xmlDocPtr
store_load_file(struct store *st, const char *name)
{
	xmlDocPtr doc;
	int fd;

	if ((fd = dsdir_open_file(st->dd, DSD_TOP, name, O_RDONLY)) == -1)
		return NULL;
	doc = packed_read_fd(fd, NC_XML_PARSE_OPTS);
	close(fd);
	if (doc != NULL && !good_root(doc)) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	return doc;
}

/*
 * Drops the store's namespace declaration from the root once the seq
 * attribute is gone, so replies (which carry the declarations their data
 * inherits) never show it.  Kept if configuration data uses that namespace.
 */
static void
drop_store_ns(xmlNodePtr root)
{
	xmlNsPtr *pp = &root->nsDef, ns;

	while ((ns = *pp) != NULL && !(ns->href != NULL &&
	    strcmp((const char *)ns->href, DS_NS_STORE) == 0))
		pp = &ns->next;
	if (ns == NULL || ns_in_subtree(root, ns))
		return;
	*pp = ns->next;
	ns->next = NULL;
	xmlFreeNs(ns);
}

/* Reads and removes the root's nchome:seq (cached docs never carry it). */
static uint64_t
doc_seq(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	xmlChar *v = xmlGetNsProp(root, BAD_CAST "seq", BAD_CAST DS_NS_STORE);
	uint64_t seq = v != NULL ? strtoull((const char *)v, NULL, 10) : 0;
	xmlNsPtr ns = xmlSearchNsByHref(doc, root, BAD_CAST DS_NS_STORE);

	xmlFree(v);
	if (ns != NULL) {
		xmlUnsetNsProp(root, ns, BAD_CAST "seq");
		drop_store_ns(root);
	}
	return seq;
}

static void
set_doc_seq(xmlDocPtr doc, uint64_t seq)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	xmlNsPtr ns = xmlSearchNsByHref(doc, root, BAD_CAST DS_NS_STORE);
	char v[32];

	if (ns == NULL)
		ns = xmlNewNs(root, BAD_CAST DS_NS_STORE, BAD_CAST "nchome");
	snprintf(v, sizeof(v), "%" PRIu64, seq);
	xmlSetNsProp(root, ns, BAD_CAST "seq", BAD_CAST v);
}

/* Writes doc as ds's base, stamped with seq (the stamp is not kept in doc). */
static int
write_base(struct store *st, enum ds_id ds, xmlDocPtr doc, uint64_t seq)
{
	char name[STORE_NAME_MAX];
	int rc;

	set_doc_seq(doc, seq);
	rc = store_save_file(st, store_base_name(ds, name, sizeof(name)), doc);
	if (rc == -1)
		log_warn("%s/%s", dsdir_path(st->dd), name);
	(void)doc_seq(doc);
	return rc;
}

int
store_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

void
store_forget(struct store *st, enum ds_id ds)
{
	struct ds_cache *dc = &st->c[ds];

	if (ds == DS_RUNNING)
		shared_changed(st);
	doc_free(dc->doc);
	memset(dc, 0, sizeof(*dc));
	if (ds == DS_CANDIDATE)
		st->overlay_pending = 0;	/* it lived in that doc only */
}

void
store_drop_indexes(struct store *st)
{
	for (int ds = 0; ds < DS_COUNT; ds++)
		if (st->c[ds].doc != NULL)
			index_drop_subtree(xmlDocGetRootElement(st->c[ds].doc));
}

xmlDocPtr
store_take_doc(struct store *st, enum ds_id ds)
{
	xmlDocPtr doc = st->c[ds].doc;

	if (ds == DS_RUNNING)
		shared_changed(st);
	st->c[ds].doc = NULL;
	return doc;
}

void
store_empty_file(struct store *st, const char *name)
{
	int fd;

	if ((fd = dsdir_open_file(st->dd, DSD_TOP, name, O_WRONLY)) == -1)
		return;		/* absent: nothing to empty */
	(void)ftruncate(fd, 0);
	close(fd);
}

/* Replays what ds's journal gained since the cache read it, if only that changed. */
static int
refresh_journal(struct store *st, struct ds_cache *dc, const char *jn,
    const struct stat *jst)
{
	struct stat now;
	int fd;

	if (!(dc->have_jr && jst->st_dev == dc->jr_st.st_dev &&
	    jst->st_ino == dc->jr_st.st_ino && jst->st_size >= dc->jr_end &&
	    dc->jr_st.st_size == dc->jr_end))
		return -1;
	if ((fd = dsdir_open_file(st->dd, DSD_TOP, jn, O_RDONLY)) == -1)
		return -1;
	if (fstat(fd, &now) == -1) {
		close(fd);
		return -1;
	}
	journal_replay(st, dc, fd, now.st_size);
	dc->jr_st = now;
	close(fd);
	return 0;
}

int
store_refresh(struct store *st, enum ds_id ds)
{
	struct ds_cache *dc = &st->c[ds];
	char bn[STORE_NAME_MAX], jn[STORE_NAME_MAX];
	struct stat bst, jst;
	int have_base, have_jr, fd, overlay = 0;

	/* a new overlay before its file exists: the cache is all there is */
	if (ds == DS_CANDIDATE && st->overlay_pending && dc->doc != NULL)
		return 0;

	store_base_name(ds, bn, sizeof(bn));
	journal_name(ds, jn, sizeof(jn));
	have_base = dsdir_stat(st->dd, DSD_TOP, bn, &bst) == 0;
	if (ds == DS_CANDIDATE && !have_base) {
		/* an overlay: its identity is the overlay file's */
		have_base = dsdir_stat(st->dd, DSD_TOP, STORE_OVERLAY_FILE, &bst) == 0;
		overlay = have_base;
	}
	have_jr = dsdir_stat(st->dd, DSD_TOP, jn, &jst) == 0;
	if (dc->doc != NULL && have_base == dc->have_base && overlay == dc->overlay &&
	    (!have_base || store_same_file(&bst, &dc->base_st))) {
		if (have_jr == dc->have_jr && (!have_jr || store_same_file(&jst, &dc->jr_st)))
			return 0;
		/* only the journal grew: replay its new records */
		if (have_jr && refresh_journal(st, dc, jn, &jst) == 0)
			return 0;
	}
	/* full load */
	store_forget(st, ds);
	if (overlay) {
		if ((dc->doc = candidate_overlay_base(st)) == NULL)
			return -1;
		dc->base_st = bst;
		dc->have_base = 1;
		dc->overlay = 1;
		dc->seq = 0;
	} else if (have_base) {
		if ((dc->doc = store_load_file(st, bn)) == NULL) {
			log_warnx("%s/%s: not a datastore document", dsdir_path(st->dd), bn);
			return -1;
		}
		dc->base_st = bst;
		dc->have_base = 1;
		dc->seq = doc_seq(dc->doc);
	} else
		dc->doc = store_new_doc();
	if (have_jr && (fd = dsdir_open_file(st->dd, DSD_TOP, jn, O_RDONLY)) != -1) {
		if (fstat(fd, &jst) == 0) {
			journal_replay(st, dc, fd, jst.st_size);
			dc->jr_st = jst;
			dc->have_jr = 1;
			/*
			 * A long journal's replay indexed the lists its
			 * records name (4 MB at 50,000 entries; journal.c):
			 * what needs an index builds it again, and an edit of
			 * every entry in order needs none.
			 */
			index_drop_subtree(xmlDocGetRootElement(dc->doc));
		}
		close(fd);
	}
	if (ds == DS_RUNNING)
		shared_loaded(st);
	return 0;
}

xmlDocPtr
store_doc(struct store *st, enum ds_id ds)
{
	if (ds == DS_CANDIDATE && !store_candidate_present(st)) {
		store_forget(st, DS_CANDIDATE);
		ds = DS_RUNNING;
	}
	if (store_refresh(st, ds) == -1)
		return NULL;
	return st->c[ds].doc;
}

/* Empties ds's journal (a new base outranks its records); its identity into dc. */
static void
truncate_journal(struct store *st, enum ds_id ds, struct ds_cache *dc)
{
	char jn[STORE_NAME_MAX];
	struct stat jst;
	int fd;

	if ((fd = dsdir_open_file(st->dd, DSD_TOP, journal_name(ds, jn, sizeof(jn)),
	    O_WRONLY)) == -1)
		return;
	if (ftruncate(fd, 0) == 0 && fsync(fd) == 0) {
		if (dc != NULL && fstat(fd, &jst) == 0) {
			dc->jr_st = jst;
			dc->have_jr = 1;
		}
	} else
		log_warn("%s", jn);	/* its records are below the new seq */
	close(fd);
}

int
store_replace(struct store *st, enum ds_id ds, xmlDocPtr doc)
{
	struct ds_cache *dc = &st->c[ds];
	char bn[STORE_NAME_MAX];
	struct stat bst;

	if (ds == DS_RUNNING && store_pin_candidate(st) == -1) {
		if (doc != dc->doc)
			doc_free(doc);
		return -1;
	}
	/* the new base must outrank every record already in the journal */
	if (doc != dc->doc && store_refresh(st, ds) == -1)
		log_warnx("%s: replacing an unreadable datastore", ds_name(ds));
	if (write_base(st, ds, doc, dc->seq) == -1 ||
	    dsdir_stat(st->dd, DSD_TOP, store_base_name(ds, bn, sizeof(bn)), &bst) == -1) {
		if (doc != dc->doc)
			doc_free(doc);
		return -1;
	}
	if (doc != dc->doc) {
		doc_free(dc->doc);
		dc->doc = doc;
		/* a copy-config source or a delete-config's new doc was never packed */
		packed_note(xmlDocGetRootElement(doc));
	}
	dc->base_st = bst;
	dc->have_base = 1;
	dc->overlay = 0;
	if (ds == DS_CANDIDATE)
		st->overlay_pending = 0;	/* candidate.xml holds it now */
	dc->jr_end = 0;
	dc->have_jr = 0;
	truncate_journal(st, ds, dc);
	return 0;
}

int
store_replace_from(struct store *st, enum ds_id ds, xmlDocPtr doc)
{
	struct ds_cache *dc = &st->c[ds];
	uint64_t seq;

	if (ds == DS_RUNNING) {
		log_warnx("store_replace_from: running needs store_replace");
		return -1;
	}
	if (doc == dc->doc)
		return store_replace(st, ds, doc);
	/* the new base must outrank every record in the journal */
	seq = journal_last_seq(st, ds);
	if (dc->doc != NULL && dc->seq > seq)
		seq = dc->seq;
	if (write_base(st, ds, doc, seq) == -1)
		return -1;
	store_forget(st, ds);
	truncate_journal(st, ds, NULL);
	return 0;
}

/* ---- the store of a session ---- */

struct store *
store_open(struct dsdir *dd, const char *schema, uint32_t sid)
{
	struct store *st = xcalloc(1, sizeof(*st));
	char bn[STORE_NAME_MAX];

	st->dd = dd;
	st->sid = sid;
	st->lockfd = -1;
	st->shared.fd = -1;
	for (int ds = 0; ds < DS_COUNT; ds++)
		st->held_fd[ds] = -1;
	if (schema != NULL && *schema != '\0')
		st->schema_path = xstrdup(schema);
	/*
	 * The write lock only when a base is missing: a session's start (and
	 * its hello) never waits on another process's write lock once the
	 * files exist.  Creating them looks again under the lock.
	 */
	for (int ds = DS_RUNNING; ds < DS_COUNT; ds++) {
		if (ds == DS_CANDIDATE ||
		    dsdir_exists(dd, DSD_TOP, store_base_name(ds, bn, sizeof(bn))))
			continue;
		if (store_lock(st, 1) == -1)
			goto fail;
		if (!dsdir_exists(dd, DSD_TOP, bn) &&
		    store_replace(st, ds, store_new_doc()) == -1) {
			store_unlock(st);
			goto fail;
		}
		store_unlock(st);
	}
	store_check_sticky(st);
	return st;
fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	for (int ds = DS_RUNNING; ds < DS_COUNT; ds++)
		store_forget(st, (enum ds_id)ds);
	shared_close(st);
	nacm_form_close(st);
	keys_free(st->keys);
	xmlHashFree(st->uncovered_seen, NULL);
	if (st->schema != NULL)
		xmlRelaxNGFree(st->schema);
	free(st->schema_path);
	if (st->lockfd != -1)
		close(st->lockfd);
	free(st);
}

/*
 * In a sticky folder (e.g. mode 1777) only the owner of a file (or of the
 * folder) may rename over it or remove it, so a session of one user
 * cannot replace running.xml another user's session wrote: every rewrite
 * would fail with a bare EPERM.  make install creates datastore-dir
 * 2770 with group nchome, which has no such limit; an operator who chose
 * 1777 is told once here, and again in the rpc-error of a failed write.
 */
void
store_check_sticky(struct store *st)
{
	static const char *const names[] = {
		"running.xml", "startup.xml", "candidate.xml", STORE_OVERLAY_FILE,
		STORE_OWNERS_FILE, NULL
	};
	struct stat dst, fst;
	uid_t me = geteuid();

	st->sticky_why[0] = '\0';
	if (me == 0 || dsdir_stat(st->dd, DSD_TOP, NULL, &dst) == -1 ||
	    !(dst.st_mode & S_ISVTX) || dst.st_uid == me)
		return;
	for (int i = 0; names[i] != NULL; i++) {
		if (dsdir_stat(st->dd, DSD_TOP, names[i], &fst) == -1 || fst.st_uid == me)
			continue;
		snprintf(st->sticky_why, sizeof(st->sticky_why),
		    "datastore-dir is sticky (mode %04o) and %s belongs to uid %lu: "
		    "uid %lu cannot replace it; use mode 2770 and a shared group",
		    (unsigned)(dst.st_mode & 07777), names[i],
		    (unsigned long)fst.st_uid, (unsigned long)me);
		log_warnx("%s: %s (see nchome-netconf(8))", dsdir_path(st->dd),
		    st->sticky_why);
		return;
	}
}

const char *
store_failure_hint(struct store *st)
{
	if (st == NULL)
		return NULL;
	store_check_sticky(st);	/* another user may have written since the start */
	return st->sticky_why[0] != '\0' ? st->sticky_why : NULL;
}
