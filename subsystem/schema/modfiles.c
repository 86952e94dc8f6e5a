/*
 * The .yang files of the two module folders (see schema.h, "The module
 * set"): listed by name and revision at schema_load(), each scanned
 * (yangtext.c) when first asked for.  The lowest file of the folder:
 * the module set and the libyang context's import callback both find
 * files here, so both agree on what is loaded.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "errbuf.h"
#include "log.h"
#include "schema_int.h"

const char *
schema_own_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("NCHOME_YANG_DIR");
	struct stat st;
	ssize_t n;
	char *slash;

	if (env != NULL && *env != '\0')
		return env;
	if (dir[0] != '\0')
		return dir;
#ifdef __linux__
	/* Run from the build tree: <top>/subsystem/nchome-netconf -> <top>/yang. */
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n > 0) {
		dir[n] = '\0';
		if ((slash = strrchr(dir, '/')) != NULL) {
			*slash = '\0';
			if ((slash = strrchr(dir, '/')) != NULL &&
			    strcmp(slash, "/subsystem") == 0 &&
			    (size_t)(slash - dir) + sizeof("/yang") < sizeof(dir)) {
				strcpy(slash, "/yang");
				if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
					return dir;
			}
		}
	}
#else
	(void)n; (void)slash; (void)st;
#endif
	snprintf(dir, sizeof(dir), "%s/yang", NCHOME_DATADIR);
	return dir;
}

/* Lists <name>[@<revision>].yang in one folder.  A missing folder is empty. */
static int
list_folder(struct schema *s, int folder, char *err, size_t errlen)
{
	const char *dir = s->dirs[folder];
	struct yfile *f;
	struct dirent *de;
	size_t len;
	char *at;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT) {
			log_debug("YANG module folder %s does not exist", dir);
			return 0;
		}
		return set_err(err, errlen, "%s: %s", dir, strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".yang") != 0)
			continue;
		if (s->nfiles >= SCHEMA_MAX_FILES) {
			closedir(d);
			return set_err(err, errlen, "%s: more than %d YANG files", dir,
			    SCHEMA_MAX_FILES);
		}
		if ((f = realloc(s->files, (s->nfiles + 1) * sizeof(*f))) == NULL)
			goto oom;
		s->files = f;
		f = &s->files[s->nfiles];
		memset(f, 0, sizeof(*f));
		f->folder = folder;
		if ((f->name = strndup(de->d_name, len - 5)) == NULL ||
		    asprintf(&f->path, "%s/%s", dir, de->d_name) == -1) {
			free(f->name);
			goto oom;
		}
		if ((at = strchr(f->name, '@')) != NULL) {
			*at = '\0';
			if ((f->frev = strdup(at + 1)) == NULL) {
				free(f->name);
				free(f->path);
				goto oom;
			}
		}
		s->nfiles++;
	}
	closedir(d);
	return 0;
oom:
	closedir(d);
	return set_err(err, errlen, "out of memory");
}

/* Scans f once; -1 (logged) when it cannot be read or is not YANG. */
static int
scan_file(struct yfile *f)
{
	char *text, err[256];
	size_t len;

	if (f->yt != NULL)
		return 0;
	if ((text = yang_read_file(f->path, &len)) == NULL) {
		log_warn("%s", f->path);
		return -1;
	}
	if ((f->yt = calloc(1, sizeof(*f->yt))) == NULL ||
	    yang_text_scan(text, len, f->yt, err, sizeof(err)) == -1) {
		if (f->yt != NULL)
			log_warnx("%s: %s", f->path, err);
		free(f->yt);
		f->yt = NULL;
		free(text);
		return -1;
	}
	free(text);
	if (strcmp(f->yt->name, f->name) != 0 ||
	    (f->frev != NULL && strcmp(f->yt->revision, f->frev) != 0)) {
		log_warnx("%s: holds %s revision \"%s\", not what its name says",
		    f->path, f->yt->name, f->yt->revision);
		yang_text_free(f->yt);
		free(f->yt);
		f->yt = NULL;
		return -1;
	}
	return 0;
}

/*
 * The file of a module or submodule: the one with that revision, or
 * the latest when revision is NULL or ""; the operator's folder first
 * on a tie.  Scanned.  NULL when there is none.
 */
struct yfile *
modfiles_find(struct schema *s, const char *name, const char *revision)
{
	struct yfile *best = NULL, *f;
	const char *rev, *best_rev = NULL;

	if (revision != NULL && *revision == '\0')
		revision = NULL;
	/* files[] lists the operator's folder first: the first match wins ties */
	for (size_t i = 0; i < s->nfiles; i++) {
		f = &s->files[i];
		if (strcmp(f->name, name) != 0)
			continue;
		if (f->frev == NULL && scan_file(f) == -1)
			continue;
		rev = f->frev != NULL ? f->frev : f->yt->revision;
		if (revision != NULL ? strcmp(rev, revision) == 0 && best == NULL :
		    best == NULL || strcmp(rev, best_rev) > 0) {
			best = f;
			best_rev = rev;
		}
	}
	if (best != NULL && scan_file(best) == -1)
		return NULL;
	return best;
}

int
modfiles_list(struct schema *s, const char *yang_dir, char *err, size_t errlen)
{
	if ((s->dirs[0] = strdup(yang_dir ? yang_dir : "")) == NULL ||
	    (s->dirs[1] = strdup(schema_own_dir())) == NULL)
		return set_err(err, errlen, "out of memory");
	if ((*s->dirs[0] != '\0' && list_folder(s, 0, err, errlen) == -1) ||
	    (strcmp(s->dirs[0], s->dirs[1]) != 0 && list_folder(s, 1, err, errlen) == -1))
		return -1;
	return 0;
}

int
schema_foreach_file(const struct schema *s,
    int (*cb)(void *arg, const struct schema_file_info *fi), void *arg)
{
	struct schema_file_info fi;
	const struct yfile *f;
	int rc;

	/* pass 1: the scanned files, whose module is known; pass 0: the rest */
	for (int pass = 1; pass >= 0; pass--)
		for (size_t i = 0; i < s->nfiles; i++) {
			f = &s->files[i];
			if ((f->yt != NULL) != pass)
				continue;
			fi.path = f->path;
			fi.folder = f->folder;
			fi.scanned = f->yt != NULL;
			fi.module = f->yt != NULL && !f->yt->submodule ? f->yt->name : NULL;
			fi.ns = fi.module != NULL ? f->yt->ns : NULL;
			if ((rc = cb(arg, &fi)) != 0)
				return rc;
		}
	return 0;
}

void
modfiles_free(struct schema *s)
{
	for (size_t i = 0; i < s->nfiles; i++) {
		free(s->files[i].name);
		free(s->files[i].frev);
		free(s->files[i].path);
		if (s->files[i].yt != NULL)
			yang_text_free(s->files[i].yt);
		free(s->files[i].yt);
	}
	free(s->files);
	free(s->dirs[0]);
	free(s->dirs[1]);
}
