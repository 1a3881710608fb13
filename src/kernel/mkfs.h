/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The multikernel file system and /proc/iomem (kernel-abi-mk2.md §1, §5.4):
 * mounting, the pool tree, the instances and their trees, the memory
 * regions, and the one-shot baseline write.  Every blob read back from the
 * kernel is read to EOF and passes fdt_check_full() before anyone sees it.
 */
#ifndef KERF_KERNEL_MKFS_H
#define KERF_KERNEL_MKFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/sysroot.h"
#include "util/diag.h"

enum mk_status {
	MK_STATUS_UNKNOWN,
	MK_STATUS_EMPTY,
	MK_STATUS_READY,
	MK_STATUS_LOADED,
	MK_STATUS_ACTIVE,
	MK_STATUS_FAILED,
};

const char *mk_status_name(enum mk_status st);
enum mk_status mk_status_parse(const char *s);

struct mkfs_instance {
	char *name;
	int id;
	enum mk_status status;
	char *status_text;	/* exactly what the kernel wrote */
	void *dtb;		/* instances/<name>/device_tree, or NULL */
	size_t dtb_len;
};

struct mkfs_instances {
	struct mkfs_instance *v;	/* sorted by id */
	size_t n;
};

void mkfs_instance_free(struct mkfs_instance *in);
void mkfs_instances_free(struct mkfs_instances *l);
/* Index of the instance with that name / id, or -1. */
long mkfs_instances_find(const struct mkfs_instances *l, const char *name);
long mkfs_instances_find_id(const struct mkfs_instances *l, int id);

/*
 * The file system.  -ENODEV means the kernel has no multikernel support
 * (the command maps it to exit 4); other errors are -errno.
 */
int mkfs_present(const struct kport *kp, struct diags *d);
int mkfs_is_mounted(const struct kport *kp, bool *mounted, struct diags *d);
/* Mount it unless proc/mounts shows it mounted (kerf init). */
int mkfs_mount(const struct kport *kp, struct diags *d);
/*
 * Present and mounted, mounting it if needed (every command does, like
 * init); -ENODEV when the kernel lacks the feature.
 */
int mkfs_require(const struct kport *kp, struct diags *d);

/* Parse proc/mounts text: is a multikernel fs mounted at mountpoint? */
bool mounts_has_mkfs(const char *text, size_t len, const char *mountpoint);

/* The pool tree (root device_tree), validated; caller frees *dtb. */
int mkfs_read_pool(const struct kport *kp, void **dtb, size_t *len,
		   struct diags *d);

/*
 * One instance (id, status and, with tree, its device_tree), read fresh
 * from the kernel.  -ENOENT (with a diagnostic) if it does not exist.
 */
int mkfs_read_instance(const struct kport *kp, const char *name, bool tree,
		       struct mkfs_instance *in, struct diags *d);
/* Only the status, for the check right before acting. */
int mkfs_read_status(const struct kport *kp, const char *name,
		     enum mk_status *st, struct diags *d);
/* Every instance under instances/, sorted by id. */
int mkfs_list_instances(const struct kport *kp, bool trees,
			struct mkfs_instances *out, struct diags *d);

/*
 * Write the baseline: fdt_check_full, at most 1 MiB, totalsize == len, one
 * write(2) of the full length.  Errors are explained in d.
 */
int mkfs_write_baseline(const struct kport *kp, const void *blob,
			size_t len, struct diags *d);

/* Validate a blob read from the kernel; 0 or -EBADMSG with a diagnostic. */
int mkfs_check_blob(const void *blob, size_t len, const char *what,
		    struct diags *d);

/* /proc/iomem: the pool chunks and the instance regions inside them. */
struct mk_chunk {
	uint64_t start, end;	/* inclusive, as iomem prints them */
};

struct mk_region {
	uint64_t start, end;	/* inclusive */
	int id;			/* instance id */
	char *name;		/* instance name */
	int index;		/* region number n */
	long chunk;		/* index of the containing chunk, or -1 */
};

struct mk_iomem {
	struct mk_chunk *chunks;	/* in file order */
	size_t nchunks;
	struct mk_region *regions;	/* in file order */
	size_t nregions;
	bool zeroed;	/* addresses read as 0: not privileged */
};

void mk_iomem_free(struct mk_iomem *io);
/* Parse iomem text; malformed lines are skipped.  Always 0. */
int iomem_parse(const char *text, size_t len, struct mk_iomem *io);
/* "mk-instance-<id>-<name>-region-<n>"; false if name is not one. */
bool iomem_region_name(const char *s, int *id, char **name, int *index);
int mkfs_read_iomem(const struct kport *kp, struct mk_iomem *io,
		    struct diags *d);

#endif
