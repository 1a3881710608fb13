/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small shared helpers: checked allocation, growable strings, a string-keyed
 * hash map.  Allocation failure aborts: kerf cannot do anything useful
 * without memory, and every caller checking for it would hide real errors.
 */
#ifndef KERF_UTIL_H
#define KERF_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED __attribute__((unused))
#define PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Report that memory ran out and abort. */
__attribute__((noreturn)) void xoom(void);
void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xrealloc(void *p, size_t n);
/* Grow an array to hold at least want elements (doubling). */
void *xgrow(void *p, size_t *cap, size_t want, size_t elem);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) PRINTF(1, 0);

/* Growable byte/character buffer; buf is always NUL terminated. */
struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};

void sb_init(struct strbuf *sb);
void sb_free(struct strbuf *sb);
void sb_reset(struct strbuf *sb);
void sb_add(struct strbuf *sb, const void *data, size_t len);
void sb_addc(struct strbuf *sb, char c);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addf(struct strbuf *sb, const char *fmt, ...) PRINTF(2, 3);
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap) PRINTF(2, 0);
/* Hand the buffer to the caller (never NULL) and reset sb. */
char *sb_detach(struct strbuf *sb, size_t *len);

/*
 * Open-addressing hash map from NUL-terminated string keys to pointers.
 * Keys are not copied: they must live as long as the map.
 */
struct strmap_entry {
	const char *key;
	void *value;
	uint32_t hash;
	uint32_t len;	/* of key, saturated at UINT32_MAX */
};

struct strmap {
	struct strmap_entry *slots;
	size_t cap; /* power of two, or 0 */
	size_t count;
};

void strmap_init(struct strmap *m);
void strmap_free(struct strmap *m);
uint32_t strmap_hash(const char *s, size_t len);
void *strmap_get(const struct strmap *m, const char *key);
void *strmap_getn(const struct strmap *m, const char *key, size_t len);
/* Insert or replace; returns the previous value or NULL. */
void *strmap_put(struct strmap *m, const char *key, void *value);
/* Put key -> value unless key is there: NULL if added, else its value. */
void *strmap_add(struct strmap *m, const char *key, void *value);
/* Room for n keys in all without growing (for a known number of keys). */
void strmap_reserve(struct strmap *m, size_t n);
void *strmap_remove(struct strmap *m, const char *key);
/* Iterate: for (i = 0; strmap_next(m, &i, &e);) */
bool strmap_next(const struct strmap *m, size_t *iter,
		 const struct strmap_entry **e);

/* Read a whole file (to EOF, never trusting st_size); 0 or -errno. */
int read_file(const char *path, char **data, size_t *len);
/* Read everything from an open descriptor to EOF; 0 or -errno. */
int read_fd(int fd, char **data, size_t *len);
/* Write a whole buffer to path (created/truncated, mode 0644); 0 or -errno. */
int write_file(const char *path, const void *data, size_t len);

/*
 * qsort that accepts an empty or one-element array with a NULL base
 * (qsort itself must not be given NULL, even with n == 0).
 */
void xqsort(void *base, size_t n, size_t size,
	    int (*cmp)(const void *, const void *));

/* Levenshtein distance, for "did you mean". */
unsigned int edit_distance(const char *a, const char *b);

#endif
