// SPDX-License-Identifier: GPL-2.0-or-later
/* Topology of the inventory and the instances' placement policies. */
#include "check/check.h"

#include <stdlib.h>
#include <string.h>

static bool has_topology(const struct mk_model *m)
{
	return m->topo.present && m->topo.nnodes;
}

struct rng {
	uint64_t lo, hi;
	size_t node;
};

static int cmp_rng(const void *a, const void *b)
{
	const struct rng *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

void check_inventory_topology(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	const struct mk_topology *tp = &m->topo;
	struct cpuset seen, below, bad, ghost;
	bool ghosts = m->cpus.total && !m->cpus.ids_physical;
	struct rng *r;
	size_t i, nr = 0;
	struct finding *x;

	if (!has_topology(m) && !m->cpus.ncores)
		return;
	for (i = 0; i < tp->nnodes; i++) {
		size_t k;

		for (k = 0; k < i; k++)
			if (tp->nodes[k].id == tp->nodes[i].id) {
				x = finding_add(c->f, "inventory-topology",
						SEV_ERROR, NULL,
						"NUMA node id %u is used twice",
						tp->nodes[i].id);
				finding_loc(x, &tp->nodes[k].id_at.pos);
				finding_loc(x, &tp->nodes[i].id_at.pos);
				break;
			}
	}
	/*
	 * Node CPU sets disjoint, and existing: a CPU is bad in a node when
	 * an earlier node (in seen) has it, a ghost when it is not below
	 * total.
	 */
	cpuset_init(&seen);
	cpuset_init(&below);
	cpuset_init(&bad);
	cpuset_init(&ghost);
	if (ghosts)
		cpuset_add_range(&below, 0, m->cpus.total - 1);
	for (i = 0; i < tp->nnodes; i++) {
		const struct mk_numa_node *n = &tp->nodes[i];

		cpuset_copy(&bad, &n->cpus);
		cpuset_and(&bad, &seen);
		cpuset_or(&seen, &n->cpus);
		cpuset_clear(&ghost);
		if (ghosts) {
			cpuset_copy(&ghost, &n->cpus);
			cpuset_andnot(&ghost, &below);
		}
		if (!cpuset_empty(&bad)) {
			char *p = cpus_phrase(&bad);
			const struct mk_numa_node *o = NULL;
			size_t k;

			/* name the first earlier node that has one of them
			 * (an error path: a scan over nodes, not CPUs) */
			for (k = 0; k < i && !o; k++)
				if (cpuset_intersects(&tp->nodes[k].cpus, &bad))
					o = &tp->nodes[k];
			x = finding_add(c->f, "inventory-topology", SEV_ERROR,
					NULL,
					"NUMA node %u lists %s that already "
					"%s to NUMA node %u", n->id, p,
					cpuset_count(&bad) == 1 ? "belongs"
								: "belong",
					o ? o->id : 0);
			if (o)
				finding_loc(x, &o->cpus_at.pos);
			finding_loc(x, &n->cpus_at.pos);
			free(p);
		}
		if (!cpuset_empty(&ghost)) {
			char *p = cpus_phrase(&ghost);

			x = finding_add(c->f, "inventory-topology", SEV_ERROR,
					NULL,
					"NUMA node %u lists %s that %s not "
					"exist (total is %u)", n->id, p,
					cpuset_count(&ghost) == 1 ? "does"
								  : "do",
					m->cpus.total);
			finding_loc(x, &n->cpus_at.pos);
			free(p);
		}
	}
	/* node memory ranges disjoint: sort and sweep */
	r = xmalloc((tp->nnodes + 1) * sizeof(*r));
	for (i = 0; i < tp->nnodes; i++)
		if (tp->nodes[i].has_mem && tp->nodes[i].mem_size)
			r[nr++] = (struct rng){tp->nodes[i].mem_base,
					       tp->nodes[i].mem_base +
						       tp->nodes[i].mem_size,
					       i};
	qsort(r, nr, sizeof(*r), cmp_rng);
	for (i = 1; i < nr; i++) {
		if (r[i].lo >= r[i - 1].hi)
			continue;
		x = finding_add(c->f, "inventory-topology", SEV_ERROR, NULL,
				"memory of NUMA nodes %u and %u overlaps "
				"(0x%llx - 0x%llx)",
				tp->nodes[r[i - 1].node].id,
				tp->nodes[r[i].node].id,
				(unsigned long long)r[i].lo,
				(unsigned long long)(r[i].hi < r[i - 1].hi
							     ? r[i].hi
							     : r[i - 1].hi));
		finding_loc(x, &tp->nodes[r[i - 1].node].mem_at.pos);
		finding_loc(x, &tp->nodes[r[i].node].mem_at.pos);
	}
	free(r);
	if (tp->distance && tp->ndistance != tp->nnodes * tp->nnodes) {
		x = finding_add(c->f, "inventory-topology", SEV_ERROR, NULL,
				"distance-matrix has %zu entries; %zu NUMA "
				"nodes need %zu (N x N)",
				tp->ndistance, tp->nnodes,
				tp->nnodes * tp->nnodes);
		finding_loc(x, &tp->distance_at.pos);
	}
	/* SMT cores disjoint */
	cpuset_clear(&seen);
	for (i = 0; i < m->cpus.ncores; i++) {
		const struct mk_core *k = &m->cpus.cores[i];

		cpuset_copy(&bad, &k->cpus);
		cpuset_and(&bad, &seen);
		cpuset_or(&seen, &k->cpus);
		if (!cpuset_empty(&bad)) {
			char *p = cpus_phrase(&bad);

			x = finding_add(c->f, "inventory-topology", SEV_ERROR,
					NULL,
					"core %s lists %s that already %s "
					"to another core", k->name, p,
					cpuset_count(&bad) == 1 ? "belongs"
								: "belong");
			finding_loc(x, &k->at.pos);
			free(p);
		}
	}
	cpuset_free(&seen);
	cpuset_free(&below);
	cpuset_free(&bad);
	cpuset_free(&ghost);
}

void check_inventory_coverage(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	const struct mk_topology *tp = &m->topo;
	struct cpuset un;
	struct finding *x;
	struct rng *r;
	uint64_t pb, pe, cur;
	size_t i, nr = 0;
	bool any_mem = false;

	if (!has_topology(m))
		return;
	cpuset_init(&un);
	cpuset_copy(&un, &m->cpus.available);
	for (i = 0; i < tp->nnodes; i++)
		cpuset_andnot(&un, &tp->nodes[i].cpus);
	if (!cpuset_empty(&un)) {
		char *p = cpus_phrase(&un);

		x = finding_add(c->f, "inventory-topology-coverage",
				SEV_WARNING, NULL,
				"available %s %s in no NUMA node", p,
				cpuset_count(&un) == 1 ? "is" : "are");
		finding_suggest(x, "Add them to the cpus of their NUMA node");
		finding_loc(x, &m->cpus.available_at.pos);
		free(p);
	}
	cpuset_free(&un);
	if (!mk_pool_range(m, &pb, &pe))
		return;
	r = xmalloc((tp->nnodes + 1) * sizeof(*r));
	for (i = 0; i < tp->nnodes; i++)
		if (tp->nodes[i].has_mem) {
			any_mem = true;
			r[nr++] = (struct rng){tp->nodes[i].mem_base,
					       tp->nodes[i].mem_base +
						       tp->nodes[i].mem_size,
					       i};
		}
	qsort(r, nr, sizeof(*r), cmp_rng);
	cur = pb;
	for (i = 0; i < nr && cur < pe; i++) {
		if (r[i].lo > cur)
			break;
		if (r[i].hi > cur)
			cur = r[i].hi;
	}
	if (any_mem && cur < pe) {
		uint64_t gap_end = i < nr && r[i].lo < pe ? r[i].lo : pe;

		x = finding_add(
			c->f, "inventory-topology-coverage", SEV_WARNING, NULL,
			"pool memory 0x%llx - 0x%llx is in no NUMA node",
			(unsigned long long)cur, (unsigned long long)gap_end);
		finding_loc(x, &m->mem.base_at.pos);
	}
	free(r);
}

/*
 * The set of NUMA node indices an instance's CPUs are on: each CPU counts
 * for the first node that has it (as mk_numa_of_cpu), taken a word of
 * CPUs at a time.
 */
static size_t cpu_nodes(const struct mk_model *m, const struct mk_instance *in,
			bool *on, size_t n)
{
	const struct cpuset *s = &in->cpus;
	size_t k = 0, j;
	uint32_t i;

	memset(on, 0, n * sizeof(*on));
	for (i = s->lo; i < s->lo + s->nwords; i++) {
		uint64_t rest = cpuset_word(s, i);

		for (j = 0; j < m->topo.nnodes && rest; j++) {
			uint64_t hit =
				rest & cpuset_word(&m->topo.nodes[j].cpus, i);

			if (!hit)
				continue;
			rest &= ~hit;
			if (!on[j]) {
				on[j] = true;
				k++;
			}
		}
	}
	return k;
}

static char *node_list(const struct mk_model *m, const bool *on)
{
	struct strbuf sb;
	size_t i;

	sb_init(&sb);
	for (i = 0; i < m->topo.nnodes; i++)
		if (on[i])
			sb_addf(&sb, "%s%u", sb.len ? ", " : "",
				m->topo.nodes[i].id);
	return sb_detach(&sb, NULL);
}

void check_numa_node_unknown(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	size_t i, k;

	if (!has_topology(m))
		return;
	for (i = 0; i < m->ninstances; i++) {
		const struct mk_instance *in = &m->instances[i];

		for (k = 0; k < in->nnuma; k++) {
			struct finding *x;
			struct strbuf sb;
			size_t j;

			if (mk_numa_find(m, in->numa[k]) >= 0)
				continue;
			sb_init(&sb);
			for (j = 0; j < m->topo.nnodes; j++)
				sb_addf(&sb, "%s%u", j ? ", " : "",
					m->topo.nodes[j].id);
			x = finding_add(c->f, "numa-node-unknown", SEV_ERROR,
					in->name,
					"NUMA node %u does not exist in "
					"hardware topology",
					in->numa[k]);
			finding_detail(x, "NUMA nodes: %s", sb.buf);
			finding_loc(x, &in->numa_at.pos);
			sb_free(&sb);
		}
	}
}

/*
 * Are all of the instance's CPUs on its numa-nodes (then there is nothing
 * to report)?  A word at a time, without building the union.
 */
static bool cpus_in_nodes(const struct mk_model *m,
			  const struct mk_instance *in)
{
	const struct cpuset *s = &in->cpus;
	uint32_t i;
	size_t k;

	for (i = s->lo; i < s->lo + s->nwords; i++) {
		uint64_t rest = cpuset_word(s, i);

		for (k = 0; k < in->nnuma && rest; k++) {
			int n = mk_numa_find(m, in->numa[k]);

			if (n >= 0)
				rest &= ~cpuset_word(&m->topo.nodes[n].cpus, i);
		}
		if (rest)
			return false;
	}
	return true;
}

void check_numa_cpu_mismatch(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	size_t i, k;

	if (!has_topology(m))
		return;
	for (i = 0; i < m->ninstances; i++) {
		const struct mk_instance *in = &m->instances[i];
		struct cpuset allowed, out;
		struct finding *x;

		if (!in->nnuma || cpus_in_nodes(m, in))
			continue;
		cpuset_init(&allowed);
		cpuset_init(&out);
		for (k = 0; k < in->nnuma; k++) {
			int n = mk_numa_find(m, in->numa[k]);

			if (n >= 0)
				cpuset_or(&allowed, &m->topo.nodes[n].cpus);
		}
		cpuset_copy(&out, &in->cpus);
		cpuset_andnot(&out, &allowed);
		/* no known node (or CPU-less nodes only): numa-node-unknown
		 * reports the unknown ones; nothing to compare with */
		if (!cpuset_empty(&out) && !cpuset_empty(&allowed)) {
			char *p = cpus_phrase(&out),
			     *a = cpuset_format(&allowed);

			x = finding_add(
				c->f, "numa-cpu-mismatch", SEV_WARNING,
				in->name,
				"%s %s outside the instance's NUMA nodes", p,
				cpuset_count(&out) == 1 ? "is" : "are");
			finding_detail(x, "CPUs of its numa-nodes: %s", a);
			finding_detail(
				x, "Remote memory access may cost performance");
			finding_loc(x, &in->cpus_at.pos);
			finding_loc(x, &in->numa_at.pos);
			free(p);
			free(a);
		}
		cpuset_free(&allowed);
		cpuset_free(&out);
	}
}

static bool is(const char *s, const char *v)
{
	return s && !strcmp(s, v);
}

void check_affinity_compact(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	const struct mk_cpus *k = &m->cpus;
	uint32_t *core_of = NULL, *stamp = NULL, smt = 1;
	bool *on;
	size_t i;

	if (!has_topology(m) && !k->ncores)
		return;
	if (k->ncores) {
		/* CPU -> core + 1 (0: none), and the SMT width */
		core_of = xzalloc((c->cpu_limit + 1) * sizeof(*core_of));
		stamp = xzalloc((k->ncores + 1) * sizeof(*stamp));
		for (i = 0; i < k->ncores; i++) {
			uint32_t sz = cpuset_count(&k->cores[i].cpus);

			if (sz > smt)
				smt = sz;
			cpuset_for_each(&k->cores[i].cpus,
					cpu) if ((uint32_t)cpu < c->cpu_limit)
				core_of[cpu] = (uint32_t)i + 1;
		}
	}
	on = xmalloc((m->topo.nnodes + 1) * sizeof(*on));
	for (i = 0; i < m->ninstances; i++) {
		const struct mk_instance *in = &m->instances[i];
		uint32_t n, cores = 0;
		struct finding *x;
		size_t nodes;

		if (!is(in->affinity, "compact"))
			continue;
		n = cpuset_count(&in->cpus);
		if (!n)
			continue;
		nodes = cpu_nodes(m, in, on, m->topo.nnodes);
		if (nodes > 1) {
			char *l = node_list(m, on);

			x = finding_add(c->f, "affinity-compact", SEV_WARNING,
					in->name,
					"Compact CPU affinity requested but "
					"CPUs span multiple NUMA nodes: %s",
					l);
			finding_loc(x, &in->affinity_at.pos);
			finding_loc(x, &in->cpus_at.pos);
			free(l);
			continue;
		}
		if (!core_of)
			continue;
		cpuset_for_each(&in->cpus, cpu)
		{
			uint32_t co =
				(uint32_t)cpu < c->cpu_limit ? core_of[cpu] : 0;

			if (co && stamp[co - 1] != i + 1) {
				stamp[co - 1] = (uint32_t)i + 1;
				cores++;
			}
		}
		if (cores > (n + smt - 1) / smt) {
			x = finding_add(c->f, "affinity-compact", SEV_WARNING,
					in->name,
					"Compact CPU affinity requested but "
					"CPUs span %u cores (%u would do)",
					cores, (n + smt - 1) / smt);
			finding_suggest(x,
					"Use both SMT siblings of each core");
			finding_loc(x, &in->affinity_at.pos);
			finding_loc(x, &in->cpus_at.pos);
		}
	}
	free(on);
	free(core_of);
	free(stamp);
}

void check_affinity_spread(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	bool *on;
	size_t i;

	if (!has_topology(m) || m->topo.nnodes < 2)
		return;
	on = xmalloc((m->topo.nnodes + 1) * sizeof(*on));
	for (i = 0; i < m->ninstances; i++) {
		const struct mk_instance *in = &m->instances[i];
		struct finding *x;
		char *l;

		if (!is(in->affinity, "spread") ||
		    cpuset_count(&in->cpus) < 2 ||
		    cpu_nodes(m, in, on, m->topo.nnodes) != 1)
			continue;
		l = node_list(m, on);
		x = finding_add(c->f, "affinity-spread", SEV_WARNING, in->name,
				"Spread CPU affinity requested but CPUs are "
				"from single NUMA node %s",
				l);
		finding_loc(x, &in->affinity_at.pos);
		finding_loc(x, &in->cpus_at.pos);
		free(l);
	}
	free(on);
}

/* affinity local / policy local: CPUs and memory on the same node */
static void local_check(struct check_ctx *c, bool policy)
{
	const struct mk_model *m = c->m;
	bool *on;
	size_t i;

	if (!has_topology(m))
		return;
	on = xmalloc((m->topo.nnodes + 1) * sizeof(*on));
	for (i = 0; i < m->ninstances; i++) {
		const struct mk_instance *in = &m->instances[i];
		const char *check = policy ? "policy-local" : "affinity-local";
		struct finding *x;
		size_t nodes;
		int mem;
		char *l;

		if (!is(policy ? in->policy : in->affinity, "local") ||
		    !in->has_base)
			continue;
		nodes = cpu_nodes(m, in, on, m->topo.nnodes);
		mem = mk_numa_of_addr(m, in->mem_base);
		if (mem < 0) {
			x = finding_add(c->f, check, SEV_WARNING, in->name,
					"Local %s requested but memory at "
					"0x%llx is in no NUMA node",
					policy ? "memory policy" : "affinity",
					(unsigned long long)in->mem_base);
			finding_loc(x, policy ? &in->policy_at.pos
					      : &in->affinity_at.pos);
			finding_loc(x, &in->base_at.pos);
			continue;
		}
		if (policy ? on[mem] : (nodes == 1 && on[mem]) || !nodes)
			continue;
		l = node_list(m, on);
		x = finding_add(c->f, check, SEV_WARNING, in->name,
				"Local %s requested but CPUs are on NUMA "
				"node%s %s while memory is on NUMA node %u",
				policy ? "memory policy" : "affinity",
				nodes == 1 ? "" : "s", l,
				m->topo.nodes[mem].id);
		finding_loc(x,
			    policy ? &in->policy_at.pos : &in->affinity_at.pos);
		finding_loc(x, &in->cpus_at.pos);
		finding_loc(x, &in->base_at.pos);
		free(l);
	}
	free(on);
}

void check_affinity_local(struct check_ctx *c)
{
	local_check(c, false);
}

void check_policy_local(struct check_ctx *c)
{
	local_check(c, true);
}

void check_policy_bind(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	size_t i, k;

	for (i = 0; i < m->ninstances; i++) {
		const struct mk_instance *in = &m->instances[i];
		struct finding *x;

		if (!is(in->policy, "bind"))
			continue;
		if (!in->nnuma) {
			x = finding_add(c->f, "policy-bind", SEV_WARNING,
					in->name,
					"Bind memory policy requested but no "
					"NUMA nodes specified");
			finding_suggest(x, "Add numa-nodes = <N>; naming the "
					   "node(s) to bind to");
			finding_loc(x, &in->policy_at.pos);
			continue;
		}
		if (!has_topology(m))
			continue;
		for (k = 0; k < in->nnuma; k++) {
			if (mk_numa_find(m, in->numa[k]) >= 0)
				continue;
			x = finding_add(c->f, "policy-bind", SEV_ERROR,
					in->name,
					"Bind memory policy references "
					"non-existent NUMA node %u",
					in->numa[k]);
			finding_loc(x, &in->policy_at.pos);
			finding_loc(x, &in->numa_at.pos);
		}
	}
}
