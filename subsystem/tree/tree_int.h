/*
 * Inside the tree folder only: edit-node matching and the per-parent list
 * index (edit_index.c), shared by edit.c.
 */
#ifndef NCHOME_TREE_INT_H
#define NCHOME_TREE_INT_H

#include <stdint.h>

#include "tree.h"


/* The first element child of n, or NULL. */
xmlNodePtr node_first_elem(const xmlNode *n);

/* 1 when n has no element children. */
int node_is_leaf(const xmlNode *n);

/* Text of a leaf; caller frees. */
char *node_leaf_text(const xmlNode *n);

/* 1 when a and b are elements of the same local name and namespace. */
int node_same_name(const xmlNode *a, const xmlNode *b);

/* The "N" key (name and namespace) of n, counted in an index; caller frees. */
char *node_name_key(const xmlNode *n);

/* The namespace of n, "" when none. */
const char *node_ns(const xmlNode *n);

/*
 * nsvalue.c: n was just linked under its parent: drops n's namespace
 * declarations that repeat one in scope or that nothing uses.
 */
void ns_dedupe(xmlNodePtr n);

/* ---- edit_keys.c ---- */

/*
 * The identity key of element n whose schema node is sn (NULL: none
 * known), by the rules in edit_index.c's top comment; caller frees.
 */
char *node_key(xmlHashTablePtr keys, const struct lysc_node *sn, const xmlNode *n);

/* The "P" key (entries keyed by one first leaf) of an "F" key, else NULL. */
char *first_leaf_key(const char *k);

/* 1 when child of entry (schema node sn) is one its key depends on. */
int key_child_of(xmlHashTablePtr keys, const struct lysc_node *sn, const xmlNode *entry,
    const xmlNode *child);

/* 1 when entry n is keyed by key leaves or by its name, not by its value. */
int key_by_name(xmlHashTablePtr keys, const struct lysc_node *sn, const xmlNode *n);

/*
 * 1 when the key leaves of entry n (schema node sn) are as a lookup by
 * value needs them (index_lookup): each one child element of its name
 * in any namespace, in n's, a leaf without white space around its text.
 */
int key_regular(xmlHashTablePtr keys, const struct lysc_node *sn, const xmlNode *n);

/*
 * The "K" key (*k, caller frees) of an entry named (ns, name), schema
 * node sn, whose leaves names[i] have the values vals[i]: 1; 0 when its
 * entries are keyed by the schema-less rules (try key_first_leaf); -1
 * when they are not keyed by leaves or a key leaf is not among names.
 */
int key_for_values(xmlHashTablePtr keys, const struct lysc_node *sn, const char *name,
    const char *ns, int n, const char *const *names, const char *const *vals, char **k);

/* The "F" key of such an entry whose first leaf is leaf = val; val NULL: its "P" key. */
char *key_first_leaf(const char *name, const char *ns, const char *leaf, const char *val);

/* The rules a list index is built by, when a lookup builds one. */
struct index_rules {
	xmlHashTablePtr		 keys;		/* RELAX NG keys; may be NULL */
	struct schema		*schema;	/* NULL: none */
	const struct lysc_node	*psn;		/* the parent's schema node */
	int			 known;		/* psn is known (NULL: top level) */
};

/*
 * The child of parent named (ns, name) whose key leaves names[i] have
 * the values vals[i], through parent's list index (built by ru when
 * missing; an index built by other rules serves as is).  1: *found is
 * that entry, or NULL when there is none; 0 when the index cannot tell
 * (parent has few children, entries whose keys are irregular or
 * repeated, names are not the key): walk the children instead.
 */
int index_lookup(xmlNodePtr parent, const struct index_rules *ru, const char *ns,
    const char *name, int n, const char *const *names, const char *const *vals,
    xmlNodePtr *found);

/* ---- index_slots.c ---- */

/* A list index's children by the hash of their keys (index_slots.c). */
struct islots {
	xmlNodePtr	*node;		/* NULL: a free slot */
	uint32_t	*hash;		/* node[i]'s key's */
	size_t		 cap, n;
};

/* The hash of key k (index_hash_mask's bits). */
uint32_t islots_hash(const char *k);

/* The child of hash h that is(arg, child) accepts; NULL: none. */
xmlNodePtr islots_find(const struct islots *t, uint32_t h,
    int (*is)(const void *arg, xmlNodePtr n), const void *arg);
void islots_add(struct islots *t, xmlNodePtr n, uint32_t h);
/* Removes n (hash h) when t holds it. */
void islots_del(struct islots *t, uint32_t h, xmlNodePtr n);
void islots_free(struct islots *t);

/* 1 when p has a list index or gets one at a lookup (enough children). */
int index_worth(const xmlNode *p);

/*
 * packed.c: from now on libxml2 tells packed.c of every node it frees,
 * and hook(n) is called for each element with _private set (its list
 * index: edit_index.c).  A hook, so packed.c calls nothing above it.
 */
void packed_on_free(void (*hook)(xmlNodePtr));

/* Element levels below a packed node's root, at most (packed.c, packed_walk.c). */
#define PACKED_DEPTH	32

/*
 * A packed string (packed.c says its form).  A container whose children
 * are all leaves is packed at any size up to PK_BIG_MAX (one of many
 * distinct leaves is no list, and would be a full tree); one holding
 * packed children only up to packed.c's PK_MAX, so that a one-leaf edit
 * of a big list unpacks one entry, not the list.
 */
#define PK_MAGIC	0x6b70U		/* "pk" */
#define PK_BIG_MAX	((size_t)UINT32_MAX - 64)
struct pk {
	uint32_t	len;		/* bytes in data */
	uint16_t	magic;
	uint16_t	depth;		/* deepest element nesting in data */
	char		data[];
};

/* packed.c: a string's memory, counted toward max-session-memory. */
void *packed_alloc(size_t sz);

/*
 * packed_arena.c: memory for a string of sz bytes up to PK_ARENA_MAX
 * (NULL above); packed_arena_free returns 0 when p is not an arena
 * string (malloc'd).  The chunks the arena maps count toward
 * max-session-memory, not the strings in them.  packed_arena_chunks:
 * chunks holding strings now; packed_arena_held: bytes mapped, the
 * empty chunks kept included (tests).
 */
#define PK_ARENA_MAX	1024
void *packed_arena_alloc(size_t sz);
int packed_arena_free(void *p);
size_t packed_arena_chunks(void);
size_t packed_arena_held(void);
/* packed.c: 1 when c, a child of n, goes into n's string as a leaf. */
int packed_leaf_of(const xmlNode *n, const xmlNode *c);
/* packed.c: appends the nodes of string pk to n's children. */
void packed_append_nodes(xmlNodePtr n, const struct pk *pk);
/* The same for the bytes p..end of a string: whole elements and texts. */
void packed_append_range(xmlNodePtr n, const char *p, const char *end);

/*
 * packed_grow.c, while parsing: leaf (just ended) goes into its parent's
 * growing string; packed_grow_end(n) at n's end tag gives n that string
 * (1) or puts its leaves back as nodes (0); packed_grow_forget(n): n is
 * being freed.
 */
void packed_grow_leaf(xmlNodePtr leaf);
int packed_grow_end(xmlNodePtr n);
void packed_grow_forget(const xmlNode *n);

/* Inserts child under parent before next (NULL: last), keeping indexes right. */
void index_link_child(xmlHashTablePtr keys, xmlNodePtr parent, xmlNodePtr child,
    xmlNodePtr next);

/*
 * The slot of one more cache kept with parent's list index, freed with
 * it by free_fn; NULL when parent has no index (fewer children).
 */
enum { IX_EXT_UNIQUE, IX_EXT_HASHES, IX_EXTS };
void **index_ext(xmlNodePtr parent, int which, void (*free_fn)(void *));

/*
 * Counts edit_apply() and edit_undo() calls: a cache of tree contents
 * kept up to date from one edit's log is valid only when no other edit
 * came between (validate.c).
 */
extern unsigned long edit_generation;

/* Unlinks child from its parent, keeping indexes right. */
void index_unlink_child(xmlHashTablePtr keys, xmlNodePtr child);

/* The content of text node text, child of leaf, is about to change. */
void index_text_changing(xmlHashTablePtr keys, xmlNodePtr leaf, xmlNodePtr text);

/*
 * The datastore child of p addressed by edit node e (see edit_index.c);
 * psn: p's schema node when known (known 1; NULL at the top level), sn:
 * e's (NULL: none, the schema-less rules); lonely: e has no sibling of
 * its name in the edit; hint: the child of p e's previous sibling in the
 * edit matched and left in place, or NULL (an edit in the store's order
 * is then matched without an index).
 */
xmlNodePtr index_match(struct edit_ctx *c, xmlNodePtr p, const struct lysc_node *psn,
    int known, xmlNodePtr e, const struct lysc_node *sn, int lonely, xmlNodePtr hint);

/*
 * edit_schema.c: edit node e, below a node whose schema node is psn
 * (known 0: none known; psn NULL and known 1: the top level).  *snp
 * gets e's schema node (NULL: none).  writes: the operation writes
 * values (merge, replace, create).  0 when the edit may go on, 1 when
 * an error was reported (c->nerrors counts it).
 */
int edit_schema_node(struct edit_ctx *c, xmlNodePtr e, const struct lysc_node *psn,
    int known, int writes, const struct lysc_node **snp);

/* The descendants of e (schema node sn) that a copy would write; 0 or 1. */
int edit_schema_subtree(struct edit_ctx *c, xmlNodePtr e, const struct lysc_node *sn);

/*
 * An error about edit node e: tag, the model's error-path, app_tag,
 * message, and error-info bad-attribute and bad-element (NULL: none).
 */
void edit_schema_refuse(struct edit_ctx *c, xmlNodePtr e, const char *tag,
    const char *app_tag, const char *msg, const char *bad_attribute,
    const char *bad_element);

/*
 * A child of datastore node p (schema node psn) that sits in another
 * case of a choice than sn, a node being created under p: RFC 7950
 * 7.9.6, creating it removes them.  NULL when there is none (or no
 * module, or sn is in no case).
 */
xmlNodePtr edit_schema_other_case(struct edit_ctx *c, xmlNodePtr p,
    const struct lysc_node *psn, const struct lysc_node *sn);

/* ---- edit_log.c (for edit.c) ---- */

/* Logs a change of the tree (kind, node, its parent and next sibling before). */
void edit_log_change(struct edit_ctx *c, enum edit_change_kind kind, xmlNodePtr node,
    xmlNodePtr parent, xmlNodePtr next);
/*
 * Inserts child under parent before next (NULL: last) / takes child out
 * of the tree, keeping the indexes and logging it; inside a node built
 * off the tree (c->detached) nothing is logged and a removed child is freed.
 */
void edit_add_child(struct edit_ctx *c, xmlNodePtr parent, xmlNodePtr child, xmlNodePtr next);
void edit_remove_child(struct edit_ctx *c, xmlNodePtr child);
/* Packed d is about to be edited: unpacked, its string logged for an undo; 1 if so. */
int edit_unpack(struct edit_ctx *c, xmlNodePtr d);
/* The edit of d (log entries after at) is done: d packed again, those entries kept. */
void edit_repack(struct edit_ctx *c, xmlNodePtr d, size_t at);
/* edit_repack with log_inside, when c->check_inside passes d's changes. */
void edit_repack_checked(struct edit_ctx *c, xmlNodePtr d, size_t at);
/* Packed string taken from d without unpacking it (edit_sparse.c), logged for an undo. */
void edit_log_taken(struct edit_ctx *c, xmlNodePtr d, void *taken);
/* The log entries after at are kept for good (their nodes may go): the log ends at at. */
void edit_log_keep(struct edit_ctx *c, size_t at);

/*
 * packed_walk.c: packed n's leaves that want(arg, name, first: the
 * first one) picks become n's only children, at most max of them; n's
 * string is returned, for packed_restore to put back when they are
 * read.  NULL, n untouched, when n holds more than leaves or more are
 * picked.  Nothing is noted for packed_repack.
 */
void *packed_view(xmlNodePtr n, int (*want)(void *arg, const char *name, int first),
    void *arg, size_t max);

/* ---- edit_sparse.c ---- */

/*
 * The few leaves of big packed leaves-only container d that the leaves
 * of eparent (merged into d: merge_or_none, the operation they inherit,
 * is merge or none) may match are made d's only
 * children, the rest staying in d's string (logged: an undo puts it
 * back); NULL when it does not qualify (d is left alone).  After
 * the edit of those children (log entries after at), edit_sparse_close
 * puts them back into the string as a whole unpack, edit and repack
 * would have.
 */
struct sparse;
struct sparse *edit_sparse_open(struct edit_ctx *c, xmlNodePtr d, xmlNodePtr eparent,
    int merge_or_none, int known);
void edit_sparse_close(struct edit_ctx *c, xmlNodePtr d, size_t at, struct sparse *s);

/* ---- edit_order.c ---- */

/* 1 when a is a yang:insert, yang:key or yang:value attribute (RFC 7950 7.8.6). */
int is_yang_insert_attr(const xmlAttr *a);

/*
 * Where edit node e (schema node sn, under datastore node p whose
 * schema node is psn) goes when it names an ordered-by user list or
 * leaf-list entry and carries yang:insert: *at 1 and *next the datastore
 * node it goes before (NULL: at the end).  *at 0 when e has no insert
 * (a new entry goes last, an existing one stays).  0, or 1 when an error
 * was reported (a bad insert, a missing or unknown key or value).
 */
int order_place(struct edit_ctx *c, xmlNodePtr p, const struct lysc_node *psn, int known,
    xmlNodePtr e, const struct lysc_node *sn, int *at, xmlNodePtr *next);

/* 1 when the children of a node with schema node sn have schema nodes. */
int edit_schema_known(const struct lysc_node *sn);

/* ---- xpath_keyed.c ---- */

/*
 * select evaluated on the datastore root root when it is a path of child
 * steps with key predicates, or none (xpath_keyed.c): 1 with *out the
 * selected nodes in document order; 0 when libxml2 is to evaluate it.
 * Packed containers of leaves it read a few leaves of are in v (each
 * with only those as children) until xpath_views_done(v), after *out
 * is read.
 */
#define XPATH_VIEWS_MAX	16
struct xpath_views {
	int		 n;
	xmlNodePtr	 node[XPATH_VIEWS_MAX];
	void		*taken[XPATH_VIEWS_MAX];
};
struct _xmlNodeSet;
int xpath_keyed(const struct reply_opts *o, xmlNodePtr filter, const char *select,
    xmlNodePtr root, struct _xmlNodeSet **out, struct xpath_views *v);
void xpath_views_done(struct xpath_views *v);

/* ---- validate.c (for validate_edits.c, validate_diff.c) ---- */

/*
 * A validation scope on the datastore root root: top-level nodes (whole,
 * or cut to the entries added by vs_entry: each one checked whole, with
 * uniq its unique values against the others', what its leafrefs name), then run
 * as tree_validate_edit runs its own; vs_run_free frees it.
 */
/* Where the other entries' unique values come from (validate_unique.c). */
enum vu_mode {
	VU_SCAN,	/* every sibling is read */
	VU_EDIT,	/* kept values, during the check of an edit whose log removed gone[] */
	VU_CURRENT	/* kept values, for the tree as it is (a commit: no edit pending) */
};
/* Its fields are validate.c's, validate_targets.c's and validate_copy.c's; other files use vs_*. */
struct vtop {
	xmlNodePtr		 top;
	const struct lysc_node	*sn;
	int			 whole;
};

struct vscope {
	struct schema	*s;
	xmlNodePtr	 root;
	struct vtop	*tops;
	size_t		 ntops;
	xmlNodePtr	*units;		/* entries of split lists to include */
	size_t		 nunits, capunits;
	size_t		 nsorted;	/* units[0..nsorted) are sorted (chunks) */
	xmlNodePtr	*uniq;		/* of those, whose unique values to check */
	size_t		 nuniq, capuniq;
	xmlNodePtr	*gone;		/* element nodes an edit removed */
	size_t		 ngone, capgone;
	enum vu_mode	 umode;		/* where other entries' unique values come from */
	int		 all;		/* every covered top-level node, whole */
	int		 unique_failed;	/* vc_validate's error was a unique clash */
};
struct vscope *vs_new(struct schema *s, xmlNodePtr root, enum vu_mode umode);
void vs_top(struct vscope *v, xmlNodePtr top, const struct lysc_node *tsn, int whole);
void vs_entry(struct vscope *v, xmlNodePtr top, const struct lysc_node *tsn, xmlNodePtr entry,
    int uniq);
/* Every top-level node a module covers, whole. */
void vs_all(struct vscope *v);
/* Every top-level node of the module of gone (named as a top-level node), whole. */
void vs_module_whole(struct vscope *v, xmlNodePtr gone);
/* 0, or -1 with the error in r. */
int vs_run_free(struct vscope *v, struct rpc *r);

/* ---- validate_targets.c (for validate.c) ---- */

#define MAX_UNITS	256	/* entries checked apart; more: in chunks of CHUNK */

/* Top-level node top (schema node sn) in v's scope, whole or not: its vtop. */
struct vtop *vs_add_top(struct vscope *v, xmlNodePtr top, const struct lysc_node *sn, int whole);
/* e appended to the array *a of *n (*cap allocated). */
void vs_push(xmlNodePtr **a, size_t *n, size_t *cap, xmlNodePtr e);
/*
 * Where element n is: its top-level node (*top, schema *tsn), the entry
 * of a split list it is in (*entry, NULL: none) and its own schema node
 * (*sn).  0, or -1 when n is off the tree or no module covers it.
 */
int vs_locate(struct vscope *v, xmlNodePtr n, xmlNodePtr *top, const struct lysc_node **tsn,
    xmlNodePtr *entry, const struct lysc_node **sn);
/* The entries units[from..] (up to max) name by leafref, as units. */
void add_unit_targets(struct vscope *v, size_t from, size_t max);
/* Whole container t's split lists over MAX_UNITS entries: as units. */
void split_whole(struct vscope *v, struct vtop *t);

/* ---- validate_copy.c (for validate.c) ---- */

/* 1 when e is one of v's units. */
int vc_is_unit(const struct vscope *v, xmlNodePtr e);
/* Sorts a[0..*n) by address and drops repeats. */
void vc_sort_unique(xmlNodePtr *a, size_t *n);
/*
 * v's tops to libyang: whole ones (only when with_whole), the others cut
 * to their units.  0; -1 invalid (reported when report); 1 when, without
 * report, a cut failed its count check.
 */
int vc_validate(struct vscope *v, struct rpc *r, int with_whole, int report);

/* ---- validate_unique.c (for validate.c) ---- */

/* The text of leaf names[0]/.../names[n-1] below entry e (malloc()ed), NULL: none. */
char *vu_value_at(xmlNodePtr e, const char *const *names, size_t n);

/*
 * 1 when entry (of list sn, split) shares the values of one of its
 * unique statements with a sibling entry.  The values are kept between
 * edits and commits (mode).
 */
int vu_unique_clash(xmlNodePtr entry, const struct lysc_node *sn, xmlNodePtr *gone,
    size_t ngone, enum vu_mode mode);

/*
 * validate_distinct.c's reading of unique statements, which
 * validate_clash.c shares: at most VD_MAX_LEAVES leaves a statement,
 * VD_MAX_STMTS statements a list, leaves VD_MAX_LEVELS below the entry
 * (beyond those, a list is left to libyang whole).
 */
#define VD_MAX_LEAVES	8
#define VD_MAX_LEVELS	64
#define VD_MAX_STMTS	8
/* Names from the list's entry down to leaf (choice and case are not data); 0 when too deep. */
size_t vd_leaf_path(const struct lysc_node *leaf, const struct lysc_node *list,
    const char **names);
/* Entry e's value of one leaf: *t (*own to free, may be NULL); 0 when it has none. */
int vd_leaf_value(xmlNodePtr e, const char *const *names, size_t n, const char **t,
    char **own);
/* Entry e's values of nl leaves hashed into *h; 0 when one is missing. */
int vd_values_hash(xmlNodePtr e, const char *names[][VD_MAX_LEVELS], const size_t *nn,
    unsigned nl, uint64_t *h);

/*
 * validate_distinct.c: 1 when two entries of like's list (like's name
 * under like's parent; schema node sn) share the values of a unique
 * statement, or the statement is beyond what it reads.  The hashes are
 * kept with the list's index: during an edit's check (VU_EDIT) with
 * hashes of the tree one edit behind, only the entries of touched[]
 * (sorted by address) and gone[] are hashed again, and only their
 * values are compared with the others.
 */
int vd_list_clash(xmlNodePtr like, const struct lysc_node *sn, xmlNodePtr const *touched,
    size_t ntouched, xmlNodePtr const *gone, size_t ngone, enum vu_mode mode);

/*
 * validate_clash.c: the entries of like's list (schema node sn) that
 * libyang's unique error on the whole list names, two for each clashing
 * statement, into pick (max: 16 at least); 0 when none is found or the
 * statements are not ones compared here (validate the list whole).
 */
size_t vd_clash_entries(xmlNodePtr like, const struct lysc_node *sn, xmlNodePtr *pick,
    size_t max);

/* 1 when entries a and b of list sn differ in the values of a unique statement. */
int vu_unique_changed(xmlNodePtr a, xmlNodePtr b, const struct lysc_node *sn);

/*
 * edit_schema.c: an <rpc-error> in r (NULL: none) from se: error-tag,
 * error-path with its namespace declarations, error-message,
 * error-app-tag, and bad-attribute, bad-element when given.
 */
void schema_error_report(struct rpc *r, const struct schema_error *se,
    const char *bad_attribute, const char *bad_element);

#endif
