/*
 * What only the dialer reads or checks in nchome.conf (conf.c's parts;
 * not for other callers).
 */
#ifndef NCHOME_CONF_DIALER_H
#define NCHOME_CONF_DIALER_H

#include <sys/stat.h>
#include <stddef.h>

#include "conf.h"

/* Reads c's secret-file into c->secret when checks has CONF_CHECK_DIALER. */
int conf_dialer_secret(struct conf_client *c, int checks, const char *path, char *err,
    size_t errlen);

/* The checks of CONF_CHECK_DIALER on a loaded file (st: its fstat). */
int conf_dialer_check(const struct nchome_conf *conf, const struct stat *st, char *err,
    size_t errlen);

#endif
