/*
 * One small file per client in state-dir, "last-address.<client>", holding
 * "<host> <port>\n" of the address that last gave a session.  It names the
 * address rather than its position so that an edited address list still
 * finds it (or starts from the first address when it is gone).  Written
 * with atomic_write_file(): a crash leaves the old or the new content.
 *
 * state-dir is the dialer's alone: root runs the dialer, so a folder that
 * another account can write (datastore-dir, shared by the NETCONF group,
 * was once the default) would let that account plant a FIFO that hangs
 * the dialer's open(), or a link that makes root write elsewhere.  The
 * folder must belong to the dialer's user and be writable by no one else,
 * and (as root) every folder above it too (safepath.c); each use checks
 * the folder again, and a state file is opened without following links,
 * without blocking, and read only when it is a regular file.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "errbuf.h"
#include "laststate.h"
#include "log.h"
#include "safepath.h"

#define LASTSTATE_MAX	1024

/* Client names are libconfuse titles: escape anything unsafe in a file name. */
static int
state_path(const char *state_dir, const char *name, char *buf, size_t len)
{
	size_t n;
	int w;

	w = snprintf(buf, len, "%s/last-address.", state_dir);
	if (w < 0 || (size_t)w >= len)
		return -1;
	n = (size_t)w;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_') {
			if (n + 2 > len)
				return -1;
			buf[n++] = (char)*p;
		} else {
			if (n + 4 > len)
				return -1;
			snprintf(buf + n, 4, "%%%02X", *p);
			n += 3;
		}
	}
	buf[n] = '\0';
	return 0;
}

/* The opened state-dir, its fstat() in st: the dialer's alone? */
static int
dir_is_own(const char *dir, const struct stat *st, char *err, size_t errlen)
{
	if (!S_ISDIR(st->st_mode))
		return set_err(err, errlen, "state-dir %s: not a folder", dir);
	if (st->st_uid != geteuid() || (st->st_mode & 022) != 0)
		return set_err(err, errlen, "state-dir %s is owned by uid %lu with mode %04o: "
		    "it must be the dialer's alone (owner uid %lu, writable by no one else, "
		    "e.g. mode 0700; not datastore-dir); refusing it", dir,
		    (unsigned long)st->st_uid, (unsigned)(st->st_mode & 07777),
		    (unsigned long)geteuid());
	return 0;
}

int
laststate_check_dir(const char *dir, int create, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc;

	if (create && mkdir(dir, 0700) == -1 && errno != EEXIST)
		return set_err(err, errlen, "state-dir %s: %s", dir, strerror(errno));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		if (errno == ENOENT && !create)
			return 0;	/* made at start */
		return set_err(err, errlen, "state-dir %s: %s", dir, strerror(errno));
	}
	if (fstat(fd, &st) == -1)
		rc = set_err(err, errlen, "state-dir %s: %s", dir, strerror(errno));
	else if ((rc = dir_is_own(dir, &st, err, errlen)) == 0 && geteuid() == 0)
		rc = safe_path_root(dir, &st, err, errlen);
	close(fd);
	return rc;
}

/* The state-dir, opened and checked; -1 logged. */
static int
open_dir(const char *dir, const char *client)
{
	char err[512];
	struct stat st;
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		if (errno != ENOENT)
			log_warn("client %s: state-dir %s", client, dir);
		return -1;
	}
	if (fstat(fd, &st) == -1 || dir_is_own(dir, &st, err, sizeof(err)) == -1) {
		log_warnx("client %s: %s", client, err);
		close(fd);
		return -1;
	}
	return fd;
}

size_t
laststate_load(const char *state_dir, const struct conf_client *c)
{
	char path[4096], buf[LASTSTATE_MAX + 1], *sp, *end;
	unsigned long port;
	ssize_t n;
	int fd;

	struct stat st;
	int dfd;

	if (state_path(state_dir, c->name, path, sizeof(path)) == -1)
		return 0;
	if ((dfd = open_dir(state_dir, c->name)) == -1)
		return 0;
	fd = openat(dfd, strrchr(path, '/') + 1,
	    O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	close(dfd);
	if (fd == -1) {
		if (errno != ENOENT)
			log_warn("client %s: %s", c->name, path);
		return 0;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		log_warnx("client %s: %s: not a regular file; ignored (replaced at the next "
		    "session)", c->name, path);
		close(fd);
		return 0;
	}
	n = read(fd, buf, LASTSTATE_MAX);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if ((end = strchr(buf, '\n')) != NULL)
		*end = '\0';
	if ((sp = strrchr(buf, ' ')) == NULL)
		return 0;
	*sp++ = '\0';
	errno = 0;
	port = strtoul(sp, &end, 10);
	if (errno || *end != '\0')
		return 0;
	for (size_t i = 0; i < c->naddrs; i++)
		if (strcmp(c->addrs[i].host, buf) == 0 && c->addrs[i].port == port)
			return i;
	return 0;
}

int
laststate_save(const char *state_dir, const struct conf_client *c, size_t idx)
{
	char path[4096], line[LASTSTATE_MAX];
	int n, dfd;

	if (idx >= c->naddrs || state_path(state_dir, c->name, path, sizeof(path)) == -1)
		return -1;
	n = snprintf(line, sizeof(line), "%s %u\n", c->addrs[idx].host, c->addrs[idx].port);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	if (mkdir(state_dir, 0700) == -1 && errno != EEXIST) {
		log_warn("client %s: state-dir %s", c->name, state_dir);
		return -1;
	}
	if ((dfd = open_dir(state_dir, c->name)) == -1)
		return -1;
	close(dfd);
	if (atomic_write_file(path, line, (size_t)n, 0600) == -1) {
		log_warn("client %s: cannot save the last address in %s", c->name, path);
		return -1;
	}
	return 0;
}
