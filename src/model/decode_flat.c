// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The flat form of later Python kerf versions (schema.md §2.3):
 * /resources { cpus = <physical ids>; memory-base; memory-bytes; devices }.
 * Read as a baseline whose CPUs are the listed ids and whose pool is the
 * given range; the host's CPUs are not listed.
 */
#include "model/decode_util.h"

#include <stdlib.h>

/* u32 cells, or u64 cells when the value says so (see below). */
static bool cells_are_u64(const struct dt_property *p)
{
	const struct dt_marker *mk;
	size_t i;

	for (mk = p->val.markers; mk; mk = mk->next) {
		if (mk->kind == DT_MARK_TYPE_U64)
			return true;
		if (mk->kind == DT_MARK_TYPE_U32 && mk->offset == 0 &&
		    p->owner && p->val.len && mk->pos.file)
			return false; /* written as <...> in a DTS */
	}
	/* From a blob: u64 if every high word is zero (CPU ids below 2^32;
	 * a u32 list would need CPU 0 at every even position). */
	if (p->val.len % 8 || !p->val.len)
		return false;
	for (i = 0; i < p->val.len / 4; i += 2)
		if (dt_cell(p, i))
			return false;
	return p->val.len > 8 || dt_cell(p, 1) != 0;
}

void mk_cpus_from_ids(struct mk_cpus *c, const uint64_t *ids, size_t n)
{
	uint32_t max = 0, i;
	size_t k;

	c->present = true;
	c->ids_physical = true;
	for (k = 0; k < n; k++) {
		if (ids[k] >= CPUSET_MAX)
			continue;
		cpuset_add(&c->available, (uint32_t)ids[k]);
		if (ids[k] > max)
			max = (uint32_t)ids[k];
	}
	/* the host's CPUs are not listed in these forms */
	c->total = n ? max + 1 : 0;
	c->phys = xmalloc((c->total + 1) * sizeof(*c->phys));
	for (i = 0; i < c->total; i++)
		c->phys[i] = i;
	c->nphys = c->total;
}

bool rd_cpu_ids(struct decoder *d, const struct dt_node *n, const char *name,
		bool force64, uint64_t **ids, size_t *count, struct mk_pos *at)
{
	const struct dt_property *p = dt_prop(n, name);
	size_t i;

	if (!p)
		return false;
	if (force64 || cells_are_u64(p))
		return rd_u64s(d, n, name, "inventory-cpus", NULL, ids, count,
			       at);
	mk_pos_of(at, n, p);
	if (p->val.len % 4) {
		schema_error(d, "inventory-cpus", NULL, &p->pos,
			     "%s must be a list of CPU ids", name);
		return false;
	}
	*count = dt_prop_ncells(p);
	*ids = xmalloc((*count + 1) * sizeof(**ids));
	for (i = 0; i < *count; i++)
		(*ids)[i] = dt_cell(p, i);
	return true;
}

void flat_decode(struct decoder *d, const struct dt_node *res)
{
	struct mk_model *m = d->m;
	struct mk_range r = {.numa = -1};
	uint64_t *ids = NULL;
	size_t n = 0;

	if (rd_cpu_ids(d, res, "cpus", false, &ids, &n,
		       &m->cpus.available_at)) {
		mk_cpus_from_ids(&m->cpus, ids, n);
		m->cpus.total_at = m->cpus.available_at;
		m->cpus.reserved_at = m->cpus.available_at;
	} else {
		schema_error(d, "inventory-cpus", NULL, &res->pos,
			     "missing required property /resources/cpus");
	}
	free(ids);
	m->mem.present = true;
	r.has_base = rd_u64(d, res, "memory-base", false, "inventory-memory",
			    NULL, &r.base, &m->mem.base_at);
	if (rd_u64(d, res, "memory-bytes", true, "inventory-memory", NULL,
		   &r.size, &m->mem.size_at)) {
		r.at = r.has_base ? m->mem.base_at : m->mem.size_at;
		m->mem.pool = xzalloc(sizeof(*m->mem.pool));
		m->mem.pool[0] = r;
		m->mem.npool = 1;
		m->mem.pool_bytes = r.size;
	}
}
