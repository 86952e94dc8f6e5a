/*
 * Allocation that cannot fail, as in OpenSSH (xmalloc.c): on exhaustion
 * the process logs and exits (fatal), so callers never test for NULL.
 * This is nchome-netconf's one out-of-memory convention: a session process
 * that cannot allocate cannot answer anyway, and its datastores are
 * written atomically, so ending it loses nothing stored.  libxml2's own
 * allocations that return NULL are treated the same way (fatalx "out of
 * memory"), never with abort().
 */
#ifndef NCHOME_XMALLOC_H
#define NCHOME_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t size);
void	*xcalloc(size_t n, size_t size);
void	*xreallocarray(void *p, size_t n, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
int	 xasprintf(char **out, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* For a library call (libxml2) that returned NULL for lack of memory. */
void	 xoom(void) __attribute__((noreturn));

#endif
