/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mk2 kernel ABI's device-tree forms (reference/kernel-abi-mk2.md §2):
 * the only code in kerf that knows the kernel's property names.  Reading:
 * the baseline request form and the pool tree read back from the kernel,
 * decoded into the model.  Writing: the baseline blob `kerf init` writes.
 */
#ifndef KERF_KERNEL_MK2_H
#define KERF_KERNEL_MK2_H

#include "check/finding.h"
#include "dt/tree.h"
#include "model/model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct host_info;

#define MK2_BASELINE_MAX (1u << 20) /* the kernel's atomic_write_len */

/*
 * Build the baseline tree for the kernel from a validated model
 * (kernel.md §2): available CPUs as u64 physical ids, one memory@N
 * request per NUMA node the pool overlaps, PCI devices and available VFs
 * as PCI functions.  Physical ids come from the model (physical-ids, or a
 * flat/kernel input whose ids are physical), else from host; PCI ids and
 * VF functions from the file, else from host.  What cannot be encoded is
 * an error finding (check "kernel-encode"); notes say what was left out
 * (NVMe namespaces).  Returns 0 or -EINVAL.
 */
int mk2_baseline_tree(const struct mk_model *m, const struct host_info *host,
		      struct dt_tree **out, struct findings *f);

/* ---- read-back trees (kernel-abi-mk2.md §2.3) -------------------------- */

struct mk2_chunk {
	uint64_t base, size;
	int64_t numa; /* -1: not given */
};

/*
 * The memory requests the baseline of m makes (kernel.md §2): one per
 * NUMA node the declared pool range overlaps, else one per pool range
 * (numa -1 when none is known); base is 0.  Caller frees *out.
 */
size_t mk2_pool_requests(const struct mk_model *m, struct mk2_chunk **out);

/*
 * What kerf needs of a pool tree or an instance tree.  Lists the kernel
 * omits when empty read as empty.  PCI functions are rebuilt from the host
 * bridge nodes ("DDDD:BB:SS.F"), with their /aliases name if any.
 */
struct mk2_readback {
	bool has_id;
	uint32_t id;
	char *model; /* instance trees: the instance name */
	uint64_t *cpus;
	size_t ncpus;
	uint64_t *cpus_free; /* pool tree: cpus-available */
	size_t ncpus_free;
	struct mk2_chunk *chunks; /* pool tree: memory@base */
	size_t nchunks;
	bool has_mem; /* instance tree: memory-base / memory-bytes */
	uint64_t mem_base, mem_bytes;
	char **pci;	  /* PCI ids */
	char **pci_alias; /* parallel; NULL where no alias names it */
	size_t npci;
};

/* Parse a blob the kernel returned (already checked); 0 or -EBADMSG. */
int mk2_parse_readback(const void *blob, size_t len, struct mk2_readback *rb);
void mk2_readback_free(struct mk2_readback *rb);

/* ---- overlays (kernel-abi-mk2.md §2.2) ---------------------------------- */

#define MK2_OVERLAY_MAX 4096u /* one write of overlays/new */

/* A PCI function given to an instance. */
struct mk2_pci {
	const char *name; /* node name: "eth0", "eth0_vf1" */
	const char *pci_id;
	uint32_t vendor, device;
	bool has_ids;
};

enum mk2_op {
	/* in the kernel's order within a fragment */
	MK2_MEM_REMOVE,
	MK2_MEM_ADD,
	MK2_CPU_REMOVE,
	MK2_CPU_ADD,
	MK2_DEV_REMOVE,
	MK2_DEV_ADD,
};

/* One item of a delta on /instances/<name>. */
struct mk2_item {
	enum mk2_op op;
	uint64_t a, b;	     /* memory: base, size; CPUs: physical id */
	int64_t numa;	     /* memory-add: numa-node-id, -1 none */
	struct mk2_pci pci;  /* devices */
};

struct mk2_create {
	const char *name;
	uint32_t id;	     /* always sent (kernel.md §4) */
	const uint64_t *cpus; /* physical ids; the first is the boot CPU */
	size_t ncpus;
	uint64_t mem_bytes;  /* 0: omitted (explicit base via memory-add) */
	const uint32_t *numa;
	size_t nnuma;
	const struct mk2_pci *devs;
	size_t ndevs;
};

/* A list of blobs, each at most MK2_OVERLAY_MAX bytes. */
struct mk2_blobs {
	void **v;
	size_t *len;
	size_t n;
};

void mk2_blobs_free(struct mk2_blobs *b);

/*
 * create: the instance-create fragment (target /instances), followed in
 * the same blob by a /instances/<name> fragment with the items (an
 * explicit memory-add, ...).  Whatever does not fit in 4096 bytes goes
 * into further /instances/<name> blobs (cpu-add, device-add, ...), in
 * order.  items must be sorted by op.  0, or -E2BIG if even a single item
 * cannot be encoded in one blob.
 */
int mk2_create_blobs(const struct mk2_create *c, const struct mk2_item *items,
		     size_t nitems, struct mk2_blobs *out);
/* A delta on /instances/<name>, split as needed.  items sorted by op. */
int mk2_delta_blobs(const char *name, const struct mk2_item *items,
		    size_t nitems, struct mk2_blobs *out);
/*
 * The instance an overlay blob creates (its first instance-create);
 * 0 with *name (caller frees), -ENOENT if it creates none, -EBADMSG.
 */
int mk2_overlay_created(const void *blob, size_t len, char **name);
/*
 * A change of the pool (target /resources), split as needed.  items
 * sorted by op: MK2_MEM_ADD grows the pool by b bytes (numa, or -1: any
 * node; the kernel picks the address), MK2_MEM_REMOVE names a whole chunk
 * (a = base, b = size), CPUs by physical id, devices by pci-id.
 */
int mk2_pool_blobs(const struct mk2_item *items, size_t nitems,
		   struct mk2_blobs *out);
/* instance-remove (target /instances); one blob. */
int mk2_remove_blob(const char *name, struct mk2_blobs *out);

#endif
