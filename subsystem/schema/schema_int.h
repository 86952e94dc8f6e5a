/*
 * Inside the schema layer: the structure behind struct schema, shared
 * by modfiles.c and modset.c (the module set, cheap), context.c
 * (libyang, lazy), valtext.c, node.c, value.c, validate.c, datacheck.c
 * and load.c.  Nothing
 * outside subsystem/schema/ includes this.
 */
#ifndef NCHOME_SCHEMA_INT_H
#define NCHOME_SCHEMA_INT_H

#include <libxml/hash.h>
#include <libyang/plugins_types.h>
#include <libyang/version.h>

#include "schema.h"
#include "yangtext.h"

#define SCHEMA_MAX_FILES	10000	/* .yang files read from the two folders */
#define SCHEMA_NSCACHE		4	/* namespaces remembered by schema_child() */

/* A .yang file in one of the module folders. */
struct yfile {
	char			*name;		/* from the file name */
	char			*frev;		/* revision in the file name, NULL: none */
	char			*path;
	int			 folder;	/* 0: the operator's, 1: nchome's */
	struct yang_text	*yt;		/* scanned when first needed */
};

/* A module or submodule of the set. */
struct smod {
	struct yfile	*file;		/* file->yt is set */
	int		 implemented;
	char		**features;	/* implemented modules: enabled ones */
	size_t		 nfeatures;
	char		**deviations;	/* modules that deviate this one */
	size_t		 ndeviations;
};

struct node_cache;

struct schema {
	char		*dirs[2];	/* the operator's folder, nchome's */
	struct yfile	*files;
	size_t		 nfiles;
	struct smod	*mods;
	size_t		 nmods;
	char		**caps;
	size_t		 ncaps;
	char		 content_id[17];

	/* built on first use (context.c) */
	struct ly_ctx	*ctx;
	int		 ctx_state;	/* 0: not tried, 1: built, -1: failed */
	char		 ctx_err[512];
	struct {
		char			*ns;
		const struct lys_module	*mod;
	}		 nscache[SCHEMA_NSCACHE];
	unsigned	 nscache_next;
	struct node_cache *caches;	/* every lysc_node.priv we set */
	xmlHashTablePtr	 names;		/* data node name -> its module's ns (node.c) */
	xmlDocPtr	 yanglib;	/* ietf-yang-library data, once */
	struct vstate	*vstate;	/* validate.c: the expressions, split lists */
	void		(*vstate_free)(struct schema *);	/* frees it (no file cycle) */
};

/*
 * The files of the folder, lowest first; each calls only those above it
 * in this list (and yangtext.c, with its lexer yanglex.c):
 */

/* modfiles.c: the .yang files of the two folders. */
int modfiles_list(struct schema *s, const char *yang_dir, char *err, size_t errlen);
struct yfile *modfiles_find(struct schema *s, const char *name, const char *revision);
void modfiles_free(struct schema *s);

/* modset.c: the modules, capabilities and content-id from those files. */
int modset_build(struct schema *s, const struct conf_netconf *nc, char *err, size_t errlen);
int modset_libyang_module(const char *name);	/* 1: one of libyang's own */
void modset_free(struct schema *s);

/* context.c: the libyang context; frees it and the yang-library data. */
void context_free(struct schema *s);

/* valtext.c: a libyang value as XML text, with the declarations its prefixes need. */
int valtext_add_decl(struct schema_text *t, const char *prefix, const char *ns);
	/* adds (prefix, ns) unless ns is there; -1 on ENOMEM or a prefix bound twice */
int value_print_xml(const struct ly_ctx *ctx, const struct lyd_value *val,
    struct schema_text *out);

/* node.c: the namespace lookup and the per-node caches (node_free: both). */
const struct lys_module *schema_module_of_ns(struct schema *s, const char *ns);
void node_free(struct schema *s);

/* value.c: value checks and error-paths (schema.h only). */

/* load.c: schema_load() and schema_free(), the whole. */

/* The revision of the ietf-yang-library libyang implements. */
#define SCHEMA_YANGLIB_REVISION	"2019-01-04"

#endif
