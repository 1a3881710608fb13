/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kerf lock: an exclusive flock(2) on run/kerf.lock, held by every
 * mutating command across "read state, plan, apply".  The holder writes its
 * pid into the file so a waiter that times out can name it.  A crash
 * releases the lock with the descriptor.
 */
#ifndef KERF_KERNEL_LOCK_H
#define KERF_KERNEL_LOCK_H

#include <sys/types.h>

#include "kernel/sysroot.h"
#include "util/diag.h"

#define KERF_LOCK_TIMEOUT_MS	30000

struct kerf_lock {
	int fd;		/* -1 when not held */
	char *path;
};

/*
 * Take the lock, waiting up to timeout_ms.  0, or -EWOULDBLOCK after the
 * timeout with "locked by pid N" in d (the command exits 3), or -errno.
 */
int kerf_lock_acquire(const struct kport *kp, struct kerf_lock *lk,
		      unsigned int timeout_ms, struct diags *d);
/* Release (idempotent). */
void kerf_lock_release(const struct kport *kp, struct kerf_lock *lk);
static inline int kerf_lock_held(const struct kerf_lock *lk)
{
	return lk && lk->fd >= 0;
}
/* The pid written in the lock file, or 0 if none can be read. */
pid_t kerf_lock_holder(const struct kport *kp);

#endif
