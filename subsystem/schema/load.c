/*
 * The schema object as a whole: schema_load() lists the module files
 * (modfiles.c) and builds the module set (modset.c); schema_free()
 * undoes every layer of the folder top down: node.c's caches, which
 * hang off the context's nodes, then the context (context.c), the set
 * and the files.  The only file that knows all of them, so none of them
 * calls another above it (tests/t_layers.py: no file cycle).
 */
#include <stdlib.h>

#include "errbuf.h"
#include "schema_int.h"

struct schema *
schema_load(const struct conf_netconf *nc, char *err, size_t errlen)
{
	struct schema *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	if (modfiles_list(s, nc->yang_dir, err, errlen) == -1 ||
	    modset_build(s, nc, err, errlen) == -1) {
		schema_free(s);
		return NULL;
	}
	return s;
}

void
schema_free(struct schema *s)
{
	if (s == NULL)
		return;
	if (s->vstate_free != NULL)
		s->vstate_free(s);	/* validate.c's, set with vstate */
	node_free(s);
	context_free(s);
	modset_free(s);
	modfiles_free(s);
	free(s);
}
