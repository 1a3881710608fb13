// SPDX-License-Identifier: GPL-2.0-or-later
/* Inventory checks (checks.md §1 "Inventory"). */
#include "check/check.h"

#include <stdlib.h>
#include <string.h>

static struct finding *inv(struct check_ctx *c, const char *check,
			   const struct mk_pos *at, const char *msg)
{
	struct finding *x =
		finding_add(c->f, check, SEV_ERROR, NULL, "%s", msg);

	if (at)
		finding_loc(x, &at->pos);
	return x;
}

static void out_of_range(struct check_ctx *c, const struct cpuset *s,
			 const char *list, const struct mk_pos *at)
{
	const struct mk_cpus *k = &c->m->cpus;
	struct cpuset bad;
	char *p, *msg;

	if (cpuset_last(s) < (int64_t)k->total)
		return; /* all exist */
	cpuset_init(&bad);
	cpuset_for_each(s, cpu) if ((uint32_t)cpu >= k->total)
		cpuset_add(&bad, (uint32_t)cpu);
	if (!cpuset_empty(&bad)) {
		p = cpus_phrase(&bad);
		msg = xasprintf("%s in %s %s (total is %u: CPUs 0-%u)", p, list,
				cpuset_count(&bad) == 1 ? "does not exist"
							: "do not exist",
				k->total, k->total ? k->total - 1 : 0);
		inv(c, "inventory-cpus", at, msg);
		free(msg);
		free(p);
	}
	cpuset_free(&bad);
}

void check_inventory_cpus(struct check_ctx *c)
{
	const struct mk_cpus *k = &c->m->cpus;
	struct cpuset both;
	struct finding *x;
	char *p;

	if (!k->present || k->ids_physical)
		return;
	if (k->total == 0 && k->total_at.prop) {
		inv(c, "inventory-cpus", &k->total_at,
		    "total must be at least 1 CPU");
		return;
	}
	out_of_range(c, &k->host_reserved, "host-reserved", &k->reserved_at);
	out_of_range(c, &k->available, "available", &k->available_at);
	cpuset_init(&both);
	cpuset_copy(&both, &k->host_reserved);
	cpuset_and(&both, &k->available);
	if (!cpuset_empty(&both)) {
		p = cpus_phrase(&both);
		x = finding_add(c->f, "inventory-cpus", SEV_ERROR, NULL,
				"%s %s both host-reserved and available", p,
				cpuset_count(&both) == 1 ? "is" : "are");
		finding_suggest(x, "Remove %s from one of the two lists", p);
		finding_loc(x, &k->reserved_at.pos);
		finding_loc(x, &k->available_at.pos);
		free(p);
	}
	if (!cpuset_empty(&k->dup_reserved)) {
		p = cpus_phrase(&k->dup_reserved);
		x = inv(c, "inventory-cpus", &k->reserved_at, "");
		free(x->message);
		x->message = xasprintf(
			"%s listed more than once in host-reserved", p);
		free(p);
	}
	if (!cpuset_empty(&k->dup_available)) {
		p = cpus_phrase(&k->dup_available);
		x = inv(c, "inventory-cpus", &k->available_at, "");
		free(x->message);
		x->message =
			xasprintf("%s listed more than once in available", p);
		free(p);
	}
	cpuset_free(&both);
}

void check_inventory_cpu0(struct check_ctx *c)
{
	const struct mk_cpus *k = &c->m->cpus;
	struct finding *x;

	if (!k->present || !k->total || cpuset_has(&k->host_reserved, 0) ||
	    k->ids_physical)
		return;
	x = finding_add(c->f, "inventory-cpu0", SEV_ERROR, NULL,
			"CPU 0 is not host-reserved: the kernel cannot give "
			"the boot CPU to an instance");
	finding_suggest(x, "Add CPU 0 to host-reserved%s",
			cpuset_has(&k->available, 0)
				? " and remove it from available"
				: "");
	finding_loc(x, &k->reserved_at.pos);
	if (cpuset_has(&k->available, 0))
		finding_loc(x, &k->available_at.pos);
}

void check_inventory_unlisted(struct check_ctx *c)
{
	const struct mk_cpus *k = &c->m->cpus;
	struct cpuset un;
	struct finding *x;
	char *p;

	if (!k->present || !k->total || k->ids_physical)
		return;
	cpuset_init(&un);
	cpuset_add_range(&un, 0, k->total - 1);
	cpuset_andnot(&un, &k->host_reserved);
	cpuset_andnot(&un, &k->available);
	if (!cpuset_empty(&un)) {
		p = cpus_phrase(&un);
		x = finding_add(c->f, "inventory-unlisted-cpu", SEV_WARNING,
				NULL,
				"%s %s neither host-reserved nor available", p,
				cpuset_count(&un) == 1 ? "is" : "are");
		finding_detail(x, "Such CPUs stay with the host but are not "
				  "declared as host-reserved");
		finding_suggest(x, "Add %s to available or to host-reserved",
				p);
		finding_loc(x, &k->total_at.pos);
		free(p);
	}
	cpuset_free(&un);
}

void check_inventory_memory(struct check_ctx *c)
{
	const struct mk_memory *mm = &c->m->mem;
	char a[SIZE_BUF], b[SIZE_BUF], s[SIZE_BUF];
	struct finding *x;
	size_t i;

	if (!mm->present)
		return;
	if (!mm->pool_bytes && mm->npool) {
		x = inv(c, "inventory-memory", &mm->size_at,
			"the memory pool is empty (0 bytes)");
		finding_suggest(x, "Give the pool a size (memory-pool-bytes)");
		return;
	}
	for (i = 0; i < mm->npool; i++) {
		const struct mk_range *r = &mm->pool[i];

		if (r->has_base && r->base % MK_PAGE_SIZE) {
			x = finding_add(c->f, "inventory-memory", SEV_ERROR,
					NULL,
					"memory pool base 0x%llx is not page "
					"aligned (4 KiB)",
					(unsigned long long)r->base);
			finding_suggest(
				x, "Use 0x%llx",
				(unsigned long long)(r->base &
						     ~(uint64_t)(MK_PAGE_SIZE -
								 1)) +
					MK_PAGE_SIZE);
			finding_loc(x, &mm->base_at.pos);
		}
		if (r->size % MK_PAGE_SIZE) {
			x = finding_add(c->f, "inventory-memory", SEV_ERROR,
					NULL,
					"memory pool size 0x%llx is not a "
					"multiple of 4 KiB",
					(unsigned long long)r->size);
			finding_suggest(
				x, "Use 0x%llx",
				(unsigned long long)(r->size &
						     ~(uint64_t)(MK_PAGE_SIZE -
								 1)));
			finding_loc(x, &r->at.pos);
			finding_loc(x, &mm->size_at.pos);
		}
	}
	if (!mm->has_total || mm->npool != 1)
		return;
	if (mm->pool[0].has_base &&
	    (mm->pool[0].base > mm->total ||
	     mm->pool[0].size > mm->total - mm->pool[0].base)) {
		uint64_t end = mm->pool[0].base + mm->pool[0].size;

		x = finding_add(c->f, "inventory-memory", SEV_ERROR, NULL,
				"memory pool 0x%llx - 0x%llx extends beyond "
				"total memory (%s, ending at 0x%llx)",
				(unsigned long long)mm->pool[0].base,
				(unsigned long long)end, fmt_size(a, mm->total),
				(unsigned long long)mm->total);
		if (mm->total > mm->pool[0].base)
			finding_suggest(
				x, "Reduce memory-pool-bytes to 0x%llx (%s)",
				(unsigned long long)(mm->total -
						     mm->pool[0].base),
				fmt_size(s, mm->total - mm->pool[0].base));
		finding_loc(x, &mm->base_at.pos);
		finding_loc(x, &mm->size_at.pos);
		finding_loc(x, &mm->total_at.pos);
	}
	if (mm->has_host_reserved &&
	    (mm->host_reserved > mm->total ||
	     mm->pool_bytes > mm->total - mm->host_reserved)) {
		x = finding_add(c->f, "inventory-memory", SEV_ERROR, NULL,
				"host-reserved-bytes (%s) + memory-pool-bytes "
				"(%s) exceed total-bytes (%s)",
				fmt_size(a, mm->host_reserved),
				fmt_size(b, mm->pool_bytes),
				fmt_size(s, mm->total));
		if (mm->total > mm->host_reserved)
			finding_suggest(
				x, "Reduce memory-pool-bytes to at most 0x%llx",
				(unsigned long long)(mm->total -
						     mm->host_reserved));
		finding_loc(x, &mm->reserved_at.pos);
		finding_loc(x, &mm->size_at.pos);
		finding_loc(x, &mm->total_at.pos);
	}
}

static bool pci_id_ok(const char *s)
{
	static const char pat[] = "xxxx:xx:xx.x";
	size_t i;

	if (strlen(s) != sizeof(pat) - 1)
		return false;
	for (i = 0; pat[i]; i++) {
		bool hex = (s[i] >= '0' && s[i] <= '9') ||
			   (s[i] >= 'a' && s[i] <= 'f') ||
			   (s[i] >= 'A' && s[i] <= 'F');

		if (pat[i] == 'x' ? !hex : s[i] != pat[i])
			return false;
	}
	/* device 0..1f, function 0..7 */
	return strtoul(s + 8, NULL, 16) < 0x20 && s[11] <= '7';
}

static int cmp_str_idx(const void *a, const void *b, void *arg)
{
	const char *const *v = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = strcmp(v[x], v[y]);

	return r ? r : (x < y ? -1 : 1);
}

/* Report duplicates among strings v[0..n) (NULL entries skipped). */
static void dup_strings(struct check_ctx *c, const char **v, size_t n,
			const char *what)
{
	const struct mk_model *m = c->m;
	size_t *idx = xmalloc((n + 1) * sizeof(*idx)), k = 0, i;
	bool pci = !strcmp(what, "pci-id");

	for (i = 0; i < n; i++)
		if (v[i])
			idx[k++] = i;
	qsort_r(idx, k, sizeof(*idx), cmp_str_idx, (void *)(uintptr_t)v);
	for (i = 1; i < k; i++) {
		size_t first = i - 1;
		struct finding *x;

		while (first > 0 && !strcmp(v[idx[first - 1]], v[idx[i]]))
			first--;
		if (strcmp(v[idx[i - 1]], v[idx[i]]))
			continue;
		x = finding_add(c->f, "inventory-devices", SEV_ERROR,
				m->devices[idx[i]].name,
				"%s has the same %s \"%s\" as %s",
				m->devices[idx[i]].name, what, v[idx[i]],
				m->devices[idx[first]].name);
		/* the pci-id lines for pci-ids, the labels' nodes for names */
		finding_loc(x, pci ? &m->devices[idx[first]].pci_at.pos
				   : &m->devices[idx[first]].at.pos);
		finding_loc(x, pci ? &m->devices[idx[i]].pci_at.pos
				   : &m->devices[idx[i]].at.pos);
	}
	free(idx);
}

static void id_lists(struct check_ctx *c, const struct mk_device *d, bool vf)
{
	const struct cpuset *res = vf ? &d->vf_reserved : &d->ns_reserved;
	const struct cpuset *av = vf ? &d->vf_available : &d->ns_available;
	const struct mk_pos *at =
		vf ? &d->vf_available_at : &d->ns_available_at;
	uint32_t lo = vf ? 0 : 1, hi = vf ? d->nvfs : d->nns;
	const char *what = vf ? "VF" : "namespace";
	struct cpuset bad, both, exist;
	struct finding *x;
	char *l;

	cpuset_init(&bad);
	cpuset_init(&both);
	cpuset_init(&exist);
	cpuset_copy(&bad, res);
	cpuset_or(&bad, av);
	if (hi) {
		cpuset_add_range(&exist, lo, vf ? hi - 1 : hi);
		cpuset_andnot(&bad, &exist);
	}
	if (!cpuset_empty(&bad)) {
		bool one = cpuset_count(&bad) == 1;
		uint32_t last = vf ? hi - 1 : hi;

		l = cpuset_format(&bad);
		if (!hi)
			x = finding_add(
				c->f, "inventory-devices", SEV_ERROR, d->name,
				"%s lists %s%s %s but declares no %s", d->name,
				what, one ? "" : "s", l,
				vf ? "sriov-vfs" : "namespaces");
		else if (last == lo)
			x = finding_add(
				c->f, "inventory-devices", SEV_ERROR, d->name,
				"%s%s %s of %s %s not exist (%s has only %s %u)",
				what, one ? "" : "s", l, d->name,
				one ? "does" : "do", d->name, what, lo);
		else
			x = finding_add(
				c->f, "inventory-devices", SEV_ERROR, d->name,
				"%s%s %s of %s %s not exist (%s has %ss %u-%u)",
				what, one ? "" : "s", l, d->name,
				one ? "does" : "do", d->name, what, lo, last);
		finding_loc(x, &at->pos);
		finding_loc(x, vf ? &d->vf_reserved_at.pos
				  : &d->ns_reserved_at.pos);
		free(l);
	}
	cpuset_copy(&both, res);
	cpuset_and(&both, av);
	if (!cpuset_empty(&both)) {
		bool one = cpuset_count(&both) == 1;

		l = cpuset_format(&both);
		x = finding_add(c->f, "inventory-devices", SEV_ERROR, d->name,
				"%s%s %s of %s %s both host-reserved and "
				"available", what, one ? "" : "s", l, d->name,
				one ? "is" : "are");
		finding_loc(x, vf ? &d->vf_reserved_at.pos
				  : &d->ns_reserved_at.pos);
		finding_loc(x, &at->pos);
		free(l);
	}
	cpuset_free(&bad);
	cpuset_free(&both);
	cpuset_free(&exist);
}

void check_inventory_devices(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	const char **v = xmalloc((m->ndevices + 1) * sizeof(*v));
	struct finding *x;
	size_t i;

	for (i = 0; i < m->ndevices; i++) {
		const struct mk_device *d = &m->devices[i];

		if (d->pci_id && !pci_id_ok(d->pci_id)) {
			x = finding_add(c->f, "inventory-devices", SEV_ERROR,
					d->name,
					"pci-id \"%s\" of %s is not a PCI "
					"address DDDD:BB:DD.F",
					d->pci_id, d->name);
			char *fix = xasprintf("0000:%s", d->pci_id);

			if (pci_id_ok(fix))
				finding_suggest(x, "Write it as %s (domain "
						   "0000 first)", fix);
			else
				finding_suggest(x, "Write it as DDDD:BB:DD.F "
						   "(domain:bus:device.function"
						   ", hex), e.g. 0000:01:00.0");
			free(fix);
			finding_loc(x, &d->pci_at.pos);
		}
		id_lists(c, d, true);
		id_lists(c, d, false);
	}
	for (i = 0; i < m->ndevices; i++)
		v[i] = m->devices[i].pci_id;
	dup_strings(c, v, m->ndevices, "pci-id");
	for (i = 0; i < m->ndevices; i++)
		v[i] = m->devices[i].name;
	dup_strings(c, v, m->ndevices, "name");
	free(v);
}

void check_baseline_no_instances(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	struct strbuf sb;
	struct finding *x;
	size_t i;

	if (!m->ninstances)
		return;
	sb_init(&sb);
	for (i = 0; i < m->ninstances; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", m->instances[i].name);
	x = finding_add(c->f, "baseline-no-instances", SEV_ERROR, NULL,
			"Baseline must not contain instances. Instances should "
			"be created via overlays.");
	finding_detail(x, "Baseline must contain:");
	finding_detail(x, "  \u2713 /resources (hardware inventory)");
	finding_detail(x, "  \u2717 /instances (must be empty or absent)");
	finding_detail(x, "Found instances: %s", sb.buf);
	finding_suggest(
		x,
		"Remove instances section from baseline\n"
		"Instances should be created via 'kerf create' using overlays");
	finding_loc(x, &m->instances_at.pos);
	if (x->nlocs)
		x->locs[0].label = xasprintf("instances { %s { ... } }",
					     m->instances[0].name);
	sb_free(&sb);
}
