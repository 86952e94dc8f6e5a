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
 *
 * Output: one FR_OUTBUF buffer; a full buffer goes out as one chunk with
 * writev (header + data), a write larger than the buffer goes out as its
 * own chunk without being copied.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "netconf.h"
#include "xmalloc.h"

#define EOM_DELIM	"]]>]]>"
#define EOM_LEN		6

enum ch_state {
	CH_START,	/* before a message: whitespace, then "\n#" */
	CH_LF,		/* after chunk data: "\n" */
	CH_HASH,	/* "#" */
	CH_SIZE1,	/* first digit of chunk-size, or "#" of end-of-chunks */
	CH_SIZE,	/* more digits, or "\n" */
	CH_DATA,	/* chunk data */
	CH_END_LF	/* "\n" after "##" */
};

struct framer {
	int		 infd, outfd;
	uint64_t	 max;
	int		 chunked;

	/* raw input not yet parsed: in[in_off .. in_len) */
	unsigned char	*in;
	size_t		 in_off, in_len, in_cap;

	/* the message being assembled */
	char		*msg;
	size_t		 msg_len, msg_cap;
	int		 msg_returned;	/* last call returned msg: reset first */
	size_t		 scan_from;	/* EOM: delimiter search resumes here */

	/* chunked reader state */
	enum ch_state	 st;
	uint64_t	 chunk_left;
	uint64_t	 size_acc;
	int		 nchunks;
	int		 prev_lf;	/* CH_START: last byte was "\n" */

	const char	*err;

	/* output */
	long		 write_timeout_ms;	/* 0: writes block as long as it takes */
	char		*out;
	size_t		 out_len;
};

static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * A bigger kernel buffer on the output (a pipe or socketpair from sshd)
 * lets one writev of a full chunk go out without a context switch per
 * 64 KiB.  Best effort: failures change nothing.
 */
static void
grow_pipe(int fd)
{
	int sz = FR_OUTBUF * 4;

	if (fd < 0)
		return;
#ifdef F_SETPIPE_SZ
	if (fcntl(fd, F_SETPIPE_SZ, sz) != -1)
		return;
#endif
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

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
	grow_pipe(outfd);
	return fr;
}

/*
 * A peer that stops reading must not hold the session (and its locks)
 * for ever: outfd becomes non-blocking and writev_all() gives up with
 * ETIMEDOUT when no byte went out for ms.
 */
int
framer_set_write_timeout(struct framer *fr, long ms)
{
	int fl;

	if (ms <= 0 || fr->outfd == -1) {
		fr->write_timeout_ms = 0;
		return 0;
	}
	if ((fl = fcntl(fr->outfd, F_GETFL)) == -1 ||
	    (!(fl & O_NONBLOCK) && fcntl(fr->outfd, F_SETFL, fl | O_NONBLOCK) == -1))
		return -1;
	fr->write_timeout_ms = ms;
	return 0;
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
	if (fr->msg_cap > 1024 * 1024) {
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

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * writev until everything is out; waits when the fd is non-blocking, at
 * most timeout_ms (0: no bound) without progress, then -1 with ETIMEDOUT.
 */
static int
writev_all(int fd, struct iovec *iov, int iovcnt, long timeout_ms)
{
	int64_t last = -1;

	while (iovcnt > 0) {
		ssize_t n = writev(fd, iov, iovcnt);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };
				int wait = -1;

				if (timeout_ms > 0) {
					int64_t now = mono_ms(), left;

					if (last == -1)
						last = now;
					left = timeout_ms - (now - last);
					if (left <= 0) {
						errno = ETIMEDOUT;
						return -1;
					}
					wait = left > INT32_MAX ? INT32_MAX : (int)left;
				}
				(void)poll(&pfd, 1, wait);
				continue;
			}
			return -1;
		}
		last = -1;	/* progress: the bound starts again */
		while (iovcnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

/* Sends data as one chunk (or raw), plus an optional trailer. */
static int
emit(struct framer *fr, const void *data, size_t len, const char *trailer)
{
	struct iovec iov[3];
	char hdr[32];
	int n = 0;

	if (len > 0) {
		if (fr->chunked) {
			int h = snprintf(hdr, sizeof(hdr), "\n#%zu\n", len);

			iov[n].iov_base = hdr;
			iov[n++].iov_len = (size_t)h;
		}
		iov[n].iov_base = (void *)(uintptr_t)data;
		iov[n++].iov_len = len;
	}
	if (trailer != NULL) {
		iov[n].iov_base = (void *)(uintptr_t)trailer;
		iov[n++].iov_len = strlen(trailer);
	}
	return n ? writev_all(fr->outfd, iov, n, fr->write_timeout_ms) : 0;
}

static int
flush_out(struct framer *fr)
{
	int rc = emit(fr, fr->out, fr->out_len, NULL);

	fr->out_len = 0;
	return rc;
}

int
framer_write(struct framer *fr, const void *data, size_t len)
{
	const char *p = data;

	if (len >= FR_OUTBUF) {
		/* Big pieces go out as their own chunks, uncopied. */
		if (flush_out(fr) == -1)
			return -1;
		while (len > 0) {
			size_t n = len > FR_MAX_CHUNK ? (size_t)FR_MAX_CHUNK : len;

			if (emit(fr, p, n, NULL) == -1)
				return -1;
			p += n;
			len -= n;
		}
		return 0;
	}
	if (len > FR_OUTBUF - fr->out_len && flush_out(fr) == -1)
		return -1;
	memcpy(fr->out + fr->out_len, p, len);
	fr->out_len += len;
	return 0;
}

int
framer_end(struct framer *fr)
{
	int rc;

	rc = emit(fr, fr->out, fr->out_len, fr->chunked ? "\n##\n" : EOM_DELIM);
	fr->out_len = 0;
	return rc;
}

int
framer_send(struct framer *fr, const void *data, size_t len)
{
	if (framer_write(fr, data, len) == -1)
		return -1;
	return framer_end(fr);
}
