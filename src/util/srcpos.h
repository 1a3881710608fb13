/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Source files and positions.  Every token, node, property and value kerf
 * reads from a DTS keeps a struct srcpos, so any diagnostic can say
 * file:line:col and quote the line.  Columns are 1-based byte columns
 * (a tab is one column), as dtc counts them.
 */
#ifndef KERF_SRCPOS_H
#define KERF_SRCPOS_H

#include <stddef.h>
#include <stdint.h>

struct srcfile {
	char *name;	/* as the user or a line marker spelled it */
	char *dir;	/* directory for relative /include/ and /incbin/ */
	char *text;	/* contents, NUL terminated; NULL until loaded */
	size_t len;
	size_t *line_start; /* lazily built index: offset of each line */
	size_t nlines;
	struct srcfile *next;
};

struct srcpos {
	struct srcfile *file; /* NULL: no position (e.g. read from a DTB) */
	uint32_t line;	/* 1-based */
	uint32_t col;	/* 1-based byte column */
};

/* All files a tree was read from; owns every srcfile. */
struct srcfiles {
	struct srcfile *head;
};

void srcfiles_init(struct srcfiles *sf);
void srcfiles_free(struct srcfiles *sf);
/*
 * Register a file by name, reusing an existing entry of the same name.
 * text may be NULL (a name from a cpp line marker): it is loaded from disk
 * when a line is quoted.  text is copied.
 */
struct srcfile *srcfiles_add(struct srcfiles *sf, const char *name,
			     const char *text, size_t len);
/* Text of line (1-based) without its newline, or NULL if unavailable. */
const char *srcfile_line(struct srcfile *f, uint32_t line, size_t *len);
static inline const char *srcpos_file(const struct srcpos *p)
{
	return p && p->file ? p->file->name : NULL;
}

#endif
