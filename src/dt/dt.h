/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device-tree layer's public interface: DTS in, DTB in and out, DTS out.
 *
 * Error contract (as libfdt's): functions return 0 or a negative errno-style
 * code; what went wrong, with positions, is recorded in the struct diags.
 */
#ifndef KERF_DT_H
#define KERF_DT_H

#include <stdio.h>

#include "dt/tree.h"

struct dt_parse_opts {
	const char *const *include_dirs;	/* -i DIR, searched in order after
						 * the including file's directory */
	size_t n_include_dirs;
};

/*
 * Parse DTS source (path "-" reads standard input) into a tree.  Syntax
 * errors are diagnostics with file:line:col and an expectation
 * ("expected ';' after property value").  The tree is not yet resolved:
 * references are markers, phandles are not assigned.  On error *out is
 * NULL and the return value is negative (-EINVAL for bad input, -errno
 * for I/O).
 */
int dts_parse_file(const char *path, const struct dt_parse_opts *o,
		   struct dt_tree **out, struct diags *d);
int dts_parse_string(const char *name, const char *text, size_t len,
		     const struct dt_parse_opts *o, struct dt_tree **out,
		     struct diags *d);
/* As dts_parse_string(), taking text (malloc'd, NUL at len) in all cases. */
int dts_parse_buffer(const char *name, char *text, size_t len,
		     const struct dt_parse_opts *o, struct dt_tree **out,
		     struct diags *d);

struct dt_resolve_opts {
	bool symbols;	/* -@: generate /__symbols__ */
	/*
	 * Called for each DT_MARK_OVERFLOW: return true to accept the value
	 * as a u64 (schema.md §1.1 exception; the property is re-encoded as
	 * <hi lo> and a cell-overflow warning recorded), false to reject it
	 * with a cell-overflow error.  NULL: always reject.
	 */
	bool (*overflow_ok)(const struct dt_tree *t,
			    const struct dt_property *p,
			    const struct dt_marker *m, void *ctx);
	void *ctx;
};

/*
 * The semantic phase dtc runs after parsing: duplicate node/property/label
 * checks, phandle assignment exactly as dtc assigns them, reference
 * resolution, /omit-if-no-ref/ pruning, __symbols__ (-@) and, for
 * /plugin/ trees, __fixups__ and __local_fixups__.
 */
int dt_resolve(struct dt_tree *t, const struct dt_resolve_opts *o,
	       struct diags *d);

/* Flatten with libfdt's sequential writer.  *blob is malloc'd. */
int dtb_write(const struct dt_tree *t, void **blob, size_t *len,
	      struct diags *d);
/* True if data starts with the FDT magic number. */
bool dtb_is_blob(const void *data, size_t len);
/*
 * Read any DTB (fdt_check_full first).  name is used in diagnostics.
 * The tree has no source positions; values get type markers guessed the
 * way dtc guesses them when decompiling.
 */
int dtb_read(const void *blob, size_t len, const char *name,
	     struct dt_tree **out, struct diags *d);

/*
 * Write DTS.  For a tree read from a DTB the text is exactly what
 * `dtc -I dtb -O dts` prints; for a tree from source, types and labels
 * are kept as `dtc -I dts -O dts` keeps them.
 */
void dts_write(FILE *out, const struct dt_tree *t);
/*
 * The type dts_write() gives a value that has no type marker, as dtc's
 * guess_value_type() does: DT_MARK_TYPE_STRING, _U32 (also for a value
 * holding phandle references) or _BYTES.
 */
enum dt_marker_kind dt_value_guess(const struct dt_value *v);

/*
 * Load a file of either kind (by magic number, not name): parse and
 * resolve DTS, or read a DTB.
 */
int dt_load(const char *path, const struct dt_parse_opts *po,
	    const struct dt_resolve_opts *ro, struct dt_tree **out,
	    struct diags *d);

#endif
