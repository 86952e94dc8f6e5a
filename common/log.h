/*
 * Logging in the style of the OpenBSD daemons: syslog by default, stderr
 * when running in the foreground.  log_warn() appends strerror(errno),
 * log_warnx() does not; fatal()/fatalx() log and exit(1).
 */
#ifndef NCHOME_LOG_H
#define NCHOME_LOG_H

#include <stdarg.h>

#define LOG_TO_SYSLOG 0
#define LOG_TO_STDERR 1

void log_init(const char *progname, int to_stderr, int debug);
void log_set_debug(int debug);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
