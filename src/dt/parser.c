// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DTS parser: recursive descent over dtc's grammar (dtc-parser.y), building
 * the tree the way dtc's livetree.c builds it, so that the semantic phase
 * sees exactly what dtc's checks see:
 *
 *  - one block's properties and children are kept as written, duplicates
 *    included (the semantic phase reports them);
 *  - a later block is merged like dtc's merge_nodes(), with deletions as
 *    tombstones that a later definition revives in place; tombstones are
 *    removed before the tree is returned;
 *  - labels are added to the head of a label list, as dtc's add_label();
 *  - &label { } and /delete-node/ &label look the label up at once.
 *
 * The first syntax error stops the parse.
 */
#include "dt/dt.h"
#include "dt/lexer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODE_DEPTH 1000
#define MAX_EXPR_DEPTH 256
#define INDEX_MIN 16	/* entries scanned before a node gets a name index */

/*
 * Nodes that own labels of a given name (candidates for &label).  One
 * allocation holds the entry, its name and room for the first node (most
 * labels have one).
 */
struct label_ent {
	struct dt_node **v;		/* &one until a second node comes */
	size_t n, cap;
	struct dt_node *one;
	char name[];
};

/* Name index of a large node, hung on node->user while parsing. */
struct node_idx {
	struct strmap props;		/* first property of each name */
	struct strmap children;		/* first child of each name */
};

struct parser {
	struct dts_lexer lx;
	struct dts_token tok;
	/* where the previous token was (pos, raw and raw_len only) */
	struct dts_token prev;
	struct dt_tree *tree;
	struct diags *d;
	bool plugin;
	unsigned int next_fragment;
	unsigned int depth;
	unsigned int expr_depth;
	struct strmap labels;		/* name -> struct label_ent */
	bool labels_on;			/* labels are noted (labels_start()) */
	bool indexed;			/* some node got a name index */
	struct dt_value scratch;	/* bytes of the value being parsed */
};

/*
 * A value under construction: the bytes grow in the parser's scratch
 * buffer (copied once, at the end, into the tree's arena), the markers
 * are appended to the property in offset order.
 */
struct vbuild {
	struct dt_tree *tree;
	struct dt_value *v;
	struct dt_marker **tail;
};

static int perr(struct parser *ps, const struct srcpos *pos,
		const char *fmt, ...) PRINTF(3, 4);

static int perr(struct parser *ps, const struct srcpos *pos,
		const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_error(ps->d, pos, "%s", msg);
	free(msg);
	return -EINVAL;
}

/* "unexpected X" with an expectation, at the offending token. */
static int unexpected(struct parser *ps, const char *expect)
{
	struct strbuf sb;
	int ret;

	sb_init(&sb);
	dts_token_describe(&ps->tok, &sb);
	if (expect)
		ret = perr(ps, &ps->tok.pos, "expected %s, found %s", expect,
			   sb.buf);
	else
		ret = perr(ps, &ps->tok.pos, "unexpected %s", sb.buf);
	sb_free(&sb);
	return ret;
}

/* Just after the previous token. */
static struct srcpos prev_end(const struct parser *ps)
{
	struct srcpos end;

	dts_token_end(&ps->prev, &end);
	return end;
}

/* A missing token: point just after the previous one (gcc style). */
static int missing(struct parser *ps, const char *what)
{
	struct srcpos end = prev_end(ps);

	return perr(ps, &end, "expected %s", what);
}

static int next(struct parser *ps)
{
	ps->prev.pos = ps->tok.pos;
	ps->prev.raw = ps->tok.raw;
	ps->prev.raw_len = ps->tok.raw_len;
	return dts_lex(&ps->lx, &ps->tok);
}

/*
 * A name kept while the parser reads the tokens after it (cheaper than
 * copying the whole token).
 */
struct name_tok {
	const char *s;
	size_t len;
	struct srcpos pos;
};

static void name_tok_save(struct name_tok *n, const struct dts_token *t)
{
	n->s = t->s;
	n->len = t->len;
	n->pos = t->pos;
}

/*
 * Labels
 */

static void label_note(struct parser *ps, const char *name,
		       struct dt_node *n)
{
	struct label_ent *e;
	size_t i;

	if (!ps->labels_on)
		return;
	e = strmap_get(&ps->labels, name);
	if (!e) {
		size_t len = strlen(name);

		e = xmalloc(sizeof(*e) + len + 1);
		memcpy(e->name, name, len + 1);
		e->v = &e->one;
		e->n = 0;
		e->cap = 1;
		strmap_put(&ps->labels, e->name, e);
	}
	for (i = 0; i < e->n; i++)
		if (e->v[i] == n)
			return;
	if (e->n == e->cap) {
		struct dt_node **old = e->v == &e->one ? NULL : e->v;
		size_t cap = old ? e->cap : 0;

		e->v = xgrow(old, &cap, e->n + 1, sizeof(*e->v));
		if (!old)
			e->v[0] = e->one;
		e->cap = cap;
	}
	e->v[e->n++] = n;
}

static void label_unnote(struct parser *ps, const char *name,
			 struct dt_node *n)
{
	struct label_ent *e;
	size_t i;

	if (!ps->labels_on)
		return;
	e = strmap_get(&ps->labels, name);
	if (!e)
		return;
	for (i = 0; i < e->n; i++) {
		if (e->v[i] == n) {
			e->v[i] = e->v[--e->n];
			return;
		}
	}
}

static void note_subtree(struct parser *ps, struct dt_node *n)
{
	struct dt_label *l;
	struct dt_node *c;

	for (l = n->labels; l; l = l->next)
		label_note(ps, l->name, n);
	for (c = n->children; c; c = c->next)
		note_subtree(ps, c);
}

/*
 * &label is only looked up in the top-level items after the first node
 * (and many files have none): the nodes are noted from the first such
 * item on, starting with those of the tree as it stands then.  The tree
 * holds every node a lookup can find (node_live()), tombstones included,
 * which a later definition may revive.
 */
static void labels_start(struct parser *ps)
{
	if (ps->labels_on)
		return;
	ps->labels_on = true;
	if (ps->tree->root)
		note_subtree(ps, ps->tree->root);
}

/* The first half of dtc's add_label(): revive a label of that name. */
static bool label_revive(struct dt_label *l, const char *name)
{
	for (; l; l = l->next) {
		if (strcmp(l->name, name) == 0) {
			l->deleted = false;
			return true;
		}
	}
	return false;
}

/* dtc's add_label(): revive an existing label, else add at the head. */
static void label_add_front(struct dt_tree *t, struct dt_label **list,
			    const char *name, const struct srcpos *pos)
{
	struct dt_label *l;

	if (label_revive(*list, name))
		return;
	l = dt_label_new_in(t, name, strlen(name));
	if (pos)
		l->pos = *pos;
	l->next = *list;
	*list = l;
}

/* Labels written before an item, in source order. */
struct label_seq {
	struct dt_label *head, **tail;
};

static void seq_init(struct label_seq *s)
{
	s->head = NULL;
	s->tail = &s->head;
}

static int collect_labels(struct parser *ps, struct label_seq *s)
{
	int ret;

	while (ps->tok.kind == TK_LABEL) {
		struct dt_label *l;

		l = dt_label_new_in(ps->tree, ps->tok.s, ps->tok.len);
		l->pos = ps->tok.pos;
		*s->tail = l;
		s->tail = &l->next;
		ret = next(ps);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * dtc's grammar adds the labels of "a: b: item" innermost first, each
 * at the head: apply them last to first.
 */
static void apply_label_list(struct dt_label **dst, struct label_seq *s)
{
	struct dt_label *l, *arr[64], **v = arr;
	size_t n = 0, cap = ARRAY_SIZE(arr);

	/* iterative: a line of a million labels must not recurse */
	for (l = s->head; l; l = l->next) {
		if (n == cap) {
			struct dt_label **nv = xmalloc(2 * cap * sizeof(*nv));

			memcpy(nv, v, n * sizeof(*nv));
			if (v != arr)
				free(v);
			v = nv;
			cap *= 2;
		}
		v[n++] = l;
	}
	/* as label_add_front(), but the labels read are used themselves */
	while (n--) {
		l = v[n];
		if (label_revive(*dst, l->name)) {
			l->next = NULL;
			dt_labels_free(l);
			continue;
		}
		l->next = *dst;
		*dst = l;
	}
	if (v != arr)
		free(v);
	seq_init(s);
}

/* Most items have no label: no call then. */
static inline void apply_labels(struct dt_label **dst, struct label_seq *s)
{
	if (s->head)
		apply_label_list(dst, s);
}

static void node_apply_labels(struct parser *ps, struct dt_node *n,
			      struct label_seq *s)
{
	struct dt_label *l;

	for (l = s->head; l; l = l->next)
		label_note(ps, l->name, n);
	apply_labels(&n->labels, s);
}

/*
 * Node name indexes (only for nodes that grow large), so that merging
 * many blocks into one big node stays linear.
 */

static struct node_idx *node_index(struct parser *ps, struct dt_node *n)
{
	struct node_idx *x = n->user;
	struct dt_property *p;
	struct dt_node *c;

	if (x)
		return x;
	ps->indexed = true;
	x = xzalloc(sizeof(*x));
	strmap_init(&x->props);
	strmap_init(&x->children);
	for (p = n->props; p; p = p->next)
		if (!strmap_get(&x->props, p->name))
			strmap_put(&x->props, p->name, p);
	for (c = n->children; c; c = c->next)
		if (!strmap_get(&x->children, c->name))
			strmap_put(&x->children, c->name, c);
	n->user = x;
	return x;
}

static void release_index(struct dt_node *n)
{
	struct node_idx *x = n->user;
	struct dt_node *c;

	if (x) {
		strmap_free(&x->props);
		strmap_free(&x->children);
		free(x);
		n->user = NULL;
	}
	for (c = n->children; c; c = c->next)
		release_index(c);
}

/* First property of that name, tombstones included. */
static struct dt_property *find_prop(struct parser *ps, struct dt_node *n,
				     const char *name)
{
	struct dt_property *p;
	unsigned int k = 0;

	if (n->user)
		return strmap_get(&((struct node_idx *)n->user)->props, name);
	for (p = n->props; p; p = p->next, k++)
		if (strcmp(p->name, name) == 0)
			return p;
	if (k >= INDEX_MIN)
		node_index(ps, n);
	return NULL;
}

/* First child of that name, tombstones included. */
static struct dt_node *find_child(struct parser *ps, struct dt_node *n,
				  const char *name, size_t len)
{
	struct dt_node *c;
	unsigned int k = 0;

	if (n->user)
		return strmap_getn(&((struct node_idx *)n->user)->children,
				   name, len);
	for (c = n->children; c; c = c->next, k++)
		if (strncmp(c->name, name, len) == 0 && c->name[len] == '\0')
			return c;
	if (k >= INDEX_MIN)
		node_index(ps, n);
	return NULL;
}

/* First live child of that name (dtc's for_each_child lookups). */
static struct dt_node *find_live_child(struct parser *ps, struct dt_node *n,
				       const char *name, size_t len)
{
	struct dt_node *c = find_child(ps, n, name, len);

	if (!c || !c->deleted)
		return c;
	for (; c; c = c->next)
		if (!c->deleted && strncmp(c->name, name, len) == 0 &&
		    c->name[len] == '\0')
			return c;
	return NULL;
}

static void add_prop(struct dt_node *n, struct dt_property *p)
{
	struct node_idx *x = n->user;

	dt_node_add_prop(n, p);
	if (x && !strmap_get(&x->props, p->name))
		strmap_put(&x->props, p->name, p);
}

static void add_child(struct dt_node *n, struct dt_node *c)
{
	struct node_idx *x = n->user;

	dt_node_add_child(n, c);
	if (x && !strmap_get(&x->children, c->name))
		strmap_put(&x->children, c->name, c);
}

/*
 * dtc's deletion: tombstones, so that a later definition comes back at
 * the same place.
 */

static void delete_labels(struct dt_label *l)
{
	for (; l; l = l->next)
		l->deleted = true;
}

static void delete_prop(struct dt_property *p)
{
	p->deleted = true;
	delete_labels(p->labels);
}

static void delete_node(struct dt_node *n)
{
	struct dt_property *p;
	struct dt_node *c;

	n->deleted = true;
	for (c = n->children; c; c = c->next)
		if (!c->deleted)
			delete_node(c);
	for (p = n->props; p; p = p->next)
		if (!p->deleted)
			delete_prop(p);
	delete_labels(n->labels);
}

/* Free a node that never made it into the tree (or was merged away). */
static void drop_node(struct parser *ps, struct dt_node *n)
{
	struct dt_label *l;

	for (l = n->labels; l; l = l->next)
		label_unnote(ps, l->name, n);
	if (ps->indexed)
		release_index(n);
	dt_node_free(n);
}

static void drop_subtree_notes(struct parser *ps, struct dt_node *n)
{
	struct dt_label *l;
	struct dt_node *c;

	for (l = n->labels; l; l = l->next)
		label_unnote(ps, l->name, n);
	for (c = n->children; c; c = c->next)
		drop_subtree_notes(ps, c);
}

/* Free a node built by the parser and all it holds, forgetting labels. */
static void discard_node(struct parser *ps, struct dt_node *n)
{
	if (ps->labels_on)
		drop_subtree_notes(ps, n);
	if (ps->indexed)
		release_index(n);
	dt_node_free(n);
}

/* dtc's merge_nodes(): new is consumed. */
static void merge_nodes(struct parser *ps, struct dt_node *old,
			struct dt_node *new)
{
	struct dt_property *np, *op;
	struct dt_node *nc, *oc;
	struct dt_label *l;

	old->deleted = false;
	for (l = new->labels; l; l = l->next) {
		label_add_front(ps->tree, &old->labels, l->name, &l->pos);
		label_note(ps, l->name, old);
	}
	old->redef_pos = new->pos;
	old->end_pos = new->end_pos;
	/* as dtc, /omit-if-no-ref/ on a later definition is not carried */

	while ((np = new->props) != NULL) {
		new->props = np->next;
		np->next = NULL;
		np->owner = NULL;
		op = find_prop(ps, old, np->name);
		if (np->deleted) {
			if (op)
				delete_prop(op);
			dt_prop_free(np);
			continue;
		}
		if (op) {
			for (l = np->labels; l; l = l->next)
				label_add_front(ps->tree, &op->labels,
						l->name, &l->pos);
			dt_value_move(&op->val, &np->val);
			op->deleted = false;
			op->pos = np->pos;
			op->val_pos = np->val_pos;
			op->end_pos = np->end_pos;
			dt_prop_free(np);
		} else {
			add_prop(old, np);
		}
	}
	new->props_tail = &new->props;

	while ((nc = new->children) != NULL) {
		new->children = nc->next;
		nc->next = NULL;
		nc->parent = NULL;
		if (new->children == NULL)
			new->children_tail = &new->children;
		oc = find_child(ps, old, nc->name, strlen(nc->name));
		if (nc->deleted) {
			if (oc)
				delete_node(oc);
			discard_node(ps, nc);
			continue;
		}
		if (oc)
			merge_nodes(ps, oc, nc);
		else
			add_child(old, nc);
	}
	new->children_tail = &new->children;
	drop_node(ps, new);
}

/*
 * Reference lookup at parse time (dtc's get_node_by_ref)
 */

static bool node_has_label(const struct dt_node *n, const char *name)
{
	const struct dt_label *l;

	for (l = n->labels; l; l = l->next)
		if (!l->deleted && strcmp(l->name, name) == 0)
			return true;
	return false;
}

/* In the tree and not under a deleted node. */
static bool node_live(const struct parser *ps, const struct dt_node *n)
{
	while (n->parent) {
		if (n->deleted)
			return false;
		n = n->parent;
	}
	return n == ps->tree->root;
}

static struct dt_node *dfs_label(struct dt_node *n, const char *name)
{
	struct dt_node *c, *r;

	if (node_has_label(n, name))
		return n;
	for (c = n->children; c; c = c->next) {
		if (c->deleted)
			continue;
		r = dfs_label(c, name);
		if (r)
			return r;
	}
	return NULL;
}

static struct dt_node *node_by_label(struct parser *ps, const char *name)
{
	struct label_ent *e = strmap_get(&ps->labels, name);
	struct dt_node *found = NULL;
	size_t i, n = 0;

	if (!e || !ps->tree->root)
		return NULL;
	for (i = 0; i < e->n; i++) {
		if (node_has_label(e->v[i], name) && node_live(ps, e->v[i])) {
			found = e->v[i];
			n++;
		}
	}
	/* the same label twice (an error later): dtc takes the first */
	if (n > 1)
		found = dfs_label(ps->tree->root, name);
	return found;
}

static struct dt_node *node_by_path(struct parser *ps, struct dt_node *n,
				    const char *path)
{
	const char *slash;

	for (;;) {
		if (!*path)
			return n->deleted ? NULL : n;
		while (*path == '/')
			path++;
		slash = strchr(path, '/');
		if (!slash)
			return find_live_child(ps, n, path, strlen(path));
		n = find_live_child(ps, n, path, (size_t)(slash - path));
		if (!n)
			return NULL;
		path = slash + 1;
	}
}

static struct dt_node *node_by_ref(struct parser *ps, const char *ref)
{
	struct dt_node *target = ps->tree->root;
	const char *path = NULL;

	if (!target || !*ref)
		return NULL;
	if (strcmp(ref, "/") == 0)
		return target;
	if (ref[0] == '/') {
		path = ref;
	} else {
		const char *slash = strchr(ref, '/');
		char *label = slash ? xstrndup(ref, (size_t)(slash - ref))
				    : xstrdup(ref);

		if (*label)
			target = node_by_label(ps, label);
		else
			target = NULL;
		free(label);
		if (!target)
			return NULL;
		if (slash)
			path = slash + 1;
	}
	return path ? node_by_path(ps, target, path) : target;
}

static bool ref_is_relative(const char *ref)
{
	return ref[0] && ref[0] != '/' && strchr(ref + 1, '/');
}

/*
 * Values
 */

static void vb_init(struct vbuild *b, struct parser *ps, struct dt_value *v)
{
	struct dt_marker **t = &v->markers;

	while (*t)
		t = &(*t)->next;
	b->tree = ps->tree;
	b->v = &ps->scratch;
	b->v->len = 0;
	b->tail = t;
}

/* Hand the bytes built in the scratch buffer to the property. */
static void vb_finish(struct vbuild *b, struct dt_value *v)
{
	dt_value_set_in(b->tree, v, b->v->data, b->v->len);
	b->v->len = 0;
}

static inline struct dt_marker *vb_mark(struct vbuild *b,
					enum dt_marker_kind k,
					const char *ref, size_t reflen,
					const struct srcpos *pos)
{
	struct dt_marker *m = dt_marker_new_in(b->tree, ref, reflen);

	m->kind = k;
	m->offset = b->v->len;
	m->pos = *pos;
	*b->tail = m;
	b->tail = &m->next;
	return m;
}

static void vb_cell(struct vbuild *b, uint64_t x, unsigned int bits)
{
	struct dt_value *v = b->v;
	unsigned int n = bits / 8, i;
	uint8_t *d;

	if (v->len + n > v->cap)
		v->data = xgrow(v->data, &v->cap, v->len + n, 1);
	d = v->data + v->len;
	for (i = 0; i < n; i++)
		d[i] = (uint8_t)(x >> (8 * (n - 1 - i)));
	v->len += n;
}

static void vb_bytes(struct vbuild *b, const void *data, size_t len)
{
	dt_value_append(b->v, data, len);
}

/*
 * Integer expressions (dtc: integer_prim and integer_expr; 64-bit
 * unsigned arithmetic, every operand evaluated)
 */

static int parse_expr(struct parser *ps, uint64_t *v);

static int parse_prim(struct parser *ps, uint64_t *v)
{
	int ret;

	switch (ps->tok.kind) {
	case TK_LITERAL:
	case TK_CHAR:
		*v = ps->tok.num;
		return next(ps);
	case '(':
		if (++ps->expr_depth > MAX_EXPR_DEPTH)
			return perr(ps, &ps->tok.pos, "expression nested too deeply (more than %d levels)",
				    MAX_EXPR_DEPTH);
		ret = next(ps);
		if (ret == 0)
			ret = parse_expr(ps, v);
		if (ret < 0)
			return ret;
		if (ps->tok.kind != ')')
			return ps->tok.kind == TK_EOF || ps->tok.kind == ';' ||
				       ps->tok.kind == '>' ?
				       missing(ps, "')' to close the expression") :
				       unexpected(ps, "an operator or ')'");
		ps->expr_depth--;
		return next(ps);
	default:
		return unexpected(ps, "a number, a character literal or '('");
	}
}

static int parse_unary(struct parser *ps, uint64_t *v)
{
	int op = ps->tok.kind, ret;

	if (op != '-' && op != '~' && op != '!')
		return parse_prim(ps, v);
	if (++ps->expr_depth > MAX_EXPR_DEPTH)
		return perr(ps, &ps->tok.pos, "expression nested too deeply (more than %d levels)",
			    MAX_EXPR_DEPTH);
	ret = next(ps);
	if (ret == 0)
		ret = parse_unary(ps, v);
	if (ret < 0)
		return ret;
	ps->expr_depth--;
	if (op == '-')
		*v = -*v;
	else if (op == '~')
		*v = ~*v;
	else
		*v = !*v;
	return 0;
}

/* Binary levels, loosest last; each is left-associative. */
enum { L_MUL, L_ADD, L_SHIFT, L_REL, L_EQ, L_BAND, L_BXOR, L_BOR, L_AND,
       L_OR };

static bool op_at(int level, int k)
{
	switch (level) {
	case L_MUL: return k == '*' || k == '/' || k == '%';
	case L_ADD: return k == '+' || k == '-';
	case L_SHIFT: return k == TK_LSHIFT || k == TK_RSHIFT;
	case L_REL: return k == '<' || k == '>' || k == TK_LE || k == TK_GE;
	case L_EQ: return k == TK_EQ || k == TK_NE;
	case L_BAND: return k == '&';
	case L_BXOR: return k == '^';
	case L_BOR: return k == '|';
	case L_AND: return k == TK_AND;
	case L_OR: return k == TK_OR;
	}
	return false;
}

static int parse_binary(struct parser *ps, int level, uint64_t *v)
{
	uint64_t r;
	int ret;

	ret = level == L_MUL ? parse_unary(ps, v)
			     : parse_binary(ps, level - 1, v);
	if (ret < 0)
		return ret;
	while (op_at(level, ps->tok.kind)) {
		int op = ps->tok.kind;
		struct srcpos opos = ps->tok.pos;

		ret = next(ps);
		if (ret == 0)
			ret = level == L_MUL ? parse_unary(ps, &r)
					     : parse_binary(ps, level - 1, &r);
		if (ret < 0)
			return ret;
		switch (op) {
		case '*': *v *= r; break;
		case '/':
		case '%':
			if (!r)
				return perr(ps, &opos, "division by zero");
			*v = op == '/' ? *v / r : *v % r;
			break;
		case '+': *v += r; break;
		case '-': *v -= r; break;
		case TK_LSHIFT: *v = r < 64 ? *v << r : 0; break;
		case TK_RSHIFT: *v = r < 64 ? *v >> r : 0; break;
		case '<': *v = *v < r; break;
		case '>': *v = *v > r; break;
		case TK_LE: *v = *v <= r; break;
		case TK_GE: *v = *v >= r; break;
		case TK_EQ: *v = *v == r; break;
		case TK_NE: *v = *v != r; break;
		case '&': *v &= r; break;
		case '^': *v ^= r; break;
		case '|': *v |= r; break;
		case TK_AND: *v = *v && r; break;
		case TK_OR: *v = *v || r; break;
		}
	}
	return 0;
}

static int parse_expr(struct parser *ps, uint64_t *v)
{
	uint64_t a, b;
	int ret;

	ret = parse_binary(ps, L_OR, v);
	if (ret < 0 || ps->tok.kind != '?')
		return ret;
	if (++ps->expr_depth > MAX_EXPR_DEPTH)
		return perr(ps, &ps->tok.pos, "expression nested too deeply (more than %d levels)",
			    MAX_EXPR_DEPTH);
	ret = next(ps);
	if (ret == 0)
		ret = parse_expr(ps, &a);
	if (ret < 0)
		return ret;
	if (ps->tok.kind != ':')
		return unexpected(ps, "':' in the conditional expression");
	ret = next(ps);
	if (ret == 0)
		ret = parse_expr(ps, &b);	/* right-associative */
	if (ret < 0)
		return ret;
	ps->expr_depth--;
	*v = *v ? a : b;
	return 0;
}

/* Does x fit in bits, as dtc decides (negative values sign-extended)? */
static bool fits(uint64_t x, unsigned int bits)
{
	uint64_t mask;

	if (bits >= 64)
		return true;
	mask = (UINT64_C(1) << bits) - 1;
	return x <= mask || (x | mask) == UINT64_MAX;
}

static bool ends_item(int k)
{
	return k == ';' || k == '}' || k == '{' || k == TK_EOF || k == '=';
}

/* < ... > or /bits/ N < ... > */
static int parse_cells(struct parser *ps, struct vbuild *b)
{
	enum dt_marker_kind type = DT_MARK_TYPE_U32;
	struct srcpos start = ps->tok.pos;
	unsigned int bits = 32;
	int ret;

	if (ps->tok.kind == TK_BITS) {
		ret = next(ps);
		if (ret < 0)
			return ret;
		if (ps->tok.kind != TK_LITERAL)
			return unexpected(ps, "a cell size (8, 16, 32 or 64) after /bits/");
		switch (ps->tok.num) {
		case 8: type = DT_MARK_TYPE_U8; break;
		case 16: type = DT_MARK_TYPE_U16; break;
		case 32: type = DT_MARK_TYPE_U32; break;
		case 64: type = DT_MARK_TYPE_U64; break;
		default:
			return perr(ps, &ps->tok.pos, "cells must be 8, 16, 32 or 64 bits wide, not %llu",
				    (unsigned long long)ps->tok.num);
		}
		bits = (unsigned int)ps->tok.num;
		ret = next(ps);
		if (ret < 0)
			return ret;
		if (ps->tok.kind != '<')
			return missing(ps, "'<' after the cell size");
	}
	vb_mark(b, type, NULL, 0, &start);
	/* '<': the plain numbers after it take the lexer's fast path */
	if (bits == 32)
		dts_lex_cells(&ps->lx, &ps->tok, b->v);
	ret = next(ps);
	while (ret == 0) {
		struct dts_token *t = &ps->tok;
		struct srcpos pos = t->pos;
		uint64_t x;

		switch (t->kind) {
		case TK_LITERAL:
			if (bits == 32 && t->num <= UINT32_MAX) {
				/* plain numbers: the lexer's fast path */
				vb_cell(b, t->num, 32);
				dts_lex_cells(&ps->lx, t, b->v);
				ret = next(ps);
				break;
			}
			/* fall through */
		case TK_CHAR:
		case '(':
			ps->expr_depth = 0;
			ret = parse_prim(ps, &x);
			if (ret < 0)
				return ret;
			if (!fits(x, bits)) {
				struct dt_marker *m;

				m = vb_mark(b, DT_MARK_OVERFLOW, NULL, 0, &pos);
				m->full = x;
				m->width = bits;
			}
			vb_cell(b, x, bits);
			break;
		case TK_LABEL_REF:
		case TK_PATH_REF:
			if (bits != 32)
				return perr(ps, &pos, "references are only allowed in arrays with 32-bit cells (this one has %u-bit cells)",
					    bits);
			vb_mark(b, DT_MARK_REF_PHANDLE, t->s, t->len, &pos);
			vb_cell(b, UINT64_MAX, bits);
			ret = next(ps);
			break;
		case TK_LABEL:
			vb_mark(b, DT_MARK_LABEL, t->s, t->len, &pos);
			ret = next(ps);
			break;
		case '>':
			return next(ps);
		case '-':
			ret = unexpected(ps, "a number, '(', a &reference or '>'");
			diag_hint(ps->d, "write a negative number as an expression: (-1)");
			return ret;
		default:
			if (ends_item(t->kind))
				return missing(ps, "'>' to close the cell list");
			return unexpected(ps, "a number, '(', a &reference or '>'");
		}
	}
	return ret;
}

static int parse_bytes(struct parser *ps, struct vbuild *b)
{
	int ret;

	vb_mark(b, DT_MARK_TYPE_BYTES, NULL, 0, &ps->tok.pos);
	ret = next(ps);		/* '[' */
	while (ret == 0) {
		struct dts_token *t = &ps->tok;
		uint8_t byte;

		switch (t->kind) {
		case TK_BYTE:
			byte = (uint8_t)t->num;
			vb_bytes(b, &byte, 1);
			ret = next(ps);
			break;
		case TK_LABEL:
			vb_mark(b, DT_MARK_LABEL, t->s, t->len, &t->pos);
			ret = next(ps);
			break;
		case ']':
			return next(ps);
		default:
			if (ends_item(t->kind))
				return missing(ps, "']' to close the byte string");
			return unexpected(ps, "pairs of hex digits or ']' in the byte string");
		}
	}
	return ret;
}

static int parse_incbin(struct parser *ps, struct vbuild *b)
{
	struct srcpos start = ps->tok.pos, fpos;
	uint64_t off = 0, len = UINT64_MAX;
	char *name = NULL, *path = NULL, *data = NULL;
	size_t n = 0;
	int ret;

	ret = next(ps);
	if (ret < 0)
		return ret;
	if (ps->tok.kind != '(')
		return missing(ps, "'(' after /incbin/");
	ret = next(ps);
	if (ret < 0)
		return ret;
	if (ps->tok.kind != TK_STRING)
		return unexpected(ps, "a quoted file name");
	name = xstrndup(ps->tok.s, ps->tok.len);
	fpos = ps->tok.pos;
	ret = next(ps);
	if (ret == 0 && ps->tok.kind == ',') {
		ret = next(ps);
		if (ret == 0)
			ret = parse_prim(ps, &off);
		if (ret == 0 && ps->tok.kind != ',')
			ret = missing(ps, "',' and a length after the /incbin/ offset");
		if (ret == 0)
			ret = next(ps);
		if (ret == 0)
			ret = parse_prim(ps, &len);
	}
	if (ret == 0 && ps->tok.kind != ')')
		ret = missing(ps, "')' to close /incbin/");
	if (ret < 0)
		goto out;
	/* read it now: the next token may be in another file */
	ret = dts_lexer_open(&ps->lx, name, &path, &data, &n);
	if (ret < 0) {
		perr(ps, &fpos, "cannot read '%s' for /incbin/: %s", name,
		     ret == -EINVAL ? "not a regular file" : strerror(-ret));
		goto out;
	}
	vb_mark(b, DT_MARK_TYPE_BYTES, NULL, 0, &start);
	if (off < n) {
		uint64_t avail = n - off;

		vb_bytes(b, data + off, (size_t)(len < avail ? len : avail));
	}
	ret = next(ps);
out:
	free(name);
	free(path);
	free(data);
	return ret;
}

/* Labels among the chunks of a value (rare: see value_labels()). */
static int value_label_list(struct parser *ps, struct vbuild *b)
{
	struct dts_token *t = &ps->tok;
	int ret;

	while (t->kind == TK_LABEL) {
		vb_mark(b, DT_MARK_LABEL, t->s, t->len, &t->pos);
		ret = next(ps);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static inline int value_labels(struct parser *ps, struct vbuild *b)
{
	return ps->tok.kind == TK_LABEL ? value_label_list(ps, b) : 0;
}

static int parse_chunks(struct parser *ps, struct vbuild *b)
{
	struct dts_token *t = &ps->tok;
	int ret;

	for (;;) {
		ret = value_labels(ps, b);
		if (ret < 0)
			return ret;
		switch (t->kind) {
		case TK_STRING:
			vb_mark(b, DT_MARK_TYPE_STRING, NULL, 0, &t->pos);
			vb_bytes(b, t->s, t->len);
			vb_bytes(b, "", 1);
			ret = next(ps);
			break;
		case '<':
		case TK_BITS:
			ret = parse_cells(ps, b);
			break;
		case '[':
			ret = parse_bytes(ps, b);
			break;
		case TK_LABEL_REF:
		case TK_PATH_REF:
			vb_mark(b, DT_MARK_TYPE_STRING, NULL, 0, &t->pos);
			vb_mark(b, DT_MARK_REF_PATH, t->s, t->len, &t->pos);
			ret = next(ps);
			break;
		case TK_INCBIN:
			ret = parse_incbin(ps, b);
			break;
		default:
			return unexpected(ps, "a property value (\"string\", <cells>, [bytes], &reference or /incbin/)");
		}
		if (ret == 0)
			ret = value_labels(ps, b);
		if (ret < 0)
			return ret;
		if (t->kind != ',')
			return 0;
		ret = next(ps);
		if (ret < 0)
			return ret;
	}
}

/* propdata: chunks separated by ',', labels anywhere between them. */
static int parse_value(struct parser *ps, struct dt_property *p)
{
	struct vbuild b;
	int ret;

	vb_init(&b, ps, &p->val);
	p->val_pos = ps->tok.pos;
	ret = parse_chunks(ps, &b);
	vb_finish(&b, &p->val);
	return ret;
}

/*
 * Nodes
 */

static struct dt_property *new_prop(struct parser *ps, const char *name,
				    size_t len, const struct srcpos *pos)
{
	struct dt_property *p = dt_prop_new_in(ps->tree, name, len);

	p->pos = *pos;
	p->val_pos = *pos;
	p->end_pos = *pos;
	return p;
}

static int parse_nodedef(struct parser *ps, const char *name, size_t len,
			 const struct srcpos *pos, struct dt_node **out);

/* propdef after its name (tok is '=' or ';') */
static int parse_propdef(struct parser *ps, struct dt_node *n,
			 const char *name, size_t len,
			 const struct srcpos *pos, struct label_seq *labels)
{
	struct dt_property *p = new_prop(ps, name, len, pos);
	int ret = 0;

	if (ps->tok.kind == '=') {
		ret = next(ps);
		if (ret == 0)
			ret = parse_value(ps, p);
		if (ret == 0 && ps->tok.kind != ';')
			ret = missing(ps, "';' after property value");
	}
	if (ret < 0) {
		dt_prop_free(p);
		return ret;
	}
	p->end_pos = ps->tok.pos;
	apply_labels(&p->labels, labels);
	add_prop(n, p);
	return next(ps);
}

/*
 * subnode: NAME nodedef | /delete-node/ NAME ';' | /omit-if-no-ref/ subnode
 *        | LABEL subnode
 * The labels before it are in *labels; the name, if already read, in
 * name/len/pos.
 */
static int parse_subnode(struct parser *ps, struct label_seq *labels,
			 const char *name, size_t len,
			 const struct srcpos *pos, struct dt_node **out)
{
	struct label_seq inner;
	struct dt_node *c = NULL;
	int ret;

	*out = NULL;
	if (name) {
		ret = parse_nodedef(ps, name, len, pos, &c);
		if (ret < 0)
			return ret;
		node_apply_labels(ps, c, labels);
		*out = c;
		return 0;
	}
	switch (ps->tok.kind) {
	case TK_OMIT:
		ret = next(ps);
		seq_init(&inner);
		if (ret == 0)
			ret = collect_labels(ps, &inner);
		if (ret == 0 && ps->tok.kind != TK_NAME &&
		    ps->tok.kind != TK_DEL_NODE && ps->tok.kind != TK_OMIT)
			ret = unexpected(ps, "a node after /omit-if-no-ref/");
		if (ret == 0 && ps->tok.kind == TK_NAME) {
			struct name_tok t;

			name_tok_save(&t, &ps->tok);
			ret = next(ps);
			if (ret == 0 && ps->tok.kind != '{')
				ret = missing(ps, "'{' after the node name");
			if (ret == 0)
				ret = parse_subnode(ps, &inner, t.s, t.len,
						    &t.pos, &c);
		} else if (ret == 0) {
			ret = parse_subnode(ps, &inner, NULL, 0, NULL, &c);
		}
		dt_labels_free(inner.head);
		if (ret < 0)
			return ret;
		c->omit_if_no_ref = true;
		break;
	case TK_DEL_NODE: {
		struct srcpos at = ps->tok.pos;

		ret = next(ps);
		if (ret < 0)
			return ret;
		if (ps->tok.kind != TK_NAME)
			return unexpected(ps, "a node name after /delete-node/");
		c = dt_node_new_in(ps->tree, ps->tok.s, ps->tok.len);
		c->pos = ps->tok.pos;
		c->end_pos = at;
		c->deleted = true;
		ret = next(ps);
		if (ret == 0 && ps->tok.kind != ';')
			ret = missing(ps, "';' after /delete-node/ NAME");
		if (ret == 0)
			ret = next(ps);
		if (ret < 0) {
			dt_node_free(c);
			return ret;
		}
		break;
	}
	default:
		return unexpected(ps, "a node");
	}
	node_apply_labels(ps, c, labels);
	*out = c;
	return 0;
}

/* nodedef: '{' proplist subnodes '}' ';' -- tok is '{' */
static int parse_nodedef(struct parser *ps, const char *name, size_t len,
			 const struct srcpos *pos, struct dt_node **out)
{
	struct dt_node *n = dt_node_new_in(ps->tree, name, len), *c;
	struct label_seq labels;
	bool seen_subnode = false;
	int ret;

	*out = NULL;
	n->pos = *pos;
	seq_init(&labels);
	if (++ps->depth > MAX_NODE_DEPTH) {
		ret = perr(ps, &ps->tok.pos, "nodes nested too deeply (more than %d levels)",
			   MAX_NODE_DEPTH);
		goto fail;
	}
	ret = next(ps);		/* '{' */
	while (ret == 0 && ps->tok.kind != '}') {
		struct name_tok t;

		if (ps->tok.kind == TK_LABEL) {
			ret = collect_labels(ps, &labels);
			if (ret < 0)
				break;
		}
		switch (ps->tok.kind) {
		case TK_DEL_PROP:
			if (seen_subnode) {
				ret = perr(ps, &ps->tok.pos, "properties must precede subnodes");
				break;
			}
			ret = next(ps);
			if (ret < 0)
				break;
			if (ps->tok.kind != TK_NAME) {
				ret = unexpected(ps, "a property name after /delete-property/");
				break;
			}
			name_tok_save(&t, &ps->tok);
			ret = next(ps);
			if (ret == 0 && ps->tok.kind != ';')
				ret = missing(ps, "';' after /delete-property/ NAME");
			if (ret == 0) {
				struct dt_property *p;

				p = new_prop(ps, t.s, t.len, &t.pos);
				p->deleted = true;
				p->end_pos = ps->tok.pos;
				apply_labels(&p->labels, &labels);
				dt_node_add_prop(n, p);
				ret = next(ps);
			}
			break;
		case TK_DEL_NODE:
		case TK_OMIT:
			ret = parse_subnode(ps, &labels, NULL, 0, NULL, &c);
			if (ret == 0) {
				dt_node_add_child(n, c);
				seen_subnode = true;
			}
			break;
		case TK_NAME:
			name_tok_save(&t, &ps->tok);
			ret = next(ps);
			if (ret < 0)
				break;
			if (ps->tok.kind == '{') {
				ret = parse_subnode(ps, &labels, t.s, t.len,
						    &t.pos, &c);
				if (ret == 0) {
					dt_node_add_child(n, c);
					seen_subnode = true;
				}
			} else if (ps->tok.kind == '=' || ps->tok.kind == ';') {
				if (seen_subnode) {
					ret = perr(ps, &t.pos, "properties must precede subnodes");
					diag_hint(ps->d, "move property '%.*s' before the first subnode of this node",
						  (int)t.len, t.s);
					break;
				}
				ret = parse_propdef(ps, n, t.s, t.len, &t.pos,
						    &labels);
			} else {
				struct srcpos end = prev_end(ps);

				ret = perr(ps, &end, "expected '=' or ';' after property name '%.*s'",
					   (int)t.len, t.s);
			}
			break;
		case TK_EOF:
			ret = perr(ps, &ps->tok.pos, "unexpected end of file: expected '}' to close node '%s'",
				   n->name[0] ? n->name : "/");
			break;
		default:
			if (labels.head)
				ret = unexpected(ps, "a property or node after the label");
			else if (seen_subnode)
				ret = unexpected(ps, "a node name or '}'");
			else
				ret = unexpected(ps, "a property name, a node name or '}'");
			break;
		}
	}
	if (ret < 0)
		goto fail;
	n->end_pos = ps->tok.pos;
	ret = next(ps);		/* '}' */
	if (ret == 0 && ps->tok.kind != ';')
		ret = missing(ps, "';' after '}'");
	if (ret == 0)
		ret = next(ps);
	if (ret < 0)
		goto fail;
	ps->depth--;
	*out = n;
	return 0;
fail:
	dt_labels_free(labels.head);
	discard_node(ps, n);
	return ret;
}

/*
 * Top level
 */

static int add_orphan(struct parser *ps, struct dt_node *new,
		      const char *ref, const struct srcpos *pos)
{
	struct dt_property *p;
	struct dt_node *frag;
	struct vbuild b;
	char *name;

	if (ref[0] == '/') {
		p = new_prop(ps, "target-path", 11, pos);
		vb_init(&b, ps, &p->val);
		vb_mark(&b, DT_MARK_TYPE_STRING, NULL, 0, pos);
		vb_bytes(&b, ref, strlen(ref) + 1);
	} else {
		p = new_prop(ps, "target", 6, pos);
		vb_init(&b, ps, &p->val);
		vb_mark(&b, DT_MARK_TYPE_U32, NULL, 0, pos);
		vb_mark(&b, DT_MARK_REF_PHANDLE, ref, strlen(ref), pos);
		vb_cell(&b, UINT64_MAX, 32);
	}
	vb_finish(&b, &p->val);
	name = xasprintf("fragment@%u", ps->next_fragment++);
	frag = dt_node_new_in(ps->tree, name, strlen(name));
	free(name);
	frag->pos = *pos;
	frag->end_pos = new->end_pos;
	dt_node_add_prop(frag, p);
	if (!new->pooled)
		free(new->name);
	new->name = new->pooled ? dt_strndup_in(ps->tree, "__overlay__", 11)
				: xstrdup("__overlay__");
	dt_node_add_child(frag, new);
	add_child(ps->tree->root, frag);
	return 0;
}

static int parse_headers(struct parser *ps)
{
	bool first = true;
	int ret;

	if (ps->tok.kind != TK_V1 && ps->tok.kind != TK_MK) {
		ret = perr(ps, &ps->tok.pos, "missing '/dts-v1/;' header at the start of the file");
		diag_hint(ps->d, "add '/dts-v1/;' (or '/multikernel-v1/;') as the first line");
		return ret;
	}
	while (ps->tok.kind == TK_V1 || ps->tok.kind == TK_MK) {
		unsigned int flags = ps->tok.kind == TK_V1 ? DT_HDR_DTS_V1
							  : DT_HDR_MULTIKERNEL;
		struct srcpos at = ps->tok.pos;

		ret = next(ps);
		if (ret == 0 && ps->tok.kind != ';')
			ret = missing(ps, flags == DT_HDR_DTS_V1 ?
				      "';' after '/dts-v1/'" :
				      "';' after '/multikernel-v1/'");
		if (ret == 0)
			ret = next(ps);
		if (ret == 0 && ps->tok.kind == TK_PLUGIN) {
			flags |= DT_HDR_PLUGIN;
			ret = next(ps);
			if (ret == 0 && ps->tok.kind != ';')
				ret = missing(ps, "';' after '/plugin/'");
			if (ret == 0)
				ret = next(ps);
		}
		if (ret < 0)
			return ret;
		if (first)
			ps->plugin = flags & DT_HDR_PLUGIN;
		else if (ps->plugin != !!(flags & DT_HDR_PLUGIN))
			return perr(ps, &at, "header flags don't match earlier ones (/plugin/ on some headers only)");
		first = false;
		ps->tree->header |= flags;
	}
	return 0;
}

static int parse_memreserves(struct parser *ps)
{
	struct label_seq labels;
	int ret = 0;

	seq_init(&labels);
	for (;;) {
		struct dt_reserve *r;
		uint64_t addr, size;
		struct srcpos at;

		ret = collect_labels(ps, &labels);
		if (ret < 0)
			break;
		if (ps->tok.kind != TK_MEMRESERVE) {
			if (labels.head)
				ret = unexpected(ps, "/memreserve/ after the label");
			break;
		}
		at = ps->tok.pos;
		ps->expr_depth = 0;
		ret = next(ps);
		if (ret == 0)
			ret = parse_prim(ps, &addr);
		if (ret == 0)
			ret = parse_prim(ps, &size);
		if (ret == 0 && ps->tok.kind != ';')
			ret = missing(ps, "';' after /memreserve/ ADDRESS SIZE");
		if (ret < 0)
			break;
		r = xzalloc(sizeof(*r));
		r->address = addr;
		r->size = size;
		r->pos = at;
		apply_labels(&r->labels, &labels);
		*ps->tree->reserves_tail = r;
		ps->tree->reserves_tail = &r->next;
		ret = next(ps);
		if (ret < 0)
			break;
	}
	dt_labels_free(labels.head);
	return ret;
}

/* A reference followed by a node block: returns both. */
static int parse_ref_block(struct parser *ps, char **ref,
			   struct srcpos *rpos, struct dt_node **n)
{
	int ret;

	*ref = xstrndup(ps->tok.s, ps->tok.len);
	*rpos = ps->tok.pos;
	*n = NULL;
	ret = next(ps);
	if (ret == 0 && ps->tok.kind != '{')
		ret = missing(ps, "'{' after the node reference");
	if (ret == 0)
		ret = parse_nodedef(ps, "", 0, rpos, n);
	if (ret < 0) {
		free(*ref);
		*ref = NULL;
	}
	return ret;
}

static int not_found(struct parser *ps, const struct srcpos *pos,
		     const char *ref)
{
	return perr(ps, pos, "label or path '%s%s%s' not found",
		    ref[0] == '/' || strchr(ref, '/') ? "&{" : "&", ref,
		    ref[0] == '/' || strchr(ref, '/') ? "}" : "");
}

static int relative_in_plugin(struct parser *ps, const struct srcpos *pos,
			      const char *ref)
{
	return perr(ps, pos, "label-relative reference '&{%s}' is not supported in a plugin",
		    ref);
}

/* One top-level item after the first node block. */
static int parse_top_item(struct parser *ps)
{
	struct dt_node *n = NULL, *target;
	struct label_seq labels;
	struct srcpos rpos;
	char *ref = NULL;
	int kind, ret;

	if (ps->tok.kind != '/')
		labels_start(ps);
	switch (ps->tok.kind) {
	case '/':
		rpos = ps->tok.pos;
		ret = next(ps);
		if (ret == 0 && ps->tok.kind != '{')
			ret = missing(ps, "'{' after '/'");
		if (ret == 0)
			ret = parse_nodedef(ps, "", 0, &rpos, &n);
		if (ret == 0)
			merge_nodes(ps, ps->tree->root, n);
		return ret;
	case TK_LABEL:
		seq_init(&labels);
		labels.head = dt_label_new_in(ps->tree, ps->tok.s,
					      ps->tok.len);
		labels.head->pos = ps->tok.pos;
		ret = next(ps);
		if (ret == 0 && ps->tok.kind != TK_LABEL_REF &&
		    ps->tok.kind != TK_PATH_REF)
			ret = unexpected(ps, "a node reference (&label or &{/path}) after the label");
		if (ret == 0)
			ret = parse_ref_block(ps, &ref, &rpos, &n);
		if (ret == 0 && ps->plugin && ref_is_relative(ref))
			ret = relative_in_plugin(ps, &labels.head->pos, ref);
		if (ret == 0) {
			target = node_by_ref(ps, ref);
			if (target) {
				label_add_front(ps->tree, &target->labels,
						labels.head->name,
						&labels.head->pos);
				label_note(ps, labels.head->name, target);
				merge_nodes(ps, target, n);
				n = NULL;
			} else {
				ret = not_found(ps, &rpos, ref);
			}
		}
		dt_labels_free(labels.head);
		break;
	case TK_LABEL_REF:
	case TK_PATH_REF:
		kind = ps->tok.kind;
		ret = parse_ref_block(ps, &ref, &rpos, &n);
		if (ret < 0)
			break;
		if (kind == TK_PATH_REF && ps->plugin) {
			if (ref_is_relative(ref)) {
				ret = relative_in_plugin(ps, &rpos, ref);
				break;
			}
			add_orphan(ps, n, ref, &rpos);
			n = NULL;
			break;
		}
		target = node_by_ref(ps, ref);
		if (target) {
			merge_nodes(ps, target, n);
			n = NULL;
		} else if (ps->plugin && kind == TK_LABEL_REF) {
			add_orphan(ps, n, ref, &rpos);
			n = NULL;
		} else {
			ret = not_found(ps, &rpos, ref);
		}
		break;
	case TK_DEL_NODE:
	case TK_OMIT:
		kind = ps->tok.kind;
		ret = next(ps);
		if (ret < 0)
			return ret;
		if (ps->tok.kind != TK_LABEL_REF && ps->tok.kind != TK_PATH_REF)
			return unexpected(ps, kind == TK_DEL_NODE ?
				"a node reference (&label or &{/path}) after /delete-node/ outside a node" :
				"a node reference (&label or &{/path}) after /omit-if-no-ref/ outside a node");
		ref = xstrndup(ps->tok.s, ps->tok.len);
		rpos = ps->tok.pos;
		ret = next(ps);
		if (ret == 0 && ps->tok.kind != ';')
			ret = missing(ps, "';' after the node reference");
		if (ret == 0) {
			target = node_by_ref(ps, ref);
			if (!target)
				ret = not_found(ps, &rpos, ref);
			else if (kind == TK_DEL_NODE)
				delete_node(target);
			else
				target->omit_if_no_ref = true;
		}
		if (ret == 0)
			ret = next(ps);
		break;
	case TK_MEMRESERVE:
		return perr(ps, &ps->tok.pos, "/memreserve/ must come before the first node");
	case TK_V1:
	case TK_MK:
		return perr(ps, &ps->tok.pos, "the header must come before /memreserve/s and nodes");
	default:
		ret = unexpected(ps, NULL);
		diag_hint(ps->d, "outside the root node, write '/ { ... };', '&label { ... };', '&{/path} { ... };', '/delete-node/ &label;' or '/omit-if-no-ref/ &label;'");
		return ret;
	}
	free(ref);
	if (n)
		discard_node(ps, n);
	return ret;
}

static int parse_devicetree(struct parser *ps)
{
	struct dt_node *n = NULL;
	struct srcpos rpos;
	char *ref;
	int ret;

	switch (ps->tok.kind) {
	case '/':
		rpos = ps->tok.pos;
		ret = next(ps);
		if (ret == 0 && ps->tok.kind != '{')
			ret = missing(ps, "'{' after '/'");
		if (ret == 0)
			ret = parse_nodedef(ps, "", 0, &rpos, &n);
		if (ret < 0)
			return ret;
		ps->tree->root = n;
		break;
	case TK_LABEL_REF:
	case TK_PATH_REF:
		ret = parse_ref_block(ps, &ref, &rpos, &n);
		if (ret < 0)
			return ret;
		if (!ps->plugin) {
			ret = not_found(ps, &rpos, ref);
		} else if (ref_is_relative(ref)) {
			ret = relative_in_plugin(ps, &rpos, ref);
		} else {
			ps->tree->root = dt_node_new_in(ps->tree, "", 0);
			ps->tree->root->pos = rpos;
			add_orphan(ps, n, ref, &rpos);
			n = NULL;
		}
		free(ref);
		if (n)
			discard_node(ps, n);
		if (ret < 0)
			return ret;
		break;
	case TK_EOF:
		return perr(ps, &ps->tok.pos, "expected a root node '/ { ... };' before end of file");
	default:
		return unexpected(ps, "the root node '/ {'");
	}
	while (ps->tok.kind != TK_EOF) {
		ret = parse_top_item(ps);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* dtc's guess_boot_cpuid(), on the tree as dtc has it at this point. */
static uint32_t guess_boot_cpuid(struct dt_node *root)
{
	struct dt_node *cpus;
	struct dt_property *reg;

	/*
	 * The first live child named cpus, as find_live_child() finds it,
	 * but without building a name index just before they are dropped.
	 */
	for (cpus = root->children; cpus; cpus = cpus->next)
		if (!cpus->deleted && strcmp(cpus->name, "cpus") == 0)
			break;
	if (!cpus || !cpus->children)
		return 0;
	for (reg = cpus->children->props; reg; reg = reg->next)
		if (!reg->deleted && strcmp(reg->name, "reg") == 0)
			break;
	if (!reg || reg->val.len != 4)
		return 0;
	return dt_be32(reg->val.data);
}

static void purge_labels(struct dt_label **pl)
{
	struct dt_label *l;

	while ((l = *pl) != NULL) {
		if (l->deleted) {
			*pl = l->next;
			l->next = NULL;
			dt_labels_free(l);
		} else {
			pl = &l->next;
		}
	}
}

/*
 * dtc keeps a /delete-node/ that did not merge into anything in the
 * children list, where its duplicate-node check still sees it.
 */
static int check_deleted_dup(struct parser *ps, struct dt_node *n,
			     struct dt_node *del)
{
	struct dt_node *c;

	for (c = n->children; c; c = c->next) {
		if (c == del || strcmp(c->name, del->name) != 0)
			continue;
		perr(ps, &del->pos, "duplicate node name '%s'", del->name);
		diag_hint(ps->d, "/delete-node/ only deletes a node defined in an earlier block");
		return -EINVAL;
	}
	return 0;
}

/* Remove the tombstones: the tree dtc would flatten. */
static int purge(struct parser *ps, struct dt_node *n)
{
	struct dt_property *p, **pp = &n->props;
	struct dt_node *c, **pc = &n->children;
	int ret;

	n->deleted = false;
	n->props_tail = &n->props;
	while ((p = *pp) != NULL) {
		if (p->deleted) {
			*pp = p->next;
			dt_prop_free(p);
		} else {
			purge_labels(&p->labels);
			pp = &p->next;
			n->props_tail = pp;
		}
	}
	for (c = n->children; c; c = c->next) {
		if (c->deleted) {
			ret = check_deleted_dup(ps, n, c);
			if (ret < 0)
				return ret;
		}
	}
	n->children_tail = &n->children;
	while ((c = *pc) != NULL) {
		if (c->deleted) {
			*pc = c->next;
			dt_node_free(c);
		} else {
			c->parent = n;
			ret = purge(ps, c);
			if (ret < 0)
				return ret;
			pc = &c->next;
			n->children_tail = pc;
		}
	}
	purge_labels(&n->labels);
	return 0;
}

static void parser_free(struct parser *ps)
{
	size_t i = 0;
	const struct strmap_entry *e;

	while (strmap_next(&ps->labels, &i, &e)) {
		struct label_ent *le = e->value;

		if (le->v != &le->one)
			free(le->v);
		free(le);
	}
	strmap_free(&ps->labels);
	free(ps->scratch.data);
	dts_lexer_free(&ps->lx);
}

static int parse(struct parser *ps)
{
	int ret;

	ret = next(ps);
	if (ret == 0)
		ret = parse_headers(ps);
	if (ret == 0)
		ret = parse_memreserves(ps);
	if (ret == 0)
		ret = parse_devicetree(ps);
	return ret;
}

static int parse_text(struct dt_tree *t, struct srcfile *f,
		      const struct dt_parse_opts *o, struct dt_tree **out,
		      struct diags *d)
{
	struct parser ps;
	char *dir;
	int ret;

	memset(&ps, 0, sizeof(ps));
	ps.tree = t;
	ps.d = d;
	strmap_init(&ps.labels);
	dir = xstrdup(f->dir ? f->dir : ".");
	dts_lexer_init(&ps.lx, t, f, dir, o, d);
	free(dir);
	ret = parse(&ps);
	if (ret == 0)
		t->boot_cpuid = guess_boot_cpuid(t->root);
	if (t->root && ps.indexed)
		release_index(t->root);
	if (ret == 0)
		ret = purge(&ps, t->root);
	parser_free(&ps);
	if (ret < 0) {
		dt_tree_discard(t, d);
		return ret;
	}
	*out = t;
	return 0;
}

int dts_parse_string(const char *name, const char *text, size_t len,
		     const struct dt_parse_opts *o, struct dt_tree **out,
		     struct diags *d)
{
	char *copy = xmalloc(len + 1);

	if (len)
		memcpy(copy, text, len);
	copy[len] = '\0';
	return dts_parse_buffer(name, copy, len, o, out, d);
}

int dts_parse_buffer(const char *name, char *text, size_t len,
		     const struct dt_parse_opts *o, struct dt_tree **out,
		     struct diags *d)
{
	struct dt_tree *t = dt_tree_new();
	struct srcfile *f;

	*out = NULL;
	if (!name || strcmp(name, "-") == 0)
		name = "<stdin>";
	f = srcfiles_add(&t->files, name, NULL, 0);
	free(f->text);
	f->text = text;
	f->len = len;
	return parse_text(t, f, o, out, d);
}

int dts_parse_file(const char *path, const struct dt_parse_opts *o,
		   struct dt_tree **out, struct diags *d)
{
	struct dt_tree *t;
	struct srcfile *f;
	const char *name = path;
	char *data;
	size_t len;
	int ret;

	*out = NULL;
	if (strcmp(path, "-") == 0) {
		ret = read_fd(0, &data, &len);
		name = "<stdin>";
	} else {
		ret = read_file(path, &data, &len);
	}
	if (ret < 0) {
		diag_error(d, NULL, "cannot read '%s': %s", path,
			   strerror(-ret));
		return ret;
	}
	t = dt_tree_new();
	f = srcfiles_add(&t->files, name, NULL, 0);
	f->text = data;
	f->len = len;
	return parse_text(t, f, o, out, d);
}
