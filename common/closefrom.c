/* See closefrom.h: closefrom(2) where the system has it, else a loop. */
#include <unistd.h>

#include "closefrom.h"

void
close_from(int lowfd)
{
#if defined(__OpenBSD__) || defined(__FreeBSD__) || defined(__NetBSD__) || \
    (defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34)))
	closefrom(lowfd);
#else
	long max = sysconf(_SC_OPEN_MAX);

	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = lowfd; fd < max; fd++)
		(void)close(fd);
#endif
}
