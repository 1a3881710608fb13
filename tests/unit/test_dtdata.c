// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt/dt.h"
#include "out/dtdata.h"

static const char small_dts[] = "/dts-v1/;\n"
				"/memreserve/ 0x1000 0x2000;\n"
				"/ {\n"
				"\tmodel = \"kerf,test\";\n"
				"\tcompatible = \"a,b\", \"c\";\n"
				"\tcpus {\n"
				"\t\tc0: cpu@0 { reg = <0>; };\n"
				"\t};\n"
				"\tintc: intc { ic; };\n"
				"\tdev@10 {\n"
				"\t\tr: reg = <0x10 0x20>, <0x30>;\n"
				"\t\tinterrupt-parent = <&intc>;\n"
				"\t\tmac = [00 1a 2B];\n"
				"\t\tw = /bits/ 16 <1 2>;\n"
				"\t\tbig = /bits/ 64 <0x100000000>;\n"
				"\t\tmix = \"s\", <&c0 7>;\n"
				"\t\talias = &c0;\n"
				"\t};\n"
				"};\n";

static struct dt_tree *parse(const char *text)
{
	struct dt_resolve_opts ro = {0};
	struct dt_parse_opts po = {0};
	struct dt_tree *t = NULL;
	struct diags d;

	diags_init(&d);
	assert_int_equal(
		dts_parse_string("t.dts", text, strlen(text), &po, &t, &d), 0);
	assert_int_equal(dt_resolve(t, &ro, &d), 0);
	diags_free(&d);
	return t;
}

static char *render(const struct dt_tree *t, enum out_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct emitter *e;

	assert_non_null(f);
	e = emit_new(f, fmt);
	dtdata_emit(e, t);
	assert_int_equal(emit_misuse_count(e), 0);
	emit_free(e);
	fclose(f);
	return buf;
}

static void assert_has(const char *got, const char *want)
{
	if (!strstr(got, want)) {
		print_error("--- got ---\n%s--- missing ---\n%s---\n", got,
			    want);
		fail();
	}
}

/* The whole document of a tiny tree. */
static void test_json_tiny(void **state)
{
	struct dt_tree *t = parse("/dts-v1/;\n/ {\n\tl: x = <1>, <&n>;\n"
				  "\tn: n@1 { e; };\n};\n");
	char *s = render(t, OUT_JSON);

	assert_string_equal(s, "{\n"
			       "  \"schema_version\": 1,\n"
			       "  \"memreserve\": [],\n"
			       "  \"boot_cpuid\": 0,\n"
			       "  \"root\": {\n"
			       "    \"name\": \"\",\n"
			       "    \"path\": \"/\",\n"
			       "    \"labels\": [],\n"
			       "    \"properties\": [\n"
			       "      {\n"
			       "        \"name\": \"x\",\n"
			       "        \"type\": \"cells\",\n"
			       "        \"value\": [\n"
			       "          1,\n"
			       "          1\n"
			       "        ],\n"
			       "        \"refs\": [\n"
			       "          {\n"
			       "            \"index\": 1,\n"
			       "            \"ref\": \"n\"\n"
			       "          }\n"
			       "        ],\n"
			       "        \"labels\": [\n"
			       "          \"l\"\n"
			       "        ]\n"
			       "      }\n"
			       "    ],\n"
			       "    \"children\": [\n"
			       "      {\n"
			       "        \"name\": \"n@1\",\n"
			       "        \"path\": \"/n@1\",\n"
			       "        \"labels\": [\n"
			       "          \"n\"\n"
			       "        ],\n"
			       "        \"properties\": [\n"
			       "          {\n"
			       "            \"name\": \"e\",\n"
			       "            \"type\": \"empty\",\n"
			       "            \"value\": true,\n"
			       "            \"labels\": []\n"
			       "          },\n"
			       "          {\n"
			       "            \"name\": \"phandle\",\n"
			       "            \"type\": \"cells\",\n"
			       "            \"value\": [\n"
			       "              1\n"
			       "            ],\n"
			       "            \"labels\": []\n"
			       "          }\n"
			       "        ],\n"
			       "        \"children\": []\n"
			       "      }\n"
			       "    ]\n"
			       "  }\n"
			       "}\n");
	free(s);
	dt_tree_free(t);
}

/* Every value type a source tree carries, by its markers. */
static void test_json_types(void **state)
{
	struct dt_tree *t = parse(small_dts);
	char *s = render(t, OUT_JSON);

	assert_has(s, "\"address\": 4096,\n      \"size\": 8192,");
	assert_has(s, "\"name\": \"model\",\n        \"type\": \"string\",\n"
		      "        \"value\": \"kerf,test\",");
	assert_has(s, "\"type\": \"strings\",\n        \"value\": [\n"
		      "          \"a,b\",\n          \"c\"\n        ],");
	assert_has(s, "\"path\": \"/cpus/cpu@0\",\n            \"labels\": [\n"
		      "              \"c0\"");
	/* <0x10 0x20>, <0x30> is one list of cells */
	assert_has(s, "\"name\": \"reg\",\n            \"type\": \"cells\",\n"
		      "            \"value\": [\n              16,\n"
		      "              32,\n              48\n            ],\n"
		      "            \"labels\": [\n              \"r\"");
	assert_has(s, "\"value\": [\n              1\n            ],\n"
		      "            \"refs\": [\n              {\n"
		      "                \"index\": 0,\n"
		      "                \"ref\": \"intc\"");
	assert_has(s,
		   "\"type\": \"bytes\",\n            \"value\": \"001a2b\"");
	assert_has(s, "\"type\": \"u16\",\n            \"value\": [\n"
		      "              1,\n              2\n");
	assert_has(s, "\"type\": \"u64\",\n            \"value\": [\n"
		      "              4294967296\n");
	assert_has(s, "\"type\": \"mixed\",\n            \"value\": [\n"
		      "              {\n                \"type\": \"string\",\n"
		      "                \"value\": \"s\"\n              },\n"
		      "              {\n                \"type\": \"cells\",\n"
		      "                \"value\": [\n                  2,\n"
		      "                  7\n                ],\n"
		      "                \"refs\": [\n");
	assert_has(s,
		   "\"name\": \"alias\",\n            \"type\": \"string\",\n"
		   "            \"value\": \"/cpus/cpu@0\",\n"
		   "            \"refs\": [\n              {\n"
		   "                \"index\": 0,\n"
		   "                \"ref\": \"c0\"");
	free(s);
	dt_tree_free(t);
}

/* A tree read from a blob is typed as dtc guesses when decompiling. */
static void test_json_from_blob(void **state)
{
	struct dt_tree *t = parse(small_dts), *b = NULL;
	struct diags d;
	void *blob;
	size_t len;
	char *s;

	diags_init(&d);
	assert_int_equal(dtb_write(t, &blob, &len, &d), 0);
	assert_int_equal(dtb_read(blob, len, "t.dtb", &b, &d), 0);
	s = render(b, OUT_JSON);
	assert_has(s, "\"type\": \"strings\",\n        \"value\": [\n"
		      "          \"a,b\",\n          \"c\"\n");
	assert_has(s,
		   "\"type\": \"bytes\",\n            \"value\": \"001a2b\"");
	/* /bits/ 16 <1 2> is four bytes: one cell to dtc */
	assert_has(s, "\"name\": \"w\",\n            \"type\": \"cells\",\n"
		      "            \"value\": [\n              65538\n");
	assert_has(s,
		   "\"name\": \"alias\",\n            \"type\": \"string\",\n"
		   "            \"value\": \"/cpus/cpu@0\",\n"
		   "            \"labels\"");
	assert_null(strstr(s, "\"refs\""));
	assert_null(strstr(s, "\"mixed\""));
	free(s);
	free(blob);
	dt_tree_free(b);
	dt_tree_free(t);
	diags_free(&d);
}

/* A value built by hand, without markers, gets the same guess. */
static void test_json_untyped(void **state)
{
	struct dt_tree *t = dt_tree_new();
	struct dt_property *p;
	char *s;

	t->root = dt_node_new("", 0);
	p = dt_prop_new("s");
	dt_value_append(&p->val, "ab\0cd", 6);
	dt_node_add_prop(t->root, p);
	p = dt_prop_new("c");
	dt_value_append(&p->val, "\0\0\0\x05", 4);
	dt_node_add_prop(t->root, p);
	p = dt_prop_new("b");
	dt_value_append(&p->val, "\x01\x02", 2);
	dt_node_add_prop(t->root, p);
	s = render(t, OUT_JSON);
	assert_has(s, "\"type\": \"strings\",\n        \"value\": [\n"
		      "          \"ab\",\n          \"cd\"\n");
	assert_has(s, "\"type\": \"cells\",\n        \"value\": [\n"
		      "          5\n");
	assert_has(s, "\"type\": \"bytes\",\n        \"value\": \"0102\"");
	free(s);
	dt_tree_free(t);
}

static void test_yaml(void **state)
{
	struct dt_tree *t = parse(small_dts);
	char *s = render(t, OUT_YAML);

	assert_has(s, "schema_version: 1\n");
	assert_has(s, "boot_cpuid: 0\n");
	assert_has(s, "name: compatible\n");
	assert_has(s, "value: '001a2b'\n");
	free(s);
	dt_tree_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_tiny),
		cmocka_unit_test(test_json_types),
		cmocka_unit_test(test_json_from_blob),
		cmocka_unit_test(test_json_untyped),
		cmocka_unit_test(test_yaml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
