/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kexec_file_load() and reboot() for multikernel instances
 * (kernel-abi-mk2.md §3, §4), as raw syscalls with kerf's own constants
 * (uapi.h), every errno explained in terms of the instance.  These do not
 * check the instance's status: the caller reads it fresh and guards the
 * transition (kernel.md §6; the kernel does not check it for unload).
 */
#ifndef KERF_KERNEL_SYSCALLS_H
#define KERF_KERNEL_SYSCALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/sysroot.h"
#include "util/diag.h"

enum mk_op {
	MK_OP_LOAD,
	MK_OP_UNLOAD,
	MK_OP_START,
	MK_OP_HALT,
	MK_OP_HALT_FORCE,
};

/* The instance a call is about, for messages. */
struct mk_target {
	const char *name;
	int id;
};

struct mk_load_args {
	int kernel_fd;		/* an ELF image (see image.h) */
	int initrd_fd;		/* -1: none */
	const char *cmdline;	/* NULL or "": none */
	uint64_t image_bytes;	/* sum of PT_LOAD p_memsz, for ENOMEM */
	uint64_t initrd_bytes;
	uint64_t instance_bytes; /* the instance's memory, 0 if unknown */
	bool kexec_debug;	/* KEXEC_FILE_DEBUG */
};

/* The flags word: MULTIKERNEL | ID(id) [| UNLOAD] [| NO_INITRAMFS]. */
unsigned long mk_kexec_flags(int id, bool unload, bool no_initramfs);
/* The reboot command of an operation (START, HALT, HALT_FORCE), or 0. */
unsigned int mk_reboot_cmd(enum mk_op op);

/*
 * The calls.  0 or -errno, explained in d.  -ERANGE without a syscall if
 * the id cannot be carried (outside 1..2047).
 */
int mk_kexec_load(const struct kport *kp, const struct mk_target *t,
		  const struct mk_load_args *a, struct diags *d);
int mk_kexec_unload(const struct kport *kp, const struct mk_target *t,
		    struct diags *d);
/* op is MK_OP_START, MK_OP_HALT or MK_OP_HALT_FORCE. */
int mk_reboot(const struct kport *kp, const struct mk_target *t,
	      enum mk_op op, struct diags *d);

/* What err means for op on t (a may be NULL except for ENOMEM detail). */
void mk_explain_errno(enum mk_op op, int err, const struct mk_target *t,
		      const struct mk_load_args *a, struct diags *d);

#endif
