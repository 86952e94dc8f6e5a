/* See memcap.h. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlmemory.h>

#include "memcap.h"

static size_t used, cap, start;	/* start: the count at memcap_reset() */
static int over;

static void
count_bytes(size_t n)
{
	used += n;
	if (cap > 0 && used > cap)
		over = 1;
}

static void
uncount_bytes(size_t n)
{
	used = n < used ? used - n : 0;
}

static void
count_add(void *p)
{
	count_bytes(malloc_usable_size(p));
}

static void
count_sub(void *p)
{
	uncount_bytes(malloc_usable_size(p));
}

/* 1 when n more bytes would pass the hard limit (twice the cap). */
static int
refused(size_t n)
{
	if (cap == 0 || (used <= 2 * cap && n <= 2 * cap - used))
		return 0;
	over = 1;
	return 1;
}

static void *
mc_malloc(size_t n)
{
	void *p;

	if (refused(n) || (p = malloc(n)) == NULL)
		return NULL;
	count_add(p);
	return p;
}

static void *
mc_realloc(void *p, size_t n)
{
	size_t old = p != NULL ? malloc_usable_size(p) : 0;
	void *q;

	if (n > old && refused(n - old))
		return NULL;
	if ((q = realloc(p, n)) == NULL)
		return NULL;
	used = old < used ? used - old : 0;
	count_add(q);
	return q;
}

static void
mc_free(void *p)
{
	if (p == NULL)
		return;
	count_sub(p);
	free(p);
}

static char *
mc_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = mc_malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

void
memcap_install(void)
{
	(void)xmlMemSetup(mc_free, mc_malloc, mc_realloc, mc_strdup);
}

void
memcap_count(void *p)
{
	count_add(p);
}

void
memcap_uncount(void *p)
{
	count_sub(p);
}

void
memcap_count_bytes(size_t n)
{
	count_bytes(n);
}

void
memcap_uncount_bytes(size_t n)
{
	uncount_bytes(n);
}

void
memcap_set(size_t bytes)
{
	cap = bytes;
	over = 0;
}

size_t
memcap_limit(void)
{
	return cap;
}

size_t
memcap_used(void)
{
	return used;
}

int
memcap_over(void)
{
	return over && start <= cap;
}

void
memcap_reset(void)
{
	start = used;
	over = 0;
}
