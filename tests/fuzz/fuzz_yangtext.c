/*
 * Fuzz target: the YANG statement scanner (subsystem/schema/yangtext.c),
 * which reads the module files of the operator's folder to give the
 * hello's capabilities without libyang.  Whatever the bytes, it must
 * return the module's facts or an error that says something, and free
 * what it took.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "schema/yangtext.h"

static int
fuzz_yangtext_one(const uint8_t *data, size_t size)
{
	struct yang_text yt;
	char err[256], *text;

	if (size > YANG_FILE_MAX || (text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	err[0] = '\0';
	if (yang_text_scan(text, size, &yt, err, sizeof(err)) == 0) {
		/* a module has its namespace and prefix, a submodule its module */
		if (yt.name == NULL || yt.revision == NULL ||
		    (yt.submodule ? yt.belongs_to == NULL : yt.ns == NULL || yt.prefix == NULL))
			abort();
		yang_text_free(&yt);
	} else if (err[0] == '\0')
		abort();
	free(text);
	return 0;
}

FUZZ_TARGET(fuzz_yangtext_one)
