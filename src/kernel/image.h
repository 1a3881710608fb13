/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel images for kexec_file_load (kernel.md §6).  The kernel takes an
 * x86-64 ELF vmlinux; a bzImage/vmlinuz is unpacked in memory first: the
 * compressed payload is found through the x86 boot header (setup_sects,
 * payload_offset, payload_length) or, failing that, by scanning for
 * compression magics, then decompressed into a memfd holding the ELF.
 */
#ifndef KERF_KERNEL_IMAGE_H
#define KERF_KERNEL_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/sha256.h"
#include "util/diag.h"

/* Largest unpacked image kerf accepts (a guard against bombs). */
#define KIMAGE_MAX_UNPACKED ((size_t)1 << 30)

enum kimage_format {
	KIMAGE_ELF,		/* a vmlinux, passed as is */
	KIMAGE_BZIMAGE,		/* boot header + compressed vmlinux */
	KIMAGE_COMPRESSED,	/* a compressed vmlinux without a header */
};

enum kcomp {
	KCOMP_NONE,
	KCOMP_GZIP,
	KCOMP_XZ,
	KCOMP_LZMA,
	KCOMP_BZIP2,
	KCOMP_LZ4,
	KCOMP_ZSTD,
	KCOMP_LZO,	/* recognised, not supported */
};

const char *kimage_format_name(enum kimage_format f);
const char *kcomp_name(enum kcomp c);

struct elf_info {
	uint64_t load_bytes;	/* sum of PT_LOAD p_memsz */
	uint64_t entry;
	unsigned int nload;	/* PT_LOAD segments */
	size_t file_end;	/* bytes the ELF itself occupies */
};

/*
 * Check an ELF64 little-endian x86-64 executable with at least one
 * PT_LOAD, every segment inside the buffer.  0, or -ENOEXEC with the
 * reason in err.
 */
int elf_inspect(const void *buf, size_t len, struct elf_info *ei, char *err,
		size_t errlen);

struct bzimage_info {
	unsigned int version;	/* boot protocol, e.g. 0x020f */
	unsigned int setup_sects;
	size_t payload_off;	/* from the start of the file */
	size_t payload_len;
};

/*
 * Read the x86 boot header.  0; -ENOENT when there is no "HdrS" header;
 * -EINVAL when it is there but unusable (err says why).
 */
int bzimage_inspect(const void *buf, size_t len, struct bzimage_info *bi,
		    char *err, size_t errlen);

/* The compression whose magic starts buf, or KCOMP_NONE. */
enum kcomp kcomp_detect(const void *buf, size_t len);

/*
 * Decompress one stream (trailing bytes, like the size the kernel's build
 * appends, are ignored).  At most max_out bytes (-EFBIG beyond).  0 or
 * -errno with err filled; *out is malloc'ed.
 */
int kdecompress(enum kcomp c, const void *in, size_t inlen, size_t max_out,
		void **out, size_t *outlen, char *err, size_t errlen);

struct kimage {
	char *path;
	enum kimage_format format;
	enum kcomp comp;
	uint64_t file_size;		/* the file as given */
	uint8_t sha256[SHA256_LEN];	/* of the file as given */
	int fd;				/* the ELF for the kernel */
	size_t elf_size;		/* bytes behind fd */
	uint64_t load_bytes;		/* sum of PT_LOAD p_memsz */
};

/* Open, identify, unpack if needed; errors explained in d. */
int kimage_open(const char *path, struct kimage *img, struct diags *d);
/* The same from a buffer (name for messages); fd is always a memfd. */
int kimage_from_buffer(const char *name, const void *buf, size_t len,
		       struct kimage *img, struct diags *d);
void kimage_close(struct kimage *img);

#endif
