// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the plan layer: CPU policies, memory placement and the
 * memory delta of an update, instance ids, device parsing, the undo delta
 * of a partly applied update, and the order of an apply plan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/finding.h"
#include "dt/dt.h"
#include "plan/alloc.h"
#include "plan/diff.h"
#include "plan/pool.h"

/*
 * 16 CPUs, SMT pairs (2n, 2n+1), node 0 = 0-7, node 1 = 8-15; CPUs 0-1
 * stay with the host; a 3 GiB pool at 1 GiB.
 */
static const char host_dts[] =
	"/multikernel-v1/;\n"
	"/ {\n"
	"	compatible = \"linux,multikernel-host\";\n"
	"	resources {\n"
	"		cpus {\n"
	"			total = <16>;\n"
	"			host-reserved = <0 1>;\n"
	"			available = <2 3 4 5 6 7 8 9 10 11 12 13 14 15>;\n"
	"			cores { core@0 { cpus = <0 1>; }; core@1 { cpus = <2 3>; }; core@2 { cpus = <4 5>; }; core@3 { cpus = <6 7>; }; core@4 { cpus = <8 9>; }; core@5 { cpus = <10 11>; }; core@6 { cpus = <12 13>; }; core@7 { cpus = <14 15>; }; };\n"
	"		};\n"
	"		memory {\n"
	"			total-bytes = <0x1 0x0>;\n"
	"			host-reserved-bytes = <0x0 0x40000000>;\n"
	"			memory-pool-base = <0x0 0x40000000>;\n"
	"			memory-pool-bytes = <0x0 0xc0000000>;\n"
	"		};\n"
	"		devices {\n"
	"			eth0: ethernet@0 { compatible = \"intel,i40e\"; pci-id = \"0000:01:00.0\"; sriov-vfs = <4>; host-reserved-vf = <0>; available-vfs = <1 2 3>; };\n"
	"			nvme0: storage@0 { compatible = \"nvme\"; pci-id = \"0000:02:00.0\"; namespaces = <3>; host-reserved-ns = <1>; available-ns = <2 3>; };\n"
	"		};\n"
	"		%s"
	"	};\n"
	"};\n";

static const char topo_dts[] =
	"topology { numa-nodes {\n"
	"	node@0 { node-id = <0>; memory-base = <0x0 0x0>; memory-size = <0x0 0x80000000>; cpus = <0 1 2 3 4 5 6 7>; distance-matrix = <10 20 20 10>; };\n"
	"	node@1 { node-id = <1>; memory-base = <0x0 0x80000000>; memory-size = <0x0 0x80000000>; cpus = <8 9 10 11 12 13 14 15>; };\n"
	"}; };\n";

struct fixture {
	struct dt_tree *t;
	struct mk_model m;
};

static int load(struct fixture *fx, bool topo)
{
	char path[] = "/tmp/kerf-plan-XXXXXX";
	char *text = xasprintf(host_dts, topo ? topo_dts : "");
	struct findings f;
	struct diags d;
	int fd = mkstemp(path), ret;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(write_file(path, text, strlen(text)), 0);
	free(text);
	mk_model_init(&fx->m);
	diags_init(&d);
	findings_init(&f);
	ret = mk_load(path, NULL, NULL, &fx->t, &fx->m, &d);
	if (!ret)
		ret = mk_decode(fx->t, &fx->m, &f);
	unlink(path);
	if (d.n)
		diags_print(stderr, &d);
	findings_free(&f);
	diags_free(&d);
	return ret;
}

static int setup_topo(void **state)
{
	struct fixture *fx = xzalloc(sizeof(*fx));

	assert_int_equal(load(fx, true), 0);
	assert_true(fx->m.topo.present);
	*state = fx;
	return 0;
}

static int setup_flat(void **state)
{
	struct fixture *fx = xzalloc(sizeof(*fx));

	assert_int_equal(load(fx, false), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	mk_model_free(&fx->m);
	dt_tree_free(fx->t);
	free(fx);
	return 0;
}

/* Choose n CPUs; the result as a list ("" on failure). */
static char *alloc(const struct mk_model *m, uint32_t n, enum plan_affinity a,
		   const uint32_t *nodes, size_t nn, int *ret)
{
	struct cpuset fr, out;
	char err[256];
	char *s;

	cpuset_init(&fr);
	cpuset_init(&out);
	plan_free_cpus(m, -1, &fr);
	*ret = plan_alloc_cpus(m, &fr, n, a, nodes, nn, -1, &out, err,
			       sizeof(err));
	s = cpuset_format(&out);
	cpuset_free(&fr);
	cpuset_free(&out);
	return s;
}

#define ASSERT_ALLOC(m, n, a, nodes, nn, want)                          \
	do {                                                            \
		int r_;                                                 \
		char *s_ = alloc(m, n, a, nodes, nn, &r_);              \
		assert_int_equal(r_, 0);                                \
		assert_string_equal(s_, want);                          \
		free(s_);                                               \
	} while (0)

static void test_compact_whole_cores_one_node(void **state)
{
	struct fixture *fx = *state;

	/* whole SMT cores, on the first node that holds all of them */
	ASSERT_ALLOC(&fx->m, 4, PLAN_AFF_COMPACT, NULL, 0, "2-5");
	ASSERT_ALLOC(&fx->m, 2, PLAN_AFF_COMPACT, NULL, 0, "2-3");
	/* an odd count: whole cores first, then one more CPU */
	ASSERT_ALLOC(&fx->m, 3, PLAN_AFF_COMPACT, NULL, 0, "2-4");
	/* node 0 has only 6 free: all 8 from node 1 */
	ASSERT_ALLOC(&fx->m, 8, PLAN_AFF_COMPACT, NULL, 0, "8-15");
	/* more than any node: the fewest nodes, the fullest first */
	ASSERT_ALLOC(&fx->m, 10, PLAN_AFF_COMPACT, NULL, 0, "2-3,8-15");
}

static void test_spread_alternates_nodes(void **state)
{
	struct fixture *fx = *state;
	struct cpuset fr, out;
	char err[256];
	int n0 = 0, n1 = 0;

	ASSERT_ALLOC(&fx->m, 2, PLAN_AFF_SPREAD, NULL, 0, "2,8");
	cpuset_init(&fr);
	cpuset_init(&out);
	plan_free_cpus(&fx->m, -1, &fr);
	assert_int_equal(plan_alloc_cpus(&fx->m, &fr, 6, PLAN_AFF_SPREAD,
					 NULL, 0, -1, &out, err, sizeof(err)),
			 0);
	assert_int_equal(cpuset_count(&out), 6);
	cpuset_for_each(&out, c)
	{
		if (c < 8)
			n0++;
		else
			n1++;
	}
	assert_int_equal(n0, 3);
	assert_int_equal(n1, 3);
	cpuset_free(&fr);
	cpuset_free(&out);
}

static void test_local_follows_nodes(void **state)
{
	struct fixture *fx = *state;
	const uint32_t one = 1, zero = 0;
	struct cpuset fr, out;
	char err[256];
	int r;
	char *s;

	ASSERT_ALLOC(&fx->m, 2, PLAN_AFF_LOCAL, &one, 1, "8-9");
	ASSERT_ALLOC(&fx->m, 4, PLAN_AFF_LOCAL, &zero, 1, "2-5");
	/* --numa-nodes limits compact too */
	ASSERT_ALLOC(&fx->m, 2, PLAN_AFF_COMPACT, &one, 1, "8-9");
	/* more than the node has */
	s = alloc(&fx->m, 7, PLAN_AFF_LOCAL, &zero, 1, &r);
	assert_int_equal(r, -ENOSPC);
	assert_string_equal(s, "");
	free(s);
	/* local without --numa-nodes follows the memory's node */
	cpuset_init(&fr);
	cpuset_init(&out);
	plan_free_cpus(&fx->m, -1, &fr);
	assert_int_equal(plan_alloc_cpus(&fx->m, &fr, 2, PLAN_AFF_LOCAL, NULL,
					 0, 1, &out, err, sizeof(err)),
			 0);
	s = cpuset_format(&out);
	assert_string_equal(s, "8-9");
	free(s);
	cpuset_free(&fr);
	cpuset_free(&out);
}

static void test_alloc_errors(void **state)
{
	struct fixture *fx = *state;
	int r;
	char *s;

	s = alloc(&fx->m, 15, PLAN_AFF_COMPACT, NULL, 0, &r);
	assert_int_equal(r, -ENOSPC);
	free(s);
	s = alloc(&fx->m, 0, PLAN_AFF_COMPACT, NULL, 0, &r);
	assert_int_equal(r, -EINVAL);
	free(s);
}

static void test_no_topology(void **state)
{
	struct fixture *fx = *state;
	int r;
	char *s;

	assert_false(fx->m.topo.present);
	s = alloc(&fx->m, 2, PLAN_AFF_LOCAL, NULL, 0, &r);
	assert_int_equal(r, -ENOSPC);
	free(s);
	ASSERT_ALLOC(&fx->m, 4, PLAN_AFF_COMPACT, NULL, 0, "2-5");
}

/* An instance with cpus and (optional) memory, appended to m. */
static void add_inst(struct mk_model *m, const char *name, uint32_t id,
		     const char *cpus, uint64_t base, uint64_t size)
{
	struct mk_instance *in;
	struct cpuset_error ce;

	m->instances = xrealloc(m->instances,
				(m->ninstances + 1) * sizeof(*m->instances));
	in = &m->instances[m->ninstances++];
	memset(in, 0, sizeof(*in));
	in->name = xstrdup(name);
	in->has_id = true;
	in->id = id;
	cpuset_init(&in->cpus);
	cpuset_init(&in->cpus_dup);
	assert_int_equal(cpuset_parse(&in->cpus, cpus, &ce), 0);
	in->has_cpus = true;
	in->mem_base = base;
	in->has_base = size != 0;
	in->mem_size = size;
	in->has_size = size != 0;
}

static void test_free_cpus_and_ids(void **state)
{
	struct fixture *fx = *state;
	struct cpuset fr;
	char *s;

	assert_int_equal(plan_free_id(&fx->m), 1);
	add_inst(&fx->m, "a", 1, "2-5", 0, 0);
	add_inst(&fx->m, "b", 2, "8-9", 0, 0);
	add_inst(&fx->m, "c", 4, "10", 0, 0);
	assert_int_equal(plan_free_id(&fx->m), 3);
	cpuset_init(&fr);
	plan_free_cpus(&fx->m, -1, &fr);
	s = cpuset_format(&fr);
	assert_string_equal(s, "6-7,11-15");
	free(s);
	/* skipping an instance frees its CPUs (an update re-plans it) */
	plan_free_cpus(&fx->m, 0, &fr);
	s = cpuset_format(&fr);
	assert_string_equal(s, "2-7,11-15");
	free(s);
	cpuset_free(&fr);
	/* compact now avoids the split core 10-11: whole core 12-13 */
	ASSERT_ALLOC(&fx->m, 2, PLAN_AFF_COMPACT, NULL, 0, "6-7");
}

static void test_memory_base(void **state)
{
	struct fixture *fx = *state;
	/* pool 0x40000000-0xffffffff; an instance at 0x80000000 (1 GiB) */
	const struct plan_gap gaps[] = {
		{0x40000000, 0x40000000},
		{0xc0000000, 0x40000000},
	};
	char err[256];
	uint64_t base;

	assert_int_equal(plan_check_base(&fx->m, gaps, 2, 0x40000000,
					 0x40000000, err, sizeof(err)),
			 0);
	assert_int_equal(plan_check_base(&fx->m, gaps, 2, 0x40001000,
					 0x1000, err, sizeof(err)),
			 0);
	/* misaligned */
	assert_int_equal(plan_check_base(&fx->m, gaps, 2, 0x40000800,
					 0x1000, err, sizeof(err)),
			 -ERANGE);
	assert_non_null(strstr(err, "page aligned"));
	/* outside the pool */
	assert_int_equal(plan_check_base(&fx->m, gaps, 2, 0x1000, 0x1000, err,
					 sizeof(err)),
			 -ERANGE);
	assert_non_null(strstr(err, "not in the pool"));
	/* past the end of the chunk */
	assert_int_equal(plan_check_base(&fx->m, gaps, 2, 0xf0000000,
					 0x20000000, err, sizeof(err)),
			 -ERANGE);
	/* over the instance */
	assert_int_equal(plan_check_base(&fx->m, gaps, 2, 0x70000000,
					 0x20000000, err, sizeof(err)),
			 -ERANGE);
	assert_non_null(strstr(err, "overlaps"));
	/* first fit */
	assert_int_equal(plan_find_gap(&fx->m, gaps, 2, 0x40000000, -1, &base),
			 0);
	assert_int_equal(base, 0x40000000);
	assert_int_equal(plan_find_gap(&fx->m, gaps, 2, 0x80000000, -1, &base),
			 -ENOSPC);
}

static void test_mem_delta_shrink(void **state)
{
	const struct plan_range one[] = {{0x40000000, 0x40000000}};
	const struct plan_range two[] = {{0x40000000, 0x10000000},
					 {0x80000000, 0x10000000}};
	struct plan_range *rm, *add;
	size_t nrm, nadd;

	(void)state;
	/* same size: nothing */
	assert_int_equal(plan_mem_delta(one, 1, 0x40000000, NULL, 0, &rm, &nrm,
					&add, &nadd),
			 0);
	assert_int_equal(nrm + nadd, 0);
	/* 1 GiB -> 256 MiB: the top 768 MiB go back */
	assert_int_equal(plan_mem_delta(one, 1, 0x10000000, NULL, 0, &rm, &nrm,
					&add, &nadd),
			 0);
	assert_int_equal(nrm, 1);
	assert_int_equal(nadd, 0);
	assert_int_equal(rm[0].base, 0x50000000);
	assert_int_equal(rm[0].size, 0x30000000);
	free(rm);
	free(add);
	/* across regions: the last one whole, then the top of the first */
	assert_int_equal(plan_mem_delta(two, 2, 0x8000000, NULL, 0, &rm, &nrm,
					&add, &nadd),
			 0);
	assert_int_equal(nrm, 2);
	assert_int_equal(rm[0].base, 0x80000000);
	assert_int_equal(rm[0].size, 0x10000000);
	assert_int_equal(rm[1].base, 0x48000000);
	assert_int_equal(rm[1].size, 0x8000000);
	free(rm);
	free(add);
}

static void test_mem_delta_grow(void **state)
{
	const struct plan_range one[] = {{0x40000000, 0x40000000}};
	const struct plan_gap after[] = {{0x80000000, 0x40000000},
					 {0xe0000000, 0x20000000}};
	const struct plan_gap apart[] = {{0x90000000, 0x40000000}};
	const struct plan_gap small[] = {{0x80000000, 0x1000000},
					 {0xc0000000, 0x8000000}};
	struct plan_range *rm, *add;
	size_t nrm, nadd;

	(void)state;
	/* in place: the range after the region is free */
	assert_int_equal(plan_mem_delta(one, 1, 0x60000000, after, 2, &rm,
					&nrm, &add, &nadd),
			 0);
	assert_int_equal(nrm, 0);
	assert_int_equal(nadd, 1);
	assert_int_equal(add[0].base, 0x80000000);
	assert_int_equal(add[0].size, 0x20000000);
	free(rm);
	free(add);
	/* not adjacent: a new region in the first gap that fits */
	assert_int_equal(plan_mem_delta(one, 1, 0x60000000, apart, 1, &rm,
					&nrm, &add, &nadd),
			 0);
	assert_int_equal(nadd, 1);
	assert_int_equal(add[0].base, 0x90000000);
	free(rm);
	free(add);
	/* the adjacent gap is too small: relocation of the growth */
	assert_int_equal(plan_mem_delta(one, 1, 0x48000000, small, 2, &rm,
					&nrm, &add, &nadd),
			 0);
	assert_int_equal(nadd, 1);
	assert_int_equal(add[0].base, 0xc0000000);
	assert_int_equal(add[0].size, 0x8000000);
	free(rm);
	free(add);
	/* no gap fits */
	assert_int_equal(plan_mem_delta(one, 1, 0x80000000, small, 2, &rm,
					&nrm, &add, &nadd),
			 -ENOSPC);
	free(rm);
	free(add);
}

static void test_parse_device(void **state)
{
	struct fixture *fx = *state;
	struct plan_dev d;
	char err[256];

	assert_int_equal(plan_parse_device(&fx->m, "eth0", &d, err,
					   sizeof(err)),
			 0);
	assert_int_equal(d.vf, -1);
	assert_int_equal(d.ns, -1);
	assert_string_equal(d.name, "eth0");
	assert_string_equal(fx->m.devices[d.dev].name, "eth0");
	free(d.name);
	assert_int_equal(plan_parse_device(&fx->m, "eth0:vf1", &d, err,
					   sizeof(err)),
			 0);
	assert_int_equal(d.vf, 1);
	assert_string_equal(d.name, "eth0_vf1");
	free(d.name);
	assert_int_equal(plan_parse_device(&fx->m, "eth0_vf3", &d, err,
					   sizeof(err)),
			 0);
	assert_int_equal(d.vf, 3);
	free(d.name);
	assert_int_equal(plan_parse_device(&fx->m, "nvme0:ns2", &d, err,
					   sizeof(err)),
			 0);
	assert_int_equal(d.ns, 2);
	assert_int_equal(d.vf, -1);
	assert_string_equal(d.name, "nvme0_ns2");
	free(d.name);
	/* errors */
	assert_int_equal(plan_parse_device(&fx->m, "eth9", &d, err,
					   sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "eth9"));
	assert_int_equal(plan_parse_device(&fx->m, "eth9_vf1", &d, err,
					   sizeof(err)),
			 -ENOENT);
	assert_int_equal(plan_parse_device(&fx->m, "eth0_vf1x", &d, err,
					   sizeof(err)),
			 -EINVAL);
	assert_int_equal(plan_parse_device(&fx->m, "eth0:vf99999999", &d, err,
					   sizeof(err)),
			 -EINVAL);
	assert_int_equal(plan_parse_device(&fx->m, "", &d, err, sizeof(err)),
			 -ENOENT);
}

static void test_set_devices(void **state)
{
	struct fixture *fx = *state;
	struct plan_dev pd[2];
	struct mk_instance *in;
	char err[256];
	size_t refs;

	add_inst(&fx->m, "a", 1, "2-3", 0, 0);
	in = &fx->m.instances[fx->m.ninstances - 1];
	refs = fx->m.ndevrefs;
	assert_int_equal(plan_parse_device(&fx->m, "eth0_vf2", &pd[0], err,
					   sizeof(err)),
			 0);
	assert_int_equal(plan_parse_device(&fx->m, "nvme0", &pd[1], err,
					   sizeof(err)),
			 0);
	plan_set_devices(&fx->m, in, pd, 2);
	assert_int_equal(in->ndevs, 2);
	assert_int_equal(in->devs[0].kind, MK_REF_DEVREF);
	assert_int_equal(fx->m.devrefs[in->devs[0].index].vf, 2);
	assert_int_equal(in->devs[1].kind, MK_REF_DEVICE);
	assert_int_equal(fx->m.ndevrefs, refs + 1);
	/* the same VF again reuses its reference */
	plan_set_devices(&fx->m, in, pd, 1);
	assert_int_equal(fx->m.ndevrefs, refs + 1);
	assert_int_equal(in->ndevs, 1);
	free(pd[0].name);
	free(pd[1].name);
}

static void test_restore_items(void **state)
{
	uint64_t wp[] = {8, 10}, np[] = {8, 12, 14};
	struct plan_range wr[] = {{0x40000000, 0x40000000}};
	struct plan_range nr[] = {{0x40000000, 0x20000000},
				  {0x70000000, 0x20000000}};
	char p1[] = "0000:01:02.1", p2[] = "0000:01:02.2";
	char *wpci[] = {p1};
	char *npci[] = {p2};
	struct plan_snap want = {wp, 2, wr, 1, wpci, 1};
	struct plan_snap now = {np, 3, nr, 2, npci, 1};
	struct mk2_item *it;
	size_t n;

	(void)state;
	plan_restore_items(&want, &now, &it, &n);
	/* memory: give back 0x80000000+256M, add 0x60000000+256M */
	assert_int_equal(n, 7);
	assert_int_equal(it[0].op, MK2_MEM_REMOVE);
	assert_int_equal(it[0].a, 0x80000000);
	assert_int_equal(it[0].b, 0x10000000);
	assert_int_equal(it[1].op, MK2_MEM_ADD);
	assert_int_equal(it[1].a, 0x60000000);
	assert_int_equal(it[1].b, 0x10000000);
	assert_int_equal(it[2].op, MK2_CPU_REMOVE);
	assert_int_equal(it[2].a, 12);
	assert_int_equal(it[3].op, MK2_CPU_REMOVE);
	assert_int_equal(it[3].a, 14);
	assert_int_equal(it[4].op, MK2_CPU_ADD);
	assert_int_equal(it[4].a, 10);
	assert_int_equal(it[5].op, MK2_DEV_REMOVE);
	assert_string_equal(it[5].pci.pci_id, "0000:01:02.2");
	assert_int_equal(it[6].op, MK2_DEV_ADD);
	assert_string_equal(it[6].pci.pci_id, "0000:01:02.1");
	free(it);
	/* identical: nothing */
	plan_restore_items(&want, &want, &it, &n);
	assert_int_equal(n, 0);
	free(it);
}

static void test_steps_order(void **state)
{
	char g1[] = "g1", c1[] = "c1", d1[] = "d1", s1[] = "s1";
	char c2[] = "c2", d2[] = "d2";
	struct plan_step s[] = {
		{.kind = PLAN_GROW, .name = g1},
		{.kind = PLAN_CREATE, .name = c1},
		{.kind = PLAN_DELETE, .name = d1},
		{.kind = PLAN_SHRINK, .name = s1},
		{.kind = PLAN_CREATE, .name = c2},
		{.kind = PLAN_DELETE, .name = d2},
	};
	const char *want[] = {"d1", "d2", "s1", "c1", "c2", "g1"};
	size_t i;

	(void)state;
	plan_steps_sort(s, ARRAY_SIZE(s));
	for (i = 0; i < ARRAY_SIZE(s); i++)
		assert_string_equal(s[i].name, want[i]);
}

static void test_update_summary(void **state)
{
	struct plan_update u;
	struct cpuset_error ce;
	char *s;

	(void)state;
	plan_update_init(&u);
	assert_int_equal(cpuset_parse(&u.old_cpus, "4-7", &ce), 0);
	assert_int_equal(cpuset_parse(&u.new_cpus, "4-9", &ce), 0);
	u.old_mem = 2ull << 30;
	u.new_mem = 3ull << 30;
	u.old_devs = xstrdup("none");
	u.new_devs = xstrdup("none");
	s = plan_update_summary(&u, "->");
	assert_string_equal(s, "CPUs 4-7 -> 4-9, memory 2 GiB -> 3 GiB");
	free(s);
	free(u.new_devs);
	u.new_devs = xstrdup("eth0_vf1");
	u.new_mem = u.old_mem;
	cpuset_copy(&u.new_cpus, &u.old_cpus);
	s = plan_update_summary(&u, "->");
	assert_string_equal(s, "devices none -> eth0_vf1");
	free(s);
	plan_update_free(&u);
}

#define GIB (1ull << 30)

static void test_pool_diff_grow(void **state)
{
	struct cpuset want, have;
	struct cpuset_error ce;
	struct mk2_chunk req[] = {{0, 7 * GIB, 0}, {0, 8 * GIB, 1}};
	struct plan_pool_chunk ch[] = {
		{0x700000000ull, 6 * GIB, 0, NULL},
		{0xe80000000ull, 8 * GIB, 1, "web"},
	};
	struct plan_pool_fn wf[] = {{"eth0_vf0", "0000:01:02.0"},
				    {"eth0_vf1", "0000:01:02.1"}};
	struct plan_pool_fn hf[] = {{"eth0_vf1", "0000:01:02.1"},
				    {"eth0_vf7", "0000:01:02.7"}};
	struct plan_pool_in in = {0};
	struct plan_pool p;
	char err[1024] = "", *l;

	(void)state;
	cpuset_init(&want);
	cpuset_init(&have);
	assert_int_equal(cpuset_parse(&want, "2-27", &ce), 0);
	assert_int_equal(cpuset_parse(&have, "4-31", &ce), 0);
	in.want_cpus = &want;
	in.have_cpus = &have;
	in.want_mem = req;
	in.nwant_mem = ARRAY_SIZE(req);
	in.chunks = ch;
	in.nchunks = ARRAY_SIZE(ch);
	in.want_fn = wf;
	in.nwant_fn = ARRAY_SIZE(wf);
	in.have_fn = hf;
	in.nhave_fn = ARRAY_SIZE(hf);
	assert_int_equal(plan_pool_diff(&in, &p, err, sizeof(err)), 0);
	l = cpuset_format(&p.cpu_add);
	assert_string_equal(l, "2-3");
	free(l);
	l = cpuset_format(&p.cpu_rm);
	assert_string_equal(l, "28-31");
	free(l);
	/* node 0 grows by 1 GiB; node 1 is as wanted (in use or not) */
	assert_int_equal(p.nmem_add, 1);
	assert_int_equal(p.mem_add[0].size, GIB);
	assert_int_equal(p.mem_add[0].numa, 0);
	assert_int_equal(p.nmem_rm, 0);
	assert_int_equal(p.nfn_add, 1);
	assert_string_equal(p.fn_add[0].name, "eth0_vf0");
	assert_int_equal(p.nfn_rm, 1);
	assert_string_equal(p.fn_rm[0].bdf, "0000:01:02.7");
	assert_false(plan_pool_empty(&p));
	plan_pool_free(&p);
	/* identical: nothing */
	in.want_cpus = &have;
	req[0].size = 6 * GIB;
	in.have_fn = wf;
	in.nhave_fn = ARRAY_SIZE(wf);
	assert_int_equal(plan_pool_diff(&in, &p, err, sizeof(err)), 0);
	assert_true(plan_pool_empty(&p));
	plan_pool_free(&p);
	cpuset_free(&want);
	cpuset_free(&have);
}

static void test_pool_diff_shrink(void **state)
{
	struct cpuset cpus;
	struct cpuset_error ce;
	/* node 0: 6 GiB used, 1 GiB and 2 GiB free; node 1: 8 GiB free */
	struct mk2_chunk req[] = {{0, 7 * GIB, 0}, {0, 8 * GIB, 1}};
	struct plan_pool_chunk ch[] = {
		{0x600000000ull, GIB, 0, NULL},
		{0x640000000ull, 2 * GIB, 0, NULL},
		{0x700000000ull, 6 * GIB, 0, "web"},
		{0xe80000000ull, 8 * GIB, 1, NULL},
	};
	struct plan_pool_in in = {0};
	struct plan_pool p;
	char err[2048] = "";

	(void)state;
	cpuset_init(&cpus);
	assert_int_equal(cpuset_parse(&cpus, "4-31", &ce), 0);
	in.want_cpus = &cpus;
	in.have_cpus = &cpus;
	in.want_mem = req;
	in.nwant_mem = ARRAY_SIZE(req);
	in.chunks = ch;
	in.nchunks = ARRAY_SIZE(ch);
	/* 9 -> 7 GiB on node 0: exactly the free 2 GiB chunk */
	assert_int_equal(plan_pool_diff(&in, &p, err, sizeof(err)), 0);
	assert_int_equal(p.nmem_rm, 1);
	assert_int_equal(p.mem_rm[0].base, 0x640000000ull);
	assert_int_equal(p.mem_rm[0].size, 2 * GIB);
	assert_int_equal(p.mem_rm[0].numa, 0);
	assert_int_equal(p.nmem_add, 0);
	plan_pool_free(&p);
	/* 9 -> 6 GiB: both free chunks */
	req[0].size = 6 * GIB;
	assert_int_equal(plan_pool_diff(&in, &p, err, sizeof(err)), 0);
	assert_int_equal(p.nmem_rm, 2);
	plan_pool_free(&p);
	/* 9 -> 7.5 GiB: part of a chunk; refused with what would work */
	req[0].size = 7 * GIB + GIB / 2;
	assert_int_equal(plan_pool_diff(&in, &p, err, sizeof(err)), -EBUSY);
	assert_non_null(strstr(err, "cannot shrink the memory pool on node 0 "
				    "from 9 GiB to 7.5 GiB"));
	assert_non_null(strstr(err, "used by instance 'web'"));
	assert_non_null(strstr(err, "0x600000000-0x63fffffff (1 GiB, node 0) "
				    "free"));
	assert_non_null(strstr(err, "What would work: a pool of 8 GiB or "
				    "7 GiB on node 0"));
	plan_pool_free(&p);
	/* 9 -> 2 GiB: needs web's chunk */
	req[0].size = 2 * GIB;
	assert_int_equal(plan_pool_diff(&in, &p, err, sizeof(err)), -EBUSY);
	assert_non_null(strstr(err, "a pool of 6 GiB on node 0"));
	plan_pool_free(&p);
	/* a node the file no longer asks for loses its (free) chunks */
	req[0].size = 9 * GIB;
	in.nwant_mem = 1;
	assert_int_equal(plan_pool_diff(&in, &p, err, sizeof(err)), 0);
	assert_int_equal(p.nmem_rm, 1);
	assert_int_equal(p.mem_rm[0].numa, 1);
	plan_pool_free(&p);
	cpuset_free(&cpus);
}

static void test_pool_diff_no_topology(void **state)
{
	struct cpuset cpus;
	struct cpuset_error ce;
	struct mk2_chunk req[] = {{0, 3 * GIB, -1}};
	struct plan_pool_chunk ch[] = {
		{0x40000000ull, 2 * GIB, 0, NULL},
		{0xc0000000ull, 2 * GIB, 1, NULL},
	};
	struct plan_pool_in in = {0};
	struct plan_pool p;
	char err[1024] = "";

	(void)state;
	cpuset_init(&cpus);
	assert_int_equal(cpuset_parse(&cpus, "2-3", &ce), 0);
	in.want_cpus = &cpus;
	in.have_cpus = &cpus;
	in.want_mem = req;
	in.nwant_mem = 1;
	in.chunks = ch;
	in.nchunks = 2;
	/* one amount over every node: 4 GiB -> 3 GiB is no whole chunk */
	assert_int_equal(plan_pool_diff(&in, &p, err, sizeof(err)), -EBUSY);
	assert_non_null(strstr(err, "cannot shrink the memory pool from "
				    "4 GiB to 3 GiB"));
	plan_pool_free(&p);
	req[0].size = 5 * GIB;
	assert_int_equal(plan_pool_diff(&in, &p, err, sizeof(err)), 0);
	assert_int_equal(p.nmem_add, 1);
	assert_int_equal(p.mem_add[0].size, GIB);
	assert_int_equal(p.mem_add[0].numa, -1);
	plan_pool_free(&p);
	req[0].size = 2 * GIB;
	assert_int_equal(plan_pool_diff(&in, &p, err, sizeof(err)), 0);
	assert_int_equal(p.nmem_rm, 1);
	/* the higher chunk goes first */
	assert_int_equal(p.mem_rm[0].base, 0xc0000000ull);
	plan_pool_free(&p);
	cpuset_free(&cpus);
}

static void test_pool_steps_order(void **state)
{
	char g[] = "g", pg[] = "pool+", ps[] = "pool-", d[] = "d";
	struct plan_step s[] = {
		{.kind = PLAN_POOL_SHRINK, .name = ps},
		{.kind = PLAN_GROW, .name = g},
		{.kind = PLAN_DELETE, .name = d},
		{.kind = PLAN_POOL_GROW, .name = pg},
	};
	const char *want[] = {"pool+", "d", "g", "pool-"};
	size_t i;

	(void)state;
	plan_steps_sort(s, ARRAY_SIZE(s));
	for (i = 0; i < ARRAY_SIZE(s); i++)
		assert_string_equal(s[i].name, want[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_compact_whole_cores_one_node, setup_topo,
			teardown),
		cmocka_unit_test_setup_teardown(test_spread_alternates_nodes,
						setup_topo, teardown),
		cmocka_unit_test_setup_teardown(test_local_follows_nodes,
						setup_topo, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_errors, setup_topo,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_topology, setup_flat,
						teardown),
		cmocka_unit_test_setup_teardown(test_free_cpus_and_ids,
						setup_topo, teardown),
		cmocka_unit_test_setup_teardown(test_memory_base, setup_topo,
						teardown),
		cmocka_unit_test(test_mem_delta_shrink),
		cmocka_unit_test(test_mem_delta_grow),
		cmocka_unit_test_setup_teardown(test_parse_device, setup_topo,
						teardown),
		cmocka_unit_test_setup_teardown(test_set_devices, setup_topo,
						teardown),
		cmocka_unit_test(test_restore_items),
		cmocka_unit_test(test_steps_order),
		cmocka_unit_test(test_update_summary),
		cmocka_unit_test(test_pool_diff_grow),
		cmocka_unit_test(test_pool_diff_shrink),
		cmocka_unit_test(test_pool_diff_no_topology),
		cmocka_unit_test(test_pool_steps_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
