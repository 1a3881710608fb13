// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The emitter.  A front end keeps a stack of open containers and turns the
 * calls into a well-formed stream of events (begin, end, scalar), dropping
 * misuse instead of corrupting the document; two back ends write the
 * events as pretty-printed JSON or, through libyaml, as block-style YAML.
 * Text mode bypasses all of it and prints the format strings.
 */
#include "out/emit.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

enum frame_type {
	FR_OBJECT,
	FR_ARRAY,
};

struct frame {
	enum frame_type type;
	bool skip;     /* opened by a misused call: drop its contents */
	bool implicit; /* root object opened for a keyed root value */
	size_t count;  /* members written so far */
};

enum scalar_kind {
	SC_STRING,
	SC_NUMBER, /* text is a JSON/YAML number */
	SC_BOOL,   /* text is "true" or "false" */
	SC_NULL,
};

struct emitter {
	FILE *out;
	enum out_format fmt;
	struct frame *stack;
	size_t depth;
	size_t cap;
	bool root_done; /* a whole root value has been written */
	bool wrote;	/* anything written (JSON) */
	unsigned int misuse;

	yaml_emitter_t y;
	bool y_stream; /* STREAM-START sent */
	bool y_doc;    /* DOCUMENT-START sent, END not yet */
	bool y_failed;
	struct strbuf tmp;
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

/*
 * Length of the valid UTF-8 sequence at s (1..4), or 0 if the bytes there
 * are not one (overlong forms, surrogates and values past U+10FFFF
 * included).  s[0] >= 0x80.
 */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n, i;
	uint32_t cp;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

#define REPLACEMENT_CHAR "\xef\xbf\xbd"

/* ---- JSON back end ---- */

static void json_newline(struct emitter *e, size_t level)
{
	size_t i;

	fputc('\n', e->out);
	for (i = 0; i < level; i++)
		fputs("  ", e->out);
}

static void json_string(struct emitter *e, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	FILE *f = e->out;

	fputc('"', f);
	while (*s) {
		unsigned char c = *s;
		size_t n;

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fprintf(f, "\\u%04x", c);
			} else if (c < 0x80) {
				fputc(c, f);
			} else if ((n = utf8_seq(s)) != 0) {
				fwrite(s, 1, n, f);
				s += n;
				continue;
			} else {
				fputs(REPLACEMENT_CHAR, f);
			}
		}
		s++;
	}
	fputc('"', f);
}

/* Separator, indentation and key before a member of the current frame. */
static void json_member(struct emitter *e, const char *key)
{
	struct frame *top;

	e->wrote = true;
	if (!e->depth)
		return;
	top = &e->stack[e->depth - 1];
	if (top->count)
		fputc(',', e->out);
	json_newline(e, e->depth);
	if (key) {
		json_string(e, key);
		fputs(": ", e->out);
	}
}

/* ---- YAML back end ---- */

static void yaml_send(struct emitter *e, yaml_event_t *ev)
{
	if (!yaml_emitter_emit(&e->y, ev))
		e->y_failed = true;
}

static void yaml_begin_node(struct emitter *e)
{
	yaml_event_t ev;

	if (e->y_failed || e->y_doc)
		return;
	if (!e->y_stream) {
		yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
		yaml_send(e, &ev);
		e->y_stream = true;
	}
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	yaml_send(e, &ev);
	e->y_doc = true;
}

/*
 * Strings that a YAML reader would take for a number, boolean or null
 * when written plain; libyaml decides every other quoting itself.
 */
static bool yaml_ambiguous(const char *s)
{
	/* clang-format off */
	static const char *const words[] = {
		"null", "~", "true", "false", "yes", "no", "on", "off",
		"y", "n",
	};
	/* clang-format on */
	size_t i;

	if (!*s || strchr("0123456789+-.", *s))
		return true;
	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcasecmp(s, words[i]))
			return true;
	return false;
}

static void yaml_scalar(struct emitter *e, const char *text,
			enum scalar_kind kind)
{
	const unsigned char *s = (const unsigned char *)text;
	yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
	yaml_event_t ev;

	if (e->y_failed)
		return;
	/* libyaml refuses invalid UTF-8: replace it as JSON does. */
	sb_reset(&e->tmp);
	while (*s) {
		size_t n = *s < 0x80 ? 1 : utf8_seq(s);

		if (n) {
			sb_add(&e->tmp, s, n);
			s += n;
		} else {
			sb_adds(&e->tmp, REPLACEMENT_CHAR);
			s++;
		}
	}
	if (kind == SC_STRING && yaml_ambiguous(e->tmp.buf))
		style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
	yaml_scalar_event_initialize(&ev, NULL, NULL,
				     (const yaml_char_t *)e->tmp.buf,
				     (int)e->tmp.len, 1, 1, style);
	yaml_send(e, &ev);
}

/* ---- back-end dispatch ---- */

static void be_begin(struct emitter *e, const char *key, enum frame_type t)
{
	yaml_event_t ev;

	if (e->fmt == OUT_JSON) {
		json_member(e, key);
		fputc(t == FR_OBJECT ? '{' : '[', e->out);
		return;
	}
	yaml_begin_node(e);
	if (key)
		yaml_scalar(e, key, SC_STRING);
	if (e->y_failed)
		return;
	if (t == FR_OBJECT)
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						    YAML_BLOCK_MAPPING_STYLE);
	else
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						     YAML_BLOCK_SEQUENCE_STYLE);
	yaml_send(e, &ev);
}

/* Called after the frame was popped; count is its number of members. */
static void be_end(struct emitter *e, enum frame_type t, size_t count)
{
	yaml_event_t ev;

	if (e->fmt == OUT_JSON) {
		if (count)
			json_newline(e, e->depth);
		fputc(t == FR_OBJECT ? '}' : ']', e->out);
		return;
	}
	if (e->y_failed)
		return;
	if (t == FR_OBJECT)
		yaml_mapping_end_event_initialize(&ev);
	else
		yaml_sequence_end_event_initialize(&ev);
	yaml_send(e, &ev);
}

static void be_scalar(struct emitter *e, const char *key, const char *text,
		      enum scalar_kind kind)
{
	if (e->fmt == OUT_JSON) {
		json_member(e, key);
		if (kind == SC_STRING)
			json_string(e, text);
		else
			fputs(text, e->out);
		return;
	}
	yaml_begin_node(e);
	if (key)
		yaml_scalar(e, key, SC_STRING);
	yaml_scalar(e, text, kind);
}

static void be_finish(struct emitter *e)
{
	yaml_event_t ev;

	if (e->fmt == OUT_JSON) {
		if (e->wrote)
			fputc('\n', e->out);
		return;
	}
	if (e->y_doc && !e->y_failed) {
		yaml_document_end_event_initialize(&ev, 1);
		yaml_send(e, &ev);
	}
	/* STREAM-END flushes; libyaml asserts on a flush before START. */
	if (e->y_stream && !e->y_failed) {
		yaml_stream_end_event_initialize(&ev);
		yaml_send(e, &ev);
	}
}

/* ---- front end ---- */

static void push(struct emitter *e, enum frame_type t, bool skip, bool implicit)
{
	struct frame *f;

	e->stack = xgrow(e->stack, &e->cap, e->depth + 1, sizeof(*e->stack));
	f = &e->stack[e->depth++];
	f->type = t;
	f->skip = skip;
	f->implicit = implicit;
	f->count = 0;
}

/*
 * May a value with this key be written here?  Opens the implicit root
 * object for a keyed value at the top level, drops a key given inside an
 * array and refuses an unkeyed value inside an object.
 */
static bool admit(struct emitter *e, const char **key)
{
	struct frame *top;

	if (!e->depth) {
		if (e->root_done) {
			e->misuse++;
			return false;
		}
		if (!*key)
			return true;
		be_begin(e, NULL, FR_OBJECT);
		push(e, FR_OBJECT, false, true);
	}
	top = &e->stack[e->depth - 1];
	if (top->skip)
		return false;
	if (top->type == FR_ARRAY && *key) {
		e->misuse++;
		*key = NULL;
	} else if (top->type == FR_OBJECT && !*key) {
		e->misuse++;
		return false;
	}
	return true;
}

/* A value was written at the current level. */
static void written(struct emitter *e)
{
	if (e->depth)
		e->stack[e->depth - 1].count++;
	else
		e->root_done = true;
}

static void open_container(struct emitter *e, const char *key,
			   enum frame_type t)
{
	bool ok;

	if (e->fmt == OUT_TEXT)
		return;
	ok = admit(e, &key);
	if (ok)
		be_begin(e, key, t);
	push(e, t, !ok, false);
}

static void pop(struct emitter *e)
{
	struct frame f = e->stack[--e->depth];

	if (f.skip)
		return;
	be_end(e, f.type, f.count);
	written(e);
}

static void close_container(struct emitter *e, enum frame_type t)
{
	struct frame *top;

	if (e->fmt == OUT_TEXT)
		return;
	top = e->depth ? &e->stack[e->depth - 1] : NULL;
	if (!top || top->type != t || top->implicit) {
		e->misuse++;
		return;
	}
	pop(e);
}

static void scalar(struct emitter *e, const char *key, const char *text,
		   enum scalar_kind kind)
{
	if (!admit(e, &key))
		return;
	be_scalar(e, key, text, kind);
	written(e);
}

struct emitter *emit_new(FILE *out, enum out_format fmt)
{
	struct emitter *e = xzalloc(sizeof(*e));

	e->out = out;
	e->fmt = fmt;
	sb_init(&e->tmp);
	if (fmt == OUT_YAML) {
		if (!yaml_emitter_initialize(&e->y)) {
			e->y_failed = true;
		} else {
			yaml_emitter_set_output_file(&e->y, out);
			yaml_emitter_set_unicode(&e->y, 1);
			yaml_emitter_set_width(&e->y, -1);
			yaml_emitter_set_indent(&e->y, 2);
		}
	}
	return e;
}

void emit_free(struct emitter *e)
{
	if (!e)
		return;
	if (e->fmt != OUT_TEXT) {
		while (e->depth)
			pop(e);
		be_finish(e);
	}
	if (e->fmt == OUT_YAML)
		yaml_emitter_delete(&e->y);
	sb_free(&e->tmp);
	free(e->stack);
	free(e);
}

enum out_format emit_format(const struct emitter *e)
{
	return e->fmt;
}

unsigned int emit_misuse_count(const struct emitter *e)
{
	return e->misuse;
}

void emit_open_object(struct emitter *e, const char *key)
{
	open_container(e, key, FR_OBJECT);
}

void emit_close_object(struct emitter *e)
{
	close_container(e, FR_OBJECT);
}

void emit_open_array(struct emitter *e, const char *key)
{
	open_container(e, key, FR_ARRAY);
}

void emit_close_array(struct emitter *e)
{
	close_container(e, FR_ARRAY);
}

/*
 * The caller's format is a run-time string by design (iproute2's
 * json_print works the same way); the value types are fixed by the API.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"

static void text_str(struct emitter *e, const char *fmt, const char *v)
{
	fprintf(e->out, fmt, v);
}

static void text_u64(struct emitter *e, const char *fmt, uint64_t v)
{
	fprintf(e->out, fmt, v);
}

static void text_i64(struct emitter *e, const char *fmt, int64_t v)
{
	fprintf(e->out, fmt, v);
}

#pragma GCC diagnostic pop

void emit_string(struct emitter *e, const char *key, const char *fmt,
		 const char *value)
{
	if (e->fmt == OUT_TEXT) {
		if (fmt)
			text_str(e, fmt, value ? value : "-");
		return;
	}
	if (value)
		scalar(e, key, value, SC_STRING);
	else
		scalar(e, key, "null", SC_NULL);
}

void emit_uint(struct emitter *e, const char *key, const char *fmt,
	       uint64_t value)
{
	char buf[24];

	if (e->fmt == OUT_TEXT) {
		if (fmt)
			text_u64(e, fmt, value);
		return;
	}
	snprintf(buf, sizeof(buf), "%" PRIu64, value);
	scalar(e, key, buf, SC_NUMBER);
}

void emit_int(struct emitter *e, const char *key, const char *fmt,
	      int64_t value)
{
	char buf[24];

	if (e->fmt == OUT_TEXT) {
		if (fmt)
			text_i64(e, fmt, value);
		return;
	}
	snprintf(buf, sizeof(buf), "%" PRId64, value);
	scalar(e, key, buf, SC_NUMBER);
}

void emit_bool(struct emitter *e, const char *key, const char *fmt, bool value)
{
	const char *s = value ? "true" : "false";

	if (e->fmt == OUT_TEXT) {
		if (fmt)
			text_str(e, fmt, s);
		return;
	}
	scalar(e, key, s, SC_BOOL);
}

void emit_hex(struct emitter *e, const char *key, const char *fmt,
	      uint64_t value)
{
	emit_uint(e, key, fmt, value);
}

void emit_null(struct emitter *e, const char *key, const char *fmt)
{
	if (e->fmt == OUT_TEXT) {
		if (fmt)
			text_str(e, fmt, "-");
		return;
	}
	scalar(e, key, "null", SC_NULL);
}

void emit_text(struct emitter *e, const char *fmt, ...)
{
	va_list ap;

	if (e->fmt != OUT_TEXT)
		return;
	va_start(ap, fmt);
	vfprintf(e->out, fmt, ap);
	va_end(ap);
}
