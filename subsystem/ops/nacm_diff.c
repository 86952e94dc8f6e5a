/*
 * What a whole-datastore change (copy-config, delete-config, commit)
 * changes, for the NACM write check: a diff of the old and the new
 * document, so that only what actually changes needs a right (RFC 8341
 * 3.2.4: copy-config and commit are checked on their changes).
 *
 * Siblings pair by identity: namespace and name, and for a node with
 * child elements the name and text of its first child leaf (a list
 * entry's first key: RFC 7950 7.8.5 encodes keys first).  When an
 * identity is not unique on either side (leaf-list entries, lists
 * whose key is not first), the nodes pair only with an equal one.  Two
 * paired nodes that are equal (flattened: names, namespaces, texts) are
 * no change; paired leaves of different text are an update of the new
 * leaf; other paired nodes are compared child by child (packed ones
 * unpacked first; packed_repack packs them after the RPC).  An unpaired
 * old node is a delete of its subtree, an unpaired new one a create.
 * A mismatch the pairing cannot see is reported as delete and create:
 * stricter than needed, never more permissive.
 *
 * The same diff sums up a whole-datastore change for the RFC 6470
 * netconf-config-change (ops_change_edits): its changes are topmost
 * already; it stops once there are more than the event lists.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "ops_int.h"

/* Beyond this many same-identity siblings, they are not paired by equality. */
#define EQ_PAIR_MAX	64

/* An identity's count on each side, in one pointer-sized hash value. */
#define NEW_ONE		((uintptr_t)1 << (sizeof(uintptr_t) * 4))
#define OLD_MASK	(NEW_ONE - 1)

struct changes {
	struct nacm_change	*ch;
	size_t			 n, cap;
	int			 oom;		/* or more than limit: the diff stops */
	size_t			 limit;		/* 0: none */
};

static void
add_change(struct changes *cs, xmlNodePtr node, int op)
{
	if (cs->oom)
		return;
	if (cs->limit > 0 && cs->n == cs->limit) {
		cs->oom = 1;
		return;
	}
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 16;
		struct nacm_change *c = realloc(cs->ch, cap * sizeof(*c));

		if (c == NULL) {
			cs->oom = 1;
			return;
		}
		cs->ch = c;
		cs->cap = cap;
	}
	cs->ch[cs->n].node = node;
	cs->ch[cs->n++].op = op;
}

static int
has_elements(const xmlNode *n)
{
	if (packed_is(n))
		return 1;	/* only elements get packed */
	for (const xmlNode *c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return 1;
	return 0;
}

/* A leaf's text, "" if none; the caller xmlFree()s it. */
static xmlChar *
leaf_text(const xmlNode *n)
{
	xmlChar *t = xmlNodeGetContent(n);

	return t != NULL ? t : xmlStrdup(BAD_CAST "");
}

/*
 * n's identity among its siblings (malloc()ed): namespace, name, and
 * for a node with child elements its first child leaf's name and text.
 */
static char *
identity(const xmlNode *n)
{
	const char *ns = n->ns != NULL ? (const char *)n->ns->href : "";
	const char *cname = "", *text = "";
	xmlChar *owned = NULL;
	char *id;
	size_t len;

	if (packed_is(n)) {
		if (packed_child(n, NULL, &cname, &text) != 1 || text == NULL)
			cname = text = "";
	} else if (has_elements(n)) {
		for (const xmlNode *c = n->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE) {
				if (!has_elements(c)) {
					cname = (const char *)c->name;
					text = (const char *)(owned = leaf_text(c));
				}
				break;
			}
	}
	len = strlen(ns) + strlen((const char *)n->name) + strlen(cname) +
	    (text != NULL ? strlen(text) : 0) + 4;
	if ((id = malloc(len)) != NULL)
		snprintf(id, len, "%s\x01%s\x01%s\x01%s", ns, (const char *)n->name, cname,
		    text != NULL ? text : "");
	xmlFree(owned);
	return id;
}

/* 1 when a and b flatten alike (ops_nacm_flatten), -1 when out of memory. */
static int
same(const xmlNode *a, const xmlNode *b)
{
	struct nkey ka = { 0 }, kb = { 0 };
	int r;

	ops_nacm_flatten(&ka, a);
	ops_nacm_flatten(&kb, b);
	if (ka.oom || kb.oom)
		r = -1;
	else
		r = ka.len == kb.len && memcmp(ka.buf, kb.buf, ka.len) == 0;
	free(ka.buf);
	free(kb.buf);
	return r;
}

/* One side's element children with their identities. */
struct side {
	xmlNodePtr	*node;
	char		**id;
	int		*paired;	/* index of the partner + 1, 0: none */
	size_t		 n;
};

static void
side_free(struct side *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->id[i]);
	free(s->node);
	free(s->id);
	free(s->paired);
}

static int
side_fill(struct side *s, xmlNodePtr parent)
{
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	for (xmlNodePtr c = parent != NULL ? parent->children : NULL; c != NULL; c = c->next)
		n += c->type == XML_ELEMENT_NODE;
	if (n == 0)
		return 0;
	s->node = calloc(n, sizeof(*s->node));
	s->id = calloc(n, sizeof(*s->id));
	s->paired = calloc(n, sizeof(*s->paired));
	if (s->node == NULL || s->id == NULL || s->paired == NULL)
		return -1;
	for (xmlNodePtr c = parent->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		s->node[s->n] = c;
		if ((s->id[s->n++] = identity(c)) == NULL)
			return -1;
	}
	return 0;
}

static int diff_children(struct changes *cs, xmlNodePtr oldp, xmlNodePtr newp, int depth);

/* Paired o and n: their differences into cs; 0 or -1. */
static int
diff_pair(struct changes *cs, xmlNodePtr o, xmlNodePtr n, int depth)
{
	int eq = same(o, n);

	if (eq != 0)
		return eq == -1 ? -1 : 0;
	if (!has_elements(o) && !has_elements(n)) {
		xmlChar *a = leaf_text(o), *b = leaf_text(n);

		if (a == NULL || b == NULL || !xmlStrEqual(a, b))
			add_change(cs, n, NACM_UPDATE);
		xmlFree(a);
		xmlFree(b);
		return 0;
	}
	if (!has_elements(o) || !has_elements(n) || depth >= 64) {
		add_change(cs, o, NACM_DELETE);
		add_change(cs, n, NACM_CREATE);
		return 0;
	}
	packed_unpack(o);
	packed_unpack(n);
	return diff_children(cs, o, n, depth + 1);
}

/*
 * The element children of oldp and newp (either may be NULL) paired,
 * their differences into cs; 0 or -1 when out of memory.  The usual
 * list pairs by key in one pass per side over a hash of identities;
 * only same-identity groups (at most EQ_PAIR_MAX a side) are compared
 * pairwise.
 */
static int
diff_children(struct changes *cs, xmlNodePtr oldp, xmlNodePtr newp, int depth)
{
	struct side so, sn;
	xmlHashTablePtr counts = NULL;
	int rc = -1;

	if (side_fill(&so, oldp) == -1 || side_fill(&sn, newp) == -1)
		goto out;
	if ((counts = xmlHashCreate((int)(so.n + sn.n) + 1)) == NULL)
		goto out;
	/* per identity: old count in the low half, new count in the high half */
	for (size_t i = 0; i < so.n; i++) {
		uintptr_t v = (uintptr_t)xmlHashLookup(counts, BAD_CAST so.id[i]);

		if (xmlHashUpdateEntry(counts, BAD_CAST so.id[i], (void *)(v + 1), NULL) != 0)
			goto out;
	}
	for (size_t i = 0; i < sn.n; i++) {
		uintptr_t v = (uintptr_t)xmlHashLookup(counts, BAD_CAST sn.id[i]);

		if (xmlHashUpdateEntry(counts, BAD_CAST sn.id[i], (void *)(v + NEW_ONE), NULL) != 0)
			goto out;
	}
	/* unique on both sides: pair at once (by a hash of the old side) */
	{
		xmlHashTablePtr olds = xmlHashCreate((int)so.n + 1);

		if (olds == NULL)
			goto out;
		for (size_t i = 0; i < so.n; i++)
			if ((uintptr_t)xmlHashLookup(counts, BAD_CAST so.id[i]) == NEW_ONE + 1 &&
			    xmlHashAddEntry(olds, BAD_CAST so.id[i], (void *)(i + 1)) != 0) {
				xmlHashFree(olds, NULL);
				goto out;
			}
		for (size_t i = 0; i < sn.n; i++) {
			uintptr_t o;

			if ((uintptr_t)xmlHashLookup(counts, BAD_CAST sn.id[i]) != NEW_ONE + 1 ||
			    (o = (uintptr_t)xmlHashLookup(olds, BAD_CAST sn.id[i])) == 0)
				continue;
			so.paired[o - 1] = (int)i + 1;
			sn.paired[i] = (int)o;
		}
		xmlHashFree(olds, NULL);
	}
	/* the rest pair only with an equal node */
	for (size_t i = 0; i < sn.n; i++) {
		uintptr_t v = (uintptr_t)xmlHashLookup(counts, BAD_CAST sn.id[i]);

		if (sn.paired[i] || (v & OLD_MASK) == 0 || (v & OLD_MASK) > EQ_PAIR_MAX ||
		    v / NEW_ONE > EQ_PAIR_MAX)
			continue;
		for (size_t j = 0; j < so.n; j++) {
			int eq;

			if (so.paired[j] || strcmp(so.id[j], sn.id[i]) != 0)
				continue;
			if ((eq = same(so.node[j], sn.node[i])) == -1)
				goto out;
			if (eq) {
				so.paired[j] = (int)i + 1;
				sn.paired[i] = (int)j + 1;
				break;
			}
		}
	}
	for (size_t j = 0; j < so.n; j++)
		if (!so.paired[j])
			add_change(cs, so.node[j], NACM_DELETE);
	for (size_t i = 0; i < sn.n && !cs->oom; i++) {
		if (!sn.paired[i])
			add_change(cs, sn.node[i], NACM_CREATE);
		else if (diff_pair(cs, so.node[sn.paired[i] - 1], sn.node[i], depth) == -1)
			goto out;
	}
	rc = cs->oom ? -1 : 0;
out:
	xmlHashFree(counts, NULL);
	side_free(&so);
	side_free(&sn);
	return rc;
}

int
ops_nacm_replace(struct rpc *r, xmlNodePtr old_root, xmlNodePtr new_root)
{
	struct nacm_session *v = ops_nacm_view(r->s);
	struct changes cs = { 0 };
	struct nacm_denial d;
	int res;

	if (v == NULL || nacm_bypassed(v))
		return 0;
	if (diff_children(&cs, old_root, new_root, 0) == -1)
		res = -1;
	else
		res = cs.n == 0 ? 0 : nacm_write_check(v, cs.ch, cs.n, &d);
	free(cs.ch);
	return ops_nacm_write_checked(r, res, &d);
}

void
ops_change_edits(xmlNodePtr old_root, xmlNodePtr new_root, struct cfg_edits *l)
{
	struct changes cs = { .limit = CFG_EDITS_MAX + 1 };

	if (diff_children(&cs, old_root, new_root, 0) == -1)
		l->over = 1;	/* too many changes (or no memory): no list */
	for (size_t i = 0; i < cs.n && !l->over; i++)
		cfg_edits_add(l, NULL, cs.ch[i].node, cs.ch[i].op == NACM_CREATE ? CFG_CREATE :
		    cs.ch[i].op == NACM_DELETE ? CFG_DELETE : CFG_MERGE);
	free(cs.ch);
}
