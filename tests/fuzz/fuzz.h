/*
 * Shared by the libFuzzer targets (tests/fuzz/fuzz_*.c) and the replay
 * driver (tests/unit/test_fuzz_replay.c).  A target defines one static
 * function `int fn(const uint8_t *data, size_t size)` and names it with
 * FUZZ_TARGET(fn).  Built by `make fuzz` (clang, libFuzzer) the macro
 * defines LLVMFuzzerTestOneInput; built into the replay driver
 * (FUZZ_REPLAY defined, several targets in one file) it defines nothing,
 * and the driver calls the static functions itself.  So static helpers of
 * a target must carry the target's prefix.
 */
#ifndef NCHOME_FUZZ_H
#define NCHOME_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#ifdef FUZZ_REPLAY
#define FUZZ_TARGET(fn)
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#define FUZZ_TARGET(fn)							\
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)	\
	{								\
		return fn(data, size);					\
	}
#endif

#endif
