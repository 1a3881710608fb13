// SPDX-License-Identifier: GPL-2.0-or-later
#include "cmd/mutate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "check/render.h"
#include "dt/dt.h"
#include "kernel/txn.h"

int mut_begin(struct kerf_ctx *ctx, struct mut *mt, bool dry_run)
{
	int ret;

	memset(mt, 0, sizeof(*mt));
	kport_init(&mt->kp, ctx->sysroot, ctx->debug);
	mt->lk.fd = -1;
	diags_init(&mt->d);
	kstate_init(&mt->st);
	if (!dry_run) {
		ret = kerf_lock_acquire(&mt->kp, &mt->lk,
					ctx->lock_timeout_ms, &mt->d);
		if (ret)
			return mut_fail(mt, ret);
	}
	ret = kstate_read(&mt->kp, &mt->st, &mt->d);
	if (ret)
		return mut_fail(mt, ret);
	return 0;
}

void mut_end(struct mut *mt)
{
	kerf_lock_release(&mt->kp, &mt->lk);
	free(mt->lk.path);
	mt->lk.path = NULL;
	kstate_free(&mt->st);
	diags_free(&mt->d);
}

int mut_fail(struct mut *mt, int err)
{
	diags_print(stderr, &mt->d);
	diags_free(&mt->d);
	diags_init(&mt->d);
	if (err == -ENODEV)
		return KERF_EXIT_NO_MK;
	return KERF_EXIT_SYSTEM;
}

int mut_need_pool(struct mut *mt)
{
	if (mt->st.initialized)
		return 0;
	kerf_error("the multikernel pool is empty: no baseline has been "
		   "applied");
	fputs("  Run 'kerf init --input=FILE' first.\n", stderr);
	return KERF_EXIT_INVALID;
}

int mut_validate(struct kerf_ctx *ctx, struct mut *mt, bool dry_run)
{
	struct check_opts co = {0};
	struct render_opts ro = {0};
	struct findings f;
	struct emitter *e;
	bool ok;

	findings_init(&f);
	check_run(&mt->st.model, &co, &f);
	ok = findings_valid(&f, false);
	ro.unicode = ctx->unicode;
	ro.state_file = mt->st.state_file;
	if (f.n && (!ok || !ctx->quiet)) {
		e = emit_new(ok && dry_run ? stdout : stderr, OUT_TEXT);
		render_findings(e, &f, &ro);
		if (!ok)
			render_summary(e, &f, &ro, "Validation passed");
		emit_free(e);
	}
	findings_free(&f);
	return ok ? 0 : KERF_EXIT_INVALID;
}

void mut_print_blobs(struct kerf_ctx *ctx, const struct mk2_blobs *b,
		     const char *title)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		struct dt_tree *t = NULL;
		struct diags d;

		diags_init(&d);
		printf("Debug: overlay %zu/%zu for %s (%zu bytes):\n", i + 1,
		       b->n, title, b->len[i]);
		if (dtb_read(b->v[i], b->len[i], "overlay", &t, &d) == 0) {
			dts_write(stdout, t);
			dt_tree_free(t);
		}
		diags_free(&d);
	}
	fflush(stdout);
}

int mut_apply(struct mut *mt, const struct mk2_blobs *b, const char *what,
	      unsigned int *ids)
{
	struct txn_blob *tb = xzalloc((b->n + 1) * sizeof(*tb));
	size_t i;
	int ret;

	for (i = 0; i < b->n; i++) {
		tb[i].dtbo = b->v[i];
		tb[i].len = b->len[i];
		tb[i].what = what;
	}
	ret = txn_apply(&mt->kp, &mt->lk, tb, b->n, ids, &mt->d);
	free(tb);
	if (ret)
		return mut_fail(mt, ret);
	return 0;
}

void mut_restore(struct mut *mt, const char *name,
		 const struct plan_snap *want)
{
	struct kstate st;
	struct plan_snap now;
	struct mk2_item *items = NULL;
	struct mk2_blobs b = {0};
	struct diags d;
	size_t n = 0, i;
	long idx;

	diags_init(&d);
	kstate_init(&st);
	memset(&now, 0, sizeof(now));
	idx = -1;
	if (kstate_read(&mt->kp, &st, &d) == 0)
		idx = kstate_find(&st, name);
	if (idx < 0) {
		fprintf(stderr, "  Could not read instance '%s' back to check "
				"what the kernel kept; check 'kerf show %s'.\n",
			name, name);
		goto out;
	}
	plan_snap_take(&st.inst[idx], &now);
	plan_restore_items(want, &now, &items, &n);
	if (!n) {
		fprintf(stderr, "  Instance '%s' is unchanged.\n", name);
		goto out;
	}
	if (mk2_delta_blobs(name, items, n, &b) == 0) {
		unsigned int *ids = xzalloc(b.n * sizeof(*ids));
		struct txn_blob *tb = xzalloc(b.n * sizeof(*tb));

		for (i = 0; i < b.n; i++) {
			tb[i].dtbo = b.v[i];
			tb[i].len = b.len[i];
			tb[i].what = "undo the partly applied change";
		}
		if (txn_apply(&mt->kp, &mt->lk, tb, b.n, ids, &d) == 0)
			fprintf(stderr,
				"  The operations the kernel had applied to "
				"'%s' were undone (transaction %u).\n",
				name, ids[0]);
		else
			fprintf(stderr,
				"  Instance '%s' is left partly changed; "
				"check 'kerf show %s'.\n",
				name, name);
		free(ids);
		free(tb);
	}
out:
	diags_print(stderr, &d);
	diags_free(&d);
	mk2_blobs_free(&b);
	free(items);
	plan_snap_free(&now);
	kstate_free(&st);
}
