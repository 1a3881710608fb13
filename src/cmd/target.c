// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Naming an instance (NAME or --id N), reading its status fresh, and the
 * refusal / kernel-failure messages shared by the runtime commands.
 */
#include "cmd/target.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/lock.h"
#include "kernel/uapi.h"
#include "util/util.h"

int kerf_target_parse_id(struct kerf_ctx *ctx, const char *arg,
			 struct kerf_target *t)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < MK_ID_MIN || v > MK_ID_MAX)
		return kerf_usage_error(ctx, "--id must be a number between "
					"%d and %d (got '%s')", MK_ID_MIN,
					MK_ID_MAX, arg);
	t->arg_id = (int)v;
	return KERF_EXIT_OK;
}

int kerf_target_args(struct kerf_ctx *ctx, struct kerf_target *t, int argc,
		     char **argv, int first)
{
	if (first < argc)
		t->arg_name = argv[first++];
	if (first < argc)
		return kerf_usage_error(ctx, "unexpected argument '%s'",
					argv[first]);
	if (!t->arg_name && !t->arg_id)
		return kerf_usage_error(ctx, "name the instance: NAME or "
					"--id=N");
	if (t->arg_name && !kp_name_ok(t->arg_name))
		return kerf_usage_error(ctx, "invalid instance name '%s'",
					t->arg_name);
	return KERF_EXIT_OK;
}

void kerf_print_diags(const struct diags *d)
{
	kerf_print_diags_data(d);
}

int kerf_target_require_mkfs(const struct kport *kp)
{
	struct diags d;
	int ret;

	diags_init(&d);
	ret = mkfs_require(kp, &d);
	kerf_print_diags(&d);
	diags_free(&d);
	if (!ret)
		return KERF_EXIT_OK;
	return ret == -ENODEV ? KERF_EXIT_NO_MK : KERF_EXIT_SYSTEM;
}

/* Find the instance with t->arg_id among all instances. */
static int find_by_id(const struct kport *kp, struct kerf_target *t,
		      struct diags *d)
{
	struct mkfs_instances l;
	long i;
	int ret;

	ret = mkfs_list_instances(kp, false, &l, d);
	if (ret)
		return ret;
	i = mkfs_instances_find_id(&l, t->arg_id);
	if (i < 0) {
		kp_err(d, "no instance with id %d", t->arg_id);
		kp_hint(d, "Run 'kerf show' to list the instances.");
		ret = -ENOENT;
	} else {
		t->name = xstrdup(l.v[i].name);
	}
	mkfs_instances_free(&l);
	return ret;
}

int kerf_target_read(const struct kport *kp, struct kerf_target *t)
{
	struct mkfs_instance in;
	struct diags d;
	int ret;

	diags_init(&d);
	free(t->name);
	t->name = NULL;
	if (t->arg_name) {
		t->name = xstrdup(t->arg_name);
	} else {
		ret = find_by_id(kp, t, &d);
		if (ret)
			goto fail;
	}
	/* The status is read here, right before the caller acts. */
	ret = mkfs_read_instance(kp, t->name, false, &in, &d);
	if (ret)
		goto fail;
	t->id = in.id;
	t->status = in.status;
	free(t->status_text);
	t->status_text = xstrdup(in.status_text ? in.status_text : "");
	mkfs_instance_free(&in);
	if (t->arg_name && t->arg_id && t->arg_id != t->id) {
		kerf_error("instance '%s' has id %d, not %d", t->name, t->id,
			   t->arg_id);
		fputs("  Give either NAME or --id, or both that agree.\n",
		      stderr);
		diags_free(&d);
		return KERF_EXIT_INVALID;
	}
	kerf_print_diags(&d);
	diags_free(&d);
	return KERF_EXIT_OK;

fail:
	kerf_print_diags(&d);
	diags_free(&d);
	return ret == -ENOENT || ret == -EINVAL ? KERF_EXIT_INVALID
						: KERF_EXIT_SYSTEM;
}

void kerf_target_free(struct kerf_target *t)
{
	free(t->name);
	free(t->status_text);
	t->name = NULL;
	t->status_text = NULL;
}

int kerf_target_refuse(const struct kerf_target *t, const char *verb,
		       const char *why, const char *hint, ...)
{
	va_list ap;

	fprintf(stderr, "kerf: error: cannot %s '%s' (id %d): %s (status: "
		"%s)\n", verb, t->name, t->id, why,
		t->status_text && *t->status_text ? t->status_text
						  : mk_status_name(t->status));
	if (hint) {
		fputs("  ", stderr);
		va_start(ap, hint);
		vfprintf(stderr, hint, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	return KERF_EXIT_INVALID;
}

int kerf_target_kernel_failed(const struct diags *d, int err)
{
	const char *name;

	if (err < 0)
		err = -err;
	kerf_print_diags(d);
	name = strerrorname_np(err);
	fprintf(stderr, "  Kernel error: %s (%s); see 'dmesg' for the "
		"kernel's own message.\n", strerror(err), name ? name : "?");
	return KERF_EXIT_SYSTEM;
}

int kerf_target_locked(struct kerf_ctx *ctx, struct kerf_target *t,
		       int (*act)(struct kerf_ctx *ctx, const struct kport *kp,
				  struct kerf_target *t, void *data),
		       void *data)
{
	struct kerf_lock lk = { .fd = -1 };
	struct kport kp;
	struct diags d;
	int ret;

	kport_init(&kp, ctx->sysroot, ctx->debug);
	ret = kerf_target_require_mkfs(&kp);
	if (ret)
		return ret;
	diags_init(&d);
	ret = kerf_lock_acquire(&kp, &lk, ctx->lock_timeout_ms, &d);
	kerf_print_diags(&d);
	diags_free(&d);
	if (ret)
		return KERF_EXIT_SYSTEM;
	ret = kerf_target_read(&kp, t);
	if (!ret)
		ret = act(ctx, &kp, t, data);
	kerf_lock_release(&kp, &lk);
	return ret;
}
