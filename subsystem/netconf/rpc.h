/*
 * The RPC layer: one parsed <rpc>, the reply being built for it, and the
 * table of operations.  An operation handler looks at r->op, then either
 * adds errors (rpc_error), or sets data (rpc_reply_data), or does neither
 * (the reply is <ok/>).  The layer writes exactly one <rpc-reply> with the
 * attributes of the <rpc> echoed.
 *
 * Reply data is streamed: rpc_reply_data() takes the element whose
 * children become the children of <data>; they are serialized straight to
 * the framer, so a 10 MB get-config is never copied into a reply tree.
 */
#ifndef NCHOME_RPC_H
#define NCHOME_RPC_H

#include <libxml/tree.h>

#include "session.h"

/* RFC 6241 Appendix A. */
enum nc_err_type { ERR_TRANSPORT, ERR_RPC, ERR_PROTOCOL, ERR_APPLICATION };

/* error-tag strings of RFC 6241 Appendix A, e.g. "in-use", "lock-denied". */
#define TAG_IN_USE			"in-use"
#define TAG_INVALID_VALUE		"invalid-value"
#define TAG_TOO_BIG			"too-big"
#define TAG_MISSING_ATTRIBUTE		"missing-attribute"
#define TAG_BAD_ATTRIBUTE		"bad-attribute"
#define TAG_UNKNOWN_ATTRIBUTE		"unknown-attribute"
#define TAG_MISSING_ELEMENT		"missing-element"
#define TAG_BAD_ELEMENT			"bad-element"
#define TAG_UNKNOWN_ELEMENT		"unknown-element"
#define TAG_UNKNOWN_NAMESPACE		"unknown-namespace"
#define TAG_ACCESS_DENIED		"access-denied"
#define TAG_LOCK_DENIED			"lock-denied"
#define TAG_RESOURCE_DENIED		"resource-denied"
#define TAG_ROLLBACK_FAILED		"rollback-failed"
#define TAG_DATA_EXISTS			"data-exists"
#define TAG_DATA_MISSING		"data-missing"
#define TAG_OPERATION_NOT_SUPPORTED	"operation-not-supported"
#define TAG_OPERATION_FAILED		"operation-failed"
#define TAG_MALFORMED_MESSAGE		"malformed-message"

struct rpc {
	struct session	*s;
	xmlDocPtr	 doc;		/* the request document */
	xmlNodePtr	 rpc;		/* <rpc> */
	xmlNodePtr	 op;		/* the operation element, first child of <rpc> */

	/* reply state, filled by handlers through the functions below */
	xmlDocPtr	 err_doc;	/* holds the <rpc-error> elements */
	int		 nerrors;
	xmlNodePtr	 data;		/* children go inside <data> */
	xmlDocPtr	 data_owned;	/* freed after the reply, may be NULL */
	const char	*data_ns;	/* namespace of <data>; NULL: base (get-schema: monitoring) */
	int		 warnings_only;	/* all errors were severity warning */
};

/*
 * Adds an <rpc-error> with error-severity "error".  path (may be NULL)
 * becomes <error-path>; fmt (may be NULL) becomes <error-message>.
 * Returns the <rpc-error> element so callers can add error-info
 * (rpc_error_info) or NULL on allocation failure.
 */
xmlNodePtr rpc_error(struct rpc *r, enum nc_err_type type, const char *tag,
    const char *path, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Adds <error-info><name>value</name></error-info> (NETCONF namespace). */
void rpc_error_info(xmlNodePtr err, const char *name, const char *value);

/*
 * The children of container become the reply's <data>.  If owned is not
 * NULL it is freed once the reply is written (container may live in it).
 */
void rpc_reply_data(struct rpc *r, xmlNodePtr container, xmlDocPtr owned);

/* An operation handler. */
typedef void (*op_handler)(struct rpc *r);

/* 1 if node is an element called name in the NETCONF base namespace. */
int nc_is(const xmlNode *node, const char *name);

/* First child element of parent named name in the base namespace, or NULL. */
xmlNodePtr nc_child(const xmlNode *parent, const char *name);

/*
 * Text of the operation's base-namespace child name, white space trimmed
 * at both ends, copied into buf (truncated to len); NULL when absent.
 */
const char *rpc_param(struct rpc *r, const char *name, char *buf, size_t len);

/*
 * Operations, by owner.  Protocol side (rpc.c, lock.c, session_registry.c):
 * lock, unlock, close-session, kill-session.  Data side (datastore.c,
 * edit.c, filter*.c, commit.c): the rest.
 */
void op_get(struct rpc *r);
void op_get_config(struct rpc *r);
void op_edit_config(struct rpc *r);
void op_copy_config(struct rpc *r);
void op_delete_config(struct rpc *r);
void op_lock(struct rpc *r);
void op_unlock(struct rpc *r);
void op_close_session(struct rpc *r);
void op_kill_session(struct rpc *r);
void op_commit(struct rpc *r);
void op_discard_changes(struct rpc *r);
void op_cancel_commit(struct rpc *r);
void op_validate(struct rpc *r);

#endif
