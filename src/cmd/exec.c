// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf exec NAME [--console]   (alias: kerf start)
 *
 * Boot a 'loaded' instance: reboot(MULTIKERNEL).  The call returns once the
 * instance's first CPU is released, before the instance has booted.
 */
#include "cmd/cmd.h"
#include "cmd/target.h"

#include <getopt.h>
#include <stdlib.h>

#include "kernel/syscalls.h"

enum {
	OPT_CONSOLE = OPT_CMD_BASE,
};

static const struct kerf_opt exec_opts[] = {
	{"console", 0, no_argument, NULL,
	 "attach to the instance's console after starting it", OPT_CONSOLE},
	{"id", 0, required_argument, "N", KERF_TARGET_ID_HELP,
	 KERF_TARGET_OPT_ID},
	{NULL, 0, 0, NULL, NULL, 0},
};

const struct kerf_cmd kerf_cmd_exec = {
	.name = "exec",
	.fn = cmd_exec,
	.summary = "boot the kernel loaded into an instance",
	.usage = "NAME|--id=N [--console]",
	.opts = exec_opts,
};

const struct kerf_cmd kerf_cmd_start = {
	.name = "start",
	.fn = cmd_exec,
	.summary = "the same as exec",
	.usage = "NAME|--id=N [--console]",
	.opts = exec_opts,
};

struct exec_args {
	struct kerf_target t;
	bool console;
};

static int exec_opt(struct kerf_ctx *ctx, int id, const char *arg, void *data)
{
	struct exec_args *a = data;

	switch (id) {
	case OPT_CONSOLE:
		a->console = true;
		return 0;
	case KERF_TARGET_OPT_ID:
		return kerf_target_parse_id(ctx, arg, &a->t);
	default:
		return KERF_EXIT_USAGE;
	}
}

static int start(struct kerf_ctx *ctx, const struct kport *kp,
		 struct kerf_target *t, void *data)
{
	struct exec_args *a = data;
	const char *verb = "start";
	struct mk_target mt = { .name = t->name, .id = t->id };
	struct diags d;
	int ret;

	switch (t->status) {
	case MK_STATUS_LOADED:
		break;
	case MK_STATUS_READY:
	case MK_STATUS_EMPTY:
		return kerf_target_refuse(t, verb, "no kernel is loaded",
					  "Run 'kerf load %s --kernel=PATH' "
					  "first.", t->name);
	case MK_STATUS_ACTIVE:
		return kerf_target_refuse(t, verb, "it is already running",
					  "Run 'kerf console %s' to attach, or "
					  "'kerf kill %s' to stop it.", t->name,
					  t->name);
	default:
		return kerf_target_refuse(t, verb, "it is not loaded",
					  "See 'dmesg'; 'kerf kill --force %s' "
					  "may recover it.", t->name);
	}
	diags_init(&d);
	ret = mk_reboot(kp, &mt, MK_OP_START, &d);
	if (ret) {
		ret = kerf_target_kernel_failed(&d, ret);
		diags_free(&d);
		return ret;
	}
	diags_free(&d);
	if (!ctx->quiet) {
		printf("%s Started instance '%s' (id %d)\n", sym_ok(ctx),
		       t->name, t->id);
		if (!a->console)
			printf("  It boots in the background; attach with "
			       "'kerf console %s'.\n", t->name);
		fflush(stdout);
	}
	return KERF_EXIT_OK;
}

int cmd_exec(struct kerf_ctx *ctx, int argc, char **argv)
{
	struct exec_args a = {0};
	struct kport kp;
	int first, ret;

	ret = kerf_parse_opts(ctx, kerf_find_cmd(ctx->cmd ? ctx->cmd : "exec"),
			      argc, argv, &first, exec_opt, &a);
	if (ret)
		return ret < 0 ? KERF_EXIT_OK : ret;
	ret = kerf_target_args(ctx, &a.t, argc, argv, first);
	if (ret)
		return ret;
	ret = kerf_target_locked(ctx, &a.t, start, &a);
	if (!ret && a.console) {
		/* The lock is released: the console may stay open for hours. */
		kport_init(&kp, ctx->sysroot, ctx->debug);
		a.t.status = MK_STATUS_ACTIVE;
		ret = kerf_console_attach(ctx, &kp, &a.t);
	}
	kerf_target_free(&a.t);
	return ret;
}
