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

/* The service identity nchome-netconf runs as (Makefile.install's SVCUSER). */
#define HELLOSOCK_SERVICE_ACCOUNT	"_nchome"

struct hellosock {
	int	 fd;		/* -1: none */
	char	*path;		/* what we bound (unlinked on close) */
};

/*
 * Whose datagrams the dialer believes.  Where the host has the service
 * account, an installed nchome-netconf sends as it (set-uid, all its uids
 * switched before the hellos): then only that uid and root are believed.
 * Without the account, or where the system does not say who sent a
 * datagram (no SCM_CREDENTIALS: not Linux), any sender, as before.
 */
struct hellosock_senders {
	int	restricted;	/* 0: any sender */
	uid_t	svc;		/* the service account's uid, when restricted; 0: root only */
	int	loaded;		/* 0: never looked up (the rule is logged on the first) */
};

/*
 * Looks the service account up (at start and at each SIGHUP: never per
 * datagram, so a slow account database does not stall the loop) and logs
 * the rule when it changes.  An account database that cannot be read
 * keeps the previous rule, with a warning; at the first look-up, with no
 * rule yet, only root is believed (svc 0) until a SIGHUP looks again.
 */
void hellosock_senders_load(struct hellosock_senders *s);

/* An idle hellosock. */
void hellosock_init(struct hellosock *h);

/*
 * Binds a datagram socket at path (mode 0666: nchome-netconf may run as
 * any account; who is believed is hellosock_senders' rule).  The folder
 * is created (0755) when missing; it and every folder above it must be
 * root's and writable by no one else (a sticky folder, such as /tmp, is
 * allowed above it, not as it), since root creates and removes the socket
 * there.  A stale socket is replaced, one a
 * live process holds is not.  An empty path: nothing to do, 0.  -1 with
 * the reason in err.
 */
int hellosock_open(struct hellosock *h, const char *path, char *err, size_t errlen);

/* Closes the socket and removes its path; logs the drops not yet logged. */
void hellosock_close(struct hellosock *h);

/*
 * Reads one datagram without waiting.  1: a well-formed signal in e, with
 * the sender's uid and pid (-1 where the system does not say); 0: nothing
 * more to read; -1: one datagram dropped (a sender senders does not
 * believe, no credentials, malformed, too long), logged at most once a
 * minute with the count.
 */
int hellosock_recv(struct hellosock *h, const struct hellosock_senders *senders,
    struct callhome_endpoints *e, uid_t *uid, pid_t *pid);

#endif
