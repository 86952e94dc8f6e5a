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
 * whose key is not first), the nodes pair only with an equal one
 * (nacm_pair.c pairs them, without copies).  Two paired nodes that are
 * equal (ops_tree_same, node by node: names, namespaces, attributes,
 * texts) are no change; paired leaves of different text, attributes or
 * namespace declarations are an update of the new leaf; other paired
 * nodes of different attributes or declarations are an update of the
 * new node (data no module covers keeps its attributes; a declaration
 * gives a QName text its meaning; for the NACM check, so is each
 * element below whose text uses a prefix whose binding changed there,
 * unless a nearer declaration shadows it), and all paired nodes with children
 * are compared child by child (packed ones unpacked first;
 * packed_repack packs them after the RPC).  An unpaired old node is a delete of its subtree, an
 * unpaired new one a create.  A mismatch the pairing cannot see is
 * reported as delete and create: stricter than needed, never more
 * permissive.
 *
 * The same diff sums up a whole-datastore change for the RFC 6470
 * netconf-config-change (ops_change_edits): its changes are topmost
 * already; it stops once there are more than the event lists.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "ops_int.h"

struct changes {
	struct nacm_change	*ch;
	size_t			 n, cap;
	int			 oom;		/* or more than limit: the diff stops */
	size_t			 limit;		/* 0: none */
	int			 meanings;	/* also a rebound prefix's users */
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

/* A leaf's text, "" if none; the caller xmlFree()s it. */
static xmlChar *
leaf_text(const xmlNode *n)
{
	xmlChar *t = xmlNodeGetContent(n);

	return t != NULL ? t : xmlStrdup(BAD_CAST "");
}

static int diff_children(struct changes *cs, xmlNodePtr oldp, xmlNodePtr newp, int depth);

/* n's own declaration of prefix, or NULL. */
static const xmlNs *
own_decl(const xmlNode *n, const xmlChar *prefix)
{
	for (const xmlNs *d = n->nsDef; d != NULL; d = d->next)
		if (xmlStrEqual(d->prefix, prefix))
			return d;
	return NULL;
}

/*
 * Each element below n whose own text uses prefix as n binds it (no
 * nearer declaration of prefix shadows n's) is an update: its value
 * means another thing now (RFC 8341 3.4.5: a write right on each node
 * whose value changes).  Packed nodes are unpacked (packed_repack packs
 * them after the RPC).
 */
static void
rebound_users(struct changes *cs, xmlNodePtr n, const xmlChar *prefix, int depth)
{
	if (depth >= 256)
		return;
	for (xmlNodePtr c = n->children; c != NULL && !cs->oom; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || own_decl(c, prefix) != NULL)
			continue;
		packed_unpack(c);
		if (ns_value_uses(c, prefix))
			add_change(cs, c, NACM_UPDATE);
		rebound_users(cs, c, prefix, depth + 1);
	}
}

/*
 * The prefixes whose binding on paired o and n differs (declared,
 * changed or removed on n): their users below n into cs.
 */
static void
rebound_prefixes(struct changes *cs, const xmlNode *o, xmlNodePtr n)
{
	for (const xmlNs *d = n->nsDef; d != NULL; d = d->next) {
		const xmlNs *was = own_decl(o, d->prefix);

		if (d->prefix != NULL && (was == NULL || !xmlStrEqual(was->href, d->href)))
			rebound_users(cs, n, d->prefix, 0);
	}
	for (const xmlNs *d = o->nsDef; d != NULL; d = d->next)
		if (d->prefix != NULL && own_decl(n, d->prefix) == NULL)
			rebound_users(cs, n, d->prefix, 0);
}

/* Paired o and n: their differences into cs; 0 or -1. */
static int
diff_pair(struct changes *cs, xmlNodePtr o, xmlNodePtr n, int depth)
{
	/*
	 * data no module covers keeps its attributes, and every node its
	 * namespace declarations (a QName text's meaning): changing one is
	 * an update of the node
	 */
	int attrs_changed;

	if (ops_tree_same(o, n, 0))
		return 0;
	attrs_changed = !ops_attrs_same(o, n) || !ops_nsdefs_same(o, n);
	if (!ops_has_elements(o) && !ops_has_elements(n)) {
		xmlChar *a = leaf_text(o), *b = leaf_text(n);

		if (attrs_changed || a == NULL || b == NULL || !xmlStrEqual(a, b))
			add_change(cs, n, NACM_UPDATE);
		xmlFree(a);
		xmlFree(b);
		return 0;
	}
	if (!ops_has_elements(o) || !ops_has_elements(n) || depth >= 64) {
		add_change(cs, o, NACM_DELETE);
		add_change(cs, n, NACM_CREATE);
		return 0;
	}
	packed_unpack(o);
	packed_unpack(n);
	if (attrs_changed)
		add_change(cs, n, NACM_UPDATE);
	if (cs->meanings && !ops_nsdefs_same(o, n))
		rebound_prefixes(cs, o, n);
	return diff_children(cs, o, n, depth + 1);
}

/*
 * The element children of oldp and newp (either may be NULL) paired
 * (nacm_pair.c), their differences into cs in document order: deletes
 * of the old side's unpaired, then the new side's creates and the
 * differences of each pair.  0, or -1 when out of memory.
 */
static int
diff_children(struct changes *cs, xmlNodePtr oldp, xmlNodePtr newp, int depth)
{
	struct pairing p;
	int rc = 0;

	if (ops_pair_children(oldp, newp, &p) == -1)
		return -1;
	for (size_t j = 0; j < p.nold; j++)
		if (p.old[j].key == 0)
			add_change(cs, p.old[j].node, NACM_DELETE);
	for (size_t i = 0; i < p.nnew && !cs->oom && rc == 0; i++) {
		if (p.new[i].key == 0)
			add_change(cs, p.new[i].node, NACM_CREATE);
		else
			rc = diff_pair(cs, p.old[p.new[i].key - 1].node, p.new[i].node, depth);
	}
	ops_pairing_free(&p);
	return rc == -1 || cs->oom ? -1 : 0;
}

int
ops_nacm_replace(struct rpc *r, xmlNodePtr old_root, xmlNodePtr new_root)
{
	struct nacm_session *v = ops_nacm_view(r->s);
	struct changes cs = { .meanings = 1 };
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
ops_change_edits(xmlNodePtr old_root, xmlNodePtr new_root, struct cfg_edits *l,
    struct session *yang_of)
{
	struct changes cs = { .limit = CFG_EDITS_MAX + 1 };

	if (diff_children(&cs, old_root, new_root, 0) == -1)
		l->over = 1;	/* too many changes (or no memory): no list */
	/*
	 * The YANG context (1.7 MB for example-bench) is built, if this is
	 * its first use, only now and only for edits to name: the diff's
	 * pairing records (16 bytes a sibling, both sides) are gone, and a
	 * copy onto an equal startup (no edits) or one differing in every
	 * entry (over) builds none beside both documents (bench_memory
	 * copy_config_equal, copy_config_changed).
	 */
	if (yang_of != NULL && cs.n > 0 && !l->over)
		l->schema = store_yang(yang_of->store, yang_of->schema,
		    new_root != NULL ? new_root->doc : NULL);
	for (size_t i = 0; i < cs.n && !l->over; i++)
		cfg_edits_add(l, NULL, cs.ch[i].node, cs.ch[i].op == NACM_CREATE ? CFG_CREATE :
		    cs.ch[i].op == NACM_DELETE ? CFG_DELETE : CFG_MERGE);
	free(cs.ch);
}
