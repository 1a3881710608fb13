// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_timer: run a command and report its wall time and peak memory.
 *
 *   bench_timer RESULT_FILE COMMAND [ARG]...
 *
 * Writes "SECONDS MAXRSS_KIB EXIT CPU_SECONDS" to RESULT_FILE: the wall
 * time from CLOCK_MONOTONIC (microseconds; /usr/bin/time only gives
 * centiseconds, too coarse for a compile of a few milliseconds), the
 * maximum resident set size of the command and its user + system CPU time
 * from wait4().  CPU time is what to compare on a loaded machine, where
 * wall time includes waiting for a CPU.  EXIT is the command's exit
 * status, or 128 + signal.  bench_timer itself exits with the same status.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	double t0, t1;
	FILE *f;
	pid_t pid;
	int status, code;

	if (argc < 3) {
		fputs("usage: bench_timer RESULT_FILE COMMAND [ARG]...\n",
		      stderr);
		return 2;
	}
	t0 = now();
	pid = fork();
	if (pid < 0) {
		perror("bench_timer: fork");
		return 127;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "bench_timer: %s: %s\n", argv[2],
			strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("bench_timer: wait4");
			return 127;
		}
	}
	t1 = now();
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	f = fopen(argv[1], "w");
	if (!f) {
		fprintf(stderr, "bench_timer: %s: %s\n", argv[1],
			strerror(errno));
		return 127;
	}
	fprintf(f, "%.6f %ld %d %.6f\n", t1 - t0, ru.ru_maxrss, code,
		(double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
			(double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) /
				1e6);
	if (fclose(f)) {
		perror("bench_timer: write");
		return 127;
	}
	return code;
}
