/*
 * XPath filters written without prefixes (issue 16): `/bench/item/c`
 * means, to XPath 1.0, elements in no namespace, which NETCONF data
 * rarely is; clients (and people at a prompt) write it anyway.  A name
 * test without a prefix is taken in a namespace when that is certain:
 *   1. the YANG modules: data nodes of exactly one implemented module
 *      have that name (schema_name_ns), whatever the data holds now;
 *   2. else the data the filter reads: elements of exactly one
 *      namespace use that local name (data no module covers, or a name
 *      several modules have of which the data uses one).
 * A name found in several namespaces both ways, or in none, stays as
 * written (no namespace), so nothing is guessed.
 *
 * The expression is tokenized as XPath 1.0 section 3.7 says: a name
 * followed by "(" is a function or node type, one followed by "::" an
 * axis, one after an operand an operator (and, or, div, mod), and a
 * name after "@" or "attribute::" an attribute (no namespace by
 * default, left alone).  Each name test that resolves gets a prefix of
 * its own ("_nc0", "_nc1"...: not an NCName a client's declared prefix
 * can clash with, since those come from xmlns:, and a declaration
 * "xmlns:_nc0" would be the client's own doing) registered in the
 * XPath context.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xpathInternals.h>

#include "xmalloc.h"
#include "tree.h"

#define NAMES_MAX	64	/* distinct unprefixed names looked up */

struct names {
	char		*name[NAMES_MAX];
	const xmlChar	*ns[NAMES_MAX];		/* NULL: not seen yet */
	int		 ambiguous[NAMES_MAX];
	int		 n;
};

static int
ncstart(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int
ncchar(unsigned char c)
{
	return ncstart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/*
 * Walks expr; for each unprefixed name test calls cb(arg, start, len).
 * 0, or -1 when the expression cannot be tokenized (left to libxml2).
 */
static int
each_name_test(const char *expr, void (*cb)(void *, const char *, size_t), void *arg)
{
	const char *p = expr;
	int operand = 0, attr = 0;

	while (*p != '\0') {
		unsigned char c = (unsigned char)*p;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			p++;
		} else if (c == '"' || c == '\'') {
			const char *e = strchr(p + 1, c);
			if (e == NULL)
				return -1;
			p = e + 1;
			operand = 1;
		} else if ((c >= '0' && c <= '9') || (c == '.' && p[1] >= '0' && p[1] <= '9')) {
			while ((*p >= '0' && *p <= '9') || *p == '.')
				p++;
			operand = 1;
		} else if (c == '$') {
			for (p++; ncchar((unsigned char)*p) || *p == ':'; p++)
				;
			operand = 1;
		} else if (c == '.') {
			p += p[1] == '.' ? 2 : 1;
			operand = 1;
		} else if (c == ')' || c == ']') {
			p++;
			operand = 1;
		} else if (c == '*') {
			p++;
			if (!operand)
				attr = 0;	/* a name test: * */
			operand = !operand;
		} else if (c == '@') {
			p++;
			attr = 1;
			operand = 0;
		} else if (ncstart(c)) {
			const char *s = p, *after;
			int prefixed = 0;

			while (ncchar((unsigned char)*p))
				p++;
			if (p[0] == ':' && p[1] != ':' && (ncstart((unsigned char)p[1]) || p[1] == '*')) {
				prefixed = 1;
				for (p++; ncchar((unsigned char)*p) || *p == '*'; p++)
					;
			}
			after = skip_ws(p);
			if (operand) {
				operand = 0;		/* and, or, div, mod */
			} else if (after[0] == ':' && after[1] == ':') {
				attr = (size_t)(p - s) == 9 && strncmp(s, "attribute", 9) == 0;
				p = after + 2;
			} else if (after[0] == '(') {
				operand = 0;		/* function or node type */
			} else {
				if (!prefixed && !attr)
					cb(arg, s, (size_t)(p - s));
				attr = 0;
				operand = 1;
			}
		} else {
			/* / // [ ( , | + - = != < <= > >= */
			p++;
			operand = 0;
			attr = 0;
		}
	}
	return 0;
}

static void
collect(void *arg, const char *s, size_t len)
{
	struct names *nm = arg;

	for (int i = 0; i < nm->n; i++)
		if (strlen(nm->name[i]) == len && strncmp(nm->name[i], s, len) == 0)
			return;
	if (nm->n < NAMES_MAX)
		nm->name[nm->n++] = xstrndup(s, len);
}

static void
scan_data(struct names *nm, xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (int i = 0; i < nm->n; i++) {
			const xmlChar *ns = n->ns != NULL ? n->ns->href : NULL;

			if (strcmp(nm->name[i], (const char *)n->name) != 0)
				continue;
			if (ns == NULL || ns[0] == '\0' ||
			    (nm->ns[i] != NULL && !xmlStrEqual(nm->ns[i], ns)))
				nm->ambiguous[i] = 1;
			else
				nm->ns[i] = ns;
		}
		scan_data(nm, n->children);
	}
}

struct rewrite {
	struct names	*nm;
	const char	*done;		/* expr copied up to here */
	char		*out;
	size_t		 len, cap;
};

static void
put(struct rewrite *rw, const char *s, size_t n)
{
	if (rw->len + n + 1 > rw->cap) {
		while (rw->len + n + 1 > rw->cap)
			rw->cap = rw->cap ? rw->cap * 2 : 256;
		rw->out = xreallocarray(rw->out, 1, rw->cap);
	}
	memcpy(rw->out + rw->len, s, n);
	rw->len += n;
	rw->out[rw->len] = '\0';
}

static void
rewrite_one(void *arg, const char *s, size_t len)
{
	struct rewrite *rw = arg;
	char pfx[16];

	for (int i = 0; i < rw->nm->n; i++) {
		if (strlen(rw->nm->name[i]) != len || strncmp(rw->nm->name[i], s, len) != 0)
			continue;
		if (rw->nm->ambiguous[i] || rw->nm->ns[i] == NULL)
			return;
		put(rw, rw->done, (size_t)(s - rw->done));
		snprintf(pfx, sizeof(pfx), "_nc%d:", i);
		put(rw, pfx, strlen(pfx));
		rw->done = s;
		return;
	}
}

static void
count_one(void *arg, const char *s, size_t len)
{
	(void)s;
	(void)len;
	*(int *)arg = 0;
}

static void
from_schema(void *arg, const char *s, size_t len)
{
	struct schema **sp = arg;
	char *name;

	if (*sp == NULL)
		return;
	name = xstrndup(s, len);
	if (schema_name_ns(*sp, name) == NULL)
		*sp = NULL;
	free(name);
}

int
xpath_names_from_schema(const char *expr, struct schema *schema)
{
	struct schema *s = schema;
	int none = 1;

	if (each_name_test(expr, count_one, &none) == -1)
		return 0;
	if (none)
		return 1;
	if (s == NULL || each_name_test(expr, from_schema, &s) == -1)
		return 0;
	return s != NULL;
}

char *
xpath_resolve_names(const char *expr, xmlNodePtr data_root, xmlXPathContextPtr ctx,
    struct schema *schema)
{
	struct names nm;
	struct rewrite rw = { &nm, expr, NULL, 0, 0 };
	char pfx[16];
	int any = 0;

	memset(&nm, 0, sizeof(nm));
	if (each_name_test(expr, collect, &nm) == -1 || nm.n == 0)
		goto none;
	scan_data(&nm, data_root->children);
	for (int i = 0; i < nm.n && schema != NULL; i++) {
		const char *ns = schema_name_ns(schema, nm.name[i]);

		if (ns != NULL) {
			nm.ns[i] = BAD_CAST ns;
			nm.ambiguous[i] = 0;
		}
	}
	for (int i = 0; i < nm.n; i++)
		if (!nm.ambiguous[i] && nm.ns[i] != NULL) {
			snprintf(pfx, sizeof(pfx), "_nc%d", i);
			xmlXPathRegisterNs(ctx, BAD_CAST pfx, nm.ns[i]);
			any = 1;
		}
	if (!any)
		goto none;
	each_name_test(expr, rewrite_one, &rw);
	put(&rw, rw.done, strlen(rw.done));
	for (int i = 0; i < nm.n; i++)
		free(nm.name[i]);
	return rw.out;
none:
	for (int i = 0; i < nm.n; i++)
		free(nm.name[i]);
	return NULL;
}
