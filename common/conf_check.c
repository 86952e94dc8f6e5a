/*
 * nchome.conf value checks: libconfuse calls these during parsing, so
 * every error carries the line it was found on.  conf_schema.c names the
 * keys; this file says which values each key accepts.
 */
#include <sys/un.h>

#include <confuse.h>
#include <ctype.h>
#include <limits.h>
#include <string.h>

#include "conf_check.h"

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

int
conf_parse_initiation(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	static const char *const words[] = { "junos", "none", NULL };
	return parse_keyword(cfg, opt, value, result, words);
}

int
conf_parse_reconnect(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	static const char *const words[] = { "sticky", "in-order", NULL };
	return parse_keyword(cfg, opt, value, result, words);
}

int
conf_parse_connection(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
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

/* bounds (issue 13): one account cannot stall or starve the others */

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
static int validate_session_memory(cfg_t *cfg, cfg_opt_t *opt) { return check_range(cfg, opt, 1048576, LONG_MAX / 2); }
/* 64 KiB: a few records before each rotation; 1 GiB: the replay reads it all */
static int validate_event_log_size(cfg_t *cfg, cfg_opt_t *opt) { return check_range(cfg, opt, 65536, 1073741824); }
static int validate_account_sessions(cfg_t *cfg, cfg_opt_t *opt) { return check_range(cfg, opt, 1, 100000); }

static int
validate_message_size(cfg_t *cfg, cfg_opt_t *opt)
{
	return check_range(cfg, opt, 4096, 4L * 1024 * 1024 * 1024);
}

/*
 * The device id goes on the wire in a CRLF-terminated line: keep it plain.
 * isalnum() would follow the locale; the wire wants ASCII.
 */
int
conf_device_id_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 255)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && strchr("._:@-", c) == NULL)
			return 0;
	}
	return 1;
}

static int
validate_device_id(cfg_t *cfg, cfg_opt_t *opt)
{
	if (conf_device_id_ok(cfg_opt_getnstr(opt, 0)))
		return 0;
	cfg_error(cfg, "%s must be " CONF_DEVICE_ID_RULE, opt->name);
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

void
conf_check_install(cfg_t *cfg)
{
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
		{ "netconf|max-session-memory", validate_session_memory },
		{ "netconf|event-log-size", validate_event_log_size },
		{ "netconf|max-sessions-per-account", validate_account_sessions },
		{ "netconf|yang-dir", validate_path },
		{ "netconf|module", validate_module },
		{ "netconf|module|revision", validate_revision },
		{ "netconf|module|features", validate_features },
	};

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		cfg_set_validate_func(cfg, checks[i].name, checks[i].fn);
}
