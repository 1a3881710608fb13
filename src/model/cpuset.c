// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CPU sets: a bitmap of 64-bit words that grows on demand.  Words past
 * nwords are implicitly zero, so two sets of different lengths compare and
 * combine as if the shorter one were padded with zeros.
 */
#include "model/cpuset.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORD_BITS 64u
#define MAX_WORDS (CPUSET_MAX / WORD_BITS)

static inline uint32_t word_of(uint32_t cpu)
{
	return cpu / WORD_BITS;
}

static inline uint64_t bit_of(uint32_t cpu)
{
	return UINT64_C(1) << (cpu % WORD_BITS);
}

/* Make room for at least n words; new words are zero. */
static void cpuset_grow(struct cpuset *s, uint32_t n)
{
	if (n <= s->nwords)
		return;
	s->w = xrealloc(s->w, (size_t)n * sizeof(*s->w));
	memset(s->w + s->nwords, 0, (size_t)(n - s->nwords) * sizeof(*s->w));
	s->nwords = n;
}

void cpuset_init(struct cpuset *s)
{
	s->w = NULL;
	s->nwords = 0;
}

void cpuset_free(struct cpuset *s)
{
	free(s->w);
	cpuset_init(s);
}

void cpuset_clear(struct cpuset *s)
{
	if (s->nwords)
		memset(s->w, 0, (size_t)s->nwords * sizeof(*s->w));
}

void cpuset_copy(struct cpuset *dst, const struct cpuset *src)
{
	if (dst == src)
		return;
	cpuset_grow(dst, src->nwords);
	if (src->nwords)
		memcpy(dst->w, src->w, (size_t)src->nwords * sizeof(*dst->w));
	if (dst->nwords > src->nwords)
		memset(dst->w + src->nwords, 0,
		       (size_t)(dst->nwords - src->nwords) * sizeof(*dst->w));
}

void cpuset_add(struct cpuset *s, uint32_t cpu)
{
	if (cpu >= CPUSET_MAX)
		return;
	cpuset_grow(s, word_of(cpu) + 1);
	s->w[word_of(cpu)] |= bit_of(cpu);
}

void cpuset_add_range(struct cpuset *s, uint32_t first, uint32_t last)
{
	uint32_t wf, wl, i;
	uint64_t mf, ml;

	if (first >= CPUSET_MAX || first > last)
		return;
	if (last >= CPUSET_MAX)
		last = CPUSET_MAX - 1;
	wf = word_of(first);
	wl = word_of(last);
	cpuset_grow(s, wl + 1);
	mf = ~UINT64_C(0) << (first % WORD_BITS);
	ml = ~UINT64_C(0) >> (WORD_BITS - 1 - last % WORD_BITS);
	if (wf == wl) {
		s->w[wf] |= mf & ml;
		return;
	}
	s->w[wf] |= mf;
	for (i = wf + 1; i < wl; i++)
		s->w[i] = ~UINT64_C(0);
	s->w[wl] |= ml;
}

void cpuset_del(struct cpuset *s, uint32_t cpu)
{
	if (word_of(cpu) < s->nwords)
		s->w[word_of(cpu)] &= ~bit_of(cpu);
}

/* SWAR: no libgcc call, no -mpopcnt (the binary must run anywhere). */
static inline uint32_t popcount64(uint64_t x)
{
	x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
	x = (x & UINT64_C(0x3333333333333333)) +
	    ((x >> 2) & UINT64_C(0x3333333333333333));
	x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
	return (uint32_t)((x * UINT64_C(0x0101010101010101)) >> 56);
}

uint32_t cpuset_count(const struct cpuset *s)
{
	uint32_t i, n = 0;

	for (i = 0; i < s->nwords; i++)
		if (s->w[i])
			n += popcount64(s->w[i]);
	return n;
}

bool cpuset_empty(const struct cpuset *s)
{
	uint32_t i;

	for (i = 0; i < s->nwords; i++)
		if (s->w[i])
			return false;
	return true;
}

/* Lowest non-member >= from (possibly past the last word). */
static uint32_t cpuset_next_clear(const struct cpuset *s, uint32_t from)
{
	uint32_t i = word_of(from);
	uint64_t w;

	if (i >= s->nwords)
		return from;
	w = ~s->w[i] & (~UINT64_C(0) << (from % WORD_BITS));
	for (;;) {
		if (w)
			return i * WORD_BITS + (uint32_t)__builtin_ctzll(w);
		if (++i >= s->nwords)
			return i * WORD_BITS;
		w = ~s->w[i];
	}
}

void cpuset_or(struct cpuset *dst, const struct cpuset *a)
{
	uint32_t i;

	cpuset_grow(dst, a->nwords);
	for (i = 0; i < a->nwords; i++)
		dst->w[i] |= a->w[i];
}

void cpuset_and(struct cpuset *dst, const struct cpuset *a)
{
	uint32_t i;

	for (i = 0; i < dst->nwords; i++)
		dst->w[i] &= i < a->nwords ? a->w[i] : 0;
}

void cpuset_andnot(struct cpuset *dst, const struct cpuset *a)
{
	uint32_t i, n = dst->nwords < a->nwords ? dst->nwords : a->nwords;

	for (i = 0; i < n; i++)
		dst->w[i] &= ~a->w[i];
}

bool cpuset_intersects(const struct cpuset *a, const struct cpuset *b)
{
	uint32_t i, n = a->nwords < b->nwords ? a->nwords : b->nwords;

	for (i = 0; i < n; i++)
		if (a->w[i] & b->w[i])
			return true;
	return false;
}

bool cpuset_subset(const struct cpuset *a, const struct cpuset *of)
{
	uint32_t i;

	for (i = 0; i < a->nwords; i++)
		if (a->w[i] & ~(i < of->nwords ? of->w[i] : 0))
			return false;
	return true;
}

int64_t cpuset_last(const struct cpuset *s)
{
	uint32_t i;

	for (i = s->nwords; i-- > 0;)
		if (s->w[i])
			return (int64_t)i * 64 + 63 - __builtin_clzll(s->w[i]);
	return -1;
}

bool cpuset_equal(const struct cpuset *a, const struct cpuset *b)
{
	return cpuset_subset(a, b) && cpuset_subset(b, a);
}

void cpuset_format_sb(struct strbuf *sb, const struct cpuset *s)
{
	int64_t first = cpuset_next(s, 0);
	bool comma = false;

	while (first >= 0) {
		uint32_t last = cpuset_next_clear(s, (uint32_t)first) - 1;

		if (comma)
			sb_addc(sb, ',');
		if (last == (uint32_t)first)
			sb_addf(sb, "%u", last);
		else
			sb_addf(sb, "%u-%u", (uint32_t)first, last);
		comma = true;
		first = cpuset_next(s, last + 1);
	}
}

char *cpuset_format(const struct cpuset *s)
{
	struct strbuf sb;

	sb_init(&sb);
	cpuset_format_sb(&sb, s);
	return sb_detach(&sb, NULL);
}

/*
 * The list parser.  Grammar (Linux's bitmap_parselist without "N" and
 * "all", which only mean something for a bitmap of known size):
 *
 *	list   := "" | item ("," item)*
 *	item   := blank* num ["-" num] [":" num "/" num] blank*
 *
 * where "a-b:u/g" takes the first u CPUs of every group of g, starting at a.
 * kerf is stricter than the kernel: no empty items, no descending ranges,
 * no CPU given twice (the kernel silently merges all three).
 */
struct parser {
	const char *str;
	const char *p;
	struct cpuset_error *err;
};

PRINTF(3, 4)
static int perr(struct parser *ps, const char *at, const char *fmt, ...)
{
	va_list ap;

	if (!ps->err)
		return -EINVAL;
	ps->err->offset = (size_t)(at - ps->str);
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Complain about the character at ps->p, naming it. */
static int unexpected(struct parser *ps, const char *hint)
{
	unsigned char c = (unsigned char)*ps->p;
	size_t pos = (size_t)(ps->p - ps->str);

	if (!c)
		return perr(ps, ps->p,
			    "unexpected end of list at position %zu%s", pos,
			    hint);
	if (isprint(c) && c != '\'')
		return perr(ps, ps->p,
			    "unexpected character '%c' at position %zu%s", c,
			    pos, hint);
	return perr(ps, ps->p,
		    "unexpected character '\\x%02x' at position %zu%s", c, pos,
		    hint);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * A decimal number below limit.  what names it in messages ("CPU",
 * "used count"...).
 */
static int parse_num(struct parser *ps, uint32_t limit, const char *what,
		     uint32_t *out)
{
	const char *start = ps->p;
	uint64_t v = 0;

	if (*ps->p == '-' || *ps->p == '+')
		return unexpected(ps, " (numbers have no sign)");
	if (!isdigit((unsigned char)*ps->p))
		return unexpected(ps, "");
	while (isdigit((unsigned char)*ps->p)) {
		/* Saturate: only "too large" matters past the limit. */
		if (v <= limit)
			v = v * 10 + (uint64_t)(*ps->p - '0');
		ps->p++;
	}
	if (v >= limit) {
		int len = (int)(ps->p - start);

		if (len > 24)
			return perr(ps, start,
				    "%s %.24s... is out of range (maximum %u)",
				    what, start, limit - 1);
		return perr(ps, start, "%s %.*s is out of range (maximum %u)",
			    what, len, start, limit - 1);
	}
	*out = (uint32_t)v;
	return 0;
}

static int parse_item(struct parser *ps, struct cpuset *item)
{
	const char *start = ps->p;
	uint32_t first, last, used, group, g;
	int ret;

	ret = parse_num(ps, CPUSET_MAX, "CPU", &first);
	if (ret)
		return ret;
	last = first;
	if (*ps->p == '-') {
		ps->p++;
		ret = parse_num(ps, CPUSET_MAX, "CPU", &last);
		if (ret)
			return ret;
		if (last < first)
			return perr(ps, start, "range %u-%u is descending",
				    first, last);
	}
	if (*ps->p != ':') {
		cpuset_add_range(item, first, last);
		return 0;
	}

	ps->p++;
	start = ps->p;
	ret = parse_num(ps, CPUSET_MAX + 1, "used count", &used);
	if (ret)
		return ret;
	if (*ps->p != '/')
		return unexpected(ps, " (expected '/' in region 'used/group')");
	ps->p++;
	ret = parse_num(ps, CPUSET_MAX + 1, "group size", &group);
	if (ret)
		return ret;
	if (group == 0)
		return perr(ps, start, "region %u/%u has a group size of 0",
			    used, group);
	if (used > group)
		return perr(ps, start,
			    "region %u/%u uses more CPUs than its group size",
			    used, group);
	if (used == 0)
		return 0;
	/* Operands are < 2^17, so none of this can overflow. */
	for (g = first; g <= last; g += group) {
		uint32_t end = g + (used - 1);

		cpuset_add_range(item, g, end < last ? end : last);
	}
	return 0;
}

int cpuset_parse(struct cpuset *s, const char *str, struct cpuset_error *err)
{
	struct parser ps = {.str = str, .p = str, .err = err};
	struct cpuset item;
	const char *start;
	int ret = 0;

	cpuset_clear(s);
	if (err) {
		err->offset = 0;
		err->msg[0] = '\0';
	}
	if (!*str)
		return 0;

	cpuset_init(&item);
	for (;;) {
		while (is_blank(*ps.p))
			ps.p++;
		start = ps.p;
		if (*ps.p == ',' || *ps.p == '\0') {
			ret = perr(&ps, ps.p, "empty item at position %zu",
				   (size_t)(ps.p - str));
			break;
		}
		cpuset_clear(&item);
		ret = parse_item(&ps, &item);
		if (ret)
			break;
		while (is_blank(*ps.p))
			ps.p++;
		if (*ps.p != ',' && *ps.p != '\0') {
			ret = unexpected(&ps, "");
			break;
		}
		if (cpuset_intersects(s, &item)) {
			cpuset_and(&item, s);
			ret = perr(&ps, start, "CPU %u listed twice",
				   (uint32_t)cpuset_next(&item, 0));
			break;
		}
		cpuset_or(s, &item);
		if (!*ps.p)
			break;
		ps.p++;
	}
	cpuset_free(&item);
	if (ret)
		cpuset_clear(s);
	return ret;
}
