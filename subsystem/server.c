/*
 * The assembly (see server.h): the only file, with main.c, that names
 * every layer.  The lower layers never call up; they are reached through
 * the tables filled here (netconf/tables.c), and the order in which a
 * session's holdings end is written here once.
 */
#include "host/host.h"
#include "log.h"
#include "observe/observe.h"
#include "ops/ops.h"
#include "server.h"
#include "store/store.h"

static const char *const base_caps[] = {
	NC_CAP_BASE10,
	NC_CAP_BASE11,
	"urn:ietf:params:netconf:capability:writable-running:1.0",
	"urn:ietf:params:netconf:capability:candidate:1.0",
	"urn:ietf:params:netconf:capability:confirmed-commit:1.1",
	"urn:ietf:params:netconf:capability:validate:1.1",
	"urn:ietf:params:netconf:capability:startup:1.0",
	"urn:ietf:params:netconf:capability:rollback-on-error:1.0",
	"urn:ietf:params:netconf:capability:xpath:1.0",
	/* RFC 6243: stored as written, defaults never stored (tree/defaults.c) */
	"urn:ietf:params:netconf:capability:with-defaults:1.0?basic-mode=explicit"
	    "&also-supported=report-all,trim,report-all-tagged",
	NCM_NS,
};

static const struct {
	const char	*name;
	op_handler	 fn;
} base_ops[] = {
	{ "get", op_get },
	{ "get-config", op_get_config },
	{ "edit-config", op_edit_config },
	{ "copy-config", op_copy_config },
	{ "delete-config", op_delete_config },
	{ "lock", op_lock },
	{ "unlock", op_unlock },
	{ "close-session", op_close_session },
	{ "kill-session", op_kill_session },
	{ "commit", op_commit },
	{ "discard-changes", op_discard_changes },
	{ "cancel-commit", op_cancel_commit },
	{ "validate", op_validate },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

void
server_setup(void)
{
	for (size_t i = 0; i < NELEM(base_caps); i++)
		if (nc_add_capability(base_caps[i]) == -1)
			fatalx("capability table full");
	for (size_t i = 0; i < NELEM(base_ops); i++)
		if (nc_register_op(NC_NS_BASE, base_ops[i].name, base_ops[i].fn) == -1)
			fatalx("operation table full");
	/* state sources in the order <get> shows them */
	monitoring_init();
	yanglib_init();
	notify_init();
	if (nc_add_state_source(providers_collect) == -1)
		fatalx("state source table full");
}

int
server_open_store(struct session *s)
{
	if (s->nc == NULL || s->dd == NULL)
		return -1;
	if ((s->store = store_open(s->dd, s->nc->schema, s->id)) == NULL)
		return -1;
	store_set_max_size(s->store, s->nc->max_datastore_size);
	store_set_yang(s->store, s->schema);
	return 0;
}

void
server_prepare(struct session *s)
{
	ops_nacm_prepare(s);
	if (s->store != NULL)
		store_prepare(s->store);
	(void)event_prepare();
	if (s->dd != NULL)
		nlog_prepare(s->dd);
}

void
server_teardown(struct session *s)
{
	if (s->store != NULL) {
		store_release_locks(s->store);
		commit_session_end(s);
		store_close(s->store);
		s->store = NULL;
	}
	ops_nacm_end(s);
	reg_unregister(s);
}
