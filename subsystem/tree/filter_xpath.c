/*
 * XPath filters (RFC 6241 8.9, :xpath): <filter type="xpath"
 * select="EXPR"/>, evaluated by libxml2 with the namespace prefixes in
 * scope on the <filter> element.  The datastore's top-level nodes are the
 * children of the XPath root ("/top/x" works): for the evaluation they are
 * hung directly under the document node, then put back.  Every selected
 * node comes back with its ancestors (childless copies) and its whole
 * subtree; a selected attribute or text node brings its element.  Each
 * data node has its own copy, so every list entry stays separate, and an
 * ancestor that is a list entry comes with its keys (replykeys.c).  Also
 * filter_apply(), which picks subtree or XPath.  Names written without
 * a prefix are resolved by the data's namespaces when that is
 * unambiguous (xpath_names.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "xmalloc.h"
#include "tree_int.h"
#include "schema/schema.h"


#define KEYS_MAX	16

struct xwalk {
	const struct reply_opts	*o;
	xmlHashTablePtr		 map;	/* data node -> its copy */
	xmlHashTablePtr		 whole;	/* data nodes copied whole */
	xmlNodePtr		 root;	/* the datastore root */
};

static void
mark_whole(struct xwalk *w, xmlNodePtr d)
{
	char key[32];

	snprintf(key, sizeof(key), "%p", (void *)d);
	xmlHashAddEntry(w->whole, BAD_CAST key, d);
}

/*
 * The copy of data node d under out (creating childless ancestors, list
 * entries with their keys); out itself if d is the root.
 */
static xmlNodePtr
out_for(struct xwalk *w, xmlNodePtr d, xmlNodePtr out)
{
	char key[32];
	xmlNodePtr parent, n, keys[KEYS_MAX];
	const struct lysc_node *sn = NULL;
	int nkeys;

	if (d == NULL || d->type != XML_ELEMENT_NODE || d->parent == NULL ||
	    d->parent->type != XML_ELEMENT_NODE)
		return out;	/* d is the datastore root */
	snprintf(key, sizeof(key), "%p", (void *)d);
	if ((n = xmlHashLookup(w->map, BAD_CAST key)) != NULL)
		return n;
	parent = out_for(w, d->parent, out);
	if ((n = xmlDocCopyNode(d, out->doc, 2)) == NULL)
		xoom();
	xmlAddChild(parent, n);
	xmlHashAddEntry(w->map, BAD_CAST key, n);
	if (w->o != NULL && w->o->schema != NULL)
		sn = schema_node_of(w->o->schema, d, w->root);
	nkeys = reply_entry_keys(w->o, sn, d, keys, KEYS_MAX);
	for (int i = 0; i < nkeys; i++) {
		/* keys first; selected again later, they are not copied twice */
		mark_whole(w, keys[i]);
		xmlAddChild(n, packed_copy_node(keys[i], out->doc));
	}
	return n;
}

/* 1 when d or one of its ancestors was copied whole already. */
static int
inside_whole(xmlHashTablePtr whole, xmlNodePtr d)
{
	char key[32];

	for (; d != NULL && d->type == XML_ELEMENT_NODE; d = d->parent) {
		snprintf(key, sizeof(key), "%p", (void *)d);
		if (xmlHashLookup(whole, BAD_CAST key) != NULL)
			return 1;
	}
	return 0;
}

static void
quiet(void *arg, xmlErrorPtr err)
{
	(void)arg;
	(void)err;
}

/* Copies the selected nodes set under out, with their ancestors. */
static void
emit(const struct reply_opts *o, xmlNodeSetPtr set, xmlNodePtr root, xmlNodePtr out)
{
	struct xwalk w = { o, NULL, NULL, root };
	xmlHashTablePtr whole;

	if ((w.map = xmlHashCreate(64)) == NULL || (whole = w.whole = xmlHashCreate(64)) == NULL)
		xoom();
	for (int i = 0; set != NULL && i < set->nodeNr; i++) {
		xmlNodePtr d = set->nodeTab[i], parent;
		char key[32];
		if (d->type == XML_DOCUMENT_NODE || d == root) {
			/* the whole datastore */
			for (xmlNodePtr c = root->children; c != NULL; c = c->next)
				if (!inside_whole(whole, c)) {
					snprintf(key, sizeof(key), "%p", (void *)c);
					xmlHashAddEntry(whole, BAD_CAST key, c);
					xmlAddChild(out, packed_copy_node(c, out->doc));
				}
			continue;
		}
		if (d->type != XML_ELEMENT_NODE)
			d = d->parent;	/* attribute, text: its element */
		if (d == NULL || d->type != XML_ELEMENT_NODE || d == root ||
		    inside_whole(whole, d))
			continue;
		snprintf(key, sizeof(key), "%p", (void *)d);
		parent = out_for(&w, d->parent, out);
		if (inside_whole(whole, d))
			continue;	/* a key its entry brought */
		xmlHashAddEntry(whole, BAD_CAST key, d);
		xmlAddChild(parent, packed_copy_node(d, out->doc));
	}
	xmlHashFree(w.map, NULL);
	xmlHashFree(whole, NULL);
}

int
filter_xpath(const struct reply_opts *o, struct rpc *r, xmlNodePtr filter,
    const char *select, xmlDocPtr data, xmlNodePtr out)
{
	xmlNodePtr root = xmlDocGetRootElement(data), saved_children, saved_last;
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr res;
	xmlNodeSetPtr keyed;
	struct xpath_views views;
	xmlNsPtr *nss;
	char *resolved;
	int rc = 0;

	/* entries by key: through the list index, nothing unpacked but them */
	if (xpath_keyed(o, filter, select, root, &keyed, &views)) {
		emit(o, keyed, root, out);
		xmlXPathFreeNodeSet(keyed);
		xpath_views_done(&views);
		return 0;
	}
	/* XPath walks real nodes only: unpacked until the RPC ends (packed.c) */
	packed_unpack_tree(root);
	if ((ctx = xmlXPathNewContext(data)) == NULL)
		xoom();
	ctx->error = quiet;	/* the rpc-error says it; nothing on stderr */
	if ((nss = xmlGetNsList(filter->doc, filter)) != NULL) {
		for (int i = 0; nss[i] != NULL; i++)
			if (nss[i]->prefix != NULL)
				xmlXPathRegisterNs(ctx, nss[i]->prefix, nss[i]->href);
		xmlFree(nss);
	}
	/* names without a prefix, each in the one namespace the modules or the data give it */
	resolved = xpath_resolve_names(select, root, ctx, o != NULL ? o->schema : NULL);
	/* the top-level nodes become children of the XPath root */
	saved_children = data->children;
	saved_last = data->last;
	data->children = root->children;
	data->last = root->last;
	for (xmlNodePtr c = root->children; c != NULL; c = c->next)
		c->parent = (xmlNodePtr)data;
	ctx->node = (xmlNodePtr)data;
	res = xmlXPathEvalExpression(BAD_CAST (resolved != NULL ? resolved : select), ctx);
	free(resolved);
	for (xmlNodePtr c = root->children; c != NULL; c = c->next)
		c->parent = root;
	data->children = saved_children;
	data->last = saved_last;

	if (res == NULL) {
		rpc_error(r, ERR_PROTOCOL, TAG_INVALID_VALUE, NULL,
		    "invalid XPath expression: %s", select);
		xmlXPathFreeContext(ctx);
		return -1;
	}
	if (res->type != XPATH_NODESET) {
		rpc_error(r, ERR_PROTOCOL, TAG_INVALID_VALUE, NULL,
		    "the XPath expression does not select nodes: %s", select);
		rc = -1;
	} else
		emit(o, res->nodesetval, root, out);
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	return rc;
}

/*
 * out_root's children (a filtered reply) get the prefixed declarations
 * of the datastore root data_root (values may use them: nsvalue.c);
 * ns_tidy drops those nothing uses.
 */
static void
ns_reply_root(xmlNodePtr out_root, xmlNodePtr data_root)
{
	for (xmlNodePtr c = out_root->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		for (xmlNsPtr ns = data_root->nsDef; ns != NULL; ns = ns->next) {
			int taken = c->ns != NULL && xmlStrEqual(c->ns->prefix, ns->prefix);

			for (xmlNsPtr d = c->nsDef; d != NULL && !taken; d = d->next)
				taken = xmlStrEqual(d->prefix, ns->prefix);
			if (ns->prefix != NULL && ns->href != NULL && !taken &&
			    xmlNewNs(c, ns->href, ns->prefix) == NULL)
				xoom();
		}
	}
	ns_tidy(out_root->children);
}

int
filter_is_subtree(const xmlNode *filter)
{
	xmlChar *type = xmlGetProp(filter, BAD_CAST "type");
	int rc = type == NULL || xmlStrEqual(type, BAD_CAST "subtree");

	xmlFree(type);
	return rc;
}

int
filter_apply(const struct reply_opts *o, struct rpc *r, xmlNodePtr filter,
    xmlDocPtr data, xmlDocPtr *out_doc)
{
	xmlChar *type = xmlGetProp(filter, BAD_CAST "type");
	xmlDocPtr out;
	xmlNodePtr root;
	int rc = 0;

	if ((out = xmlNewDoc(BAD_CAST "1.0")) == NULL ||
	    (root = xmlNewNode(NULL, BAD_CAST "data")) == NULL)
		xoom();
	xmlDocSetRootElement(out, root);
	if (type == NULL || xmlStrEqual(type, BAD_CAST "subtree")) {
		filter_subtree(o, filter, xmlDocGetRootElement(data), root);
	} else if (xmlStrEqual(type, BAD_CAST "xpath")) {
		xmlChar *sel = xmlGetProp(filter, BAD_CAST "select");
		if (o != NULL && o->hidden != NULL) {
			/* XPath does not honour o->hidden: the caller prunes; fail closed */
			rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
			    "an xpath filter on data with hidden nodes");
			rc = -1;
		} else if (sel == NULL) {
			xmlNodePtr e = rpc_error(r, ERR_PROTOCOL, TAG_MISSING_ATTRIBUTE, NULL,
			    "an xpath filter needs a select attribute");
			rpc_error_info(e, "bad-attribute", "select");
			rpc_error_info(e, "bad-element", "filter");
			rc = -1;
		} else
			rc = filter_xpath(o, r, filter, (const char *)sel, data, root);
		xmlFree(sel);
	} else {
		xmlNodePtr e = rpc_error(r, ERR_PROTOCOL, TAG_BAD_ATTRIBUTE, NULL,
		    "filter type must be subtree or xpath");
		rpc_error_info(e, "bad-attribute", "type");
		rpc_error_info(e, "bad-element", "filter");
		rc = -1;
	}
	xmlFree(type);
	if (rc == 0)
		ns_reply_root(root, xmlDocGetRootElement(data));
	if (rc == -1) {
		xmlFreeDoc(out);
		return -1;
	}
	*out_doc = out;
	return 0;
}
