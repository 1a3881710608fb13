/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fdt_check_full() with the guards libfdt 1.6.1 lacks: it dereferences
 * NULL on blobs whose version is below 16 (node names as full paths).
 * Every blob that comes from outside (a file, the kernel, a writer to the
 * simulated kernel) goes through this first.  Header-only so that mksim,
 * which links no kerf library, shares it.
 */
#ifndef KERF_DT_FDTCHECK_H
#define KERF_DT_FDTCHECK_H

#include <stddef.h>

#include <libfdt.h>

static inline int dtb_check_full(const void *blob, size_t len)
{
	if (len < sizeof(struct fdt_header))
		return -FDT_ERR_TRUNCATED;
	if (fdt_magic(blob) != FDT_MAGIC)
		return -FDT_ERR_BADMAGIC;
	if (fdt_version(blob) < 16 || fdt_last_comp_version(blob) > 17)
		return -FDT_ERR_BADVERSION;
	return fdt_check_full(blob, len);
}

#endif
