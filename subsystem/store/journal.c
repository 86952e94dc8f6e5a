/*
 * The edit journal of a datastore: datastore-dir/running.journal and
 * candidate.journal hold the edits applied since the base document.
 *
 * Records: "NCJ1" len(u32) seq(u64) default-operation(u32)
 * checksum(u32 FNV-1a of seq, defop and payload), then the edit-config
 * <config> element as XML.  Appended and fdatasync'ed before the reply.
 * Loading = parse the base, then replay the records with seq above the
 * base's; a torn or corrupt tail ends the replay (and the next writer
 * truncates it), so a crash leaves the old or the new content.  When
 * the journal outgrows its base (or 4 MB) it is folded in: the base is
 * rewritten with the new seq and the journal truncated; a crash between
 * the two only leaves records the seq skips.
 *
 * An edit's record is streamed to the journal before the edit is applied
 * (applying moves the request's nodes into the datastore) and only made
 * valid once the edit is kept; an edit whose record would reach the fold
 * size rewrites the base instead (store_edit_begin).
 */
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

#include "log.h"
#include "journal.h"
#include "packed.h"
#include "xmlout.h"

#define JR_MAGIC	"NCJ1"
#define JR_HDR		24
#define JR_MAX_REC	(1u << 30)
#define JR_FOLD_MIN	(4 * 1024 * 1024)

const char *
journal_path(struct session *s, enum ds_id ds, char *buf, size_t len)
{
	char name[64];

	snprintf(name, sizeof(name), "%s.journal", ds_name(ds));
	return store_path(s, name, buf, len);
}

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
	xmlDocPtr edoc = packed_read_memory(payload, (int)len, NC_XML_PARSE_OPTS);
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
void
journal_replay(struct session *s, struct ds_cache *dc, int fd, off_t size)
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

/* Folds the journal into the base when it has grown large. */
void
journal_maybe_fold(struct session *s, enum ds_id ds)
{
	struct ds_cache *dc = &s->ds->c[ds];
	off_t base = dc->have_base ? dc->base_st.st_size : 0;

	if (dc->jr_end < JR_FOLD_MIN && dc->jr_end < base)
		return;
	if (dc->jr_end < 65536)
		return;
	if (store_replace(s, ds, dc->doc) == -1)
		log_warnx("folding the %s journal failed; kept", ds_name(ds));
}

/* Appends records (seq after dc->seq) to ds's journal and fdatasyncs; 0 or -1. */
int
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
		store_fsync_dir(s);
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
rec_put(void *ctx, const char *data, size_t len)
{
	return len > INT32_MAX || rec_write_cb(ctx, data, (int)len) < 0 ? -1 : 0;
}

static int
rec_serialize(struct rec_writer *w, xmlNodePtr config)
{
	struct xmlout *xo = xo_new_writer(rec_put, w);
	xmlNsPtr *nss;

	if (xo == NULL)
		abort();
	xo_str(xo, "<config");
	if ((nss = xmlGetNsList(config->doc, config)) != NULL) {
		for (int i = 0; nss[i] != NULL; i++) {
			xo_str(xo, nss[i]->prefix != NULL ? " xmlns:" : " xmlns");
			if (nss[i]->prefix != NULL)
				xo_str(xo, (const char *)nss[i]->prefix);
			xo_str(xo, "=\"");
			xo_attr_value(xo, (const char *)nss[i]->href);
			xo_str(xo, "\"");
		}
		xmlFree(nss);
	}
	xo_str(xo, ">");
	for (xmlNodePtr ch = config->children; ch != NULL && !w->over && !w->failed;
	    ch = ch->next)
		xo_node(xo, ch, NULL);
	xo_str(xo, "</config>");
	if (xo_finish(xo) < 0 || w->over || w->failed)
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
		log_warnx("%s journal moved during an edit", ds_name(se->ds));
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
		store_fsync_dir(s);
	dc->jr_end = jst.st_size;
	dc->jr_st = jst;
	dc->have_jr = 1;
	dc->seq = se->seq;
	/* a new overlay's file only now: it must not name a stale journal */
	if (se->ds == DS_CANDIDATE && candidate_overlay_settle(s) == -1)
		return -1;
	return 0;
}

/* The valid records of journal path; *buf holds their payloads.  Count or -1. */
ssize_t
journal_read_all(const char *path, char **buf, struct jrec **recs)
{
	struct stat st;
	size_t n = 0, cap = 0;
	off_t off = 0;
	int fd;

	*buf = NULL;
	*recs = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
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
		(*recs)[n++] = (struct jrec){ op, h + JR_HDR, len, seq };
		off += JR_HDR + (off_t)len;
	}
	return (ssize_t)n;
}

uint64_t
journal_last_seq(struct session *s, enum ds_id ds)
{
	char jp[PATH_MAX], *buf;
	struct jrec *recs;
	ssize_t n = journal_read_all(journal_path(s, ds, jp, sizeof(jp)), &buf, &recs);
	uint64_t seq = 0;

	for (ssize_t i = 0; i < n; i++)
		if (recs[i].seq > seq)
			seq = recs[i].seq;
	free(buf);
	free(recs);
	return seq;
}
