/*
 * Fuzz target: the RPC layer (subsystem/session/rpc.c: parse, dispatch, reply) and
 * every operation behind it, on a real datastore-dir in a temporary folder
 * (on /dev/shm when there is one: fsync costs nothing there).
 *
 * Input: byte 0 flags (bit 0: the session speaks base:1.1); the rest is
 * split into messages with end-of-message framing ("]]>]]>"), each handed
 * to rpc_handle() as nchome-netconf does after the hello (at most 16 per
 * input; close-session ends the input).  Before each input the datastore
 * is reset to a fixed running datastore, so an input means the same thing
 * every time it runs.
 *
 * Checks beyond "no crash, no leak": every message gets exactly one
 * well-formed <rpc-reply> (one end-of-message delimiter, at the end; the
 * reply parses as XML).
 *
 * Not fuzzed: <confirmed/> commits (a message holding a "confirmed"
 * element is skipped), since each would leave a detached rollback-timer
 * process sleeping until its deadline.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "conf.h"
#include "fuzz.h"
#include "fuzz_data.h"
#include "host/host.h"
#include "log.h"
#include "netconf/netconf.h"
#include "server.h"
#include "session/session.h"
#include "store/store.h"

#define FUZZ_RPC_MAX_MSGS	16
#define FUZZ_RPC_MAX_SIZE	(1024 * 1024)

static struct {
	int			 ready;
	char			 top[128];
	char			 dsdir[192];
	struct nchome_conf	*conf;
	struct session		 s;
	int			 outfd;
} fuzz_rpc;

static void
fuzz_rpc_rmtree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char p[512];

	if (d == NULL) {
		unlink(path);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		fuzz_rpc_rmtree(p);
	}
	closedir(d);
	rmdir(path);
}

static void
fuzz_rpc_cleanup(void)
{
	if (!fuzz_rpc.ready)
		return;
	server_teardown(&fuzz_rpc.s);
	framer_free(fuzz_rpc.s.fr);
	dsdir_close(fuzz_rpc.s.dd);
	free(fuzz_rpc.s.user);
	free(fuzz_rpc.s.peer);
	conf_free(fuzz_rpc.conf);
	close(fuzz_rpc.outfd);
	fuzz_rpc_rmtree(fuzz_rpc.top);
	fuzz_rpc.ready = 0;
}

static void
fuzz_rpc_setup(void)
{
	char path[256], err[512];
	FILE *fp;

	snprintf(fuzz_rpc.top, sizeof(fuzz_rpc.top), "%s/nchome-fuzz-rpc.XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(fuzz_rpc.top) == NULL)
		abort();
	snprintf(fuzz_rpc.dsdir, sizeof(fuzz_rpc.dsdir), "%s/ds", fuzz_rpc.top);
	snprintf(path, sizeof(path), "%s/nchome.conf", fuzz_rpc.top);
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fprintf(fp, "netconf {\n datastore-dir = \"%s\"\n commit-hooks = \"%s/hooks\"\n"
	    " state-providers = \"%s/state\"\n max-message-size = %d\n}\n",
	    fuzz_rpc.dsdir, fuzz_rpc.top, fuzz_rpc.top, FUZZ_RPC_MAX_SIZE);
	fclose(fp);
	if ((fuzz_rpc.conf = conf_load(path, 0, err, sizeof(err))) == NULL)
		abort();
	log_init("fuzz_rpc", LOG_TO_SYSLOG, 0);
	xmlInitParser();
	memset(&fuzz_rpc.s, 0, sizeof(fuzz_rpc.s));
	fuzz_rpc.s.conf = fuzz_rpc.conf;
	fuzz_rpc.s.nc = &fuzz_rpc.conf->netconf;
	fuzz_rpc.s.user = strdup("fuzz");
	fuzz_rpc.s.peer = strdup("");
	if ((fuzz_rpc.outfd = memfd_create("fuzz_rpc", 0)) == -1)
		abort();
	fuzz_rpc.s.fr = framer_new(-1, fuzz_rpc.outfd, FUZZ_RPC_MAX_SIZE);
	if (mkdir(fuzz_rpc.dsdir, 0700) == -1 || fuzz_rpc.s.fr == NULL ||
	    (fuzz_rpc.s.dd = dsdir_open(fuzz_rpc.dsdir)) == NULL ||
	    reg_register(&fuzz_rpc.s) == -1)
		abort();
	server_setup();
	fuzz_rpc.ready = 1;
	atexit(fuzz_rpc_cleanup);
}

/* A fresh datastore-dir: the fixed running datastore, nothing else. */
static void
fuzz_rpc_reset(void)
{
	DIR *d;
	struct dirent *de;
	char p[512];
	FILE *fp;

	store_release_locks(fuzz_rpc.s.store);
	store_close(fuzz_rpc.s.store);
	fuzz_rpc.s.store = NULL;
	if ((d = opendir(fuzz_rpc.dsdir)) == NULL)
		abort();
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if (strcmp(de->d_name, "sessions") == 0)
			continue;	/* our registry entry stays */
		snprintf(p, sizeof(p), "%s/%s", fuzz_rpc.dsdir, de->d_name);
		fuzz_rpc_rmtree(p);
	}
	closedir(d);
	snprintf(p, sizeof(p), "%s/running.xml", fuzz_rpc.dsdir);
	if ((fp = fopen(p, "w")) == NULL)
		abort();
	fputs(fuzz_data_default, fp);
	fclose(fp);
	if (server_open_store(&fuzz_rpc.s) == -1)
		abort();
	fuzz_rpc.s.closing = 0;
}

/* 1 when the tree under n holds an element named "confirmed". */
static int
fuzz_rpc_has_confirmed(xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE &&
		    (xmlStrEqual(n->name, BAD_CAST "confirmed") ||
		    fuzz_rpc_has_confirmed(n->children)))
			return 1;
	}
	return 0;
}

/* The output of one rpc_handle(): exactly one framed, well-formed rpc-reply. */
static void
fuzz_rpc_check_reply(void)
{
	off_t end = lseek(fuzz_rpc.outfd, 0, SEEK_CUR);
	char *buf, *delim;
	xmlDocPtr doc;
	xmlNodePtr root;

	if (end < 6 || (buf = malloc((size_t)end + 1)) == NULL)
		abort();	/* no reply at all */
	if (pread(fuzz_rpc.outfd, buf, (size_t)end, 0) != end)
		abort();
	buf[end] = '\0';
	delim = memmem(buf, (size_t)end, "]]>]]>", 6);
	if (delim != buf + end - 6) {
		fprintf(stderr, "fuzz_rpc: a delimiter inside the reply, or none at its end:\n%.*s\n",
		    (int)(end > 4096 ? 4096 : end), buf);
		abort();
	}
	doc = xmlReadMemory(buf, (int)(end - 6), NULL, NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
	root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	if (root == NULL || !xmlStrEqual(root->name, BAD_CAST "rpc-reply")) {
		fprintf(stderr, "fuzz_rpc: not one well-formed rpc-reply:\n%.*s\n",
		    (int)(end > 4096 ? 4096 : end), buf);
		abort();
	}
	xmlFreeDoc(doc);
	free(buf);
}

static int
fuzz_rpc_one(const uint8_t *data, size_t size)
{
	struct framer *in;
	int nmsgs = 0;

	if (size < 1)
		return 0;
	if (!fuzz_rpc.ready)
		fuzz_rpc_setup();
	fuzz_rpc_reset();
	fuzz_rpc.s.base11 = data[0] & 1;
	if ((in = framer_new(-1, -1, FUZZ_RPC_MAX_SIZE)) == NULL ||
	    framer_push(in, data + 1, size - 1) == -1)
		abort();
	while (nmsgs < FUZZ_RPC_MAX_MSGS && !fuzz_rpc.s.closing) {
		char *msg, why[256];
		size_t len;
		xmlDocPtr pre;
		int skip;

		if (framer_next(in, &msg, &len) != FR_MSG)
			break;
		nmsgs++;
		pre = rpc_parse(msg, len, why, sizeof(why));
		skip = pre != NULL && fuzz_rpc_has_confirmed(xmlDocGetRootElement(pre));
		if (pre != NULL)
			xmlFreeDoc(pre);
		if (skip)
			continue;
		if (ftruncate(fuzz_rpc.outfd, 0) == -1 || lseek(fuzz_rpc.outfd, 0, SEEK_SET) == -1)
			abort();
		if (rpc_handle(&fuzz_rpc.s, msg, len) == -1)
			abort();	/* the output cannot fail here */
		fuzz_rpc_check_reply();
	}
	framer_free(in);
	return 0;
}

FUZZ_TARGET(fuzz_rpc_one)
