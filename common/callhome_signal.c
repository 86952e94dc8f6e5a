/*
 * The "session reached NETCONF" datagram (see callhome_signal.h): built and
 * sent by nchome-netconf, parsed and matched by nchome-dialer.  Both
 * directions live here so the format has one definition.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "callhome_signal.h"
#include "log.h"

#define SEND_TIMEOUT_MS	100	/* a dialer busy with a full queue: give up */
#define ADDR_MAX	(INET6_ADDRSTRLEN + 64)	/* with a %scope */

/* A numeric address (a %scope is dropped) into ss; 0 or -1. */
static int
parse_addr(const char *s, size_t n, struct sockaddr_storage *ss)
{
	char a[ADDR_MAX], *scope;

	if (n == 0 || n >= sizeof(a))
		return -1;
	memcpy(a, s, n);
	a[n] = '\0';
	if ((scope = strchr(a, '%')) != NULL)
		*scope = '\0';
	memset(ss, 0, sizeof(*ss));
	if (strchr(a, ':') != NULL) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		return inet_pton(AF_INET6, a, &sin6->sin6_addr) == 1 ? 0 : -1;
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		return inet_pton(AF_INET, a, &sin->sin_addr) == 1 ? 0 : -1;
	}
}

/* 1-65535, decimal digits only; into ss's port field. */
static int
parse_port(const char *s, size_t n, struct sockaddr_storage *ss)
{
	unsigned long v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)v);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)v);
	return 0;
}

/* Splits s (len bytes) at single spaces into exactly 4 fields. */
static int
split4(const char *s, size_t len, const char *f[4], size_t flen[4])
{
	size_t i = 0, k = 0, start = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != ' ')
			continue;
		if (k == 4 || i == start)
			return -1;	/* a fifth field, or an empty one */
		f[k] = s + start;
		flen[k++] = i - start;
		start = i + 1;
	}
	return k == 4 ? 0 : -1;
}

static int
parse_fields(const char *s, size_t len, struct callhome_endpoints *out)
{
	const char *f[4];
	size_t flen[4];

	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return -1;
	if (split4(s, len, f, flen) == -1 ||
	    parse_addr(f[0], flen[0], &out->nms) == -1 ||
	    parse_port(f[1], flen[1], &out->nms) == -1 ||
	    parse_addr(f[2], flen[2], &out->local) == -1 ||
	    parse_port(f[3], flen[3], &out->local) == -1)
		return -1;
	return 0;
}

int
callhome_signal_parse(const char *buf, size_t len, struct callhome_endpoints *out)
{
	size_t plen = sizeof(CALLHOME_SIGNAL_PREFIX) - 1;

	if (len > CALLHOME_SIGNAL_MAX || len <= plen ||
	    memcmp(buf, CALLHOME_SIGNAL_PREFIX, plen) != 0)
		return -1;
	return parse_fields(buf + plen, len - plen, out);
}

int
callhome_signal_format(const char *ssh_connection, char *buf, size_t bufsize)
{
	struct callhome_endpoints e;
	size_t plen = sizeof(CALLHOME_SIGNAL_PREFIX) - 1;
	size_t n = strlen(ssh_connection);

	/* Only what the dialer will accept: check it the way it will. */
	if (bufsize < CALLHOME_SIGNAL_MAX || plen + n > CALLHOME_SIGNAL_MAX ||
	    parse_fields(ssh_connection, n, &e) == -1)
		return -1;
	memcpy(buf, CALLHOME_SIGNAL_PREFIX, plen);
	memcpy(buf + plen, ssh_connection, n);
	return (int)(plen + n);
}

void
callhome_signal_hello(const struct nchome_conf *conf)
{
	struct timeval tv = { 0, SEND_TIMEOUT_MS * 1000 };
	const char *sc = getenv("SSH_CONNECTION");
	char msg[CALLHOME_SIGNAL_MAX];
	struct sockaddr_un sun;
	int fd, len;

	if (sc == NULL || conf->dialer_socket == NULL || conf->dialer_socket[0] == '\0')
		return;
	if (strlen(conf->dialer_socket) >= sizeof(sun.sun_path) ||
	    (len = callhome_signal_format(sc, msg, sizeof(msg))) == -1) {
		log_debug("no call-home signal: SSH_CONNECTION or dialer-socket unusable");
		return;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, conf->dialer_socket, strlen(conf->dialer_socket) + 1);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_debug("no call-home signal: socket: %s", strerror(errno));
		return;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* ENOENT/ECONNREFUSED: no dialer, or this session came in, not home. */
	if (sendto(fd, msg, (size_t)len, 0, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		log_debug("no call-home signal to %s: %s", conf->dialer_socket, strerror(errno));
	close(fd);
}

/* ss as 16 address bytes (IPv4 as IPv4-mapped IPv6) and a port. */
static int
normalize(const struct sockaddr *sa, unsigned char addr[16], in_port_t *port)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		memset(addr, 0, 10);
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, &sin->sin_addr, 4);
		*port = sin->sin_port;
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		memcpy(addr, &sin6->sin6_addr, 16);
		*port = sin6->sin6_port;
		return 0;
	}
	return -1;
}

static int
same_endpoint(const struct sockaddr *a, const struct sockaddr *b)
{
	unsigned char aa[16], ba[16];
	in_port_t ap, bp;

	return normalize(a, aa, &ap) == 0 && normalize(b, ba, &bp) == 0 &&
	    ap == bp && memcmp(aa, ba, 16) == 0;
}

int
callhome_endpoints_match(const struct callhome_endpoints *e,
    const struct sockaddr *nms, const struct sockaddr *local)
{
	return same_endpoint((const struct sockaddr *)&e->nms, nms) &&
	    same_endpoint((const struct sockaddr *)&e->local, local);
}
