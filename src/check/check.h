/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The check table (checks.md §1): one entry per rule, with its stable
 * name, its severity, one line of description and the function that runs
 * it.  As in dtc's checks.c, adding a rule is adding one entry.
 */
#ifndef KERF_CHECK_CHECK_H
#define KERF_CHECK_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "check/finding.h"
#include "model/model.h"

struct host_info;

struct check_ctx {
	const struct mk_model *m;
	struct findings *f;
	const struct host_info *host; /* NULL: host checks do not run */
	bool baseline;		      /* kerf init: the input is a baseline */
	bool report;		      /* notes (utilization) wanted */
	/* shared indexes, built once per run */
	uint32_t cpu_limit; /* size of the arrays below */
	int32_t *cpu_owner; /* first instance using each CPU, -1 */
	uint32_t *cpu_use;  /* number of instances using it */
	bool cpu_shared;    /* some CPU is used more than once */
	size_t *regions;    /* instances with placed memory, by base */
	size_t nregions;
	struct cpuset used; /* CPUs of every instance */
	/* CPUs already proposed by a suggestion: the next one avoids them,
	 * so that following every suggestion cannot create a new overlap */
	struct cpuset suggested;
	struct cpuset *picks;	/* per instance: its suggestion, if made */
	uint32_t *pick_n;	/* ... and for how many CPUs (0: none) */
	/* by the CPU checks: 1 << enum cpu_class of the CPUs in use */
	unsigned int cpu_classes;
	bool cpu_classes_known;
};

enum check_flags {
	CHECK_HOST = 1 << 0,	 /* needs the host (--host, applying) */
	CHECK_BASELINE = 1 << 1, /* only for kerf init */
	CHECK_REPORT = 1 << 2,	 /* notes shown in reports only */
	CHECK_LOADER = 1 << 3,	 /* reported while loading/decoding */
	CHECK_BOTH = 1 << 4,	 /* warning and error forms (W/E) */
};

struct check {
	const char *name;
	enum severity sev;
	unsigned int flags;
	const char *desc;
	void (*fn)(struct check_ctx *c);
};

extern const struct check check_table[];
extern const size_t check_count;

const struct check *check_find(const char *name);

struct check_opts {
	const struct host_info *host;
	bool baseline;
	bool report;
	const char *const *disabled; /* -W no-NAME (warnings only) */
	size_t ndisabled;
};

/*
 * Run every check on the model; findings are appended to f in check-table
 * order, each check's own findings in a stable order.
 */
void check_run(const struct mk_model *m, const struct check_opts *o,
	       struct findings *f);

/* Mark suppressed warnings (-W no-NAME) and recount. */
void check_suppress(struct findings *f, const char *const *names, size_t n);

/* The checks, one function each (check_*.c). */
void check_inventory_cpus(struct check_ctx *c);
void check_inventory_cpu0(struct check_ctx *c);
void check_inventory_unlisted(struct check_ctx *c);
void check_inventory_memory(struct check_ctx *c);
void check_inventory_devices(struct check_ctx *c);
void check_inventory_topology(struct check_ctx *c);
void check_inventory_coverage(struct check_ctx *c);
void check_baseline_no_instances(struct check_ctx *c);
void check_cpu_exists(struct check_ctx *c);
void check_cpu_host_reserved(struct check_ctx *c);
void check_cpu_not_available(struct check_ctx *c);
void check_cpu_overlap(struct check_ctx *c);
void check_cpu_over_allocation(struct check_ctx *c);
void check_cpu_empty(struct check_ctx *c);
void check_smt_split(struct check_ctx *c);
void check_mem_outside_pool(struct check_ctx *c);
void check_mem_overlap(struct check_ctx *c);
void check_mem_over_allocation(struct check_ctx *c);
void check_mem_size(struct check_ctx *c);
void check_mem_alignment(struct check_ctx *c);
void check_dev_unknown(struct check_ctx *c);
void check_dev_reference(struct check_ctx *c);
void check_dev_vf_range(struct check_ctx *c);
void check_dev_ns_range(struct check_ctx *c);
void check_dev_shared(struct check_ctx *c);
void check_instance_name(struct check_ctx *c);
void check_instance_id(struct check_ctx *c);
void check_phandle_dangling(struct check_ctx *c);
void check_numa_node_unknown(struct check_ctx *c);
void check_numa_cpu_mismatch(struct check_ctx *c);
void check_affinity_compact(struct check_ctx *c);
void check_affinity_spread(struct check_ctx *c);
void check_affinity_local(struct check_ctx *c);
void check_policy_local(struct check_ctx *c);
void check_policy_bind(struct check_ctx *c);
void check_host_cpus(struct check_ctx *c);
void check_host_memory(struct check_ctx *c);
void check_host_devices(struct check_ctx *c);
void check_utilization(struct check_ctx *c);

/* A sort key and what it sorts (an index, usually). */
struct key_idx {
	uint64_t key;
	size_t idx;
};

/*
 * Sort v stably by key: an LSD radix sort, one counting pass per byte of
 * the keys and no move for a byte in which they all agree, so integer
 * keys of any width cost O(n).
 */
void sort_key_idx(struct key_idx *v, size_t n);

/* Suggestions (suggest.c) */
/*
 * First run of n consecutive CPUs in free (lowest first); if there is none,
 * the lowest n free CPUs.  false if fewer than n are free.
 */
bool suggest_cpus(const struct cpuset *free, uint32_t n, struct cpuset *out);
/* The free CPUs: available minus every instance except skip (-1: none). */
void free_cpus(const struct check_ctx *c, long skip, struct cpuset *out);
/*
 * n free CPUs for instance skip into pick, preferring CPUs no earlier
 * suggestion for another instance proposed; an instance gets the same
 * pick in all its findings.  False if fewer than n are free.  fr gets the
 * free CPUs.
 */
bool suggest_free_cpus(struct check_ctx *c, long skip, uint32_t n,
		       struct cpuset *fr, struct cpuset *pick);
/*
 * Lowest page-aligned base in the pool where size bytes fit without
 * touching any instance region except skip's.  false if none.
 */
bool suggest_memory(const struct check_ctx *c, long skip, uint64_t size,
		    uint64_t *base);
/* "eth0:vf2", "nvme0:ns2" */
char *dev_part_name(const struct mk_device *d, bool vf, uint32_t id);
/* Is a placed region of instance i present (base and size known)? */
bool inst_placed(const struct mk_instance *in);
/* "CPU 35" / "CPUs 32-35" */
char *cpus_phrase(const struct cpuset *s);
/*
 * "Did you mean": up to max names closest to name (edit distance <= a
 * third of the longer name, at least 2), each marked available or not.
 */
void suggest_names(struct finding *x, const char *name,
		   const char *const *names, const bool *avail, size_t n,
		   size_t max);

/* "2 GiB" in a static-free buffer */
#define SIZE_BUF 32
const char *fmt_size(char *buf, uint64_t bytes);

#endif
