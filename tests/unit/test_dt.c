// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The semantic phase and the blob back end on trees built by hand:
 * phandles, references, labels, overflow, pruning, __symbols__,
 * __fixups__, __local_fixups__, DTB round trips, DTS text, bad blobs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dt/dt.h"

static struct dt_node *add_node(struct dt_node *parent, const char *name,
				const char *label)
{
	struct dt_node *n = dt_node_new(name, strlen(name));

	if (label)
		dt_label_add(&n->labels, label, NULL);
	dt_node_add_child(parent, n);
	return n;
}

static struct dt_property *add_cells(struct dt_node *n, const char *name,
				     const uint32_t *cells, size_t count)
{
	struct dt_property *p = dt_prop_new(name);
	size_t i;

	dt_value_mark(&p->val, DT_MARK_TYPE_U32, 0, NULL, NULL);
	for (i = 0; i < count; i++)
		dt_value_append_cell(&p->val, cells[i], 32);
	dt_node_add_prop(n, p);
	return p;
}

/* <&ref> */
static struct dt_property *add_phref(struct dt_node *n, const char *name,
				     const char *ref)
{
	static const uint32_t ff = 0xffffffff;
	struct dt_property *p = add_cells(n, name, &ff, 1);

	dt_value_mark(&p->val, DT_MARK_REF_PHANDLE, 0, ref, NULL);
	return p;
}

static struct dt_property *add_string(struct dt_node *n, const char *name,
				      const char *s)
{
	struct dt_property *p = dt_prop_new(name);

	dt_value_mark(&p->val, DT_MARK_TYPE_STRING, 0, NULL, NULL);
	dt_value_append(&p->val, s, strlen(s) + 1);
	dt_node_add_prop(n, p);
	return p;
}

static struct dt_tree *new_tree(void)
{
	struct dt_tree *t = dt_tree_new();

	t->root = dt_node_new("", 0);
	t->header = DT_HDR_DTS_V1;
	return t;
}

static int resolve(struct dt_tree *t, bool symbols, struct diags *d)
{
	struct dt_resolve_opts o = { .symbols = symbols };

	diags_init(d);
	return dt_resolve(t, &o, d);
}

static bool has_diag(const struct diags *d, const char *needle)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strstr(d->v[i].msg, needle))
			return true;
	return false;
}

static char *to_dts(const struct dt_tree *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	dts_write(f, t);
	fclose(f);
	return buf;
}

static void test_phandles_and_paths(void **state)
{
	struct dt_tree *t = new_tree();
	struct dt_node *a, *b, *c;
	struct dt_property *p, *path;
	struct diags d;
	static const uint32_t one = 1;

	a = add_node(t->root, "a", "la");
	b = add_node(t->root, "b", "lb");
	c = add_node(t->root, "c", NULL);
	add_cells(b, "phandle", &one, 1);	/* explicit: 1 is taken */
	p = add_phref(c, "x", "la");
	add_phref(c, "y", "lb");
	path = dt_prop_new("p");
	dt_value_append(&path->val, "<", 2);
	dt_value_mark(&path->val, DT_MARK_REF_PATH, 1, "la", NULL);
	dt_value_mark(&path->val, DT_MARK_TYPE_STRING, 1, NULL, NULL);
	dt_node_add_prop(c, path);
	assert_int_equal(resolve(t, false, &d), 0);
	assert_int_equal(d.errors, 0);
	/* a gets the first free phandle, in a "phandle" property at the end */
	assert_int_equal(a->phandle, 2);
	assert_int_equal(dt_cell(dt_prop(a, "phandle"), 0), 2);
	assert_int_equal(dt_cell(p, 0), 2);
	assert_int_equal(dt_cell(dt_prop(c, "y"), 0), 1);
	assert_int_equal(path->val.len, 2 + strlen("/a") + 1);
	assert_memory_equal(path->val.data, "</a\0", 5);
	diags_free(&d);
	dt_tree_free(t);
}

static void test_errors(void **state)
{
	struct dt_tree *t = new_tree();
	struct dt_node *a, *b;
	struct diags d;
	static const uint32_t zero;

	a = add_node(t->root, "a", "dup");
	b = add_node(t->root, "b", "dup");
	add_node(t->root, "a", NULL);
	add_phref(b, "x", "nosuch");
	add_cells(a, "phandle", &zero, 1);
	add_string(b, "name", "wrong");
	assert_int_equal(resolve(t, false, &d), -EINVAL);
	assert_true(has_diag(&d, "duplicate label 'dup'"));
	assert_true(has_diag(&d, "duplicate node name 'a'"));
	assert_true(has_diag(&d, "bad value (0x0)"));
	assert_true(has_diag(&d, "\"name\" property"));
	diags_free(&d);
	dt_tree_free(t);

	t = new_tree();
	b = add_node(t->root, "b", "dupe");
	add_phref(b, "x", "dupx");
	assert_int_equal(resolve(t, false, &d), -EINVAL);
	assert_true(has_diag(&d, "non-existent node or label 'dupx'"));
	assert_non_null(d.v[0].hint);
	assert_non_null(strstr(d.v[0].hint, "dupe"));
	diags_free(&d);
	dt_tree_free(t);
}

/* The diagnostic whose message contains needle, or NULL. */
static const struct diag *find_diag(const struct diags *d, const char *needle)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strstr(d->v[i].msg, needle))
			return &d->v[i];
	return NULL;
}

static void expect_at(const struct diags *d, const char *msg, uint32_t line,
		      uint32_t col)
{
	const struct diag *g = find_diag(d, msg);

	assert_non_null(g);
	assert_int_equal(g->sev, DIAG_ERROR);
	assert_non_null(g->pos.file);
	assert_string_equal(g->pos.file->name, "names.dts");
	assert_int_equal(g->pos.line, line);
	assert_int_equal(g->pos.col, col);
}

static int parse_resolve(const char *src, struct dt_tree **t, struct diags *d)
{
	struct dt_resolve_opts o = { 0 };
	int ret;

	diags_init(d);
	ret = dts_parse_string("names.dts", src, strlen(src), NULL, t, d);
	assert_int_equal(ret, 0);
	return dt_resolve(*t, &o, d);
}

/* dtc's node_name_chars, node_name_format and property_name_chars */
static void test_name_checks(void **state)
{
	static const char bad[] =
		"/dts-v1/;\n"
		"/ {\n"
		"\tp@q = <1>;\n"
		"\tok,prop#-cells = <1>;\n"
		"\ta#b { };\n"
		"\tc@1@2 { };\n"
		"\t@3 { };\n"
		"\td?e@f { };\n"
		"\tgood@1,2 { x*y = <2>; };\n"
		"};\n";
	static const char good[] =
		"/dts-v1/;\n"
		"/ {\n"
		"\t#address-cells = <1>;\n"
		"\tn,a_b.c+d-e@1f { what?*#x = \"s\"; };\n"
		"};\n";
	struct dt_tree *t = NULL;
	struct diags d;

	(void)state;
	assert_int_equal(parse_resolve(bad, &t, &d), -EINVAL);
	expect_at(&d, "property name 'p@q' contains invalid character '@'",
		  3, 2);
	expect_at(&d, "node name 'a#b' contains invalid character '#'", 5, 2);
	expect_at(&d, "node name 'c@1@2' has more than one '@'", 6, 2);
	expect_at(&d, "node name '@3' is empty before the '@'", 7, 2);
	expect_at(&d, "node name 'd?e@f' contains invalid character '?'",
		  8, 2);
	/* only the first bad character, and no format error on top */
	assert_int_equal(d.errors, 5);
	assert_null(find_diag(&d, "'ok,prop#-cells'"));
	assert_null(find_diag(&d, "good@1,2"));
	assert_null(find_diag(&d, "x*y"));
	diags_free(&d);
	dt_tree_free(t);

	assert_int_equal(parse_resolve(good, &t, &d), 0);
	assert_int_equal(d.errors, 0);
	diags_free(&d);
	dt_tree_free(t);
}

static void test_name_property_dropped(void **state)
{
	struct dt_tree *t = new_tree();
	struct dt_node *a = add_node(t->root, "node@1", NULL);
	struct diags d;

	add_string(a, "name", "node");
	assert_int_equal(resolve(t, false, &d), 0);
	assert_null(dt_prop(a, "name"));
	diags_free(&d);
	dt_tree_free(t);
}

static bool accept_all(const struct dt_tree *t, const struct dt_property *p,
		       const struct dt_marker *m, void *ctx)
{
	return true;
}

static void test_overflow(void **state)
{
	static const uint32_t cells[2] = { 0, 0 };
	struct dt_resolve_opts o = { .overflow_ok = accept_all };
	struct dt_tree *t;
	struct dt_property *p;
	struct dt_marker *m;
	struct diags d;
	uint64_t v;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		t = new_tree();
		p = add_cells(t->root, "reg", cells, 2);
		m = dt_value_mark(&p->val, DT_MARK_OVERFLOW, 4, NULL, NULL);
		m->full = UINT64_C(0x400000000);
		m->width = 32;
		diags_init(&d);
		if (!pass) {
			assert_int_equal(dt_resolve(t, NULL, &d), -EINVAL);
			assert_int_equal(d.errors, 1);
			assert_string_equal(d.v[0].check, "cell-overflow");
			assert_non_null(strstr(d.v[0].msg, "'reg'"));
			assert_non_null(strstr(d.v[0].hint,
					       "/bits/ 64 <0x400000000>"));
			assert_non_null(strstr(d.v[0].hint, "<0x4 0x0>"));
		} else {
			assert_int_equal(dt_resolve(t, &o, &d), 0);
			assert_int_equal(d.warnings, 1);
			assert_string_equal(d.v[0].check, "cell-overflow");
			assert_true(dt_prop_u64(p, &v));
			assert_true(v == UINT64_C(0x400000000));
		}
		diags_free(&d);
		dt_tree_free(t);
	}
}

static void test_omit_if_no_ref(void **state)
{
	struct dt_tree *t = new_tree();
	struct dt_node *a, *b;
	struct diags d;

	a = add_node(t->root, "a", "la");
	b = add_node(t->root, "b", "lb");
	a->omit_if_no_ref = true;
	b->omit_if_no_ref = true;
	add_phref(t->root, "x", "lb");
	assert_int_equal(resolve(t, false, &d), 0);
	assert_null(dt_child(t->root, "a"));
	assert_non_null(dt_child(t->root, "b"));
	diags_free(&d);
	dt_tree_free(t);
}

static void test_symbols(void **state)
{
	struct dt_tree *t = new_tree();
	struct dt_node *a, *s;
	struct diags d;

	a = add_node(t->root, "a", "la");
	add_node(a, "b@1", "lb");
	assert_int_equal(resolve(t, true, &d), 0);
	s = dt_child(t->root, "__symbols__");
	assert_non_null(s);
	assert_string_equal(dt_prop_str(dt_prop(s, "la")), "/a");
	assert_string_equal(dt_prop_str(dt_prop(s, "lb")), "/a/b@1");
	assert_string_equal(s->props->name, "la");
	assert_int_equal(a->phandle, 1);
	assert_int_equal(a->children->phandle, 2);
	diags_free(&d);
	dt_tree_free(t);
}

static void test_plugin_fixups(void **state)
{
	struct dt_tree *t = new_tree();
	struct dt_node *frag, *ov, *loc, *fx, *lf;
	struct dt_property *p;
	struct diags d;
	static const uint32_t two[2] = { 0xffffffff, 0xffffffff };

	t->header |= DT_HDR_PLUGIN;
	frag = add_node(t->root, "fragment@0", NULL);
	add_phref(frag, "target", "ext");
	ov = add_node(frag, "__overlay__", NULL);
	loc = add_node(ov, "local", "loc");
	p = add_cells(ov, "refs", two, 2);
	dt_value_mark(&p->val, DT_MARK_REF_PHANDLE, 0, "ext", NULL);
	dt_value_mark(&p->val, DT_MARK_REF_PHANDLE, 4, "loc", NULL);
	assert_int_equal(resolve(t, false, &d), 0);
	assert_int_equal(dt_cell(p, 0), 0xffffffff);
	assert_int_equal(dt_cell(p, 1), loc->phandle);
	fx = dt_child(t->root, "__fixups__");
	assert_non_null(fx);
	p = dt_prop(fx, "ext");
	assert_int_equal(p->val.len, sizeof("/fragment@0:target:0") +
			 sizeof("/fragment@0/__overlay__:refs:0"));
	assert_memory_equal(p->val.data, "/fragment@0:target:0\0"
			    "/fragment@0/__overlay__:refs:0", p->val.len);
	lf = dt_path(t, "/__local_fixups__/fragment@0/__overlay__");
	assert_non_null(lf);
	assert_int_equal(dt_cell(dt_prop(lf, "refs"), 0), 4);
	diags_free(&d);
	dt_tree_free(t);

	/* A path reference cannot become a fixup. */
	t = new_tree();
	t->header |= DT_HDR_PLUGIN;
	add_phref(t->root, "x", "/no/such");
	assert_int_equal(resolve(t, false, &d), -EINVAL);
	diags_free(&d);
	dt_tree_free(t);
}

static struct dt_tree *sample_tree(void)
{
	struct dt_tree *t = new_tree();
	struct dt_reserve *r = calloc(1, sizeof(*r));
	struct dt_node *cpus, *cpu;
	struct dt_property *p;
	static const uint32_t reg = 0x22;

	r->address = 0x1000;
	r->size = 0x2000;
	*t->reserves_tail = r;
	t->reserves_tail = &r->next;
	add_string(t->root, "compatible", "kerf,test");
	cpus = add_node(t->root, "cpus", NULL);
	cpu = add_node(cpus, "cpu@0", NULL);
	add_cells(cpu, "reg", &reg, 1);
	p = dt_prop_new("bytes");
	dt_value_append(&p->val, "\x01\x02\x03", 3);
	dt_node_add_prop(cpu, p);
	add_string(cpu, "list", "a\tb");
	dt_value_append(&dt_prop(cpu, "list")->val, "c", 2);
	dt_node_add_prop(cpu, dt_prop_new("empty"));
	return t;
}

static void test_dtb_round_trip(void **state)
{
	struct dt_tree *t = sample_tree(), *back;
	struct diags d;
	void *blob, *blob2;
	size_t len, len2;
	char *text;

	assert_int_equal(resolve(t, false, &d), 0);
	assert_int_equal(t->boot_cpuid, 0x22);
	assert_int_equal(dtb_write(t, &blob, &len, &d), 0);
	assert_true(dtb_is_blob(blob, len));
	assert_int_equal(dtb_read(blob, len, "mem", &back, &d), 0);
	assert_int_equal(back->header, 0);
	assert_int_equal(back->boot_cpuid, 0x22);
	text = to_dts(back);
	assert_string_equal(text,
		"/dts-v1/;\n"
		"\n"
		"/memreserve/\t0x0000000000001000 0x0000000000002000;\n"
		"/ {\n"
		"\tcompatible = \"kerf,test\";\n"
		"\n"
		"\tcpus {\n"
		"\n"
		"\t\tcpu@0 {\n"
		"\t\t\treg = <0x22>;\n"
		"\t\t\tbytes = [01 02 03];\n"
		"\t\t\tlist = \"a\\tb\\0c\";\n"
		"\t\t\tempty;\n"
		"\t\t};\n"
		"\t};\n"
		"};\n");
	free(text);
	assert_int_equal(dtb_write(back, &blob2, &len2, &d), 0);
	assert_int_equal(len, len2);
	assert_memory_equal(blob, blob2, len);
	free(blob);
	free(blob2);
	dt_tree_free(back);
	diags_free(&d);
	dt_tree_free(t);
}

static void test_bad_blobs(void **state)
{
	struct dt_tree *t = sample_tree(), *back;
	struct diags d;
	uint8_t *blob, *bad;
	size_t len, i;
	void *b;
	int ret;

	diags_init(&d);
	assert_int_equal(dtb_write(t, &b, &len, &d), 0);
	blob = b;
	bad = malloc(len + 1);
	/* Every truncation and many single-byte changes: error or a tree,
	 * never a crash (ASan and valgrind watch). */
	for (i = 0; i < len; i++) {
		memcpy(bad + 1, blob, i);
		ret = dtb_read(bad + 1, i, "cut", &back, &d);
		assert_int_equal(ret, -EINVAL);
		assert_null(back);
	}
	for (i = 0; i < len * 8; i++) {
		memcpy(bad, blob, len);
		bad[i / 8] ^= (uint8_t)(1u << (i % 8));
		if (dtb_read(bad, len, "flip", &back, &d) == 0) {
			free(to_dts(back));
			dt_tree_free(back);
		}
	}
	assert_true(d.errors > 0);
	assert_non_null(strstr(d.v[0].msg, "cut"));
	free(bad);
	free(blob);
	diags_free(&d);
	dt_tree_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phandles_and_paths),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_name_checks),
		cmocka_unit_test(test_name_property_dropped),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_omit_if_no_ref),
		cmocka_unit_test(test_symbols),
		cmocka_unit_test(test_plugin_fixups),
		cmocka_unit_test(test_dtb_round_trip),
		cmocka_unit_test(test_bad_blobs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
