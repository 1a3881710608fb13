// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the DTS front end: parse, and if that succeeds,
 * resolve, write DTS and DTB, and read the blob back.
 *
 * Options that change the path taken (-@, accepting cell overflows) are
 * derived from the input length, so every input still replays the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dt/dt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool accept_overflow(const struct dt_tree *t,
			    const struct dt_property *p,
			    const struct dt_marker *m, void *ctx)
{
	return m->offset % 8 == 0;
}

static FILE *devnull(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	if (!f)
		abort();
	return f;
}

/* A blob kerf wrote must pass kerf's own reader (fdt_check_full). */
static void check_blob(const void *blob, size_t len)
{
	struct dt_tree *back = NULL;
	struct diags d;

	diags_init(&d);
	if (dtb_read(blob, len, "fuzz-out.dtb", &back, &d) < 0) {
		diags_print(stderr, &d);
		abort();
	}
	dt_tree_free(back);
	diags_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dt_parse_opts po = { .include_dirs = NULL };
	struct dt_resolve_opts ro = {
		.symbols = size % 2,
		.overflow_ok = size % 3 ? accept_overflow : NULL,
	};
	struct dt_tree *t = NULL;
	struct diags d;
	void *blob = NULL;
	size_t len = 0;

	diags_init(&d);
	if (dts_parse_string("fuzz.dts", (const char *)data, size, &po, &t,
			     &d) < 0)
		goto out;
	if (dt_resolve(t, &ro, &d) < 0)
		goto out;
	dts_write(devnull(), t);
	if (dtb_write(t, &blob, &len, &d) < 0)
		goto out;
	check_blob(blob, len);
out:
	free(blob);
	dt_tree_free(t);
	diags_free(&d);
	return 0;
}
