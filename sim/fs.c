// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The FUSE sysroot: a thin layer that maps paths onto the simulated
 * kernel (sys/fs/multikernel, dev/mktty), generated /proc and /sys text,
 * and two ordinary writable directories (run/, var/lib/) kept in a
 * backing directory outside the mount.
 */
#define FUSE_USE_VERSION 312
#include <fuse.h>

#include "fs.h"

#include <dirent.h>
#include <libfdt.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

struct fs_ctx *mksim_fs;

enum ntype {
	N_NONE, N_DIR, N_TEXT, N_TREE, N_NEW, N_TXDIR, N_INSTDIR,
	N_MKTTY, N_LINK, N_PASS,
};

/* Generated files */
enum gen {
	G_NONE, G_CPUINFO, G_IOMEM, G_MOUNTS, G_CPU_POSSIBLE, G_CPU_PRESENT,
	G_CPU_ONLINE, G_CPU_OFFLINE, G_CPU_N_ONLINE, G_TOPO_PKG,
	G_TOPO_CORE, G_TOPO_SIBL, G_TOPO_CORESIB, G_TOPO_DIE,
	G_NODE_POSSIBLE, G_NODE_ONLINE, G_NODE_HASMEM, G_NODE_HASCPU,
	G_NODE_CPULIST, G_NODE_MEMINFO, G_NODE_DISTANCE, G_PCI_VENDOR,
	G_PCI_DEVICE, G_PCI_CLASS, G_PCI_NODE, G_PCI_TOTALVFS,
	G_PCI_NUMVFS, G_PCI_CPULIST, G_TX_ID, G_TX_STATUS, G_TX_INSTANCE,
	G_TX_RESOURCES, G_TX_DTBO, G_INST_ID, G_INST_STATUS, G_INST_TREE,
	G_POOL_TREE,
};

struct node {
	enum ntype t;
	enum gen g;
	mode_t mode;
	int a;			/* cpu/node/pci index, tx id, instance id */
	char link[128];
	const char *rel;	/* passthrough path relative to the store */
};

struct fh {
	enum ntype t;
	enum gen g;
	int a;
	char *data;
	size_t len;
	int fd;
	struct sim_tty *tty;
};

struct textfile {
	const char *name;
	enum gen g;
};

static const struct textfile cpu_files[] = {
	{ "possible", G_CPU_POSSIBLE }, { "present", G_CPU_PRESENT },
	{ "online", G_CPU_ONLINE }, { "offline", G_CPU_OFFLINE },
};

static const struct textfile topo_files[] = {
	{ "physical_package_id", G_TOPO_PKG }, { "core_id", G_TOPO_CORE },
	{ "thread_siblings_list", G_TOPO_SIBL },
	{ "core_cpus_list", G_TOPO_SIBL },
	{ "core_siblings_list", G_TOPO_CORESIB },
	{ "package_cpus_list", G_TOPO_CORESIB }, { "die_id", G_TOPO_DIE },
};

static const struct textfile node_files[] = {
	{ "possible", G_NODE_POSSIBLE }, { "online", G_NODE_ONLINE },
	{ "has_memory", G_NODE_HASMEM }, { "has_normal_memory", G_NODE_HASMEM },
	{ "has_cpu", G_NODE_HASCPU },
};

static const struct textfile noden_files[] = {
	{ "cpulist", G_NODE_CPULIST }, { "meminfo", G_NODE_MEMINFO },
	{ "distance", G_NODE_DISTANCE },
};

static const struct textfile pci_files[] = {
	{ "vendor", G_PCI_VENDOR }, { "device", G_PCI_DEVICE },
	{ "class", G_PCI_CLASS }, { "numa_node", G_PCI_NODE },
	{ "local_cpulist", G_PCI_CPULIST },
};

static const struct textfile tx_files[] = {
	{ "id", G_TX_ID }, { "status", G_TX_STATUS },
	{ "instance", G_TX_INSTANCE }, { "resources", G_TX_RESOURCES },
	{ "dtbo", G_TX_DTBO },
};

static const struct textfile inst_files[] = {
	{ "id", G_INST_ID }, { "status", G_INST_STATUS },
	{ "device_tree", G_INST_TREE },
};

static const char *const static_dirs[] = {
	"/", "/sys", "/sys/fs", "/sys/fs/multikernel",
	"/sys/fs/multikernel/instances", "/sys/fs/multikernel/overlays",
	"/sys/devices", "/sys/devices/system", "/sys/devices/system/cpu",
	"/sys/devices/system/node", "/sys/bus", "/sys/bus/pci",
	"/sys/bus/pci/devices", "/proc", "/dev", "/var",
};

#define MKFS "/sys/fs/multikernel"
#define SYSCPU "/sys/devices/system/cpu"
#define SYSNODE "/sys/devices/system/node"
#define SYSPCI "/sys/bus/pci/devices"

static struct sim_kernel *K(void)
{
	return mksim_fs->k;
}

static void lock(void)
{
	pthread_mutex_lock(&K()->lock);
}

static void unlock(void)
{
	pthread_mutex_unlock(&K()->lock);
}

static bool prefix(const char *path, const char *p, const char **rest)
{
	size_t n = strlen(p);

	if (strncmp(path, p, n) || (path[n] && path[n] != '/'))
		return false;
	*rest = path[n] ? path + n + 1 : path + n;
	return true;
}

static int find_text(const struct textfile *t, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return (int)i;
	return -1;
}

static int parse_num(const char *s, const char *pfx, const char **rest)
{
	size_t n = strlen(pfx);
	char *end;
	long v;

	if (strncmp(s, pfx, n) || s[n] < '0' || s[n] > '9')
		return -1;
	v = strtol(s + n, &end, 10);
	if ((*end && *end != '/') || v < 0 || v > 0x7fffffff ||
	    (s[n] == '0' && end != s + n + 1))
		return -1;
	*rest = *end ? end + 1 : end;
	return (int)v;
}

static void set_text(struct node *n, enum gen g, int a, mode_t mode)
{
	n->t = N_TEXT;
	n->g = g;
	n->a = a;
	n->mode = S_IFREG | mode;
}

static void set_dir(struct node *n, int a)
{
	n->t = N_DIR;
	n->a = a;
	n->mode = S_IFDIR | 0755;
}

static int resolve_cpu(const char *r, struct node *n)
{
	struct sim_kernel *k = K();
	const char *rest;
	int i, c;

	if (!*r) {
		set_dir(n, -1);
		return 0;
	}
	i = find_text(cpu_files, ARRAY_SIZE(cpu_files), r);
	if (i >= 0) {
		set_text(n, cpu_files[i].g, 0, 0444);
		return 0;
	}
	c = parse_num(r, "cpu", &rest);
	if (c < 0 || c >= k->host.ncpus)
		return -ENOENT;
	if (!*rest) {
		set_dir(n, c);
		return 0;
	}
	if (!strcmp(rest, "online") && c != 0) {
		set_text(n, G_CPU_N_ONLINE, c, 0644);
		return 0;
	}
	if (k->cpu[c].in_pool)
		return -ENOENT;	/* offline CPUs have no topology */
	if (!strcmp(rest, "topology")) {
		set_dir(n, c);
		return 0;
	}
	if (prefix(rest, "topology", &rest)) {
		i = find_text(topo_files, ARRAY_SIZE(topo_files), rest);
		if (i < 0)
			return -ENOENT;
		set_text(n, topo_files[i].g, c, 0444);
		return 0;
	}
	return -ENOENT;
}

static int resolve_node(const char *r, struct node *n)
{
	const char *rest;
	int i, nd;

	if (!*r) {
		set_dir(n, -1);
		return 0;
	}
	i = find_text(node_files, ARRAY_SIZE(node_files), r);
	if (i >= 0) {
		set_text(n, node_files[i].g, 0, 0444);
		return 0;
	}
	nd = parse_num(r, "node", &rest);
	if (nd < 0 || nd >= K()->host.nnodes)
		return -ENOENT;
	if (!*rest) {
		set_dir(n, nd);
		return 0;
	}
	i = find_text(noden_files, ARRAY_SIZE(noden_files), rest);
	if (i < 0)
		return -ENOENT;
	set_text(n, noden_files[i].g, nd, 0444);
	return 0;
}

static int resolve_pci(const char *r, struct node *n)
{
	struct sim_kernel *k = K();
	char bdf[32];
	const char *slash = strchr(r, '/'), *f;
	int idx, i, vf;

	if (!*r) {
		set_dir(n, -1);
		return 0;
	}
	snprintf(bdf, sizeof(bdf), "%.*s",
		 (int)(slash ? slash - r : (long)strlen(r)), r);
	idx = sim_pci_by_bdf(k, bdf);
	if (idx < 0 || strcmp(k->host.pci[idx].bdf, bdf))
		return -ENOENT;
	if (!slash) {
		set_dir(n, idx);
		return 0;
	}
	f = slash + 1;
	i = find_text(pci_files, ARRAY_SIZE(pci_files), f);
	if (i >= 0) {
		set_text(n, pci_files[i].g, idx, 0444);
		return 0;
	}
	if (k->host.pci[idx].totalvfs) {
		if (!strcmp(f, "sriov_totalvfs")) {
			set_text(n, G_PCI_TOTALVFS, idx, 0444);
			return 0;
		}
		if (!strcmp(f, "sriov_numvfs")) {
			set_text(n, G_PCI_NUMVFS, idx, 0644);
			return 0;
		}
		vf = parse_num(f, "virtfn", &f);
		if (vf >= 0 && !*f && vf < k->host.pci[idx].totalvfs) {
			for (i = 0; i < k->host.npci; i++)
				if (k->host.pci[i].pf == idx &&
				    k->host.pci[i].vfindex == vf)
					break;
			if (i == k->host.npci)
				return -ENOENT;
			n->t = N_LINK;
			n->mode = S_IFLNK | 0777;
			snprintf(n->link, sizeof(n->link), "../%s",
				 k->host.pci[i].bdf);
			return 0;
		}
	}
	if (!strcmp(f, "physfn") && k->host.pci[idx].pf >= 0) {
		n->t = N_LINK;
		n->mode = S_IFLNK | 0777;
		snprintf(n->link, sizeof(n->link), "../%s",
			 k->host.pci[k->host.pci[idx].pf].bdf);
		return 0;
	}
	if (!strcmp(f, "driver") && !k->pci[idx].in_pool &&
	    k->host.pci[idx].driver[0]) {
		n->t = N_LINK;
		n->mode = S_IFLNK | 0777;
		snprintf(n->link, sizeof(n->link), "../../drivers/%s",
			 k->host.pci[idx].driver);
		return 0;
	}
	return -ENOENT;
}

static int resolve_mkfs(const char *r, struct node *n)
{
	struct sim_kernel *k = K();
	const char *rest;
	int id, i;

	if (!strcmp(r, "device_tree")) {
		n->t = N_TREE;
		n->g = G_POOL_TREE;
		n->mode = S_IFREG | 0644;
		return 0;
	}
	if (prefix(r, "overlays", &rest) && *rest) {
		if (!strcmp(rest, "new")) {
			n->t = N_NEW;
			n->mode = S_IFREG | 0200;
			return 0;
		}
		id = parse_num(rest, "tx_", &rest);
		if (id < 0 || !sim_tx_by_id(k, id))
			return -ENOENT;
		if (!*rest) {
			n->t = N_TXDIR;
			n->a = id;
			n->mode = S_IFDIR | 0755;
			return 0;
		}
		i = find_text(tx_files, ARRAY_SIZE(tx_files), rest);
		if (i < 0)
			return -ENOENT;
		set_text(n, tx_files[i].g, id, 0444);
		return 0;
	}
	if (prefix(r, "instances", &rest) && *rest) {
		char name[256];
		const char *slash = strchr(rest, '/');
		struct sim_instance *in;

		snprintf(name, sizeof(name), "%.*s",
			 (int)(slash ? slash - rest : (long)strlen(rest)),
			 rest);
		in = sim_inst_by_name(k, name);
		if (!in)
			return -ENOENT;
		if (!slash) {
			n->t = N_INSTDIR;
			n->a = in->id;
			n->mode = S_IFDIR | 0755;
			return 0;
		}
		i = find_text(inst_files, ARRAY_SIZE(inst_files), slash + 1);
		if (i < 0)
			return -ENOENT;
		set_text(n, inst_files[i].g, in->id, 0444);
		return 0;
	}
	return -ENOENT;
}

/* Called with the lock held. */
static int resolve(const char *path, struct node *n)
{
	const char *r;
	size_t i;

	memset(n, 0, sizeof(*n));
	for (i = 0; i < ARRAY_SIZE(static_dirs); i++)
		if (!strcmp(path, static_dirs[i])) {
			set_dir(n, -1);
			return 0;
		}
	if (prefix(path, "/run", &r) || prefix(path, "/var/lib", &r)) {
		n->t = N_PASS;
		n->rel = path + 1;
		return 0;
	}
	if (prefix(path, MKFS, &r))
		return resolve_mkfs(r, n);
	if (prefix(path, SYSCPU, &r))
		return resolve_cpu(r, n);
	if (prefix(path, SYSNODE, &r))
		return resolve_node(r, n);
	if (prefix(path, SYSPCI, &r))
		return resolve_pci(r, n);
	if (!strcmp(path, "/proc/cpuinfo")) {
		set_text(n, G_CPUINFO, 0, 0444);
		return 0;
	}
	if (!strcmp(path, "/proc/iomem")) {
		set_text(n, G_IOMEM, 0, 0444);
		return 0;
	}
	if (!strcmp(path, "/proc/mounts")) {
		set_text(n, G_MOUNTS, 0, 0444);
		return 0;
	}
	if (!strcmp(path, "/dev/mktty")) {
		n->t = N_MKTTY;
		n->mode = S_IFREG | 0600;
		return 0;
	}
	return -ENOENT;
}

static char *online_list(struct sim_kernel *k, bool online)
{
	bool *set = xzalloc(k->host.ncpus * sizeof(bool));
	char *s;
	int i;

	for (i = 0; i < k->host.ncpus; i++)
		set[i] = k->cpu[i].in_pool != online;
	s = sim_cpulist(set, k->host.ncpus);
	free(set);
	return s;
}

static char *cpus_where(struct sim_kernel *k, int node, int core, int pkg)
{
	bool *set = xzalloc(k->host.ncpus * sizeof(bool));
	char *s;
	int i;

	for (i = 0; i < k->host.ncpus; i++) {
		if (k->cpu[i].in_pool)
			continue;
		if (node >= 0 && k->host.cpu_node[i] != node)
			continue;
		if (core >= 0 && k->host.cpu_core[i] != core)
			continue;
		if (pkg >= 0 && k->host.cpu_node[i] != pkg)
			continue;
		set[i] = true;
	}
	s = sim_cpulist(set, k->host.ncpus);
	free(set);
	return s;
}

static bool caller_is_admin(void)
{
	struct fuse_context *fc = fuse_get_context();
	char path[64], *data, *p;
	size_t len;
	unsigned long long caps = 0;

	if (!fc)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)fc->pid);
	if (read_file(path, &data, &len))
		return fc->uid == 0;
	p = strstr(data, "CapEff:");
	if (p)
		caps = strtoull(p + 7, NULL, 16);
	free(data);
	return caps & (1ULL << 21);	/* CAP_SYS_ADMIN */
}

/* Generate a file's content; lock held.  0 or -errno. */
static int generate(enum gen g, int a, char **data, size_t *len)
{
	struct sim_kernel *k = K();
	struct sim_tx *tx = NULL;
	struct sim_instance *in = NULL;
	char *s = NULL, *t;
	void *blob;
	int i, c;

	if (g >= G_TX_ID && g <= G_TX_DTBO) {
		tx = sim_tx_by_id(k, a);
		if (!tx)
			return -ENODEV;
	}
	if (g >= G_INST_ID && g <= G_INST_TREE) {
		in = sim_inst_by_id(k, a);
		if (!in)
			return -ENODEV;
	}
	switch (g) {
	case G_CPUINFO:
		s = sim_text_cpuinfo(k);
		break;
	case G_IOMEM:
		s = sim_text_iomem(k, caller_is_admin());
		break;
	case G_MOUNTS:
		s = sim_text_mounts(k);
		break;
	case G_CPU_POSSIBLE:
	case G_CPU_PRESENT:
		s = xasprintf("0-%d\n", k->host.ncpus - 1);
		break;
	case G_CPU_ONLINE:
	case G_CPU_OFFLINE:
		t = online_list(k, g == G_CPU_ONLINE);
		s = xasprintf("%s\n", t);
		free(t);
		break;
	case G_CPU_N_ONLINE:
		s = xasprintf("%d\n", !k->cpu[a].in_pool);
		break;
	case G_TOPO_PKG:
		s = xasprintf("%d\n", k->host.cpu_node[a]);
		break;
	case G_TOPO_CORE:
		s = xasprintf("%d\n", k->host.cpu_core[a]);
		break;
	case G_TOPO_DIE:
		s = xstrdup("0\n");
		break;
	case G_TOPO_SIBL:
		t = cpus_where(k, -1, k->host.cpu_core[a], -1);
		s = xasprintf("%s\n", t);
		free(t);
		break;
	case G_TOPO_CORESIB:
		t = cpus_where(k, -1, -1, k->host.cpu_node[a]);
		s = xasprintf("%s\n", t);
		free(t);
		break;
	case G_NODE_POSSIBLE:
	case G_NODE_ONLINE:
	case G_NODE_HASMEM:
	case G_NODE_HASCPU:
		s = k->host.nnodes > 1 ?
			xasprintf("0-%d\n", k->host.nnodes - 1) :
			xstrdup("0\n");
		break;
	case G_NODE_CPULIST:
		t = cpus_where(k, a, -1, -1);
		s = xasprintf("%s\n", t);
		free(t);
		break;
	case G_NODE_MEMINFO:
		s = sim_text_meminfo(k, a);
		break;
	case G_NODE_DISTANCE: {
		struct strbuf sb;

		sb_init(&sb);
		for (i = 0; i < k->host.nnodes; i++)
			sb_addf(&sb, "%s%d", i ? " " : "", i == a ? 10 : 21);
		sb_addc(&sb, '\n');
		s = sb_detach(&sb, NULL);
		break;
	}
	case G_PCI_VENDOR:
		s = xasprintf("0x%04x\n", k->host.pci[a].vendor);
		break;
	case G_PCI_DEVICE:
		s = xasprintf("0x%04x\n", k->host.pci[a].device);
		break;
	case G_PCI_CLASS:
		s = xasprintf("0x%06x\n", k->host.pci[a].class);
		break;
	case G_PCI_NODE:
		s = xasprintf("%d\n", k->host.pci[a].node);
		break;
	case G_PCI_CPULIST:
		t = cpus_where(k, k->host.pci[a].node, -1, -1);
		s = xasprintf("%s\n", t);
		free(t);
		break;
	case G_PCI_TOTALVFS:
	case G_PCI_NUMVFS:
		s = xasprintf("%d\n", k->host.pci[a].totalvfs);
		break;
	case G_TX_ID:
		s = xasprintf("%d\n", tx->id);
		break;
	case G_TX_STATUS:
		s = xasprintf("%s\n", sim_tx_status_name(tx->status));
		break;
	case G_TX_INSTANCE:
		s = xasprintf("%s\n", tx->instance);
		break;
	case G_TX_RESOURCES:
		s = xasprintf("%s\n", tx->resources);
		break;
	case G_TX_DTBO:
		*data = xmalloc(tx->len + 1);
		memcpy(*data, tx->blob, tx->len);
		*len = tx->len;
		return 0;
	case G_INST_ID:
		s = xasprintf("%d\n", in->id);
		break;
	case G_INST_STATUS:
		s = xasprintf("%s\n", sim_state_name(in->state));
		break;
	case G_INST_TREE:
	case G_POOL_TREE:
		c = g == G_POOL_TREE ? sim_pool_tree(k, &blob, len) :
			sim_instance_tree(k, in, &blob, len);
		if (c)
			return c;
		*data = blob;
		return 0;
	default:
		return -EIO;
	}
	*data = s;
	*len = strlen(s);
	return 0;
}

/* ---- passthrough helpers ---- */

static int store(void)
{
	return mksim_fs->store_fd;
}

static int errno_neg(int r)
{
	return r < 0 ? -errno : r;
}

/* ---- operations ---- */

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	conn->max_write = SIM_BASELINE_MAX;
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->hard_remove = 1;
	cfg->use_ino = 0;
	cfg->intr = 1;
	return mksim_fs;
}

static int op_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	struct node n;
	int r;

	memset(st, 0, sizeof(*st));
	lock();
	r = resolve(path, &n);
	unlock();
	if (r)
		return r;
	if (n.t == N_PASS)
		return errno_neg(fstatat(store(), n.rel, st,
					 AT_SYMLINK_NOFOLLOW));
	st->st_mode = n.mode;
	st->st_nlink = S_ISDIR(n.mode) ? 2 : 1;
	st->st_blksize = 4096;
	st->st_mtime = st->st_ctime = st->st_atime = time(NULL);
	switch (n.t) {
	case N_TREE:
		st->st_size = SIM_BASELINE_MAX;	/* kernfs reports 1 MiB */
		break;
	case N_TEXT:
		if (n.g == G_INST_TREE || n.g == G_CPUINFO ||
		    n.g == G_IOMEM || n.g == G_MOUNTS || n.g == G_TX_DTBO)
			st->st_size = 0;
		else
			st->st_size = 4096;
		break;
	case N_LINK:
		st->st_size = (off_t)strlen(n.link);
		break;
	default:
		break;
	}
	return 0;
}

static int op_readlink(const char *path, char *buf, size_t size)
{
	struct node n;
	int r;
	ssize_t l;

	lock();
	r = resolve(path, &n);
	unlock();
	if (r)
		return r;
	if (n.t == N_PASS) {
		l = readlinkat(store(), n.rel, buf, size - 1);
		if (l < 0)
			return -errno;
		buf[l] = '\0';
		return 0;
	}
	if (n.t != N_LINK)
		return -EINVAL;
	snprintf(buf, size, "%s", n.link);
	return 0;
}

static void fill_text(void *buf, fuse_fill_dir_t filler,
		      const struct textfile *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		filler(buf, t[i].name, NULL, 0, 0);
}

static int dir_children(const char *path, void *buf, fuse_fill_dir_t fill)
{
	struct sim_kernel *k = K();
	const char *r;
	char name[64];
	int i;

	if (!strcmp(path, "/")) {
		fill(buf, "sys", NULL, 0, 0);
		fill(buf, "proc", NULL, 0, 0);
		fill(buf, "dev", NULL, 0, 0);
		fill(buf, "run", NULL, 0, 0);
		fill(buf, "var", NULL, 0, 0);
	} else if (!strcmp(path, "/sys")) {
		fill(buf, "fs", NULL, 0, 0);
		fill(buf, "devices", NULL, 0, 0);
		fill(buf, "bus", NULL, 0, 0);
	} else if (!strcmp(path, "/sys/fs")) {
		fill(buf, "multikernel", NULL, 0, 0);
	} else if (!strcmp(path, MKFS)) {
		fill(buf, "device_tree", NULL, 0, 0);
		fill(buf, "instances", NULL, 0, 0);
		fill(buf, "overlays", NULL, 0, 0);
	} else if (!strcmp(path, MKFS "/instances")) {
		for (i = 0; i < k->ninst; i++)
			fill(buf, k->inst[i]->name, NULL, 0, 0);
	} else if (!strcmp(path, MKFS "/overlays")) {
		fill(buf, "new", NULL, 0, 0);
		for (i = 0; i < k->ntx; i++) {
			snprintf(name, sizeof(name), "tx_%d", k->tx[i]->id);
			fill(buf, name, NULL, 0, 0);
		}
	} else if (!strcmp(path, "/sys/devices")) {
		fill(buf, "system", NULL, 0, 0);
	} else if (!strcmp(path, "/sys/devices/system")) {
		fill(buf, "cpu", NULL, 0, 0);
		fill(buf, "node", NULL, 0, 0);
	} else if (!strcmp(path, SYSCPU)) {
		fill_text(buf, fill, cpu_files, ARRAY_SIZE(cpu_files));
		for (i = 0; i < k->host.ncpus; i++) {
			snprintf(name, sizeof(name), "cpu%d", i);
			fill(buf, name, NULL, 0, 0);
		}
	} else if (!strcmp(path, SYSNODE)) {
		fill_text(buf, fill, node_files, ARRAY_SIZE(node_files));
		for (i = 0; i < k->host.nnodes; i++) {
			snprintf(name, sizeof(name), "node%d", i);
			fill(buf, name, NULL, 0, 0);
		}
	} else if (!strcmp(path, "/sys/bus")) {
		fill(buf, "pci", NULL, 0, 0);
	} else if (!strcmp(path, "/sys/bus/pci")) {
		fill(buf, "devices", NULL, 0, 0);
	} else if (!strcmp(path, SYSPCI)) {
		for (i = 0; i < k->host.npci; i++)
			fill(buf, k->host.pci[i].bdf, NULL, 0, 0);
	} else if (!strcmp(path, "/proc")) {
		fill(buf, "cpuinfo", NULL, 0, 0);
		fill(buf, "iomem", NULL, 0, 0);
		fill(buf, "mounts", NULL, 0, 0);
	} else if (!strcmp(path, "/dev")) {
		fill(buf, "mktty", NULL, 0, 0);
	} else if (!strcmp(path, "/var")) {
		fill(buf, "lib", NULL, 0, 0);
	} else if (prefix(path, SYSCPU, &r)) {
		struct node n;

		if (resolve(path, &n) || n.a < 0)
			return -ENOENT;
		if (strchr(r, '/')) {
			fill_text(buf, fill, topo_files,
				  ARRAY_SIZE(topo_files));
			return 0;
		}
		if (n.a != 0)
			fill(buf, "online", NULL, 0, 0);
		if (!k->cpu[n.a].in_pool)
			fill(buf, "topology", NULL, 0, 0);
	} else if (prefix(path, SYSNODE, &r)) {
		fill_text(buf, fill, noden_files, ARRAY_SIZE(noden_files));
	} else if (prefix(path, SYSPCI, &r)) {
		struct node n;
		int v;

		if (resolve(path, &n) || n.a < 0)
			return -ENOENT;
		fill_text(buf, fill, pci_files, ARRAY_SIZE(pci_files));
		if (k->host.pci[n.a].totalvfs) {
			fill(buf, "sriov_totalvfs", NULL, 0, 0);
			fill(buf, "sriov_numvfs", NULL, 0, 0);
			for (v = 0; v < k->host.pci[n.a].totalvfs; v++) {
				snprintf(name, sizeof(name), "virtfn%d", v);
				fill(buf, name, NULL, 0, 0);
			}
		}
		if (k->host.pci[n.a].pf >= 0)
			fill(buf, "physfn", NULL, 0, 0);
		if (!k->pci[n.a].in_pool && k->host.pci[n.a].driver[0])
			fill(buf, "driver", NULL, 0, 0);
	}
	return 0;
}

static int op_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	struct node n;
	int r;

	lock();
	r = resolve(path, &n);
	if (r) {
		unlock();
		return r;
	}
	if (n.t == N_PASS) {
		DIR *d;
		struct dirent *de;
		int fd;

		unlock();
		fd = openat(store(), n.rel, O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return -errno;
		d = fdopendir(fd);
		if (!d) {
			close(fd);
			return -errno;
		}
		while ((de = readdir(d)))
			fill(buf, de->d_name, NULL, 0, 0);
		closedir(d);
		return 0;
	}
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	if (n.t == N_TXDIR)
		fill_text(buf, fill, tx_files, ARRAY_SIZE(tx_files));
	else if (n.t == N_INSTDIR)
		fill_text(buf, fill, inst_files, ARRAY_SIZE(inst_files));
	else if (n.t == N_DIR)
		r = dir_children(path, buf, fill);
	else
		r = -ENOTDIR;
	unlock();
	return r;
}

static int op_open(const char *path, struct fuse_file_info *fi)
{
	struct node n;
	struct fh *h;
	int acc = fi->flags & O_ACCMODE, r;

	lock();
	r = resolve(path, &n);
	if (r) {
		unlock();
		return r;
	}
	if (n.t == N_PASS) {
		int fd;

		unlock();
		fd = openat(store(), n.rel, fi->flags & ~O_CREAT);
		if (fd < 0)
			return -errno;
		h = xzalloc(sizeof(*h));
		h->t = N_PASS;
		h->fd = fd;
		fi->fh = (uintptr_t)h;
		return 0;
	}
	if (S_ISDIR(n.mode)) {
		unlock();
		return -EISDIR;
	}
	/* kernfs: no write op → EACCES on write open, same for read */
	if ((acc != O_RDONLY && !(n.mode & 0222)) ||
	    (acc != O_WRONLY && !(n.mode & 0444)) ||
	    (n.t == N_TEXT && acc != O_RDONLY && n.g != G_CPU_N_ONLINE &&
	     n.g != G_PCI_NUMVFS)) {
		unlock();
		return -EACCES;
	}
	h = xzalloc(sizeof(*h));
	h->t = n.t;
	h->g = n.g;
	h->a = n.a;
	h->fd = -1;
	if (n.t == N_MKTTY) {
		h->tty = sim_tty_open(K());
		fi->nonseekable = 1;
	}
	unlock();
	fi->direct_io = 1;
	fi->keep_cache = 0;
	fi->fh = (uintptr_t)h;
	return 0;
}

static int op_create(const char *path, mode_t mode,
		     struct fuse_file_info *fi)
{
	struct node n;
	struct fh *h;
	int r, fd;

	lock();
	r = resolve(path, &n);
	unlock();
	if (r == 0 && n.t != N_PASS)
		return op_open(path, fi);
	if (r == -ENOENT) {
		/* the parent decides: only run/ and var/lib/ take files */
		return -EACCES;
	}
	if (r)
		return r;
	fd = openat(store(), n.rel, fi->flags | O_CREAT, mode);
	if (fd < 0)
		return -errno;
	h = xzalloc(sizeof(*h));
	h->t = N_PASS;
	h->fd = fd;
	fi->fh = (uintptr_t)h;
	return 0;
}

static int op_release(const char *path, struct fuse_file_info *fi)
{
	struct fh *h = (struct fh *)(uintptr_t)fi->fh;

	if (!h)
		return 0;
	if (h->fd >= 0)
		close(h->fd);
	if (h->tty) {
		lock();
		if (h->tty->poll)
			fuse_pollhandle_destroy(h->tty->poll);
		sim_tty_close(K(), h->tty);
		unlock();
	}
	free(h->data);
	free(h);
	return 0;
}

static int tty_read(struct fh *h, char *buf, size_t size, int flags)
{
	struct sim_kernel *k = K();
	long r;

	lock();
	for (;;) {
		struct timespec ts;

		r = sim_tty_read(k, h->tty, buf, size);
		if (r != -EAGAIN || (flags & O_NONBLOCK))
			break;
		if (k->shutdown) {
			r = 0;
			break;
		}
		if (fuse_interrupted()) {
			r = -EINTR;
			break;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&k->cond, &k->lock, &ts);
	}
	unlock();
	return (int)r;
}

static int op_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	struct fh *h = (struct fh *)(uintptr_t)fi->fh;
	int r = 0;

	if (h->t == N_PASS)
		return errno_neg((int)pread(h->fd, buf, size, off));
	if (h->t == N_MKTTY)
		return tty_read(h, buf, size, fi->flags);
	lock();
	/* seq_file: a read from the start generates afresh */
	if (off == 0 || !h->data) {
		free(h->data);
		h->data = NULL;
		r = generate(h->g, h->a, &h->data, &h->len);
	}
	unlock();
	if (r)
		return r;
	if ((size_t)off >= h->len)
		return 0;
	if (size > h->len - (size_t)off)
		size = h->len - (size_t)off;
	memcpy(buf, h->data + off, size);
	return (int)size;
}

static int op_write(const char *path, const char *buf, size_t size,
		    off_t off, struct fuse_file_info *fi)
{
	struct fh *h = (struct fh *)(uintptr_t)fi->fh;
	long r;

	if (h->t == N_PASS)
		return errno_neg((int)pwrite(h->fd, buf, size, off));
	lock();
	switch (h->t) {
	case N_TREE:
		/*
		 * FUSE splits a write at 256 pages (1 MiB, less the buffer's
		 * offset in its first page): a first piece that large whose
		 * header announces more is the kernel's E2BIG case.
		 */
		if (size > SIM_BASELINE_MAX - 4096 && off == 0 &&
		    size >= sizeof(struct fdt_header) &&
		    !fdt_check_header(buf) && fdt_totalsize(buf) > size) {
			sim_log(K(), "Baseline: more than 1 MiB (E2BIG)");
			r = -E2BIG;
		} else {
			r = sim_baseline_write(K(), buf, size);
		}
		break;
	case N_NEW:
		r = sim_overlay_write(K(), buf, size, (uint64_t)off);
		break;
	case N_MKTTY:
		r = sim_tty_write(K(), h->tty, buf, size);
		break;
	case N_TEXT:
		r = -EPERM;
		break;
	default:
		r = -EACCES;
		break;
	}
	unlock();
	return (int)r;
}

static int op_poll(const char *path, struct fuse_file_info *fi,
		   struct fuse_pollhandle *ph, unsigned int *reventsp)
{
	struct fh *h = (struct fh *)(uintptr_t)fi->fh;

	if (h->t != N_MKTTY) {
		*reventsp = POLLIN | POLLOUT;
		if (ph)
			fuse_pollhandle_destroy(ph);
		return 0;
	}
	lock();
	if (ph) {
		if (h->tty->poll)
			fuse_pollhandle_destroy(h->tty->poll);
		h->tty->poll = ph;
	}
	*reventsp = POLLOUT;
	if (h->tty->len)
		*reventsp |= POLLIN;
	unlock();
	return 0;
}

static void tty_wake(struct sim_kernel *k, struct sim_tty *t)
{
	if (t->poll) {
		fuse_notify_poll(t->poll);
		fuse_pollhandle_destroy(t->poll);
		t->poll = NULL;
	}
	pthread_cond_broadcast(&k->cond);
}

static int pass_or(const char *path, int sim_err, const char **rel)
{
	struct node n;
	int r;

	lock();
	r = resolve(path, &n);
	unlock();
	if (r == -ENOENT) {
		/* a new name: passthrough only under run/ and var/lib/ */
		const char *rest;

		if (prefix(path, "/run", &rest) ||
		    prefix(path, "/var/lib", &rest)) {
			*rel = path + 1;
			return 1;
		}
		return sim_err;
	}
	if (r)
		return r;
	if (n.t != N_PASS)
		return sim_err;
	*rel = path + 1;
	if (!strcmp(path, "/run") || !strcmp(path, "/var/lib"))
		return sim_err;	/* the mount's own directories stay */
	return 1;
}

static int op_mkdir(const char *path, mode_t mode)
{
	const char *rel;
	int r = pass_or(path, -EPERM, &rel);

	return r == 1 ? errno_neg(mkdirat(store(), rel, mode)) : r;
}

static int op_unlink(const char *path)
{
	const char *rel;
	int r = pass_or(path, -EPERM, &rel);

	return r == 1 ? errno_neg(unlinkat(store(), rel, 0)) : r;
}

static int op_rmdir(const char *path)
{
	const char *rel, *rest;
	int r, id;

	if (prefix(path, MKFS "/overlays", &rest) && *rest) {
		id = parse_num(rest, "tx_", &rest);
		if (id < 0 || *rest)
			return -EPERM;
		lock();
		r = sim_tx_by_id(K(), id) ? sim_tx_rmdir(K(), id) : -ENOENT;
		unlock();
		return r;
	}
	r = pass_or(path, -EPERM, &rel);
	return r == 1 ? errno_neg(unlinkat(store(), rel, AT_REMOVEDIR)) : r;
}

static int op_symlink(const char *target, const char *path)
{
	const char *rel;
	int r = pass_or(path, -EPERM, &rel);

	return r == 1 ? errno_neg(symlinkat(target, store(), rel)) : r;
}

static int op_rename(const char *from, const char *to, unsigned int flags)
{
	const char *r1, *r2;
	int a = pass_or(from, -EPERM, &r1), b;

	if (a != 1)
		return a;
	b = pass_or(to, -EXDEV, &r2);
	if (b != 1)
		return b;
	return errno_neg(renameat2(store(), r1, store(), r2, flags));
}

static int op_link(const char *from, const char *to)
{
	const char *r1, *r2;
	int a = pass_or(from, -EPERM, &r1), b;

	if (a != 1)
		return a;
	b = pass_or(to, -EXDEV, &r2);
	if (b != 1)
		return b;
	return errno_neg(linkat(store(), r1, store(), r2, 0));
}

static int op_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	const char *rel;
	int r = pass_or(path, -EPERM, &rel);

	return r == 1 ? errno_neg(fchmodat(store(), rel, mode, 0)) : r;
}

static int op_chown(const char *path, uid_t uid, gid_t gid,
		    struct fuse_file_info *fi)
{
	const char *rel;
	int r = pass_or(path, -EPERM, &rel);

	return r == 1 ? errno_neg(fchownat(store(), rel, uid, gid,
					   AT_SYMLINK_NOFOLLOW)) : r;
}

static int op_truncate(const char *path, off_t size,
		       struct fuse_file_info *fi)
{
	struct fh *h = fi ? (struct fh *)(uintptr_t)fi->fh : NULL;
	struct node n;
	int r, fd;

	if (h && h->t == N_PASS)
		return errno_neg(ftruncate(h->fd, size));
	lock();
	r = resolve(path, &n);
	unlock();
	if (r)
		return r;
	if (n.t != N_PASS)
		/* kernfs ignores O_TRUNC on its writable files */
		return (n.mode & 0222) ? 0 : -EPERM;
	fd = openat(store(), n.rel, O_WRONLY);
	if (fd < 0)
		return -errno;
	r = errno_neg(ftruncate(fd, size));
	close(fd);
	return r;
}

static int op_utimens(const char *path, const struct timespec tv[2],
		      struct fuse_file_info *fi)
{
	const char *rel;
	int r = pass_or(path, 0, &rel);

	return r == 1 ? errno_neg(utimensat(store(), rel, tv,
					    AT_SYMLINK_NOFOLLOW)) : r;
}

static int op_fsync(const char *path, int datasync,
		    struct fuse_file_info *fi)
{
	struct fh *h = (struct fh *)(uintptr_t)fi->fh;

	if (h && h->t == N_PASS)
		return errno_neg(datasync ? fdatasync(h->fd) : fsync(h->fd));
	return 0;
}

static int op_statfs(const char *path, struct statvfs *st)
{
	return errno_neg(fstatvfs(store(), st));
}

const struct fuse_operations mksim_ops = {
	.init = op_init,
	.getattr = op_getattr,
	.readlink = op_readlink,
	.readdir = op_readdir,
	.open = op_open,
	.create = op_create,
	.release = op_release,
	.read = op_read,
	.write = op_write,
	.poll = op_poll,
	.mkdir = op_mkdir,
	.unlink = op_unlink,
	.rmdir = op_rmdir,
	.symlink = op_symlink,
	.rename = op_rename,
	.link = op_link,
	.chmod = op_chmod,
	.chown = op_chown,
	.truncate = op_truncate,
	.utimens = op_utimens,
	.fsync = op_fsync,
	.statfs = op_statfs,
};

void mksim_fs_setup(struct fs_ctx *ctx)
{
	mksim_fs = ctx;
	ctx->k->tty_wake = tty_wake;
}
