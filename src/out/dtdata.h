/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A device tree as data (kerf compile -O json|yaml): every node and
 * property, values typed by their markers (or guessed as dtc guesses for
 * a tree read from a blob).  The shape is documented in doc/compile.md.
 */
#ifndef KERF_OUT_DTDATA_H
#define KERF_OUT_DTDATA_H

#include "dt/tree.h"
#include "out/emit.h"

#define DTDATA_SCHEMA_VERSION 1

/* Write t as one document through e (JSON or YAML; text prints nothing). */
void dtdata_emit(struct emitter *e, const struct dt_tree *t);

#endif
