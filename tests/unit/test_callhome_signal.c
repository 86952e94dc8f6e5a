/*
 * Unit tests of the "session reached NETCONF" datagram
 * (common/callhome_signal.c): built from SSH_CONNECTION, parsed strictly,
 * matched against a connection's two ends.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "callhome_signal.h"
#include "unit.h"

static struct sockaddr_storage
v4(const char *a, int port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, a, &sin->sin_addr);
	return ss;
}

static struct sockaddr_storage
v6(const char *a, int port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((uint16_t)port);
	inet_pton(AF_INET6, a, &sin6->sin6_addr);
	return ss;
}

/* The datagram for ssh_connection parses back, and matches nms/local. */
static int
round_trip(const char *ssh_connection, struct sockaddr_storage nms,
    struct sockaddr_storage local)
{
	char buf[CALLHOME_SIGNAL_MAX];
	struct callhome_endpoints e;
	int len = callhome_signal_format(ssh_connection, buf, sizeof(buf));

	return len > 0 && callhome_signal_parse(buf, (size_t)len, &e) == 0 &&
	    callhome_endpoints_match(&e, (struct sockaddr *)&nms, (struct sockaddr *)&local);
}

static int
parses(const char *text)
{
	struct callhome_endpoints e;

	return callhome_signal_parse(text, strlen(text), &e) == 0;
}

int
main(void)
{
	static const char *const bad_env[] = {
		"", "127.0.0.1 4334 127.0.0.1", "127.0.0.1 4334 127.0.0.1 5000 6",
		"127.0.0.1 4334 127.0.0.1  5000", " 127.0.0.1 4334 127.0.0.1 5000",
		"127.0.0.1 4334 127.0.0.1 5000 ", "127.0.0.1 0 127.0.0.1 5000",
		"127.0.0.1 65536 127.0.0.1 5000", "127.0.0.1 +4334 127.0.0.1 5000",
		"127.0.0.1 4334 127.0.0.1 050000", "UNKNOWN 65535 UNKNOWN 65535",
		"nms.example.net 4334 127.0.0.1 5000", "127.0.0.1 4334 127.0.0.256 5000",
		"127.0.0.1 4334 127.0.0.1 5000\n", "127.0.0.1\t4334 127.0.0.1 5000",
		"::1 4334 ::g 5000", "%eth0 4334 ::1 5000",
	};
	char buf[CALLHOME_SIGNAL_MAX], big[400], small[16];
	struct sockaddr_storage a = v4("192.0.2.10", 4334), b = v4("198.51.100.7", 41000);
	struct callhome_endpoints e;
	int len;

	CHECK(round_trip("192.0.2.10 4334 198.51.100.7 41000", a, b),
	    "IPv4: SSH_CONNECTION -> datagram -> parsed -> matches the connection");
	CHECK(round_trip("2001:db8::10 7804 2001:db8::1 52000", v6("2001:db8::10", 7804),
	    v6("2001:db8::1", 52000)), "IPv6 matches");
	CHECK(round_trip("fe80::1%eth0 4334 fe80::2%eth0 40000", v6("fe80::1", 4334),
	    v6("fe80::2", 40000)), "IPv6 with a %%scope: the scope is dropped");
	CHECK(round_trip("192.0.2.10 4334 198.51.100.7 41000", v6("::ffff:192.0.2.10", 4334),
	    v6("::ffff:198.51.100.7", 41000)),
	    "IPv4 as printed by sshd matches a socket's IPv4-mapped IPv6 ends");
	CHECK(!round_trip("192.0.2.10 4334 198.51.100.7 41000", a, v4("198.51.100.7", 41001)),
	    "another local port does not match");
	CHECK(!round_trip("192.0.2.10 4334 198.51.100.7 41000", v4("192.0.2.10", 4335), b),
	    "another NMS port does not match");
	CHECK(!round_trip("192.0.2.10 4334 198.51.100.7 41000", b, a),
	    "the two ends swapped do not match");
	CHECK(!round_trip("192.0.2.10 4334 198.51.100.7 41000", v4("192.0.2.11", 4334), b),
	    "another NMS address does not match");

	len = callhome_signal_format("192.0.2.10 4334 198.51.100.7 41000", buf, sizeof(buf));
	CHECK(len == (int)strlen(CALLHOME_SIGNAL_PREFIX "192.0.2.10 4334 198.51.100.7 41000") &&
	    memcmp(buf, CALLHOME_SIGNAL_PREFIX "192.0.2.10 4334 198.51.100.7 41000", (size_t)len) == 0,
	    "the datagram is the prefix and SSH_CONNECTION, no terminator");
	CHECK(callhome_signal_format("192.0.2.10 4334 198.51.100.7 41000", small, sizeof(small)) == -1,
	    "a buffer under CALLHOME_SIGNAL_MAX is refused");
	for (size_t i = 0; i < sizeof(bad_env) / sizeof(bad_env[0]); i++) {
		char text[128], shown[128];

		/* Control characters shown as '?' so each TAP line stays one line. */
		snprintf(shown, sizeof(shown), "%s", bad_env[i]);
		for (char *p = shown; *p; p++)
			if ((unsigned char)*p < 0x20)
				*p = '?';
		CHECK(callhome_signal_format(bad_env[i], buf, sizeof(buf)) == -1,
		    "SSH_CONNECTION \"%s\" is refused", shown);
		snprintf(text, sizeof(text), "%s%s", CALLHOME_SIGNAL_PREFIX, bad_env[i]);
		CHECK(!parses(text), "datagram \"%s%s\" is refused", CALLHOME_SIGNAL_PREFIX, shown);
	}

	CHECK(parses(CALLHOME_SIGNAL_PREFIX "::1 4334 ::1 5000"), "a well-formed datagram parses");
	CHECK(!parses("nchome-hello-v2 ::1 4334 ::1 5000"), "another version is refused");
	CHECK(!parses("::1 4334 ::1 5000"), "no prefix: refused");
	CHECK(!parses(CALLHOME_SIGNAL_PREFIX), "prefix alone: refused");
	/* Length: the datagram is not NUL-terminated; nothing past len is read. */
	memcpy(big, CALLHOME_SIGNAL_PREFIX "::1 4334 ::1 5000", 33);
	CHECK(callhome_signal_parse(big, 28, &e) == -1, "cut to three fields: refused");
	CHECK(callhome_signal_parse(big, 33, &e) == 0, "exact length: parsed");
	memset(big, '1', sizeof(big));
	memcpy(big, CALLHOME_SIGNAL_PREFIX, strlen(CALLHOME_SIGNAL_PREFIX));
	CHECK(callhome_signal_parse(big, sizeof(big), &e) == -1,
	    "longer than CALLHOME_SIGNAL_MAX: refused");
	memcpy(big + 16, "::1 4334 ::1 5000", 17);
	big[16 + 3] = '\0';
	CHECK(callhome_signal_parse(big, 33, &e) == -1, "a NUL inside: refused");
	UNIT_DONE();
}
