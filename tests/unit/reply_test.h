/*
 * Helpers shared by the unit tests that compare replies of random data
 * (test_filter_hidden.c, test_nacm_lazy.c, test_get_merge.c): their
 * pseudo-random numbers and seed, and a filter's reply or the whole data
 * serialized as replies are.
 */
#ifndef NCHOME_REPLY_TEST_H
#define NCHOME_REPLY_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/tree.h>

#include "tree/tree.h"

static unsigned long rnd_state;	/* the seed: set it, then call rnd() */

/* Seeds rnd() from NCHOME_SEED (the time when unset) and prints the seed, for repeating a failure. */
static __attribute__((unused)) void
rnd_seed(void)
{
	const char *env = getenv("NCHOME_SEED");

	rnd_state = env != NULL ? strtoul(env, NULL, 10) : (unsigned long)time(NULL);
	printf("# seed %lu (NCHOME_SEED repeats it)\n", rnd_state);
}

/* 0 .. n-1, the same sequence for the same seed on every machine. */
static __attribute__((unused)) unsigned
rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((rnd_state >> 33) % n);
}

static int
reply_put(void *b, const char *s, size_t len)
{
	xmlBufferAdd(b, BAD_CAST s, (int)len);
	return 0;
}

/* The filter's reply on data, serialized as replies are ("ERROR" if it fails); caller frees. */
static __attribute__((unused)) char *
filtered(const struct reply_opts *o, xmlNodePtr filter, xmlDocPtr data)
{
	struct rpc r = { 0 };
	xmlDocPtr out = NULL;
	xmlBufferPtr b = xmlBufferCreate();
	char *s;

	if (filter_apply(o, &r, filter, data, &out) == 0) {
		struct xmlout *xo = xo_new_writer(reply_put, b);

		for (xmlNodePtr c = xmlDocGetRootElement(out)->children; c != NULL; c = c->next)
			xo_data_child(xo, c);
		xo_finish(xo);
		xmlFreeDoc(out);
	} else
		xmlBufferCat(b, BAD_CAST "ERROR");
	xmlFreeDoc(r.err_doc);
	s = strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return s;
}

/* The whole of data, as an unfiltered reply writes it, less what hidden (with arg) hides. */
static __attribute__((unused)) char *
whole(xmlDocPtr data, reply_hidden_fn hidden, const void *arg)
{
	xmlBufferPtr b = xmlBufferCreate();
	struct xmlout *xo = xo_new_writer(reply_put, b);
	char *s;

	for (xmlNodePtr c = xmlDocGetRootElement(data)->children; c != NULL; c = c->next)
		xo_data_child_hiding(xo, c, hidden, arg);
	xo_finish(xo);
	s = strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	return s;
}

#endif
