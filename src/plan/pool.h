/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Changes of the pool itself (kerf apply / diff): the baseline of a file
 * against the live pool, as /resources overlays (kernel-abi-mk2.md §2.2).
 * CPUs move in and out whole; memory grows by a size per NUMA node (the
 * kernel picks the address) and shrinks only by whole free chunks,
 * exactly as the pool tree lists them; PCI functions move whole.
 *
 * plan_pool_diff() is a pure function of its input, so it is unit tested;
 * the glue (plan_pool_*() on a struct kstate) lives in diff.c.
 */
#ifndef KERF_PLAN_POOL_H
#define KERF_PLAN_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/mk2.h"
#include "model/cpuset.h"

/* A chunk of the live pool; user: an instance with memory in it. */
struct plan_pool_chunk {
	uint64_t base, size;
	int64_t numa;		/* -1: unknown */
	const char *user;	/* NULL: free */
};

/* A PCI function of the pool (or of the file's baseline). */
struct plan_pool_fn {
	const char *name;	/* "eth0_vf1", or the PCI id */
	const char *bdf;
};

struct plan_pool_in {
	const struct cpuset *want_cpus, *have_cpus;	/* logical */
	const struct mk2_chunk *want_mem;	/* requests: size, numa */
	size_t nwant_mem;
	const struct plan_pool_chunk *chunks;	/* the live pool */
	size_t nchunks;
	const struct plan_pool_fn *want_fn, *have_fn;
	size_t nwant_fn, nhave_fn;
};

struct plan_pool_fnc {
	char *name, *bdf;
};

struct plan_pool {
	struct cpuset cpu_add, cpu_rm;
	struct mk2_chunk *mem_add;	/* size and node (base 0) */
	size_t nmem_add;
	struct mk2_chunk *mem_rm;	/* whole chunks, as listed */
	size_t nmem_rm;
	struct plan_pool_fnc *fn_add, *fn_rm;
	size_t nfn_add, nfn_rm;
};

void plan_pool_init(struct plan_pool *p);
void plan_pool_free(struct plan_pool *p);
bool plan_pool_empty(const struct plan_pool *p);

/*
 * What turns the live pool into the wanted one.  Memory is compared per
 * NUMA node (as one amount when no request names a node): a node grows
 * by one request of the difference; it shrinks by the fewest free chunks
 * of that node whose sizes add up to the difference exactly.  When no set
 * of free chunks does, -EBUSY with the chunks, who uses them and what
 * would work in err (several lines).  CPUs and functions in use are not
 * checked here (see diff.c).
 */
int plan_pool_diff(const struct plan_pool_in *in, struct plan_pool *out,
		   char *err, size_t errlen);

#endif
