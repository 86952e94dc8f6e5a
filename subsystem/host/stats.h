/*
 * RFC 6022 netconf-state/statistics: host-wide totals over every
 * nchome-netconf session process, kept in datastore-dir/sessions/statistics
 * (see stats.c for the file and its locking).
 */
#ifndef NCHOME_STATS_H
#define NCHOME_STATS_H

#include <stdint.h>
#include <time.h>

struct stats {
	time_t		 start_time;	/* netconf-start-time */
	uint64_t	 in_bad_hellos, in_sessions, dropped_sessions;
	uint64_t	 in_rpcs, in_bad_rpcs, out_rpc_errors, out_notifications;
};

/*
 * Adds every counter of delta to the host's totals (start_time is
 * ignored).  One flock()ed read-modify-write; failures are logged once
 * and otherwise ignored: statistics never stop a session.
 */
void stats_add(const char *datastore_dir, const struct stats *delta);

/* The host's totals; 0, or -1 when there are none yet (all zero then). */
int stats_read(const char *datastore_dir, struct stats *out);

#endif
