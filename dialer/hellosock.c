/*
 * The dialer's "session reached NETCONF" socket (see hellosock.h).
 *
 * Why a datagram socket that nchome-netconf writes to, and not something
 * the dialer reads on its own (the session registry, a file): the dialer
 * runs as root, and root never opens a path a NETCONF account can write.
 * The registry lives in datastore-dir, which the service identity
 * (_nchome) writes; here root only creates the socket, in a folder it
 * checks no one else can write, and the sessions merely send to it.
 *
 * Who may send: the socket is mode 0666, so that nchome-netconf reaches
 * it whichever account it runs as.  Who is believed is decided per
 * datagram from its SCM_CREDENTIALS (SO_PASSCRED; the kernel fills them
 * in, a sender may claim only a uid it holds): where the host has the
 * service account _nchome, only that uid and root.  An installed
 * nchome-netconf is set-uid _nchome and switches real, effective and
 * saved uid to it first thing (subsystem/host/identity.c), long before it
 * sends after the hellos, so its reports come from _nchome's uid; root
 * covers nchome-netconf run by root itself.  Any other account's datagram
 * is dropped: it could otherwise make the dialer call a failing NMS again
 * at once, without backoff.  Without _nchome (a host without `make
 * install`'s accounts, where nchome-netconf runs as whoever logged in), or
 * without SCM_CREDENTIALS (not Linux), any sender is believed, as before.
 * What a forged datagram can do is bounded either way: it must name the
 * exact TCP connection (both addresses and ports) of a session the dialer
 * holds, and then only makes the dialer call again at once when that
 * session ends, instead of after a backoff.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errbuf.h"
#include "hellosock.h"
#include "log.h"
#include "safepath.h"

#define DROP_LOG_EVERY	60	/* seconds between two warnings of dropped datagrams */

static unsigned long dropped;	/* since the last warning */
static time_t dropped_logged;

void
hellosock_senders_load(struct hellosock_senders *s)
{
#ifdef SCM_CREDENTIALS
	struct hellosock_senders was = *s;
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(HELLOSOCK_SERVICE_ACCOUNT)) != NULL) {
		s->restricted = 1;
		s->svc = pw->pw_uid;
	} else if (errno == 0 || errno == ENOENT || errno == ESRCH || errno == EBADF ||
	    errno == EPERM) {
		s->restricted = 0;	/* getpwnam(3): the ways of saying "no such name" */
	} else if (!s->loaded) {
		/* No previous rule to keep: fail closed, not open to any account. */
		log_warn("dialer-socket: looking up %s: %s; session reports believed only from "
		    "root until a SIGHUP looks it up again", HELLOSOCK_SERVICE_ACCOUNT, strerror(errno));
		s->restricted = 1;
		s->svc = 0;
		s->loaded = 1;
		return;
	} else {
		log_warn("dialer-socket: looking up %s; reports still believed from %s",
		    HELLOSOCK_SERVICE_ACCOUNT, !s->restricted ? "any account" :
		    s->svc == 0 ? "root only" : "it and root");
		return;
	}
	s->loaded = 1;
	if (was.loaded && was.restricted == s->restricted &&
	    (!s->restricted || was.svc == s->svc))
		return;
	if (s->restricted)
		log_info("session reports believed only from %s (uid %lu) and root",
		    HELLOSOCK_SERVICE_ACCOUNT, (unsigned long)s->svc);
	else
		log_info("no account %s: session reports believed from any account",
		    HELLOSOCK_SERVICE_ACCOUNT);
#else
	if (!s->loaded)
		log_info("this system does not say who sent a dialer-socket datagram: session reports "
		    "believed from any account");
	s->restricted = 0;
	s->loaded = 1;
#endif
}

void
hellosock_init(struct hellosock *h)
{
	h->fd = -1;
	h->path = NULL;
}

/*
 * The socket's folder: created when missing (0755 whatever the umask, so
 * every account's nchome-netconf reaches the socket), then it and every
 * folder above it must be root's and writable by no one else: the rule
 * nchome.conf is held to (safepath.c; a sticky folder such as /tmp may be
 * above it, not be it).  A folder the operator made keeps its mode.
 */
static int
check_folders(const char *path, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)], *slash;
	struct stat st;
	int fd, made, rc = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		return set_err(err, errlen, "%s: not an absolute path", path);
	slash[slash == dir ? 1 : 0] = '\0';
	if (!(made = mkdir(dir, 0755) == 0) && errno != EEXIST)
		return set_err(err, errlen, "cannot create %s: %s", dir, strerror(errno));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return set_err(err, errlen, "%s: %s", dir, strerror(errno));
	if ((made && fchmod(fd, 0755) == -1) || fstat(fd, &st) == -1)
		rc = set_err(err, errlen, "%s: %s", dir, strerror(errno));
	else
		rc = safe_path_root(dir, &st, err, errlen);
	close(fd);
	return rc;
}

/* A socket left at path: removed when no one holds it, else an error. */
static int
clear_stale(const char *path, const struct sockaddr_un *sun, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : set_err(err, errlen, "%s: %s", path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return set_err(err, errlen, "%s exists and is not a socket", path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return set_err(err, errlen, "socket: %s", strerror(errno));
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (rc == 0)
		return set_err(err, errlen, "%s is in use by another process (a second dialer?)",
		    path);
	if (errno != ECONNREFUSED)
		return set_err(err, errlen, "%s: %s", path, strerror(errno));
	if (unlink(path) == -1)
		return set_err(err, errlen, "cannot remove the stale %s: %s", path, strerror(errno));
	return 0;
}

int
hellosock_open(struct hellosock *h, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, on = 1, rc;

	hellosock_init(h);
	if (path == NULL || path[0] == '\0')
		return 0;
	if (path[0] != '/' || strlen(path) >= sizeof(sun.sun_path))
		return set_err(err, errlen, "%s: not an absolute path that fits a socket", path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (check_folders(path, err, errlen) == -1 || clear_stale(path, &sun, err, errlen) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return set_err(err, errlen, "socket: %s", strerror(errno));
#ifdef SO_PASSCRED
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == -1) {
		set_err(err, errlen, "SO_PASSCRED: %s", strerror(errno));
		close(fd);
		return -1;
	}
#else
	(void)on;
#endif
	/* Created 0666 by bind() itself: no chmod on a path after the fact. */
	old = umask(0111);
	rc = bind(fd, (const struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc == -1 || (h->path = strdup(path)) == NULL) {
		set_err(err, errlen, "cannot bind %s: %s", path, strerror(errno));
		if (rc == 0)
			unlink(path);
		close(fd);
		return -1;
	}
	h->fd = fd;
	return 0;
}

void
hellosock_close(struct hellosock *h)
{
	if (dropped > 0)
		log_warnx("dialer-socket: dropped %lu more datagram%s since the last warning",
		    dropped, dropped == 1 ? "" : "s");
	dropped = 0;
	if (h->fd != -1)
		close(h->fd);
	if (h->path != NULL)
		unlink(h->path);
	free(h->path);
	hellosock_init(h);
}

/* Dropped datagrams: the first one warned about at once, then once a minute. */
static void
note_dropped(const char *why, long uid, long pid)
{
	time_t now = time(NULL);

	dropped++;
	if (dropped_logged != 0 && now - dropped_logged < DROP_LOG_EVERY) {
		log_debug("dialer-socket: dropped a datagram from uid %ld pid %ld: %s", uid, pid,
		    why);
		return;
	}
	log_warnx("dialer-socket: dropped %lu datagram%s, the last from uid %ld pid %ld: %s",
	    dropped, dropped == 1 ? "" : "s", uid, pid, why);
	dropped = 0;
	dropped_logged = now;
}

#ifdef SCM_CREDENTIALS
static int
believed(const struct hellosock_senders *s, uid_t uid)
{
	return !s->restricted || uid == s->svc || uid == 0;
}
#endif

int
hellosock_recv(struct hellosock *h, const struct hellosock_senders *senders,
    struct callhome_endpoints *e, uid_t *uid, pid_t *pid)
{
	char buf[CALLHOME_SIGNAL_MAX + 1];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg;
	ssize_t n;
	int creds = 0;
#ifdef SCM_CREDENTIALS
	union {
		struct cmsghdr	h;
		char		b[CMSG_SPACE(sizeof(struct ucred))];
	} cm;
#endif

	if (h->fd == -1)
		return 0;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
#ifdef SCM_CREDENTIALS
	msg.msg_control = cm.b;
	msg.msg_controllen = sizeof(cm.b);
#endif
	if ((n = recvmsg(h->fd, &msg, MSG_DONTWAIT)) == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			log_warn("dialer-socket %s", h->path);
		return 0;
	}
	*uid = (uid_t)-1;
	*pid = -1;
#ifdef SCM_CREDENTIALS
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred uc;

			memcpy(&uc, CMSG_DATA(c), sizeof(uc));
			*uid = uc.uid;
			*pid = uc.pid;
			creds = 1;
		}
	}
	if (creds && !believed(senders, *uid)) {
		char why[128];

		if (senders->svc == 0)
			snprintf(why, sizeof(why), "not root (%s not looked up)",
			    HELLOSOCK_SERVICE_ACCOUNT);
		else
			snprintf(why, sizeof(why), "neither %s (uid %lu) nor root",
			    HELLOSOCK_SERVICE_ACCOUNT, (unsigned long)senders->svc);
		note_dropped(why, (long)*uid, (long)*pid);
		return -1;
	}
#else
	(void)senders;
	creds = 1;	/* this system does not say who sent it */
#endif
	if (!creds)
		note_dropped("no sender credentials", -1, -1);
	else if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || n > CALLHOME_SIGNAL_MAX)
		note_dropped("too long", (long)*uid, (long)*pid);
	else if (callhome_signal_parse(buf, (size_t)n, e) == -1)
		note_dropped("not a well-formed " CALLHOME_SIGNAL_PREFIX "datagram", (long)*uid,
		    (long)*pid);
	else
		return 1;
	return -1;
}
