/* nchome-dialer: placeholder until the dialer lands. */
#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "nchome-dialer: not built yet\n");
	return 1;
}
