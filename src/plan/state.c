// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The live state: the kernel's pool and instances, in the model's terms
 * (logical CPUs), on top of the host description init saved.
 */
#include "plan/state.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "check/finding.h"
#include "dt/dt.h"
#include "kernel/host.h"
#include "kernel/mk2.h"
#include "kernel/txn.h"

void kstate_init(struct kstate *st)
{
	memset(st, 0, sizeof(*st));
	mk_model_init(&st->model);
	cpumap_init(&st->map);
	cpuset_init(&st->pool_cpus);
	cpuset_init(&st->pool_free);
	srcfiles_init(&st->srcs);
}

static void inst_free(struct kstate_inst *ki)
{
	size_t i;

	free(ki->name);
	free(ki->status_text);
	free(ki->phys);
	free(ki->regions);
	for (i = 0; i < ki->ndevs; i++) {
		free(ki->devs[i].pci_id);
		free(ki->devs[i].name);
	}
	free(ki->devs);
}

void kstate_free(struct kstate *st)
{
	size_t i;

	for (i = 0; i < st->ninst; i++)
		inst_free(&st->inst[i]);
	free(st->inst);
	for (i = 0; i < st->npool_pci; i++)
		free(st->pool_pci[i]);
	free(st->pool_pci);
	mk_model_free(&st->model);
	dt_tree_free(st->base_tree);
	cpumap_free(&st->map);
	cpuset_free(&st->pool_cpus);
	cpuset_free(&st->pool_free);
	srcfiles_free(&st->srcs);
	memset(st, 0, sizeof(*st));
}

/* The saved host description, if init left one (and it still reads). */
static void load_baseline(const struct kport *kp, struct kstate *st,
			  const char *desc)
{
	struct findings f;
	struct diags d;
	char *path = desc ? xstrdup(desc) : kp_path(kp, KSTATE_BASELINE_FILE);

	diags_init(&d);
	findings_init(&f);
	if (access(path, R_OK) == 0 &&
	    mk_load(path, NULL, NULL, &st->base_tree, &st->model, &d) == 0 &&
	    mk_decode(st->base_tree, &st->model, &f) == 0 &&
	    st->model.cpus.present) {
		st->have_baseline = true;
	} else {
		mk_model_free(&st->model);
		mk_model_init(&st->model);
		dt_tree_free(st->base_tree);
		st->base_tree = NULL;
	}
	findings_free(&f);
	diags_free(&d);
	free(path);
}

static void phys_to_logical(const struct cpumap *map, const uint64_t *ids,
			    size_t n, struct cpuset *out, bool *unmapped)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t l;

		if (cpumap_logical(map, ids[i], &l) == 0)
			cpuset_add(out, l);
		else if (unmapped)
			*unmapped = true;
	}
}

/* The inventory as far as the kernel and the CPU map tell it. */
static void pool_inventory(struct kstate *st, const struct mk2_readback *rb)
{
	struct mk_model *m = &st->model;
	size_t i;

	m->form = MK_FORM_POOL;
	m->cpus.present = true;
	phys_to_logical(&st->map, rb->cpus, rb->ncpus, &st->pool_cpus, NULL);
	if (!st->have_baseline) {
		uint32_t total = 0;

		for (i = 0; i < st->map.n; i++)
			if (st->map.v[i].logical + 1 > total)
				total = st->map.v[i].logical + 1;
		m->cpus.total = total;
		cpuset_clear(&m->cpus.host_reserved);
		for (i = 0; i < st->map.n; i++)
			if (!cpuset_has(&st->pool_cpus, st->map.v[i].logical))
				cpuset_add(&m->cpus.host_reserved,
					   st->map.v[i].logical);
	}
	/* the pool the kernel has is what instances can use */
	cpuset_copy(&m->cpus.available, &st->pool_cpus);
	m->cpus.ids_physical = false;

	free(m->mem.pool);
	m->mem.present = true;
	m->mem.pool = xzalloc((rb->nchunks + 1) * sizeof(*m->mem.pool));
	m->mem.npool = rb->nchunks;
	m->mem.pool_bytes = 0;
	for (i = 0; i < rb->nchunks; i++) {
		m->mem.pool[i].base = rb->chunks[i].base;
		m->mem.pool[i].size = rb->chunks[i].size;
		m->mem.pool[i].has_base = true;
		m->mem.pool[i].numa = rb->chunks[i].numa;
		m->mem.pool_bytes += rb->chunks[i].size;
	}
	/*
	 * The chunks are real addresses the kernel chose.  total-bytes of
	 * the saved description is an amount of RAM, and RAM has holes (a
	 * 256 GiB host with a 2 GiB hole below 4 GiB ends at 258 GiB), so
	 * it is no end address for them: the inventory checks compare the
	 * pool against total as one, so let total reach the highest chunk.
	 * The amounts (host-reserved + pool <= total) still hold.
	 */
	{
		uint64_t end = 0;

		for (i = 0; i < rb->nchunks; i++)
			if (rb->chunks[i].base + rb->chunks[i].size > end)
				end = rb->chunks[i].base + rb->chunks[i].size;
		if (!st->have_baseline || !m->mem.has_total ||
		    end > m->mem.total) {
			m->mem.total = end;
			m->mem.has_total = true;
		}
	}
}

/* Name of a PCI function: the inventory's, the VF's, the alias, the id. */
static char *pci_name(const struct kstate *st, const struct host_info *host,
		      const char *bdf, const char *alias, int *dev, int *vf)
{
	const struct mk_model *m = &st->model;
	size_t i, k;

	*dev = -1;
	*vf = -1;
	for (i = 0; i < m->ndevices; i++) {
		const struct mk_device *x = &m->devices[i];
		const struct host_pci *hp;

		if (!x->pci_id)
			continue;
		if (!strcasecmp(x->pci_id, bdf) && x->kind != MK_DEV_SRIOV) {
			*dev = (int)i;
			return xstrdup(x->name);
		}
		hp = host ? host_pci_find(host, x->pci_id) : NULL;
		for (k = 0; hp && k < hp->nvirtfn; k++) {
			if (hp->virtfn[k] && !strcasecmp(hp->virtfn[k], bdf)) {
				*dev = (int)i;
				*vf = (int)k;
				return xasprintf("%s_vf%zu", x->name, k);
			}
		}
	}
	return xstrdup(alias ? alias : bdf);
}

static long devref_for(struct mk_model *m, int dev, int vf)
{
	struct mk_devref *r;
	size_t i;

	for (i = 0; i < m->ndevrefs; i++)
		if (m->devrefs[i].parent == dev && m->devrefs[i].has_vf &&
		    m->devrefs[i].vf == (uint32_t)vf)
			return (long)i;
	m->devrefs = xrealloc(m->devrefs,
			      (m->ndevrefs + 1) * sizeof(*m->devrefs));
	r = &m->devrefs[m->ndevrefs];
	memset(r, 0, sizeof(*r));
	r->name = xasprintf("%s_vf%d", m->devices[dev].name, vf);
	r->parent = dev;
	r->parent_ref = xstrdup(m->devices[dev].name);
	r->has_vf = true;
	r->vf = (uint32_t)vf;
	return (long)m->ndevrefs++;
}

static int cmp_region(const void *a, const void *b)
{
	const struct kstate_region *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

static void add_instance(struct kstate *st, const struct mkfs_instance *fi,
			 const struct mk_iomem *io,
			 const struct host_info *host)
{
	struct mk_model *m = &st->model;
	struct mk_instance *mi;
	struct kstate_inst *ki;
	struct mk2_readback rb;
	size_t i;

	m->instances = xrealloc(m->instances,
				(m->ninstances + 1) * sizeof(*m->instances));
	st->inst = xrealloc(st->inst, (st->ninst + 1) * sizeof(*st->inst));
	mi = &m->instances[m->ninstances++];
	ki = &st->inst[st->ninst++];
	memset(mi, 0, sizeof(*mi));
	memset(ki, 0, sizeof(*ki));
	cpuset_init(&mi->cpus);
	cpuset_init(&mi->cpus_dup);
	mi->name = xstrdup(fi->name);
	mi->has_id = fi->id > 0;
	mi->id = fi->id > 0 ? (uint32_t)fi->id : 0;
	ki->name = xstrdup(fi->name);
	ki->id = fi->id;
	ki->status = fi->status;
	ki->status_text = xstrdup(fi->status_text ? fi->status_text : "");

	memset(&rb, 0, sizeof(rb));
	if (fi->dtb && mk2_parse_readback(fi->dtb, fi->dtb_len, &rb) == 0) {
		ki->phys = rb.cpus;
		ki->nphys = rb.ncpus;
		rb.cpus = NULL;
		rb.ncpus = 0;
		phys_to_logical(&st->map, ki->phys, ki->nphys, &mi->cpus,
				&ki->cpus_unmapped);
		mi->has_cpus = true;
		ki->mem_bytes = rb.mem_bytes;
		for (i = 0; i < rb.npci; i++) {
			int dev, vf;
			struct kstate_dev *kd;
			struct mk_inst_dev *md;

			ki->devs = xrealloc(ki->devs,
					    (ki->ndevs + 1) * sizeof(*ki->devs));
			kd = &ki->devs[ki->ndevs++];
			kd->pci_id = xstrdup(rb.pci[i]);
			kd->name = pci_name(st, host, rb.pci[i],
					    rb.pci_alias[i], &dev, &vf);
			mi->devs = xrealloc(mi->devs, (mi->ndevs + 1) *
							      sizeof(*mi->devs));
			md = &mi->devs[mi->ndevs++];
			memset(md, 0, sizeof(*md));
			md->name = xstrdup(kd->name);
			if (dev >= 0 && vf >= 0) {
				md->kind = MK_REF_DEVREF;
				md->index = (int)devref_for(m, dev, vf);
			} else if (dev >= 0) {
				md->kind = MK_REF_DEVICE;
				md->index = dev;
			} else {
				md->kind = MK_REF_NAME;
				md->index = -1;
			}
		}
	}
	mk2_readback_free(&rb);

	/* memory: the regions of proc/iomem (the instance tree gives only
	 * the first base) */
	for (i = 0; io && i < io->nregions; i++) {
		const struct mk_region *r = &io->regions[i];
		struct kstate_region *kr;

		if (r->id != fi->id || !r->name || strcmp(r->name, fi->name))
			continue;
		ki->regions = xrealloc(ki->regions, (ki->nregions + 1) *
							    sizeof(*ki->regions));
		kr = &ki->regions[ki->nregions++];
		kr->base = r->start;
		kr->size = r->end - r->start + 1;
		kr->index = r->index;
		kr->chunk = -1;
		for (size_t c = 0; c < m->mem.npool; c++)
			if (kr->base >= m->mem.pool[c].base &&
			    kr->base - m->mem.pool[c].base <
				    m->mem.pool[c].size)
				kr->chunk = (long)c;
	}
	xqsort(ki->regions, ki->nregions, sizeof(*ki->regions), cmp_region);
	if (ki->nregions) {
		uint64_t sum = 0;

		for (i = 0; i < ki->nregions; i++)
			sum += ki->regions[i].size;
		mi->mem_base = ki->regions[0].base;
		mi->has_base = !io->zeroed;
		mi->mem_size = sum;
		mi->has_size = true;
	} else if (ki->mem_bytes) {
		mi->mem_size = ki->mem_bytes;
		mi->has_size = true;
	}
}

/* The transaction whose instance-create made each instance. */
static void find_txns(const struct kport *kp, struct kstate *st)
{
	unsigned int *ids = NULL;
	size_t n = 0, i;

	if (!st->ninst || txn_list(kp, &ids, &n, NULL))
		return;
	for (i = 0; i < n; i++) {
		char *rel = xasprintf(KP_MKFS_OVERLAYS "/tx_%u/dtbo", ids[i]);
		char *data = NULL, *name = NULL;
		struct txn_info ti;
		size_t len;

		memset(&ti, 0, sizeof(ti));
		if (txn_read(kp, ids[i], &ti, NULL) == 0 &&
		    ti.status == TXN_APPLIED && kp_read(kp, rel, &data, &len) == 0 &&
		    mk2_overlay_created(data, len, &name) == 0) {
			for (size_t k = 0; k < st->ninst; k++)
				if (!strcmp(name, st->inst[k].name))
					st->inst[k].txn = ids[i];
		}
		txn_info_free(&ti);
		free(name);
		free(data);
		free(rel);
	}
	free(ids);
}

/* Point every position of a kernel instance at its line of state_file. */
static void set_pos(struct mk_pos *at, struct srcfile *f, uint32_t line)
{
	at->pos.file = f;
	at->pos.line = line;
	at->pos.col = 1;
}

static void state_positions(struct kstate *st)
{
	struct mk_model *m = &st->model;
	struct srcfile *f;
	struct strbuf sb;
	size_t i, k;

	if (!st->ninst)
		return;
	sb_init(&sb);
	for (i = 0; i < st->ninst; i++) {
		const struct kstate_inst *ki = &st->inst[i];

		if (ki->txn)
			sb_addf(&sb, "%s (id %d, created by transaction %u)\n",
				ki->name, ki->id, ki->txn);
		else
			sb_addf(&sb, "%s (id %d, status %s)\n", ki->name,
				ki->id, ki->status_text);
	}
	f = srcfiles_add(&st->srcs, KSTATE_SOURCE_NAME, sb.buf, sb.len);
	sb_free(&sb);
	st->state_file = f;
	for (i = 0; i < st->ninst && i < m->ninstances; i++) {
		struct mk_instance *mi = &m->instances[i];
		uint32_t line = (uint32_t)i + 1;

		set_pos(&mi->at, f, line);
		set_pos(&mi->id_at, f, line);
		set_pos(&mi->cpus_at, f, line);
		set_pos(&mi->base_at, f, line);
		set_pos(&mi->size_at, f, line);
		set_pos(&mi->devs_at, f, line);
		set_pos(&mi->numa_at, f, line);
		for (k = 0; k < mi->ndevs; k++)
			set_pos(&mi->devs[k].at, f, line);
	}
}

int kstate_read(const struct kport *kp, struct kstate *st, struct diags *d)
{
	return kstate_read_desc(kp, st, NULL, d);
}

int kstate_read_desc(const struct kport *kp, struct kstate *st,
		     const char *desc, struct diags *d)
{
	struct mkfs_instances list = {0};
	struct mk2_readback rb;
	struct mk_iomem io;
	struct host_info host;
	bool have_host;
	void *blob = NULL;
	size_t len = 0, i;
	int ret;

	ret = mkfs_require(kp, d);
	if (ret)
		return ret;
	st->mounted = true;
	ret = mkfs_read_pool(kp, &blob, &len, d);
	if (ret)
		return ret;
	ret = mk2_parse_readback(blob, len, &rb);
	free(blob);
	if (ret) {
		kp_err(d, "cannot read the pool tree of the kernel");
		return ret;
	}
	st->initialized = rb.nchunks > 0;
	load_baseline(kp, st, desc);
	ret = cpumap_resolve(kp,
			     st->have_baseline && st->model.cpus.nphys
				     ? st->model.cpus.phys
				     : NULL,
			     st->model.cpus.nphys, &st->map, d);
	if (ret) {
		mk2_readback_free(&rb);
		return ret;
	}
	pool_inventory(st, &rb);
	for (i = 0; i < rb.npci; i++) {
		st->pool_pci = xrealloc(st->pool_pci,
					(st->npool_pci + 1) * sizeof(char *));
		st->pool_pci[st->npool_pci++] = xstrdup(rb.pci[i]);
	}
	cpuset_init(&st->pool_free);
	phys_to_logical(&st->map, rb.cpus_free, rb.ncpus_free, &st->pool_free,
			NULL);
	mk2_readback_free(&rb);

	memset(&io, 0, sizeof(io));
	if (mkfs_read_iomem(kp, &io, NULL))
		memset(&io, 0, sizeof(io));
	st->iomem_zeroed = io.zeroed;
	have_host = host_read(kp->sysroot ? kp->sysroot : "/", &host) == 0;
	ret = mkfs_list_instances(kp, true, &list, d);
	if (ret) {
		mk_iomem_free(&io);
		if (have_host)
			host_free(&host);
		return ret;
	}
	for (i = 0; i < list.n; i++)
		add_instance(st, &list.v[i], &io, have_host ? &host : NULL);
	mkfs_instances_free(&list);
	mk_iomem_free(&io);
	if (have_host)
		host_free(&host);
	find_txns(kp, st);
	state_positions(st);
	return 0;
}

long kstate_find(const struct kstate *st, const char *name)
{
	size_t i;

	for (i = 0; name && i < st->ninst; i++)
		if (!strcmp(st->inst[i].name, name))
			return (long)i;
	return -1;
}

long kstate_find_id(const struct kstate *st, int id)
{
	size_t i;

	for (i = 0; i < st->ninst; i++)
		if (st->inst[i].id == id)
			return (long)i;
	return -1;
}

int kstate_lookup(const struct kstate *st, const char *name, int id,
		  long *idx, struct diags *d)
{
	struct strbuf sb;
	size_t i;

	*idx = name ? kstate_find(st, name) : kstate_find_id(st, id);
	if (*idx >= 0)
		return 0;
	if (name)
		kp_err(d, "instance '%s' does not exist", name);
	else
		kp_err(d, "no instance has id %d", id);
	if (name) {
		unsigned int best = ~0u, limit = strlen(name) / 3 + 1;
		long bi = -1;

		if (limit < 2)
			limit = 2;
		for (i = 0; i < st->ninst; i++) {
			unsigned int dist = edit_distance(name,
							  st->inst[i].name);

			if (dist <= limit && dist < best) {
				best = dist;
				bi = (long)i;
			}
		}
		if (bi >= 0) {
			kp_hint(d, "Did you mean '%s' (id %d, status %s)?",
				st->inst[bi].name, st->inst[bi].id,
				st->inst[bi].status_text);
			return -ENOENT;
		}
	}
	sb_init(&sb);
	for (i = 0; i < st->ninst; i++)
		sb_addf(&sb, "%s%s (id %d)", i ? ", " : "", st->inst[i].name,
			st->inst[i].id);
	if (st->ninst)
		kp_hint(d, "Instances: %s", sb.buf);
	else
		kp_hint(d, "There are no instances; create one with 'kerf "
			   "create'.");
	sb_free(&sb);
	return -ENOENT;
}

uint32_t kstate_free_id(const struct kstate *st)
{
	uint32_t id;

	for (id = 1; id <= MK_ID_MAX; id++)
		if (kstate_find_id(st, (int)id) < 0)
			return id;
	return 0;
}

int kstate_gaps(const struct kstate *st, long skip, struct kstate_gap **gaps,
		size_t *n)
{
	const struct mk_memory *mem = &st->model.mem;
	struct kstate_region *rs = NULL;
	size_t c, i, k, nr = 0;

	*gaps = NULL;
	*n = 0;
	for (i = 0; i < st->ninst; i++) {
		if ((long)i == skip)
			continue;
		for (k = 0; k < st->inst[i].nregions; k++) {
			rs = xrealloc(rs, (nr + 1) * sizeof(*rs));
			rs[nr++] = st->inst[i].regions[k];
		}
	}
	xqsort(rs, nr, sizeof(*rs), cmp_region);
	for (c = 0; c < mem->npool; c++) {
		uint64_t pos = mem->pool[c].base;
		uint64_t end = mem->pool[c].base + mem->pool[c].size;

		for (i = 0; i <= nr && pos < end; i++) {
			uint64_t rb = i < nr ? rs[i].base : end;
			uint64_t re = i < nr ? rs[i].base + rs[i].size : end;

			if (re <= pos)
				continue;
			if (rb > end)
				rb = end;
			if (rb > pos) {
				*gaps = xrealloc(*gaps,
						 (*n + 1) * sizeof(**gaps));
				(*gaps)[*n].base = pos;
				(*gaps)[*n].size = rb - pos;
				(*gaps)[*n].chunk = (long)c;
				(*n)++;
			}
			if (re > pos)
				pos = re;
		}
	}
	free(rs);
	return 0;
}

int kstate_save_baseline(const struct kport *kp, const struct dt_tree *t,
			 struct diags *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	/* DTS keeps the labels (device names) a DTB would lose */
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	dts_write(f, t);
	fclose(f);
	ret = kp_write_atomic(kp, KSTATE_BASELINE_FILE, text, len);
	if (ret)
		kp_err(d, "cannot save the host description in %s: %s",
		       KSTATE_BASELINE_FILE, strerror(-ret));
	free(text);
	return ret;
}

char *kstate_vf_bdf(const struct kport *kp, const char *pf, uint32_t vf)
{
	struct host_info host;
	const struct host_pci *hp;
	char *bdf = NULL;

	if (!pf || host_read(kp->sysroot ? kp->sysroot : "/", &host))
		return NULL;
	hp = host_pci_find(&host, pf);
	if (hp && vf < hp->nvirtfn && hp->virtfn[vf])
		bdf = xstrdup(hp->virtfn[vf]);
	host_free(&host);
	return bdf;
}
