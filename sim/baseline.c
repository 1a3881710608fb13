// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The baseline: one write of the root device_tree creates the pool
 * (kernel-abi-mk2.md §1.3, §2.1).  Parse everything first, then create
 * the pool step by step; a failure part-way is not rolled back.
 */
#include "sim.h"
#include "fdtutil.h"
#include "dt/fdtcheck.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct memreq {
	uint64_t size;
	int node;
};

struct devreq {
	const char *node;
	const char *type;
	const char *pci_id;
	const char *device_name;
	const char *acpi_hid;
	const char *alias;
};

static long fail(struct sim_kernel *k, long err, const char *fmt, ...)
	PRINTF(3, 4);

static long fail(struct sim_kernel *k, long err, const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	sim_log(k, "Baseline: %s (%s)", m, sim_errname((int)err));
	free(m);
	return -err;
}

/* The alias whose value is "/resources/devices/<node>", if any. */
static const char *find_alias(const void *fdt, const char *node)
{
	int al = fdt_path_offset(fdt, "/aliases"), off;
	char want[256];

	if (al < 0)
		return NULL;
	snprintf(want, sizeof(want), "/resources/devices/%s", node);
	for (off = fdt_first_property_offset(fdt, al); off >= 0;
	     off = fdt_next_property_offset(fdt, off)) {
		const char *name, *v;
		int len;

		v = fdt_getprop_by_offset(fdt, off, &name, &len);
		if (v && len > 0 && v[len - 1] == '\0' && !strcmp(v, want))
			return name;
	}
	return NULL;
}

static void move_devices(struct sim_kernel *k, const struct devreq *d,
			 int nd)
{
	int i, idx;

	for (i = 0; i < nd; i++) {
		if (d[i].type && !strcmp(d[i].type, "platform")) {
			struct sim_plat *p;

			k->plat = xrealloc(k->plat, (k->nplat + 1) *
					   sizeof(*k->plat));
			p = &k->plat[k->nplat++];
			p->node = xstrdup(d[i].node);
			p->device_name = d[i].device_name ?
				xstrdup(d[i].device_name) : NULL;
			p->acpi_hid = d[i].acpi_hid ?
				xstrdup(d[i].acpi_hid) : NULL;
			p->inst = 0;
			continue;
		}
		if (!d[i].type || strcmp(d[i].type, "pci") || !d[i].pci_id) {
			sim_log(k, "Baseline: device %s: no device-type "
				"\"pci\"/\"platform\" with an id, skipped",
				d[i].node);
			continue;
		}
		idx = sim_pci_by_bdf(k, d[i].pci_id);
		if (idx < 0) {
			sim_log(k, "Baseline: warning: PCI device %s not "
				"found, not moved to the pool", d[i].pci_id);
			continue;
		}
		if (k->pci[idx].in_pool)
			continue;
		k->pci[idx].in_pool = true;
		k->pci[idx].inst = 0;
		free(k->pci[idx].node);
		free(k->pci[idx].alias);
		k->pci[idx].node = xstrdup(d[i].node);
		k->pci[idx].alias = d[i].alias ? xstrdup(d[i].alias) : NULL;
		sim_log(k, "Baseline: PCI %s unbound from %s, now in the pool",
			d[i].pci_id, k->host.pci[idx].driver[0] ?
			k->host.pci[idx].driver : "no driver");
	}
}

long sim_baseline_write(struct sim_kernel *k, const void *buf, size_t len)
{
	const void *fdt = buf;
	int res, mem, off, len_cpus = 0, i, j, nmem = 0, ndev = 0, r;
	const fdt64_t *cpus;
	struct memreq *mr = NULL;
	struct devreq *dr = NULL;
	long ret;

	if (len > SIM_BASELINE_MAX)
		return fail(k, E2BIG, "%zu bytes, more than 1 MiB", len);
	if (len < sizeof(struct fdt_header) || fdt_check_header(fdt))
		return fail(k, EINVAL, "bad FDT header");
	if (fdt_totalsize(fdt) != len)
		return fail(k, EINVAL, "write of %zu bytes, blob is %u bytes",
			    len, fdt_totalsize(fdt));
	if (dtb_check_full(fdt, len))
		return fail(k, EINVAL, "malformed device tree");
	off = fdt_path_offset(fdt, "/instances");
	if (off >= 0 && fdt_first_subnode(fdt, off) >= 0)
		return fail(k, EINVAL, "must not contain instances");
	if (sim_pool_exists(k))
		return fail(k, EBUSY, "Baseline already applied; change the "
			    "pool with an overlay targeting /resources");
	res = fdt_path_offset(fdt, "/resources");
	if (res < 0)
		return fail(k, EINVAL, "no /resources node");
	if (fdt_getprop(fdt, res, "memory-bytes", NULL) ||
	    fdt_getprop(fdt, res, "memory-base", NULL))
		return fail(k, EINVAL, "legacy memory-base/memory-bytes "
			    "baseline not supported; use memory@N requests");
	cpus = fdt_getprop(fdt, res, "cpus", &len_cpus);
	if (cpus && (len_cpus % 8))
		return fail(k, EINVAL, "cpus: length %d is not a multiple "
			    "of 8 (u64 cells)", len_cpus);
	if (!cpus)
		len_cpus = 0;
	for (i = 0; i < len_cpus / 8; i++) {
		uint64_t id = fdt64_ld(&cpus[i]);

		if (sim_cpu_by_phys(k, id) < 0)
			return fail(k, ENODEV, "CPU %llu does not exist",
				    (unsigned long long)id);
		for (j = 0; j < i; j++)
			if (fdt64_ld(&cpus[j]) == id)
				return fail(k, EINVAL, "CPU %llu listed twice",
					    (unsigned long long)id);
	}
	fdt_for_each_subnode(mem, fdt, res) {
		const char *name = fdt_get_name(fdt, mem, NULL);
		uint64_t size;
		uint32_t node = 0;
		int hn;

		if (!name_starts(name, "memory@"))
			continue;
		if (fdt_getprop(fdt, mem, "reg", NULL)) {
			ret = fail(k, EINVAL, "%s: reg is not accepted, "
				   "request a size", name);
			goto out;
		}
		r = prop_u64(fdt, mem, "size", &size);
		if (r <= 0 || !size || size % SIM_PAGE) {
			ret = fail(k, EINVAL, "%s: size must be a non-zero "
				   "page multiple u64", name);
			goto out;
		}
		hn = prop_u32(fdt, mem, "numa-node-id", &node);
		if (hn < 0 || (hn && node >= SIM_MAX_NUMNODES)) {
			ret = fail(k, EINVAL, "%s: bad numa-node-id", name);
			goto out;
		}
		mr = xrealloc(mr, (nmem + 1) * sizeof(*mr));
		mr[nmem++] = (struct memreq){ size, hn ? (int)node : -1 };
	}
	off = fdt_subnode_offset(fdt, res, "devices");
	if (off >= 0) {
		int d;

		fdt_for_each_subnode(d, fdt, off) {
			dr = xrealloc(dr, (ndev + 1) * sizeof(*dr));
			dr[ndev].node = fdt_get_name(fdt, d, NULL);
			dr[ndev].type = prop_str(fdt, d, "device-type");
			dr[ndev].pci_id = prop_str(fdt, d, "pci-id");
			dr[ndev].device_name = prop_str(fdt, d, "device-name");
			dr[ndev].acpi_hid = prop_str(fdt, d, "acpi-hid");
			dr[ndev].alias = find_alias(fdt, dr[ndev].node);
			ndev++;
		}
	}

	/* create the pool: memory, park area, CPUs, devices */
	k->baseline_done = true;
	for (i = 0; i < nmem; i++) {
		uint64_t base;

		if (sim_fault_take(k, F_BASELINE_ENOMEM, 0, NULL) ||
		    sim_pool_grow(k, mr[i].size, mr[i].node, &base)) {
			ret = fail(k, ENOMEM, "memory@%d: no contiguous "
				   "%llu MiB%s", i,
				   (unsigned long long)(mr[i].size >> 20),
				   mr[i].node >= 0 ? " on that node" : "");
			goto out;
		}
		sim_log(k, "multikernel: pool chunk %#llx-%#llx (%llu MiB%s)",
			(unsigned long long)base,
			(unsigned long long)(base + mr[i].size - 1),
			(unsigned long long)(mr[i].size >> 20),
			mr[i].node >= 0 ? ", requested node" : "");
	}
	sim_park_setup(k);
	for (i = 0; i < len_cpus / 8; i++) {
		uint64_t id = fdt64_ld(&cpus[i]);
		int c = sim_cpu_by_phys(k, id);

		r = sim_cpu_to_pool(k, c);
		if (r) {
			ret = fail(k, -r, "CPU %llu (logical %d) cannot be "
				   "offlined", (unsigned long long)id, c);
			goto out;
		}
		sim_log(k, "smpboot: CPU %d is now offline (parked for the "
			"multikernel pool, APIC id %llu)", c,
			(unsigned long long)id);
	}
	move_devices(k, dr, ndev);
	sim_log(k, "Baseline applied: %d CPUs, %d memory chunks, %d devices",
		len_cpus / 8, nmem, ndev);
	ret = (long)len;
out:
	free(mr);
	free(dr);
	return ret;
}

int sim_boot_pool(struct sim_kernel *k, char **err)
{
	const struct sim_host *h = &k->host;
	bool *set;
	int i;

	if (h->pool_memory) {
		char *s = xstrdup(h->pool_memory), *save = NULL, *tok;

		for (tok = strtok_r(s, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			char *at = strchr(tok, '@');
			uint64_t size, base;
			int node = -1;

			if (at) {
				*at = '\0';
				node = atoi(at + 1);
			}
			if (sim_parse_size(tok, &size) || !size ||
			    size % SIM_PAGE ||
			    sim_pool_grow(k, size, node, &base)) {
				*err = xasprintf("pool.memory: cannot place "
						 "'%s'", tok);
				free(s);
				return -1;
			}
			k->baseline_done = true;
		}
		free(s);
		sim_park_setup(k);
	}
	if (h->pool_cpus) {
		set = xzalloc(h->ncpus * sizeof(bool));
		if (sim_parse_cpulist(h->pool_cpus, set, h->ncpus)) {
			*err = xasprintf("pool.cpus: bad CPU list '%s'",
					 h->pool_cpus);
			free(set);
			return -1;
		}
		for (i = 0; i < h->ncpus; i++)
			if (set[i] && sim_cpu_to_pool(k, i)) {
				*err = xasprintf("pool.cpus: CPU %d cannot "
						 "join the pool", i);
				free(set);
				return -1;
			}
		free(set);
		k->baseline_done = true;
	}
	if (h->pool_devices) {
		char *s = xstrdup(h->pool_devices), *save = NULL, *tok;

		for (tok = strtok_r(s, ", ", &save); tok;
		     tok = strtok_r(NULL, ", ", &save)) {
			int idx = sim_pci_by_bdf(k, tok);

			if (idx < 0) {
				*err = xasprintf("pool.devices: no PCI "
						 "function %s", tok);
				free(s);
				return -1;
			}
			k->pci[idx].in_pool = true;
			k->pci[idx].node = xasprintf("pci-%s", tok);
			k->baseline_done = true;
		}
		free(s);
	}
	if (k->baseline_done)
		sim_log(k, "multikernel: pool restored at boot from the host "
			"description");
	return 0;
}
