/*
 * Packed subtrees: how a session keeps a 10 MB datastore in a few times
 * its size instead of libxml2's ~7x.  See packed.c.
 */
#ifndef NCHOME_PACKED_H
#define NCHOME_PACKED_H

#include <libxml/parser.h>
#include <libxml/tree.h>

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

/* Unpacks every packed node in n's subtree (XPath, RELAX NG). */
void packed_unpack_tree(xmlNodePtr n);

/* Packs what can be packed in n's subtree, bottom up. */
void packed_pack_tree(xmlNodePtr n);

/* n (an element) changed or is new: pack it at the next packed_repack(). */
void packed_note(xmlNodePtr n);

/* Packs again what was unpacked or noted since the last call (after each RPC). */
void packed_repack(void);

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

/* A datastore document or journal record from path or memory, packed. */
xmlDocPtr packed_read_file(const char *path, int options);
xmlDocPtr packed_read_memory(const char *buf, int len, int options);

#endif
