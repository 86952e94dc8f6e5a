/* nchome-netconf: placeholder until the server lands. */
#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "nchome-netconf: not built yet\n");
	return 1;
}
