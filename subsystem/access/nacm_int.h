/*
 * The NACM engine's own structures, shared by the .c files of subsystem/access/ (and
 * read by the unit tests).  Not for callers: they use nacm.h.
 */
#ifndef NCHOME_NACM_INT_H
#define NCHOME_NACM_INT_H

#include "nacm.h"

/* ---- paths (nacm_path.c) ---- */

struct nacm_pred {
	char		*ns;		/* NULL for "." */
	char		*name;		/* NULL for "." (a leaf-list entry's own value) */
	char		*value;		/* NULL for $USER */
};

struct nacm_step {
	char		*ns;
	char		*name;
	struct nacm_pred *pred;
	size_t		 npred;
};

struct nacm_path {
	struct nacm_step *step;
	size_t		 nstep;		/* 0: "/" */
};

/* Resolves prefix to a namespace (*ns); 0, or -1 if undeclared. */
typedef int (*nacm_prefix_fn)(void *arg, const char *prefix, const char **ns);

/* A nacm_prefix_fn: the prefix in scope on element arg (an xmlNode). */
int nacm_xml_prefix_ns(void *arg, const char *prefix, const char **ns);

struct nacm_path *nacm_path_parse(const char *text, nacm_prefix_fn prefix_ns,
    void *arg, char *err, size_t errlen);
void nacm_path_free(struct nacm_path *p);

/*
 * Per-node cache of predicate values while matching the steps of many
 * rules against one node; values may point into its packed string.
 */
#define NACM_VCACHE	8
struct nacm_vcache {
	const xmlNode	*node;
	struct {
		const char *name;	/* NULL: the node's own value */
		const char *ns;
		const char *value;	/* NULL: none (or many) */
		int	    many;	/* several values: not cached */
		char	   *owned;	/* value when it had to be copied */
	} v[NACM_VCACHE];
	size_t		 n;
};

void nacm_vcache_init(struct nacm_vcache *vc, const xmlNode *node);

/*
 * The cache slot of n's value for the child leaf name in ns (name NULL:
 * n's own value), filled if new: *slot, NACM_VCACHE when the cache is
 * full.  0, or -1 when out of memory.
 */
int nacm_vcache_value(struct nacm_vcache *vc, const xmlNode *n, const char *ns,
    const char *name, size_t *slot);

/*
 * Calls fn(arg, value, stable) for each value of n's child leaves named
 * name in namespace ns (name NULL: n's own value) until fn returns
 * non-zero; returns that, 0, or -1 when out of memory.  stable: value
 * stays valid as long as n is unchanged (else only during the call).
 * Children of a packed n are read in place.
 */
int nacm_each_value(const xmlNode *n, const char *ns, const char *name,
    int (*fn)(void *, const char *, int), void *arg);
void nacm_vcache_clear(struct nacm_vcache *vc);

/* 1 if step matches element n (user: $USER); -1 when out of memory. */
int nacm_step_match(const struct nacm_step *st, const xmlNode *n, const char *user,
    struct nacm_vcache *vc);

/* 1 if n is the parent of top-level data nodes (see nacm.h). */
int nacm_is_data_root(const xmlNode *n);

/* n's ancestry, top-level node first, n last; NULL when out of memory. */
const xmlNode **nacm_ancestry(const xmlNode *n, size_t *depth);

/* ---- configuration (nacm_config.c) ---- */

enum nacm_rule_type { NACM_RT_NONE, NACM_RT_RPC, NACM_RT_NOTIF, NACM_RT_PATH };

struct nacm_rule {
	char		*name;
	char		*module;	/* NULL: "*" */
	enum nacm_rule_type type;
	char		*target;	/* rpc-name / notification-name; NULL: "*" */
	struct nacm_path *path;		/* NACM_RT_PATH */
	char		*path_text;	/* as configured, white space trimmed */
	unsigned	 ops;		/* NACM_* bits; "*" is NACM_ALL_OPS */
	int		 permit;
};

struct nacm_rule_list {
	char		*name;
	char		**group;
	size_t		 ngroup;
	int		 all_groups;	/* "*" among the groups */
	struct nacm_rule *rule;
	size_t		 nrule;
};

struct nacm_group {
	char		*name;
	char		**user;
	size_t		 nuser;
};

struct nacm_config {
	int		 enable;
	int		 read_permit;
	int		 write_permit;
	int		 exec_permit;
	int		 ext_groups;
	struct nacm_group *group;
	size_t		 ngroup;
	struct nacm_rule_list *list;
	size_t		 nlist;
};

/* ---- the container's leaves (nacm_leaf.c, for nacm_config.c) ---- */

/* Where errors go, and where in the container parsing is. */
struct nacm_cp {
	char		*err;
	size_t		 errlen;
	char		 where[512];	/* "rule-list \"x\", rule \"y\": " */
	const char	*list;		/* the same as names, for the error's path */
	const char	*rule;
	char		*path;		/* NULL: not wanted */
	size_t		 pathlen;
};

/* The message "nacm: <where><fmt...>" into cp->err; -1. */
int ncl_err(struct nacm_cp *cp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 when n is an element in the NACM namespace. */
int ncl_is_nacm(const xmlNode *n);
/* A leaf's text (malloc()ed), trimmed when trim; NULL with an error. */
char *ncl_value(struct nacm_cp *cp, const xmlNode *n, int trim);
/* A leaf given once: *seen counts it; 0, or -1 the second time. */
int ncl_once(struct nacm_cp *cp, const xmlNode *n, int *seen);
/* Leaves given once: true/false, permit/deny, access-operations (NACM_* bits). */
int ncl_boolean(struct nacm_cp *cp, const xmlNode *n, int *seen, int *out);
int ncl_action(struct nacm_cp *cp, const xmlNode *n, int *seen, int *permit);
int ncl_access_ops(struct nacm_cp *cp, const xmlNode *n, int *seen, unsigned *ops);
/* Appends s (malloc()ed, taken) to the string array *a of *n; -1 when it is there. */
int ncl_add_unique(struct nacm_cp *cp, char ***a, size_t *n, char *s, const char *what);
void ncl_strv_free(char **a, size_t n);
/* The key leaf "name" of an entry e of list (required, non-empty), malloc()ed. */
char *ncl_key_name(struct nacm_cp *cp, const xmlNode *e, const char *list);
/* A group name: not empty, no leading '*' ("*" alone when star_ok). */
int ncl_group_name_ok(struct nacm_cp *cp, const char *g, int star_ok);

/* ---- sessions (nacm_session.c) ---- */

/* One entry of a data operation's ordered rule list. */
struct nacm_entry {
	const char	*rule;		/* rule name; NULL: an extension */
	const char	*ns;		/* NULL: any namespace */
	const struct nacm_path *path;	/* NULL: matches by namespace only */
	int		 permit;
};

/* A data access operation's compiled rules (read, create, update, delete). */
struct nacm_oplist {
	struct nacm_entry *e;		/* in order */
	size_t		 n;
	int		 dflt_permit;	/* when no entry matches */
	int		 constant;	/* -1, or the answer for every node */
	int		 mod_ns;	/* some module entry names a namespace */
	size_t		*mod;		/* indexes of entries without a path */
	size_t		 nmod;
	size_t		*pth;		/* indexes of entries with a path */
	size_t		 npth;
};

#define NACM_OPIDX_CREATE	0
#define NACM_OPIDX_READ		1
#define NACM_OPIDX_UPDATE	2
#define NACM_OPIDX_DELETE	3

struct nacm_session {
	const struct nacm_config *cfg;
	const struct nacm_schema *schema;
	char		*user;
	int		 bypass;
	char		**group;	/* the user's groups, sorted */
	size_t		 ngroup;
	const struct nacm_rule **rule;	/* of the rule-lists that apply, in order */
	size_t		 nrule;
	struct nacm_oplist op[4];
	struct nacm_path **extpath;	/* the data extensions' paths */
	size_t		 nextpath;
};

/* Index of a data op bit in s->op; -1 if not one. */
int nacm_opidx(int op);

/* 1 if a schema extension denies exec of rpc (kind RPC) / notification. */
int nacm_ext_denies(const struct nacm_schema *schema, enum nacm_ext_kind kind,
    const char *module, const char *name);

/* Process-local counters (nacm_session.c). */
extern struct nacm_counters nacm_counts;

/* ---- data evaluation (nacm_data.c) ---- */

/*
 * The state of a walk at one node: path entries matched so far with
 * more steps to go (part) and fully matched ones (act), as indexes into
 * the oplist's entries, ascending.
 */
struct nacm_state {
	size_t		*part;
	size_t		 npart;
	size_t		*act;
	size_t		 nact;
	size_t		*scratch;	/* nacm_state_child's candidates */
};

/* An index of a state's path entries by their next key value (nacm_level.c). */
struct nacm_level;

/*
 * The index of parent's entries for scanning its children (at depth);
 * NULL when there are too few to bother, or out of memory (then every
 * entry is tested: slower, not wrong).
 */
struct nacm_level *nacm_level_new(const struct nacm_session *s, const struct nacm_oplist *L,
    const struct nacm_state *parent, size_t depth);
void nacm_level_free(struct nacm_level *lv);

/* The entries that may match child c, ascending, into cand; 0 or -1. */
int nacm_level_candidates(const struct nacm_level *lv, const xmlNode *c,
    struct nacm_vcache *vc, size_t *cand, size_t *ncand);

/* The decision for a node of namespace ns in state st; *why the entry or NULL. */
int nacm_decide(const struct nacm_oplist *L, const struct nacm_state *st,
    const xmlChar *ns, const struct nacm_entry **why);

/*
 * The state of child c (at depth, 0 for a top-level node) given its
 * parent's state (top-level: nacm_state_top), into out, whose arrays
 * nacm_state_alloc(parent) made (one set serves all children in turn).
 * lv (may be NULL): nacm_level_new(parent), to test fewer entries.
 * 0, or -1 when out of memory.
 */
int nacm_state_child(const struct nacm_session *s, const struct nacm_oplist *L,
    const struct nacm_state *parent, size_t depth, const xmlNode *c,
    const struct nacm_level *lv, struct nacm_state *out);
int nacm_state_top(const struct nacm_oplist *L, struct nacm_state *out);
/* Buffers for a child state of parent (reused for each child). */
int nacm_state_alloc(const struct nacm_state *parent, struct nacm_state *out);
void nacm_state_free(struct nacm_state *st);

/*
 * 1 if every node of c's subtree has c's decision in state st (st is
 * c's state): no path entry goes on below c, and either no entry
 * depends on the namespace or c's subtree has c's namespace only.
 */
int nacm_uniform(const struct nacm_oplist *L, const struct nacm_state *st, const xmlNode *c);

/* The state of node (from its ancestry); 0, or -1 when out of memory. */
int nacm_state_of(const struct nacm_session *s, const struct nacm_oplist *L,
    const xmlNode *node, struct nacm_state *out);

/* ---- lazy reads (nacm_lazy.c) ---- */

/* The frames r holds: the ancestry it decided last, less what was freed since (tests). */
size_t nacm_reader_frames(const struct nacm_reader *r);

/* ---- paths of nodes for error-path (nacm_errpath.c) ---- */

/* node's instance-identifier into d->path and d->ns; 0 or -1. */
int nacm_node_path(const struct nacm_session *s, const xmlNode *node, struct nacm_denial *d);

#endif
