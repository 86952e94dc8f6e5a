/*
 * libyang's functions, reached through pointers that lyload.c fills
 * when the first request needs a libyang context (schema_context()):
 * nchome-netconf does not name libyang (nor pcre2, which it brings) in
 * its program headers, so a session's exec -> hello does not map,
 * relocate and bind them (issue 18: about a tenth of the loading).  Every
 * file that calls libyang includes this, not <libyang/libyang.h>: the
 * macros below turn each call into one through lyapi, and a call this
 * list lacks fails nchome-netconf's link (no -lyang there).
 *
 * Only a compiled schema's nodes, sets, trees and errors reach those
 * calls, and they exist only once libyang is loaded; the frees are
 * called on NULL too (a session that never built a context), so they
 * do nothing until it is.
 */
#ifndef NCHOME_LYAPI_H
#define NCHOME_LYAPI_H

#include <stddef.h>

#include <libyang/libyang.h>
#include <libyang/plugins_types.h>

#define LYAPI_FUNCS(X) \
	X(ly_ctx_compile) X(ly_ctx_destroy) X(ly_ctx_get_module) \
	X(ly_ctx_get_module_implemented) X(ly_ctx_get_module_implemented_ns) \
	X(ly_ctx_get_module_iter) X(ly_ctx_get_module_latest) \
	X(ly_ctx_get_module_latest_ns) X(ly_ctx_get_submodule) \
	X(ly_ctx_get_submodule_latest) X(ly_ctx_get_yanglib_data) \
	X(ly_ctx_internal_modules_count) X(ly_ctx_load_module) X(ly_ctx_new) \
	X(ly_ctx_set_module_imp_clb) X(ly_ctx_unset_options) X(ly_err_clean) \
	X(ly_err_free) X(ly_err_last) X(ly_log_options) X(ly_out_free) \
	X(ly_out_new_memory) X(ly_set_free) X(ly_set_log_clb) X(ly_set_new) \
	X(lyd_free_all) X(lyd_new_path) X(lyd_parse_data_mem) X(lyd_print_mem) \
	X(lys_find_child) X(lys_find_expr_atoms) X(lys_getnext) \
	X(lys_print_module) X(lys_print_submodule) X(lysc_has_when) \
	X(lysc_module_dfs_full) X(lysc_node_child) X(lysc_node_musts) \
	X(lysc_node_when) X(lyxp_get_expr)

#define LYAPI_POINTER(name)	__typeof__(name) *name;
struct lyapi {
	LYAPI_FUNCS(LYAPI_POINTER)
};
#undef LYAPI_POINTER

extern struct lyapi lyapi;	/* all NULL until lyapi_load() succeeded */

/* Loads libyang once; 0, or -1 with why in err (every later call too). */
int lyapi_load(char *err, size_t errlen);

#ifndef LYAPI_NO_REDIRECT
static inline void
lyapi_ctx_destroy(struct ly_ctx *ctx)
{
	if (lyapi.ly_ctx_destroy != NULL)
		lyapi.ly_ctx_destroy(ctx);
}

static inline void
lyapi_err_free(void *e)
{
	if (lyapi.ly_err_free != NULL)
		lyapi.ly_err_free(e);
}

static inline void
lyapi_set_free(struct ly_set *set, void (*destructor)(void *obj))
{
	if (lyapi.ly_set_free != NULL)
		lyapi.ly_set_free(set, destructor);
}

static inline void
lyapi_free_all(struct lyd_node *node)
{
	if (lyapi.lyd_free_all != NULL)
		lyapi.lyd_free_all(node);
}

static inline void
lyapi_out_free(struct ly_out *out, void (*destructor)(void *arg), ly_bool destroy)
{
	if (lyapi.ly_out_free != NULL)
		lyapi.ly_out_free(out, destructor, destroy);
}

#define ly_ctx_compile			(*lyapi.ly_ctx_compile)
#define ly_ctx_destroy			lyapi_ctx_destroy
#define ly_ctx_get_module		(*lyapi.ly_ctx_get_module)
#define ly_ctx_get_module_implemented	(*lyapi.ly_ctx_get_module_implemented)
#define ly_ctx_get_module_implemented_ns (*lyapi.ly_ctx_get_module_implemented_ns)
#define ly_ctx_get_module_iter		(*lyapi.ly_ctx_get_module_iter)
#define ly_ctx_get_module_latest	(*lyapi.ly_ctx_get_module_latest)
#define ly_ctx_get_module_latest_ns	(*lyapi.ly_ctx_get_module_latest_ns)
#define ly_ctx_get_submodule		(*lyapi.ly_ctx_get_submodule)
#define ly_ctx_get_submodule_latest	(*lyapi.ly_ctx_get_submodule_latest)
#define ly_ctx_get_yanglib_data		(*lyapi.ly_ctx_get_yanglib_data)
#define ly_ctx_internal_modules_count	(*lyapi.ly_ctx_internal_modules_count)
#define ly_ctx_load_module		(*lyapi.ly_ctx_load_module)
#define ly_ctx_new			(*lyapi.ly_ctx_new)
#define ly_ctx_set_module_imp_clb	(*lyapi.ly_ctx_set_module_imp_clb)
#define ly_ctx_unset_options		(*lyapi.ly_ctx_unset_options)
#define ly_err_clean			(*lyapi.ly_err_clean)
#define ly_err_free			lyapi_err_free
#define ly_err_last			(*lyapi.ly_err_last)
#define ly_log_options			(*lyapi.ly_log_options)
#define ly_out_free			lyapi_out_free
#define ly_out_new_memory		(*lyapi.ly_out_new_memory)
#define ly_set_free			lyapi_set_free
#define ly_set_log_clb			(*lyapi.ly_set_log_clb)
#define ly_set_new			(*lyapi.ly_set_new)
#define lyd_free_all			lyapi_free_all
#define lyd_new_path			(*lyapi.lyd_new_path)
#define lyd_parse_data_mem		(*lyapi.lyd_parse_data_mem)
#define lyd_print_mem			(*lyapi.lyd_print_mem)
#define lys_find_child			(*lyapi.lys_find_child)
#define lys_find_expr_atoms		(*lyapi.lys_find_expr_atoms)
#define lys_getnext			(*lyapi.lys_getnext)
#define lys_print_module		(*lyapi.lys_print_module)
#define lys_print_submodule		(*lyapi.lys_print_submodule)
#define lysc_has_when			(*lyapi.lysc_has_when)
#define lysc_module_dfs_full		(*lyapi.lysc_module_dfs_full)
#define lysc_node_child			(*lyapi.lysc_node_child)
#define lysc_node_musts			(*lyapi.lysc_node_musts)
#define lysc_node_when			(*lyapi.lysc_node_when)
#define lyxp_get_expr			(*lyapi.lyxp_get_expr)
#endif

#endif
