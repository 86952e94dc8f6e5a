/*
 * nchome.conf as the dialer sees it: it reads the clients' secret-files,
 * runs what the file names and sends the host name as the default
 * device-id, so it checks more than the syntax.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf_check.h"
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

/* s for an error message: bytes outside printable ASCII, quote and backslash as \xNN. */
static void
escape_for_log(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *s && o + 5 <= outlen; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

/*
 * The default device-id, the host name, may hold any bytes root set: a
 * space, CR/LF, non-ASCII.  Sent as it is it would break the DEVICE-ID
 * line or add lines of its own; rewritten it would name the device
 * something the operator never chose.  So it is refused like a configured
 * bad device-id, naming the host name and the way out, but only where a
 * client would send it (initiation = junos without its own device-id).
 */
static int
check_host_name_device_id(const struct nchome_conf *conf, char *err, size_t errlen)
{
	char shown[256 * 4 + 1];

	for (size_t i = 0; i < conf->nclients; i++) {
		const struct conf_client *c = &conf->clients[i];

		if (!c->device_id_is_host_name || c->initiation != INITIATION_JUNOS ||
		    conf_device_id_ok(c->device_id))
			continue;
		escape_for_log(c->device_id, shown, sizeof(shown));
		return set_err(err, errlen, "%s: the host name \"%s\" is not a valid device-id ("
		    CONF_DEVICE_ID_RULE "), and client %s would send it: set device-id "
		    "in this file (nchome.conf(5))", conf->path, shown, c->name);
	}
	return 0;
}

/* Checks that only the dialer needs: it runs sshd and sends the host key. */
int
conf_dialer_check(const struct nchome_conf *conf, const struct stat *st, char *err,
    size_t errlen)
{
	if (check_host_name_device_id(conf, err, errlen) == -1)
		return -1;
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
