/*
 * Host name resolution that never blocks the dialer's loop.  Address
 * literals are converted in place (AI_NUMERICHOST); a name is looked up by
 * a short-lived child (resolve_start) that runs getaddrinfo() without root
 * and writes the addresses back in a small fixed format, which
 * resolve_result() checks before use.
 */
#ifndef NCHOME_RESOLVER_H
#define NCHOME_RESOLVER_H

#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "subproc.h"

#define RESOLVE_MAX_ADDRS	16	/* more addresses for one name are ignored */

/* The user the lookup runs as when the dialer is root. */
#define RESOLVE_USER		"nobody"

struct resolved_addr {
	union {
		struct sockaddr		sa;
		struct sockaddr_in	sin;
		struct sockaddr_in6	sin6;
	} u;
	socklen_t	len;
};

/*
 * host as an IPv4 or IPv6 literal: fills out[0..*n) and returns 1.  Not a
 * literal: returns 0 (look it up with resolve_start).  -1 with a message in
 * err on any other error.
 */
int resolve_numeric(const char *host, unsigned port, struct resolved_addr *out,
    size_t max, size_t *n, char *err, size_t errlen);

/* Starts the lookup child for host; its output comes on sp->fd.  0 or -1. */
int resolve_start(struct subproc *sp, const char *host);

/*
 * After the child's output ended: the addresses with port filled in, 0; or
 * -1 with the reason (resolver's error, or a malformed reply) in err.
 */
int resolve_result(const struct subproc *sp, unsigned port, struct resolved_addr *out,
    size_t max, size_t *n, char *err, size_t errlen);

#endif
