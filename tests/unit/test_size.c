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

#include "model/size.h"
#include "util/util.h"

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define TiB (UINT64_C(1) << 40)

static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint64_t rnd64(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct ok_vec {
	const char *in;
	uint64_t want;
};

static void test_size_ok(void **state)
{
	static const struct ok_vec v[] = {
		{"0", 0},
		{"4096", 4096},
		{"007", 7},
		{"1B", 1},
		{"1b", 1},
		{"2K", 2 * KiB},
		{"2k", 2 * KiB},
		{"2KB", 2 * KiB},
		{"2kb", 2 * KiB},
		{"2KiB", 2 * KiB},
		{"2kib", 2 * KiB},
		{"2KIB", 2 * KiB},
		{"512M", 512 * MiB},
		{"512MB", 512 * MiB},
		{"512MiB", 512 * MiB},
		{"2G", 2 * GiB},
		{"2GB", 2 * GiB},
		{"2GiB", 2 * GiB},
		{"2gb", 2 * GiB},
		{"14GB", 14 * GiB},
		{"1T", TiB},
		{"1TB", TiB},
		{"1TiB", TiB},
		{"1.5GB", 3 * GiB / 2},
		{"1.5G", 3 * GiB / 2},
		{"1.50GB", 3 * GiB / 2},
		{"1.500000000000000000000000000000000000000000000G",
		 3 * GiB / 2},
		{"0.5K", 512},
		{"0.25KB", 256},
		{"0.0009765625K", 1}, /* 2^-10 KiB = 1 B */
		{"1.0B", 1},
		{"3.000", 3},
		{"2 GiB", 2 * GiB}, /* size_format(SIZE_IEC) */
		{"1.5 GiB", 3 * GiB / 2},
		{"100 B", 100},
		{"0x80000000", 0x80000000ULL},
		{"0X1b", 0x1b}, /* hex digits, not the unit B */
		{"0xffffffffffffffff", UINT64_MAX},
		{"18446744073709551615", UINT64_MAX},
		{"18446744073709551615B", UINT64_MAX},
		{"16777215T", 16777215 * TiB},
		{"17179869183G", 17179869183 * GiB},
	};
	uint64_t out;
	char err[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		out = 12345;
		if (size_parse(v[i].in, &out, err, sizeof(err))) {
			print_error("'%s': %s\n", v[i].in, err);
			fail();
		}
		if (out != v[i].want) {
			print_error("'%s': got %llu want %llu\n", v[i].in,
				    (unsigned long long)out,
				    (unsigned long long)v[i].want);
			fail();
		}
	}
}

/* Fractions at the edge of exactness. */
static void test_size_frac(void **state)
{
	char err[128];
	uint64_t out;

	/* 2^-40 TiB is exactly one byte: 40 decimals */
	assert_int_equal(
		size_parse("0.0000000000009094947017729282379150390625T", &out,
			   err, sizeof(err)),
		0);
	assert_int_equal(out, 1);
	/* one more significant digit: a fraction of a byte */
	assert_int_equal(
		size_parse("0.00000000000090949470177292823791503906251T", &out,
			   err, sizeof(err)),
		-EINVAL);
	assert_int_equal(out, 0);
	/* 16 EiB - 1 byte = 16777215.99999999999909050529822707176208496094 TiB */
	assert_int_equal(
		size_parse("16777215.9999999999990905052982270717620849609375T",
			   &out, err, sizeof(err)),
		0);
	assert_true(out == UINT64_MAX);
	assert_int_equal(size_parse("16777216T", &out, err, sizeof(err)),
			 -ERANGE);
	assert_int_equal(
		size_parse("16777215.999999999999T", &out, err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "not a whole number of bytes"));
	/* 1.5 B, 0.3 K, 1.3 B */
	assert_int_equal(size_parse("1.3B", &out, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "1.3B is not a whole number of bytes");
	assert_int_equal(size_parse("1.5", &out, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "1.5 is not a whole number of bytes");
	assert_int_equal(size_parse("0.3K", &out, err, sizeof(err)), -EINVAL);
	assert_int_equal(size_parse("1.1G", &out, err, sizeof(err)), -EINVAL);
	assert_int_equal(size_parse("1.1T", &out, err, sizeof(err)), -EINVAL);
	assert_int_equal(size_parse("1.2M", &out, err, sizeof(err)), -EINVAL);
	/* 1.2 MiB is not whole: 1258291.2 B; 1.25 MiB is */
	assert_int_equal(size_parse("1.25M", &out, err, sizeof(err)), 0);
	assert_int_equal(out, 1310720);
	/* a hundred digits that are all zero after the point */
	{
		char big[160];

		snprintf(big, sizeof(big), "7.%0100dG", 0);
		assert_int_equal(size_parse(big, &out, err, sizeof(err)), 0);
		assert_int_equal(out, 7 * GiB);
		snprintf(big, sizeof(big), "7.%0100d1G", 0);
		assert_int_equal(size_parse(big, &out, err, sizeof(err)),
				 -EINVAL);
	}
}

struct bad_vec {
	const char *in;
	int ret;
	const char *msg; /* substring */
};

static void check_bad(const struct bad_vec *v, size_t n,
		      int (*parse)(const char *, uint64_t *, char *, size_t))
{
	char err[128];
	uint64_t out;
	size_t i;

	for (i = 0; i < n; i++) {
		out = 99;
		memset(err, 'x', sizeof(err));
		if (parse(v[i].in, &out, err, sizeof(err)) != v[i].ret) {
			print_error("'%s' gave no %d\n", v[i].in, v[i].ret);
			fail();
		}
		assert_int_equal(out, 0);
		assert_non_null(memchr(err, '\0', sizeof(err)));
		if (!strstr(err, v[i].msg)) {
			print_error("'%s': '%s' lacks '%s'\n", v[i].in, err,
				    v[i].msg);
			fail();
		}
		/* no message buffer is fine */
		assert_int_equal(parse(v[i].in, &out, NULL, 0), v[i].ret);
		assert_int_equal(parse(v[i].in, &out, err, 1), v[i].ret);
		assert_int_equal(err[0], '\0');
	}
}

static void test_size_bad(void **state)
{
	static const struct bad_vec v[] = {
		{"", -EINVAL, "empty size"},
		{"-", -EINVAL, "sizes have no sign"},
		{"-1", -EINVAL, "sizes have no sign"},
		{"+1G", -EINVAL, "sizes have no sign"},
		{"G", -EINVAL, "unexpected character 'G' at position 0"},
		{"abc", -EINVAL, "unexpected character 'a'"},
		{" 1G", -EINVAL, "unexpected character ' ' at position 0"},
		{"1G ", -EINVAL, "unknown unit 'G '"},
		{"1 ", -EINVAL, "unexpected character ' ' at position 1"},
		{"2GX", -EINVAL, "unknown unit 'GX'"},
		{"2PB", -EINVAL, "unknown unit 'PB'"},
		{"2Gib ", -EINVAL, "unknown unit 'Gib '"},
		{"2KBB", -EINVAL, "unknown unit 'KBB'"},
		{"2G B", -EINVAL, "unknown unit 'G B'"},
		{"2iB", -EINVAL, "unknown unit 'iB'"},
		{"2\x01", -EINVAL, "unexpected character '\\x01'"},
		{"2G\xff", -EINVAL, "unknown unit 'G\\xff'"},
		{"1.", -EINVAL, "unexpected end"},
		{"1.G", -EINVAL, "unexpected character 'G' at position 2"},
		{".5G", -EINVAL, "unexpected character '.'"},
		{"1..5", -EINVAL, "unexpected character '.' at position 2"},
		{"1.5.5", -EINVAL, "unexpected character '.' at position 3"},
		{"1,5G", -EINVAL, "unexpected character ','"},
		{"1e9", -EINVAL, "unknown unit 'e9'"},
		{"0x", -EINVAL, "unexpected end"},
		{"0xG", -EINVAL, "unexpected character 'G' at position 2"},
		{"0x10K", -EINVAL, "a hex size takes no unit"},
		{"0x1.5", -EINVAL, "unexpected character '.'"},
		{"0x-1", -EINVAL, "unexpected character '-'"},
		{"1.3B", -EINVAL, "1.3B is not a whole number of bytes"},
		{"18446744073709551616", -ERANGE, "too large"},
		{"18446744073709551616B", -ERANGE, "too large"},
		{"99999999999999999999999999999999G", -ERANGE, "too large"},
		{"16E", -EINVAL, "unknown unit 'E'"},
		{"16384P", -EINVAL, "unknown unit 'P'"},
		{"16777216T", -ERANGE, "too large"},
		{"17179869184G", -ERANGE, "too large"},
		{"0x10000000000000000", -ERANGE, "too large"},
		{"0x99999999999999999999999999999999999999999999999999999999999"
		 "999999999",
		 -ERANGE, "..."},
		/* overflow and garbage: the garbage is what the user fixes */
		{"99999999999999999999999x", -EINVAL, "unknown unit 'x'"},
	};

	check_bad(v, ARRAY_SIZE(v), size_parse);
}

static void test_addr(void **state)
{
	static const struct ok_vec ok[] = {
		{"0", 0},
		{"4096", 4096},
		{"010", 10}, /* decimal, never octal */
		{"0x80000000", 0x80000000ULL},
		{"0X80000000", 0x80000000ULL},
		{"0xdeadBEEF", 0xdeadbeefULL},
		{"0x0", 0},
		{"0xffffffffffffffff", UINT64_MAX},
		{"18446744073709551615", UINT64_MAX},
	};
	static const struct bad_vec bad[] = {
		{"", -EINVAL, "empty address"},
		{"-", -EINVAL, "unexpected character '-'"},
		{"-1", -EINVAL, "unexpected character '-'"},
		{"0x", -EINVAL, "unexpected end"},
		{"0xg", -EINVAL, "unexpected character 'g'"},
		{"2G", -EINVAL, "unexpected character 'G'"},
		{"0x10K", -EINVAL, "a hex address takes no unit"},
		{"1.5", -EINVAL, "unexpected character '.'"},
		{" 1", -EINVAL, "unexpected character ' '"},
		{"1 ", -EINVAL, "unexpected character ' '"},
		{"18446744073709551616", -ERANGE, "too large"},
		{"0x10000000000000000", -ERANGE, "too large"},
		{"99999999999999999999999x", -EINVAL,
		 "unexpected character 'x'"},
	};
	char err[128];
	uint64_t out;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(addr_parse(ok[i].in, &out, err, sizeof(err)),
				 0);
		assert_true(out == ok[i].want);
	}
	check_bad(bad, ARRAY_SIZE(bad), addr_parse);
}

struct fmt_vec {
	uint64_t bytes;
	const char *iec, *compact;
};

static void test_format(void **state)
{
	static const struct fmt_vec v[] = {
		{0, "0 B", "0B"},
		{1, "1 B", "1B"},
		{100, "100 B", "100B"},
		{1000, "1000 B", "1000B"},
		{1023, "1023 B", "1023B"},
		{KiB, "1 KiB", "1KB"},
		{4 * KiB, "4 KiB", "4KB"},
		{1536, "1.5 KiB", "1.5KB"},
		{1280, "1.25 KiB", "1.25KB"},
		/* 1025 B is 1.0009765625 KiB: one unit down is exact */
		{1025, "1025 B", "1025B"},
		{512 * MiB, "512 MiB", "512MB"},
		{2 * GiB, "2 GiB", "2GB"},
		{14 * GiB, "14 GiB", "14GB"},
		{16 * GiB, "16 GiB", "16GB"},
		{3 * GiB / 2, "1.5 GiB", "1.5GB"},
		{10 * GiB + 256 * MiB, "10.25 GiB", "10.25GB"},
		{4 * MiB + 4 * KiB, "4100 KiB", "4100KB"},
		{GiB - 4 * KiB, "1048572 KiB", "1048572KB"},
		{TiB, "1 TiB", "1TB"},
		{1536 * GiB, "1.5 TiB", "1.5TB"},
		{2048 * TiB, "2048 TiB", "2048TB"},
		/* not exact in the unit nor one below: rounded, two decimals */
		{GiB + 1, "1.00 GiB", "1.00GB"},
		{GiB + 10 * MiB + 1, "1.01 GiB", "1.01GB"},
		{1181116006, "1.10 GiB", "1.10GB"},
		{2 * GiB - 1, "2.00 GiB", "2.00GB"},
		{1024 * KiB - 1, "1048575 B", "1048575B"},
		{1024 * MiB - 1, "1024.00 MiB", "1024.00MB"},
		{UINT64_MAX, "16777216.00 TiB", "16777216.00TB"},
	};
	char buf[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		assert_string_equal(
			size_format(buf, sizeof(buf), v[i].bytes, SIZE_IEC),
			v[i].iec);
		assert_string_equal(
			size_format(buf, sizeof(buf), v[i].bytes, SIZE_COMPACT),
			v[i].compact);
	}
	/* small buffers truncate safely */
	assert_string_equal(size_format(buf, 4, 2 * GiB, SIZE_IEC), "2 G");
	assert_ptr_equal(size_format(buf, 0, 2 * GiB, SIZE_IEC), buf);
	assert_null(size_format(NULL, 0, 1, SIZE_IEC));
}

/* Exact output reads back to the same number of bytes. */
static void test_format_roundtrip(void **state)
{
	char buf[64], err[128];
	uint64_t out, b;
	int i, ret, exact = 0;

	for (i = 0; i < 20000; i++) {
		unsigned int shift = (unsigned int)(rnd64() % 64), nat = 0;
		const char *dot;

		b = rnd64() >> shift;
		if (i % 3 == 0) /* page multiples, the common case */
			b &= ~(uint64_t)4095;
		if (i % 5 == 0)
			b &= ~((UINT64_C(1) << (rnd64() % 40)) - 1);
		size_format(buf, sizeof(buf), b,
			    i % 2 ? SIZE_IEC : SIZE_COMPACT);
		ret = size_parse(buf, &out, err, sizeof(err));
		if (ret == 0 && out == b) {
			exact++;
			continue;
		}
		/* Rounded: two decimals, off by at most half a hundredth. */
		dot = strchr(buf, '.');
		assert_non_null(dot);
		assert_true(dot[1] >= '0' && dot[1] <= '9');
		assert_true(dot[2] >= '0' && dot[2] <= '9');
		assert_false(dot[3] >= '0' && dot[3] <= '9');
		while (nat < 40 && b >= UINT64_C(1) << (nat + 10))
			nat += 10;
		if (ret == 0) {
			uint64_t d = out > b ? out - b : b - out;

			assert_true(d <= (UINT64_C(1) << nat) / 200 + 1);
		} else {
			assert_true(ret == -ERANGE ||
				    strstr(err, "not a whole number"));
		}
	}
	assert_true(exact > 5000);
}

/* Random strings: no crash, and any accepted size formats back. */
static void test_fuzz(void **state)
{
	static const char alpha[] = "0123456789.xXkKmMgGtTbBiI -+\x80";
	char buf[32], err[128], fbuf[64];
	uint64_t out, out2;
	int iter, ok = 0;

	for (iter = 0; iter < 50000; iter++) {
		size_t len = rnd64() % (sizeof(buf) - 1), i;

		for (i = 0; i < len; i++)
			buf[i] = alpha[rnd64() % (sizeof(alpha) - 1)];
		buf[len] = '\0';
		if (size_parse(buf, &out, err, sizeof(err)) == 0) {
			ok++;
			size_format(fbuf, sizeof(fbuf), out, SIZE_COMPACT);
			if (size_parse(fbuf, &out2, err, sizeof(err)) == 0 &&
			    !strchr(fbuf, '.'))
				assert_true(out == out2);
		} else {
			assert_true(out == 0);
			assert_true(err[0] != '\0');
		}
		if (addr_parse(buf, &out, err, sizeof(err)))
			assert_true(out == 0);
	}
	assert_true(ok > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_ok),
		cmocka_unit_test(test_size_frac),
		cmocka_unit_test(test_size_bad),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
