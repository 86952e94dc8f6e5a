/*
 * The per-client state machine (see client.h).  A round tries the
 * addresses in turn, starting with the first (`in-order`) or with the one
 * that last gave a session (`sticky`); each address gets `retry` attempts;
 * one attempt resolves the host name afresh (so DNS changes are followed)
 * and tries each resolved address with a non-blocking connect() bounded by
 * the address's `timeout`.
 *
 * Backoff: after a round in which no address answered, the client waits a
 * random time uniform in [b/2, b] seconds, b starting at `initial` and
 * doubling after each failed round up to `max` (so no wait exceeds `max`,
 * and a fleet that lost its NMS does not come back in lockstep).  A session
 * that reached NETCONF (nchome-netconf says so once the hellos are
 * exchanged: client_on_hello), or that lasted CLIENT_MIN_SESSION_MS or
 * more, resets b to `initial` and the next call starts at once; a shorter
 * one without that report (sshd or the NMS refusing at once, an NMS that
 * hangs up before SSH or before authentication) counts as a failed round,
 * so a broken peer is not redialled in a tight loop.
 *
 * `persistent`: after a session, dial again at once.  `periodic`: the next
 * round starts `period` seconds after the previous session started.
 *
 * Address literals are converted at once.  Host names are looked up by a
 * resolver child (resolver.c) whose pipe joins the poll set, bounded by the
 * address's `timeout`: a slow or dead DNS server stalls that one attempt,
 * never the loop (the other clients, signals).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "client.h"
#include "handoff.h"
#include "initiation.h"
#include "laststate.h"
#include "log.h"

#define INITIATION_SEND_TIMEOUT	5	/* seconds; the socket is fresh */

static int keep_stderr;

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
client_set_keep_stderr(int keep)
{
	keep_stderr = keep;
}

/* Uniform in [b/2, b] seconds, in ms. */
static int64_t
jitter_ms(unsigned secs)
{
	int64_t b = (int64_t)secs * 1000;

	return b / 2 + (int64_t)(random() % (b / 2 + 1));
}

static void
set_peer(struct client *c, const struct sockaddr *sa, socklen_t salen)
{
	char host[INET6_ADDRSTRLEN + 1], port[16];

	if (getnameinfo(sa, salen, host, sizeof(host), port, sizeof(port),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(c->peer, sizeof(c->peer), "?");
	else
		snprintf(c->peer, sizeof(c->peer), "%s port %s", host, port);
}

static void
drop_socket(struct client *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

/* Forgets the addresses of this attempt and ends a lookup still running. */
static void
drop_addrinfo(struct client *c)
{
	subproc_cancel(&c->resolver);
	c->nsa = c->next_sa = 0;
}

/* Sleep until the next round: the backoff, then double it. */
static void
round_failed(struct client *c, int64_t now, const char *why)
{
	int64_t wait = jitter_ms(c->backoff);

	drop_addrinfo(c);
	drop_socket(c);
	c->in_round = 0;
	c->state = CLIENT_WAITING;
	c->deadline = now + wait;
	log_info("client %s: %s; next round in %lld.%03lld s", c->cc->name, why,
	    (long long)(wait / 1000), (long long)(wait % 1000));
	c->backoff = c->backoff > c->cc->backoff_max / 2 ?
	    c->cc->backoff_max : c->backoff * 2;
}

/* One attempt at the current address is over: retry it, move on, or back off. */
static void
attempt_failed(struct client *c, int64_t now)
{
	const struct conf_address *a = &c->cc->addrs[c->cur];

	drop_addrinfo(c);
	drop_socket(c);
	if (c->attempt < a->retry)
		c->attempt++;
	else {
		c->attempt = 1;
		c->cur = (c->cur + 1) % c->cc->naddrs;
		if (++c->tried == c->cc->naddrs) {
			round_failed(c, now, "no address answered");
			return;
		}
	}
	/* Next try from the loop, not recursively: retry counts can be large. */
	c->state = CLIENT_WAITING;
	c->deadline = now;
}

static void start_session(struct client *, int64_t);

/* Starts connect() on the next resolved address, or ends the attempt. */
static void
try_next_sockaddr(struct client *c, int64_t now)
{
	const struct conf_address *a = &c->cc->addrs[c->cur];

	while (c->next_sa < c->nsa) {
		const struct resolved_addr *ra = &c->sa[c->next_sa++];

		set_peer(c, &ra->u.sa, ra->len);
		c->fd = socket(ra->u.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_TCP);
		if (c->fd == -1) {
			log_warn("client %s: %s: socket", c->cc->name, c->peer);
			continue;
		}
		if (connect(c->fd, &ra->u.sa, ra->len) == 0) {
			start_session(c, now);
			return;
		}
		if (errno == EINPROGRESS || errno == EINTR) {
			c->state = CLIENT_CONNECTING;
			c->deadline = now + (int64_t)a->timeout * 1000;
			return;
		}
		log_warn("client %s: connect to %s failed", c->cc->name, c->peer);
		drop_socket(c);
	}
	attempt_failed(c, now);
}

static void
attempt_begin(struct client *c, int64_t now)
{
	const struct conf_address *a = &c->cc->addrs[c->cur];
	char err[256];
	int rc;

	log_info("client %s: connecting to %s port %u (attempt %u of %u)", c->cc->name,
	    a->host, a->port, c->attempt, a->retry);
	drop_addrinfo(c);
	rc = resolve_numeric(a->host, a->port, c->sa, RESOLVE_MAX_ADDRS, &c->nsa, err,
	    sizeof(err));
	if (rc == 1) {
		try_next_sockaddr(c, now);
		return;
	}
	if (rc == 0 && resolve_start(&c->resolver, a->host) == 0) {
		log_debug("client %s: resolving %s (resolver pid %ld)", c->cc->name, a->host,
		    (long)c->resolver.pid);
		c->state = CLIENT_RESOLVING;
		c->deadline = now + (int64_t)a->timeout * 1000;
		return;
	}
	if (rc == 0)
		snprintf(err, sizeof(err), "cannot start the resolver: %s", strerror(errno));
	log_warnx("client %s: cannot resolve %s: %s", c->cc->name, a->host, err);
	attempt_failed(c, now);
}

/* The lookup child's output ended: connect to what it found. */
static void
resolved(struct client *c, int64_t now)
{
	const struct conf_address *a = &c->cc->addrs[c->cur];
	char err[256];
	int rc;

	rc = resolve_result(&c->resolver, a->port, c->sa, RESOLVE_MAX_ADDRS, &c->nsa, err,
	    sizeof(err));
	subproc_cancel(&c->resolver);	/* reaps it (it has written all it had) */
	c->next_sa = 0;
	if (rc == -1) {
		log_warnx("client %s: cannot resolve %s: %s", c->cc->name, a->host, err);
		c->nsa = 0;
		attempt_failed(c, now);
		return;
	}
	log_debug("client %s: %s has %zu addresses", c->cc->name, a->host, c->nsa);
	try_next_sockaddr(c, now);
}

static void
round_begin(struct client *c, int64_t now)
{
	c->in_round = 1;
	c->tried = 0;
	c->attempt = 1;
	c->cur = c->cc->reconnect == RECONNECT_STICKY ? c->last_good : 0;
	attempt_begin(c, now);
}

/* Bounded blocking write: a fresh socket takes a few hundred bytes at once. */
static int
send_initiation(struct client *c)
{
	char err[256], *buf = NULL;
	struct timeval tv = { INITIATION_SEND_TIMEOUT, 0 };
	size_t len;
	int rc, flags;

	if (initiation_build(c->cc, c->conf->host_key, &buf, &len, err, sizeof(err)) == -1) {
		log_warnx("client %s: %s", c->cc->name, err);
		return -1;
	}
	if (len == 0)
		return 0;
	if ((flags = fcntl(c->fd, F_GETFL)) == -1 ||
	    fcntl(c->fd, F_SETFL, flags & ~O_NONBLOCK) == -1 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1) {
		log_warn("client %s: socket options", c->cc->name);
		free(buf);
		return -1;
	}
	rc = write_all(c->fd, buf, len);
	if (rc == -1)
		log_warn("client %s: %s: sending the initiation sequence", c->cc->name, c->peer);
	explicit_bzero(buf, len);
	free(buf);
	tv.tv_sec = 0;
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return rc;
}

/*
 * TCP keepalive on the same schedule as sshd's ClientAlive: probes after
 * `timeout` idle seconds, every `timeout` seconds, `retry` of them.  The
 * kernel's default (two hours) would keep a dead NMS's socket for long.
 */
static void
set_keepalive_timing(struct client *c)
{
#if defined(TCP_KEEPIDLE) && defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
	int idle = (int)c->cc->keepalive_timeout, count = (int)c->cc->keepalive_retry;

	if (setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) == -1 ||
	    setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPINTVL, &idle, sizeof(idle)) == -1 ||
	    setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count)) == -1)
		log_debug("client %s: TCP keepalive timing not set: %s", c->cc->name,
		    strerror(errno));
#else
	(void)c;
#endif
}

/* The connection's two ends, as nchome-netconf will name them (SSH_CONNECTION). */
static int
record_endpoints(struct client *c)
{
	socklen_t len = sizeof(c->sess_local), plen = sizeof(c->sess_nms);

	memset(&c->sess_local, 0, sizeof(c->sess_local));
	memset(&c->sess_nms, 0, sizeof(c->sess_nms));
	if (getsockname(c->fd, (struct sockaddr *)&c->sess_local, &len) == -1 ||
	    getpeername(c->fd, (struct sockaddr *)&c->sess_nms, &plen) == -1) {
		c->sess_local.ss_family = c->sess_nms.ss_family = AF_UNSPEC;
		return -1;
	}
	return 0;
}

static void
start_session(struct client *c, int64_t now)
{
	int on = 1;

	drop_addrinfo(c);
	log_info("client %s: connected to %s", c->cc->name, c->peer);
	if (setsockopt(c->fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) == -1)
		log_warn("client %s: SO_KEEPALIVE", c->cc->name);
	set_keepalive_timing(c);
	/*
	 * sshd sets TCP_NODELAY only for interactive sessions, so without it
	 * Nagle holds sshd's small packets (auth reply, channel open
	 * confirmation, the <hello>) until the NMS's delayed ACK: ~40 ms each.
	 * The option stays on the socket through the exec.
	 */
	if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) == -1)
		log_warn("client %s: TCP_NODELAY", c->cc->name);
	if (send_initiation(c) == -1) {
		attempt_failed(c, now);
		return;
	}
	if (record_endpoints(c) == -1)
		log_warn("client %s: the connection's addresses (a short session will "
		    "count as failed)", c->cc->name);
	if ((c->pid = handoff_spawn(c->fd, c->conf, c->cc, keep_stderr)) == -1) {
		log_warn("client %s: cannot start %s", c->cc->name, c->conf->sshd);
		drop_socket(c);
		round_failed(c, now, "sshd did not start");
		return;
	}
	drop_socket(c);
	c->state = CLIENT_SESSION;
	c->in_round = 0;
	c->deadline = -1;
	c->session_start = now;
	c->reached_netconf = 0;
	log_info("client %s: session started with %s (sshd pid %ld)", c->cc->name, c->peer,
	    (long)c->pid);
	if (c->cc->reconnect == RECONNECT_STICKY && c->cur != c->last_good)
		laststate_save(c->conf->state_dir, c->cc, c->cur);
	c->last_good = c->cur;
}

struct client *
client_new(const struct nchome_conf *conf, const struct conf_client *cc, int64_t now)
{
	struct client *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->conf = conf;
	c->cc = cc;
	c->fd = -1;
	c->pid = -1;
	subproc_init(&c->resolver);
	c->state = CLIENT_WAITING;
	c->deadline = now;
	c->backoff = cc->backoff_initial;
	if (cc->reconnect == RECONNECT_STICKY)
		c->last_good = laststate_load(conf->state_dir, cc);
	return c;
}

pid_t
client_destroy(struct client *c)
{
	pid_t pid = -1;

	if (c == NULL)
		return -1;
	drop_addrinfo(c);
	drop_socket(c);
	if (c->state == CLIENT_SESSION && c->pid > 0) {
		pid = c->pid;
		log_info("client %s: ending the session with %s (sshd pid %ld)",
		    c->cc->name, c->peer, (long)pid);
		kill(pid, SIGTERM);
	}
	free(c);
	return pid;
}

int64_t
client_deadline(const struct client *c)
{
	return c->state == CLIENT_SESSION ? -1 : c->deadline;
}

int
client_poll_fd(const struct client *c, short *events)
{
	if (c->state == CLIENT_RESOLVING) {
		*events = POLLIN;
		return c->resolver.fd;
	}
	*events = POLLOUT;
	return c->state == CLIENT_CONNECTING ? c->fd : -1;
}

void
client_on_timer(struct client *c, int64_t now)
{
	switch (c->state) {
	case CLIENT_WAITING:
		if (c->in_round)
			attempt_begin(c, now);
		else
			round_begin(c, now);
		break;
	case CLIENT_RESOLVING:
		log_warnx("client %s: resolving %s timed out after %u s", c->cc->name,
		    c->cc->addrs[c->cur].host, c->cc->addrs[c->cur].timeout);
		drop_addrinfo(c);
		attempt_failed(c, now);
		break;
	case CLIENT_CONNECTING:
		log_warnx("client %s: connection to %s timed out after %u s", c->cc->name,
		    c->peer, c->cc->addrs[c->cur].timeout);
		drop_socket(c);
		try_next_sockaddr(c, now);
		break;
	case CLIENT_SESSION:
		break;
	}
}

void
client_on_ready(struct client *c, short revents, int64_t now)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (c->state == CLIENT_RESOLVING) {
		if ((revents & (POLLIN | POLLHUP | POLLERR)) &&
		    subproc_on_readable(&c->resolver))
			resolved(c, now);
		return;
	}
	if (c->state != CLIENT_CONNECTING ||
	    !(revents & (POLLOUT | POLLERR | POLLHUP)))
		return;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0) {
		start_session(c, now);
		return;
	}
	if (err == EINPROGRESS || err == EALREADY)
		return;
	log_warnx("client %s: connect to %s failed: %s", c->cc->name, c->peer, strerror(err));
	drop_socket(c);
	try_next_sockaddr(c, now);
}

int
client_on_hello(struct client *c, const struct callhome_endpoints *e, uid_t uid, pid_t pid)
{
	if (c->state != CLIENT_SESSION ||
	    !callhome_endpoints_match(e, (struct sockaddr *)&c->sess_nms,
	    (struct sockaddr *)&c->sess_local))
		return 0;
	if (!c->reached_netconf)
		log_info("client %s: session with %s reached NETCONF (sshd pid %ld; reported by "
		    "uid %ld pid %ld)", c->cc->name, c->peer, (long)c->pid, (long)uid, (long)pid);
	c->reached_netconf = 1;
	return 1;
}

/*
 * How sshd ended, for the log.  sshd -i exits 255 whenever its connection
 * ends, a normal logout included: OpenSSH leaves through cleanup_exit(255)
 * on the peer's disconnect, and its privilege-separation monitor (the
 * process we wait for) when the session child closes the monitor socket.
 * So 255, like 0, is a normal end and reads "connection closed"; why a
 * connection closed (logout, refused login) is in sshd's own log.  Any
 * other status, or a signal, is sshd failing and is logged as such.
 */
static void
describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status) &&
	    (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 255))
		snprintf(buf, len, "connection closed");
	else if (WIFEXITED(status))
		snprintf(buf, len, "sshd exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "sshd killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "sshd status 0x%x", (unsigned)status);
}

int
client_on_exit(struct client *c, pid_t pid, int status, int64_t now)
{
	int64_t ran, next;
	char how[64];

	if (subproc_on_exit(&c->resolver, pid, status))
		return CLIENT_EXIT_MINE;
	if (c->state != CLIENT_SESSION || c->pid != pid)
		return CLIENT_EXIT_NOT_MINE;
	ran = now - c->session_start;
	describe_status(status, how, sizeof(how));
	log_info("client %s: session with %s ended after %lld.%03lld s (%s)",
	    c->cc->name, c->peer, (long long)(ran / 1000), (long long)(ran % 1000), how);
	c->pid = -1;
	c->state = CLIENT_WAITING;
	c->in_round = 0;
	if (ran >= CLIENT_MIN_SESSION_MS || c->reached_netconf) {
		c->backoff = c->cc->backoff_initial;
		next = now;
	} else {
		round_failed(c, now, "the session was too short to count");
		next = c->deadline;
	}
	if (c->cc->connection == CONNECTION_PERIODIC &&
	    c->session_start + (int64_t)c->cc->period * 1000 > next) {
		next = c->session_start + (int64_t)c->cc->period * 1000;
		log_info("client %s: periodic: next call in %lld s", c->cc->name,
		    (long long)((next - now + 999) / 1000));
	}
	c->deadline = next;
	return ran < CLIENT_MIN_SESSION_MS && !c->reached_netconf ? CLIENT_EXIT_AT_ONCE :
	    CLIENT_EXIT_MINE;
}
