/*
 * The session's event loop: poll() over a few fds with callbacks, plus
 * one-shot timers on the monotonic clock.  Small on purpose; stdin, the
 * signal pipe and (later) a notification fd are all just entries here.
 */
#ifndef NCHOME_MAINLOOP_H
#define NCHOME_MAINLOOP_H

typedef void (*ml_fd_cb)(int fd, void *arg);
typedef void (*ml_timer_cb)(void *arg);

/* Watches fd for input (or hang-up); 0, or -1 when the table is full. */
int ml_add_fd(int fd, ml_fd_cb cb, void *arg);
void ml_remove_fd(int fd);

/* Calls cb once after ms milliseconds; returns a timer id (> 0) or -1. */
int ml_add_timer(long ms, ml_timer_cb cb, void *arg);
void ml_cancel_timer(int id);

/* Makes ml_run() return code after the current callback. */
void ml_stop(int code);
int ml_stopped(void);

/* Runs until ml_stop(). */
int ml_run(void);

#endif
