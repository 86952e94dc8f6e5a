/*
 * Schema nodes of XML elements and what nchome asks about them (see
 * schema.h).  The per-node facts are computed once and hung off
 * lysc_node.priv, which libyang leaves to its user unless
 * LY_CTX_SET_PRIV_PARSED is set (it is not: context.c).
 */
#include <stdlib.h>
#include <string.h>

#include "schema_int.h"

#define MAX_DEPTH	256	/* of an element below its data root */

/* What hangs off lysc_node.priv. */
struct node_cache {
	struct node_cache	*next;		/* all of them, for freeing */
	struct schema_info	 info;
	int			 defaults_done;
	struct schema_text	*defaults;
	size_t			 ndefaults;
};

#define DATA_NODES	(LYS_CONTAINER | LYS_LIST | LYS_LEAF | LYS_LEAFLIST | LYS_ANYDATA)

/* 1 when an implemented module of the set declares namespace ns. */
static int
set_declares_ns(const struct schema *s, const char *ns)
{
	for (size_t i = 0; i < s->nmods; i++)
		if (s->mods[i].implemented && s->mods[i].file->yt->ns != NULL &&
		    strcmp(s->mods[i].file->yt->ns, ns) == 0)
			return 1;
	return 0;
}

const struct lys_module *
schema_module_of_ns(struct schema *s, const char *ns)
{
	const struct lys_module *mod;
	unsigned i;
	char *copy;

	for (i = 0; i < SCHEMA_NSCACHE; i++)
		if (s->nscache[i].ns != NULL && strcmp(s->nscache[i].ns, ns) == 0)
			return s->nscache[i].mod;
	/*
	 * A namespace no implemented module of the set declares needs no
	 * context: data no module covers never builds one (5 to 8 ms).
	 */
	mod = NULL;
	if (set_declares_ns(s, ns)) {
		if (schema_context(s) == NULL)
			return NULL;
		mod = ly_ctx_get_module_implemented_ns(s->ctx, ns);
	}
	if ((copy = strdup(ns)) != NULL) {
		/* unknown namespaces too: data no module covers is looked up again */
		i = s->nscache_next++ % SCHEMA_NSCACHE;
		free(s->nscache[i].ns);
		s->nscache[i].ns = copy;
		s->nscache[i].mod = mod;
	}
	return mod;
}

const struct lysc_node *
schema_child(struct schema *s, const struct lysc_node *parent, const char *ns,
    const char *name)
{
	const struct lys_module *mod;

	if (ns == NULL || name == NULL)
		return NULL;
	if (parent != NULL && !(parent->nodetype & (LYS_CONTAINER | LYS_LIST)))
		return NULL;
	if (parent != NULL && strcmp(parent->module->ns, ns) == 0)
		mod = parent->module;
	else if ((mod = schema_module_of_ns(s, ns)) == NULL)
		return NULL;
	return lys_find_child(parent, mod, name, 0, DATA_NODES, 0);
}

static const char *
elem_ns(xmlNodePtr e)
{
	return e->ns != NULL ? (const char *)e->ns->href : NULL;
}

const struct lysc_node *
schema_node_of(struct schema *s, xmlNodePtr elem, xmlNodePtr data_root)
{
	xmlNodePtr path[MAX_DEPTH];
	const struct lysc_node *sn = NULL;
	int n = 0;

	for (; elem != NULL && elem != data_root; elem = elem->parent) {
		if (elem->type != XML_ELEMENT_NODE || n == MAX_DEPTH)
			return NULL;
		path[n++] = elem;
	}
	if (elem == NULL || n == 0)
		return NULL;
	while (n-- > 0)
		if ((sn = schema_child(s, sn, elem_ns(path[n]), (const char *)path[n]->name)) == NULL)
			return NULL;
	return sn;
}

size_t
schema_uncovered(struct schema *s, xmlNodePtr root, xmlNodePtr *out, size_t max)
{
	size_t n = 0;

	for (xmlNodePtr c = root ? root->children : NULL; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    schema_child(s, NULL, elem_ns(c), (const char *)c->name) != NULL)
			continue;
		if (n < max)
			out[n] = c;
		n++;
	}
	return n;
}

int
schema_config_checkable(struct schema *s, xmlNodePtr root)
{
	for (xmlNodePtr c = root ? root->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns != NULL &&
		    set_declares_ns(s, (const char *)c->ns->href))
			return schema_context(s) != NULL;
	return 1;
}

/* Leafref, identityref, instance-identifier and prefix facts of a type. */
static unsigned
type_flags(const struct lysc_type *t, int depth)
{
	const struct lysc_type_union *u;
	unsigned f = 0;

	if (t == NULL || depth > 16)
		return 0;
	switch (t->basetype) {
	case LY_TYPE_LEAFREF:
		f = SCHEMA_LEAFREF |
		    type_flags(((const struct lysc_type_leafref *)t)->realtype, depth + 1);
		break;
	case LY_TYPE_IDENT:
		f = SCHEMA_IDENTITYREF | SCHEMA_PREFIXED;
		break;
	case LY_TYPE_INST:
		f = SCHEMA_INSTANCE_ID | SCHEMA_PREFIXED;
		break;
	case LY_TYPE_UNION:
		u = (const struct lysc_type_union *)t;
		for (LY_ARRAY_COUNT_TYPE i = 0; i < LY_ARRAY_COUNT(u->types); i++)
			f |= type_flags(u->types[i], depth + 1);
		break;
	default:
		/* ietf-yang-types xpath1.0: libyang resolves its prefixes */
		if (t->plugin != NULL && t->plugin->id != NULL && strstr(t->plugin->id, "xpath1.0"))
			f = SCHEMA_PREFIXED;
		break;
	}
	return f;
}

static void
compute_info(const struct lysc_node *sn, struct schema_info *in)
{
	const struct lysc_node_list *list;
	const struct lysc_node_leaflist *ll;
	const struct lysc_node *c;

	memset(in, 0, sizeof(*in));
	switch (sn->nodetype) {
	case LYS_CONTAINER:
		in->kind = (sn->flags & LYS_PRESENCE) ? SCHEMA_PRESENCE : SCHEMA_CONTAINER;
		break;
	case LYS_LIST:
		in->kind = SCHEMA_LIST;
		list = (const struct lysc_node_list *)sn;
		in->min_elements = list->min;
		in->max_elements = list->max == UINT32_MAX ? 0 : list->max;
		in->nuniques = (unsigned)LY_ARRAY_COUNT(list->uniques);
		for (c = list->child; c != NULL && lysc_is_key(c); c = c->next)
			in->nkeys++;
		if (sn->flags & LYS_KEYLESS)
			in->flags |= SCHEMA_KEYLESS;
		break;
	case LYS_LEAF:
		in->kind = SCHEMA_LEAF;
		in->flags |= type_flags(((const struct lysc_node_leaf *)sn)->type, 0);
		if (lysc_is_key(sn))
			in->flags |= SCHEMA_KEY;
		if (sn->flags & LYS_UNIQUE)
			in->flags |= SCHEMA_UNIQUE;
		if (((const struct lysc_node_leaf *)sn)->dflt != NULL)
			in->flags |= SCHEMA_HAS_DEFAULT;
		break;
	case LYS_LEAFLIST:
		in->kind = SCHEMA_LEAFLIST;
		ll = (const struct lysc_node_leaflist *)sn;
		in->flags |= type_flags(ll->type, 0);
		in->min_elements = ll->min;
		in->max_elements = ll->max == UINT32_MAX ? 0 : ll->max;
		if (LY_ARRAY_COUNT(ll->dflts) > 0)
			in->flags |= SCHEMA_HAS_DEFAULT;
		break;
	case LYS_ANYDATA:
		in->kind = SCHEMA_ANYDATA;
		break;
	case LYS_ANYXML:
		in->kind = SCHEMA_ANYXML;
		break;
	default:
		in->kind = SCHEMA_OTHER;
		break;
	}
	if (sn->flags & LYS_CONFIG_R)
		in->flags |= SCHEMA_CONFIG_FALSE;
	if (lysc_is_userordered(sn))
		in->flags |= SCHEMA_ORDERED_BY_USER;
	if ((sn->nodetype & (LYS_LEAF | LYS_CHOICE | LYS_ANYDATA)) && (sn->flags & LYS_MAND_TRUE))
		in->flags |= SCHEMA_MANDATORY;
	if (LY_ARRAY_COUNT(lysc_node_musts(sn)) > 0)
		in->flags |= SCHEMA_HAS_MUST;
	if (lysc_has_when(sn) != NULL)
		in->flags |= SCHEMA_HAS_WHEN;
	if (sn->parent != NULL && sn->parent->nodetype == LYS_CASE) {
		in->cas = sn->parent;
		in->choice = sn->parent->parent;
		in->flags |= SCHEMA_IN_CASE;
	}
}

static struct node_cache *
node_cache(struct schema *s, const struct lysc_node *sn)
{
	struct node_cache *nc = sn->priv;

	if (nc != NULL)
		return nc;
	if ((nc = calloc(1, sizeof(*nc))) == NULL)
		return NULL;
	compute_info(sn, &nc->info);
	nc->next = s->caches;
	s->caches = nc;
	((struct lysc_node *)sn)->priv = nc;
	return nc;
}

const struct schema_info *
schema_info(struct schema *s, const struct lysc_node *sn)
{
	struct node_cache *nc = node_cache(s, sn);

	return nc != NULL ? &nc->info : NULL;
}

void
node_free(struct schema *s)
{
	struct node_cache *nc, *next;

	for (unsigned i = 0; i < SCHEMA_NSCACHE; i++) {
		free(s->nscache[i].ns);
		s->nscache[i].ns = NULL;
	}

	for (nc = s->caches; nc != NULL; nc = next) {
		next = nc->next;
		for (size_t i = 0; i < nc->ndefaults; i++)
			schema_text_free(&nc->defaults[i]);
		free(nc->defaults);
		free(nc);
	}
	s->caches = NULL;
	xmlHashFree(s->names, NULL);
	s->names = NULL;
}

unsigned
schema_keys(const struct lysc_node *list, const struct lysc_node **keys, unsigned max)
{
	unsigned n = 0;

	if (list == NULL || list->nodetype != LYS_LIST)
		return 0;
	for (const struct lysc_node *c = lysc_node_child(list); c != NULL && lysc_is_key(c);
	    c = c->next) {
		if (n < max)
			keys[n] = c;
		n++;
	}
	return n;
}

unsigned
schema_unique(const struct lysc_node *list, unsigned i, const struct lysc_node **leaves,
    unsigned max)
{
	const struct lysc_node_list *l = (const struct lysc_node_list *)list;
	struct lysc_node_leaf **set;
	unsigned n;

	if (list == NULL || list->nodetype != LYS_LIST || i >= LY_ARRAY_COUNT(l->uniques))
		return 0;
	set = l->uniques[i];
	n = (unsigned)LY_ARRAY_COUNT(set);
	for (unsigned j = 0; j < n && j < max; j++)
		leaves[j] = &set[j]->node;
	return n;
}

int
schema_cases_conflict(const struct lysc_node *a, const struct lysc_node *b)
{
	const struct lysc_node *na, *nb;

	/* every case a sits in, innermost first, against b's case of that choice */
	for (na = a; na->parent != NULL && (na->parent->nodetype & (LYS_CASE | LYS_CHOICE));
	    na = na->parent) {
		if (na->parent->nodetype != LYS_CASE)
			continue;
		for (nb = b; nb->parent != NULL &&
		    (nb->parent->nodetype & (LYS_CASE | LYS_CHOICE)); nb = nb->parent)
			if (nb->parent->nodetype == LYS_CASE &&
			    nb->parent->parent == na->parent->parent)
				return nb->parent != na->parent;
	}
	return 0;
}

const struct lysc_node *
schema_default_case(const struct lysc_node *choice)
{
	const struct lysc_node_case *dflt;

	if (choice == NULL || choice->nodetype != LYS_CHOICE ||
	    (dflt = ((const struct lysc_node_choice *)choice)->dflt) == NULL)
		return NULL;
	return &dflt->node;
}

size_t
schema_defaults(struct schema *s, const struct lysc_node *sn, const struct schema_text **out)
{
	struct node_cache *nc = node_cache(s, sn);
	struct lyd_value **dflts = NULL, *one;
	size_t n = 0;

	*out = NULL;
	if (nc == NULL)
		return 0;
	if (!nc->defaults_done) {
		nc->defaults_done = 1;
		if (sn->nodetype == LYS_LEAF && (one = ((const struct lysc_node_leaf *)sn)->dflt)) {
			dflts = &one;
			n = 1;
		} else if (sn->nodetype == LYS_LEAFLIST) {
			dflts = ((const struct lysc_node_leaflist *)sn)->dflts;
			n = LY_ARRAY_COUNT(dflts);
		}
		if (n > 0 && (nc->defaults = calloc(n, sizeof(*nc->defaults))) == NULL)
			n = 0;
		for (size_t i = 0; i < n; i++) {
			if (value_print_xml(sn->module->ctx, dflts[i], &nc->defaults[i]) == -1)
				break;
			nc->ndefaults++;
		}
	}
	*out = nc->defaults;
	return nc->ndefaults;
}

void
schema_each_child(struct schema *s, const struct lysc_node *parent,
    void (*cb)(void *arg, const struct lysc_node *sn), void *arg)
{
	const struct lysc_node *c;
	const struct lys_module *mod;
	uint32_t idx = 0;

	if (parent != NULL) {
		for (c = NULL; (c = lys_getnext(c, parent, NULL, 0)) != NULL;)
			if (c->nodetype & DATA_NODES)
				cb(arg, c);
		return;
	}
	if (schema_context(s) == NULL)
		return;
	while ((mod = ly_ctx_get_module_iter(s->ctx, &idx)) != NULL) {
		if (!mod->implemented || mod->compiled == NULL)
			continue;
		for (c = NULL; (c = lys_getnext(c, NULL, mod->compiled, 0)) != NULL;)
			if (c->nodetype & DATA_NODES)
				cb(arg, c);
	}
}

/* A name that data nodes of several modules have. */
static const char ambiguous[] = "";

static LY_ERR
note_name(struct lysc_node *n, void *arg, ly_bool *dfs_continue)
{
	xmlHashTablePtr h = arg;
	const char *have;

	(void)dfs_continue;
	if (!(n->nodetype & DATA_NODES))
		return LY_SUCCESS;
	have = xmlHashLookup(h, BAD_CAST n->name);
	if (have == NULL)
		xmlHashAddEntry(h, BAD_CAST n->name, (void *)n->module->ns);
	else if (have != ambiguous && strcmp(have, n->module->ns) != 0)
		xmlHashUpdateEntry(h, BAD_CAST n->name, (void *)ambiguous, NULL);
	return LY_SUCCESS;
}

const char *
schema_name_ns(struct schema *s, const char *name)
{
	const struct lys_module *mod;
	const char *ns;
	uint32_t idx = 0;

	if (s->names == NULL) {
		if (schema_context(s) == NULL || (s->names = xmlHashCreate(256)) == NULL)
			return NULL;
		while ((mod = ly_ctx_get_module_iter(s->ctx, &idx)) != NULL)
			if (mod->implemented && mod->compiled != NULL)
				lysc_module_dfs_full(mod, note_name, s->names);
	}
	ns = xmlHashLookup(s->names, BAD_CAST name);
	return ns == ambiguous ? NULL : ns;
}
