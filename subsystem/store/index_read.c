/*
 * running.index read (index_table.c writes it and says its form): the
 * header checked against running.shared's stamp and length, the groups
 * and top records against the header's checksum, and each slot a lookup
 * reads against its own; anything not right is a miss.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "log.h"
#include "xmalloc.h"
#include "store_int.h"

struct index_rd {
	int		 fd;
	struct index_hdr h;
	struct index_group *groups;
	struct store_top *tops;
	off_t		 slots_at;
};

/* running.index open and checked against id and the form's length; 0 or -1 (a miss). */
static int
index_open(struct store *st, const uint64_t id[SHARED_ID_WORDS], uint64_t shared_len,
    struct index_rd *rd)
{
	struct stat sb;
	size_t glen, tlen;

	memset(rd, 0, sizeof(*rd));
	if ((rd->fd = dsdir_open_file(st->dd, DSD_TOP, STORE_INDEX_FILE, O_RDONLY)) == -1)
		return -1;
	if (fstat(rd->fd, &sb) == -1 ||
	    pread(rd->fd, &rd->h, sizeof(rd->h), 0) != (ssize_t)sizeof(rd->h) ||
	    memcmp(rd->h.magic, INDEX_MAGIC, sizeof(rd->h.magic)) != 0 ||
	    memcmp(rd->h.id, id, sizeof(rd->h.id)) != 0 || rd->h.shared_len != shared_len ||
	    rd->h.ngroups > INDEX_GROUPS_MAX || rd->h.ntops > STORE_TOPS_MAX ||
	    rd->h.nslots == 0 ||
	    rd->h.nslots > INDEX_SLOTS_MAX || (rd->h.nslots & (rd->h.nslots - 1)) != 0)
		return -1;
	glen = (size_t)rd->h.ngroups * sizeof(*rd->groups);
	tlen = (size_t)rd->h.ntops * sizeof(*rd->tops);
	rd->slots_at = (off_t)(sizeof(rd->h) + glen + tlen);
	if ((uint64_t)sb.st_size != (uint64_t)rd->slots_at + rd->h.nslots * sizeof(struct index_slot))
		return -1;
	rd->groups = xmalloc(glen + 1);
	rd->tops = xmalloc(tlen + 1);
	if (pread(rd->fd, rd->groups, glen, (off_t)sizeof(rd->h)) != (ssize_t)glen ||
	    pread(rd->fd, rd->tops, tlen, (off_t)(sizeof(rd->h) + glen)) != (ssize_t)tlen ||
	    index_header_sum(&rd->h, rd->groups, rd->tops) != rd->h.sum)
		return -1;
	return 0;
}

static void
index_close(struct index_rd *rd)
{
	if (rd->fd != -1)
		close(rd->fd);
	free(rd->groups);
	free(rd->tops);
}

/* Adds the slots of value v in group gid to f; -1: a broken slot, too many. */
static int
lookup(struct index_rd *rd, uint64_t gid, const char *v, struct index_found *f)
{
	struct index_slot s[SLOT_BATCH];
	uint64_t h = index_slot_hash(index_value_hash(v), gid), mask = rd->h.nslots - 1;
	uint64_t at = h & mask, probed = 0;

	while (probed < rd->h.nslots) {
		uint64_t k = SLOT_BATCH;

		if (k > rd->h.nslots - at)
			k = rd->h.nslots - at;
		if (pread(rd->fd, s, (size_t)k * sizeof(*s), rd->slots_at +
		    (off_t)(at * sizeof(*s))) != (ssize_t)(k * sizeof(*s)))
			return -1;
		for (uint64_t i = 0; i < k; i++, probed++) {
			if (s[i].sum != index_slot_sum(&s[i]))
				return -1;
			if (s[i].len == 0)
				return 0;
			if (s[i].hash != h)
				continue;
			if (f->n == INDEX_FOUND_MAX || s[i].off + s[i].len > rd->h.shared_len)
				return -1;
			f->e[f->n].off = s[i].off;
			f->e[f->n++].len = s[i].len;
		}
		at = (at + k) & mask;
	}
	return -1;
}

static int
found_cmp(const void *a, const void *b)
{
	const struct index_entry *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

int
index_find(struct store *st, const uint64_t id[SHARED_ID_WORDS], uint64_t shared_len,
    const struct keyq *q, struct index_found *f)
{
	struct index_rd rd;
	const struct index_group *g = NULL;
	size_t j, kept = 0;
	int rc = -1;

	memset(f, 0, sizeof(*f));
	if (index_open(st, id, shared_len, &rd) == -1)
		goto out;
	for (size_t i = 0; i < rd.h.ngroups && g == NULL; i++)
		if (strcmp(rd.groups[i].top, q->top) == 0 && strcmp(rd.groups[i].list, q->list) == 0)
			g = &rd.groups[i];
	rc = 0;		/* a list not indexed, or not by this leaf: running answers */
	if (g == NULL)
		goto out;
	for (size_t i = 0; i < q->n; i++) {
		for (j = 0; j < q->e[i].n; j++)
			if (strcmp(q->e[i].leaf[j], g->leaf) == 0)
				break;
		if (j == q->e[i].n)
			goto out;
	}
	rc = -1;
	for (size_t i = 0; i < q->n; i++) {
		for (j = 0; strcmp(q->e[i].leaf[j], g->leaf) != 0; j++)
			;
		if (lookup(&rd, (uint64_t)(g - rd.groups), q->e[i].value[j], f) == -1)
			goto out;
	}
	if (g->head_off + g->head_len > shared_len || g->tail_off + g->tail_len > shared_len)
		goto out;
	f->head_off = g->head_off;
	f->head_len = g->head_len;
	f->tail_off = g->tail_off;
	f->tail_len = g->tail_len;
	/* in document order, each once (a key asked for twice) */
	qsort(f->e, f->n, sizeof(f->e[0]), found_cmp);
	for (size_t i = 0; i < f->n; i++)
		if (kept == 0 || f->e[i].off != f->e[kept - 1].off)
			f->e[kept++] = f->e[i];
	f->n = kept;
	rc = 1;
out:
	index_close(&rd);
	return rc;
}

int
index_current(struct store *st, const uint64_t id[SHARED_ID_WORDS], uint64_t shared_len)
{
	struct index_rd rd;
	int ok = index_open(st, id, shared_len, &rd) == 0;

	index_close(&rd);
	return ok;
}

int
index_tops(struct store *st, const uint64_t id[SHARED_ID_WORDS], uint64_t shared_len,
    struct store_top **tops, size_t *n)
{
	struct index_rd rd;
	uint64_t at = 0;
	int rc = -1;

	*tops = NULL;
	*n = 0;
	if (index_open(st, id, shared_len, &rd) == -1)
		goto out;
	rc = 0;
	if (!rd.h.tops_ok)
		goto out;	/* the form has more than top nodes end to end */
	/* end to end from the first byte to the last: no byte of the form unnamed */
	for (uint64_t i = 0; i < rd.h.ntops; i++) {
		rd.tops[i].name[sizeof(rd.tops[i].name) - 1] = '\0';
		rd.tops[i].ns[sizeof(rd.tops[i].ns) - 1] = '\0';
		if (rd.tops[i].off != at || rd.tops[i].len == 0 ||
		    rd.tops[i].len > shared_len - at)
			goto out;
		at += rd.tops[i].len;
	}
	if (at != shared_len)
		goto out;
	*tops = rd.tops;
	*n = (size_t)rd.h.ntops;
	rd.tops = NULL;
	rc = 1;
out:
	index_close(&rd);
	return rc;
}
