// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/decode_util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

static bool string_error_slow(struct decoder *d, const struct dt_property *p,
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

/* Report a string value; the quick test of is_string() inline, as most
 * values fail it. */
static inline bool string_error(struct decoder *d, const struct dt_property *p,
				const char *subject, const char *want)
{
	const uint8_t *b = p->val.data;
	size_t n = p->val.len;

	if (n < 2 || b[n - 1] || !b[0])
		return false;
	return string_error_slow(d, p, subject, want);
}

void props_find(const struct dt_node *n, const char *const *names, size_t k,
		const struct dt_property **out)
{
	const struct dt_property *p;
	size_t i, j, next = 0, left = k;

	for (i = 0; i < k; i++)
		out[i] = NULL;
	if (!n)
		return;
	dt_for_each_prop(n, p)
	{
		/* properties tend to come in the order of names: try the
		 * name after the last one found first */
		for (j = 0, i = next; j < k; j++, i = i + 1 < k ? i + 1 : 0) {
			if (out[i] || p->name[0] != names[i][0] ||
			    strcmp(p->name, names[i]))
				continue;
			out[i] = p;
			if (!--left)
				return;
			next = i + 1 < k ? i + 1 : 0;
			break;
		}
	}
}

static const struct dt_property *prop_of(const struct dt_node *n,
					 const char *name)
{
	return n ? dt_prop(n, name) : NULL;
}

bool rd_u32(struct decoder *d, const struct dt_node *n, const char *name,
	    bool required, const char *check, const char *subject,
	    uint32_t *out, struct mk_pos *at)
{
	return rd_u32_p(d, n, prop_of(n, name), name, required, check, subject,
			out, at);
}

bool rd_u32_p(struct decoder *d, const struct dt_node *n,
	      const struct dt_property *p, const char *name, bool required,
	      const char *check, const char *subject, uint32_t *out,
	      struct mk_pos *at)
{
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
	return rd_u64_p(d, n, prop_of(n, name), name, required, check, subject,
			out, at);
}

bool rd_u64_p(struct decoder *d, const struct dt_node *n,
	      const struct dt_property *p, const char *name, bool required,
	      const char *check, const char *subject, uint64_t *out,
	      struct mk_pos *at)
{
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
	return rd_set_p(d, n, prop_of(n, name), name, required, check, subject,
			out, dup, at);
}

bool rd_set_p(struct decoder *d, const struct dt_node *n,
	      const struct dt_property *p, const char *name, bool required,
	      const char *check, const char *subject, struct cpuset *out,
	      struct cpuset *dup, struct mk_pos *at)
{
	const uint8_t *cell;
	size_t nc, good;

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
	/* the values before the first one out of range are added even then */
	nc = p->val.len / 4;
	cell = p->val.data;
	good = cpuset_add_be32(out, dup, cell, nc);
	if (good < nc) {
		char *w = where(n, name);

		schema_error(d, check, subject, &p->pos,
			     "%s: value %u is out of range (at most %u)", w,
			     dt_be32(cell + 4 * good), CPUSET_MAX - 1);
		free(w);
		return false;
	}
	return true;
}

bool rd_u32s(struct decoder *d, const struct dt_node *n, const char *name,
	     const char *check, const char *subject, uint32_t **out,
	     size_t *count, struct mk_pos *at)
{
	return rd_u32s_p(d, n, prop_of(n, name), check, subject, out, count,
			 at);
}

bool rd_u32s_p(struct decoder *d, const struct dt_node *n,
	       const struct dt_property *p, const char *check,
	       const char *subject, uint32_t **out, size_t *count,
	       struct mk_pos *at)
{
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
	return rd_str_p(d, n, prop_of(n, name), name, required, check, subject,
			out, at);
}

bool rd_str_p(struct decoder *d, const struct dt_node *n,
	      const struct dt_property *p, const char *name, bool required,
	      const char *check, const char *subject, char **out,
	      struct mk_pos *at)
{
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
