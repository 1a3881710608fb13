// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The machine map of kerf show --map.  CPUs are drawn as a grid per NUMA
 * node: one column per core (labelled by its first CPU), one row per SMT
 * thread.  Memory is one bar per pool chunk; each cell shows the instance
 * owning most of its bytes, and every region gets at least one cell.
 */
#include "out/map.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model/size.h"
#include "util/util.h"

#define MAP_HOST	'#'
#define MAP_FREE	'.'
#define MAP_NONE	' '
#define MAP_COLS	16	/* cores per grid line */

static const char *const palette[] = {
	"\033[1;32m", "\033[1;34m", "\033[1;35m", "\033[1;36m", "\033[1;33m",
	"\033[1;31m", "\033[0;32m", "\033[0;34m", "\033[0;35m", "\033[0;36m",
};
#define COLOR_HOST	"\033[2m"
#define COLOR_RESET	"\033[0m"

char map_letter(size_t i)
{
	if (i < 26)
		return (char)('A' + i);
	if (i < 52)
		return (char)('a' + i - 26);
	return '*';
}

/* Owner of a CPU: instance index, or -1 free pool, -2 host, -3 unknown. */
static long cpu_owner(const struct kstate *st, uint32_t cpu)
{
	const struct mk_model *m = &st->model;
	size_t i;

	for (i = 0; i < m->ninstances; i++)
		if (cpuset_has(&m->instances[i].cpus, cpu))
			return (long)i;
	if (cpuset_has(&st->pool_cpus, cpu))
		return -1;
	return -2;
}

static void put_cell(FILE *out, const struct map_opts *o, long owner)
{
	if (owner >= 0) {
		if (o->color)
			fprintf(out, "%s%c%s",
				palette[(size_t)owner % ARRAY_SIZE(palette)],
				map_letter((size_t)owner), COLOR_RESET);
		else
			fputc(map_letter((size_t)owner), out);
	} else if (owner == -1) {
		fputs(o->unicode ? "\u00b7" : ".", out);
	} else if (owner == -2) {
		if (o->color)
			fprintf(out, "%s%c%s", COLOR_HOST, MAP_HOST,
				COLOR_RESET);
		else
			fputc(MAP_HOST, out);
	} else {
		fputc(MAP_NONE, out);
	}
}

/* The cores of the machine as CPU sets, from the description or 1:1. */
struct core_list {
	struct cpuset *v;
	size_t n;
	uint32_t smt;	/* most threads in a core */
};

static void cores_build(const struct kstate *st, uint32_t ncpus,
			struct core_list *cl)
{
	const struct mk_cpus *c = &st->model.cpus;
	struct cpuset seen;
	uint32_t cpu;
	size_t i;

	cl->v = xzalloc((c->ncores + ncpus + 1) * sizeof(*cl->v));
	cl->n = 0;
	cl->smt = 1;
	cpuset_init(&seen);
	for (i = 0; i < c->ncores; i++) {
		if (cpuset_empty(&c->cores[i].cpus))
			continue;
		cpuset_init(&cl->v[cl->n]);
		cpuset_copy(&cl->v[cl->n], &c->cores[i].cpus);
		cpuset_or(&seen, &c->cores[i].cpus);
		if (cpuset_count(&c->cores[i].cpus) > cl->smt)
			cl->smt = cpuset_count(&c->cores[i].cpus);
		cl->n++;
	}
	/* CPUs no core lists stand alone. */
	for (cpu = 0; cpu < ncpus; cpu++) {
		if (cpuset_has(&seen, cpu))
			continue;
		cpuset_init(&cl->v[cl->n]);
		cpuset_add(&cl->v[cl->n], cpu);
		cl->n++;
	}
	cpuset_free(&seen);
}

static void cores_free(struct core_list *cl)
{
	size_t i;

	for (i = 0; i < cl->n; i++)
		cpuset_free(&cl->v[i]);
	free(cl->v);
}

static uint32_t first_cpu(const struct cpuset *s)
{
	int64_t c = cpuset_next(s, 0);

	return c < 0 ? 0 : (uint32_t)c;
}

static int cmp_core(const void *a, const void *b)
{
	uint32_t x = first_cpu(a), y = first_cpu(b);

	return x < y ? -1 : x > y;
}

/* One grid of cores (those whose first CPU is in cpus). */
static void draw_grid(FILE *out, const struct kstate *st,
		      const struct core_list *cl, const struct cpuset *cpus,
		      const struct map_opts *o)
{
	size_t *idx = xzalloc((cl->n + 1) * sizeof(*idx));
	size_t n = 0, i, start;
	uint32_t t;

	for (i = 0; i < cl->n; i++)
		if (!cpus || cpuset_has(cpus, first_cpu(&cl->v[i])))
			idx[n++] = i;
	for (start = 0; start < n; start += MAP_COLS) {
		size_t end = start + MAP_COLS < n ? start + MAP_COLS : n;

		fputs("    core ", out);
		for (i = start; i < end; i++)
			fprintf(out, "%4" PRIu32, first_cpu(&cl->v[idx[i]]));
		fputc('\n', out);
		for (t = 0; t < cl->smt; t++) {
			fprintf(out, "    thr %" PRIu32 " ", t);
			for (i = start; i < end; i++) {
				const struct cpuset *core = &cl->v[idx[i]];
				int64_t c = cpuset_next(core, 0);
				uint32_t k;

				for (k = 0; k < t && c >= 0; k++)
					c = cpuset_next(core, (uint32_t)c + 1);
				fputs("   ", out);
				put_cell(out, o, c < 0 ? -3 :
					 cpu_owner(st, (uint32_t)c));
			}
			fputc('\n', out);
		}
	}
	free(idx);
}

static void draw_cpus(FILE *out, const struct kstate *st,
		      const struct map_opts *o)
{
	const struct mk_model *m = &st->model;
	struct core_list cl;
	uint32_t ncpus = m->cpus.total;
	size_t i;
	char *list;

	for (i = 0; i < st->map.n; i++)
		if (st->map.v[i].logical + 1 > ncpus)
			ncpus = st->map.v[i].logical + 1;
	cores_build(st, ncpus, &cl);
	xqsort(cl.v, cl.n, sizeof(*cl.v), cmp_core);
	fprintf(out, "CPUs (%" PRIu32 "; %u per core)\n", ncpus, cl.smt);
	if (m->topo.nnodes) {
		for (i = 0; i < m->topo.nnodes; i++) {
			list = cpuset_format(&m->topo.nodes[i].cpus);
			fprintf(out, "  NUMA node %" PRIu32 " (CPUs %s)\n",
				m->topo.nodes[i].id, list);
			free(list);
			draw_grid(out, st, &cl, &m->topo.nodes[i].cpus, o);
		}
	} else {
		draw_grid(out, st, &cl, NULL, o);
	}
	cores_free(&cl);
}

/* Overlap of [a, a+as) and [b, b+bs). */
static uint64_t overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	uint64_t lo = a > b ? a : b;
	uint64_t hi = a + as < b + bs ? a + as : b + bs;

	return hi > lo ? hi - lo : 0;
}

static void draw_chunk(FILE *out, const struct kstate *st, size_t c,
		       const struct map_opts *o)
{
	const struct mk_range *ch = &st->model.mem.pool[c];
	unsigned int w = o->width ? o->width : 64, cell;
	long *owner = xzalloc(w * sizeof(*owner));
	uint64_t step = ch->size / w ? ch->size / w : 1;
	char sz[32];
	size_t i, r;

	for (cell = 0; cell < w; cell++) {
		uint64_t base = ch->base + step * cell;
		uint64_t len = cell + 1 == w ? ch->base + ch->size - base
					     : step;
		uint64_t best = 0;

		owner[cell] = -1;
		for (i = 0; i < st->ninst; i++) {
			uint64_t sum = 0;

			for (r = 0; r < st->inst[i].nregions; r++)
				sum += overlap(base, len,
					       st->inst[i].regions[r].base,
					       st->inst[i].regions[r].size);
			if (sum > best) {
				best = sum;
				owner[cell] = (long)i;
			}
		}
	}
	/* A region smaller than a cell still shows. */
	for (i = 0; i < st->ninst; i++) {
		for (r = 0; r < st->inst[i].nregions; r++) {
			const struct kstate_region *g = &st->inst[i].regions[r];

			if (!overlap(ch->base, ch->size, g->base, g->size))
				continue;
			cell = g->base > ch->base ?
			       (unsigned int)((g->base - ch->base) / step) : 0;
			if (cell >= w)
				cell = w - 1;
			if (owner[cell] != (long)i) {
				size_t k;
				bool shown = false;

				for (k = 0; k < w; k++)
					shown |= owner[k] == (long)i;
				if (!shown)
					owner[cell] = (long)i;
			}
		}
	}
	fprintf(out, "  chunk %zu  0x%" PRIx64 "-0x%" PRIx64 "  %s", c,
		ch->base, ch->base + ch->size - 1,
		size_format(sz, sizeof(sz), ch->size, SIZE_IEC));
	if (ch->numa >= 0)
		fprintf(out, "  node %" PRId64, ch->numa);
	fputs("\n    ", out);
	fputs(o->unicode ? "\u2595" : "[", out);
	for (cell = 0; cell < w; cell++)
		put_cell(out, o, owner[cell]);
	fputs(o->unicode ? "\u258f\n" : "]\n", out);
	free(owner);
}

static void draw_legend(FILE *out, const struct kstate *st,
			const struct map_opts *o)
{
	const struct mk_model *m = &st->model;
	size_t i, r, wname = 4;
	char sz[32];

	for (i = 0; i < st->ninst; i++)
		if (strlen(st->inst[i].name) > wname)
			wname = strlen(st->inst[i].name);
	fputs("Legend\n", out);
	for (i = 0; i < st->ninst; i++) {
		const struct kstate_inst *ki = &st->inst[i];
		uint64_t mem = 0;
		char *cpus = i < m->ninstances ?
			     cpuset_format(&m->instances[i].cpus) :
			     xstrdup("-");

		for (r = 0; r < ki->nregions; r++)
			mem += ki->regions[r].size;
		fputs("  ", out);
		put_cell(out, o, (long)i);
		fprintf(out, "  %-*s  id %-4d %-7s CPUs %-10s %s", (int)wname,
			ki->name, ki->id, ki->status_text ? ki->status_text
							  : "?",
			*cpus ? cpus : "-",
			size_format(sz, sizeof(sz), mem, SIZE_IEC));
		if (ki->nregions && !st->iomem_zeroed)
			fprintf(out, " at 0x%" PRIx64, ki->regions[0].base);
		if (ki->nregions > 1)
			fprintf(out, " (+%zu regions)", ki->nregions - 1);
		fputc('\n', out);
		free(cpus);
	}
	fputs("  ", out);
	put_cell(out, o, -2);
	fputs("  host", out);
	fputs("    ", out);
	put_cell(out, o, -1);
	fputs("  free in the pool\n", out);
}

void map_render(FILE *out, const struct kstate *st, const struct map_opts *o)
{
	size_t c;

	if (!st->initialized) {
		fputs("No multikernel pool yet: run 'kerf init --input=FILE' "
		      "first.\n", out);
		return;
	}
	draw_cpus(out, st, o);
	fputs("\nMemory pool\n", out);
	if (st->iomem_zeroed)
		fputs("  (proc/iomem hides addresses: run as root to see "
		      "the regions)\n", out);
	for (c = 0; c < st->model.mem.npool; c++)
		draw_chunk(out, st, c, o);
	fputc('\n', out);
	draw_legend(out, st, o);
}
