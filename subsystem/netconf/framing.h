/*
 * RFC 6242 message framing on the session's stdin/stdout: end-of-message
 * "]]>]]>" framing until both hellos carry base:1.1, chunked framing
 * after.  The reader is a pull parser over a bounded input buffer: bytes
 * read from the fd (or pushed by a test) are turned into whole messages
 * one at a time, so a switch of framing after the hello applies to the
 * very next byte.  No message may exceed max-message-size: a chunk header
 * announcing more is refused before anything is allocated for it, and an
 * end-of-message body stops growing at the bound.
 *
 * The writer frames what it is given: data accumulates in one large
 * buffer, each flush becomes one chunk (chunked) or raw bytes (EOM), and
 * framer_end() closes the message.
 */
#ifndef NCHOME_FRAMING_H
#define NCHOME_FRAMING_H

#include <stddef.h>
#include <stdint.h>

struct framer;

/* Results of framer_next(). */
enum fr_result {
	FR_MSG,		/* a whole message: *msg, *len valid until the next call */
	FR_MORE,	/* all input consumed, need more bytes */
	FR_BAD,		/* framing error (bad chunk header, garbage): end session */
	FR_TOO_BIG	/* message larger than max-message-size: end session */
};

#define FR_MAX_CHUNK	4294967295ULL	/* RFC 6242 4.2 */
#define FR_OUTBUF	(256 * 1024)	/* one chunk per flush of this much */
#define FR_READ_SIZE	(64 * 1024)

/* A framer reading infd and writing outfd (either may be -1 in tests). */
struct framer *framer_new(int infd, int outfd, uint64_t max_message_size);
void framer_free(struct framer *fr);

/* Switches both directions to chunked framing (after the hellos). */
void framer_set_chunked(struct framer *fr);
int framer_is_chunked(const struct framer *fr);

/*
 * Reads once from infd (call when poll() says it is readable).  Returns
 * the number of bytes read, 0 at end of file, -1 on error.
 */
long framer_fill(struct framer *fr);

/* Appends bytes to the input as if read from the fd (tests). 0 or -1. */
int framer_push(struct framer *fr, const void *data, size_t len);

/* Parses buffered input: see enum fr_result. */
enum fr_result framer_next(struct framer *fr, char **msg, size_t *len);

/*
 * The message framer_next returned is no longer needed (parsed): its
 * buffer is given back now rather than at the next framer_next.
 */
void framer_msg_done(struct framer *fr);

/* 1 when a partly received message (not just whitespace) is pending. */
int framer_partial(const struct framer *fr);

/* A short description of the last FR_BAD/FR_TOO_BIG, for the log. */
const char *framer_error(const struct framer *fr);

/* Output: buffered; each buffer flush is one chunk.  0 or -1 (peer gone). */
int framer_write(struct framer *fr, const void *data, size_t len);
int framer_end(struct framer *fr);	/* ends the message and flushes */
int framer_send(struct framer *fr, const void *data, size_t len);	/* write + end */

#endif
