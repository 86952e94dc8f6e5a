/*
 * The YANG lexer (see yangtext.h): tokens by RFC 7950 6.1's rules
 * (quoted and concatenated strings, comments), a block skipped by its
 * strings, comments and braces alone, and the hash of a file's bytes.
 * yangtext.c's scanner reads statements with it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "yangtext.h"

/* FNV-1a's step over 8-byte words, then the tail byte by byte (fnv1a64): 8x faster. */
uint64_t
yang_fnv(uint64_t h, const void *data, size_t len)
{
	const unsigned char *b = data;
	uint64_t w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, b + i, 8);
		h ^= w;
		h *= FNV1A64_PRIME;
		h ^= h >> 29;
	}
	return fnv1a64(h, b + i, len - i);
}

enum tok
yang_lex_fail(struct lex *lx, const char *fmt, ...)
{
	va_list ap;
	int n;

	int line = 1;

	/* lines are counted here, on error only: skipping text stays a memchr() */
	for (const char *q = lx->start; q < lx->p && q < lx->end; q++)
		line += *q == '\n';
	n = snprintf(lx->err, lx->errlen, "line %d: ", line);
	if (n >= 0 && (size_t)n < lx->errlen) {
		va_start(ap, fmt);
		vsnprintf(lx->err + n, lx->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return T_ERR;
}

/* YANG white space (RFC 7950 6.1.1 plus \r, \f, \v as isspace() has them). */
#define IS_SPACE(c)	((c) == ' ' || (c) == '\n' || (c) == '\t' || (c) == '\r' || \
			 (c) == '\f' || (c) == '\v')

/* Skips white space and comments; -1 on an unterminated comment. */
static int
skip_space(struct lex *lx)
{
	const char *q;

	while (lx->p < lx->end) {
		if (IS_SPACE(*lx->p)) {
			lx->p++;
		} else if (lx->p + 1 < lx->end && lx->p[0] == '/' && lx->p[1] == '/') {
			q = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
			lx->p = q != NULL ? q : lx->end;
		} else if (lx->p + 1 < lx->end && lx->p[0] == '/' && lx->p[1] == '*') {
			if ((q = memmem(lx->p + 2, (size_t)(lx->end - lx->p - 2), "*/", 2)) == NULL)
				return -1;
			lx->p = q + 2;
		} else
			break;
	}
	return 0;
}

/* Appends s[0..n) to the malloc()ed *buf of *len bytes; -1 on ENOMEM. */
static int
append(char **buf, size_t *len, const char *s, size_t n)
{
	char *nb;

	if (buf == NULL)
		return 0;
	if ((nb = realloc(*buf, *len + n + 1)) == NULL)
		return -1;
	memcpy(nb + *len, s, n);
	*len += n;
	nb[*len] = '\0';
	*buf = nb;
	return 0;
}

/* 1 when the quote at e is escaped: an odd number of backslashes before it. */
static int
escaped(const char *start, const char *e)
{
	size_t n = 0;

	while (e - n > start && e[-1 - (ptrdiff_t)n] == '\\')
		n++;
	return n % 2 == 1;
}

/*
 * One quoted string at lx->p (its quote), appended to *val when val is
 * not NULL.  In double quotes \n \t \" \\ are unescaped; the line-break
 * trimming of RFC 7950 6.1.3 is not done (no argument read here spans
 * lines).
 */
static enum tok
lex_quoted(struct lex *lx, char **val, size_t *vlen)
{
	const char *opening = lx->p;
	char q = *lx->p++, c;
	const char *start = lx->p, *e;

	if (q == '\'' || val == NULL) {
		/* no escapes in single quotes; skipped text needs none undone */
		for (;;) {
			e = memchr(lx->p, q, (size_t)(lx->end - lx->p));
			if (e == NULL || q == '\'' || !escaped(start, e))
				break;
			lx->p = e + 1;
		}
		if (e == NULL) {
			lx->p = opening;	/* the error names the line it starts on */
			return yang_lex_fail(lx, "unterminated string");
		}
		lx->p = e;
		if (append(val, vlen, start, (size_t)(e - start)) == -1)
			return yang_lex_fail(lx, "out of memory");
		lx->p++;
		return T_STR;
	}
	for (; lx->p < lx->end && *lx->p != q; lx->p++) {
		if (*lx->p == '\\' && lx->p + 1 < lx->end) {
			if (append(val, vlen, start, (size_t)(lx->p - start)) == -1)
				return yang_lex_fail(lx, "out of memory");
			c = lx->p[1];
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
			if (append(val, vlen, &c, 1) == -1)
				return yang_lex_fail(lx, "out of memory");
			lx->p++;
			start = lx->p + 1;
		}
	}
	if (lx->p >= lx->end) {
		lx->p = opening;
		return yang_lex_fail(lx, "unterminated string");
	}
	if (append(val, vlen, start, (size_t)(lx->p - start)) == -1)
		return yang_lex_fail(lx, "out of memory");
	lx->p++;
	return T_STR;
}

/* An unquoted string ends at white space, ;{}, a quote or a comment. */
static inline int
word_end(const struct lex *lx)
{
	char c = *lx->p;

	if (c > '\'' && c != '/' && c != ';' && c != '{' && c != '}')
		return 0;	/* the common case: a letter, a digit, - . : */
	return IS_SPACE(c) || c == ';' || c == '{' || c == '}' || c == '"' || c == '\'' ||
	    (c == '/' && lx->p + 1 < lx->end && (lx->p[1] == '/' || lx->p[1] == '*'));
}

/*
 * The next token.  For T_WORD and T_STR the text goes to *val
 * (malloc()ed) when val is not NULL.
 */
enum tok
yang_lex_next(struct lex *lx, char **val)
{
	size_t vlen = 0;
	const char *start;
	enum tok t;

	if (val != NULL)
		*val = NULL;
	if (skip_space(lx) == -1)
		return yang_lex_fail(lx, "unterminated comment");
	if (lx->p >= lx->end)
		return T_EOF;
	switch (*lx->p) {
	case '{':
		lx->p++;
		return T_LBRACE;
	case '}':
		lx->p++;
		return T_RBRACE;
	case ';':
		lx->p++;
		return T_SEMI;
	case '"':
	case '\'':
		if (val != NULL && (*val = strdup("")) == NULL)
			return yang_lex_fail(lx, "out of memory");
		for (;;) {
			if ((t = lex_quoted(lx, val, &vlen)) != T_STR)
				goto fail;
			if (skip_space(lx) == -1) {
				t = yang_lex_fail(lx, "unterminated comment");
				goto fail;
			}
			if (lx->p >= lx->end || *lx->p != '+')
				return T_STR;
			lx->p++;
			if (skip_space(lx) == -1 || lx->p >= lx->end ||
			    (*lx->p != '"' && *lx->p != '\'')) {
				t = yang_lex_fail(lx, "\"+\" not followed by a quoted string");
				goto fail;
			}
		}
	default:
		lx->word = start = lx->p;
		while (lx->p < lx->end && !word_end(lx))
			lx->p++;
		lx->wordlen = (size_t)(lx->p - start);
		if (val != NULL && (*val = strndup(start, lx->wordlen)) == NULL)
			return yang_lex_fail(lx, "out of memory");
		return T_WORD;
	}
fail:
	if (val != NULL) {
		free(*val);
		*val = NULL;
	}
	return t;
}

/*
 * Skips the rest of a block the scanner does not look into (lx->p just
 * past its "{") and its closing "}".  Inside it only strings, comments
 * and braces can change where the block ends (an unquoted string holds
 * none of them, RFC 7950 6.1.3), so this jumps between those characters
 * instead of splitting the text into statements: most of a module's
 * text is such blocks, and the hello waits for every module's scan.
 * depth is the block's own nesting depth.  0 or -1 (message in lx->err).
 */
int
yang_skip_block(struct lex *lx, int depth)
{
	int open = 1;

	while (lx->p < lx->end) {
		/* the text is NUL-terminated: strcspn() stops at the end */
		lx->p += strcspn(lx->p, "{}\"'/");
		if (lx->p >= lx->end)
			break;
		switch (*lx->p) {
		case '{':
			if (depth + open > YANG_MAX_DEPTH) {
				yang_lex_fail(lx, "blocks nested too deep");
				return -1;
			}
			open++;
			lx->p++;
			break;
		case '}':
			lx->p++;
			if (--open == 0)
				return 0;
			break;
		case '"':
		case '\'':
			if (lex_quoted(lx, NULL, NULL) == T_ERR)
				return -1;
			break;
		case '/':
			if (skip_space(lx) == -1) {
				yang_lex_fail(lx, "unterminated comment");
				return -1;
			}
			if (*lx->p == '/')	/* not a comment: a "/" in a word */
				lx->p++;
			break;
		default:		/* a NUL inside the text */
			lx->p++;
			break;
		}
	}
	yang_lex_fail(lx, "\"{\" is never closed");
	return -1;
}
