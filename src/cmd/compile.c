// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf compile IN -o OUT [-O dtb|dts|json|yaml] [-i DIR] [-@]
 *
 * DTS -> DTB, DTB -> DTS, DTS -> DTS, and either to JSON or YAML data
 * (src/out/dtdata.c).  The input kind is read from its magic number,
 * never from its name.
 */
#include "cmd/cmd.h"
#include "dt/dt.h"
#include "out/dtdata.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_OUT = 'o',
	OPT_OUTFMT = 'O',
	OPT_INCLUDE = 'i',
	OPT_SYMBOLS = '@',
	OPT_FOR_KERNEL = OPT_CMD_BASE,
	OPT_HOST,
};

static const struct kerf_opt compile_opts[] = {
	{ "out", 'o', required_argument, "OUT",
	  "write the result to OUT ('-' for standard output)", OPT_OUT },
	{ "out-format", 'O', required_argument, "FMT",
	  "dtb, dts, json or yaml (default: by the name of OUT, else dtb for source input, dts for a blob)",
	  OPT_OUTFMT },
	{ "include", 'i', required_argument, "DIR",
	  "search DIR for /include/ and /incbin/ files (repeatable)",
	  OPT_INCLUDE },
	{ "symbols", '@', no_argument, NULL,
	  "add a /__symbols__ node with every label", OPT_SYMBOLS },
	{ "for-kernel", 0, no_argument, NULL,
	  "write the kernel (mk2) baseline blob kerf init would write",
	  OPT_FOR_KERNEL },
	{ "host", 0, no_argument, NULL,
	  "with --for-kernel: take physical CPU ids, PCI ids and VF addresses missing from the file from this host (under --sysroot)",
	  OPT_HOST },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

const struct kerf_cmd kerf_cmd_compile = {
	.name = "compile",
	.fn = cmd_compile,
	.summary = "compile DTS to DTB, decompile DTB to DTS, or either to data",
	.usage = "IN -o OUT [-O dtb|dts|json|yaml] [-i DIR]... [-@] [--for-kernel]",
	.details = "With -O json or -O yaml the tree is written as data:\n"
		   "  {\"schema_version\": 1, \"memreserve\": [{\"address\", \"size\", \"labels\"}],\n"
		   "   \"boot_cpuid\": N, \"root\": NODE}\n"
		   "  NODE: {\"name\", \"path\", \"labels\", \"properties\": [PROP], \"children\": [NODE]}\n"
		   "  PROP: {\"name\", \"type\", \"value\", \"refs\" (if any), \"labels\"}\n"
		   "  type cells|u8|u16|u64: value is a list of numbers\n"
		   "  type string: a string; strings: a list of strings\n"
		   "  type bytes: a hex string (\"0a1b\"); empty: true\n"
		   "  type mixed: a list of {\"type\", \"value\", \"refs\"}\n"
		   "  refs: [{\"index\": I, \"ref\": LABEL}], the cell or string I\n"
		   "  holding the resolved reference (phandle number or path).\n"
		   "A blob's values are typed as dtc guesses them. See doc/compile.md.",
	.opts = compile_opts,
};

enum out_kind { OUTK_AUTO, OUTK_DTB, OUTK_DTS, OUTK_JSON, OUTK_YAML };

struct compile_args {
	const char *out;
	enum out_kind kind;
	const char **incdirs;
	size_t nincdirs;
	bool symbols;
	bool for_kernel;
	bool host;
};

static int compile_opt(struct kerf_ctx *ctx, int id, const char *arg,
		       void *data)
{
	struct compile_args *a = data;

	switch (id) {
	case OPT_OUT:
		a->out = arg;
		break;
	case OPT_OUTFMT:
		if (!strcmp(arg, "dtb"))
			a->kind = OUTK_DTB;
		else if (!strcmp(arg, "dts"))
			a->kind = OUTK_DTS;
		else if (!strcmp(arg, "json"))
			a->kind = OUTK_JSON;
		else if (!strcmp(arg, "yaml"))
			a->kind = OUTK_YAML;
		else
			return kerf_usage_error(ctx,
				"unknown output format '%s' (use dtb, dts, json or yaml)",
				arg);
		break;
	case OPT_INCLUDE:
		a->incdirs = xrealloc(a->incdirs,
				      (a->nincdirs + 1) * sizeof(*a->incdirs));
		a->incdirs[a->nincdirs++] = arg;
		break;
	case OPT_SYMBOLS:
		a->symbols = true;
		break;
	case OPT_FOR_KERNEL:
		a->for_kernel = true;
		break;
	case OPT_HOST:
		a->host = true;
		break;
	default:
		return KERF_EXIT_USAGE;
	}
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* DTS, or the tree as JSON/YAML data. */
static int write_text(const struct dt_tree *t, const char *out,
		      enum out_kind kind)
{
	FILE *f = strcmp(out, "-") ? fopen(out, "w") : stdout;
	int err;

	if (!f) {
		kerf_error("cannot write '%s': %m", out);
		return KERF_EXIT_SYSTEM;
	}
	if (kind == OUTK_DTS) {
		dts_write(f, t);
	} else {
		struct emitter *e = emit_new(f, kind == OUTK_JSON ? OUT_JSON
								  : OUT_YAML);

		dtdata_emit(e, t);
		emit_free(e);
	}
	err = ferror(f);
	if (f != stdout)
		err |= fclose(f);
	if (err) {
		kerf_error("cannot write '%s': %m", out);
		return KERF_EXIT_SYSTEM;
	}
	return KERF_EXIT_OK;
}

static int write_dtb(const struct dt_tree *t, const char *out,
		     struct diags *d)
{
	void *blob;
	size_t len;
	int ret;

	if (dtb_write(t, &blob, &len, d) < 0) {
		diags_print(stderr, d);
		return KERF_EXIT_INVALID;
	}
	if (!strcmp(out, "-")) {
		ret = fwrite(blob, 1, len, stdout) == len ? 0 : -EIO;
	} else {
		ret = write_file(out, blob, len);
	}
	free(blob);
	if (ret < 0) {
		kerf_error("cannot write '%s': %s", out, strerror(-ret));
		return KERF_EXIT_SYSTEM;
	}
	return KERF_EXIT_OK;
}

int cmd_compile(struct kerf_ctx *ctx, int argc, char **argv)
{
	struct compile_args a = { .out = NULL, .kind = OUTK_AUTO };
	struct dt_parse_opts po;
	struct dt_resolve_opts ro = { 0 };
	struct dt_tree *t = NULL;
	struct diags d;
	int first, ret;
	const char *in;

	ret = kerf_parse_opts(ctx, &kerf_cmd_compile, argc, argv, &first,
			      compile_opt, &a);
	if (ret) {
		free(a.incdirs);
		return ret < 0 ? KERF_EXIT_OK : ret;
	}
	if (first >= argc) {
		free(a.incdirs);
		return kerf_usage_error(ctx, "missing input file");
	}
	if (first + 1 < argc) {
		free(a.incdirs);
		return kerf_usage_error(ctx, "unexpected argument '%s'",
					argv[first + 1]);
	}
	in = argv[first];
	if (!a.out)
		a.out = "-";

	po.include_dirs = a.incdirs;
	po.n_include_dirs = a.nincdirs;
	ro.symbols = a.symbols;
	diags_init(&d);
	/* multikernel descriptions are validated (compile_check.c) */
	ret = compile_load(ctx, in, &po, &ro, a.for_kernel, a.host, &t, &d);
	if (ret > 0) {
		diags_free(&d);
		free(a.incdirs);
		return ret;
	}
	if (ret < 0) {
		diags_print(stderr, &d);
		diags_free(&d);
		free(a.incdirs);
		return ret == -EINVAL || ret == -ENOSYS ? KERF_EXIT_INVALID
							: KERF_EXIT_SYSTEM;
	}
	if (d.n)
		diags_print(stderr, &d);
	diags_free(&d);

	if (a.kind == OUTK_AUTO) {
		if (ends_with(a.out, ".dts"))
			a.kind = OUTK_DTS;
		else if (ends_with(a.out, ".dtb") || ends_with(a.out, ".dtbo"))
			a.kind = OUTK_DTB;
		else if (ends_with(a.out, ".json"))
			a.kind = OUTK_JSON;
		else if (ends_with(a.out, ".yaml") || ends_with(a.out, ".yml"))
			a.kind = OUTK_YAML;
		else
			a.kind = t->header ? OUTK_DTB : OUTK_DTS;
	}
	if (a.kind == OUTK_DTB && !strcmp(a.out, "-") && isatty(1)) {
		dt_tree_free(t);
		free(a.incdirs);
		return kerf_usage_error(ctx,
			"refusing to write a binary blob to a terminal; use -o FILE or -O dts");
	}
	diags_init(&d);
	ret = a.kind == OUTK_DTB ? write_dtb(t, a.out, &d)
				 : write_text(t, a.out, a.kind);
	diags_free(&d);
	dt_tree_free(t);
	free(a.incdirs);
	return ret;
}
