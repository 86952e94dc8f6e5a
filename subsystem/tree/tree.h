/*
 * The tree layer (README.md, "Layers"): libxml2 trees as nchome keeps
 * them, and what other folders may use of it.
 *
 *   packed.c          list entries held as one string each (packed subtrees)
 *   packed_walk.c     packed subtrees read as they are (or a few of their leaves)
 *   packed_grow.c     containers of leaves packed as they are parsed
 *   packed_arena.c    small packed strings in chunks, without malloc's headers
 *   edit.c            the edit-config engine
 *   edit_log.c        its undo log (every change of the tree goes through it)
 *   edit_report.c     a change as netconf-config-change edits
 *   edit_index.c      which node an edit addresses; the per-parent hash index
 *   index_slots.c     that index's children by key hash (pointers, no keys)
 *   edit_sparse.c     a small edit of a big packed container of leaves
 *   edit_keys.c       list entry keys (YANG, RELAX NG nma:key, schema-less)
 *   edit_revisit.c    whether an edit may enter one datastore node twice
 *   edit_schema.c     what the YANG modules allow in an edit (config false,
 *                     unknown elements, missing keys, values)
 *   filter_subtree.c  subtree filters (RFC 6241 6)
 *   filter_xpath.c    XPath filters (RFC 6241 8.9)
 *   filter_scope.c    whether a <get> filter can select a top-level element
 *   xmlout.c          the streamed serializer (replies, files, records)
 *   nsvalue.c         namespace declarations that values (identityref...) use
 *   replykeys.c       the keys every list entry of a reply carries
 *   xpath_names.c     XPath filter names without a prefix
 *   xpath_keyed.c     XPath filters selecting entries by key, through the
 *                     list index (edit_index.c)
 *   filter_keyq.c     filters that are a pure key query (running.index)
 *   edit_order.c      ordered-by user entries placed (yang:insert)
 *   defaults.c        RFC 6243 with-defaults in replies
 *   memcap.c          max-session-memory: libxml2's allocations counted
 *   validate.c        YANG validation of a datastore on what a change touched
 *   validate_targets.c  the entries validation adds by leafref (validate.c)
 *   validate_copy.c   the copy libyang validates: big lists cut to those entries
 *   validate_diff.c   what a commit touched: candidate compared with running
 *   validate_edits.c  what a commit touched: the candidate overlay's edits
 *   validate_unique.c a list's unique values, kept across edits and commits
 *   validate_distinct.c unique over a whole list in one pass (big edits)
 *   validate_clash.c  the entries a whole list's unique error names
 *
 * It sits above netconf/ (errors go into a struct rpc, xmlout writes to
 * the framer) and below everything that holds documents.  Private to the
 * folder: tree_int.h.
 */
#ifndef NCHOME_TREE_H
#define NCHOME_TREE_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "netconf/netconf.h"
#include "schema/schema.h"
#include "memcap.h"	/* for main.c, session/ and ops/: the cap */

/* ---- edit.c, edit_index.c ---- */

/*
 * The edit-config engine (RFC 6241 7.2) on an in-memory datastore tree,
 * and the tree primitives it shares with the rest of the data side: list
 * entry identity (keys), the per-parent hash index of children, and an
 * undo log so a failed or test-only edit leaves the tree as it was
 * (edit.c, edit_index.c).
 */

enum edit_defop { DEFOP_MERGE, DEFOP_REPLACE, DEFOP_NONE };
enum edit_erropt { ERROPT_STOP, ERROPT_CONTINUE, ERROPT_ROLLBACK };

/* What an undo log entry undoes. */
enum edit_change_kind {
	EC_REMOVED,		/* node was removed from parent, before next */
	EC_ADDED,		/* node was added */
	EC_TEXT,		/* text node's content was replaced: old_text */
	EC_UNPACKED		/* packed node was unpacked: old_text is its
				   packed string (packed.c) */
};

/* One change of the tree, kept so it can be undone. */
struct edit_change {
	enum edit_change_kind	 kind;
	int		 old_owned;	/* EC_TEXT: old_text was allocated for the node */
	xmlNodePtr	 node;
	xmlNodePtr	 parent;	/* removed: where it was */
	xmlNodePtr	 next;
	xmlChar		*old_text;	/* EC_TEXT: the content before */
};

struct cfg_edits;

struct edit_ctx {
	struct rpc		*r;	/* errors go here; NULL: only counted */
	xmlHashTablePtr		 keys;	/* element local name -> char ** (NULL-ended), may be NULL */
	struct schema		*schema; /* YANG modules: keys, config false,
					    values; NULL: none */
	enum edit_defop		 defop;
	enum edit_erropt	 erropt;
	int			 nerrors;
	xmlNodePtr		 config;	/* the edit's <config> (error-paths) */
	int			 changed;	/* the tree differs from before */
	int			 detached;	/* building a new node off the tree */
	int			 no_index;	/* build no list index: look entries up
						   one by one (a few replayed records) */
	int			 move;		/* config may be taken apart: its nodes
						   move into the tree (no copies) */
	int			 log_inside;	/* log the changes inside packed nodes
						   too (NACM checks each one): they
						   stay unpacked till the RPC ends,
						   unless check_inside passes them */
	/*
	 * With log_inside: NULL, or the check of the changes inside packed
	 * node d once its edit is done (log entries after at, d's
	 * EC_UNPACKED): 1 when it passes them, so that d is packed again
	 * and they are forgotten, an edit of every entry of a big list
	 * holding one unpacked; otherwise d stays unpacked with its changes
	 * logged, for the check after the edit.  The report is then made in
	 * log order: the entries before reported are in it already.
	 */
	int			(*check_inside)(void *arg, struct edit_ctx *c, size_t at);
	void			*check_arg;
	size_t			 reported;
	struct edit_change	*log;
	size_t			 nlog, caplog;
	/*
	 * 0, or how many bytes of packed entries as they were before the
	 * edit the log may hold for edit_undo (undo_held).  Past it, an
	 * edit of every entry of a big list would hold the list twice: the
	 * old strings are freed (undo_lost) and as they are replaced from
	 * then on, and a failed edit is undone by the caller reading the
	 * datastore again (edit_undo says so).
	 */
	size_t			 undo_max, undo_held;
	int			 undo_lost;
	/*
	 * NULL, or whether the session may read the node an edit element
	 * names (NACM): a data-exists or data-missing about one it may not
	 * would tell that the node exists or not, so it says access-denied.
	 */
	int			(*may_read)(void *arg, const xmlNode *e);
	void			*may_read_arg;
	/*
	 * NULL, or where the changes are summed up for the RFC 6470
	 * netconf-config-change (edit_report.c): changes inside a packed
	 * entry are summed up before its log entries are forgotten.
	 */
	struct cfg_edits	*report;
};

/*
 * Applies the children of config (an edit-config <config> element) to the
 * children of root (the datastore's root element).  Returns the number of
 * errors.  With ERROPT_CONTINUE the changes without error stay applied;
 * otherwise the caller undoes (edit_undo) when errors were found.
 */
int edit_apply(struct edit_ctx *c, xmlNodePtr root, xmlNodePtr config);

/*
 * 1 when two sibling nodes of edit config (at any depth) may address
 * one datastore node (c's keys and schema), so that edit_apply may enter
 * a node twice; 0 when each node it enters is entered once.
 */
int edit_may_revisit(const struct edit_ctx *c, xmlNodePtr config);

/*
 * Reverts every change recorded in c, newest first: 0.  -1 when it
 * cannot (c->undo_lost): the log is dropped, the tree is neither as
 * before nor as after, and the caller must drop the document and read
 * it again (store_forget).
 */
int edit_undo(struct edit_ctx *c);

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

/* ---- packed.c ---- */

/*
 * Packed subtrees: how a session keeps a 10 MB datastore in a few times
 * its size instead of libxml2's ~7x.  See packed.c.
 */

/* 1 when element n's children are packed (n->children is then NULL). */
int packed_is(const xmlNode *n);

/*
 * Makes packed n's children real nodes again and notes n for
 * packed_repack(); 1 if n was packed.  Whoever reads the children of a
 * node that may be packed calls this first.
 */
int packed_unpack(xmlNodePtr n);

/*
 * packed_unpack, but n's packed string is returned, not freed: the
 * caller keeps it to undo with packed_restore (or frees it).
 */
void *packed_take(xmlNodePtr n);

/*
 * n's children (real or packed; the caller has dropped their indexes)
 * are freed and n gets the string packed_take returned.
 */
void packed_restore(xmlNodePtr n, void *taken);

/* Frees what packed_take returned, when it is not restored. */
void packed_release(void *taken);

/* Unpacks every packed node in n's subtree (XPath, RELAX NG). */
void packed_unpack_tree(xmlNodePtr n);

/* Packs what can be packed in n's subtree, bottom up. */
void packed_pack_tree(xmlNodePtr n);

/* n (an element) changed or is new: pack it at the next packed_repack(). */
void packed_note(xmlNodePtr n);

/* Packs again what was unpacked or noted since the last call (after each RPC). */
void packed_repack(void);

/*
 * fn(arg, n) is called for every element libxml2 frees from now on (a
 * repack frees the nodes of what it packs), until packed_watch_frees(NULL,
 * NULL): who keeps node pointers across calls learns when one dies.  One
 * watcher at a time: -1 when another is set.
 */
int packed_watch_frees(void (*fn)(void *arg, const xmlNode *n), void *arg);

/*
 * The first child element of packed n named name (any name when NULL):
 * 1 with *cname its name and *text its text when it is a leaf holding
 * at most one text node (*text NULL when it has child elements); 0 when
 * there is none; -1 when it is a leaf of several text nodes (unpack).
 */
int packed_child(const xmlNode *n, const char *name, const char **cname,
    const char **text);

/*
 * The child elements of packed n one by one (*pos NULL at first): 0 at
 * the end, else *cname is the child's name and the result says what it
 * holds: PACKED_LEAF (*text its text, "" if none), PACKED_TEXTS (several
 * text nodes) or PACKED_ELEMENTS; *text is NULL for those two.
 */
#define PACKED_LEAF	1
#define PACKED_TEXTS	2
#define PACKED_ELEMENTS	3
int packed_next_child(const xmlNode *n, const char **pos, const char **cname,
    const char **text);

/* xmlDocCopyNode / xmlCopyDoc (recursive), packed nodes copied packed. */
xmlNodePtr packed_copy_node(xmlNodePtr n, xmlDocPtr doc);
xmlDocPtr packed_copy_doc(xmlDocPtr doc);

/*
 * The text of the leaf names[0]/names[1]/.../names[nnames-1] below
 * packed n (the first element of each name): 1 with *text, 0 when
 * there is none, -1 when it is not a one-text leaf (unpack and read).
 */
int packed_path_text(const xmlNode *n, const char *const *names, size_t nnames,
    const char **text);

/* The packed string of n and its length (a quick search before parsing). */
const char *packed_bytes(const xmlNode *n, size_t *len);

/*
 * Serializes packed n's children through put(arg, s, len) (bytes as
 * they are) and text(arg, s) (a NUL-terminated text to escape).
 */
void packed_write(const xmlNode *n, void (*put)(void *, const char *, size_t),
    void (*text)(void *, const char *), void *arg);

/*
 * Packs while parsing with ctxt: each element that where() accepts (all
 * when where is NULL) is packed, if it can be, as its end tag is read.
 * Set before each parse.
 */
void packed_parse_with(xmlParserCtxtPtr ctxt, int (*where)(const xmlNode *));

/* A datastore document or journal record from an open file or memory, packed. */
xmlDocPtr packed_read_fd(int fd, int options);
xmlDocPtr packed_read_memory(const char *buf, int len, int options);

/* ---- nsvalue.c ---- */

/*
 * Prefixes used in values (identityref, instance-identifier, XPath):
 * kept on store and in every reply path.  See nsvalue.c for what counts
 * as a use.
 */

/* 1 when text uses prefix (a "prefix:name" token). */
int ns_text_uses(const char *text, const char *prefix);

/* 1 when element n's own text (any text of n when packed) uses prefix. */
int ns_value_uses(xmlNodePtr n, const xmlChar *prefix);

/*
 * e, an edit node about to be moved or copied out of its request, gets
 * declarations of the prefixes its subtree's values use that are
 * declared only on its ancestors (<config>, <rpc>).  ns_carry_children:
 * each child of parent (the incoming <config> of an edit or copy).
 */
void ns_carry_values(xmlNodePtr e);
void ns_carry_children(xmlNodePtr parent);

/* Datastore leaf d takes edit leaf e's text: d gets the declarations it needs. */
void ns_carry_leaf(xmlNodePtr d, xmlNodePtr e);

/*
 * 1 when a prefix edit leaf e's text uses, declared in e's scope, is
 * bound otherwise or not at all in datastore leaf d's.  ns_rebind_leaf:
 * d (a copy, off the tree) declares them as e does; its own name and
 * attributes written with such a prefix get another prefix for their URI.
 */
int ns_leaf_rebinds(xmlNodePtr d, xmlNodePtr e);
void ns_rebind_leaf(xmlNodePtr d, xmlNodePtr e);

/* ---- replykeys.c ---- */

struct schema;
struct lysc_node;

/*
 * A node a reply leaves out with its subtree (NACM read, from ops/: the
 * tree layer does not decide access); 1: hidden.  It is asked only of
 * element nodes; a packed node (packed.c) never has a hidden descendant.
 */
typedef int (*reply_hidden_fn)(const void *arg, const xmlNode *n);

/* What a reply path knows of the data's list keys (replykeys.c), and what it hides. */
struct reply_opts {
	struct schema		*schema;	/* the YANG modules; NULL: none */
	xmlHashTablePtr		 keys;		/* RELAX NG keys (keys_from_schema); may be NULL */
	reply_hidden_fn		 hidden;	/* NULL: nothing is hidden */
	const void		*hidden_arg;
};

/*
 * The schema node of data element d under schema node parent (top: d
 * is a top-level node, parent NULL); NULL when o has no schema or no
 * module covers d.
 */
const struct lysc_node *reply_schema_child(const struct reply_opts *o,
    const struct lysc_node *parent, int top, xmlNodePtr d);

/*
 * The key children of d when d is a list entry (rules in replykeys.c),
 * in key order, up to max in keys[]; their count.  sn is d's schema
 * node (NULL when none).  d is unpacked.
 */
int reply_entry_keys(const struct reply_opts *o, const struct lysc_node *sn,
    xmlNodePtr d, xmlNodePtr *keys, int max);

/* ---- edit_report.c ---- */

/*
 * What a change of a datastore did, as RFC 6470 netconf-config-change
 * <edit> entries: each the topmost node changed (an instance-identifier
 * with list keys as predicates, the prefixes it uses declared) and what
 * happened to it.  At most CFG_EDITS_MAX entries: past that the list is
 * dropped (over), as RFC 6470 allows when the edits are not known, and
 * nothing more is computed.  A target longer than CFG_TARGET_MAX drops
 * the list too (the event log's records are bounded).
 */
#define CFG_EDITS_MAX	32
#define CFG_TARGET_MAX	2048

enum cfg_op { CFG_CREATE, CFG_DELETE, CFG_MERGE, CFG_REPLACE };

struct cfg_edit {
	char		*target;
	char		**decl;		/* prefix, namespace, prefix, ... */
	size_t		 ndecl;		/* pairs */
	enum cfg_op	 op;
};

struct cfg_edits {
	struct cfg_edit	 e[CFG_EDITS_MAX];
	size_t		 n;
	int		 over;		/* too many (or too long): no list */
	struct schema	*schema;	/* the modules' prefixes and keys, or NULL */
	xmlHashTablePtr	 keys;		/* RELAX NG keys, or NULL */
};

/* The edit or RFC 6470 name of op ("create", ...). */
const char *cfg_op_name(enum cfg_op op);

/* An empty list whose targets take keys and prefixes from schema and keys. */
void cfg_edits_init(struct cfg_edits *l, struct schema *schema, xmlHashTablePtr keys);
void cfg_edits_free(struct cfg_edits *l);

/*
 * Node (an element of a datastore document, below its root; its parent
 * parent when it has been unlinked, else NULL) had op done to it.
 */
void cfg_edits_add(struct cfg_edits *l, xmlNodePtr parent, xmlNodePtr node, enum cfg_op op);

/*
 * The changes c->log[from..to-1] summed up into c->report: a node added
 * where one of its identity was removed is replaced, else created; a
 * removed one is deleted; a leaf's new text is a merge of the leaf.
 * edit.c calls it before it forgets log entries; the caller, for the
 * whole log, once the edit is kept.
 */
void edit_report(struct edit_ctx *c, size_t from, size_t to);

/* ---- validate.c ---- */

/*
 * YANG validation of datastore data (root: the datastore's <config>)
 * against s (NULL: nothing to validate): mandatory, min/max-elements,
 * unique, must, when, leafref and types.  0 when valid, -1 with one
 * rpc-error (error-tag, error-path, error-message, error-app-tag; r may
 * be NULL).  _all: every top-level node a module covers; _edit: what
 * the edit c (applied to root, its undo log still held) touched and
 * what refers to it; _diff: what differs from before (running, for a
 * commit of the candidate root; NULL: all).
 */
int tree_validate_all(struct schema *s, struct rpc *r, xmlNodePtr root);
int tree_validate_edit(struct schema *s, struct rpc *r, xmlNodePtr root,
    const struct edit_ctx *c);
int tree_validate_diff(struct schema *s, struct rpc *r, xmlNodePtr root, xmlNodePtr before);

/*
 * As tree_validate_diff, for a candidate root that is running (valid)
 * with the edits configs[0..n-1] applied (their <config> elements and
 * default operations, e.g. an overlay's journal): what they name is
 * validated, found in root, without running's document.
 */
int tree_validate_edits(struct schema *s, struct rpc *r, xmlNodePtr root,
    xmlNodePtr const *configs, const enum edit_defop *defops, size_t n);

/*
 * validate_unique.c keeps lists' unique values between edits: each kept
 * edit of any datastore (c, its undo log still held: before
 * edit_ctx_clear) is folded in by tree_unique_follow, and
 * tree_unique_undone follows an edit_undo().  A kept edit not followed
 * costs a rebuild (about 60 ms at 50,000 entries), never a wrong answer.
 */
void tree_unique_follow(const struct edit_ctx *c);
void tree_unique_undone(void);

/* ---- filter_subtree.c, filter_xpath.c ---- */

/*
 * get/get-config filters (RFC 6241 6 subtree, 8.9 XPath).  Both read the
 * datastore document (root <config> holding the top-level nodes) and add
 * copies of the selected nodes, with their ancestors, under out.  Every
 * list entry comes with its keys (o, which may be NULL: schema-less).
 */

/*
 * Filters find list entries by their keys through the list index
 * (edit_index.c) when they can (1, the default), or walk every entry as
 * before (0): the benchmarks and tests compare the two.
 * filter_index_answers counts the lookups the index answered.
 */
extern int filter_index_on;
extern unsigned long filter_index_answers;

/*
 * The bits of a key's hash the list index keeps (all): tests narrow it
 * so that keys of other values share a hash, which a look-up must tell
 * apart by the keys themselves (index_slots.c).
 */
extern uint32_t index_hash_mask;

/* Subtree filter: filter is the <filter> element. */
void filter_subtree(const struct reply_opts *o, xmlNodePtr filter, xmlNodePtr data_root,
    xmlNodePtr out);

/* XPath filter with expression select; namespaces in scope of filter.  -1 with an rpc-error. */
int filter_xpath(const struct reply_opts *o, struct rpc *r, xmlNodePtr filter,
    const char *select, xmlDocPtr data, xmlNodePtr out);

/*
 * expr with each name test written without a prefix that belongs to one
 * namespace (by schema's modules, NULL: none; else by the elements in
 * data_root's subtree) given a prefix of its own, registered in ctx
 * (xpath_names.c); malloc()ed, or NULL when nothing changes.
 */
struct _xmlXPathContext;
char *xpath_resolve_names(const char *expr, xmlNodePtr data_root,
    struct _xmlXPathContext *ctx, struct schema *schema);

/*
 * 1 when each name test of expr without a prefix is resolved by schema's
 * modules alone (none such: 1, whatever schema), so the data play no
 * part in it; 0 otherwise or when expr cannot be tokenized.
 */
int xpath_names_from_schema(const char *expr, struct schema *schema);

/*
 * Applies the <filter> element of a get/get-config (type subtree or
 * xpath) to data; on success *out_doc holds a new document whose root's
 * children are the result, with the namespace declarations their values
 * use.  -1 with an rpc-error.
 */
int filter_apply(const struct reply_opts *o, struct rpc *r, xmlNodePtr filter,
    xmlDocPtr data, xmlDocPtr *out_doc);

/*
 * 1 when the <filter> element is a subtree filter: the only kind that
 * honours o->hidden (an XPath filter's o must hide nothing; its data is
 * pruned first).
 */
int filter_is_subtree(const xmlNode *filter);

/*
 * 0 when the <filter> element (NULL: none) certainly selects no
 * top-level element (ns, name), else 1 (filter_scope.c).
 */
int filter_may_select(xmlNodePtr filter, const char *ns, const char *name);

/*
 * 1 when the reply of the <filter> element on a document depends on no
 * top-level element but those filter_may_select admits: any subtree
 * filter; an XPath one whose names without a prefix schema resolves
 * (filter_scope.c).  0 otherwise and with no filter.
 */
int filter_scope_closed(xmlNodePtr filter, struct schema *schema);

/* ---- defaults.c ---- */

/* RFC 6243 with-defaults modes, in the order of ops' names for them. */
enum wd_mode { WD_EXPLICIT, WD_REPORT_ALL, WD_TRIM, WD_REPORT_ALL_TAGGED };

/*
 * The data below root (a reply's copy, which it changes and unpacks) as
 * mode reports it, from the modules' defaults (defaults.c); config_only:
 * no state data defaults (get-config).  WD_EXPLICIT or no schema: as
 * it is.
 */
void wd_apply(struct schema *s, xmlNodePtr root, enum wd_mode mode, int config_only);

/* ---- xmlout.c ---- */

/*
 * A small, fast XML serializer for replies and datastore files:
 * elements (packed ones too, packed.c), attributes, text, CDATA,
 * comments and PIs of a libxml2 tree, written into a 64 KiB staging
 * buffer that is handed to the framer (or a writer) when full.  It
 * exists because libxml2's xmlNodeDumpOutput spends most of a 10 MB
 * get-config on per-call overhead; this one is a plain iterative walk
 * with one escape loop per text, several times faster.
 */

struct xmlout;

struct xmlout *xo_new(struct framer *fr);

/* Writes through write(arg, buf, len), which returns 0 or -1. */
struct xmlout *xo_new_writer(int (*write)(void *, const char *, size_t), void *arg);

/*
 * doc as a UTF-8 XML file through write(arg, buf, len) (xo_new_writer),
 * or on fd; 0, or -1 with errno set.
 */
int xo_write_doc(int (*write)(void *, const char *, size_t), void *arg, xmlDocPtr doc);
int xo_write_doc_fd(int fd, xmlDocPtr doc);

/* Raw bytes / a string, written as they are. */
void xo_raw(struct xmlout *xo, const char *s, size_t len);
void xo_str(struct xmlout *xo, const char *s);

/* Text escaped for an attribute value in double quotes. */
void xo_attr_value(struct xmlout *xo, const char *s);

/* The attributes a (and its next siblings), each as ' name="value"'. */
void xo_attrs(struct xmlout *xo, xmlAttrPtr a);

/*
 * The subtree of node.  extra (may be NULL) is a list of namespace
 * declarations written on node's start tag in addition to its own
 * (for a node lifted out of its document).
 */
void xo_node(struct xmlout *xo, xmlNodePtr node, xmlNsPtr extra);

/*
 * One child of a reply's <data>, standing alone: the namespaces it
 * inherits in its document declared on its start tag, xmlns="" when it
 * is in none.  The reply of a whole datastore is this for each child of
 * its root (and so is the shared form of running, store/shared.c).
 */
void xo_data_child(struct xmlout *xo, xmlNodePtr child);

/* xo_data_child less what hidden (NULL: nothing) hides (NACM read). */
void xo_data_child_hiding(struct xmlout *xo, xmlNodePtr child, reply_hidden_fn hidden,
    const void *arg);

/* Bytes written so far, those still buffered included. */
uint64_t xo_offset(const struct xmlout *xo);

/*
 * What xo_data_child_marked tells: where (xo_offset) the child's start
 * tag lies (HEAD), each of its element children (CHILD, n the child),
 * its end tag (TAIL).  A child without children gets no call.
 */
enum xo_mark { XO_MARK_HEAD, XO_MARK_CHILD, XO_MARK_TAIL };
typedef void (*xo_mark_fn)(void *arg, xmlNodePtr n, enum xo_mark what, uint64_t off,
    uint64_t len);

/* xo_data_child (the same bytes), telling mark where its pieces lie (running.index). */
void xo_data_child_marked(struct xmlout *xo, xmlNodePtr child, xo_mark_fn mark, void *arg);

/* Flushes to the framer (or writer) and frees; 0, or -1 if any write failed. */
int xo_finish(struct xmlout *xo);

/* ---- filter_keyq.c ---- */

/*
 * A filter that asks for entries of one list by key values alone, as
 * /top/list[leaf='v' and ...] (XPath, every name prefixed) or the subtree
 * <top><list><leaf>v</leaf>...</list>...</top>: the local names of the
 * top-level node and of the list, and per entry asked for its content
 * matches.  A cold session answers it through running.index
 * (store/index_table.c); the filter itself is then run on the entries
 * found, so the keyq only has to say which entries may match.
 */
#define KEYQ_NAME_MAX	64
#define KEYQ_ENTRIES	16
#define KEYQ_MATCHES	8

struct keyq_entry {
	size_t		 n;
	char		*leaf[KEYQ_MATCHES];	/* local names */
	char		*value[KEYQ_MATCHES];
};

struct keyq {
	char		 top[KEYQ_NAME_MAX];
	char		 list[KEYQ_NAME_MAX];
	size_t		 n;
	struct keyq_entry e[KEYQ_ENTRIES];
};

/* 1 with *q filled (keyq_free it) when filter is such a query; else 0. */
int filter_keyq(xmlNodePtr filter, struct keyq *q);
void keyq_free(struct keyq *q);
/* name into dst, a KEYQ_NAME_MAX buffer; -1 when it does not fit. */
int keyq_name_set(char *dst, const xmlChar *name);

#endif
