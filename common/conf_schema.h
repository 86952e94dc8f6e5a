/*
 * The nchome.conf key table and its error reporting (conf.c's parts; not
 * for other callers).
 */
#ifndef NCHOME_CONF_SCHEMA_H
#define NCHOME_CONF_SCHEMA_H

#include <confuse.h>
#include <stddef.h>
#include <stdio.h>

/*
 * A parser for path whose errors go to err as "file:line: message" (the
 * first one only) until conf_schema_free().  One at a time.  NULL: out of
 * memory.
 */
cfg_t *conf_schema_new(const char *path, char *err, size_t errlen);

/* 1 when the parser has written an error into err. */
int conf_schema_reported(void);

void conf_schema_free(cfg_t *cfg);

/* -1 (err set) when a "{" in fp is never closed; rewinds fp. */
int conf_check_braces(FILE *fp, const char *path, char *err, size_t errlen);

#endif
