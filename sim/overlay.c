// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Overlay transactions (kernel-abi-mk2.md §1.3 overlays/new, §2.2).
 *
 * A write of overlays/new is one transaction: fragments in ascending hex
 * order of their unit address, operations in the fixed per-target order,
 * items in blob order.  The first error stops the walk and marks the
 * transaction failed; what ran stays applied and write() still returns the
 * byte count.  rmdir walks the whole blob backwards and runs the inverse
 * of every operation, including those that never ran.
 */
#include "sim.h"
#include "fdtutil.h"
#include "dt/fdtcheck.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum op {
	OP_CREATE, OP_MEM_REMOVE, OP_MEM_ADD, OP_CPU_REMOVE, OP_CPU_ADD,
	OP_DEV_REMOVE, OP_DEV_ADD, OP_REMOVE, OP_N,
};

static const char *const op_name[OP_N] = {
	"instance-create", "memory-remove", "memory-add", "cpu-remove",
	"cpu-add", "device-remove", "device-add", "instance-remove",
};

static const char *const item_prefix[OP_N] = {
	NULL, "memory@", "memory@", "cpu@", "cpu@", "pci@", "pci@", NULL,
};

/* Per-target order (§2.2). */
static const enum op order_inst[] = {
	OP_CREATE, OP_MEM_REMOVE, OP_MEM_ADD, OP_CPU_REMOVE, OP_CPU_ADD,
	OP_DEV_REMOVE, OP_DEV_ADD, OP_REMOVE,
};

static const enum op order_pool[] = {
	OP_CPU_REMOVE, OP_DEV_REMOVE, OP_MEM_REMOVE, OP_MEM_ADD, OP_CPU_ADD,
	OP_DEV_ADD,
};

enum target { T_POOL, T_NS, T_INST };

struct octx {
	struct sim_kernel *k;
	const void *fdt;
	int txid;
	bool undo;
	int opno;
	int fail_at;
	int fail_err;
	enum target t;
	struct sim_instance *in;
	const char *what;	/* "instance-create web" etc. for messages */
	bool quiet;
};

static int ofail(struct octx *c, int err, const char *fmt, ...) PRINTF(3, 4);

static int ofail(struct octx *c, int err, const char *fmt, ...)
{
	va_list ap;
	char *m;

	if (c->quiet)
		return -err;
	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	sim_log(c->k, "Overlay tx%d%s: %s%s%s (%s)", c->txid,
		c->undo ? " rollback" : "", c->what ? c->what : "",
		c->what ? ": " : "", m, sim_errname(err));
	free(m);
	return -err;
}

static void owarn(struct octx *c, const char *fmt, ...) PRINTF(2, 3);

static void owarn(struct octx *c, const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	sim_log(c->k, "Overlay tx%d%s: warning: %s", c->txid,
		c->undo ? " rollback" : "", m);
	free(m);
}

/* cpu@X/reg: one u32 or one u64 cell */
static int cpu_reg(struct octx *c, int node, uint64_t *id)
{
	int len;
	const void *p = fdt_getprop(c->fdt, node, "reg", &len);

	if (!p || (len != 4 && len != 8))
		return ofail(c, EINVAL, "%s: reg must be one u32 or u64 cell",
			     fdt_get_name(c->fdt, node, NULL));
	*id = len == 4 ? fdt32_ld(p) : fdt64_ld(p);
	return 0;
}

static int mem_reg(struct octx *c, int node, uint64_t *base, uint64_t *size)
{
	int len;
	const fdt64_t *p = fdt_getprop(c->fdt, node, "reg", &len);

	if (!p || len != 16)
		return ofail(c, EINVAL, "%s: reg must be 16 bytes "
			     "(u64 base, u64 size)",
			     fdt_get_name(c->fdt, node, NULL));
	*base = fdt64_ld(&p[0]);
	*size = fdt64_ld(&p[1]);
	if (!*size || *base % SIM_PAGE || *size % SIM_PAGE)
		return ofail(c, EINVAL, "%s: range not page aligned",
			     fdt_get_name(c->fdt, node, NULL));
	return 0;
}

static int numa_prop(struct octx *c, int node, int *nid)
{
	uint32_t v;
	int r = prop_u32(c->fdt, node, "numa-node-id", &v);

	*nid = -1;
	if (r < 0 || (r && v >= SIM_MAX_NUMNODES))
		return ofail(c, EINVAL, "%s: bad numa-node-id",
			     fdt_get_name(c->fdt, node, NULL));
	if (r)
		*nid = (int)v;
	return 0;
}

static int get_cpu(struct octx *c, int node, int *cpu)
{
	uint64_t id = 0;
	int r = cpu_reg(c, node, &id);

	if (r)
		return r;
	*cpu = sim_cpu_by_phys(c->k, id);
	if (*cpu < 0)
		return ofail(c, ENODEV, "CPU %llu does not exist",
			     (unsigned long long)id);
	return 0;
}

static int get_pci(struct octx *c, int node, int *idx)
{
	const char *id = prop_str(c->fdt, node, "pci-id");

	if (!id)
		return ofail(c, EINVAL, "%s: no pci-id",
			     fdt_get_name(c->fdt, node, NULL));
	*idx = sim_pci_by_bdf(c->k, id);
	if (*idx < 0)
		return ofail(c, ENODEV, "PCI device %s not found", id);
	return 0;
}

static void inst_drop_cpu(struct sim_instance *in, int cpu)
{
	int i;

	for (i = 0; i < in->ncpus; i++)
		if (in->cpus[i] == cpu) {
			memmove(&in->cpus[i], &in->cpus[i + 1],
				(in->ncpus - i - 1) * sizeof(int));
			in->ncpus--;
			return;
		}
}

static void inst_add_cpu(struct sim_instance *in, int cpu)
{
	in->cpus = xrealloc(in->cpus, (in->ncpus + 1) * sizeof(int));
	in->cpus[in->ncpus++] = cpu;
}

/* ---- /resources (the pool) ---- */

static int pool_cpu(struct octx *c, int node, bool add)
{
	struct sim_kernel *k = c->k;
	int cpu, r = get_cpu(c, node, &cpu);

	if (r)
		return r;
	if (add) {
		if (k->cpu[cpu].in_pool)
			return ofail(c, EEXIST, "CPU %llu already in the pool",
				     (unsigned long long)k->cpu[cpu].phys);
		r = sim_cpu_to_pool(k, cpu);
		if (r)
			return ofail(c, -r, "CPU %llu cannot be offlined",
				     (unsigned long long)k->cpu[cpu].phys);
		sim_log(k, "smpboot: CPU %d is now offline (pool)", cpu);
		return 0;
	}
	if (!k->cpu[cpu].in_pool)
		return ofail(c, EINVAL, "CPU %llu is not in the pool",
			     (unsigned long long)k->cpu[cpu].phys);
	if (k->cpu[cpu].inst)
		return ofail(c, EBUSY, "CPU %llu is used by instance %d",
			     (unsigned long long)k->cpu[cpu].phys,
			     k->cpu[cpu].inst);
	k->cpu[cpu].in_pool = false;
	sim_log(k, "smpboot: Booting Node %d Processor %d APIC 0x%llx",
		k->host.cpu_node[cpu], cpu,
		(unsigned long long)k->cpu[cpu].phys);
	return 0;
}

static int pool_dev(struct octx *c, int node, bool add)
{
	struct sim_kernel *k = c->k;
	int idx, r = get_pci(c, node, &idx);
	const char *alias;

	if (r)
		return r;
	if (add) {
		if (k->pci[idx].in_pool)
			return ofail(c, EEXIST, "PCI %s already in the pool",
				     k->host.pci[idx].bdf);
		alias = prop_str(c->fdt, node, "alias");
		k->pci[idx].in_pool = true;
		k->pci[idx].inst = 0;
		free(k->pci[idx].node);
		free(k->pci[idx].alias);
		k->pci[idx].node = xstrdup(fdt_get_name(c->fdt, node, NULL));
		k->pci[idx].alias = alias ? xstrdup(alias) : NULL;
		sim_log(k, "multikernel: PCI %s moved to the pool",
			k->host.pci[idx].bdf);
		return 0;
	}
	if (!k->pci[idx].in_pool)
		return ofail(c, EINVAL, "PCI %s is not in the pool",
			     k->host.pci[idx].bdf);
	if (k->pci[idx].inst)
		return ofail(c, EBUSY, "PCI %s is used by instance %d",
			     k->host.pci[idx].bdf, k->pci[idx].inst);
	k->pci[idx].in_pool = false;
	sim_log(k, "multikernel: PCI %s returned to the host",
		k->host.pci[idx].bdf);
	return 0;
}

static int pool_mem_add(struct octx *c, int node, uint64_t size, int nid)
{
	uint64_t base;

	if (sim_pool_grow(c->k, size, nid, &base))
		return ofail(c, ENOMEM, "no contiguous %llu MiB",
			     (unsigned long long)(size >> 20));
	sim_park_setup(c->k);
	sim_log(c->k, "multikernel: pool chunk %#llx-%#llx added",
		(unsigned long long)base,
		(unsigned long long)(base + size - 1));
	return 0;
}

static int pool_mem(struct octx *c, int node, bool add)
{
	uint64_t base, size;
	int nid, r;

	if (add) {
		if (fdt_getprop(c->fdt, node, "reg", NULL))
			return ofail(c, EINVAL, "%s: reg is not accepted here, "
				     "give a size",
				     fdt_get_name(c->fdt, node, NULL));
		r = prop_u64(c->fdt, node, "size", &size);
		if (r <= 0 || !size || size % SIM_PAGE)
			return ofail(c, EINVAL, "%s: size must be a non-zero "
				     "page multiple u64",
				     fdt_get_name(c->fdt, node, NULL));
		r = numa_prop(c, node, &nid);
		if (r)
			return r;
		if (c->undo) {
			owarn(c, "memory-add cannot be undone (chunk base "
			      "not recorded)");
			return 0;
		}
		return pool_mem_add(c, node, size, nid);
	}
	r = mem_reg(c, node, &base, &size);
	if (r)
		return r;
	if (c->undo) {
		/* regrow by the same size, wherever it fits now */
		r = numa_prop(c, node, &nid);
		return r ? r : pool_mem_add(c, node, size, nid);
	}
	r = sim_pool_shrink(c->k, base, size);
	if (r == -EINVAL)
		return ofail(c, EINVAL, "%#llx+%#llx is not a pool chunk",
			     (unsigned long long)base,
			     (unsigned long long)size);
	if (r)
		return ofail(c, -r, "chunk %#llx is in use",
			     (unsigned long long)base);
	sim_log(c->k, "multikernel: pool chunk %#llx-%#llx released",
		(unsigned long long)base,
		(unsigned long long)(base + size - 1));
	return 0;
}

/* ---- /instances/<name> ---- */

static bool image_in(const struct sim_instance *in, uint64_t base,
		     uint64_t size)
{
	int i;

	if (!in->image)
		return false;
	for (i = 0; i < in->image->nseg; i++)
		if (in->image->seg[i].base < base + size &&
		    base < in->image->seg[i].base + in->image->seg[i].size)
			return true;
	return false;
}

static int inst_mem(struct octx *c, int node, bool add)
{
	struct sim_instance *in = c->in;
	uint64_t base, size;
	uint32_t mt;
	int nid, r, ch;

	r = mem_reg(c, node, &base, &size);
	if (r)
		return r;
	r = numa_prop(c, node, &nid);
	if (r)
		return r;
	if (prop_u32(c->fdt, node, "mem-type", &mt) < 0)
		return ofail(c, EINVAL, "mem-type must be a u32");
	if (add) {
		if (!sim_range_in_pool(c->k, base, size, &ch))
			return ofail(c, EINVAL, "%#llx+%#llx is not inside "
				     "one pool chunk",
				     (unsigned long long)base,
				     (unsigned long long)size);
		if (sim_range_used(c->k, base, size))
			return ofail(c, EBUSY, "%#llx+%#llx is not free",
				     (unsigned long long)base,
				     (unsigned long long)size);
		sim_inst_add_region(in, base, size, c->k->chunk[ch].node);
		return 0;
	}
	if (image_in(in, base, size))
		return ofail(c, EBUSY, "the loaded image lives in "
			     "%#llx+%#llx", (unsigned long long)base,
			     (unsigned long long)size);
	if (sim_inst_remove_range(in, base, size))
		return ofail(c, EINVAL, "%#llx+%#llx is not memory of %s",
			     (unsigned long long)base,
			     (unsigned long long)size, in->name);
	return 0;
}

static int inst_cpu(struct octx *c, int node, bool add)
{
	struct sim_kernel *k = c->k;
	int cpu, r = get_cpu(c, node, &cpu);

	if (r)
		return r;
	if (add) {
		if (!k->cpu[cpu].in_pool || k->cpu[cpu].inst)
			return ofail(c, EBUSY, "CPU %llu not free",
				     (unsigned long long)k->cpu[cpu].phys);
		k->cpu[cpu].inst = c->in->id;
		inst_add_cpu(c->in, cpu);
		return 0;
	}
	if (k->cpu[cpu].inst != c->in->id)
		return ofail(c, EINVAL, "CPU %llu does not belong to %s",
			     (unsigned long long)k->cpu[cpu].phys,
			     c->in->name);
	k->cpu[cpu].inst = 0;
	inst_drop_cpu(c->in, cpu);
	return 0;
}

static int inst_dev(struct octx *c, int node, bool add)
{
	struct sim_kernel *k = c->k;
	int idx, r = get_pci(c, node, &idx);
	const char *drv;
	uint32_t fl;

	if (r)
		return r;
	if (prop_u32(c->fdt, node, "flags", &fl) < 0)
		return ofail(c, EINVAL, "flags must be a u32");
	if (add) {
		if (!k->pci[idx].in_pool || k->pci[idx].inst)
			return ofail(c, EBUSY, "PCI %s not free",
				     k->host.pci[idx].bdf);
		drv = prop_str(c->fdt, node, "driver");
		k->pci[idx].inst = c->in->id;
		free(k->pci[idx].driver);
		k->pci[idx].driver = drv ? xstrdup(drv) : NULL;
		return 0;
	}
	if (k->pci[idx].inst != c->in->id)
		return ofail(c, EINVAL, "PCI %s does not belong to %s",
			     k->host.pci[idx].bdf, c->in->name);
	k->pci[idx].inst = 0;
	return 0;
}

/* ---- /instances: instance-create, instance-remove ---- */

static bool name_ok(const char *n)
{
	return n && *n && !strchr(n, '/');
}

static int lowest_free_id(struct sim_kernel *k)
{
	int id;

	for (id = 1; id < 0x7fffffff; id++)
		if (!sim_inst_by_id(k, id))
			return id;
	return -1;
}

static void *extract_host_tree(const void *fdt, int node)
{
	size_t sz = 65536;
	void *out = xmalloc(sz);

	if (fdt_create(out, sz) || fdt_finish_reservemap(out) ||
	    fdt_begin_node(out, "") || sim_copy_subtree(fdt, node, out) ||
	    fdt_end_node(out) || fdt_finish(out)) {
		free(out);
		return NULL;
	}
	return out;
}

struct devpick {
	int pci;	/* index or -1 */
	int plat;
	char *driver;
};

static int create_devices(struct octx *c, int devs, struct devpick **out,
			  int *nout)
{
	struct sim_kernel *k = c->k;
	int d, i, j;
	struct devpick *p = NULL;
	int n = 0;

	fdt_for_each_subnode(d, c->fdt, devs) {
		const char *type = prop_str(c->fdt, d, "device-type");
		const char *dn = fdt_get_name(c->fdt, d, NULL);
		uint32_t v;

		p = xrealloc(p, (n + 1) * sizeof(*p));
		p[n] = (struct devpick){ -1, -1, NULL };
		n++;
		*out = p;
		*nout = n;
		if (!type)
			return ofail(c, EINVAL, "device %s: no device-type",
				     dn);
		if (!strcmp(type, "pci")) {
			const char *id = prop_str(c->fdt, d, "pci-id");

			if (!id)
				return ofail(c, EINVAL, "device %s: no pci-id",
					     dn);
			if (prop_u32(c->fdt, d, "vendor-id", &v) < 0 ||
			    prop_u32(c->fdt, d, "device-id", &v) < 0)
				return ofail(c, EINVAL, "device %s: vendor-id"
					     "/device-id must be u32", dn);
			i = sim_pci_by_bdf(k, id);
			if (i < 0)
				return ofail(c, ENODEV, "PCI device %s not "
					     "found", id);
			if (!k->pci[i].in_pool || k->pci[i].inst)
				return ofail(c, EBUSY, "PCI %s not free", id);
			for (j = 0; j < n - 1; j++)
				if (p[j].pci == i)
					return ofail(c, EBUSY, "PCI %s listed "
						     "twice", id);
			p[n - 1].pci = i;
			continue;
		}
		if (!strcmp(type, "platform")) {
			const char *name = prop_str(c->fdt, d, "device-name");
			const char *hid = prop_str(c->fdt, d, "acpi-hid");

			if (!name && !hid)
				return ofail(c, EINVAL, "device %s: needs "
					     "device-name or acpi-hid", dn);
			for (i = 0; i < k->nplat; i++) {
				bool used = k->plat[i].inst != 0;

				for (j = 0; j < n - 1; j++)
					used |= p[j].plat == i;
				if (used)
					continue;
				if ((name && k->plat[i].device_name &&
				     !strcmp(name, k->plat[i].device_name)) ||
				    (hid && k->plat[i].acpi_hid &&
				     !strcmp(hid, k->plat[i].acpi_hid)))
					break;
			}
			if (i == k->nplat)
				return ofail(c, EBUSY, "platform device %s "
					     "not free in the pool", dn);
			p[n - 1].plat = i;
			continue;
		}
		return ofail(c, EINVAL, "device %s: unknown device-type '%s'",
			     dn, type);
	}
	return 0;
}

static int check_virtio(struct octx *c, int res)
{
	int vio = fdt_subnode_offset(c->fdt, res, "virtio"), v;

	if (vio < 0)
		return 0;
	fdt_for_each_subnode(v, c->fdt, vio) {
		uint32_t id, q, qs;

		if (prop_u32(c->fdt, v, "device-id", &id) <= 0 ||
		    prop_u32(c->fdt, v, "queues", &q) <= 0 || q < 1 ||
		    q > 64 || prop_u32(c->fdt, v, "queue-size", &qs) < 0)
			return ofail(c, EINVAL, "virtio/%s: device-id and "
				     "queues (1..64) u32 required",
				     fdt_get_name(c->fdt, v, NULL));
	}
	return 0;
}

static int do_create(struct octx *c, int node)
{
	struct sim_kernel *k = c->k;
	const char *name = prop_str(c->fdt, node, "instance-name");
	int res, len, i, j, id, ncpu = 0, devs, ndev = 0, chosen, r;
	const fdt64_t *cpus;
	const fdt32_t *nodes;
	uint64_t mem = 0;
	int memnode = -1, *cpuidx = NULL;
	struct devpick *dp = NULL;
	struct sim_instance *in;
	void *host_tree = NULL;
	uint32_t v;
	char what[300];

	snprintf(what, sizeof(what), "instance-create %s", name ? name : "?");
	c->what = what;
	if (!name_ok(name))
		return ofail(c, EINVAL, "instance-name missing, empty or "
			     "contains '/'");
	if (sim_inst_by_name(k, name))
		return ofail(c, EEXIST, "instance exists");
	r = prop_u32(c->fdt, node, "id", &v);
	if (r == 1) {
		if (v == 0 || v > 0x7fffffff || sim_inst_by_id(k, (int)v))
			return ofail(c, EEXIST, "id %u in use", v);
		id = (int)v;
	} else {
		id = lowest_free_id(k);
	}
	res = fdt_subnode_offset(c->fdt, node, "resources");
	if (res < 0)
		return ofail(c, EINVAL, "no resources node");
	if (fdt_getprop(c->fdt, res, "device-names", NULL))
		return ofail(c, EINVAL, "device-names is not supported; "
			     "use resources/devices/<node>");
	r = prop_u64(c->fdt, res, "memory-bytes", &mem);
	if (r < 0 || (r && (!mem || mem % SIM_PAGE)))
		return ofail(c, EINVAL, "memory-bytes must be a non-zero "
			     "page multiple u64");
	cpus = fdt_getprop(c->fdt, res, "cpus", &len);
	if (cpus) {
		if (!len || len % 8)
			return ofail(c, EINVAL, "cpus: length %d is not a "
				     "non-empty multiple of 8 (u64 cells)",
				     len);
		ncpu = len / 8;
		cpuidx = xmalloc(ncpu * sizeof(int));
		for (i = 0; i < ncpu; i++) {
			uint64_t phys = fdt64_ld(&cpus[i]);
			int ci = sim_cpu_by_phys(k, phys);

			if (ci < 0 || !k->cpu[ci].in_pool || k->cpu[ci].inst) {
				r = ofail(c, EBUSY, "CPU %llu not free",
					  (unsigned long long)phys);
				goto out;
			}
			for (j = 0; j < i; j++)
				if (cpuidx[j] == ci) {
					r = ofail(c, EBUSY, "CPU %llu listed "
						  "twice",
						  (unsigned long long)phys);
					goto out;
				}
			cpuidx[i] = ci;
		}
	}
	nodes = fdt_getprop(c->fdt, res, "numa-nodes", &len);
	if (nodes) {
		if (!len || len % 4 || fdt32_ld(nodes) >= SIM_MAX_NUMNODES) {
			r = ofail(c, EINVAL, "numa-nodes must be u32 node ids");
			goto out;
		}
		memnode = (int)fdt32_ld(nodes);
	}
	devs = fdt_subnode_offset(c->fdt, res, "devices");
	if (devs >= 0) {
		r = create_devices(c, devs, &dp, &ndev);
		if (r)
			goto out;
	}
	r = check_virtio(c, res);
	if (r)
		goto out;
	chosen = fdt_subnode_offset(c->fdt, node, "chosen");
	if (chosen >= 0) {
		int ht;

		if (fdt_first_property_offset(c->fdt, chosen) >= 0) {
			r = ofail(c, EINVAL, "properties directly under "
				  "chosen are not accepted");
			goto out;
		}
		ht = fdt_subnode_offset(c->fdt, chosen,
					"multikernel,host-tree");
		if (ht >= 0) {
			host_tree = extract_host_tree(c->fdt, ht);
			if (!host_tree) {
				r = ofail(c, ENOMEM, "host-tree too big");
				goto out;
			}
		}
	}
	if (id < 0) {
		r = ofail(c, ENOMEM, "no free instance id");
		goto out;
	}

	in = xzalloc(sizeof(*in));
	in->id = id;
	in->name = xstrdup(name);
	in->state = ST_READY;
	in->numa_node = memnode;
	in->host_tree = host_tree;
	host_tree = NULL;
	if (mem && sim_alloc_instance_mem(k, in, mem, memnode)) {
		free(in->name);
		free(in->host_tree);
		free(in->reg);
		free(in);
		r = ofail(c, ENOMEM, "the pool lacks %llu MiB%s",
			  (unsigned long long)(mem >> 20),
			  memnode >= 0 ? " on that node" : "");
		goto out;
	}
	for (i = 0; i < ncpu; i++) {
		k->cpu[cpuidx[i]].inst = id;
		inst_add_cpu(in, cpuidx[i]);
	}
	for (i = 0; i < ndev; i++) {
		if (dp[i].pci >= 0)
			k->pci[dp[i].pci].inst = id;
		if (dp[i].plat >= 0)
			k->plat[dp[i].plat].inst = id;
	}
	k->inst = xrealloc(k->inst, (k->ninst + 1) * sizeof(*k->inst));
	k->inst[k->ninst++] = in;
	sim_log(k, "multikernel: instance %d (%s) created: %d CPUs, %llu MiB",
		id, name, ncpu, (unsigned long long)(mem >> 20));
	r = 0;
out:
	free(host_tree);
	free(cpuidx);
	free(dp);
	return r;
}

static int do_remove(struct octx *c, int node)
{
	const char *name = prop_str(c->fdt, node, "instance-name");
	struct sim_instance *in;
	char what[300];

	snprintf(what, sizeof(what), "instance-remove %s", name ? name : "?");
	c->what = what;
	if (!name_ok(name))
		return ofail(c, EINVAL, "instance-name missing");
	in = sim_inst_by_name(c->k, name);
	if (!in)
		return ofail(c, ENOENT, "no such instance");
	if (in->state == ST_LOADED || in->state == ST_ACTIVE)
		return ofail(c, EBUSY, "instance is %s",
			     sim_state_name(in->state));
	sim_log(c->k, "multikernel: instance %d (%s) removed", in->id,
		in->name);
	sim_inst_destroy(c->k, in);
	return 0;
}

/* Inverse of instance-create: destroy the named instance. */
static int undo_create(struct octx *c, int node)
{
	const char *name = prop_str(c->fdt, node, "instance-name");
	struct sim_instance *in;
	char what[300];

	snprintf(what, sizeof(what), "instance-create %s", name ? name : "?");
	c->what = what;
	in = name ? sim_inst_by_name(c->k, name) : NULL;
	if (!in)
		return ofail(c, ENOENT, "no such instance to destroy");
	if (in->state == ST_LOADED || in->state == ST_ACTIVE)
		return ofail(c, EBUSY, "instance is %s",
			     sim_state_name(in->state));
	sim_log(c->k, "multikernel: instance %d (%s) destroyed by rollback",
		in->id, in->name);
	sim_inst_destroy(c->k, in);
	return 0;
}

/* ---- the walk ---- */

static int run_item(struct octx *c, enum op op, int node)
{
	bool add;

	if (!c->undo && ++c->opno == c->fail_at)
		return ofail(c, c->fail_err, "%s: injected fault at "
			     "operation %d", op_name[op], c->opno);
	switch (op) {
	case OP_CREATE:
		return c->undo ? undo_create(c, node) : do_create(c, node);
	case OP_REMOVE:
		if (c->undo) {
			owarn(c, "instance-remove cannot be undone");
			return 0;
		}
		return do_remove(c, node);
	default:
		break;
	}
	add = op == OP_MEM_ADD || op == OP_CPU_ADD || op == OP_DEV_ADD;
	if (c->undo && op != OP_MEM_ADD && op != OP_MEM_REMOVE)
		add = !add;
	if (c->t == T_POOL) {
		if (op == OP_CPU_ADD || op == OP_CPU_REMOVE)
			return pool_cpu(c, node, add);
		if (op == OP_DEV_ADD || op == OP_DEV_REMOVE)
			return pool_dev(c, node, add);
		return pool_mem(c, node, op == OP_MEM_ADD);
	}
	if (op == OP_CPU_ADD || op == OP_CPU_REMOVE)
		return inst_cpu(c, node, add);
	if (op == OP_DEV_ADD || op == OP_DEV_REMOVE)
		return inst_dev(c, node, add);
	if (c->undo)
		add = op == OP_MEM_REMOVE;
	return inst_mem(c, node, add);
}

static int run_op(struct octx *c, enum op op, int opnode)
{
	int items[256], n = 0, child, i, r;
	char what[300];

	if (op == OP_CREATE || op == OP_REMOVE) {
		r = run_item(c, op, opnode);
		c->what = NULL;
		return r;
	}
	fdt_for_each_subnode(child, c->fdt, opnode) {
		if (!name_starts(fdt_get_name(c->fdt, child, NULL),
				 item_prefix[op]))
			continue;
		if (n == (int)ARRAY_SIZE(items))
			return ofail(c, E2BIG, "%s: too many items",
				     op_name[op]);
		items[n++] = child;
	}
	for (i = 0; i < n; i++) {
		int it = c->undo ? items[n - 1 - i] : items[i];

		snprintf(what, sizeof(what), "%s %s%s%s", op_name[op],
			 fdt_get_name(c->fdt, it, NULL),
			 c->in ? " of " : "", c->in ? c->in->name : "");
		c->what = what;
		r = run_item(c, op, it);
		c->what = NULL;
		if (r)
			return r;
	}
	return 0;
}

struct frag {
	int node;
	uint32_t addr;
	int seq;
};

static int frag_cmp(const void *a, const void *b)
{
	const struct frag *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->seq - y->seq;
}

static bool parse_hex_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long long x;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s)
		return false;
	x = strtoull(s, &end, 16);
	if (*end || x > 0xffffffffULL || *s == '-' || *s == '+')
		return false;
	*v = (uint32_t)x;
	return true;
}

/* Sorted fragment list; 0 or -EINVAL for a non-hex unit address. */
static int fragments(struct octx *c, struct frag **out, int *n)
{
	int node, cnt = 0;
	struct frag *f = NULL;

	*out = NULL;
	*n = 0;

	fdt_for_each_subnode(node, c->fdt, 0) {
		const char *name = fdt_get_name(c->fdt, node, NULL);
		uint32_t a;

		if (!name_starts(name, "fragment@"))
			continue;
		if (!parse_hex_u32(name + 9, &a)) {
			free(f);
			return ofail(c, EINVAL, "%s: unit address is not hex",
				     name);
		}
		f = xrealloc(f, (cnt + 1) * sizeof(*f));
		f[cnt] = (struct frag){ node, a, cnt };
		cnt++;
	}
	if (f)
		qsort(f, cnt, sizeof(*f), frag_cmp);
	*out = f;
	*n = cnt;
	return 0;
}

static bool is_ns_op(enum op op)
{
	return op == OP_CREATE || op == OP_REMOVE;
}

static int run_fragment(struct octx *c, int frag)
{
	const char *tp = prop_str(c->fdt, frag, "target-path");
	const char *fname = fdt_get_name(c->fdt, frag, NULL);
	const enum op *order;
	int norder, ov, i, o, r;

	c->in = NULL;
	if (!tp)
		return ofail(c, EINVAL, "%s: no target-path", fname);
	if (!strcmp(tp, "/resources")) {
		if (!c->k->baseline_done)
			return ofail(c, EPERM, "%s: /resources before any "
				     "baseline", fname);
		c->t = T_POOL;
		order = order_pool;
		norder = ARRAY_SIZE(order_pool);
	} else if (!strcmp(tp, "/instances")) {
		c->t = T_NS;
		order = order_inst;
		norder = ARRAY_SIZE(order_inst);
	} else if (name_starts(tp, "/instances/")) {
		const char *n = tp + strlen("/instances/");

		if (!*n || strchr(n, '/'))
			return ofail(c, EINVAL, "%s: bad target %s", fname,
				     tp);
		c->in = sim_inst_by_name(c->k, n);
		if (!c->in)
			return ofail(c, ENOENT, "%s: no instance '%s'", fname,
				     n);
		c->t = T_INST;
		order = order_inst;
		norder = ARRAY_SIZE(order_inst);
	} else {
		return ofail(c, EINVAL, "%s: unknown target %s", fname, tp);
	}
	ov = fdt_subnode_offset(c->fdt, frag, "__overlay__");
	if (ov < 0)
		return ofail(c, EINVAL, "%s: no __overlay__", fname);
	for (i = 0; i < OP_N; i++) {
		if (fdt_subnode_offset(c->fdt, ov, op_name[i]) < 0)
			continue;
		if ((c->t == T_NS) != is_ns_op(i))
			return ofail(c, EINVAL, "%s: %s is not valid for "
				     "target %s", fname, op_name[i], tp);
	}
	for (i = 0; i < norder; i++) {
		enum op op = order[c->undo ? norder - 1 - i : i];

		o = fdt_subnode_offset(c->fdt, ov, op_name[op]);
		if (o < 0)
			continue;
		r = run_op(c, op, o);
		if (r)
			return r;
	}
	return 0;
}

static int run_blob(struct octx *c)
{
	struct frag *f;
	int n, i, r;

	r = fragments(c, &f, &n);
	if (r)
		return r;
	if (!n && !c->undo) {
		free(f);
		return ofail(c, EINVAL, "no fragment");
	}
	for (i = 0; i < n; i++) {
		r = run_fragment(c, f[c->undo ? n - 1 - i : i].node);
		if (r)
			break;
	}
	free(f);
	return r;
}

/*
 * The blob as the kernel sees it: the bytes it got.  A cut blob (header
 * says more than arrived) is walkable only if its blocks all arrived.
 */
static void *walkable(const void *buf, size_t len)
{
	void *copy;

	if (len < sizeof(struct fdt_header) || fdt_check_header(buf))
		return NULL;
	if (fdt_totalsize(buf) > len) {
		if (fdt_off_dt_struct(buf) + (uint64_t)fdt_size_dt_struct(buf)
		    > len ||
		    fdt_off_dt_strings(buf) +
		    (uint64_t)fdt_size_dt_strings(buf) > len ||
		    fdt_off_mem_rsvmap(buf) > len)
			return NULL;
	}
	copy = xmalloc(len);
	memcpy(copy, buf, len);
	if (fdt_totalsize(copy) > len)
		fdt_set_totalsize(copy, len);
	if (dtb_check_full(copy, len)) {
		free(copy);
		return NULL;
	}
	return copy;
}

long sim_overlay_write(struct sim_kernel *k, const void *buf, size_t len,
		       uint64_t off)
{
	struct sim_tx *tx;
	struct octx c = { .k = k };
	void *fdt;
	const char *rs;
	int r;

	if (off != 0) {
		sim_log(k, "Overlay: write at offset %llu rejected (EINVAL)",
			(unsigned long long)off);
		return -EINVAL;
	}
	if (len == 0)
		return -EINVAL;
	if (len > SIM_OVERLAY_MAX)
		return -EFBIG;
	/* kernfs hands a file without atomic_write_len one page at a time */
	if (len > SIM_DTBO_PAGE)
		len = SIM_DTBO_PAGE;
	if (len < sizeof(struct fdt_header) || fdt_check_header(buf)) {
		sim_log(k, "Overlay: bad FDT header (EINVAL)");
		return -EINVAL;
	}
	tx = xzalloc(sizeof(*tx));
	tx->id = ++k->tx_counter;
	tx->status = TX_PENDING;
	tx->blob = xmalloc(len);
	memcpy(tx->blob, buf, len);
	tx->len = len;
	k->tx = xrealloc(k->tx, (k->ntx + 1) * sizeof(*k->tx));
	k->tx[k->ntx++] = tx;
	c.txid = tx->id;
	if (k->fault[F_TX_OP].armed) {
		c.fail_at = (int)k->fault[F_TX_OP].arg;
		c.fail_err = k->fault[F_TX_OP].err;
		k->fault[F_TX_OP].armed = false;
		sim_log(k, "mksim: fault tx-op %d armed for tx%d", c.fail_at,
			tx->id);
	}
	fdt = walkable(buf, len);
	if (!fdt) {
		tx->instance = xstrdup("unknown");
		tx->resources = xstrdup("unknown");
		ofail(&c, EINVAL, "malformed or truncated blob (%zu of %u "
		      "bytes)", len, fdt_totalsize(buf));
		tx->status = TX_FAILED;
		return (long)len;
	}
	c.fdt = fdt;
	rs = prop_str(fdt, 0, "mk,resources");
	tx->resources = xstrdup(rs ? rs : "unknown");
	{
		struct frag *f;
		int n;
		const char *tp = NULL;

		c.quiet = true;
		if (!fragments(&c, &f, &n) && n)
			tp = prop_str(fdt, f[0].node, "target-path");
		c.quiet = false;
		tx->instance = xstrdup(tp ? tp : "unknown");
		free(f);
	}
	r = run_blob(&c);
	tx->status = r ? TX_FAILED : TX_APPLIED;
	if (!r)
		sim_log(k, "Overlay tx%d: applied", tx->id);
	free(fdt);
	return (long)len;
}

int sim_tx_rmdir(struct sim_kernel *k, int id)
{
	struct sim_tx *tx = sim_tx_by_id(k, id);
	struct sim_fault f;
	struct octx c = { .k = k, .txid = id, .undo = true };
	void *fdt;
	int r = 0, i;

	if (!tx)
		return -ENOENT;
	if (sim_fault_take(k, F_RMDIR, 0, &f)) {
		tx->status = TX_FAILED;
		return ofail(&c, f.err, "injected rmdir failure");
	}
	fdt = walkable(tx->blob, tx->len);
	if (fdt) {
		c.fdt = fdt;
		r = run_blob(&c);
		free(fdt);
	}
	if (r) {
		tx->status = TX_FAILED;
		return r;
	}
	tx->status = TX_REMOVED;
	sim_log(k, "Overlay tx%d: removed", id);
	for (i = 0; i < k->ntx; i++)
		if (k->tx[i] == tx) {
			memmove(&k->tx[i], &k->tx[i + 1],
				(k->ntx - i - 1) * sizeof(*k->tx));
			k->ntx--;
			break;
		}
	free(tx->instance);
	free(tx->resources);
	free(tx->blob);
	free(tx);
	return 0;
}
