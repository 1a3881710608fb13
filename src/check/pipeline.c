// SPDX-License-Identifier: GPL-2.0-or-later
#include "check/pipeline.h"
#include "check/render.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Loader diagnostics that carry a check name become findings; the rest
 * stay compiler-style diagnostics. */
static void take_diags(struct vrun *v)
{
	struct diags keep;
	size_t i;

	diags_init(&keep);
	for (i = 0; i < v->d.n; i++) {
		const struct diag *dg = &v->d.v[i];
		const struct check *k =
			dg->check ? check_find(dg->check) : NULL;
		struct finding *x;

		if (!k) {
			diag_add(&keep, dg->sev, &dg->pos, dg->check, "%s",
				 dg->msg);
			if (dg->hint)
				diag_hint(&keep, "%s", dg->hint);
			continue;
		}
		x = finding_add(&v->f, k->name,
				dg->sev == DIAG_ERROR	  ? SEV_ERROR
				: dg->sev == DIAG_WARNING ? SEV_WARNING
							  : SEV_NOTE,
				NULL, "%s", dg->msg);
		if (dg->hint)
			finding_suggest(x, "%s", dg->hint);
		finding_loc(x, &dg->pos);
	}
	diags_free(&v->d);
	v->d = keep;
}

int vrun_load(struct vrun *v, const char *path, const struct dt_parse_opts *po,
	      const struct dt_resolve_opts *ro, const struct check_opts *co)
{
	int ret;

	memset(v, 0, sizeof(*v));
	mk_model_init(&v->model);
	findings_init(&v->f);
	diags_init(&v->d);
	ret = mk_load(path, po, ro, &v->tree, &v->model, &v->d);
	if (ret < 0)
		return ret == -EINVAL || ret == -ENOSYS ? VRUN_SYNTAX : VRUN_IO;
	v->model.file = path;
	take_diags(v);
	if (mk_decode(v->tree, &v->model, &v->f) < 0)
		return VRUN_NOT_MK;
	v->multikernel = true;
	check_run(&v->model, co, &v->f);
	findings_sort(&v->f);
	findings_count(&v->f);
	return VRUN_OK;
}

void vrun_free(struct vrun *v)
{
	mk_model_free(&v->model);
	findings_free(&v->f);
	diags_free(&v->d);
	dt_tree_free(v->tree);
	memset(v, 0, sizeof(*v));
}
