// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf show [NAME] [--verbose] [--map] [--format text|json|yaml]
 *
 * The live state (read fresh from the kernel), with what each instance has
 * loaded (from its load record); rendering is src/out/show.c and map.c.
 */
#include "cmd/cmd.h"
#include "cmd/target.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/records.h"
#include "out/map.h"
#include "out/show.h"
#include "plan/state.h"

enum {
	OPT_MAP = OPT_CMD_BASE,
	OPT_COLOR,
};

static const struct kerf_opt show_opts[] = {
	{"map", 0, no_argument, NULL,
	 "draw the CPUs and the memory pool by owning instance", OPT_MAP},
	{"color", 0, required_argument, "WHEN",
	 "colour the map: auto (on a terminal), always, never", OPT_COLOR},
	{"id", 0, required_argument, "N", KERF_TARGET_ID_HELP,
	 KERF_TARGET_OPT_ID},
	{NULL, 0, 0, NULL, NULL, 0},
};

const struct kerf_cmd kerf_cmd_show = {
	.name = "show",
	.fn = cmd_show,
	.summary = "show the instances and the pool (or one instance)",
	.usage = "[NAME|--id=N] [--verbose] [--map] [--format=FMT]",
	.opts = show_opts,
	.takes_format = true,
};

struct show_args {
	struct kerf_target t;
	bool map;
	int color;	/* -1 auto, 0 never, 1 always */
};

static int show_opt(struct kerf_ctx *ctx, int id, const char *arg, void *data)
{
	struct show_args *a = data;

	switch (id) {
	case OPT_MAP:
		a->map = true;
		return 0;
	case OPT_COLOR:
		if (!strcmp(arg, "auto"))
			a->color = -1;
		else if (!strcmp(arg, "always"))
			a->color = 1;
		else if (!strcmp(arg, "never"))
			a->color = 0;
		else
			return kerf_usage_error(ctx, "--color takes auto, "
						"always or never (got '%s')",
						arg);
		return 0;
	case KERF_TARGET_OPT_ID:
		return kerf_target_parse_id(ctx, arg, &a->t);
	default:
		return KERF_EXIT_USAGE;
	}
}

/*
 * The load records of every instance; a record only counts while a kernel
 * is loaded and it was made for this id (a stale one is ignored).
 */
static struct kload_record **read_records(const struct kport *kp,
					  const struct kstate *st)
{
	struct kload_record **rec = xzalloc((st->ninst + 1) * sizeof(*rec));
	size_t i;

	for (i = 0; i < st->ninst; i++) {
		const struct kstate_inst *ki = &st->inst[i];
		struct kload_record *r;
		struct diags d;

		if (ki->status != MK_STATUS_LOADED &&
		    ki->status != MK_STATUS_ACTIVE)
			continue;
		r = xzalloc(sizeof(*r));
		diags_init(&d);
		if (record_read(kp, ki->name, r, &d) == 0 && r->id == ki->id) {
			rec[i] = r;
		} else {
			record_free(r);
			free(r);
		}
		diags_free(&d);
	}
	return rec;
}

static void free_records(struct kload_record **rec, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (rec[i]) {
			record_free(rec[i]);
			free(rec[i]);
		}
	}
	free(rec);
}

int cmd_show(struct kerf_ctx *ctx, int argc, char **argv)
{
	struct show_args a = { .color = -1 };
	struct kload_record **rec;
	struct show_opts so;
	struct kstate st;
	struct kport kp;
	struct diags d;
	struct emitter *e;
	long idx = -1;
	int first, ret;

	ret = kerf_parse_opts(ctx, &kerf_cmd_show, argc, argv, &first,
			      show_opt, &a);
	if (ret)
		return ret < 0 ? KERF_EXIT_OK : ret;
	if (first < argc)
		a.t.arg_name = argv[first++];
	if (first < argc)
		return kerf_usage_error(ctx, "unexpected argument '%s'",
					argv[first]);
	if (a.map && ctx->format != OUT_TEXT)
		return kerf_usage_error(ctx, "--map draws a picture; use "
					"'kerf show --format=%s' for data",
					ctx->format == OUT_JSON ? "json"
								: "yaml");
	if (a.map && (a.t.arg_name || a.t.arg_id))
		return kerf_usage_error(ctx, "--map shows the whole machine; "
					"leave out the instance");
	kport_init(&kp, ctx->sysroot, ctx->debug);
	diags_init(&d);
	kstate_init(&st);
	ret = kstate_read(&kp, &st, &d);
	if (ret) {
		kerf_print_diags(&d);
		diags_free(&d);
		kstate_free(&st);
		return ret == -ENODEV ? KERF_EXIT_NO_MK : KERF_EXIT_SYSTEM;
	}
	if (a.t.arg_name || a.t.arg_id) {
		ret = kstate_lookup(&st, a.t.arg_name, a.t.arg_name ? 0
								 : a.t.arg_id,
				    &idx, &d);
		if (!ret && a.t.arg_name && a.t.arg_id &&
		    st.inst[idx].id != a.t.arg_id) {
			kerf_error("instance '%s' has id %d, not %d",
				   a.t.arg_name, st.inst[idx].id, a.t.arg_id);
			ret = -EINVAL;
		}
		if (ret) {
			kerf_print_diags(&d);
			diags_free(&d);
			kstate_free(&st);
			return KERF_EXIT_INVALID;
		}
	}
	kerf_print_diags(&d);
	diags_free(&d);
	rec = read_records(&kp, &st);
	so.verbose = ctx->verbose > 0;
	so.unicode = ctx->unicode;
	if (a.map) {
		struct map_opts mo = {
			.unicode = ctx->unicode,
			.color = a.color < 0 ? isatty(STDOUT_FILENO)
					     : a.color > 0,
			.width = 64,
		};

		map_render(stdout, &st, &mo);
	} else {
		e = emit_new(stdout, ctx->format);
		if (idx >= 0)
			show_one(e, &st, idx, rec[idx], &so);
		else
			show_all(e, &st, rec, &so);
		emit_free(e);
	}
	free_records(rec, st.ninst);
	kstate_free(&st);
	return KERF_EXIT_OK;
}
