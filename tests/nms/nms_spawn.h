/*
 * spawn() for the NMS test clients (nms_libnetconf2, nms_lnc2_probe): runs
 * the transport command (e.g. ssh -s netconf) with its stdin and stdout on
 * pipes, so that libnetconf2 can speak NETCONF over them through
 * nc_connect_inout().  Both programs are single files; this header is
 * included by each, hence the static function.
 */
#ifndef NMS_SPAWN_H
#define NMS_SPAWN_H

#include <sys/types.h>

#include <unistd.h>

/* *to gets the child's stdin, *from its stdout; returns its pid or -1. */
static pid_t
spawn(char **argv, int *to, int *from)
{
	int in[2], out[2];
	pid_t pid;

	if (pipe(in) == -1 || pipe(out) == -1)
		return -1;
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]); close(in[1]); close(out[0]); close(out[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	*to = in[1];
	*from = out[0];
	return pid;
}

#endif
