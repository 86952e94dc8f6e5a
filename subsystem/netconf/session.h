/*
 * One NETCONF session: what nchome-netconf knows about the client it
 * serves.  One process per session (sshd starts us as a subsystem), so
 * there is exactly one struct session in a process; what must be shared
 * with other sessions (ids, locks, the datastores) lives in files under
 * datastore-dir.
 */
#ifndef NCHOME_SESSION_H
#define NCHOME_SESSION_H

#include <stdint.h>
#include <time.h>

#include "conf.h"

struct framer;
struct ds_state;

struct session {
	uint32_t		 id;		/* unique among live sessions on the host */
	const struct nchome_conf *conf;
	const struct conf_netconf *nc;	/* &conf->netconf */
	struct framer		*fr;		/* stdin/stdout framing */
	int			 base11;	/* both hellos carried base:1.1 */
	char			*user;		/* login name */
	char			*peer;		/* source address from SSH_CLIENT, or "" */
	time_t			 login_time;
	uint64_t		 in_rpcs, in_bad_rpcs, out_rpc_errors, out_notifications;
	struct ds_state		*ds;		/* datastore cache, owned by datastore.c */
	int			 closing;	/* close-session answered: end after the reply */
};

/* The NETCONF base namespace. */
#define NC_NS_BASE	"urn:ietf:params:xml:ns:netconf:base:1.0"

#endif
