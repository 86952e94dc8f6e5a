/*
 * The Junos outbound-ssh initiation sequence (DEVICE-CONN-INFO) that the
 * dialer writes before handing the socket to sshd.  Format: the contract,
 * ../shared/design.md, "Initiation sequence".
 */
#ifndef NCHOME_INITIATION_H
#define NCHOME_INITIATION_H

#include <stddef.h>

#include "conf.h"

/* Longest host key line we accept (an RSA 16384-bit key fits). */
#define INITIATION_MAX_KEY	8192

/*
 * Reads "<algorithm> <base64> [comment]" from the public key file at path
 * and stores "<algorithm> <base64>" (NUL-terminated) in out.  0 or -1 with
 * a message in err.
 */
int initiation_read_host_key(const char *path, char *out, size_t outlen,
    char *err, size_t errlen);

/* 40 lowercase hex digits of HMAC-SHA1(secret, data) plus a NUL in hex[41]. */
int initiation_hmac_hex(const char *secret, const char *data, size_t len, char hex[41]);

/*
 * Builds the bytes to send for client c: nothing for `initiation = none`,
 * else the DEVICE-CONN-INFO lines, with HOST-KEY (read from host_key_path)
 * and HMAC when c has a secret.  On success *out is malloc'd (NULL when
 * there is nothing to send) and *outlen its length.  0 or -1 with err set.
 */
int initiation_build(const struct conf_client *c, const char *host_key_path,
    char **out, size_t *outlen, char *err, size_t errlen);

#endif
