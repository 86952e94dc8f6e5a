/*
 * The <hello> exchange (RFC 6241 8.1, RFC 6242 4.1): the server's hello
 * with capabilities and session-id, and the checks on the client's.
 */
#ifndef NCHOME_HELLO_H
#define NCHOME_HELLO_H

#include <stddef.h>

#include "session.h"

#define NC_CAP_BASE10	"urn:ietf:params:netconf:base:1.0"
#define NC_CAP_BASE11	"urn:ietf:params:netconf:base:1.1"

/*
 * Adds a capability URI to the server hello (before hello_send; e.g.
 * notifications).  The string must stay valid.  0 or -1 when full.
 */
int hello_add_capability(const char *uri);

/* The i-th capability of the server hello, or NULL past the last. */
const char *hello_capability(int i);

/* Sends the server hello (end-of-message framing).  0 or -1. */
int hello_send(struct session *s);

/*
 * Checks the client hello; on success sets s->base11 and switches the
 * framer to chunked framing when both sides speak base:1.1.  -1: the
 * session must end (malformed, no common base, carries a session-id).
 */
int hello_recv(struct session *s, const char *msg, size_t len);

#endif
