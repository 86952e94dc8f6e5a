/*
 * RFC 6242 framing: both framings, arbitrary splits of the input, the
 * bounds (chunk-size limits, max-message-size), garbage, several
 * messages in one buffer; and the writer's output format.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netconf/netconf.h"
#include "unit.h"

#define MAXMSG 1000

struct result {
	char	 msgs[16][2048];
	size_t	 lens[16];
	int	 n;
	enum fr_result last;
};

/* Feeds input in pieces of the given sizes (0: random 1..17) until done. */
static void
feed(struct framer *fr, const char *in, size_t len, size_t step, struct result *res)
{
	size_t off = 0;

	memset(res, 0, sizeof(*res));
	res->last = FR_MORE;
	while (off < len) {
		size_t n = step ? step : (size_t)(rand() % 17) + 1;
		char *m;
		size_t ml;
		enum fr_result rc;

		if (n > len - off)
			n = len - off;
		framer_push(fr, in + off, n);
		off += n;
		while ((rc = framer_next(fr, &m, &ml)) == FR_MSG) {
			if (res->n < 16 && ml < sizeof(res->msgs[0])) {
				memcpy(res->msgs[res->n], m, ml);
				res->lens[res->n] = ml;
			}
			res->n++;
		}
		res->last = rc;
		if (rc != FR_MORE)
			return;
	}
}

static void
run(const char *desc, int chunked, const char *in, size_t len, size_t step,
    struct result *res)
{
	struct framer *fr = framer_new(-1, -1, MAXMSG);

	(void)desc;
	if (chunked)
		framer_set_chunked(fr);
	feed(fr, in, len, step, res);
	framer_free(fr);
}

static int
msg_is(const struct result *res, int i, const char *want)
{
	return i < res->n && res->lens[i] == strlen(want) &&
	    memcmp(res->msgs[i], want, res->lens[i]) == 0;
}

static void
test_eom(void)
{
	const char *in = "<a/>]]>]]>\n  <b>x</b>]]>]]>\n\n<c/>]]>]]>  \n";
	struct result res;
	size_t steps[] = { 1, 2, 5, 6, 7, 1000, 0, 0, 0 };

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		run("eom", 0, in, strlen(in), steps[i], &res);
		CHECK(res.n == 3 && msg_is(&res, 0, "<a/>") && msg_is(&res, 1, "<b>x</b>") &&
		    msg_is(&res, 2, "<c/>") && res.last == FR_MORE,
		    "EOM: three messages with whitespace, step %zu", steps[i]);
	}
	/* a "]]>" that is not the delimiter stays in the message */
	run("eom", 0, "<a>]]]>]]</a>]]>]]>", 19, 1, &res);
	CHECK(res.n == 1 && msg_is(&res, 0, "<a>]]]>]]</a>"), "EOM: partial delimiters kept");
	/* whitespace only: no message */
	run("eom", 0, "  \n]]>]]>", 9, 3, &res);
	CHECK(res.n == 0 && res.last == FR_MORE, "EOM: whitespace-only message ignored");
}

static void
test_eom_bounds(void)
{
	char *big = malloc(MAXMSG + 100);
	struct result res;

	memset(big, 'x', MAXMSG);
	memcpy(big + MAXMSG, "]]>]]>", 6);
	run("eom", 0, big, MAXMSG + 6, 0, &res);
	CHECK(res.n == 1 && res.lens[0] == MAXMSG, "EOM: message of exactly max-message-size");
	memset(big, 'x', MAXMSG + 1);
	memcpy(big + MAXMSG + 1, "]]>]]>", 6);
	run("eom", 0, big, MAXMSG + 7, 0, &res);
	CHECK(res.n == 0 && res.last == FR_TOO_BIG, "EOM: max-message-size + 1 refused");
	memset(big, 'x', MAXMSG + 100);
	run("eom", 0, big, MAXMSG + 100, 100, &res);
	CHECK(res.last == FR_TOO_BIG, "EOM: endless message refused at the bound");
	free(big);
}

static void
test_chunked(void)
{
	const char *in = "\n#4\n<a/>\n##\n"
	    "\n#3\n<b>\n#1\nx\n#4\n</b>\n##\n"
	    "  \r\n\n\n#4\n<c/>\n##\n";
	struct result res;
	size_t steps[] = { 1, 2, 3, 4, 5, 1000, 0, 0, 0, 0 };

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		run("chunked", 1, in, strlen(in), steps[i], &res);
		CHECK(res.n == 3 && msg_is(&res, 0, "<a/>") && msg_is(&res, 1, "<b>x</b>") &&
		    msg_is(&res, 2, "<c/>") && res.last == FR_MORE,
		    "chunked: three messages, multi-chunk, whitespace, step %zu", steps[i]);
	}
	run("chunked", 1, "\n#10\n0123456789\n##\n", 19, 1, &res);
	CHECK(res.n == 1 && msg_is(&res, 0, "0123456789"), "chunked: two-digit size");
}

static void
test_chunked_bad(void)
{
	static const struct {
		const char	*in;
		enum fr_result	 want;
		const char	*desc;
	} cases[] = {
		{ "\n#0\n", FR_BAD, "#0" },
		{ "\n#01\nx\n##\n", FR_BAD, "leading zero" },
		{ "\n#4294967296\n", FR_BAD, "4294967296" },
		{ "\n#99999999999\n", FR_BAD, "11 digits" },
		{ "\n#4294967295\n", FR_TOO_BIG, "4294967295 above max-message-size" },
		{ "\n#1001\n", FR_TOO_BIG, "max-message-size + 1" },
		{ "\n##\n", FR_BAD, "end-of-chunks without chunk" },
		{ "garbage", FR_BAD, "garbage" },
		{ "#4\n<a/>\n##\n", FR_BAD, "no LF before #" },
		{ "\n#4\n<a/>X", FR_BAD, "no LF after data" },
		{ "\n#4\n<a/>\nX", FR_BAD, "no # after LF" },
		{ "\n#4\n<a/>\n##X", FR_BAD, "no LF after ##" },
		{ "\n#-1\n", FR_BAD, "negative size" },
		{ "\n# 4\n", FR_BAD, "space in header" },
		{ "\n#4 \n", FR_BAD, "space after size" },
		{ "\n#4\r\n", FR_BAD, "CR in header" },
		{ "]]>]]>", FR_BAD, "EOM delimiter in chunked mode" },
	};
	struct result res;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run("bad", 1, cases[i].in, strlen(cases[i].in), 1, &res);
		CHECK(res.n == 0 && res.last == cases[i].want, "chunked bad input: %s", cases[i].desc);
		run("bad", 1, cases[i].in, strlen(cases[i].in), 100, &res);
		CHECK(res.n == 0 && res.last == cases[i].want, "chunked bad input in one piece: %s",
		    cases[i].desc);
	}
	/* chunks adding up over max-message-size */
	{
		char in[3000];
		int n = 0;

		for (int k = 0; k < 3; k++) {
			n += sprintf(in + n, "\n#400\n");
			memset(in + n, 'y', 400);
			n += 400;
		}
		run("sum", 1, in, (size_t)n, 0, &res);
		CHECK(res.n == 0 && res.last == FR_TOO_BIG, "chunked: chunks summing over the bound");
	}
	/* a truncated message is partial, not a message */
	{
		struct framer *fr = framer_new(-1, -1, MAXMSG);

		framer_set_chunked(fr);
		feed(fr, "\n#10\nabc", 8, 1, &res);
		CHECK(res.n == 0 && res.last == FR_MORE && framer_partial(fr),
		    "chunked: truncated chunk is pending, not delivered");
		framer_free(fr);
	}
}

/* The switch from EOM to chunked right after a message in the same buffer. */
static void
test_switch(void)
{
	const char *in = "<hello/>]]>]]>\n#5\n<rpc>\n#6\n</rpc>\n##\n";
	struct framer *fr = framer_new(-1, -1, MAXMSG);
	char *m;
	size_t ml;
	enum fr_result rc;

	framer_push(fr, in, strlen(in));
	rc = framer_next(fr, &m, &ml);
	CHECK(rc == FR_MSG && ml == 8 && memcmp(m, "<hello/>", 8) == 0, "switch: hello in EOM");
	framer_set_chunked(fr);
	rc = framer_next(fr, &m, &ml);
	CHECK(rc == FR_MSG && ml == 11 && memcmp(m, "<rpc></rpc>", 11) == 0,
	    "switch: next message in the same buffer parsed chunked");
	CHECK(framer_next(fr, &m, &ml) == FR_MORE && !framer_partial(fr), "switch: nothing left");
	framer_free(fr);
}

static void
test_many_in_one(void)
{
	char *in = malloc(200 * 20), *m;
	struct framer *fr = framer_new(-1, -1, MAXMSG);
	size_t n = 0, ml;
	int got = 0, ok = 1;

	framer_set_chunked(fr);
	for (int i = 0; i < 200; i++)
		n += (size_t)sprintf(in + n, "\n#%d\n<m%03d/>\n##\n", 7, i);
	framer_push(fr, in, n);
	while (framer_next(fr, &m, &ml) == FR_MSG) {
		char want[24];

		snprintf(want, sizeof(want), "<m%03d/>", got);
		if (ml != 7 || memcmp(m, want, 7) != 0)
			ok = 0;
		got++;
	}
	CHECK(got == 200 && ok, "200 chunked messages in one buffer (%d)", got);
	framer_free(fr);
	free(in);
}

/* Reads everything from fd into buf. */
static size_t
slurp(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while (n < cap && (r = read(fd, buf + n, cap - n)) > 0)
		n += (size_t)r;
	return n;
}

static void
test_writer(void)
{
	int p[2];
	char out[1 << 20];
	struct framer *fr;
	size_t n;
	char *big;

	if (pipe(p) == -1)
		return;
	fr = framer_new(-1, p[1], MAXMSG);
	framer_write(fr, "<a>", 3);
	framer_write(fr, "</a>", 4);
	framer_end(fr);
	framer_set_chunked(fr);
	framer_send(fr, "<b/>", 4);
	framer_free(fr);
	close(p[1]);
	n = slurp(p[0], out, sizeof(out));
	close(p[0]);
	CHECK(n == strlen("<a></a>]]>]]>\n#4\n<b/>\n##\n") &&
	    memcmp(out, "<a></a>]]>]]>\n#4\n<b/>\n##\n", n) == 0,
	    "writer: EOM then chunked output");

	/* A large reply: several chunks that reassemble to the input. */
	big = malloc(600000);
	for (int i = 0; i < 600000; i++)
		big[i] = (char)('a' + i % 26);
	if (pipe(p) == -1)
		return;
	if (fork() == 0) {
		close(p[0]);
		fr = framer_new(-1, p[1], MAXMSG);
		framer_set_chunked(fr);
		for (int off = 0; off < 600000; off += 1000)
			framer_write(fr, big + off, 1000);
		framer_end(fr);
		framer_free(fr);
		free(big);	/* valgrind checks the child's leaks too */
		_exit(0);
	}
	close(p[1]);
	{
		char *all = malloc(700000);
		size_t total = slurp(p[0], all, 700000);
		struct framer *rd = framer_new(-1, -1, 1000000);
		char *m;
		size_t ml;

		framer_set_chunked(rd);
		framer_push(rd, all, total);
		CHECK(framer_next(rd, &m, &ml) == FR_MSG && ml == 600000 &&
		    memcmp(m, big, ml) == 0, "writer: 600000 bytes in chunks reassemble");
		CHECK(total < 600000 + 100, "writer: few chunk headers (%zu bytes total)", total);
		framer_free(rd);
		free(all);
	}
	close(p[0]);
	free(big);
}

/* Pushing nothing into a fresh framer (fuzz_rpc finding: memcpy on NULL). */
static void
test_empty_push(void)
{
	struct framer *fr = framer_new(-1, -1, MAXMSG);
	char *m;
	size_t ml;

	CHECK(framer_push(fr, "", 0) == 0 && framer_next(fr, &m, &ml) == FR_MORE &&
	    !framer_partial(fr), "empty push into a fresh framer");
	framer_free(fr);
}

int
main(void)
{
	srand(42);
	test_empty_push();
	test_eom();
	test_eom_bounds();
	test_chunked();
	test_chunked_bad();
	test_switch();
	test_many_in_one();
	test_writer();
	UNIT_DONE();
}
