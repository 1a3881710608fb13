/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The generic device tree, with source positions.
 *
 * Every input (DTS source, DTB, kernel read-back) becomes a struct dt_tree;
 * every output (DTB, DTS) is written from one.  The model layer reads
 * multikernel meaning out of it; nothing here knows the binding.
 *
 * Lists keep source order.  Deleted nodes and properties are unlinked
 * and freed at once, except where dtc semantics need a tombstone (labels
 * of a deleted node may be reused, see resolve.c).
 */
#ifndef KERF_DT_TREE_H
#define KERF_DT_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "util/srcpos.h"
#include "util/util.h"

/*
 * Markers annotate a property value at a byte offset, as dtc's do.
 * Type markers describe the data from their offset up to the next type
 * marker (used by the DTS writer to print `<...>`, "...", [..] again).
 * Reference markers are resolved by dt_resolve(): a phandle reference
 * owns a 4-byte cell at its offset (written as 0xffffffff until resolved);
 * a path reference occupies no bytes until resolved, then the full path
 * and its NUL are inserted at its offset.
 */
enum dt_marker_kind {
	DT_MARK_TYPE_U8,	/* /bits/ 8 <...> or [bytes] inside cells */
	DT_MARK_TYPE_U16,
	DT_MARK_TYPE_U32,	/* <...> */
	DT_MARK_TYPE_U64,
	DT_MARK_TYPE_STRING,	/* "..." */
	DT_MARK_TYPE_BYTES,	/* [00 11] and /incbin/ */
	DT_MARK_LABEL,		/* label inside a value: `< a: 1 >` */
	DT_MARK_REF_PHANDLE,	/* <&label> or <&{/path}> */
	DT_MARK_REF_PATH,	/* &label or &{/path} outside cells */
	DT_MARK_OVERFLOW,	/* a literal wider than its cell (see below) */
};

struct dt_marker {
	struct dt_marker *next;	/* sorted by offset, stable */
	size_t offset;		/* byte offset in the value */
	char *ref;		/* label name, or path for &{/path}; label name
				 * for DT_MARK_LABEL; NULL otherwise */
	uint64_t full;		/* DT_MARK_OVERFLOW: the untruncated literal */
	struct srcpos pos;	/* of the token */
	enum dt_marker_kind kind;
	uint8_t width;		/* DT_MARK_OVERFLOW: cell width in bits */
	bool pooled;		/* in the tree's arena (see dt_arena) */
};	/* 56 bytes: there is one per value, keep it small */

struct dt_value {
	uint8_t *data;
	size_t len;
	size_t cap;		/* 0 with data set: data is in an arena */
	struct dt_marker *markers;
};

struct dt_label {
	char *name;
	struct srcpos pos;
	struct dt_label *next;
	bool deleted;		/* parser-internal tombstone (dtc semantics);
				 * never true in a tree dts_parse_*() returns */
	bool pooled;		/* in the tree's arena, with its name */
};

struct dt_node;

struct dt_property {
	char *name;
	struct dt_value val;
	struct dt_label *labels;
	struct srcpos pos;	/* of the property name */
	struct srcpos val_pos;	/* of the first value token (== pos if empty) */
	struct srcpos end_pos;	/* of the terminating ';' */
	struct dt_node *owner;
	struct dt_property *next;
	bool deleted;		/* parser-internal, as dt_label.deleted */
	bool pooled;		/* in the tree's arena, with its name */
};

struct dt_node {
	char *name;		/* "name@unit"; "" for the root */
	struct dt_property *props, **props_tail;
	struct dt_node *children, **children_tail;
	struct dt_node *parent, *next;
	struct dt_label *labels;
	uint32_t phandle;	/* 0: none */
	bool omit_if_no_ref;
	bool referenced;	/* target of some reference (for omit-if-no-ref) */
	bool deleted;		/* parser-internal, as dt_label.deleted */
	bool pooled;		/* in the tree's arena, with its name */
	struct srcpos pos;	/* of the node name (first definition) */
	struct srcpos end_pos;	/* of the closing '}' (last definition) */
	struct srcpos redef_pos; /* a later definition merged into this node
				  * (file NULL if the node is defined once) */
	void *user;		/* free for users of the tree (model layer) */
};

struct dt_reserve {
	uint64_t address, size;
	struct dt_label *labels;
	struct srcpos pos;
	struct dt_reserve *next;
};

enum dt_header {
	DT_HDR_DTS_V1 = 1 << 0,		/* /dts-v1/; */
	DT_HDR_MULTIKERNEL = 1 << 1,	/* /multikernel-v1/; */
	DT_HDR_PLUGIN = 1 << 2,		/* /plugin/; */
};

/*
 * A bump allocator owned by a tree, for the many small objects a parsed
 * tree is made of (nodes, properties, names, labels, markers, values).
 * Pooled objects are marked so: freeing them is a no-op, and the memory
 * goes back at once with the tree.  Objects unlinked from a tree must
 * not outlive it.  Under AddressSanitizer the arena hands out nothing,
 * so every object is a malloc() of its own and checked as such.
 */
struct dt_arena_chunk;
struct dt_arena {
	struct dt_arena_chunk *chunks;
	char *p, *end;
};

struct dt_tree {
	struct dt_node *root;
	struct dt_reserve *reserves, **reserves_tail;
	uint32_t boot_cpuid;
	unsigned int header;		/* enum dt_header bits */
	struct srcfiles files;		/* owns every srcpos.file */
	struct dt_arena arena;		/* owns every pooled object */
};

/* Construction */
struct dt_tree *dt_tree_new(void);
void dt_tree_free(struct dt_tree *t);
/* Free a tree whose diagnostics outlive it (they keep its source files). */
void dt_tree_discard(struct dt_tree *t, struct diags *d);
struct dt_node *dt_node_new(const char *name, size_t len);
void dt_node_free(struct dt_node *n);	/* recursively; does not unlink */
void dt_node_add_child(struct dt_node *parent, struct dt_node *child);
void dt_node_unlink(struct dt_node *child);
struct dt_property *dt_prop_new(const char *name);
void dt_prop_free(struct dt_property *p);
void dt_node_add_prop(struct dt_node *n, struct dt_property *p);
void dt_prop_unlink(struct dt_property *p);
void dt_label_add(struct dt_label **list, const char *name,
		  const struct srcpos *pos);	/* no duplicate names */
void dt_labels_free(struct dt_label *l);

/*
 * Constructors in the tree's arena (see struct dt_arena): the objects
 * are used and freed exactly as the ones above.
 */
struct dt_node *dt_node_new_in(struct dt_tree *t, const char *name,
			       size_t len);
struct dt_property *dt_prop_new_in(struct dt_tree *t, const char *name,
				   size_t len);
struct dt_label *dt_label_new_in(struct dt_tree *t, const char *name,
				 size_t len);
struct dt_marker *dt_marker_new_in(struct dt_tree *t, const char *ref,
				   size_t reflen);
void dt_marker_free(struct dt_marker *m);
char *dt_strndup_in(struct dt_tree *t, const char *s, size_t len);
/* Replace the bytes of an empty value with a copy of data, in the arena. */
void dt_value_set_in(struct dt_tree *t, struct dt_value *v, const void *data,
		     size_t len);

/* Values */
void dt_value_append(struct dt_value *v, const void *data, size_t len);
void dt_value_append_cell(struct dt_value *v, uint64_t x, unsigned int bits);
struct dt_marker *dt_value_mark(struct dt_value *v, enum dt_marker_kind k,
				size_t offset, const char *ref,
				const struct srcpos *pos);
/* Room for want bytes in total (the data may move out of the arena). */
void dt_value_reserve(struct dt_value *v, size_t want);
void dt_value_free(struct dt_value *v);
void dt_value_move(struct dt_value *dst, struct dt_value *src);

/* Lookup (linear in the number of children or path components) */
struct dt_node *dt_child(const struct dt_node *n, const char *name);
struct dt_node *dt_child_n(const struct dt_node *n, const char *name,
			   size_t len);
struct dt_property *dt_prop(const struct dt_node *n, const char *name);
/* Look up "/a/b@1/c"; a component without '@' also matches "c@..." only
 * if exactly that name exists (dtc rules: exact match first). */
struct dt_node *dt_path(const struct dt_tree *t, const char *path);
/* Full path of a node ("/" for root); caller frees. */
char *dt_node_path(const struct dt_node *n);
/* Name without the unit address, and the unit address ("" if none). */
size_t dt_node_basename_len(const struct dt_node *n);
const char *dt_node_unit(const struct dt_node *n);

/* Typed property access for consumers; false if absent or wrong length. */
bool dt_prop_u32(const struct dt_property *p, uint32_t *out);
bool dt_prop_u64(const struct dt_property *p, uint64_t *out);
uint32_t dt_cell(const struct dt_property *p, size_t i);
size_t dt_prop_ncells(const struct dt_property *p);
/* The property as a NUL-terminated string, or NULL if it is not one. */
const char *dt_prop_str(const struct dt_property *p);

/* Iteration helpers */
#define dt_for_each_child(n, c) for ((c) = (n)->children; (c); (c) = (c)->next)
#define dt_for_each_prop(n, p) for ((p) = (n)->props; (p); (p) = (p)->next)

/* Big-endian helpers */
static inline uint32_t dt_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void dt_put_be32(uint8_t *p, uint32_t x)
{
	p[0] = (uint8_t)(x >> 24);
	p[1] = (uint8_t)(x >> 16);
	p[2] = (uint8_t)(x >> 8);
	p[3] = (uint8_t)x;
}

#endif
