/*
 * Commit hooks: the operator's programs that apply a new running
 * configuration to the host (see host.h for when they run).
 *
 * Each executable in commit-hooks (name order; dotfiles, names ending in
 * '~' and non-executables skipped) runs as
 *
 *	hook <old-file> <new-file>
 *
 * with NCHOME_OLD_CONFIG and NCHOME_NEW_CONFIG naming the same two files,
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
	const char	*old_path, *new_path;
	const char	*session_id, *user;
	int		 timeout_ms;
};

static int
run_one(const struct hook_run *hr, const char *path, const char *name,
    int revert, struct prog_result *res)
{
	char e_old[4200], e_new[4200], e_sid[64], e_user[512];
	char *argv[4], *env[7];

	snprintf(e_old, sizeof(e_old), "NCHOME_OLD_CONFIG=%s", hr->old_path);
	snprintf(e_new, sizeof(e_new), "NCHOME_NEW_CONFIG=%s", hr->new_path);
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
	argv[1] = (char *)hr->old_path;
	argv[2] = (char *)hr->new_path;
	argv[3] = NULL;
	if (prog_run(path, argv, env, hr->timeout_ms, HOOK_STDOUT_MAX,
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
    const char *old_path, const char *new_path)
{
	struct progdir pd;
	struct prog_result res;
	struct hook_run hr, back;
	char sid[32], how[128];
	size_t i;
	int failed = 0;

	if (progdir_list(dir, &pd) == -1) {
		if (r != NULL)
			rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
			    "cannot list the commit hooks in %s; the change was undone", dir);
		return -1;
	}
	if (pd.n == 0)
		return 0;
	snprintf(sid, sizeof(sid), "%u", by != NULL ? (unsigned)by->id : 0);
	hr.old_path = old_path != NULL ? old_path : "/dev/null";
	hr.new_path = new_path != NULL ? new_path : "/dev/null";
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
		back.old_path = hr.new_path;
		back.new_path = hr.old_path;
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
	return failed ? -1 : 0;
}

/* Writes doc to a new temporary file in datastore-dir; fd's name in name. 0 or -1. */
static int
temp_doc(struct dsdir *dd, const char *tag, xmlDocPtr doc, char *name, size_t len)
{
	char prefix[32];
	int fd;

	snprintf(prefix, sizeof(prefix), ".hook-%s", tag);
	if ((fd = dsdir_create_unique(dd, DSD_TOP, prefix, name, len)) == -1)
		return -1;
	if (xo_write_doc_fd(fd, doc) == -1) {
		close(fd);
		(void)dsdir_unlink(dd, DSD_TOP, name);
		return -1;
	}
	close(fd);
	return 0;
}

int
hooks_running_changed(struct dsdir *dd, const char *dir, const struct session *by,
    struct rpc *r, xmlDocPtr olddoc, xmlDocPtr newdoc)
{
	char on[NAME_MAX + 1], nn[NAME_MAX + 1], op[PATH_MAX], np[PATH_MAX];
	int rc;

	if (!hooks_commit_enabled(dir))
		return 0;
	if (temp_doc(dd, "old", olddoc, on, sizeof(on)) == -1)
		goto fail;
	if (temp_doc(dd, "new", newdoc, nn, sizeof(nn)) == -1) {
		(void)dsdir_unlink(dd, DSD_TOP, on);
		goto fail;
	}
	rc = hooks_run_commit(dir, by, r, dsdir_full_path(dd, DSD_TOP, on, op, sizeof(op)),
	    dsdir_full_path(dd, DSD_TOP, nn, np, sizeof(np)));
	(void)dsdir_unlink(dd, DSD_TOP, on);
	(void)dsdir_unlink(dd, DSD_TOP, nn);
	return rc == 0 ? 0 : -1;
fail:
	log_warn("commit hook input files");
	if (r != NULL)
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "cannot prepare the commit hooks' input");
	return -1;
}
