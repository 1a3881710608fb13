// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CPU sets: a window of 64-bit words that grows on demand, downwards as
 * well as upwards.  Words outside the window are implicitly zero, so two
 * sets with different windows compare and combine as if both were padded
 * with zeros.
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

static inline uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static inline uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* The words of the window, for writing. */
static inline uint64_t *words(struct cpuset *s)
{
	return s->cap ? s->w : &s->one;
}

/*
 * Widen the window to hold words first..last (first <= last < MAX_WORDS);
 * new words are zero.  Growing upwards doubles the allocation, so a list
 * read in ascending order reallocates a logarithmic number of times.
 */
static void cpuset_grow(struct cpuset *s, uint32_t first, uint32_t last)
{
	uint32_t lo, hi, n, shift;
	uint64_t *w;

	if (!s->nwords) {
		lo = first;
		hi = last;
	} else {
		lo = min_u32(first, s->lo);
		hi = max_u32(last, s->lo + s->nwords - 1);
		if (lo == s->lo && hi < s->lo + s->nwords)
			return;
	}
	n = hi - lo + 1;
	shift = s->nwords ? s->lo - lo : 0;
	if (n > (s->cap ? s->cap : 1)) {
		uint32_t cap = s->nwords && lo == s->lo ? 2 * s->cap : 0;

		cap = min_u32(max_u32(cap, n), MAX_WORDS);
		if (s->cap) {
			s->w = xrealloc(s->w, (size_t)cap * sizeof(*s->w));
		} else {
			s->w = xmalloc((size_t)cap * sizeof(*s->w));
			s->w[0] = s->one;
		}
		s->cap = cap;
	}
	w = words(s);
	if (shift) {
		memmove(w + shift, w, (size_t)s->nwords * sizeof(*w));
		memset(w, 0, (size_t)shift * sizeof(*w));
	}
	if (n == shift + s->nwords + 1) /* the usual one word */
		w[n - 1] = 0;
	else if (n > shift + s->nwords)
		memset(w + shift + s->nwords, 0,
		       (size_t)(n - shift - s->nwords) * sizeof(*w));
	s->lo = lo;
	s->nwords = n;
}

void cpuset_init(struct cpuset *s)
{
	memset(s, 0, sizeof(*s));
}

void cpuset_free(struct cpuset *s)
{
	if (s->cap)
		free(s->w);
	cpuset_init(s);
}

/* Empty the set, keeping the allocation for the next members. */
void cpuset_clear(struct cpuset *s)
{
	s->lo = 0;
	s->nwords = 0;
}

void cpuset_copy(struct cpuset *dst, const struct cpuset *src)
{
	if (dst == src)
		return;
	if (src->nwords > (dst->cap ? dst->cap : 1)) {
		if (dst->cap)
			free(dst->w);
		dst->w = xmalloc((size_t)src->nwords * sizeof(*dst->w));
		dst->cap = src->nwords;
	}
	if (src->nwords)
		memcpy(words(dst), cpuset_words(src),
		       (size_t)src->nwords * sizeof(*dst->w));
	dst->lo = src->lo;
	dst->nwords = src->nwords;
}

void cpuset_reserve(struct cpuset *s, uint32_t first, uint32_t last)
{
	if (first >= CPUSET_MAX || first > last)
		return;
	if (last >= CPUSET_MAX)
		last = CPUSET_MAX - 1;
	cpuset_grow(s, word_of(first), word_of(last));
}

static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * A cell list is usually ascending, and often runs of consecutive CPUs:
 * the window is sized for its ends, and each run within one word is one
 * store.  A value outside the window widens it first.
 */
size_t cpuset_add_be32(struct cpuset *s, struct cpuset *dup, const void *cells,
		       size_t n)
{
	const uint8_t *c = cells;
	uint32_t v, first, k, lo, nw;
	uint64_t *w, bits, again;
	size_t i, end;

	if (!n)
		return 0;
	if (be32(c) <= be32(c + 4 * (n - 1)))
		cpuset_reserve(s, be32(c), be32(c + 4 * (n - 1)));
	w = words(s);
	lo = s->lo;
	nw = s->nwords;
	for (i = 0; i < n;) {
		v = be32(c + 4 * i);
		if (v >= CPUSET_MAX)
			break;
		k = word_of(v) - lo;
		if (k >= nw) {
			/* not in s, so not a duplicate */
			cpuset_add_slow(s, v);
			w = words(s);
			lo = s->lo;
			nw = s->nwords;
			i++;
			continue;
		}
		/* the run first, first + 1, ... v up to the end of the word */
		first = v;
		end = i + WORD_BITS - v % WORD_BITS;
		if (end > n)
			end = n;
		for (i++; i < end && be32(c + 4 * i) == v + 1; i++)
			v++;
		bits = (~UINT64_C(0) << (first % WORD_BITS)) &
		       (~UINT64_C(0) >> (WORD_BITS - 1 - v % WORD_BITS));
		again = w[k] & bits;
		w[k] |= bits;
		/* the run's values are distinct: a duplicate was in s before */
		for (; dup && again; again &= again - 1) {
			v = (lo + k) * WORD_BITS +
			    (uint32_t)__builtin_ctzll(again);
			cpuset_add(dup, v);
		}
	}
	return i;
}

void cpuset_add_slow(struct cpuset *s, uint32_t cpu)
{
	if (cpu >= CPUSET_MAX)
		return;
	cpuset_grow(s, word_of(cpu), word_of(cpu));
	words(s)[word_of(cpu) - s->lo] |= bit_of(cpu);
}

void cpuset_add_range(struct cpuset *s, uint32_t first, uint32_t last)
{
	uint32_t wf, wl, i;
	uint64_t mf, ml, *w;

	if (first >= CPUSET_MAX || first > last)
		return;
	if (last >= CPUSET_MAX)
		last = CPUSET_MAX - 1;
	cpuset_grow(s, word_of(first), word_of(last));
	/* word numbers relative to the window from here on */
	w = words(s);
	wf = word_of(first) - s->lo;
	wl = word_of(last) - s->lo;
	mf = ~UINT64_C(0) << (first % WORD_BITS);
	ml = ~UINT64_C(0) >> (WORD_BITS - 1 - last % WORD_BITS);
	if (wf == wl) {
		w[wf] |= mf & ml;
		return;
	}
	w[wf] |= mf;
	for (i = wf + 1; i < wl; i++)
		w[i] = ~UINT64_C(0);
	w[wl] |= ml;
}

void cpuset_del(struct cpuset *s, uint32_t cpu)
{
	uint32_t k = word_of(cpu) - s->lo;

	if (k < s->nwords)
		words(s)[k] &= ~bit_of(cpu);
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
	const uint64_t *w = cpuset_words(s);
	uint32_t i, n = 0;

	for (i = 0; i < s->nwords; i++)
		if (w[i])
			n += popcount64(w[i]);
	return n;
}

bool cpuset_empty(const struct cpuset *s)
{
	const uint64_t *w = cpuset_words(s);
	uint32_t i;

	for (i = 0; i < s->nwords; i++)
		if (w[i])
			return false;
	return true;
}

/* Lowest non-member >= from (possibly past the window). */
static uint32_t cpuset_next_clear(const struct cpuset *s, uint32_t from)
{
	const uint64_t *v = cpuset_words(s);
	uint32_t k = word_of(from) - s->lo;
	uint64_t w;

	if (word_of(from) < s->lo || k >= s->nwords)
		return from;
	w = ~v[k] & (~UINT64_C(0) << (from % WORD_BITS));
	for (;;) {
		if (w)
			return (s->lo + k) * WORD_BITS +
			       (uint32_t)__builtin_ctzll(w);
		if (++k >= s->nwords)
			return (s->lo + k) * WORD_BITS;
		w = ~v[k];
	}
}

/* The words both windows hold: [*lo, *hi); false if none. */
static bool overlap(const struct cpuset *a, const struct cpuset *b,
		    uint32_t *lo, uint32_t *hi)
{
	*lo = max_u32(a->lo, b->lo);
	*hi = min_u32(a->lo + a->nwords, b->lo + b->nwords);
	return a->nwords && b->nwords && *lo < *hi;
}

void cpuset_or(struct cpuset *dst, const struct cpuset *a)
{
	const uint64_t *v = cpuset_words(a);
	uint64_t *d;
	uint32_t i;

	if (!a->nwords)
		return;
	cpuset_grow(dst, a->lo, a->lo + a->nwords - 1);
	d = words(dst) + (a->lo - dst->lo);
	for (i = 0; i < a->nwords; i++)
		d[i] |= v[i];
}

void cpuset_and(struct cpuset *dst, const struct cpuset *a)
{
	uint64_t *d = words(dst);
	uint32_t i;

	for (i = 0; i < dst->nwords; i++)
		d[i] &= cpuset_word(a, dst->lo + i);
}

void cpuset_andnot(struct cpuset *dst, const struct cpuset *a)
{
	const uint64_t *v = cpuset_words(a);
	uint64_t *d = words(dst);
	uint32_t lo, hi, i;

	if (!overlap(dst, a, &lo, &hi))
		return;
	for (i = lo; i < hi; i++)
		d[i - dst->lo] &= ~v[i - a->lo];
}

bool cpuset_intersects(const struct cpuset *a, const struct cpuset *b)
{
	const uint64_t *va = cpuset_words(a), *vb = cpuset_words(b);
	uint32_t lo, hi, i;

	if (!overlap(a, b, &lo, &hi))
		return false;
	for (i = lo; i < hi; i++)
		if (va[i - a->lo] & vb[i - b->lo])
			return true;
	return false;
}

bool cpuset_subset(const struct cpuset *a, const struct cpuset *of)
{
	const uint64_t *v = cpuset_words(a);
	uint32_t i;

	for (i = 0; i < a->nwords; i++)
		if (v[i] & ~cpuset_word(of, a->lo + i))
			return false;
	return true;
}

int64_t cpuset_last(const struct cpuset *s)
{
	const uint64_t *w = cpuset_words(s);
	uint32_t i;

	for (i = s->nwords; i-- > 0;)
		if (w[i])
			return ((int64_t)s->lo + i) * 64 + 63 -
			       __builtin_clzll(w[i]);
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
