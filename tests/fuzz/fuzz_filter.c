/*
 * Fuzz target: get/get-config filters (subsystem/filter_subtree.c,
 * filter_xpath.c) through filter_apply(), as op_get_config calls it.
 * Input: the <filter> element's XML (parsed with nc_parse(), as the
 * server parses an <rpc>; its root element is the filter, so both
 * type="subtree" and type="xpath" select="..." come from the input),
 * then optionally a NUL byte and a datastore document to filter instead
 * of the fixed one.
 *
 * Checks beyond "no crash, no leak": the datastore document is the same
 * after filtering (the XPath filter re-hangs its nodes during the
 * evaluation and must put them back), and the result serializes after the
 * request document is freed (no pointers into it).
 */
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "fuzz.h"
#include "fuzz_data.h"
#include "rpc_io.h"

static int
fuzz_filter_one(const uint8_t *data, size_t size)
{
	const char *flt = (const char *)data, *ds = fuzz_data_default, *nul;
	size_t fltlen = size, dslen = sizeof(fuzz_data_default) - 1;
	struct rpc r;
	xmlDocPtr req, doc, out = NULL;
	char why[256], *before, *after;

	if ((nul = memchr(flt, '\0', fltlen)) != NULL) {
		ds = nul + 1;
		dslen = size - (size_t)(nul + 1 - flt);
		fltlen = (size_t)(nul - flt);
	}
	if ((doc = fuzz_data_read(ds, dslen)) == NULL)
		return 0;
	if ((req = nc_parse(flt, fltlen, why, sizeof(why))) == NULL ||
	    xmlDocGetRootElement(req) == NULL) {
		if (req != NULL)
			xmlFreeDoc(req);
		doc_free(doc);
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.doc = req;
	before = fuzz_data_dump(doc);
	if (filter_apply(&r, xmlDocGetRootElement(req), doc, &out) == -1) {
		if (r.nerrors == 0)
			abort();	/* a refused filter must say why */
	} else if (out == NULL)
		abort();
	xmlFreeDoc(req);
	after = fuzz_data_dump(doc);
	if (strcmp(before, after) != 0)
		abort();	/* filtering changed the datastore */
	if (out != NULL) {
		char *res = fuzz_data_dump(out);

		free(res);
		xmlFreeDoc(out);
	}
	if (r.err_doc != NULL)
		xmlFreeDoc(r.err_doc);
	free(before);
	free(after);
	doc_free(doc);
	return 0;
}

FUZZ_TARGET(fuzz_filter_one)
