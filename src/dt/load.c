// SPDX-License-Identifier: GPL-2.0-or-later
#include "dt/dt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int dt_load(const char *path, const struct dt_parse_opts *po,
	    const struct dt_resolve_opts *ro, struct dt_tree **out,
	    struct diags *d)
{
	char *data;
	size_t len;
	int ret;

	*out = NULL;
	ret = strcmp(path, "-") == 0 ? read_fd(0, &data, &len)
				     : read_file(path, &data, &len);
	if (ret < 0) {
		diag_error(d, NULL, "cannot read '%s': %s", path,
			   strerror(-ret));
		return ret;
	}
	if (dtb_is_blob(data, len)) {
		ret = dtb_read(data, len, path, out, d);
		free(data);
	} else {
		ret = dts_parse_buffer(path, data, len, po, out, d);
		if (ret == 0) {
			ret = dt_resolve(*out, ro, d);
			if (ret < 0) {
				dt_tree_discard(*out, d);
				*out = NULL;
			}
		}
	}
	return ret;
}
