/*
 * The module set, without libyang (see schema.h, "The module set" and
 * "What is lazy"): from the files modfiles.c lists, the modules
 * implemented (nchome's builtin ones, then the operator's), their
 * imports and includes, the hello's capabilities and the content-id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "log.h"
#include "schema_int.h"

/*
 * The modules nchome implements without being told.  The NETCONF ones
 * describe the server itself, so the operator cannot change them;
 * the last three describe the data of the contrib state providers and
 * hook (interfaces-state needs if-mib for if-index) and the operator
 * may give them another revision or other features.
 */
static const struct builtin {
	const char	*name;
	const char	*features;	/* space-separated, NULL: none */
	int		 implement;	/* 0: loaded only (for imports) */
	int		 operator_may_change;
} builtins[] = {
	{ "ietf-netconf", "writable-running candidate confirmed-commit "
	    "rollback-on-error validate startup xpath", 1, 0 },
	{ "ietf-netconf-monitoring", NULL, 1, 0 },
	{ "ietf-netconf-with-defaults", NULL, 1, 0 },
	{ "ietf-netconf-notifications", NULL, 1, 0 },
	{ "notifications", NULL, 1, 0 },
	{ "nc-notifications", NULL, 1, 0 },
	/*
	 * NACM, enforced (access/), with nchome's deviation: a rule's path
	 * is a string for libyang, which would check it against the schema
	 * and refuse paths to data no module covers; access/nacm_path.c
	 * checks it as RFC 8341 says.
	 */
	{ "ietf-netconf-acm", NULL, 1, 0 },
	{ "nchome-nacm-deviations", NULL, 1, 0 },
	{ "ietf-interfaces", "if-mib", 1, 1 },
	{ "iana-if-type", NULL, 1, 1 },
	{ "ietf-system", NULL, 1, 1 },
};

/*
 * libyang 2's own modules: an import of one of these needs no file.
 * test_schema checks this list against a built context.
 */
static const char *const libyang_modules[] = {
	"ietf-yang-metadata", "yang", "ietf-inet-types", "ietf-yang-types",
	"ietf-yang-schema-mount", "ietf-yang-structure-ext", "ietf-datastores",
	"ietf-yang-library",
};

/*
 * The one YANG 1.0 module libyang implements itself: "yang" (RFC 7950
 * 7.8.6 insert/value/key attributes of ordered-by user edits).
 * test_schema checks it against a built context.
 */
#define LIBYANG_YANG_CAPABILITY \
	"urn:ietf:params:xml:ns:yang:1?module=yang&revision=2022-06-16"


int
modset_libyang_module(const char *name)
{
	for (size_t i = 0; i < sizeof(libyang_modules) / sizeof(libyang_modules[0]); i++)
		if (strcmp(libyang_modules[i], name) == 0)
			return 1;
	return 0;
}


/* The module of that name (and revision, when not NULL) in the set. */
static struct smod *
find_mod(struct schema *s, const char *name, const char *revision)
{
	const struct yang_text *yt;
	struct smod *found = NULL;

	for (size_t i = 0; i < s->nmods; i++) {
		yt = s->mods[i].file->yt;
		if (strcmp(yt->name, name) != 0 ||
		    (revision != NULL && strcmp(yt->revision, revision) != 0))
			continue;
		if (found == NULL || s->mods[i].implemented)
			found = &s->mods[i];
	}
	return found;
}

static int
push(char ***arr, size_t *n, const char *str)
{
	char **na = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (na == NULL)
		return -1;
	*arr = na;
	if ((na[*n] = strdup(str)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

static int
has_feature(const struct yang_text *yt, const char *feature)
{
	for (size_t i = 0; i < yt->nfeatures; i++)
		if (strcmp(yt->features[i].name, feature) == 0)
			return 1;
	return 0;
}

/* A new, zeroed entry at the end of the set; NULL on ENOMEM. */
static struct smod *
new_mod(struct schema *s)
{
	struct smod *m = realloc(s->mods, (s->nmods + 1) * sizeof(*m));

	if (m == NULL)
		return NULL;
	s->mods = m;
	m = &s->mods[s->nmods++];
	memset(m, 0, sizeof(*m));
	return m;
}

/* Adds a module (or raises it to implemented); features: enabled ones. */
static int
add_mod(struct schema *s, const char *name, const char *revision, int implement,
    char **features, size_t nfeatures, char *err, size_t errlen)
{
	struct smod *m;
	struct yfile *f;

	if ((m = find_mod(s, name, revision)) != NULL && (!implement || m->implemented))
		return 0;
	if ((f = modfiles_find(s, name, revision)) == NULL)
		return set_err(err, errlen, "YANG module %s%s%s: no usable file %s%s.yang in %s or %s",
		    name, revision ? " revision " : "", revision ? revision : "", name,
		    revision ? "@<revision>" : "[@<revision>]", s->dirs[0], s->dirs[1]);
	if (f->yt->submodule)
		return set_err(err, errlen, "%s: %s is a submodule, not a module", f->path, name);
	if (m == NULL && (m = new_mod(s)) == NULL)
		return set_err(err, errlen, "out of memory");
	m->file = f;
	m->implemented = implement;
	for (size_t i = 0; implement && i < nfeatures; i++)
		if (push(&m->features, &m->nfeatures, features[i]) == -1)
			return set_err(err, errlen, "out of memory");
	return 0;
}

/* Imports and includes of every module, until nothing is new. */
static int
add_closure(struct schema *s, char *err, size_t errlen)
{
	const struct yang_import *imp;
	const struct yang_text *yt;
	struct smod *m;
	struct yfile *f;

	for (size_t i = 0; i < s->nmods; i++) {
		yt = s->mods[i].file->yt;
		for (size_t j = 0; j < yt->nimports; j++) {
			imp = &yt->imports[j];
			if (find_mod(s, imp->name, imp->revision) != NULL)
				continue;
			if (modset_libyang_module(imp->name) &&
			    modfiles_find(s, imp->name, imp->revision) == NULL)
				continue;
			if (add_mod(s, imp->name, imp->revision, 0, NULL, 0, err, errlen) == -1)
				return set_err(err, errlen, "%s imports %s, which is not found "
				    "(put %s%s%s.yang in %s)", yt->name, imp->name, imp->name,
				    imp->revision ? "@" : "", imp->revision ? imp->revision : "",
				    s->dirs[0]);
		}
		for (size_t j = 0; j < yt->nincludes; j++) {
			if (find_mod(s, yt->includes[j], NULL) != NULL)
				continue;
			if ((f = modfiles_find(s, yt->includes[j], NULL)) == NULL ||
			    !f->yt->submodule)
				return set_err(err, errlen, "%s includes %s, which is not found "
				    "as a submodule", yt->name, yt->includes[j]);
			if ((m = new_mod(s)) == NULL)
				return set_err(err, errlen, "out of memory");
			m->file = f;
			m->implemented = s->mods[i].implemented;
		}
	}
	return 0;
}

/* The feature is defined in the module or one of its submodules. */
static const struct yang_feature *
module_feature(struct schema *s, const struct smod *m, const char *feature)
{
	const struct yang_text *yt = m->file->yt;
	const struct smod *sub;

	for (size_t i = 0; i < yt->nfeatures; i++)
		if (strcmp(yt->features[i].name, feature) == 0)
			return &yt->features[i];
	for (size_t i = 0; i < yt->nincludes; i++)
		if ((sub = find_mod(s, yt->includes[i], NULL)) != NULL &&
		    has_feature(sub->file->yt, feature))
			return module_feature(s, sub, feature);
	return NULL;
}

static int
enabled(const struct smod *m, const char *feature)
{
	for (size_t i = 0; i < m->nfeatures; i++)
		if (strcmp(m->features[i], feature) == 0)
			return 1;
	return 0;
}

/* Every enabled feature exists, and what a feature needs is enabled. */
static int
check_features(struct schema *s, char *err, size_t errlen)
{
	const struct yang_feature *yf;
	const char *need, *colon;
	struct smod *m;

	for (size_t i = 0; i < s->nmods; i++) {
		m = &s->mods[i];
		for (size_t j = 0; j < m->nfeatures; j++) {
			if ((yf = module_feature(s, m, m->features[j])) == NULL)
				return set_err(err, errlen, "YANG module %s (%s) has no feature %s",
				    m->file->yt->name, m->file->path, m->features[j]);
			if ((need = yf->needs) == NULL)
				continue;
			if ((colon = strchr(need, ':')) != NULL) {
				if (strncmp(need, m->file->yt->prefix, (size_t)(colon - need)) != 0 ||
				    m->file->yt->prefix[colon - need] != '\0')
					continue;	/* another module's: libyang checks */
				need = colon + 1;
			}
			if (!enabled(m, need))
				return set_err(err, errlen, "YANG module %s: feature %s needs "
				    "feature %s", m->file->yt->name, m->features[j], need);
		}
	}
	return 0;
}

/* Records which implemented modules deviate which (for &deviations=). */
static int
note_deviations(struct schema *s, char *err, size_t errlen)
{
	const struct yang_text *yt;
	const char *target;
	struct smod *t;

	for (size_t i = 0; i < s->nmods; i++) {
		yt = s->mods[i].file->yt;
		if (!s->mods[i].implemented || yt->submodule)
			continue;
		for (size_t j = 0; j < yt->ndeviates; j++) {
			target = NULL;
			if (strcmp(yt->deviates[j], yt->prefix) == 0)
				target = yt->name;
			for (size_t k = 0; target == NULL && k < yt->nimports; k++)
				if (yt->imports[k].prefix != NULL &&
				    strcmp(yt->imports[k].prefix, yt->deviates[j]) == 0)
					target = yt->imports[k].name;
			if (target == NULL || (t = find_mod(s, target, NULL)) == NULL)
				continue;
			for (size_t k = 0; k < t->ndeviations; k++)
				if (strcmp(t->deviations[k], yt->name) == 0)
					target = NULL;
			if (target != NULL && push(&t->deviations, &t->ndeviations, yt->name) == -1)
				return set_err(err, errlen, "out of memory");
		}
	}
	return 0;
}

static int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
smod_cmp(const void *a, const void *b)
{
	const struct smod *x = a, *y = b;
	int c = strcmp(x->file->yt->name, y->file->yt->name);

	return c != 0 ? c : strcmp(x->file->yt->revision, y->file->yt->revision);
}

/* Sorted, so the content-id does not depend on the order of the conf. */
static void
compute_content_id(struct schema *s)
{
	uint64_t h = yang_fnv(YANG_FNV_INIT, "libyang " LY_VERSION, sizeof("libyang " LY_VERSION));
	const struct smod *m;

	qsort(s->mods, s->nmods, sizeof(*s->mods), smod_cmp);
	for (size_t i = 0; i < s->nmods; i++) {
		m = &s->mods[i];
		if (m->nfeatures > 1)
			qsort(m->features, m->nfeatures, sizeof(char *), strp_cmp);
		h = yang_fnv(h, m->file->yt->name, strlen(m->file->yt->name) + 1);
		h = yang_fnv(h, m->file->yt->revision, strlen(m->file->yt->revision) + 1);
		h = yang_fnv(h, m->implemented ? "i" : "n", 2);
		for (size_t j = 0; j < m->nfeatures; j++)
			h = yang_fnv(h, m->features[j], strlen(m->features[j]) + 1);
		h = yang_fnv(h, &m->file->yt->hash, sizeof(m->file->yt->hash));
	}
	snprintf(s->content_id, sizeof(s->content_id), "%016llx", (unsigned long long)h);
}

/* Appends "sep" and the n strings joined by commas to *cap. */
static int
cap_list(char **cap, const char *sep, char **strs, size_t n)
{
	char *nc;

	for (size_t i = 0; i < n; i++) {
		if (asprintf(&nc, "%s%s%s", *cap, i == 0 ? sep : ",", strs[i]) == -1)
			return -1;
		free(*cap);
		*cap = nc;
	}
	return 0;
}

static int
build_capabilities(struct schema *s, char *err, size_t errlen)
{
	const struct yang_text *yt;
	char *cap;
	int rc;

	for (size_t i = 0; i < s->nmods; i++) {
		yt = s->mods[i].file->yt;
		if (!s->mods[i].implemented || yt->submodule || yt->yang11)
			continue;
		if (asprintf(&cap, "%s?module=%s%s%s", yt->ns, yt->name,
		    *yt->revision ? "&revision=" : "", yt->revision) == -1)
			goto oom;
		rc = cap_list(&cap, "&features=", s->mods[i].features, s->mods[i].nfeatures);
		if (rc == 0)
			rc = cap_list(&cap, "&deviations=", s->mods[i].deviations,
			    s->mods[i].ndeviations);
		if (rc == 0)
			rc = push(&s->caps, &s->ncaps, cap);
		free(cap);
		if (rc == -1)
			goto oom;
	}
	if (push(&s->caps, &s->ncaps, LIBYANG_YANG_CAPABILITY) == -1)
		goto oom;
	for (int v = 0; v < 2; v++) {
		if (asprintf(&cap, "urn:ietf:params:netconf:capability:yang-library:1.%d?"
		    "revision=%s&%s=%s", v, SCHEMA_YANGLIB_REVISION,
		    v == 0 ? "module-set-id" : "content-id", s->content_id) == -1)
			goto oom;
		rc = push(&s->caps, &s->ncaps, cap);
		free(cap);
		if (rc == -1)
			goto oom;
	}
	return 0;
oom:
	return set_err(err, errlen, "out of memory");
}

/* The builtin modules, with the operator's changes, then the operator's. */
static int
add_implemented(struct schema *s, const struct conf_netconf *nc, char *err, size_t errlen)
{
	const struct conf_module *cm;
	char *feats[32], *copy, *tok, *save;
	size_t nf;
	int rc;

	for (size_t i = 0; i < nc->nmodules; i++)
		for (size_t j = 0; j < sizeof(builtins) / sizeof(builtins[0]); j++)
			if (strcmp(nc->modules[i].name, builtins[j].name) == 0 &&
			    !builtins[j].operator_may_change)
				return set_err(err, errlen, "module %s: nchome implements it "
				    "itself; it cannot be configured", builtins[j].name);
	for (size_t j = 0; j < sizeof(builtins) / sizeof(builtins[0]); j++) {
		for (cm = NULL, nf = 0; nf < nc->nmodules; nf++)
			if (strcmp(nc->modules[nf].name, builtins[j].name) == 0)
				cm = &nc->modules[nf];
		if (cm != NULL)
			continue;	/* the operator's entry below */
		if ((copy = strdup(builtins[j].features ? builtins[j].features : "")) == NULL)
			return set_err(err, errlen, "out of memory");
		nf = 0;
		for (tok = strtok_r(copy, " ", &save); tok != NULL && nf < 32;
		    tok = strtok_r(NULL, " ", &save))
			feats[nf++] = tok;
		rc = add_mod(s, builtins[j].name, NULL, builtins[j].implement, feats, nf,
		    err, errlen);
		free(copy);
		if (rc == -1)
			return -1;
	}
	for (size_t i = 0; i < nc->nmodules; i++) {
		cm = &nc->modules[i];
		if (add_mod(s, cm->name, cm->revision, 1, cm->features, cm->nfeatures,
		    err, errlen) == -1)
			return -1;
	}
	return 0;
}

int
modset_build(struct schema *s, const struct conf_netconf *nc, char *err, size_t errlen)
{
	if (add_implemented(s, nc, err, errlen) == -1 ||
	    add_closure(s, err, errlen) == -1 ||
	    check_features(s, err, errlen) == -1 ||
	    note_deviations(s, err, errlen) == -1)
		return -1;
	compute_content_id(s);
	return build_capabilities(s, err, errlen);
}


const char *const *
schema_capabilities(const struct schema *s, size_t *n)
{
	*n = s->ncaps;
	return (const char *const *)s->caps;
}

const char *
schema_content_id(const struct schema *s)
{
	return s->content_id;
}

void
modset_free(struct schema *s)
{
	for (size_t i = 0; i < s->nmods; i++) {
		for (size_t j = 0; j < s->mods[i].nfeatures; j++)
			free(s->mods[i].features[j]);
		free(s->mods[i].features);
		for (size_t j = 0; j < s->mods[i].ndeviations; j++)
			free(s->mods[i].deviations[j]);
		free(s->mods[i].deviations);
	}
	free(s->mods);
	for (size_t i = 0; i < s->ncaps; i++)
		free(s->caps[i]);
	free(s->caps);
}
