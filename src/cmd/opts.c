// SPDX-License-Identifier: GPL-2.0-or-later
#include "cmd/cmd.h"
#include "util/diag.h"
#include "util/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct kerf_opt global_opts[] = {
	{ "sysroot", 0, required_argument, "DIR",
	  "look up every host path under DIR (env KERF_SYSROOT)", OPT_SYSROOT },
	{ "verbose", 'v', no_argument, NULL, "say more", OPT_VERBOSE },
	{ "quiet", 'q', no_argument, NULL, "print errors only", OPT_QUIET },
	{ "debug", 0, no_argument, NULL,
	  "print every overlay and kernel file operation", OPT_DEBUG },
	{ "no-unicode", 0, no_argument, NULL, "ASCII symbols only",
	  OPT_NO_UNICODE },
	{ "lock-timeout", 0, required_argument, "SECONDS",
	  "wait at most SECONDS for another kerf's lock (env "
	  "KERF_LOCK_TIMEOUT; default 30)", OPT_LOCK_TIMEOUT },
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

/*
 * With --format json|yaml errors are data too, as bpftool does it: the
 * first error of the run goes to standard output as {"error": "..."}
 * (and its hint, if it has one); hints printed apart and any later error
 * stay on standard error.  Usage errors always go to standard error.
 */
static enum out_format error_format = OUT_TEXT;
static bool error_emitted;

void kerf_set_error_format(enum out_format fmt)
{
	error_format = fmt;
}

static bool error_as_data(const char *msg, const char *hint)
{
	struct emitter *e;

	if (error_format == OUT_TEXT || error_emitted)
		return false;
	error_emitted = true;
	fflush(stdout);
	e = emit_new(stdout, error_format);
	emit_open_object(e, NULL);
	emit_string(e, "error", NULL, msg);
	if (hint)
		emit_string(e, "hint", NULL, hint);
	emit_close_object(e);
	emit_free(e);
	fflush(stdout);
	return true;
}

void kerf_error(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (!error_as_data(msg, NULL))
		fprintf(stderr, "kerf: error: %s\n", msg);
	free(msg);
}

void kerf_print_diags_data(const struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct diag *dg = &d->v[i];

		if (dg->sev == DIAG_ERROR && !dg->pos.file &&
		    error_as_data(dg->msg, dg->hint))
			continue;
		diag_print(stderr, dg);
	}
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

/* Help text from column col, wrapped at 80 columns. */
static void print_wrapped(FILE *out, const char *s, int col)
{
	const int width = 79 - col;

	while ((int)strlen(s) > width) {
		int cut = width;

		while (cut > 0 && s[cut] != ' ')
			cut--;
		if (!cut)
			break;
		fprintf(out, "%.*s\n%*s", cut, s, col, "");
		s += cut + 1;
	}
	fprintf(out, "%s\n", s);
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
	fprintf(out, "  %-26s ", left);
	print_wrapped(out, o->help, 29);
}

void kerf_print_help(FILE *out, const struct kerf_cmd *cmd)
{
	size_t i;
	int col;

	col = fprintf(out, "Usage: kerf %s ", cmd->name);
	print_wrapped(out, cmd->usage ? cmd->usage : "", col);
	fprintf(out, "\n%s\n", cmd->summary);
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
	if (cmd->details)
		fprintf(out, "\n%s\n", cmd->details);
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
					"unknown option '%.*s'",
					(int)strcspn(argv[optind - 1], "="),
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
		case OPT_LOCK_TIMEOUT:
			ret = kerf_set_lock_timeout(ctx, "--lock-timeout",
						    optarg);
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
	if (!ret)
		kerf_set_error_format(ctx->format);
	*first = optind;
	free(lo);
	sb_free(&shorts);
	if (!ret)
		ret = kerf_check_sysroot(ctx);
	return ret;
}

int kerf_set_lock_timeout(struct kerf_ctx *ctx, const char *what,
			  const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || !(v >= 0) || v > 86400)
		return kerf_usage_error(ctx, "invalid %s '%s' (seconds, "
					"0-86400)", what, s);
	ctx->lock_timeout_ms = (unsigned int)(v * 1000 + 0.5);
	return 0;
}

int kerf_check_sysroot(const struct kerf_ctx *ctx)
{
	struct stat sb;

	if (!ctx->sysroot || !*ctx->sysroot)
		return kerf_usage_error(ctx, "the sysroot is empty");
	if (stat(ctx->sysroot, &sb))
		return kerf_usage_error(ctx, "sysroot '%s': %s", ctx->sysroot,
					strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return kerf_usage_error(ctx, "sysroot '%s' is not a directory",
					ctx->sysroot);
	return 0;
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
