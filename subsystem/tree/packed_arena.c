/*
 * Small packed strings in an arena (packed.c's pk_alloc and pk_release
 * call here).  A big store is mostly strings of a few hundred bytes, and
 * malloc adds an 8-byte header to each and rounds it up to 16: ~11% of a
 * list entry's string.  Here a string of up to PK_ARENA_MAX bytes lives
 * in a chunk of CHUNK bytes mapped at a CHUNK boundary, with no header:
 * its chunk is its address with the low bits cleared, and the chunk's
 * header (at its start) counts the strings in it; the chunk is released
 * when the count falls to zero (unmapped, or kept as one of NSPARE empty
 * chunks for the next class that needs one).  A hash set of the chunks'
 * addresses tells an arena string from a malloc'd one (packed.c frees it).
 *
 * Each chunk holds strings of one size class (sizes rounded up to 8
 * bytes up to 128, above that to 1/8 of their power of two: a 171-byte
 * entry takes 176, malloc 192), and a freed string's slot goes on its
 * chunk's free list, taken by the next string of that class before any
 * new chunk is mapped.  So
 * a one-leaf edit, which unpacks an entry (its string freed) and packs it
 * back (a string of about the same size), reuses the slot, and the chunks
 * of a class are never more than its largest number of live strings so
 * far needed (plus one chunk): when a chunk is mapped, every chunk of
 * its class was full.  The worst case, a chunk kept by one string while
 * its class is not allocated again, holds no more than that peak held,
 * and only the pages ever written are resident.  Large strings (and
 * packed_grow.c's growing ones, which are realloc'd) stay on malloc.
 *
 * max-session-memory counts the chunks mapped, the empty ones kept
 * included, not the strings in them: a chunk kept by one string holds
 * its 64 kB all the same.
 *
 * Under AddressSanitizer free slots are poisoned, so a string used after
 * its release is reported as it would be from malloc.  (LeakSanitizer
 * does not see the chunks: a leaked arena string is found by
 * packed_arena_chunks() in the unit tests.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "xmalloc.h"
#include "memcap.h"
#include "tree_int.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#endif
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n)	((void)(p), (void)(n))
#define UNPOISON(p, n)	((void)(p), (void)(n))
#endif

#define CHUNK		((uintptr_t)64 * 1024)
#define NCLASS		40	/* 8..128 by 8, then 8 classes per doubling to 1024 */

struct chunk {
	struct chunk	*prev, *next;	/* in its class's list of chunks with room */
	uint32_t	 live;		/* strings in it */
	uint32_t	 top;		/* offset of the first slot never used */
	uint32_t	 free;		/* offset of the first freed slot; 0: none */
	uint16_t	 cls;
	uint16_t	 listed;	/* 1 while on its class's list */
};
#define HDR		((sizeof(struct chunk) + 7) & ~(size_t)7)

#define NSPARE		4	/* empty chunks kept mapped */

static struct chunk *room[NCLASS];	/* chunks with a free or unused slot */
static struct chunk *spare[NSPARE];	/* empty, off the set and the lists */
static int nspare;
static uintptr_t *set;			/* chunk addresses; 0: empty */
static size_t set_cap, set_n;

/* ---- size classes ---- */

static unsigned
class_of(size_t sz)
{
	unsigned k = 7;

	if (sz <= 128)
		return sz == 0 ? 0 : (unsigned)((sz + 7) / 8 - 1);
	while (((size_t)2 << k) < sz)
		k++;
	/* 2^k < sz <= 2^(k+1), in steps of 2^(k-3) */
	return 16 + (k - 7) * 8 +
	    (unsigned)((sz - ((size_t)1 << k) + ((size_t)1 << (k - 3)) - 1) >> (k - 3)) - 1;
}

static size_t
class_size(unsigned cls)
{
	unsigned k;

	if (cls < 16)
		return (cls + 1) * 8;
	k = 7 + (cls - 16) / 8;
	return ((size_t)1 << k) + ((cls - 16) % 8 + 1) * ((size_t)1 << (k - 3));
}

/* ---- the set of chunk addresses (open addressing, linear probing) ---- */

static size_t
home(uintptr_t a)
{
	return (size_t)(((uint64_t)(a / CHUNK) * 0x9E3779B97F4A7C15ULL) >> 32) & (set_cap - 1);
}

static size_t
set_find(uintptr_t a)
{
	size_t i = home(a);

	while (set[i] != 0 && set[i] != a)
		i = (i + 1) & (set_cap - 1);
	return i;
}

static void
set_add(uintptr_t a)
{
	if (2 * (set_n + 1) > set_cap) {
		uintptr_t *old = set;
		size_t ocap = set_cap;

		set_cap = ocap > 0 ? 2 * ocap : 64;
		set = xcalloc(set_cap, sizeof(*set));
		for (size_t i = 0; i < ocap; i++)
			if (old[i] != 0)
				set[set_find(old[i])] = old[i];
		free(old);
	}
	set[set_find(a)] = a;
	set_n++;
}

static int
set_has(uintptr_t a)
{
	return set_n > 0 && set[set_find(a)] == a;
}

/* Removes a (present); the entries after it move back over the hole. */
static void
set_del(uintptr_t a)
{
	size_t i = set_find(a), j = i, k;

	set[i] = 0;
	set_n--;
	for (;;) {
		j = (j + 1) & (set_cap - 1);
		if (set[j] == 0)
			return;
		k = home(set[j]);
		/* set[j] stays when its home lies cyclically in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		set[i] = set[j];
		set[j] = 0;
		i = j;
	}
}

/* ---- chunks ---- */

static void
list_add(struct chunk *c)
{
	c->prev = NULL;
	c->next = room[c->cls];
	if (c->next != NULL)
		c->next->prev = c;
	room[c->cls] = c;
	c->listed = 1;
}

static void
list_del(struct chunk *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		room[c->cls] = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	c->listed = 0;
}

/* CHUNK bytes at a CHUNK boundary: mmap places a mapping below the last
 * one, so the first try is usually aligned; else map twice and trim. */
static void *
map_aligned(void)
{
	char *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;
	size_t head;

	if (p == MAP_FAILED)
		xoom();
	if ((uintptr_t)p % CHUNK == 0)
		return p;
	munmap(p, CHUNK);
	p = mmap(NULL, 2 * CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		xoom();
	a = ((uintptr_t)p + CHUNK - 1) & ~(CHUNK - 1);
	head = a - (uintptr_t)p;
	if (head > 0)
		munmap(p, head);
	munmap((char *)a + CHUNK, CHUNK - head);
	return (void *)a;
}

static struct chunk *
chunk_new(unsigned cls)
{
	struct chunk *c;

	if (nspare > 0)
		c = spare[--nspare];	/* still counted */
	else {
		c = map_aligned();
		memcap_count_bytes(CHUNK);
	}
	memset(c, 0, sizeof(*c));
	c->cls = (uint16_t)cls;
	c->top = HDR;
	POISON((char *)c + HDR, CHUNK - HDR);
	set_add((uintptr_t)c);
	list_add(c);
	return c;
}

static int
full(const struct chunk *c)
{
	return c->free == 0 && c->top + class_size(c->cls) > CHUNK;
}

void *
packed_arena_alloc(size_t sz)
{
	unsigned cls;
	size_t slot;
	struct chunk *c;
	char *p;

	if (sz > PK_ARENA_MAX)
		return NULL;
	cls = class_of(sz);
	slot = class_size(cls);
	if ((c = room[cls]) == NULL)
		c = chunk_new(cls);
	if (c->free != 0) {
		p = (char *)c + c->free;
		UNPOISON(p, slot);
		memcpy(&c->free, p, sizeof(c->free));	/* the next free slot */
	} else {
		p = (char *)c + c->top;
		UNPOISON(p, slot);
		c->top += (uint32_t)slot;
	}
	c->live++;
	if (full(c))
		list_del(c);
	return p;
}

int
packed_arena_free(void *p)
{
	struct chunk *c = (struct chunk *)((uintptr_t)p & ~(CHUNK - 1));
	uint32_t off = (uint32_t)((uintptr_t)p - (uintptr_t)c);

	if (!set_has((uintptr_t)c))
		return 0;
	if (--c->live == 0) {
		if (c->listed)
			list_del(c);
		set_del((uintptr_t)c);
		if (nspare < NSPARE) {
			/* a string packed and freed at once (packed_grow.c's
			 * leaves, copied into their parent's string) would map
			 * and unmap a chunk for every list entry parsed */
			POISON((char *)c + HDR, CHUNK - HDR);
			spare[nspare++] = c;
			return 1;
		}
		UNPOISON(c, CHUNK);	/* the next mapping here is not ours */
		munmap(c, CHUNK);
		memcap_uncount_bytes(CHUNK);
		return 1;
	}
	memcpy(p, &c->free, sizeof(c->free));
	c->free = off;
	POISON(p, class_size(c->cls));
	if (!c->listed)
		list_add(c);
	return 1;
}

size_t
packed_arena_chunks(void)
{
	return set_n;
}

size_t
packed_arena_held(void)
{
	return (set_n + (size_t)nspare) * CHUNK;
}
