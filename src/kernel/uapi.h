/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The multikernel user ABI constants (kernel-abi-mk2.md §3, §4), defined
 * here and nowhere else.  Debian's <linux/kexec.h> has none of them and
 * newer mainline headers give the same bits other meanings (0x10 is
 * KEXEC_FILE_NO_CMA upstream), so never include a system header for these.
 */
#ifndef KERF_KERNEL_UAPI_H
#define KERF_KERNEL_UAPI_H

/* kexec_file_load() flags */
#define MK_KEXEC_FILE_UNLOAD		0x00000001UL
#define MK_KEXEC_FILE_NO_INITRAMFS	0x00000004UL
#define MK_KEXEC_FILE_DEBUG		0x00000008UL
#define MK_KEXEC_MULTIKERNEL		0x00000010UL
#define MK_KEXEC_ID_MASK		0x0000ffe0UL
#define MK_KEXEC_ID_SHIFT		5
#define MK_KEXEC_ID(id) \
	((((unsigned long)(id)) << MK_KEXEC_ID_SHIFT) & MK_KEXEC_ID_MASK)

/* Instance ids the flags word can carry: 11 bits, 0 is the host. */
#define MK_ID_MIN			1
#define MK_ID_MAX			2047

/* reboot() */
#define MK_REBOOT_MAGIC1		0xfee1deadU
#define MK_REBOOT_MAGIC2		672274793U	/* 0x28121969 */
#define MK_REBOOT_CMD_START		0x4d4b4c49U	/* "MKLI" */
#define MK_REBOOT_CMD_HALT		0x4d4b4c48U	/* "MKLH" */
#define MK_REBOOT_CMD_HALT_FORCE	0x4d4b4c46U	/* "MKLF" */

struct mk_boot_args {
	int mk_id;
};

/* Size limits of the multikernel file system. */
#define MK_BASELINE_MAX		(1024 * 1024)	/* device_tree */
#define MK_DTBO_MAX			4096	/* overlays/new */

/* Superblock magic of the multikernel file system ("mkfs"). */
#define MK_FS_MAGIC			0x6d6b6673U
#define MK_FS_TYPE			"multikernel"

#endif
