/*
 * commit, discard-changes, cancel-commit, and the confirmed commit
 * (RFC 6241 8.3, 8.4 :confirmed-commit:1.1).
 *
 * The candidate is candidate.xml (+ journal) in datastore-dir, absent when
 * it equals running.  commit makes it running (atomic rewrite of
 * running.xml) and removes it.
 *
 * A confirmed commit saves running first to running.rollback.xml and
 * writes confirm.state ("token pid deadline session-id", then the
 * persist string).  Its timer is a detached process (double fork,
 * setsid, every inherited fd closed so no flock or channel stays held)
 * that sleeps until the deadline, then, under the datastore lock, restores
 * running.rollback.xml if confirm.state still carries its token.  So the
 * rollback happens even when every session is gone.  A follow-up
 * confirmed commit writes a new token (the old timer then does nothing);
 * a confirming commit or cancel-commit removes the state.  Without
 * <persist>, only the session that started it may confirm or cancel, and
 * its end rolls back at once (8.4); with <persist>, any session giving the
 * same <persist-id> may.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "atomicfile.h"
#include "hooks.h"
#include "lock.h"
#include "log.h"
#include "notify.h"
#include "store.h"

#define STATE_FILE	"confirm.state"
#define ROLLBACK_FILE	"running.rollback.xml"

struct confirm_state {
	uint64_t	 token;
	long		 pid;
	int64_t		 deadline;
	uint32_t	 session;
	char		 persist[256];	/* "" without persist */
};

static int
read_state(struct session *s, struct confirm_state *cs)
{
	char p[PATH_MAX], line[512];
	FILE *f = fopen(store_path(s, STATE_FILE, p, sizeof(p)), "re");
	int ok = 0;

	memset(cs, 0, sizeof(*cs));
	if (f == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) != NULL &&
	    sscanf(line, "%" SCNu64 " %ld %" SCNd64 " %" SCNu32, &cs->token, &cs->pid,
	    &cs->deadline, &cs->session) == 4) {
		ok = 1;
		if (fgets(cs->persist, sizeof(cs->persist), f) != NULL)
			cs->persist[strcspn(cs->persist, "\n")] = '\0';
	}
	fclose(f);
	return ok;
}

static int
write_state(struct session *s, const struct confirm_state *cs)
{
	char p[PATH_MAX], buf[512];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64 " %ld %" PRId64 " %" PRIu32 "\n%s\n",
	    cs->token, cs->pid, cs->deadline, cs->session, cs->persist);

	return atomic_write_file(store_path(s, STATE_FILE, p, sizeof(p)), buf,
	    (size_t)n, store_file_mode());
}

static void
clear_state(struct session *s)
{
	char p[PATH_MAX];

	unlink(store_path(s, STATE_FILE, p, sizeof(p)));
	unlink(store_path(s, ROLLBACK_FILE, p, sizeof(p)));
	s->ds->confirmed_mine = 0;
}

/*
 * Restores running from the rollback file and ends the confirmed commit
 * (under the exclusive store lock).  r may be a stand-in whose errors
 * nobody reads: hooks run, but their failure cannot stop a rollback.
 */
static int
rollback_now(struct rpc *r)
{
	struct session *s = r->s;
	char p[PATH_MAX];
	xmlDocPtr doc, cur;

	doc = store_read_doc(store_path(s, ROLLBACK_FILE, p, sizeof(p)));
	if (doc == NULL) {
		log_warnx("%s: cannot read the saved running datastore", p);
		clear_state(s);
		return -1;
	}
	if ((cur = store_doc(s, DS_RUNNING)) != NULL)
		(void)ds_running_changed(r, cur, doc);
	if (store_replace(s, DS_RUNNING, doc) == -1)
		return -1;
	notify_config_change(s, DS_RUNNING);
	clear_state(s);
	log_info("confirmed commit rolled back");
	return 0;
}

static void
close_fds(void)
{
	long max = sysconf(_SC_OPEN_MAX);

	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < max; fd++)
		close(fd);
}

/* The timer process: sleeps until deadline, then rolls back unless superseded. */
static void
timer_main(struct session *parent, uint64_t token, int64_t deadline)
{
	struct session s = { 0 };
	struct ds_state *st;
	struct confirm_state cs;
	struct rpc r = { 0 };
	struct timespec ts;
	int fd;

	/* the session's handlers only set flags: a timer must die on SIGTERM */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	close_fds();
	for (;;) {
		clock_gettime(CLOCK_REALTIME, &ts);
		if (ts.tv_sec >= deadline)
			break;
		sleep((unsigned)(deadline - ts.tv_sec));
	}
	if ((st = calloc(1, sizeof(*st))) == NULL)
		_exit(1);
	memcpy(st->dir, parent->ds->dir, sizeof(st->dir));
	st->lockfd = -1;
	s.id = 0;
	s.conf = parent->conf;
	s.nc = parent->nc;
	s.ds = st;
	r.s = &s;
	if (store_lock(&s, 1) == 0) {
		if (read_state(&s, &cs) && cs.token == token &&
		    rollback_now(&r) == 0)
			notify_confirmed_commit(&s, "timeout", 0);
		store_unlock(&s);
	}
	_exit(0);
}

static pid_t
start_timer(struct session *s, uint64_t token, int64_t deadline)
{
	pid_t pid, grand;
	int fds[2], status;

	if (pipe(fds) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		setsid();
		signal(SIGHUP, SIG_IGN);
		if ((grand = fork()) != 0) {
			if (write_all(fds[1], &grand, sizeof(grand)) == -1)
				_exit(1);
			_exit(grand == -1);
		}
		close(fds[1]);
		timer_main(s, token, deadline);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &grand, sizeof(grand)) != sizeof(grand))
		grand = -1;
	close(fds[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	return grand;
}

static void
running_unwritable(struct rpc *r)
{
	const char *hint = store_failure_hint(r->s);

	rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
	    "cannot write running%s%s", hint != NULL ? ": " : "", hint != NULL ? hint : "");
}

/* May this rpc confirm or cancel the pending confirmed commit cs? */
static int
may_settle(struct rpc *r, const struct confirm_state *cs, const char *persist_id)
{
	if (cs->persist[0] != '\0') {
		if (persist_id == NULL || strcmp(persist_id, cs->persist) != 0) {
			xmlNodePtr e = rpc_error(r, ERR_PROTOCOL, TAG_INVALID_VALUE, NULL,
			    "a persistent confirmed commit is pending: give its persist-id");
			rpc_error_info(e, "bad-element", "persist-id");
			return 0;
		}
		return 1;
	}
	if (persist_id != NULL) {
		xmlNodePtr e = rpc_error(r, ERR_PROTOCOL, TAG_INVALID_VALUE, NULL,
		    "no persistent confirmed commit with that persist-id");
		rpc_error_info(e, "bad-element", "persist-id");
		return 0;
	}
	if (cs->session != r->s->id) {
		rpc_error(r, ERR_PROTOCOL, TAG_IN_USE, NULL,
		    "a confirmed commit of session %u is pending", cs->session);
		return 0;
	}
	return 1;
}

void
op_commit(struct rpc *r)
{
	struct session *s = r->s;
	struct confirm_state cs;
	char tbuf[32], pbuf[256], pibuf[256], rp[PATH_MAX];
	const char *persist, *persist_id;
	int confirmed = nc_child(r->op, "confirmed") != NULL, pending;
	unsigned long timeout = 600;
	xmlDocPtr cand, run;

	if (rpc_param(r, "confirm-timeout", tbuf, sizeof(tbuf)) != NULL) {
		char *end;
		timeout = strtoul(tbuf, &end, 10);
		if (*end != '\0' || timeout == 0 || timeout > 0xffffffffUL) {
			xmlNodePtr e = rpc_error(r, ERR_PROTOCOL, TAG_INVALID_VALUE, NULL,
			    "confirm-timeout must be a positive number of seconds");
			rpc_error_info(e, "bad-element", "confirm-timeout");
			return;
		}
	}
	persist = rpc_param(r, "persist", pbuf, sizeof(pbuf));
	persist_id = rpc_param(r, "persist-id", pibuf, sizeof(pibuf));
	if (lock_check_write(r, DS_RUNNING) == -1)
		return;
	if (store_lock(s, 1) == -1) {
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL, "datastore lock");
		return;
	}
	pending = read_state(s, &cs);
	if (pending && !may_settle(r, &cs, persist_id))
		goto out;
	if (!pending && persist_id != NULL) {
		xmlNodePtr e = rpc_error(r, ERR_PROTOCOL, TAG_INVALID_VALUE, NULL,
		    "no confirmed commit is pending");
		rpc_error_info(e, "bad-element", "persist-id");
		goto out;
	}
	if (!confirmed && !pending && store_candidate_present(s) &&
	    !hooks_commit_enabled(s)) {
		/* fast path: the overlay's edits go to running's journal */
		if ((cand = store_doc(s, DS_CANDIDATE)) != NULL &&
		    store_validate(s, r, cand) == -1)
			goto out;
		switch (store_commit_overlay(s)) {
		case 1:
			goto out;
		case -1:
			running_unwritable(r);
			goto out;
		}
	}
	if (store_pin_candidate(s) == -1 || (run = store_doc(s, DS_RUNNING)) == NULL) {
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL, "running unreadable");
		goto out;
	}
	if (confirmed && !pending &&
	    store_write_doc(store_path(s, ROLLBACK_FILE, rp, sizeof(rp)), run) == -1) {
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "cannot save running for the rollback");
		goto out;
	}
	if (store_candidate_present(s)) {
		if ((cand = store_doc(s, DS_CANDIDATE)) == NULL) {
			rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
			    "candidate unreadable");
			goto fail;
		}
		if (store_validate(s, r, cand) == -1 ||
		    ds_running_changed(r, store_doc(s, DS_RUNNING), cand) == -1)
			goto fail;
		/* the candidate's document becomes running's */
		s->ds->c[DS_CANDIDATE].doc = NULL;
		if (store_replace(s, DS_RUNNING, cand) == -1) {
			running_unwritable(r);
			goto fail;
		}
		notify_config_change(s, DS_RUNNING);
		store_drop_candidate(s);
	}
	if (confirmed) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		if (!pending) {
			memset(&cs, 0, sizeof(cs));
			snprintf(cs.persist, sizeof(cs.persist), "%s",
			    persist != NULL ? persist : "");
		} else if (persist != NULL)
			snprintf(cs.persist, sizeof(cs.persist), "%s", persist);
		if (RAND_bytes((unsigned char *)&cs.token, sizeof(cs.token)) != 1)
			cs.token = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
		cs.session = s->id;
		cs.deadline = (int64_t)ts.tv_sec + (int64_t)timeout;
		cs.pid = 0;
		if (write_state(s, &cs) == -1 ||
		    (cs.pid = start_timer(s, cs.token, cs.deadline)) == -1) {
			log_warn("confirmed commit timer");
			rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
			    "cannot start the confirmed-commit timer; rolling back");
			rollback_now(r);
			goto out;
		}
		(void)write_state(s, &cs);
		s->ds->confirmed_mine = cs.persist[0] == '\0';
		notify_confirmed_commit(s, pending ? "extend" : "start", timeout);
	} else if (pending) {
		clear_state(s);		/* the confirming commit */
		notify_confirmed_commit(s, "complete", 0);
	}
	goto out;
fail:
	if (confirmed && !pending)
		unlink(rp);
out:
	store_unlock(s);
}

void
op_cancel_commit(struct rpc *r)
{
	struct confirm_state cs;
	char pibuf[256];
	const char *persist_id = rpc_param(r, "persist-id", pibuf, sizeof(pibuf));

	if (store_lock(r->s, 1) == -1) {
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL, "datastore lock");
		return;
	}
	if (!read_state(r->s, &cs))
		rpc_error(r, ERR_PROTOCOL, TAG_OPERATION_FAILED, NULL,
		    "no confirmed commit is pending");
	else if (may_settle(r, &cs, persist_id)) {
		if (rollback_now(r) == -1)
			rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
			    "the rollback failed");
		else
			notify_confirmed_commit(r->s, "cancel", 0);
	}
	store_unlock(r->s);
}

void
op_discard_changes(struct rpc *r)
{
	if (lock_check_write(r, DS_CANDIDATE) == -1)
		return;
	if (store_lock(r->s, 1) == -1) {
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL, "datastore lock");
		return;
	}
	store_drop_candidate(r->s);
	store_unlock(r->s);
}

void
confirmed_session_end(struct session *s)
{
	struct confirm_state cs;
	struct rpc r = { 0 };

	if (!s->ds->confirmed_mine)
		return;
	r.s = s;
	if (store_lock(s, 1) == 0) {
		if (read_state(s, &cs) && cs.session == s->id && cs.persist[0] == '\0' &&
		    rollback_now(&r) == 0)
			notify_confirmed_commit(s, "cancel", 0);
		store_unlock(s);
	}
	xmlFreeDoc(r.err_doc);
}
