/*
 * Fuzz target: the NACM engine (subsystem/access/).  Input: a <nacm>
 * document, then optionally "\n--\n" and a datastore document (<config>
 * in the base namespace; a fixed one otherwise).
 *
 * The configuration is parsed (plain and NACM_STRICT); a refusal must
 * say why.  Each rule path is printed back and parsed again: the same
 * steps.  Then, for three sessions (a user with external groups, one
 * with configured groups only, a recovery session), every element of the
 * datastore is checked against a reference written here from RFC 8341
 * 3.4.5 with libxml2 XPath for the paths (the path as an XPath, a node
 * covered when it or an ancestor is selected):
 *  - nacm_data_allowed for read, create, update, delete;
 *  - the read prune of a packed copy and of a plain copy serialize as
 *    the reference prune (a denied node goes with its subtree unless a
 *    descendant stays; then its keys stay too);
 *  - nacm_write_check of a create and a delete of each top-level node
 *    finds the reference's first denied node (plain), and the packed
 *    datastore gives the same error path.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "access/nacm_int.h"
#include "fuzz.h"
#include "fuzz_data.h"

#define FUZZ_NACM_MAX_NODES	300

static const char *const fuzz_nacm_mods[][2] = {
	{ "test", "urn:t" },
	{ "other", "urn:o" },
	{ "ietf-netconf-acm", NACM_NS },
	{ "ietf-system", "urn:ietf:params:xml:ns:yang:ietf-system" },
};

static const struct nacm_ext fuzz_nacm_exts[] = {
	{ NACM_EXT_DATA, NACM_DENY_ALL, "ietf-netconf-acm", "/ietf-netconf-acm:nacm" },
	{ NACM_EXT_DATA, NACM_DENY_WRITE, "test", "/test:top/test:ro" },
	{ NACM_EXT_DATA, NACM_DENY_ALL, "test", "/test:top/test:item/test:secret" },
	{ NACM_EXT_RPC, NACM_DENY_ALL, "ietf-netconf", "kill-session" },
};

static const char *
fuzz_nacm_module_ns(void *arg, const char *m)
{
	(void)arg;
	for (size_t i = 0; i < sizeof(fuzz_nacm_mods) / sizeof(fuzz_nacm_mods[0]); i++)
		if (strcmp(fuzz_nacm_mods[i][0], m) == 0)
			return fuzz_nacm_mods[i][1];
	return NULL;
}

static const char *
fuzz_nacm_ns_module(void *arg, const char *ns)
{
	(void)arg;
	for (size_t i = 0; i < sizeof(fuzz_nacm_mods) / sizeof(fuzz_nacm_mods[0]); i++)
		if (strcmp(fuzz_nacm_mods[i][1], ns) == 0)
			return fuzz_nacm_mods[i][0];
	return NULL;
}

static const struct nacm_ext *
fuzz_nacm_ext_list(void *arg, size_t *n)
{
	(void)arg;
	*n = sizeof(fuzz_nacm_exts) / sizeof(fuzz_nacm_exts[0]);
	return fuzz_nacm_exts;
}

static int
fuzz_nacm_is_key(void *arg, const xmlNode *entry, const char *leaf)
{
	(void)arg;
	(void)entry;
	return strcmp(leaf, "name") == 0 || strcmp(leaf, "k1") == 0;
}

static struct nacm_schema fuzz_nacm_schema = { fuzz_nacm_module_ns, fuzz_nacm_ns_module,
    fuzz_nacm_ext_list, fuzz_nacm_is_key, NULL };

static int
fuzz_nacm_wheel(const char *g)
{
	return strcmp(g, "wheel") == 0;
}

/* ---- a path printed back (prefixes p0, p1, ... per namespace) ---- */

struct fuzz_nacm_ns {
	const char	*ns[2 * NACM_PATH_MAX_STEPS * (NACM_PATH_MAX_PREDS + 1)];
	size_t		 n;
};

static size_t
fuzz_nacm_pfx(struct fuzz_nacm_ns *m, const char *ns)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->ns[i], ns) == 0)
			return i;
	m->ns[m->n] = ns;
	return m->n++;
}

/* path as text; xpath: as an XPath below /nc:config, with covering semantics. */
static char *
fuzz_nacm_print(const struct nacm_path *p, struct fuzz_nacm_ns *m, int xpath)
{
	struct fuzz_data_buf b = { 0 };
	char tmp[64];

	fuzz_data_put(&b, "", 0);
	if (xpath)
		fuzz_data_put(&b, "/nc:config", 10);
	if (p->nstep == 0)
		fuzz_data_put(&b, xpath ? "/*" : "/", xpath ? 2 : 1);
	for (size_t i = 0; i < p->nstep; i++) {
		const struct nacm_step *st = &p->step[i];

		snprintf(tmp, sizeof(tmp), "/p%zu:", fuzz_nacm_pfx(m, st->ns));
		fuzz_data_put(&b, tmp, strlen(tmp));
		fuzz_data_put(&b, st->name, strlen(st->name));
		for (size_t j = 0; j < st->npred; j++) {
			const struct nacm_pred *pr = &st->pred[j];
			const char *q = pr->value != NULL && strchr(pr->value, '\'') ? "\"" : "'";

			fuzz_data_put(&b, "[", 1);
			if (pr->name == NULL)
				fuzz_data_put(&b, xpath ? "not(*) and ." : ".", xpath ? 12 : 1);
			else {
				snprintf(tmp, sizeof(tmp), "p%zu:", fuzz_nacm_pfx(m, pr->ns));
				fuzz_data_put(&b, tmp, strlen(tmp));
				fuzz_data_put(&b, pr->name, strlen(pr->name));
				if (xpath)
					fuzz_data_put(&b, "[not(*)]", 8);
			}
			fuzz_data_put(&b, "=", 1);
			if (pr->value == NULL)
				fuzz_data_put(&b, "$USER", 5);
			else {
				fuzz_data_put(&b, q, 1);
				fuzz_data_put(&b, pr->value, strlen(pr->value));
				fuzz_data_put(&b, q, 1);
			}
			fuzz_data_put(&b, "]", 1);
		}
	}
	return b.p;
}

static int
fuzz_nacm_map_prefix(void *arg, const char *prefix, const char **ns)
{
	struct fuzz_nacm_ns *m = arg;
	size_t i;

	if (prefix[0] != 'p' || (i = strtoul(prefix + 1, NULL, 10)) >= m->n)
		return -1;
	*ns = m->ns[i];
	return 0;
}

static int
fuzz_nacm_same_path(const struct nacm_path *a, const struct nacm_path *b)
{
	if (a->nstep != b->nstep)
		return 0;
	for (size_t i = 0; i < a->nstep; i++) {
		const struct nacm_step *x = &a->step[i], *y = &b->step[i];

		if (strcmp(x->ns, y->ns) || strcmp(x->name, y->name) || x->npred != y->npred)
			return 0;
		for (size_t j = 0; j < x->npred; j++) {
			const struct nacm_pred *p = &x->pred[j], *q = &y->pred[j];

			if ((p->name == NULL) != (q->name == NULL) ||
			    (p->value == NULL) != (q->value == NULL) ||
			    (p->name != NULL && (strcmp(p->name, q->name) || strcmp(p->ns, q->ns))) ||
			    (p->value != NULL && strcmp(p->value, q->value)))
				return 0;
		}
	}
	return 1;
}

static void
fuzz_nacm_roundtrip(const struct nacm_path *p)
{
	struct fuzz_nacm_ns m = { .n = 0 };
	char *txt = fuzz_nacm_print(p, &m, 0), err[256];
	struct nacm_path *q = nacm_path_parse(txt, fuzz_nacm_map_prefix, &m, err, sizeof(err));

	if (q == NULL || !fuzz_nacm_same_path(p, q))
		abort();	/* a parsed path must print and parse back the same */
	nacm_path_free(q);
	free(txt);
}

static int
fuzz_nacm_map_module(void *arg, const char *prefix, const char **ns)
{
	*ns = fuzz_nacm_module_ns(arg, prefix);
	return *ns != NULL ? 0 : -1;
}

/* ---- the reference ---- */

struct fuzz_nacm_ref {
	const struct nacm_config *cfg;
	const char	*user;
	const char *const *ext;		/* NULL-terminated */
	int		 recovery;
	xmlDocPtr	 doc;
	xmlNodeSetPtr	*rule_set;	/* per rule of cfg (flattened), NULL: no path */
	xmlNodeSetPtr	 ext_set[sizeof(fuzz_nacm_exts) / sizeof(fuzz_nacm_exts[0])];
	int		 bad;		/* a path XPath cannot say: no comparison */
};

static xmlNodeSetPtr
fuzz_nacm_select(struct fuzz_nacm_ref *r, const struct nacm_path *p)
{
	struct fuzz_nacm_ns m = { .n = 0 };
	char *xp = fuzz_nacm_print(p, &m, 1), pfx[32];
	xmlXPathContextPtr ctx = xmlXPathNewContext(r->doc);
	xmlXPathObjectPtr o;
	xmlNodeSetPtr set = NULL;

	if (ctx == NULL)
		abort();
	xmlXPathRegisterNs(ctx, BAD_CAST "nc", BAD_CAST "urn:ietf:params:xml:ns:netconf:base:1.0");
	for (size_t i = 0; i < m.n; i++) {
		snprintf(pfx, sizeof(pfx), "p%zu", i);
		xmlXPathRegisterNs(ctx, BAD_CAST pfx, BAD_CAST m.ns[i]);
	}
	xmlXPathRegisterVariable(ctx, BAD_CAST "USER", xmlXPathNewString(BAD_CAST r->user));
	o = xmlXPathEvalExpression(BAD_CAST xp, ctx);
	if (o == NULL || o->type != XPATH_NODESET)
		r->bad = 1;
	else {
		set = o->nodesetval;
		o->nodesetval = NULL;
	}
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	free(xp);
	return set;
}

static int
fuzz_nacm_covered(xmlNodeSetPtr set, const xmlNode *n)
{
	for (; !nacm_is_data_root(n); n = n->parent)
		if (xmlXPathNodeSetContains(set, (xmlNodePtr)n))
			return 1;
	return 0;
}

static int
fuzz_nacm_in_group(const struct fuzz_nacm_ref *r, const char *g, int *any)
{
	int in = 0;

	for (size_t i = 0; i < r->cfg->ngroup; i++)
		for (size_t j = 0; j < r->cfg->group[i].nuser; j++)
			if (strcmp(r->cfg->group[i].user[j], r->user) == 0) {
				*any = 1;
				in |= strcmp(r->cfg->group[i].name, g) == 0;
			}
	for (size_t i = 0; r->cfg->ext_groups && r->ext[i] != NULL; i++) {
		*any = 1;
		in |= strcmp(r->ext[i], g) == 0;
	}
	return in;
}

/* RFC 8341 3.4.5 for node n and one data op. */
static int
fuzz_nacm_ref_allowed(const struct fuzz_nacm_ref *r, const xmlNode *n, int op)
{
	const char *ns = n->ns != NULL ? (const char *)n->ns->href : NULL;
	size_t k = 0;

	if (!r->cfg->enable || r->recovery)
		return 1;
	for (size_t i = 0; i < r->cfg->nlist; i++) {
		const struct nacm_rule_list *rl = &r->cfg->list[i];
		int any = 0, applies = 0;

		for (size_t j = 0; j < rl->ngroup; j++)
			applies |= fuzz_nacm_in_group(r, rl->group[j], &any);
		fuzz_nacm_in_group(r, "", &any);
		applies = any && (applies || rl->all_groups);
		for (size_t j = 0; j < rl->nrule; j++, k++) {
			const struct nacm_rule *ru = &rl->rule[j];
			const char *mns;

			if (!applies || !(ru->ops & op) || ru->type == NACM_RT_RPC ||
			    ru->type == NACM_RT_NOTIF)
				continue;
			if (ru->module != NULL && ((mns = fuzz_nacm_module_ns(NULL, ru->module)) == NULL ||
			    ns == NULL || strcmp(mns, ns) != 0))
				continue;
			if (ru->type == NACM_RT_PATH && !fuzz_nacm_covered(r->rule_set[k], n))
				continue;
			return ru->permit;
		}
	}
	for (size_t i = 0; i < sizeof(fuzz_nacm_exts) / sizeof(fuzz_nacm_exts[0]); i++) {
		const struct nacm_ext *x = &fuzz_nacm_exts[i];

		if (x->kind != NACM_EXT_DATA || (op == NACM_READ && !(x->flags & NACM_DENY_ALL)))
			continue;
		if (fuzz_nacm_covered(r->ext_set[i], n))
			return 0;
	}
	return op == NACM_READ ? r->cfg->read_permit : r->cfg->write_permit;
}

#define FUZZ_NACM_OK	1
#define FUZZ_NACM_KEPT	2

/* Pass 1 of the reference prune: flags in each element's _private. */
static int
fuzz_nacm_ref_flags(const struct fuzz_nacm_ref *r, xmlNodePtr n)
{
	int any = 0;

	for (xmlNodePtr c = n->children; c != NULL; c = c->next) {
		int f;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		f = fuzz_nacm_ref_allowed(r, c, NACM_READ) ? FUZZ_NACM_OK : 0;
		if (fuzz_nacm_ref_flags(r, c) || f)
			f |= FUZZ_NACM_KEPT;
		c->_private = (void *)(uintptr_t)f;
		any |= f & FUZZ_NACM_KEPT;
	}
	return any;
}

/*
 * Pass 2: m is a copy of n; what may not be read goes from m.  A node
 * stays when readable or holding something readable; a denied node that
 * stays keeps its keys whole (denied_kept).
 */
static void
fuzz_nacm_ref_cut(xmlNodePtr n, xmlNodePtr m, int denied_kept)
{
	xmlNodePtr c = n->children, d = m->children, dn;

	for (; c != NULL && d != NULL; c = c->next, d = dn) {
		int f = (int)(uintptr_t)c->_private;

		dn = d->next;
		if (c->type != XML_ELEMENT_NODE)
			continue;
		c->_private = NULL;
		if (f & FUZZ_NACM_KEPT)
			fuzz_nacm_ref_cut(c, d, !(f & FUZZ_NACM_OK));
		else if (!(denied_kept && fuzz_nacm_is_key(NULL, n, (const char *)c->name))) {
			xmlUnlinkNode(d);
			xmlFreeNode(d);
		}
	}
}

static void
fuzz_nacm_clear_private(xmlNodePtr n)
{
	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE) {
			c->_private = NULL;
			fuzz_nacm_clear_private(c);
		}
}

/* The reference's read of the plain document, serialized. */
static char *
fuzz_nacm_ref_read(const struct fuzz_nacm_ref *r)
{
	xmlDocPtr copy = xmlCopyDoc(r->doc, 1);
	char *s;

	if (copy == NULL)
		abort();
	fuzz_nacm_ref_flags(r, xmlDocGetRootElement(r->doc));
	fuzz_nacm_ref_cut(xmlDocGetRootElement(r->doc), xmlDocGetRootElement(copy), 0);
	fuzz_nacm_clear_private(xmlDocGetRootElement(r->doc));
	s = fuzz_data_ser(xmlDocGetRootElement(copy));
	xmlFreeDoc(copy);
	return s;
}

/* The engine's read of a copy of doc (plain or packed), serialized. */
static char *
fuzz_nacm_read(const struct nacm_session *s, xmlDocPtr doc)
{
	xmlDocPtr copy = packed_copy_doc(doc);
	char *txt;

	if (nacm_read_prune(s, xmlDocGetRootElement(copy)) < 0)
		abort();
	txt = fuzz_data_ser(xmlDocGetRootElement(copy));
	xmlFreeDoc(copy);
	return txt;
}

/* The first node of n's subtree (preorder) the reference denies op. */
static const xmlNode *
fuzz_nacm_ref_first(const struct fuzz_nacm_ref *r, const xmlNode *n, int op)
{
	if (!fuzz_nacm_ref_allowed(r, n, op))
		return n;
	for (const xmlNode *c = n->children; c != NULL; c = c->next) {
		const xmlNode *f;

		if (c->type == XML_ELEMENT_NODE && (f = fuzz_nacm_ref_first(r, c, op)) != NULL)
			return f;
	}
	return NULL;
}

/* ---- protocol operations and notifications, by 3.4.4 and 3.4.6 ---- */

static int
fuzz_nacm_ref_op(const struct fuzz_nacm_ref *r, const char *mod, const char *name, int notif)
{
	unsigned op = notif ? NACM_READ : NACM_EXEC;
	enum nacm_rule_type t = notif ? NACM_RT_NOTIF : NACM_RT_RPC;

	if (!r->cfg->enable || r->recovery)
		return 1;
	if (!notif && mod != NULL && strcmp(mod, "ietf-netconf") == 0 &&
	    strcmp(name, "close-session") == 0)
		return 1;
	if (notif && mod != NULL && strcmp(mod, "nc-notifications") == 0 &&
	    (strcmp(name, "replayComplete") == 0 || strcmp(name, "notificationComplete") == 0))
		return 1;
	for (size_t i = 0; i < r->cfg->nlist; i++) {
		const struct nacm_rule_list *rl = &r->cfg->list[i];
		int any = 0, applies = 0;

		for (size_t j = 0; j < rl->ngroup; j++)
			applies |= fuzz_nacm_in_group(r, rl->group[j], &any);
		fuzz_nacm_in_group(r, "", &any);
		if (!any || !(applies || rl->all_groups))
			continue;
		for (size_t j = 0; j < rl->nrule; j++) {
			const struct nacm_rule *ru = &rl->rule[j];

			if (!(ru->ops & op) || (ru->module != NULL &&
			    (mod == NULL || strcmp(ru->module, mod) != 0)))
				continue;
			if (ru->type == NACM_RT_NONE || (ru->type == t &&
			    (ru->target == NULL || strcmp(ru->target, name) == 0)))
				return ru->permit;
		}
	}
	for (size_t i = 0; i < sizeof(fuzz_nacm_exts) / sizeof(fuzz_nacm_exts[0]); i++)
		if (fuzz_nacm_exts[i].kind == (notif ? NACM_EXT_NOTIF : NACM_EXT_RPC) &&
		    mod != NULL && strcmp(fuzz_nacm_exts[i].module, mod) == 0 &&
		    strcmp(fuzz_nacm_exts[i].name, name) == 0)
			return 0;
	if (!notif && mod != NULL && strcmp(mod, "ietf-netconf") == 0 &&
	    (strcmp(name, "kill-session") == 0 || strcmp(name, "delete-config") == 0))
		return 0;
	return notif ? r->cfg->read_permit : r->cfg->exec_permit;
}

static void
fuzz_nacm_ops(const struct nacm_session *s, const struct fuzz_nacm_ref *r)
{
	static const char *const ops[][2] = {
		{ "ietf-netconf", "close-session" }, { "ietf-netconf", "kill-session" },
		{ "ietf-netconf", "delete-config" }, { "ietf-netconf", "get" },
		{ "test", "x" }, { "other", "x" }, { NULL, "y" },
		{ "nc-notifications", "replayComplete" },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (nacm_rpc_allowed(s, ops[i][0], ops[i][1]) != fuzz_nacm_ref_op(r, ops[i][0], ops[i][1], 0))
			abort();	/* 3.4.4 decided otherwise */
		if (nacm_notification_allowed(s, ops[i][0], ops[i][1]) !=
		    fuzz_nacm_ref_op(r, ops[i][0], ops[i][1], 1))
			abort();	/* 3.4.6 decided otherwise */
	}
}

/* ---- one session against the reference ---- */

static size_t
fuzz_nacm_count(const xmlNode *n, int *base_inside)
{
	size_t k = 0;

	for (const xmlNode *c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE) {
			if (nacm_is_data_root(c))
				*base_inside = 1;
			k += 1 + fuzz_nacm_count(c, base_inside);
		}
	return k;
}

static void
fuzz_nacm_nodes(const struct nacm_session *s, const struct fuzz_nacm_ref *r, const xmlNode *n)
{
	static const int ops[] = { NACM_READ, NACM_CREATE, NACM_UPDATE, NACM_DELETE };

	for (const xmlNode *c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		for (size_t i = 0; i < 4; i++)
			if (nacm_data_allowed(s, c, ops[i]) != fuzz_nacm_ref_allowed(r, c, ops[i]))
				abort();	/* 3.4.5 decided otherwise */
		if (nacm_read_all(s) && !fuzz_nacm_ref_allowed(r, c, NACM_READ))
			abort();	/* "everything readable" was not */
		fuzz_nacm_nodes(s, r, c);
	}
}

static void
fuzz_nacm_writes(const struct nacm_session *s, const struct fuzz_nacm_ref *r,
    xmlDocPtr plain, xmlDocPtr packed)
{
	xmlNodePtr a = xmlDocGetRootElement(plain)->children;
	xmlNodePtr b = xmlDocGetRootElement(packed)->children;

	for (; a != NULL && b != NULL; a = a->next, b = b->next) {
		for (int op = NACM_CREATE; op <= NACM_DELETE; op <<= 1) {
			struct nacm_change ca = { a, op }, cb = { b, op };
			struct nacm_denial da, db;
			const xmlNode *want;
			int ra, rb;

			if (op == NACM_READ || a->type != XML_ELEMENT_NODE)
				continue;
			ra = nacm_write_check(s, &ca, 1, &da);
			rb = nacm_write_check(s, &cb, 1, &db);
			want = op == NACM_UPDATE ? (fuzz_nacm_ref_allowed(r, a, op) ? NULL : a) :
			    fuzz_nacm_ref_first(r, a, op);
			if (ra < 0 || rb < 0 || ra != (want != NULL) || ra != rb)
				abort();	/* the write check decided otherwise */
			if (ra == 1 && (da.node != want || strcmp(da.path, db.path) != 0 ||
			    da.rule != db.rule))
				abort();	/* another node, or another path packed */
			nacm_denial_clear(&da);
			nacm_denial_clear(&db);
		}
	}
}

static void
fuzz_nacm_session(const struct nacm_config *cfg, const char *user, const char *const *ext,
    int recovery, xmlDocPtr plain, xmlDocPtr packed)
{
	struct nacm_user u = { user, ext, 0, recovery };
	struct fuzz_nacm_ref r = { cfg, user, ext, recovery, plain, NULL, { NULL }, 0 };
	struct nacm_session *s;
	size_t nrule = 0, k = 0;
	int base_inside = 0;

	while (ext[u.ngroups] != NULL)
		u.ngroups++;
	if ((s = nacm_session_new(cfg, &u, &fuzz_nacm_schema)) == NULL)
		abort();
	for (size_t i = 0; i < cfg->nlist; i++)
		nrule += cfg->list[i].nrule;
	if ((r.rule_set = calloc(nrule + 1, sizeof(*r.rule_set))) == NULL)
		abort();
	for (size_t i = 0; i < cfg->nlist; i++)
		for (size_t j = 0; j < cfg->list[i].nrule; j++, k++)
			if (cfg->list[i].rule[j].type == NACM_RT_PATH)
				r.rule_set[k] = fuzz_nacm_select(&r, cfg->list[i].rule[j].path);
	for (size_t i = 0; i < sizeof(fuzz_nacm_exts) / sizeof(fuzz_nacm_exts[0]); i++)
		if (fuzz_nacm_exts[i].kind == NACM_EXT_DATA) {
			char err[128];
			struct nacm_path *p = nacm_path_parse(fuzz_nacm_exts[i].name,
			    fuzz_nacm_map_module, NULL, err, sizeof(err));

			if (p == NULL)
				abort();
			r.ext_set[i] = fuzz_nacm_select(&r, p);
			nacm_path_free(p);
		}
	fuzz_nacm_ops(s, &r);
	if (!r.bad && fuzz_nacm_count(xmlDocGetRootElement(plain), &base_inside) <=
	    FUZZ_NACM_MAX_NODES && !base_inside) {
		char *want = fuzz_nacm_ref_read(&r), *a = fuzz_nacm_read(s, plain),
		    *b = fuzz_nacm_read(s, packed);

		fuzz_nacm_nodes(s, &r, xmlDocGetRootElement(plain));
		if (strcmp(want, a) != 0 || strcmp(want, b) != 0)
			abort();	/* the read leaves out something else */
		free(want);
		free(a);
		free(b);
		fuzz_nacm_writes(s, &r, plain, packed);
	} else {
		free(fuzz_nacm_read(s, packed));	/* no reference: no crash, at least */
	}
	packed_repack();
	for (k = 0; k < nrule; k++)
		xmlXPathFreeNodeSet(r.rule_set[k]);
	free(r.rule_set);
	for (size_t i = 0; i < sizeof(fuzz_nacm_exts) / sizeof(fuzz_nacm_exts[0]); i++)
		xmlXPathFreeNodeSet(r.ext_set[i]);
	nacm_session_free(s);
}

/* ---- the target ---- */

static int
fuzz_nacm_one(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n--\n";
	const char *in = (const char *)data, *cut = NULL, *ds = fuzz_data_default;
	size_t clen = size, dslen = sizeof(fuzz_data_default) - 1;
	char err[512] = "", serr[512] = "";
	xmlDocPtr cdoc, plain = NULL, packed = NULL;
	struct nacm_config *cfg, *strict;

	if (size > 65536)
		return 0;
	for (size_t i = 0; i + sizeof(sep) - 1 <= size && cut == NULL; i++)
		if (memcmp(in + i, sep, sizeof(sep) - 1) == 0)
			cut = in + i;
	if (cut != NULL) {
		clen = (size_t)(cut - in);
		ds = cut + sizeof(sep) - 1;
		dslen = size - clen - (sizeof(sep) - 1);
	}
	if ((cdoc = xmlReadMemory(in, (int)clen, NULL, NULL, NC_XML_PARSE_OPTS)) == NULL)
		return 0;
	cfg = nacm_config_parse(xmlDocGetRootElement(cdoc), 0, NULL, err, sizeof(err));
	strict = nacm_config_parse(xmlDocGetRootElement(cdoc), NACM_STRICT, fuzz_nacm_wheel,
	    serr, sizeof(serr));
	if ((cfg == NULL && err[0] == '\0') || (strict == NULL && serr[0] == '\0') ||
	    (cfg == NULL && strict != NULL))
		abort();	/* a refusal says why; strict refuses at least as much */
	nacm_config_free(strict);
	if (cfg == NULL) {
		xmlFreeDoc(cdoc);
		return 0;
	}
	for (size_t i = 0; i < cfg->nlist; i++)
		for (size_t j = 0; j < cfg->list[i].nrule; j++)
			if (cfg->list[i].rule[j].path != NULL)
				fuzz_nacm_roundtrip(cfg->list[i].rule[j].path);
	if ((plain = fuzz_data_read(ds, dslen)) != NULL &&
	    (packed = fuzz_data_read_packed(ds, dslen)) != NULL) {
		fuzz_nacm_session(cfg, "u", (const char *const[]){ "g", "wheel", NULL }, 0,
		    plain, packed);
		fuzz_nacm_session(cfg, "alice", (const char *const[]){ NULL }, 0, plain, packed);
		fuzz_nacm_session(cfg, "root", (const char *const[]){ "root", NULL }, 1,
		    plain, packed);
	}
	xmlFreeDoc(plain);
	xmlFreeDoc(packed);
	nacm_config_free(cfg);
	xmlFreeDoc(cdoc);
	return 0;
}

FUZZ_TARGET(fuzz_nacm_one)
