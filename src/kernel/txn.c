// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/txn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/mkfs.h"
#include "kernel/uapi.h"

/* How long a "pending" status may last before kerf gives up on it. */
#define TXN_PENDING_TRIES	100
#define TXN_PENDING_SLEEP_US	20000
/* How long a new tx_N may take to show up in a listing. */
#define TXN_LIST_TRIES		20
#define TXN_LIST_SLEEP_US	10000

static const char *const txn_names[] = {
	[TXN_UNKNOWN] = "unknown",
	[TXN_PENDING] = "pending",
	[TXN_APPLIED] = "applied",
	[TXN_FAILED] = "failed",
	[TXN_REMOVED] = "removed",
};

enum txn_status txn_status_parse(const char *s)
{
	size_t i;

	for (i = 1; i < ARRAY_SIZE(txn_names); i++)
		if (!strcmp(s, txn_names[i]))
			return (enum txn_status)i;
	return TXN_UNKNOWN;
}

const char *txn_status_name(enum txn_status st)
{
	if ((size_t)st >= ARRAY_SIZE(txn_names))
		return "unknown";
	return txn_names[st];
}

bool txn_name_parse(const char *name, unsigned int *id)
{
	unsigned long v = 0;
	const char *p;

	if (strncmp(name, "tx_", 3) || !name[3])
		return false;
	for (p = name + 3; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 0x7fffffffUL)
			return false;
	}
	if (!v || name[3] == '0')
		return false;
	*id = (unsigned int)v;
	return true;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

int txn_list(const struct kport *kp, unsigned int **ids, size_t *n,
	     struct diags *d)
{
	char *path = kp_path(kp, KP_MKFS_OVERLAYS);
	struct dirent *de;
	size_t cap = 0;
	DIR *dir;
	int ret = 0;

	*ids = NULL;
	*n = 0;
	dir = opendir(path);
	if (!dir) {
		ret = -errno;
		kp_err(d, "cannot list %s: %s", path, strerror(-ret));
		free(path);
		return ret;
	}
	while ((errno = 0, de = readdir(dir))) {
		unsigned int id;

		if (!txn_name_parse(de->d_name, &id))
			continue;
		*ids = xgrow(*ids, &cap, *n + 1, sizeof(**ids));
		(*ids)[(*n)++] = id;
	}
	if (errno) {
		ret = -errno;
		kp_err(d, "cannot list %s: %s", path, strerror(-ret));
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	closedir(dir);
	free(path);
	if (!ret && *n > 1)
		xqsort(*ids, *n, sizeof(**ids), cmp_uint);
	return ret;
}

void txn_info_free(struct txn_info *ti)
{
	free(ti->status_text);
	free(ti->instance);
	free(ti->resources);
	memset(ti, 0, sizeof(*ti));
}

int txn_read(const struct kport *kp, unsigned int id, struct txn_info *ti,
	     struct diags *d)
{
	char *rel;
	int ret;

	memset(ti, 0, sizeof(*ti));
	ti->id = id;
	rel = xasprintf(KP_MKFS_OVERLAYS "/tx_%u/status", id);
	ret = kp_read_line(kp, rel, &ti->status_text);
	free(rel);
	if (ret) {
		char *path = kp_pathf(kp, KP_MKFS_OVERLAYS "/tx_%u/status",
				      id);

		kp_err(d, "cannot read %s: %s", path, strerror(-ret));
		free(path);
		return ret;
	}
	ti->status = txn_status_parse(ti->status_text);
	kp_log(kp, "read overlays/tx_%u/status: %s", id, ti->status_text);
	/* The rest is informational: the kernel may not provide it. */
	rel = xasprintf(KP_MKFS_OVERLAYS "/tx_%u/instance", id);
	if (kp_read_line(kp, rel, &ti->instance))
		ti->instance = NULL;
	free(rel);
	rel = xasprintf(KP_MKFS_OVERLAYS "/tx_%u/resources", id);
	if (kp_read_line(kp, rel, &ti->resources))
		ti->resources = NULL;
	free(rel);
	return 0;
}

/* The name of the first instance a (checked) blob creates, or NULL. */
static char *blob_created(const void *dtbo)
{
	int frag;

	fdt_for_each_subnode(frag, dtbo, 0) {
		const char *name;
		int ov, op, len;

		ov = fdt_subnode_offset(dtbo, frag, "__overlay__");
		op = ov < 0 ? ov : fdt_subnode_offset(dtbo, ov,
						       "instance-create");
		if (op < 0)
			continue;
		name = fdt_getprop(dtbo, op, "instance-name", &len);
		if (name && len > 1 && name[len - 1] == '\0')
			return xstrdup(name);
	}
	return NULL;
}

/* What a transaction does, for a message about undoing it. */
enum txn_kind {
	TXN_KIND_OTHER,
	TXN_KIND_CREATE,	/* an instance-create: undoing destroys it */
	TXN_KIND_CHANGE,	/* fragments targeting /instances/<name> */
};

static enum txn_kind txn_kind(const struct kport *kp, unsigned int id,
			      const struct txn_info *ti, char **name)
{
	char *rel = xasprintf(KP_MKFS_OVERLAYS "/tx_%u/dtbo", id), *data;
	const char *t = ti->instance;
	size_t len;

	*name = NULL;
	if (kp_read(kp, rel, &data, &len) == 0) {
		if (!mkfs_check_blob(data, len, "the transaction's blob", NULL))
			*name = blob_created(data);
		free(data);
	}
	free(rel);
	if (*name)
		return TXN_KIND_CREATE;
	if (t && !strncmp(t, "/instances/", 11) && t[11] &&
	    !strchr(t + 11, '/')) {
		*name = xstrdup(t + 11);
		return TXN_KIND_CHANGE;
	}
	return TXN_KIND_OTHER;
}

/* Why the kernel refused to undo a transaction of this kind. */
static const char *rmdir_reason(int err, enum txn_kind kind)
{
	switch (err) {
	case EBUSY:
		if (kind == TXN_KIND_CREATE)
			return "undoing it would destroy the instance it "
			       "created, and the kernel does not destroy an "
			       "instance that has a kernel loaded or running";
		if (kind == TXN_KIND_CHANGE)
			return "the kernel could not take back what the change "
			       "gave the instance (a CPU, memory range or "
			       "device is in use)";
		return "the kernel reports something the transaction changed "
		       "as in use";
	case ENOENT:
	case EINVAL:
		return "a rollback undoes every operation of the transaction, "
		       "and the kernel cannot undo one that never ran";
	default:
		return NULL;
	}
}

int txn_remove(const struct kport *kp, unsigned int id, struct diags *d)
{
	char *path = kp_pathf(kp, KP_MKFS_OVERLAYS "/tx_%u", id);
	struct txn_info ti;
	enum txn_kind kind;
	const char *why;
	char *name = NULL;
	bool applied;
	int ret = 0;

	kp_log(kp, "rmdir(\"%s\")", path);
	if (!rmdir(path)) {
		free(path);
		return 0;
	}
	ret = -errno;
	kp_log(kp, "rmdir(\"%s\") failed: %s", path, strerror(-ret));
	if (txn_read(kp, id, &ti, NULL))
		memset(&ti, 0, sizeof(ti));
	applied = ti.status == TXN_APPLIED;
	kind = txn_kind(kp, id, &ti, &name);
	why = rmdir_reason(-ret, kind);
	kp_err(d, "could not roll back transaction tx_%u%s%s%s: the kernel "
	       "refused (%s)%s%s", id,
	       name ? (kind == TXN_KIND_CREATE ? " (create instance '"
					       : " (change of instance '")
		    : "",
	       name ? name : "", name ? "')" : "", strerror(-ret),
	       why ? ": " : "", why ? why : "");
	if (applied) {
		kp_hint(d, "Its changes are still in effect. See 'dmesg | grep "
			"\"Overlay tx%u\"' for the kernel's reason, then undo "
			"it with 'rmdir %s'%s%s%s.", id, path,
			kind == TXN_KIND_CREATE ? " or 'kerf delete " : "",
			kind == TXN_KIND_CREATE ? name : "",
			kind == TXN_KIND_CREATE ? "'" : "");
	} else {
		kp_hint(d, "tx_%u stays in %s as the kernel's record of the "
			"failure (status '%s'); leave it there: removing it "
			"later would undo its operations a second time. See "
			"'dmesg | grep \"Overlay tx%u\"' for the kernel's "
			"reason.", id, KP_MKFS_ABS "/overlays",
			ti.status_text ? ti.status_text : "failed", id);
	}
	txn_info_free(&ti);
	free(name);
	free(path);
	return ret;
}

int txn_rollback(const struct kport *kp, const unsigned int *ids, size_t n,
		 struct diags *d)
{
	int first = 0;
	size_t i;

	for (i = n; i-- > 0;) {
		int ret = txn_remove(kp, ids[i], d);

		if (!ret)
			kp_note(d, "rolled back transaction tx_%u", ids[i]);
		else if (!first)
			first = ret;
	}
	return first;
}

int txn_validate(const void *dtbo, size_t len, struct diags *d)
{
	if (len > MK_DTBO_MAX) {
		kp_err(d, "overlay blob of %zu bytes exceeds the kernel's "
		       "limit of %d bytes per transaction", len, MK_DTBO_MAX);
		kp_hint(d, "Split the change into several transactions.");
		return -E2BIG;
	}
	if (mkfs_check_blob(dtbo, len, "the overlay blob", d))
		return -EINVAL;
	if (fdt_totalsize(dtbo) != len) {
		kp_err(d, "the overlay blob is %zu bytes but its header says "
		       "%u", len, fdt_totalsize(dtbo));
		return -EINVAL;
	}
	return 0;
}

static int write_new(const struct kport *kp, const void *dtbo, size_t len,
		     const char *what, struct diags *d)
{
	char *path = kp_path(kp, KP_MKFS_NEW);
	int fd, ret = 0;
	ssize_t n;

	kp_log(kp, "open(\"%s\", O_WRONLY)", path);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		kp_err(d, "cannot open %s to %s: %s", path, what,
		       strerror(-ret));
		if (ret == -EACCES || ret == -EPERM)
			kp_hint(d, "Run kerf as root.");
		free(path);
		return ret;
	}
	do {
		n = write(fd, dtbo, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		ret = -errno;
		kp_log(kp, "write(\"%s\", %zu bytes) failed: %s", path, len,
		       strerror(-ret));
		kp_err(d, "the kernel refused the overlay to %s: %s", what,
		       strerror(-ret));
		kp_hint(d, "See 'dmesg' for the kernel's reason.");
	} else {
		kp_log(kp, "write(\"%s\", %zu bytes) = %zd", path, len, n);
		if ((size_t)n != len) {
			kp_err(d, "short write of the overlay to %s: %zd of "
			       "%zu bytes", what, n, len);
			ret = -EIO;
		}
	}
	if (close(fd) && !ret) {
		ret = -errno;
		kp_err(d, "writing the overlay to %s failed: %s", what,
		       strerror(-ret));
	}
	free(path);
	return ret;
}

static bool in_list(const unsigned int *v, size_t n, unsigned int id)
{
	return n && bsearch(&id, v, n, sizeof(*v), cmp_uint) != NULL;
}

/* Does overlays/tx_<id>/dtbo hold exactly our blob? */
static bool txn_holds(const struct kport *kp, unsigned int id,
		      const void *dtbo, size_t len)
{
	char *rel = xasprintf(KP_MKFS_OVERLAYS "/tx_%u/dtbo", id), *data;
	size_t dlen;
	bool same;

	if (kp_read(kp, rel, &data, &dlen)) {
		free(rel);
		return false;
	}
	free(rel);
	same = dlen == len && !memcmp(data, dtbo, len);
	free(data);
	return same;
}

/*
 * The transaction our write created: the one entry of after that is not in
 * before.  Should someone have written without the lock, the blob itself
 * tells which of several new entries is ours.
 */
static int find_new(const struct kport *kp, const unsigned int *before,
		    size_t nb, const void *dtbo, size_t len, const char *what,
		    unsigned int *id, struct diags *d)
{
	unsigned int *after, found = 0;
	size_t na, i, nnew = 0, nmatch = 0;
	int ret, tries;

	/*
	 * The kernel creates tx_N before write() returns; a sysroot served
	 * through FUSE may show it a moment later, so look a few times.
	 */
	for (tries = 0;; tries++) {
		ret = txn_list(kp, &after, &na, d);
		if (ret)
			return ret;
		for (i = 0; i < na; i++) {
			if (in_list(before, nb, after[i]))
				continue;
			nnew++;
			if (nnew == 1)
				found = after[i];
		}
		if (nnew || tries >= TXN_LIST_TRIES)
			break;
		free(after);
		usleep(TXN_LIST_SLEEP_US);
	}
	if (nnew > 1) {
		for (i = 0; i < na; i++) {
			if (in_list(before, nb, after[i]) ||
			    !txn_holds(kp, after[i], dtbo, len))
				continue;
			nmatch++;
			found = after[i];
		}
	}
	free(after);
	if (nnew == 0) {
		kp_err(d, "the kernel accepted the overlay to %s but no new "
		       "transaction appeared in %s", what,
		       KP_MKFS_ABS "/overlays");
		kp_hint(d, "See 'dmesg'; the change may or may not have been "
			"applied. Check with 'kerf show'.");
		return -EIO;
	}
	if (nnew > 1 && nmatch != 1) {
		kp_err(d, "%zu new transactions appeared while kerf wrote the "
		       "overlay to %s; cannot tell which one is kerf's", nnew,
		       what);
		kp_hint(d, "Another program writes to overlays/new without "
			"kerf's lock. Check 'kerf show' and 'dmesg'.");
		return -EIO;
	}
	*id = found;
	return 0;
}

/* Wait out "pending"; fill ti with the final state. */
static int read_final(const struct kport *kp, unsigned int id,
		      struct txn_info *ti, struct diags *d)
{
	int tries, ret;

	for (tries = 0;; tries++) {
		ret = txn_read(kp, id, ti, d);
		if (ret || ti->status != TXN_PENDING ||
		    tries >= TXN_PENDING_TRIES)
			return ret;
		txn_info_free(ti);
		usleep(TXN_PENDING_SLEEP_US);
	}
}

/*
 * The first instance the blob creates that already exists, or NULL.
 * rmdir undoes every operation of a blob, including those that never ran:
 * undoing an instance-create that failed because the name was taken
 * destroys the instance that had the name.  Such a transaction must stay.
 */
static char *existing_created(const struct kport *kp, const void *dtbo)
{
	int frag;

	fdt_for_each_subnode(frag, dtbo, 0) {
		const char *target, *name;
		int ov, op, len;

		if (strncmp(fdt_get_name(dtbo, frag, NULL), "fragment@", 9))
			continue;
		target = fdt_getprop(dtbo, frag, "target-path", &len);
		if (!target || len < 1 || target[len - 1] != '\0' ||
		    strcmp(target, "/instances"))
			continue;
		ov = fdt_subnode_offset(dtbo, frag, "__overlay__");
		op = ov < 0 ? ov : fdt_subnode_offset(dtbo, ov,
						       "instance-create");
		if (op < 0)
			continue;
		name = fdt_getprop(dtbo, op, "instance-name", &len);
		if (name && len > 1 && name[len - 1] == '\0' &&
		    kp_name_ok(name)) {
			char *path = kp_pathf(kp, KP_MKFS_INSTANCES "/%s",
					      name);
			bool exists = access(path, F_OK) == 0;

			free(path);
			if (exists)
				return xstrdup(name);
		}
	}
	return NULL;
}

static int apply_one(const struct kport *kp, const struct txn_blob *b,
		     unsigned int *id, struct diags *d)
{
	unsigned int *before;
	struct txn_info ti;
	char *taken;
	size_t nb;
	int ret;

	ret = txn_list(kp, &before, &nb, d);
	if (ret)
		return ret;
	taken = existing_created(kp, b->dtbo);
	ret = write_new(kp, b->dtbo, b->len, b->what, d);
	if (!ret)
		ret = find_new(kp, before, nb, b->dtbo, b->len, b->what, id,
			       d);
	free(before);
	if (ret)
		goto out;

	ret = read_final(kp, *id, &ti, d);
	if (ret) {
		kp_hint(d, "Transaction tx_%u (%s) was written; its outcome is "
			"unknown. Check 'kerf show' and 'dmesg'.", *id,
			b->what);
		goto out;
	}
	if (ti.status == TXN_APPLIED) {
		txn_info_free(&ti);
		goto out;
	}
	kp_err(d, "the kernel did not apply transaction tx_%u (%s, target "
	       "%s): status '%s'", *id, b->what,
	       ti.instance ? ti.instance : "unknown", ti.status_text);
	kp_hint(d, "The kernel logs its reason: run 'dmesg | grep "
		"\"Overlay tx%u\"'.", *id);
	txn_info_free(&ti);
	ret = -EPROTO;
	if (taken) {
		kp_err(d, "kerf left the failed transaction tx_%u in %s: "
		       "removing it would make the kernel destroy the "
		       "existing instance '%s' (a rollback undoes every "
		       "operation of the blob, even the instance-create that "
		       "failed)", *id, KP_MKFS_ABS "/overlays", taken);
		kp_hint(d, "Leave tx_%u in place; it can be removed once '%s' "
			"has been deleted.", *id, taken);
		goto out;
	}
	/* A failed transaction may have applied part of itself: undo it. */
	if (!txn_remove(kp, *id, d))
		kp_note(d, "removed the failed transaction tx_%u (its partial "
			"effects were undone)", *id);
out:
	free(taken);
	return ret;
}

int txn_apply(const struct kport *kp, const struct kerf_lock *lk,
	      const struct txn_blob *blobs, size_t n, unsigned int *ids,
	      struct diags *d)
{
	size_t i;
	int ret;

	if (!kerf_lock_held(lk)) {
		kp_err(d, "internal error: transaction without the kerf lock");
		return -EDEADLK;
	}
	for (i = 0; i < n; i++) {
		ret = txn_validate(blobs[i].dtbo, blobs[i].len, d);
		if (ret) {
			kp_hint(d, "Nothing was written (blob %zu of %zu, %s).",
				i + 1, n, blobs[i].what);
			return ret;
		}
	}
	for (i = 0; i < n; i++) {
		ret = apply_one(kp, &blobs[i], &ids[i], d);
		if (ret) {
			if (i > 0) {
				kp_note(d, "rolling back the %zu earlier "
					"transaction%s of this change", i,
					i > 1 ? "s" : "");
				txn_rollback(kp, ids, i, d);
			}
			return ret;
		}
	}
	return 0;
}
