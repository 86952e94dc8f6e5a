/*
 * Texts that may hold prefixes (struct schema_text, see schema.h): a
 * libyang value printed as XML with the namespace declarations its
 * prefixes need.  Below node.c (the defaults it keeps) and value.c
 * (normalised values); asks libyang only, nothing else of the folder.
 */
#include <stdlib.h>
#include <string.h>

#include "schema_int.h"

void
schema_text_free(struct schema_text *t)
{
	free(t->text);
	free(t->ns);
	memset(t, 0, sizeof(*t));
}

int
valtext_add_decl(struct schema_text *t, const char *prefix, const char *ns)
{
	struct schema_nsdecl *d;

	for (size_t i = 0; i < t->nns; i++) {
		if (strcmp(t->ns[i].ns, ns) == 0)
			return 0;
		if (strcmp(t->ns[i].prefix, prefix) == 0)
			return -1;
	}
	if ((d = realloc(t->ns, (t->nns + 1) * sizeof(*d))) == NULL)
		return -1;
	t->ns = d;
	t->ns[t->nns].prefix = prefix;
	t->ns[t->nns].ns = ns;
	t->nns++;
	return 0;
}

int
value_print_xml(const struct ly_ctx *ctx, const struct lyd_value *val, struct schema_text *out)
{
	struct ly_set *mods = NULL;
	const struct lys_module *m;
	const char *str;
	ly_bool dyn = 0;
	size_t len = 0;

	memset(out, 0, sizeof(*out));
	if (ly_set_new(&mods) != LY_SUCCESS)
		return -1;
	str = val->realtype->plugin->print(ctx, val, LY_VALUE_XML, mods, &dyn, &len);
	if (str == NULL)
		goto fail;
	out->text = dyn ? (char *)str : strndup(str, len);
	if (out->text == NULL)
		goto fail;
	for (uint32_t i = 0; i < mods->count; i++) {
		m = mods->objs[i];
		if (valtext_add_decl(out, m->prefix, m->ns) == -1)
			goto fail;
	}
	ly_set_free(mods, NULL);
	return 0;
fail:
	ly_set_free(mods, NULL);
	schema_text_free(out);
	return -1;
}
