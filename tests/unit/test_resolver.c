/*
 * Unit tests of the dialer's lookup child and its reply check
 * (dialer/resolver.c, dialer/subproc.c): literals skip the child, a real
 * lookup of localhost comes back through the pipe, and replies of the
 * wrong length, count or family are refused rather than used.
 *
 * The lookup child re-execs its own program with -R, as the dialer's does:
 * this program answers -R like nchome-dialer (resolver_main).
 */
#include <sys/types.h>
#include <sys/wait.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolver.h"
#include "subproc.h"
#include "unit.h"

/* Waits (bounded) until sp's output has ended and the child is reaped. */
static int
finish(struct subproc *sp)
{
	for (int i = 0; i < 200 && sp->fd != -1; i++) {
		struct pollfd pfd = { sp->fd, POLLIN, 0 };

		if (poll(&pfd, 1, 50) > 0)
			subproc_on_readable(sp);
	}
	if (sp->fd != -1)
		return -1;
	if (sp->pid != -1) {
		int status;

		if (waitpid(sp->pid, &status, 0) == sp->pid)
			subproc_on_exit(sp, sp->pid, status);
	}
	return subproc_finished(sp) ? 0 : -1;
}

static void
chatty_child(int wfd, void *arg)
{
	char buf[4096];

	(void)arg;
	memset(buf, 'x', sizeof(buf));
	(void)!write(wfd, buf, sizeof(buf));
	_exit(3);
}

static void
silent_child(int wfd, void *arg)
{
	(void)wfd;
	(void)arg;
	pause();
	_exit(0);
}

/* A reply message as the child would write it. */
static size_t
make_reply(char *out, int32_t rc, uint32_t count, const unsigned char *families)
{
	uint32_t zero = 0;

	memcpy(out, &rc, 4);
	memcpy(out + 4, &zero, 4);
	memcpy(out + 8, &count, 4);
	for (uint32_t i = 0; i < count; i++) {
		char *r = out + 12 + i * 24;

		memset(r, 0, 24);
		r[0] = (char)families[i];
		if (families[i] == AF_INET) {
			r[8] = 192; r[9] = 0; r[10] = 2; r[11] = (char)(10 + i);
		} else
			r[8 + 15] = 1;
	}
	return 12 + count * 24;
}

int
main(int argc, char *argv[])
{
	struct resolved_addr ra[RESOLVE_MAX_ADDRS];
	struct subproc sp;
	char err[256], text[INET6_ADDRSTRLEN], longname[RESOLVE_HOST_MAX + 2];
	size_t n;
	int rc;

	if (argc == 2 && strcmp(argv[1], "-R") == 0)
		_exit(resolver_main());

	/* Literals: no child. */
	rc = resolve_numeric("192.0.2.7", 4334, ra, RESOLVE_MAX_ADDRS, &n, err, sizeof(err));
	CHECK(rc == 1 && n == 1 && ra[0].u.sa.sa_family == AF_INET &&
	    ntohs(ra[0].u.sin.sin_port) == 4334, "an IPv4 literal is used as it is, with the port");
	rc = resolve_numeric("2001:db8::10", 7804, ra, RESOLVE_MAX_ADDRS, &n, err, sizeof(err));
	CHECK(rc == 1 && n == 1 && ra[0].u.sa.sa_family == AF_INET6 &&
	    ntohs(ra[0].u.sin6.sin6_port) == 7804, "an IPv6 literal is used as it is, with the port");
	rc = resolve_numeric("nms.example.net", 4334, ra, RESOLVE_MAX_ADDRS, &n, err, sizeof(err));
	CHECK(rc == 0, "a name is not a literal: it goes to the lookup child");

	/* Before resolver_exec_init the child has no program to run: fails closed. */
	CHECK(resolve_start(&sp, "localhost") == 0 && finish(&sp) == 0,
	    "a lookup child without its program starts and ends");
	rc = resolve_result(&sp, 830, ra, RESOLVE_MAX_ADDRS, &n, err, sizeof(err));
	CHECK(rc == -1 && n == 0 && strstr(err, "cannot run the resolver (nchome-dialer -R)"),
	    "its lookup fails, saying why: %s", err);
	err[0] = '\0';
	CHECK(resolver_exec_init(argv[0], err, sizeof(err)) == 0, "its program is found %s", err);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK(resolve_start(&sp, longname) == -1 && errno == ENAMETOOLONG,
	    "a name over %d bytes is not looked up", RESOLVE_HOST_MAX);

	/* A real lookup through the child. */
	CHECK(resolve_start(&sp, "localhost") == 0 && sp.fd != -1 && sp.pid > 0,
	    "the lookup child starts, its pipe open");
	CHECK(finish(&sp) == 0, "the lookup child answers and is reaped");
	rc = resolve_result(&sp, 830, ra, RESOLVE_MAX_ADDRS, &n, err, sizeof(err));
	text[0] = '\0';
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (ra[i].u.sa.sa_family == AF_INET)
			inet_ntop(AF_INET, &ra[i].u.sin.sin_addr, text, sizeof(text));
	CHECK(rc == 0 && n >= 1 && strcmp(text, "127.0.0.1") == 0 &&
	    ntohs(ra[0].u.sin.sin_port) == 830, "localhost resolves to 127.0.0.1 (got %s, %s)",
	    text, rc == 0 ? "ok" : err);

	/* Replies checked before use. */
	{
		unsigned char fams[RESOLVE_MAX_ADDRS + 1];

		memset(fams, AF_INET, sizeof(fams));
		fams[1] = AF_INET6;
		subproc_init(&sp);
		sp.len = make_reply(sp.out, 0, 2, fams);
		rc = resolve_result(&sp, 22, ra, RESOLVE_MAX_ADDRS, &n, err, sizeof(err));
		CHECK(rc == 0 && n == 2 && ra[0].u.sa.sa_family == AF_INET &&
		    ra[1].u.sa.sa_family == AF_INET6 && ra[1].len == sizeof(struct sockaddr_in6),
		    "a well-formed reply with an IPv4 and an IPv6 address is taken");

		sp.len -= 1;
		CHECK(resolve_result(&sp, 22, ra, RESOLVE_MAX_ADDRS, &n, err, sizeof(err)) == -1 &&
		    strstr(err, "malformed") != NULL, "a reply one byte short is refused: %s", err);

		subproc_init(&sp);
		make_reply(sp.out, 0, 2, fams);
		sp.len = 12 + 3 * 24;	/* says 2, carries 3 */
		CHECK(resolve_result(&sp, 22, ra, RESOLVE_MAX_ADDRS, &n, err, sizeof(err)) == -1,
		    "a reply longer than its count is refused");

		subproc_init(&sp);
		{
			uint32_t big = RESOLVE_MAX_ADDRS + 1;

			make_reply(sp.out, 0, 0, fams);
			memcpy(sp.out + 8, &big, 4);
			sp.len = 12;
		}
		CHECK(resolve_result(&sp, 22, ra, RESOLVE_MAX_ADDRS, &n, err, sizeof(err)) == -1,
		    "a count over the limit is refused");

		subproc_init(&sp);
		fams[0] = 99;
		sp.len = make_reply(sp.out, 0, 1, fams);
		CHECK(resolve_result(&sp, 22, ra, RESOLVE_MAX_ADDRS, &n, err, sizeof(err)) == -1 &&
		    n == 0, "an unknown address family is refused");

		subproc_init(&sp);
		sp.len = make_reply(sp.out, EAI_NONAME, 0, fams);
		CHECK(resolve_result(&sp, 22, ra, RESOLVE_MAX_ADDRS, &n, err, sizeof(err)) == -1 &&
		    strcmp(err, gai_strerror(EAI_NONAME)) == 0, "the resolver's error is passed on: %s", err);

		subproc_init(&sp);
		sp.len = 5;
		CHECK(resolve_result(&sp, 22, ra, RESOLVE_MAX_ADDRS, &n, err, sizeof(err)) == -1,
		    "a reply cut short (child died) is refused");
	}

	/* subproc: output is bounded; a silent child is killed and reaped. */
	CHECK(subproc_start(&sp, chatty_child, NULL) == 0 && finish(&sp) == 0,
	    "a child writing 4 KiB ends and is reaped");
	CHECK(sp.len == SUBPROC_OUT_MAX && sp.truncated && WIFEXITED(sp.status) &&
	    WEXITSTATUS(sp.status) == 3, "its output is cut at %d bytes and flagged; status kept",
	    SUBPROC_OUT_MAX);
	CHECK(subproc_start(&sp, silent_child, NULL) == 0 && subproc_busy(&sp),
	    "a child that never answers is running");
	{
		pid_t pid = sp.pid;

		subproc_cancel(&sp);
		CHECK(!subproc_busy(&sp) && WIFSIGNALED(sp.status) && kill(pid, 0) == -1 &&
		    errno == ESRCH, "cancel kills and reaps it (no zombie)");
	}
	UNIT_DONE();
}
