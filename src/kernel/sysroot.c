// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host paths under the sysroot and small file helpers shared by the kernel
 * port.
 */
#include "kernel/sysroot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void kport_init(struct kport *kp, const char *sysroot, bool debug)
{
	kp->sysroot = sysroot && *sysroot ? sysroot : "/";
	kp->debug = debug;
	kp->log = NULL;
}

bool kp_is_root(const struct kport *kp)
{
	const char *s = kp->sysroot;

	if (!s)
		return true;
	while (*s == '/')
		s++;
	return *s == '\0';
}

char *kp_path(const struct kport *kp, const char *rel)
{
	const char *root = kp->sysroot ? kp->sysroot : "/";
	size_t n = strlen(root);

	while (*rel == '/')
		rel++;
	while (n > 0 && root[n - 1] == '/')
		n--;
	if (n == 0)
		return xasprintf("/%s", rel);
	return xasprintf("%.*s/%s", (int)n, root, rel);
}

char *kp_pathf(const struct kport *kp, const char *fmt, ...)
{
	va_list ap;
	char *rel, *p;

	va_start(ap, fmt);
	rel = xvasprintf(fmt, ap);
	va_end(ap);
	p = kp_path(kp, rel);
	free(rel);
	return p;
}

void kp_log(const struct kport *kp, const char *fmt, ...)
{
	FILE *out;
	va_list ap;

	if (!kp->debug)
		return;
	out = kp->log ? kp->log : stderr;
	fputs("kernel: ", out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	fflush(out);
}

int kp_read(const struct kport *kp, const char *rel, char **data,
	    size_t *len)
{
	char *path = kp_path(kp, rel);
	int ret = read_file(path, data, len);

	free(path);
	return ret;
}

int kp_read_line(const struct kport *kp, const char *rel, char **line)
{
	char *data, *nl;
	size_t len, end;
	int ret;

	ret = kp_read(kp, rel, &data, &len);
	if (ret)
		return ret;
	/* A NUL inside the line would silently cut the value: refuse it. */
	nl = memchr(data, '\n', len);
	end = nl ? (size_t)(nl - data) : len;
	if (memchr(data, '\0', end)) {
		free(data);
		return -EINVAL;
	}
	data[end] = '\0';
	*line = data;
	return 0;
}

int kp_read_int(const struct kport *kp, const char *rel, long *val)
{
	char *line, *end;
	long v;
	int ret;

	ret = kp_read_line(kp, rel, &line);
	if (ret)
		return ret;
	errno = 0;
	v = strtol(line, &end, 10);
	if (end == line || *end != '\0' || errno) {
		free(line);
		return -EINVAL;
	}
	free(line);
	*val = v;
	return 0;
}

int kp_mkdirs(const struct kport *kp, const char *rel)
{
	char *path, *p;
	size_t skip;
	int ret = 0;

	while (*rel == '/')
		rel++;
	path = kp_path(kp, rel);
	skip = strlen(path) - strlen(rel);

	/* Never create the sysroot itself, only what lies below it. */
	for (p = path + skip; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p > path + skip && p[-1] != '/') {
			char c = *p;

			*p = '\0';
			if (mkdir(path, 0755) && errno != EEXIST) {
				ret = -errno;
				*p = c;
				break;
			}
			*p = c;
		}
		if (*p == '\0')
			break;
	}
	free(path);
	return ret;
}

int kp_write_atomic(const struct kport *kp, const char *rel,
		    const void *data, size_t len)
{
	char *path, *tmp, *dir, *slash;
	const char *p = data;
	int fd, ret = 0;

	dir = xstrdup(rel);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		ret = kp_mkdirs(kp, dir);
	}
	free(dir);
	if (ret)
		return ret;

	path = kp_path(kp, rel);
	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	kp_log(kp, "write %s (%zu bytes) via %s", path, len, tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
out:
	free(tmp);
	free(path);
	return ret;
}

bool kp_name_ok(const char *name)
{
	return name && *name && !strchr(name, '/') && strcmp(name, ".") &&
	       strcmp(name, "..");
}

static void kp_vdiag(struct diags *d, enum diag_severity sev,
		     const char *fmt, va_list ap) PRINTF(3, 0);

static void kp_vdiag(struct diags *d, enum diag_severity sev,
		     const char *fmt, va_list ap)
{
	char *msg;

	if (!d)
		return;
	msg = xvasprintf(fmt, ap);
	diag_add(d, sev, NULL, NULL, "%s", msg);
	free(msg);
}

void kp_err(struct diags *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kp_vdiag(d, DIAG_ERROR, fmt, ap);
	va_end(ap);
}

void kp_warn(struct diags *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kp_vdiag(d, DIAG_WARNING, fmt, ap);
	va_end(ap);
}

void kp_note(struct diags *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kp_vdiag(d, DIAG_NOTE, fmt, ap);
	va_end(ap);
}

void kp_hint(struct diags *d, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (!d)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_hint(d, "%s", msg);
	free(msg);
}
