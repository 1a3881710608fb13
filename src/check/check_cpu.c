// SPDX-License-Identifier: GPL-2.0-or-later
/* CPU checks (checks.md §1 "CPUs"). */
#include "check/check.h"

#include <stdlib.h>
#include <string.h>

enum cpu_class { CPU_OK, CPU_MISSING, CPU_RESERVED, CPU_UNAVAILABLE };

/* Each bad CPU belongs to exactly one class, so it is reported once. */
static enum cpu_class classify(const struct mk_cpus *k, uint32_t cpu)
{
	if (!k->ids_physical && cpu >= k->total)
		return CPU_MISSING;
	if (cpuset_has(&k->host_reserved, cpu))
		return k->ids_physical && !cpuset_has(&k->available, cpu) &&
				       cpu >= k->total
			       ? CPU_MISSING
			       : CPU_RESERVED;
	if (!cpuset_has(&k->available, cpu))
		return k->ids_physical ? CPU_MISSING : CPU_UNAVAILABLE;
	return CPU_OK;
}

/* Suggest a free range of the instance's size; returns true if found. */
static void suggest_for(struct check_ctx *c, struct finding *x, size_t i)
{
	const struct mk_instance *in = &c->m->instances[i];
	struct cpuset fr, pick;
	uint32_t n = cpuset_count(&in->cpus);
	char *l;

	cpuset_init(&fr);
	cpuset_init(&pick);
	if (suggest_free_cpus(c, (long)i, n, &fr, &pick)) {
		l = cpuset_format(&pick);
		finding_suggest(x, "Change %s to use CPUs %s", in->name, l);
		free(l);
	} else if (!cpuset_empty(&fr)) {
		l = cpuset_format(&fr);
		finding_suggest(x,
				"Only %u CPUs are free (%s): reduce %s to at "
				"most %u CPUs",
				cpuset_count(&fr), l, in->name,
				cpuset_count(&fr));
		free(l);
	} else {
		finding_suggest(x, "No CPU is free: release CPUs from another "
				   "instance first");
	}
	cpuset_free(&fr);
	cpuset_free(&pick);
}

/*
 * The classes of the CPUs in use, as bits 1 << class.  Only the CPUs
 * outside "available, not reserved (and below total)" can be of a bad
 * class, so they are found a word at a time and classified one by one.
 */
static unsigned int used_classes(const struct check_ctx *c)
{
	const struct mk_cpus *k = &c->m->cpus;
	const struct cpuset *u = &c->used;
	unsigned int classes = 0;
	uint32_t i;

	for (i = u->lo; i < u->lo + u->nwords; i++) {
		uint64_t ok = cpuset_word(&k->available, i) &
			      ~cpuset_word(&k->host_reserved, i);
		uint64_t bad;

		if (!k->ids_physical) {
			/* below total: whole words, then part of one */
			if ((uint64_t)i * 64 >= k->total)
				ok = 0;
			else if ((uint64_t)i * 64 + 64 > k->total)
				ok &= ~(~UINT64_C(0) << (k->total % 64));
		}
		for (bad = cpuset_word(u, i) & ~ok; bad; bad &= bad - 1) {
			uint32_t cpu = i * 64 + (uint32_t)__builtin_ctzll(bad);

			classes |= 1u << classify(k, cpu);
		}
	}
	return classes;
}

static void by_class(struct check_ctx *c, enum cpu_class cls, const char *check)
{
	const struct mk_model *m = c->m;
	const struct mk_cpus *k = &m->cpus;
	struct cpuset bad;
	size_t i;

	if (!k->present)
		return;
	/* the usual case: no CPU in use is of this class */
	if (!c->cpu_classes_known) {
		c->cpu_classes = used_classes(c);
		c->cpu_classes_known = true;
	}
	if (!(c->cpu_classes & 1u << cls))
		return;
	cpuset_init(&bad);
	for (i = 0; i < m->ninstances; i++) {
		const struct mk_instance *in = &m->instances[i];
		struct finding *x;
		char *p, *all;
		bool one;

		cpuset_clear(&bad);
		cpuset_for_each(&in->cpus,
				cpu) if (classify(k, (uint32_t)cpu) == cls)
			cpuset_add(&bad, (uint32_t)cpu);
		if (cpuset_empty(&bad))
			continue;
		one = cpuset_count(&bad) == 1;
		p = cpus_phrase(&bad);
		if (cls == CPU_MISSING) {
			if (k->ids_physical) {
				all = cpuset_format(&k->available);
				x = finding_add(c->f, check, SEV_ERROR,
						in->name,
						"%s %s not exist in the pool "
						"(pool CPUs: %s)",
						p, one ? "does" : "do", all);
			} else {
				all = xasprintf("0-%u", k->total - 1);
				x = finding_add(
					c->f, check, SEV_ERROR, in->name,
					"%s %s not exist (hardware has %s)", p,
					one ? "does" : "do", all);
			}
		} else if (cls == CPU_RESERVED) {
			all = cpuset_format(&k->host_reserved);
			x = finding_add(c->f, check, SEV_ERROR, in->name,
					"%s %s reserved for host kernel", p,
					one ? "is" : "are");
			finding_detail(x, "Host reserved CPUs: %s", all);
		} else {
			all = cpuset_format(&k->available);
			x = finding_add(c->f, check, SEV_ERROR, in->name,
					"%s %s not in the available list", p,
					one ? "is" : "are");
			finding_detail(x, "Available CPUs: %s", all);
		}
		free(all);
		all = cpuset_format(&in->cpus);
		finding_detail(x, "Instance %s requested CPUs: %s", in->name,
			       all);
		free(all);
		suggest_for(c, x, i);
		finding_loc(x, &in->cpus_at.pos);
		if (cls == CPU_RESERVED)
			finding_loc(x, &k->reserved_at.pos);
		else if (cls == CPU_MISSING)
			finding_loc(x, &k->total_at.pos);
		else
			finding_loc(x, &k->available_at.pos);
		free(p);
	}
	cpuset_free(&bad);
}

void check_cpu_exists(struct check_ctx *c)
{
	by_class(c, CPU_MISSING, "cpu-exists");
}

void check_cpu_host_reserved(struct check_ctx *c)
{
	by_class(c, CPU_RESERVED, "cpu-host-reserved");
}

void check_cpu_not_available(struct check_ctx *c)
{
	by_class(c, CPU_UNAVAILABLE, "cpu-not-available");
}

/* (later instance, earlier instance, cpu) */
struct triple {
	uint32_t b, a, cpu;
};

static int cmp_triple(const void *x, const void *y)
{
	const struct triple *p = x, *q = y;

	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->cpu < q->cpu ? -1 : p->cpu > q->cpu;
}

struct pair {
	uint32_t cpu, inst;
};

static int cmp_pair(const void *x, const void *y)
{
	const struct pair *p = x, *q = y;

	if (p->cpu != q->cpu)
		return p->cpu < q->cpu ? -1 : 1;
	return p->inst < q->inst ? -1 : p->inst > q->inst;
}

static void overlap_finding(struct check_ctx *c, uint32_t a, uint32_t b,
			    const struct cpuset *ov)
{
	const struct mk_instance *ia = &c->m->instances[a];
	const struct mk_instance *ib = &c->m->instances[b];
	struct finding *x;
	struct cpuset rest;
	char *sa = cpuset_format(&ia->cpus), *sb = cpuset_format(&ib->cpus);
	char *so = cpuset_format(ov);

	x = finding_add(c->f, "cpu-overlap", SEV_ERROR, ib->name,
			"CPU allocation conflict with %s", ia->name);
	finding_detail(x, "Instance %s uses CPUs: %s", ia->name, sa);
	finding_detail(x, "Instance %s requested CPUs: %s", ib->name, sb);
	finding_detail(x, "Overlapping CPUs: %s", so);
	suggest_for(c, x, b);
	cpuset_init(&rest);
	cpuset_copy(&rest, &ia->cpus);
	cpuset_andnot(&rest, ov);
	if (!cpuset_empty(&rest)) {
		char *sr = cpuset_format(&rest);

		finding_alt(x, "Reduce %s allocation to CPUs %s", ia->name, sr);
		free(sr);
	}
	cpuset_free(&rest);
	finding_loc(x, &ia->cpus_at.pos);
	finding_loc(x, &ib->cpus_at.pos);
	free(sa);
	free(sb);
	free(so);
}

void check_cpu_overlap(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	struct pair *v;
	struct triple *t = NULL;
	size_t n = 0, nt = 0, ct = 0, i, j, k;
	struct cpuset ov;

	/* only CPUs used more than once matter */
	if (!c->cpu_shared)
		return;
	for (i = 0; i < c->cpu_limit; i++)
		if (c->cpu_use[i] > 1)
			n += c->cpu_use[i];
	if (!n)
		return;
	v = xmalloc(n * sizeof(*v));
	n = 0;
	for (i = 0; i < m->ninstances; i++)
		cpuset_for_each(&m->instances[i].cpus,
				cpu) if (c->cpu_use[cpu] > 1) v[n++] =
			(struct pair){(uint32_t)cpu, (uint32_t)i};
	qsort(v, n, sizeof(*v), cmp_pair);
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && v[j].cpu == v[i].cpu; j++)
			;
		for (k = i; k < j; k++) {
			size_t l;

			for (l = k + 1; l < j; l++) {
				t = xgrow(t, &ct, nt + 1, sizeof(*t));
				t[nt++] = (struct triple){v[l].inst, v[k].inst,
							  v[i].cpu};
			}
		}
	}
	free(v);
	qsort(t, nt, sizeof(*t), cmp_triple);
	cpuset_init(&ov);
	for (i = 0; i < nt; i = j) {
		cpuset_clear(&ov);
		for (j = i; j < nt && t[j].a == t[i].a && t[j].b == t[i].b; j++)
			cpuset_add(&ov, t[j].cpu);
		overlap_finding(c, t[i].a, t[i].b, &ov);
	}
	cpuset_free(&ov);
	free(t);
}

void check_cpu_over_allocation(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	uint64_t sum = 0;
	uint32_t avail = cpuset_count(&m->cpus.available);
	struct finding *x;
	size_t i;

	if (!m->cpus.present)
		return;
	for (i = 0; i < m->ninstances; i++)
		sum += cpuset_count(&m->instances[i].cpus);
	if (sum <= avail)
		return;
	x = finding_add(
		c->f, "cpu-over-allocation", SEV_ERROR, NULL,
		"Total CPU allocation (%llu) exceeds available CPUs (%u)",
		(unsigned long long)sum, avail);
	for (i = 0; i < m->ninstances && i < 8; i++)
		finding_detail(x, "Instance %s: %u CPUs", m->instances[i].name,
			       cpuset_count(&m->instances[i].cpus));
	if (m->ninstances > 8)
		finding_detail(x, "... and %zu more instances",
			       m->ninstances - 8);
	finding_suggest(x, "Remove %llu CPUs from the instances",
			(unsigned long long)(sum - avail));
	finding_loc(x, &m->cpus.available_at.pos);
}

void check_cpu_empty(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	size_t i;

	for (i = 0; i < m->ninstances; i++) {
		const struct mk_instance *in = &m->instances[i];
		struct finding *x;
		struct cpuset fr, pick;

		if (!cpuset_empty(&in->cpus) || in->malformed)
			continue;
		x = finding_add(c->f, "cpu-empty", SEV_ERROR, in->name,
				"instance %s has no CPUs", in->name);
		cpuset_init(&fr);
		cpuset_init(&pick);
		if (suggest_free_cpus(c, (long)i, 1, &fr, &pick)) {
			char *l = cpuset_format(&pick);

			finding_suggest(
				x,
				"Give %s at least one CPU, e.g. cpus = <%s>;",
				in->name, l);
			free(l);
		}
		cpuset_free(&fr);
		cpuset_free(&pick);
		finding_loc(x, in->has_cpus ? &in->cpus_at.pos : &in->at.pos);
	}
}

/* (later instance, earlier instance, core) */
void check_smt_split(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	const struct mk_cpus *k = &m->cpus;
	struct triple *t = NULL;
	size_t nt = 0, ct = 0, i, j;
	int32_t *owners = NULL;
	size_t cap = 0;

	for (i = 0; i < k->ncores; i++) {
		size_t no = 0, a, b;

		cpuset_for_each(&k->cores[i].cpus, cpu)
		{
			int32_t o = (uint32_t)cpu < c->cpu_limit
					    ? c->cpu_owner[cpu]
					    : -1;
			bool seen = false;

			if (o < 0)
				continue;
			for (a = 0; a < no; a++)
				seen |= owners[a] == o;
			if (!seen) {
				owners = xgrow(owners, &cap, no + 1,
					       sizeof(*owners));
				owners[no++] = o;
			}
		}
		for (a = 0; a < no; a++)
			for (b = 0; b < no; b++)
				if (owners[a] < owners[b]) {
					t = xgrow(t, &ct, nt + 1, sizeof(*t));
					t[nt++] = (struct triple){
						(uint32_t)owners[b],
						(uint32_t)owners[a],
						(uint32_t)i};
				}
	}
	free(owners);
	if (nt)
		qsort(t, nt, sizeof(*t), cmp_triple);
	for (i = 0; i < nt; i = j) {
		const struct mk_instance *ia = &m->instances[t[i].a];
		const struct mk_instance *ib = &m->instances[t[i].b];
		struct strbuf sb;
		struct finding *x;

		sb_init(&sb);
		for (j = i; j < nt && t[j].a == t[i].a && t[j].b == t[i].b;
		     j++) {
			char *l = cpuset_format(&k->cores[t[j].cpu].cpus);

			sb_addf(&sb, "%s%s (CPUs %s)", j > i ? ", " : "",
				k->cores[t[j].cpu].name, l);
			free(l);
		}
		x = finding_add(c->f, "smt-split", SEV_WARNING, ib->name,
				"shares physical cores with %s: SMT siblings "
				"split across instances (side-channel risk)",
				ia->name);
		finding_detail(x, "Shared cores: %s", sb.buf);
		finding_suggest(x, "Give each instance whole cores (both SMT "
				   "siblings of every core it uses)");
		finding_loc(x, &ia->cpus_at.pos);
		finding_loc(x, &ib->cpus_at.pos);
		sb_free(&sb);
	}
	free(t);
}
