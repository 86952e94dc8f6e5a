/*
 * The registry entry's fold-boot mark where the host's boot is unknown
 * (no /proc/sys/kernel/random/boot_id: BSD): never empty, since an
 * empty mark means "already folded" (host/stats.c stats_boot_mark,
 * stats_same_boot).
 */
#include <string.h>

#include "host/host.h"
#include "unit.h"

int
main(void)
{
	CHECK(strcmp(stats_boot_mark(""), STATS_BOOT_UNKNOWN) == 0,
	    "an unknown boot is marked \"-\"");
	CHECK(strcmp(stats_boot_mark("abc"), "abc") == 0, "a known boot is marked as is");

	CHECK(stats_same_boot(stats_boot_mark(""), ""),
	    "unknown boot, read where it is unknown: unfolded");
	CHECK(stats_same_boot(stats_boot_mark(""), "abc"),
	    "unknown boot, read where it is known: unfolded");
	CHECK(stats_same_boot("abc", ""), "known boot, read where it is unknown: unfolded");
	CHECK(stats_same_boot("abc", "abc"), "the same boot: unfolded");
	CHECK(!stats_same_boot("abc", "def"), "another boot: not counted here");
	CHECK(!stats_same_boot("", ""), "no mark: folded (boot unknown)");
	CHECK(!stats_same_boot("", "abc"), "no mark: folded (boot known)");
	UNIT_DONE();
}
