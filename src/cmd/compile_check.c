// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The multikernel side of `kerf compile`: a description is validated
 * (mandatory; findings on stderr, refusal on errors) and, with
 * --for-kernel, replaced by the mk2 baseline blob `kerf init` writes.
 * Plain DTS (no /multikernel-v1/ header, no /resources) passes through
 * exactly as dt_load() would read it.
 */
#include "check/pipeline.h"
#include "check/render.h"
#include "cmd/cmd.h"
#include "kernel/host.h"
#include "kernel/mk2.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void print_findings(const struct kerf_ctx *ctx, const struct findings *f,
			   bool notes)
{
	struct render_opts ro = {.unicode = ctx->unicode, .notes = notes};
	struct emitter *e;

	if (!f->errors && !f->warnings && !(notes && f->notes))
		return;
	fflush(stdout);
	e = emit_new(stderr, OUT_TEXT);
	render_findings(e, f, &ro);
	render_summary(e, f, &ro, "Validation passed");
	emit_free(e);
}

int compile_load(struct kerf_ctx *ctx, const char *in,
		 const struct dt_parse_opts *po,
		 const struct dt_resolve_opts *ro, bool for_kernel,
		 bool use_host, struct dt_tree **out, struct diags *d)
{
	struct mk_model m;
	struct findings f;
	struct dt_tree *t = NULL, *k = NULL;
	struct host_info host;
	int ret;

	*out = NULL;
	mk_model_init(&m);
	findings_init(&f);
	ret = mk_load(in, po, ro, &t, &m, d);
	if (ret < 0) {
		/* print while the tree still owns the positions */
		diags_print(stderr, d);
		diags_free(d);
		diags_init(d);
		dt_tree_free(t);
		mk_model_free(&m);
		return ret;
	}
	if (mk_detect(t) == MK_FORM_NONE) {
		mk_model_free(&m);
		if (for_kernel) {
			dt_tree_free(t);
			kerf_error("%s is not a multikernel description (no "
				   "/resources node): nothing to encode for "
				   "the kernel",
				   in);
			return KERF_EXIT_INVALID;
		}
		*out = t;
		return 0;
	}
	/* cell-overflow and other findings of the loader */
	{
		struct diags keep;
		size_t i;

		diags_init(&keep);
		for (i = 0; i < d->n; i++) {
			const struct diag *dg = &d->v[i];
			const struct check *c =
				dg->check ? check_find(dg->check) : NULL;
			struct finding *x;

			if (!c) {
				diag_add(&keep, dg->sev, &dg->pos, dg->check,
					 "%s", dg->msg);
				continue;
			}
			x = finding_add(&f, c->name,
					dg->sev == DIAG_ERROR ? SEV_ERROR
							      : SEV_WARNING,
					NULL, "%s", dg->msg);
			if (dg->hint)
				finding_suggest(x, "%s", dg->hint);
			finding_loc(x, &dg->pos);
		}
		diags_free(d);
		*d = keep;
	}
	mk_decode(t, &m, &f);
	check_run(&m, NULL, &f);
	if (!f.errors && for_kernel) {
		bool have_host =
			use_host && host_read(ctx->sysroot, &host) == 0;

		if (mk2_baseline_tree(&m, have_host ? &host : NULL, &k, &f) ==
			    0 &&
		    m.ninstances)
			finding_add(
				&f, "kernel-encode", SEV_NOTE, NULL,
				"the instances are not part of the baseline "
				"blob (they are created by overlays)");
		if (have_host)
			host_free(&host);
	}
	findings_sort(&f);
	findings_count(&f);
	print_findings(ctx, &f, for_kernel);
	ret = f.errors ? KERF_EXIT_INVALID : 0;
	if (ret) {
		fprintf(stderr,
			"kerf: error: %s: refusing to compile an invalid "
			"multikernel description\n",
			in);
		dt_tree_free(t);
		dt_tree_free(k);
	} else if (k) {
		dt_tree_free(t);
		*out = k;
	} else {
		*out = t;
	}
	findings_free(&f);
	mk_model_free(&m);
	return ret;
}
