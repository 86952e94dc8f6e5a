/*
 * The account a session belongs to: the real uid that started
 * nchome-netconf (sshd starts it as the logged-in account), its name and
 * its Unix groups.  NACM matches those groups; the registry and the
 * events show the name.
 *
 * Recorded once, at the first call: main.c calls account_current()
 * before anything else, so in a set-id nchome-netconf (identity.c) it is
 * the logged-in account, not the service identity the process switches
 * to afterwards.  Later calls return the same record.
 *
 * The groups are the process's own credentials, as sshd set them with
 * initgroups() at login: the real gid and getgroups().  Not the group
 * database: getgrouplist() walks every group source of nsswitch.conf
 * (with nss-systemd: loading it, a query to systemd-userdbd), most of an
 * account's first request, and a group given in /etc/group after the
 * login is not the session's, as for any process of that login.  Only
 * when the supplementary list is full (NGROUPS_MAX: the kernel may have
 * cut it) are they read from the database, by name at their first use,
 * as sudo's "group_source adaptive" does.
 */
#include <sys/types.h>

#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "xmalloc.h"

#define ACCOUNT_MAX_GROUPS	65536

static struct account cur;
static int recorded;
static int groups_pending;	/* the process's list was full: read the database */

/* The groups of name (primary gid first); malloc()ed, count in *n. */
static gid_t *
groups_of(const char *name, gid_t gid, int *n)
{
	gid_t *g;
	int want = 32, got;

	for (;;) {
		g = xcalloc((size_t)want, sizeof(*g));
		got = want;
		if (getgrouplist(name, gid, g, &got) != -1) {
			*n = got;
			return g;
		}
		free(g);
		if (got <= want)
			want *= 2;
		else
			want = got;
		if (want > ACCOUNT_MAX_GROUPS)
			break;
	}
	/* unreasonably many: the primary group only */
	g = xcalloc(1, sizeof(*g));
	g[0] = gid;
	*n = 1;
	return g;
}

/*
 * The process's groups into cur: the real gid first, then getgroups()
 * but the gid again (initgroups() lists it too).  1 when the
 * supplementary list is full (the kernel's limit: sshd's initgroups()
 * may have cut it), else 0.
 */
static int
process_groups(void)
{
	long max = sysconf(_SC_NGROUPS_MAX);
	int n = getgroups(0, NULL), kept = 1;

	if (n < 0 || n > ACCOUNT_MAX_GROUPS)
		n = 0;
	cur.groups = xcalloc((size_t)n + 1, sizeof(*cur.groups));
	cur.groups[0] = cur.gid;
	if (n > 0 && (n = getgroups(n, cur.groups + 1)) < 0)
		n = 0;
	for (int i = 1; i <= n; i++)
		if (cur.groups[i] != cur.gid)
			cur.groups[kept++] = cur.groups[i];
	cur.ngroups = kept;
	return max > 0 && n >= max;
}

const struct account *
account_current(void)
{
	struct passwd *pw;
	int full;

	if (recorded)
		return &cur;
	recorded = 1;
	cur.uid = getuid();
	cur.gid = getgid();
	full = process_groups();	/* first: before any switch of identity */
	if ((pw = getpwuid(cur.uid)) != NULL && pw->pw_name != NULL &&
	    strlen(pw->pw_name) < sizeof(cur.name)) {
		snprintf(cur.name, sizeof(cur.name), "%s", pw->pw_name);
		groups_pending = full;
	} else	/* no name: the uid as text, the process's groups */
		snprintf(cur.name, sizeof(cur.name), "%lu", (unsigned long)cur.uid);
	return &cur;
}

const gid_t *
account_groups(const struct account *a, int *n)
{
	if (a == &cur && groups_pending) {
		groups_pending = 0;
		free(cur.groups);
		cur.groups = groups_of(cur.name, cur.gid, &cur.ngroups);
	}
	*n = a->ngroups;
	return a->groups;
}

int
account_in_group(const struct account *a, gid_t gid)
{
	int n;
	const gid_t *g = account_groups(a, &n);

	for (int i = 0; i < n; i++)
		if (g[i] == gid)
			return 1;
	return 0;
}
