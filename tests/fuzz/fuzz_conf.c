/*
 * Fuzz target: the configuration reader (common/conf.c, libconfuse).
 * conf_load() reads a file, so the input is written to a per-process
 * temporary file first.  Each input is read twice: as nchome-netconf reads
 * it (no checks) and as nchome-dialer does (CONF_CHECK_DIALER: stat of
 * sshd, host-key, the file's mode).  Whatever the bytes, conf_load() must
 * return a config or a "file:line: message" error, never crash or leak.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "fuzz.h"

static char fuzz_conf_path[64];

static int
fuzz_conf_write(const uint8_t *data, size_t size)
{
	int fd;

	if (fuzz_conf_path[0] == '\0')
		snprintf(fuzz_conf_path, sizeof(fuzz_conf_path),
		    "/tmp/nchome-fuzz-conf.%ld", (long)getpid());
	if ((fd = open(fuzz_conf_path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return -1;
	while (size > 0) {
		ssize_t n = write(fd, data, size);
		if (n <= 0) {
			close(fd);
			return -1;
		}
		data += n;
		size -= (size_t)n;
	}
	return close(fd);
}

static int
fuzz_conf_one(const uint8_t *data, size_t size)
{
	static const int checks[] = { 0, CONF_CHECK_DIALER };
	char err[512];

	if (fuzz_conf_write(data, size) == -1)
		return 0;
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		struct nchome_conf *conf;

		err[0] = '\0';
		conf = conf_load(fuzz_conf_path, checks[i], err, sizeof(err));
		if (conf == NULL) {
			/* An error must always say something. */
			if (err[0] == '\0')
				abort();
			continue;
		}
		for (size_t c = 0; c < conf->nclients; c++) {
			if (conf_find_client(conf, conf->clients[c].name) == NULL ||
			    !conf_client_equal(&conf->clients[c], &conf->clients[c]))
				abort();
		}
		conf_free(conf);
	}
	unlink(fuzz_conf_path);
	return 0;
}

FUZZ_TARGET(fuzz_conf_one)
