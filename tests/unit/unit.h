/*
 * A tiny TAP producer for the C unit tests: each CHECK prints "ok N - what"
 * or "not ok N - what" with the file and line; tests/run counts them.
 */
#ifndef NCHOME_UNIT_H
#define NCHOME_UNIT_H

#include <stdio.h>

static int unit_n, unit_failed;

#define CHECK(cond, ...) do {						\
	unit_n++;							\
	if (cond) {							\
		printf("ok %d - ", unit_n);				\
	} else {							\
		unit_failed++;						\
		printf("not ok %d - %s:%d: ", unit_n, __FILE__, __LINE__); \
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	fflush(stdout);							\
} while (0)

#define UNIT_DONE() do {						\
	printf("1..%d\n", unit_n);					\
	return unit_failed ? 1 : 0;					\
} while (0)

#endif
