/*
 * Subtree filtering exactly as RFC 6241 section 6.
 *
 * Filter element children are classified as in 6.2: content match nodes
 * (leaves with non-blank text), selection nodes (empty leaves), and
 * containment nodes (with element children).  For a data node matched by
 * a filter node:
 *   - the filter node has no element children: the whole data subtree;
 *   - every content match node must have a data child with the same name
 *     and the same text (compared without surrounding white space), else
 *     the data node is left out (AND, 6.2.5);
 *   - only content match nodes: the whole data subtree;
 *   - otherwise the content match children, plus per data child: the whole
 *     subtree for a selection node, the recursive result for a containment
 *     node (left out when empty).
 * Names match by local name and namespace; a filter node with no
 * namespace, or in the NETCONF base namespace (inherited from <rpc>),
 * matches any namespace (6.2.1).  Attributes on a filter node (other than
 * xmlns) must be present on the data node with the same value (6.2.2).
 * An empty <filter/> selects nothing.  Data order is kept.
 *
 * A list entry of which only some children are selected also gets its
 * keys (RFC 7950 7.8.5), as replykeys.c finds them; they alone do not
 * make an entry selected.
 *
 * A node o->hidden hides (NACM read) is as if it were not in the data:
 * it matches no filter node, selects nothing, gives no text to a content
 * match, is no key, and no copy holds it.  The reply is the one the
 * filter gives on the data pruned of hidden nodes, without the copy.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "tree_int.h"


enum fkind { F_SELECT, F_CONTENT, F_CONTAIN };

static enum fkind
kind_of(const xmlNode *f)
{
	for (xmlNodePtr c = f->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return F_CONTAIN;
	for (xmlNodePtr c = f->children; c != NULL; c = c->next)
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
		    c->content != NULL)
			for (const xmlChar *p = c->content; *p; p++)
				if (!isspace(*p))
					return F_CONTENT;
	return F_SELECT;
}

/* 1 when a and b are the same text but for white space around them. */
static int
same_trimmed(const char *a, const char *b)
{
	size_t la, lb;

	while (isspace((unsigned char)*a))
		a++;
	while (isspace((unsigned char)*b))
		b++;
	for (la = strlen(a); la > 0 && isspace((unsigned char)a[la - 1]); la--)
		;
	for (lb = strlen(b); lb > 0 && isspace((unsigned char)b[lb - 1]); lb--)
		;
	return la == lb && memcmp(a, b, la) == 0;
}

/* Text of n (all of it, as XPath's string value); caller frees. */
static char *
text_of(xmlNodePtr n)
{
	char *t;

	packed_unpack(n);
	t = (char *)xmlNodeGetContent(n);
	return t != NULL ? t : xstrdup("");
}

/* 1 when o hides element n (with its subtree). */
static int
hidden(const struct reply_opts *o, const xmlNode *n)
{
	return o != NULL && o->hidden != NULL && n->type == XML_ELEMENT_NODE &&
	    o->hidden(o->hidden_arg, n);
}

/* 1 when o may hide something below n: a packed n holds nothing hidden. */
static int
may_hide_below(const struct reply_opts *o, const xmlNode *n)
{
	return o != NULL && o->hidden != NULL && n->type == XML_ELEMENT_NODE && !packed_is(n);
}

/* Appends to *buf the text of n's subtree that o does not hide. */
static void
visible_text(const struct reply_opts *o, xmlNodePtr n, xmlBufferPtr buf)
{
	for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
			xmlBufferCat(buf, c->content != NULL ? c->content : BAD_CAST "");
		else if (c->type == XML_ELEMENT_NODE && !hidden(o, c)) {
			packed_unpack(c);
			visible_text(o, c, buf);
		}
	}
}

/* Text of data node d less what o hides (text_of's); caller frees. */
static char *
data_text_of(const struct reply_opts *o, xmlNodePtr d)
{
	xmlBufferPtr buf;
	char *t;

	if (!may_hide_below(o, d))
		return text_of(d);
	if ((buf = xmlBufferCreate()) == NULL)
		xoom();
	visible_text(o, d, buf);
	t = xstrdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	return t;
}

static int
ns_wild(const xmlNode *f)
{
	return f->ns == NULL || f->ns->href == NULL || f->ns->href[0] == '\0' ||
	    strcmp((const char *)f->ns->href, NC_NS_BASE) == 0;
}

static int
attrs_match(const xmlNode *f, const xmlNode *d)
{
	for (xmlAttrPtr a = f->properties; a != NULL; a = a->next) {
		const xmlChar *ns = a->ns != NULL ? a->ns->href : NULL;
		xmlChar *want = xmlNodeGetContent((xmlNodePtr)a);
		xmlChar *have = ns != NULL ? xmlGetNsProp(d, a->name, ns) :
		    xmlGetNoNsProp(d, a->name);
		int ok = have != NULL && want != NULL && xmlStrEqual(want, have);
		xmlFree(want);
		xmlFree(have);
		if (!ok)
			return 0;
	}
	return 1;
}

static int
node_match(const xmlNode *f, const xmlNode *d)
{
	if (f->type != XML_ELEMENT_NODE || d->type != XML_ELEMENT_NODE ||
	    !xmlStrEqual(f->name, d->name))
		return 0;
	if (!ns_wild(f) && (d->ns == NULL || !xmlStrEqual(f->ns->href, d->ns->href)))
		return 0;
	return attrs_match(f, d);
}

static int
content_match(const struct reply_opts *o, xmlNodePtr cm, xmlNodePtr d)
{
	char *a, *b;
	int eq;

	if (hidden(o, d) || !node_match(cm, d))
		return 0;
	a = text_of(cm);
	b = data_text_of(o, d);
	eq = same_trimmed(a, b);
	free(a);
	free(b);
	return eq;
}

/*
 * 1 when packed data node d (packed.c) cannot match containment node f:
 * a content match node of f has no packed child of d with its name and
 * text.  Read without unpacking d, so that a filter picking one entry of
 * a big list does not unpack all the others.  0: unpack d and see.
 */
static int
packed_mismatch(xmlNodePtr f, xmlNodePtr d)
{
	for (xmlNodePtr fc = f->children; fc != NULL; fc = fc->next) {
		const char *pos = NULL, *cname, *text;
		int kind, found = 0, unsure = 0;
		char *want;

		if (fc->type != XML_ELEMENT_NODE || kind_of(fc) != F_CONTENT)
			continue;
		/* packed children have no attributes, and d's namespace */
		if (fc->properties != NULL || (!ns_wild(fc) &&
		    (d->ns == NULL || !xmlStrEqual(fc->ns->href, d->ns->href))))
			return 1;
		want = text_of(fc);
		while (!found && (kind = packed_next_child(d, &pos, &cname, &text)) != 0) {
			if (strcmp(cname, (const char *)fc->name) != 0)
				continue;
			if (kind == PACKED_LEAF)
				found = same_trimmed(text, want);
			else
				unsure = 1;	/* its text is spread over nodes */
		}
		free(want);
		if (!found && !unsure)
			return 1;
	}
	return 0;
}

/*
 * Takes out of copy c (of data node d, child for child) what o hides
 * below d.  Copying first and taking out keeps the copy's namespaces
 * exactly packed_copy_node's.
 */
static void
drop_hidden(const struct reply_opts *o, xmlNodePtr d, xmlNodePtr c)
{
	xmlNodePtr dc = d->children, cc = c->children;

	while (dc != NULL && cc != NULL) {
		xmlNodePtr cnext = cc->next;

		if (hidden(o, dc)) {
			xmlUnlinkNode(cc);
			xmlFreeNode(cc);
		} else if (may_hide_below(o, dc))
			drop_hidden(o, dc, cc);
		dc = dc->next;
		cc = cnext;
	}
}

/* A copy of data node d (not hidden) and its subtree less what o hides. */
static xmlNodePtr
copy_all(const struct reply_opts *o, xmlNodePtr d, xmlDocPtr out)
{
	xmlNodePtr c = packed_copy_node(d, out);

	if (may_hide_below(o, d))
		drop_hidden(o, d, c);
	return c;
}

#define KEYS_MAX	16

/* Where the walk is: the reply's key knowledge and d's schema node. */
struct walk {
	const struct reply_opts	*o;
	const struct lysc_node	*sn;	/* of the data node d */
	int			 top;	/* d is the datastore root */
};

static int filter_node(const struct walk *w, xmlNodePtr f, xmlNodePtr d, xmlNodePtr n);

/* 1 when dc is one of keys[0..nkeys). */
static int
is_key(xmlNodePtr dc, xmlNodePtr *keys, int nkeys)
{
	for (int i = 0; i < nkeys; i++)
		if (keys[i] == dc)
			return 1;
	return 0;
}

/* Adds under outp data child dc as f's children select it, or as a key; 1 if selected. */
static int
filter_child(const struct walk *w, xmlNodePtr f, xmlNodePtr dc, xmlNodePtr outp,
    xmlNodePtr *keys, int nkeys)
{
	xmlNodePtr sub = NULL;
	struct walk cw = { w->o, NULL, 0 };

	if (dc->type != XML_ELEMENT_NODE || hidden(w->o, dc))
		return 0;
	cw.sn = reply_schema_child(w->o, w->sn, w->top, dc);
	for (xmlNodePtr fc = f->children; fc != NULL && sub == NULL; fc = fc->next) {
		if (fc->type != XML_ELEMENT_NODE)
			continue;
		switch (kind_of(fc)) {
		case F_CONTENT:
			if (content_match(w->o, fc, dc))
				sub = copy_all(w->o, dc, outp->doc);
			break;
		case F_SELECT:
			if (node_match(fc, dc))
				sub = copy_all(w->o, dc, outp->doc);
			break;
		case F_CONTAIN:
			if (node_match(fc, dc)) {
				xmlNodePtr n = xmlDocCopyNode(dc, outp->doc, 2);
				if (n == NULL)
					xoom();
				if (filter_node(&cw, fc, dc, n))
					sub = n;
				else
					xmlFreeNode(n);
			}
			break;
		}
	}
	if (sub != NULL) {
		xmlAddChild(outp, sub);
		return 1;
	}
	if (nkeys > 0 && is_key(dc, keys, nkeys))
		xmlAddChild(outp, copy_all(w->o, dc, outp->doc));
	return 0;
}

#define LOOKUP_MAX	16	/* key leaves a lookup takes from one filter node */

/*
 * The list entry of d that containment node fc can select, found
 * through d's list index by fc's content match nodes (edit_index.c):
 * 1 with *found (NULL: none can be), 0 when only a walk can tell.  The
 * index knows no hiding: filter_child checks the entry found as a walk
 * would (a hidden entry, or one found by a hidden key, is not selected;
 * keys are unique, so no other entry could have been).
 */
static int
keyed_entry(const struct walk *w, xmlNodePtr fc, xmlNodePtr d, xmlNodePtr *found)
{
	struct index_rules ru = { NULL, NULL, w->top ? NULL : w->sn, w->top || w->sn != NULL };
	const char *names[LOOKUP_MAX], *vals[LOOKUP_MAX];
	char *texts[LOOKUP_MAX];
	int n = 0, rc;

	if (w->o != NULL) {
		ru.keys = w->o->keys;
		ru.schema = w->o->schema;
	}
	/* packed entries have no attributes: fc's would need a walk */
	if (kind_of(fc) != F_CONTAIN || ns_wild(fc) || fc->properties != NULL)
		return 0;
	for (xmlNodePtr c = fc->children; c != NULL && n < LOOKUP_MAX; c = c->next) {
		char *t, *e;

		if (c->type != XML_ELEMENT_NODE || kind_of(c) != F_CONTENT ||
		    c->properties != NULL ||
		    (!ns_wild(c) && !xmlStrEqual(c->ns->href, fc->ns->href)))
			continue;
		t = text_of(c);
		for (e = t + strlen(t); e > t && isspace((unsigned char)e[-1]); e--)
			;
		*e = '\0';
		for (e = t; isspace((unsigned char)*e); e++)
			;
		memmove(t, e, strlen(e) + 1);
		names[n] = (const char *)c->name;
		texts[n] = t;
		vals[n++] = t;
	}
	rc = n > 0 && index_lookup(d, &ru, (const char *)fc->ns->href,
	    (const char *)fc->name, n, names, vals, found);
	for (int i = 0; i < n; i++)
		free(texts[i]);
	return rc;
}

/*
 * The children of d that f's children can select, and d's keys, in
 * document order (*out, caller frees): 1, or 0 when f has a child that
 * is not a list entry selected by its keys (walk them all).  A filter
 * picking a few entries of a big list reads just those.
 */
static int
keyed_children(const struct walk *w, xmlNodePtr f, xmlNodePtr d, xmlNodePtr *keys,
    int nkeys, xmlNodePtr **out, int *nout)
{
	xmlNodePtr *set, found;
	int n = 0, cap = nkeys + 8, placed = 0;

	if (packed_is(d) || d->children == NULL)
		return 0;
	set = xcalloc((size_t)cap, sizeof(*set));
	for (xmlNodePtr fc = f->children; fc != NULL; fc = fc->next) {
		if (fc->type != XML_ELEMENT_NODE)
			continue;
		if (!keyed_entry(w, fc, d, &found)) {
			free(set);
			return 0;
		}
		if (found == NULL || is_key(found, set, n))
			continue;
		if (n == cap)
			set = xreallocarray(set, (size_t)(cap *= 2), sizeof(*set));
		set[n++] = found;
	}
	for (int i = 0; i < nkeys; i++) {
		if (is_key(keys[i], set, n))
			continue;
		if (n == cap)
			set = xreallocarray(set, (size_t)(cap *= 2), sizeof(*set));
		set[n++] = keys[i];
	}
	if (n > 1) {
		/* document order: the entries' places among d's children */
		xmlNodePtr *sorted = xcalloc((size_t)n, sizeof(*sorted));
		for (xmlNodePtr c = d->children; c != NULL && placed < n; c = c->next)
			if (is_key(c, set, n))
				sorted[placed++] = c;
		free(set);
		set = sorted;
	}
	*out = set;
	*nout = n;
	return 1;
}

/*
 * Adds under outp the filtered children of data node d per filter node
 * f's children, and d's keys (not counted) when it is a list entry.
 */
static int
filter_children(const struct walk *w, xmlNodePtr f, xmlNodePtr d, xmlNodePtr outp)
{
	xmlNodePtr keys[KEYS_MAX], *only;
	int added = 0, nonly, nkeys = w->top ? 0 : reply_entry_keys(w->o, w->sn, d, keys, KEYS_MAX);

	if (keyed_children(w, f, d, keys, nkeys, &only, &nonly)) {
		for (int i = 0; i < nonly; i++)
			added += filter_child(w, f, only[i], outp, keys, nkeys);
		free(only);
		return added;
	}
	for (xmlNodePtr dc = d->children; dc != NULL; dc = dc->next)
		added += filter_child(w, f, dc, outp, keys, nkeys);
	return added;
}

static int filter_node_unpacked(const struct walk *w, xmlNodePtr f, xmlNodePtr d,
    xmlNodePtr n);

/*
 * Fills n (a childless copy of data node d) as containment node f selects;
 * returns 1 when n belongs in the output.  A packed d (packed.c) is
 * unpacked for this and packed again at once: a filter that looks into
 * every entry of a big list never holds the whole list unpacked.
 */
#define VIEW_MAX	256	/* leaves of a packed container a filter reads as nodes */

/* For packed_view: the first leaf (a key) and those a child of filter node f names. */
static int
named_in(void *arg, const char *name, int first)
{
	const xmlNode *f = arg;

	if (first)
		return 1;
	for (const xmlNode *fc = f->children; fc != NULL; fc = fc->next)
		if (fc->type == XML_ELEMENT_NODE && strcmp((const char *)fc->name, name) == 0)
			return 1;
	return 0;
}

/*
 * A packed container of leaves (packed_grow.c: 200,000 of them) that f
 * selects some leaves of: only those are read as nodes, not all
 * (packed_view), and d keeps its string.  Not when the module knows d
 * or d has keys by name (which could be any leaf), nor when f holds
 * only content match nodes (d is then copied whole).  NULL: unpack.
 */
static void *
leaves_view(const struct walk *w, xmlNodePtr f, xmlNodePtr d)
{
	int other = 0;

	if (!packed_is(d) || w->sn != NULL || (w->o != NULL && w->o->keys != NULL &&
	    xmlHashLookup(w->o->keys, d->name) != NULL))
		return NULL;
	for (xmlNodePtr fc = f->children; fc != NULL; fc = fc->next)
		other |= fc->type == XML_ELEMENT_NODE && kind_of(fc) != F_CONTENT;
	return other ? packed_view(d, named_in, f, VIEW_MAX) : NULL;
}

static int
filter_node(const struct walk *w, xmlNodePtr f, xmlNodePtr d, xmlNodePtr n)
{
	int was_packed, rc;
	void *view;

	if (packed_is(d) && packed_mismatch(f, d))
		return 0;
	if ((view = leaves_view(w, f, d)) != NULL) {
		rc = filter_node_unpacked(w, f, d, n);
		index_drop_subtree(d);	/* a lookup may have indexed the leaves read */
		packed_restore(d, view);
		return rc;
	}
	was_packed = packed_unpack(d);
	rc = filter_node_unpacked(w, f, d, n);

	if (was_packed)
		packed_pack_tree(d);
	return rc;
}

static int
filter_node_unpacked(const struct walk *w, xmlNodePtr f, xmlNodePtr d, xmlNodePtr n)
{
	int other = 0;

	for (xmlNodePtr fc = f->children; fc != NULL; fc = fc->next) {
		int found = 0;
		if (fc->type != XML_ELEMENT_NODE)
			continue;
		if (kind_of(fc) != F_CONTENT) {
			other = 1;
			continue;
		}
		for (xmlNodePtr dc = d->children; dc != NULL && !found; dc = dc->next)
			found = content_match(w->o, fc, dc);
		if (!found)
			return 0;
	}
	if (!other) {
		for (xmlNodePtr dc = d->children; dc != NULL; dc = dc->next)
			if (!hidden(w->o, dc))
				xmlAddChild(n, copy_all(w->o, dc, n->doc));
		return 1;
	}
	return filter_children(w, f, d, n) > 0;
}

void
filter_subtree(const struct reply_opts *o, xmlNodePtr filter, xmlNodePtr data_root,
    xmlNodePtr out)
{
	struct walk w = { o, NULL, 1 };

	filter_children(&w, filter, data_root, out);
}
