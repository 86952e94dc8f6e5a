/*
 * max-datastore-size (issue 13): every base file of a datastore is
 * written here, streamed through a writer that stops at the cap, so a
 * datastore that would pass it is never written (the temp file goes) and
 * the RPC answers resource-denied (store_too_big).  Journal appends that
 * might pass it take a base rewrite instead (journal.c, candidate.c).
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include <libxml/tree.h>

#include "atomicfile.h"
#include "store_int.h"
#include "tree/tree.h"

/* A base file being written, and how many bytes it may still take. */
struct capped {
	struct store	*st;
	xmlDocPtr	 doc;
	int		 fd;
	uint64_t	 left;
};

static int
capped_write(void *arg, const char *buf, size_t len)
{
	struct capped *c = arg;

	if (c->st->max_size > 0) {
		if (len > c->left) {
			c->st->too_big = 1;
			errno = EFBIG;
			return -1;
		}
		c->left -= len;
	}
	return write_all(c->fd, buf, len);
}

/* Streams the document; past max-datastore-size it stops, and the temp file goes. */
static int
save_cb(int fd, void *arg)
{
	struct capped *c = arg;

	c->fd = fd;
	c->left = c->st->max_size;
	return xo_write_doc(capped_write, c, c->doc);
}

int
store_save_file(struct store *st, const char *name, xmlDocPtr doc)
{
	struct capped c = { st, doc, -1, 0 };

	store_remove_leftovers(st);
	return dsdir_write_atomic(st->dd, DSD_TOP, name, save_cb, &c);
}

void
store_set_max_size(struct store *st, uint64_t bytes)
{
	st->max_size = bytes;
}

/* Counts bytes against the cap without writing them anywhere. */
static int
count_write(void *arg, const char *buf, size_t len)
{
	struct capped *c = arg;

	(void)buf;
	if (len > c->left) {
		c->st->too_big = 1;
		errno = EFBIG;
		return -1;
	}
	c->left -= len;
	return 0;
}

int
store_fits(struct store *st, xmlDocPtr doc)
{
	struct capped c = { st, doc, -1, st->max_size };

	if (st->max_size == 0)
		return 1;
	return xo_write_doc(count_write, &c, doc) == 0;
}

int
store_too_big(const struct store *st)
{
	return st != NULL && st->too_big;
}
