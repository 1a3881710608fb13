// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the DTS front end (src/dt/lexer.c, src/dt/parser.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dt/dt.h"

static struct diags diags;

static struct dt_tree *parse_opts(const char *src,
				  const struct dt_parse_opts *o)
{
	struct dt_tree *t = NULL;
	int ret;

	diags_free(&diags);
	diags_init(&diags);
	ret = dts_parse_string("t.dts", src, strlen(src), o, &t, &diags);
	if (ret < 0) {
		assert_null(t);
		assert_true(ret == -EINVAL || ret == -ENOENT);
		assert_true(diags.errors > 0);
		return NULL;
	}
	assert_non_null(t);
	assert_int_equal(diags.errors, 0);
	return t;
}

static struct dt_tree *parse(const char *src)
{
	return parse_opts(src, NULL);
}

static struct dt_tree *parse_ok(const char *src)
{
	struct dt_tree *t = parse(src);

	if (!t) {
		diags_print(stderr, &diags);
		fail_msg("parse failed: %s", src);
	}
	return t;
}

/* Parse must fail with msg (substring) at line:col. */
static void expect_error(const char *src, unsigned int line,
			 unsigned int col, const char *msg)
{
	struct dt_tree *t = parse(src);
	const struct diag *dg;

	if (t) {
		dt_tree_free(t);
		fail_msg("parse succeeded, expected '%s': %s", msg, src);
	}
	dg = &diags.v[0];
	if (!strstr(dg->msg, msg) || dg->pos.line != line ||
	    dg->pos.col != col)
		fail_msg("got %u:%u '%s', expected %u:%u '%s'", dg->pos.line,
			 dg->pos.col, dg->msg, line, col, msg);
	assert_int_equal(diags.errors, 1);	/* no cascade */
}

static struct dt_property *prop_at(struct dt_tree *t, const char *path,
				   const char *name)
{
	struct dt_node *n = dt_path(t, path);
	struct dt_property *p;

	assert_non_null(n);
	p = dt_prop(n, name);
	if (!p)
		fail_msg("no property %s in %s", name, path);
	return p;
}

static void assert_bytes(const struct dt_property *p, const void *want,
			 size_t len)
{
	assert_int_equal(p->val.len, len);
	assert_memory_equal(p->val.data, want, len);
}

static unsigned int count_markers(const struct dt_property *p,
				  enum dt_marker_kind k)
{
	const struct dt_marker *m;
	unsigned int n = 0;

	for (m = p->val.markers; m; m = m->next)
		n += m->kind == k;
	return n;
}

static const struct dt_marker *marker(const struct dt_property *p,
				      enum dt_marker_kind k, unsigned int i)
{
	const struct dt_marker *m;

	for (m = p->val.markers; m; m = m->next)
		if (m->kind == k && i-- == 0)
			return m;
	fail_msg("marker %d #%u not found in %s", k, i, p->name);
	return NULL;
}

static unsigned int nchildren(const struct dt_node *n)
{
	const struct dt_node *c;
	unsigned int k = 0;

	dt_for_each_child(n, c)
		k++;
	return k;
}

static unsigned int nprops(const struct dt_node *n)
{
	const struct dt_property *p;
	unsigned int k = 0;

	dt_for_each_prop(n, p)
		k++;
	return k;
}

static const char *label_list(const struct dt_label *l, char *buf,
			      size_t size)
{
	buf[0] = '\0';
	for (; l; l = l->next) {
		strncat(buf, l->name, size - strlen(buf) - 2);
		strcat(buf, " ");
	}
	return buf;
}

/* ---------------------------------------------------------------- */

static void test_headers(void **state)
{
	struct dt_tree *t;

	t = parse_ok("/dts-v1/;\n/ { };\n");
	assert_int_equal(t->header, DT_HDR_DTS_V1);
	assert_string_equal(t->root->name, "");
	dt_tree_free(t);

	t = parse_ok("/multikernel-v1/;\n/ { };\n");
	assert_int_equal(t->header, DT_HDR_MULTIKERNEL);
	dt_tree_free(t);

	t = parse_ok("/dts-v1/; /plugin/;\n/ { };\n");
	assert_int_equal(t->header, DT_HDR_DTS_V1 | DT_HDR_PLUGIN);
	dt_tree_free(t);

	/* repeated, as when a .dtsi with its own header is included */
	t = parse_ok("/dts-v1/;\n/dts-v1/;\n/multikernel-v1/;\n/ { };\n");
	assert_int_equal(t->header, DT_HDR_DTS_V1 | DT_HDR_MULTIKERNEL);
	dt_tree_free(t);

	expect_error("/ { };\n", 1, 1, "missing '/dts-v1/;' header");
	assert_non_null(diags.v[0].hint);
	assert_non_null(strstr(diags.v[0].hint, "add '/dts-v1/;'"));
	expect_error("", 1, 1, "missing '/dts-v1/;' header");
	expect_error("/dts-v1/\n/ { };\n", 1, 9, "expected ';' after '/dts-v1/'");
	expect_error("/dts-v1/; /plugin/;\n/dts-v1/;\n/ { };\n", 2, 1,
		     "header flags don't match");
	expect_error("/dts-v1/;\n", 2, 1, "expected a root node");
	expect_error("/dts-v1/;\n/ { };\n/dts-v1/;\n", 3, 1,
		     "header must come before");
}

static void test_memreserve(void **state)
{
	struct dt_tree *t;
	struct dt_reserve *r;
	char buf[64];

	t = parse_ok("/dts-v1/;\n/memreserve/ 0x1000 0x2000;\n"
		     "a: b: /memreserve/ (1 << 40) 'x';\n/ { };\n");
	r = t->reserves;
	assert_non_null(r);
	assert_int_equal(r->address, 0x1000);
	assert_int_equal(r->size, 0x2000);
	assert_null(r->labels);
	assert_int_equal(r->pos.line, 2);
	r = r->next;
	assert_non_null(r);
	assert_true(r->address == (UINT64_C(1) << 40));
	assert_int_equal(r->size, 'x');
	assert_string_equal(label_list(r->labels, buf, sizeof(buf)), "a b ");
	assert_null(r->next);
	dt_tree_free(t);

	expect_error("/dts-v1/;\n/ { };\n/memreserve/ 0 0;\n", 3, 1,
		     "before the first node");
	expect_error("/dts-v1/;\n/memreserve/ 0 0\n/ { };\n", 2, 17,
		     "expected ';' after /memreserve/");
}

static void test_cells(void **state)
{
	static const uint8_t c1[] = { 0, 0, 0, 1, 0, 0, 0, 0x10, 0, 0, 0, 8,
				      0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 'a',
				      0, 0, 0, 10 };
	static const uint8_t c2[] = { 1, 0xff, 0x12, 0x34, 0xff, 0xfe };
	static const uint8_t c3[] = { 0, 0, 0, 1, 0, 0, 0, 2, 0xff, 0xff,
				      0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct dt_tree *t;
	struct dt_property *p;

	t = parse_ok("/dts-v1/;\n/ {\n"
		     "\ta = <1 0x10 010 0xdeadbeefUL 'a' 10ULL>;\n"
		     "\tb = /bits/ 8 <1 (-1)>, /bits/ 16 <0x1234 (-2)>;\n"
		     "\tc = /bits/ 64 <0x100000002 (-1)>;\n"
		     "\td = <>;\n"
		     "\te;\n"
		     "};\n");
	p = prop_at(t, "/", "a");
	assert_bytes(p, c1, sizeof(c1));
	assert_int_equal(p->val.markers->kind, DT_MARK_TYPE_U32);
	assert_int_equal(count_markers(p, DT_MARK_OVERFLOW), 0);
	p = prop_at(t, "/", "b");
	assert_bytes(p, c2, sizeof(c2));
	assert_int_equal(marker(p, DT_MARK_TYPE_U8, 0)->offset, 0);
	assert_int_equal(marker(p, DT_MARK_TYPE_U16, 0)->offset, 2);
	assert_int_equal(count_markers(p, DT_MARK_OVERFLOW), 0);
	p = prop_at(t, "/", "c");
	assert_bytes(p, c3, sizeof(c3));
	assert_int_equal(p->val.markers->kind, DT_MARK_TYPE_U64);
	p = prop_at(t, "/", "d");
	assert_int_equal(p->val.len, 0);
	assert_int_equal(p->val.markers->kind, DT_MARK_TYPE_U32);
	p = prop_at(t, "/", "e");
	assert_int_equal(p->val.len, 0);
	assert_null(p->val.markers);
	assert_int_equal(p->pos.line, 7);
	assert_int_equal(p->pos.col, 2);
	assert_int_equal(p->end_pos.col, 3);
	dt_tree_free(t);

	expect_error("/dts-v1/;\n/ { a = /bits/ 7 <1>; };\n", 2, 16,
		     "8, 16, 32 or 64");
	expect_error("/dts-v1/;\n/ { a = /bits/ 8 <&x>; };\n", 2, 19,
		     "references are only allowed in arrays with 32-bit");
	expect_error("/dts-v1/;\n/ { a = <1 -1>; };\n", 2, 12, "found '-'");
	expect_error("/dts-v1/;\n/ { a = <1 2; };\n", 2, 13,
		     "expected '>' to close the cell list");
}

/* Cells as bytes: the expected value of a 32-bit cell list. */
static void assert_cells(const struct dt_property *p, const uint32_t *want,
			 size_t n)
{
	size_t i;

	assert_int_equal(p->val.len, 4 * n);
	for (i = 0; i < n; i++)
		if (dt_cell(p, i) != want[i])
			fail_msg("%s: cell %zu is 0x%x, expected 0x%x", p->name,
				 i, dt_cell(p, i), want[i]);
}

/*
 * The lexer's fast path for runs of plain numbers in < > (dts_lex_cells)
 * must give what the general path gives: values, markers and positions,
 * and the same diagnostics after a run, wherever the run stops.
 */
static void test_cell_fast_path(void **state)
{
	static const uint32_t want[] = {
		1, 2, 0x10, 8, 0, 0, 0xffffffff, 0xffffffff, 0, 1, 2, 3, 4, 5,
		0x23456789, 7,
	};
	/* (parentheses: each source is one string, made of several) */
	static const char *const srcs[] = {
		/* one line */
		("/dts-v1/;\n/ {\n"
		 "\ta = <1 2 0x10 010 0 00 0xFFFFFFFF 4294967295 4294967296 "
		 "1U 2 /*c*/ 3 lbl: 4 (5) 0x123456789 7>;\n};\n"),
		/* across line breaks, tabs and comments */
		("/dts-v1/;\n/ {\n"
		 "\ta = <1 2\n\t\t0x10 010\n\t0 00\n0xFFFFFFFF\t4294967295\n"
		 " 4294967296 1U 2 /*c*/ 3 lbl: 4 (5)\n\t0x123456789 7\n\t>;\n"
		 "};\n"),
		/* the same without any white space to spare */
		("/dts-v1/;/{a=<1 2 0x10 010 0 00 0xFFFFFFFF 4294967295 "
		 "4294967296 1U 2/*c*/3 lbl:4(5)0x123456789 7>;};"),
	};
	static const uint32_t big[] = {
		999999999, 1000000000, 0x1f, 1, 1, 1, 0xabcdef01, 0,
	};
	struct dt_tree *t;
	struct dt_property *p;
	const struct dt_marker *m;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(srcs); i++) {
		t = parse_ok(srcs[i]);
		p = prop_at(t, "/", "a");
		assert_cells(p, want, ARRAY_SIZE(want));
		assert_int_equal(count_markers(p, DT_MARK_TYPE_U32), 1);
		assert_int_equal(count_markers(p, DT_MARK_OVERFLOW), 2);
		m = marker(p, DT_MARK_OVERFLOW, 0);
		assert_int_equal(m->offset, 32);
		assert_true(m->full == UINT64_C(4294967296));
		m = marker(p, DT_MARK_OVERFLOW, 1);
		assert_int_equal(m->offset, 56);
		assert_true(m->full == UINT64_C(0x123456789));
		assert_int_equal(count_markers(p, DT_MARK_LABEL), 1);
		assert_string_equal(marker(p, DT_MARK_LABEL, 0)->ref, "lbl");
		assert_int_equal(marker(p, DT_MARK_LABEL, 0)->offset, 48);
		if (i == 1) {
			/* positions after runs that crossed lines */
			m = marker(p, DT_MARK_OVERFLOW, 0);
			assert_int_equal(m->pos.line, 7);
			assert_int_equal(m->pos.col, 2);
			m = marker(p, DT_MARK_LABEL, 0);
			assert_int_equal(m->pos.line, 7);
			assert_int_equal(m->pos.col, 26);
			m = marker(p, DT_MARK_OVERFLOW, 1);
			assert_int_equal(m->pos.line, 8);
			assert_int_equal(m->pos.col, 2);
			assert_int_equal(p->end_pos.line, 9);
			assert_int_equal(p->end_pos.col, 3);
		}
		dt_tree_free(t);
	}

	/* longest fast literals, and the first ones past them */
	t = parse_ok("/dts-v1/;\n/ { a = <999999999 1000000000 0X1f 0x00000001 "
		     "0x000000001 000000001 0xABCDEF01 0>; b = /bits/ 16 "
		     "<1 2 3>; c = <\n1\n2\n>; d = <0xffffffff>, <4294967295>;"
		     " };\n");
	assert_cells(prop_at(t, "/", "a"), big, ARRAY_SIZE(big));
	assert_int_equal(count_markers(prop_at(t, "/", "a"), DT_MARK_OVERFLOW),
			 0);
	assert_bytes(prop_at(t, "/", "b"), "\0\1\0\2\0\3", 6);
	p = prop_at(t, "/", "c");
	assert_int_equal(p->val.len, 8);
	assert_int_equal(dt_cell(p, 0), 1);
	assert_int_equal(dt_cell(p, 1), 2);
	assert_int_equal(p->end_pos.line, 5);
	assert_int_equal(p->end_pos.col, 2);
	p = prop_at(t, "/", "d");
	assert_int_equal(p->val.len, 8);
	assert_int_equal(count_markers(p, DT_MARK_TYPE_U32), 2);
	assert_int_equal(marker(p, DT_MARK_TYPE_U32, 1)->offset, 4);
	dt_tree_free(t);

	/* at the very end of the buffer, no newline after it */
	t = parse_ok("/dts-v1/;\n/ { a = <1 2 3>; };");
	assert_int_equal(prop_at(t, "/", "a")->val.len, 12);
	dt_tree_free(t);
	expect_error("/dts-v1/;\n/ { a = <1 2 3", 2, 15,
		     "expected '>' to close the cell list");
	expect_error("/dts-v1/;\n/ { a = <1 2 3 ", 2, 15,
		     "expected '>' to close the cell list");
	expect_error("/dts-v1/;\n/ { a = <1 2 0x1", 2, 17,
		     "expected '>' to close the cell list");

	/* diagnostics right after a run of plain numbers */
	expect_error("/dts-v1/;\n/ {\n\ta = <1 2 3;\n};\n", 3, 12,
		     "expected '>' to close the cell list");
	expect_error("/dts-v1/;\n/ {\n\ta = <1 2 3\n};\n", 3, 12,
		     "expected '>' to close the cell list");
	expect_error("/dts-v1/;\n/ {\n\ta = <1\n\t\t2 3\n\n};\n", 4, 6,
		     "expected '>' to close the cell list");
	expect_error("/dts-v1/;\n/ {\n\ta = <1 2 3 x>;\n};\n", 3, 13,
		     "found 'x'");
	expect_error("/dts-v1/;\n/ {\n\ta = <1 2 3x>;\n};\n", 3, 12,
		     "found 'x'");
	expect_error("/dts-v1/;\n/ {\n\ta = <1 2 0x>;\n};\n", 3, 12,
		     "found 'x'");
	expect_error("/dts-v1/;\n/ {\n\ta = <1 2 3-1>;\n};\n", 3, 12,
		     "found '-'");
	expect_error("/dts-v1/;\n/ {\n\ta = <1 2\n\t09>;\n};\n", 4, 2,
		     "bad integer literal '09'");
	expect_error("/dts-v1/;\n/ {\n\ta = <1 2 18446744073709551616>;\n};\n",
		     3, 11, "out of range");
	expect_error("/dts-v1/;\n/ {\n\ta = <1 2 /* 3>;\n};\n", 3, 11,
		     "unterminated comment");
	expect_error("/dts-v1/;\n/ {\n\ta = <1 2 3>\n\tb;\n};\n", 3, 13,
		     "expected ';' after property value");

	/* a line marker inside a run */
	t = parse_ok("/dts-v1/;\n/ {\n\ta = <1 2\n# 5 \"x.dts\"\n 3 "
		     "0x100000000>;\n};\n");
	p = prop_at(t, "/", "a");
	assert_int_equal(p->val.len, 16);
	m = marker(p, DT_MARK_OVERFLOW, 0);
	assert_string_equal(m->pos.file->name, "x.dts");
	assert_int_equal(m->pos.line, 5);
	assert_int_equal(m->pos.col, 4);
	dt_tree_free(t);
}

static void test_overflow(void **state)
{
	struct dt_tree *t;
	struct dt_property *p;
	const struct dt_marker *m;

	t = parse_ok("/dts-v1/;\n/ {\n"
		     "\ta = <1 0x400000000>;\n"
		     "\tb = /bits/ 8 <256 255 (-129) 0x1ff>;\n"
		     "\tc = < (-0xffffffff - 1) (-0xffffffff - 2) ((-0xffffffff - 1) * 2) >;\n"
		     "\td = < (-1) 0xffffffff (-0x80000000) >;\n"
		     "\te = /bits/ 64 <0xffffffffffffffff>;\n"
		     "};\n");
	p = prop_at(t, "/", "a");
	assert_int_equal(count_markers(p, DT_MARK_OVERFLOW), 1);
	m = marker(p, DT_MARK_OVERFLOW, 0);
	assert_int_equal(m->offset, 4);
	assert_true(m->full == UINT64_C(0x400000000));
	assert_int_equal(m->width, 32);
	assert_int_equal(m->pos.line, 3);
	assert_int_equal(m->pos.col, 9);
	assert_int_equal(dt_cell(p, 1), 0);	/* truncated */

	p = prop_at(t, "/", "b");
	assert_int_equal(count_markers(p, DT_MARK_OVERFLOW), 2);
	assert_int_equal(marker(p, DT_MARK_OVERFLOW, 0)->offset, 0);
	assert_int_equal(marker(p, DT_MARK_OVERFLOW, 0)->width, 8);
	assert_int_equal(marker(p, DT_MARK_OVERFLOW, 1)->offset, 3);
	assert_int_equal(p->val.data[2], 0x7f);	/* dtc: sign-extended */

	/* dtc's cell-overflow.dts: the first fits (sign-extended) */
	p = prop_at(t, "/", "c");
	assert_int_equal(count_markers(p, DT_MARK_OVERFLOW), 2);
	assert_int_equal(marker(p, DT_MARK_OVERFLOW, 0)->offset, 4);
	assert_int_equal(marker(p, DT_MARK_OVERFLOW, 1)->offset, 8);
	assert_int_equal(dt_cell(p, 0), 0);
	assert_int_equal(dt_cell(p, 1), 0xffffffff);
	assert_int_equal(dt_cell(p, 2), 0);

	p = prop_at(t, "/", "d");
	assert_int_equal(count_markers(p, DT_MARK_OVERFLOW), 0);
	p = prop_at(t, "/", "e");
	assert_int_equal(count_markers(p, DT_MARK_OVERFLOW), 0);
	dt_tree_free(t);
}

static void test_integers(void **state)
{
	struct dt_tree *t;
	uint64_t v;

	t = parse_ok("/dts-v1/;\n/ { a = /bits/ 64 <18446744073709551615 "
		     "0xFFFFFFFFFFFFFFFF 01777777777777777777777 0 00 1U 2L "
		     "3LL 4ULL 5UL>; };\n");
	assert_true(dt_prop_u64(prop_at(t, "/", "a"), &v) == false);
	assert_int_equal(prop_at(t, "/", "a")->val.len, 80);
	dt_tree_free(t);

	expect_error("/dts-v1/;\n/ {\n\tx = <09>;\n};\n", 3, 7,
		     "bad integer literal '09'");
	expect_error("/dts-v1/;\n/ { x = <18446744073709551616>; };\n", 2, 10,
		     "out of range");
	expect_error("/dts-v1/;\n/ { x = <0x10000000000000000>; };\n", 2, 10,
		     "out of range");
	expect_error("/dts-v1/;\n/ { x = <0x>; };\n", 2, 11, "found 'x'");
	expect_error("/dts-v1/;\n/ { x = <1u>; };\n", 2, 11, "'u'");
	expect_error("/dts-v1/;\n/ { x = <''>; };\n", 2, 10,
		     "empty character literal");
	expect_error("/dts-v1/;\n/ { x = <'ab'>; };\n", 2, 10,
		     "2 characters instead of 1");
}

static uint64_t eval(const char *expr)
{
	char src[512];
	struct dt_tree *t;
	struct dt_property *p;
	uint64_t v;

	snprintf(src, sizeof(src), "/dts-v1/;\n/ { v = /bits/ 64 <(%s)>; };\n",
		 expr);
	t = parse_ok(src);
	p = prop_at(t, "/", "v");
	assert_true(dt_prop_u64(p, &v));
	dt_tree_free(t);
	return v;
}

static void test_expressions(void **state)
{
	assert_true(eval("1 + 2 * 3") == 7);
	assert_true(eval("(1 + 2) * 3") == 9);
	assert_true(eval("10 - 4 - 3") == 3);
	assert_true(eval("100 / 10 / 5") == 2);
	assert_true(eval("17 % 5") == 2);
	assert_true(eval("1 << 4 + 1") == 32);
	assert_true(eval("0x100 >> 4") == 0x10);
	assert_true(eval("1 << 64") == 0);
	assert_true(eval("1 << 63") == UINT64_C(1) << 63);
	assert_true(eval("3 < 4 == 1") == 1);
	assert_true(eval("4 <= 4") == 1);
	assert_true(eval("5 >= 6") == 0);
	assert_true(eval("5 > 6") == 0);
	assert_true(eval("1 != 2") == 1);
	assert_true(eval("6 & 3 | 8") == 10);
	assert_true(eval("6 ^ 3 & 1") == 7);
	assert_true(eval("1 | 2 ^ 3") == 1);
	assert_true(eval("1 || 0 && 0") == 1);
	assert_true(eval("2 && 3") == 1);
	assert_true(eval("0 || 0") == 0);
	assert_true(eval("0 ? 1 : 2") == 2);
	assert_true(eval("1 ? 2 : 3 ? 4 : 5") == 2);
	assert_true(eval("0 ? 2 : 0 ? 4 : 5") == 5);
	assert_true(eval("-1") == UINT64_MAX);
	assert_true(eval("~0") == UINT64_MAX);
	assert_true(eval("!5") == 0);
	assert_true(eval("- -3") == 3);
	assert_true(eval("-3 * -3") == 9);
	assert_true(eval("'a' + 1") == 'b');
	assert_true(eval("(((((7)))))") == 7);
	/* unsigned 64-bit */
	assert_true(eval("0 - 1 > 5") == 1);
	assert_true(eval("0xffffffffffffffff + 2") == 1);

	expect_error("/dts-v1/;\n/ {\n\tprop-div = < (1/0) >;\n};\n", 3, 17,
		     "division by zero");
	expect_error("/dts-v1/;\n/ { a = < (5 % (2 - 2)) >; };\n", 2, 14,
		     "division by zero");
	/* dtc evaluates both branches */
	expect_error("/dts-v1/;\n/ { a = < (1 ? 1 : 1/0) >; };\n", 2, 21,
		     "division by zero");
	expect_error("/dts-v1/;\n/ { a = < (1 + 2; };\n", 2, 17,
		     "expected ')'");
	expect_error("/dts-v1/;\n/ { a = < (1 ? 2) >; };\n", 2, 17, "':'");
}

static void test_strings_bytes(void **state)
{
	static const uint8_t s1[] = "\a\b\t\n\v\f\r\\\"'q\x01\xab\x7\x53\xff";
	static const uint8_t s2[] = { 'a', 0, 'b', 'c', 0, 0, 'x', 0 };
	static const uint8_t b1[] = { 0x00, 0x11, 0xaa, 0xbb, 0xcc, 0x01 };
	struct dt_tree *t;
	struct dt_property *p;

	t = parse_ok("/dts-v1/;\n/ {\n"
		     "\ts1 = \"\\a\\b\\t\\n\\v\\f\\r\\\\\\\"\\'\\q\\x1\\xab\\7\\123\\377\";\n"
		     "\ts2 = \"a\", \"bc\", \"\", \"x\";\n"
		     "\tb1 = [00 11 aabb\n cc01];\n"
		     "\tb2 = [];\n"
		     "\tnul = \"a\\0b\";\n"
		     "\tml = \"line1\nline2\";\n"
		     "\tafter;\n"
		     "};\n");
	p = prop_at(t, "/", "s1");
	assert_bytes(p, s1, sizeof(s1));
	assert_int_equal(p->val.markers->kind, DT_MARK_TYPE_STRING);
	p = prop_at(t, "/", "s2");
	assert_bytes(p, s2, sizeof(s2));
	assert_int_equal(count_markers(p, DT_MARK_TYPE_STRING), 4);
	assert_int_equal(marker(p, DT_MARK_TYPE_STRING, 1)->offset, 2);
	assert_int_equal(marker(p, DT_MARK_TYPE_STRING, 3)->offset, 6);
	p = prop_at(t, "/", "b1");
	assert_bytes(p, b1, sizeof(b1));
	assert_int_equal(p->val.markers->kind, DT_MARK_TYPE_BYTES);
	p = prop_at(t, "/", "b2");
	assert_int_equal(p->val.len, 0);
	assert_int_equal(p->val.markers->kind, DT_MARK_TYPE_BYTES);
	p = prop_at(t, "/", "nul");
	assert_bytes(p, "a\0b", 4);
	p = prop_at(t, "/", "after");
	assert_int_equal(p->pos.line, 11);	/* the string spanned a line */
	assert_int_equal(p->pos.col, 2);
	dt_tree_free(t);

	expect_error("/dts-v1/;\n/ {\n\ts = \"abc;\n};\n", 3, 6,
		     "unterminated string");
	expect_error("/dts-v1/;\n/ { s = \"\\x\"; };\n", 2, 9,
		     "\\x used with no following hex digits");
	expect_error("/dts-v1/;\n/ { b = [001]; };\n", 2, 12,
		     "pairs of hex digits");
	expect_error("/dts-v1/;\n/ { b = [00; };\n", 2, 12,
		     "expected ']'");
	expect_error("/dts-v1/;\n/ { s = ; };\n", 2, 9,
		     "expected a property value");
	expect_error("/dts-v1/;\n/ { s = \"a\",; };\n", 2, 13,
		     "expected a property value");
}

static void test_char_literals(void **state)
{
	static const uint8_t want[] = { 0, 0, 0, '\r', 0, 0, 0, 'b',
					0, 0, 0, 0, 0, 0, 0, '\'',
					0, 0, 0, 0xff, 0, 0, 0, '\\' };
	struct dt_tree *t;

	t = parse_ok("/dts-v1/;\n/ {\n\tc = <'\\r' 'b' '\\0' '\\'' '\\xff' "
		     "'\\\\'>;\n};\n");
	assert_bytes(prop_at(t, "/", "c"), want, sizeof(want));
	dt_tree_free(t);
}

static void test_refs_labels(void **state)
{
	struct dt_tree *t;
	struct dt_property *p;
	const struct dt_marker *m;
	char buf[128];

	t = parse_ok("/dts-v1/;\n/ {\n"
		     "\tph = <&n 1 &{/node@1} &{n/}>;\n"
		     "\tpath = &n, &{/node@1}, \"s\";\n"
		     "\tv = s: < a: 1 b: 2 > c:, d: [e: 00 f:] g:;\n"
		     "\tl1: l2: n: node@1 { };\n"
		     "};\n");
	assert_string_equal(label_list(dt_path(t, "/node@1")->labels, buf,
				       sizeof(buf)), "l1 l2 n ");
	p = prop_at(t, "/", "ph");
	assert_int_equal(p->val.len, 16);
	assert_int_equal(dt_cell(p, 0), 0xffffffff);
	assert_int_equal(dt_cell(p, 1), 1);
	assert_int_equal(count_markers(p, DT_MARK_REF_PHANDLE), 3);
	m = marker(p, DT_MARK_REF_PHANDLE, 0);
	assert_string_equal(m->ref, "n");
	assert_int_equal(m->offset, 0);
	assert_int_equal(m->pos.line, 3);
	assert_int_equal(m->pos.col, 8);
	m = marker(p, DT_MARK_REF_PHANDLE, 1);
	assert_string_equal(m->ref, "/node@1");
	assert_int_equal(m->offset, 8);
	assert_string_equal(marker(p, DT_MARK_REF_PHANDLE, 2)->ref, "n/");

	p = prop_at(t, "/", "path");
	assert_int_equal(p->val.len, 2);
	assert_int_equal(count_markers(p, DT_MARK_REF_PATH), 2);
	assert_string_equal(marker(p, DT_MARK_REF_PATH, 0)->ref, "n");
	assert_int_equal(marker(p, DT_MARK_REF_PATH, 0)->offset, 0);
	assert_string_equal(marker(p, DT_MARK_REF_PATH, 1)->ref, "/node@1");
	assert_int_equal(marker(p, DT_MARK_REF_PATH, 1)->offset, 0);
	assert_int_equal(count_markers(p, DT_MARK_TYPE_STRING), 3);

	p = prop_at(t, "/", "v");
	assert_int_equal(p->val.len, 9);
	assert_int_equal(count_markers(p, DT_MARK_LABEL), 8);
	assert_string_equal(marker(p, DT_MARK_LABEL, 0)->ref, "s");
	assert_int_equal(marker(p, DT_MARK_LABEL, 0)->offset, 0);
	assert_string_equal(marker(p, DT_MARK_LABEL, 2)->ref, "b");
	assert_int_equal(marker(p, DT_MARK_LABEL, 2)->offset, 4);
	assert_string_equal(marker(p, DT_MARK_LABEL, 3)->ref, "c");
	assert_int_equal(marker(p, DT_MARK_LABEL, 3)->offset, 8);
	assert_string_equal(marker(p, DT_MARK_LABEL, 7)->ref, "g");
	assert_int_equal(marker(p, DT_MARK_LABEL, 7)->offset, 9);
	/* markers are sorted by offset */
	for (m = p->val.markers; m && m->next; m = m->next)
		assert_true(m->offset <= m->next->offset);
	dt_tree_free(t);
}

static void test_names(void **state)
{
	struct dt_tree *t;
	struct dt_node *n;

	t = parse_ok("/dts-v1/;\n/ {\n"
		     "\t#address-cells = <1>;\n"
		     "\t\\#gpio-cells = <2>;\n"
		     "\tweird,name+x.y_z?*# = <3>;\n"
		     "\tcpu@0,1 { };\n"
		     "\t0x10 { };\n"
		     "};\n");
	assert_non_null(dt_prop(t->root, "#address-cells"));
	assert_non_null(dt_prop(t->root, "#gpio-cells"));
	assert_non_null(dt_prop(t->root, "weird,name+x.y_z?*#"));
	n = dt_child(t->root, "cpu@0,1");
	assert_non_null(n);
	assert_int_equal(n->pos.line, 6);
	assert_int_equal(n->pos.col, 2);
	assert_int_equal(n->end_pos.line, 6);
	assert_int_equal(n->end_pos.col, 12);
	assert_non_null(dt_child(t->root, "0x10"));
	dt_tree_free(t);
}

static void test_merge(void **state)
{
	struct dt_tree *t;
	struct dt_node *n;
	struct dt_property *p;
	char buf[128];

	t = parse_ok("/dts-v1/;\n"
		     "/ {\n"
		     "\ta = <1>;\n"
		     "\tb = <2>;\n"
		     "\tx: node { p = <1>; sub { }; };\n"
		     "};\n"
		     "/ {\n"
		     "\tl: a = <3>;\n"
		     "\tc = <4>;\n"
		     "\tnode { q = <2>; sub { r; }; new { }; };\n"
		     "};\n"
		     "&x { p = <9>; };\n"
		     "y: &{/node/sub} { s; };\n"
		     "&{/} { d; };\n");
	assert_int_equal(nprops(t->root), 4);
	p = t->root->props;
	assert_string_equal(p->name, "a");	/* replaced in place */
	assert_int_equal(dt_cell(p, 0), 3);
	assert_string_equal(p->labels->name, "l");
	assert_int_equal(p->pos.line, 8);
	assert_string_equal(p->next->name, "b");
	assert_string_equal(p->next->next->name, "c");
	assert_string_equal(p->next->next->next->name, "d");
	n = dt_path(t, "/node");
	assert_int_equal(nchildren(t->root), 1);
	assert_int_equal(nprops(n), 2);
	assert_int_equal(dt_cell(dt_prop(n, "p"), 0), 9);
	assert_int_equal(n->pos.line, 5);
	assert_int_equal(n->redef_pos.line, 12);	/* &x { } */
	assert_int_equal(n->redef_pos.col, 1);
	assert_int_equal(nchildren(n), 2);
	n = dt_path(t, "/node/sub");
	assert_non_null(dt_prop(n, "r"));
	assert_non_null(dt_prop(n, "s"));
	assert_string_equal(label_list(n->labels, buf, sizeof(buf)), "y ");
	assert_int_equal(t->root->redef_pos.line, 14);
	dt_tree_free(t);

	/* within one block, duplicates are kept for the semantic phase */
	t = parse_ok("/dts-v1/;\n/ { a; a = <1>; n { }; n { }; };\n");
	assert_int_equal(nprops(t->root), 2);
	assert_int_equal(nchildren(t->root), 2);
	dt_tree_free(t);

	/* dtc's label order: add_label() adds at the head */
	t = parse_ok("/dts-v1/;\n"
		     "/ { x: n { r: r: s: a = <1>; }; };\n"
		     "/ { a: b: a: n { t: a = <2>; }; };\n"
		     "c: &x { };\n");
	n = dt_path(t, "/n");
	assert_string_equal(label_list(n->labels, buf, sizeof(buf)),
			    "c a b x ");
	assert_string_equal(label_list(dt_prop(n, "a")->labels, buf,
				       sizeof(buf)), "t r s ");
	dt_tree_free(t);

	expect_error("/dts-v1/;\n/ { label: node { }; };\n\n&nosuchnode {\n};\n",
		     4, 1, "label or path '&nosuchnode' not found");
	expect_error("/dts-v1/;\n/ { };\nlabel: &{/x/y} {\n};\n", 3, 8,
		     "label or path '&{/x/y}' not found");
	expect_error("/dts-v1/;\n/ { };\n/delete-node/ &nope;\n", 3, 15,
		     "not found");
	expect_error("/dts-v1/;\n/ { };\na: b: &{/} { };\n", 3, 4,
		     "expected a node reference");
}

static void test_delete(void **state)
{
	struct dt_tree *t;
	struct dt_node *n;
	char buf[128];

	/* dtc's delete_reinstate_multilabel.dts */
	t = parse_ok("/dts-v1/;\n"
		     "/ { label1: label2: prop = \"value\"; other = <1>;\n"
		     "    label3: label4: node { label5: label6: prop = \"value\"; };\n"
		     "};\n"
		     "/ { /delete-property/ prop; /delete-node/ node; };\n"
		     "/ { prop = \"value\"; node { prop = \"value\"; }; };\n");
	assert_string_equal(t->root->props->name, "prop");	/* in place */
	assert_null(t->root->props->labels);
	n = dt_child(t->root, "node");
	assert_non_null(n);
	assert_null(n->labels);
	assert_null(dt_prop(n, "prop")->labels);
	dt_tree_free(t);

	t = parse_ok("/dts-v1/;\n"
		     "/ { a { x: b { }; c { }; }; d: e { }; f { }; g { }; };\n"
		     "/delete-node/ &x;\n"
		     "/delete-node/ &{/f};\n"
		     "/ { a { /delete-property/ none; /delete-node/ c; }; };\n"
		     "/omit-if-no-ref/ &d;\n"
		     "/ { /omit-if-no-ref/ h { }; i: /omit-if-no-ref/ j: k { }; };\n"
		     "/ { x: z { }; };\n"
		     "&x { p; };\n");
	assert_int_equal(nchildren(dt_path(t, "/a")), 0);
	assert_null(dt_path(t, "/f"));
	assert_true(dt_path(t, "/e")->omit_if_no_ref);
	assert_false(dt_path(t, "/g")->omit_if_no_ref);
	assert_true(dt_path(t, "/h")->omit_if_no_ref);
	n = dt_path(t, "/k");
	assert_true(n->omit_if_no_ref);
	assert_string_equal(label_list(n->labels, buf, sizeof(buf)), "i j ");
	/* label x was freed by the deletion: &x is now /z */
	assert_non_null(dt_prop(dt_path(t, "/z"), "p"));
	dt_tree_free(t);

	/* a /delete-node/ of a node of the same block does nothing in dtc,
	 * whose duplicate-node check then rejects the pair */
	expect_error("/dts-v1/;\n/ { foo { }; /delete-node/ foo; };\n", 2, 28,
		     "duplicate node name 'foo'");
}

static void test_plugin(void **state)
{
	struct dt_tree *t;
	struct dt_node *f;
	struct dt_property *p;

	t = parse_ok("/dts-v1/;\n/plugin/;\n"
		     "&foo { a = <1>; };\n"
		     "&{/bar} { b; };\n"
		     "/ { c; };\n");
	f = dt_child(t->root, "fragment@0");
	assert_non_null(f);
	p = dt_prop(f, "target");
	assert_non_null(p);
	assert_string_equal(marker(p, DT_MARK_REF_PHANDLE, 0)->ref, "foo");
	assert_non_null(dt_prop(dt_child(f, "__overlay__"), "a"));
	f = dt_child(t->root, "fragment@1");
	assert_non_null(f);
	assert_string_equal(dt_prop_str(dt_prop(f, "target-path")), "/bar");
	assert_non_null(dt_prop(t->root, "c"));
	dt_tree_free(t);

	expect_error("/dts-v1/;\n&foo { };\n", 2, 1,
		     "label or path '&foo' not found");
}

static void test_syntax_errors(void **state)
{
	expect_error("/dts-v1/;\n/ {\n\tcpus = <8 9 10 11>\n\tmemory = <1>;\n};\n",
		     3, 20, "expected ';' after property value");
	expect_error("/dts-v1/;\n/ {\n\tcpus <1>;\n};\n", 3, 6,
		     "expected '=' or ';' after property name 'cpus'");
	expect_error("/dts-v1/;\n/ {\n};\n};\n", 4, 1, "unexpected '}'");
	expect_error("/dts-v1/;\n/ {\n\tn { };\n\t= 1;\n};\n", 4, 2,
		     "expected a node name or '}'");
	expect_error("/dts-v1/;\n/ {\n\tp = /foo/ <1>;\n};\n", 3, 6,
		     "unknown directive '/foo/'");
	expect_error("/dts-v1/;\n/ {\n\tnode1 {\n\t};\n\tprop;\n\tnode2 {\n\t};\n};\n",
		     5, 2, "properties must precede subnodes");
	expect_error("/dts-v1/;\n/ {\n\tn {\n\t}\n};\n", 4, 3,
		     "expected ';' after '}'");
	expect_error("/dts-v1/;\n/ {\n\tn {\n", 4, 1,
		     "unexpected end of file");
	expect_error("/dts-v1/;\n/* open\n/ { };\n", 2, 1,
		     "unterminated comment");
	expect_error("/dts-v1/;\n/ { \x01 };\n", 2, 5, "stray byte 0x01");
	expect_error("/dts-v1/;\nfoo { };\n", 2, 1, "found name 'foo'");
	expect_error("/dts-v1/;\n/ { };\nfoo { };\n", 3, 1,
		     "unexpected name 'foo'");
	expect_error("/dts-v1/;\n/ { a = &{/x; };\n", 2, 9,
		     "expected '}' to end the path reference");
	expect_error("/dts-v1/;\n/ { a: };\n", 2, 8,
		     "expected a property or node after the label");
}

static void test_comments(void **state)
{
	struct dt_tree *t;
	struct dt_property *p;

	t = parse_ok("// c1\n/dts-v1/; /* c2\n */ / { // c3\n"
		     "\ta /* x */ = /* y */ <1 /* z */ 2> /**/ ; /***/\n"
		     "}; // end");
	p = prop_at(t, "/", "a");
	assert_int_equal(p->pos.line, 4);
	assert_int_equal(p->pos.col, 2);
	assert_int_equal(p->val_pos.col, 22);
	assert_int_equal(p->end_pos.col, 41);
	dt_tree_free(t);
}

static void test_line_markers(void **state)
{
	struct dt_tree *t;
	struct dt_property *p;

	t = parse_ok("/dts-v1/;\n"
		     "#line 3 \"foo.dts\"\n"
		     "# 9 \"baz.dts\" 1\n"
		     "# 6 \"bar.dts\"\n"
		     "/ {\n"
		     "\tprop1 = <\n"
		     "# 10 \"qux.dts\"\n"
		     "\t\t0x12345678\n"
		     "\t>;\n"
		     "# 100 \"\\\".dts\"\n"
		     "\tp2;\n"
		     "};\n");
	assert_string_equal(t->root->pos.file->name, "bar.dts");
	assert_int_equal(t->root->pos.line, 6);
	p = prop_at(t, "/", "prop1");
	assert_int_equal(dt_cell(p, 0), 0x12345678);
	assert_int_equal(p->end_pos.line, 11);
	assert_string_equal(p->end_pos.file->name, "qux.dts");
	p = prop_at(t, "/", "p2");
	assert_string_equal(p->pos.file->name, "\".dts");
	assert_int_equal(p->pos.line, 100);
	dt_tree_free(t);

	expect_error("# 0 \"\\0\"\n", 1, 1, "NUL character");
	diags_free(&diags);
	diags_init(&diags);
	assert_int_equal(dts_parse_string("n.dts", "# 0 \"\0\"\n", 9, NULL, &t,
					  &diags), -EINVAL);
	assert_non_null(strstr(diags.v[0].msg, "NUL character"));
}

/* Files for /include/ and /incbin/ tests, in a fresh directory. */
static char tmpdir[64];

static void put(const char *rel, const char *text, size_t len)
{
	char path[256];
	FILE *f;

	if (!len)
		len = strlen(text);
	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static int setup_files(void **state)
{
	char path[128];

	strcpy(tmpdir, "/tmp/kerf-parser-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(path, sizeof(path), "%s/sub", tmpdir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/inc", tmpdir);
	mkdir(path, 0755);
	put("main.dts", "/dts-v1/;\n/include/ \"sub/a.dtsi\"\n"
	    "/ { bin = /incbin/(\"sub/blob.bin\"), "
	    "/incbin/(\"sub/blob.bin\", 2, 3), /incbin/(\"sub/blob.bin\", 8, 4); };\n",
	    0);
	put("sub/a.dtsi", "/ {\n\tfrom-a;\n/include/ \"b.dtsi\"\n};\n", 0);
	put("sub/b.dtsi", "\tfrom-b = /incbin/(\"blob.bin\");\n", 0);
	put("sub/blob.bin", "\x01\x02\x03\x04\x05\x06", 6);
	put("inc/c.dtsi", "/ { from-c; };\n", 0);
	put("self.dts", "/dts-v1/;\n/include/ \"self.dts\"\n", 0);
	return 0;
}

static int teardown_files(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_includes(void **state)
{
	static const uint8_t bin[] = { 1, 2, 3, 4, 5, 6, 3, 4, 5 };
	const char *dirs[1];
	struct dt_parse_opts o = { dirs, 1 };
	struct dt_tree *t = NULL;
	struct dt_property *p;
	char path[256];
	int ret;

	snprintf(path, sizeof(path), "%s/main.dts", tmpdir);
	diags_free(&diags);
	diags_init(&diags);
	ret = dts_parse_file(path, NULL, &t, &diags);
	if (ret < 0)
		diags_print(stderr, &diags);
	assert_int_equal(ret, 0);
	p = prop_at(t, "/", "from-a");
	assert_non_null(strstr(p->pos.file->name, "sub/a.dtsi"));
	assert_int_equal(p->pos.line, 2);
	p = prop_at(t, "/", "from-b");
	assert_non_null(strstr(p->pos.file->name, "sub/b.dtsi"));
	assert_int_equal(p->pos.line, 1);
	assert_bytes(p, bin, 6);
	assert_int_equal(p->val.markers->kind, DT_MARK_TYPE_BYTES);
	p = prop_at(t, "/", "bin");
	assert_bytes(p, bin, sizeof(bin));
	assert_int_equal(count_markers(p, DT_MARK_TYPE_BYTES), 3);
	assert_non_null(p->pos.file->text);	/* kept for diagnostics */
	dt_tree_free(t);

	/* -i DIR */
	dirs[0] = tmpdir;
	t = parse_opts("/dts-v1/;\n/include/ \"inc/c.dtsi\"\n", &o);
	assert_non_null(t);
	assert_non_null(dt_prop(t->root, "from-c"));
	dt_tree_free(t);

	expect_error("/dts-v1/;\n/include/ \"no/such.dtsi\"\n", 2, 1,
		     "cannot include 'no/such.dtsi'");
	expect_error("/dts-v1/;\n/ { a = /incbin/(\"nope.bin\"); };\n", 2, 18,
		     "cannot read 'nope.bin'");
	expect_error("/dts-v1/;\n/include/ \"/dev/zero\"\n", 2, 1,
		     "not a regular file");
	expect_error("/dts-v1/;\n/include/ 3\n", 2, 1,
		     "expected a quoted file name");

	snprintf(path, sizeof(path), "%s/self.dts", tmpdir);
	diags_free(&diags);
	diags_init(&diags);
	ret = dts_parse_file(path, NULL, &t, &diags);
	assert_int_equal(ret, -EINVAL);
	assert_null(t);
	assert_non_null(strstr(diags.v[0].msg, "nested too deeply"));
	/* the diagnostic still has its file after the tree is gone */
	assert_non_null(diags.v[0].pos.file);
	assert_non_null(strstr(diags.v[0].pos.file->name, "self.dts"));
}

static void test_limits(void **state)
{
	struct strbuf sb;
	struct dt_tree *t;
	int i;

	sb_init(&sb);
	sb_adds(&sb, "/dts-v1/;\n/ {");
	for (i = 0; i < 999; i++)
		sb_adds(&sb, "n{");
	for (i = 0; i < 999; i++)
		sb_adds(&sb, "};");
	sb_adds(&sb, "};");
	t = parse_ok(sb.buf);
	dt_tree_free(t);
	sb_reset(&sb);
	sb_adds(&sb, "/dts-v1/;\n/ {");
	for (i = 0; i < 100000; i++)
		sb_adds(&sb, "n{");
	t = parse(sb.buf);
	assert_null(t);
	assert_non_null(strstr(diags.v[0].msg, "nested too deeply"));

	sb_reset(&sb);
	sb_adds(&sb, "/dts-v1/;\n/ { a = <");
	for (i = 0; i < 100000; i++)
		sb_adds(&sb, "(-");
	t = parse(sb.buf);
	assert_null(t);
	assert_non_null(strstr(diags.v[0].msg, "nested too deeply"));

	sb_reset(&sb);
	sb_adds(&sb, "/dts-v1/;\n/ { a = <");
	for (i = 0; i < 100000; i++)
		sb_adds(&sb, "l: ");
	sb_adds(&sb, ">; ");
	for (i = 0; i < 100000; i++)
		sb_adds(&sb, "m: ");
	sb_adds(&sb, "b; };");
	t = parse_ok(sb.buf);
	dt_tree_free(t);
	sb_free(&sb);
}

/* Byte soup must give an error or a tree, never a crash or a leak. */
static void test_garbage(void **state)
{
	static const char *const pieces[] = {
		"/dts-v1/;", "/ {", "};", "{", "}", ";", "<", ">", "[", "]",
		"(", ")", "\"", "'", "&", "&{/", "a:", "&a", "x", "0x", "09",
		"/*", "*/", "//", "\n", "# 1 \"f\"\n", "/bits/", "8", "64",
		"/delete-node/", "/delete-property/", "/omit-if-no-ref/",
		"/memreserve/", "/plugin/", "/incbin/(\"x\")", "=", ",", "-",
		"?", ":", "\\", "\0", "\xff", "1/0", "a: &a {", "@", "#",
		"/include/ \"", "&{a/b}",
	};
	uint32_t seed = 12345;
	char buf[512];
	int i, j;

	for (i = 0; i < 3000; i++) {
		size_t len = 0;
		struct dt_tree *t;

		for (j = 0; j < 40 && len < sizeof(buf) - 32; j++) {
			const char *p;
			size_t n;

			seed = seed * 1103515245 + 12345;
			if ((seed >> 16) % 4 == 0) {
				buf[len++] = (char)(seed >> 8);
				continue;
			}
			p = pieces[(seed >> 16) % ARRAY_SIZE(pieces)];
			n = p[0] ? strlen(p) : 1;
			memcpy(buf + len, p, n);
			len += n;
			buf[len++] = ' ';
		}
		if (i % 2)
			memcpy(buf, "/dts-v1/;/ {", 12);
		diags_free(&diags);
		diags_init(&diags);
		t = NULL;
		if (dts_parse_string("g.dts", buf, len, NULL, &t, &diags) == 0)
			dt_tree_free(t);
		else
			assert_null(t);
	}
}

static int teardown_diags(void **state)
{
	diags_free(&diags);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_memreserve),
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_cell_fast_path),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_expressions),
		cmocka_unit_test(test_strings_bytes),
		cmocka_unit_test(test_char_literals),
		cmocka_unit_test(test_refs_labels),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_plugin),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_line_markers),
		cmocka_unit_test_setup_teardown(test_includes, setup_files,
						teardown_files),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_garbage),
	};
	int ret;

	diags_init(&diags);
	ret = cmocka_run_group_tests(tests, NULL, teardown_diags);
	diags_free(&diags);
	return ret;
}
