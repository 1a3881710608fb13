/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Typed property readers shared by the decoders of every input form.
 * Each records a schema finding (with the property's position) when a
 * value has the wrong shape, and returns false.
 */
#ifndef KERF_MODEL_DECODE_UTIL_H
#define KERF_MODEL_DECODE_UTIL_H

#include "check/finding.h"
#include "model/model.h"

struct mk_index;

struct decoder {
	const struct dt_tree *t;
	struct mk_model *m;
	struct findings *f;
	struct mk_index *ix; /* phandle index, built on first use */
};

/* The position of property p, or of node n if p is NULL (at may be NULL). */
static inline void mk_pos_of(struct mk_pos *at, const struct dt_node *n,
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
		  const struct srcpos *pos, const char *fmt, ...) PRINTF(5, 6);

/*
 * The properties of n named names[0..k) in one pass over its properties
 * (out[i] NULL if absent; the first of a name, as dt_prop()).  n may be
 * NULL.
 */
void props_find(const struct dt_node *n, const char *const *names, size_t k,
		const struct dt_property **out);

/*
 * Absent: false without a finding unless required.  The _p forms take the
 * property already looked up (NULL: absent) and its name.
 */
bool rd_u32(struct decoder *d, const struct dt_node *n, const char *name,
	    bool required, const char *check, const char *subject,
	    uint32_t *out, struct mk_pos *at);
/* u64 per schema.md §1.1: one cell, or two cells hi lo. */
bool rd_u64(struct decoder *d, const struct dt_node *n, const char *name,
	    bool required, const char *check, const char *subject,
	    uint64_t *out, struct mk_pos *at);
/* A list of u32 cells into a set; dup receives values listed twice. */
bool rd_set(struct decoder *d, const struct dt_node *n, const char *name,
	    bool required, const char *check, const char *subject,
	    struct cpuset *out, struct cpuset *dup, struct mk_pos *at);
/* A list of u32 cells into a malloc'd array. */
bool rd_u32s(struct decoder *d, const struct dt_node *n, const char *name,
	     const char *check, const char *subject, uint32_t **out,
	     size_t *count, struct mk_pos *at);
/* A u64 list (exactly 8 bytes per entry). */
bool rd_u64s(struct decoder *d, const struct dt_node *n, const char *name,
	     const char *check, const char *subject, uint64_t **out,
	     size_t *count, struct mk_pos *at);
/* A string; malloc'd copy in *out. */
bool rd_str(struct decoder *d, const struct dt_node *n, const char *name,
	    bool required, const char *check, const char *subject, char **out,
	    struct mk_pos *at);
bool rd_u32_p(struct decoder *d, const struct dt_node *n,
	      const struct dt_property *p, const char *name, bool required,
	      const char *check, const char *subject, uint32_t *out,
	      struct mk_pos *at);
bool rd_u64_p(struct decoder *d, const struct dt_node *n,
	      const struct dt_property *p, const char *name, bool required,
	      const char *check, const char *subject, uint64_t *out,
	      struct mk_pos *at);
bool rd_set_p(struct decoder *d, const struct dt_node *n,
	      const struct dt_property *p, const char *name, bool required,
	      const char *check, const char *subject, struct cpuset *out,
	      struct cpuset *dup, struct mk_pos *at);
bool rd_u32s_p(struct decoder *d, const struct dt_node *n,
	       const struct dt_property *p, const char *check,
	       const char *subject, uint32_t **out, size_t *count,
	       struct mk_pos *at);
bool rd_str_p(struct decoder *d, const struct dt_node *n,
	      const struct dt_property *p, const char *name, bool required,
	      const char *check, const char *subject, char **out,
	      struct mk_pos *at);

/*
 * The node after n in a depth-first walk of the subtree at root, as a
 * recursion visits it (a node, then its children in order), or NULL at
 * the end; with skip, n's children are left out.
 */
static inline const struct dt_node *
node_next(const struct dt_node *root, const struct dt_node *n, bool skip)
{
	if (!skip && n->children)
		return n->children;
	while (n != root && !n->next)
		n = n->parent;
	return n == root ? NULL : n->next;
}

/* Shared pieces of every form */
void decode_devices(struct decoder *d, const struct dt_node *devs);
void decode_instances(struct decoder *d);
void decode_devrefs(struct decoder *d);
/* Label of a node (first label, or from /__symbols__), else its name. */
char *node_display_name(struct decoder *d, const struct dt_node *n);
void model_index(struct mk_model *m);

/* The kernel's forms (kernel/mk2.c) */
bool mk2_is_kernel_form(const struct dt_node *resources, bool *pool);
void mk2_decode(struct decoder *d, const struct dt_node *resources, bool pool);
/* CPUs given as a list of physical ids (flat and kernel forms) */
void mk_cpus_from_ids(struct mk_cpus *c, const uint64_t *ids, size_t n);
bool rd_cpu_ids(struct decoder *d, const struct dt_node *n, const char *name,
		bool force64, uint64_t **ids, size_t *count, struct mk_pos *at);
/* The flat form of later Python kerf versions (decode_flat.c) */
void flat_decode(struct decoder *d, const struct dt_node *resources);

#endif
