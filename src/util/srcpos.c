// SPDX-License-Identifier: GPL-2.0-or-later
#include "util/srcpos.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

void srcfiles_init(struct srcfiles *sf)
{
	sf->head = NULL;
}

void srcfiles_free(struct srcfiles *sf)
{
	struct srcfile *f, *next;

	for (f = sf->head; f; f = next) {
		next = f->next;
		free(f->name);
		free(f->dir);
		free(f->text);
		free(f->line_start);
		free(f);
	}
	sf->head = NULL;
}

static char *dir_of(const char *name)
{
	const char *slash = strrchr(name, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == name)
		return xstrdup("/");
	return xstrndup(name, (size_t)(slash - name));
}

struct srcfile *srcfiles_add(struct srcfiles *sf, const char *name,
			     const char *text, size_t len)
{
	struct srcfile *f, **tail = &sf->head;

	for (f = sf->head; f; f = f->next) {
		if (strcmp(f->name, name) == 0) {
			if (text && !f->text) {
				f->text = xstrndup(text, len);
				f->len = len;
			}
			return f;
		}
		tail = &f->next;
	}
	f = xzalloc(sizeof(*f));
	f->name = xstrdup(name);
	f->dir = dir_of(name);
	if (text) {
		f->text = xstrndup(text, len);
		f->len = len;
	}
	*tail = f;
	return f;
}

static void build_index(struct srcfile *f)
{
	size_t cap = 0, i;

	f->nlines = 0;
	f->line_start = xgrow(NULL, &cap, 1, sizeof(size_t));
	f->line_start[f->nlines++] = 0;
	for (i = 0; i < f->len; i++) {
		if (f->text[i] == '\n' && i + 1 <= f->len) {
			f->line_start = xgrow(f->line_start, &cap,
					      f->nlines + 1, sizeof(size_t));
			f->line_start[f->nlines++] = i + 1;
		}
	}
}

const char *srcfile_line(struct srcfile *f, uint32_t line, size_t *len)
{
	size_t start, end;

	if (!f || line == 0)
		return NULL;
	if (!f->text) {
		char *data;
		size_t n;

		if (read_file(f->name, &data, &n) < 0)
			return NULL;
		f->text = data;
		f->len = n;
	}
	if (!f->line_start)
		build_index(f);
	if (line > f->nlines)
		return NULL;
	start = f->line_start[line - 1];
	end = start;
	while (end < f->len && f->text[end] != '\n')
		end++;
	if (end > start && f->text[end - 1] == '\r')
		end--;
	*len = end - start;
	return f->text + start;
}
