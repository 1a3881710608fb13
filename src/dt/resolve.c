// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The semantic phase: everything dtc does between parsing and output, in
 * dtc's order, so that a kerf blob decompiles to exactly dtc's text.
 *
 *   cell overflow      kerf's own rule (schema.md 1.1), before anything else
 *   structure          duplicate node/property names, name characters,
 *                      the "name" property (a correct one is dropped)
 *   labels             one owner per label
 *   explicit phandles  phandle / linux,phandle values
 *   references         <&x> cells get phandles (allocated on demand), &x
 *                      inserts the path; /omit-if-no-ref/ pruning
 *   -@, /plugin/       __symbols__, __fixups__, __local_fixups__
 *
 * Every lookup goes through hash maps (labels, paths, phandles): the
 * benchmark resolves thousands of references among thousands of nodes.
 */
#include "dt/dt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define NODECHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
		  "0123456789,._+-@"
#define PROPCHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
		  "0123456789,._+*#?-"

/* A small open-addressing map from 64-bit keys (pointers, phandles). */
struct u64map_ent {
	uint64_t key;
	void *val;
	bool used;
};

struct u64map {
	struct u64map_ent *v;
	size_t cap, count;
};

static size_t u64_slot(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= UINT64_C(0xff51afd7ed558ccd);
	k ^= k >> 33;
	return (size_t)k & (cap - 1);
}

static void u64map_free(struct u64map *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static void *u64map_get(const struct u64map *m, uint64_t key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = u64_slot(key, m->cap); m->v[i].used;
	     i = (i + 1) & (m->cap - 1))
		if (m->v[i].key == key)
			return m->v[i].val;
	return NULL;
}

static void u64map_put(struct u64map *m, uint64_t key, void *val);

static void u64map_grow(struct u64map *m)
{
	struct u64map old = *m;
	size_t i;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->v = xzalloc(m->cap * sizeof(*m->v));
	m->count = 0;
	for (i = 0; i < old.cap; i++)
		if (old.v[i].used)
			u64map_put(m, old.v[i].key, old.v[i].val);
	free(old.v);
}

static void u64map_put(struct u64map *m, uint64_t key, void *val)
{
	size_t i;

	if ((m->count + 1) * 2 > m->cap)
		u64map_grow(m);
	for (i = u64_slot(key, m->cap); m->v[i].used;
	     i = (i + 1) & (m->cap - 1))
		if (m->v[i].key == key) {
			m->v[i].val = val;
			return;
		}
	m->v[i].used = true;
	m->v[i].key = key;
	m->v[i].val = val;
	m->count++;
}

/* Linear probing: delete by shifting the rest of the cluster back. */
static void u64map_del(struct u64map *m, uint64_t key)
{
	size_t i, j, h, mask = m->cap - 1;

	if (!m->cap)
		return;
	for (i = u64_slot(key, m->cap); m->v[i].used; i = (i + 1) & mask)
		if (m->v[i].key == key)
			break;
	if (!m->v[i].used)
		return;
	m->v[i].used = false;
	m->count--;
	for (j = (i + 1) & mask; m->v[j].used; j = (j + 1) & mask) {
		h = u64_slot(m->v[j].key, m->cap);
		/* Move j into the hole at i if its home is not in (i, j]. */
		if ((j > i && (h <= i || h > j)) ||
		    (j < i && h <= i && h > j)) {
			m->v[i] = m->v[j];
			m->v[j].used = false;
			i = j;
		}
	}
}

/*
 * phandle -> node: phandles are small and mostly dense (dtc hands them out
 * from 1 up), so those below PH_DENSE live in an array, the rest in a map.
 */
#define PH_DENSE 65536

struct phtab {
	struct dt_node **dense;
	size_t ndense;
	struct u64map sparse;
};

static struct dt_node *ph_get(const struct phtab *t, uint32_t ph)
{
	if (ph < PH_DENSE)
		return ph < t->ndense ? t->dense[ph] : NULL;
	return u64map_get(&t->sparse, ph);
}

static void ph_set(struct phtab *t, uint32_t ph, struct dt_node *n)
{
	if (ph >= PH_DENSE) {
		if (n)
			u64map_put(&t->sparse, ph, n);
		else
			u64map_del(&t->sparse, ph);
		return;
	}
	if (ph >= t->ndense) {
		size_t old = t->ndense, want = old ? old : 1024;

		if (!n)
			return;
		while (want <= ph)
			want *= 2;
		t->dense = xrealloc(t->dense, want * sizeof(*t->dense));
		memset(t->dense + old, 0, (want - old) * sizeof(*t->dense));
		t->ndense = want;
	}
	t->dense[ph] = n;
}

static void ph_free(struct phtab *t)
{
	free(t->dense);
	u64map_free(&t->sparse);
	memset(t, 0, sizeof(*t));
}

struct resolver {
	struct dt_tree *t;
	const struct dt_resolve_opts *o;
	struct diags *d;
	bool plugin;
	unsigned int nerr;
	struct strmap labels;	/* node label -> node (first, pre-order) */
	struct strmap paths;	/* full path -> node (first match) */
	struct u64map node_path;	/* node -> its full path (owned) */
	bool paths_built;		/* paths holds every node */
	bool nodechars[256], propchars[256];
	struct phtab phandles;		/* phandle -> node */
	uint32_t next_phandle;
	struct strbuf tmp;
};

static void index_free(struct resolver *r)
{
	size_t i;

	for (i = 0; i < r->node_path.cap; i++)
		if (r->node_path.v[i].used)
			free(r->node_path.v[i].val);
	u64map_free(&r->node_path);
	strmap_free(&r->paths);
	strmap_free(&r->labels);
	strmap_init(&r->paths);
	strmap_init(&r->labels);
	r->paths_built = false;
}

static void index_labels(struct resolver *r, struct dt_node *n)
{
	struct dt_node *c;
	struct dt_label *l;

	for (l = n->labels; l; l = l->next)
		if (!strmap_get(&r->labels, l->name))
			strmap_put(&r->labels, l->name, n);
	dt_for_each_child(n, c)
		index_labels(r, c);
}

/* Labels now; paths when first needed (most trees have no path refs). */
static void index_tree(struct resolver *r)
{
	index_free(r);
	index_labels(r, r->t->root);
}

static const char *path_of(struct resolver *r, const struct dt_node *n)
{
	char *path = u64map_get(&r->node_path, (uintptr_t)n);
	const char *pp;

	if (path)
		return path;
	if (!n->parent) {
		path = xstrdup("/");
	} else {
		pp = path_of(r, n->parent);
		path = n->parent->parent ? xasprintf("%s/%s", pp, n->name)
					 : xasprintf("/%s", n->name);
	}
	u64map_put(&r->node_path, (uintptr_t)n, path);
	return path;
}

static void index_paths(struct resolver *r, struct dt_node *n)
{
	const char *path = path_of(r, n);
	struct dt_node *c;

	if (!strmap_get(&r->paths, path))
		strmap_put(&r->paths, path, n);
	dt_for_each_child(n, c)
		index_paths(r, c);
}

/*
 * dtc's get_node_by_ref(): "/" is the root, "/a/b" a path (empty
 * components ignored, names matched exactly), "label" or "label/a/b" a
 * node label and a path below it.
 */
static struct dt_node *lookup_ref(struct resolver *r, const char *ref)
{
	const char *rest = ref, *slash;
	struct dt_node *base = r->t->root;
	struct strbuf *sb = &r->tmp;

	if (ref[0] != '/') {
		slash = strchr(ref, '/');
		if (!slash)
			return strmap_get(&r->labels, ref);
		base = strmap_getn(&r->labels, ref, (size_t)(slash - ref));
		if (!base)
			return NULL;
		rest = slash;
	}
	if (!r->paths_built) {
		index_paths(r, r->t->root);
		r->paths_built = true;
	}
	sb_reset(sb);
	if (base->parent)
		sb_adds(sb, path_of(r, base));
	while (*rest) {
		size_t len;

		while (*rest == '/')
			rest++;
		len = strcspn(rest, "/");
		if (!len)
			break;
		sb_addc(sb, '/');
		sb_add(sb, rest, len);
		rest += len;
	}
	if (!sb->len)
		return base;
	return strmap_get(&r->paths, sb->buf);
}

static void pos_note(struct strbuf *sb, const struct srcpos *pos)
{
	if (pos && pos->file)
		sb_addf(sb, " at %s:%u:%u", pos->file->name, pos->line,
			pos->col);
}

PRINTF(3, 4)
static void rerror(struct resolver *r, const struct srcpos *pos,
		   const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_error(r->d, pos, "%s", msg);
	free(msg);
	r->nerr++;
}

/* "did you mean" among the node labels, for a bad reference. */
static void hint_label(struct resolver *r, const char *ref)
{
	const struct strmap_entry *e;
	const char *best = NULL;
	unsigned int bestd = 3, dist;
	size_t i;

	if (ref[0] == '/' || strlen(ref) > 64)
		return;
	for (i = 0; strmap_next(&r->labels, &i, &e);) {
		dist = edit_distance(ref, e->key);
		if (dist < bestd || (dist == bestd && best &&
				     strcmp(e->key, best) < 0)) {
			bestd = dist;
			best = e->key;
		}
	}
	if (best)
		diag_hint(r->d, "did you mean '%s'?", best);
}

/* ---- values wider than their cell (kerf's rule, schema.md 1.1) ---- */

static void overflow_hint(struct resolver *r, const struct dt_marker *m)
{
	if (m->width == 32)
		diag_hint(r->d, "write /bits/ 64 <0x%" PRIx64 "> or <0x%" PRIx64
			  " 0x%" PRIx64 ">", m->full, m->full >> 32,
			  m->full & 0xffffffff);
	else
		diag_hint(r->d, "write /bits/ %u <0x%" PRIx64 ">",
			  m->full >> 32 ? 64 : 32, m->full);
}

static void check_overflow_prop(struct resolver *r, struct dt_property *p)
{
	struct dt_marker *m;
	bool ok;

	for (m = p->val.markers; m; m = m->next) {
		if (m->kind != DT_MARK_OVERFLOW)
			continue;
		ok = m->width == 32 && m->offset >= 4 &&
		     m->offset + 4 <= p->val.len && r->o &&
		     r->o->overflow_ok &&
		     r->o->overflow_ok(r->t, p, m, r->o->ctx);
		if (!ok) {
			diag_add(r->d, DIAG_ERROR, &m->pos, "cell-overflow",
				 "value 0x%" PRIx64 " does not fit in a %u-bit "
				 "cell of property '%s'", m->full, m->width,
				 p->name);
			overflow_hint(r, m);
			r->nerr++;
			continue;
		}
		dt_put_be32(p->val.data + m->offset - 4,
			    (uint32_t)(m->full >> 32));
		dt_put_be32(p->val.data + m->offset, (uint32_t)m->full);
		diag_add(r->d, DIAG_WARNING, &m->pos, "cell-overflow",
			 "value 0x%" PRIx64 " does not fit in a 32-bit cell of "
			 "property '%s'; read as the 64-bit value <0x%" PRIx64
			 " 0x%" PRIx64 ">", m->full, p->name, m->full >> 32,
			 m->full & 0xffffffff);
		diag_hint(r->d, "write <0x%" PRIx64 " 0x%" PRIx64
			  "> (or /bits/ 64 <0x%" PRIx64 ">)", m->full >> 32,
			  m->full & 0xffffffff, m->full);
	}
}

static void check_overflow(struct resolver *r, struct dt_node *n)
{
	struct dt_property *p;
	struct dt_node *c;

	dt_for_each_prop(n, p)
		check_overflow_prop(r, p);
	dt_for_each_child(n, c)
		check_overflow(r, c);
}

/* ---- structure: names, duplicates, the "name" property ---- */

static void dup_node(struct resolver *r, struct dt_node *n,
		     struct dt_node *c, struct dt_node *first)
{
	sb_reset(&r->tmp);
	pos_note(&r->tmp, &first->pos);
	rerror(r, &c->pos, "duplicate node name '%s' in %s (also defined%s)",
	       c->name, path_of(r, n), r->tmp.len ? r->tmp.buf : " before");
}

static void dup_prop(struct resolver *r, struct dt_node *n,
		     struct dt_property *p, struct dt_property *first)
{
	sb_reset(&r->tmp);
	pos_note(&r->tmp, &first->pos);
	rerror(r, &p->pos, "duplicate property '%s' in %s (also defined%s)",
	       p->name, path_of(r, n), r->tmp.len ? r->tmp.buf : " before");
}

static void check_dup_children(struct resolver *r, struct dt_node *n)
{
	struct dt_node *c, *c2;
	struct strmap seen;
	size_t count = 0;

	dt_for_each_child(n, c)
		count++;
	if (count < 2)
		return;
	if (count <= 16) {
		dt_for_each_child(n, c)
			for (c2 = n->children; c2 != c; c2 = c2->next)
				if (c->name[0] == c2->name[0] &&
				    !strcmp(c->name, c2->name)) {
					dup_node(r, n, c, c2);
					break;
				}
		return;
	}
	strmap_init(&seen);
	dt_for_each_child(n, c) {
		c2 = strmap_get(&seen, c->name);
		if (!c2)
			strmap_put(&seen, c->name, c);
		else
			dup_node(r, n, c, c2);
	}
	strmap_free(&seen);
}

static void check_dup_props(struct resolver *r, struct dt_node *n)
{
	struct dt_property *p, *p2;
	struct strmap seen;
	size_t count = 0;

	dt_for_each_prop(n, p)
		count++;
	if (count < 2)
		return;
	if (count <= 16) {
		dt_for_each_prop(n, p)
			for (p2 = n->props; p2 != p; p2 = p2->next)
				if (p->name[0] == p2->name[0] &&
				    !strcmp(p->name, p2->name)) {
					dup_prop(r, n, p, p2);
					break;
				}
		return;
	}
	strmap_init(&seen);
	dt_for_each_prop(n, p) {
		p2 = strmap_get(&seen, p->name);
		if (!p2)
			strmap_put(&seen, p->name, p);
		else
			dup_prop(r, n, p, p2);
	}
	strmap_free(&seen);
}

static void check_name_prop(struct resolver *r, struct dt_node *n)
{
	struct dt_property *p = dt_prop(n, "name");
	size_t base = dt_node_basename_len(n);
	const char *s;

	if (!p)
		return;
	s = dt_prop_str(p);
	if (!s) {
		rerror(r, &p->pos, "property 'name' of %s is not a string",
		       path_of(r, n));
		return;
	}
	if (p->val.len != base + 1 || memcmp(s, n->name, base) != 0) {
		rerror(r, &p->pos, "\"name\" property of %s is incorrect "
		       "(\"%s\" instead of the base node name \"%.*s\")",
		       path_of(r, n), s, (int)base, n->name);
		return;
	}
	/* Correct, and therefore redundant: dtc drops it. */
	dt_prop_unlink(p);
	dt_prop_free(p);
}

/* strspn() with a table: this runs on every node and property name. */
static size_t span(const char *s, const bool *ok)
{
	const char *p = s;

	while (ok[(unsigned char)*p])
		p++;
	return (size_t)(p - s);
}

static void charset(bool *ok, const char *chars)
{
	memset(ok, 0, 256 * sizeof(*ok));
	for (; *chars; chars++)
		ok[(unsigned char)*chars] = true;
}

static void check_structure(struct resolver *r, struct dt_node *n)
{
	struct dt_property *p;
	struct dt_node *c;
	size_t k;

	/* dtc's node_name_chars, then node_name_format (its prerequisite) */
	k = span(n->name, r->nodechars);
	if (n->name[k])
		rerror(r, &n->pos,
		       "node name '%s' contains invalid character '%c'",
		       n->name, n->name[k]);
	else if (strchr(dt_node_unit(n), '@'))
		rerror(r, &n->pos, "node name '%s' has more than one '@'",
		       n->name);
	else if (n->parent && n->name[0] == '@')
		rerror(r, &n->pos, "node name '%s' is empty before the '@'",
		       n->name);
	check_dup_children(r, n);
	/* dtc's property_name_chars */
	dt_for_each_prop(n, p) {
		k = span(p->name, r->propchars);
		if (p->name[k])
			rerror(r, &p->pos,
			       "property name '%s' contains invalid character '%c'",
			       p->name, p->name[k]);
	}
	check_dup_props(r, n);
	check_name_prop(r, n);
	dt_for_each_child(n, c)
		check_structure(r, c);
}

/* ---- labels: one owner each ---- */

struct label_owner {
	const struct dt_node *node;
	const struct dt_property *prop;
	const struct dt_marker *mark;
	const struct srcpos *pos;
};

/*
 * Owners live in one array (the map holds index + 1), so that claiming a
 * label costs one lookup and no allocation.
 */
struct label_check {
	struct strmap owners;	/* label -> index + 1 in all[] */
	struct label_owner *all;
	size_t n, cap;
};

static void describe_owner(struct resolver *r, struct strbuf *sb,
			   const struct label_owner *o)
{
	if (o->mark)
		sb_addf(sb, "a value of property '%s' of ", o->prop->name);
	else if (o->prop)
		sb_addf(sb, "property '%s' of ", o->prop->name);
	sb_adds(sb, path_of(r, o->node));
	pos_note(sb, o->pos);
}

/*
 * Claim a label for its first owner, and index node labels for &label
 * references (the first node in pre-order that carries the label).
 */
static void label_claim(struct resolver *r, struct label_check *lc,
			const char *name, struct dt_node *n,
			const struct dt_property *p, const struct dt_marker *m,
			const struct srcpos *pos)
{
	uintptr_t idx = (uintptr_t)strmap_get(&lc->owners, name);
	struct label_owner *o;

	if (idx) {
		if (!p && !strmap_get(&r->labels, name))
			strmap_put(&r->labels, name, n);
		o = &lc->all[idx - 1];
		if (o->node == n && o->prop == p && o->mark == m)
			return;
		sb_reset(&r->tmp);
		describe_owner(r, &r->tmp, o);
		rerror(r, pos, "duplicate label '%s' (also on %s)", name,
		       r->tmp.buf);
		return;
	}
	/* a new name is in no index yet */
	if (!p)
		strmap_put(&r->labels, name, n);
	lc->all = xgrow(lc->all, &lc->cap, lc->n + 1, sizeof(*lc->all));
	o = &lc->all[lc->n++];
	o->node = n;
	o->prop = p;
	o->mark = m;
	o->pos = pos;
	strmap_put(&lc->owners, name, (void *)lc->n);
}

static void check_labels_node(struct resolver *r, struct label_check *lc,
			      struct dt_node *n)
{
	struct dt_property *p;
	struct dt_marker *m;
	struct dt_label *l;
	struct dt_node *c;

	for (l = n->labels; l; l = l->next)
		label_claim(r, lc, l->name, n, NULL, NULL, &l->pos);
	dt_for_each_prop(n, p) {
		for (l = p->labels; l; l = l->next)
			label_claim(r, lc, l->name, n, p, NULL, &l->pos);
		for (m = p->val.markers; m; m = m->next)
			if (m->kind == DT_MARK_LABEL && m->ref)
				label_claim(r, lc, m->ref, n, p, m, &m->pos);
	}
	dt_for_each_child(n, c)
		check_labels_node(r, lc, c);
}

/* Also builds the label index (r->labels, which must be empty). */
static void check_labels(struct resolver *r)
{
	struct label_check lc = { .all = NULL };

	strmap_init(&lc.owners);
	check_labels_node(r, &lc, r->t->root);
	free(lc.all);
	strmap_free(&lc.owners);
}

/* ---- phandles ---- */

static bool phandle_valid(uint32_t ph)
{
	return ph != 0 && ph != 0xffffffff;
}

static uint32_t explicit_phandle(struct resolver *r, struct dt_node *n,
				 const struct dt_property *p, const char *name)
{
	struct dt_marker *m;
	uint32_t ph;

	if (!p)
		return 0;
	if (p->val.len != 4) {
		rerror(r, &p->pos, "bad length (%zu) of property '%s' of %s",
		       p->val.len, name, path_of(r, n));
		return 0;
	}
	for (m = p->val.markers; m; m = m->next) {
		if (m->kind != DT_MARK_REF_PHANDLE)
			continue;
		/* <&self> means "allocate one"; filled in later. */
		if (lookup_ref(r, m->ref) != n)
			rerror(r, &m->pos, "property '%s' of %s is a reference "
			       "to another node", name, path_of(r, n));
		return 0;
	}
	ph = dt_be32(p->val.data);
	if (!phandle_valid(ph)) {
		rerror(r, &p->val_pos, "bad value (0x%x) in property '%s' "
		       "of %s", ph, name, path_of(r, n));
		return 0;
	}
	return ph;
}

static void check_explicit_phandles(struct resolver *r, struct dt_node *n)
{
	struct dt_property *p, *php = NULL, *lphp = NULL;
	struct dt_node *c, *other;
	uint32_t ph, lph;

	/* the first of each, in one pass over the properties */
	dt_for_each_prop(n, p) {
		if (p->name[0] == 'p' && !php && !strcmp(p->name, "phandle"))
			php = p;
		else if (p->name[0] == 'l' && !lphp &&
			 !strcmp(p->name, "linux,phandle"))
			lphp = p;
	}
	ph = explicit_phandle(r, n, php, "phandle");
	lph = explicit_phandle(r, n, lphp, "linux,phandle");
	if (ph && lph && ph != lph)
		rerror(r, &n->pos, "mismatching 'phandle' and 'linux,phandle' "
		       "properties in %s", path_of(r, n));
	if (!ph)
		ph = lph;
	if (ph) {
		other = ph_get(&r->phandles, ph);
		if (other && other != n) {
			sb_reset(&r->tmp);
			pos_note(&r->tmp, &other->pos);
			rerror(r, &n->pos, "duplicate phandle 0x%x on %s "
			       "(also on %s%s)", ph, path_of(r, n),
			       path_of(r, other), r->tmp.buf);
		} else {
			n->phandle = ph;
			ph_set(&r->phandles, ph, n);
		}
	}
	dt_for_each_child(n, c)
		check_explicit_phandles(r, c);
}

/* dtc's get_node_phandle(): the lowest free value at or above a counter
 * that never goes back; a "phandle" property is appended if missing. */
static uint32_t node_phandle(struct resolver *r, struct dt_node *n)
{
	struct dt_property *p;

	if (phandle_valid(n->phandle))
		return n->phandle;
	while (ph_get(&r->phandles, r->next_phandle))
		r->next_phandle++;
	n->phandle = r->next_phandle;
	ph_set(&r->phandles, n->phandle, n);
	if (!dt_prop(n, "phandle")) {
		uint8_t cell[4];

		/* in the tree's arena, like the parsed properties */
		p = dt_prop_new_in(r->t, "phandle", 7);
		p->val.markers = dt_marker_new_in(r->t, NULL, 0);
		p->val.markers->kind = DT_MARK_TYPE_U32;
		dt_put_be32(cell, n->phandle);
		dt_value_set_in(r->t, &p->val, cell, sizeof(cell));
		dt_node_add_prop(n, p);
	}
	return n->phandle;
}

static void no_such_ref(struct resolver *r, const struct dt_marker *m)
{
	rerror(r, &m->pos, "reference to non-existent %s '%s'",
	       m->ref[0] == '/' ? "node" : "node or label", m->ref);
	hint_label(r, m->ref);
}

static void fix_phandle_refs(struct resolver *r, struct dt_node *n)
{
	struct dt_property *p;
	struct dt_marker *m;
	struct dt_node *target, *c;

	dt_for_each_prop(n, p) {
		for (m = p->val.markers; m; m = m->next) {
			if (m->kind != DT_MARK_REF_PHANDLE || !m->ref)
				continue;
			if (m->offset + 4 > p->val.len) {
				rerror(r, &m->pos, "internal error: reference "
				       "'%s' outside the value of '%s'",
				       m->ref, p->name);
				continue;
			}
			target = lookup_ref(r, m->ref);
			if (!target) {
				if (!r->plugin)
					no_such_ref(r, m);
				else
					dt_put_be32(p->val.data + m->offset,
						    0xffffffff);
				continue;
			}
			dt_put_be32(p->val.data + m->offset,
				    node_phandle(r, target));
			target->referenced = true;
		}
	}
	dt_for_each_child(n, c)
		fix_phandle_refs(r, c);
}

static void value_insert(struct dt_value *v, struct dt_marker *at,
			 const void *data, size_t len)
{
	struct dt_marker *m;
	size_t off = at->offset;

	dt_value_reserve(v, v->len + len);
	memmove(v->data + off + len, v->data + off, v->len - off);
	memcpy(v->data + off, data, len);
	v->len += len;
	for (m = at->next; m; m = m->next)
		m->offset += len;
}

static void fix_path_refs(struct resolver *r, struct dt_node *n)
{
	struct dt_property *p;
	struct dt_marker *m;
	struct dt_node *target, *c;
	const char *path;

	dt_for_each_prop(n, p) {
		for (m = p->val.markers; m; m = m->next) {
			if (m->kind != DT_MARK_REF_PATH || !m->ref)
				continue;
			if (m->offset > p->val.len) {
				rerror(r, &m->pos, "internal error: reference "
				       "'%s' outside the value of '%s'",
				       m->ref, p->name);
				continue;
			}
			target = lookup_ref(r, m->ref);
			if (!target) {
				no_such_ref(r, m);
				continue;
			}
			path = path_of(r, target);
			value_insert(&p->val, m, path, strlen(path) + 1);
			target->referenced = true;
		}
	}
	dt_for_each_child(n, c)
		fix_path_refs(r, c);
}

static void forget_phandles(struct resolver *r, struct dt_node *n)
{
	struct dt_node *c;

	if (phandle_valid(n->phandle) &&
	    ph_get(&r->phandles, n->phandle) == n)
		ph_set(&r->phandles, n->phandle, NULL);
	dt_for_each_child(n, c)
		forget_phandles(r, c);
}

static bool omit_unused(struct resolver *r, struct dt_node *n)
{
	struct dt_node *c, *next;
	bool any = false;
	bool keep_labelled = r->o && r->o->symbols;

	for (c = n->children; c; c = next) {
		next = c->next;
		if (c->omit_if_no_ref && !c->referenced &&
		    !(keep_labelled && c->labels)) {
			forget_phandles(r, c);
			dt_node_unlink(c);
			dt_node_free(c);
			any = true;
			continue;
		}
		any |= omit_unused(r, c);
	}
	return any;
}

static void reset_node(struct dt_node *n)
{
	struct dt_node *c;

	n->phandle = 0;
	n->referenced = false;
	dt_for_each_child(n, c)
		reset_node(c);
}

/* ---- generated nodes: __symbols__, __fixups__, __local_fixups__ ---- */

/* Child by exact name, created at the end if missing (build_root_node). */
static struct dt_node *child_get_or_add(struct dt_node *parent,
					const char *name)
{
	struct dt_node *c = dt_child(parent, name);

	if (!c) {
		c = dt_node_new(name, strlen(name));
		dt_node_add_child(parent, c);
	}
	return c;
}

/* Property names of one node, for constant-time lookup. */
static void prop_index(struct strmap *m, const struct dt_node *n)
{
	struct dt_property *p;

	strmap_init(m);
	dt_for_each_prop(n, p)
		if (!strmap_get(m, p->name))
			strmap_put(m, p->name, p);
}

static bool any_label(const struct dt_node *n)
{
	const struct dt_node *c;

	if (n->labels)
		return true;
	dt_for_each_child(n, c)
		if (any_label(c))
			return true;
	return false;
}

static void symbols_node(struct resolver *r, struct dt_node *an,
			 struct strmap *props, struct dt_node *n)
{
	struct dt_property *p;
	struct dt_label *l;
	struct dt_node *c;
	const char *path;

	if (n->labels) {
		path = path_of(r, n);
		for (l = n->labels; l; l = l->next) {
			if (strmap_get(props, l->name)) {
				diag_warn(r->d, &l->pos, "label '%s' already "
					  "exists in /%s", l->name, an->name);
				continue;
			}
			p = dt_prop_new(l->name);
			dt_value_mark(&p->val, DT_MARK_TYPE_STRING, 0, NULL,
				      NULL);
			dt_value_append(&p->val, path, strlen(path) + 1);
			dt_node_add_prop(an, p);
			strmap_put(props, p->name, p);
		}
		node_phandle(r, n);
	}
	dt_for_each_child(n, c)
		symbols_node(r, an, props, c);
}

static void gen_symbols(struct resolver *r)
{
	struct dt_node *an;
	struct strmap props;

	if (!any_label(r->t->root))
		return;
	an = child_get_or_add(r->t->root, "__symbols__");
	r->paths_built = false;
	prop_index(&props, an);
	symbols_node(r, an, &props, r->t->root);
	strmap_free(&props);
}

static bool any_ref(struct resolver *r, const struct dt_node *n,
		    bool resolved)
{
	const struct dt_property *p;
	const struct dt_marker *m;
	const struct dt_node *c;

	dt_for_each_prop(n, p)
		for (m = p->val.markers; m; m = m->next)
			if (m->kind == DT_MARK_REF_PHANDLE && m->ref &&
			    !lookup_ref(r, m->ref) == !resolved)
				return true;
	dt_for_each_child(n, c)
		if (any_ref(r, c, resolved))
			return true;
	return false;
}

struct fixups {
	struct dt_node *fn;
	struct strmap props;	/* name -> struct dt_property * of fn */
	struct strmap seen;	/* "label\1entry" -> (void *)1 */
	struct strmap bad;	/* name -> property with non-string content */
	char **keys;
	size_t nkeys, capkeys;
	bool malformed;
};

static void fixups_seen_add(struct fixups *fx, const char *label,
			    const char *entry)
{
	char *key = xasprintf("%s\1%s", label, entry);

	if (strmap_get(&fx->seen, key)) {
		free(key);
		return;
	}
	fx->keys = xgrow(fx->keys, &fx->capkeys, fx->nkeys + 1,
			 sizeof(*fx->keys));
	fx->keys[fx->nkeys++] = key;
	strmap_put(&fx->seen, key, (void *)1);
}

/* dtc's append_unique_str_to_property() on /__fixups__. */
static void fixup_add(struct fixups *fx, const char *label, const char *entry)
{
	struct dt_property *p = strmap_get(&fx->props, label);
	char *key;
	bool found;

	if (!p) {
		p = dt_prop_new(label);
		dt_node_add_prop(fx->fn, p);
		strmap_put(&fx->props, p->name, p);
	} else if (strmap_get(&fx->bad, p->name)) {
		fx->malformed = true;
		return;
	}
	key = xasprintf("%s\1%s", label, entry);
	found = strmap_get(&fx->seen, key) != NULL;
	free(key);
	if (found)
		return;
	dt_value_mark(&p->val, DT_MARK_TYPE_STRING, p->val.len, NULL, NULL);
	dt_value_append(&p->val, entry, strlen(entry) + 1);
	fixups_seen_add(fx, label, entry);
}

/* Pre-existing content of /__fixups__ (written by hand) counts too. */
static void fixups_seed(struct fixups *fx)
{
	struct dt_property *p;
	size_t off, l;

	dt_for_each_prop(fx->fn, p) {
		if (p->val.len && p->val.data[p->val.len - 1] != '\0') {
			strmap_put(&fx->bad, p->name, p);
			continue;
		}
		for (off = 0; off < p->val.len; off += l + 1) {
			l = strnlen((const char *)p->val.data + off,
				    p->val.len - off);
			fixups_seen_add(fx, p->name,
					(const char *)p->val.data + off);
		}
	}
}

static void fixups_node(struct resolver *r, struct fixups *fx,
			struct dt_node *n)
{
	struct dt_property *p;
	struct dt_marker *m;
	struct dt_node *c;
	const char *path = path_of(r, n);
	char *entry;

	dt_for_each_prop(n, p) {
		for (m = p->val.markers; m; m = m->next) {
			if (m->kind != DT_MARK_REF_PHANDLE || !m->ref ||
			    lookup_ref(r, m->ref))
				continue;
			if (strchr(m->ref, '/')) {
				rerror(r, &m->pos, "cannot generate a fixup "
				       "for the path reference &{%s}: no "
				       "such node", m->ref);
				continue;
			}
			if (strchr(path, ':') || strchr(p->name, ':')) {
				rerror(r, &p->pos, "cannot generate a fixup "
				       "for property '%s' of %s: ':' in the "
				       "name", p->name, path);
				continue;
			}
			entry = xasprintf("%s:%s:%zu", path, p->name,
					  m->offset);
			fixup_add(fx, m->ref, entry);
			free(entry);
		}
	}
	dt_for_each_child(n, c)
		fixups_node(r, fx, c);
}

static void gen_fixups(struct resolver *r)
{
	struct fixups fx = { .fn = NULL };
	size_t i;

	if (!any_ref(r, r->t->root, false))
		return;
	fx.fn = child_get_or_add(r->t->root, "__fixups__");
	r->paths_built = false;
	prop_index(&fx.props, fx.fn);
	strmap_init(&fx.seen);
	strmap_init(&fx.bad);
	fixups_seed(&fx);
	fixups_node(r, &fx, r->t->root);
	if (fx.malformed)
		diag_warn(r->d, NULL, "preexisting data in /__fixups__ "
			  "malformed, some content could not be added");
	for (i = 0; i < fx.nkeys; i++)
		free(fx.keys[i]);
	free(fx.keys);
	strmap_free(&fx.props);
	strmap_free(&fx.seen);
	strmap_free(&fx.bad);
}

struct local_fixups {
	struct dt_node *lfn;
	struct u64map mirror;	/* tree node -> its node under lfn */
	bool malformed;
};

static struct dt_node *lf_mirror(struct local_fixups *lf, struct dt_node *n)
{
	struct dt_node *m;

	if (!n->parent)
		return lf->lfn;
	m = u64map_get(&lf->mirror, (uintptr_t)n);
	if (!m) {
		m = child_get_or_add(lf_mirror(lf, n->parent), n->name);
		u64map_put(&lf->mirror, (uintptr_t)n, m);
	}
	return m;
}

/* dtc's append_unique_u32_to_property(). */
static void local_fixup_add(struct local_fixups *lf, struct dt_node *wn,
			    const char *name, uint32_t off)
{
	struct dt_property *p = dt_prop(wn, name);
	size_t i;

	if (p) {
		if (p->val.len % 4) {
			lf->malformed = true;
			return;
		}
		for (i = 0; i < p->val.len; i += 4)
			if (dt_be32(p->val.data + i) == off)
				return;
	} else {
		p = dt_prop_new(name);
		dt_node_add_prop(wn, p);
	}
	dt_value_mark(&p->val, DT_MARK_TYPE_U32, p->val.len, NULL, NULL);
	dt_value_append_cell(&p->val, off, 32);
}

static void local_fixups_node(struct resolver *r, struct local_fixups *lf,
			      struct dt_node *n)
{
	struct dt_property *p;
	struct dt_marker *m;
	struct dt_node *c;

	dt_for_each_prop(n, p)
		for (m = p->val.markers; m; m = m->next)
			if (m->kind == DT_MARK_REF_PHANDLE && m->ref &&
			    lookup_ref(r, m->ref))
				local_fixup_add(lf, lf_mirror(lf, n), p->name,
						(uint32_t)m->offset);
	dt_for_each_child(n, c)
		local_fixups_node(r, lf, c);
}

static void gen_local_fixups(struct resolver *r)
{
	struct local_fixups lf = { .lfn = NULL };

	if (!any_ref(r, r->t->root, true))
		return;
	lf.lfn = child_get_or_add(r->t->root, "__local_fixups__");
	local_fixups_node(r, &lf, r->t->root);
	if (lf.malformed)
		diag_warn(r->d, NULL, "preexisting data in /__local_fixups__ "
			  "malformed, some content could not be added");
	u64map_free(&lf.mirror);
}

/* dtc guesses the boot CPU from the first child of /cpus. */
static uint32_t guess_boot_cpuid(const struct dt_tree *t)
{
	struct dt_node *cpus = dt_child(t->root, "cpus");
	uint32_t reg;

	if (!cpus || !cpus->children ||
	    !dt_prop_u32(dt_prop(cpus->children, "reg"), &reg))
		return 0;
	return reg;
}

int dt_resolve(struct dt_tree *t, const struct dt_resolve_opts *o,
	       struct diags *d)
{
	struct resolver r = { .t = t, .o = o, .d = d, .next_phandle = 1 };
	unsigned int before;
	bool refs_ok;

	if (!t || !t->root)
		return 0;
	r.plugin = t->header & DT_HDR_PLUGIN;
	strmap_init(&r.labels);
	strmap_init(&r.paths);
	sb_init(&r.tmp);
	if (!t->boot_cpuid)
		t->boot_cpuid = guess_boot_cpuid(t);
	reset_node(t->root);
	charset(r.nodechars, NODECHARS);
	charset(r.propchars, PROPCHARS);

	check_overflow(&r, t->root);
	before = r.nerr;
	check_structure(&r, t->root);
	/* dtc's prerequisites: no reference work on an ambiguous tree. */
	refs_ok = r.nerr == before;
	check_labels(&r);	/* and the label index */
	before = r.nerr;
	check_explicit_phandles(&r, t->root);
	if (refs_ok && r.nerr == before) {
		before = r.nerr;
		fix_phandle_refs(&r, t->root);
		fix_path_refs(&r, t->root);
		if (r.nerr == before && omit_unused(&r, t->root))
			index_tree(&r);
	}
	if (!r.nerr && o && o->symbols)
		gen_symbols(&r);
	if (!r.nerr && r.plugin) {
		gen_fixups(&r);
		gen_local_fixups(&r);
	}

	index_free(&r);
	strmap_free(&r.labels);
	strmap_free(&r.paths);
	ph_free(&r.phandles);
	sb_free(&r.tmp);
	return r.nerr ? -EINVAL : 0;
}
