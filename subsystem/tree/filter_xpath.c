/*
 * XPath filters (RFC 6241 8.9, :xpath): <filter type="xpath"
 * select="EXPR"/>, evaluated by libxml2 with the namespace prefixes in
 * scope on the <filter> element.  The datastore's top-level nodes are the
 * children of the XPath root ("/top/x" works): for the evaluation they are
 * hung directly under the document node, then put back.  Every selected
 * node comes back with its ancestors (childless copies) and its whole
 * subtree; a selected attribute or text node brings its element.  Also
 * filter_apply(), which picks subtree or XPath.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "xmalloc.h"
#include "tree.h"


/* The copy of data node d under out (creating childless ancestors); NULL if d is the root. */
static xmlNodePtr
out_for(xmlHashTablePtr map, xmlNodePtr d, xmlNodePtr out)
{
	char key[32];
	xmlNodePtr parent, n;

	if (d == NULL || d->type != XML_ELEMENT_NODE || d->parent == NULL ||
	    d->parent->type != XML_ELEMENT_NODE)
		return out;	/* d is the datastore root */
	snprintf(key, sizeof(key), "%p", (void *)d);
	if ((n = xmlHashLookup(map, BAD_CAST key)) != NULL)
		return n;
	parent = out_for(map, d->parent, out);
	if ((n = xmlDocCopyNode(d, out->doc, 2)) == NULL)
		xoom();
	xmlAddChild(parent, n);
	xmlHashAddEntry(map, BAD_CAST key, n);
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

int
filter_xpath(struct rpc *r, xmlNodePtr filter, const char *select, xmlDocPtr data,
    xmlNodePtr out)
{
	xmlNodePtr root = xmlDocGetRootElement(data), saved_children, saved_last;
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr res;
	xmlNsPtr *nss;
	xmlHashTablePtr map, whole;
	int rc = 0;

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
	/* the top-level nodes become children of the XPath root */
	saved_children = data->children;
	saved_last = data->last;
	data->children = root->children;
	data->last = root->last;
	for (xmlNodePtr c = root->children; c != NULL; c = c->next)
		c->parent = (xmlNodePtr)data;
	ctx->node = (xmlNodePtr)data;
	res = xmlXPathEvalExpression(BAD_CAST select, ctx);
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
		goto done;
	}
	if ((map = xmlHashCreate(64)) == NULL || (whole = xmlHashCreate(64)) == NULL)
		xoom();
	for (int i = 0; res->nodesetval != NULL && i < res->nodesetval->nodeNr; i++) {
		xmlNodePtr d = res->nodesetval->nodeTab[i];
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
		xmlHashAddEntry(whole, BAD_CAST key, d);
		xmlAddChild(out_for(map, d->parent, out),
		    packed_copy_node(d, out->doc));
	}
	xmlHashFree(map, NULL);
	xmlHashFree(whole, NULL);
done:
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	return rc;
}

int
filter_apply(struct rpc *r, xmlNodePtr filter, xmlDocPtr data, xmlDocPtr *out_doc)
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
		filter_subtree(filter, xmlDocGetRootElement(data), root);
	} else if (xmlStrEqual(type, BAD_CAST "xpath")) {
		xmlChar *sel = xmlGetProp(filter, BAD_CAST "select");
		if (sel == NULL) {
			xmlNodePtr e = rpc_error(r, ERR_PROTOCOL, TAG_MISSING_ATTRIBUTE, NULL,
			    "an xpath filter needs a select attribute");
			rpc_error_info(e, "bad-attribute", "select");
			rpc_error_info(e, "bad-element", "filter");
			rc = -1;
		} else
			rc = filter_xpath(r, filter, (const char *)sel, data, root);
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
		ns_tidy(root->children);
	if (rc == -1) {
		xmlFreeDoc(out);
		return -1;
	}
	*out_doc = out;
	return 0;
}
