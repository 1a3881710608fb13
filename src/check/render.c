// SPDX-License-Identifier: GPL-2.0-or-later
#include "check/render.h"
#include "check/check.h"

#include <stdlib.h>
#include <string.h>

static size_t check_index(const char *name)
{
	size_t i;

	for (i = 0; i < check_count; i++)
		if (!strcmp(check_table[i].name, name))
			return i;
	return check_count;
}

struct keyed {
	size_t key, pos;
	struct finding f;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

void findings_sort(struct findings *f)
{
	struct keyed *k = xmalloc((f->n + 1) * sizeof(*k));
	size_t i;

	for (i = 0; i < f->n; i++) {
		k[i].key = check_index(f->v[i].check);
		k[i].pos = i;
		k[i].f = f->v[i];
	}
	qsort(k, f->n, sizeof(*k), cmp_keyed);
	for (i = 0; i < f->n; i++)
		f->v[i] = k[i].f;
	free(k);
}

bool findings_valid(const struct findings *f, bool werror)
{
	return !f->errors && !(werror && f->warnings);
}

char *render_symbols(const char *s, bool unicode)
{
	static const char *const map[][2] = {
		{"\u2713", "OK"},
		{"\u2717", "FAIL"},
		{"\u26a0", "!"},
	};
	struct strbuf sb;
	size_t i;

	if (unicode || !s)
		return s ? xstrdup(s) : NULL;
	sb_init(&sb);
	while (*s) {
		for (i = 0; i < ARRAY_SIZE(map); i++) {
			size_t n = strlen(map[i][0]);

			if (!strncmp(s, map[i][0], n)) {
				sb_adds(&sb, map[i][1]);
				s += n;
				break;
			}
		}
		if (i == ARRAY_SIZE(map))
			sb_addc(&sb, *s++);
	}
	return sb_detach(&sb, NULL);
}

/* The source line of a location, without leading/trailing blanks. */
static char *loc_text(const struct location *l)
{
	const char *s;
	size_t len;

	if (l->label)
		return xstrdup(l->label);
	s = srcfile_line(l->file, l->line, &len);
	if (!s)
		return xstrdup("");
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len &&
	       (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	return xstrndup(s, len);
}

static const char *sev_title(enum severity s)
{
	switch (s) {
	case SEV_ERROR:
		return "ERROR";
	case SEV_WARNING:
		return "WARNING";
	default:
		return "NOTE";
	}
}

/* Print a possibly multi-line string, continuation lines indented. */
static void text_lines(struct emitter *e, const char *indent, const char *first,
		       const char *s, bool unicode)
{
	char *t = render_symbols(s, unicode), *p = t, *nl;

	emit_text(e, "%s%s", indent, first);
	while ((nl = strchr(p, '\n'))) {
		emit_text(e, "%.*s\n%s", (int)(nl - p), p, indent);
		p = nl + 1;
	}
	emit_text(e, "%s\n", p);
	free(t);
}

static void render_text(struct emitter *e, const struct finding *x,
			const struct render_opts *o)
{
	size_t i, k;

	emit_text(e, "%s: ", sev_title(x->sev));
	if (x->subject)
		emit_text(e, "%s: ", x->subject);
	{
		char *m = render_symbols(x->message, o->unicode);

		emit_text(e, "%s [%s]\n", m, x->check);
		free(m);
	}
	for (i = 0; i < x->ndetails; i++)
		text_lines(e, "  ", "", x->details[i], o->unicode);
	if (x->suggestion || x->alternative)
		emit_text(e, "\n");
	if (x->suggestion)
		text_lines(e, "  ", "Suggestion: ", x->suggestion, o->unicode);
	if (x->alternative)
		text_lines(e, "  ", "Alternative: ", x->alternative,
			   o->unicode);
	if (x->ncands) {
		emit_text(e, "\n  Did you mean:\n");
		for (i = 0; i < x->ncands; i++)
			emit_text(e, "    - %s (%s)\n", x->cands[i].name,
				  x->cands[i].available ? "available"
							: "not available");
	}
	/* "In file X:" per file, in order of first appearance */
	for (i = 0; i < x->nlocs; i++) {
		bool seen = false;

		for (k = 0; k < i; k++)
			seen |= x->locs[k].file == x->locs[i].file;
		if (seen)
			continue;
		if (o->state_file && x->locs[i].file == o->state_file) {
			emit_text(e, "\n  In kernel state:\n");
			for (k = i; k < x->nlocs; k++) {
				char *t;

				if (x->locs[k].file != x->locs[i].file)
					continue;
				t = loc_text(&x->locs[k]);
				emit_text(e, "    %s\n", t);
				free(t);
			}
			continue;
		}
		emit_text(e, "\n  In file %s:\n", x->locs[i].file->name);
		for (k = i; k < x->nlocs; k++) {
			char *t;

			if (x->locs[k].file != x->locs[i].file)
				continue;
			t = loc_text(&x->locs[k]);
			emit_text(e, "    Line %u: %s\n", x->locs[k].line, t);
			free(t);
		}
	}
	emit_text(e, "\n");
}

static void render_data(struct emitter *e, const struct finding *x)
{
	size_t i;

	emit_open_object(e, NULL);
	emit_string(e, "check", NULL, x->check);
	emit_string(e, "severity", NULL, severity_name(x->sev));
	emit_string(e, "subject", NULL, x->subject);
	emit_string(e, "message", NULL, x->message);
	emit_open_array(e, "details");
	for (i = 0; i < x->ndetails; i++)
		emit_string(e, NULL, NULL, x->details[i]);
	emit_close_array(e);
	emit_string(e, "suggestion", NULL, x->suggestion);
	emit_string(e, "alternative", NULL, x->alternative);
	emit_open_array(e, "candidates");
	for (i = 0; i < x->ncands; i++) {
		emit_open_object(e, NULL);
		emit_string(e, "name", NULL, x->cands[i].name);
		emit_bool(e, "available", NULL, x->cands[i].available);
		emit_close_object(e);
	}
	emit_close_array(e);
	emit_open_array(e, "locations");
	for (i = 0; i < x->nlocs; i++) {
		char *t = loc_text(&x->locs[i]);

		emit_open_object(e, NULL);
		emit_string(e, "file", NULL, x->locs[i].file->name);
		emit_uint(e, "line", NULL, x->locs[i].line);
		emit_uint(e, "column", NULL, x->locs[i].col);
		emit_string(e, "text", NULL, t);
		emit_close_object(e);
		free(t);
	}
	emit_close_array(e);
	emit_close_object(e);
}

void render_findings(struct emitter *e, const struct findings *f,
		     const struct render_opts *o)
{
	size_t i;

	emit_bool(e, "valid", NULL, findings_valid(f, o->werror));
	emit_uint(e, "error_count", NULL, f->errors);
	emit_uint(e, "warning_count", NULL, f->warnings);
	emit_open_array(e, "findings");
	for (i = 0; i < f->n; i++) {
		const struct finding *x = &f->v[i];

		if (x->suppressed || (x->sev == SEV_NOTE && !o->notes))
			continue;
		if (emit_format(e) == OUT_TEXT)
			render_text(e, x, o);
		else
			render_data(e, x);
	}
	emit_close_array(e);
}

static const char *plural(unsigned int n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void render_summary(struct emitter *e, const struct findings *f,
		    const struct render_opts *o, const char *passed)
{
	const char *ok = o->unicode ? "\u2713" : "OK";
	const char *fail = o->unicode ? "\u2717" : "FAIL";

	if (findings_valid(f, o->werror)) {
		if (f->warnings)
			emit_text(e, "%s %s (%u %s)\n", ok, passed, f->warnings,
				  plural(f->warnings, "warning", "warnings"));
		else
			emit_text(e, "%s %s\n", ok, passed);
		return;
	}
	if (!f->errors) {
		emit_text(e, "%s Validation failed with %u %s (--werror)\n",
			  fail, f->warnings,
			  plural(f->warnings, "warning", "warnings"));
		return;
	}
	emit_text(e, "%s Validation failed with %u %s", fail, f->errors,
		  plural(f->errors, "error", "errors"));
	if (f->warnings)
		emit_text(e, " and %u %s", f->warnings,
			  plural(f->warnings, "warning", "warnings"));
	emit_text(e, "\n");
}

void render_check_list(struct emitter *e)
{
	size_t i;

	emit_open_array(e, "checks");
	for (i = 0; i < check_count; i++) {
		const struct check *k = &check_table[i];
		const char *sev = k->flags & CHECK_BOTH	  ? "W/E"
				  : k->sev == SEV_ERROR	  ? "E"
				  : k->sev == SEV_WARNING ? "W"
							  : "I";

		emit_open_object(e, NULL);
		emit_string(e, "name", "%-28s", k->name);
		emit_string(e, "severity", "%-4s", sev);
		emit_string(e, "description", "%s\n", k->desc);
		emit_close_object(e);
	}
	emit_close_array(e);
}
