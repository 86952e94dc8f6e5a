/*
 * Where running.shared holds each list entry: datastore-dir/running.index.
 *
 * A new session whose filter asks for a few entries by key (an NMS
 * poll: tree/filter_keyq.c) used to parse all of running.xml for it
 * (about 180 ms and 22 MB at 50,000 entries).  running.index maps, for
 * each list under a top-level node, the value of each entry's first leaf
 * (its key) to the bytes of that entry in running.shared.  The session
 * reads the few entries found (pread), parses them under their top-level
 * node's start and end tags (also in running.shared) and runs the filter
 * itself on that small document: the reply is the one the whole of
 * running gives, since a key query selects each entry on its own.
 *
 * Which entries may be found: a group is the children of one local name
 * of the one top-level node of its local name; it is written only when
 * every such child has a first child element that is a leaf of one text
 * (or none), all of one local name, that no other child of the entry
 * repeats.  Then every entry a query on that leaf can select has its
 * value, trimmed as a subtree content match compares it, in the table.
 * A query that names no written group, or not its leaf, is a miss.
 *
 * It also records each top-level node's range of running.shared (its
 * name, namespace, and whether its subtree has that namespace alone),
 * end to end over the content, when the content is top-level nodes and
 * nothing else: a session whose read rules decide each top-level node
 * whole sends the readable ones' ranges (ops/config_tops.c).
 *
 * The file: a header (stamped with running's identity, like
 * running.shared, and with the length of running.shared's content it
 * indexes; checksummed with the group and top records), the group
 * records, the top records, then a hash table of slots (open addressing, linear probing), each slot
 * checksummed on its own so a lookup checks only the slots it reads.
 * A hash names candidates only: the filter decides.  Anything not right
 * (missing, stale, short, a checksum, an entry outside the form, a
 * parse) is a miss: the session reads running as before, and after its
 * reply writes the form and the index again (shared.c).
 *
 * Who writes it: whoever writes running.shared, right after it, from
 * the offsets the writer noted (xo_data_child_marked); atomically
 * (dsdir_write_atomic), so a reader sees the old index or the new one.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "fnv.h"
#include "log.h"
#include "xmalloc.h"
#include "store_int.h"

#define NONE		((size_t)-1)

struct ib_top {
	struct index_group g;	/* top, head, tail (list and leaf unused) */
	int		 dead;	/* its name repeats, or it is packed: not indexed */
};

struct ib_group {
	struct index_group g;
	size_t		 top;
	int		 dead;
};

struct ib_entry {
	size_t		 group;
	uint64_t	 vhash;
	uint64_t	 off;
	uint32_t	 len;
};

struct index_build {
	int		 off;		/* nothing indexed (running's root declares more) */
	struct store_top *trs;		/* every top-level node's range, in order */
	size_t		 ntrs;
	int		 trs_bad;	/* not every root child is recorded: none used */
	struct ib_top	*tops;
	size_t		 ntops;
	struct ib_group	*groups;
	size_t		 ngroups;
	struct ib_entry	*ents;
	size_t		 nents, capents;
	xmlHashTablePtr	 names;		/* top-level local name -> its ib_top index + 1 */
	size_t		 cur;		/* the top being written, NONE: none indexed */
	size_t		 gfirst;	/* its first group */
};

uint32_t
index_slot_sum(const struct index_slot *s)
{
	return (uint32_t)fnv1a64(FNV1A64_BASIS, s, offsetof(struct index_slot, sum));
}

/* The value's hash: trimmed as a subtree content match compares (an XPath's exact value trims to it). */
uint64_t
index_value_hash(const char *v)
{
	size_t len;

	while (isspace((unsigned char)*v))
		v++;
	for (len = strlen(v); len > 0 && isspace((unsigned char)v[len - 1]); len--)
		;
	return fnv1a64(FNV1A64_BASIS, v, len);
}

uint64_t
index_slot_hash(uint64_t vhash, uint64_t gid)
{
	return fnv1a64(vhash, &gid, sizeof(gid));
}

struct index_build *
index_build_new(xmlNodePtr root)
{
	struct index_build *ib = xcalloc(1, sizeof(*ib));

	ib->cur = NONE;
	ib->names = xmlHashCreate(64);
	/* a prefix declared on the root would be the filter's to place: not indexed */
	for (xmlNsPtr ns = root != NULL ? root->nsDef : NULL; ns != NULL; ns = ns->next)
		if (ns->prefix != NULL || !xmlStrEqual(ns->href, BAD_CAST NC_NS_BASE))
			ib->off = 1;
	return ib;
}

void
index_build_free(struct index_build *ib)
{
	if (ib == NULL)
		return;
	xmlHashFree(ib->names, NULL);
	free(ib->tops);
	free(ib->trs);
	free(ib->groups);
	free(ib->ents);
	free(ib);
}

void
index_build_top(struct index_build *ib, xmlNodePtr c)
{
	struct ib_top *t;
	void *seen;

	ib->cur = NONE;
	if (ib->off || c->type != XML_ELEMENT_NODE)
		return;
	if ((seen = xmlHashLookup(ib->names, c->name)) != NULL) {
		ib->tops[(size_t)(uintptr_t)seen - 1].dead = 1;
		return;
	}
	ib->tops = xreallocarray(ib->tops, ib->ntops + 1, sizeof(*ib->tops));
	t = &ib->tops[ib->ntops];
	memset(t, 0, sizeof(*t));
	t->dead = packed_is(c) || keyq_name_set(t->g.top, c->name) == -1;
	if (xmlHashAddEntry(ib->names, c->name, (void *)(uintptr_t)(ib->ntops + 1)) == -1)
		t->dead = 1;
	ib->cur = ib->ntops++;
	ib->gfirst = ib->ngroups;
}

/* 1 when every element of n's subtree is in namespace ns (a packed node has its own). */
static int
one_ns(xmlNodePtr n, const xmlChar *ns)
{
	if (n->ns == NULL || !xmlStrEqual(n->ns->href, ns))
		return 0;
	if (packed_is(n))
		return 1;
	for (xmlNodePtr k = n->children; k != NULL; k = k->next)
		if (k->type == XML_ELEMENT_NODE && !one_ns(k, ns))
			return 0;
	return 1;
}

void
index_build_range(struct index_build *ib, xmlNodePtr c, uint64_t off, uint64_t len)
{
	struct store_top *t;

	/* text between them, a name or namespace too long: no range is used */
	if (ib->off || ib->trs_bad || c->type != XML_ELEMENT_NODE || c->ns == NULL ||
	    ib->ntrs == STORE_TOPS_MAX) {
		ib->trs_bad = 1;
		return;
	}
	ib->trs = xreallocarray(ib->trs, ib->ntrs + 1, sizeof(*ib->trs));
	t = &ib->trs[ib->ntrs++];
	memset(t, 0, sizeof(*t));
	if (keyq_name_set(t->name, c->name) == -1 ||
	    strlen((const char *)c->ns->href) >= sizeof(t->ns)) {
		ib->trs_bad = 1;
		return;
	}
	memcpy(t->ns, c->ns->href, strlen((const char *)c->ns->href) + 1);
	t->off = off;
	t->len = len;
	t->one_ns = (uint64_t)one_ns(c, c->ns->href);
}

/* Entry n's first child: a leaf of one text, its name repeated by no other child; 0 or -1. */
static int
entry_key(xmlNodePtr n, char *leaf, uint64_t *vhash)
{
	const char *pos = NULL, *cname, *text;
	int kind, first = 1;

	if (packed_is(n)) {
		while ((kind = packed_next_child(n, &pos, &cname, &text)) != 0) {
			if (first && (kind != PACKED_LEAF || keyq_name_set(leaf, BAD_CAST cname) == -1))
				return -1;
			if (first)
				*vhash = index_value_hash(text);
			else if (strcmp(cname, leaf) == 0)
				return -1;
			first = 0;
		}
		return first ? -1 : 0;
	}
	for (xmlNodePtr k = n->children; k != NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (!first) {
			if (xmlStrEqual(k->name, BAD_CAST leaf))
				return -1;
			continue;
		}
		if (keyq_name_set(leaf, k->name) == -1 || k->properties != NULL ||
		    (k->children != NULL && (k->children->next != NULL ||
		    k->children->type != XML_TEXT_NODE)))
			return -1;
		*vhash = index_value_hash(k->children != NULL && k->children->content != NULL ?
		    (const char *)k->children->content : "");
		first = 0;
	}
	return first ? -1 : 0;
}

/* An element child n of the current top at off, len. */
static void
note_entry(struct index_build *ib, xmlNodePtr n, uint64_t off, uint64_t len)
{
	struct ib_group *g;
	char leaf[KEYQ_NAME_MAX];
	uint64_t vhash = 0;
	size_t i;

	for (i = ib->gfirst; i < ib->ngroups; i++)
		if (strcmp(ib->groups[i].g.list, (const char *)n->name) == 0)
			break;
	if (i == ib->ngroups) {
		ib->groups = xreallocarray(ib->groups, ib->ngroups + 1, sizeof(*ib->groups));
		g = &ib->groups[ib->ngroups++];
		memset(g, 0, sizeof(*g));
		g->top = ib->cur;
		g->dead = keyq_name_set(g->g.list, n->name) == -1;
	}
	g = &ib->groups[i];
	if (g->dead)
		return;
	if (len > UINT32_MAX || entry_key(n, leaf, &vhash) == -1 ||
	    (g->g.leaf[0] != '\0' && strcmp(g->g.leaf, leaf) != 0)) {
		g->dead = 1;
		return;
	}
	memcpy(g->g.leaf, leaf, sizeof(leaf));
	if (ib->nents == ib->capents) {
		ib->capents = ib->capents ? ib->capents * 2 : 1024;
		ib->ents = xreallocarray(ib->ents, ib->capents, sizeof(*ib->ents));
	}
	ib->ents[ib->nents++] = (struct ib_entry){ i, vhash, off, (uint32_t)len };
}

void
index_build_mark(void *arg, xmlNodePtr n, enum xo_mark what, uint64_t off, uint64_t len)
{
	struct index_build *ib = arg;
	struct ib_top *t;

	if (ib->cur == NONE || (t = &ib->tops[ib->cur])->dead)
		return;
	if (what == XO_MARK_HEAD) {
		t->g.head_off = off;
		t->g.head_len = len;
	} else if (what == XO_MARK_TAIL) {
		t->g.tail_off = off;
		t->g.tail_len = len;
	} else
		note_entry(ib, n, off, len);
}

struct index_out {
	struct index_hdr	 h;
	struct index_group	*groups;
	const struct store_top	*tops;
	struct index_slot	*slots;
};

/* dsdir_write_atomic's callback. */
static int
index_write(int fd, void *arg)
{
	struct index_out *o = arg;

	if (write_all(fd, &o->h, sizeof(o->h)) == -1 ||
	    write_all(fd, o->groups, (size_t)o->h.ngroups * sizeof(*o->groups)) == -1 ||
	    write_all(fd, o->tops, (size_t)o->h.ntops * sizeof(*o->tops)) == -1 ||
	    write_all(fd, o->slots, (size_t)o->h.nslots * sizeof(*o->slots)) == -1)
		return -1;
	return 0;
}

uint64_t
index_header_sum(const struct index_hdr *h, const struct index_group *groups,
    const struct store_top *tops)
{
	struct index_hdr c = *h;

	c.sum = 0;
	return fnv1a64(fnv1a64(fnv1a64(FNV1A64_BASIS, &c, sizeof(c)), groups,
	    (size_t)h->ngroups * sizeof(*groups)), tops, (size_t)h->ntops * sizeof(*tops));
}

int
index_build_write(struct store *st, struct index_build *ib, const uint64_t id[SHARED_ID_WORDS],
    uint64_t shared_len)
{
	struct index_out o;
	size_t *gid = xcalloc(ib->ngroups + 1, sizeof(*gid)), n = 0, live = 0;
	int rc;

	memset(&o, 0, sizeof(o));
	o.groups = xcalloc(ib->ngroups + 1, sizeof(*o.groups));
	for (size_t i = 0; i < ib->ngroups && live < INDEX_GROUPS_MAX; i++) {
		struct ib_group *g = &ib->groups[i];
		struct ib_top *t = &ib->tops[g->top];

		gid[i] = NONE;
		if (g->dead || t->dead || ib->off)
			continue;
		o.groups[live] = g->g;
		memcpy(o.groups[live].top, t->g.top, sizeof(t->g.top));
		o.groups[live].head_off = t->g.head_off;
		o.groups[live].head_len = t->g.head_len;
		o.groups[live].tail_off = t->g.tail_off;
		o.groups[live].tail_len = t->g.tail_len;
		gid[i] = live++;
	}
	for (size_t i = 0; i < ib->nents; i++)
		n += gid[ib->ents[i].group] != NONE;
	for (o.h.nslots = 8; o.h.nslots < 2 * (uint64_t)n; o.h.nslots *= 2)
		;
	o.slots = xcalloc((size_t)o.h.nslots, sizeof(*o.slots));
	for (size_t i = 0; i < ib->nents; i++) {
		struct ib_entry *e = &ib->ents[i];
		uint64_t h, at;

		if (gid[e->group] == NONE)
			continue;
		h = index_slot_hash(e->vhash, gid[e->group]);
		for (at = h & (o.h.nslots - 1); o.slots[at].len != 0; at = (at + 1) & (o.h.nslots - 1))
			;
		o.slots[at] = (struct index_slot){ h, e->off, e->len, 0 };
	}
	for (uint64_t i = 0; i < o.h.nslots; i++)
		o.slots[i].sum = index_slot_sum(&o.slots[i]);
	memcpy(o.h.magic, INDEX_MAGIC, sizeof(o.h.magic));
	memcpy(o.h.id, id, sizeof(o.h.id));
	o.h.shared_len = shared_len;
	o.h.ngroups = live;
	if (!ib->trs_bad && !ib->off) {
		o.tops = ib->trs;
		o.h.ntops = ib->ntrs;
		o.h.tops_ok = 1;
	}
	o.h.sum = index_header_sum(&o.h, o.groups, o.tops);
	rc = dsdir_write_atomic(st->dd, DSD_TOP, STORE_INDEX_FILE, index_write, &o);
	if (rc == -1)
		log_warn("%s/%s", dsdir_path(st->dd), STORE_INDEX_FILE);
	free(o.slots);
	free(o.groups);
	free(gid);
	return rc;
}
