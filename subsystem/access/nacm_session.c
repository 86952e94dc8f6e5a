/*
 * A user's view of the NACM configuration: groups, the rules that apply
 * (3.4.4 steps 4-6, 3.4.5 steps 3-5), compiled per data access
 * operation; the checks of protocol operations (3.4.4) and
 * notifications (3.4.6); the counters.
 */
#include <stdlib.h>
#include <string.h>

#include "nacm_int.h"

struct nacm_counters nacm_counts;

void
nacm_counters_get(struct nacm_counters *c)
{
	*c = nacm_counts;
}

int
nacm_opidx(int op)
{
	switch (op) {
	case NACM_CREATE:
		return NACM_OPIDX_CREATE;
	case NACM_READ:
		return NACM_OPIDX_READ;
	case NACM_UPDATE:
		return NACM_OPIDX_UPDATE;
	case NACM_DELETE:
		return NACM_OPIDX_DELETE;
	default:
		return -1;
	}
}

/* ---- session set-up ---- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
has_group(const struct nacm_session *s, const char *g)
{
	return s->ngroup > 0 &&
	    bsearch(&g, s->group, s->ngroup, sizeof(*s->group), cmp_str) != NULL;
}

static int
add_group(struct nacm_session *s, const char *g, size_t *cap)
{
	for (size_t i = 0; i < s->ngroup; i++)
		if (strcmp(s->group[i], g) == 0)
			return 0;
	if (s->ngroup == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		char **ng = realloc(s->group, nc * sizeof(*ng));

		if (ng == NULL)
			return -1;
		s->group = ng;
		*cap = nc;
	}
	if ((s->group[s->ngroup] = strdup(g)) == NULL)
		return -1;
	s->ngroup++;
	return 0;
}

/* 3.4.4 step 4: configured groups naming the user, then external ones. */
static int
collect_groups(struct nacm_session *s, const struct nacm_user *u)
{
	const struct nacm_config *cfg = s->cfg;
	size_t cap = 0;

	for (size_t i = 0; i < cfg->ngroup; i++)
		for (size_t j = 0; j < cfg->group[i].nuser; j++)
			if (strcmp(cfg->group[i].user[j], u->name) == 0 &&
			    add_group(s, cfg->group[i].name, &cap) == -1)
				return -1;
	if (cfg->ext_groups)
		for (size_t i = 0; i < u->ngroups; i++)
			if (add_group(s, u->groups[i], &cap) == -1)
				return -1;
	if (s->ngroup > 1)
		qsort(s->group, s->ngroup, sizeof(*s->group), cmp_str);
	return 0;
}

static int
list_applies(const struct nacm_session *s, const struct nacm_rule_list *rl)
{
	if (s->ngroup == 0)
		return 0;	/* step 5: no groups, no rule-lists, not even "*" */
	if (rl->all_groups)
		return 1;
	for (size_t i = 0; i < rl->ngroup; i++)
		if (has_group(s, rl->group[i]))
			return 1;
	return 0;
}

static int
collect_rules(struct nacm_session *s)
{
	const struct nacm_config *cfg = s->cfg;
	size_t n = 0;

	for (size_t i = 0; i < cfg->nlist; i++)
		if (list_applies(s, &cfg->list[i]))
			n += cfg->list[i].nrule;
	if (n == 0)
		return 0;
	if ((s->rule = calloc(n, sizeof(*s->rule))) == NULL)
		return -1;
	for (size_t i = 0; i < cfg->nlist; i++)
		if (list_applies(s, &cfg->list[i]))
			for (size_t j = 0; j < cfg->list[i].nrule; j++)
				s->rule[s->nrule++] = &cfg->list[i].rule[j];
	return 0;
}

/* Prefixes of extension paths are module names. */
static int
module_prefix_ns(void *arg, const char *prefix, const char **ns)
{
	const struct nacm_schema *sc = arg;

	*ns = sc->module_ns != NULL ? sc->module_ns(sc->arg, prefix) : NULL;
	return *ns != NULL ? 0 : -1;
}

static const struct nacm_ext *
schema_exts(const struct nacm_schema *sc, size_t *n)
{
	*n = 0;
	if (sc == NULL || sc->exts == NULL)
		return NULL;
	return sc->exts(sc->arg, n);
}

/* The data extensions' paths, with their flags in a parallel array. */
static int
compile_exts(struct nacm_session *s, int **flags)
{
	size_t n;
	const struct nacm_ext *x = schema_exts(s->schema, &n);
	char err[256];

	*flags = NULL;
	if (n == 0)
		return 0;
	if ((s->extpath = calloc(n, sizeof(*s->extpath))) == NULL ||
	    (*flags = calloc(n, sizeof(**flags))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct nacm_path *p;

		if (x[i].kind != NACM_EXT_DATA)
			continue;
		/* a module the schema does not know has no nodes to protect */
		if ((p = nacm_path_parse(x[i].name, module_prefix_ns, (void *)s->schema,
		    err, sizeof(err))) == NULL)
			continue;
		(*flags)[s->nextpath] = x[i].flags;
		s->extpath[s->nextpath++] = p;
	}
	return 0;
}

static int
add_entry(struct nacm_oplist *L, const char *rule, const char *ns,
    const struct nacm_path *path, int permit)
{
	struct nacm_entry *ne = realloc(L->e, (L->n + 1) * sizeof(*ne));

	if (ne == NULL)
		return -1;
	L->e = ne;
	ne[L->n].rule = rule;
	ne[L->n].ns = ns;
	ne[L->n].path = path;
	ne[L->n].permit = permit;
	L->n++;
	return 0;
}

/* Splits entries into by-namespace and by-path ones; constant answer. */
static int
finish_oplist(struct nacm_oplist *L, int cut)
{
	int final = cut ? L->e[L->n - 1].permit : L->dflt_permit;

	L->constant = final;
	if (L->n > 0 && ((L->mod = calloc(L->n, sizeof(*L->mod))) == NULL ||
	    (L->pth = calloc(L->n, sizeof(*L->pth))) == NULL))
		return -1;
	for (size_t i = 0; i < L->n; i++) {
		const struct nacm_entry *e = &L->e[i];

		if (e->permit != final)
			L->constant = -1;
		if (e->path == NULL || e->path->nstep == 0) {
			L->mod[L->nmod++] = i;
			if (e->ns != NULL)
				L->mod_ns = 1;
		} else
			L->pth[L->npth++] = i;
	}
	return 0;
}

static int
build_oplist(struct nacm_session *s, int op, int idx, const int *extflags)
{
	struct nacm_oplist *L = &s->op[idx];
	const struct nacm_schema *sc = s->schema;
	int cut = 0;

	L->dflt_permit = op == NACM_READ ? s->cfg->read_permit : s->cfg->write_permit;
	for (size_t i = 0; i < s->nrule && !cut; i++) {
		const struct nacm_rule *r = s->rule[i];
		const char *ns = NULL;

		if (!(r->ops & op) || r->type == NACM_RT_RPC || r->type == NACM_RT_NOTIF)
			continue;
		if (r->module != NULL) {
			ns = sc != NULL && sc->module_ns != NULL ?
			    sc->module_ns(sc->arg, r->module) : NULL;
			if (ns == NULL)
				continue;	/* an unknown module has no data nodes */
		}
		if (add_entry(L, r->name, ns, r->path, r->permit) == -1)
			return -1;
		cut = ns == NULL && (r->path == NULL || r->path->nstep == 0);
	}
	for (size_t i = 0; i < s->nextpath && !cut; i++) {
		int deny = op == NACM_READ ? extflags[i] & NACM_DENY_ALL :
		    extflags[i] & (NACM_DENY_ALL | NACM_DENY_WRITE);

		if (deny && add_entry(L, NULL, NULL, s->extpath[i], 0) == -1)
			return -1;
	}
	return finish_oplist(L, cut);
}

struct nacm_session *
nacm_session_new(const struct nacm_config *cfg, const struct nacm_user *u,
    const struct nacm_schema *schema)
{
	/* in NACM_OPIDX_* order */
	static const int ops[] = { NACM_CREATE, NACM_READ, NACM_UPDATE, NACM_DELETE };
	struct nacm_session *s = calloc(1, sizeof(*s));
	int *extflags = NULL;

	if (s == NULL)
		return NULL;
	s->cfg = cfg;
	s->schema = schema;
	s->bypass = !cfg->enable || u->recovery;
	if ((s->user = strdup(u->name != NULL ? u->name : "")) == NULL)
		goto fail;
	if (s->bypass)
		return s;
	if (collect_groups(s, u) == -1 || collect_rules(s) == -1 ||
	    compile_exts(s, &extflags) == -1)
		goto fail;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (build_oplist(s, ops[i], (int)i, extflags) == -1)
			goto fail;
	free(extflags);
	return s;
fail:
	free(extflags);
	nacm_session_free(s);
	return NULL;
}

void
nacm_session_free(struct nacm_session *s)
{
	if (s == NULL)
		return;
	free(s->user);
	nacm_groups_free(s->group, s->ngroup);
	free(s->rule);
	for (size_t i = 0; i < 4; i++) {
		free(s->op[i].e);
		free(s->op[i].mod);
		free(s->op[i].pth);
	}
	for (size_t i = 0; i < s->nextpath; i++)
		nacm_path_free(s->extpath[i]);
	free(s->extpath);
	free(s);
}

int
nacm_user_groups_needed(const struct nacm_config *cfg, int recovery)
{
	/* as nacm_session_new: bypassed, or collect_groups and list_applies */
	return cfg->enable && !recovery && cfg->ext_groups && cfg->nlist > 0;
}

int
nacm_bypassed(const struct nacm_session *s)
{
	return s->bypass;
}

/* ---- protocol operations and notifications ---- */

int
nacm_ext_denies(const struct nacm_schema *schema, enum nacm_ext_kind kind,
    const char *module, const char *name)
{
	size_t n;
	const struct nacm_ext *x = schema_exts(schema, &n);

	if (module == NULL)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (x[i].kind == kind && (x[i].flags & NACM_DENY_ALL) &&
		    strcmp(x[i].module, module) == 0 && strcmp(x[i].name, name) == 0)
			return 1;
	return 0;
}

static int
module_matches(const struct nacm_rule *r, const char *module)
{
	return r->module == NULL || (module != NULL && strcmp(r->module, module) == 0);
}

/* The first rule for op (EXEC or READ) of type t on module:name; NULL if none. */
static const struct nacm_rule *
first_rule(const struct nacm_session *s, unsigned op, enum nacm_rule_type t,
    const char *module, const char *name)
{
	for (size_t i = 0; i < s->nrule; i++) {
		const struct nacm_rule *r = s->rule[i];

		if (!(r->ops & op) || !module_matches(r, module))
			continue;
		if (r->type == NACM_RT_NONE ||
		    (r->type == t && (r->target == NULL || strcmp(r->target, name) == 0)))
			return r;
	}
	return NULL;
}

static int
is_netconf(const char *module, const char *name, const char *want)
{
	return module != NULL && strcmp(module, "ietf-netconf") == 0 &&
	    strcmp(name, want) == 0;
}

static int
rpc_decide(const struct nacm_session *s, const char *module, const char *name)
{
	const struct nacm_rule *r;

	if (s->bypass || is_netconf(module, name, "close-session"))
		return 1;
	if ((r = first_rule(s, NACM_EXEC, NACM_RT_RPC, module, name)) != NULL)
		return r->permit;
	if (nacm_ext_denies(s->schema, NACM_EXT_RPC, module, name) ||
	    is_netconf(module, name, "kill-session") ||
	    is_netconf(module, name, "delete-config"))
		return 0;
	return s->cfg->exec_permit;
}

int
nacm_rpc_allowed(const struct nacm_session *s, const char *module, const char *name)
{
	int ok = rpc_decide(s, module, name);

	if (!ok)
		nacm_counts.denied_operations++;
	return ok;
}

static int
notif_decide(const struct nacm_session *s, const char *module, const char *name)
{
	const struct nacm_rule *r;

	if (s->bypass || (module != NULL && strcmp(module, "nc-notifications") == 0 &&
	    (strcmp(name, "replayComplete") == 0 || strcmp(name, "notificationComplete") == 0)))
		return 1;
	if ((r = first_rule(s, NACM_READ, NACM_RT_NOTIF, module, name)) != NULL)
		return r->permit;
	if (nacm_ext_denies(s->schema, NACM_EXT_NOTIF, module, name))
		return 0;
	return s->cfg->read_permit;
}

int
nacm_notification_allowed(const struct nacm_session *s, const char *module,
    const char *name)
{
	int ok = notif_decide(s, module, name);

	if (!ok)
		nacm_counts.denied_notifications++;
	return ok;
}

int
nacm_event_allowed(const struct nacm_session *s, const xmlNode *ev)
{
	const char *module = NULL;

	if (s->bypass)
		return 1;
	if (ev->ns != NULL && s->schema->ns_module != NULL)
		module = s->schema->ns_module(s->schema->arg, (const char *)ev->ns->href);
	return nacm_notification_allowed(s, module, (const char *)ev->name);
}
