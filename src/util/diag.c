// SPDX-License-Identifier: GPL-2.0-or-later
#include "util/diag.h"

#include <stdlib.h>
#include <string.h>

void diags_init(struct diags *d)
{
	memset(d, 0, sizeof(*d));
}

void diags_free(struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].check);
		free(d->v[i].msg);
		free(d->v[i].hint);
	}
	free(d->v);
	srcfiles_free(&d->kept);
	diags_init(d);
}

void diags_adopt_files(struct diags *d, struct srcfiles *files)
{
	struct srcfile **tail = &d->kept.head;

	while (*tail)
		tail = &(*tail)->next;
	*tail = files->head;
	files->head = NULL;
}

void diag_add(struct diags *d, enum diag_severity sev,
	      const struct srcpos *pos, const char *check, const char *fmt,
	      ...)
{
	struct diag *dg;
	va_list ap;

	d->v = xgrow(d->v, &d->cap, d->n + 1, sizeof(*d->v));
	dg = &d->v[d->n++];
	memset(dg, 0, sizeof(*dg));
	dg->sev = sev;
	if (pos)
		dg->pos = *pos;
	dg->check = check ? xstrdup(check) : NULL;
	va_start(ap, fmt);
	dg->msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (sev == DIAG_ERROR)
		d->errors++;
	else if (sev == DIAG_WARNING)
		d->warnings++;
}

void diag_hint(struct diags *d, const char *fmt, ...)
{
	struct diag *dg;
	va_list ap;

	if (!d->n)
		return;
	dg = &d->v[d->n - 1];
	free(dg->hint);
	va_start(ap, fmt);
	dg->hint = xvasprintf(fmt, ap);
	va_end(ap);
}

static const char *sev_name(enum diag_severity s)
{
	switch (s) {
	case DIAG_ERROR:
		return "error";
	case DIAG_WARNING:
		return "warning";
	default:
		return "note";
	}
}

void diag_print(FILE *out, const struct diag *dg)
{
	const char *line;
	size_t len, i;

	if (dg->pos.file)
		fprintf(out, "%s:%u:%u: ", dg->pos.file->name, dg->pos.line,
			dg->pos.col);
	else
		fputs("kerf: ", out);
	fprintf(out, "%s: %s", sev_name(dg->sev), dg->msg);
	if (dg->check)
		fprintf(out, " [%s]", dg->check);
	fputc('\n', out);
	line = dg->pos.file ? srcfile_line(dg->pos.file, dg->pos.line, &len)
			    : NULL;
	if (line) {
		fprintf(out, "%.*s\n", (int)len, line);
		/* Keep tabs so the caret lines up whatever the tab width;
		 * a column past the end points just after the line. */
		for (i = 0; i + 1 < dg->pos.col && i < len; i++)
			fputc(i < len && line[i] == '\t' ? '\t' : ' ', out);
		fputs("^\n", out);
	}
	if (dg->hint)
		fprintf(out, "  %s\n", dg->hint);
}

void diags_print(FILE *out, const struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		diag_print(out, &d->v[i]);
}
