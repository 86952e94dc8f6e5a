/*
 * Subtree filters and the streamed writer with hidden nodes (NACM read,
 * reply_opts.hidden) against the old way as the oracle: the same filter
 * on a copy of the data with the hidden nodes taken out.  Random data
 * (a keyed list big enough for the list index, nested lists, containers,
 * leaves that repeat values), packed as datastores are; random hidden
 * sets (whole entries, leaves, keys, containers, nested entries: their
 * packed ancestors unpacked, as nacm_read_mask leaves them); random
 * filters of every RFC 6241 6.2 kind, with and without the index.  The
 * seed is printed; NCHOME_SEED repeats one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "tree/tree.h"
#include "reply_test.h"
#include "unit.h"

#define NCNS "urn:ietf:params:xml:ns:netconf:base:1.0"
#define TNS "urn:t"
#define HIDE_MAX 64

static const char *const vals[] = { "1", "2", "x", "n3", "n7", "s1" };
#define NVALS (sizeof(vals) / sizeof(vals[0]))

/* Random datastore text: /top/item[name] (40+), nested sub[id], cfg, other. */
static void
make_data(xmlBufferPtr b)
{
	int items = 34 + (int)rnd(10);

	xmlBufferCat(b, BAD_CAST "<config xmlns=\"" NCNS "\"><top xmlns=\"" TNS "\">");
	for (int i = 0; i < items; i++) {
		char e[512];
		int nsub = (int)rnd(3);

		snprintf(e, sizeof(e), "<item><name>n%d</name><a>%s</a><b>%s</b><cfg><c>%s</c>"
		    "<d>%s</d></cfg>", i, vals[rnd(NVALS)], vals[rnd(NVALS)],
		    vals[rnd(NVALS)], vals[rnd(NVALS)]);
		xmlBufferCat(b, BAD_CAST e);
		for (int j = 0; j < nsub; j++) {
			snprintf(e, sizeof(e), "<sub><id>s%d</id><v>%s</v></sub>", j, vals[rnd(NVALS)]);
			xmlBufferCat(b, BAD_CAST e);
		}
		xmlBufferCat(b, BAD_CAST "</item>");
	}
	xmlBufferCat(b, BAD_CAST "<mode>x</mode></top><other xmlns=\"urn:o\"><a>1</a>"
	    "<grp><c>2</c><d>x</d></grp></other></config>");
}

/* ---- hidden sets ---- */

static xmlNodePtr hide[HIDE_MAX];
static int nhide;

static int
is_hidden(const void *arg, const xmlNode *n)
{
	(void)arg;
	for (int i = 0; i < nhide; i++)
		if (hide[i] == n)
			return 1;
	return 0;
}

static xmlNodePtr
nth_element(xmlNodePtr p, unsigned k)
{
	for (xmlNodePtr c = p->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && k-- == 0)
			return c;
	return NULL;
}

static unsigned
elements(xmlNodePtr p)
{
	unsigned n = 0;

	for (xmlNodePtr c = p->children; c != NULL; c = c->next)
		n += c->type == XML_ELEMENT_NODE;
	return n;
}

/* Picks a random node below root: each packed node on the way is unpacked. */
static void
pick_hidden(xmlNodePtr root)
{
	xmlNodePtr n = root;

	do {
		unsigned k;

		packed_unpack(n);
		if ((k = elements(n)) == 0)
			break;
		n = nth_element(n, rnd(k));
	} while (rnd(4) != 0);
	if (n != root && nhide < HIDE_MAX)
		hide[nhide++] = n;
}

/* Index path of n from root (child numbers, root's child first); its length. */
static int
path_of(xmlNodePtr root, xmlNodePtr n, unsigned *path, int max)
{
	int len = 0;

	for (xmlNodePtr a = n; a != root && len < max; a = a->parent) {
		unsigned i = 0;

		for (xmlNodePtr s = a->parent->children; s != a; s = s->next)
			i++;
		path[len++] = i;
	}
	for (int i = 0; i < len / 2; i++) {
		unsigned t = path[i];

		path[i] = path[len - 1 - i];
		path[len - 1 - i] = t;
	}
	return len;
}

/* The oracle's data: a copy of doc with each hidden node found by its place and taken out. */
static xmlDocPtr
pruned_copy(xmlDocPtr doc)
{
	xmlDocPtr c = packed_copy_doc(doc);
	xmlNodePtr gone[HIDE_MAX];
	int ngone = 0;

	for (int i = 0; i < nhide; i++) {
		unsigned path[64];
		int len = path_of(xmlDocGetRootElement(doc), hide[i], path, 64);
		xmlNodePtr n = xmlDocGetRootElement(c);

		for (int j = 0; j < len && n != NULL; j++) {
			xmlNodePtr k = n->children;

			packed_unpack(n);
			k = n->children;
			for (unsigned m = 0; m < path[j] && k != NULL; m++)
				k = k->next;
			n = k;
		}
		if (n != NULL)
			gone[ngone++] = n;
	}
	/* a hidden node may hold another (or be picked twice): take out the outer ones once */
	int inner[HIDE_MAX];

	for (int i = 0; i < ngone; i++) {
		inner[i] = 0;
		for (int j = 0; j < ngone && !inner[i]; j++) {
			if (j < i && gone[j] == gone[i])
				inner[i] = 1;
			for (xmlNodePtr a = gone[i]->parent; a != NULL && !inner[i]; a = a->parent)
				inner[i] = a == gone[j];
		}
	}
	for (int i = 0; i < ngone; i++)
		if (!inner[i]) {
			xmlUnlinkNode(gone[i]);
			xmlFreeNode(gone[i]);
		}
	return c;
}

/* ---- filters ---- */

static void
leaf(xmlBufferPtr f, const char *name)
{
	char e[128];

	if (rnd(3) == 0)
		snprintf(e, sizeof(e), "<%s/>", name);
	else
		snprintf(e, sizeof(e), "<%s>%s</%s>", name, vals[rnd(NVALS)], name);
	xmlBufferCat(f, BAD_CAST e);
}

static void
item_filter(xmlBufferPtr f)
{
	char e[128];
	int parts = (int)rnd(4);

	xmlBufferCat(f, BAD_CAST "<item>");
	if (rnd(3) != 0) {
		snprintf(e, sizeof(e), rnd(5) ? "<name>n%u</name>" : "<name/>", rnd(44));
		xmlBufferCat(f, BAD_CAST e);
	}
	for (int i = 0; i < parts; i++)
		switch (rnd(5)) {
		case 0: leaf(f, "a"); break;
		case 1: leaf(f, "b"); break;
		case 2:
			if (rnd(4) == 0) {
				leaf(f, "cfg");	/* a content match on a container: its text */
				break;
			}
			xmlBufferCat(f, BAD_CAST "<cfg>");
			leaf(f, rnd(2) ? "c" : "d");
			xmlBufferCat(f, BAD_CAST "</cfg>");
			break;
		case 3:
			xmlBufferCat(f, BAD_CAST "<sub>");
			if (rnd(2))
				leaf(f, "id");
			if (rnd(2))
				leaf(f, "v");
			xmlBufferCat(f, BAD_CAST "</sub>");
			break;
		default:
			xmlBufferCat(f, BAD_CAST "<cfg/>");
		}
	xmlBufferCat(f, BAD_CAST "</item>");
}

static void
make_filter(xmlBufferPtr f)
{
	xmlBufferCat(f, BAD_CAST "<rpc xmlns=\"" NCNS "\"><get><filter type=\"subtree\">");
	if (rnd(6) == 0)
		xmlBufferCat(f, BAD_CAST "<top xmlns=\"" TNS "\"/>");
	else {
		int n = 1 + (int)rnd(3);

		xmlBufferCat(f, BAD_CAST (rnd(6) ? "<top xmlns=\"" TNS "\">" : "<top>"));
		for (int i = 0; i < n; i++)
			if (rnd(5) == 0)
				leaf(f, "mode");
			else
				item_filter(f);
		xmlBufferCat(f, BAD_CAST "</top>");
	}
	if (rnd(3) == 0) {
		xmlBufferCat(f, BAD_CAST "<other xmlns=\"urn:o\">");
		leaf(f, rnd(2) ? "a" : "grp");
		if (rnd(2))
			xmlBufferCat(f, BAD_CAST "<grp><c/></grp>");
		xmlBufferCat(f, BAD_CAST "</other>");
	}
	xmlBufferCat(f, BAD_CAST "</filter></get></rpc>");
}

#define ROUNDS		60
#define FILTERS		40

int
main(void)
{
	struct reply_opts plain = { NULL, NULL, NULL, NULL }, hid = { NULL, NULL, is_hidden, NULL };
	int bad_filter = 0, bad_whole = 0, changed = 0, nonempty = 0, n = 0;
	unsigned long answers0 = filter_index_answers;
	char first_bad[2048] = "";

	rnd_seed();
	for (int round = 0; round < ROUNDS; round++) {
		xmlBufferPtr b = xmlBufferCreate();
		xmlDocPtr doc, pruned;
		char *w1, *w2;

		make_data(b);
		doc = packed_read_memory((const char *)xmlBufferContent(b),
		    (int)xmlBufferLength(b), NC_XML_PARSE_OPTS);
		xmlBufferFree(b);
		nhide = 0;
		for (int k = 1 + (int)rnd(12); k > 0; k--)
			pick_hidden(xmlDocGetRootElement(doc));
		pruned = pruned_copy(doc);

		w1 = whole(doc, is_hidden, NULL);
		w2 = whole(pruned, NULL, NULL);
		if (strcmp(w1, w2) != 0)
			bad_whole++;
		free(w1);
		free(w2);
		for (int i = 0; i < FILTERS; i++) {
			xmlBufferPtr fb = xmlBufferCreate();
			xmlDocPtr fd;
			xmlNodePtr filter;
			char *got, *want, *open;

			make_filter(fb);
			fd = xmlReadMemory((const char *)xmlBufferContent(fb), xmlBufferLength(fb),
			    NULL, NULL, NC_XML_PARSE_OPTS);
			filter = xmlDocGetRootElement(fd)->children->children;
			filter_index_on = (int)rnd(4) != 0;
			got = filtered(&hid, filter, doc);
			want = filtered(&plain, filter, pruned);
			open = filtered(&plain, filter, doc);
			n++;
			if (strcmp(got, want) != 0) {
				size_t at = 0;

				while (got[at] != '\0' && got[at] == want[at])
					at++;
				at = at > 200 ? at - 200 : 0;
				if (bad_filter++ == 0)
					snprintf(first_bad, sizeof(first_bad),
					    "round %d filter %s\n#  got  ...%.600s\n#  want ...%.600s",
					    round, (const char *)xmlBufferContent(fb), got + at, want + at);
			}
			changed += strcmp(got, open) != 0;
			nonempty += got[0] != '\0';
			free(got);
			free(want);
			free(open);
			xmlFreeDoc(fd);
			xmlBufferFree(fb);
		}
		filter_index_on = 1;
		xmlFreeDoc(pruned);
		xmlFreeDoc(doc);
		packed_repack();
	}
	CHECK(bad_whole == 0, "unfiltered: writing less the hidden nodes is writing the pruned "
	    "copy (%d of %d rounds differ)", bad_whole, ROUNDS);
	CHECK(bad_filter == 0, "subtree filters skipping hidden nodes answer as on the pruned "
	    "copy (%d of %d differ)%s%s", bad_filter, n, bad_filter ? "\n# first: " : "",
	    first_bad);
	CHECK(changed > n / 10, "hiding changed %d of %d replies (the test can see hiding)",
	    changed, n);
	CHECK(nonempty > n / 4, "%d of %d replies select something", nonempty, n);
	CHECK(filter_index_answers > answers0, "the list index answered %lu lookups",
	    filter_index_answers - answers0);
	xmlCleanupParser();
	UNIT_DONE();
}
