/*
 * The candidate datastore besides its files: the overlay and who changed it.
 *
 *   candidate.xml absent means the candidate equals running (no
 *       uncommitted changes); candidate.owners lists the session-ids that
 *       changed it since.
 *   candidate.overlay ("N"): instead of candidate.xml, the candidate is
 *       running as of journal seq N plus candidate.journal.  The first
 *       candidate edit makes one, so it costs no 10 MB copy or write: the
 *       session's parsed running document itself becomes the candidate.
 *       commit then appends the candidate's records to running's journal
 *       and the document goes back to being running's.  Before running
 *       changes any other way the overlay is pinned (written out as
 *       candidate.xml), so N always names running's current content.
 *       Its file appears only once the first edit's record is durable,
 *       followed by an fsync of the folder, and its removal (commit,
 *       discard-changes) is fsynced too: a crash neither loses an
 *       answered candidate edit nor brings a committed one back.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "log.h"
#include "xmalloc.h"
#include "store_int.h"

#define OWNERS_MAX	64

/* A small text file of datastore-dir into buf (NUL-terminated); bytes or -1. */
static ssize_t
read_small(struct store *st, const char *name, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if ((fd = dsdir_open_file(st->dd, DSD_TOP, name, O_RDONLY)) == -1)
		return -1;
	n = pread(fd, buf, len - 1, 0);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

xmlDocPtr
candidate_overlay_base(struct store *st)
{
	struct ds_cache *run = &st->c[DS_RUNNING];
	unsigned long long n = 0;
	char line[32];

	if (read_small(st, STORE_OVERLAY_FILE, line, sizeof(line)) <= 0 ||
	    sscanf(line, "%llu", &n) != 1)
		n = 0;
	if (store_refresh(st, DS_RUNNING) == -1)
		return NULL;
	if (run->seq != n)
		log_warnx("candidate overlay on running seq %llu, running is at %llu",
		    n, (unsigned long long)run->seq);
	return packed_copy_doc(run->doc);
}

int
candidate_overlay_present(struct store *st)
{
	return dsdir_exists(st->dd, DSD_TOP, STORE_OVERLAY_FILE);
}

int
store_candidate_present(struct store *st)
{
	char bn[STORE_NAME_MAX];

	return st->overlay_pending ||
	    dsdir_exists(st->dd, DSD_TOP, store_base_name(DS_CANDIDATE, bn, sizeof(bn))) ||
	    candidate_overlay_present(st);
}

/*
 * Writes the overlay file: temp + rename (a new inode for the identity
 * check), then an fsync of the folder, so the overlay's journal counts
 * after a power loss too.  The file's own bytes are not synced: only
 * its existence matters (its seq only feeds a warning).
 */
static int
write_overlay(struct store *st, const char *line)
{
	static const char tmp[] = ".overlay.tmp";
	int fd;

	if ((fd = dsdir_open_file(st->dd, DSD_TOP, tmp, O_WRONLY | O_CREAT | O_TRUNC)) == -1)
		return -1;
	if (write_all(fd, line, strlen(line)) == -1) {
		close(fd);
		(void)dsdir_unlink(st->dd, DSD_TOP, tmp);
		return -1;
	}
	close(fd);
	if (dsdir_rename(st->dd, DSD_TOP, tmp, STORE_OVERLAY_FILE) == -1)
		return -1;
	dsdir_fsync(st->dd, DSD_TOP);
	return 0;
}

xmlDocPtr
store_doc_for_edit(struct store *st, enum ds_id ds)
{
	struct ds_cache *cd = &st->c[DS_CANDIDATE];
	char jn[STORE_NAME_MAX];
	xmlDocPtr run;

	shared_changed(st);	/* the doc returned (running's, maybe) will change */
	if (ds == DS_RUNNING && store_pin_candidate(st) == -1)
		return NULL;
	if (ds == DS_CANDIDATE && !store_candidate_present(st)) {
		/*
		 * First change since the last commit: an overlay on running,
		 * and our parsed running document becomes the candidate's.
		 * Its file is written by candidate_overlay_settle once the
		 * edit's record is durable, so a crash never pairs a new
		 * overlay with an old journal.
		 */
		if ((run = store_doc(st, DS_RUNNING)) == NULL)
			return NULL;
		store_empty_file(st, journal_name(DS_CANDIDATE, jn, sizeof(jn)));
		store_forget(st, DS_CANDIDATE);
		st->stolen = st->c[DS_RUNNING];
		st->stolen.doc = NULL;
		st->have_stolen = 1;
		st->overlay_seq = st->c[DS_RUNNING].seq;
		st->overlay_pending = 1;
		memset(&st->c[DS_RUNNING], 0, sizeof(st->c[DS_RUNNING]));
		cd->doc = run;
		cd->have_base = 1;
		cd->overlay = 1;
		cd->seq = 0;
		return run;
	}
	return store_doc(st, ds);
}

int
candidate_overlay_settle(struct store *st)
{
	struct ds_cache *cd = &st->c[DS_CANDIDATE];
	char line[32];
	struct stat ost;

	if (!st->overlay_pending)
		return 0;
	snprintf(line, sizeof(line), "%llu\n", (unsigned long long)st->overlay_seq);
	if (write_overlay(st, line) == -1 ||
	    dsdir_stat(st->dd, DSD_TOP, STORE_OVERLAY_FILE, &ost) == -1) {
		log_warn("%s/%s", dsdir_path(st->dd), STORE_OVERLAY_FILE);
		return -1;
	}
	cd->base_st = ost;
	st->overlay_pending = 0;
	return 0;
}

void
store_drop_candidate(struct store *st)
{
	char name[STORE_NAME_MAX];

	(void)dsdir_unlink(st->dd, DSD_TOP, store_base_name(DS_CANDIDATE, name, sizeof(name)));
	/* emptied, not removed: re-creating it would cost a folder fsync */
	store_empty_file(st, journal_name(DS_CANDIDATE, name, sizeof(name)));
	(void)dsdir_unlink(st->dd, DSD_TOP, STORE_OWNERS_FILE);
	(void)dsdir_unlink(st->dd, DSD_TOP, STORE_OVERLAY_FILE);
	store_forget(st, DS_CANDIDATE);
	st->have_stolen = 0;
	/* a commit or discard must not leave an overlay to reappear after a crash */
	dsdir_fsync(st->dd, DSD_TOP);
}

int
store_pin_candidate(struct store *st)
{
	struct ds_cache *cd = &st->c[DS_CANDIDATE];
	char bn[STORE_NAME_MAX];

	if (dsdir_exists(st->dd, DSD_TOP, store_base_name(DS_CANDIDATE, bn, sizeof(bn))) ||
	    !candidate_overlay_present(st))
		return 0;
	if (store_refresh(st, DS_CANDIDATE) == -1 || cd->doc == NULL)
		return -1;
	if (store_replace(st, DS_CANDIDATE, cd->doc) == -1)
		return -1;
	(void)dsdir_unlink(st->dd, DSD_TOP, STORE_OVERLAY_FILE);
	st->have_stolen = 0;
	return 0;
}

/* 1 when running's files are exactly those the overlay was made on. */
static int
running_unchanged(struct store *st)
{
	char bn[STORE_NAME_MAX], jn[STORE_NAME_MAX];
	struct stat bst, jst;
	int have_jr;

	have_jr = dsdir_stat(st->dd, DSD_TOP, journal_name(DS_RUNNING, jn, sizeof(jn)),
	    &jst) == 0;
	return dsdir_stat(st->dd, DSD_TOP, store_base_name(DS_RUNNING, bn, sizeof(bn)),
	    &bst) == 0 && store_same_file(&bst, &st->stolen.base_st) &&
	    have_jr == st->stolen.have_jr &&
	    (!have_jr || store_same_file(&jst, &st->stolen.jr_st));
}

/*
 * 1 when the candidate is an overlay on running as this session holds it
 * and its journal is all that differs: no base file of its own, running's
 * files unchanged since.  Refreshes the candidate.
 */
static int
overlay_is_the_difference(struct store *st)
{
	char bn[STORE_NAME_MAX];

	return st->have_stolen && candidate_overlay_present(st) &&
	    !dsdir_exists(st->dd, DSD_TOP, store_base_name(DS_CANDIDATE, bn, sizeof(bn))) &&
	    store_refresh(st, DS_CANDIDATE) != -1 && st->c[DS_CANDIDATE].overlay &&
	    running_unchanged(st);
}

int
store_commit_overlay(struct store *st)
{
	struct ds_cache *cd = &st->c[DS_CANDIDATE], *rd = &st->c[DS_RUNNING];
	struct jrec *recs;
	char *buf;
	ssize_t n;
	int rc;

	if (!overlay_is_the_difference(st))
		return 0;
	if ((n = journal_read_all(st, DS_CANDIDATE, &buf, &recs)) == -1) {
		free(buf);
		free(recs);
		return 0;
	}
	if (st->max_size > 0) {
		/* may running pass max-datastore-size?  The full path counts exactly */
		uint64_t size = (uint64_t)(st->stolen.have_base ? st->stolen.base_st.st_size : 0) +
		    (uint64_t)(st->stolen.have_jr ? st->stolen.jr_end : 0);

		for (ssize_t i = 0; i < n; i++)
			size += recs[i].len + JR_HDR_SIZE;
		if (size > st->max_size) {
			free(buf);
			free(recs);
			return 0;
		}
	}
	store_forget(st, DS_RUNNING);
	*rd = st->stolen;
	rc = journal_append(st, DS_RUNNING, recs, (size_t)n);
	free(buf);
	free(recs);
	if (rc == -1) {
		memset(rd, 0, sizeof(*rd));
		return -1;
	}
	rd->doc = cd->doc;		/* the candidate's document is running's now */
	cd->doc = NULL;
	store_drop_candidate(st);
	journal_maybe_fold(st, DS_RUNNING);
	return 1;
}

int
store_overlay_edits(struct store *st, struct store_edits *e)
{
	struct ds_cache *cd = &st->c[DS_CANDIDATE];
	struct jrec *recs;
	char *buf;
	ssize_t n;

	memset(e, 0, sizeof(*e));
	if (!overlay_is_the_difference(st) || cd->doc == NULL)
		return 0;
	if ((n = journal_read_all(st, DS_CANDIDATE, &buf, &recs)) == -1) {
		free(buf);
		free(recs);
		return 0;
	}
	/* every record replayed into the candidate: none torn or skipped */
	if (n == 0 || recs[n - 1].seq != cd->seq) {
		free(buf);
		free(recs);
		return 0;
	}
	e->docs = xcalloc((size_t)n, sizeof(*e->docs));
	e->defops = xcalloc((size_t)n, sizeof(*e->defops));
	for (ssize_t i = 0; i < n; i++) {
		e->docs[i] = xmlReadMemory(recs[i].payload, (int)recs[i].len, NULL, NULL,
		    NC_XML_PARSE_OPTS);
		e->defops[i] = (enum edit_defop)(recs[i].op & 0xff);
		e->n++;
		if (e->docs[i] == NULL || xmlDocGetRootElement(e->docs[i]) == NULL) {
			store_edits_free(e);
			free(buf);
			free(recs);
			return 0;
		}
	}
	free(buf);
	free(recs);
	return 1;
}

void
store_edits_free(struct store_edits *e)
{
	for (size_t i = 0; i < e->n; i++)
		xmlFreeDoc(e->docs[i]);
	free(e->docs);
	free(e->defops);
	memset(e, 0, sizeof(*e));
}

/* The session-ids in candidate.owners; returns how many (at most max). */
static int
read_owners(struct store *st, uint32_t *ids, int max)
{
	char buf[4096], *p, *end;	/* room for OWNERS_MAX whole ids */
	unsigned long v;
	int n = 0;

	if (read_small(st, STORE_OWNERS_FILE, buf, sizeof(buf)) <= 0)
		return 0;
	for (p = buf; n < max; p = end) {
		v = strtoul(p, &end, 10);
		if (end == p)
			break;
		ids[n++] = (uint32_t)v;
	}
	return n;
}

void
store_candidate_owner(struct store *st)
{
	uint32_t ids[OWNERS_MAX];
	int n = read_owners(st, ids, OWNERS_MAX), fd;
	char line[32];

	for (int i = 0; i < n; i++)
		if (ids[i] == st->sid)
			return;
	fd = dsdir_open_file(st->dd, DSD_TOP, STORE_OWNERS_FILE,
	    O_WRONLY | O_CREAT | O_APPEND);
	if (fd == -1)
		return;
	snprintf(line, sizeof(line), "%u\n", st->sid);
	if (write_all(fd, line, strlen(line)) == -1)
		log_warn("%s", STORE_OWNERS_FILE);
	close(fd);
}

int
store_candidate_changed_by_other(struct store *st)
{
	uint32_t ids[OWNERS_MAX];
	int n, other = 0;

	/* fail closed: a lock on a candidate we cannot read must be refused */
	if (store_lock(st, 0) == -1)
		return -1;
	if (store_candidate_present(st)) {
		n = read_owners(st, ids, OWNERS_MAX);
		for (int i = 0; i < n; i++)
			if (ids[i] != st->sid)
				other = 1;
		if (n == 0)
			other = 1;	/* changed by a session that left no name */
	}
	store_unlock(st);
	return other;
}

void
store_candidate_discard(struct store *st)
{
	if (store_lock(st, 1) == -1)
		return;
	store_drop_candidate(st);
	store_unlock(st);
}
