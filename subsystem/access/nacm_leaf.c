/*
 * The leaves of the ietf-netconf-acm:nacm container, read and checked
 * one by one for nacm_config.c: their text, booleans, actions,
 * access-operations, names given once, each error naming the rule-list
 * and rule it is in (struct nacm_cp).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "nacm_int.h"

int
ncl_err(struct nacm_cp *cp, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cp->path != NULL)
		nacm_config_error_path(cp->path, cp->pathlen, cp->list, cp->rule);
	return set_err(cp->err, cp->errlen, "nacm: %s%s", cp->where, msg);
}

int
ncl_is_nacm(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    xmlStrEqual(n->ns->href, BAD_CAST NACM_NS);
}

static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A leaf's text (malloc()ed), trimmed when trim; NULL with an error. */
char *
ncl_value(struct nacm_cp *cp, const xmlNode *n, int trim)
{
	xmlChar *t;
	char *v, *b, *e;

	for (const xmlNode *c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE) {
			ncl_err(cp, "%s must be a leaf, not hold <%s>", n->name, c->name);
			return NULL;
		}
	if ((t = xmlNodeGetContent(n)) == NULL) {
		if ((v = strdup("")) == NULL)
			ncl_err(cp, "out of memory");
		return v;
	}
	b = (char *)t;
	if (trim) {
		while (is_ws(*b))
			b++;
		for (e = b + strlen(b); e > b && is_ws(e[-1]); e--)
			;
		*e = '\0';
	}
	if ((v = strdup(b)) == NULL)
		ncl_err(cp, "out of memory");
	xmlFree(t);
	return v;
}

/* A leaf given once: *seen counts it. */
int
ncl_once(struct nacm_cp *cp, const xmlNode *n, int *seen)
{
	if ((*seen)++ > 0)
		return ncl_err(cp, "%s is given twice", n->name);
	return 0;
}

int
ncl_boolean(struct nacm_cp *cp, const xmlNode *n, int *seen, int *out)
{
	char *v;
	int r = 0;

	if (ncl_once(cp, n, seen) == -1 || (v = ncl_value(cp, n, 1)) == NULL)
		return -1;
	if (strcmp(v, "true") == 0)
		*out = 1;
	else if (strcmp(v, "false") == 0)
		*out = 0;
	else
		r = ncl_err(cp, "%s must be true or false, not \"%s\"", n->name, v);
	free(v);
	return r;
}

int
ncl_action(struct nacm_cp *cp, const xmlNode *n, int *seen, int *permit)
{
	char *v;
	int r = 0;

	if (ncl_once(cp, n, seen) == -1 || (v = ncl_value(cp, n, 1)) == NULL)
		return -1;
	if (strcmp(v, "permit") == 0)
		*permit = 1;
	else if (strcmp(v, "deny") == 0)
		*permit = 0;
	else
		r = ncl_err(cp, "%s must be permit or deny, not \"%s\"", n->name, v);
	free(v);
	return r;
}

int
ncl_access_ops(struct nacm_cp *cp, const xmlNode *n, int *seen, unsigned *ops)
{
	static const char *const bits[] = { "create", "read", "update", "delete", "exec" };
	char *v, *tok, *save = NULL;
	int r = 0;

	if (ncl_once(cp, n, seen) == -1 || (v = ncl_value(cp, n, 1)) == NULL)
		return -1;
	*ops = 0;
	if (strcmp(v, "*") == 0) {
		*ops = NACM_ALL_OPS;
		free(v);
		return 0;
	}
	for (tok = strtok_r(v, " \t\r\n", &save); tok != NULL && r == 0;
	    tok = strtok_r(NULL, " \t\r\n", &save)) {
		size_t i;

		for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
			if (strcmp(tok, bits[i]) == 0)
				break;
		if (i == sizeof(bits) / sizeof(bits[0]))
			r = ncl_err(cp, "access-operations: \"%s\" is not one of "
			    "create, read, update, delete, exec (or \"*\" alone)", tok);
		else if (*ops & (1u << i))
			r = ncl_err(cp, "access-operations: \"%s\" is given twice", tok);
		else
			*ops |= 1u << i;
	}
	free(v);
	return r;
}

/* Appends a copy of s to the string array *a of *n; checks uniqueness. */
int
ncl_add_unique(struct nacm_cp *cp, char ***a, size_t *n, char *s, const char *what)
{
	char **na;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*a)[i], s) == 0) {
			ncl_err(cp, "%s \"%s\" is given twice", what, s);
			free(s);
			return -1;
		}
	if ((na = realloc(*a, (*n + 1) * sizeof(*na))) == NULL) {
		free(s);
		return ncl_err(cp, "out of memory");
	}
	*a = na;
	na[(*n)++] = s;
	return 0;
}

void
ncl_strv_free(char **a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(a[i]);
	free(a);
}

/* The key leaf "name" of a list entry e (required, non-empty). */
char *
ncl_key_name(struct nacm_cp *cp, const xmlNode *e, const char *list)
{
	char *name = NULL;

	for (const xmlNode *c = e->children; c != NULL; c = c->next) {
		if (!ncl_is_nacm(c) || !xmlStrEqual(c->name, BAD_CAST "name"))
			continue;
		if (name != NULL) {
			ncl_err(cp, "a %s with two names", list);
			free(name);
			return NULL;
		}
		if ((name = ncl_value(cp, c, 0)) == NULL)
			return NULL;
	}
	if (name == NULL)
		ncl_err(cp, "a %s without a name", list);
	else if (*name == '\0') {
		ncl_err(cp, "a %s with an empty name", list);
		free(name);
		name = NULL;
	}
	return name;
}

int
ncl_group_name_ok(struct nacm_cp *cp, const char *g, int star_ok)
{
	if (*g == '\0')
		return ncl_err(cp, "an empty group name");
	if (*g == '*' && !(star_ok && g[1] == '\0'))
		return ncl_err(cp, "group name \"%s\" starts with '*'", g);
	return 0;
}
