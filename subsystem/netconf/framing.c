/*
 * RFC 6242 framing; see netconf.h.
 *
 * Input: raw bytes land in a small input buffer (one read of at most
 * FR_READ_SIZE at a time); framer_next() moves them into the message
 * buffer.  End-of-message framing searches for "]]>]]>" only in the bytes
 * not yet searched (minus 5 for a delimiter split across reads), so a
 * message arriving in many pieces costs linear time.  Chunked framing is
 * a byte-level state machine for the headers and memcpy for chunk data.
 * The message buffer grows geometrically with the data actually received
 * and never beyond max-message-size (+6 for the EOM delimiter): a chunk
 * header announcing more than fits is refused before any allocation.
 * A buffer past 1 MB is freed after its message, and growing past 1 MB
 * first gives free heap back (malloc_trim): once per big message.
 *
 * Output: frameout.c.
 */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>		/* malloc_trim */
#endif
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "framer_int.h"
#include "xmalloc.h"


static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int in_reserve(struct framer *, size_t);

struct framer *
framer_new(int infd, int outfd, uint64_t max_message_size)
{
	struct framer *fr;

	fr = xcalloc(1, sizeof(*fr));
	fr->infd = infd;
	fr->outfd = outfd;
	fr->max = max_message_size ? max_message_size : 1;
	/* Chunk sizes and buffer sizes stay within size_t and 2^32-1 chunks. */
	if (fr->max > SIZE_MAX / 4)
		fr->max = SIZE_MAX / 4;
	fr->st = CH_START;
	fr->out = xmalloc(FR_OUTBUF);
	/*
	 * The input buffer now, before the session's set-up reads and frees
	 * its module files: allocated later it reused their pages and kept
	 * their text resident where the trim cannot give it back (main.c).
	 */
	(void)in_reserve(fr, FR_READ_SIZE);
	frameout_init(fr);
	return fr;
}

void
framer_free(struct framer *fr)
{
	if (fr == NULL)
		return;
	free(fr->in);
	free(fr->msg);
	free(fr->out);
	free(fr);
}

void
framer_set_chunked(struct framer *fr)
{
	fr->chunked = 1;
	fr->st = CH_START;
	fr->prev_lf = 0;
	fr->nchunks = 0;
}

int
framer_is_chunked(const struct framer *fr)
{
	return fr->chunked;
}

const char *
framer_error(const struct framer *fr)
{
	return fr->err != NULL ? fr->err : "no error";
}

/* Makes room for len more raw input bytes, compacting first. */
static int
in_reserve(struct framer *fr, size_t len)
{
	unsigned char *p;
	size_t cap;

	if (fr->in_off > 0) {
		memmove(fr->in, fr->in + fr->in_off, fr->in_len - fr->in_off);
		fr->in_len -= fr->in_off;
		fr->in_off = 0;
	}
	if (fr->in_cap - fr->in_len >= len)
		return 0;
	if (len > SIZE_MAX / 2 - fr->in_len)
		return -1;
	cap = fr->in_len + len;
	if (cap < FR_READ_SIZE)
		cap = FR_READ_SIZE;
	p = xreallocarray(fr->in, cap, 1);
	fr->in = p;
	fr->in_cap = cap;
	return 0;
}

long
framer_fill(struct framer *fr)
{
	ssize_t n;

	if (in_reserve(fr, FR_READ_SIZE) == -1)
		return -1;
	for (;;) {
		n = read(fr->infd, fr->in + fr->in_len, FR_READ_SIZE);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* infd shares outfd's non-blocking description (one socket) */
			struct pollfd pfd = { .fd = fr->infd, .events = POLLIN };

			(void)poll(&pfd, 1, -1);
			continue;
		}
		break;
	}
	if (n > 0)
		fr->in_len += (size_t)n;
	return (long)n;
}

int
framer_push(struct framer *fr, const void *data, size_t len)
{
	if (len == 0)
		return 0;
	if (in_reserve(fr, len) == -1)
		return -1;
	memcpy(fr->in + fr->in_len, data, len);
	fr->in_len += len;
	return 0;
}

/*
 * Grows the message buffer to hold need bytes.  Doubling, but never past
 * the largest legal message, so a session never holds more than
 * max-message-size (+6) for its input whatever a client sends.
 */
static void
msg_reserve(struct framer *fr, size_t need)
{
	size_t cap, bound = (size_t)fr->max + EOM_LEN;
	char *p;

	if (need <= fr->msg_cap)
		return;
	cap = fr->msg_cap ? fr->msg_cap : 4096;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > bound && need <= bound)
		cap = bound;
#ifdef __GLIBC__
	/*
	 * A big message's buffer is a mapping of its own (main.c fixes the
	 * mmap threshold): free heap an earlier RPC left behind (a
	 * copy-config's copy of running) goes back first, so the two are
	 * not resident together.  Once per big message, as its buffer first
	 * grows past FR_BIG_MSG (msg_reset frees it after): small requests,
	 * a <get> among them, never pay for the trim.
	 */
	if (fr->msg_cap <= FR_BIG_MSG && cap > FR_BIG_MSG)
		(void)malloc_trim(0);
#endif
	p = xreallocarray(fr->msg, cap, 1);
	fr->msg = p;
	fr->msg_cap = cap;
}

/*
 * Moves n bytes of unread input to the end of the message (growth follows
 * received bytes, not announced sizes).
 */
static void
msg_append_input(struct framer *fr, size_t n)
{
	msg_reserve(fr, fr->msg_len + n);
	memcpy(fr->msg + fr->msg_len, fr->in + fr->in_off, n);
	fr->msg_len += n;
	fr->in_off += n;
}

/* Forgets the last message; gives back a big buffer. */
static void
msg_reset(struct framer *fr)
{
	fr->msg_len = 0;
	fr->scan_from = 0;
	fr->msg_returned = 0;
	if (fr->msg_cap > FR_BIG_MSG) {
		free(fr->msg);
		fr->msg = NULL;
		fr->msg_cap = 0;
	}
}

static enum fr_result
next_eom(struct framer *fr, char **msg, size_t *len)
{
	uint64_t bound = fr->max + EOM_LEN;

	for (;;) {
		size_t avail = fr->in_len - fr->in_off, n, extra, end, skip;
		char *p;

		if (avail == 0)
			return FR_MORE;
		n = avail;
		if ((uint64_t)n > bound - fr->msg_len)
			n = (size_t)(bound - fr->msg_len);
		msg_append_input(fr, n);

		p = memmem(fr->msg + fr->scan_from, fr->msg_len - fr->scan_from,
		    EOM_DELIM, EOM_LEN);
		if (p == NULL) {
			fr->scan_from = fr->msg_len >= EOM_LEN - 1 ?
			    fr->msg_len - (EOM_LEN - 1) : 0;
			if ((uint64_t)fr->msg_len >= bound) {
				fr->err = "message larger than max-message-size";
				return FR_TOO_BIG;
			}
			continue;
		}
		/* Bytes after the delimiter belong to the next message. */
		end = (size_t)(p - fr->msg);
		extra = fr->msg_len - (end + EOM_LEN);
		fr->in_off -= extra;
		fr->msg_len = end;
		fr->scan_from = 0;
		for (skip = 0; skip < end && is_ws((unsigned char)fr->msg[skip]); skip++)
			;
		if (skip == end) {	/* only whitespace: not a message */
			fr->msg_len = 0;
			continue;
		}
		if (end - skip > fr->max) {
			fr->err = "message larger than max-message-size";
			return FR_TOO_BIG;
		}
		fr->msg_returned = 1;
		*msg = fr->msg + skip;
		*len = end - skip;
		return FR_MSG;
	}
}

static enum fr_result
chunk_bad(struct framer *fr, const char *why)
{
	fr->err = why;
	return FR_BAD;
}

static enum fr_result
next_chunked(struct framer *fr, char **msg, size_t *len)
{
	while (fr->in_off < fr->in_len) {
		int c;

		if (fr->st == CH_DATA) {
			size_t n = fr->in_len - fr->in_off;

			if ((uint64_t)n > fr->chunk_left)
				n = (size_t)fr->chunk_left;
			msg_append_input(fr, n);
			fr->chunk_left -= n;
			if (fr->chunk_left == 0) {
				fr->nchunks++;
				fr->st = CH_LF;
			}
			continue;
		}
		c = fr->in[fr->in_off++];
		switch (fr->st) {
		case CH_START:
			if (c == '#' && fr->prev_lf) {
				fr->st = CH_SIZE1;
				break;
			}
			if (!is_ws(c))
				return chunk_bad(fr, "garbage between chunked messages");
			fr->prev_lf = (c == '\n');
			break;
		case CH_LF:
			if (c != '\n')
				return chunk_bad(fr, "no LF after chunk data");
			fr->st = CH_HASH;
			break;
		case CH_HASH:
			if (c != '#')
				return chunk_bad(fr, "no # in chunk header");
			fr->st = CH_SIZE1;
			break;
		case CH_SIZE1:
			if (c == '#') {
				if (fr->nchunks == 0)
					return chunk_bad(fr, "end-of-chunks without a chunk");
				fr->st = CH_END_LF;
			} else if (c >= '1' && c <= '9') {
				fr->size_acc = (uint64_t)(c - '0');
				fr->st = CH_SIZE;
			} else
				return chunk_bad(fr, "bad chunk-size");
			break;
		case CH_SIZE:
			if (c >= '0' && c <= '9') {
				fr->size_acc = fr->size_acc * 10 + (uint64_t)(c - '0');
				if (fr->size_acc > FR_MAX_CHUNK)
					return chunk_bad(fr, "chunk-size above 4294967295");
			} else if (c == '\n') {
				if (fr->size_acc > fr->max - fr->msg_len) {
					fr->err = "chunk beyond max-message-size";
					return FR_TOO_BIG;
				}
				fr->chunk_left = fr->size_acc;
				fr->st = CH_DATA;
			} else
				return chunk_bad(fr, "bad chunk-size");
			break;
		case CH_END_LF:
			if (c != '\n')
				return chunk_bad(fr, "no LF after end-of-chunks");
			fr->st = CH_START;
			fr->prev_lf = 0;
			fr->nchunks = 0;
			fr->msg_returned = 1;
			*msg = fr->msg;
			*len = fr->msg_len;
			return FR_MSG;
		case CH_DATA:
			break;
		}
	}
	return FR_MORE;
}

void
framer_msg_done(struct framer *fr)
{
	if (fr->msg_returned)
		msg_reset(fr);
}

char *
framer_msg_spendable(struct framer *fr, const char *msg, size_t len)
{
	uintptr_t at = (uintptr_t)msg, start = (uintptr_t)fr->msg;

	if (!fr->msg_returned || fr->msg == NULL || at < start ||
	    at - start > fr->msg_len || len > fr->msg_len - (at - start))
		return NULL;
	return fr->msg + (at - start);
}

enum fr_result
framer_next(struct framer *fr, char **msg, size_t *len)
{
	if (fr->msg_returned)
		msg_reset(fr);
	if (fr->in_off == fr->in_len)
		fr->in_off = fr->in_len = 0;
	return fr->chunked ? next_chunked(fr, msg, len) : next_eom(fr, msg, len);
}

int
framer_partial(const struct framer *fr)
{
	size_t i;

	if (fr->msg_returned)
		return fr->in_off < fr->in_len;
	if (fr->chunked && fr->st != CH_START)
		return 1;
	for (i = 0; i < fr->msg_len; i++)
		if (!is_ws((unsigned char)fr->msg[i]))
			return 1;
	for (i = fr->in_off; i < fr->in_len; i++)
		if (!is_ws(fr->in[i]))
			return 1;
	return 0;
}
