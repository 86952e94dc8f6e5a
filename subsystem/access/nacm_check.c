/*
 * The check of a nacm config that needs the schema: a rule's
 * module-name must name a module the server has (nacm_config_check_schema
 * in nacm.h).  A path's namespaces are not checked: data no module
 * covers is stored too, and a rule may guard it.
 */
#include <string.h>

#include "errbuf.h"
#include "nacm_int.h"

int
nacm_config_check_schema(const struct nacm_config *cfg, const struct nacm_schema *schema,
    char *err, size_t errlen)
{
	return nacm_config_check_schema_at(cfg, schema, err, errlen, NULL, 0);
}

int
nacm_config_check_schema_at(const struct nacm_config *cfg, const struct nacm_schema *schema,
    char *err, size_t errlen, char *path, size_t pathlen)
{
	for (size_t i = 0; i < cfg->nlist; i++)
		for (size_t j = 0; j < cfg->list[i].nrule; j++) {
			const struct nacm_rule *r = &cfg->list[i].rule[j];

			if (r->module == NULL || schema->module_ns == NULL ||
			    schema->module_ns(schema->arg, r->module) != NULL)
				continue;
			if (path != NULL)
				nacm_config_error_path(path, pathlen, cfg->list[i].name, r->name);
			return set_err(err, errlen, "nacm: rule-list \"%s\", rule \"%s\": "
			    "module-name \"%s\" is not a module of this server",
			    cfg->list[i].name, r->name, r->module);
		}
	return 0;
}
