/*
 * nchome.conf as the dialer sees it: it reads the clients' secret-files
 * and runs what the file names, so it checks more than the syntax.
 */
#include <sys/stat.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "conf_dialer.h"
#include "errbuf.h"
#include "secret.h"

/*
 * The dialer reads a client's secret-file; nchome-netconf never does (it
 * runs for NETCONF accounts, and needs no secret).
 */
int
conf_dialer_secret(struct conf_client *c, int checks, const char *path, char *err,
    size_t errlen)
{
	if (c->secret_file == NULL || !(checks & CONF_CHECK_DIALER))
		return 0;
	if (c->secret != NULL)
		return set_err(err, errlen, "%s: client %s has both secret and secret-file: "
		    "keep one (secret-file)", path, c->name);
	if ((c->secret = secret_file_read(c->secret_file, err, errlen)) == NULL)
		return -1;
	return 0;
}

/* Checks that only the dialer needs: it runs sshd and sends the host key. */
int
conf_dialer_check(const struct nchome_conf *conf, const struct stat *st, char *err,
    size_t errlen)
{
	if (access(conf->sshd, X_OK) == -1)
		return set_err(err, errlen, "%s: sshd %s: %s", conf->path, conf->sshd, strerror(errno));
	if (conf->has_secret && access(conf->host_key, R_OK) == -1)
		return set_err(err, errlen, "%s: host-key %s: %s", conf->path, conf->host_key,
		    strerror(errno));
	if (st->st_mode & S_IWOTH)
		return set_err(err, errlen, "%s: writable by other users; refusing it", conf->path);
	if (conf->has_inline_secret && (st->st_mode & 077))
		return set_err(err, errlen,
		    "%s: holds a secret but is readable by other users (mode %04o): move it to "
		    "a secret-file (nchome.conf(5)), or make this file root's alone (chmod 0600)",
		    conf->path, (unsigned)(st->st_mode & 07777));
	return 0;
}
