// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/cpumap.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define CPUMAP_HEADER "# kerf logical-to-physical CPU map: logical physical\n"

void cpumap_init(struct cpumap *m)
{
	memset(m, 0, sizeof(*m));
}

void cpumap_free(struct cpumap *m)
{
	free(m->v);
	cpumap_init(m);
}

const char *cpumap_source_name(enum cpumap_source s)
{
	switch (s) {
	case CPUMAP_BASELINE:
		return "baseline physical-ids";
	case CPUMAP_SAVED:
		return KP_CPUMAP;
	case CPUMAP_CPUINFO:
		return KP_CPUINFO;
	default:
		return "none";
	}
}

/* Index of the first entry with logical >= l. */
static size_t lower_bound(const struct cpumap *m, uint32_t l)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->v[mid].logical < l)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int cpumap_phys(const struct cpumap *m, uint32_t logical, uint64_t *phys)
{
	size_t i = lower_bound(m, logical);

	if (i >= m->n || m->v[i].logical != logical)
		return -ENOENT;
	*phys = m->v[i].phys;
	return 0;
}

int cpumap_logical(const struct cpumap *m, uint64_t phys, uint32_t *logical)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (m->v[i].phys == phys) {
			*logical = m->v[i].logical;
			return 0;
		}
	}
	return -ENOENT;
}

int cpumap_set(struct cpumap *m, uint32_t logical, uint64_t phys)
{
	size_t i = lower_bound(m, logical);
	uint32_t other;

	if (i < m->n && m->v[i].logical == logical)
		return m->v[i].phys == phys ? 0 : -EEXIST;
	if (!cpumap_logical(m, phys, &other))
		return -EEXIST;
	m->v = xgrow(m->v, &m->cap, m->n + 1, sizeof(*m->v));
	memmove(&m->v[i + 1], &m->v[i], (m->n - i) * sizeof(*m->v));
	m->v[i].logical = logical;
	m->v[i].phys = phys;
	m->n++;
	return 0;
}

int cpumap_from_ids(struct cpumap *m, const uint64_t *ids, size_t n,
		    struct diags *d)
{
	size_t i;

	cpumap_free(m);
	for (i = 0; i < n; i++) {
		if (cpumap_set(m, (uint32_t)i, ids[i])) {
			kp_err(d, "physical-ids: cpu%zu has physical id "
			       "%" PRIu64 ", which an earlier CPU already has",
			       i, ids[i]);
			cpumap_free(m);
			return -EINVAL;
		}
	}
	m->source = CPUMAP_BASELINE;
	return 0;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno)
		return false;
	while (isspace((unsigned char)*end))
		end++;
	return *end == '\0';
}

/* Split "key\t: value" into trimmed key and value (in place). */
static bool split_kv(char *line, char **key, char **val)
{
	char *colon = strchr(line, ':'), *k;

	if (!colon)
		return false;
	*colon = '\0';
	k = colon;
	while (k > line && isspace((unsigned char)k[-1]))
		*--k = '\0';
	*key = line;
	*val = colon + 1;
	return true;
}

static int flush_block(struct cpumap *m, bool have_cpu, uint64_t cpu,
		       bool have_apic, uint64_t apic, size_t *missing,
		       struct diags *d)
{
	if (!have_cpu)
		return 0;
	if (!have_apic) {
		(*missing)++;
		return 0;
	}
	if (cpu >= UINT32_MAX || cpumap_set(m, (uint32_t)cpu, apic)) {
		kp_err(d, KP_CPUINFO ": processor %" PRIu64 " with apicid "
		       "%" PRIu64 " contradicts an earlier entry", cpu, apic);
		return -EINVAL;
	}
	return 0;
}

int cpumap_parse_cpuinfo(const char *text, size_t len, struct cpumap *m,
			 size_t *missing, struct diags *d)
{
	const char *p = text, *end = text + len;
	bool have_cpu = false, have_apic = false;
	uint64_t cpu = 0, apic = 0;
	int ret = 0;

	cpumap_free(m);
	*missing = 0;
	while (p < end && !ret) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xstrndup(p, n), *key, *val;
		uint64_t v;

		p += n + 1;
		if (split_kv(line, &key, &val) && parse_u64(val, &v)) {
			if (!strcmp(key, "processor")) {
				ret = flush_block(m, have_cpu, cpu, have_apic,
						  apic, missing, d);
				have_cpu = true;
				have_apic = false;
				cpu = v;
			} else if (!strcmp(key, "apicid") && have_cpu) {
				have_apic = true;
				apic = v;
			}
		}
		free(line);
	}
	if (!ret)
		ret = flush_block(m, have_cpu, cpu, have_apic, apic, missing,
				  d);
	if (ret)
		cpumap_free(m);
	else
		m->source = CPUMAP_CPUINFO;
	return ret;
}

char *cpumap_format(const struct cpumap *m)
{
	struct strbuf sb;
	size_t i;

	sb_init(&sb);
	sb_adds(&sb, CPUMAP_HEADER);
	for (i = 0; i < m->n; i++)
		sb_addf(&sb, "%" PRIu32 " %" PRIu64 "\n", m->v[i].logical,
			m->v[i].phys);
	return sb_detach(&sb, NULL);
}

int cpumap_parse_saved(const char *text, size_t len, struct cpumap *m,
		       struct diags *d)
{
	const char *p = text, *end = text + len;
	unsigned int lineno = 0;
	int ret = 0;

	cpumap_free(m);
	if (memchr(text, '\0', len))
		ret = -EINVAL;
	while (p < end && !ret) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xstrndup(p, n), *sp;
		uint64_t l, ph;

		p += n + 1;
		lineno++;
		if (line[0] == '#' || line[0] == '\0') {
			free(line);
			continue;
		}
		sp = strchr(line, ' ');
		if (sp)
			*sp = '\0';
		if (!sp || !parse_u64(line, &l) || !parse_u64(sp + 1, &ph) ||
		    l >= UINT32_MAX || cpumap_set(m, (uint32_t)l, ph))
			ret = -EINVAL;
		free(line);
	}
	if (ret) {
		kp_err(d, "%s is corrupt (line %u)", KP_CPUMAP, lineno);
		kp_hint(d, "Remove it to rebuild the map from %s, but only "
			"while every CPU is still online.", KP_CPUINFO);
		cpumap_free(m);
		return ret;
	}
	m->source = CPUMAP_SAVED;
	return 0;
}

int cpumap_load_saved(const struct kport *kp, struct cpumap *m,
		      struct diags *d)
{
	char *text;
	size_t len;
	int ret;

	cpumap_free(m);
	ret = kp_read(kp, KP_CPUMAP, &text, &len);
	if (ret == -ENOENT)
		return ret;
	if (ret) {
		char *path = kp_path(kp, KP_CPUMAP);

		kp_err(d, "cannot read %s: %s", path, strerror(-ret));
		free(path);
		return ret;
	}
	ret = cpumap_parse_saved(text, len, m, d);
	free(text);
	return ret;
}

int cpumap_save(const struct kport *kp, const struct cpumap *m,
		struct diags *d)
{
	char *text = cpumap_format(m);
	int ret;

	ret = kp_write_atomic(kp, KP_CPUMAP, text, strlen(text));
	free(text);
	if (ret) {
		char *path = kp_path(kp, KP_CPUMAP);

		kp_err(d, "cannot save the CPU map to %s: %s", path,
		       strerror(-ret));
		kp_hint(d, "kerf must save it before CPUs leave the host "
			"(they vanish from %s); run kerf as root.",
			KP_CPUINFO);
		free(path);
	}
	return ret;
}

static int read_cpuinfo(const struct kport *kp, struct cpumap *m,
			struct diags *d)
{
	size_t len, missing;
	char *text;
	int ret;

	ret = kp_read(kp, KP_CPUINFO, &text, &len);
	if (ret) {
		char *path = kp_path(kp, KP_CPUINFO);

		kp_err(d, "cannot read %s: %s", path, strerror(-ret));
		free(path);
		return ret;
	}
	ret = cpumap_parse_cpuinfo(text, len, m, &missing, d);
	free(text);
	if (!ret && missing)
		kp_warn(d, "%s lists %zu CPU%s without an apicid; their "
			"physical ids are unknown", KP_CPUINFO, missing,
			missing > 1 ? "s" : "");
	return ret;
}

int cpumap_resolve(const struct kport *kp, const uint64_t *ids, size_t nids,
		   struct cpumap *m, struct diags *d)
{
	struct cpumap info;
	size_t i, added = 0;
	int ret;

	cpumap_free(m);
	if (ids)
		return cpumap_from_ids(m, ids, nids, d);

	ret = cpumap_load_saved(kp, m, d);
	if (ret && ret != -ENOENT)
		return ret;
	cpumap_init(&info);
	if (ret == -ENOENT) {
		ret = read_cpuinfo(kp, m, d);
		if (ret)
			return ret;
		if (m->n == 0)
			return 0;	/* nothing worth saving */
		return cpumap_save(kp, m, d);
	}
	/*
	 * A saved map exists.  CPUs cpuinfo shows that it lacks (hot-added
	 * since) are added; the saved pairs win, as pool CPUs are offline.
	 */
	if (read_cpuinfo(kp, &info, NULL) == 0) {
		for (i = 0; i < info.n; i++) {
			uint64_t ph;

			if (cpumap_phys(m, info.v[i].logical, &ph) == 0)
				continue;
			if (cpumap_set(m, info.v[i].logical,
				       info.v[i].phys) == 0)
				added++;
		}
	}
	cpumap_free(&info);
	m->source = CPUMAP_SAVED;
	if (added)
		return cpumap_save(kp, m, d);
	return 0;
}
