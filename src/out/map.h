/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kerf show --map: a picture of the machine in the terminal.  Every CPU,
 * grouped by NUMA node and SMT core, lettered (and, on a terminal,
 * coloured) by the instance that owns it; then a bar per pool memory chunk
 * with each instance's regions; then the legend.
 */
#ifndef KERF_OUT_MAP_H
#define KERF_OUT_MAP_H

#include <stdbool.h>
#include <stdio.h>

#include "plan/state.h"

struct map_opts {
	bool unicode;	/* "·" for free CPUs, box characters */
	bool color;	/* ANSI colours (the caller decides: a tty) */
	unsigned int width;	/* memory bar width in cells */
};

/* The letter of instance i: A-Z, a-z, then '*'. */
char map_letter(size_t i);

void map_render(FILE *out, const struct kstate *st,
		const struct map_opts *o);

#endif
