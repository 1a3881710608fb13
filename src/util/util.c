// SPDX-License-Identifier: GPL-2.0-or-later
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void xoom(void)
{
	fputs("kerf: fatal: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		xoom();
	return p;
}

void *xzalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		xoom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		xoom();
	return p;
}

void *xgrow(void *p, size_t *cap, size_t want, size_t elem)
{
	size_t n = *cap ? *cap : 8;

	if (want <= *cap)
		return p;
	while (n < want)
		n *= 2;
	if (n > SIZE_MAX / elem)
		xoom();
	*cap = n;
	return xrealloc(p, n * elem);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	struct strbuf sb;

	sb_init(&sb);
	sb_vaddf(&sb, fmt, ap);
	return sb_detach(&sb, NULL);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void sb_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
}

void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

static void sb_reserve(struct strbuf *sb, size_t extra)
{
	sb->buf = xgrow(sb->buf, &sb->cap, sb->len + extra + 1, 1);
}

void sb_add(struct strbuf *sb, const void *data, size_t len)
{
	sb_reserve(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void sb_addc(struct strbuf *sb, char c)
{
	sb_reserve(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

void sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	sb_reserve(sb, 64);
	va_copy(aq, ap);
	n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if ((size_t)n >= sb->cap - sb->len) {
		sb_reserve(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

char *sb_detach(struct strbuf *sb, size_t *len)
{
	char *p;

	if (!sb->buf)
		sb_reserve(sb, 0), sb->buf[0] = '\0';
	p = sb->buf;
	if (len)
		*len = sb->len;
	sb_init(sb);
	return p;
}

/* FNV-1a: short keys, good spread, no seed needed for trusted input. */
/*
 * Keys are hashed eight bytes at a time (multiply and fold), several
 * times faster than a byte-wise hash on the short names of a device tree.
 */
uint32_t strmap_hash(const char *s, size_t len)
{
	const uint64_t k = UINT64_C(0x9e3779b97f4a7c15);
	uint64_t h = (len + 1) * k, w;
	uint32_t a, b;
	size_t n;

	for (n = len; n > 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	/* the last 0..8 bytes, read with fixed-size (overlapping) loads */
	if (len >= 8) {
		memcpy(&w, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		w = (uint64_t)a << 32 | b;
	} else if (n) {
		w = (uint64_t)(unsigned char)s[0] << 16 |
		    (uint64_t)(unsigned char)s[n / 2] << 8 |
		    (unsigned char)s[n - 1];
	} else {
		w = 0;
	}
	h = (h ^ w) * k;
	h ^= h >> 29;
	h *= k;
	return (uint32_t)(h >> 32);
}

void strmap_init(struct strmap *m)
{
	m->slots = NULL;
	m->cap = 0;
	m->count = 0;
}

void strmap_free(struct strmap *m)
{
	free(m->slots);
	strmap_init(m);
}

static inline __attribute__((always_inline)) struct strmap_entry *
strmap_find(const struct strmap *m, const char *key, size_t len, uint32_t h)
{
	uint32_t klen = len < UINT32_MAX ? (uint32_t)len : UINT32_MAX;
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct strmap_entry *e = &m->slots[i];

		if (!e->key)
			return e;
		if (e->hash == h && e->len == klen &&
		    memcmp(e->key, key, len) == 0)
			return e;
	}
}

void *strmap_getn(const struct strmap *m, const char *key, size_t len)
{
	struct strmap_entry *e = strmap_find(m, key, len, strmap_hash(key, len));

	return e && e->key ? e->value : NULL;
}

/* The hash of a NUL-terminated key, and its length. */
static inline uint32_t hash_cstr(const char *s, size_t *len)
{
	*len = strlen(s);
	return strmap_hash(s, *len);
}

void *strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_entry *e;
	size_t len;
	uint32_t h;

	if (!m->cap)
		return NULL;
	h = hash_cstr(key, &len);
	e = strmap_find(m, key, len, h);
	return e && e->key ? e->value : NULL;
}

static void strmap_rehash(struct strmap *m, size_t cap)
{
	struct strmap_entry *old = m->slots;
	size_t oldcap = m->cap, i;

	m->slots = xzalloc(cap * sizeof(*m->slots));
	m->cap = cap;
	/* Keys are unique: each goes to the first free slot of its chain. */
	for (i = 0; i < oldcap; i++) {
		size_t j;

		if (!old[i].key)
			continue;
		for (j = old[i].hash & (cap - 1); m->slots[j].key;
		     j = (j + 1) & (cap - 1))
			;
		m->slots[j] = old[i];
	}
	free(old);
}

/* Grow at 3/4 full; the capacity stays a power of two. */
static void strmap_make_room(struct strmap *m, size_t count)
{
	size_t cap = m->cap ? m->cap : 16;

	while (count * 4 >= cap * 3)
		cap *= 2;
	if (cap != m->cap)
		strmap_rehash(m, cap);
}

void strmap_reserve(struct strmap *m, size_t n)
{
	strmap_make_room(m, n);
}

static void *strmap_insert(struct strmap *m, const char *key, void *value,
			   bool replace)
{
	size_t len;
	uint32_t h = hash_cstr(key, &len);
	struct strmap_entry *e;
	void *prev;

	strmap_make_room(m, m->count + 1);
	e = strmap_find(m, key, len, h);
	if (e->key) {
		prev = e->value;
		if (replace)
			e->value = value;
		return prev;
	}
	e->key = key;
	e->hash = h;
	e->len = len < UINT32_MAX ? (uint32_t)len : UINT32_MAX;
	e->value = value;
	m->count++;
	return NULL;
}

void *strmap_put(struct strmap *m, const char *key, void *value)
{
	return strmap_insert(m, key, value, true);
}

void *strmap_add(struct strmap *m, const char *key, void *value)
{
	return strmap_insert(m, key, value, false);
}

void *strmap_remove(struct strmap *m, const char *key)
{
	size_t len;
	uint32_t h = hash_cstr(key, &len);
	struct strmap_entry *e = strmap_find(m, key, len, h);
	size_t i, j;
	void *prev;

	if (!e || !e->key)
		return NULL;
	prev = e->value;
	/* Backward-shift deletion keeps probe chains intact. */
	i = (size_t)(e - m->slots);
	for (j = (i + 1) & (m->cap - 1); m->slots[j].key;
	     j = (j + 1) & (m->cap - 1)) {
		size_t home = m->slots[j].hash & (m->cap - 1);

		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].key = NULL;
	m->count--;
	return prev;
}

bool strmap_next(const struct strmap *m, size_t *iter,
		 const struct strmap_entry **e)
{
	while (*iter < m->cap) {
		const struct strmap_entry *s = &m->slots[(*iter)++];

		if (s->key) {
			*e = s;
			return true;
		}
	}
	return false;
}

int read_fd(int fd, char **data, size_t *len)
{
	struct strbuf sb;
	struct stat st;

	sb_init(&sb);
	/* a regular file is read into a buffer of its size (+1 to see EOF) */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size < SIZE_MAX / 2)
		sb_reserve(&sb, (size_t)st.st_size + 1);
	for (;;) {
		ssize_t n;

		if (sb.cap - sb.len <= 1)
			sb_reserve(&sb, 65536);
		n = read(fd, sb.buf + sb.len, sb.cap - sb.len - 1);
		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			sb_free(&sb);
			return -err;
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
	}
	sb.buf[sb.len] = '\0';
	*data = sb_detach(&sb, len);
	return 0;
}

int read_file(const char *path, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = read_fd(fd, data, len);
	close(fd);
	return ret;
}

int write_file(const char *path, const void *data, size_t len)
{
	const char *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			close(fd);
			return -err;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0)
		return -errno;
	return 0;
}

void xqsort(void *base, size_t n, size_t size,
	    int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

unsigned int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned int *row = xmalloc((lb + 1) * sizeof(*row));
	unsigned int d;

	for (j = 0; j <= lb; j++)
		row[j] = (unsigned int)j;
	for (i = 1; i <= la; i++) {
		unsigned int diag = row[0];

		row[0] = (unsigned int)i;
		for (j = 1; j <= lb; j++) {
			unsigned int up = row[j];
			unsigned int best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	d = row[lb];
	free(row);
	return d;
}
