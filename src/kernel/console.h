/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The instance console over /dev/mktty (kernel-abi-mk2.md §5.1): open
 * O_RDWR, the first write selects the instance by its decimal id, then
 * reads are the instance's console output and writes its keyboard input.
 */
#ifndef KERF_KERNEL_CONSOLE_H
#define KERF_KERNEL_CONSOLE_H

#include <stdbool.h>

#include "kernel/sysroot.h"
#include "util/diag.h"

/* Ctrl-] then '.' detaches. */
#define CONSOLE_ESCAPE		0x1d
#define CONSOLE_DETACH		'.'

/* Open dev/mktty and select instance id; the fd or -errno (explained). */
int mktty_open(const struct kport *kp, const char *name, int id,
	       struct diags *d);

enum console_end {
	CONSOLE_DETACHED,	/* Ctrl-] . */
	CONSOLE_STOPPED,	/* the instance is no longer active */
	CONSOLE_INPUT_EOF,	/* input ended and the output went quiet */
	CONSOLE_SIGNAL,		/* SIGTERM, SIGHUP, SIGINT */
	CONSOLE_ERROR,		/* I/O error (errno in *err) */
};

struct console_io {
	int tty_fd;		/* the mktty connection */
	int in_fd, out_fd;	/* usually 0 and 1 */
	bool crlf;		/* output to a raw terminal: \n -> \r\n */
	unsigned int idle_ms;	/* after input EOF: stop when quiet this long */
	/* Polled about once a second: false ends the relay (STOPPED). */
	bool (*alive)(void *data);
	void *data;
};

/*
 * Relay in_fd -> tty_fd and tty_fd -> out_fd until one of the ends above.
 * Signals SIGTERM/SIGHUP/SIGINT are caught for the duration (so a caller
 * can restore the terminal).  *err gets the errno for CONSOLE_ERROR.
 */
enum console_end console_relay(const struct console_io *io, int *err);

#endif
