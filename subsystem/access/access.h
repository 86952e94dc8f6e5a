/*
 * The access layer (README.md, "Layers"): RFC 8341 NACM, the rule
 * engine (nacm.h says how it works).  What other folders may use of it.
 *
 *   nacm_config.c    the nacm container parsed into struct nacm_config, checked
 *   nacm_leaf.c      its leaves read and checked one by one, errors naming the rule
 *   nacm_check.c     rules' module-names against the server's modules
 *   nacm_session.c   a user's rules; operations, notifications, counters
 *   nacm_unix.c      Unix groups as external groups
 *   nacm_path.c      rule paths parsed and matched on real and packed nodes
 *   nacm_data.c      data node access, the walk state, the write check
 *   nacm_level.c     the rules carried into a big list, indexed by key value
 *   nacm_prune.c     read masks
 *   nacm_lazy.c      read decisions for the nodes a reply touches only
 *   nacm_errpath.c   error-path of a denial, and of a refused nacm config
 *   nacm_readable.c  whether an error-path or a top-level node is readable
 *   nacm_schema.c    built-in module namespaces and default-deny table
 */
#ifndef NCHOME_ACCESS_H
#define NCHOME_ACCESS_H

#include "nacm.h"

#endif
