/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The multikernel model: what a description says about the machine
 * (inventory, topology, devices) and about the instances on it, whatever
 * form it was written in (schema.md §2).  Every value keeps the position
 * of the property it came from, so a finding can quote it.
 *
 * CPU numbers in the model are logical CPU numbers, except for inputs in
 * the flat or kernel form, which only know physical ids: there the ids are
 * taken as the CPU numbers and cpus.ids_physical is set.
 */
#ifndef KERF_MODEL_MODEL_H
#define KERF_MODEL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dt/tree.h"
#include "model/cpuset.h"
#include "util/srcpos.h"

#define MK_PAGE_SIZE 4096u
#define MK_ID_MAX 2047u /* ids kexec can address (11 bits) */
#define MK_NAME_MAX 31u

enum mk_form {
	MK_FORM_NONE,	/* not a multikernel description */
	MK_FORM_SEED,	/* the seeds' nested schema */
	MK_FORM_FLAT,	/* later Python kerf: cpus = <ids>; memory-base */
	MK_FORM_KERNEL, /* mk2 baseline request: memory@N { size } */
	MK_FORM_POOL,	/* mk2 pool read-back: memory@base { reg } */
};

/* A value's origin: the property (for its line) or nothing. */
struct mk_pos {
	struct srcpos pos;
	const char *prop; /* property name, NULL if absent */
};

struct mk_core {
	char *name;
	struct cpuset cpus;
	uint32_t socket;
	bool has_socket;
	struct mk_pos at;
};

struct mk_cpus {
	bool present;
	bool ids_physical; /* flat/kernel form: numbers are physical ids */
	uint32_t total;
	struct mk_pos total_at;
	struct cpuset host_reserved, available;
	struct mk_pos reserved_at, available_at;
	/* CPU lists as written, for "no CPU twice" (NULL if not kept) */
	struct cpuset dup_reserved, dup_available;
	uint64_t *phys; /* physical id of cpuN, N < nphys */
	size_t nphys;
	struct mk_pos phys_at;
	struct mk_core *cores;
	size_t ncores;
	struct cpuset pool_free; /* pool read-back: cpus-available */
	bool has_pool_free;
};

struct mk_range {
	uint64_t base, size;
	bool has_base;
	int64_t numa; /* -1: any */
	struct mk_pos at;
};

struct mk_memory {
	bool present;
	uint64_t total, host_reserved;
	bool has_total, has_host_reserved;
	struct mk_pos total_at, reserved_at, base_at, size_at;
	struct mk_range *pool; /* chunks; the seeds' form has one */
	size_t npool;
	uint64_t pool_bytes; /* sum of chunk sizes */
};

enum mk_dev_kind {
	MK_DEV_WHOLE,
	MK_DEV_SRIOV, /* has sriov-vfs */
	MK_DEV_NVME,  /* has namespaces */
};

struct mk_device {
	char *name; /* label, else node name */
	char *path;
	const struct dt_node *node;
	struct mk_pos at; /* the node */
	char *compatible;
	char *pci_id;
	struct mk_pos pci_at;
	uint32_t vendor_id, device_id;
	bool has_vendor, has_device;
	int64_t numa; /* -1: unknown */
	enum mk_dev_kind kind;
	uint32_t nvfs; /* VFs 0..nvfs-1 */
	struct cpuset vf_reserved, vf_available;
	struct mk_pos vfs_at, vf_reserved_at, vf_available_at;
	uint32_t nns; /* namespaces 1..nns */
	struct cpuset ns_reserved, ns_available;
	struct mk_pos ns_at, ns_reserved_at, ns_available_at;
	char *device_type; /* kernel form */
};

/* A device-reference node: eth0_vf1: ethernet-vf@1 { parent; vf-id; } */
struct mk_devref {
	char *name; /* label, else node name */
	const struct dt_node *node;
	struct mk_pos at;
	int parent;	  /* device index, -1 if none */
	char *parent_ref; /* label the parent was written with */
	struct mk_pos parent_at;
	bool parent_missing;	/* no parent property */
	bool parent_dangling;	/* &label does not resolve */
	bool parent_not_device; /* resolves to something else */
	bool has_vf, has_ns;
	uint32_t vf, ns;
	struct mk_pos vf_at, ns_at;
};

struct mk_numa_node {
	uint32_t id;
	struct mk_pos at, id_at, mem_at, cpus_at;
	uint64_t mem_base, mem_size;
	bool has_mem;
	char *mem_type;
	struct cpuset cpus;
};

struct mk_topology {
	bool present;
	struct mk_numa_node *nodes;
	size_t nnodes;
	uint32_t *distance; /* as written */
	size_t ndistance;
	struct mk_pos distance_at;
};

enum mk_ref_kind {
	MK_REF_DEVICE,	 /* a whole device: index into devices */
	MK_REF_DEVREF,	 /* a device-reference node: index into devrefs */
	MK_REF_DANGLING, /* &label that does not resolve */
	MK_REF_OTHER,	 /* resolves to a node that is neither */
	MK_REF_NAME,	 /* a device named by string (flat form) */
};

struct mk_inst_dev {
	enum mk_ref_kind kind;
	int index;  /* device or devref index, -1 otherwise */
	char *name; /* as written (label or string) */
	struct mk_pos at;
};

struct mk_instance {
	char *name;
	const struct dt_node *node;
	struct mk_pos at;
	struct srcpos redef; /* second definition (file NULL if none) */
	bool malformed;	     /* schema error already reported (no resources,
			      * or cpus not a cell list) */
	bool has_id;
	uint32_t id;
	struct mk_pos id_at;
	struct cpuset cpus;
	struct cpuset cpus_dup; /* CPUs listed twice */
	bool has_cpus;
	struct mk_pos cpus_at;
	uint64_t mem_base, mem_size;
	bool has_base, has_size;
	struct mk_pos base_at, size_at;
	struct mk_inst_dev *devs;
	size_t ndevs;
	struct mk_pos devs_at;
	uint32_t *numa;
	size_t nnuma;
	struct mk_pos numa_at;
	char *affinity, *policy;
	struct mk_pos affinity_at, policy_at;
};

/* A reference outside instance device lists that does not resolve. */
struct mk_dangling {
	char *ref;
	struct srcpos pos;
	char *where; /* path of the node holding it */
	const struct dt_property *prop;
	size_t offset; /* of the cell in the value */
	bool claimed;  /* reported by a device check instead */
};

struct mk_dup_instance {
	char *name;
	struct srcpos first, second;
};

struct mk_model {
	enum mk_form form;
	const char *file; /* input name for messages */
	const struct dt_tree *tree;
	bool has_instances_node;
	struct mk_pos instances_at;
	struct mk_cpus cpus;
	struct mk_memory mem;
	struct mk_device *devices;
	size_t ndevices;
	struct mk_devref *devrefs;
	size_t ndevrefs;
	struct mk_topology topo;
	struct mk_instance *instances;
	size_t ninstances;
	struct mk_dangling *dangling;
	size_t ndangling;
	struct mk_dup_instance *dups;
	size_t ndups;
	struct strmap dev_by_name; /* name -> device index + 1 */
	struct strmap ref_by_name; /* name -> devref index + 1 */
};

struct findings;

void mk_model_init(struct mk_model *m);
void mk_model_free(struct mk_model *m);

/*
 * Which form a tree is in; MK_FORM_NONE if it is not a multikernel
 * description (compile then treats it as plain DTS).
 */
enum mk_form mk_detect(const struct dt_tree *t);
const char *mk_form_name(enum mk_form f);

/*
 * Decode a resolved tree into m.  Schema errors (a missing required
 * property, a value of the wrong length) become findings in f.  Returns 0,
 * or -EINVAL if the tree is not a multikernel description at all.
 */
int mk_decode(const struct dt_tree *t, struct mk_model *m, struct findings *f);

/* Lookups; -1 if absent. */
int mk_device_find(const struct mk_model *m, const char *name);
int mk_devref_find(const struct mk_model *m, const char *name);
/* The NUMA node (index) holding cpu / address; -1 if none. */
int mk_numa_of_cpu(const struct mk_model *m, uint32_t cpu);
int mk_numa_of_addr(const struct mk_model *m, uint64_t addr);
int mk_numa_find(const struct mk_model *m, uint32_t id);
/* Pool end of the single-range pool (base + size), 0 if unknown. */
bool mk_pool_range(const struct mk_model *m, uint64_t *base, uint64_t *end);

/*
 * The load stage (load.c): read a DTS or DTB, apply the multikernel
 * policies the generic loader cannot know (cell-overflow exception for u64
 * properties of the binding, dangling references and duplicate instance
 * nodes kept as findings instead of aborting), and resolve.
 */
struct dt_parse_opts;
struct dt_resolve_opts;
struct diags;
int mk_load(const char *path, const struct dt_parse_opts *po,
	    const struct dt_resolve_opts *ro, struct dt_tree **out,
	    struct mk_model *m, struct diags *d);
bool mk_overflow_ok(const struct dt_tree *t, const struct dt_property *p,
		    const struct dt_marker *mk, void *ctx);

#endif
