/*
 * nchome.conf: one reader for both programs (libconfuse).  The schema is
 * the contract's (../shared/design.md).  Errors name the file and line.
 */
#ifndef NCHOME_CONF_H
#define NCHOME_CONF_H

#include <stddef.h>
#include <stdint.h>

enum conf_initiation { INITIATION_JUNOS, INITIATION_NONE };
enum conf_reconnect { RECONNECT_STICKY, RECONNECT_IN_ORDER };
enum conf_connection { CONNECTION_PERSISTENT, CONNECTION_PERIODIC };

struct conf_address {
	char		*host;		/* name, IPv4 or IPv6 literal */
	unsigned	 port;
	unsigned	 retry;		/* attempts before the next address */
	unsigned	 timeout;	/* seconds one attempt may take */
};

struct conf_client {
	char			*name;
	char			*device_id;	/* resolved: own or global */
	int			 device_id_is_host_name; /* the default: checked
						   by the dialer (conf_dialer.h) */
	enum conf_initiation	 initiation;
	char			*secret;	/* NULL: no HOST-KEY/HMAC; secret.h */
	char			*secret_file;	/* NULL: none; read by the dialer only */
	enum conf_reconnect	 reconnect;
	enum conf_connection	 connection;
	unsigned		 period;	/* seconds, periodic only */
	unsigned		 keepalive_retry;	/* ClientAliveCountMax */
	unsigned		 keepalive_timeout;	/* ClientAliveInterval */
	unsigned		 backoff_initial;
	unsigned		 backoff_max;
	struct conf_address	*addrs;
	size_t			 naddrs;
};

/* A YANG module the operator implements (netconf { module NAME { ... } }). */
struct conf_module {
	char		*name;
	char		*revision;		/* NULL: the latest found */
	char		**features;		/* enabled features */
	size_t		 nfeatures;
};

struct conf_netconf {
	char		*datastore_dir;
	char		*schema;		/* NULL: no RELAX NG */
	char		*commit_hooks;
	char		*state_providers;
	uint64_t	 max_message_size;
	/* bounds (issue 13) */
	long		 lock_wait_ms;		/* longest wait for a file lock */
	long		 write_timeout_ms;	/* longest wait for the NMS to read */
	uint64_t	 max_datastore_size;	/* bytes of one datastore's XML */
	uint64_t	 max_session_memory;	/* bytes of one session's XML in memory */
	uint64_t	 event_log_size;	/* bytes of the event log before it rotates */
	unsigned	 max_account_sessions;	/* live sessions of one account (not the recovery one) */
	char		*yang_dir;		/* the operator's YANG modules */
	char		*nacm_recovery;		/* "": only root bypasses NACM */
	struct conf_module *modules;
	size_t		 nmodules;
};

struct nchome_conf {
	char			*path;
	char			*device_id;
	int			 device_id_is_host_name; /* no device-id key */
	char			*sshd;
	char			*sshd_config;
	char			*host_key;
	char			*state_dir;
	char			*dialer_socket;	/* "": no call-home signal */
	struct conf_client	*clients;
	size_t			 nclients;
	struct conf_netconf	 netconf;
	int			 has_secret;	/* some client holds a secret */
	int			 has_inline_secret; /* ... in this file (`secret`) */
};

/* What conf_load() checks beyond the syntax. */
#define CONF_CHECK_DIALER	0x01	/* sshd executable, host-key readable,
					   a host name sent as device-id valid,
					   secret-files read (secret.h), a file
					   with a secret readable by its owner
					   alone;
					   as root: file and folders only root
					   can change (safepath.h) */
#define CONF_CHECK_ROOT_ONLY	0x02	/* file and folders only root can
					   change (safepath.h), judged on the
					   descriptor parsed: set-uid
					   nchome-netconf, whose caller names
					   the file (doc/security.md) */

/*
 * Parses path.  On error returns NULL and writes "file:line: message" (or
 * "file: message" for errors not tied to a line) into err.
 */
struct nchome_conf *conf_load(const char *path, int checks, char *err, size_t errlen);
void conf_free(struct nchome_conf *conf);

/* 1 when two clients have the same settings (a reload keeps the session). */
int conf_client_equal(const struct conf_client *a, const struct conf_client *b);

/* Looks a client up by name, NULL if absent. */
const struct conf_client *conf_find_client(const struct nchome_conf *conf, const char *name);

#endif
