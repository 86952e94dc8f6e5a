/*
 * <get>'s data: running with the state data joined (issue 15).  A state
 * top-level node joins the configuration's top-level node of the same
 * name and namespace when there is one (/nacm: its counters beside its
 * rules), else it follows running's nodes as a node of its own.
 *
 * get_merged_copy makes that document whole: a copy of running, for the
 * replies that change it (with-defaults) or filter it; with a scope (a
 * filter whose reply reads only the top-level nodes it may select,
 * filter_scope_closed), of just those and the ones a state node joins,
 * not all 10 MB of running for a filter that selects /nacm.  The
 * others (get_parts_build) copy only the top-level nodes a state node
 * joins, and the reply writes running's other nodes from running
 * itself, in place: the same bytes, without a second running in memory.
 * Both only read the cached running, which other sessions' readers
 * share: a node is copied under a copy of running's root.
 */
#include <stdlib.h>

#include "access/access.h"
#include "ops_int.h"
#include "tree/tree.h"
#include "xmalloc.h"

/* 1 when state node c joins (data) node m: both elements of one name and namespace. */
static int
joins(const xmlNode *m, const xmlNode *c)
{
	return m->type == XML_ELEMENT_NODE && c->type == XML_ELEMENT_NODE &&
	    xmlStrEqual(m->name, c->name) && m->ns != NULL && c->ns != NULL &&
	    xmlStrEqual(m->ns->href, c->ns->href);
}

/* The first node of the list from m on that state node c joins, or NULL. */
static xmlNodePtr
joined(xmlNodePtr m, const xmlNode *c)
{
	for (; m != NULL; m = m->next)
		if (joins(m, c))
			break;
	return m;
}

/* c's children, copied, after m's (m: a node of a copy, never of running). */
static void
join_children(xmlNodePtr m, xmlNodePtr c)
{
	packed_unpack(m);
	for (xmlNodePtr k = c->children; k != NULL; k = k->next)
		xmlAddChild(m, xmlDocCopyNode(k, m->doc, 1));
}

/* 1 when the copy for scope (NULL: all) takes running's top-level node m. */
static int
in_scope(xmlNodePtr scope, xmlNodePtr sroot, xmlNodePtr m)
{
	if (scope == NULL || m->type != XML_ELEMENT_NODE)
		return 1;
	if (filter_may_select(scope, m->ns != NULL ? (const char *)m->ns->href : NULL,
	    (const char *)m->name))
		return 1;
	for (xmlNodePtr c = sroot->children; c != NULL; c = c->next)
		if (joins(m, c))
			return 1;
	return 0;
}

/* What in c's subtree used declaration from uses to instead. */
static void
repoint(xmlNodePtr c, xmlNsPtr from, xmlNsPtr to)
{
	for (xmlNodePtr e = c; e != NULL; ) {
		if (e->type == XML_ELEMENT_NODE) {
			if (e->ns == from)
				e->ns = to;
			for (xmlAttrPtr a = e->properties; a != NULL; a = a->next)
				if (a->ns == from)
					a->ns = to;
			if (e->children != NULL) {	/* packed: none, all in e's namespace */
				e = e->children;
				continue;
			}
		}
		while (e != c && e->next == NULL)
			e = e->parent;
		e = e != c ? e->next : NULL;
	}
}

/*
 * A copy of running's top-level node m, the last child of root (the
 * copy of running's root), as xmlCopyDoc makes it: what uses a
 * namespace running's root declares uses root's copy of it.  A copy
 * made without a parent declares such a namespace again, after m's own
 * declarations; those go.
 */
static xmlNodePtr
copy_under(xmlNodePtr root, xmlNodePtr m)
{
	xmlNodePtr c = packed_copy_node(m, root->doc);
	xmlNsPtr *pp = &c->nsDef, d, f;

	if (c->type == XML_ELEMENT_NODE) {
		for (xmlNsPtr own = m->nsDef; own != NULL && *pp != NULL; own = own->next)
			pp = &(*pp)->next;
		while ((d = *pp) != NULL) {
			f = xmlSearchNs(root->doc, root, d->prefix);
			if (f == NULL || !xmlStrEqual(f->href, d->href)) {
				pp = &d->next;	/* its own, as the whole copy has it */
				continue;
			}
			repoint(c, d, f);
			*pp = d->next;
			d->next = NULL;
			xmlFreeNs(d);
		}
	}
	return xmlAddChild(root, c);
}

/*
 * A copy of running with the top-level nodes in scope, each copied
 * under a copy of running's root (its declarations and attributes):
 * the bytes of the whole copy's nodes, and the cached running, which
 * other readers share, is only read.
 */
static xmlDocPtr
copy_scope(xmlDocPtr running, xmlNodePtr sroot, xmlNodePtr scope)
{
	xmlNodePtr root = xmlDocGetRootElement(running), croot = NULL, c;
	xmlDocPtr copy;

	if (scope == NULL)
		return packed_copy_doc(running);
	if ((copy = xmlCopyDoc(running, 0)) == NULL)
		xoom();
	if (running->oldNs != NULL)
		copy->oldNs = xmlCopyNamespaceList(running->oldNs);
	for (xmlNodePtr n = running->children; n != NULL; n = n->next) {
		if (n->type == XML_DTD_NODE)
			continue;
		if ((c = xmlDocCopyNode(n, copy, n == root ? 2 : 1)) == NULL)
			xoom();
		xmlAddChild((xmlNodePtr)copy, c);
		if (n == root)
			croot = c;
	}
	for (xmlNodePtr m = root->children; m != NULL; m = m->next)
		if (in_scope(scope, sroot, m))
			copy_under(croot, m);
	return copy;
}

xmlDocPtr
get_merged_copy(xmlDocPtr running, xmlNodePtr sroot, xmlNodePtr scope)
{
	xmlDocPtr merged = copy_scope(running, sroot, scope);
	xmlNodePtr mroot = xmlDocGetRootElement(merged), m;

	for (xmlNodePtr c = sroot->children; c != NULL; c = c->next)
		if ((m = joined(mroot->children, c)) != NULL)
			join_children(m, c);
		else
			xmlAddChild(mroot, xmlDocCopyNode(c, merged, 1));
	return merged;
}

void
get_parts_build(xmlDocPtr running, xmlNodePtr sroot, struct get_parts *p)
{
	xmlNodePtr root = xmlDocGetRootElement(running), oroot, first_own = NULL;
	xmlNodePtr *into, *copy;	/* per state node: running's node it joins, its copy */
	size_t n = 0, ns = 0, cap = 0, i;

	/* the owned part's root as running's, for the declarations its children inherit */
	p->owned = xmlNewDoc(BAD_CAST "1.0");
	if (p->owned == NULL || (oroot = xmlDocCopyNode(root, p->owned, 2)) == NULL)
		xoom();
	xmlDocSetRootElement(p->owned, oroot);
	for (xmlNodePtr m = root->children; m != NULL; m = m->next)
		cap++;
	for (xmlNodePtr c = sroot->children; c != NULL; c = c->next)
		ns++;
	p->nodes = xcalloc(cap + ns + 1, sizeof(*p->nodes));
	into = xcalloc(ns + 1, sizeof(*into));
	copy = xcalloc(ns + 1, sizeof(*copy));
	i = 0;
	for (xmlNodePtr c = sroot->children; c != NULL; c = c->next)
		into[i++] = joined(root->children, c);
	/* running's nodes in order, a copy of each one a state node joins */
	for (xmlNodePtr m = root->children; m != NULL; m = m->next) {
		xmlNodePtr c = NULL;

		for (i = 0; i < ns; i++)
			if (into[i] == m) {
				if (c == NULL)
					c = copy_under(oroot, m);
				copy[i] = c;
			}
		p->nodes[n++] = c != NULL ? c : m;
	}
	/* the state nodes in order: into their copy, else after running's (as get_merged_copy) */
	i = 0;
	for (xmlNodePtr c = sroot->children; c != NULL; c = c->next, i++) {
		xmlNodePtr m;

		if (copy[i] != NULL)
			join_children(copy[i], c);
		else if ((m = joined(first_own, c)) != NULL)
			join_children(m, c);
		else {
			if ((m = xmlDocCopyNode(c, p->owned, 1)) == NULL)
				xoom();
			xmlAddChild(oroot, m);
			if (first_own == NULL)
				first_own = m;
			p->nodes[n++] = m;
		}
	}
	free(into);
	free(copy);
	p->n = n;
}

/*
 * The read check of the parts (NACM 3.4.5): one reader per document,
 * each asked about its own nodes in document order, so each decides as
 * the prune of get_merged_copy's document would (a top-level node's
 * decisions depend on its ancestry and its own subtree alone).
 */
struct get_hider {
	struct nacm_reader	*running;
	struct nacm_reader	*owned;
	xmlDocPtr		 owned_doc;
};

struct get_hider *
get_hider_new(const struct nacm_session *v, xmlDocPtr running, const struct get_parts *p)
{
	struct get_hider *h = xcalloc(1, sizeof(*h));

	h->running = nacm_reader_new(v, xmlDocGetRootElement(running));
	h->owned = nacm_reader_new(v, xmlDocGetRootElement(p->owned));
	h->owned_doc = p->owned;
	return h;
}

int
get_hider_hides(const void *arg, const xmlNode *n)
{
	const struct get_hider *h = arg;

	return nacm_reader_hides(n->doc == h->owned_doc ? h->owned : h->running, n);
}

void
get_hider_free(void *arg)
{
	struct get_hider *h = arg;

	if (h == NULL)
		return;
	nacm_reader_free(h->running);
	nacm_reader_free(h->owned);
	free(h);
}

void
get_reply_parts(struct rpc *r, xmlDocPtr running, xmlNodePtr sroot)
{
	struct nacm_session *v = ops_nacm_view(r->s);
	struct get_parts p;

	get_parts_build(running, sroot, &p);
	if (v == NULL || nacm_read_all(v))
		rpc_reply_nodes(r, p.nodes, p.n, p.owned, NULL, NULL, NULL);
	else
		rpc_reply_nodes(r, p.nodes, p.n, p.owned, get_hider_hides,
		    get_hider_new(v, running, &p), get_hider_free);
}
