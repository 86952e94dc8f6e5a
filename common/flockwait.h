/*
 * flock() with a bound on the wait: another account (or anyone who can
 * open the file) holding a lock must not stall a session for ever.
 */
#ifndef NCHOME_FLOCKWAIT_H
#define NCHOME_FLOCKWAIT_H

/* The bound of flock_wait() in milliseconds (nchome.conf lock-wait); < 0: none. */
void flock_wait_set_bound(long ms);
long flock_wait_bound(void);

/*
 * flock(fd, op) (LOCK_SH or LOCK_EX), waiting at most the bound.  0, or
 * -1 with errno: EWOULDBLOCK when the bound passed with the lock still
 * held elsewhere, else flock's own.  An uncontended lock costs one
 * flock(LOCK_NB) call; a contended one blocks in flock() (no polling, so
 * no added latency when the holder lets go) under a one-shot SIGALRM
 * timer that interrupts it at the deadline.
 */
int flock_wait(int fd, int op);

#endif
