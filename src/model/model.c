// SPDX-License-Identifier: GPL-2.0-or-later
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

void mk_model_init(struct mk_model *m)
{
	memset(m, 0, sizeof(*m));
	cpuset_init(&m->cpus.host_reserved);
	cpuset_init(&m->cpus.available);
	cpuset_init(&m->cpus.dup_reserved);
	cpuset_init(&m->cpus.dup_available);
	cpuset_init(&m->cpus.pool_free);
}

static void device_free(struct mk_device *x)
{
	free(x->name);
	free(x->path);
	free(x->compatible);
	free(x->pci_id);
	free(x->device_type);
	cpuset_free(&x->vf_reserved);
	cpuset_free(&x->vf_available);
	cpuset_free(&x->ns_reserved);
	cpuset_free(&x->ns_available);
}

static void instance_free(struct mk_instance *in)
{
	size_t i;

	free(in->name);
	cpuset_free(&in->cpus);
	cpuset_free(&in->cpus_dup);
	for (i = 0; i < in->ndevs; i++)
		free(in->devs[i].name);
	free(in->devs);
	free(in->numa);
	free(in->affinity);
	free(in->policy);
}

void mk_model_free(struct mk_model *m)
{
	size_t i;

	cpuset_free(&m->cpus.host_reserved);
	cpuset_free(&m->cpus.available);
	cpuset_free(&m->cpus.dup_reserved);
	cpuset_free(&m->cpus.dup_available);
	cpuset_free(&m->cpus.pool_free);
	free(m->cpus.phys);
	for (i = 0; i < m->cpus.ncores; i++) {
		free(m->cpus.cores[i].name);
		cpuset_free(&m->cpus.cores[i].cpus);
	}
	free(m->cpus.cores);
	free(m->mem.pool);
	for (i = 0; i < m->ndevices; i++)
		device_free(&m->devices[i]);
	free(m->devices);
	for (i = 0; i < m->ndevrefs; i++) {
		free(m->devrefs[i].name);
		free(m->devrefs[i].parent_ref);
	}
	free(m->devrefs);
	for (i = 0; i < m->topo.nnodes; i++) {
		free(m->topo.nodes[i].mem_type);
		cpuset_free(&m->topo.nodes[i].cpus);
	}
	free(m->topo.nodes);
	free(m->topo.distance);
	for (i = 0; i < m->ninstances; i++)
		instance_free(&m->instances[i]);
	free(m->instances);
	for (i = 0; i < m->ndangling; i++) {
		free(m->dangling[i].ref);
		free(m->dangling[i].where);
	}
	free(m->dangling);
	for (i = 0; i < m->ndups; i++)
		free(m->dups[i].name);
	free(m->dups);
	strmap_free(&m->dev_by_name);
	strmap_free(&m->ref_by_name);
	memset(m, 0, sizeof(*m));
}

int mk_device_find(const struct mk_model *m, const char *name)
{
	return (int)(uintptr_t)strmap_get(&m->dev_by_name, name) - 1;
}

int mk_devref_find(const struct mk_model *m, const char *name)
{
	return (int)(uintptr_t)strmap_get(&m->ref_by_name, name) - 1;
}

int mk_numa_find(const struct mk_model *m, uint32_t id)
{
	size_t i;

	/* a handful of nodes: a scan is the fastest lookup */
	for (i = 0; i < m->topo.nnodes; i++)
		if (m->topo.nodes[i].id == id)
			return (int)i;
	return -1;
}

int mk_numa_of_cpu(const struct mk_model *m, uint32_t cpu)
{
	size_t i;

	for (i = 0; i < m->topo.nnodes; i++)
		if (cpuset_has(&m->topo.nodes[i].cpus, cpu))
			return (int)i;
	return -1;
}

int mk_numa_of_addr(const struct mk_model *m, uint64_t addr)
{
	size_t i;

	for (i = 0; i < m->topo.nnodes; i++) {
		const struct mk_numa_node *n = &m->topo.nodes[i];

		if (n->has_mem && addr >= n->mem_base &&
		    addr - n->mem_base < n->mem_size)
			return (int)i;
	}
	return -1;
}

bool mk_pool_range(const struct mk_model *m, uint64_t *base, uint64_t *end)
{
	if (m->mem.npool != 1 || !m->mem.pool[0].has_base)
		return false;
	*base = m->mem.pool[0].base;
	*end = m->mem.pool[0].base + m->mem.pool[0].size;
	return true;
}
