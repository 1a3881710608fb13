// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/cpuset.h"

/* Deterministic PRNG so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

/* The set must contain exactly the bits of w[0..n). */
static void assert_bits(const struct cpuset *s, const uint64_t *w,
			unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n * 64; i++) {
		bool want = w[i / 64] & (UINT64_C(1) << i % 64);

		if (cpuset_has(s, i) != want) {
			print_error("bit %u differs\n", i);
			fail();
		}
	}
	assert_true(cpuset_next(s, n * 64) < 0);
}

static void test_basic(void **state)
{
	struct cpuset s;
	uint32_t n = 0;

	cpuset_init(&s);
	assert_true(cpuset_empty(&s));
	assert_int_equal(cpuset_count(&s), 0);
	assert_false(cpuset_has(&s, 0));
	assert_false(cpuset_has(&s, CPUSET_MAX + 5));
	assert_true(cpuset_next(&s, 0) < 0);
	cpuset_del(&s, 1000); /* deleting from nothing is fine */

	cpuset_add(&s, 0);
	cpuset_add(&s, 63);
	cpuset_add(&s, 64);
	cpuset_add(&s, CPUSET_MAX - 1);
	cpuset_add(&s, CPUSET_MAX); /* out of range: ignored */
	cpuset_add(&s, UINT32_MAX);
	assert_int_equal(cpuset_count(&s), 4);
	assert_true(cpuset_has(&s, 63));
	assert_true(cpuset_has(&s, 64));
	assert_false(cpuset_has(&s, 65));
	assert_int_equal(cpuset_next(&s, 1), 63);
	assert_int_equal(cpuset_next(&s, 65), CPUSET_MAX - 1);
	assert_true(cpuset_next(&s, CPUSET_MAX) < 0);
	assert_true(cpuset_next(&s, UINT32_MAX) < 0);

	cpuset_for_each(&s, c)
	{
		assert_true(cpuset_has(&s, (uint32_t)c));
		n++;
	}
	assert_int_equal(n, 4);

	cpuset_del(&s, 63);
	assert_false(cpuset_has(&s, 63));
	assert_int_equal(cpuset_count(&s), 3);
	cpuset_clear(&s);
	assert_true(cpuset_empty(&s));
	cpuset_free(&s);
	cpuset_free(&s); /* idempotent */
}

static void test_add_range(void **state)
{
	static const uint32_t r[][2] = {
		{0, 0},
		{0, 63},
		{0, 64},
		{1, 62},
		{63, 64},
		{60, 200},
		{64, 127},
		{127, 128},
		{5, 4},
		{100, 1000},
		{CPUSET_MAX - 3, CPUSET_MAX + 10},
		{CPUSET_MAX, CPUSET_MAX + 10},
	};
	struct cpuset s;
	size_t i;
	uint32_t c;

	cpuset_init(&s);
	for (i = 0; i < ARRAY_SIZE(r); i++) {
		uint32_t first = r[i][0], last = r[i][1], want = 0;

		cpuset_clear(&s);
		cpuset_add_range(&s, first, last);
		for (c = 0; c < CPUSET_MAX; c++) {
			bool in = c >= first && c <= last;

			assert_int_equal(cpuset_has(&s, c), in);
			want += in;
		}
		assert_int_equal(cpuset_count(&s), want);
	}
	cpuset_free(&s);
}

/* Random sets against a plain bool array: every operation. */
#define PROP_BITS 700

static void random_set(struct cpuset *s, bool *ref)
{
	uint32_t n = rnd(8), i, c;

	cpuset_clear(s);
	memset(ref, 0, PROP_BITS * sizeof(*ref));
	/* Vary the length so operands have different nwords. */
	for (i = 0; i < n; i++) {
		uint32_t first = rnd(PROP_BITS);
		uint32_t len = rnd(5) ? rnd(8) : rnd(200);
		uint32_t last =
			first + len >= PROP_BITS ? PROP_BITS - 1 : first + len;

		if (rnd(2)) {
			cpuset_add_range(s, first, last);
			for (c = first; c <= last; c++)
				ref[c] = true;
		} else {
			cpuset_add(s, first);
			ref[first] = true;
		}
	}
}

static void assert_ref(const struct cpuset *s, const bool *ref)
{
	uint32_t c, n = 0;

	for (c = 0; c < PROP_BITS; c++) {
		assert_int_equal(cpuset_has(s, c), ref[c]);
		n += ref[c];
	}
	assert_int_equal(cpuset_count(s), n);
	assert_int_equal(cpuset_empty(s), n == 0);
	assert_true(cpuset_next(s, PROP_BITS) < 0);
}

static void test_set_ops(void **state)
{
	static bool ra[PROP_BITS], rb[PROP_BITS], rr[PROP_BITS];
	struct cpuset a, b, r;
	int iter;
	uint32_t c;

	cpuset_init(&a);
	cpuset_init(&b);
	cpuset_init(&r);
	for (iter = 0; iter < 400; iter++) {
		bool inter = false, sub = true, sub2 = true;

		random_set(&a, ra);
		random_set(&b, rb);
		if (iter % 7 == 0) /* make equal/subset cases common */
			for (c = 0; c < PROP_BITS; c++)
				if (rb[c])
					cpuset_add(&a, c), ra[c] = true;
		assert_ref(&a, ra);

		for (c = 0; c < PROP_BITS; c++) {
			inter |= ra[c] && rb[c];
			if (ra[c] && !rb[c])
				sub = false;
			if (rb[c] && !ra[c])
				sub2 = false;
		}
		assert_int_equal(cpuset_intersects(&a, &b), inter);
		assert_int_equal(cpuset_intersects(&b, &a), inter);
		assert_int_equal(cpuset_subset(&a, &b), sub);
		assert_int_equal(cpuset_subset(&b, &a), sub2);
		assert_int_equal(cpuset_equal(&a, &b), sub && sub2);

		cpuset_copy(&r, &a);
		cpuset_or(&r, &b);
		for (c = 0; c < PROP_BITS; c++)
			rr[c] = ra[c] || rb[c];
		assert_ref(&r, rr);

		cpuset_copy(&r, &a);
		cpuset_and(&r, &b);
		for (c = 0; c < PROP_BITS; c++)
			rr[c] = ra[c] && rb[c];
		assert_ref(&r, rr);

		cpuset_copy(&r, &a);
		cpuset_andnot(&r, &b);
		for (c = 0; c < PROP_BITS; c++)
			rr[c] = ra[c] && !rb[c];
		assert_ref(&r, rr);

		/* copy shrinks too: a long dst takes a short src */
		cpuset_add(&r, PROP_BITS + 1000);
		cpuset_copy(&r, &b);
		assert_ref(&r, rb);
		assert_true(cpuset_equal(&r, &b));
		cpuset_copy(&r, &r);
		assert_true(cpuset_equal(&r, &b));
	}
	cpuset_free(&a);
	cpuset_free(&b);
	cpuset_free(&r);
}

static void test_equal_lengths(void **state)
{
	struct cpuset a, b;

	cpuset_init(&a);
	cpuset_init(&b);
	/* Trailing zero words do not make sets different. */
	cpuset_add(&a, 1000);
	cpuset_del(&a, 1000);
	assert_true(cpuset_equal(&a, &b));
	assert_true(cpuset_equal(&b, &a));
	assert_true(cpuset_subset(&a, &b));
	assert_true(cpuset_subset(&b, &a));
	cpuset_add(&b, 3);
	assert_false(cpuset_equal(&a, &b));
	assert_true(cpuset_subset(&a, &b));
	cpuset_and(&b, &a); /* dst longer than a: upper words cleared */
	assert_true(cpuset_empty(&b));
	cpuset_free(&a);
	cpuset_free(&b);
}

/*
 * Linux lib/test_bitmap.c parselist_tests that kerf accepts, with the
 * kernel's expected bitmaps (exp1[]/exp2[] there).
 */
struct accept_vec {
	const char *in;
	uint64_t exp[2];
};

static const struct accept_vec kernel_ok[] = {
	{"0", {1}},
	{"1", {2}},
	{"0-15", {0x0000ffff}},
	{"16-31", {0xffff0000}},
	{"0-31:1/2", {0x55555555}},
	{"1-31:1/2", {0xaaaaaaaa}},
	{"0-31:1/4", {0x11111111}},
	{"1-31:1/4", {0x22222222}},
	{"0-31:4/4", {0xffffffff}},
	{"1-31:4/4", {0xfffffffe}},
	{"0-31:1/4,32-63:2/4", {0x3333333311111111ULL}},
	{"0-31:3/4,32-63:4/4", {0xffffffff77777777ULL}},
	{"0-31:1/4,32-63:2/4,64-95:3/4,96-127:4/4",
	 {0x3333333311111111ULL, 0xffffffff77777777ULL}},
	/* kernel: "" is the empty bitmap; cpuset_format's "" reads back */
	{"", {0}},
	{"0-0", {1}},
	{"1-1", {2}},
	{"15-15", {0x00008000}},
	{"31-31", {0x80000000}},
	{"0-0:0/1", {0}},
	{"0-0:1/1", {1}},
	{"0-0:1/31", {1}},
	{"0-0:31/31", {1}},
	{"1-1:1/1", {2}},
	{"0-15:16/31", {0x0000ffff}},
	{"15-15:1/2", {0x00008000}},
	{"15-15:31/31", {0x00008000}},
	{"15-31:1/31", {0x00008000}},
	{"16-31:16/31", {0xffff0000}},
	{"31-31:31/31", {0x80000000}},
	/* interleaved but disjoint items: order is free, overlap is not */
	{"0-31:1/3,1-31:1/3,2-31:1/3", {0xffffffff}},
	/* kerf's own */
	{"4-7,12,16-19", {0x00000000000f10f0ULL}},
	{"5:1/2", {0x20}},
	{"0-3\n", {0xf}}, /* a sysfs file as read */
	{" 1 , 3 ", {0xa}},
	{"007", {0x80}},
	{"63-64", {1ULL << 63, 1}},
	{"12,4-7", {0x10f0}},
};

static void test_parse_kernel_accepted(void **state)
{
	struct cpuset s;
	struct cpuset_error err;
	size_t i;

	cpuset_init(&s);
	cpuset_add(&s, 500); /* parse must clear the old contents */
	for (i = 0; i < ARRAY_SIZE(kernel_ok); i++) {
		int ret = cpuset_parse(&s, kernel_ok[i].in, &err);

		if (ret) {
			print_error("'%s': %s\n", kernel_ok[i].in, err.msg);
			fail();
		}
		assert_bits(&s, kernel_ok[i].exp, 2);
	}
	/* kernel's PARSE_TIME vector: 8 groups of 128 */
	assert_int_equal(cpuset_parse(&s, "0-2047:128/256", &err), 0);
	assert_int_equal(cpuset_count(&s), 1024);
	{
		char *f = cpuset_format(&s);

		assert_string_equal(f, "0-127,256-383,512-639,768-895,"
				       "1024-1151,1280-1407,1536-1663,"
				       "1792-1919");
		free(f);
	}
	cpuset_free(&s);
}

struct reject_vec {
	const char *in;
	size_t offset;
	const char *msg; /* substring of the message */
};

/*
 * Kernel vectors the kernel accepts but kerf rejects.  schema.md §3 says
 * no empty items, so ",,", a blank list and a trailing comma are errors
 * (the kernel skips them).  "N" (the last bit) and "all" only make sense
 * for a bitmap of fixed size; kerf's sets grow and CPU lists in files
 * must be explicit.  Overlapping items are "listed twice" in kerf (the
 * kernel ORs them).
 */
static const struct reject_vec kernel_stricter[] = {
	{"  ,,  0-31:3/4  ,, 32-63:4/4  ,,  ", 2, "empty item"},
	{"\n", 1, "empty item at position 1"},
	{",,  ,,  , ,  ,", 0, "empty item at position 0"},
	{" ,  ,,  , ,   ", 1, "empty item"},
	{" ,  ,,  , ,   \n", 1, "empty item"},
	{"N-N", 0, "unexpected character 'N' at position 0"},
	{"0-0:1/N", 6, "unexpected character 'N'"},
	{"0-0:N/N", 4, "unexpected character 'N'"},
	{"0-15:16/N", 8, "unexpected character 'N'"},
	{"15-15:N/N", 6, "unexpected character 'N'"},
	{"15-N:1/N", 3, "unexpected character 'N'"},
	{"16-N:16/N", 3, "unexpected character 'N'"},
	{"N-N:N/N", 0, "unexpected character 'N'"},
	{"0-N:1/3,1-N:1/3,2-N:1/3", 2, "unexpected character 'N'"},
	{"1-10:8/12,8-31:24/29,0-31:0/3", 10, "CPU 8 listed twice"},
	{"all", 0, "unexpected character 'a'"},
	{"0, 1, all,  ", 6, "unexpected character 'a'"},
	{"all:1/2", 0, "unexpected character 'a'"},
	{"ALL:1/2", 0, "unexpected character 'A'"},
};

/* Kernel vectors the kernel rejects too (EINVAL, ERANGE, EOVERFLOW). */
static const struct reject_vec kernel_rejected[] = {
	{"al", 0, "unexpected character 'a'"},
	{"alll", 0, "unexpected character 'a'"},
	{"-1", 0, "unexpected character '-' at position 0"},
	{"-0", 0, "no sign"},
	{"10-1", 0, "range 10-1 is descending"},
	/* kernel "8-8" and "0-31" with nbits 8: ERANGE */
	{"65536", 0, "CPU 65536 is out of range (maximum 65535)"},
	{"0-65536", 2, "CPU 65536 is out of range"},
	{"0-31:", 5, "unexpected end of list at position 5"},
	{"0-31:0", 6, "unexpected end of list"},
	{"0-31:0/", 7, "unexpected end of list"},
	{"0-31:0/0", 5, "region 0/0 has a group size of 0"},
	{"0-31:1/0", 5, "group size of 0"},
	{"0-31:10/1", 5, "region 10/1 uses more CPUs than its group size"},
	{"0-98765432123456789:10/1", 2,
	 "CPU 98765432123456789 is out of range"},
	{"a-31", 0, "unexpected character 'a'"},
	{"0-a1", 2, "unexpected character 'a' at position 2"},
	{"a-31:10/1", 0, "unexpected character 'a'"},
	{"0-31:a/1", 5, "unexpected character 'a'"},
	{"0-\n", 2, "unexpected character '\\x0a' at position 2"},
};

/* kerf's own error cases, from schema.md §3 and the brief. */
static const struct reject_vec kerf_rejected[] = {
	{"4-7x", 3, "unexpected character 'x' at position 3"},
	{"7-4", 0, "range 7-4 is descending"},
	{"4-7,5", 4, "CPU 5 listed twice"},
	{"4-7,,9", 4, "empty item at position 4"},
	{"4-7,", 4, "empty item at position 4"},
	{",4", 0, "empty item at position 0"},
	{"3,3", 2, "CPU 3 listed twice"},
	{"0-10,5-20", 5, "CPU 5 listed twice"},
	{"0-31:1/2,0-31:1/4", 9, "CPU 0 listed twice"},
	{"+1", 0, "unexpected character '+'"},
	{"1--2", 2, "unexpected character '-'"},
	{"1-2-3", 3, "unexpected character '-'"},
	{"1 2", 2, "unexpected character '2'"},
	{"4 -7", 2, "unexpected character '-'"},
	{"1.5", 1, "unexpected character '.'"},
	{"0x10", 1, "unexpected character 'x'"},
	{"-", 0, "unexpected character '-'"},
	{"1-", 2, "unexpected end of list at position 2"},
	{"1:2", 3, "expected '/'"},
	{"1:2/3/4", 5, "unexpected character '/'"},
	{"1\x01", 1, "'\\x01'"},
	{"1'", 1, "'\\x27'"},
	{"\xc3\xa9", 0, "'\\xc3'"},
	{"99999999999999999999999999999999999999", 0,
	 "CPU 999999999999999999999999... is out of range"},
	{"0-31:99999999999/1", 5, "used count 99999999999 is out of range"},
	{"0-31:1/99999999999", 7, "group size 99999999999 is out of range"},
};

static void check_rejects(const struct reject_vec *v, size_t n)
{
	struct cpuset s;
	struct cpuset_error err;
	size_t i;

	cpuset_init(&s);
	for (i = 0; i < n; i++) {
		cpuset_add(&s, 9);
		memset(&err, 0x55, sizeof(err));
		if (cpuset_parse(&s, v[i].in, &err) != -EINVAL) {
			print_error("'%s' accepted\n", v[i].in);
			fail();
		}
		/* a failed parse leaves the set empty */
		assert_true(cpuset_empty(&s));
		assert_non_null(memchr(err.msg, '\0', sizeof(err.msg)));
		if (!strstr(err.msg, v[i].msg) || err.offset != v[i].offset) {
			print_error("'%s': got %zu '%s', want %zu '%s'\n",
				    v[i].in, err.offset, err.msg, v[i].offset,
				    v[i].msg);
			fail();
		}
		assert_true(err.offset <= strlen(v[i].in));
		/* err is optional */
		assert_int_equal(cpuset_parse(&s, v[i].in, NULL), -EINVAL);
	}
	cpuset_free(&s);
}

static void test_parse_kernel_stricter(void **state)
{
	check_rejects(kernel_stricter, ARRAY_SIZE(kernel_stricter));
}

static void test_parse_kernel_rejected(void **state)
{
	check_rejects(kernel_rejected, ARRAY_SIZE(kernel_rejected));
}

static void test_parse_kerf_rejected(void **state)
{
	check_rejects(kerf_rejected, ARRAY_SIZE(kerf_rejected));
}

static void test_parse_limits(void **state)
{
	struct cpuset s;
	struct cpuset_error err;
	char *f;

	cpuset_init(&s);
	assert_int_equal(cpuset_parse(&s, "65535", &err), 0);
	assert_true(cpuset_has(&s, 65535));
	assert_int_equal(cpuset_parse(&s, "0-65535", &err), 0);
	assert_int_equal(cpuset_count(&s), CPUSET_MAX);
	f = cpuset_format(&s);
	assert_string_equal(f, "0-65535");
	free(f);
	assert_int_equal(cpuset_parse(&s, "0-65535:1/65536", &err), 0);
	assert_int_equal(cpuset_count(&s), 1);
	assert_int_equal(cpuset_parse(&s, "0-65535:65536/65536", &err), 0);
	assert_int_equal(cpuset_count(&s), CPUSET_MAX);
	assert_int_equal(cpuset_parse(&s, "0-65535:1/1", &err), 0);
	assert_int_equal(cpuset_count(&s), CPUSET_MAX);
	assert_int_equal(cpuset_parse(&s, "65535-65535:1/2", &err), 0);
	assert_int_equal(cpuset_count(&s), 1);
	cpuset_free(&s);
}

static void test_format(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{"", ""},
		{"4", "4"},
		{"4-7", "4-7"},
		{"4,5,6,7", "4-7"},
		{"4-5,6-7,12", "4-7,12"},
		{"12,4-7", "4-7,12"},
		{"0,2,4", "0,2,4"},
		{"0-1", "0-1"},
		{"63,64", "63-64"},
		{"0-63,64-127,128", "0-128"},
		{"0-31:1/2", "0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30"},
		{"0-31:3/4,32-63:4/4",
		 "0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-63"},
		{"65535", "65535"},
		{"65534-65535", "65534-65535"},
	};
	struct cpuset s;
	struct strbuf sb;
	size_t i;

	cpuset_init(&s);
	sb_init(&sb);
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		char *f;

		assert_int_equal(cpuset_parse(&s, v[i].in, NULL), 0);
		f = cpuset_format(&s);
		assert_string_equal(f, v[i].out);
		free(f);
		sb_reset(&sb);
		sb_adds(&sb, "cpus=");
		cpuset_format_sb(&sb, &s);
		assert_true(strncmp(sb.buf, "cpus=", 5) == 0);
		assert_string_equal(sb.buf + 5, v[i].out);
	}
	sb_free(&sb);
	cpuset_free(&s);
}

/*
 * The formatted form is compact: every item is a maximal run, so no two
 * items are adjacent, and a run of two or more is written as a range.
 */
static void assert_compact(const char *f, const struct cpuset *s)
{
	const char *p = f;
	int64_t prev_last = -2;

	while (*p) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;

		if (*end == '-') {
			b = strtoul(end + 1, &end, 10);
			assert_true(b > a);
		}
		assert_true((int64_t)a > prev_last + 1);
		assert_false(cpuset_has(s, (uint32_t)b + 1));
		if (a)
			assert_false(cpuset_has(s, (uint32_t)a - 1));
		prev_last = (int64_t)b;
		p = end;
		if (*p == ',')
			p++;
	}
}

static void test_roundtrip(void **state)
{
	struct cpuset s, t;
	struct cpuset_error err;
	int iter;

	cpuset_init(&s);
	cpuset_init(&t);
	for (iter = 0; iter < 2000; iter++) {
		uint32_t n = rnd(12), i;
		char *f;

		cpuset_clear(&s);
		for (i = 0; i < n; i++) {
			uint32_t span = iter % 3 == 0 ? CPUSET_MAX : 300;
			uint32_t first = rnd(span);

			if (rnd(3))
				cpuset_add(&s, first);
			else
				cpuset_add_range(&s, first, first + rnd(130));
		}
		f = cpuset_format(&s);
		if (cpuset_parse(&t, f, &err)) {
			print_error("'%s': %s\n", f, err.msg);
			fail();
		}
		assert_true(cpuset_equal(&s, &t));
		assert_compact(f, &s);
		free(f);
	}
	cpuset_free(&s);
	cpuset_free(&t);
}

/* Random strings from the list alphabet: no crash, no leak, and any
 * accepted list formats to something that parses back to the same set. */
static void test_parse_fuzz(void **state)
{
	static const char alpha[] = "0123456789-,:/ Nx\n";
	struct cpuset s, t;
	struct cpuset_error err;
	char buf[32];
	int iter, ok = 0;

	cpuset_init(&s);
	cpuset_init(&t);
	for (iter = 0; iter < 20000; iter++) {
		uint32_t len = rnd(sizeof(buf) - 1), i;

		for (i = 0; i < len; i++)
			buf[i] = rnd(4) ? alpha[rnd(13)]
					: alpha[rnd(sizeof(alpha) - 1)];
		buf[len] = '\0';
		if (cpuset_parse(&s, buf, &err) == 0) {
			char *f = cpuset_format(&s);

			assert_int_equal(cpuset_parse(&t, f, NULL), 0);
			assert_true(cpuset_equal(&s, &t));
			free(f);
			ok++;
		} else {
			assert_true(err.offset <= len);
			assert_true(err.msg[0] != '\0');
			assert_true(cpuset_empty(&s));
		}
	}
	assert_true(ok > 100);
	cpuset_free(&s);
	cpuset_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_add_range),
		cmocka_unit_test(test_set_ops),
		cmocka_unit_test(test_equal_lengths),
		cmocka_unit_test(test_parse_kernel_accepted),
		cmocka_unit_test(test_parse_kernel_stricter),
		cmocka_unit_test(test_parse_kernel_rejected),
		cmocka_unit_test(test_parse_kerf_rejected),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_parse_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
