/*
 * Non-blocking name resolution for the dialer (see resolver.h).
 *
 * Why a child per lookup: getaddrinfo() can block for the resolver's whole
 * timeout (resolv.conf: several seconds per server and try), and the
 * portable asynchronous alternatives are not (getaddrinfo_a is glibc only).
 * A forked child costs a few milliseconds, happens only for names (not
 * literals) and only once per connection attempt, and its pipe joins the
 * poll set; the caller kills it when the attempt's timeout runs out.
 *
 * The child drops root (to RESOLVE_USER) before it parses any DNS reply,
 * closes every descriptor but its pipe, and writes one message:
 *
 *	int32 gai_rc, int32 errno, uint32 count,
 *	count * { uint8 family, uint8 pad[3], uint32 scope_id, uint8 addr[16] }
 *
 * in host byte order (same machine), at most RESOLVE_MAX_ADDRS records,
 * under PIPE_BUF so it is written at once.  The parent accepts exactly
 * that: a message of any other length, a count over the limit or an
 * unknown family is refused as malformed.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "resolver.h"

#define HDR_LEN		12
#define REC_LEN		24
#define MSG_MAX		(HDR_LEN + RESOLVE_MAX_ADDRS * REC_LEN)
/* The child's rc when it could not drop root (getaddrinfo() rcs are <= 0). */
#define RC_NODROP	1000

_Static_assert(MSG_MAX <= SUBPROC_OUT_MAX, "a resolver reply fits the subproc buffer");
_Static_assert(MSG_MAX <= 512, "a resolver reply is written atomically (PIPE_BUF)");

static void
put_u32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint32_t
get_u32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void
set_port(struct resolved_addr *ra, unsigned port)
{
	if (ra->u.sa.sa_family == AF_INET)
		ra->u.sin.sin_port = htons((uint16_t)port);
	else
		ra->u.sin6.sin6_port = htons((uint16_t)port);
}

int
resolve_numeric(const char *host, unsigned port, struct resolved_addr *out, size_t max,
    size_t *n, char *err, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	int rc;

	*n = 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = AI_NUMERICHOST;
	if ((rc = getaddrinfo(host, NULL, &hints, &res)) == EAI_NONAME)
		return 0;
	if (rc != 0) {
		snprintf(err, errlen, "%s", rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && *n < max; ai = ai->ai_next) {
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof(out[*n].u))
			continue;
		memset(&out[*n], 0, sizeof(out[*n]));
		memcpy(&out[*n].u, ai->ai_addr, ai->ai_addrlen);
		out[*n].len = ai->ai_addrlen;
		set_port(&out[*n], port);
		(*n)++;
	}
	freeaddrinfo(res);
	if (*n == 0) {
		snprintf(err, errlen, "no IPv4 or IPv6 address");
		return -1;
	}
	return 1;
}

/*
 * Root is not needed to resolve; DNS replies are untrusted input.  Fails
 * closed: with no RESOLVE_USER, a root user for it, or a drop that did not
 * stick, the child does not resolve at all (the attempt fails, logged).
 */
static int
drop_root(void)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	errno = 0;
	if ((pw = getpwnam(RESOLVE_USER)) == NULL) {
		if (errno == 0)
			errno = ENOENT;
		return -1;
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0) {
		errno = EPERM;
		return -1;
	}
	if (setgroups(0, NULL) == -1 || setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1)
		return -1;
	if (setuid(0) != -1 || geteuid() != pw->pw_uid || getegid() != pw->pw_gid) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

static void __attribute__((noreturn))
resolve_child(int wfd, void *arg)
{
	const char *host = arg;
	unsigned char msg[MSG_MAX];
	struct addrinfo hints, *res = NULL, *ai;
	uint32_t count = 0;
	int32_t rc, syserr = 0;

	subproc_reset_signals();
	for (int fd = 3; fd < wfd; fd++)
		close(fd);
	subproc_close_from(wfd + 1);
	memset(msg, 0, sizeof(msg));
	if (drop_root() == -1) {
		rc = RC_NODROP;
		syserr = errno;
	} else {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_protocol = IPPROTO_TCP;
		rc = getaddrinfo(host, NULL, &hints, &res);
		if (rc == EAI_SYSTEM)
			syserr = errno;
	}
	for (ai = rc == 0 ? res : NULL; ai != NULL && count < RESOLVE_MAX_ADDRS; ai = ai->ai_next) {
		unsigned char *r = msg + HDR_LEN + count * REC_LEN;

		if (ai->ai_family == AF_INET && ai->ai_addrlen >= sizeof(struct sockaddr_in)) {
			r[0] = AF_INET;
			memcpy(r + 8, &((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr, 4);
		} else if (ai->ai_family == AF_INET6 &&
		    ai->ai_addrlen >= sizeof(struct sockaddr_in6)) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)ai->ai_addr;

			r[0] = AF_INET6;
			put_u32(r + 4, s6->sin6_scope_id);
			memcpy(r + 8, &s6->sin6_addr, 16);
		} else
			continue;
		count++;
	}
	if (res != NULL)
		freeaddrinfo(res);	/* no leak for valgrind to report in this child */
	put_u32(msg, (uint32_t)rc);
	put_u32(msg + 4, (uint32_t)syserr);
	put_u32(msg + 8, count);
	_exit(write_all(wfd, msg, HDR_LEN + count * REC_LEN) == 0 ? 0 : 1);
}

int
resolve_start(struct subproc *sp, const char *host)
{
	/* The child has its own copy of the memory: host stays valid there. */
	return subproc_start(sp, resolve_child, (void *)(uintptr_t)host);
}

int
resolve_result(const struct subproc *sp, unsigned port, struct resolved_addr *out,
    size_t max, size_t *n, char *err, size_t errlen)
{
	int32_t rc, syserr;
	uint32_t count;

	*n = 0;
	if (sp->truncated || sp->len < HDR_LEN) {
		snprintf(err, errlen, "the resolver ended without an answer");
		return -1;
	}
	rc = (int32_t)get_u32(sp->out);
	syserr = (int32_t)get_u32(sp->out + 4);
	count = get_u32(sp->out + 8);
	if (count > RESOLVE_MAX_ADDRS || sp->len != HDR_LEN + (size_t)count * REC_LEN) {
		snprintf(err, errlen, "malformed resolver reply (%zu bytes)", sp->len);
		return -1;
	}
	if (rc == RC_NODROP) {
		snprintf(err, errlen, "not resolved: the resolver cannot drop root to user "
		    RESOLVE_USER " (%s)", strerror(syserr));
		return -1;
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s", rc == EAI_SYSTEM ? strerror(syserr) : gai_strerror(rc));
		return -1;
	}
	for (uint32_t i = 0; i < count && *n < max; i++) {
		const char *r = sp->out + HDR_LEN + i * REC_LEN;
		struct resolved_addr *ra = &out[*n];

		memset(ra, 0, sizeof(*ra));
		if (r[0] == AF_INET) {
			ra->u.sin.sin_family = AF_INET;
			memcpy(&ra->u.sin.sin_addr, r + 8, 4);
			ra->len = sizeof(ra->u.sin);
		} else if (r[0] == AF_INET6) {
			ra->u.sin6.sin6_family = AF_INET6;
			ra->u.sin6.sin6_scope_id = get_u32(r + 4);
			memcpy(&ra->u.sin6.sin6_addr, r + 8, 16);
			ra->len = sizeof(ra->u.sin6);
		} else {
			snprintf(err, errlen, "malformed resolver reply (family %d)", r[0]);
			*n = 0;
			return -1;
		}
#ifdef SIN6_LEN
		ra->u.sa.sa_len = (uint8_t)ra->len;	/* the BSDs' sockaddr length */
#endif
		set_port(ra, port);
		(*n)++;
	}
	if (*n == 0) {
		snprintf(err, errlen, "no address found");
		return -1;
	}
	return 0;
}
