/*
 * The nchome.conf syntax: every key with its default (the contract's
 * schema, ../shared/design.md), and libconfuse's errors turned into
 * "file:line: message".  Which values a key accepts is conf_check.c's.
 */
#include <confuse.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "conf.h"
#include "conf_check.h"
#include "conf_schema.h"
#include "errbuf.h"

#define DEFAULT_HOST_KEY	"/etc/ssh/ssh_host_ed25519_key.pub"
#define DEFAULT_MAX_MESSAGE	67108864L
#define DEFAULT_MAX_DATASTORE	268435456L	/* 256 MiB: 25x the 10 MB benchmark store */
#define DEFAULT_MAX_SESSION_MEM	4294967296L	/* 4 GiB: a 256 MiB store in memory, edited */
#define DEFAULT_EVENT_LOG_SIZE	1048576L	/* 1 MiB, and as much again in log.1 */

struct err_sink {
	char	*buf;
	size_t	 len;
	int	 set;
};

/* libconfuse's error callback has no user pointer: one parse at a time. */
static struct err_sink sink;
static struct err_sink *cur_sink;
static const char *cur_path;		/* the top cfg's filename while parsing */

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
	/* a section's cfg may carry no file name (netconf's does not): the top's */
	const char *file = cfg && cfg->filename ? cfg->filename :
	    cur_path != NULL ? cur_path : "nchome.conf";

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

/*
 * libconfuse 3.3 accepts a file that ends inside a section ("client a {"
 * without its "}"), silently closing it.  Count the braces outside strings
 * and comments ourselves and name the line of the one left open.
 */
int
conf_check_braces(FILE *fp, const char *path, char *err, size_t errlen)
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

static cfg_t *
key_table(void)
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
		CFG_INT_CB("initiation", INITIATION_JUNOS, CFGF_NONE, conf_parse_initiation),
		CFG_STR("secret", NULL, CFGF_NODEFAULT),
		CFG_STR("secret-file", NULL, CFGF_NODEFAULT),
		CFG_INT_CB("reconnect-strategy", RECONNECT_STICKY, CFGF_NONE, conf_parse_reconnect),
		CFG_INT_CB("connection", CONNECTION_PERSISTENT, CFGF_NONE, conf_parse_connection),
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
		CFG_INT("max-session-memory", DEFAULT_MAX_SESSION_MEM, CFGF_NONE),
		CFG_INT("event-log-size", DEFAULT_EVENT_LOG_SIZE, CFGF_NONE),
		CFG_INT("max-sessions-per-account", 64, CFGF_NONE),
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
	cfg_t *cfg = cfg_init(opts, CFGF_NONE);

	if (cfg == NULL)
		return NULL;
	cfg_set_error_function(cfg, conf_errfunc);
	conf_check_install(cfg);
	return cfg;
}

cfg_t *
conf_schema_new(const char *path, char *err, size_t errlen)
{
	cfg_t *cfg = key_table();

	if (cfg == NULL)
		return NULL;
	free(cfg->filename);
	if ((cfg->filename = strdup(path)) == NULL) {
		cfg_free(cfg);
		return NULL;
	}
	sink = (struct err_sink){ err, errlen, 0 };
	cur_sink = &sink;
	cur_path = cfg->filename;
	return cfg;
}

int
conf_schema_reported(void)
{
	return cur_sink != NULL && cur_sink->set;
}

void
conf_schema_free(cfg_t *cfg)
{
	cfg_free(cfg);
	cur_sink = NULL;
	cur_path = NULL;
}
