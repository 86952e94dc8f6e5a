/*
 * Fuzz target: the RFC 6242 framing reader and writer (subsystem/framing.c),
 * both framings, input arriving in arbitrary pieces.
 *
 * Input layout: byte 0 flags (bit 0: start in chunked framing; bit 1:
 * switch to chunked after the first message, as after the hellos), byte 1
 * picks max-message-size (64..16384 bytes, small so the bound is hit),
 * byte 2 the number of split points (0-15) that follow as single bytes
 * (each a piece length 1..256, used in turn); the rest is the stream.
 *
 * Checks beyond "no crash, no leak":
 *  - the same stream pushed whole and pushed in pieces gives the same
 *    sequence of results and messages (the reader keeps no state that
 *    depends on how the bytes arrived);
 *  - every message read back through the writer (in pieces, same framing)
 *    and a fresh reader comes out byte for byte the same;
 *  - no message is longer than max-message-size.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "netconf/netconf.h"

#define FUZZ_FRAMING_MAX_EVENTS	256

struct fuzz_framing_trace {
	int		 n;
	int		 res[FUZZ_FRAMING_MAX_EVENTS];
	size_t		 len[FUZZ_FRAMING_MAX_EVENTS];
	uint64_t	 hash[FUZZ_FRAMING_MAX_EVENTS];
};

static uint64_t
fuzz_framing_hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	return h;
}

static int fuzz_framing_memfd = -1;

/*
 * A writer and a reader per framing, made once per input (a framer holds a
 * 256 KiB output buffer: making them per message would be most of the run
 * time).
 */
struct fuzz_framing_pair {
	struct framer	*w, *r;
};
static struct fuzz_framing_pair fuzz_framing_pairs[2];

static void
fuzz_framing_pairs_free(void)
{
	for (int i = 0; i < 2; i++) {
		framer_free(fuzz_framing_pairs[i].w);
		framer_free(fuzz_framing_pairs[i].r);
		fuzz_framing_pairs[i].w = fuzz_framing_pairs[i].r = NULL;
	}
}

/* Writes msg through a writer in pieces, reads it back, compares. */
static void
fuzz_framing_roundtrip(const char *msg, size_t len, int chunked,
    const uint8_t *splits, size_t nsplits)
{
	struct fuzz_framing_pair *p = &fuzz_framing_pairs[chunked ? 1 : 0];
	char *back, *buf;
	size_t blen, off = 0, k = 0;
	enum fr_result res;
	off_t end;

	if (fuzz_framing_memfd == -1 &&
	    (fuzz_framing_memfd = memfd_create("fuzz_framing", 0)) == -1)
		return;
	if (ftruncate(fuzz_framing_memfd, 0) == -1 || lseek(fuzz_framing_memfd, 0, SEEK_SET) == -1)
		return;
	if (p->w == NULL) {
		p->w = framer_new(-1, fuzz_framing_memfd, 1 << 20);
		p->r = framer_new(-1, -1, 1 << 20);
		if (p->w == NULL || p->r == NULL)
			abort();
		if (chunked) {
			framer_set_chunked(p->w);
			framer_set_chunked(p->r);
		}
	}
	while (off < len) {
		size_t n = nsplits ? (size_t)splits[k++ % nsplits] + 1 : len;

		if (n > len - off)
			n = len - off;
		if (framer_write(p->w, msg + off, n) == -1)
			abort();
		off += n;
	}
	if (framer_end(p->w) == -1)
		abort();
	end = lseek(fuzz_framing_memfd, 0, SEEK_CUR);
	if (end <= 0 || (buf = malloc((size_t)end)) == NULL)
		abort();
	if (pread(fuzz_framing_memfd, buf, (size_t)end, 0) != end)
		abort();
	if (framer_push(p->r, buf, (size_t)end) == -1)
		abort();
	res = framer_next(p->r, &back, &blen);
	if (res != FR_MSG || blen != len || memcmp(back, msg, len) != 0)
		abort();	/* what the writer framed, the reader must give back */
	if (framer_next(p->r, &back, &blen) != FR_MORE)
		abort();	/* and nothing more */
	free(buf);
}

static void
fuzz_framing_run(const uint8_t *stream, size_t size, uint64_t max, int flags,
    const uint8_t *splits, size_t nsplits, struct fuzz_framing_trace *t, int roundtrip)
{
	struct framer *fr = framer_new(-1, -1, max);
	size_t off = 0, k = 0;
	int msgs = 0, done = 0;

	if (fr == NULL)
		abort();
	if (flags & 1)
		framer_set_chunked(fr);
	t->n = 0;
	while (off < size && !done) {
		size_t n = nsplits ? (size_t)splits[k++ % nsplits] + 1 : size;

		if (n > size - off)
			n = size - off;
		if (framer_push(fr, stream + off, n) == -1)
			abort();
		off += n;
		for (;;) {
			char *msg;
			size_t len;
			enum fr_result res = framer_next(fr, &msg, &len);

			if (res == FR_MORE)
				break;
			if (t->n < FUZZ_FRAMING_MAX_EVENTS) {
				t->res[t->n] = (int)res;
				t->len[t->n] = res == FR_MSG ? len : 0;
				t->hash[t->n] = res == FR_MSG ? fuzz_framing_hash(msg, len) : 0;
				t->n++;
			}
			if (res != FR_MSG) {	/* the session would end here */
				if (framer_error(fr) == NULL)
					abort();
				done = 1;
				break;
			}
			if (len > max)
				abort();
			(void)framer_partial(fr);
			if (roundtrip)
				fuzz_framing_roundtrip(msg, len, framer_is_chunked(fr), splits, nsplits);
			if (++msgs == 1 && (flags & 2) && !framer_is_chunked(fr))
				framer_set_chunked(fr);
		}
	}
	(void)framer_partial(fr);
	framer_free(fr);
}

static int
fuzz_framing_one(const uint8_t *data, size_t size)
{
	static struct fuzz_framing_trace whole, pieces;
	const uint8_t *splits;
	size_t nsplits;
	uint64_t max;
	int flags;

	if (size < 3)
		return 0;
	flags = data[0];
	max = 64 + (uint64_t)data[1] * 64;
	nsplits = data[2] & 15;
	if (size < 3 + nsplits)
		return 0;
	splits = data + 3;
	data += 3 + nsplits;
	size -= 3 + nsplits;

	fuzz_framing_run(data, size, max, flags, NULL, 0, &whole, 0);
	fuzz_framing_run(data, size, max, flags, splits, nsplits, &pieces, 1);
	if (whole.n != pieces.n)
		abort();
	for (int i = 0; i < whole.n; i++)
		if (whole.res[i] != pieces.res[i] || whole.len[i] != pieces.len[i] ||
		    whole.hash[i] != pieces.hash[i])
			abort();	/* the result depends on how bytes arrived */
	fuzz_framing_pairs_free();
	return 0;
}

FUZZ_TARGET(fuzz_framing_one)
