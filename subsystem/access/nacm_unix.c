/*
 * The host's side of NACM groups: an account's Unix groups are its
 * external groups (the device's login classes), and a rule-list may name
 * a host group.
 */
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
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
nacm_unix_groups(const char *user, char ***groups, size_t *ngroups)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp;
	long sz = sysconf(_SC_GETPW_R_SIZE_MAX), gsz = sysconf(_SC_GETGR_R_SIZE_MAX);
	size_t blen = (sz > 0 ? (size_t)sz : 16384) + (gsz > 0 ? (size_t)gsz : 16384);
	char *buf = NULL, **out = NULL;
	gid_t *gids = NULL;
	int n = 32, r;
	size_t nout = 0;

	*groups = NULL;
	*ngroups = 0;
	if ((buf = malloc(blen)) == NULL)
		return -1;
	if (getpwnam_r(user, &pw, buf, blen, &pwp) != 0 || pwp == NULL)
		goto fail;
	for (;;) {
		gid_t *ng = realloc(gids, (size_t)n * sizeof(*gids));
		int want = n;

		if (ng == NULL)
			goto fail;
		gids = ng;
		if (getgrouplist(user, pw.pw_gid, gids, &want) != -1) {
			n = want;
			break;
		}
		if (n >= 65536)
			goto fail;
		n = want > n ? want : n * 2;
	}
	if ((out = calloc((size_t)n + 1, sizeof(*out))) == NULL)
		goto fail;
	for (int i = 0; i < n; i++) {
		int dup = 0;

		r = getgrgid_r(gids[i], &gr, buf, blen, &grp);
		if (r != 0 || grp == NULL)
			continue;	/* a gid without a name names no group */
		for (size_t j = 0; j < nout && !dup; j++)
			dup = strcmp(out[j], grp->gr_name) == 0;
		if (dup)
			continue;
		if ((out[nout] = strdup(grp->gr_name)) == NULL)
			goto fail;
		nout++;
	}
	free(gids);
	free(buf);
	*groups = out;
	*ngroups = nout;
	return 0;
fail:
	nacm_groups_free(out, nout);
	free(gids);
	free(buf);
	return -1;
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
