/*
 * RFC 8341 NACM: the rule engine.  It decides; the RPC layer enforces.
 *
 * Design
 * ------
 * Three objects, each built once and then read-only:
 *
 *   struct nacm_config   the ietf-netconf-acm:nacm container of running,
 *                        parsed and checked (nacm_config.c).  Built when
 *                        running's nacm subtree changes; shared by every
 *                        session of the process.
 *   struct nacm_session  one user's view of a config: the user's groups,
 *                        the rules of the rule-lists that name one of them
 *                        (in order), split per access operation and
 *                        compiled against the schema (nacm_session.c).
 *   struct nacm_schema   what NACM needs from YANG (module <-> namespace,
 *                        the default-deny-write/-all nodes, list keys),
 *                        as callbacks the schema layer fills; until it
 *                        exists nacm_schema_builtin() reads module headers
 *                        from a folder of .yang files and carries a table
 *                        of the extensions in yang/ (nacm_schema.c).
 *
 * Evaluation follows RFC 8341 3.4 step by step: enable-nacm false or a
 * recovery session permit everything; <close-session> is always
 * permitted; otherwise the first rule (rule-lists in order, rules in
 * order within each) that matches the module, the rule type and the
 * access operation decides; with none, a default-deny-all (read, write,
 * exec) or default-deny-write (write) extension on the node or an
 * ancestor denies, <kill-session> and <delete-config> are denied, and
 * the read-/write-/exec-default decides.  A user in no group reaches no
 * rule-list, not even one for "*" (3.4.4 step 5, 3.4.5 step 4).
 *
 * Data nodes are matched structurally, never with XPath: a rule's path
 * is parsed once into steps (namespace, name, key predicates), and a
 * node is covered when the steps match its ancestry from the top-level
 * node down (O(depth)); a rule on a node covers its descendants (3.4.5).
 * Key values of packed list entries (packed.h) are read with
 * packed_child()/packed_next_child() without unpacking them.  A data
 * node's module is the one of its namespace (an augmenting module's
 * nodes carry its own namespace), so module-name is compiled into a
 * namespace per session.
 *
 * Per session and access operation the applicable rules become one
 * ordered list: "module" entries (no rule type: match by namespace),
 * "path" entries (path rules, then the extension nodes as deny entries),
 * cut at the first entry that matches everything.  When every entry left
 * says what the default says, the operation has one answer for every
 * node (nacm_read_all() is that for read), answered in O(1).  Otherwise
 * tree walks (read mask, write check) go top-down keeping, per level, the
 * path entries matched so far; a subtree that no path entry can enter
 * and whose namespace cannot change the answer (a packed entry always
 * has one namespace) is decided at its root without being visited.  The
 * entries carried into a node with many children are indexed by their
 * next step's key value (nacm_level.c), so a read mask of a 50,000-entry
 * list with 20 key-predicate rules reads each entry's key once, looks it
 * up, and descends only into the entries a rule names.
 *
 * Reads: a node the session may not read is left out with its subtree,
 * unless a descendant is readable: then it stays as a bare ancestor
 * holding only its readable descendants and its list keys (the schema's
 * is_key), as sysrepo/netopeer2 do; otherwise read-default deny plus a
 * permit rule on /a/b could never return /a/b.  A reply streamed or
 * filtered from the cached running asks nacm_reader_hides node by node
 * instead of taking a mask of everything (nacm_lazy.c): the same answers,
 * for the nodes it touches only.
 *
 * Decisions left open by the RFC (see also nacm_config_parse):
 *   - a path prefix must be declared in scope on the <path> element; an
 *     unprefixed name, a positional predicate ([1]) or a function is
 *     refused; "$USER" is accepted as a predicate value (the typedef's
 *     USER variable);
 *   - a running config that cannot be parsed (edited outside NETCONF)
 *     is replaced by nacm_config_failsafe(): everything denied but
 *     <close-session>, so only a recovery session gets in to repair it;
 *   - <get>/<get-config> are exec-checked like every RPC (3.4.4 has no
 *     exception; exec-default is permit).
 *
 * Path grammar accepted for a rule's path (RFC 8341 node-instance-
 * identifier: an instance-identifier whose key predicates are optional):
 *
 *   path       = *ws ( "/" / 1*( "/" step ) ) *ws
 *   step       = node-name *predicate
 *   node-name  = prefix ":" identifier
 *   predicate  = "[" *ws ( node-name / "." ) *ws "=" *ws value *ws "]"
 *   value      = "'" *(not "'") "'" / DQUOTE *(not DQUOTE) DQUOTE / "$USER"
 *   identifier = (ALPHA / "_") *(ALPHA / DIGIT / "_" / "-" / ".")
 *   ws         = SP / HTAB / CR / LF
 *
 * "/" alone covers every data node.  A step without predicates matches
 * every instance; [p:leaf='v'] a node with a child leaf of that name and
 * value (list keys; several predicates for composite keys); [.='v'] a
 * leaf-list entry of that value.  At most NACM_PATH_MAX_STEPS steps and
 * NACM_PATH_MAX_PREDS predicates a step.
 *
 * Counters: nacm_rpc_allowed, nacm_notification_allowed and
 * nacm_write_check count their denials (process-local); the other
 * checks count nothing, so callers can ask them freely.
 */
#ifndef NCHOME_NACM_H
#define NCHOME_NACM_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#define NACM_NS		"urn:ietf:params:xml:ns:yang:ietf-netconf-acm"

/* Access operations: the bits of access-operations-type. */
#define NACM_CREATE	0x01
#define NACM_READ	0x02
#define NACM_UPDATE	0x04
#define NACM_DELETE	0x08
#define NACM_EXEC	0x10
#define NACM_ALL_OPS	0x1f

#define NACM_PATH_MAX_STEPS	64
#define NACM_PATH_MAX_PREDS	16
#define NACM_PATH_MAX_LEN	8192

/* ---- what NACM needs from the schema ---- */

#define NACM_DENY_WRITE	1	/* nacm:default-deny-write */
#define NACM_DENY_ALL	2	/* nacm:default-deny-all */

enum nacm_ext_kind { NACM_EXT_DATA, NACM_EXT_RPC, NACM_EXT_NOTIF };

/* One schema node carrying an extension. */
struct nacm_ext {
	enum nacm_ext_kind kind;
	int		 flags;		/* NACM_DENY_WRITE or NACM_DENY_ALL */
	const char	*module;	/* RPC, NOTIF: the defining module */
	/*
	 * RPC, NOTIF: the operation's or notification's name.  DATA: the
	 * schema node as a path whose prefixes are module names
	 * ("/ietf-system:system/ietf-system:authentication"; no choice or
	 * case names, no predicates).
	 */
	const char	*name;
};

struct nacm_schema {
	/* The namespace of a module, NULL if unknown. */
	const char	*(*module_ns)(void *arg, const char *module);
	/* The module of a namespace, NULL if unknown. */
	const char	*(*ns_module)(void *arg, const char *ns);
	/* Every schema node with an extension: an array of *n. */
	const struct nacm_ext *(*exts)(void *arg, size_t *n);
	/* 1 if the child leaf named leaf of list entry is a key (may be NULL). */
	int		 (*is_key)(void *arg, const xmlNode *entry, const char *leaf);
	void		*arg;
};

/*
 * The built-in schema: modules and namespaces from the headers (the
 * first 4 kB) of the *.yang files in yang_dir (NULL: none), the
 * extensions of the modules shipped in yang/ from a table, no list
 * keys.  NULL with err set.
 */
struct nacm_schema *nacm_schema_builtin(const char *yang_dir, char *err, size_t errlen);
/*
 * Adds the modules of the .yang files in another folder (the operator's
 * yang-dir); a module already known keeps its namespace, a folder that
 * does not exist adds none.  -1 with err set (out of memory).
 */
int nacm_schema_builtin_add(struct nacm_schema *schema, const char *yang_dir, char *err,
    size_t errlen);
/*
 * Adds one module: name with namespace ns (a module of the set, which
 * the schema layer scanned), or the module whose module and namespace
 * statements the first 4 kB of the file at path hold (none when they do
 * not, or the file cannot be read).  A module already known keeps its
 * namespace.  -1 with err set (out of memory).
 */
int nacm_schema_builtin_add_module(struct nacm_schema *schema, const char *name,
    const char *ns, char *err, size_t errlen);
int nacm_schema_builtin_add_file(struct nacm_schema *schema, const char *path, char *err,
    size_t errlen);
void nacm_schema_builtin_free(struct nacm_schema *schema);

/* ---- configuration ---- */

struct nacm_config;

/* nacm_config_parse flags */
#define NACM_STRICT	1	/* also refuse group names that name no group */

/*
 * Parses the nacm container (an element in NACM_NS; may be packed or
 * hold packed nodes; path prefixes resolve in the element's document).
 * nacm NULL: no container, the module's defaults.  Missing leaves take
 * the module's defaults; comment is ignored.
 *
 * Refused, with a message naming the rule-list and rule: an unknown
 * element in the NACM namespace (a misspelt access-operations would
 * otherwise default to "*"), a leaf given twice, a duplicate list key or
 * leaf-list value, a rule without action, with two of rpc-name /
 * notification-name / path, a path that does not parse or uses an
 * undeclared prefix, an access-operations value that is not "*" or
 * a set of distinct bits, a bad boolean or action, a group name that
 * starts with "*", state data (the counters).
 *
 * Group references (the RFC leaves them open: a rule-list may name
 * groups that only the transport reports): with NACM_STRICT, a
 * rule-list's group must be "*", a group of /nacm/groups, or, when
 * enable-external-groups is true, a group group_exists() knows (the
 * host's groups: nacm_host_group_exists); anything else is refused as
 * an unknown group, so a typo is caught at edit-config/commit.  Without
 * NACM_STRICT (loading running at session start) it is accepted and the
 * rule-list simply applies to nobody: a host group removed later must
 * not break access control for everyone.
 */
struct nacm_config *nacm_config_parse(const xmlNode *nacm, int flags,
    int (*group_exists)(const char *group), char *err, size_t errlen);

/*
 * The part of the check that needs the schema: every rule's module-name
 * is "*" or a module schema knows.  0, or -1 with a message naming the
 * rule-list and rule.
 */
int nacm_config_check_schema(const struct nacm_config *cfg,
    const struct nacm_schema *schema, char *err, size_t errlen);

/*
 * The same, and when refused *path (pathlen bytes) is where: the
 * instance-identifier of the rule or rule-list the message names, else
 * of the container ("/nacm:nacm"; prefix nacm for NACM_NS), for an
 * rpc-error's error-path.  A name no quote can hold names its parent.
 */
struct nacm_config *nacm_config_parse_at(const xmlNode *nacm, int flags,
    int (*group_exists)(const char *group), char *err, size_t errlen, char *path,
    size_t pathlen);
int nacm_config_check_schema_at(const struct nacm_config *cfg,
    const struct nacm_schema *schema, char *err, size_t errlen, char *path, size_t pathlen);

/* That path for a rule (list, rule; NULL: none) into path. */
void nacm_config_error_path(char *path, size_t len, const char *list, const char *rule);

/* enable-nacm true, every default deny, no rules: only recovery gets in. */
struct nacm_config *nacm_config_failsafe(void);

void nacm_config_free(struct nacm_config *cfg);

/* 1 if the host has a group of that name (getgrnam_r). */
int nacm_host_group_exists(const char *group);

/* ---- sessions ---- */

struct nacm_user {
	const char	*name;
	const char *const *groups;	/* the account's Unix groups: external groups */
	size_t		 ngroups;
	int		 recovery;	/* the recovery session: NACM is bypassed */
};

/* Frees an array of group names (nacm_session's copy of user->groups). */
void nacm_groups_free(char **groups, size_t ngroups);

struct nacm_session;

/*
 * Precomputes user's view of cfg.  cfg and schema must outlive the
 * session (the user is copied).  NULL when out of memory.
 */
struct nacm_session *nacm_session_new(const struct nacm_config *cfg,
    const struct nacm_user *user, const struct nacm_schema *schema);
/*
 * 1 when nacm_session_new(cfg, user) reads user->groups: NACM enabled, not
 * the recovery session, enable-external-groups true and a rule-list to
 * match them against.  Otherwise the groups may be left out (looking
 * them up loads the host's group sources, NSS modules: most of the view's
 * cost, paid after the hello by a session whose rules need them).
 */
int nacm_user_groups_needed(const struct nacm_config *cfg, int recovery);
void nacm_session_free(struct nacm_session *s);

/* 1 if NACM does not apply (enable-nacm false or recovery). */
int nacm_bypassed(const struct nacm_session *s);

/* ---- protocol operations and notifications (3.4.4, 3.4.6) ---- */

/*
 * May the session invoke rpc name of module (module NULL: unknown)?
 * 1 permit, 0 deny (counted in denied-operations).  The caller answers a
 * denial with access-denied, error-path /nc:rpc/<operation>.
 */
int nacm_rpc_allowed(const struct nacm_session *s, const char *module, const char *name);

/*
 * May the notification name of module be sent to the session?  1
 * permit, 0 drop it (counted in denied-notifications).
 */
int nacm_notification_allowed(const struct nacm_session *s, const char *module,
    const char *name);

/*
 * May the notification whose event element is ev (the child of
 * <notification> that is not eventTime) be sent to the session?  Its
 * module is the one of ev's namespace.  1 permit, 0 drop it (counted).
 */
int nacm_event_allowed(const struct nacm_session *s, const xmlNode *ev);

/* ---- data nodes (3.4.5) ---- */

/*
 * A data node's top-level ancestor is the one whose parent is not an
 * element or is in the NETCONF base namespace (a datastore's <config>,
 * a reply's <data>, an edit's <config>).
 */

/* May the session do op (one NACM_* bit but EXEC) on node alone?  1 or 0. */
int nacm_data_allowed(const struct nacm_session *s, const xmlNode *node, int op);

/*
 * 1 when every data node is readable whatever the data (enable-nacm
 * false, recovery, a read-permit rule for "*" first): the reply needs no
 * mask.  With the module's defaults it is 0, since /nacm is
 * default-deny-all; nacm_read_mask then looks at each top-level node
 * once and returns no mask when the data holds no protected node.
 */
int nacm_read_all(const struct nacm_session *s);

/* The nodes a read must leave out (each with its subtree). */
struct nacm_mask;

/*
 * The read mask of the data under root (root's children are top-level
 * nodes).  *mask is NULL when nothing is masked.  Packed entries that
 * hold a masked node are unpacked (packed_unpack: the caller's next
 * packed_repack packs them again).  0, or -1 when out of memory.
 */
int nacm_read_mask(const struct nacm_session *s, xmlNodePtr root, struct nacm_mask **mask);
int nacm_mask_has(const struct nacm_mask *mask, const xmlNode *node);
size_t nacm_mask_count(const struct nacm_mask *mask);
void nacm_mask_free(struct nacm_mask *mask);

/*
 * The same decisions, made only for the nodes a reply asks about
 * (nacm_lazy.c): nacm_reader_hides(r, n) is 1 when the read mask of the
 * data under root would leave n out, or n is below a node it leaves out,
 * or n is not under root (fail closed).  Asked in document order it
 * decides each node once, and a subtree no rule's path enters is decided
 * at its root.  A packed n (packed.h) it keeps but whose children it
 * must decide one by one is unpacked (packed_repack packs it again), so
 * a packed node it keeps never holds a node it hides.  root's document
 * must not change but by packing and unpacking while r lives.  Out of
 * memory is fatal (xmalloc.h).
 */
struct nacm_reader;
struct nacm_reader *nacm_reader_new(const struct nacm_session *s, xmlNodePtr root);
int nacm_reader_hides(struct nacm_reader *r, const xmlNode *n);
void nacm_reader_free(struct nacm_reader *r);

/*
 * Removes from root's tree (one the caller owns: a copy, a filter
 * result) what the session may not read.  The number of subtrees
 * removed, or -1 when out of memory (then nothing was removed).
 */
int nacm_read_prune(const struct nacm_session *s, xmlNodePtr root);

/* One change of an edit: op is NACM_CREATE, NACM_UPDATE or NACM_DELETE. */
struct nacm_change {
	xmlNodePtr	 node;	/* CREATE/DELETE: the root of the subtree created/deleted */
	int		 op;
};

/* A namespace the path of a denial uses, with the prefix it uses for it. */
struct nacm_nsdecl {
	char	*prefix;
	char	*ns;
};

struct nacm_denial {
	xmlNodePtr	 node;		/* the first node denied */
	int		 op;
	const char	*rule;		/* the deny rule's name, NULL for a default */
	char		*path;		/* its instance-identifier, for error-path */
	struct nacm_nsdecl *ns;		/* the prefixes path uses */
	size_t		 nns;
};

/*
 * Write check (3.4.5 for create/update/delete): a CREATE or DELETE
 * needs the operation on every node of the subtree, an UPDATE on the node.
 * 0 when everything is allowed; 1 when a node is denied: *d says which
 * (the first in change order, then document order), its path is the
 * change's own node when the session may not read the denied one (an
 * error must not reveal unreadable data), and denied-data-writes is
 * counted once; -1 when out of memory.  Free d with nacm_denial_clear.
 */
int nacm_write_check(const struct nacm_session *s, const struct nacm_change *changes,
    size_t nchanges, struct nacm_denial *d);
void nacm_denial_clear(struct nacm_denial *d);
/*
 * The same check, counting nothing and naming nothing: 1 when every
 * change is allowed, 0 when one is denied, -1 when out of memory.
 */
int nacm_writes_allowed(const struct nacm_session *s, const struct nacm_change *changes,
    size_t nchanges);
/*
 * The first step (0: a top-level node's) at which a create, update or
 * delete rule's path has a predicate, SIZE_MAX when none has: a write
 * decision for a node below that depth reads values above the node,
 * which an edit may change after it.
 */
size_t nacm_write_pred_step(const struct nacm_session *s);

/*
 * May the session read the data node that path names (an error-path:
 * an instance-identifier whose prefixes are declared in scope on elem)?
 * 1 yes, 0 no (RFC 8341 3.4.3: an error must not name it), 2 when path
 * is no data path (one in the request, "/", or none the rule-path
 * grammar reads), -1 when out of memory.
 */
int nacm_path_readable(const struct nacm_session *s, const xmlNode *elem, const char *path);

/*
 * The read decision for a whole top-level node of namespace ns and
 * local name name, without the node: 1 when the read mask keeps every
 * node of its subtree, 0 when it leaves the node out with its subtree,
 * -1 when that depends on what it holds (a rule's path or a
 * default-deny node goes on inside it, a path rule names its keys, a
 * namespace rule meets a subtree of more than ns: one_ns 0) or out of
 * memory.
 */
int nacm_top_read(const struct nacm_session *s, const char *ns, const char *name, int one_ns);

/* ---- counters (ietf-netconf-acm state data), this process's ---- */

struct nacm_counters {
	uint32_t	denied_operations;
	uint32_t	denied_data_writes;
	uint32_t	denied_notifications;
};

void nacm_counters_get(struct nacm_counters *c);

#endif
