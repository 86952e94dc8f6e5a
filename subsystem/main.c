/*
 * nchome-netconf: the NETCONF server sshd runs as "Subsystem netconf".
 * One process per session, started by sshd as the logged-in account;
 * installed set-uid, it records that account and becomes the service
 * identity (host/identity.c).  stdin/stdout carry RFC 6242 framed
 * messages.
 *
 * Life of a session: read nchome.conf, open datastore-dir, register in
 * the session registry (a session-id unique across all session processes
 * on the host), fill the layers' tables (server.c), open the datastores,
 * send the hello, then a poll() loop (netconf/mainloop.c) on stdin and a
 * self-pipe for signals.  The session ends on EOF, a framing error, SIGTERM (e.g. from
 * kill-session), SIGHUP, a lost peer (SIGPIPE is ignored so writes fail
 * with EPIPE) or after the reply to <close-session>.  Every end releases
 * the locks, closes the datastores and removes the registry entry
 * (server_teardown);
 * a SIGKILLed process leaves nothing held, since locks and liveness are
 * flock()s that die with it.
 */
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "config.h"
#include "callhome_signal.h"
#include "conf.h"
#include "host/host.h"
#include "flockwait.h"
#include "log.h"
#include "observe/observe.h"
#include "schema/schema.h"
#include "server.h"
#include "session/session.h"
#include "tree/tree.h"
#include "xmalloc.h"

static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t got_signal;
static volatile sig_atomic_t killer;	/* session-id of a kill-session, as int */

static struct session sess;
static int hello_done, bad_hello;

#ifdef __GLIBC__
/*
 * Set-up read the module files (the hello's scan) into heap buffers it
 * freed: about 40 kB of each session's own memory stays resident until
 * malloc_trim gives it back.  Once, when the session has been quiet for
 * TRIM_IDLE_MS: a client sends its first request right after its hello,
 * and after the hello that request waited for the trim (madvise, brk)
 * and for the page faults that brought pages back (on a VM, ~15 us a
 * page; before the hello, exec -> hello paid as much).  By then the
 * framer's input buffer does not cover the freed text: it is allocated
 * before the scan (framer_new).
 */
#define TRIM_IDLE_MS	50
static int trim_timer = -1;	/* armed: its id; -1: done */

static void
trim_cb(void *arg)
{
	(void)arg;
	trim_timer = -1;
	(void)malloc_trim(0);
}

/* Input came: the session is busy, the trim waits for the next quiet. */
static void
trim_later(void)
{
	if (trim_timer == -1)
		return;
	ml_cancel_timer(trim_timer);
	if ((trim_timer = ml_add_timer(TRIM_IDLE_MS, trim_cb, NULL)) == -1)
		(void)malloc_trim(0);	/* no timer left: now, as a fallback */
}
#else
static void
trim_later(void)
{
}
#endif

/*
 * The event log and its lock, kept open between records (host/dsdir.c
 * dsdir_kept_open), are let go once no record has used them for
 * KEPT_IDLE_MS: another session may rotate the log away twice meanwhile,
 * and a kept descriptor would hold the dropped file (up to the log's
 * size) until this session's next record or its end.  Checked before
 * each poll(), after every callback that may have written a record
 * (a request, the confirmed-commit timer): one timer while files are
 * kept and used, none once they are let go, so an idle session blocks.
 */
#define KEPT_IDLE_MS	2000
static int kept_timer = -1;
static unsigned long kept_uses_seen;

static void
kept_idle_cb(void *arg)
{
	(void)arg;
	kept_timer = -1;
	dsdir_kept_release(sess.dd);
}

static void
kept_before_poll(void *arg)
{
	unsigned long uses = dsdir_kept_uses(sess.dd);

	(void)arg;
	if (uses == kept_uses_seen)
		return;		/* not used since: the timer runs on, or all is let go */
	kept_uses_seen = uses;
	ml_cancel_timer(kept_timer);
	kept_timer = -1;
	if (dsdir_kept_held(sess.dd) > 0 &&
	    (kept_timer = ml_add_timer(KEPT_IDLE_MS, kept_idle_cb, NULL)) == -1)
		dsdir_kept_release(sess.dd);	/* no timer left: now */
}

static void
usage(void)
{
	fprintf(stderr, "usage: nchome-netconf [-d] [-f file]\n");
	exit(1);
}

static void
on_signal(int sig, siginfo_t *si, void *ctx)
{
	int saved = errno;
	char c = (char)sig;

	(void)ctx;
	got_signal = sig;
	/* kill-session (session_ops.c) sends SIGTERM with sigqueue() and its id. */
	if (sig == SIGTERM && si != NULL && si->si_code == SI_QUEUE)
		killer = si->si_value.sival_int;
	if (write(sig_pipe[1], &c, 1) == -1) {
		/* the pipe is full: a wake-up is already pending */
	}
	errno = saved;
}

static void
signal_cb(int fd, void *arg)
{
	char buf[16];

	(void)arg;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	log_info("session %u: ended by signal %d", sess.id, (int)got_signal);
	ml_stop(0);
}

static int
setup_signals(void)
{
	struct sigaction sa;

	if (pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_RESTART | SA_SIGINFO;
	if (sigaction(SIGTERM, &sa, NULL) == -1 || sigaction(SIGHUP, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		return -1;
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		return -1;
	return ml_add_fd(sig_pipe[0], signal_cb, NULL);
}

/* Handles one framed message; -1 ends the session. */
static int
handle_message(char *msg, size_t len)
{
	if (!hello_done) {
		if (hello_recv(&sess, msg, len) == -1) {
			bad_hello = 1;
			return -1;
		}
		hello_done = 1;
		callhome_signal_hello(sess.conf);	/* tells the dialer: this call home worked */
		event_session_start(sess.dd, &sess);
		return 0;
	}
	if (rpc_handle(&sess, msg, len) == -1) {
		log_info("session %u: peer gone while replying", sess.id);
		return -1;
	}
	if (sess.closing) {
		log_info("session %u: closed by client", sess.id);
		return -1;
	}
	return 0;
}

static void
stdin_cb(int fd, void *arg)
{
	char *msg;
	size_t len;
	long n;

	(void)fd;
	(void)arg;
	trim_later();
	if ((n = framer_fill(sess.fr)) <= 0) {
		if (n < 0)
			log_warn("session %u: read", sess.id);
		else if (framer_partial(sess.fr))
			log_info("session %u: end of input inside a message", sess.id);
		else
			log_info("session %u: end of input", sess.id);
		ml_stop(0);
		return;
	}
	for (;;) {
		switch (framer_next(sess.fr, &msg, &len)) {
		case FR_MORE:
			return;
		case FR_MSG:
			if (handle_message(msg, len) == -1) {
				ml_stop(0);
				return;
			}
			break;
		case FR_TOO_BIG:
			log_warnx("session %u: %s", sess.id, framer_error(sess.fr));
			if (hello_done)
				(void)rpc_send_error(&sess, ERR_RPC, TAG_TOO_BIG,
				    framer_error(sess.fr));
			ml_stop(0);
			return;
		case FR_BAD:
			log_warnx("session %u: framing error: %s", sess.id,
			    framer_error(sess.fr));
			if (hello_done)
				(void)rpc_send_error(&sess, ERR_RPC,
				    sess.base11 ? TAG_MALFORMED_MESSAGE : TAG_OPERATION_FAILED,
				    framer_error(sess.fr));
			ml_stop(0);
			return;
		}
	}
}

/*
 * max-sessions-per-account: each session is a process that may hold up to
 * max-session-memory, so one account's sessions are bounded; counted after
 * our own entry is registered, so two starting at once may both be
 * refused, never both let past the bound.  The recovery account is never
 * refused: root can always get in to kill-session the others.  A registry
 * that cannot be listed refuses (fails closed).
 */
static int
over_account_bound(struct session *s)
{
	const struct account *a = account_current();
	const char *rec = s->nc->nacm_recovery;
	struct reg_session *live;
	size_t n, mine = 0;

	if (a->uid == 0 || (rec != NULL && *rec != '\0' && strcmp(rec, a->name) == 0))
		return 0;
	if (reg_list(s->dd, &live, &n) == -1)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (strncmp(live[i].user, s->user, sizeof(live[i].user) - 1) == 0)
			mine++;
	free(live);
	return mine > s->nc->max_account_sessions;
}

/* The client address: first word of SSH_CLIENT ("addr port lport"). */
static char *
peer_address(void)
{
	const char *sc = getenv("SSH_CLIENT");
	size_t n;

	if (sc == NULL)
		return xstrdup("");
	n = strcspn(sc, " ");
	if (n > 63)
		n = 63;
	return xstrndup(sc, n);
}

enum session_event { STAT_IN_SESSIONS, STAT_BAD_HELLO, STAT_DROPPED };

static void
count_session_event(struct session *s, enum session_event ev)
{
	struct stats d;

	memset(&d, 0, sizeof(d));
	if (ev == STAT_IN_SESSIONS)
		d.in_sessions = 1;
	else if (ev == STAT_BAD_HELLO)
		d.in_bad_hellos = 1;
	else
		d.dropped_sessions = 1;
	stats_add(s->dd, &d);
}

/*
 * RFC 6470 netconf-session-end and the RFC 6022 counters of how the
 * session ended: closed by close-session, killed by kill-session (with
 * the killer's id), bad-hello, dropped when the transport went (EOF, a
 * read error, SIGHUP from sshd), other for any other signal (e.g. an
 * operator's SIGTERM).  dropped-sessions counts the dropped and other
 * ones: RFC 6022 leaves out only close-session and kill-session, and
 * a bad hello is counted as in-bad-hellos instead.
 */
static void
session_ended(void)
{
	const char *reason;
	uint32_t killed_by = 0;

	reg_update(&sess);		/* the last counters */
	if (bad_hello) {
		count_session_event(&sess, STAT_BAD_HELLO);
		event_session_end(sess.dd, &sess, "bad-hello", 0);
		return;
	}
	if (!hello_done)
		return;
	if (sess.closing)
		reason = "closed";
	else if (got_signal == SIGTERM && killer != 0) {
		reason = "killed";
		killed_by = (uint32_t)(unsigned int)killer;
	} else if (got_signal != 0 && got_signal != SIGHUP)
		reason = "other";
	else
		reason = "dropped";
	if (killed_by == 0 && !sess.closing)
		count_session_event(&sess, STAT_DROPPED);
	event_session_end(sess.dd, &sess, reason, killed_by);
}


int
main(int argc, char *argv[])
{
	const char *path = NCHOME_CONF_PATH;
	struct nchome_conf *conf;
	char err[512];
	int ch, debug = 0, rc;

	/* before anything reads what the caller chose (identity.c) */
	(void)identity_start();
	while ((ch = getopt(argc, argv, "df:")) != -1) {
		switch (ch) {
		case 'd':
			debug = 1;
			break;
		case 'f':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("nchome-netconf", debug ? LOG_TO_STDERR : LOG_TO_SYSLOG, debug);
#ifdef __GLIBC__
	/*
	 * No fastbins: freeing a big request document (a 10 MB edit is
	 * millions of small nodes) then coalesces as it frees, after that
	 * reply is out, instead of parking the chunks until the next large
	 * malloc -- the next reply's buffer -- runs malloc_consolidate over
	 * all of them (perf: 15-25 ms in the first get-config after a bulk
	 * load).  Small allocations keep the per-thread cache.
	 */
	(void)mallopt(M_MXFAST, 0);
	/*
	 * Keep up to 4 MiB free at the heap's top: by default each RPC's few
	 * MB of transient memory (libyang's tree of the entries checked, the
	 * reply buffer) went back to the kernel after the RPC and was faulted
	 * in again by the next one, page by page: population in batches of
	 * 1,000 took 21,000 page faults where one bulk edit of the same
	 * entries took 8,000, about a tenth of its time.  The peak (VmHWM) is
	 * not raised: the pages kept were in use a moment before.  (This
	 * also fixes the mmap threshold at 128 KiB; letting blocks up to
	 * 1 MiB into the heap as well raised a rewrite's peak by 0.4 MB.)
	 */
	(void)mallopt(M_TRIM_THRESHOLD, 4 << 20);
#endif
	memcap_install();	/* before libxml2 allocates anything */

	/* set-id: only a file root alone can change, checked on what is parsed */
	if ((conf = conf_load(path, identity_setid() ? CONF_CHECK_ROOT_ONLY : 0,
	    err, sizeof(err))) == NULL)
		fatalx("%s", err);
	/*
	 * Set-uid for an account, -d shows it why its start failed, no more:
	 * from here the log holds what the service identity sees (state
	 * providers' errors, commit hooks' output), which goes to syslog,
	 * never to the account's standard error.
	 */
	if (debug && identity_setid_for_account())
		log_init("nchome-netconf", LOG_TO_SYSLOG, 0);
	memset(&sess, 0, sizeof(sess));
	sess.conf = conf;
	sess.nc = &conf->netconf;
	sess.login_time = time(NULL);
	sess.user = xstrdup(account_current()->name);
	sess.peer = peer_address();
	sess.fr = framer_new(STDIN_FILENO, STDOUT_FILENO, conf->netconf.max_message_size);
	/* bounds: no other process's lock or unread output stalls this session for ever */
	flock_wait_set_bound(conf->netconf.lock_wait_ms);
	memcap_set(conf->netconf.max_session_memory);
	nlog_set_max(conf->netconf.event_log_size);
	if (framer_set_write_timeout(sess.fr, conf->netconf.write_timeout_ms) == -1)
		log_warn("write-timeout: stdout");
	if (setup_signals() == -1)
		fatal("signals");
	if ((sess.dd = dsdir_open(conf->netconf.datastore_dir)) == NULL ||
	    reg_register(&sess) == -1)
		fatalx("cannot register the session in %s/sessions",
		    conf->netconf.datastore_dir);
	log_info("session %u: user %s from %s", sess.id, sess.user,
	    sess.peer[0] != '\0' ? sess.peer : "(local)");
	if (over_account_bound(&sess)) {
		reg_unregister(&sess);
		fatalx("session %u: user %s already has max-sessions-per-account (%u) "
		    "sessions", sess.id, sess.user, conf->netconf.max_account_sessions);
	}

	/* the module set: a scan of the module files, no libyang context */
	if ((sess.schema = schema_load(sess.nc, err, sizeof(err))) == NULL)
		fatalx("session %u: YANG modules: %s", sess.id, err);
	server_setup();
	rc = 0;
	if (server_open_store(&sess) == -1) {
		log_warnx("session %u: datastore set-up failed", sess.id);
		rc = 1;
	} else if (hello_send(&sess) == -1) {
		log_info("session %u: peer gone before hello", sess.id);
	} else {
		/*
		 * libxml2 is for the requests: set up after our hello, which
		 * needs none of it (its first pages touched, its tables and
		 * handlers made: about 1 ms of the session's start).  The
		 * client's hello, handled just before its first request, finds
		 * the parser warm (hello_recv_prepare).
		 */
		xmlInitParser();
		reg_clean_stale(sess.dd);	/* reads every live entry: not before the hello */
		server_prepare(&sess);
		(void)hello_recv_prepare();
#ifdef __GLIBC__
		if ((trim_timer = ml_add_timer(TRIM_IDLE_MS, trim_cb, NULL)) == -1)
			(void)malloc_trim(0);
#endif
		ml_before_poll(kept_before_poll, NULL);
		if (ml_add_fd(STDIN_FILENO, stdin_cb, NULL) == -1) {
			rc = 1;
		} else {
			count_session_event(&sess, STAT_IN_SESSIONS);
			rc = ml_run();
		}
	}

	notify_session_stop(&sess);
	session_ended();
	server_teardown(&sess);
	log_info("session %u: end (%llu rpcs, %llu errors)", sess.id,
	    (unsigned long long)sess.in_rpcs, (unsigned long long)sess.out_rpc_errors);
	framer_free(sess.fr);
	dsdir_close(sess.dd);
	schema_free(sess.schema);
	free(sess.user);
	free(sess.peer);
	conf_free(conf);
	xmlCleanupParser();
	return rc;
}
