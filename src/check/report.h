/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The validation report of `kerf init --report` (cli.md "Output"): the
 * hardware inventory with computed numbers, as text or data.
 */
#ifndef KERF_CHECK_REPORT_H
#define KERF_CHECK_REPORT_H

#include "model/model.h"
#include "out/emit.h"

void report_inventory(struct emitter *e, const struct mk_model *m);
/* "1 network (7 VFs available), 1 storage (3 namespaces available)" */
char *report_devices_line(const struct mk_model *m);

#endif
