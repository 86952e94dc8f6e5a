/*
 * A data node's instance-identifier, for the error-path of a denied
 * write: prefixes from module names (or the node's own), key predicates
 * when the schema knows the keys; and the error-path of a refused nacm
 * config: the rule or rule-list its message names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nacm_int.h"
#include "tree/tree.h"

struct sb {
	char	*p;
	size_t	 len, cap;
	int	 oom;
};

static void
sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (p == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_str(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* The prefix path d uses for ns, declared in d->ns if new; NULL when out of memory. */
static const char *
prefix_for(const struct nacm_session *s, struct nacm_denial *d, const xmlNode *n)
{
	const char *ns = (const char *)n->ns->href, *want = NULL;
	char gen[32];
	struct nacm_nsdecl *nd;

	for (size_t i = 0; i < d->nns; i++)
		if (strcmp(d->ns[i].ns, ns) == 0)
			return d->ns[i].prefix;
	if (s->schema != NULL && s->schema->ns_module != NULL)
		want = s->schema->ns_module(s->schema->arg, ns);
	if (want == NULL && n->ns->prefix != NULL)
		want = (const char *)n->ns->prefix;
	for (size_t i = 0; want != NULL && i < d->nns; i++)
		if (strcmp(d->ns[i].prefix, want) == 0)
			want = NULL;	/* taken by another namespace */
	if (want == NULL) {
		snprintf(gen, sizeof(gen), "n%zu", d->nns + 1);
		want = gen;
	}
	if ((nd = realloc(d->ns, (d->nns + 1) * sizeof(*nd))) == NULL)
		return NULL;
	d->ns = nd;
	nd += d->nns;
	nd->prefix = strdup(want);
	nd->ns = strdup(ns);
	if (nd->prefix == NULL || nd->ns == NULL) {
		free(nd->prefix);
		free(nd->ns);
		return NULL;
	}
	d->nns++;
	return nd->prefix;
}

struct key_pred {
	struct sb	*b;
	const char	*prefix;
	const char	*name;
};

static int
add_key(void *arg, const char *v, int stable)
{
	struct key_pred *k = arg;
	const char *q = strchr(v, '\'') != NULL ? "\"" : "'";

	(void)stable;
	sb_str(k->b, "[");
	sb_str(k->b, k->prefix);
	sb_str(k->b, ":");
	sb_str(k->b, k->name);
	sb_str(k->b, "=");
	sb_str(k->b, q);
	sb_str(k->b, v);
	sb_str(k->b, q);
	sb_str(k->b, "]");
	return 1;	/* a key has one value */
}

/*
 * The key predicates of list entry n, when the schema knows its keys.
 * Keys come first in an entry (RFC 7950 7.8.5), so the scan stops at
 * the first child that is not one: a container of 50,000 entries costs
 * one look, not 50,000.
 */
static int
key_preds(const struct nacm_session *s, const xmlNode *n, const char *prefix, struct sb *b)
{
	const struct nacm_schema *sc = s->schema;
	struct key_pred k = { b, prefix, NULL };
	const char *ns = (const char *)n->ns->href;

	if (sc == NULL || sc->is_key == NULL)
		return 0;
	if (packed_is(n)) {
		const char *pos = NULL, *cname, *text;

		while (packed_next_child(n, &pos, &cname, &text) != 0 &&
		    sc->is_key(sc->arg, n, cname)) {
			k.name = cname;
			if (nacm_each_value(n, ns, cname, add_key, &k) == -1)
				return -1;
		}
		return 0;
	}
	for (const xmlNode *c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (c->ns == NULL || strcmp((const char *)c->ns->href, ns) != 0 ||
		    !sc->is_key(sc->arg, n, (const char *)c->name))
			break;
		k.name = (const char *)c->name;
		if (nacm_each_value(n, ns, k.name, add_key, &k) == -1)
			return -1;
	}
	return 0;
}

int
nacm_node_path(const struct nacm_session *s, const xmlNode *node, struct nacm_denial *d)
{
	struct sb b = { NULL, 0, 0, 0 };
	const xmlNode **anc;
	size_t depth;
	const char *prefix;

	if ((anc = nacm_ancestry(node, &depth)) == NULL)
		return -1;
	for (size_t i = 0; i < depth && !b.oom; i++) {
		if (anc[i]->ns == NULL) {	/* not data: name it as it is */
			sb_str(&b, "/");
			sb_str(&b, (const char *)anc[i]->name);
			continue;
		}
		if ((prefix = prefix_for(s, d, anc[i])) == NULL) {
			b.oom = 1;
			break;
		}
		sb_str(&b, "/");
		sb_str(&b, prefix);
		sb_str(&b, ":");
		sb_str(&b, (const char *)anc[i]->name);
		if (key_preds(s, anc[i], prefix, &b) == -1)
			b.oom = 1;
	}
	free(anc);
	if (depth == 0)
		sb_str(&b, "/");
	if (b.oom) {
		free(b.p);
		return -1;
	}
	d->path = b.p;
	return 0;
}

/* ---- where a refused nacm config fails (nacm_config.c, nacm_check.c) ---- */

/* Appends /nacm:elem[nacm:name='name'] to buf; -1 when it cannot be written. */
static int
path_step(char *buf, size_t len, const char *elem, const char *name)
{
	size_t at = strlen(buf);
	char q = strchr(name, '\'') == NULL ? '\'' : '"';
	int n;

	if (q == '"' && strchr(name, '"') != NULL)
		return -1;	/* no quote for it: the parent names the place */
	n = snprintf(buf + at, len - at, "/nacm:%s[nacm:name=%c%s%c]", elem, q, name, q);
	if (n < 0 || (size_t)n >= len - at) {
		buf[at] = '\0';
		return -1;
	}
	return 0;
}

void
nacm_config_error_path(char *path, size_t len, const char *list, const char *rule)
{
	if (len == 0)
		return;
	snprintf(path, len, "/nacm:nacm");
	if (list != NULL && path_step(path, len, "rule-list", list) == 0 && rule != NULL)
		(void)path_step(path, len, "rule", rule);
}
