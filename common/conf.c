/*
 * Reading nchome.conf with libconfuse.  libconfuse rejects unknown keys and
 * bad syntax itself; value checks run as validate callbacks during parsing,
 * so every error carries the line it was found on.
 */
#include <sys/stat.h>
#include <sys/un.h>

#include <confuse.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "conf.h"
#include "errbuf.h"
#include "safepath.h"
#include "secret.h"

#define DEFAULT_HOST_KEY	"/etc/ssh/ssh_host_ed25519_key.pub"
#define DEFAULT_MAX_MESSAGE	67108864L
#define DEFAULT_MAX_DATASTORE	268435456L	/* 256 MiB: 25x the 10 MB benchmark store */

struct err_sink {
	char	*buf;
	size_t	 len;
	int	 set;
};

/* libconfuse's error callback has no user pointer: one parse at a time. */
static struct err_sink *cur_sink;

/*
 * libconfuse says "found duplicate title 'x'" (CFGF_NO_TITLE_DUPES) for a
 * second client of the same name and for an address listed twice in one
 * client; the latter is what an operator writes to call one NMS on two
 * ports, so say what is wrong and where the way around is documented.
 */
static void
explain_duplicate(cfg_t *cfg, char *msg, size_t len)
{
	static const char prefix[] = "found duplicate title '";
	char title[256];
	size_t n;

	if (strncmp(msg, prefix, sizeof(prefix) - 1) != 0)
		return;
	n = strlen(msg + sizeof(prefix) - 1);
	if (n == 0 || n >= sizeof(title) || msg[sizeof(prefix) - 1 + n - 1] != '\'')
		return;
	memcpy(title, msg + sizeof(prefix) - 1, n - 1);
	title[n - 1] = '\0';
	if (cfg != NULL && cfg->name != NULL && strcmp(cfg->name, "client") == 0)
		snprintf(msg, len, "client %s lists address \"%s\" twice: each address of a "
		    "client needs a title of its own, whatever its port (to call one NMS on two "
		    "ports, spell the second differently: see nchome.conf(5), CLIENTS)",
		    cfg_title(cfg) ? cfg_title(cfg) : "?", title);
	else if (cfg != NULL && cfg->name != NULL && strcmp(cfg->name, "netconf") == 0)
		snprintf(msg, len, "module \"%s\" is named twice", title);
	else
		snprintf(msg, len, "client \"%s\" is defined twice: client names must be unique",
		    title);
}

static void
conf_errfunc(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[512];
	const char *file = cfg && cfg->filename ? cfg->filename : "nchome.conf";

	if (cur_sink == NULL || cur_sink->set)
		return;		/* keep the first error only */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	explain_duplicate(cfg, msg, sizeof(msg));
	if (cfg && cfg->line > 0)
		snprintf(cur_sink->buf, cur_sink->len, "%s:%d: %s", file, cfg->line, msg);
	else
		snprintf(cur_sink->buf, cur_sink->len, "%s: %s", file, msg);
	cur_sink->set = 1;
}

static int
parse_keyword(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result,
    const char *const *words)
{
	for (long i = 0; words[i] != NULL; i++) {
		if (strcmp(value, words[i]) == 0) {
			*(long *)result = i;
			return 0;
		}
	}
	cfg_error(cfg, "%s: \"%s\" is not one of the accepted values", opt->name, value);
	return -1;
}

static int
parse_initiation(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	static const char *const words[] = { "junos", "none", NULL };
	return parse_keyword(cfg, opt, value, result, words);
}

static int
parse_reconnect(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	static const char *const words[] = { "sticky", "in-order", NULL };
	return parse_keyword(cfg, opt, value, result, words);
}

static int
parse_connection(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	static const char *const words[] = { "persistent", "periodic", NULL };
	return parse_keyword(cfg, opt, value, result, words);
}

static int
check_range(cfg_t *cfg, cfg_opt_t *opt, long lo, long hi)
{
	for (unsigned i = 0; i < cfg_opt_size(opt); i++) {
		long v = cfg_opt_getnint(opt, i);
		if (v < lo || v > hi) {
			cfg_error(cfg, "%s = %ld is out of range (%ld-%ld)", opt->name, v, lo, hi);
			return -1;
		}
	}
	return 0;
}

static int validate_port(cfg_t *cfg, cfg_opt_t *opt) { return check_range(cfg, opt, 1, 65535); }
static int validate_count(cfg_t *cfg, cfg_opt_t *opt) { return check_range(cfg, opt, 1, 1000); }
static int validate_seconds(cfg_t *cfg, cfg_opt_t *opt) { return check_range(cfg, opt, 1, 86400 * 7); }

/* ---- bounds (issue 13): one account cannot stall or starve the others ---- */

static int
check_float_range(cfg_t *cfg, cfg_opt_t *opt, double lo, double hi)
{
	for (unsigned i = 0; i < cfg_opt_size(opt); i++) {
		double v = cfg_opt_getnfloat(opt, i);
		if (!(v >= lo && v <= hi)) {
			cfg_error(cfg, "%s = %g is out of range (%g-%g seconds)", opt->name, v, lo, hi);
			return -1;
		}
	}
	return 0;
}

static int validate_lock_wait(cfg_t *cfg, cfg_opt_t *opt) { return check_float_range(cfg, opt, 0, 3600); }
static int validate_write_timeout(cfg_t *cfg, cfg_opt_t *opt) { return check_float_range(cfg, opt, 0.01, 86400); }
static int validate_datastore_size(cfg_t *cfg, cfg_opt_t *opt) { return check_range(cfg, opt, 4096, LONG_MAX); }

static long
seconds_to_ms(double s)
{
	return (long)(s * 1000 + 0.5);
}

/* ---- end of bounds ---- */

static int
validate_message_size(cfg_t *cfg, cfg_opt_t *opt)
{
	return check_range(cfg, opt, 4096, 4L * 1024 * 1024 * 1024);
}

/* The device id goes on the wire in a CRLF-terminated line: keep it plain. */
static int
validate_device_id(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *s = cfg_opt_getnstr(opt, 0);
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 255)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && strchr("._:@-", c) == NULL)
			goto bad;
	}
	return 0;
bad:
	cfg_error(cfg, "%s must be 1-255 characters of letters, digits and ._:@-", opt->name);
	return -1;
}

static int
validate_secret(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *s = cfg_opt_getnstr(opt, 0);

	if (s == NULL)
		return 0;
	if (*s == '\0') {
		cfg_error(cfg, "secret is empty");
		return -1;
	}
	for (; *s; s++) {
		if (iscntrl((unsigned char)*s)) {
			cfg_error(cfg, "secret contains a control character");
			return -1;
		}
	}
	return 0;
}

static int
validate_services(cfg_t *cfg, cfg_opt_t *opt)
{
	for (unsigned i = 0; i < cfg_opt_size(opt); i++) {
		if (strcmp(cfg_opt_getnstr(opt, i), "netconf") != 0) {
			cfg_error(cfg, "services: \"%s\" is not supported (only netconf)",
			    cfg_opt_getnstr(opt, i));
			return -1;
		}
	}
	return 0;
}

static int
validate_path(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *s = cfg_opt_getnstr(opt, 0);

	if (s != NULL && *s != '\0' && *s != '/') {
		cfg_error(cfg, "%s must be an absolute path", opt->name);
		return -1;
	}
	return 0;
}

/* A Unix socket path: absolute (or empty: off) and short enough to bind. */
static int
validate_socket_path(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *s = cfg_opt_getnstr(opt, 0);
	struct sockaddr_un sun;

	if (validate_path(cfg, opt) == -1)
		return -1;
	if (s != NULL && strlen(s) >= sizeof(sun.sun_path)) {
		cfg_error(cfg, "%s is longer than a socket path may be (%zu bytes)", opt->name,
		    sizeof(sun.sun_path) - 1);
		return -1;
	}
	return 0;
}

/* YANG identifiers (RFC 7950 6.2): module and feature names. */
static int
yang_identifier(const char *s)
{
	if (s == NULL || !(isalpha((unsigned char)*s) || *s == '_') || strlen(s) > 255)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr("_-.", *s) == NULL)
			return 0;
	return 1;
}

static int
validate_module(cfg_t *parent, cfg_opt_t *opt)
{
	cfg_t *mod = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);

	(void)parent;
	if (!yang_identifier(cfg_title(mod))) {
		cfg_error(mod, "module \"%s\": not a YANG module name", cfg_title(mod));
		return -1;
	}
	return 0;
}

static int
validate_features(cfg_t *cfg, cfg_opt_t *opt)
{
	for (unsigned i = 0; i < cfg_opt_size(opt); i++) {
		if (!yang_identifier(cfg_opt_getnstr(opt, i))) {
			cfg_error(cfg, "features: \"%s\" is not a YANG feature name",
			    cfg_opt_getnstr(opt, i));
			return -1;
		}
	}
	return 0;
}

static int
validate_revision(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *s = cfg_opt_getnstr(opt, 0);
	static const char form[] = "dddd-dd-dd";

	for (size_t i = 0; s != NULL && i < sizeof(form); i++) {
		if (form[i] == '\0' ? s[i] != '\0' :
		    form[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != form[i]) {
			cfg_error(cfg, "revision \"%s\" is not a date (YYYY-MM-DD)", s);
			return -1;
		}
	}
	return 0;
}

static int
validate_client(cfg_t *parent, cfg_opt_t *opt)
{
	cfg_t *client = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);

	(void)parent;
	cfg_t *backoff = cfg_getsec(client, "backoff");

	if (cfg_size(client, "address") == 0) {
		cfg_error(client, "client %s has no address", cfg_title(client));
		return -1;
	}
	if (cfg_getint(backoff, "initial") > cfg_getint(backoff, "max")) {
		cfg_error(client, "client %s: backoff initial is larger than max", cfg_title(client));
		return -1;
	}
	return 0;
}

static char *
xstrdup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static int
fill_client(struct conf_client *c, cfg_t *sec, const char *global_device_id)
{
	cfg_t *ka = cfg_getsec(sec, "keep-alive");
	cfg_t *bo = cfg_getsec(sec, "backoff");
	const char *dev = cfg_getstr(sec, "device-id");

	c->name = strdup(cfg_title(sec));
	c->device_id = strdup(dev ? dev : global_device_id);
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
 * The dialer reads a client's secret-file; nchome-netconf never does (it
 * runs for NETCONF accounts, and needs no secret).
 */
static int
read_secret_file(struct conf_client *c, int checks, const char *path, char *err,
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
static int
check_for_dialer(const struct nchome_conf *conf, struct stat *st, char *err, size_t errlen)
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

static cfg_t *
conf_schema(void)
{
	static cfg_opt_t address_opts[] = {
		CFG_INT("port", 4334, CFGF_NONE),
		CFG_INT("retry", 3, CFGF_NONE),
		CFG_INT("timeout", 15, CFGF_NONE),
		CFG_END()
	};
	static cfg_opt_t keepalive_opts[] = {
		CFG_INT("retry", 3, CFGF_NONE),
		CFG_INT("timeout", 15, CFGF_NONE),
		CFG_END()
	};
	static cfg_opt_t backoff_opts[] = {
		CFG_INT("initial", 1, CFGF_NONE),
		CFG_INT("max", 60, CFGF_NONE),
		CFG_END()
	};
	static cfg_opt_t client_opts[] = {
		CFG_STR("device-id", NULL, CFGF_NODEFAULT),
		CFG_INT_CB("initiation", INITIATION_JUNOS, CFGF_NONE, parse_initiation),
		CFG_STR("secret", NULL, CFGF_NODEFAULT),
		CFG_STR("secret-file", NULL, CFGF_NODEFAULT),
		CFG_INT_CB("reconnect-strategy", RECONNECT_STICKY, CFGF_NONE, parse_reconnect),
		CFG_INT_CB("connection", CONNECTION_PERSISTENT, CFGF_NONE, parse_connection),
		CFG_INT("period", 3600, CFGF_NONE),
		CFG_SEC("keep-alive", keepalive_opts, CFGF_NONE),
		CFG_SEC("backoff", backoff_opts, CFGF_NONE),
		CFG_STR_LIST("services", "{netconf}", CFGF_NONE),
		CFG_SEC("address", address_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
		CFG_END()
	};
	static cfg_opt_t module_opts[] = {
		CFG_STR("revision", NULL, CFGF_NODEFAULT),
		CFG_STR_LIST("features", NULL, CFGF_NODEFAULT),
		CFG_END()
	};
	static cfg_opt_t netconf_opts[] = {
		CFG_STR("datastore-dir", NCHOME_STATE_DIR, CFGF_NONE),
		CFG_STR("schema", "", CFGF_NONE),
		CFG_STR("commit-hooks", NCHOME_SYSCONFDIR "/nchome/commit.d", CFGF_NONE),
		CFG_STR("state-providers", NCHOME_SYSCONFDIR "/nchome/state.d", CFGF_NONE),
		CFG_INT("max-message-size", DEFAULT_MAX_MESSAGE, CFGF_NONE),
		/* bounds (issue 13) */
		CFG_FLOAT("lock-wait", 5, CFGF_NONE),
		CFG_FLOAT("write-timeout", 60, CFGF_NONE),
		CFG_INT("max-datastore-size", DEFAULT_MAX_DATASTORE, CFGF_NONE),
		CFG_STR("yang-dir", NCHOME_SYSCONFDIR "/nchome/yang", CFGF_NONE),
		CFG_STR("nacm-recovery-account", "", CFGF_NONE),
		CFG_SEC("module", module_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
		CFG_END()
	};
	static cfg_opt_t opts[] = {
		CFG_STR("device-id", NULL, CFGF_NODEFAULT),
		CFG_STR("sshd", NCHOME_SSHD_PATH, CFGF_NONE),
		CFG_STR("sshd-config", NCHOME_SSHD_CONFIG_PATH, CFGF_NONE),
		CFG_STR("host-key", DEFAULT_HOST_KEY, CFGF_NONE),
		CFG_STR("state-dir", NCHOME_DIALER_STATE_DIR, CFGF_NONE),
		CFG_STR("dialer-socket", NCHOME_RUN_DIR "/dialer.sock", CFGF_NONE),
		CFG_SEC("client", client_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
		CFG_SEC("netconf", netconf_opts, CFGF_NONE),
		CFG_END()
	};
	static const struct { const char *name; cfg_validate_callback_t fn; } checks[] = {
		{ "device-id", validate_device_id },
		{ "sshd", validate_path },
		{ "sshd-config", validate_path },
		{ "host-key", validate_path },
		{ "state-dir", validate_path },
		{ "dialer-socket", validate_socket_path },
		{ "client", validate_client },
		{ "client|device-id", validate_device_id },
		{ "client|secret", validate_secret },
		{ "client|secret-file", validate_path },
		{ "client|period", validate_seconds },
		{ "client|services", validate_services },
		{ "client|keep-alive|retry", validate_count },
		{ "client|keep-alive|timeout", validate_seconds },
		{ "client|backoff|initial", validate_seconds },
		{ "client|backoff|max", validate_seconds },
		{ "client|address|port", validate_port },
		{ "client|address|retry", validate_count },
		{ "client|address|timeout", validate_seconds },
		{ "netconf|datastore-dir", validate_path },
		{ "netconf|schema", validate_path },
		{ "netconf|commit-hooks", validate_path },
		{ "netconf|state-providers", validate_path },
		{ "netconf|max-message-size", validate_message_size },
		{ "netconf|lock-wait", validate_lock_wait },
		{ "netconf|write-timeout", validate_write_timeout },
		{ "netconf|max-datastore-size", validate_datastore_size },
		{ "netconf|yang-dir", validate_path },
		{ "netconf|module", validate_module },
		{ "netconf|module|revision", validate_revision },
		{ "netconf|module|features", validate_features },
	};
	cfg_t *cfg = cfg_init(opts, CFGF_NONE);

	if (cfg == NULL)
		return NULL;
	cfg_set_error_function(cfg, conf_errfunc);
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		cfg_set_validate_func(cfg, checks[i].name, checks[i].fn);
	return cfg;
}

static char *
default_device_id(void)
{
	char host[256];

	if (gethostname(host, sizeof(host)) == -1)
		return strdup("nchome");
	host[sizeof(host) - 1] = '\0';
	return strdup(host);
}

/*
 * libconfuse 3.3 accepts a file that ends inside a section ("client a {"
 * without its "}"), silently closing it.  Count the braces outside strings
 * and comments ourselves and name the line of the one left open.
 */
static int
check_braces(FILE *fp, const char *path, char *err, size_t errlen)
{
	int c, prev = 0, line = 1, depth = 0, open_line[64];

	while ((c = getc(fp)) != EOF) {
		if (c == '\n')
			line++;
		if (c == '#' || (c == '/' && prev == '/')) {
			while ((c = getc(fp)) != EOF && c != '\n')
				;
			line++;
			prev = 0;
			continue;
		}
		if (c == '*' && prev == '/') {
			for (prev = 0; (c = getc(fp)) != EOF; prev = c) {
				if (c == '\n')
					line++;
				if (c == '/' && prev == '*')
					break;
			}
			prev = 0;
			continue;
		}
		if (c == '"' || c == '\'') {
			int quote = c;

			while ((c = getc(fp)) != EOF && c != quote) {
				if (c == '\n')
					line++;
				if (c == '\\' && (c = getc(fp)) == '\n')
					line++;
			}
			prev = 0;
			continue;
		}
		if (c == '{') {
			if (depth < 64)
				open_line[depth] = line;
			depth++;
		} else if (c == '}' && depth > 0)
			depth--;
		prev = c;
	}
	rewind(fp);
	if (depth > 0)
		return set_err(err, errlen, "%s:%d: \"{\" is never closed", path,
		    open_line[depth <= 64 ? depth - 1 : 63]);
	return 0;
}

struct nchome_conf *
conf_load(const char *path, int checks, char *err, size_t errlen)
{
	struct err_sink sink = { err, errlen, 0 };
	struct nchome_conf *conf = NULL;
	struct stat st;
	cfg_t *cfg, *nc;
	FILE *fp;
	int rc;

	if ((fp = fopen(path, "r")) == NULL) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &st) == -1 || !S_ISREG(st.st_mode)) {
		set_err(err, errlen, "%s: not a regular file", path);
		fclose(fp);
		return NULL;
	}
	/* root execs what the file names: refuse it unread if others can change it */
	if ((checks & CONF_CHECK_DIALER) && geteuid() == 0 &&
	    safe_path_root(path, &st, err, errlen) == -1) {
		fclose(fp);
		return NULL;
	}
	if ((cfg = conf_schema()) == NULL) {
		set_err(err, errlen, "%s: out of memory", path);
		fclose(fp);
		return NULL;
	}
	if (check_braces(fp, path, err, errlen) == -1) {
		cfg_free(cfg);
		fclose(fp);
		return NULL;
	}
	cur_sink = &sink;
	free(cfg->filename);
	cfg->filename = strdup(path);
	rc = cfg_parse_fp(cfg, fp);
	fclose(fp);
	if (rc != CFG_SUCCESS) {
		if (!sink.set)
			set_err(err, errlen, "%s: parse error", path);
		goto fail;
	}

	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		goto oom;
	conf->path = strdup(path);
	conf->device_id = cfg_getstr(cfg, "device-id") ?
	    strdup(cfg_getstr(cfg, "device-id")) : default_device_id();
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
		    conf->device_id) == -1)
			goto oom;
		if (conf->clients[i].secret)
			conf->has_inline_secret = 1;
		if (read_secret_file(&conf->clients[i], checks, path, err, errlen) == -1)
			goto fail;
		if (conf->clients[i].secret)
			conf->has_secret = 1;
	}
	if ((checks & CONF_CHECK_DIALER) && check_for_dialer(conf, &st, err, errlen) == -1)
		goto fail;
	cfg_free(cfg);
	cur_sink = NULL;
	return conf;
oom:
	set_err(err, errlen, "%s: out of memory", path);
fail:
	cfg_free(cfg);
	conf_free(conf);
	cur_sink = NULL;
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
