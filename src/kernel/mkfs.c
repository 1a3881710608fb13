// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading and writing the multikernel file system.  kernfs files report
 * sizes that mean nothing (1 MiB for the pool tree, 0 for instance trees),
 * so everything is read to EOF, and every blob is checked with
 * fdt_check_full() before it is handed on.
 */
#include "kernel/mkfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libfdt.h>

#include "dt/fdtcheck.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/uapi.h"

static const char *const status_names[] = {
	[MK_STATUS_UNKNOWN] = "unknown",
	[MK_STATUS_EMPTY] = "empty",
	[MK_STATUS_READY] = "ready",
	[MK_STATUS_LOADED] = "loaded",
	[MK_STATUS_ACTIVE] = "active",
	[MK_STATUS_FAILED] = "failed",
};

const char *mk_status_name(enum mk_status st)
{
	if ((size_t)st >= ARRAY_SIZE(status_names))
		return "unknown";
	return status_names[st];
}

enum mk_status mk_status_parse(const char *s)
{
	size_t i;

	for (i = 1; i < ARRAY_SIZE(status_names); i++)
		if (!strcmp(s, status_names[i]))
			return (enum mk_status)i;
	return MK_STATUS_UNKNOWN;
}

void mkfs_instance_free(struct mkfs_instance *in)
{
	free(in->name);
	free(in->status_text);
	free(in->dtb);
	memset(in, 0, sizeof(*in));
}

void mkfs_instances_free(struct mkfs_instances *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		mkfs_instance_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

long mkfs_instances_find(const struct mkfs_instances *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return (long)i;
	return -1;
}

long mkfs_instances_find_id(const struct mkfs_instances *l, int id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].id == id)
			return (long)i;
	return -1;
}

/* ---- mounting ------------------------------------------------------------ */

int mkfs_present(const struct kport *kp, struct diags *d)
{
	char *path = kp_path(kp, KP_MKFS);
	struct stat st;
	int ret = 0;

	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		kp_err(d, "this kernel has no multikernel support: %s does not "
		       "exist", path);
		kp_hint(d, "Boot a kernel built with CONFIG_MULTIKERNEL=y "
			"(the v7.0-mk2 release or later).");
		ret = -ENODEV;
	}
	free(path);
	return ret;
}

/* Undo the octal escapes of /proc/mounts ("\040" for a space) in place. */
static void unescape_mount_field(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

bool mounts_has_mkfs(const char *text, size_t len, const char *mountpoint)
{
	const char *p = text, *end = text + len;
	bool found = false;

	while (p < end && !found) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xstrndup(p, n), *save = NULL, *mp, *type;

		if (strtok_r(line, " \t", &save) &&
		    (mp = strtok_r(NULL, " \t", &save)) &&
		    (type = strtok_r(NULL, " \t", &save))) {
			unescape_mount_field(mp);
			found = !strcmp(type, MK_FS_TYPE) &&
				!strcmp(mp, mountpoint);
		}
		free(line);
		p += n + 1;
	}
	return found;
}

int mkfs_is_mounted(const struct kport *kp, bool *mounted, struct diags *d)
{
	char *text, *full;
	size_t len;
	int ret;

	ret = kp_read(kp, KP_MOUNTS, &text, &len);
	if (ret) {
		char *path = kp_path(kp, KP_MOUNTS);

		kp_err(d, "cannot read %s: %s", path, strerror(-ret));
		free(path);
		return ret;
	}
	/*
	 * On the real root the mount point reads /sys/fs/multikernel; under
	 * another sysroot accept either that or the full path below it.
	 */
	full = kp_path(kp, KP_MKFS);
	*mounted = mounts_has_mkfs(text, len, KP_MKFS_ABS) ||
		   mounts_has_mkfs(text, len, full);
	free(full);
	free(text);
	return 0;
}

int mkfs_mount(const struct kport *kp, struct diags *d)
{
	bool mounted;
	char *path;
	int ret;

	ret = mkfs_present(kp, d);
	if (ret)
		return ret;
	ret = mkfs_is_mounted(kp, &mounted, d);
	if (ret || mounted)
		return ret;
	path = kp_path(kp, KP_MKFS);
	kp_log(kp, "mount(\"none\", \"%s\", \"%s\", 0, NULL)", path,
	       MK_FS_TYPE);
	if (mount("none", path, MK_FS_TYPE, 0, NULL)) {
		ret = -errno;
		if (ret == -ENODEV) {
			kp_err(d, "this kernel has no multikernel support: the "
			       "'%s' file system type is unknown", MK_FS_TYPE);
			kp_hint(d, "Boot a kernel built with "
				"CONFIG_MULTIKERNEL=y.");
		} else if (ret == -EPERM || ret == -EACCES) {
			kp_err(d, "cannot mount the multikernel file system on "
			       "%s: %s", path, strerror(-ret));
			kp_hint(d, "Run kerf as root (mounting needs "
				"CAP_SYS_ADMIN).");
		} else {
			kp_err(d, "cannot mount the multikernel file system on "
			       "%s: %s", path, strerror(-ret));
		}
	}
	free(path);
	return ret;
}

int mkfs_require(const struct kport *kp, struct diags *d)
{
	/*
	 * Every command mounts it like init does (kernel.md §2): present
	 * but not mounted is a fresh boot, not an error.
	 */
	return mkfs_mount(kp, d);
}

/* ---- reading blobs ------------------------------------------------------- */

int mkfs_check_blob(const void *blob, size_t len, const char *what,
		    struct diags *d)
{
	int err;

	if (len < sizeof(struct fdt_header)) {
		kp_err(d, "%s is not a device tree blob (%zu bytes)", what,
		       len);
		return -EBADMSG;
	}
	if (len > INT32_MAX) {
		kp_err(d, "%s is too large (%zu bytes)", what, len);
		return -EBADMSG;
	}
	err = dtb_check_full(blob, len);
	if (err) {
		kp_err(d, "%s is not a valid device tree blob: %s", what,
		       fdt_strerror(err));
		return -EBADMSG;
	}
	return 0;
}

static int read_blob(const struct kport *kp, const char *rel, void **dtb,
		     size_t *len, struct diags *d)
{
	char *path = kp_path(kp, rel), *data;
	int ret;

	ret = read_file(path, &data, len);
	if (ret) {
		if (ret != -ENOENT)
			kp_err(d, "cannot read %s: %s", path, strerror(-ret));
		free(path);
		return ret;
	}
	kp_log(kp, "read %s: %zu bytes", path, *len);
	ret = mkfs_check_blob(data, *len, path, d);
	free(path);
	if (ret) {
		free(data);
		return ret;
	}
	*dtb = data;
	return 0;
}

int mkfs_read_pool(const struct kport *kp, void **dtb, size_t *len,
		   struct diags *d)
{
	int ret = read_blob(kp, KP_MKFS_TREE, dtb, len, d);

	if (ret == -ENOENT) {
		char *path = kp_path(kp, KP_MKFS_TREE);

		kp_err(d, "cannot read %s: %s", path, strerror(ENOENT));
		kp_hint(d, "Is the multikernel file system mounted? Run "
			"'kerf init'.");
		free(path);
	}
	return ret;
}

static int read_instance(const struct kport *kp, const char *name,
			 bool tree, struct mkfs_instance *in, struct diags *d)
{
	char *rel;
	long id;
	int ret;

	memset(in, 0, sizeof(*in));
	in->id = -1;
	rel = xasprintf(KP_MKFS_INSTANCES "/%s/id", name);
	ret = kp_read_int(kp, rel, &id);
	free(rel);
	if (ret)
		goto fail;
	if (id < 0 || id > INT32_MAX) {
		ret = -EBADMSG;
		goto fail;
	}
	in->id = (int)id;
	rel = xasprintf(KP_MKFS_INSTANCES "/%s/status", name);
	ret = kp_read_line(kp, rel, &in->status_text);
	free(rel);
	if (ret)
		goto fail;
	in->status = mk_status_parse(in->status_text);
	if (tree) {
		rel = xasprintf(KP_MKFS_INSTANCES "/%s/device_tree", name);
		ret = read_blob(kp, rel, &in->dtb, &in->dtb_len, d);
		free(rel);
		if (ret)
			goto fail_quiet;
	}
	in->name = xstrdup(name);
	return 0;

fail:
	if (ret != -ENOENT)
		kp_err(d, "cannot read the state of instance '%s': %s", name,
		       ret == -EBADMSG || ret == -EINVAL ?
		       "malformed id or status file" : strerror(-ret));
fail_quiet:
	mkfs_instance_free(in);
	return ret;
}

int mkfs_read_instance(const struct kport *kp, const char *name, bool tree,
		       struct mkfs_instance *in, struct diags *d)
{
	int ret;

	if (!kp_name_ok(name)) {
		kp_err(d, "invalid instance name '%s'", name ? name : "");
		return -EINVAL;
	}
	ret = read_instance(kp, name, tree, in, d);
	if (ret == -ENOENT) {
		kp_err(d, "no instance named '%s'", name);
		kp_hint(d, "Run 'kerf show' to list the instances.");
	}
	return ret;
}

int mkfs_read_status(const struct kport *kp, const char *name,
		     enum mk_status *st, struct diags *d)
{
	struct mkfs_instance in;
	int ret;

	ret = mkfs_read_instance(kp, name, false, &in, d);
	if (ret)
		return ret;
	*st = in.status;
	mkfs_instance_free(&in);
	return 0;
}

static int cmp_instance(const void *a, const void *b)
{
	const struct mkfs_instance *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return strcmp(x->name, y->name);
}

int mkfs_list_instances(const struct kport *kp, bool trees,
			struct mkfs_instances *out, struct diags *d)
{
	char *path = kp_path(kp, KP_MKFS_INSTANCES);
	struct dirent *de;
	size_t cap = 0;
	DIR *dir;
	int ret = 0;

	out->v = NULL;
	out->n = 0;
	dir = opendir(path);
	if (!dir) {
		ret = -errno;
		kp_err(d, "cannot list %s: %s", path, strerror(-ret));
		free(path);
		return ret;
	}
	while ((errno = 0, de = readdir(dir))) {
		struct mkfs_instance in;

		if (de->d_name[0] == '.')
			continue;
		ret = read_instance(kp, de->d_name, trees, &in, d);
		if (ret == -ENOENT) {
			/* Removed while we listed: not an instance any more. */
			ret = 0;
			continue;
		}
		if (ret)
			break;
		out->v = xgrow(out->v, &cap, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = in;
	}
	if (!de && errno && !ret) {
		ret = -errno;
		kp_err(d, "cannot list %s: %s", path, strerror(-ret));
	}
	closedir(dir);
	free(path);
	if (ret) {
		mkfs_instances_free(out);
		return ret;
	}
	if (out->n > 1)
		xqsort(out->v, out->n, sizeof(*out->v), cmp_instance);
	return 0;
}

/* ---- the baseline -------------------------------------------------------- */

static void explain_baseline_errno(const char *path, int err,
				   struct diags *d)
{
	switch (err) {
	case EBUSY:
		/* kerf checked under its lock that no pool existed */
		kp_err(d, "the kernel refused the baseline (%s): a CPU of the "
		       "baseline could not be taken offline for the pool (it "
		       "is in use, or it is CPU 0), or a pool already exists",
		       strerror(err));
		kp_hint(d, "'dmesg | grep Baseline' names the CPU.");
		return;
	case ENOMEM:
		kp_err(d, "the kernel could not allocate a contiguous memory "
		       "chunk for the pool (%s)", strerror(err));
		break;
	case ENODEV:
		kp_err(d, "the kernel does not know a CPU of the baseline "
		       "(no present CPU with that physical id)");
		break;
	case E2BIG:
	case EFBIG:
		kp_err(d, "the kernel refused the baseline as too large "
		       "(more than 1 MiB or too many memory requests)");
		return;
	case EINVAL:
		kp_err(d, "the kernel rejected the baseline as invalid (%s)",
		       strerror(err));
		kp_hint(d, "See 'dmesg' for the kernel's reason "
			"(\"Baseline ...\").");
		return;
	case EPERM:
	case EACCES:
		kp_err(d, "cannot write %s: %s", path, strerror(err));
		kp_hint(d, "Run kerf as root.");
		return;
	default:
		kp_err(d, "writing the baseline to %s failed: %s", path,
		       strerror(err));
		break;
	}
	kp_hint(d, "'dmesg | grep Baseline' gives the kernel's reason.");
}

int mkfs_write_baseline(const struct kport *kp, const void *blob,
			size_t len, struct diags *d)
{
	char *path;
	ssize_t n;
	int fd, ret = 0;

	if (len > MK_BASELINE_MAX) {
		kp_err(d, "the baseline blob is %zu bytes; the kernel accepts "
		       "at most %d", len, MK_BASELINE_MAX);
		return -E2BIG;
	}
	ret = mkfs_check_blob(blob, len, "the baseline blob", d);
	if (ret)
		return -EINVAL;
	if (fdt_totalsize(blob) != len) {
		kp_err(d, "the baseline blob is %zu bytes but its header says "
		       "%u", len, fdt_totalsize(blob));
		return -EINVAL;
	}
	path = kp_path(kp, KP_MKFS_TREE);
	kp_log(kp, "open(\"%s\", O_WRONLY)", path);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ENOENT) {
			kp_err(d, "cannot open %s: %s", path, strerror(-ret));
			kp_hint(d, "Is the multikernel file system mounted?");
		} else {
			explain_baseline_errno(path, -ret, d);
		}
		free(path);
		return ret;
	}
	do {
		n = write(fd, blob, len);
	} while (n < 0 && errno == EINTR);
	kp_log(kp, "write(\"%s\", %zu bytes) = %zd%s%s", path, len, n,
	       n < 0 ? " " : "", n < 0 ? strerror(errno) : "");
	if (n < 0) {
		ret = -errno;
		explain_baseline_errno(path, -ret, d);
	} else if ((size_t)n != len) {
		kp_err(d, "short write to %s: %zd of %zu bytes; the kernel "
		       "needs the whole baseline in one write", path, n, len);
		ret = -EIO;
	}
	if (close(fd) && !ret) {
		ret = -errno;
		explain_baseline_errno(path, -ret, d);
	}
	free(path);
	return ret;
}

/* ---- /proc/iomem --------------------------------------------------------- */

void mk_iomem_free(struct mk_iomem *io)
{
	size_t i;

	for (i = 0; i < io->nregions; i++)
		free(io->regions[i].name);
	free(io->chunks);
	free(io->regions);
	memset(io, 0, sizeof(*io));
}

static bool parse_dec(const char *s, const char *end, int *out)
{
	long v = 0;

	if (s >= end)
		return false;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		v = v * 10 + (*s - '0');
		if (v > INT32_MAX)
			return false;
	}
	*out = (int)v;
	return true;
}

bool iomem_region_name(const char *s, int *id, char **name, int *index)
{
	static const char prefix[] = "mk-instance-";
	static const char mid[] = "-region-";
	const char *p, *dash, *reg, *q;

	if (strncmp(s, prefix, sizeof(prefix) - 1))
		return false;
	p = s + sizeof(prefix) - 1;
	dash = strchr(p, '-');
	if (!dash || !parse_dec(p, dash, id))
		return false;
	/* The name may contain "-region-" itself: the last one counts. */
	reg = NULL;
	for (q = dash; (q = strstr(q, mid)); q++)
		reg = q;
	if (!reg || reg <= dash + 1)
		return false;
	if (!parse_dec(reg + sizeof(mid) - 1, s + strlen(s), index))
		return false;
	*name = xstrndup(dash + 1, (size_t)(reg - (dash + 1)));
	return true;
}

static bool parse_hex(const char *s, const char *end, uint64_t *out)
{
	uint64_t v = 0;

	if (s >= end || end - s > 16)
		return false;
	for (; s < end; s++) {
		int c = tolower((unsigned char)*s);

		if (c >= '0' && c <= '9')
			v = v << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint64_t)(c - 'a' + 10);
		else
			return false;
	}
	*out = v;
	return true;
}

/* "  00100000-3fffffff : Multikernel Memory Pool" */
static bool parse_iomem_line(const char *line, uint64_t *start,
			     uint64_t *end, const char **name)
{
	const char *p = line, *dash, *sp;

	while (*p == ' ' || *p == '\t')
		p++;
	dash = strchr(p, '-');
	if (!dash || !parse_hex(p, dash, start))
		return false;
	sp = dash + 1;
	while (isxdigit((unsigned char)*sp))
		sp++;
	if (!parse_hex(dash + 1, sp, end))
		return false;
	while (*sp == ' ')
		sp++;
	if (*sp != ':')
		return false;
	sp++;
	while (*sp == ' ')
		sp++;
	*name = sp;
	return *end >= *start;
}

int iomem_parse(const char *text, size_t len, struct mk_iomem *io)
{
	const char *p = text, *tend = text + len;
	size_t ccap = 0, rcap = 0, i, j;
	bool any_nonzero = false;

	memset(io, 0, sizeof(*io));
	while (p < tend) {
		const char *nl = memchr(p, '\n', (size_t)(tend - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(tend - p);
		char *line = xstrndup(p, n);
		uint64_t start, end;
		const char *name;
		char *iname;
		int id, idx;
		size_t k;

		p += n + 1;
		if (!parse_iomem_line(line, &start, &end, &name)) {
			free(line);
			continue;
		}
		k = strlen(name);
		while (k > 0 && isspace((unsigned char)name[k - 1]))
			k--;
		line[name - line + (long)k] = '\0';
		if (!strcmp(name, "Multikernel Memory Pool")) {
			io->chunks = xgrow(io->chunks, &ccap, io->nchunks + 1,
					   sizeof(*io->chunks));
			io->chunks[io->nchunks].start = start;
			io->chunks[io->nchunks].end = end;
			io->nchunks++;
			any_nonzero |= start || end;
		} else if (iomem_region_name(name, &id, &iname, &idx)) {
			struct mk_region *r;

			io->regions = xgrow(io->regions, &rcap,
					    io->nregions + 1,
					    sizeof(*io->regions));
			r = &io->regions[io->nregions++];
			r->start = start;
			r->end = end;
			r->id = id;
			r->name = iname;
			r->index = idx;
			r->chunk = -1;
			any_nonzero |= start || end;
		}
		free(line);
	}
	for (i = 0; i < io->nregions; i++) {
		struct mk_region *r = &io->regions[i];

		for (j = 0; j < io->nchunks; j++) {
			if (r->start >= io->chunks[j].start &&
			    r->end <= io->chunks[j].end) {
				r->chunk = (long)j;
				break;
			}
		}
	}
	io->zeroed = (io->nchunks || io->nregions) && !any_nonzero;
	return 0;
}

int mkfs_read_iomem(const struct kport *kp, struct mk_iomem *io,
		    struct diags *d)
{
	char *text;
	size_t len;
	int ret;

	memset(io, 0, sizeof(*io));
	ret = kp_read(kp, KP_IOMEM, &text, &len);
	if (ret) {
		char *path = kp_path(kp, KP_IOMEM);

		kp_err(d, "cannot read %s: %s", path, strerror(-ret));
		free(path);
		return ret;
	}
	iomem_parse(text, len, io);
	free(text);
	if (io->zeroed) {
		kp_warn(d, "/proc/iomem shows every address as zero: kerf "
			"needs root to see the memory pool");
		kp_hint(d, "Run kerf as root.");
	}
	return 0;
}
