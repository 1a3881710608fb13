/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sets of CPU numbers: a growable bitmap, the list syntax of schema.md §3
 * ("4-7,12,16-19", as Linux's bitmap_parselist reads it) and the compact
 * formatter every output uses.
 */
#ifndef KERF_MODEL_CPUSET_H
#define KERF_MODEL_CPUSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

#define CPUSET_MAX 65536u	/* highest CPU number + 1 kerf accepts */

/*
 * The bitmap holds a window of words, lo .. lo + nwords - 1; every word
 * outside it is zero.  An instance's few CPUs at 8000 take one word, not
 * 126, so the per-instance operations of the checks cost what the set
 * holds, not the highest CPU number.  A window of one word is kept in the
 * struct itself (no allocation at all for most instances).  All zeros is
 * the empty set.
 */
struct cpuset {
	uint64_t *w;	 /* cap words on the heap; unused while cap is 0 */
	uint64_t one;	 /* the window while cap is 0 (nwords <= 1) */
	uint32_t lo;	 /* index of the first word held */
	uint32_t nwords; /* words held */
	uint32_t cap;	 /* words allocated */
};

void cpuset_init(struct cpuset *s);
void cpuset_free(struct cpuset *s);
void cpuset_clear(struct cpuset *s);
void cpuset_copy(struct cpuset *dst, const struct cpuset *src);
void cpuset_add_range(struct cpuset *s, uint32_t first, uint32_t last);
/* Make room for CPUs first..last (first <= last) without adding any. */
void cpuset_reserve(struct cpuset *s, uint32_t first, uint32_t last);
/*
 * Add the big-endian 32-bit values cells[0..n) (a device-tree cell list)
 * up to the first one of CPUSET_MAX or more; returns how many were added.
 * A value already in s also goes to dup unless dup is NULL.
 */
size_t cpuset_add_be32(struct cpuset *s, struct cpuset *dup, const void *cells,
		       size_t n);
void cpuset_del(struct cpuset *s, uint32_t cpu);
uint32_t cpuset_count(const struct cpuset *s);
bool cpuset_empty(const struct cpuset *s);

/* The words of the window. */
static inline const uint64_t *cpuset_words(const struct cpuset *s)
{
	return s->cap ? s->w : &s->one;
}

/* Word i of the set (CPUs 64i .. 64i + 63). */
static inline uint64_t cpuset_word(const struct cpuset *s, uint32_t i)
{
	uint32_t k = i - s->lo; /* wraps past nwords below the window */

	return k < s->nwords ? cpuset_words(s)[k] : 0;
}

/* Inline: the checks call these once per CPU. */
static inline bool cpuset_has(const struct cpuset *s, uint32_t cpu)
{
	return (cpuset_word(s, cpu / 64) >> (cpu % 64) & 1) != 0;
}

void cpuset_add_slow(struct cpuset *s, uint32_t cpu);
/* cpu < CPUSET_MAX; larger numbers are ignored. */
static inline void cpuset_add(struct cpuset *s, uint32_t cpu)
{
	uint32_t k = cpu / 64 - s->lo;

	if (k < s->nwords)
		(s->cap ? s->w : &s->one)[k] |= UINT64_C(1) << (cpu % 64);
	else
		cpuset_add_slow(s, cpu);
}

/* Lowest member >= from, or -1. */
static inline int64_t cpuset_next(const struct cpuset *s, uint32_t from)
{
	const uint64_t *v = cpuset_words(s);
	uint32_t k;
	uint64_t w;

	if (from / 64 < s->lo) {
		k = 0;
		w = s->nwords ? v[0] : 0;
	} else {
		k = from / 64 - s->lo;
		if (k >= s->nwords)
			return -1;
		w = v[k] & (~UINT64_C(0) << (from % 64));
	}
	while (!w) {
		if (++k >= s->nwords)
			return -1;
		w = v[k];
	}
	return ((int64_t)s->lo + k) * 64 + __builtin_ctzll(w);
}
#define cpuset_for_each(s, c) \
	for (int64_t c = cpuset_next(s, 0); c >= 0; \
	     c = cpuset_next(s, (uint32_t)c + 1))
void cpuset_or(struct cpuset *dst, const struct cpuset *a);
void cpuset_and(struct cpuset *dst, const struct cpuset *a);
void cpuset_andnot(struct cpuset *dst, const struct cpuset *a);
bool cpuset_intersects(const struct cpuset *a, const struct cpuset *b);
bool cpuset_subset(const struct cpuset *a, const struct cpuset *of);
/* Highest member, or -1 if empty. */
int64_t cpuset_last(const struct cpuset *s);
bool cpuset_equal(const struct cpuset *a, const struct cpuset *b);

struct cpuset_error {
	size_t offset;		/* byte offset of the offending character */
	char msg[128];		/* e.g. "unexpected character '-'" */
};

/*
 * Parse a CPU list into *s (which is cleared first).  0 or -EINVAL with
 * err filled (offset and message naming the offending character); err may
 * be NULL, and *s is empty after an error.  Items are "N", "N-M" and the
 * kernel's region "N-M:used/group"; blanks around items are allowed (so a
 * sysfs "0-3\n" reads), empty items are not.  "" is the empty set.  The
 * position in messages is the same 0-based byte offset as err->offset.
 */
int cpuset_parse(struct cpuset *s, const char *str, struct cpuset_error *err);
/* "4-7,12" ("" for the empty set); caller frees. */
char *cpuset_format(const struct cpuset *s);
void cpuset_format_sb(struct strbuf *sb, const struct cpuset *s);

#endif
