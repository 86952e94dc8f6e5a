/*
 * Secrets out of reach: see secret.h.  Why a secret-file rather than the
 * `secret` key: nchome.conf is also read by nchome-netconf, which runs for
 * every NETCONF account, so a secret in it reaches those accounts; the
 * secret-file is read by the dialer (root) alone.
 *
 * The registry of live copies is a plain array: a handful of clients,
 * changed only at load and reload, walked only in a forked child.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errbuf.h"
#include "safepath.h"
#include "secret.h"

static char **live;
static size_t nlive, caplive;

char *
secret_dup(const char *s)
{
	char **grown, *copy;

	if (nlive == caplive) {
		size_t cap = caplive ? caplive * 2 : 8;

		if ((grown = realloc(live, cap * sizeof(*live))) == NULL)
			return NULL;
		live = grown;
		caplive = cap;
	}
	if ((copy = strdup(s)) == NULL)
		return NULL;
	live[nlive++] = copy;
	return copy;
}

void
secret_free(char *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < nlive; i++) {
		if (live[i] == s) {
			live[i] = live[--nlive];
			break;
		}
	}
	explicit_bzero(s, strlen(s));
	free(s);
	if (nlive == 0) {
		free(live);
		live = NULL;
		caplive = 0;
	}
}

void
secrets_wipe_all(void)
{
	for (size_t i = 0; i < nlive; i++)
		explicit_bzero(live[i], strlen(live[i]));
}

/* The opened file, fstat() in st: the dialer's alone, a regular file? */
static int
check_file(const char *path, const struct stat *st, char *err, size_t errlen)
{
	if (!S_ISREG(st->st_mode))
		return set_err(err, errlen, "secret-file %s: not a regular file", path);
	if (st->st_uid != geteuid() || (st->st_mode & 077) != 0)
		return set_err(err, errlen, "secret-file %s is owned by uid %lu with mode %04o: "
		    "only the dialer's user (uid %lu) may read or change it (chmod 0600); refusing it",
		    path, (unsigned long)st->st_uid, (unsigned)(st->st_mode & 07777),
		    (unsigned long)geteuid());
	if (geteuid() == 0)
		return safe_path_root(path, st, err, errlen);
	return 0;
}

char *
secret_file_read(const char *path, char *err, size_t errlen)
{
	char buf[SECRET_FILE_MAX + 1], *out = NULL;
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)) == -1) {
		set_err(err, errlen, "secret-file %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		set_err(err, errlen, "secret-file %s: %s", path, strerror(errno));
		goto out;
	}
	if (check_file(path, &st, err, errlen) == -1)
		goto out;
	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			set_err(err, errlen, "secret-file %s: %s", path, strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	if (len > SECRET_FILE_MAX) {
		set_err(err, errlen, "secret-file %s: longer than %d bytes", path, SECRET_FILE_MAX);
		goto out;
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	if (len == 0) {
		set_err(err, errlen, "secret-file %s: the secret is empty", path);
		goto out;
	}
	for (size_t i = 0; i < len; i++) {
		if (iscntrl((unsigned char)buf[i])) {
			set_err(err, errlen, "secret-file %s: the secret is not one line of "
			    "printable characters", path);
			goto out;
		}
	}
	if ((out = secret_dup(buf)) == NULL)
		set_err(err, errlen, "secret-file %s: out of memory", path);
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return out;
}
