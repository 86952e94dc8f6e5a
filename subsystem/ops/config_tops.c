/*
 * An account's whole get-config of running without parsing it (issue
 * 15): every session but the recovery one has /nacm hidden (its
 * default-deny-all), so it cannot send running.shared as it is
 * (store/shared.c), and its first reply used to parse all of running.
 * When NACM decides each top-level node of running whole for the
 * session (readable with all it holds, or hidden with all it holds:
 * nacm_top_read), the reply is the form's ranges of the readable ones,
 * end to end: the bytes the read check on the parsed running streams
 * (each top-level node stands alone in the form, as xo_data_child
 * writes it).  Anything else (a rule or a default-deny node inside a
 * node, no ranges for the form) answers from running as before.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "ops_int.h"
#include "xmalloc.h"

int
ops_reply_tops(struct rpc *r)
{
	struct nacm_session *v = ops_nacm_view(r->s);
	struct store_top *tops;
	struct rpc_range *ranges;
	size_t n, nr = 0;
	off_t base;
	int fd, readable = -1;

	if (v == NULL || store_shared_tops(r->s->store, &fd, &base, &tops, &n) != 1)
		return 0;
	ranges = xcalloc(n + 1, sizeof(*ranges));
	for (size_t i = 0; i < n; i++) {
		const struct store_top *t = &tops[i];
		off_t at = base + (off_t)t->off;

		/* the entries of a top-level list ask once */
		if (i == 0 || strcmp(t->name, tops[i - 1].name) != 0 ||
		    strcmp(t->ns, tops[i - 1].ns) != 0 || t->one_ns != tops[i - 1].one_ns)
			readable = nacm_top_read(v, t->ns, t->name, t->one_ns != 0);
		if (readable == -1) {
			free(ranges);
			free(tops);
			return 0;	/* decided inside it: running answers */
		}
		if (!readable)
			continue;
		if (nr > 0 && ranges[nr - 1].off + (off_t)ranges[nr - 1].len == at)
			ranges[nr - 1].len += (size_t)t->len;
		else
			ranges[nr++] = (struct rpc_range){ at, (size_t)t->len };
	}
	free(tops);
	rpc_reply_file_ranges(r, fd, ranges, nr);
	return 1;
}
