/*
 * The YANG schema layer: which modules nchome-netconf implements, what
 * it announces, and the schema oracle for nchome's XML trees.
 *
 * Layer: above netconf/, below tree/; uses libxml2, libyang and common/
 * only.  Its files, lowest first:
 *
 *   lyload.c    libyang loaded on first use (lyapi.h: its calls through pointers)
 *   yanglex.c   the YANG lexer: tokens, strings, comments, skipped blocks, file hash
 *   yangtext.c  a module file's statements scanned without libyang (yangtext.h)
 *   modfiles.c  the .yang files of the two module folders, by name and revision
 *   modset.c    the module set: implemented modules, capabilities, content-id
 *   context.c   the libyang context, built on first use; module texts, yang-library
 *   valtext.c   a libyang value as XML text with its namespace declarations
 *   node.c      the schema node of an XML element, per-node facts, defaults
 *   value.c     value checks, normalised prefixes, error-paths
 *   validate.c  data validation with libyang; which lists may be split
 *   datacheck.c libyang's validation of XML data, its first error as NETCONF's
 *   load.c      schema_load(), schema_free(): the only file that knows them all
 *
 * The module set
 *   nchome.conf's netconf section names a modules folder (yang-dir,
 *   searched before nchome's own folder, schema_own_dir()) and the
 *   modules implemented there, with revision and features (conf.h,
 *   struct conf_module).  To that come the modules nchome implements
 *   itself (builtin table in modset.c): the NETCONF ones (ietf-netconf
 *   with the features of the server, ietf-netconf-monitoring,
 *   ietf-netconf-notifications, notifications, nc-notifications) and
 *   ietf-interfaces, iana-if-type and ietf-system, whose data the contrib
 *   state providers and hook produce, and ietf-netconf-acm (NACM is
 *   enforced, access/) with nchome-nacm-deviations, which makes a rule's
 *   path a string: libyang's node-instance-identifier would check it
 *   against the schema, and nchome checks it itself.  libyang adds its own
 *   modules (ietf-yang-library and what it imports).  A file is found by
 *   name and revision in the two folders: the latest revision unless
 *   one is named; on a tie the operator's folder wins.  libyang reads
 *   files only through the same lookup (an import callback), so both
 *   agree on what is loaded.
 *
 * What is lazy, what is cheap
 *   schema_load() reads the conf and scans the module files' statements
 *   (yangtext.c: name, namespace, revision, imports, features): 0.4 to
 *   0.5 ms for the 190 KB nchome ships, reading included (bench_schema).
 *   That gives the hello's capabilities and the content-id, so a session
 *   that only sends a hello and a get-config never builds a libyang
 *   context (5 to 8 ms here, about half of it libyang's own modules).
 *   The context is built on the first call that needs it
 *   (schema_context() and everything taking a lysc_node), once per
 *   process.  No cache file: it would save at most 0.3 ms, and a file
 *   that every session trusts is one more thing a NETCONF account must
 *   not be able to write.
 *
 * The content-id
 *   FNV-1a 64 over libyang's version and, for every module and
 *   submodule of the set (implemented ones and their imports and
 *   includes), its name, revision, whether it is implemented, its
 *   features and the bytes of its file.  It changes when a module, a
 *   revision, a feature or a file changes; every session process
 *   computes the same value.  It is the module-set-id of the RFC 7950
 *   yang-library capability and of RFC 7895 modules-state, and the
 *   content-id of RFC 8525.
 *
 * libyang is the oracle; nchome keeps a little of its own
 *   Schema nodes are libyang's (struct lysc_node); the store stays
 *   libxml2 trees.  Finding the node of an element is lys_find_child()
 *   after a namespace-to-module lookup that remembers the last few
 *   namespaces (a 50,000-entry edit has one or two); per node, a small
 *   cache hangs off lysc_node.priv: the flags of struct schema_info,
 *   computed once, and the default values printed as XML.  Values are
 *   checked by the type's libyang plugin directly (the prefixes in scope
 *   on the XML element handed over as resolved modules), with no data
 *   tree: one store call per leaf, about a microsecond.
 *
 * Errors: functions returning int give 0 on success and -1 on failure;
 * a failed context build is remembered, logged once and its message
 * kept (schema_context_error()).
 */
#ifndef NCHOME_SCHEMA_H
#define NCHOME_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>
#include "lyapi.h"

#include "conf.h"

struct schema;

/* --- The module set (cheap: no libyang context) --------------------- */

/*
 * nchome's own module folder: $NCHOME_YANG_DIR when set; else, for a
 * program run from the build tree (<top>/subsystem/), <top>/yang; else
 * NCHOME_DATADIR/yang.
 */
const char *schema_own_dir(void);

/*
 * Reads the module set the netconf section names (nc->yang_dir,
 * nc->modules) and scans the module files.  NULL with a message in err
 * when a module, a revision or a feature is not there.
 */
struct schema *schema_load(const struct conf_netconf *nc, char *err, size_t errlen);
void schema_free(struct schema *s);

/*
 * The hello's capabilities for the modules: one per implemented YANG
 * 1.0 module ("<ns>?module=<name>&revision=<date>&features=...&
 * deviations=..."; RFC 7950 5.6.4 announces YANG 1.1 modules only
 * through the YANG library), then yang-library:1.0 (module-set-id) and
 * yang-library:1.1 (content-id).  *n gets the count.
 */
const char *const *schema_capabilities(const struct schema *s, size_t *n);

/* The content-id (16 hex digits). */
const char *schema_content_id(const struct schema *s);

/*
 * A .yang file of the two module folders as schema_load() listed it
 * (<name>[@<revision>].yang, not dot-files, at most 10,000 in all).
 * scanned: schema_load() read the whole file (the modules of the set,
 * their imports and includes); then module and ns are its module's, or
 * NULL for a submodule.  Other files were not read: module and ns NULL.
 */
struct schema_file_info {
	const char	*path;
	int		 folder;	/* 0: the operator's yang-dir, 1: nchome's own */
	int		 scanned;
	const char	*module;
	const char	*ns;
};

/*
 * Calls cb for every listed file, the scanned ones first (operator's
 * folder first within each), until cb returns non-zero, which is
 * returned.  Reads no file: what NACM's module names (ops/nacm.c) take
 * from the set instead of reading the files again.
 */
int schema_foreach_file(const struct schema *s,
    int (*cb)(void *arg, const struct schema_file_info *fi), void *arg);

/* 1 once the libyang context is built (tests check the laziness). */
int schema_context_built(const struct schema *s);

/* --- The libyang context (built on first use) ----------------------- */

/* The context; NULL when it cannot be built (see schema_context_error()). */
struct ly_ctx *schema_context(struct schema *s);
const char *schema_context_error(const struct schema *s);

struct schema_module_info {
	const char	*name;
	const char	*revision;	/* "" when none */
	const char	*ns;		/* of the module (a submodule's: its module's) */
	int		 submodule;
	int		 implemented;
};

/*
 * Calls cb for every module and submodule in the context (libyang's
 * own included) until cb returns non-zero, which is returned.  -1 when
 * the context cannot be built.
 */
int schema_foreach_module(struct schema *s,
    int (*cb)(void *arg, const struct schema_module_info *mi), void *arg);

/*
 * The YANG text of a module or submodule for get-schema: its file, or
 * libyang's printout for libyang's own modules.  revision NULL or "":
 * the one in the context.  malloc()ed, NULL when there is no such
 * module.
 */
char *schema_module_text(struct schema *s, const char *name, const char *revision,
    size_t *lenp);

/*
 * Appends the ietf-yang-library data to into: <yang-library> (RFC 8525:
 * module-set "complete", schema "complete", the datastores running,
 * candidate and startup, content-id) and the deprecated <modules-state>
 * (RFC 7895, with module-set-id) that older clients read.  Built once
 * per process, then copied.
 */
int schema_yanglib_append(struct schema *s, xmlNodePtr into);

/* --- Schema nodes of XML elements ----------------------------------- */

/*
 * The schema node of element (ns, name) under the schema node parent;
 * parent NULL: a top-level node.  NULL when no implemented module
 * covers it (or parent is a leaf, anydata or anyxml).  Choices and
 * cases are looked through.
 */
const struct lysc_node *schema_child(struct schema *s, const struct lysc_node *parent,
    const char *ns, const char *name);

/*
 * The schema node of an element of a datastore document or an edit:
 * data_root is the element whose children are top-level data (a
 * datastore's <config>, an edit's <config>, a <data>).  NULL when no
 * module covers it or it is not below data_root.
 */
const struct lysc_node *schema_node_of(struct schema *s, xmlNodePtr elem,
    xmlNodePtr data_root);

/*
 * The child elements of root that no implemented module covers (for
 * the start-up log).  Fills out[] with up to max of them and returns
 * how many there are.
 */
size_t schema_uncovered(struct schema *s, xmlNodePtr root, xmlNodePtr *out, size_t max);
/*
 * 0 when a child element of root is in the namespace of an implemented
 * module and the context cannot be built (libyang missing, a module
 * that does not compile): lookups then find no node, and the data would
 * be edited by the schema-less rules, unchecked.  1 otherwise; builds
 * the context only for such data.
 */
int schema_config_checkable(struct schema *s, xmlNodePtr root);

enum schema_kind {
	SCHEMA_OTHER,		/* choice, case, rpc, action, notification */
	SCHEMA_CONTAINER,	/* non-presence */
	SCHEMA_PRESENCE,	/* presence container */
	SCHEMA_LIST,
	SCHEMA_LEAF,
	SCHEMA_LEAFLIST,
	SCHEMA_ANYDATA,
	SCHEMA_ANYXML,
};

#define SCHEMA_CONFIG_FALSE	0x0001	/* config false (itself or inherited) */
#define SCHEMA_ORDERED_BY_USER	0x0002	/* list or leaf-list */
#define SCHEMA_MANDATORY	0x0004	/* mandatory true (leaf, choice, anydata) */
#define SCHEMA_KEY		0x0008	/* a key leaf of its list */
#define SCHEMA_KEYLESS		0x0010	/* a list without keys (config false) */
#define SCHEMA_HAS_MUST		0x0020
#define SCHEMA_HAS_WHEN		0x0040	/* on the node or an enclosing choice/case/uses */
#define SCHEMA_LEAFREF		0x0080	/* type is or unions a leafref */
#define SCHEMA_IDENTITYREF	0x0100	/* type is or unions an identityref */
#define SCHEMA_INSTANCE_ID	0x0200	/* type is or unions an instance-identifier */
#define SCHEMA_PREFIXED		0x0400	/* values may hold prefixes (the above, xpath1.0) */
#define SCHEMA_HAS_DEFAULT	0x0800	/* leaf or leaf-list with default value(s) */
#define SCHEMA_UNIQUE		0x1000	/* leaf named by a unique statement */
#define SCHEMA_IN_CASE		0x2000	/* inside a case of a choice */

struct schema_info {
	enum schema_kind	 kind;
	unsigned		 flags;		/* SCHEMA_* above */
	uint32_t		 min_elements;	/* list, leaf-list; else 0 */
	uint32_t		 max_elements;	/* list, leaf-list; 0: unbounded */
	unsigned		 nkeys;		/* list */
	unsigned		 nuniques;	/* list: unique statements */
	const struct lysc_node	*cas;		/* innermost case it is in, or NULL */
	const struct lysc_node	*choice;	/* that case's choice */
};

/* The facts above, computed once per node and kept; NULL on ENOMEM. */
const struct schema_info *schema_info(struct schema *s, const struct lysc_node *sn);

/*
 * The keys of a list in their order: fills keys[] with up to max and
 * returns how many the list has.
 */
unsigned schema_keys(const struct lysc_node *list, const struct lysc_node **keys,
    unsigned max);

/* The leaves of the list's i-th unique statement: as schema_keys(). */
unsigned schema_unique(const struct lysc_node *list, unsigned i,
    const struct lysc_node **leaves, unsigned max);

/*
 * 1 when sibling nodes a and b sit in different cases of one choice, so
 * creating one removes the other (RFC 7950 7.9.2).
 */
int schema_cases_conflict(const struct lysc_node *a, const struct lysc_node *b);

/* --- Values ---------------------------------------------------------- */

/* A namespace declaration a text needs; strings belong to the context. */
struct schema_nsdecl {
	const char	*prefix;
	const char	*ns;
};

/* A text that may use prefixes, with the declarations they need. */
struct schema_text {
	char			*text;
	struct schema_nsdecl	*ns;
	size_t			 nns;
};

void schema_text_free(struct schema_text *t);

/*
 * RFC 6243 defaults of a leaf or leaf-list (its own, or its type's):
 * n texts in *out (kept by the schema; identityref and the like with
 * their declarations).  0 when it has none.  See also
 * schema_default_case().
 */
size_t schema_defaults(struct schema *s, const struct lysc_node *sn,
    const struct schema_text **out);

/*
 * Calls cb for every data node that may be a child of parent's data
 * (through choices and cases), or with parent NULL for every top-level
 * data node of the implemented modules (builds the context).
 */
void schema_each_child(struct schema *s, const struct lysc_node *parent,
    void (*cb)(void *arg, const struct lysc_node *sn), void *arg);

/*
 * The namespace of the implemented module whose data nodes (anywhere in
 * its tree, augments by their own module) are the only ones named name;
 * NULL when none is, or several modules' are (XPath names without a
 * prefix, tree/xpath_names.c).  The map is built once.
 */
const char *schema_name_ns(struct schema *s, const char *name);

/* The default case of a choice, NULL when none. */
const struct lysc_node *schema_default_case(const struct lysc_node *choice);

struct schema_error {
	const char		*tag;		/* RFC 6241 error-tag, e.g. "invalid-value" */
	struct schema_text	 path;		/* error-path */
	char			*message;	/* error-message: the model's when it has one */
	char			*app_tag;	/* error-app-tag, NULL when none */
};

void schema_error_free(struct schema_error *e);

struct schema_value {
	struct schema_text	 norm;	/* .text NULL: store the value as written */
	int			 refers; /* leafref or require-instance: what it
					    names must exist (for the data
					    validation, not checked here) */
};

void schema_value_free(struct schema_value *v);

/*
 * Checks text as the value of leaf or leaf-list sn, written in element
 * elem (whose in-scope namespace declarations resolve its prefixes)
 * below data_root (for the error-path).  Returns 0 when valid, with
 * val->norm set for values with prefixes (identityref, instance-
 * identifier, xpath1.0, unions of them): rewritten with the modules'
 * own prefixes, plus their declarations, so the value means the same
 * wherever it is copied.  Returns 1 when invalid, with err filled;
 * -1 when the check could not run (no context, ENOMEM), err filled
 * with operation-failed.
 */
int schema_value_check(struct schema *s, const struct lysc_node *sn, xmlNodePtr elem,
    xmlNodePtr data_root, const char *text, struct schema_value *val,
    struct schema_error *err);

/*
 * The error-path of an element below data_root: an absolute XPath
 * with the modules' prefixes, list entries with their key predicates
 * (leaf-list entries with [.='v']).  0 or -1 (ENOMEM).
 */
int schema_error_path(struct schema *s, xmlNodePtr elem, xmlNodePtr data_root,
    struct schema_text *path);

/* --- Data validation (validate.c, datacheck.c) ----------------------- */

/*
 * Validates xml, top-level data elements of implemented modules (no
 * <config> around them), with libyang: the constraints of every module
 * that has data there (LYD_VALIDATE_PRESENT).  0 when valid; 1 with the
 * first error in err: error-tag (RFC 7950 15: unique, min/max-elements
 * and must operation-failed with app-tags data-not-unique, too-few-/
 * too-many-elements, must-violation or the model's; leafref
 * (instance-required) and missing mandatory nodes data-missing; a bad
 * value invalid-value), error-path with the modules' prefixes, the
 * model's error-message; -1 when it could not run (err filled).
 */
int schema_validate_xml(struct schema *s, const char *xml, struct schema_error *err);

/* Whether entries of a list can be validated apart (validate.c). */
#define SPLIT_NO	0	/* validate the whole list */
#define SPLIT_YES	1	/* a touched entry alone (plus what it refers to) */
#define SPLIT_NOREMOVE	2	/* as SPLIT_YES, but a removal: the whole list */
int schema_split(struct schema *s, const struct lysc_node *list);

/*
 * The outermost list whose single key leafref leaf refers to (its
 * entry with that key is all the reference needs), or NULL.
 */
const struct lysc_node *schema_keyref(struct schema *s, const struct lysc_node *leaf);

/*
 * The other top-level nodes whose data top's constraints read or that
 * read top's data (must, when, leafref across top-level nodes): up to
 * max in out[]; their count.
 */
size_t schema_related(struct schema *s, const struct lysc_node *top,
    const struct lysc_node **out, size_t max);

#endif
