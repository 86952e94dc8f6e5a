/*
 * Building the Junos DEVICE-CONN-INFO initiation sequence:
 *
 *	MSG-ID: DEVICE-CONN-INFO\r\n
 *	MSG-VER: V1\r\n
 *	DEVICE-ID: <device-id>\r\n
 *	HOST-KEY: <algorithm> <base64>\r\n	(only with a secret)
 *	HMAC: <hex HMAC-SHA1(secret, "<algorithm> <base64>")>\r\n
 *
 * The host key file is read at every connection, so a rotated key is sent
 * without a reload.  The secret never leaves this file except as the HMAC.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "errbuf.h"
#include "initiation.h"

static int
is_alg_char(int c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '@' || c == '_';
}

static int
is_b64_char(int c)
{
	return isalnum(c) || c == '+' || c == '/' || c == '=';
}

/* Parses one key line into "<alg> <b64>"; -1 if it is not one. */
static int
parse_key_line(const char *line, char *out, size_t outlen)
{
	const char *alg = line, *b64, *end;
	size_t alen, blen;

	while (*alg == ' ' || *alg == '\t')
		alg++;
	for (b64 = alg; is_alg_char((unsigned char)*b64); b64++)
		;
	alen = (size_t)(b64 - alg);
	if (alen == 0 || (*b64 != ' ' && *b64 != '\t'))
		return -1;
	while (*b64 == ' ' || *b64 == '\t')
		b64++;
	for (end = b64; is_b64_char((unsigned char)*end); end++)
		;
	blen = (size_t)(end - b64);
	if (blen < 16 || (*end != '\0' && *end != ' ' && *end != '\t' &&
	    *end != '\r' && *end != '\n'))
		return -1;
	if (alen + 1 + blen + 1 > outlen)
		return -1;
	memcpy(out, alg, alen);
	out[alen] = ' ';
	memcpy(out + alen + 1, b64, blen);
	out[alen + 1 + blen] = '\0';
	return 0;
}

int
initiation_read_host_key(const char *path, char *out, size_t outlen,
    char *err, size_t errlen)
{
	char buf[INITIATION_MAX_KEY + 1], *line, *next;
	ssize_t n;
	size_t len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1)
		return set_err(err, errlen, "host-key %s: %s", path, strerror(errno));
	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			int saved = errno;
			close(fd);
			return set_err(err, errlen, "host-key %s: %s", path, strerror(saved));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	/* First line that is neither empty nor a comment. */
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '\0' || *line == '#' || *line == '\r')
			continue;
		if (parse_key_line(line, out, outlen) == 0)
			return 0;
		break;
	}
	return set_err(err, errlen, "host-key %s: not an OpenSSH public key", path);
}

int
initiation_hmac_hex(const char *secret, const char *data, size_t len, char hex[41])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	static const char digits[] = "0123456789abcdef";

	if (HMAC(EVP_sha1(), secret, (int)strlen(secret), (const unsigned char *)data,
	    len, md, &mdlen) == NULL || mdlen != 20)
		return -1;
	for (unsigned int i = 0; i < mdlen; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0xf];
	}
	hex[40] = '\0';
	explicit_bzero(md, sizeof(md));
	return 0;
}

int
initiation_build(const struct conf_client *c, const char *host_key_path,
    char **out, size_t *outlen, char *err, size_t errlen)
{
	char key[INITIATION_MAX_KEY], hex[41];
	size_t cap;
	int n;

	*out = NULL;
	*outlen = 0;
	if (c->initiation == INITIATION_NONE)
		return 0;
	if (c->secret != NULL) {
		if (initiation_read_host_key(host_key_path, key, sizeof(key), err, errlen) == -1)
			return -1;
		if (initiation_hmac_hex(c->secret, key, strlen(key), hex) == -1)
			return set_err(err, errlen, "HMAC-SHA1 failed");
	}
	cap = 128 + strlen(c->device_id) + (c->secret ? strlen(key) + 64 : 0);
	if ((*out = malloc(cap)) == NULL)
		return set_err(err, errlen, "out of memory");
	if (c->secret != NULL)
		n = snprintf(*out, cap,
		    "MSG-ID: DEVICE-CONN-INFO\r\nMSG-VER: V1\r\nDEVICE-ID: %s\r\n"
		    "HOST-KEY: %s\r\nHMAC: %s\r\n", c->device_id, key, hex);
	else
		n = snprintf(*out, cap,
		    "MSG-ID: DEVICE-CONN-INFO\r\nMSG-VER: V1\r\nDEVICE-ID: %s\r\n",
		    c->device_id);
	if (n < 0 || (size_t)n >= cap) {
		free(*out);
		*out = NULL;
		return set_err(err, errlen, "initiation sequence too long");
	}
	*outlen = (size_t)n;
	return 0;
}
