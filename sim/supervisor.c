// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "mksim run DIR -- CMD": run CMD under a seccomp filter that hands
 * kexec_file_load(), reboot(), kexec_load() and mount() to this
 * supervisor (SECCOMP_RET_USER_NOTIF).  The supervisor fetches the
 * arguments from the caller (its fds through /proc/PID/fd, its memory
 * through /proc/PID/mem), asks the daemon's simulated kernel and answers
 * with the result.  Every other syscall, and every mount() other than
 * the multikernel file system's, is the real one.
 */
#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define MKSIM_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define MKSIM_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "mksim run: unsupported architecture"
#endif

#define CMDLINE_READ_MAX 4096

static pid_t child_pid;

static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

static int install_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MKSIM_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_kexec_file_load, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_reboot, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_kexec_load, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mount, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};
	struct sock_fprog prog = { ARRAY_SIZE(f), f };
	long fd;

	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		     SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (fd < 0 && errno == EACCES) {
		/* without CAP_SYS_ADMIN a filter needs no_new_privs */
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			     SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	}
	return (int)fd;
}

static int send_fd(int s, int fd)
{
	char b = 0;
	struct iovec iov = { &b, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	memset(&u, 0, sizeof(u));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(s, &mh, 0) == 1 ? 0 : -1;
}

static int recv_fd(int s)
{
	char b;
	struct iovec iov = { &b, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(s, &mh, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static bool has_cap(pid_t pid, int cap)
{
	char path[64], *data, *p;
	size_t len;
	unsigned long long caps = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_file(path, &data, &len))
		return false;
	p = strstr(data, "CapEff:");
	if (p)
		caps = strtoull(p + 7, NULL, 16);
	free(data);
	return caps & (1ULL << cap);
}

static int read_mem(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	char path[64];
	int fd;
	ssize_t n;

	if (!addr)
		return -EFAULT;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -EFAULT;
	n = pread(fd, buf, len, (off_t)addr);
	close(fd);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

/* A string from the caller's memory (mount's fstype). */
static int read_str(pid_t pid, uint64_t addr, char *buf, size_t max)
{
	size_t i;

	for (i = 0; i + 1 < max; i++) {
		if (read_mem(pid, addr + i, &buf[i], 1))
			return -EFAULT;
		if (!buf[i])
			return 0;
	}
	buf[max - 1] = '\0';
	return 0;
}

/* Open the caller's fd N; our fd or -1, and its path for the logs. */
static int caller_fd(pid_t pid, int n, char *path, size_t plen)
{
	char p[64];
	ssize_t l;

	path[0] = '\0';
	if (n < 0)
		return -1;
	snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)pid, n);
	l = readlink(p, path, plen - 1);
	path[l > 0 ? l : 0] = '\0';
	return open(p, O_RDONLY | O_CLOEXEC);
}

static int ask(int ctl, struct ctl_msg *m, const int *fds, int nfds)
{
	int r = ctl_send(ctl, m, fds, nfds);

	if (r)
		return r;
	r = ctl_recv(ctl, m, NULL);
	if (r <= 0)
		return r ? r : -ECONNRESET;
	return -m->err;
}

static int do_kexec(int ctl, pid_t pid, const uint64_t *args)
{
	struct ctl_msg *m = xzalloc(sizeof(*m));
	unsigned long flags = (unsigned long)args[4];
	uint64_t clen = args[2];
	char kpath[1024], ipath[1024];
	int fds[2], nfds = 0, kfd = -1, ifd = -1, r;
	size_t off = 0;

	m->op = CTL_KEXEC;
	m->a[0] = (int64_t)flags;
	m->a[1] = (int64_t)clen;
	m->a[2] = has_cap(pid, 22) ? CTL_K_CAP : 0;	/* CAP_SYS_BOOT */
	kpath[0] = ipath[0] = '\0';
	if (clen > CMDLINE_READ_MAX) {
		free(m);
		return -EINVAL;
	}
	if (!(flags & SIM_KEXEC_UNLOAD)) {
		kfd = caller_fd(pid, (int)args[0], kpath, sizeof(kpath));
		if (kfd >= 0) {
			fds[nfds++] = kfd;
			m->a[2] |= CTL_K_KFD;
		}
		if (!(flags & SIM_KEXEC_NO_INITRAMFS)) {
			ifd = caller_fd(pid, (int)args[1], ipath,
					sizeof(ipath));
			if (ifd >= 0) {
				fds[nfds++] = ifd;
				m->a[2] |= CTL_K_IFD;
			}
		}
	}
	if (clen) {
		if (read_mem(pid, args[3], m->data, clen))
			m->a[2] |= CTL_K_CMDFAULT;
		off = clen;
	}
	off += (size_t)snprintf(m->data + off, 1024, "%s", kpath) + 1;
	off += (size_t)snprintf(m->data + off, 1024, "%s", ipath) + 1;
	m->len = (uint32_t)off;
	r = ask(ctl, m, fds, nfds);
	if (kfd >= 0)
		close(kfd);
	if (ifd >= 0)
		close(ifd);
	free(m);
	return r;
}

static int do_reboot(int ctl, pid_t pid, const uint64_t *args)
{
	struct ctl_msg *m = xzalloc(sizeof(*m));
	unsigned int cmd = (unsigned int)args[2];
	int id = 0, r;

	m->op = CTL_REBOOT;
	m->a[0] = (uint32_t)args[0];
	m->a[1] = (uint32_t)args[1];
	m->a[2] = cmd;
	m->a[4] = has_cap(pid, 22) ? 1 : 0;
	if (cmd == SIM_REBOOT_MK_START || cmd == SIM_REBOOT_MK_HALT ||
	    cmd == SIM_REBOOT_MK_FORCE) {
		if (read_mem(pid, args[3], &id, sizeof(id)))
			m->a[4] |= 2;
	}
	m->a[3] = id;
	r = ask(ctl, m, NULL, 0);
	free(m);
	return r;
}

/* 1: let the real mount() run; else the result of the simulated one. */
static int do_mount(int ctl, pid_t pid, const uint64_t *args)
{
	char type[64];
	struct ctl_msg *m;
	int r;

	if (!args[2] || read_str(pid, args[2], type, sizeof(type)) ||
	    strcmp(type, "multikernel"))
		return 1;
	if (!has_cap(pid, 21))	/* CAP_SYS_ADMIN */
		return -EPERM;
	m = xzalloc(sizeof(*m));
	m->op = CTL_MOUNT;
	r = ask(ctl, m, NULL, 0);
	free(m);
	return r;
}

static void handle(int lfd, int ctl, struct seccomp_notif *req,
		   struct seccomp_notif_resp *resp)
{
	const uint64_t *a = (const uint64_t *)req->data.args;
	int r;

	memset(resp, 0, sizeof(*resp));
	resp->id = req->id;
	switch (req->data.nr) {
	case __NR_kexec_file_load:
		r = do_kexec(ctl, req->pid, a);
		break;
	case __NR_reboot:
		r = do_reboot(ctl, req->pid, a);
		break;
	case __NR_mount:
		r = do_mount(ctl, req->pid, a);
		if (r == 1) {
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
			r = 0;
		}
		break;
	default:
		r = -EPERM;	/* kexec_load: never on the real host */
		break;
	}
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id))
		return;	/* the caller is gone */
	resp->error = r < 0 ? r : 0;
	resp->val = 0;
	ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, resp);
}

int supervise(const char *mnt, char **argv)
{
	struct seccomp_notif_sizes sz;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	struct sigaction sa;
	int sp[2], lfd, ctl, pidfd, status = 0;
	bool done = false;

	ctl = ctl_connect(mnt);
	if (ctl < 0) {
		fprintf(stderr, "mksim: no mksim running on %s (%s)\n", mnt,
			strerror(-ctl));
		return 1;
	}
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz)) {
		perror("mksim: seccomp user notification unavailable");
		return 1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp)) {
		perror("mksim: socketpair");
		return 1;
	}
	child_pid = fork();
	if (child_pid < 0) {
		perror("mksim: fork");
		return 1;
	}
	if (child_pid == 0) {
		close(sp[0]);
		close(ctl);
		lfd = install_filter();
		if (lfd < 0) {
			perror("mksim: seccomp filter");
			_exit(126);
		}
		if (send_fd(sp[1], lfd))
			_exit(126);
		close(lfd);
		close(sp[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "mksim: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(sp[1]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	lfd = recv_fd(sp[0]);
	close(sp[0]);
	pidfd = (int)syscall(SYS_pidfd_open, child_pid, 0);
	req = xzalloc(sz.seccomp_notif > sizeof(*req) ? sz.seccomp_notif :
		      sizeof(*req));
	resp = xzalloc(sz.seccomp_notif_resp > sizeof(*resp) ?
		       sz.seccomp_notif_resp : sizeof(*resp));
	while (!done && lfd >= 0) {
		struct pollfd p[2] = { { lfd, POLLIN, 0 },
				       { pidfd, POLLIN, 0 } };

		if (poll(p, pidfd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents & POLLIN) {
			memset(req, 0, sz.seccomp_notif);
			if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, req) == 0)
				handle(lfd, ctl, req, resp);
			continue;
		}
		if ((p[1].revents & POLLIN) || (p[0].revents & POLLHUP))
			done = true;
	}
	while (waitpid(child_pid, &status, 0) < 0 && errno == EINTR)
		;
	free(req);
	free(resp);
	if (lfd >= 0)
		close(lfd);
	if (pidfd >= 0)
		close(pidfd);
	close(ctl);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}
