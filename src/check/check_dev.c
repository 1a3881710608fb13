// SPDX-License-Identifier: GPL-2.0-or-later
/* Device checks (checks.md §1 "Devices") and phandle-dangling. */
#include "check/check.h"

#include <stdlib.h>
#include <string.h>

/* The first instance using each device reference node; -1 if unused. */
static long *first_users(const struct mk_model *m)
{
	long *u = xmalloc((m->ndevrefs + 1) * sizeof(*u));
	size_t i, k;

	for (i = 0; i < m->ndevrefs; i++)
		u[i] = -1;
	for (i = 0; i < m->ninstances; i++)
		for (k = 0; k < m->instances[i].ndevs; k++) {
			const struct mk_inst_dev *d = &m->instances[i].devs[k];

			if (d->kind == MK_REF_DEVREF && u[d->index] < 0)
				u[d->index] = (long)i;
		}
	return u;
}

/* "nvme1_ns1" -> device "nvme1", kind 'n', id 1; false if no pattern. */
static bool split_ref(const char *s, char **dev, char *kind, uint32_t *id)
{
	const char *u = strrchr(s, '_'), *p;

	if (!u)
		u = strrchr(s, ':');
	if (!u || (strncmp(u + 1, "vf", 2) && strncmp(u + 1, "ns", 2)))
		return false;
	p = u + 3;
	if (*p < '0' || *p > '9')
		return false;
	*id = (uint32_t)strtoul(p, NULL, 10);
	*kind = u[1];
	*dev = xstrndup(s, (size_t)(u - s));
	return true;
}

/* Is VF/namespace id of device d used by any instance? */
struct usage {
	size_t dev;
	int kind; /* 0 whole, 1 VF, 2 namespace */
	uint32_t id;
	size_t inst;
	const struct mk_pos *at;
};

static int cmp_usage(const void *x, const void *y)
{
	const struct usage *p = x, *q = y;

	if (p->dev != q->dev)
		return p->dev < q->dev ? -1 : 1;
	if (p->kind != q->kind)
		return p->kind < q->kind ? -1 : 1;
	if (p->id != q->id)
		return p->id < q->id ? -1 : 1;
	return p->inst < q->inst ? -1 : p->inst > q->inst;
}

/*
 * Sort by cmp_usage: a counting pass on the device index, then a stable
 * insertion sort of each device's (short, nearly ordered) run.  Entries
 * come in instance order, so the result is what a stable sort gives.
 * Returns the sorted array: u, or a new one (and u is freed).
 */
static struct usage *sort_usage(struct usage *u, size_t n, size_t ndev)
{
	struct usage *t;
	size_t *at, i, j, d, moves = 0;

	if (n < 2)
		return u;
	for (i = 0; i < n; i++)
		if (u[i].dev >= ndev) {
			qsort(u, n, sizeof(*u), cmp_usage);
			return u;
		}
	at = xzalloc((ndev + 1) * sizeof(*at));
	t = xmalloc(n * sizeof(*t));
	for (i = 0; i < n; i++)
		at[u[i].dev + 1]++;
	for (d = 0; d < ndev; d++)
		at[d + 1] += at[d];
	for (i = 0; i < n; i++)
		t[at[u[i].dev]++] = u[i];
	free(at);
	free(u);
	u = t;
	for (i = 1; i < n; i++) {
		struct usage e;

		if (cmp_usage(&u[i - 1], &u[i]) <= 0)
			continue;
		e = u[i];
		for (j = i; j > 0 && cmp_usage(&u[j - 1], &e) > 0; j--)
			u[j] = u[j - 1];
		u[j] = e;
		moves += i - j;
		if (moves > 8 * n) {
			/* far from ordered: leave it to the library */
			qsort(u, n, sizeof(*u), cmp_usage);
			return u;
		}
	}
	return u;
}

static struct usage *collect_usage(const struct mk_model *m, size_t *count)
{
	struct usage *u;
	size_t n = 0, i, k;

	for (i = 0; i < m->ninstances; i++)
		n += m->instances[i].ndevs;
	u = xmalloc((n + 1) * sizeof(*u));
	n = 0;
	for (i = 0; i < m->ninstances; i++) {
		const struct mk_instance *in = &m->instances[i];

		for (k = 0; k < in->ndevs; k++) {
			const struct mk_inst_dev *d = &in->devs[k];
			struct usage e = {.inst = i, .at = &d->at};

			if (d->kind == MK_REF_DEVICE) {
				e.dev = (size_t)d->index;
			} else if (d->kind == MK_REF_DEVREF) {
				const struct mk_devref *r =
					&m->devrefs[d->index];

				if (r->parent < 0 || r->has_vf == r->has_ns)
					continue;
				e.dev = (size_t)r->parent;
				e.kind = r->has_vf ? 1 : 2;
				e.id = r->has_vf ? r->vf : r->ns;
			} else if (d->kind == MK_REF_NAME) {
				int di = mk_device_find(m, d->name);

				if (di < 0)
					continue;
				e.dev = (size_t)di;
			} else {
				continue;
			}
			u[n++] = e;
		}
	}
	*count = n;
	return sort_usage(u, n, m->ndevices);
}

static bool part_used(const struct usage *u, size_t n, size_t dev, int kind,
		      uint32_t id)
{
	struct usage key = {.dev = dev, .kind = kind, .id = id, .inst = 0};
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cmp_usage(&u[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && u[lo].dev == dev && u[lo].kind == kind &&
	       u[lo].id == id;
}

/* Is device dev, or any part of it, used by an instance? */
static bool dev_used(const struct usage *u, size_t n, size_t dev)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (u[mid].dev < dev)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && u[lo].dev == dev;
}

/* The free parts of a device: available and used by nobody. */
static void free_parts(const struct mk_model *m, const struct usage *u,
		       size_t nu, size_t dev, bool vf, struct cpuset *out)
{
	const struct mk_device *d = &m->devices[dev];

	cpuset_clear(out);
	cpuset_for_each(
		vf ? &d->vf_available : &d->ns_available,
		id) if (!part_used(u, nu, dev, vf ? 1 : 2, (uint32_t)id))
		cpuset_add(out, (uint32_t)id);
}

/* "Did you mean": VF/namespace parts and whole devices by name. */
static void did_you_mean(const struct mk_model *m, struct finding *x,
			 const char *name)
{
	size_t nu, i, n = 0, cap = 0;
	struct usage *u = collect_usage(m, &nu);
	char **names = NULL;
	bool *avail = NULL;
	size_t acap = 0;
	char *key = xstrdup(name), *p;
	struct cpuset fr;

	/* compare in the colon form the candidates are shown in */
	p = strrchr(key, '_');
	if (p && (!strncmp(p + 1, "vf", 2) || !strncmp(p + 1, "ns", 2)))
		*p = ':';
	cpuset_init(&fr);
	for (i = 0; i < m->ndevices; i++) {
		const struct mk_device *d = &m->devices[i];
		bool vf = d->kind == MK_DEV_SRIOV;

		names = xgrow(names, &cap, n + 1, sizeof(*names));
		avail = xgrow(avail, &acap, n + 1, sizeof(*avail));
		names[n] = xstrdup(d->name);
		avail[n++] = !dev_used(u, nu, i);
		if (d->kind == MK_DEV_WHOLE)
			continue;
		free_parts(m, u, nu, i, vf, &fr);
		cpuset_for_each(vf ? &d->vf_available : &d->ns_available, id)
		{
			names = xgrow(names, &cap, n + 1, sizeof(*names));
			avail = xgrow(avail, &acap, n + 1, sizeof(*avail));
			names[n] = dev_part_name(d, vf, (uint32_t)id);
			avail[n++] = cpuset_has(&fr, (uint32_t)id);
		}
	}
	suggest_names(x, key, (const char *const *)names, avail, n, 3);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(avail);
	free(key);
	free(u);
	cpuset_free(&fr);
}

/* The closest candidate that is actually available, NULL if none. */
static const char *first_avail(const struct finding *x)
{
	size_t i;

	for (i = 0; i < x->ncands; i++)
		if (x->cands[i].available)
			return x->cands[i].name;
	return NULL;
}

/* "Did you mean" for a parent: the devices, available if of the kind the
 * reference needs (SR-IOV for vf-id, NVMe for namespace-id). */
static void did_you_mean_parent(const struct mk_model *m, struct finding *x,
				const struct mk_devref *r)
{
	const char **names = xmalloc((m->ndevices + 1) * sizeof(*names));
	bool *avail = xmalloc((m->ndevices + 1) * sizeof(*avail));
	size_t i;

	for (i = 0; i < m->ndevices; i++) {
		enum mk_dev_kind k = m->devices[i].kind;

		names[i] = m->devices[i].name;
		avail[i] = r->has_vf == r->has_ns ||
			   (r->has_vf ? k == MK_DEV_SRIOV : k == MK_DEV_NVME);
	}
	suggest_names(x, r->parent_ref ? r->parent_ref : "", names, avail,
		      m->ndevices, 3);
	free(names);
	free(avail);
}

/* "Available storage devices: nvme0" and the free parts of each. */
static void same_kind_details(const struct mk_model *m, struct finding *x,
			      bool vf)
{
	size_t nu, i;
	struct usage *u = collect_usage(m, &nu);
	struct strbuf names, parts;
	struct cpuset fr;

	sb_init(&names);
	cpuset_init(&fr);
	for (i = 0; i < m->ndevices; i++) {
		const struct mk_device *d = &m->devices[i];

		if (d->kind != (vf ? MK_DEV_SRIOV : MK_DEV_NVME))
			continue;
		sb_addf(&names, "%s%s", names.len ? ", " : "", d->name);
	}
	if (names.len)
		finding_detail(x, "Available %s devices: %s",
			       vf ? "SR-IOV" : "storage", names.buf);
	for (i = 0; i < m->ndevices; i++) {
		const struct mk_device *d = &m->devices[i];

		if (d->kind != (vf ? MK_DEV_SRIOV : MK_DEV_NVME))
			continue;
		free_parts(m, u, nu, i, vf, &fr);
		sb_init(&parts);
		cpuset_for_each(&fr, id)
			sb_addf(&parts, "%s%s%u", parts.len ? ", " : "",
				vf ? "vf" : "ns", (uint32_t)id);
		finding_detail(x, "Available %s on %s: %s",
			       vf ? "VFs" : "namespaces", d->name,
			       parts.len ? parts.buf : "none");
		sb_free(&parts);
	}
	sb_free(&names);
	cpuset_free(&fr);
	free(u);
}

/* A dangling &label in an instance's devices: dev-unknown when it names a
 * device that does not exist (nvme1, nvme1_ns1), phandle-dangling when the
 * device exists and only the reference node is missing (eth0_vf99). */
static bool dangling_is_unknown_device(const struct mk_model *m,
				       const char *name)
{
	char *dev, kind;
	uint32_t id;
	bool unknown;

	if (mk_device_find(m, name) >= 0)
		return false;
	if (!split_ref(name, &dev, &kind, &id))
		return true;
	unknown = mk_device_find(m, dev) < 0;
	free(dev);
	return unknown;
}

/*
 * The seeds' "Device Not Found": an instance references nvme1_ns1, whose
 * parent nvme1 does not exist.
 */
static void unknown_parent(struct check_ctx *c, const struct mk_instance *in,
			   const struct mk_inst_dev *d,
			   const struct mk_devref *r)
{
	const struct mk_model *m = c->m;
	struct finding *x;
	const char *cand;
	char *want;

	x = finding_add(c->f, "dev-unknown", SEV_ERROR, in->name,
			"Reference to non-existent device '%s'",
			r->parent_ref);
	if (r->has_vf != r->has_ns) {
		want = xasprintf("%s_%s%u", r->parent_ref,
				 r->has_vf ? "vf" : "ns",
				 r->has_vf ? r->vf : r->ns);
		finding_detail(x, "Requested device: %s:%s%u", r->parent_ref,
			       r->has_vf ? "vf" : "ns",
			       r->has_vf ? r->vf : r->ns);
		same_kind_details(m, x, r->has_vf);
	} else {
		want = xstrdup(r->parent_ref);
	}
	did_you_mean(m, x, want);
	cand = first_avail(x);
	if (cand)
		finding_suggest(x, "Change device reference to %s", cand);
	finding_loc(x, &d->at.pos);
	finding_loc(x, &r->parent_at.pos);
	free(want);
}

void check_dev_unknown(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	size_t i, k;

	for (i = 0; i < m->ninstances; i++) {
		const struct mk_instance *in = &m->instances[i];

		for (k = 0; k < in->ndevs; k++) {
			const struct mk_inst_dev *d = &in->devs[k];
			struct finding *x;
			char *dev = NULL, kind = 0;
			uint32_t id = 0;

			if (d->kind == MK_REF_NAME &&
			    (mk_device_find(m, d->name) >= 0 ||
			     mk_devref_find(m, d->name) >= 0))
				continue;
			if (d->kind == MK_REF_DEVICE)
				continue;
			if (d->kind == MK_REF_DEVREF) {
				const struct mk_devref *r =
					&m->devrefs[d->index];

				if (r->parent_dangling && r->parent_ref)
					unknown_parent(c, in, d, r);
				continue;
			}
			if (d->kind == MK_REF_DANGLING &&
			    !dangling_is_unknown_device(m, d->name))
				continue;
			if (d->kind == MK_REF_OTHER) {
				x = finding_add(c->f, "dev-unknown", SEV_ERROR,
						in->name,
						"Reference to '%s', which is "
						"not a device",
						d->name);
				finding_detail(x,
					       "Devices are nodes under "
					       "/resources/devices, or "
					       "device-reference nodes (parent "
					       "and vf-id or namespace-id)");
			} else if (split_ref(d->name, &dev, &kind, &id) &&
				   mk_device_find(m, d->name) < 0) {
				x = finding_add(
					c->f, "dev-unknown", SEV_ERROR,
					in->name,
					"Reference to non-existent device '%s'",
					dev);
				finding_detail(x, "Requested device: %s:%s%u",
					       dev, kind == 'v' ? "vf" : "ns",
					       id);
				same_kind_details(m, x, kind == 'v');
			} else {
				x = finding_add(
					c->f, "dev-unknown", SEV_ERROR,
					in->name,
					"Reference to non-existent device '%s'",
					d->name);
			}
			free(dev);
			did_you_mean(m, x, d->name);
			if (first_avail(x))
				finding_suggest(x,
						"Change device reference to %s",
						first_avail(x));
			finding_loc(x, &d->at.pos);
		}
	}
}

void check_dev_reference(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	long *users = first_users(m);
	size_t i;

	for (i = 0; i < m->ndevrefs; i++) {
		const struct mk_devref *r = &m->devrefs[i];
		const struct mk_device *d =
			r->parent >= 0 ? &m->devices[r->parent] : NULL;
		long user = users[i];
		const char *subj =
			user >= 0 ? m->instances[user].name : r->name;
		struct finding *x = NULL;

		if (r->parent_missing) {
			x = finding_add(
				c->f, "dev-reference", SEV_ERROR, subj,
				"device reference %s has no parent property",
				r->name);
			finding_suggest(x, "Add parent = <&device>; naming the "
					   "device in /resources/devices");
		} else if (r->parent_dangling && r->parent_ref && user >= 0) {
			continue; /* dev-unknown, from the instance's side */
		} else if (r->parent_dangling) {
			x = finding_add(c->f, "dev-reference", SEV_ERROR, subj,
					"Reference to non-existent device '%s' "
					"(parent of %s)",
					r->parent_ref ? r->parent_ref : "?",
					r->name);
			did_you_mean_parent(m, x, r);
			if (first_avail(x))
				finding_suggest(x, "Change the parent to <&%s>",
						first_avail(x));
			finding_loc(x, &r->parent_at.pos);
		} else if (r->parent_not_device) {
			x = finding_add(c->f, "dev-reference", SEV_ERROR, subj,
					"parent of %s (%s) is not a device in "
					"/resources/devices",
					r->name,
					r->parent_ref ? r->parent_ref : "?");
			finding_loc(x, &r->parent_at.pos);
		} else if (r->has_vf && r->has_ns) {
			x = finding_add(c->f, "dev-reference", SEV_ERROR, subj,
					"device reference %s has both vf-id "
					"and namespace-id",
					r->name);
			finding_suggest(x, "Keep %s, the one that matches %s",
					d->kind == MK_DEV_NVME ? "namespace-id"
							       : "vf-id",
					d->name);
			finding_loc(x, &r->vf_at.pos);
			finding_loc(x, &r->ns_at.pos);
		} else if (!r->has_vf && !r->has_ns) {
			x = finding_add(c->f, "dev-reference", SEV_ERROR, subj,
					"device reference %s has neither vf-id "
					"nor namespace-id",
					r->name);
			finding_suggest(x,
					"Reference the whole device as <&%s>, "
					"or add %s",
					d->name,
					d->kind == MK_DEV_NVME ? "namespace-id"
							       : "vf-id");
		} else if (r->has_vf && d->kind != MK_DEV_SRIOV) {
			x = finding_add(c->f, "dev-reference", SEV_ERROR, subj,
					"%s gives vf-id, but %s has no SR-IOV "
					"VFs (sriov-vfs)",
					r->name, d->name);
			finding_loc(x, &r->vf_at.pos);
		} else if (r->has_ns && d->kind != MK_DEV_NVME) {
			x = finding_add(c->f, "dev-reference", SEV_ERROR, subj,
					"%s gives namespace-id, but %s has no "
					"namespaces",
					r->name, d->name);
			finding_loc(x, &r->ns_at.pos);
		}
		if (x) {
			if (!x->nlocs)
				finding_loc(x, &r->at.pos);
			if (user >= 0) {
				const struct mk_instance *in =
					&m->instances[user];

				finding_loc(x, &in->devs_at.pos);
			}
		}
	}
	free(users);
}

static void range_check(struct check_ctx *c, bool vf)
{
	const struct mk_model *m = c->m;
	const char *check = vf ? "dev-vf-range" : "dev-ns-range";
	size_t nu = 0, i;
	/* built for the first finding: the usual run has none */
	struct usage *u = NULL;
	long *users = NULL;
	struct cpuset fr;

	cpuset_init(&fr);
	for (i = 0; i < m->ndevrefs; i++) {
		const struct mk_devref *r = &m->devrefs[i];
		const struct mk_device *d;
		long user;
		const char *subj;
		uint32_t id = vf ? r->vf : r->ns, hi;
		struct finding *x;
		const struct srcpos *rule; /* the inventory line ruling id out */
		char *all, *pn;

		if (r->parent < 0 ||
		    (vf ? !r->has_vf || r->has_ns : !r->has_ns || r->has_vf))
			continue;
		d = &m->devices[r->parent];
		if (vf ? d->kind != MK_DEV_SRIOV : d->kind != MK_DEV_NVME)
			continue;
		hi = vf ? d->nvfs : d->nns;
		if (!(vf ? id >= hi : id < 1 || id > hi) &&
		    !cpuset_has(vf ? &d->vf_reserved : &d->ns_reserved, id) &&
		    cpuset_has(vf ? &d->vf_available : &d->ns_available, id))
			continue; /* fine: the common case, no allocation */
		if (!users) {
			u = collect_usage(m, &nu);
			users = first_users(m);
		}
		user = users[i];
		subj = user >= 0 ? m->instances[user].name : r->name;
		all = cpuset_format(vf ? &d->vf_available : &d->ns_available);
		pn = dev_part_name(d, vf, id);
		if (vf ? id >= hi : id < 1 || id > hi) {
			x = finding_add(
				c->f, check, SEV_ERROR, subj,
				vf ? "VF ID %u exceeds available VFs of %s (%s)"
				   : "Namespace %u does not exist on %s "
				     "(available: %s)",
				id, d->name, all);
			finding_detail(x,
				       vf ? "%s has VFs 0-%u"
					  : "%s has namespaces 1-%u",
				       d->name, vf ? hi - 1 : hi);
			rule = vf ? &d->vfs_at.pos : &d->ns_at.pos;
		} else if (cpuset_has(vf ? &d->vf_reserved : &d->ns_reserved,
				      id)) {
			x = finding_add(
				c->f, check, SEV_ERROR, subj,
				vf ? "VF %u of %s is reserved for host kernel"
				   : "Namespace %u of %s is reserved for host "
				     "kernel",
				id, d->name);
			finding_detail(x, "Available %s on %s: %s",
				       vf ? "VFs" : "namespaces", d->name, all);
			rule = vf ? &d->vf_reserved_at.pos
				  : &d->ns_reserved_at.pos;
		} else if (!cpuset_has(vf ? &d->vf_available : &d->ns_available,
				       id)) {
			x = finding_add(
				c->f, check, SEV_ERROR, subj,
				vf ? "VF %u of %s is not in available-vfs (%s)"
				   : "Namespace %u of %s is not in "
				     "available-ns (%s)",
				id, d->name, all);
			rule = vf ? &d->vf_available_at.pos
				  : &d->ns_available_at.pos;
		} else {
			free(all);
			free(pn);
			continue;
		}
		finding_detail(x, "Requested device: %s", pn);
		free_parts(m, u, nu, (size_t)r->parent, vf, &fr);
		{
			size_t k = 0;

			cpuset_for_each(&fr, fid)
			{
				char *nm = dev_part_name(d, vf, (uint32_t)fid);

				if (!k)
					finding_suggest(
						x,
						"Change device reference to %s "
						"(%s = <%u>)",
						nm,
						vf ? "vf-id" : "namespace-id",
						(uint32_t)fid);
				if (k < 3)
					finding_cand(x, nm, true);
				free(nm);
				if (++k >= 3)
					break;
			}
		}
		finding_loc(x, vf ? &r->vf_at.pos : &r->ns_at.pos);
		if (user >= 0)
			finding_loc(x, &m->instances[user].devs_at.pos);
		finding_loc(x, rule);
		free(all);
		free(pn);
	}
	cpuset_free(&fr);
	free(u);
	free(users);
}

void check_dev_vf_range(struct check_ctx *c)
{
	range_check(c, true);
}

void check_dev_ns_range(struct check_ctx *c)
{
	range_check(c, false);
}

static char *usage_name(const struct mk_model *m, const struct usage *e)
{
	const struct mk_device *d = &m->devices[e->dev];

	return e->kind ? dev_part_name(d, e->kind == 1, e->id)
		       : xstrdup(d->name);
}

void check_dev_shared(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	size_t nu, i, j, k;
	struct usage *u = collect_usage(m, &nu);

	for (i = 0; i < nu; i = j) {
		/* one device: u[i..j) */
		for (j = i; j < nu && u[j].dev == u[i].dev; j++)
			;
		for (k = i; k < j; k++) {
			size_t l;

			/* the same part (or the whole device) twice */
			for (l = k + 1; l < j && u[l].kind == u[k].kind &&
					u[l].id == u[k].id;
			     l++) {
				struct finding *x;
				char *nm;

				if (u[l].inst == u[k].inst)
					continue;
				nm = usage_name(m, &u[k]);
				x = finding_add(c->f, "dev-shared", SEV_ERROR,
						m->instances[u[l].inst].name,
						"%s is also allocated to %s "
						"(devices are exclusive)",
						nm,
						m->instances[u[k].inst].name);
				finding_detail(
					x,
					"Instance %s and %s: Both allocated %s",
					m->instances[u[k].inst].name,
					m->instances[u[l].inst].name, nm);
				if (u[k].kind) {
					struct cpuset fr;

					cpuset_init(&fr);
					free_parts(m, u, nu, u[k].dev,
						   u[k].kind == 1, &fr);
					if (!cpuset_empty(&fr)) {
						char *alt = dev_part_name(
							&m->devices[u[k].dev],
							u[k].kind == 1,
							(uint32_t)cpuset_next(
								&fr, 0));

						finding_suggest(
							x, "Give %s %s instead",
							m->instances[u[l].inst]
								.name,
							alt);
						free(alt);
					}
					cpuset_free(&fr);
				}
				finding_loc(x, &u[k].at->pos);
				finding_loc(x, &u[l].at->pos);
				free(nm);
				break;
			}
			/* a whole device against parts given to others */
			if (u[k].kind != 0)
				continue;
			for (l = i; l < j; l++) {
				struct finding *x;
				char *nm;
				size_t a = u[k].inst, b = u[l].inst;

				if (u[l].kind == 0 || a == b)
					continue;
				nm = usage_name(m, &u[l]);
				x = finding_add(
					c->f, "dev-shared", SEV_ERROR,
					m->instances[a > b ? a : b].name,
					"%s is given whole to %s while its %s "
					"%s is given to %s",
					m->devices[u[k].dev].name,
					m->instances[a].name,
					u[l].kind == 1 ? "VF" : "namespace", nm,
					m->instances[b].name);
				finding_detail(
					x, "Instance %s and %s: %s holds all "
					"of %s, including %s",
					m->instances[a < b ? a : b].name,
					m->instances[a < b ? b : a].name,
					m->instances[a].name,
					m->devices[u[k].dev].name, nm);
				finding_suggest(
					x, "Give %s only %ss of %s that no "
					"other instance uses, or take %s "
					"from %s",
					m->instances[a].name,
					u[l].kind == 1 ? "VF" : "namespace",
					m->devices[u[k].dev].name, nm,
					m->instances[b].name);
				/* in file order: the earlier instance first */
				finding_loc(x, a < b ? &u[k].at->pos
						     : &u[l].at->pos);
				finding_loc(x, a < b ? &u[l].at->pos
						     : &u[k].at->pos);
				free(nm);
			}
		}
	}
	free(u);
}

void check_phandle_dangling(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	size_t i, k;

	/* instance device lists first, then everything else */
	for (i = 0; i < m->ninstances; i++) {
		const struct mk_instance *in = &m->instances[i];

		for (k = 0; k < in->ndevs; k++) {
			const struct mk_inst_dev *d = &in->devs[k];
			struct finding *x;

			if (d->kind != MK_REF_DANGLING ||
			    dangling_is_unknown_device(m, d->name))
				continue;
			x = finding_add(
				c->f, "phandle-dangling", SEV_ERROR, in->name,
				"Dangling phandle reference: %s not defined",
				d->name);
			did_you_mean(m, x, d->name);
			if (first_avail(x)) {
				const char *cand = first_avail(x);
				char *lab = xstrdup(cand);
				char *colon = strchr(lab, ':');

				if (colon)
					*colon = '_';
				if (mk_devref_find(m, lab) >= 0 ||
				    mk_device_find(m, lab) >= 0)
					finding_suggest(
						x,
						"Change the reference to <&%s>",
						lab);
				else if (colon)
					finding_suggest(
						x,
						"Use %s: define %s: %s@%s { "
						"parent = <&%.*s>; %s = <%s>; "
						"}; and reference <&%s>",
						cand, lab,
						colon[1] == 'v' ? "ethernet-vf"
								: "nvme-ns",
						colon + 3, (int)(colon - lab),
						lab,
						colon[1] == 'v' ? "vf-id"
								: "namespace-id",
						colon + 3, lab);
				free(lab);
			}
			finding_loc(x, &d->at.pos);
		}
	}
	for (i = 0; i < m->ndangling; i++) {
		const struct mk_dangling *g = &m->dangling[i];
		struct finding *x;

		if (g->claimed)
			continue;
		x = finding_add(c->f, "phandle-dangling", SEV_ERROR, NULL,
				"Dangling phandle reference: %s not defined",
				g->ref);
		finding_detail(x, "Referenced from %s (%s)", g->where,
			       g->prop ? g->prop->name : "?");
		finding_loc(x, &g->pos);
	}
}
