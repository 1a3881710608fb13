// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mksim: a user-space simulator of the multikernel kernel (mk2 ABI).
 *
 *   mksim start DIR [--host FILE] [--foreground]
 *   mksim run DIR -- CMD...
 *   mksim stop DIR
 *   mksim log DIR
 *   mksim fault DIR KIND [ARGS]
 */
#define FUSE_USE_VERSION 312
#include <fuse.h>

#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern void (*ctl_stop_hook)(void);

static const char usage[] =
"usage: mksim COMMAND DIR [ARGS]\n"
"\n"
"A user-space simulator of the multikernel kernel (ABI v7.0-mk2).  One\n"
"FUSE mount at DIR plays the whole sysroot kerf looks at:\n"
"sys/fs/multikernel, proc/{cpuinfo,iomem,mounts}, sys/devices/system/\n"
"{cpu,node}, sys/bus/pci/devices, dev/mktty, and writable run/ and\n"
"var/lib/.  State lives in memory only, like a kernel's.\n"
"\n"
"commands:\n"
"  start DIR [--host FILE] [--foreground]\n"
"                       mount the simulated host at DIR (returns once the\n"
"                       mount is ready; a stale mount is cleaned first)\n"
"  run DIR -- CMD...    run CMD with kexec_file_load(), reboot() and\n"
"                       mount(\"multikernel\") answered by the simulator\n"
"                       (seccomp user notification); exit status of CMD\n"
"  stop DIR             unmount and stop the daemon (always unmounts)\n"
"  log DIR              print the simulated kernel log (like dmesg)\n"
"  status DIR           say whether mksim runs on DIR, and its pid\n"
"  fault DIR KIND [ARGS]\n"
"                       make the next matching operation fail:\n"
"      tx-op N [ERRNO]      operation N (1-based: each cpu@/memory@/pci@\n"
"                           item, instance-create, instance-remove) of the\n"
"                           next transaction fails (default EIO)\n"
"      baseline-enomem      the next baseline fails with ENOMEM\n"
"      load-enomem          the next kexec_file_load fails with ENOMEM\n"
"      cpu-busy PHYS        the CPU with that physical id cannot be\n"
"                           offlined or parked once (EBUSY)\n"
"      halt-timeout [MS]    the next graceful halt times out after MS\n"
"                           milliseconds (default 30000): ETIMEDOUT and\n"
"                           the instance stays active\n"
"      rmdir-fail [ERRNO]   the next transaction rmdir fails (default\n"
"                           EBUSY), status becomes failed\n"
"      list | clear         show / disarm the armed faults\n"
"\n";

static void help(void)
{
	fputs(usage, stdout);
	fputs(sim_host_help, stdout);
}

/* The absolute path of DIR, even when DIR is a dead FUSE mount. */
static char *abspath(const char *dir)
{
	char buf[PATH_MAX], *copy, *parent, *base, *r;

	if (realpath(dir, buf))
		return xstrdup(buf);
	copy = xstrdup(dir);
	parent = xstrdup(dirname(copy));
	free(copy);
	copy = xstrdup(dir);
	base = basename(copy);
	if (!realpath(parent, buf)) {
		free(parent);
		free(copy);
		return NULL;
	}
	r = xasprintf("%s/%s", strcmp(buf, "/") ? buf : "", base);
	free(parent);
	free(copy);
	return r;
}

static void unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

/* The fs type mounted at path (from mountinfo), or NULL. */
static char *mounted_type(const char *path)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], *type = NULL;

	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		char mp[4096], fst[256];
		char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 ||
		    sscanf(dash + 3, "%255s", fst) != 1)
			continue;
		unescape(mp);
		if (!strcmp(mp, path)) {
			free(type);
			type = xstrdup(fst);	/* the last one is on top */
		}
	}
	fclose(f);
	return type;
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	remove(p);
	return 0;
}

static void rm_rf(const char *p)
{
	nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static pid_t read_pid(const char *mnt)
{
	char *p = ctl_path(mnt, "pid"), *data, comm[64] = "";
	size_t len;
	pid_t pid = 0;

	if (!read_file(p, &data, &len)) {
		pid = (pid_t)atoi(data);
		free(data);
	}
	free(p);
	if (pid > 0) {
		char cp[64];
		FILE *f;

		snprintf(cp, sizeof(cp), "/proc/%d/comm", (int)pid);
		f = fopen(cp, "re");
		if (!f || !fgets(comm, sizeof(comm), f) ||
		    strncmp(comm, "mksim", 5))
			pid = 0;	/* not ours any more */
		if (f)
			fclose(f);
	}
	return pid;
}

static bool alive(pid_t pid)
{
	char p[64], *data, *s;
	size_t len;
	bool zombie = false;

	if (pid <= 0 || kill(pid, 0))
		return false;
	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	if (!read_file(p, &data, &len)) {
		s = strrchr(data, ')');
		zombie = s && (s[2] == 'Z' || s[2] == 'X');
		free(data);
	}
	return !zombie;
}

static void wait_gone(pid_t pid, int ms)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	while (alive(pid) && ms > 0) {
		nanosleep(&ts, NULL);
		ms -= 20;
	}
}

static void clean_runtime(const char *mnt)
{
	char *p;

	p = ctl_path(mnt, "sock");
	unlink(p);
	free(p);
	p = ctl_path(mnt, "pid");
	unlink(p);
	free(p);
	p = ctl_path(mnt, "store");
	rm_rf(p);
	free(p);
}

/* umount2(MNT_DETACH), or fusermount3 -u -z where we may not unmount. */
static int lazy_unmount(const char *mnt)
{
	pid_t pid;
	int status;

	if (umount2(mnt, MNT_DETACH) == 0)
		return 0;
	if (errno != EPERM)
		return -errno;
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("fusermount3", "fusermount3", "-u", "-z", mnt,
		       (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -EPERM;
	return 0;
}

/* Detach whatever FUSE mount (live or dead) sits at mnt. */
static bool detach_fuse(const char *mnt)
{
	char *t = mounted_type(mnt);
	bool done = false;

	if (t && !strncmp(t, "fuse", 4)) {
		int r = lazy_unmount(mnt);

		if (r == 0)
			done = true;
		else
			fprintf(stderr, "mksim: umount %s: %s\n", mnt,
				strerror(-r));
	}
	free(t);
	return done;
}

static int cmd_stop(const char *dir)
{
	char *mnt = abspath(dir);
	struct ctl_msg *m;
	pid_t pid;
	bool was = false;

	if (!mnt) {
		fprintf(stderr, "mksim: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	pid = read_pid(mnt);
	m = xzalloc(sizeof(*m));
	m->op = CTL_STOP;
	if (ctl_call(mnt, m) == 0)
		was = true;
	free(m);
	if (pid > 0) {
		was = true;
		wait_gone(pid, 5000);
		if (alive(pid)) {
			kill(pid, SIGKILL);
			wait_gone(pid, 2000);
		}
	}
	if (detach_fuse(mnt))
		was = true;
	clean_runtime(mnt);
	if (!was)
		fprintf(stderr, "mksim: nothing was running on %s\n", mnt);
	free(mnt);
	return 0;
}

/* ---- the daemon ---- */

static struct fuse *g_fuse;
static struct sim_kernel *g_k;
static char *g_mnt;

static void stop_now(void)
{
	static pthread_mutex_t once = PTHREAD_MUTEX_INITIALIZER;
	static bool done;

	pthread_mutex_lock(&once);
	if (!done) {
		done = true;
		pthread_mutex_lock(&g_k->lock);
		g_k->shutdown = true;
		pthread_cond_broadcast(&g_k->cond);
		pthread_mutex_unlock(&g_k->lock);
		fuse_exit(g_fuse);
		/* wakes the workers blocked reading /dev/fuse */
		lazy_unmount(g_mnt);
	}
	pthread_mutex_unlock(&once);
}

static void *signal_thread(void *arg)
{
	sigset_t *set = arg;
	int sig;

	while (sigwait(set, &sig) == 0)
		if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) {
			stop_now();
			break;
		}
	return NULL;
}

static void report(int fd, const char *fmt, ...) PRINTF(2, 3);

static void report(int fd, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			fprintf(stderr, "%s\n", s);
	} else {
		fprintf(stderr, "%s\n", s);
	}
	free(s);
}

static int daemon_main(struct sim_host *host, const char *mnt, int ready,
		       bool fg)
{
	static sigset_t set;
	struct fs_ctx ctx = { 0 };
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_loop_config *cfg;
	char *err = NULL, *store, *pidp;
	int lfd = -1, r, devnull;
	pthread_t st;
	FILE *pf;

	g_mnt = xstrdup(mnt);
	g_k = sim_new(host, &err);
	if (!g_k) {
		report(ready, "mksim: host description: %s", err);
		free(err);
		return 1;
	}
	g_k->mountpoint = xstrdup(mnt);
	store = ctl_path(mnt, "store");
	rm_rf(store);
	if (mkdir(store, 0755) && errno != EEXIST) {
		report(ready, "mksim: %s: %s", store, strerror(errno));
		return 1;
	}
	ctx.store_fd = open(store, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ctx.store_fd < 0 || mkdirat(ctx.store_fd, "run", 0755) ||
	    mkdirat(ctx.store_fd, "var", 0755) ||
	    mkdirat(ctx.store_fd, "var/lib", 0755)) {
		report(ready, "mksim: %s: %s", store, strerror(errno));
		return 1;
	}
	free(store);
	ctx.k = g_k;
	mksim_fs_setup(&ctx);
	fuse_opt_add_arg(&args, "mksim");
	fuse_opt_add_arg(&args, "-o");
	fuse_opt_add_arg(&args, geteuid() == 0 ?
			 "allow_other,default_permissions,fsname=mksim,"
			 "subtype=mksim" :
			 "default_permissions,fsname=mksim,subtype=mksim");
	g_fuse = fuse_new(&args, &mksim_ops, sizeof(mksim_ops), &ctx);
	fuse_opt_free_args(&args);
	if (!g_fuse) {
		report(ready, "mksim: cannot create the FUSE file system");
		return 1;
	}
	ctx.fuse = g_fuse;
	if (fuse_mount(g_fuse, mnt)) {
		report(ready, "mksim: cannot mount on %s (is /dev/fuse "
		       "usable?)", mnt);
		return 1;
	}
	r = ctl_serve_start(g_k, mnt, &lfd);
	if (r) {
		fuse_unmount(g_fuse);
		report(ready, "mksim: control socket: %s", strerror(-r));
		return 1;
	}
	pidp = ctl_path(mnt, "pid");
	pf = fopen(pidp, "we");
	if (pf) {
		fprintf(pf, "%d\n", (int)getpid());
		fclose(pf);
	}
	ctl_stop_hook = stop_now;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_create(&st, NULL, signal_thread, &set);
	pthread_detach(st);
	ctl_serve_start(g_k, mnt, &lfd);
	sim_log(g_k, "mksim: sysroot mounted on %s", mnt);
	if (ready >= 0) {
		if (write(ready, "OK", 2) != 2)
			return 1;
		close(ready);
	}
	if (!fg) {
		devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
			if (devnull > 2)
				close(devnull);
		}
	}
	cfg = fuse_loop_cfg_create();
	fuse_loop_cfg_set_max_threads(cfg, 64);
	r = fuse_loop_mt(g_fuse, cfg);
	fuse_loop_cfg_destroy(cfg);
	stop_now();
	ctl_serve_stop();
	fuse_unmount(g_fuse);
	clean_runtime(mnt);
	free(pidp);
	/* detached control threads may still look at the kernel: no free */
	return r < 0 ? 1 : 0;
}

static int cmd_start(const char *dir, const char *hostfile, bool fg)
{
	struct sim_host host;
	struct ctl_msg *m;
	char *mnt, *err = NULL, *t, buf[1024];
	struct stat st;
	int p[2], r;
	pid_t pid;
	ssize_t n;
	bool live;

	if (hostfile) {
		if (sim_host_load(&host, hostfile, &err)) {
			fprintf(stderr, "mksim: %s\n", err);
			free(err);
			return 1;
		}
	} else {
		sim_host_default(&host);
	}
	if (mkdir(dir, 0755) && errno != EEXIST && errno != ENOTCONN) {
		fprintf(stderr, "mksim: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	mnt = abspath(dir);
	if (!mnt) {
		fprintf(stderr, "mksim: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	m = xzalloc(sizeof(*m));
	m->op = CTL_PING;
	r = ctl_call(mnt, m);
	free(m);
	t = mounted_type(mnt);
	live = t != NULL;
	free(t);
	if (r == 0 && live) {
		fprintf(stderr, "mksim: already running on %s (mksim stop "
			"%s first)\n", mnt, dir);
		sim_host_free(&host);
		free(mnt);
		return 1;
	}
	/* a crashed mksim: dead mount (ENOTCONN) or orphaned runtime files */
	if (stat(mnt, &st) && errno == ENOTCONN)
		fprintf(stderr, "mksim: cleaning a stale mount on %s\n", mnt);
	{
		pid_t old = read_pid(mnt);

		if (old > 0 && alive(old)) {
			kill(old, SIGKILL);
			wait_gone(old, 2000);
		}
	}
	detach_fuse(mnt);
	clean_runtime(mnt);
	t = mounted_type(mnt);
	if (t) {
		fprintf(stderr, "mksim: %s is already a mount point (%s)\n",
			mnt, t);
		return 1;
	}
	if (stat(mnt, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "mksim: %s is not a directory\n", mnt);
		return 1;
	}
	if (fg) {
		r = daemon_main(&host, mnt, -1, true);
		free(mnt);
		return r;
	}
	if (pipe2(p, O_CLOEXEC)) {
		perror("mksim: pipe");
		return 1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("mksim: fork");
		return 1;
	}
	if (pid == 0) {
		close(p[0]);
		setsid();
		if (chdir("/"))
			_exit(1);
		_exit(daemon_main(&host, mnt, p[1], false));
	}
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	sim_host_free(&host);
	if (n == 2 && !memcmp(buf, "OK", 2)) {
		free(mnt);
		return 0;
	}
	if (n > 0) {
		buf[n] = '\0';
		fprintf(stderr, "%s\n", buf);
	} else {
		fprintf(stderr, "mksim: the daemon died during start\n");
	}
	free(mnt);
	return 1;
}

static int cmd_status(const char *dir)
{
	char *mnt = abspath(dir);
	struct ctl_msg *m;
	int r;

	if (!mnt)
		return 1;
	m = xzalloc(sizeof(*m));
	m->op = CTL_PING;
	r = ctl_call(mnt, m);
	if (r)
		printf("mksim: not running on %s\n", mnt);
	else
		printf("mksim: running on %s, pid %lld\n", mnt,
		       (long long)m->a[0]);
	free(m);
	free(mnt);
	return r ? 1 : 0;
}

static int cmd_log(const char *dir)
{
	char *mnt = abspath(dir);
	struct ctl_msg *m;
	int s, r = 1;

	if (!mnt)
		return 1;
	s = ctl_connect(mnt);
	if (s < 0) {
		fprintf(stderr, "mksim: not running on %s\n", mnt);
		free(mnt);
		return 1;
	}
	m = xzalloc(sizeof(*m));
	m->op = CTL_LOG;
	if (!ctl_send(s, m, NULL, 0)) {
		while (ctl_recv(s, m, NULL) > 0 && m->len)
			fwrite(m->data, 1, m->len, stdout);
		r = 0;
	}
	close(s);
	free(m);
	free(mnt);
	return r;
}

static int cmd_fault(const char *dir, int argc, char **argv)
{
	char *mnt = abspath(dir);
	struct ctl_msg *m;
	struct strbuf sb;
	int i, r;

	if (!mnt)
		return 1;
	sb_init(&sb);
	for (i = 0; i < argc; i++)
		sb_addf(&sb, "%s%s", i ? " " : "", argv[i]);
	m = xzalloc(sizeof(*m));
	m->op = CTL_FAULT;
	m->len = (uint32_t)(sb.len < 1000 ? sb.len : 1000);
	memcpy(m->data, sb.buf, m->len);
	sb_free(&sb);
	r = ctl_call(mnt, m);
	if (r) {
		fprintf(stderr, "mksim: not running on %s\n", mnt);
	} else {
		if (m->len)
			printf("%.*s%s", (int)m->len, m->data,
			       m->data[m->len - 1] == '\n' ? "" : "\n");
		r = m->err ? 1 : 0;
	}
	free(m);
	free(mnt);
	return r;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	char *mnt;
	int i, r;

	if (!cmd || !strcmp(cmd, "--help") || !strcmp(cmd, "-h") ||
	    !strcmp(cmd, "help")) {
		help();
		return cmd ? 0 : 2;
	}
	if (argc < 3) {
		fprintf(stderr, "mksim: %s needs a directory\n%s", cmd, usage);
		return 2;
	}
	if (!strcmp(cmd, "start")) {
		const char *host = NULL;
		bool fg = false;

		for (i = 3; i < argc; i++) {
			if (!strcmp(argv[i], "--host") && i + 1 < argc)
				host = argv[++i];
			else if (!strncmp(argv[i], "--host=", 7))
				host = argv[i] + 7;
			else if (!strcmp(argv[i], "--foreground") ||
				 !strcmp(argv[i], "-f"))
				fg = true;
			else {
				fprintf(stderr, "mksim: start: unknown "
					"argument '%s'\n", argv[i]);
				return 2;
			}
		}
		return cmd_start(argv[2], host, fg);
	}
	if (!strcmp(cmd, "stop"))
		return cmd_stop(argv[2]);
	if (!strcmp(cmd, "log"))
		return cmd_log(argv[2]);
	if (!strcmp(cmd, "status"))
		return cmd_status(argv[2]);
	if (!strcmp(cmd, "fault")) {
		if (argc < 4) {
			fprintf(stderr, "mksim: fault DIR KIND [ARGS]\n");
			return 2;
		}
		return cmd_fault(argv[2], argc - 3, argv + 3);
	}
	if (!strcmp(cmd, "run")) {
		i = 3;
		if (i < argc && !strcmp(argv[i], "--"))
			i++;
		if (i >= argc) {
			fprintf(stderr, "mksim: run DIR -- CMD...\n");
			return 2;
		}
		mnt = abspath(argv[2]);
		if (!mnt) {
			fprintf(stderr, "mksim: %s: %s\n", argv[2],
				strerror(errno));
			return 1;
		}
		r = supervise(mnt, argv + i);
		free(mnt);
		return r;
	}
	fprintf(stderr, "mksim: unknown command '%s'\n%s", cmd, usage);
	return 2;
}
