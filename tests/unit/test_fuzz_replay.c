/*
 * Replays the fuzz targets' inputs through a normal build (gcc, with ASan
 * and UBSan when configured with --enable-sanitizers): every file in
 * tests/fuzz/regress/<target>/ (inputs that once crashed or hung a target)
 * and tests/fuzz/corpus/<target>/ (the seeds).  Each input runs in a forked
 * child so one crash names its file and the rest still run; a child that
 * dies on a signal or exits non-zero (ASan/LSan report, abort) fails.
 *
 * The targets are compiled in here with FUZZ_REPLAY defined (see
 * tests/fuzz/fuzz.h), so this is the very code `make fuzz` runs.
 */
#define FUZZ_REPLAY 1

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#include "../fuzz/fuzz_conf.c"
#include "../fuzz/fuzz_edit.c"
#include "../fuzz/fuzz_filter.c"
#include "../fuzz/fuzz_nacm.c"
#include "../fuzz/fuzz_framing.c"
#include "../fuzz/fuzz_packed.c"
#include "../fuzz/fuzz_rpc.c"
#include "../fuzz/fuzz_yangtext.c"

static const struct {
	const char *name;
	int (*fn)(const uint8_t *, size_t);
} targets[] = {
	{ "fuzz_conf", fuzz_conf_one },
	{ "fuzz_edit", fuzz_edit_one },
	{ "fuzz_filter", fuzz_filter_one },
	{ "fuzz_nacm", fuzz_nacm_one },
	{ "fuzz_framing", fuzz_framing_one },
	{ "fuzz_packed", fuzz_packed_one },
	{ "fuzz_rpc", fuzz_rpc_one },
	{ "fuzz_yangtext", fuzz_yangtext_one },
};

#define REPLAY_MAX_INPUT	(8 * 1024 * 1024)

static int
read_input(const char *path, uint8_t **data, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (fp == NULL)
		return -1;
	if ((buf = malloc(REPLAY_MAX_INPUT)) == NULL) {
		fclose(fp);
		return -1;
	}
	n = fread(buf, 1, REPLAY_MAX_INPUT, fp);
	fclose(fp);
	*data = buf;
	*size = n;
	return 0;
}

/* Runs one input in a child; returns the child's wait status, -1 on error. */
static int
replay_one(int (*fn)(const uint8_t *, size_t), const char *path)
{
	pid_t pid;
	int status;

	fflush(stdout);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		uint8_t *data;
		size_t size;

		if (read_input(path, &data, &size) == -1)
			_exit(99);
		alarm(60);	/* a hang is a finding too */
		fn(data, size);
		free(data);
		exit(0);	/* exit, not _exit: LeakSanitizer runs at exit */
	}
	if (waitpid(pid, &status, 0) == -1)
		return -1;
	return status;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* File names of one folder; global so a forked child's leak check sees them reachable. */
static char **names;

static void
replay_dir(const char *target, int (*fn)(const uint8_t *, size_t), const char *kind)
{
	char dir[512], path[1024];
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "tests/fuzz/%s/%s", kind, target);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char **nn;

		if (de->d_name[0] == '.')
			continue;
		if ((nn = realloc(names, (n + 1) * sizeof(*names))) == NULL)
			break;
		names = nn;
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(d);
	if (n == 0)
		return;		/* an empty folder: names is NULL, which qsort must not get */
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		int status;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			status = replay_one(fn, path);
			CHECK(status == 0, "%s: %s (wait status %d)", target, path, status);
		}
		free(names[i]);
	}
	free(names);
	names = NULL;
}

int
main(void)
{
	const char *top = getenv("NCHOME_TOP");

	if (top != NULL && chdir(top) == -1) {
		perror(top);
		return 2;
	}
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		replay_dir(targets[i].name, targets[i].fn, "regress");
		replay_dir(targets[i].name, targets[i].fn, "corpus");
	}
	UNIT_DONE();
}
