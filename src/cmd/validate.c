// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf validate FILE [--host] [--list-checks] [-W no-NAME] [--werror]
 *
 * Validate a baseline or a full-system file without touching the kernel.
 */
#include "check/pipeline.h"
#include "check/render.h"
#include "cmd/cmd.h"
#include "kernel/host.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_HOST = OPT_CMD_BASE,
	OPT_LIST,
	OPT_WARN = 'W',
	OPT_WERROR,
};

static const struct kerf_opt validate_opts[] = {
	{"host", 0, no_argument, NULL,
	 "also run the host checks against this host (under --sysroot)",
	 OPT_HOST},
	{"list-checks", 0, no_argument, NULL,
	 "list every check with its severity and description", OPT_LIST},
	{"warning", 'W', required_argument, "no-NAME",
	 "silence the warning check NAME (errors cannot be disabled)",
	 OPT_WARN},
	{"werror", 0, no_argument, NULL, "treat warnings as errors",
	 OPT_WERROR},
	{NULL, 0, 0, NULL, NULL, 0},
};

const struct kerf_cmd kerf_cmd_validate = {
	.name = "validate",
	.fn = cmd_validate,
	.summary = "validate a baseline or full-system description",
	.usage = "FILE [--host] [--list-checks] [-W no-NAME]... [--werror]",
	.opts = validate_opts,
	.takes_format = true,
};

int kerf_parse_warning(struct kerf_ctx *ctx, const char *arg,
		       const char ***names, size_t *n)
{
	const char *name = arg;
	const struct check *k;

	if (!strncmp(name, "no-", 3))
		name += 3;
	k = check_find(name);
	if (!k) {
		const char *best = NULL;
		unsigned int bd = ~0u;
		size_t i;

		for (i = 0; i < check_count; i++) {
			unsigned int dd =
				edit_distance(name, check_table[i].name);

			if (dd < bd) {
				bd = dd;
				best = check_table[i].name;
			}
		}
		if (best && bd <= 3)
			return kerf_usage_error(
				ctx, "unknown check '%s' (did you mean '%s'?)",
				name, best);
		return kerf_usage_error(
			ctx, "unknown check '%s' (see --list-checks)", name);
	}
	if (name == arg) /* -W NAME: warnings are on already */
		return 0;
	if (k->sev == SEV_ERROR && !(k->flags & CHECK_BOTH))
		return kerf_usage_error(ctx,
					"check '%s' is an error and cannot be "
					"disabled (only warnings can)",
					k->name);
	*names = xrealloc(*names, (*n + 1) * sizeof(**names));
	(*names)[(*n)++] = k->name;
	return 0;
}

struct validate_args {
	bool host, list, werror;
	const char **disabled;
	size_t ndisabled;
};

static int validate_opt(struct kerf_ctx *ctx, int id, const char *arg,
			void *data)
{
	struct validate_args *a = data;

	switch (id) {
	case OPT_HOST:
		a->host = true;
		return 0;
	case OPT_LIST:
		a->list = true;
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

/* A file that does not load: its diagnostics, as text or as data. */
static int report_syntax(const struct kerf_ctx *ctx, struct vrun *v,
			 const char *path)
{
	struct render_opts ro = {.unicode = ctx->unicode};
	struct findings f;
	struct emitter *e;
	size_t i;

	findings_init(&f);
	for (i = 0; i < v->d.n; i++) {
		const struct diag *dg = &v->d.v[i];
		const struct check *k =
			dg->check ? check_find(dg->check) : NULL;
		struct finding *x =
			finding_add(&f, k ? k->name : "syntax",
				    dg->sev == DIAG_ERROR     ? SEV_ERROR
				    : dg->sev == DIAG_WARNING ? SEV_WARNING
							      : SEV_NOTE,
				    NULL, "%s", dg->msg);

		if (dg->hint)
			finding_suggest(x, "%s", dg->hint);
		finding_loc(x, &dg->pos);
	}
	if (!f.errors) /* an error without a diagnostic */
		finding_add(&f, "syntax", SEV_ERROR, NULL,
			    "%s could not be read as a device tree", path);
	e = emit_new(stdout, ctx->format);
	emit_open_object(e, NULL);
	emit_uint(e, "schema_version", NULL, 1);
	emit_string(e, "file", NULL, path);
	if (ctx->format == OUT_TEXT) {
		fflush(stdout);
		diags_print(stderr, &v->d);
		emit_bool(e, "valid", NULL, false);
	} else {
		render_findings(e, &f, &ro);
	}
	render_summary(e, &f, &ro, "Validation passed");
	emit_close_object(e);
	emit_free(e);
	findings_free(&f);
	return KERF_EXIT_INVALID;
}

int kerf_report_load_error(const struct kerf_ctx *ctx, struct vrun *v,
			   int status, const char *path)
{
	switch (status) {
	case VRUN_IO:
		kerf_print_diags_data(&v->d);
		return KERF_EXIT_SYSTEM;
	case VRUN_SYNTAX:
		return report_syntax(ctx, v, path);
	case VRUN_NOT_MK:
		kerf_error("%s is not a multikernel description (no /resources "
			   "node)",
			   path);
		fputs("  A baseline needs /resources { cpus {...}; memory "
		      "{...}; } (schema.md, section 2)\n",
		      stderr);
		return KERF_EXIT_INVALID;
	default:
		return KERF_EXIT_OK;
	}
}

int cmd_validate(struct kerf_ctx *ctx, int argc, char **argv)
{
	struct validate_args a = {0};
	struct check_opts co = {0};
	struct render_opts ro = {0};
	struct host_info host;
	struct emitter *e;
	struct vrun v;
	int first, ret, st;
	bool have_host = false;

	ret = kerf_parse_opts(ctx, &kerf_cmd_validate, argc, argv, &first,
			      validate_opt, &a);
	if (ret) {
		free(a.disabled);
		return ret < 0 ? KERF_EXIT_OK : ret;
	}
	if (a.list) {
		e = emit_new(stdout, ctx->format);
		emit_open_object(e, NULL);
		if (ctx->format != OUT_TEXT)
			emit_uint(e, "schema_version", NULL, 1);
		render_check_list(e);
		emit_close_object(e);
		emit_free(e);
		free(a.disabled);
		return KERF_EXIT_OK;
	}
	if (first >= argc || first + 1 < argc) {
		free(a.disabled);
		return kerf_usage_error(ctx, first >= argc
						     ? "missing input file"
						     : "too many arguments");
	}
	if (a.host) {
		int hr = host_read(ctx->sysroot, &host);

		if (hr < 0) {
			kerf_error("cannot read the host under '%s': %s",
				   ctx->sysroot, strerror(-hr));
			host_free(&host);
			free(a.disabled);
			return KERF_EXIT_SYSTEM;
		}
		have_host = true;
		co.host = &host;
	}
	co.disabled = a.disabled;
	co.ndisabled = a.ndisabled;
	st = vrun_load(&v, argv[first], NULL, NULL, &co);
	if (st != VRUN_OK) {
		ret = kerf_report_load_error(ctx, &v, st, argv[first]);
		goto out;
	}
	if (v.d.n)
		diags_print(stderr, &v.d);
	ro.unicode = ctx->unicode;
	ro.werror = a.werror;
	ro.notes = false;
	e = emit_new(stdout, ctx->format);
	emit_open_object(e, NULL);
	emit_uint(e, "schema_version", NULL, 1);
	emit_string(e, "file", NULL, argv[first]);
	emit_string(e, "form", NULL, mk_form_name(v.model.form));
	render_findings(e, &v.f, &ro);
	render_summary(e, &v.f, &ro, "Validation passed");
	emit_close_object(e);
	emit_free(e);
	ret = findings_valid(&v.f, a.werror) ? KERF_EXIT_OK : KERF_EXIT_INVALID;
out:
	vrun_free(&v);
	if (have_host)
		host_free(&host);
	free(a.disabled);
	return ret;
}
