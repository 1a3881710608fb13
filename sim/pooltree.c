// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Read-back trees generated from live state (kernel-abi-mk2.md §2.3): the
 * pool tree of the root device_tree and each instance's device_tree.
 */
#include "sim.h"

#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sim_copy_subtree(const void *fdt, int node, void *out)
{
	int prop, child, err;

	fdt_for_each_property_offset(prop, fdt, node) {
		const char *name;
		int len;
		const void *v = fdt_getprop_by_offset(fdt, prop, &name, &len);

		err = fdt_property(out, name, v, len);
		if (err)
			return err;
	}
	fdt_for_each_subnode(child, fdt, node) {
		err = fdt_begin_node(out, fdt_get_name(fdt, child, NULL));
		if (!err)
			err = sim_copy_subtree(fdt, child, out);
		if (!err)
			err = fdt_end_node(out);
		if (err)
			return err;
	}
	return 0;
}

static int prop_u64s(void *fdt, const char *name, const uint64_t *v, int n)
{
	fdt64_t *cells;
	int i, err;

	if (!n)
		return 0;
	cells = xmalloc(n * sizeof(*cells));
	for (i = 0; i < n; i++)
		cells[i] = cpu_to_fdt64(v[i]);
	err = fdt_property(fdt, name, cells, n * sizeof(*cells));
	free(cells);
	return err;
}

static int prop_u64(void *fdt, const char *name, uint64_t v)
{
	fdt64_t c = cpu_to_fdt64(v);

	return fdt_property(fdt, name, &c, sizeof(c));
}

static void pci_split(const char *bdf, unsigned int *dom, unsigned int *bus,
		      unsigned int *dev, unsigned int *fn)
{
	*dom = *bus = *dev = *fn = 0;
	sscanf(bdf, "%x:%x:%x.%x", dom, bus, dev, fn);
}

/* PCI host bridges holding the listed functions, then /aliases. */
static int pci_bridges(struct sim_kernel *k, void *fdt, const bool *sel)
{
	int i, j, err;
	bool *done = xzalloc((k->host.npci + 1) * sizeof(bool));
	bool aliases = false;

	for (i = 0; i < k->host.npci; i++) {
		unsigned int dom, bus, dev, fn;
		char name[40];

		if (!sel[i] || done[i])
			continue;
		pci_split(k->host.pci[i].bdf, &dom, &bus, &dev, &fn);
		snprintf(name, sizeof(name), "pci@%x", dom << 8 | bus);
		err = fdt_begin_node(fdt, name);
		err = err ?: fdt_property_string(fdt, "compatible",
					"multikernel,pci-host-bridge");
		err = err ?: fdt_property_string(fdt, "device_type", "pci");
		err = err ?: fdt_property_u32(fdt, "#address-cells", 3);
		err = err ?: fdt_property_u32(fdt, "#size-cells", 2);
		err = err ?: fdt_property_u32(fdt, "linux,pci-domain", dom);
		if (!err) {
			fdt32_t br[2] = { cpu_to_fdt32(bus),
					  cpu_to_fdt32(bus) };
			fdt32_t rg[7] = { cpu_to_fdt32(0x02000000) };

			err = fdt_property(fdt, "bus-range", br, sizeof(br));
			err = err ?: fdt_property(fdt, "ranges", rg,
						  sizeof(rg));
		}
		for (j = i; j < k->host.npci && !err; j++) {
			unsigned int d2, b2, v2, f2;
			char cn[24];
			fdt32_t reg[5] = { 0 };

			if (!sel[j] || done[j])
				continue;
			pci_split(k->host.pci[j].bdf, &d2, &b2, &v2, &f2);
			if (d2 != dom || b2 != bus)
				continue;
			done[j] = true;
			snprintf(cn, sizeof(cn), "pci@%x,%x", v2, f2);
			reg[0] = cpu_to_fdt32(b2 << 16 | v2 << 11 | f2 << 8);
			err = fdt_begin_node(fdt, cn);
			err = err ?: fdt_property(fdt, "reg", reg, sizeof(reg));
			err = err ?: fdt_property_u32(fdt, "vendor-id",
						k->host.pci[j].vendor);
			err = err ?: fdt_property_u32(fdt, "device-id",
						k->host.pci[j].device);
			err = err ?: fdt_end_node(fdt);
			if (k->pci[j].alias)
				aliases = true;
		}
		err = err ?: fdt_end_node(fdt);
		if (err) {
			free(done);
			return err;
		}
	}
	free(done);
	if (!aliases)
		return 0;
	err = fdt_begin_node(fdt, "aliases");
	for (i = 0; i < k->host.npci && !err; i++) {
		unsigned int dom, bus, dev, fn;
		char path[64];

		if (!sel[i] || !k->pci[i].alias)
			continue;
		pci_split(k->host.pci[i].bdf, &dom, &bus, &dev, &fn);
		snprintf(path, sizeof(path), "/pci@%x/pci@%x,%x",
			 dom << 8 | bus, dev, fn);
		err = fdt_property_string(fdt, k->pci[i].alias, path);
	}
	return err ?: fdt_end_node(fdt);
}

static int plat_devices(struct sim_kernel *k, void *fdt, int inst)
{
	int i, err = 0, n = 0;

	for (i = 0; i < k->nplat; i++)
		n += k->plat[i].inst == inst;
	if (!n)
		return 0;
	err = fdt_begin_node(fdt, "devices");
	for (i = 0; i < k->nplat && !err; i++) {
		if (k->plat[i].inst != inst)
			continue;
		err = fdt_begin_node(fdt, k->plat[i].node);
		err = err ?: fdt_property_string(fdt, "device-type",
						 "platform");
		if (!err && k->plat[i].device_name)
			err = fdt_property_string(fdt, "device-name",
						  k->plat[i].device_name);
		if (!err && k->plat[i].acpi_hid)
			err = fdt_property_string(fdt, "acpi-hid",
						  k->plat[i].acpi_hid);
		err = err ?: fdt_end_node(fdt);
	}
	return err ?: fdt_end_node(fdt);
}

static int pool_body(struct sim_kernel *k, void *fdt)
{
	uint64_t *all = xmalloc((k->host.ncpus + 1) * sizeof(uint64_t));
	uint64_t *avail = xmalloc((k->host.ncpus + 1) * sizeof(uint64_t));
	bool *sel = xzalloc((k->host.npci + 1) * sizeof(bool));
	int na = 0, nf = 0, i, err;

	err = fdt_begin_node(fdt, "resources");
	if (!sim_pool_exists(k)) {
		/* before a baseline: the host itself */
		for (i = 0; i < k->host.ncpus; i++)
			all[na++] = k->cpu[i].phys;
		err = err ?: prop_u64s(fdt, "cpus", all, na);
		err = err ?: fdt_end_node(fdt);
		goto out;
	}
	for (i = 0; i < k->host.ncpus; i++) {
		if (!k->cpu[i].in_pool)
			continue;
		all[na++] = k->cpu[i].phys;
		if (!k->cpu[i].inst)
			avail[nf++] = k->cpu[i].phys;
	}
	err = err ?: prop_u64s(fdt, "cpus", all, na);
	err = err ?: prop_u64s(fdt, "cpus-available", avail, nf);
	for (i = 0; i < k->nchunk && !err; i++) {
		char name[40];
		fdt64_t reg[2] = { cpu_to_fdt64(k->chunk[i].base),
				   cpu_to_fdt64(k->chunk[i].size) };

		snprintf(name, sizeof(name), "memory@%llx",
			 (unsigned long long)k->chunk[i].base);
		err = fdt_begin_node(fdt, name);
		err = err ?: fdt_property_string(fdt, "device_type", "memory");
		err = err ?: fdt_property(fdt, "reg", reg, sizeof(reg));
		err = err ?: fdt_property_u32(fdt, "numa-node-id",
					      k->chunk[i].node);
		err = err ?: fdt_end_node(fdt);
	}
	err = err ?: plat_devices(k, fdt, 0);
	err = err ?: fdt_end_node(fdt);
	for (i = 0; i < k->host.npci; i++)
		sel[i] = k->pci[i].in_pool && !k->pci[i].inst;
	err = err ?: pci_bridges(k, fdt, sel);
out:
	free(all);
	free(avail);
	free(sel);
	return err;
}

static int inst_body(struct sim_kernel *k, void *fdt, struct sim_instance *in)
{
	uint64_t *cpus = xmalloc((in->ncpus + 1) * sizeof(uint64_t));
	bool *sel = xzalloc((k->host.npci + 1) * sizeof(bool));
	int i, err;

	err = fdt_begin_node(fdt, "resources");
	if (in->nreg) {
		err = err ?: prop_u64(fdt, "memory-base", in->reg[0].base);
		err = err ?: prop_u64(fdt, "memory-bytes", sim_inst_mem(in));
	}
	for (i = 0; i < in->ncpus; i++)
		cpus[i] = k->cpu[in->cpus[i]].phys;
	err = err ?: prop_u64s(fdt, "cpus", cpus, in->ncpus);
	err = err ?: plat_devices(k, fdt, in->id);
	err = err ?: fdt_end_node(fdt);
	for (i = 0; i < k->host.npci; i++)
		sel[i] = k->pci[i].in_pool && k->pci[i].inst == in->id;
	err = err ?: pci_bridges(k, fdt, sel);
	if (!err && in->host_tree) {
		err = fdt_begin_node(fdt, "chosen");
		err = err ?: fdt_begin_node(fdt, "multikernel,host-tree");
		err = err ?: sim_copy_subtree(in->host_tree, 0, fdt);
		err = err ?: fdt_end_node(fdt);
		err = err ?: fdt_end_node(fdt);
	}
	free(cpus);
	free(sel);
	return err;
}

static int build(struct sim_kernel *k, struct sim_instance *in,
		 void **blob, size_t *len)
{
	size_t sz = 16384;

	for (;;) {
		void *fdt = xmalloc(sz);
		int err;

		err = fdt_create(fdt, (int)sz);
		err = err ?: fdt_finish_reservemap(fdt);
		err = err ?: fdt_begin_node(fdt, "");
		err = err ?: fdt_property_string(fdt, "compatible",
						 "multikernel-v1");
		if (!err && in)
			err = fdt_property_string(fdt, "model", in->name);
		err = err ?: fdt_property_u32(fdt, "#address-cells", 2);
		err = err ?: fdt_property_u32(fdt, "#size-cells", 2);
		err = err ?: fdt_property_u32(fdt, "id", in ? in->id : 0);
		if (!err)
			err = in ? inst_body(k, fdt, in) : pool_body(k, fdt);
		err = err ?: fdt_end_node(fdt);
		err = err ?: fdt_finish(fdt);
		if (!err) {
			*blob = fdt;
			*len = fdt_totalsize(fdt);
			return 0;
		}
		free(fdt);
		if (err != -FDT_ERR_NOSPACE || sz >= 64 * SIM_MIB)
			return -EIO;
		sz *= 2;
	}
}

int sim_pool_tree(struct sim_kernel *k, void **blob, size_t *len)
{
	return build(k, NULL, blob, len);
}

int sim_instance_tree(struct sim_kernel *k, struct sim_instance *in,
		      void **blob, size_t *len)
{
	return build(k, in, blob, len);
}
