/*
 * A kept change of a datastore, announced twice: the RFC 6470
 * netconf-config-change event in the host's event log, and for running
 * and startup one syslog line at LOG_NOTICE.  The event log rotates by
 * size, so any session (a read-only account's too, by coming and going)
 * can push a change out of it; syslog is the audit trail no NETCONF
 * account can churn.  The line names who, the datastore, the operation
 * and the number of edits the event lists, never the data: a
 * configuration may hold secrets.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "ops_int.h"
#include "tree/tree.h"

void
ops_config_changed(struct dsdir *dd, const struct session *by, const char *datastore,
    const char *how, const struct cfg_edits *edits)
{
	char who[48] = "", count[48] = "";

	event_config_change(dd, by, datastore, edits);
	if (strcmp(datastore, "running") != 0 && strcmp(datastore, "startup") != 0)
		return;
	if (by != NULL)
		snprintf(who, sizeof(who), "session %u: user ", (unsigned)by->id);
	/* over: more than the list holds, or a target too long to name */
	if (edits != NULL && !edits->over)
		snprintf(count, sizeof(count), ", %zu edit%s", edits->n,
		    edits->n == 1 ? "" : "s");
	log_notice("%s%s changed %s (%s%s)", who,
	    by == NULL ? "server" : by->user != NULL ? by->user : "", datastore, how, count);
}
