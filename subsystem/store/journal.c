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
#include "store_int.h"
#include "xmalloc.h"

#define FNV_BASIS	2166136261u
#define FNV_PRIME	16777619u

/* Where the header's fields sit. */
#define JR_OFF_LEN	4
#define JR_OFF_SEQ	8
#define JR_OFF_OP	16
#define JR_OFF_SUM	20

const char *
journal_name(enum ds_id ds, char *buf, size_t len)
{
	snprintf(buf, len, "%s.journal", ds_name(ds));
	return buf;
}

void
jr_encode(unsigned char out[JR_HDR_SIZE], const struct jr_header *h)
{
	memcpy(out, JR_MAGIC, JR_MAGIC_LEN);
	memcpy(out + JR_OFF_LEN, &h->len, 4);
	memcpy(out + JR_OFF_SEQ, &h->seq, 8);
	memcpy(out + JR_OFF_OP, &h->op, 4);
	memcpy(out + JR_OFF_SUM, &h->sum, 4);
}

int
jr_decode(const unsigned char in[JR_HDR_SIZE], struct jr_header *h)
{
	if (memcmp(in, JR_MAGIC, JR_MAGIC_LEN) != 0)
		return -1;
	memcpy(&h->len, in + JR_OFF_LEN, 4);
	memcpy(&h->seq, in + JR_OFF_SEQ, 8);
	memcpy(&h->op, in + JR_OFF_OP, 4);
	memcpy(&h->sum, in + JR_OFF_SUM, 4);
	return 0;
}

static uint32_t
fnv1a(uint32_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* The checksum's start: seq and op (the payload follows, possibly streamed). */
static uint32_t
sum_start(uint64_t seq, uint32_t op)
{
	return fnv1a(fnv1a(FNV_BASIS, &seq, sizeof(seq)), &op, sizeof(op));
}

uint32_t
jr_sum(uint64_t seq, uint32_t op, const void *payload, size_t len)
{
	return fnv1a(sum_start(seq, op), payload, len);
}

/* The default-operation word of a record: defop | erropt << 8. */
static uint32_t
op_word(enum edit_defop defop, enum edit_erropt erropt)
{
	return (uint32_t)defop | (uint32_t)erropt << 8;
}

/*
 * Records replayed by one load or refresh before a big list's lookups
 * build its index: a one-entry record replayed into a new session built
 * the 50,000-entry list's (4 MB), and a rewrite in that session then
 * peaked at 41.5 MB instead of 36.4 (bench_memory accepted_nacm); one
 * by one, a lookup reads the entries' keys (a few ms), so a longer
 * journal builds it.
 */
#define REPLAY_UNINDEXED	8

/* Applies one journal payload to doc; no_index: build no list index. */
static int
replay_one(struct store *st, xmlDocPtr doc, const char *payload, uint32_t len,
    uint32_t op, int no_index)
{
	xmlDocPtr edoc = packed_read_memory(payload, (int)len, NC_XML_PARSE_OPTS);
	struct edit_ctx c = { 0 };
	int rc = 0;

	if (edoc == NULL || xmlDocGetRootElement(edoc) == NULL ||
	    (op & 0xff) > DEFOP_NONE || (op >> 8) > ERROPT_ROLLBACK) {
		xmlFreeDoc(edoc);
		return -1;
	}
	c.keys = store_keys(st);
	c.schema = st->yang;	/* the rules the edit was made with */
	c.move = 1;		/* edoc is freed right after */
	c.no_index = no_index;
	c.defop = (enum edit_defop)(op & 0xff);
	c.erropt = (enum edit_erropt)(op >> 8);
	/* continue-on-error edits are stored with their errors: same result again */
	if (edit_apply(&c, xmlDocGetRootElement(doc), xmlDocGetRootElement(edoc)) > 0 &&
	    c.erropt != ERROPT_CONTINUE) {
		edit_undo(&c);
		tree_unique_undone();
		rc = -1;
	} else
		tree_unique_follow(&c);	/* another session's edit: kept unique values follow */
	edit_ctx_clear(&c);
	xmlFreeDoc(edoc);
	return rc;
}

void
journal_replay(struct store *st, struct ds_cache *dc, int fd, off_t size)
{
	unsigned char hdr[JR_HDR_SIZE];
	struct jr_header h;
	char *payload;
	unsigned nrec = 0;

	while (dc->jr_end + JR_HDR_SIZE <= size) {
		if (pread(fd, hdr, JR_HDR_SIZE, dc->jr_end) != JR_HDR_SIZE ||
		    jr_decode(hdr, &h) == -1)
			break;
		if (h.len > JR_MAX_REC || dc->jr_end + JR_HDR_SIZE + (off_t)h.len > size)
			break;
		payload = xmalloc(h.len);
		if (pread(fd, payload, h.len, dc->jr_end + JR_HDR_SIZE) != (ssize_t)h.len ||
		    jr_sum(h.seq, h.op, payload, h.len) != h.sum) {
			free(payload);
			break;
		}
		if (h.seq > dc->seq) {
			if (replay_one(st, dc->doc, payload, h.len, h.op,
			    nrec++ < REPLAY_UNINDEXED) == -1) {
				log_warnx("journal record %" PRIu64 " does not apply; ignored", h.seq);
				free(payload);
				break;
			}
			dc->seq = h.seq;
		}
		free(payload);
		dc->jr_end += JR_HDR_SIZE + (off_t)h.len;
	}
}

/* The journal size at which ds is folded: its base's size, within bounds. */
static off_t
fold_size(const struct ds_cache *dc)
{
	off_t base = dc->have_base ? dc->base_st.st_size : 0;
	off_t at = base < JR_FOLD_MIN ? base : JR_FOLD_MIN;

	return at < JR_FOLD_FLOOR ? JR_FOLD_FLOOR : at;
}

void
journal_maybe_fold(struct store *st, enum ds_id ds)
{
	struct ds_cache *dc = &st->c[ds];

	if (dc->jr_end < fold_size(dc))
		return;
	if (store_replace(st, ds, dc->doc) == -1)
		log_warnx("folding the %s journal failed; kept", ds_name(ds));
}

/* Opens ds's journal for writing at off, cutting a torn tail a crash left. */
static int
open_for_append(struct store *st, enum ds_id ds, off_t off, int *created)
{
	char jn[STORE_NAME_MAX];
	int fd;

	journal_name(ds, jn, sizeof(jn));
	/*
	 * Created here exactly when the open without O_CREAT finds none (the
	 * folder is then fsynced): one openat on the usual path, where a
	 * stat first made two.
	 */
	*created = 0;
	if ((fd = dsdir_open_file(st->dd, DSD_TOP, jn, O_WRONLY)) == -1 && errno == ENOENT) {
		*created = 1;
		fd = dsdir_open_file(st->dd, DSD_TOP, jn, O_WRONLY | O_CREAT);
	}
	if (fd == -1)
		return -1;
	if (ftruncate(fd, off) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The journal is durable up to what fd holds: the cache says so. */
static int
journal_synced(struct store *st, enum ds_id ds, int fd, int created, uint64_t seq)
{
	struct ds_cache *dc = &st->c[ds];
	struct stat jst;

	if (fdatasync(fd) == -1 || fstat(fd, &jst) == -1)
		return -1;
	if (created)
		dsdir_fsync(st->dd, DSD_TOP);
	dc->jr_end = jst.st_size;
	dc->jr_st = jst;
	dc->have_jr = 1;
	dc->seq = seq;
	return 0;
}

int
journal_append(struct store *st, enum ds_id ds, const struct jrec *recs, size_t n)
{
	struct ds_cache *dc = &st->c[ds];
	unsigned char hdr[JR_HDR_SIZE];
	uint64_t seq = dc->seq;
	off_t off = dc->have_jr ? dc->jr_end : 0;
	struct iovec iov[2];
	struct jr_header h;
	int fd, created;

	if ((fd = open_for_append(st, ds, off, &created)) == -1)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		h.seq = ++seq;
		h.len = recs[i].len;
		h.op = recs[i].op;
		h.sum = jr_sum(h.seq, h.op, recs[i].payload, h.len);
		jr_encode(hdr, &h);
		iov[0] = (struct iovec){ hdr, JR_HDR_SIZE };
		iov[1] = (struct iovec){ (void *)recs[i].payload, recs[i].len };
		if (pwritev(fd, iov, 2, off) != (ssize_t)(JR_HDR_SIZE + recs[i].len))
			goto fail;
		off += JR_HDR_SIZE + (off_t)recs[i].len;
	}
	if (journal_synced(st, ds, fd, created, seq) == -1)
		goto fail;
	close(fd);
	return 0;
fail:
	log_warn("%s journal", ds_name(ds));
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
rec_put(void *ctx, const char *data, size_t len)
{
	struct rec_writer *w = ctx;

	if (w->over || w->failed)
		return -1;
	if (len >= w->limit - w->len) {
		w->over = 1;	/* too big for the journal: stop serializing */
		return -1;
	}
	w->sum = fnv1a(w->sum, data, len);
	w->len += (uint32_t)len;
	for (size_t done = 0; done < len; ) {
		size_t n = sizeof(w->buf) - w->blen;
		if (n > len - done)
			n = len - done;
		memcpy(w->buf + w->blen, data + done, n);
		w->blen += n;
		done += n;
		if (w->blen == sizeof(w->buf) && rec_flush(w) == -1)
			return -1;
	}
	return 0;
}

/*
 * Serializes config with its in-scope namespaces declared on the wrapper
 * (they may sit on <rpc>) into w, without copying the edit.  0, or -1
 * (w->over or w->failed says why).
 */
static int
rec_serialize(struct rec_writer *w, xmlNodePtr config)
{
	struct xmlout *xo = xo_new_writer(rec_put, w);
	xmlNsPtr *nss;

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
store_edit_begin(struct store *st, enum ds_id ds, xmlNodePtr config,
    enum edit_defop defop, enum edit_erropt erropt, struct store_edit *se)
{
	struct ds_cache *dc = &st->c[ds];
	off_t fold_at = fold_size(dc);
	struct rec_writer *w;

	memset(se, 0, sizeof(*se));
	se->ds = ds;
	se->fd = -1;
	se->off = dc->have_jr ? dc->jr_end : 0;
	se->seq = dc->seq + 1;
	se->op = op_word(defop, erropt);
	if (se->off + JR_HDR_SIZE >= fold_at)
		return 0;		/* base rewrite */
	w = xcalloc(1, sizeof(*w));
	if ((w->fd = open_for_append(st, ds, se->off, &se->created)) == -1) {
		log_warn("%s journal", ds_name(ds));
		goto fail;
	}
	w->off = se->off + JR_HDR_SIZE;
	w->limit = (uint32_t)(fold_at - se->off - JR_HDR_SIZE);
	if (w->limit > JR_MAX_REC)
		w->limit = JR_MAX_REC;
	w->sum = sum_start(se->seq, se->op);
	if (rec_serialize(w, config) == -1) {
		if (!w->over) {
			log_warn("%s journal", ds_name(ds));
			goto fail;
		}
		/* big: the base is rewritten instead */
		if (ftruncate(w->fd, se->off) == -1) {
			log_warn("%s journal", ds_name(ds));
			goto fail;
		}
		close(w->fd);
		free(w);
		return 0;
	}
	if (st->max_size > 0 && (uint64_t)(dc->have_base ? dc->base_st.st_size : 0) +
	    (uint64_t)w->off > st->max_size) {
		/* base + journal may pass max-datastore-size: a base rewrite counts exactly */
		if (ftruncate(w->fd, se->off) == -1) {
			log_warn("%s journal", ds_name(ds));
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
store_edit_abort(struct store *st, struct store_edit *se)
{
	(void)st;
	if (se->fd == -1)
		return;
	(void)ftruncate(se->fd, se->off);
	close(se->fd);
	se->fd = -1;
}

int
store_edit_commit(struct store *st, struct store_edit *se)
{
	struct ds_cache *dc = &st->c[se->ds];
	unsigned char hdr[JR_HDR_SIZE];
	struct jr_header h = { se->len, se->seq, se->op, se->sum };

	if (se->fd == -1)
		return store_replace(st, se->ds, dc->doc);
	/* nothing may have moved the journal since store_edit_begin */
	if (dc->seq + 1 != se->seq || (dc->have_jr ? dc->jr_end : 0) != se->off) {
		log_warnx("%s journal moved during an edit", ds_name(se->ds));
		store_edit_abort(st, se);
		return -1;
	}
	jr_encode(hdr, &h);
	if (pwrite(se->fd, hdr, JR_HDR_SIZE, se->off) != JR_HDR_SIZE ||
	    journal_synced(st, se->ds, se->fd, se->created, se->seq) == -1) {
		log_warn("%s journal", ds_name(se->ds));
		store_edit_abort(st, se);
		return -1;
	}
	close(se->fd);
	se->fd = -1;
	/* a new overlay's file only now: it must not name a stale journal */
	if (se->ds == DS_CANDIDATE && candidate_overlay_settle(st) == -1)
		return -1;
	return 0;
}

ssize_t
journal_read_all(struct store *st, enum ds_id ds, char **buf, struct jrec **recs)
{
	char jn[STORE_NAME_MAX];
	struct jr_header h;
	struct stat sb;
	size_t n = 0, cap = 0;
	off_t off = 0;
	int fd;

	*buf = NULL;
	*recs = NULL;
	if ((fd = dsdir_open_file(st->dd, DSD_TOP, journal_name(ds, jn, sizeof(jn)),
	    O_RDONLY)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &sb) == -1 || sb.st_size > (off_t)JR_MAX_REC * 2) {
		close(fd);
		return -1;
	}
	*buf = xmalloc((size_t)sb.st_size + 1);
	if (pread(fd, *buf, (size_t)sb.st_size, 0) != sb.st_size) {
		close(fd);
		return -1;
	}
	close(fd);
	while (off + JR_HDR_SIZE <= sb.st_size) {
		unsigned char *p = (unsigned char *)*buf + off;

		if (jr_decode(p, &h) == -1 || h.len > JR_MAX_REC ||
		    off + JR_HDR_SIZE + (off_t)h.len > sb.st_size ||
		    jr_sum(h.seq, h.op, p + JR_HDR_SIZE, h.len) != h.sum)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			*recs = xreallocarray(*recs, cap, sizeof(**recs));
		}
		(*recs)[n++] = (struct jrec){ h.op, p + JR_HDR_SIZE, h.len, h.seq };
		off += JR_HDR_SIZE + (off_t)h.len;
	}
	return (ssize_t)n;
}

uint64_t
journal_last_seq(struct store *st, enum ds_id ds)
{
	struct jrec *recs;
	char *buf;
	ssize_t n = journal_read_all(st, ds, &buf, &recs);
	uint64_t seq = 0;

	for (ssize_t i = 0; i < n; i++)
		if (recs[i].seq > seq)
			seq = recs[i].seq;
	free(buf);
	free(recs);
	return seq;
}
