// SPDX-License-Identifier: GPL-2.0-or-later
#include "check/report.h"
#include "model/size.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

enum dev_class { DC_NETWORK, DC_STORAGE, DC_GPU, DC_OTHER, DC_N };

static bool has(const char *s, const char *sub)
{
	return s && strstr(s, sub);
}

static enum dev_class classify(const struct mk_device *d)
{
	const char *base = d->node ? d->node->name : d->name;

	if (d->kind == MK_DEV_NVME || has(d->compatible, "nvme") ||
	    !strncmp(base, "storage", 7))
		return DC_STORAGE;
	if (d->kind == MK_DEV_SRIOV || !strncmp(base, "ethernet", 8) ||
	    has(d->compatible, "eth") || has(d->compatible, "i40e") ||
	    has(d->compatible, "ice") || has(d->compatible, "mlx") ||
	    has(d->compatible, "ixgbe") || has(d->compatible, "net"))
		return DC_NETWORK;
	if (!strncmp(base, "gpu", 3) || has(d->compatible, "gpu") ||
	    has(d->compatible, "nvidia"))
		return DC_GPU;
	return DC_OTHER;
}

char *report_devices_line(const struct mk_model *m)
{
	static const char *const names[DC_N] = {"network", "storage", "GPU",
						"other"};
	unsigned int count[DC_N] = {0};
	uint64_t vfs = 0, ns = 0;
	struct strbuf sb;
	size_t i;

	for (i = 0; i < m->ndevices; i++) {
		count[classify(&m->devices[i])]++;
		vfs += cpuset_count(&m->devices[i].vf_available);
		ns += cpuset_count(&m->devices[i].ns_available);
	}
	sb_init(&sb);
	for (i = 0; i < DC_N; i++) {
		if (!count[i])
			continue;
		sb_addf(&sb, "%s%u %s", sb.len ? ", " : "", count[i], names[i]);
		if (i == DC_NETWORK && vfs)
			sb_addf(&sb, " (%" PRIu64 " VF%s available)", vfs,
				vfs == 1 ? "" : "s");
		if (i == DC_STORAGE && ns)
			sb_addf(&sb, " (%" PRIu64 " namespace%s available)", ns,
				ns == 1 ? "" : "s");
	}
	if (!sb.len)
		sb_adds(&sb, "none");
	return sb_detach(&sb, NULL);
}

static void report_cpus(struct emitter *e, const struct mk_model *m)
{
	const struct mk_cpus *c = &m->cpus;
	uint32_t nr = cpuset_count(&c->host_reserved);
	uint32_t na = cpuset_count(&c->available);
	char *lr = cpuset_format(&c->host_reserved);
	char *la = cpuset_format(&c->available);

	emit_open_object(e, "cpus");
	emit_bool(e, "physical_ids", NULL, c->ids_physical);
	if (c->ids_physical) {
		emit_string(e, "available", "  CPUs: physical ids %s",
			    *la ? la : "none");
		emit_uint(e, "available_count", " (%" PRIu64 " CPUs)\n", na);
		emit_close_object(e);
		free(lr);
		free(la);
		return;
	}
	emit_uint(e, "total", "  CPUs: %" PRIu64 " total\n", c->total);
	emit_string(e, "host_reserved", "    Host reserved: %s",
		    *lr ? lr : "none");
	emit_uint(e, "host_reserved_count", " (%" PRIu64 " CPUs", nr);
	emit_text(e, ", %.0f%%)\n", pct(nr, c->total));
	emit_string(e, "available", "    Available: %s", *la ? la : "none");
	emit_uint(e, "available_count", " (%" PRIu64 " CPUs", na);
	emit_text(e, ", %.0f%%)\n", pct(na, c->total));
	emit_close_object(e);
	free(lr);
	free(la);
}

static void report_memory(struct emitter *e, const struct mk_model *m)
{
	const struct mk_memory *mm = &m->mem;
	char a[32], b[32], s[32];
	uint64_t whole = mm->has_total ? mm->total : mm->pool_bytes;

	emit_open_object(e, "memory");
	if (mm->has_total) {
		size_format(a, sizeof(a), mm->total, SIZE_COMPACT);
		emit_uint(e, "total_bytes", NULL, mm->total);
		emit_text(e, "  Memory: %s total\n", a);
	} else {
		emit_text(e, "  Memory:\n");
	}
	if (mm->has_host_reserved) {
		size_format(b, sizeof(b), mm->host_reserved, SIZE_COMPACT);
		emit_uint(e, "host_reserved_bytes", NULL, mm->host_reserved);
		emit_text(e, "    Host reserved: %s (%.0f%%)\n", b,
			  pct(mm->host_reserved, whole));
	}
	size_format(s, sizeof(s), mm->pool_bytes, SIZE_COMPACT);
	emit_uint(e, "pool_bytes", NULL, mm->pool_bytes);
	emit_text(e, "    Memory pool: %s", s);
	if (mm->npool == 1 && mm->pool[0].has_base)
		emit_hex(e, "pool_base", " at 0x%" PRIx64, mm->pool[0].base);
	else if (mm->npool > 1)
		emit_uint(e, "pool_chunks", " in %" PRIu64 " requests",
			  mm->npool);
	emit_text(e, " (%.0f%%)\n", pct(mm->pool_bytes, whole));
	emit_close_object(e);
}

static void report_topology(struct emitter *e, const struct mk_model *m)
{
	const struct mk_cpus *c = &m->cpus;
	uint32_t smt = 0;
	size_t i;

	if (!m->topo.nnodes && !c->ncores)
		return;
	for (i = 0; i < c->ncores; i++)
		if (cpuset_count(&c->cores[i].cpus) > smt)
			smt = cpuset_count(&c->cores[i].cpus);
	emit_open_object(e, "topology");
	emit_text(e, "  Topology: ");
	if (m->topo.nnodes)
		emit_uint(e, "numa_nodes", "%" PRIu64 " NUMA nodes",
			  m->topo.nnodes);
	if (c->ncores) {
		emit_uint(e, "cores",
			  m->topo.nnodes ? ", %" PRIu64 " cores"
					 : "%" PRIu64 " cores",
			  c->ncores);
		emit_uint(e, "smt", " (SMT %" PRIu64 ")", smt);
	}
	emit_text(e, "\n");
	emit_close_object(e);
}

void report_inventory(struct emitter *e, const struct mk_model *m)
{
	char *devs = report_devices_line(m);
	size_t i;

	emit_open_object(e, "inventory");
	emit_text(e, "Hardware Inventory:\n");
	report_cpus(e, m);
	report_memory(e, m);
	emit_string(e, "devices_summary", "  Devices: %s\n", devs);
	emit_open_array(e, "devices");
	for (i = 0; i < m->ndevices; i++) {
		const struct mk_device *d = &m->devices[i];

		emit_open_object(e, NULL);
		emit_string(e, "name", NULL, d->name);
		emit_string(e, "compatible", NULL, d->compatible);
		emit_string(e, "pci_id", NULL, d->pci_id);
		emit_uint(e, "vfs_available", NULL,
			  cpuset_count(&d->vf_available));
		emit_uint(e, "namespaces_available", NULL,
			  cpuset_count(&d->ns_available));
		emit_close_object(e);
	}
	emit_close_array(e);
	report_topology(e, m);
	emit_close_object(e);
	free(devs);
}
