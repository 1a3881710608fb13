// SPDX-License-Identifier: GPL-2.0-or-later
/* The model decoders: every input form, DTBs of them, schema findings. */
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
#include "model/model.h"

static const char seed_dts[] =
	"/multikernel-v1/;\n"
	"/ {\n"
	"\tresources {\n"
	"\t\tcpus {\n"
	"\t\t\ttotal = <8>;\n"
	"\t\t\thost-reserved = <0 1>;\n"
	"\t\t\tavailable = <2 3 4 5 6 7>;\n"
	"\t\t\tphysical-ids = /bits/ 64 <0 2 4 6 8 10 12 14>;\n"
	"\t\t\tcores { core@0 { cpus = <0 1>; }; core@1 { cpus = <2 3>; }; };\n"
	"\t\t};\n"
	"\t\tmemory {\n"
	"\t\t\ttotal-bytes = <0x0 0x400000000>;\n"
	"\t\t\thost-reserved-bytes = <0x0 0x40000000>;\n"
	"\t\t\tmemory-pool-base = <0x40000000>;\n"
	"\t\t\tmemory-pool-bytes = <0x1 0x0>;\n"
	"\t\t};\n"
	"\t\tdevices {\n"
	"\t\t\teth0: ethernet@0 { pci-id = \"0000:01:00.0\"; sriov-vfs = <4>;\n"
	"\t\t\t\thost-reserved-vf = <0>; available-vfs = <1 2 3>; };\n"
	"\t\t\tnvme0: storage@0 { pci-id = \"0000:02:00.0\"; namespaces = "
	"<2>;\n"
	"\t\t\t\tavailable-ns = <1 2>; };\n"
	"\t\t};\n"
	"\t\ttopology { numa-nodes { node@0 { node-id = <0>;\n"
	"\t\t\tmemory-base = <0x0 0x0>; memory-size = <0x4 0x0>;\n"
	"\t\t\tcpus = <0 1 2 3 4 5 6 7>; }; }; };\n"
	"\t};\n"
	"\tinstances {\n"
	"\t\tweb { id = <1>; resources { cpus = <2 3>;\n"
	"\t\t\tmemory-base = <0x0 0x40000000>; memory-bytes = <0x0 "
	"0x10000000>;\n"
	"\t\t\tdevices = <&eth0_vf1>, <&nvme0>, <&nosuch>;\n"
	"\t\t\tnuma-nodes = <0>; cpu-affinity = \"compact\"; }; };\n"
	"\t};\n"
	"\teth0_vf1: ethernet-vf@1 { parent = <&eth0>; vf-id = <1>; };\n"
	"};\n";

static char *tmpfile_with(const char *text, size_t len)
{
	char *path = xstrdup("/tmp/kerf-model-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(write_file(path, text, len), 0);
	return path;
}

struct loaded {
	struct dt_tree *t;
	struct mk_model m;
	struct findings f;
	struct diags d;
};

static int load(struct loaded *l, const char *text, size_t len)
{
	char *path = tmpfile_with(text, len);
	int ret;

	mk_model_init(&l->m);
	findings_init(&l->f);
	diags_init(&l->d);
	l->t = NULL;
	ret = mk_load(path, NULL, NULL, &l->t, &l->m, &l->d);
	unlink(path);
	free(path);
	if (ret == 0)
		ret = mk_decode(l->t, &l->m, &l->f);
	return ret;
}

static void unload(struct loaded *l)
{
	mk_model_free(&l->m);
	findings_free(&l->f);
	diags_free(&l->d);
	dt_tree_free(l->t);
}

static bool has_finding(const struct findings *f, const char *check)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].check, check))
			return true;
	return false;
}

static void check_seed_model(const struct mk_model *m, bool positions)
{
	const struct mk_instance *in;

	assert_int_equal(m->form, MK_FORM_SEED);
	assert_int_equal(m->cpus.total, 8);
	assert_int_equal(cpuset_count(&m->cpus.host_reserved), 2);
	assert_int_equal(cpuset_count(&m->cpus.available), 6);
	assert_int_equal(m->cpus.nphys, 8);
	assert_int_equal(m->cpus.phys[3], 6);
	assert_int_equal(m->cpus.ncores, 2);
	assert_int_equal(m->mem.total, 0x400000000ull);
	assert_int_equal(m->mem.npool, 1);
	assert_int_equal(m->mem.pool[0].base, 0x40000000);
	assert_int_equal(m->mem.pool[0].size, 0x100000000ull);
	assert_int_equal(m->ndevices, 2);
	assert_int_equal(m->devices[0].kind, MK_DEV_SRIOV);
	assert_int_equal(m->devices[0].nvfs, 4);
	assert_int_equal(m->devices[1].kind, MK_DEV_NVME);
	assert_int_equal(m->topo.nnodes, 1);
	assert_int_equal(m->topo.nodes[0].mem_size, 0x400000000ull);
	assert_int_equal(m->ndevrefs, 1);
	assert_int_equal(m->devrefs[0].parent, 0);
	assert_true(m->devrefs[0].has_vf);
	assert_int_equal(m->ninstances, 1);
	in = &m->instances[0];
	assert_string_equal(in->name, "web");
	assert_int_equal(in->id, 1);
	assert_int_equal(in->mem_base, 0x40000000);
	assert_int_equal(in->mem_size, 0x10000000);
	assert_string_equal(in->affinity, "compact");
	assert_int_equal(in->ndevs, positions ? 3 : 2);
	assert_int_equal(in->devs[0].kind, MK_REF_DEVREF);
	assert_int_equal(in->devs[1].kind, MK_REF_DEVICE);
	if (positions) {
		assert_string_equal(m->devices[0].name, "eth0");
		assert_int_equal(in->devs[2].kind, MK_REF_DANGLING);
		assert_string_equal(in->devs[2].name, "nosuch");
		assert_int_equal(in->cpus_at.pos.line, 28);
		assert_int_equal(m->cpus.total_at.pos.line, 5);
		assert_int_equal(in->devs[2].at.pos.line, 30);
	}
}

static void test_seed_form(void **state)
{
	struct loaded l;

	assert_int_equal(load(&l, seed_dts, strlen(seed_dts)), 0);
	check_seed_model(&l.m, true);
	/* the seeds' <0x0 0x400000000> is accepted with a warning */
	assert_int_equal(l.d.errors, 0);
	assert_true(l.d.warnings >= 1);
	assert_int_equal(l.m.ndangling, 1);
	assert_true(l.m.dangling[0].claimed);
	unload(&l);
}

static void test_seed_dtb(void **state)
{
	struct loaded l, b;
	void *blob;
	size_t len;
	char *fixed = xstrdup(seed_dts), *p = strstr(fixed, ", <&nosuch>");

	memmove(p, p + 11, strlen(p + 11) + 1);
	assert_int_equal(load(&l, fixed, strlen(fixed)), 0);
	assert_int_equal(dtb_write(l.t, &blob, &len, &l.d), 0);
	assert_int_equal(load(&b, blob, len), 0);
	check_seed_model(&b.m, false);
	/* without labels in the blob, devices are named by node */
	assert_string_equal(b.m.devices[0].name, "ethernet@0");
	free(blob);
	free(fixed);
	unload(&l);
	unload(&b);
}

static void test_flat_form(void **state)
{
	static const char u32[] =
		"/dts-v1/;\n/ { resources { cpus = <4 5 6 7>;\n"
		"memory-base = <0x0 0x80000000>; memory-bytes = <0x0 "
		"0x40000000>;\n"
		"devices { nic { device-type = \"pci\"; pci-id = "
		"\"0000:01:00.0\";"
		" vendor-id = <0x8086>; device-id = <0x1572>; }; }; }; };\n";
	static const char u64[] =
		"/dts-v1/;\n/ { resources { cpus = /bits/ 64 <4 5 6 7>;\n"
		"memory-base = /bits/ 64 <0x80000000>; memory-bytes = /bits/ "
		"64 <0x40000000>; }; };\n";
	struct loaded l;

	assert_int_equal(load(&l, u32, strlen(u32)), 0);
	assert_int_equal(l.m.form, MK_FORM_FLAT);
	assert_true(l.m.cpus.ids_physical);
	assert_int_equal(cpuset_count(&l.m.cpus.available), 4);
	assert_int_equal(l.m.cpus.total, 8);
	assert_int_equal(l.m.mem.pool[0].base, 0x80000000);
	assert_int_equal(l.m.mem.pool_bytes, 0x40000000);
	assert_int_equal(l.m.ndevices, 1);
	assert_true(l.m.devices[0].has_vendor);
	unload(&l);
	assert_int_equal(load(&l, u64, strlen(u64)), 0);
	assert_int_equal(l.m.form, MK_FORM_FLAT);
	assert_int_equal(cpuset_count(&l.m.cpus.available), 4);
	assert_true(cpuset_has(&l.m.cpus.available, 7));
	unload(&l);
}

static void test_kernel_forms(void **state)
{
	static const char req[] =
		"/dts-v1/;\n/ { resources { cpus = /bits/ 64 <2 3>;\n"
		"memory@0 { size = /bits/ 64 <0x20000000>; numa-node-id = <0>; "
		"};\n"
		"memory@1 { size = /bits/ 64 <0x10000000>; }; }; };\n";
	static const char pool[] =
		"/dts-v1/;\n/ { compatible = \"multikernel-v1\"; resources {\n"
		"cpus = /bits/ 64 <2 3 4>; cpus-available = /bits/ 64 <3 4>;\n"
		"memory@100000000 { device_type = \"memory\";\n"
		"  reg = /bits/ 64 <0x100000000 0x40000000>; numa-node-id = "
		"<1>; }; }; };\n";
	struct loaded l;

	assert_int_equal(load(&l, req, strlen(req)), 0);
	assert_int_equal(l.m.form, MK_FORM_KERNEL);
	assert_int_equal(l.m.mem.npool, 2);
	assert_int_equal(l.m.mem.pool_bytes, 0x30000000);
	assert_int_equal(l.m.mem.pool[0].numa, 0);
	assert_int_equal(l.m.mem.pool[1].numa, -1);
	assert_false(l.m.mem.pool[0].has_base);
	assert_int_equal(cpuset_count(&l.m.cpus.available), 2);
	unload(&l);
	assert_int_equal(load(&l, pool, strlen(pool)), 0);
	assert_int_equal(l.m.form, MK_FORM_POOL);
	assert_int_equal(l.m.mem.npool, 1);
	assert_true(l.m.mem.pool[0].has_base);
	assert_int_equal(l.m.mem.pool[0].base, 0x100000000ull);
	assert_true(l.m.cpus.has_pool_free);
	assert_int_equal(cpuset_count(&l.m.cpus.pool_free), 2);
	unload(&l);
}

static void test_schema_findings(void **state)
{
	static const char bad[] =
		"/multikernel-v1/;\n/ { resources {\n"
		"\tcpus { host-reserved = <0>; available = <1 2>; };\n"
		"\tmemory { total-bytes = <0x1 0x0 0x0>; memory-pool-base = "
		"<0x1000>;\n"
		"\t\tmemory-pool-bytes = <0x1000>; };\n}; };\n";
	struct loaded l;
	size_t i;
	bool total = false, len = false;

	assert_int_equal(load(&l, bad, strlen(bad)), 0);
	for (i = 0; i < l.f.n; i++) {
		const struct finding *x = &l.f.v[i];

		if (strstr(x->message, "total") &&
		    !strcmp(x->check, "inventory-cpus")) {
			total = true;
			assert_int_equal(x->nlocs, 1);
			assert_int_equal(x->locs[0].line, 3);
		}
		if (strstr(x->message, "12 bytes")) {
			len = true;
			assert_string_equal(x->check, "inventory-memory");
			assert_int_equal(x->locs[0].line, 4);
		}
	}
	assert_true(total);
	assert_true(len);
	unload(&l);
}

static void test_not_multikernel(void **state)
{
	static const char plain[] = "/dts-v1/;\n/ { model = \"x\"; };\n";
	struct loaded l;

	assert_int_equal(load(&l, plain, strlen(plain)), -EINVAL);
	assert_int_equal(mk_detect(l.t), MK_FORM_NONE);
	unload(&l);
}

/* The §1.1 policy, on a tree built by hand. */
static void test_overflow_policy(void **state)
{
	struct dt_tree *t = dt_tree_new();
	struct dt_node *res = dt_node_new("resources", 9);
	struct dt_node *mem = dt_node_new("memory", 6);
	struct dt_property *p = dt_prop_new("total-bytes");
	struct dt_property *q = dt_prop_new("other");
	struct dt_marker mk = {
		.kind = DT_MARK_OVERFLOW, .offset = 4, .width = 32};

	t->root = dt_node_new("", 0);
	dt_node_add_child(t->root, res);
	dt_node_add_child(res, mem);
	dt_value_append_cell(&p->val, 0, 32);
	dt_value_append_cell(&p->val, 0, 32);
	dt_node_add_prop(mem, p);
	dt_value_append_cell(&q->val, 0, 32);
	dt_value_append_cell(&q->val, 0, 32);
	dt_node_add_prop(mem, q);
	assert_false(mk_overflow_ok(t, p, &mk, NULL)); /* no header */
	t->header = DT_HDR_MULTIKERNEL;
	assert_true(mk_overflow_ok(t, p, &mk, NULL));
	assert_false(mk_overflow_ok(t, q, &mk, NULL)); /* not a u64 */
	mk.offset = 0;
	assert_false(mk_overflow_ok(t, p, &mk, NULL)); /* <V 0> */
	dt_tree_free(t);
}

static void test_duplicate_instances(void **state)
{
	static const char dup[] =
		"/multikernel-v1/;\n/ { resources { cpus { total = <4>;"
		" host-reserved = <0>; available = <1 2 3>; }; };\n"
		"instances {\n a { resources { cpus = <1>; memory-bytes = "
		"<0x1000>; }; };\n"
		" a { resources { cpus = <2>; memory-bytes = <0x1000>; }; "
		"};\n}; };\n";
	struct loaded l;

	assert_int_equal(load(&l, dup, strlen(dup)), 0);
	assert_int_equal(l.m.ndups, 1);
	assert_int_equal(l.m.dups[0].first.line, 4);
	assert_int_equal(l.m.dups[0].second.line, 5);
	assert_int_equal(l.m.ninstances, 1);
	assert_true(has_finding(&l.f, "inventory-memory"));
	unload(&l);
}

/* Deterministic PRNG so failures reproduce. */
static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * cpuset_add_be32 against adding one value at a time: runs, ascending,
 * descending and random lists, duplicates, a value out of range, sets
 * that already hold members, and windows that must grow either way.
 */
static void test_cpuset_cells(void **state)
{
	static uint8_t cells[4 * 600];
	unsigned int round;

	for (round = 0; round < 400; round++) {
		struct cpuset s, dup, want, want_dup;
		uint32_t base = rnd(4) ? rnd(CPUSET_MAX - 2000) : rnd(200);
		size_t n = rnd(600), i, stop = n, got;

		cpuset_init(&s);
		cpuset_init(&dup);
		cpuset_init(&want);
		cpuset_init(&want_dup);
		if (round % 3 == 0) { /* members already there */
			uint32_t v = base + rnd(2000);

			cpuset_add(&s, v);
			cpuset_add(&want, v);
		}
		for (i = 0; i < n; i++) {
			uint32_t v;

			switch (round % 5) {
			case 0: /* runs with gaps */
				v = base + (uint32_t)i + (uint32_t)(i / 70) * 3;
				break;
			case 1: /* ascending, sparse */
				v = base + (uint32_t)i * 3;
				break;
			case 2: /* descending */
				v = base + 1900 - (uint32_t)i * 3;
				break;
			case 3: /* random, duplicates likely */
				v = base + rnd(300);
				break;
			default: /* runs repeated */
				v = base + (uint32_t)(i % 100);
				break;
			}
			if (round % 7 == 0 && i == n / 2)
				v = CPUSET_MAX + rnd(10); /* out of range */
			put_be32(cells + 4 * i, v);
			if (v >= CPUSET_MAX && stop == n)
				stop = i;
			if (stop < n)
				continue;
			if (cpuset_has(&want, v))
				cpuset_add(&want_dup, v);
			cpuset_add(&want, v);
		}
		got = cpuset_add_be32(&s, round % 2 ? &dup : NULL, cells, n);
		assert_int_equal(got, stop);
		assert_true(cpuset_equal(&s, &want));
		if (round % 2)
			assert_true(cpuset_equal(&dup, &want_dup));
		cpuset_free(&s);
		cpuset_free(&dup);
		cpuset_free(&want);
		cpuset_free(&want_dup);
	}
}

/* Phandles too sparse for a table: the sorted index resolves the same. */
static void test_sparse_phandles(void **state)
{
	static const char dts[] =
		"/multikernel-v1/;\n/ { resources { cpus { total = <4>;"
		" host-reserved = <0>; available = <1 2 3>; };\n"
		"devices { eth0: ethernet@0 { phandle = <0x100000>;"
		" pci-id = \"0000:01:00.0\"; sriov-vfs = <4>;"
		" available-vfs = <1 2 3>; };\n"
		"nvme0: storage@0 { phandle = <0x7000000>;"
		" pci-id = \"0000:02:00.0\"; namespaces = <2>;"
		" available-ns = <1 2>; }; }; };\n"
		"other: other { phandle = <0x5000>; };\n"
		"eth0_vf1: ethernet-vf@1 { phandle = <0x40000>;"
		" parent = <&eth0>; vf-id = <1>; };\n"
		"bad_vf: ethernet-vf@2 { parent = <&other>; vf-id = <2>; };\n"
		"instances { a { resources { cpus = <1>; memory-bytes = "
		"<0x1000>;\n devices = <&eth0_vf1>, <&nvme0>, <&other>; };"
		" }; }; };\n";
	const struct mk_instance *in;
	struct loaded l;

	assert_int_equal(load(&l, dts, strlen(dts)), 0);
	assert_int_equal(l.m.ndevrefs, 2);
	assert_int_equal(l.m.devrefs[0].parent, 0);
	assert_true(l.m.devrefs[1].parent_not_device);
	assert_string_equal(l.m.devrefs[1].parent_ref, "other");
	assert_int_equal(l.m.ninstances, 1);
	in = &l.m.instances[0];
	assert_int_equal(in->ndevs, 3);
	assert_int_equal(in->devs[0].kind, MK_REF_DEVREF);
	assert_int_equal(in->devs[0].index, 0);
	assert_int_equal(in->devs[1].kind, MK_REF_DEVICE);
	assert_int_equal(in->devs[1].index, 1);
	assert_int_equal(in->devs[2].kind, MK_REF_OTHER);
	assert_string_equal(in->devs[2].name, "other");
	assert_int_equal(mk_device_find(&l.m, "nvme0"), 1);
	assert_int_equal(mk_devref_find(&l.m, "bad_vf"), 1);
	assert_int_equal(mk_devref_find(&l.m, "eth0"), -1);
	unload(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_form),
		cmocka_unit_test(test_seed_dtb),
		cmocka_unit_test(test_flat_form),
		cmocka_unit_test(test_kernel_forms),
		cmocka_unit_test(test_schema_findings),
		cmocka_unit_test(test_not_multikernel),
		cmocka_unit_test(test_overflow_policy),
		cmocka_unit_test(test_duplicate_instances),
		cmocka_unit_test(test_cpuset_cells),
		cmocka_unit_test(test_sparse_phandles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
