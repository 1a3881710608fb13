/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kerf show: the instances and the pool, rendered once through the emitter
 * so the text table and the JSON/YAML data carry the same facts.
 */
#ifndef KERF_OUT_SHOW_H
#define KERF_OUT_SHOW_H

#include <stdbool.h>

#include "kernel/records.h"
#include "out/emit.h"
#include "plan/state.h"

struct show_opts {
	bool verbose;	/* physical CPU ids, regions, kernel details */
	bool unicode;	/* "·" separators */
};

/* The schema_version of show's data. */
#define SHOW_SCHEMA_VERSION	1

/*
 * Everything: the table of instances and the pool line.  rec[i] is the
 * load record of st->inst[i], or NULL.
 */
void show_all(struct emitter *e, const struct kstate *st,
	      struct kload_record *const *rec, const struct show_opts *o);

/* One instance (index idx) in detail. */
void show_one(struct emitter *e, const struct kstate *st, long idx,
	      const struct kload_record *rec, const struct show_opts *o);

/* Pool usage, computed once for the pool line and the map. */
struct show_usage {
	uint32_t cpus_total, cpus_used;
	uint64_t mem_total, mem_used;
	uint32_t vfs_total, vfs_used;
};

void show_usage(const struct kstate *st, struct show_usage *u);

#endif
