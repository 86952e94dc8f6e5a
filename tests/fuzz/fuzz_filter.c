/*
 * Fuzz target: get/get-config filters (subsystem/filter_subtree.c,
 * filter_xpath.c) through filter_apply(), as op_get_config calls it.
 * Input: the <filter> element's XML (parsed with rpc_parse(), as the
 * server parses an <rpc>; its root element is the filter, so both
 * type="subtree" and type="xpath" select="..." come from the input),
 * then optionally a NUL byte and a datastore document to filter instead
 * of the fixed one.
 *
 * Every input runs twice (there is no options byte to spare a bit of):
 * plainly, and in packed mode, as the server does with packed subtrees
 * (subsystem/packed.c): the datastore read with packed_read_memory, and
 * packed_repack() after the filter, once the request is freed.  Both
 * runs must give the same result, byte for byte (xmlout).
 *
 * Checks beyond "no crash, no leak": the datastore document is the same
 * after filtering (the XPath filter re-hangs its nodes during the
 * evaluation and must put them back; packed, it serializes the same and
 * is packed as before once repacked), and the result serializes after
 * the request document is freed (no pointers into it).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_data.h"
#include "session/session.h"
#include "tree/tree.h"

/* One run, plain or packed; the result (malloc()ed), NULL when the input is unfit. */
static char *
fuzz_filter_run(const char *flt, size_t fltlen, const char *ds, size_t dslen,
    int packed)
{
	struct rpc r;
	xmlDocPtr req, doc, out = NULL;
	struct fuzz_data_buf shape_before = { 0 }, shape_after;
	char why[256], *before, *after, *result;
	int rc;

	doc = packed ? fuzz_data_read_packed(ds, dslen) : fuzz_data_read(ds, dslen);
	if (doc == NULL)
		return NULL;
	if ((req = rpc_parse(flt, fltlen, why, sizeof(why))) == NULL ||
	    xmlDocGetRootElement(req) == NULL) {
		if (req != NULL)
			xmlFreeDoc(req);
		doc_free(doc);
		return NULL;
	}
	memset(&r, 0, sizeof(r));
	r.doc = req;
	/* libxml2's dump of a packed tree would leave out the packed data */
	before = packed ? fuzz_data_ser_doc(doc) : fuzz_data_dump(doc);
	if (packed)
		shape_before = fuzz_data_shape(xmlDocGetRootElement(doc));
	if ((rc = filter_apply(NULL, &r, xmlDocGetRootElement(req), doc, &out)) == -1) {
		if (r.nerrors == 0)
			abort();	/* a refused filter must say why */
	} else if (out == NULL)
		abort();
	xmlFreeDoc(req);
	if (packed) {
		packed_repack();	/* as rpc_handle does after each RPC */
		shape_after = fuzz_data_shape(xmlDocGetRootElement(doc));
		if (!fuzz_data_same_shape(&shape_before, &shape_after))
			abort();	/* the datastore stays unpacked */
		free(shape_before.p);
		free(shape_after.p);
	}
	after = packed ? fuzz_data_ser_doc(doc) : fuzz_data_dump(doc);
	if (strcmp(before, after) != 0)
		abort();	/* filtering changed the datastore */
	if (out != NULL) {
		char *res = fuzz_data_dump(out);

		free(res);
		result = fuzz_data_ser(xmlDocGetRootElement(out));
		xmlFreeDoc(out);
	} else if ((result = strdup("refused")) == NULL)
		abort();
	if (r.err_doc != NULL)
		xmlFreeDoc(r.err_doc);
	free(before);
	free(after);
	doc_free(doc);
	return result;
}

static int
fuzz_filter_one(const uint8_t *data, size_t size)
{
	const char *flt = (const char *)data, *ds = fuzz_data_default, *nul;
	size_t fltlen = size, dslen = sizeof(fuzz_data_default) - 1;
	char *plain, *packed;

	if ((nul = memchr(flt, '\0', fltlen)) != NULL) {
		ds = nul + 1;
		dslen = size - (size_t)(nul + 1 - flt);
		fltlen = (size_t)(nul - flt);
	}
	if (fltlen > INT32_MAX || dslen > INT32_MAX)
		return 0;
	plain = fuzz_filter_run(flt, fltlen, ds, dslen, 0);
	packed = fuzz_filter_run(flt, fltlen, ds, dslen, 1);
	if ((plain == NULL) != (packed == NULL) ||
	    (plain != NULL && strcmp(plain, packed) != 0))
		abort();	/* packed, the filter selected otherwise */
	free(plain);
	free(packed);
	return 0;
}

FUZZ_TARGET(fuzz_filter_one)
