// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dt/dt.h"

static void test_minimal(void **state)
{
	static const char src[] = "/dts-v1/;\n/ { a = <1>; };\n";
	struct dt_tree *t = NULL;
	struct diags d;

	diags_init(&d);
	assert_int_equal(dts_parse_string("t.dts", src, strlen(src), NULL, &t,
					  &d), 0);
	assert_non_null(t);
	dt_tree_free(t);
	diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
