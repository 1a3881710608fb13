// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every check of the table: an input that trips it (a mutation of a valid
 * system) and one that must not (the valid system itself).
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
#include <sys/stat.h>
#include <unistd.h>

#include "check/pipeline.h"
#include "check/render.h"
#include "kernel/host.h"
#include "kernel/mk2.h"

#include "check_base.inc"

enum { F_BASELINE = 1, F_HOST = 2, F_REPORT = 4, F_HOSTOK = 8 };

struct trip {
	const char *check;
	const char *from1, *to1, *from2, *to2;
	unsigned int flags;
	enum severity sev;
};

static char sysroot_ok[64], sysroot_empty[64];

static char *mutate(const char *s, const char *from, const char *to)
{
	const char *p;
	char *r;

	if (!from)
		return xstrdup(s);
	p = strstr(s, from);
	if (!p)
		fail_msg("mutation '%s' does not apply", from);
	assert_null(strstr(p + 1, from)); /* exactly one place */
	r = xasprintf("%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return r;
}

static int run(const char *text, unsigned int flags, struct vrun *v)
{
	char path[] = "/tmp/kerf-test-XXXXXX";
	int fd = mkstemp(path), st;
	struct check_opts co = {0};
	struct host_info host;
	bool have_host = false;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(write_file(path, text, strlen(text)), 0);
	co.baseline = flags & F_BASELINE;
	co.report = flags & F_REPORT;
	if (flags & F_HOST) {
		assert_int_equal(
			host_read(flags & F_HOSTOK ? sysroot_ok : sysroot_empty,
				  &host),
			0);
		co.host = &host;
		have_host = true;
	}
	st = vrun_load(v, path, NULL, NULL, &co);
	unlink(path);
	if (have_host)
		host_free(&host);
	return st;
}

static size_t count(const struct vrun *v, const char *check, enum severity *sev)
{
	size_t i, n = 0;

	for (i = 0; i < v->f.n; i++)
		if (!strcmp(v->f.v[i].check, check)) {
			n++;
			if (sev)
				*sev = v->f.v[i].sev;
		}
	return n;
}

static void dump(const struct vrun *v)
{
	size_t i;

	for (i = 0; i < v->f.n; i++)
		print_message("  finding %s: %s\n", v->f.v[i].check,
			      v->f.v[i].message);
}

static void test_trip(void **state)
{
	const struct trip *t = *state;
	char *a = mutate(base_dts, t->from1, t->to1);
	char *b = mutate(a, t->from2, t->to2);
	enum severity sev = SEV_NOTE;
	struct vrun v;
	int st;

	/* F_HOST alone trips against an empty sysroot */
	st = run(b, t->flags, &v);
	if (!strcmp(t->check, "syntax")) {
		assert_int_equal(st, VRUN_SYNTAX);
	} else {
		assert_int_equal(st, VRUN_OK);
		if (!count(&v, t->check, &sev))
			dump(&v);
		assert_true(count(&v, t->check, &sev) >= 1);
		assert_int_equal(sev, t->sev);
	}
	vrun_free(&v);
	free(a);
	free(b);
}

/* The valid system trips nothing, whatever the mode. */
static void test_no_trip(void **state)
{
	static const unsigned int modes[] = {0, F_REPORT, F_HOST | F_HOSTOK};
	struct vrun v;
	size_t i, k;

	for (k = 0; k < ARRAY_SIZE(modes); k++) {
		assert_int_equal(run(base_dts, modes[k], &v), VRUN_OK);
		for (i = 0; i < v.f.n; i++) {
			if (v.f.v[i].sev == SEV_NOTE)
				continue;
			dump(&v);
			fail_msg("valid system tripped %s", v.f.v[i].check);
		}
		assert_int_equal(v.f.errors, 0);
		assert_int_equal(v.f.warnings, 0);
		vrun_free(&v);
	}
}

#define E SEV_ERROR
#define W SEV_WARNING
#define I SEV_NOTE

static const struct trip trips[] = {
	{"syntax", "total = <16>;", "total = <16>", NULL, NULL, 0, E},
	{"cell-overflow", "memory-pool-bytes = <0x0 0xc0000000>",
	 "memory-pool-bytes = <0x0 0x1c0000000>", NULL, NULL, 0, W},
	{"schema", "cpu-affinity = \"compact\"", "cpu-affinity = \"tight\"",
	 NULL, NULL, 0, E},
	{"inventory-cpus", "12 13 14 15>;\n\t\t\tcores",
	 "12 13 14 15 16>;\n\t\t\tcores", NULL, NULL, 0, E},
	{"inventory-cpu0", "host-reserved = <0 1>", "host-reserved = <1>", NULL,
	 NULL, 0, E},
	{"inventory-unlisted-cpu", "12 13 14 15>;\n\t\t\tcores",
	 "12 13 14>;\n\t\t\tcores", NULL, NULL, 0, W},
	{"inventory-memory", "memory-pool-bytes = <0x0 0xc0000000>",
	 "memory-pool-bytes = <0x0 0xc0000800>", NULL, NULL, 0, E},
	{"inventory-devices", "pci-id = \"0000:01:00.0\"",
	 "pci-id = \"01:00.0\"", NULL, NULL, 0, E},
	{"inventory-topology", "node-id = <1>", "node-id = <0>", NULL, NULL, 0,
	 E},
	{"inventory-topology-coverage", "cpus = <8 9 10 11 12 13 14 15>",
	 "cpus = <8 9 10 11 12 13 14>", NULL, NULL, 0, W},
	{"baseline-no-instances", NULL, NULL, NULL, NULL, F_BASELINE, E},
	{"cpu-exists", "resources { cpus = <2 3>;",
	 "resources { cpus = <2 3 20>;", NULL, NULL, 0, E},
	{"cpu-host-reserved", "resources { cpus = <2 3>;",
	 "resources { cpus = <1 2 3>;", NULL, NULL, 0, E},
	{"cpu-not-available", "12 13 14 15>;\n\t\t\tcores",
	 "12 13 14>;\n\t\t\tcores", "cpus = <4 5 12 13>", "cpus = <4 5 12 15>",
	 0, E},
	{"cpu-overlap", "cpus = <4 5 12 13>", "cpus = <3 4 5 12>", NULL, NULL,
	 0, E},
	{"cpu-over-allocation", "cpus = <4 5 12 13>",
	 "cpus = <2 3 4 5 6 7 8 9 10 12 13 14 15>", NULL, NULL, 0, E},
	{"cpu-empty", "resources { cpus = <2 3>;", "resources { cpus = <>;",
	 NULL, NULL, 0, E},
	{"smt-split", "resources { cpus = <2 3>;", "resources { cpus = <2>;",
	 "cpus = <4 5 12 13>", "cpus = <3 4 12 13>", 0, W},
	{"mem-outside-pool", "memory-base = <0x0 0x80000000>; memory-bytes",
	 "memory-base = <0x1 0x0>; memory-bytes", NULL, NULL, 0, E},
	{"mem-overlap", "memory-base = <0x0 0x80000000>; memory-bytes",
	 "memory-base = <0x0 0x50000000>; memory-bytes", NULL, NULL, 0, E},
	{"mem-over-allocation",
	 "memory-bytes = <0x0 0x20000000>; devices = <&gpu0>",
	 "memory-bytes = <0x0 0xa0000000>; devices = <&gpu0>", NULL, NULL, 0,
	 E},
	{"mem-size", "memory-bytes = <0x0 0x20000000>; devices = <&gpu0>",
	 "memory-bytes = <0x0 0x20000001>; devices = <&gpu0>", NULL, NULL, 0,
	 E},
	{"mem-alignment", "memory-base = <0x0 0x40000000>",
	 "memory-base = <0x0 0x40000001>", NULL, NULL, 0, W},
	{"dev-unknown", "<&gpu0>", "<&gpu1>", NULL, NULL, 0, E},
	{"dev-reference", "vf-id = <1>", "namespace-id = <1>", NULL, NULL, 0,
	 E},
	{"dev-vf-range", "vf-id = <1>", "vf-id = <9>", NULL, NULL, 0, E},
	{"dev-ns-range", "namespace-id = <2>", "namespace-id = <1>", NULL, NULL,
	 0, E},
	{"dev-shared", "<&nvme0_ns2>, <&eth0_vf2>", "<&nvme0_ns2>, <&eth0_vf1>",
	 NULL, NULL, 0, E},
	{"instance-name", "ai {", "ai@1 {", NULL, NULL, 0, E},
	{"instance-id", "{ id = <2>;", "{ id = <1>;", NULL, NULL, 0, E},
	{"phandle-dangling", "devices = <&eth0_vf1>", "devices = <&eth0_vf3>",
	 NULL, NULL, 0, E},
	{"numa-node-unknown", "numa-nodes = <0>", "numa-nodes = <5>", NULL,
	 NULL, 0, E},
	{"numa-cpu-mismatch", "numa-nodes = <0>", "numa-nodes = <1>", NULL,
	 NULL, 0, W},
	{"affinity-compact", "resources { cpus = <2 3>;",
	 "resources { cpus = <2 6>;", NULL, NULL, 0, W},
	{"affinity-spread", "cpus = <4 5 12 13>", "cpus = <4 5 6 7>", NULL,
	 NULL, 0, W},
	{"affinity-local", "cpus = <8 9 10 11>", "cpus = <6 7 14 15>", NULL,
	 NULL, 0, W},
	{"policy-local", "memory-base = <0x0 0x40000000>",
	 "memory-base = <0x0 0xd0000000>", NULL, NULL, 0, W},
	{"policy-bind", "numa-nodes = <1>;", "", NULL, NULL, 0, W},
	{"host-cpus", NULL, NULL, NULL, NULL, F_HOST, E},
	{"host-memory", NULL, NULL, NULL, NULL, F_HOST, E},
	{"host-devices", NULL, NULL, NULL, NULL, F_HOST, E},
	{"utilization", NULL, NULL, NULL, NULL, F_REPORT, I},
};

/* policy-bind's error form: bind to a node that does not exist */
static void test_policy_bind_error(void **state)
{
	char *s = mutate(base_dts, "numa-nodes = <1>;", "numa-nodes = <7>;");
	enum severity sev = SEV_NOTE;
	struct vrun v;

	assert_int_equal(run(s, 0, &v), VRUN_OK);
	assert_int_equal(count(&v, "policy-bind", &sev), 1);
	assert_int_equal(sev, SEV_ERROR);
	assert_int_equal(count(&v, "numa-node-unknown", NULL), 1);
	vrun_free(&v);
	free(s);
}

/* Two definitions of one instance: both locations, never merged. */
static void test_duplicate_instance(void **state)
{
	char *s = mutate(
		base_dts, "\t\tai { id = <3>;",
		"\t\tweb { id = <4>; resources { cpus = <6>; memory-bytes = "
		"<0x0 0x1000>; }; };\n\t\tai { id = <3>;");
	struct vrun v;
	size_t i;

	assert_int_equal(run(s, 0, &v), VRUN_OK);
	assert_int_equal(count(&v, "instance-name", NULL), 1);
	for (i = 0; i < v.f.n; i++)
		if (!strcmp(v.f.v[i].check, "instance-name"))
			assert_int_equal(v.f.v[i].nlocs, 2);
	vrun_free(&v);
	free(s);
}

/* A conflict is reported once, by the later instance, with both lines. */
static void test_overlap_once(void **state)
{
	char *s = mutate(base_dts, "cpus = <4 5 12 13>", "cpus = <2 3 12 13>");
	struct vrun v;
	size_t i;

	assert_int_equal(run(s, 0, &v), VRUN_OK);
	assert_int_equal(count(&v, "cpu-overlap", NULL), 1);
	for (i = 0; i < v.f.n; i++) {
		const struct finding *x = &v.f.v[i];

		if (strcmp(x->check, "cpu-overlap"))
			continue;
		assert_string_equal(x->subject, "ai");
		assert_string_equal(x->details[2], "Overlapping CPUs: 2-3");
		assert_non_null(x->suggestion);
		assert_string_equal(x->suggestion, "Change ai to use CPUs 4-7");
		assert_int_equal(x->nlocs, 2);
	}
	vrun_free(&v);
	free(s);
}

/* -W no-NAME silences warnings only, and recounts. */
static void test_suppress(void **state)
{
	char *s = mutate(base_dts, "memory-base = <0x0 0x40000000>",
			 "memory-base = <0x0 0x40000001>");
	const char *names[] = {"mem-alignment"};
	struct vrun v;

	assert_int_equal(run(s, 0, &v), VRUN_OK);
	assert_int_equal(v.f.warnings, 1);
	check_suppress(&v.f, names, 1);
	assert_int_equal(v.f.warnings, 0);
	assert_true(findings_valid(&v.f, true));
	vrun_free(&v);
	free(s);
}

/* mk2 baseline: physical ids needed; with them, u64 cells and requests */
static int cmp_key_idx(const void *a, const void *b)
{
	const struct key_idx *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The radix sort against qsort by (key, index), keys of every width. */
static void test_sort_key_idx(void **state)
{
	static struct key_idx v[3000], w[3000];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	unsigned int round;

	for (round = 0; round < 40; round++) {
		size_t n = round < 4 ? round : (size_t)(x % 3000), i;
		unsigned int bits = 1 + round % 64;

		for (i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			v[i].key = bits == 64 ? x
					      : x & ((UINT64_C(1) << bits) - 1);
			if (round % 5 == 0)
				v[i].key = i; /* in order already */
			if (round % 5 == 1)
				v[i].key = x & 0xff00000000ULL; /* one byte */
			v[i].idx = i;
		}
		memcpy(w, v, n * sizeof(*v));
		if (n)
			qsort(w, n, sizeof(*w), cmp_key_idx);
		sort_key_idx(v, n);
		for (i = 0; i < n; i++) {
			assert_int_equal(v[i].key, w[i].key);
			assert_int_equal(v[i].idx, w[i].idx);
		}
	}
}

static void test_mk2_baseline(void **state)
{
	char *s = mutate(base_dts, "\t\t\tcores {",
			 "\t\t\tphysical-ids = /bits/ 64 <0 2 4 6 8 10 12 14 "
			 "16 18 20 22 24 26 28 30>;\n\t\t\tcores {");
	struct dt_tree *k = NULL;
	struct findings f;
	struct host_info host;
	struct vrun v;
	const struct dt_node *res;
	const struct dt_property *p;

	/* without physical ids: an error naming them */
	assert_int_equal(run(base_dts, 0, &v), VRUN_OK);
	findings_init(&f);
	assert_int_equal(mk2_baseline_tree(&v.model, NULL, &k, &f), -EINVAL);
	assert_true(f.errors >= 1);
	findings_free(&f);
	vrun_free(&v);

	assert_int_equal(run(s, 0, &v), VRUN_OK);
	assert_int_equal(v.f.errors, 0);
	assert_int_equal(host_read(sysroot_ok, &host), 0);
	findings_init(&f);
	assert_int_equal(mk2_baseline_tree(&v.model, &host, &k, &f), 0);
	assert_int_equal(f.errors, 0);
	res = dt_child(k->root, "resources");
	assert_non_null(res);
	p = dt_prop(res, "cpus");
	assert_non_null(p);
	assert_int_equal(p->val.len, 14 * 8);
	assert_int_equal(dt_cell(p, 1), 4); /* logical 2 -> physical 4 */
	assert_non_null(dt_child(res, "memory@0"));
	assert_non_null(dt_child(res, "memory@1"));
	assert_non_null(dt_path(k, "/resources/devices/eth0_vf1"));
	assert_non_null(dt_path(k, "/resources/devices/gpu0"));
	dt_tree_free(k);
	findings_free(&f);
	host_free(&host);
	vrun_free(&v);
	free(s);
}

static void put(const char *dir, const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", dir, rel), *slash = strrchr(p, '/');
	char *cmd;

	*slash = '\0';
	cmd = xasprintf("mkdir -p '%s'", p);
	assert_int_equal(system(cmd), 0);
	*slash = '/';
	assert_int_equal(write_file(p, text, strlen(text)), 0);
	free(cmd);
	free(p);
}

static int make_sysroots(void **state)
{
	struct strbuf sb;
	int i;
	char *link, *target;

	snprintf(sysroot_ok, sizeof(sysroot_ok), "/tmp/kerf-root-XXXXXX");
	snprintf(sysroot_empty, sizeof(sysroot_empty),
		 "/tmp/kerf-empty-XXXXXX");
	if (!mkdtemp(sysroot_ok) || !mkdtemp(sysroot_empty))
		return -1;
	sb_init(&sb);
	for (i = 0; i < 16; i++)
		sb_addf(&sb, "processor\t: %d\napicid\t\t: %d\n\n", i, 2 * i);
	put(sysroot_ok, "proc/cpuinfo", sb.buf);
	sb_free(&sb);
	put(sysroot_ok, "proc/meminfo", "MemTotal:       16777216 kB\n");
	put(sysroot_ok, "proc/iomem", "00001000-3ffffffff : System RAM\n");
	put(sysroot_ok, "sys/bus/pci/devices/0000:01:00.0/vendor", "0x8086\n");
	put(sysroot_ok, "sys/bus/pci/devices/0000:01:00.0/device", "0x1572\n");
	put(sysroot_ok, "sys/bus/pci/devices/0000:02:00.0/vendor", "0x144d\n");
	put(sysroot_ok, "sys/bus/pci/devices/0000:02:00.0/device", "0xa808\n");
	put(sysroot_ok, "sys/bus/pci/devices/0000:03:00.0/vendor", "0x10de\n");
	put(sysroot_ok, "sys/bus/pci/devices/0000:03:00.0/device", "0x1eb8\n");
	for (i = 0; i < 4; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel),
			 "sys/bus/pci/devices/0000:01:02.%d/vendor", i);
		put(sysroot_ok, rel, "0x8086\n");
		snprintf(rel, sizeof(rel),
			 "sys/bus/pci/devices/0000:01:02.%d/device", i);
		put(sysroot_ok, rel, "0x154c\n");
		link = xasprintf("%s/sys/bus/pci/devices/0000:01:00.0/virtfn%d",
				 sysroot_ok, i);
		target = xasprintf("../0000:01:02.%d", i);
		if (symlink(target, link) < 0)
			return -1;
		free(link);
		free(target);
	}
	return 0;
}

static int remove_sysroots(void **state)
{
	char *cmd = xasprintf("rm -rf '%s' '%s'", sysroot_ok, sysroot_empty);
	int r = system(cmd);

	free(cmd);
	return r ? -1 : 0;
}

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(trips) + 8];
	size_t i, n = 0;
	char(*names)[64] = calloc(ARRAY_SIZE(trips), 64);

	memset(tests, 0, sizeof(tests));
	for (i = 0; i < ARRAY_SIZE(trips); i++) {
		snprintf(names[i], 64, "trip_%s", trips[i].check);
		tests[n].name = names[i];
		tests[n].test_func = test_trip;
		tests[n].initial_state = (void *)(uintptr_t)&trips[i];
		n++;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_no_trip);
	tests[n++] =
		(struct CMUnitTest)cmocka_unit_test(test_policy_bind_error);
	tests[n++] =
		(struct CMUnitTest)cmocka_unit_test(test_duplicate_instance);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_overlap_once);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_suppress);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_mk2_baseline);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_sort_key_idx);
	i = (size_t)_cmocka_run_group_tests("check", tests, n, make_sysroots,
					    remove_sysroots);
	free(names);
	return (int)i;
}
