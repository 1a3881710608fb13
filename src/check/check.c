// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The check table and the runner.  Order matters only for output: the
 * findings come out in table order, inventory first.
 */
#include "check/check.h"

#include <stdlib.h>
#include <string.h>

#define E SEV_ERROR
#define W SEV_WARNING
#define I SEV_NOTE

const struct check check_table[] = {
	/* loading and decoding */
	{"syntax", E, CHECK_LOADER,
	 "the file is valid device-tree source or a valid blob (grammar, "
	 "labels, references)",
	 NULL},
	{"cell-overflow", W, CHECK_LOADER | CHECK_BOTH,
	 "a literal wider than its cell (accepted with a warning for the "
	 "binding's u64 properties written <0x0 V>)",
	 NULL},
	{"schema", E, CHECK_LOADER,
	 "the description follows the multikernel binding (required nodes and "
	 "properties, value lengths, known keywords)",
	 NULL},
	/* inventory */
	{"inventory-cpus", E, 0,
	 "total >= 1; host-reserved and available CPUs exist, are disjoint and "
	 "listed once",
	 check_inventory_cpus},
	{"inventory-cpu0", E, 0,
	 "logical CPU 0 (the boot CPU) is host-reserved", check_inventory_cpu0},
	{"inventory-unlisted-cpu", W, 0,
	 "every CPU is either host-reserved or available",
	 check_inventory_unlisted},
	{"inventory-memory", E, 0,
	 "the memory pool is non-empty, page aligned and inside total memory "
	 "with the host's share",
	 check_inventory_memory},
	{"inventory-devices", E, 0,
	 "pci-ids well formed and unique, names unique, VF and namespace lists "
	 "in range and disjoint",
	 check_inventory_devices},
	{"inventory-topology", E, 0,
	 "NUMA node ids unique, node CPUs and memory disjoint, distance matrix "
	 "NxN, SMT cores disjoint",
	 check_inventory_topology},
	{"inventory-topology-coverage", W, 0,
	 "every available CPU and pool byte belongs to a NUMA node (when a "
	 "topology is given)",
	 check_inventory_coverage},
	{"baseline-no-instances", E, CHECK_BASELINE,
	 "a baseline given to kerf init has no instances",
	 check_baseline_no_instances},
	/* CPUs */
	{"cpu-exists", E, 0, "every instance CPU exists (0..total-1)",
	 check_cpu_exists},
	{"cpu-host-reserved", E, 0, "no instance CPU is host-reserved",
	 check_cpu_host_reserved},
	{"cpu-not-available", E, 0,
	 "every instance CPU is in the available list",
	 check_cpu_not_available},
	{"cpu-overlap", E, 0, "no CPU is given to two instances",
	 check_cpu_overlap},
	{"cpu-over-allocation", E, 0,
	 "instances use at most as many CPUs as are available",
	 check_cpu_over_allocation},
	{"cpu-empty", E, 0, "every instance has at least one CPU",
	 check_cpu_empty},
	{"smt-split", W, 0,
	 "SMT siblings of one physical core are not split across instances "
	 "(side-channel risk)",
	 check_smt_split},
	/* memory */
	{"mem-outside-pool", E, 0,
	 "every instance memory region lies inside the memory pool",
	 check_mem_outside_pool},
	{"mem-overlap", E, 0, "no two instance memory regions overlap",
	 check_mem_overlap},
	{"mem-over-allocation", E, 0,
	 "instance memory adds up to at most the pool size",
	 check_mem_over_allocation},
	{"mem-size", E, 0,
	 "memory-bytes is given, non-zero and a multiple of 4 KiB",
	 check_mem_size},
	{"mem-alignment", W, 0, "memory-base is page aligned (4 KiB)",
	 check_mem_alignment},
	/* devices */
	{"dev-unknown", E, 0,
	 "every device an instance names exists in the inventory",
	 check_dev_unknown},
	{"dev-reference", E, 0,
	 "device-reference nodes have a parent device and exactly one vf-id or "
	 "namespace-id of the parent's kind",
	 check_dev_reference},
	{"dev-vf-range", E, 0,
	 "a VF id exists, is not host-reserved and is in available-vfs",
	 check_dev_vf_range},
	{"dev-ns-range", E, 0,
	 "a namespace id exists, is not host-reserved and is in available-ns",
	 check_dev_ns_range},
	{"dev-shared", E, 0,
	 "no device, VF or namespace is given to two instances (nor a whole "
	 "device and one of its parts)",
	 check_dev_shared},
	/* instances */
	{"instance-name", E, 0,
	 "instance names are unique and valid node names (at most 31 "
	 "characters)",
	 check_instance_name},
	{"instance-id", E, 0, "instance ids are unique and in 1..2047",
	 check_instance_id},
	{"phandle-dangling", E, 0, "every &label reference resolves",
	 check_phandle_dangling},
	/* topology and policies */
	{"numa-node-unknown", E, 0,
	 "every numa-nodes entry of an instance exists",
	 check_numa_node_unknown},
	{"numa-cpu-mismatch", W, 0,
	 "instance CPUs lie in the instance's numa-nodes",
	 check_numa_cpu_mismatch},
	{"affinity-compact", W, 0,
	 "compact: CPUs on one NUMA node and on as few cores as possible",
	 check_affinity_compact},
	{"affinity-spread", W, 0,
	 "spread: CPUs not all on one NUMA node when several exist",
	 check_affinity_spread},
	{"affinity-local", W, 0, "local: CPUs and memory on the same NUMA node",
	 check_affinity_local},
	{"policy-local", W, 0,
	 "local memory policy: memory on the CPUs' NUMA node",
	 check_policy_local},
	{"policy-bind", W, CHECK_BOTH,
	 "bind memory policy: numa-nodes given (warning) and existing (error)",
	 check_policy_bind},
	/* host */
	{"host-cpus", E, CHECK_HOST,
	 "every pool CPU exists on the host and has a known physical id",
	 check_host_cpus},
	{"host-memory", E, CHECK_HOST, "the memory pool fits the host's memory",
	 check_host_memory},
	{"host-devices", E, CHECK_HOST,
	 "every pool PCI device and VF exists in the host's PCI sysfs",
	 check_host_devices},
	/* reports */
	{"utilization", I, CHECK_REPORT,
	 "free CPUs, memory, VFs and namespaces (reports only)",
	 check_utilization},
	/* encoding for the kernel (compile --for-kernel, init) */
	{"kernel-encode", E, CHECK_LOADER,
	 "the baseline can be expressed in the kernel's ABI (physical CPU ids, "
	 "PCI ids)",
	 NULL},
};

const size_t check_count = ARRAY_SIZE(check_table);

const struct check *check_find(const char *name)
{
	size_t i;

	for (i = 0; i < check_count; i++)
		if (!strcmp(check_table[i].name, name))
			return &check_table[i];
	return NULL;
}

void sort_key_idx(struct key_idx *v, size_t n)
{
	struct key_idx *t, *from = v, *to;
	size_t count[256], i, b, sum;
	uint64_t differ = 0;
	unsigned int shift;

	for (i = 1; i < n; i++)
		if (v[i - 1].key > v[i].key)
			break;
	if (i >= n)
		return; /* in order already, the usual case for some keys */
	for (i = 1; i < n; i++)
		differ |= v[i].key ^ v[0].key;
	t = xmalloc(n * sizeof(*t));
	to = t;
	for (shift = 0; shift < 64; shift += 8) {
		if (!(differ >> shift & 0xff))
			continue; /* every key has this byte */
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[from[i].key >> shift & 0xff]++;
		for (b = 0, sum = 0; b < 256; b++) {
			size_t k = count[b];

			count[b] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++)
			to[count[from[i].key >> shift & 0xff]++] = from[i];
		to = from;
		from = from == v ? t : v;
	}
	if (from != v)
		memcpy(v, from, n * sizeof(*v));
	free(t);
}

static void ctx_build(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	uint32_t limit = m->cpus.total;
	struct key_idx *kv;
	int64_t last;
	size_t i;

	cpuset_init(&c->used);
	cpuset_init(&c->suggested);
	for (i = 0; i < m->ninstances; i++)
		cpuset_or(&c->used, &m->instances[i].cpus);
	last = cpuset_last(&c->used);
	if (last >= (int64_t)limit)
		limit = (uint32_t)last + 1;
	last = cpuset_last(&m->cpus.available);
	if (last >= (int64_t)limit)
		limit = (uint32_t)last + 1;
	c->cpu_limit = limit;
	c->cpu_owner = xmalloc((limit + 1) * sizeof(*c->cpu_owner));
	c->cpu_use = xzalloc((limit + 1) * sizeof(*c->cpu_use));
	for (i = 0; i < limit; i++)
		c->cpu_owner[i] = -1;
	for (i = 0; i < m->ninstances; i++) {
		cpuset_for_each(&m->instances[i].cpus, cpu)
		{
			if (c->cpu_owner[cpu] < 0)
				c->cpu_owner[cpu] = (int32_t)i;
			else
				c->cpu_shared = true;
			c->cpu_use[cpu]++;
		}
	}
	/* placed regions by base, then instance */
	kv = xmalloc((m->ninstances + 1) * sizeof(*kv));
	c->nregions = 0;
	for (i = 0; i < m->ninstances; i++)
		if (inst_placed(&m->instances[i]))
			kv[c->nregions++] =
				(struct key_idx){m->instances[i].mem_base, i};
	sort_key_idx(kv, c->nregions);
	c->regions = xmalloc((c->nregions + 1) * sizeof(*c->regions));
	for (i = 0; i < c->nregions; i++)
		c->regions[i] = kv[i].idx;
	free(kv);
}

void check_run(const struct mk_model *m, const struct check_opts *o,
	       struct findings *f)
{
	struct check_ctx c = {
		.m = m,
		.f = f,
		.host = o ? o->host : NULL,
		.baseline = o && o->baseline,
		.report = o && o->report,
	};
	size_t i;

	ctx_build(&c);
	for (i = 0; i < check_count; i++) {
		const struct check *k = &check_table[i];

		if (!k->fn)
			continue;
		if ((k->flags & CHECK_HOST) && !c.host)
			continue;
		if ((k->flags & CHECK_BASELINE) && !c.baseline)
			continue;
		if ((k->flags & CHECK_REPORT) && !c.report)
			continue;
		/* a baseline's instances are refused as a whole
		 * (baseline-no-instances); their contents are not checked */
		if (c.baseline && strncmp(k->name, "inventory-", 10) &&
		    strncmp(k->name, "baseline-", 9) &&
		    strncmp(k->name, "host-", 5) && !(k->flags & CHECK_REPORT))
			continue;
		k->fn(&c);
	}
	free(c.cpu_owner);
	free(c.cpu_use);
	free(c.regions);
	cpuset_free(&c.used);
	cpuset_free(&c.suggested);
	if (c.picks) {
		for (i = 0; i < m->ninstances; i++)
			cpuset_free(&c.picks[i]);
		free(c.picks);
		free(c.pick_n);
	}
	if (o && o->ndisabled)
		check_suppress(f, o->disabled, o->ndisabled);
}

void check_suppress(struct findings *f, const char *const *names, size_t n)
{
	size_t i, k;

	for (i = 0; i < f->n; i++) {
		if (f->v[i].sev != SEV_WARNING)
			continue;
		for (k = 0; k < n; k++)
			if (!strcmp(f->v[i].check, names[k]))
				f->v[i].suppressed = true;
	}
	findings_count(f);
}
