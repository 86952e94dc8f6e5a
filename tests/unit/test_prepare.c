/*
 * The warm-ups a session runs after its hello (issue 15): they must do
 * the work they warm, or the first request pays its first touch again
 * with nothing to show: the client hello parsed (hello_recv_prepare) and
 * a session-start event built and serialized (event_prepare).  Neither
 * logs anything: event_prepare has no datastore dir to log into.
 */
#include <libxml/parser.h>

#include "host/host.h"
#include "session/session.h"
#include "unit.h"

int
main(void)
{
	xmlInitParser();
	CHECK(hello_recv_prepare() == 0, "hello_recv_prepare parses its client hello");
	CHECK(hello_recv_prepare() == 0, "and again (nothing kept between sessions' warm-ups)");
	CHECK(event_prepare() == 0, "event_prepare builds and serializes a session-start");
	xmlCleanupParser();
	UNIT_DONE();
}
