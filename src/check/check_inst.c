// SPDX-License-Identifier: GPL-2.0-or-later
/* Instance names and ids (checks.md §1 "Instances and references"). */
#include "check/check.h"

#include <stdlib.h>
#include <string.h>

/* Letters, digits and , . _ + -: one bit per ASCII character. */
#define CHARS(lo, hi) ((~UINT64_C(0) >> (63 - (hi))) & (~UINT64_C(0) << (lo)))

static bool name_char_ok(char ch)
{
	static const uint64_t ok[2] = {
		/* + , - . (43-46), 0-9 (48-57) */
		CHARS(43, 46) | CHARS(48, 57),
		/* A-Z (65-90), _ (95), a-z (97-122), less 64 */
		CHARS(1, 26) | CHARS(31, 31) | CHARS(33, 58),
	};
	unsigned char c = (unsigned char)ch;

	return c < 128 && (ok[c >> 6] >> (c & 63) & 1);
}

static char *unique_name(const struct mk_model *m, const char *name)
{
	unsigned int n;
	size_t i;

	for (n = 2;; n++) {
		char *s = xasprintf("%s-%u", name, n);
		bool taken = false;

		for (i = 0; i < m->ninstances && !taken; i++)
			taken = !strcmp(m->instances[i].name, s);
		if (!taken)
			return s;
		free(s);
	}
}

static void duplicate(struct check_ctx *c, const char *name,
		      const struct srcpos *first, const struct srcpos *second)
{
	struct finding *x;
	char *alt = unique_name(c->m, name);

	x = finding_add(c->f, "instance-name", SEV_ERROR, name,
			"Duplicate instance name: \"%s\"", name);
	finding_detail(
		x,
		"Instance name \"%s\" appears multiple times in configuration",
		name);
	finding_suggest(
		x,
		"Rename the second instance to \"%s\" or another unique name",
		alt);
	finding_alt(x, "Merge the two definitions into one node");
	finding_loc(x, first);
	finding_loc(x, second);
	free(alt);
}

void check_instance_name(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	size_t i, k;

	for (i = 0; i < m->ninstances; i++) {
		const struct mk_instance *in = &m->instances[i];
		size_t len = strlen(in->name);
		struct finding *x;
		bool bad = false;

		for (k = 0; k < len; k++)
			bad |= !name_char_ok(in->name[k]);
		if (in->redef.file)
			duplicate(c, in->name, &in->at.pos, &in->redef);
		if (!bad && len && len <= MK_NAME_MAX)
			continue;
		x = finding_add(
			c->f, "instance-name", SEV_ERROR, in->name,
			len > MK_NAME_MAX
				? "instance name \"%s\" is longer than 31 "
				  "characters"
				: "instance name \"%s\" is not a valid name",
			in->name);
		finding_detail(
			x, "Names use letters, digits and , . _ + - (no '@' or "
			   "'/'), at most 31 characters: they are directory "
			   "names in /sys/fs/multikernel/instances/");
		finding_loc(x, &in->at.pos);
	}
	for (i = 0; i < m->ndups; i++)
		duplicate(c, m->dups[i].name, &m->dups[i].first,
			  &m->dups[i].second);
}

/*
 * The lowest free id above *last (ix sorted by id), remembered in *last so
 * that successive suggestions of one run never offer the same id twice.
 */
static uint32_t lowest_free_id(const struct mk_model *m, const size_t *ix,
			       size_t n, uint32_t *last)
{
	uint32_t want = *last + 1;
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t id = m->instances[ix[i]].id;

		if (id == want)
			want++;
		else if (id > want)
			break;
	}
	*last = want;
	return want;
}

void check_instance_id(struct check_ctx *c)
{
	const struct mk_model *m = c->m;
	size_t *ix = xmalloc((m->ninstances + 1) * sizeof(*ix));
	struct key_idx *kv = xmalloc((m->ninstances + 1) * sizeof(*kv));
	size_t n = 0, i;
	uint32_t last = 0, first, free_id;

	/* by id, then instance */
	for (i = 0; i < m->ninstances; i++)
		if (m->instances[i].has_id)
			kv[n++] = (struct key_idx){m->instances[i].id, i};
	sort_key_idx(kv, n);
	for (i = 0; i < n; i++)
		ix[i] = kv[i].idx;
	free(kv);
	first = lowest_free_id(m, ix, n, &last);
	last = 0;
	for (i = 0; i < n; i++) {
		const struct mk_instance *in = &m->instances[ix[i]];
		struct finding *x;

		if (in->id < 1 || in->id > MK_ID_MAX) {
			x = finding_add(c->f, "instance-id", SEV_ERROR,
					in->name,
					"instance id %u is out of range (1-%u)",
					in->id, MK_ID_MAX);
			free_id = lowest_free_id(m, ix, n, &last);
			finding_suggest(x,
					"Use id = <%u>; (the %s free id), or "
					"leave id out",
					free_id,
					free_id == first ? "lowest" : "next");
			finding_loc(x, &in->id_at.pos);
		}
		if (i && m->instances[ix[i - 1]].id == in->id) {
			size_t f = i - 1;

			while (f && m->instances[ix[f - 1]].id == in->id)
				f--;
			x = finding_add(
				c->f, "instance-id", SEV_ERROR, in->name,
				"Duplicate instance ID: %u assigned to both %s "
				"and %s",
				in->id, m->instances[ix[f]].name, in->name);
			free_id = lowest_free_id(m, ix, n, &last);
			finding_suggest(
				x, "Use id = <%u>; (the %s free id) for %s",
				free_id, free_id == first ? "lowest" : "next",
				in->name);
			finding_loc(x, &m->instances[ix[f]].id_at.pos);
			finding_loc(x, &in->id_at.pos);
		}
	}
	free(ix);
}
