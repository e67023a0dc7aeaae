/*
 * yamltree.c - libyaml's event stream turned into a tree of located nodes,
 * and the typed accessors spec.c and expect.c read it with. See yamltree.h.
 *
 * Why a tree and not libyaml's document API: yaml_document_t keeps marks,
 * but it accepts anchors, aliases and tags silently and lets duplicate keys
 * through, and we want every one of those to be an error at the place it was
 * written. Building our own tree from events gives us that in one pass.
 *
 * libyaml marks are 0-based; everything here is 1-based, like compilers.
 */
#include "yamltree.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util.h"

/* Deeper nesting than this is certainly a mistake, and the recursive free
 * must never be able to overflow the stack. */
#define YAML_MAX_DEPTH 64

/* One open collection while the tree is built. */
struct frame {
	struct ynode *node;
	size_t count; /* items so far (a map counts keys and values) */
	size_t cap;
};

struct builder {
	const char *file;
	struct ynode *root;
	struct frame stack[YAML_MAX_DEPTH];
	int depth;
	struct error *e;
};

static void free_nodes(struct ynode *n)
{
	size_t i, count;

	if (!n)
		return;
	count = n->type == YNODE_MAP ? 2 * n->n : n->n;
	for (i = 0; i < count; i++)
		free_nodes(n->items[i]);
	free(n->items);
	free(n->value);
	free(n);
}

void ynode_free(struct ynode *root)
{
	char *file;

	if (!root)
		return;
	/* The root owns the path string every node points to. */
	file = (char *)root->file;
	free_nodes(root);
	free(file);
}

static struct ynode *node_new(struct builder *b, enum ynode_type type,
			      yaml_mark_t mark)
{
	struct ynode *n = xcalloc(1, sizeof(*n));

	n->type = type;
	n->line = (int)mark.line + 1;
	n->col = (int)mark.column + 1;
	n->file = b->file;
	return n;
}

static int scalar_equal(const struct ynode *a, const struct ynode *b)
{
	return a->len == b->len && !memcmp(a->value, b->value, a->len);
}

/* Adds n to the innermost open collection (or makes it the root). Checks
 * that map keys are scalars and not repeated. On error n is freed. */
static int attach(struct builder *b, struct ynode *n)
{
	struct frame *f;
	struct ynode *p;
	size_t i;

	if (b->depth == 0) {
		b->root = n;
		return 0;
	}
	f = &b->stack[b->depth - 1];
	p = f->node;
	if (p->type == YNODE_MAP && f->count % 2 == 0) {
		if (n->type != YNODE_SCALAR) {
			error_at(b->e, b->file, n->line, n->col,
				 "a mapping key must be a plain name, not %s",
				 n->type == YNODE_MAP ? "a mapping" : "a list");
			free_nodes(n);
			return -1;
		}
		for (i = 0; i < f->count; i += 2) {
			if (scalar_equal(p->items[i], n)) {
				char what[96];

				ynode_describe(n, what, sizeof(what));
				error_at(b->e, b->file, n->line, n->col,
					 "duplicate key %s (first at line %d, column %d)",
					 what, p->items[i]->line, p->items[i]->col);
				free_nodes(n);
				return -1;
			}
		}
	}
	if (f->count == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 8;
		p->items = xrealloc(p->items, f->cap * sizeof(*p->items));
	}
	p->items[f->count++] = n;
	/* Kept current so that an error half-way frees exactly what exists;
	 * a map's count of pairs is fixed at its end (see finish_error). */
	p->n = p->type == YNODE_MAP ? f->count / 2 : f->count;
	return 0;
}

static int open_collection(struct builder *b, struct ynode *n)
{
	if (b->depth == YAML_MAX_DEPTH) {
		error_at(b->e, b->file, n->line, n->col,
			 "nesting deeper than %d levels", YAML_MAX_DEPTH);
		free_nodes(n);
		return -1;
	}
	if (attach(b, n) < 0)
		return -1;
	b->stack[b->depth].node = n;
	b->stack[b->depth].count = 0;
	b->stack[b->depth].cap = 0;
	b->depth++;
	return 0;
}

/* Anchors, aliases and tags make a spec harder to read and are never needed
 * for plain data; refuse them where they are written. */
static int refuse_decorations(struct builder *b, const yaml_event_t *ev,
			      const yaml_char_t *anchor, const yaml_char_t *tag)
{
	int line = (int)ev->start_mark.line + 1;
	int col = (int)ev->start_mark.column + 1;

	if (anchor)
		return error_at(b->e, b->file, line, col,
				"anchors (&%s) are not allowed: write the value out",
				(const char *)anchor);
	if (tag) {
		/* libyaml expands `!!int`; show it the way it was written. */
		static const char core[] = "tag:yaml.org,2002:";
		const char *t = (const char *)tag;
		int core_tag = !strncmp(t, core, sizeof(core) - 1);

		return error_at(b->e, b->file, line, col,
				"tags (%s%s) are not allowed: write plain values",
				core_tag ? "!!" : "",
				core_tag ? t + sizeof(core) - 1 : t);
	}
	return 0;
}

/* Turns libyaml's reader error offset (it has no mark) into line:col. */
static void offset_to_mark(const char *text, size_t len, size_t off,
			   int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

static void syntax_error(struct builder *b, const yaml_parser_t *p,
			 const char *text, size_t len)
{
	const char *problem = p->problem ? p->problem : "invalid YAML";
	int line, col;

	if (p->error == YAML_READER_ERROR) {
		offset_to_mark(text, len, p->problem_offset, &line, &col);
		error_at(b->e, b->file, line, col, "%s", problem);
		return;
	}
	line = (int)p->problem_mark.line + 1;
	col = (int)p->problem_mark.column + 1;
	if (p->context)
		error_at(b->e, b->file, line, col, "%s (%s at line %d, column %d)",
			 problem, p->context, (int)p->context_mark.line + 1,
			 (int)p->context_mark.column + 1);
	else
		error_at(b->e, b->file, line, col, "%s", problem);
}

/* Handles one event. Returns 1 at the end of the stream, 0 to go on, -1 on
 * an error. */
static int on_event(struct builder *b, const yaml_event_t *ev, int *docs)
{
	struct ynode *n;
	size_t len;

	switch (ev->type) {
	case YAML_STREAM_START_EVENT:
	case YAML_DOCUMENT_END_EVENT:
	case YAML_NO_EVENT:
		return 0;
	case YAML_STREAM_END_EVENT:
		return 1;
	case YAML_DOCUMENT_START_EVENT:
		if (++*docs > 1)
			return error_at(b->e, b->file,
					(int)ev->start_mark.line + 1,
					(int)ev->start_mark.column + 1,
					"a second YAML document: the file must hold exactly one");
		return 0;
	case YAML_ALIAS_EVENT:
		return error_at(b->e, b->file, (int)ev->start_mark.line + 1,
				(int)ev->start_mark.column + 1,
				"aliases (*%s) are not allowed: write the value out",
				(const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		if (refuse_decorations(b, ev, ev->data.scalar.anchor,
				       ev->data.scalar.tag) < 0)
			return -1;
		n = node_new(b, YNODE_SCALAR, ev->start_mark);
		len = ev->data.scalar.length;
		n->value = xmalloc(len + 1);
		memcpy(n->value, ev->data.scalar.value, len);
		n->value[len] = '\0';
		n->len = len;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		return attach(b, n);
	case YAML_SEQUENCE_START_EVENT:
		if (refuse_decorations(b, ev, ev->data.sequence_start.anchor,
				       ev->data.sequence_start.tag) < 0)
			return -1;
		return open_collection(b, node_new(b, YNODE_SEQ, ev->start_mark));
	case YAML_MAPPING_START_EVENT:
		if (refuse_decorations(b, ev, ev->data.mapping_start.anchor,
				       ev->data.mapping_start.tag) < 0)
			return -1;
		return open_collection(b, node_new(b, YNODE_MAP, ev->start_mark));
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		b->depth--;
		return 0;
	}
	return 0;
}

/* After an error the innermost map may hold a key without its value; free it
 * here, since free_nodes() only walks whole pairs. */
static void finish_error(struct builder *b)
{
	int i;

	for (i = 0; i < b->depth; i++) {
		struct frame *f = &b->stack[i];

		if (f->node->type == YNODE_MAP && f->count % 2) {
			free_nodes(f->node->items[f->count - 1]);
			f->count--;
			f->node->n = f->count / 2;
		}
	}
	free_nodes(b->root);
	b->root = NULL;
}

int yaml_tree_parse(const char *text, size_t len, const char *path,
		    struct ynode **root, struct error *e)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct builder b;
	char *file = xstrdup(path ? path : "");
	int rc = 0, docs = 0;

	*root = NULL;
	memset(&b, 0, sizeof(b));
	b.file = file;
	b.e = e;
	if (!yaml_parser_initialize(&parser))
		die("libyaml: cannot initialise a parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	for (;;) {
		if (!yaml_parser_parse(&parser, &ev)) {
			syntax_error(&b, &parser, text, len);
			rc = -1;
			break;
		}
		rc = on_event(&b, &ev, &docs);
		yaml_event_delete(&ev);
		if (rc != 0)
			break;
	}
	yaml_parser_delete(&parser);
	if (rc < 0) {
		finish_error(&b);
		free(file);
		return -1;
	}
	/* An empty file, or one holding only `---` or `~`, is an empty map:
	 * the caller then reports the missing keys, which is more helpful
	 * than "expected a mapping". */
	if (!b.root || ynode_is_null(b.root)) {
		struct ynode *m = xcalloc(1, sizeof(*m));

		m->type = YNODE_MAP;
		m->line = b.root ? b.root->line : 1;
		m->col = b.root ? b.root->col : 1;
		m->file = file;
		free_nodes(b.root);
		b.root = m;
	}
	*root = b.root;
	return 0;
}

/* ---- lookups ---- */

struct ynode *ymap_key(const struct ynode *map, const char *key)
{
	size_t i, kl = strlen(key);

	if (!map || map->type != YNODE_MAP)
		return NULL;
	for (i = 0; i < map->n; i++) {
		struct ynode *k = map->items[2 * i];

		if (k->len == kl && !memcmp(k->value, key, kl))
			return k;
	}
	return NULL;
}

struct ynode *ymap_get(const struct ynode *map, const char *key)
{
	size_t i, kl = strlen(key);

	if (!map || map->type != YNODE_MAP)
		return NULL;
	for (i = 0; i < map->n; i++) {
		struct ynode *k = map->items[2 * i];

		if (k->len == kl && !memcmp(k->value, key, kl))
			return map->items[2 * i + 1];
	}
	return NULL;
}

int ynode_is_null(const struct ynode *n)
{
	return n && n->type == YNODE_SCALAR && n->plain &&
	       (n->len == 0 || !strcmp(n->value, "~") ||
		!strcmp(n->value, "null") || !strcmp(n->value, "Null") ||
		!strcmp(n->value, "NULL"));
}

void ynode_describe(const struct ynode *n, char *out, size_t outsz)
{
	/* Long values are cut: the location already says where they are. */
	enum { SHOWN = 40 };
	size_t i, o = 0;

	if (!outsz)
		return;
	if (!n) {
		snprintf(out, outsz, "nothing");
		return;
	}
	if (n->type == YNODE_MAP) {
		snprintf(out, outsz, "a mapping");
		return;
	}
	if (n->type == YNODE_SEQ) {
		snprintf(out, outsz, "a list");
		return;
	}
	if (n->plain && n->len == 0) {
		snprintf(out, outsz, "an empty value");
		return;
	}
	if (outsz < 8) {
		out[0] = '\0';
		return;
	}
	out[o++] = '\'';
	for (i = 0; i < n->len && i < SHOWN; i++) {
		unsigned char c = (unsigned char)n->value[i];
		char esc[8];
		size_t el;

		if (c == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else if (c == '\t')
			snprintf(esc, sizeof(esc), "\\t");
		else if (c < 0x20 || c == 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", c);
		else
			snprintf(esc, sizeof(esc), "%c", c);
		el = strlen(esc);
		if (o + el + 5 > outsz)
			break;
		memcpy(out + o, esc, el);
		o += el;
	}
	if (i < n->len && o + 4 < outsz) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '\'';
	out[o] = '\0';
}

static const char *type_word(enum ynode_type t)
{
	switch (t) {
	case YNODE_MAP:
		return "a mapping";
	case YNODE_SEQ:
		return "a list";
	case YNODE_SCALAR:
		break;
	}
	return "a single value";
}

/* "what: expected X, got Y" located at n. Returns -1. */
static int expected(const struct ynode *n, const char *what,
		    const char *wanted, struct error *e)
{
	char got[96];

	ynode_describe(n, got, sizeof(got));
	return error_at(e, n->file, n->line, n->col, "%s: expected %s, got %s",
			what, wanted, got);
}

int ynode_expect(const struct ynode *node, enum ynode_type type,
		 const char *what, struct error *e)
{
	if (node->type == type)
		return 0;
	return expected(node, what, type_word(type), e);
}

/* Edit distance with transpositions (optimal string alignment), for "did
 * you mean" on unknown keys: a typo of a key is the commonest spec mistake. */
static size_t edit_distance(const char *a, const char *b)
{
	enum { MAXL = 32 };
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t d[MAXL + 1][MAXL + 1];

	if (la > MAXL || lb > MAXL)
		return MAXL;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

int ymap_check_keys(const struct ynode *map, const char *const *allowed,
		    const char *what, struct error *e)
{
	size_t i, j;

	if (ynode_expect(map, YNODE_MAP, what, e) < 0)
		return -1;
	for (i = 0; i < map->n; i++) {
		const struct ynode *k = map->items[2 * i];
		const char *close = NULL;
		size_t best = 3;
		char list[512], key[96];
		size_t o = 0;

		for (j = 0; allowed[j]; j++)
			if (strlen(allowed[j]) == k->len &&
			    !memcmp(allowed[j], k->value, k->len))
				break;
		if (allowed[j])
			continue;
		list[0] = '\0';
		for (j = 0; allowed[j]; j++) {
			size_t d = edit_distance(k->value, allowed[j]);
			int w;

			if (d < best) {
				best = d;
				close = allowed[j];
			}
			w = snprintf(list + o, sizeof(list) - o, "%s%s",
				     j ? ", " : "", allowed[j]);
			if (w > 0 && (size_t)w < sizeof(list) - o)
				o += (size_t)w;
		}
		ynode_describe(k, key, sizeof(key));
		if (close)
			return error_at(e, k->file, k->line, k->col,
					"unknown key %s in %s (did you mean '%s'?); expected one of: %s",
					key, what, close, list);
		return error_at(e, k->file, k->line, k->col,
				"unknown key %s in %s; expected one of: %s", key,
				what, list);
	}
	return 0;
}

/* ---- typed scalars ---- */

int ynode_string(const struct ynode *n, const char *what, char **out,
		 struct error *e)
{
	if (n->type != YNODE_SCALAR || ynode_is_null(n))
		return expected(n, what, "a string", e);
	if (memchr(n->value, '\0', n->len))
		return error_at(e, n->file, n->line, n->col,
				"%s: a NUL byte is not allowed here", what);
	*out = xstrndup(n->value, n->len);
	return 0;
}

int ynode_int(const struct ynode *n, const char *what, long long *out,
	      struct error *e)
{
	const char *s;
	char *end;
	long long v;

	if (n->type != YNODE_SCALAR || n->len == 0)
		return expected(n, what, "an integer", e);
	s = n->value;
	/* strtoll would skip leading blanks and take "0x10"; a spec number is
	 * decimal digits only. */
	if (!(isdigit((unsigned char)s[0]) ||
	      ((s[0] == '-' || s[0] == '+') && isdigit((unsigned char)s[1]))))
		return expected(n, what, "an integer", e);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end != s + n->len)
		return expected(n, what, "an integer", e);
	if (errno == ERANGE)
		return error_at(e, n->file, n->line, n->col,
				"%s: %s is out of range", what, s);
	*out = v;
	return 0;
}

int ynode_double(const struct ynode *n, const char *what, double *out,
		 struct error *e)
{
	const char *s;
	char *end;
	double v;
	size_t i;

	if (n->type != YNODE_SCALAR || n->len == 0)
		return expected(n, what, "a number", e);
	s = n->value;
	/* Only decimal notation: strtod also takes "inf", "nan" and hex. */
	for (i = 0; i < n->len; i++)
		if (!isdigit((unsigned char)s[i]) && !strchr("+-.eE", s[i]))
			return expected(n, what, "a number", e);
	errno = 0;
	v = strtod(s, &end);
	if (end == s || end != s + n->len)
		return expected(n, what, "a number", e);
	if (errno == ERANGE || !isfinite(v))
		return error_at(e, n->file, n->line, n->col,
				"%s: %s is out of range", what, s);
	*out = v;
	return 0;
}

int ynode_bool(const struct ynode *n, const char *what, int *out,
	       struct error *e)
{
	if (n->type == YNODE_SCALAR && n->plain) {
		if (!strcmp(n->value, "true") || !strcmp(n->value, "yes")) {
			*out = 1;
			return 0;
		}
		if (!strcmp(n->value, "false") || !strcmp(n->value, "no")) {
			*out = 0;
			return 0;
		}
	}
	if (n->type == YNODE_SCALAR && !n->plain)
		return expected(n, what,
				"true or false (without quotes)", e);
	return expected(n, what, "true or false", e);
}

/* parse_size/parse_duration cast or return whatever strtod made of the
 * text; refuse what would overflow or is not a finite number first. */
static int finite_leading_number(const char *s, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	return end != s && !errno && isfinite(v) && v <= max;
}

int ynode_size(const struct ynode *n, const char *what, long long *out,
	       struct error *e)
{
	static const char wanted[] = "a size such as 512, 64K, 8M or 2G";
	long long v;

	if (n->type != YNODE_SCALAR || n->len == 0 ||
	    memchr(n->value, '\0', n->len))
		return expected(n, what, wanted, e);
	if (!isdigit((unsigned char)n->value[0]) ||
	    !finite_leading_number(n->value, 1e15) ||
	    parse_size(n->value, &v) < 0 || v < 0)
		return expected(n, what, wanted, e);
	*out = v;
	return 0;
}

int ynode_duration(const struct ynode *n, const char *what, double *out,
		   struct error *e)
{
	static const char wanted[] = "a duration such as 10, 2.5s, 500ms or 1m";
	double v;

	if (n->type != YNODE_SCALAR || n->len == 0 ||
	    memchr(n->value, '\0', n->len))
		return expected(n, what, wanted, e);
	if (!(isdigit((unsigned char)n->value[0]) || n->value[0] == '.') ||
	    !finite_leading_number(n->value, 1e9) ||
	    parse_duration(n->value, &v) < 0 || !isfinite(v))
		return expected(n, what, wanted, e);
	*out = v;
	return 0;
}

int ynode_string_list(const struct ynode *n, const char *what, char ***out,
		      size_t *count, struct error *e)
{
	char **v;
	size_t i;

	if (n->type == YNODE_MAP)
		return expected(n, what, "a list of strings", e);
	if (ynode_is_null(n)) {
		*out = xcalloc(1, sizeof(**out));
		*count = 0;
		return 0;
	}
	if (n->type == YNODE_SCALAR) {
		v = xcalloc(2, sizeof(*v));
		if (ynode_string(n, what, &v[0], e) < 0) {
			free(v);
			return -1;
		}
		*out = v;
		*count = 1;
		return 0;
	}
	v = xcalloc(n->n + 1, sizeof(*v));
	for (i = 0; i < n->n; i++) {
		char item[256];

		snprintf(item, sizeof(item), "%s[%zu]", what, i);
		if (ynode_string(n->items[i], item, &v[i], e) < 0) {
			while (i--)
				free(v[i]);
			free(v);
			return -1;
		}
	}
	*out = v;
	*count = n->n;
	return 0;
}
