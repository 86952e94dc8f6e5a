/* Unit tests of the initiation sequence builder (dialer/initiation.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "initiation.h"
#include "unit.h"

static char path[] = "/tmp/nchome-test-key.XXXXXX";

#define KEY_B64 "AAAAC3NzaC1lZDI1NTE5AAAAIOcJsWUd1ruH5nRgb8dHCGfiv6Ip2E3YpQE5i9wZ5pbh"

static int
read_key_text(const char *text, char *out, size_t outlen)
{
	char err[256];
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return -2;
	fputs(text, fp);
	fclose(fp);
	return initiation_read_host_key(path, out, outlen, err, sizeof(err));
}

int
main(void)
{
	char key[INITIATION_MAX_KEY], hex[41], err[256], *buf;
	struct conf_client c;
	size_t len;
	int fd = mkstemp(path);

	if (fd == -1)
		return 1;
	close(fd);

	/* RFC 2202 HMAC-SHA1 test case 2 */
	CHECK(initiation_hmac_hex("Jefe", "what do ya want for nothing?", 28, hex) == 0 &&
	    strcmp(hex, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79") == 0,
	    "HMAC-SHA1 matches RFC 2202 test case 2 (got %s)", hex);

	CHECK(read_key_text("ssh-ed25519 " KEY_B64 " root@host\n", key, sizeof(key)) == 0 &&
	    strcmp(key, "ssh-ed25519 " KEY_B64) == 0, "host key: comment dropped");
	CHECK(read_key_text("ssh-ed25519 " KEY_B64, key, sizeof(key)) == 0 &&
	    strcmp(key, "ssh-ed25519 " KEY_B64) == 0, "host key without comment or newline");
	CHECK(read_key_text("# a comment\n\n  ecdsa-sha2-nistp256\t" KEY_B64 "  c d\r\n", key,
	    sizeof(key)) == 0 && strcmp(key, "ecdsa-sha2-nistp256 " KEY_B64) == 0,
	    "host key after comment and blank lines, tabs and CRLF");
	CHECK(read_key_text("", key, sizeof(key)) == -1, "empty host key file is refused");
	CHECK(read_key_text("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n", key, sizeof(key)) == -1,
	    "a private key file is refused");
	CHECK(read_key_text("ssh-ed25519 not*base64\n", key, sizeof(key)) == -1,
	    "non-base64 key is refused");
	CHECK(read_key_text("ssh-ed25519 " KEY_B64 "\n", key, 20) == -1,
	    "a key longer than the buffer is refused");
	CHECK(initiation_read_host_key("/nonexistent/key.pub", key, sizeof(key), err,
	    sizeof(err)) == -1 && strstr(err, "/nonexistent/key.pub") != NULL,
	    "missing host key file is an error naming it (%s)", err);

	memset(&c, 0, sizeof(c));
	c.name = "nms1";
	c.device_id = "edge-17";
	c.initiation = INITIATION_NONE;
	c.secret = "s";
	CHECK(initiation_build(&c, path, &buf, &len, err, sizeof(err)) == 0 && buf == NULL &&
	    len == 0, "initiation = none sends nothing");

	c.initiation = INITIATION_JUNOS;
	c.secret = NULL;
	CHECK(initiation_build(&c, "/nonexistent", &buf, &len, err, sizeof(err)) == 0 &&
	    len == strlen("MSG-ID: DEVICE-CONN-INFO\r\nMSG-VER: V1\r\nDEVICE-ID: edge-17\r\n") &&
	    memcmp(buf, "MSG-ID: DEVICE-CONN-INFO\r\nMSG-VER: V1\r\nDEVICE-ID: edge-17\r\n", len) == 0,
	    "junos without a secret: three lines, host key not read");
	free(buf);

	c.secret = "Jefe";
	read_key_text("ssh-ed25519 " KEY_B64 " comment\n", key, sizeof(key));
	initiation_hmac_hex("Jefe", "ssh-ed25519 " KEY_B64, strlen("ssh-ed25519 " KEY_B64), hex);
	{
		char want[512];

		snprintf(want, sizeof(want), "MSG-ID: DEVICE-CONN-INFO\r\nMSG-VER: V1\r\n"
		    "DEVICE-ID: edge-17\r\nHOST-KEY: ssh-ed25519 " KEY_B64 "\r\nHMAC: %s\r\n", hex);
		CHECK(initiation_build(&c, path, &buf, &len, err, sizeof(err)) == 0 &&
		    len == strlen(want) && memcmp(buf, want, len) == 0,
		    "junos with a secret: HOST-KEY and HMAC lines");
		free(buf);
	}
	CHECK(initiation_build(&c, "/nonexistent", &buf, &len, err, sizeof(err)) == -1 &&
	    buf == NULL, "junos with a secret and no host key: an error, nothing sent");

	unlink(path);
	UNIT_DONE();
}
