/*
 * A small, fast XML serializer for replies and datastore files:
 * elements (packed ones too, packed.c), attributes, text, CDATA,
 * comments and PIs of a libxml2 tree, written into a 64 KiB staging
 * buffer that is handed to the framer (or a writer) when full.  It
 * exists because libxml2's xmlNodeDumpOutput spends most of a 10 MB
 * get-config on per-call overhead; this one is a plain iterative walk
 * with one escape loop per text, several times faster.
 */
#ifndef NCHOME_XMLOUT_H
#define NCHOME_XMLOUT_H

#include <stddef.h>

#include <libxml/tree.h>

struct framer;
struct xmlout;

struct xmlout *xo_new(struct framer *fr);

/* Writes through write(arg, buf, len), which returns 0 or -1. */
struct xmlout *xo_new_writer(int (*write)(void *, const char *, size_t), void *arg);

/* doc as a UTF-8 XML file on fd; 0, or -1 with errno set. */
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

/* Flushes to the framer (or writer) and frees; 0, or -1 if any write failed. */
int xo_finish(struct xmlout *xo);

#endif
