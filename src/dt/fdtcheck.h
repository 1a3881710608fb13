/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fdt_check_full() with the guards libfdt 1.6.1 lacks: it dereferences
 * NULL on blobs whose version is below 16 (node names as full paths), and
 * it loops forever on a property whose length brings fdt_next_tag() back
 * to the same tag (a length of -12 as a 32-bit value; found by fuzzing).
 * A walk of our own first checks that every tag lies inside the structure
 * block and that each one moves forward.
 * Every blob that comes from outside (a file, the kernel, a writer to the
 * simulated kernel) goes through this first.  Header-only so that mksim,
 * which links no kerf library, shares it.
 */
#ifndef KERF_DT_FDTCHECK_H
#define KERF_DT_FDTCHECK_H

#include <stddef.h>
#include <stdint.h>

#include <libfdt.h>

static inline uint32_t dtb_be32_at(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Tags of the structure block, bounded and strictly forward. */
static inline int dtb_walk_tags(const void *blob, size_t len)
{
	const unsigned char *s;
	uint64_t off = fdt_off_dt_struct(blob), size, pos = 0, n;

	if (off > len)
		return -FDT_ERR_TRUNCATED;
	size = fdt_version(blob) >= 17 ? fdt_size_dt_struct(blob) : len - off;
	if (size > len - off)
		return -FDT_ERR_TRUNCATED;
	s = (const unsigned char *)blob + off;
	while (size - pos >= 4) {
		uint32_t tag = dtb_be32_at(s + pos);

		pos += 4;
		switch (tag) {
		case FDT_BEGIN_NODE:
			for (n = pos; n < size && s[n]; n++)
				;
			if (n >= size)
				return -FDT_ERR_BADSTRUCTURE;
			pos = (n + 4) & ~(uint64_t)3;	/* past the NUL */
			break;
		case FDT_PROP:
			if (size - pos < 8)
				return -FDT_ERR_BADSTRUCTURE;
			n = dtb_be32_at(s + pos);	/* value length */
			pos += 8;
			if (n > size - pos)
				return -FDT_ERR_BADSTRUCTURE;
			pos = (pos + n + 3) & ~(uint64_t)3;
			break;
		case FDT_END_NODE:
		case FDT_NOP:
			break;
		case FDT_END:
			return 0;
		default:
			return -FDT_ERR_BADSTRUCTURE;
		}
		if (pos > size)
			return -FDT_ERR_BADSTRUCTURE;
	}
	return -FDT_ERR_TRUNCATED;
}

static inline int dtb_check_full(const void *blob, size_t len)
{
	int err;

	if (len < sizeof(struct fdt_header))
		return -FDT_ERR_TRUNCATED;
	if (fdt_magic(blob) != FDT_MAGIC)
		return -FDT_ERR_BADMAGIC;
	if (fdt_version(blob) < 16 || fdt_last_comp_version(blob) > 17)
		return -FDT_ERR_BADVERSION;
	err = fdt_check_header(blob);
	if (err)
		return err;
	if (fdt_totalsize(blob) > len)
		return -FDT_ERR_TRUNCATED;
	err = dtb_walk_tags(blob, len);
	if (err)
		return err;
	return fdt_check_full(blob, len);
}

#endif
