/*
 * Files in datastore-dir, which the sessions of several users share: the
 * mode new files get (the folder's sharing, so a group can write them),
 * opening without following a link another user planted there, and the
 * sticky-folder check that explains writes another user's files block.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"
#include "store.h"

/* Mode of every file we create: datastore-dir's sharing (shared_mode). */
static mode_t file_mode = 0600;

void
store_set_file_mode(mode_t mode)
{
	file_mode = mode;
}

mode_t
store_file_mode(void)
{
	return file_mode;
}

int
store_open(const char *path, int flags)
{
	/* datastore-dir is writable by every NETCONF user: no planted link */
	int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, file_mode);

	if (fd != -1 && (flags & O_CREAT))
		(void)fchmod(fd, file_mode);	/* umask-free, so other users can share */
	return fd;
}

/*
 * In a sticky folder (e.g. mode 1777) only the owner of a file (or of the
 * folder) may rename over it or remove it, so a session of one user
 * cannot replace running.xml another user's session wrote: every rewrite
 * would fail with a bare EPERM.  make install creates datastore-dir
 * 2770 with group nchome, which has no such limit; an operator who chose
 * 1777 is told once here, and again in the rpc-error of a failed write.
 */
void
store_check_sticky(struct session *s)
{
	static const char *const names[] = {
		"running.xml", "startup.xml", "candidate.xml", STORE_OVERLAY_FILE,
		"candidate.owners", NULL
	};
	struct ds_state *st = s->ds;
	struct stat dst, fst;
	char p[PATH_MAX];
	uid_t me = geteuid();

	st->sticky_why[0] = '\0';
	if (me == 0 || stat(st->dir, &dst) == -1 || !(dst.st_mode & S_ISVTX) ||
	    dst.st_uid == me)
		return;
	for (int i = 0; names[i] != NULL; i++) {
		if (stat(store_path(s, names[i], p, sizeof(p)), &fst) == -1 ||
		    fst.st_uid == me)
			continue;
		snprintf(st->sticky_why, sizeof(st->sticky_why),
		    "datastore-dir is sticky (mode %04o) and %s belongs to uid %lu: "
		    "uid %lu cannot replace it; use mode 2770 and a shared group",
		    (unsigned)(dst.st_mode & 07777), names[i],
		    (unsigned long)fst.st_uid, (unsigned long)me);
		log_warnx("%s: %s (see nchome-netconf(8))", st->dir, st->sticky_why);
		return;
	}
}

const char *
store_failure_hint(struct session *s)
{
	if (s->ds == NULL)
		return NULL;
	store_check_sticky(s);	/* another user may have written since the start */
	return s->ds->sticky_why[0] != '\0' ? s->ds->sticky_why : NULL;
}
