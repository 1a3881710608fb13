// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf unload NAME
 *
 * Unload the kernel of a 'loaded' instance: kexec_file_load(UNLOAD).  The
 * kernel does not check the state (it would tear the image out from under
 * a running instance), so kerf requires exactly 'loaded'.
 */
#include "cmd/cmd.h"
#include "cmd/target.h"

#include <getopt.h>
#include <stdlib.h>

#include "kernel/records.h"
#include "kernel/syscalls.h"

static const struct kerf_opt unload_opts[] = {
	{"id", 0, required_argument, "N", KERF_TARGET_ID_HELP,
	 KERF_TARGET_OPT_ID},
	{NULL, 0, 0, NULL, NULL, 0},
};

const struct kerf_cmd kerf_cmd_unload = {
	.name = "unload",
	.fn = cmd_unload,
	.summary = "unload the kernel of a loaded (stopped) instance",
	.usage = "NAME|--id=N",
	.opts = unload_opts,
};

static int unload_opt(struct kerf_ctx *ctx, int id, const char *arg,
		      void *data)
{
	if (id == KERF_TARGET_OPT_ID)
		return kerf_target_parse_id(ctx, arg, data);
	return KERF_EXIT_USAGE;
}

static int unload(struct kerf_ctx *ctx, const struct kport *kp,
		  struct kerf_target *t, void *data)
{
	struct mk_target mt = { .name = t->name, .id = t->id };
	const char *verb = "unload";
	struct diags d;
	int ret;

	switch (t->status) {
	case MK_STATUS_LOADED:
		break;
	case MK_STATUS_ACTIVE:
		return kerf_target_refuse(t, verb, "it is running",
					  "Run 'kerf kill %s' first.", t->name);
	case MK_STATUS_READY:
	case MK_STATUS_EMPTY:
		return kerf_target_refuse(t, verb, "no kernel is loaded",
					  "Nothing to unload; 'kerf delete %s' "
					  "removes the instance.", t->name);
	default:
		return kerf_target_refuse(t, verb, "it is not 'loaded'",
					  "See 'dmesg'; 'kerf kill --force %s' "
					  "may bring it back to 'loaded'.",
					  t->name);
	}
	diags_init(&d);
	ret = mk_kexec_unload(kp, &mt, &d);
	if (ret) {
		ret = kerf_target_kernel_failed(&d, ret);
		diags_free(&d);
		return ret;
	}
	record_remove(kp, t->name, &d);
	kerf_print_diags(&d);
	diags_free(&d);
	if (!ctx->quiet)
		printf("%s Unloaded kernel from '%s' (id %d)\n", sym_ok(ctx),
		       t->name, t->id);
	return KERF_EXIT_OK;
}

int cmd_unload(struct kerf_ctx *ctx, int argc, char **argv)
{
	struct kerf_target t = {0};
	int first, ret;

	ret = kerf_parse_opts(ctx, &kerf_cmd_unload, argc, argv, &first,
			      unload_opt, &t);
	if (ret)
		return ret < 0 ? KERF_EXIT_OK : ret;
	ret = kerf_target_args(ctx, &t, argc, argv, first);
	if (ret)
		return ret;
	ret = kerf_target_locked(ctx, &t, unload, NULL);
	kerf_target_free(&t);
	return ret;
}
