/*
 * Fuzz target: the edit-config engine (subsystem/edit.c) on arbitrary
 * data.  Input: byte 0 picks the options (bits 0-1 default-operation
 * merge/replace/none, bits 2-3 error-option stop/continue/rollback, bit 4
 * list keys from a schema and tests/yang's nchome-test and
 * nchome-test-toplist YANG modules (keys, top-level lists, config false,
 * values, ordered-by user, choice: tree/edit_schema.c; fuzz_data_schema
 * aborts when they do not load, so these inputs never quietly run
 * schema-less), bit 5 test-only, bit 6 packed mode, bit 7 the
 * config's nodes move into the datastore instead of being copied, as
 * nchome-netconf does); the rest is the <config> element's XML, then
 * optionally a NUL byte and a datastore document (<config> in the base
 * namespace) to edit instead of the fixed one.  The config is parsed
 * with rpc_parse(), as the server parses an <rpc>.
 *
 * Packed mode (bit 6) runs the input twice: plainly as above, then as
 * the server does with packed subtrees (subsystem/packed.c): the
 * datastore read with packed_read_memory, the config packed below its
 * root (as nc_parse packs under <edit-config><config>), the journal
 * copy serialized with xmlout and re-read packed, packed_repack() after
 * each edit once its request is freed.  Both runs must end in the same
 * bytes (xmlout) and the same kept/undone outcome.
 *
 * Line ends in the input are normalized to LF first, as XML parsing does
 * anyway (XML 1.0, 2.11): libxml2's XML_PARSE_NOBLANKS keeps a white-space
 * text before an end tag when it was a raw CR, and drops the same text
 * read back as LF from the journal or the datastore file, so the tree of
 * the next session differs (libxml2's heuristic; noted, not fixed here).
 *
 * Checks beyond "no crash, no leak":
 *  - an edit that is undone (errors, test-only, no change) leaves the tree
 *    exactly as it was (canonical form);
 *  - a kept edit survives the disk: the datastore written and read back,
 *    the config serialized as the journal stores it and re-parsed, the
 *    same edit gives the same tree (what this session sees is what the
 *    next one loads);
 *  - the edited tree does not point into the freed request document (it
 *    is serialized after the request is freed, under ASan).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_data.h"
#include "session/session.h"
#include "tree/tree.h"

#define FUZZ_EDIT_TESTONLY	32
#define FUZZ_EDIT_PACKED	64
#define FUZZ_EDIT_MOVE		128

/* Applies config to doc's root as op_edit_config does; returns the ctx result. */
static int
fuzz_edit_apply(xmlDocPtr doc, xmlNodePtr config, int flags, int *changed)
{
	struct edit_ctx c = { 0 };
	int nerr, keep;

	c.keys = (flags & 16) ? fuzz_data_keys() : NULL;
	c.schema = (flags & 16) ? fuzz_data_schema() : NULL;
	c.defop = (enum edit_defop)((flags & 3) % 3);
	c.erropt = (enum edit_erropt)(((flags >> 2) & 3) % 3);
	c.move = (flags & FUZZ_EDIT_MOVE) != 0;
	nerr = edit_apply(&c, xmlDocGetRootElement(doc), config);
	keep = !(nerr > 0 && c.erropt != ERROPT_CONTINUE) &&
	    !(flags & FUZZ_EDIT_TESTONLY) && c.changed;
	if (!keep)
		edit_undo(&c);
	*changed = keep;
	edit_ctx_clear(&c);
	return keep;
}

/* The journal's copy of config: copied into its own doc, dumped, re-read. */
static xmlDocPtr
fuzz_edit_journal_copy(xmlNodePtr config)
{
	xmlDocPtr tmp = xmlNewDoc(BAD_CAST "1.0"), back;
	xmlBufferPtr buf = xmlBufferCreate();

	if (tmp == NULL || buf == NULL)
		abort();
	xmlDocSetRootElement(tmp, xmlDocCopyNode(config, tmp, 1));
	xmlNodeDump(buf, tmp, xmlDocGetRootElement(tmp), 0, 0);
	xmlFreeDoc(tmp);
	back = xmlReadMemory((const char *)xmlBufferContent(buf), xmlBufferLength(buf),
	    NULL, NULL, NC_XML_PARSE_OPTS);
	xmlBufferFree(buf);
	return back;
}

/*
 * The journal's copy of packed config as journal.c's rec_serialize writes
 * it (in-scope namespaces on a new <config>, the children through
 * xmlout) and replay_one reads it back (packed).
 */
static xmlDocPtr
fuzz_edit_journal_copy_packed(xmlNodePtr config)
{
	struct fuzz_data_buf b = { 0 };
	xmlNsPtr *nss;
	xmlDocPtr back;

	fuzz_data_put(&b, "<config", 7);
	if ((nss = xmlGetNsList(config->doc, config)) != NULL) {
		for (int i = 0; nss[i] != NULL; i++) {
			const char *p = (const char *)nss[i]->prefix;
			char *v;
			struct fuzz_data_buf q = { 0 };
			struct xmlout *xo = xo_new_writer(fuzz_data_put, &q);

			fuzz_data_put(&b, p != NULL ? " xmlns:" : " xmlns", p != NULL ? 7 : 6);
			if (p != NULL)
				fuzz_data_put(&b, p, strlen(p));
			fuzz_data_put(&b, "=\"", 2);
			fuzz_data_put(&q, "", 0);
			xo_attr_value(xo, (const char *)nss[i]->href);
			xo_finish(xo);
			v = q.p;
			fuzz_data_put(&b, v, strlen(v));
			free(v);
			fuzz_data_put(&b, "\"", 1);
		}
		xmlFree(nss);
	}
	fuzz_data_put(&b, ">", 1);
	for (xmlNodePtr ch = config->children; ch != NULL; ch = ch->next) {
		char *s = fuzz_data_ser(ch);

		fuzz_data_put(&b, s, strlen(s));
		free(s);
	}
	fuzz_data_put(&b, "</config>", 9);
	back = packed_read_memory(b.p, (int)b.len, NC_XML_PARSE_OPTS);
	free(b.p);
	return back;
}

/*
 * The config as rpc_parse() reads it, packed below its root as nc_parse
 * packs what is inside <edit-config><config>; only for input nc_parse
 * took (so no DOCTYPE).
 */
static xmlDocPtr
fuzz_edit_parse_packed(const char *buf, size_t len)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;

	while (len > 0 && (*buf == ' ' || *buf == '\t' || *buf == '\r' || *buf == '\n')) {
		buf++;
		len--;
	}
	if ((ctxt = xmlNewParserCtxt()) == NULL)
		abort();
	packed_parse_with(ctxt, NULL);
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (doc == NULL || !ctxt->wellFormed || !ctxt->nsWellFormed ||
	    doc->intSubset != NULL || xmlDocGetRootElement(doc) == NULL)
		abort();	/* nc_parse took it */
	xmlFreeParserCtxt(ctxt);
	return doc;
}

/* A datastore as written to disk: libxml2's dump, or xmlout's when packed. */
static char *
fuzz_edit_disk(xmlDocPtr doc, int packed)
{
	return packed ? fuzz_data_ser_doc(doc) : fuzz_data_dump(doc);
}

static xmlDocPtr
fuzz_edit_read(const char *buf, size_t len, int packed)
{
	return packed ? fuzz_data_read_packed(buf, len) : fuzz_data_read(buf, len);
}

static char *
fuzz_edit_canon(xmlDocPtr doc, int packed)
{
	return packed ? fuzz_data_c14n_unpacked(doc) : fuzz_data_c14n(doc);
}

/* packed_repack() as rpc_handle calls it: it must not change the tree. */
static void
fuzz_edit_repack(xmlDocPtr doc, int packed)
{
	char *a, *b;

	if (!packed)
		return;
	a = fuzz_data_ser(xmlDocGetRootElement(doc));
	packed_repack();
	b = fuzz_data_ser(xmlDocGetRootElement(doc));
	if (strcmp(a, b) != 0)
		abort();	/* repacking changed the data */
	free(a);
	free(b);
}

/*
 * One run (plain or packed) of an input: all the checks above.  Returns
 * the outcome, kept or not and the edited datastore's bytes (malloc()ed),
 * or NULL when the input is unfit.
 */
static char *
fuzz_edit_run(const char *cfg, size_t cfglen, const char *ds, size_t dslen,
    int flags, int packed)
{
	xmlDocPtr req, doc, doc2 = NULL, jr;
	char why[256], *before, *after, *disk_before, *again, *result, *ser;
	int kept, changed;

	if ((doc = fuzz_edit_read(ds, dslen, packed)) == NULL)
		return NULL;
	if ((req = rpc_parse(cfg, cfglen, why, sizeof(why))) == NULL ||
	    xmlDocGetRootElement(req) == NULL) {
		if (req != NULL)
			xmlFreeDoc(req);
		doc_free(doc);
		return NULL;
	}
	if (packed) {
		xmlFreeDoc(req);
		req = fuzz_edit_parse_packed(cfg, cfglen);
	}
	before = fuzz_edit_canon(doc, packed);
	disk_before = fuzz_edit_disk(doc, packed);	/* what running.xml would hold */
	/* journaled before it is applied: applying may move its nodes */
	jr = packed ? fuzz_edit_journal_copy_packed(xmlDocGetRootElement(req)) :
	    fuzz_edit_journal_copy(xmlDocGetRootElement(req));
	if (jr == NULL || xmlDocGetRootElement(jr) == NULL)
		abort();	/* what was written must read back */

	kept = fuzz_edit_apply(doc, xmlDocGetRootElement(req), flags, &changed);
	xmlFreeDoc(req);	/* the edited tree must not point into it */
	fuzz_edit_repack(doc, packed);
	if (kept) {
		/* the same edit as a later session replays it from disk */
		doc2 = fuzz_edit_read(disk_before, strlen(disk_before), packed);
		if (doc2 == NULL)
			abort();
		(void)fuzz_edit_apply(doc2, xmlDocGetRootElement(jr),
		    flags & ~FUZZ_EDIT_TESTONLY, &changed);
		xmlFreeDoc(jr);
		fuzz_edit_repack(doc2, packed);
	} else
		xmlFreeDoc(jr);

	after = fuzz_edit_canon(doc, packed);
	if (!kept) {
		if (before != NULL && (after == NULL || strcmp(before, after) != 0))
			abort();	/* an undone edit changed the tree */
	} else {
		char *dump = fuzz_edit_disk(doc, packed);
		xmlDocPtr reread = fuzz_edit_read(dump, strlen(dump), packed);

		if (reread == NULL)
			abort();	/* the edited datastore must be readable */
		doc_free(reread);
		free(dump);
		again = fuzz_edit_canon(doc2, packed);
		if (after != NULL && again != NULL && strcmp(after, again) != 0)
			abort();	/* replaying the journal gives another tree */
		free(again);
	}
	ser = fuzz_data_ser(xmlDocGetRootElement(doc));
	if ((result = malloc(strlen(ser) + 3)) == NULL)
		abort();
	result[0] = kept ? 'K' : 'U';
	result[1] = '\n';
	strcpy(result + 2, ser);
	free(ser);
	free(before);
	free(after);
	free(disk_before);
	doc_free(doc);
	if (doc2 != NULL)
		doc_free(doc2);
	return result;
}

static int
fuzz_edit_one(const uint8_t *data, size_t size)
{
	const char *cfg, *ds, *nul;
	size_t cfglen, dslen;
	char *plain, *packed, *lf;
	int flags;

	if (size < 1)
		return 0;
	flags = data[0];
	/* CR LF and CR to LF (see the top comment) */
	if ((lf = malloc(size)) == NULL)
		abort();
	cfglen = 0;
	for (size_t i = 1; i < size; i++)
		if (data[i] != '\r')
			lf[cfglen++] = (char)data[i];
		else if (i + 1 == size || data[i + 1] != '\n')
			lf[cfglen++] = '\n';
	cfg = lf;
	ds = fuzz_data_default;
	dslen = sizeof(fuzz_data_default) - 1;
	if ((nul = memchr(cfg, '\0', cfglen)) != NULL) {
		ds = nul + 1;
		dslen = cfglen - (size_t)(nul + 1 - cfg);
		cfglen = (size_t)(nul - cfg);
	}
	if (cfglen > INT32_MAX || dslen > INT32_MAX) {
		free(lf);
		return 0;
	}
	plain = fuzz_edit_run(cfg, cfglen, ds, dslen, flags, 0);
	if (flags & FUZZ_EDIT_PACKED) {
		packed = fuzz_edit_run(cfg, cfglen, ds, dslen, flags, 1);
		if ((plain == NULL) != (packed == NULL) ||
		    (plain != NULL && strcmp(plain, packed) != 0))
			abort();	/* packed, the edit went otherwise */
		free(packed);
	}
	free(plain);
	free(lf);
	return 0;
}

FUZZ_TARGET(fuzz_edit_one)
