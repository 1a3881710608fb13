/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rendering findings (checks.md §2): the block form in text, the same
 * facts as data in JSON/YAML, from one code path through the emitter.
 */
#ifndef KERF_CHECK_RENDER_H
#define KERF_CHECK_RENDER_H

#include <stdbool.h>

#include "check/finding.h"
#include "out/emit.h"

struct render_opts {
	bool unicode;
	bool werror;
	bool notes; /* show notes (reports) */
	/* locations in this file are kernel state, not lines of a file:
	 * "In kernel state:" and the line's text (plan/state.h) */
	const struct srcfile *state_file;
};

/* Sort findings by check-table order (stable). */
void findings_sort(struct findings *f);
/* True if the run passes: no errors (and no warnings with --werror). */
bool findings_valid(const struct findings *f, bool werror);
/*
 * The counts and the findings: in data, "valid", "error_count",
 * "warning_count" and "findings": [...] members of the open object; in
 * text, one block per finding.
 */
void render_findings(struct emitter *e, const struct findings *f,
		     const struct render_opts *o);
/* "✓ Validation passed (2 warnings)" / "✗ Validation failed with ..." */
void render_summary(struct emitter *e, const struct findings *f,
		    const struct render_opts *o, const char *passed);
/* kerf validate --list-checks */
void render_check_list(struct emitter *e);
/* Text with ✓ ✗ ⚠ replaced when unicode is off; caller frees. */
char *render_symbols(const char *s, bool unicode);

#endif
