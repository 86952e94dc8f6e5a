/*
 * Filters that are a pure key query (tree.h, struct keyq): what a new
 * session can answer from running.index without parsing running.
 *
 * Only the shapes below are recognised; anything else is "not a key
 * query" and the filter runs on running as before.  Recognising too
 * little only costs speed.  What is recognised must name every entry the
 * filter can select (the store looks the entries up by the values and
 * the filter then runs on those): so each entry asked for needs a
 * content match on a plain leaf, and nothing else may be selected.
 *
 *   subtree  <top><list><leaf>v</leaf>[<leaf2>w</leaf2>...]</list>...</top>:
 *            one top-level node whose children are all entries of one
 *            list name, each holding content match leaves only; no
 *            attributes anywhere.
 *   XPath    /p:top/p:list[p:leaf='v' and p:leaf2="w"][...] | ...: every
 *            name prefixed (unprefixed names are resolved against the
 *            data, which the entries found alone would not match), string
 *            literals only.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "tree_int.h"

void
keyq_free(struct keyq *q)
{
	for (size_t i = 0; i < q->n; i++)
		for (size_t j = 0; j < q->e[i].n; j++) {
			free(q->e[i].leaf[j]);
			free(q->e[i].value[j]);
		}
	q->n = 0;
}

/* Adds leaf = value (value taken over) to entry e; -1 when full. */
static int
add_match(struct keyq_entry *e, const char *leaf, size_t llen, char *value)
{
	if (e->n == KEYQ_MATCHES) {
		free(value);
		return -1;
	}
	e->leaf[e->n] = xstrndup(leaf, llen);
	e->value[e->n++] = value;
	return 0;
}

static int
blank_text(const xmlNode *n)
{
	if (n->type != XML_TEXT_NODE)
		return 0;
	for (const xmlChar *p = n->content; p != NULL && *p; p++)
		if (!isspace(*p))
			return 0;
	return 1;
}

int
keyq_name_set(char *dst, const xmlChar *name)
{
	size_t len = strlen((const char *)name);

	if (len >= KEYQ_NAME_MAX)
		return -1;
	memcpy(dst, name, len + 1);
	return 0;
}

/* A content match leaf: text only, some of it not blank, no attributes. */
static char *
content_match_value(xmlNodePtr c)
{
	int solid = 0;
	xmlChar *t;
	char *v;

	if (c->type != XML_ELEMENT_NODE || c->properties != NULL)
		return NULL;
	for (xmlNodePtr k = c->children; k != NULL; k = k->next) {
		if (k->type != XML_TEXT_NODE)
			return NULL;
		solid |= !blank_text(k);
	}
	if (!solid || (t = xmlNodeGetContent(c)) == NULL)
		return NULL;
	v = xstrdup((const char *)t);	/* libxml2's allocator may be memcap's */
	xmlFree(t);
	return v;
}

/* One list entry of a subtree filter; 0 or -1. */
static int
subtree_entry(struct keyq *q, xmlNodePtr e)
{
	struct keyq_entry *ke = &q->e[q->n];
	char *v;

	if (e->properties != NULL || q->n == KEYQ_ENTRIES)
		return -1;
	q->n++;
	for (xmlNodePtr c = e->children; c != NULL; c = c->next) {
		if (blank_text(c))
			continue;
		if ((v = content_match_value(c)) == NULL ||
		    add_match(ke, (const char *)c->name, strlen((const char *)c->name), v) == -1)
			return -1;
	}
	return ke->n > 0 ? 0 : -1;
}

static int
subtree_keyq(xmlNodePtr filter, struct keyq *q)
{
	xmlNodePtr top = NULL;

	for (xmlNodePtr c = filter->children; c != NULL; c = c->next) {
		if (blank_text(c))
			continue;
		if (c->type != XML_ELEMENT_NODE || top != NULL)
			return -1;
		top = c;
	}
	if (top == NULL || top->properties != NULL || keyq_name_set(q->top, top->name) == -1)
		return -1;
	for (xmlNodePtr e = top->children; e != NULL; e = e->next) {
		if (blank_text(e))
			continue;
		if (e->type != XML_ELEMENT_NODE)
			return -1;
		if (q->list[0] == '\0' && keyq_name_set(q->list, e->name) == -1)
			return -1;
		if (strcmp(q->list, (const char *)e->name) != 0 || subtree_entry(q, e) == -1)
			return -1;
	}
	return q->n > 0 ? 0 : -1;
}

/* ---- XPath ---- */

static void
skip_ws(const char **p)
{
	while (isspace((unsigned char)**p))
		(*p)++;
}

static int
name_char(int c, int first)
{
	return isalpha(c) || c == '_' || (!first && (isdigit(c) || c == '-' || c == '.'));
}

/* prefix:local at *p (a prefix required); the local name's start and length. */
static int
prefixed_name(const char **p, const char **local, size_t *len)
{
	const char *s = *p;

	if (!name_char((unsigned char)*s, 1))
		return -1;
	while (name_char((unsigned char)*s, 0))
		s++;
	if (*s != ':' || !name_char((unsigned char)s[1], 1))
		return -1;
	*local = ++s;
	while (name_char((unsigned char)*s, 0))
		s++;
	*len = (size_t)(s - *local);
	*p = s;
	return 0;
}

/* '/' prefix:name into dst. */
static int
xpath_step(const char **p, char *dst)
{
	const char *local;
	size_t len;

	skip_ws(p);
	if (**p != '/')
		return -1;
	(*p)++;
	skip_ws(p);
	if (prefixed_name(p, &local, &len) == -1 || len >= KEYQ_NAME_MAX)
		return -1;
	if (dst[0] != '\0')	/* a later path of a union: the same list */
		return strlen(dst) == len && memcmp(dst, local, len) == 0 ? 0 : -1;
	memcpy(dst, local, len);
	dst[len] = '\0';
	return 0;
}

/* [p:leaf = 'v' (and p:leaf2 = "w")*] into e. */
static int
xpath_predicate(const char **p, struct keyq_entry *e)
{
	const char *local, *v;
	size_t len;
	char quote;

	(*p)++;		/* '[' */
	for (;;) {
		skip_ws(p);
		if (prefixed_name(p, &local, &len) == -1)
			return -1;
		skip_ws(p);
		if (**p != '=')
			return -1;
		(*p)++;
		skip_ws(p);
		if ((quote = **p) != '\'' && quote != '"')
			return -1;
		v = ++(*p);
		while (**p != '\0' && **p != quote)
			(*p)++;
		if (**p == '\0' || add_match(e, local, len, xstrndup(v, (size_t)(*p - v))) == -1)
			return -1;
		(*p)++;
		skip_ws(p);
		if (**p == ']') {
			(*p)++;
			return 0;
		}
		if (strncmp(*p, "and", 3) != 0 || !isspace((unsigned char)(*p)[3]))
			return -1;
		*p += 3;
	}
}

static int
xpath_keyq(const char *sel, struct keyq *q)
{
	const char *p = sel;

	for (;;) {
		if (q->n == KEYQ_ENTRIES || xpath_step(&p, q->top) == -1 ||
		    xpath_step(&p, q->list) == -1)
			return -1;
		q->n++;
		skip_ws(&p);
		if (*p != '[')
			return -1;
		while (*p == '[') {
			if (xpath_predicate(&p, &q->e[q->n - 1]) == -1)
				return -1;
			skip_ws(&p);
		}
		if (*p == '\0')
			return 0;
		if (*p++ != '|')
			return -1;
	}
}

int
filter_keyq(xmlNodePtr filter, struct keyq *q)
{
	xmlChar *type, *sel;
	int rc = -1;

	memset(q, 0, sizeof(*q));
	if (filter == NULL)
		return 0;
	type = xmlGetProp(filter, BAD_CAST "type");
	if (type == NULL || xmlStrEqual(type, BAD_CAST "subtree"))
		rc = subtree_keyq(filter, q);
	else if (xmlStrEqual(type, BAD_CAST "xpath") &&
	    (sel = xmlGetProp(filter, BAD_CAST "select")) != NULL) {
		rc = xpath_keyq((const char *)sel, q);
		xmlFree(sel);
	}
	xmlFree(type);
	if (rc == -1) {
		keyq_free(q);
		return 0;
	}
	return 1;
}
