// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf console NAME
 *
 * Attach to an active instance's console through dev/mktty: the terminal
 * in raw mode (when stdin is one), Ctrl-] then '.' detaches and restores
 * it; the console ends when the instance is no longer active.  Without a
 * terminal (tests, pipes) input is relayed until it ends, then output
 * until it goes quiet.
 */
#include "cmd/cmd.h"
#include "cmd/target.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "kernel/console.h"

static const struct kerf_opt console_opts[] = {
	{"id", 0, required_argument, "N", KERF_TARGET_ID_HELP,
	 KERF_TARGET_OPT_ID},
	{NULL, 0, 0, NULL, NULL, 0},
};

const struct kerf_cmd kerf_cmd_console = {
	.name = "console",
	.fn = cmd_console,
	.summary = "attach to a running instance's console (Ctrl-] . detaches)",
	.usage = "NAME|--id=N",
	.opts = console_opts,
};

/* How long output may stay quiet after the input ended (not a tty). */
#define CONSOLE_IDLE_MS	500

static int console_opt(struct kerf_ctx *ctx, int id, const char *arg,
		       void *data)
{
	if (id == KERF_TARGET_OPT_ID)
		return kerf_target_parse_id(ctx, arg, data);
	return KERF_EXIT_USAGE;
}

struct watch {
	const struct kport *kp;
	const char *name;
	char *status;	/* the status that ended the console */
};

static bool still_active(void *data)
{
	struct watch *w = data;
	struct mkfs_instance in;
	struct diags d;
	bool alive;

	diags_init(&d);
	if (mkfs_read_instance(w->kp, w->name, false, &in, &d)) {
		free(w->status);
		w->status = xstrdup("gone");
		diags_free(&d);
		return false;
	}
	alive = in.status == MK_STATUS_ACTIVE;
	if (!alive) {
		free(w->status);
		w->status = xstrdup(in.status_text ? in.status_text : "?");
	}
	mkfs_instance_free(&in);
	diags_free(&d);
	return alive;
}

int kerf_console_attach(struct kerf_ctx *ctx, const struct kport *kp,
			const struct kerf_target *t)
{
	struct watch w = { .kp = kp, .name = t->name };
	struct console_io io = {0};
	struct termios saved, raw;
	bool tty = isatty(STDIN_FILENO), restore = false;
	const char *nl;
	enum console_end end;
	struct diags d;
	int fd, err, ret = KERF_EXIT_OK;

	diags_init(&d);
	fd = mktty_open(kp, t->name, t->id, &d);
	if (fd < 0) {
		kerf_print_diags(&d);
		diags_free(&d);
		return KERF_EXIT_SYSTEM;
	}
	diags_free(&d);
	if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0)
			restore = true;
	}
	nl = restore ? "\r\n" : "\n";
	if (!ctx->quiet)
		fprintf(stderr, "Connected to the console of '%s' (id %d).%s"
			"Escape: Ctrl-] then '.' to detach.%s", t->name, t->id,
			nl, nl);
	io.tty_fd = fd;
	io.in_fd = STDIN_FILENO;
	io.out_fd = STDOUT_FILENO;
	io.crlf = restore && isatty(STDOUT_FILENO);
	io.idle_ms = CONSOLE_IDLE_MS;
	io.alive = still_active;
	io.data = &w;
	fflush(stdout);
	end = console_relay(&io, &err);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	close(fd);
	switch (end) {
	case CONSOLE_STOPPED:
		if (!ctx->quiet)
			fprintf(stderr, "\nInstance '%s' (id %d) is no longer "
				"active (status: %s).\n", t->name, t->id,
				w.status ? w.status : "?");
		break;
	case CONSOLE_ERROR:
		kerf_error("console of instance '%s' (id %d): %s", t->name,
			   t->id, strerror(err));
		ret = KERF_EXIT_SYSTEM;
		break;
	default:
		if (!ctx->quiet)
			fprintf(stderr, "\nDisconnected from the console of "
				"'%s'.\n", t->name);
		break;
	}
	free(w.status);
	return ret;
}

static int check_active(const struct kerf_target *t)
{
	if (t->status != MK_STATUS_ACTIVE)
		return kerf_target_refuse(t, "attach to the console of",
					  "it is not running",
					  t->status == MK_STATUS_LOADED ?
					  "Start it with 'kerf exec %s'." :
					  "Load a kernel with 'kerf load %s "
					  "--kernel=PATH' and start it with "
					  "'kerf exec'.", t->name);
	return KERF_EXIT_OK;
}

int cmd_console(struct kerf_ctx *ctx, int argc, char **argv)
{
	struct kerf_target t = {0};
	struct kport kp;
	int first, ret;

	ret = kerf_parse_opts(ctx, &kerf_cmd_console, argc, argv, &first,
			      console_opt, &t);
	if (ret)
		return ret < 0 ? KERF_EXIT_OK : ret;
	ret = kerf_target_args(ctx, &t, argc, argv, first);
	if (ret)
		return ret;
	/*
	 * Reading, not changing: no lock, so a console never waits for (or
	 * blocks) a mutating command.
	 */
	kport_init(&kp, ctx->sysroot, ctx->debug);
	ret = kerf_target_require_mkfs(&kp);
	if (!ret)
		ret = kerf_target_read(&kp, &t);
	if (!ret)
		ret = check_active(&t);
	if (!ret)
		ret = kerf_console_attach(ctx, &kp, &t);
	kerf_target_free(&t);
	return ret;
}
