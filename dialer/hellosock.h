/*
 * The dialer's end of the "session reached NETCONF" signal
 * (common/callhome_signal.h): a Unix datagram socket at nchome.conf's
 * `dialer-socket` that nchome-netconf writes one datagram to per session,
 * after the hellos.  Reading is non-blocking, bounded in size and in
 * datagrams per turn of the loop.
 */
#ifndef NCHOME_HELLOSOCK_H
#define NCHOME_HELLOSOCK_H

#include <stddef.h>
#include <sys/types.h>

#include "callhome_signal.h"

#define HELLOSOCK_BATCH	64	/* datagrams read per call, at most */

struct hellosock {
	int	 fd;		/* -1: none */
	char	*path;		/* what we bound (unlinked on close) */
};

/* An idle hellosock. */
void hellosock_init(struct hellosock *h);

/*
 * Binds a datagram socket at path (mode 0666: nchome-netconf runs as any
 * NETCONF account).  The folder is created (0755) when missing; it and
 * every folder above it must be root's and writable by no one else (a
 * sticky folder, such as /tmp, is allowed above it, not as it), since root
 * creates and removes the socket there.  A stale socket is replaced, one a
 * live process holds is not.  An empty path: nothing to do, 0.  -1 with
 * the reason in err.
 */
int hellosock_open(struct hellosock *h, const char *path, char *err, size_t errlen);

/* Closes the socket and removes its path. */
void hellosock_close(struct hellosock *h);

/*
 * Reads one datagram without waiting.  1: a well-formed signal in e, with
 * the sender's uid and pid (-1 where the system does not say); 0: nothing
 * more to read; -1: one datagram dropped (malformed, too long, no
 * credentials), logged.
 */
int hellosock_recv(struct hellosock *h, struct callhome_endpoints *e, uid_t *uid, pid_t *pid);

#endif
