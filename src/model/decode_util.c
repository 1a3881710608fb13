// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/decode_util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void mk_pos_of(struct mk_pos *at, const struct dt_node *n,
	       const struct dt_property *p)
{
	if (!at)
		return;
	if (p) {
		at->pos = p->pos;
		at->prop = p->name;
	} else {
		at->pos = n ? n->pos : (struct srcpos){0};
		at->prop = NULL;
	}
}

void schema_error(struct decoder *d, const char *check, const char *subject,
		  const struct srcpos *pos, const char *fmt, ...)
{
	struct finding *x;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	x = finding_add(d->f, check, SEV_ERROR, subject, "%s", msg);
	finding_loc(x, pos);
	free(msg);
}

static char *where(const struct dt_node *n, const char *name)
{
	char *path = dt_node_path(n), *s;

	s = xasprintf("%s%s%s", path, strcmp(path, "/") ? "/" : "", name);
	free(path);
	return s;
}

static void missing(struct decoder *d, const struct dt_node *n,
		    const char *name, const char *check, const char *subject)
{
	char *w = where(n, name);

	schema_error(d, check, subject, &n->pos, "missing required property %s",
		     w);
	free(w);
}

static void bad_len(struct decoder *d, const struct dt_property *p,
		    const char *check, const char *subject, const char *want)
{
	char *w = where(p->owner, p->name);

	schema_error(d, check, subject, &p->pos,
		     "%s must be %s (it is %zu bytes long)", w, want,
		     p->val.len);
	free(w);
}

/* A string ("6-7", "one") where numbers are expected. */
static bool is_string(const struct dt_property *p)
{
	const unsigned char *b = (const unsigned char *)p->val.data;
	size_t i, n = p->val.len;

	if (n < 2 || b[n - 1] || !b[0])
		return false;
	if (p->val_pos.file && p->val_pos.file->text) {
		/* from source: trust the spelling, not the bytes */
		size_t len;
		const char *l = srcfile_line(p->val_pos.file, p->val_pos.line,
					     &len);

		return l && p->val_pos.col >= 1 && p->val_pos.col <= len &&
		       l[p->val_pos.col - 1] == '"';
	}
	for (i = 0; i + 1 < n; i++)
		if (b[i] ? b[i] < 0x20 || b[i] > 0x7e : !b[i + 1])
			return false;
	return true;
}

static bool string_error(struct decoder *d, const struct dt_property *p,
			 const char *subject, const char *want)
{
	char *w;

	if (!is_string(p))
		return false;
	w = where(p->owner, p->name);
	schema_error(d, "schema", subject, &p->pos,
		     "%s must be %s, not the string \"%s\"", w, want,
		     (const char *)p->val.data);
	free(w);
	return true;
}

bool rd_u32(struct decoder *d, const struct dt_node *n, const char *name,
	    bool required, const char *check, const char *subject,
	    uint32_t *out, struct mk_pos *at)
{
	const struct dt_property *p = n ? dt_prop(n, name) : NULL;

	if (!p) {
		if (required && n)
			missing(d, n, name, check, subject);
		return false;
	}
	mk_pos_of(at, n, p);
	if (string_error(d, p, subject, "one 32-bit cell"))
		return false;
	if (!dt_prop_u32(p, out)) {
		bad_len(d, p, check, subject, "one 32-bit cell");
		return false;
	}
	return true;
}

bool rd_u64(struct decoder *d, const struct dt_node *n, const char *name,
	    bool required, const char *check, const char *subject,
	    uint64_t *out, struct mk_pos *at)
{
	const struct dt_property *p = n ? dt_prop(n, name) : NULL;

	if (!p) {
		if (required && n)
			missing(d, n, name, check, subject);
		return false;
	}
	mk_pos_of(at, n, p);
	if (string_error(d, p, subject, "a 64-bit value (<hi lo>)"))
		return false;
	if (p->val.len == 4) {
		*out = dt_be32(p->val.data);
		return true;
	}
	if (dt_prop_u64(p, out))
		return true;
	bad_len(d, p, check, subject, "a 64-bit value (<hi lo> or /bits/ 64)");
	return false;
}

bool rd_set(struct decoder *d, const struct dt_node *n, const char *name,
	    bool required, const char *check, const char *subject,
	    struct cpuset *out, struct cpuset *dup, struct mk_pos *at)
{
	const struct dt_property *p = n ? dt_prop(n, name) : NULL;
	size_t i, nc;

	if (!p) {
		if (required && n)
			missing(d, n, name, check, subject);
		return false;
	}
	mk_pos_of(at, n, p);
	if (string_error(d, p, subject, "a list of 32-bit cells (<4 5 6>)"))
		return false;
	if (p->val.len % 4) {
		bad_len(d, p, check, subject, "a list of 32-bit cells");
		return false;
	}
	nc = dt_prop_ncells(p);
	for (i = 0; i < nc; i++) {
		uint32_t v = dt_cell(p, i);

		if (v >= CPUSET_MAX) {
			char *w = where(n, name);

			schema_error(
				d, check, subject, &p->pos,
				"%s: value %u is out of range (at most %u)", w,
				v, CPUSET_MAX - 1);
			free(w);
			return false;
		}
		if (dup && cpuset_has(out, v))
			cpuset_add(dup, v);
		cpuset_add(out, v);
	}
	return true;
}

bool rd_u32s(struct decoder *d, const struct dt_node *n, const char *name,
	     const char *check, const char *subject, uint32_t **out,
	     size_t *count, struct mk_pos *at)
{
	const struct dt_property *p = n ? dt_prop(n, name) : NULL;
	size_t i;

	if (!p)
		return false;
	mk_pos_of(at, n, p);
	if (string_error(d, p, subject, "a list of 32-bit cells"))
		return false;
	if (p->val.len % 4) {
		bad_len(d, p, check, subject, "a list of 32-bit cells");
		return false;
	}
	*count = dt_prop_ncells(p);
	*out = xmalloc((*count + 1) * sizeof(**out));
	for (i = 0; i < *count; i++)
		(*out)[i] = dt_cell(p, i);
	return true;
}

bool rd_u64s(struct decoder *d, const struct dt_node *n, const char *name,
	     const char *check, const char *subject, uint64_t **out,
	     size_t *count, struct mk_pos *at)
{
	const struct dt_property *p = n ? dt_prop(n, name) : NULL;
	size_t i;

	if (!p)
		return false;
	mk_pos_of(at, n, p);
	if (p->val.len % 8) {
		bad_len(d, p, check, subject,
			"a list of 64-bit cells (/bits/ 64 <...>)");
		return false;
	}
	*count = p->val.len / 8;
	*out = xmalloc((*count + 1) * sizeof(**out));
	for (i = 0; i < *count; i++)
		(*out)[i] = (uint64_t)dt_cell(p, 2 * i) << 32 |
			    dt_cell(p, 2 * i + 1);
	return true;
}

bool rd_str(struct decoder *d, const struct dt_node *n, const char *name,
	    bool required, const char *check, const char *subject, char **out,
	    struct mk_pos *at)
{
	const struct dt_property *p = n ? dt_prop(n, name) : NULL;
	const char *s;

	if (!p) {
		if (required && n)
			missing(d, n, name, check, subject);
		return false;
	}
	mk_pos_of(at, n, p);
	s = dt_prop_str(p);
	if (!s) {
		bad_len(d, p, check, subject, "one string");
		return false;
	}
	*out = xstrdup(s);
	return true;
}
