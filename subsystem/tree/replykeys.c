/*
 * The keys a reply must carry with every list entry it returns (RFC
 * 7950 7.8.5: a list entry is encoded with its keys, always), for the
 * filters (filter_subtree.c, filter_xpath.c) and the notifications.
 *
 * Which children of an entry are its keys:
 *   1. With a YANG module for the data (struct schema): the list's keys,
 *      in the model's order; a container or a keyless list has none.
 *   2. Else with RELAX NG keys (nma:key, keys_from_schema): the children
 *      the annotation names.
 *   3. Else, schema-less: an element next to a sibling element of its
 *      own name is a list entry, and its first child element, when that
 *      is a leaf, is its key (RFC 7950 encodes keys first; edit_index.c
 *      addresses entries by the same leaf).  A list holding one entry
 *      cannot be told from a container (RFC 6241 6.4.7's company-info
 *      must not get its first leaf), so it gets no key this way.
 * man/nchome-netconf.8 says the same.
 */
#include <string.h>

#include "tree_int.h"
#include "schema/schema.h"

const struct lysc_node *
reply_schema_child(const struct reply_opts *o, const struct lysc_node *parent,
    int top, xmlNodePtr d)
{
	static const struct schema *last_schema;
	static const struct lysc_node *last_parent, *last;
	static char last_name[64], last_ns[256];
	const char *ns;

	if (o == NULL || o->schema == NULL || (!top && parent == NULL) ||
	    d->type != XML_ELEMENT_NODE)
		return NULL;
	ns = d->ns != NULL && d->ns->href != NULL ? (const char *)d->ns->href : NULL;
	if (ns == NULL)
		return NULL;
	/* the entries of a list ask the same question in a row */
	if (last_schema == o->schema && last_parent == parent && strcmp(last_name, (const char *)d->name) == 0 &&
	    strcmp(last_ns, ns) == 0 && last_name[0] != '\0')
		return last;
	last = schema_child(o->schema, parent, ns, (const char *)d->name);
	last_parent = parent;
	last_schema = o->schema;
	if (strlen((const char *)d->name) < sizeof(last_name) && strlen(ns) < sizeof(last_ns)) {
		strcpy(last_name, (const char *)d->name);
		strcpy(last_ns, ns);
	} else
		last_name[0] = '\0';
	return last;
}

static xmlNodePtr
child_named(xmlNodePtr d, const char *name, const char *ns)
{
	for (xmlNodePtr c = d->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0 &&
		    (ns == NULL || (c->ns != NULL && c->ns->href != NULL &&
		    strcmp((const char *)c->ns->href, ns) == 0)))
			return c;
	return NULL;
}

/* 1 when element n is in the reply: o hides nothing of it (NACM read). */
static int
shown(const struct reply_opts *o, const xmlNode *n)
{
	return o == NULL || o->hidden == NULL || !o->hidden(o->hidden_arg, n);
}

/* The element before or after n that o does not hide. */
static xmlNodePtr
elem_sibling(const struct reply_opts *o, xmlNodePtr n, int next)
{
	do
		n = next ? n->next : n->prev;
	while (n != NULL && (n->type != XML_ELEMENT_NODE || !shown(o, n)));
	return n;
}

/* The first child element of n that o does not hide. */
static xmlNodePtr
first_shown(const struct reply_opts *o, xmlNodePtr n)
{
	packed_unpack(n);
	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && shown(o, c))
			return c;
	return NULL;
}

int
reply_entry_keys(const struct reply_opts *o, const struct lysc_node *sn, xmlNodePtr d,
    xmlNodePtr *keys, int max)
{
	xmlNodePtr s, first;
	int n = 0;

	if (d == NULL || d->type != XML_ELEMENT_NODE || max <= 0)
		return 0;
	packed_unpack(d);
	if (sn != NULL) {
		const struct lysc_node *k[16];
		unsigned nk;

		if (sn->nodetype != LYS_LIST)
			return 0;
		nk = schema_keys(sn, k, 16);
		for (unsigned i = 0; i < nk && i < 16 && n < max; i++) {
			xmlNodePtr c = child_named(d, k[i]->name, k[i]->module->ns);
			if (c != NULL)
				keys[n++] = c;
		}
		return n;
	}
	if (o != NULL && o->keys != NULL) {
		char **names = xmlHashLookup(o->keys, d->name);

		if (names != NULL) {
			for (int i = 0; names[i] != NULL && n < max; i++) {
				xmlNodePtr c = child_named(d, names[i], NULL);
				if (c != NULL)
					keys[n++] = c;
			}
			return n;
		}
	}
	/* schema-less: as on the data less what o hides (the reply's data) */
	if (!(((s = elem_sibling(o, d, 0)) != NULL && node_same_name(s, d)) ||
	    ((s = elem_sibling(o, d, 1)) != NULL && node_same_name(s, d))))
		return 0;
	if ((first = first_shown(o, d)) == NULL || packed_is(first) || first_shown(o, first) != NULL)
		return 0;
	keys[n++] = first;
	return n;
}
