/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Findings: the result of validation (checks.md §2).  A finding names its
 * check, a subject (an instance, a device, or nothing for global rules),
 * a message, computed details, a suggestion, an alternative, "did you
 * mean" candidates and the source locations of every value involved.
 */
#ifndef KERF_CHECK_FINDING_H
#define KERF_CHECK_FINDING_H

#include <stdbool.h>
#include <stddef.h>

#include "util/srcpos.h"
#include "util/util.h"

enum severity {
	SEV_ERROR,
	SEV_WARNING,
	SEV_NOTE,
};

struct candidate {
	char *name;
	bool available;
};

struct location {
	struct srcfile *file;
	uint32_t line, col;
	char *label; /* optional: "web-server" (what the line is) */
};

struct finding {
	const char *check; /* static: the check table's name */
	enum severity sev;
	char *subject; /* NULL for global findings */
	char *message;
	char **details;
	size_t ndetails;
	char *suggestion, *alternative;
	struct candidate *cands;
	size_t ncands;
	struct location *locs;
	size_t nlocs;
	bool suppressed; /* -W no-NAME */
};

struct findings {
	struct finding *v;
	size_t n, cap;
	unsigned int errors, warnings, notes;
};

void findings_init(struct findings *f);
void findings_free(struct findings *f);

/* Start a finding; the returned pointer is valid until the next add. */
struct finding *finding_add(struct findings *f, const char *check,
			    enum severity sev, const char *subject,
			    const char *fmt, ...) PRINTF(5, 6);
void finding_detail(struct finding *x, const char *fmt, ...) PRINTF(2, 3);
void finding_suggest(struct finding *x, const char *fmt, ...) PRINTF(2, 3);
void finding_alt(struct finding *x, const char *fmt, ...) PRINTF(2, 3);
void finding_cand(struct finding *x, const char *name, bool available);
/* Add a location (ignored if pos has no file or is already listed). */
void finding_loc(struct finding *x, const struct srcpos *pos);
/* Recount errors/warnings (after suppression). */
void findings_count(struct findings *f);

const char *severity_name(enum severity s); /* "error", "warning", "note" */

#endif
