/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mk2 kernel ABI's device-tree forms (reference/kernel-abi-mk2.md §2):
 * the only code in kerf that knows the kernel's property names.  Reading:
 * the baseline request form and the pool tree read back from the kernel,
 * decoded into the model.  Writing: the baseline blob `kerf init` writes.
 */
#ifndef KERF_KERNEL_MK2_H
#define KERF_KERNEL_MK2_H

#include "check/finding.h"
#include "dt/tree.h"
#include "model/model.h"

struct host_info;

#define MK2_BASELINE_MAX (1u << 20) /* the kernel's atomic_write_len */

/*
 * Build the baseline tree for the kernel from a validated model
 * (kernel.md §2): available CPUs as u64 physical ids, one memory@N
 * request per NUMA node the pool overlaps, PCI devices and available VFs
 * as PCI functions.  Physical ids come from the model (physical-ids, or a
 * flat/kernel input whose ids are physical), else from host; PCI ids and
 * VF functions from the file, else from host.  What cannot be encoded is
 * an error finding (check "kernel-encode"); notes say what was left out
 * (NVMe namespaces).  Returns 0 or -EINVAL.
 */
int mk2_baseline_tree(const struct mk_model *m, const struct host_info *host,
		      struct dt_tree **out, struct findings *f);

#endif
