/*
 * FNV-1a, 64 bits (Fowler, Noll, Vo): a quick hash and checksum, not
 * for adversaries.  h = fnv1a64(FNV1A64_BASIS, a, na); then
 * fnv1a64(h, b, nb) continues it, so pieces hash as their concatenation.
 * Its values are on disk (running.nacm's checksum): never change them.
 */
#ifndef NCHOME_FNV_H
#define NCHOME_FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A64_BASIS	0xcbf29ce484222325ULL
#define FNV1A64_PRIME	0x100000001b3ULL

uint64_t fnv1a64(uint64_t h, const void *data, size_t len);

/*
 * A basis drawn at random once per process, for in-memory tables keyed
 * by what a client sends: their collisions cannot be prepared in
 * advance.  Never for what goes to disk.
 */
uint64_t hash_seed(void);

#endif
