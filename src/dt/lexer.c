// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DTS lexer.  One pass over a NUL-terminated buffer per file; no token is
 * allocated.  The rules and their priorities are dtc's (longest match,
 * start conditions V1 / PROPNODENAME / BYTESTRING), so the token stream is
 * the one dtc's parser sees.
 */
#include "dt/lexer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { LS_V1, LS_NAME, LS_BYTES };

struct lex_input {
	const char *p, *end, *line_start;
	uint32_t line;
	struct srcfile *file;	/* for positions (line markers change it) */
	char *dir;		/* of the file really read, for /include/ */
	struct lex_input *up;
};

/*
 * Character classes, one table lookup each: the lexer asks these questions
 * for every byte of the input.
 */
enum {
	CC_DIGIT = 1 << 0,
	CC_ALPHA = 1 << 1,
	CC_HEX = 1 << 2,
	CC_LABEL = 1 << 3,	/* [a-zA-Z0-9_] */
	CC_PROPNODE = 1 << 4,	/* dtc's PROPNODECHAR: [a-zA-Z0-9,._+*#?@-] */
	CC_BLANK = 1 << 5,	/* white space other than '\n' */
	/*
	 * Where a token cannot start at once: '/' may open a comment or
	 * /include/, '#' a line marker, NUL may end the file.
	 */
	CC_SKIP = 1 << 6,
};

#define CC_D (CC_DIGIT | CC_HEX | CC_LABEL | CC_PROPNODE)
#define CC_X (CC_ALPHA | CC_HEX | CC_LABEL | CC_PROPNODE)
#define CC_A (CC_ALPHA | CC_LABEL | CC_PROPNODE)

static const unsigned char cclass[256] = {
	['0' ... '9'] = CC_D,
	['a' ... 'f'] = CC_X,
	['A' ... 'F'] = CC_X,
	['g' ... 'z'] = CC_A,
	['G' ... 'Z'] = CC_A,
	['_'] = CC_LABEL | CC_PROPNODE,
	[','] = CC_PROPNODE, ['.'] = CC_PROPNODE, ['+'] = CC_PROPNODE,
	['*'] = CC_PROPNODE, ['?'] = CC_PROPNODE,
	['@'] = CC_PROPNODE, ['-'] = CC_PROPNODE,
	['#'] = CC_PROPNODE | CC_SKIP, ['/'] = CC_SKIP, ['\0'] = CC_SKIP,
	[' '] = CC_BLANK, ['\t'] = CC_BLANK, ['\r'] = CC_BLANK,
	['\v'] = CC_BLANK, ['\f'] = CC_BLANK,
};

static inline bool cc_is(unsigned char c, unsigned int cls)
{
	return cclass[c] & cls;
}

static inline bool is_digit(int c)
{
	return cc_is(c, CC_DIGIT);
}

static inline bool is_alpha(int c)
{
	return cc_is(c, CC_ALPHA);
}

static inline bool is_hex(int c)
{
	return cc_is(c, CC_HEX);
}

/* Value of a hex digit: 0x30-0x39, or 0x41-0x46 and 0x61-0x66 (+ 9). */
static inline int hex_val(int c)
{
	return (c & 0xf) + 9 * ((c >> 6) & 1);
}

static inline bool is_label_start(int c)
{
	return cc_is(c, CC_ALPHA) || c == '_';
}

static inline bool is_label_char(int c)
{
	return cc_is(c, CC_LABEL);
}

static inline bool is_propnode_char(int c)
{
	return cc_is(c, CC_PROPNODE);
}

static inline bool is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline void here(const struct lex_input *in, const char *p,
			struct srcpos *pos)
{
	pos->file = in->file;
	pos->line = in->line;
	pos->col = (uint32_t)(p - in->line_start + 1);
}

/* Account for the newlines in [from, to). */
static void count_lines(struct lex_input *in, const char *from,
			const char *to)
{
	const char *nl;

	while (from < to &&
	       (nl = memchr(from, '\n', (size_t)(to - from))) != NULL) {
		in->line++;
		in->line_start = nl + 1;
		from = nl + 1;
	}
}

static bool starts(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static char *join_path(const char *dir, const char *name)
{
	size_t n;

	if (!dir || name[0] == '/' || strcmp(dir, ".") == 0)
		return xstrdup(name);
	n = strlen(dir);
	if (n && dir[n - 1] == '/')
		return xasprintf("%s%s", dir, name);
	return xasprintf("%s/%s", dir, name);
}

/* Read a regular file (never a device: /dev/zero must not hang us). */
static int load_regular(const char *path, char **data, size_t *len)
{
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
	} else if (S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
	} else if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
	} else {
		ret = read_fd(fd, data, len);
	}
	close(fd);
	return ret;
}

int dts_lexer_open(struct dts_lexer *lx, const char *name, char **path,
		   char **data, size_t *len)
{
	const struct dt_parse_opts *o = lx->opts;
	int ret, first;
	size_t i;

	*path = join_path(lx->in ? lx->in->dir : NULL, name);
	first = ret = load_regular(*path, data, len);
	if (ret == 0)
		return 0;
	for (i = 0; o && name[0] != '/' && i < o->n_include_dirs; i++) {
		free(*path);
		*path = join_path(o->include_dirs[i], name);
		ret = load_regular(*path, data, len);
		if (ret == 0)
			return 0;
	}
	free(*path);
	*path = NULL;
	return first;
}

static void push_input(struct dts_lexer *lx, struct srcfile *f,
		       const char *dir)
{
	struct lex_input *in = xzalloc(sizeof(*in));

	in->p = f->text;
	in->end = f->text + f->len;
	in->line_start = in->p;
	in->line = 1;
	in->file = f;
	in->dir = xstrdup(dir);
	in->up = lx->in;
	lx->in = in;
}

static void pop_input(struct dts_lexer *lx)
{
	struct lex_input *in = lx->in;

	lx->in = in->up;
	free(in->dir);
	free(in);
	if (lx->depth)
		lx->depth--;
}

void dts_lexer_init(struct dts_lexer *lx, struct dt_tree *tree,
		    struct srcfile *f, const char *dir,
		    const struct dt_parse_opts *o, struct diags *d)
{
	memset(lx, 0, sizeof(*lx));
	lx->tree = tree;
	lx->d = d;
	lx->opts = o;
	lx->state = LS_V1;
	sb_init(&lx->sbuf);
	push_input(lx, f, dir);
}

void dts_lexer_free(struct dts_lexer *lx)
{
	while (lx->in)
		pop_input(lx);
	sb_free(&lx->sbuf);
}

/*
 * dtc's get_escape_char(): \a \b \t \n \v \f \r, up to three octal
 * digits, \x with one or two hex digits, anything else stands for itself.
 * Returns false for \x without a hex digit.
 */
static bool decode_escapes(const char *s, size_t len, struct strbuf *out)
{
	size_t i = 0;

	sb_reset(out);
	if (!out->buf)
		sb_addc(out, 'x');	/* never leave buf NULL */
	sb_reset(out);
	while (i < len) {
		const char *run = s + i;
		size_t n = 0;
		unsigned int v;
		char c;

		while (i + n < len && run[n] != '\\')
			n++;
		if (n) {
			sb_add(out, run, n);
			i += n;
			continue;
		}
		i++;			/* the backslash */
		if (i >= len) {		/* cannot happen after the lexer */
			sb_addc(out, '\\');
			break;
		}
		c = s[i++];
		switch (c) {
		case 'a': c = '\a'; break;
		case 'b': c = '\b'; break;
		case 't': c = '\t'; break;
		case 'n': c = '\n'; break;
		case 'v': c = '\v'; break;
		case 'f': c = '\f'; break;
		case 'r': c = '\r'; break;
		case 'x':
			if (i >= len || !is_hex(s[i]))
				return false;
			v = (unsigned int)hex_val(s[i++]);
			if (i < len && is_hex(s[i]))
				v = v * 16 + (unsigned int)hex_val(s[i++]);
			c = (char)v;
			break;
		default:
			if (c >= '0' && c <= '7') {
				v = (unsigned int)(c - '0');
				for (n = 0; n < 2 && i < len && s[i] >= '0' &&
					    s[i] <= '7'; n++)
					v = v * 8 + (unsigned int)(s[i++] - '0');
				c = (char)(v & 0xff);
			}
			break;
		}
		sb_addc(out, c);
	}
	return true;
}

static int lex_error(struct dts_lexer *lx, const char *p, const char *fmt,
		     ...) PRINTF(3, 4);

static int lex_error(struct dts_lexer *lx, const char *p, const char *fmt,
		     ...)
{
	struct srcpos pos;
	va_list ap;
	char *msg;

	here(lx->in, p, &pos);
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_error(lx->d, &pos, "%s", msg);
	free(msg);
	return -EINVAL;
}

/*
 * Scan the body of a "string" starting after the opening quote: returns
 * the closing quote, or NULL (dtc's STRING rule does not match: end of
 * input, or a backslash before a newline).
 */
static const char *scan_string(const char *q, const char *end)
{
	while (q < end) {
		if (*q == '"')
			return q;
		if (*q == '\\') {
			if (q + 1 >= end || q[1] == '\n')
				return NULL;
			q += 2;
			continue;
		}
		q++;
	}
	return NULL;
}

/*
 * cpp line marker at the start of a line:
 *   #[line] LINE "FILE" [FLAGS...]
 * Returns 1 if handled, 0 if the text is no line marker, <0 on error.
 */
static int line_marker(struct dts_lexer *lx)
{
	struct lex_input *in = lx->in;
	const char *p = in->p, *end = in->end, *q = p + 1, *s, *e;
	uint64_t line = 0;

	if (starts(q, end, "line"))
		q += 4;
	if (q >= end || (*q != ' ' && *q != '\t'))
		return 0;
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (q >= end || !is_digit(*q))
		return 0;
	while (q < end && is_digit(*q)) {
		if (line < UINT32_MAX)
			line = line * 10 + (uint64_t)(*q - '0');
		q++;
	}
	if (line > UINT32_MAX)
		line = UINT32_MAX;
	if (q >= end || (*q != ' ' && *q != '\t'))
		return 0;
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (q >= end || *q != '"')
		return 0;
	s = q + 1;
	e = scan_string(s, end);
	if (!e)
		return 0;
	q = e + 1;
	/* optional flags, on this line only */
	for (;;) {
		const char *r = q;

		while (r < end && (*r == ' ' || *r == '\t'))
			r++;
		if (r == q || r >= end || !is_digit(*r))
			break;
		while (r < end && is_digit(*r))
			r++;
		q = r;
	}
	if (!decode_escapes(s, (size_t)(e - s), &lx->sbuf))
		return lex_error(lx, s, "\\x used with no following hex digits");
	if (memchr(lx->sbuf.buf, '\0', lx->sbuf.len))
		return lex_error(lx, p, "NUL character in the file name of a line marker");
	in->file = srcfiles_add(&lx->tree->files, lx->sbuf.buf, NULL, 0);
	/* the marker names the line after it */
	in->line = (uint32_t)line - 1;
	in->p = q;
	return 1;
}

/* at: where the /include/ starts (taken before the lines of its file
 * name were counted: the name may span lines) */
static int include_file(struct dts_lexer *lx, const struct srcpos *at,
			const char *name, size_t len)
{
	char *fname = xstrndup(name, len), *path, *data, *dir;
	struct srcfile *f;
	size_t n;
	int ret;

	if (lx->depth >= DTS_MAX_INCLUDE_DEPTH) {
		diag_error(lx->d, at, "includes nested too deeply (more than %d levels): is '%s' including itself?",
			   DTS_MAX_INCLUDE_DEPTH, fname);
		free(fname);
		return -EINVAL;
	}
	ret = dts_lexer_open(lx, fname, &path, &data, &n);
	if (ret < 0) {
		diag_error(lx->d, at, "cannot include '%s': %s", fname,
			   ret == -EINVAL ? "not a regular file"
					  : strerror(-ret));
		free(fname);
		return ret;
	}
	free(fname);
	f = srcfiles_add(&lx->tree->files, path, NULL, 0);
	if (!f->text) {
		f->text = data;
		f->len = n;
	} else {
		free(data);
	}
	dir = dir_of(path);
	free(path);
	lx->depth++;
	push_input(lx, f, dir);
	free(dir);
	return 0;
}

/* Skip white space, comments, line markers and /include/s. */
static int skip_space(struct dts_lexer *lx)
{
	for (;;) {
		struct lex_input *in = lx->in;
		const char *p = in->p, *end = in->end, *q;
		int ret;

		for (;;) {
			unsigned char c = (unsigned char)*p;

			if (cc_is(c, CC_BLANK)) {
				p++;
			} else if (c == '\n') {
				p++;
				in->line++;
				in->line_start = p;
			} else {
				break;
			}
		}
		in->p = p;
		if (p >= end) {
			if (!in->up)
				return 0;
			pop_input(lx);
			continue;
		}
		if (*p == '/' && p[1] == '*') {
			q = p + 2;
			for (;;) {
				q = memchr(q, '*', (size_t)(end - q));
				if (!q || q + 1 >= end)
					return lex_error(lx, p, "unterminated comment");
				if (q[1] == '/')
					break;
				q++;
			}
			count_lines(in, p, q);
			in->p = q + 2;
			continue;
		}
		if (*p == '/' && p[1] == '/') {
			q = memchr(p, '\n', (size_t)(end - p));
			in->p = q ? q : end;
			continue;
		}
		if (*p == '/' && starts(p, end, "/include/")) {
			struct srcpos at;
			const char *s;

			here(in, p, &at);
			q = p + 9;
			while (q < end && is_space(*q))
				q++;
			if (q >= end || *q != '"')
				return lex_error(lx, p, "expected a quoted file name after '/include/'");
			/* lines first: the name may start, or go on, below */
			count_lines(in, p, q);
			s = scan_string(q + 1, end);
			if (!s)
				return lex_error(lx, q, "unterminated string");
			count_lines(in, q, s);
			in->p = s + 1;
			ret = include_file(lx, &at, q + 1, (size_t)(s - q - 1));
			if (ret < 0)
				return ret;
			continue;
		}
		if (*p == '#' && p == in->line_start) {
			ret = line_marker(lx);
			if (ret < 0)
				return ret;
			if (ret)
				continue;
		}
		return 0;
	}
}

static const struct {
	const char *word;
	int tok;
	int state;	/* -1: unchanged */
} keywords[] = {
	{ "/dts-v1/", TK_V1, LS_V1 },
	{ "/multikernel-v1/", TK_MK, LS_V1 },
	{ "/plugin/", TK_PLUGIN, -1 },
	{ "/memreserve/", TK_MEMRESERVE, LS_V1 },
	{ "/bits/", TK_BITS, LS_V1 },
	{ "/delete-property/", TK_DEL_PROP, LS_NAME },
	{ "/delete-node/", TK_DEL_NODE, LS_NAME },
	{ "/omit-if-no-ref/", TK_OMIT, LS_NAME },
	{ "/incbin/", TK_INCBIN, -1 },
};

/*
 * '/' starting no comment: a directive, or the one-character token '/'
 * (dtc's "." rule).  Sets t->kind; returns the end of the token, or NULL
 * after a diagnostic.
 */
static const char *lex_directive(struct dts_lexer *lx, struct dts_token *t,
				 const char *p)
{
	const char *q;
	size_t i;

	t->kind = '/';
	if (!is_alpha(p[1]))
		return p + 1;
	for (q = p + 1; is_label_char(*q) || *q == '-'; q++)
		;
	if (*q != '/')
		return p + 1;
	q++;
	for (i = 0; i < ARRAY_SIZE(keywords); i++) {
		if (strlen(keywords[i].word) == (size_t)(q - p) &&
		    memcmp(keywords[i].word, p, (size_t)(q - p)) == 0)
			break;
	}
	if (i == ARRAY_SIZE(keywords)) {
		lex_error(lx, p, "unknown directive '%.*s'", (int)(q - p), p);
		return NULL;
	}
	/* dtc knows /incbin/ only outside names and byte strings */
	if (keywords[i].tok == TK_INCBIN && lx->state != LS_V1)
		return p + 1;
	t->kind = keywords[i].tok;
	if (keywords[i].state >= 0)
		lx->state = keywords[i].state;
	return q;
}

/* Integer literal: returns its end, or NULL after a diagnostic. */
static const char *lex_number(struct dts_lexer *lx, struct dts_token *t,
			      const char *p)
{
	const char *q = p;
	uint64_t v = 0;
	bool range = false;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && is_hex(p[2])) {
		for (q = p + 2; is_hex(*q); q++) {
			if (v >> 60)
				range = true;
			v = v << 4 | (uint64_t)hex_val(*q);
		}
	} else {
		unsigned int base = (p[0] == '0') ? 8 : 10;

		for (q = p; is_digit(*q); q++) {
			unsigned int dg = (unsigned int)(*q - '0');

			if (dg >= base) {
				const char *e = q;

				while (is_digit(*e))
					e++;
				lex_error(lx, p, "bad integer literal '%.*s': '%c' is not an octal digit (a leading 0 means octal)",
					  (int)(e - p), p, *q);
				return NULL;
			}
			if (__builtin_mul_overflow(v, base, &v) ||
			    __builtin_add_overflow(v, dg, &v))
				range = true;
		}
	}
	/* suffix: U, L, UL, LL, ULL (longest match; the text ends in NUL) */
	if (*q == 'U') {
		q++;
		if (*q == 'L') {
			q++;
			if (*q == 'L')
				q++;
		}
	} else if (*q == 'L') {
		q++;
		if (*q == 'L')
			q++;
	}
	if (range) {
		lex_error(lx, p, "integer literal '%.*s' out of range (more than 64 bits)",
			  (int)(q - p), p);
		return NULL;
	}
	t->kind = TK_LITERAL;
	t->num = v;
	t->s = p;
	t->len = (size_t)(q - p);
	return q;
}

static int lex_char_literal(struct dts_lexer *lx, struct dts_token *t,
			    const char *p)
{
	struct lex_input *in = lx->in;
	const char *q, *last = NULL;

	/*
	 * dtc's rule is '([^']|\\')*' with flex's longest match: the
	 * literal ends at the last quote before the first quote that is
	 * not preceded by a backslash.
	 */
	for (q = p + 1; q < in->end; q++) {
		if (*q != '\'')
			continue;
		last = q;
		if (q > p + 1 && q[-1] == '\\')
			continue;
		break;
	}
	if (!last)
		return lex_error(lx, p, "unterminated character literal");
	if (!decode_escapes(p + 1, (size_t)(last - p - 1), &lx->sbuf))
		return lex_error(lx, p, "\\x used with no following hex digits");
	if (lx->sbuf.len == 0)
		return lex_error(lx, p, "empty character literal");
	if (lx->sbuf.len > 1)
		return lex_error(lx, p, "character literal has %zu characters instead of 1",
				 lx->sbuf.len);
	t->kind = TK_CHAR;
	t->num = (unsigned char)lx->sbuf.buf[0];
	t->s = p;
	t->len = (size_t)(last + 1 - p);
	count_lines(in, p, last);
	in->p = last + 1;
	return 0;
}

static int lex_string(struct dts_lexer *lx, struct dts_token *t,
		      const char *p)
{
	struct lex_input *in = lx->in;
	const char *e = scan_string(p + 1, in->end);

	if (!e)
		return lex_error(lx, p, "unterminated string");
	if (!decode_escapes(p + 1, (size_t)(e - p - 1), &lx->sbuf))
		return lex_error(lx, p, "\\x used with no following hex digits");
	t->kind = TK_STRING;
	t->s = lx->sbuf.buf;
	t->len = lx->sbuf.len;
	count_lines(in, p, e);
	in->p = e + 1;
	return 0;
}

/* End of a run of name characters (the text ends in NUL, no name char). */
static inline const char *scan_name(const char *q)
{
	while (is_propnode_char(*q))
		q++;
	return q;
}

/*
 * At a letter or '_': a label ("name:", which wins over every rule it
 * overlaps with) or, where names are expected, a property or node name
 * (label characters are name characters: the scan goes on).  Returns the
 * end of the token, or NULL if it is neither.  Shared by both paths.
 */
static inline const char *lex_word(struct dts_lexer *lx, struct dts_token *t,
				   const char *p)
{
	const char *q;

	for (q = p + 1; is_label_char(*q); q++)
		;
	if (*q == ':') {
		t->kind = TK_LABEL;
		t->s = p;
		t->len = (size_t)(q - p);
		return q + 1;
	}
	if (lx->state != LS_NAME)
		return NULL;
	q = scan_name(q);
	t->kind = TK_NAME;
	t->s = p;
	t->len = (size_t)(q - p);
	lx->state = LS_V1;
	return q;
}

/* &label, with a label character after the '&': returns its end. */
static inline const char *lex_label_ref(struct dts_token *t, const char *p)
{
	const char *q;

	for (q = p + 2; is_label_char(*q); q++)
		;
	t->kind = TK_LABEL_REF;
	t->s = p + 1;
	t->len = (size_t)(q - p - 1);
	return q;
}

/* The two-character operators but "&&": their token, or 0. */
static int lex_operator2(const char *p)
{
	static const struct {
		char s[3];
		int tok;
	} ops[] = {
		{ "<<", TK_LSHIFT }, { "<=", TK_LE }, { ">>", TK_RSHIFT },
		{ ">=", TK_GE },     { "==", TK_EQ }, { "!=", TK_NE },
		{ "||", TK_OR },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		if (p[0] == ops[i].s[0] && p[1] == ops[i].s[1])
			return ops[i].tok;
	return 0;
}

/*
 * One token, by all the rules: what is between tokens first (skip_space),
 * then one switch on the first character applies dtc's rules in their
 * order of priority: a label first, then the rules of the current start
 * condition, then the operators and the one-character tokens.
 */
static __attribute__((noinline)) int lex_slow(struct dts_lexer *lx,
					       struct dts_token *t)
{
	struct lex_input *in;
	const char *p, *q;
	unsigned char c;
	int ret;

	ret = skip_space(lx);
	if (ret < 0)
		return ret;
	in = lx->in;
	p = in->p;
	here(in, p, &t->pos);
	if (p >= in->end) {
		t->kind = TK_EOF;
		t->raw = p;
		t->raw_len = 0;
		return 0;
	}
	c = (unsigned char)*p;
	switch (c) {
	case 'a' ... 'z':
	case 'A' ... 'Z':
	case '_':
		q = lex_word(lx, t, p);
		if (q)
			break;
		if (lx->state == LS_BYTES && is_hex(c) && is_hex(p[1]))
			goto byte;
		for (q = p + 1; is_label_char(*q); q++)
			;
		goto stray;
	case '0' ... '9':
		if (lx->state == LS_V1) {
			q = lex_number(lx, t, p);
			if (!q)
				return -EINVAL;
			break;
		}
		if (lx->state == LS_NAME) {
			q = scan_name(p + 1);
			goto name;
		}
		if (is_hex(p[1]))
			goto byte;
		for (q = p + 1; is_label_char(*q); q++)
			;
		goto stray;
	case ',': case '.': case '+': case '*': case '?': case '@':
	case '-': case '#':
		if (lx->state == LS_NAME) {
			q = scan_name(p + 1);
			goto name;
		}
		q = p + 1;
		if (c == '.' || c == '@' || c == '#')
			goto stray;
		goto single;
	case '\\':
		q = p + 1;
		if (lx->state != LS_NAME || !is_propnode_char(*q))
			goto stray;
		/* the backslash is not part of the name */
		q = scan_name(q);
		t->kind = TK_NAME;
		t->s = p + 1;
		t->len = (size_t)(q - p - 1);
		lx->state = LS_V1;
		break;
	case '"':
		ret = lex_string(lx, t, p);
		if (ret < 0)
			return ret;
		goto lines;
	case '\'':
		ret = lex_char_literal(lx, t, p);
		if (ret < 0)
			return ret;
		goto lines;
	case '&':
		if (p[1] == '&') {
			t->kind = TK_AND;
			q = p + 2;
			break;
		}
		if (p[1] == '{') {
			for (q = p + 2; is_propnode_char(*q) || *q == '/'; q++)
				;
			if (*q != '}')
				return lex_error(lx, p, "expected '}' to end the path reference '%.*s'",
						 (int)(q - p), p);
			if (q == p + 2)
				return lex_error(lx, p, "empty path in reference '&{}'");
			t->kind = TK_PATH_REF;
			t->s = p + 2;
			t->len = (size_t)(q - p - 2);
			q++;
			break;
		}
		if (is_label_start(p[1])) {
			q = lex_label_ref(t, p);
			break;
		}
		goto single;
	case '/':
		q = lex_directive(lx, t, p);
		if (!q)
			return -EINVAL;
		break;
	case '<': case '>': case '=': case '!': case '|':
		t->kind = lex_operator2(p);
		if (!t->kind)
			goto single;
		q = p + 2;
		break;
	case '{':
	case ';':
		lx->state = LS_NAME;
		goto single;
	case '[':
		lx->state = LS_BYTES;
		goto single;
	case ']':
		if (lx->state == LS_BYTES)
			lx->state = LS_V1;
		goto single;
	case '}': case '(': case ')': case '%': case '^': case '~': case ':':
		goto single;
	default:
		q = p + 1;
		goto stray;
	}
done:
	in->p = q;
	t->raw = p;
	t->raw_len = (size_t)(q - p);
	return 0;
lines:
	/* a string or a character literal: in has moved past it */
	t->raw = p;
	t->raw_len = (size_t)(in->p - p);
	return 0;
single:
	/* one character (dtc's "." rule) */
	t->kind = c;
	q = p + 1;
	goto done;
name:
	t->kind = TK_NAME;
	t->s = p;
	t->len = (size_t)(q - p);
	lx->state = LS_V1;
	goto done;
byte:
	t->kind = TK_BYTE;
	t->num = (uint64_t)(hex_val(c) * 16 + hex_val(p[1]));
	q = p + 2;
	goto done;
stray:
	/* anything else: a word of label characters, or one byte */
	t->kind = TK_STRAY;
	t->s = p;
	t->len = (size_t)(q - p);
	goto done;
}

/*
 * The common tokens, without a function call (so without saving
 * registers): the white space before them, names and labels where names
 * are expected, the punctuation around properties and nodes, &label.
 * Anything else, and whatever follows a CC_SKIP character, is left to
 * lex_slow(), which knows all the rules; this must agree with it.
 */
int dts_lex(struct dts_lexer *lx, struct dts_token *t)
{
	struct lex_input *in = lx->in;
	const char *p = in->p, *q;
	unsigned char c;

	for (;;) {
		c = (unsigned char)*p;
		if (cc_is(c, CC_BLANK)) {
			p++;
		} else if (c == '\n') {
			in->line++;
			in->line_start = ++p;
			/* the usual indentation, in a tighter loop */
			while (*p == '\t')
				p++;
		} else {
			break;
		}
	}
	switch (c) {
	case 'a' ... 'z':
	case 'A' ... 'Z':
	case '_':
		if (lx->state != LS_NAME)
			break;
		q = lex_word(lx, t, p);	/* never NULL in LS_NAME */
		goto done;
	case '{':
	case ';':
		lx->state = LS_NAME;
		goto single;
	case '=':
		if (p[1] == '=')
			break;
		goto single;
	case '<':
		if (p[1] == '<' || p[1] == '=')
			break;
		goto single;
	case '>':
		if (p[1] == '>' || p[1] == '=')
			break;
		goto single;
	case ',':
		if (lx->state == LS_NAME)
			break;
		goto single;
	case '}': case '(': case ')':
		goto single;
	case '&':
		if (!is_label_start(p[1]))
			break;
		q = lex_label_ref(t, p);
		goto done;
	}
	in->p = p;
	return lex_slow(lx, t);
single:
	t->kind = c;
	q = p + 1;
done:
	in->p = q;
	t->pos.file = in->file;
	t->pos.line = in->line;
	t->pos.col = (uint32_t)(p - in->line_start + 1);
	t->raw = p;
	t->raw_len = (size_t)(q - p);
	return 0;
}

size_t dts_lex_cells(struct dts_lexer *lx, struct dts_token *t,
		     struct dt_value *out)
{
	struct lex_input *in = lx->in;
	const char *p = in->p, *line_start = in->line_start;
	const char *last = NULL, *last_end = NULL, *last_ls = NULL;
	uint32_t line = in->line, last_line = 0;
	size_t len0 = out->len;
	uint8_t *d, *dend;
	unsigned int c;

	if (lx->state != LS_V1 || (t->kind != TK_LITERAL && t->kind != '<') ||
	    t->raw + t->raw_len != p)
		return 0;
	/* out is the parser's scratch value: heap memory, or none yet */
	if (out->len + 4 > out->cap)
		out->data = xgrow(out->data, &out->cap, out->len + 4, 1);
	d = out->data + out->len;
	dend = out->data + out->cap;
	/*
	 * The text ends in NUL, which stops every scan below: no bounds
	 * checks are needed.  Per cell, only where it is (last, last_end)
	 * is kept: the token for the last one is made after the loop.
	 */
	for (;;) {
		const char *q;
		uint32_t x;

		while ((c = (unsigned char)*p) == ' ' || c == '\t' ||
		       c == '\n') {
			if (c == '\n') {
				/* the line of the last cell ends here */
				if (last && last >= line_start) {
					last_line = line;
					last_ls = line_start;
				}
				line++;
				line_start = p + 1;
			}
			p++;
		}
		c -= '0';
		if (c > 9)
			break;
		if (c) {			/* decimal, at most 9 digits */
			x = c;
			for (q = p + 1; (c = (unsigned char)*q - '0') <= 9;
			     q++)
				x = x * 10 + c;
			if (q - p > 9)
				break;
		} else if ((p[1] | 0x20) == 'x') { /* hex, 1..8 digits */
			x = 0;
			for (q = p + 2; is_hex(*q); q++)
				x = x << 4 | (uint32_t)hex_val(*q);
			if (q == p + 2 || q - p > 10)
				break;
		} else {			/* "0"; 0NNN is octal */
			q = p + 1;
			x = 0;
		}
		/* a suffix, a name character or an operator: the slow path */
		c = (unsigned char)*q;
		if (c != ' ' && c != '\n' && c != '>' && c != '\t')
			break;
		if (d + 4 > dend) {
			size_t len = (size_t)(d - out->data);

			out->len = len;
			out->data = xgrow(out->data, &out->cap, len + 4, 1);
			d = out->data + len;
			dend = out->data + out->cap;
		}
		d[0] = (uint8_t)(x >> 24);
		d[1] = (uint8_t)(x >> 16);
		d[2] = (uint8_t)(x >> 8);
		d[3] = (uint8_t)x;
		d += 4;
		last = p;
		last_end = q;
		/* the usual single space: no need to look at it again */
		p = q + (c == ' ');
	}
	if (!last)
		return 0;
	out->len = (size_t)(d - out->data);
	/* p is past the white space after the last cell */
	in->p = p;
	in->line = line;
	in->line_start = line_start;
	if (last >= line_start) {
		last_line = line;
		last_ls = line_start;
	}
	/* t describes the last cell, as if dts_lex() had read it */
	t->kind = TK_LITERAL;
	t->num = (uint32_t)d[-4] << 24 | (uint32_t)d[-3] << 16 |
		 (uint32_t)d[-2] << 8 | d[-1];
	t->s = t->raw = last;
	t->len = t->raw_len = (size_t)(last_end - last);
	t->pos.file = in->file;
	t->pos.line = last_line;
	t->pos.col = (uint32_t)(last - last_ls + 1);
	return (out->len - len0) / 4;
}

void dts_token_end(const struct dts_token *t, struct srcpos *end)
{
	const char *s = t->raw, *e = t->raw + t->raw_len, *nl;

	*end = t->pos;
	if (!t->raw_len)
		return;
	while ((nl = memchr(s, '\n', (size_t)(e - s))) != NULL) {
		end->line++;
		end->col = 1;
		s = nl + 1;
	}
	/* as here() would have it, modulo 2^32 like the columns */
	end->col += (uint32_t)(e - s);
}

static void describe_bytes(struct strbuf *sb, const char *s, size_t len,
			   size_t max)
{
	size_t i;

	for (i = 0; i < len && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\'' || c == '\\')
			sb_addf(sb, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			sb_addc(sb, (char)c);
		else
			sb_addf(sb, "\\x%02x", c);
	}
	if (len > max)
		sb_adds(sb, "...");
}

void dts_token_describe(const struct dts_token *t, struct strbuf *sb)
{
	switch (t->kind) {
	case TK_EOF:
		sb_adds(sb, "end of file");
		return;
	case TK_NAME:
		sb_adds(sb, "name '");
		break;
	case TK_LABEL:
		sb_adds(sb, "label '");
		break;
	case TK_STRING:
		sb_adds(sb, "string ");
		describe_bytes(sb, t->raw, t->raw_len, 40);
		return;
	case TK_LITERAL:
	case TK_CHAR:
		sb_adds(sb, "number '");
		break;
	case TK_STRAY:
		if (t->raw_len == 1 &&
		    ((unsigned char)t->raw[0] < 0x20 ||
		     (unsigned char)t->raw[0] >= 0x7f)) {
			sb_addf(sb, "stray byte 0x%02x",
				(unsigned char)t->raw[0]);
			return;
		}
		/* fall through */
	default:
		sb_addc(sb, '\'');
		break;
	}
	describe_bytes(sb, t->raw, t->raw_len, 40);
	sb_addc(sb, '\'');
}
