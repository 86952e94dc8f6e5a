/*
 * The store (subsystem/store/) without a session: two stores on one
 * datastore-dir stand for two session processes (flock()s of separate
 * descriptors conflict as between processes).  The journal (append,
 * replay by another store, fold into the base, a torn tail cut off), the
 * candidate overlay (edit, discard, pin, commit of an overlay and when it
 * does not apply), the datastore locks, and <lock> on a candidate whose
 * owners cannot be read (refused: fail closed).
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "host/host.h"
#include "log.h"
#include "store/store_int.h"
#include "unit.h"

#define NCNS	"urn:ietf:params:xml:ns:netconf:base:1.0"

static char top[] = "/tmp/nchome-test-store-XXXXXX";
static struct dsdir *dd;

/* Applies an edit-config <config> body (merge) to ds as an RPC would; 0 or -1. */
static int
edit(struct store *st, enum ds_id ds, const char *body)
{
	char *xml = NULL;
	struct edit_ctx c = { 0 };
	struct store_edit se = { .fd = -1 };
	xmlDocPtr req, doc;
	int rc = -1;

	if (asprintf(&xml, "<config xmlns=\"%s\">%s</config>", NCNS, body) == -1)
		exit(2);
	req = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, NC_XML_PARSE_OPTS);
	free(xml);
	if (req == NULL || store_lock(st, 1) == -1)
		exit(2);
	if ((doc = store_doc_for_edit(st, ds)) == NULL)
		goto out;
	c.keys = store_keys(st);
	c.move = 1;
	if (store_edit_begin(st, ds, xmlDocGetRootElement(req), DEFOP_MERGE,
	    ERROPT_STOP, &se) == -1)
		goto out;
	if (edit_apply(&c, xmlDocGetRootElement(doc), xmlDocGetRootElement(req)) > 0) {
		store_edit_abort(st, &se);
		edit_undo(&c);
		goto out;
	}
	if (store_edit_commit(st, &se) == -1) {
		edit_undo(&c);
		store_forget(st, ds);
		goto out;
	}
	if (ds == DS_CANDIDATE)
		store_candidate_owner(st);
	rc = 0;
out:
	edit_ctx_clear(&c);
	store_unlock(st);
	xmlFreeDoc(req);
	return rc;
}

static int
to_buffer(void *b, const char *s, size_t len)
{
	xmlBufferAdd(b, BAD_CAST s, (int)len);
	return 0;
}

/* 1 when ds's content as st sees it holds text. */
static int
holds(struct store *st, enum ds_id ds, const char *text)
{
	xmlBufferPtr b = xmlBufferCreate();
	struct xmlout *xo;
	xmlDocPtr doc;
	int found = 0;

	if (store_lock(st, 0) == -1)
		exit(2);
	if ((doc = store_doc(st, ds)) != NULL) {
		xo = xo_new_writer(to_buffer, b);
		xo_node(xo, xmlDocGetRootElement(doc), NULL);
		(void)xo_finish(xo);
		found = strstr((const char *)xmlBufferContent(b), text) != NULL;
	}
	store_unlock(st);
	xmlBufferFree(b);
	return found;
}

static off_t
file_size(const char *name)
{
	struct stat st;

	return dsdir_stat(dd, DSD_TOP, name, &st) == 0 ? st.st_size : -1;
}

static int
file_has(const char *name, const char *text)
{
	char path[1024], buf[1 << 16];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", top, name);
	if ((fd = open(path, O_RDONLY)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return memmem(buf, n > 0 ? (size_t)n : 0, text, strlen(text)) != NULL;
}

/* The journal's bytes as whole, valid records: their count, or -1 if any byte is not. */
static int
journal_records(const char *name)
{
	char path[1024];
	unsigned char hdr[JR_HDR_SIZE];
	struct jr_header h;
	char *payload;
	off_t off = 0, size = file_size(name);
	int fd, n = 0;

	snprintf(path, sizeof(path), "%s/%s", top, name);
	if (size < 0 || (fd = open(path, O_RDONLY)) == -1)
		return -1;
	while (off < size) {
		if (pread(fd, hdr, JR_HDR_SIZE, off) != JR_HDR_SIZE || jr_decode(hdr, &h) == -1 ||
		    off + JR_HDR_SIZE + (off_t)h.len > size)
			break;
		payload = malloc(h.len + 1);
		if (pread(fd, payload, h.len, off + JR_HDR_SIZE) != (ssize_t)h.len ||
		    jr_sum(h.seq, h.op, payload, h.len) != h.sum) {
			free(payload);
			break;
		}
		free(payload);
		off += JR_HDR_SIZE + (off_t)h.len;
		n++;
	}
	close(fd);
	return off == size ? n : -1;
}

static void
test_journal(void)
{
	struct store *a = store_open(dd, NULL, 1), *b = store_open(dd, NULL, 2), *c;
	char body[256], pad[1100];
	off_t before;
	int fd, i, folded = 0;

	CHECK(a != NULL && b != NULL, "two stores open on one datastore-dir");
	CHECK(edit(a, DS_RUNNING, "<top xmlns='urn:t'><leaf>one</leaf></top>") == 0,
	    "an edit of running");
	CHECK(journal_records("running.journal") == 1 && !file_has("running.xml", "one"),
	    "it is one journal record, the base is not rewritten");
	CHECK(holds(b, DS_RUNNING, ">one<"), "another store replays the record");
	CHECK(edit(a, DS_RUNNING, "<top xmlns='urn:t'><leaf2>two</leaf2></top>") == 0 &&
	    journal_records("running.journal") == 2, "a second edit appends a second record");
	CHECK(holds(b, DS_RUNNING, ">two<") && holds(b, DS_RUNNING, ">one<"),
	    "the other store replays only what the journal gained, on top of its cache");

	/* a crash in the middle of an append leaves a torn tail */
	before = file_size("running.journal");
	if ((fd = open(strcat(strcpy(body, top), "/running.journal"), O_WRONLY | O_APPEND)) == -1)
		exit(2);
	/* a header, then part of a payload longer than the next record */
	memset(pad, 'x', sizeof(pad));
	memcpy(pad, JR_MAGIC, JR_MAGIC_LEN);
	if (write(fd, pad, 600) != 600)
		exit(2);
	close(fd);
	c = store_open(dd, NULL, 3);
	CHECK(c != NULL && holds(c, DS_RUNNING, ">two<") && journal_records("running.journal") == -1,
	    "a torn tail is not replayed (the good records are)");
	CHECK(edit(c, DS_RUNNING, "<top xmlns='urn:t'><leaf3>three</leaf3></top>") == 0 &&
	    journal_records("running.journal") == 3 && file_size("running.journal") > before,
	    "the next append cuts the torn tail off: every byte is a valid record again");
	CHECK(holds(a, DS_RUNNING, ">three<") && holds(b, DS_RUNNING, ">three<"),
	    "the stores that read it before replay the record after the cut");
	store_close(c);

	/* records that reach the fold size: the base is rewritten instead */
	memset(pad, 'p', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (i = 0; i < 200 && !folded; i++) {
		char big[1400];

		before = file_size("running.journal");
		snprintf(big, sizeof(big), "<top xmlns='urn:t'><n%d>%s</n%d></top>", i, pad, i);
		if (edit(a, DS_RUNNING, big) == -1)
			break;
		folded = file_size("running.journal") < before;
	}
	CHECK(folded && file_size("running.journal") == 0 && file_has("running.xml", "<n0>") &&
	    file_has("running.xml", "three"), "a journal at its fold size is folded into "
	    "the base (%d edits)", i);
	CHECK(holds(b, DS_RUNNING, "<n0>") && holds(b, DS_RUNNING, ">three<"),
	    "another store reloads the rewritten base");
	c = store_open(dd, NULL, 3);
	CHECK(c != NULL && holds(c, DS_RUNNING, ">one<") && holds(c, DS_RUNNING, ">three<"),
	    "a new store loads base and journal to the same content");
	store_close(c);
	store_close(a);
	store_close(b);
}

static void
test_candidate(void)
{
	struct store *a = store_open(dd, NULL, 1), *b = store_open(dd, NULL, 2);

	CHECK(edit(a, DS_CANDIDATE, "<top xmlns='urn:t'><cand>c1</cand></top>") == 0,
	    "a first edit of candidate");
	CHECK(dsdir_exists(dd, DSD_TOP, STORE_OVERLAY_FILE) &&
	    !dsdir_exists(dd, DSD_TOP, "candidate.xml") &&
	    journal_records("candidate.journal") == 1,
	    "it makes an overlay on running (no copy), with one record");
	CHECK(store_candidate_present(b) && holds(b, DS_CANDIDATE, ">c1<") &&
	    !holds(b, DS_RUNNING, ">c1<"), "another store sees the candidate, running unchanged");

	store_lock(a, 1);
	store_drop_candidate(a);
	store_unlock(a);
	CHECK(!store_candidate_present(b) && !dsdir_exists(dd, DSD_TOP, STORE_OVERLAY_FILE) &&
	    !holds(b, DS_CANDIDATE, ">c1<"), "discard: the candidate equals running again");

	/* commit of an overlay: its records go to running's journal */
	CHECK(edit(a, DS_CANDIDATE, "<top xmlns='urn:t'><cand>c2</cand></top>") == 0,
	    "a new candidate edit");
	store_lock(a, 1);
	CHECK(store_commit_overlay(a) == 1, "commit of the overlay is done in place");
	store_unlock(a);
	CHECK(holds(b, DS_RUNNING, ">c2<") && !store_candidate_present(b) &&
	    !dsdir_exists(dd, DSD_TOP, STORE_OVERLAY_FILE), "running holds it, the candidate is gone");
	CHECK(holds(a, DS_RUNNING, ">c2<"), "the committing store's running holds it too");

	/* running changed under the overlay: no in-place commit */
	CHECK(edit(a, DS_CANDIDATE, "<top xmlns='urn:t'><cand>c3</cand></top>") == 0 &&
	    edit(b, DS_RUNNING, "<top xmlns='urn:t'><other>r1</other></top>") == 0,
	    "a candidate edit, then another store edits running");
	CHECK(dsdir_exists(dd, DSD_TOP, "candidate.xml") &&
	    !dsdir_exists(dd, DSD_TOP, STORE_OVERLAY_FILE),
	    "the edit of running pinned the overlay first (candidate.xml)");
	CHECK(holds(a, DS_CANDIDATE, ">c3<") && !holds(a, DS_CANDIDATE, ">r1<"),
	    "the pinned candidate is the candidate as it was, without running's new edit");
	store_lock(a, 1);
	CHECK(store_commit_overlay(a) == 0, "no in-place commit of a pinned candidate");
	store_drop_candidate(a);
	store_unlock(a);
	store_close(a);
	store_close(b);
}

static void
test_locks(void)
{
	struct store *a = store_open(dd, NULL, 1), *b = store_open(dd, NULL, 2);
	struct rpc r;
	uint32_t holder = 0;

	memset(&r, 0, sizeof(r));
	CHECK(store_ds_lock(a, DS_RUNNING, &holder) == DSL_TAKEN && store_ds_held(a, DS_RUNNING),
	    "a store takes the running lock");
	CHECK(store_ds_lock(a, DS_RUNNING, &holder) == DSL_MINE, "twice: it holds it already");
	CHECK(store_ds_lock(b, DS_RUNNING, &holder) == DSL_BUSY && holder == 1,
	    "another store is refused, told the holder");
	CHECK(store_lock_holder(b, DS_RUNNING, NULL) == 1 &&
	    store_check_write(b, &r, DS_RUNNING) == -1 && r.nerrors == 1,
	    "the other store may not write running (in-use)");
	CHECK(store_check_write(a, &r, DS_RUNNING) == 0 && r.nerrors == 1,
	    "the holder may");
	xmlFreeDoc(r.err_doc);
	store_ds_unlock(a, DS_RUNNING);
	CHECK(store_lock_holder(b, DS_RUNNING, NULL) == 0 &&
	    store_ds_lock(b, DS_RUNNING, &holder) == DSL_TAKEN, "released: the other takes it");
	store_release_locks(b);
	CHECK(store_lock_holder(a, DS_RUNNING, NULL) == 0, "release of all locks at the end");

	/* RFC 6241 7.5: no lock on a candidate with another session's changes */
	CHECK(edit(a, DS_CANDIDATE, "<top xmlns='urn:t'><cand>mine</cand></top>") == 0,
	    "a candidate edit by the first store's session");
	CHECK(store_ds_lock(b, DS_CANDIDATE, &holder) == DSL_CANDIDATE_DIRTY &&
	    !store_ds_held(b, DS_CANDIDATE), "another session may not lock that candidate");
	CHECK(store_ds_lock(a, DS_CANDIDATE, &holder) == DSL_TAKEN, "its own session may");
	store_ds_unlock(a, DS_CANDIDATE);
	CHECK(!store_candidate_present(b), "unlock of candidate discards its changes");
	store_close(a);
	store_close(b);
}

/*
 * store_candidate_changed_by_other when the store's write lock cannot be
 * taken: the lock file is a folder (dsdir_open_file opens regular files
 * only), and the store has not opened it yet.
 */
static void
test_lock_fails_closed(void)
{
	struct store *a = store_open(dd, NULL, 1), *b = store_open(dd, NULL, 2);
	char path[1024];
	uint32_t holder = 0;

	CHECK(edit(a, DS_CANDIDATE, "<top xmlns='urn:t'><cand>other</cand></top>") == 0,
	    "a candidate edit by another session");
	close(b->lockfd);
	b->lockfd = -1;
	snprintf(path, sizeof(path), "%s/%s", top, STORE_LOCK_FILE);
	if (unlink(path) == -1 || mkdir(path, 0700) == -1)
		exit(2);
	CHECK(store_lock(b, 0) == -1, "the write lock fails");
	CHECK(store_candidate_changed_by_other(b) == -1, "then the candidate's owners are unknown");
	CHECK(store_ds_lock(b, DS_CANDIDATE, &holder) == DSL_CANDIDATE_UNKNOWN &&
	    !store_ds_held(b, DS_CANDIDATE), "and <lock> on candidate is refused (fail closed)");
	CHECK(store_lock_holder(a, DS_CANDIDATE, NULL) == 0, "nobody holds the candidate lock");
	rmdir(path);
	store_close(a);
	store_close(b);
}

int
main(void)
{
	char *argv[] = { "rm", "-rf", top, NULL };
	struct prog_result res;

	log_init("test_store", LOG_TO_STDERR, 0);
	if (mkdtemp(top) == NULL || (dd = dsdir_open(top)) == NULL)
		return 2;
	test_journal();
	test_candidate();
	test_locks();
	test_lock_fails_closed();
	dsdir_close(dd);
	if (prog_run("/bin/rm", argv, NULL, 10000, 0, 0, &res) == 0)
		prog_result_free(&res);
	xmlCleanupParser();
	UNIT_DONE();
}
