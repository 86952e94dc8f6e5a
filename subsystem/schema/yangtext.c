/*
 * The YANG statement scanner (see yangtext.h).
 *
 * RFC 7950 6.1: a statement is a keyword, an optional argument and
 * either ";" or a block of substatements in braces.  An argument is an
 * unquoted string or one or more quoted strings joined with "+".  Only
 * the arguments of the statements this file looks at are copied; the
 * rest (descriptions, mostly) is skipped in place.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fnv.h"
#include "yangtext.h"

/* Where a statement sits, for deciding what to keep. */
enum scope { S_TOP, S_BODY, S_IMPORT, S_FEATURE, S_INCLUDE, S_SKIP };

struct scan {
	struct lex		 lx;
	struct yang_text	*yt;
	int			 if_features;	/* in the current feature */
};

static int parse_block(struct scan *sc, enum scope scope, int depth, void *item);

static int
push_str(char ***arr, size_t *n, char *s)
{
	char **na = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (na == NULL)
		return -1;
	na[(*n)++] = s;
	*arr = na;
	return 0;
}

/*
 * Keeps what this statement says.  arg is the statement's argument
 * (malloc()ed, taken over, may be NULL); *child gets the item the
 * substatements refine, and *sub their scope.
 */
static int
keep(struct scan *sc, enum scope scope, const char *kw, char *arg, void *item,
    enum scope *sub, void **child)
{
	struct yang_text *yt = sc->yt;
	struct yang_import *imp;
	struct yang_feature *feat;
	const char *colon;

	*sub = S_SKIP;
	*child = NULL;
	if (scope == S_BODY) {
		if (strcmp(kw, "yang-version") == 0) {
			yt->yang11 = arg != NULL && strcmp(arg, "1.1") == 0;
		} else if (strcmp(kw, "namespace") == 0 && yt->ns == NULL) {
			yt->ns = arg;
			return 0;
		} else if (strcmp(kw, "prefix") == 0 && yt->prefix == NULL) {
			yt->prefix = arg;
			return 0;
		} else if (strcmp(kw, "belongs-to") == 0 && yt->belongs_to == NULL) {
			yt->belongs_to = arg;
			return 0;
		} else if (strcmp(kw, "revision") == 0 && arg != NULL) {
			if (yt->revision == NULL || strcmp(arg, yt->revision) > 0) {
				free(yt->revision);
				yt->revision = arg;
				return 0;
			}
		} else if (strcmp(kw, "import") == 0 && arg != NULL) {
			imp = realloc(yt->imports, (yt->nimports + 1) * sizeof(*imp));
			if (imp == NULL)
				goto oom;
			yt->imports = imp;
			imp = &yt->imports[yt->nimports++];
			memset(imp, 0, sizeof(*imp));
			imp->name = arg;
			*sub = S_IMPORT;
			*child = imp;
			return 0;
		} else if (strcmp(kw, "include") == 0 && arg != NULL) {
			if (push_str(&yt->includes, &yt->nincludes, arg) == -1)
				goto oom;
			*sub = S_INCLUDE;
			return 0;
		} else if (strcmp(kw, "feature") == 0 && arg != NULL) {
			feat = realloc(yt->features, (yt->nfeatures + 1) * sizeof(*feat));
			if (feat == NULL)
				goto oom;
			yt->features = feat;
			feat = &yt->features[yt->nfeatures++];
			feat->name = arg;
			feat->needs = NULL;
			sc->if_features = 0;
			*sub = S_FEATURE;
			*child = feat;
			return 0;
		} else if (strcmp(kw, "deviation") == 0 && arg != NULL) {
			/* "/pfx:node/...": keep pfx */
			if (arg[0] == '/' && (colon = strchr(arg, ':')) != NULL &&
			    strcspn(arg + 1, "/") > (size_t)(colon - arg - 1)) {
				memmove(arg, arg + 1, (size_t)(colon - arg - 1));
				arg[colon - arg - 1] = '\0';
				if (push_str(&yt->deviates, &yt->ndeviates, arg) == -1)
					goto oom;
				return 0;
			}
		}
	} else if (scope == S_IMPORT) {
		imp = item;
		if (strcmp(kw, "prefix") == 0 && imp->prefix == NULL) {
			imp->prefix = arg;
			return 0;
		}
		if (strcmp(kw, "revision-date") == 0 && imp->revision == NULL) {
			imp->revision = arg;
			return 0;
		}
	} else if (scope == S_FEATURE && strcmp(kw, "if-feature") == 0) {
		feat = item;
		/* one plain identifier: a dependency the scanner can check */
		if (++sc->if_features == 1 && arg != NULL &&
		    arg[strcspn(arg, " \t\r\n()")] == '\0') {
			feat->needs = arg;
			return 0;
		}
		free(feat->needs);
		feat->needs = NULL;
	}
	free(arg);
	return 0;
oom:
	free(arg);
	yang_lex_fail(&sc->lx, "out of memory");
	return -1;
}

/* Whether the argument of kw in scope is worth copying. */
static int
wants_arg(enum scope scope, const char *kw)
{
	static const char *const body[] = { "yang-version", "namespace", "prefix",
	    "belongs-to", "revision", "import", "include", "feature", "deviation" };

	switch (scope) {
	case S_TOP:
		return 1;
	case S_BODY:
		/* first letters compared first: most statements match none */
		for (size_t i = 0; i < sizeof(body) / sizeof(body[0]); i++)
			if (body[i][0] == kw[0] && strcmp(kw, body[i]) == 0)
				return 1;
		return 0;
	case S_IMPORT:
		return strcmp(kw, "prefix") == 0 || strcmp(kw, "revision-date") == 0;
	case S_FEATURE:
		return strcmp(kw, "if-feature") == 0;
	default:
		return 0;
	}
}

/*
 * Statements up to the "}" closing this block (or EOF at the top).
 * 0 or -1 (message in sc->lx.err).
 */
static int
parse_block(struct scan *sc, enum scope scope, int depth, void *item)
{
	char kw[64], *arg;
	enum tok t;
	enum scope sub;
	void *child;
	int want;

	if (depth > YANG_MAX_DEPTH) {
		yang_lex_fail(&sc->lx, "blocks nested too deep");
		return -1;
	}
	for (;;) {
		t = yang_lex_next(&sc->lx, NULL);
		if (t == T_ERR)
			return -1;
		if (t == T_EOF) {
			if (scope == S_TOP)
				return 0;
			yang_lex_fail(&sc->lx, "\"{\" is never closed");
			return -1;
		}
		if (t == T_RBRACE) {
			if (scope != S_TOP)
				return 0;
			yang_lex_fail(&sc->lx, "unexpected \"}\"");
			return -1;
		}
		if (t != T_WORD) {
			yang_lex_fail(&sc->lx, "a statement must start with a keyword");
			return -1;
		}
		/* a keyword too long to be one of ours (an extension's) is "" */
		kw[0] = '\0';
		if (sc->lx.wordlen < sizeof(kw)) {
			memcpy(kw, sc->lx.word, sc->lx.wordlen);
			kw[sc->lx.wordlen] = '\0';
		}
		want = wants_arg(scope, kw);
		arg = NULL;
		t = yang_lex_next(&sc->lx, want ? &arg : NULL);
		if (t == T_WORD || t == T_STR)
			t = yang_lex_next(&sc->lx, NULL);
		if (t != T_SEMI && t != T_LBRACE) {
			free(arg);
			if (t != T_ERR)
				yang_lex_fail(&sc->lx, "\";\" or \"{\" expected");
			return -1;
		}
		if (scope == S_TOP) {
			if (sc->yt->name != NULL ||
			    (strcmp(kw, "module") != 0 && strcmp(kw, "submodule") != 0) ||
			    arg == NULL || t != T_LBRACE) {
				free(arg);
				yang_lex_fail(&sc->lx, "not a YANG module or submodule");
				return -1;
			}
			sc->yt->submodule = strcmp(kw, "submodule") == 0;
			sc->yt->name = arg;
			sub = S_BODY;
			child = NULL;
		} else if (scope == S_BODY && !want) {
			sub = S_SKIP;	/* keep() keeps no other statement of a body */
			child = NULL;
		} else if (keep(sc, scope, kw, arg, item, &sub, &child) == -1)
			return -1;
		if (t != T_LBRACE)
			continue;
		if (sub == S_SKIP) {
			if (depth + 1 > YANG_MAX_DEPTH) {
				yang_lex_fail(&sc->lx, "blocks nested too deep");
				return -1;
			}
			if (yang_skip_block(&sc->lx, depth + 1) == -1)
				return -1;
		} else if (parse_block(sc, sub, depth + 1, child) == -1)
			return -1;
	}
}

int
yang_text_scan(const char *text, size_t len, struct yang_text *yt, char *err,
    size_t errlen)
{
	struct scan sc;

	memset(yt, 0, sizeof(*yt));
	memset(&sc, 0, sizeof(sc));
	sc.lx.start = sc.lx.p = text;
	sc.lx.end = text + len;
	sc.lx.err = err;
	sc.lx.errlen = errlen;
	sc.yt = yt;
	if (parse_block(&sc, S_TOP, 0, NULL) == -1)
		goto fail;
	if (yt->name == NULL) {
		yang_lex_fail(&sc.lx, "not a YANG module or submodule");
		goto fail;
	}
	if (!yt->submodule && (yt->ns == NULL || yt->prefix == NULL)) {
		snprintf(err, errlen, "module %s has no namespace or prefix", yt->name);
		goto fail;
	}
	if (yt->submodule && yt->belongs_to == NULL) {
		snprintf(err, errlen, "submodule %s has no belongs-to", yt->name);
		goto fail;
	}
	if (yt->revision == NULL && (yt->revision = strdup("")) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	yt->hash = yang_fnv(YANG_FNV_INIT, text, len);
	return 0;
fail:
	yang_text_free(yt);
	return -1;
}

char *
yang_read_file(const char *path, size_t *lenp)
{
	struct stat st;
	size_t len = 0;
	ssize_t n;
	char *buf;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode) || st.st_size > YANG_FILE_MAX) {
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		goto fail;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
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
fail:
	close(fd);
	return NULL;
}

void
yang_text_free(struct yang_text *yt)
{
	free(yt->name);
	free(yt->belongs_to);
	free(yt->ns);
	free(yt->prefix);
	free(yt->revision);
	for (size_t i = 0; i < yt->nimports; i++) {
		free(yt->imports[i].name);
		free(yt->imports[i].prefix);
		free(yt->imports[i].revision);
	}
	free(yt->imports);
	for (size_t i = 0; i < yt->nincludes; i++)
		free(yt->includes[i]);
	free(yt->includes);
	for (size_t i = 0; i < yt->nfeatures; i++) {
		free(yt->features[i].name);
		free(yt->features[i].needs);
	}
	free(yt->features);
	for (size_t i = 0; i < yt->ndeviates; i++)
		free(yt->deviates[i]);
	free(yt->deviates);
	memset(yt, 0, sizeof(*yt));
}
