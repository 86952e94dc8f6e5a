/*
 * From a framed message to exactly one <rpc-reply>: parse (hardened),
 * check the <rpc> envelope, dispatch by operation name and namespace,
 * and stream the reply through the framer.
 *
 * The reply is never built as a tree: the <rpc-reply> start tag is
 * written by hand (echoing every attribute of <rpc> with its namespace),
 * then <ok/>, the <rpc-error>s or the <data> children are serialized with
 * xmlNodeDumpOutput into an xmlOutputBuffer whose write callback is the
 * framer, so a 10 MB get-config goes from the datastore tree to the
 * framer's 256 KiB output buffer without an intermediate copy.
 *
 * malformed-message is a base:1.1 error-tag that RFC 6241 Appendix A
 * forbids towards base:1.0 clients; those get operation-failed instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlsave.h>

#include "framing.h"
#include "log.h"
#include "rpc_io.h"
#include "session_registry.h"

#define MAX_OPS	32

struct op_entry {
	const char	*ns;
	const char	*name;
	op_handler	 fn;
};

static struct op_entry ops[MAX_OPS] = {
	{ NC_NS_BASE, "get", op_get },
	{ NC_NS_BASE, "get-config", op_get_config },
	{ NC_NS_BASE, "edit-config", op_edit_config },
	{ NC_NS_BASE, "copy-config", op_copy_config },
	{ NC_NS_BASE, "delete-config", op_delete_config },
	{ NC_NS_BASE, "lock", op_lock },
	{ NC_NS_BASE, "unlock", op_unlock },
	{ NC_NS_BASE, "close-session", op_close_session },
	{ NC_NS_BASE, "kill-session", op_kill_session },
	{ NC_NS_BASE, "commit", op_commit },
	{ NC_NS_BASE, "discard-changes", op_discard_changes },
	{ NC_NS_BASE, "cancel-commit", op_cancel_commit },
	{ NC_NS_BASE, "validate", op_validate },
};

int
rpc_register_op(const char *ns, const char *name, op_handler fn)
{
	for (int i = 0; i < MAX_OPS; i++)
		if (ops[i].name == NULL) {
			ops[i].ns = ns;
			ops[i].name = name;
			ops[i].fn = fn;
			return 0;
		}
	return -1;
}

/* ---- parsing ---- */

/* SAX hook: a DOCTYPE stops the parser before its internal subset. */
static void
refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *ext,
    const xmlChar *sys)
{
	xmlParserCtxtPtr ctxt = ctx;

	(void)name; (void)ext; (void)sys;
	ctxt->_private = (void *)1;
	xmlStopParser(ctxt);
}

xmlDocPtr
nc_parse(const char *buf, size_t len, char *why, size_t whylen)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	const xmlError *e;

	if (len > INT32_MAX) {
		snprintf(why, whylen, "message too large to parse");
		return NULL;
	}
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	ctxt->sax->internalSubset = refuse_doctype;
	ctxt->_private = NULL;
	/* Never NOENT, never DTDLOAD; the encoding is forced to UTF-8. */
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (ctxt->_private != NULL) {
		snprintf(why, whylen, "DOCTYPE not allowed");
		xmlFreeDoc(doc);
		doc = NULL;
	} else if (doc == NULL || !ctxt->wellFormed || !ctxt->nsWellFormed) {
		e = xmlCtxtGetLastError(ctxt);
		snprintf(why, whylen, "not well-formed XML%s%.200s",
		    e != NULL && e->message != NULL ? ": " : "",
		    e != NULL && e->message != NULL ? e->message : "");
		/* libxml2 messages end in a newline */
		if (strlen(why) > 0 && why[strlen(why) - 1] == '\n')
			why[strlen(why) - 1] = '\0';
		xmlFreeDoc(doc);
		doc = NULL;
	} else if (doc->intSubset != NULL || doc->extSubset != NULL ||
	    xmlDocGetRootElement(doc) == NULL) {
		snprintf(why, whylen, "DOCTYPE not allowed");
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
}

/* ---- reply output ---- */

static int
out_write(void *ctx, const char *buf, int len)
{
	struct framer *fr = ctx;

	if (len <= 0)
		return 0;
	return framer_write(fr, buf, (size_t)len) == -1 ? -1 : len;
}

static int
out_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* Writes s escaped for an attribute value in double quotes. */
static void
put_attr_value(xmlOutputBufferPtr out, const char *v)
{
	const char *start = v;

	for (; *v != '\0'; v++) {
		const char *rep;

		switch (*v) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\n': rep = "&#10;"; break;
		case '\r': rep = "&#13;"; break;
		case '\t': rep = "&#9;"; break;
		default: continue;
		}
		xmlOutputBufferWrite(out, (int)(v - start), start);
		xmlOutputBufferWriteString(out, rep);
		start = v + 1;
	}
	xmlOutputBufferWrite(out, (int)(v - start), start);
}

/* <rpc-reply xmlns=base ...echoed namespaces and attributes of <rpc>...> */
static void
put_reply_start(xmlOutputBufferPtr out, xmlNodePtr rpc)
{
	xmlOutputBufferWriteString(out, "<rpc-reply xmlns=\"" NC_NS_BASE "\"");
	if (rpc == NULL) {
		xmlOutputBufferWriteString(out, ">");
		return;
	}
	for (xmlNsPtr ns = rpc->nsDef; ns != NULL; ns = ns->next) {
		if (ns->prefix == NULL || ns->href == NULL)
			continue;
		xmlOutputBufferWriteString(out, " xmlns:");
		xmlOutputBufferWriteString(out, (const char *)ns->prefix);
		xmlOutputBufferWriteString(out, "=\"");
		put_attr_value(out, (const char *)ns->href);
		xmlOutputBufferWriteString(out, "\"");
	}
	for (xmlAttrPtr a = rpc->properties; a != NULL; a = a->next) {
		xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);

		xmlOutputBufferWriteString(out, " ");
		if (a->ns != NULL && a->ns->prefix != NULL) {
			xmlOutputBufferWriteString(out, (const char *)a->ns->prefix);
			xmlOutputBufferWriteString(out, ":");
		}
		xmlOutputBufferWriteString(out, (const char *)a->name);
		xmlOutputBufferWriteString(out, "=\"");
		put_attr_value(out, v != NULL ? (const char *)v : "");
		xmlOutputBufferWriteString(out, "\"");
		xmlFree(v);
	}
	xmlOutputBufferWriteString(out, ">");
}

/* 1 when node itself declares prefix (NULL: the default namespace). */
static int
declares(xmlNodePtr node, const xmlChar *prefix)
{
	for (xmlNsPtr ns = node->nsDef; ns != NULL; ns = ns->next)
		if (xmlStrEqual(ns->prefix, prefix))
			return 1;
	return 0;
}

/*
 * Serializes one data child so it stands alone: namespaces it inherits
 * from its ancestors in the datastore document are declared on it for
 * the time of the dump, and a child in no namespace gets xmlns="" (it
 * will sit under <data> in the base namespace).
 */
static void
dump_child(xmlOutputBufferPtr out, xmlNodePtr child)
{
	xmlNsPtr added = NULL, *tail, last_orig;

	if (child->type != XML_ELEMENT_NODE) {
		xmlNodeDumpOutput(out, child->doc, child, 0, 0, NULL);
		return;
	}
	for (xmlNodePtr a = child->parent; a != NULL && a->type == XML_ELEMENT_NODE;
	    a = a->parent)
		for (xmlNsPtr ns = a->nsDef; ns != NULL; ns = ns->next) {
			xmlNsPtr n;
			int seen = declares(child, ns->prefix);

			for (n = added; n != NULL && !seen; n = n->next)
				if (xmlStrEqual(n->prefix, ns->prefix))
					seen = 1;
			if (seen || (ns->prefix == NULL && child->ns == NULL))
				continue;
			if ((n = xmlNewNs(NULL, ns->href, ns->prefix)) == NULL)
				continue;
			n->next = added;
			added = n;
		}
	if (child->ns == NULL && !declares(child, NULL)) {
		xmlNsPtr n = xmlNewNs(NULL, BAD_CAST "", NULL);

		if (n != NULL) {
			n->next = added;
			added = n;
		}
	}
	/* Append the temporary declarations, dump, cut them off again. */
	last_orig = NULL;
	for (tail = &child->nsDef; *tail != NULL; tail = &(*tail)->next)
		last_orig = *tail;
	*tail = added;
	xmlNodeDumpOutput(out, child->doc, child, 0, 0, NULL);
	if (last_orig != NULL)
		last_orig->next = NULL;
	else
		child->nsDef = NULL;
	xmlFreeNsList(added);
}

static int
write_reply(struct session *s, struct rpc *r)
{
	xmlOutputBufferPtr out;
	int rc;

	if ((out = xmlOutputBufferCreateIO(out_write, out_close, s->fr, NULL)) == NULL)
		return -1;
	put_reply_start(out, r->rpc);
	if (r->nerrors > 0 && r->err_doc != NULL) {
		xmlNodePtr root = xmlDocGetRootElement(r->err_doc);

		for (xmlNodePtr e = root->children; e != NULL; e = e->next)
			xmlNodeDumpOutput(out, r->err_doc, e, 0, 0, NULL);
	} else if (r->data != NULL) {
		if (r->data_ns != NULL) {
			xmlOutputBufferWriteString(out, "<data xmlns=\"");
			xmlOutputBufferWriteString(out, r->data_ns);
			xmlOutputBufferWriteString(out, "\"");
		} else
			xmlOutputBufferWriteString(out, "<data");
		if (r->data->children == NULL)
			xmlOutputBufferWriteString(out, "/>");
		else {
			xmlOutputBufferWriteString(out, ">");
			for (xmlNodePtr c = r->data->children; c != NULL; c = c->next)
				dump_child(out, c);
			xmlOutputBufferWriteString(out, "</data>");
		}
	} else
		xmlOutputBufferWriteString(out, "<ok/>");
	xmlOutputBufferWriteString(out, "</rpc-reply>");
	rc = out->error != 0 ? -1 : 0;
	if (xmlOutputBufferClose(out) < 0)
		rc = -1;
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

	if (root->ns == NULL || !xmlStrEqual(root->ns->href, BAD_CAST NC_NS_BASE) ||
	    !xmlStrEqual(root->name, BAD_CAST "rpc")) {
		err = rpc_error(r, ERR_RPC, malformed_tag(r->s), NULL,
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
	for (int i = 0; i < MAX_OPS && ops[i].name != NULL; i++) {
		if (op->ns == NULL || !xmlStrEqual(op->ns->href, BAD_CAST ops[i].ns) ||
		    !xmlStrEqual(op->name, BAD_CAST ops[i].name))
			continue;
		ops[i].fn(r);
		return;
	}
	if (op->ns == NULL || op->ns->href == NULL) {
		err = rpc_error(r, ERR_RPC, TAG_UNKNOWN_NAMESPACE, NULL,
		    "operation <%s> has no namespace", (const char *)op->name);
		rpc_error_info(err, "bad-element", (const char *)op->name);
		rpc_error_info(err, "bad-namespace", "");
		return;
	}
	for (int i = 0; i < MAX_OPS && ops[i].name != NULL; i++)
		if (xmlStrEqual(op->ns->href, BAD_CAST ops[i].ns)) {
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
	if ((r.doc = nc_parse(msg, len, why, sizeof(why))) == NULL) {
		log_debug("session %u: malformed message: %s", s->id, why);
		rpc_error(&r, ERR_RPC, malformed_tag(s), NULL, "%s", why);
	} else {
		r.rpc = xmlDocGetRootElement(r.doc);
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
	xmlFreeDoc(r.doc);
	registry_update(s);
	return rc;
}
