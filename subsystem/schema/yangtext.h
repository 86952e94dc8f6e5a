/*
 * What a YANG module file says about itself, read from its statements
 * without libyang: name, namespace, prefix, latest revision, YANG
 * version, imports, includes, features and deviation targets.  The
 * hello's capabilities and the content-id come from this (see schema.h,
 * "What is lazy"): scanning the files nchome ships takes well under a
 * millisecond, building a libyang context about 10.
 *
 * The scanner knows YANG's lexical rules (quoted and concatenated
 * strings, comments, nested blocks) and looks at the body statements of
 * the module and at the few substatements named below; everything else
 * is skipped.  It is not a validator: libyang checks the text when the
 * context is built.
 */
#ifndef NCHOME_SCHEMA_YANGTEXT_H
#define NCHOME_SCHEMA_YANGTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "fnv.h"

#define YANG_FILE_MAX	(4 * 1024 * 1024)	/* bytes; larger files are refused */

struct yang_import {
	char	*name;
	char	*prefix;
	char	*revision;	/* revision-date, NULL: any */
};

struct yang_feature {
	char	*name;
	char	*needs;		/* the one feature its if-feature names, NULL
				   when none or an expression (libyang checks
				   those when the context is built) */
};

struct yang_text {
	char			*name;		/* module or submodule name */
	int			 submodule;
	char			*belongs_to;	/* submodules */
	char			*ns;		/* modules */
	char			*prefix;	/* modules: own prefix */
	char			*revision;	/* latest revision date, "" when none */
	int			 yang11;	/* yang-version 1.1 */
	struct yang_import	*imports;
	size_t			 nimports;
	char			**includes;	/* submodule names */
	size_t			 nincludes;
	struct yang_feature	*features;
	size_t			 nfeatures;
	char			**deviates;	/* prefixes of deviation targets' first node */
	size_t			 ndeviates;
	uint64_t		 hash;		/* FNV-1a 64 of the file's bytes */
};

/*
 * Scans YANG text (NUL-terminated, len bytes).  0, or -1 with a message
 * in err (names no file: the caller adds it).
 */
int yang_text_scan(const char *text, size_t len, struct yang_text *out,
    char *err, size_t errlen);

/* Reads a file of at most YANG_FILE_MAX bytes; malloc()ed, NUL-terminated. */
char *yang_read_file(const char *path, size_t *lenp);

void yang_text_free(struct yang_text *yt);

/*
 * FNV-1a 64's step over 8-byte words, then fnv1a64 over the tail bytes,
 * continuing from h (start with YANG_FNV_INIT): not fnv1a64's values.
 */
#define YANG_FNV_INIT	FNV1A64_BASIS
uint64_t yang_fnv(uint64_t h, const void *data, size_t len);

/* ---- yanglex.c: the lexer yangtext.c's scanner reads statements with ---- */

#define YANG_MAX_DEPTH	64	/* nested blocks; deeper text is refused */

enum tok { T_EOF, T_WORD, T_STR, T_LBRACE, T_RBRACE, T_SEMI, T_ERR };

struct lex {
	const char	*start, *p, *end;
	const char	*word;		/* the last T_WORD, not terminated */
	size_t		 wordlen;
	char		*err;
	size_t		 errlen;
};

/* A message (with the line lx is at) into lx->err: T_ERR. */
enum tok yang_lex_fail(struct lex *lx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The next token.  For T_WORD and T_STR the text goes to *val
 * (malloc()ed) when val is not NULL.
 */
enum tok yang_lex_next(struct lex *lx, char **val);

/*
 * Skips the rest of a block the scanner does not look into (lx->p just
 * past its "{") and its closing "}"; depth is the block's own nesting
 * depth.  0 or -1 (message in lx->err).
 */
int yang_skip_block(struct lex *lx, int depth);

#endif
