// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf create NAME (--cpus=LIST | --cpu-count=N) --memory=SIZE
 *	[--memory-base=ADDR] [--numa-nodes=LIST] [--cpu-affinity=POLICY]
 *	[--memory-policy=POLICY] [--devices=LIST] [--id=N] [--dry-run]
 *
 * Plan an instance on the live state, validate the whole resulting state
 * (checks.md), and apply it as one instance-create transaction (more when
 * it does not fit in 4096 bytes).
 */
#include "cmd/mutate.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/txn.h"
#include "model/size.h"
#include "plan/alloc.h"

enum {
	OPT_CPUS = 'c',
	OPT_MEMORY = 'm',
	OPT_DEVICES = 'd',
	OPT_CPU_COUNT = OPT_CMD_BASE,
	OPT_MEMORY_BASE,
	OPT_NUMA,
	OPT_AFFINITY,
	OPT_POLICY,
	OPT_ID,
	OPT_DRY_RUN,
};

static const struct kerf_opt create_opts[] = {
	{"cpus", 'c', required_argument, "LIST", "logical CPUs (4-7,12)",
	 OPT_CPUS},
	{"cpu-count", 0, required_argument, "N", "N CPUs chosen by kerf",
	 OPT_CPU_COUNT},
	{"memory", 'm', required_argument, "SIZE", "memory size (2GB)",
	 OPT_MEMORY},
	{"memory-base", 0, required_argument, "ADDR",
	 "place the memory at ADDR (in a pool chunk)", OPT_MEMORY_BASE},
	{"numa-nodes", 0, required_argument, "LIST", "NUMA nodes to use",
	 OPT_NUMA},
	{"cpu-affinity", 0, required_argument, "POLICY",
	 "compact (default), spread or local", OPT_AFFINITY},
	{"memory-policy", 0, required_argument, "POLICY",
	 "local, interleave or bind", OPT_POLICY},
	{"devices", 'd', required_argument, "LIST",
	 "devices: eth0, eth0:vf1 or eth0_vf1", OPT_DEVICES},
	{"id", 0, required_argument, "N", "instance id (default: lowest free)",
	 OPT_ID},
	{"dry-run", 0, no_argument, NULL,
	 "validate and show the plan; touch nothing", OPT_DRY_RUN},
	{NULL, 0, 0, NULL, NULL, 0},
};

const struct kerf_cmd kerf_cmd_create = {
	.name = "create",
	.fn = cmd_create,
	.summary = "create an instance through an overlay transaction",
	.usage = "NAME (--cpus=LIST | --cpu-count=N) --memory=SIZE [OPTIONS]",
	.opts = create_opts,
};

struct create_args {
	const char *cpus, *cpu_count, *memory, *base, *numa, *affinity;
	const char *policy, *devices, *id;
	bool dry_run;
};

static int create_opt(struct kerf_ctx *ctx, int id, const char *arg,
		      void *data)
{
	struct create_args *a = data;

	switch (id) {
	case OPT_CPUS: a->cpus = arg; break;
	case OPT_CPU_COUNT: a->cpu_count = arg; break;
	case OPT_MEMORY: a->memory = arg; break;
	case OPT_MEMORY_BASE: a->base = arg; break;
	case OPT_NUMA: a->numa = arg; break;
	case OPT_AFFINITY: a->affinity = arg; break;
	case OPT_POLICY: a->policy = arg; break;
	case OPT_DEVICES: a->devices = arg; break;
	case OPT_ID: a->id = arg; break;
	case OPT_DRY_RUN: a->dry_run = true; break;
	default: return KERF_EXIT_USAGE;
	}
	return 0;
}

/* The parsed request. */
struct request {
	const char *name;
	struct cpuset cpus;
	uint32_t count;
	uint64_t mem, base;
	bool has_base;
	uint32_t *numa;
	size_t nnuma;
	enum plan_affinity aff;
	bool aff_given;
	uint32_t id;
	char **devs;
	size_t ndevs;
};

static void request_free(struct request *r)
{
	size_t i;

	cpuset_free(&r->cpus);
	free(r->numa);
	for (i = 0; i < r->ndevs; i++)
		free(r->devs[i]);
	free(r->devs);
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int parse_request(struct kerf_ctx *ctx, const struct create_args *a,
			 struct request *r)
{
	struct cpuset_error ce;
	char err[256];

	if (a->cpus && a->cpu_count)
		return kerf_usage_error(ctx, "--cpus and --cpu-count are "
					     "mutually exclusive");
	if (!a->cpus && !a->cpu_count)
		return kerf_usage_error(ctx, "either --cpus or --cpu-count "
					     "must be given");
	if (!a->memory)
		return kerf_usage_error(ctx, "--memory=SIZE is required");
	if (a->cpus && cpuset_parse(&r->cpus, a->cpus, &ce))
		return kerf_usage_error(ctx, "invalid CPU list '%s': %s",
					a->cpus, ce.msg);
	if (a->cpus && cpuset_empty(&r->cpus))
		return kerf_usage_error(ctx, "--cpus lists no CPU");
	if (a->cpu_count && parse_u32(a->cpu_count, 1, CPUSET_MAX, &r->count))
		return kerf_usage_error(ctx, "invalid CPU count '%s' (a "
					     "positive number)",
					a->cpu_count);
	if (size_parse(a->memory, &r->mem, err, sizeof(err)))
		return kerf_usage_error(ctx, "invalid memory size '%s': %s",
					a->memory, err);
	if (a->base) {
		if (addr_parse(a->base, &r->base, err, sizeof(err)))
			return kerf_usage_error(ctx,
						"invalid memory base '%s': %s",
						a->base, err);
		r->has_base = true;
	}
	if (a->numa) {
		struct cpuset ns;

		cpuset_init(&ns);
		if (cpuset_parse(&ns, a->numa, &ce) || cpuset_empty(&ns)) {
			cpuset_free(&ns);
			return kerf_usage_error(ctx,
						"invalid NUMA node list '%s'",
						a->numa);
		}
		r->numa = xmalloc(cpuset_count(&ns) * sizeof(*r->numa));
		cpuset_for_each(&ns, nd) r->numa[r->nnuma++] = (uint32_t)nd;
		cpuset_free(&ns);
	}
	r->aff = PLAN_AFF_COMPACT;
	if (a->affinity) {
		if (plan_affinity_parse(a->affinity, &r->aff))
			return kerf_usage_error(ctx,
						"invalid --cpu-affinity '%s' "
						"(compact, spread or local)",
						a->affinity);
		r->aff_given = true;
	}
	if (a->policy && strcmp(a->policy, "local") &&
	    strcmp(a->policy, "interleave") && strcmp(a->policy, "bind"))
		return kerf_usage_error(ctx,
					"invalid --memory-policy '%s' (local, "
					"interleave or bind)",
					a->policy);
	if (a->id && parse_u32(a->id, 1, MK_ID_MAX, &r->id))
		return kerf_usage_error(ctx, "invalid --id '%s' (1-%u)", a->id,
					MK_ID_MAX);
	if (a->devices) {
		char *list = xstrdup(a->devices), *save = NULL, *tok;

		for (tok = strtok_r(list, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			r->devs = xrealloc(r->devs,
					   (r->ndevs + 1) * sizeof(*r->devs));
			r->devs[r->ndevs++] = xstrdup(tok);
		}
		free(list);
	}
	return 0;
}

/* Append the planned instance to the model (validated with the rest). */
static struct mk_instance *add_planned(struct mk_model *m,
				       const struct request *r,
				       const struct create_args *a,
				       const struct plan_dev *pd, size_t npd)
{
	struct mk_instance *in;
	size_t i;

	m->instances = xrealloc(m->instances,
				(m->ninstances + 1) * sizeof(*m->instances));
	in = &m->instances[m->ninstances++];
	memset(in, 0, sizeof(*in));
	in->name = xstrdup(r->name);
	in->has_id = true;
	in->id = r->id;
	cpuset_init(&in->cpus);
	cpuset_init(&in->cpus_dup);
	cpuset_copy(&in->cpus, &r->cpus);
	in->has_cpus = true;
	in->mem_size = r->mem;
	in->has_size = true;
	in->mem_base = r->base;
	in->has_base = r->has_base;
	if (r->nnuma) {
		in->numa = xmalloc(r->nnuma * sizeof(*in->numa));
		memcpy(in->numa, r->numa, r->nnuma * sizeof(*in->numa));
		in->nnuma = r->nnuma;
	}
	in->affinity = xstrdup(plan_affinity_name(r->aff));
	in->policy = a->policy ? xstrdup(a->policy) : NULL;
	if (npd) {
		in->devs = xzalloc(npd * sizeof(*in->devs));
		in->ndevs = npd;
	}
	for (i = 0; i < npd; i++) {
		struct mk_inst_dev *d = &in->devs[i];

		d->name = xstrdup(pd[i].name);
		if (pd[i].vf >= 0) {
			/* find or make the VF reference */
			long k;

			for (k = 0; k < (long)m->ndevrefs; k++)
				if (m->devrefs[k].parent == pd[i].dev &&
				    m->devrefs[k].has_vf &&
				    m->devrefs[k].vf == (uint32_t)pd[i].vf)
					break;
			if (k == (long)m->ndevrefs) {
				struct mk_devref *ref;

				m->devrefs = xrealloc(
					m->devrefs,
					(m->ndevrefs + 1) * sizeof(*m->devrefs));
				ref = &m->devrefs[m->ndevrefs++];
				memset(ref, 0, sizeof(*ref));
				ref->name = xstrdup(pd[i].name);
				ref->parent = pd[i].dev;
				ref->parent_ref =
					xstrdup(m->devices[pd[i].dev].name);
				ref->has_vf = true;
				ref->vf = (uint32_t)pd[i].vf;
			}
			d->kind = MK_REF_DEVREF;
			d->index = (int)k;
		} else {
			d->kind = MK_REF_DEVICE;
			d->index = pd[i].dev;
		}
	}
	return in;
}

/* The PCI function of a planned device; false with an error printed. */
static bool pci_of(const struct mut *mt, const struct plan_dev *pd,
		   struct mk2_pci *out, char **bdf_owned)
{
	const struct mk_device *x = &mt->st.model.devices[pd->dev];

	memset(out, 0, sizeof(*out));
	out->name = pd->name;
	*bdf_owned = NULL;
	if (pd->vf < 0) {
		out->pci_id = x->pci_id;
		out->vendor = x->vendor_id;
		out->device = x->device_id;
		out->has_ids = x->has_vendor && x->has_device;
		if (!out->pci_id) {
			kerf_error("device '%s' has no PCI id", pd->name);
			return false;
		}
		return true;
	}
	*bdf_owned = kstate_vf_bdf(&mt->kp, x->pci_id, (uint32_t)pd->vf);
	if (!*bdf_owned) {
		kerf_error("the PCI address of %s (VF %d of %s) is unknown",
			   pd->name, pd->vf, x->pci_id ? x->pci_id : x->name);
		return false;
	}
	out->pci_id = *bdf_owned;
	return true;
}

/*
 * A transaction that failed part-way may leave the instance behind when
 * the kernel cannot undo it (rmdir of the failed transaction refused):
 * remove it with an instance-remove of its own.
 */
static void cleanup_partial(struct mut *mt, const char *name, uint32_t id)
{
	struct mkfs_instance fi;
	struct mk2_blobs rb = {0};
	unsigned int txid = 0;
	struct diags d;

	if (mkfs_read_instance(&mt->kp, name, false, &fi, NULL)) {
		fprintf(stderr, "  Instance '%s' (id %u) was not created.\n",
			name, id);
		return;
	}
	mkfs_instance_free(&fi);
	diags_init(&d);
	if (mk2_remove_blob(name, &rb) == 0) {
		struct txn_blob tb = {rb.v[0], rb.len[0], "remove the partly "
							  "created instance"};

		if (txn_apply(&mt->kp, &mt->lk, &tb, 1, &txid, &d) == 0)
			fprintf(stderr,
				"  The partly created instance '%s' (id %u) "
				"was removed again (transaction %u).\n",
				name, id, txid);
		else
			diags_print(stderr, &d);
	}
	mk2_blobs_free(&rb);
	diags_free(&d);
}

/*
 * The rule of the instance-name check (a directory name under
 * /sys/fs/multikernel/instances): refused on the command line already.
 */
static bool name_ok(const char *name)
{
	size_t len = strlen(name), i;

	if (!len || len > MK_NAME_MAX || !kp_name_ok(name))
		return false;
	for (i = 0; i < len; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr(",._+-", ch)))
			return false;
	}
	return true;
}

/* After a refusal: what the pool still has free, when want does not fit. */
static void print_free(const struct kstate *st, uint64_t want)
{
	struct kstate_gap *g;
	uint64_t sum = 0, big = 0, at = 0;
	char a[32], b[32], c[32];
	size_t n, i;

	if (kstate_gaps(st, -1, &g, &n))
		return;
	for (i = 0; i < n; i++) {
		sum += g[i].size;
		if (g[i].size > big) {
			big = g[i].size;
			at = g[i].base;
		}
	}
	free(g);
	if (want <= big)
		return;
	if (!sum) {
		fputs("  The memory pool has no free memory left.\n", stderr);
		return;
	}
	fprintf(stderr, "  Free in the memory pool: %s; the largest free "
			"range is %s at 0x%" PRIx64 " (--memory=%s fits).\n",
		size_format(a, sizeof(a), sum, SIZE_IEC),
		size_format(b, sizeof(b), big, SIZE_IEC), at,
		size_format(c, sizeof(c), big, SIZE_COMPACT));
}

static void print_plan(struct kerf_ctx *ctx, const struct request *r,
		       const struct create_args *a, bool auto_cpus)
{
	char sz[32];
	char *cl = cpuset_format(&r->cpus);
	size_t i;

	printf("%s Validation passed for instance '%s'\n", sym_ok(ctx),
	       r->name);
	printf("  Instance ID: %u\n", r->id);
	if (auto_cpus)
		printf("  CPUs: %s (%u chosen by kerf, %s)\n", cl, r->count,
		       plan_affinity_name(r->aff));
	else
		printf("  CPUs: %s\n", cl);
	printf("  CPU Affinity: %s\n", plan_affinity_name(r->aff));
	if (r->nnuma) {
		printf("  NUMA Nodes:");
		for (i = 0; i < r->nnuma; i++)
			printf("%s%u", i ? "," : " ", r->numa[i]);
		printf("\n");
	}
	size_format(sz, sizeof(sz), r->mem, SIZE_IEC);
	if (r->has_base)
		printf("  Memory: %s at 0x%" PRIx64 "\n", sz, r->base);
	else
		printf("  Memory: %s (placed by the kernel)\n", sz);
	if (a->policy)
		printf("  Memory Policy: %s\n", a->policy);
	if (r->ndevs) {
		printf("  Devices:");
		for (i = 0; i < r->ndevs; i++)
			printf("%s%s", i ? ", " : " ", r->devs[i]);
		printf("\n");
	}
	free(cl);
}

int cmd_create(struct kerf_ctx *ctx, int argc, char **argv)
{
	struct create_args a = {0};
	struct request r;
	struct plan_dev *pd = NULL;
	struct mk2_pci *pci = NULL;
	char **owned = NULL;
	uint64_t *phys = NULL;
	struct mk2_item item;
	struct mk2_create cr;
	struct mk2_blobs blobs = {0};
	unsigned int *txids = NULL;
	struct mut mt;
	char err[512];
	int first, ret;
	size_t i, npd = 0;

	memset(&r, 0, sizeof(r));
	cpuset_init(&r.cpus);
	ret = kerf_parse_opts(ctx, &kerf_cmd_create, argc, argv, &first,
			      create_opt, &a);
	if (ret) {
		request_free(&r);
		return ret < 0 ? KERF_EXIT_OK : ret;
	}
	if (first >= argc) {
		request_free(&r);
		return kerf_usage_error(ctx, "missing instance NAME");
	}
	if (argc - first > 1) {
		request_free(&r);
		return kerf_usage_error(ctx, "unexpected argument '%s'",
					argv[first + 1]);
	}
	r.name = argv[first];
	if (!name_ok(r.name)) {
		ret = kerf_usage_error(ctx,
				       "invalid instance name '%s': %s", r.name,
				       strlen(r.name) > MK_NAME_MAX
					       ? "longer than 31 characters"
					       : "names use letters, digits "
						 "and , . _ + - (no '@' or "
						 "'/'), at most 31 characters");
		request_free(&r);
		return ret;
	}
	ret = parse_request(ctx, &a, &r);
	if (ret) {
		request_free(&r);
		return ret;
	}

	ret = mut_begin(ctx, &mt, a.dry_run);
	if (ret)
		goto out;
	ret = mut_need_pool(&mt);
	if (ret)
		goto out;
	if (kstate_find(&mt.st, r.name) >= 0) {
		long k = kstate_find(&mt.st, r.name);

		kerf_error("instance '%s' already exists (id %d, status: %s)",
			   r.name, mt.st.inst[k].id, mt.st.inst[k].status_text);
		fprintf(stderr, "  Choose another name, or change it with "
				"'kerf update %s'.\n",
			r.name);
		ret = KERF_EXIT_INVALID;
		goto out;
	}
	if (r.id) {
		long k = kstate_find_id(&mt.st, (int)r.id);

		if (k >= 0) {
			kerf_error("instance id %u is already used by "
				   "instance '%s'",
				   r.id, mt.st.inst[k].name);
			fprintf(stderr, "  The lowest free id is %u.\n",
				kstate_free_id(&mt.st));
			ret = KERF_EXIT_INVALID;
			goto out;
		}
	} else {
		r.id = kstate_free_id(&mt.st);
		if (!r.id) {
			kerf_error("no free instance id (all of 1-%u are used)",
				   MK_ID_MAX);
			ret = KERF_EXIT_INVALID;
			goto out;
		}
	}

	/* devices */
	if (r.ndevs)
		pd = xzalloc(r.ndevs * sizeof(*pd));
	for (i = 0; i < r.ndevs; i++, npd++) {
		if (plan_parse_device(&mt.st.model, r.devs[i], &pd[i], err,
				      sizeof(err))) {
			kerf_error("%s (in --devices)", err);
			if (mt.st.model.ndevices) {
				fprintf(stderr, "  Devices:");
				for (size_t k = 0; k < mt.st.model.ndevices;
				     k++)
					fprintf(stderr, "%s%s", k ? ", " : " ",
						mt.st.model.devices[k].name);
				fputc('\n', stderr);
			}
			ret = KERF_EXIT_INVALID;
			goto out;
		}
		if (pd[i].ns >= 0) {
			const struct mk_device *x =
				&mt.st.model.devices[pd[i].dev];

			kerf_error("cannot give NVMe namespace %s to an "
				   "instance: the mk2 kernel moves whole PCI "
				   "functions, not namespaces",
				   r.devs[i]);
			fprintf(stderr,
				"  Give the whole controller instead: "
				"--devices=%s (%s)\n",
				x->name, x->pci_id ? x->pci_id : "no PCI id");
			npd++;
			ret = KERF_EXIT_INVALID;
			goto out;
		}
	}

	/* memory */
	if (r.has_base) {
		struct kstate_gap *kg;
		struct plan_gap *g;
		size_t ng;

		kstate_gaps(&mt.st, -1, &kg, &ng);
		g = xzalloc((ng + 1) * sizeof(*g));
		for (i = 0; i < ng; i++) {
			g[i].base = kg[i].base;
			g[i].size = kg[i].size;
		}
		free(kg);
		ret = plan_check_base(&mt.st.model, g, ng, r.base, r.mem, err,
				      sizeof(err));
		free(g);
		if (ret) {
			kerf_error("cannot place %s at --memory-base: %s",
				   r.name, err);
			ret = KERF_EXIT_INVALID;
			goto out;
		}
	}

	/* CPUs */
	if (r.count) {
		struct cpuset fr;
		int64_t mem_node = -1;

		if (r.has_base) {
			int ni = mk_numa_of_addr(&mt.st.model, r.base);

			if (ni >= 0)
				mem_node = mt.st.model.topo.nodes[ni].id;
		}
		cpuset_init(&fr);
		plan_free_cpus(&mt.st.model, -1, &fr);
		ret = plan_alloc_cpus(&mt.st.model, &fr, r.count, r.aff,
				      r.numa, r.nnuma, mem_node, &r.cpus, err,
				      sizeof(err));
		cpuset_free(&fr);
		if (ret) {
			kerf_error("cannot choose %u CPU%s for '%s': %s",
				   r.count, r.count == 1 ? "" : "s", r.name,
				   err);
			ret = KERF_EXIT_INVALID;
			goto out;
		}
	}

	/* the whole resulting state must validate */
	add_planned(&mt.st.model, &r, &a, pd, npd);
	ret = mut_validate(ctx, &mt, a.dry_run);
	if (ret) {
		print_free(&mt.st, r.mem);
		goto out;
	}

	/* encode */
	phys = xzalloc((cpuset_count(&r.cpus) + 1) * sizeof(*phys));
	i = 0;
	cpuset_for_each(&r.cpus, c)
	{
		if (cpumap_phys(&mt.st.map, (uint32_t)c, &phys[i])) {
			kerf_error("logical CPU %u has no known physical id "
				   "[host-cpus]",
				   (uint32_t)c);
			ret = KERF_EXIT_INVALID;
			goto out;
		}
		i++;
	}
	if (npd) {
		pci = xzalloc(npd * sizeof(*pci));
		owned = xzalloc(npd * sizeof(*owned));
	}
	for (i = 0; i < npd; i++)
		if (!pci_of(&mt, &pd[i], &pci[i], &owned[i])) {
			ret = KERF_EXIT_INVALID;
			goto out;
		}
	memset(&cr, 0, sizeof(cr));
	cr.name = r.name;
	cr.id = r.id;
	cr.cpus = phys;
	cr.ncpus = cpuset_count(&r.cpus);
	cr.mem_bytes = r.has_base ? 0 : r.mem;
	cr.numa = r.numa;
	cr.nnuma = r.nnuma;
	cr.devs = pci;
	cr.ndevs = npd;
	memset(&item, 0, sizeof(item));
	item.op = MK2_MEM_ADD;
	item.a = r.base;
	item.b = r.mem;
	item.numa = -1;
	if (mk2_create_blobs(&cr, &item, r.has_base ? 1 : 0, &blobs)) {
		kerf_error("cannot encode the overlay for '%s'", r.name);
		ret = KERF_EXIT_INVALID;
		goto out;
	}
	if (a.dry_run) {
		print_plan(ctx, &r, &a, r.count != 0);
		if (ctx->debug)
			mut_print_blobs(ctx, &blobs, r.name);
		printf("\n%s Instance would be created (dry-run mode, %zu "
		       "transaction%s)\n",
		       sym_ok(ctx), blobs.n, blobs.n == 1 ? "" : "s");
		printf("  Remove --dry-run to apply the overlay to the "
		       "kernel\n");
		ret = KERF_EXIT_OK;
		goto out;
	}
	if (ctx->debug)
		mut_print_blobs(ctx, &blobs, r.name);
	txids = xzalloc(blobs.n * sizeof(*txids));
	{
		char *what = xasprintf("create instance '%s' (id %u)", r.name,
				       r.id);

		ret = mut_apply(&mt, &blobs, what, txids);
		free(what);
	}
	if (ret) {
		cleanup_partial(&mt, r.name, r.id);
		goto out;
	}
	{
		struct mkfs_instance fi;
		int kid = (int)r.id;

		if (mkfs_read_instance(&mt.kp, r.name, false, &fi, NULL) == 0) {
			kid = fi.id;
			mkfs_instance_free(&fi);
		}
		if (!ctx->quiet) {
			printf("%s Created instance '%s' (id %d, transaction "
			       "%u",
			       sym_ok(ctx), r.name, kid, txids[0]);
			for (i = 1; i < blobs.n; i++)
				printf(", %u", txids[i]);
			printf(")\n");
		}
		if (ctx->verbose) {
			char *cl = cpuset_format(&r.cpus);
			char sz[32];

			printf("  CPUs: %s\n  Memory: %s\n", cl,
			       size_format(sz, sizeof(sz), r.mem, SIZE_IEC));
			free(cl);
		}
	}
	ret = KERF_EXIT_OK;
out:
	for (i = 0; i < npd; i++) {
		free(pd[i].name);
		if (owned)
			free(owned[i]);
	}
	free(pd);
	free(owned);
	free(pci);
	free(phys);
	free(txids);
	mk2_blobs_free(&blobs);
	mut_end(&mt);
	request_free(&r);
	return ret;
}
