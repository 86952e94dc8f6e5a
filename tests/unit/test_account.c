/*
 * host/account.c: the account of the real uid, its name (account
 * database) and its groups, recorded once.  The groups are the process's
 * (the real gid, then getgroups()): as root, children set their own
 * supplementary groups before the first call and see exactly those, the
 * gid among them; a full list (NGROUPS_MAX, maybe cut by the kernel)
 * gives the database's instead.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/host.h"
#include "unit.h"

#define NAMELESS_GID	((gid_t)2100000000)	/* no group of the host has it */

/*
 * In a child: supplementary groups = n gids from NAMELESS_GID, then the
 * record's groups.  Exit bits: 1 a nameless gid is among them, 2 the
 * gid is, 4 more than two groups, 8 setgroups failed.
 */
static int
child_groups(size_t n)
{
	gid_t *set = calloc(n, sizeof(*set));
	const struct account *a;
	const gid_t *g;
	int ng, bits = 0;
	pid_t pid;
	int st;

	if (set == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		set[i] = NAMELESS_GID + (gid_t)i;
	if ((pid = fork()) == 0) {
		if (setgroups(n, set) == -1)
			_exit(8);
		a = account_current();
		g = account_groups(a, &ng);
		if (account_in_group(a, NAMELESS_GID))
			bits |= 1;
		if (ng >= 1 && g[0] == getgid() && account_in_group(a, getgid()))
			bits |= 2;
		if (ng > 2)
			bits |= 4;
		_exit(bits);
	}
	free(set);
	if (pid == -1 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int
main(void)
{
	const struct account *a;
	struct passwd *pw;
	char buf[32];
	long max = sysconf(_SC_NGROUPS_MAX);

	/* before this process records its own */
	if (geteuid() == 0 && max > 0 && max <= 65536) {
		int one = child_groups(1), full = child_groups((size_t)max);

		CHECK(one >= 0 && (one & 3) == 3 && !(one & 12),
		    "one supplementary group set: it and the gid, not the database's (%d)", one);
		CHECK(full >= 0 && !(full & 9) && (full & 2),
		    "a full list (%ld): the database's groups instead (%d)", max, full);
	}
	a = account_current();
	CHECK(a != NULL, "account_current gives the record");
	if (a == NULL)
		UNIT_DONE();	/* the rest reads it */
	CHECK(a->uid == getuid(), "the real uid");
	CHECK(a->gid == getgid(), "the real gid");
	if ((pw = getpwuid(getuid())) != NULL) {
		CHECK(strcmp(a->name, pw->pw_name) == 0, "the name of the account database (%s)",
		    a->name);
	} else {
		snprintf(buf, sizeof(buf), "%lu", (unsigned long)getuid());
		CHECK(strcmp(a->name, buf) == 0, "no account: the uid as name");
	}
	const gid_t *g;
	int ng, nproc = getgroups(0, NULL), all = 1;
	gid_t own[256];

	g = account_groups(a, &ng);
	CHECK(ng >= 1 && g != NULL && g[0] == a->gid, "at least one group, the gid first (%d)", ng);
	CHECK(account_groups(a, &ng) == g, "the groups are read once");
	CHECK(account_in_group(a, a->gid), "the gid is among the groups");
	CHECK(!account_in_group(a, (gid_t)-2), "a group it is not in");
	if (nproc >= 0 && nproc <= 256 && getgroups(nproc, own) == nproc) {
		for (int i = 0; i < nproc; i++)
			all &= account_in_group(a, own[i]);
		CHECK(all && ng <= nproc + 1, "the process's groups, no other (%d of %d)", ng, nproc);
	}
	CHECK(account_current() == a, "the same record on the next call");
	UNIT_DONE();
}
