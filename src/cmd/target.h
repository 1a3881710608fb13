/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The instance a runtime command acts on (load, exec, kill, unload,
 * console, show NAME): named by NAME or --id N, its status read fresh from
 * the kernel right before acting, and the uniform refusal and kernel-failure
 * messages of cli.md.
 */
#ifndef KERF_CMD_TARGET_H
#define KERF_CMD_TARGET_H

#include <stdbool.h>

#include "cmd/cmd.h"
#include "kernel/mkfs.h"
#include "kernel/sysroot.h"
#include "util/diag.h"

/* The --id option shared by the runtime commands. */
#define KERF_TARGET_OPT_ID	(OPT_CMD_BASE + 0x100)
#define KERF_TARGET_ID_HELP	"name the instance by its id instead"

struct kerf_target {
	const char *arg_name;	/* NAME from the command line, or NULL */
	int arg_id;		/* --id, or 0 */
	char *name;		/* resolved */
	int id;
	enum mk_status status;
	char *status_text;	/* exactly what the kernel wrote */
};

/* Parse the argument of --id (1..2047); KERF_EXIT_OK or a usage error. */
int kerf_target_parse_id(struct kerf_ctx *ctx, const char *arg,
			 struct kerf_target *t);
/*
 * Take the positional arguments argv[first..argc): at most one NAME, and
 * one of NAME or --id required.  KERF_EXIT_OK or a usage error.
 */
int kerf_target_args(struct kerf_ctx *ctx, struct kerf_target *t, int argc,
		     char **argv, int first);

/*
 * Require the multikernel file system; a status to exit with, or
 * KERF_EXIT_OK.  Errors are printed.
 */
int kerf_target_require_mkfs(const struct kport *kp);

/*
 * Resolve the name or id and read the status fresh from the kernel.
 * KERF_EXIT_OK, or the status to exit with after printing why.
 */
int kerf_target_read(const struct kport *kp, struct kerf_target *t);
void kerf_target_free(struct kerf_target *t);

/*
 * "kerf: error: cannot VERB 'NAME' (id N): WHY (status: S)" and, when hint
 * is not NULL, "  HINT" (printf formats).  Returns KERF_EXIT_INVALID.
 */
int kerf_target_refuse(const struct kerf_target *t, const char *verb,
		       const char *why, const char *hint, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * The kernel refused or failed (err a positive or negative errno): print
 * the explanation in d, the errno in words and the pointer to dmesg.
 * Returns KERF_EXIT_SYSTEM.
 */
int kerf_target_kernel_failed(const struct diags *d, int err);

/* Print diagnostics collected in d (warnings of a successful command). */
void kerf_print_diags(const struct diags *d);

/*
 * The frame of a runtime command: require the file system, take the lock,
 * resolve the instance and read its status, then call act (under the
 * lock).  act returns the exit status.  The lock is released on return.
 */
int kerf_target_locked(struct kerf_ctx *ctx, struct kerf_target *t,
		       int (*act)(struct kerf_ctx *ctx, const struct kport *kp,
				  struct kerf_target *t, void *data),
		       void *data);

/* Attach to the console of t (console.c); the exit status. */
int kerf_console_attach(struct kerf_ctx *ctx, const struct kport *kp,
			const struct kerf_target *t);

#endif
