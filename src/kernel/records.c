// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/records.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#define RECORD_SCHEMA 1

void record_free(struct kload_record *r)
{
	free(r->image_path);
	free(r->image_format);
	free(r->compression);
	free(r->initrd_path);
	free(r->cmdline);
	free(r->loaded_at);
	memset(r, 0, sizeof(*r));
}

int record_fill(struct kload_record *r, int id, const struct kimage *img,
		const char *initrd_path, int initrd_fd, const char *cmdline,
		time_t when, struct diags *d)
{
	struct tm tm;
	char buf[32];

	memset(r, 0, sizeof(*r));
	r->id = id;
	r->image_path = xstrdup(img->path ? img->path : "");
	r->image_size = img->file_size;
	sha256_hex(img->sha256, r->image_sha256);
	r->image_format = xstrdup(kimage_format_name(img->format));
	r->compression = xstrdup(kcomp_name(img->comp));
	r->load_bytes = img->load_bytes;
	r->cmdline = xstrdup(cmdline ? cmdline : "");
	if (!gmtime_r(&when, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		strcpy(buf, "unknown");
	r->loaded_at = xstrdup(buf);
	if (initrd_path && initrd_fd >= 0) {
		uint8_t dg[SHA256_LEN];
		int ret;

		ret = 0;
		if (lseek(initrd_fd, 0, SEEK_SET) < 0)
			ret = -errno;
		else
			ret = sha256_fd(initrd_fd, dg, &r->initrd_size);
		if (!ret && lseek(initrd_fd, 0, SEEK_SET) < 0)
			ret = -errno;
		if (ret) {
			kp_err(d, "cannot read initrd %s: %s", initrd_path,
			       strerror(-ret));
			record_free(r);
			return ret;
		}
		r->has_initrd = true;
		r->initrd_path = xstrdup(initrd_path);
		sha256_hex(dg, r->initrd_sha256);
	}
	return 0;
}

/* ---- writing ------------------------------------------------------------- */

static void json_str(struct strbuf *sb, const char *s)
{
	sb_addc(sb, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			sb_addc(sb, '\\');
			sb_addc(sb, (char)c);
		} else if (c == '\n') {
			sb_adds(sb, "\\n");
		} else if (c == '\t') {
			sb_adds(sb, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			sb_addf(sb, "\\u%04x", c);
		} else {
			sb_addc(sb, (char)c);
		}
	}
	sb_addc(sb, '"');
}

char *record_to_json(const char *name, const struct kload_record *r)
{
	struct strbuf sb;

	sb_init(&sb);
	sb_addf(&sb, "{\n  \"schema_version\": %d,\n  \"instance\": ",
		RECORD_SCHEMA);
	json_str(&sb, name);
	sb_addf(&sb, ",\n  \"id\": %d,\n  \"kernel\": {\n    \"path\": ",
		r->id);
	json_str(&sb, r->image_path ? r->image_path : "");
	sb_addf(&sb, ",\n    \"size\": %" PRIu64 ",\n    \"sha256\": ",
		r->image_size);
	json_str(&sb, r->image_sha256);
	sb_adds(&sb, ",\n    \"format\": ");
	json_str(&sb, r->image_format ? r->image_format : "unknown");
	sb_adds(&sb, ",\n    \"compression\": ");
	json_str(&sb, r->compression ? r->compression : "none");
	sb_addf(&sb, ",\n    \"load_bytes\": %" PRIu64 "\n  },\n",
		r->load_bytes);
	if (r->has_initrd) {
		sb_adds(&sb, "  \"initrd\": {\n    \"path\": ");
		json_str(&sb, r->initrd_path ? r->initrd_path : "");
		sb_addf(&sb, ",\n    \"size\": %" PRIu64 ",\n    \"sha256\": ",
			r->initrd_size);
		json_str(&sb, r->initrd_sha256);
		sb_adds(&sb, "\n  },\n");
	} else {
		sb_adds(&sb, "  \"initrd\": null,\n");
	}
	sb_adds(&sb, "  \"cmdline\": ");
	json_str(&sb, r->cmdline ? r->cmdline : "");
	sb_adds(&sb, ",\n  \"loaded_at\": ");
	json_str(&sb, r->loaded_at ? r->loaded_at : "unknown");
	sb_adds(&sb, "\n}\n");
	return sb_detach(&sb, NULL);
}

/* ---- reading (JSON is YAML: libyaml parses it) --------------------------- */

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map,
			    const char *key)
{
	yaml_node_pair_t *pr;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pr = map->data.mapping.pairs.start;
	     pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(doc, pr->key);

		if (k && k->type == YAML_SCALAR_NODE &&
		    k->data.scalar.length == strlen(key) &&
		    !memcmp(k->data.scalar.value, key, strlen(key)))
			return yaml_document_get_node(doc, pr->value);
	}
	return NULL;
}

static bool is_null(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE &&
	       n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       n->data.scalar.length == 4 &&
	       !memcmp(n->data.scalar.value, "null", 4);
}

/* A quoted string without NUL bytes; NULL otherwise. */
static char *get_str(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	yaml_node_t *n = map_get(doc, map, key);
	const char *v;
	size_t len;

	if (!n || n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		return NULL;
	v = (const char *)n->data.scalar.value;
	len = n->data.scalar.length;
	if (memchr(v, '\0', len))
		return NULL;
	return xstrndup(v, len);
}

static bool get_u64(yaml_document_t *doc, yaml_node_t *map, const char *key,
		    uint64_t *out)
{
	yaml_node_t *n = map_get(doc, map, key);
	char buf[32], *end;
	size_t len;

	if (!n || n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	len = n->data.scalar.length;
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, n->data.scalar.value, len);
	buf[len] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return false;
	errno = 0;
	*out = strtoull(buf, &end, 10);
	return !errno && *end == '\0';
}

static bool get_hash(yaml_document_t *doc, yaml_node_t *map,
		     char out[SHA256_HEX_LEN])
{
	char *s = get_str(doc, map, "sha256");
	bool ok = s && strlen(s) == SHA256_HEX_LEN - 1 &&
		  strspn(s, "0123456789abcdef") == SHA256_HEX_LEN - 1;

	if (ok)
		memcpy(out, s, SHA256_HEX_LEN);
	free(s);
	return ok;
}

static int parse_doc(yaml_document_t *doc, struct kload_record *r)
{
	yaml_node_t *root = yaml_document_get_root_node(doc), *k, *i;
	uint64_t v;

	if (!root || root->type != YAML_MAPPING_NODE)
		return -EBADMSG;
	if (!get_u64(doc, root, "schema_version", &v) || v != RECORD_SCHEMA)
		return -EBADMSG;
	if (!get_u64(doc, root, "id", &v) || v > INT32_MAX)
		return -EBADMSG;
	r->id = (int)v;
	k = map_get(doc, root, "kernel");
	if (!k || k->type != YAML_MAPPING_NODE)
		return -EBADMSG;
	r->image_path = get_str(doc, k, "path");
	r->image_format = get_str(doc, k, "format");
	r->compression = get_str(doc, k, "compression");
	if (!r->image_path || !r->image_format || !r->compression ||
	    !get_u64(doc, k, "size", &r->image_size) ||
	    !get_u64(doc, k, "load_bytes", &r->load_bytes) ||
	    !get_hash(doc, k, r->image_sha256))
		return -EBADMSG;
	i = map_get(doc, root, "initrd");
	if (i && !is_null(i)) {
		if (i->type != YAML_MAPPING_NODE)
			return -EBADMSG;
		r->has_initrd = true;
		r->initrd_path = get_str(doc, i, "path");
		if (!r->initrd_path ||
		    !get_u64(doc, i, "size", &r->initrd_size) ||
		    !get_hash(doc, i, r->initrd_sha256))
			return -EBADMSG;
	}
	r->cmdline = get_str(doc, root, "cmdline");
	r->loaded_at = get_str(doc, root, "loaded_at");
	if (!r->cmdline || !r->loaded_at)
		return -EBADMSG;
	return 0;
}

int record_parse(const char *text, size_t len, struct kload_record *r)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_parser_delete(&parser);
		return -EBADMSG;
	}
	ret = parse_doc(&doc, r);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (ret)
		record_free(r);
	return ret;
}

static char *record_rel(const char *name)
{
	return xasprintf(KP_STATE_INSTANCES "/%s.json", name);
}

int record_write(const struct kport *kp, const char *name,
		 const struct kload_record *r, struct diags *d)
{
	char *rel, *json;
	int ret;

	if (!kp_name_ok(name)) {
		kp_err(d, "invalid instance name '%s'", name ? name : "");
		return -EINVAL;
	}
	rel = record_rel(name);
	json = record_to_json(name, r);
	ret = kp_write_atomic(kp, rel, json, strlen(json));
	if (ret) {
		char *path = kp_path(kp, rel);

		kp_err(d, "cannot record the loaded kernel in %s: %s", path,
		       strerror(-ret));
		free(path);
	}
	free(json);
	free(rel);
	return ret;
}

int record_read(const struct kport *kp, const char *name,
		struct kload_record *r, struct diags *d)
{
	char *rel, *text;
	size_t len;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!kp_name_ok(name))
		return -ENOENT;
	rel = record_rel(name);
	ret = kp_read(kp, rel, &text, &len);
	if (ret) {
		if (ret != -ENOENT) {
			char *path = kp_path(kp, rel);

			kp_warn(d, "cannot read %s: %s", path, strerror(-ret));
			free(path);
		}
		free(rel);
		return ret;
	}
	ret = record_parse(text, len, r);
	free(text);
	if (ret) {
		char *path = kp_path(kp, rel);

		kp_warn(d, "ignoring the corrupt load record %s", path);
		free(path);
	}
	free(rel);
	return ret;
}

int record_remove(const struct kport *kp, const char *name,
		  struct diags *d)
{
	char *rel, *path;
	int ret = 0;

	if (!kp_name_ok(name))
		return 0;
	rel = record_rel(name);
	path = kp_path(kp, rel);
	kp_log(kp, "unlink(\"%s\")", path);
	if (unlink(path) && errno != ENOENT) {
		ret = -errno;
		kp_warn(d, "cannot remove the load record %s: %s", path,
			strerror(-ret));
	}
	free(path);
	free(rel);
	return ret;
}
