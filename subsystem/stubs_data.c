/* TEMPORARY stand-ins for the data side so the protocol side links; the
 * data side deletes this file as its real code lands. */
#include "datastore.h"

#define NOT_YET(fn) void fn(struct rpc *r) { \
	rpc_error(r, ERR_PROTOCOL, TAG_OPERATION_NOT_SUPPORTED, NULL, "not implemented yet"); }
NOT_YET(op_get)
NOT_YET(op_get_config)
NOT_YET(op_edit_config)
NOT_YET(op_copy_config)
NOT_YET(op_delete_config)
NOT_YET(op_commit)
NOT_YET(op_discard_changes)
NOT_YET(op_cancel_commit)
NOT_YET(op_validate)

const char *ds_name(enum ds_id ds) { static const char *n[] = { "running", "candidate", "startup" }; return n[ds]; }
int ds_parse_target(struct rpc *r, xmlNodePtr parent, enum ds_id *out) { (void)r; (void)parent; *out = DS_RUNNING; return 0; }
int ds_session_init(struct session *s) { (void)s; return 0; }
void ds_session_end(struct session *s) { (void)s; }
int ds_candidate_changed_by_other(struct session *s) { (void)s; return 0; }
void ds_candidate_discard(struct session *s) { (void)s; }
