// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A tiny "kernel" for demos and tests: a static x86-64 ELF executable
 * (built with -nostdlib, linked at 16 MiB like a vmlinux) whose entry point
 * parks the CPU.  kexec_file_load (and mksim) only need a well-formed ELF
 * with loadable segments; nothing here is meant to run on real hardware.
 */

/* What `strings` finds in a vmlinux, so tools can tell what this is. */
__attribute__((used, section(".rodata.banner")))
static const char linux_banner[] =
	"Linux version 0.0.0-kerf-testkernel (kerf test image) #1 SMP\n";

/* Room a real kernel would use for its early page tables and stack. */
__attribute__((used, aligned(4096)))
static unsigned char boot_stack[16384];

void _start(void) __attribute__((noreturn, naked, section(".text.head")));

void _start(void)
{
	__asm__ volatile("1:\n\t"
			 "cli\n\t"
			 "hlt\n\t"
			 "jmp 1b\n");
}
