/*
 * The ietf-netconf-acm:nacm container, parsed into struct nacm_config
 * and checked so that a broken configuration is refused with a message
 * naming the rule (see nacm_config_parse in nacm.h for what is refused).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "nacm_int.h"
#include "tree/tree.h"

static void
group_free(struct nacm_group *g)
{
	free(g->name);
	ncl_strv_free(g->user, g->nuser);
}

static int
parse_group(struct nacm_cp *cp, const xmlNode *e, struct nacm_config *cfg)
{
	struct nacm_group g = { NULL, NULL, 0 }, *ng;

	if ((g.name = ncl_key_name(cp, e, "group")) == NULL)
		return -1;
	if (ncl_group_name_ok(cp, g.name, 0) == -1)
		goto fail;
	for (size_t i = 0; i < cfg->ngroup; i++)
		if (strcmp(cfg->group[i].name, g.name) == 0) {
			ncl_err(cp, "group \"%s\" is given twice", g.name);
			goto fail;
		}
	for (const xmlNode *c = e->children; c != NULL; c = c->next) {
		char *u;

		if (!ncl_is_nacm(c) || xmlStrEqual(c->name, BAD_CAST "name"))
			continue;
		if (!xmlStrEqual(c->name, BAD_CAST "user-name")) {
			ncl_err(cp, "group \"%s\": unknown element <%s>", g.name, c->name);
			goto fail;
		}
		if ((u = ncl_value(cp, c, 0)) == NULL)
			goto fail;
		if (*u == '\0') {
			free(u);
			ncl_err(cp, "group \"%s\": an empty user-name", g.name);
			goto fail;
		}
		if (ncl_add_unique(cp, &g.user, &g.nuser, u, "user-name") == -1)
			goto fail;
	}
	if ((ng = realloc(cfg->group, (cfg->ngroup + 1) * sizeof(*ng))) == NULL) {
		ncl_err(cp, "out of memory");
		goto fail;
	}
	cfg->group = ng;
	ng[cfg->ngroup++] = g;
	return 0;
fail:
	group_free(&g);
	return -1;
}

static int
parse_groups(struct nacm_cp *cp, const xmlNode *n, struct nacm_config *cfg)
{
	for (const xmlNode *c = n->children; c != NULL; c = c->next) {
		if (!ncl_is_nacm(c))
			continue;
		if (!xmlStrEqual(c->name, BAD_CAST "group"))
			return ncl_err(cp, "groups: unknown element <%s>", c->name);
		if (parse_group(cp, c, cfg) == -1)
			return -1;
	}
	return 0;
}

static void
rule_free(struct nacm_rule *r)
{
	free(r->name);
	free(r->module);
	free(r->target);
	free(r->path_text);
	nacm_path_free(r->path);
}

int
nacm_xml_prefix_ns(void *arg, const char *prefix, const char **ns)
{
	const xmlNode *pe = arg;
	xmlNsPtr x = xmlSearchNs(pe->doc, (xmlNodePtr)pe, BAD_CAST prefix);

	if (x == NULL || x->href == NULL)
		return -1;
	*ns = (const char *)x->href;
	return 0;
}

/* "*" becomes NULL (matches all). */
static int
star_or_name(struct nacm_cp *cp, const xmlNode *n, char **out)
{
	char *v;

	if ((v = ncl_value(cp, n, 0)) == NULL)
		return -1;
	if (strcmp(v, "*") == 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	return 0;
}

static int
rule_type(struct nacm_cp *cp, struct nacm_rule *r, enum nacm_rule_type t)
{
	if (r->type != NACM_RT_NONE)
		return ncl_err(cp, "a rule has one of rpc-name, notification-name, path");
	r->type = t;
	return 0;
}

static int
parse_rule_leaf(struct nacm_cp *cp, const xmlNode *c, struct nacm_rule *r, int seen[7])
{
	char perr[256];
	const char *nm = (const char *)c->name;

	if (strcmp(nm, "module-name") == 0)
		return ncl_once(cp, c, &seen[0]) == -1 ? -1 : star_or_name(cp, c, &r->module);
	if (strcmp(nm, "rpc-name") == 0)
		return ncl_once(cp, c, &seen[1]) == -1 || rule_type(cp, r, NACM_RT_RPC) == -1 ?
		    -1 : star_or_name(cp, c, &r->target);
	if (strcmp(nm, "notification-name") == 0)
		return ncl_once(cp, c, &seen[6]) == -1 || rule_type(cp, r, NACM_RT_NOTIF) == -1 ?
		    -1 : star_or_name(cp, c, &r->target);
	if (strcmp(nm, "path") == 0) {
		if (ncl_once(cp, c, &seen[2]) == -1 || rule_type(cp, r, NACM_RT_PATH) == -1 ||
		    (r->path_text = ncl_value(cp, c, 1)) == NULL)
			return -1;
		if ((r->path = nacm_path_parse(r->path_text, nacm_xml_prefix_ns, (void *)c,
		    perr, sizeof(perr))) == NULL)
			return ncl_err(cp, "path \"%s\": %s", r->path_text, perr);
		return 0;
	}
	if (strcmp(nm, "access-operations") == 0)
		return ncl_access_ops(cp, c, &seen[3], &r->ops);
	if (strcmp(nm, "action") == 0)
		return ncl_action(cp, c, &seen[4], &r->permit);
	if (strcmp(nm, "comment") == 0)
		return ncl_once(cp, c, &seen[5]);
	return ncl_err(cp, "unknown element <%s>", nm);
}

static int
parse_rule(struct nacm_cp *cp, const xmlNode *e, struct nacm_rule_list *rl)
{
	struct nacm_rule r, *nr;
	int seen[7] = { 0 };
	size_t at = strlen(cp->where);

	memset(&r, 0, sizeof(r));
	r.ops = NACM_ALL_OPS;
	if ((r.name = ncl_key_name(cp, e, "rule")) == NULL)
		return -1;
	snprintf(cp->where + at, sizeof(cp->where) - at, "rule \"%s\": ", r.name);
	cp->rule = r.name;
	for (size_t i = 0; i < rl->nrule; i++)
		if (strcmp(rl->rule[i].name, r.name) == 0) {
			ncl_err(cp, "the rule name is given twice");
			goto fail;
		}
	for (const xmlNode *c = e->children; c != NULL; c = c->next) {
		if (!ncl_is_nacm(c) || xmlStrEqual(c->name, BAD_CAST "name"))
			continue;
		if (parse_rule_leaf(cp, c, &r, seen) == -1)
			goto fail;
	}
	if (seen[4] == 0) {
		ncl_err(cp, "no action (permit or deny)");
		goto fail;
	}
	if ((nr = realloc(rl->rule, (rl->nrule + 1) * sizeof(*nr))) == NULL) {
		ncl_err(cp, "out of memory");
		goto fail;
	}
	rl->rule = nr;
	nr[rl->nrule++] = r;
	cp->where[at] = '\0';
	cp->rule = NULL;
	return 0;
fail:
	cp->rule = NULL;
	rule_free(&r);
	return -1;
}

static void
list_free(struct nacm_rule_list *rl)
{
	free(rl->name);
	ncl_strv_free(rl->group, rl->ngroup);
	for (size_t i = 0; i < rl->nrule; i++)
		rule_free(&rl->rule[i]);
	free(rl->rule);
}

static int
parse_rule_list(struct nacm_cp *cp, const xmlNode *e, struct nacm_config *cfg)
{
	struct nacm_rule_list rl, *nl;

	memset(&rl, 0, sizeof(rl));
	if ((rl.name = ncl_key_name(cp, e, "rule-list")) == NULL)
		return -1;
	snprintf(cp->where, sizeof(cp->where), "rule-list \"%s\", ", rl.name);
	cp->list = rl.name;
	for (size_t i = 0; i < cfg->nlist; i++)
		if (strcmp(cfg->list[i].name, rl.name) == 0) {
			ncl_err(cp, "the rule-list name is given twice");
			goto fail;
		}
	for (const xmlNode *c = e->children; c != NULL; c = c->next) {
		char *g;

		if (!ncl_is_nacm(c) || xmlStrEqual(c->name, BAD_CAST "name"))
			continue;
		if (xmlStrEqual(c->name, BAD_CAST "rule")) {
			if (parse_rule(cp, c, &rl) == -1)
				goto fail;
			continue;
		}
		if (!xmlStrEqual(c->name, BAD_CAST "group")) {
			ncl_err(cp, "unknown element <%s>", c->name);
			goto fail;
		}
		if ((g = ncl_value(cp, c, 0)) == NULL)
			goto fail;
		if (ncl_group_name_ok(cp, g, 1) == -1) {
			free(g);
			goto fail;
		}
		if (strcmp(g, "*") == 0)
			rl.all_groups = 1;
		if (ncl_add_unique(cp, &rl.group, &rl.ngroup, g, "group") == -1)
			goto fail;
	}
	if ((nl = realloc(cfg->list, (cfg->nlist + 1) * sizeof(*nl))) == NULL) {
		ncl_err(cp, "out of memory");
		goto fail;
	}
	cfg->list = nl;
	nl[cfg->nlist++] = rl;
	cp->where[0] = '\0';
	cp->list = NULL;
	return 0;
fail:
	cp->list = NULL;
	list_free(&rl);
	return -1;
}

static int
parse_top(struct nacm_cp *cp, const xmlNode *nacm, struct nacm_config *cfg)
{
	int seen[6] = { 0 };

	for (const xmlNode *c = nacm->children; c != NULL; c = c->next) {
		const char *nm = (const char *)c->name;
		int r;

		if (!ncl_is_nacm(c))
			continue;	/* another module's augmentation */
		if (strcmp(nm, "enable-nacm") == 0)
			r = ncl_boolean(cp, c, &seen[0], &cfg->enable);
		else if (strcmp(nm, "read-default") == 0)
			r = ncl_action(cp, c, &seen[1], &cfg->read_permit);
		else if (strcmp(nm, "write-default") == 0)
			r = ncl_action(cp, c, &seen[2], &cfg->write_permit);
		else if (strcmp(nm, "exec-default") == 0)
			r = ncl_action(cp, c, &seen[3], &cfg->exec_permit);
		else if (strcmp(nm, "enable-external-groups") == 0)
			r = ncl_boolean(cp, c, &seen[4], &cfg->ext_groups);
		else if (strcmp(nm, "groups") == 0)
			r = ncl_once(cp, c, &seen[5]) == -1 ? -1 : parse_groups(cp, c, cfg);
		else if (strcmp(nm, "rule-list") == 0)
			r = parse_rule_list(cp, c, cfg);
		else if (strncmp(nm, "denied-", 7) == 0)
			r = ncl_err(cp, "%s is state data, not configuration", nm);
		else
			r = ncl_err(cp, "unknown element <%s>", nm);
		if (r == -1)
			return -1;
	}
	return 0;
}

static int
check_groups(struct nacm_cp *cp, const struct nacm_config *cfg, int (*exists)(const char *))
{
	for (size_t i = 0; i < cfg->nlist; i++)
		for (size_t j = 0; j < cfg->list[i].ngroup; j++) {
			const char *g = cfg->list[i].group[j];
			int known = strcmp(g, "*") == 0;

			for (size_t k = 0; k < cfg->ngroup && !known; k++)
				known = strcmp(cfg->group[k].name, g) == 0;
			if (!known && cfg->ext_groups && exists != NULL)
				known = exists(g);
			if (known)
				continue;
			snprintf(cp->where, sizeof(cp->where), "rule-list \"%s\": ",
			    cfg->list[i].name);
			cp->list = cfg->list[i].name;
			return ncl_err(cp, "unknown group \"%s\": not in /nacm/groups%s", g,
			    cfg->ext_groups ? " and not a group of this host" :
			    ", and enable-external-groups is false");
		}
	return 0;
}

static struct nacm_config *
config_defaults(void)
{
	struct nacm_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg != NULL) {
		cfg->enable = 1;
		cfg->read_permit = 1;
		cfg->write_permit = 0;
		cfg->exec_permit = 1;
		cfg->ext_groups = 1;
	}
	return cfg;
}

struct nacm_config *
nacm_config_failsafe(void)
{
	struct nacm_config *cfg = config_defaults();

	if (cfg != NULL)
		cfg->read_permit = cfg->write_permit = cfg->exec_permit = 0;
	return cfg;
}

void
nacm_config_free(struct nacm_config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->ngroup; i++)
		group_free(&cfg->group[i]);
	free(cfg->group);
	for (size_t i = 0; i < cfg->nlist; i++)
		list_free(&cfg->list[i]);
	free(cfg->list);
	free(cfg);
}

/*
 * An unpacked copy of nacm in a document of its own, with the namespace
 * declarations in scope on nacm declared on the copy (path prefixes may
 * be declared above nacm).
 */
static xmlDocPtr
unpacked_copy(const xmlNode *nacm)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr copy;
	xmlNsPtr *scope;

	if (doc == NULL)
		return NULL;
	copy = packed_copy_node((xmlNodePtr)nacm, doc);
	xmlDocSetRootElement(doc, copy);
	if ((scope = xmlGetNsList(nacm->doc, nacm)) != NULL) {
		for (xmlNsPtr *p = scope; *p != NULL; p++) {
			int have = 0;

			for (xmlNsPtr d = copy->nsDef; d != NULL && !have; d = d->next)
				have = xmlStrEqual(d->prefix, (*p)->prefix);
			if (!have && (*p)->prefix != NULL)
				xmlNewNs(copy, (*p)->href, (*p)->prefix);
		}
		xmlFree(scope);
	}
	packed_unpack_tree(copy);
	return doc;
}

struct nacm_config *
nacm_config_parse(const xmlNode *nacm, int flags, int (*group_exists)(const char *),
    char *err, size_t errlen)
{
	return nacm_config_parse_at(nacm, flags, group_exists, err, errlen, NULL, 0);
}

struct nacm_config *
nacm_config_parse_at(const xmlNode *nacm, int flags, int (*group_exists)(const char *),
    char *err, size_t errlen, char *path, size_t pathlen)
{
	struct nacm_cp cp = { err, errlen, "", NULL, NULL, path, pathlen };
	struct nacm_config *cfg;
	xmlDocPtr doc;
	int r;

	if (path != NULL)
		nacm_config_error_path(path, pathlen, NULL, NULL);
	if ((cfg = config_defaults()) == NULL) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	if (nacm == NULL)
		return cfg;
	if (!ncl_is_nacm(nacm) || !xmlStrEqual(nacm->name, BAD_CAST "nacm")) {
		set_err(err, errlen, "nacm: not the nacm container of %s", NACM_NS);
		nacm_config_free(cfg);
		return NULL;
	}
	if ((doc = unpacked_copy(nacm)) == NULL) {
		set_err(err, errlen, "out of memory");
		nacm_config_free(cfg);
		return NULL;
	}
	r = parse_top(&cp, xmlDocGetRootElement(doc), cfg);
	xmlFreeDoc(doc);
	if (r == 0 && (flags & NACM_STRICT))
		r = check_groups(&cp, cfg, group_exists);
	if (r == -1) {
		nacm_config_free(cfg);
		return NULL;
	}
	return cfg;
}
