/*
 * One configured NMS ("client" in nchome.conf) and the state machine that
 * keeps one called-home connection to it:
 *
 *   WAITING --timer--> [RESOLVING] --> CONNECTING --connected--> SESSION (sshd child)
 *      ^                          |  failed: next try (retry per address, then
 *      |                          v  next address; after a whole round, backoff)
 *      +------------ sshd exits / round failed ----------+
 *
 * RESOLVING only for host names: a child process looks the name up (see
 * resolver.c) while the loop goes on.  Everything is driven by the
 * dialer's one poll() loop: a client asks for a wake-up time
 * (client_deadline) and for one descriptor to be watched (client_poll_fd:
 * the resolver's pipe for reading, or the connecting socket for writing).
 */
#ifndef NCHOME_CLIENT_H
#define NCHOME_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>

#include "callhome_signal.h"
#include "conf.h"
#include "resolver.h"
#include "subproc.h"

/*
 * A session shorter than this counts as a failed round (no backoff reset),
 * unless nchome-netconf reported that it reached NETCONF (client_on_hello).
 */
#define CLIENT_MIN_SESSION_MS	2000

enum client_state { CLIENT_WAITING, CLIENT_RESOLVING, CLIENT_CONNECTING, CLIENT_SESSION };

/* client_on_exit() results */
#define CLIENT_EXIT_NOT_MINE	0
#define CLIENT_EXIT_MINE	1	/* a session or a resolver of this client */
#define CLIENT_EXIT_AT_ONCE	2	/* a session that ended at once (sshd broken?) */

struct client {
	const struct nchome_conf *conf;	/* globals: sshd, host-key, state-dir */
	const struct conf_client *cc;	/* this client's settings */
	enum client_state	 state;
	int			 in_round;	/* WAITING between two tries of a round */
	int			 fd;		/* CONNECTING: the socket */
	pid_t			 pid;		/* SESSION: sshd */
	int64_t			 deadline;	/* ms, monotonic; -1: none */
	size_t			 cur;		/* address being tried */
	size_t			 tried;		/* addresses done in this round */
	unsigned		 attempt;	/* 1..retry at cur */
	struct subproc		 resolver;	/* RESOLVING: the lookup child */
	struct resolved_addr	 sa[RESOLVE_MAX_ADDRS];	/* addresses of cur */
	size_t			 nsa, next_sa;	/* how many; the one to try next */
	unsigned		 backoff;	/* seconds, next wait after a failed round */
	size_t			 last_good;	/* sticky: address of the last session */
	int64_t			 session_start;
	char			 peer[96];	/* "addr port N" for the logs */
	struct sockaddr_storage	 sess_nms;	/* SESSION: the connection's two ends, */
	struct sockaddr_storage	 sess_local;	/* to match nchome-netconf's report */
	int			 reached_netconf;	/* SESSION: hellos exchanged */
};

/* Monotonic clock in milliseconds. */
int64_t now_ms(void);

/* Whether sshd children keep the dialer's stderr (foreground mode). */
void client_set_keep_stderr(int keep);

/* A client that will start its first round at once. */
struct client *client_new(const struct nchome_conf *conf, const struct conf_client *cc,
    int64_t now);

/*
 * Ends what the client is doing: closes a pending connection and sends
 * SIGTERM to its sshd.  Returns that sshd's pid (for the caller to reap)
 * or -1.  Frees the client.
 */
pid_t client_destroy(struct client *c);

/* The wake-up time wanted, or -1. */
int64_t client_deadline(const struct client *c);

/* The descriptor to watch and its poll events, or -1. */
int client_poll_fd(const struct client *c, short *events);

void client_on_timer(struct client *c, int64_t now);

/* poll() reported revents on client_poll_fd(). */
void client_on_ready(struct client *c, short revents, int64_t now);

/*
 * nchome-netconf reported that the session on the connection e reached
 * NETCONF: 1 if that is this client's session (it then counts as a
 * success however short it is), else 0.
 */
int client_on_hello(struct client *c, const struct callhome_endpoints *e, uid_t uid, pid_t pid);

/* A child ended with status: CLIENT_EXIT_* (its sshd or its resolver?). */
int client_on_exit(struct client *c, pid_t pid, int status, int64_t now);

#endif
