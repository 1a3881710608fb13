// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerf init --input=FILE [--dry-run] [--report] [--format=FMT]
 *
 * Validate a baseline (checks.md, with baseline-no-instances) and show the
 * report of cli.md.  Writing the baseline to the kernel comes with the
 * one write(2) of the mk2 baseline (kernel.md §2).
 */
#include "check/pipeline.h"
#include "check/render.h"
#include "check/report.h"
#include "cmd/cmd.h"
#include "dt/dt.h"
#include "kernel/host.h"
#include "kernel/lock.h"
#include "kernel/mk2.h"
#include "kernel/mkfs.h"
#include "model/size.h"
#include "plan/state.h"

#include <errno.h>

#include <getopt.h>
#include <inttypes.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
	OPT_INPUT = 'i',
	OPT_CPUS = 'c',
	OPT_MEMORY = 'm',
	OPT_DEVICES = 'd',
	OPT_DRY_RUN = OPT_CMD_BASE,
	OPT_REPORT,
	OPT_WERROR,
	OPT_WARN = 'W',
};

static const struct kerf_opt init_opts[] = {
	{"input", 'i', required_argument, "FILE",
	 "the baseline (DTS or DTB, any form of schema.md section 2)", OPT_INPUT},
	{"cpus", 'c', required_argument, "LIST",
	 "build the baseline from the host: these logical CPUs go to the "
	 "pool (CPU 0 stays with the host)",
	 OPT_CPUS},
	{"memory", 'm', required_argument, "SIZE",
	 "with --cpus: the memory pool size", OPT_MEMORY},
	{"devices", 'd', required_argument, "LIST",
	 "with --cpus: PCI functions for the pool (0000:01:00.0,...); their "
	 "VFs are made available",
	 OPT_DEVICES},
	{"dry-run", 0, no_argument, NULL,
	 "validate and show what would be written; touch nothing", OPT_DRY_RUN},
	{"report", 0, no_argument, NULL, "print the validation report",
	 OPT_REPORT},
	{"warning", 'W', required_argument, "no-NAME",
	 "silence the warning check NAME", OPT_WARN},
	{"werror", 0, no_argument, NULL, "treat warnings as errors",
	 OPT_WERROR},
	{NULL, 0, 0, NULL, NULL, 0},
};

const struct kerf_cmd kerf_cmd_init = {
	.name = "init",
	.fn = cmd_init,
	.summary = "validate a baseline and write it to the kernel",
	.usage = "(--input=FILE | --cpus=LIST --memory=SIZE [--devices=LIST]) "
		 "[--dry-run] [--report] [--format=FMT]",
	.opts = init_opts,
	.takes_format = true,
};

struct init_args {
	const char *input;
	const char *cpus, *memory, *devices;
	bool dry_run, report, werror;
	const char **disabled;
	size_t ndisabled;
};

static int init_opt(struct kerf_ctx *ctx, int id, const char *arg, void *data)
{
	struct init_args *a = data;

	switch (id) {
	case OPT_INPUT:
		a->input = arg;
		return 0;
	case OPT_CPUS:
		a->cpus = arg;
		return 0;
	case OPT_MEMORY:
		a->memory = arg;
		return 0;
	case OPT_DEVICES:
		a->devices = arg;
		return 0;
	case OPT_DRY_RUN:
		a->dry_run = true;
		return 0;
	case OPT_REPORT:
		a->report = true;
		return 0;
	case OPT_WERROR:
		a->werror = true;
		return 0;
	case OPT_WARN:
		return kerf_parse_warning(ctx, arg, &a->disabled,
					  &a->ndisabled);
	default:
		return KERF_EXIT_USAGE;
	}
}

/* The pool the kernel has against the one requested; differences in sb. */
static void pool_diff(const struct mk_model *want, const struct kstate *st,
		      struct strbuf *sb)
{
	char a[32], b[32];

	if (!cpuset_equal(&want->cpus.available, &st->pool_cpus)) {
		char *x = cpuset_format(&st->pool_cpus);
		char *y = cpuset_format(&want->cpus.available);

		sb_addf(sb, "  CPUs: the pool has %s, the file asks for %s\n",
			*x ? x : "none", *y ? y : "none");
		free(x);
		free(y);
	}
	if (want->mem.pool_bytes != st->model.mem.pool_bytes)
		sb_addf(sb, "  Memory: the pool has %s, the file asks for %s\n",
			size_format(a, sizeof(a), st->model.mem.pool_bytes,
				    SIZE_IEC),
			size_format(b, sizeof(b), want->mem.pool_bytes,
				    SIZE_IEC));
}

/*
 * A baseline write failed.  The kernel does not undo what it did before
 * the failure (memory chunks first, then CPUs in order, then devices), so
 * read the pool back and say exactly what it kept.
 */
static void report_partial(const struct kport *kp, const struct mk_model *want)
{
	struct kstate st;
	struct diags d;
	char sz[32];

	kstate_init(&st);
	diags_init(&d);
	if (kstate_read(kp, &st, &d)) {
		fputs("  Could not read the pool back to see what the kernel "
		      "kept; check 'kerf show' and 'dmesg'.\n", stderr);
		goto out;
	}
	/* memory comes first: without a chunk no CPU or device moved (and
	 * the tree describes the host itself) */
	if (!st.initialized) {
		fputs("  The kernel kept nothing: there is no pool. Fix the "
		      "cause ('dmesg | grep Baseline') and run 'kerf init' "
		      "again.\n", stderr);
		goto out;
	}
	{
		char *kept = cpuset_format(&st.pool_cpus);
		struct cpuset miss;
		char *m;

		cpuset_init(&miss);
		cpuset_copy(&miss, &want->cpus.available);
		cpuset_andnot(&miss, &st.pool_cpus);
		m = cpuset_format(&miss);
		fprintf(stderr, "  The kernel does not undo a failed baseline; "
				"it kept a partial pool:\n"
				"    CPUs: %s (of %u requested; not in the "
				"pool: %s)\n"
				"    Memory: %s in %zu chunk%s\n"
				"    Devices: %zu PCI function%s\n",
			*kept ? kept : "none",
			cpuset_count(&want->cpus.available), *m ? m : "none",
			size_format(sz, sizeof(sz), st.model.mem.pool_bytes,
				    SIZE_IEC),
			st.model.mem.npool,
			st.model.mem.npool == 1 ? "" : "s", st.npool_pci,
			st.npool_pci == 1 ? "" : "s");
		free(kept);
		free(m);
		cpuset_free(&miss);
	}
	fputs("  A baseline cannot be written while a pool exists: fix the "
	      "cause and complete the pool\n  with 'kerf apply FILE', or "
	      "reboot the host to start over and run 'kerf init'\n"
	      "  again. 'kerf show' shows the partial pool.\n", stderr);
out:
	diags_free(&d);
	kstate_free(&st);
}

/* Write the validated baseline to the kernel (kernel.md §2). */
static int init_apply(struct kerf_ctx *ctx, struct vrun *v, const char *input)
{
	struct kport kp;
	struct kerf_lock lk = {.fd = -1};
	struct host_info host;
	struct kstate st;
	struct findings f;
	struct diags d;
	struct dt_tree *bt = NULL;
	struct cpumap map;
	void *blob = NULL;
	size_t len;
	bool have_host;
	int ret, err;

	kport_init(&kp, ctx->sysroot, ctx->debug);
	diags_init(&d);
	findings_init(&f);
	cpumap_init(&map);
	kstate_init(&st);
	have_host = host_read(ctx->sysroot, &host) == 0;
	err = kerf_lock_acquire(&kp, &lk, ctx->lock_timeout_ms, &d);
	if (!err)
		err = mkfs_mount(&kp, &d);
	if (err) {
		ret = err == -ENODEV ? KERF_EXIT_NO_MK : KERF_EXIT_SYSTEM;
		goto fail;
	}
	/* save the CPU map before any CPU leaves the host */
	err = cpumap_resolve(&kp,
			     v->model.cpus.nphys ? v->model.cpus.phys : NULL,
			     v->model.cpus.nphys, &map, &d);
	if (err) {
		ret = KERF_EXIT_SYSTEM;
		goto fail;
	}
	err = kstate_read(&kp, &st, &d);
	if (err) {
		ret = err == -ENODEV ? KERF_EXIT_NO_MK : KERF_EXIT_SYSTEM;
		goto fail;
	}
	if (st.initialized) {
		struct strbuf sb;

		sb_init(&sb);
		pool_diff(&v->model, &st, &sb);
		if (!sb.len) {
			if (!ctx->quiet)
				printf("%s Already initialized: the kernel's "
				       "pool matches the baseline\n",
				       sym_ok(ctx));
			kstate_save_baseline(&kp, v->tree, NULL);
			sb_free(&sb);
			ret = KERF_EXIT_OK;
			goto out;
		}
		kerf_error("the kernel already has a different pool; a "
			   "baseline can be written only once");
		fputs(sb.buf, stderr);
		fprintf(stderr, "  Change the pool with 'kerf apply %s': it "
				"moves CPUs, memory and devices\n  through "
				"/resources overlays.\n",
			input ? input : "FILE");
		sb_free(&sb);
		ret = KERF_EXIT_INVALID;
		goto out;
	}
	if (mk2_baseline_tree(&v->model, have_host ? &host : NULL, &bt, &f)) {
		struct render_opts ro = {.unicode = ctx->unicode};
		struct emitter *e = emit_new(stderr, OUT_TEXT);

		render_findings(e, &f, &ro);
		emit_free(e);
		ret = KERF_EXIT_INVALID;
		goto out;
	}
	err = dtb_write(bt, &blob, &len, &d);
	if (err) {
		ret = KERF_EXIT_SYSTEM;
		goto fail;
	}
	if (ctx->debug) {
		printf("Debug: baseline written to the kernel:\n");
		dts_write(stdout, bt);
		fflush(stdout);
	}
	err = mkfs_write_baseline(&kp, blob, len, &d);
	if (err) {
		diags_print(stderr, &d);
		if (err != -E2BIG && err != -EINVAL && err != -EACCES &&
		    err != -EPERM)
			report_partial(&kp, &v->model);
		ret = KERF_EXIT_SYSTEM;
		goto out;
	}
	kstate_save_baseline(&kp, v->tree, &d);
	if (d.n)
		diags_print(stderr, &d);
	if (!ctx->quiet) {
		printf("%s Baseline applied to kernel successfully\n",
		       sym_ok(ctx));
		printf("  Baseline: /%s\n", KP_MKFS_TREE);
	}
	ret = KERF_EXIT_OK;
	goto out;
fail:
	diags_print(stderr, &d);
out:
	free(blob);
	dt_tree_free(bt);
	kerf_lock_release(&kp, &lk);
	free(lk.path);
	kstate_free(&st);
	cpumap_free(&map);
	findings_free(&f);
	diags_free(&d);
	if (have_host)
		host_free(&host);
	return ret;
}

/*
 * --cpus/--memory/--devices: the baseline of this host, as DTS in the
 * temporary file tmp (a mkstemps template).  The logical CPUs the host
 * has, their physical ids, its memory and the PCI functions named come
 * from the host under the sysroot; the pool is asked for at the top of
 * memory (the kernel places it where it can: kernel.md §2).  0 or an
 * exit status (printed).
 */
static int host_baseline(struct kerf_ctx *ctx, const struct init_args *a,
			 char *tmp)
{
	struct host_info host;
	struct cpuset want, rest;
	struct cpuset_error ce;
	struct strbuf sb;
	uint64_t pool, total = 0, base;
	uint32_t ncpu = 0;
	char err[256];
	size_t i;
	int fd, ret = KERF_EXIT_OK;

	if (!a->memory)
		return kerf_usage_error(ctx, "--cpus needs --memory=SIZE (the "
					     "pool size)");
	if (size_parse(a->memory, &pool, err, sizeof(err)))
		return kerf_usage_error(ctx, "invalid memory size '%s': %s",
					a->memory, err);
	cpuset_init(&want);
	cpuset_init(&rest);
	if (cpuset_parse(&want, a->cpus, &ce) || cpuset_empty(&want)) {
		cpuset_free(&want);
		return kerf_usage_error(ctx, "invalid CPU list '%s'", a->cpus);
	}
	if (host_read(ctx->sysroot, &host)) {
		kerf_error("cannot read the host under %s", ctx->sysroot);
		cpuset_free(&want);
		return KERF_EXIT_SYSTEM;
	}
	if (!host.have_cpus || !host.have_mem) {
		kerf_error("cannot build a baseline: the host does not report "
			   "its %s",
			   !host.have_cpus ? "CPUs (proc/cpuinfo, "
					     "sys/devices/system/cpu)"
					   : "memory (proc/meminfo)");
		ret = KERF_EXIT_SYSTEM;
		goto out;
	}
	cpuset_for_each(&host.cpus, c) ncpu = (uint32_t)c + 1;
	cpuset_for_each(&want, c)
	{
		if (!cpuset_has(&host.cpus, (uint32_t)c)) {
			char *l = cpuset_format(&host.cpus);

			kerf_error("CPU %u does not exist on this host (it has "
				   "%s)",
				   (uint32_t)c, l);
			free(l);
			ret = KERF_EXIT_INVALID;
			goto out;
		}
	}
	cpuset_copy(&rest, &host.cpus);
	cpuset_andnot(&rest, &want);
	for (i = 0; i < host.nram; i++)
		if (host.ram[i].end > total)
			total = host.ram[i].end;
	if (!total)
		total = host.mem_total;
	total &= ~(uint64_t)(MK_PAGE_SIZE - 1);
	base = pool < total ? (total - pool) & ~(uint64_t)(MK_PAGE_SIZE - 1)
			    : 0;

	sb_init(&sb);
	sb_adds(&sb, "/multikernel-v1/;\n/* built by kerf init from this "
		     "host */\n/ {\n\tcompatible = "
		     "\"linux,multikernel-host\";\n\tresources {\n"
		     "\t\tcpus {\n");
	sb_addf(&sb, "\t\t\ttotal = <%u>;\n\t\t\thost-reserved = <", ncpu);
	i = 0;
	cpuset_for_each(&rest, c) sb_addf(&sb, "%s%u", i++ ? " " : "",
					  (uint32_t)c);
	sb_adds(&sb, ">;\n\t\t\tavailable = <");
	i = 0;
	cpuset_for_each(&want, c) sb_addf(&sb, "%s%u", i++ ? " " : "",
					  (uint32_t)c);
	sb_adds(&sb, ">;\n");
	if (host.napicid >= ncpu) {
		sb_adds(&sb, "\t\t\tphysical-ids = /bits/ 64 <");
		for (i = 0; i < ncpu; i++)
			sb_addf(&sb, "%s%" PRIu64, i ? " " : "",
				host.apicid[i] == HOST_NO_ID ? 0
							     : host.apicid[i]);
		sb_adds(&sb, ">;\n");
	}
	sb_addf(&sb,
		"\t\t};\n\t\tmemory {\n"
		"\t\t\ttotal-bytes = /bits/ 64 <0x%" PRIx64 ">;\n"
		"\t\t\thost-reserved-bytes = /bits/ 64 <0x%" PRIx64 ">;\n"
		"\t\t\tmemory-pool-base = /bits/ 64 <0x%" PRIx64 ">;\n"
		"\t\t\tmemory-pool-bytes = /bits/ 64 <0x%" PRIx64 ">;\n"
		"\t\t};\n",
		total, base, base, pool);
	if (a->devices && *a->devices) {
		char *list = xstrdup(a->devices), *save = NULL, *tok;

		sb_adds(&sb, "\t\tdevices {\n");
		for (tok = strtok_r(list, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			const struct host_pci *hp = host_pci_find(&host, tok);
			char label[64];
			size_t k;

			if (!hp) {
				kerf_error("PCI device '%s' does not exist on "
					   "this host (sys/bus/pci/devices)",
					   tok);
				fprintf(stderr, "  Name PCI functions by "
						"address: 0000:01:00.0\n");
				free(list);
				sb_free(&sb);
				ret = KERF_EXIT_INVALID;
				goto out;
			}
			snprintf(label, sizeof(label), "pci_%s", hp->bdf);
			for (k = 0; label[k]; k++)
				if (label[k] == ':' || label[k] == '.')
					label[k] = '_';
			sb_addf(&sb, "\t\t\t%s: pci@%zu {\n"
				     "\t\t\t\tpci-id = \"%s\";\n",
				label, (size_t)(hp - host.pci), hp->bdf);
			if (hp->has_ids)
				sb_addf(&sb,
					"\t\t\t\tvendor-id = <0x%x>;\n"
					"\t\t\t\tdevice-id = <0x%x>;\n",
					hp->vendor, hp->device);
			if (hp->nvirtfn) {
				sb_addf(&sb, "\t\t\t\tsriov-vfs = <%zu>;\n"
					     "\t\t\t\tavailable-vfs = <",
					hp->nvirtfn);
				for (k = 0; k < hp->nvirtfn; k++)
					sb_addf(&sb, "%s%zu", k ? " " : "", k);
				sb_adds(&sb, ">;\n");
			}
			sb_adds(&sb, "\t\t\t};\n");
		}
		free(list);
		sb_adds(&sb, "\t\t};\n");
	}
	sb_adds(&sb, "\t};\n};\n");
	fd = mkstemps(tmp, 4);
	if (fd < 0 || write_file(tmp, sb.buf, sb.len)) {
		kerf_error("cannot write a temporary file: %s",
			   strerror(errno));
		ret = KERF_EXIT_SYSTEM;
	}
	if (fd >= 0)
		close(fd);
	if (ctx->verbose && !ret)
		printf("Baseline built from the host:\n%s", sb.buf);
	sb_free(&sb);
out:
	host_free(&host);
	cpuset_free(&want);
	cpuset_free(&rest);
	return ret;
}

static int init_main(struct kerf_ctx *ctx, int argc, char **argv, char *tmp)
{
	struct init_args a = {0};
	struct check_opts co = {0};
	struct render_opts ro = {0};
	struct emitter *e;
	struct vrun v;
	int first, ret, st;
	bool ok;

	ret = kerf_parse_opts(ctx, &kerf_cmd_init, argc, argv, &first, init_opt,
			      &a);
	if (ret) {
		free(a.disabled);
		return ret < 0 ? KERF_EXIT_OK : ret;
	}
	if (first < argc) {
		free(a.disabled);
		return kerf_usage_error(ctx, "unexpected argument '%s'",
					argv[first]);
	}
	if (a.input && (a.cpus || a.memory || a.devices)) {
		free(a.disabled);
		return kerf_usage_error(ctx, "--input and --cpus/--memory/"
					     "--devices are mutually "
					     "exclusive");
	}
	if (!a.input && !a.cpus) {
		free(a.disabled);
		return kerf_usage_error(ctx,
					"give --input=FILE, or --cpus=LIST "
					"--memory=SIZE to build the baseline "
					"from the host");
	}
	if (a.cpus) {
		ret = host_baseline(ctx, &a, tmp);
		if (ret) {
			free(a.disabled);
			return ret;
		}
		a.input = tmp;
	}
	co.baseline = true;
	co.report = a.report && ctx->verbose;
	co.disabled = a.disabled;
	co.ndisabled = a.ndisabled;
	if (ctx->verbose && ctx->format == OUT_TEXT && !ctx->quiet)
		printf("Reading %s\n", a.input);
	st = vrun_load(&v, a.input, NULL, NULL, &co);
	if (st != VRUN_OK) {
		ret = kerf_report_load_error(ctx, &v, st, a.input);
		vrun_free(&v);
		free(a.disabled);
		return ret;
	}
	if (v.d.n)
		diags_print(stderr, &v.d);
	if (ctx->verbose && ctx->format == OUT_TEXT && !ctx->quiet)
		printf("Input form: %s; %zu checks run\n",
		       mk_form_name(v.model.form), check_count);
	ro.unicode = ctx->unicode;
	ro.werror = a.werror;
	ro.notes = co.report;
	ok = findings_valid(&v.f, a.werror);
	e = emit_new(stdout, ctx->format);
	emit_open_object(e, NULL);
	emit_uint(e, "schema_version", NULL, 1);
	emit_string(e, "file", NULL, a.cpus ? "host" : a.input);
	if (a.report) {
		emit_text(e, "Multikernel Device Tree Validation Report\n"
			     "==========================================\n");
		emit_text(e, "Status: %s %s\n\n",
			  ok ? sym_ok(ctx) : sym_fail(ctx),
			  ok ? "VALID" : "INVALID");
		emit_string(e, "status", NULL, ok ? "valid" : "invalid");
		report_inventory(e, &v.model);
		emit_text(e, "\n");
	}
	render_findings(e, &v.f, &ro);
	render_summary(e, &v.f, &ro, "Baseline validation passed");
	if (ok && a.dry_run) {
		emit_bool(e, "dry_run", NULL, true);
		emit_text(e, "%s Baseline would be applied (dry-run mode)\n",
			  sym_ok(ctx));
	}
	emit_close_object(e);
	emit_free(e);
	free(a.disabled);
	if (ok && !a.dry_run) {
		/* --report: the report, then the apply lines */
		fflush(stdout);
		ret = init_apply(ctx, &v, a.cpus ? NULL : a.input);
		vrun_free(&v);
		return ret;
	}
	vrun_free(&v);
	if (!ok)
		return KERF_EXIT_INVALID;
	return KERF_EXIT_OK;
}

int cmd_init(struct kerf_ctx *ctx, int argc, char **argv)
{
	char tmp[] = "/tmp/kerf-host-XXXXXX.dts";
	int ret = init_main(ctx, argc, argv, tmp);

	if (!strstr(tmp, "XXXXXX"))
		unlink(tmp);
	return ret;
}
