/*
 * Commit hooks and state providers (host/hooks.c, host/providers.c,
 * runprog.c) against real shell scripts in a scratch folder.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/tree.h>

#include "host/host.h"
#include "log.h"
#include "server.h"
#include "unit.h"

static char top[] = "/tmp/nchome-test-hooks-XXXXXX";
static char hookdir[512], statedir[512], logpath[512], oldp[512], newp[512];
#define OLDF	"/dev/fd/3"
#define NEWF	"/dev/fd/4"
static int ofd = -1, nfd = -1;	/* oldp, newp open: the hooks' inputs */

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
	chmod(path, mode);
}

static void
script(const char *dir, const char *name, mode_t mode, const char *body)
{
	char path[1024], text[8192];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(text, sizeof(text), "#!/bin/sh\nLOG=%s\n%s\n", logpath, body);
	write_file(path, text, mode);
}

static void
rm_script(const char *dir, const char *name)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static char *
slurp(const char *path)
{
	static char buf[65536];
	int fd = open(path, O_RDONLY);
	ssize_t n = 0;

	buf[0] = '\0';
	if (fd == -1)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

/*
 * The text of the first rpc-error's child element name (error-message,
 * error-tag), or "".  One of two buffers, for use in one expression.
 */
static const char *
err_field(struct rpc *r, const char *name)
{
	static char bufs[2][16384];
	static int next;
	char *buf = bufs[next++ % 2];
	xmlNodePtr e, c;

	buf[0] = '\0';
	if (r->err_doc == NULL)
		return buf;
	e = xmlDocGetRootElement(r->err_doc)->children;
	for (c = e ? e->children : NULL; c != NULL; c = c->next)
		if (strcmp((const char *)c->name, name) == 0) {
			xmlChar *t = xmlNodeGetContent(c);
			snprintf(buf, sizeof(bufs[0]), "%s", (const char *)t);
			xmlFree(t);
		}
	return buf;
}

static void
reset_rpc(struct rpc *r)
{
	if (r->err_doc != NULL)
		xmlFreeDoc(r->err_doc);
	r->err_doc = NULL;
	r->nerrors = 0;
	unlink(logpath);
}

static pid_t
pid_from(const char *path)
{
	return (pid_t)atoi(slurp(path));
}

/* 1 once pid has died (a zombie waiting for its new parent counts). */
static int
gone(pid_t pid)
{
	char path[64], *st, *p;

	for (int i = 0; i < 100; i++) {
		if (kill(pid, 0) == -1 && errno == ESRCH)
			return 1;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		st = slurp(path);
		if ((p = strrchr(st, ')')) != NULL && p[1] == ' ' &&
		    (p[2] == 'Z' || p[2] == 'X'))
			return 1;
		usleep(20000);
	}
	return 0;
}

static void
test_hooks(struct session *s)
{
	struct rpc r;
	char want[8192], pidfile[600];
	const char *log;
	pid_t bg;
	int rc;

	memset(&r, 0, sizeof(r));
	r.s = s;

	CHECK(hooks_commit_enabled(s->nc->commit_hooks) == 0, "no hook folder: hooks disabled");
	CHECK(hooks_run_commit(s->nc->commit_hooks, s, &r, ofd, nfd) == 0 && r.nerrors == 0,
	    "no hook folder: the change stands");

	mkdir(hookdir, 0700);
	CHECK(hooks_commit_enabled(s->nc->commit_hooks) == 0, "empty hook folder: hooks disabled");
	/* in=XY: whether $1 and $2 hold the new content's <a/> (read twice: reopened) */
	script(hookdir, "20-b", 0755,
	    "echo \"b $1 $2 in=$(grep -c '<a/>' $1)$(grep -c '<a/>' $NCHOME_NEW_CONFIG) "
	    "rev=$NCHOME_REVERT old=$NCHOME_OLD_CONFIG new=$NCHOME_NEW_CONFIG\" >>$LOG");
	script(hookdir, "10-a", 0755,
	    "echo \"a $1 $2 in=$(grep -c '<a/>' $1)$(grep -c '<a/>' $2)$(grep -c '<a/>' $2) "
	    "rev=$NCHOME_REVERT sid=$NCHOME_SESSION_ID user=$NCHOME_USER ds=$NCHOME_DATASTORE\" >>$LOG");
	script(hookdir, ".hidden", 0755, "echo hidden >>$LOG; exit 1");
	script(hookdir, "15-noexec", 0644, "echo noexec >>$LOG; exit 1");
	script(hookdir, "16-backup~", 0755, "echo backup >>$LOG; exit 1");
	CHECK(hooks_commit_enabled(s->nc->commit_hooks) == 1, "hook folder with programs: hooks enabled");

	reset_rpc(&r);
	rc = hooks_run_commit(s->nc->commit_hooks, s, &r, ofd, nfd);
	log = slurp(logpath);
	snprintf(want, sizeof(want),
	    "a %s %s in=011 rev=0 sid=42 user=alice ds=running\n"
	    "b %s %s in=01 rev=0 old=%s new=%s\n", OLDF, NEWF, OLDF, NEWF, OLDF, NEWF);
	CHECK(rc == 0 && r.nerrors == 0, "hooks that succeed keep the change");
	CHECK(strcmp(log, want) == 0,
	    "hooks run in name order with old/new on descriptors 3/4, named in argv and env, "
	    "dotfiles/non-executables/backups skipped (log: %s)", log);

	script(hookdir, "30-fail", 0755,
	    "echo \"fail $1 $2\" >>$LOG; echo 'bad hostname: <x&y>' >&2; exit 3");
	script(hookdir, "40-after", 0755, "echo after >>$LOG");
	reset_rpc(&r);
	rc = hooks_run_commit(s->nc->commit_hooks, s, &r, ofd, nfd);
	log = slurp(logpath);
	snprintf(want, sizeof(want),
	    "a %s %s in=011 rev=0 sid=42 user=alice ds=running\n"
	    "b %s %s in=01 rev=0 old=%s new=%s\n"
	    "fail %s %s\n"
	    "b %s %s in=10 rev=1 old=%s new=%s\n"
	    "a %s %s in=100 rev=1 sid=42 user=alice ds=running\n",
	    OLDF, NEWF, OLDF, NEWF, OLDF, NEWF, OLDF, NEWF,
	    OLDF, NEWF, OLDF, NEWF, OLDF, NEWF);
	CHECK(rc == -1 && r.nerrors == 1, "a failing hook fails the change");
	CHECK(strcmp(log, want) == 0,
	    "earlier hooks are reverted in reverse order with the contents swapped, "
	    "later hooks do not run (log: %s)", log);
	CHECK(strcmp(err_field(&r, "error-tag"), "operation-failed") == 0, "error-tag operation-failed");
	CHECK(strstr(err_field(&r, "error-message"), "30-fail") != NULL &&
	    strstr(err_field(&r, "error-message"), "exit status 3") != NULL &&
	    strstr(err_field(&r, "error-message"), "bad hostname: <x&y>") != NULL,
	    "error-message names the hook and carries its stderr (%s)", err_field(&r, "error-message"));
	rm_script(hookdir, "30-fail");
	rm_script(hookdir, "40-after");

	/* A hung hook is killed with what it started. */
	snprintf(pidfile, sizeof(pidfile), "%s/sleep.pid", top);
	script(hookdir, "30-hang", 0755, "sleep 60 & echo $! >$LOG.pid; wait");
	/* long enough for a loaded machine's sh to start sleep and write its pid */
	setenv("NCHOME_HOOK_TIMEOUT", "2", 1);
	reset_rpc(&r);
	rc = hooks_run_commit(s->nc->commit_hooks, s, &r, ofd, nfd);
	snprintf(pidfile, sizeof(pidfile), "%s.pid", logpath);
	bg = pid_from(pidfile);
	CHECK(rc == -1 && strstr(err_field(&r, "error-message"), "timed out") != NULL,
	    "a hung hook counts as failed (%s)", err_field(&r, "error-message"));
	CHECK(bg > 0 && gone(bg), "the hung hook's children were killed too");
	rm_script(hookdir, "30-hang");

	/* A hook that leaves a background child holding its stderr open. */
	setenv("NCHOME_HOOK_TIMEOUT", "5", 1);
	script(hookdir, "30-daemon", 0755,
	    "sleep 60 & echo $! >$LOG.pid; exit 0");
	reset_rpc(&r);
	rc = hooks_run_commit(s->nc->commit_hooks, s, &r, ofd, nfd);
	bg = pid_from(pidfile);
	CHECK(rc == 0, "a hook that exits 0 leaving a background child succeeds");
	if (bg > 0)
		kill(bg, SIGKILL);
	rm_script(hookdir, "30-daemon");

	/* stderr is bounded; invalid UTF-8 and control bytes are made safe. */
	script(hookdir, "30-noisy", 0755,
	    "printf 'bad\\377\\001byte\\n' >&2; head -c 200000 /dev/zero | tr '\\0' x >&2; exit 1");
	reset_rpc(&r);
	rc = hooks_run_commit(s->nc->commit_hooks, s, &r, ofd, nfd);
	CHECK(rc == -1 && strlen(err_field(&r, "error-message")) < 4096 + 200 &&
	    strstr(err_field(&r, "error-message"), "bad??byte") != NULL,
	    "stderr is bounded and made XML-safe (%zu bytes)", strlen(err_field(&r, "error-message")));
	rm_script(hookdir, "30-noisy");

	/* A hook killed by a signal. */
	script(hookdir, "30-signal", 0755, "kill -TERM $$");
	reset_rpc(&r);
	rc = hooks_run_commit(s->nc->commit_hooks, s, &r, ofd, nfd);
	CHECK(rc == -1 && strstr(err_field(&r, "error-message"), "signal 15") != NULL,
	    "a hook killed by a signal fails (%s)", err_field(&r, "error-message"));
	rm_script(hookdir, "30-signal");
	unsetenv("NCHOME_HOOK_TIMEOUT");
	reset_rpc(&r);
}

static int
count_children(xmlNodePtr n, const char *name)
{
	int k = 0;

	for (xmlNodePtr c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    (name == NULL || strcmp((const char *)c->name, name) == 0))
			k++;
	return k;
}

static xmlNodePtr
fresh_into(xmlDocPtr *doc)
{
	xmlNodePtr root;

	*doc = xmlNewDoc(BAD_CAST "1.0");
	root = xmlNewNode(NULL, BAD_CAST "data");
	xmlDocSetRootElement(*doc, root);
	return root;
}

static void
test_state(struct session *s)
{
	xmlDocPtr doc;
	xmlNodePtr into, c;
	xmlBufferPtr b;

	into = fresh_into(&doc);
	CHECK(state_collect(s, into, NULL, NULL, NULL) == 0 && count_children(into, NULL) == 3 &&
	    count_children(into, "netconf-state") == 1 &&
	    count_children(into, "nacm") == 1 &&
	    count_children(into, "netconf") == 1,
	    "no provider folder: only netconf-state, the /nacm counters and the RFC 5277 "
	    "streams are added");
	xmlFreeDoc(doc);

	mkdir(statedir, 0700);
	script(statedir, "10-good", 0755,
	    "echo \"$NCHOME_SESSION_ID\" >$LOG.sid\n"
	    "cat <<'EOF'\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<system-state xmlns=\"urn:ietf:params:xml:ns:yang:ietf-system\">"
	    "<clock><current-datetime>2026-01-01T00:00:00Z</current-datetime></clock>"
	    "</system-state>\n<x:other xmlns:x=\"urn:example:x\"><x:a>1 &amp; 2</x:a></x:other>\nEOF");
	script(statedir, "20-fails", 0755, "echo '<fails/>'; exit 1");
	script(statedir, "30-doctype", 0755,
	    "echo '<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><a>&e;</a>'");
	script(statedir, "31-entity", 0755, "echo '<a>&e;</a>'");
	script(statedir, "32-text", 0755, "echo 'hello <a/>'");
	script(statedir, "33-broken", 0755, "echo '<a><b></a>'");
	script(statedir, "34-hang", 0755, "echo '<hang/>'; sleep 60");
	script(statedir, "35-noexec", 0644, "echo '<noexec/>'");
	script(statedir, "40-last", 0755, "echo '<last xmlns=\"urn:example:last\"/>'");
	setenv("NCHOME_STATE_TIMEOUT", "0.5", 1);

	into = fresh_into(&doc);
	CHECK(state_collect(s, into, NULL, NULL, NULL) == 0, "state_collect answers");
	CHECK(count_children(into, NULL) == 6,
	    "only the good providers' elements are added (%d)", count_children(into, NULL));
	CHECK(count_children(into, "system-state") == 1 &&
	    count_children(into, "other") == 1 && count_children(into, "last") == 1,
	    "elements of a provider printing several and of one after failures");
	b = xmlBufferCreate();
	for (c = into->children; c != NULL; c = c->next)
		if (strcmp((const char *)c->name, "netconf-state") != 0 &&
		    strcmp((const char *)c->name, "netconf") != 0)
			xmlNodeDump(b, doc, c, 0, 0);
	CHECK(strstr((const char *)xmlBufferContent(b),
	    "<x:other xmlns:x=\"urn:example:x\"><x:a>1 &amp; 2</x:a></x:other>") != NULL &&
	    strstr((const char *)xmlBufferContent(b),
	    "<system-state xmlns=\"urn:ietf:params:xml:ns:yang:ietf-system\">") != NULL,
	    "namespaces and text survive (%s)", (const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	xmlFreeDoc(doc);
	{
		char p[600];

		snprintf(p, sizeof(p), "%s.sid", logpath);
		CHECK(strcmp(slurp(p), "42\n") == 0, "providers see NCHOME_SESSION_ID");
	}
	unsetenv("NCHOME_STATE_TIMEOUT");
}

int
main(void)
{
	struct nchome_conf conf;
	struct session s;

	log_init("test_hooks", LOG_TO_STDERR, 0);
	if (mkdtemp(top) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(hookdir, sizeof(hookdir), "%s/commit.d", top);
	snprintf(statedir, sizeof(statedir), "%s/state.d", top);
	snprintf(logpath, sizeof(logpath), "%s/log", top);
	snprintf(oldp, sizeof(oldp), "%s/old.xml", top);
	snprintf(newp, sizeof(newp), "%s/new.xml", top);
	write_file(oldp, "<config xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"/>\n", 0600);
	write_file(newp, "<config xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><a/></config>\n", 0600);
	if ((ofd = open(oldp, O_RDONLY | O_CLOEXEC)) == -1 ||
	    (nfd = open(newp, O_RDONLY | O_CLOEXEC)) == -1)
		return 2;

	memset(&conf, 0, sizeof(conf));
	conf.netconf.commit_hooks = hookdir;
	conf.netconf.state_providers = statedir;
	conf.netconf.datastore_dir = top;
	memset(&s, 0, sizeof(s));
	s.id = 42;
	s.conf = &conf;
	s.nc = &conf.netconf;
	s.user = "alice";
	if ((s.dd = dsdir_open(top)) == NULL)
		return 2;
	server_setup();		/* the state sources, as nchome-netconf has them */

	test_hooks(&s);
	test_state(&s);

	{
		char *argv[] = { "rm", "-rf", top, NULL };
		struct prog_result res;

		if (prog_run("/bin/rm", argv, NULL, 10000, 0, 0, &res) == 0)
			prog_result_free(&res);
	}
	dsdir_close(s.dd);
	UNIT_DONE();
}
