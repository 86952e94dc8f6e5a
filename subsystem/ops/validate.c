/* <validate> (RFC 6241 8.6): the schema check of a datastore or inline config. */
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
		store_validate(st, r, doc);
		xmlFreeDoc(doc);
	}
	store_unlock(st);
}
