/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 (FIPS 180-4), for the provenance of loaded images. */
#ifndef KERF_KERNEL_SHA256_H
#define KERF_KERNEL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA256_HEX_LEN (2 * SHA256_LEN + 1)

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;
	uint8_t buf[64];
	size_t fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);
void sha256_buf(const void *data, size_t len, uint8_t out[SHA256_LEN]);
/* Lower-case hex, NUL terminated. */
void sha256_hex(const uint8_t dg[SHA256_LEN], char hex[SHA256_HEX_LEN]);
/* Hash an open file from its current offset to EOF; 0 or -errno. */
int sha256_fd(int fd, uint8_t out[SHA256_LEN], uint64_t *size);

#endif
