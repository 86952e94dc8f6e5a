/*
 * get/get-config filters (RFC 6241 6 subtree, 8.9 XPath).  Both read the
 * datastore document (root <config> holding the top-level nodes) and add
 * copies of the selected nodes, with their ancestors, under out.
 * Data-side private header.
 */
#ifndef NCHOME_FILTER_H
#define NCHOME_FILTER_H

#include <libxml/tree.h>

#include "rpc.h"

/* Subtree filter: filter is the <filter> element. */
void filter_subtree(xmlNodePtr filter, xmlNodePtr data_root, xmlNodePtr out);

/* XPath filter with expression select; namespaces in scope of filter.  -1 with an rpc-error. */
int filter_xpath(struct rpc *r, xmlNodePtr filter, const char *select,
    xmlDocPtr data, xmlNodePtr out);

/*
 * Applies the <filter> element of a get/get-config (type subtree or
 * xpath) to data; on success *out_doc holds a new document whose root's
 * children are the result.  -1 with an rpc-error.
 */
int filter_apply(struct rpc *r, xmlNodePtr filter, xmlDocPtr data, xmlDocPtr *out_doc);

#endif
