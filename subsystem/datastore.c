/*
 * The datastores on disk and the session's parsed cache of them.
 *
 * Files in datastore-dir:
 *   running.xml, startup.xml, candidate.xml  the base documents: root
 *       <config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"> whose
 *       children are the configuration; the root's nchome:seq attribute
 *       (urn:nchome:datastore:1) is the last journal record folded in.
 *       Always replaced atomically (temp file, fsync, rename, fsync dir).
 *   running.journal, candidate.journal  edits applied since the base:
 *       records "NCJ1" len(u32) seq(u64) default-operation(u32)
 *       checksum(u32 FNV-1a of seq, defop and payload), then the
 *       edit-config <config> element as XML.  Appended and fdatasync'ed
 *       before the reply.  Loading = parse the base, then replay the
 *       records with seq above the base's; a torn or corrupt tail ends the
 *       replay (and the next writer truncates it), so a crash leaves the
 *       old or the new content.  When the journal outgrows its base
 *       (or 4 MB) it is folded in: the base is rewritten with the new seq
 *       and the journal truncated; a crash between the two only leaves
 *       records the seq skips.
 *   candidate.xml absent means the candidate equals running (no
 *       uncommitted changes); candidate.owners lists the session-ids that
 *       changed it since.
 *   candidate.overlay ("N"): instead of candidate.xml, the candidate is
 *       running as of journal seq N plus candidate.journal.  The first
 *       candidate edit makes one, so it costs no 10 MB copy or write: the
 *       session's parsed running document itself becomes the candidate.
 *       commit then appends the candidate's records to running's journal
 *       and the document goes back to being running's.  Before running
 *       changes any other way the overlay is pinned (written out as
 *       candidate.xml), so N always names running's current content.
 *   .ds-write.lock  flock: exclusive around every read-modify-write,
 *       shared around loads, so sessions are serialized across processes.
 *
 * Why: a one-leaf edit of a 10 MB datastore must be on disk in a few
 * milliseconds, and rewriting 10 MB cannot be.  So each session keeps
 * the parsed documents (with hash indexes of big lists, edit.c) between
 * RPCs, edits them in place, and persists only the edit.  A session
 * notices another session's change by stat identity (dev, inode, size,
 * mtime) of the base and the journal: unchanged -> use the cache; only
 * the journal grew -> replay its new records; else reload.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlsave.h>

#include "atomicfile.h"
#include "log.h"
#include "session_registry.h"
#include "store.h"

#define JR_MAGIC	"NCJ1"
#define JR_HDR		24
#define JR_MAX_REC	(1u << 30)
#define OVERLAY_FILE	"candidate.overlay"
#define JR_FOLD_MIN	(4 * 1024 * 1024)

/* Mode of every file we create: datastore-dir's sharing (shared_mode). */
static mode_t file_mode = 0600;

mode_t
store_file_mode(void)
{
	return file_mode;
}

int
store_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, file_mode);

	if (fd != -1 && (flags & O_CREAT))
		(void)fchmod(fd, file_mode);	/* umask-free, so other users can share */
	return fd;
}

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

static const char *
base_path(struct session *s, enum ds_id ds, char *buf, size_t len)
{
	char name[64];

	snprintf(name, sizeof(name), "%s.xml", ds_names[ds]);
	return store_path(s, name, buf, len);
}

static const char *
journal_path(struct session *s, enum ds_id ds, char *buf, size_t len)
{
	char name[64];

	snprintf(name, sizeof(name), "%s.journal", ds_names[ds]);
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
	xmlDocPtr doc = xmlReadFile(path, NULL, NC_XML_PARSE_OPTS);

	if (doc != NULL && !good_root(doc)) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	return doc;
}

static int
save_cb(int fd, void *arg)
{
	xmlSaveCtxtPtr sc = xmlSaveToFd(fd, "UTF-8", 0);

	if (sc == NULL)
		return -1;
	if (xmlSaveDoc(sc, arg) < 0) {
		xmlSaveClose(sc);
		errno = EIO;
		return -1;
	}
	if (xmlSaveClose(sc) < 0) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int
store_write_doc(const char *path, xmlDocPtr doc)
{
	return atomic_write_with(path, file_mode, save_cb, doc);
}

/* 1 if a node or attribute of the tree under root is in namespace ns. */
static int
ns_in_use(xmlNodePtr root, xmlNsPtr ns)
{
	xmlNodePtr n = root;

	while (n != NULL) {
		if (n->type == XML_ELEMENT_NODE) {
			if (n->ns == ns)
				return 1;
			for (xmlAttrPtr a = n->properties; a != NULL; a = a->next)
				if (a->ns == ns)
					return 1;
			if (n->children != NULL) {
				n = n->children;
				continue;
			}
		}
		while (n != root && n->next == NULL)
			n = n->parent;
		n = n == root ? NULL : n->next;
	}
	return 0;
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
	if (ns == NULL || ns_in_use(root, ns))
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

/* ---- journal ---- */

static uint32_t
fnv1a(uint32_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

static uint32_t
rec_sum(uint64_t seq, uint32_t defop, const void *payload, size_t len)
{
	uint32_t h = 2166136261u;

	h = fnv1a(h, &seq, sizeof(seq));
	h = fnv1a(h, &defop, sizeof(defop));
	return fnv1a(h, payload, len);
}

/* Applies one journal payload to doc. */
static int
replay_one(struct session *s, xmlDocPtr doc, const char *payload, uint32_t len,
    uint32_t defop)
{
	xmlDocPtr edoc = xmlReadMemory(payload, (int)len, NULL, NULL, NC_XML_PARSE_OPTS);
	struct edit_ctx c = { 0 };
	int rc = 0;

	if (edoc == NULL || xmlDocGetRootElement(edoc) == NULL ||
	    (defop & 0xff) > DEFOP_NONE || (defop >> 8) > ERROPT_ROLLBACK) {
		xmlFreeDoc(edoc);
		return -1;
	}
	c.keys = s->ds->keys;
	c.move = 1;		/* edoc is freed right after */
	c.defop = (enum edit_defop)(defop & 0xff);
	c.erropt = (enum edit_erropt)(defop >> 8);
	/* continue-on-error edits are stored with their errors: same result again */
	if (edit_apply(&c, xmlDocGetRootElement(doc), xmlDocGetRootElement(edoc)) > 0 &&
	    c.erropt != ERROPT_CONTINUE) {
		edit_undo(&c);
		rc = -1;
	}
	edit_ctx_clear(&c);
	xmlFreeDoc(edoc);
	return rc;
}

/*
 * Replays the records of the open journal fd from offset *end on, those
 * with seq above cache->seq.  Leaves *end at the end of the last good one.
 */
static void
replay(struct session *s, struct ds_cache *dc, int fd, off_t size)
{
	unsigned char hdr[JR_HDR];
	uint32_t len, defop, sum;
	uint64_t seq;
	char *payload;

	while (dc->jr_end + JR_HDR <= size) {
		if (pread(fd, hdr, JR_HDR, dc->jr_end) != JR_HDR ||
		    memcmp(hdr, JR_MAGIC, 4) != 0)
			break;
		memcpy(&len, hdr + 4, 4);
		memcpy(&seq, hdr + 8, 8);
		memcpy(&defop, hdr + 16, 4);
		memcpy(&sum, hdr + 20, 4);
		if (len > JR_MAX_REC || dc->jr_end + JR_HDR + (off_t)len > size)
			break;
		if ((payload = malloc(len ? len : 1)) == NULL)
			break;
		if (pread(fd, payload, len, dc->jr_end + JR_HDR) != (ssize_t)len ||
		    rec_sum(seq, defop, payload, len) != sum) {
			free(payload);
			break;
		}
		if (seq > dc->seq) {
			if (replay_one(s, dc->doc, payload, len, defop) == -1) {
				log_warnx("journal record %" PRIu64 " does not apply; ignored", seq);
				free(payload);
				break;
			}
			dc->seq = seq;
		}
		free(payload);
		dc->jr_end += JR_HDR + (off_t)len;
	}
}

static int
same_file(const struct stat *a, const struct stat *b)
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
}

static int refresh(struct session *s, enum ds_id ds);

/* A copy of running as the base of the overlay described by file path. */
static xmlDocPtr
overlay_base(struct session *s, const char *path)
{
	struct ds_cache *run = &s->ds->c[DS_RUNNING];
	unsigned long long n = 0;
	xmlDocPtr doc;
	FILE *f;

	if ((f = fopen(path, "re")) != NULL) {
		if (fscanf(f, "%llu", &n) != 1)
			n = 0;
		fclose(f);
	}
	if (refresh(s, DS_RUNNING) == -1)
		return NULL;
	if (run->seq != n)
		log_warnx("candidate overlay on running seq %llu, running is at %llu",
		    n, (unsigned long long)run->seq);
	if ((doc = xmlCopyDoc(run->doc, 1)) == NULL)
		abort();
	return doc;
}

/* Brings ds's cache up to date with the files (under store_lock). */
static int
refresh(struct session *s, enum ds_id ds)
{
	struct ds_cache *dc = &s->ds->c[ds];
	char bp[PATH_MAX], jp[PATH_MAX];
	struct stat bst, jst;
	int have_base, have_jr, fd, overlay = 0;

	base_path(s, ds, bp, sizeof(bp));
	journal_path(s, ds, jp, sizeof(jp));
	have_base = stat(bp, &bst) == 0;
	if (ds == DS_CANDIDATE && !have_base) {
		/* an overlay: its identity is the overlay file's */
		store_path(s, OVERLAY_FILE, bp, sizeof(bp));
		have_base = stat(bp, &bst) == 0;
		overlay = have_base;
	}
	have_jr = stat(jp, &jst) == 0;
	if (dc->doc != NULL && have_base == dc->have_base && overlay == dc->overlay &&
	    (!have_base || same_file(&bst, &dc->base_st))) {
		if (have_jr == dc->have_jr && (!have_jr || same_file(&jst, &dc->jr_st)))
			return 0;
		/* only the journal grew: replay its new records */
		if (have_jr && dc->have_jr && jst.st_dev == dc->jr_st.st_dev &&
		    jst.st_ino == dc->jr_st.st_ino && jst.st_size >= dc->jr_end &&
		    dc->jr_st.st_size == dc->jr_end &&
		    (fd = open(jp, O_RDONLY | O_CLOEXEC)) != -1) {
			if (fstat(fd, &jst) == 0) {
				replay(s, dc, fd, jst.st_size);
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
		if ((dc->doc = overlay_base(s, bp)) == NULL)
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
	if (have_jr && (fd = open(jp, O_RDONLY | O_CLOEXEC)) != -1) {
		if (fstat(fd, &jst) == 0) {
			replay(s, dc, fd, jst.st_size);
			dc->jr_st = jst;
			dc->have_jr = 1;
		}
		close(fd);
	}
	return 0;
}

static int
overlay_present(struct session *s)
{
	char p[PATH_MAX];

	return access(store_path(s, OVERLAY_FILE, p, sizeof(p)), F_OK) == 0;
}

int
store_candidate_present(struct session *s)
{
	char bp[PATH_MAX];

	return access(base_path(s, DS_CANDIDATE, bp, sizeof(bp)), F_OK) == 0 ||
	    overlay_present(s);
}

xmlDocPtr
store_doc(struct session *s, enum ds_id ds)
{
	if (ds == DS_CANDIDATE && !store_candidate_present(s)) {
		store_forget(s, DS_CANDIDATE);
		ds = DS_RUNNING;
	}
	if (refresh(s, ds) == -1)
		return NULL;
	return s->ds->c[ds].doc;
}

/*
 * Writes the overlay file: temp + rename (a new inode for the identity
 * check), not fsynced: the candidate need not survive a power loss, and
 * its journal without the overlay file is ignored.
 */
static int
write_overlay(struct session *s, const char *line, char *p, size_t len)
{
	char tmp[PATH_MAX];
	int fd;

	store_path(s, OVERLAY_FILE, p, len);
	store_path(s, ".overlay.tmp", tmp, sizeof(tmp));
	if ((fd = store_open(tmp, O_WRONLY | O_CREAT | O_TRUNC)) == -1)
		return -1;
	if (write_all(fd, line, strlen(line)) == -1) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	return rename(tmp, p);
}

xmlDocPtr
store_doc_for_edit(struct session *s, enum ds_id ds)
{
	xmlDocPtr run, copy;

	struct ds_state *st = s->ds;
	struct ds_cache *cd = &st->c[DS_CANDIDATE];
	char p[PATH_MAX], line[32], jp[PATH_MAX];
	struct stat ost;

	if (ds == DS_RUNNING && store_pin_candidate(s) == -1)
		return NULL;
	if (ds == DS_CANDIDATE && !store_candidate_present(s)) {
		/*
		 * First change since the last commit: an overlay on running,
		 * and our parsed running document becomes the candidate's.
		 */
		if ((run = store_doc(s, DS_RUNNING)) == NULL)
			return NULL;
		(void)truncate(journal_path(s, DS_CANDIDATE, jp, sizeof(jp)), 0);
		snprintf(line, sizeof(line), "%llu\n", (unsigned long long)st->c[DS_RUNNING].seq);
		if (write_overlay(s, line, p, sizeof(p)) == -1 || stat(p, &ost) == -1) {
			log_warn("%s", p);
			return NULL;
		}
		store_forget(s, DS_CANDIDATE);
		st->stolen = st->c[DS_RUNNING];
		st->stolen.doc = NULL;
		st->have_stolen = 1;
		memset(&st->c[DS_RUNNING], 0, sizeof(st->c[DS_RUNNING]));
		cd->doc = run;
		cd->base_st = ost;
		cd->have_base = 1;
		cd->overlay = 1;
		cd->seq = 0;
		(void)copy;
		return run;
	}
	return store_doc(s, ds);
}

/* Folds the journal into the base when it has grown large. */
static void
maybe_fold(struct session *s, enum ds_id ds)
{
	struct ds_cache *dc = &s->ds->c[ds];
	off_t base = dc->have_base ? dc->base_st.st_size : 0;

	if (dc->jr_end < JR_FOLD_MIN && dc->jr_end < base)
		return;
	if (dc->jr_end < 65536)
		return;
	if (store_replace(s, ds, dc->doc) == -1)
		log_warnx("folding the %s journal failed; kept", ds_names[ds]);
}

/* Makes a new name in datastore-dir durable. */
static void
fsync_dir(struct session *s)
{
	int dfd = open(s->ds->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
}

struct jrec {
	uint32_t	 op;
	const void	*payload;
	uint32_t	 len;
};

/* Appends records (seq after dc->seq) to ds's journal and fdatasyncs; 0 or -1. */
static int
journal_append(struct session *s, enum ds_id ds, const struct jrec *recs, size_t n)
{
	struct ds_cache *dc = &s->ds->c[ds];
	char jp[PATH_MAX];
	unsigned char hdr[JR_HDR];
	uint64_t seq = dc->seq;
	off_t off = dc->have_jr ? dc->jr_end : 0;
	struct iovec iov[2];
	struct stat jst;
	int fd, created;

	journal_path(s, ds, jp, sizeof(jp));
	created = access(jp, F_OK) != 0;
	if ((fd = store_open(jp, O_WRONLY | O_CREAT)) == -1)
		goto fail;
	/* drop a torn tail left by a crash: we append after the last good record */
	if (ftruncate(fd, off) == -1)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		uint32_t sum;
		seq++;
		sum = rec_sum(seq, recs[i].op, recs[i].payload, recs[i].len);
		memcpy(hdr, JR_MAGIC, 4);
		memcpy(hdr + 4, &recs[i].len, 4);
		memcpy(hdr + 8, &seq, 8);
		memcpy(hdr + 16, &recs[i].op, 4);
		memcpy(hdr + 20, &sum, 4);
		iov[0] = (struct iovec){ hdr, JR_HDR };
		iov[1] = (struct iovec){ (void *)recs[i].payload, recs[i].len };
		if (pwritev(fd, iov, 2, off) != (ssize_t)(JR_HDR + recs[i].len))
			goto fail;
		off += JR_HDR + (off_t)recs[i].len;
	}
	if (fdatasync(fd) == -1 || fstat(fd, &jst) == -1)
		goto fail;
	close(fd);
	if (created)
		fsync_dir(s);
	dc->jr_end = jst.st_size;
	dc->jr_st = jst;
	dc->have_jr = 1;
	dc->seq = seq;
	return 0;
fail:
	log_warn("%s", jp);
	if (fd != -1)
		close(fd);
	return -1;
}

/*
 * The record of an edit is written before the edit is applied, because
 * applying moves the request's nodes into the datastore (edit.c): its
 * payload streams to the journal's tail behind a header left blank, so
 * until store_edit_commit writes the header it is a torn tail that no
 * reader replays.  An edit whose record would make the journal reach
 * its fold size is not journaled at all: store_edit_commit rewrites the
 * base instead, which a fold would do right after anyway.
 */
struct rec_writer {
	int		 fd;
	off_t		 off;		/* where the next bytes go */
	uint32_t	 len, limit, sum;
	int		 over, failed;
	size_t		 blen;
	char		 buf[65536];
};

static int
rec_flush(struct rec_writer *w)
{
	size_t done = 0;

	while (done < w->blen) {
		ssize_t n = pwrite(w->fd, w->buf + done, w->blen - done, w->off);
		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			w->failed = 1;
			return -1;
		}
		done += (size_t)n;
		w->off += n;
	}
	w->blen = 0;
	return 0;
}

static int
rec_write_cb(void *ctx, const char *data, int len)
{
	struct rec_writer *w = ctx;

	if (w->over || w->failed || len < 0)
		return -1;
	if ((uint32_t)len >= w->limit - w->len) {
		w->over = 1;	/* too big for the journal: stop serializing */
		return -1;
	}
	w->sum = fnv1a(w->sum, data, (size_t)len);
	w->len += (uint32_t)len;
	for (int done = 0; done < len; ) {
		size_t n = sizeof(w->buf) - w->blen;
		if (n > (size_t)(len - done))
			n = (size_t)(len - done);
		memcpy(w->buf + w->blen, data + done, n);
		w->blen += n;
		done += (int)n;
		if (w->blen == sizeof(w->buf) && rec_flush(w) == -1)
			return -1;
	}
	return len;
}

/*
 * Serializes config with its in-scope namespaces declared on the wrapper
 * (they may sit on <rpc>) into w, without copying the edit.  0, or -1
 * (w->over or w->failed says why).
 */
static int
rec_serialize(struct rec_writer *w, xmlNodePtr config)
{
	xmlOutputBufferPtr out = xmlOutputBufferCreateIO(rec_write_cb, NULL, w, NULL);
	xmlBufferPtr head;
	xmlNsPtr *nss;

	if (out == NULL || (head = xmlBufferCreate()) == NULL)
		abort();
	xmlBufferCCat(head, "<config");
	if ((nss = xmlGetNsList(config->doc, config)) != NULL) {
		for (int i = 0; nss[i] != NULL; i++) {
			xmlBufferCCat(head, nss[i]->prefix != NULL ? " xmlns:" : " xmlns");
			if (nss[i]->prefix != NULL)
				xmlBufferCat(head, nss[i]->prefix);
			xmlBufferCCat(head, "=");
			xmlBufferWriteQuotedString(head, nss[i]->href);
		}
		xmlFree(nss);
	}
	xmlBufferCCat(head, ">");
	xmlOutputBufferWrite(out, xmlBufferLength(head), (const char *)xmlBufferContent(head));
	xmlBufferFree(head);
	for (xmlNodePtr ch = config->children; ch != NULL && !w->over && !w->failed;
	    ch = ch->next)
		xmlNodeDumpOutput(out, config->doc, ch, 0, 0, NULL);
	xmlOutputBufferWriteString(out, "</config>");
	if (xmlOutputBufferClose(out) < 0 || w->over || w->failed)
		return -1;
	return rec_flush(w);
}

int
store_edit_begin(struct session *s, enum ds_id ds, xmlNodePtr config,
    enum edit_defop defop, enum edit_erropt erropt, struct store_edit *se)
{
	struct ds_cache *dc = &s->ds->c[ds];
	off_t base = dc->have_base ? dc->base_st.st_size : 0, fold_at;
	struct rec_writer *w;
	char jp[PATH_MAX];

	memset(se, 0, sizeof(*se));
	se->ds = ds;
	se->fd = -1;
	se->off = dc->have_jr ? dc->jr_end : 0;
	se->seq = dc->seq + 1;
	se->op = (uint32_t)defop | (uint32_t)erropt << 8;
	/* the journal size at which maybe_fold rewrites the base */
	fold_at = base < JR_FOLD_MIN ? base : JR_FOLD_MIN;
	if (fold_at < 65536)
		fold_at = 65536;
	if (se->off + JR_HDR >= fold_at)
		return 0;		/* base rewrite */
	journal_path(s, ds, jp, sizeof(jp));
	se->created = access(jp, F_OK) != 0;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	if ((w->fd = store_open(jp, O_WRONLY | O_CREAT)) == -1 ||
	    ftruncate(w->fd, se->off) == -1) {	/* drop a torn tail left by a crash */
		log_warn("%s", jp);
		goto fail;
	}
	w->off = se->off + JR_HDR;
	w->limit = (uint32_t)(fold_at - se->off - JR_HDR);
	if (w->limit > JR_MAX_REC)
		w->limit = JR_MAX_REC;
	w->sum = fnv1a(fnv1a(2166136261u, &se->seq, sizeof(se->seq)), &se->op,
	    sizeof(se->op));
	if (rec_serialize(w, config) == -1) {
		if (!w->over) {
			log_warn("%s", jp);
			goto fail;
		}
		/* big: the base is rewritten instead */
		if (ftruncate(w->fd, se->off) == -1) {
			log_warn("%s", jp);
			goto fail;
		}
		close(w->fd);
		free(w);
		return 0;
	}
	se->fd = w->fd;
	se->len = w->len;
	se->sum = w->sum;
	free(w);
	return 0;
fail:
	if (w->fd != -1) {
		(void)ftruncate(w->fd, se->off);
		close(w->fd);
	}
	free(w);
	return -1;
}

void
store_edit_abort(struct session *s, struct store_edit *se)
{
	(void)s;
	if (se->fd == -1)
		return;
	(void)ftruncate(se->fd, se->off);
	close(se->fd);
	se->fd = -1;
}

int
store_edit_commit(struct session *s, struct store_edit *se)
{
	struct ds_cache *dc = &s->ds->c[se->ds];
	unsigned char hdr[JR_HDR];
	struct stat jst;
	char jp[PATH_MAX];

	if (se->fd == -1)
		return store_replace(s, se->ds, dc->doc);
	/* nothing may have moved the journal since store_edit_begin */
	if (dc->seq + 1 != se->seq || (dc->have_jr ? dc->jr_end : 0) != se->off) {
		log_warnx("%s journal moved during an edit", ds_names[se->ds]);
		store_edit_abort(s, se);
		return -1;
	}
	memcpy(hdr, JR_MAGIC, 4);
	memcpy(hdr + 4, &se->len, 4);
	memcpy(hdr + 8, &se->seq, 8);
	memcpy(hdr + 16, &se->op, 4);
	memcpy(hdr + 20, &se->sum, 4);
	if (pwrite(se->fd, hdr, JR_HDR, se->off) != JR_HDR ||
	    fdatasync(se->fd) == -1 || fstat(se->fd, &jst) == -1) {
		log_warn("%s", journal_path(s, se->ds, jp, sizeof(jp)));
		store_edit_abort(s, se);
		return -1;
	}
	close(se->fd);
	se->fd = -1;
	if (se->created)
		fsync_dir(s);
	dc->jr_end = jst.st_size;
	dc->jr_st = jst;
	dc->have_jr = 1;
	dc->seq = se->seq;
	return 0;
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
	if (doc != dc->doc && refresh(s, ds) == -1)
		log_warnx("%s: replacing an unreadable datastore", ds_names[ds]);
	set_doc_seq(doc, dc->seq);
	base_path(s, ds, bp, sizeof(bp));
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
	}
	dc->base_st = bst;
	dc->have_base = 1;
	dc->overlay = 0;
	dc->jr_end = 0;
	dc->have_jr = 0;
	if ((fd = open(jp, O_WRONLY | O_CLOEXEC)) != -1) {
		if (ftruncate(fd, 0) == 0 && fsync(fd) == 0 && fstat(fd, &jst) == 0) {
			dc->jr_st = jst;
			dc->have_jr = 1;
		}
		close(fd);
	}
	return 0;
}

void
store_drop_candidate(struct session *s)
{
	char p[PATH_MAX];

	unlink(base_path(s, DS_CANDIDATE, p, sizeof(p)));
	/* emptied, not removed: re-creating it would cost a folder fsync */
	(void)truncate(journal_path(s, DS_CANDIDATE, p, sizeof(p)), 0);
	unlink(store_path(s, "candidate.owners", p, sizeof(p)));
	unlink(store_path(s, OVERLAY_FILE, p, sizeof(p)));
	store_forget(s, DS_CANDIDATE);
	s->ds->have_stolen = 0;
}

int
store_pin_candidate(struct session *s)
{
	struct ds_cache *cd = &s->ds->c[DS_CANDIDATE];
	char bp[PATH_MAX], p[PATH_MAX];

	if (access(base_path(s, DS_CANDIDATE, bp, sizeof(bp)), F_OK) == 0 ||
	    !overlay_present(s))
		return 0;
	if (refresh(s, DS_CANDIDATE) == -1 || cd->doc == NULL)
		return -1;
	if (store_replace(s, DS_CANDIDATE, cd->doc) == -1)
		return -1;
	unlink(store_path(s, OVERLAY_FILE, p, sizeof(p)));
	s->ds->have_stolen = 0;
	return 0;
}

/* The valid records of journal path; *buf holds their payloads.  Count or -1. */
static ssize_t
journal_read_all(const char *path, char **buf, struct jrec **recs)
{
	struct stat st;
	size_t n = 0, cap = 0;
	off_t off = 0;
	int fd;

	*buf = NULL;
	*recs = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) == -1 || st.st_size > (off_t)JR_MAX_REC * 2 ||
	    (*buf = malloc((size_t)st.st_size + 1)) == NULL ||
	    pread(fd, *buf, (size_t)st.st_size, 0) != st.st_size) {
		close(fd);
		return -1;
	}
	close(fd);
	while (off + JR_HDR <= st.st_size) {
		unsigned char *h = (unsigned char *)*buf + off;
		uint32_t len, op, sum;
		uint64_t seq;
		if (memcmp(h, JR_MAGIC, 4) != 0)
			break;
		memcpy(&len, h + 4, 4);
		memcpy(&seq, h + 8, 8);
		memcpy(&op, h + 16, 4);
		memcpy(&sum, h + 20, 4);
		if (len > JR_MAX_REC || off + JR_HDR + (off_t)len > st.st_size ||
		    rec_sum(seq, op, h + JR_HDR, len) != sum)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct jrec *r = reallocarray(*recs, cap, sizeof(**recs));
			if (r == NULL)
				return -1;
			*recs = r;
		}
		(*recs)[n++] = (struct jrec){ op, h + JR_HDR, len };
		off += JR_HDR + (off_t)len;
	}
	return (ssize_t)n;
}

int
store_commit_overlay(struct session *s)
{
	struct ds_state *st = s->ds;
	struct ds_cache *cd = &st->c[DS_CANDIDATE], *rd = &st->c[DS_RUNNING];
	char bp[PATH_MAX], jp[PATH_MAX];
	struct stat bst, jst;
	struct jrec *recs;
	char *buf;
	ssize_t n;
	int have_jr;

	if (!st->have_stolen || !overlay_present(s) ||
	    access(base_path(s, DS_CANDIDATE, bp, sizeof(bp)), F_OK) == 0 ||
	    refresh(s, DS_CANDIDATE) == -1 || !cd->overlay)
		return 0;
	/* running must be exactly what the overlay was made on */
	base_path(s, DS_RUNNING, bp, sizeof(bp));
	journal_path(s, DS_RUNNING, jp, sizeof(jp));
	have_jr = stat(jp, &jst) == 0;
	if (stat(bp, &bst) == -1 || !same_file(&bst, &st->stolen.base_st) ||
	    have_jr != st->stolen.have_jr ||
	    (have_jr && !same_file(&jst, &st->stolen.jr_st)))
		return 0;
	if ((n = journal_read_all(journal_path(s, DS_CANDIDATE, jp, sizeof(jp)),
	    &buf, &recs)) == -1) {
		free(buf);
		free(recs);
		return 0;
	}
	store_forget(s, DS_RUNNING);
	*rd = st->stolen;
	if (journal_append(s, DS_RUNNING, recs, (size_t)n) == -1) {
		memset(rd, 0, sizeof(*rd));
		free(buf);
		free(recs);
		return -1;
	}
	free(buf);
	free(recs);
	rd->doc = cd->doc;		/* the candidate's document is running's now */
	cd->doc = NULL;
	store_drop_candidate(s);
	maybe_fold(s, DS_RUNNING);
	return 1;
}

/* The session-ids in candidate.owners; returns how many (at most max). */
static int
read_owners(struct session *s, uint32_t *ids, int max)
{
	char p[PATH_MAX];
	FILE *f = fopen(store_path(s, "candidate.owners", p, sizeof(p)), "re");
	unsigned long v;
	int n = 0;

	if (f == NULL)
		return 0;
	while (n < max && fscanf(f, "%lu", &v) == 1)
		ids[n++] = (uint32_t)v;
	fclose(f);
	return n;
}

void
store_candidate_owner(struct session *s)
{
	uint32_t ids[64];
	int n = read_owners(s, ids, 64), fd;
	char p[PATH_MAX], line[32];

	for (int i = 0; i < n; i++)
		if (ids[i] == s->id)
			return;
	fd = store_open(store_path(s, "candidate.owners", p, sizeof(p)),
	    O_WRONLY | O_CREAT | O_APPEND);
	if (fd == -1)
		return;
	snprintf(line, sizeof(line), "%u\n", s->id);
	if (write_all(fd, line, strlen(line)) == -1)
		log_warn("candidate.owners");
	close(fd);
}

int
ds_candidate_changed_by_other(struct session *s)
{
	uint32_t ids[64];
	int n, other = 0;

	if (s->ds == NULL || store_lock(s, 0) == -1)
		return 0;
	if (store_candidate_present(s)) {
		n = read_owners(s, ids, 64);
		for (int i = 0; i < n; i++)
			if (ids[i] != s->id)
				other = 1;
		if (n == 0)
			other = 1;	/* changed by a session that left no name */
	}
	store_unlock(s);
	return other;
}

void
ds_candidate_discard(struct session *s)
{
	if (s->ds == NULL || store_lock(s, 1) == -1)
		return;
	store_drop_candidate(s);
	store_unlock(s);
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
	file_mode = shared_mode(dir, 0);
	if (store_lock(s, 1) == -1)
		return -1;
	for (int ds = DS_RUNNING; ds < DS_COUNT; ds++) {
		if (ds == DS_CANDIDATE)
			continue;
		base_path(s, ds, p, sizeof(p));
		if (access(p, F_OK) != 0 && store_replace(s, ds, store_new_doc()) == -1) {
			store_unlock(s);
			return -1;
		}
	}
	store_unlock(s);
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
