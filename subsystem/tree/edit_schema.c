/*
 * What the YANG modules say about an edit-config node (for edit.c):
 * which schema node it is, whether an edit may touch it at all, and
 * whether the values it writes are valid for their types.
 *
 *   - Below a node the modules know (a container or list), an element
 *     they do not know is refused: unknown-element, with bad-element.
 *     Top-level data no module covers is edited by the schema-less
 *     rules (edit_index.c); so are the descendants of such data and of
 *     anydata.
 *   - config false nodes, and keyless lists (config false by YANG's
 *     rules), are refused whatever the operation: invalid-value with
 *     the error-path, as Netopeer2 answers for state data in an edit.
 *   - A list entry written without all its keys: missing-element, with
 *     bad-element naming the first missing key.
 *   - A value written (merge, replace, create) is checked by the type's
 *     libyang plugin (schema_value_check): invalid-value (or the
 *     model's error-app-tag and error-message) with the error-path.
 * Values are checked per touched leaf: a new subtree's leaves all, an
 * existing entry's only those the edit names.  What needs more than
 * one leaf (mandatory, unique, min/max-elements, must, when, leafref)
 * is the datastore validation's, not this file's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "tree_int.h"

/*
 * An <rpc-error> in r (NULL: none) from se: app-tag, error-path with its
 * namespaces, then bad-attribute and bad-element (each NULL: none).
 */
void
schema_error_report(struct rpc *r, const struct schema_error *se, const char *bad_attribute,
    const char *bad_element)
{
	xmlNodePtr err, path = NULL;

	if (r == NULL)
		return;
	err = rpc_error(r, ERR_APPLICATION, se->tag, se->path.text, "%s",
	    se->message != NULL ? se->message : "invalid");
	if (err == NULL)
		return;
	for (xmlNodePtr x = err->children; x != NULL; x = x->next)
		if (x->type == XML_ELEMENT_NODE && strcmp((const char *)x->name, "error-path") == 0)
			path = x;
	for (size_t i = 0; path != NULL && i < se->path.nns; i++)
		xmlNewNs(path, BAD_CAST se->path.ns[i].ns, BAD_CAST se->path.ns[i].prefix);
	if (se->app_tag != NULL) {
		xmlNodePtr at = xmlNewDocNode(err->doc, err->ns, BAD_CAST "error-app-tag", NULL);

		if (at != NULL) {
			xmlNodeAddContent(at, BAD_CAST se->app_tag);
			if (path != NULL)
				xmlAddPrevSibling(path, at);
			else
				xmlAddChild(err, at);
		}
	}
	if (bad_attribute != NULL)
		rpc_error_info(err, "bad-attribute", bad_attribute);
	if (bad_element != NULL)
		rpc_error_info(err, "bad-element", bad_element);
}

/* An <rpc-error> from a schema_error (counted in c). */
static void
report_info(struct edit_ctx *c, const struct schema_error *se, const char *bad_attribute,
    const char *bad_element)
{
	c->nerrors++;
	schema_error_report(c->r, se, bad_attribute, bad_element);
}

static void
report(struct edit_ctx *c, const struct schema_error *se, const char *bad_element)
{
	report_info(c, se, NULL, bad_element);
}

void
edit_schema_refuse(struct edit_ctx *c, xmlNodePtr e, const char *tag, const char *app_tag,
    const char *msg, const char *bad_attribute, const char *bad_element)
{
	struct schema_error se = { .tag = tag };

	packed_unpack(e);	/* an entry's keys are in its path (check_keys reads it packed) */
	if (c->r != NULL && schema_error_path(c->schema, e, c->config, &se.path) == -1)
		xoom();
	se.message = xstrdup(msg);
	se.app_tag = app_tag != NULL ? xstrdup(app_tag) : NULL;
	report_info(c, &se, bad_attribute, bad_element);
	free(se.message);
	free(se.app_tag);
	schema_text_free(&se.path);
}

/* Reports tag with message about element e (error-path from the schema). */
static void
refuse(struct edit_ctx *c, xmlNodePtr e, const char *tag, const char *msg,
    const char *bad_element)
{
	edit_schema_refuse(c, e, tag, NULL, msg, NULL, bad_element);
}

static int
may_have_children(const struct lysc_node *sn)
{
	return sn != NULL && (sn->nodetype & (LYS_CONTAINER | LYS_LIST)) != 0;
}

/*
 * Edit leaf e takes the module's form of its value (identityref,
 * instance-identifier: the modules' own prefixes) and declares the
 * prefixes it uses, so what is stored means the same wherever it is
 * copied and reads the same whatever prefixes the client chose.  A
 * declaration of e's that the new text no longer needs is dropped later
 * (ns_tidy, edit_add_child) unless something else uses it.
 */
/* A declaration on e, for href, of a prefix not in scope on e. */
static xmlNsPtr
fresh_ns(xmlNodePtr e, const xmlChar *href)
{
	char pf[16];

	for (int k = 0; k < 10000; k++) {
		snprintf(pf, sizeof(pf), "n%d", k);
		if (xmlSearchNs(e->doc, e, BAD_CAST pf) == NULL)
			return xmlNewNs(e, href, BAD_CAST pf);
	}
	return NULL;
}

/* e's name and attributes stop using prefix (they get a fresh one for their namespace). */
static void
free_prefix(xmlNodePtr e, const xmlChar *prefix)
{
	xmlNsPtr f;

	if (e->ns != NULL && xmlStrEqual(e->ns->prefix, prefix)) {
		if ((f = fresh_ns(e, e->ns->href)) == NULL)
			xoom();
		xmlSetNs(e, f);
	}
	for (xmlAttrPtr a = e->properties; a != NULL; a = a->next)
		if (a->ns != NULL && xmlStrEqual(a->ns->prefix, prefix)) {
			if ((f = fresh_ns(e, a->ns->href)) == NULL)
				xoom();
			a->ns = f;
		}
}

/*
 * Edit leaf e takes the module's form of its value (identityref,
 * instance-identifier: the modules' own prefixes) and declares the
 * prefixes it uses, so what is stored reads the same whatever prefixes
 * the client chose.  Declarations nothing uses any more are dropped when
 * the node is stored (edit_add_child, ns_tidy).
 */
static void
normalise(xmlNodePtr e, const struct schema_text *norm)
{
	for (size_t i = 0; i < norm->nns; i++) {
		const xmlChar *pf = BAD_CAST norm->ns[i].prefix, *href = BAD_CAST norm->ns[i].ns;
		xmlNsPtr have = xmlSearchNs(e->doc, e, pf), own = NULL;

		if (have != NULL && xmlStrEqual(have->href, href))
			continue;
		free_prefix(e, pf);
		for (xmlNsPtr d = e->nsDef; d != NULL; d = d->next)
			if (xmlStrEqual(d->prefix, pf))
				own = d;
		if (own != NULL) {
			/* e is a leaf: after free_prefix only its text reads it */
			xmlFree((xmlChar *)own->href);
			own->href = xmlStrdup(href);
		} else if (xmlNewNs(e, href, pf) == NULL)
			xoom();
	}
	xmlNodeSetContent(e, NULL);
	xmlNodeAddContent(e, BAD_CAST norm->text);
}

/* Checks the value of leaf or leaf-list e (schema node sn); 0 or 1 (reported). */
static int
check_value(struct edit_ctx *c, xmlNodePtr e, const struct lysc_node *sn)
{
	struct schema_value val = { 0 };
	struct schema_error se = { 0 };
	char *text;
	int rc;

	if (node_first_elem(e) != NULL) {
		refuse(c, e, TAG_INVALID_VALUE, "a leaf holds no elements", NULL);
		return 1;
	}
	text = node_leaf_text(e);
	rc = schema_value_check(c->schema, sn, e, c->config, text, &val, &se);
	free(text);
	if (rc != 0)
		report(c, &se, NULL);
	else if (val.norm.text != NULL)
		normalise(e, &val.norm);
	schema_value_free(&val);
	schema_error_free(&se);
	return rc != 0;
}

/* The keys of list entry e (schema node sn) are all there; else 1 (reported). */
static int
check_keys(struct edit_ctx *c, xmlNodePtr e, const struct lysc_node *sn)
{
	const struct lysc_node *keys[16];
	unsigned nk = schema_keys(sn, keys, 16);

	for (unsigned i = 0; i < nk && i < 16; i++) {
		xmlNodePtr k = NULL;
		int found = 0;

		/*
		 * A packed entry is read as it is: unpacking 50,000 entries of
		 * a bulk edit to look at their keys tripled its peak memory.
		 * Packed children are all in the entry's namespace.
		 */
		if (packed_is(e)) {
			const char *cname, *text;

			found = e->ns != NULL &&
			    strcmp((const char *)e->ns->href, keys[i]->module->ns) == 0 &&
			    packed_child(e, keys[i]->name, &cname, &text) != 0;
		} else
			for (k = e->children; k != NULL && !found; k = k->next)
				found = k->type == XML_ELEMENT_NODE && k->ns != NULL &&
				    strcmp((const char *)k->name, keys[i]->name) == 0 &&
				    strcmp((const char *)k->ns->href, keys[i]->module->ns) == 0;
		if (!found) {
			refuse(c, e, TAG_MISSING_ELEMENT, "a list entry without all its keys",
			    keys[i]->name);
			return 1;
		}
	}
	return 0;
}

int
edit_schema_node(struct edit_ctx *c, xmlNodePtr e, const struct lysc_node *psn, int known,
    int writes, const struct lysc_node **snp)
{
	const struct schema_info *in;
	const struct lysc_node *sn;

	*snp = NULL;
	if (c->schema == NULL || !known)
		return 0;
	sn = e->ns != NULL ? schema_child(c->schema, psn, (const char *)e->ns->href,
	    (const char *)e->name) : NULL;
	if (sn == NULL) {
		if (psn == NULL)
			return 0;	/* top-level data no module covers */
		refuse(c, e, TAG_UNKNOWN_ELEMENT, "no such node in the module",
		    (const char *)e->name);
		return 1;
	}
	if ((in = schema_info(c->schema, sn)) == NULL)
		xoom();
	if (in->flags & (SCHEMA_CONFIG_FALSE | SCHEMA_KEYLESS)) {
		refuse(c, e, TAG_INVALID_VALUE,
		    "state data (config false) cannot be edited", NULL);
		return 1;
	}
	*snp = sn;
	if (sn->nodetype == LYS_LIST && check_keys(c, e, sn))
		return 1;
	if (writes && (sn->nodetype & (LYS_LEAF | LYS_LEAFLIST)) && check_value(c, e, sn))
		return 1;
	return 0;
}

int
edit_schema_subtree(struct edit_ctx *c, xmlNodePtr e, const struct lysc_node *sn)
{
	const struct lysc_node *csn;
	int nerr = 0, was_packed;

	if (!may_have_children(sn))
		return 0;
	was_packed = packed_unpack(e);
	for (xmlNodePtr x = e->children; x != NULL; x = x->next) {
		if (x->type != XML_ELEMENT_NODE)
			continue;
		if (edit_schema_node(c, x, sn, 1, 1, &csn) != 0 ||
		    edit_schema_subtree(c, x, csn) != 0) {
			nerr = 1;
			if (c->erropt != ERROPT_CONTINUE)
				break;
		}
	}
	/* checked: packed again at once, so a bulk edit holds one entry unpacked */
	if (was_packed && nerr == 0)
		packed_pack_tree(e);
	return nerr;
}

int
edit_schema_known(const struct lysc_node *sn)
{
	return may_have_children(sn);
}

xmlNodePtr
edit_schema_other_case(struct edit_ctx *c, xmlNodePtr p, const struct lysc_node *psn,
    const struct lysc_node *sn)
{
	const struct schema_info *in;

	if (c->schema == NULL || sn == NULL || (in = schema_info(c->schema, sn)) == NULL ||
	    !(in->flags & SCHEMA_IN_CASE))
		return NULL;
	packed_unpack(p);
	for (xmlNodePtr x = p->children; x != NULL; x = x->next) {
		const struct lysc_node *xsn;

		if (x->type != XML_ELEMENT_NODE || x->ns == NULL)
			continue;
		xsn = schema_child(c->schema, psn, (const char *)x->ns->href,
		    (const char *)x->name);
		if (xsn != NULL && schema_cases_conflict(sn, xsn))
			return x;
	}
	return NULL;
}
