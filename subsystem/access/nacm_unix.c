/*
 * The host's side of NACM groups: an account's Unix groups are its
 * external groups (the device's login classes; ops/nacm.c gives them,
 * the session process's own, host/account.c), and a rule-list may name
 * a host group.
 */
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nacm_int.h"

void
nacm_groups_free(char **groups, size_t ngroups)
{
	for (size_t i = 0; i < ngroups; i++)
		free(groups[i]);
	free(groups);
}

int
nacm_host_group_exists(const char *group)
{
	struct group gr, *res = NULL;
	long sz = sysconf(_SC_GETGR_R_SIZE_MAX);
	size_t len = sz > 0 ? (size_t)sz : 16384;
	char *buf;
	int r;

	for (;;) {
		if ((buf = malloc(len)) == NULL)
			return 0;
		r = getgrnam_r(group, &gr, buf, len, &res);
		free(buf);
		if (r != ERANGE || len >= (1u << 20))
			break;
		len *= 4;
	}
	return r == 0 && res != NULL;
}
