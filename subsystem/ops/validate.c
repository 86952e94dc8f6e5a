/*
 * <validate> (RFC 6241 8.6): the schema check of a datastore or inline
 * config: RELAX NG when configured, then the YANG modules' constraints
 * on all the data they cover (tree/validate.c).
 */
#include "ops_int.h"

void
op_validate(struct rpc *r)
{
	struct store *st = r->s->store;
	xmlNodePtr source = nc_child(r->op, "source");
	xmlDocPtr doc;

	if (source == NULL) {
		ops_missing(r, "source", "validate needs <source>");
		return;
	}
	if (store_lock(st, 0) == -1) {
		ops_store_failed(r);
		return;
	}
	if ((doc = ops_source_doc(r, source)) != NULL) {
		if (ops_yang_checkable(r, xmlDocGetRootElement(doc)) == 0 &&
		    store_validate(st, r, doc) == 0)
			(void)tree_validate_all(store_yang(st, r->s->schema, doc), r,
			    xmlDocGetRootElement(doc));
		xmlFreeDoc(doc);
	}
	store_unlock(st);
}
