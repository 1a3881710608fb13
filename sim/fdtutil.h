/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Exact-length property readers, as the mk2 kernel reads properties. */
#ifndef MKSIM_FDTUTIL_H
#define MKSIM_FDTUTIL_H

#include <errno.h>
#include <libfdt.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* 1: present and valid, 0: absent, -EINVAL: wrong length */
static inline int prop_u64(const void *fdt, int node, const char *name,
			   uint64_t *v)
{
	int len;
	const fdt64_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return 0;
	if (len != 8)
		return -EINVAL;
	*v = fdt64_ld(p);
	return 1;
}

static inline int prop_u32(const void *fdt, int node, const char *name,
			   uint32_t *v)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return 0;
	if (len != 4)
		return -EINVAL;
	*v = fdt32_ld(p);
	return 1;
}

/* A NUL-terminated string property, or NULL. */
static inline const char *prop_str(const void *fdt, int node,
				   const char *name)
{
	int len;
	const char *p = fdt_getprop(fdt, node, name, &len);

	if (!p || len < 1 || p[len - 1] != '\0')
		return NULL;
	return p;
}

static inline bool name_starts(const char *name, const char *prefix)
{
	return !strncmp(name, prefix, strlen(prefix));
}

#endif
