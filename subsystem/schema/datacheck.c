/*
 * libyang's validation of XML data and its first error as NETCONF's
 * (see validate.c for what is handed over, schema.h for the mapping).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_int.h"

/* Appends n bytes of s to t->text (*len long). */
static int
put(struct schema_text *t, size_t *len, const char *s, size_t n)
{
	char *nt = realloc(t->text, *len + n + 1);

	if (nt == NULL)
		return -1;
	memcpy(nt + *len, s, n);
	*len += n;
	nt[*len] = '\0';
	t->text = nt;
	return 0;
}

/* prefix:name for module mod, its declaration noted once. */
static int
put_name(struct schema_text *t, size_t *len, const struct lys_module *mod, const char *name,
    size_t n)
{
	size_t i;

	if (mod != NULL) {
		for (i = 0; i < t->nns && strcmp(t->ns[i].ns, mod->ns) != 0; i++)
			;
		if (i == t->nns) {
			struct schema_nsdecl *nn = realloc(t->ns, (t->nns + 1) * sizeof(*nn));

			if (nn == NULL)
				return -1;
			t->ns = nn;
			t->ns[t->nns++] = (struct schema_nsdecl){ mod->prefix, mod->ns };
		}
		if (put(t, len, mod->prefix, strlen(mod->prefix)) == -1 || put(t, len, ":", 1) == -1)
			return -1;
	}
	return put(t, len, name, n);
}

static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '-' || c == '.';
}

/*
 * libyang's data path ("/mod:a/b[k='v']", module names, JSON style) in
 * NETCONF's form: every name with its module's XML prefix.
 */
static int
xml_path(const struct ly_ctx *ctx, const char *p, struct schema_text *out)
{
	const struct lys_module *mod = NULL;
	size_t len = 0;
	char q = 0;

	memset(out, 0, sizeof(*out));
	if (put(out, &len, "", 0) == -1)
		return -1;
	while (p != NULL && *p != '\0') {
		const char *s = p, *colon;
		size_t n;

		if (q) {
			if (*p == q)
				q = 0;
			if (put(out, &len, p++, 1) == -1)
				return -1;
			continue;
		}
		if (*p == '\'' || *p == '"') {
			q = *p;
			if (put(out, &len, p++, 1) == -1)
				return -1;
			continue;
		}
		if (!name_char(*p) || (*p == '.' && (p[1] == '=' || p[1] == ']'))) {
			if (put(out, &len, p++, 1) == -1)
				return -1;
			continue;
		}
		while (name_char(*p) || *p == ':')
			p++;
		n = (size_t)(p - s);
		if ((colon = memchr(s, ':', n)) != NULL) {
			char mname[128];

			snprintf(mname, sizeof(mname), "%.*s", (int)(colon - s), s);
			mod = ly_ctx_get_module_implemented(ctx, mname);
			if (put_name(out, &len, mod, colon + 1, n - (size_t)(colon - s) - 1) == -1)
				return -1;
		} else if (put_name(out, &len, mod, s, n) == -1)
			return -1;
	}
	return 0;
}

/* RFC 6241's error-tag for a libyang validation error. */
static const char *
tag_of(const struct ly_err_item *e)
{
	const char *at = e->apptag, *m = e->msg != NULL ? e->msg : "";

	if (at != NULL && (strcmp(at, "instance-required") == 0 ||
	    strcmp(at, "missing-choice") == 0))
		return "data-missing";
	if (at != NULL && (strcmp(at, "too-many-elements") == 0 ||
	    strcmp(at, "too-few-elements") == 0 || strcmp(at, "data-not-unique") == 0 ||
	    strcmp(at, "must-violation") == 0))
		return "operation-failed";
	if (strstr(m, "Mandatory") != NULL || strstr(m, "does not exist") != NULL ||
	    strstr(m, "required instance") != NULL)
		return "data-missing";
	if (strstr(m, "Must condition") != NULL || strstr(m, "When condition") != NULL ||
	    strstr(m, "Unique data") != NULL || strstr(m, "Too many") != NULL ||
	    strstr(m, "Too few") != NULL || at != NULL)
		return "operation-failed";
	return "invalid-value";
}

/* libyang's app-tag, or RFC 7950 15's when libyang names none. */
static const char *
apptag_of(const struct ly_err_item *e)
{
	const char *m = e->msg != NULL ? e->msg : "";

	if (e->apptag != NULL)
		return e->apptag;
	if (strstr(m, "Unique data") != NULL)
		return "data-not-unique";
	if (strstr(m, "Too many") != NULL)
		return "too-many-elements";
	if (strstr(m, "Too few") != NULL)
		return "too-few-elements";
	if (strstr(m, "Must condition") != NULL)
		return "must-violation";
	if (strstr(m, "required instance") != NULL || strstr(m, "Invalid leafref") != NULL)
		return "instance-required";
	return NULL;
}

/* The path in libyang's 'Data location "/m:a/b".' (or Schema location). */
static const char *
located(const char *p, char *buf, size_t len)
{
	const char *q = strchr(p, '"'), *e = strrchr(p, '"');

	if (q == NULL || e == NULL || e <= q + 1)
		return p;
	snprintf(buf, len, "%.*s", (int)(e - q - 1), q + 1);
	return buf;
}

int
schema_validate_xml(struct schema *s, const char *xml, struct schema_error *err)
{
	struct lyd_node *tree = NULL;
	const struct ly_err_item *e;
	const char *at;
	char loc[1024];
	LY_ERR rc;

	memset(err, 0, sizeof(*err));
	if (schema_context(s) == NULL) {
		err->tag = "operation-failed";
		err->message = strdup(s->ctx_err);
		return -1;
	}
	ly_err_clean(s->ctx, NULL);
	rc = lyd_parse_data_mem(s->ctx, xml, LYD_XML, LYD_PARSE_STRICT | LYD_PARSE_NO_STATE,
	    LYD_VALIDATE_PRESENT | LYD_VALIDATE_NO_STATE, &tree);
	lyd_free_all(tree);
	if (rc == LY_SUCCESS)
		return 0;
	if ((e = ly_err_last(s->ctx)) == NULL || rc == LY_EMEM) {
		err->tag = "operation-failed";
		err->message = strdup("validation failed");
		ly_err_clean(s->ctx, NULL);
		return err->message != NULL ? 1 : -1;
	}
	err->tag = tag_of(e);
	err->message = strdup(e->msg != NULL ? e->msg : "invalid");
	at = apptag_of(e);
	err->app_tag = at != NULL ? strdup(at) : NULL;
	if (err->message == NULL || (at != NULL && err->app_tag == NULL) ||
	    (e->path != NULL && xml_path(s->ctx, located(e->path, loc, sizeof(loc)),
	    &err->path) == -1)) {
		ly_err_clean(s->ctx, NULL);
		schema_error_free(err);
		err->tag = "operation-failed";
		return -1;
	}
	ly_err_clean(s->ctx, NULL);
	return 1;
}
