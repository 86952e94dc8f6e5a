/*
 * The host layer (README.md, "Layers"): what nchome-netconf shares with
 * the other session processes on the host and with the operator's
 * programs, and all that other folders may use of it.
 *
 *   account.c    the logged-in account a session belongs to (real uid,
 *                name, Unix groups)
 *   identity.c   the service identity of a set-uid nchome-netconf
 *   dsdir.c      datastore-dir and the one door to every file in it
 *   registry.c   the session registry (session ids, live sessions)
 *   reg_text.c   a registry entry's text: its check line, read whole
 *   stats.c      host-wide RFC 6022 statistics
 *   notify_log.c the shared event log
 *   events.c     the RFC 6470 events, built and appended to the event log
 *   hooks.c      commit hooks (and the files they read)
 *   providers.c  state providers, a source of <get> state data
 *   runprog.c    running those programs with bounded time and output
 *
 * It sits above tree/ (hook inputs are serialized documents) and below
 * the store and everything else that keeps state on the host.
 */
#ifndef NCHOME_HOST_H
#define NCHOME_HOST_H

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libxml/tree.h>

#include "netconf/netconf.h"

/* ---- account.c ---- */

/* The account that started the process (its real uid): who the session is. */
struct account {
	uid_t	 uid;
	gid_t	 gid;		/* the real gid */
	char	 name[64];	/* the uid as text when it has no name */
	gid_t	*groups;	/* read them with account_groups() */
	int	 ngroups;
};

/*
 * Recorded at the first call and the same ever after (main.c calls it
 * first, before a set-id process switches to the service identity).
 */
const struct account *account_current(void);
/*
 * The account's groups, gid first: the process's credentials as sshd set
 * them at login (getgroups(), recorded with the account); from the group
 * database (getgrouplist, at the first call) only when that list was full.
 */
const gid_t *account_groups(const struct account *a, int *n);
int account_in_group(const struct account *a, gid_t gid);

/* ---- identity.c ---- */

/*
 * Called first in main(): when the process is set-id (make install makes
 * nchome-netconf set-uid to the service account), sanitizes what the
 * caller controls (descriptors, umask, limits, environment), records the
 * account and becomes the service identity for good.  1 when set-id,
 * 0 when not (nothing changed).  Exits when the switch fails.
 */
int identity_start(void);
int identity_setid(void);
/* 1 when set-id and started by an account other than root. */
int identity_setid_for_account(void);

/*
 * Set-id only (else 0): datastore-dir (open as fd) must belong to the
 * service identity with no group or other write or read.  0, or -1 with
 * err.  (The configuration file, which names what the service identity
 * runs and where it writes, must be one only root can change: main.c
 * loads it with CONF_CHECK_ROOT_ONLY, checked on the descriptor parsed.)
 */
int identity_check_dsdir(int fd, const char *path, char *err, size_t errlen);

/* ---- dsdir.c ---- */

/* The folders of datastore-dir a file can be in. */
enum dsdir_sub {
	DSD_TOP,		/* datastore-dir itself */
	DSD_SESSIONS,		/* sessions/: the registry, statistics */
	DSD_NOTIFY,		/* notifications/: the event log */
	DSD_NSUB
};

struct dsdir;

/* Opens datastore-dir (created if missing); NULL (logged) on failure. */
struct dsdir *dsdir_open(const char *path);
void dsdir_close(struct dsdir *dd);

const char *dsdir_path(const struct dsdir *dd);

/* The mode every shared file gets: datastore-dir's sharing. */
mode_t dsdir_file_mode(const struct dsdir *dd);

/* The O_DIRECTORY descriptor of a folder (created on first use); -1 (logged). */
int dsdir_fd(struct dsdir *dd, enum dsdir_sub sub);

/*
 * The one opener of files in datastore-dir: open(2) flags as usual;
 * never follows a link, regular files only (else -1, EINVAL), O_CLOEXEC,
 * and a file opened with O_CREAT gets the shared mode.  fd or -1.
 */
int dsdir_open_file(struct dsdir *dd, enum dsdir_sub sub, const char *name, int flags);

/*
 * name kept open across calls (a few files; the slot is dd's, closed by
 * dsdir_kept_close, dsdir_kept_release or dsdir_close).  check: the kept
 * descriptor is returned only when name is still that file (fstatat, no
 * link followed: same device and inode); else, or when none is kept, name
 * is opened afresh by dsdir_open_file(flags) and *fresh set to 1, or to
 * 2 when a kept one was let go (any lock held on it is gone with it).  check 0 returns a
 * kept descriptor unchecked (st untouched), for a caller that checks
 * after taking its lock.  *st: name's stat now.  fd (not to be closed)
 * or -1.
 */
int dsdir_kept_open(struct dsdir *dd, enum dsdir_sub sub, const char *name, int flags,
    int check, struct stat *st, int *fresh);
void dsdir_kept_close(struct dsdir *dd, enum dsdir_sub sub, const char *name);
/* Closes every kept file (an idle session lets go of a rotated-away log). */
void dsdir_kept_release(struct dsdir *dd);
/* How many files are kept open now; how many dsdir_kept_open calls so far. */
int dsdir_kept_held(const struct dsdir *dd);
unsigned long dsdir_kept_uses(const struct dsdir *dd);

/* The names in a folder; closedir() it.  NULL on failure. */
DIR *dsdir_list(struct dsdir *dd, enum dsdir_sub sub);

/* name's own stat (a link is not followed); name NULL: the folder's.  0 or -1. */
int dsdir_stat(struct dsdir *dd, enum dsdir_sub sub, const char *name, struct stat *st);
int dsdir_exists(struct dsdir *dd, enum dsdir_sub sub, const char *name);
int dsdir_unlink(struct dsdir *dd, enum dsdir_sub sub, const char *name);
int dsdir_rename(struct dsdir *dd, enum dsdir_sub sub, const char *from, const char *to);
int dsdir_link(struct dsdir *dd, enum dsdir_sub sub, const char *from, const char *to);

/* fsyncs the folder, so names just created, renamed or removed in it last. */
void dsdir_fsync(struct dsdir *dd, enum dsdir_sub sub);

/* The full path of name in sub (name NULL: of the folder), for messages and hooks. */
const char *dsdir_full_path(struct dsdir *dd, enum dsdir_sub sub, const char *name,
    char *buf, size_t len);

/* Creates a new file "<prefix>.<pid>.<n>" (its name in name); fd or -1. */
int dsdir_create_unique(struct dsdir *dd, enum dsdir_sub sub, const char *prefix,
    char *name, size_t len);

/*
 * Replaces name atomically: a temporary file written by write_cb (0 or -1
 * with errno), fsynced, renamed over name, the folder fsynced.  0 or -1.
 */
int dsdir_write_atomic(struct dsdir *dd, enum dsdir_sub sub, const char *name,
    int (*write_cb)(int fd, void *arg), void *arg);
int dsdir_write_file(struct dsdir *dd, enum dsdir_sub sub, const char *name,
    const void *data, size_t len);

/*
 * Removes the temporary files of dsdir_write_atomic (and of the
 * mkstemp(3) writes of earlier versions) that a writer killed mid-write
 * left in sub: "<name>.tmp.<suffix>" for one of names (NULL-terminated),
 * regular files whose mtime is at least min_age seconds old.  Each one
 * removed is logged.  Their count, or -1.
 */
int dsdir_remove_stale_temps(struct dsdir *dd, enum dsdir_sub sub,
    const char *const names[], time_t min_age);

/* ---- registry.c ---- */

/*
 * The registry of live sessions, shared by every nchome-netconf process
 * on the host, in datastore-dir/sessions/:
 *
 *   sessions/next-id   the last session-id handed out (decimal text),
 *                      updated under flock(LOCK_EX); ids count up from 1,
 *                      wrap skipping 0, and an id still registered is
 *                      skipped.
 *   sessions/<id>      one file per live session, created under a
 *                      temporary name and link()ed into place (so the id is
 *                      never given twice), flock(LOCK_EX)ed by its session
 *                      process for its whole life: a session is live
 *                      exactly when its file is locked, so a killed process
 *                      (even SIGKILL) leaves no live entry.  Unlocked
 *                      leftovers are removed by the next registration or
 *                      listing.  Content, one "key value" per line:
 *                        pid 1234
 *                        user alice
 *                        peer 192.0.2.7
 *                        login 1795812345        (time_t, UTC seconds)
 *                        in-rpcs 12
 *                        in-bad-rpcs 0
 *                        out-rpc-errors 1
 *                        out-notifications 0
 *                        denied-operations 0     (RFC 8341, this session's)
 *                        denied-data-writes 0
 *                        denied-notifications 0
 *                        fold-boot 6c0b2f5e-...  ("-": boot unknown)
 *                        check 0123456789abcdef  (reg_text.c)
 *                      Counters are refreshed after each RPC.  fold-boot
 *                      says the host's statistics do not hold them yet
 *                      (and the boot they were counted in; never empty,
 *                      stats_boot_mark): the session
 *                      folds them in when it ends, and so does whoever
 *                      removes the entry of a session that died
 *                      (stats.c).  On a full disk the entry is registered
 *                      empty (the inode needs no data block): the id
 *                      stays unique, the session works, its counts go to
 *                      the statistics file after each RPC (so its entry
 *                      never gets fold-boot), and the text is written by
 *                      the first reg_update() that finds space.
 *   sessions/statistics host-wide RFC 6022 totals (stats.c).
 *
 * (registry.c)
 */

struct stats;

struct reg_session {
	uint32_t	 id;
	pid_t		 pid;
	char		 user[64];
	char		 peer[64];	/* "" when unknown */
	time_t		 login_time;
	uint64_t	 in_rpcs, in_bad_rpcs, out_rpc_errors, out_notifications;
	uint64_t	 denied_operations, denied_data_writes, denied_notifications;
	char		 fold_boot[128];	/* "": counts already in the statistics; "-": boot unknown */
	int		 counts_bad;	/* a counter is malformed: neither folded nor summed */
};

/* Allocates s->id and publishes the session's entry in s->dd; 0 or -1 (logged). */
int reg_register(struct session *s);

/*
 * Rewrites s's counters in its entry (cheap: one pwrite, no fsync); the
 * host-wide statistics see them through the entry (stats.c).
 */
void reg_update(struct session *s);

/* Folds s's counters into the host's statistics and removes its entry (session end). */
void reg_unregister(struct session *s);

/* Removes dead sessions' entries and half-made ones (after the hello). */
void reg_clean_stale(struct dsdir *dd);

/*
 * The host's RFC 6022 totals: the statistics file's plus the counts of
 * the entries not folded into it yet, summed under the file's lock
 * (stats.c).  0, or -1 when the file holds no totals for this boot yet
 * (start_time is 0 then; the counters still hold what sessions counted).
 */
int reg_stats(struct dsdir *dd, struct stats *out);

/*
 * The live sessions (sorted by id); *out is malloc()ed, free() it.  0 or -1.
 */
int reg_list(struct dsdir *dd, struct reg_session **out, size_t *n);

/* Entry of live session id: 0 and *out filled, or -1 when not live. */
int reg_lookup(struct dsdir *dd, uint32_t id, struct reg_session *out);

/* ---- reg_text.c (for registry.c) ---- */

#define ENTRY_MAX	1024	/* a registry entry's text, check line included */
#define CHECK_LINE	(6 + 16 + 1)	/* "check <16 hex>\n" */
/*
 * Ends buf's off bytes (off <= len - CHECK_LINE - 1) with the check
 * line; the text's length, or 0.
 */
size_t reg_seal(char *buf, size_t off, size_t len);
/*
 * Reads the entry at fd into e (id left 0), again while its check does
 * not match (an entry without one is taken as is); 0, or -1 when it
 * never matches (its counts stay in the entry) or on error.
 */
int reg_read_entry(int fd, struct reg_session *e);

/* ---- stats.c ---- */

/*
 * RFC 6022 netconf-state/statistics: host-wide totals over every
 * nchome-netconf session process, kept in datastore-dir/sessions/statistics
 * (see stats.c for the file and its locking).
 */

struct stats {
	time_t		 start_time;	/* netconf-start-time */
	uint64_t	 in_bad_hellos, in_sessions, dropped_sessions;
	uint64_t	 in_rpcs, in_bad_rpcs, out_rpc_errors, out_notifications;
	/* RFC 8341 /nacm counters, also host-wide */
	uint64_t	 denied_operations, denied_data_writes, denied_notifications;
};

#define STATS_BOOT_MAX	128

/*
 * Adds every counter of delta to the host's totals (start_time is
 * ignored).  One flock()ed read-modify-write; failures are logged once
 * and otherwise ignored: statistics never stop a session.
 */
void stats_add(struct dsdir *dd, const struct stats *delta);

/*
 * The statistics file opened (created if missing) and flock()ed with op
 * (LOCK_EX to change it, LOCK_SH to read), bounded by lock-wait; the fd
 * (close() drops the lock), or -1 (logged once).
 */
int stats_lock(struct dsdir *dd, int op);
/* The statistics file opened for reading without a lock (stats_lock failed); fd or -1. */
int stats_open_unlocked(struct dsdir *dd);
/* stats_add() on a file held with stats_lock(dd, LOCK_EX); 0 or -1. */
int stats_add_locked(struct dsdir *dd, int fd, const struct stats *delta);

/* The file's totals (fd from stats_lock); 0, or -1 when none for this boot (all zero). */
int stats_read_locked(int fd, struct stats *out);

/* acc += add, counter by counter (start_time untouched). */
void stats_sum(struct stats *acc, const struct stats *add);

/* The kernel's boot_id ("" where there is none), kept once read. */
const char *stats_boot_id(void);

/* A registry entry's fold-boot for counts of boot: boot, or "-" when "". */
#define STATS_BOOT_UNKNOWN	"-"
const char *stats_boot_mark(const char *boot);
/*
 * Whether an entry marked mark holds counts for boot not yet in the
 * file: no for an empty mark (folded); yes when either boot is unknown
 * ("-" or ""); else when they are the same.
 */
int stats_same_boot(const char *mark, const char *boot);

/* ---- notify_log.c ---- */

/*
 * The host's bounded event log shared by all session processes, in
 * datastore-dir/notifications/ (see notify_log.c for the format and the
 * rotation).
 */

#define NLOG_RECORD_MAX	(256 * 1024)

/* The wall clock in microseconds, as records and eventTime count it. */
int64_t nlog_now_us(void);
/* us as an RFC 3339 UTC date-and-time with microseconds (eventTime). */
void nlog_format_us(int64_t us, char *buf, size_t len);

/* The log's files opened and kept for this session's first record (no lock, no write). */
void nlog_prepare(struct dsdir *dd);
/* Appends one record (xml must hold no newline).  0 or -1. */
int nlog_append(struct dsdir *dd, int64_t when_us, const char *xml, size_t len);

/*
 * Bytes "log" may grow to before it rotates (nchome.conf event-log-size;
 * 1 MiB until set).  $NCHOME_NOTIFY_LOG_MAX, where nchome-netconf is not
 * set-uid (tests), overrides it.
 */
void nlog_set_max(uint64_t bytes);

/* What RFC 5277 /netconf/streams tells about the log. */
struct nlog_info {
	uint64_t	 seq;		/* records written so far */
	int64_t		 created_us;	/* replayLogCreationTime */
	int64_t		 aged_us;	/* replayLogAgedTime; 0: nothing aged out yet */
};

/* Fills info (creating the log's folder if need be); 0 or -1. */
int nlog_info(struct dsdir *dd, struct nlog_info *info);

/* A record: its time and its notification text (NUL-terminated). */
typedef void (*nlog_cb)(int64_t when_us, const char *xml, size_t len, void *arg);

struct nlog_reader {
	struct dsdir	*dd;
	int		 fd;		/* on "log", -1 when not open */
	ino_t		 ino;
	char		*buf;		/* a partial line carried over */
	size_t		 len, cap;
	uint64_t	 last_seq;	/* seq of the last record delivered */
	uint64_t	 lost;		/* records dropped by rotation before we read them */
};

void nlog_reader_init(struct nlog_reader *rd, struct dsdir *dd);
void nlog_reader_close(struct nlog_reader *rd);
/* Opens "log" at its start, or at its end (only new records); 0 or -1. */
int nlog_reader_open(struct nlog_reader *rd, int at_end);
/* Delivers the records appended since the last call, following rotations. */
void nlog_reader_poll(struct nlog_reader *rd, nlog_cb cb, void *arg);
/* Delivers every stored record ("log.1", then "log"); live then follows "log". */
void nlog_replay(struct nlog_reader *live, nlog_cb cb, void *arg);

/* ---- events.c ---- */

#define NOTIF_NS	"urn:ietf:params:xml:ns:netconf:notification:1.0"
#define NCN_NS		"urn:ietf:params:xml:ns:yang:ietf-netconf-notifications"
#define NCEVENT_NS	"urn:ietf:params:xml:ns:netmod:notification"

/*
 * RFC 6470 events, appended to the host's event log in dd (subscribers,
 * observe/notify.c, read them from there).  by: the session that caused
 * the event; NULL means "the server" (a detached rollback timer).
 */
void event_session_start(struct dsdir *dd, const struct session *by);
/* Warms what event_session_start uses, logging nothing; 0 or -1. */
int event_prepare(void);
/* killed_by: the session-id of the kill-session that ended by, else 0. */
void event_session_end(struct dsdir *dd, const struct session *by,
    const char *reason, uint32_t killed_by);
/*
 * datastore: "running" or "startup" (others are not announced); edits:
 * its <edit> list (tree/edit_report.c), NULL or over: none.
 */
struct cfg_edits;
void event_config_change(struct dsdir *dd, const struct session *by,
    const char *datastore, const struct cfg_edits *edits);
/* event: start, cancel, timeout, extend or complete; timeout in seconds (start/extend). */
void event_confirmed_commit(struct dsdir *dd, const struct session *by,
    const char *event, unsigned long timeout);

/* ---- hooks.c: commit hooks ---- */

/*
 * After every change of running (edit-config or copy-config on running,
 * commit, a confirmed-commit rollback, delete/copy to running), before the
 * reply, hooks_running_changed() gets the content before and after.  It
 * writes both as complete datastore documents (root <config
 * xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">, the configuration as
 * children) to files no path leads to (sealed memfds, else files in dd
 * unlinked at once), so nothing can swap them, and runs the hooks of
 * folder dir on them (hooks_run_commit).  -1 (an rpc-error naming the failing hook and its message
 * added to r, when r is not NULL) means the change must be undone; 0
 * keeps it.  by is the session that made the change (NCHOME_SESSION_ID,
 * NCHOME_USER); NULL: the server (a rollback timer: 0 and "").
 *
 * hooks_commit_enabled() lets callers skip copying the old content when
 * no hook would run: 1 when dir holds at least one executable.  Cheap (a
 * readdir): called on every change.
 */
int hooks_commit_enabled(const char *dir);
int hooks_running_changed(struct dsdir *dd, const char *dir, const struct session *by,
    struct rpc *r, xmlDocPtr olddoc, xmlDocPtr newdoc);
/*
 * The hooks of dir with the old and new content on descriptors old_fd
 * and new_fd (-1: empty); each hook gets them as its descriptors 3 and 4
 * (/dev/fd/3, /dev/fd/4 in argv and environment).
 */
int hooks_run_commit(const char *dir, const struct session *by, struct rpc *r,
    int old_fd, int new_fd);

/* ---- providers.c ---- */

/*
 * A state source (netconf.h): appends each state provider's XML under
 * into.  -1 when the providers could not be listed.
 */
int providers_collect(struct session *s, xmlNodePtr into);

/* ---- runprog.c ---- */

/*
 * Running the operator's programs (commit hooks, state providers): list
 * the executables of a folder in name order, and run one with fork+execve,
 * stdin from /dev/null, stdout and stderr captured through pipes up to a
 * bound, and a deadline after which its whole process group is killed.
 */

/* The executables of a folder, sorted by name (strcmp). */
struct progdir {
	char	**paths;	/* full paths */
	char	**names;	/* base names (point into paths) */
	size_t	  n;
};

/*
 * Fills pd with the regular files of dir that the caller may execute,
 * skipping dotfiles and names ending in '~' (editor backups).  A folder
 * that does not exist is an empty list.  0, or -1 on other errors (logged).
 */
int progdir_list(const char *dir, struct progdir *pd);
void progdir_free(struct progdir *pd);

/* 1 when dir holds at least one program progdir_list would return. */
int progdir_any(const char *dir);

struct prog_result {
	int	 exited;	/* 1: exited normally with exit_code */
	int	 exit_code;
	int	 signo;		/* killed by this signal (0 if none) */
	int	 timed_out;	/* killed by us after the deadline */
	char	*out;		/* captured stdout, NUL-terminated (may be NULL) */
	size_t	 outlen;
	int	 out_truncated;	/* stdout went past out_max; the rest was read and dropped */
	char	*err;		/* captured stderr, NUL-terminated (may be NULL) */
	size_t	 errlen;
	int	 err_truncated;
};

/*
 * Runs path with argv (argv[0] included, NULL-terminated) and the
 * process environment plus extra_env ("NAME=value" strings, replacing
 * variables of the same name; NULL-terminated, may be NULL).  Waits at
 * most timeout_ms.  Returns 0 when the program ran (see res for how it
 * ended), -1 when it could not be started (logged).
 */
int prog_run(const char *path, char *const argv[], char *const extra_env[],
    int timeout_ms, size_t out_max, size_t err_max, struct prog_result *res);

/*
 * prog_run() with inputs on inherited descriptors: in[i] becomes the
 * program's descriptor 3 + i (readable as /dev/fd/3, ...), each read from
 * its start; at most PROG_MAX_INPUTS.  Nothing else above 2 is inherited.
 */
#define PROG_MAX_INPUTS	4
int prog_run_inputs(const char *path, char *const argv[], char *const extra_env[],
    const int *in, size_t nin, int timeout_ms, size_t out_max, size_t err_max,
    struct prog_result *res);
void prog_result_free(struct prog_result *res);

/* 1 when the program exited with status 0 and was not timed out. */
int prog_succeeded(const struct prog_result *res);

/* Describes how the program ended ("exit status 3", "timed out after 2 s"). */
void prog_describe(const struct prog_result *res, int timeout_ms, char *buf, size_t len);

/*
 * Timeout in milliseconds from the environment variable name (seconds,
 * may be fractional), or def_ms when unset or invalid.
 */
int prog_timeout_from_env(const char *name, int def_ms);

#endif
