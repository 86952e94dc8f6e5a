/*
 * Inside the tree folder only: edit-node matching and the per-parent list
 * index (edit_index.c), shared by edit.c.
 */
#ifndef NCHOME_TREE_INT_H
#define NCHOME_TREE_INT_H

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

/* Inserts child under parent before next (NULL: last), keeping indexes right. */
void index_link_child(xmlHashTablePtr keys, xmlNodePtr parent, xmlNodePtr child,
    xmlNodePtr next);

/*
 * The slot of one more cache kept with parent's list index, freed with
 * it by free_fn; NULL when parent has no index (fewer children).
 */
void **index_ext(xmlNodePtr parent, void (*free_fn)(void *));

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
 * its name in the edit.
 */
xmlNodePtr index_match(struct edit_ctx *c, xmlNodePtr p, const struct lysc_node *psn,
    int known, xmlNodePtr e, const struct lysc_node *sn, int lonely);

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

/* 1 when the children of a node with schema node sn have schema nodes. */
int edit_schema_known(const struct lysc_node *sn);

/* ---- validate_unique.c (for validate.c) ---- */

/* The text of leaf names[0]/.../names[n-1] below entry e (malloc()ed), NULL: none. */
char *vu_value_at(xmlNodePtr e, const char *const *names, size_t n);

/*
 * 1 when entry (of list sn, split) shares the values of one of its
 * unique statements with a sibling entry.  cached: after an edit whose
 * log removed gone[] (the values are kept between edits); else every
 * sibling is read.
 */
int vu_unique_clash(xmlNodePtr entry, const struct lysc_node *sn, xmlNodePtr *gone,
    size_t ngone, int cached);

/* 1 when entries a and b of list sn differ in the values of a unique statement. */
int vu_unique_changed(xmlNodePtr a, xmlNodePtr b, const struct lysc_node *sn);

/*
 * edit_schema.c: an <rpc-error> in r (NULL: none) from se: error-tag,
 * error-path with its namespace declarations, error-message,
 * error-app-tag, and bad-element when given.
 */
void schema_error_report(struct rpc *r, const struct schema_error *se,
    const char *bad_element);

#endif
