// SPDX-License-Identifier: GPL-2.0-or-later
#include "plan/alloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const aff_names[] = {
	[PLAN_AFF_COMPACT] = "compact",
	[PLAN_AFF_SPREAD] = "spread",
	[PLAN_AFF_LOCAL] = "local",
};

int plan_affinity_parse(const char *s, enum plan_affinity *a)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(aff_names); i++)
		if (!strcmp(s, aff_names[i])) {
			*a = (enum plan_affinity)i;
			return 0;
		}
	return -EINVAL;
}

const char *plan_affinity_name(enum plan_affinity a)
{
	return aff_names[a];
}

void plan_free_cpus(const struct mk_model *m, long skip, struct cpuset *out)
{
	size_t i;

	cpuset_copy(out, &m->cpus.available);
	for (i = 0; i < m->ninstances; i++)
		if ((long)i != skip)
			cpuset_andnot(out, &m->instances[i].cpus);
}

/* The SMT core holding cpu, or NULL. */
static const struct mk_core *core_of(const struct mk_model *m, uint32_t cpu)
{
	size_t i;

	for (i = 0; i < m->cpus.ncores; i++)
		if (cpuset_has(&m->cpus.cores[i].cpus, cpu))
			return &m->cpus.cores[i];
	return NULL;
}

/*
 * Take up to n CPUs of from (in place: taken ones are removed from it)
 * into out: CPUs of wholly free cores first, then the rest in order.
 */
static uint32_t take_compact(const struct mk_model *m, struct cpuset *from,
			     uint32_t n, struct cpuset *out)
{
	uint32_t got = 0;
	int pass;

	for (pass = 0; pass < 2 && got < n; pass++) {
		cpuset_for_each(from, c)
		{
			const struct mk_core *k;

			if (got == n)
				break;
			k = core_of(m, (uint32_t)c);
			if (pass == 0) {
				/* a whole core: all of it free, and fits */
				uint32_t kn;

				if (!k || !cpuset_subset(&k->cpus, from))
					continue;
				kn = cpuset_count(&k->cpus);
				if (kn > n - got)
					continue;
				cpuset_or(out, &k->cpus);
				got += kn;
				cpuset_andnot(from, &k->cpus);
				continue;
			}
			cpuset_add(out, (uint32_t)c);
			cpuset_del(from, (uint32_t)c);
			got++;
		}
	}
	return got;
}

static bool node_wanted(const struct mk_model *m, size_t i,
			const uint32_t *nodes, size_t nnodes)
{
	size_t k;

	if (!nnodes)
		return true;
	for (k = 0; k < nnodes; k++)
		if (m->topo.nodes[i].id == nodes[k])
			return true;
	return false;
}

static void node_free(const struct mk_model *m, size_t i,
		      const struct cpuset *freeset, struct cpuset *out)
{
	cpuset_copy(out, &m->topo.nodes[i].cpus);
	cpuset_and(out, freeset);
}

int plan_alloc_cpus(const struct mk_model *m, const struct cpuset *freeset,
		    uint32_t n, enum plan_affinity aff, const uint32_t *nodes,
		    size_t nnodes, int64_t mem_node, struct cpuset *out,
		    char *err, size_t errlen)
{
	bool topo = m->topo.present && m->topo.nnodes;
	struct cpuset pool, tmp;
	uint32_t have, got = 0;
	uint32_t lnode;
	size_t i;
	int ret = 0;

	cpuset_clear(out);
	cpuset_init(&pool);
	cpuset_init(&tmp);
	if (n == 0) {
		snprintf(err, errlen, "the CPU count must be at least 1");
		return -EINVAL;
	}
	if (aff == PLAN_AFF_LOCAL && !topo) {
		snprintf(err, errlen,
			 "CPU affinity 'local' needs the NUMA topology, and "
			 "the host description has none; use 'compact' or "
			 "'spread'");
		return -ENOSPC;
	}
	/* the candidate pool: free CPUs on the wanted nodes */
	if (aff == PLAN_AFF_LOCAL && !nnodes && mem_node >= 0) {
		lnode = (uint32_t)mem_node;
		nodes = &lnode;
		nnodes = 1;
	}
	if (topo && nnodes) {
		for (i = 0; i < m->topo.nnodes; i++) {
			if (!node_wanted(m, i, nodes, nnodes))
				continue;
			node_free(m, i, freeset, &tmp);
			cpuset_or(&pool, &tmp);
		}
	} else {
		cpuset_copy(&pool, freeset);
	}
	have = cpuset_count(&pool);
	if (have < n) {
		if (nnodes)
			snprintf(err, errlen,
				 "not enough free CPUs on the requested NUMA "
				 "nodes: %u requested, %u free",
				 n, have);
		else
			snprintf(err, errlen,
				 "not enough free CPUs: %u requested, %u free "
				 "in the pool",
				 n, have);
		ret = -ENOSPC;
		goto out;
	}

	if (!topo) {
		if (aff == PLAN_AFF_SPREAD && n > 1 && !m->cpus.ncores) {
			/* evenly spaced over the free CPUs */
			uint32_t *v = xmalloc(have * sizeof(*v)), k = 0;

			cpuset_for_each(&pool, c) v[k++] = (uint32_t)c;
			for (k = 0; k < n; k++)
				cpuset_add(out,
					   v[(uint64_t)k * (have - 1) / (n - 1)]);
			free(v);
		} else {
			take_compact(m, &pool, n, out);
		}
		goto out;
	}

	if (aff == PLAN_AFF_SPREAD) {
		/* one CPU per wanted node in turn, whole cores avoided: a
		 * core's siblings go to the same instance anyway */
		struct cpuset *per = xzalloc(m->topo.nnodes * sizeof(*per));
		bool progress = true;

		for (i = 0; i < m->topo.nnodes; i++) {
			cpuset_init(&per[i]);
			if (node_wanted(m, i, nodes, nnodes))
				node_free(m, i, &pool, &per[i]);
		}
		while (got < n && progress) {
			progress = false;
			for (i = 0; i < m->topo.nnodes && got < n; i++) {
				int64_t c = cpuset_next(&per[i], 0);

				if (c < 0)
					continue;
				cpuset_add(out, (uint32_t)c);
				cpuset_del(&per[i], (uint32_t)c);
				got++;
				progress = true;
			}
		}
		for (i = 0; i < m->topo.nnodes; i++)
			cpuset_free(&per[i]);
		free(per);
		goto out;
	}

	/* compact and local: the first node that holds all n */
	for (i = 0; i < m->topo.nnodes; i++) {
		if (!node_wanted(m, i, nodes, nnodes))
			continue;
		node_free(m, i, &pool, &tmp);
		if (cpuset_count(&tmp) >= n) {
			take_compact(m, &tmp, n, out);
			goto out;
		}
	}
	if (aff == PLAN_AFF_LOCAL && !nnodes) {
		snprintf(err, errlen,
			 "no single NUMA node has %u free CPUs for 'local' "
			 "affinity",
			 n);
		ret = -ENOSPC;
		goto out;
	}
	/* the fewest nodes: the fullest first */
	while (got < n) {
		size_t best = SIZE_MAX;
		uint32_t bestn = 0;

		for (i = 0; i < m->topo.nnodes; i++) {
			uint32_t c;

			if (!node_wanted(m, i, nodes, nnodes))
				continue;
			node_free(m, i, &pool, &tmp);
			c = cpuset_count(&tmp);
			if (c > bestn) {
				bestn = c;
				best = i;
			}
		}
		if (best == SIZE_MAX) {
			/* CPUs outside every node */
			cpuset_copy(&tmp, &pool);
		} else {
			node_free(m, best, &pool, &tmp);
		}
		cpuset_andnot(&pool, &tmp);
		got += take_compact(m, &tmp, n - got, out);
		if (cpuset_empty(&pool) && got < n)
			break;
	}
out:
	if (ret)
		cpuset_clear(out);
	cpuset_free(&pool);
	cpuset_free(&tmp);
	return ret;
}

static int64_t numa_of_range(const struct mk_model *m, uint64_t base)
{
	size_t i;

	for (i = 0; i < m->mem.npool; i++)
		if (base >= m->mem.pool[i].base &&
		    base - m->mem.pool[i].base < m->mem.pool[i].size)
			return m->mem.pool[i].numa;
	return -1;
}

int plan_check_base(const struct mk_model *m, const struct plan_gap *gaps,
		    size_t ngaps, uint64_t base, uint64_t size, char *err,
		    size_t errlen)
{
	size_t i;
	bool in_chunk = false;

	if (base % MK_PAGE_SIZE) {
		snprintf(err, errlen,
			 "memory base 0x%" PRIx64 " is not page aligned "
			 "(4 KiB)",
			 base);
		return -ERANGE;
	}
	for (i = 0; i < m->mem.npool; i++) {
		const struct mk_range *c = &m->mem.pool[i];

		if (base >= c->base && base - c->base < c->size) {
			in_chunk = true;
			if (size > c->size - (base - c->base)) {
				snprintf(err, errlen,
					 "0x%" PRIx64 "-0x%" PRIx64
					 " runs past the end of the pool "
					 "chunk 0x%" PRIx64 "-0x%" PRIx64,
					 base, base + size - 1, c->base,
					 c->base + c->size - 1);
				return -ERANGE;
			}
		}
	}
	if (!in_chunk) {
		struct strbuf sb;

		sb_init(&sb);
		for (i = 0; i < m->mem.npool; i++)
			sb_addf(&sb, "%s0x%" PRIx64 "-0x%" PRIx64,
				i ? ", " : "", m->mem.pool[i].base,
				m->mem.pool[i].base + m->mem.pool[i].size - 1);
		snprintf(err, errlen,
			 "memory base 0x%" PRIx64 " is not in the pool "
			 "(the kernel's pool chunks: %s)",
			 base, sb.len ? sb.buf : "none");
		sb_free(&sb);
		return -ERANGE;
	}
	for (i = 0; i < ngaps; i++)
		if (base >= gaps[i].base &&
		    base - gaps[i].base <= gaps[i].size &&
		    size <= gaps[i].size - (base - gaps[i].base))
			return 0;
	snprintf(err, errlen,
		 "0x%" PRIx64 "-0x%" PRIx64 " overlaps memory of another "
		 "instance",
		 base, base + size - 1);
	return -ERANGE;
}

int plan_find_gap(const struct mk_model *m, const struct plan_gap *gaps,
		  size_t ngaps, uint64_t size, int64_t numa, uint64_t *base)
{
	size_t i;
	int pass;

	for (pass = numa >= 0 ? 0 : 1; pass < 2; pass++)
		for (i = 0; i < ngaps; i++) {
			if (gaps[i].size < size)
				continue;
			if (pass == 0 && numa_of_range(m, gaps[i].base) != numa)
				continue;
			*base = gaps[i].base;
			return 0;
		}
	return -ENOSPC;
}

uint32_t plan_free_id(const struct mk_model *m)
{
	uint32_t id;
	size_t i;

	for (id = 1; id <= MK_ID_MAX; id++) {
		for (i = 0; i < m->ninstances; i++)
			if (m->instances[i].has_id &&
			    m->instances[i].id == id)
				break;
		if (i == m->ninstances)
			return id;
	}
	return 0;
}

static void push_range(struct plan_range **v, size_t *n, uint64_t base,
		       uint64_t size)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].base = base;
	(*v)[*n].size = size;
	(*n)++;
}

int plan_mem_delta(const struct plan_range *old, size_t nold, uint64_t size,
		   const struct plan_gap *gaps, size_t ngaps,
		   struct plan_range **rm, size_t *nrm, struct plan_range **add,
		   size_t *nadd)
{
	uint64_t have = 0, need;
	size_t i;

	*rm = *add = NULL;
	*nrm = *nadd = 0;
	for (i = 0; i < nold; i++)
		have += old[i].size;
	if (size == have)
		return 0;
	if (size < have) {
		uint64_t drop = have - size;

		/* take back from the top: the last regions first */
		for (i = nold; i-- > 0 && drop;) {
			uint64_t d = drop < old[i].size ? drop : old[i].size;

			push_range(rm, nrm, old[i].base + old[i].size - d, d);
			drop -= d;
		}
		return 0;
	}
	need = size - have;
	/* grow in place: the range right after the last region is free */
	if (nold) {
		uint64_t end = old[nold - 1].base + old[nold - 1].size;

		for (i = 0; i < ngaps; i++)
			if (gaps[i].base == end && gaps[i].size >= need) {
				push_range(add, nadd, end, need);
				return 0;
			}
	}
	for (i = 0; i < ngaps; i++)
		if (gaps[i].size >= need) {
			push_range(add, nadd, gaps[i].base, need);
			return 0;
		}
	return -ENOSPC;
}

int plan_parse_device(const struct mk_model *m, const char *s,
		      struct plan_dev *out, char *err, size_t errlen)
{
	const char *sep = NULL, *p;
	char *base;
	int dev;
	long part = -1;
	bool is_vf = false, is_ns = false;

	memset(out, 0, sizeof(*out));
	out->vf = out->ns = -1;
	/* "eth0:vf1", "eth0_vf1", "nvme0:ns2", "nvme0_ns2" */
	for (p = s; *p; p++)
		if ((*p == ':' || *p == '_') &&
		    (!strncmp(p + 1, "vf", 2) || !strncmp(p + 1, "ns", 2)) &&
		    p[3] >= '0' && p[3] <= '9')
			sep = p;
	if (sep) {
		char *end;

		is_vf = sep[1] == 'v';
		is_ns = !is_vf;
		part = strtol(sep + 3, &end, 10);
		if (*end || part < 0 || part > 65535) {
			snprintf(err, errlen, "invalid device '%s'", s);
			return -EINVAL;
		}
		base = xstrndup(s, (size_t)(sep - s));
	} else {
		base = xstrdup(s);
	}
	dev = mk_device_find(m, base);
	if (dev < 0) {
		snprintf(err, errlen, "unknown device '%s'", base);
		free(base);
		return -ENOENT;
	}
	out->dev = dev;
	if (is_vf) {
		out->vf = (int)part;
		out->name = xasprintf("%s_vf%ld", base, part);
	} else if (is_ns) {
		out->ns = (int)part;
		out->name = xasprintf("%s_ns%ld", base, part);
	} else {
		out->name = xstrdup(base);
	}
	free(base);
	return 0;
}

void plan_dev_free(struct plan_dev *pd, size_t n)
{
	size_t i;

	for (i = 0; pd && i < n; i++)
		free(pd[i].name);
	free(pd);
}

/* The device reference of VF vf of device dev, added when missing. */
static int vf_ref(struct mk_model *m, int dev, int vf, const char *name)
{
	struct mk_devref *ref;
	size_t k;

	for (k = 0; k < m->ndevrefs; k++)
		if (m->devrefs[k].parent == dev && m->devrefs[k].has_vf &&
		    m->devrefs[k].vf == (uint32_t)vf)
			return (int)k;
	m->devrefs = xrealloc(m->devrefs,
			      (m->ndevrefs + 1) * sizeof(*m->devrefs));
	ref = &m->devrefs[m->ndevrefs];
	memset(ref, 0, sizeof(*ref));
	ref->name = xstrdup(name);
	ref->parent = dev;
	ref->parent_ref = xstrdup(m->devices[dev].name);
	ref->has_vf = true;
	ref->vf = (uint32_t)vf;
	return (int)m->ndevrefs++;
}

void plan_set_devices(struct mk_model *m, struct mk_instance *in,
		      const struct plan_dev *pd, size_t n)
{
	size_t i;

	for (i = 0; i < in->ndevs; i++)
		free(in->devs[i].name);
	free(in->devs);
	in->devs = n ? xzalloc(n * sizeof(*in->devs)) : NULL;
	in->ndevs = n;
	for (i = 0; i < n; i++) {
		struct mk_inst_dev *d = &in->devs[i];

		d->name = xstrdup(pd[i].name);
		if (pd[i].vf >= 0) {
			d->kind = MK_REF_DEVREF;
			d->index = vf_ref(m, pd[i].dev, pd[i].vf, pd[i].name);
		} else {
			d->kind = MK_REF_DEVICE;
			d->index = pd[i].dev;
		}
	}
}
