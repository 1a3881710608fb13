/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compiler-style diagnostics (syntax and tree errors):
 *
 *   file:line:col: error: expected ';' after property value
 *   	cpus = <8 9 10 11>
 *   	                  ^
 *
 * Library code records them in a struct diags and returns an error code;
 * the command decides where and how to print them.
 */
#ifndef KERF_DIAG_H
#define KERF_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "util/srcpos.h"
#include "util/util.h"

enum diag_severity {
	DIAG_ERROR,
	DIAG_WARNING,
	DIAG_NOTE,
};

struct diag {
	enum diag_severity sev;
	struct srcpos pos;	/* pos.file NULL: no position */
	char *check;		/* optional check name, e.g. "cell-overflow" */
	char *msg;
	char *hint;		/* optional second line: what to do */
};

struct diags {
	struct diag *v;
	size_t n, cap;
	unsigned int errors, warnings;
	struct srcfiles kept;	/* files adopted from freed trees */
};

void diags_init(struct diags *d);
void diags_free(struct diags *d);
void diag_add(struct diags *d, enum diag_severity sev,
	      const struct srcpos *pos, const char *check, const char *fmt,
	      ...) PRINTF(5, 6);
/* Attach a hint ("did you mean ...", "write ... instead") to the last diag. */
void diag_hint(struct diags *d, const char *fmt, ...) PRINTF(2, 3);
#define diag_error(d, pos, ...) diag_add(d, DIAG_ERROR, pos, NULL, __VA_ARGS__)
#define diag_warn(d, pos, ...) diag_add(d, DIAG_WARNING, pos, NULL, __VA_ARGS__)

/*
 * Take ownership of the source files of a tree that is about to be freed,
 * so that positions in recorded diagnostics stay valid.
 */
void diags_adopt_files(struct diags *d, struct srcfiles *files);

/* Print every diagnostic, in order, in the compiler form above. */
void diags_print(FILE *out, const struct diags *d);
void diag_print(FILE *out, const struct diag *dg);

#endif
