/*
 * The account a session acts for: the real uid (under a set-uid service
 * identity the real uid is still the logged-in user), its name and its
 * Unix groups.  NACM's user name and external groups come from here.
 */
#include <sys/types.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

#define ACCOUNT_MAX_GROUPS	65536	/* NGROUPS_MAX on Linux */

/* The groups of name (primary gid first) into a; 0 or -1. */
static int
fill_groups(struct account *a, const char *name)
{
	int n = 16;

	for (;;) {
		gid_t *g = calloc((size_t)n, sizeof(*g));
		int got = n;

		if (g == NULL)
			return -1;
		if (getgrouplist(name, a->gid, g, &got) != -1) {
			a->groups = g;
			a->ngroups = got;
			return 0;
		}
		free(g);
		if (got <= n)
			got = n * 2;	/* some libcs do not say how many */
		if (got > ACCOUNT_MAX_GROUPS)
			return -1;
		n = got;
	}
}

int
account_current(struct account *a)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	memset(a, 0, sizeof(*a));
	a->uid = getuid();
	a->gid = getgid();
	if (getpwuid_r(a->uid, &pw, buf, sizeof(buf), &res) != 0 || res == NULL ||
	    pw.pw_name == NULL || strlen(pw.pw_name) >= sizeof(a->name)) {
		/* no name: the uid, and only the process's own group */
		snprintf(a->name, sizeof(a->name), "%lu", (unsigned long)a->uid);
		if ((a->groups = malloc(sizeof(*a->groups))) == NULL)
			return -1;
		a->groups[0] = a->gid;
		a->ngroups = 1;
		return 0;
	}
	snprintf(a->name, sizeof(a->name), "%s", pw.pw_name);
	a->gid = pw.pw_gid;
	if (fill_groups(a, a->name) == -1) {
		account_free(a);
		return -1;
	}
	return 0;
}

void
account_free(struct account *a)
{
	free(a->groups);
	a->groups = NULL;
	a->ngroups = 0;
}
