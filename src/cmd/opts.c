// SPDX-License-Identifier: GPL-2.0-or-later
#include "cmd/cmd.h"
#include "util/util.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct kerf_opt global_opts[] = {
	{ "sysroot", 0, required_argument, "DIR",
	  "look up every host path under DIR (env KERF_SYSROOT)", OPT_SYSROOT },
	{ "verbose", 'v', no_argument, NULL, "say more", OPT_VERBOSE },
	{ "quiet", 'q', no_argument, NULL, "print errors only", OPT_QUIET },
	{ "debug", 0, no_argument, NULL,
	  "print every overlay and kernel file operation", OPT_DEBUG },
	{ "no-unicode", 0, no_argument, NULL, "ASCII symbols only",
	  OPT_NO_UNICODE },
	{ "help", 'h', no_argument, NULL, "show this help", OPT_HELP },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

static const struct kerf_opt format_opt = {
	"format", 0, required_argument, "FMT", "output format: text, json, yaml",
	OPT_FORMAT
};

static size_t count_opts(const struct kerf_opt *o)
{
	size_t n = 0;

	while (o && o[n].name)
		n++;
	return n;
}

void kerf_error(const char *fmt, ...)
{
	va_list ap;

	fputs("kerf: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void kerf_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("kerf: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int kerf_usage_error(const struct kerf_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fputs("kerf: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (ctx && ctx->cmd)
		fprintf(stderr, "Try 'kerf %s --help'\n", ctx->cmd);
	else
		fputs("Try 'kerf --help'\n", stderr);
	return KERF_EXIT_USAGE;
}

static void print_opt(FILE *out, const struct kerf_opt *o)
{
	char left[64];

	if (o->short_name && o->has_arg)
		snprintf(left, sizeof(left), "-%c, --%s=%s", o->short_name,
			 o->name, o->arg);
	else if (o->short_name)
		snprintf(left, sizeof(left), "-%c, --%s", o->short_name,
			 o->name);
	else if (o->has_arg)
		snprintf(left, sizeof(left), "    --%s=%s", o->name, o->arg);
	else
		snprintf(left, sizeof(left), "    --%s", o->name);
	fprintf(out, "  %-26s %s\n", left, o->help);
}

void kerf_print_help(FILE *out, const struct kerf_cmd *cmd)
{
	size_t i;

	fprintf(out, "Usage: kerf %s %s\n\n%s\n", cmd->name,
		cmd->usage ? cmd->usage : "", cmd->summary);
	if (count_opts(cmd->opts)) {
		fputs("\nOptions:\n", out);
		for (i = 0; cmd->opts[i].name; i++)
			print_opt(out, &cmd->opts[i]);
	}
	if (cmd->takes_format)
		print_opt(out, &format_opt);
	fputs("\nGlobal options:\n", out);
	for (i = 0; global_opts[i].name; i++)
		print_opt(out, &global_opts[i]);
}

static void add_long(struct option *lo, size_t *n, struct strbuf *shorts,
		     const struct kerf_opt *o)
{
	lo[*n].name = o->name;
	lo[*n].has_arg = o->has_arg;
	lo[*n].flag = NULL;
	lo[*n].val = o->id;
	(*n)++;
	if (o->short_name) {
		sb_addc(shorts, (char)o->short_name);
		if (o->has_arg == required_argument)
			sb_addc(shorts, ':');
		else if (o->has_arg == optional_argument)
			sb_adds(shorts, "::");
	}
}

static int short_to_id(const struct kerf_opt *opts, int c)
{
	size_t i;

	for (i = 0; opts && opts[i].name; i++)
		if (opts[i].short_name == c)
			return opts[i].id;
	for (i = 0; global_opts[i].name; i++)
		if (global_opts[i].short_name == c)
			return global_opts[i].id;
	return c;
}

int kerf_parse_opts(struct kerf_ctx *ctx, const struct kerf_cmd *cmd,
		    int argc, char **argv, int *first,
		    int (*cb)(struct kerf_ctx *ctx, int id, const char *arg,
			      void *data),
		    void *data)
{
	size_t ncmd = count_opts(cmd->opts), nglob = count_opts(global_opts);
	struct option *lo = xzalloc((ncmd + nglob + 2) * sizeof(*lo));
	struct strbuf shorts;
	size_t n = 0, i;
	int c, ret = KERF_EXIT_OK;

	sb_init(&shorts);
	/* Leading ':' reports a missing argument as ':'; '+' is not used so
	 * options and the instance name may come in any order. */
	sb_addc(&shorts, ':');
	for (i = 0; i < ncmd; i++)
		add_long(lo, &n, &shorts, &cmd->opts[i]);
	for (i = 0; i < nglob; i++)
		add_long(lo, &n, &shorts, &global_opts[i]);
	if (cmd->takes_format)
		add_long(lo, &n, &shorts, &format_opt);

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts.buf, lo, NULL)) != -1) {
		int id;

		if (c == '?') {
			if (optopt && optopt < 256 && optopt != '?')
				ret = kerf_usage_error(ctx,
					"unknown option '-%c'", optopt);
			else
				ret = kerf_usage_error(ctx,
					"unknown option '%s'",
					argv[optind - 1]);
			break;
		}
		if (c == ':') {
			ret = kerf_usage_error(ctx,
				"option '%s' needs an argument",
				argv[optind - 1]);
			break;
		}
		id = c < 256 ? short_to_id(cmd->opts, c) : c;
		switch (id) {
		case OPT_SYSROOT:
			ctx->sysroot = optarg;
			break;
		case OPT_VERBOSE:
			ctx->verbose++;
			break;
		case OPT_QUIET:
			ctx->quiet = true;
			break;
		case OPT_DEBUG:
			ctx->debug = true;
			break;
		case OPT_NO_UNICODE:
			ctx->unicode = false;
			break;
		case OPT_HELP:
			kerf_print_help(stdout, cmd);
			ret = -1;
			break;
		case OPT_FORMAT: {
			int f = out_format_parse(optarg);

			if (f < 0) {
				ret = kerf_usage_error(ctx,
					"unknown format '%s' (use text, json or yaml)",
					optarg);
				break;
			}
			ctx->format = (enum out_format)f;
			break;
		}
		default:
			ret = cb ? cb(ctx, id, optarg, data) : KERF_EXIT_USAGE;
			break;
		}
		if (ret)
			break;
	}
	*first = optind;
	free(lo);
	sb_free(&shorts);
	return ret;
}

const char *sym_ok(const struct kerf_ctx *ctx)
{
	return ctx->unicode ? "\u2713" : "OK";
}

const char *sym_fail(const struct kerf_ctx *ctx)
{
	return ctx->unicode ? "\u2717" : "FAIL";
}

const char *sym_warn(const struct kerf_ctx *ctx)
{
	return ctx->unicode ? "\u26a0" : "!";
}
