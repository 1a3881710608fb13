/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every host path kerf touches, looked up under the sysroot (kernel.md §1),
 * and the small context the kernel port passes around.
 */
#ifndef KERF_KERNEL_SYSROOT_H
#define KERF_KERNEL_SYSROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/diag.h"
#include "util/util.h"

/* Paths relative to the sysroot. */
#define KP_MKFS			"sys/fs/multikernel"
#define KP_MKFS_TREE		KP_MKFS "/device_tree"
#define KP_MKFS_INSTANCES	KP_MKFS "/instances"
#define KP_MKFS_OVERLAYS	KP_MKFS "/overlays"
#define KP_MKFS_NEW		KP_MKFS_OVERLAYS "/new"
#define KP_CPUINFO		"proc/cpuinfo"
#define KP_IOMEM		"proc/iomem"
#define KP_MOUNTS		"proc/mounts"
#define KP_SYS_CPU		"sys/devices/system/cpu"
#define KP_SYS_NODE		"sys/devices/system/node"
#define KP_SYS_PCI		"sys/bus/pci/devices"
#define KP_MKTTY		"dev/mktty"
#define KP_RUN			"run"
#define KP_LOCK			KP_RUN "/kerf.lock"
#define KP_STATE		"var/lib/kerf"
#define KP_STATE_INSTANCES	KP_STATE "/instances"
#define KP_CPUMAP		KP_STATE "/cpumap"

/* Where the mount point appears in proc/mounts on a real host. */
#define KP_MKFS_ABS		"/" KP_MKFS

/*
 * The kernel port's context.  sysroot is "/" or a directory (NULL means
 * "/"); with debug set every kernel file operation and syscall is printed
 * to log (stderr when NULL) before it is made.
 */
struct kport {
	const char *sysroot;
	bool debug;
	FILE *log;
};

void kport_init(struct kport *kp, const char *sysroot, bool debug);

/* sysroot + "/" + rel (rel relative, no leading '/'); caller frees. */
char *kp_path(const struct kport *kp, const char *rel);
char *kp_pathf(const struct kport *kp, const char *fmt, ...) PRINTF(2, 3);
/* True when the sysroot is the real root. */
bool kp_is_root(const struct kport *kp);

/* Print one "kernel: ..." line when debugging. */
void kp_log(const struct kport *kp, const char *fmt, ...) PRINTF(2, 3);

/*
 * Read a host file to EOF (never trusting st_size) under the sysroot;
 * 0 or -errno.  *data is NUL terminated; caller frees.
 */
int kp_read(const struct kport *kp, const char *rel, char **data,
	    size_t *len);
/* Read a one-line text file ("ready\n") without the newline. */
int kp_read_line(const struct kport *kp, const char *rel, char **line);
/* Read a file holding one decimal integer ("%d\n"). */
int kp_read_int(const struct kport *kp, const char *rel, long *val);

/* mkdir -p of a directory under the sysroot (mode 0755); 0 or -errno. */
int kp_mkdirs(const struct kport *kp, const char *rel);

/*
 * Write data to rel atomically: a temporary file in the same directory,
 * fsync, rename.  Creates the directory if needed.  0 or -errno.
 */
int kp_write_atomic(const struct kport *kp, const char *rel,
		    const void *data, size_t len);

/*
 * Diagnostics without a source position; d may be NULL (then nothing is
 * recorded).  kp_hint attaches the "what to do" line to the last one.
 */
void kp_err(struct diags *d, const char *fmt, ...) PRINTF(2, 3);
void kp_warn(struct diags *d, const char *fmt, ...) PRINTF(2, 3);
void kp_note(struct diags *d, const char *fmt, ...) PRINTF(2, 3);
void kp_hint(struct diags *d, const char *fmt, ...) PRINTF(2, 3);

/* True for a valid instance name: non-empty, no '/', not "." or "..". */
bool kp_name_ok(const char *name);

#endif
