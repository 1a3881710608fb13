// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A thin command-line driver of the kernel port, for the integration test
 * against mksim (run.sh): every call goes through src/kernel/ exactly as
 * kerf's commands make it, without the model and planning layers.
 *
 *   kport_drive SYSROOT mount
 *   kport_drive SYSROOT baseline MEMBYTES PHYS...
 *   kport_drive SYSROOT apply DTBO...          one transaction each
 *   kport_drive SYSROOT list
 *   kport_drive SYSROOT cpumap
 *   kport_drive SYSROOT lock SECONDS           hold the lock
 *   kport_drive SYSROOT mkelf OUT MEMBYTES     write a tiny x86-64 ELF
 *   kport_drive SYSROOT load NAME IMAGE [INITRD|-] [CMDLINE]
 *   kport_drive SYSROOT unload|start|halt|force NAME
 *
 * Exit 0 on success, 4 without multikernel support, 3 when the lock is
 * taken, 1 otherwise; diagnostics go to stderr.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel/cpumap.h"
#include "kernel/image.h"
#include "kernel/lock.h"
#include "kernel/mkfs.h"
#include "kernel/records.h"
#include "kernel/syscalls.h"
#include "kernel/sysroot.h"
#include "kernel/txn.h"
#include "util/diag.h"
#include "util/util.h"

static int status_of(int ret)
{
	if (!ret)
		return 0;
	if (ret == -ENODEV)
		return 4;
	if (ret == -EWOULDBLOCK)
		return 3;
	return 1;
}

static int do_baseline(const struct kport *kp, int argc, char **argv,
		       struct diags *d)
{
	size_t cap = 4096 + (size_t)argc * 16;
	void *fdt = xzalloc(cap);
	uint64_t *cpus, mem;
	int i, ret;

	if (argc < 2)
		return -EINVAL;
	mem = strtoull(argv[0], NULL, 0);
	cpus = xmalloc(sizeof(*cpus) * (size_t)(argc - 1));
	for (i = 1; i < argc; i++)
		cpus[i - 1] = cpu_to_fdt64(strtoull(argv[i], NULL, 0));
	mem = cpu_to_fdt64(mem);
	fdt_create(fdt, (int)cap);
	fdt_finish_reservemap(fdt);
	fdt_begin_node(fdt, "");
	fdt_property_string(fdt, "compatible", "linux,multikernel-host");
	fdt_begin_node(fdt, "resources");
	fdt_property(fdt, "cpus", cpus, (int)sizeof(*cpus) * (argc - 1));
	fdt_begin_node(fdt, "memory@0");
	fdt_property(fdt, "size", &mem, sizeof(mem));
	fdt_end_node(fdt);
	fdt_end_node(fdt);
	fdt_end_node(fdt);
	ret = fdt_finish(fdt);
	free(cpus);
	if (ret) {
		fprintf(stderr, "fdt: %s\n", fdt_strerror(ret));
		free(fdt);
		return -EINVAL;
	}
	ret = mkfs_write_baseline(kp, fdt, fdt_totalsize(fdt), d);
	free(fdt);
	return ret;
}

static int do_apply(const struct kport *kp, int argc, char **argv,
		    struct diags *d)
{
	struct txn_blob *b = xzalloc(sizeof(*b) * (size_t)argc);
	unsigned int *ids = xzalloc(sizeof(*ids) * (size_t)argc);
	char **data = xzalloc(sizeof(*data) * (size_t)argc);
	struct kerf_lock lk;
	int i, ret = 0;

	for (i = 0; i < argc && !ret; i++) {
		ret = read_file(argv[i], &data[i], &b[i].len);
		b[i].dtbo = data[i];
		b[i].what = argv[i];
		if (ret)
			kp_err(d, "%s: %s", argv[i], strerror(-ret));
	}
	if (!ret)
		ret = kerf_lock_acquire(kp, &lk, 5000, d);
	if (!ret) {
		ret = txn_apply(kp, &lk, b, (size_t)argc, ids, d);
		kerf_lock_release(kp, &lk);
	}
	if (!ret)
		for (i = 0; i < argc; i++)
			printf("tx %u\n", ids[i]);
	for (i = 0; i < argc; i++)
		free(data[i]);
	free(data);
	free(ids);
	free(b);
	return ret;
}

static int do_list(const struct kport *kp, struct diags *d)
{
	struct mkfs_instances l;
	struct mk_iomem io;
	unsigned int *ids;
	size_t i, n;
	void *pool;
	int ret;

	ret = mkfs_read_pool(kp, &pool, &n, d);
	if (ret)
		return ret;
	printf("pool tree %zu bytes\n", n);
	free(pool);
	ret = mkfs_list_instances(kp, true, &l, d);
	if (ret)
		return ret;
	for (i = 0; i < l.n; i++)
		printf("instance %s id %d status %s tree %zu\n", l.v[i].name,
		       l.v[i].id, l.v[i].status_text, l.v[i].dtb_len);
	mkfs_instances_free(&l);
	ret = mkfs_read_iomem(kp, &io, d);
	if (ret)
		return ret;
	for (i = 0; i < io.nchunks; i++)
		printf("chunk %#" PRIx64 "-%#" PRIx64 "\n", io.chunks[i].start,
		       io.chunks[i].end);
	for (i = 0; i < io.nregions; i++)
		printf("region %s id %d n %d %#" PRIx64 "-%#" PRIx64 " chunk "
		       "%ld\n", io.regions[i].name, io.regions[i].id,
		       io.regions[i].index, io.regions[i].start,
		       io.regions[i].end, io.regions[i].chunk);
	mk_iomem_free(&io);
	ret = txn_list(kp, &ids, &n, d);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		printf("tx_%u\n", ids[i]);
	free(ids);
	return 0;
}

static int do_cpumap(const struct kport *kp, struct diags *d)
{
	struct cpumap m;
	size_t i;
	int ret;

	cpumap_init(&m);
	ret = cpumap_resolve(kp, NULL, 0, &m, d);
	for (i = 0; !ret && i < m.n; i++)
		printf("%" PRIu32 " %" PRIu64 "\n", m.v[i].logical,
		       m.v[i].phys);
	cpumap_free(&m);
	return ret;
}

static int do_mkelf(const char *out, uint64_t memsz)
{
	uint8_t buf[sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 64];
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	memset(buf, 0xf4, sizeof(buf));	/* hlt */
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
	ph.p_flags = PF_R | PF_X;
	ph.p_offset = sizeof(eh) + sizeof(ph);
	ph.p_vaddr = ph.p_paddr = 0x1000000;
	ph.p_filesz = 64;
	ph.p_memsz = memsz < 64 ? 64 : memsz;
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), &ph, sizeof(ph));
	return write_file(out, buf, sizeof(buf));
}

static int do_load(const struct kport *kp, int argc, char **argv,
		   struct diags *d)
{
	const char *initrd = argc > 2 && strcmp(argv[2], "-") ? argv[2] : NULL;
	const char *cmdline = argc > 3 ? argv[3] : NULL;
	struct mk_load_args a = { .initrd_fd = -1 };
	struct kload_record r;
	struct mkfs_instance in;
	struct mk_target t;
	struct kimage img;
	int ret;

	if (argc < 2)
		return -EINVAL;
	ret = mkfs_read_instance(kp, argv[0], false, &in, d);
	if (ret)
		return ret;
	if (in.status != MK_STATUS_READY) {
		kp_err(d, "instance '%s' is %s, not ready", in.name,
		       in.status_text);
		mkfs_instance_free(&in);
		return -EBUSY;
	}
	t.name = in.name;
	t.id = in.id;
	ret = kimage_open(argv[1], &img, d);
	if (ret)
		goto out;
	if (initrd) {
		a.initrd_fd = open(initrd, O_RDONLY | O_CLOEXEC);
		if (a.initrd_fd < 0) {
			ret = -errno;
			kp_err(d, "%s: %s", initrd, strerror(-ret));
			goto out_img;
		}
	}
	ret = record_fill(&r, t.id, &img, initrd, a.initrd_fd, cmdline,
			  time(NULL), d);
	if (ret)
		goto out_initrd;
	a.kernel_fd = img.fd;
	a.cmdline = cmdline;
	a.image_bytes = img.load_bytes;
	a.initrd_bytes = r.initrd_size;
	ret = mk_kexec_load(kp, &t, &a, d);
	if (!ret)
		ret = record_write(kp, t.name, &r, d);
	record_free(&r);
out_initrd:
	if (a.initrd_fd >= 0)
		close(a.initrd_fd);
out_img:
	kimage_close(&img);
out:
	mkfs_instance_free(&in);
	return ret;
}

static int do_id_op(const struct kport *kp, const char *op, const char *name,
		    struct diags *d)
{
	struct mkfs_instance in;
	struct mk_target t;
	int ret;

	ret = mkfs_read_instance(kp, name, false, &in, d);
	if (ret)
		return ret;
	t.name = in.name;
	t.id = in.id;
	if (!strcmp(op, "unload")) {
		if (in.status != MK_STATUS_LOADED) {
			kp_err(d, "instance '%s' is %s, not loaded", name,
			       in.status_text);
			ret = -EBUSY;
		} else {
			ret = mk_kexec_unload(kp, &t, d);
			if (!ret)
				record_remove(kp, name, d);
		}
	} else if (!strcmp(op, "start")) {
		ret = mk_reboot(kp, &t, MK_OP_START, d);
	} else if (!strcmp(op, "halt")) {
		ret = mk_reboot(kp, &t, MK_OP_HALT, d);
	} else {
		ret = mk_reboot(kp, &t, MK_OP_HALT_FORCE, d);
	}
	mkfs_instance_free(&in);
	return ret;
}

int main(int argc, char **argv)
{
	struct kport kp;
	struct diags d;
	const char *cmd;
	int ret = -EINVAL;

	if (argc < 3) {
		fprintf(stderr, "usage: kport_drive SYSROOT CMD ...\n");
		return 2;
	}
	kport_init(&kp, argv[1], getenv("KPORT_DEBUG") != NULL);
	diags_init(&d);
	cmd = argv[2];
	if (!strcmp(cmd, "mount")) {
		ret = mkfs_mount(&kp, &d);
	} else if (!strcmp(cmd, "baseline")) {
		ret = do_baseline(&kp, argc - 3, argv + 3, &d);
	} else if (!strcmp(cmd, "apply") && argc > 3) {
		ret = do_apply(&kp, argc - 3, argv + 3, &d);
	} else if (!strcmp(cmd, "list")) {
		ret = do_list(&kp, &d);
	} else if (!strcmp(cmd, "cpumap")) {
		ret = do_cpumap(&kp, &d);
	} else if (!strcmp(cmd, "lock") && argc > 3) {
		struct kerf_lock lk;

		ret = kerf_lock_acquire(&kp, &lk, 5000, &d);
		if (!ret) {
			printf("locked\n");
			fflush(stdout);
			sleep((unsigned int)atoi(argv[3]));
			kerf_lock_release(&kp, &lk);
		}
	} else if (!strcmp(cmd, "mkelf") && argc > 4) {
		ret = do_mkelf(argv[3], strtoull(argv[4], NULL, 0));
	} else if (!strcmp(cmd, "load")) {
		ret = do_load(&kp, argc - 3, argv + 3, &d);
	} else if (argc > 3 &&
		   (!strcmp(cmd, "unload") || !strcmp(cmd, "start") ||
		    !strcmp(cmd, "halt") || !strcmp(cmd, "force"))) {
		ret = do_id_op(&kp, cmd, argv[3], &d);
	} else {
		fprintf(stderr, "kport_drive: bad command '%s'\n", cmd);
	}
	diags_print(stderr, &d);
	diags_free(&d);
	return status_of(ret);
}
