/*
 * RFC 8341 3.4.3: an <rpc-error> must not tell a session what it may not
 * read.  Two places could: a validation error (validate, commit, an
 * edit of running) whose error-path, app-tag, message or error-info
 * names a node in a subtree the session may not read, and an edit's
 * data-exists / data-missing, whose tag alone tells whether such a node
 * exists.  The first is generalised after the handler, the second is
 * answered with access-denied by the edit (tree/edit.c asks may_read).
 * access-denied errors are NACM's own and already name only what the
 * session sent or may read (nacm_write_check).  A RELAX NG message has
 * no error-path to check but may quote any node or value of the
 * document, so for a session that may not read everything it is
 * generalised too.  So is a message beside a readable error-path that
 * quotes an instance path of its own: libyang names the other entry of
 * a unique clash ("... in \"/m:l[k='a']\" and \"/m:l[k='b']\""), which
 * the session may not read; the error keeps its path and tags.
 */
#include <string.h>

#include "access/access.h"
#include "ops_int.h"

#define GENERAL_MESSAGE	"the data is not valid where this session may not read it"
#define WITHHELD_MESSAGE "the data is not valid; the schema check's message is withheld, " \
	"as it may quote data this session may not read"
#define PATHS_WITHHELD_MESSAGE "the data is not valid here; the schema check's message " \
	"is withheld, as it names other data this session may not read"

static int
may_read(void *arg, const xmlNode *e)
{
	return nacm_data_allowed(arg, e, NACM_READ);
}

void
ops_nacm_edit_reads(struct session *s, struct edit_ctx *c)
{
	struct nacm_session *v = ops_nacm_view(s);

	c->may_read = NULL;
	c->may_read_arg = NULL;
	if (v == NULL || nacm_read_all(v))
		return;
	c->may_read = may_read;
	c->may_read_arg = v;
}

static int
is_child(const xmlNode *c, const char *name)
{
	return c->type == XML_ELEMENT_NODE && c->ns != NULL &&
	    xmlStrEqual(c->ns->href, BAD_CAST NC_NS_BASE) &&
	    xmlStrEqual(c->name, BAD_CAST name);
}

/*
 * err gets message as its error-message.  With keep_rest, only its own
 * message goes; otherwise everything but error-type, -tag and -severity.
 */
static void
replace_message(xmlNodePtr err, int keep_rest, const char *message)
{
	xmlNodePtr c, next, msg;

	for (c = err->children; c != NULL; c = next) {
		next = c->next;
		if (keep_rest ? !is_child(c, "error-message") :
		    is_child(c, "error-type") || is_child(c, "error-tag") ||
		    is_child(c, "error-severity"))
			continue;
		xmlUnlinkNode(c);
		xmlFreeNode(c);
	}
	msg = xmlNewTextChild(err, err->ns, BAD_CAST "error-message", BAD_CAST message);
	if (msg != NULL)
		xmlNodeSetLang(msg, BAD_CAST "en");
}

/* The error-message's text quotes an instance path ("/...). */
static int
message_quotes_path(xmlNodePtr msg)
{
	xmlChar *text = xmlNodeGetContent(msg);
	int rc = text == NULL || strstr((const char *)text, "\"/") != NULL;

	xmlFree(text);
	return rc;
}

/*
 * 1 when err's error-path names a node the session may not read (or
 * cannot tell); 2 when err has none but may describe datastore content;
 * 3 when the path is readable but the message quotes instance paths.
 */
static int
names_unreadable(const struct nacm_session *v, xmlNodePtr err, int unscoped)
{
	xmlNodePtr c, path = NULL, msg = NULL;
	xmlChar *text;
	int rc;

	for (c = err->children; c != NULL; c = c->next) {
		if (is_child(c, "error-tag")) {
			text = xmlNodeGetContent(c);
			rc = text != NULL && xmlStrEqual(text, BAD_CAST TAG_ACCESS_DENIED);
			xmlFree(text);
			if (rc)
				return 0;
		} else if (is_child(c, "error-path"))
			path = c;
		else if (is_child(c, "error-message"))
			msg = c;
	}
	if (path == NULL)
		return unscoped ? 2 : 0;
	if ((text = xmlNodeGetContent(path)) == NULL)
		return 1;
	rc = nacm_path_readable(v, path, (const char *)text);
	xmlFree(text);
	if (rc == 0 || rc == -1)	/* out of memory: say less, not more */
		return 1;
	return msg != NULL && message_quotes_path(msg) ? 3 : 0;
}

void
ops_nacm_errors(struct rpc *r)
{
	struct nacm_session *v = ops_nacm_view(r->s);
	xmlNodePtr root;
	int rc;

	if (r->err_doc == NULL || v == NULL || nacm_read_all(v) ||
	    (root = xmlDocGetRootElement(r->err_doc)) == NULL)
		return;
	for (xmlNodePtr e = root->children; e != NULL; e = e->next)
		if (is_child(e, "rpc-error") &&
		    (rc = names_unreadable(v, e, r->errors_unscoped)) != 0) {
			if (rc == 3)
				replace_message(e, 1, PATHS_WITHHELD_MESSAGE);
			else
				replace_message(e, 0, rc == 2 ? WITHHELD_MESSAGE : GENERAL_MESSAGE);
		}
}
