/*
 * Building the parts of a reply that handlers produce: <rpc-error>
 * elements (RFC 6241 Appendix A) and the data to send.  The reply itself
 * is written by session/rpc.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netconf.h"
#include "xmalloc.h"

static const char *const err_type_names[] = {
	"transport", "rpc", "protocol", "application"
};

xmlNodePtr
rpc_error(struct rpc *r, enum nc_err_type type, const char *tag,
    const char *path, const char *fmt, ...)
{
	xmlNodePtr err, msg;
	xmlNsPtr ns;
	char text[1024];
	va_list ap;

	if (r->err_doc == NULL) {
		if ((r->err_doc = xmlNewDoc(BAD_CAST "1.0")) == NULL)
			return NULL;
		xmlDocSetRootElement(r->err_doc, xmlNewNode(NULL, BAD_CAST "errors"));
	}
	if ((err = xmlNewChild(xmlDocGetRootElement(r->err_doc), NULL,
	    BAD_CAST "rpc-error", NULL)) == NULL)
		return NULL;
	ns = xmlNewNs(err, BAD_CAST NC_NS_BASE, NULL);
	xmlSetNs(err, ns);
	xmlNewTextChild(err, ns, BAD_CAST "error-type", BAD_CAST err_type_names[type]);
	xmlNewTextChild(err, ns, BAD_CAST "error-tag", BAD_CAST tag);
	xmlNewTextChild(err, ns, BAD_CAST "error-severity", BAD_CAST "error");
	if (path != NULL) {
		char *clean = xstrdup(path);

		nc_text_clean(clean);
		xmlNewTextChild(err, ns, BAD_CAST "error-path", BAD_CAST clean);
		free(clean);
	}
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(text, sizeof(text), fmt, ap);
		va_end(ap);
		nc_text_clean(text);
		msg = xmlNewTextChild(err, ns, BAD_CAST "error-message", BAD_CAST text);
		if (msg != NULL)
			xmlNodeSetLang(msg, BAD_CAST "en");
	}
	r->nerrors++;
	return err;
}

void
rpc_error_info(xmlNodePtr err, const char *name, const char *value)
{
	xmlNodePtr info;

	if (err == NULL)
		return;
	if ((info = nc_child(err, "error-info")) == NULL)
		info = xmlNewChild(err, err->ns, BAD_CAST "error-info", NULL);
	if (info != NULL)
		xmlNewTextChild(info, err->ns, BAD_CAST name, BAD_CAST value);
}

void
rpc_reply_file(struct rpc *r, int fd, off_t off, size_t len, int empty)
{
	rpc_reply_data(r, NULL, NULL);
	r->data_fd = fd;
	r->data_off = off;
	r->data_len = len;
	r->data_empty = empty;
}

void
rpc_reply_file_ranges(struct rpc *r, int fd, struct rpc_range *ranges, size_t n)
{
	rpc_reply_data(r, NULL, NULL);
	r->data_fd = fd;
	r->data_empty = n == 0;
	r->data_ranges = ranges;
	r->data_nranges = n;
}

void
rpc_reply_data(struct rpc *r, xmlNodePtr container, xmlDocPtr owned)
{
	if (r->data_owned != NULL && r->data_owned != owned)
		xmlFreeDoc(r->data_owned);
	rpc_reply_hiding_free(r);
	free(r->data_ranges);
	r->data_ranges = NULL;
	r->data_nranges = 0;
	free(r->data_nodes);
	r->data_nodes = NULL;
	r->data_nnodes = 0;
	r->data = container;
	r->data_fd = 0;
	r->data_owned = owned;
}

void
rpc_reply_data_hiding(struct rpc *r, xmlNodePtr container,
    int (*hidden)(const void *arg, const xmlNode *n), void *arg, void (*arg_free)(void *arg))
{
	rpc_reply_data(r, container, NULL);
	r->data_hidden = hidden;
	r->data_hidden_arg = arg;
	r->data_hidden_free = arg_free;
}

void
rpc_reply_nodes(struct rpc *r, xmlNodePtr *nodes, size_t n, xmlDocPtr owned,
    int (*hidden)(const void *arg, const xmlNode *n), void *arg, void (*arg_free)(void *arg))
{
	rpc_reply_data(r, NULL, owned);
	r->data_nodes = nodes;
	r->data_nnodes = n;
	r->data_hidden = hidden;
	r->data_hidden_arg = arg;
	r->data_hidden_free = arg_free;
}

void
rpc_reply_hiding_free(struct rpc *r)
{
	if (r->data_hidden_free != NULL)
		r->data_hidden_free(r->data_hidden_arg);
	r->data_hidden = NULL;
	r->data_hidden_arg = NULL;
	r->data_hidden_free = NULL;
}
