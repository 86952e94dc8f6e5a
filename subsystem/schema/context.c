/*
 * The libyang context, built on first use (see schema.h, "What is
 * lazy"), and what needs it as a whole: the module list, module texts
 * for get-schema and the ietf-yang-library data.
 *
 * libyang finds files only through import_cb(), which asks modfiles.c:
 * the context holds exactly the files the content-id was computed
 * from (a file changed since then is used, and logged).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "log.h"
#include "schema_int.h"

/* libyang's log has no user pointer: the first error of a build lands here. */
static char build_error[400];

static void
ly_log(LY_LOG_LEVEL level, const char *msg, const char *path)
{
	if (level == LY_LLERR && build_error[0] == '\0')
		snprintf(build_error, sizeof(build_error), "%s%s%s%s", msg,
		    path ? " (" : "", path ? path : "", path ? ")" : "");
	if (level == LY_LLERR)
		log_debug("libyang: %s%s%s", msg, path ? " at " : "", path ? path : "");
	else if (level == LY_LLWRN)
		log_debug("libyang warning: %s", msg);
}

static void
free_text(void *data, void *user)
{
	(void)user;
	free(data);
}

static LY_ERR
import_cb(const char *mod_name, const char *mod_rev, const char *submod_name,
    const char *submod_rev, void *user, LYS_INFORMAT *format, const char **data,
    ly_module_imp_data_free_clb *free_data)
{
	struct schema *s = user;
	const char *name = submod_name ? submod_name : mod_name;
	const char *rev = submod_name ? submod_rev : mod_rev;
	struct yfile *f;
	size_t len;
	char *text;

	if ((f = modfiles_find(s, name, rev)) == NULL)
		return LY_ENOTFOUND;
	if ((text = yang_read_file(f->path, &len)) == NULL) {
		log_warn("%s", f->path);
		return LY_ENOTFOUND;
	}
	if (yang_fnv(YANG_FNV_INIT, text, len) != f->yt->hash)
		log_warnx("%s changed since this session's hello: the NMS sees the "
		    "change at its next session", f->path);
	*format = LYS_IN_YANG;
	*data = text;
	*free_data = free_text;
	return LY_SUCCESS;
}

/* NULL-terminated copy of the enabled features ({ NULL }: none). */
static const char **
feature_array(const struct smod *m)
{
	const char **a = calloc(m->nfeatures + 1, sizeof(*a));

	for (size_t i = 0; a != NULL && i < m->nfeatures; i++)
		a[i] = m->features[i];
	return a;
}

static int
build(struct schema *s)
{
	const struct yang_text *yt;
	struct ly_ctx *ctx = NULL;
	const char **feats;
	const char *what = "the context";

	build_error[0] = '\0';
	if (lyapi_load(build_error, sizeof(build_error)) == -1) {
		what = "libyang";
		goto fail;
	}
	ly_log_options(LY_LOLOG | LY_LOSTORE_LAST);
	ly_set_log_clb(ly_log, 1);
	if (ly_ctx_new(NULL, LY_CTX_DISABLE_SEARCHDIRS | LY_CTX_EXPLICIT_COMPILE, &ctx) != LY_SUCCESS)
		goto fail;
	ly_ctx_set_module_imp_clb(ctx, import_cb, s);
	for (size_t i = 0; i < s->nmods; i++) {
		yt = s->mods[i].file->yt;
		if (!s->mods[i].implemented || yt->submodule)
			continue;
		what = yt->name;
		if ((feats = feature_array(&s->mods[i])) == NULL)
			goto fail;
		if (ly_ctx_load_module(ctx, yt->name, *yt->revision ? yt->revision : NULL,
		    feats) == NULL) {
			free(feats);
			goto fail;
		}
		free(feats);
	}
	what = "the modules";
	if (ly_ctx_compile(ctx) != LY_SUCCESS)
		goto fail;
	/* from now on libyang compiles what changes, as usual */
	ly_ctx_unset_options(ctx, LY_CTX_EXPLICIT_COMPILE);
	s->ctx = ctx;
	return 0;
fail:
	snprintf(s->ctx_err, sizeof(s->ctx_err), "YANG: cannot load %s: %s", what,
	    build_error[0] ? build_error : "out of memory");
	log_warnx("%s", s->ctx_err);
	ly_ctx_destroy(ctx);
	return -1;
}

struct ly_ctx *
schema_context(struct schema *s)
{
	if (s->ctx_state == 0)
		s->ctx_state = build(s) == 0 ? 1 : -1;
	return s->ctx;
}

int
schema_context_built(const struct schema *s)
{
	return s->ctx_state == 1;
}

const char *
schema_context_error(const struct schema *s)
{
	return s->ctx_state == -1 ? s->ctx_err : NULL;
}

void
context_free(struct schema *s)
{
	xmlFreeDoc(s->yanglib);
	ly_ctx_destroy(s->ctx);
	s->ctx = NULL;
	s->yanglib = NULL;
	s->ctx_state = 0;
}

int
schema_foreach_module(struct schema *s,
    int (*cb)(void *arg, const struct schema_module_info *mi), void *arg)
{
	struct ly_ctx *ctx = schema_context(s);
	const struct lys_module *mod;
	const struct lysp_submodule *sub;
	struct schema_module_info mi;
	uint32_t idx = 0;
	int rc;

	if (ctx == NULL)
		return -1;
	while ((mod = ly_ctx_get_module_iter(ctx, &idx)) != NULL) {
		mi.name = mod->name;
		mi.revision = mod->revision ? mod->revision : "";
		mi.ns = mod->ns;
		mi.submodule = 0;
		mi.implemented = mod->implemented;
		if ((rc = cb(arg, &mi)) != 0)
			return rc;
		for (LY_ARRAY_COUNT_TYPE u = 0; mod->parsed &&
		    u < LY_ARRAY_COUNT(mod->parsed->includes); u++) {
			if ((sub = mod->parsed->includes[u].submodule) == NULL)
				continue;
			mi.name = sub->name;
			mi.revision = LY_ARRAY_COUNT(sub->revs) ? sub->revs[0].date : "";
			mi.submodule = 1;
			if ((rc = cb(arg, &mi)) != 0)
				return rc;
		}
	}
	return 0;
}

/* 1 when mod is one of libyang's own modules (no file of ours). */
static int
is_internal(const struct ly_ctx *ctx, const struct lys_module *mod)
{
	uint32_t idx = 0, n = ly_ctx_internal_modules_count(ctx);
	const struct lys_module *m;

	while (idx < n && (m = ly_ctx_get_module_iter(ctx, &idx)) != NULL)
		if (m == mod)
			return 1;
	return 0;
}

/* The file's text when it is the same module and revision. */
static char *
file_text(struct schema *s, const char *name, const char *revision, size_t *lenp)
{
	struct yfile *f = modfiles_find(s, name, revision);

	if (f == NULL || strcmp(f->yt->revision, revision ? revision : "") != 0)
		return NULL;
	return yang_read_file(f->path, lenp);
}

char *
schema_module_text(struct schema *s, const char *name, const char *revision,
    size_t *lenp)
{
	struct ly_ctx *ctx = schema_context(s);
	const struct lys_module *mod;
	const struct lysp_submodule *sub = NULL;
	struct ly_out *out = NULL;
	char *text = NULL;
	LY_ERR rc;

	if (ctx == NULL)
		return NULL;
	if (revision != NULL && *revision == '\0')
		revision = NULL;
	if (revision != NULL)
		mod = ly_ctx_get_module(ctx, name, revision);
	else if ((mod = ly_ctx_get_module_implemented(ctx, name)) == NULL)
		mod = ly_ctx_get_module_latest(ctx, name);
	if (mod == NULL) {
		sub = revision ? ly_ctx_get_submodule(ctx, name, revision) :
		    ly_ctx_get_submodule_latest(ctx, name);
		if (sub == NULL)
			return NULL;
		revision = LY_ARRAY_COUNT(sub->revs) ? sub->revs[0].date : NULL;
	} else
		revision = mod->revision;
	if ((mod == NULL || !is_internal(ctx, mod)) &&
	    (text = file_text(s, name, revision, lenp)) != NULL)
		return text;
	if (ly_out_new_memory(&text, 0, &out) != LY_SUCCESS)
		return NULL;
	rc = mod != NULL ? lys_print_module(out, mod, LYS_OUT_YANG, 0, 0) :
	    lys_print_submodule(out, sub, LYS_OUT_YANG, 0, 0);
	ly_out_free(out, NULL, 0);
	if (rc != LY_SUCCESS) {
		free(text);
		return NULL;
	}
	if (lenp != NULL)
		*lenp = strlen(text);
	return text;
}

/* libyang's yang-library data with our datastores, as an XML document. */
static xmlDocPtr
yanglib_doc(struct schema *s)
{
	static const char *const datastores[] = { "running", "candidate", "startup" };
	struct ly_ctx *ctx = schema_context(s);
	struct lyd_node *tree = NULL, *yl;
	char *xml = NULL, *wrapped = NULL, path[96];
	xmlDocPtr doc = NULL;
	int n;

	if (ctx == NULL || ly_ctx_get_yanglib_data(ctx, &tree, "%s", s->content_id) != LY_SUCCESS)
		goto done;
	for (yl = tree; yl != NULL && strcmp(LYD_NAME(yl), "yang-library") != 0; yl = yl->next)
		;
	for (size_t i = 0; yl != NULL && i < sizeof(datastores) / sizeof(datastores[0]); i++) {
		snprintf(path, sizeof(path), "datastore[name='ietf-datastores:%s']/schema",
		    datastores[i]);
		if (lyd_new_path(yl, NULL, path, "complete", 0, NULL) != LY_SUCCESS)
			goto done;
	}
	if (lyd_print_mem(&xml, tree, LYD_XML, LYD_PRINT_WITHSIBLINGS | LYD_PRINT_SHRINK) !=
	    LY_SUCCESS || (n = asprintf(&wrapped, "<data>%s</data>", xml)) == -1)
		goto done;
	doc = xmlReadMemory(wrapped, n, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
done:
	free(xml);
	free(wrapped);
	lyd_free_all(tree);
	return doc;
}

int
schema_yanglib_append(struct schema *s, xmlNodePtr into)
{
	xmlNodePtr root, c, copy;

	if (s->yanglib == NULL && (s->yanglib = yanglib_doc(s)) == NULL)
		return -1;
	if ((root = xmlDocGetRootElement(s->yanglib)) == NULL)
		return -1;
	for (c = root->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if ((copy = xmlDocCopyNode(c, into->doc, 1)) == NULL)
			return -1;
		if (xmlAddChild(into, copy) == NULL) {
			xmlFreeNode(copy);
			return -1;
		}
	}
	return 0;
}
