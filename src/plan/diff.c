// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The delta of an update and the order of an apply plan.
 */
#include "plan/diff.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/host.h"
#include "model/size.h"
#include "plan/pool.h"

void plan_update_init(struct plan_update *u)
{
	memset(u, 0, sizeof(*u));
	u->idx = -1;
	cpuset_init(&u->old_cpus);
	cpuset_init(&u->new_cpus);
}

void plan_update_free(struct plan_update *u)
{
	size_t i;

	free(u->items);
	for (i = 0; i < u->nowned; i++)
		free(u->owned[i]);
	free(u->owned);
	cpuset_free(&u->old_cpus);
	cpuset_free(&u->new_cpus);
	free(u->mem_rm);
	free(u->mem_add);
	free(u->old_devs);
	free(u->new_devs);
	plan_update_init(u);
}

bool plan_update_empty(const struct plan_update *u)
{
	return u->nitems == 0;
}

static struct mk2_item *push_item(struct plan_update *u, enum mk2_op op)
{
	struct mk2_item *it;

	u->items = xrealloc(u->items, (u->nitems + 1) * sizeof(*u->items));
	it = &u->items[u->nitems++];
	memset(it, 0, sizeof(*it));
	it->op = op;
	it->numa = -1;
	return it;
}

static const char *own(struct plan_update *u, char *s)
{
	u->owned = xrealloc(u->owned, (u->nowned + 1) * sizeof(*u->owned));
	u->owned[u->nowned++] = s;
	return s;
}

static char *dev_list(const struct mk_instance *in)
{
	struct strbuf sb;
	size_t i;

	if (!in->ndevs)
		return xstrdup("none");
	sb_init(&sb);
	for (i = 0; i < in->ndevs; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", in->devs[i].name);
	return sb_detach(&sb, NULL);
}

/* --cpu-count: keep the CPUs the instance has, drop or add the rest. */
static int count_cpus(const struct kstate *st, long idx, uint32_t n,
		      struct cpuset *out, char *err, size_t errlen)
{
	const struct mk_model *m = &st->model;
	const struct mk_instance *in = &m->instances[idx];
	const struct kstate_inst *ki = &st->inst[idx];
	uint32_t cur = cpuset_count(&in->cpus);
	uint32_t boot = UINT32_MAX;
	struct cpuset fr, add;
	uint32_t *nodes = NULL;
	size_t nn = 0, i;
	int ret;

	cpuset_copy(out, &in->cpus);
	if (n == cur)
		return 0;
	if (ki->nphys)
		cpumap_logical(&st->map, ki->phys[0], &boot);
	if (n < cur) {
		/* give back the highest CPUs, never the boot CPU */
		uint32_t *v = xmalloc(cur * sizeof(*v)), k = 0, drop;

		cpuset_for_each(&in->cpus, c) v[k++] = (uint32_t)c;
		drop = cur - n;
		while (k-- > 0 && drop) {
			if (v[k] == boot)
				continue;
			cpuset_del(out, v[k]);
			drop--;
		}
		free(v);
		return 0;
	}
	cpuset_init(&fr);
	cpuset_init(&add);
	plan_free_cpus(m, -1, &fr);
	/* stay on the NUMA nodes the instance is on when they have room */
	if (m->topo.present) {
		nodes = xzalloc((m->topo.nnodes + 1) * sizeof(*nodes));
		for (i = 0; i < m->topo.nnodes; i++)
			if (cpuset_intersects(&m->topo.nodes[i].cpus,
					      &in->cpus))
				nodes[nn++] = m->topo.nodes[i].id;
	}
	ret = plan_alloc_cpus(m, &fr, n - cur, PLAN_AFF_COMPACT, nodes, nn,
			      -1, &add, err, errlen);
	if (ret && nn)
		ret = plan_alloc_cpus(m, &fr, n - cur, PLAN_AFF_COMPACT, NULL,
				      0, -1, &add, err, errlen);
	if (!ret)
		cpuset_or(out, &add);
	free(nodes);
	cpuset_free(&fr);
	cpuset_free(&add);
	return ret;
}

static int cpu_items(const struct kstate *st, long idx, struct plan_update *u,
		     char *err, size_t errlen)
{
	const struct kstate_inst *ki = &st->inst[idx];
	size_t i;

	for (i = 0; i < ki->nphys; i++) {
		uint32_t l;

		if (cpumap_logical(&st->map, ki->phys[i], &l) == 0 &&
		    !cpuset_has(&u->new_cpus, l))
			push_item(u, MK2_CPU_REMOVE)->a = ki->phys[i];
	}
	cpuset_for_each(&u->new_cpus, c)
	{
		uint64_t phys;

		if (cpuset_has(&u->old_cpus, (uint32_t)c))
			continue;
		if (cpumap_phys(&st->map, (uint32_t)c, &phys)) {
			snprintf(err, errlen,
				 "logical CPU %u has no known physical id "
				 "[host-cpus]",
				 (uint32_t)c);
			return -EINVAL;
		}
		push_item(u, MK2_CPU_ADD)->a = phys;
	}
	return 0;
}

static int cmp_reg(const void *a, const void *b)
{
	const struct kstate_region *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

/* Take [base, base+size) out of the instance's regions. */
static void regions_cut(struct kstate_inst *ki, uint64_t base, uint64_t size)
{
	uint64_t end = base + size;
	size_t i;

	for (i = 0; i < ki->nregions; i++) {
		struct kstate_region *r = &ki->regions[i];
		uint64_t rend = r->base + r->size;

		if (end <= r->base || base >= rend)
			continue;
		if (base <= r->base && end >= rend) {
			memmove(r, r + 1,
				(ki->nregions - i - 1) * sizeof(*r));
			ki->nregions--;
			i--;
		} else if (base <= r->base) {
			r->size = rend - end;
			r->base = end;
		} else if (end >= rend) {
			r->size = base - r->base;
		} else {
			/* a hole in the middle: split */
			struct kstate_region tail = *r;

			r->size = base - r->base;
			tail.base = end;
			tail.size = rend - end;
			ki->regions = xrealloc(ki->regions,
					       (ki->nregions + 1) *
						       sizeof(*ki->regions));
			ki->regions[ki->nregions++] = tail;
		}
	}
	xqsort(ki->regions, ki->nregions, sizeof(*ki->regions), cmp_reg);
}

static void regions_add(struct kstate_inst *ki, uint64_t base, uint64_t size,
			long chunk)
{
	struct kstate_region *r;
	size_t i;

	/* growing in place extends the region it touches */
	for (i = 0; i < ki->nregions; i++)
		if (ki->regions[i].base + ki->regions[i].size == base) {
			ki->regions[i].size += size;
			return;
		}
	ki->regions = xrealloc(ki->regions,
			       (ki->nregions + 1) * sizeof(*ki->regions));
	r = &ki->regions[ki->nregions++];
	memset(r, 0, sizeof(*r));
	r->base = base;
	r->size = size;
	r->index = (int)ki->nregions - 1;
	r->chunk = chunk;
	xqsort(ki->regions, ki->nregions, sizeof(*ki->regions), cmp_reg);
}

static int mem_items(struct kstate *st, long idx, uint64_t size,
		     struct plan_update *u, char *err, size_t errlen)
{
	struct mk_model *m = &st->model;
	struct mk_instance *in = &m->instances[idx];
	struct kstate_inst *ki = &st->inst[idx];
	struct plan_range *old;
	struct kstate_gap *kg = NULL;
	struct plan_gap *g;
	size_t ng = 0, i;
	char sz[32], bz[32];
	bool contiguous = true;
	int ret;

	if (!size || size % MK_PAGE_SIZE) {
		snprintf(err, errlen,
			 "memory size must be a non-zero multiple of 4 KiB "
			 "[mem-size]");
		return -EINVAL;
	}
	if (!ki->nregions || st->iomem_zeroed) {
		snprintf(err, errlen,
			 "the memory regions of '%s' are unknown: proc/iomem "
			 "%s (kerf must run as root to change memory)",
			 ki->name,
			 st->iomem_zeroed ? "hides the addresses"
					  : "lists none");
		return -EINVAL;
	}
	old = xzalloc(ki->nregions * sizeof(*old));
	for (i = 0; i < ki->nregions; i++) {
		old[i].base = ki->regions[i].base;
		old[i].size = ki->regions[i].size;
	}
	kstate_gaps(st, -1, &kg, &ng);
	g = xzalloc((ng + 1) * sizeof(*g));
	for (i = 0; i < ng; i++) {
		g[i].base = kg[i].base;
		g[i].size = kg[i].size;
	}
	ret = plan_mem_delta(old, ki->nregions, size, g, ng, &u->mem_rm,
			     &u->nmem_rm, &u->mem_add, &u->nmem_add);
	free(old);
	free(g);
	if (ret) {
		uint64_t big = 0;

		for (i = 0; i < ng; i++)
			if (kg[i].size > big)
				big = kg[i].size;
		size_format(sz, sizeof(sz), size - in->mem_size, SIZE_IEC);
		snprintf(err, errlen,
			 "no free range of %s in the memory pool (the "
			 "largest free range is %s)",
			 sz,
			 size_format(bz, sizeof(bz), big, SIZE_IEC));
		free(kg);
		return -ENOSPC;
	}
	for (i = 0; i < u->nmem_rm; i++) {
		struct mk2_item *it = push_item(u, MK2_MEM_REMOVE);

		it->a = u->mem_rm[i].base;
		it->b = u->mem_rm[i].size;
		regions_cut(ki, it->a, it->b);
	}
	for (i = 0; i < u->nmem_add; i++) {
		struct mk2_item *it = push_item(u, MK2_MEM_ADD);
		long chunk = -1;

		it->a = u->mem_add[i].base;
		it->b = u->mem_add[i].size;
		for (size_t k = 0; k < ng; k++)
			if (it->a >= kg[k].base &&
			    it->a - kg[k].base < kg[k].size)
				chunk = kg[k].chunk;
		regions_add(ki, it->a, it->b, chunk);
	}
	free(kg);
	for (i = 1; i < ki->nregions; i++)
		if (ki->regions[i].base !=
		    ki->regions[i - 1].base + ki->regions[i - 1].size)
			contiguous = false;
	in->mem_size = size;
	in->has_size = true;
	/*
	 * The model holds one range per instance: regions in several places
	 * were placed against the gaps above; the checks see the size only.
	 */
	in->has_base = contiguous && ki->nregions;
	in->mem_base = ki->nregions ? ki->regions[0].base : 0;
	ki->mem_bytes = size;
	u->new_mem = size;
	return 0;
}

/* PCI address of a planned device; NULL with the reason in err. */
static char *dev_pci(const struct kport *kp, const struct mk_model *m,
		     const struct plan_dev *pd, char *err, size_t errlen)
{
	const struct mk_device *x = &m->devices[pd->dev];
	char *bdf;

	if (pd->ns >= 0) {
		snprintf(err, errlen,
			 "cannot give NVMe namespace %s to an instance: the "
			 "mk2 kernel moves whole PCI functions, not "
			 "namespaces; give the whole controller (%s) instead",
			 pd->name, x->name);
		return NULL;
	}
	if (pd->vf < 0) {
		if (!x->pci_id)
			snprintf(err, errlen, "device '%s' has no PCI id",
				 pd->name);
		return x->pci_id ? xstrdup(x->pci_id) : NULL;
	}
	bdf = kstate_vf_bdf(kp, x->pci_id, (uint32_t)pd->vf);
	if (!bdf)
		snprintf(err, errlen,
			 "the PCI address of %s (VF %d of %s) is unknown",
			 pd->name, pd->vf, x->pci_id ? x->pci_id : x->name);
	return bdf;
}

static int dev_items(const struct kport *kp, struct kstate *st, long idx,
		     const struct plan_update_req *r, struct plan_update *u,
		     char *err, size_t errlen)
{
	struct mk_model *m = &st->model;
	struct kstate_inst *ki = &st->inst[idx];
	char **bdf = xzalloc((r->ndevs + 1) * sizeof(*bdf));
	size_t i, k;
	int ret = 0;

	for (i = 0; i < r->ndevs; i++) {
		bdf[i] = dev_pci(kp, m, &r->devs[i], err, errlen);
		if (!bdf[i]) {
			ret = -EINVAL;
			goto out;
		}
		for (k = 0; k < i; k++)
			if (!strcasecmp(bdf[k], bdf[i])) {
				snprintf(err, errlen,
					 "device %s is listed twice",
					 r->devs[i].name);
				ret = -EINVAL;
				goto out;
			}
	}
	for (i = 0; i < ki->ndevs; i++) {
		for (k = 0; k < r->ndevs; k++)
			if (ki->devs[i].pci_id &&
			    !strcasecmp(ki->devs[i].pci_id, bdf[k]))
				break;
		if (k < r->ndevs || !ki->devs[i].pci_id)
			continue;
		{
			struct mk2_item *it = push_item(u, MK2_DEV_REMOVE);

			it->pci.name = own(u, xstrdup(ki->devs[i].name));
			it->pci.pci_id = own(u, xstrdup(ki->devs[i].pci_id));
		}
	}
	for (k = 0; k < r->ndevs; k++) {
		struct mk2_item *it;

		for (i = 0; i < ki->ndevs; i++)
			if (ki->devs[i].pci_id &&
			    !strcasecmp(ki->devs[i].pci_id, bdf[k]))
				break;
		if (i < ki->ndevs)
			continue;
		it = push_item(u, MK2_DEV_ADD);
		it->pci.name = own(u, xstrdup(r->devs[k].name));
		it->pci.pci_id = own(u, xstrdup(bdf[k]));
	}
	/* the resulting state */
	plan_set_devices(m, &m->instances[idx], r->devs, r->ndevs);
	for (i = 0; i < ki->ndevs; i++) {
		free(ki->devs[i].pci_id);
		free(ki->devs[i].name);
	}
	free(ki->devs);
	ki->devs = r->ndevs ? xzalloc(r->ndevs * sizeof(*ki->devs)) : NULL;
	ki->ndevs = r->ndevs;
	for (i = 0; i < r->ndevs; i++) {
		ki->devs[i].pci_id = bdf[i];
		ki->devs[i].name = xstrdup(r->devs[i].name);
		bdf[i] = NULL;
	}
out:
	for (i = 0; i < r->ndevs; i++)
		free(bdf[i]);
	free(bdf);
	return ret;
}

int plan_update(const struct kport *kp, struct kstate *st, long idx,
		const struct plan_update_req *r, struct plan_update *u,
		char *err, size_t errlen)
{
	struct mk_model *m = &st->model;
	struct mk_instance *in;
	struct kstate_inst *ki;
	int ret;

	if (idx < 0 || (size_t)idx >= st->ninst) {
		snprintf(err, errlen, "no such instance");
		return -ENOENT;
	}
	in = &m->instances[idx];
	ki = &st->inst[idx];
	u->idx = idx;
	cpuset_copy(&u->old_cpus, &in->cpus);
	cpuset_copy(&u->new_cpus, &in->cpus);
	u->old_mem = u->new_mem = in->mem_size;
	u->old_devs = dev_list(in);

	if (r->set_cpus || r->cpu_count) {
		if (ki->cpus_unmapped) {
			snprintf(err, errlen,
				 "a CPU of '%s' has no logical number in the "
				 "CPU map [host-cpus]",
				 ki->name);
			return -EINVAL;
		}
		if (r->set_cpus)
			cpuset_copy(&u->new_cpus, &r->cpus);
		else {
			ret = count_cpus(st, idx, r->cpu_count, &u->new_cpus,
					 err, errlen);
			if (ret)
				return ret;
		}
	}
	/* items in the kernel's order: memory, CPUs, devices */
	if (r->set_mem && r->mem != in->mem_size) {
		ret = mem_items(st, idx, r->mem, u, err, errlen);
		if (ret)
			return ret;
	}
	if (!cpuset_equal(&u->new_cpus, &u->old_cpus)) {
		ret = cpu_items(st, idx, u, err, errlen);
		if (ret)
			return ret;
		cpuset_copy(&in->cpus, &u->new_cpus);
		in->has_cpus = true;
	}
	if (r->set_devs) {
		ret = dev_items(kp, st, idx, r, u, err, errlen);
		if (ret)
			return ret;
	}
	u->new_devs = dev_list(in);
	return 0;
}

char *plan_update_summary(const struct plan_update *u, const char *arrow)
{
	struct strbuf sb;
	char a[32], b[32];

	sb_init(&sb);
	if (!cpuset_equal(&u->old_cpus, &u->new_cpus)) {
		char *x = cpuset_format(&u->old_cpus);
		char *y = cpuset_format(&u->new_cpus);

		sb_addf(&sb, "CPUs %s %s %s", *x ? x : "none", arrow,
			*y ? y : "none");
		free(x);
		free(y);
	}
	if (u->old_mem != u->new_mem)
		sb_addf(&sb, "%smemory %s %s %s", sb.len ? ", " : "",
			size_format(a, sizeof(a), u->old_mem, SIZE_IEC), arrow,
			size_format(b, sizeof(b), u->new_mem, SIZE_IEC));
	if (u->old_devs && u->new_devs && strcmp(u->old_devs, u->new_devs))
		sb_addf(&sb, "%sdevices %s %s %s", sb.len ? ", " : "",
			u->old_devs, arrow, u->new_devs);
	return sb_detach(&sb, NULL);
}

static int step_rank(enum plan_step_kind k)
{
	switch (k) {
	case PLAN_DELETE: return 0;
	case PLAN_SHRINK: return 1;
	case PLAN_CREATE: return 2;
	case PLAN_GROW: return 3;
	case PLAN_POOL_GROW: return -1;
	case PLAN_POOL_SHRINK: return 5;
	}
	return 4;
}

void plan_steps_sort(struct plan_step *s, size_t n)
{
	size_t i, j;

	/* insertion sort: stable, and plans are short */
	for (i = 1; i < n; i++) {
		struct plan_step x = s[i];

		for (j = i; j > 0 && step_rank(s[j - 1].kind) >
					     step_rank(x.kind);
		     j--)
			s[j] = s[j - 1];
		s[j] = x;
	}
}

void plan_snap_take(const struct kstate_inst *ki, struct plan_snap *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	if (ki->nphys) {
		s->phys = xmalloc(ki->nphys * sizeof(*s->phys));
		memcpy(s->phys, ki->phys, ki->nphys * sizeof(*s->phys));
		s->nphys = ki->nphys;
	}
	if (ki->nregions)
		s->regs = xmalloc(ki->nregions * sizeof(*s->regs));
	for (i = 0; i < ki->nregions; i++) {
		s->regs[i].base = ki->regions[i].base;
		s->regs[i].size = ki->regions[i].size;
	}
	s->nregs = ki->nregions;
	if (ki->ndevs)
		s->pci = xzalloc(ki->ndevs * sizeof(*s->pci));
	for (i = 0; i < ki->ndevs; i++)
		if (ki->devs[i].pci_id)
			s->pci[s->npci++] = xstrdup(ki->devs[i].pci_id);
}

void plan_snap_free(struct plan_snap *s)
{
	size_t i;

	free(s->phys);
	free(s->regs);
	for (i = 0; i < s->npci; i++)
		free(s->pci[i]);
	free(s->pci);
	memset(s, 0, sizeof(*s));
}

static bool has_phys(const struct plan_snap *s, uint64_t id)
{
	size_t i;

	for (i = 0; i < s->nphys; i++)
		if (s->phys[i] == id)
			return true;
	return false;
}

static bool has_pci(const struct plan_snap *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->npci; i++)
		if (!strcasecmp(s->pci[i], id))
			return true;
	return false;
}

/* Append a minus b (ranges of a not covered by b) as op items. */
static void range_diff(const struct plan_snap *a, const struct plan_snap *b,
		       enum mk2_op op, struct mk2_item **items, size_t *n)
{
	size_t i, k;

	for (i = 0; i < a->nregs; i++) {
		uint64_t pos = a->regs[i].base;
		uint64_t end = a->regs[i].base + a->regs[i].size;

		while (pos < end) {
			uint64_t next = end;
			bool covered = false;

			/* the b-range covering pos, or the next b start */
			for (k = 0; k < b->nregs; k++) {
				uint64_t bb = b->regs[k].base;
				uint64_t be = bb + b->regs[k].size;

				if (bb <= pos && pos < be) {
					covered = true;
					next = be < end ? be : end;
					break;
				}
				if (bb > pos && bb < next)
					next = bb;
			}
			if (!covered) {
				struct mk2_item *it;

				*items = xrealloc(*items,
						  (*n + 1) * sizeof(**items));
				it = &(*items)[(*n)++];
				memset(it, 0, sizeof(*it));
				it->op = op;
				it->a = pos;
				it->b = next - pos;
				it->numa = -1;
			}
			pos = next;
		}
	}
}

static struct mk2_item *restore_push(struct mk2_item **items, size_t *n,
				     enum mk2_op op)
{
	struct mk2_item *it;

	*items = xrealloc(*items, (*n + 1) * sizeof(**items));
	it = &(*items)[(*n)++];
	memset(it, 0, sizeof(*it));
	it->op = op;
	it->numa = -1;
	return it;
}

void plan_restore_items(const struct plan_snap *want,
			const struct plan_snap *now, struct mk2_item **items,
			size_t *n)
{
	size_t i;

	*items = NULL;
	*n = 0;
	range_diff(now, want, MK2_MEM_REMOVE, items, n);
	range_diff(want, now, MK2_MEM_ADD, items, n);
	for (i = 0; i < now->nphys; i++)
		if (!has_phys(want, now->phys[i]))
			restore_push(items, n, MK2_CPU_REMOVE)->a =
				now->phys[i];
	for (i = 0; i < want->nphys; i++)
		if (!has_phys(now, want->phys[i]))
			restore_push(items, n, MK2_CPU_ADD)->a = want->phys[i];
	for (i = 0; i < now->npci; i++)
		if (!has_pci(want, now->pci[i])) {
			struct mk2_item *it =
				restore_push(items, n, MK2_DEV_REMOVE);

			it->pci.name = now->pci[i];
			it->pci.pci_id = now->pci[i];
		}
	for (i = 0; i < want->npci; i++)
		if (!has_pci(now, want->pci[i])) {
			struct mk2_item *it =
				restore_push(items, n, MK2_DEV_ADD);

			it->pci.name = want->pci[i];
			it->pci.pci_id = want->pci[i];
		}
}

/* ---- apply ------------------------------------------------------------ */

static void step_free(struct plan_step *s)
{
	free(s->name);
	free(s->text);
	free(s->summary);
	mk2_blobs_free(&s->blobs);
	plan_snap_free(&s->snap);
}

void plan_apply_free(struct plan_apply *p)
{
	size_t i;

	for (i = 0; i < p->nsteps; i++)
		step_free(&p->steps[i]);
	free(p->steps);
	for (i = 0; i < p->nkept; i++)
		free(p->kept[i]);
	free(p->kept);
	memset(p, 0, sizeof(*p));
}

static struct plan_step *push_step(struct plan_apply *p,
				   enum plan_step_kind kind, const char *name)
{
	struct plan_step *s;

	p->steps = xrealloc(p->steps, (p->nsteps + 1) * sizeof(*p->steps));
	s = &p->steps[p->nsteps++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->name = xstrdup(name);
	return s;
}

/* Drop instance idx from the state (a planned delete). */
static void state_remove(struct kstate *st, long idx)
{
	struct mk_model *m = &st->model;
	struct mk_instance *in = &m->instances[idx];
	struct kstate_inst *ki = &st->inst[idx];
	size_t i;

	free(in->name);
	cpuset_free(&in->cpus);
	cpuset_free(&in->cpus_dup);
	for (i = 0; i < in->ndevs; i++)
		free(in->devs[i].name);
	free(in->devs);
	free(in->numa);
	free(in->affinity);
	free(in->policy);
	free(ki->name);
	free(ki->status_text);
	free(ki->phys);
	free(ki->regions);
	for (i = 0; i < ki->ndevs; i++) {
		free(ki->devs[i].pci_id);
		free(ki->devs[i].name);
	}
	free(ki->devs);
	memmove(in, in + 1, (m->ninstances - idx - 1) * sizeof(*in));
	memmove(ki, ki + 1, (st->ninst - idx - 1) * sizeof(*ki));
	m->ninstances--;
	st->ninst--;
}

/*
 * The devices of a file instance, resolved against the live inventory.
 * 0, or -EINVAL with the reason in err.
 */
static int file_devs(const struct mk_model *live, const struct mk_model *f,
		     const struct mk_instance *in, struct plan_dev **out,
		     size_t *n, char *err, size_t errlen)
{
	size_t i;

	*out = in->ndevs ? xzalloc(in->ndevs * sizeof(**out)) : NULL;
	*n = 0;
	for (i = 0; i < in->ndevs; i++) {
		const struct mk_inst_dev *d = &in->devs[i];
		char *spec = NULL;
		int ret;

		if (d->kind == MK_REF_DEVICE && d->index >= 0)
			spec = xstrdup(f->devices[d->index].name);
		else if (d->kind == MK_REF_DEVREF && d->index >= 0 &&
			 f->devrefs[d->index].parent >= 0) {
			const struct mk_devref *r = &f->devrefs[d->index];
			const char *pn = f->devices[r->parent].name;

			spec = r->has_vf ? xasprintf("%s_vf%u", pn, r->vf)
					 : xasprintf("%s_ns%u", pn, r->ns);
		} else {
			spec = xstrdup(d->name ? d->name : "?");
		}
		ret = plan_parse_device(live, spec, &(*out)[*n], err, errlen);
		free(spec);
		if (ret)
			return -EINVAL;
		(*n)++;
	}
	return 0;
}

static char *devs_text(const struct plan_dev *pd, size_t n)
{
	struct strbuf sb;
	size_t i;

	sb_init(&sb);
	for (i = 0; i < n; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", pd[i].name);
	return sb_detach(&sb, NULL);
}

static bool changing_status(enum mk_status s)
{
	return s == MK_STATUS_READY || s == MK_STATUS_EMPTY;
}

static int plan_one_update(const struct kport *kp, struct kstate *st,
			   long idx, const struct mk_model *f,
			   const struct mk_instance *fi, const char *arrow,
			   struct plan_apply *p, char *err, size_t errlen)
{
	struct plan_update_req r;
	struct plan_update u;
	struct plan_dev *pd = NULL;
	struct plan_snap snap;
	size_t npd = 0, i;
	bool takes = false;
	char *name = xstrdup(st->inst[idx].name);
	int ret;

	memset(&r, 0, sizeof(r));
	cpuset_init(&r.cpus);
	plan_update_init(&u);
	plan_snap_take(&st->inst[idx], &snap);
	if (fi->has_cpus) {
		r.set_cpus = true;
		cpuset_copy(&r.cpus, &fi->cpus);
	}
	if (fi->has_size) {
		r.set_mem = true;
		r.mem = fi->mem_size;
	}
	ret = file_devs(&st->model, f, fi, &pd, &npd, err, errlen);
	if (ret)
		goto out;
	r.set_devs = true;
	r.devs = pd;
	r.ndevs = npd;
	{
		/* status decides before anything changes the state */
		struct kstate_inst *ki = &st->inst[idx];
		enum mk_status s = ki->status;
		char *text = NULL;

		ret = plan_update(kp, st, idx, &r, &u, err, errlen);
		if (ret)
			goto out;
		if (plan_update_empty(&u))
			goto out;
		if (!changing_status(s)) {
			snprintf(err, errlen,
				 "instance '%s' (id %d) would change, but its "
				 "status is '%s': kerf apply changes only "
				 "ready instances; unload (or kill and "
				 "unload) it first",
				 name, ki->id, ki->status_text);
			ret = -EBUSY;
			goto out;
		}
		for (i = 0; i < u.nitems; i++)
			if (u.items[i].op == MK2_MEM_ADD ||
			    u.items[i].op == MK2_CPU_ADD ||
			    u.items[i].op == MK2_DEV_ADD)
				takes = true;
		{
			struct plan_step *sp = push_step(
				p, takes ? PLAN_GROW : PLAN_SHRINK, name);

			sp->id = ki->id;
			sp->summary = plan_update_summary(&u, arrow);
			text = xasprintf("~ update %s: %s", name, sp->summary);
			sp->text = text;
			sp->snap = snap;
			memset(&snap, 0, sizeof(snap));
			if (mk2_delta_blobs(name, u.items, u.nitems,
					    &sp->blobs)) {
				snprintf(err, errlen,
					 "cannot encode the overlay for '%s'",
					 name);
				ret = -EINVAL;
			}
		}
	}
out:
	plan_snap_free(&snap);
	plan_update_free(&u);
	plan_dev_free(pd, npd);
	cpuset_free(&r.cpus);
	free(name);
	return ret;
}

/* A new instance of the file, appended to the state; its step. */
static int plan_one_create(const struct kport *kp, struct kstate *st,
			   const struct mk_model *f,
			   const struct mk_instance *fi, struct plan_apply *p,
			   char *err, size_t errlen)
{
	struct mk_model *m = &st->model;
	struct plan_dev *pd = NULL;
	struct mk2_pci *pci = NULL;
	char **bdf = NULL;
	uint64_t *phys = NULL;
	struct mk2_create cr;
	struct mk2_item item;
	struct mk_instance *in;
	struct kstate_inst *ki;
	struct plan_step *sp;
	size_t npd = 0, i = 0, ncpu;
	uint32_t id;
	uint64_t base = 0;
	char sz[32], *cl, *dl;
	int ret;

	if (!fi->has_cpus || cpuset_empty(&fi->cpus) || !fi->has_size) {
		snprintf(err, errlen,
			 "instance '%s' of the file needs cpus and "
			 "memory-bytes to be created",
			 fi->name);
		return -EINVAL;
	}
	id = fi->has_id ? fi->id : 0;
	if (id && kstate_find_id(st, (int)id) >= 0) {
		snprintf(err, errlen,
			 "instance '%s' asks for id %u, which instance '%s' "
			 "uses",
			 fi->name, id,
			 st->inst[kstate_find_id(st, (int)id)].name);
		return -EINVAL;
	}
	if (!id)
		id = kstate_free_id(st);
	if (!id) {
		snprintf(err, errlen, "no free instance id");
		return -ENOSPC;
	}
	ret = file_devs(m, f, fi, &pd, &npd, err, errlen);
	if (ret)
		goto out;
	{
		/*
		 * kerf places the memory itself (an explicit memory-add):
		 * the grows planned with this create must not meet the
		 * range the kernel would have chosen.
		 */
		struct kstate_gap *kg;
		struct plan_gap *g;
		size_t ng;
		int64_t numa = -1;

		kstate_gaps(st, -1, &kg, &ng);
		g = xzalloc((ng + 1) * sizeof(*g));
		for (i = 0; i < ng; i++) {
			g[i].base = kg[i].base;
			g[i].size = kg[i].size;
		}
		free(kg);
		base = fi->mem_base;
		if (fi->has_base) {
			ret = plan_check_base(m, g, ng, base, fi->mem_size,
					      err, errlen);
		} else {
			if (fi->nnuma)
				numa = fi->numa[0];
			ret = plan_find_gap(m, g, ng, fi->mem_size, numa,
					    &base);
			if (ret)
				snprintf(err, errlen,
					 "no free range of the memory pool "
					 "holds the %" PRIu64 " bytes of '%s'",
					 fi->mem_size, fi->name);
		}
		free(g);
		if (ret)
			goto out;
	}
	ncpu = cpuset_count(&fi->cpus);
	phys = xzalloc((ncpu + 1) * sizeof(*phys));
	i = 0;
	cpuset_for_each(&fi->cpus, c)
	{
		if (cpumap_phys(&st->map, (uint32_t)c, &phys[i++])) {
			snprintf(err, errlen,
				 "logical CPU %u has no known physical id "
				 "[host-cpus]",
				 (uint32_t)c);
			ret = -EINVAL;
			goto out;
		}
	}
	pci = npd ? xzalloc(npd * sizeof(*pci)) : NULL;
	bdf = xzalloc((npd + 1) * sizeof(*bdf));
	for (i = 0; i < npd; i++) {
		bdf[i] = dev_pci(kp, m, &pd[i], err, errlen);
		if (!bdf[i]) {
			ret = -EINVAL;
			goto out;
		}
		pci[i].name = pd[i].name;
		pci[i].pci_id = bdf[i];
		if (pd[i].vf < 0) {
			pci[i].vendor = m->devices[pd[i].dev].vendor_id;
			pci[i].device = m->devices[pd[i].dev].device_id;
			pci[i].has_ids = m->devices[pd[i].dev].has_vendor &&
					 m->devices[pd[i].dev].has_device;
		}
	}
	memset(&cr, 0, sizeof(cr));
	cr.name = fi->name;
	cr.id = id;
	cr.cpus = phys;
	cr.ncpus = ncpu;
	cr.mem_bytes = 0;
	cr.numa = fi->numa;
	cr.nnuma = fi->nnuma;
	cr.devs = pci;
	cr.ndevs = npd;
	memset(&item, 0, sizeof(item));
	item.op = MK2_MEM_ADD;
	item.a = base;
	item.b = fi->mem_size;
	item.numa = -1;
	sp = push_step(p, PLAN_CREATE, fi->name);
	sp->id = (int)id;
	if (mk2_create_blobs(&cr, &item, 1, &sp->blobs)) {
		snprintf(err, errlen, "cannot encode the overlay for '%s'",
			 fi->name);
		ret = -EINVAL;
		goto out;
	}
	cl = cpuset_format(&fi->cpus);
	dl = devs_text(pd, npd);
	size_format(sz, sizeof(sz), fi->mem_size, SIZE_IEC);
	sp->text = xasprintf("+ create %s: CPUs %s, %s at 0x%" PRIx64 "%s%s",
			     fi->name, cl, sz, base, npd ? ", " : "", dl);
	free(cl);
	free(dl);

	/* the resulting state */
	m->instances = xrealloc(m->instances,
				(m->ninstances + 1) * sizeof(*m->instances));
	st->inst = xrealloc(st->inst, (st->ninst + 1) * sizeof(*st->inst));
	in = &m->instances[m->ninstances++];
	ki = &st->inst[st->ninst++];
	memset(in, 0, sizeof(*in));
	memset(ki, 0, sizeof(*ki));
	in->name = xstrdup(fi->name);
	in->has_id = true;
	in->id = id;
	cpuset_init(&in->cpus);
	cpuset_init(&in->cpus_dup);
	cpuset_copy(&in->cpus, &fi->cpus);
	in->has_cpus = true;
	in->mem_size = fi->mem_size;
	in->has_size = true;
	in->mem_base = base;
	in->has_base = true;
	if (fi->nnuma) {
		in->numa = xmalloc(fi->nnuma * sizeof(*in->numa));
		memcpy(in->numa, fi->numa, fi->nnuma * sizeof(*in->numa));
		in->nnuma = fi->nnuma;
	}
	in->affinity = fi->affinity ? xstrdup(fi->affinity) : NULL;
	in->policy = fi->policy ? xstrdup(fi->policy) : NULL;
	plan_set_devices(m, in, pd, npd);
	ki->name = xstrdup(fi->name);
	ki->id = (int)id;
	ki->status = MK_STATUS_READY;
	ki->status_text = xstrdup("planned");
	ki->phys = phys;
	ki->nphys = ncpu;
	phys = NULL;
	ki->regions = xzalloc(sizeof(*ki->regions));
	ki->regions[0].base = base;
	ki->regions[0].size = fi->mem_size;
	ki->regions[0].chunk = -1;
	ki->nregions = 1;
	ki->mem_bytes = fi->mem_size;
	if (npd)
		ki->devs = xzalloc(npd * sizeof(*ki->devs));
	for (i = 0; i < npd; i++) {
		ki->devs[i].pci_id = bdf[i];
		ki->devs[i].name = xstrdup(pd[i].name);
		bdf[i] = NULL;
	}
	ki->ndevs = npd;
	ret = 0;
out:
	for (i = 0; bdf && i < npd; i++)
		free(bdf[i]);
	free(bdf);
	free(pci);
	free(phys);
	plan_dev_free(pd, npd);
	return ret;
}

static int plan_instances(const struct kport *kp, struct kstate *st,
			  const struct mk_model *file, bool prune,
			  const char *arrow, struct plan_apply *out, char *err,
			  size_t errlen)
{
	size_t i, k;
	int ret;

	/* deletes first: what they free, the others may use */
	for (i = 0; i < st->ninst;) {
		const struct kstate_inst *ki = &st->inst[i];
		struct plan_step *sp;

		for (k = 0; k < file->ninstances; k++)
			if (!strcmp(file->instances[k].name, ki->name))
				break;
		if (k < file->ninstances) {
			i++;
			continue;
		}
		if (!prune) {
			out->kept = xrealloc(out->kept, (out->nkept + 1) *
								sizeof(char *));
			out->kept[out->nkept++] = xstrdup(ki->name);
			i++;
			continue;
		}
		if (ki->status == MK_STATUS_LOADED ||
		    ki->status == MK_STATUS_ACTIVE) {
			snprintf(err, errlen,
				 "instance '%s' (id %d) is not in the file, "
				 "but it cannot be deleted: status '%s'; "
				 "unload (or kill and unload) it first",
				 ki->name, ki->id, ki->status_text);
			return -EBUSY;
		}
		sp = push_step(out, PLAN_DELETE, ki->name);
		sp->id = ki->id;
		sp->text = xasprintf("- delete %s", ki->name);
		if (mk2_remove_blob(ki->name, &sp->blobs)) {
			snprintf(err, errlen,
				 "cannot encode the overlay for '%s'",
				 ki->name);
			return -EINVAL;
		}
		state_remove(st, (long)i);
	}
	for (k = 0; k < file->ninstances; k++) {
		const struct mk_instance *fi = &file->instances[k];
		long idx = kstate_find(st, fi->name);

		if (idx < 0)
			continue;
		ret = plan_one_update(kp, st, idx, file, fi, arrow, out, err,
				      errlen);
		if (ret)
			return ret;
	}
	for (k = 0; k < file->ninstances; k++) {
		const struct mk_instance *fi = &file->instances[k];

		if (kstate_find(st, fi->name) >= 0)
			continue;
		ret = plan_one_create(kp, st, file, fi, out, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- the pool --------------------------------------------------------- */

/* The instance with memory in [base, base+size), or NULL. */
static const char *chunk_user(const struct kstate *st, uint64_t base,
			      uint64_t size)
{
	size_t i, k;

	for (i = 0; i < st->ninst; i++)
		for (k = 0; k < st->inst[i].nregions; k++) {
			const struct kstate_region *r = &st->inst[i].regions[k];

			if (r->base < base + size && base < r->base + r->size)
				return st->inst[i].name;
		}
	return NULL;
}

struct fn_list {
	struct plan_pool_fn *v;
	size_t n;
	char **owned;
	size_t nowned;
};

static void fn_push(struct fn_list *l, char *name, char *bdf)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->owned = xrealloc(l->owned, (l->nowned + 2) * sizeof(*l->owned));
	l->owned[l->nowned++] = name;
	l->owned[l->nowned++] = bdf;
	l->v[l->n].name = name;
	l->v[l->n].bdf = bdf;
	l->n++;
}

static void fn_list_free(struct fn_list *l)
{
	size_t i;

	for (i = 0; i < l->nowned; i++)
		free(l->owned[i]);
	free(l->owned);
	free(l->v);
}

/* The PCI functions the baseline of m puts in the pool (kernel.md §2). */
static int want_functions(const struct mk_model *m,
			  const struct host_info *host, struct fn_list *l,
			  char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < m->ndevices; i++) {
		const struct mk_device *x = &m->devices[i];
		const struct host_pci *hp;

		if (!x->pci_id || x->kind == MK_DEV_NVME)
			continue;
		if (x->kind != MK_DEV_SRIOV) {
			fn_push(l, xstrdup(x->name), xstrdup(x->pci_id));
			continue;
		}
		hp = host ? host_pci_find(host, x->pci_id) : NULL;
		cpuset_for_each(&x->vf_available, vf)
		{
			if (!hp || (size_t)vf >= hp->nvirtfn ||
			    !hp->virtfn[vf]) {
				snprintf(err, errlen,
					 "the PCI address of %s_vf%u (VF %u "
					 "of %s) is unknown: the host has no "
					 "virtfn%u link for it",
					 x->name, (uint32_t)vf, (uint32_t)vf,
					 x->pci_id, (uint32_t)vf);
				return -EINVAL;
			}
			fn_push(l, xasprintf("%s_vf%u", x->name, (uint32_t)vf),
				xstrdup(hp->virtfn[vf]));
		}
	}
	return 0;
}

/* A name for a pool function: the file's, the inventory's, the address. */
static char *fn_name(const struct kstate *st, const struct host_info *host,
		     const struct fn_list *want, const char *bdf)
{
	const struct mk_model *m = &st->model;
	size_t i, k;

	for (i = 0; i < want->n; i++)
		if (!strcasecmp(want->v[i].bdf, bdf))
			return xstrdup(want->v[i].name);
	for (i = 0; i < m->ndevices; i++) {
		const struct mk_device *x = &m->devices[i];
		const struct host_pci *hp;

		if (!x->pci_id)
			continue;
		if (!strcasecmp(x->pci_id, bdf))
			return xstrdup(x->name);
		hp = host ? host_pci_find(host, x->pci_id) : NULL;
		for (k = 0; hp && k < hp->nvirtfn; k++)
			if (hp->virtfn[k] && !strcasecmp(hp->virtfn[k], bdf))
				return xasprintf("%s_vf%zu", x->name, k);
	}
	return xstrdup(bdf);
}

static int pool_compute(const struct kport *kp, const struct kstate *st,
			const struct mk_model *file, struct plan_pool *pp,
			char *err, size_t errlen)
{
	const struct mk_memory *mem = &st->model.mem;
	struct plan_pool_in in;
	struct plan_pool_chunk *chunks;
	struct fn_list want = {0}, have = {0};
	struct mk2_chunk *req = NULL;
	struct host_info host;
	bool have_host;
	size_t i, k;
	int ret;

	plan_pool_init(pp);
	have_host = host_read(kp->sysroot ? kp->sysroot : "/", &host) == 0;
	ret = want_functions(file, have_host ? &host : NULL, &want, err,
			     errlen);
	if (ret)
		goto out;
	for (i = 0; i < st->npool_pci; i++)
		fn_push(&have, fn_name(st, have_host ? &host : NULL, &want,
				       st->pool_pci[i]),
			xstrdup(st->pool_pci[i]));
	for (i = 0; i < st->ninst; i++)
		for (k = 0; k < st->inst[i].ndevs; k++)
			if (st->inst[i].devs[k].pci_id)
				fn_push(&have,
					xstrdup(st->inst[i].devs[k].name),
					xstrdup(st->inst[i].devs[k].pci_id));
	chunks = xzalloc((mem->npool + 1) * sizeof(*chunks));
	for (i = 0; i < mem->npool; i++) {
		chunks[i].base = mem->pool[i].base;
		chunks[i].size = mem->pool[i].size;
		chunks[i].numa = mem->pool[i].numa;
		chunks[i].user = chunk_user(st, chunks[i].base,
					    chunks[i].size);
	}
	memset(&in, 0, sizeof(in));
	in.want_cpus = &file->cpus.available;
	in.have_cpus = &st->pool_cpus;
	in.nwant_mem = mk2_pool_requests(file, &req);
	in.want_mem = req;
	in.chunks = chunks;
	in.nchunks = mem->npool;
	in.want_fn = want.v;
	in.nwant_fn = want.n;
	in.have_fn = have.v;
	in.nhave_fn = have.n;
	ret = plan_pool_diff(&in, pp, err, errlen);
	free(chunks);
	free(req);
out:
	fn_list_free(&want);
	fn_list_free(&have);
	if (have_host)
		host_free(&host);
	return ret;
}

int plan_pool_differs(const struct kport *kp, const struct kstate *st,
		      const struct mk_model *file, bool *differs, char *err,
		      size_t errlen)
{
	struct plan_pool pp;
	int ret;

	*differs = false;
	if (!file->cpus.present || !file->mem.present)
		return 0;
	ret = pool_compute(kp, st, file, &pp, err, errlen);
	*differs = ret == -EBUSY || !plan_pool_empty(&pp);
	plan_pool_free(&pp);
	return ret == -EBUSY ? 0 : ret;
}

/*
 * Where the kernel will likely put size bytes on node numa: it allocates
 * top-down, so right below the lowest chunk of that node; else at the top
 * of the node's memory; else above every chunk.  Only for the plan.
 */
static uint64_t predict_base(const struct mk_model *m, uint64_t size,
			     int64_t numa)
{
	const struct mk_memory *mem = &m->mem;
	uint64_t low = UINT64_MAX, top = 0, base;
	size_t i;
	int nd;

	for (i = 0; i < mem->npool; i++) {
		if (mem->pool[i].base + mem->pool[i].size > top)
			top = mem->pool[i].base + mem->pool[i].size;
		if ((numa < 0 || mem->pool[i].numa == numa) &&
		    mem->pool[i].base < low)
			low = mem->pool[i].base;
	}
	if (low != UINT64_MAX && low >= size)
		base = low - size;
	else if (numa >= 0 && (nd = mk_numa_find(m, (uint32_t)numa)) >= 0 &&
		 m->topo.nodes[nd].has_mem &&
		 m->topo.nodes[nd].mem_size >= size)
		base = m->topo.nodes[nd].mem_base + m->topo.nodes[nd].mem_size -
		       size;
	else
		base = top;
	base &= ~(uint64_t)(MK_PAGE_SIZE - 1);
	for (i = 0; i < mem->npool; i++)
		if (mem->pool[i].base < base + size &&
		    base < mem->pool[i].base + mem->pool[i].size)
			return top;
	return base;
}

static void fix_chunk_refs(struct kstate *st)
{
	const struct mk_memory *mem = &st->model.mem;
	size_t i, k, c;

	for (i = 0; i < st->ninst; i++)
		for (k = 0; k < st->inst[i].nregions; k++) {
			struct kstate_region *r = &st->inst[i].regions[k];

			r->chunk = -1;
			for (c = 0; c < mem->npool; c++)
				if (r->base >= mem->pool[c].base &&
				    r->base - mem->pool[c].base <
					    mem->pool[c].size)
					r->chunk = (long)c;
		}
}

static bool pci_listed(char **v, size_t n, const char *bdf, size_t *at)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcasecmp(v[i], bdf)) {
			if (at)
				*at = i;
			return true;
		}
	return false;
}

/* The state as the pool steps leave it (before instances are planned). */
static void pool_state(struct kstate *st, const struct plan_pool *pp)
{
	struct mk_model *m = &st->model;
	struct mk_memory *mem = &m->mem;
	uint64_t end = 0;
	size_t i, k;

	cpuset_or(&st->pool_cpus, &pp->cpu_add);
	cpuset_andnot(&st->pool_cpus, &pp->cpu_rm);
	cpuset_copy(&m->cpus.available, &st->pool_cpus);
	for (i = 0; i < pp->nmem_rm; i++)
		for (k = 0; k < mem->npool; k++)
			if (mem->pool[k].base == pp->mem_rm[i].base &&
			    mem->pool[k].size == pp->mem_rm[i].size) {
				memmove(&mem->pool[k], &mem->pool[k + 1],
					(mem->npool - k - 1) *
						sizeof(*mem->pool));
				mem->npool--;
				break;
			}
	for (i = 0; i < pp->nmem_add; i++) {
		struct mk_range *r;
		uint64_t base = predict_base(m, pp->mem_add[i].size,
					     pp->mem_add[i].numa);

		mem->pool = xrealloc(mem->pool,
				     (mem->npool + 1) * sizeof(*mem->pool));
		r = &mem->pool[mem->npool++];
		memset(r, 0, sizeof(*r));
		r->base = base;
		r->size = pp->mem_add[i].size;
		r->has_base = true;
		r->numa = pp->mem_add[i].numa;
	}
	mem->pool_bytes = 0;
	for (i = 0; i < mem->npool; i++) {
		mem->pool_bytes += mem->pool[i].size;
		if (mem->pool[i].base + mem->pool[i].size > end)
			end = mem->pool[i].base + mem->pool[i].size;
	}
	if (!mem->has_total || end > mem->total) {
		mem->total = end;
		mem->has_total = true;
	}
	fix_chunk_refs(st);
	for (i = 0; i < pp->nfn_add; i++) {
		st->pool_pci = xrealloc(st->pool_pci,
					(st->npool_pci + 1) * sizeof(char *));
		st->pool_pci[st->npool_pci++] = xstrdup(pp->fn_add[i].bdf);
	}
	for (i = 0; i < pp->nfn_rm; i++)
		if (pci_listed(st->pool_pci, st->npool_pci, pp->fn_rm[i].bdf,
			       &k)) {
			free(st->pool_pci[k]);
			memmove(&st->pool_pci[k], &st->pool_pci[k + 1],
				(st->npool_pci - k - 1) * sizeof(char *));
			st->npool_pci--;
		}
}

/* What leaves the pool must be free in the resulting state. */
static int pool_busy(const struct kstate *st, const struct plan_pool *pp,
		     char *err, size_t errlen)
{
	const struct mk_model *m = &st->model;
	size_t i, k, j;

	cpuset_for_each(&pp->cpu_rm, c)
	{
		for (i = 0; i < m->ninstances && i < st->ninst; i++) {
			if (!cpuset_has(&m->instances[i].cpus, (uint32_t)c))
				continue;
			snprintf(err, errlen,
				 "cannot take CPU %u out of the pool: "
				 "instance '%s' (id %d) uses it\n"
				 "  Keep CPU %u available in the file, or "
				 "give '%s' other CPUs first.",
				 (uint32_t)c, st->inst[i].name,
				 st->inst[i].id, (uint32_t)c,
				 st->inst[i].name);
			return -EBUSY;
		}
	}
	for (j = 0; j < pp->nfn_rm; j++)
		for (i = 0; i < st->ninst; i++)
			for (k = 0; k < st->inst[i].ndevs; k++) {
				const struct kstate_dev *d =
					&st->inst[i].devs[k];

				if (!d->pci_id ||
				    strcasecmp(d->pci_id, pp->fn_rm[j].bdf))
					continue;
				snprintf(err, errlen,
					 "cannot take %s (%s) out of the "
					 "pool: instance '%s' (id %d) holds "
					 "it\n  Keep it available in the "
					 "file, or take it from '%s' first.",
					 pp->fn_rm[j].name, pp->fn_rm[j].bdf,
					 st->inst[i].name, st->inst[i].id,
					 st->inst[i].name);
				return -EBUSY;
			}
	return 0;
}

static int pool_step(struct plan_apply *out, enum plan_step_kind kind,
		     struct mk2_item *items, size_t n, char *text,
		     char *summary, char *err, size_t errlen)
{
	struct plan_step *sp = push_step(out, kind, "pool");

	sp->text = text;
	sp->summary = summary;
	if (mk2_pool_blobs(items, n, &sp->blobs)) {
		snprintf(err, errlen, "cannot encode the overlay for the pool");
		return -EINVAL;
	}
	return 0;
}

static int cpu_step(const struct kstate *st, struct plan_apply *out,
		    const struct cpuset *cpus, bool add, char *err,
		    size_t errlen)
{
	uint32_t n = cpuset_count(cpus), k = 0;
	struct mk2_item *items;
	char *l;
	int ret;

	if (!n)
		return 0;
	items = xzalloc(n * sizeof(*items));
	cpuset_for_each(cpus, c)
	{
		items[k].op = add ? MK2_CPU_ADD : MK2_CPU_REMOVE;
		items[k].numa = -1;
		if (cpumap_phys(&st->map, (uint32_t)c, &items[k].a)) {
			snprintf(err, errlen,
				 "logical CPU %u has no known physical id "
				 "[host-cpus]",
				 (uint32_t)c);
			free(items);
			return -EINVAL;
		}
		k++;
	}
	l = cpuset_format(cpus);
	ret = pool_step(out, add ? PLAN_POOL_GROW : PLAN_POOL_SHRINK, items,
			n, xasprintf("%c pool: CPUs %s", add ? '+' : '-', l),
			xasprintf("%s CPUs %s", add ? "added" : "removed", l),
			err, errlen);
	free(l);
	free(items);
	return ret;
}

static int fn_step(struct plan_apply *out, const struct plan_pool_fnc *f,
		   size_t n, bool add, char *err, size_t errlen)
{
	struct mk2_item *items;
	struct strbuf sb;
	size_t i;
	int ret;

	if (!n)
		return 0;
	items = xzalloc(n * sizeof(*items));
	sb_init(&sb);
	for (i = 0; i < n; i++) {
		items[i].op = add ? MK2_DEV_ADD : MK2_DEV_REMOVE;
		items[i].numa = -1;
		items[i].pci.name = f[i].name;
		items[i].pci.pci_id = f[i].bdf;
		sb_addf(&sb, "%s%s", i ? ", " : "", f[i].name);
	}
	ret = pool_step(out, add ? PLAN_POOL_GROW : PLAN_POOL_SHRINK, items,
			n,
			xasprintf("%c pool: device%s %s", add ? '+' : '-',
				  n == 1 ? "" : "s", sb.buf),
			xasprintf("%s device%s %s", add ? "added" : "removed",
				  n == 1 ? "" : "s", sb.buf),
			err, errlen);
	sb_free(&sb);
	free(items);
	return ret;
}

static int pool_steps(const struct kstate *st, const struct plan_pool *pp,
		      struct plan_apply *out, char *err, size_t errlen)
{
	char sz[32], node[32];
	size_t i;
	int ret;

	/* grows: memory first (it needs no CPU), then CPUs, devices */
	for (i = 0; i < pp->nmem_add; i++) {
		struct mk2_item it = {.op = MK2_MEM_ADD,
				      .b = pp->mem_add[i].size,
				      .numa = pp->mem_add[i].numa};

		size_format(sz, sizeof(sz), it.b, SIZE_IEC);
		node[0] = '\0';
		if (it.numa >= 0)
			snprintf(node, sizeof(node), " on node %" PRId64,
				 it.numa);
		ret = pool_step(out, PLAN_POOL_GROW, &it, 1,
				xasprintf("+ pool: memory %s%s", sz, node),
				xasprintf("added %s of memory%s", sz, node),
				err, errlen);
		if (ret)
			return ret;
		out->steps[out->nsteps - 1].pool_mem = true;
	}
	ret = cpu_step(st, out, &pp->cpu_add, true, err, errlen);
	ret = ret ?: fn_step(out, pp->fn_add, pp->nfn_add, true, err, errlen);
	/* shrinks: CPUs and devices, then memory (the chunk with the host's
	 * park area can go only once the pool has no CPU) */
	ret = ret ?: cpu_step(st, out, &pp->cpu_rm, false, err, errlen);
	ret = ret ?: fn_step(out, pp->fn_rm, pp->nfn_rm, false, err, errlen);
	for (i = 0; !ret && i < pp->nmem_rm; i++) {
		const struct mk2_chunk *c = &pp->mem_rm[i];
		struct mk2_item it = {.op = MK2_MEM_REMOVE,
				      .a = c->base,
				      .b = c->size,
				      .numa = -1};
		char *desc;

		size_format(sz, sizeof(sz), c->size, SIZE_IEC);
		node[0] = '\0';
		if (c->numa >= 0)
			snprintf(node, sizeof(node), ", node %" PRId64,
				 c->numa);
		desc = xasprintf("memory chunk 0x%" PRIx64 "-0x%" PRIx64
				 " (%s%s)",
				 c->base, c->base + c->size - 1, sz, node);
		ret = pool_step(out, PLAN_POOL_SHRINK, &it, 1,
				xasprintf("- pool: %s", desc),
				xasprintf("removed %s", desc), err, errlen);
		free(desc);
	}
	return ret;
}

/*
 * VF references of the live state that no instance uses any more (the
 * instance was deleted): the checks would hold them against the new
 * inventory, where that VF may be the host's now.
 */
static void drop_unused_devrefs(struct mk_model *m)
{
	long *map = xzalloc((m->ndevrefs + 1) * sizeof(*map));
	bool *used = xzalloc((m->ndevrefs + 1) * sizeof(*used));
	size_t i, k, n = 0;

	for (i = 0; i < m->ninstances; i++)
		for (k = 0; k < m->instances[i].ndevs; k++) {
			const struct mk_inst_dev *d = &m->instances[i].devs[k];

			if (d->kind == MK_REF_DEVREF && d->index >= 0 &&
			    (size_t)d->index < m->ndevrefs)
				used[d->index] = true;
		}
	for (i = 0; i < m->ndevrefs; i++) {
		if (!used[i]) {
			free(m->devrefs[i].name);
			free(m->devrefs[i].parent_ref);
			map[i] = -1;
			continue;
		}
		map[i] = (long)n;
		m->devrefs[n++] = m->devrefs[i];
	}
	m->ndevrefs = n;
	for (i = 0; i < m->ninstances; i++)
		for (k = 0; k < m->instances[i].ndevs; k++) {
			struct mk_inst_dev *d = &m->instances[i].devs[k];

			if (d->kind == MK_REF_DEVREF && d->index >= 0)
				d->index = (int)map[d->index];
		}
	free(map);
	free(used);
}

int plan_apply(const struct kport *kp, struct kstate *st,
	       const struct mk_model *file, bool prune, const char *arrow,
	       struct plan_apply *out, char *err, size_t errlen)
{
	bool pool = file->cpus.present && file->mem.present;
	struct plan_pool pp;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	plan_pool_init(&pp);
	if (pool) {
		ret = pool_compute(kp, st, file, &pp, err, errlen);
		if (ret)
			goto out;
		pool_state(st, &pp);
	}
	ret = plan_instances(kp, st, file, prune, arrow, out, err, errlen);
	if (ret)
		goto out;
	if (pool) {
		drop_unused_devrefs(&st->model);
		ret = pool_busy(st, &pp, err, errlen);
		ret = ret ?: pool_steps(st, &pp, out, err, errlen);
		if (ret)
			goto out;
		/* the pool's free CPUs in the resulting state */
		cpuset_copy(&st->pool_free, &st->pool_cpus);
		for (size_t i = 0; i < st->model.ninstances; i++)
			cpuset_andnot(&st->pool_free,
				      &st->model.instances[i].cpus);
	}
	plan_steps_sort(out->steps, out->nsteps);
out:
	plan_pool_free(&pp);
	return ret;
}
