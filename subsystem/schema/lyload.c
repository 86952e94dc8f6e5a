/*
 * libyang loaded on first use (see lyapi.h): dlopen() of its soname, the
 * same search the program's own loading did (set-uid: the system's
 * folders and ld.so.cache only, no LD_LIBRARY_PATH), then every function
 * of LYAPI_FUNCS, all or none.
 */
#define LYAPI_NO_REDIRECT
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <libyang/version.h>

#include "lyapi.h"

#define LYAPI_STR_(x)	#x
#define LYAPI_STR(x)	LYAPI_STR_(x)
#define LYAPI_SONAME	"libyang.so." LYAPI_STR(LY_VERSION_MAJOR)

struct lyapi lyapi;

static const struct {
	const char	*name;
	size_t		 off;
} lyapi_syms[] = {
#define LYAPI_ENTRY(name)	{ #name, offsetof(struct lyapi, name) },
	LYAPI_FUNCS(LYAPI_ENTRY)
#undef LYAPI_ENTRY
};

int
lyapi_load(char *err, size_t errlen)
{
	static int state;		/* 0: not tried, 1: loaded, -1: failed */
	static char why[256];
	struct lyapi got;
	const char *e;
	void *h, *p;

	if (state == 0) {
		state = -1;
		if ((h = dlopen(LYAPI_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
			e = dlerror();
			snprintf(why, sizeof(why), "%s", e != NULL ? e : LYAPI_SONAME);
			goto done;
		}
		memset(&got, 0, sizeof(got));
		for (size_t i = 0; i < sizeof(lyapi_syms) / sizeof(lyapi_syms[0]); i++) {
			if ((p = dlsym(h, lyapi_syms[i].name)) == NULL) {
				snprintf(why, sizeof(why), "%s: no %s", LYAPI_SONAME,
				    lyapi_syms[i].name);
				dlclose(h);
				goto done;
			}
			/* POSIX: dlsym()'s object pointer holds a function's address */
			memcpy((char *)&got + lyapi_syms[i].off, &p, sizeof(p));
		}
		lyapi = got;
		state = 1;
	}
done:
	if (state == -1)
		snprintf(err, errlen, "%s", why);
	return state == 1 ? 0 : -1;
}
