/*
 * Non-blocking name resolution for the dialer (see resolver.h).
 *
 * Why a child per lookup: getaddrinfo() can block for the resolver's whole
 * timeout (resolv.conf: several seconds per server and try), and the
 * portable asynchronous alternatives are not (getaddrinfo_a is glibc only).
 * A child (fork and exec) costs some milliseconds of CPU, most of it
 * loading the dialer's libraries (tests/bench/bench_resolver.py), happens
 * only for names (not literals) and only once per connection attempt, and
 * its pipe joins the poll set; the caller kills it when the attempt's
 * timeout runs out.
 *
 * Why the child re-execs the dialer (`nchome-dialer -R`) instead of
 * resolving in the forked copy: a fork holds the dialer's whole heap, and
 * freed memory there still holds what the dialer once read, among it
 * nchome.conf's text with any inline `secret` (libconfuse's parse
 * buffers), which no wipe can reach.  The fresh image holds nothing but
 * the host name; it never reads nchome.conf.  The forked child writes the
 * name on a pipe that becomes the new image's stdin and makes the reply
 * pipe its stdout.
 *
 * The -R process drops root (to RESOLVE_USER) before it parses any DNS
 * reply and writes one message:
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
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "resolver.h"

#define HDR_LEN		12
#define REC_LEN		24
#define MSG_MAX		(HDR_LEN + RESOLVE_MAX_ADDRS * REC_LEN)
/* rcs of the child's own failures (getaddrinfo() rcs are <= 0) */
#define RC_NODROP	1000	/* could not drop root */
#define RC_NOEXEC	1001	/* could not start `nchome-dialer -R` */
#define RC_BADHOST	1002	/* -R: no host name on stdin, or one too long */

extern char **environ;

/*
 * The dialer's own program, found once at start (resolver_exec_init):
 * /proc/self/exe opened (the very file running, even if an upgrade
 * replaces the path meanwhile), or else its absolute path.
 */
static int self_exe_fd = -1;
static char *self_exe_path;

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

/* A reply that carries only an error (rc > 0: one of ours). */
static int
reply_error(int fd, int32_t rc, int32_t syserr)
{
	unsigned char msg[HDR_LEN];

	memset(msg, 0, sizeof(msg));
	put_u32(msg, (uint32_t)rc);
	put_u32(msg + 4, (uint32_t)syserr);
	return write_all(fd, msg, sizeof(msg));
}

int
resolver_exec_init(const char *argv0, char *err, size_t errlen)
{
#ifdef O_PATH
	self_exe_fd = open("/proc/self/exe", O_PATH | O_CLOEXEC);
#else
	self_exe_fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
#endif
	if (self_exe_fd != -1)
		return 0;
	/*
	 * The BSD path: no /proc/self/exe (FreeBSD's procfs is not mounted by
	 * default), so the program is found by argv[0] made absolute now, while
	 * the working folder is the one it was started from (daemon() changes
	 * it).  A bare name would need PATH, which can differ: refused.
	 */
	if (argv0 != NULL && strchr(argv0, '/') != NULL &&
	    (self_exe_path = realpath(argv0, NULL)) != NULL)
		return 0;
	snprintf(err, errlen, "cannot find its own program for name lookups (no /proc/self/exe, "
	    "and argv[0] \"%s\" is not a path): start nchome-dialer by its absolute path",
	    argv0 != NULL ? argv0 : "");
	return -1;
}

/* Fresh image: argv[0] says what runs in ps; -R is the internal lookup mode. */
static void
exec_self_resolver(void)
{
	char *argv[] = { "nchome-dialer", "-R", NULL };

	if (self_exe_fd != -1)
		fexecve(self_exe_fd, argv, environ);
	else if (self_exe_path != NULL)
		execve(self_exe_path, argv, environ);
	else
		errno = ENOENT;
}

/*
 * The forked child: host name on a pipe as stdin, the reply pipe as
 * stdout, nothing else open (but the program's descriptor, close-on-exec),
 * then the fresh image.  A failure before or at exec is reported as
 * RC_NOEXEC: the lookup fails closed, saying why.
 */
static void __attribute__((noreturn))
resolve_child(int wfd, void *arg)
{
	const char *host = arg;
	int hostpipe[2], saved;

	subproc_reset_signals();
	/* The name is at most RESOLVE_HOST_MAX bytes (resolve_start): under PIPE_BUF, no wait. */
	if (pipe(hostpipe) == -1 || write_all(hostpipe[1], host, strlen(host)) == -1 ||
	    close(hostpipe[1]) == -1 || dup2(hostpipe[0], 0) == -1 || dup2(wfd, 1) == -1) {
		saved = errno;
		_exit(reply_error(wfd, RC_NOEXEC, saved) == 0 ? 1 : 2);
	}
	for (int fd = 3; fd < self_exe_fd; fd++)
		close(fd);
	subproc_close_from(self_exe_fd < 3 ? 3 : self_exe_fd + 1);
	exec_self_resolver();
	saved = errno;
	_exit(reply_error(1, RC_NOEXEC, saved) == 0 ? 1 : 2);
}

int
resolve_start(struct subproc *sp, const char *host)
{
	if (strlen(host) > RESOLVE_HOST_MAX || host[0] == '\0') {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* The forked child has its own copy of the memory: host stays valid there. */
	return subproc_start(sp, resolve_child, (void *)(uintptr_t)host);
}

/* -R: the host name from stdin, at most RESOLVE_HOST_MAX bytes, no NUL. */
static int
read_host(char *host, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	for (;;) {
		n = read(0, host + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == cap)
			return -1;	/* more than fits: too long */
	}
	if (n == -1 || len == 0 || memchr(host, '\0', len) != NULL)
		return -1;
	host[len] = '\0';
	return 0;
}

int
resolver_main(void)
{
	char host[RESOLVE_HOST_MAX + 2];
	unsigned char msg[MSG_MAX];
	struct addrinfo hints, *res = NULL, *ai;
	uint32_t count = 0;
	int32_t rc, syserr = 0;

	subproc_close_from(3);		/* nothing but stdin, stdout, stderr */
	memset(msg, 0, sizeof(msg));
	if (read_host(host, sizeof(host) - 1) == -1) {
		rc = RC_BADHOST;
	} else if (drop_root() == -1) {
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
	return write_all(1, msg, HDR_LEN + count * REC_LEN) == 0 ? 0 : 1;
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
	if (rc == RC_NOEXEC) {
		snprintf(err, errlen, "not resolved: cannot run the resolver (nchome-dialer -R): %s",
		    strerror(syserr));
		return -1;
	}
	if (rc == RC_BADHOST) {
		snprintf(err, errlen, "not resolved: the resolver got no valid host name");
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
