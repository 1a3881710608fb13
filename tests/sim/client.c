// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mksim fidelity client: each case exercises one documented behaviour of
 * the mk2 kernel ABI with raw file operations and raw syscalls, against a
 * mksim sysroot, and prints TAP.  Run as
 *
 *	mksim run ROOT -- mksim-client CASE ROOT
 *
 * with MKSIM set to the mksim binary (for "mksim fault").
 */
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KEXEC_FILE_UNLOAD	0x1UL
#define KEXEC_FILE_NO_INITRAMFS	0x4UL
#define KEXEC_MULTIKERNEL	0x10UL
#define KEXEC_MK_ID(id)		((((unsigned long)(id)) << 5) & 0xffe0UL)
#define MAGIC1			0xfee1deadU
#define MAGIC2			672274793U
#define CMD_START		0x4d4b4c49U
#define CMD_HALT		0x4d4b4c48U
#define CMD_FORCE		0x4d4b4c46U

#define MIB			(1024ULL * 1024)

static const char *root;
static int ntest, nfail;

/* ---- TAP ---- */

static void ok(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	char msg[512], *p;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (p = msg; *p; p++)
		if (*p == '\n' || *p == '#')
			*p = ' ';
	printf("%sok %d - %s\n", cond ? "" : "not ", ++ntest, msg);
	fflush(stdout);
	if (!cond)
		nfail++;
}

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ---- paths and raw file operations ---- */

static char *P(const char *rel)
{
	static char buf[8][4096];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", root, rel);
	return buf[i];
}

static char *Pf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *Pf(const char *fmt, ...)
{
	char rel[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	return P(rel);
}

/* One write(2); returns its result, errno kept. */
static long write_once(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY);
	long r;
	int e;

	if (fd < 0)
		return -1;
	r = write(fd, buf, len);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

/* Read a whole file to EOF; caller frees.  NULL on error. */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	size_t cap = 4096, n = 0;
	char *b;
	ssize_t r;

	if (fd < 0)
		return NULL;
	b = malloc(cap + 1);
	while ((r = read(fd, b + n, cap - n)) > 0) {
		n += (size_t)r;
		if (n == cap)
			b = realloc(b, (cap *= 2) + 1);
	}
	close(fd);
	if (r < 0) {
		free(b);
		return NULL;
	}
	b[n] = '\0';
	if (len)
		*len = n;
	return b;
}

static bool file_is(const char *path, const char *want)
{
	char *s = slurp(path, NULL);
	bool r = s && !strcmp(s, want);

	if (!r)
		diag("%s: got '%s', want '%s'", path, s ? s : "(error)", want);
	free(s);
	return r;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static bool contains(const char *path, const char *needle)
{
	char *s = slurp(path, NULL);
	bool r = s && strstr(s, needle);

	free(s);
	return r;
}

static void fault(const char *spec)
{
	char cmd[1024];
	const char *m = getenv("MKSIM");

	snprintf(cmd, sizeof(cmd), "%s fault %s %s >/dev/null", m ? m : "mksim",
		 root, spec);
	if (system(cmd))
		diag("'%s' failed", cmd);
}

/* ---- blobs with libfdt's sequential writer ---- */

struct blob {
	char buf[65536];
};

static void *bl_begin(struct blob *b)
{
	fdt_create(b->buf, sizeof(b->buf));
	fdt_finish_reservemap(b->buf);
	fdt_begin_node(b->buf, "");
	return b->buf;
}

static size_t bl_end(void *fdt)
{
	fdt_end_node(fdt);
	fdt_finish(fdt);
	return fdt_totalsize(fdt);
}

static void u64s(void *fdt, const char *name, int n, ...)
{
	fdt64_t v[64];
	va_list ap;
	int i;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		v[i] = cpu_to_fdt64(va_arg(ap, uint64_t));
	va_end(ap);
	fdt_property(fdt, name, v, n * 8);
}

static void u32s(void *fdt, const char *name, int n, ...)
{
	fdt32_t v[64];
	va_list ap;
	int i;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		v[i] = cpu_to_fdt32(va_arg(ap, uint32_t));
	va_end(ap);
	fdt_property(fdt, name, v, n * 4);
}

#define N(f, name) fdt_begin_node(f, name)
#define E(f) fdt_end_node(f)

/* A baseline: CPUs (APIC ids) and memory requests of size[i] on node[i]. */
static size_t baseline(struct blob *b, int ncpu, const uint64_t *cpus,
		       int nmem, const uint64_t *size, const int *node)
{
	void *f = bl_begin(b);
	fdt64_t c[64];
	int i;

	fdt_property_string(f, "compatible", "linux,multikernel-host");
	N(f, "resources");
	for (i = 0; i < ncpu; i++)
		c[i] = cpu_to_fdt64(cpus[i]);
	if (ncpu)
		fdt_property(f, "cpus", c, ncpu * 8);
	for (i = 0; i < nmem; i++) {
		char name[32];

		snprintf(name, sizeof(name), "memory@%d", i);
		N(f, name);
		fdt_property_u64(f, "size", size[i]);
		if (node && node[i] >= 0)
			fdt_property_u32(f, "numa-node-id", (uint32_t)node[i]);
		E(f);
	}
	E(f);
	return bl_end(f);
}

/* The usual pool: APIC 16..30 (logical 8-15), 1 GiB on node 0 and 1. */
static bool std_baseline(void)
{
	static const uint64_t cpus[] = { 16, 18, 20, 22, 24, 26, 28, 30 };
	static const uint64_t size[] = { 1024 * MIB, 1024 * MIB };
	static const int node[] = { 0, 1 };
	struct blob b;
	size_t n = baseline(&b, 8, cpus, 2, size, node);
	long r = write_once(P("sys/fs/multikernel/device_tree"), b.buf, n);

	if (r != (long)n)
		diag("baseline write: %ld (%s)", r, strerror(errno));
	return r == (long)n;
}

static void frag_begin(void *f, const char *name, const char *target)
{
	N(f, name);
	fdt_property_string(f, "target-path", target);
	N(f, "__overlay__");
}

static void frag_end(void *f)
{
	E(f);
	E(f);
}

/* instance-create inside an open /instances __overlay__ */
static void create_op(void *f, const char *name, int id, uint64_t mem,
		      int ncpu, const uint64_t *cpus)
{
	fdt64_t c[64];
	int i;

	N(f, "instance-create");
	fdt_property_string(f, "instance-name", name);
	if (id >= 0)
		fdt_property_u32(f, "id", (uint32_t)id);
	N(f, "resources");
	if (mem)
		fdt_property_u64(f, "memory-bytes", mem);
	for (i = 0; i < ncpu; i++)
		c[i] = cpu_to_fdt64(cpus[i]);
	if (ncpu)
		fdt_property(f, "cpus", c, ncpu * 8);
	E(f);
	E(f);
}

static size_t ov_create(struct blob *b, const char *name, int id,
			uint64_t mem, int ncpu, const uint64_t *cpus)
{
	void *f = bl_begin(b);

	fdt_property_string(f, "compatible", "linux,multikernel-overlay");
	frag_begin(f, "fragment@0", "/instances");
	create_op(f, name, id, mem, ncpu, cpus);
	frag_end(f);
	return bl_end(f);
}

static size_t ov_remove(struct blob *b, const char *name)
{
	void *f = bl_begin(b);

	frag_begin(f, "fragment@0", "/instances");
	N(f, "instance-remove");
	fdt_property_string(f, "instance-name", name);
	E(f);
	frag_end(f);
	return bl_end(f);
}

/* cpu-add/cpu-remove of one CPU (u64 reg) under target */
static void cpu_item(void *f, const char *op, uint64_t cpu)
{
	char name[32];

	N(f, op);
	snprintf(name, sizeof(name), "cpu@%llx", (unsigned long long)cpu);
	N(f, name);
	fdt_property_u64(f, "reg", cpu);
	E(f);
	E(f);
}

/* The largest tx_N in overlays/, or -1. */
static int last_tx(void)
{
	char path[4096];
	int best = -1, id;
	FILE *ls;
	char line[256];

	snprintf(path, sizeof(path), "ls -1 '%s'",
		 P("sys/fs/multikernel/overlays"));
	ls = popen(path, "r");
	if (!ls)
		return -1;
	while (fgets(line, sizeof(line), ls))
		if (sscanf(line, "tx_%d", &id) == 1 && id > best)
			best = id;
	pclose(ls);
	return best;
}

static char *tx_status(int id)
{
	static char s[64];
	char *d = slurp(Pf("sys/fs/multikernel/overlays/tx_%d/status", id),
			NULL);

	snprintf(s, sizeof(s), "%s", d ? d : "(none)");
	free(d);
	return s;
}

/* Apply an overlay; returns the new tx id, *status its status. */
static int apply(const void *blob, size_t n, const char **status)
{
	long r = write_once(P("sys/fs/multikernel/overlays/new"), blob, n);
	int id;

	if (r != (long)n)
		diag("overlay write returned %ld for %zu (%s)", r, n,
		     strerror(errno));
	id = last_tx();
	if (status)
		*status = tx_status(id);
	return id;
}

static bool applied(const void *blob, size_t n)
{
	const char *st;
	int id = apply(blob, n, &st);

	if (strcmp(st, "applied\n"))
		diag("tx_%d: %s", id, st);
	return !strcmp(st, "applied\n");
}

static char *inst_status(const char *name)
{
	static char s[64];
	char *d = slurp(Pf("sys/fs/multikernel/instances/%s/status", name),
			NULL);

	snprintf(s, sizeof(s), "%s", d ? d : "(none)");
	free(d);
	if (strchr(s, '\n'))
		*strchr(s, '\n') = '\0';
	return s;
}

/* ---- the syscalls ---- */

/* A minimal x86-64 ELF with one PT_LOAD of memsz bytes, in a memfd. */
static int make_elf(uint64_t memsz, bool valid)
{
	unsigned char h[64 + 56];
	int fd = memfd_create("vmlinux", 0);
	uint64_t v;

	memset(h, 0, sizeof(h));
	memcpy(h, "\177ELF", 4);
	h[4] = 2;	/* ELFCLASS64 */
	h[5] = 1;	/* little endian */
	h[6] = 1;
	h[16] = 2;	/* ET_EXEC */
	h[18] = 62;	/* EM_X86_64 */
	h[20] = 1;
	v = 64;
	memcpy(h + 32, &v, 8);	/* e_phoff */
	h[52] = 64;	/* e_ehsize */
	h[54] = 56;	/* e_phentsize */
	h[56] = 1;	/* e_phnum */
	h[64] = 1;	/* PT_LOAD */
	v = sizeof(h);
	memcpy(h + 64 + 32, &v, 8);	/* p_filesz */
	memcpy(h + 64 + 40, &memsz, 8);	/* p_memsz */
	if (!valid)
		memcpy(h, "MZ\0\0", 4);
	if (write(fd, h, sizeof(h)) != (ssize_t)sizeof(h))
		return -1;
	return fd;
}

static long kexec_load(int kfd, int ifd, const char *cmd, unsigned long fl)
{
	long r = syscall(SYS_kexec_file_load, kfd, ifd,
			 cmd ? strlen(cmd) + 1 : 0, cmd, fl);

	return r < 0 ? -errno : r;
}

static long load(int id, int kfd)
{
	return kexec_load(kfd, -1, "console=mktty0 quiet",
			  KEXEC_MULTIKERNEL | KEXEC_MK_ID(id) |
			  KEXEC_FILE_NO_INITRAMFS);
}

static long unload(int id)
{
	long r = syscall(SYS_kexec_file_load, -1, -1, 0, NULL,
			 KEXEC_FILE_UNLOAD | KEXEC_MULTIKERNEL |
			 KEXEC_MK_ID(id));

	return r < 0 ? -errno : r;
}

static long mkreboot(unsigned int cmd, int id)
{
	struct { int mk_id; } arg = { id };
	long r = syscall(SYS_reboot, MAGIC1, MAGIC2, cmd, &arg);

	return r < 0 ? -errno : r;
}

/* An instance "vm" (id 1) with APIC 16,18 and 256 MiB, after a baseline. */
static bool std_instance(void)
{
	static const uint64_t cpus[] = { 16, 18 };
	struct blob b;
	size_t n;

	if (!std_baseline())
		return false;
	n = ov_create(&b, "vm", 1, 256 * MIB, 2, cpus);
	return applied(b.buf, n);
}

/* ================= the cases ================= */

static bool pool_has(const char *prop)
{
	size_t len;
	char *t = slurp(P("sys/fs/multikernel/device_tree"), &len);
	bool r = t && fdt_check_full(t, len) == 0 &&
		 fdt_getprop(t, fdt_path_offset(t, "/resources"), prop,
			     NULL) != NULL;

	free(t);
	return r;
}

static void t_baseline_once(void)
{
	struct blob b;
	static const uint64_t cpus[] = { 16 };
	static const uint64_t size[] = { 256 * MIB };
	size_t n = baseline(&b, 1, cpus, 1, size, NULL);
	long r;

	r = write_once(P("sys/fs/multikernel/device_tree"), b.buf, n);
	ok(r == (long)n, "baseline write returns the byte count (%ld)", r);
	r = write_once(P("sys/fs/multikernel/device_tree"), b.buf, n);
	ok(r == -1 && errno == EBUSY, "second baseline: EBUSY (%s)",
	   strerror(errno));
	ok(pool_has("cpus-available"), "the pool tree has cpus-available");
}

static void t_baseline_one_write(void)
{
	struct blob b;
	static const uint64_t cpus[] = { 16 };
	static const uint64_t size[] = { 256 * MIB };
	size_t n = baseline(&b, 1, cpus, 1, size, NULL);
	char *big;
	long r;
	int fd;

	r = write_once(P("sys/fs/multikernel/device_tree"), b.buf, n - 8);
	ok(r == -1 && errno == EINVAL, "short write: EINVAL (%s)",
	   strerror(errno));
	fd = open(P("sys/fs/multikernel/device_tree"), O_WRONLY);
	r = write(fd, b.buf, 40);
	ok(r == -1 && errno == EINVAL, "split write, first part: EINVAL");
	close(fd);
	big = calloc(1, 2 * MIB);
	memcpy(big, b.buf, n);
	r = write_once(P("sys/fs/multikernel/device_tree"), big, n + 100);
	ok(r == -1 && errno == EINVAL, "write longer than fdt_totalsize: "
	   "EINVAL");
	fdt_set_totalsize(big, 2 * MIB);
	r = write_once(P("sys/fs/multikernel/device_tree"), big, 2 * MIB);
	ok(r == -1 && errno == E2BIG, "more than 1 MiB: E2BIG (%s)",
	   strerror(errno));
	memset(big, 0, 64);
	r = write_once(P("sys/fs/multikernel/device_tree"), big, 64);
	ok(r == -1 && errno == EINVAL, "bad header: EINVAL");
	free(big);
	r = write_once(P("sys/fs/multikernel/device_tree"), b.buf, n);
	ok(r == (long)n, "the exact blob in one write is accepted");
}

static void t_baseline_no_instances(void)
{
	struct blob b;
	void *f = bl_begin(&b);
	size_t n;
	long r;

	N(f, "resources");
	u64s(f, "cpus", 1, (uint64_t)16);
	E(f);
	N(f, "instances");
	N(f, "web");
	fdt_property_u32(f, "id", 1);
	E(f);
	E(f);
	n = bl_end(f);
	r = write_once(P("sys/fs/multikernel/device_tree"), b.buf, n);
	ok(r == -1 && errno == EINVAL, "baseline with /instances children: "
	   "EINVAL (%s)", strerror(errno));
	ok(contains(P("proc/cpuinfo"), "apicid\t\t: 16\n"),
	   "nothing moved: APIC 16 still online");
}

static void t_baseline_cpus_u64(void)
{
	struct blob b;
	void *f = bl_begin(&b);
	size_t n;
	long r;

	N(f, "resources");
	u32s(f, "cpus", 2, 2u, 4u);	/* legacy <2 4>: one u64 id */
	E(f);
	n = bl_end(f);
	r = write_once(P("sys/fs/multikernel/device_tree"), b.buf, n);
	ok(r == -1 && errno == ENODEV, "cpus = <2 4> (u32) read as CPU "
	   "0x200000004: ENODEV (%s)", strerror(errno));
	f = bl_begin(&b);
	N(f, "resources");
	u32s(f, "cpus", 1, 2u);	/* 4 bytes: not a multiple of 8 */
	E(f);
	n = bl_end(f);
	r = write_once(P("sys/fs/multikernel/device_tree"), b.buf, n);
	ok(r == -1 && errno == EINVAL, "cpus of 4 bytes: EINVAL");
	f = bl_begin(&b);
	N(f, "resources");
	u64s(f, "cpus", 2, (uint64_t)2, (uint64_t)4);
	E(f);
	n = bl_end(f);
	r = write_once(P("sys/fs/multikernel/device_tree"), b.buf, n);
	ok(r == (long)n, "cpus = /bits/ 64 <2 4> accepted");
	ok(!contains(P("proc/cpuinfo"), "apicid\t\t: 4\n") &&
	   contains(P("proc/cpuinfo"), "apicid\t\t: 6\n"),
	   "APIC 2 and 4 left /proc/cpuinfo, APIC 6 stays");
	ok(file_is(P("sys/devices/system/cpu/online"), "0,3-31\n"),
	   "cpu/online lists logical 1, 2 as offline");
}

static void t_baseline_memory_topdown(void)
{
	struct blob b;
	static const uint64_t size[] = { 512 * MIB, 256 * MIB, 128 * MIB };
	static const int node[] = { 0, 0, 1 };
	size_t n = baseline(&b, 0, NULL, 3, size, node), len;
	long r = write_once(P("sys/fs/multikernel/device_tree"), b.buf, n);
	char *t, *iomem;
	int mem, res, cnt = 0;
	uint64_t base[3] = { 0 };

	ok(r == (long)n, "baseline with three memory@N requests");
	t = slurp(P("sys/fs/multikernel/device_tree"), &len);
	ok(t && fdt_check_full(t, len) == 0, "pool tree is a valid DTB");
	res = t ? fdt_path_offset(t, "/resources") : -1;
	fdt_for_each_subnode(mem, t, res) {
		const fdt64_t *reg = fdt_getprop(t, mem, "reg", NULL);
		const fdt32_t *nid = fdt_getprop(t, mem, "numa-node-id", NULL);

		if (!reg || !nid || cnt >= 3)
			continue;
		base[cnt++] = fdt64_ld(&reg[0]);
		diag("chunk %llx size %llx node %u",
		     (unsigned long long)fdt64_ld(&reg[0]),
		     (unsigned long long)fdt64_ld(&reg[1]),
		     fdt32_ld(nid));
	}
	ok(cnt == 3, "three memory@<base> nodes with reg and numa-node-id");
	/* node 0 is 0-2G + 4G-34G; node 1 34G-66G: both placed at the top */
	ok(base[2] == 66ULL * 1024 * MIB - 128 * MIB,
	   "node 1 request at the top of node 1");
	ok(base[1] == 34ULL * 1024 * MIB - 512 * MIB &&
	   base[0] == base[1] - 256 * MIB,
	   "node 0 requests top-down: first at the top, second below");
	iomem = slurp(P("proc/iomem"), NULL);
	ok(iomem && strstr(iomem, "  860000000-87fffffff : Multikernel "
				  "Memory Pool\n"),
	   "/proc/iomem lists the chunk as Multikernel Memory Pool");
	free(iomem);
	free(t);
}

static void t_baseline_legacy_refused(void)
{
	struct blob b;
	void *f = bl_begin(&b);
	size_t n;
	long r;

	fdt_property_string(f, "compatible", "linux,multikernel-host");
	N(f, "resources");
	u64s(f, "cpus", 1, (uint64_t)16);
	fdt_property_u64(f, "memory-base", 0x100000000ULL);
	fdt_property_u64(f, "memory-bytes", 512 * MIB);
	E(f);
	n = bl_end(f);
	r = write_once(P("sys/fs/multikernel/device_tree"), b.buf, n);
	ok(r == -1 && errno == EINVAL, "legacy memory-base/memory-bytes "
	   "baseline: EINVAL (%s)", strerror(errno));
	ok(contains(P("proc/cpuinfo"), "apicid\t\t: 16\n"),
	   "nothing moved");
}

static void t_baseline_cpu0(void)
{
	struct blob b;
	static const uint64_t cpus[] = { 2, 0, 4 };
	static const uint64_t size[] = { 256 * MIB };
	size_t n = baseline(&b, 3, cpus, 1, size, NULL);
	long r = write_once(P("sys/fs/multikernel/device_tree"), b.buf, n);

	ok(r == -1 && errno == EBUSY, "APIC 0 (logical CPU 0): EBUSY (%s)",
	   strerror(errno));
	ok(!contains(P("proc/cpuinfo"), "apicid\t\t: 2\n") &&
	   contains(P("proc/cpuinfo"), "apicid\t\t: 4\n"),
	   "not rolled back: APIC 2 stays in the pool, APIC 4 never moved");
	ok(contains(P("proc/iomem"), "Multikernel Memory Pool"),
	   "the memory chunk stays");
	r = write_once(P("sys/fs/multikernel/device_tree"), b.buf, n);
	ok(r == -1 && errno == EBUSY, "a pool exists now: EBUSY");
}

static void t_overlay_size_cut(void)
{
	struct blob b;
	void *f;
	size_t n;
	long r;
	int fd, id;
	char pad[64];
	int i;

	ok(std_baseline(), "baseline");
	f = bl_begin(&b);
	/* ignored root properties push the blob past 4096 bytes */
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (i = 0; i < 70; i++) {
		char name[16];

		snprintf(name, sizeof(name), "pad%d", i);
		fdt_property_string(f, name, pad);
	}
	frag_begin(f, "fragment@0", "/instances");
	create_op(f, "big", 3, 64 * MIB, 0, NULL);
	frag_end(f);
	n = bl_end(f);
	diag("overlay of %zu bytes", n);
	fd = open(P("sys/fs/multikernel/overlays/new"), O_WRONLY);
	r = write(fd, b.buf, n);
	ok(n > 4096 && r == 4096, "write of %zu bytes returns 4096 (%ld)",
	   n, r);
	r = write(fd, b.buf + 4096, n - 4096);
	ok(r == -1 && errno == EINVAL, "the rest at offset 4096: EINVAL (%s)",
	   strerror(errno));
	close(fd);
	id = last_tx();
	ok(id == 2 && !strcmp(tx_status(id), "failed\n"),
	   "the cut blob made tx_2, status failed (%s)", tx_status(id));
	ok(!exists(P("sys/fs/multikernel/instances/big")),
	   "no instance created");
	memset(b.buf, 0, 64);
	r = write_once(P("sys/fs/multikernel/overlays/new"), b.buf, 64);
	ok(r == -1 && errno == EINVAL, "bad FDT header: EINVAL, no tx");
	ok(last_tx() == 2, "no transaction for a bad header");
}

static void t_fragment_order(void)
{
	struct blob b;
	void *f;
	size_t n;
	static const uint64_t c16[] = { 16 };
	const char *st;

	ok(std_baseline(), "baseline");
	/* fragment@10 (hex 0x10) comes first in the blob, @9 must run first */
	f = bl_begin(&b);
	frag_begin(f, "fragment@10", "/instances/web");
	cpu_item(f, "cpu-add", 18);
	frag_end(f);
	frag_begin(f, "fragment@9", "/instances");
	create_op(f, "web", 1, 64 * MIB, 1, c16);
	frag_end(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "applied\n"), "fragment@9 before fragment@10 "
	   "(hex order, not blob or string order): %s", st);
	ok(file_is(Pf("sys/fs/multikernel/overlays/tx_%d/instance",
		      last_tx()), "/instances\n"),
	   "tx instance = target-path of the first fragment applied");
	f = bl_begin(&b);
	frag_begin(f, "fragment@zz", "/instances");
	create_op(f, "x", -1, 0, 0, NULL);
	frag_end(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "failed\n"), "non-hex fragment address: failed");
	f = bl_begin(&b);
	N(f, "something");
	E(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "failed\n"), "no fragment: failed");
}

static void t_op_order(void)
{
	struct blob b;
	void *f;
	size_t n;
	static const uint64_t c16[] = { 16 };
	const char *st;

	ok(std_baseline(), "baseline");
	/* /resources: cpu-remove runs before cpu-add whatever the blob says */
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/resources");
	cpu_item(f, "cpu-add", 20);
	cpu_item(f, "cpu-remove", 20);
	frag_end(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "applied\n"), "/resources: cpu-remove then cpu-add "
	   "of a pool CPU: %s", st);
	ok(!contains(P("proc/cpuinfo"), "apicid\t\t: 20\n"),
	   "APIC 20 is back in the pool");
	ok(applied(b.buf, ov_create(&b, "web", 1, 64 * MIB, 1, c16)),
	   "create web on APIC 16");
	/* /instances/web: cpu-remove before cpu-add */
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/instances/web");
	cpu_item(f, "cpu-add", 16);
	cpu_item(f, "cpu-remove", 16);
	frag_end(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "applied\n"), "/instances/web: cpu-remove before "
	   "cpu-add: %s", st);
	/* instance-create is a namespace op: refused under /resources */
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/resources");
	create_op(f, "bad", -1, 0, 0, NULL);
	frag_end(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "failed\n"), "instance-create under /resources: "
	   "failed");
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/instances");
	cpu_item(f, "cpu-add", 22);
	frag_end(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "failed\n"), "cpu-add under /instances: failed");
}

static void t_failed_keeps(void)
{
	struct blob b;
	void *f;
	size_t n;
	long r;
	static const uint64_t c16[] = { 16 }, c99[] = { 99 };
	int id;

	ok(std_baseline(), "baseline");
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/instances");
	create_op(f, "a", 1, 64 * MIB, 1, c16);
	frag_end(f);
	frag_begin(f, "fragment@1", "/instances");
	create_op(f, "b", 2, 64 * MIB, 1, c99);
	frag_end(f);
	n = bl_end(f);
	r = write_once(P("sys/fs/multikernel/overlays/new"), b.buf, n);
	ok(r == (long)n, "failing transaction: write() returns the full "
	   "count (%ld of %zu)", r, n);
	id = last_tx();
	ok(!strcmp(tx_status(id), "failed\n"), "tx_%d status failed", id);
	ok(exists(P("sys/fs/multikernel/instances/a")) &&
	   !strcmp(inst_status("a"), "ready"),
	   "the operation before the failure stays applied (a is ready)");
	ok(!exists(P("sys/fs/multikernel/instances/b")), "b was not created");
	ok(file_is(Pf("sys/fs/multikernel/overlays/tx_%d/resources", id),
		   "unknown\n"),
	   "resources file: unknown without mk,resources");
}

static void t_tx_ids(void)
{
	struct blob b;
	static const uint64_t c16[] = { 16 };
	const char *st;
	size_t n;
	char *dtbo;
	size_t len;
	int id;

	ok(std_baseline(), "baseline");
	ok(last_tx() == -1, "no transaction yet");
	n = ov_create(&b, "a", 1, 64 * MIB, 1, c16);
	id = apply(b.buf, n, &st);
	ok(id == 2, "the first transaction is tx_2 (got tx_%d)", id);
	ok(file_is(P("sys/fs/multikernel/overlays/tx_2/id"), "2\n"),
	   "tx_2/id");
	dtbo = slurp(P("sys/fs/multikernel/overlays/tx_2/dtbo"), &len);
	ok(dtbo && len == n && !memcmp(dtbo, b.buf, n), "tx_2/dtbo is the "
	   "original blob");
	free(dtbo);
	n = ov_create(&b, "b", 1, 64 * MIB, 0, NULL);
	id = apply(b.buf, n, &st);	/* id 1 in use: fails */
	ok(id == 3 && !strcmp(st, "failed\n"), "a failed transaction uses "
	   "an id (tx_3 %s)", st);
	ok(rmdir(P("sys/fs/multikernel/overlays/tx_3")) == -1 &&
	   errno == ENOENT, "rmdir of the failed create fails: its inverse "
	   "(destroy b) runs although the create never did (%s)",
	   strerror(errno));
	ok(!strcmp(tx_status(3), "failed\n"), "tx_3 stays, failed");
	ok(rmdir(P("sys/fs/multikernel/overlays/tx_2")) == 0,
	   "rmdir tx_2");
	ok(!exists(P("sys/fs/multikernel/overlays/tx_2")), "tx_2 is gone");
	id = apply(b.buf, n, &st);
	ok(id == 4, "ids are never reused (next is tx_%d)", id);
	ok(mkdir(P("sys/fs/multikernel/overlays/tx_9"), 0755) == -1 &&
	   errno == EPERM, "mkdir in the multikernel fs: EPERM");
	ok(rmdir(P("sys/fs/multikernel/instances")) == -1 &&
	   errno == EPERM, "rmdir of a non-transaction: EPERM");
	ok(file_is(P("sys/fs/multikernel/overlays/tx_4/resources"),
		   "unknown\n"), "tx resources");
}

static void t_rmdir_reverse(void)
{
	struct blob b;
	void *f;
	size_t n;
	static const uint64_t c16[] = { 16 };
	const char *st;
	int id;

	ok(std_baseline(), "baseline");
	f = bl_begin(&b);
	fdt_property_string(f, "mk,resources", "cpus=16,18 mem=64M");
	frag_begin(f, "fragment@0", "/instances");
	create_op(f, "web", 1, 64 * MIB, 1, c16);
	frag_end(f);
	frag_begin(f, "fragment@1", "/instances/web");
	cpu_item(f, "cpu-add", 18);
	frag_end(f);
	n = bl_end(f);
	id = apply(b.buf, n, &st);
	ok(!strcmp(st, "applied\n"), "create + cpu-add applied");
	ok(file_is(Pf("sys/fs/multikernel/overlays/tx_%d/resources", id),
		   "cpus=16,18 mem=64M\n"), "resources = mk,resources");
	ok(rmdir(Pf("sys/fs/multikernel/overlays/tx_%d", id)) == 0,
	   "rmdir: cpu-remove of web first, then destroy web (reverse)");
	ok(!exists(P("sys/fs/multikernel/instances/web")), "web is gone");
	ok(!exists(Pf("sys/fs/multikernel/overlays/tx_%d", id)),
	   "tx directory removed");
	/* instance-remove cannot be undone: rmdir succeeds, warning */
	ok(applied(b.buf, ov_create(&b, "x", 2, 0, 0, NULL)), "create x");
	id = apply(b.buf, ov_remove(&b, "x"), &st);
	ok(rmdir(Pf("sys/fs/multikernel/overlays/tx_%d", id)) == 0 &&
	   !exists(P("sys/fs/multikernel/instances/x")),
	   "rmdir of instance-remove: succeeds, x stays gone");
	/* /resources memory-add cannot be undone */
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/resources");
	N(f, "memory-add");
	N(f, "memory@0");
	fdt_property_u64(f, "size", 128 * MIB);
	fdt_property_u32(f, "numa-node-id", 1);
	E(f);
	E(f);
	frag_end(f);
	n = bl_end(f);
	id = apply(b.buf, n, &st);
	ok(!strcmp(st, "applied\n"), "memory-add to the pool");
	ok(rmdir(Pf("sys/fs/multikernel/overlays/tx_%d", id)) == 0,
	   "rmdir of memory-add succeeds");
	{
		char *iomem = slurp(P("proc/iomem"), NULL);
		int cnt = 0;
		char *p = iomem;

		while (p && (p = strstr(p, "Multikernel Memory Pool"))) {
			cnt++;
			p++;
		}
		ok(cnt == 3, "...but the chunk stays (%d chunks)", cnt);
		free(iomem);
	}
}

static void t_prop_lengths(void)
{
	struct blob b;
	void *f;
	size_t n;
	const char *st;

	ok(std_baseline(), "baseline");
	/* memory-bytes as u32 */
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/instances");
	N(f, "instance-create");
	fdt_property_string(f, "instance-name", "m32");
	N(f, "resources");
	fdt_property_u32(f, "memory-bytes", 64 * MIB);
	E(f);
	E(f);
	frag_end(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "failed\n"), "memory-bytes as u32: failed");
	/* pool memory-add with numa-node-id as u64 */
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/resources");
	N(f, "memory-add");
	N(f, "memory@0");
	fdt_property_u64(f, "size", 64 * MIB);
	fdt_property_u64(f, "numa-node-id", 0);
	E(f);
	E(f);
	frag_end(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "failed\n"), "numa-node-id as u64: failed");
	/* pool memory-add with a u32 size */
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/resources");
	N(f, "memory-add");
	N(f, "memory@0");
	fdt_property_u32(f, "size", 64 * MIB);
	E(f);
	E(f);
	frag_end(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "failed\n"), "size as u32: failed");
	ok(applied(b.buf, ov_create(&b, "w", 1, 0, 0, NULL)), "create w");
	/* instance memory-add reg of 8 bytes (u32 pair) */
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/instances/w");
	N(f, "memory-add");
	N(f, "memory@0");
	u32s(f, "reg", 2, 0x10000000u, 0x1000000u);
	E(f);
	E(f);
	frag_end(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "failed\n"), "instance reg of 8 bytes: failed");
	/* cpu@X reg as one u32 cell is fine */
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/instances/w");
	N(f, "cpu-add");
	N(f, "cpu@10");
	fdt_property_u32(f, "reg", 16);
	E(f);
	E(f);
	frag_end(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "applied\n"), "cpu@X reg as one u32 cell: applied");
	/* 16-byte reg inside a pool chunk works */
	{
		size_t len;
		char *t = slurp(P("sys/fs/multikernel/device_tree"), &len);
		int res = fdt_path_offset(t, "/resources"), mem;
		uint64_t base = 0;

		fdt_for_each_subnode(mem, t, res) {
			const fdt64_t *reg = fdt_getprop(t, mem, "reg", NULL);

			if (reg) {
				base = fdt64_ld(&reg[0]);
				break;
			}
		}
		free(t);
		f = bl_begin(&b);
		frag_begin(f, "fragment@0", "/instances/w");
		N(f, "memory-add");
		N(f, "memory@0");
		u64s(f, "reg", 2, base, 32 * MIB);
		E(f);
		E(f);
		frag_end(f);
		n = bl_end(f);
		apply(b.buf, n, &st);
		ok(!strcmp(st, "applied\n"), "instance reg of 16 bytes in a "
		   "pool chunk: applied");
		ok(contains(P("proc/iomem"), "mk-instance-1-w-region-0"),
		   "iomem: mk-instance-1-w-region-0");
	}
	/* instance-create with a 32-bit cpus list */
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/instances");
	N(f, "instance-create");
	fdt_property_string(f, "instance-name", "c32");
	N(f, "resources");
	u32s(f, "cpus", 2, 0u, 18u);	/* one u64: 18, but... */
	E(f);
	E(f);
	frag_end(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "applied\n") &&
	   exists(P("sys/fs/multikernel/instances/c32")),
	   "cpus = <0 18> is one u64 id 18: applied");
}

static void t_instance_ids(void)
{
	struct blob b;
	const char *st;
	void *f;
	size_t n;

	ok(std_baseline(), "baseline");
	ok(applied(b.buf, ov_create(&b, "a", -1, 0, 0, NULL)),
	   "create a without id");
	ok(file_is(P("sys/fs/multikernel/instances/a/id"), "1\n"),
	   "a gets id 1");
	ok(applied(b.buf, ov_create(&b, "c", 3, 0, 0, NULL)), "create c, 3");
	ok(applied(b.buf, ov_create(&b, "b", -1, 0, 0, NULL)), "create b");
	ok(file_is(P("sys/fs/multikernel/instances/b/id"), "2\n"),
	   "b gets the lowest free id, 2");
	apply(b.buf, ov_create(&b, "d", 3, 0, 0, NULL), &st);
	ok(!strcmp(st, "failed\n"), "id in use: failed");
	apply(b.buf, ov_create(&b, "z", 0, 0, 0, NULL), &st);
	ok(!strcmp(st, "failed\n"), "id 0 (the host): failed");
	ok(applied(b.buf, ov_create(&b, "top", 2047, 0, 0, NULL)),
	   "id 2047");
	/* an id that is not exactly 4 bytes is auto-assigned */
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/instances");
	N(f, "instance-create");
	fdt_property_string(f, "instance-name", "w64");
	fdt_property_u64(f, "id", 9);
	N(f, "resources");
	E(f);
	E(f);
	frag_end(f);
	n = bl_end(f);
	ok(applied(b.buf, n), "create with a u64 id");
	ok(file_is(P("sys/fs/multikernel/instances/w64/id"), "4\n"),
	   "u64 id ignored: auto-assigned 4");
	apply(b.buf, ov_create(&b, "a", -1, 0, 0, NULL), &st);
	ok(!strcmp(st, "failed\n"), "existing name: failed");
	apply(b.buf, ov_create(&b, "x/y", -1, 0, 0, NULL), &st);
	ok(!strcmp(st, "failed\n"), "name with '/': failed");
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/instances");
	N(f, "instance-create");
	fdt_property_string(f, "instance-name", "nores");
	E(f);
	frag_end(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "failed\n"), "no resources node: failed");
}

static void t_device_names(void)
{
	struct blob b;
	const char *st;
	void *f;
	size_t n;

	ok(std_baseline(), "baseline");
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/instances");
	N(f, "instance-create");
	fdt_property_string(f, "instance-name", "net");
	N(f, "resources");
	fdt_property_u64(f, "memory-bytes", 64 * MIB);
	fdt_property(f, "device-names", "eth0\0eth1", 10);
	E(f);
	E(f);
	frag_end(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "failed\n"), "device-names: failed");
	ok(!exists(P("sys/fs/multikernel/instances/net")), "no instance");
}

static void t_state_machine(void)
{
	struct blob b;
	const char *st;
	int kfd = make_elf(8 * MIB, true);
	int id;

	ok(std_instance(), "instance vm (id 1) ready");
	id = last_tx();
	ok(!strcmp(inst_status("vm"), "ready"), "status ready");
	ok(mkreboot(CMD_START, 1) == -EINVAL, "start with no image: EINVAL");
	ok(mkreboot(CMD_HALT, 1) == -EINVAL, "halt when ready: EINVAL");
	ok(unload(1) == -ENOENT, "unload with no image: ENOENT");
	ok(load(1, kfd) == 0, "load");
	ok(!strcmp(inst_status("vm"), "loaded"), "status loaded");
	ok(load(1, kfd) == -EBUSY, "load again: EBUSY");
	ok(mkreboot(CMD_HALT, 1) == -EINVAL, "halt when loaded: EINVAL");
	ok(mkreboot(CMD_FORCE, 1) == -EINVAL, "force halt when loaded: "
	   "EINVAL");
	apply(b.buf, ov_remove(&b, "vm"), &st);
	ok(!strcmp(st, "failed\n") &&
	   exists(P("sys/fs/multikernel/instances/vm")),
	   "instance-remove while loaded: failed");
	ok(rmdir(Pf("sys/fs/multikernel/overlays/tx_%d", id)) == -1 &&
	   errno == EBUSY, "rmdir of the create while loaded: EBUSY (%s)",
	   strerror(errno));
	ok(!strcmp(tx_status(id), "failed\n"), "...and its status is failed");
	ok(mkreboot(CMD_START, 1) == 0, "start");
	ok(!strcmp(inst_status("vm"), "active"), "status active");
	ok(mkreboot(CMD_START, 1) == -EBUSY, "start when active: EBUSY");
	ok(mkreboot(CMD_HALT, 1) == 0, "graceful halt");
	ok(!strcmp(inst_status("vm"), "loaded"), "status loaded again");
	ok(mkreboot(CMD_START, 1) == 0, "start again from the same load");
	ok(mkreboot(CMD_FORCE, 1) == 0, "force halt");
	ok(!strcmp(inst_status("vm"), "loaded"), "status loaded");
	ok(mkreboot(CMD_HALT, 9) == -ENOENT, "halt of unknown id: ENOENT");
	ok(mkreboot(CMD_START, 9) == -EINVAL, "start of unknown id: EINVAL");
	ok(unload(1) == 0, "unload");
	ok(!strcmp(inst_status("vm"), "ready"), "status ready");
	ok(syscall(SYS_reboot, MAGIC1, 1234, CMD_START, NULL) == -1 &&
	   errno == EINVAL, "wrong magic2: EINVAL");
	ok(syscall(SYS_reboot, MAGIC1, MAGIC2, CMD_START, NULL) == -1 &&
	   errno == EFAULT, "bad argument pointer: EFAULT");
	ok(syscall(SYS_reboot, MAGIC1, MAGIC2, 0x01234567, NULL) == -1,
	   "an ordinary restart of the simulated host is refused");
	ok(rmdir(Pf("sys/fs/multikernel/overlays/tx_%d", id)) == 0,
	   "rmdir of the create once ready");
	close(kfd);
}

static void t_unload_no_state_check(void)
{
	int kfd = make_elf(8 * MIB, true);

	ok(std_instance(), "instance vm ready");
	ok(load(1, kfd) == 0 && mkreboot(CMD_START, 1) == 0,
	   "loaded and started");
	ok(!strcmp(inst_status("vm"), "active"), "active");
	ok(unload(1) == 0, "unload of an ACTIVE instance succeeds (the "
	   "kernel does not check the state)");
	ok(!strcmp(inst_status("vm"), "ready"), "status is ready");
	close(kfd);
}

static void t_kexec_encoding(void)
{
	struct blob b;
	int kfd = make_elf(8 * MIB, true), ifd = memfd_create("initrd", 0);
	char nonul[4] = { 'a', 'b', 'c', 'd' };
	long r;

	ok(std_baseline(), "baseline");
	ok(applied(b.buf, ov_create(&b, "hi", 2047, 64 * MIB, 0, NULL)),
	   "instance with id 2047");
	ok(write(ifd, "initrd", 6) == 6, "initrd");
	r = kexec_load(kfd, ifd, "console=mktty0",
		       KEXEC_MULTIKERNEL | KEXEC_MK_ID(2047));
	ok(r == 0, "load id 2047 with an initrd (%ld)", r);
	ok(unload(2047) == 0, "unload id 2047");
	r = kexec_load(kfd, -1, "x", KEXEC_MULTIKERNEL | KEXEC_MK_ID(2047));
	ok(r == -EBADF, "no initrd without KEXEC_FILE_NO_INITRAMFS: EBADF "
	   "(%ld)", r);
	r = kexec_load(kfd, -1, NULL, KEXEC_MULTIKERNEL | KEXEC_MK_ID(2047) |
		       KEXEC_FILE_NO_INITRAMFS);
	ok(r == 0, "no initrd with KEXEC_FILE_NO_INITRAMFS and an empty "
	   "cmdline: ok");
	ok(unload(2047) == 0, "unload");
	r = kexec_load(kfd, -1, "x", KEXEC_MULTIKERNEL | KEXEC_MK_ID(2048) |
		       KEXEC_FILE_NO_INITRAMFS);
	ok(r == -EINVAL, "id 2048 masks to 0: EINVAL (%ld)", r);
	r = kexec_load(kfd, -1, "x", KEXEC_MULTIKERNEL | KEXEC_MK_ID(5) |
		       KEXEC_FILE_NO_INITRAMFS);
	ok(r == -ENOENT, "no instance 5: ENOENT (%ld)", r);
	r = syscall(SYS_kexec_file_load, kfd, -1, sizeof(nonul), nonul,
		    KEXEC_MULTIKERNEL | KEXEC_MK_ID(2047) |
		    KEXEC_FILE_NO_INITRAMFS);
	ok(r == -1 && errno == EINVAL, "cmdline without its NUL in "
	   "cmdline_len: EINVAL");
	r = kexec_load(kfd, -1, "x", KEXEC_MULTIKERNEL | KEXEC_MK_ID(2047) |
		       KEXEC_FILE_NO_INITRAMFS | 0x10000);
	ok(r == -EINVAL, "flag outside the whitelist: EINVAL");
	ok(unload(2047) == -ENOENT, "unload with nothing loaded: ENOENT");
	close(kfd);
	close(ifd);
}

static void t_kexec_elf_fit(void)
{
	struct blob b;
	int bad = make_elf(8 * MIB, false), big = make_elf(80 * MIB, true);
	int fits = make_elf(60 * MIB, true);

	ok(std_baseline(), "baseline");
	ok(applied(b.buf, ov_create(&b, "small", 1, 64 * MIB, 0, NULL)),
	   "instance with 64 MiB");
	ok(load(1, bad) == -ENOEXEC, "not an ELF: ENOEXEC");
	ok(load(1, big) == -ENOMEM, "80 MiB of segments in 64 MiB: ENOMEM");
	ok(load(1, fits) == 0, "60 MiB fits");
	ok(unload(1) == 0, "unload");
	{
		/* an image inside the sysroot itself (served by mksim) */
		char img[120];
		int fd = open(P("var/lib/vmlinux"), O_CREAT | O_RDWR, 0644);

		ok(pread(fits, img, sizeof(img), 0) == (ssize_t)sizeof(img) &&
		   fd >= 0 && write(fd, img, sizeof(img)) ==
		   (ssize_t)sizeof(img), "copy the image to var/lib/vmlinux");
		ok(load(1, fd) == 0, "load an image kept in the sysroot");
		close(fd);
	}
	ok(applied(b.buf, ov_create(&b, "nomem", 2, 0, 0, NULL)),
	   "instance without memory");
	ok(load(2, fits) == -ENOMEM, "no instance memory: ENOMEM");
	close(bad);
	close(big);
	close(fits);
}

static void t_mktty(void)
{
	int kfd = make_elf(8 * MIB, true), fd, fd2;
	char buf[8192];
	size_t got = 0;
	long r;
	struct pollfd p;

	ok(std_instance(), "instance vm");
	fd = open(P("dev/mktty"), O_RDWR | O_NONBLOCK);
	ok(fd >= 0, "open dev/mktty");
	r = read(fd, buf, sizeof(buf));
	ok(r == -1 && errno == ENOTCONN, "read before the handshake: "
	   "ENOTCONN");
	ok(write(fd, "7\n", 2) == -1 && errno == ENODEV,
	   "handshake with an unknown id: ENODEV");
	ok(write(fd, "1\n", 2) == 2, "handshake \"1\\n\" returns 2");
	r = read(fd, buf, sizeof(buf));
	ok(r == -1 && errno == EAGAIN, "nothing yet: EAGAIN");
	ok(load(1, kfd) == 0 && mkreboot(CMD_START, 1) == 0, "start vm");
	p.fd = fd;
	p.events = POLLIN;
	ok(poll(&p, 1, 2000) == 1 && (p.revents & POLLIN), "poll: POLLIN");
	while ((r = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = '\0';
	ok(strstr(buf, "Command line: console=mktty0 quiet") != NULL,
	   "boot log shows the cmdline");
	ok(strstr(buf, "APIC ids 16 18") != NULL, "boot log shows the CPUs");
	ok(strstr(buf, "Memory: 256 MiB") != NULL, "boot log shows memory");
	ok(write(fd, "hello\n", 6) == 6, "write input");
	fcntl(fd, F_SETFL, 0);	/* blocking */
	r = read(fd, buf, sizeof(buf) - 1);
	buf[r > 0 ? r : 0] = '\0';
	ok(r > 0 && strstr(buf, "hello"), "input is echoed (blocking read)");
	fd2 = open(P("dev/mktty"), O_RDWR | O_NONBLOCK);
	ok(fd2 >= 0 && write(fd2, "1", 1) == 1, "a second connection");
	ok(write(fd, "x", 1) == 1, "input on the first");
	usleep(100000);
	r = read(fd2, buf, sizeof(buf));
	ok(r == 1 && buf[0] == 'x', "output goes to the newest connection");
	close(fd2);
	close(fd);
	close(kfd);
}

static void t_faults(void)
{
	struct blob b;
	static const uint64_t c16[] = { 16 }, c18[] = { 18 };
	int kfd = make_elf(8 * MIB, true), id;
	const char *st;
	void *f;
	size_t n;
	struct timespec t0, t1;
	long r;

	fault("baseline-enomem");
	{
		static const uint64_t cpus[] = { 16 };
		static const uint64_t size[] = { 256 * MIB };
		size_t bn = baseline(&b, 1, cpus, 1, size, NULL);

		r = write_once(P("sys/fs/multikernel/device_tree"), b.buf, bn);
		ok(r == -1 && errno == ENOMEM, "baseline-enomem: ENOMEM");
	}
	fault("cpu-busy 20");
	{
		static const uint64_t cpus[] = { 16, 18, 20, 22 };
		static const uint64_t size[] = { 1024 * MIB };
		size_t bn = baseline(&b, 4, cpus, 1, size, NULL);

		r = write_once(P("sys/fs/multikernel/device_tree"), b.buf, bn);
		ok(r == -1 && errno == EBUSY, "cpu-busy 20: baseline EBUSY");
		ok(contains(P("proc/cpuinfo"), "apicid\t\t: 20\n") &&
		   !contains(P("proc/cpuinfo"), "apicid\t\t: 18\n"),
		   "CPUs before it stay in the pool");
	}
	/* the 2nd operation of the next transaction fails */
	fault("tx-op 2 ENOMEM");
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/instances");
	create_op(f, "a", 1, 64 * MIB, 1, c16);
	frag_end(f);
	frag_begin(f, "fragment@1", "/instances/a");
	cpu_item(f, "cpu-add", 18);
	frag_end(f);
	n = bl_end(f);
	id = apply(b.buf, n, &st);
	ok(!strcmp(st, "failed\n") && exists(P("sys/fs/multikernel/"
					       "instances/a")),
	   "tx-op 2: failed, operation 1 kept");
	fault("rmdir-fail EBUSY");
	ok(rmdir(Pf("sys/fs/multikernel/overlays/tx_%d", id)) == -1 &&
	   errno == EBUSY, "rmdir-fail: EBUSY");
	ok(exists(Pf("sys/fs/multikernel/overlays/tx_%d", id)) &&
	   !strcmp(tx_status(id), "failed\n"), "tx stays, status failed");
	ok(applied(b.buf, ov_create(&b, "b", 2, 64 * MIB, 1, c18)),
	   "create b");
	fault("load-enomem");
	ok(load(2, kfd) == -ENOMEM, "load-enomem: ENOMEM");
	ok(load(2, kfd) == 0, "next load works");
	ok(mkreboot(CMD_START, 2) == 0, "start b");
	fault("halt-timeout 300");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = mkreboot(CMD_HALT, 2);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ok(r == -ETIMEDOUT, "halt-timeout: ETIMEDOUT (%ld)", r);
	ok((t1.tv_sec - t0.tv_sec) * 1000 +
	   (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 290, "after the timeout");
	ok(!strcmp(inst_status("b"), "active"), "still active");
	fault("cpu-busy 18");
	ok(mkreboot(CMD_FORCE, 2) == -EBUSY, "force halt, CPU does not "
	   "park: EBUSY");
	ok(mkreboot(CMD_FORCE, 2) == 0, "force halt again works");
	close(kfd);
}

static void t_procfs(void)
{
	char *s = slurp(P("proc/cpuinfo"), NULL), *p;
	int n = 0;
	bool map = true;

	for (p = s; p && (p = strstr(p, "processor\t: ")); p++) {
		int logical = atoi(p + 12), apic;
		char *a = strstr(p, "apicid\t\t: ");

		apic = a ? atoi(a + 10) : -1;
		if (apic != 2 * logical)
			map = false;
		n++;
	}
	ok(n == 32, "32 logical CPUs online (%d)", n);
	ok(map, "APIC id = 2 x logical number");
	free(s);
	ok(file_is(P("sys/devices/system/cpu/present"), "0-31\n"),
	   "cpu/present");
	ok(file_is(P("sys/devices/system/node/online"), "0-1\n"),
	   "two NUMA nodes");
	ok(file_is(P("sys/devices/system/node/node0/cpulist"),
		   "0-7,16-23\n"), "node0 CPUs");
	ok(file_is(P("sys/devices/system/cpu/cpu0/topology/"
		     "thread_siblings_list"), "0,16\n"), "SMT siblings 0,16");
	ok(file_is(P("sys/bus/pci/devices/0000:01:00.0/vendor"), "0x8086\n"),
	   "NIC vendor");
	ok(file_is(P("sys/bus/pci/devices/0000:01:00.0/sriov_totalvfs"),
		   "8\n"), "8 VFs");
	{
		char l[256];
		ssize_t r = readlink(P("sys/bus/pci/devices/0000:01:00.0/"
				       "virtfn7"), l, sizeof(l) - 1);

		l[r > 0 ? r : 0] = '\0';
		ok(!strcmp(l, "../0000:01:02.7"), "virtfn7 -> %s", l);
	}
	ok(file_is(P("sys/bus/pci/devices/0000:02:00.0/class"),
		   "0x010802\n"), "NVMe controller");
	ok(contains(P("proc/mounts"), " multikernel "), "proc/mounts lists "
	   "the multikernel fs");
	{
		struct stat st;

		ok(stat(P("sys/fs/multikernel/device_tree"), &st) == 0 &&
		   st.st_size == 1024 * 1024, "device_tree st_size 1 MiB");
	}
	ok(open(P("sys/fs/multikernel/overlays/new"), O_RDONLY) == -1 &&
	   errno == EACCES, "overlays/new is write-only: EACCES");
	ok(std_instance(), "an instance");
	{
		struct stat st;
		size_t len;
		char *t = slurp(P("sys/fs/multikernel/instances/vm/"
				  "device_tree"), &len);

		ok(stat(P("sys/fs/multikernel/instances/vm/device_tree"),
			&st) == 0 && st.st_size == 0,
		   "instance device_tree st_size 0");
		ok(t && fdt_check_full(t, len) == 0 &&
		   fdt_path_offset(t, "/instances") < 0,
		   "instance tree: valid DTB read to EOF");
		free(t);
		t = slurp(P("sys/fs/multikernel/device_tree"), &len);
		ok(t && fdt_check_full(t, len) == 0 &&
		   fdt_path_offset(t, "/instances") < 0,
		   "pool tree: no /instances");
		free(t);
	}
	ok(!contains(P("proc/cpuinfo"), "apicid\t\t: 16\n"),
	   "pool CPUs vanish from /proc/cpuinfo");
}

static void t_writable_dirs(void)
{
	int fd, fd2;
	char buf[16];

	ok(mkdir(P("var/lib/kerf"), 0755) == 0, "mkdir var/lib/kerf");
	fd = open(P("var/lib/kerf/x.tmp"), O_CREAT | O_WRONLY | O_TRUNC,
		  0644);
	ok(fd >= 0 && write(fd, "state", 5) == 5 && fsync(fd) == 0,
	   "create + write + fsync");
	close(fd);
	ok(rename(P("var/lib/kerf/x.tmp"), P("var/lib/kerf/x.json")) == 0,
	   "rename");
	fd = open(P("var/lib/kerf/x.json"), O_RDONLY);
	ok(fd >= 0 && read(fd, buf, sizeof(buf)) == 5 &&
	   !memcmp(buf, "state", 5), "read back");
	close(fd);
	fd = open(P("run/kerf.lock"), O_CREAT | O_RDWR, 0644);
	fd2 = open(P("run/kerf.lock"), O_RDWR);
	ok(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0, "flock");
	ok(fd2 >= 0 && flock(fd2, LOCK_EX | LOCK_NB) == -1 &&
	   errno == EWOULDBLOCK, "a second flock waits");
	close(fd);
	ok(flock(fd2, LOCK_EX | LOCK_NB) == 0, "released on close");
	close(fd2);
	ok(unlink(P("var/lib/kerf/x.json")) == 0 &&
	   unlink(P("run/kerf.lock")) == 0, "unlink");
	ok(rmdir(P("var/lib/kerf")) == 0, "rmdir");
	ok(open(P("proc/newfile"), O_CREAT | O_WRONLY, 0644) == -1,
	   "no new files outside run/ and var/lib/");
}

/* Pool chunks of the pool tree: count, bases and sizes. */
static int pool_chunks(uint64_t *base, uint64_t *size, int max)
{
	size_t len;
	char *t = slurp(P("sys/fs/multikernel/device_tree"), &len);
	int res, mem, n = 0;

	if (!t || fdt_check_full(t, len)) {
		free(t);
		return -1;
	}
	res = fdt_path_offset(t, "/resources");
	fdt_for_each_subnode(mem, t, res) {
		const fdt64_t *reg = fdt_getprop(t, mem, "reg", NULL);

		if (reg && n < max) {
			base[n] = fdt64_ld(&reg[0]);
			size[n] = fdt64_ld(&reg[1]);
			n++;
		}
	}
	free(t);
	return n;
}

static int pool_cpu_count(const char *prop)
{
	size_t len;
	char *t = slurp(P("sys/fs/multikernel/device_tree"), &len);
	int l = -1;

	if (t && !fdt_check_full(t, len) &&
	    !fdt_getprop(t, fdt_path_offset(t, "/resources"), prop, &l))
		l = 0;
	free(t);
	return l / 8;
}

static void t_pool_lifecycle(void)
{
	static const uint64_t cpus[] = { 16, 18, 20, 22, 24, 26, 28, 30 };
	static const uint64_t c16[] = { 16 };
	uint64_t base[8], size[8];
	struct blob b;
	const char *st;
	void *f;
	size_t n;
	int i, nc;

	ok(pool_cpu_count("cpus") == 32 && pool_chunks(base, size, 8) == 0,
	   "before a baseline the pool tree shows the host's 32 CPUs, no "
	   "memory");
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/resources");
	cpu_item(f, "cpu-add", 16);
	frag_end(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "failed\n"), "/resources before a baseline: failed");
	ok(std_baseline(), "baseline");
	ok(pool_cpu_count("cpus") == 8 && pool_cpu_count("cpus-available")
	   == 8, "8 pool CPUs, all available");
	ok(applied(b.buf, ov_create(&b, "vm", 1, 128 * MIB, 1, c16)),
	   "create vm");
	ok(pool_cpu_count("cpus") == 8 && pool_cpu_count("cpus-available")
	   == 7, "CPUs lent to an instance stay in cpus, not in "
	   "cpus-available");
	nc = pool_chunks(base, size, 8);
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/resources");
	N(f, "memory-remove");
	N(f, "memory@0");
	u64s(f, "reg", 2, base[0], size[0]);
	E(f);
	E(f);
	frag_end(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "failed\n"), "removing a chunk in use: failed");
	ok(applied(b.buf, ov_remove(&b, "vm")), "instance-remove vm");
	ok(pool_cpu_count("cpus-available") == 8, "its CPU is free again");
	/* one fragment empties the pool: CPUs go before memory */
	f = bl_begin(&b);
	frag_begin(f, "fragment@0", "/resources");
	N(f, "memory-remove");
	for (i = 0; i < nc; i++) {
		char name[32];

		snprintf(name, sizeof(name), "memory@%d", i);
		N(f, name);
		u64s(f, "reg", 2, base[i], size[i]);
		E(f);
	}
	E(f);
	N(f, "cpu-remove");
	for (i = 0; i < 8; i++) {
		char name[32];

		snprintf(name, sizeof(name), "cpu@%d", i);
		N(f, name);
		fdt_property_u64(f, "reg", cpus[i]);
		E(f);
	}
	E(f);
	frag_end(f);
	n = bl_end(f);
	apply(b.buf, n, &st);
	ok(!strcmp(st, "applied\n"), "one /resources fragment empties the "
	   "pool (%d chunks, 8 CPUs): %s", nc, st);
	ok(pool_cpu_count("cpus") == 32 && pool_chunks(base, size, 8) == 0,
	   "the pool tree describes the host again");
	ok(!contains(P("proc/iomem"), "Multikernel Memory Pool"),
	   "no pool chunk in /proc/iomem");
	ok(std_baseline(), "a new baseline is accepted once the pool is "
	   "empty");
}

struct tcase {
	const char *name;
	void (*fn)(void);
};

static const struct tcase cases[] = {
	{ "baseline-once", t_baseline_once },
	{ "baseline-one-write", t_baseline_one_write },
	{ "baseline-no-instances", t_baseline_no_instances },
	{ "baseline-cpus-u64", t_baseline_cpus_u64 },
	{ "baseline-memory-topdown", t_baseline_memory_topdown },
	{ "baseline-legacy-refused", t_baseline_legacy_refused },
	{ "baseline-cpu0-ebusy", t_baseline_cpu0 },
	{ "overlay-size-cut", t_overlay_size_cut },
	{ "overlay-fragment-order", t_fragment_order },
	{ "overlay-op-order", t_op_order },
	{ "overlay-failed-keeps", t_failed_keeps },
	{ "tx-ids", t_tx_ids },
	{ "rmdir-reverse", t_rmdir_reverse },
	{ "property-lengths", t_prop_lengths },
	{ "instance-ids", t_instance_ids },
	{ "device-names-refused", t_device_names },
	{ "state-machine", t_state_machine },
	{ "unload-no-state-check", t_unload_no_state_check },
	{ "kexec-encoding", t_kexec_encoding },
	{ "kexec-elf-fit", t_kexec_elf_fit },
	{ "mktty", t_mktty },
	{ "faults", t_faults },
	{ "procfs", t_procfs },
	{ "writable-dirs", t_writable_dirs },
	{ "pool-lifecycle", t_pool_lifecycle },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			puts(cases[i].name);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: %s CASE ROOT | --list\n", argv[0]);
		return 2;
	}
	root = argv[2];
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!strcmp(cases[i].name, argv[1]))
			break;
	if (i == sizeof(cases) / sizeof(cases[0])) {
		fprintf(stderr, "unknown case %s\n", argv[1]);
		return 2;
	}
	cases[i].fn();
	printf("1..%d\n", ntest);
	return nfail ? 1 : 0;
}
