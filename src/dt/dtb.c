// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The blob back end: DTB out with libfdt's sequential writer, DTB in with
 * fdt_check_full() and libfdt's read-only walkers.
 */
#include "dt/dt.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "dt/fdtcheck.h"

bool dtb_is_blob(const void *data, size_t len)
{
	static const uint8_t magic[4] = { 0xd0, 0x0d, 0xfe, 0xed };

	return len >= 4 && memcmp(data, magic, 4) == 0;
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Exact structure-block size of a subtree, and an upper bound of its
 * strings (every property name, as if none were shared). */
static void subtree_size(const struct dt_node *n, size_t *st, size_t *str)
{
	const struct dt_property *p;
	const struct dt_node *c;

	*st += 8 + align4(strlen(n->name) + 1);
	dt_for_each_prop(n, p) {
		*st += 12 + align4(p->val.len);
		*str += strlen(p->name) + 1;
	}
	dt_for_each_child(n, c)
		subtree_size(c, st, str);
}

/* Where each property went in the structure block, to share names. */
struct writer {
	void *fdt;
	const char *what;	/* node or property being written */
	struct placed {
		uint32_t off;
		const char *name;
	} *props;
	size_t n, cap;
};

static int write_node(struct writer *w, const struct dt_node *n)
{
	const struct dt_property *p;
	const struct dt_node *c;
	int err;

	w->what = n->name;
	err = fdt_begin_node(w->fdt, n->name);
	if (err)
		return err;
	dt_for_each_prop(n, p) {
		if (p->val.len > INT_MAX)
			return -FDT_ERR_NOSPACE;
		w->what = p->name;
		w->props = xgrow(w->props, &w->cap, w->n + 1,
				 sizeof(*w->props));
		w->props[w->n].off = (uint32_t)fdt_size_dt_struct(w->fdt);
		w->props[w->n++].name = p->name;
		err = fdt_property(w->fdt, p->name, p->val.data,
				   (int)p->val.len);
		if (err)
			return err;
	}
	dt_for_each_child(n, c) {
		err = write_node(w, c);
		if (err)
			return err;
	}
	return fdt_end_node(w->fdt);
}

/*
 * libfdt's writer looks every property name up in the strings block with
 * a byte-by-byte scan, which dominates with thousands of properties.  The
 * blob is written with FDT_CREATE_FLAG_NO_NAME_DEDUP and the names are
 * shared here, with a hash map, once fdt_finish() has fixed the layout.
 */
static void share_names(struct writer *w)
{
	char *base = (char *)w->fdt + fdt_off_dt_struct(w->fdt);
	char *strs = (char *)w->fdt + fdt_off_dt_strings(w->fdt);
	uint32_t size = fdt_size_dt_strings(w->fdt);
	struct fdt_property *fp;
	struct strmap names;
	struct strbuf tab;
	size_t i;
	void *v;

	strmap_init(&names);
	sb_init(&tab);
	for (i = 0; i < w->n; i++) {
		v = strmap_get(&names, w->props[i].name);
		if (!v) {
			v = (void *)(uintptr_t)(tab.len + 1);
			strmap_put(&names, w->props[i].name, v);
			sb_add(&tab, w->props[i].name,
			       strlen(w->props[i].name) + 1);
		}
		fp = (struct fdt_property *)(void *)(base + w->props[i].off);
		fp->nameoff = cpu_to_fdt32((uint32_t)((uintptr_t)v - 1));
	}
	if (tab.len <= size) {
		if (tab.len)
			memcpy(strs, tab.buf, tab.len);
		fdt_set_size_dt_strings(w->fdt, (uint32_t)tab.len);
		fdt_set_totalsize(w->fdt, fdt_off_dt_strings(w->fdt) +
				  (uint32_t)tab.len);
	}
	sb_free(&tab);
	strmap_free(&names);
}

int dtb_write(const struct dt_tree *t, void **blob, size_t *len,
	      struct diags *d)
{
	const struct dt_reserve *r;
	struct writer w = { .what = "the header" };
	size_t size, st = 4, str = 0, nres = 0;
	void *buf;
	int err;

	*blob = NULL;
	*len = 0;
	if (!t || !t->root) {
		diag_error(d, NULL, "cannot write a blob: the tree is empty");
		return -EINVAL;
	}
	for (r = t->reserves; r; r = r->next)
		nres++;
	subtree_size(t->root, &st, &str);
	/* header, 8-byte aligned reserve map with its terminator, blocks */
	size = 48 + (nres + 1) * 16 + st + str;
	if (size > INT_MAX) {
		diag_error(d, NULL, "cannot write a blob of %zu bytes", size);
		return -EFBIG;
	}
	buf = xmalloc(size);
	w.fdt = buf;
	err = fdt_create_with_flags(buf, (int)size,
				    FDT_CREATE_FLAG_NO_NAME_DEDUP);
	for (r = t->reserves; !err && r; r = r->next)
		err = fdt_add_reservemap_entry(buf, r->address, r->size);
	if (!err)
		err = fdt_finish_reservemap(buf);
	if (!err)
		err = write_node(&w, t->root);
	if (!err) {
		w.what = "the blob";
		err = fdt_finish(buf);
	}
	if (err) {
		diag_error(d, NULL, "cannot write %s%s%s: %s",
			   w.what == t->root->name ? "the root node" : "'",
			   w.what == t->root->name ? "" : w.what,
			   w.what == t->root->name ? "" : "'",
			   fdt_strerror(err));
		free(w.props);
		free(buf);
		return -EINVAL;
	}
	share_names(&w);
	free(w.props);
	fdt_set_boot_cpuid_phys(buf, t->boot_cpuid);
	*len = fdt_totalsize(buf);
	*blob = xrealloc(buf, *len);
	return 0;
}

static int read_props(const void *fdt, int off, struct dt_node *n)
{
	const char *name;
	const void *val;
	struct dt_property *p;
	int poff, len;

	fdt_for_each_property_offset(poff, fdt, off) {
		val = fdt_getprop_by_offset(fdt, poff, &name, &len);
		if (!val || !name || len < 0)
			return len < 0 ? len : -FDT_ERR_BADSTRUCTURE;
		p = dt_prop_new(name);
		if (len) {
			/* No type information in a blob: guess as dtc does. */
			dt_value_append(&p->val, val, (size_t)len);
			dt_value_mark(&p->val, dt_value_guess(&p->val), 0, NULL,
				      NULL);
		}
		dt_node_add_prop(n, p);
	}
	return poff == -FDT_ERR_NOTFOUND ? 0 : poff;
}

static int read_reserves(const void *fdt, struct dt_tree *t)
{
	struct dt_reserve *r;
	uint64_t addr, size;
	int i, num = fdt_num_mem_rsv(fdt), err;

	if (num < 0)
		return num;
	for (i = 0; i < num; i++) {
		err = fdt_get_mem_rsv(fdt, i, &addr, &size);
		if (err)
			return err;
		r = xzalloc(sizeof(*r));
		r->address = addr;
		r->size = size;
		*t->reserves_tail = r;
		t->reserves_tail = &r->next;
	}
	return 0;
}

static int read_tree(const void *fdt, struct dt_tree *t)
{
	struct dt_node **stack = NULL, *n;
	size_t cap = 0;
	const char *name;
	int off = 0, depth = 0, len, err;

	name = fdt_get_name(fdt, 0, &len);
	if (!name)
		return len;
	t->root = dt_node_new("", 0);
	stack = xgrow(stack, &cap, 1, sizeof(*stack));
	stack[0] = t->root;
	err = read_props(fdt, 0, t->root);
	while (!err) {
		off = fdt_next_node(fdt, off, &depth);
		if (off < 0) {
			if (off != -FDT_ERR_NOTFOUND)
				err = off;
			break;
		}
		/* A second top-level node: nothing dtc would read. */
		if (depth <= 0)
			break;
		name = fdt_get_name(fdt, off, &len);
		if (!name) {
			err = len;
			break;
		}
		n = dt_node_new(name, (size_t)len);
		dt_node_add_child(stack[depth - 1], n);
		stack = xgrow(stack, &cap, (size_t)depth + 1, sizeof(*stack));
		stack[depth] = n;
		err = read_props(fdt, off, n);
	}
	free(stack);
	return err;
}

int dtb_read(const void *blob, size_t len, const char *name,
	     struct dt_tree **out, struct diags *d)
{
	struct dt_tree *t;
	void *copy = NULL;
	int err;

	*out = NULL;
	if (!name)
		name = "blob";
	if (len < FDT_V1_SIZE || len > INT_MAX) {
		diag_error(d, NULL, "%s: not a valid device-tree blob: %s",
			   name, len > INT_MAX ? "too large"
					       : "truncated header");
		return -EINVAL;
	}
	/* libfdt reads header fields as aligned 32-bit words. */
	if ((uintptr_t)blob & 7) {
		copy = xmalloc(len);
		memcpy(copy, blob, len);
		blob = copy;
	}
	err = dtb_check_full(blob, len);
	if (err == -FDT_ERR_BADVERSION) {
		diag_error(d, NULL, "%s: unsupported blob version %u "
			   "(compatible with %u); kerf reads versions 16 and 17",
			   name, fdt_version(blob),
			   fdt_last_comp_version(blob));
		diag_hint(d, "convert it with: dtc -I dtb -O dtb -V 17");
		free(copy);
		return -EINVAL;
	}
	if (err) {
		diag_error(d, NULL, "%s: not a valid device-tree blob: %s",
			   name, fdt_strerror(err));
		free(copy);
		return -EINVAL;
	}
	t = dt_tree_new();
	t->boot_cpuid = fdt_boot_cpuid_phys(blob);
	err = read_reserves(blob, t);
	if (!err)
		err = read_tree(blob, t);
	if (err) {
		diag_error(d, NULL, "%s: cannot read the blob: %s", name,
			   fdt_strerror(err));
		dt_tree_free(t);
		free(copy);
		return -EINVAL;
	}
	free(copy);
	*out = t;
	return 0;
}
