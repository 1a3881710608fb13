// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf diff FILE [--prune]
 *
 * The plan `kerf apply FILE` would carry out, validated, and nothing
 * else: exit 0 whether or not there are differences (1 only when the
 * file or the resulting state is invalid).
 */
#include "cmd/mutate.h"

#include <getopt.h>

enum {
	OPT_PRUNE = OPT_CMD_BASE + 1, /* apply's --prune id */
};

static const struct kerf_opt diff_opts[] = {
	{"prune", 0, no_argument, NULL,
	 "also show the deletes of instances the file does not list",
	 OPT_PRUNE},
	{NULL, 0, 0, NULL, NULL, 0},
};

const struct kerf_cmd kerf_cmd_diff = {
	.name = "diff",
	.fn = cmd_diff,
	.summary = "print what 'kerf apply FILE' would change (exit 0 with "
		   "or without differences)",
	.usage = "FILE [--prune]",
	.opts = diff_opts,
};

int cmd_diff(struct kerf_ctx *ctx, int argc, char **argv)
{
	return apply_run(ctx, &kerf_cmd_diff, argc, argv, true);
}
