/*
 * nchome.conf value checks (conf.c's and conf_dialer.c's parts; not for
 * other callers).
 */
#ifndef NCHOME_CONF_CHECK_H
#define NCHOME_CONF_CHECK_H

#include <confuse.h>

/* Keyword keys: the value's index in the accepted words (conf.h's enums). */
int conf_parse_initiation(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
int conf_parse_reconnect(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
int conf_parse_connection(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);

/* What a device-id may be, for error messages. */
#define CONF_DEVICE_ID_RULE	"1-255 characters of letters, digits and ._:@-"

/*
 * 1 when s may be a device-id: the one check for a configured one and for
 * the default, the host name (conf_dialer.c).
 */
int conf_device_id_ok(const char *s);

/* Attaches each key's value check to cfg (made from conf_schema.c's table). */
void conf_check_install(cfg_t *cfg);

#endif
