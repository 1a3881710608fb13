// SPDX-License-Identifier: GPL-2.0-or-later
/* Memory checks (checks.md §1 "Memory"). */
#include "check/check.h"

#include <stdlib.h>
#include <string.h>

#define ULL(x) ((unsigned long long)(x))

static void suggest_move(struct check_ctx *c, struct finding *x, size_t i,
			 const char *verb)
{
	const struct mk_instance *in = &c->m->instances[i];
	uint64_t base;

	if (suggest_memory(c, (long)i, in->mem_size, &base))
		finding_suggest(x, "%s %s memory to 0x%llx", verb, in->name,
				ULL(base));
	else
		finding_suggest(x,
				"No free gap of %llu bytes is left in the "
				"pool: reduce %s memory",
				ULL(in->mem_size), in->name);
}

void check_mem_outside_pool(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	char a[SIZE_BUF], b[SIZE_BUF], s[SIZE_BUF];
	uint64_t pb, pe;
	size_t i;

	if (!mk_pool_range(m, &pb, &pe))
		return;
	for (i = 0; i < m->ninstances; i++) {
		const struct mk_instance *in = &m->instances[i];
		uint64_t end = in->mem_base + in->mem_size;
		struct finding *x;

		if (!inst_placed(in))
			continue;
		if (in->mem_base >= pb && end >= in->mem_base && end <= pe)
			continue;
		x = finding_add(c->f, "mem-outside-pool", SEV_ERROR, in->name,
				"Memory allocation outside memory pool");
		finding_detail(x, "Memory pool range: 0x%llx - 0x%llx (%s)",
			       ULL(pb), ULL(pe), fmt_size(a, pe - pb));
		finding_detail(x, "Instance %s requested: 0x%llx - 0x%llx (%s)",
			       in->name, ULL(in->mem_base), ULL(end),
			       fmt_size(b, in->mem_size));
		if (in->mem_base < pb)
			finding_detail(
				x,
				"Starts before the pool by %s (0x%llx bytes)",
				fmt_size(s, pb - in->mem_base),
				ULL(pb - in->mem_base));
		if (end > pe || end < in->mem_base)
			finding_detail(x,
				       "Overflow: Exceeds pool end by %s "
				       "(0x%llx bytes)",
				       fmt_size(s, end - pe), ULL(end - pe));
		{
			uint64_t base;

			if (suggest_memory(c, (long)i, in->mem_size, &base))
				finding_suggest(x,
						"Change memory-base to 0x%llx",
						ULL(base));
			else
				finding_suggest(x,
						"No free gap of %s is left in "
						"the pool: reduce memory-bytes",
						fmt_size(s, in->mem_size));
		}
		if (in->mem_base >= pb && in->mem_base < pe)
			finding_alt(x,
				    "Reduce memory-bytes to 0x%llx (%s) to end "
				    "at the pool end",
				    ULL(pe - in->mem_base),
				    fmt_size(s, pe - in->mem_base));
		finding_loc(x, &in->base_at.pos);
		finding_loc(x, &in->size_at.pos);
	}
}

struct mpair {
	size_t a, b; /* a defined before b */
};

static int cmp_mpair(const void *x, const void *y)
{
	const struct mpair *p = x, *q = y;

	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	return p->a < q->a ? -1 : p->a > q->a;
}

void check_mem_overlap(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	size_t *active = xmalloc((c->nregions + 1) * sizeof(*active));
	struct mpair *pairs = NULL;
	size_t nact = 0, np = 0, cp = 0, i, k;
	char a[SIZE_BUF], b[SIZE_BUF], s[SIZE_BUF];

	/* sweep by base; active holds regions still open at this base */
	for (i = 0; i < c->nregions; i++) {
		const struct mk_instance *r = &m->instances[c->regions[i]];
		size_t keep = 0;

		for (k = 0; k < nact; k++) {
			const struct mk_instance *o = &m->instances[active[k]];

			if (o->mem_base + o->mem_size > r->mem_base)
				active[keep++] = active[k];
		}
		nact = keep;
		for (k = 0; k < nact; k++) {
			size_t x = active[k], y = c->regions[i];

			pairs = xgrow(pairs, &cp, np + 1, sizeof(*pairs));
			pairs[np++] = x < y ? (struct mpair){x, y}
					    : (struct mpair){y, x};
		}
		active[nact++] = c->regions[i];
	}
	free(active);
	if (np)
		qsort(pairs, np, sizeof(*pairs), cmp_mpair);
	for (i = 0; i < np; i++) {
		const struct mk_instance *ia = &m->instances[pairs[i].a];
		const struct mk_instance *ib = &m->instances[pairs[i].b];
		uint64_t ea = ia->mem_base + ia->mem_size;
		uint64_t eb = ib->mem_base + ib->mem_size;
		uint64_t lo = ia->mem_base > ib->mem_base ? ia->mem_base
							  : ib->mem_base;
		uint64_t hi = ea < eb ? ea : eb;
		struct finding *x;

		x = finding_add(c->f, "mem-overlap", SEV_ERROR, ib->name,
				"Memory region overlap with %s", ia->name);
		finding_detail(x, "%s memory: 0x%llx - 0x%llx (%s)", ia->name,
			       ULL(ia->mem_base), ULL(ea),
			       fmt_size(a, ia->mem_size));
		finding_detail(x, "%s memory: 0x%llx - 0x%llx (%s)", ib->name,
			       ULL(ib->mem_base), ULL(eb),
			       fmt_size(b, ib->mem_size));
		finding_detail(
			x, "Overlapping region: 0x%llx - 0x%llx (%s overlap)",
			ULL(lo), ULL(hi), fmt_size(s, hi - lo));
		suggest_move(c, x, pairs[i].b, "Move");
		if (ia->mem_base < lo)
			finding_alt(
				x,
				"Reduce %s memory size to %s (end at 0x%llx)",
				ia->name, fmt_size(s, lo - ia->mem_base),
				ULL(lo));
		finding_loc(x, &ia->base_at.pos);
		finding_loc(x, &ia->size_at.pos);
		finding_loc(x, &ib->base_at.pos);
		finding_loc(x, &ib->size_at.pos);
	}
	free(pairs);
}

void check_mem_over_allocation(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	char a[SIZE_BUF], b[SIZE_BUF], s[SIZE_BUF];
	uint64_t sum = 0;
	bool wrap = false;
	struct finding *x;
	size_t i;

	if (!m->mem.present || !m->mem.npool)
		return;
	for (i = 0; i < m->ninstances; i++) {
		if (sum + m->instances[i].mem_size < sum)
			wrap = true;
		sum += m->instances[i].mem_size;
	}
	if (!wrap && sum <= m->mem.pool_bytes)
		return;
	x = finding_add(c->f, "mem-over-allocation", SEV_ERROR, NULL,
			"Total memory allocation (%s) exceeds memory pool (%s)",
			fmt_size(a, sum), fmt_size(b, m->mem.pool_bytes));
	for (i = 0; i < m->ninstances && i < 8; i++)
		finding_detail(x, "Instance %s: %s", m->instances[i].name,
			       fmt_size(s, m->instances[i].mem_size));
	if (m->ninstances > 8)
		finding_detail(x, "... and %zu more instances",
			       m->ninstances - 8);
	if (!wrap)
		finding_suggest(x, "Reduce instance memory by %s in total",
				fmt_size(s, sum - m->mem.pool_bytes));
	finding_loc(x, &m->mem.size_at.pos);
}

void check_mem_size(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	size_t i;

	for (i = 0; i < m->ninstances; i++) {
		const struct mk_instance *in = &m->instances[i];
		struct finding *x;

		if (!in->has_size)
			continue; /* reported by the decoder */
		if (!in->mem_size) {
			x = finding_add(c->f, "mem-size", SEV_ERROR, in->name,
					"memory-bytes is 0");
			finding_suggest(
				x, "Give %s some memory (a multiple of 4 KiB)",
				in->name);
			finding_loc(x, &in->size_at.pos);
		} else if (in->mem_size % MK_PAGE_SIZE) {
			uint64_t up = (in->mem_size + MK_PAGE_SIZE - 1) &
				      ~(uint64_t)(MK_PAGE_SIZE - 1);

			x = finding_add(c->f, "mem-size", SEV_ERROR, in->name,
					"memory-bytes 0x%llx is not a multiple "
					"of 4 KiB",
					ULL(in->mem_size));
			finding_suggest(x, "Use memory-bytes 0x%llx", ULL(up));
			if (up - MK_PAGE_SIZE)
				finding_alt(x, "Use memory-bytes 0x%llx",
					    ULL(up - MK_PAGE_SIZE));
			finding_loc(x, &in->size_at.pos);
		}
	}
}

void check_mem_alignment(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	size_t i;

	for (i = 0; i < m->ninstances; i++) {
		const struct mk_instance *in = &m->instances[i];
		uint64_t down;
		struct finding *x;

		if (!in->has_base || !(in->mem_base % MK_PAGE_SIZE))
			continue;
		down = in->mem_base & ~(uint64_t)(MK_PAGE_SIZE - 1);
		x = finding_add(c->f, "mem-alignment", SEV_WARNING, in->name,
				"Memory base address not page-aligned");
		finding_detail(x, "Requested base: 0x%llx", ULL(in->mem_base));
		finding_detail(x, "Page size: 4 KiB (0x1000)");
		finding_detail(x, "Alignment requirement: Address must be "
				  "multiple of 0x1000");
		finding_suggest(x, "Use base address 0x%llx", ULL(down));
		finding_alt(x, "Use base address 0x%llx",
			    ULL(down + MK_PAGE_SIZE));
		finding_loc(x, &in->base_at.pos);
	}
}
