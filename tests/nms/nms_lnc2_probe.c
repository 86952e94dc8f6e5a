/*
 * A libnetconf2 2.x client for t_attack_clients: the requests an account
 * makes through a model-driven NMS library rather than ncclient.  It runs
 * the transport command given (ssh -s netconf through the device's sshd),
 * lets libnetconf2 build its context from what the device announces
 * (yang-library data and get-schema, its own requests at session start),
 * then runs the script named by NMS_SCRIPT, one request a line, fields
 * split by '|':
 *
 *   get|FILTER|WD          <get>, subtree filter (may be empty), with-defaults
 *                          mode (report-all, trim, explicit, all-tagged or empty)
 *   getconfig|FILTER       <get-config> of running
 *   schema|ID|VERSION|FMT  <get-schema> (empty fields left out)
 *   kill|ID                <kill-session>
 *   lock / unlock          of running
 *   subscribe|FILTER|START <create-subscription> of NETCONF (START: a replay)
 *   notifs|SECONDS         notifications received for that long, or until
 *                          replayComplete
 *   raw|XML                any RPC, as libnetconf2's generic XML RPC
 *   sleep|MS
 *   waitfile|PATH          until PATH exists (at most 20 s): the test's go
 *
 * Prints "connected ID", "module NAME" for each implemented module of its
 * context, then for each line "reply N T0 T1 XML" (the reply envelope and
 * output on one line; T0 and T1 CLOCK_MONOTONIC ms around the request) or
 * "noreply N WHY", and "notif XML" for each notification.  Exits 0 when
 * the session ran the whole script.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libyang/libyang.h>
#include <libnetconf2/log.h>
#include <libnetconf2/messages_client.h>
#include <libnetconf2/netconf.h>
#include <libnetconf2/session.h>
#include <libnetconf2/session_client.h>

#include "nms_spawn.h"

#define TIMEOUT_MS	20000
#define FIELDS_MAX	4

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* tree on one line (newlines dropped), or "-" */
static void
print_tree(const struct lyd_node *tree)
{
	char *txt = NULL;

	if (tree == NULL || lyd_print_mem(&txt, tree, LYD_XML,
	    LYD_PRINT_WITHSIBLINGS | LYD_PRINT_SHRINK) != LY_SUCCESS || txt == NULL) {
		printf(" -");
		return;
	}
	for (char *c = txt; *c; c++)
		if (*c == '\n')
			*c = ' ';
	printf(" %s", txt);
	free(txt);
}

static void
call(struct nc_session *s, struct nc_rpc *rpc, int n)
{
	struct lyd_node *env = NULL, *op = NULL;
	uint64_t id;
	long long t0 = now_ms();
	NC_MSG_TYPE t;

	if (rpc == NULL) {
		printf("noreply %d bad-request\n", n);
		return;
	}
	if (nc_send_rpc(s, rpc, TIMEOUT_MS, &id) != NC_MSG_RPC) {
		printf("noreply %d send\n", n);
		nc_rpc_free(rpc);
		return;
	}
	do
		t = nc_recv_reply(s, rpc, id, TIMEOUT_MS, &env, &op);
	while (t == NC_MSG_NOTIF);
	if (t != NC_MSG_REPLY) {
		printf("noreply %d recv-%d\n", n, (int)t);
	} else {
		printf("reply %d %lld %lld", n, t0, now_ms());
		print_tree(env);
		print_tree(op);
		printf("\n");
	}
	fflush(stdout);
	lyd_free_all(op);
	lyd_free_all(env);
	nc_rpc_free(rpc);
}

static void
notifs(struct nc_session *s, int seconds)
{
	long long end = now_ms() + seconds * 1000LL;
	struct lyd_node *env = NULL, *op = NULL;

	while (now_ms() < end) {
		NC_MSG_TYPE t = nc_recv_notif(s, 200, &env, &op);
		int done;

		if (t == NC_MSG_WOULDBLOCK)
			continue;
		if (t != NC_MSG_NOTIF) {
			printf("notif-end %d\n", (int)t);
			break;
		}
		printf("notif");
		print_tree(op);
		printf("\n");
		fflush(stdout);
		done = op != NULL && strcmp(LYD_NAME(op), "replayComplete") == 0;
		lyd_free_all(op);
		lyd_free_all(env);
		env = op = NULL;
		if (done)
			break;
	}
	fflush(stdout);
}

static NC_WD_MODE
wd_of(const char *w)
{
	if (w == NULL || *w == '\0')
		return NC_WD_UNKNOWN;
	if (strcmp(w, "report-all") == 0)
		return NC_WD_ALL;
	if (strcmp(w, "all-tagged") == 0)
		return NC_WD_ALL_TAG;
	if (strcmp(w, "trim") == 0)
		return NC_WD_TRIM;
	return NC_WD_EXPLICIT;
}

static const char *
opt(char **f, int i)
{
	return f[i] != NULL && *f[i] != '\0' ? f[i] : NULL;
}

static void
run_line(struct nc_session *s, char *line, int n)
{
	char *f[FIELDS_MAX + 1] = { NULL };
	char *p = line;
	int i;

	for (i = 0; i < FIELDS_MAX && p != NULL; i++)
		f[i] = strsep(&p, "|");
	if (strcmp(f[0], "get") == 0)
		call(s, nc_rpc_get(opt(f, 1), wd_of(f[2]), NC_PARAMTYPE_CONST), n);
	else if (strcmp(f[0], "getconfig") == 0)
		call(s, nc_rpc_getconfig(NC_DATASTORE_RUNNING, opt(f, 1), NC_WD_UNKNOWN,
		    NC_PARAMTYPE_CONST), n);
	else if (strcmp(f[0], "schema") == 0)
		call(s, nc_rpc_getschema(opt(f, 1), opt(f, 2), opt(f, 3), NC_PARAMTYPE_CONST), n);
	else if (strcmp(f[0], "kill") == 0 && f[1] != NULL)
		call(s, nc_rpc_kill((uint32_t)strtoul(f[1], NULL, 10)), n);
	else if (strcmp(f[0], "lock") == 0)
		call(s, nc_rpc_lock(NC_DATASTORE_RUNNING), n);
	else if (strcmp(f[0], "unlock") == 0)
		call(s, nc_rpc_unlock(NC_DATASTORE_RUNNING), n);
	else if (strcmp(f[0], "subscribe") == 0)
		call(s, nc_rpc_subscribe(NULL, opt(f, 1), opt(f, 2), NULL, NC_PARAMTYPE_CONST), n);
	else if (strcmp(f[0], "notifs") == 0 && f[1] != NULL)
		notifs(s, atoi(f[1]));
	else if (strcmp(f[0], "raw") == 0 && f[1] != NULL)
		call(s, nc_rpc_act_generic_xml(f[1], NC_PARAMTYPE_CONST), n);
	else if (strcmp(f[0], "sleep") == 0 && f[1] != NULL)
		usleep((useconds_t)atoi(f[1]) * 1000);
	else if (strcmp(f[0], "waitfile") == 0 && f[1] != NULL) {
		long long end = now_ms() + TIMEOUT_MS;

		while (access(f[1], F_OK) != 0 && now_ms() < end)
			usleep(20000);
	}
	else
		printf("noreply %d unknown-line\n", n);
}

static void
list_modules(struct ly_ctx *ctx)
{
	const struct lys_module *m;
	uint32_t idx = 0;

	while ((m = ly_ctx_get_module_iter(ctx, &idx)) != NULL)
		if (m->implemented)
			printf("module %s\n", m->name);
}

int
main(int argc, char *argv[])
{
	struct nc_session *s = NULL;
	char line[8192];
	FILE *script = NULL;
	int to = -1, from = -1, status, rc = 1, n = 0;
	pid_t pid = -1;

	if (argc < 2 || getenv("NMS_SCRIPT") == NULL || getenv("NMS_SCHEMA_DIR") == NULL) {
		fprintf(stderr, "usage: NMS_SCRIPT=file NMS_SCHEMA_DIR=dir nms_lnc2_probe "
		    "transport-command [arg...]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	nc_verbosity(getenv("NMS_DEBUG") ? NC_VERB_DEBUG : NC_VERB_ERROR);
	if ((script = fopen(getenv("NMS_SCRIPT"), "r")) == NULL) {
		perror("NMS_SCRIPT");
		return 1;
	}
	if ((pid = spawn(argv + 1, &to, &from)) == -1) {
		perror("spawn");
		fclose(script);
		return 1;
	}
	nc_client_init();
	if (nc_client_set_schema_searchpath(getenv("NMS_SCHEMA_DIR")) != 0 ||
	    (s = nc_connect_inout(from, to, NULL)) == NULL) {
		fprintf(stderr, "connect: no session\n");
		goto done;
	}
	printf("connected %u\n", nc_session_get_id(s));
	list_modules(nc_session_get_ctx(s));
	fflush(stdout);
	while (fgets(line, sizeof(line), script) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		run_line(s, line, ++n);
		if (nc_session_get_status(s) != NC_STATUS_RUNNING) {
			printf("session-ended %d\n", n);
			goto done;
		}
	}
	rc = 0;
done:
	fflush(stdout);
	nc_session_free(s, NULL);
	nc_client_destroy();
	fclose(script);
	close(to);
	close(from);
	while (waitpid(pid, &status, 0) == -1)
		;
	return rc;
}
