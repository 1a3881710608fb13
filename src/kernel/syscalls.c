// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/syscalls.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel/uapi.h"
#include "model/size.h"

unsigned long mk_kexec_flags(int id, bool unload, bool no_initramfs)
{
	unsigned long f = MK_KEXEC_MULTIKERNEL | MK_KEXEC_ID(id);

	if (unload)
		f |= MK_KEXEC_FILE_UNLOAD;
	if (no_initramfs)
		f |= MK_KEXEC_FILE_NO_INITRAMFS;
	return f;
}

unsigned int mk_reboot_cmd(enum mk_op op)
{
	switch (op) {
	case MK_OP_START:
		return MK_REBOOT_CMD_START;
	case MK_OP_HALT:
		return MK_REBOOT_CMD_HALT;
	case MK_OP_HALT_FORCE:
		return MK_REBOOT_CMD_HALT_FORCE;
	default:
		return 0;
	}
}

static const char *op_verb(enum mk_op op)
{
	switch (op) {
	case MK_OP_LOAD:
		return "load a kernel into";
	case MK_OP_UNLOAD:
		return "unload the kernel of";
	case MK_OP_START:
		return "start";
	case MK_OP_HALT:
		return "stop";
	default:
		return "force-stop";
	}
}

static void explain_load(int err, const char *who, const struct mk_target *t,
			 const struct mk_load_args *a, struct diags *d)
{
	char need[32], img[32], ird[32], have[32];
	uint64_t total;

	switch (err) {
	case EBUSY:
		kp_err(d, "cannot load a kernel into %s: it already has a "
		       "kernel loaded, or another kexec is in progress", who);
		kp_hint(d, "Run 'kerf unload %s' first, or retry in a moment.",
			t->name);
		return;
	case ENOENT:
		kp_err(d, "cannot load a kernel into %s: the kernel knows no "
		       "instance with id %d", who, t->id);
		kp_hint(d, "Run 'kerf show' to list the instances.");
		return;
	case ENOMEM:
		if (!a) {
			kp_err(d, "cannot load a kernel into %s: the image and "
			       "initrd do not fit in its memory", who);
			return;
		}
		total = a->image_bytes + a->initrd_bytes;
		size_format(need, sizeof(need), total, SIZE_IEC);
		size_format(img, sizeof(img), a->image_bytes, SIZE_IEC);
		size_format(ird, sizeof(ird), a->initrd_bytes, SIZE_IEC);
		if (a->instance_bytes) {
			size_format(have, sizeof(have), a->instance_bytes,
				    SIZE_IEC);
			kp_err(d, "cannot load a kernel into %s: the image and "
			       "initrd do not fit in its %s of memory; they "
			       "need at least %s (image %s + initrd %s) plus "
			       "room for boot data", who, have, need, img,
			       ird);
		} else {
			kp_err(d, "cannot load a kernel into %s: the image and "
			       "initrd do not fit in its memory; they need at "
			       "least %s (image %s + initrd %s) plus room for "
			       "boot data", who, need, img, ird);
		}
		kp_hint(d, "Give the instance more memory ('kerf update %s "
			"--memory=SIZE') or use a smaller image or initrd.",
			t->name);
		return;
	case EPERM:
		kp_err(d, "cannot load a kernel into %s: not permitted", who);
		kp_hint(d, "Loading needs root (CAP_SYS_BOOT); kexec may also "
			"be disabled (kernel.kexec_load_disabled) or locked "
			"down (Secure Boot lockdown refuses unsigned images).");
		return;
	case EKEYREJECTED:
	case EKEYREVOKED:
	case EBADMSG:
		kp_err(d, "cannot load a kernel into %s: the kernel refused "
		       "the image's signature (%s)", who, strerror(err));
		kp_hint(d, "An unpacked vmlinux carries no signature; disable "
			"KEXEC_SIG_FORCE / Secure Boot or load a signed "
			"image.");
		return;
	case ENOEXEC:
		kp_err(d, "cannot load a kernel into %s: the kernel does not "
		       "accept the image format", who);
		kp_hint(d, "Pass an x86-64 ELF vmlinux or a bzImage.");
		return;
	case EINVAL:
		kp_err(d, "cannot load a kernel into %s: the kernel rejected "
		       "the arguments (instance id, flags or command line)",
		       who);
		kp_hint(d, "See 'dmesg' for the kernel's reason.");
		return;
	case E2BIG:
		kp_err(d, "cannot load a kernel into %s: the command line is "
		       "too long", who);
		return;
	case ENOSYS:
		kp_err(d, "cannot load a kernel into %s: this kernel has no "
		       "kexec_file_load (CONFIG_KEXEC_FILE)", who);
		return;
	default:
		kp_err(d, "cannot load a kernel into %s: %s", who,
		       strerror(err));
		kp_hint(d, "See 'dmesg' for the kernel's reason.");
		return;
	}
}

void mk_explain_errno(enum mk_op op, int err, const struct mk_target *t,
		      const struct mk_load_args *a, struct diags *d)
{
	char *who = xasprintf("instance '%s' (id %d)",
			      t->name ? t->name : "?", t->id);
	const char *verb = op_verb(op);

	if (err < 0)
		err = -err;
	if (op == MK_OP_LOAD) {
		explain_load(err, who, t, a, d);
		free(who);
		return;
	}
	switch (err) {
	case EPERM:
		kp_err(d, "cannot %s %s: not permitted", verb, who);
		kp_hint(d, "This needs root (CAP_SYS_BOOT).");
		break;
	case ENOENT:
		if (op == MK_OP_UNLOAD)
			kp_err(d, "cannot %s %s: the kernel has no image "
			       "loaded for it", verb, who);
		else
			kp_err(d, "cannot %s %s: the kernel knows no instance "
			       "with id %d", verb, who, t->id);
		break;
	case EBUSY:
		if (op == MK_OP_START) {
			kp_err(d, "cannot %s %s: it is not in state 'loaded', "
			       "or another kexec is in progress", verb, who);
			kp_hint(d, "Check 'kerf show %s'.", t->name);
		} else if (op == MK_OP_UNLOAD) {
			kp_err(d, "cannot %s %s: another kexec is in progress",
			       verb, who);
		} else {
			kp_err(d, "cannot %s %s: its CPUs did not park", verb,
			       who);
			kp_hint(d, "See 'dmesg'; 'kerf kill --force %s' sends "
				"an NMI.", t->name);
		}
		break;
	case EINVAL:
		if (op == MK_OP_START)
			kp_err(d, "cannot %s %s: no kernel image is loaded for "
			       "it, or it has no CPU", verb, who);
		else if (op == MK_OP_HALT)
			kp_err(d, "cannot %s %s: it is not running", verb,
			       who);
		else if (op == MK_OP_HALT_FORCE)
			kp_err(d, "cannot %s %s: this kernel force-stops only "
			       "running (active) instances", verb, who);
		else
			kp_err(d, "cannot %s %s: the kernel rejected the "
			       "arguments", verb, who);
		break;
	case ETIMEDOUT:
	case ETIME:
		kp_err(d, "cannot %s %s: it did not acknowledge the shutdown "
		       "within 30 s and is still running", verb, who);
		kp_hint(d, "Use 'kerf kill --force %s' to stop it with an "
			"NMI.", t->name);
		break;
	case ENOSYS:
		kp_err(d, "cannot %s %s: this kernel lacks the multikernel "
		       "reboot commands", verb, who);
		break;
	default:
		kp_err(d, "cannot %s %s: %s", verb, who, strerror(err));
		kp_hint(d, "See 'dmesg' for the kernel's reason.");
		break;
	}
	free(who);
}

static bool id_ok(enum mk_op op, const struct mk_target *t,
		  struct diags *d)
{
	if (t->id >= MK_ID_MIN && t->id <= MK_ID_MAX)
		return true;
	kp_err(d, "cannot %s instance '%s': id %d is outside %d..%d, which "
	       "the kernel cannot address", op_verb(op),
	       t->name ? t->name : "?", t->id, MK_ID_MIN, MK_ID_MAX);
	return false;
}

static long sys_kexec_file_load(int kfd, int ifd, unsigned long len,
				const char *cmdline, unsigned long flags)
{
#ifdef SYS_kexec_file_load
	return syscall(SYS_kexec_file_load, kfd, ifd, len, cmdline, flags);
#else
	errno = ENOSYS;
	return -1;
#endif
}

int mk_kexec_load(const struct kport *kp, const struct mk_target *t,
		  const struct mk_load_args *a, struct diags *d)
{
	bool no_initrd = a->initrd_fd < 0;
	const char *cmdline = a->cmdline && *a->cmdline ? a->cmdline : NULL;
	unsigned long len = cmdline ? strlen(cmdline) + 1 : 0;
	unsigned long flags;
	long ret;

	if (!id_ok(MK_OP_LOAD, t, d))
		return -ERANGE;
	flags = mk_kexec_flags(t->id, false, no_initrd);
	if (a->kexec_debug)
		flags |= MK_KEXEC_FILE_DEBUG;
	kp_log(kp, "kexec_file_load(kernel_fd=%d, initrd_fd=%d, "
	       "cmdline_len=%lu, cmdline=\"%s\", flags=%#lx)", a->kernel_fd,
	       no_initrd ? -1 : a->initrd_fd, len, cmdline ? cmdline : "",
	       flags);
	ret = sys_kexec_file_load(a->kernel_fd, no_initrd ? -1 : a->initrd_fd,
				  len, cmdline, flags);
	if (ret) {
		int err = errno;

		kp_log(kp, "kexec_file_load: %s", strerror(err));
		mk_explain_errno(MK_OP_LOAD, err, t, a, d);
		return -err;
	}
	return 0;
}

int mk_kexec_unload(const struct kport *kp, const struct mk_target *t,
		    struct diags *d)
{
	unsigned long flags;
	long ret;

	if (!id_ok(MK_OP_UNLOAD, t, d))
		return -ERANGE;
	flags = mk_kexec_flags(t->id, true, false);
	kp_log(kp, "kexec_file_load(-1, -1, 0, NULL, flags=%#lx)", flags);
	ret = sys_kexec_file_load(-1, -1, 0, NULL, flags);
	if (ret) {
		int err = errno;

		kp_log(kp, "kexec_file_load: %s", strerror(err));
		mk_explain_errno(MK_OP_UNLOAD, err, t, NULL, d);
		return -err;
	}
	return 0;
}

int mk_reboot(const struct kport *kp, const struct mk_target *t,
	      enum mk_op op, struct diags *d)
{
	struct mk_boot_args args = { .mk_id = t->id };
	unsigned int cmd = mk_reboot_cmd(op);
	long ret;

	if (!cmd) {
		kp_err(d, "internal error: no reboot command for this "
		       "operation");
		return -EINVAL;
	}
	if (!id_ok(op, t, d))
		return -ERANGE;
	kp_log(kp, "reboot(%#x, %u, %#x, {mk_id=%d})", MK_REBOOT_MAGIC1,
	       MK_REBOOT_MAGIC2, cmd, args.mk_id);
	ret = syscall(SYS_reboot, MK_REBOOT_MAGIC1, MK_REBOOT_MAGIC2, cmd,
		      &args);
	if (ret) {
		int err = errno;

		kp_log(kp, "reboot: %s", strerror(err));
		mk_explain_errno(op, err, t, NULL, d);
		return -err;
	}
	return 0;
}
