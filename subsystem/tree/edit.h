/*
 * The edit-config engine (RFC 6241 7.2) on an in-memory datastore tree,
 * and the tree primitives it shares with the rest of the data side: list
 * entry identity (keys), the per-parent hash index of children, and an
 * undo log so a failed or test-only edit leaves the tree as it was.
 * Data-side private header; edit.c and edit_index.c implement it.
 */
#ifndef NCHOME_EDIT_H
#define NCHOME_EDIT_H

#include <stddef.h>

#include <libxml/hash.h>
#include <libxml/tree.h>

#include "rpc.h"

enum edit_defop { DEFOP_MERGE, DEFOP_REPLACE, DEFOP_NONE };
enum edit_erropt { ERROPT_STOP, ERROPT_CONTINUE, ERROPT_ROLLBACK };

/* One change of the tree, kept so it can be undone. */
struct edit_change {
	int		 added;		/* 1: node was added; 0: node was removed;
					   2: text node's content was replaced;
					   3: packed node was unpacked, old_text
					   is its packed string (packed.c) */
	int		 old_owned;	/* 2: old_text was allocated for the node */
	xmlNodePtr	 node;
	xmlNodePtr	 parent;	/* removed: where it was */
	xmlNodePtr	 next;
	xmlChar		*old_text;	/* 2: the content before */
};

struct edit_ctx {
	struct rpc		*r;	/* errors go here; NULL: only counted */
	xmlHashTablePtr		 keys;	/* element local name -> char ** (NULL-ended), may be NULL */
	enum edit_defop		 defop;
	enum edit_erropt	 erropt;
	int			 nerrors;
	int			 changed;	/* the tree differs from before */
	int			 detached;	/* building a new node off the tree */
	int			 move;		/* config may be taken apart: its nodes
						   move into the tree (no copies) */
	struct edit_change	*log;
	size_t			 nlog, caplog;
};

/*
 * Applies the children of config (an edit-config <config> element) to the
 * children of root (the datastore's root element).  Returns the number of
 * errors.  With ERROPT_CONTINUE the changes without error stay applied;
 * otherwise the caller undoes (edit_undo) when errors were found.
 */
int edit_apply(struct edit_ctx *c, xmlNodePtr root, xmlNodePtr config);

/* Reverts every change recorded in c, newest first. */
void edit_undo(struct edit_ctx *c);

/* Forgets the undo log and frees the nodes it kept (after a kept edit). */
void edit_ctx_clear(struct edit_ctx *c);

/* Frees a node (unlinking it first) or a whole document, with their indexes. */
void tree_free(xmlNodePtr n);
void doc_free(xmlDocPtr doc);

/* Drops the list indexes of n and its descendants (their children change). */
void index_drop_subtree(xmlNodePtr n);

/*
 * Parses a RELAX NG file's element patterns for RFC 6110 list keys
 * (nma:key="k1 k2" in urn:ietf:params:xml:ns:netmod:dsdl-annotations:1,
 * or nchome:key in urn:nchome:schema:1).  Returns NULL when none; free with
 * keys_free().
 */
xmlHashTablePtr keys_from_schema(const char *rng_path);
void keys_free(xmlHashTablePtr keys);

/*
 * Removes namespace declarations that repeat one in scope or that nothing
 * uses, in n, its siblings and their subtrees (copies declare their own).
 */
void ns_tidy(xmlNodePtr n);

/* 1 when an element or attribute in root's subtree uses ns. */
int ns_in_subtree(xmlNodePtr root, xmlNsPtr ns);

/* 1 when node is the nc:operation attribute. */
int is_nc_operation(const xmlAttr *a);

/* Parser options for every untrusted document (no entities, no DTD, no net). */
#define NC_XML_PARSE_OPTS (XML_PARSE_NONET | XML_PARSE_NOBLANKS | \
    XML_PARSE_NOCDATA | XML_PARSE_COMPACT | XML_PARSE_NOWARNING | XML_PARSE_NOERROR)

#endif
