/*
 * Atomic replacement of a file: write a temporary file in the same folder,
 * fsync it, rename it over the target, fsync the folder.  A crash at any
 * instant leaves either the old or the new content under the name.
 */
#ifndef NCHOME_ATOMICFILE_H
#define NCHOME_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Writes len bytes of data to path with the given mode; 0 or -1 with errno. */
int atomic_write_file(const char *path, const void *data, size_t len, mode_t mode);

/*
 * The same for content produced by a callback: write_cb is called with an
 * fd open on the temporary file and must return 0 or -1 with errno set.
 */
int atomic_write_with(const char *path, mode_t mode,
    int (*write_cb)(int fd, void *arg), void *arg);

/* A write_cb for a buffer: arg is a struct atomic_buf. */
struct atomic_buf {
	const void	*data;
	size_t		 len;
};
int atomic_write_buf_cb(int fd, void *arg);

/* write(2) until done, retrying on EINTR; 0 or -1. */
int write_all(int fd, const void *data, size_t len);

#endif
