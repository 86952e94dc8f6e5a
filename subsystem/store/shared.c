/*
 * Running as committed, shared by sessions: datastore-dir/running.shared.
 *
 * Every new session used to parse running.xml (about 1 s and a 30 MB
 * tree for a 10 MB store) before its first get-config could answer, and
 * every concurrent session held a tree of its own.  running.shared is
 * the <data> content of that reply, serialized once, with the identity
 * (stat: dev, inode, size, mtime) of running.xml and running.journal it
 * was made from.  A session that holds no tree of running and finds the
 * form current (same identity, under the shared write lock, so no write
 * is under way) keeps it open read-only and streams it as the reply (the
 * same bytes its own tree would have given) from the page cache, one
 * copy for every session.  Not mapped and not read: sendfile(2)
 * (netconf/frameout.c) moves its page-cache pages to the output, with no
 * page tables to set up (about 10 ms for a 10 MB mapping here) and no
 * copy through a buffer of the session.
 *
 * Who writes it: never a writer (an edit pays nothing for it).  A
 * session whose get-config found the form missing or stale parses
 * running as before; after its reply (store_shared_publish) it writes
 * the form from that tree, if the tree is still running exactly as it
 * was loaded, stamped with the identity it was loaded at.  So does a
 * session that NACM keeps from reading all of running (every account
 * but the recovery one: store_shared_want), though it cannot send the
 * form whole: its keyed filters, and those of the sessions after it,
 * read entries through the index, and when its read rules decide each
 * top-level node whole, its get-config sends the readable nodes' ranges
 * the index records (store_shared_tops).  The write is
 * atomic (temp file, fsync, rename: dsdir_write_atomic), so a reader
 * sees the old form or the new one, never part of one; a publisher
 * killed half-way leaves a temp file (removed by a later session:
 * leftovers.c) and the old form.  A form stamped
 * with an identity running no longer has is only ignored: running
 * changed since, and the next session that misses writes a new one.
 *
 * What a session sees: running.xml plus its journal hold committed
 * content only (edits of running are durable before their reply; the
 * candidate lives in files of its own), so a form keyed by them never
 * shows another session's uncommitted change.  A session that edits
 * holds a tree of running from then on and answers from it, its own
 * changes included, as before.
 *
 * Whoever writes the form writes running.index right after it: where
 * each list entry lies in it, for filters by key (index_table.c).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "log.h"
#include "xmalloc.h"
#include "store_int.h"

#define SHARED_MAGIC	"NCSHARE1"
/* running's files by name: this file calls none of the folder's others
   (but leftovers.c, which calls none, and index_table.c and index_read.c, its index) */
#define RUNNING_BASE	"running.xml"
#define RUNNING_JOURNAL	"running.journal"

/* The file: this header, then len bytes of <data> content. */
struct shared_hdr {
	char		 magic[8];
	uint64_t	 id[SHARED_ID_WORDS];
	uint64_t	 empty;		/* the reply is <data/> */
	uint64_t	 len;
};

/* The identity of running's files, as the words a form is stamped with. */
static void
put_stat(uint64_t *w, int have, const struct stat *sb)
{
	w[0] = (uint64_t)have;
	w[1] = have ? (uint64_t)sb->st_dev : 0;
	w[2] = have ? (uint64_t)sb->st_ino : 0;
	w[3] = have ? (uint64_t)sb->st_size : 0;
	w[4] = have ? (uint64_t)sb->st_mtim.tv_sec : 0;
	w[5] = have ? (uint64_t)sb->st_mtim.tv_nsec : 0;
}

void
shared_make_id(uint64_t id[SHARED_ID_WORDS], int have_base, const struct stat *bst,
    int have_jr, const struct stat *jst)
{
	put_stat(id, have_base, bst);
	put_stat(id + 6, have_jr, jst);
}

/* running's identity now (under store_lock); -1 when running.xml is missing. */
int
shared_running_id(struct store *st, uint64_t id[SHARED_ID_WORDS])
{
	struct stat bst, jst;
	int have_jr;

	if (dsdir_stat(st->dd, DSD_TOP, RUNNING_BASE, &bst) == -1)
		return -1;
	have_jr = dsdir_stat(st->dd, DSD_TOP, RUNNING_JOURNAL, &jst) == 0;
	shared_make_id(id, 1, &bst, have_jr, &jst);
	return 0;
}

static void
drop_form(struct store_shared *sh)
{
	if (sh->fd != -1)
		close(sh->fd);
	sh->fd = -1;
	sh->len = 0;
	free(sh->named);
	sh->named = NULL;
	sh->nnamed = 0;
}

/* Reads the header of the form open on fd, if the form is whole; 0 or -1. */
static int
whole_form(int fd, struct shared_hdr *h, struct stat *sb)
{
	if (fstat(fd, sb) == -1 || sb->st_size < (off_t)sizeof(*h) ||
	    pread(fd, h, sizeof(*h), 0) != (ssize_t)sizeof(*h) ||
	    memcmp(h->magic, SHARED_MAGIC, sizeof(h->magic)) != 0 ||
	    h->len != (uint64_t)sb->st_size - sizeof(*h))
		return -1;
	return 0;
}

/* running.shared open read-only, if it is whole and stamped with id; else -1. */
static int
open_stamped(struct store *st, const uint64_t id[SHARED_ID_WORDS], struct shared_hdr *h)
{
	struct stat sb;
	int fd;

	if ((fd = dsdir_open_file(st->dd, DSD_TOP, STORE_SHARED_FILE, O_RDONLY)) == -1)
		return -1;
	if (whole_form(fd, h, &sb) == -1 || memcmp(h->id, id, sizeof(h->id)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Opens running.shared if it is stamped with id; 0 or -1. */
static int
open_form(struct store *st, const uint64_t id[SHARED_ID_WORDS])
{
	struct store_shared *sh = &st->shared;
	struct shared_hdr h;
	int fd;

	if ((fd = open_stamped(st, id, &h)) == -1)
		return -1;
	drop_form(sh);
	sh->fd = fd;	/* a rename over the name leaves this file as it is */
	sh->len = (size_t)h.len;
	sh->empty = h.empty != 0;
	memcpy(sh->id, id, sizeof(sh->id));
	return 0;
}

/* The form stamped id open (kept: a rename leaves it as it is); 0 or -1. */
static int
form_open_current(struct store *st, const uint64_t id[SHARED_ID_WORDS])
{
	struct store_shared *sh = &st->shared;

	if ((sh->fd == -1 || memcmp(sh->id, id, sizeof(sh->id)) != 0) &&
	    open_form(st, id) == -1) {
		drop_form(sh);
		return -1;
	}
	return 0;
}

/* len bytes at off of the open form's content into buf; 0 or -1. */
static int
form_pread(struct store *st, char *buf, uint64_t len, uint64_t off)
{
	struct store_shared *sh = &st->shared;

	if (off > sh->len || len > sh->len - off)
		return -1;
	return pread(sh->fd, buf, (size_t)len, (off_t)(sizeof(struct shared_hdr) + off)) ==
	    (ssize_t)len ? 0 : -1;
}

#define KEYED_MAX	(16u << 20)	/* entries found beyond this: parse running */
#define MINI_OPEN	"<config xmlns=\"" NC_NS_BASE "\">"
#define MINI_CLOSE	"</config>"

/*
 * The entries f found, between their top-level node's tags, parsed; NULL
 * when that is not one node named q->top holding f->n entries named q->list.
 */
static xmlDocPtr
keyed_doc(struct store *st, const struct index_found *f, const struct keyq *q)
{
	uint64_t total = sizeof(MINI_OPEN) - 1 + f->head_len + f->tail_len + sizeof(MINI_CLOSE) - 1;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, top = NULL;
	size_t at, seen = 0, tops = 0;
	char *buf;

	for (size_t i = 0; i < f->n; i++)
		total += f->e[i].len;
	if (total > KEYED_MAX)
		return NULL;
	buf = xmalloc((size_t)total);
	memcpy(buf, MINI_OPEN, sizeof(MINI_OPEN) - 1);
	at = sizeof(MINI_OPEN) - 1;
	if (form_pread(st, buf + at, f->head_len, f->head_off) == -1)
		goto out;
	at += (size_t)f->head_len;
	for (size_t i = 0; i < f->n; i++) {
		if (form_pread(st, buf + at, f->e[i].len, f->e[i].off) == -1)
			goto out;
		at += (size_t)f->e[i].len;
	}
	if (form_pread(st, buf + at, f->tail_len, f->tail_off) == -1)
		goto out;
	at += (size_t)f->tail_len;
	memcpy(buf + at, MINI_CLOSE, sizeof(MINI_CLOSE) - 1);
	doc = xmlReadMemory(buf, (int)total, NULL, NULL, NC_XML_PARSE_OPTS);
	root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	for (xmlNodePtr c = root != NULL ? root->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && tops++ == 0)
			top = c;
	if (tops != 1 || !xmlStrEqual(top->name, BAD_CAST q->top))
		goto bad;
	for (xmlNodePtr c = top->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE) {
			if (!xmlStrEqual(c->name, BAD_CAST q->list))
				goto bad;
			seen++;
		}
	if (seen == f->n)
		goto out;
bad:
	xmlFreeDoc(doc);
	doc = NULL;
out:
	free(buf);
	return doc;
}

int
store_shared_keyed(struct store *st, const struct keyq *q, xmlDocPtr *doc)
{
	struct store_shared *sh = &st->shared;
	uint64_t id[SHARED_ID_WORDS];
	struct index_found f;
	int rc;

	*doc = NULL;
	/* a session holding running's tree answers from it (its own edits) */
	if (st->c[DS_RUNNING].doc != NULL || shared_running_id(st, id) == -1)
		return 0;
	if (form_open_current(st, id) == 0 &&
	    (rc = index_find(st, id, sh->len, q, &f)) != -1) {
		if (rc == 0)
			return 0;	/* not a list by the leaf indexed: running answers */
		if ((*doc = keyed_doc(st, &f, q)) != NULL)
			return 1;
	}
	/* missing, stale or broken: written again after this reply (a slot
	   is checked only when read: the publisher cannot tell) */
	sh->want = 1;
	sh->index_bad = 1;
	return 0;
}

int
store_shared_data(struct store *st, int *fd, off_t *off, size_t *len, int *empty)
{
	struct store_shared *sh = &st->shared;
	uint64_t id[SHARED_ID_WORDS];

	/* a session holding running's tree answers from it (its own edits) */
	if (st->c[DS_RUNNING].doc != NULL || shared_running_id(st, id) == -1)
		return 0;
	if (form_open_current(st, id) == -1) {
		sh->want = 1;	/* missing or stale: publish after this reply */
		return 0;
	}
	*fd = sh->fd;
	*off = (off_t)sizeof(struct shared_hdr);
	*len = sh->len;
	*empty = sh->empty;
	return 1;
}

/*
 * 1 when the form's bytes of t are the node t names: its start tag
 * "<name xmlns=\"ns\"" (then '>', ' ' or '/'), its end "</name>" or
 * "/>".  A reply sends a range by the index's name for it: bytes that
 * say another node (a prefix, a node planted) are not sent.
 */
static int
top_named(struct store *st, const struct store_top *t)
{
	char want[sizeof(t->ns) + sizeof(t->name) + 16], got[sizeof(want)], end[sizeof(t->name) + 4];
	size_t hl, el;

	hl = (size_t)snprintf(want, sizeof(want), "<%s xmlns=\"%s\"", t->name, t->ns);
	el = (size_t)snprintf(end, sizeof(end), "</%s>", t->name);
	if (hl >= sizeof(want) || t->len < hl + 2 ||
	    form_pread(st, got, hl + 1, t->off) == -1 || memcmp(got, want, hl) != 0 ||
	    strchr(">/ ", got[hl]) == NULL || got[hl] == '\0')
		return 0;
	if (form_pread(st, got, 2, t->off + t->len - 2) == 0 && memcmp(got, "/>", 2) == 0 &&
	    got[hl] == '/')
		return 1;
	return t->len >= hl + el && form_pread(st, got, el, t->off + t->len - el) == 0 &&
	    memcmp(got, end, el) == 0;
}

int
store_shared_tops(struct store *st, int *fd, off_t *off, struct store_top **tops, size_t *n)
{
	struct store_shared *sh = &st->shared;
	uint64_t id[SHARED_ID_WORDS];

	*tops = NULL;
	*n = 0;
	if (st->c[DS_RUNNING].doc != NULL || shared_running_id(st, id) == -1)
		return 0;
	/* missing, stale, no ranges: running answers (store_shared_want) */
	if (form_open_current(st, id) == -1 ||
	    index_tops(st, id, sh->len, tops, n) != 1)
		return 0;
	/*
	 * The open form's bytes do not change (a rename leaves them): the
	 * ranges read before are not read again when the index names the
	 * same ones (running reloaded, the same form: another reply).
	 */
	if (*n > 0 && (sh->named == NULL || sh->nnamed != *n ||
	    memcmp(sh->named, *tops, *n * sizeof(**tops)) != 0)) {
		for (size_t i = 0; i < *n; i++)
			if (!top_named(st, &(*tops)[i])) {
				free(*tops);
				*tops = NULL;
				*n = 0;
				return 0;
			}
		free(sh->named);
		sh->named = xreallocarray(NULL, *n, sizeof(**tops));
		memcpy(sh->named, *tops, *n * sizeof(**tops));
		sh->nnamed = *n;
	}
	*fd = sh->fd;
	*off = (off_t)sizeof(struct shared_hdr);
	return 1;
}

void
shared_prepare(struct store *st)
{
	uint64_t id[SHARED_ID_WORDS];

	/* unlocked: the stamp is what makes the form valid, and it is checked again */
	if (st->c[DS_RUNNING].doc == NULL && shared_running_id(st, id) == 0)
		(void)form_open_current(st, id);
}

void
shared_loaded(struct store *st)
{
	struct ds_cache *dc = &st->c[DS_RUNNING];
	struct store_shared *sh = &st->shared;

	sh->doc = dc->doc;
	sh->asked = 0;
	shared_make_id(sh->doc_id, dc->have_base, &dc->base_st, dc->have_jr, &dc->jr_st);
	/* the session answers from its tree now: the old form goes */
	drop_form(sh);
}

void
shared_changed(struct store *st)
{
	st->shared.doc = NULL;
}

struct form_writer {
	int		 fd;
	uint64_t	 len;
};

static int
form_put(void *arg, const char *buf, size_t len)
{
	struct form_writer *w = arg;

	w->len += len;
	return write_all(w->fd, buf, len);
}

/* dsdir_write_atomic's callback: the header (len filled in last), the data. */
static int
form_write(int fd, void *arg)
{
	struct store *st = arg;
	struct shared_hdr h;
	struct form_writer w = { fd, 0 };
	xmlNodePtr root = xmlDocGetRootElement(st->shared.doc);
	struct xmlout *xo;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, SHARED_MAGIC, sizeof(h.magic));
	memcpy(h.id, st->shared.doc_id, sizeof(h.id));
	h.empty = root->children == NULL;
	if (write_all(fd, &h, sizeof(h)) == -1)
		return -1;
	xo = xo_new_writer(form_put, &w);
	for (xmlNodePtr c = root->children; c != NULL; c = c->next) {
		/* the same bytes as xo_data_child, noting where entries lie (running.index) */
		uint64_t at = xo_offset(xo);

		index_build_top(st->shared.ib, c);
		xo_data_child_marked(xo, c, index_build_mark, st->shared.ib);
		index_build_range(st->shared.ib, c, at, xo_offset(xo) - at);
	}
	if (xo_finish(xo) == -1)
		return -1;
	h.len = w.len;
	return pwrite(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) ? 0 : -1;
}

/*
 * 1 when running.shared is stamped with id already and running.index
 * made for it (sessions that missed together).
 */
static int
form_current(struct store *st, const uint64_t id[SHARED_ID_WORDS])
{
	struct shared_hdr h;
	int fd;

	if ((fd = open_stamped(st, id, &h)) == -1)
		return 0;
	close(fd);
	return index_current(st, id, h.len);
}

/* The form, then its index (a reader checks that the index is the form's). */
static void
write_form(struct store *st, const uint64_t id[SHARED_ID_WORDS])
{
	struct shared_hdr h;
	int fd;

	st->shared.ib = index_build_new(xmlDocGetRootElement(st->shared.doc));
	if (dsdir_write_atomic(st->dd, DSD_TOP, STORE_SHARED_FILE, form_write, st) == -1)
		log_warn("%s/%s", dsdir_path(st->dd), STORE_SHARED_FILE);
	else if ((fd = open_stamped(st, id, &h)) != -1) {
		close(fd);
		index_build_write(st, st->shared.ib, id, h.len);
	}
	index_build_free(st->shared.ib);
	st->shared.ib = NULL;
}

void
store_shared_publish(struct store *st)
{
	struct store_shared *sh = &st->shared;
	struct ds_cache *dc = &st->c[DS_RUNNING];
	uint64_t id[SHARED_ID_WORDS];

	if (!sh->want)
		return;
	sh->want = 0;
	/* only running as it was loaded: nothing of this session's in it */
	if (sh->doc == NULL || sh->doc != dc->doc)
		return;
	shared_make_id(id, dc->have_base, &dc->base_st, dc->have_jr, &dc->jr_st);
	if (memcmp(id, sh->doc_id, sizeof(id)) != 0 || (!sh->index_bad && form_current(st, id)))
		return;
	sh->index_bad = 0;
	store_remove_leftovers(st);
	write_form(st, id);
	/* and running's rules, if not current: a recovery session never asks
	   for them, and the next session NACM applies to would parse running */
	st->nacm.want = 1;
}

void
store_shared_want(struct store *st)
{
	uint64_t id[SHARED_ID_WORDS];

	/* a tree the session changed is no form; one as loaded is (NACM's
	   rules may have made the session load it), looked at once: a warm
	   session's polls pay no look at the files */
	if (st->c[DS_RUNNING].doc != NULL) {
		if (st->c[DS_RUNNING].doc != st->shared.doc || st->shared.asked)
			return;
		st->shared.asked = 1;
	}
	if (shared_running_id(st, id) == -1)
		return;
	if (!form_current(st, id))
		st->shared.want = 1;
}

void
shared_close(struct store *st)
{
	drop_form(&st->shared);
	st->shared.doc = NULL;
}
