/*
 * Inside netconf/ only: the framer's state, shared by its input side
 * (framing.c) and its output side (frameout.c).
 */
#ifndef NCHOME_FRAMER_INT_H
#define NCHOME_FRAMER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "netconf.h"

#define EOM_DELIM	"]]>]]>"
#define EOM_LEN		6
/*
 * A big message: its buffer is freed after it (msg_reset), and growing
 * past this size from below trims the heap (msg_reserve), so once per
 * big message.
 */
#define FR_BIG_MSG	(1024 * 1024)

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

/* framer_new's output set-up: a bigger kernel buffer on outfd. */
void frameout_init(struct framer *fr);

#endif
