/*
 * What writers killed mid-write left in datastore-dir.  Every file there
 * is replaced atomically (dsdir_write_atomic: a temp file "<name>.tmp.*",
 * fsync, rename); a writer killed by SIGKILL or a power loss before the
 * rename leaves its temp file, as large as the store (running.shared,
 * running.xml: about 10 MB each at 50,000 entries), and nothing else
 * ever removes it.  The store removes such files once per session, just
 * before its first write of a base file or of running.shared: a session
 * that writes megabytes anyway pays one readdir of a folder of a few
 * dozen names, and the space comes back before the write needs it.
 */
#include "log.h"
#include "store_int.h"

/*
 * A temp file is a live writer's until it is renamed; only one untouched
 * for this long is left by a dead one.  A live writer writes its temp in
 * seconds (the mtime moves with every write), so 10 minutes leaves room
 * for a stopped or swapped-out process and a slow disk; even a writer
 * stalled past it only sees its rename fail (ENOENT) and reports the
 * write failed: its file was never the datastore's yet.
 */
#define STALE_AFTER	(10 * 60)

/* The files written atomically in datastore-dir (and so their temp files). */
static const char *const atomic_names[] = {
	"running.xml", "candidate.xml", "startup.xml",	/* bases (store.c) */
	STORE_SHARED_FILE,				/* shared.c */
	STORE_INDEX_FILE,				/* index_table.c */
	STORE_NACM_FILE,				/* nacm_form.c */
	"running.rollback.xml", "confirm.state",	/* confirmed commit (ops/commit.c) */
	NULL
};

void
store_remove_leftovers(struct store *st)
{
	if (st->leftovers_checked)
		return;
	st->leftovers_checked = 1;
	/* the subfolders hold no temp files: sessions/ and notifications/ are written in place */
	if (dsdir_remove_stale_temps(st->dd, DSD_TOP, atomic_names, STALE_AFTER) == -1)
		log_warn("%s", dsdir_path(st->dd));
}
