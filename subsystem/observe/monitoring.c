/*
 * RFC 6022 NETCONF monitoring (see observe.h).
 *
 * netconf-state is built afresh for each <get> from what is shared on
 * the host: the capabilities of our hello (netconf/'s table), the
 * datastore locks (holder and locked-time from store/dslock.c), the live
 * sessions of every session process from the session registry
 * (host/registry.c), the YANG modules found in yang_dir(), and
 * statistics: host-wide totals of all session processes since the host's
 * boot, kept in the shared file datastore-dir/sessions/statistics
 * (host/stats.c describes it and its lock).
 *
 * A module file is named <name>@<revision>.yang (or <name>.yang); its
 * identifier, version (first revision statement) and namespace are read
 * from the text.  get-schema returns the file as text inside a <data>
 * element in the monitoring namespace.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "host/host.h"
#include "log.h"
#include "observe.h"
#include "store/store.h"
#include "xmalloc.h"

#define YANG_MAX_SIZE	(4 * 1024 * 1024)
#define MAX_SCHEMAS	64

struct schema {
	char	*identifier;
	char	*version;	/* "" when the module has no revision */
	char	*ns;
	char	*path;
	char	*capability;	/* "<ns>?module=<id>[&revision=<v>]" */
};

/*
 * What a module file alone does not say.  Every module in yang_dir() is
 * listed in schemas and served by get-schema; the hello announces (RFC
 * 6020 5.6.4) only those nchome itself implements.
 *
 * ietf-netconf: with the features this server supports (all but url).
 * ietf-netconf-acm: imported by ietf-netconf and ietf-system for their
 * extensions; NACM is not implemented.  ietf-system, ietf-interfaces and
 * their imports iana-crypt-hash and iana-if-type: they describe the data
 * of the contrib/ state providers (system-state, interfaces-state) and
 * the hostname commit hook, which an operator may or may not install,
 * and nchome does not implement the rest of them (their configuration,
 * their RPCs), so they are served for the NMS to read, not announced.
 */
static const struct module_note {
	const char	*identifier;
	const char	*features;	/* NULL: none announced */
	int		 served_only;	/* not announced in the hello */
} module_notes[] = {
	{ "ietf-netconf", "writable-running,candidate,confirmed-commit,"
	    "rollback-on-error,validate,startup,xpath", 0 },
	{ "ietf-netconf-acm", NULL, 1 },
	{ "ietf-system", NULL, 1 },
	{ "iana-crypt-hash", NULL, 1 },
	{ "ietf-interfaces", NULL, 1 },
	{ "iana-if-type", NULL, 1 },
};

static const struct module_note *
module_note(const char *identifier)
{
	for (size_t i = 0; i < sizeof(module_notes) / sizeof(module_notes[0]); i++)
		if (strcmp(module_notes[i].identifier, identifier) == 0)
			return &module_notes[i];
	return NULL;
}

static struct schema schemas[MAX_SCHEMAS];
static size_t nschemas;
static int schemas_loaded;

const char *
yang_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("NCHOME_YANG_DIR");
	struct stat st;
	ssize_t n;
	char *slash;

	if (env != NULL && *env != '\0')
		return env;
	if (dir[0] != '\0')
		return dir;
#ifdef __linux__
	/* Run from the build tree: <top>/subsystem/nchome-netconf -> <top>/yang. */
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n > 0) {
		dir[n] = '\0';
		if ((slash = strrchr(dir, '/')) != NULL) {
			*slash = '\0';
			if ((slash = strrchr(dir, '/')) != NULL &&
			    strcmp(slash, "/subsystem") == 0 &&
			    (size_t)(slash - dir) + sizeof("/yang") < sizeof(dir)) {
				strcpy(slash, "/yang");
				if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
					return dir;
			}
		}
	}
#else
	(void)n; (void)slash; (void)st;
#endif
	snprintf(dir, sizeof(dir), "%s/yang", NCHOME_DATADIR);
	return dir;
}

/* Reads a whole file up to max bytes; NUL-terminated, malloc()ed. */
static char *
read_file(const char *path, size_t max, size_t *lenp)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

/* Past a quoted string starting at p (at its quote); NULL when unterminated. */
static const char *
skip_quoted(const char *p)
{
	char q = *p++;

	for (; *p != '\0'; p++) {
		if (q == '"' && *p == '\\' && p[1] != '\0')
			p++;
		else if (*p == q)
			return p + 1;
	}
	return NULL;
}

/*
 * The argument of the first statement with this keyword in YANG text,
 * unquoted; malloc()ed or NULL.  Quoted strings and comments are
 * skipped, so a description that says "revision" is not taken for one.
 * Good enough for module/namespace/revision, whose arguments are single
 * strings.
 */
static char *
statement_arg(const char *text, const char *keyword)
{
	size_t kl = strlen(keyword);
	const char *p = text, *start, *end;
	int at_start = 1;	/* p begins a statement */

	while (*p != '\0') {
		if (*p == '"' || *p == '\'') {
			if ((p = skip_quoted(p)) == NULL)
				return NULL;
			at_start = 0;
		} else if (p[0] == '/' && p[1] == '/') {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			if ((p = strstr(p + 2, "*/")) == NULL)
				return NULL;
			p += 2;
		} else if (*p == ';' || *p == '{' || *p == '}') {
			at_start = 1;
			p++;
		} else if (isspace((unsigned char)*p)) {
			p++;
		} else if (at_start && strncmp(p, keyword, kl) == 0 &&
		    isspace((unsigned char)p[kl])) {
			p += kl;
			while (isspace((unsigned char)*p))
				p++;
			if (*p == '"' || *p == '\'') {
				start = p + 1;
				if ((end = skip_quoted(p)) == NULL)
					return NULL;
				end--;
			} else {
				start = p;
				end = start;
				while (*end != '\0' && !isspace((unsigned char)*end) &&
				    *end != ';' && *end != '{')
					end++;
			}
			return xstrndup(start, (size_t)(end - start));
		} else {
			/* some other word: the rest of this statement is not ours */
			at_start = 0;
			while (*p != '\0' && !isspace((unsigned char)*p) &&
			    *p != ';' && *p != '{' && *p != '}' && *p != '"' && *p != '\'')
				p++;
		}
	}
	return NULL;
}

static int
schema_cmp(const void *a, const void *b)
{
	const struct schema *x = a, *y = b;
	int c = strcmp(x->identifier, y->identifier);

	return c != 0 ? c : strcmp(x->version, y->version);
}

static void
load_schemas(void)
{
	const char *dir = yang_dir();
	const struct module_note *note;
	struct schema *sc;
	struct dirent *de;
	char path[PATH_MAX], *text;
	size_t len;
	DIR *d;
	int n;

	if (schemas_loaded)
		return;
	schemas_loaded = 1;
	if ((d = opendir(dir)) == NULL) {
		log_debug("no YANG modules: %s: %s", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL && nschemas < MAX_SCHEMAS) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".yang") != 0)
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(path) ||
		    (text = read_file(path, YANG_MAX_SIZE, NULL)) == NULL)
			continue;
		sc = &schemas[nschemas];
		memset(sc, 0, sizeof(*sc));
		sc->identifier = statement_arg(text, "module");
		sc->ns = statement_arg(text, "namespace");
		sc->version = statement_arg(text, "revision");
		free(text);
		if (sc->version == NULL)
			sc->version = xstrdup("");
		if (sc->identifier == NULL || sc->ns == NULL) {
			log_warnx("%s: not a YANG module nchome can serve", path);
			free(sc->identifier);
			free(sc->ns);
			free(sc->version);
			continue;
		}
		sc->path = xstrdup(path);
		note = module_note(sc->identifier);
		xasprintf(&sc->capability, "%s?module=%s%s%s%s%s", sc->ns, sc->identifier,
		    *sc->version ? "&revision=" : "", sc->version,
		    note && note->features ? "&features=" : "",
		    note && note->features ? note->features : "");
		nschemas++;
	}
	closedir(d);
	qsort(schemas, nschemas, sizeof(*schemas), schema_cmp);
}


static void
format_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "1970-01-01T00:00:00Z");
}

static void
add_u64(xmlNodePtr parent, const char *name, unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST buf);
}

static void
add_datastores(struct session *s, xmlNodePtr state)
{
	xmlNodePtr dss, ds, gl;
	char when[64];
	uint32_t holder;
	time_t since;

	dss = xmlNewChild(state, NULL, BAD_CAST "datastores", NULL);
	for (int i = 0; i < DS_COUNT; i++) {
		ds = xmlNewChild(dss, NULL, BAD_CAST "datastore", NULL);
		xmlNewTextChild(ds, NULL, BAD_CAST "name", BAD_CAST ds_name((enum ds_id)i));
		if (s->store == NULL ||
		    (holder = store_lock_holder(s->store, (enum ds_id)i, &since)) == 0)
			continue;
		format_time(since, when, sizeof(when));
		gl = xmlNewChild(xmlNewChild(ds, NULL, BAD_CAST "locks", NULL), NULL,
		    BAD_CAST "global-lock", NULL);
		add_u64(gl, "locked-by-session", holder);
		xmlNewTextChild(gl, NULL, BAD_CAST "locked-time", BAD_CAST when);
	}
}

static void
add_sessions(struct session *s, xmlNodePtr state)
{
	struct reg_session *list = NULL, own;
	xmlNodePtr ss, e;
	size_t n = 0;
	char when[64];

	ss = xmlNewChild(state, NULL, BAD_CAST "sessions", NULL);
	if (reg_list(s->dd, &list, &n) == -1) {
		log_warnx("session %u: cannot list the sessions", s->id);
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct reg_session *r = &list[i];

		if (r->id == s->id) {
			/* Our own counters are newer than our registry entry. */
			own = *r;
			own.in_rpcs = s->in_rpcs;
			own.in_bad_rpcs = s->in_bad_rpcs;
			own.out_rpc_errors = s->out_rpc_errors;
			own.out_notifications = s->out_notifications;
			r = &own;
		}
		e = xmlNewChild(ss, NULL, BAD_CAST "session", NULL);
		add_u64(e, "session-id", r->id);
		xmlNewTextChild(e, NULL, BAD_CAST "transport", BAD_CAST "netconf-ssh");
		xmlNewTextChild(e, NULL, BAD_CAST "username", BAD_CAST r->user);
		if (r->peer[0] != '\0')
			xmlNewTextChild(e, NULL, BAD_CAST "source-host", BAD_CAST r->peer);
		format_time(r->login_time, when, sizeof(when));
		xmlNewTextChild(e, NULL, BAD_CAST "login-time", BAD_CAST when);
		/* zero-based-counter32: wraps at 2^32 */
		add_u64(e, "in-rpcs", r->in_rpcs & 0xffffffffULL);
		add_u64(e, "in-bad-rpcs", r->in_bad_rpcs & 0xffffffffULL);
		add_u64(e, "out-rpc-errors", r->out_rpc_errors & 0xffffffffULL);
		add_u64(e, "out-notifications", r->out_notifications & 0xffffffffULL);
	}
	free(list);
}

static void
add_statistics(struct session *s, xmlNodePtr state)
{
	struct stats st;
	xmlNodePtr e;
	char when[64];

	reg_update(s);	/* this <get> counts too */
	if (stats_read(s->dd, &st) == -1)
		st.start_time = s->login_time;	/* nothing counted yet */
	e = xmlNewChild(state, NULL, BAD_CAST "statistics", NULL);
	format_time(st.start_time, when, sizeof(when));
	xmlNewTextChild(e, NULL, BAD_CAST "netconf-start-time", BAD_CAST when);
	/* zero-based-counter32: wraps at 2^32 */
	add_u64(e, "in-bad-hellos", st.in_bad_hellos & 0xffffffffULL);
	add_u64(e, "in-sessions", st.in_sessions & 0xffffffffULL);
	add_u64(e, "dropped-sessions", st.dropped_sessions & 0xffffffffULL);
	add_u64(e, "in-rpcs", st.in_rpcs & 0xffffffffULL);
	add_u64(e, "in-bad-rpcs", st.in_bad_rpcs & 0xffffffffULL);
	add_u64(e, "out-rpc-errors", st.out_rpc_errors & 0xffffffffULL);
	add_u64(e, "out-notifications", st.out_notifications & 0xffffffffULL);
}

/* The state source of netconf-state (netconf/'s table). */
static int
monitoring_collect(struct session *s, xmlNodePtr into)
{
	xmlNodePtr state, caps, schs, e;
	xmlNsPtr ns;
	const char *cap;

	if (s->nc == NULL || s->dd == NULL)
		return -1;
	load_schemas();
	if ((state = xmlNewChild(into, NULL, BAD_CAST "netconf-state", NULL)) == NULL)
		return -1;
	ns = xmlNewNs(state, BAD_CAST NCM_NS, NULL);
	xmlSetNs(state, ns);

	caps = xmlNewChild(state, NULL, BAD_CAST "capabilities", NULL);
	for (int i = 0; (cap = nc_capability(i)) != NULL; i++)
		xmlNewTextChild(caps, NULL, BAD_CAST "capability", BAD_CAST cap);

	add_datastores(s, state);

	schs = xmlNewChild(state, NULL, BAD_CAST "schemas", NULL);
	for (size_t i = 0; i < nschemas; i++) {
		e = xmlNewChild(schs, NULL, BAD_CAST "schema", NULL);
		xmlNewTextChild(e, NULL, BAD_CAST "identifier", BAD_CAST schemas[i].identifier);
		xmlNewTextChild(e, NULL, BAD_CAST "version", BAD_CAST schemas[i].version);
		xmlNewTextChild(e, NULL, BAD_CAST "format", BAD_CAST "yang");
		xmlNewTextChild(e, NULL, BAD_CAST "namespace", BAD_CAST schemas[i].ns);
		xmlNewTextChild(e, NULL, BAD_CAST "location", BAD_CAST "NETCONF");
	}

	add_sessions(s, state);
	add_statistics(s, state);
	return 0;
}

/* 1 when the identityref text names ncm:yang (prefix resolved at node). */
static int
format_is_yang(xmlNodePtr node, const char *text)
{
	const char *colon = strchr(text, ':');
	xmlNsPtr ns;
	char *prefix;

	if (colon == NULL) {
		ns = xmlSearchNs(node->doc, node, NULL);
		return strcmp(text, "yang") == 0 &&
		    (ns == NULL || xmlStrEqual(ns->href, BAD_CAST NCM_NS));
	}
	if (strcmp(colon + 1, "yang") != 0 ||
	    (prefix = xstrndup(text, (size_t)(colon - text))) == NULL)
		return 0;
	ns = xmlSearchNs(node->doc, node, BAD_CAST prefix);
	free(prefix);
	return ns != NULL && xmlStrEqual(ns->href, BAD_CAST NCM_NS);
}

static void
op_get_schema(struct rpc *r)
{
	char *id = NULL, *version = NULL, *format = NULL, *text = NULL;
	xmlNodePtr idn, vn, fn, err, container;
	xmlDocPtr doc;
	struct schema *match = NULL;
	size_t nmatch = 0, len;

	load_schemas();
	if ((id = nc_child_text(r->op, NCM_NS, "identifier", &idn)) == NULL) {
		err = rpc_error(r, ERR_PROTOCOL, TAG_MISSING_ELEMENT, NULL,
		    "get-schema needs an identifier");
		rpc_error_info(err, "bad-element", "identifier");
		goto done;
	}
	version = nc_child_text(r->op, NCM_NS, "version", &vn);
	format = nc_child_text(r->op, NCM_NS, "format", &fn);
	if (format != NULL && !format_is_yang(fn, format)) {
		err = rpc_error(r, ERR_APPLICATION, TAG_INVALID_VALUE, NULL,
		    "nchome serves its schemas in YANG only");
		rpc_error_info(err, "bad-element", "format");
		goto done;
	}
	for (size_t i = 0; i < nschemas; i++)
		if (strcmp(schemas[i].identifier, id) == 0 &&
		    (version == NULL || strcmp(schemas[i].version, version) == 0)) {
			match = &schemas[i];
			nmatch++;
		}
	if (nmatch == 0) {
		err = rpc_error(r, ERR_APPLICATION, TAG_INVALID_VALUE, NULL,
		    "no schema %s%s%s", id, version ? " revision " : "",
		    version ? version : "");
		rpc_error_info(err, "bad-element", "identifier");
		goto done;
	}
	if (nmatch > 1) {
		/* error-app-tag goes right after error-severity. */
		err = rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL, NULL);
		if (err != NULL) {
			xmlNodePtr m;

			xmlNewTextChild(err, err->ns, BAD_CAST "error-app-tag",
			    BAD_CAST "data-not-unique");
			m = xmlNewTextChild(err, err->ns, BAD_CAST "error-message",
			    BAD_CAST "several versions of this schema: name one");
			if (m != NULL)
				xmlNodeSetLang(m, BAD_CAST "en");
		}
		goto done;
	}
	if ((text = read_file(match->path, YANG_MAX_SIZE, &len)) == NULL) {
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "cannot read schema %s", id);
		goto done;
	}
	if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL)
		xoom();
	container = xmlNewNode(NULL, BAD_CAST "data");
	xmlDocSetRootElement(doc, container);
	xmlAddChild(container, xmlNewDocTextLen(doc, BAD_CAST text, (int)len));
	rpc_reply_data(r, container, doc);
	r->data_ns = NCM_NS;
done:
	free(id);
	free(version);
	free(format);
	free(text);
}

void
monitoring_init(void)
{
	load_schemas();
	if (nc_register_op(NCM_NS, "get-schema", op_get_schema) == -1)
		log_warnx("cannot register get-schema");
	if (nc_add_state_source(monitoring_collect) == -1)
		log_warnx("cannot register netconf-state");
	(void)nc_add_capability(NCM_NS);
	for (size_t i = 0; i < nschemas; i++) {
		const struct module_note *note = module_note(schemas[i].identifier);

		if (note == NULL || !note->served_only)
			(void)nc_add_capability(schemas[i].capability);
	}
}
