/* See fnv.h. */
#include <time.h>
#include <unistd.h>

#include "fnv.h"

uint64_t
fnv1a64(uint64_t h, const void *data, size_t len)
{
	const unsigned char *b = data;

	for (size_t i = 0; i < len; i++) {
		h ^= b[i];
		h *= FNV1A64_PRIME;
	}
	return h;
}

uint64_t
hash_seed(void)
{
	static uint64_t seed;
	static int drawn;

	if (!drawn) {
		if (getentropy(&seed, sizeof(seed)) == -1) {
			/* no entropy source: at least not the same in every process */
			seed = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);
		}
		seed ^= FNV1A64_BASIS;
		drawn = 1;
	}
	return seed;
}
