/* Unit tests of the nchome.conf reader (common/conf.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "unit.h"

static char path[] = "/tmp/nchome-test-conf.XXXXXX";

static struct nchome_conf *
load_text(const char *text, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return NULL;
	fputs(text, fp);
	fclose(fp);
	return conf_load(path, 0, err, errlen);
}

/* Expects the text to be refused with an error on the given line. */
static void
expect_error_line(const char *what, const char *text, int line)
{
	char err[512] = "", want[64];
	struct nchome_conf *c = load_text(text, err, sizeof(err));

	snprintf(want, sizeof(want), "%s:%d:", path, line);
	CHECK(c == NULL && strncmp(err, want, strlen(want)) == 0,
	    "%s is refused at line %d (got \"%s\")", what, line, err);
	conf_free(c);
}

int
main(void)
{
	char err[512] = "";
	struct nchome_conf *c;
	int fd = mkstemp(path);

	if (fd == -1)
		return 1;
	close(fd);

	c = load_text(
	    "device-id = \"edge-17\"\n"
	    "client nms1 {\n"
	    "  initiation = none\n"
	    "  secret = \"s3cret\"\n"
	    "  reconnect-strategy = in-order\n"
	    "  connection = periodic\n"
	    "  period = 60\n"
	    "  keep-alive { retry = 4 timeout = 7 }\n"
	    "  backoff { initial = 2 max = 30 }\n"
	    "  services = { netconf }\n"
	    "  address \"192.0.2.10\" { port = 4334 retry = 2 timeout = 5 }\n"
	    "  address \"2001:db8::10\" { port = 7804 }\n"
	    "}\n"
	    "client nms2 { device-id = \"other\" address \"nms.example.net\" {} }\n"
	    "netconf { max-message-size = 1048576 max-session-memory = 33554432\n"
	    "  event-log-size = 65536 }\n", err,
	    sizeof(err));
	CHECK(c != NULL, "a full config loads (%s)", err);
	if (c != NULL) {
		const struct conf_client *n1 = conf_find_client(c, "nms1");
		const struct conf_client *n2 = conf_find_client(c, "nms2");
		CHECK(c->nclients == 2 && n1 && n2, "two clients");
		CHECK(n1 && n1->initiation == INITIATION_NONE && n1->reconnect == RECONNECT_IN_ORDER &&
		    n1->connection == CONNECTION_PERIODIC && n1->period == 60, "client keywords");
		CHECK(n1 && n1->keepalive_retry == 4 && n1->keepalive_timeout == 7 &&
		    n1->backoff_initial == 2 && n1->backoff_max == 30, "keep-alive and backoff");
		CHECK(n1 && n1->naddrs == 2 && n1->addrs[0].retry == 2 && n1->addrs[0].timeout == 5 &&
		    n1->addrs[1].port == 7804 && n1->addrs[1].retry == 3 && n1->addrs[1].timeout == 15,
		    "addresses with defaults");
		CHECK(n1 && strcmp(n1->device_id, "edge-17") == 0, "global device-id inherited");
		CHECK(n2 && strcmp(n2->device_id, "other") == 0 && n2->secret == NULL &&
		    n2->addrs[0].port == 4334 && n2->initiation == INITIATION_JUNOS,
		    "client device-id overrides, defaults");
		CHECK(c->netconf.max_message_size == 1048576 && c->netconf.schema == NULL &&
		    c->netconf.max_session_memory == 33554432 &&
		    c->netconf.event_log_size == 65536, "netconf section");
		CHECK(c->has_secret, "secret noticed");
		CHECK(n1 && n2 && conf_client_equal(n1, n1) && !conf_client_equal(n1, n2),
		    "client comparison");
	}
	conf_free(c);

	c = load_text("netconf { }\n", err, sizeof(err));
	CHECK(c != NULL && c->netconf.event_log_size == 1048576,
	    "event-log-size defaults to 1 MiB (%s)", err);
	conf_free(c);

	expect_error_line("unknown key", "device-id = \"a\"\n\nbogus = 1\n", 3);
	expect_error_line("bad port",
	    "client a {\n address \"127.0.0.1\" {\n  port = 70000\n }\n}\n", 3);
	expect_error_line("bad initiation", "client a {\n\n initiation = telnet\n address \"x\" {}\n}\n", 3);
	expect_error_line("unsupported service",
	    "client a {\n services = { netconf, shell }\n address \"x\" {}\n}\n", 2);
	expect_error_line("device id with a newline", "\n\ndevice-id = \"a\\r\\nMSG-ID: x\"\n", 3);
	expect_error_line("max-session-memory under 1 MiB",
	    "netconf {\n\n max-session-memory = 4096\n}\n", 3);
	expect_error_line("event-log-size under 64 KiB",
	    "netconf {\n event-log-size = 65535\n}\n", 2);
	expect_error_line("event-log-size over 1 GiB",
	    "netconf {\n\n\n event-log-size = 1073741825\n}\n", 4);
	expect_error_line("syntax error", "client a {\n address \"x\" {}\n\n port 4334 = \n}\n", 4);

	unlink(path);
	UNIT_DONE();
}
