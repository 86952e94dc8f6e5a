/*
 * The RPC layer end to end without a process: rpc_handle() on a message,
 * the reply read back from the framer's output file.  Checks the envelope
 * errors, the echo of <rpc> attributes, that <data> children carry the
 * namespaces they inherit in their own document, that the parser spends
 * the framer's message and no other bytes, and prints (as a TAP
 * comment, not a pass/fail) how fast a 10 MB reply is serialized.
 */
#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "netconf/netconf.h"
#include "ops/ops.h"
#include "server.h"
#include "session/session.h"
#include "unit.h"

static xmlDocPtr data_doc;

static void
op_test_data(struct rpc *r)
{
	rpc_reply_data(r, xmlDocGetRootElement(data_doc), NULL);
}

/* Runs one message through rpc_handle; returns the reply text (malloc). */
static char *
roundtrip(struct session *s, const char *msg, size_t *outlen)
{
	FILE *f = tmpfile();
	char *buf;
	long n;

	s->fr = framer_new(-1, fileno(f), 1 << 30);
	rpc_handle(s, msg, strlen(msg));
	framer_free(s->fr);
	s->fr = NULL;
	ops_nacm_end(s);	/* the session's NACM view, as server.c's end does */
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	n = (long)fread(buf, 1, (size_t)n, f);
	buf[n] = '\0';
	fclose(f);
	/* strip the EOM delimiter */
	if (n >= 6 && strcmp(buf + n - 6, "]]>]]>") == 0)
		buf[n -= 6] = '\0';
	if (outlen != NULL)
		*outlen = (size_t)n;
	return buf;
}

static const char *
ns_of(xmlNodePtr n)
{
	return n != NULL && n->ns != NULL ? (const char *)n->ns->href : "";
}

static xmlNodePtr
first_elem(xmlNodePtr n)
{
	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

static void
test_envelope(struct session *s)
{
	char *out;

	out = roundtrip(s, "<rpc xmlns='urn:ietf:params:xml:ns:netconf:base:1.0' "
	    "xmlns:ex='urn:ex' message-id='101' ex:user='a&amp;b'><close-session/></rpc>", NULL);
	CHECK(strstr(out, "message-id=\"101\"") != NULL && strstr(out, "ex:user=\"a&amp;b\"") != NULL &&
	    strstr(out, "xmlns:ex=\"urn:ex\"") != NULL && strstr(out, "<ok/>") != NULL,
	    "attributes and their namespaces echoed: %s", out);
	free(out);
	s->closing = 0;
	out = roundtrip(s, "<rpc xmlns='urn:ietf:params:xml:ns:netconf:base:1.0'><get/></rpc>", NULL);
	CHECK(strstr(out, "<error-tag>missing-attribute</error-tag>") != NULL &&
	    strstr(out, "<bad-attribute>message-id</bad-attribute>") != NULL,
	    "missing message-id: %s", out);
	free(out);
	out = roundtrip(s, "<rpc", NULL);
	CHECK(strstr(out, "<error-tag>malformed-message</error-tag>") != NULL &&
	    strstr(out, "message-id") == NULL, "bad XML: %s", out);
	free(out);
}

static void
test_namespaces(struct session *s)
{
	const char *src = "<root xmlns='urn:a' xmlns:p='urn:p'><x><p:y/></x>"
	    "<z xmlns='urn:z'/><p:w/></root>";
	xmlDocPtr doc;
	xmlNodePtr data, c;
	char *out;
	size_t len;

	data_doc = xmlReadMemory(src, (int)strlen(src), NULL, NULL, 0);
	xmlNodePtr bare = xmlNewNode(NULL, BAD_CAST "bare");
	xmlAddChild(xmlDocGetRootElement(data_doc), bare);
	out = roundtrip(s, "<rpc xmlns='urn:ietf:params:xml:ns:netconf:base:1.0' message-id='1'>"
	    "<data-test xmlns='urn:test'/></rpc>", &len);
	doc = xmlReadMemory(out, (int)len, NULL, NULL, XML_PARSE_NONET);
	CHECK(doc != NULL, "reply with data is well-formed: %s", out);
	data = doc ? first_elem(xmlDocGetRootElement(doc)->children) : NULL;
	CHECK(data != NULL && strcmp((const char *)data->name, "data") == 0 &&
	    strcmp(ns_of(data), "urn:ietf:params:xml:ns:netconf:base:1.0") == 0, "<data> in base ns");
	c = data ? first_elem(data->children) : NULL;
	CHECK(c != NULL && strcmp((const char *)c->name, "x") == 0 && strcmp(ns_of(c), "urn:a") == 0,
	    "inherited default namespace declared on the child: %s", out);
	CHECK(c != NULL && c->children != NULL && strcmp(ns_of(c->children), "urn:p") == 0,
	    "inherited prefix declared on the child");
	c = c ? first_elem(c->next) : NULL;
	CHECK(c != NULL && strcmp(ns_of(c), "urn:z") == 0, "own namespace kept");
	c = c ? first_elem(c->next) : NULL;
	CHECK(c != NULL && strcmp(ns_of(c), "urn:p") == 0, "prefixed child keeps its namespace");
	c = c ? first_elem(c->next) : NULL;
	CHECK(c != NULL && strcmp((const char *)c->name, "bare") == 0 && strcmp(ns_of(c), "") == 0,
	    "child in no namespace stays in no namespace (xmlns=\"\")");
	/* the datastore tree is left as it was */
	xmlNodePtr x = first_elem(xmlDocGetRootElement(data_doc)->children);
	CHECK(x->nsDef == NULL, "datastore tree left without extra declarations");
	xmlFreeDoc(doc);
	xmlFreeDoc(data_doc);
	free(out);
}

/* A request of about 900 kB: a close-session after a run of spaces. */
static char *
padded_request(size_t *len)
{
	const char *head = "<rpc xmlns='urn:ietf:params:xml:ns:netconf:base:1.0' message-id='7'>";
	const char *tail = "<close-session/></rpc>";
	size_t pad = 900 * 1024, hl = strlen(head), tl = strlen(tail);
	char *m = malloc(hl + pad + tl + 1);

	memcpy(m, head, hl);
	memset(m + hl, ' ', pad);
	memcpy(m + hl + pad, tail, tl + 1);
	*len = hl + pad + tl;
	return m;
}

static size_t
count_zeros(const char *p, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += p[i] == '\0';
	return n;
}

/*
 * rpc_handle gives back the pages of the framer's message as the parser
 * reads them (on Linux they read as zeros), and only reads bytes that are
 * not the framer's.
 */
static void
test_spends_framer_message(struct session *s)
{
	FILE *f = tmpfile();
	size_t len, mlen;
	char *req = padded_request(&len), *msg;
	enum fr_result rc;
	long n;

	s->fr = framer_new(-1, fileno(f), 1 << 30);
	framer_push(s->fr, req, len);
	framer_push(s->fr, "]]>]]>", 6);
	rc = framer_next(s->fr, &msg, &mlen);
	CHECK(rc == FR_MSG && mlen == len, "the padded request is one message");
	CHECK(framer_msg_spendable(s->fr, msg, mlen) == msg &&
	    framer_msg_spendable(s->fr, msg + 1, mlen - 1) == msg + 1 &&
	    framer_msg_spendable(s->fr, msg, mlen + 1) == NULL &&
	    framer_msg_spendable(s->fr, req, len) == NULL,
	    "the framer hands out its message, and nothing else, to spend");
	rpc_handle(s, msg, mlen);
	/* a 1 MB message buffer stays with the framer for the next message */
#ifdef __linux__
	CHECK(count_zeros(msg, mlen) >= 512 * 1024,
	    "pages the parser read were given back (%zu zero bytes of %zu)",
	    count_zeros(msg, mlen), mlen);
#endif
	CHECK(framer_msg_spendable(s->fr, msg, mlen) == NULL,
	    "nothing to spend once the message is done");
	s->closing = 0;
	rpc_handle(s, req, len);
	CHECK(count_zeros(req, len) == 0, "a caller's own bytes are only read");
	s->closing = 0;
	framer_free(s->fr);
	s->fr = NULL;
	ops_nacm_end(s);
	fflush(f);
	n = ftell(f);
	CHECK(n > 0 && n < 4096, "two short replies written (%ld bytes)", n);
	fclose(f);
	free(req);
}

/*
 * nc_parse_spending keeps every page that holds a byte before the message
 * or one it has not read: the parse is the same as nc_parse's.
 */
static void
test_spending_keeps_neighbours(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len, at = 100;
	size_t size = 2 * 1024 * 1024;
	char *req = padded_request(&len), *area, why[128];
	xmlDocPtr doc;

	area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		CHECK(0, "mmap");
		free(req);
		return;
	}
	memset(area, 'x', size);
	memcpy(area + at, req, len);
	doc = nc_parse_spending(area + at, len, NULL, why, sizeof(why));
	CHECK(doc != NULL && nc_child(xmlDocGetRootElement(doc), "close-session") != NULL,
	    "a spent message parses as itself: %s", doc != NULL ? "ok" : why);
	CHECK(count_zeros(area, at) == 0, "the bytes before the message are kept");
	CHECK(count_zeros(area + at + len, size - at - len) == 0,
	    "the bytes after the message are kept");
#ifdef __linux__
	CHECK(count_zeros(area, size) >= 512 * 1024 &&
	    count_zeros(area + page, at + len - page) == count_zeros(area, size),
	    "only whole pages inside the message went back");
#endif
	xmlFreeDoc(doc);
	munmap(area, size);
	free(req);
}

static void
bench_big(struct session *s)
{
	xmlNodePtr root, items, it;
	char name[64], *out;
	struct timespec t0, t1;
	size_t len;
	double secs;

	data_doc = xmlNewDoc(BAD_CAST "1.0");
	root = xmlNewNode(NULL, BAD_CAST "config");
	xmlDocSetRootElement(data_doc, root);
	items = xmlNewChild(root, NULL, BAD_CAST "items", NULL);
	xmlSetNs(items, xmlNewNs(items, BAD_CAST "urn:example:items", NULL));
	for (int i = 0; i < 50000; i++) {
		it = xmlNewChild(items, items->ns, BAD_CAST "item", NULL);
		snprintf(name, sizeof(name), "item-%06d", i);
		xmlNewTextChild(it, items->ns, BAD_CAST "name", BAD_CAST name);
		xmlNewTextChild(it, items->ns, BAD_CAST "description",
		    BAD_CAST "a description that makes the entry about two hundred bytes long");
		xmlNewTextChild(it, items->ns, BAD_CAST "value", BAD_CAST "12345678");
		xmlNewTextChild(it, items->ns, BAD_CAST "enabled", BAD_CAST "true");
	}
	out = roundtrip(s, "<rpc xmlns='urn:ietf:params:xml:ns:netconf:base:1.0' message-id='1'>"
	    "<data-test xmlns='urn:test'/></rpc>", &len);
	CHECK(len > 8000000 && strstr(out + len - 40, "</data></rpc-reply>") != NULL,
	    "50000-entry reply complete (%zu bytes)", len);
	/* timing: the same reply into /dev/null, best of 3 */
	secs = 1e9;
	for (int k = 0; k < 3; k++) {
		const char *m = "<rpc xmlns='urn:ietf:params:xml:ns:netconf:base:1.0' message-id='1'>"
		    "<data-test xmlns='urn:test'/></rpc>";
		FILE *null = fopen("/dev/null", "w");
		double d;

		s->fr = framer_new(-1, fileno(null), 1 << 30);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rpc_handle(s, m, strlen(m));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		framer_free(s->fr);
		s->fr = NULL;
		fclose(null);
		d = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (d < secs)
			secs = d;
	}
	ops_nacm_end(s);
	printf("# reply of %.1f MB serialized through the framer in %.3f s: %.0f MB/s\n",
	    (double)len / 1e6, secs, (double)len / 1e6 / secs);
	free(out);
	xmlFreeDoc(data_doc);
}

int
main(void)
{
	struct session s;

	memset(&s, 0, sizeof(s));
	s.id = 1;
	s.base11 = 1;
	server_setup();		/* the operations, as nchome-netconf has them */
	nc_register_op("urn:test", "data-test", op_test_data);
	test_envelope(&s);
	test_namespaces(&s);
	test_spends_framer_message(&s);
	test_spending_keeps_neighbours();
	bench_big(&s);
	xmlCleanupParser();
	UNIT_DONE();
}
