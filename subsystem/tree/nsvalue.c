/*
 * Namespace declarations that values use (issue 16): an identityref
 * (`ianaift:ethernetCsmacd`), an instance-identifier or an XPath-valued
 * leaf names its prefixes in its text, which libxml2 does not see: it
 * reconciles the namespaces of element and attribute names only, and
 * ns_tidy() would drop a declaration no name uses.  Here:
 *
 *   - which prefixes a text could use: every NCName directly followed
 *     by one ':' (not "::"), not inside a longer name, whatever follows.
 *     So "x:virtual", "/if:interfaces/if:interface[if:name='eth0']",
 *     "p:1", "/p:*" use x, if and p; "12:30", "child::a" use nothing.
 *     Data no module covers has no type to say what a value is, and a
 *     text the NMS sent beside a declaration gets it back (a copy of
 *     <v xmlns:p="urn:p">p:1</v> lost it when p was read only before a
 *     name start).  A description that happens to hold "a:b" or
 *     "http://h/" keeps a declaration of a or http, if there is one: a
 *     spare declaration, never a lost one;
 *   - ns_value_uses(): whether an element's own text (or any text of a
 *     packed element) uses a prefix, for ns_in_subtree();
 *   - ns_carry_values(): an edit node about to leave its request (moved
 *     or copied into a datastore) gets declarations of the prefixes its
 *     texts use that are declared only on its ancestors (<config>,
 *     <edit-config>, <rpc>);
 *   - ns_carry_leaf(): a datastore leaf that takes an edit leaf's text
 *     gets the declarations that text needs; ns_leaf_rebinds(): whether
 *     the leaf binds one of them otherwise or not at all, and
 *     ns_rebind_leaf(): the leaf's copy then gets them (edit.c
 *     set_leaf: a merge of <v xmlns:p="urn:p2">p:1</v> onto a leaf
 *     declaring urn:p kept urn:p), its own name and attributes written
 *     with such a prefix moved to another (a merge onto <p:v> or
 *     <v p:a="1"> kept urn:p for the text);
 *   - ns_in_subtree(), ns_dedupe(), ns_tidy(): which declarations a
 *     stored node keeps (edit.c).
 * (filter_xpath.c gives a filtered reply's top-level nodes the
 * declarations of the datastore root; ns_tidy then keeps those used.)
 */
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "tree_int.h"

#define PREFIX_MAX	128	/* longer prefixes are copied to the heap */

static int
ncname_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int
ncname_char(unsigned char c)
{
	return ncname_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/*
 * Calls cb(arg, prefix) for every prefix text uses (prefix NUL-ended
 * in a scratch buffer) until cb returns non-zero, which is returned.
 */
static int
each_prefix(const char *text, int (*cb)(void *, const char *), void *arg)
{
	const unsigned char *p = (const unsigned char *)text, *colon, *start;
	char buf[PREFIX_MAX + 1];
	int rc;

	if (text == NULL)
		return 0;
	while ((colon = (const unsigned char *)strchr((const char *)p, ':')) != NULL) {
		for (start = colon; start > (const unsigned char *)text &&
		    ncname_char(start[-1]); start--)
			;
		/* a name before, and not an axis "::" */
		if (start < colon && ncname_start(*start) && colon[1] != ':') {
			size_t len = (size_t)(colon - start);
			/* a longer prefix is as legal: its declaration was dropped */
			char *name = len <= PREFIX_MAX ? buf : xmalloc(len + 1);

			memcpy(name, start, len);
			name[len] = '\0';
			/* "xml" is bound by XML itself: never declared, nor carried */
			rc = strcmp(name, "xml") != 0 ? cb(arg, name) : 0;
			if (name != buf)
				free(name);
			if (rc != 0)
				return rc;
		}
		p = colon + 1;
	}
	return 0;
}

static int
same_prefix(void *want, const char *prefix)
{
	return strcmp(want, prefix) == 0;
}

/* packed_write's callbacks: only the texts matter */
struct packed_scan {
	int		(*cb)(void *, const char *);
	void		*arg;
	int		 rc;
};

static void
scan_put(void *arg, const char *s, size_t len)
{
	(void)arg;
	(void)s;
	(void)len;
}

static void
scan_text(void *arg, const char *s)
{
	struct packed_scan *ps = arg;

	if (ps->rc == 0)
		ps->rc = each_prefix(s, ps->cb, ps->arg);
}

/*
 * Calls cb for the prefixes used by the text children of element n, or
 * by every text of n's subtree when n is packed.
 */
static int
each_own_prefix(xmlNodePtr n, int (*cb)(void *, const char *), void *arg)
{
	int rc;

	if (packed_is(n)) {
		struct packed_scan ps = { cb, arg, 0 };

		packed_write(n, scan_put, scan_text, &ps);
		return ps.rc;
	}
	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
		    (rc = each_prefix((const char *)c->content, cb, arg)) != 0)
			return rc;
	return 0;
}

int
ns_text_uses(const char *text, const char *prefix)
{
	return each_prefix(text, same_prefix, (void *)prefix);
}

int
ns_value_uses(xmlNodePtr n, const xmlChar *prefix)
{
	if (n == NULL || n->type != XML_ELEMENT_NODE || prefix == NULL)
		return 0;
	return each_own_prefix(n, same_prefix, (void *)prefix);
}

/* 1 when ns is declared on n itself. */
static int
declared_on(xmlNodePtr n, xmlNsPtr ns)
{
	for (xmlNsPtr d = n->nsDef; d != NULL; d = d->next)
		if (d == ns)
			return 1;
	return 0;
}

static int
declares_prefix(xmlNodePtr n, const char *prefix)
{
	for (xmlNsPtr d = n->nsDef; d != NULL; d = d->next)
		if (d->prefix != NULL && strcmp((const char *)d->prefix, prefix) == 0)
			return 1;
	return 0;
}

struct carry {
	xmlNodePtr	 top;	/* where declarations go */
	xmlNodePtr	 at;	/* the element whose text is read */
};

/* A prefix used below c->top: declared outside it?  Then on c->top too. */
static int
carry_one(void *arg, const char *prefix)
{
	struct carry *c = arg;
	xmlNsPtr ns = xmlSearchNs(c->at->doc, c->at, BAD_CAST prefix);

	if (ns == NULL || ns->href == NULL || declares_prefix(c->top, prefix))
		return 0;
	/* declared at or below top: it travels with top */
	for (xmlNodePtr a = c->at; a != NULL && a->type == XML_ELEMENT_NODE; a = a->parent) {
		if (declared_on(a, ns))
			return 0;
		if (a == c->top)
			break;
	}
	/* top's own name must keep its meaning */
	if (c->top->ns != NULL && c->top->ns->prefix != NULL &&
	    strcmp((const char *)c->top->ns->prefix, prefix) == 0)
		return 0;
	if (xmlNewNs(c->top, ns->href, BAD_CAST prefix) == NULL)
		xoom();
	return 0;
}

static void
carry_walk(struct carry *c, xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		c->at = n;
		each_own_prefix(n, carry_one, c);
		if (!packed_is(n))
			carry_walk(c, n->children);
	}
}

void
ns_carry_values(xmlNodePtr e)
{
	struct carry c = { e, e };
	xmlNodePtr saved;

	if (e == NULL || e->type != XML_ELEMENT_NODE)
		return;
	saved = e->next;
	e->next = NULL;		/* e's subtree only */
	carry_walk(&c, e);
	e->next = saved;
}

void
ns_carry_children(xmlNodePtr parent)
{
	for (xmlNodePtr c = parent != NULL ? parent->children : NULL; c != NULL; c = c->next)
		ns_carry_values(c);
}

/* 1 when d's own name or one of its attributes is written with prefix. */
static int
own_names_use(xmlNodePtr d, const char *prefix)
{
	if (d->ns != NULL && d->ns->prefix != NULL &&
	    strcmp((const char *)d->ns->prefix, prefix) == 0)
		return 1;
	for (xmlAttrPtr a = d->properties; a != NULL; a = a->next)
		if (a->ns != NULL && a->ns->prefix != NULL &&
		    strcmp((const char *)a->ns->prefix, prefix) == 0)
			return 1;
	return 0;
}

struct leaf_carry {
	xmlNodePtr	 d, e;
};

static int
leaf_one(void *arg, const char *prefix)
{
	struct leaf_carry *lc = arg;
	xmlNsPtr ens = xmlSearchNs(lc->e->doc, lc->e, BAD_CAST prefix), dns;

	if (ens == NULL || ens->href == NULL)
		return 0;
	dns = xmlSearchNs(lc->d->doc, lc->d, BAD_CAST prefix);
	if (dns != NULL && xmlStrEqual(dns->href, ens->href))
		return 0;
	if (declares_prefix(lc->d, prefix) || own_names_use(lc->d, prefix))
		return 0;	/* would change what d's own names mean */
	if (xmlNewNs(lc->d, ens->href, BAD_CAST prefix) == NULL)
		xoom();
	return 0;
}

void
ns_carry_leaf(xmlNodePtr d, xmlNodePtr e)
{
	struct leaf_carry lc = { d, e };

	if (d != NULL && e != NULL && d->type == XML_ELEMENT_NODE &&
	    e->type == XML_ELEMENT_NODE)
		each_own_prefix(e, leaf_one, &lc);
}

/* A prefix e's text uses, bound in e's scope, bound otherwise (or not) in d's? */
static int
rebinds_one(void *arg, const char *prefix)
{
	struct leaf_carry *lc = arg;
	xmlNsPtr ens = xmlSearchNs(lc->e->doc, lc->e, BAD_CAST prefix), dns;

	if (ens == NULL || ens->href == NULL)
		return 0;
	dns = xmlSearchNs(lc->d->doc, lc->d, BAD_CAST prefix);
	/* d's own names written with it move to another prefix (ns_rebind_leaf) */
	return dns == NULL || !xmlStrEqual(dns->href, ens->href);
}

int
ns_leaf_rebinds(xmlNodePtr d, xmlNodePtr e)
{
	struct leaf_carry lc = { d, e };

	if (d == NULL || e == NULL || d->type != XML_ELEMENT_NODE || e->type != XML_ELEMENT_NODE)
		return 0;
	return each_own_prefix(e, rebinds_one, &lc);
}

/*
 * The copy n's own name and attributes written with prefix (declared on n:
 * a copy off the tree declares what its names use) get a prefix of their
 * own, bound to the same URI, that n's text (e's) does not use: a name's
 * prefix is not its meaning, a text's is.
 */
static void
reprefix_own_names(xmlNodePtr n, xmlNodePtr e, xmlNsPtr old)
{
	char *fresh = NULL;
	xmlNsPtr ns;

	for (unsigned i = 0;; i++) {
		free(fresh);
		xasprintf(&fresh, "%s%u", (const char *)old->prefix, i);
		if (xmlSearchNs(n->doc, n, BAD_CAST fresh) == NULL && !ns_value_uses(e, BAD_CAST fresh))
			break;
	}
	if ((ns = xmlNewNs(n, old->href, BAD_CAST fresh)) == NULL)
		xoom();
	free(fresh);
	if (n->ns != NULL && xmlStrEqual(n->ns->prefix, old->prefix))
		n->ns = ns;
	for (xmlAttrPtr a = n->properties; a != NULL; a = a->next)
		if (a->ns != NULL && xmlStrEqual(a->ns->prefix, old->prefix))
			a->ns = ns;
}

static int
rebind_one(void *arg, const char *prefix)
{
	struct leaf_carry *lc = arg;
	xmlNsPtr ens = xmlSearchNs(lc->e->doc, lc->e, BAD_CAST prefix);

	if (ens == NULL || ens->href == NULL)
		return 0;
	for (xmlNsPtr d = lc->d->nsDef; d != NULL; d = d->next)
		if (d->prefix != NULL && strcmp((const char *)d->prefix, prefix) == 0) {
			if (!xmlStrEqual(d->href, ens->href)) {
				xmlChar *href = xmlStrdup(ens->href);

				if (href == NULL)
					xoom();
				if (own_names_use(lc->d, prefix))
					reprefix_own_names(lc->d, lc->e, d);
				xmlFree((xmlChar *)d->href);
				d->href = href;
			}
			return 0;
		}
	return leaf_one(arg, prefix);
}

void
ns_rebind_leaf(xmlNodePtr d, xmlNodePtr e)
{
	struct leaf_carry lc = { d, e };

	if (d != NULL && e != NULL && d->type == XML_ELEMENT_NODE &&
	    e->type == XML_ELEMENT_NODE)
		each_own_prefix(e, rebind_one, &lc);
}

/* ---- declarations of stored nodes (edit.c) ---- */

int
ns_in_subtree(xmlNodePtr n, xmlNsPtr ns)
{
	if (n->type != XML_ELEMENT_NODE)
		return 0;
	if (n->ns == ns)
		return 1;
	for (xmlAttrPtr a = n->properties; a != NULL; a = a->next)
		if (a->ns == ns)
			return 1;
	if (ns_value_uses(n, ns->prefix))	/* identityref and the like: nsvalue.c */
		return 1;
	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		if (ns_in_subtree(c, ns))
			return 1;
	return 0;
}

static void
ns_repoint(xmlNodePtr n, xmlNsPtr from, xmlNsPtr to)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (n->ns == from)
			n->ns = to;
		for (xmlAttrPtr a = n->properties; a != NULL; a = a->next)
			if (a->ns == from)
				a->ns = to;
		ns_repoint(n->children, from, to);
	}
}

/*
 * n was just linked under its parent: drop n's namespace declarations
 * that repeat one in scope or that nothing uses (the copy declared them
 * for itself), so the stored document stays small.  An xmlns="" that
 * undoes a default namespace in scope stays: no node points to it, yet
 * without it n's no-namespace elements would fall into that namespace.
 */
void
ns_dedupe(xmlNodePtr n)
{
	xmlNsPtr *pp = &n->nsDef, d, f;
	xmlNodePtr saved_next = n->next;

	n->next = NULL;		/* walk n's subtree only */
	while ((d = *pp) != NULL) {
		f = n->parent != NULL ? xmlSearchNs(n->doc, n->parent, d->prefix) : NULL;
		if (f != NULL && xmlStrEqual(f->href, d->href))
			ns_repoint(n, d, f);
		else if (ns_in_subtree(n, d) || (f != NULL && d->prefix == NULL &&
		    (d->href == NULL || d->href[0] == '\0'))) {
			pp = &d->next;
			continue;
		}
		*pp = d->next;
		d->next = NULL;
		xmlFreeNs(d);
	}
	n->next = saved_next;
}

void
ns_tidy(xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (n->nsDef != NULL)
			ns_dedupe(n);
		ns_tidy(n->children);
	}
}
