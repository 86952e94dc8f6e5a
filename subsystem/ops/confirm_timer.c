/*
 * The confirmed commit's state (RFC 6241 8.4) and its timer: confirm.state
 * in datastore-dir ("token pid deadline session-id", then the persist
 * string), running.rollback.xml, and the detached process that rolls
 * running back at the deadline.  commit.c decides when; this file keeps
 * the state and does the rollback.
 *
 * The timer is a detached process (double fork, setsid, every inherited
 * fd closed so no flock or channel stays held, a store of its own on a
 * datastore-dir it opens again: no session) that sleeps until the
 * deadline, then, under the datastore lock, restores running.rollback.xml
 * if confirm.state still carries its token.  So the rollback happens even
 * when every session is gone.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "closefrom.h"
#include "log.h"
#include "flockwait.h"
#include "ops_int.h"

#define STATE_FILE	"confirm.state"
#define ROLLBACK_FILE	"running.rollback.xml"

/* Seconds between a timer's checks that its confirmed commit is still pending. */
#define TIMER_RECHECK	2

int
confirm_read(struct dsdir *dd, struct confirm_state *cs)
{
	char buf[512 + sizeof(cs->persist)], *nl;
	ssize_t n;
	int fd, ok = 0;

	memset(cs, 0, sizeof(*cs));
	if ((fd = dsdir_open_file(dd, DSD_TOP, STATE_FILE, O_RDONLY)) == -1)
		return 0;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%" SCNu64 " %ld %" SCNd64 " %" SCNu32, &cs->token, &cs->pid,
	    &cs->deadline, &cs->session) == 4) {
		ok = 1;
		if ((nl = strchr(buf, '\n')) != NULL)
			snprintf(cs->persist, sizeof(cs->persist), "%.*s",
			    (int)strcspn(nl + 1, "\n"), nl + 1);
	}
	return ok;
}

int
confirm_write(struct dsdir *dd, const struct confirm_state *cs)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64 " %ld %" PRId64 " %" PRIu32 "\n%s\n",
	    cs->token, cs->pid, cs->deadline, cs->session, cs->persist);

	return dsdir_write_file(dd, DSD_TOP, STATE_FILE, buf, (size_t)n);
}

void
confirm_clear(struct dsdir *dd)
{
	(void)dsdir_unlink(dd, DSD_TOP, STATE_FILE);
	(void)dsdir_unlink(dd, DSD_TOP, ROLLBACK_FILE);
}

/*
 * Restores running from the rollback file and ends the confirmed commit
 * (under the exclusive store lock).  The commit hooks of hooks_dir run
 * but cannot stop a rollback (r, NULL in the timer, gets their errors);
 * by is who rolls back (NULL: the server).
 */
int
confirm_rollback(struct store *st, struct dsdir *dd, const char *hooks_dir,
    struct rpc *r, const struct session *by, const char *why)
{
	struct cfg_edits edits;
	xmlDocPtr doc, cur;

	if ((doc = store_load_file(st, ROLLBACK_FILE)) == NULL) {
		log_warnx("%s/%s: cannot read the saved running datastore",
		    dsdir_path(dd), ROLLBACK_FILE);
		confirm_clear(dd);
		return -1;
	}
	/* the timer has no session, so no modules: its targets are schema-less */
	cfg_edits_init(&edits, by != NULL ? store_yang(st, by->schema, doc) : NULL,
	    store_keys(st));
	if ((cur = store_doc(st, DS_RUNNING)) != NULL)
		(void)hooks_running_changed(dd, hooks_dir, by, r, cur, doc);
	ops_change_edits(cur != NULL ? xmlDocGetRootElement(cur) : NULL,
	    xmlDocGetRootElement(doc), &edits, NULL);
	if (store_replace(st, DS_RUNNING, doc) == -1) {
		cfg_edits_free(&edits);
		return -1;
	}
	ops_config_changed(dd, by, "running", why, &edits);
	cfg_edits_free(&edits);
	confirm_clear(dd);
	return 0;
}

/*
 * The timer process: sleeps until deadline, then rolls back unless
 * superseded.  It holds nothing of the session: a datastore-dir and a
 * store of its own, acting as the server.
 */
static void
timer_main(const char *dir, const char *schema, const char *hooks_dir,
    uint64_t token, int64_t deadline)
{
	struct confirm_state cs;
	struct timespec ts;
	struct dsdir *dd;
	struct store *st;
	int fd;

	/* the session's handlers only set flags: a timer must die on SIGTERM */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	/*
	 * syslog's socket is among the fds closed below: forgotten first, so
	 * that its next line opens a new one instead of writing to (and, on
	 * failure, closing) whichever file then has its number.
	 */
	closelog();
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	close_from(3);
	if ((dd = dsdir_open(dir)) == NULL)
		_exit(1);
	/*
	 * Wake now and then: a confirmed or cancelled commit (or a newer
	 * one) has taken the token away, and this timer ends then instead
	 * of lingering till its deadline.
	 */
	for (;;) {
		clock_gettime(CLOCK_REALTIME, &ts);
		if (ts.tv_sec >= deadline)
			break;
		sleep((unsigned)(deadline - ts.tv_sec < TIMER_RECHECK ?
		    deadline - ts.tv_sec : TIMER_RECHECK));
		if (!confirm_read(dd, &cs) || cs.token != token)
			_exit(0);
	}
	/* no client waits for this rollback: it waits for the write lock unbounded */
	flock_wait_set_bound(-1);
	if ((st = store_open(dd, schema, 0)) == NULL)
		_exit(1);
	if (store_lock(st, 1) == 0) {
		if (confirm_read(dd, &cs) && cs.token == token &&
		    confirm_rollback(st, dd, hooks_dir, NULL, NULL,
		    "confirmed commit rolled back: timeout") == 0)
			event_confirmed_commit(dd, NULL, "timeout", 0);
		store_unlock(st);
	}
	_exit(0);
}

pid_t
confirm_timer_start(struct session *s, uint64_t token, int64_t deadline)
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
		timer_main(dsdir_path(s->dd), s->nc->schema, s->nc->commit_hooks, token,
		    deadline);
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
