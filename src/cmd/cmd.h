/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every command shares: the global options, the exit statuses of
 * checks.md §3 and an option table that drives both getopt_long and --help.
 */
#ifndef KERF_CMD_H
#define KERF_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "out/emit.h"

enum kerf_exit {
	KERF_EXIT_OK = 0,
	KERF_EXIT_INVALID = 1,	/* validation failed / refused by kerf */
	KERF_EXIT_USAGE = 2,	/* command-line usage error */
	KERF_EXIT_SYSTEM = 3,	/* the system or kernel refused or failed */
	KERF_EXIT_NO_MK = 4,	/* no multikernel support */
};

struct kerf_ctx {
	const char *sysroot;	/* --sysroot / KERF_SYSROOT; "/" by default */
	int verbose;
	bool quiet;
	bool debug;
	bool unicode;		/* false with --no-unicode or a non-UTF-8 locale */
	enum out_format format;
	const char *cmd;	/* name of the running command */
	unsigned int lock_timeout_ms;	/* --lock-timeout / KERF_LOCK_TIMEOUT */
};

/* An option of a command; the table ends with an entry whose name is NULL. */
struct kerf_opt {
	const char *name;	/* long name */
	int short_name;		/* 0 if none */
	int has_arg;		/* no_argument, required_argument */
	const char *arg;	/* argument name in --help, e.g. "FILE" */
	const char *help;
	int id;			/* value returned by kerf_getopt */
};

/* Ids below 256 are short option letters; global options use these. */
enum {
	OPT_GLOBAL_BASE = 0x1000,
	OPT_SYSROOT,
	OPT_VERBOSE,
	OPT_QUIET,
	OPT_DEBUG,
	OPT_NO_UNICODE,
	OPT_FORMAT,
	OPT_HELP,
	OPT_LOCK_TIMEOUT,
	OPT_CMD_BASE = 0x2000,	/* commands number their own options from here */
};

struct kerf_cmd {
	const char *name;
	int (*fn)(struct kerf_ctx *ctx, int argc, char **argv);
	const char *summary;
	const char *usage;	/* "IN -o OUT [OPTIONS]" */
	const struct kerf_opt *opts;
	bool takes_format;	/* accepts --format */
	const char *details;	/* more text for --help, after the options */
};

/*
 * Parse argv with the command's table plus the global options (which are
 * handled here).  Returns KERF_EXIT_OK and leaves positional arguments in
 * argv[*first..argc), or prints --help (returns -1: exit 0) or a usage
 * error (returns KERF_EXIT_USAGE).  cb is called for each command option
 * with its id and argument; a non-zero return from cb stops parsing with
 * that status.
 */
int kerf_parse_opts(struct kerf_ctx *ctx, const struct kerf_cmd *cmd,
		    int argc, char **argv, int *first,
		    int (*cb)(struct kerf_ctx *ctx, int id, const char *arg,
			      void *data),
		    void *data);
void kerf_print_help(FILE *out, const struct kerf_cmd *cmd);
/* "kerf: error: ..." then "Try 'kerf CMD --help'"; returns KERF_EXIT_USAGE. */
int kerf_usage_error(const struct kerf_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * "kerf: error: ..." on stderr; with --format json|yaml (set by
 * kerf_parse_opts) the first error is {"error": "..."} on stdout.
 */
void kerf_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kerf_set_error_format(enum out_format fmt);
/* Print diagnostics on stderr; the first error without a position as
 * kerf_error() prints it (as data with --format json|yaml). */
struct diags;
void kerf_print_diags_data(const struct diags *d);
void kerf_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Symbols that fall back to ASCII with --no-unicode. */
const char *sym_ok(const struct kerf_ctx *ctx);	/* ✓ or OK */
const char *sym_fail(const struct kerf_ctx *ctx);	/* ✗ or FAIL */
const char *sym_warn(const struct kerf_ctx *ctx);	/* ⚠ or ! */

const struct kerf_cmd *kerf_find_cmd(const char *name);
/*
 * --lock-timeout=SECONDS (or KERF_LOCK_TIMEOUT; decimals allowed, at most
 * a day): ctx->lock_timeout_ms, or a usage error (exit status) naming what.
 */
int kerf_set_lock_timeout(struct kerf_ctx *ctx, const char *what,
			  const char *s);
/*
 * The sysroot must be a directory: 0, or a usage error (exit status).
 */
int kerf_check_sysroot(const struct kerf_ctx *ctx);

/* The commands */
int cmd_compile(struct kerf_ctx *ctx, int argc, char **argv);
extern const struct kerf_cmd kerf_cmd_compile;

int cmd_validate(struct kerf_ctx *ctx, int argc, char **argv);
extern const struct kerf_cmd kerf_cmd_validate;
int cmd_init(struct kerf_ctx *ctx, int argc, char **argv);
extern const struct kerf_cmd kerf_cmd_init;

/* The runtime commands (load.c, exec.c, kill.c, unload.c, console.c, show.c) */
int cmd_load(struct kerf_ctx *ctx, int argc, char **argv);
extern const struct kerf_cmd kerf_cmd_load;
int cmd_exec(struct kerf_ctx *ctx, int argc, char **argv);
extern const struct kerf_cmd kerf_cmd_exec;
extern const struct kerf_cmd kerf_cmd_start;
int cmd_kill(struct kerf_ctx *ctx, int argc, char **argv);
extern const struct kerf_cmd kerf_cmd_kill;
int cmd_unload(struct kerf_ctx *ctx, int argc, char **argv);
extern const struct kerf_cmd kerf_cmd_unload;
int cmd_console(struct kerf_ctx *ctx, int argc, char **argv);
extern const struct kerf_cmd kerf_cmd_console;
int cmd_show(struct kerf_ctx *ctx, int argc, char **argv);
extern const struct kerf_cmd kerf_cmd_show;

int cmd_create(struct kerf_ctx *ctx, int argc, char **argv);
extern const struct kerf_cmd kerf_cmd_create;
int cmd_delete(struct kerf_ctx *ctx, int argc, char **argv);
extern const struct kerf_cmd kerf_cmd_delete;
int cmd_update(struct kerf_ctx *ctx, int argc, char **argv);
extern const struct kerf_cmd kerf_cmd_update;
int cmd_apply(struct kerf_ctx *ctx, int argc, char **argv);
extern const struct kerf_cmd kerf_cmd_apply;
int cmd_diff(struct kerf_ctx *ctx, int argc, char **argv);
extern const struct kerf_cmd kerf_cmd_diff;

/* Shared by validate, init and compile (validate.c) */
struct vrun;
/* -W no-NAME: add NAME to *names, or a usage error. */
int kerf_parse_warning(struct kerf_ctx *ctx, const char *arg,
		       const char ***names, size_t *n);
/*
 * compile's multikernel hook (compile_check.c): load like dt_load(); if the
 * tree is a multikernel description, validate it (findings on stderr) and,
 * with for_kernel, replace it by the mk2 baseline tree (what the file
 * lacks is read from the host under the sysroot only with use_host).  Negative: load
 * error (diagnostics already printed); positive: exit status of a refusal.
 */
struct dt_parse_opts;
struct dt_resolve_opts;
struct dt_tree;
struct diags;
int compile_load(struct kerf_ctx *ctx, const char *in,
		 const struct dt_parse_opts *po,
		 const struct dt_resolve_opts *ro, bool for_kernel,
		 bool use_host, struct dt_tree **out, struct diags *d);
/* Print why a description could not be loaded; the exit status. */
int kerf_report_load_error(const struct kerf_ctx *ctx, struct vrun *v,
			   int status, const char *path);

#endif
