/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Allocators and policies: which CPUs, which memory, which id an instance
 * gets, on the model of the live state (logical CPU numbers).  Pure
 * functions of the model: no kernel access, so they are unit tested.
 */
#ifndef KERF_PLAN_ALLOC_H
#define KERF_PLAN_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/cpuset.h"
#include "model/model.h"

enum plan_affinity {
	PLAN_AFF_COMPACT,
	PLAN_AFF_SPREAD,
	PLAN_AFF_LOCAL,
};

/* "compact" -> PLAN_AFF_COMPACT; -EINVAL otherwise. */
int plan_affinity_parse(const char *s, enum plan_affinity *a);
const char *plan_affinity_name(enum plan_affinity a);

/* The free CPUs: available minus every instance's except skip (-1). */
void plan_free_cpus(const struct mk_model *m, long skip, struct cpuset *out);

/*
 * Choose n CPUs from free.  compact: whole SMT cores on one NUMA node
 * first (the first node that can hold all n), then the fewest nodes;
 * spread: round-robin over the nodes (evenly spaced without topology);
 * local: only on nodes (the --numa-nodes, else mem_node, else the first
 * node that can hold all n).  nodes limits every policy when given.
 * 0 with *out filled, or -ENOSPC with the reason in err.
 */
int plan_alloc_cpus(const struct mk_model *m, const struct cpuset *free,
		    uint32_t n, enum plan_affinity aff, const uint32_t *nodes,
		    size_t nnodes, int64_t mem_node, struct cpuset *out,
		    char *err, size_t errlen);

/* A free range of pool memory. */
struct plan_gap {
	uint64_t base, size;
};

/*
 * Is [base, base+size) inside one gap?  -ERANGE with the reason in err
 * (outside the pool chunks, or overlapping instance memory).
 */
int plan_check_base(const struct mk_model *m, const struct plan_gap *gaps,
		    size_t ngaps, uint64_t base, uint64_t size, char *err,
		    size_t errlen);

/* First gap that holds size bytes, preferring NUMA node numa (-1 any). */
int plan_find_gap(const struct mk_model *m, const struct plan_gap *gaps,
		  size_t ngaps, uint64_t size, int64_t numa, uint64_t *base);

/* Lowest id in 1..MK_ID_MAX no instance of m uses (skip: -1); 0 if none. */
uint32_t plan_free_id(const struct mk_model *m);

/*
 * The memory delta of an update: the instance has regions old[0..nold)
 * (sorted), the new total is size.  Shrinking takes back the top of the
 * last regions; growing extends the last region in place when the range
 * after it is free (inside gaps), else adds a new region from the first
 * gap that fits.  Ranges to remove and to add are returned (caller frees).
 */
struct plan_range {
	uint64_t base, size;
};
int plan_mem_delta(const struct plan_range *old, size_t nold, uint64_t size,
		   const struct plan_gap *gaps, size_t ngaps,
		   struct plan_range **rm, size_t *nrm, struct plan_range **add,
		   size_t *nadd);

/*
 * A device as written on the command line: "eth0", "eth0:vf1",
 * "eth0_vf1", "nvme0:ns2", "nvme0_ns2".  Resolved against the model.
 */
struct plan_dev {
	int dev;       /* device index */
	int vf;	       /* -1: the whole device */
	int ns;	       /* namespace (refused later), -1 none */
	char *name;    /* canonical: "eth0", "eth0_vf1" */
};
/* 0, or -ENOENT / -EINVAL with the reason (and candidates) in err. */
int plan_parse_device(const struct mk_model *m, const char *s,
		      struct plan_dev *out, char *err, size_t errlen);

/*
 * Replace the device list of instance in (of m) by pd[0..n): whole
 * devices, and VFs as device references (found, or added to m).
 */
void plan_set_devices(struct mk_model *m, struct mk_instance *in,
		      const struct plan_dev *pd, size_t n);
void plan_dev_free(struct plan_dev *pd, size_t n);

#endif
