/*
 * The `sticky` reconnect strategy's memory: which address of a client last
 * gave a session, kept in state-dir so that it survives a restart.
 */
#ifndef NCHOME_LASTSTATE_H
#define NCHOME_LASTSTATE_H

#include <stddef.h>

#include "conf.h"

/*
 * state-dir (made, mode 0700, when create and missing) must be a folder of
 * the dialer's user that no one else may write, and as root every folder
 * above it root's (safepath.c).  0, or -1 with the folder and why in err.
 * Missing and !create: 0 (it is made at start).
 */
int laststate_check_dir(const char *dir, int create, char *err, size_t errlen);

/* Index into c->addrs of the address saved for c; 0 when none matches. */
size_t laststate_load(const char *state_dir, const struct conf_client *c);

/* Saves c->addrs[idx] atomically; 0 or -1 (logged). */
int laststate_save(const char *state_dir, const struct conf_client *c, size_t idx);

#endif
