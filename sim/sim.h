/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mksim: the simulated multikernel kernel (mk2 ABI, kernel-abi-mk2.md).
 *
 * Everything in this header is a pure state machine over blobs and
 * numbers: no FUSE, no sockets.  The caller serialises access with
 * sim_kernel.lock (the FUSE layer and the control thread both take it).
 */
#ifndef MKSIM_SIM_H
#define MKSIM_SIM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

#define SIM_PAGE		4096ULL
#define SIM_MIB			(1024ULL * 1024)
#define SIM_GIB			(1024ULL * SIM_MIB)
#define SIM_BASELINE_MAX	(1024 * 1024)
#define SIM_DTBO_PAGE		4096
#define SIM_OVERLAY_MAX		(1024 * 1024)
#define SIM_MAX_NUMNODES	1024	/* CONFIG_NODES_SHIFT=10 */
#define SIM_MEMBLOCK		(128ULL * SIM_MIB)
#define SIM_TTY_RING		16384
#define SIM_MAX_CPUS		4096

/* kexec_file_load() and reboot() constants (kernel.md §6). */
#define SIM_KEXEC_UNLOAD	0x1UL
#define SIM_KEXEC_ON_CRASH	0x2UL
#define SIM_KEXEC_NO_INITRAMFS	0x4UL
#define SIM_KEXEC_DEBUG		0x8UL
#define SIM_KEXEC_MULTIKERNEL	0x10UL
#define SIM_KEXEC_ID_MASK	0xffe0UL
#define SIM_KEXEC_ID_SHIFT	5
#define SIM_REBOOT_MAGIC1	0xfee1deadU
#define SIM_REBOOT_MAGIC2	672274793U
#define SIM_REBOOT_MAGIC2A	85072278U
#define SIM_REBOOT_MAGIC2B	369367448U
#define SIM_REBOOT_MAGIC2C	537993216U
#define SIM_REBOOT_MK_START	0x4d4b4c49U
#define SIM_REBOOT_MK_HALT	0x4d4b4c48U
#define SIM_REBOOT_MK_FORCE	0x4d4b4c46U
#define SIM_REBOOT_CAD_ON	0x89abcdefU
#define SIM_REBOOT_CAD_OFF	0x00000000U

/* ---- host description (host.c) ---- */

struct sim_ram {
	uint64_t base, size;
	int node;
};

struct sim_pcidesc {
	char bdf[16];
	unsigned int vendor, device, class;
	int node;
	char driver[32];
	int totalvfs;
	int pf;			/* index of the PF for a VF, else -1 */
	int vfindex;
};

struct sim_host {
	int ncpus;
	int threads;		/* per core */
	int nnodes;
	uint64_t *apic;		/* physical id of each logical CPU */
	int *cpu_node;
	int *cpu_core;
	int *cpu_thread;
	struct sim_ram *ram;
	int nram;
	uint64_t reserved;	/* low memory never given to the pool */
	uint64_t park_size;
	struct sim_pcidesc *pci;
	int npci;
	char *model_name;
	bool mkfs_mounted;
	/* existing pool at start */
	char *pool_cpus;	/* logical CPU list */
	char *pool_memory;	/* SIZE[@NODE],... */
	char *pool_devices;	/* BDF,... */
};

void sim_host_default(struct sim_host *h);
/* Parse a host description file; 0 or -1 with *err set (caller frees). */
int sim_host_load(struct sim_host *h, const char *path, char **err);
void sim_host_free(struct sim_host *h);
/* Parse "0-3,8" into a bitmap of n entries; 0 or -1. */
int sim_parse_cpulist(const char *s, bool *set, int n);
/* "16G", "512M", "4096", "0x1000"; 0 or -1. */
int sim_parse_size(const char *s, uint64_t *out);
extern const char sim_host_help[];

/* ---- the kernel state ---- */

enum sim_state {
	ST_EMPTY, ST_READY, ST_LOADED, ST_ACTIVE, ST_FAILED,
};

enum tx_status {
	TX_PENDING, TX_APPLIED, TX_FAILED, TX_REMOVED,
};

struct sim_cpu {
	uint64_t phys;
	bool in_pool;
	int inst;		/* owning instance id, 0 = free (in pool) */
};

struct sim_pci {
	bool in_pool;
	int inst;
	char *node;		/* baseline/device-add node name */
	char *alias;
	char *driver;		/* requested driver for an instance */
};

struct sim_plat {
	char *node;
	char *device_name;
	char *acpi_hid;
	int inst;
};

struct sim_chunk {
	uint64_t base, size;
	int node;
};

struct sim_region {
	uint64_t base, size;
	int node;
};

struct sim_image {
	char *path;
	uint64_t size;
	char *initrd;
	uint64_t initrd_size;
	char *cmdline;
	struct sim_region seg[8];
	int nseg;
};

struct sim_instance {
	int id;
	char *name;
	enum sim_state state;
	int *cpus;		/* host CPU indices; first = boot CPU */
	int ncpus;
	struct sim_region *reg;
	int nreg;
	int numa_node;
	void *host_tree;	/* chosen/multikernel,host-tree as a tiny DTB */
	struct sim_image *image;
	char *backlog;		/* console output nobody has read yet */
	size_t backlog_len;
	bool input_pending_nl;
};

struct sim_tx {
	int id;
	enum tx_status status;
	char *instance;
	char *resources;
	void *blob;
	size_t len;
};

/* A /dev/mktty connection. */
struct sim_tty {
	int id;			/* 0 until the handshake */
	char ring[SIM_TTY_RING];
	size_t head, len;
	void *poll;		/* opaque for the FUSE layer */
	struct sim_tty *next;
};

enum sim_fault_kind {
	F_TX_OP, F_BASELINE_ENOMEM, F_LOAD_ENOMEM, F_CPU_BUSY,
	F_HALT_TIMEOUT, F_RMDIR, F_NKINDS,
};

struct sim_fault {
	bool armed;
	long arg;		/* op number, phys CPU id, milliseconds */
	int err;
};

struct sim_kernel {
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* console data / shutdown */
	struct sim_host host;
	struct sim_cpu *cpu;	/* per logical CPU */
	struct sim_pci *pci;	/* per host PCI function */
	struct sim_plat *plat;
	int nplat;
	struct sim_chunk *chunk;	/* sorted by base */
	int nchunk;
	bool park;		/* park area set up */
	uint64_t park_base;
	bool baseline_done;
	struct sim_instance **inst;
	int ninst;
	struct sim_tx **tx;
	int ntx;
	int tx_counter;
	struct sim_tty *ttys;
	struct strbuf log;
	uint64_t t0_ns;
	struct sim_fault fault[F_NKINDS];
	bool host_kexec_loaded;
	void (*tty_wake)(struct sim_kernel *k, struct sim_tty *t);
	bool shutdown;
	char *mountpoint;
};

/* kernel.c */
struct sim_kernel *sim_new(const struct sim_host *host, char **err);
void sim_free(struct sim_kernel *k);
void sim_log(struct sim_kernel *k, const char *fmt, ...) PRINTF(2, 3);
const char *sim_errname(int err);
int sim_errno_parse(const char *s);
const char *sim_state_name(enum sim_state s);
const char *sim_tx_status_name(enum tx_status s);
int sim_cpu_by_phys(const struct sim_kernel *k, uint64_t phys);
int sim_pci_by_bdf(const struct sim_kernel *k, const char *bdf);
struct sim_instance *sim_inst_by_name(struct sim_kernel *k, const char *n);
struct sim_instance *sim_inst_by_id(struct sim_kernel *k, int id);
struct sim_tx *sim_tx_by_id(struct sim_kernel *k, int id);
bool sim_pool_exists(const struct sim_kernel *k);
int sim_pool_ncpus(const struct sim_kernel *k);
bool sim_fault_take(struct sim_kernel *k, enum sim_fault_kind kind,
		    long match, struct sim_fault *out);
int sim_fault_set(struct sim_kernel *k, const char *spec, char **msg);
char *sim_fault_list(struct sim_kernel *k);

/* memory (kernel.c) */
int sim_pool_grow(struct sim_kernel *k, uint64_t size, int node,
		  uint64_t *base);
int sim_pool_shrink(struct sim_kernel *k, uint64_t base, uint64_t size);
bool sim_range_in_pool(const struct sim_kernel *k, uint64_t base,
		       uint64_t size, int *chunk);
bool sim_range_used(const struct sim_kernel *k, uint64_t base,
		    uint64_t size);
int sim_alloc_instance_mem(struct sim_kernel *k, struct sim_instance *in,
			   uint64_t size, int node);
void sim_inst_add_region(struct sim_instance *in, uint64_t base,
			 uint64_t size, int node);
int sim_inst_remove_range(struct sim_instance *in, uint64_t base,
			  uint64_t size);
uint64_t sim_inst_mem(const struct sim_instance *in);
void sim_park_setup(struct sim_kernel *k);
int sim_cpu_to_pool(struct sim_kernel *k, int cpu);
void sim_inst_destroy(struct sim_kernel *k, struct sim_instance *in);
void sim_image_free(struct sim_image *img);

/* baseline.c */
long sim_baseline_write(struct sim_kernel *k, const void *buf, size_t len);
int sim_boot_pool(struct sim_kernel *k, char **err);

/* overlay.c */
long sim_overlay_write(struct sim_kernel *k, const void *buf, size_t len,
		       uint64_t off);
int sim_tx_rmdir(struct sim_kernel *k, int id);

/* pooltree.c */
int sim_pool_tree(struct sim_kernel *k, void **blob, size_t *len);
int sim_instance_tree(struct sim_kernel *k, struct sim_instance *in,
		      void **blob, size_t *len);
/* Copy node's properties and children into a sequential-write blob. */
int sim_copy_subtree(const void *fdt, int node, void *out);

/* kexec.c: the syscalls, after the supervisor has fetched the arguments */
struct sim_kexec_req {
	unsigned long flags;
	bool kernel_ok;		/* false: the caller passed a bad fd */
	bool initrd_ok;
	int elf_err;		/* sim_elf_check() of the image */
	uint64_t kseg[6];	/* its PT_LOAD sizes */
	int nkseg;
	uint64_t kernel_size, initrd_size;
	const char *kernel_path;
	const char *initrd_path;
	const char *cmdline;	/* NULL when cmdline_len was 0 */
	unsigned long cmdline_len;
	bool cmdline_fault;	/* could not read the caller's memory */
	bool cap_sys_boot;
};
long sim_kexec_file_load(struct sim_kernel *k,
			 const struct sim_kexec_req *r);
struct sim_reboot_req {
	unsigned int magic1, magic2, cmd;
	int mk_id;
	bool arg_fault;
	bool cap_sys_boot;
};
/* On a halt that times out, *wait_ms is set: sleep unlocked, then fail. */
long sim_reboot(struct sim_kernel *k, const struct sim_reboot_req *r,
		long *wait_ms);
int sim_elf_check(int fd, uint64_t *seg_sizes, int *nseg, int max);
/* Fill the image fields of r from the fds (no lock: may hit FUSE). */
void sim_kexec_inspect(struct sim_kexec_req *r, int kfd, int ifd);

/* mktty.c */
struct sim_tty *sim_tty_open(struct sim_kernel *k);
void sim_tty_close(struct sim_kernel *k, struct sim_tty *t);
long sim_tty_write(struct sim_kernel *k, struct sim_tty *t,
		   const char *buf, size_t len);
/* -EAGAIN when empty, -ENOTCONN before the handshake. */
long sim_tty_read(struct sim_kernel *k, struct sim_tty *t, char *buf,
		  size_t len);
void sim_console_out(struct sim_kernel *k, struct sim_instance *in,
		     const char *buf, size_t len);
void sim_console_printf(struct sim_kernel *k, struct sim_instance *in,
			const char *fmt, ...) PRINTF(3, 4);

/* text.c: /proc and /sys contents */
char *sim_text_cpuinfo(struct sim_kernel *k);
char *sim_text_iomem(struct sim_kernel *k, bool addrs);
char *sim_text_mounts(struct sim_kernel *k);
char *sim_text_meminfo(struct sim_kernel *k, int node);
char *sim_cpulist(const bool *set, int n);

#endif
