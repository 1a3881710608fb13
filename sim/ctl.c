// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control socket: how "mksim stop/log/fault" and the seccomp
 * supervisor of "mksim run" talk to the daemon.  It lives outside the
 * mount (/run/mksim/<hash of the mount point>.sock) so that a dead mount
 * never hides it.  One SOCK_SEQPACKET message per request and reply;
 * file descriptors travel with SCM_RIGHTS.
 */
#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static const char *rundir(void)
{
	static char dir[128];
	struct stat st;

	if (dir[0])
		return dir;
	if (getenv("MKSIM_RUNDIR") && *getenv("MKSIM_RUNDIR"))
		snprintf(dir, sizeof(dir), "%s", getenv("MKSIM_RUNDIR"));
	else if (geteuid() == 0)
		snprintf(dir, sizeof(dir), "/run/mksim");
	else
		snprintf(dir, sizeof(dir), "/tmp/mksim-%u",
			 (unsigned int)geteuid());
	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(dir, sizeof(dir), "/tmp/mksim-%u",
			 (unsigned int)geteuid());
		mkdir(dir, 0700);
	}
	if (stat(dir, &st) == 0 && st.st_uid != geteuid())
		fprintf(stderr, "mksim: warning: %s is not ours\n", dir);
	return dir;
}

char *ctl_path(const char *mnt, const char *suffix)
{
	return xasprintf("%s/%016llx.%s", rundir(),
			 (unsigned long long)fnv1a(mnt), suffix);
}

static void sun_for(const char *mnt, struct sockaddr_un *sun)
{
	char *p = ctl_path(mnt, "sock");

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", p);
	free(p);
}

int ctl_connect(const char *mnt)
{
	struct sockaddr_un sun;
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -errno;
	sun_for(mnt, &sun);
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun))) {
		int e = errno;

		close(s);
		return -e;
	}
	return s;
}

int ctl_send(int s, const struct ctl_msg *m, const int *fds, int nfds)
{
	struct iovec iov = { (void *)(uintptr_t)m, CTL_HDR + m->len };
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	if (sendmsg(s, &mh, MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

int ctl_recv(int s, struct ctl_msg *m, int *fds)
{
	struct iovec iov = { m, sizeof(*m) };
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	ssize_t n;

	if (fds)
		fds[0] = fds[1] = -1;
	n = recvmsg(s, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int nf = (int)((c->cmsg_len - CMSG_LEN(0)) /
				       sizeof(int)), i, got[2];

			memcpy(got, CMSG_DATA(c),
			       (nf > 2 ? 2 : nf) * sizeof(int));
			for (i = 0; i < nf && i < 2; i++) {
				if (fds)
					fds[i] = got[i];
				else
					close(got[i]);
			}
		}
	}
	if ((size_t)n < CTL_HDR || m->len > CTL_DATA_MAX ||
	    CTL_HDR + m->len != (size_t)n)
		return -EPROTO;
	return (int)n;
}

int ctl_call(const char *mnt, struct ctl_msg *m)
{
	int s = ctl_connect(mnt), r;

	if (s < 0)
		return s;
	r = ctl_send(s, m, NULL, 0);
	if (!r) {
		r = ctl_recv(s, m, NULL);
		if (r == 0)
			r = -ECONNRESET;
	}
	close(s);
	return r < 0 ? r : 0;
}

/* ---- daemon side ---- */

static struct sim_kernel *srv_k;
static int srv_fd = -1;
static pthread_mutex_t reboot_mutex = PTHREAD_MUTEX_INITIALIZER;
void (*ctl_stop_hook)(void);

static void reply(int s, struct ctl_msg *m, int err, const char *text)
{
	m->err = err;
	m->len = 0;
	if (text) {
		size_t n = strlen(text);

		if (n > CTL_DATA_MAX)
			n = CTL_DATA_MAX;
		memcpy(m->data, text, n);
		m->len = (uint32_t)n;
	}
	ctl_send(s, m, NULL, 0);
}

static void do_log(int s, struct ctl_msg *m)
{
	char *copy;
	size_t len, off;

	pthread_mutex_lock(&srv_k->lock);
	len = srv_k->log.len;
	copy = xmalloc(len + 1);
	memcpy(copy, srv_k->log.buf, len);
	pthread_mutex_unlock(&srv_k->lock);
	for (off = 0; off < len; off += m->len) {
		m->err = 0;
		m->len = (uint32_t)(len - off > CTL_DATA_MAX ?
				    CTL_DATA_MAX : len - off);
		memcpy(m->data, copy + off, m->len);
		if (ctl_send(s, m, NULL, 0))
			break;
	}
	free(copy);
	reply(s, m, 0, NULL);
}

static void do_kexec(int s, struct ctl_msg *m, int *fds)
{
	struct sim_kexec_req r = { 0 };
	const char *p = m->data, *end = m->data + m->len;
	int fi = 0, kfd, ifd;
	long ret;

	r.flags = (unsigned long)m->a[0];
	r.cmdline_len = (unsigned long)m->a[1];
	r.cap_sys_boot = m->a[2] & CTL_K_CAP;
	r.cmdline_fault = m->a[2] & CTL_K_CMDFAULT;
	kfd = (m->a[2] & CTL_K_KFD) ? fds[fi++] : -1;
	ifd = (m->a[2] & CTL_K_IFD) ? fds[fi++] : -1;
	/* the image may live in our own mount: read it unlocked */
	sim_kexec_inspect(&r, kfd, ifd);
	if (r.cmdline_len && !r.cmdline_fault &&
	    r.cmdline_len < (unsigned long)m->len)
		r.cmdline = p;
	p += r.cmdline_len < (unsigned long)m->len ? r.cmdline_len : 0;
	if (p < end) {
		r.kernel_path = p;
		p += strnlen(p, end - p) + 1;
	}
	if (p < end)
		r.initrd_path = p;
	if (m->len)
		m->data[m->len - 1] = '\0';
	pthread_mutex_lock(&srv_k->lock);
	ret = sim_kexec_file_load(srv_k, &r);
	pthread_mutex_unlock(&srv_k->lock);
	reply(s, m, (int)-ret, NULL);
}

static void do_reboot(int s, struct ctl_msg *m)
{
	struct sim_reboot_req r;
	long ret, wait_ms = 0;

	r.magic1 = (unsigned int)m->a[0];
	r.magic2 = (unsigned int)m->a[1];
	r.cmd = (unsigned int)m->a[2];
	r.mk_id = (int)m->a[3];
	r.cap_sys_boot = m->a[4] & 1;
	r.arg_fault = m->a[4] & 2;
	/* the whole reboot syscall runs under system_transition_mutex */
	pthread_mutex_lock(&reboot_mutex);
	pthread_mutex_lock(&srv_k->lock);
	ret = sim_reboot(srv_k, &r, &wait_ms);
	pthread_mutex_unlock(&srv_k->lock);
	if (wait_ms > 0) {
		struct timespec ts = { wait_ms / 1000,
				       (wait_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	pthread_mutex_unlock(&reboot_mutex);
	reply(s, m, (int)-ret, NULL);
}

static void *conn_thread(void *arg)
{
	int s = (int)(intptr_t)arg, fds[2], r;
	struct ctl_msg *m = xmalloc(sizeof(*m));
	char *msg;

	while ((r = ctl_recv(s, m, fds)) > 0) {
		switch (m->op) {
		case CTL_PING:
			m->a[0] = getpid();
			reply(s, m, 0, NULL);
			break;
		case CTL_LOG:
			do_log(s, m);
			break;
		case CTL_FAULT:
			m->data[m->len < CTL_DATA_MAX ? m->len :
				CTL_DATA_MAX - 1] = '\0';
			pthread_mutex_lock(&srv_k->lock);
			if (!strcmp(m->data, "list")) {
				msg = sim_fault_list(srv_k);
				r = 0;
			} else {
				r = sim_fault_set(srv_k, m->data, &msg);
			}
			pthread_mutex_unlock(&srv_k->lock);
			reply(s, m, r ? EINVAL : 0, msg);
			free(msg);
			break;
		case CTL_KEXEC:
			do_kexec(s, m, fds);
			break;
		case CTL_REBOOT:
			do_reboot(s, m);
			break;
		case CTL_MOUNT:
			pthread_mutex_lock(&srv_k->lock);
			srv_k->host.mkfs_mounted = true;
			sim_log(srv_k, "multikernel: file system mounted");
			pthread_mutex_unlock(&srv_k->lock);
			reply(s, m, 0, NULL);
			break;
		case CTL_STOP:
			reply(s, m, 0, NULL);
			if (ctl_stop_hook)
				ctl_stop_hook();
			break;
		default:
			reply(s, m, EINVAL, "unknown request");
			break;
		}
		if (fds[0] >= 0)
			close(fds[0]);
		if (fds[1] >= 0)
			close(fds[1]);
	}
	free(m);
	close(s);
	return NULL;
}

static void *accept_thread(void *arg)
{
	for (;;) {
		pthread_t t;
		int c = accept4(srv_fd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		if (pthread_create(&t, NULL, conn_thread, (void *)(intptr_t)c))
			close(c);
		else
			pthread_detach(t);
	}
	return NULL;
}

int ctl_serve_start(struct sim_kernel *k, const char *mnt, int *listen_fd)
{
	struct sockaddr_un sun;
	pthread_t t;
	int s;

	srv_k = k;
	if (listen_fd && *listen_fd >= 0) {
		s = *listen_fd;
	} else {
		s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (s < 0)
			return -errno;
		sun_for(mnt, &sun);
		unlink(sun.sun_path);
		if (bind(s, (struct sockaddr *)&sun, sizeof(sun)) ||
		    listen(s, 16)) {
			int e = errno;

			close(s);
			return -e;
		}
		if (listen_fd)
			*listen_fd = s;
		return 0;	/* bound; threads start later */
	}
	srv_fd = s;
	if (pthread_create(&t, NULL, accept_thread, NULL))
		return -EAGAIN;
	pthread_detach(t);
	return 0;
}

void ctl_serve_stop(void)
{
	if (srv_fd >= 0)
		shutdown(srv_fd, SHUT_RDWR);
}
