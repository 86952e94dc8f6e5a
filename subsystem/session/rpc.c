/*
 * From a framed message to exactly one <rpc-reply>: parse (hardened,
 * netconf/message.c), check the <rpc> envelope, dispatch by operation
 * name and namespace through netconf/'s operation table, and stream the
 * reply through the framer.
 *
 * The reply is never built as a tree: the <rpc-reply> start tag is
 * written by hand (echoing every attribute of <rpc> with its namespace),
 * then <ok/>, the <rpc-error>s or the <data> children are serialized by
 * tree/xmlout.c straight into the framer, so a 10 MB get-config goes from the
 * datastore tree to the wire in 64 KiB / 256 KiB pieces without ever
 * existing as one string.
 *
 * malformed-message is a base:1.1 error-tag that RFC 6241 Appendix A
 * forbids towards base:1.0 clients; those get operation-failed instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>		/* malloc_trim */
#endif

#include <libxml/parser.h>

#include "host/host.h"
#include "log.h"
#include "ops/ops.h"
#include "session.h"
#include "store/store.h"
#include "tree/tree.h"

#define NC_TRIM_AFTER	(1024 * 1024)	/* request size that ends in malloc_trim */

/* ---- parsing ---- */

/*
 * Where a request is packed (packed.c): inside <rpc><edit-config><config>,
 * whose nodes edit.c moves into the datastore, so that a 10 MB edit is
 * no 75 MB tree.  Nothing else of a request is packed.
 */
static int
in_edit_config(const xmlNode *n)
{
	const xmlNode *a = n;
	int depth = 0;

	for (; a != NULL && a->type == XML_ELEMENT_NODE; a = a->parent)
		depth++;
	if (depth < 4)
		return 0;
	for (a = n; depth > 3; depth--)
		a = a->parent;
	return nc_is(a, "config") && nc_is(a->parent, "edit-config");
}

/* nc_parse_with's setup: a request is packed as it is parsed. */
static void
pack_edits(xmlParserCtxtPtr ctxt)
{
	packed_parse_with(ctxt, in_edit_config);
}

xmlDocPtr
rpc_parse(const char *buf, size_t len, char *why, size_t whylen)
{
	return nc_parse_with(buf, len, pack_edits, why, whylen);
}

/*
 * The framer's message is dropped once parsed, so the parser may give its
 * pages back as it reads them: a 10 MB edit's tree then reuses the pages
 * of its text.  Bytes that are not the framer's are only read.
 */
static xmlDocPtr
rpc_parse_message(struct session *s, const char *msg, size_t len, char *why,
    size_t whylen)
{
	char *spend;

	if (s->fr != NULL && (spend = framer_msg_spendable(s->fr, msg, len)) != NULL)
		return nc_parse_spending(spend, len, pack_edits, why, whylen);
	return rpc_parse(msg, len, why, whylen);
}

/* ---- reply output ---- */

/* <rpc-reply xmlns=base ...echoed namespaces and attributes of <rpc>...> */
static void
put_reply_start(struct xmlout *xo, xmlNodePtr rpc)
{
	xo_str(xo, "<rpc-reply xmlns=\"" NC_NS_BASE "\"");
	if (rpc == NULL) {
		xo_str(xo, ">");
		return;
	}
	for (xmlNsPtr ns = rpc->nsDef; ns != NULL; ns = ns->next) {
		if (ns->prefix == NULL || ns->href == NULL)
			continue;
		xo_str(xo, " xmlns:");
		xo_str(xo, (const char *)ns->prefix);
		xo_str(xo, "=\"");
		xo_attr_value(xo, (const char *)ns->href);
		xo_str(xo, "\"");
	}
	xo_attrs(xo, rpc->properties);
	xo_str(xo, ">");
}

/* <data>'s child after c (NULL: the first), *i counting them: data's children or data_nodes. */
static xmlNodePtr
data_next(const struct rpc *r, xmlNodePtr c, size_t *i)
{
	if (r->data_nodes != NULL)
		return *i < r->data_nnodes ? r->data_nodes[(*i)++] : NULL;
	return c == NULL ? r->data->children : c->next;
}

/* 1 when <data> shows nothing: no children, or all of them hidden (NACM read). */
static int
data_all_hidden(const struct rpc *r)
{
	size_t i = 0;

	for (xmlNodePtr c = data_next(r, NULL, &i); c != NULL; c = data_next(r, c, &i))
		if (c->type != XML_ELEMENT_NODE || r->data_hidden == NULL ||
		    !r->data_hidden(r->data_hidden_arg, c))
			return 0;
	return 1;
}

/* The content of <data> from the file: its one range, or its ranges in order. */
static int
write_ranges(struct session *s, const struct rpc *r)
{
	if (r->data_nranges == 0)
		return framer_write_file(s->fr, r->data_fd, r->data_off, r->data_len);
	for (size_t i = 0; i < r->data_nranges; i++)
		if (framer_write_file(s->fr, r->data_fd, r->data_ranges[i].off,
		    r->data_ranges[i].len) == -1)
			return -1;
	return 0;
}

static int
write_reply(struct session *s, struct rpc *r)
{
	struct xmlout *xo;
	int rc;

	if ((xo = xo_new(s->fr)) == NULL)
		return -1;
	put_reply_start(xo, r->rpc);
	if (r->nerrors > 0 && r->err_doc != NULL) {
		xmlNodePtr root = xmlDocGetRootElement(r->err_doc);

		for (xmlNodePtr e = root->children; e != NULL; e = e->next)
			xo_node(xo, e, NULL);
	} else if (r->data_fd > 0) {
		/*
		 * a reply served from running's shared form (store/shared.c):
		 * its bytes go from the page cache to the output (sendfile),
		 * never through a buffer of this process
		 */
		if (r->data_empty)
			xo_str(xo, "<data/>");
		else {
			xo_str(xo, "<data>");
			if (xo_finish(xo) == -1 || write_ranges(s, r) == -1) {
				log_warn("running's shared form");
				return -1;	/* cut: the session ends */
			}
			xo = xo_new(s->fr);
			xo_str(xo, "</data>");
		}
	} else if (r->data != NULL || r->data_nodes != NULL) {
		size_t i = 0;

		if (r->data_ns != NULL) {
			xo_str(xo, "<data xmlns=\"");
			xo_attr_value(xo, r->data_ns);
			xo_str(xo, "\"");
		} else
			xo_str(xo, "<data");
		if (data_all_hidden(r))
			xo_str(xo, "/>");
		else {
			xo_str(xo, ">");
			for (xmlNodePtr c = data_next(r, NULL, &i); c != NULL;
			    c = data_next(r, c, &i))
				xo_data_child_hiding(xo, c, r->data_hidden, r->data_hidden_arg);
			xo_str(xo, "</data>");
		}
	} else
		xo_str(xo, "<ok/>");
	xo_str(xo, "</rpc-reply>");
	rc = xo_finish(xo);
	if (rc == 0)
		rc = framer_end(s->fr);
	if (r->nerrors > 0)
		s->out_rpc_errors++;
	return rc;
}

static const char *
malformed_tag(struct session *s)
{
	return s->base11 ? TAG_MALFORMED_MESSAGE : TAG_OPERATION_FAILED;
}

int
rpc_send_error(struct session *s, enum nc_err_type type, const char *tag,
    const char *message)
{
	struct rpc r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.s = s;
	rpc_error(&r, type, tag, NULL, "%s", message);
	rc = write_reply(s, &r);
	xmlFreeDoc(r.err_doc);
	return rc;
}

/* Checks the envelope and calls the handler; errors go into r. */
static void
dispatch(struct rpc *r)
{
	xmlNodePtr root = r->rpc, op = NULL, extra = NULL;
	xmlChar *mid;
	xmlNodePtr err;
	op_handler fn;
	int ns_known;

	if (root->ns == NULL || !xmlStrEqual(root->ns->href, BAD_CAST NC_NS_BASE) ||
	    !xmlStrEqual(root->name, BAD_CAST "rpc")) {
		(void)rpc_error(r, ERR_RPC, malformed_tag(r->s), NULL,
		    "expected <rpc> in namespace %s", NC_NS_BASE);
		return;
	}
	if ((mid = xmlGetNoNsProp(root, BAD_CAST "message-id")) == NULL) {
		err = rpc_error(r, ERR_RPC, TAG_MISSING_ATTRIBUTE, NULL,
		    "<rpc> has no message-id");
		rpc_error_info(err, "bad-attribute", "message-id");
		rpc_error_info(err, "bad-element", "rpc");
		return;
	}
	xmlFree(mid);
	for (xmlNodePtr c = root->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE) {
			if (op == NULL)
				op = c;
			else if (extra == NULL)
				extra = c;
		}
	if (op == NULL) {
		err = rpc_error(r, ERR_RPC, TAG_MISSING_ELEMENT, NULL,
		    "<rpc> names no operation");
		rpc_error_info(err, "bad-element", "rpc");
		return;
	}
	if (extra != NULL) {
		err = rpc_error(r, ERR_RPC, TAG_UNKNOWN_ELEMENT, NULL,
		    "more than one operation in <rpc>");
		rpc_error_info(err, "bad-element", (const char *)extra->name);
		return;
	}
	r->op = op;
	rpc_lenient_ns(root, op);	/* <config>, <lock>... in no namespace */
	if (op->ns != NULL && op->ns->href != NULL &&
	    (fn = nc_find_op((const char *)op->ns->href, (const char *)op->name,
	    &ns_known)) != NULL) {
		if (ops_nacm_exec(r)) {
			fn(r);
			ops_nacm_errors(r);
		}
		return;
	}
	if (op->ns == NULL || op->ns->href == NULL) {
		err = rpc_error(r, ERR_RPC, TAG_UNKNOWN_NAMESPACE, NULL,
		    "operation <%s> has no namespace", (const char *)op->name);
		rpc_error_info(err, "bad-element", (const char *)op->name);
		rpc_error_info(err, "bad-namespace", "");
		return;
	}
	if (ns_known) {
		rpc_error(r, ERR_PROTOCOL, TAG_OPERATION_NOT_SUPPORTED, NULL,
		    "operation <%s> is not supported", (const char *)op->name);
		return;
	}
	err = rpc_error(r, ERR_RPC, TAG_UNKNOWN_NAMESPACE, NULL,
	    "operation <%s> in unknown namespace %s", (const char *)op->name,
	    (const char *)op->ns->href);
	rpc_error_info(err, "bad-element", (const char *)op->name);
	rpc_error_info(err, "bad-namespace", (const char *)op->ns->href);
}

int
rpc_handle(struct session *s, const char *msg, size_t len)
{
	struct rpc r;
	char why[256];
	int rc;

	memset(&r, 0, sizeof(r));
	r.s = s;
	s->in_rpcs++;
	memcap_reset();
	if ((r.doc = rpc_parse_message(s, msg, len, why, sizeof(why))) == NULL) {
		if (memcap_over())
			rpc_error(&r, ERR_RPC, TAG_RESOURCE_DENIED, NULL, "%s",
			    MEMCAP_DENIED);
		else {
			log_debug("session %u: malformed message: %s", s->id, why);
			rpc_error(&r, ERR_RPC, malformed_tag(s), NULL, "%s", why);
		}
	} else if (memcap_over()) {
		/* the parsed request alone passes max-session-memory */
		r.rpc = xmlDocGetRootElement(r.doc);
		if (s->fr != NULL)
			framer_msg_done(s->fr);
		log_warnx("session %u: a request of %zu bytes passes max-session-memory", s->id,
		    len);
		rpc_error(&r, ERR_RPC, TAG_RESOURCE_DENIED, NULL, "%s", MEMCAP_DENIED);
	} else {
		r.rpc = xmlDocGetRootElement(r.doc);
		/* msg is parsed: its buffer (as big as the message) goes now */
		if (s->fr != NULL)
			framer_msg_done(s->fr);
		dispatch(&r);
	}
	if (r.nerrors > 0 && r.op == NULL)
		s->in_bad_rpcs++;
	/* Echo attributes only of something that is an <rpc>. */
	if (r.rpc != NULL && !xmlStrEqual(r.rpc->name, BAD_CAST "rpc"))
		r.rpc = NULL;
	rc = write_reply(s, &r);
	xmlFreeDoc(r.err_doc);
	xmlFreeDoc(r.data_owned);
	free(r.data_ranges);
	free(r.data_nodes);
	rpc_reply_hiding_free(&r);
	xmlFreeDoc(r.doc);
	/* what the RPC unpacked (an edited list entry, say) is packed again */
	packed_repack();
	/* a get-config (or NACM's rules) that parsed running leaves its form for the next sessions */
	if (s->store != NULL) {
		store_shared_publish(s->store);
		store_nacm_publish(s->store);
	}
#ifdef __GLIBC__
	/* a big request leaves free heap behind: give it back */
	if (len > NC_TRIM_AFTER)
		malloc_trim(0);
#endif
	reg_update(s);
	return rc;
}
