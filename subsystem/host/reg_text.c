/*
 * A registry entry's text (the layout is in host.h): the check line
 * that ends it and the reading that trusts only a whole text.  The
 * owner pwrite()s its entry after each RPC while readers pread() it,
 * and the two are not atomic against each other: a reader may see part
 * old, part new text (in-rpcs 9 -> 10 read as 1 or 90).  The check
 * (FNV-1a 64 of the bytes before it) shows such a mix, and the reader
 * reads again.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fnv.h"
#include "host.h"
#include "log.h"

#define CHECK_KEY	"check "
#define READ_TRIES	5

size_t
reg_seal(char *buf, size_t off, size_t len)
{
	int n;

	if (off > 0 && buf[off - 1] != '\n')
		buf[off - 1] = '\n';	/* cut short: the check starts a line */
	n = snprintf(buf + off, len - off, CHECK_KEY "%016llx\n",
	    (unsigned long long)fnv1a64(FNV1A64_BASIS, buf, off));
	if (n < 0 || (size_t)n >= len - off)
		return 0;
	return off + (size_t)n;
}

/* A counter's text: digits only, no overflow; 0 or -1. */
static int
parse_count(const char *v, uint64_t *out)
{
	unsigned long long n;
	char *end;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = n;
	return 0;
}

static const struct entry_count {
	const char	*key;
	size_t		 off;
} entry_counts_keys[] = {
	{ "in-rpcs", offsetof(struct reg_session, in_rpcs) },
	{ "in-bad-rpcs", offsetof(struct reg_session, in_bad_rpcs) },
	{ "out-rpc-errors", offsetof(struct reg_session, out_rpc_errors) },
	{ "out-notifications", offsetof(struct reg_session, out_notifications) },
	{ "denied-operations", offsetof(struct reg_session, denied_operations) },
	{ "denied-data-writes", offsetof(struct reg_session, denied_data_writes) },
	{ "denied-notifications", offsetof(struct reg_session, denied_notifications) },
};

/* e from text; e->counts_bad when a counter is not a number. */
static void
parse_entry(char *text, struct reg_session *e)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, ' ');

		if (v == NULL)
			continue;
		*v++ = '\0';
		if (strcmp(line, "pid") == 0)
			e->pid = (pid_t)strtol(v, NULL, 10);
		else if (strcmp(line, "user") == 0)
			snprintf(e->user, sizeof(e->user), "%s", v);
		else if (strcmp(line, "peer") == 0)
			snprintf(e->peer, sizeof(e->peer), "%s", v);
		else if (strcmp(line, "login") == 0)
			e->login_time = (time_t)strtoll(v, NULL, 10);
		else if (strcmp(line, "fold-boot") == 0)
			snprintf(e->fold_boot, sizeof(e->fold_boot), "%s", v);
		else
			for (size_t i = 0; i < sizeof(entry_counts_keys) /
			    sizeof(entry_counts_keys[0]); i++)
				if (strcmp(line, entry_counts_keys[i].key) == 0 &&
				    parse_count(v, (uint64_t *)(void *)((char *)e +
				    entry_counts_keys[i].off)) == -1)
					e->counts_bad = 1;
	}
}

/*
 * Whether buf (a string) is whole: its check line, if any, holds the
 * FNV-1a 64 of the bytes before it (an entry of an older version has
 * none: taken as is).  Cuts buf after the check line: past it may be
 * the tail of a longer text the writer has not yet truncated.
 */
static int
entry_whole(char *buf)
{
	unsigned long long want;
	char *chk, *end;

	if (strncmp(buf, CHECK_KEY, sizeof(CHECK_KEY) - 1) == 0)
		chk = buf;
	else if ((chk = strstr(buf, "\n" CHECK_KEY)) != NULL)
		chk++;
	else
		return 1;
	errno = 0;
	want = strtoull(chk + sizeof(CHECK_KEY) - 1, &end, 16);
	if (errno != 0 || *end != '\n')
		return 0;
	end[1] = '\0';
	return fnv1a64(FNV1A64_BASIS, buf, (size_t)(chk - buf)) == want;
}

/* Reads the entry at fd into e (id left 0); 0 or -1. */
int
reg_read_entry(int fd, struct reg_session *e)
{
	static int warned_torn, warned_bad;
	char buf[ENTRY_MAX];
	ssize_t n;

	for (int tries = 0; tries < READ_TRIES; tries++) {
		if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) < 0)
			return -1;
		buf[n] = '\0';
		if (!entry_whole(buf))
			continue;	/* met its owner's write: again */
		memset(e, 0, sizeof(*e));
		parse_entry(buf, e);
		if (e->counts_bad && !warned_bad++)
			log_warnx("sessions: an entry with a malformed counter: "
			    "its counts are not added");
		return 0;
	}
	/* skipped for this read: its counts stay in the entry */
	if (!warned_torn++)
		log_warnx("sessions: an entry whose check never matched: skipped");
	return -1;
}
