// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf: the multikernel manager.  The command table and dispatch; every
 * command lives in src/cmd/<name>.c.
 */
#include "config.h"
#include "cmd/cmd.h"
#include "kernel/lock.h"

#include <langinfo.h>
#include <locale.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

static const struct kerf_cmd *const commands[] = {
	&kerf_cmd_compile,
	&kerf_cmd_validate,
	&kerf_cmd_init,
	&kerf_cmd_create,
	&kerf_cmd_update,
	&kerf_cmd_apply,
	&kerf_cmd_diff,
	&kerf_cmd_delete,
	&kerf_cmd_load,
	&kerf_cmd_exec,
	&kerf_cmd_start,
	&kerf_cmd_kill,
	&kerf_cmd_unload,
	&kerf_cmd_console,
	&kerf_cmd_show,
};

const struct kerf_cmd *kerf_find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static void print_usage(FILE *out)
{
	size_t i;

	fputs("Usage: kerf [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\n"
	      "kerf manages a multikernel host: it validates how CPUs, memory\n"
	      "and PCI devices are split between the host kernel and spawned\n"
	      "kernel instances, and applies each change to the kernel as a\n"
	      "device-tree overlay transaction.\n\nCommands:\n", out);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name,
			commands[i]->summary);
	fputs("  help       show help for a command\n\n"
	      "Global options:\n"
	      "  --sysroot=DIR      look up every host path under DIR "
	      "(env KERF_SYSROOT)\n"
	      "  -v, --verbose      say more\n"
	      "  -q, --quiet        print errors only\n"
	      "  --debug            print every overlay and kernel file "
	      "operation\n"
	      "  --no-unicode       ASCII symbols only\n"
	      "  --format=FMT       text, json or yaml (commands that print "
	      "state)\n"
	      "  --lock-timeout=S   wait at most S seconds for another "
	      "kerf's lock\n"
	      "                     (env KERF_LOCK_TIMEOUT; default 30)\n"
	      "  --version          print the version and the kernel ABI\n"
	      "  -h, --help         show this help\n\n"
	      "Run 'kerf help COMMAND' for the options of a command.\n", out);
}

static void print_version(void)
{
	printf("kerf %s (kernel ABI %s)\n", KERF_VERSION, KERF_KERNEL_ABI);
}

static bool utf8_locale(void)
{
	const char *cs;

	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* Options before the command: global ones only. */
static int parse_leading(struct kerf_ctx *ctx, int argc, char **argv, int *i)
{
	for (*i = 1; *i < argc && argv[*i][0] == '-'; (*i)++) {
		const char *a = argv[*i];

		if (!strcmp(a, "--version")) {
			print_version();
			return -1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			print_usage(stdout);
			return -1;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			ctx->verbose++;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			ctx->quiet = true;
		} else if (!strcmp(a, "--debug")) {
			ctx->debug = true;
		} else if (!strcmp(a, "--no-unicode")) {
			ctx->unicode = false;
		} else if (!strncmp(a, "--sysroot=", 10)) {
			ctx->sysroot = a + 10;
		} else if (!strncmp(a, "--lock-timeout=", 15)) {
			int r = kerf_set_lock_timeout(ctx, "--lock-timeout",
						      a + 15);

			if (r)
				return r;
		} else if (!strcmp(a, "--lock-timeout")) {
			int r;

			if (*i + 1 >= argc)
				return kerf_usage_error(NULL,
					"option '--lock-timeout' needs an "
					"argument");
			r = kerf_set_lock_timeout(ctx, "--lock-timeout",
						  argv[++*i]);
			if (r)
				return r;
		} else if (!strncmp(a, "--format", 8) &&
			   (a[8] == '=' || !a[8])) {
			const char *v = a[8] ? a + 9 : argv[*i + 1];
			int f;

			if (!v)
				return kerf_usage_error(NULL,
					"option '--format' needs an argument");
			if (!a[8])
				++*i;
			f = out_format_parse(v);
			if (f < 0)
				return kerf_usage_error(NULL,
					"unknown format '%s' (use text, json or yaml)",
					v);
			ctx->format = (enum out_format)f;
		} else if (!strcmp(a, "--sysroot")) {
			if (*i + 1 >= argc)
				return kerf_usage_error(NULL,
					"option '--sysroot' needs an argument");
			ctx->sysroot = argv[++*i];
		} else {
			return kerf_usage_error(NULL,
				"unknown global option '%s'", a);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct kerf_ctx ctx = {
		.sysroot = "/",
		.unicode = true,
		.format = OUT_TEXT,
		.lock_timeout_ms = KERF_LOCK_TIMEOUT_MS,
	};
	const struct kerf_cmd *cmd;
	const char *env;
	int i, ret;

	/*
	 * kerf is a short-lived command: keep every allocation on the brk
	 * heap, where freed memory is reused without new page faults,
	 * instead of mmap()ing (and munmap()ing) each big block, and grow
	 * the heap in large steps.
	 */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 128 << 20);
	mallopt(M_TOP_PAD, 2 << 20);
	ctx.unicode = utf8_locale();
	env = getenv("KERF_LOCK_TIMEOUT");
	if (env && *env) {
		ret = kerf_set_lock_timeout(&ctx, "KERF_LOCK_TIMEOUT", env);
		if (ret)
			return ret;
	}
	env = getenv("KERF_SYSROOT");
	if (env && *env)
		ctx.sysroot = env;
	ret = parse_leading(&ctx, argc, argv, &i);
	if (ret)
		return ret < 0 ? KERF_EXIT_OK : ret;
	if (i >= argc) {
		print_usage(stderr);
		return KERF_EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 >= argc) {
			print_usage(stdout);
			return KERF_EXIT_OK;
		}
		cmd = kerf_find_cmd(argv[i + 1]);
		if (!cmd)
			return kerf_usage_error(NULL, "unknown command '%s'",
						argv[i + 1]);
		kerf_print_help(stdout, cmd);
		return KERF_EXIT_OK;
	}
	cmd = kerf_find_cmd(argv[i]);
	if (!cmd)
		return kerf_usage_error(NULL, "unknown command '%s'", argv[i]);
	ctx.cmd = cmd->name;
	if (ctx.format != OUT_TEXT && !cmd->takes_format)
		return kerf_usage_error(&ctx, "kerf %s has no --format option",
					cmd->name);
	ret = cmd->fn(&ctx, argc - i, argv + i);
	if (fflush(stdout) != 0 && ret == KERF_EXIT_OK) {
		kerf_error("cannot write output");
		ret = KERF_EXIT_SYSTEM;
	}
	return ret;
}
