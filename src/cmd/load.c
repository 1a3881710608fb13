// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf load NAME --kernel=PATH [--initrd=PATH] [--cmdline=STR]
 *
 * Load a kernel into a 'ready' instance with kexec_file_load (kernel.md
 * §6): an ELF vmlinux as is, a bzImage/vmlinuz unpacked in memory first;
 * then record what was loaded in var/lib/kerf/instances/NAME.json.
 */
#include "cmd/cmd.h"
#include "cmd/target.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kernel/image.h"
#include "kernel/lock.h"
#include "kernel/records.h"
#include "kernel/syscalls.h"
#include "model/size.h"

enum {
	OPT_KERNEL = 'k',
	OPT_INITRD = 'i',
	OPT_CMDLINE = 'c',
};

static const struct kerf_opt load_opts[] = {
	{"kernel", 'k', required_argument, "PATH",
	 "kernel image: ELF vmlinux, or bzImage/vmlinuz (unpacked in memory)",
	 OPT_KERNEL},
	{"initrd", 'i', required_argument, "PATH", "initial ramdisk",
	 OPT_INITRD},
	{"cmdline", 'c', required_argument, "STR", "kernel command line",
	 OPT_CMDLINE},
	{"id", 0, required_argument, "N", KERF_TARGET_ID_HELP,
	 KERF_TARGET_OPT_ID},
	{NULL, 0, 0, NULL, NULL, 0},
};

const struct kerf_cmd kerf_cmd_load = {
	.name = "load",
	.fn = cmd_load,
	.summary = "load a kernel image into a ready instance",
	.usage = "NAME|--id=N --kernel=PATH [--initrd=PATH] [--cmdline=STR]",
	.opts = load_opts,
};

struct load_args {
	struct kerf_target t;
	const char *kernel, *initrd, *cmdline;
};

static int load_opt(struct kerf_ctx *ctx, int id, const char *arg, void *data)
{
	struct load_args *a = data;

	switch (id) {
	case OPT_KERNEL:
		a->kernel = arg;
		return 0;
	case OPT_INITRD:
		a->initrd = arg;
		return 0;
	case OPT_CMDLINE:
		a->cmdline = arg;
		return 0;
	case KERF_TARGET_OPT_ID:
		return kerf_target_parse_id(ctx, arg, &a->t);
	default:
		return KERF_EXIT_USAGE;
	}
}

/* The instance's memory from proc/iomem, for the ENOMEM explanation. */
static uint64_t instance_bytes(const struct kport *kp, int id)
{
	struct mk_iomem io;
	struct diags d;
	uint64_t sum = 0;
	size_t i;

	diags_init(&d);
	if (!mkfs_read_iomem(kp, &io, &d)) {
		for (i = 0; i < io.nregions; i++)
			if (io.regions[i].id == id && !io.zeroed)
				sum += io.regions[i].end - io.regions[i].start
				       + 1;
		mk_iomem_free(&io);
	}
	diags_free(&d);
	return sum;
}

static int open_initrd(const char *path, int *fd)
{
	struct stat st;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		kerf_error("cannot open initrd %s: %s", path, strerror(errno));
		return KERF_EXIT_SYSTEM;
	}
	if (fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		kerf_error("initrd %s is not a regular file", path);
		close(*fd);
		*fd = -1;
		return KERF_EXIT_INVALID;
	}
	return KERF_EXIT_OK;
}

static int open_image(const char *path, struct kimage *img)
{
	char *abs = realpath(path, NULL);
	struct diags d;
	struct stat st;
	int ret;

	if (abs && (stat(abs, &st) < 0 || !S_ISREG(st.st_mode))) {
		kerf_error("kernel image %s is not a regular file", path);
		free(abs);
		return KERF_EXIT_INVALID;
	}
	diags_init(&d);
	ret = kimage_open(abs ? abs : path, img, &d);
	kerf_print_diags(&d);
	diags_free(&d);
	free(abs);
	if (!ret)
		return KERF_EXIT_OK;
	/* A file that is not a kernel is kerf's refusal; I/O is the system. */
	return ret == -ENOEXEC || ret == -EINVAL || ret == -EFBIG ||
	       ret == -ENOTSUP ? KERF_EXIT_INVALID : KERF_EXIT_SYSTEM;
}

static int refuse(const struct kerf_target *t)
{
	const char *verb = "load a kernel into";

	switch (t->status) {
	case MK_STATUS_LOADED:
		return kerf_target_refuse(t, verb, "a kernel is already loaded",
					  "Run 'kerf unload %s' first.",
					  t->name);
	case MK_STATUS_ACTIVE:
		return kerf_target_refuse(t, verb, "it is running a kernel",
					  "Run 'kerf kill %s' and 'kerf unload "
					  "%s' first.", t->name, t->name);
	default:
		return kerf_target_refuse(t, verb, "it is not ready",
					  "Only a 'ready' instance takes a "
					  "kernel; see 'dmesg' and 'kerf show "
					  "%s'.", t->name);
	}
}

static int do_load(struct kerf_ctx *ctx, const struct kport *kp,
		   struct load_args *a, struct kimage *img, int initrd_fd)
{
	struct mk_load_args la = {
		.kernel_fd = img->fd,
		.initrd_fd = initrd_fd,
		.cmdline = a->cmdline,
		.image_bytes = img->load_bytes,
	};
	struct kload_record r;
	struct mk_target mt;
	struct diags d;
	char sz[32];
	int ret;

	diags_init(&d);
	ret = record_fill(&r, a->t.id, img, a->initrd, initrd_fd, a->cmdline,
			  time(NULL), &d);
	if (ret) {
		kerf_print_diags(&d);
		diags_free(&d);
		return KERF_EXIT_SYSTEM;
	}
	la.initrd_bytes = r.initrd_size;
	mt.name = a->t.name;
	mt.id = a->t.id;
	ret = mk_kexec_load(kp, &mt, &la, &d);
	if (ret == -ENOMEM) {
		/* Say how much the instance has next to what is needed. */
		diags_free(&d);
		diags_init(&d);
		la.instance_bytes = instance_bytes(kp, mt.id);
		mk_explain_errno(MK_OP_LOAD, ENOMEM, &mt, &la, &d);
	}
	if (ret) {
		ret = ret == -ERANGE ? (kerf_print_diags(&d), KERF_EXIT_INVALID)
				     : kerf_target_kernel_failed(&d, ret);
		goto out;
	}
	if (record_write(kp, a->t.name, &r, &d))
		kerf_warn("the kernel is loaded, but kerf could not record "
			  "what was loaded; 'kerf show' will not name it");
	kerf_print_diags(&d);
	if (!ctx->quiet) {
		printf("%s Loaded kernel into '%s' (id %d)\n", sym_ok(ctx),
		       a->t.name, a->t.id);
		if (ctx->verbose) {
			size_format(sz, sizeof(sz), img->load_bytes, SIZE_IEC);
			printf("  Image: %s (%s%s%s, %s to load)\n",
			       r.image_path,
			       kimage_format_name(img->format),
			       img->comp != KCOMP_NONE ? ", " : "",
			       img->comp != KCOMP_NONE ? kcomp_name(img->comp)
						       : "", sz);
			printf("  SHA-256: %s\n", r.image_sha256);
			if (r.has_initrd)
				printf("  Initrd: %s\n", r.initrd_path);
			if (*r.cmdline)
				printf("  Command line: %s\n", r.cmdline);
		}
	}
	ret = KERF_EXIT_OK;
out:
	record_free(&r);
	diags_free(&d);
	return ret;
}

int cmd_load(struct kerf_ctx *ctx, int argc, char **argv)
{
	struct load_args a = {0};
	struct kerf_lock lk = { .fd = -1 };
	struct kimage img = { .fd = -1 };
	struct kport kp;
	struct diags d;
	int first, ret, initrd_fd = -1;

	ret = kerf_parse_opts(ctx, &kerf_cmd_load, argc, argv, &first,
			      load_opt, &a);
	if (ret)
		return ret < 0 ? KERF_EXIT_OK : ret;
	ret = kerf_target_args(ctx, &a.t, argc, argv, first);
	if (ret)
		return ret;
	if (!a.kernel)
		return kerf_usage_error(ctx, "missing --kernel=PATH");
	kport_init(&kp, ctx->sysroot, ctx->debug);
	ret = kerf_target_require_mkfs(&kp);
	if (ret)
		return ret;
	/* Unpacking may take a while: do it before taking the lock. */
	ret = open_image(a.kernel, &img);
	if (ret)
		return ret;
	if (a.initrd) {
		ret = open_initrd(a.initrd, &initrd_fd);
		if (ret)
			goto out;
	}
	diags_init(&d);
	ret = kerf_lock_acquire(&kp, &lk, ctx->lock_timeout_ms, &d);
	kerf_print_diags(&d);
	diags_free(&d);
	if (ret) {
		ret = KERF_EXIT_SYSTEM;
		goto out;
	}
	ret = kerf_target_read(&kp, &a.t);
	if (ret)
		goto out;
	if (a.t.status != MK_STATUS_READY)
		ret = refuse(&a.t);
	else
		ret = do_load(ctx, &kp, &a, &img, initrd_fd);
out:
	kerf_lock_release(&kp, &lk);
	if (initrd_fd >= 0)
		close(initrd_fd);
	kimage_close(&img);
	kerf_target_free(&a.t);
	return ret;
}
