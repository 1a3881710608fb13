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
 *
 * The text-mode format receives the value: a const char * for emit_string
 * ("-" for a NULL string), emit_bool ("true"/"false", as iproute2 does)
 * and emit_null ("-"); a uint64_t for emit_uint and emit_hex (use PRIu64,
 * PRIx64); an int64_t for emit_int.
 *
 * A keyed value at the top level opens an implicit root object, closed by
 * emit_free().  Misuse never corrupts the document: a key inside an array
 * is dropped (the value is kept), an unkeyed value inside an object, a
 * second root value and an unmatched close are ignored; the container
 * opened by an ignored call is skipped with everything in it.
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
/* Number of misused calls that were ignored (see above); for tests. */
unsigned int emit_misuse_count(const struct emitter *e);

#endif
