/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the host says about itself (kernel.md §1, §3): CPUs and their
 * physical ids from proc/cpuinfo, present CPUs, NUMA nodes, memory, and
 * PCI functions with their VFs — every path under the sysroot.
 */
#ifndef KERF_KERNEL_HOST_H
#define KERF_KERNEL_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/cpuset.h"

#define HOST_NO_ID UINT64_MAX

struct host_pci {
	char *bdf;
	uint32_t vendor, device;
	bool has_ids;
	int numa;      /* -1: unknown */
	char **virtfn; /* BDF of VF n (NULL if unknown) */
	size_t nvirtfn;
};

struct host_range {
	uint64_t start, end; /* end exclusive */
};

struct host_info {
	char *sysroot;
	bool have_cpus;
	struct cpuset cpus; /* present (or listed in cpuinfo) */
	uint64_t *apicid;   /* physical id of logical cpu N */
	size_t napicid;
	bool have_mem;
	uint64_t mem_total;	/* MemTotal, bytes */
	struct host_range *ram; /* System RAM from proc/iomem (non-zero) */
	size_t nram;
	bool have_pci;
	struct host_pci *pci;
	size_t npci;
	size_t nnodes; /* sys/devices/system/node/nodeN */
};

/*
 * Read everything kerf needs to know about the host under sysroot.
 * Missing files leave the matching have_* false; only a sysroot that is
 * not a directory is an error (-ENOENT/-ENOTDIR).
 */
int host_read(const char *sysroot, struct host_info *h);
void host_free(struct host_info *h);
const struct host_pci *host_pci_find(const struct host_info *h,
				     const char *bdf);
/* Physical id of logical CPU cpu, HOST_NO_ID if unknown. */
uint64_t host_phys_id(const struct host_info *h, uint32_t cpu);
/* sysroot + "/" + rel, caller frees. */
char *host_path(const char *sysroot, const char *rel);

#endif
