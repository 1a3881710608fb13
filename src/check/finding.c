// SPDX-License-Identifier: GPL-2.0-or-later
#include "check/finding.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void findings_init(struct findings *f)
{
	memset(f, 0, sizeof(*f));
}

static void finding_free(struct finding *x)
{
	size_t i;

	free(x->subject);
	free(x->message);
	for (i = 0; i < x->ndetails; i++)
		free(x->details[i]);
	free(x->details);
	free(x->suggestion);
	free(x->alternative);
	for (i = 0; i < x->ncands; i++)
		free(x->cands[i].name);
	free(x->cands);
	for (i = 0; i < x->nlocs; i++)
		free(x->locs[i].label);
	free(x->locs);
}

void findings_free(struct findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		finding_free(&f->v[i]);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

struct finding *finding_add(struct findings *f, const char *check,
			    enum severity sev, const char *subject,
			    const char *fmt, ...)
{
	struct finding *x;
	va_list ap;

	f->v = xgrow(f->v, &f->cap, f->n + 1, sizeof(*f->v));
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->check = check;
	x->sev = sev;
	x->subject = subject ? xstrdup(subject) : NULL;
	va_start(ap, fmt);
	x->message = xvasprintf(fmt, ap);
	va_end(ap);
	if (sev == SEV_ERROR)
		f->errors++;
	else if (sev == SEV_WARNING)
		f->warnings++;
	else
		f->notes++;
	return x;
}

void finding_detail(struct finding *x, const char *fmt, ...)
{
	va_list ap;

	x->details =
		xrealloc(x->details, (x->ndetails + 1) * sizeof(*x->details));
	va_start(ap, fmt);
	x->details[x->ndetails++] = xvasprintf(fmt, ap);
	va_end(ap);
}

void finding_suggest(struct finding *x, const char *fmt, ...)
{
	va_list ap;

	free(x->suggestion);
	va_start(ap, fmt);
	x->suggestion = xvasprintf(fmt, ap);
	va_end(ap);
}

void finding_alt(struct finding *x, const char *fmt, ...)
{
	va_list ap;

	free(x->alternative);
	va_start(ap, fmt);
	x->alternative = xvasprintf(fmt, ap);
	va_end(ap);
}

void finding_cand(struct finding *x, const char *name, bool available)
{
	x->cands = xrealloc(x->cands, (x->ncands + 1) * sizeof(*x->cands));
	x->cands[x->ncands].name = xstrdup(name);
	x->cands[x->ncands].available = available;
	x->ncands++;
}

void finding_loc(struct finding *x, const struct srcpos *pos)
{
	size_t i;

	if (!pos || !pos->file || !pos->line)
		return;
	for (i = 0; i < x->nlocs; i++)
		if (x->locs[i].file == pos->file &&
		    x->locs[i].line == pos->line)
			return;
	x->locs = xrealloc(x->locs, (x->nlocs + 1) * sizeof(*x->locs));
	x->locs[x->nlocs].file = pos->file;
	x->locs[x->nlocs].line = pos->line;
	x->locs[x->nlocs].col = pos->col;
	x->locs[x->nlocs].label = NULL;
	x->nlocs++;
}

void findings_count(struct findings *f)
{
	size_t i;

	f->errors = f->warnings = f->notes = 0;
	for (i = 0; i < f->n; i++) {
		if (f->v[i].suppressed)
			continue;
		if (f->v[i].sev == SEV_ERROR)
			f->errors++;
		else if (f->v[i].sev == SEV_WARNING)
			f->warnings++;
		else
			f->notes++;
	}
}

const char *severity_name(enum severity s)
{
	switch (s) {
	case SEV_ERROR:
		return "error";
	case SEV_WARNING:
		return "warning";
	default:
		return "note";
	}
}
