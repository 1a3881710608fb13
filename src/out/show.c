// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf show through the emitter: every fact is one emit call with a key
 * (JSON/YAML) and a text format (the table), so the forms cannot drift.
 * Column widths are measured first, then used in the text formats.
 */
#include "out/show.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model/size.h"
#include "util/util.h"

enum { COL_NAME, COL_ID, COL_STATUS, COL_CPUS, COL_MEM, COL_DEVS, COL_KERNEL,
       NCOLS };

static const char *const col_head[NCOLS] = {
	"NAME", "ID", "STATUS", "CPUS", "MEMORY", "DEVICES", "KERNEL",
};

/* The text of one row, measured before anything is printed. */
struct row {
	char *cell[NCOLS];
};

static const char *sep(const struct show_opts *o)
{
	return o->unicode ? " \u00b7 " : ", ";
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

static uint64_t inst_mem(const struct kstate *st, size_t i)
{
	const struct kstate_inst *ki = &st->inst[i];
	uint64_t sum = 0;
	size_t r;

	for (r = 0; r < ki->nregions; r++)
		sum += ki->regions[r].size;
	if (sum)
		return sum;
	if (i < st->model.ninstances && st->model.instances[i].has_size)
		return st->model.instances[i].mem_size;
	return ki->mem_bytes;
}

static char *inst_cpus(const struct kstate *st, size_t i)
{
	if (i < st->model.ninstances &&
	    !cpuset_empty(&st->model.instances[i].cpus))
		return cpuset_format(&st->model.instances[i].cpus);
	return xstrdup("-");
}

static char *inst_devs(const struct kstate_inst *ki)
{
	struct strbuf sb;
	size_t i;

	if (!ki->ndevs)
		return xstrdup("-");
	sb_init(&sb);
	for (i = 0; i < ki->ndevs; i++) {
		if (i)
			sb_addc(&sb, ',');
		sb_adds(&sb, ki->devs[i].name);
	}
	return sb_detach(&sb, NULL);
}

static uint32_t count_vfs(const struct mk_device *dv)
{
	if (!cpuset_empty(&dv->vf_available))
		return cpuset_count(&dv->vf_available);
	return dv->kind == MK_DEV_SRIOV ? dv->nvfs : 0;
}

void show_usage(const struct kstate *st, struct show_usage *u)
{
	const struct mk_model *m = &st->model;
	struct cpuset used;
	size_t i, k;

	memset(u, 0, sizeof(*u));
	cpuset_init(&used);
	for (i = 0; i < m->ninstances; i++)
		cpuset_or(&used, &m->instances[i].cpus);
	cpuset_and(&used, &st->pool_cpus);
	u->cpus_total = cpuset_count(&st->pool_cpus);
	u->cpus_used = cpuset_count(&used);
	cpuset_free(&used);
	u->mem_total = m->mem.pool_bytes;
	for (i = 0; i < st->ninst; i++)
		u->mem_used += inst_mem(st, i);
	for (i = 0; i < m->ndevices; i++)
		u->vfs_total += count_vfs(&m->devices[i]);
	for (i = 0; i < m->ninstances; i++) {
		const struct mk_instance *in = &m->instances[i];

		for (k = 0; k < in->ndevs; k++) {
			const struct mk_inst_dev *dv = &in->devs[k];

			if (dv->kind == MK_REF_DEVREF && dv->index >= 0 &&
			    (size_t)dv->index < m->ndevrefs &&
			    m->devrefs[dv->index].has_vf)
				u->vfs_used++;
		}
	}
}

/* "CPUs 12/28 used · memory 10 GiB/14 GiB used · 3/7 VFs used" */
static void emit_pool(struct emitter *e, const struct kstate *st,
		      const struct show_opts *o)
{
	const struct mk_model *m = &st->model;
	struct show_usage u;
	char a[32], b[32];
	char *list;
	size_t i;

	show_usage(st, &u);
	emit_open_object(e, "pool");
	emit_text(e, "\nPool: ");
	emit_uint(e, "cpus_used", "CPUs %" PRIu64, u.cpus_used);
	emit_uint(e, "cpus_total", "/%" PRIu64 " used", u.cpus_total);
	list = cpuset_format(&st->pool_cpus);
	emit_string(e, "cpus", NULL, list);
	free(list);
	list = cpuset_format(&st->pool_free);
	emit_string(e, "cpus_free", NULL, list);
	free(list);
	emit_text(e, "%smemory %s/%s used", sep(o),
		  size_format(a, sizeof(a), u.mem_used, SIZE_IEC),
		  size_format(b, sizeof(b), u.mem_total, SIZE_IEC));
	emit_uint(e, "memory_used_bytes", NULL, u.mem_used);
	emit_uint(e, "memory_total_bytes", NULL, u.mem_total);
	if (u.vfs_total || u.vfs_used) {
		emit_text(e, "%s", sep(o));
		emit_uint(e, "vfs_used", "%" PRIu64, u.vfs_used);
		emit_uint(e, "vfs_total", "/%" PRIu64 " VFs used", u.vfs_total);
	}
	emit_text(e, "\n");
	emit_open_array(e, "chunks");
	if (o->verbose && m->mem.npool)
		emit_text(e, "Pool memory:\n");
	for (i = 0; i < m->mem.npool; i++) {
		const struct mk_range *r = &m->mem.pool[i];

		emit_open_object(e, NULL);
		if (o->verbose) {
			emit_hex(e, "base", "  0x%" PRIx64, r->base);
			emit_hex(e, "end", "-0x%" PRIx64,
				 r->base + r->size - 1);
			emit_text(e, " (%s)", size_format(a, sizeof(a), r->size,
							   SIZE_IEC));
			if (r->numa >= 0)
				emit_int(e, "numa_node", ", node %" PRId64,
					 r->numa);
			emit_text(e, "\n");
		} else {
			emit_hex(e, "base", NULL, r->base);
			emit_hex(e, "end", NULL, r->base + r->size - 1);
			if (r->numa >= 0)
				emit_int(e, "numa_node", NULL, r->numa);
		}
		emit_uint(e, "size_bytes", NULL, r->size);
		emit_close_object(e);
	}
	emit_close_array(e);
	emit_close_object(e);
}

static void row_fill(struct row *r, const struct kstate *st, size_t i,
		     const struct kload_record *rec)
{
	const struct kstate_inst *ki = &st->inst[i];
	char buf[32];

	r->cell[COL_NAME] = xstrdup(ki->name);
	r->cell[COL_ID] = xasprintf("%d", ki->id);
	r->cell[COL_STATUS] = xstrdup(ki->status_text ? ki->status_text : "?");
	r->cell[COL_CPUS] = inst_cpus(st, i);
	r->cell[COL_MEM] = xstrdup(size_format(buf, sizeof(buf),
					       inst_mem(st, i), SIZE_IEC));
	r->cell[COL_DEVS] = inst_devs(ki);
	r->cell[COL_KERNEL] = xstrdup(rec && rec->image_path ?
				      base_name(rec->image_path) : "-");
}

/* A text-only cell of the table (the last one ends the line). */
static void cell_text(struct emitter *e, const size_t *w, int c,
		      const char *s)
{
	if (c + 1 < NCOLS)
		emit_text(e, "%-*s  ", (int)w[c], s);
	else
		emit_text(e, "%s\n", s);
}

static void row_free(struct row *r)
{
	int c;

	for (c = 0; c < NCOLS; c++)
		free(r->cell[c]);
}

/* The physical ids of an instance's CPUs, kernel order. */
static void emit_phys(struct emitter *e, const struct kstate_inst *ki,
		      const char *prefix)
{
	size_t k;

	emit_open_array(e, "physical_cpus");
	if (prefix)
		emit_text(e, "%s", prefix);
	for (k = 0; k < ki->nphys; k++)
		emit_uint(e, NULL,
			  !prefix ? NULL : k ? ",%" PRIu64 : "%" PRIu64,
			  ki->phys[k]);
	emit_close_array(e);
}

static void emit_kernel(struct emitter *e, const struct kload_record *rec,
			bool verbose, bool detail)
{
	char a[32], b[32];

	if (!rec) {
		emit_null(e, "kernel", detail ? "  Kernel:      -\n" : NULL);
		return;
	}
	emit_open_object(e, "kernel");
	emit_string(e, "image", detail ? "  Kernel:      %s\n" : NULL,
		    rec->image_path);
	emit_string(e, "format", detail ? "    Format:    %s" : NULL,
		    rec->image_format);
	if (rec->compression && strcmp(rec->compression, "none"))
		emit_string(e, "compression", detail ? " (%s)" : NULL,
			    rec->compression);
	else
		emit_string(e, "compression", NULL, rec->compression);
	emit_text(e, "%s", detail ? "\n" : "");
	emit_uint(e, "image_bytes", NULL, rec->image_size);
	if (detail)
		emit_text(e, "    Size:      %s file, %s to load\n",
			  size_format(a, sizeof(a), rec->image_size, SIZE_IEC),
			  size_format(b, sizeof(b), rec->load_bytes,
				      SIZE_IEC));
	emit_uint(e, "load_bytes", NULL, rec->load_bytes);
	if (rec->has_initrd) {
		emit_string(e, "initrd", detail ? "    Initrd:    %s\n" : NULL,
			    rec->initrd_path);
		emit_uint(e, "initrd_bytes", NULL, rec->initrd_size);
	} else {
		emit_null(e, "initrd", detail ? "    Initrd:    -\n" : NULL);
	}
	emit_string(e, "cmdline", detail ? "    Cmdline:   %s\n" : NULL,
		    rec->cmdline && *rec->cmdline ? rec->cmdline : "");
	emit_string(e, "loaded_at", detail ? "    Loaded at: %s\n" : NULL,
		    rec->loaded_at);
	emit_string(e, "sha256", detail && verbose ? "    SHA-256:   %s\n"
						    : NULL, rec->image_sha256);
	if (rec->has_initrd)
		emit_string(e, "initrd_sha256", detail && verbose ?
			    "    Initrd SHA-256: %s\n" : NULL,
			    rec->initrd_sha256);
	emit_close_object(e);
}

/* The data of one instance that the table does not show. */
static void emit_regions(struct emitter *e, const struct kstate_inst *ki,
			 bool text)
{
	char buf[32];
	size_t r;

	emit_open_array(e, "regions");
	for (r = 0; r < ki->nregions; r++) {
		const struct kstate_region *g = &ki->regions[r];

		emit_open_object(e, NULL);
		emit_hex(e, "base", text ? "    0x%" PRIx64 : NULL, g->base);
		emit_hex(e, "end", text ? "-0x%" PRIx64 : NULL,
			 g->base + g->size - 1);
		emit_uint(e, "size_bytes", NULL, g->size);
		if (text)
			emit_text(e, " (%s)\n", size_format(buf, sizeof(buf),
							    g->size, SIZE_IEC));
		emit_close_object(e);
	}
	emit_close_array(e);
}

static void emit_devs(struct emitter *e, const struct kstate_inst *ki,
		      bool text)
{
	size_t k;

	emit_open_array(e, "devices");
	for (k = 0; k < ki->ndevs; k++) {
		emit_open_object(e, NULL);
		emit_string(e, "name", text ? "    %s" : NULL,
			    ki->devs[k].name);
		if (ki->devs[k].pci_id)
			emit_string(e, "pci_id", text ? " (%s)" : NULL,
				    ki->devs[k].pci_id);
		emit_text(e, "%s", text ? "\n" : "");
		emit_close_object(e);
	}
	emit_close_array(e);
}

void show_all(struct emitter *e, const struct kstate *st,
	      struct kload_record *const *rec, const struct show_opts *o)
{
	size_t w[NCOLS], i;
	struct row *rows;
	char fmt[NCOLS][16];
	int c;

	emit_open_object(e, NULL);
	emit_uint(e, "schema_version", NULL, SHOW_SCHEMA_VERSION);
	emit_bool(e, "initialized", NULL, st->initialized);
	if (!st->initialized) {
		emit_text(e, "No multikernel pool yet: run 'kerf init "
			     "--input=FILE' first.\n");
		emit_open_array(e, "instances");
		emit_close_array(e);
		emit_close_object(e);
		return;
	}
	rows = xzalloc((st->ninst + 1) * sizeof(*rows));
	for (c = 0; c < NCOLS; c++)
		w[c] = strlen(col_head[c]);
	for (i = 0; i < st->ninst; i++) {
		row_fill(&rows[i], st, i, rec ? rec[i] : NULL);
		for (c = 0; c < NCOLS; c++)
			if (strlen(rows[i].cell[c]) > w[c])
				w[c] = strlen(rows[i].cell[c]);
	}
	/* The last column is not padded: no trailing blanks. */
	for (c = 0; c < NCOLS; c++)
		snprintf(fmt[c], sizeof(fmt[c]),
			 c + 1 < NCOLS ? "%%-%zus  " : "%%s\n", w[c]);
	if (st->ninst) {
		for (c = 0; c < NCOLS; c++)
			cell_text(e, w, c, col_head[c]);
	} else {
		emit_text(e, "No instances.\n");
	}
	emit_open_array(e, "instances");
	for (i = 0; i < st->ninst; i++) {
		const struct kstate_inst *ki = &st->inst[i];
		struct row *r = &rows[i];

		emit_open_object(e, NULL);
		emit_string(e, "name", fmt[COL_NAME], ki->name);
		emit_uint(e, "id", NULL, (uint64_t)ki->id);
		cell_text(e, w, COL_ID, r->cell[COL_ID]);
		emit_string(e, "status", fmt[COL_STATUS], r->cell[COL_STATUS]);
		emit_string(e, "cpus", fmt[COL_CPUS], r->cell[COL_CPUS]);
		emit_uint(e, "cpu_count", NULL,
			  i < st->model.ninstances ?
			  cpuset_count(&st->model.instances[i].cpus) : 0);
		if (o->verbose)
			emit_phys(e, ki, NULL);
		emit_uint(e, "memory_bytes", NULL, inst_mem(st, i));
		cell_text(e, w, COL_MEM, r->cell[COL_MEM]);
		cell_text(e, w, COL_DEVS, r->cell[COL_DEVS]);
		emit_devs(e, ki, false);
		cell_text(e, w, COL_KERNEL, r->cell[COL_KERNEL]);
		emit_kernel(e, rec ? rec[i] : NULL, o->verbose, false);
		emit_regions(e, ki, false);
		if (ki->txn)
			emit_uint(e, "transaction", NULL, ki->txn);
		emit_close_object(e);
	}
	emit_close_array(e);
	if (o->verbose) {
		/* Physical ids under the table, keyed above. */
		for (i = 0; i < st->ninst; i++) {
			const struct kstate_inst *ki = &st->inst[i];
			size_t k;

			emit_text(e, "%s%s: physical CPU ids ",
				  i ? "" : "\n", ki->name);
			for (k = 0; k < ki->nphys; k++)
				emit_text(e, k ? ",%" PRIu64 : "%" PRIu64,
					  ki->phys[k]);
			emit_text(e, "%s\n", ki->nphys ? "" : "-");
		}
	}
	emit_pool(e, st, o);
	emit_close_object(e);
	for (i = 0; i < st->ninst; i++)
		row_free(&rows[i]);
	free(rows);
}

void show_one(struct emitter *e, const struct kstate *st, long idx,
	      const struct kload_record *rec, const struct show_opts *o)
{
	const struct kstate_inst *ki = &st->inst[idx];
	const struct mk_instance *mi = (size_t)idx < st->model.ninstances ?
				       &st->model.instances[idx] : NULL;
	char buf[32];
	char *cpus = inst_cpus(st, (size_t)idx);

	emit_open_object(e, NULL);
	emit_uint(e, "schema_version", NULL, SHOW_SCHEMA_VERSION);
	emit_open_object(e, "instance");
	emit_string(e, "name", "Instance '%s'\n", ki->name);
	emit_uint(e, "id", "  ID:          %" PRIu64 "\n", (uint64_t)ki->id);
	emit_string(e, "status", "  Status:      %s\n",
		    ki->status_text ? ki->status_text : "?");
	emit_string(e, "cpus", "  CPUs:        %s", cpus);
	emit_uint(e, "cpu_count", " (%" PRIu64 ")",
		  mi ? cpuset_count(&mi->cpus) : 0);
	if (o->verbose)
		emit_phys(e, ki, "; physical ids ");
	emit_text(e, "\n");
	emit_uint(e, "memory_bytes", NULL, inst_mem(st, (size_t)idx));
	emit_text(e, "  Memory:      %s\n",
		  size_format(buf, sizeof(buf), inst_mem(st, (size_t)idx),
			      SIZE_IEC));
	emit_regions(e, ki, true);
	if (mi && mi->nnuma) {
		size_t k;

		emit_open_array(e, "numa_nodes");
		emit_text(e, "  NUMA nodes:  ");
		for (k = 0; k < mi->nnuma; k++)
			emit_uint(e, NULL, k ? ",%" PRIu64 : "%" PRIu64,
				  mi->numa[k]);
		emit_text(e, "\n");
		emit_close_array(e);
	}
	emit_text(e, "  Devices:%s\n", ki->ndevs ? "" : "     -");
	emit_devs(e, ki, true);
	if (ki->txn)
		emit_uint(e, "transaction",
			  "  Transaction: tx_%" PRIu64 "\n", ki->txn);
	emit_kernel(e, rec, o->verbose, true);
	emit_close_object(e);
	emit_close_object(e);
	free(cpus);
}
