// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf delete NAME|--id=N [--dry-run]
 *
 * Remove an instance with no kernel loaded (status ready, empty or
 * failed): one instance-remove transaction, then its load record.
 */
#include "cmd/mutate.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/records.h"

enum {
	OPT_ID = OPT_CMD_BASE,
	OPT_DRY_RUN,
};

static const struct kerf_opt delete_opts[] = {
	{"id", 0, required_argument, "N", "the instance with id N", OPT_ID},
	{"dry-run", 0, no_argument, NULL,
	 "check and show what would be removed; touch nothing", OPT_DRY_RUN},
	{NULL, 0, 0, NULL, NULL, 0},
};

const struct kerf_cmd kerf_cmd_delete = {
	.name = "delete",
	.fn = cmd_delete,
	.summary = "remove an instance that has no kernel loaded",
	.usage = "NAME|--id=N [--dry-run]",
	.opts = delete_opts,
};

struct delete_args {
	const char *id;
	bool dry_run;
};

static int delete_opt(struct kerf_ctx *ctx, int id, const char *arg,
		      void *data)
{
	struct delete_args *a = data;

	if (id == OPT_ID)
		a->id = arg;
	else if (id == OPT_DRY_RUN)
		a->dry_run = true;
	else
		return KERF_EXIT_USAGE;
	return 0;
}

int cmd_delete(struct kerf_ctx *ctx, int argc, char **argv)
{
	struct delete_args a = {0};
	struct mk2_blobs blobs = {0};
	const struct kstate_inst *ki;
	const char *name = NULL;
	unsigned int txid = 0;
	struct mut mt;
	long id = 0, idx;
	int first, ret;
	char *end;

	ret = kerf_parse_opts(ctx, &kerf_cmd_delete, argc, argv, &first,
			      delete_opt, &a);
	if (ret)
		return ret < 0 ? KERF_EXIT_OK : ret;
	if (first < argc)
		name = argv[first];
	if (argc - first > 1)
		return kerf_usage_error(ctx, "unexpected argument '%s'",
					argv[first + 1]);
	if (a.id) {
		errno = 0;
		id = strtol(a.id, &end, 10);
		if (errno || *end || id < 1 || id > MK_ID_MAX)
			return kerf_usage_error(ctx, "invalid --id '%s' (1-%u)",
						a.id, MK_ID_MAX);
	}
	if (!name == !a.id)
		return kerf_usage_error(ctx, "name the instance by NAME or "
					     "--id=N (one of them)");

	ret = mut_begin(ctx, &mt, a.dry_run);
	if (ret)
		goto out;
	if (kstate_lookup(&mt.st, name, (int)id, &idx, &mt.d)) {
		diags_print(stderr, &mt.d);
		ret = KERF_EXIT_INVALID;
		goto out;
	}
	ki = &mt.st.inst[idx];
	if (ki->status == MK_STATUS_LOADED || ki->status == MK_STATUS_ACTIVE) {
		kerf_error("cannot delete instance '%s' (id %d): %s (status: "
			   "%s)",
			   ki->name, ki->id,
			   ki->status == MK_STATUS_LOADED
				   ? "a kernel is loaded"
				   : "it is running",
			   ki->status_text);
		if (ki->status == MK_STATUS_LOADED)
			fprintf(stderr, "  Run 'kerf unload %s' first.\n",
				ki->name);
		else
			fprintf(stderr,
				"  Run 'kerf kill %s' and 'kerf unload %s' "
				"first.\n",
				ki->name, ki->name);
		ret = KERF_EXIT_INVALID;
		goto out;
	}
	if (ki->status != MK_STATUS_READY && ki->status != MK_STATUS_EMPTY &&
	    ki->status != MK_STATUS_FAILED) {
		kerf_error("cannot delete instance '%s' (id %d): its status "
			   "is '%s' (expected ready, empty or failed)",
			   ki->name, ki->id, ki->status_text);
		ret = KERF_EXIT_INVALID;
		goto out;
	}
	if (mk2_remove_blob(ki->name, &blobs)) {
		kerf_error("cannot encode the overlay for '%s'", ki->name);
		ret = KERF_EXIT_INVALID;
		goto out;
	}
	if (a.dry_run) {
		printf("%s Validation passed for deletion of instance '%s'\n",
		       sym_ok(ctx), ki->name);
		printf("  Instance ID: %d\n", ki->id);
		if (ctx->debug)
			mut_print_blobs(ctx, &blobs, ki->name);
		printf("\n%s Instance would be deleted (dry-run mode)\n",
		       sym_ok(ctx));
		printf("  Remove --dry-run to apply the overlay to the "
		       "kernel\n");
		ret = KERF_EXIT_OK;
		goto out;
	}
	if (ctx->debug)
		mut_print_blobs(ctx, &blobs, ki->name);
	{
		char *what = xasprintf("delete instance '%s' (id %d)",
				       ki->name, ki->id);

		ret = mut_apply(&mt, &blobs, what, &txid);
		free(what);
	}
	if (ret)
		goto out;
	record_remove(&mt.kp, ki->name, &mt.d);
	if (mt.d.n)
		diags_print(stderr, &mt.d);
	if (!ctx->quiet)
		printf("%s Deleted instance '%s' (id %d, transaction %u)\n",
		       sym_ok(ctx), ki->name, ki->id, txid);
	ret = KERF_EXIT_OK;
out:
	mk2_blobs_free(&blobs);
	mut_end(&mt);
	return ret;
}
