/*
 * RFC 6242 framing, output side; see netconf.h.
 *
 * One FR_OUTBUF buffer; a full buffer goes out as one chunk with writev
 * (header + data), a write larger than the buffer goes out as its own
 * chunk without being copied.  A file's bytes (framer_write_file:
 * running's shared form) go out as chunks of their own with sendfile(2):
 * page-cache pages move into the pipe or socket without passing through
 * this process's memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/uio.h>
#ifdef __linux__
#include <sys/sendfile.h>
#endif
#include <unistd.h>

#include "framer_int.h"

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

void
frameout_init(struct framer *fr)
{
	grow_pipe(fr->outfd);
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

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Waits until fd takes output; -1 with ETIMEDOUT once timeout_ms (0: no
 * bound) passed since *last, the time progress stopped (-1: just now).
 */
static int
wait_out(int fd, int64_t *last, long timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int wait = -1;

	if (timeout_ms > 0) {
		int64_t now = mono_ms(), left;

		if (*last == -1)
			*last = now;
		left = timeout_ms - (now - *last);
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		wait = left > INT32_MAX ? INT32_MAX : (int)left;
	}
	(void)poll(&pfd, 1, wait);
	return 0;
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
			if ((errno == EAGAIN || errno == EWOULDBLOCK) &&
			    wait_out(fd, &last, timeout_ms) == 0)
				continue;
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

/* len bytes of fd from off, raw (the chunk header is out), through the output buffer. */
static int
copy_file_out(struct framer *fr, int fd, off_t off, size_t len)
{
	while (len > 0) {
		struct iovec iov;
		ssize_t n = pread(fd, fr->out, len < FR_OUTBUF ? len : FR_OUTBUF, off);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;	/* shorter than announced: the reply is cut */
		iov.iov_base = fr->out;
		iov.iov_len = (size_t)n;
		if (writev_all(fr->outfd, &iov, 1, fr->write_timeout_ms) == -1)
			return -1;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

/* len bytes of fd from off, raw, with sendfile where it works; 0 or -1. */
static int
send_file_out(struct framer *fr, int fd, off_t off, size_t len)
{
#ifdef __linux__
	int64_t last = -1;
	int sent_any = 0;

	while (len > 0) {
		ssize_t n = sendfile(fr->outfd, fd, &off, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_out(fr->outfd, &last, fr->write_timeout_ms) == -1)
				return -1;
			continue;
		}
		if (n == -1 && !sent_any && (errno == EINVAL || errno == ENOSYS))
			break;	/* an output sendfile cannot write to: copy */
		if (n <= 0)
			return -1;
		sent_any = 1;
		last = -1;
		len -= (size_t)n;
	}
#endif
	return copy_file_out(fr, fd, off, len);
}

int
framer_write_file(struct framer *fr, int fd, off_t off, size_t len)
{
	if (flush_out(fr) == -1)
		return -1;
	while (len > 0) {
		size_t n = len > FR_MAX_CHUNK ? (size_t)FR_MAX_CHUNK : len;

		if (fr->chunked) {
			char hdr[32];
			struct iovec iov = { hdr, 0 };

			iov.iov_len = (size_t)snprintf(hdr, sizeof(hdr), "\n#%zu\n", n);
			if (writev_all(fr->outfd, &iov, 1, fr->write_timeout_ms) == -1)
				return -1;
		}
		if (send_file_out(fr, fd, off, n) == -1)
			return -1;
		off += (off_t)n;
		len -= n;
	}
	return 0;
}

int
framer_send(struct framer *fr, const void *data, size_t len)
{
	if (framer_write(fr, data, len) == -1)
		return -1;
	return framer_end(fr);
}
