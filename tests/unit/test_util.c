// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/util.h"

static void test_strbuf(void **state)
{
	struct strbuf sb;
	char *s;
	size_t len;
	int i;

	sb_init(&sb);
	for (i = 0; i < 1000; i++)
		sb_addf(&sb, "%d,", i);
	assert_int_equal(sb.len, strlen(sb.buf));
	assert_true(strncmp(sb.buf, "0,1,2,", 6) == 0);
	s = sb_detach(&sb, &len);
	assert_int_equal(len, strlen(s));
	assert_null(sb.buf);
	free(s);
}

static void test_strmap(void **state)
{
	struct strmap m;
	char keys[2000][16];
	int i;

	strmap_init(&m);
	for (i = 0; i < 2000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		assert_null(strmap_put(&m, keys[i], (void *)(intptr_t)(i + 1)));
	}
	assert_int_equal(m.count, 2000);
	for (i = 0; i < 2000; i++)
		assert_int_equal((intptr_t)strmap_get(&m, keys[i]), i + 1);
	assert_null(strmap_get(&m, "k2000"));
	assert_int_equal((intptr_t)strmap_getn(&m, "k12xyz", 3), 13);
	for (i = 0; i < 2000; i += 2)
		assert_int_equal((intptr_t)strmap_remove(&m, keys[i]), i + 1);
	for (i = 0; i < 2000; i++) {
		if (i % 2)
			assert_int_equal((intptr_t)strmap_get(&m, keys[i]),
					 i + 1);
		else
			assert_null(strmap_get(&m, keys[i]));
	}
	strmap_free(&m);
}

/*
 * The hash reads keys in 8-byte words and overlapping tails: every length
 * from 0 to 40, keys that are prefixes of one another or differ only in
 * their first, middle or last byte, must all stay distinct.
 */
static void test_strmap_lengths(void **state)
{
	static char keys[41 * 4][48];
	struct strmap m;
	int len, v, n = 0, i;

	strmap_init(&m);
	for (len = 0; len <= 40; len++) {
		for (v = 0; v < 4; v++) {
			char *k = keys[n];

			memset(k, 'a', (size_t)len);
			k[len] = '\0';
			if (len && v == 1)
				k[0] = 'b';
			if (len && v == 2)
				k[len / 2] = 'b';
			if (len && v == 3)
				k[len - 1] = 'b';
			if (!len && v)
				continue;	/* one empty key */
			if ((len == 1 && v > 1) || (len == 2 && v == 3))
				continue;	/* same as an earlier key */
			assert_null(strmap_put(&m, k, (void *)(intptr_t)(n + 1)));
			n++;
		}
	}
	assert_int_equal(m.count, (size_t)n);
	for (i = 0; i < n; i++)
		assert_int_equal((intptr_t)strmap_get(&m, keys[i]), i + 1);
	/* a prefix of a stored key is another key, or none */
	assert_int_equal((intptr_t)strmap_getn(&m, keys[n - 4], 39),
			 (intptr_t)strmap_get(&m, keys[n - 8]));
	assert_null(strmap_getn(&m, "aaab", 3) == strmap_get(&m, "aaa") ?
			    NULL : "getn must ignore bytes after len");
	assert_null(strmap_get(&m, "c"));
	strmap_free(&m);
}

/* strmap_add keeps the first value; strmap_reserve may be too small. */
static void test_strmap_add(void **state)
{
	struct strmap t;
	char keys[300][24];
	uintptr_t i;

	strmap_init(&t);
	strmap_reserve(&t, 10); /* fewer than added: it must grow */
	for (i = 0; i < 300; i++) {
		/* lengths 0..22, many sharing their ends */
		snprintf(keys[i], sizeof(keys[i]), "%.*s%zu", (int)(i % 20),
			 "abcdefghijklmnopqrstuvwxyz", (size_t)i);
		if (i == 0)
			keys[i][0] = '\0';
		assert_null(strmap_add(&t, keys[i], (void *)(i + 1)));
	}
	for (i = 0; i < 300; i++) {
		char copy[24];

		strcpy(copy, keys[i]);
		assert_int_equal((uintptr_t)strmap_get(&t, copy), i + 1);
		/* the first value stays */
		assert_int_equal((uintptr_t)strmap_add(&t, copy, (void *)999),
				 i + 1);
		assert_int_equal((uintptr_t)strmap_get(&t, copy), i + 1);
	}
	assert_null(strmap_get(&t, "nosuch"));
	assert_null(strmap_get(&t, "abc"));
	strmap_free(&t);
	assert_null(strmap_get(&t, "abc")); /* empty again */
}

static void test_edit_distance(void **state)
{
	assert_int_equal(edit_distance("eth0_vf1", "eth0_vf1"), 0);
	assert_int_equal(edit_distance("eth0_vf99", "eth0_vf9"), 1);
	assert_int_equal(edit_distance("kitten", "sitting"), 3);
	assert_int_equal(edit_distance("", "abc"), 3);
}

static void test_diag_caret(void **state)
{
	struct srcfiles sf;
	struct srcfile *f;
	struct srcpos pos;
	struct diags d;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	srcfiles_init(&sf);
	f = srcfiles_add(&sf, "system.dts", "a;\n\tcpus = <8 9>\nb;\n", 20);
	pos.file = f;
	pos.line = 2;
	pos.col = 14;
	diags_init(&d);
	diag_error(&d, &pos, "expected ';' after property value");
	assert_int_equal(d.errors, 1);
	diags_print(out, &d);
	fclose(out);
	assert_string_equal(buf,
		"system.dts:2:14: error: expected ';' after property value\n"
		"\tcpus = <8 9>\n"
		"\t            ^\n");
	free(buf);
	diags_free(&d);
	srcfiles_free(&sf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf),
		cmocka_unit_test(test_strmap),
		cmocka_unit_test(test_strmap_lengths),
		cmocka_unit_test(test_strmap_add),
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_diag_caret),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
