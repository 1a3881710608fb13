// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel image detection and unpacking.  The payload formats are those of
 * the kernel's own build (arch/x86/boot/compressed): each compressor's
 * stream followed by the 4-byte uncompressed size, and lz4 in the legacy
 * frame "lz4 -l" writes.
 */
#define ZLIB_CONST
#include "kernel/image.h"

#include <bzlib.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <lz4.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "kernel/sysroot.h"

/* x86 boot protocol (Documentation/arch/x86/boot.rst) */
#define BOOT_SETUP_SECTS	0x1f1
#define BOOT_FLAG		0x1fe
#define BOOT_HEADER		0x202
#define BOOT_VERSION		0x206
#define BOOT_PAYLOAD_OFFSET	0x248
#define BOOT_PAYLOAD_LENGTH	0x24c
#define BOOT_HDR_END		0x250

#define LZ4_LEGACY_MAGIC	0x184c2102U
#define LZ4_LEGACY_BLOCK	(8U << 20)

/* Candidates tried when scanning for a payload without a boot header. */
#define SCAN_MAX_CANDIDATES	32

const char *kimage_format_name(enum kimage_format f)
{
	switch (f) {
	case KIMAGE_ELF:
		return "vmlinux";
	case KIMAGE_BZIMAGE:
		return "bzImage";
	default:
		return "compressed vmlinux";
	}
}

const char *kcomp_name(enum kcomp c)
{
	static const char *const names[] = {
		[KCOMP_NONE] = "none", [KCOMP_GZIP] = "gzip",
		[KCOMP_XZ] = "xz", [KCOMP_LZMA] = "lzma",
		[KCOMP_BZIP2] = "bzip2", [KCOMP_LZ4] = "lz4",
		[KCOMP_ZSTD] = "zstd", [KCOMP_LZO] = "lzo",
	};

	return (size_t)c < ARRAY_SIZE(names) ? names[c] : "unknown";
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	PRINTF(3, 4);

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* ---- ELF ----------------------------------------------------------------- */

/* a + b <= limit without overflow */
static bool fits(uint64_t a, uint64_t b, uint64_t limit)
{
	return a <= limit && b <= limit - a;
}

int elf_inspect(const void *buf, size_t len, struct elf_info *ei, char *err,
		size_t errlen)
{
	const uint8_t *p = buf;
	Elf64_Ehdr eh;
	uint64_t end, sum = 0;
	unsigned int i;

	memset(ei, 0, sizeof(*ei));
	if (len < SELFMAG || memcmp(p, ELFMAG, SELFMAG)) {
		seterr(err, errlen, "not an ELF file");
		return -ENOEXEC;
	}
	if (len < sizeof(eh)) {
		seterr(err, errlen, "truncated ELF header");
		return -ENOEXEC;
	}
	memcpy(&eh, p, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64) {
		seterr(err, errlen, "a 32-bit ELF; the kernel needs an x86-64 "
		       "(ELF64) image");
		return -ENOEXEC;
	}
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		seterr(err, errlen, "a big-endian ELF; the kernel needs an "
		       "x86-64 image");
		return -ENOEXEC;
	}
	if (eh.e_machine != EM_X86_64) {
		seterr(err, errlen, "an ELF for machine %u, not x86-64",
		       eh.e_machine);
		return -ENOEXEC;
	}
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		seterr(err, errlen, "an ELF of type %u, not an executable",
		       eh.e_type);
		return -ENOEXEC;
	}
	if (eh.e_phnum == 0 || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    !fits(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr),
		  len)) {
		seterr(err, errlen, "the ELF program headers are missing or "
		       "lie outside the file");
		return -ENOEXEC;
	}
	end = eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
	if (end < sizeof(eh))
		end = sizeof(eh);
	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, p + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (!fits(ph.p_offset, ph.p_filesz, len)) {
			seterr(err, errlen, "ELF segment %u lies outside the "
			       "file (truncated image?)", i);
			return -ENOEXEC;
		}
		if (ph.p_filesz > ph.p_memsz) {
			seterr(err, errlen, "ELF segment %u has a file size "
			       "larger than its memory size", i);
			return -ENOEXEC;
		}
		if (!fits(sum, ph.p_memsz, UINT64_MAX / 2)) {
			seterr(err, errlen, "ELF segments add up to an "
			       "impossible size");
			return -ENOEXEC;
		}
		sum += ph.p_memsz;
		if (ph.p_offset + ph.p_filesz > end)
			end = ph.p_offset + ph.p_filesz;
		ei->nload++;
	}
	if (!ei->nload) {
		seterr(err, errlen, "the ELF has no loadable segment");
		return -ENOEXEC;
	}
	/* Section headers (and sections) count only where they are intact. */
	if (eh.e_shnum && eh.e_shentsize == sizeof(Elf64_Shdr) &&
	    fits(eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr), len)) {
		uint64_t shend = eh.e_shoff +
				 (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr);

		if (shend > end)
			end = shend;
		for (i = 0; i < eh.e_shnum; i++) {
			Elf64_Shdr sh;

			memcpy(&sh, p + eh.e_shoff + i * sizeof(sh),
			       sizeof(sh));
			if (sh.sh_type == SHT_NOBITS ||
			    !fits(sh.sh_offset, sh.sh_size, len))
				continue;
			if (sh.sh_offset + sh.sh_size > end)
				end = sh.sh_offset + sh.sh_size;
		}
	}
	ei->load_bytes = sum;
	ei->entry = eh.e_entry;
	ei->file_end = (size_t)end;
	return 0;
}

/* ---- the x86 boot header ------------------------------------------------- */

int bzimage_inspect(const void *buf, size_t len, struct bzimage_info *bi,
		    char *err, size_t errlen)
{
	const uint8_t *p = buf;
	uint64_t pm, off, plen;

	memset(bi, 0, sizeof(*bi));
	if (len < BOOT_HDR_END || memcmp(p + BOOT_HEADER, "HdrS", 4))
		return -ENOENT;
	bi->version = le16(p + BOOT_VERSION);
	bi->setup_sects = p[BOOT_SETUP_SECTS] ? p[BOOT_SETUP_SECTS] : 4;
	if (le16(p + BOOT_FLAG) != 0xaa55) {
		seterr(err, errlen, "the boot sector flag 0xaa55 is missing");
		return -EINVAL;
	}
	if (bi->version < 0x0208) {
		seterr(err, errlen, "boot protocol %u.%02u predates the "
		       "payload fields (2.08)", bi->version >> 8,
		       bi->version & 0xff);
		return -EINVAL;
	}
	pm = ((uint64_t)bi->setup_sects + 1) * 512;
	off = le32(p + BOOT_PAYLOAD_OFFSET);
	plen = le32(p + BOOT_PAYLOAD_LENGTH);
	if (!plen || !fits(pm, off, len) || !fits(pm + off, plen, len)) {
		seterr(err, errlen, "the payload (offset %#llx, %llu bytes) "
		       "lies outside the file (truncated image?)",
		       (unsigned long long)(pm + off),
		       (unsigned long long)plen);
		return -EINVAL;
	}
	bi->payload_off = (size_t)(pm + off);
	bi->payload_len = (size_t)plen;
	return 0;
}

/* ---- compression --------------------------------------------------------- */

enum kcomp kcomp_detect(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (len >= 3 && p[0] == 0x1f && (p[1] == 0x8b || p[1] == 0x9e) &&
	    p[2] == 0x08)
		return KCOMP_GZIP;
	if (len >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
		return KCOMP_XZ;
	if (len >= 10 && !memcmp(p, "BZh", 3) && p[3] >= '1' && p[3] <= '9' &&
	    !memcmp(p + 4, "1AY&SY", 6))
		return KCOMP_BZIP2;
	if (len >= 4 && le32(p) == LZ4_LEGACY_MAGIC)
		return KCOMP_LZ4;
	if (len >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
		return KCOMP_ZSTD;
	if (len >= 9 && !memcmp(p, "\x89LZO\0\r\n\x1a\n", 9))
		return KCOMP_LZO;
	/*
	 * lzma "alone": properties 0x5d (lc=3 lp=0 pb=2), a power-of-two
	 * dictionary, then the size (all ones when streamed, as the kernel
	 * build does).  Checked strictly: three bytes alone match too often.
	 */
	if (len >= 13 && p[0] == 0x5d) {
		uint32_t dict = le32(p + 1);

		if (dict >= 4096 && !(dict & (dict - 1)) &&
		    (!memcmp(p + 5, "\xff\xff\xff\xff\xff\xff\xff\xff", 8) ||
		     p[12] == 0))
			return KCOMP_LZMA;
	}
	return KCOMP_NONE;
}

/* A growing output buffer capped at max. */
struct obuf {
	uint8_t *p;
	size_t len, cap, max;
};

/* Make room for at least one more byte; false when the cap is reached. */
static bool obuf_grow(struct obuf *o)
{
	size_t want;

	if (o->len < o->cap)
		return true;
	if (o->cap >= o->max)
		return false;
	want = o->cap ? o->cap * 2 : 1 << 20;
	if (want > o->max)
		want = o->max;
	o->p = xrealloc(o->p, want);
	o->cap = want;
	return true;
}

static int too_big(struct obuf *o, char *err, size_t errlen)
{
	seterr(err, errlen, "the unpacked image exceeds %zu MiB",
	       o->max >> 20);
	return -EFBIG;
}

static int unpack_gzip(const void *in, size_t inlen, struct obuf *o,
		       char *err, size_t errlen)
{
	z_stream s;
	int zr;

	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, 15 + 32) != Z_OK) {
		seterr(err, errlen, "zlib initialisation failed");
		return -ENOMEM;
	}
	s.next_in = in;
	for (;;) {
		size_t chunk = inlen > UINT32_MAX ? UINT32_MAX : inlen;

		if (!obuf_grow(o)) {
			inflateEnd(&s);
			return too_big(o, err, errlen);
		}
		s.avail_in = (uInt)chunk;
		s.next_out = o->p + o->len;
		s.avail_out = (uInt)(o->cap - o->len > UINT32_MAX ?
				     UINT32_MAX : o->cap - o->len);
		zr = inflate(&s, Z_NO_FLUSH);
		inlen -= chunk - s.avail_in;
		o->len = (size_t)(s.next_out - o->p);
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_OK)
			continue;
		if (zr == Z_BUF_ERROR && s.avail_out)
			seterr(err, errlen, "the gzip stream is truncated");
		else
			seterr(err, errlen, "corrupt gzip data: %s",
			       s.msg ? s.msg : "inflate failed");
		inflateEnd(&s);
		return -EBADMSG;
	}
	inflateEnd(&s);
	return 0;
}

static int unpack_lzma(enum kcomp c, const void *in, size_t inlen,
		       struct obuf *o, char *err, size_t errlen)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret lr;

	if (c == KCOMP_XZ)
		lr = lzma_stream_decoder(&s, UINT64_MAX, 0);
	else
		lr = lzma_alone_decoder(&s, UINT64_MAX);
	if (lr != LZMA_OK) {
		seterr(err, errlen, "liblzma initialisation failed");
		return -ENOMEM;
	}
	s.next_in = in;
	s.avail_in = inlen;
	for (;;) {
		if (!obuf_grow(o)) {
			lzma_end(&s);
			return too_big(o, err, errlen);
		}
		s.next_out = o->p + o->len;
		s.avail_out = o->cap - o->len;
		lr = lzma_code(&s, LZMA_FINISH);
		o->len = (size_t)(s.next_out - o->p);
		if (lr == LZMA_STREAM_END)
			break;
		if (lr == LZMA_OK)
			continue;
		if (lr == LZMA_BUF_ERROR)
			seterr(err, errlen, "the %s stream is truncated",
			       kcomp_name(c));
		else
			seterr(err, errlen, "corrupt %s data (liblzma error "
			       "%d)", kcomp_name(c), (int)lr);
		lzma_end(&s);
		return -EBADMSG;
	}
	lzma_end(&s);
	return 0;
}

static int unpack_bzip2(const void *in, size_t inlen, struct obuf *o,
			char *err, size_t errlen)
{
	bz_stream s;
	int br;

	memset(&s, 0, sizeof(s));
	if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) {
		seterr(err, errlen, "libbz2 initialisation failed");
		return -ENOMEM;
	}
	/* libbz2 takes a non-const pointer but never writes the input. */
	s.next_in = (char *)(uintptr_t)in;
	for (;;) {
		size_t chunk = inlen > UINT32_MAX ? UINT32_MAX : inlen;
		unsigned int before = (unsigned int)chunk;

		if (!obuf_grow(o)) {
			BZ2_bzDecompressEnd(&s);
			return too_big(o, err, errlen);
		}
		s.avail_in = before;
		s.next_out = (char *)(o->p + o->len);
		s.avail_out = (unsigned int)(o->cap - o->len > UINT32_MAX ?
					     UINT32_MAX : o->cap - o->len);
		br = BZ2_bzDecompress(&s);
		inlen -= before - s.avail_in;
		o->len = (size_t)((uint8_t *)s.next_out - o->p);
		if (br == BZ_STREAM_END)
			break;
		if (br == BZ_OK && (s.avail_in || !s.avail_out))
			continue;
		if (br == BZ_OK)
			seterr(err, errlen, "the bzip2 stream is truncated");
		else
			seterr(err, errlen, "corrupt bzip2 data (libbz2 error "
			       "%d)", br);
		BZ2_bzDecompressEnd(&s);
		return -EBADMSG;
	}
	BZ2_bzDecompressEnd(&s);
	return 0;
}

static int unpack_zstd(const void *in, size_t inlen, struct obuf *o,
		       char *err, size_t errlen)
{
	ZSTD_DCtx *dc = ZSTD_createDCtx();
	ZSTD_inBuffer ib = { in, inlen, 0 };
	size_t zr;

	if (!dc) {
		seterr(err, errlen, "libzstd initialisation failed");
		return -ENOMEM;
	}
	/* The kernel builds with --ultra -22: allow its large window. */
	ZSTD_DCtx_setParameter(dc, ZSTD_d_windowLogMax, 31);
	for (;;) {
		ZSTD_outBuffer ob;

		if (!obuf_grow(o)) {
			ZSTD_freeDCtx(dc);
			return too_big(o, err, errlen);
		}
		ob.dst = o->p;
		ob.size = o->cap;
		ob.pos = o->len;
		zr = ZSTD_decompressStream(dc, &ob, &ib);
		o->len = ob.pos;
		if (ZSTD_isError(zr)) {
			seterr(err, errlen, "corrupt zstd data: %s",
			       ZSTD_getErrorName(zr));
			ZSTD_freeDCtx(dc);
			return -EBADMSG;
		}
		if (zr == 0)
			break;	/* the frame is complete */
		if (ib.pos == ib.size && ob.pos < ob.size) {
			seterr(err, errlen, "the zstd stream is truncated");
			ZSTD_freeDCtx(dc);
			return -EBADMSG;
		}
	}
	ZSTD_freeDCtx(dc);
	return 0;
}

/*
 * The legacy lz4 frame: the magic, then blocks of (LE32 compressed size,
 * data), each unpacking to 8 MiB except the last.  The kernel's build
 * appends the size; a block that would run past the input ends it.
 */
static int unpack_lz4(const void *in, size_t inlen, struct obuf *o,
		      char *err, size_t errlen)
{
	const uint8_t *p = in;
	size_t pos = 4;
	bool last = false;

	while (!last && inlen - pos >= 4) {
		uint32_t csize = le32(p + pos);
		int n;

		if (csize == LZ4_LEGACY_MAGIC) {
			pos += 4;	/* concatenated frames */
			continue;
		}
		if (csize == 0 || csize > inlen - pos - 4 ||
		    csize > (uint32_t)LZ4_compressBound(LZ4_LEGACY_BLOCK)) {
			if (o->len)
				break;	/* the appended size */
			seterr(err, errlen, "the lz4 stream is truncated or "
			       "corrupt");
			return -EBADMSG;
		}
		while (o->cap - o->len < LZ4_LEGACY_BLOCK) {
			if (o->cap >= o->max)
				return too_big(o, err, errlen);
			o->cap = o->cap ? o->cap * 2 : LZ4_LEGACY_BLOCK;
			if (o->cap > o->max)
				o->cap = o->max;
			o->p = xrealloc(o->p, o->cap);
		}
		n = LZ4_decompress_safe((const char *)p + pos + 4,
					(char *)o->p + o->len, (int)csize,
					LZ4_LEGACY_BLOCK);
		if (n < 0) {
			seterr(err, errlen, "corrupt lz4 data");
			return -EBADMSG;
		}
		o->len += (size_t)n;
		pos += 4 + csize;
		last = (uint32_t)n < LZ4_LEGACY_BLOCK;
	}
	if (!o->len) {
		seterr(err, errlen, "the lz4 stream is empty");
		return -EBADMSG;
	}
	return 0;
}

int kdecompress(enum kcomp c, const void *in, size_t inlen, size_t max_out,
		void **out, size_t *outlen, char *err, size_t errlen)
{
	struct obuf o = { NULL, 0, 0, max_out };
	int ret;

	*out = NULL;
	*outlen = 0;
	switch (c) {
	case KCOMP_GZIP:
		ret = unpack_gzip(in, inlen, &o, err, errlen);
		break;
	case KCOMP_XZ:
	case KCOMP_LZMA:
		ret = unpack_lzma(c, in, inlen, &o, err, errlen);
		break;
	case KCOMP_BZIP2:
		ret = unpack_bzip2(in, inlen, &o, err, errlen);
		break;
	case KCOMP_ZSTD:
		ret = unpack_zstd(in, inlen, &o, err, errlen);
		break;
	case KCOMP_LZ4:
		ret = unpack_lz4(in, inlen, &o, err, errlen);
		break;
	case KCOMP_LZO:
		seterr(err, errlen, "LZO-compressed kernels are not "
		       "supported");
		return -ENOTSUP;
	default:
		seterr(err, errlen, "unknown compression");
		return -ENOTSUP;
	}
	if (ret) {
		free(o.p);
		return ret;
	}
	*out = o.p;
	*outlen = o.len;
	return 0;
}

/* ---- putting it together ------------------------------------------------- */

void kimage_close(struct kimage *img)
{
	if (img->fd >= 0)
		close(img->fd);
	free(img->path);
	memset(img, 0, sizeof(*img));
	img->fd = -1;
}

static int to_memfd(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int fd, err;

	fd = memfd_create("kerf-vmlinux", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			close(fd);
			return -err;
		}
		p += n;
		len -= (size_t)n;
	}
	/* The kernel reads what we checked: no one may change it now. */
	fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
	      F_SEAL_SEAL);
	if (lseek(fd, 0, SEEK_SET) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

/* Unpack a payload of compression c and check that it holds an ELF. */
static int try_payload(enum kcomp c, const uint8_t *p, size_t len,
		       void **elf, size_t *elflen, struct elf_info *ei,
		       char *err, size_t errlen)
{
	char why[160];
	int ret;

	ret = kdecompress(c, p, len, KIMAGE_MAX_UNPACKED, elf, elflen, err,
			  errlen);
	if (ret)
		return ret;
	ret = elf_inspect(*elf, *elflen, ei, why, sizeof(why));
	if (ret) {
		seterr(err, errlen, "the %s payload does not hold a usable "
		       "vmlinux: %s", kcomp_name(c), why);
		free(*elf);
		*elf = NULL;
		return ret;
	}
	/* The build appends relocations after the ELF: cut them off. */
	*elflen = ei->file_end;
	return 0;
}

/* No (usable) boot header: look for a compressed stream anywhere. */
static int scan_payload(const uint8_t *p, size_t len, enum kcomp *c,
			void **elf, size_t *elflen, struct elf_info *ei,
			char *err, size_t errlen)
{
	unsigned int tried = 0;
	size_t off;
	int ret = -ENOEXEC;

	seterr(err, errlen, "no compressed vmlinux found");
	for (off = 0; off < len && tried < SCAN_MAX_CANDIDATES; off++) {
		enum kcomp k = kcomp_detect(p + off, len - off);

		if (k == KCOMP_NONE)
			continue;
		tried++;
		ret = try_payload(k, p + off, len - off, elf, elflen, ei, err,
				  errlen);
		if (!ret) {
			*c = k;
			return 0;
		}
		if (k == KCOMP_LZO)
			return ret;
	}
	return ret;
}

static int analyse(const char *name, const uint8_t *buf, size_t len,
		   struct kimage *img, void **elf, size_t *elflen,
		   struct diags *d)
{
	struct bzimage_info bi;
	struct elf_info ei;
	char err[256], why[160];
	int ret;

	*elf = NULL;
	ret = elf_inspect(buf, len, &ei, why, sizeof(why));
	if (!ret) {
		img->format = KIMAGE_ELF;
		img->comp = KCOMP_NONE;
		img->load_bytes = ei.load_bytes;
		img->elf_size = len;
		return 0;
	}
	if (len >= SELFMAG && !memcmp(buf, ELFMAG, SELFMAG)) {
		kp_err(d, "%s cannot be loaded: %s", name, why);
		return -ENOEXEC;
	}
	ret = bzimage_inspect(buf, len, &bi, why, sizeof(why));
	if (!ret) {
		img->format = KIMAGE_BZIMAGE;
		img->comp = kcomp_detect(buf + bi.payload_off, bi.payload_len);
		if (img->comp != KCOMP_NONE) {
			ret = try_payload(img->comp, buf + bi.payload_off,
					  bi.payload_len, elf, elflen, &ei, err,
					  sizeof(err));
			if (!ret || img->comp == KCOMP_LZO)
				goto done;
		}
	}
	/* No header, or one whose payload did not unpack: scan. */
	img->format = ret == -ENOENT ? KIMAGE_COMPRESSED : KIMAGE_BZIMAGE;
	ret = scan_payload(buf, len, &img->comp, elf, elflen, &ei, err,
			   sizeof(err));
done:
	if (ret) {
		if (ret == -ENOEXEC && img->format == KIMAGE_COMPRESSED &&
		    img->comp == KCOMP_NONE)
			kp_err(d, "%s is neither an ELF vmlinux nor a bzImage "
			       "(%s)", name, err);
		else
			kp_err(d, "cannot unpack %s: %s", name, err);
		if (ret == -ENOTSUP)
			kp_hint(d, "Pass the uncompressed vmlinux instead.");
		return ret == -EFBIG || ret == -ENOTSUP ? ret : -ENOEXEC;
	}
	img->load_bytes = ei.load_bytes;
	img->elf_size = *elflen;
	return 0;
}

int kimage_from_buffer(const char *name, const void *buf, size_t len,
		       struct kimage *img, struct diags *d)
{
	void *elf;
	size_t elflen = 0;
	int ret;

	memset(img, 0, sizeof(*img));
	img->fd = -1;
	img->path = xstrdup(name);
	img->file_size = len;
	sha256_buf(buf, len, img->sha256);
	ret = analyse(name, buf, len, img, &elf, &elflen, d);
	if (ret)
		goto fail;
	ret = to_memfd(elf ? elf : buf, elf ? elflen : len);
	free(elf);
	if (ret < 0) {
		kp_err(d, "cannot create a memory file for %s: %s", name,
		       strerror(-ret));
		goto fail;
	}
	img->fd = ret;
	return 0;
fail:
	kimage_close(img);
	return ret;
}

/*
 * Map the file (an unstripped vmlinux can be hundreds of MiB); read it
 * when it cannot be mapped (a pipe, an empty file).
 */
static int map_file(int fd, void **buf, size_t *len, bool *mapped)
{
	struct stat st;
	void *p;
	char *data;
	int ret;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size <= SIZE_MAX / 2) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd,
			 0);
		if (p != MAP_FAILED) {
			*buf = p;
			*len = (size_t)st.st_size;
			*mapped = true;
			return 0;
		}
	}
	ret = read_fd(fd, &data, len);
	if (ret)
		return ret;
	*buf = data;
	*mapped = false;
	return 0;
}

static void unmap_file(void *buf, size_t len, bool mapped)
{
	if (mapped)
		munmap(buf, len);
	else
		free(buf);
}

int kimage_open(const char *path, struct kimage *img, struct diags *d)
{
	void *elf = NULL, *buf;
	size_t len, elflen = 0;
	bool mapped;
	int fd, ret;

	memset(img, 0, sizeof(*img));
	img->fd = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		kp_err(d, "cannot open kernel image %s: %s", path,
		       strerror(-ret));
		return ret;
	}
	ret = map_file(fd, &buf, &len, &mapped);
	if (ret) {
		kp_err(d, "cannot read kernel image %s: %s", path,
		       strerror(-ret));
		close(fd);
		return ret;
	}
	img->path = xstrdup(path);
	img->file_size = len;
	sha256_buf(buf, len, img->sha256);
	ret = analyse(path, buf, len, img, &elf, &elflen, d);
	if (ret)
		goto fail;
	if (img->format == KIMAGE_ELF) {
		/* The file itself goes to the kernel, from its start. */
		if (lseek(fd, 0, SEEK_SET) < 0) {
			ret = -errno;
			kp_err(d, "cannot rewind %s: %s", path, strerror(-ret));
			goto fail;
		}
		img->fd = fd;
		fd = -1;
	} else {
		ret = to_memfd(elf, elflen);
		if (ret < 0) {
			kp_err(d, "cannot create a memory file for the "
			       "vmlinux unpacked from %s: %s", path,
			       strerror(-ret));
			goto fail;
		}
		img->fd = ret;
		ret = 0;
	}
	free(elf);
	unmap_file(buf, len, mapped);
	if (fd >= 0)
		close(fd);
	return 0;
fail:
	free(elf);
	unmap_file(buf, len, mapped);
	if (fd >= 0)
		close(fd);
	kimage_close(img);
	return ret;
}
