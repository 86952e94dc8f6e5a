/*
 * Host name resolution that never blocks the dialer's loop.  Address
 * literals are converted in place (AI_NUMERICHOST); a name is looked up by
 * a short-lived child (resolve_start): a fresh image of the dialer,
 * `nchome-dialer -R` (resolver_main), that runs getaddrinfo() without root
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
#define RESOLVE_HOST_MAX	1024	/* bytes of a name to look up (NI_MAXHOST - 1) */

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

/*
 * At the dialer's start, before any configuration is read: finds the
 * dialer's own program for the lookup child to re-exec.  0, or -1 with the
 * reason in err.
 */
int resolver_exec_init(const char *argv0, char *err, size_t errlen);

/*
 * Starts the lookup child for host (at most RESOLVE_HOST_MAX bytes); its
 * output comes on sp->fd.  0, or -1 with errno.
 */
int resolve_start(struct subproc *sp, const char *host);

/*
 * `nchome-dialer -R` (internal): reads a host name on stdin, drops root,
 * looks it up and writes the reply on stdout.  Reads no configuration.
 * Returns the exit status.
 */
int resolver_main(void);

/*
 * After the child's output ended: the addresses with port filled in, 0; or
 * -1 with the reason (resolver's error, or a malformed reply) in err.
 */
int resolve_result(const struct subproc *sp, unsigned port, struct resolved_addr *out,
    size_t max, size_t *n, char *err, size_t errlen);

#endif
