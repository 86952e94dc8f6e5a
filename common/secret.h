/*
 * Client secrets (the HMAC key of the Junos initiation sequence): read
 * from a secret-file that only root may read or change, and kept track of
 * so that a forked child can wipe its copy of every one before it runs
 * anything else (sshd, the resolver).
 */
#ifndef NCHOME_SECRET_H
#define NCHOME_SECRET_H

#include <stddef.h>

#define SECRET_FILE_MAX	1024	/* bytes of a secret-file, newline included */

/*
 * Reads the secret in path: a regular file (not followed if a link, never
 * waited on if a FIFO) of the dialer's user, readable and writable by no
 * one else (mode 0600 or 0400), and as root in folders only root may
 * change (safepath.c); one line, its newline dropped, no control
 * character, not empty.  Returns a copy made with secret_dup(), or NULL
 * with "path: why" in err (never the secret).
 */
char *secret_file_read(const char *path, char *err, size_t errlen);

/* A copy of s that secrets_wipe_all() knows; NULL when out of memory. */
char *secret_dup(const char *s);

/* Wipes and frees a secret_dup() copy (NULL: nothing). */
void secret_free(char *s);

/*
 * In a child after fork(): overwrites every live secret in this process's
 * copy of memory.  Async-signal-safe (no allocation, no locks).
 */
void secrets_wipe_all(void);

#endif
