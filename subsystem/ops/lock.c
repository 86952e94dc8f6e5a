/*
 * <lock> and <unlock> (RFC 6241 7.5, 7.6) on the datastore locks of the
 * store (store/dslock.c holds them and says how they work).
 */
#include <stdio.h>

#include "log.h"
#include "ops_int.h"

static void
lock_denied(struct rpc *r, enum ds_id ds, uint32_t holder, const char *why)
{
	xmlNodePtr err;
	char num[16];

	err = rpc_error(r, ERR_PROTOCOL, TAG_LOCK_DENIED, NULL, "%s", why);
	snprintf(num, sizeof(num), "%u", holder);
	rpc_error_info(err, "session-id", num);
	log_debug("session %u: lock %s denied: %s", r->s->id, ds_name(ds), why);
}

/* The <target> of a lock/unlock; -1 with the error added. */
static int
lock_target(struct rpc *r, enum ds_id *ds)
{
	xmlNodePtr target = nc_child(r->op, "target");

	if (target == NULL) {
		ops_missing(r, "target", "<%s> needs a <target>", (const char *)r->op->name);
		return -1;
	}
	return ops_parse_target(r, target, ds);
}

void
op_lock(struct rpc *r)
{
	struct session *s = r->s;
	enum ds_lock_result res;
	char msg[128];
	enum ds_id ds;
	uint32_t holder;

	if (lock_target(r, &ds) == -1)
		return;
	switch ((res = store_ds_lock(s->store, ds, &holder))) {
	case DSL_TAKEN:
		log_debug("session %u: locked %s", s->id, ds_name(ds));
		break;
	case DSL_MINE:
		lock_denied(r, ds, s->id, "this session already holds the lock");
		break;
	case DSL_BUSY:
		if (holder == 0) {
			/* Released in between: the client may simply retry. */
			lock_denied(r, ds, 0, "lock is being changed, retry");
			break;
		}
		snprintf(msg, sizeof(msg), "%s is locked by session %u", ds_name(ds), holder);
		lock_denied(r, ds, holder, msg);
		break;
	case DSL_CANDIDATE_DIRTY:
		lock_denied(r, ds, 0, "candidate has uncommitted changes of another session");
		break;
	case DSL_CANDIDATE_UNKNOWN:
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "cannot tell whether the candidate holds changes of another "
		    "session; not locked");
		break;
	case DSL_OPEN_FAILED:
	case DSL_WRITE_FAILED:
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "cannot %s the %s lock file",
		    res == DSL_OPEN_FAILED ? "open" : "write", ds_name(ds));
		break;
	}
}

void
op_unlock(struct rpc *r)
{
	struct session *s = r->s;
	enum ds_id ds;
	uint32_t holder;
	xmlNodePtr err;
	char num[16];

	if (lock_target(r, &ds) == -1)
		return;
	if (!store_ds_held(s->store, ds)) {
		holder = store_lock_holder(s->store, ds, NULL);
		if (holder == 0)
			(void)rpc_error(r, ERR_PROTOCOL, TAG_OPERATION_FAILED, NULL,
			    "%s is not locked", ds_name(ds));
		else {
			err = rpc_error(r, ERR_PROTOCOL, TAG_OPERATION_FAILED, NULL,
			    "%s is locked by session %u, not by this one",
			    ds_name(ds), holder);
			snprintf(num, sizeof(num), "%u", holder);
			rpc_error_info(err, "session-id", num);
		}
		return;
	}
	store_ds_unlock(s->store, ds);
	log_debug("session %u: unlocked %s", s->id, ds_name(ds));
}
