/*
 * The built-in schema facts NACM uses until the schema layer (libyang)
 * supplies them: module <-> namespace, given (the module set's scan,
 * ops/nacm.c) or from the first 4 kB of a .yang file (the files the
 * scan did not read, or every file of a folder for the tests), and a
 * table of the default-deny-write/-all nodes of the modules in yang/
 * (checked against those files by test_nacm).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errbuf.h"
#include "nacm_int.h"

#define YANG_MAX_BYTES	(4 * 1024 * 1024)
#define YANG_MAX_FILES	4096
#define YANG_HEAD_BYTES	4096	/* read first: a module's name and namespace lead */

#define NS_ACM		"urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
#define NS_NETCONF	"urn:ietf:params:xml:ns:netconf:base:1.0"
#define NS_SYSTEM	"urn:ietf:params:xml:ns:yang:ietf-system"
#define SYS		"/ietf-system:system"

static const struct nacm_ext builtin_exts[] = {
	{ NACM_EXT_DATA, NACM_DENY_ALL, "ietf-netconf-acm", "/ietf-netconf-acm:nacm" },
	{ NACM_EXT_RPC, NACM_DENY_ALL, "ietf-netconf", "delete-config" },
	{ NACM_EXT_RPC, NACM_DENY_ALL, "ietf-netconf", "kill-session" },
	{ NACM_EXT_DATA, NACM_DENY_ALL, "ietf-system", SYS "/ietf-system:radius"
	    "/ietf-system:server/ietf-system:udp/ietf-system:shared-secret" },
	{ NACM_EXT_DATA, NACM_DENY_WRITE, "ietf-system", SYS "/ietf-system:authentication" },
	{ NACM_EXT_RPC, NACM_DENY_ALL, "ietf-system", "set-current-datetime" },
	{ NACM_EXT_RPC, NACM_DENY_ALL, "ietf-system", "system-restart" },
	{ NACM_EXT_RPC, NACM_DENY_ALL, "ietf-system", "system-shutdown" },
};

/* The table's modules, known even without a folder. */
static const char *const builtin_mods[][2] = {
	{ "ietf-netconf-acm", NS_ACM },
	{ "ietf-netconf", NS_NETCONF },
	{ "ietf-system", NS_SYSTEM },
};

struct module {
	char	*name;
	char	*ns;
};

struct builtin {
	struct nacm_schema pub;		/* first: the caller's pointer */
	struct module	*mod;
	size_t		 nmod;
};

static const char *
b_module_ns(void *arg, const char *module)
{
	const struct builtin *b = arg;

	for (size_t i = 0; i < b->nmod; i++)
		if (strcmp(b->mod[i].name, module) == 0)
			return b->mod[i].ns;
	for (size_t i = 0; i < sizeof(builtin_mods) / sizeof(builtin_mods[0]); i++)
		if (strcmp(builtin_mods[i][0], module) == 0)
			return builtin_mods[i][1];
	return NULL;
}

static const char *
b_ns_module(void *arg, const char *ns)
{
	const struct builtin *b = arg;

	for (size_t i = 0; i < b->nmod; i++)
		if (strcmp(b->mod[i].ns, ns) == 0)
			return b->mod[i].name;
	for (size_t i = 0; i < sizeof(builtin_mods) / sizeof(builtin_mods[0]); i++)
		if (strcmp(builtin_mods[i][1], ns) == 0)
			return builtin_mods[i][0];
	return NULL;
}

static const struct nacm_ext *
b_exts(void *arg, size_t *n)
{
	(void)arg;
	*n = sizeof(builtin_exts) / sizeof(builtin_exts[0]);
	return builtin_exts;
}

/* ---- reading a module's header ---- */

struct tok {
	const char	*p, *end;
	char		 buf[1024];
};

/* The next YANG token (a word, a string with concatenations, or ; { }); NULL at the end. */
static const char *
next_token(struct tok *t)
{
	size_t n = 0;

	for (;;) {
		while (t->p < t->end && (*t->p == ' ' || *t->p == '\t' ||
		    *t->p == '\r' || *t->p == '\n'))
			t->p++;
		if (t->p + 1 < t->end && t->p[0] == '/' && t->p[1] == '/') {
			while (t->p < t->end && *t->p != '\n')
				t->p++;
		} else if (t->p + 1 < t->end && t->p[0] == '/' && t->p[1] == '*') {
			const char *e = NULL;

			for (const char *q = t->p + 2; q + 1 < t->end && e == NULL; q++)
				if (q[0] == '*' && q[1] == '/')
					e = q + 2;
			t->p = e != NULL ? e : t->end;
		} else
			break;
	}
	if (t->p >= t->end)
		return NULL;
	if (*t->p == ';' || *t->p == '{' || *t->p == '}') {
		t->buf[0] = *t->p++;
		t->buf[1] = '\0';
		return t->buf;
	}
	if (*t->p != '"' && *t->p != '\'') {
		while (t->p < t->end && strchr(" \t\r\n;{}", *t->p) == NULL) {
			if (n + 1 < sizeof(t->buf))
				t->buf[n++] = *t->p;
			t->p++;
		}
		t->buf[n] = '\0';
		return t->buf;
	}
	for (;;) {	/* "a" + 'b' ... */
		char q = *t->p++;

		while (t->p < t->end && *t->p != q) {
			char c = *t->p++;

			if (q == '"' && c == '\\' && t->p < t->end) {
				c = *t->p == 'n' ? '\n' : *t->p == 't' ? '\t' : *t->p;
				t->p++;
			}
			if (n + 1 < sizeof(t->buf))
				t->buf[n++] = c;
		}
		if (t->p < t->end)
			t->p++;
		{
			const char *save = t->p;

			while (t->p < t->end && strchr(" \t\r\n", *t->p) != NULL)
				t->p++;
			if (t->p + 1 < t->end && *t->p == '+') {
				t->p++;
				while (t->p < t->end && strchr(" \t\r\n", *t->p) != NULL)
					t->p++;
				if (t->p < t->end && (*t->p == '"' || *t->p == '\''))
					continue;
			}
			t->p = save;
		}
		break;
	}
	t->buf[n] = '\0';
	return t->buf;
}

/*
 * "module NAME { ... namespace NS; ...": 1 with *name and *ns, 0 if not a
 * module.  *decided: text's bytes settled the answer 1 (a whole token
 * other than "+" follows NS's within them), so a longer file with this
 * beginning gives the same; otherwise only the whole file can tell.
 */
static int
module_header(const char *text, size_t len, char **name, char **ns, int *decided)
{
	struct tok t = { text, text + len, "" };
	const char *w;
	int depth = 0;

	*name = *ns = NULL;
	*decided = 0;
	if ((w = next_token(&t)) == NULL || strcmp(w, "module") != 0 ||
	    (w = next_token(&t)) == NULL || (*name = strdup(w)) == NULL)
		return 0;
	while ((w = next_token(&t)) != NULL) {
		if (strcmp(w, "{") == 0)
			depth++;
		else if (strcmp(w, "}") == 0)
			depth--;
		else if (depth == 1 && strcmp(w, "namespace") == 0) {
			if ((w = next_token(&t)) != NULL && (*ns = strdup(w)) != NULL) {
				/* a "+" next: the rest of a concatenation lies past text */
				*decided = (w = next_token(&t)) != NULL && strcmp(w, "+") != 0 &&
				    t.p < t.end;
				return 1;
			}
			break;
		}
		if (depth <= 0 && strcmp(w, "{") != 0 && strcmp(w, ";") != 0)
			break;
	}
	free(*name);
	*name = NULL;
	return 0;
}

/*
 * A module file's name and namespace (module_header); 1, or 0 when it
 * cannot be read or its first YANG_HEAD_BYTES do not settle them.  Only
 * those bytes are read, into a buffer on the stack: a module whose
 * module and namespace statements lie further in is not found
 * (nchome-netconf(8) ACCESS CONTROL; a module of the set is not read
 * here, ops/nacm.c has its name from the schema layer's scan).
 */
static int
read_header(int dirfd, const char *file, char **name, char **ns)
{
	struct stat st;
	char head[YANG_HEAD_BYTES + 1];
	size_t got = 0, want;
	ssize_t r;
	int fd, found, decided;

	*name = *ns = NULL;
	if ((fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) == -1)
		return 0;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size > YANG_MAX_BYTES) {
		close(fd);
		return 0;
	}
	want = (size_t)st.st_size < YANG_HEAD_BYTES ? (size_t)st.st_size : YANG_HEAD_BYTES;
	while (got < want && (r = read(fd, head + got, want - got)) > 0)
		got += (size_t)r;
	head[got] = '\0';
	close(fd);
	found = module_header(head, got, name, ns, &decided);
	/* the whole file, or a header its first bytes settle */
	if (found && (got == (size_t)st.st_size || decided))
		return 1;
	free(*name);
	free(*ns);
	*name = *ns = NULL;
	return 0;
}

/* Adds module name with namespace ns unless a module of that name is known; 0 or -1. */
static int
add_module(struct builtin *b, char *name, char *ns, char *err, size_t errlen)
{
	struct module *nm;

	if (b_module_ns(b, name) != NULL) {
		free(name);
		free(ns);
		return 0;
	}
	if ((nm = realloc(b->mod, (b->nmod + 1) * sizeof(*nm))) == NULL) {
		free(name);
		free(ns);
		return set_err(err, errlen, "out of memory");
	}
	b->mod = nm;
	nm[b->nmod].name = name;
	nm[b->nmod].ns = ns;
	b->nmod++;
	return 0;
}

/* missing_ok: a folder that cannot be opened holds no modules. */
static int
load_dir(struct builtin *b, const char *dir, int missing_ok, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t files = 0;

	if (d == NULL && missing_ok)
		return 0;
	if (d == NULL)
		return set_err(err, errlen, "%s: cannot open the folder", dir);
	while ((de = readdir(d)) != NULL && files < YANG_MAX_FILES) {
		size_t l = strlen(de->d_name);
		char *name, *ns;

		if (l < 6 || strcmp(de->d_name + l - 5, ".yang") != 0)
			continue;
		files++;
		if (read_header(dirfd(d), de->d_name, &name, &ns) &&
		    add_module(b, name, ns, err, errlen) == -1) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

void
nacm_schema_builtin_free(struct nacm_schema *schema)
{
	struct builtin *b = (struct builtin *)schema;

	if (b == NULL)
		return;
	for (size_t i = 0; i < b->nmod; i++) {
		free(b->mod[i].name);
		free(b->mod[i].ns);
	}
	free(b->mod);
	free(b);
}

int
nacm_schema_builtin_add(struct nacm_schema *schema, const char *yang_dir, char *err,
    size_t errlen)
{
	/* as nchome.conf(5) says of yang-dir: a folder that does not exist holds no modules */
	return load_dir((struct builtin *)schema, yang_dir, 1, err, errlen);
}

int
nacm_schema_builtin_add_module(struct nacm_schema *schema, const char *name, const char *ns,
    char *err, size_t errlen)
{
	char *n = strdup(name), *s = strdup(ns);

	if (n == NULL || s == NULL) {
		free(n);
		free(s);
		return set_err(err, errlen, "out of memory");
	}
	return add_module((struct builtin *)schema, n, s, err, errlen);
}

int
nacm_schema_builtin_add_file(struct nacm_schema *schema, const char *path, char *err,
    size_t errlen)
{
	char *name, *ns;

	if (!read_header(AT_FDCWD, path, &name, &ns))
		return 0;
	return add_module((struct builtin *)schema, name, ns, err, errlen);
}

struct nacm_schema *
nacm_schema_builtin(const char *yang_dir, char *err, size_t errlen)
{
	struct builtin *b = calloc(1, sizeof(*b));

	if (b == NULL) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	b->pub.module_ns = b_module_ns;
	b->pub.ns_module = b_ns_module;
	b->pub.exts = b_exts;
	b->pub.is_key = NULL;
	b->pub.arg = b;
	if (yang_dir != NULL && load_dir(b, yang_dir, 0, err, errlen) == -1) {
		nacm_schema_builtin_free(&b->pub);
		return NULL;
	}
	return &b->pub;
}
