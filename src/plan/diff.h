/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Changes of instances on the live state: the exact delta of one update
 * (kernel.md §4: cpu-remove/cpu-add, memory-remove/memory-add of the
 * changed part only, device-remove/device-add), and the plan that makes
 * the live state match a full-system file (kerf apply / diff).
 *
 * Planning changes the state it is given (st->model and the instance's
 * regions) into the resulting state, so the whole of it can be validated
 * and the next step planned on top of it.
 */
#ifndef KERF_PLAN_DIFF_H
#define KERF_PLAN_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/mk2.h"
#include "model/cpuset.h"
#include "plan/alloc.h"
#include "plan/state.h"

/* What an update asks for; what is not set stays as it is. */
struct plan_update_req {
	bool set_cpus;
	struct cpuset cpus;	/* the complete new set (logical) */
	uint32_t cpu_count;	/* or this many CPUs (0: not given) */
	bool set_mem;
	uint64_t mem;		/* the new total */
	bool set_devs;
	const struct plan_dev *devs;	/* the complete new list */
	size_t ndevs;
};

/* The delta of one instance. */
struct plan_update {
	long idx;			/* instance index in the state */
	struct mk2_item *items;		/* sorted by op */
	size_t nitems;
	char **owned;			/* strings items point to */
	size_t nowned;
	struct cpuset old_cpus, new_cpus;
	uint64_t old_mem, new_mem;
	struct plan_range *mem_rm, *mem_add;
	size_t nmem_rm, nmem_add;
	char *old_devs, *new_devs;	/* "eth0_vf1, eth0_vf2" or "none" */
};

void plan_update_init(struct plan_update *u);
void plan_update_free(struct plan_update *u);
/* Anything to do at all? */
bool plan_update_empty(const struct plan_update *u);

/*
 * Plan the update of instance idx of st.  0 with u filled and st changed
 * into the resulting state; -EINVAL / -ENOSPC / -ENOENT with the reason
 * in err when the request cannot be met (kerf's refusal: exit 1).
 */
int plan_update(const struct kport *kp, struct kstate *st, long idx,
		const struct plan_update_req *r, struct plan_update *u,
		char *err, size_t errlen);

/*
 * "CPUs 4-7 → 4-9, memory 2 GiB → 3 GiB" (only what changes); caller
 * frees.  arrow is "→" or "->".
 */
char *plan_update_summary(const struct plan_update *u, const char *arrow);

/*
 * What the kernel gave an instance, to undo a partly applied update: a
 * failed transaction keeps the operations that ran, and rmdir cannot
 * always undo it (the kernel also inverts the ones that never ran).
 */
struct plan_snap {
	uint64_t *phys;
	size_t nphys;
	struct plan_range *regs;
	size_t nregs;
	char **pci;
	size_t npci;
};

void plan_snap_take(const struct kstate_inst *ki, struct plan_snap *s);
void plan_snap_free(struct plan_snap *s);
/*
 * The delta that brings the instance from what it has now back to want
 * (items sorted by op; strings point into want and now).  Caller frees
 * *items.
 */
void plan_restore_items(const struct plan_snap *want,
			const struct plan_snap *now, struct mk2_item **items,
			size_t *n);

/* ---- apply / diff --------------------------------------------------- */

enum plan_step_kind {
	PLAN_DELETE,
	PLAN_SHRINK,	/* an update that only gives resources back */
	PLAN_CREATE,
	PLAN_GROW,	/* an update that takes resources (or both) */
	PLAN_POOL_GROW,	/* the pool takes from the host (runs first) */
	PLAN_POOL_SHRINK, /* the pool gives back to the host (runs last) */
};

struct plan_step {
	enum plan_step_kind kind;
	char *name;
	char *text;	/* "+ create web: CPUs 4-7, 2 GiB, eth0_vf1" */
	int id;		/* instance id (created: the id kerf chose) */
	struct mk2_blobs blobs;
	struct plan_snap snap;	/* updates: what the instance had */
	char *summary;	/* updates: "CPUs 4-7 → 4-9"; pool: "added CPUs
			 * 2-3" */
	bool pool_mem;	/* a pool step that adds memory */
};

/*
 * Safe order of steps: pool grows, deletes, shrinks, creates, grows, pool
 * shrinks (what frees resources before what takes them; the pool grows
 * before instances need it and shrinks after they gave it back); stable
 * within a kind.
 */
void plan_steps_sort(struct plan_step *s, size_t n);

struct plan_apply {
	struct plan_step *steps;
	size_t nsteps;
	char **kept;		/* live instances absent from the file */
	size_t nkept;
};

void plan_apply_free(struct plan_apply *p);

/*
 * Plan the steps that make the live state st match the full-system model
 * file: its pool (CPUs, memory per NUMA node, PCI functions; /resources
 * overlays) and its instances (prune: delete live instances the file
 * lacks).  st becomes the resulting state (validate it before applying);
 * memory the pool grows by is placed where the kernel would likely put
 * it, so a plan with pool_mem steps is planned again once they ran.  0,
 * or -EINVAL / -EBUSY / -ENOSPC with the reason in err (kerf's refusal;
 * err may hold several lines).
 */
int plan_apply(const struct kport *kp, struct kstate *st,
	       const struct mk_model *file, bool prune, const char *arrow,
	       struct plan_apply *out, char *err, size_t errlen);

/*
 * Does the pool of file differ from the live one?  (Then the file's
 * description of the host becomes the inventory.)  -errno with the reason
 * in err when it cannot be compared.
 */
int plan_pool_differs(const struct kport *kp, const struct kstate *st,
		      const struct mk_model *file, bool *differs, char *err,
		      size_t errlen);

#endif
