/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One emitter for text, JSON and YAML, in the manner of iproute2's
 * json_print: every call names a key (for JSON/YAML) and a printf format
 * (for text), so a command writes its output once and the three forms
 * cannot drift apart.
 *
 *	emit_open_object(e, NULL);
 *	emit_string(e, "name", "Instance %s\n", name);
 *	emit_uint(e, "cpus", "  CPUs: %" PRIu64 "\n", n);
 *	emit_close_object(e);
 *
 * In text mode only the format strings are printed (a NULL format prints
 * nothing); in JSON/YAML mode only keys and values are (emit_text() is
 * ignored there).  Strings are escaped as each format requires.
 */
#ifndef KERF_OUT_EMIT_H
#define KERF_OUT_EMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/util.h"

enum out_format {
	OUT_TEXT,
	OUT_JSON,
	OUT_YAML,
};

/* Parse "text", "json", "yaml"; -1 if unknown. */
int out_format_parse(const char *s);

struct emitter;

struct emitter *emit_new(FILE *out, enum out_format fmt);
/* Finish the document (newline after JSON, end of YAML stream) and free. */
void emit_free(struct emitter *e);
enum out_format emit_format(const struct emitter *e);

/* key is NULL for the top level and for array elements. */
void emit_open_object(struct emitter *e, const char *key);
void emit_close_object(struct emitter *e);
void emit_open_array(struct emitter *e, const char *key);
void emit_close_array(struct emitter *e);

void emit_string(struct emitter *e, const char *key, const char *fmt,
		 const char *value);	/* value NULL: JSON null */
void emit_uint(struct emitter *e, const char *key, const char *fmt,
	       uint64_t value);
void emit_int(struct emitter *e, const char *key, const char *fmt,
	      int64_t value);
void emit_bool(struct emitter *e, const char *key, const char *fmt,
	       bool value);
/* A number printed as hex in text ("0x80000000") and as a number in data. */
void emit_hex(struct emitter *e, const char *key, const char *fmt,
	      uint64_t value);
void emit_null(struct emitter *e, const char *key, const char *fmt);
/* Text-mode-only output; ignored for JSON/YAML. */
void emit_text(struct emitter *e, const char *fmt, ...) PRINTF(2, 3);

#endif
