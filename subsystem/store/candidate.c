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
#include "journal.h"
#include "log.h"
#include "packed.h"
#include "store.h"

/* A copy of running as the base of the overlay described by file path. */
xmlDocPtr
candidate_overlay_base(struct session *s, const char *path)
{
	struct ds_cache *run = &s->ds->c[DS_RUNNING];
	unsigned long long n = 0;
	xmlDocPtr doc;
	FILE *f;

	if ((f = fopen(path, "re")) != NULL) {
		if (fscanf(f, "%llu", &n) != 1)
			n = 0;
		fclose(f);
	}
	if (store_refresh(s, DS_RUNNING) == -1)
		return NULL;
	if (run->seq != n)
		log_warnx("candidate overlay on running seq %llu, running is at %llu",
		    n, (unsigned long long)run->seq);
	doc = packed_copy_doc(run->doc);
	return doc;
}

/* truncate(2) would follow a link another user planted in datastore-dir. */
static void
empty_journal(const char *path)
{
	int fd;

	if ((fd = store_open(path, O_WRONLY)) == -1)
		return;		/* absent: nothing to empty */
	(void)ftruncate(fd, 0);
	close(fd);
}

static int
overlay_present(struct session *s)
{
	char p[PATH_MAX];

	return access(store_path(s, STORE_OVERLAY_FILE, p, sizeof(p)), F_OK) == 0;
}

int
store_candidate_present(struct session *s)
{
	char bp[PATH_MAX];

	return s->ds->overlay_pending || access(store_base_path(s, DS_CANDIDATE, bp, sizeof(bp)), F_OK) == 0 ||
	    overlay_present(s);
}

/*
 * Writes the overlay file: temp + rename (a new inode for the identity
 * check), then an fsync of the folder, so the overlay's journal counts
 * after a power loss too.  The file's own bytes are not synced: only
 * its existence matters (its seq only feeds a warning).
 */
static int
write_overlay(struct session *s, const char *line, char *p, size_t len)
{
	char tmp[PATH_MAX];
	int fd;

	store_path(s, STORE_OVERLAY_FILE, p, len);
	store_path(s, ".overlay.tmp", tmp, sizeof(tmp));
	if ((fd = store_open(tmp, O_WRONLY | O_CREAT | O_TRUNC)) == -1)
		return -1;
	if (write_all(fd, line, strlen(line)) == -1) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, p) == -1)
		return -1;
	store_fsync_dir(s);
	return 0;
}

xmlDocPtr
store_doc_for_edit(struct session *s, enum ds_id ds)
{
	struct ds_state *st = s->ds;
	struct ds_cache *cd = &st->c[DS_CANDIDATE];
	char jp[PATH_MAX];
	xmlDocPtr run;

	if (ds == DS_RUNNING && store_pin_candidate(s) == -1)
		return NULL;
	if (ds == DS_CANDIDATE && !store_candidate_present(s)) {
		/*
		 * First change since the last commit: an overlay on running,
		 * and our parsed running document becomes the candidate's.
		 * Its file is written by candidate_overlay_settle once the
		 * edit's record is durable, so a crash never pairs a new
		 * overlay with an old journal.
		 */
		if ((run = store_doc(s, DS_RUNNING)) == NULL)
			return NULL;
		empty_journal(journal_path(s, DS_CANDIDATE, jp, sizeof(jp)));
		store_forget(s, DS_CANDIDATE);
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
	return store_doc(s, ds);
}

int
candidate_overlay_settle(struct session *s)
{
	struct ds_state *st = s->ds;
	struct ds_cache *cd = &st->c[DS_CANDIDATE];
	char p[PATH_MAX], line[32];
	struct stat ost;

	if (!st->overlay_pending)
		return 0;
	snprintf(line, sizeof(line), "%llu\n", (unsigned long long)st->overlay_seq);
	if (write_overlay(s, line, p, sizeof(p)) == -1 || stat(p, &ost) == -1) {
		log_warn("%s", p);
		return -1;
	}
	cd->base_st = ost;
	st->overlay_pending = 0;
	return 0;
}

void
store_drop_candidate(struct session *s)
{
	char p[PATH_MAX];

	unlink(store_base_path(s, DS_CANDIDATE, p, sizeof(p)));
	/* emptied, not removed: re-creating it would cost a folder fsync */
	empty_journal(journal_path(s, DS_CANDIDATE, p, sizeof(p)));
	unlink(store_path(s, "candidate.owners", p, sizeof(p)));
	unlink(store_path(s, STORE_OVERLAY_FILE, p, sizeof(p)));
	store_forget(s, DS_CANDIDATE);
	s->ds->have_stolen = 0;
	/* a commit or discard must not leave an overlay to reappear after a crash */
	store_fsync_dir(s);
}

int
store_pin_candidate(struct session *s)
{
	struct ds_cache *cd = &s->ds->c[DS_CANDIDATE];
	char bp[PATH_MAX], p[PATH_MAX];

	if (access(store_base_path(s, DS_CANDIDATE, bp, sizeof(bp)), F_OK) == 0 ||
	    !overlay_present(s))
		return 0;
	if (store_refresh(s, DS_CANDIDATE) == -1 || cd->doc == NULL)
		return -1;
	if (store_replace(s, DS_CANDIDATE, cd->doc) == -1)
		return -1;
	unlink(store_path(s, STORE_OVERLAY_FILE, p, sizeof(p)));
	s->ds->have_stolen = 0;
	return 0;
}

int
store_commit_overlay(struct session *s)
{
	struct ds_state *st = s->ds;
	struct ds_cache *cd = &st->c[DS_CANDIDATE], *rd = &st->c[DS_RUNNING];
	char bp[PATH_MAX], jp[PATH_MAX];
	struct stat bst, jst;
	struct jrec *recs;
	char *buf;
	ssize_t n;
	int have_jr;

	if (!st->have_stolen || !overlay_present(s) ||
	    access(store_base_path(s, DS_CANDIDATE, bp, sizeof(bp)), F_OK) == 0 ||
	    store_refresh(s, DS_CANDIDATE) == -1 || !cd->overlay)
		return 0;
	/* running must be exactly what the overlay was made on */
	store_base_path(s, DS_RUNNING, bp, sizeof(bp));
	journal_path(s, DS_RUNNING, jp, sizeof(jp));
	have_jr = stat(jp, &jst) == 0;
	if (stat(bp, &bst) == -1 || !store_same_file(&bst, &st->stolen.base_st) ||
	    have_jr != st->stolen.have_jr ||
	    (have_jr && !store_same_file(&jst, &st->stolen.jr_st)))
		return 0;
	if ((n = journal_read_all(journal_path(s, DS_CANDIDATE, jp, sizeof(jp)),
	    &buf, &recs)) == -1) {
		free(buf);
		free(recs);
		return 0;
	}
	store_forget(s, DS_RUNNING);
	*rd = st->stolen;
	if (journal_append(s, DS_RUNNING, recs, (size_t)n) == -1) {
		memset(rd, 0, sizeof(*rd));
		free(buf);
		free(recs);
		return -1;
	}
	free(buf);
	free(recs);
	rd->doc = cd->doc;		/* the candidate's document is running's now */
	cd->doc = NULL;
	store_drop_candidate(s);
	journal_maybe_fold(s, DS_RUNNING);
	return 1;
}

/* The session-ids in candidate.owners; returns how many (at most max). */
static int
read_owners(struct session *s, uint32_t *ids, int max)
{
	char p[PATH_MAX];
	FILE *f = fopen(store_path(s, "candidate.owners", p, sizeof(p)), "re");
	unsigned long v;
	int n = 0;

	if (f == NULL)
		return 0;
	while (n < max && fscanf(f, "%lu", &v) == 1)
		ids[n++] = (uint32_t)v;
	fclose(f);
	return n;
}

void
store_candidate_owner(struct session *s)
{
	uint32_t ids[64];
	int n = read_owners(s, ids, 64), fd;
	char p[PATH_MAX], line[32];

	for (int i = 0; i < n; i++)
		if (ids[i] == s->id)
			return;
	fd = store_open(store_path(s, "candidate.owners", p, sizeof(p)),
	    O_WRONLY | O_CREAT | O_APPEND);
	if (fd == -1)
		return;
	snprintf(line, sizeof(line), "%u\n", s->id);
	if (write_all(fd, line, strlen(line)) == -1)
		log_warn("candidate.owners");
	close(fd);
}

int
ds_candidate_changed_by_other(struct session *s)
{
	uint32_t ids[64];
	int n, other = 0;

	if (s->ds == NULL || store_lock(s, 0) == -1)
		return 0;
	if (store_candidate_present(s)) {
		n = read_owners(s, ids, 64);
		for (int i = 0; i < n; i++)
			if (ids[i] != s->id)
				other = 1;
		if (n == 0)
			other = 1;	/* changed by a session that left no name */
	}
	store_unlock(s);
	return other;
}

void
ds_candidate_discard(struct session *s)
{
	if (s->ds == NULL || store_lock(s, 1) == -1)
		return;
	store_drop_candidate(s);
	store_unlock(s);
}
