// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the DTB reader: read any blob, and if it is
 * accepted, write it as DTS and as DTB again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dt/dt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	if (!f)
		abort();
	return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dt_tree *t = NULL;
	struct diags d;
	void *blob = NULL;
	size_t len = 0;

	diags_init(&d);
	if (dtb_read(data, size, "fuzz.dtb", &t, &d) < 0)
		goto out;
	dts_write(devnull(), t);
	/* What we read, we must be able to write. */
	if (dtb_write(t, &blob, &len, &d) < 0) {
		diags_print(stderr, &d);
		abort();
	}
out:
	free(blob);
	dt_tree_free(t);
	diags_free(&d);
	return 0;
}
