/*
 * <lock>/<unlock> and the write check for the data side (see lock.h).
 *
 * A datastore lock is flock(LOCK_EX) on datastore-dir/<ds>.lock, held on
 * an fd this process keeps open; the file holds the holder's session-id
 * (written after the flock is taken, emptied before it is dropped).  A
 * reader that sees the flock held but the file still empty is looking at
 * a lock being taken right now and retries briefly.  Since the kernel
 * releases an flock with its last fd, a dead holder (even SIGKILL) holds
 * nothing: no stale locks.  Fds are O_CLOEXEC so commit hooks and other
 * children never inherit a lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "log.h"
#include "session_registry.h"

static int held_fd[DS_COUNT];
static int held[DS_COUNT];

static int
lock_path(struct session *s, enum ds_id ds, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s.lock", s->nc->datastore_dir, ds_name(ds));

	return n < 0 || (size_t)n >= len ? -1 : 0;
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

uint32_t
lock_holder(struct session *s, enum ds_id ds)
{
	char path[PATH_MAX];
	uint32_t id = 0;
	int fd;

	if (held[ds])
		return s->id;
	if (lock_path(s, ds, path, sizeof(path)) == -1 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return 0;
	for (int tries = 0; tries < 100; tries++) {
		struct timespec ts = { 0, 2 * 1000 * 1000 };

		if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
			id = 0;		/* nobody holds it */
			break;
		}
		if ((id = read_holder(fd)) != 0)
			break;
		nanosleep(&ts, NULL);	/* being taken right now */
	}
	close(fd);
	return id;
}

int
lock_check_write(struct rpc *r, enum ds_id ds)
{
	uint32_t holder = lock_holder(r->s, ds);
	xmlNodePtr err;
	char num[16];

	if (holder == 0 || holder == r->s->id)
		return 0;
	err = rpc_error(r, ERR_PROTOCOL, TAG_IN_USE, NULL,
	    "datastore %s is locked by session %u", ds_name(ds), holder);
	snprintf(num, sizeof(num), "%u", holder);
	rpc_error_info(err, "session-id", num);
	return -1;
}

static void
release(struct session *s, enum ds_id ds)
{
	if (!held[ds])
		return;
	if (ds == DS_CANDIDATE)
		ds_candidate_discard(s);
	if (ftruncate(held_fd[ds], 0) == -1)
		log_warn("session %u: truncating %s lock", s->id, ds_name(ds));
	close(held_fd[ds]);
	held[ds] = 0;
	held_fd[ds] = -1;
}

void
lock_release_all(struct session *s)
{
	for (int ds = 0; ds < DS_COUNT; ds++)
		release(s, (enum ds_id)ds);
}

static void
lock_denied(struct rpc *r, enum ds_id ds, uint32_t holder, const char *why)
{
	xmlNodePtr err;
	char num[16];

	err = rpc_error(r, ERR_PROTOCOL, TAG_LOCK_DENIED, NULL, "%s", why);
	snprintf(num, sizeof(num), "%u", holder);
	rpc_error_info(err, "session-id", num);
	log_debug("session %u: lock %s denied: %s", r->s->id, ds_name(ds), why);
}

/* The <target> of a lock/unlock; -1 with the error added. */
static int
lock_target(struct rpc *r, enum ds_id *ds)
{
	xmlNodePtr target = nc_child(r->op, "target"), err;

	if (target == NULL) {
		err = rpc_error(r, ERR_PROTOCOL, TAG_MISSING_ELEMENT, NULL,
		    "<%s> needs a <target>", (const char *)r->op->name);
		rpc_error_info(err, "bad-element", "target");
		return -1;
	}
	return ds_parse_target(r, target, ds);
}

void
op_lock(struct rpc *r)
{
	struct session *s = r->s;
	char path[PATH_MAX], msg[128], num[16];
	enum ds_id ds;
	uint32_t holder;
	int fd, n;

	if (lock_target(r, &ds) == -1)
		return;
	if (held[ds]) {
		lock_denied(r, ds, s->id, "this session already holds the lock");
		return;
	}
	if (lock_path(s, ds, path, sizeof(path)) == -1)
		fd = -1;
	else if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) != -1)
		(void)fchmod(fd, shared_mode(s->nc->datastore_dir, 0));
	else if (errno == EEXIST)
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1) {
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "cannot open the %s lock file", ds_name(ds));
		return;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		if ((holder = lock_holder(s, ds)) == 0) {
			/* Released in between: the client may simply retry. */
			lock_denied(r, ds, 0, "lock is being changed, retry");
			return;
		}
		snprintf(msg, sizeof(msg), "%s is locked by session %u",
		    ds_name(ds), holder);
		lock_denied(r, ds, holder, msg);
		return;
	}
	/* RFC 6241 7.5: no lock on a candidate holding others' changes. */
	if (ds == DS_CANDIDATE && ds_candidate_changed_by_other(s)) {
		close(fd);
		lock_denied(r, ds, 0, "candidate has uncommitted changes of another session");
		return;
	}
	n = snprintf(num, sizeof(num), "%u\n", s->id);
	if (ftruncate(fd, 0) == -1 || pwrite(fd, num, (size_t)n, 0) != n) {
		close(fd);
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "cannot write the %s lock file", ds_name(ds));
		return;
	}
	held[ds] = 1;
	held_fd[ds] = fd;
	log_debug("session %u: locked %s", s->id, ds_name(ds));
}

void
op_unlock(struct rpc *r)
{
	struct session *s = r->s;
	enum ds_id ds;
	uint32_t holder;
	xmlNodePtr err;
	char num[16];

	if (lock_target(r, &ds) == -1)
		return;
	if (!held[ds]) {
		holder = lock_holder(s, ds);
		if (holder == 0)
			err = rpc_error(r, ERR_PROTOCOL, TAG_OPERATION_FAILED, NULL,
			    "%s is not locked", ds_name(ds));
		else {
			err = rpc_error(r, ERR_PROTOCOL, TAG_OPERATION_FAILED, NULL,
			    "%s is locked by session %u, not by this one",
			    ds_name(ds), holder);
			snprintf(num, sizeof(num), "%u", holder);
			rpc_error_info(err, "session-id", num);
		}
		return;
	}
	release(s, ds);
	log_debug("session %u: unlocked %s", s->id, ds_name(ds));
}
