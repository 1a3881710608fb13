// SPDX-License-Identifier: GPL-2.0-or-later
/* The text files of the simulated /proc and /sys, from live state. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *sim_cpulist(const bool *set, int n)
{
	struct strbuf sb;
	int i, j;

	sb_init(&sb);
	for (i = 0; i < n; i++) {
		if (!set[i])
			continue;
		for (j = i; j + 1 < n && set[j + 1]; j++)
			;
		if (j > i)
			sb_addf(&sb, "%s%d-%d", sb.len ? "," : "", i, j);
		else
			sb_addf(&sb, "%s%d", sb.len ? "," : "", i);
		i = j;
	}
	return sb_detach(&sb, NULL);
}

char *sim_text_cpuinfo(struct sim_kernel *k)
{
	const struct sim_host *h = &k->host;
	int per_pkg = h->ncpus / h->nnodes, cores = per_pkg / h->threads, i;
	struct strbuf sb;

	sb_init(&sb);
	for (i = 0; i < h->ncpus; i++) {
		if (k->cpu[i].in_pool)
			continue;	/* offline: parked for the pool */
		sb_addf(&sb,
			"processor\t: %d\n"
			"vendor_id\t: GenuineIntel\n"
			"cpu family\t: 6\n"
			"model\t\t: 106\n"
			"model name\t: %s\n"
			"stepping\t: 6\n"
			"microcode\t: 0xd0003a5\n"
			"cpu MHz\t\t: 2200.000\n"
			"cache size\t: 49152 KB\n"
			"physical id\t: %d\n"
			"siblings\t: %d\n"
			"core id\t\t: %d\n"
			"cpu cores\t: %d\n"
			"apicid\t\t: %llu\n"
			"initial apicid\t: %llu\n"
			"fpu\t\t: yes\n"
			"fpu_exception\t: yes\n"
			"cpuid level\t: 27\n"
			"wp\t\t: yes\n"
			"flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic "
			"sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse "
			"sse2 ht syscall nx rdtscp lm constant_tsc nonstop_tsc "
			"cpuid pni pclmulqdq ssse3 fma cx16 pcid sse4_1 "
			"sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand "
			"lahf_lm abm avx2 bmi1 bmi2 erms\n"
			"bugs\t\t:\n"
			"bogomips\t: 4400.00\n"
			"clflush size\t: 64\n"
			"cache_alignment\t: 64\n"
			"address sizes\t: 46 bits physical, 57 bits virtual\n"
			"power management:\n\n",
			i, h->model_name, h->cpu_node[i], per_pkg,
			cores ? h->cpu_core[i] % cores : 0, cores,
			(unsigned long long)k->cpu[i].phys,
			(unsigned long long)k->cpu[i].phys);
	}
	return sb_detach(&sb, NULL);
}

static void iomem_line(struct strbuf *sb, int depth, uint64_t a, uint64_t b,
		       const char *name, bool addrs)
{
	if (!addrs)
		a = b = 0;
	sb_addf(sb, "%*s%08llx-%08llx : %s\n", depth * 2, "",
		(unsigned long long)a, (unsigned long long)b, name);
}

static int reg_cmp(const void *x, const void *y)
{
	const uint64_t *a = x, *b = y;

	return a[0] < b[0] ? -1 : a[0] > b[0];
}

static void iomem_chunks(struct sim_kernel *k, struct strbuf *sb,
			 uint64_t a, uint64_t b, bool addrs)
{
	int c, i, j, n;

	for (c = 0; c < k->nchunk; c++) {
		const struct sim_chunk *ch = &k->chunk[c];
		uint64_t (*regs)[3];

		if (ch->base < a || ch->base > b)
			continue;
		iomem_line(sb, 1, ch->base, ch->base + ch->size - 1,
			   "Multikernel Memory Pool", addrs);
		n = 0;
		for (i = 0; i < k->ninst; i++)
			n += k->inst[i]->nreg;
		regs = xmalloc((n + 1) * sizeof(*regs));
		n = 0;
		for (i = 0; i < k->ninst; i++)
			for (j = 0; j < k->inst[i]->nreg; j++) {
				const struct sim_region *r =
					&k->inst[i]->reg[j];

				if (r->base < ch->base ||
				    r->base >= ch->base + ch->size)
					continue;
				regs[n][0] = r->base;
				regs[n][1] = r->size;
				regs[n][2] = (uint64_t)i << 32 | (uint32_t)j;
				n++;
			}
		qsort(regs, n, sizeof(*regs), reg_cmp);
		for (i = 0; i < n; i++) {
			const struct sim_instance *in =
				k->inst[regs[i][2] >> 32];
			char *name = xasprintf("mk-instance-%d-%s-region-%u",
					       in->id, in->name,
					       (unsigned int)regs[i][2]);

			iomem_line(sb, 2, regs[i][0],
				   regs[i][0] + regs[i][1] - 1, name, addrs);
			free(name);
		}
		free(regs);
	}
}

char *sim_text_iomem(struct sim_kernel *k, bool addrs)
{
	const struct sim_host *h = &k->host;
	struct strbuf sb;
	int i;
	bool pci_done = false;

	sb_init(&sb);
	iomem_line(&sb, 0, 0, 0xfff, "Reserved", addrs);
	iomem_line(&sb, 0, 0x1000, 0x9ffff, "System RAM", addrs);
	iomem_line(&sb, 0, 0xa0000, 0xfffff, "Reserved", addrs);
	for (i = 0; i < h->nram; i++) {
		uint64_t a = h->ram[i].base, b = a + h->ram[i].size;

		/* E820 shows contiguous RAM of several nodes as one range */
		while (i + 1 < h->nram && h->ram[i + 1].base == b)
			b += h->ram[++i].size;
		if (a < 0x100000)
			a = 0x100000;
		if (!pci_done && a >= 4 * SIM_GIB) {
			iomem_line(&sb, 0, 0x80000000, 0xefffffff,
				   "PCI Bus 0000:00", addrs);
			iomem_line(&sb, 0, 0xf0000000, 0xf7ffffff,
				   "PCI ECAM 0000 [bus 00-7f]", addrs);
			iomem_line(&sb, 0, 0xfee00000, 0xfee00fff,
				   "Local APIC", addrs);
			pci_done = true;
		}
		iomem_line(&sb, 0, a, b - 1, "System RAM", addrs);
		if (a <= 0x1000000 && b > 0x3000000) {
			iomem_line(&sb, 1, 0x1000000, 0x1ffffff,
				   "Kernel code", addrs);
			iomem_line(&sb, 1, 0x2000000, 0x27fffff,
				   "Kernel rodata", addrs);
			iomem_line(&sb, 1, 0x2800000, 0x2bfffff,
				   "Kernel data", addrs);
			iomem_line(&sb, 1, 0x2c00000, 0x2ffffff,
				   "Kernel bss", addrs);
		}
		iomem_chunks(k, &sb, a, b - 1, addrs);
	}
	return sb_detach(&sb, NULL);
}

static void mount_path(struct strbuf *sb, const char *p)
{
	for (; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\\')
			sb_addf(sb, "\\%03o", (unsigned char)*p);
		else
			sb_addc(sb, *p);
	}
}

char *sim_text_mounts(struct sim_kernel *k)
{
	struct strbuf sb;

	sb_init(&sb);
	sb_adds(&sb,
		"sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
		"proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
		"udev /dev devtmpfs rw,nosuid,relatime,mode=755 0 0\n"
		"/dev/sda1 / ext4 rw,relatime,errors=remount-ro 0 0\n"
		"tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,"
		"mode=755 0 0\n");
	if (k->host.mkfs_mounted) {
		/* as seen from inside the sysroot, and from outside it */
		sb_adds(&sb, "none /sys/fs/multikernel multikernel "
			"rw,relatime 0 0\n");
		if (k->mountpoint) {
			sb_adds(&sb, "none ");
			mount_path(&sb, k->mountpoint);
			sb_adds(&sb, "/sys/fs/multikernel multikernel "
				"rw,relatime 0 0\n");
		}
	}
	return sb_detach(&sb, NULL);
}

char *sim_text_meminfo(struct sim_kernel *k, int node)
{
	uint64_t total = 0, pool = 0, used;
	int i;

	for (i = 0; i < k->host.nram; i++)
		if (k->host.ram[i].node == node)
			total += k->host.ram[i].size;
	for (i = 0; i < k->nchunk; i++)
		if (k->chunk[i].node == node)
			pool += k->chunk[i].size;
	used = pool + (node == 0 ? k->host.reserved : 256 * SIM_MIB);
	if (used > total)
		used = total;
	return xasprintf("Node %d MemTotal:       %8llu kB\n"
			 "Node %d MemFree:        %8llu kB\n"
			 "Node %d MemUsed:        %8llu kB\n",
			 node, (unsigned long long)(total >> 10),
			 node, (unsigned long long)((total - used) >> 10),
			 node, (unsigned long long)(used >> 10));
}
