/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What was loaded into an instance (kernel.md §6): after a load kerf records
 * in var/lib/kerf/instances/<name>.json the image (path, size, SHA-256,
 * format), the initrd, the command line and the time; written to a
 * temporary file and renamed, removed on unload and delete, read by show.
 */
#ifndef KERF_KERNEL_RECORDS_H
#define KERF_KERNEL_RECORDS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "kernel/image.h"
#include "kernel/sha256.h"
#include "kernel/sysroot.h"
#include "util/diag.h"

struct kload_record {
	int id;				/* instance id at load time */
	char *image_path;
	uint64_t image_size;
	char image_sha256[SHA256_HEX_LEN];
	char *image_format;		/* "vmlinux", "bzImage", ... */
	char *compression;		/* "none", "zstd", ... */
	uint64_t load_bytes;		/* sum of PT_LOAD p_memsz */
	bool has_initrd;
	char *initrd_path;
	uint64_t initrd_size;
	char initrd_sha256[SHA256_HEX_LEN];
	char *cmdline;			/* "" when none */
	char *loaded_at;		/* "2026-09-01T12:00:00Z" */
};

void record_free(struct kload_record *r);

/*
 * Fill a record for a load: the image as opened, the initrd (path and an
 * open descriptor to hash, or NULL / -1), the command line and the time.
 * The initrd descriptor is read from its start and rewound.
 */
int record_fill(struct kload_record *r, int id, const struct kimage *img,
		const char *initrd_path, int initrd_fd, const char *cmdline,
		time_t when, struct diags *d);

/* The JSON text of a record (caller frees), and its parser. */
char *record_to_json(const char *name, const struct kload_record *r);
int record_parse(const char *text, size_t len, struct kload_record *r);

/* var/lib/kerf/instances/<name>.json */
int record_write(const struct kport *kp, const char *name,
		 const struct kload_record *r, struct diags *d);
/*
 * 0; -ENOENT when there is none; -EBADMSG (with a warning in d) when it
 * is corrupt, which callers treat as "nothing recorded".
 */
int record_read(const struct kport *kp, const char *name,
		struct kload_record *r, struct diags *d);
/* Remove it; a missing record is not an error. */
int record_remove(const struct kport *kp, const char *name,
		  struct diags *d);

#endif
