/*
 * Fuzz target: the edit-config engine (subsystem/edit.c) on arbitrary
 * data.  Input: byte 0 picks the options (bits 0-1 default-operation
 * merge/replace/none, bits 2-3 error-option stop/continue/rollback, bit 4
 * list keys from a schema, bit 5 test-only); the rest is the <config>
 * element's XML, then optionally a NUL byte and a datastore document
 * (<config> in the base namespace) to edit instead of the fixed one.
 * The config is parsed with nc_parse(), as the server parses an <rpc>.
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

#include "edit.h"
#include "fuzz.h"
#include "fuzz_data.h"
#include "rpc_io.h"

/* Applies config to doc's root as op_edit_config does; returns the ctx result. */
static int
fuzz_edit_apply(xmlDocPtr doc, xmlNodePtr config, int flags, int *changed)
{
	struct edit_ctx c = { 0 };
	int nerr, keep;

	c.keys = (flags & 16) ? fuzz_data_keys() : NULL;
	c.defop = (enum edit_defop)((flags & 3) % 3);
	c.erropt = (enum edit_erropt)(((flags >> 2) & 3) % 3);
	nerr = edit_apply(&c, xmlDocGetRootElement(doc), config);
	keep = !(nerr > 0 && c.erropt != ERROPT_CONTINUE) && !(flags & 32) && c.changed;
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

static int
fuzz_edit_one(const uint8_t *data, size_t size)
{
	const char *cfg, *ds, *nul;
	size_t cfglen, dslen;
	xmlDocPtr req, doc, doc2 = NULL, jr = NULL;
	char why[256], *before, *after, *disk_before, *again;
	int flags, kept, changed;

	if (size < 1)
		return 0;
	flags = data[0];
	cfg = (const char *)data + 1;
	cfglen = size - 1;
	ds = fuzz_data_default;
	dslen = sizeof(fuzz_data_default) - 1;
	if ((nul = memchr(cfg, '\0', cfglen)) != NULL) {
		ds = nul + 1;
		dslen = cfglen - (size_t)(nul + 1 - cfg);
		cfglen = (size_t)(nul - cfg);
	}
	if ((doc = fuzz_data_read(ds, dslen)) == NULL)
		return 0;
	if ((req = nc_parse(cfg, cfglen, why, sizeof(why))) == NULL ||
	    xmlDocGetRootElement(req) == NULL) {
		if (req != NULL)
			xmlFreeDoc(req);
		doc_free(doc);
		return 0;
	}
	before = fuzz_data_c14n(doc);
	disk_before = fuzz_data_dump(doc);	/* what running.xml would hold */

	kept = fuzz_edit_apply(doc, xmlDocGetRootElement(req), flags, &changed);
	if (kept) {
		/* the same edit as a later session replays it from disk */
		doc2 = fuzz_data_read(disk_before, strlen(disk_before));
		jr = fuzz_edit_journal_copy(xmlDocGetRootElement(req));
		if (doc2 == NULL || jr == NULL || xmlDocGetRootElement(jr) == NULL)
			abort();	/* what was written must read back */
		(void)fuzz_edit_apply(doc2, xmlDocGetRootElement(jr), flags & ~32, &changed);
	}
	xmlFreeDoc(req);	/* the edited tree must not point into it */
	if (jr != NULL)
		xmlFreeDoc(jr);

	after = fuzz_data_c14n(doc);
	if (!kept) {
		if (before != NULL && (after == NULL || strcmp(before, after) != 0))
			abort();	/* an undone edit changed the tree */
	} else {
		char *dump = fuzz_data_dump(doc);
		xmlDocPtr reread = fuzz_data_read(dump, strlen(dump));

		if (reread == NULL)
			abort();	/* the edited datastore must be readable */
		doc_free(reread);
		free(dump);
		again = fuzz_data_c14n(doc2);
		if (after != NULL && again != NULL && strcmp(after, again) != 0)
			abort();	/* replaying the journal gives another tree */
		free(again);
	}
	free(before);
	free(after);
	free(disk_before);
	doc_free(doc);
	if (doc2 != NULL)
		doc_free(doc2);
	return 0;
}

FUZZ_TARGET(fuzz_edit_one)
