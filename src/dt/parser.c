// SPDX-License-Identifier: GPL-2.0-or-later
/* STUB: replaced by the DTS front end. */
#include "dt/dt.h"

#include <errno.h>

int dts_parse_string(const char *name, const char *text, size_t len,
		     const struct dt_parse_opts *o, struct dt_tree **out,
		     struct diags *d)
{
	*out = NULL;
	diag_error(d, NULL, "%s: DTS parser not implemented yet", name);
	return -ENOSYS;
}

int dts_parse_file(const char *path, const struct dt_parse_opts *o,
		   struct dt_tree **out, struct diags *d)
{
	return dts_parse_string(path, "", 0, o, out, d);
}
