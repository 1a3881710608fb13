// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

pid_t kerf_lock_holder(const struct kport *kp)
{
	char *line, *end;
	long pid;

	if (kp_read_line(kp, KP_LOCK, &line))
		return 0;
	errno = 0;
	pid = strtol(line, &end, 10);
	if (end == line || errno || pid <= 0 || pid > INT32_MAX)
		pid = 0;
	free(line);
	return (pid_t)pid;
}

static void write_pid(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	/* Best effort: the pid is only there to name the holder. */
	if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) == n)
		fdatasync(fd);
}

int kerf_lock_acquire(const struct kport *kp, struct kerf_lock *lk,
		      unsigned int timeout_ms, struct diags *d)
{
	long long deadline = now_ms() + timeout_ms;
	int ret;

	lk->fd = -1;
	lk->path = kp_path(kp, KP_LOCK);
	ret = kp_mkdirs(kp, KP_RUN);
	if (!ret) {
		lk->fd = open(lk->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (lk->fd < 0)
			ret = -errno;
	}
	if (ret) {
		kp_err(d, "cannot open the lock file %s: %s", lk->path,
		       strerror(-ret));
		if (ret == -EACCES || ret == -EPERM || ret == -EROFS)
			kp_hint(d, "Run kerf as root.");
		goto fail;
	}
	kp_log(kp, "flock(\"%s\", LOCK_EX)", lk->path);
	for (;;) {
		if (flock(lk->fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			ret = -errno;
			kp_err(d, "cannot lock %s: %s", lk->path,
			       strerror(-ret));
			goto fail;
		}
		if (now_ms() >= deadline) {
			pid_t pid = kerf_lock_holder(kp);

			if (pid)
				kp_err(d, "another kerf is running: %s is "
				       "locked by pid %ld", lk->path,
				       (long)pid);
			else
				kp_err(d, "another kerf is running: %s is "
				       "locked", lk->path);
			kp_hint(d, "Waited %u.%03u s; try again when it has "
				"finished, or wait longer with "
				"--lock-timeout=SECONDS.", timeout_ms / 1000,
				timeout_ms % 1000);
			ret = -EWOULDBLOCK;
			goto fail;
		}
		usleep(20000);
	}
	write_pid(lk->fd);
	return 0;

fail:
	if (lk->fd >= 0)
		close(lk->fd);
	lk->fd = -1;
	free(lk->path);
	lk->path = NULL;
	return ret;
}

void kerf_lock_release(const struct kport *kp, struct kerf_lock *lk)
{
	if (lk->fd >= 0) {
		kp_log(kp, "flock(\"%s\", LOCK_UN)", lk->path);
		/* Clear our pid while we still hold it, then let go. */
		if (ftruncate(lk->fd, 0))
			(void)0;
		flock(lk->fd, LOCK_UN);
		close(lk->fd);
	}
	lk->fd = -1;
	free(lk->path);
	lk->path = NULL;
}
