/*
 * max-session-memory: a count of the memory a session's XML holds (every
 * libxml2 allocation: requests as parsed, datastore documents, replies
 * being built), against the cap of nchome.conf(5).
 *
 * Past the cap allocations still succeed, but memcap_over() says so: the
 * RPC being handled stops at its next check (the parse of a request, an
 * edit before it is stored), undoes what it did and answers
 * resource-denied, so the session goes on.  Past twice the cap an
 * allocation fails: the session ends (fatal, its locks released by the
 * kernel) instead of growing until the OOM killer picks a process.
 *
 * Counted with malloc_usable_size(), so it works over any malloc,
 * AddressSanitizer's included; memory freed with free() instead of
 * xmlFree() is not subtracted.
 */
#ifndef NCHOME_MEMCAP_H
#define NCHOME_MEMCAP_H

#include <stddef.h>

/* The error-message of the resource-denied a passed cap answers. */
#define MEMCAP_DENIED	"the request needs more memory than max-session-memory allows; " \
			"nothing was changed"

/* Routes libxml2's allocations through the count; before any libxml2 call. */
void memcap_install(void);

/* Memory allocated with malloc() outside libxml2 that counts too (packed strings). */
void memcap_count(void *p);
void memcap_uncount(void *p);
/* The same for bytes not from malloc() (packed_arena.c's chunks). */
void memcap_count_bytes(size_t n);
void memcap_uncount_bytes(size_t n);

/* The cap in bytes (0: none). */
void memcap_set(size_t bytes);
size_t memcap_limit(void);

/* Bytes counted now. */
size_t memcap_used(void);

/*
 * 1 when the count passed the cap since the last memcap_reset(), having
 * been under it then: the RPC being handled is what passed it.  (A session
 * whose datastores alone pass the cap is not stopped here; the hard limit
 * still holds.)
 */
int memcap_over(void);

/* At the start of an RPC. */
void memcap_reset(void);

#endif
