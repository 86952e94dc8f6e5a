/*
 * One small file per client in state-dir, "last-address.<client>", holding
 * "<host> <port>\n" of the address that last gave a session.  It names the
 * address rather than its position so that an edited address list still
 * finds it (or starts from the first address when it is gone).  Written
 * with atomic_write_file(): a crash leaves the old or the new content.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "laststate.h"
#include "log.h"

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

size_t
laststate_load(const char *state_dir, const struct conf_client *c)
{
	char path[4096], buf[LASTSTATE_MAX + 1], *sp, *end;
	unsigned long port;
	ssize_t n;
	int fd;

	if (state_path(state_dir, c->name, path, sizeof(path)) == -1)
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno != ENOENT)
			log_warn("client %s: %s", c->name, path);
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
	int n;

	if (idx >= c->naddrs || state_path(state_dir, c->name, path, sizeof(path)) == -1)
		return -1;
	n = snprintf(line, sizeof(line), "%s %u\n", c->addrs[idx].host, c->addrs[idx].port);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	if (mkdir(state_dir, 0700) == -1 && errno != EEXIST) {
		log_warn("client %s: state-dir %s", c->name, state_dir);
		return -1;
	}
	if (atomic_write_file(path, line, (size_t)n, 0600) == -1) {
		log_warn("client %s: cannot save the last address in %s", c->name, path);
		return -1;
	}
	return 0;
}
