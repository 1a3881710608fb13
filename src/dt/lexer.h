/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DTS lexer: a hand-written scanner over the file text that follows dtc's
 * flex rules (dtc-lexer.l), including its three start conditions: names
 * are only recognised after '{', ';' and the node/property directives,
 * numbers only elsewhere, hex bytes only inside '[ ]'.  /include/ and cpp
 * line markers are handled here, between tokens, as dtc does.
 */
#ifndef KERF_DT_LEXER_H
#define KERF_DT_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dt/dt.h"
#include "util/diag.h"
#include "util/srcpos.h"
#include "util/util.h"

/* Single-character tokens are their character; the others follow. */
enum dts_tok {
	TK_EOF = 256,
	TK_V1,		/* /dts-v1/ */
	TK_MK,		/* /multikernel-v1/ */
	TK_PLUGIN,	/* /plugin/ */
	TK_MEMRESERVE,	/* /memreserve/ */
	TK_BITS,	/* /bits/ */
	TK_DEL_PROP,	/* /delete-property/ */
	TK_DEL_NODE,	/* /delete-node/ */
	TK_OMIT,	/* /omit-if-no-ref/ */
	TK_INCBIN,	/* /incbin/ */
	TK_NAME,	/* property or node name: s, len (backslash removed) */
	TK_LITERAL,	/* integer literal: num */
	TK_CHAR,	/* character literal: num */
	TK_BYTE,	/* two hex digits inside [ ]: num */
	TK_STRING,	/* "...": decoded text in the lexer's sbuf */
	TK_LABEL,	/* name: -> s, len (without ':') */
	TK_LABEL_REF,	/* &name -> s, len (without '&') */
	TK_PATH_REF,	/* &{path} -> s, len (inside the braces) */
	TK_LSHIFT,
	TK_RSHIFT,
	TK_LE,
	TK_GE,
	TK_EQ,
	TK_NE,
	TK_AND,
	TK_OR,
	TK_STRAY,	/* anything else: s, len (a word or one byte) */
};

/*
 * s, len and num are set only for the kinds that give them a meaning
 * (see enum dts_tok); for the others they keep whatever they held.
 */
struct dts_token {
	int kind;
	struct srcpos pos;	/* first character */
	const char *s;		/* meaning, see enum dts_tok */
	size_t len;
	const char *raw;	/* the token as written */
	size_t raw_len;
	uint64_t num;
};

struct lex_input;

struct dts_lexer {
	struct dt_tree *tree;		/* owns the srcfiles */
	struct diags *d;
	const struct dt_parse_opts *opts;
	struct lex_input *in;		/* innermost file being read */
	unsigned int depth;
	int state;
	struct strbuf sbuf;		/* decoded TK_STRING */
};

#define DTS_MAX_INCLUDE_DEPTH 100

/*
 * Start lexing file f (already registered in tree->files, with its text);
 * dir is the directory relative /include/s are searched in first.
 */
void dts_lexer_init(struct dts_lexer *lx, struct dt_tree *tree,
		    struct srcfile *f, const char *dir,
		    const struct dt_parse_opts *o, struct diags *d);
void dts_lexer_free(struct dts_lexer *lx);
/* Next token; 0, or -EINVAL/-errno after a diagnostic. */
int dts_lex(struct dts_lexer *lx, struct dts_token *t);
/*
 * Fast path for cell lists: t is the '<' or a 32-bit TK_LITERAL just
 * lexed.  Append the plain literals that follow it (decimal without a
 * leading 0, or hex, that fit in 32 bits, separated by white space) to
 * out as big-endian cells, and leave t describing the last one, as if
 * each had been lexed (t is unchanged if there is none).  Stops before
 * anything else (comments, expressions, labels, '>'), which the next
 * dts_lex() reads as usual.  Returns the number of cells added.
 */
size_t dts_lex_cells(struct dts_lexer *lx, struct dts_token *t,
		     struct dt_value *out);
/*
 * Find and read a file for /incbin/: relative to the directory of the file
 * being read, then in the include directories.  *path is malloc'd.
 */
int dts_lexer_open(struct dts_lexer *lx, const char *name, char **path,
		   char **data, size_t *len);
/*
 * The position just after a token (for messages only, so it is not
 * kept in the token): its position plus its text, which may hold
 * newlines (strings, character literals).
 */
void dts_token_end(const struct dts_token *t, struct srcpos *end);
/* Describe a token for messages: "'}'", "end of file", "name 'cpus'". */
void dts_token_describe(const struct dts_token *t, struct strbuf *sb);

#endif
