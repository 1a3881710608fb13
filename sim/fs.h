/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The FUSE sysroot, the control socket and the seccomp supervisor. */
#ifndef MKSIM_FS_H
#define MKSIM_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

struct fuse;

/* fs.c */
extern const struct fuse_operations mksim_ops;
struct fs_ctx {
	struct sim_kernel *k;
	int store_fd;		/* backing directory of run/ and var/lib/ */
	struct fuse *fuse;
};
extern struct fs_ctx *mksim_fs;
void mksim_fs_setup(struct fs_ctx *ctx);

/* ctl.c: a SOCK_SEQPACKET protocol between the CLI/supervisor/daemon */
enum ctl_op {
	CTL_PING = 1, CTL_STOP, CTL_LOG, CTL_FAULT, CTL_KEXEC, CTL_REBOOT,
	CTL_MOUNT,
};

#define CTL_DATA_MAX	(60 * 1024)

struct ctl_msg {
	uint32_t op;
	int32_t err;
	int64_t a[6];
	uint32_t len;
	char data[CTL_DATA_MAX];
};

#define CTL_HDR		offsetof(struct ctl_msg, data)

/* kexec bits in a[2] */
#define CTL_K_CAP	1
#define CTL_K_CMDFAULT	2
#define CTL_K_KFD	4
#define CTL_K_IFD	8

/* Runtime paths of the mount at mnt (absolute): socket, pid, store. */
char *ctl_path(const char *mnt, const char *suffix);
int ctl_connect(const char *mnt);
/* Send with up to 2 fds; 0 or -errno. */
int ctl_send(int s, const struct ctl_msg *m, const int *fds, int nfds);
/* Receive; fds get up to 2 fds (-1 when absent); bytes or -errno. */
int ctl_recv(int s, struct ctl_msg *m, int *fds);
/* One request, one reply (for simple ops). */
int ctl_call(const char *mnt, struct ctl_msg *m);

/* daemon side */
int ctl_serve_start(struct sim_kernel *k, const char *mnt, int *listen_fd);
void ctl_serve_stop(void);

/* supervisor.c: run argv under a seccomp user-notification filter */
int supervise(const char *mnt, char **argv);

#endif
