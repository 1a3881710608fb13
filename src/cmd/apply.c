// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf apply FILE [--dry-run] [--prune]
 *
 * Make the kernel's instances match a full-system file: validate the file
 * and the resulting state, print the plan, apply it as transactions in a
 * safe order (deletes and shrinks first, then creates and grows), and on
 * the first failure roll back everything already applied.  The same code
 * prints the plan only for `kerf diff` (diff.c).
 */
#include "cmd/mutate.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "check/pipeline.h"
#include "check/render.h"
#include "kernel/txn.h"

enum {
	OPT_DRY_RUN = OPT_CMD_BASE,
	OPT_PRUNE,
};

static const struct kerf_opt apply_opts[] = {
	{"dry-run", 0, no_argument, NULL,
	 "validate and print the plan; touch nothing", OPT_DRY_RUN},
	{"prune", 0, no_argument, NULL,
	 "delete instances the file does not list", OPT_PRUNE},
	{NULL, 0, 0, NULL, NULL, 0},
};

const struct kerf_cmd kerf_cmd_apply = {
	.name = "apply",
	.fn = cmd_apply,
	.summary = "make the kernel's instances match a full-system file",
	.usage = "FILE [--dry-run] [--prune]",
	.opts = apply_opts,
};

struct apply_args {
	bool dry_run, prune;
};

static int apply_opt(struct kerf_ctx *ctx, int id, const char *arg,
		     void *data)
{
	struct apply_args *a = data;

	(void)ctx;
	(void)arg;
	if (id == OPT_DRY_RUN)
		a->dry_run = true;
	else if (id == OPT_PRUNE)
		a->prune = true;
	else
		return KERF_EXIT_USAGE;
	return 0;
}

/* The file must be valid on its own (findings on stderr); exit status. */
static int load_file(struct kerf_ctx *ctx, const char *path, struct vrun *v)
{
	struct check_opts co = {0};
	struct render_opts ro = {0};
	struct emitter *e;
	int st;

	st = vrun_load(v, path, NULL, NULL, &co);
	if (st != VRUN_OK)
		return kerf_report_load_error(ctx, v, st, path);
	if (v->d.n)
		diags_print(stderr, &v->d);
	ro.unicode = ctx->unicode;
	if (findings_valid(&v->f, false))
		return 0;
	e = emit_new(stderr, OUT_TEXT);
	render_findings(e, &v->f, &ro);
	render_summary(e, &v->f, &ro, "Validation passed");
	emit_free(e);
	return KERF_EXIT_INVALID;
}

/* A create that failed part-way may leave the instance: remove it. */
static void remove_partial(struct mut *mt, const char *name)
{
	struct mkfs_instance fi;
	struct mk2_blobs rb = {0};
	unsigned int txid = 0;
	struct diags d;

	if (mkfs_read_instance(&mt->kp, name, false, &fi, NULL))
		return;
	mkfs_instance_free(&fi);
	diags_init(&d);
	if (mk2_remove_blob(name, &rb) == 0) {
		struct txn_blob tb = {rb.v[0], rb.len[0],
				      "remove the partly created instance"};

		if (txn_apply(&mt->kp, &mt->lk, &tb, 1, &txid, &d) == 0)
			fprintf(stderr,
				"  The partly created instance '%s' was "
				"removed again (transaction %u).\n",
				name, txid);
		else
			diags_print(stderr, &d);
	}
	mk2_blobs_free(&rb);
	diags_free(&d);
}

static const char *step_verb(enum plan_step_kind k)
{
	switch (k) {
	case PLAN_DELETE: return "Deleted";
	case PLAN_CREATE: return "Created";
	default: return "Updated";
	}
}

/* Apply every step; on failure roll back what was applied.  Exit status. */
static int run_steps(struct kerf_ctx *ctx, struct mut *mt,
		     struct plan_apply *p, const char *path)
{
	unsigned int *done = NULL;
	size_t ndone = 0, i, k;
	struct strbuf ids;
	int ret = KERF_EXIT_OK;

	sb_init(&ids);
	for (i = 0; i < p->nsteps; i++) {
		struct plan_step *s = &p->steps[i];
		struct txn_blob *tb = xzalloc(s->blobs.n * sizeof(*tb));
		unsigned int *tx = xzalloc(s->blobs.n * sizeof(*tx));
		char *what = xasprintf("%s instance '%s' (id %d)",
				       s->kind == PLAN_DELETE   ? "delete"
				       : s->kind == PLAN_CREATE ? "create"
								: "update",
				       s->name, s->id);
		int r;

		for (k = 0; k < s->blobs.n; k++) {
			tb[k].dtbo = s->blobs.v[k];
			tb[k].len = s->blobs.len[k];
			tb[k].what = what;
		}
		if (ctx->debug)
			mut_print_blobs(ctx, &s->blobs, s->name);
		r = txn_apply(&mt->kp, &mt->lk, tb, s->blobs.n, tx, &mt->d);
		free(tb);
		free(what);
		if (r) {
			diags_print(stderr, &mt->d);
			diags_free(&mt->d);
			diags_init(&mt->d);
			if (s->kind == PLAN_CREATE)
				remove_partial(mt, s->name);
			else if (s->kind != PLAN_DELETE)
				mut_restore(mt, s->name, &s->snap);
			free(tx);
			ret = KERF_EXIT_SYSTEM;
			break;
		}
		if (!ctx->quiet) {
			printf("%s %s instance '%s' (id %d, transaction %u",
			       sym_ok(ctx), step_verb(s->kind), s->name,
			       s->id, tx[0]);
			for (k = 1; k < s->blobs.n; k++)
				printf(", %u", tx[k]);
			printf(")%s%s\n", s->summary ? ": " : "",
			       s->summary ? s->summary : "");
		}
		done = xrealloc(done, (ndone + s->blobs.n) * sizeof(*done));
		for (k = 0; k < s->blobs.n; k++) {
			done[ndone++] = tx[k];
			sb_addf(&ids, "%s%u", ids.len ? ", " : "", tx[k]);
		}
		free(tx);
	}
	if (ret && ndone) {
		struct diags d;
		size_t j;

		fprintf(stderr, "  Rolling back the %zu transaction%s already "
				"applied from %s.\n",
			ndone, ndone == 1 ? "" : "s", path);
		diags_init(&d);
		if (txn_rollback(&mt->kp, done, ndone, &d))
			fprintf(stderr, "  Some transactions could not be "
					"rolled back:\n");
		diags_print(stderr, &d);
		diags_free(&d);
		for (j = 0; j < i; j++)
			if (p->steps[j].kind == PLAN_DELETE)
				fprintf(stderr,
					"  Instance '%s' stays deleted: the "
					"kernel cannot undo an "
					"instance-remove.\n",
					p->steps[j].name);
	} else if (!ret && !ctx->quiet) {
		printf("%s Applied %zu change%s from %s (transaction%s %s)\n",
		       sym_ok(ctx), p->nsteps, p->nsteps == 1 ? "" : "s", path,
		       ndone == 1 ? "" : "s", ids.buf ? ids.buf : "");
	}
	sb_free(&ids);
	free(done);
	return ret;
}

static void print_plan(struct kerf_ctx *ctx, const struct plan_apply *p,
		       const char *path, bool prune)
{
	size_t i;

	if (!p->nsteps)
		printf("%s No differences: the kernel matches %s\n",
		       sym_ok(ctx), path);
	else
		printf("Plan for %s (%zu change%s):\n", path, p->nsteps,
		       p->nsteps == 1 ? "" : "s");
	for (i = 0; i < p->nsteps; i++)
		printf("  %s\n", p->steps[i].text);
	for (i = 0; i < p->nkept; i++)
		printf("  = keep %s (not in the file%s)\n", p->kept[i],
		       prune ? "" : "; --prune deletes it");
}

int apply_run(struct kerf_ctx *ctx, const struct kerf_cmd *cmd, int argc,
	      char **argv, bool diff_only)
{
	struct apply_args a = {0};
	struct plan_apply p;
	struct vrun v;
	struct mut mt;
	const char *path;
	const char *arrow = ctx->unicode ? "\u2192" : "->";
	char err[512];
	int first, ret;
	bool begun = false, loaded = false;

	memset(&p, 0, sizeof(p));
	ret = kerf_parse_opts(ctx, cmd, argc, argv, &first, apply_opt, &a);
	if (ret)
		return ret < 0 ? KERF_EXIT_OK : ret;
	if (first >= argc)
		return kerf_usage_error(ctx, "missing FILE");
	if (argc - first > 1)
		return kerf_usage_error(ctx, "unexpected argument '%s'",
					argv[first + 1]);
	path = argv[first];
	if (diff_only)
		a.dry_run = true;
	memset(&v, 0, sizeof(v));
	loaded = true;
	ret = load_file(ctx, path, &v);
	if (ret)
		goto out;
	ret = mut_begin(ctx, &mt, a.dry_run);
	begun = true;
	if (ret)
		goto out;
	ret = mut_need_pool(&mt);
	if (ret)
		goto out;
	if (!cpuset_equal(&v.model.cpus.available, &mt.st.pool_cpus) ||
	    v.model.mem.pool_bytes != mt.st.model.mem.pool_bytes)
		kerf_warn("the pool in %s differs from the kernel's; kerf "
			  "apply changes instances only (the pool stays)",
			  path);
	if (plan_apply(&mt.kp, &mt.st, &v.model, a.prune, arrow, &p, err,
		       sizeof(err))) {
		kerf_error("cannot apply %s: %s", path, err);
		ret = KERF_EXIT_INVALID;
		goto out;
	}
	/* the whole resulting state must validate */
	ret = mut_validate(ctx, &mt, a.dry_run);
	if (ret)
		goto out;
	if (!ctx->quiet || a.dry_run)
		print_plan(ctx, &p, path, a.prune);
	if (diff_only || !p.nsteps) {
		ret = KERF_EXIT_OK;
		goto out;
	}
	if (a.dry_run) {
		if (ctx->debug)
			for (size_t i = 0; i < p.nsteps; i++)
				mut_print_blobs(ctx, &p.steps[i].blobs,
						p.steps[i].name);
		printf("\n%s Plan validated (dry-run mode); remove --dry-run "
		       "to apply it\n",
		       sym_ok(ctx));
		ret = KERF_EXIT_OK;
		goto out;
	}
	ret = run_steps(ctx, &mt, &p, path);
out:
	plan_apply_free(&p);
	if (begun)
		mut_end(&mt);
	if (loaded)
		vrun_free(&v);
	return ret;
}

int cmd_apply(struct kerf_ctx *ctx, int argc, char **argv)
{
	return apply_run(ctx, &kerf_cmd_apply, argc, argv, false);
}
