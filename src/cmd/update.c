// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf update NAME|--id=N [--cpus=LIST | --cpu-count=N] [--memory=SIZE]
 *	[--devices=LIST] [--dry-run]
 *
 * Change an instance's resources with one transaction on
 * /instances/<name> carrying exactly the delta (kernel.md §4), after
 * validating the whole resulting state.
 *
 * States: the kernel moves resources of a running instance by sending it
 * hotplug messages (kernel-abi-mk2.md §2.2, inferred, unverified), and
 * refuses to take back memory a loaded image lives in.  kerf therefore
 * changes instances that are ready (or empty) freely; a loaded one may
 * change CPUs, devices and grow its memory, but not shrink it (unload
 * first); active and failed instances are refused.
 */
#include "cmd/mutate.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model/size.h"
#include "plan/diff.h"

enum {
	OPT_CPUS = 'c',
	OPT_MEMORY = 'm',
	OPT_DEVICES = 'd',
	OPT_CPU_COUNT = OPT_CMD_BASE,
	OPT_ID,
	OPT_DRY_RUN,
};

static const struct kerf_opt update_opts[] = {
	{"cpus", 'c', required_argument, "LIST",
	 "the complete new set of logical CPUs (4-9)", OPT_CPUS},
	{"cpu-count", 0, required_argument, "N",
	 "N CPUs: keep the current ones, add or give back the rest",
	 OPT_CPU_COUNT},
	{"memory", 'm', required_argument, "SIZE",
	 "the new memory size (grows in place when it can)", OPT_MEMORY},
	{"devices", 'd', required_argument, "LIST",
	 "the complete new device list (eth0_vf1,eth0:vf2); '' or none: no "
	 "devices",
	 OPT_DEVICES},
	{"id", 0, required_argument, "N", "the instance with id N", OPT_ID},
	{"dry-run", 0, no_argument, NULL,
	 "validate and show the delta; touch nothing", OPT_DRY_RUN},
	{NULL, 0, 0, NULL, NULL, 0},
};

const struct kerf_cmd kerf_cmd_update = {
	.name = "update",
	.fn = cmd_update,
	.summary = "change an instance's CPUs, memory or devices",
	.usage = "NAME|--id=N [--cpus=LIST|--cpu-count=N] [--memory=SIZE] "
		 "[--devices=LIST] [--dry-run]",
	.opts = update_opts,
};

struct update_args {
	const char *cpus, *cpu_count, *memory, *devices, *id;
	bool dry_run;
};

static int update_opt(struct kerf_ctx *ctx, int id, const char *arg,
		      void *data)
{
	struct update_args *a = data;

	(void)ctx;
	switch (id) {
	case OPT_CPUS: a->cpus = arg; break;
	case OPT_CPU_COUNT: a->cpu_count = arg; break;
	case OPT_MEMORY: a->memory = arg; break;
	case OPT_DEVICES: a->devices = arg; break;
	case OPT_ID: a->id = arg; break;
	case OPT_DRY_RUN: a->dry_run = true; break;
	default: return KERF_EXIT_USAGE;
	}
	return 0;
}

static int parse_req(struct kerf_ctx *ctx, const struct update_args *a,
		     struct plan_update_req *r)
{
	struct cpuset_error ce;
	char err[256];

	if (!a->cpus && !a->cpu_count && !a->memory && !a->devices)
		return kerf_usage_error(ctx, "nothing to change: give at "
					     "least one of --cpus, "
					     "--cpu-count, --memory, "
					     "--devices");
	if (a->cpus && a->cpu_count)
		return kerf_usage_error(ctx, "--cpus and --cpu-count are "
					     "mutually exclusive");
	if (a->cpus) {
		if (cpuset_parse(&r->cpus, a->cpus, &ce))
			return kerf_usage_error(ctx,
						"invalid CPU list '%s': %s",
						a->cpus, ce.msg);
		if (cpuset_empty(&r->cpus))
			return kerf_usage_error(ctx, "--cpus lists no CPU");
		r->set_cpus = true;
	}
	if (a->cpu_count) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(a->cpu_count, &end, 10);
		if (errno || *end || !*a->cpu_count || *a->cpu_count == '-' ||
		    v < 1 || v > CPUSET_MAX)
			return kerf_usage_error(ctx,
						"invalid CPU count '%s' (a "
						"positive number)",
						a->cpu_count);
		r->cpu_count = (uint32_t)v;
	}
	if (a->memory) {
		if (size_parse(a->memory, &r->mem, err, sizeof(err)))
			return kerf_usage_error(ctx,
						"invalid memory size '%s': %s",
						a->memory, err);
		r->set_mem = true;
	}
	return 0;
}

/* --devices: the complete list; 0 or an exit status (printed). */
static int parse_devs(const struct mut *mt, const char *s,
		      struct plan_dev **out, size_t *n)
{
	char *list, *save = NULL, *tok;
	char err[512];
	int ret = 0;

	*out = NULL;
	*n = 0;
	if (!*s || !strcmp(s, "none"))
		return 0;
	list = xstrdup(s);
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		struct plan_dev pd;

		if (plan_parse_device(&mt->st.model, tok, &pd, err,
				      sizeof(err))) {
			kerf_error("%s (in --devices)", err);
			if (mt->st.model.ndevices) {
				fprintf(stderr, "  Devices:");
				for (size_t k = 0; k < mt->st.model.ndevices;
				     k++)
					fprintf(stderr, "%s%s", k ? ", " : " ",
						mt->st.model.devices[k].name);
				fputc('\n', stderr);
			}
			ret = KERF_EXIT_INVALID;
			break;
		}
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = pd;
	}
	free(list);
	return ret;
}

/* May the kernel's instance in this state take this change? */
static int check_status(const struct kstate_inst *ki,
			const struct plan_update *u)
{
	switch (ki->status) {
	case MK_STATUS_READY:
	case MK_STATUS_EMPTY:
		return 0;
	case MK_STATUS_LOADED:
		if (u->new_mem >= u->old_mem)
			return 0;
		kerf_error("cannot shrink the memory of instance '%s' (id %d): "
			   "a kernel is loaded (status: %s)",
			   ki->name, ki->id, ki->status_text);
		fprintf(stderr, "  The loaded image may live in the memory "
				"taken back. Run 'kerf unload %s' first.\n",
			ki->name);
		return KERF_EXIT_INVALID;
	case MK_STATUS_ACTIVE:
		kerf_error("cannot update instance '%s' (id %d): it is running "
			   "(status: %s)",
			   ki->name, ki->id, ki->status_text);
		fprintf(stderr, "  Run 'kerf kill %s' first.\n", ki->name);
		return KERF_EXIT_INVALID;
	default:
		kerf_error("cannot update instance '%s' (id %d): its status "
			   "is '%s' (expected ready or loaded)",
			   ki->name, ki->id, ki->status_text);
		if (ki->status == MK_STATUS_FAILED)
			fprintf(stderr,
				"  Delete it ('kerf delete %s') and create it "
				"again.\n",
				ki->name);
		return KERF_EXIT_INVALID;
	}
}

static void print_plan(struct kerf_ctx *ctx, const struct kstate_inst *ki,
		       const struct plan_update *u, const char *arrow)
{
	char a[32], b[32];
	char *x = cpuset_format(&u->old_cpus), *y = cpuset_format(&u->new_cpus);
	size_t i;

	printf("%s Validation passed for updating instance '%s'\n",
	       sym_ok(ctx), ki->name);
	printf("  Instance ID: %d\n", ki->id);
	if (strcmp(x, y))
		printf("  CPUs: %s %s %s\n", *x ? x : "none", arrow,
		       *y ? y : "none");
	else
		printf("  CPUs: %s (unchanged)\n", x);
	size_format(a, sizeof(a), u->old_mem, SIZE_IEC);
	size_format(b, sizeof(b), u->new_mem, SIZE_IEC);
	if (u->old_mem != u->new_mem)
		printf("  Memory: %s %s %s\n", a, arrow, b);
	else
		printf("  Memory: %s (unchanged)\n", a);
	for (i = 0; i < u->nmem_rm; i++)
		printf("    give back 0x%" PRIx64 "-0x%" PRIx64 " (%s)\n",
		       u->mem_rm[i].base,
		       u->mem_rm[i].base + u->mem_rm[i].size - 1,
		       size_format(a, sizeof(a), u->mem_rm[i].size, SIZE_IEC));
	for (i = 0; i < u->nmem_add; i++)
		printf("    add 0x%" PRIx64 "-0x%" PRIx64 " (%s)\n",
		       u->mem_add[i].base,
		       u->mem_add[i].base + u->mem_add[i].size - 1,
		       size_format(a, sizeof(a), u->mem_add[i].size,
				   SIZE_IEC));
	if (strcmp(u->old_devs, u->new_devs))
		printf("  Devices: %s %s %s\n", u->old_devs, arrow,
		       u->new_devs);
	else
		printf("  Devices: %s (unchanged)\n", u->old_devs);
	free(x);
	free(y);
}

int cmd_update(struct kerf_ctx *ctx, int argc, char **argv)
{
	struct update_args a = {0};
	struct plan_update_req r;
	struct plan_update u;
	struct plan_dev *pd = NULL;
	struct plan_snap snap = {0};
	char *iname = NULL;
	size_t npd = 0, i;
	struct mk2_blobs blobs = {0};
	unsigned int *txids = NULL;
	const char *name = NULL;
	const char *arrow = ctx->unicode ? "\u2192" : "->";
	struct kstate_inst *ki;
	struct mut mt;
	char err[512];
	long id = 0, idx;
	int first, ret;
	bool begun = false;

	memset(&r, 0, sizeof(r));
	cpuset_init(&r.cpus);
	plan_update_init(&u);
	ret = kerf_parse_opts(ctx, &kerf_cmd_update, argc, argv, &first,
			      update_opt, &a);
	if (ret) {
		ret = ret < 0 ? KERF_EXIT_OK : ret;
		goto out;
	}
	if (first < argc)
		name = argv[first];
	if (argc - first > 1) {
		ret = kerf_usage_error(ctx, "unexpected argument '%s'",
				       argv[first + 1]);
		goto out;
	}
	if (a.id) {
		char *end;

		errno = 0;
		id = strtol(a.id, &end, 10);
		if (errno || *end || id < 1 || id > MK_ID_MAX) {
			ret = kerf_usage_error(ctx, "invalid --id '%s' (1-%u)",
					       a.id, MK_ID_MAX);
			goto out;
		}
	}
	if (!name == !a.id) {
		ret = kerf_usage_error(ctx, "name the instance by NAME or "
					    "--id=N (one of them)");
		goto out;
	}
	ret = parse_req(ctx, &a, &r);
	if (ret)
		goto out;

	ret = mut_begin(ctx, &mt, a.dry_run);
	begun = true;
	if (ret)
		goto out;
	ret = mut_need_pool(&mt);
	if (ret)
		goto out;
	if (kstate_lookup(&mt.st, name, (int)id, &idx, &mt.d)) {
		diags_print(stderr, &mt.d);
		ret = KERF_EXIT_INVALID;
		goto out;
	}
	ki = &mt.st.inst[idx];
	if (a.devices) {
		ret = parse_devs(&mt, a.devices, &pd, &npd);
		if (ret)
			goto out;
		r.set_devs = true;
		r.devs = pd;
		r.ndevs = npd;
	}
	if (ki->status == MK_STATUS_ACTIVE || ki->status == MK_STATUS_FAILED ||
	    ki->status == MK_STATUS_UNKNOWN) {
		/* refused whatever the change */
		ret = check_status(ki, &u);
		goto out;
	}
	plan_snap_take(ki, &snap);
	iname = xstrdup(ki->name);
	if (plan_update(&mt.kp, &mt.st, idx, &r, &u, err, sizeof(err))) {
		kerf_error("cannot update instance '%s' (id %d): %s", ki->name,
			   ki->id, err);
		ret = KERF_EXIT_INVALID;
		goto out;
	}
	ret = check_status(ki, &u);
	if (ret)
		goto out;
	if (plan_update_empty(&u)) {
		char *x = cpuset_format(&u.new_cpus);
		char sz[32];

		if (!ctx->quiet)
			printf("%s Instance '%s' (id %d) already has these "
			       "resources: nothing to change\n"
			       "  CPUs %s, memory %s, devices %s\n",
			       sym_ok(ctx), ki->name, ki->id, x,
			       size_format(sz, sizeof(sz), u.new_mem,
					   SIZE_IEC),
			       u.new_devs);
		free(x);
		ret = KERF_EXIT_OK;
		goto out;
	}
	/* the whole resulting state must validate */
	ret = mut_validate(ctx, &mt, a.dry_run);
	if (ret)
		goto out;
	if (mk2_delta_blobs(ki->name, u.items, u.nitems, &blobs)) {
		kerf_error("cannot encode the overlay for '%s'", ki->name);
		ret = KERF_EXIT_INVALID;
		goto out;
	}
	if (a.dry_run) {
		print_plan(ctx, ki, &u, arrow);
		if (ctx->debug)
			mut_print_blobs(ctx, &blobs, ki->name);
		printf("\n%s Instance would be updated (dry-run mode, %zu "
		       "transaction%s)\n",
		       sym_ok(ctx), blobs.n, blobs.n == 1 ? "" : "s");
		printf("  Remove --dry-run to apply the overlay to the "
		       "kernel\n");
		ret = KERF_EXIT_OK;
		goto out;
	}
	if (ctx->debug)
		mut_print_blobs(ctx, &blobs, ki->name);
	txids = xzalloc(blobs.n * sizeof(*txids));
	{
		char *what = xasprintf("update instance '%s' (id %d)",
				       ki->name, ki->id);

		ret = mut_apply(&mt, &blobs, what, txids);
		free(what);
	}
	if (ret) {
		mut_restore(&mt, iname, &snap);
		goto out;
	}
	if (!ctx->quiet) {
		char *sum = plan_update_summary(&u, arrow);

		printf("%s Updated instance '%s' (id %d, transaction %u",
		       sym_ok(ctx), ki->name, ki->id, txids[0]);
		for (i = 1; i < blobs.n; i++)
			printf(", %u", txids[i]);
		printf("): %s\n", sum);
		free(sum);
	}
	ret = KERF_EXIT_OK;
out:
	free(txids);
	mk2_blobs_free(&blobs);
	plan_update_free(&u);
	plan_snap_free(&snap);
	free(iname);
	plan_dev_free(pd, npd);
	cpuset_free(&r.cpus);
	if (begun)
		mut_end(&mt);
	return ret;
}
