// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A device tree as data.  A value is cut into segments at its type
 * markers; neighbouring segments of one type merge into a group (so
 * `<1 2>, <3>` is one list of cells and `"a", "b"` one list of strings).
 * One group is the property's type and value; several make a "mixed"
 * value, a list of groups.  References keep their resolved bytes (the
 * phandle cell, the path string) and name their target in "refs".
 */
#include "out/dtdata.h"
#include "dt/dt.h"

#include <stdlib.h>
#include <string.h>

struct group {
	enum dt_marker_kind type; /* a DT_MARK_TYPE_* */
	size_t start, end;	  /* bytes of the value */
};

static bool is_type(enum dt_marker_kind k)
{
	return k <= DT_MARK_TYPE_BYTES;
}

static size_t width_of(enum dt_marker_kind k)
{
	switch (k) {
	case DT_MARK_TYPE_U8:
		return 1;
	case DT_MARK_TYPE_U16:
		return 2;
	case DT_MARK_TYPE_U32:
		return 4;
	case DT_MARK_TYPE_U64:
		return 8;
	default:
		return 0;
	}
}

static void add_group(struct group **g, size_t *n, size_t *cap,
		      enum dt_marker_kind type, size_t start, size_t end)
{
	if (start >= end)
		return;
	if (*n && (*g)[*n - 1].type == type && (*g)[*n - 1].end == start) {
		(*g)[*n - 1].end = end;
		return;
	}
	*g = xgrow(*g, cap, *n + 1, sizeof(**g));
	(*g)[*n].type = type;
	(*g)[*n].start = start;
	(*g)[*n].end = end;
	(*n)++;
}

/* The groups of a non-empty value; the caller frees *out. */
static size_t value_groups(const struct dt_value *v, struct group **out)
{
	const struct dt_marker *m;
	struct group *g = NULL;
	size_t n = 0, cap = 0, at = 0, i;
	enum dt_marker_kind cur = DT_MARK_TYPE_BYTES;
	bool typed = false;

	for (m = v->markers; m; m = m->next) {
		if (!is_type(m->kind) || m->offset > v->len)
			continue;
		/* bytes before the first type marker: untyped, as bytes */
		add_group(&g, &n, &cap, cur, at, m->offset);
		cur = m->kind;
		at = m->offset;
		typed = true;
	}
	if (!typed)
		cur = dt_value_guess(v);
	add_group(&g, &n, &cap, cur, at, v->len);
	/* cells that do not fill their width (hand-made trees): bytes */
	for (i = 0; i < n; i++) {
		size_t w = width_of(g[i].type);

		if (w && (g[i].end - g[i].start) % w)
			g[i].type = DT_MARK_TYPE_BYTES;
	}
	*out = g;
	return n;
}

/* Strings of a group: NUL-terminated pieces (the last may lack it). */
static size_t count_strings(const uint8_t *d, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (!d[i])
			n++;
	return n + (len && d[len - 1] != '\0');
}

static const char *type_name(const struct dt_value *v, const struct group *g)
{
	switch (g->type) {
	case DT_MARK_TYPE_U8:
		return "u8";
	case DT_MARK_TYPE_U16:
		return "u16";
	case DT_MARK_TYPE_U32:
		return "cells";
	case DT_MARK_TYPE_U64:
		return "u64";
	case DT_MARK_TYPE_STRING:
		return count_strings(v->data + g->start, g->end - g->start) == 1
			       ? "string"
			       : "strings";
	default:
		return "bytes";
	}
}

static void emit_strings(struct emitter *e, const uint8_t *d, size_t len,
			 bool one)
{
	size_t i = 0;

	if (!one)
		emit_open_array(e, "value");
	while (i < len) {
		const uint8_t *nul = memchr(d + i, 0, len - i);
		size_t l = nul ? (size_t)(nul - (d + i)) : len - i;
		char *s = xstrndup((const char *)d + i, l);

		emit_string(e, one ? "value" : NULL, NULL, s);
		free(s);
		i += l + 1;
	}
	if (!one)
		emit_close_array(e);
}

static void emit_numbers(struct emitter *e, const uint8_t *d, size_t len,
			 size_t width)
{
	size_t i, k;

	emit_open_array(e, "value");
	for (i = 0; i + width <= len; i += width) {
		uint64_t x = 0;

		for (k = 0; k < width; k++)
			x = x << 8 | d[i + k];
		emit_uint(e, NULL, NULL, x);
	}
	emit_close_array(e);
}

static void emit_bytes(struct emitter *e, const uint8_t *d, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	struct strbuf sb;
	size_t i;

	sb_init(&sb);
	for (i = 0; i < len; i++) {
		sb_addc(&sb, hex[d[i] >> 4]);
		sb_addc(&sb, hex[d[i] & 15]);
	}
	emit_string(e, "value", NULL, sb.buf ? sb.buf : "");
	sb_free(&sb);
}

/* Index of the cell or string at byte off of a group. */
static size_t ref_index(const struct dt_value *v, const struct group *g,
			size_t off)
{
	size_t i, n = 0;

	if (g->type == DT_MARK_TYPE_U32)
		return (off - g->start) / 4;
	for (i = g->start; i < off; i++)
		if (!v->data[i])
			n++;
	return n;
}

static void emit_refs(struct emitter *e, const struct dt_value *v,
		      const struct group *g)
{
	const struct dt_marker *m;
	bool open = false;

	if (g->type != DT_MARK_TYPE_U32 && g->type != DT_MARK_TYPE_STRING)
		return;
	for (m = v->markers; m; m = m->next) {
		if ((m->kind != DT_MARK_REF_PHANDLE &&
		     m->kind != DT_MARK_REF_PATH) ||
		    !m->ref || m->offset < g->start || m->offset >= g->end)
			continue;
		if (!open)
			emit_open_array(e, "refs");
		open = true;
		emit_open_object(e, NULL);
		emit_uint(e, "index", NULL, ref_index(v, g, m->offset));
		emit_string(e, "ref", NULL, m->ref);
		emit_close_object(e);
	}
	if (open)
		emit_close_array(e);
}

/* "type", "value" and "refs" of one group, into the open object. */
static void emit_group(struct emitter *e, const struct dt_value *v,
		       const struct group *g)
{
	const uint8_t *d = v->data + g->start;
	size_t len = g->end - g->start;
	const char *type = type_name(v, g);

	emit_string(e, "type", NULL, type);
	if (g->type == DT_MARK_TYPE_STRING)
		emit_strings(e, d, len, !strcmp(type, "string"));
	else if (width_of(g->type))
		emit_numbers(e, d, len, width_of(g->type));
	else
		emit_bytes(e, d, len);
	emit_refs(e, v, g);
}

static void emit_labels(struct emitter *e, const struct dt_label *l)
{
	emit_open_array(e, "labels");
	for (; l; l = l->next)
		emit_string(e, NULL, NULL, l->name);
	emit_close_array(e);
}

static void emit_prop(struct emitter *e, const struct dt_property *p)
{
	struct group *g;
	size_t n, i;

	emit_open_object(e, NULL);
	emit_string(e, "name", NULL, p->name);
	if (!p->val.len) {
		emit_string(e, "type", NULL, "empty");
		emit_bool(e, "value", NULL, true);
	} else {
		n = value_groups(&p->val, &g);
		if (n == 1) {
			emit_group(e, &p->val, &g[0]);
		} else {
			emit_string(e, "type", NULL, "mixed");
			emit_open_array(e, "value");
			for (i = 0; i < n; i++) {
				emit_open_object(e, NULL);
				emit_group(e, &p->val, &g[i]);
				emit_close_object(e);
			}
			emit_close_array(e);
		}
		free(g);
	}
	emit_labels(e, p->labels);
	emit_close_object(e);
}

/* path holds the node's parent path ("" for the root's parent). */
static void emit_node(struct emitter *e, const char *key,
		      const struct dt_node *n, struct strbuf *path)
{
	const struct dt_property *p;
	const struct dt_node *c;
	size_t keep = path->len;

	if (n->parent && keep > 1)
		sb_addc(path, '/');
	sb_adds(path, n->parent ? n->name : "/");
	emit_open_object(e, key);
	emit_string(e, "name", NULL, n->name);
	emit_string(e, "path", NULL, path->buf);
	emit_labels(e, n->labels);
	emit_open_array(e, "properties");
	dt_for_each_prop(n, p) emit_prop(e, p);
	emit_close_array(e);
	emit_open_array(e, "children");
	dt_for_each_child(n, c) emit_node(e, NULL, c, path);
	emit_close_array(e);
	emit_close_object(e);
	path->len = keep;
	if (path->buf)
		path->buf[keep] = '\0';
}

void dtdata_emit(struct emitter *e, const struct dt_tree *t)
{
	const struct dt_reserve *r;
	struct strbuf path;

	emit_open_object(e, NULL);
	emit_uint(e, "schema_version", NULL, DTDATA_SCHEMA_VERSION);
	emit_open_array(e, "memreserve");
	for (r = t->reserves; r; r = r->next) {
		emit_open_object(e, NULL);
		emit_hex(e, "address", NULL, r->address);
		emit_hex(e, "size", NULL, r->size);
		emit_labels(e, r->labels);
		emit_close_object(e);
	}
	emit_close_array(e);
	emit_uint(e, "boot_cpuid", NULL, t->boot_cpuid);
	if (t->root) {
		sb_init(&path);
		emit_node(e, "root", t->root, &path);
		sb_free(&path);
	} else {
		emit_null(e, "root", NULL);
	}
	emit_close_object(e);
}
