// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kexec_file_load() and reboot() of the simulated kernel
 * (kernel-abi-mk2.md §1.4, §3, §4).  The supervisor has already fetched
 * the caller's arguments (file descriptors, command line, boot args).
 */
#include "sim.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BOOT_PARAMS_SIZE	(16 * 1024)	/* boot params + purgatory */
#define CMDLINE_MAX		2048		/* x86 COMMAND_LINE_SIZE */

static long kfail(struct sim_kernel *k, long err, const char *fmt, ...)
	PRINTF(3, 4);

static long kfail(struct sim_kernel *k, long err, const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	sim_log(k, "%s (%s)", m, sim_errname((int)err));
	free(m);
	return -err;
}

/* ELF64 x86-64 with at least one PT_LOAD; sizes of the PT_LOADs. */
int sim_elf_check(int fd, uint64_t *seg, int *nseg, int max)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int i;

	*nseg = 0;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
		return -ENOEXEC;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) ||
	    eh.e_machine != EM_X86_64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum)
		return -ENOEXEC;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff +
			  (uint64_t)i * sizeof(ph))) != (ssize_t)sizeof(ph))
			return -ENOEXEC;
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (ph.p_filesz > ph.p_memsz)
			return -ENOEXEC;
		if (*nseg < max)
			seg[(*nseg)++] = ph.p_memsz;
		else
			seg[max - 1] += ph.p_memsz;
	}
	return *nseg ? 0 : -ENOEXEC;
}

static uint64_t page_up(uint64_t v)
{
	return (v + SIM_PAGE - 1) & ~(SIM_PAGE - 1);
}

/* First fit of each segment in the instance's own memory. */
static int place(const struct sim_instance *in, struct sim_image *img,
		 const uint64_t *sizes, int n)
{
	int i, r, j;

	img->nseg = 0;
	for (i = 0; i < n; i++) {
		uint64_t want = page_up(sizes[i]);
		bool ok = false;

		for (r = 0; r < in->nreg && !ok; r++) {
			uint64_t at = in->reg[r].base;
			uint64_t end = in->reg[r].base + in->reg[r].size;

			/* segments fill each region from its base */
			for (j = 0; j < img->nseg; j++) {
				const struct sim_region *s = &img->seg[j];

				if (s->base >= in->reg[r].base &&
				    s->base < end && s->base + s->size > at)
					at = s->base + s->size;
			}
			if (at + want <= end) {
				img->seg[img->nseg++] = (struct sim_region){
					at, want, in->reg[r].node };
				ok = true;
			}
		}
		if (!ok)
			return -ENOMEM;
	}
	return 0;
}

static uint64_t fd_size(int fd)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st))
		return 0;
	if (S_ISREG(st.st_mode))
		return (uint64_t)st.st_size;
	return 0;
}

void sim_kexec_inspect(struct sim_kexec_req *r, int kfd, int ifd)
{
	r->kernel_ok = kfd >= 0;
	r->initrd_ok = ifd >= 0;
	r->elf_err = kfd >= 0 ? sim_elf_check(kfd, r->kseg, &r->nkseg, 6) :
		     -EBADF;
	r->kernel_size = fd_size(kfd);
	r->initrd_size = fd_size(ifd);
}

long sim_kexec_file_load(struct sim_kernel *k,
			 const struct sim_kexec_req *r)
{
	const unsigned long ok = SIM_KEXEC_UNLOAD | SIM_KEXEC_ON_CRASH |
		SIM_KEXEC_NO_INITRAMFS | SIM_KEXEC_DEBUG |
		SIM_KEXEC_MULTIKERNEL | SIM_KEXEC_ID_MASK;
	struct sim_instance *in;
	struct sim_image *img;
	uint64_t sizes[8];
	int id, i, n = 0;

	if (r->flags & ~ok)
		return kfail(k, EINVAL, "kexec_file_load: flags %#lx outside "
			     "the whitelist", r->flags);
	if (!r->cap_sys_boot)
		return -EPERM;
	if (!(r->flags & SIM_KEXEC_MULTIKERNEL)) {
		/* an ordinary kexec image for the host: accepted, inert */
		k->host_kexec_loaded = !(r->flags & SIM_KEXEC_UNLOAD);
		sim_log(k, "kexec: %s an ordinary (non-multikernel) host "
			"image", k->host_kexec_loaded ? "loaded" : "unloaded");
		return 0;
	}
	id = (int)((r->flags & SIM_KEXEC_ID_MASK) >> SIM_KEXEC_ID_SHIFT);
	if (!id)
		return kfail(k, EINVAL, "kexec: Invalid multikernel ID");
	in = sim_inst_by_id(k, id);
	if (!in)
		return kfail(k, ENOENT, "kexec: no multikernel instance %d",
			     id);
	if (r->flags & SIM_KEXEC_UNLOAD) {
		if (!in->image)
			return kfail(k, ENOENT, "kexec: instance %d has no "
				     "image loaded", id);
		sim_image_free(in->image);
		in->image = NULL;
		sim_log(k, "kexec: image of instance %d (%s) unloaded (was "
			"%s)", id, in->name, sim_state_name(in->state));
		in->state = ST_READY;
		return 0;
	}
	if (in->image)
		return kfail(k, EBUSY, "kexec: instance %d already has an "
			     "image", id);
	if (!r->kernel_ok)
		return -EBADF;
	if (!(r->flags & SIM_KEXEC_NO_INITRAMFS) && !r->initrd_ok)
		return -EBADF;
	if (r->cmdline_fault)
		return -EFAULT;
	if (r->cmdline_len > CMDLINE_MAX)
		return kfail(k, EINVAL, "kexec: command line too long");
	if (r->cmdline_len && (!r->cmdline ||
			       r->cmdline[r->cmdline_len - 1] != '\0'))
		return kfail(k, EINVAL, "kexec: command line not "
			     "NUL-terminated within cmdline_len");
	if (r->elf_err)
		return kfail(k, -r->elf_err, "kexec-vmlinux: instance %d: "
			     "image is not an x86-64 ELF vmlinux", id);
	if (sim_fault_take(k, F_LOAD_ENOMEM, 0, NULL))
		return kfail(k, ENOMEM, "kexec: instance %d: cannot allocate "
			     "segments", id);
	for (i = 0; i < r->nkseg && i < 6; i++)
		sizes[n++] = r->kseg[i];
	if (!(r->flags & SIM_KEXEC_NO_INITRAMFS))
		sizes[n++] = r->initrd_size ?: SIM_PAGE;
	sizes[n++] = BOOT_PARAMS_SIZE + r->cmdline_len;
	img = xzalloc(sizeof(*img));
	if (place(in, img, sizes, n)) {
		uint64_t need = 0;

		for (i = 0; i < n; i++)
			need += page_up(sizes[i]);
		free(img);
		return kfail(k, ENOMEM, "kexec: instance %d (%s): segments "
			     "(%llu KiB) do not fit its memory (%llu KiB)",
			     id, in->name, (unsigned long long)(need >> 10),
			     (unsigned long long)(sim_inst_mem(in) >> 10));
	}
	img->path = xstrdup(r->kernel_path ? r->kernel_path : "?");
	img->size = r->kernel_size;
	if (!(r->flags & SIM_KEXEC_NO_INITRAMFS)) {
		img->initrd = xstrdup(r->initrd_path ? r->initrd_path : "?");
		img->initrd_size = r->initrd_size;
	}
	img->cmdline = xstrdup(r->cmdline_len ? r->cmdline : "");
	in->image = img;
	in->state = ST_LOADED;
	sim_log(k, "kexec: multikernel image loaded for instance %d (%s): "
		"%s, %d segments at %#llx", id, in->name, img->path,
		img->nseg, (unsigned long long)img->seg[0].base);
	return 0;
}

static void boot_log(struct sim_kernel *k, struct sim_instance *in)
{
	const struct sim_image *img = in->image;
	struct strbuf sb;
	int i;

	sim_console_printf(k, in, "[    0.000000] Linux version 7.0.0-mk2 "
			   "(mksim simulated spawn) #1 SMP\r\n");
	sim_console_printf(k, in, "[    0.000000] Command line: %s\r\n",
			   img->cmdline);
	sim_console_printf(k, in, "[    0.000000] multikernel: instance %d "
			   "(%s), image %s (%llu bytes)\r\n", in->id,
			   in->name, img->path,
			   (unsigned long long)img->size);
	if (img->initrd)
		sim_console_printf(k, in, "[    0.000000] initrd: %s (%llu "
				   "bytes)\r\n", img->initrd,
				   (unsigned long long)img->initrd_size);
	else
		sim_console_printf(k, in, "[    0.000000] initrd: none\r\n");
	sb_init(&sb);
	for (i = 0; i < in->ncpus; i++)
		sb_addf(&sb, "%s%llu", i ? " " : "",
			(unsigned long long)k->cpu[in->cpus[i]].phys);
	sim_console_printf(k, in, "[    0.000000] smpboot: %d CPUs, APIC ids "
			   "%s (boot CPU APIC %llu)\r\n", in->ncpus, sb.buf,
			   (unsigned long long)k->cpu[in->cpus[0]].phys);
	sb_reset(&sb);
	for (i = 0; i < in->nreg; i++)
		sb_addf(&sb, "%s%#llx-%#llx", i ? ", " : "",
			(unsigned long long)in->reg[i].base,
			(unsigned long long)(in->reg[i].base +
					     in->reg[i].size - 1));
	sim_console_printf(k, in, "[    0.000000] Memory: %llu MiB: %s\r\n",
			   (unsigned long long)(sim_inst_mem(in) >> 20),
			   sb.buf);
	sb_free(&sb);
	sim_console_printf(k, in, "[    0.104000] Run /init as init process"
			   "\r\n\r\n%s login: ", in->name);
}

static long mk_start(struct sim_kernel *k, int id)
{
	struct sim_instance *in = sim_inst_by_id(k, id);

	if (!in || !in->image)
		return kfail(k, EINVAL, "multikernel: no image loaded for "
			     "instance %d", id);
	if (in->state != ST_LOADED)
		return kfail(k, EBUSY, "multikernel: instance %d is %s, not "
			     "loaded", id, sim_state_name(in->state));
	if (!in->ncpus)
		return kfail(k, EINVAL, "multikernel: instance %d has no CPU",
			     id);
	in->state = ST_ACTIVE;
	sim_log(k, "multikernel: starting instance %d (%s) on CPU %d (APIC "
		"%llu)", id, in->name, in->cpus[0],
		(unsigned long long)k->cpu[in->cpus[0]].phys);
	boot_log(k, in);
	return 0;
}

static long mk_halt(struct sim_kernel *k, int id, bool force,
		    long *wait_ms)
{
	struct sim_instance *in = sim_inst_by_id(k, id);
	struct sim_fault f;
	int i;

	if (!in)
		return kfail(k, ENOENT, "multikernel: no instance %d", id);
	if (in->state != ST_ACTIVE)
		return kfail(k, EINVAL, "multikernel: instance %d is %s, not "
			     "active", id, sim_state_name(in->state));
	if (!force && sim_fault_take(k, F_HALT_TIMEOUT, 0, &f)) {
		*wait_ms = f.arg;
		return kfail(k, ETIMEDOUT, "multikernel: instance %d did not "
			     "acknowledge the shutdown", id);
	}
	if (force)
		for (i = 0; i < in->ncpus; i++)
			if (sim_fault_take(k, F_CPU_BUSY,
					   (long)k->cpu[in->cpus[i]].phys,
					   NULL))
				return kfail(k, EBUSY, "multikernel: CPU %d "
					     "of instance %d did not park",
					     in->cpus[i], id);
	sim_console_printf(k, in, "\r\n[  %s] reboot: System halted\r\n",
			   force ? "NMI" : "   ");
	in->state = ST_LOADED;
	sim_log(k, "multikernel: instance %d (%s) %shalted, CPUs parked", id,
		in->name, force ? "force-" : "");
	return 0;
}

long sim_reboot(struct sim_kernel *k, const struct sim_reboot_req *r,
		long *wait_ms)
{
	*wait_ms = 0;
	if (!r->cap_sys_boot)
		return -EPERM;
	if (r->magic1 != SIM_REBOOT_MAGIC1 ||
	    (r->magic2 != SIM_REBOOT_MAGIC2 &&
	     r->magic2 != SIM_REBOOT_MAGIC2A &&
	     r->magic2 != SIM_REBOOT_MAGIC2B &&
	     r->magic2 != SIM_REBOOT_MAGIC2C))
		return -EINVAL;
	switch (r->cmd) {
	case SIM_REBOOT_MK_START:
	case SIM_REBOOT_MK_HALT:
	case SIM_REBOOT_MK_FORCE:
		if (r->arg_fault)
			return -EFAULT;
		if (r->cmd == SIM_REBOOT_MK_START)
			return mk_start(k, r->mk_id);
		return mk_halt(k, r->mk_id, r->cmd == SIM_REBOOT_MK_FORCE,
			       wait_ms);
	case SIM_REBOOT_CAD_ON:
	case SIM_REBOOT_CAD_OFF:
		return 0;
	default:
		return kfail(k, EPERM, "mksim: refusing reboot command %#x "
			     "(it would reboot or stop the simulated host)",
			     r->cmd);
	}
}
