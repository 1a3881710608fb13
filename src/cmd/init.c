// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf init --input=FILE [--dry-run] [--report] [--format=FMT]
 *
 * Validate a baseline (checks.md, with baseline-no-instances) and show the
 * report of cli.md.  Writing the baseline to the kernel comes with the
 * lifecycle commands; until then init stops before it with exit 4.
 */
#include "check/pipeline.h"
#include "check/render.h"
#include "check/report.h"
#include "cmd/cmd.h"
#include "kernel/host.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
	OPT_INPUT = 'i',
	OPT_DRY_RUN = OPT_CMD_BASE,
	OPT_REPORT,
	OPT_WERROR,
	OPT_WARN = 'W',
};

static const struct kerf_opt init_opts[] = {
	{"input", 'i', required_argument, "FILE",
	 "the baseline (DTS or DTB, any form of schema.md §2)", OPT_INPUT},
	{"dry-run", 0, no_argument, NULL,
	 "validate and show what would be written; touch nothing", OPT_DRY_RUN},
	{"report", 0, no_argument, NULL, "print the validation report",
	 OPT_REPORT},
	{"warning", 'W', required_argument, "no-NAME",
	 "silence the warning check NAME", OPT_WARN},
	{"werror", 0, no_argument, NULL, "treat warnings as errors",
	 OPT_WERROR},
	{NULL, 0, 0, NULL, NULL, 0},
};

const struct kerf_cmd kerf_cmd_init = {
	.name = "init",
	.fn = cmd_init,
	.summary = "validate a baseline and write it to the kernel",
	.usage = "--input=FILE [--dry-run] [--report] [--format=FMT]",
	.opts = init_opts,
	.takes_format = true,
};

struct init_args {
	const char *input;
	bool dry_run, report, werror;
	const char **disabled;
	size_t ndisabled;
};

static int init_opt(struct kerf_ctx *ctx, int id, const char *arg, void *data)
{
	struct init_args *a = data;

	switch (id) {
	case OPT_INPUT:
		a->input = arg;
		return 0;
	case OPT_DRY_RUN:
		a->dry_run = true;
		return 0;
	case OPT_REPORT:
		a->report = true;
		return 0;
	case OPT_WERROR:
		a->werror = true;
		return 0;
	case OPT_WARN:
		return kerf_parse_warning(ctx, arg, &a->disabled,
					  &a->ndisabled);
	default:
		return KERF_EXIT_USAGE;
	}
}

/* Applying needs the kernel interface, which this version lacks. */
static int no_kernel(const struct kerf_ctx *ctx)
{
	char *path = host_path(ctx->sysroot, "sys/fs/multikernel");
	struct stat st;

	if (stat(path, &st) < 0)
		kerf_error("no multikernel support: %s does not exist (the "
			   "running kernel has no multikernel file system)",
			   path);
	else
		kerf_error("cannot apply the baseline: writing to %s is not "
			   "implemented in this version of kerf",
			   path);
	fputs("  Run with --dry-run to validate only.\n", stderr);
	free(path);
	return KERF_EXIT_NO_MK;
}

int cmd_init(struct kerf_ctx *ctx, int argc, char **argv)
{
	struct init_args a = {0};
	struct check_opts co = {0};
	struct render_opts ro;
	struct emitter *e;
	struct vrun v;
	int first, ret, st;
	bool ok;

	ret = kerf_parse_opts(ctx, &kerf_cmd_init, argc, argv, &first, init_opt,
			      &a);
	if (ret) {
		free(a.disabled);
		return ret < 0 ? KERF_EXIT_OK : ret;
	}
	if (first < argc) {
		free(a.disabled);
		return kerf_usage_error(ctx, "unexpected argument '%s'",
					argv[first]);
	}
	if (!a.input) {
		free(a.disabled);
		return kerf_usage_error(
			ctx,
			"missing --input=FILE (building a baseline from the "
			"host with --cpus/--memory is not available yet)");
	}
	co.baseline = true;
	co.report = a.report && ctx->verbose;
	co.disabled = a.disabled;
	co.ndisabled = a.ndisabled;
	if (ctx->verbose && ctx->format == OUT_TEXT && !ctx->quiet)
		printf("Reading %s\n", a.input);
	st = vrun_load(&v, a.input, NULL, NULL, &co);
	if (st != VRUN_OK) {
		ret = kerf_report_load_error(ctx, &v, st, a.input);
		vrun_free(&v);
		free(a.disabled);
		return ret;
	}
	if (v.d.n)
		diags_print(stderr, &v.d);
	if (ctx->verbose && ctx->format == OUT_TEXT && !ctx->quiet)
		printf("Input form: %s; %zu checks run\n",
		       mk_form_name(v.model.form), check_count);
	ro.unicode = ctx->unicode;
	ro.werror = a.werror;
	ro.notes = co.report;
	ok = findings_valid(&v.f, a.werror);
	e = emit_new(stdout, ctx->format);
	emit_open_object(e, NULL);
	emit_uint(e, "schema_version", NULL, 1);
	emit_string(e, "file", NULL, a.input);
	if (a.report) {
		emit_text(e, "Multikernel Device Tree Validation Report\n"
			     "==========================================\n");
		emit_text(e, "Status: %s %s\n\n",
			  ok ? sym_ok(ctx) : sym_fail(ctx),
			  ok ? "VALID" : "INVALID");
		emit_string(e, "status", NULL, ok ? "valid" : "invalid");
		report_inventory(e, &v.model);
		emit_text(e, "\n");
	}
	render_findings(e, &v.f, &ro);
	render_summary(e, &v.f, &ro, "Baseline validation passed");
	if (ok && a.dry_run) {
		emit_bool(e, "dry_run", NULL, true);
		emit_text(e, "%s Baseline would be applied (dry-run mode)\n",
			  sym_ok(ctx));
	}
	emit_close_object(e);
	emit_free(e);
	vrun_free(&v);
	free(a.disabled);
	if (!ok)
		return KERF_EXIT_INVALID;
	if (a.dry_run)
		return KERF_EXIT_OK;
	return no_kernel(ctx);
}
