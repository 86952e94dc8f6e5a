/*
 * Running's NACM rules, shared by sessions: datastore-dir/running.nacm.
 *
 * A session that NACM applies to needs running's ietf-netconf-acm:nacm
 * container before its first RPC runs (the exec check), and used to
 * parse all of running.xml for it: about 200 ms and a 30 MB tree at
 * 50,000 entries, for a container of a few KiB, and a tree that then
 * kept the session from answering get-config from running.shared.
 * running.nacm is that container alone, standing (the namespaces its
 * rule paths use declared on it), stamped with the identity of
 * running.xml and running.journal it was read from, like the shared
 * form (shared.c): a session that holds no tree of running reads it
 * when the stamp is running's identity now (under the shared write
 * lock, so no write is under way) and the checksum holds.  Anything
 * else (missing, stale, partial, corrupt, too big, not a nacm element)
 * is a miss: the session reads running itself, as before, and the rules
 * are running's own.  A form that lies about its stamp cannot be made
 * by a NETCONF account: only the service identity writes datastore-dir.
 *
 * Who writes it: a session that missed, after its reply, from its tree
 * of running if that is still running exactly as it was loaded, stamped
 * with the identity it was loaded at (never on an edit's path); and
 * whoever writes running.shared (a recovery session never asks for the
 * rules, and the first account's session after it would parse running).  Written
 * atomically (dsdir_write_atomic: temp, fsync, rename), so a reader sees
 * the old form or the new one; a commit that changes the rules changes
 * running's identity, so the old form is a miss from then on.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access/access.h"
#include "atomicfile.h"
#include "fnv.h"
#include "log.h"
#include "store_int.h"

#define NACM_FORM_MAGIC	"NCNACM01"
#define NACM_FORM_MAX	(8u << 20)	/* a nacm container larger than this is read from running */

/* The file: this header, then len bytes: the nacm element (none when !present). */
struct nacm_form_hdr {
	char		 magic[8];
	uint64_t	 id[SHARED_ID_WORDS];
	uint64_t	 present;
	uint64_t	 len;
	uint64_t	 sum;		/* FNV-1a of the len bytes */
};

xmlNodePtr
store_doc_nacm(xmlDocPtr doc)
{
	xmlNodePtr root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;

	for (xmlNodePtr c = root != NULL ? root->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns != NULL &&
		    xmlStrEqual(c->name, BAD_CAST "nacm") &&
		    xmlStrEqual(c->ns->href, BAD_CAST NACM_NS))
			return c;
	return NULL;
}

/* The form's body read from fd (after h); a doc, or NULL (miss). */
static xmlDocPtr
read_body(int fd, const struct nacm_form_hdr *h)
{
	char *buf;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;

	if (h->len == 0 || h->len > NACM_FORM_MAX || (buf = malloc((size_t)h->len)) == NULL)
		return NULL;
	if (pread(fd, buf, (size_t)h->len, (off_t)sizeof(*h)) == (ssize_t)h->len &&
	    fnv1a64(FNV1A64_BASIS, buf, (size_t)h->len) == h->sum)
		doc = xmlReadMemory(buf, (int)h->len, NULL, NULL, NC_XML_PARSE_OPTS);
	free(buf);
	root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	if (root == NULL || root->ns == NULL || !xmlStrEqual(root->name, BAD_CAST "nacm") ||
	    !xmlStrEqual(root->ns->href, BAD_CAST NACM_NS)) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

/*
 * running.nacm, if it is whole and stamped with id: 1 with *doc (NULL:
 * running has no nacm container); else 0.
 */
static int
read_form(struct store *st, const uint64_t id[SHARED_ID_WORDS], xmlDocPtr *doc)
{
	struct nacm_form_hdr h;
	struct stat sb;
	int fd, ok = 0;

	*doc = NULL;
	if ((fd = dsdir_open_file(st->dd, DSD_TOP, STORE_NACM_FILE, O_RDONLY)) == -1)
		return 0;
	if (fstat(fd, &sb) == 0 && sb.st_size >= (off_t)sizeof(h) &&
	    pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
	    memcmp(h.magic, NACM_FORM_MAGIC, sizeof(h.magic)) == 0 &&
	    h.len == (uint64_t)sb.st_size - sizeof(h) &&
	    memcmp(h.id, id, sizeof(h.id)) == 0) {
		if (!h.present)
			ok = h.len == 0;
		else
			ok = (*doc = read_body(fd, &h)) != NULL;
	}
	close(fd);
	return ok;
}

int
store_nacm_form(struct store *st, xmlNodePtr *nacm)
{
	struct store_nacm *nf = &st->nacm;
	uint64_t id[SHARED_ID_WORDS];
	xmlDocPtr doc;

	*nacm = NULL;
	/* a session holding running's tree reads the rules there (its own edits) */
	if (st->c[DS_RUNNING].doc != NULL || shared_running_id(st, id) == -1)
		return 0;
	if (!nf->have || memcmp(nf->id, id, sizeof(id)) != 0) {
		xmlFreeDoc(nf->doc);
		nf->doc = NULL;
		nf->have = 0;
		if (!read_form(st, id, &doc)) {
			nf->want = 1;	/* missing, stale or broken: publish after this reply */
			return 0;
		}
		nf->doc = doc;
		nf->have = 1;
		memcpy(nf->id, id, sizeof(id));
	}
	*nacm = nf->doc != NULL ? xmlDocGetRootElement(nf->doc) : NULL;
	return 1;
}

struct nacm_writer {
	int		 fd;
	uint64_t	 len;
	uint64_t	 sum;
};

static int
body_put(void *arg, const char *buf, size_t len)
{
	struct nacm_writer *w = arg;

	w->sum = fnv1a64(w->sum, buf, len);
	w->len += len;
	return write_all(w->fd, buf, len);
}

/* dsdir_write_atomic's callback: the header (len and sum filled in last), the element. */
static int
form_write(int fd, void *arg)
{
	struct store *st = arg;
	xmlNodePtr nacm = store_doc_nacm(st->shared.doc);
	struct nacm_writer w = { fd, 0, FNV1A64_BASIS };
	struct nacm_form_hdr h;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, NACM_FORM_MAGIC, sizeof(h.magic));
	memcpy(h.id, st->shared.doc_id, sizeof(h.id));
	h.present = nacm != NULL;
	if (write_all(fd, &h, sizeof(h)) == -1)
		return -1;
	if (nacm != NULL) {
		struct xmlout *xo = xo_new_writer(body_put, &w);

		xo_data_child(xo, nacm);	/* standing alone: its namespaces declared on it */
		if (xo_finish(xo) == -1)
			return -1;
	}
	h.len = w.len;
	h.sum = w.sum;
	return pwrite(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) ? 0 : -1;
}

void
store_nacm_publish(struct store *st)
{
	struct ds_cache *dc = &st->c[DS_RUNNING];
	uint64_t id[SHARED_ID_WORDS];
	xmlDocPtr old;

	if (!st->nacm.want)
		return;
	st->nacm.want = 0;
	/* only running as it was loaded: nothing of this session's in it */
	if (st->shared.doc == NULL || st->shared.doc != dc->doc)
		return;
	shared_make_id(id, dc->have_base, &dc->base_st, dc->have_jr, &dc->jr_st);
	if (memcmp(id, st->shared.doc_id, sizeof(id)) != 0)
		return;
	if (read_form(st, id, &old)) {	/* another session that missed wrote it */
		xmlFreeDoc(old);
		return;
	}
	store_remove_leftovers(st);
	if (dsdir_write_atomic(st->dd, DSD_TOP, STORE_NACM_FILE, form_write, st) == -1)
		log_warn("%s/%s", dsdir_path(st->dd), STORE_NACM_FILE);
}

void
nacm_form_close(struct store *st)
{
	xmlFreeDoc(st->nacm.doc);
	memset(&st->nacm, 0, sizeof(st->nacm));
}
