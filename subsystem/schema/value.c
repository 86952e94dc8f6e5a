/*
 * Values of leaves and leaf-lists (see schema.h): checked by the type's
 * libyang plugin, without a data tree, and rewritten with the modules'
 * own prefixes when they hold prefixes; and error-paths.
 *
 * The plugin's store callback takes the value's prefixes as
 * LY_VALUE_SCHEMA_RESOLVED data: a libyang sized array of (prefix,
 * module) pairs, here the namespace declarations in scope on the XML
 * element, the default namespace as the pair without a prefix (RFC 7950
 * 9.10.3: an unprefixed identityref in XML is in the default
 * namespace).  libyang's own XML parser resolves prefixes the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_int.h"

#define MAX_DEPTH	256

void
schema_error_free(struct schema_error *e)
{
	schema_text_free(&e->path);
	free(e->message);
	free(e->app_tag);
	memset(e, 0, sizeof(*e));
}

void
schema_value_free(struct schema_value *v)
{
	schema_text_free(&v->norm);
}

/*
 * The namespace declarations in scope on elem as a libyang sized array
 * of lysc_prefix; declarations of namespaces no module has are left
 * out (their prefixes stay unresolved).  free() the result's base,
 * prefixes_base(). NULL on ENOMEM.
 */
static struct lysc_prefix *
inscope_prefixes(struct schema *s, xmlNodePtr elem)
{
	xmlNsPtr *list = elem != NULL ? xmlGetNsList(elem->doc, elem) : NULL;
	const struct lys_module *mod;
	struct lysc_prefix *p;
	size_t n = 0, k = 0;
	char *base;

	while (list != NULL && list[n] != NULL)
		n++;
	if ((base = calloc(1, sizeof(LY_ARRAY_COUNT_TYPE) + (n + 1) * sizeof(*p))) == NULL) {
		xmlFree(list);
		return NULL;
	}
	p = (struct lysc_prefix *)(base + sizeof(LY_ARRAY_COUNT_TYPE));
	for (size_t i = 0; i < n; i++) {
		if ((mod = schema_module_of_ns(s, (const char *)list[i]->href)) == NULL &&
		    (mod = ly_ctx_get_module_latest_ns(s->ctx, (const char *)list[i]->href)) == NULL)
			continue;
		p[k].prefix = (char *)list[i]->prefix;	/* NULL: the default namespace */
		p[k].mod = mod;
		k++;
	}
	*(LY_ARRAY_COUNT_TYPE *)base = k;
	xmlFree(list);
	return p;
}

static void
prefixes_free(struct lysc_prefix *p)
{
	if (p != NULL)
		free((char *)p - sizeof(LY_ARRAY_COUNT_TYPE));
}

static int
internal_error(struct schema_error *err, const char *msg)
{
	err->tag = "operation-failed";
	err->message = strdup(msg ? msg : "out of memory");
	return -1;
}

int
schema_value_check(struct schema *s, const struct lysc_node *sn, xmlNodePtr elem,
    xmlNodePtr data_root, const char *text, struct schema_value *val,
    struct schema_error *err)
{
	const struct schema_info *info;
	const struct lysc_type *type;
	struct lysc_prefix *prefixes = NULL;
	struct ly_err_item *lerr = NULL;
	struct lyd_value storage;
	struct schema_text t;
	LY_ERR rc;

	memset(val, 0, sizeof(*val));
	memset(err, 0, sizeof(*err));
	if (schema_context(s) == NULL)
		return internal_error(err, s->ctx_err);
	if (!(sn->nodetype & (LYS_LEAF | LYS_LEAFLIST)))
		return internal_error(err, "not a leaf or leaf-list");
	if ((info = schema_info(s, sn)) == NULL)
		return internal_error(err, NULL);
	if (text == NULL)
		text = "";
	if ((info->flags & SCHEMA_PREFIXED) && (prefixes = inscope_prefixes(s, elem)) == NULL)
		return internal_error(err, NULL);
	type = ((const struct lysc_node_leaf *)sn)->type;
	memset(&storage, 0, sizeof(storage));
	rc = type->plugin->store(s->ctx, type, text, strlen(text), 0, LY_VALUE_SCHEMA_RESOLVED,
	    prefixes, LYD_HINT_DATA, sn, &storage, NULL, &lerr);
	prefixes_free(prefixes);
	if (rc == LY_SUCCESS || rc == LY_EINCOMPLETE) {
		val->refers = rc == LY_EINCOMPLETE;
		/* a value with prefixes: the modules' own, whatever the element said */
		if ((info->flags & SCHEMA_PREFIXED) && value_print_xml(s->ctx, &storage, &t) == 0) {
			if (t.nns > 0)
				val->norm = t;
			else
				schema_text_free(&t);
		}
		storage.realtype->plugin->free(s->ctx, &storage);
		ly_err_free(lerr);
		return 0;
	}
	if (rc == LY_EMEM || lerr == NULL) {
		ly_err_free(lerr);
		return internal_error(err, NULL);
	}
	err->tag = "invalid-value";
	err->message = strdup(lerr->msg ? lerr->msg : "invalid value");
	if (lerr->apptag != NULL)
		err->app_tag = strdup(lerr->apptag);
	ly_err_free(lerr);
	if (err->message == NULL || schema_error_path(s, elem, data_root, &err->path) == -1) {
		schema_error_free(err);
		return internal_error(err, NULL);
	}
	return 1;
}

/* Appends printf-style text to *buf (malloc()ed, *len bytes). */
static int
cat(char **buf, size_t *len, const char *s, size_t n)
{
	char *nb = realloc(*buf, *len + n + 1);

	if (nb == NULL)
		return -1;
	memcpy(nb + *len, s, n);
	*len += n;
	nb[*len] = '\0';
	*buf = nb;
	return 0;
}

static int
cats(char **buf, size_t *len, const char *s)
{
	return cat(buf, len, s, strlen(s));
}

/* An XPath 1.0 literal of v: quoted, or concat() when it holds both quotes. */
static int
cat_literal(char **buf, size_t *len, const char *v)
{
	const char *q;

	if (strchr(v, '\'') == NULL || strchr(v, '"') == NULL) {
		q = strchr(v, '\'') == NULL ? "'" : "\"";
		return cats(buf, len, q) || cats(buf, len, v) || cats(buf, len, q) ? -1 : 0;
	}
	if (cats(buf, len, "concat(") == -1)
		return -1;
	for (const char *p = v; *p != '\0';) {
		size_t n = strcspn(p, "'");
		if (p != v && cats(buf, len, ", ") == -1)
			return -1;
		if (n > 0) {
			if (cats(buf, len, "'") || cat(buf, len, p, n) || cats(buf, len, "'"))
				return -1;
			p += n;
		} else {
			if (cats(buf, len, "\"'\"") == -1)
				return -1;
			p++;
		}
	}
	return cats(buf, len, ")");
}

/* The text of the child element (ns, name) of e, or NULL. */
static xmlChar *
child_text(xmlNodePtr e, const char *ns, const char *name)
{
	for (xmlNodePtr c = e->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns != NULL &&
		    strcmp((const char *)c->name, name) == 0 &&
		    strcmp((const char *)c->ns->href, ns) == 0)
			return xmlNodeGetContent(c);
	return NULL;
}

/* One step: /pfx:name[keys], or a namespace test for data no module has. */
static int
cat_step(const struct lysc_node *sn, xmlNodePtr e, struct schema_text *p, size_t *len)
{
	const struct lysc_node *k;
	xmlChar *v;
	int rc = 0;

	if (sn == NULL) {
		if (cats(&p->text, len, "/*[local-name()=") || cat_literal(&p->text, len,
		    (const char *)e->name))
			return -1;
		if (e->ns != NULL && (cats(&p->text, len, " and namespace-uri()=") ||
		    cat_literal(&p->text, len, (const char *)e->ns->href)))
			return -1;
		return cats(&p->text, len, "]");
	}
	if (valtext_add_decl(p, sn->module->prefix, sn->module->ns) == -1 ||
	    cats(&p->text, len, "/") || cats(&p->text, len, sn->module->prefix) ||
	    cats(&p->text, len, ":") || cats(&p->text, len, sn->name))
		return -1;
	if (sn->nodetype == LYS_LEAFLIST) {
		v = xmlNodeGetContent(e);
		rc = cats(&p->text, len, "[.=") || cat_literal(&p->text, len,
		    v ? (const char *)v : "") || cats(&p->text, len, "]") ? -1 : 0;
		xmlFree(v);
		return rc;
	}
	if (sn->nodetype != LYS_LIST)
		return 0;
	for (k = lysc_node_child(sn); k != NULL && lysc_is_key(k) && rc == 0; k = k->next) {
		if ((v = child_text(e, k->module->ns, k->name)) == NULL)
			continue;	/* a key the element lacks: no predicate */
		rc = cats(&p->text, len, "[") || cats(&p->text, len, k->module->prefix) ||
		    cats(&p->text, len, ":") || cats(&p->text, len, k->name) ||
		    cats(&p->text, len, "=") || cat_literal(&p->text, len, (const char *)v) ||
		    cats(&p->text, len, "]") ? -1 : 0;
		xmlFree(v);
	}
	return rc;
}

int
schema_error_path(struct schema *s, xmlNodePtr elem, xmlNodePtr data_root,
    struct schema_text *path)
{
	xmlNodePtr steps[MAX_DEPTH];
	const struct lysc_node *sn = NULL;
	size_t len = 0;
	int n = 0, known = 1;

	memset(path, 0, sizeof(*path));
	for (; elem != NULL && elem != data_root && elem->type == XML_ELEMENT_NODE &&
	    n < MAX_DEPTH; elem = elem->parent)
		steps[n++] = elem;
	if (cats(&path->text, &len, "") == -1)
		return -1;
	while (n-- > 0) {
		/* below an element no module has, no schema node either */
		if (known)
			sn = schema_child(s, sn, steps[n]->ns ? (const char *)steps[n]->ns->href :
			    NULL, (const char *)steps[n]->name);
		known = sn != NULL;
		if (cat_step(sn, steps[n], path, &len) == -1) {
			schema_text_free(path);
			return -1;
		}
	}
	return 0;
}
