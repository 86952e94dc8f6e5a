/*
 * host/account.c: the account of the real uid, its name and its groups
 * as the account database gives them.
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
	struct account a;
	struct passwd *pw;
	char buf[32];
	int has_primary = 0;

	CHECK(account_current(&a) == 0, "account_current succeeds");
	CHECK(a.uid == getuid(), "the real uid");
	if ((pw = getpwuid(getuid())) != NULL) {
		CHECK(strcmp(a.name, pw->pw_name) == 0, "the name of the account database (%s)",
		    a.name);
		CHECK(a.gid == pw->pw_gid, "the primary group of the account database");
	} else {
		snprintf(buf, sizeof(buf), "%lu", (unsigned long)getuid());
		CHECK(strcmp(a.name, buf) == 0, "no account: the uid as name");
		CHECK(a.gid == getgid(), "no account: the process's group");
	}
	CHECK(a.ngroups >= 1 && a.groups != NULL, "at least one group (%d)", a.ngroups);
	for (int i = 0; i < a.ngroups; i++)
		if (a.groups[i] == a.gid)
			has_primary = 1;
	CHECK(has_primary, "the primary group is among the groups");
	account_free(&a);
	CHECK(a.groups == NULL && a.ngroups == 0, "account_free clears");
	UNIT_DONE();
}
