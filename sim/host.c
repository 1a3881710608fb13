// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulated host: CPUs and their physical (APIC) ids, NUMA nodes and
 * their RAM, PCI functions, and optionally a pool that exists at boot.
 */
#include "sim.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char sim_host_help[] =
"Host description (--host FILE): one \"key = value\" per line, '#' starts\n"
"a comment.  Every key is optional; the defaults describe a two-node\n"
"server (32 logical CPUs, 2-way SMT, APIC id = 2 x logical, 64 GiB, an\n"
"Intel X710 NIC with 8 VFs and an NVMe controller).\n"
"\n"
"  cpus = 32                 logical CPUs\n"
"  threads-per-core = 2      SMT width; siblings are N and N + cpus/2\n"
"  nodes = 2                 NUMA nodes; cores are split evenly\n"
"  apic-stride = 2           physical id = stride x logical number\n"
"  apic-ids = 0 2 4 ...      or every physical id, in logical order\n"
"  memory = 64G              total RAM, split evenly over the nodes\n"
"  node1.memory = 32G        per-node override\n"
"  host-reserved = 1G        low memory the pool never takes\n"
"  park-size = 2M            pool memory used by the host park area\n"
"  model-name = TEXT         /proc/cpuinfo model name\n"
"  pci = BDF VVVV:DDDD [class=0x020000] [driver=NAME] [node=N]\n"
"        [vfs=N vf-device=DDDD vf-bdf=BDF vf-driver=NAME]\n"
"                            one PCI function (repeatable); 'pci = none'\n"
"                            drops the default devices\n"
"  multikernel-mounted = yes proc/mounts lists sys/fs/multikernel as\n"
"                            mounted (no: only after a mount() made\n"
"                            under 'mksim run')\n"
"  pool.cpus = 8-15          a pool that exists at boot (logical CPUs)\n"
"  pool.memory = 4G@0,4G@1   its memory: SIZE[@NODE], comma separated\n"
"  pool.devices = BDF,...    its PCI functions\n";

int sim_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K': mul = 1024; end++; break;
	case 'M': mul = SIM_MIB; end++; break;
	case 'G': mul = SIM_GIB; end++; break;
	case 'T': mul = 1024 * SIM_GIB; end++; break;
	default: break;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -1;
	*out = v * mul;
	return 0;
}

int sim_parse_cpulist(const char *s, bool *set, int n)
{
	const char *p = s;

	while (*p) {
		char *end;
		long a, b;

		while (isspace((unsigned char)*p) || *p == ',')
			p++;
		if (!*p)
			break;
		a = strtol(p, &end, 10);
		if (end == p)
			return -1;
		b = a;
		p = end;
		if (*p == '-') {
			p++;
			b = strtol(p, &end, 10);
			if (end == p)
				return -1;
			p = end;
		}
		if (a < 0 || b < a || b >= n)
			return -1;
		for (; a <= b; a++)
			set[a] = true;
	}
	return 0;
}

static void add_pci(struct sim_host *h, const char *bdf, unsigned int v,
		    unsigned int d, unsigned int cls, int node,
		    const char *drv, int pf, int vfindex)
{
	struct sim_pcidesc *p;

	h->pci = xrealloc(h->pci, (h->npci + 1) * sizeof(*h->pci));
	p = &h->pci[h->npci++];
	memset(p, 0, sizeof(*p));
	snprintf(p->bdf, sizeof(p->bdf), "%s", bdf);
	p->vendor = v;
	p->device = d;
	p->class = cls;
	p->node = node;
	snprintf(p->driver, sizeof(p->driver), "%s", drv ? drv : "");
	p->pf = pf;
	p->vfindex = vfindex;
}

static int parse_bdf(const char *s, unsigned int *dom, unsigned int *bus,
		     unsigned int *dev, unsigned int *fn)
{
	char tail;

	if (sscanf(s, "%4x:%2x:%2x.%1x%c", dom, bus, dev, fn, &tail) != 4)
		return -1;
	if (*dev > 31 || *fn > 7)
		return -1;
	return 0;
}

/* VFs of a PF: consecutive functions from first_vf. */
static int add_vfs(struct sim_host *h, int pf, int nvf, const char *first,
		   unsigned int vfdev, const char *vfdrv)
{
	unsigned int dom, bus, dev, fn;
	int i;

	if (parse_bdf(first, &dom, &bus, &dev, &fn))
		return -1;
	h->pci[pf].totalvfs = nvf;
	for (i = 0; i < nvf; i++) {
		unsigned int f = dev * 8 + fn + i;
		char bdf[16];

		snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x", dom & 0xffff,
			 (bus + f / 256) & 0xff, (f / 8) % 32, f % 8);
		add_pci(h, bdf, h->pci[pf].vendor, vfdev, h->pci[pf].class,
			h->pci[pf].node, vfdrv, pf, i);
	}
	return 0;
}

static void layout(struct sim_host *h, uint64_t *node_mem)
{
	int i, c, t, cores = h->ncpus / h->threads;
	int per_node = (cores + h->nnodes - 1) / h->nnodes;
	uint64_t at = 0;

	for (i = 0; i < h->ncpus; i++) {
		c = i % cores;
		t = i / cores;
		h->cpu_core[i] = c;
		h->cpu_thread[i] = t;
		h->cpu_node[i] = per_node ? c / per_node : 0;
		if (h->cpu_node[i] >= h->nnodes)
			h->cpu_node[i] = h->nnodes - 1;
	}
	free(h->ram);
	h->ram = NULL;
	h->nram = 0;
	for (i = 0; i < h->nnodes; i++) {
		uint64_t sz = node_mem[i];

		if (at == 0 && sz > 2 * SIM_GIB) {
			/* node 0: low RAM, then the PCI hole up to 4 GiB */
			h->ram = xrealloc(h->ram, (h->nram + 2) *
					  sizeof(*h->ram));
			h->ram[h->nram++] = (struct sim_ram){
				0, 2 * SIM_GIB, i };
			sz -= 2 * SIM_GIB;
			at = 4 * SIM_GIB;
		}
		h->ram = xrealloc(h->ram, (h->nram + 1) * sizeof(*h->ram));
		h->ram[h->nram++] = (struct sim_ram){ at, sz, i };
		at += sz;
	}
}

static void alloc_cpus(struct sim_host *h, int n, int stride)
{
	int i;

	free(h->apic);
	free(h->cpu_node);
	free(h->cpu_core);
	free(h->cpu_thread);
	h->ncpus = n;
	h->apic = xzalloc(n * sizeof(*h->apic));
	h->cpu_node = xzalloc(n * sizeof(int));
	h->cpu_core = xzalloc(n * sizeof(int));
	h->cpu_thread = xzalloc(n * sizeof(int));
	for (i = 0; i < n; i++)
		h->apic[i] = (uint64_t)stride * i;
}

static void default_pci(struct sim_host *h)
{
	add_pci(h, "0000:01:00.0", 0x8086, 0x1572, 0x020000, 0, "i40e",
		-1, 0);
	add_vfs(h, 0, 8, "0000:01:02.0", 0x154c, "iavf");
	add_pci(h, "0000:02:00.0", 0x144d, 0xa80a, 0x010802, 1, "nvme",
		-1, 0);
}

void sim_host_default(struct sim_host *h)
{
	uint64_t mem[2] = { 32 * SIM_GIB, 32 * SIM_GIB };

	memset(h, 0, sizeof(*h));
	h->threads = 2;
	h->nnodes = 2;
	alloc_cpus(h, 32, 2);
	layout(h, mem);
	h->reserved = SIM_GIB;
	h->park_size = 2 * SIM_MIB;
	h->model_name = xstrdup("Intel(R) Xeon(R) Gold 6338N CPU @ 2.20GHz");
	h->mkfs_mounted = true;
	default_pci(h);
}

void sim_host_free(struct sim_host *h)
{
	free(h->apic);
	free(h->cpu_node);
	free(h->cpu_core);
	free(h->cpu_thread);
	free(h->ram);
	free(h->pci);
	free(h->model_name);
	free(h->pool_cpus);
	free(h->pool_memory);
	free(h->pool_devices);
	memset(h, 0, sizeof(*h));
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int parse_pci_line(struct sim_host *h, char *v, struct strbuf *err)
{
	char *save = NULL, *tok, *bdf;
	unsigned int ven, dev, cls = 0, d0, d1, d2, d3, vfdev = 0;
	int node = 0, nvf = 0, pf;
	char drv[32] = "", vfdrv[32] = "", vfbdf[16] = "";

	bdf = strtok_r(v, " \t", &save);
	if (bdf && !strcmp(bdf, "none")) {
		free(h->pci);
		h->pci = NULL;
		h->npci = 0;
		return 0;
	}
	tok = strtok_r(NULL, " \t", &save);
	if (!bdf || parse_bdf(bdf, &d0, &d1, &d2, &d3) || !tok ||
	    sscanf(tok, "%x:%x", &ven, &dev) != 2) {
		sb_addf(err, "pci: expected 'BDF VVVV:DDDD ...'");
		return -1;
	}
	while ((tok = strtok_r(NULL, " \t", &save))) {
		if (sscanf(tok, "class=%x", &cls) == 1 ||
		    sscanf(tok, "node=%d", &node) == 1 ||
		    sscanf(tok, "vfs=%d", &nvf) == 1 ||
		    sscanf(tok, "vf-device=%x", &vfdev) == 1 ||
		    sscanf(tok, "driver=%31s", drv) == 1 ||
		    sscanf(tok, "vf-driver=%31s", vfdrv) == 1 ||
		    sscanf(tok, "vf-bdf=%15s", vfbdf) == 1)
			continue;
		sb_addf(err, "pci: unknown attribute '%s'", tok);
		return -1;
	}
	if (node < 0 || node >= 64 || nvf < 0 || nvf > 256) {
		sb_addf(err, "pci: bad node or vfs");
		return -1;
	}
	pf = h->npci;
	add_pci(h, bdf, ven, dev, cls, node, drv, -1, 0);
	if (nvf) {
		if (!vfbdf[0]) {
			unsigned int f = d2 * 8 + d3 + 16;

			snprintf(vfbdf, sizeof(vfbdf), "%04x:%02x:%02x.%x",
				 d0 & 0xffff, d1 & 0xff, (f / 8) & 0x1f,
				 f % 8);
		}
		if (add_vfs(h, pf, nvf, vfbdf, vfdev ? vfdev : dev, vfdrv)) {
			sb_addf(err, "pci: bad vf-bdf '%s'", vfbdf);
			return -1;
		}
	}
	return 0;
}

int sim_host_load(struct sim_host *h, const char *path, char **errp)
{
	char *data, *line, *save = NULL;
	size_t len;
	struct strbuf err;
	int lineno = 0, ncpus = -1, stride = 2, i;
	uint64_t total = 0, node_mem[64] = { 0 };
	char *apic_ids = NULL;
	bool pci_seen = false;

	sb_init(&err);
	if (read_file(path, &data, &len)) {
		*errp = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	sim_host_default(h);
	/* First pass: shape (cpus, nodes) so later keys can refer to it. */
	for (line = strtok_r(data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *k, *v, *eq, *hash;
		int n;

		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		k = trim(line);
		if (!*k)
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			sb_addf(&err, "%s:%d: expected key = value", path,
				lineno);
			goto fail;
		}
		*eq = '\0';
		v = trim(eq + 1);
		k = trim(k);
		if (!strcmp(k, "cpus")) {
			ncpus = atoi(v);
		} else if (!strcmp(k, "threads-per-core")) {
			h->threads = atoi(v);
		} else if (!strcmp(k, "nodes")) {
			h->nnodes = atoi(v);
		} else if (!strcmp(k, "apic-stride")) {
			stride = atoi(v);
		} else if (!strcmp(k, "apic-ids")) {
			free(apic_ids);
			apic_ids = xstrdup(v);
		} else if (!strcmp(k, "memory")) {
			if (sim_parse_size(v, &total))
				goto badval;
		} else if (sscanf(k, "node%d.memory", &n) == 1) {
			if (n < 0 || n >= 64 ||
			    sim_parse_size(v, &node_mem[n]))
				goto badval;
		} else if (!strcmp(k, "host-reserved")) {
			if (sim_parse_size(v, &h->reserved))
				goto badval;
		} else if (!strcmp(k, "park-size")) {
			if (sim_parse_size(v, &h->park_size))
				goto badval;
		} else if (!strcmp(k, "model-name")) {
			free(h->model_name);
			h->model_name = xstrdup(v);
		} else if (!strcmp(k, "multikernel-mounted")) {
			h->mkfs_mounted = !strcmp(v, "yes") ||
					  !strcmp(v, "true") || !strcmp(v, "1");
		} else if (!strcmp(k, "pci")) {
			if (!pci_seen) {
				free(h->pci);
				h->pci = NULL;
				h->npci = 0;
				pci_seen = true;
			}
			if (parse_pci_line(h, v, &err))
				goto failline;
		} else if (!strcmp(k, "pool.cpus")) {
			free(h->pool_cpus);
			h->pool_cpus = xstrdup(v);
		} else if (!strcmp(k, "pool.memory")) {
			free(h->pool_memory);
			h->pool_memory = xstrdup(v);
		} else if (!strcmp(k, "pool.devices")) {
			free(h->pool_devices);
			h->pool_devices = xstrdup(v);
		} else {
			sb_addf(&err, "%s:%d: unknown key '%s'", path, lineno,
				k);
			goto fail;
		}
		continue;
badval:
		sb_addf(&err, "%s:%d: bad value for '%s'", path, lineno, k);
		goto fail;
failline:
		{
			char *m = sb_detach(&err, NULL);

			sb_addf(&err, "%s:%d: %s", path, lineno, m);
			free(m);
		}
		goto fail;
	}
	if (ncpus < 0)
		ncpus = h->ncpus;
	if (ncpus < 1 || ncpus > SIM_MAX_CPUS || h->threads < 1 ||
	    ncpus % h->threads || h->nnodes < 1 || h->nnodes > 64 ||
	    h->nnodes > ncpus / h->threads) {
		sb_addf(&err, "%s: inconsistent cpus/threads-per-core/nodes",
			path);
		goto fail;
	}
	alloc_cpus(h, ncpus, stride);
	if (apic_ids) {
		char *p = apic_ids, *end;

		for (i = 0; i < ncpus; i++) {
			h->apic[i] = strtoull(p, &end, 0);
			if (end == p) {
				sb_addf(&err, "%s: apic-ids lists fewer than "
					"%d ids", path, ncpus);
				goto fail;
			}
			p = end;
			while (*p == ',' || isspace((unsigned char)*p))
				p++;
		}
	}
	if (!total)
		total = 64 * SIM_GIB;
	for (i = 0; i < h->nnodes; i++) {
		if (!node_mem[i])
			node_mem[i] = total / h->nnodes & ~(SIM_MEMBLOCK - 1);
		if (node_mem[i] < SIM_MEMBLOCK) {
			sb_addf(&err, "%s: node %d has too little memory",
				path, i);
			goto fail;
		}
	}
	layout(h, node_mem);
	for (i = 0; i < h->npci; i++)
		if (h->pci[i].node >= h->nnodes)
			h->pci[i].node = 0;
	free(apic_ids);
	free(data);
	sb_free(&err);
	return 0;
fail:
	free(apic_ids);
	free(data);
	*errp = sb_detach(&err, NULL);
	sim_host_free(h);
	return -1;
}
