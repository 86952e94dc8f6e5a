/*
 * Access control (RFC 8341) where the operations meet it: the session's
 * NACM view built from the account it runs as (host/account.c: the user
 * name and its Unix groups, the external groups) and from running's
 * ietf-netconf-acm:nacm container, and the exec check of every RPC.
 *
 * The recovery session, root or the account named by nchome.conf's
 * nacm-recovery-account, bypasses NACM.  A nacm container that does not
 * parse (edited outside NETCONF) gives the fail-safe config: only a
 * recovery session gets in to repair it.
 *
 * The view is built after the session's hello (ops_nacm_prepare) and
 * before each RPC checked against running's container (another session
 * may have changed it since), read from running.nacm
 * (store/nacm_form.c) while the session holds no tree of running, so a
 * session's first RPC does not parse all of running for a few rules:
 * the container is flattened
 * into a key (names, namespaces, texts, packed strings as stored) and
 * the view is rebuilt (parse and compile) only when the key differs
 * from the one it was built from.  Without a container the key is
 * empty: the common case costs one look at running's top-level nodes.
 */
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "log.h"
#include "ops_int.h"
#include "schema/schema.h"

#define GROUP_ENTRY_MAX	(1024 * 1024)	/* a group's entry (its members), read at most */

struct ops_nacm {
	struct nacm_schema	*schema;
	struct nacm_config	*cfg;
	struct nacm_session	*view;
	char			 name[sizeof(((struct account *)0)->name)];
	char			**groups;	/* Unix group names */
	size_t			 ngroups;
	int			 groups_read;	/* groups is the account's */
	int			 recovery;
	int			 built;		/* view is for key */
	struct nkey		 key, next;
};

static void
free_groups(struct ops_nacm *n)
{
	for (size_t i = 0; i < n->ngroups; i++)
		free(n->groups[i]);
	free(n->groups);
	n->groups = NULL;
	n->ngroups = 0;
}

/*
 * The account's name and whether it is the recovery session.
 * account_current() is the logged-in account recorded before a set-id
 * switch: getuid() may be the service identity by now, so root is the
 * recorded uid 0.
 */
static void
fill_account(struct ops_nacm *n, const struct session *s)
{
	const struct account *a = account_current();
	const char *rec = s->nc != NULL ? s->nc->nacm_recovery : NULL;

	memcpy(n->name, a->name, sizeof(n->name));
	n->recovery = a->uid == 0 || (rec != NULL && *rec != '\0' && strcmp(rec, a->name) == 0);
}

/*
 * The account's group names; 0 or -1.  The groups are the process's
 * (host/account.c: as sshd set them at login), their names read when a
 * view first needs them (nacm_user_groups_needed), not for every
 * session: each name is a look-up in the group database (/etc/group;
 * a gid without a name there asks the next NSS source too), and a
 * session without rule-lists, or the recovery session, never uses them.
 * A session whose rules need them reads them after its hello
 * (ops_nacm_prepare).
 */
static int
fill_groups(struct ops_nacm *n)
{
	int ng, rc;
	const gid_t *g = account_groups(account_current(), &ng);
	size_t blen = 8192;
	char *buf, *nb;

	if ((n->groups = calloc((size_t)ng + 1, sizeof(*n->groups))) == NULL ||
	    (buf = malloc(blen)) == NULL)
		return -1;
	for (int i = 0; i < ng; i++) {
		struct group gr, *res = NULL;

		/* ERANGE: a group of many members; a bigger buffer, not "no name" */
		while ((rc = getgrgid_r(g[i], &gr, buf, blen, &res)) == ERANGE &&
		    blen < GROUP_ENTRY_MAX) {
			if ((nb = realloc(buf, blen * 2)) == NULL) {
				free(buf);
				return -1;
			}
			buf = nb;
			blen *= 2;
		}
		if (rc != 0 || res == NULL)
			continue;	/* a group without a name can be named by no rule */
		if ((n->groups[n->ngroups] = strdup(gr.gr_name)) == NULL) {
			free(buf);
			return -1;
		}
		n->ngroups++;
	}
	free(buf);
	n->groups_read = 1;
	return 0;
}

struct names_arg {
	struct nacm_schema	*schema;
	char			*err;
	size_t			 errlen;
};

/*
 * One file of the module folders: a module the set scanned by its name
 * and namespace, another file by its first 4 kB.  A file is not read
 * twice in a session.
 */
static int
add_file_names(void *arg, const struct schema_file_info *fi)
{
	struct names_arg *a = arg;

	if (fi->scanned)
		return fi->module == NULL ? 0 :
		    nacm_schema_builtin_add_module(a->schema, fi->module, fi->ns, a->err,
		    a->errlen);
	return nacm_schema_builtin_add_file(a->schema, fi->path, a->err, a->errlen);
}

/*
 * NACM's module names into n->schema; 0 or -1 (logged).  The modules of
 * the two module folders (nchome's own and the operator's yang-dir: a
 * rule may name a module the operator added) as the module set's scan
 * listed them (schema_foreach_file): the names of the files it read,
 * the first 4 kB of the others.  A session without a module set (none
 * outside the tests) knows the built-in table's modules alone.
 */
static int
load_schema(const struct session *s, struct ops_nacm *n)
{
	struct names_arg a;
	char err[256];

	if (n->schema != NULL)
		return 0;
	n->schema = nacm_schema_builtin(NULL, err, sizeof(err));
	if (n->schema != NULL && s->schema != NULL) {
		a.schema = n->schema;
		a.err = err;
		a.errlen = sizeof(err);
		if (schema_foreach_file(s->schema, add_file_names, &a) != 0) {
			nacm_schema_builtin_free(n->schema);
			n->schema = NULL;
		}
	}
	if (n->schema == NULL) {
		log_warnx("session %u: NACM's module names: %s", s->id, err);
		return -1;
	}
	return 0;
}

static int refresh_hook(struct session *);

/*
 * The session's NACM state.  The recovery session's view is bypassed and
 * never asks the module names: they are read when a nacm config it
 * writes is checked (ops_nacm_config_check), not by every root session.
 */
static struct ops_nacm *
nacm_state(struct session *s)
{
	struct ops_nacm *n;

	if (s->nacm != NULL)
		return s->nacm;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	fill_account(n, s);
	if (!n->recovery && load_schema(s, n) == -1) {
		free(n);
		return NULL;
	}
	s->nacm = n;
	s->nacm_refresh = refresh_hook;
	return n;
}

static void
key_put(void *arg, const char *p, size_t len)
{
	struct nkey *k = arg;
	size_t need = len + sizeof(len);

	if (k->oom)
		return;
	if (k->cap - k->len < need) {
		size_t cap = k->cap ? k->cap : 256;
		char *b;

		while (cap - k->len < need)
			cap *= 2;
		if ((b = realloc(k->buf, cap)) == NULL) {
			k->oom = 1;
			return;
		}
		k->buf = b;
		k->cap = cap;
	}
	/* each piece with its length: no two trees flatten alike */
	memcpy(k->buf + k->len, &len, sizeof(len));
	memcpy(k->buf + k->len + sizeof(len), p, len);
	k->len += need;
}

static void
key_str(void *arg, const char *str)
{
	key_put(arg, str != NULL ? str : "", str != NULL ? strlen(str) : 0);
}

static void key_node(struct nkey *k, const xmlNode *n);

/* n's subtree into k: element names, namespaces, declarations, texts. */
static void
key_one(struct nkey *k, const xmlNode *n)
{
	if (n->type == XML_TEXT_NODE) {
		key_str(k, "t");
		key_str(k, (const char *)n->content);
		return;
	}
	if (n->type != XML_ELEMENT_NODE)
		return;
	key_str(k, "<");
	key_str(k, (const char *)n->name);
	key_str(k, n->ns != NULL ? (const char *)n->ns->href : "");
	for (const xmlNs *d = n->nsDef; d != NULL; d = d->next) {
		key_str(k, "x");
		key_str(k, (const char *)d->prefix);
		key_str(k, (const char *)d->href);
	}
	if (packed_is(n)) {
		key_str(k, "p");
		packed_write(n, key_put, key_str, k);
	} else
		key_node(k, n->children);
	key_str(k, ">");
}

/* n and its following siblings into k. */
static void
key_node(struct nkey *k, const xmlNode *n)
{
	for (; n != NULL; n = n->next)
		key_one(k, n);
}

void
ops_nacm_flatten(struct nkey *k, const xmlNode *n)
{
	key_one(k, n);
}

/*
 * nacm's key into k (nacm NULL: empty), with the declarations of its
 * ancestors (a rule's path prefixes may resolve there).  0 or -1.
 */
static int
make_key(struct nkey *k, const xmlNode *nacm)
{
	k->len = 0;
	k->oom = 0;
	if (nacm == NULL)
		return 0;
	for (const xmlNode *a = nacm->parent; a != NULL && a->type == XML_ELEMENT_NODE; a = a->parent)
		for (const xmlNs *d = a->nsDef; d != NULL; d = d->next) {
			key_str(k, "x");
			key_str(k, (const char *)d->prefix);
			key_str(k, (const char *)d->href);
		}
	key_node(k, nacm);
	return k->oom ? -1 : 0;
}

/*
 * Brings the view up to date with running's nacm container, rebuilding
 * it only when the container changed; 0 or -1 (out of memory, store
 * failure; ahead: also when another process holds the write lock, which
 * is not waited for, or when running.nacm is not current: running is
 * not parsed ahead).
 */
static int
refresh(struct session *s, struct ops_nacm *n, int ahead)
{
	struct nacm_user u;
	struct nacm_config *cfg = NULL;
	struct nacm_session *view;
	struct nkey t;
	char err[512];

	if (!n->recovery && s->store != NULL) {
		xmlDocPtr run;
		xmlNodePtr c;

		if ((ahead ? store_lock_try(s->store) : store_lock(s->store, 0)) == -1)
			return -1;
		/* running's rules alone when they are published: no parse of running */
		if (store_nacm_form(s->store, &c) == 0) {
			/*
			 * Ahead of the first RPC, not a parse of running: held
			 * from before the request is read, its tree would add
			 * to the request's buffer (an account's first edit of
			 * 50,000 entries: 46 MB instead of 36.7).
			 */
			if (ahead ||
			    (run = store_doc(s->store, DS_RUNNING)) == NULL) {
				store_unlock(s->store);
				return -1;
			}
			c = store_doc_nacm(run);
		}
		if (make_key(&n->next, c) == -1) {
			store_unlock(s->store);
			return -1;
		}
		if (n->built && n->next.len == n->key.len &&
		    (n->key.len == 0 || memcmp(n->next.buf, n->key.buf, n->key.len) == 0)) {
			store_unlock(s->store);
			return 0;	/* unchanged: the view stands */
		}
		cfg = nacm_config_parse(c, 0, NULL, err, sizeof(err));
		store_unlock(s->store);
		if (cfg == NULL) {
			log_warnx("session %u: running's nacm config is broken (%s): "
			    "only a recovery session gets in", s->id, err);
			cfg = nacm_config_failsafe();
		}
	} else if (n->built)
		return 0;	/* recovery: NACM never applies */
	else
		cfg = nacm_config_parse(NULL, 0, NULL, err, sizeof(err));
	if (cfg == NULL)
		return -1;
	if (!n->groups_read && nacm_user_groups_needed(cfg, n->recovery) &&
	    fill_groups(n) == -1) {
		free_groups(n);
		nacm_config_free(cfg);
		return -1;
	}
	u.name = n->name;
	u.groups = (const char *const *)n->groups;
	u.ngroups = n->ngroups;
	u.recovery = n->recovery;
	if ((view = nacm_session_new(cfg, &u, n->schema)) == NULL) {
		nacm_config_free(cfg);
		return -1;
	}
	nacm_session_free(n->view);
	nacm_config_free(n->cfg);
	n->view = view;
	n->cfg = cfg;
	s->nacm_view = view;
	/* the view now stands for next's container: keep next as the key */
	t = n->key;
	n->key = n->next;
	n->next = t;
	n->built = 1;
	log_debug("session %u: NACM view built%s", s->id, nacm_bypassed(view) ? " (bypassed)" : "");
	return 0;
}

/*
 * s->nacm_refresh: a subscriber sends no RPC, so observe/notify.c brings
 * the view up to date this way before notifications go out (RFC 8341
 * 3.4.6: the rules as they are when one is sent).
 */
static int
refresh_hook(struct session *s)
{
	struct ops_nacm *n = nacm_state(s);

	return n != NULL ? refresh(s, n, 0) : -1;
}

/*
 * After our hello: the account and module names, and for a session NACM
 * applies to, its view of running's rules too (running.nacm read, the
 * rules parsed and compiled, and the names of the Unix groups looked up
 * when a rule-list needs them), all of which was most of an account's
 * first request.  The recovery session's view, bypassed, is built here
 * too (no file read, no groups: in its first request this code's first
 * run cost root 20-50 us), and a view without rule-lists reads no groups.
 * Another process's write lock is
 * not waited for (the client's requests would wait behind it, and the
 * first RPC waits for it within lock-wait anyway), and running is not
 * parsed when running.nacm is not current (its tree, held from before
 * the request is read, would add to the request's buffer); then, or on
 * any failure, the first RPC builds the view.
 */
void
ops_nacm_prepare(struct session *s)
{
	struct ops_nacm *n = nacm_state(s);

	if (n != NULL)
		(void)refresh(s, n, 1);
}

struct nacm_session *
ops_nacm_view(struct session *s)
{
	return s->nacm != NULL ? s->nacm->view : NULL;
}

/* Declares prefix for ns on err's error-path (err NULL: nothing). */
static void
error_path_ns(xmlNodePtr err, const char *prefix, const char *ns)
{
	for (xmlNodePtr x = err != NULL ? err->children : NULL; x != NULL; x = x->next)
		if (x->type == XML_ELEMENT_NODE && xmlStrEqual(x->name, BAD_CAST "error-path"))
			xmlNewNs(x, BAD_CAST ns, BAD_CAST prefix);
}

int
ops_nacm_exec(struct rpc *r)
{
	struct ops_nacm *n;
	const char *ns = NULL, *module = NULL;
	char path[300];
	xmlNodePtr err;
	int base;

	if ((n = nacm_state(r->s)) == NULL || refresh(r->s, n, 0) == -1) {
		rpc_error(r, ERR_APPLICATION, TAG_OPERATION_FAILED, NULL,
		    "access control could not be evaluated");
		return 0;
	}
	if (r->op->ns != NULL && r->op->ns->href != NULL)
		ns = (const char *)r->op->ns->href;
	/* no module names (recovery): a bypassed view permits without them */
	if (ns != NULL && n->schema != NULL && n->schema->ns_module != NULL)
		module = n->schema->ns_module(n->schema->arg, ns);
	if (nacm_rpc_allowed(n->view, module, (const char *)r->op->name))
		return 1;
	base = ns != NULL && strcmp(ns, NC_NS_BASE) == 0;
	snprintf(path, sizeof(path), "/nc:rpc/%s%.200s",
	    base ? "nc:" : ns != NULL ? "op:" : "", (const char *)r->op->name);
	err = rpc_error(r, ERR_PROTOCOL, TAG_ACCESS_DENIED, path,
	    "access to <%s> denied", (const char *)r->op->name);
	/* declared, or a client that parses the path (yangcli) drops the reply */
	error_path_ns(err, "nc", NC_NS_BASE);
	if (!base && ns != NULL)
		error_path_ns(err, "op", ns);
	return 0;
}

void
ops_nacm_end(struct session *s)
{
	struct ops_nacm *n = s->nacm;

	if (n == NULL)
		return;
	nacm_session_free(n->view);
	nacm_config_free(n->cfg);
	nacm_schema_builtin_free(n->schema);
	s->nacm_view = NULL;
	free(n->key.buf);
	free(n->next.buf);
	free_groups(n);
	free(n);
	s->nacm = NULL;
}

/* The error of a denied write: access-denied, error-path with its prefixes. */
static void
write_denied(struct rpc *r, const struct nacm_denial *d)
{
	xmlNodePtr err;

	err = rpc_error(r, ERR_APPLICATION, TAG_ACCESS_DENIED, d->path,
	    "access denied: %s", d->op == NACM_CREATE ? "create" :
	    d->op == NACM_DELETE ? "delete" : "update");
	for (size_t i = 0; i < d->nns; i++)
		error_path_ns(err, d->ns[i].prefix, d->ns[i].ns);
}

int
ops_nacm_write_checked(struct rpc *r, int res, struct nacm_denial *d)
{
	if (res == 0)
		return 0;
	if (res == -1)
		ops_store_failed(r);
	else {
		write_denied(r, d);
		nacm_denial_clear(d);
	}
	return -1;
}

int
ops_nacm_checks_writes(struct session *s)
{
	struct nacm_session *v = ops_nacm_view(s);

	return v != NULL && !nacm_bypassed(v);
}

/* 1 when old's and new's nacm containers differ; -1 when out of memory. */
static int
nacm_differs(xmlDocPtr olddoc, xmlDocPtr newdoc)
{
	struct nkey a = { 0 }, b = { 0 };
	int r;

	if (make_key(&a, store_doc_nacm(olddoc)) == -1 || make_key(&b, store_doc_nacm(newdoc)) == -1)
		r = -1;
	else
		r = a.len != b.len || (a.len != 0 && memcmp(a.buf, b.buf, a.len) != 0);
	free(a.buf);
	free(b.buf);
	return r;
}

int
ops_nacm_in_doc(xmlDocPtr doc)
{
	return store_doc_nacm(doc) != NULL;
}

int
ops_nacm_config_check(struct rpc *r, xmlDocPtr olddoc, xmlDocPtr newdoc)
{
	struct ops_nacm *n = r->s->nacm;
	struct nacm_config *cfg;
	xmlNodePtr c = store_doc_nacm(newdoc), err;
	char msg[512], path[640];
	int d;

	if (c == NULL)
		return 0;	/* the module's defaults */
	if (olddoc != NULL && (d = nacm_differs(olddoc, newdoc)) != 1) {
		if (d == -1)
			ops_store_failed(r);
		return d;
	}
	cfg = nacm_config_parse_at(c, NACM_STRICT, nacm_host_group_exists, msg, sizeof(msg),
	    path, sizeof(path));
	if (cfg != NULL && n != NULL && load_schema(r->s, n) == 0 &&
	    nacm_config_check_schema_at(cfg, n->schema, msg,
	    sizeof(msg), path, sizeof(path)) == -1) {
		nacm_config_free(cfg);
		cfg = NULL;
	}
	if (cfg != NULL) {
		nacm_config_free(cfg);
		return 0;
	}
	/* the error-path names the failing rule (or rule-list) where it can */
	err = rpc_error(r, ERR_APPLICATION, TAG_INVALID_VALUE, path,
	    "broken NACM configuration refused: %s", msg);
	error_path_ns(err, "nacm", NACM_NS);
	return -1;
}
