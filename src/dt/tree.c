// SPDX-License-Identifier: GPL-2.0-or-later
#include "dt/tree.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#define DT_ARENA 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DT_ARENA 0
#endif
#endif
#ifndef DT_ARENA
#define DT_ARENA 1
#endif

#define ARENA_CHUNK (256 * 1024)	/* above malloc's mmap threshold */
#define ARENA_ALIGN 8

struct dt_arena_chunk {
	struct dt_arena_chunk *next;
	size_t size;
	char mem[];
};

/* A new chunk with room for size bytes; returns them. */
static __attribute__((noinline)) void *arena_refill(struct dt_arena *a,
						    size_t size)
{
	struct dt_arena_chunk *c;
	size_t csize;

	csize = size + ARENA_ALIGN > ARENA_CHUNK ? size + ARENA_ALIGN
						 : ARENA_CHUNK;
	/* fresh pages are zero: no memset; populated in one call */
	c = mmap(NULL, sizeof(*c) + csize, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (c == MAP_FAILED)
		xoom();
	c->size = sizeof(*c) + csize;
	c->next = a->chunks;
	a->chunks = c;
	a->p = c->mem + size;
	a->end = c->mem + csize;
	return c->mem;
}

/* Zeroed memory from the arena, or NULL if objects must be malloc'd. */
static inline void *arena_alloc(struct dt_arena *a, size_t size,
				size_t align)
{
	uintptr_t p;

	if (!DT_ARENA)
		return NULL;
	p = ((uintptr_t)a->p + (align - 1)) & ~(uintptr_t)(align - 1);
	if (a->p && size <= (uintptr_t)a->end - p) {
		a->p = (char *)p + size;
		return (void *)p;
	}
	return arena_refill(a, size);
}

static void arena_free(struct dt_arena *a)
{
	struct dt_arena_chunk *c, *next;

	for (c = a->chunks; c; c = next) {
		next = c->next;
		munmap(c, c->size);
	}
	memset(a, 0, sizeof(*a));
}

char *dt_strndup_in(struct dt_tree *t, const char *s, size_t len)
{
	char *d = arena_alloc(&t->arena, len + 1, 1);

	if (!d)
		return xstrndup(s, len);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

struct dt_node *dt_node_new_in(struct dt_tree *t, const char *name,
			       size_t len)
{
	struct dt_node *n = arena_alloc(&t->arena, sizeof(*n), ARENA_ALIGN);

	if (!n)
		return dt_node_new(name, len);
	n->name = dt_strndup_in(t, name, len);
	n->props_tail = &n->props;
	n->children_tail = &n->children;
	n->pooled = true;
	return n;
}

struct dt_property *dt_prop_new_in(struct dt_tree *t, const char *name,
				   size_t len)
{
	struct dt_property *p = arena_alloc(&t->arena, sizeof(*p),
					    ARENA_ALIGN);

	if (!p) {
		p = xzalloc(sizeof(*p));
		p->name = xstrndup(name, len);
		return p;
	}
	p->name = dt_strndup_in(t, name, len);
	p->pooled = true;
	return p;
}

struct dt_label *dt_label_new_in(struct dt_tree *t, const char *name,
				 size_t len)
{
	struct dt_label *l = arena_alloc(&t->arena, sizeof(*l), ARENA_ALIGN);

	if (!l) {
		l = xzalloc(sizeof(*l));
		l->name = xstrndup(name, len);
		return l;
	}
	l->name = dt_strndup_in(t, name, len);
	l->pooled = true;
	return l;
}

struct dt_marker *dt_marker_new_in(struct dt_tree *t, const char *ref,
				   size_t reflen)
{
	struct dt_marker *m = arena_alloc(&t->arena, sizeof(*m),
					  ARENA_ALIGN);

	if (!m) {
		m = xzalloc(sizeof(*m));
		m->ref = ref ? xstrndup(ref, reflen) : NULL;
		return m;
	}
	m->ref = ref ? dt_strndup_in(t, ref, reflen) : NULL;
	m->pooled = true;
	return m;
}

void dt_marker_free(struct dt_marker *m)
{
	if (m->pooled)
		return;
	free(m->ref);
	free(m);
}

void dt_value_set_in(struct dt_tree *t, struct dt_value *v, const void *data,
		     size_t len)
{
	uint8_t *d;

	if (!len)
		return;
	d = arena_alloc(&t->arena, len, 1);
	if (!d) {
		dt_value_append(v, data, len);
		return;
	}
	memcpy(d, data, len);
	v->data = d;
	v->len = len;
	v->cap = 0;
}

void dt_value_reserve(struct dt_value *v, size_t want)
{
	uint8_t *old;

	if (want <= v->cap)
		return;
	if (v->cap || !v->data) {
		v->data = xgrow(v->data, &v->cap, want, 1);
		return;
	}
	/* pooled bytes: move them to the heap */
	old = v->data;
	v->data = xgrow(NULL, &v->cap, want > v->len ? want : v->len, 1);
	memcpy(v->data, old, v->len);
}

struct dt_tree *dt_tree_new(void)
{
	struct dt_tree *t = xzalloc(sizeof(*t));

	t->reserves_tail = &t->reserves;
	srcfiles_init(&t->files);
	return t;
}

void dt_tree_free(struct dt_tree *t)
{
	struct dt_reserve *r, *next;

	if (!t)
		return;
	if (t->root)
		dt_node_free(t->root);
	for (r = t->reserves; r; r = next) {
		next = r->next;
		dt_labels_free(r->labels);
		free(r);
	}
	srcfiles_free(&t->files);
	arena_free(&t->arena);
	free(t);
}

void dt_tree_discard(struct dt_tree *t, struct diags *d)
{
	if (!t)
		return;
	if (d)
		diags_adopt_files(d, &t->files);
	dt_tree_free(t);
}

struct dt_node *dt_node_new(const char *name, size_t len)
{
	struct dt_node *n = xzalloc(sizeof(*n));

	n->name = xstrndup(name, len);
	n->props_tail = &n->props;
	n->children_tail = &n->children;
	return n;
}

void dt_node_free(struct dt_node *n)
{
	struct dt_node *c, *cnext;
	struct dt_property *p, *pnext;

	for (c = n->children; c; c = cnext) {
		cnext = c->next;
		dt_node_free(c);
	}
	for (p = n->props; p; p = pnext) {
		pnext = p->next;
		dt_prop_free(p);
	}
	dt_labels_free(n->labels);
	if (n->pooled)
		return;
	free(n->name);
	free(n);
}

void dt_node_add_child(struct dt_node *parent, struct dt_node *child)
{
	child->parent = parent;
	child->next = NULL;
	*parent->children_tail = child;
	parent->children_tail = &child->next;
}

void dt_node_unlink(struct dt_node *child)
{
	struct dt_node *parent = child->parent, **pp;

	if (!parent)
		return;
	for (pp = &parent->children; *pp; pp = &(*pp)->next) {
		if (*pp == child) {
			*pp = child->next;
			if (parent->children_tail == &child->next)
				parent->children_tail = pp;
			break;
		}
	}
	child->parent = NULL;
	child->next = NULL;
}

struct dt_property *dt_prop_new(const char *name)
{
	struct dt_property *p = xzalloc(sizeof(*p));

	p->name = xstrdup(name);
	return p;
}

void dt_prop_free(struct dt_property *p)
{
	dt_value_free(&p->val);
	dt_labels_free(p->labels);
	if (p->pooled)
		return;
	free(p->name);
	free(p);
}

void dt_node_add_prop(struct dt_node *n, struct dt_property *p)
{
	p->owner = n;
	p->next = NULL;
	*n->props_tail = p;
	n->props_tail = &p->next;
}

void dt_prop_unlink(struct dt_property *p)
{
	struct dt_node *n = p->owner;
	struct dt_property **pp;

	if (!n)
		return;
	for (pp = &n->props; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			if (n->props_tail == &p->next)
				n->props_tail = pp;
			break;
		}
	}
	p->owner = NULL;
	p->next = NULL;
}

void dt_label_add(struct dt_label **list, const char *name,
		  const struct srcpos *pos)
{
	struct dt_label *l, **tail = list;

	for (l = *list; l; l = l->next) {
		if (strcmp(l->name, name) == 0)
			return;
		tail = &l->next;
	}
	l = xzalloc(sizeof(*l));
	l->name = xstrdup(name);
	if (pos)
		l->pos = *pos;
	*tail = l;
}

void dt_labels_free(struct dt_label *l)
{
	struct dt_label *next;

	for (; l; l = next) {
		next = l->next;
		if (l->pooled)
			continue;
		free(l->name);
		free(l);
	}
}

void dt_value_append(struct dt_value *v, const void *data, size_t len)
{
	if (!len)
		return;
	dt_value_reserve(v, v->len + len);
	memcpy(v->data + v->len, data, len);
	v->len += len;
}

void dt_value_append_cell(struct dt_value *v, uint64_t x, unsigned int bits)
{
	uint8_t b[8];
	unsigned int n = bits / 8, i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(x >> (8 * (n - 1 - i)));
	dt_value_append(v, b, n);
}

struct dt_marker *dt_value_mark(struct dt_value *v, enum dt_marker_kind k,
				size_t offset, const char *ref,
				const struct srcpos *pos)
{
	struct dt_marker *m = xzalloc(sizeof(*m)), **pp;

	m->kind = k;
	m->offset = offset;
	m->ref = ref ? xstrdup(ref) : NULL;
	if (pos)
		m->pos = *pos;
	/* Keep sorted by offset; equal offsets stay in insertion order. */
	for (pp = &v->markers; *pp && (*pp)->offset <= offset; pp = &(*pp)->next)
		;
	m->next = *pp;
	*pp = m;
	return m;
}

void dt_value_free(struct dt_value *v)
{
	struct dt_marker *m, *next;

	for (m = v->markers; m; m = next) {
		next = m->next;
		dt_marker_free(m);
	}
	if (v->cap)
		free(v->data);
	memset(v, 0, sizeof(*v));
}

void dt_value_move(struct dt_value *dst, struct dt_value *src)
{
	dt_value_free(dst);
	*dst = *src;
	memset(src, 0, sizeof(*src));
}

struct dt_node *dt_child_n(const struct dt_node *n, const char *name,
			   size_t len)
{
	struct dt_node *c;

	if (!len) {
		dt_for_each_child(n, c)
			if (!c->name[0])
				return c;
		return NULL;
	}
	dt_for_each_child(n, c)
		if (c->name[0] == name[0] &&
		    strncmp(c->name, name, len) == 0 && c->name[len] == '\0')
			return c;
	return NULL;
}

struct dt_node *dt_child(const struct dt_node *n, const char *name)
{
	return dt_child_n(n, name, strlen(name));
}

struct dt_property *dt_prop(const struct dt_node *n, const char *name)
{
	struct dt_property *p;

	/* the first byte rules out most names without a call */
	dt_for_each_prop(n, p)
		if (p->name[0] == name[0] && strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* dtc's rule: "a" matches "a" exactly, else the first "a@..." child. */
static struct dt_node *child_by_component(const struct dt_node *n,
					  const char *s, size_t len)
{
	struct dt_node *c = dt_child_n(n, s, len);

	if (c || memchr(s, '@', len))
		return c;
	dt_for_each_child(n, c)
		if (strncmp(c->name, s, len) == 0 && c->name[len] == '@')
			return c;
	return NULL;
}

struct dt_node *dt_path(const struct dt_tree *t, const char *path)
{
	struct dt_node *n = t->root;

	if (!n || path[0] != '/')
		return NULL;
	while (n && *path) {
		size_t len;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		len = strcspn(path, "/");
		n = child_by_component(n, path, len);
		path += len;
	}
	return n;
}

static void path_append(struct strbuf *sb, const struct dt_node *n)
{
	if (!n->parent)
		return;
	path_append(sb, n->parent);
	sb_addc(sb, '/');
	sb_adds(sb, n->name);
}

char *dt_node_path(const struct dt_node *n)
{
	struct strbuf sb;

	sb_init(&sb);
	if (!n->parent)
		sb_addc(&sb, '/');
	else
		path_append(&sb, n);
	return sb_detach(&sb, NULL);
}

size_t dt_node_basename_len(const struct dt_node *n)
{
	return strcspn(n->name, "@");
}

const char *dt_node_unit(const struct dt_node *n)
{
	const char *at = strchr(n->name, '@');

	return at ? at + 1 : "";
}

bool dt_prop_u32(const struct dt_property *p, uint32_t *out)
{
	if (!p || p->val.len != 4)
		return false;
	*out = dt_be32(p->val.data);
	return true;
}

bool dt_prop_u64(const struct dt_property *p, uint64_t *out)
{
	if (!p || p->val.len != 8)
		return false;
	*out = (uint64_t)dt_be32(p->val.data) << 32 | dt_be32(p->val.data + 4);
	return true;
}

uint32_t dt_cell(const struct dt_property *p, size_t i)
{
	return dt_be32(p->val.data + 4 * i);
}

size_t dt_prop_ncells(const struct dt_property *p)
{
	return p->val.len / 4;
}

const char *dt_prop_str(const struct dt_property *p)
{
	if (!p || !p->val.len || p->val.data[p->val.len - 1] != '\0' ||
	    memchr(p->val.data, '\0', p->val.len) !=
		    p->val.data + p->val.len - 1)
		return NULL;
	return (const char *)p->val.data;
}
