/*
 * The framer's heap trim (netconf/framing.c msg_reserve): malloc_trim
 * once per big message, as its buffer first grows past 1 MB, in either
 * framing and however the bytes arrive; never for small messages, not
 * even many in a row or one that keeps the buffer at 1 MB.
 *
 * This program defines malloc_trim itself: the framer's call resolves to
 * it (a definition in the program wins over libc's), which counts calls.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netconf/netconf.h"
#include "unit.h"

#define MB	(1024 * 1024)
#define MAXMSG	(8 * MB)

static int trims;

int
malloc_trim(size_t pad)
{
	(void)pad;
	trims++;
	return 0;
}

#define RPC	"<rpc message-id=\"1\"><get/></rpc>"
#define RPC_LEN	(sizeof(RPC) - 1)

/* An EOM message of len bytes: spaces, an <rpc>, then "]]>]]>". */
static char *
eom_msg(size_t len, size_t *outlen)
{
	char *p = malloc(len + 6);

	if (p == NULL)
		abort();
	memset(p, ' ', len);
	memcpy(p + len - RPC_LEN, RPC, RPC_LEN);
	memcpy(p + len, "]]>]]>", 6);
	*outlen = len + 6;
	return p;
}

/* The same message chunked: chunks of at most chunk bytes. */
static char *
chunked_msg(size_t len, size_t chunk, size_t *outlen)
{
	size_t n, off = 0, at = 0, body_len;
	char *body = eom_msg(len, &body_len);
	char *p = malloc(len + (len / chunk + 1) * 16 + 8);

	if (p == NULL)
		abort();
	while (off < len) {
		n = len - off < chunk ? len - off : chunk;
		at += (size_t)sprintf(p + at, "\n#%zu\n", n);
		memcpy(p + at, body + off, n);
		at += n;
		off += n;
	}
	memcpy(p + at, "\n##\n", 4);
	*outlen = at + 4;
	free(body);
	return p;
}

/*
 * Feeds in pieces of step bytes; returns the number of messages taken
 * that are as long as expected (EOM: the padding skipped, the <rpc>).
 */
static int
feed(struct framer *fr, const char *in, size_t inlen, size_t step, size_t expect)
{
	size_t off = 0;
	int taken = 0;

	while (off < inlen) {
		size_t n = inlen - off < step ? inlen - off : step;
		enum fr_result rc;
		char *m;
		size_t ml;

		framer_push(fr, in + off, n);
		off += n;
		while ((rc = framer_next(fr, &m, &ml)) == FR_MSG) {
			if (ml == expect && memcmp(m + ml - 6, "</rpc>", 6) == 0)
				taken++;
			framer_msg_done(fr);
		}
		if (rc != FR_MORE)
			return -1;
	}
	return taken;
}

/*
 * Messages of the lengths given (0 ends the list), in turn through one
 * framer fed step bytes at a time: the trims they caused.
 */
static int
trims_for(int chunked, size_t step, const size_t *lens)
{
	struct framer *fr = framer_new(-1, -1, MAXMSG);
	int i, taken = 0;

	if (chunked)
		framer_set_chunked(fr);
	trims = 0;
	for (i = 0; lens[i] != 0; i++) {
		size_t inlen;
		char *in = chunked ? chunked_msg(lens[i], 64 * 1024, &inlen) :
		    eom_msg(lens[i], &inlen);

		taken += feed(fr, in, inlen, step, chunked ? lens[i] : RPC_LEN);
		free(in);
	}
	CHECK(taken == i, "%s: the %d messages are taken (%d)",
	    chunked ? "chunked" : "eom", i, taken);
	framer_free(fr);
	return trims;
}

int
main(void)
{
	static const size_t small[] = { 100000, 100000, 100000, 100000, 100000,
	    100000, 100000, 100000, 100000, 100000, 0 };
	static const size_t under[] = { 1000000, 1000000, 1000000, 0 };
	static const size_t big[] = { 3 * MB / 2, 0 };
	static const size_t bigger[] = { 5 * MB, 0 };
	static const size_t bigs[] = { 3 * MB / 2, 3 * MB / 2, 3 * MB / 2, 0 };
	static const size_t mixed[] = { 1000, 3 * MB / 2, 1000, 1000000, 2 * MB, 1000, 0 };
	int n, chunked;

	for (chunked = 0; chunked <= 1; chunked++) {
		const char *how = chunked ? "chunked" : "eom";

		n = trims_for(chunked, 4096, small);
		CHECK(n == 0, "%s: small messages never trim (%d)", how, n);
		n = trims_for(chunked, 65536, under);
		CHECK(n == 0, "%s: messages under 1 MB (a 1 MB buffer, kept) never trim (%d)",
		    how, n);
		n = trims_for(chunked, 65536, big);
		CHECK(n == 1, "%s: a 1.5 MB message trims once (%d)", how, n);
		n = trims_for(chunked, 4 * MB, big);
		CHECK(n == 1, "%s: a 1.5 MB message arriving at once trims once (%d)", how, n);
		n = trims_for(chunked, 4096, bigger);
		CHECK(n == 1, "%s: a 5 MB message (its buffer grown past 2 and 4 MB) trims once (%d)",
		    how, n);
		n = trims_for(chunked, 65536, bigs);
		CHECK(n == 3, "%s: three 1.5 MB messages trim once each (%d)", how, n);
		n = trims_for(chunked, 65536, mixed);
		CHECK(n == 2, "%s: small and big messages mixed: the two big ones trim (%d)", how, n);
	}
	UNIT_DONE();
}
