/*
 * A small NMS on libnetconf2 2.x for t_libnetconf2: it knows no YANG
 * module of its own.  Either it waits for a call home over SSH
 * (nc_accept_callhome(): "callhome PORT USER PUBKEY PRIVKEY", it prints
 * "listening" once the port is open), or it runs the transport command
 * given (argv: e.g. ssh -s netconf through the device's sshd) and speaks
 * NETCONF over its pipes with nc_connect_inout().  libnetconf2 builds the
 * session's libyang context from what the device announces (yang-library
 * data, get-schema).  Then, as a model-driven NMS does:
 *
 *   - says which modules the context has implemented,
 *   - get-config of running, parsed against that context,
 *   - edit-config (merge) of ietf-system's contact and of an
 *     ietf-interfaces interface with an identityref type,
 *   - get-config again, parsed, and the values read back from the
 *     libyang tree.
 *
 * Prints one "key value" line per fact on stdout for the test to check;
 * exits 0 when every step ran, 1 otherwise (the failing step on stderr).
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libyang/libyang.h>
#include <libnetconf2/log.h>
#include <libnetconf2/messages_client.h>
#include <libnetconf2/netconf.h>
/* the SSH enum of session.h only: its libssh-using parts stay out */
#define NC_ENABLED_SSH
#include <libnetconf2/session.h>
#undef NC_ENABLED_SSH
#include <libnetconf2/session_client.h>

#include "nms_spawn.h"

#define TIMEOUT_MS	30000

/*
 * Call home (RFC 8071) over SSH: libnetconf2's session_client_ch.h
 * includes <libssh/libssh.h>, whose headers Debian's libnetconf2-dev
 * does not pull in, so the few functions used are declared here as
 * that header has them (ssh_session is an opaque pointer).
 */
struct ssh_session_struct;
int nc_accept_callhome(int timeout, struct ly_ctx *ctx, struct nc_session **session);
int nc_client_ssh_ch_add_bind_listen(const char *address, uint16_t port);
int nc_client_ssh_ch_add_keypair(const char *pub_key, const char *priv_key);
void nc_client_ssh_ch_set_auth_pref(NC_SSH_AUTH_TYPE auth_type, int16_t pref);
int nc_client_ssh_ch_set_username(const char *username);
void nc_client_ssh_ch_set_auth_hostkey_check_clb(int (*check)(const char *hostname,
    struct ssh_session_struct *session, void *priv), void *priv);

/*
 * The device's host key is not checked here: the test owns both ends on
 * loopback, and this NMS is about the model, not SSH.
 */
static int
accept_hostkey(const char *hostname, struct ssh_session_struct *session, void *priv)
{
	(void)hostname; (void)session; (void)priv;
	return 0;
}

/* callhome PORT USER PUBKEY PRIVKEY: listen on 127.0.0.1:PORT for one call. */
static struct nc_session *
callhome(char **argv)
{
	struct nc_session *s = NULL;

	nc_client_ssh_ch_set_auth_hostkey_check_clb(accept_hostkey, NULL);
	nc_client_ssh_ch_set_auth_pref(NC_SSH_AUTH_PUBLICKEY, 10);
	nc_client_ssh_ch_set_auth_pref(NC_SSH_AUTH_PASSWORD, -1);
	nc_client_ssh_ch_set_auth_pref(NC_SSH_AUTH_INTERACTIVE, -1);
	if (nc_client_ssh_ch_set_username(argv[1]) != 0 ||
	    nc_client_ssh_ch_add_keypair(argv[2], argv[3]) != 0 ||
	    nc_client_ssh_ch_add_bind_listen("127.0.0.1", (uint16_t)atoi(argv[0])) != 0) {
		fprintf(stderr, "call home: cannot listen\n");
		return NULL;
	}
	printf("listening\n");
	fflush(stdout);
	if (nc_accept_callhome(TIMEOUT_MS * 2, NULL, &s) != 1) {
		fprintf(stderr, "call home: no call\n");
		return NULL;
	}
	return s;
}

static const char *const implemented[] = {
	"ietf-netconf", "ietf-netconf-monitoring", "ietf-system", "ietf-interfaces",
	"iana-if-type", "ietf-yang-library",
};

#define EDIT_SYSTEM \
	"<system xmlns=\"urn:ietf:params:xml:ns:yang:ietf-system\">" \
	"<contact>nms@example.net</contact></system>"
#define EDIT_IF \
	"<interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\">" \
	"<interface><name>eth9</name>" \
	"<type xmlns:ianaift=\"urn:ietf:params:xml:ns:yang:iana-if-type\">" \
	"ianaift:ethernetCsmacd</type><enabled>true</enabled></interface></interfaces>"

/* Sends rpc, receives its reply; *data gets the reply's data (may be NULL). */
static int
call(struct nc_session *s, struct nc_rpc *rpc, const char *what, struct lyd_node **data)
{
	struct lyd_node *env = NULL, *op = NULL;
	uint64_t id;
	NC_MSG_TYPE t;
	int rc = -1;

	if (nc_send_rpc(s, rpc, TIMEOUT_MS, &id) != NC_MSG_RPC) {
		fprintf(stderr, "%s: cannot send\n", what);
		goto out;
	}
	do
		t = nc_recv_reply(s, rpc, id, TIMEOUT_MS, &env, &op);
	while (t == NC_MSG_NOTIF);
	if (t != NC_MSG_REPLY) {
		fprintf(stderr, "%s: no reply (%d)\n", what, (int)t);
		goto out;
	}
	if (env != NULL && lyd_child(env) != NULL &&
	    strcmp(LYD_NAME(lyd_child(env)), "rpc-error") == 0) {
		char *txt = NULL;

		lyd_print_mem(&txt, env, LYD_XML, LYD_PRINT_WITHSIBLINGS);
		fprintf(stderr, "%s: rpc-error: %s\n", what, txt ? txt : "");
		free(txt);
		goto out;
	}
	rc = 0;
	if (data != NULL && op != NULL) {
		/* op is the get-config output: its <data> anydata holds the tree */
		struct lyd_node *d = lyd_child(op);

		if (d != NULL && d->schema != NULL && (d->schema->nodetype & LYS_ANYDATA)) {
			struct lyd_node_any *any = (struct lyd_node_any *)d;

			if (any->value_type == LYD_ANYDATA_DATATREE) {
				*data = any->value.tree;
				any->value.tree = NULL;
			}
		}
	}
out:
	lyd_free_all(op);
	lyd_free_all(env);
	nc_rpc_free(rpc);
	return rc;
}

static const char *
value_at(struct lyd_node *tree, const char *path)
{
	struct lyd_node *n = NULL;

	if (tree == NULL || lyd_find_path(tree, path, 0, &n) != LY_SUCCESS || n == NULL)
		return NULL;
	return lyd_get_value(n);
}

int
main(int argc, char *argv[])
{
	struct nc_session *s = NULL;
	struct lyd_node *data = NULL;
	struct ly_ctx *ctx;
	const char *v;
	int to = -1, from = -1, status, rc = 1;
	pid_t pid = -1;

	if (argc < 2 || (strcmp(argv[1], "callhome") == 0 && argc != 6)) {
		fprintf(stderr, "usage: nms_libnetconf2 transport-command [arg...]\n"
		    "       nms_libnetconf2 callhome port user pubkey privkey\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	nc_verbosity(getenv("NMS_DEBUG") ? NC_VERB_DEBUG : NC_VERB_WARNING);
	if (strcmp(argv[1], "callhome") != 0 && (pid = spawn(argv + 1, &to, &from)) == -1) {
		perror("spawn");
		return 1;
	}
	nc_client_init();
	/*
	 * An empty folder as the search path (NMS_SCHEMA_DIR): every module
	 * comes from the device (libnetconf2 keeps copies there).
	 */
	if (getenv("NMS_SCHEMA_DIR") == NULL ||
	    nc_client_set_schema_searchpath(getenv("NMS_SCHEMA_DIR")) != 0) {
		fprintf(stderr, "NMS_SCHEMA_DIR: an empty folder, please\n");
		goto done;
	}
	if (strcmp(argv[1], "callhome") == 0)
		s = callhome(argv + 2);
	else
		s = nc_connect_inout(from, to, NULL);
	if (s == NULL) {
		fprintf(stderr, "connect: no session\n");
		goto done;
	}
	printf("connected %u\n", nc_session_get_id(s));
	ctx = nc_session_get_ctx(s);
	for (size_t i = 0; i < sizeof(implemented) / sizeof(implemented[0]); i++) {
		const struct lys_module *m = ly_ctx_get_module_implemented(ctx, implemented[i]);

		printf("module %s %s\n", implemented[i], m != NULL ? "implemented" : "missing");
	}
	if (call(s, nc_rpc_getconfig(NC_DATASTORE_RUNNING, NULL, NC_WD_UNKNOWN, NC_PARAMTYPE_CONST),
	    "get-config", &data) == -1)
		goto done;
	printf("get-config ok\n");
	lyd_free_all(data);
	data = NULL;
	if (call(s, nc_rpc_edit(NC_DATASTORE_RUNNING, NC_RPC_EDIT_DFLTOP_MERGE,
	    NC_RPC_EDIT_TESTOPT_UNKNOWN, NC_RPC_EDIT_ERROPT_UNKNOWN, EDIT_SYSTEM,
	    NC_PARAMTYPE_CONST), "edit-config system", NULL) == -1)
		goto done;
	printf("edit system ok\n");
	if (call(s, nc_rpc_edit(NC_DATASTORE_RUNNING, NC_RPC_EDIT_DFLTOP_MERGE,
	    NC_RPC_EDIT_TESTOPT_UNKNOWN, NC_RPC_EDIT_ERROPT_UNKNOWN, EDIT_IF,
	    NC_PARAMTYPE_CONST), "edit-config interfaces", NULL) == -1)
		goto done;
	printf("edit interfaces ok\n");
	if (call(s, nc_rpc_getconfig(NC_DATASTORE_RUNNING, NULL, NC_WD_UNKNOWN, NC_PARAMTYPE_CONST),
	    "get-config after", &data) == -1)
		goto done;
	v = value_at(data, "/ietf-system:system/contact");
	printf("contact %s\n", v ? v : "(none)");
	v = value_at(data, "/ietf-interfaces:interfaces/interface[name='eth9']/type");
	printf("if-type %s\n", v ? v : "(none)");
	rc = 0;
done:
	lyd_free_all(data);
	nc_session_free(s, NULL);
	nc_client_destroy();
	if (pid > 0) {
		close(to);
		close(from);
		while (waitpid(pid, &status, 0) == -1)
			;
	}
	return rc;
}
