/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sizes and addresses on the command line and in output (schema.md §3):
 * "2G", "2GB", "2GiB", "1.5GB", "4096", "0x80000000"; all units binary.
 */
#ifndef KERF_MODEL_SIZE_H
#define KERF_MODEL_SIZE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse a size with optional unit (B, K/KB/KiB, M.., G.., T..;
 * case-insensitive; decimals allowed when the result is whole bytes).
 * 0 or -EINVAL/-ERANGE with a message in err.
 */
int size_parse(const char *s, uint64_t *out, char *err, size_t errlen);
/* Parse an address: decimal or 0x hex, no unit.  0 or -EINVAL/-ERANGE. */
int addr_parse(const char *s, uint64_t *out, char *err, size_t errlen);

enum size_style {
	SIZE_IEC,	/* "2 GiB", "1.5 GiB", "4 KiB", "512 B" */
	SIZE_COMPACT,	/* "2GB", "1.5GB", as the seeds' reports print */
};

/*
 * Format bytes in the largest unit that gives at most two decimals exactly;
 * otherwise rounded to two decimals.  Returns buf.
 *
 * Precisely: the largest unit not above the value, if exact ("1.5 GiB");
 * else one unit smaller, if exact there ("4100 KiB", "1025 B"); else the
 * first unit rounded, always with two decimals ("1.00 GiB" for 1 GiB + 1).
 * Exact output reads back through size_parse() unchanged.
 */
char *size_format(char *buf, size_t len, uint64_t bytes, enum size_style st);

#endif
