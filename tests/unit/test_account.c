/*
 * host/account.c: the account of the real uid, its name and its groups
 * as the account database gives them, recorded once.
 */
#include <sys/types.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host/host.h"
#include "unit.h"

int
main(void)
{
	const struct account *a = account_current();
	struct passwd *pw;
	char buf[32];

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
	int ng;

	g = account_groups(a, &ng);
	CHECK(ng >= 1 && g != NULL && g[0] == a->gid, "at least one group, the gid first (%d)", ng);
	CHECK(account_groups(a, &ng) == g, "the groups are read once");
	CHECK(account_in_group(a, a->gid), "the gid is among the groups");
	CHECK(!account_in_group(a, (gid_t)-2), "a group it is not in");
	CHECK(account_current() == a, "the same record on the next call");
	UNIT_DONE();
}
