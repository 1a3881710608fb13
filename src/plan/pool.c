// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pool delta of kerf apply: which CPUs, memory and PCI functions move
 * between the host and the pool.
 */
#include "plan/pool.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/size.h"
#include "util/util.h"

void plan_pool_init(struct plan_pool *p)
{
	memset(p, 0, sizeof(*p));
	cpuset_init(&p->cpu_add);
	cpuset_init(&p->cpu_rm);
}

static void fnc_free(struct plan_pool_fnc *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].bdf);
	}
	free(v);
}

void plan_pool_free(struct plan_pool *p)
{
	cpuset_free(&p->cpu_add);
	cpuset_free(&p->cpu_rm);
	free(p->mem_add);
	free(p->mem_rm);
	fnc_free(p->fn_add, p->nfn_add);
	fnc_free(p->fn_rm, p->nfn_rm);
	plan_pool_init(p);
}

bool plan_pool_empty(const struct plan_pool *p)
{
	return cpuset_empty(&p->cpu_add) && cpuset_empty(&p->cpu_rm) &&
	       !p->nmem_add && !p->nmem_rm && !p->nfn_add && !p->nfn_rm;
}

static void push_chunk(struct mk2_chunk **v, size_t *n, uint64_t base,
		       uint64_t size, int64_t numa)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].base = base;
	(*v)[*n].size = size;
	(*v)[*n].numa = numa;
	(*n)++;
}

static void push_fn(struct plan_pool_fnc **v, size_t *n,
		    const struct plan_pool_fn *f)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].name = xstrdup(f->name ? f->name : f->bdf);
	(*v)[*n].bdf = xstrdup(f->bdf);
	(*n)++;
}

static bool has_fn(const struct plan_pool_fn *v, size_t n, const char *bdf)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcasecmp(v[i].bdf, bdf))
			return true;
	return false;
}

/* Does chunk c count for node (-2: every chunk)? */
static bool on_node(const struct plan_pool_chunk *c, int64_t node)
{
	return node == -2 || c->numa == node;
}

static void node_text(struct strbuf *sb, int64_t node)
{
	if (node >= 0)
		sb_addf(sb, " on node %" PRId64, node);
}

/* Describe a chunk: "0x...-0x... (2 GiB, node 1)" */
static void chunk_text(struct strbuf *sb, uint64_t base, uint64_t size,
		       int64_t numa)
{
	char sz[32];

	sb_addf(sb, "0x%" PRIx64 "-0x%" PRIx64 " (%s", base, base + size - 1,
		size_format(sz, sizeof(sz), size, SIZE_IEC));
	if (numa >= 0)
		sb_addf(sb, ", node %" PRId64, numa);
	sb_adds(sb, ")");
}

#define MAX_SUBSET 20

/*
 * Shrink node by need: the fewest free chunks (free[0..nf) indexes into
 * in->chunks) that add up to need exactly.  Returns the mask or 0.
 * *below / *above: the closest amounts that would work.
 */
static uint32_t pick_chunks(const struct plan_pool_in *in, const size_t *fr,
			    size_t nf, uint64_t need, uint64_t *below,
			    uint64_t *above)
{
	uint32_t mask, best = 0, n = (uint32_t)nf;
	int bestc = 64;

	*below = 0;
	*above = 0;
	if (n > MAX_SUBSET)
		n = MAX_SUBSET;
	for (mask = 1; n && mask < (1u << n); mask++) {
		uint64_t sum = 0;
		int cnt = 0;
		uint32_t k;

		for (k = 0; k < n; k++)
			if (mask & (1u << k)) {
				sum += in->chunks[fr[k]].size;
				cnt++;
			}
		if (sum == need && cnt < bestc) {
			best = mask;
			bestc = cnt;
		} else if (sum < need && sum > *below) {
			*below = sum;
		} else if (sum > need && (!*above || sum < *above)) {
			*above = sum;
		}
	}
	return best;
}

static int shrink_node(const struct plan_pool_in *in, struct plan_pool *out,
		       int64_t node, uint64_t have, uint64_t need,
		       char *err, size_t errlen)
{
	size_t *fr = xzalloc((in->nchunks + 1) * sizeof(*fr));
	size_t nf = 0, i;
	uint64_t below, above;
	uint32_t mask;
	struct strbuf sb;
	char a[32], b[32], n3[32];

	/* higher chunks first: the kernel adds them top-down */
	for (i = in->nchunks; i-- > 0;)
		if (on_node(&in->chunks[i], node) && !in->chunks[i].user)
			fr[nf++] = i;
	mask = pick_chunks(in, fr, nf, need, &below, &above);
	if (mask) {
		for (i = 0; i < nf && i < MAX_SUBSET; i++) {
			const struct plan_pool_chunk *c = &in->chunks[fr[i]];

			if (mask & (1u << i))
				push_chunk(&out->mem_rm, &out->nmem_rm,
					   c->base, c->size, c->numa);
		}
		free(fr);
		return 0;
	}
	free(fr);
	sb_init(&sb);
	sb_addf(&sb, "cannot shrink the memory pool");
	node_text(&sb, node);
	sb_addf(&sb, " from %s to %s: the kernel removes only whole chunks "
		     "that no instance uses, and no set of them adds up to %s",
		size_format(a, sizeof(a), have, SIZE_IEC),
		size_format(b, sizeof(b), have - need, SIZE_IEC),
		size_format(n3, sizeof(n3), need, SIZE_IEC));
	sb_adds(&sb, "\n  Chunks");
	node_text(&sb, node);
	sb_adds(&sb, ":");
	for (i = 0; i < in->nchunks; i++) {
		const struct plan_pool_chunk *c = &in->chunks[i];

		if (!on_node(c, node))
			continue;
		sb_adds(&sb, "\n    ");
		chunk_text(&sb, c->base, c->size, c->numa);
		if (c->user)
			sb_addf(&sb, " used by instance '%s'", c->user);
		else
			sb_adds(&sb, " free");
	}
	if (below || above) {
		sb_adds(&sb, "\n  What would work: a pool of ");
		if (below)
			sb_addf(&sb, "%s", size_format(a, sizeof(a),
						       have - below,
						       SIZE_IEC));
		if (below && above)
			sb_adds(&sb, " or ");
		if (above)
			sb_addf(&sb, "%s", size_format(a, sizeof(a),
						       have - above,
						       SIZE_IEC));
		node_text(&sb, node);
		sb_adds(&sb, " (whole free chunks)");
	} else {
		sb_adds(&sb, "\n  No chunk");
		node_text(&sb, node);
		sb_adds(&sb, " is free: delete or shrink the instances "
			     "using it first");
	}
	snprintf(err, errlen, "%s", sb.buf);
	sb_free(&sb);
	return -EBUSY;
}

static int mem_diff(const struct plan_pool_in *in, struct plan_pool *out,
		    char *err, size_t errlen)
{
	int64_t *nodes = xzalloc((in->nwant_mem + in->nchunks + 1) *
				 sizeof(*nodes));
	size_t nn = 0, i, k;
	bool any = true;
	int ret = 0;

	for (i = 0; i < in->nwant_mem; i++)
		if (in->want_mem[i].numa >= 0)
			any = false;
	if (any) {
		/* no topology: one amount, any chunk, any node */
		nodes[nn++] = -2;
	} else {
		for (i = 0; i < in->nwant_mem + in->nchunks; i++) {
			size_t c = i - in->nwant_mem;
			int64_t n = i < in->nwant_mem ? in->want_mem[i].numa
						      : in->chunks[c].numa;

			for (k = 0; k < nn; k++)
				if (nodes[k] == n)
					break;
			if (k == nn)
				nodes[nn++] = n;
		}
		/* ascending node order */
		for (i = 1; i < nn; i++)
			for (k = i; k > 0 && nodes[k - 1] > nodes[k]; k--) {
				int64_t t = nodes[k];

				nodes[k] = nodes[k - 1];
				nodes[k - 1] = t;
			}
	}
	for (k = 0; k < nn && !ret; k++) {
		uint64_t want = 0, have = 0;

		for (i = 0; i < in->nwant_mem; i++)
			if (nodes[k] == -2 || in->want_mem[i].numa == nodes[k])
				want += in->want_mem[i].size;
		for (i = 0; i < in->nchunks; i++)
			if (on_node(&in->chunks[i], nodes[k]))
				have += in->chunks[i].size;
		if (want > have)
			push_chunk(&out->mem_add, &out->nmem_add, 0,
				   want - have, nodes[k] < 0 ? -1 : nodes[k]);
		else if (want < have)
			ret = shrink_node(in, out, nodes[k], have, have - want,
					  err, errlen);
	}
	free(nodes);
	return ret;
}

int plan_pool_diff(const struct plan_pool_in *in, struct plan_pool *out,
		   char *err, size_t errlen)
{
	size_t i;

	plan_pool_init(out);
	cpuset_copy(&out->cpu_add, in->want_cpus);
	cpuset_andnot(&out->cpu_add, in->have_cpus);
	cpuset_copy(&out->cpu_rm, in->have_cpus);
	cpuset_andnot(&out->cpu_rm, in->want_cpus);
	for (i = 0; i < in->nwant_fn; i++)
		if (!has_fn(in->have_fn, in->nhave_fn, in->want_fn[i].bdf))
			push_fn(&out->fn_add, &out->nfn_add, &in->want_fn[i]);
	for (i = 0; i < in->nhave_fn; i++)
		if (!has_fn(in->want_fn, in->nwant_fn, in->have_fn[i].bdf))
			push_fn(&out->fn_rm, &out->nfn_rm, &in->have_fn[i]);
	return mem_diff(in, out, err, errlen);
}
