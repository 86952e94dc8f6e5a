/*
 * The rule of OpenSSH's safe_path() (misc.c, what StrictModes applies to
 * authorized_keys), for root: the file, on its canonical path, and every
 * folder from it up to / must belong to root and be writable by neither
 * group nor others (mode & 022).  The file is judged by the fstat() of
 * the descriptor that was read, and the canonical path must lead to that
 * same file, so nothing can be swapped in between.
 *
 * One difference from OpenSSH: a folder with the sticky bit (/tmp, 1777)
 * may be writable by others.  In a sticky folder only root, the folder's
 * owner and an entry's owner may rename or remove that entry; here all
 * three are root, as every step of the path must belong to root.  So a
 * root-owned 0700 folder made by mkdtemp() in /tmp is as safe as one in
 * /etc, while a folder another user made there is refused.
 */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "safepath.h"

/* "root" or "uid 1000 (alice)": who owns what was refused. */
static const char *
owner_name(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL)
		snprintf(buf, len, "uid %lu (%s)", (unsigned long)uid, pw->pw_name);
	else
		snprintf(buf, len, "uid %lu", (unsigned long)uid);
	return buf;
}

static int
refuse(char *err, size_t errlen, const char *path, const char *what,
    const char *name, const struct stat *st)
{
	char who[64];

	return set_err(err, errlen,
	    "%s: %s %s is owned by %s with mode %04o: only root may be able to "
	    "change it or a folder above it; refusing it", path,
	    what, name, owner_name(st->st_uid, who, sizeof(who)),
	    (unsigned)(st->st_mode & 07777));
}

int
safe_path_root(const char *path, const struct stat *st, char *err, size_t errlen)
{
	char buf[PATH_MAX], dir[PATH_MAX];
	struct stat cur;

	if (realpath(path, buf) == NULL)
		return set_err(err, errlen, "%s: %s", path, strerror(errno));
	if (stat(buf, &cur) == -1 || cur.st_dev != st->st_dev || cur.st_ino != st->st_ino)
		return set_err(err, errlen, "%s: changed while it was being read; refusing it",
		    path);
	if (st->st_uid != 0 || (st->st_mode & 022) != 0)
		return refuse(err, errlen, path, "file", buf, st);
	/* each folder on the canonical path, walking up to / */
	while (strcmp(buf, "/") != 0) {
		snprintf(dir, sizeof(dir), "%s", buf);
		snprintf(buf, sizeof(buf), "%s", dirname(dir));
		if (stat(buf, &cur) == -1)
			return set_err(err, errlen, "%s: folder %s: %s", path, buf,
			    strerror(errno));
		if (cur.st_uid != 0 ||
		    ((cur.st_mode & 022) != 0 && !(cur.st_mode & S_ISVTX)))
			return refuse(err, errlen, path, "folder", buf, &cur);
	}
	return 0;
}
