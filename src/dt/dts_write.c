// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DTS out, in dtc's layout: a blank line before each node, tabs, cells as
 * 0x%02x, strings with C escapes.  Values are printed by their type markers
 * (dtb_read() sets one guessed the way dtc guesses, so a blob prints as
 * `dtc -I dtb -O dts` prints it; a parsed tree keeps its own types, labels
 * and references, as `dtc -I dts -O dts` does).
 */
#include "dt/dt.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum wtype { W_NONE, W_U8, W_U16, W_U32, W_U64, W_STRING };

static const char *const delim_start[] = {
	[W_U8] = "[", [W_U16] = "/bits/ 16 <", [W_U32] = "<",
	[W_U64] = "/bits/ 64 <", [W_STRING] = "",
};

static const char *const delim_end[] = {
	[W_U8] = "]", [W_U16] = ">", [W_U32] = ">", [W_U64] = ">",
	[W_STRING] = "",
};

/* One printable event of a value: a type change, a label or a reference. */
struct wmark {
	size_t offset;
	enum wtype type;	/* W_NONE: not a type marker */
	bool label, phandle;
	const char *ref;
};

static enum wtype wtype_of(enum dt_marker_kind k)
{
	switch (k) {
	case DT_MARK_TYPE_U8:
	case DT_MARK_TYPE_BYTES:
		return W_U8;
	case DT_MARK_TYPE_U16:
		return W_U16;
	case DT_MARK_TYPE_U32:
		return W_U32;
	case DT_MARK_TYPE_U64:
		return W_U64;
	case DT_MARK_TYPE_STRING:
		return W_STRING;
	default:
		return W_NONE;
	}
}

static bool is_strchar(uint8_t c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\0' ||
	       (c && strchr("\a\b\t\n\v\f\r", c));
}

/* dtc's guess_value_type() over a whole value. */
static enum wtype guess(const uint8_t *v, size_t len)
{
	size_t i, nnul = 0;

	for (i = 0; i < len; i++) {
		if (!is_strchar(v[i]))
			break;
		if (!v[i])
			nnul++;
	}
	if (i == len && !v[len - 1] && nnul <= len - nnul)
		return W_STRING;
	return len % 4 == 0 ? W_U32 : W_U8;
}

enum dt_marker_kind dt_value_guess(const struct dt_value *v)
{
	const struct dt_marker *m;

	if (v->len % 4 == 0)
		for (m = v->markers; m; m = m->next)
			if (m->kind == DT_MARK_REF_PHANDLE &&
			    m->offset <= v->len)
				return DT_MARK_TYPE_U32;
	if (!v->len)
		return DT_MARK_TYPE_BYTES;
	switch (guess(v->data, v->len)) {
	case W_STRING:
		return DT_MARK_TYPE_STRING;
	case W_U32:
		return DT_MARK_TYPE_U32;
	default:
		return DT_MARK_TYPE_BYTES;
	}
}

static void put_string(FILE *f, const uint8_t *s, size_t len)
{
	size_t i, end = len && !s[len - 1] ? len - 1 : len;

	fputc('"', f);
	for (i = 0; i < end; i++) {
		uint8_t c = s[i];

		switch (c) {
		case '\a': fputs("\\a", f); break;
		case '\b': fputs("\\b", f); break;
		case '\t': fputs("\\t", f); break;
		case '\n': fputs("\\n", f); break;
		case '\v': fputs("\\v", f); break;
		case '\f': fputs("\\f", f); break;
		case '\r': fputs("\\r", f); break;
		case '\\': fputs("\\\\", f); break;
		case '"': fputs("\\\"", f); break;
		case '\0': fputs("\\0", f); break;
		default:
			if (c >= 0x20 && c < 0x7f)
				fputc(c, f);
			else
				fprintf(f, "\\x%02x", c);
		}
	}
	fputc('"', f);
}

static void put_ints(FILE *f, const uint8_t *p, size_t len, size_t width)
{
	size_t i, k;
	uint64_t x;

	for (i = 0; i + width <= len; i += width) {
		for (x = 0, k = 0; k < width; k++)
			x = x << 8 | p[i + k];
		if (width == 1)
			fprintf(f, "%02" PRIx64, x);
		else
			fprintf(f, "0x%02" PRIx64, x);
		if (i + 2 * width <= len)
			fputc(' ', f);
	}
	/* A tail shorter than the width (only in hand-made trees). */
	for (; i < len; i++)
		fprintf(f, " %02x", p[i]);
}

static size_t collect(const struct dt_property *p, struct wmark **out)
{
	const struct dt_marker *m;
	struct wmark *w = NULL;
	size_t n = 0, cap = 0;
	bool typed = false;

	for (m = p->val.markers; m; m = m->next)
		if (m->offset <= p->val.len)
			typed |= wtype_of(m->kind) != W_NONE;
	if (!typed) {
		/* No type information: one guess for the whole value. */
		w = xgrow(w, &cap, 1, sizeof(*w));
		memset(w, 0, sizeof(*w));
		w->type = wtype_of(dt_value_guess(&p->val));
		n = 1;
	}
	for (m = p->val.markers; m; m = m->next) {
		struct wmark x = { .offset = m->offset };

		if (m->offset > p->val.len)
			continue;
		x.type = wtype_of(m->kind);
		if (m->kind == DT_MARK_LABEL && m->ref) {
			x.label = true;
			x.ref = m->ref;
		} else if (m->kind == DT_MARK_REF_PHANDLE && m->ref) {
			x.phandle = true;
			x.ref = m->ref;
		} else if (x.type == W_NONE) {
			continue;
		}
		/* At one offset the type comes first (dtc's invariant). */
		if (x.type != W_NONE && n && w[n - 1].offset == x.offset &&
		    w[n - 1].type == W_NONE) {
			size_t j = n;

			while (j && w[j - 1].offset == x.offset &&
			       w[j - 1].type == W_NONE)
				j--;
			w = xgrow(w, &cap, n + 1, sizeof(*w));
			memmove(w + j + 1, w + j, (n - j) * sizeof(*w));
			w[j] = x;
			n++;
			continue;
		}
		w = xgrow(w, &cap, n + 1, sizeof(*w));
		w[n++] = x;
	}
	*out = w;
	return n;
}

static void write_value(FILE *f, const struct dt_property *p)
{
	const uint8_t *v = p->val.data;
	size_t len = p->val.len, n, i, j, chunk, data, next_type;
	enum wtype emit = W_NONE;
	struct wmark *w;

	if (!len) {
		fputs(";\n", f);
		return;
	}
	fputs(" =", f);
	n = collect(p, &w);
	for (i = 0; i < n; i++) {
		chunk = (i + 1 < n ? w[i + 1].offset : len) - w[i].offset;
		for (j = i + 1; j < n && w[j].type == W_NONE; j++)
			;
		next_type = j < n ? w[j].offset : len;
		data = next_type - w[i].offset;
		if (!data)
			data = len - w[i].offset;
		if (w[i].type != W_NONE) {
			emit = w[i].type;
			fprintf(f, " %s", delim_start[emit]);
		} else if (w[i].label) {
			fprintf(f, " %s:", w[i].ref);
		}
		if (emit == W_NONE || !chunk)
			continue;
		switch (emit) {
		case W_U16:
			put_ints(f, v + w[i].offset, chunk, 2);
			break;
		case W_U32:
			for (j = 0; j < n; j++)
				if (w[j].phandle && w[j].offset == w[i].offset)
					break;
			if (j < n && chunk >= 4) {
				fprintf(f, w[j].ref[0] == '/' ? "&{%s}" : "&%s",
					w[j].ref);
				if (chunk > 4) {
					fputc(' ', f);
					put_ints(f, v + w[i].offset + 4,
						 chunk - 4, 4);
				}
			} else {
				put_ints(f, v + w[i].offset, chunk, 4);
			}
			if (data > chunk)
				fputc(' ', f);
			break;
		case W_U64:
			put_ints(f, v + w[i].offset, chunk, 8);
			break;
		case W_STRING:
			put_string(f, v + w[i].offset, chunk);
			break;
		default:
			put_ints(f, v + w[i].offset, chunk, 1);
		}
		if (chunk == data) {
			fprintf(f, w[i].offset + chunk == len ? "%s" : "%s,",
				delim_end[emit]);
			emit = W_NONE;
		}
	}
	free(w);
	fputs(";\n", f);
}

static void indent(FILE *f, int level)
{
	while (level-- > 0)
		fputc('\t', f);
}

/*
 * dtc drops a "name" property equal to the node's base name (its
 * name_properties check runs on blobs too); resolve.c drops it from
 * parsed trees, this catches trees read from a blob.
 */
static const struct dt_property *redundant_name(const struct dt_node *n)
{
	const struct dt_property *p = dt_prop(n, "name");
	size_t base = dt_node_basename_len(n);

	if (p && dt_prop_str(p) && p->val.len == base + 1 &&
	    memcmp(p->val.data, n->name, base) == 0)
		return p;
	return NULL;
}

static void write_node(FILE *f, const struct dt_node *n, int level)
{
	const struct dt_property *p;
	const struct dt_node *c;
	const struct dt_label *l;

	indent(f, level);
	for (l = n->labels; l; l = l->next)
		fprintf(f, "%s: ", l->name);
	fprintf(f, "%s {\n", n->name[0] ? n->name : "/");
	dt_for_each_prop(n, p) {
		if (p == redundant_name(n))
			continue;
		indent(f, level + 1);
		for (l = p->labels; l; l = l->next)
			fprintf(f, "%s: ", l->name);
		fputs(p->name, f);
		write_value(f, p);
	}
	dt_for_each_child(n, c) {
		fputc('\n', f);
		write_node(f, c, level + 1);
	}
	indent(f, level);
	fputs("};\n", f);
}

void dts_write(FILE *out, const struct dt_tree *t)
{
	const struct dt_reserve *r;
	const struct dt_label *l;

	fputs("/dts-v1/;\n", out);
	if (t->header & DT_HDR_PLUGIN)
		fputs("/plugin/;\n", out);
	fputc('\n', out);
	for (r = t->reserves; r; r = r->next) {
		for (l = r->labels; l; l = l->next)
			fprintf(out, "%s: ", l->name);
		fprintf(out, "/memreserve/\t0x%016" PRIx64 " 0x%016" PRIx64
			";\n", r->address, r->size);
	}
	if (t->root)
		write_node(out, t->root, 0);
}
