/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live state, read fresh from the kernel before every change
 * (kernel.md §4): the pool tree (CPUs, free CPUs, memory chunks, devices),
 * every instances/<name>/{id,status,device_tree}, the instance regions of
 * proc/iomem, and the transaction that created each instance when it can
 * still be found in overlays/.  kerf keeps no second copy of this.
 *
 * What the kernel does not know (logical CPU numbers, NUMA topology, SMT
 * cores, device names, VFs and namespaces, total and host-reserved
 * amounts) comes from the host description `kerf init` saved in
 * var/lib/kerf/baseline.dts (and the CPU map of cpumap.h); without it the
 * inventory is built from the pool tree and the host alone.
 *
 * The result is an ordinary model (model.h), in logical CPU numbers, so
 * the check pipeline and the planners work on it like on a file; the
 * kernel-only facts (status, physical ids, regions, transaction) sit next
 * to it in struct kstate_inst, one per model instance, same index.
 */
#ifndef KERF_PLAN_STATE_H
#define KERF_PLAN_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/cpumap.h"
#include "kernel/mkfs.h"
#include "kernel/sysroot.h"
#include "model/model.h"
#include "util/diag.h"

/* The name of the pseudo source of kernel state (see struct kstate). */
#define KSTATE_SOURCE_NAME "kernel state"

/* Where init saves the host description (relative to the sysroot). */
#define KSTATE_BASELINE_FILE "var/lib/kerf/baseline.dts"

/* One memory region of an instance, as proc/iomem lists it. */
struct kstate_region {
	uint64_t base, size;
	int index;		/* region-<n> */
	long chunk;		/* index into model.mem.pool, -1 if none */
};

/* A device of an instance, as its tree lists it. */
struct kstate_dev {
	char *pci_id;		/* "0000:01:00.1" (NULL for platform) */
	char *name;		/* inventory name ("eth0", "eth0_vf1") or the
				 * alias/node name the kernel gave; never NULL */
};

/* What the kernel says about one instance. */
struct kstate_inst {
	char *name;
	int id;
	enum mk_status status;
	char *status_text;	/* exactly as the kernel wrote it */
	uint64_t *phys;		/* CPUs as physical ids, kernel order (the
				 * first is the boot CPU) */
	size_t nphys;
	bool cpus_unmapped;	/* a physical id has no logical number */
	struct kstate_region *regions;	/* sorted by base */
	size_t nregions;
	uint64_t mem_bytes;	/* memory-bytes of the instance tree */
	struct kstate_dev *devs;
	size_t ndevs;
	unsigned int txn;	/* transaction that created it; 0 unknown */
};

struct kstate {
	bool mounted;		/* the multikernel fs is there */
	bool initialized;	/* a pool exists (baseline applied) */
	bool have_baseline;	/* var/lib/kerf/baseline.dts was used */
	struct dt_tree *base_tree;	/* the saved description (positions of
					 * model values point into it) */
	struct mk_model model;	/* inventory + live pool + instances */
	struct cpumap map;	/* logical <-> physical */
	struct cpuset pool_cpus;	/* logical CPUs in the pool */
	struct cpuset pool_free;	/* logical pool CPUs no instance has */
	struct kstate_inst *inst;	/* parallel to model.instances */
	size_t ninst;
	bool iomem_zeroed;	/* proc/iomem hides addresses (not root) */
	char **pool_pci;	/* PCI ids of free pool devices */
	size_t npool_pci;
	/*
	 * checks.md §2 "In file" for state read from the kernel: a pseudo
	 * source whose line k+1 names instance k and the transaction that
	 * created it; every position of a kernel instance points there.
	 */
	struct srcfiles srcs;
	const struct srcfile *state_file;	/* NULL without instances */
};

void kstate_init(struct kstate *st);
void kstate_free(struct kstate *st);

/*
 * Read the whole state.  Needs the file system (-ENODEV: no multikernel
 * support; other -errno with a diagnostic in d).  A host with no pool yet
 * reads as initialized == false with an empty model.  Instances whose
 * files vanish while being read (a concurrent delete) are skipped.
 */
int kstate_read(const struct kport *kp, struct kstate *st, struct diags *d);
/*
 * The same, with the host described by the file desc (a baseline without
 * instances) instead of the saved description: the state a pool change
 * of kerf apply leads to is planned on the description it will save.
 */
int kstate_read_desc(const struct kport *kp, struct kstate *st,
		     const char *desc, struct diags *d);

/* Index of the instance named name / with that id, or -1. */
long kstate_find(const struct kstate *st, const char *name);
long kstate_find_id(const struct kstate *st, int id);

/*
 * Resolve "NAME or --id N" (exactly one of name / id > 0) to an index.
 * -ENOENT with "instance 'x' does not exist" and the list of instances in d.
 */
int kstate_lookup(const struct kstate *st, const char *name, int id,
		  long *idx, struct diags *d);

/* Lowest id in 1..MK_ID_MAX no instance uses; 0 if none is free. */
uint32_t kstate_free_id(const struct kstate *st);

/*
 * Free gaps of the pool: every chunk minus every instance region (minus
 * skip's regions when skip >= 0), as [base, base+size) sorted by base.
 * Caller frees *gaps.
 */
struct kstate_gap {
	uint64_t base, size;
	long chunk;
};
int kstate_gaps(const struct kstate *st, long skip, struct kstate_gap **gaps,
		size_t *n);

/* PCI address of VF vf of the PF pf (host sysfs virtfnN); NULL. */
char *kstate_vf_bdf(const struct kport *kp, const char *pf, uint32_t vf);

/* Save the host description init validated (as DTS: labels kept). */
int kstate_save_baseline(const struct kport *kp, const struct dt_tree *t,
			 struct diags *d);

#endif
