// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Loading a multikernel description: dt_load() plus the policies only the
 * binding knows.
 *
 *  - schema.md §1.1: in a /multikernel-v1/ file, a u64 property of the
 *    binding written <0x0 V> with V wider than 32 bits is read as V with
 *    a cell-overflow warning (mk_overflow_ok, the resolver's callback).
 *  - A reference to an undefined label is a finding (phandle-dangling,
 *    dev-unknown or dev-reference, checks.md), not a reason to stop: the
 *    loader records it and drops the marker so the resolver goes on.
 *  - Two definitions of one instance node are an instance-name finding
 *    with both locations; the second is dropped, never merged.
 */
#include "dt/dt.h"
#include "model/model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const u64_props[] = {
	"total-bytes",	    "host-reserved-bytes",
	"memory-pool-base", "memory-pool-bytes",
	"memory-base",	    "memory-size",
	"memory-bytes",	    "size",
};

bool mk_overflow_ok(const struct dt_tree *t, const struct dt_property *p,
		    const struct dt_marker *mk, void *ctx)
{
	const struct dt_node *n;
	size_t i;
	bool known = false;

	if (!(t->header & DT_HDR_MULTIKERNEL) || p->val.len != 8 ||
	    mk->offset != 4 || dt_be32(p->val.data) != 0 || mk->width != 32)
		return false;
	for (i = 0; i < ARRAY_SIZE(u64_props); i++)
		if (!strcmp(p->name, u64_props[i]))
			known = true;
	if (!known)
		return false;
	/* only inside /resources or /instances */
	for (n = p->owner; n && n->parent && n->parent->parent; n = n->parent)
		;
	return n && n->parent &&
	       (!strcmp(n->name, "resources") || !strcmp(n->name, "instances"));
}

/* A reference marker to check once every label is known. */
struct ref_use {
	struct dt_property *p;
	struct dt_marker *mk;
};

struct ref_walk {
	const char **labels;
	size_t nlabels, clabels;
	struct ref_use *refs;
	size_t nrefs, crefs;
};

/* One pass over the tree (depth first, in order, without recursion): the
 * node labels, and every reference marker. */
static void collect_refs(struct ref_walk *w, struct dt_node *root)
{
	const struct dt_label *l;
	struct dt_property *p;
	struct dt_marker *mk;
	struct dt_node *n = root;

	while (n) {
		for (l = n->labels; l; l = l->next) {
			if (w->nlabels == w->clabels)
				w->labels = xgrow(w->labels, &w->clabels,
						  w->nlabels + 1,
						  sizeof(*w->labels));
			w->labels[w->nlabels++] = l->name;
		}
		dt_for_each_prop(n, p)
		{
			for (mk = p->val.markers; mk; mk = mk->next) {
				if ((mk->kind != DT_MARK_REF_PHANDLE &&
				     mk->kind != DT_MARK_REF_PATH) ||
				    !mk->ref)
					continue;
				if (w->nrefs == w->crefs)
					w->refs = xgrow(w->refs, &w->crefs,
							w->nrefs + 1,
							sizeof(*w->refs));
				w->refs[w->nrefs++] = (struct ref_use){p, mk};
			}
		}
		/* next: first child, else the next sibling up the way */
		if (n->children) {
			n = n->children;
			continue;
		}
		while (n != root && !n->next)
			n = n->parent;
		n = n == root ? NULL : n->next;
	}
}

static void add_dangling(struct mk_model *m, const struct dt_property *p,
			 const struct dt_marker *mk)
{
	struct mk_dangling *x;

	m->dangling = xrealloc(m->dangling,
			       (m->ndangling + 1) * sizeof(*m->dangling));
	x = &m->dangling[m->ndangling++];
	memset(x, 0, sizeof(*x));
	x->ref = xstrdup(mk->ref);
	x->pos = mk->pos.file ? mk->pos : p->pos;
	x->where = dt_node_path(p->owner);
	x->prop = p;
	x->offset = mk->offset;
}

static void unlink_marker(struct dt_property *p, struct dt_marker *mk)
{
	struct dt_marker **pp;

	for (pp = &p->val.markers; *pp != mk; pp = &(*pp)->next)
		;
	*pp = mk->next;
	dt_marker_free(mk);
}

/*
 * Record every reference to an undefined label or path as a dangling
 * reference (in tree order) and drop its marker.
 */
static void drop_dangling(const struct dt_tree *t, struct dt_node *root,
			  struct mk_model *m)
{
	struct ref_walk w = {0};
	struct strmap labels;
	size_t i;

	collect_refs(&w, root);
	strmap_init(&labels);
	strmap_reserve(&labels, w.nlabels);
	for (i = 0; i < w.nlabels; i++)
		strmap_add(&labels, w.labels[i], (void *)1);
	for (i = 0; i < w.nrefs; i++) {
		const struct ref_use *u = &w.refs[i];
		bool bad = u->mk->ref[0] == '/'
				   ? !dt_path(t, u->mk->ref)
				   : !strmap_get(&labels, u->mk->ref);

		if (bad) {
			add_dangling(m, u->p, u->mk);
			unlink_marker(u->p, u->mk);
		}
	}
	strmap_free(&labels);
	free(w.labels);
	free(w.refs);
}

static void drop_duplicate_instances(struct dt_node *inst, struct mk_model *m)
{
	struct strmap seen;
	struct dt_node **kids, *c, *next;
	size_t n = 0, i = 0;

	dt_for_each_child(inst, c) n++;
	if (n < 2)
		return;
	kids = xmalloc(n * sizeof(*kids));
	strmap_init(&seen);
	strmap_reserve(&seen, n);
	for (c = inst->children; c; c = next) {
		uintptr_t first;

		next = c->next;
		kids[i] = c;
		/* values are index + 1: the first instance of the name */
		first = (uintptr_t)strmap_add(&seen, c->name, (void *)(i + 1));
		i++;
		if (!first)
			continue;
		m->dups = xrealloc(m->dups, (m->ndups + 1) * sizeof(*m->dups));
		m->dups[m->ndups].name = xstrdup(c->name);
		m->dups[m->ndups].first = kids[first - 1]->pos;
		m->dups[m->ndups].second = c->pos;
		m->ndups++;
		dt_node_unlink(c);
		dt_node_free(c);
	}
	strmap_free(&seen);
	free(kids);
}

static bool multikernel_tree(const struct dt_tree *t)
{
	return (t->header & DT_HDR_MULTIKERNEL) ||
	       (t->root && dt_child(t->root, "resources"));
}

int mk_load(const char *path, const struct dt_parse_opts *po,
	    const struct dt_resolve_opts *ro, struct dt_tree **out,
	    struct mk_model *m, struct diags *d)
{
	struct dt_resolve_opts r = {0};
	struct dt_tree *t = NULL;
	char *data;
	size_t len;
	int ret;

	*out = NULL;
	if (ro)
		r = *ro;
	if (!r.overflow_ok)
		r.overflow_ok = mk_overflow_ok;
	ret = strcmp(path, "-") == 0 ? read_fd(0, &data, &len)
				     : read_file(path, &data, &len);
	if (ret < 0) {
		diag_error(d, NULL, "cannot read '%s': %s", path,
			   strerror(-ret));
		return ret;
	}
	if (dtb_is_blob(data, len)) {
		ret = dtb_read(data, len, path, &t, d);
		free(data);
		if (ret < 0)
			return ret;
		*out = t;
		return 0;
	}
	ret = dts_parse_buffer(path, data, len, po, &t, d);
	if (ret < 0)
		return ret;
	if (m && multikernel_tree(t) && t->root) {
		struct dt_node *inst = dt_child(t->root, "instances");

		if (inst)
			drop_duplicate_instances(inst, m);
		drop_dangling(t, t->root, m);
	}
	/* on failure the tree is still handed out: the diagnostics point
	 * into its source files */
	ret = dt_resolve(t, &r, d);
	*out = t;
	return ret < 0 ? ret : 0;
}
