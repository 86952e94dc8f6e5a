/*
 * The copy of a validation scope (struct vscope, validate.c) that
 * libyang validates: every top-level node of the scope, whole or cut
 * to its units (the entries of split lists to include) with the count
 * of each split list checked here on the whole list, serialised and
 * handed to schema_validate_xml.  The units are looked up by address:
 * sorted (vc_sort_unique) for big edits, read in turn for a few.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "tree_int.h"

static const char *
ns_of(const xmlNode *n)
{
	return n->ns != NULL ? (const char *)n->ns->href : NULL;
}

static int
ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(xmlNodePtr const *)a, y = (uintptr_t)*(xmlNodePtr const *)b;

	return x < y ? -1 : x > y;
}

int
vc_is_unit(const struct vscope *v, xmlNodePtr e)
{
	if (v->nsorted > 0 && bsearch(&e, v->units, v->nsorted, sizeof(e), ptr_cmp) != NULL)
		return 1;
	for (size_t i = v->nsorted; i < v->nunits; i++)
		if (v->units[i] == e)
			return 1;
	return 0;
}

/* Sorts a[0..*n) and drops repeats. */
void
vc_sort_unique(xmlNodePtr *a, size_t *n)
{
	size_t k = 0;

	if (*n == 0)
		return;
	qsort(a, *n, sizeof(*a), ptr_cmp);
	for (size_t i = 1; i < *n; i++)
		if (a[i] != a[k])
			a[++k] = a[i];
	*n = k + 1;
}

struct listcount {
	const struct lysc_node	*sn;
	xmlNodePtr		 first;
	size_t			 n, kept;
};

/*
 * Copies container src (schema node sn) under dst, split lists cut to
 * their units; -1 when a count check fails (validate the top whole).
 */
static int
copy_cut(struct vscope *v, xmlNodePtr src, const struct lysc_node *sn, xmlNodePtr dst)
{
	struct listcount lc[16];
	size_t nlc = 0;
	xmlNodePtr copy;

	if (packed_is(src)) {
		xmlAddChild(dst, packed_copy_node(src, dst->doc));
		return 0;
	}
	if ((copy = xmlDocCopyNode(src, dst->doc, 2)) == NULL)
		xoom();
	xmlAddChild(dst, copy);
	const xmlChar *lname = NULL;
	xmlNsPtr lns = NULL;
	const struct lysc_node *lsn = NULL;

	for (xmlNodePtr c = src->children; c != NULL; c = c->next) {
		const struct lysc_node *csn = NULL;
		size_t i;

		/* 50,000 entries: their names are one dictionary string, look up once */
		if (c->type == XML_ELEMENT_NODE && c->name == lname && c->ns == lns)
			csn = lsn;
		else if (c->type == XML_ELEMENT_NODE) {
			csn = lsn = schema_child(v->s, sn, ns_of(c), (const char *)c->name);
			lname = c->name;
			lns = c->ns;
		}

		if (csn != NULL && csn->nodetype == LYS_LIST && schema_split(v->s, csn) != SPLIT_NO) {
			for (i = 0; i < nlc && lc[i].sn != csn; i++)
				;
			if (i == nlc) {
				if (nlc == 16)
					return -1;
				lc[nlc++] = (struct listcount){ csn, c, 0, 0 };
			}
			lc[i].n++;
			if (vc_is_unit(v, c)) {
				lc[i].kept++;
				xmlAddChild(copy, packed_copy_node(c, dst->doc));
			}
		} else if (csn != NULL && csn->nodetype == LYS_CONTAINER) {
			if (copy_cut(v, c, csn, copy) == -1)
				return -1;
		} else if (c->type == XML_ELEMENT_NODE)
			xmlAddChild(copy, packed_copy_node(c, dst->doc));
	}
	for (size_t i = 0; i < nlc; i++) {
		const struct lysc_node_list *l = (const struct lysc_node_list *)lc[i].sn;

		if (lc[i].n < l->min || lc[i].n > l->max)
			return -1;
		if (l->min > 0 && lc[i].kept == 0)
			xmlAddChild(copy, packed_copy_node(lc[i].first, dst->doc));
	}
	return 0;
}

struct sbuf {
	char	*p;
	size_t	 n, cap;
};

static int
to_sbuf(void *arg, const char *s, size_t len)
{
	struct sbuf *b = arg;

	if (b->n + len + 1 > b->cap) {
		b->cap = (b->n + len + 1) * 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
	return 0;
}

/*
 * v's tops to libyang: whole ones (only when with_whole), the others cut
 * to their units.  0; -1 invalid (reported when report); 1 when, without
 * report, a cut failed its count check.
 */
int
vc_validate(struct vscope *v, struct rpc *r, int with_whole, int report)
{
	struct schema_error se;
	struct sbuf b = { 0 };
	xmlDocPtr doc;
	xmlNodePtr croot;
	struct xmlout *xo;
	int rc;

	doc = xmlNewDoc(BAD_CAST "1.0");
	croot = xmlNewDocNode(doc, NULL, BAD_CAST "data", NULL);
	xmlDocSetRootElement(doc, croot);
	for (size_t i = 0; i < v->ntops; i++) {
		if (v->tops[i].whole && !with_whole)
			continue;
		if (!v->tops[i].whole && copy_cut(v, v->tops[i].top, v->tops[i].sn, croot) == 0)
			continue;
		if (!v->tops[i].whole)
			tree_free(croot->last);	/* the cut copy, half built */
		if (!v->tops[i].whole && !report) {
			doc_free(doc);
			return 1;
		}
		xmlAddChild(croot, packed_copy_node(v->tops[i].top, doc));
	}
	xo = xo_new_writer(to_sbuf, &b);
	for (xmlNodePtr c = croot->children; c != NULL; c = c->next)
		xo_node(xo, c, NULL);
	(void)xo_finish(xo);
	doc_free(doc);
	rc = schema_validate_xml(v->s, b.p != NULL ? b.p : "", &se);
	free(b.p);
	v->unique_failed = rc == 1 && se.app_tag != NULL &&
	    strcmp(se.app_tag, "data-not-unique") == 0;
	if (rc != 0 && report)
		schema_error_report(r, &se, NULL, NULL);
	schema_error_free(&se);
	return rc == 0 ? 0 : -1;
}
