// SPDX-License-Identifier: GPL-2.0-or-later
/* Host checks (only with a host: --host or applying) and utilization. */
#include "check/check.h"
#include "kernel/host.h"

#include <stdlib.h>
#include <string.h>

void check_host_cpus(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	const struct host_info *h = c->host;
	struct cpuset missing, noid;
	struct finding *x;

	cpuset_init(&missing);
	cpuset_init(&noid);
	cpuset_for_each(&m->cpus.available, cpu)
	{
		if (h->have_cpus && !cpuset_has(&h->cpus, (uint32_t)cpu))
			cpuset_add(&missing, (uint32_t)cpu);
		else if ((size_t)cpu >= m->cpus.nphys &&
			 host_phys_id(h, (uint32_t)cpu) == HOST_NO_ID)
			cpuset_add(&noid, (uint32_t)cpu);
	}
	if (!h->have_cpus) {
		x = finding_add(c->f, "host-cpus", SEV_ERROR, NULL,
				"cannot read the host's CPUs (%s/proc/cpuinfo, "
				"sys/devices/system/cpu/present)",
				h->sysroot);
	}
	if (!cpuset_empty(&missing)) {
		char *p = cpus_phrase(&missing), *hc = cpuset_format(&h->cpus);

		x = finding_add(
			c->f, "host-cpus", SEV_ERROR, NULL,
			"pool %s %s not exist on this host (host CPUs: %s)", p,
			cpuset_count(&missing) == 1 ? "does" : "do", hc);
		finding_loc(x, &m->cpus.available_at.pos);
		free(p);
		free(hc);
	}
	if (!cpuset_empty(&noid)) {
		char *p = cpus_phrase(&noid);

		x = finding_add(c->f, "host-cpus", SEV_ERROR, NULL,
				"no physical id is known for pool %s (neither "
				"physical-ids nor an apicid in proc/cpuinfo)",
				p);
		finding_suggest(x, "Add physical-ids = /bits/ 64 <...> to "
				   "/resources/cpus");
		finding_loc(x, &m->cpus.available_at.pos);
		free(p);
	}
	cpuset_free(&missing);
	cpuset_free(&noid);
}

void check_host_memory(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	const struct host_info *h = c->host;
	char a[SIZE_BUF], b[SIZE_BUF];
	uint64_t pb, pe, ram = 0;
	struct finding *x;
	size_t i;

	if (!h->have_mem) {
		finding_add(c->f, "host-memory", SEV_ERROR, NULL,
			    "cannot read the host's memory (%s/proc/meminfo, "
			    "proc/iomem)",
			    h->sysroot);
		return;
	}
	for (i = 0; i < h->nram; i++)
		ram += h->ram[i].end - h->ram[i].start;
	if (!ram)
		ram = h->mem_total;
	if (m->mem.pool_bytes > ram) {
		x = finding_add(c->f, "host-memory", SEV_ERROR, NULL,
				"the memory pool (%s) is larger than the "
				"host's memory (%s)",
				fmt_size(a, m->mem.pool_bytes),
				fmt_size(b, ram));
		finding_loc(x, &m->mem.size_at.pos);
		return;
	}
	if (h->nram && mk_pool_range(m, &pb, &pe)) {
		for (i = 0; i < h->nram; i++)
			if (pb >= h->ram[i].start && pe <= h->ram[i].end)
				return;
		x = finding_add(c->f, "host-memory", SEV_ERROR, NULL,
				"the memory pool 0x%llx - 0x%llx is not inside "
				"the host's System RAM (proc/iomem)",
				(unsigned long long)pb, (unsigned long long)pe);
		finding_loc(x, &m->mem.base_at.pos);
	}
}

void check_host_devices(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	const struct host_info *h = c->host;
	size_t i;

	for (i = 0; i < m->ndevices; i++) {
		const struct mk_device *d = &m->devices[i];
		const struct host_pci *p;
		struct finding *x;

		if (!d->pci_id)
			continue;
		p = host_pci_find(h, d->pci_id);
		if (!p) {
			x = finding_add(c->f, "host-devices", SEV_ERROR,
					d->name,
					"PCI device %s (%s) does not exist on "
					"this host",
					d->pci_id, d->name);
			finding_detail(x, "Looked in %s/sys/bus/pci/devices",
				       h->sysroot);
			finding_loc(x, &d->pci_at.pos);
			continue;
		}
		if (d->kind != MK_DEV_SRIOV)
			continue;
		cpuset_for_each(&d->vf_available, vf)
		{
			if ((size_t)vf < p->nvirtfn && p->virtfn[vf])
				continue;
			x = finding_add(
				c->f, "host-devices", SEV_ERROR, d->name,
				"VF %u of %s (%s) does not exist on this host "
				"(no virtfn%u)",
				(uint32_t)vf, d->name, d->pci_id, (uint32_t)vf);
			finding_suggest(x,
					"Enable the VFs first: echo %u > "
					"/sys/bus/pci/devices/%s/sriov_numvfs",
					d->nvfs, d->pci_id);
			finding_loc(x, &d->vf_available_at.pos);
		}
	}
}

static unsigned int pct(uint64_t part, uint64_t whole)
{
	return whole ? (unsigned int)((part * 100 + whole / 2) / whole) : 0;
}

void check_utilization(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	char a[SIZE_BUF], b[SIZE_BUF];
	uint32_t avail = cpuset_count(&m->cpus.available), used = 0;
	uint64_t mem = 0, vfs = 0, vfu = 0, ns = 0, nsu = 0;
	struct finding *x;
	size_t i, k;

	for (i = 0; i < c->cpu_limit; i++)
		if (c->cpu_use[i] &&
		    cpuset_has(&m->cpus.available, (uint32_t)i))
			used++;
	for (i = 0; i < m->ninstances; i++) {
		mem += m->instances[i].mem_size;
		for (k = 0; k < m->instances[i].ndevs; k++) {
			const struct mk_inst_dev *d = &m->instances[i].devs[k];

			if (d->kind != MK_REF_DEVREF)
				continue;
			if (m->devrefs[d->index].has_vf)
				vfu++;
			else if (m->devrefs[d->index].has_ns)
				nsu++;
		}
	}
	for (i = 0; i < m->ndevices; i++) {
		vfs += cpuset_count(&m->devices[i].vf_available);
		ns += cpuset_count(&m->devices[i].ns_available);
	}
	x = finding_add(c->f, "utilization", SEV_NOTE, NULL,
			"CPUs: %u/%u allocated (%u%%), %u free", used, avail,
			pct(used, avail), avail - used);
	finding_detail(x, "Memory: %s/%s allocated (%u%%)", fmt_size(a, mem),
		       fmt_size(b, m->mem.pool_bytes),
		       pct(mem, m->mem.pool_bytes));
	if (vfs)
		finding_detail(x, "VFs: %llu/%llu allocated",
			       (unsigned long long)vfu,
			       (unsigned long long)vfs);
	if (ns)
		finding_detail(x, "Namespaces: %llu/%llu allocated",
			       (unsigned long long)nsu, (unsigned long long)ns);
}
