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

#include "atomicfile.h"
#include "log.h"
#include "session_registry.h"
#include "journal.h"
#include "packed.h"
#include "store.h"
#include "xmlout.h"

static const char *const ds_names[DS_COUNT] = { "running", "candidate", "startup" };

const char *
ds_name(enum ds_id ds)
{
	return ds >= 0 && ds < DS_COUNT ? ds_names[ds] : "?";
}

const char *
store_path(struct session *s, const char *name, char *buf, size_t len)
{
	if (snprintf(buf, len, "%s/%s", s->ds->dir, name) >= (int)len)
		buf[0] = '\0';	/* an unusable path fails at open */
	return buf;
}

const char *
store_base_path(struct session *s, enum ds_id ds, char *buf, size_t len)
{
	char name[64];

	snprintf(name, sizeof(name), "%s.xml", ds_names[ds]);
	return store_path(s, name, buf, len);
}

int
ds_parse_target(struct rpc *r, xmlNodePtr parent, enum ds_id *out)
{
	xmlNodePtr c, which = NULL;
	int n = 0;

	if (parent == NULL) {
		rpc_error(r, ERR_PROTOCOL, TAG_MISSING_ELEMENT, NULL,
		    "missing datastore element");
		return -1;
	}
	for (c = parent->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE) {
			which = c;
			n++;
		}
	if (n == 0) {
		rpc_error(r, ERR_PROTOCOL, TAG_MISSING_ELEMENT, NULL,
		    "<%s> names no datastore", parent->name);
		return -1;
	}
	for (int i = 0; i < DS_COUNT; i++)
		if (n == 1 && nc_is(which, ds_names[i])) {
			*out = (enum ds_id)i;
			return 0;
		}
	rpc_error(r, ERR_PROTOCOL, TAG_BAD_ELEMENT, NULL,
	    "<%s> must hold one of <running/>, <candidate/>, <startup/>", parent->name);
	return -1;
}

/* ---- lock ---- */

int
store_lock(struct session *s, int exclusive)
{
	struct ds_state *st = s->ds;
	char path[PATH_MAX];

	if (st->lockdepth++ > 0)
		return 0;
	if (st->lockfd == -1) {
		store_path(s, ".ds-write.lock", path, sizeof(path));
		if ((st->lockfd = store_open(path, O_RDWR | O_CREAT)) == -1) {
			log_warn("%s", path);
			st->lockdepth--;
			return -1;
		}
	}
	while (flock(st->lockfd, exclusive ? LOCK_EX : LOCK_SH) == -1) {
		if (errno != EINTR) {
			log_warn("flock");
			st->lockdepth--;
			return -1;
		}
	}
	return 0;
}

void
store_unlock(struct session *s)
{
	struct ds_state *st = s->ds;

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
		abort();
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
store_read_doc(const char *path)
{
	xmlDocPtr doc = packed_read_file(path, NC_XML_PARSE_OPTS);

	if (doc != NULL && !good_root(doc)) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	return doc;
}

static int
save_cb(int fd, void *arg)
{
	return xo_write_doc_fd(fd, arg);
}

int
store_write_doc(const char *path, xmlDocPtr doc)
{
	return atomic_write_with(path, store_file_mode(), save_cb, doc);
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

int
store_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

void
store_forget(struct session *s, enum ds_id ds)
{
	struct ds_cache *dc = &s->ds->c[ds];

	doc_free(dc->doc);
	memset(dc, 0, sizeof(*dc));
	if (ds == DS_CANDIDATE)
		s->ds->overlay_pending = 0;	/* it lived in that doc only */
}

void
store_fsync_dir(struct session *s)
{
	int dfd = open(s->ds->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
}

/* Brings ds's cache up to date with the files (under store_lock). */
int
store_refresh(struct session *s, enum ds_id ds)
{
	struct ds_cache *dc = &s->ds->c[ds];
	char bp[PATH_MAX], jp[PATH_MAX];
	struct stat bst, jst;
	int have_base, have_jr, fd, overlay = 0;

	/* a new overlay before its file exists: the cache is all there is */
	if (ds == DS_CANDIDATE && s->ds->overlay_pending && dc->doc != NULL)
		return 0;

	store_base_path(s, ds, bp, sizeof(bp));
	journal_path(s, ds, jp, sizeof(jp));
	have_base = stat(bp, &bst) == 0;
	if (ds == DS_CANDIDATE && !have_base) {
		/* an overlay: its identity is the overlay file's */
		store_path(s, STORE_OVERLAY_FILE, bp, sizeof(bp));
		have_base = stat(bp, &bst) == 0;
		overlay = have_base;
	}
	have_jr = stat(jp, &jst) == 0;
	if (dc->doc != NULL && have_base == dc->have_base && overlay == dc->overlay &&
	    (!have_base || store_same_file(&bst, &dc->base_st))) {
		if (have_jr == dc->have_jr && (!have_jr || store_same_file(&jst, &dc->jr_st)))
			return 0;
		/* only the journal grew: replay its new records */
		if (have_jr && dc->have_jr && jst.st_dev == dc->jr_st.st_dev &&
		    jst.st_ino == dc->jr_st.st_ino && jst.st_size >= dc->jr_end &&
		    dc->jr_st.st_size == dc->jr_end &&
		    (fd = open(jp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) != -1) {
			if (fstat(fd, &jst) == 0) {
				journal_replay(s, dc, fd, jst.st_size);
				dc->jr_st = jst;
				close(fd);
				return 0;
			}
			close(fd);
		}
	}
	/* full load */
	store_forget(s, ds);
	if (overlay) {
		if ((dc->doc = candidate_overlay_base(s, bp)) == NULL)
			return -1;
		dc->base_st = bst;
		dc->have_base = 1;
		dc->overlay = 1;
		dc->seq = 0;
	} else if (have_base) {
		if ((dc->doc = store_read_doc(bp)) == NULL) {
			log_warnx("%s: not a datastore document", bp);
			return -1;
		}
		dc->base_st = bst;
		dc->have_base = 1;
		dc->seq = doc_seq(dc->doc);
	} else
		dc->doc = store_new_doc();
	if (have_jr && (fd = open(jp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) != -1) {
		if (fstat(fd, &jst) == 0) {
			journal_replay(s, dc, fd, jst.st_size);
			dc->jr_st = jst;
			dc->have_jr = 1;
		}
		close(fd);
	}
	return 0;
}

xmlDocPtr
store_doc(struct session *s, enum ds_id ds)
{
	if (ds == DS_CANDIDATE && !store_candidate_present(s)) {
		store_forget(s, DS_CANDIDATE);
		ds = DS_RUNNING;
	}
	if (store_refresh(s, ds) == -1)
		return NULL;
	return s->ds->c[ds].doc;
}

int
store_replace(struct session *s, enum ds_id ds, xmlDocPtr doc)
{
	struct ds_cache *dc = &s->ds->c[ds];
	char bp[PATH_MAX], jp[PATH_MAX];
	struct stat bst, jst;
	int fd, rc;

	if (ds == DS_RUNNING && store_pin_candidate(s) == -1) {
		if (doc != dc->doc)
			doc_free(doc);
		return -1;
	}
	/* the new base must outrank every record already in the journal */
	if (doc != dc->doc && store_refresh(s, ds) == -1)
		log_warnx("%s: replacing an unreadable datastore", ds_names[ds]);
	set_doc_seq(doc, dc->seq);
	store_base_path(s, ds, bp, sizeof(bp));
	journal_path(s, ds, jp, sizeof(jp));
	rc = store_write_doc(bp, doc);
	(void)doc_seq(doc);
	if (rc == -1 || stat(bp, &bst) == -1) {
		log_warn("%s", bp);
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
		s->ds->overlay_pending = 0;	/* candidate.xml holds it now */
	dc->jr_end = 0;
	dc->have_jr = 0;
	if ((fd = open(jp, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)) != -1) {
		if (ftruncate(fd, 0) == 0 && fsync(fd) == 0 && fstat(fd, &jst) == 0) {
			dc->jr_st = jst;
			dc->have_jr = 1;
		}
		close(fd);
	}
	return 0;
}

int
store_replace_from(struct session *s, enum ds_id ds, xmlDocPtr doc)
{
	struct ds_cache *dc = &s->ds->c[ds];
	char bp[PATH_MAX], jp[PATH_MAX];
	uint64_t seq;
	int fd, rc;

	if (ds == DS_RUNNING) {
		log_warnx("store_replace_from: running needs store_replace");
		return -1;
	}
	if (doc == dc->doc)
		return store_replace(s, ds, doc);
	/* the new base must outrank every record in the journal */
	seq = journal_last_seq(s, ds);
	if (dc->doc != NULL && dc->seq > seq)
		seq = dc->seq;
	set_doc_seq(doc, seq);
	rc = store_write_doc(store_base_path(s, ds, bp, sizeof(bp)), doc);
	(void)doc_seq(doc);
	if (rc == -1) {
		log_warn("%s", bp);
		return -1;
	}
	store_forget(s, ds);
	if ((fd = open(journal_path(s, ds, jp, sizeof(jp)),
	    O_WRONLY | O_CLOEXEC | O_NOFOLLOW)) != -1) {
		if (ftruncate(fd, 0) == -1 || fsync(fd) == -1)
			log_warn("%s", jp);	/* its records are below the new seq */
		close(fd);
	}
	return 0;
}

/* ---- session ---- */

int
ds_session_init(struct session *s)
{
	struct ds_state *st;
	char p[PATH_MAX];
	const char *dir = s->nc != NULL ? s->nc->datastore_dir : NULL;

	if (dir == NULL || *dir == '\0') {
		log_warnx("no datastore-dir configured");
		return -1;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return -1;
	st->lockfd = -1;
	if (strlen(dir) >= sizeof(st->dir) - 64) {
		log_warnx("datastore-dir too long");
		free(st);
		return -1;
	}
	memcpy(st->dir, dir, strlen(dir) + 1);
	s->ds = st;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_warn("%s", dir);
		return -1;
	}
	store_set_file_mode(shared_mode(dir, 0));
	if (store_lock(s, 1) == -1)
		return -1;
	for (int ds = DS_RUNNING; ds < DS_COUNT; ds++) {
		if (ds == DS_CANDIDATE)
			continue;
		store_base_path(s, ds, p, sizeof(p));
		if (access(p, F_OK) != 0 && store_replace(s, ds, store_new_doc()) == -1) {
			store_unlock(s);
			return -1;
		}
	}
	store_unlock(s);
	store_check_sticky(s);
	st->keys = keys_from_schema(s->nc->schema);
	return 0;
}

void
ds_session_end(struct session *s)
{
	struct ds_state *st = s->ds;

	if (st == NULL)
		return;
	confirmed_session_end(s);
	for (int ds = DS_RUNNING; ds < DS_COUNT; ds++)
		store_forget(s, (enum ds_id)ds);
	keys_free(st->keys);
	if (st->schema != NULL)
		xmlRelaxNGFree(st->schema);
	if (st->lockfd != -1)
		close(st->lockfd);
	free(st);
	s->ds = NULL;
}
