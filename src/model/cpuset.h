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

struct cpuset {
	uint64_t *w;
	uint32_t nwords;
};

void cpuset_init(struct cpuset *s);
void cpuset_free(struct cpuset *s);
void cpuset_clear(struct cpuset *s);
void cpuset_copy(struct cpuset *dst, const struct cpuset *src);
void cpuset_add(struct cpuset *s, uint32_t cpu);	/* cpu < CPUSET_MAX */
void cpuset_add_range(struct cpuset *s, uint32_t first, uint32_t last);
void cpuset_del(struct cpuset *s, uint32_t cpu);
uint32_t cpuset_count(const struct cpuset *s);
bool cpuset_empty(const struct cpuset *s);

/* Inline: the checks call these once per CPU. */
static inline bool cpuset_has(const struct cpuset *s, uint32_t cpu)
{
	return cpu / 64 < s->nwords &&
	       (s->w[cpu / 64] >> (cpu % 64) & 1) != 0;
}

/* Lowest member >= from, or -1. */
static inline int64_t cpuset_next(const struct cpuset *s, uint32_t from)
{
	uint32_t i = from / 64;
	uint64_t w;

	if (i >= s->nwords)
		return -1;
	w = s->w[i] & (~UINT64_C(0) << (from % 64));
	while (!w) {
		if (++i >= s->nwords)
			return -1;
		w = s->w[i];
	}
	return (int64_t)i * 64 + __builtin_ctzll(w);
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
