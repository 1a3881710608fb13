/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logical CPU numbers (what users write) to physical ids (what the kernel
 * speaks: APIC ids on x86), kernel.md §3.  The map comes from, in order:
 * the baseline's physical-ids; the map kerf saved in var/lib/kerf/ on its
 * first run here; proc/cpuinfo (processor <-> apicid).  CPUs in the pool are
 * offline and vanish from proc/cpuinfo, so the map is saved before any CPU
 * leaves the host.
 */
#ifndef KERF_KERNEL_CPUMAP_H
#define KERF_KERNEL_CPUMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/sysroot.h"
#include "util/diag.h"

enum cpumap_source {
	CPUMAP_NONE,
	CPUMAP_BASELINE,	/* physical-ids of the baseline */
	CPUMAP_SAVED,		/* var/lib/kerf/cpumap */
	CPUMAP_CPUINFO,		/* proc/cpuinfo */
};

struct cpumap_entry {
	uint32_t logical;
	uint64_t phys;
};

struct cpumap {
	struct cpumap_entry *v;	/* sorted by logical number */
	size_t n, cap;
	enum cpumap_source source;
};

/* Every function filling a map frees what it held: init it once. */
void cpumap_init(struct cpumap *m);
void cpumap_free(struct cpumap *m);
const char *cpumap_source_name(enum cpumap_source s);

/*
 * Add logical -> phys.  -EEXIST if the logical CPU already maps to another
 * id, or the physical id belongs to another logical CPU; 0 if the same pair
 * is already there.
 */
int cpumap_set(struct cpumap *m, uint32_t logical, uint64_t phys);
/* 0 or -ENOENT. */
int cpumap_phys(const struct cpumap *m, uint32_t logical, uint64_t *phys);
int cpumap_logical(const struct cpumap *m, uint64_t phys,
		   uint32_t *logical);

/* From a baseline's physical-ids (ids[N] is cpuN). */
int cpumap_from_ids(struct cpumap *m, const uint64_t *ids, size_t n,
		    struct diags *d);

/*
 * Parse proc/cpuinfo text: every "processor : N" block with its
 * "apicid : M".  Blocks without apicid are left out (non-x86, or a
 * virtualised host that hides it); *missing counts them.  0, or -EINVAL
 * with a diagnostic on contradictory input.
 */
int cpumap_parse_cpuinfo(const char *text, size_t len, struct cpumap *m,
			 size_t *missing, struct diags *d);

/* The saved map's text form, and its parser (strict). */
char *cpumap_format(const struct cpumap *m);
int cpumap_parse_saved(const char *text, size_t len, struct cpumap *m,
		       struct diags *d);

/* Read var/lib/kerf/cpumap: 0, -ENOENT if there is none, or -errno. */
int cpumap_load_saved(const struct kport *kp, struct cpumap *m,
		      struct diags *d);
/* Write it atomically (temporary file + rename). */
int cpumap_save(const struct kport *kp, const struct cpumap *m,
		struct diags *d);

/*
 * The map kerf uses.  ids/nids: the baseline's physical-ids, if it has
 * them (ids NULL otherwise).  Without them the saved map is used, extended
 * by CPUs proc/cpuinfo shows that it lacks (and saved again if so); without
 * a saved map proc/cpuinfo is read and saved at once, before any CPU can
 * leave the host.
 */
int cpumap_resolve(const struct kport *kp, const uint64_t *ids, size_t nids,
		   struct cpumap *m, struct diags *d);

#endif
