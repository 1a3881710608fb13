// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gen_system: write a synthetic full-system DTS in the seeds' multikernel
 * schema (schema.md §2) for the compile and validate benchmarks.
 *
 *   gen_system --cpus N --instances M --nics D [--vfs-per-nic V]
 *              [--nvme E] [--numa K] [--cores] [--seed S] [-o FILE]
 *
 * The output is deterministic for given arguments and is a VALID system:
 * CPU 0 and the first CPUs of every NUMA node are host-reserved, every
 * other CPU is available; each instance takes CPUs, memory and devices
 * from one NUMA node, disjoint from every other instance; instance ids are
 * unique in 1..2047 and names unique.  The header is /dts-v1/ and every
 * 64-bit value is written as two cells, so dtc accepts the file as it is.
 * CPUs are listed one per cell, as users write them.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GIB (UINT64_C(1) << 30)
#define MIB (UINT64_C(1) << 20)
#define MAX_ID 2047
#define HOST_BYTES (2 * GIB) /* host-reserved memory, below the pool */

struct params {
	unsigned long cpus, instances, nics, vfs, nvme, ns, numa;
	bool cores;
	uint64_t seed;
	const char *out;
};

struct instance {
	char name[32];
	unsigned int id;
	unsigned int node;
	unsigned long cpu0, ncpus; /* CPUs cpu0 .. cpu0+ncpus-1 */
	uint64_t mem_base, mem_bytes;
	long vf_nic, vf; /* -1: no VF */
	long ns_dev, ns; /* -1: no namespace */
	const char *affinity, *policy;
};

static uint64_t rng_state;

/* splitmix64: small, fast, and the same on every platform */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static unsigned long rnd_below(unsigned long n)
{
	return n ? (unsigned long)(rnd() % n) : 0;
}

static void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("gen_system: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		die("out of memory");
	return p;
}

/* Node k owns CPUs [node_first(k), node_first(k + 1)). */
static unsigned long node_first(const struct params *p, unsigned long k)
{
	return (unsigned long)((uint64_t)p->cpus * k / p->numa);
}

/* Host-reserved CPUs: the first few of every node (CPU 0 included). */
static unsigned long node_reserved(const struct params *p)
{
	unsigned long per = node_first(p, 1);
	unsigned long r = per >= 512 ? 2 : 1;

	/* keep SMT pairs whole so no core is split with the host */
	if (p->cores && r % 2)
		r++;
	return r < per ? r : per - 1;
}

/* A 64-bit value as two portable cells. */
static void put_u64(FILE *f, uint64_t v)
{
	fprintf(f, "<0x%" PRIx64 " 0x%" PRIx64 ">", v >> 32,
		v & UINT64_C(0xffffffff));
}

/*
 * The numbers first..last, one cell each (CPUs are listed as users list
 * them), 16 to a line; continuation lines are indented by indent tabs.
 */
static void put_seq(FILE *f, unsigned long first, unsigned long last,
		    int indent)
{
	unsigned long c;
	int t;

	for (c = first; c <= last; c++) {
		if (c != first && (c - first) % 16 == 0) {
			fputc('\n', f);
			for (t = 0; t < indent; t++)
				fputc('\t', f);
		} else if (c != first) {
			fputc(' ', f);
		}
		fprintf(f, "%lu", c);
	}
}

static const char *const roles[] = {
	"web", "db", "cache", "batch", "edge", "ml", "stream", "api",
};

static const char *const affinities[] = {"compact", "local"};

static void plan(const struct params *p, struct instance *in,
		 uint64_t *node_bytes)
{
	unsigned long k, i, first_inst = 0;
	unsigned int *ids;
	unsigned long vf_slots = p->nics * (p->vfs ? p->vfs - 1 : 0);
	unsigned long ns_slots = p->nvme * (p->ns ? p->ns - 1 : 0);
	unsigned long ns_used = 0;
	uint64_t need_max = 0;

	/* A random M-subset of 1..2047, in random order. */
	ids = xcalloc(MAX_ID, sizeof(*ids));
	for (i = 0; i < MAX_ID; i++)
		ids[i] = (unsigned int)i + 1;
	for (i = 0; i < p->instances; i++) {
		unsigned long j = i + rnd_below(MAX_ID - i);
		unsigned int t = ids[i];

		ids[i] = ids[j];
		ids[j] = t;
	}

	for (k = 0; k < p->numa; k++) {
		unsigned long last_inst = p->instances * (k + 1) / p->numa;
		unsigned long cpu = node_first(p, k) + node_reserved(p);
		unsigned long end = node_first(p, k + 1);
		uint64_t mem = 0;

		for (i = first_inst; i < last_inst; i++) {
			struct instance *x = &in[i];
			unsigned long left = last_inst - i; /* incl. x */
			unsigned long avail = end - cpu;
			unsigned long unit = p->cores ? 2 : 1;
			unsigned long base = avail / left / unit;
			unsigned long n;

			/*
			 * 1/4 to 3/4 of a fair share, whole cores: about
			 * half of the pool stays free, as on a live host.
			 */
			n = base / 4 + rnd_below(base / 2 + 1);
			if (n == 0)
				n = 1;
			n *= unit;
			if (n > avail - (left - 1) * unit)
				die("%lu instances do not fit in NUMA "
				    "node %lu (%lu CPUs free)",
				    left, k, avail);
			snprintf(x->name, sizeof(x->name), "%s-%04lu",
				 roles[rnd_below(8)], i + 1);
			x->id = ids[i];
			x->node = (unsigned int)k;
			x->cpu0 = cpu;
			x->ncpus = n;
			cpu += n;
			x->mem_bytes = (1 + rnd_below(8)) * 256 * MIB;
			x->mem_base = mem; /* node-relative for now */
			mem += x->mem_bytes +
			       (rnd_below(4) == 0 ? 256 * MIB : 0);
			if (i < vf_slots) {
				x->vf_nic = (long)(i % p->nics);
				x->vf = (long)(1 + i / p->nics);
			} else {
				x->vf_nic = x->vf = -1;
			}
			x->ns_dev = x->ns = -1;
			if (i % 8 == 2 && ns_used < ns_slots) {
				x->ns_dev = (long)(ns_used % p->nvme);
				x->ns = (long)(2 + ns_used / p->nvme);
				ns_used++;
			}
			/* policies (with numa-nodes) on a quarter of them */
			x->affinity = i % 8 ? NULL : affinities[rnd_below(2)];
			x->policy = i % 8 == 4 ? "local" : NULL;
		}
		if (k == 0)
			mem += HOST_BYTES;
		if (mem > need_max)
			need_max = mem;
		first_inst = last_inst;
	}
	/* Every node gets the same size: the largest need, rounded up. */
	*node_bytes = (need_max + 16 * GIB) & ~(16 * GIB - 1);
	for (i = 0; i < p->instances; i++)
		in[i].mem_base += in[i].node * *node_bytes +
				  (in[i].node == 0 ? HOST_BYTES : 0);
	free(ids);
}

static void write_cpus(FILE *f, const struct params *p)
{
	unsigned long k, r = node_reserved(p);
	bool first = true;

	fprintf(f, "\t\tcpus {\n\t\t\ttotal = <%lu>;\n\t\t\thost-reserved = <",
		p->cpus);
	for (k = 0; k < p->numa; k++) {
		unsigned long c0 = node_first(p, k), c;

		for (c = c0; c < c0 + r; c++) {
			fprintf(f, first ? "%lu" : " %lu", c);
			first = false;
		}
	}
	fputs(">;\n\t\t\tavailable = <", f);
	first = true;
	for (k = 0; k < p->numa; k++) {
		unsigned long c0 = node_first(p, k) + r;
		unsigned long c1 = node_first(p, k + 1) - 1;

		if (!first)
			fputs("\n\t\t\t\t", f);
		put_seq(f, c0, c1, 4);
		first = false;
	}
	fputs(">;\n", f);
	if (p->cores) {
		unsigned long c;

		fputs("\t\t\tcores {\n", f);
		for (c = 0; c + 1 < p->cpus; c += 2)
			fprintf(f,
				"\t\t\t\tcore@%lx {\n"
				"\t\t\t\t\tcpus = <%lu %lu>;\n"
				"\t\t\t\t\tsocket-id = <%lu>;\n"
				"\t\t\t\t};\n",
				c / 2, c, c + 1,
				(unsigned long)((uint64_t)c * p->numa /
						p->cpus));
		fputs("\t\t\t};\n", f);
	}
	fputs("\t\t};\n", f);
}

static void write_memory(FILE *f, const struct params *p, uint64_t node_bytes)
{
	uint64_t total = node_bytes * p->numa;

	fputs("\t\tmemory {\n\t\t\ttotal-bytes = ", f);
	put_u64(f, total);
	fputs(";\n\t\t\thost-reserved-bytes = ", f);
	put_u64(f, HOST_BYTES);
	fputs(";\n\t\t\tmemory-pool-base = ", f);
	put_u64(f, HOST_BYTES);
	fputs(";\n\t\t\tmemory-pool-bytes = ", f);
	put_u64(f, total - HOST_BYTES);
	fputs(";\n\t\t};\n", f);
}

static void write_devices(FILE *f, const struct params *p)
{
	unsigned long n;

	fputs("\t\tdevices {\n", f);
	for (n = 0; n < p->nics; n++) {
		bool mlx = n % 2;

		fprintf(f,
			"\t\t\teth%lu: ethernet@%lx {\n"
			"\t\t\t\tcompatible = \"%s\";\n"
			"\t\t\t\tpci-id = \"0000:%02lx:%02lx.0\";\n"
			"\t\t\t\tvendor-id = <0x%x>;\n"
			"\t\t\t\tdevice-id = <0x%x>;\n"
			"\t\t\t\tnuma-node = <%lu>;\n",
			n, n, mlx ? "mellanox,mlx5" : "intel,i40e",
			0x10 + n / 32, n % 32, mlx ? 0x15b3 : 0x8086,
			mlx ? 0x1017 : 0x1572, n % p->numa);
		if (p->vfs) {
			fprintf(f,
				"\t\t\t\tsriov-vfs = <%lu>;\n"
				"\t\t\t\thost-reserved-vf = <0>;\n",
				p->vfs);
			if (p->vfs > 1) {
				fputs("\t\t\t\tavailable-vfs = <", f);
				put_seq(f, 1, p->vfs - 1, 5);
				fputs(">;\n", f);
			}
		}
		fputs("\t\t\t};\n", f);
	}
	for (n = 0; n < p->nvme; n++) {
		fprintf(f,
			"\t\t\tnvme%lu: storage@%lx {\n"
			"\t\t\t\tcompatible = \"nvme\";\n"
			"\t\t\t\tpci-id = \"0000:%02lx:%02lx.0\";\n"
			"\t\t\t\tnuma-node = <%lu>;\n"
			"\t\t\t\tnamespaces = <%lu>;\n"
			"\t\t\t\thost-reserved-ns = <1>;\n",
			n, n, 0x80 + n / 32, n % 32, n % p->numa, p->ns);
		if (p->ns > 1) {
			fputs("\t\t\t\tavailable-ns = <", f);
			put_seq(f, 2, p->ns, 5);
			fputs(">;\n", f);
		}
		fputs("\t\t\t};\n", f);
	}
	fputs("\t\t};\n", f);
}

static void write_topology(FILE *f, const struct params *p, uint64_t node_bytes)
{
	unsigned long k, j;

	fputs("\t\ttopology {\n\t\t\tnuma-nodes {\n", f);
	for (k = 0; k < p->numa; k++) {
		fprintf(f,
			"\t\t\t\tnode@%lx {\n\t\t\t\t\tnode-id = <%lu>;\n"
			"\t\t\t\t\tmemory-base = ",
			k, k);
		put_u64(f, node_bytes * k);
		fputs(";\n\t\t\t\t\tmemory-size = ", f);
		put_u64(f, node_bytes);
		fputs(";\n\t\t\t\t\tmemory-type = \"dram\";\n"
		      "\t\t\t\t\tcpus = <",
		      f);
		put_seq(f, node_first(p, k), node_first(p, k + 1) - 1, 6);
		fputs(">;\n", f);
		if (k == 0 && p->numa > 1) {
			fputs("\t\t\t\t\tdistance-matrix = <", f);
			for (j = 0; j < p->numa * p->numa; j++) {
				unsigned long a = j / p->numa, b = j % p->numa;

				if (j && j % p->numa == 0)
					fputs("\n\t\t\t\t\t\t", f);
				else if (j)
					fputc(' ', f);
				fprintf(f, "%d",
					a == b ? 10
					       : (a / 2 == b / 2 ? 20 : 30));
			}
			fputs(">;\n", f);
		}
		fputs("\t\t\t\t};\n", f);
	}
	fputs("\t\t\t};\n\t\t};\n", f);
}

static void write_instances(FILE *f, const struct params *p,
			    const struct instance *in)
{
	unsigned long i;

	fputs("\tinstances {\n", f);
	for (i = 0; i < p->instances; i++) {
		const struct instance *x = &in[i];

		fprintf(f,
			"\t\t%s {\n\t\t\tid = <%u>;\n\t\t\tresources {\n"
			"\t\t\t\tcpus = <",
			x->name, x->id);
		put_seq(f, x->cpu0, x->cpu0 + x->ncpus - 1, 5);
		fputs(">;\n\t\t\t\tmemory-base = ", f);
		put_u64(f, x->mem_base);
		fputs(";\n\t\t\t\tmemory-bytes = ", f);
		put_u64(f, x->mem_bytes);
		fputs(";\n", f);
		if (x->vf >= 0 || x->ns >= 0) {
			fputs("\t\t\t\tdevices = ", f);
			if (x->vf >= 0)
				fprintf(f, "<&eth%ld_vf%ld>", x->vf_nic, x->vf);
			if (x->ns >= 0)
				fprintf(f, "%s<&nvme%ld_ns%ld>",
					x->vf >= 0 ? ", " : "", x->ns_dev,
					x->ns);
			fputs(";\n", f);
		}
		if (x->affinity || x->policy)
			fprintf(f, "\t\t\t\tnuma-nodes = <%u>;\n", x->node);
		if (x->affinity)
			fprintf(f, "\t\t\t\tcpu-affinity = \"%s\";\n",
				x->affinity);
		if (x->policy)
			fprintf(f, "\t\t\t\tmemory-policy = \"%s\";\n",
				x->policy);
		fputs("\t\t\t};\n\t\t};\n", f);
	}
	fputs("\t};\n", f);
}

/* The device-reference nodes, one per VF or namespace actually used. */
static void write_references(FILE *f, const struct params *p,
			     const struct instance *in)
{
	unsigned long i;

	for (i = 0; i < p->instances; i++) {
		const struct instance *x = &in[i];

		if (x->vf >= 0)
			fprintf(f,
				"\teth%ld_vf%ld: ethernet-vf@%lx {\n"
				"\t\tparent = <&eth%ld>;\n"
				"\t\tvf-id = <%ld>;\n\t};\n",
				x->vf_nic, x->vf,
				(unsigned long)(x->vf_nic << 8 | x->vf),
				x->vf_nic, x->vf);
		if (x->ns >= 0)
			fprintf(f,
				"\tnvme%ld_ns%ld: nvme-ns@%lx {\n"
				"\t\tparent = <&nvme%ld>;\n"
				"\t\tnamespace-id = <%ld>;\n\t};\n",
				x->ns_dev, x->ns,
				(unsigned long)(x->ns_dev << 8 | x->ns),
				x->ns_dev, x->ns);
	}
}

static void usage(FILE *f)
{
	fputs("usage: gen_system --cpus N --instances M --nics D\n"
	      "                  [--vfs-per-nic V] [--nvme E] [--namespaces "
	      "S]\n"
	      "                  [--numa K] [--cores] [--seed S] [-o FILE]\n"
	      "\n"
	      "Write a valid synthetic multikernel full-system DTS.\n"
	      "Defaults: V = instances/nics + 1 (one VF per instance),\n"
	      "E = nics/8 (at least 1), S = 32, K = cpus/1024 (1..64),\n"
	      "seed 1, standard output.\n",
	      f);
}

static unsigned long num_arg(const char *opt, const char *s, unsigned long min,
			     unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		die("--%s: '%s' is not a number in %lu..%lu", opt, s, min, max);
	return v;
}

static void parse_args(int argc, char **argv, struct params *p)
{
	enum {
		O_CPUS = 256,
		O_INST,
		O_NICS,
		O_VFS,
		O_NVME,
		O_NS,
		O_NUMA,
		O_CORES,
		O_SEED,
		O_HELP
	};
	static const struct option lo[] = {
		{"cpus", required_argument, NULL, O_CPUS},
		{"instances", required_argument, NULL, O_INST},
		{"nics", required_argument, NULL, O_NICS},
		{"vfs-per-nic", required_argument, NULL, O_VFS},
		{"nvme", required_argument, NULL, O_NVME},
		{"namespaces", required_argument, NULL, O_NS},
		{"numa", required_argument, NULL, O_NUMA},
		{"cores", no_argument, NULL, O_CORES},
		{"seed", required_argument, NULL, O_SEED},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	long vfs = -1, nvme = -1, numa = -1;
	int c;

	memset(p, 0, sizeof(*p));
	p->seed = 1;
	p->ns = 32;
	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (c) {
		case O_CPUS:
			p->cpus = num_arg("cpus", optarg, 2, 1UL << 20);
			break;
		case O_INST:
			p->instances = num_arg("instances", optarg, 0, MAX_ID);
			break;
		case O_NICS:
			p->nics = num_arg("nics", optarg, 0, 4096);
			break;
		case O_VFS:
			vfs = (long)num_arg("vfs-per-nic", optarg, 0, 256);
			break;
		case O_NVME:
			nvme = (long)num_arg("nvme", optarg, 0, 4096);
			break;
		case O_NS:
			p->ns = num_arg("namespaces", optarg, 1, 255);
			break;
		case O_NUMA:
			numa = (long)num_arg("numa", optarg, 1, 256);
			break;
		case O_CORES:
			p->cores = true;
			break;
		case O_SEED:
			p->seed = num_arg("seed", optarg, 0, ~0UL);
			break;
		case 'o':
			p->out = optarg;
			break;
		case 'h':
		case O_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc || !p->cpus) {
		usage(stderr);
		exit(2);
	}
	if (numa < 0) {
		numa = (long)(p->cpus / 1024);
		numa = numa < 1 ? 1 : numa > 64 ? 64 : numa;
	}
	p->numa = (unsigned long)numa;
	if (p->numa > p->cpus / 2)
		die("--numa %lu: need at least 2 CPUs per node", p->numa);
	if (vfs < 0)
		vfs = p->nics ? (long)((p->instances + p->nics - 1) / p->nics +
				       1)
			      : 0;
	if (vfs > 256)
		vfs = 256; /* instances beyond the VFs get none */
	p->vfs = (unsigned long)vfs;
	if (nvme < 0)
		nvme = p->nics / 8 ? (long)(p->nics / 8) : 1;
	p->nvme = (unsigned long)nvme;
	if (p->instances > p->cpus - node_reserved(p) * p->numa)
		die("%lu instances need at least as many available CPUs",
		    p->instances);
}

int main(int argc, char **argv)
{
	struct params p;
	struct instance *in;
	uint64_t node_bytes;
	FILE *f = stdout;

	parse_args(argc, argv, &p);
	rng_state = p.seed;
	in = xcalloc(p.instances, sizeof(*in));
	plan(&p, in, &node_bytes);

	if (p.out && !(f = fopen(p.out, "w")))
		die("cannot write '%s': %s", p.out, strerror(errno));
	fprintf(f,
		"/*\n * Synthetic multikernel system, by gen_system\n"
		" * --cpus %lu --instances %lu --nics %lu --vfs-per-nic %lu\n"
		" * --nvme %lu --namespaces %lu --numa %lu%s --seed %" PRIu64
		"\n */\n\n/dts-v1/;\n\n/ {\n"
		"\tcompatible = \"linux,multikernel-host\";\n\n"
		"\tresources {\n",
		p.cpus, p.instances, p.nics, p.vfs, p.nvme, p.ns, p.numa,
		p.cores ? " --cores" : "", p.seed);
	write_cpus(f, &p);
	write_memory(f, &p, node_bytes);
	write_devices(f, &p);
	write_topology(f, &p, node_bytes);
	fputs("\t};\n\n", f);
	write_instances(f, &p, in);
	fputc('\n', f);
	write_references(f, &p, in);
	fputs("};\n", f);
	free(in);
	if (ferror(f) | (f != stdout ? fclose(f) : fflush(f)))
		die("write error: %s", strerror(errno));
	return 0;
}
