/*
 * datastore-dir, which the sessions of several users share, and the one
 * door to the files in it: every file there (datastores, journals, locks,
 * the session registry in sessions/, the event log in notifications/, the
 * confirmed-commit state, hook inputs) is opened by dsdir_open_file().
 *
 * It opens relative to an O_DIRECTORY descriptor of datastore-dir (the
 * subfolders are opened O_DIRECTORY|O_NOFOLLOW relative to it), never
 * follows a link (a NETCONF user could plant one, t_datastore_symlink),
 * never blocks on a planted FIFO, accepts regular files only, and gives
 * new files the folder's sharing mode, umask-free, so a group can share
 * them.  Installed, a set-uid nchome-netconf runs as the service identity
 * and datastore-dir is its own (identity.c, doc/security.md).
 *
 * A few files (the event log and its lock) can be kept open across uses
 * (dsdir_kept_open): opened through the same door, and checked against
 * the name (fstatat, no link followed) at each use, so a file renamed or
 * removed since is not written to.  The session lets go of them when it
 * has not used them for a while (main.c, dsdir_kept_release), so an idle
 * session holds no log that others rotated away.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "host.h"
#include "log.h"
#include "xmalloc.h"

#define DSD_NKEPT	4
#define KEPT_NAME_MAX	32

/* A file kept open: fd -1 when the slot is free. */
struct dsdir_kept {
	int		 fd;
	enum dsdir_sub	 sub;
	char		 name[KEPT_NAME_MAX];
	dev_t		 dev;
	ino_t		 ino;
};

struct dsdir {
	char	 path[PATH_MAX];
	int	 fd[DSD_NSUB];		/* O_DIRECTORY; -1: not open yet */
	mode_t	 file_mode, dir_mode;
	struct dsdir_kept kept[DSD_NKEPT];
	unsigned long	 kept_uses;	/* dsdir_kept_open calls, ever */
};

static const char *const sub_names[DSD_NSUB] = { NULL, "sessions", "notifications" };

/*
 * The mode of files and folders, from datastore-dir's own.  Installed,
 * datastore-dir is 0700 and belongs to the service identity (identity.c):
 * files 0600, folders 0700, nobody else reads or writes them.  A folder
 * shared by several accounts the old way (2770 with a group, or 1777: a
 * set-id-free build) gives files those accounts can all open.  Files
 * lose execute bits; the owner may always read and write.
 */
static void
set_modes(struct dsdir *dd, const struct stat *st)
{
	mode_t m = st->st_mode & 07777;

	dd->dir_mode = m | 0700;
	dd->file_mode = (m | 0600) & 0666;
}

struct dsdir *
dsdir_open(const char *path)
{
	struct dsdir *dd;
	struct stat st;
	char err[PATH_MAX + 160];

	if (path == NULL || *path == '\0') {
		log_warnx("no datastore-dir configured");
		return NULL;
	}
	if (strlen(path) >= PATH_MAX - 64) {
		log_warnx("datastore-dir too long");
		return NULL;
	}
	if (mkdir(path, identity_setid() ? 0700 : 0755) == -1 && errno != EEXIST) {
		log_warn("mkdir %s", path);
		return NULL;
	}
	dd = xcalloc(1, sizeof(*dd));
	snprintf(dd->path, sizeof(dd->path), "%s", path);
	for (int i = 0; i < DSD_NSUB; i++)
		dd->fd[i] = -1;
	for (int i = 0; i < DSD_NKEPT; i++)
		dd->kept[i].fd = -1;
	/* the configured path may be a link (the operator's); what is in it may not */
	if ((dd->fd[DSD_TOP] = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fstat(dd->fd[DSD_TOP], &st) == -1) {
		log_warn("%s", path);
		dsdir_close(dd);
		return NULL;
	}
	if (identity_check_dsdir(dd->fd[DSD_TOP], path, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		dsdir_close(dd);
		return NULL;
	}
	set_modes(dd, &st);
	return dd;
}

void
dsdir_close(struct dsdir *dd)
{
	if (dd == NULL)
		return;
	dsdir_kept_release(dd);
	for (int i = 0; i < DSD_NSUB; i++)
		if (dd->fd[i] != -1)
			close(dd->fd[i]);
	free(dd);
}

const char *
dsdir_path(const struct dsdir *dd)
{
	return dd->path;
}

mode_t
dsdir_file_mode(const struct dsdir *dd)
{
	return dd->file_mode;
}

int
dsdir_fd(struct dsdir *dd, enum dsdir_sub sub)
{
	const char *name = sub_names[sub];
	struct stat st;
	int fd;

	if (dd->fd[sub] != -1) {
		/* a subfolder removed under us is made again, as it was at first use */
		if (sub == DSD_TOP || fstat(dd->fd[sub], &st) == -1 || st.st_nlink > 0)
			return dd->fd[sub];
		close(dd->fd[sub]);
		dd->fd[sub] = -1;
	}
	if (mkdirat(dd->fd[DSD_TOP], name, 0700) == 0) {
		if ((fd = openat(dd->fd[DSD_TOP], name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) != -1)
			(void)fchmod(fd, dd->dir_mode);		/* umask-free */
	} else if (errno == EEXIST)
		fd = openat(dd->fd[DSD_TOP], name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	else
		fd = -1;
	if (fd == -1) {
		log_warn("%s/%s", dd->path, name);
		return -1;
	}
	return dd->fd[sub] = fd;
}

/* dsdir_open_file, also giving the file's stat. */
static int
open_file_stat(struct dsdir *dd, enum dsdir_sub sub, const char *name, int flags,
    struct stat *stp)
{
	struct stat st;
	int dfd, fd, saved;

	if ((dfd = dsdir_fd(dd, sub)) == -1)
		return -1;
	fd = openat(dfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
	    dd->file_mode);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;		/* a folder, FIFO or device planted here */
		return -1;
	}
	if (!(flags & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	/* umask-free, so other users can share; a file that has the mode keeps it */
	if ((flags & O_CREAT) && (st.st_mode & 07777) != dd->file_mode) {
		(void)fchmod(fd, dd->file_mode);
		st.st_mode = (st.st_mode & ~(mode_t)07777) | dd->file_mode;
	}
	if (stp != NULL)
		*stp = st;
	return fd;
}

int
dsdir_open_file(struct dsdir *dd, enum dsdir_sub sub, const char *name, int flags)
{
	return open_file_stat(dd, sub, name, flags, NULL);
}

static struct dsdir_kept *
kept_find(struct dsdir *dd, enum dsdir_sub sub, const char *name)
{
	for (int i = 0; i < DSD_NKEPT; i++)
		if (dd->kept[i].fd != -1 && dd->kept[i].sub == sub &&
		    strcmp(dd->kept[i].name, name) == 0)
			return &dd->kept[i];
	return NULL;
}

int
dsdir_kept_open(struct dsdir *dd, enum dsdir_sub sub, const char *name, int flags,
    int check, struct stat *st, int *fresh)
{
	struct dsdir_kept *k = kept_find(dd, sub, name);
	struct stat now;
	int fd, replaced = 0;

	*fresh = 0;
	dd->kept_uses++;
	if (k != NULL) {
		if (!check)
			return k->fd;
		/*
		 * The folder's descriptor as it is: in a folder removed since,
		 * name is not found, and the open below makes the folder again.
		 */
		if (fstatat(dd->fd[sub], name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
		    now.st_ino == k->ino && now.st_dev == k->dev) {
			if (st != NULL)
				*st = now;
			return k->fd;
		}
		/* renamed or removed since (another session rotated it): let it go */
		close(k->fd);
		k->fd = -1;
		replaced = 1;
	}
	if (strlen(name) >= KEPT_NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (k = NULL, fd = 0; fd < DSD_NKEPT && k == NULL; fd++)
		if (dd->kept[fd].fd == -1)
			k = &dd->kept[fd];
	if (k == NULL) {
		errno = EMFILE;
		return -1;
	}
	if ((fd = open_file_stat(dd, sub, name, flags, &now)) == -1)
		return -1;
	k->fd = fd;
	k->sub = sub;
	snprintf(k->name, sizeof(k->name), "%s", name);
	k->dev = now.st_dev;
	k->ino = now.st_ino;
	if (st != NULL)
		*st = now;
	*fresh = replaced ? 2 : 1;
	return fd;
}

void
dsdir_kept_close(struct dsdir *dd, enum dsdir_sub sub, const char *name)
{
	struct dsdir_kept *k = kept_find(dd, sub, name);

	if (k != NULL) {
		close(k->fd);
		k->fd = -1;
	}
}

void
dsdir_kept_release(struct dsdir *dd)
{
	for (int i = 0; i < DSD_NKEPT; i++)
		if (dd->kept[i].fd != -1) {
			close(dd->kept[i].fd);
			dd->kept[i].fd = -1;
		}
}

int
dsdir_kept_held(const struct dsdir *dd)
{
	int n = 0;

	for (int i = 0; i < DSD_NKEPT; i++)
		if (dd->kept[i].fd != -1)
			n++;
	return n;
}

unsigned long
dsdir_kept_uses(const struct dsdir *dd)
{
	return dd->kept_uses;
}

DIR *
dsdir_list(struct dsdir *dd, enum dsdir_sub sub)
{
	int dfd = dsdir_fd(dd, sub), fd;
	DIR *d;

	/* a descriptor of its own: readdir moves it, closedir closes it */
	if (dfd == -1 || (fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return NULL;
	if ((d = fdopendir(fd)) == NULL)
		close(fd);
	return d;
}

int
dsdir_stat(struct dsdir *dd, enum dsdir_sub sub, const char *name, struct stat *st)
{
	int dfd = dsdir_fd(dd, sub);

	if (dfd == -1)
		return -1;
	if (name == NULL)
		return fstat(dfd, st);
	return fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW);
}

int
dsdir_exists(struct dsdir *dd, enum dsdir_sub sub, const char *name)
{
	struct stat st;

	return dsdir_stat(dd, sub, name, &st) == 0;
}

int
dsdir_unlink(struct dsdir *dd, enum dsdir_sub sub, const char *name)
{
	int dfd = dsdir_fd(dd, sub);

	return dfd == -1 ? -1 : unlinkat(dfd, name, 0);
}

int
dsdir_rename(struct dsdir *dd, enum dsdir_sub sub, const char *from, const char *to)
{
	int dfd = dsdir_fd(dd, sub);

	return dfd == -1 ? -1 : renameat(dfd, from, dfd, to);
}

int
dsdir_link(struct dsdir *dd, enum dsdir_sub sub, const char *from, const char *to)
{
	int dfd = dsdir_fd(dd, sub);

	return dfd == -1 ? -1 : linkat(dfd, from, dfd, to, 0);
}

void
dsdir_fsync(struct dsdir *dd, enum dsdir_sub sub)
{
	int dfd = dsdir_fd(dd, sub);

	if (dfd != -1)
		(void)fsync(dfd);
}

const char *
dsdir_full_path(struct dsdir *dd, enum dsdir_sub sub, const char *name,
    char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s%s%s%s", dd->path,
	    sub_names[sub] != NULL ? "/" : "", sub_names[sub] != NULL ? sub_names[sub] : "",
	    name != NULL ? "/" : "", name != NULL ? name : "");

	if (n < 0 || (size_t)n >= len)
		buf[0] = '\0';	/* an unusable path fails at use */
	return buf;
}

int
dsdir_create_unique(struct dsdir *dd, enum dsdir_sub sub, const char *prefix,
    char *name, size_t len)
{
	static unsigned counter;
	int fd;

	for (int tries = 0; tries < 100; tries++) {
		if (snprintf(name, len, "%s.%ld.%u", prefix, (long)getpid(),
		    counter++) >= (int)len) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = dsdir_open_file(dd, sub, name, O_RDWR | O_CREAT | O_EXCL);
		if (fd != -1 || errno != EEXIST)
			return fd;
	}
	return -1;
}

int
dsdir_write_atomic(struct dsdir *dd, enum dsdir_sub sub, const char *name,
    int (*write_cb)(int fd, void *arg), void *arg)
{
	char tmp[NAME_MAX + 1], prefix[NAME_MAX - 24];
	int fd, saved;

	snprintf(prefix, sizeof(prefix), "%s.tmp", name);
	if ((fd = dsdir_create_unique(dd, sub, prefix, tmp, sizeof(tmp))) == -1)
		return -1;
	if (write_cb(fd, arg) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (dsdir_rename(dd, sub, tmp, name) == -1)
		goto fail;
	return fsync(dsdir_fd(dd, sub));
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	(void)dsdir_unlink(dd, sub, tmp);
	errno = saved;
	return -1;
}

int
dsdir_write_file(struct dsdir *dd, enum dsdir_sub sub, const char *name,
    const void *data, size_t len)
{
	struct atomic_buf b = { data, len };

	return dsdir_write_atomic(dd, sub, name, atomic_write_buf_cb, &b);
}

/*
 * What follows "<name>.tmp." in a temporary file of ours: "<pid>.<n>"
 * (dsdir_create_unique), or the six characters of mkstemp(3), which
 * atomic_write_with() put there before the store wrote through this file.
 */
static int
temp_suffix(const char *s)
{
	static const char digits[] = "0123456789";
	static const char mkstemp_chars[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	size_t pid = strspn(s, digits), n;

	if (pid > 0 && s[pid] == '.' && (n = strspn(s + pid + 1, digits)) > 0 &&
	    s[pid + 1 + n] == '\0')
		return 1;
	return strlen(s) == 6 && strspn(s, mkstemp_chars) == 6;
}

/* 1 when entry is "<name>.tmp.<suffix>" for one of names. */
static int
temp_of(const char *entry, const char *const names[])
{
	for (size_t i = 0; names[i] != NULL; i++) {
		size_t len = strlen(names[i]);

		if (strncmp(entry, names[i], len) == 0 &&
		    strncmp(entry + len, ".tmp.", 5) == 0 && temp_suffix(entry + len + 5))
			return 1;
	}
	return 0;
}

int
dsdir_remove_stale_temps(struct dsdir *dd, enum dsdir_sub sub,
    const char *const names[], time_t min_age)
{
	char full[PATH_MAX + NAME_MAX + 2];
	time_t now = time(NULL);
	struct dirent *de;
	struct stat st;
	int dfd, removed = 0;
	DIR *d;

	if ((d = dsdir_list(dd, sub)) == NULL)
		return -1;
	dfd = dsdir_fd(dd, sub);
	while ((de = readdir(d)) != NULL) {
		if (!temp_of(de->d_name, names) ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode) || st.st_mtime > now - min_age)
			continue;
		if (unlinkat(dfd, de->d_name, 0) == -1) {
			/* gone already (another session), or another user's in a sticky folder */
			if (errno != ENOENT && errno != EPERM && errno != EACCES)
				log_warn("%s", dsdir_full_path(dd, sub, de->d_name, full, sizeof(full)));
			continue;
		}
		log_info("%s: removed, a temporary file a writer killed mid-write left "
		    "(%lld s old)", dsdir_full_path(dd, sub, de->d_name, full, sizeof(full)),
		    (long long)(now - st.st_mtime));
		removed++;
	}
	closedir(d);
	return removed;
}
