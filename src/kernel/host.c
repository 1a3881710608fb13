// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/host.h"
#include "util/util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *host_path(const char *sysroot, const char *rel)
{
	size_t n = strlen(sysroot);

	while (n > 1 && sysroot[n - 1] == '/')
		n--;
	if (n == 1 && sysroot[0] == '/')
		return xasprintf("/%s", rel);
	return xasprintf("%.*s/%s", (int)n, sysroot, rel);
}

static char *read_rel(const char *sysroot, const char *rel)
{
	char *path = host_path(sysroot, rel);
	char *out = NULL;
	size_t len;
	int ret;

	ret = read_file(path, &out, &len);
	free(path);
	return ret < 0 ? NULL : out;
}

static bool read_hex(const char *sysroot, const char *rel, uint32_t *out)
{
	char *s = read_rel(sysroot, rel), *end;
	unsigned long v;

	if (!s)
		return false;
	errno = 0;
	v = strtoul(s, &end, 0);
	free(s);
	if (errno || end == s || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static void set_apicid(struct host_info *h, uint32_t cpu, uint64_t id)
{
	size_t i;

	if (cpu >= CPUSET_MAX)
		return;
	if (cpu >= h->napicid) {
		h->apicid = xrealloc(h->apicid, (cpu + 1) * sizeof(*h->apicid));
		for (i = h->napicid; i <= cpu; i++)
			h->apicid[i] = HOST_NO_ID;
		h->napicid = cpu + 1;
	}
	h->apicid[cpu] = id;
}

static void read_cpus(struct host_info *h)
{
	char *s = read_rel(h->sysroot, "proc/cpuinfo"), *line, *save = NULL;
	long cur = -1;
	struct cpuset_error err;

	if (s) {
		h->have_cpus = true;
		for (line = strtok_r(s, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char *colon = strchr(line, ':');
			size_t klen;

			if (!colon)
				continue;
			klen = strcspn(line, "\t :");
			if (klen == 9 && !strncmp(line, "processor", 9)) {
				cur = strtol(colon + 1, NULL, 10);
				if (cur >= 0 && cur < (long)CPUSET_MAX)
					cpuset_add(&h->cpus, (uint32_t)cur);
			} else if (klen == 6 && !strncmp(line, "apicid", 6) &&
				   cur >= 0) {
				set_apicid(h, (uint32_t)cur,
					   strtoull(colon + 1, NULL, 10));
			}
		}
		free(s);
	}
	s = read_rel(h->sysroot, "sys/devices/system/cpu/present");
	if (s) {
		struct cpuset present;

		s[strcspn(s, "\n")] = '\0';
		cpuset_init(&present);
		if (cpuset_parse(&present, s, &err) == 0) {
			cpuset_or(&h->cpus, &present);
			h->have_cpus = true;
		}
		cpuset_free(&present);
		free(s);
	}
}

static void read_memory(struct host_info *h)
{
	char *s = read_rel(h->sysroot, "proc/meminfo");

	if (s) {
		const char *mt = strstr(s, "MemTotal:");

		if (mt) {
			h->mem_total = strtoull(mt + 9, NULL, 10) * 1024;
			h->have_mem = true;
		}
		free(s);
	}
	s = read_rel(h->sysroot, "proc/iomem");
	if (s) {
		char *line, *save = NULL;

		for (line = strtok_r(s, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			unsigned long long a, b;

			if (line[0] == ' ' || !strstr(line, ": System RAM"))
				continue;
			if (sscanf(line, "%llx-%llx", &a, &b) != 2 || !b)
				continue;
			h->ram = xrealloc(h->ram,
					  (h->nram + 1) * sizeof(*h->ram));
			h->ram[h->nram].start = a;
			h->ram[h->nram].end = b + 1;
			h->nram++;
			h->have_mem = true;
		}
		free(s);
	}
}

static int cmp_pci(const void *a, const void *b)
{
	return strcmp(((const struct host_pci *)a)->bdf,
		      ((const struct host_pci *)b)->bdf);
}

static void read_virtfns(struct host_info *h, struct host_pci *x)
{
	char *dir = xasprintf("sys/bus/pci/devices/%s", x->bdf);
	char *path = host_path(h->sysroot, dir);
	DIR *dp = opendir(path);
	struct dirent *de;

	free(dir);
	if (!dp) {
		free(path);
		return;
	}
	while ((de = readdir(dp))) {
		char link[PATH_MAX], *full;
		unsigned long n;
		ssize_t len;
		const char *base;
		size_t i;

		if (strncmp(de->d_name, "virtfn", 6) || !de->d_name[6])
			continue;
		n = strtoul(de->d_name + 6, NULL, 10);
		if (n >= 65536)
			continue;
		full = xasprintf("%s/%s", path, de->d_name);
		len = readlink(full, link, sizeof(link) - 1);
		free(full);
		if (len <= 0)
			continue;
		link[len] = '\0';
		base = strrchr(link, '/');
		base = base ? base + 1 : link;
		if (n >= x->nvirtfn) {
			x->virtfn = xrealloc(x->virtfn,
					     (n + 1) * sizeof(*x->virtfn));
			for (i = x->nvirtfn; i <= n; i++)
				x->virtfn[i] = NULL;
			x->nvirtfn = n + 1;
		}
		free(x->virtfn[n]);
		x->virtfn[n] = xstrdup(base);
	}
	closedir(dp);
	free(path);
}

static void read_pci(struct host_info *h)
{
	char *path = host_path(h->sysroot, "sys/bus/pci/devices");
	DIR *dp = opendir(path);
	struct dirent *de;
	size_t i;

	free(path);
	if (!dp)
		return;
	h->have_pci = true;
	while ((de = readdir(dp))) {
		struct host_pci *x;
		char *rel;
		uint32_t v;

		if (de->d_name[0] == '.')
			continue;
		h->pci = xrealloc(h->pci, (h->npci + 1) * sizeof(*h->pci));
		x = &h->pci[h->npci++];
		memset(x, 0, sizeof(*x));
		x->bdf = xstrdup(de->d_name);
		x->numa = -1;
		rel = xasprintf("sys/bus/pci/devices/%s/vendor", x->bdf);
		x->has_ids = read_hex(h->sysroot, rel, &x->vendor);
		free(rel);
		rel = xasprintf("sys/bus/pci/devices/%s/device", x->bdf);
		x->has_ids &= read_hex(h->sysroot, rel, &x->device);
		free(rel);
		rel = xasprintf("sys/bus/pci/devices/%s/numa_node", x->bdf);
		if (read_hex(h->sysroot, rel, &v) && v < 1024)
			x->numa = (int)v;
		free(rel);
	}
	closedir(dp);
	if (h->npci)
		xqsort(h->pci, h->npci, sizeof(*h->pci), cmp_pci);
	for (i = 0; i < h->npci; i++)
		read_virtfns(h, &h->pci[i]);
}

static void read_nodes(struct host_info *h)
{
	char *path = host_path(h->sysroot, "sys/devices/system/node");
	DIR *dp = opendir(path);
	struct dirent *de;

	free(path);
	if (!dp)
		return;
	while ((de = readdir(dp)))
		if (!strncmp(de->d_name, "node", 4) && de->d_name[4] >= '0' &&
		    de->d_name[4] <= '9')
			h->nnodes++;
	closedir(dp);
}

int host_read(const char *sysroot, struct host_info *h)
{
	struct stat st;

	memset(h, 0, sizeof(*h));
	cpuset_init(&h->cpus);
	if (stat(sysroot, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	h->sysroot = xstrdup(sysroot);
	read_cpus(h);
	read_memory(h);
	read_pci(h);
	read_nodes(h);
	return 0;
}

void host_free(struct host_info *h)
{
	size_t i, k;

	cpuset_free(&h->cpus);
	free(h->apicid);
	free(h->ram);
	for (i = 0; i < h->npci; i++) {
		for (k = 0; k < h->pci[i].nvirtfn; k++)
			free(h->pci[i].virtfn[k]);
		free(h->pci[i].virtfn);
		free(h->pci[i].bdf);
	}
	free(h->pci);
	free(h->sysroot);
	memset(h, 0, sizeof(*h));
}

const struct host_pci *host_pci_find(const struct host_info *h, const char *bdf)
{
	struct host_pci key = {.bdf = (char *)(uintptr_t)bdf};

	if (!h->npci)
		return NULL;
	return bsearch(&key, h->pci, h->npci, sizeof(*h->pci), cmp_pci);
}

uint64_t host_phys_id(const struct host_info *h, uint32_t cpu)
{
	return cpu < h->napicid ? h->apicid[cpu] : HOST_NO_ID;
}
