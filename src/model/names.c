// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Open addressing with linear probing over a power-of-two table at most
 * half full.  The keys are short names (labels, node names), hashed eight
 * bytes at a time.
 */
#include "model/names.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* A multiply carries low bits up; folding the high half down keeps every
 * input bit in the low bits the table index takes. */
static inline uint64_t mix(uint64_t h, uint64_t x)
{
	h = (h ^ x) * UINT64_C(0x9fb21c651e98df25);
	return h ^ h >> 32;
}

static inline __attribute__((always_inline)) uint32_t hash_str(const char *s,
							       size_t len)
{
	const char *end = s + len;
	uint64_t h = len * UINT64_C(0x9e3779b97f4a7c15), x;
	uint32_t a, b;

	if (len >= 8) {
		for (; end - s >= 8; s += 8) {
			memcpy(&x, s, 8);
			h = mix(h, x);
		}
		if (s < end) { /* the last 8 bytes, overlapping */
			memcpy(&x, end - 8, 8);
			h = mix(h, x);
		}
	} else if (len >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, end - 4, 4);
		h = mix(h, (uint64_t)a << 32 | b);
	} else if (len) {
		h = mix(h, (uint64_t)(unsigned char)s[0] << 16 |
				   (uint64_t)(unsigned char)s[len / 2] << 8 |
				   (unsigned char)s[len - 1]);
	}
	h = (h ^ h >> 29) * UINT64_C(0xbf58476d1ce4e5b9);
	return (uint32_t)(h ^ h >> 32);
}

static void alloc_slots(struct mk_names *t, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	t->slots = xzalloc(cap * sizeof(*t->slots));
	t->mask = (uint32_t)(cap - 1);
	t->count = 0;
}

void mk_names_init(struct mk_names *t, size_t n)
{
	alloc_slots(t, n);
}

void mk_names_free(struct mk_names *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* The slot holding key, or the free slot where it would go. */
static inline __attribute__((always_inline)) struct mk_name_slot *
find(const struct mk_names *t, const char *key, size_t len, uint32_t h)
{
	uint32_t i;

	for (i = h & t->mask;; i = (i + 1) & t->mask) {
		struct mk_name_slot *e = &t->slots[i];

		if (!e->key || (e->hash == h && e->len == len &&
				!memcmp(e->key, key, len)))
			return e;
	}
}

/* Only for more keys than the table was sized for. */
static void grow(struct mk_names *t)
{
	struct mk_name_slot *old = t->slots;
	size_t n = t->slots ? (size_t)t->mask + 1 : 0, i;

	alloc_slots(t, n ? n : 8);
	for (i = 0; i < n; i++) {
		if (old[i].key) {
			*find(t, old[i].key, old[i].len, old[i].hash) = old[i];
			t->count++;
		}
	}
	free(old);
}

long mk_names_add(struct mk_names *t, const char *key, uint32_t val)
{
	size_t len = strlen(key);
	uint32_t h = hash_str(key, len);
	struct mk_name_slot *e;

	if (!t->slots || 2 * ((size_t)t->count + 1) > (size_t)t->mask + 1)
		grow(t);
	e = find(t, key, len, h);
	if (e->key)
		return e->val;
	e->key = key;
	e->hash = h;
	e->len = (uint32_t)len;
	e->val = val;
	t->count++;
	return -1;
}

long mk_names_get(const struct mk_names *t, const char *key)
{
	const struct mk_name_slot *e;
	size_t len;

	if (!t->slots)
		return -1;
	len = strlen(key);
	e = find(t, key, len, hash_str(key, len));
	return e->key ? (long)e->val : -1;
}
