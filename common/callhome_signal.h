/*
 * "This call-home session reached NETCONF": one datagram from
 * nchome-netconf to nchome-dialer, so that a short session that worked
 * (an NMS that connects, runs one RPC and closes) is not taken for a
 * broken peer and backed off.  The dialer reads nothing from the network;
 * this signal comes from the host side, over a local datagram socket the
 * dialer binds (nchome.conf `dialer-socket`).
 *
 * Wire format: one datagram of at most CALLHOME_SIGNAL_MAX bytes, ASCII,
 * no NUL, no newline:
 *
 *	nchome-hello-v1 <nms-addr> <nms-port> <local-addr> <local-port>
 *
 * which is the prefix and sshd's SSH_CONNECTION for the session.  sshd -i
 * on the dialer's outbound socket sees the NMS as the SSH client and the
 * dialer's own end as the "server", so the four fields name the TCP
 * connection the dialer made: it matches them against its sessions.
 */
#ifndef NCHOME_CALLHOME_SIGNAL_H
#define NCHOME_CALLHOME_SIGNAL_H

#include <stddef.h>
#include <sys/socket.h>

#include "conf.h"

#define CALLHOME_SIGNAL_PREFIX	"nchome-hello-v1 "
#define CALLHOME_SIGNAL_MAX	256	/* bytes in one datagram, at most */

/* Both ends of one TCP connection, as the datagram names them. */
struct callhome_endpoints {
	struct sockaddr_storage	nms;	/* the NMS (SSH client) */
	struct sockaddr_storage	local;	/* the dialer's end ("server" to sshd) */
};

/*
 * nchome-netconf, once the client's <hello> is accepted: sends the datagram
 * for this session to conf->dialer_socket.  Does nothing without
 * SSH_CONNECTION (not under sshd) or with an empty dialer-socket; a dialer
 * that is not there, or a session that is not a call home (inbound SSH),
 * is normal.  Waits at most 100 ms; never fails the session.
 */
void callhome_signal_hello(const struct nchome_conf *conf);

/*
 * Builds the datagram from an SSH_CONNECTION value into buf (bufsize at
 * least CALLHOME_SIGNAL_MAX).  Its length, or -1 when the value is not
 * four well-formed fields.
 */
int callhome_signal_format(const char *ssh_connection, char *buf, size_t bufsize);

/*
 * Parses a received datagram of len bytes (not NUL-terminated).  Strict:
 * the prefix, then exactly two numeric addresses and two ports 1-65535,
 * single spaces.  0, or -1 for anything else.
 */
int callhome_signal_parse(const char *buf, size_t len, struct callhome_endpoints *out);

/*
 * Whether e names the connection whose ends are nms and local (IPv4-mapped
 * IPv6 addresses equal their IPv4 form, as sshd prints them).
 */
int callhome_endpoints_match(const struct callhome_endpoints *e,
    const struct sockaddr *nms, const struct sockaddr *local);

#endif
