/* Inside the ops folder only: what the handlers share (params.c). */
#ifndef NCHOME_OPS_INT_H
#define NCHOME_OPS_INT_H

#include "host/host.h"
#include "ops.h"
#include "store/store.h"

/*
 * Reads <target>/<source> style children: the single element child of
 * parent must be <running/>, <candidate/> or <startup/>.  On anything else
 * adds the rpc-error (bad-element / missing-element) and returns -1.
 */
int ops_parse_target(struct rpc *r, xmlNodePtr parent, enum ds_id *out);

/*
 * The index of v in the NULL-ended choices, into *out; else an
 * invalid-value error naming the parameter and -1.
 */
int ops_pick(struct rpc *r, const char *name, const char *v,
    const char *const *choices, int *out);

/* A missing-element error naming the child the operation needs. */
void ops_missing(struct rpc *r, const char *elem, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The rpc-error of a failed read or write of the datastores (with the hint). */
void ops_store_failed(struct rpc *r);

/* The commit hooks of a change of running by r's session (host/hooks.c); 0 or -1. */
int ops_running_changed(struct rpc *r, xmlDocPtr olddoc, xmlDocPtr newdoc);

/* 1 when a change of running would run commit hooks. */
int ops_hooks_enabled(struct session *s);

/* confirm_timer.c: the pending confirmed commit, as confirm.state holds it. */
struct confirm_state {
	uint64_t	 token;
	long		 pid;
	int64_t		 deadline;
	uint32_t	 session;
	char		 persist[256];	/* "" without persist */
};

/* Reads confirm.state into cs: 1 when a confirmed commit is pending, else 0. */
int confirm_read(struct dsdir *dd, struct confirm_state *cs);
/* Writes cs to confirm.state atomically; 0 or -1. */
int confirm_write(struct dsdir *dd, const struct confirm_state *cs);
/* Ends the confirmed commit: confirm.state and the rollback file removed. */
void confirm_clear(struct dsdir *dd);
/*
 * Restores running from running.rollback.xml and ends the confirmed commit
 * (under the exclusive store lock); hooks of hooks_dir run but cannot stop
 * it; by is who rolls back (NULL: the server's timer), why the reason
 * the audit line gives (config_audit.c).  0 or -1.
 */
int confirm_rollback(struct store *st, struct dsdir *dd, const char *hooks_dir,
    struct rpc *r, const struct session *by, const char *why);
/* Starts the detached timer of token, rolling back at deadline; its pid or -1. */
pid_t confirm_timer_start(struct session *s, uint64_t token, int64_t deadline);

/*
 * config.c: the <with-defaults> parameter of get, get-config and
 * copy-config (RFC 6243), *mode explicit without one; -1 with the error
 * added.
 */
int ops_wd_param(struct rpc *r, enum wd_mode *mode);

/*
 * config_tops.c: under store_lock, an unfiltered get-config of running
 * (with-defaults explicit) answered with the readable top-level nodes of
 * running.shared when the session's read rules decide each one whole:
 * 1, or 0 (nothing done: read running).
 */
int ops_reply_tops(struct rpc *r);

/*
 * get_merge.c: <get>'s data, running (under store_lock) with the state
 * top-level nodes of sroot joined.  get_merged_copy: the whole document,
 * a copy (the caller frees it), of running's top-level nodes the filter
 * scope may select and those a state node joins (scope NULL: all).
 * get_parts_build: the reply's top-level nodes in order, running's own
 * but for the copies that a state node joins and the state nodes of
 * their own, which live in owned (freed with xmlFreeDoc; nodes with
 * free).  get_hider_*: the read check of those nodes, as the prune of
 * get_merged_copy's document decides.
 * get_reply_parts: the parts as the reply (with-defaults explicit, no
 * filter), running's nodes written from running after the unlock, as
 * any reply of the cached running is.
 */
struct get_parts {
	xmlDocPtr	 owned;
	xmlNodePtr	*nodes;
	size_t		 n;
};
struct nacm_session;
xmlDocPtr get_merged_copy(xmlDocPtr running, xmlNodePtr sroot, xmlNodePtr scope);
void get_parts_build(xmlDocPtr running, xmlNodePtr sroot, struct get_parts *p);
struct get_hider *get_hider_new(const struct nacm_session *v, xmlDocPtr running,
    const struct get_parts *p);
int get_hider_hides(const void *arg, const xmlNode *n);
void get_hider_free(void *arg);
void get_reply_parts(struct rpc *r, xmlDocPtr running, xmlNodePtr sroot);

/* 0, or -1 with an rpc-error: config holds module data the session cannot check. */
int ops_yang_checkable(struct rpc *r, xmlNodePtr config);
/* The same of running's data, which a replace of running drops (read only when needed). */
int ops_running_drop_checkable(struct rpc *r);
/* The <source> of copy-config/validate as a new datastore doc; NULL with an rpc-error. */
xmlDocPtr ops_source_doc(struct rpc *r, xmlNodePtr source);

/*
 * nacm_errors.c: sets c's may_read to the session's NACM read check
 * (none when the session may read everything).
 */
void ops_nacm_edit_reads(struct session *s, struct edit_ctx *c);

/* nacm.c: the session's NACM view (ops_nacm_exec built it), NULL: none. */
struct nacm_session *ops_nacm_view(struct session *s);

/*
 * nacm.c: the write check of an applied (not yet kept) edit, from its
 * undo log (root: the datastore's root element).  0 when every change
 * is allowed; -1 with the error added (access-denied with error-path, or
 * operation-failed): the caller undoes the whole edit.
 */
int ops_nacm_write(struct rpc *r, struct edit_ctx *c, xmlNodePtr root);

/*
 * 1 when the session's edits are write-checked: the edit must then log
 * every change, also inside packed entries (edit_ctx.log_inside).
 */
int ops_nacm_checks_writes(struct session *s);
/*
 * Sets c's log_inside as the session's edits need it, and its
 * check_inside: the changes inside a packed entry are checked when its
 * edit is done, so that it is packed again (NCHOME_NACM_REPACK=0, or
 * an edit config that may enter one node twice: not).  c's keys and
 * schema are set.
 */
void ops_nacm_edit_inside(struct session *s, struct edit_ctx *c, xmlNodePtr config);

/*
 * nacm_diff.c: the write check of a whole-datastore replacement
 * (copy-config, delete-config, commit): what differs between old_root's
 * data and new_root's (either may be NULL).  0, or -1 with the error
 * added.
 */
int ops_nacm_replace(struct rpc *r, xmlNodePtr old_root, xmlNodePtr new_root);

/*
 * nacm_diff.c: what differs between old_root's data and new_root's
 * (either may be NULL) into l, as netconf-config-change edits; l is
 * over when they are more than it holds.  yang_of not NULL: l's schema
 * is that session's (store_yang), looked up once the diff is done and
 * only when it has edits to name (else NULL).
 */
void ops_change_edits(xmlNodePtr old_root, xmlNodePtr new_root, struct cfg_edits *l,
    struct session *yang_of);

/*
 * config_audit.c: by (NULL: the server) changed datastore with operation
 * how: the netconf-config-change event with edits (host.h), and for
 * running or startup one LOG_NOTICE line naming who, datastore, how and
 * the number of edits, never the data.  Called once per kept change.
 */
void ops_config_changed(struct dsdir *dd, const struct session *by, const char *datastore,
    const char *how, const struct cfg_edits *edits);

struct nacm_denial;

/* nacm.c: what nacm_write_check answered (res), as the RPC's result: 0 or -1. */
int ops_nacm_write_checked(struct rpc *r, int res, struct nacm_denial *d);

/*
 * nacm_pair.c: 1 when subtrees a and b hold the same data (element
 * names, namespaces and their declarations, attributes, texts; packed
 * entries by their strings; a packed node and an unpacked one differ),
 * compared node by node; depth 0 at the call.
 */
int ops_tree_same(const xmlNode *a, const xmlNode *b, int depth);

/*
 * nacm_pair.c: 1 when elements a and b have the same attributes (name,
 * namespace, value), in order.
 */
int ops_attrs_same(const xmlNode *a, const xmlNode *b);

/*
 * nacm_pair.c: 1 when elements a and b declare the same namespaces
 * (prefix and URI), in order.
 */
int ops_nsdefs_same(const xmlNode *a, const xmlNode *b);

/*
 * nacm_pair.c: ops_tree_same, but a packed node beside an unpacked one is
 * unpacked and compared inside (a datastore read from its files is packed,
 * a <config> from a request is not): 1 when a and b (either may be NULL)
 * hold the same data.  Ordered as stored: a reordering is a change.
 */
int ops_tree_equal(xmlNodePtr a, xmlNodePtr b);

/* nacm_pair.c: 1 when n has element children (a packed node has). */
int ops_has_elements(const xmlNode *n);

/*
 * One element child of a parent, for the pairing: 16 bytes on 64-bit
 * hosts.  While pairing, key is a hash of its identity and at its place
 * among its siblings; after ops_pair_children the records are in
 * document order (record i is the i-th element child) and key is the
 * partner's place + 1 in the other side's records, 0 for none.
 */
struct pair_rec {
	xmlNodePtr	 node;
	uint32_t	 key;
	uint32_t	 at;
};

struct pairing {
	struct pair_rec	*old, *new;
	size_t		 nold, nnew;
};

/*
 * nacm_pair.c: the element children of oldp and newp (either may be
 * NULL) paired by identity (nacm_diff.c); 0, or -1 out of memory.
 * ops_pairing_free frees p.
 */
int ops_pair_children(xmlNodePtr oldp, xmlNodePtr newp, struct pairing *p);
void ops_pairing_free(struct pairing *p);

/* A growable byte string: a subtree flattened. */
struct nkey {
	char	*buf;
	size_t	 len, cap;
	int	 oom;
};

/*
 * nacm.c: n's subtree appended to k (element names, namespaces,
 * declarations, texts, packed strings as stored, each piece with its
 * length): two subtrees flatten alike only when they are alike.
 */
void ops_nacm_flatten(struct nkey *k, const xmlNode *n);

/*
 * nacm.c: refuses (invalid-value, error-path /nacm:nacm, the parser's
 * message) a document whose nacm container would not parse strictly
 * (nacm_config_parse with NACM_STRICT and the host's groups, then the
 * module names).  Checked only when the container differs from the
 * one of olddoc (olddoc NULL: always).  0, or -1 with the error added.
 */
int ops_nacm_config_check(struct rpc *r, xmlDocPtr olddoc, xmlDocPtr newdoc);

/* nacm.c: 1 when doc has a top-level nacm container (ops_nacm_config_check has work). */
int ops_nacm_in_doc(xmlDocPtr doc);

/* nacm.c: 1 when the edit's undo log c touches running's nacm container. */
int ops_nacm_edit_touches(const struct edit_ctx *c);

#endif
