// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sizes and addresses (schema.md §3).  All arithmetic is exact integer
 * arithmetic: "1.5GB" must be 1610612736 bytes, never a rounded double.
 */
#include "model/size.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"

struct unit {
	const char *names[3]; /* accepted spellings, case-insensitive */
	unsigned int shift;   /* bytes = value << shift */
	const char *iec;      /* output, SIZE_IEC */
	const char *compact;  /* output, SIZE_COMPACT */
};

static const struct unit units[] = {
	{{"B", NULL, NULL}, 0, "B", "B"},
	{{"K", "KB", "KiB"}, 10, "KiB", "KB"},
	{{"M", "MB", "MiB"}, 20, "MiB", "MB"},
	{{"G", "GB", "GiB"}, 30, "GiB", "GB"},
	{{"T", "TB", "TiB"}, 40, "TiB", "TB"},
};

/* Longest fraction that can still be whole: 2^-40 has 40 decimals. */
#define MAX_FRAC_DIGITS 40

PRINTF(3, 4)
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Quote user input for a message: at most n bytes, non-printable bytes
 * as \xNN, "..." when cut short.
 */
static const char *quote(char *buf, size_t len, const char *s, size_t n)
{
	size_t o = 0, i;

	for (i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o + 8 >= len) {
			snprintf(buf + o, len - o, "...");
			return buf;
		}
		if (isprint(c))
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
	}
	buf[o] = '\0';
	if (i == n && s[i])
		snprintf(buf + o, len - o, "...");
	return buf;
}

static const char *quote_char(char *buf, size_t len, char c)
{
	if (isprint((unsigned char)c))
		snprintf(buf, len, "%c", c);
	else
		snprintf(buf, len, "\\x%02x", (unsigned char)c);
	return buf;
}

static bool is_hex_prefix(const char *s)
{
	return s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

/*
 * Digits of a number in base 10 or 16 from *p; advances *p.  -EINVAL when
 * there is no digit, -ERANGE on overflow (all digits consumed anyway).
 */
static int scan_u64(const char **p, unsigned int base, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	bool overflow = false;
	unsigned int d;

	for (;; s++) {
		if (isdigit((unsigned char)*s))
			d = (unsigned int)(*s - '0');
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = (unsigned int)(tolower((unsigned char)*s) - 'a') +
			    10;
		else
			break;
		if (__builtin_mul_overflow(v, base, &v) ||
		    __builtin_add_overflow(v, d, &v))
			overflow = true;
	}
	if (s == *p)
		return -EINVAL;
	*p = s;
	*out = v;
	return overflow ? -ERANGE : 0;
}

static int bad_char(const char *s, const char *at, const char *what, char *err,
		    size_t errlen)
{
	char q[64], c[16];

	quote(q, sizeof(q), s, 48);
	if (!*at) {
		seterr(err, errlen, "invalid %s '%s': unexpected end", what, q);
		return -EINVAL;
	}
	/* clang-format off */
	seterr(err, errlen,
	       "invalid %s '%s': unexpected character '%s' at position %zu",
	       what, q, quote_char(c, sizeof(c), *at), (size_t)(at - s));
	/* clang-format on */
	return -EINVAL;
}

/* Hex after "0x": no unit, no fraction. */
static int parse_hex(const char *s, const char *what, uint64_t *out, char *err,
		     size_t errlen)
{
	const char *p = s + 2;
	char q[64];
	int ret;

	ret = scan_u64(&p, 16, out);
	if (ret == -EINVAL || *p) {
		*out = 0;
		if (ret != -EINVAL && isalpha((unsigned char)*p)) {
			seterr(err, errlen,
			       "invalid %s '%s': a hex %s takes no unit", what,
			       quote(q, sizeof(q), s, 48), what);
			return -EINVAL;
		}
		return bad_char(s, p, what, err, errlen);
	}
	if (ret == -ERANGE) {
		*out = 0;
		seterr(err, errlen, "%s %s is too large (more than 64 bits)",
		       what, quote(q, sizeof(q), s, 48));
	}
	return ret;
}

static const struct unit *find_unit(const char *u)
{
	size_t i, j;

	if (!*u)
		return &units[0];
	for (i = 0; i < ARRAY_SIZE(units); i++)
		for (j = 0; j < ARRAY_SIZE(units[i].names); j++)
			if (units[i].names[j] &&
			    !strcasecmp(u, units[i].names[j]))
				return &units[i];
	return NULL;
}

/*
 * frac (n decimal digits, no trailing zeros) times 2^shift: add the integer
 * part to *v and tell whether nothing is left after the point.  Doubling a
 * decimal fraction digit by digit keeps this exact for any length.
 */
static bool frac_scale(const char *frac, size_t n, unsigned int shift,
		       uint64_t *v, bool *overflow)
{
	unsigned char d[MAX_FRAC_DIGITS];
	uint64_t carries = 0;
	unsigned int i;
	size_t k;

	if (n > MAX_FRAC_DIGITS)
		return false;
	for (k = 0; k < n; k++)
		d[k] = (unsigned char)(frac[k] - '0');
	for (i = 0; i < shift; i++) {
		unsigned int c = 0;

		for (k = n; k-- > 0;) {
			unsigned int x = d[k] * 2u + c;

			d[k] = (unsigned char)(x % 10);
			c = x / 10;
		}
		/* carries doubles with the rest: it is the integer part. */
		carries = carries * 2 + c;
	}
	for (k = 0; k < n; k++)
		if (d[k])
			return false;
	if (__builtin_add_overflow(*v, carries, v))
		*overflow = true;
	return true;
}

int size_parse(const char *s, uint64_t *out, char *err, size_t errlen)
{
	const char *p = s, *frac = NULL, *ustart;
	const struct unit *u;
	size_t nfrac = 0;
	bool overflow = false;
	uint64_t v;
	char q[64], uq[40];
	int ret;

	*out = 0;
	if (!*s) {
		seterr(err, errlen, "empty size");
		return -EINVAL;
	}
	if (*s == '-' || *s == '+') {
		seterr(err, errlen, "invalid size '%s': sizes have no sign",
		       quote(q, sizeof(q), s, 48));
		return -EINVAL;
	}
	if (is_hex_prefix(s))
		return parse_hex(s, "size", out, err, errlen);

	ret = scan_u64(&p, 10, &v);
	if (ret == -EINVAL)
		return bad_char(s, p, "size", err, errlen);
	if (ret == -ERANGE)
		overflow = true;
	if (*p == '.') {
		p++;
		frac = p;
		while (isdigit((unsigned char)*p))
			p++;
		nfrac = (size_t)(p - frac);
		if (!nfrac)
			return bad_char(s, p, "size", err, errlen);
		while (nfrac && frac[nfrac - 1] == '0')
			nfrac--;
	}
	/* "2 GiB", as size_format(SIZE_IEC) writes it, reads back. */
	ustart = p;
	while (*p == ' ')
		p++;
	if (p != ustart && !*p)
		return bad_char(s, ustart, "size", err, errlen);
	u = find_unit(p);
	if (!u) {
		if (!isalpha((unsigned char)*p))
			return bad_char(s, p, "size", err, errlen);
		seterr(err, errlen, "unknown unit '%s' (use B, K, M, G or T)",
		       quote(uq, sizeof(uq), p, 16));
		return -EINVAL;
	}

	if (!overflow && (v >> (63 - u->shift) >> 1))
		overflow = true;
	v <<= u->shift;
	if (!overflow && nfrac &&
	    !frac_scale(frac, nfrac, u->shift, &v, &overflow)) {
		seterr(err, errlen, "%s is not a whole number of bytes",
		       quote(q, sizeof(q), s, 48));
		return -EINVAL;
	}
	if (overflow) {
		seterr(err, errlen, "size %s is too large (maximum 16 EiB)",
		       quote(q, sizeof(q), s, 48));
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int addr_parse(const char *s, uint64_t *out, char *err, size_t errlen)
{
	const char *p = s;
	char q[64];
	int ret;

	*out = 0;
	if (!*s) {
		seterr(err, errlen, "empty address");
		return -EINVAL;
	}
	if (is_hex_prefix(s))
		return parse_hex(s, "address", out, err, errlen);
	ret = scan_u64(&p, 10, out);
	if (ret == -EINVAL || *p) {
		*out = 0;
		return bad_char(s, p, "address", err, errlen);
	}
	if (ret == -ERANGE) {
		*out = 0;
		seterr(err, errlen,
		       "address %s is too large (more than 64 bits)",
		       quote(q, sizeof(q), s, 48));
	}
	return ret;
}

/* bytes / 2^shift as an integer and hundredths; exact or rounded. */
static bool split(uint64_t bytes, unsigned int shift, uint64_t *ip,
		  unsigned int *hund)
{
	uint64_t unit = UINT64_C(1) << shift;
	uint64_t rem = bytes & (unit - 1); /* < 2^40: *100 fits */
	bool exact = (rem * 100) % unit == 0;

	*ip = bytes >> shift;
	*hund = (unsigned int)((rem * 100 + unit / 2) >> shift);
	if (exact)
		*hund = (unsigned int)((rem * 100) >> shift);
	if (*hund == 100) {
		(*ip)++;
		*hund = 0;
	}
	return exact;
}

char *size_format(char *buf, size_t len, uint64_t bytes, enum size_style st)
{
	size_t nat = 0, i;
	const char *sep = st == SIZE_IEC ? " " : "";
	const char *name;
	unsigned int hund;
	uint64_t ip;
	bool exact;

	if (!buf || !len)
		return buf;
	while (nat + 1 < ARRAY_SIZE(units) &&
	       bytes >= UINT64_C(1) << units[nat + 1].shift)
		nat++;

	/*
	 * The natural unit if it is exact; else one unit smaller if that is
	 * (4100 KiB rather than 4.00 MiB); else rounded in the natural unit.
	 */
	i = nat;
	exact = split(bytes, units[i].shift, &ip, &hund);
	if (!exact && nat > 0) {
		uint64_t ip2;
		unsigned int h2;

		if (split(bytes, units[nat - 1].shift, &ip2, &h2)) {
			i = nat - 1;
			ip = ip2;
			hund = h2;
			exact = true;
		}
	}
	name = st == SIZE_IEC ? units[i].iec : units[i].compact;
	if (!exact)
		snprintf(buf, len, "%llu.%02u%s%s", (unsigned long long)ip,
			 hund, sep, name);
	else if (!hund)
		snprintf(buf, len, "%llu%s%s", (unsigned long long)ip, sep,
			 name);
	else if (hund % 10 == 0)
		snprintf(buf, len, "%llu.%u%s%s", (unsigned long long)ip,
			 hund / 10, sep, name);
	else
		snprintf(buf, len, "%llu.%02u%s%s", (unsigned long long)ip,
			 hund, sep, name);
	return buf;
}
