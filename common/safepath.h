/*
 * Is a file one that only root can change?  The dialer runs as root and
 * execs what its configuration names, so a configuration that another
 * user could write, or swap through a folder above it, would hand root
 * to that user.
 */
#ifndef NCHOME_SAFEPATH_H
#define NCHOME_SAFEPATH_H

#include <sys/stat.h>
#include <stddef.h>

/*
 * path was opened and fstat() gave st.  0 when the file and every folder
 * from it up to / belong to root and no group or other user may write
 * them (a sticky folder excepted, see safepath.c); otherwise -1 with
 * "path: <file or folder> is owned by ... mode ..." in err.
 */
int safe_path_root(const char *path, const struct stat *st, char *err, size_t errlen);

#endif
