/*
 * The datastore locks of <lock>/<unlock> (RFC 6241 7.5, 7.6) and the
 * write check every change makes (see store.h).
 *
 * A datastore lock is flock(LOCK_EX) on datastore-dir/<ds>.lock, held on
 * a descriptor this process keeps open; the file holds the holder's
 * session-id (written after the flock is taken, emptied before it is
 * dropped).  A reader that sees the flock held but the file still empty is
 * looking at a lock being taken right now and retries briefly.  Since the
 * kernel releases an flock with its last descriptor, a dead holder (even
 * SIGKILL) holds nothing: no stale locks.  Descriptors are O_CLOEXEC so
 * commit hooks and other children never inherit a lock.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store_int.h"

#define HOLDER_TRIES	100	/* of 2 ms: how long a lock being taken is waited for */

static const char *
lock_name(enum ds_id ds, char *buf, size_t len)
{
	snprintf(buf, len, "%s.lock", ds_name(ds));
	return buf;
}

static uint32_t
read_holder(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (uint32_t)strtoul(buf, NULL, 10);
}

int
store_ds_held(struct store *st, enum ds_id ds)
{
	return st->held_fd[ds] != -1;
}

uint32_t
store_lock_holder(struct store *st, enum ds_id ds, time_t *since)
{
	char name[STORE_NAME_MAX];
	struct stat sb;
	uint32_t id = 0;
	int fd;

	if (since != NULL)
		*since = time(NULL);
	if ((fd = dsdir_open_file(st->dd, DSD_TOP, lock_name(ds, name, sizeof(name)),
	    O_RDONLY)) == -1)
		return store_ds_held(st, ds) ? st->sid : 0;
	for (int tries = 0; tries < HOLDER_TRIES && !store_ds_held(st, ds); tries++) {
		struct timespec ts = { 0, 2 * 1000 * 1000 };

		if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
			id = 0;		/* nobody holds it */
			break;
		}
		if ((id = read_holder(fd)) != 0)
			break;
		nanosleep(&ts, NULL);	/* being taken right now */
	}
	if (store_ds_held(st, ds))
		id = st->sid;
	/* locked-time: the holder writes its id when it takes the lock */
	if (id != 0 && since != NULL && fstat(fd, &sb) == 0)
		*since = sb.st_mtime;
	close(fd);
	return id;
}

int
store_check_write(struct store *st, struct rpc *r, enum ds_id ds)
{
	uint32_t holder = store_lock_holder(st, ds, NULL);
	xmlNodePtr err;
	char num[16];

	if (holder == 0 || holder == st->sid)
		return 0;
	err = rpc_error(r, ERR_PROTOCOL, TAG_IN_USE, NULL,
	    "datastore %s is locked by session %u", ds_name(ds), holder);
	snprintf(num, sizeof(num), "%u", holder);
	rpc_error_info(err, "session-id", num);
	return -1;
}

void
store_ds_unlock(struct store *st, enum ds_id ds)
{
	if (!store_ds_held(st, ds))
		return;
	if (ds == DS_CANDIDATE)
		store_candidate_discard(st);
	if (ftruncate(st->held_fd[ds], 0) == -1)
		log_warn("session %u: truncating %s lock", st->sid, ds_name(ds));
	close(st->held_fd[ds]);
	st->held_fd[ds] = -1;
}

void
store_release_locks(struct store *st)
{
	if (st == NULL)
		return;
	for (int ds = 0; ds < DS_COUNT; ds++)
		store_ds_unlock(st, (enum ds_id)ds);
}

enum ds_lock_result
store_ds_lock(struct store *st, enum ds_id ds, uint32_t *holder)
{
	char name[STORE_NAME_MAX], num[16];
	int fd, n, other;

	*holder = 0;
	if (store_ds_held(st, ds)) {
		*holder = st->sid;
		return DSL_MINE;
	}
	if ((fd = dsdir_open_file(st->dd, DSD_TOP, lock_name(ds, name, sizeof(name)),
	    O_RDWR | O_CREAT)) == -1)
		return DSL_OPEN_FAILED;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		*holder = store_lock_holder(st, ds, NULL);
		return DSL_BUSY;	/* holder 0: released in between, retry */
	}
	/* RFC 6241 7.5: no lock on a candidate holding others' changes */
	if (ds == DS_CANDIDATE && (other = store_candidate_changed_by_other(st)) != 0) {
		close(fd);
		return other == 1 ? DSL_CANDIDATE_DIRTY : DSL_CANDIDATE_UNKNOWN;
	}
	n = snprintf(num, sizeof(num), "%u\n", st->sid);
	if (ftruncate(fd, 0) == -1 || pwrite(fd, num, (size_t)n, 0) != n) {
		close(fd);
		return DSL_WRITE_FAILED;
	}
	st->held_fd[ds] = fd;
	return DSL_TAKEN;
}
