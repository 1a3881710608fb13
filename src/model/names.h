/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A string -> index table for the model layer's name lookups (labels,
 * device names, instance names).  Unlike util's strmap it is sized once
 * for the number of keys its user knows in advance, so building it never
 * rehashes; the keys are not copied and must outlive the table, as
 * strmap's.  The first value given for a key stays.
 */
#ifndef KERF_MODEL_NAMES_H
#define KERF_MODEL_NAMES_H

#include <stddef.h>
#include <stdint.h>

struct mk_name_slot {
	const char *key; /* NULL: free */
	uint32_t hash;
	uint32_t len; /* of key */
	uint32_t val;
};

struct mk_names {
	struct mk_name_slot *slots;
	uint32_t mask; /* slots - 1 (a power of two minus one) */
	uint32_t count;
};

/* An empty table (all zeros is one too) with room for n keys. */
void mk_names_init(struct mk_names *t, size_t n);
void mk_names_free(struct mk_names *t);
/*
 * Add key -> val unless key is there: returns -1 if added, else the value
 * the key already has.
 */
long mk_names_add(struct mk_names *t, const char *key, uint32_t val);
/* The value of key, or -1. */
long mk_names_get(const struct mk_names *t, const char *key);

#endif
