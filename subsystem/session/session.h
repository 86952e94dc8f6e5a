/*
 * The session layer (README.md, "Layers"): one NETCONF session's
 * messages after framing.
 *
 *   hello.c  the <hello> exchange (RFC 6241 8.1, RFC 6242 4.1)
 *   rpc.c    from a framed message to exactly one <rpc-reply>: parse,
 *            dispatch through netconf/'s operation table, stream the reply
 *   lenient.c  protocol elements a client wrote in no namespace
 */
#ifndef NCHOME_SESSION_H
#define NCHOME_SESSION_H

#include <stddef.h>

#include "netconf/netconf.h"

/* Sends the server hello (end-of-message framing).  0 or -1. */
int hello_send(struct session *s);

/*
 * Checks the client hello; on success sets s->base11 and switches the
 * framer to chunked framing when both sides speak base:1.1.  -1: the
 * session must end (malformed, no common base, carries a session-id).
 */
int hello_recv(struct session *s, const char *msg, size_t len);

/* Parses a client hello that goes nowhere (warms the parser); 0 or -1. */
int hello_recv_prepare(void);

/*
 * A request as rpc_handle parses it: nc_parse, with the content of
 * <edit-config><config> packed (tree/packed.c) as it is read.
 */
xmlDocPtr rpc_parse(const char *buf, size_t len, char *why, size_t whylen);

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

/*
 * In a base-namespace <rpc>, the operation op and its protocol
 * parameters written in no namespace are taken as base-namespace
 * elements (lenient.c says which).
 */
void rpc_lenient_ns(xmlNodePtr rpc, xmlNodePtr op);

#endif
