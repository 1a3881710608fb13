// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/mk2.h"
#include "kernel/host.h"
#include "model/decode_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool is_memory_node(const struct dt_node *n)
{
	return !strncmp(n->name, "memory@", 7);
}

bool mk2_is_kernel_form(const struct dt_node *res, bool *pool)
{
	const struct dt_node *c;
	bool mem = false, reg = false;

	dt_for_each_child(res, c)
	{
		if (!is_memory_node(c))
			continue;
		mem = true;
		if (dt_prop(c, "reg"))
			reg = true;
	}
	*pool = reg || dt_prop(res, "cpus-available");
	return mem || dt_prop(res, "cpus-available");
}

void mk2_decode(struct decoder *d, const struct dt_node *res, bool pool)
{
	struct mk_model *m = d->m;
	const char *chk = "inventory-memory";
	const struct dt_node *c;
	uint64_t *ids = NULL;
	size_t n = 0, k = 0, i;

	/* cpus: u64 physical ids (omitted when empty in a read-back) */
	if (rd_cpu_ids(d, res, "cpus", true, &ids, &n, &m->cpus.available_at)) {
		mk_cpus_from_ids(&m->cpus, ids, n);
		m->cpus.total_at = m->cpus.available_at;
		m->cpus.reserved_at = m->cpus.available_at;
	} else if (!pool) {
		schema_error(d, "inventory-cpus", NULL, &res->pos,
			     "missing required property /resources/cpus (u64 "
			     "physical CPU ids)");
	} else {
		m->cpus.present = true;
		m->cpus.ids_physical = true;
	}
	free(ids);
	ids = NULL;
	if (rd_cpu_ids(d, res, "cpus-available", true, &ids, &n, NULL)) {
		m->cpus.has_pool_free = true;
		for (i = 0; i < n; i++)
			if (ids[i] < CPUSET_MAX)
				cpuset_add(&m->cpus.pool_free,
					   (uint32_t)ids[i]);
	}
	free(ids);

	m->mem.present = true;
	dt_for_each_child(res, c) if (is_memory_node(c)) k++;
	m->mem.pool = xzalloc((k + 1) * sizeof(*m->mem.pool));
	dt_for_each_child(res, c)
	{
		struct mk_range *r = &m->mem.pool[m->mem.npool];
		const struct dt_property *p;
		uint32_t numa;

		if (!is_memory_node(c))
			continue;
		r->numa = -1;
		mk_pos_of(&r->at, c, NULL);
		p = dt_prop(c, "reg");
		if (p) {
			mk_pos_of(&r->at, c, p);
			if (p->val.len != 16) {
				schema_error(d, chk, c->name, &p->pos,
					     "%s: reg must be a u64 base and a "
					     "u64 size (16 bytes)",
					     c->name);
				continue;
			}
			r->base = (uint64_t)dt_cell(p, 0) << 32 | dt_cell(p, 1);
			r->size = (uint64_t)dt_cell(p, 2) << 32 | dt_cell(p, 3);
			r->has_base = true;
		} else if (!rd_u64(d, c, "size", true, chk, c->name, &r->size,
				   &r->at)) {
			continue;
		}
		if (rd_u32(d, c, "numa-node-id", false, chk, c->name, &numa,
			   NULL))
			r->numa = numa;
		m->mem.pool_bytes += r->size;
		m->mem.npool++;
	}
	if (!m->mem.npool && !pool)
		schema_error(d, chk, NULL, &res->pos,
			     "no memory@N request in /resources");
	if (m->mem.npool)
		m->mem.size_at = m->mem.pool[0].at;
}

/* ---- encoding ---------------------------------------------------------- */

static struct dt_node *add_node(struct dt_node *parent, const char *name)
{
	struct dt_node *n = dt_node_new(name, strlen(name));

	dt_node_add_child(parent, n);
	return n;
}

static void add_str(struct dt_node *n, const char *name, const char *s)
{
	struct dt_property *p = dt_prop_new(name);

	dt_value_mark(&p->val, DT_MARK_TYPE_STRING, 0, NULL, NULL);
	dt_value_append(&p->val, s, strlen(s) + 1);
	dt_node_add_prop(n, p);
}

static void add_u32(struct dt_node *n, const char *name, uint32_t v)
{
	struct dt_property *p = dt_prop_new(name);

	dt_value_mark(&p->val, DT_MARK_TYPE_U32, 0, NULL, NULL);
	dt_value_append_cell(&p->val, v, 32);
	dt_node_add_prop(n, p);
}

static void add_u64s(struct dt_node *n, const char *name, const uint64_t *v,
		     size_t count)
{
	struct dt_property *p = dt_prop_new(name);
	size_t i;

	dt_value_mark(&p->val, DT_MARK_TYPE_U64, 0, NULL, NULL);
	for (i = 0; i < count; i++)
		dt_value_append_cell(&p->val, v[i], 64);
	dt_node_add_prop(n, p);
}

static bool encode_cpus(const struct mk_model *m, const struct host_info *host,
			struct dt_node *res, struct findings *f)
{
	const struct mk_cpus *c = &m->cpus;
	uint32_t n = cpuset_count(&c->available), k = 0;
	uint64_t *ids = xmalloc((n + 1) * sizeof(*ids));
	struct cpuset unknown;
	bool ok = true;

	cpuset_init(&unknown);
	cpuset_for_each(&c->available, cpu)
	{
		uint64_t id = HOST_NO_ID;

		if ((size_t)cpu < c->nphys)
			id = c->phys[cpu];
		else if (host)
			id = host_phys_id(host, (uint32_t)cpu);
		if (id == HOST_NO_ID)
			cpuset_add(&unknown, (uint32_t)cpu);
		ids[k++] = id;
	}
	if (!cpuset_empty(&unknown)) {
		char *s = cpuset_format(&unknown);
		struct finding *x =
			finding_add(f, "kernel-encode", SEV_ERROR, NULL,
				    "no physical id known for CPUs %s (the "
				    "kernel takes physical ids, e.g. APIC ids)",
				    s);

		finding_suggest(x,
				"Add physical-ids = /bits/ 64 <...> to "
				"/resources/cpus (one per CPU), or use --host "
				"to read them from the host's proc/cpuinfo");
		finding_loc(x, &c->available_at.pos);
		free(s);
		ok = false;
	} else if (n) {
		add_u64s(res, "cpus", ids, n);
	}
	cpuset_free(&unknown);
	free(ids);
	return ok;
}

static void encode_memory(const struct mk_model *m, struct dt_node *res)
{
	const struct mk_topology *tp = &m->topo;
	uint64_t base, end;
	unsigned int k = 0;
	size_t i;

	if (mk_pool_range(m, &base, &end) && tp->nnodes) {
		/* one request per NUMA node the pool range overlaps */
		for (i = 0; i < tp->nnodes; i++) {
			const struct mk_numa_node *nd = &tp->nodes[i];
			uint64_t lo, hi;
			char name[32];
			struct dt_node *mn;

			if (!nd->has_mem)
				continue;
			lo = nd->mem_base > base ? nd->mem_base : base;
			hi = nd->mem_base + nd->mem_size < end
				     ? nd->mem_base + nd->mem_size
				     : end;
			if (lo >= hi)
				continue;
			snprintf(name, sizeof(name), "memory@%u", k++);
			mn = add_node(res, name);
			add_u64s(mn, "size", &(uint64_t){hi - lo}, 1);
			add_u32(mn, "numa-node-id", nd->id);
		}
		if (k)
			return;
	}
	for (i = 0; i < m->mem.npool; i++) {
		const struct mk_range *r = &m->mem.pool[i];
		char name[32];
		struct dt_node *mn;

		snprintf(name, sizeof(name), "memory@%u", k++);
		mn = add_node(res, name);
		add_u64s(mn, "size", &r->size, 1);
		if (r->numa >= 0)
			add_u32(mn, "numa-node-id", (uint32_t)r->numa);
	}
}

static bool pci_function(struct dt_node *devs, const char *name,
			 const char *bdf, const struct mk_device *x,
			 const struct host_pci *hp, struct findings *f)
{
	struct dt_node *n;
	uint32_t vendor, device;

	if (x && x->has_vendor && x->has_device) {
		vendor = x->vendor_id;
		device = x->device_id;
	} else if (hp && hp->has_ids) {
		vendor = hp->vendor;
		device = hp->device;
	} else {
		struct finding *e =
			finding_add(f, "kernel-encode", SEV_ERROR, name,
				    "vendor-id and device-id of %s (%s) are "
				    "unknown: the kernel requires both",
				    name, bdf);

		finding_suggest(e,
				"Add vendor-id and device-id to the device, or "
				"run on the host (its PCI sysfs has them)");
		if (x)
			finding_loc(e, &x->at.pos);
		return false;
	}
	n = add_node(devs, name);
	add_str(n, "device-type", "pci");
	add_str(n, "pci-id", bdf);
	add_u32(n, "vendor-id", vendor);
	add_u32(n, "device-id", device);
	return true;
}

static bool encode_devices(const struct mk_model *m,
			   const struct host_info *host, struct dt_node *res,
			   struct findings *f)
{
	struct dt_node *devs = NULL;
	bool ok = true;
	size_t i;

	for (i = 0; i < m->ndevices; i++) {
		const struct mk_device *x = &m->devices[i];
		const struct host_pci *hp = NULL;

		if (!x->pci_id)
			continue;
		if (!devs)
			devs = add_node(res, "devices");
		if (host)
			hp = host_pci_find(host, x->pci_id);
		if (x->kind == MK_DEV_NVME) {
			struct finding *n = finding_add(
				f, "kernel-encode", SEV_NOTE, x->name,
				"namespaces of %s are not passed to the "
				"kernel: mk2 moves whole PCI functions, and "
				"the host keeps the controller",
				x->name);

			finding_loc(n, &x->at.pos);
			continue;
		}
		if (x->kind == MK_DEV_SRIOV) {
			/* the PF stays with the host; each available VF is
			 * its own PCI function */
			struct cpuset unknown;

			cpuset_init(&unknown);
			cpuset_for_each(&x->vf_available, vf)
			{
				const char *vbdf =
					hp && (size_t)vf < hp->nvirtfn
						? hp->virtfn[vf]
						: NULL;
				char *name;

				if (!vbdf) {
					cpuset_add(&unknown, (uint32_t)vf);
					continue;
				}
				name = xasprintf("%s_vf%u", x->name,
						 (uint32_t)vf);
				ok &= pci_function(devs, name, vbdf, NULL,
						   host_pci_find(host, vbdf),
						   f);
				free(name);
			}
			if (!cpuset_empty(&unknown)) {
				char *l = cpuset_format(&unknown);
				struct finding *e = finding_add(
					f, "kernel-encode", SEV_ERROR, x->name,
					"PCI addresses of VFs %s of %s (%s) "
					"are unknown",
					l, x->name, x->pci_id);

				finding_suggest(
					e,
					"Run with --host on the machine (or "
					"--sysroot of it) where SR-IOV is "
					"enabled on %s: its virtfnN links give "
					"the VF addresses",
					x->pci_id);
				finding_loc(e, &x->vf_available_at.pos);
				free(l);
				ok = false;
			}
			cpuset_free(&unknown);
			continue;
		}
		ok &= pci_function(devs, x->name, x->pci_id, x, hp, f);
	}
	return ok;
}

int mk2_baseline_tree(const struct mk_model *m, const struct host_info *host,
		      struct dt_tree **out, struct findings *f)
{
	struct dt_tree *t = dt_tree_new();
	struct dt_node *res;
	bool ok;

	t->header = DT_HDR_DTS_V1;
	t->root = dt_node_new("", 0);
	add_str(t->root, "compatible", "linux,multikernel-host");
	res = add_node(t->root, "resources");
	ok = encode_cpus(m, host, res, f);
	encode_memory(m, res);
	ok &= encode_devices(m, host, res, f);
	if (!ok) {
		dt_tree_free(t);
		*out = NULL;
		return -EINVAL;
	}
	*out = t;
	return 0;
}
