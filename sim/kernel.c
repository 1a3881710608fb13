// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulated kernel's books: host CPUs and PCI functions, pool chunks
 * in simulated physical memory, instances, the kernel log and the faults
 * armed by "mksim fault".  Callers hold k->lock.
 */
#include "sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

struct sim_kernel *sim_new(const struct sim_host *host, char **err)
{
	struct sim_kernel *k = xzalloc(sizeof(*k));
	int i;

	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->cond, NULL);
	k->host = *host;
	k->cpu = xzalloc(host->ncpus * sizeof(*k->cpu));
	for (i = 0; i < host->ncpus; i++)
		k->cpu[i].phys = host->apic[i];
	k->pci = xzalloc((host->npci + 1) * sizeof(*k->pci));
	k->tx_counter = 1;	/* pre-incremented: the first is tx_2 */
	k->t0_ns = now_ns();
	sb_init(&k->log);
	sim_log(k, "Linux version 7.0.0-mk2 (mksim) #1 SMP PREEMPT_DYNAMIC");
	sim_log(k, "multikernel: %d CPUs, %d NUMA nodes, kernel ABI v7.0-mk2",
		host->ncpus, host->nnodes);
	if (sim_boot_pool(k, err)) {
		sim_free(k);
		return NULL;
	}
	return k;
}

void sim_image_free(struct sim_image *img)
{
	if (!img)
		return;
	free(img->path);
	free(img->initrd);
	free(img->cmdline);
	free(img);
}

static void inst_free(struct sim_instance *in)
{
	free(in->name);
	free(in->cpus);
	free(in->reg);
	free(in->host_tree);
	free(in->backlog);
	sim_image_free(in->image);
	free(in);
}

void sim_free(struct sim_kernel *k)
{
	int i;

	if (!k)
		return;
	for (i = 0; i < k->ninst; i++)
		inst_free(k->inst[i]);
	free(k->inst);
	for (i = 0; i < k->ntx; i++) {
		free(k->tx[i]->instance);
		free(k->tx[i]->resources);
		free(k->tx[i]->blob);
		free(k->tx[i]);
	}
	free(k->tx);
	while (k->ttys) {
		struct sim_tty *t = k->ttys;

		k->ttys = t->next;
		free(t);
	}
	for (i = 0; i < k->host.npci; i++) {
		free(k->pci[i].node);
		free(k->pci[i].alias);
		free(k->pci[i].driver);
	}
	for (i = 0; i < k->nplat; i++) {
		free(k->plat[i].node);
		free(k->plat[i].device_name);
		free(k->plat[i].acpi_hid);
	}
	free(k->plat);
	free(k->pci);
	free(k->cpu);
	free(k->chunk);
	free(k->mountpoint);
	sb_free(&k->log);
	sim_host_free(&k->host);
	pthread_mutex_destroy(&k->lock);
	pthread_cond_destroy(&k->cond);
	free(k);
}

void sim_log(struct sim_kernel *k, const char *fmt, ...)
{
	uint64_t t = now_ns() - k->t0_ns;
	va_list ap;

	if (k->log.len > 1024 * 1024) {
		/* keep the newer half, from a line start */
		char *cut = strchr(k->log.buf + k->log.len / 2, '\n');
		size_t keep = cut ? k->log.len - (cut + 1 - k->log.buf) : 0;

		memmove(k->log.buf, k->log.buf + k->log.len - keep, keep);
		k->log.len = keep;
		k->log.buf[keep] = '\0';
	}
	sb_addf(&k->log, "[%5llu.%06llu] ",
		(unsigned long long)(t / 1000000000ULL),
		(unsigned long long)(t % 1000000000ULL / 1000));
	va_start(ap, fmt);
	sb_vaddf(&k->log, fmt, ap);
	va_end(ap);
	sb_addc(&k->log, '\n');
}

static const struct {
	int err;
	const char *name;
} errnames[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
	{ E2BIG, "E2BIG" }, { ENOEXEC, "ENOEXEC" }, { EBADF, "EBADF" },
	{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
	{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
	{ ENODEV, "ENODEV" }, { EINVAL, "EINVAL" }, { EFBIG, "EFBIG" },
	{ ENOSPC, "ENOSPC" }, { ERANGE, "ERANGE" }, { ENOSYS, "ENOSYS" },
	{ ETIMEDOUT, "ETIMEDOUT" }, { ENOTCONN, "ENOTCONN" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { ENXIO, "ENXIO" },
};

const char *sim_errname(int err)
{
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < ARRAY_SIZE(errnames); i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	return "E?";
}

int sim_errno_parse(const char *s)
{
	size_t i;
	char *end;
	long v;

	for (i = 0; i < ARRAY_SIZE(errnames); i++)
		if (!strcasecmp(errnames[i].name, s))
			return errnames[i].err;
	v = strtol(s, &end, 10);
	if (*s && !*end && v > 0 && v < 4096)
		return (int)v;
	return 0;
}

const char *sim_state_name(enum sim_state s)
{
	static const char *const names[] = {
		"empty", "ready", "loaded", "active", "failed",
	};

	return (unsigned int)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

const char *sim_tx_status_name(enum tx_status s)
{
	static const char *const names[] = {
		"pending", "applied", "failed", "removed",
	};

	return (unsigned int)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

int sim_cpu_by_phys(const struct sim_kernel *k, uint64_t phys)
{
	int i;

	for (i = 0; i < k->host.ncpus; i++)
		if (k->cpu[i].phys == phys)
			return i;
	return -1;
}

int sim_pci_by_bdf(const struct sim_kernel *k, const char *bdf)
{
	int i;

	for (i = 0; i < k->host.npci; i++)
		if (!strcasecmp(k->host.pci[i].bdf, bdf))
			return i;
	return -1;
}

struct sim_instance *sim_inst_by_name(struct sim_kernel *k, const char *n)
{
	int i;

	for (i = 0; i < k->ninst; i++)
		if (!strcmp(k->inst[i]->name, n))
			return k->inst[i];
	return NULL;
}

struct sim_instance *sim_inst_by_id(struct sim_kernel *k, int id)
{
	int i;

	for (i = 0; i < k->ninst; i++)
		if (k->inst[i]->id == id)
			return k->inst[i];
	return NULL;
}

struct sim_tx *sim_tx_by_id(struct sim_kernel *k, int id)
{
	int i;

	for (i = 0; i < k->ntx; i++)
		if (k->tx[i]->id == id)
			return k->tx[i];
	return NULL;
}

int sim_pool_ncpus(const struct sim_kernel *k)
{
	int i, n = 0;

	for (i = 0; i < k->host.ncpus; i++)
		n += k->cpu[i].in_pool;
	return n;
}

bool sim_pool_exists(const struct sim_kernel *k)
{
	int i;

	if (k->nchunk || sim_pool_ncpus(k))
		return true;
	for (i = 0; i < k->host.npci; i++)
		if (k->pci[i].in_pool)
			return true;
	return k->nplat > 0;
}

/* ---- faults ---- */

static const char *const fault_names[F_NKINDS] = {
	[F_TX_OP] = "tx-op",
	[F_BASELINE_ENOMEM] = "baseline-enomem",
	[F_LOAD_ENOMEM] = "load-enomem",
	[F_CPU_BUSY] = "cpu-busy",
	[F_HALT_TIMEOUT] = "halt-timeout",
	[F_RMDIR] = "rmdir-fail",
};

bool sim_fault_take(struct sim_kernel *k, enum sim_fault_kind kind,
		    long match, struct sim_fault *out)
{
	struct sim_fault *f = &k->fault[kind];

	if (!f->armed)
		return false;
	if ((kind == F_CPU_BUSY || kind == F_TX_OP) && f->arg != match)
		return false;
	if (out)
		*out = *f;
	f->armed = false;
	sim_log(k, "mksim: fault %s fired", fault_names[kind]);
	return true;
}

/*
 * "KIND [ARG] [ERRNO]":
 *   tx-op N [ERRNO]        the N-th operation of the next transaction fails
 *   baseline-enomem        the next baseline fails with ENOMEM
 *   load-enomem            the next kexec_file_load fails with ENOMEM
 *   cpu-busy PHYS          that CPU cannot be offlined/parked (EBUSY)
 *   halt-timeout [MS]      the next graceful halt times out (ETIMEDOUT)
 *   rmdir-fail [ERRNO]     the next transaction rmdir fails
 *   clear                  disarm everything
 */
int sim_fault_set(struct sim_kernel *k, const char *spec, char **msg)
{
	char kind[32] = "", a1[32] = "", a2[32] = "";
	int n, i;
	struct sim_fault f = { .armed = true };
	char *end;

	n = sscanf(spec, "%31s %31s %31s", kind, a1, a2);
	if (n < 1)
		goto bad;
	if (!strcmp(kind, "clear")) {
		memset(k->fault, 0, sizeof(k->fault));
		*msg = xstrdup("all faults cleared");
		return 0;
	}
	for (i = 0; i < F_NKINDS; i++)
		if (!strcmp(kind, fault_names[i]))
			break;
	if (i == F_NKINDS)
		goto bad;
	switch (i) {
	case F_TX_OP:
		f.arg = strtol(a1, &end, 0);
		if (n < 2 || *end || f.arg < 1)
			goto bad;
		f.err = n > 2 ? sim_errno_parse(a2) : EIO;
		if (!f.err)
			goto bad;
		break;
	case F_CPU_BUSY:
		f.arg = strtol(a1, &end, 0);
		if (n < 2 || *end || f.arg < 0)
			goto bad;
		f.err = EBUSY;
		break;
	case F_HALT_TIMEOUT:
		f.arg = 30000;
		if (n > 1) {
			f.arg = strtol(a1, &end, 0);
			if (*end || f.arg < 0)
				goto bad;
		}
		f.err = ETIMEDOUT;
		break;
	case F_RMDIR:
		f.err = n > 1 ? sim_errno_parse(a1) : EBUSY;
		if (!f.err)
			goto bad;
		break;
	default:
		f.err = ENOMEM;
		break;
	}
	k->fault[i] = f;
	sim_log(k, "mksim: fault %s armed (%s)", fault_names[i], spec);
	*msg = xasprintf("armed: %s", spec);
	return 0;
bad:
	*msg = xasprintf("bad fault '%s' (kinds: tx-op N [ERRNO], "
			 "baseline-enomem, load-enomem, cpu-busy PHYS, "
			 "halt-timeout [MS], rmdir-fail [ERRNO], clear)",
			 spec);
	return -1;
}

char *sim_fault_list(struct sim_kernel *k)
{
	struct strbuf sb;
	int i;

	sb_init(&sb);
	for (i = 0; i < F_NKINDS; i++)
		if (k->fault[i].armed)
			sb_addf(&sb, "%s arg=%ld errno=%s\n", fault_names[i],
				k->fault[i].arg, sim_errname(k->fault[i].err));
	return sb_detach(&sb, NULL);
}

/* ---- simulated physical memory ---- */

struct ivl {
	uint64_t a, b;	/* [a, b) */
};

static int ivl_cmp(const void *x, const void *y)
{
	const struct ivl *p = x, *q = y;

	return p->a < q->a ? -1 : p->a > q->a;
}

/* Free sub-ranges of [a, b) once the sorted busy list is taken out. */
static int subtract(uint64_t a, uint64_t b, const struct ivl *busy, int nb,
		    struct ivl *out, int max)
{
	int i, n = 0;

	for (i = 0; i < nb && a < b; i++) {
		if (busy[i].b <= a || busy[i].a >= b)
			continue;
		if (busy[i].a > a && n < max)
			out[n++] = (struct ivl){ a, busy[i].a };
		if (busy[i].b > a)
			a = busy[i].b;
	}
	if (a < b && n < max)
		out[n++] = (struct ivl){ a, b };
	return n;
}

static uint64_t align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

int sim_pool_grow(struct sim_kernel *k, uint64_t size, int node,
		  uint64_t *base)
{
	int nb = 0, i, j, n;
	struct ivl *busy = xmalloc((k->nchunk + 1) * sizeof(*busy));
	struct ivl gap[64];

	busy[nb++] = (struct ivl){ 0, k->host.reserved };
	for (i = 0; i < k->nchunk; i++)
		busy[nb++] = (struct ivl){ k->chunk[i].base,
			k->chunk[i].base + k->chunk[i].size };
	qsort(busy, nb, sizeof(*busy), ivl_cmp);
	/* top-down: RAM ranges from the highest, gaps from the highest */
	for (i = k->host.nram - 1; i >= 0; i--) {
		const struct sim_ram *r = &k->host.ram[i];

		if (node >= 0 && r->node != node)
			continue;
		n = subtract(r->base, r->base + r->size, busy, nb, gap, 64);
		for (j = n - 1; j >= 0; j--) {
			uint64_t b;

			if (gap[j].b - gap[j].a < size)
				continue;
			b = align_down(gap[j].b - size, SIM_MEMBLOCK);
			if (b < gap[j].a)
				b = align_down(gap[j].b - size, SIM_PAGE);
			if (b < gap[j].a)
				continue;
			*base = b;
			k->chunk = xrealloc(k->chunk, (k->nchunk + 1) *
					    sizeof(*k->chunk));
			k->chunk[k->nchunk++] = (struct sim_chunk){
				b, size, r->node };
			/* keep sorted by base */
			for (n = k->nchunk - 1; n > 0 &&
			     k->chunk[n - 1].base > k->chunk[n].base; n--) {
				struct sim_chunk t = k->chunk[n];

				k->chunk[n] = k->chunk[n - 1];
				k->chunk[n - 1] = t;
			}
			free(busy);
			return 0;
		}
	}
	free(busy);
	return -ENOMEM;
}

static int used_ranges(const struct sim_kernel *k, struct ivl **out)
{
	int i, j, n = 0, cap = 1;
	struct ivl *v;

	for (i = 0; i < k->ninst; i++)
		cap += k->inst[i]->nreg;
	v = xmalloc(cap * sizeof(*v));
	if (k->park)
		v[n++] = (struct ivl){ k->park_base,
			k->park_base + k->host.park_size };
	for (i = 0; i < k->ninst; i++)
		for (j = 0; j < k->inst[i]->nreg; j++)
			v[n++] = (struct ivl){ k->inst[i]->reg[j].base,
				k->inst[i]->reg[j].base +
				k->inst[i]->reg[j].size };
	qsort(v, n, sizeof(*v), ivl_cmp);
	*out = v;
	return n;
}

bool sim_range_used(const struct sim_kernel *k, uint64_t base,
		    uint64_t size)
{
	struct ivl *u;
	int n = used_ranges(k, &u), i;
	bool hit = false;

	for (i = 0; i < n; i++)
		if (u[i].a < base + size && base < u[i].b)
			hit = true;
	free(u);
	return hit;
}

bool sim_range_in_pool(const struct sim_kernel *k, uint64_t base,
		       uint64_t size, int *chunk)
{
	int i;

	for (i = 0; i < k->nchunk; i++)
		if (base >= k->chunk[i].base && base + size > base &&
		    base + size <= k->chunk[i].base + k->chunk[i].size) {
			if (chunk)
				*chunk = i;
			return true;
		}
	return false;
}

int sim_pool_shrink(struct sim_kernel *k, uint64_t base, uint64_t size)
{
	int i;

	for (i = 0; i < k->nchunk; i++)
		if (k->chunk[i].base == base && k->chunk[i].size == size)
			break;
	if (i == k->nchunk)
		return -EINVAL;
	if (k->park && k->park_base >= base && k->park_base < base + size) {
		if (sim_pool_ncpus(k))
			return -EBUSY;
		k->park = false;
	}
	if (sim_range_used(k, base, size))
		return -EBUSY;
	memmove(&k->chunk[i], &k->chunk[i + 1],
		(k->nchunk - i - 1) * sizeof(*k->chunk));
	k->nchunk--;
	return 0;
}

void sim_park_setup(struct sim_kernel *k)
{
	int i;

	if (k->park || !k->host.park_size)
		return;
	for (i = 0; i < k->nchunk; i++) {
		uint64_t b = k->chunk[i].base + k->chunk[i].size -
			     k->host.park_size;

		if (k->chunk[i].size < k->host.park_size ||
		    sim_range_used(k, b, k->host.park_size))
			continue;
		k->park = true;
		k->park_base = b;
		return;
	}
}

void sim_inst_add_region(struct sim_instance *in, uint64_t base,
			 uint64_t size, int node)
{
	int i;

	in->reg = xrealloc(in->reg, (in->nreg + 1) * sizeof(*in->reg));
	/* merge with a neighbour when contiguous */
	for (i = 0; i < in->nreg; i++) {
		if (in->reg[i].base + in->reg[i].size == base &&
		    in->reg[i].node == node) {
			in->reg[i].size += size;
			return;
		}
	}
	in->reg[in->nreg++] = (struct sim_region){ base, size, node };
}

int sim_inst_remove_range(struct sim_instance *in, uint64_t base,
			  uint64_t size)
{
	int i;

	for (i = 0; i < in->nreg; i++) {
		struct sim_region r = in->reg[i];

		if (base < r.base || base + size > r.base + r.size)
			continue;
		if (base == r.base && size == r.size) {
			memmove(&in->reg[i], &in->reg[i + 1],
				(in->nreg - i - 1) * sizeof(*in->reg));
			in->nreg--;
		} else if (base == r.base) {
			in->reg[i].base += size;
			in->reg[i].size -= size;
		} else if (base + size == r.base + r.size) {
			in->reg[i].size -= size;
		} else {
			in->reg[i].size = base - r.base;
			in->reg = xrealloc(in->reg, (in->nreg + 1) *
					   sizeof(*in->reg));
			memmove(&in->reg[i + 2], &in->reg[i + 1],
				(in->nreg - i - 1) * sizeof(*in->reg));
			in->reg[i + 1] = (struct sim_region){ base + size,
				r.base + r.size - base - size, r.node };
			in->nreg++;
		}
		return 0;
	}
	return -EINVAL;
}

uint64_t sim_inst_mem(const struct sim_instance *in)
{
	uint64_t s = 0;
	int i;

	for (i = 0; i < in->nreg; i++)
		s += in->reg[i].size;
	return s;
}

/* First fit in one free range, else pieces in address order. */
int sim_alloc_instance_mem(struct sim_kernel *k, struct sim_instance *in,
			   uint64_t size, int node)
{
	struct ivl *u, *gap;
	int nu = used_ranges(k, &u), i, n = 0, cap = k->nchunk + nu + 1;
	uint64_t total = 0, left = size;

	gap = xmalloc(cap * sizeof(*gap));
	for (i = 0; i < k->nchunk; i++) {
		if (node >= 0 && k->chunk[i].node != node)
			continue;
		n += subtract(k->chunk[i].base,
			      k->chunk[i].base + k->chunk[i].size, u, nu,
			      gap + n, cap - n);
	}
	for (i = 0; i < n; i++) {
		total += gap[i].b - gap[i].a;
		if (gap[i].b - gap[i].a >= size) {
			int c = 0;

			sim_range_in_pool(k, gap[i].a, size, &c);
			sim_inst_add_region(in, gap[i].a, size,
					    k->chunk[c].node);
			free(u);
			free(gap);
			return 0;
		}
	}
	if (total < size) {
		free(u);
		free(gap);
		return -ENOMEM;
	}
	for (i = 0; i < n && left; i++) {
		uint64_t take = gap[i].b - gap[i].a;
		int c = 0;

		if (take > left)
			take = left;
		sim_range_in_pool(k, gap[i].a, take, &c);
		sim_inst_add_region(in, gap[i].a, take, k->chunk[c].node);
		left -= take;
	}
	free(u);
	free(gap);
	return 0;
}

int sim_cpu_to_pool(struct sim_kernel *k, int cpu)
{
	if (k->cpu[cpu].in_pool)
		return -EEXIST;
	if (cpu == 0)
		return -EBUSY;	/* the boot CPU cannot be offlined */
	if (sim_fault_take(k, F_CPU_BUSY, (long)k->cpu[cpu].phys, NULL))
		return -EBUSY;
	k->cpu[cpu].in_pool = true;
	k->cpu[cpu].inst = 0;
	sim_park_setup(k);
	return 0;
}

void sim_inst_destroy(struct sim_kernel *k, struct sim_instance *in)
{
	int i;

	for (i = 0; i < k->host.ncpus; i++)
		if (k->cpu[i].inst == in->id)
			k->cpu[i].inst = 0;
	for (i = 0; i < k->host.npci; i++)
		if (k->pci[i].inst == in->id) {
			k->pci[i].inst = 0;
			free(k->pci[i].driver);
			k->pci[i].driver = NULL;
		}
	for (i = 0; i < k->nplat; i++)
		if (k->plat[i].inst == in->id)
			k->plat[i].inst = 0;
	for (i = 0; i < k->ninst; i++)
		if (k->inst[i] == in) {
			memmove(&k->inst[i], &k->inst[i + 1],
				(k->ninst - i - 1) * sizeof(*k->inst));
			k->ninst--;
			break;
		}
	inst_free(in);
}

/* ---- /dev/mktty ---- */

struct sim_tty *sim_tty_open(struct sim_kernel *k)
{
	struct sim_tty *t = xzalloc(sizeof(*t));

	/* newest first: output goes to the most recently opened match */
	t->next = k->ttys;
	k->ttys = t;
	return t;
}

static void ring_put(struct sim_tty *t, const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len && t->len < SIM_TTY_RING; i++) {
		t->ring[(t->head + t->len) % SIM_TTY_RING] = buf[i];
		t->len++;
	}
}

/* Copy the unread bytes of t's ring, oldest first, to buf. */
static size_t ring_peek(const struct sim_tty *t, char *buf)
{
	size_t i;

	for (i = 0; i < t->len; i++)
		buf[i] = t->ring[(t->head + i) % SIM_TTY_RING];
	return t->len;
}

/*
 * Put older output in front of what t holds; when both do not fit, the
 * oldest bytes go.
 */
static void ring_prepend(struct sim_tty *t, const char *buf, size_t len)
{
	char *tmp = xmalloc(len + t->len);
	size_t n = len + t->len, skip = 0;

	memcpy(tmp, buf, len);
	ring_peek(t, tmp + len);
	if (n > SIM_TTY_RING)
		skip = n - SIM_TTY_RING;
	t->head = 0;
	t->len = 0;
	ring_put(t, tmp + skip, n - skip);
	free(tmp);
}

/* Nobody attached: keep the newest 16 KiB for the next reader. */
static void backlog_add(struct sim_instance *in, const char *buf,
			size_t len)
{
	if (len > SIM_TTY_RING) {
		buf += len - SIM_TTY_RING;
		len = SIM_TTY_RING;
	}
	if (in->backlog_len + len > SIM_TTY_RING) {
		size_t drop = in->backlog_len + len - SIM_TTY_RING;

		memmove(in->backlog, in->backlog + drop,
			in->backlog_len - drop);
		in->backlog_len -= drop;
	}
	if (!in->backlog)
		in->backlog = xmalloc(SIM_TTY_RING);
	memcpy(in->backlog + in->backlog_len, buf, len);
	in->backlog_len += len;
}

static struct sim_tty *tty_for(struct sim_kernel *k, int id)
{
	struct sim_tty *t;

	for (t = k->ttys; t; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

/*
 * The last close of a connection.  FUSE sends RELEASE asynchronously, after
 * close() has returned: until it arrives, output keeps going to this ring
 * although its reader is gone (an instance booted right after an earlier
 * console quit).  Output nobody read is not lost: it goes back in front of
 * the connection now attached to the instance, or to the backlog for the
 * next one.
 */
void sim_tty_close(struct sim_kernel *k, struct sim_tty *t)
{
	struct sim_tty **pp, *next;
	struct sim_instance *in;

	for (pp = &k->ttys; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	in = t->id && t->len ? sim_inst_by_id(k, t->id) : NULL;
	if (in) {
		char *buf = xmalloc(t->len);
		size_t n = ring_peek(t, buf);

		next = tty_for(k, t->id);
		if (next) {
			ring_prepend(next, buf, n);
			if (k->tty_wake)
				k->tty_wake(k, next);
		} else {
			/* older than anything the backlog got since */
			char *old = in->backlog;
			size_t old_len = in->backlog_len;

			in->backlog = NULL;
			in->backlog_len = 0;
			backlog_add(in, buf, n);
			if (old_len)
				backlog_add(in, old, old_len);
			free(old);
		}
		free(buf);
	}
	free(t);
}

void sim_console_out(struct sim_kernel *k, struct sim_instance *in,
		     const char *buf, size_t len)
{
	struct sim_tty *t = tty_for(k, in->id);

	if (t) {
		ring_put(t, buf, len);
		if (k->tty_wake)
			k->tty_wake(k, t);
		return;
	}
	backlog_add(in, buf, len);
}

void sim_console_printf(struct sim_kernel *k, struct sim_instance *in,
			const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	sim_console_out(k, in, s, strlen(s));
	free(s);
}

/* kstrtoint(buf, 10): optional sign, digits, optional trailing newline */
static int parse_id(const char *buf, size_t len, int *id)
{
	char tmp[32];
	char *end;
	long v;

	if (len == 0 || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf, len);
	tmp[len] = '\0';
	if (tmp[len - 1] == '\n')
		tmp[--len] = '\0';
	if (!len || !(tmp[0] == '+' || tmp[0] == '-' ||
		      (tmp[0] >= '0' && tmp[0] <= '9')))
		return -EINVAL;
	errno = 0;
	v = strtol(tmp, &end, 10);
	if (*end || errno || v > 0x7fffffff || v < -0x7fffffff)
		return -EINVAL;
	*id = (int)v;
	return 0;
}

long sim_tty_write(struct sim_kernel *k, struct sim_tty *t,
		   const char *buf, size_t len)
{
	struct sim_instance *in;

	if (!t->id) {
		int id, r = parse_id(buf, len, &id);

		if (r)
			return r;
		if (id < 1)
			return -EINVAL;
		in = sim_inst_by_id(k, id);
		if (!in)
			return -ENODEV;
		t->id = id;
		if (in->backlog_len) {
			ring_put(t, in->backlog, in->backlog_len);
			in->backlog_len = 0;
		}
		return (long)len;
	}
	in = sim_inst_by_id(k, t->id);
	if (!in)
		return -ENODEV;
	if (in->state == ST_ACTIVE) {
		size_t i;

		/* the spawn's tty echoes, with ONLCR */
		for (i = 0; i < len; i++) {
			if (buf[i] == '\r' || buf[i] == '\n')
				sim_console_out(k, in, "\r\n", 2);
			else
				sim_console_out(k, in, &buf[i], 1);
		}
	}
	return (long)len;
}

long sim_tty_read(struct sim_kernel *k, struct sim_tty *t, char *buf,
		  size_t len)
{
	size_t i;

	if (!t->id)
		return -ENOTCONN;
	if (!t->len)
		return -EAGAIN;
	for (i = 0; i < len && t->len; i++) {
		buf[i] = t->ring[t->head];
		t->head = (t->head + 1) % SIM_TTY_RING;
		t->len--;
	}
	return (long)i;
}
