/*
 * Running the operator's programs (commit hooks, state providers): list
 * the executables of a folder in name order, and run one with fork+execve,
 * stdin from /dev/null, stdout and stderr captured through pipes up to a
 * bound, and a deadline after which its whole process group is killed.
 */
#ifndef NCHOME_RUNPROG_H
#define NCHOME_RUNPROG_H

#include <stddef.h>

/* The executables of a folder, sorted by name (strcmp). */
struct progdir {
	char	**paths;	/* full paths */
	char	**names;	/* base names (point into paths) */
	size_t	  n;
};

/*
 * Fills pd with the regular files of dir that the caller may execute,
 * skipping dotfiles and names ending in '~' (editor backups).  A folder
 * that does not exist is an empty list.  0, or -1 on other errors (logged).
 */
int progdir_list(const char *dir, struct progdir *pd);
void progdir_free(struct progdir *pd);

/* 1 when dir holds at least one program progdir_list would return. */
int progdir_any(const char *dir);

struct prog_result {
	int	 exited;	/* 1: exited normally with exit_code */
	int	 exit_code;
	int	 signo;		/* killed by this signal (0 if none) */
	int	 timed_out;	/* killed by us after the deadline */
	char	*out;		/* captured stdout, NUL-terminated (may be NULL) */
	size_t	 outlen;
	int	 out_truncated;	/* stdout went past out_max; the rest was read and dropped */
	char	*err;		/* captured stderr, NUL-terminated (may be NULL) */
	size_t	 errlen;
	int	 err_truncated;
};

/*
 * Runs path with argv (argv[0] included, NULL-terminated) and the
 * process environment plus extra_env ("NAME=value" strings, replacing
 * variables of the same name; NULL-terminated, may be NULL).  Waits at
 * most timeout_ms.  Returns 0 when the program ran (see res for how it
 * ended), -1 when it could not be started (logged).
 */
int prog_run(const char *path, char *const argv[], char *const extra_env[],
    int timeout_ms, size_t out_max, size_t err_max, struct prog_result *res);
void prog_result_free(struct prog_result *res);

/* 1 when the program exited with status 0 and was not timed out. */
int prog_succeeded(const struct prog_result *res);

/* Describes how the program ended ("exit status 3", "timed out after 2 s"). */
void prog_describe(const struct prog_result *res, int timeout_ms, char *buf, size_t len);

/*
 * Timeout in milliseconds from the environment variable name (seconds,
 * may be fractional), or def_ms when unset or invalid.
 */
int prog_timeout_from_env(const char *name, int def_ms);

#endif
