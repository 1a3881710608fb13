// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/emit.h"

/* Capture everything an emitter writes, from emit_new to emit_free. */
struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static struct emitter *cap_start(struct capture *c, enum out_format fmt)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	return emit_new(c->f, fmt);
}

/* Finish the document; the caller frees the returned string. */
static char *cap_end(struct capture *c, struct emitter *e)
{
	emit_free(e);
	fclose(c->f);
	return c->buf;
}

static void assert_output(const char *got, const char *want)
{
	if (strcmp(got, want)) {
		print_error("--- got ---\n%s--- want ---\n%s---\n", got, want);
		fail();
	}
}

/* A nested document touching every call. */
static void build(struct emitter *e)
{
	emit_text(e, "Instances\n");
	emit_open_object(e, NULL);
	emit_uint(e, "schema_version", NULL, 1);
	emit_string(e, "name", "Name: %s\n",
		    "web \"server\" \\ caf\xc3\xa9 \xe2\x9c\x93\n\t\x01\x7f");
	emit_bool(e, "valid", "Valid: %s\n", true);
	emit_bool(e, "degraded", NULL, false);
	emit_null(e, "kernel", "Kernel: %s\n");
	emit_string(e, "initrd", "Initrd: %s\n", NULL);
	emit_int(e, "delta", "Delta: %" PRId64 "\n", -42);
	emit_hex(e, "base", "Base: 0x%" PRIx64 "\n", 0x80000000ULL);
	emit_open_array(e, "instances");

	emit_open_object(e, NULL);
	emit_string(e, "name", "  %-8s", "web");
	emit_string(e, "cpus", " %s", "4-7");
	emit_uint(e, "id", " id=%" PRIu64 "\n", 1);
	emit_open_array(e, "devices");
	emit_string(e, NULL, "    dev %s\n", "eth0");
	emit_string(e, NULL, "    dev %s\n", "true");
	emit_close_array(e);
	emit_open_object(e, "memory");
	emit_hex(e, "base", "    at 0x%" PRIx64, 0x100000000ULL);
	emit_uint(e, "bytes", " size %" PRIu64 "\n", UINT64_MAX);
	emit_close_object(e);
	emit_close_object(e);

	emit_open_object(e, NULL);
	emit_string(e, "name", "  %-8s\n", "db");
	emit_open_array(e, "devices");
	emit_close_array(e);
	emit_open_object(e, "memory");
	emit_close_object(e);
	emit_close_object(e);

	emit_close_array(e);
	emit_open_array(e, "empty");
	emit_close_array(e);
	emit_open_object(e, "none");
	emit_close_object(e);
	emit_open_array(e, "matrix");
	emit_open_array(e, NULL);
	emit_uint(e, NULL, NULL, 0);
	emit_int(e, NULL, NULL, INT64_MIN);
	emit_close_array(e);
	emit_open_array(e, NULL);
	emit_close_array(e);
	emit_close_array(e);
	emit_string(e, "yaml: tricky", NULL, "a: b # c");
	emit_string(e, "empty_string", NULL, "");
	emit_string(e, "number_like", NULL, "0x10");
	emit_string(e, "null_like", NULL, "Null");
	emit_close_object(e);
	emit_text(e, "%d instances\n", 2);
}

static void test_text(void **state)
{
	struct capture c;
	struct emitter *e = cap_start(&c, OUT_TEXT);
	char *out;

	assert_int_equal(emit_format(e), OUT_TEXT);
	build(e);
	out = cap_end(&c, e);
	assert_output(
		out,
		"Instances\n"
		"Name: web \"server\" \\ caf\xc3\xa9 \xe2\x9c\x93\n\t\x01\x7f\n"
		"Valid: true\n"
		"Kernel: -\n"
		"Initrd: -\n"
		"Delta: -42\n"
		"Base: 0x80000000\n"
		"  web      4-7 id=1\n"
		"    dev eth0\n"
		"    dev true\n"
		"    at 0x100000000 size 18446744073709551615\n"
		"  db      \n"
		"2 instances\n");
	free(out);
}

static void test_json(void **state)
{
	struct capture c;
	struct emitter *e = cap_start(&c, OUT_JSON);
	char *out;

	assert_int_equal(emit_format(e), OUT_JSON);
	build(e);
	assert_int_equal(emit_misuse_count(e), 0);
	out = cap_end(&c, e);
	assert_output(out, "{\n"
			   "  \"schema_version\": 1,\n"
			   "  \"name\": \"web \\\"server\\\" \\\\ caf\xc3\xa9 "
			   "\xe2\x9c\x93\\n\\t\\u0001\\u007f\",\n"
			   "  \"valid\": true,\n"
			   "  \"degraded\": false,\n"
			   "  \"kernel\": null,\n"
			   "  \"initrd\": null,\n"
			   "  \"delta\": -42,\n"
			   "  \"base\": 2147483648,\n"
			   "  \"instances\": [\n"
			   "    {\n"
			   "      \"name\": \"web\",\n"
			   "      \"cpus\": \"4-7\",\n"
			   "      \"id\": 1,\n"
			   "      \"devices\": [\n"
			   "        \"eth0\",\n"
			   "        \"true\"\n"
			   "      ],\n"
			   "      \"memory\": {\n"
			   "        \"base\": 4294967296,\n"
			   "        \"bytes\": 18446744073709551615\n"
			   "      }\n"
			   "    },\n"
			   "    {\n"
			   "      \"name\": \"db\",\n"
			   "      \"devices\": [],\n"
			   "      \"memory\": {}\n"
			   "    }\n"
			   "  ],\n"
			   "  \"empty\": [],\n"
			   "  \"none\": {},\n"
			   "  \"matrix\": [\n"
			   "    [\n"
			   "      0,\n"
			   "      -9223372036854775808\n"
			   "    ],\n"
			   "    []\n"
			   "  ],\n"
			   "  \"yaml: tricky\": \"a: b # c\",\n"
			   "  \"empty_string\": \"\",\n"
			   "  \"number_like\": \"0x10\",\n"
			   "  \"null_like\": \"Null\"\n"
			   "}\n");
	free(out);
}

static void test_yaml(void **state)
{
	struct capture c;
	struct emitter *e = cap_start(&c, OUT_YAML);
	char *out;

	assert_int_equal(emit_format(e), OUT_YAML);
	build(e);
	assert_int_equal(emit_misuse_count(e), 0);
	out = cap_end(&c, e);
	assert_output(out, "schema_version: 1\n"
			   "name: \"web \\\"server\\\" \\\\ caf\xc3\xa9 "
			   "\xe2\x9c\x93\\n\\t\\x01\\x7F\"\n"
			   "valid: true\n"
			   "degraded: false\n"
			   "kernel: null\n"
			   "initrd: null\n"
			   "delta: -42\n"
			   "base: 2147483648\n"
			   "instances:\n"
			   "- name: web\n"
			   "  cpus: '4-7'\n"
			   "  id: 1\n"
			   "  devices:\n"
			   "  - eth0\n"
			   "  - 'true'\n"
			   "  memory:\n"
			   "    base: 4294967296\n"
			   "    bytes: 18446744073709551615\n"
			   "- name: db\n"
			   "  devices: []\n"
			   "  memory: {}\n"
			   "empty: []\n"
			   "none: {}\n"
			   "matrix:\n"
			   "- - 0\n"
			   "  - -9223372036854775808\n"
			   "- []\n"
			   "'yaml: tricky': 'a: b # c'\n"
			   "empty_string: ''\n"
			   "number_like: '0x10'\n"
			   "null_like: 'Null'\n");
	free(out);
}

/* Run fn in JSON and YAML mode and compare both outputs. */
static void both(void (*fn)(struct emitter *), const char *json,
		 const char *yaml, unsigned int misuse)
{
	struct capture c;
	struct emitter *e;
	char *out;

	e = cap_start(&c, OUT_JSON);
	fn(e);
	assert_int_equal(emit_misuse_count(e), misuse);
	out = cap_end(&c, e);
	assert_output(out, json);
	free(out);

	e = cap_start(&c, OUT_YAML);
	fn(e);
	assert_int_equal(emit_misuse_count(e), misuse);
	out = cap_end(&c, e);
	assert_output(out, yaml);
	free(out);

	/* and text mode ignores it all */
	e = cap_start(&c, OUT_TEXT);
	fn(e);
	assert_int_equal(emit_misuse_count(e), 0);
	out = cap_end(&c, e);
	free(out);
}

static void doc_nothing(struct emitter *e)
{
}

static void doc_implicit_root(struct emitter *e)
{
	emit_uint(e, "schema_version", NULL, 1);
	emit_open_array(e, "list");
	emit_bool(e, NULL, NULL, true);
	/* list and root left open: emit_free closes them */
}

static void doc_root_scalar(struct emitter *e)
{
	emit_string(e, NULL, NULL, "only");
	emit_string(e, NULL, NULL, "second root"); /* misuse */
	emit_open_object(e, NULL);		   /* misuse */
	emit_uint(e, "x", NULL, 1);
	emit_close_object(e);
}

static void doc_misuse(struct emitter *e)
{
	emit_close_object(e); /* nothing open */
	emit_close_array(e);  /* nothing open */
	emit_open_object(e, NULL);
	emit_uint(e, NULL, NULL, 1); /* no key in object */
	emit_close_array(e);	     /* wrong type */
	emit_open_object(e, NULL);   /* no key: skipped */
	emit_uint(e, "hidden", NULL, 2);
	emit_open_array(e, "hidden_too");
	emit_close_array(e);
	emit_close_object(e);
	emit_open_array(e, "a");
	emit_uint(e, "k", NULL, 3); /* key in array */
	emit_open_object(e, "o");   /* key in array */
	emit_close_object(e);
	emit_close_array(e);
	emit_uint(e, "after", NULL, 4);
	emit_close_object(e);
	emit_close_object(e);	       /* too many */
	emit_uint(e, "late", NULL, 5); /* second root */
}

static void doc_bad_utf8(struct emitter *e)
{
	emit_open_object(e, NULL);
	/* stray continuation, truncated, overlong, surrogate, > U+10FFFF */
	emit_string(e, "s", NULL,
		    "a\x80"
		    "b\xc3(\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80z");
	emit_string(e, "k\xff", NULL, "\xf0\x9f\x98\x80");
	emit_close_object(e);
}

static void test_implicit_root(void **state)
{
	both(doc_nothing, "", "", 0);
	both(doc_implicit_root,
	     "{\n"
	     "  \"schema_version\": 1,\n"
	     "  \"list\": [\n"
	     "    true\n"
	     "  ]\n"
	     "}\n",
	     "schema_version: 1\n"
	     "list:\n"
	     "- true\n",
	     0);
	both(doc_root_scalar, "\"only\"\n", "only\n", 2);
}

static void test_misuse(void **state)
{
	both(doc_misuse,
	     "{\n"
	     "  \"a\": [\n"
	     "    3,\n"
	     "    {}\n"
	     "  ],\n"
	     "  \"after\": 4\n"
	     "}\n",
	     "a:\n"
	     "- 3\n"
	     "- {}\n"
	     "after: 4\n",
	     9);
}

static void test_bad_utf8(void **state)
{
	both(doc_bad_utf8,
	     "{\n"
	     "  \"s\": \"a\xef\xbf\xbd"
	     "b\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbd"
	     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	     "\xef\xbf\xbd\xef\xbf\xbdz\",\n"
	     "  \"k\xef\xbf\xbd\": \"\xf0\x9f\x98\x80\"\n"
	     "}\n",
	     /* libyaml escapes characters beyond the BMP */
	     "s: a\xef\xbf\xbd"
	     "b\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbd"
	     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	     "\xef\xbf\xbd\xef\xbf\xbdz\n"
	     "k\xef\xbf\xbd: \"\\U0001F600\"\n",
	     0);
}

static void deep(struct emitter *e)
{
	int i;

	for (i = 0; i < 1000; i++)
		emit_open_array(e, i ? NULL : "deep");
	emit_uint(e, NULL, NULL, 7);
	for (i = 0; i < 1000; i++)
		emit_close_array(e);
}

static void test_deep(void **state)
{
	struct capture c;
	struct emitter *e;
	char *out;
	int f;

	for (f = OUT_JSON; f <= OUT_YAML; f++) {
		e = cap_start(&c, (enum out_format)f);
		deep(e);
		out = cap_end(&c, e);
		assert_non_null(strstr(out, "7"));
		assert_true(out[strlen(out) - 1] == '\n');
		free(out);
	}
}

static void test_text_null_formats(void **state)
{
	struct capture c;
	struct emitter *e = cap_start(&c, OUT_TEXT);
	char *out;

	emit_open_object(e, "x");
	emit_string(e, "a", NULL, "hidden");
	emit_uint(e, "b", NULL, 1);
	emit_int(e, "c", NULL, -1);
	emit_bool(e, "d", NULL, true);
	emit_hex(e, "e", NULL, 255);
	emit_null(e, "f", NULL);
	emit_hex(e, "g", "%#" PRIx64 "/", 255);
	emit_null(e, "h", "none/");
	emit_bool(e, "i", "%s/", false);
	emit_close_array(e);
	emit_close_object(e);
	emit_close_object(e);
	out = cap_end(&c, e);
	assert_output(out, "0xff/none/false/");
	free(out);
}

static void test_format_parse(void **state)
{
	assert_int_equal(out_format_parse("text"), OUT_TEXT);
	assert_int_equal(out_format_parse("json"), OUT_JSON);
	assert_int_equal(out_format_parse("yaml"), OUT_YAML);
	assert_int_equal(out_format_parse("JSON"), -1);
	assert_int_equal(out_format_parse(""), -1);
	assert_int_equal(out_format_parse("yml"), -1);
	emit_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_yaml),
		cmocka_unit_test(test_implicit_root),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_text_null_formats),
		cmocka_unit_test(test_format_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
