/*
 * The protocol side of the RPC layer: the hardened XML parser for
 * everything that arrives from the client, the dispatcher from a framed
 * message to an op_* handler, and the writer of the one <rpc-reply>.
 */
#ifndef NCHOME_RPC_IO_H
#define NCHOME_RPC_IO_H

#include <stddef.h>

#include <libxml/tree.h>

#include "rpc.h"

/*
 * Parses untrusted XML: UTF-8 only, no network, no entity expansion, no
 * DTD loading, and any DOCTYPE is refused before its internal subset is
 * read.  Returns the document or NULL with a reason in why.
 */
xmlDocPtr nc_parse(const char *buf, size_t len, char *why, size_t whylen);

/*
 * Adds an operation (e.g. get-schema, create-subscription) to the dispatch
 * table, by element name and namespace.  0 or -1 when the table is full.
 */
int rpc_register_op(const char *ns, const char *name, op_handler fn);

/*
 * Handles one framed message after the hello: parse, dispatch, reply.
 * Returns 0, or -1 when the reply could not be written (peer gone).
 */
int rpc_handle(struct session *s, const char *msg, size_t len);

/*
 * Sends an <rpc-reply> without message-id holding one error (framing
 * errors, oversized messages).  0 or -1.
 */
int rpc_send_error(struct session *s, enum nc_err_type type, const char *tag,
    const char *message);

#endif
