/*
 * Reading nchome.conf with libconfuse into struct nchome_conf.  libconfuse
 * rejects unknown keys and bad syntax itself; the keys and their defaults
 * are conf_schema.c's, the value checks conf_check.c's (run during
 * parsing, so every error carries its line), the dialer's own checks
 * conf_dialer.c's.
 */
#include <sys/stat.h>

#include <confuse.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_dialer.h"
#include "conf_schema.h"
#include "errbuf.h"
#include "safepath.h"
#include "secret.h"

static long
seconds_to_ms(double s)
{
	return (long)(s * 1000 + 0.5);
}

static char *
xstrdup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static int
fill_client(struct conf_client *c, cfg_t *sec, const struct nchome_conf *conf)
{
	cfg_t *ka = cfg_getsec(sec, "keep-alive");
	cfg_t *bo = cfg_getsec(sec, "backoff");
	const char *dev = cfg_getstr(sec, "device-id");

	c->name = strdup(cfg_title(sec));
	c->device_id = strdup(dev ? dev : conf->device_id);
	c->device_id_is_host_name = dev == NULL && conf->device_id_is_host_name;
	c->initiation = (enum conf_initiation)cfg_getint(sec, "initiation");
	if (cfg_getstr(sec, "secret") != NULL) {
		char *inline_secret = cfg_getstr(sec, "secret");

		c->secret = secret_dup(inline_secret);
		/* libconfuse's copy is freed with cfg_free(): wipe it first */
		explicit_bzero(inline_secret, strlen(inline_secret));
		if (c->secret == NULL)
			return -1;
	}
	c->secret_file = xstrdup_or_null(cfg_getstr(sec, "secret-file"));
	c->reconnect = (enum conf_reconnect)cfg_getint(sec, "reconnect-strategy");
	c->connection = (enum conf_connection)cfg_getint(sec, "connection");
	c->period = (unsigned)cfg_getint(sec, "period");
	c->keepalive_retry = (unsigned)cfg_getint(ka, "retry");
	c->keepalive_timeout = (unsigned)cfg_getint(ka, "timeout");
	c->backoff_initial = (unsigned)cfg_getint(bo, "initial");
	c->backoff_max = (unsigned)cfg_getint(bo, "max");
	c->naddrs = cfg_size(sec, "address");
	c->addrs = calloc(c->naddrs, sizeof(*c->addrs));
	if (c->name == NULL || c->device_id == NULL || c->addrs == NULL ||
	    (cfg_getstr(sec, "secret-file") && c->secret_file == NULL))
		return -1;
	for (size_t i = 0; i < c->naddrs; i++) {
		cfg_t *a = cfg_getnsec(sec, "address", (unsigned)i);
		c->addrs[i].host = strdup(cfg_title(a));
		c->addrs[i].port = (unsigned)cfg_getint(a, "port");
		c->addrs[i].retry = (unsigned)cfg_getint(a, "retry");
		c->addrs[i].timeout = (unsigned)cfg_getint(a, "timeout");
		if (c->addrs[i].host == NULL)
			return -1;
	}
	return 0;
}

/* The netconf section's yang-dir and module sections. */
static int
fill_modules(struct conf_netconf *nc, cfg_t *sec)
{
	struct conf_module *m;

	if ((nc->yang_dir = strdup(cfg_getstr(sec, "yang-dir"))) == NULL ||
	    (nc->nacm_recovery = strdup(cfg_getstr(sec, "nacm-recovery-account"))) == NULL)
		return -1;
	nc->nmodules = cfg_size(sec, "module");
	if (nc->nmodules > 0 &&
	    (nc->modules = calloc(nc->nmodules, sizeof(*nc->modules))) == NULL)
		return -1;
	for (size_t i = 0; i < nc->nmodules; i++) {
		cfg_t *ms = cfg_getnsec(sec, "module", (unsigned)i);
		m = &nc->modules[i];
		m->nfeatures = cfg_size(ms, "features");
		if ((m->name = strdup(cfg_title(ms))) == NULL ||
		    (cfg_getstr(ms, "revision") != NULL &&
		    (m->revision = strdup(cfg_getstr(ms, "revision"))) == NULL) ||
		    (m->nfeatures > 0 &&
		    (m->features = calloc(m->nfeatures, sizeof(char *))) == NULL))
			return -1;
		for (size_t j = 0; j < m->nfeatures; j++)
			if ((m->features[j] = strdup(cfg_getnstr(ms, "features",
			    (unsigned)j))) == NULL)
				return -1;
	}
	return 0;
}

/*
 * The host name, unchecked: root may have set any bytes (sethostname), and
 * only the dialer, which sends it, refuses a bad one (conf_dialer.c).
 * Linux's names are at most 64 bytes (HOST_NAME_MAX), far below host[];
 * a longer one (another kernel) fails with ENAMETOOLONG, never truncated.
 */
static char *
default_device_id(void)
{
	char host[256];

	if (gethostname(host, sizeof(host)) == -1)
		return strdup("nchome");
	host[sizeof(host) - 1] = '\0';
	return strdup(host);
}

struct nchome_conf *
conf_load(const char *path, int checks, char *err, size_t errlen)
{
	struct nchome_conf *conf = NULL;
	struct stat st;
	cfg_t *cfg, *nc;
	FILE *fp;
	int fd = -1, rc;

	/* not blocking: a FIFO named as the file is refused below, not waited on */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1 ||
	    (fp = fdopen(fd, "r")) == NULL) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	if (fstat(fileno(fp), &st) == -1 || !S_ISREG(st.st_mode)) {
		set_err(err, errlen, "%s: not a regular file", path);
		fclose(fp);
		return NULL;
	}
	/*
	 * root execs what the file names, and set-uid nchome-netconf trusts
	 * it: refuse it unread if others can change it.  Judged on the
	 * descriptor parsed, never the path again: a symlink of the caller's
	 * could otherwise point at root's file for the check and at its own
	 * for the parse.
	 */
	if ((((checks & CONF_CHECK_DIALER) && geteuid() == 0) ||
	    (checks & CONF_CHECK_ROOT_ONLY)) &&
	    safe_path_root(path, &st, err, errlen) == -1) {
		fclose(fp);
		return NULL;
	}
	if ((cfg = conf_schema_new(path, err, errlen)) == NULL) {
		set_err(err, errlen, "%s: out of memory", path);
		fclose(fp);
		return NULL;
	}
	if (conf_check_braces(fp, path, err, errlen) == -1) {
		conf_schema_free(cfg);
		fclose(fp);
		return NULL;
	}
	rc = cfg_parse_fp(cfg, fp);
	fclose(fp);
	if (rc != CFG_SUCCESS) {
		if (!conf_schema_reported())
			set_err(err, errlen, "%s: parse error", path);
		goto fail;
	}

	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		goto oom;
	conf->path = strdup(path);
	conf->device_id_is_host_name = cfg_getstr(cfg, "device-id") == NULL;
	conf->device_id = conf->device_id_is_host_name ? default_device_id() :
	    strdup(cfg_getstr(cfg, "device-id"));
	conf->sshd = strdup(cfg_getstr(cfg, "sshd"));
	conf->sshd_config = strdup(cfg_getstr(cfg, "sshd-config"));
	conf->host_key = strdup(cfg_getstr(cfg, "host-key"));
	conf->state_dir = strdup(cfg_getstr(cfg, "state-dir"));
	conf->dialer_socket = strdup(cfg_getstr(cfg, "dialer-socket"));
	nc = cfg_getsec(cfg, "netconf");
	conf->netconf.datastore_dir = strdup(cfg_getstr(nc, "datastore-dir"));
	conf->netconf.schema = xstrdup_or_null(cfg_getstr(nc, "schema"));
	conf->netconf.commit_hooks = strdup(cfg_getstr(nc, "commit-hooks"));
	conf->netconf.state_providers = strdup(cfg_getstr(nc, "state-providers"));
	conf->netconf.max_message_size = (uint64_t)cfg_getint(nc, "max-message-size");
	conf->netconf.lock_wait_ms = seconds_to_ms(cfg_getfloat(nc, "lock-wait"));
	conf->netconf.write_timeout_ms = seconds_to_ms(cfg_getfloat(nc, "write-timeout"));
	conf->netconf.max_datastore_size = (uint64_t)cfg_getint(nc, "max-datastore-size");
	conf->netconf.max_session_memory = (uint64_t)cfg_getint(nc, "max-session-memory");
	conf->netconf.event_log_size = (uint64_t)cfg_getint(nc, "event-log-size");
	conf->netconf.max_account_sessions = (unsigned)cfg_getint(nc, "max-sessions-per-account");
	if (fill_modules(&conf->netconf, nc) == -1)
		goto oom;
	if (!conf->path || !conf->device_id || !conf->sshd || !conf->sshd_config ||
	    !conf->host_key || !conf->state_dir || !conf->dialer_socket ||
	    !conf->netconf.datastore_dir ||
	    !conf->netconf.commit_hooks || !conf->netconf.state_providers)
		goto oom;

	conf->nclients = cfg_size(cfg, "client");
	if (conf->nclients > 0 &&
	    (conf->clients = calloc(conf->nclients, sizeof(*conf->clients))) == NULL)
		goto oom;
	for (size_t i = 0; i < conf->nclients; i++) {
		if (fill_client(&conf->clients[i], cfg_getnsec(cfg, "client", (unsigned)i),
		    conf) == -1)
			goto oom;
		if (conf->clients[i].secret)
			conf->has_inline_secret = 1;
		if (conf_dialer_secret(&conf->clients[i], checks, path, err, errlen) == -1)
			goto fail;
		if (conf->clients[i].secret)
			conf->has_secret = 1;
	}
	if ((checks & CONF_CHECK_DIALER) && conf_dialer_check(conf, &st, err, errlen) == -1)
		goto fail;
	conf_schema_free(cfg);
	return conf;
oom:
	set_err(err, errlen, "%s: out of memory", path);
fail:
	conf_schema_free(cfg);
	conf_free(conf);
	return NULL;
}

static void
client_free(struct conf_client *c)
{
	free(c->name);
	free(c->device_id);
	secret_free(c->secret);
	free(c->secret_file);
	for (size_t i = 0; c->addrs && i < c->naddrs; i++)
		free(c->addrs[i].host);
	free(c->addrs);
}

void
conf_free(struct nchome_conf *conf)
{
	if (conf == NULL)
		return;
	for (size_t i = 0; conf->clients && i < conf->nclients; i++)
		client_free(&conf->clients[i]);
	free(conf->clients);
	free(conf->path);
	free(conf->device_id);
	free(conf->sshd);
	free(conf->sshd_config);
	free(conf->host_key);
	free(conf->state_dir);
	free(conf->dialer_socket);
	free(conf->netconf.datastore_dir);
	free(conf->netconf.schema);
	free(conf->netconf.commit_hooks);
	free(conf->netconf.state_providers);
	free(conf->netconf.yang_dir);
	free(conf->netconf.nacm_recovery);
	for (size_t i = 0; conf->netconf.modules && i < conf->netconf.nmodules; i++) {
		struct conf_module *m = &conf->netconf.modules[i];
		free(m->name);
		free(m->revision);
		for (size_t j = 0; m->features && j < m->nfeatures; j++)
			free(m->features[j]);
		free(m->features);
	}
	free(conf->netconf.modules);
	free(conf);
}

static int
str_equal(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

int
conf_client_equal(const struct conf_client *a, const struct conf_client *b)
{
	if (!str_equal(a->name, b->name) || !str_equal(a->device_id, b->device_id) ||
	    !str_equal(a->secret, b->secret) || a->initiation != b->initiation ||
	    a->reconnect != b->reconnect || a->connection != b->connection ||
	    a->period != b->period || a->keepalive_retry != b->keepalive_retry ||
	    a->keepalive_timeout != b->keepalive_timeout ||
	    a->backoff_initial != b->backoff_initial || a->backoff_max != b->backoff_max ||
	    a->naddrs != b->naddrs)
		return 0;
	for (size_t i = 0; i < a->naddrs; i++) {
		if (!str_equal(a->addrs[i].host, b->addrs[i].host) ||
		    a->addrs[i].port != b->addrs[i].port ||
		    a->addrs[i].retry != b->addrs[i].retry ||
		    a->addrs[i].timeout != b->addrs[i].timeout)
			return 0;
	}
	return 1;
}

const struct conf_client *
conf_find_client(const struct nchome_conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->nclients; i++)
		if (strcmp(conf->clients[i].name, name) == 0)
			return &conf->clients[i];
	return NULL;
}
