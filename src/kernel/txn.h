/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Overlay transactions (kernel.md §5, kernel-abi-mk2.md §1.3).  write()
 * succeeding means nothing: the kernel marks a failed transaction in
 * tx_N/status and still returns the full count.  So, under the kerf lock,
 * overlays/ is listed before and after the write, the new tx_N is taken
 * (never "the largest") and its status must read "applied".  A failed
 * transaction is removed again; a change split into several transactions
 * is rolled back as a whole.
 */
#ifndef KERF_KERNEL_TXN_H
#define KERF_KERNEL_TXN_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/lock.h"
#include "kernel/sysroot.h"
#include "util/diag.h"

enum txn_status {
	TXN_UNKNOWN,
	TXN_PENDING,
	TXN_APPLIED,
	TXN_FAILED,
	TXN_REMOVED,
};

struct txn_info {
	unsigned int id;
	enum txn_status status;
	char *status_text;	/* as the kernel wrote it */
	char *instance;		/* target path of the first fragment */
	char *resources;	/* "mk,resources" of the blob, or "unknown" */
};

/* One blob of a change. */
struct txn_blob {
	const void *dtbo;
	size_t len;
	const char *what;	/* for messages: "create instance 'web'" */
};

enum txn_status txn_status_parse(const char *s);
const char *txn_status_name(enum txn_status st);

/* The tx_N ids in overlays/, ascending; caller frees *ids. */
int txn_list(const struct kport *kp, unsigned int **ids, size_t *n,
	     struct diags *d);
/* Parse "tx_<N>" (N > 0, decimal, nothing else); false otherwise. */
bool txn_name_parse(const char *name, unsigned int *id);
int txn_read(const struct kport *kp, unsigned int id, struct txn_info *ti,
	     struct diags *d);
void txn_info_free(struct txn_info *ti);
/* rmdir overlays/tx_N: the kernel undoes it.  0 or -errno (explained). */
int txn_remove(const struct kport *kp, unsigned int id, struct diags *d);

/*
 * Check a blob before it goes near the kernel: fdt_check_full, totalsize
 * equal to len, at most 4096 bytes.  0 or -EINVAL / -E2BIG.
 */
int txn_validate(const void *dtbo, size_t len, struct diags *d);

/*
 * Apply n blobs in order as n transactions; the caller holds lk.  On
 * success ids[i] is the kernel's transaction id of blobs[i].  If one
 * fails, it is removed and the earlier ones are rolled back in reverse
 * order; every step that could not be undone is reported in d.  Nothing
 * is written unless every blob validates.
 */
int txn_apply(const struct kport *kp, const struct kerf_lock *lk,
	      const struct txn_blob *blobs, size_t n, unsigned int *ids,
	      struct diags *d);

/*
 * Roll back applied transactions (ids in the order they were applied;
 * removed newest first).  Every failure is reported; returns the first
 * error or 0.
 */
int txn_rollback(const struct kport *kp, const unsigned int *ids, size_t n,
		 struct diags *d);

#endif
