/*
 * The access layer (README.md, "Layers"): RFC 8341 NACM, the rule
 * engine (nacm.h says how it works).  What other folders may use of it.
 */
#ifndef NCHOME_ACCESS_H
#define NCHOME_ACCESS_H

#include "nacm.h"

#endif
