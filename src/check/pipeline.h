/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Source -> tree -> model -> findings, as every command that reads a
 * description runs it (validate, init, compile).
 */
#ifndef KERF_CHECK_PIPELINE_H
#define KERF_CHECK_PIPELINE_H

#include "check/check.h"
#include "dt/dt.h"
#include "util/diag.h"

struct vrun {
	struct dt_tree *tree;
	struct mk_model model;
	struct findings f;
	struct diags d;	  /* syntax and tree errors (compiler form) */
	bool multikernel; /* the model recognised the tree */
};

enum {
	VRUN_OK = 0,
	VRUN_IO = 1,	 /* cannot read the file: exit 3 */
	VRUN_SYNTAX = 2, /* not a valid DTS/DTB: exit 1 */
	VRUN_NOT_MK = 3, /* valid, but not a multikernel description */
};

/*
 * Load, decode and (if the tree is a multikernel description) run every
 * check.  Returns one of VRUN_*.  Loader warnings with a check name
 * (cell-overflow) become findings.
 */
int vrun_load(struct vrun *v, const char *path, const struct dt_parse_opts *po,
	      const struct dt_resolve_opts *ro, const struct check_opts *co);
void vrun_free(struct vrun *v);

#endif
