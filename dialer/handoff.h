/*
 * Handing a connected TCP socket to `sshd -i` and checking beforehand that
 * sshd can run at all (`sshd -t`).
 */
#ifndef NCHOME_HANDOFF_H
#define NCHOME_HANDOFF_H

#include <stddef.h>
#include <sys/types.h>

#include "conf.h"
#include "subproc.h"

/*
 * Forks and execs `sshd -i -f <sshd-config> -o ClientAliveInterval=<t>
 * -o ClientAliveCountMax=<r>` with sock as fd 0 and 1 and every other
 * descriptor closed.  stderr is /dev/null unless keep_stderr.  Returns the
 * child's pid (the caller closes its copy of sock) or -1 with errno.
 */
pid_t handoff_spawn(int sock, const struct nchome_conf *conf,
    const struct conf_client *c, int keep_stderr);

/*
 * Runs `sshd -t -f <sshd-config>`.  0 when sshd accepts it; -1 with sshd's
 * own words (e.g. a missing /run/sshd or sshd user) in err.
 */
int handoff_preflight(const struct nchome_conf *conf, char *err, size_t errlen);

/* The same without waiting: starts `sshd -t`, its output on sp->fd.  0 or -1. */
int handoff_check_start(const struct nchome_conf *conf, struct subproc *sp);

/* Once sp finished: 0 when sshd accepts; -1 with its words (bounded) in err. */
int handoff_check_verdict(const struct nchome_conf *conf, const struct subproc *sp,
    char *err, size_t errlen);

#endif
