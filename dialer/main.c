/*
 * nchome-dialer: NETCONF Call Home for hosts that run OpenSSH.
 *
 *	nchome-dialer [-d] [-t] [-f FILE] [-p PIDFILE]
 *	nchome-dialer -R	(internal: one name lookup, see resolver.c)
 *
 * For each `client` in nchome.conf it keeps one outbound TCP connection to
 * the NMS, writes the optional Junos initiation sequence, and hands the
 * socket itself to `sshd -i` (see client.c, initiation.c, handoff.c).  It
 * never reads from the network.
 *
 * One process, one poll() loop, no threads: the loop sleeps until the
 * nearest client deadline or a signal (self-pipe), so an idle dialer uses
 * no CPU.  Signals: SIGHUP reloads the configuration (unchanged clients
 * keep their sessions, a bad file is refused and the old one kept; the
 * new file's `sshd -t` runs in the background, see reload.c); SIGTERM and
 * SIGINT end every sshd child and exit; SIGCHLD reaps.  Children other
 * than sshd (name lookups, `sshd -t` after a session that ended at once
 * or for a reload) report over pipes that join the same poll set, and so
 * does the `dialer-socket` on which nchome-netconf reports that a session
 * reached NETCONF (hellosock.c; who is believed is looked up at start and
 * at each SIGHUP).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "client.h"
#include "conf.h"
#include "config.h"
#include "handoff.h"
#include "hellosock.h"
#include "laststate.h"
#include "log.h"
#include "reload.h"
#include "resolver.h"
#include "sshdcheck.h"

#define TERM_GRACE_MS	5000	/* how long SIGTERMed sshds get before SIGKILL */

static int sigpipe_fds[2] = { -1, -1 };

struct dialer {
	struct nchome_conf	 *conf;
	struct client		**clients;	/* conf->nclients entries */
	size_t			  nclients;
	pid_t			 *orphans;	/* sshds of removed clients, to reap */
	size_t			  norphans;
	char			 *conf_path;
	struct sshd_check	  check;	/* sshd -t after sessions that end at once */
	struct reload		  reload;	/* SIGHUP: new conf while its sshd -t runs */
	struct hellosock	  hello;	/* sessions report reaching NETCONF here */
	struct hellosock_senders  senders;	/* whose reports are believed */
	struct pollfd		 *pfds;		/* poll set, rebuilt each turn */
	size_t			 *owner;	/* pfds[k] belongs to clients[owner[k]] */
	size_t			  cap;
};

#define OWNER_CHECK	((size_t)-1)	/* pfds[k] is d->check's pipe */
#define OWNER_RELOAD	((size_t)-2)	/* pfds[k] is d->reload's pipe */
#define OWNER_HELLO	((size_t)-3)	/* pfds[k] is d->hello's socket */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: nchome-dialer [-dt] [-f file] [-p pidfile]\n");
	exit(2);
}

static void
on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	/* A full pipe already holds a wake-up: dropping this byte is fine. */
	(void)!write(sigpipe_fds[1], &b, 1);
	errno = saved;
}

static void
setup_signals(void)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT, SIGCHLD };
	struct sigaction sa;

	if (pipe2(sigpipe_fds, O_CLOEXEC | O_NONBLOCK) == -1)
		fatal("pipe");
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_signal;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) == -1)
			fatal("sigaction");
	/* A closed NMS socket must give EPIPE on write, not kill us. */
	signal(SIGPIPE, SIG_IGN);
}

static void
add_orphan(struct dialer *d, pid_t pid)
{
	pid_t *n;

	if (pid <= 0)
		return;
	if ((n = reallocarray(d->orphans, d->norphans + 1, sizeof(*n))) == NULL) {
		log_warn("out of memory; sshd pid %ld will not be reaped", (long)pid);
		return;
	}
	d->orphans = n;
	d->orphans[d->norphans++] = pid;
}

static int
reap_orphan(struct dialer *d, pid_t pid)
{
	for (size_t i = 0; i < d->norphans; i++) {
		if (d->orphans[i] == pid) {
			d->orphans[i] = d->orphans[--d->norphans];
			return 1;
		}
	}
	return 0;
}

/* Reports of sessions that reached NETCONF: each marks its client's session. */
static void
read_hellos(struct dialer *d)
{
	struct callhome_endpoints e;
	uid_t uid;
	pid_t pid;
	int rc;

	for (int i = 0; i < HELLOSOCK_BATCH; i++) {
		size_t k = 0;

		if ((rc = hellosock_recv(&d->hello, &d->senders, &e, &uid, &pid)) == 0)
			break;
		if (rc == -1)
			continue;
		while (k < d->nclients && !client_on_hello(d->clients[k], &e, uid, pid))
			k++;
		if (k == d->nclients)
			log_debug("dialer-socket: a report (uid %ld pid %ld) for no call-home "
			    "session of ours: an inbound SSH session?", (long)uid, (long)pid);
	}
}

/* The dialer-socket of conf: opened, or a warning and none (short sessions then fail). */
static void
open_hellosock(struct dialer *d)
{
	char err[512];

	if (hellosock_open(&d->hello, d->conf->dialer_socket, err, sizeof(err)) == -1)
		log_warnx("dialer-socket: %s; sessions shorter than %d s will count as failed",
		    err, CLIENT_MIN_SESSION_MS / 1000);
}

static void
reap_children(struct dialer *d)
{
	int64_t now = now_ms();
	int status;
	pid_t pid;

	/* A session's report is queued before its sshd exits: read it first. */
	read_hellos(d);

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		int owned = sshd_check_on_exit(&d->check, pid, status, now) ||
		    reload_on_exit(&d->reload, pid, status);

		for (size_t i = 0; i < d->nclients && !owned; i++) {
			owned = client_on_exit(d->clients[i], pid, status, now);
			if (owned == CLIENT_EXIT_AT_ONCE)
				sshd_check_request(&d->check, d->conf, now);
		}
		if (!owned && reap_orphan(d, pid))
			log_info("sshd pid %ld of a removed or changed client ended", (long)pid);
		else if (!owned)
			log_debug("reaped unknown child %ld", (long)pid);
	}
}

/* Creates client state for every client of conf; fatal when out of memory. */
static struct client **
make_clients(const struct nchome_conf *conf, int64_t now)
{
	struct client **cl = calloc(conf->nclients ? conf->nclients : 1, sizeof(*cl));

	if (cl == NULL)
		fatal("calloc");
	for (size_t i = 0; i < conf->nclients; i++)
		if ((cl[i] = client_new(conf, &conf->clients[i], now)) == NULL)
			fatal("calloc");
	return cl;
}

/*
 * A reloaded configuration that sshd -t accepted (reload.c): clients with
 * the same settings keep their state (and their sshd); the others are
 * ended and started afresh.  Takes nc.
 */
static void
apply_reload(struct dialer *d, struct nchome_conf *nc)
{
	struct client **cl;
	int64_t now = now_ms();
	size_t kept = 0;
	int moved;

	if ((cl = calloc(nc->nclients ? nc->nclients : 1, sizeof(*cl))) == NULL) {
		log_warn("reload refused");
		conf_free(nc);
		return;
	}
	for (size_t i = 0; i < nc->nclients; i++) {
		for (size_t j = 0; j < d->nclients; j++) {
			struct client *old = d->clients[j];

			if (old != NULL && conf_client_equal(old->cc, &nc->clients[i])) {
				old->cc = &nc->clients[i];
				old->conf = nc;
				cl[i] = old;
				d->clients[j] = NULL;
				kept++;
				break;
			}
		}
	}
	for (size_t j = 0; j < d->nclients; j++)
		if (d->clients[j] != NULL)
			add_orphan(d, client_destroy(d->clients[j]));
	for (size_t i = 0; i < nc->nclients; i++)
		if (cl[i] == NULL && (cl[i] = client_new(nc, &nc->clients[i], now)) == NULL)
			fatal("calloc");
	free(d->clients);
	sshd_check_reset(&d->check);	/* its conf is about to go */
	moved = strcmp(d->conf->dialer_socket, nc->dialer_socket) != 0;
	conf_free(d->conf);
	d->conf = nc;
	d->clients = cl;
	d->nclients = nc->nclients;
	if (moved || d->hello.fd == -1) {	/* moved, or retry one that failed */
		hellosock_close(&d->hello);
		open_hellosock(d);
	}
	log_info("configuration reloaded: %zu clients, %zu unchanged", d->nclients, kept);
}

/* SIGTERM: end every sshd, wait a little for them, then exit. */
static void __attribute__((noreturn))
shutdown_all(struct dialer *d, int sig, const char *pidfile)
{
	int64_t end;
	int status;

	log_info("signal %d: ending %zu clients", sig, d->nclients);
	sshd_check_cancel(&d->check);
	reload_cancel(&d->reload);
	for (size_t i = 0; i < d->nclients; i++)
		add_orphan(d, client_destroy(d->clients[i]));
	d->nclients = 0;
	end = now_ms() + TERM_GRACE_MS;
	while (d->norphans > 0 && now_ms() < end) {
		pid_t pid = waitpid(-1, &status, WNOHANG);
		struct timespec ts = { 0, 20 * 1000000L };

		if (pid > 0)
			reap_orphan(d, pid);
		else if (pid == -1 && errno == ECHILD)
			break;
		else
			nanosleep(&ts, NULL);
	}
	for (size_t i = 0; i < d->norphans; i++) {
		log_warnx("sshd pid %ld ignored SIGTERM; killing it", (long)d->orphans[i]);
		kill(d->orphans[i], SIGKILL);
		waitpid(d->orphans[i], &status, 0);
	}
	if (pidfile != NULL)
		unlink(pidfile);
	hellosock_close(&d->hello);
	log_info("exiting");
	free(d->clients);
	free(d->orphans);
	free(d->pfds);
	free(d->owner);
	free(d->conf_path);
	conf_free(d->conf);
	exit(0);
}

static int
poll_timeout(const struct dialer *d, int64_t now)
{
	int64_t next = sshd_check_deadline(&d->check);
	int64_t r = reload_deadline(&d->reload);

	if (r >= 0 && (next < 0 || r < next))
		next = r;

	for (size_t i = 0; i < d->nclients; i++) {
		int64_t t = client_deadline(d->clients[i]);

		if (t >= 0 && (next < 0 || t < next))
			next = t;
	}
	if (next < 0)
		return -1;	/* nothing to time: sleep until a signal */
	if (next <= now)
		return 0;
	return next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

static void
event_loop(struct dialer *d, const char *pidfile)
{
	for (;;) {
		size_t n = 1;
		int64_t now = now_ms();
		int rc;

		struct pollfd *pfds;
		struct nchome_conf *nc;
		size_t *owner;

		if (d->cap < d->nclients + 4) {
			d->cap = d->nclients + 4;
			if ((d->pfds = reallocarray(d->pfds, d->cap, sizeof(*d->pfds))) == NULL ||
			    (d->owner = reallocarray(d->owner, d->cap, sizeof(*d->owner))) == NULL)
				fatal("reallocarray");
		}
		pfds = d->pfds;
		owner = d->owner;
		pfds[0].fd = sigpipe_fds[0];
		pfds[0].events = POLLIN;
		if (sshd_check_poll_fd(&d->check) != -1) {
			pfds[n].fd = sshd_check_poll_fd(&d->check);
			pfds[n].events = POLLIN;
			owner[n++] = OWNER_CHECK;
		}
		if (reload_poll_fd(&d->reload) != -1) {
			pfds[n].fd = reload_poll_fd(&d->reload);
			pfds[n].events = POLLIN;
			owner[n++] = OWNER_RELOAD;
		}
		if (d->hello.fd != -1) {
			pfds[n].fd = d->hello.fd;
			pfds[n].events = POLLIN;
			owner[n++] = OWNER_HELLO;
		}
		for (size_t i = 0; i < d->nclients; i++) {
			short events;
			int fd = client_poll_fd(d->clients[i], &events);

			if (fd == -1)
				continue;
			pfds[n].fd = fd;
			pfds[n].events = events;
			owner[n++] = i;
		}
		rc = poll(pfds, n, poll_timeout(d, now));
		if (rc == -1 && errno != EINTR)
			fatal("poll");
		now = now_ms();
		if (rc > 0 && (pfds[0].revents & POLLIN)) {
			unsigned char sigs[64];
			ssize_t got = read(sigpipe_fds[0], sigs, sizeof(sigs));
			int hup = 0;

			for (ssize_t i = 0; i < got; i++) {
				if (sigs[i] == SIGTERM || sigs[i] == SIGINT)
					shutdown_all(d, sigs[i], pidfile);
				if (sigs[i] == SIGHUP)
					hup = 1;
			}
			reap_children(d);
			if (hup) {
				/* _nchome made or removed since: whatever the new file's fate. */
				hellosock_senders_load(&d->senders);
				/* Cancels a check in progress: pfds no longer match. */
				reload_start(&d->reload, d->conf_path, now);
				continue;
			}
		}
		for (size_t k = 1; rc > 0 && k < n; k++) {
			if (pfds[k].revents == 0)
				continue;
			if (owner[k] == OWNER_CHECK)
				sshd_check_on_readable(&d->check, now);
			else if (owner[k] == OWNER_RELOAD)
				reload_on_readable(&d->reload);
			else if (owner[k] == OWNER_HELLO)
				read_hellos(d);
			else
				client_on_ready(d->clients[owner[k]], pfds[k].revents, now);
		}
		sshd_check_on_timer(&d->check, now);
		reload_on_timer(&d->reload, now);
		for (size_t i = 0; i < d->nclients; i++) {
			int64_t t = client_deadline(d->clients[i]);

			if (t >= 0 && t <= now)
				client_on_timer(d->clients[i], now);
		}
		/* Last in the turn: it changes the client list that pfds refer to. */
		if ((nc = reload_take(&d->reload)) != NULL)
			apply_reload(d, nc);
	}
}

static int
write_pidfile_cb(int fd, void *arg)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)*(pid_t *)arg);

	return write_all(fd, buf, (size_t)n);
}

/* Descriptors 0-2 must exist: sshd's socket is dup2'ed over them. */
static void
sanitize_stdio(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) != -1 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

int
main(int argc, char *argv[])
{
	const char *conf_file = NCHOME_CONF_PATH, *pidfile = NULL;
	struct dialer d;
	char err[1024], *abs_path;
	int ch, foreground = 0, test_only = 0, lookup = 0;

	while ((ch = getopt(argc, argv, "df:p:Rt")) != -1) {
		switch (ch) {
		case 'd': foreground = 1; break;
		case 'f': conf_file = optarg; break;
		case 'p': pidfile = optarg; break;
		case 'R': lookup = 1; break;
		case 't': test_only = 1; break;
		default: usage();
		}
	}
	if (optind != argc || (lookup && argc != 2))
		usage();
	sanitize_stdio();
	/* The lookup child's fresh image: no configuration, no secret, no log. */
	if (lookup)
		return resolver_main();
	log_init("nchome-dialer", LOG_TO_STDERR, foreground);
	/* Before any configuration is read: see resolver.c. */
	if (resolver_exec_init(argv[0], err, sizeof(err)) == -1) {
		fprintf(stderr, "nchome-dialer: %s\n", err);
		return 1;
	}

	memset(&d, 0, sizeof(d));
	sshd_check_init(&d.check);
	reload_init(&d.reload);
	hellosock_init(&d.hello);
	if ((d.conf = conf_load(conf_file, CONF_CHECK_DIALER, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (laststate_check_dir(d.conf->state_dir, !test_only, err, sizeof(err)) == -1 ||
	    handoff_preflight(d.conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		conf_free(d.conf);
		return 1;
	}
	if (test_only) {
		conf_free(d.conf);
		return 0;
	}
	/* daemon() changes to /: keep a path that still works for SIGHUP. */
	if ((abs_path = realpath(conf_file, NULL)) == NULL)
		fatal("%s", conf_file);
	d.conf_path = abs_path;
	if (pidfile != NULL && pidfile[0] != '/') {
		char cwd[PATH_MAX], *abs_pid;

		if (getcwd(cwd, sizeof(cwd)) == NULL || asprintf(&abs_pid, "%s/%s", cwd, pidfile) == -1)
			fatal("pidfile %s", pidfile);
		pidfile = abs_pid;	/* lives as long as the process */
	}
	if (!foreground) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init("nchome-dialer", LOG_TO_SYSLOG, 0);
	}
	if (pidfile != NULL) {
		pid_t self = getpid();

		if (atomic_write_with(pidfile, 0644, write_pidfile_cb, &self) == -1)
			fatal("pidfile %s", pidfile);
	}
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	client_set_keep_stderr(foreground);
	setup_signals();
	hellosock_senders_load(&d.senders);
	open_hellosock(&d);
	if (d.conf->nclients == 0)
		log_warnx("%s has no client: nothing to dial", d.conf_path);
	d.clients = make_clients(d.conf, now_ms());
	d.nclients = d.conf->nclients;
	log_info("started: %zu clients", d.nclients);
	event_loop(&d, pidfile);
	return 0;
}
