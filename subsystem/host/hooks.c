/*
 * Commit hooks: the operator's programs that apply a new running
 * configuration to the host (see host.h for when they run).
 *
 * Each executable in commit-hooks (name order; dotfiles, names ending in
 * '~' and non-executables skipped) runs as
 *
 *	hook /dev/fd/3 /dev/fd/4
 *
 * its descriptors 3 and 4 open on the old and the new content (files no
 * path leads to: nothing in a shared folder can swap them), with
 * NCHOME_OLD_CONFIG and NCHOME_NEW_CONFIG naming the same two files,
 * NCHOME_REVERT=0, NCHOME_DATASTORE=running, NCHOME_SESSION_ID and
 * NCHOME_USER naming the session that made the change, stdin from
 * /dev/null, and a timeout (NCHOME_HOOK_TIMEOUT seconds, default 30).
 *
 * A hook that exits non-zero, dies by a signal or runs past the timeout
 * (it and its process group are killed) fails the change: the hooks that
 * already ran before it are run again in reverse order with the two files
 * swapped and NCHOME_REVERT=1, so they put the host back; the failed hook
 * itself and the ones after it are not run again.  Then we return -1 with
 * an operation-failed rpc-error whose error-message names the hook and
 * carries its stderr (at most HOOK_STDERR_MAX bytes), and the data side
 * (ops/) restores running.  A revert that fails is logged; nothing more can be
 * done about it.
 */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "log.h"
#include "tree/tree.h"
#include "xmalloc.h"

#define HOOK_TIMEOUT_MS		30000
#define HOOK_STDERR_MAX		4096
#define HOOK_STDOUT_MAX		4096	/* logged at debug level, else dropped */
#define OLD_INPUT		"/dev/fd/3"	/* where a hook finds its inputs */
#define NEW_INPUT		"/dev/fd/4"

int
hooks_commit_enabled(const char *dir)
{
	return progdir_any(dir);
}

/*
 * A hook's stderr made fit for an XML text node (nc_text_clean), without
 * its trailing white space.  In place.
 */
static void
hook_text(char *t)
{
	size_t len;

	nc_text_clean(t);
	len = strlen(t);
	while (len > 0 && (t[len - 1] == '\n' || t[len - 1] == '\r' ||
	    t[len - 1] == ' ' || t[len - 1] == '\t'))
		t[--len] = '\0';
}

struct hook_run {
	int		 in[2];		/* old, new: the hook's 3 and 4 */
	const char	*session_id, *user;
	int		 timeout_ms;
};

static int
run_one(const struct hook_run *hr, const char *path, const char *name,
    int revert, struct prog_result *res)
{
	char e_old[4200], e_new[4200], e_sid[64], e_user[512];
	char *argv[4], *env[7];

	snprintf(e_old, sizeof(e_old), "NCHOME_OLD_CONFIG=%s", OLD_INPUT);
	snprintf(e_new, sizeof(e_new), "NCHOME_NEW_CONFIG=%s", NEW_INPUT);
	snprintf(e_sid, sizeof(e_sid), "NCHOME_SESSION_ID=%s", hr->session_id);
	snprintf(e_user, sizeof(e_user), "NCHOME_USER=%s", hr->user);
	env[0] = e_old;
	env[1] = e_new;
	env[2] = e_sid;
	env[3] = e_user;
	env[4] = revert ? "NCHOME_REVERT=1" : "NCHOME_REVERT=0";
	env[5] = "NCHOME_DATASTORE=running";
	env[6] = NULL;
	argv[0] = (char *)name;
	argv[1] = OLD_INPUT;
	argv[2] = NEW_INPUT;
	argv[3] = NULL;
	if (prog_run_inputs(path, argv, env, hr->in, 2, hr->timeout_ms, HOOK_STDOUT_MAX,
	    HOOK_STDERR_MAX, res) == -1)
		return -1;
	if (res->out != NULL && res->outlen > 0)
		log_debug("commit hook %s%s: stdout: %s", name,
		    revert ? " (revert)" : "", res->out);
	return prog_succeeded(res) ? 0 : -1;
}

/* The rpc-error for a failed hook; the message can exceed rpc_error's buffer. */
static void
hook_error(struct rpc *r, const char *name, const char *how, const char *errtext)
{
	xmlNodePtr err, msg;
	char *text = NULL;

	xasprintf(&text, "commit hook %s failed (%s); the change was undone%s%s",
	    name, how, errtext != NULL && *errtext != '\0' ? ": " : "",
	    errtext != NULL ? errtext : "");
	if (r == NULL) {
		free(text);
		return;
	}
	err = rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL, NULL);
	if (err != NULL) {
		msg = xmlNewTextChild(err, err->ns, BAD_CAST "error-message",
		    BAD_CAST text);
		if (msg != NULL)
			xmlNodeSetLang(msg, BAD_CAST "en");
	}
	free(text);
}

int
hooks_run_commit(const char *dir, const struct session *by, struct rpc *r,
    int old_fd, int new_fd)
{
	struct progdir pd;
	struct prog_result res;
	struct hook_run hr, back;
	char sid[32], how[128];
	size_t i;
	int failed = 0, devnull = -1;

	if (progdir_list(dir, &pd) == -1) {
		if (r != NULL)
			rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
			    "cannot list the commit hooks in %s; the change was undone", dir);
		return -1;
	}
	if (pd.n == 0)
		return 0;
	snprintf(sid, sizeof(sid), "%u", by != NULL ? (unsigned)by->id : 0);
	if ((old_fd == -1 || new_fd == -1) &&
	    (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("/dev/null");
		progdir_free(&pd);
		if (r != NULL)
			rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
			    "cannot prepare the commit hooks' input");
		return -1;
	}
	hr.in[0] = old_fd != -1 ? old_fd : devnull;
	hr.in[1] = new_fd != -1 ? new_fd : devnull;
	hr.session_id = sid;
	hr.user = by != NULL && by->user != NULL ? by->user : "";
	hr.timeout_ms = prog_timeout_from_env("NCHOME_HOOK_TIMEOUT", HOOK_TIMEOUT_MS);

	for (i = 0; i < pd.n; i++) {
		if (run_one(&hr, pd.paths[i], pd.names[i], 0, &res) == 0) {
			prog_result_free(&res);
			continue;
		}
		prog_describe(&res, hr.timeout_ms, how, sizeof(how));
		if (res.err != NULL)
			hook_text(res.err);
		log_warnx("commit hook %s failed (%s)%s%.512s", pd.names[i], how,
		    res.err != NULL && *res.err ? ": " : "", res.err != NULL ? res.err : "");
		hook_error(r, pd.names[i], how, res.err);
		prog_result_free(&res);
		failed = 1;
		break;
	}
	if (failed) {
		back = hr;
		back.in[0] = hr.in[1];
		back.in[1] = hr.in[0];
		while (i-- > 0) {
			if (run_one(&back, pd.paths[i], pd.names[i], 1, &res) == -1) {
				prog_describe(&res, back.timeout_ms, how, sizeof(how));
				if (res.err != NULL)
					hook_text(res.err);
				log_warnx("commit hook %s failed to revert (%s)%s%.512s",
				    pd.names[i], how, res.err != NULL && *res.err ? ": " : "",
				    res.err != NULL ? res.err : "");
			}
			prog_result_free(&res);
		}
	}
	progdir_free(&pd);
	if (devnull != -1)
		close(devnull);
	return failed ? -1 : 0;
}

/*
 * doc written to a file no path leads to: a memfd sealed against change
 * (no hook can alter what the next one reads), or where there is no
 * memfd a file in datastore-dir unlinked before anything is written to
 * it.  fd (close-on-exec) or -1.
 */
static int
input_fd(struct dsdir *dd, const char *tag, xmlDocPtr doc)
{
	char name[NAME_MAX + 1];
	int fd = -1;

#ifdef MFD_ALLOW_SEALING
	snprintf(name, sizeof(name), "nchome-%s-config", tag);
	fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
#endif
	if (fd == -1) {
		char prefix[32];

		snprintf(prefix, sizeof(prefix), ".hook-%s", tag);
		if ((fd = dsdir_create_unique(dd, DSD_TOP, prefix, name, sizeof(name))) == -1)
			return -1;
		(void)dsdir_unlink(dd, DSD_TOP, name);
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	if (xo_write_doc_fd(fd, doc) == -1) {
		close(fd);
		return -1;
	}
#ifdef F_ADD_SEALS
	(void)fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
#endif
	return fd;
}

int
hooks_running_changed(struct dsdir *dd, const char *dir, const struct session *by,
    struct rpc *r, xmlDocPtr olddoc, xmlDocPtr newdoc)
{
	int ofd, nfd, rc;

	if (!hooks_commit_enabled(dir))
		return 0;
	if ((ofd = input_fd(dd, "old", olddoc)) == -1)
		goto fail;
	if ((nfd = input_fd(dd, "new", newdoc)) == -1) {
		close(ofd);
		goto fail;
	}
	rc = hooks_run_commit(dir, by, r, ofd, nfd);
	close(ofd);
	close(nfd);
	return rc == 0 ? 0 : -1;
fail:
	log_warn("commit hook input files");
	if (r != NULL)
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "cannot prepare the commit hooks' input");
	return -1;
}
