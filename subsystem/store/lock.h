/*
 * Datastore locks, shared by all session processes on the host.  A lock
 * is an flock() held by the session process on datastore-dir/<ds>.lock,
 * with the holder's session-id written in the file: when the holder dies,
 * the kernel releases it, so a lock is never stale.  Owned by the
 * protocol side.
 */
#ifndef NCHOME_LOCK_H
#define NCHOME_LOCK_H

#include <stdint.h>

#include "datastore.h"

/*
 * Before changing ds: if another live session holds its lock, adds the
 * in-use error naming the holder and returns -1; 0 when s may write.
 */
int lock_check_write(struct rpc *r, enum ds_id ds);

/* The session-id holding ds's lock, 0 if none. */
uint32_t lock_holder(struct session *s, enum ds_id ds);

/* Releases every lock s holds (session end). */
void lock_release_all(struct session *s);

#endif
