// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf apply FILE [--dry-run] [--prune]
 *
 * Make the kernel's instances match a full-system file: validate the file
 * and the resulting state, print the plan, apply it as transactions in a
 * safe order (deletes and shrinks first, then creates and grows), and on
 * the first failure roll back everything already applied.  The same code
 * prints the plan only for `kerf diff` (diff.c).
 */
#include "cmd/mutate.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <inttypes.h>
#include <strings.h>
#include <unistd.h>

#include "check/pipeline.h"
#include "check/render.h"
#include "dt/dt.h"
#include "kernel/mkfs.h"
#include "kernel/txn.h"
#include "util/util.h"

enum {
	OPT_DRY_RUN = OPT_CMD_BASE,
	OPT_PRUNE,
};

static const struct kerf_opt apply_opts[] = {
	{"dry-run", 0, no_argument, NULL,
	 "validate and print the plan; touch nothing", OPT_DRY_RUN},
	{"prune", 0, no_argument, NULL,
	 "delete instances the file does not list", OPT_PRUNE},
	{NULL, 0, 0, NULL, NULL, 0},
};

const struct kerf_cmd kerf_cmd_apply = {
	.name = "apply",
	.fn = cmd_apply,
	.summary = "make the kernel's instances match a full-system file",
	.usage = "FILE [--dry-run] [--prune]",
	.opts = apply_opts,
};

struct apply_args {
	bool dry_run, prune;
};

static int apply_opt(struct kerf_ctx *ctx, int id, const char *arg,
		     void *data)
{
	struct apply_args *a = data;

	(void)ctx;
	(void)arg;
	if (id == OPT_DRY_RUN)
		a->dry_run = true;
	else if (id == OPT_PRUNE)
		a->prune = true;
	else
		return KERF_EXIT_USAGE;
	return 0;
}

/* The file must be valid on its own (findings on stderr); exit status. */
static int load_file(struct kerf_ctx *ctx, const char *path, struct vrun *v)
{
	struct check_opts co = {0};
	struct render_opts ro = {0};
	struct emitter *e;
	int st;

	st = vrun_load(v, path, NULL, NULL, &co);
	if (st != VRUN_OK)
		return kerf_report_load_error(ctx, v, st, path);
	if (v->d.n)
		diags_print(stderr, &v->d);
	ro.unicode = ctx->unicode;
	if (findings_valid(&v->f, false))
		return 0;
	e = emit_new(stderr, OUT_TEXT);
	render_findings(e, &v->f, &ro);
	render_summary(e, &v->f, &ro, "Validation passed");
	emit_free(e);
	return KERF_EXIT_INVALID;
}

/* A create that failed part-way may leave the instance: remove it. */
static void remove_partial(struct mut *mt, const char *name)
{
	struct mkfs_instance fi;
	struct mk2_blobs rb = {0};
	unsigned int txid = 0;
	struct diags d;

	if (mkfs_read_instance(&mt->kp, name, false, &fi, NULL))
		return;
	mkfs_instance_free(&fi);
	diags_init(&d);
	if (mk2_remove_blob(name, &rb) == 0) {
		struct txn_blob tb = {rb.v[0], rb.len[0],
				      "remove the partly created instance"};

		if (txn_apply(&mt->kp, &mt->lk, &tb, 1, &txid, &d) == 0)
			fprintf(stderr,
				"  The partly created instance '%s' was "
				"removed again (transaction %u).\n",
				name, txid);
		else
			diags_print(stderr, &d);
	}
	mk2_blobs_free(&rb);
	diags_free(&d);
}

static const char *step_verb(enum plan_step_kind k)
{
	switch (k) {
	case PLAN_DELETE: return "Deleted";
	case PLAN_CREATE: return "Created";
	default: return "Updated";
	}
}

static bool pool_kind(enum plan_step_kind k)
{
	return k == PLAN_POOL_GROW || k == PLAN_POOL_SHRINK;
}

/* What apply works with besides the plan. */
struct apply_ctx {
	struct kerf_ctx *ctx;
	struct mut *mt;
	struct vrun *v;
	const char *path;
	bool prune;
	const char *arrow;
	char *desc;		/* the file's host description, when the
				 * pool changes */
	size_t desc_len;
	char desc_path[40];	/* ... in a temporary file */
	bool desc_file;
};

/* The pool tree, parsed. */
static int pool_read(struct mut *mt, struct mk2_readback *rb,
		     struct diags *d)
{
	void *blob = NULL;
	size_t len = 0;
	int ret;

	memset(rb, 0, sizeof(*rb));
	ret = mkfs_read_pool(&mt->kp, &blob, &len, d);
	if (ret)
		return ret;
	ret = mk2_parse_readback(blob, len, rb);
	free(blob);
	if (ret)
		kp_err(d, "cannot read the pool tree of the kernel");
	return ret;
}

static bool has_u64(const uint64_t *v, size_t n, uint64_t x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static bool has_str(char **v, size_t n, const char *x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcasecmp(v[i], x))
			return true;
	return false;
}

static bool has_chunk(const struct mk2_readback *rb, const struct mk2_chunk *c)
{
	size_t i;

	for (i = 0; i < rb->nchunks; i++)
		if (rb->chunks[i].base == c->base &&
		    rb->chunks[i].size == c->size)
			return true;
	return false;
}

static struct mk2_item *push(struct mk2_item **v, size_t *n, enum mk2_op op)
{
	struct mk2_item *it;

	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	it = &(*v)[(*n)++];
	memset(it, 0, sizeof(*it));
	it->op = op;
	it->numa = -1;
	return it;
}

/*
 * Bring the pool back to want after a failure: rmdir cannot undo a
 * /resources memory-add (the kernel never recorded the chunk), and a
 * failed transaction keeps what ran.  Memory is restored per node by
 * amount: the chunks that are new go, what is missing is regrown.
 */
static void pool_restore(struct mut *mt, const struct mk2_readback *want)
{
	struct mk2_readback now;
	struct mk2_item *items = NULL;
	struct mk2_blobs b = {0};
	struct diags d;
	size_t n = 0, i, k;
	int64_t *nodes;
	size_t nn = 0;

	diags_init(&d);
	if (pool_read(mt, &now, &d)) {
		fputs("  Could not read the pool back to check what the "
		      "kernel kept; check 'kerf show'.\n", stderr);
		goto out_nonow;
	}
	nodes = xzalloc((now.nchunks + want->nchunks + 1) * sizeof(*nodes));
	for (i = 0; i < now.nchunks + want->nchunks; i++) {
		size_t c = i - now.nchunks;
		int64_t x = i < now.nchunks ? now.chunks[i].numa
					    : want->chunks[c].numa;

		for (k = 0; k < nn && nodes[k] != x; k++)
			;
		if (k == nn)
			nodes[nn++] = x;
	}
	for (k = 0; k < nn; k++) {
		uint64_t have = 0, need = 0;

		for (i = 0; i < now.nchunks; i++)
			if (now.chunks[i].numa == nodes[k])
				have += now.chunks[i].size;
		for (i = 0; i < want->nchunks; i++)
			if (want->chunks[i].numa == nodes[k])
				need += want->chunks[i].size;
		for (i = now.nchunks; have > need && i-- > 0;) {
			const struct mk2_chunk *c = &now.chunks[i];
			struct mk2_item *it;

			if (c->numa != nodes[k] || has_chunk(want, c) ||
			    c->size > have - need)
				continue;
			it = push(&items, &n, MK2_MEM_REMOVE);
			it->a = c->base;
			it->b = c->size;
			have -= c->size;
		}
		if (have < need) {
			struct mk2_item *it = push(&items, &n, MK2_MEM_ADD);

			it->b = need - have;
			it->numa = nodes[k];
		}
	}
	free(nodes);
	/* keep the kernel's order: memory-remove, memory-add, ... */
	for (i = 1; i < n; i++)
		if (items[i].op == MK2_MEM_REMOVE &&
		    items[i - 1].op == MK2_MEM_ADD) {
			struct mk2_item t = items[i];

			items[i] = items[i - 1];
			items[i - 1] = t;
			i = 0;
		}
	for (i = 0; i < now.ncpus; i++)
		if (!has_u64(want->cpus, want->ncpus, now.cpus[i]))
			push(&items, &n, MK2_CPU_REMOVE)->a = now.cpus[i];
	for (i = 0; i < want->ncpus; i++)
		if (!has_u64(now.cpus, now.ncpus, want->cpus[i]))
			push(&items, &n, MK2_CPU_ADD)->a = want->cpus[i];
	for (i = 0; i < now.npci; i++)
		if (!has_str(want->pci, want->npci, now.pci[i])) {
			struct mk2_item *it = push(&items, &n, MK2_DEV_REMOVE);

			it->pci.name = now.pci[i];
			it->pci.pci_id = now.pci[i];
		}
	for (i = 0; i < want->npci; i++)
		if (!has_str(now.pci, now.npci, want->pci[i])) {
			struct mk2_item *it = push(&items, &n, MK2_DEV_ADD);

			it->pci.name = want->pci[i];
			it->pci.pci_id = want->pci[i];
		}
	if (!n) {
		fputs("  The pool is as it was before.\n", stderr);
		goto out;
	}
	if (mk2_pool_blobs(items, n, &b) == 0) {
		unsigned int *ids = xzalloc(b.n * sizeof(*ids));
		struct txn_blob *tb = xzalloc(b.n * sizeof(*tb));

		for (i = 0; i < b.n; i++) {
			tb[i].dtbo = b.v[i];
			tb[i].len = b.len[i];
			tb[i].what = "undo the pool changes";
		}
		if (txn_apply(&mt->kp, &mt->lk, tb, b.n, ids, &d) == 0)
			fprintf(stderr,
				"  The pool changes the kernel kept were "
				"undone (transaction %u).\n",
				ids[0]);
		else
			fputs("  The pool is left partly changed; check "
			      "'kerf show'.\n", stderr);
		free(ids);
		free(tb);
	}
out:
	mk2_readback_free(&now);
out_nonow:
	diags_print(stderr, &d);
	diags_free(&d);
	mk2_blobs_free(&b);
	free(items);
}

/* Read the state (on the file's description when the pool changes). */
static int read_state(struct apply_ctx *ac)
{
	struct mut *mt = ac->mt;
	int ret;

	kstate_free(&mt->st);
	kstate_init(&mt->st);
	ret = kstate_read_desc(&mt->kp, &mt->st,
			       ac->desc_file ? ac->desc_path : NULL, &mt->d);
	return ret ? mut_fail(mt, ret) : 0;
}

/*
 * Once the pool has grown by memory, the chunks are real: plan the rest
 * again on them.  0 or an exit status (printed).
 */
static int replan(struct apply_ctx *ac, struct plan_apply *p)
{
	struct kerf_ctx *ctx = ac->ctx;
	char err[4096];
	bool quiet = ctx->quiet;
	size_t i;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = read_state(ac);
	if (ret)
		return ret;
	if (plan_apply(&ac->mt->kp, &ac->mt->st, &ac->v->model, ac->prune,
		       ac->arrow, p, err, sizeof(err))) {
		kerf_error("cannot go on with %s once the pool grew: %s",
			   ac->path, err);
		return KERF_EXIT_SYSTEM;
	}
	for (i = 0; i < p->nsteps; i++)
		if (p->steps[i].kind == PLAN_POOL_GROW) {
			kerf_error("the pool still differs from %s after "
				   "growing it (%s)",
				   ac->path, p->steps[i].text);
			return KERF_EXIT_SYSTEM;
		}
	ctx->quiet = true;
	ret = mut_validate(ctx, ac->mt, false);
	ctx->quiet = quiet;
	return ret ? KERF_EXIT_SYSTEM : 0;
}

/* "chunk 0x...-0x..." of the chunks after has and before had not. */
static char *new_chunks(const struct mk2_readback *before,
			const struct mk2_readback *after)
{
	struct strbuf sb;
	size_t i;

	sb_init(&sb);
	for (i = 0; i < after->nchunks; i++)
		if (!has_chunk(before, &after->chunks[i]))
			sb_addf(&sb, "%schunk 0x%" PRIx64 "-0x%" PRIx64,
				sb.len ? ", " : ": ", after->chunks[i].base,
				after->chunks[i].base + after->chunks[i].size -
					1);
	return sb_detach(&sb, NULL);
}

/* Apply every step; on failure roll back what was applied.  Exit status. */
static int run_steps(struct apply_ctx *ac, struct plan_apply *p0)
{
	struct kerf_ctx *ctx = ac->ctx;
	struct mut *mt = ac->mt;
	struct plan_apply p2, *p = p0;
	struct mk2_readback snap;
	unsigned int *done = NULL;
	size_t ndone = 0, nrun = 0, i, k;
	struct strbuf ids, deleted;
	bool have_snap = false, touched = false, again = false;
	int ret = KERF_EXIT_OK;

	memset(&p2, 0, sizeof(p2));
	sb_init(&ids);
	sb_init(&deleted);
	for (i = 0; i < p0->nsteps; i++)
		if (pool_kind(p0->steps[i].kind))
			break;
	if (i < p0->nsteps) {
		struct cpumap map;

		if (pool_read(mt, &snap, &mt->d))
			return mut_fail(mt, -EIO);
		have_snap = true;
		/* save the CPU map before any CPU leaves the host */
		cpumap_init(&map);
		if (cpumap_resolve(&mt->kp, NULL, 0, &map, &mt->d))
			diags_print(stderr, &mt->d);
		cpumap_free(&map);
		diags_free(&mt->d);
		diags_init(&mt->d);
	}
	for (i = 0; i < p->nsteps; i++) {
		struct plan_step *s = &p->steps[i];
		struct txn_blob *tb;
		unsigned int *tx;
		struct mk2_readback before;
		char *what, *chunks = NULL;
		int r;

		if (again && s->kind != PLAN_POOL_GROW) {
			again = false;
			ret = replan(ac, &p2);
			if (ret)
				break;
			p = &p2;
			i = (size_t)-1;
			continue;
		}
		tb = xzalloc(s->blobs.n * sizeof(*tb));
		tx = xzalloc(s->blobs.n * sizeof(*tx));
		if (pool_kind(s->kind))
			what = xasprintf("change the pool (%s)", s->summary);
		else
			what = xasprintf("%s instance '%s' (id %d)",
					 s->kind == PLAN_DELETE ? "delete"
					 : s->kind == PLAN_CREATE
						 ? "create"
						 : "update",
					 s->name, s->id);
		for (k = 0; k < s->blobs.n; k++) {
			tb[k].dtbo = s->blobs.v[k];
			tb[k].len = s->blobs.len[k];
			tb[k].what = what;
		}
		if (ctx->debug)
			mut_print_blobs(ctx, &s->blobs, s->name);
		memset(&before, 0, sizeof(before));
		if (s->pool_mem && pool_read(mt, &before, &mt->d))
			r = -EIO;
		else
			r = txn_apply(&mt->kp, &mt->lk, tb, s->blobs.n, tx,
				      &mt->d);
		free(tb);
		free(what);
		if (r) {
			diags_print(stderr, &mt->d);
			diags_free(&mt->d);
			diags_init(&mt->d);
			if (pool_kind(s->kind))
				touched = true;
			else if (s->kind == PLAN_CREATE)
				remove_partial(mt, s->name);
			else if (s->kind != PLAN_DELETE)
				mut_restore(mt, s->name, &s->snap);
			mk2_readback_free(&before);
			free(tx);
			ret = KERF_EXIT_SYSTEM;
			break;
		}
		if (s->pool_mem) {
			struct mk2_readback after;

			if (pool_read(mt, &after, NULL) == 0)
				chunks = new_chunks(&before, &after);
			mk2_readback_free(&after);
			again = true;
		}
		mk2_readback_free(&before);
		if (pool_kind(s->kind))
			touched = true;
		if (s->kind == PLAN_DELETE)
			sb_addf(&deleted, "%s%s", deleted.len ? "\n" : "",
				s->name);
		if (!ctx->quiet && pool_kind(s->kind)) {
			printf("%s Pool: %s%s (transaction %u",
			       sym_ok(ctx), s->summary, chunks ? chunks : "",
			       tx[0]);
		} else if (!ctx->quiet) {
			printf("%s %s instance '%s' (id %d, transaction %u",
			       sym_ok(ctx), step_verb(s->kind), s->name,
			       s->id, tx[0]);
		}
		if (!ctx->quiet) {
			for (k = 1; k < s->blobs.n; k++)
				printf(", %u", tx[k]);
			printf(")%s%s\n",
			       s->summary && !pool_kind(s->kind) ? ": " : "",
			       s->summary && !pool_kind(s->kind) ? s->summary
								 : "");
		}
		free(chunks);
		done = xrealloc(done, (ndone + s->blobs.n) * sizeof(*done));
		for (k = 0; k < s->blobs.n; k++) {
			done[ndone++] = tx[k];
			sb_addf(&ids, "%s%u", ids.len ? ", " : "", tx[k]);
		}
		nrun++;
		free(tx);
	}
	if (ret && (ndone || touched)) {
		struct diags d;

		if (ndone)
			fprintf(stderr, "  Rolling back the %zu transaction%s "
					"already applied from %s.\n",
				ndone, ndone == 1 ? "" : "s", ac->path);
		diags_init(&d);
		if (ndone && txn_rollback(&mt->kp, done, ndone, &d))
			fprintf(stderr, "  Some transactions could not be "
					"rolled back:\n");
		diags_print(stderr, &d);
		diags_free(&d);
		if (have_snap && touched)
			pool_restore(mt, &snap);
		if (deleted.len) {
			char *save = NULL, *nm;

			for (nm = strtok_r(deleted.buf, "\n", &save); nm;
			     nm = strtok_r(NULL, "\n", &save))
				fprintf(stderr,
					"  Instance '%s' stays deleted: the "
					"kernel cannot undo an "
					"instance-remove.\n",
					nm);
		}
	} else if (!ret) {
		if (ac->desc) {
			/* later commands see the new inventory */
			int r = kp_write_atomic(&mt->kp, KSTATE_BASELINE_FILE,
						ac->desc, ac->desc_len);

			if (r)
				kerf_warn("cannot save the host description "
					  "in %s: %s",
					  KSTATE_BASELINE_FILE, strerror(-r));
		}
		if (!ctx->quiet)
			printf("%s Applied %zu change%s from %s (transaction%s "
			       "%s)\n",
			       sym_ok(ctx), nrun, nrun == 1 ? "" : "s",
			       ac->path, ndone == 1 ? "" : "s",
			       ids.buf ? ids.buf : "");
	}
	if (have_snap)
		mk2_readback_free(&snap);
	plan_apply_free(&p2);
	sb_free(&ids);
	sb_free(&deleted);
	free(done);
	return ret;
}

/*
 * The file's description of the host (the file without its instances),
 * as DTS text and in a temporary file.  0 or an exit status.
 */
static int make_desc(struct apply_ctx *ac)
{
	struct dt_tree *t = ac->v->tree;
	struct dt_node *inst = t && t->root ? dt_child(t->root, "instances")
					    : NULL;
	FILE *f;
	int fd;

	f = open_memstream(&ac->desc, &ac->desc_len);
	if (!f)
		return KERF_EXIT_SYSTEM;
	if (inst)
		dt_node_unlink(inst);
	dts_write(f, t);
	fclose(f);
	if (inst)
		dt_node_add_child(t->root, inst);
	snprintf(ac->desc_path, sizeof(ac->desc_path),
		 "/tmp/kerf-host-XXXXXX.dts");
	fd = mkstemps(ac->desc_path, 4);
	if (fd < 0 || write_file(ac->desc_path, ac->desc, ac->desc_len)) {
		kerf_error("cannot write a temporary file: %s",
			   strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(ac->desc_path);
		}
		return KERF_EXIT_SYSTEM;
	}
	close(fd);
	ac->desc_file = true;
	return 0;
}

static void print_plan(struct kerf_ctx *ctx, const struct plan_apply *p,
		       const char *path, bool prune)
{
	size_t i;

	if (!p->nsteps)
		printf("%s No differences: the kernel matches %s\n",
		       sym_ok(ctx), path);
	else
		printf("Plan for %s (%zu change%s):\n", path, p->nsteps,
		       p->nsteps == 1 ? "" : "s");
	for (i = 0; i < p->nsteps; i++)
		printf("  %s\n", p->steps[i].text);
	for (i = 0; i < p->nkept; i++)
		printf("  = keep %s (not in the file%s)\n", p->kept[i],
		       prune ? "" : "; --prune deletes it");
}

int apply_run(struct kerf_ctx *ctx, const struct kerf_cmd *cmd, int argc,
	      char **argv, bool diff_only)
{
	struct apply_args a = {0};
	struct apply_ctx ac;
	struct plan_apply p;
	struct vrun v;
	struct mut mt;
	const char *path;
	char err[4096];
	int first, ret;
	bool begun = false, loaded = false, differs = false;

	memset(&p, 0, sizeof(p));
	memset(&ac, 0, sizeof(ac));
	ret = kerf_parse_opts(ctx, cmd, argc, argv, &first, apply_opt, &a);
	if (ret)
		return ret < 0 ? KERF_EXIT_OK : ret;
	if (first >= argc)
		return kerf_usage_error(ctx, "missing FILE");
	if (argc - first > 1)
		return kerf_usage_error(ctx, "unexpected argument '%s'",
					argv[first + 1]);
	path = argv[first];
	if (diff_only)
		a.dry_run = true;
	memset(&v, 0, sizeof(v));
	loaded = true;
	ret = load_file(ctx, path, &v);
	if (ret)
		goto out;
	ret = mut_begin(ctx, &mt, a.dry_run);
	begun = true;
	if (ret)
		goto out;
	ret = mut_need_pool(&mt);
	if (ret)
		goto out;
	ac.ctx = ctx;
	ac.mt = &mt;
	ac.v = &v;
	ac.path = path;
	ac.prune = a.prune;
	ac.arrow = ctx->unicode ? "\u2192" : "->";
	if (plan_pool_differs(&mt.kp, &mt.st, &v.model, &differs, err,
			      sizeof(err))) {
		kerf_error("cannot compare the pool of %s with the kernel's: "
			   "%s",
			   path, err);
		ret = KERF_EXIT_INVALID;
		goto out;
	}
	if (differs) {
		/* plan on the host as the file describes it */
		ret = make_desc(&ac);
		ret = ret ?: read_state(&ac);
		if (ret)
			goto out;
	}
	if (plan_apply(&mt.kp, &mt.st, &v.model, a.prune, ac.arrow, &p, err,
		       sizeof(err))) {
		kerf_error("cannot apply %s: %s", path, err);
		ret = KERF_EXIT_INVALID;
		goto out;
	}
	/* the whole resulting state must validate */
	ret = mut_validate(ctx, &mt, a.dry_run);
	if (ret)
		goto out;
	if (!ctx->quiet || a.dry_run)
		print_plan(ctx, &p, path, a.prune);
	if (diff_only || !p.nsteps) {
		ret = KERF_EXIT_OK;
		goto out;
	}
	if (a.dry_run) {
		if (ctx->debug)
			for (size_t i = 0; i < p.nsteps; i++)
				mut_print_blobs(ctx, &p.steps[i].blobs,
						p.steps[i].name);
		printf("\n%s Plan validated (dry-run mode); remove --dry-run "
		       "to apply it\n",
		       sym_ok(ctx));
		ret = KERF_EXIT_OK;
		goto out;
	}
	ret = run_steps(&ac, &p);
out:
	plan_apply_free(&p);
	if (begun)
		mut_end(&mt);
	if (loaded)
		vrun_free(&v);
	if (ac.desc_file)
		unlink(ac.desc_path);
	free(ac.desc);
	return ret;
}

int cmd_apply(struct kerf_ctx *ctx, int argc, char **argv)
{
	return apply_run(ctx, &kerf_cmd_apply, argc, argv, false);
}
