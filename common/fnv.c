/* See fnv.h. */
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
