/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the state-changing commands (init, create, update, delete, apply)
 * share: take the lock, read the live state, validate the resulting model,
 * print overlays, apply blobs as transactions, map errors to exit codes.
 */
#ifndef KERF_CMD_MUTATE_H
#define KERF_CMD_MUTATE_H

#include "cmd/cmd.h"
#include "kernel/lock.h"
#include "kernel/mk2.h"
#include "kernel/sysroot.h"
#include "plan/diff.h"
#include "plan/state.h"

struct mut {
	struct kport kp;
	struct kerf_lock lk;
	struct kstate st;
	struct diags d;
};

/* Lock (unless dry_run) and read the state; 0 or an exit status. */
int mut_begin(struct kerf_ctx *ctx, struct mut *mt, bool dry_run);
void mut_end(struct mut *mt);
/* Print d's diagnostics and map err to an exit status. */
int mut_fail(struct mut *mt, int err);
/* Need a pool; else an error and exit 1. */
int mut_need_pool(struct mut *mt);
/*
 * Run every check on mt->st.model; findings printed (block form) to
 * stderr, or stdout for a dry run.  0 or KERF_EXIT_INVALID.
 */
int mut_validate(struct kerf_ctx *ctx, struct mut *mt, bool dry_run);
/* --debug: each blob as DTS. */
void mut_print_blobs(struct kerf_ctx *ctx, const struct mk2_blobs *b,
		     const char *title);
/*
 * Apply the blobs as transactions (rolled back together); ids[] gets the
 * kernel's transaction ids (caller gives b->n slots).  0 or exit 3.
 */
int mut_apply(struct mut *mt, const struct mk2_blobs *b, const char *what,
	      unsigned int *ids);

/*
 * After a failed change of instance name: read what the kernel kept and
 * undo it with one more delta back to want.  Reports on stderr what was
 * undone or what is left; the caller's exit status stays.
 */
void mut_restore(struct mut *mt, const char *name,
		 const struct plan_snap *want);

/*
 * kerf apply / kerf diff (apply.c): load and validate FILE, plan, validate
 * the resulting state, print the plan; apply it unless diff_only or
 * --dry-run.  An exit status.
 */
int apply_run(struct kerf_ctx *ctx, const struct kerf_cmd *cmd, int argc,
	      char **argv, bool diff_only);

#endif
