// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Computed suggestions: a free CPU range of the right size, a free memory
 * gap with its address, and "did you mean" by edit distance.
 */
#include "check/check.h"
#include "model/size.h"

#include <stdlib.h>
#include <string.h>

const char *fmt_size(char *buf, uint64_t bytes)
{
	return size_format(buf, SIZE_BUF, bytes, SIZE_IEC);
}

char *dev_part_name(const struct mk_device *d, bool vf, uint32_t id)
{
	return xasprintf("%s:%s%u", d->name, vf ? "vf" : "ns", id);
}

bool inst_placed(const struct mk_instance *in)
{
	return in->has_base && in->has_size && in->mem_size;
}

char *cpus_phrase(const struct cpuset *s)
{
	char *l = cpuset_format(s), *r;

	r = xasprintf("%s %s", cpuset_count(s) == 1 ? "CPU" : "CPUs", l);
	free(l);
	return r;
}

bool suggest_cpus(const struct cpuset *free_set, uint32_t n, struct cpuset *out)
{
	int64_t run_start = -1, prev = -2;
	uint32_t k = 0;

	cpuset_clear(out);
	if (!n || cpuset_count(free_set) < n)
		return false;
	cpuset_for_each(free_set, cpu)
	{
		if (cpu != prev + 1)
			run_start = cpu;
		prev = cpu;
		if (cpu - run_start + 1 == n) {
			cpuset_add_range(out, (uint32_t)run_start,
					 (uint32_t)cpu);
			return true;
		}
	}
	cpuset_for_each(free_set, cpu)
	{
		if (k++ == n)
			break;
		cpuset_add(out, (uint32_t)cpu);
	}
	return true;
}

void free_cpus(const struct check_ctx *c, long skip, struct cpuset *out)
{
	const struct mk_model *m = c->m;
	const struct cpuset *mine = skip >= 0 ? &m->instances[skip].cpus : NULL;

	cpuset_clear(out);
	cpuset_for_each(&m->cpus.available, cpu)
	{
		uint32_t use =
			(uint32_t)cpu < c->cpu_limit ? c->cpu_use[cpu] : 0;

		if (mine && cpuset_has(mine, (uint32_t)cpu) && use)
			use--;
		if (!use)
			cpuset_add(out, (uint32_t)cpu);
	}
}

bool suggest_free_cpus(struct check_ctx *c, long skip, uint32_t n,
		       struct cpuset *fr, struct cpuset *pick)
{
	struct cpuset fresh;
	bool ok;

	free_cpus(c, skip, fr);
	if (skip >= 0 && c->pick_n && c->pick_n[skip] == n) {
		cpuset_copy(pick, &c->picks[skip]);
		return true;
	}
	cpuset_init(&fresh);
	cpuset_copy(&fresh, fr);
	cpuset_andnot(&fresh, &c->suggested);
	ok = suggest_cpus(&fresh, n, pick) || suggest_cpus(fr, n, pick);
	cpuset_free(&fresh);
	if (!ok)
		return false;
	cpuset_or(&c->suggested, pick);
	if (skip >= 0) {
		size_t i, ni = c->m->ninstances;

		if (!c->pick_n) {
			c->pick_n = xzalloc(ni * sizeof(*c->pick_n));
			c->picks = xmalloc(ni * sizeof(*c->picks));
			for (i = 0; i < ni; i++)
				cpuset_init(&c->picks[i]);
		}
		cpuset_copy(&c->picks[skip], pick);
		c->pick_n[skip] = n;
	}
	return true;
}

bool suggest_memory(const struct check_ctx *c, long skip, uint64_t size,
		    uint64_t *base)
{
	const struct mk_model *m = c->m;
	uint64_t pb, pe, cur;
	size_t i;

	if (!mk_pool_range(m, &pb, &pe) || !size)
		return false;
	cur = (pb + MK_PAGE_SIZE - 1) & ~(uint64_t)(MK_PAGE_SIZE - 1);
	for (i = 0; i < c->nregions; i++) {
		const struct mk_instance *in = &m->instances[c->regions[i]];
		uint64_t end;

		if ((long)c->regions[i] == skip)
			continue;
		if (in->mem_base >= cur && in->mem_base - cur >= size &&
		    cur + size <= pe) {
			*base = cur;
			return true;
		}
		end = in->mem_base + in->mem_size;
		end = (end + MK_PAGE_SIZE - 1) & ~(uint64_t)(MK_PAGE_SIZE - 1);
		if (end > cur)
			cur = end;
	}
	if (cur < pe && pe - cur >= size) {
		*base = cur;
		return true;
	}
	return false;
}

struct scored {
	const char *name;
	bool avail;
	unsigned int dist;
};

static int cmp_scored(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;

	if (x->dist != y->dist)
		return x->dist < y->dist ? -1 : 1;
	if (x->avail != y->avail)
		return x->avail ? -1 : 1;
	return strcmp(x->name, y->name);
}

void suggest_names(struct finding *x, const char *name,
		   const char *const *names, const bool *avail, size_t n,
		   size_t max)
{
	struct scored *s = xmalloc((n + 1) * sizeof(*s));
	size_t i, k = 0, len = strlen(name);
	unsigned int limit = (unsigned int)(len / 3 > 2 ? len / 3 : 2);

	for (i = 0; i < n; i++) {
		unsigned int dd = edit_distance(name, names[i]);

		if (dd > limit || !strcmp(name, names[i]))
			continue;
		s[k].name = names[i];
		s[k].avail = avail ? avail[i] : true;
		s[k++].dist = dd;
	}
	qsort(s, k, sizeof(*s), cmp_scored);
	for (i = 0; i < k && i < max; i++)
		finding_cand(x, s[i].name, s[i].avail);
	free(s);
}
