// SPDX-License-Identifier: GPL-2.0-or-later
#include "dt/tree.h"

#include <stdlib.h>
#include <string.h>

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
		free(l->name);
		free(l);
	}
}

void dt_value_append(struct dt_value *v, const void *data, size_t len)
{
	if (!len)
		return;
	v->data = xgrow(v->data, &v->cap, v->len + len, 1);
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
		free(m->ref);
		free(m);
	}
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

	dt_for_each_child(n, c)
		if (strncmp(c->name, name, len) == 0 && c->name[len] == '\0')
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

	dt_for_each_prop(n, p)
		if (strcmp(p->name, name) == 0)
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
