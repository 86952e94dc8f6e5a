/*
 * Error messages for the caller: functions that can fail in ways an
 * operator must read (config files, the initiation key) write the reason
 * into a buffer the caller owns and logs, instead of logging themselves.
 */
#ifndef NCHOME_ERRBUF_H
#define NCHOME_ERRBUF_H

#include <stddef.h>

/* Formats into err (always terminated, cut to errlen) and returns -1. */
int set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
