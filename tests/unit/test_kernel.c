// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the kernel port against fake sysroot directories: iomem,
 * cpuinfo, the CPU map, mounts, images (built and compressed here with the
 * libraries themselves), errno translation, the lock, transactions and the
 * load records.  The overlay semantics of a real kernel are tested with
 * mksim in tests/kernel/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <bzlib.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libfdt.h>
#include <lz4.h>
#include <lzma.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "kernel/cpumap.h"
#include "kernel/image.h"
#include "kernel/lock.h"
#include "kernel/mkfs.h"
#include "kernel/records.h"
#include "kernel/sha256.h"
#include "kernel/syscalls.h"
#include "kernel/sysroot.h"
#include "kernel/txn.h"
#include "kernel/uapi.h"
#include "util/diag.h"
#include "util/util.h"

/* ---- helpers ------------------------------------------------------------- */

static char *make_root(void)
{
	char tmpl[] = "/tmp/kerf-test-kernel-XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_root(char *root)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(root);
}

/* Write a file under root, creating its directories. */
static void put(const char *root, const char *rel, const void *data,
		size_t len)
{
	struct kport kp;
	char *dir = xstrdup(rel), *slash = strrchr(dir, '/'), *path;

	kport_init(&kp, root, false);
	if (slash) {
		*slash = '\0';
		assert_int_equal(kp_mkdirs(&kp, dir), 0);
	}
	free(dir);
	path = kp_path(&kp, rel);
	assert_int_equal(write_file(path, data, len), 0);
	free(path);
}

static void puts_(const char *root, const char *rel, const char *s)
{
	put(root, rel, s, strlen(s));
}

static bool diags_mention(const struct diags *d, const char *needle)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strstr(d->v[i].msg, needle) ||
		    (d->v[i].hint && strstr(d->v[i].hint, needle)))
			return true;
	return false;
}

/* A small valid DTB with one property. */
static void *make_dtb(size_t *len, const char *prop, size_t pad)
{
	size_t cap = 512 + pad;
	void *buf = xzalloc(cap);
	char *filler = xzalloc(pad + 1);

	memset(filler, 'x', pad);
	assert_int_equal(fdt_create(buf, (int)cap), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	assert_int_equal(fdt_begin_node(buf, ""), 0);
	assert_int_equal(fdt_property_string(buf, "compatible", prop), 0);
	if (pad)
		assert_int_equal(fdt_property_string(buf, "pad", filler), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_finish(buf), 0);
	*len = fdt_totalsize(buf);
	free(filler);
	return buf;
}

/* ---- /proc/iomem --------------------------------------------------------- */

static const char iomem_text[] =
	"00000000-00000fff : Reserved\n"
	"00001000-0009fbff : System RAM\n"
	"00100000-bffdffff : System RAM\n"
	"  01000000-01ffffff : Kernel code\n"
	"100000000-13fffffff : System RAM\n"
	"  100000000-11fffffff : Multikernel Memory Pool\n"
	"    100000000-10fffffff : mk-instance-1-web-server-region-0\n"
	"    110000000-110ffffff : mk-instance-2-db-region-region-3\n"
	"  120000000-12fffffff : Multikernel Memory Pool   \n"
	"    120000000-1200fffff : mk-instance-2-db-region-region-4\n"
	"garbage line without colon\n"
	"zz-yy : Multikernel Memory Pool\n"
	"2000-1000 : Multikernel Memory Pool\n"
	"  130000000-130000fff : mk-instance-x-bad-region-0\n"
	"  130000000-130000fff : mk-instance-3-region-0\n"
	"  130000000-130000fff : mk-instance-3-lost-region-1\n"
	"ffffffffffffffffff-0 : Multikernel Memory Pool\n";

static void test_iomem_parse(void **state)
{
	struct mk_iomem io;

	iomem_parse(iomem_text, sizeof(iomem_text) - 1, &io);
	assert_int_equal(io.nchunks, 2);
	assert_true(io.chunks[0].start == 0x100000000ULL);
	assert_true(io.chunks[0].end == 0x11fffffffULL);
	assert_true(io.chunks[1].start == 0x120000000ULL);
	assert_int_equal(io.nregions, 4);
	assert_int_equal(io.regions[0].id, 1);
	assert_string_equal(io.regions[0].name, "web-server");
	assert_int_equal(io.regions[0].index, 0);
	assert_int_equal(io.regions[0].chunk, 0);
	assert_string_equal(io.regions[1].name, "db-region");
	assert_int_equal(io.regions[1].index, 3);
	assert_int_equal(io.regions[2].chunk, 1);
	assert_string_equal(io.regions[3].name, "lost");
	assert_int_equal(io.regions[3].chunk, -1);
	assert_false(io.zeroed);
	mk_iomem_free(&io);

	/* Unprivileged readers see zeros. */
	static const char zero[] =
		"00000000-00000000 : Multikernel Memory Pool\n"
		"  00000000-00000000 : mk-instance-1-a-region-0\n";
	iomem_parse(zero, sizeof(zero) - 1, &io);
	assert_true(io.zeroed);
	mk_iomem_free(&io);

	iomem_parse("", 0, &io);
	assert_int_equal(io.nchunks, 0);
	assert_false(io.zeroed);
	mk_iomem_free(&io);
}

static void test_iomem_region_name(void **state)
{
	char *name;
	int id, idx;

	assert_true(iomem_region_name("mk-instance-12-a-b-region-7", &id,
				      &name, &idx));
	assert_int_equal(id, 12);
	assert_int_equal(idx, 7);
	assert_string_equal(name, "a-b");
	free(name);
	assert_false(iomem_region_name("mk-instance-1-region-0", &id, &name,
				       &idx));
	assert_false(iomem_region_name("mk-instance--a-region-0", &id, &name,
				       &idx));
	assert_false(iomem_region_name("mk-instance-1-a-region-", &id, &name,
				       &idx));
	assert_false(iomem_region_name("mk-instance-1-a-region-1x", &id,
				       &name, &idx));
	assert_false(iomem_region_name("mk-instance-99999999999-a-region-1",
				       &id, &name, &idx));
	assert_false(iomem_region_name("System RAM", &id, &name, &idx));
}

/* Arbitrary bytes never crash the parsers. */
static void test_parsers_garbage(void **state)
{
	unsigned int seed = 1;
	char buf[512];
	int round;

	for (round = 0; round < 2000; round++) {
		struct mk_iomem io;
		struct cpumap m;
		struct diags d;
		size_t i, len = (size_t)(rand_r(&seed) % sizeof(buf)), miss;

		for (i = 0; i < len; i++) {
			static const char alpha[] = "0123456789abcdef- :\n"
				"Multikernel Memory Pool mk-instance-region"
				"processorapicid\t";
			buf[i] = rand_r(&seed) % 7 ?
				alpha[rand_r(&seed) % (sizeof(alpha) - 1)] :
				(char)rand_r(&seed);
		}
		iomem_parse(buf, len, &io);
		mk_iomem_free(&io);
		diags_init(&d);
		cpumap_init(&m);
		cpumap_parse_cpuinfo(buf, len, &m, &miss, &d);
		cpumap_free(&m);
		cpumap_parse_saved(buf, len, &m, &d);
		cpumap_free(&m);
		mounts_has_mkfs(buf, len, "/sys/fs/multikernel");
		diags_free(&d);
	}
}

/* ---- cpuinfo and the CPU map --------------------------------------------- */

static const char cpuinfo_text[] =
	"processor\t: 0\nvendor_id\t: GenuineIntel\napicid\t\t: 0\n"
	"initial apicid\t: 0\n\n"
	"processor\t: 1\napicid\t\t: 2\n\n"
	"processor\t: 2\napicid\t\t: 4\n\n"
	"processor\t: 3\napicid\t\t: 6\n";

static void test_cpuinfo_parse(void **state)
{
	struct cpumap m;
	struct diags d;
	uint64_t ph;
	uint32_t l;
	size_t miss;

	diags_init(&d);
	cpumap_init(&m);
	assert_int_equal(cpumap_parse_cpuinfo(cpuinfo_text,
					      sizeof(cpuinfo_text) - 1, &m,
					      &miss, &d), 0);
	assert_int_equal(m.n, 4);
	assert_int_equal(miss, 0);
	assert_int_equal(cpumap_phys(&m, 3, &ph), 0);
	assert_true(ph == 6);
	assert_int_equal(cpumap_logical(&m, 4, &l), 0);
	assert_int_equal(l, 2);
	assert_int_equal(cpumap_phys(&m, 4, &ph), -ENOENT);
	assert_int_equal(m.source, CPUMAP_CPUINFO);

	/* No apicid (arm64, some VMs): counted, not invented. */
	static const char noapic[] = "processor : 0\nBogoMIPS : 50\n\n"
				     "processor : 1\n";
	assert_int_equal(cpumap_parse_cpuinfo(noapic, sizeof(noapic) - 1,
					      &m, &miss, &d), 0);
	assert_int_equal(m.n, 0);
	assert_int_equal(miss, 2);

	/* Two processors with one apicid: contradictory. */
	static const char dup[] = "processor : 0\napicid : 4\n"
				  "processor : 1\napicid : 4\n";
	assert_int_equal(cpumap_parse_cpuinfo(dup, sizeof(dup) - 1, &m,
					      &miss, &d), -EINVAL);
	assert_int_equal(d.errors, 1);
	cpumap_free(&m);
	diags_free(&d);
}

static void test_cpumap_save_load(void **state)
{
	char *root = make_root();
	struct cpumap m, m2;
	struct kport kp;
	struct diags d;
	uint64_t ph;
	const uint64_t ids[] = { 0, 2, 4, 6 };
	const uint64_t dupids[] = { 0, 2, 2 };

	kport_init(&kp, root, false);
	diags_init(&d);
	cpumap_init(&m);
	cpumap_init(&m2);

	/* Nothing saved, no cpuinfo: an error that names the file. */
	assert_int_not_equal(cpumap_resolve(&kp, NULL, 0, &m, &d), 0);
	assert_true(diags_mention(&d, "cpuinfo"));
	diags_free(&d);

	/* First run: from cpuinfo, saved at once. */
	puts_(root, KP_CPUINFO, cpuinfo_text);
	assert_int_equal(cpumap_resolve(&kp, NULL, 0, &m, &d), 0);
	assert_int_equal(m.n, 4);
	assert_int_equal(cpumap_load_saved(&kp, &m2, &d), 0);
	assert_int_equal(m2.n, 4);
	assert_int_equal(m2.source, CPUMAP_SAVED);
	assert_int_equal(cpumap_phys(&m2, 2, &ph), 0);
	assert_true(ph == 4);

	/* CPUs 2 and 3 went to the pool: the saved map still knows them. */
	puts_(root, KP_CPUINFO, "processor : 0\napicid : 0\n"
				"processor : 1\napicid : 2\n"
				"processor : 4\napicid : 8\n");
	assert_int_equal(cpumap_resolve(&kp, NULL, 0, &m, &d), 0);
	assert_int_equal(m.n, 5);	/* 4 was hot-added and saved */
	assert_int_equal(cpumap_phys(&m, 3, &ph), 0);
	assert_true(ph == 6);
	assert_int_equal(cpumap_load_saved(&kp, &m2, &d), 0);
	assert_int_equal(m2.n, 5);

	/* The baseline's physical-ids win. */
	assert_int_equal(cpumap_resolve(&kp, ids, 4, &m, &d), 0);
	assert_int_equal(m.source, CPUMAP_BASELINE);
	assert_int_equal(cpumap_resolve(&kp, dupids, 3, &m, &d), -EINVAL);

	/* A corrupt saved map is an error, not a silent rebuild. */
	diags_free(&d);
	puts_(root, KP_CPUMAP, "# x\n0 0\n1 zz\n");
	assert_int_equal(cpumap_resolve(&kp, NULL, 0, &m, &d), -EINVAL);
	assert_true(diags_mention(&d, "corrupt"));

	cpumap_free(&m);
	cpumap_free(&m2);
	diags_free(&d);
	rm_root(root);
}

/* ---- mounting ------------------------------------------------------------ */

static void test_mounts(void **state)
{
	static const char mounts[] =
		"sysfs /sys sysfs rw 0 0\n"
		"none /sys/fs/multikernel multikernel rw,relatime 0 0\n";
	static const char esc[] =
		"none /tmp/a\\040b/sys/fs/multikernel multikernel rw 0 0\n";
	char *root = make_root();
	struct kport kp;
	struct diags d;
	bool mounted;

	assert_true(mounts_has_mkfs(mounts, sizeof(mounts) - 1,
				    "/sys/fs/multikernel"));
	assert_false(mounts_has_mkfs(mounts, sizeof(mounts) - 1, "/sys"));
	assert_true(mounts_has_mkfs(esc, sizeof(esc) - 1,
				    "/tmp/a b/sys/fs/multikernel"));

	kport_init(&kp, root, false);
	diags_init(&d);
	/* No directory: the kernel lacks the feature (exit 4). */
	assert_int_equal(mkfs_present(&kp, &d), -ENODEV);
	assert_int_equal(mkfs_mount(&kp, &d), -ENODEV);
	diags_free(&d);
	puts_(root, KP_MOUNTS, "sysfs /sys sysfs rw 0 0\n");
	assert_int_equal(kp_mkdirs(&kp, KP_MKFS), 0);
	assert_int_equal(mkfs_is_mounted(&kp, &mounted, &d), 0);
	assert_false(mounted);
	/* present but not mounted: every command mounts it, like init (a
	 * test runs unprivileged, without the file system type: refused) */
	assert_int_not_equal(mkfs_require(&kp, &d), 0);
	assert_true(diags_mention(&d, "file system"));
	diags_free(&d);
	puts_(root, KP_MOUNTS, mounts);
	assert_int_equal(mkfs_require(&kp, &d), 0);
	assert_int_equal(mkfs_mount(&kp, &d), 0);	/* already mounted */
	diags_free(&d);
	rm_root(root);
}

/* ---- reading the kernel's state ------------------------------------------ */

static void test_instances(void **state)
{
	char *root = make_root();
	struct mkfs_instances l;
	struct mkfs_instance in;
	struct kport kp;
	struct diags d;
	enum mk_status st;
	void *dtb;
	size_t len;

	kport_init(&kp, root, false);
	diags_init(&d);
	dtb = make_dtb(&len, "multikernel-v1", 0);
	put(root, KP_MKFS_TREE, dtb, len);
	puts_(root, KP_MKFS_INSTANCES "/web/id", "3\n");
	puts_(root, KP_MKFS_INSTANCES "/web/status", "loaded\n");
	put(root, KP_MKFS_INSTANCES "/web/device_tree", dtb, len);
	puts_(root, KP_MKFS_INSTANCES "/db/id", "1\n");
	puts_(root, KP_MKFS_INSTANCES "/db/status", "ready\n");
	put(root, KP_MKFS_INSTANCES "/db/device_tree", dtb, len);

	assert_int_equal(mkfs_list_instances(&kp, true, &l, &d), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "db");	/* sorted by id */
	assert_int_equal(l.v[1].id, 3);
	assert_int_equal(l.v[1].status, MK_STATUS_LOADED);
	assert_int_equal(l.v[1].dtb_len, len);
	assert_int_equal(mkfs_instances_find(&l, "web"), 1);
	assert_int_equal(mkfs_instances_find_id(&l, 1), 0);
	assert_int_equal(mkfs_instances_find_id(&l, 2), -1);
	mkfs_instances_free(&l);

	assert_int_equal(mkfs_read_status(&kp, "db", &st, &d), 0);
	assert_int_equal(st, MK_STATUS_READY);
	assert_int_equal(mkfs_read_instance(&kp, "nope", false, &in, &d),
			 -ENOENT);
	assert_true(diags_mention(&d, "no instance named 'nope'"));
	assert_int_equal(mkfs_read_instance(&kp, "../x", false, &in, &d),
			 -EINVAL);
	diags_free(&d);

	/* The pool tree, and a corrupt instance tree. */
	free(dtb);
	assert_int_equal(mkfs_read_pool(&kp, &dtb, &len, &d), 0);
	free(dtb);
	put(root, KP_MKFS_INSTANCES "/db/device_tree", "\xd0\x0d\xfe\xed junk",
	    10);
	assert_int_equal(mkfs_list_instances(&kp, true, &l, &d), -EBADMSG);
	assert_int_equal(l.n, 0);
	assert_true(diags_mention(&d, "not a"));
	diags_free(&d);
	/* A malformed id file. */
	puts_(root, KP_MKFS_INSTANCES "/db/id", "one\n");
	assert_int_not_equal(mkfs_list_instances(&kp, false, &l, &d), 0);
	diags_free(&d);
	rm_root(root);
}

static void test_write_baseline(void **state)
{
	char *root = make_root(), *data;
	struct kport kp;
	struct diags d;
	void *dtb;
	size_t len, rlen;

	kport_init(&kp, root, false);
	diags_init(&d);
	dtb = make_dtb(&len, "linux,multikernel-host", 0);
	puts_(root, KP_MKFS_TREE, "");
	assert_int_equal(mkfs_write_baseline(&kp, dtb, len, &d), 0);
	assert_int_equal(kp_read(&kp, KP_MKFS_TREE, &data, &rlen), 0);
	assert_int_equal(rlen, len);
	assert_memory_equal(data, dtb, len);
	free(data);
	/* Corrupt, short and oversized blobs never reach the kernel. */
	assert_int_equal(mkfs_write_baseline(&kp, dtb, len - 1, &d), -EINVAL);
	((uint8_t *)dtb)[0] = 0;
	assert_int_equal(mkfs_write_baseline(&kp, dtb, len, &d), -EINVAL);
	assert_int_equal(mkfs_write_baseline(&kp, dtb, MK_BASELINE_MAX + 1,
					     &d), -E2BIG);
	free(dtb);
	diags_free(&d);
	rm_root(root);
}

/* ---- transactions (directory semantics only) ----------------------------- */

static void test_txn_names(void **state)
{
	unsigned int id;

	assert_true(txn_name_parse("tx_2", &id));
	assert_int_equal(id, 2);
	assert_true(txn_name_parse("tx_101", &id));
	assert_false(txn_name_parse("tx_", &id));
	assert_false(txn_name_parse("tx_0", &id));
	assert_false(txn_name_parse("tx_01", &id));
	assert_false(txn_name_parse("tx_1a", &id));
	assert_false(txn_name_parse("new", &id));
	assert_false(txn_name_parse("tx_99999999999", &id));
	assert_int_equal(txn_status_parse("applied"), TXN_APPLIED);
	assert_int_equal(txn_status_parse("bogus"), TXN_UNKNOWN);
}

static void test_txn_dir(void **state)
{
	char *root = make_root();
	const unsigned int both[] = { 5, 6 };
	unsigned int *ids, out[2];
	struct txn_info ti;
	struct txn_blob b;
	struct kerf_lock lk = { -1, NULL };
	struct kport kp;
	struct diags d;
	size_t n, len;
	void *dtb;

	kport_init(&kp, root, false);
	diags_init(&d);
	puts_(root, KP_MKFS_NEW, "");
	puts_(root, KP_MKFS_OVERLAYS "/tx_10/status", "failed\n");
	puts_(root, KP_MKFS_OVERLAYS "/tx_10/instance", "/instances\n");
	puts_(root, KP_MKFS_OVERLAYS "/tx_9/status", "applied\n");
	assert_int_equal(txn_list(&kp, &ids, &n, &d), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 9);
	assert_int_equal(ids[1], 10);
	free(ids);
	assert_int_equal(txn_read(&kp, 10, &ti, &d), 0);
	assert_int_equal(ti.status, TXN_FAILED);
	assert_string_equal(ti.instance, "/instances");
	assert_null(ti.resources);
	txn_info_free(&ti);

	/* Rollback removes newest first and reports what it cannot undo. */
	assert_int_equal(kp_mkdirs(&kp, KP_MKFS_OVERLAYS "/tx_5"), 0);
	puts_(root, KP_MKFS_OVERLAYS "/tx_6/status", "applied\n");
	assert_int_not_equal(txn_rollback(&kp, both, 2, &d), 0);
	assert_true(diags_mention(&d, "could not roll back transaction "
				  "tx_6"));
	assert_true(diags_mention(&d, "rolled back transaction tx_5"));
	assert_int_equal(d.errors, 1);
	diags_free(&d);

	/* Validation before anything is written. */
	dtb = make_dtb(&len, "linux,multikernel-overlay", 0);
	assert_int_equal(txn_validate(dtb, len, &d), 0);
	free(dtb);
	dtb = make_dtb(&len, "linux,multikernel-overlay", 5000);
	assert_int_equal(txn_validate(dtb, len, &d), -E2BIG);
	b.dtbo = dtb;
	b.len = len;
	b.what = "create instance 'big'";
	/* No lock, no transaction. */
	assert_int_equal(txn_apply(&kp, &lk, &b, 1, out, &d), -EDEADLK);
	assert_int_equal(kerf_lock_acquire(&kp, &lk, 1000, &d), 0);
	assert_int_equal(txn_apply(&kp, &lk, &b, 1, out, &d), -E2BIG);
	free(dtb);
	diags_free(&d);

	/* A plain file takes the write but no transaction appears. */
	dtb = make_dtb(&len, "linux,multikernel-overlay", 0);
	b.dtbo = dtb;
	b.len = len;
	assert_int_equal(txn_apply(&kp, &lk, &b, 1, out, &d), -EIO);
	assert_true(diags_mention(&d, "no new transaction"));
	kerf_lock_release(&kp, &lk);
	free(dtb);
	diags_free(&d);
	rm_root(root);
}

/*
 * A stand-in kernel behind a FIFO at overlays/new: for each blob it reads,
 * it creates tx_<N> (N from 2, like the kernel) with the next status of
 * the script, atomically (built aside, then renamed).
 */
static void fake_kernel(const char *root, const char *const *script)
{
	unsigned int next = 2;
	struct kport kp;
	char *new_path;

	alarm(10);	/* never outlive a failed test */
	kport_init(&kp, root, false);
	new_path = kp_path(&kp, KP_MKFS_NEW);
	for (; *script; script++, next++) {
		char *blob, *tmp, *dst;
		size_t len;
		int fd = open(new_path, O_RDONLY);

		if (fd < 0 || read_fd(fd, &blob, &len))
			_exit(1);
		close(fd);
		tmp = xasprintf(KP_MKFS_OVERLAYS "/.tmp%u", next);
		dst = kp_pathf(&kp, KP_MKFS_OVERLAYS "/tx_%u", next);
		{
			char *st = xasprintf("%s/status", tmp);
			char *ins = xasprintf("%s/instance", tmp);
			char *dt = xasprintf("%s/dtbo", tmp);
			char *line = xasprintf("%s\n", *script);

			put(root, st, line, strlen(line));
			put(root, ins, "/instances\n", 11);
			put(root, dt, blob, len);
			free(st);
			free(ins);
			free(dt);
			free(line);
		}
		{
			char *src = kp_path(&kp, tmp);

			if (rename(src, dst))
				_exit(1);
			free(src);
		}
		free(tmp);
		free(dst);
		free(blob);
	}
	free(new_path);
	_exit(0);
}

static pid_t start_fake_kernel(const char *root, const char *const *script)
{
	struct kport kp;
	char *path;
	pid_t pid;

	kport_init(&kp, root, false);
	assert_int_equal(kp_mkdirs(&kp, KP_MKFS_OVERLAYS), 0);
	path = kp_path(&kp, KP_MKFS_NEW);
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	free(path);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		fake_kernel(root, script);
	return pid;
}

static void test_txn_fake_kernel(void **state)
{
	static const char *const ok[] = { "applied", "applied", NULL };
	static const char *const bad[] = { "applied", "failed", NULL };
	char *root = make_root();
	struct kerf_lock lk;
	struct txn_blob b[2];
	unsigned int ids[2];
	struct kport kp;
	struct diags d;
	void *dtb1, *dtb2;
	size_t len1, len2;
	int status;
	pid_t pid;

	kport_init(&kp, root, false);
	diags_init(&d);
	dtb1 = make_dtb(&len1, "first", 0);
	dtb2 = make_dtb(&len2, "second", 0);
	b[0] = (struct txn_blob){ dtb1, len1, "create instance 'web'" };
	b[1] = (struct txn_blob){ dtb2, len2, "give 'web' its memory" };
	assert_int_equal(kerf_lock_acquire(&kp, &lk, 1000, &d), 0);

	/* Both applied: the kernel's ids come back, in order. */
	pid = start_fake_kernel(root, ok);
	assert_int_equal(txn_apply(&kp, &lk, b, 2, ids, &d), 0);
	assert_int_equal(ids[0], 2);
	assert_int_equal(ids[1], 3);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	assert_int_equal(d.n, 0);

	/*
	 * The second fails.  This kernel cannot rmdir (the directories are
	 * not empty), so both removals fail and both are reported.
	 */
	rm_root(root);
	root = make_root();
	kport_init(&kp, root, false);
	kerf_lock_release(&kp, &lk);
	assert_int_equal(kerf_lock_acquire(&kp, &lk, 1000, &d), 0);
	pid = start_fake_kernel(root, bad);
	assert_int_equal(txn_apply(&kp, &lk, b, 2, ids, &d), -EPROTO);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(diags_mention(&d, "did not apply transaction tx_3 (give "
				  "'web' its memory, target /instances): "
				  "status 'failed'"));
	assert_true(diags_mention(&d, "dmesg"));
	assert_true(diags_mention(&d, "could not roll back transaction "
				  "tx_3"));
	assert_true(diags_mention(&d, "rolling back the 1 earlier"));
	assert_true(diags_mention(&d, "could not roll back transaction "
				  "tx_2"));
	assert_int_equal(d.errors, 3);
	kerf_lock_release(&kp, &lk);
	free(dtb1);
	free(dtb2);
	diags_free(&d);
	rm_root(root);
}

/* ---- the lock ------------------------------------------------------------ */

static void test_lock_timeout(void **state)
{
	char *root = make_root(), *pidstr;
	struct kerf_lock lk;
	struct kport kp;
	struct diags d;
	int p[2], status;
	pid_t child;
	char c;

	kport_init(&kp, root, false);
	diags_init(&d);
	assert_int_equal(pipe(p), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct kerf_lock hl;

		close(p[0]);
		if (kerf_lock_acquire(&kp, &hl, 1000, NULL))
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	assert_int_equal(kerf_lock_acquire(&kp, &lk, 200, &d), -EWOULDBLOCK);
	pidstr = xasprintf("locked by pid %ld", (long)child);
	assert_true(diags_mention(&d, pidstr));
	free(pidstr);
	assert_int_equal(kerf_lock_holder(&kp), child);
	diags_free(&d);

	/* A dead holder releases the lock. */
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	assert_int_equal(kerf_lock_acquire(&kp, &lk, 1000, &d), 0);
	assert_int_equal(kerf_lock_holder(&kp), getpid());
	kerf_lock_release(&kp, &lk);
	kerf_lock_release(&kp, &lk);	/* idempotent */
	assert_int_equal(d.n, 0);
	rm_root(root);
}

/* ---- syscalls: flags and errno translation ------------------------------- */

static void test_flags(void **state)
{
	assert_true(mk_kexec_flags(1, false, true) == 0x34);
	assert_true(mk_kexec_flags(2, false, false) == 0x50);
	assert_true(mk_kexec_flags(3, true, false) == (0x10 | 0x60 | 0x1));
	assert_true(mk_kexec_flags(2047, false, false) == (0x10 | 0xffe0));
	assert_true(mk_kexec_flags(2048, false, false) == 0x10);
	assert_true(MK_KEXEC_ID(5) == (5 << 5));
	assert_int_equal(mk_reboot_cmd(MK_OP_START), 0x4d4b4c49);
	assert_int_equal(mk_reboot_cmd(MK_OP_HALT), 0x4d4b4c48);
	assert_int_equal(mk_reboot_cmd(MK_OP_HALT_FORCE), 0x4d4b4c46);
	assert_int_equal(mk_reboot_cmd(MK_OP_LOAD), 0);
	assert_int_equal(sizeof(struct mk_boot_args), sizeof(int));
}

static void test_errno_translation(void **state)
{
	struct mk_target t = { "web", 1 };
	struct mk_load_args a = {
		.kernel_fd = -1, .initrd_fd = -1,
		.image_bytes = 48ULL << 20, .initrd_bytes = 16ULL << 20,
		.instance_bytes = 32ULL << 20,
	};
	struct kport kp;
	struct diags d;

	diags_init(&d);
	mk_explain_errno(MK_OP_LOAD, ENOMEM, &t, &a, &d);
	assert_true(diags_mention(&d, "64 MiB"));
	assert_true(diags_mention(&d, "32 MiB"));
	assert_true(diags_mention(&d, "instance 'web' (id 1)"));
	mk_explain_errno(MK_OP_LOAD, EBUSY, &t, &a, &d);
	assert_true(diags_mention(&d, "already has a kernel loaded"));
	mk_explain_errno(MK_OP_LOAD, -ENOENT, &t, &a, &d);
	assert_true(diags_mention(&d, "no instance with id 1"));
	mk_explain_errno(MK_OP_LOAD, EPERM, &t, &a, &d);
	assert_true(diags_mention(&d, "root"));
	assert_true(diags_mention(&d, "lock"));
	mk_explain_errno(MK_OP_UNLOAD, ENOENT, &t, NULL, &d);
	assert_true(diags_mention(&d, "no image loaded"));
	mk_explain_errno(MK_OP_START, EINVAL, &t, NULL, &d);
	assert_true(diags_mention(&d, "no kernel image is loaded"));
	mk_explain_errno(MK_OP_HALT, ETIMEDOUT, &t, NULL, &d);
	assert_true(diags_mention(&d, "--force"));
	mk_explain_errno(MK_OP_HALT_FORCE, EINVAL, &t, NULL, &d);
	mk_explain_errno(MK_OP_START, 9999, &t, NULL, &d);
	assert_int_equal(d.errors, 9);
	diags_free(&d);

	/* Ids the flags word cannot carry never reach the kernel. */
	kport_init(&kp, "/", false);
	t.id = 4096;
	assert_int_equal(mk_kexec_unload(&kp, &t, &d), -ERANGE);
	assert_int_equal(mk_reboot(&kp, &t, MK_OP_START, &d), -ERANGE);
	t.id = 0;
	assert_int_equal(mk_kexec_load(&kp, &t, &a, &d), -ERANGE);
	diags_free(&d);
}

/* ---- images -------------------------------------------------------------- */

/* A tiny x86-64 ELF executable with one PT_LOAD of memsz bss. */
static uint8_t *make_elf(size_t *len, uint64_t memsz, size_t trailer)
{
	size_t body = 256, total = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) +
				   body;
	uint8_t *p = xzalloc(total + trailer);
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	size_t i;

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = 0x1000000;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = 1;
	memset(&ph, 0, sizeof(ph));
	ph.p_type = PT_LOAD;
	ph.p_offset = sizeof(eh) + sizeof(ph);
	ph.p_vaddr = ph.p_paddr = 0x1000000;
	ph.p_filesz = body;
	ph.p_memsz = memsz;
	memcpy(p, &eh, sizeof(eh));
	memcpy(p + sizeof(eh), &ph, sizeof(ph));
	for (i = 0; i < body; i++)
		p[sizeof(eh) + sizeof(ph) + i] = (uint8_t)(i * 7);
	/* What the kernel build appends: relocations, to be trimmed. */
	for (i = 0; i < trailer; i++)
		p[total + i] = 0xee;
	*len = total + trailer;
	return p;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Compress as the kernel build does, with the size appended. */
static uint8_t *kcompress(enum kcomp c, const uint8_t *in, size_t len,
			 size_t *outlen)
{
	size_t cap = len * 2 + 4096, n = 0;
	uint8_t *out = xzalloc(cap);

	switch (c) {
	case KCOMP_GZIP: {
		z_stream s;

		memset(&s, 0, sizeof(s));
		assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, 31, 8,
					      Z_DEFAULT_STRATEGY), Z_OK);
		s.next_in = (Bytef *)(uintptr_t)in;
		s.avail_in = (uInt)len;
		s.next_out = out;
		s.avail_out = (uInt)cap;
		assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
		n = s.total_out;
		deflateEnd(&s);
		break;
	}
	case KCOMP_XZ:
		assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32,
							 NULL, in, len, out,
							 &n, cap), LZMA_OK);
		break;
	case KCOMP_LZMA: {
		lzma_stream s = LZMA_STREAM_INIT;
		lzma_options_lzma opt;

		lzma_lzma_preset(&opt, 6);
		assert_int_equal(lzma_alone_encoder(&s, &opt), LZMA_OK);
		s.next_in = in;
		s.avail_in = len;
		s.next_out = out;
		s.avail_out = cap;
		assert_int_equal(lzma_code(&s, LZMA_FINISH), LZMA_STREAM_END);
		n = s.total_out;
		lzma_end(&s);
		break;
	}
	case KCOMP_BZIP2: {
		unsigned int bn = (unsigned int)cap;

		assert_int_equal(BZ2_bzBuffToBuffCompress((char *)out, &bn,
							  (char *)(uintptr_t)in,
							  (unsigned int)len, 9,
							  0, 0), BZ_OK);
		n = bn;
		break;
	}
	case KCOMP_ZSTD:
		n = ZSTD_compress(out, cap, in, len, 19);
		assert_false(ZSTD_isError(n));
		break;
	case KCOMP_LZ4: {
		int k;

		put_le32(out, 0x184c2102);
		k = LZ4_compress_default((const char *)in, (char *)out + 8,
					 (int)len, (int)cap - 8);
		assert_true(k > 0);
		put_le32(out + 4, (uint32_t)k);
		n = 8 + (size_t)k;
		break;
	}
	default:
		fail();
	}
	put_le32(out + n, (uint32_t)len);
	*outlen = n + 4;
	return out;
}

/* A bzImage: boot sector + setup + a stub, then the payload. */
static uint8_t *make_bzimage(const uint8_t *payload, size_t plen,
			     unsigned int setup_sects, size_t *len)
{
	unsigned int sects = setup_sects ? setup_sects : 4;
	size_t pm = (sects + 1) * 512, stub = 0x300;
	uint8_t *p = xzalloc(pm + stub + plen + 64);

	p[0x1f1] = (uint8_t)setup_sects;
	p[0x1fe] = 0x55;
	p[0x1ff] = 0xaa;
	memcpy(p + 0x202, "HdrS", 4);
	p[0x206] = 0x0f;
	p[0x207] = 0x02;
	put_le32(p + 0x248, (uint32_t)stub);
	put_le32(p + 0x24c, (uint32_t)plen);
	/* The decompressor stub: bytes that look like nothing. */
	memset(p + pm, 0x90, stub);
	memcpy(p + pm + stub, payload, plen);
	memset(p + pm + stub + plen, 0xcc, 64);	/* trailing junk */
	*len = pm + stub + plen + 64;
	return p;
}

static void check_memfd_elf(const struct kimage *img, const uint8_t *elf,
			    size_t elflen)
{
	char *data;
	size_t len;

	assert_true(img->fd >= 0);
	assert_int_equal(read_fd(img->fd, &data, &len), 0);
	assert_int_equal(len, elflen);
	assert_memory_equal(data, elf, elflen);
	free(data);
}

static void test_elf_inspect(void **state)
{
	struct elf_info ei;
	char err[160];
	uint8_t *elf;
	size_t len;
	Elf64_Phdr ph;

	elf = make_elf(&len, 0x200000, 0);
	assert_int_equal(elf_inspect(elf, len, &ei, err, sizeof(err)), 0);
	assert_true(ei.load_bytes == 0x200000);
	assert_int_equal(ei.nload, 1);
	assert_int_equal(ei.file_end, len);

	/* Truncated anywhere: refused, never read past the end. */
	for (size_t cut = 0; cut < len; cut += 7)
		assert_int_equal(elf_inspect(elf, cut, &ei, err, sizeof(err)),
				 -ENOEXEC);
	elf[EI_CLASS] = ELFCLASS32;
	assert_int_equal(elf_inspect(elf, len, &ei, err, sizeof(err)),
			 -ENOEXEC);
	assert_non_null(strstr(err, "32-bit"));
	elf[EI_CLASS] = ELFCLASS64;
	elf[18] = 183;	/* EM_AARCH64 */
	assert_int_equal(elf_inspect(elf, len, &ei, err, sizeof(err)),
			 -ENOEXEC);
	assert_non_null(strstr(err, "x86-64"));
	elf[18] = EM_X86_64;
	/* filesz > memsz, and a segment offset that overflows. */
	memcpy(&ph, elf + sizeof(Elf64_Ehdr), sizeof(ph));
	ph.p_memsz = 1;
	memcpy(elf + sizeof(Elf64_Ehdr), &ph, sizeof(ph));
	assert_int_equal(elf_inspect(elf, len, &ei, err, sizeof(err)),
			 -ENOEXEC);
	ph.p_memsz = 0x1000;
	ph.p_offset = UINT64_MAX - 10;
	memcpy(elf + sizeof(Elf64_Ehdr), &ph, sizeof(ph));
	assert_int_equal(elf_inspect(elf, len, &ei, err, sizeof(err)),
			 -ENOEXEC);
	free(elf);
}

static void test_image_compressions(void **state)
{
	static const enum kcomp comps[] = {
		KCOMP_GZIP, KCOMP_XZ, KCOMP_LZMA, KCOMP_BZIP2, KCOMP_ZSTD,
		KCOMP_LZ4,
	};
	struct diags d;
	uint8_t *elf, *elfr;
	size_t elflen, elfrlen, i;

	diags_init(&d);
	elf = make_elf(&elflen, 0x400000, 0);
	/* The payload carries relocations after the ELF, as the build's. */
	elfr = make_elf(&elfrlen, 0x400000, 100);
	for (i = 0; i < ARRAY_SIZE(comps); i++) {
		struct kimage img;
		uint8_t *pl, *bz;
		size_t pllen, bzlen;

		pl = kcompress(comps[i], elfr, elfrlen, &pllen);
		assert_int_equal(kcomp_detect(pl, pllen), comps[i]);
		bz = make_bzimage(pl, pllen, i % 2 ? 0 : 27, &bzlen);
		assert_int_equal(kimage_from_buffer("bzImage", bz, bzlen, &img,
						    &d), 0);
		assert_int_equal(img.format, KIMAGE_BZIMAGE);
		assert_int_equal(img.comp, comps[i]);
		assert_true(img.load_bytes == 0x400000);
		assert_int_equal(img.elf_size, elflen);
		assert_true(img.file_size == bzlen);
		check_memfd_elf(&img, elf, elflen);
		kimage_close(&img);

		/* The bare compressed vmlinux (no boot header): scanned. */
		assert_int_equal(kimage_from_buffer("vmlinux.z", pl, pllen,
						    &img, &d), 0);
		assert_int_equal(img.format, KIMAGE_COMPRESSED);
		assert_int_equal(img.comp, comps[i]);
		kimage_close(&img);

		/* A wrong payload_offset: found by scanning. */
		bz[0x248] ^= 0x40;
		assert_int_equal(kimage_from_buffer("bzImage", bz, bzlen, &img,
						    &d), 0);
		assert_int_equal(img.comp, comps[i]);
		kimage_close(&img);
		bz[0x248] ^= 0x40;

		/* Truncated: a clear error, no crash. */
		assert_int_not_equal(kimage_from_buffer("bzImage", bz,
							bzlen - pllen / 2 - 64,
							&img, &d), 0);
		assert_int_equal(img.fd, -1);
		free(bz);
		free(pl);
	}
	assert_int_equal(d.n, ARRAY_SIZE(comps));
	free(elf);
	free(elfr);
	diags_free(&d);
}

static void test_image_files(void **state)
{
	char *root = make_root(), *path;
	struct kimage img;
	struct diags d;
	uint8_t *elf, *pl, *bz, *junk;
	size_t elflen, pllen, bzlen;
	uint8_t dg[SHA256_LEN];

	diags_init(&d);
	elf = make_elf(&elflen, 0x100000, 0);
	path = xasprintf("%s/vmlinux", root);
	assert_int_equal(write_file(path, elf, elflen), 0);
	assert_int_equal(kimage_open(path, &img, &d), 0);
	assert_int_equal(img.format, KIMAGE_ELF);
	sha256_buf(elf, elflen, dg);
	assert_memory_equal(img.sha256, dg, SHA256_LEN);
	check_memfd_elf(&img, elf, elflen);
	kimage_close(&img);
	free(path);

	pl = kcompress(KCOMP_ZSTD, elf, elflen, &pllen);
	bz = make_bzimage(pl, pllen, 0, &bzlen);
	path = xasprintf("%s/bzImage", root);
	assert_int_equal(write_file(path, bz, bzlen), 0);
	assert_int_equal(kimage_open(path, &img, &d), 0);
	assert_int_equal(img.format, KIMAGE_BZIMAGE);
	check_memfd_elf(&img, elf, elflen);
	kimage_close(&img);
	free(path);

	/* Neither ELF nor bzImage, missing, and an LZO payload. */
	junk = xzalloc(4096);
	memset(junk, 'A', 4096);
	path = xasprintf("%s/junk", root);
	assert_int_equal(write_file(path, junk, 4096), 0);
	assert_int_equal(kimage_open(path, &img, &d), -ENOEXEC);
	assert_true(diags_mention(&d, "neither an ELF vmlinux nor a bzImage"));
	free(path);
	path = xasprintf("%s/missing", root);
	assert_int_equal(kimage_open(path, &img, &d), -ENOENT);
	free(path);
	memcpy(junk, "\x89LZO\0\r\n\x1a\n", 9);
	assert_int_equal(kimage_from_buffer("lzo", junk, 4096, &img, &d),
			 -ENOTSUP);
	assert_true(diags_mention(&d, "LZO"));
	/* An ELF for another machine is refused by name. */
	elf[18] = 183;
	assert_int_equal(kimage_from_buffer("arm", elf, elflen, &img, &d),
			 -ENOEXEC);
	assert_true(diags_mention(&d, "not x86-64"));

	free(junk);
	free(bz);
	free(pl);
	free(elf);
	diags_free(&d);
	rm_root(root);
}

/* Random damage to a valid bzImage never crashes the unpacker. */
static void test_image_garbage(void **state)
{
	unsigned int seed = 7;
	uint8_t *elf, *pl, *bz, *copy;
	size_t elflen, pllen, bzlen;
	int round;

	elf = make_elf(&elflen, 0x100000, 0);
	pl = kcompress(KCOMP_GZIP, elf, elflen, &pllen);
	bz = make_bzimage(pl, pllen, 0, &bzlen);
	copy = xmalloc(bzlen);
	for (round = 0; round < 300; round++) {
		struct kimage img;
		struct diags d;
		int k;

		memcpy(copy, bz, bzlen);
		for (k = 0; k < 4; k++)
			copy[(size_t)rand_r(&seed) % bzlen] =
				(uint8_t)rand_r(&seed);
		diags_init(&d);
		if (kimage_from_buffer("x", copy,
				       (size_t)rand_r(&seed) % bzlen + 1, &img,
				       &d) == 0)
			kimage_close(&img);
		diags_free(&d);
	}
	free(copy);
	free(bz);
	free(pl);
	free(elf);
}

/* ---- SHA-256 and records ------------------------------------------------- */

static void test_sha256(void **state)
{
	static const char *const vec[][2] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
		      "7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410"
			 "ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd4"
		  "19db06c1" },
	};
	uint8_t dg[SHA256_LEN];
	char hex[SHA256_HEX_LEN];
	struct sha256 s;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vec); i++) {
		sha256_buf(vec[i][0], strlen(vec[i][0]), dg);
		sha256_hex(dg, hex);
		assert_string_equal(hex, vec[i][1]);
	}
	/* One million 'a', fed in odd pieces. */
	sha256_init(&s);
	for (i = 0; i < 1000000;) {
		static const char a[1000] = { [0 ... 999] = 'a' };
		size_t n = 1 + i % 997;

		if (n > 1000000 - i)
			n = 1000000 - i;
		sha256_update(&s, a, n);
		i += n;
	}
	sha256_final(&s, dg);
	sha256_hex(dg, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a4"
				 "97200e046d39ccc7112cd0");
}

static void test_records(void **state)
{
	char *root = make_root(), *ipath, *json;
	struct kload_record r, r2;
	struct kimage img;
	struct kport kp;
	struct diags d;
	uint8_t *elf;
	size_t elflen;
	int fd;

	kport_init(&kp, root, false);
	diags_init(&d);
	elf = make_elf(&elflen, 0x100000, 0);
	assert_int_equal(kimage_from_buffer("/boot/vmlinux-\"q\"", elf,
					    elflen, &img, &d), 0);
	ipath = xasprintf("%s/initrd", root);
	assert_int_equal(write_file(ipath, "abc", 3), 0);
	fd = open(ipath, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(record_fill(&r, 4, &img, ipath, fd,
				     "console=mktty0\trdinit=/init\\x",
				     1788264000, &d), 0);
	close(fd);
	assert_string_equal(r.loaded_at, "2026-09-01T12:00:00Z");
	assert_string_equal(r.initrd_sha256,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb4"
			    "10ff61f20015ad");
	assert_true(r.initrd_size == 3);

	assert_int_equal(record_write(&kp, "web", &r, &d), 0);
	assert_int_equal(record_read(&kp, "web", &r2, &d), 0);
	assert_int_equal(r2.id, 4);
	assert_string_equal(r2.image_path, "/boot/vmlinux-\"q\"");
	assert_string_equal(r2.image_sha256, r.image_sha256);
	assert_string_equal(r2.image_format, "vmlinux");
	assert_true(r2.image_size == elflen);
	assert_true(r2.load_bytes == 0x100000);
	assert_true(r2.has_initrd);
	assert_string_equal(r2.initrd_path, ipath);
	assert_string_equal(r2.cmdline, "console=mktty0\trdinit=/init\\x");
	assert_string_equal(r2.loaded_at, r.loaded_at);
	record_free(&r2);

	/* No initrd: null, read back as none. */
	free(r.initrd_path);
	r.initrd_path = NULL;
	r.has_initrd = false;
	json = record_to_json("db", &r);
	assert_non_null(strstr(json, "\"initrd\": null"));
	assert_int_equal(record_parse(json, strlen(json), &r2), 0);
	assert_false(r2.has_initrd);
	record_free(&r2);
	/* Every truncation of a record is refused, never half-read. */
	for (size_t cut = 0; cut + 2 < strlen(json); cut++)
		if (record_parse(json, cut, &r2) == 0)
			fail_msg("truncated record parsed at %zu", cut);
	free(json);

	/* Corrupt: a warning, treated as absent. */
	puts_(root, KP_STATE_INSTANCES "/web.json", "{\"schema_version\": 1,");
	assert_int_equal(record_read(&kp, "web", &r2, &d), -EBADMSG);
	assert_int_equal(d.warnings, 1);
	assert_int_equal(record_remove(&kp, "web", &d), 0);
	assert_int_equal(record_read(&kp, "web", &r2, &d), -ENOENT);
	assert_int_equal(record_remove(&kp, "web", &d), 0);
	assert_int_equal(d.errors, 0);

	record_free(&r);
	kimage_close(&img);
	free(ipath);
	free(elf);
	diags_free(&d);
	rm_root(root);
}

static void test_sysroot_paths(void **state)
{
	struct kport kp;
	char *p;

	kport_init(&kp, NULL, false);
	p = kp_path(&kp, KP_MKFS_NEW);
	assert_string_equal(p, "/sys/fs/multikernel/overlays/new");
	free(p);
	assert_true(kp_is_root(&kp));
	kport_init(&kp, "/tmp/sim//", false);
	p = kp_pathf(&kp, KP_MKFS_INSTANCES "/%s/id", "web");
	assert_string_equal(p, "/tmp/sim/sys/fs/multikernel/instances/web/id");
	free(p);
	assert_false(kp_is_root(&kp));
	assert_true(kp_name_ok("web-1"));
	assert_false(kp_name_ok(""));
	assert_false(kp_name_ok(".."));
	assert_false(kp_name_ok("a/b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sysroot_paths),
		cmocka_unit_test(test_iomem_parse),
		cmocka_unit_test(test_iomem_region_name),
		cmocka_unit_test(test_parsers_garbage),
		cmocka_unit_test(test_cpuinfo_parse),
		cmocka_unit_test(test_cpumap_save_load),
		cmocka_unit_test(test_mounts),
		cmocka_unit_test(test_instances),
		cmocka_unit_test(test_write_baseline),
		cmocka_unit_test(test_txn_names),
		cmocka_unit_test(test_txn_dir),
		cmocka_unit_test(test_txn_fake_kernel),
		cmocka_unit_test(test_lock_timeout),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_errno_translation),
		cmocka_unit_test(test_elf_inspect),
		cmocka_unit_test(test_image_compressions),
		cmocka_unit_test(test_image_files),
		cmocka_unit_test(test_image_garbage),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
