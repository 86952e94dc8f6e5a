/*
 * Hook points between the datastore code (data side) and commit hooks /
 * state providers (hooks side).  The data side calls these; the hooks side
 * implements them (subsystem/hooks.c, subsystem/state_providers.c).
 *
 * Commit hooks: after every change of running (edit-config or copy-config
 * on running, commit, confirmed-commit rollback by a live session,
 * delete/copy to running), before the reply, the data side calls
 * hooks_run_commit() with two complete XML files: the running content
 * before the change (old_path) and after it (new_path).  Both files exist
 * for the duration of the call only; they hold the on-disk datastore form
 * (root <config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"> with the
 * configuration as children).  Returning -1 (after adding an rpc-error to
 * r naming the failing hook and its message) makes the data side undo the
 * change: running is restored to old_path's content.  0 keeps it.
 *
 * hooks_commit_enabled() lets the data side skip materializing the two
 * files when no hook would run (fast path for the edit latency target):
 * return 1 when commit-hooks names a folder holding at least one
 * executable, 0 otherwise.  It may be called on every change, so keep it
 * cheap (a readdir is fine).
 *
 * State data: op_get calls state_collect() once per <get>, with into the
 * reply's data container (a copy of running's <config> children already
 * sit under it).  Append each state provider's XML as children of into
 * (into->doc owns them).  The subtree/XPath filter is applied afterwards
 * to the merged tree.  Return 0, or -1 on failure (the get still answers
 * with the configuration; log the reason).
 */
#ifndef NCHOME_HOOKS_H
#define NCHOME_HOOKS_H

#include <libxml/tree.h>

#include "rpc.h"
#include "session.h"

int hooks_commit_enabled(struct session *s);
int hooks_run_commit(struct rpc *r, const char *old_path, const char *new_path);
int state_collect(struct session *s, xmlNodePtr into);

#endif
