// SPDX-License-Identifier: GPL-2.0-or-later
/* STUB: replaced by the emitter implementation. */
#include "out/emit.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct emitter {
	FILE *out;
	enum out_format fmt;
};

int out_format_parse(const char *s)
{
	if (!strcmp(s, "text"))
		return OUT_TEXT;
	if (!strcmp(s, "json"))
		return OUT_JSON;
	if (!strcmp(s, "yaml"))
		return OUT_YAML;
	return -1;
}

struct emitter *emit_new(FILE *out, enum out_format fmt)
{
	struct emitter *e = xzalloc(sizeof(*e));

	e->out = out;
	e->fmt = fmt;
	return e;
}

void emit_free(struct emitter *e)
{
	free(e);
}

enum out_format emit_format(const struct emitter *e)
{
	return e->fmt;
}

void emit_open_object(struct emitter *e, const char *key) {}
void emit_close_object(struct emitter *e) {}
void emit_open_array(struct emitter *e, const char *key) {}
void emit_close_array(struct emitter *e) {}
void emit_string(struct emitter *e, const char *key, const char *fmt,
		 const char *value) {}
void emit_uint(struct emitter *e, const char *key, const char *fmt,
	       uint64_t value) {}
void emit_int(struct emitter *e, const char *key, const char *fmt,
	      int64_t value) {}
void emit_bool(struct emitter *e, const char *key, const char *fmt,
	       bool value) {}
void emit_hex(struct emitter *e, const char *key, const char *fmt,
	      uint64_t value) {}
void emit_null(struct emitter *e, const char *key, const char *fmt) {}

void emit_text(struct emitter *e, const char *fmt, ...)
{
	va_list ap;

	if (e->fmt != OUT_TEXT)
		return;
	va_start(ap, fmt);
	vfprintf(e->out, fmt, ap);
	va_end(ap);
}
