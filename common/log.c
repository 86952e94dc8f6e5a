/* Logging to syslog or stderr; see log.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int log_stderr = 1;
static int log_debug_on;
static const char *log_name = "nchome";

void
log_init(const char *progname, int to_stderr, int debug)
{
	log_name = progname;
	log_stderr = to_stderr;
	log_debug_on = debug;
	if (!log_stderr)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_set_debug(int debug)
{
	log_debug_on = debug;
}

static void
log_vwrite(int pri, const char *fmt, va_list ap, int with_errno)
{
	char msg[2048];
	int saved = errno;
	int n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved));
	if (log_stderr) {
		fprintf(stderr, "%s: %s\n", log_name, msg);
		fflush(stderr);
	} else
		syslog(pri, "%s", msg);
	errno = saved;
}

#define LOG_BODY(pri, with_errno) do {			\
	va_list ap;					\
	va_start(ap, fmt);				\
	log_vwrite((pri), fmt, ap, (with_errno));	\
	va_end(ap);					\
} while (0)

void log_info(const char *fmt, ...)   { LOG_BODY(LOG_INFO, 0); }
void log_notice(const char *fmt, ...) { LOG_BODY(LOG_NOTICE, 0); }
void log_warn(const char *fmt, ...)   { LOG_BODY(LOG_WARNING, 1); }
void log_warnx(const char *fmt, ...)  { LOG_BODY(LOG_WARNING, 0); }

void
log_debug(const char *fmt, ...)
{
	if (!log_debug_on)
		return;
	LOG_BODY(LOG_DEBUG, 0);
}

void
fatal(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, 1);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, 0);
	exit(1);
}
