// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/mk2.h"
#include "kernel/host.h"
#include "model/decode_util.h"

#include <errno.h>
#include <inttypes.h>
#include <libfdt.h>

#include "dt/fdtcheck.h"
#include <stdio.h>
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

static void push_req(struct mk2_chunk **out, size_t *n, uint64_t size,
		     int64_t numa)
{
	*out = xrealloc(*out, (*n + 1) * sizeof(**out));
	(*out)[*n].base = 0;
	(*out)[*n].size = size;
	(*out)[*n].numa = numa;
	(*n)++;
}

size_t mk2_pool_requests(const struct mk_model *m, struct mk2_chunk **out)
{
	const struct mk_topology *tp = &m->topo;
	uint64_t base, end;
	size_t i, n = 0;

	*out = NULL;
	if (mk_pool_range(m, &base, &end) && tp->nnodes) {
		/* one request per NUMA node the pool range overlaps */
		for (i = 0; i < tp->nnodes; i++) {
			const struct mk_numa_node *nd = &tp->nodes[i];
			uint64_t lo, hi;

			if (!nd->has_mem)
				continue;
			lo = nd->mem_base > base ? nd->mem_base : base;
			hi = nd->mem_base + nd->mem_size < end
				     ? nd->mem_base + nd->mem_size
				     : end;
			if (lo >= hi)
				continue;
			push_req(out, &n, hi - lo, nd->id);
		}
		if (n)
			return n;
	}
	for (i = 0; i < m->mem.npool; i++)
		push_req(out, &n, m->mem.pool[i].size, m->mem.pool[i].numa);
	return n;
}

static void encode_memory(const struct mk_model *m, struct dt_node *res)
{
	struct mk2_chunk *req;
	size_t n = mk2_pool_requests(m, &req), i;

	for (i = 0; i < n; i++) {
		char name[32];
		struct dt_node *mn;

		snprintf(name, sizeof(name), "memory@%zu", i);
		mn = add_node(res, name);
		add_u64s(mn, "size", &req[i].size, 1);
		if (req[i].numa >= 0)
			add_u32(mn, "numa-node-id", (uint32_t)req[i].numa);
	}
	free(req);
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

/* ---- read-back --------------------------------------------------------- */

static uint64_t be64_at(const void *p, size_t i)
{
	const uint8_t *b = (const uint8_t *)p + 8 * i;
	uint64_t v = 0;
	int k;

	for (k = 0; k < 8; k++)
		v = v << 8 | b[k];
	return v;
}

static void rb_u64s(const void *fdt, int node, const char *name,
		    uint64_t **out, size_t *n)
{
	const void *p;
	int len, i;

	*out = NULL;
	*n = 0;
	p = fdt_getprop(fdt, node, name, &len);
	if (!p || len <= 0 || len % 8)
		return;
	*out = xmalloc((size_t)len);
	for (i = 0; i < len / 8; i++)
		(*out)[i] = be64_at(p, (size_t)i);
	*n = (size_t)len / 8;
}

static bool rb_u64(const void *fdt, int node, const char *name, uint64_t *v)
{
	const void *p;
	int len;

	p = fdt_getprop(fdt, node, name, &len);
	if (!p || len != 8)
		return false;
	*v = be64_at(p, 0);
	return true;
}

static bool rb_u32(const void *fdt, int node, const char *name, uint32_t *v)
{
	const fdt32_t *p;
	int len;

	p = fdt_getprop(fdt, node, name, &len);
	if (!p || len != 4)
		return false;
	*v = fdt32_to_cpu(*p);
	return true;
}

/* PCI functions under the host bridges /pci@<bus>. */
static void rb_pci(const void *fdt, struct mk2_readback *rb)
{
	int br, fn, al;

	fdt_for_each_subnode(br, fdt, 0)
	{
		const char *bn = fdt_get_name(fdt, br, NULL);
		uint32_t dom = 0;

		if (!bn || strncmp(bn, "pci@", 4))
			continue;
		rb_u32(fdt, br, "linux,pci-domain", &dom);
		fdt_for_each_subnode(fn, fdt, br)
		{
			const fdt32_t *reg;
			uint32_t hi;
			int len;

			reg = fdt_getprop(fdt, fn, "reg", &len);
			if (!reg || len < 4)
				continue;
			hi = fdt32_to_cpu(reg[0]);
			rb->pci = xrealloc(rb->pci,
					   (rb->npci + 1) * sizeof(*rb->pci));
			rb->pci_alias = xrealloc(
				rb->pci_alias,
				(rb->npci + 1) * sizeof(*rb->pci_alias));
			rb->pci[rb->npci] = xasprintf(
				"%04x:%02x:%02x.%x", dom, (hi >> 16) & 0xff,
				(hi >> 11) & 0x1f, (hi >> 8) & 0x7);
			rb->pci_alias[rb->npci] = NULL;
			rb->npci++;
		}
	}
	al = fdt_path_offset(fdt, "/aliases");
	if (al >= 0) {
		int off;

		fdt_for_each_property_offset(off, fdt, al)
		{
			const char *an, *val;
			char bdf[32];
			unsigned int b, d, f, dom;
			int len, node;
			size_t i;
			uint32_t hi;
			const fdt32_t *reg;

			val = fdt_getprop_by_offset(fdt, off, &an, &len);
			if (!val || len < 2 || val[len - 1])
				continue;
			node = fdt_path_offset(fdt, val);
			if (node < 0)
				continue;
			reg = fdt_getprop(fdt, node, "reg", &len);
			if (!reg || len < 4)
				continue;
			hi = fdt32_to_cpu(reg[0]);
			dom = 0;
			rb_u32(fdt, fdt_parent_offset(fdt, node),
			       "linux,pci-domain", &dom);
			b = (hi >> 16) & 0xff;
			d = (hi >> 11) & 0x1f;
			f = (hi >> 8) & 7;
			snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x", dom, b,
				 d, f);
			for (i = 0; i < rb->npci; i++)
				if (!strcmp(rb->pci[i], bdf) &&
				    !rb->pci_alias[i])
					rb->pci_alias[i] = xstrdup(an);
		}
	}
}

int mk2_parse_readback(const void *blob, size_t len, struct mk2_readback *rb)
{
	const void *fdt = blob;
	int res, c;
	const char *model;

	memset(rb, 0, sizeof(*rb));
	if (len < sizeof(struct fdt_header) || dtb_check_full(blob, len))
		return -EBADMSG;
	rb->has_id = rb_u32(fdt, 0, "id", &rb->id);
	model = fdt_getprop(fdt, 0, "model", NULL);
	if (model)
		rb->model = xstrdup(model);
	res = fdt_path_offset(fdt, "/resources");
	if (res >= 0) {
		uint64_t base = 0, bytes = 0;

		rb_u64s(fdt, res, "cpus", &rb->cpus, &rb->ncpus);
		rb_u64s(fdt, res, "cpus-available", &rb->cpus_free,
			&rb->ncpus_free);
		if (rb_u64(fdt, res, "memory-bytes", &bytes)) {
			rb->has_mem = true;
			rb->mem_bytes = bytes;
			if (rb_u64(fdt, res, "memory-base", &base))
				rb->mem_base = base;
		}
		fdt_for_each_subnode(c, fdt, res)
		{
			const char *cn = fdt_get_name(fdt, c, NULL);
			const void *reg;
			uint32_t numa;
			int rl;

			if (!cn || strncmp(cn, "memory@", 7))
				continue;
			reg = fdt_getprop(fdt, c, "reg", &rl);
			if (!reg || rl != 16)
				continue;
			rb->chunks = xrealloc(rb->chunks, (rb->nchunks + 1) *
							      sizeof(*rb->chunks));
			rb->chunks[rb->nchunks].base = be64_at(reg, 0);
			rb->chunks[rb->nchunks].size = be64_at(reg, 1);
			rb->chunks[rb->nchunks].numa = -1;
			if (rb_u32(fdt, c, "numa-node-id", &numa))
				rb->chunks[rb->nchunks].numa = numa;
			rb->nchunks++;
		}
	}
	rb_pci(fdt, rb);
	return 0;
}

void mk2_readback_free(struct mk2_readback *rb)
{
	size_t i;

	for (i = 0; i < rb->npci; i++) {
		free(rb->pci[i]);
		free(rb->pci_alias[i]);
	}
	free(rb->pci);
	free(rb->pci_alias);
	free(rb->model);
	free(rb->cpus);
	free(rb->cpus_free);
	free(rb->chunks);
	memset(rb, 0, sizeof(*rb));
}

/* ---- overlays ---------------------------------------------------------- */

void mk2_blobs_free(struct mk2_blobs *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->v[i]);
	free(b->v);
	free(b->len);
	memset(b, 0, sizeof(*b));
}

static void blobs_push(struct mk2_blobs *b, void *blob, size_t len)
{
	b->v = xrealloc(b->v, (b->n + 1) * sizeof(*b->v));
	b->len = xrealloc(b->len, (b->n + 1) * sizeof(*b->len));
	b->v[b->n] = blob;
	b->len[b->n] = len;
	b->n++;
}

static int sw_u64(void *fdt, const char *name, uint64_t v)
{
	fdt64_t x = cpu_to_fdt64(v);

	return fdt_property(fdt, name, &x, sizeof(x));
}

static int sw_reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t x[2] = {cpu_to_fdt64(base), cpu_to_fdt64(size)};

	return fdt_property(fdt, "reg", x, sizeof(x));
}

static int sw_pci(void *fdt, const char *node, const struct mk2_pci *p,
		  bool full)
{
	int err;

	err = fdt_begin_node(fdt, node);
	if (full) {
		err = err ?: fdt_property_string(fdt, "device-type", "pci");
	}
	err = err ?: fdt_property_string(fdt, "pci-id", p->pci_id);
	if (full && p->has_ids) {
		err = err ?: fdt_property_u32(fdt, "vendor-id", p->vendor);
		err = err ?: fdt_property_u32(fdt, "device-id", p->device);
	}
	return err ?: fdt_end_node(fdt);
}

static const char *const op_node[] = {
	[MK2_MEM_REMOVE] = "memory-remove", [MK2_MEM_ADD] = "memory-add",
	[MK2_CPU_REMOVE] = "cpu-remove",    [MK2_CPU_ADD] = "cpu-add",
	[MK2_DEV_REMOVE] = "device-remove", [MK2_DEV_ADD] = "device-add",
};

static int sw_items(void *fdt, const struct mk2_item *it, size_t n,
		    bool pool)
{
	size_t i;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		char nm[48];

		if (!i || it[i].op != it[i - 1].op)
			err = fdt_begin_node(fdt, op_node[it[i].op]);
		switch (it[i].op) {
		case MK2_MEM_REMOVE:
		case MK2_MEM_ADD:
			if (pool && it[i].op == MK2_MEM_ADD) {
				/* the pool grows by a size; the kernel
				 * picks the address */
				snprintf(nm, sizeof(nm), "memory@%zx", i);
				err = err ?: fdt_begin_node(fdt, nm);
				err = err ?: sw_u64(fdt, "size", it[i].b);
			} else {
				snprintf(nm, sizeof(nm), "memory@%" PRIx64,
					 it[i].a);
				err = err ?: fdt_begin_node(fdt, nm);
				err = err ?: sw_reg(fdt, it[i].a, it[i].b);
			}
			if (it[i].op == MK2_MEM_ADD && it[i].numa >= 0)
				err = err ?: fdt_property_u32(
						      fdt, "numa-node-id",
						      (uint32_t)it[i].numa);
			err = err ?: fdt_end_node(fdt);
			break;
		case MK2_CPU_REMOVE:
		case MK2_CPU_ADD:
			snprintf(nm, sizeof(nm), "cpu@%" PRIx64, it[i].a);
			err = err ?: fdt_begin_node(fdt, nm);
			err = err ?: fdt_property_u64(fdt, "reg", it[i].a);
			err = err ?: fdt_end_node(fdt);
			break;
		case MK2_DEV_REMOVE:
		case MK2_DEV_ADD:
			snprintf(nm, sizeof(nm), "pci@%zx", i);
			err = err ?: sw_pci(fdt, nm, &it[i].pci, false);
			break;
		}
		if (i + 1 == n || it[i + 1].op != it[i].op)
			err = err ?: fdt_end_node(fdt);
	}
	return err;
}

static int sw_create(void *fdt, const struct mk2_create *c, size_t ncpus)
{
	int err;
	size_t i;

	err = fdt_begin_node(fdt, "instance-create");
	err = err ?: fdt_property_string(fdt, "instance-name", c->name);
	err = err ?: fdt_property_u32(fdt, "id", c->id);
	err = err ?: fdt_begin_node(fdt, "resources");
	if (ncpus) {
		fdt64_t *v = xmalloc(ncpus * sizeof(*v));

		for (i = 0; i < ncpus; i++)
			v[i] = cpu_to_fdt64(c->cpus[i]);
		err = err ?: fdt_property(fdt, "cpus", v,
					  (int)(ncpus * sizeof(*v)));
		free(v);
	}
	if (c->mem_bytes)
		err = err ?: sw_u64(fdt, "memory-bytes", c->mem_bytes);
	if (c->nnuma) {
		fdt32_t *v = xmalloc(c->nnuma * sizeof(*v));

		for (i = 0; i < c->nnuma; i++)
			v[i] = cpu_to_fdt32(c->numa[i]);
		err = err ?: fdt_property(fdt, "numa-nodes", v,
					  (int)(c->nnuma * sizeof(*v)));
		free(v);
	}
	if (c->ndevs) {
		err = err ?: fdt_begin_node(fdt, "devices");
		for (i = 0; i < c->ndevs; i++)
			err = err ?: sw_pci(fdt, c->devs[i].name, &c->devs[i],
					    true);
		err = err ?: fdt_end_node(fdt);
	}
	err = err ?: fdt_end_node(fdt); /* resources */
	return err ?: fdt_end_node(fdt);
}

/*
 * One blob: an optional instance-create of c with its first ncpus CPUs,
 * then (if n) a fragment on /instances/<name> with items[0..n).  Returns
 * the blob or NULL if it does not fit in 4096 bytes.
 */
static void *build_blob(const char *name, const struct mk2_create *c,
			size_t ncpus, const struct mk2_item *items, size_t n,
			size_t *len)
{
	size_t cap = 2 * MK2_OVERLAY_MAX;
	void *fdt = xmalloc(cap);
	unsigned int frag = 0;
	char fn[24];
	int err;

	err = fdt_create(fdt, (int)cap);
	err = err ?: fdt_finish_reservemap(fdt);
	err = err ?: fdt_begin_node(fdt, "");
	err = err ?: fdt_property_string(fdt, "compatible",
					 "linux,multikernel-overlay");
	if (c) {
		snprintf(fn, sizeof(fn), "fragment@%x", frag++);
		err = err ?: fdt_begin_node(fdt, fn);
		err = err ?: fdt_property_string(fdt, "target-path",
						 "/instances");
		err = err ?: fdt_begin_node(fdt, "__overlay__");
		err = err ?: sw_create(fdt, c, ncpus);
		err = err ?: fdt_end_node(fdt);
		err = err ?: fdt_end_node(fdt);
	}
	if (n) {
		char *target = name ? xasprintf("/instances/%s", name)
				    : xstrdup("/resources");

		snprintf(fn, sizeof(fn), "fragment@%x", frag++);
		err = err ?: fdt_begin_node(fdt, fn);
		err = err ?: fdt_property_string(fdt, "target-path", target);
		err = err ?: fdt_begin_node(fdt, "__overlay__");
		err = err ?: sw_items(fdt, items, n, !name);
		err = err ?: fdt_end_node(fdt);
		err = err ?: fdt_end_node(fdt);
		free(target);
	}
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_finish(fdt);
	if (err || fdt_totalsize(fdt) > MK2_OVERLAY_MAX) {
		free(fdt);
		return NULL;
	}
	*len = fdt_totalsize(fdt);
	return fdt;
}

/* The most items from items[0..n) that fit with the optional create. */
static void *fit_items(const char *name, const struct mk2_create *c,
		       size_t ncpus, const struct mk2_item *items, size_t n,
		       size_t *used, size_t *len)
{
	size_t lo = 0, hi = n;
	void *best = build_blob(name, c, ncpus, items, 0, len);
	size_t best_len = *len;

	if (c && !best)
		return NULL;
	/* binary search the largest count that fits */
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2, l;
		void *b = build_blob(name, c, ncpus, items, mid, &l);

		if (b) {
			free(best);
			best = b;
			best_len = l;
			lo = mid;
		} else {
			hi = mid - 1;
		}
	}
	*used = lo;
	*len = best_len;
	if (!c && !lo) {
		free(best);
		return NULL;
	}
	return best;
}

static int delta_rest(const char *name, const struct mk2_item *items,
		      size_t n, struct mk2_blobs *out)
{
	while (n) {
		size_t used = 0, len = 0;
		void *b = fit_items(name, NULL, 0, items, n, &used, &len);

		if (!b) {
			mk2_blobs_free(out);
			return -E2BIG;
		}
		blobs_push(out, b, len);
		items += used;
		n -= used;
	}
	return 0;
}

int mk2_create_blobs(const struct mk2_create *c, const struct mk2_item *items,
		     size_t nitems, struct mk2_blobs *out)
{
	struct mk2_item *all;
	size_t ncpus = c->ncpus, extra, i, k = 0, used = 0, len = 0;
	void *b = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	/* keep as many CPUs in the create as fit; the rest become cpu-add */
	while (!(b = build_blob(c->name, c, ncpus, NULL, 0, &len))) {
		if (ncpus <= 1)
			return -E2BIG;
		ncpus = ncpus * 3 / 4;
	}
	free(b);
	extra = c->ncpus - ncpus;
	all = xzalloc((nitems + extra + 1) * sizeof(*all));
	/* merge in op order: the extra CPUs are cpu-add items */
	for (i = 0; i < nitems && items[i].op <= MK2_CPU_ADD; i++)
		all[k++] = items[i];
	for (size_t j = 0; j < extra; j++) {
		all[k].op = MK2_CPU_ADD;
		all[k].a = c->cpus[ncpus + j];
		all[k].numa = -1;
		k++;
	}
	for (; i < nitems; i++)
		all[k++] = items[i];
	b = fit_items(c->name, c, ncpus, all, k, &used, &len);
	if (!b) {
		free(all);
		return -E2BIG;
	}
	blobs_push(out, b, len);
	ret = delta_rest(c->name, all + used, k - used, out);
	free(all);
	return ret;
}

int mk2_delta_blobs(const char *name, const struct mk2_item *items,
		    size_t nitems, struct mk2_blobs *out)
{
	memset(out, 0, sizeof(*out));
	return delta_rest(name, items, nitems, out);
}

int mk2_pool_blobs(const struct mk2_item *items, size_t nitems,
		   struct mk2_blobs *out)
{
	memset(out, 0, sizeof(*out));
	return delta_rest(NULL, items, nitems, out);
}

int mk2_remove_blob(const char *name, struct mk2_blobs *out)
{
	size_t cap = MK2_OVERLAY_MAX;
	void *fdt = xmalloc(cap);
	int err;

	memset(out, 0, sizeof(*out));
	err = fdt_create(fdt, (int)cap);
	err = err ?: fdt_finish_reservemap(fdt);
	err = err ?: fdt_begin_node(fdt, "");
	err = err ?: fdt_property_string(fdt, "compatible",
					 "linux,multikernel-overlay");
	err = err ?: fdt_begin_node(fdt, "fragment@0");
	err = err ?: fdt_property_string(fdt, "target-path", "/instances");
	err = err ?: fdt_begin_node(fdt, "__overlay__");
	err = err ?: fdt_begin_node(fdt, "instance-remove");
	err = err ?: fdt_property_string(fdt, "instance-name", name);
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_finish(fdt);
	if (err) {
		free(fdt);
		return -E2BIG;
	}
	blobs_push(out, fdt, fdt_totalsize(fdt));
	return 0;
}

int mk2_overlay_created(const void *blob, size_t len, char **name)
{
	int frag;

	*name = NULL;
	if (len < sizeof(struct fdt_header) || dtb_check_full(blob, len))
		return -EBADMSG;
	fdt_for_each_subnode(frag, blob, 0)
	{
		int ov = fdt_subnode_offset(blob, frag, "__overlay__");
		int cr;
		const char *n;
		int l;

		if (ov < 0)
			continue;
		cr = fdt_subnode_offset(blob, ov, "instance-create");
		if (cr < 0)
			continue;
		n = fdt_getprop(blob, cr, "instance-name", &l);
		if (!n || l < 2 || n[l - 1])
			continue;
		*name = xstrdup(n);
		return 0;
	}
	return -ENOENT;
}
