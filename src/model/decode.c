// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Decoding a tree into the model: form detection, the seeds' nested
 * schema (schema.md §2.1), and the parts every form shares — devices,
 * instances and device-reference nodes (§2.2).
 */
#include "model/decode_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum mk_form mk_detect(const struct dt_tree *t)
{
	const struct dt_node *res, *cpus;
	bool pool;

	if (!t || !t->root)
		return MK_FORM_NONE;
	res = dt_child(t->root, "resources");
	if (!res)
		return MK_FORM_NONE;
	cpus = dt_child(res, "cpus");
	if (cpus || dt_child(res, "memory"))
		return MK_FORM_SEED;
	if (mk2_is_kernel_form(res, &pool))
		return pool ? MK_FORM_POOL : MK_FORM_KERNEL;
	if (dt_prop(res, "cpus") || dt_prop(res, "memory-base") ||
	    dt_prop(res, "memory-bytes"))
		return MK_FORM_FLAT;
	/* a /multikernel-v1/ file with an empty /resources: decode as the
	 * seeds' form so the missing parts are reported */
	if (t->header & DT_HDR_MULTIKERNEL)
		return MK_FORM_SEED;
	return MK_FORM_NONE;
}

const char *mk_form_name(enum mk_form f)
{
	switch (f) {
	case MK_FORM_SEED:
		return "multikernel-v1";
	case MK_FORM_FLAT:
		return "flat";
	case MK_FORM_KERNEL:
		return "kernel (mk2 baseline)";
	case MK_FORM_POOL:
		return "kernel (mk2 pool read-back)";
	default:
		return "none";
	}
}

char *node_display_name(struct decoder *d, const struct dt_node *n)
{
	const struct dt_node *sym;
	const struct dt_property *p;
	char *path;

	if (n->labels)
		return xstrdup(n->labels->name);
	sym = d->t->root ? dt_child(d->t->root, "__symbols__") : NULL;
	if (sym) {
		path = dt_node_path(n);
		dt_for_each_prop(sym, p)
		{
			const char *s = dt_prop_str(p);

			if (s && !strcmp(s, path)) {
				free(path);
				return xstrdup(p->name);
			}
		}
		free(path);
	}
	return xstrdup(n->name);
}

static void decode_cores(struct decoder *d, const struct dt_node *cores)
{
	struct mk_cpus *c = &d->m->cpus;
	const struct dt_node *n;
	size_t i = 0;

	dt_for_each_child(cores, n) c->ncores++;
	c->cores = xzalloc((c->ncores + 1) * sizeof(*c->cores));
	dt_for_each_child(cores, n)
	{
		struct mk_core *k = &c->cores[i++];

		k->name = xstrdup(n->name);
		cpuset_init(&k->cpus);
		mk_pos_of(&k->at, n, NULL);
		rd_set(d, n, "cpus", true, "inventory-topology", k->name,
		       &k->cpus, NULL, &k->at);
		k->has_socket =
			rd_u32(d, n, "socket-id", false, "inventory-topology",
			       k->name, &k->socket, NULL);
	}
}

static void decode_seed_cpus(struct decoder *d, const struct dt_node *n)
{
	struct mk_cpus *c = &d->m->cpus;
	const char *chk = "inventory-cpus";
	const struct dt_node *cores;

	if (!n) {
		schema_error(d, chk, NULL, &d->t->root->pos,
			     "missing required node /resources/cpus");
		return;
	}
	c->present = true;
	rd_u32(d, n, "total", true, chk, NULL, &c->total, &c->total_at);
	mk_pos_of(&c->reserved_at, n, NULL);
	rd_set(d, n, "host-reserved", false, chk, NULL, &c->host_reserved,
	       &c->dup_reserved, &c->reserved_at);
	rd_set(d, n, "available", true, chk, NULL, &c->available,
	       &c->dup_available, &c->available_at);
	if (dt_prop(n, "physical-ids")) {
		const struct dt_property *p = dt_prop(n, "physical-ids");
		size_t i, k;

		mk_pos_of(&c->phys_at, n, p);
		if (c->total && p->val.len == (size_t)c->total * 4 &&
		    p->val.len != (size_t)c->total * 8) {
			k = dt_prop_ncells(p);
			c->phys = xmalloc(k * sizeof(*c->phys));
			for (i = 0; i < k; i++)
				c->phys[i] = dt_cell(p, i);
			c->nphys = k;
		} else if (p->val.len % 8 == 0 &&
			   (!c->total || p->val.len == (size_t)c->total * 8)) {
			rd_u64s(d, n, "physical-ids", chk, NULL, &c->phys,
				&c->nphys, &c->phys_at);
		} else {
			schema_error(
				d, chk, NULL, &p->pos,
				"/resources/cpus/physical-ids must have one "
				"entry per CPU (%u), as /bits/ 64 <...>",
				c->total);
		}
	}
	cores = dt_child(n, "cores");
	if (cores)
		decode_cores(d, cores);
}

static void decode_seed_memory(struct decoder *d, const struct dt_node *n)
{
	struct mk_memory *mm = &d->m->mem;
	const char *chk = "inventory-memory";
	struct mk_range r = {.numa = -1};

	if (!n) {
		schema_error(d, chk, NULL, &d->t->root->pos,
			     "missing required node /resources/memory");
		return;
	}
	mm->present = true;
	mm->has_total = rd_u64(d, n, "total-bytes", true, chk, NULL, &mm->total,
			       &mm->total_at);
	mm->has_host_reserved =
		rd_u64(d, n, "host-reserved-bytes", false, chk, NULL,
		       &mm->host_reserved, &mm->reserved_at);
	r.has_base = rd_u64(d, n, "memory-pool-base", true, chk, NULL, &r.base,
			    &mm->base_at);
	if (rd_u64(d, n, "memory-pool-bytes", true, chk, NULL, &r.size,
		   &mm->size_at) &&
	    r.has_base) {
		r.at = mm->base_at;
		mm->pool = xzalloc(sizeof(*mm->pool));
		mm->pool[0] = r;
		mm->npool = 1;
		mm->pool_bytes = r.size;
	}
}

static void decode_topology(struct decoder *d, const struct dt_node *topo)
{
	struct mk_topology *tp = &d->m->topo;
	const char *chk = "inventory-topology";
	const struct dt_node *nodes, *n;
	size_t i = 0;

	tp->present = true;
	nodes = dt_child(topo, "numa-nodes");
	if (!nodes)
		return;
	dt_for_each_child(nodes, n) tp->nnodes++;
	tp->nodes = xzalloc((tp->nnodes + 1) * sizeof(*tp->nodes));
	dt_for_each_child(nodes, n)
	{
		struct mk_numa_node *x = &tp->nodes[i++];
		bool hb, hs;

		cpuset_init(&x->cpus);
		mk_pos_of(&x->at, n, NULL);
		if (!rd_u32(d, n, "node-id", false, chk, n->name, &x->id,
			    &x->id_at)) {
			/* default: the unit address */
			x->id = (uint32_t)strtoul(dt_node_unit(n), NULL, 16);
			x->id_at = x->at;
		}
		hb = rd_u64(d, n, "memory-base", false, chk, n->name,
			    &x->mem_base, &x->mem_at);
		hs = rd_u64(d, n, "memory-size", false, chk, n->name,
			    &x->mem_size, hb ? NULL : &x->mem_at);
		x->has_mem = hb && hs;
		if (hb != hs)
			schema_error(d, chk, n->name, &n->pos,
				     "NUMA node %s needs both memory-base and "
				     "memory-size",
				     n->name);
		rd_str(d, n, "memory-type", false, chk, n->name, &x->mem_type,
		       NULL);
		rd_set(d, n, "cpus", false, chk, n->name, &x->cpus, NULL,
		       &x->cpus_at);
		if (dt_prop(n, "distance-matrix") && !tp->distance)
			rd_u32s(d, n, "distance-matrix", chk, n->name,
				&tp->distance, &tp->ndistance,
				&tp->distance_at);
	}
}

/* The properties of a device node, in their usual order. */
enum {
	DP_COMPATIBLE,
	DP_DEVICE_TYPE,
	DP_PCI_ID,
	DP_VENDOR,
	DP_DEVICE,
	DP_NUMA,
	DP_VFS,
	DP_VF_RESERVED,
	DP_VF_AVAILABLE,
	DP_NS,
	DP_NS_RESERVED,
	DP_NS_AVAILABLE,
	DP_COUNT
};

static const char *const dev_props[DP_COUNT] = {
	[DP_COMPATIBLE] = "compatible",
	[DP_DEVICE_TYPE] = "device-type",
	[DP_PCI_ID] = "pci-id",
	[DP_VENDOR] = "vendor-id",
	[DP_DEVICE] = "device-id",
	[DP_NUMA] = "numa-node",
	[DP_VFS] = "sriov-vfs",
	[DP_VF_RESERVED] = "host-reserved-vf",
	[DP_VF_AVAILABLE] = "available-vfs",
	[DP_NS] = "namespaces",
	[DP_NS_RESERVED] = "host-reserved-ns",
	[DP_NS_AVAILABLE] = "available-ns",
};

void decode_devices(struct decoder *d, const struct dt_node *devs)
{
	struct mk_model *m = d->m;
	const char *chk = "inventory-devices";
	const struct dt_node *n;
	size_t i = 0;

	dt_for_each_child(devs, n) m->ndevices++;
	m->devices = xzalloc((m->ndevices + 1) * sizeof(*m->devices));
	dt_for_each_child(devs, n)
	{
		struct mk_device *x = &m->devices[i++];
		const struct dt_property *p[DP_COUNT];
		const char *const *pn = dev_props;
		uint32_t numa;

		props_find(n, dev_props, DP_COUNT, p);
		x->name = node_display_name(d, n);
		x->path = dt_node_path(n);
		x->node = n;
		mk_pos_of(&x->at, n, NULL);
		x->numa = -1;
		cpuset_init(&x->vf_reserved);
		cpuset_init(&x->vf_available);
		cpuset_init(&x->ns_reserved);
		cpuset_init(&x->ns_available);
		rd_str_p(d, n, p[DP_COMPATIBLE], pn[DP_COMPATIBLE], false, chk,
			 x->name, &x->compatible, NULL);
		rd_str_p(d, n, p[DP_DEVICE_TYPE], pn[DP_DEVICE_TYPE], false,
			 chk, x->name, &x->device_type, NULL);
		mk_pos_of(&x->pci_at, n, NULL);
		rd_str_p(d, n, p[DP_PCI_ID], pn[DP_PCI_ID],
			 !x->device_type || !strcmp(x->device_type, "pci"), chk,
			 x->name, &x->pci_id, &x->pci_at);
		x->has_vendor =
			rd_u32_p(d, n, p[DP_VENDOR], pn[DP_VENDOR], false, chk,
				 x->name, &x->vendor_id, NULL);
		x->has_device =
			rd_u32_p(d, n, p[DP_DEVICE], pn[DP_DEVICE], false, chk,
				 x->name, &x->device_id, NULL);
		if (rd_u32_p(d, n, p[DP_NUMA], pn[DP_NUMA], false, chk, x->name,
			     &numa, NULL))
			x->numa = numa;
		if (rd_u32_p(d, n, p[DP_VFS], pn[DP_VFS], false, chk, x->name,
			     &x->nvfs, &x->vfs_at))
			x->kind = MK_DEV_SRIOV;
		rd_set_p(d, n, p[DP_VF_RESERVED], pn[DP_VF_RESERVED], false,
			 chk, x->name, &x->vf_reserved, NULL,
			 &x->vf_reserved_at);
		rd_set_p(d, n, p[DP_VF_AVAILABLE], pn[DP_VF_AVAILABLE], false,
			 chk, x->name, &x->vf_available, NULL,
			 &x->vf_available_at);
		if (rd_u32_p(d, n, p[DP_NS], pn[DP_NS], false, chk, x->name,
			     &x->nns, &x->ns_at))
			x->kind =
				x->kind == MK_DEV_SRIOV ? x->kind : MK_DEV_NVME;
		rd_set_p(d, n, p[DP_NS_RESERVED], pn[DP_NS_RESERVED], false,
			 chk, x->name, &x->ns_reserved, NULL,
			 &x->ns_reserved_at);
		rd_set_p(d, n, p[DP_NS_AVAILABLE], pn[DP_NS_AVAILABLE], false,
			 chk, x->name, &x->ns_available, NULL,
			 &x->ns_available_at);
	}
}

/*
 * phandle -> node, with the device or device reference the node is, if
 * any.  dtc numbers phandles from 1 up, so they are dense and the usual
 * index is a table indexed by phandle.  Sparse phandles, or one phandle
 * on two nodes (a blob can have that), take a sorted array searched with
 * bsearch instead, which picks among duplicates as it always did.
 */
struct ph_ent {
	uint32_t ph;
	int kind; /* MK_REF_DEVICE, MK_REF_DEVREF, or -1 */
	int idx;
	const struct dt_node *n;
};

struct mk_index {
	struct ph_ent *ph; /* by phandle if direct, else sorted by it */
	size_t nph;	   /* direct: highest phandle + 1 */
	bool direct;
};

static int cmp_ph(const void *a, const void *b)
{
	const struct ph_ent *x = a, *y = b;

	return x->ph < y->ph ? -1 : x->ph > y->ph;
}

/*
 * The phandle of a node (0 if none): assigned, or else its "phandle"
 * property, or else its "linux,phandle" (a blob's nodes have only those).
 */
static uint32_t node_phandle(const struct dt_node *n)
{
	const struct dt_property *p, *lp = NULL;
	uint32_t ph = n->phandle;

	if (ph)
		return ph;
	dt_for_each_prop(n, p)
	{
		if (p->name[0] == 'p' && !strcmp(p->name, "phandle"))
			break;
		if (p->name[0] == 'l' && !lp &&
		    !strcmp(p->name, "linux,phandle"))
			lp = p;
	}
	if (!p)
		p = lp;
	if (p)
		dt_prop_u32(p, &ph);
	return ph;
}

static bool phandle_ok(uint32_t ph)
{
	return ph && ph != 0xffffffffu;
}

struct ph_list {
	struct ph_ent *v;
	size_t n, cap;
	uint32_t max;
};

static void collect_phandles(struct ph_list *l, const struct dt_node *root)
{
	const struct dt_node *n;

	for (n = root; n; n = node_next(root, n, false)) {
		uint32_t ph = node_phandle(n);

		if (!phandle_ok(ph))
			continue;
		if (l->n == l->cap)
			l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = (struct ph_ent){ph, -1, -1, n};
		if (ph > l->max)
			l->max = ph;
	}
}

/* qsort, unless already in order. */
static void sort_if_needed(void *base, size_t n, size_t size,
			   int (*cmp)(const void *, const void *))
{
	const char *b = base;
	size_t i;

	for (i = 1; i < n; i++)
		if (cmp(b + (i - 1) * size, b + i * size) > 0)
			break;
	if (i < n)
		qsort(base, n, size, cmp);
}

/* Record that node n (with its phandle) is device or devref idx. */
static void index_mark(struct mk_index *ix, const struct dt_node *n, int kind,
		       size_t idx)
{
	uint32_t ph = node_phandle(n);
	struct ph_ent key = {.ph = ph}, *e;

	if (!phandle_ok(ph))
		return;
	if (ix->direct) {
		e = ph < ix->nph && ix->ph[ph].n == n ? &ix->ph[ph] : NULL;
	} else {
		e = bsearch(&key, ix->ph, ix->nph, sizeof(*ix->ph), cmp_ph);
		if (!e)
			return;
		/* the run of entries with this phandle holds n once */
		while (e > ix->ph && e[-1].ph == ph)
			e--;
		while (e < ix->ph + ix->nph && e->ph == ph && e->n != n)
			e++;
		if (e == ix->ph + ix->nph || e->ph != ph)
			e = NULL;
	}
	if (e) {
		e->kind = kind;
		e->idx = (int)idx;
	}
}

static void index_build(struct decoder *d, struct mk_index *ix)
{
	struct mk_model *m = d->m;
	struct ph_list l = {0};
	struct ph_ent *tab;
	size_t i;

	memset(ix, 0, sizeof(*ix));
	if (d->t->root)
		collect_phandles(&l, d->t->root);
	if (l.n && l.max <= 2 * l.n + 64) {
		tab = xzalloc(((size_t)l.max + 1) * sizeof(*tab));
		for (i = 0; i < l.n && !tab[l.v[i].ph].n; i++)
			tab[l.v[i].ph] = l.v[i];
		if (i == l.n) {
			free(l.v);
			l.v = tab;
			l.n = (size_t)l.max + 1;
			ix->direct = true;
		} else {
			free(tab); /* a phandle twice */
		}
	}
	if (!ix->direct)
		sort_if_needed(l.v, l.n, sizeof(*l.v), cmp_ph);
	ix->ph = l.v;
	ix->nph = l.n;
	for (i = 0; i < m->ndevices; i++)
		index_mark(ix, m->devices[i].node, MK_REF_DEVICE, i);
	for (i = 0; i < m->ndevrefs; i++)
		index_mark(ix, m->devrefs[i].node, MK_REF_DEVREF, i);
}

static void index_free(struct mk_index *ix)
{
	if (!ix)
		return;
	free(ix->ph);
	free(ix);
}

/*
 * The node with phandle ph and what it is; NULL if none.  The index is
 * built on first use, once every device and device reference is known.
 */
static const struct ph_ent *by_phandle(struct decoder *d, uint32_t ph)
{
	struct ph_ent key = {.ph = ph};
	struct mk_index *ix = d->ix;

	if (!ix) {
		ix = d->ix = xmalloc(sizeof(*ix));
		index_build(d, ix);
	}
	if (ix->direct)
		return ph < ix->nph && ix->ph[ph].n ? &ix->ph[ph] : NULL;
	if (!ix->nph)
		return NULL;
	return bsearch(&key, ix->ph, ix->nph, sizeof(*ix->ph), cmp_ph);
}

/* The dangling reference recorded by the loader for this cell, if any. */
static struct mk_dangling *
dangling_at(struct mk_model *m, const struct dt_property *p, size_t offset)
{
	size_t i;

	for (i = 0; i < m->ndangling; i++)
		if (m->dangling[i].prop == p && m->dangling[i].offset == offset)
			return &m->dangling[i];
	return NULL;
}

/* The label a phandle cell was written with, and its position. */
static const struct dt_marker *ref_marker(const struct dt_property *p,
					  size_t offset)
{
	const struct dt_marker *mk;

	for (mk = p->val.markers; mk; mk = mk->next)
		if (mk->kind == DT_MARK_REF_PHANDLE && mk->offset == offset)
			return mk;
	return NULL;
}

static const char *const devref_props[] = {"parent", "vf-id", "namespace-id"};

static bool is_devref_node(const struct dt_node *n)
{
	const struct dt_property *p;
	size_t i;

	dt_for_each_prop(n, p)
	{
		for (i = 0; i < ARRAY_SIZE(devref_props); i++)
			if (p->name[0] == devref_props[i][0] &&
			    !strcmp(p->name, devref_props[i]))
				return true;
	}
	return false;
}

struct node_list {
	const struct dt_node **v;
	size_t n, cap;
};

/* The device-reference nodes, in tree order, outside skip1 and skip2. */
static void list_devrefs(struct node_list *l, const struct dt_node *root,
			 const struct dt_node *skip1,
			 const struct dt_node *skip2)
{
	const struct dt_node *n = root;

	while (n) {
		bool skip = n == skip1 || n == skip2;

		if (!skip && n->parent && is_devref_node(n)) {
			if (l->n == l->cap)
				l->v = xgrow(l->v, &l->cap, l->n + 1,
					     sizeof(*l->v));
			l->v[l->n++] = n;
		}
		n = node_next(root, n, skip);
	}
}

void decode_devrefs(struct decoder *d)
{
	struct mk_model *m = d->m;
	const struct dt_node *root = d->t->root, *res, *inst;
	const char *chk = "dev-reference";
	struct node_list l = {0};
	size_t i;

	res = dt_child(root, "resources");
	inst = dt_child(root, "instances");
	list_devrefs(&l, root, res, inst);
	m->devrefs = xzalloc((l.n + 1) * sizeof(*m->devrefs));
	for (i = 0; i < l.n; i++) {
		m->devrefs[i].node = l.v[i];
		m->devrefs[i].parent = -1;
	}
	m->ndevrefs = l.n;
	free(l.v);
	for (i = 0; i < m->ndevrefs; i++) {
		struct mk_devref *r = &m->devrefs[i];
		const struct dt_node *n = r->node;
		const struct dt_property *pp[ARRAY_SIZE(devref_props)];
		const struct dt_property *p;

		props_find(n, devref_props, ARRAY_SIZE(devref_props), pp);
		p = pp[0];
		r->name = node_display_name(d, n);
		mk_pos_of(&r->at, n, NULL);
		if (!p) {
			r->parent_missing = true;
		} else {
			const struct dt_marker *mk = ref_marker(p, 0);
			struct mk_dangling *dg = dangling_at(m, p, 0);
			const struct ph_ent *e;
			uint32_t ph;

			mk_pos_of(&r->parent_at, n, p);
			if (mk && mk->ref)
				r->parent_ref = xstrdup(mk->ref);
			if (dg) {
				dg->claimed = true;
				r->parent_dangling = true;
				if (!r->parent_ref)
					r->parent_ref = xstrdup(dg->ref);
			} else if (!dt_prop_u32(p, &ph)) {
				schema_error(d, chk, r->name, &p->pos,
					     "parent of %s must be one phandle "
					     "(<&device>)",
					     r->name);
				r->parent_not_device = true;
			} else {
				e = by_phandle(d, ph);
				if (e && e->kind == MK_REF_DEVICE) {
					r->parent = e->idx;
					if (!r->parent_ref)
						r->parent_ref = xstrdup(
							m->devices[e->idx]
								.name);
				} else {
					r->parent_not_device = true;
					if (!r->parent_ref && e)
						r->parent_ref =
							node_display_name(d,
									  e->n);
				}
			}
		}
		r->has_vf = rd_u32_p(d, n, pp[1], devref_props[1], false, chk,
				     r->name, &r->vf, &r->vf_at);
		r->has_ns = rd_u32_p(d, n, pp[2], devref_props[2], false, chk,
				     r->name, &r->ns, &r->ns_at);
	}
}

static bool looks_like_strings(const struct dt_property *p)
{
	size_t i;

	if (!p->val.len || p->val.data[p->val.len - 1])
		return false;
	for (i = 0; i < p->val.len; i++) {
		uint8_t c = p->val.data[i];

		if (c && (c < 0x20 || c > 0x7e))
			return false;
		if (!c && (i == 0 || !p->val.data[i - 1]))
			return false;
	}
	return true;
}

static void add_name_refs(struct mk_instance *in, const struct dt_node *n,
			  const struct dt_property *p)
{
	size_t off = 0, k = 0;

	while (off < p->val.len) {
		off += strlen((const char *)p->val.data + off) + 1;
		k++;
	}
	in->devs = xzalloc((k + 1) * sizeof(*in->devs));
	for (off = 0; off < p->val.len;) {
		const char *s = (const char *)p->val.data + off;
		struct mk_inst_dev *x = &in->devs[in->ndevs++];

		x->kind = MK_REF_NAME;
		x->index = -1;
		x->name = xstrdup(s);
		mk_pos_of(&x->at, n, p);
		off += strlen(s) + 1;
	}
}

/* devices (phandles, or names in a string list) or, failing that,
 * device-names (names) */
static void decode_inst_devices(struct decoder *d, struct mk_instance *in,
				const struct dt_node *rn,
				const struct dt_property *p,
				const struct dt_property *names)
{
	struct mk_model *m = d->m;
	size_t i, nc;

	if (!p) {
		p = names;
		if (p && looks_like_strings(p)) {
			mk_pos_of(&in->devs_at, rn, p);
			add_name_refs(in, rn, p);
		}
		return;
	}
	mk_pos_of(&in->devs_at, rn, p);
	if (!ref_marker(p, 0) && !dangling_at(m, p, 0) &&
	    looks_like_strings(p)) {
		add_name_refs(in, rn, p);
		return;
	}
	if (p->val.len % 4) {
		schema_error(d, "dev-reference", in->name, &p->pos,
			     "devices of %s must be a list of phandles "
			     "(<&eth0_vf1>, <&nvme0_ns2>)",
			     in->name);
		return;
	}
	nc = dt_prop_ncells(p);
	in->devs = xzalloc((nc + 1) * sizeof(*in->devs));
	for (i = 0; i < nc; i++) {
		struct mk_inst_dev *x = &in->devs[in->ndevs++];
		const struct dt_marker *mk = ref_marker(p, i * 4);
		struct mk_dangling *dg = dangling_at(m, p, i * 4);
		const struct ph_ent *e;

		mk_pos_of(&x->at, rn, p);
		if (mk && mk->pos.file)
			x->at.pos = mk->pos;
		x->index = -1;
		if (dg) {
			dg->claimed = true;
			x->kind = MK_REF_DANGLING;
			x->name = xstrdup(dg->ref);
			if (dg->pos.file)
				x->at.pos = dg->pos;
			continue;
		}
		e = by_phandle(d, dt_cell(p, i));
		if (e && e->kind >= 0) {
			x->kind = (enum mk_ref_kind)e->kind;
			x->index = e->idx;
			x->name = xstrdup(e->kind == MK_REF_DEVICE
						  ? m->devices[e->idx].name
						  : m->devrefs[e->idx].name);
		} else {
			x->kind = MK_REF_OTHER;
			x->name =
				mk && mk->ref ? xstrdup(mk->ref)
				: e	      ? node_display_name(d, e->n)
				    : xasprintf("phandle 0x%x", dt_cell(p, i));
		}
	}
}

/* The properties of an instance's resources, in one pass. */
enum {
	IP_CPUS,
	IP_BASE,
	IP_BYTES,
	IP_DEVICES,
	IP_DEVICE_NAMES,
	IP_NUMA,
	IP_AFFINITY,
	IP_POLICY,
	IP_COUNT
};

static const char *const inst_props[IP_COUNT] = {
	[IP_CPUS] = "cpus",
	[IP_BASE] = "memory-base",
	[IP_BYTES] = "memory-bytes",
	[IP_DEVICES] = "devices",
	[IP_DEVICE_NAMES] = "device-names",
	[IP_NUMA] = "numa-nodes",
	[IP_AFFINITY] = "cpu-affinity",
	[IP_POLICY] = "memory-policy",
};

void decode_instances(struct decoder *d)
{
	struct mk_model *m = d->m;
	const struct dt_node *inst = dt_child(d->t->root, "instances"), *n;
	size_t i = 0;

	if (!inst)
		return;
	m->has_instances_node = true;
	mk_pos_of(&m->instances_at, inst, NULL);
	dt_for_each_child(inst, n) m->ninstances++;
	m->instances = xzalloc((m->ninstances + 1) * sizeof(*m->instances));
	dt_for_each_child(inst, n)
	{
		struct mk_instance *in = &m->instances[i++];
		const struct dt_node *rn = dt_child(n, "resources");
		const struct dt_property *p[IP_COUNT];
		const char *nm;

		in->name = xstrdup(n->name);
		nm = in->name;
		in->node = n;
		in->redef = n->redef_pos;
		mk_pos_of(&in->at, n, NULL);
		cpuset_init(&in->cpus);
		cpuset_init(&in->cpus_dup);
		in->has_id = rd_u32(d, n, "id", false, "instance-id", nm,
				    &in->id, &in->id_at);
		if (!rn) {
			/* the flat instance form has its resources inline */
			if (dt_prop(n, "cpus") || dt_prop(n, "memory-bytes"))
				rn = n;
			else {
				schema_error(
					d, "schema", nm, &n->pos,
					"instance %s has no resources node",
					nm);
				in->malformed = true;
				continue;
			}
		}
		props_find(rn, inst_props, IP_COUNT, p);
		mk_pos_of(&in->cpus_at, rn, NULL);
		in->has_cpus = rd_set_p(d, rn, p[IP_CPUS], inst_props[IP_CPUS],
					false, "cpu-empty", nm, &in->cpus,
					&in->cpus_dup, &in->cpus_at);
		if (!in->has_cpus && in->cpus_at.prop)
			in->malformed = true;
		in->has_base = rd_u64_p(d, rn, p[IP_BASE], inst_props[IP_BASE],
					false, "mem-outside-pool", nm,
					&in->mem_base, &in->base_at);
		mk_pos_of(&in->size_at, rn, NULL);
		in->has_size =
			rd_u64_p(d, rn, p[IP_BYTES], inst_props[IP_BYTES], true,
				 "mem-size", nm, &in->mem_size, &in->size_at);
		decode_inst_devices(d, in, rn, p[IP_DEVICES],
				    p[IP_DEVICE_NAMES]);
		rd_u32s_p(d, rn, p[IP_NUMA], "numa-node-unknown", nm, &in->numa,
			  &in->nnuma, &in->numa_at);
		rd_str_p(d, rn, p[IP_AFFINITY], inst_props[IP_AFFINITY], false,
			 "schema", nm, &in->affinity, &in->affinity_at);
		rd_str_p(d, rn, p[IP_POLICY], inst_props[IP_POLICY], false,
			 "schema", nm, &in->policy, &in->policy_at);
		if (in->affinity && strcmp(in->affinity, "compact") &&
		    strcmp(in->affinity, "spread") &&
		    strcmp(in->affinity, "local"))
			schema_error(d, "schema", nm, &in->affinity_at.pos,
				     "unknown cpu-affinity \"%s\" (use "
				     "compact, spread or local)",
				     in->affinity);
		if (in->policy && strcmp(in->policy, "local") &&
		    strcmp(in->policy, "interleave") &&
		    strcmp(in->policy, "bind"))
			schema_error(d, "schema", nm, &in->policy_at.pos,
				     "unknown memory-policy \"%s\" (use local, "
				     "interleave or bind)",
				     in->policy);
	}
}

/* Name -> index of the first device (device reference) of that name. */
void model_index(struct mk_model *m)
{
	size_t i;

	strmap_free(&m->dev_by_name);
	strmap_free(&m->ref_by_name);
	strmap_reserve(&m->dev_by_name, m->ndevices);
	strmap_reserve(&m->ref_by_name, m->ndevrefs);
	/* the first of a name wins; values are index + 1 */
	for (i = 0; i < m->ndevices; i++)
		strmap_add(&m->dev_by_name, m->devices[i].name,
			   (void *)(i + 1));
	for (i = 0; i < m->ndevrefs; i++)
		strmap_add(&m->ref_by_name, m->devrefs[i].name,
			   (void *)(i + 1));
}

int mk_decode(const struct dt_tree *t, struct mk_model *m, struct findings *f)
{
	struct decoder d = {.t = t, .m = m, .f = f};
	const struct dt_node *res, *devs, *topo;

	m->tree = t;
	m->form = mk_detect(t);
	if (m->form == MK_FORM_NONE)
		return -EINVAL;
	res = dt_child(t->root, "resources");
	switch (m->form) {
	case MK_FORM_SEED:
		decode_seed_cpus(&d, dt_child(res, "cpus"));
		decode_seed_memory(&d, dt_child(res, "memory"));
		break;
	case MK_FORM_FLAT:
		flat_decode(&d, res);
		break;
	default:
		mk2_decode(&d, res, m->form == MK_FORM_POOL);
		break;
	}
	devs = dt_child(res, "devices");
	if (devs && !m->devices)
		decode_devices(&d, devs);
	topo = dt_child(res, "topology");
	if (topo)
		decode_topology(&d, topo);
	decode_devrefs(&d);
	model_index(m);
	decode_instances(&d);
	index_free(d.ix);
	return 0;
}
