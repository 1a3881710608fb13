// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf kill NAME [--force]
 *
 * Stop a running instance: a graceful halt (the instance acknowledges a
 * shutdown message; up to 30 s) for an 'active' one, or with --force an
 * NMI halt, also allowed on 'loaded' to park CPUs a previous halt missed.
 * The kernel stays loaded: the instance goes back to 'loaded'.
 */
#include "cmd/cmd.h"
#include "cmd/target.h"

#include <getopt.h>
#include <stdlib.h>

#include "kernel/syscalls.h"

enum {
	OPT_FORCE = 'f',
};

static const struct kerf_opt kill_opts[] = {
	{"force", 'f', no_argument, NULL,
	 "forced halt (NMI); also on a 'loaded' instance", OPT_FORCE},
	{"id", 0, required_argument, "N", KERF_TARGET_ID_HELP,
	 KERF_TARGET_OPT_ID},
	{NULL, 0, 0, NULL, NULL, 0},
};

const struct kerf_cmd kerf_cmd_kill = {
	.name = "kill",
	.fn = cmd_kill,
	.summary = "stop a running instance (graceful, or forced)",
	.usage = "NAME|--id=N [--force]",
	.opts = kill_opts,
};

struct kill_args {
	struct kerf_target t;
	bool force;
};

static int kill_opt(struct kerf_ctx *ctx, int id, const char *arg, void *data)
{
	struct kill_args *a = data;

	switch (id) {
	case OPT_FORCE:
		a->force = true;
		return 0;
	case KERF_TARGET_OPT_ID:
		return kerf_target_parse_id(ctx, arg, &a->t);
	default:
		return KERF_EXIT_USAGE;
	}
}

static int halt(struct kerf_ctx *ctx, const struct kport *kp,
		struct kerf_target *t, void *data)
{
	struct kill_args *a = data;
	struct mk_target mt = { .name = t->name, .id = t->id };
	const char *verb = a->force ? "force-stop" : "stop";
	struct diags d;
	int ret;

	if (t->status == MK_STATUS_LOADED && !a->force)
		return kerf_target_refuse(t, verb, "it is not running",
					  "Its kernel is loaded but not "
					  "started; 'kerf unload %s' removes "
					  "it ('kerf kill --force %s' re-parks "
					  "CPUs a failed halt left behind).",
					  t->name, t->name);
	if (t->status != MK_STATUS_ACTIVE && t->status != MK_STATUS_LOADED)
		return kerf_target_refuse(t, verb, "it is not running",
					  t->status == MK_STATUS_READY ?
					  "Nothing to stop: no kernel is "
					  "loaded."
					  : "See 'dmesg' for what happened to "
					  "it.");
	if (ctx->verbose && !ctx->quiet) {
		printf("Stopping instance '%s' (id %d)%s...\n", t->name, t->id,
		       a->force ? " with an NMI" : "");
		fflush(stdout);
	}
	diags_init(&d);
	ret = mk_reboot(kp, &mt, a->force ? MK_OP_HALT_FORCE : MK_OP_HALT,
			&d);
	if (ret) {
		ret = kerf_target_kernel_failed(&d, ret);
		diags_free(&d);
		return ret;
	}
	diags_free(&d);
	if (!ctx->quiet)
		printf("%s %s instance '%s' (id %d)\n", sym_ok(ctx),
		       a->force ? "Force-stopped" : "Stopped", t->name, t->id);
	return KERF_EXIT_OK;
}

int cmd_kill(struct kerf_ctx *ctx, int argc, char **argv)
{
	struct kill_args a = {0};
	int first, ret;

	ret = kerf_parse_opts(ctx, &kerf_cmd_kill, argc, argv, &first,
			      kill_opt, &a);
	if (ret)
		return ret < 0 ? KERF_EXIT_OK : ret;
	ret = kerf_target_args(ctx, &a.t, argc, argv, first);
	if (ret)
		return ret;
	ret = kerf_target_locked(ctx, &a.t, halt, &a);
	kerf_target_free(&a.t);
	return ret;
}
