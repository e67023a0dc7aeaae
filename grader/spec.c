/*
 * spec.c - loads and validates an exercise's spec.yaml into a struct spec
 * with every default resolved. See spec.h for the data and docs/spec.md for
 * the format, key by key.
 *
 * The file is read once into a ynode tree (yamltree.c) and walked here. Two
 * tables make the format extensible without touching the walker:
 *   step_types[]  - a test's `type` (run; later pty, unit, net): the keys
 *                   it adds to a test and the function that parses them;
 *   check_types[] - the check kinds of stdout/stderr (exact, regex, ...):
 *                   the YAML key, the options it takes and its parser.
 * Every error is located at the node that caused it; nothing is ignored.
 *
 * spec_text_materialize() also lives here because the generator's algorithm
 * is part of the format: the same seed must give the same bytes forever.
 */
#include "spec.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"
#include "spec_parse.h"
#include "spec_server.h"
#include "spec_trace.h"
#include "spec_unit.h"
#include "spec_procs.h"
#include "spec_pty.h"
#include "yamltree.h"

/* Built-in defaults, documented in spec.h and docs/spec.md. */
#define DEF_WALL_S 10.0
#define DEF_MEMORY (512LL << 20)
#define DEF_OUTPUT (8LL << 20)
#define DEF_PROCESSES 64
#define DEF_OPEN_FILES 256
#define DEF_DISK (256LL << 20)
#define DEF_INODES 16384
#define DEF_BUILD_TIMEOUT_S 60.0
#define DEF_ABS_TOL 1e-9
#define DEF_GEN_MAX_LEN 80
#define DEF_GEN_SEED 1

/* Sanity caps: beyond these a value is a typo, not a wish. */
#define MAX_GENERATED (1LL << 30) /* bytes of generated input */
#define MAX_LINE_LEN 65536
#define MAX_REPEAT 1000
#define MAX_SPEC_FILE (1 << 20)


/* ---- names of enums ---- */

static const char *const visibility_names[] = {
	[VIS_VISIBLE] = "visible",
	[VIS_HIDDEN] = "hidden",
	[VIS_AFTER_DUE_DATE] = "after_due_date",
};

static const char *const variant_names[VARIANT__COUNT] = {
	[VARIANT_PLAIN] = "plain",       [VARIANT_ASAN] = "asan",
	[VARIANT_TSAN] = "tsan",         [VARIANT_MEMCHECK] = "memcheck",
	[VARIANT_HELGRIND] = "helgrind", [VARIANT_DRD] = "drd",
};

static const char *const warnings_names[] = {
	[WARNINGS_LIST] = "list",
	[WARNINGS_ERROR] = "error",
	[WARNINGS_IGNORE] = "ignore",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *visibility_name(enum visibility v)
{
	if ((unsigned)v < COUNT(visibility_names))
		return visibility_names[v];
	return "?";
}

const char *variant_name(enum variant v)
{
	if ((unsigned)v < VARIANT__COUNT)
		return variant_names[v];
	return "?";
}

int variant_parse(const char *name, enum variant *out)
{
	int i;

	for (i = 0; i < VARIANT__COUNT; i++) {
		if (!strcmp(name, variant_names[i])) {
			*out = (enum variant)i;
			return 0;
		}
	}
	return -1;
}

/* Finds name in a table of names; the index or -1. */
static int name_index(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return (int)i;
	return -1;
}

/* "a, b, c" from a table of names. */
void spec_join_names(const char *const *names, size_t n, char *out,
		       size_t outsz)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		int w = snprintf(out + o, outsz - o, "%s%s", i ? ", " : "",
				 names[i]);

		if (w < 0 || (size_t)w >= outsz - o)
			return;
		o += (size_t)w;
	}
}

/* ---- small validators ---- */

/* Formats the path of a key for messages ("tests[2].stdout[0].regex").
 * Through vsnprintf so that a long path is cut, never overflowing. */
const char *spec_whatf(char *out, size_t outsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, outsz, fmt, ap);
	va_end(ap);
	return out;
}

static int missing(const struct ynode *map, const char *what, const char *key,
		   struct error *e)
{
	return error_at(e, map->file, map->line, map->col,
			"%s: missing required key '%s'", what, key);
}

/* Looks up a required key. */
int spec_need(const struct ynode *map, const char *key, const char *what,
		const struct ynode **out, struct error *e)
{
	*out = ymap_get(map, key);
	if (!*out)
		return missing(map, what, key, e);
	return 0;
}

static int in_set(char c, const char *extra, int upper)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (upper && c >= 'A' && c <= 'Z') || (c && strchr(extra, c));
}

/* A string made only of [a-z0-9] (plus A-Z when upper) and `extra`. */
int spec_name_string(const struct ynode *n, const char *what,
		       const char *extra, int upper, const char *charset,
		       char **out, struct error *e)
{
	size_t i;

	if (ynode_string(n, what, out, e) < 0)
		return -1;
	for (i = 0; (*out)[i]; i++)
		if (!in_set((*out)[i], extra, upper))
			break;
	if (i && !(*out)[i])
		return 0;
	error_at(e, n->file, n->line, n->col,
		 "%s: invalid name '%s': use only %s", what, *out, charset);
	free(*out);
	*out = NULL;
	return -1;
}

/* A path inside the exercise (or submission) directory: relative, without
 * `..`, so that a spec can never reach outside it. */
int spec_relative_path(const struct ynode *n, const char *what, char **out,
			 struct error *e)
{
	const char *p, *seg;

	if (ynode_string(n, what, out, e) < 0)
		return -1;
	p = *out;
	if (!*p) {
		error_at(e, n->file, n->line, n->col, "%s: empty path", what);
		goto fail;
	}
	if (*p == '/') {
		error_at(e, n->file, n->line, n->col,
			 "%s: '%s' is absolute; paths are relative to the exercise directory",
			 what, p);
		goto fail;
	}
	for (seg = p; seg; seg = strchr(seg, '/'), seg = seg ? seg + 1 : NULL) {
		if (!strncmp(seg, "..", 2) && (seg[2] == '/' || !seg[2])) {
			error_at(e, n->file, n->line, n->col,
				 "%s: '%s' contains '..'; paths must stay inside the exercise directory",
				 what, p);
			goto fail;
		}
	}
	return 0;
fail:
	free(*out);
	*out = NULL;
	return -1;
}

/* A source the submission must contain. The build copies only the .c and
 * .h files at the top of the submission (build.c), so anything else could
 * never be found: refuse it here, where the instructor sees it. */
static int source_name(const struct ynode *n, const char *what, char **out,
		       struct error *e)
{
	size_t len, i;

	if (ynode_string(n, what, out, e) < 0)
		return -1;
	len = strlen(*out);
	for (i = 0; i < len; i++)
		if (!in_set((*out)[i], "_.-+", 1))
			break;
	if (i == len && len > 2 && (*out)[0] != '.' &&
	    (!strcmp(*out + len - 2, ".c") || !strcmp(*out + len - 2, ".h")))
		return 0;
	error_at(e, n->file, n->line, n->col,
		 "%s: '%s' is not a source file name: a source is a .c or .h file in the top directory of the submission (letters, digits, '_', '.', '-', '+')",
		 what, *out);
	free(*out);
	*out = NULL;
	return -1;
}

int spec_int_in_range(const struct ynode *n, const char *what, long long lo,
			long long hi, long long *out, struct error *e)
{
	if (ynode_int(n, what, out, e) < 0)
		return -1;
	if (*out < lo || *out > hi)
		return error_at(e, n->file, n->line, n->col,
				"%s: must be in %lld..%lld, got %lld", what, lo,
				hi, *out);
	return 0;
}

int spec_positive_duration(const struct ynode *n, const char *what,
			     double *out, struct error *e)
{
	if (ynode_duration(n, what, out, e) < 0)
		return -1;
	if (*out <= 0)
		return error_at(e, n->file, n->line, n->col,
				"%s: must be more than 0", what);
	return 0;
}

/* One name of a fixed set (visibility, warnings): an error lists them. */
int spec_enum_value(const struct ynode *n, const char *what,
		      const char *noun, const char *const *names, size_t count,
		      int *out, struct error *e)
{
	char *v, list[256];
	int i;

	if (ynode_string(n, what, &v, e) < 0)
		return -1;
	i = name_index(names, count, v);
	if (i < 0) {
		spec_join_names(names, count, list, sizeof(list));
		error_at(e, n->file, n->line, n->col,
			 "%s: unknown %s '%s' (expected one of: %s)", what,
			 noun, v, list);
		free(v);
		return -1;
	}
	free(v);
	*out = i;
	return 0;
}


/* ---- limits and variants ---- */

static const char *const limit_keys[] = { "wall_time", "cpu_time", "memory",
					  "output",    "processes", "open_files",
					  "disk",      "inodes",    NULL };

static void limits_unset(struct spec_limits *l)
{
	l->wall_s = l->cpu_s = -1;
	l->memory = l->output = -1;
	l->processes = l->open_files = -1;
	l->disk = l->inodes = -1;
}

static int parse_limits(const struct ynode *map, const char *prefix,
			struct spec_limits *l, struct error *e)
{
	const struct ynode *n;
	char what[WHAT_MAX];
	long long v;

	if (ymap_check_keys(map, limit_keys, prefix, e) < 0)
		return -1;
#define WHAT(key) (spec_whatf(what, sizeof(what), "%s.%s", prefix, key), what)
	if ((n = ymap_get(map, "wall_time")) &&
	    spec_positive_duration(n, WHAT("wall_time"), &l->wall_s, e) < 0)
		return -1;
	if ((n = ymap_get(map, "cpu_time")) &&
	    spec_positive_duration(n, WHAT("cpu_time"), &l->cpu_s, e) < 0)
		return -1;
	if ((n = ymap_get(map, "memory"))) {
		if (ynode_size(n, WHAT("memory"), &l->memory, e) < 0)
			return -1;
		/* Below this not even the C library loads. */
		if (l->memory < (1LL << 20))
			return error_at(e, n->file, n->line, n->col,
					"%s: must be at least 1M", what);
	}
	if ((n = ymap_get(map, "output"))) {
		if (ynode_size(n, WHAT("output"), &l->output, e) < 0)
			return -1;
		if (l->output <= 0)
			return error_at(e, n->file, n->line, n->col,
					"%s: must be more than 0", what);
	}
	if ((n = ymap_get(map, "processes"))) {
		if (spec_int_in_range(n, WHAT("processes"), 1, 65536, &v, e) < 0)
			return -1;
		l->processes = (int)v;
	}
	if ((n = ymap_get(map, "open_files"))) {
		/* 3: stdin, stdout and stderr are open already. */
		if (spec_int_in_range(n, WHAT("open_files"), 3, 1048576, &v, e) < 0)
			return -1;
		l->open_files = (int)v;
	}
	if ((n = ymap_get(map, "disk"))) {
		if (ynode_size(n, WHAT("disk"), &l->disk, e) < 0)
			return -1;
		/* a tmpfs smaller than a page holds nothing */
		if (l->disk < (64LL << 10))
			return error_at(e, n->file, n->line, n->col,
					"%s: must be at least 64K", what);
	}
	if ((n = ymap_get(map, "inodes"))) {
		/* the directory itself and a few files */
		if (spec_int_in_range(n, WHAT("inodes"), 16, 16777216, &v, e) < 0)
			return -1;
		l->inodes = v;
	}
#undef WHAT
	return 0;
}

/* A test's limits: its own, else the spec's, else the built-in defaults;
 * CPU time defaults to the resolved wall time, per test. */
static void limits_resolve(struct spec_limits *out,
			   const struct spec_limits *own,
			   const struct spec_limits *defs)
{
#define PICK(f, builtin) \
	(own->f >= 0 ? own->f : defs->f >= 0 ? defs->f : (builtin))
	out->wall_s = PICK(wall_s, DEF_WALL_S);
	out->cpu_s = PICK(cpu_s, out->wall_s);
	out->memory = PICK(memory, DEF_MEMORY);
	out->output = PICK(output, DEF_OUTPUT);
	out->processes = PICK(processes, DEF_PROCESSES);
	out->open_files = PICK(open_files, DEF_OPEN_FILES);
	out->disk = PICK(disk, DEF_DISK);
	out->inodes = PICK(inodes, DEF_INODES);
#undef PICK
}

static int parse_variants(const struct ynode *n, const char *what,
			  unsigned *mask, struct error *e)
{
	char **names, item[WHAT_MAX], list[128];
	size_t count, i;
	int rc = 0;

	if (ynode_string_list(n, what, &names, &count, e) < 0)
		return -1;
	if (!count) {
		strv_free(names);
		return error_at(e, n->file, n->line, n->col,
				"%s: needs at least one variant", what);
	}
	*mask = 0;
	for (i = 0; i < count; i++) {
		const struct ynode *at = n->type == YNODE_SEQ ? n->items[i] : n;
		enum variant v;

		spec_whatf(item, sizeof(item), "%s[%zu]", what, i);
		if (variant_parse(names[i], &v) < 0) {
			spec_join_names(variant_names, VARIANT__COUNT, list,
				   sizeof(list));
			rc = error_at(e, at->file, at->line, at->col,
				      "%s: unknown variant '%s' (expected one of: %s)",
				      item, names[i], list);
			break;
		}
		if (*mask & VARIANT_BIT(v)) {
			rc = error_at(e, at->file, at->line, at->col,
				      "%s: variant '%s' is listed twice", item,
				      names[i]);
			break;
		}
		*mask |= VARIANT_BIT(v);
	}
	strv_free(names);
	return rc;
}

/* ---- texts: stdin and expected output ---- */

static const char *const gen_keys[] = { "size",   "lines", "min_len",
					"max_len", "seed", "final_newline",
					NULL };

static int parse_generate(const struct ynode *map, const char *prefix,
			  struct spec_generate *g, struct error *e)
{
	const struct ynode *n, *size, *lines, *minl, *maxl;
	char what[WHAT_MAX];
	long long v;

	g->size = 0;
	g->lines = 0;
	g->min_len = 0;
	g->max_len = DEF_GEN_MAX_LEN;
	g->seed = DEF_GEN_SEED;
	g->final_newline = 1;
	if (ymap_check_keys(map, gen_keys, prefix, e) < 0)
		return -1;
#define WHAT(key) (spec_whatf(what, sizeof(what), "%s.%s", prefix, key), what)
	size = ymap_get(map, "size");
	lines = ymap_get(map, "lines");
	if (!size && !lines)
		return error_at(e, map->file, map->line, map->col,
				"%s: missing required key 'size' (or 'lines')",
				prefix);
	if (size && lines)
		return error_at(e, lines->file, lines->line, lines->col,
				"%s: give either size or lines, not both",
				prefix);
	if (size) {
		if (ynode_size(size, WHAT("size"), &g->size, e) < 0)
			return -1;
		if (g->size > MAX_GENERATED)
			return error_at(e, size->file, size->line, size->col,
					"%s: at most 1G", what);
	}
	if (lines && spec_int_in_range(lines, WHAT("lines"), 1, MAX_GENERATED,
				  &g->lines, e) < 0)
		return -1;
	if ((minl = ymap_get(map, "min_len"))) {
		if (spec_int_in_range(minl, WHAT("min_len"), 0, MAX_LINE_LEN, &v,
				 e) < 0)
			return -1;
		g->min_len = (int)v;
	}
	if ((maxl = ymap_get(map, "max_len"))) {
		if (spec_int_in_range(maxl, WHAT("max_len"), 0, MAX_LINE_LEN, &v,
				 e) < 0)
			return -1;
		g->max_len = (int)v;
	}
	if (g->min_len > g->max_len) {
		n = minl ? minl : maxl;
		return error_at(e, n->file, n->line, n->col,
				"%s: min_len (%d) is greater than max_len (%d)",
				prefix, g->min_len, g->max_len);
	}
	if (lines && g->lines * (g->max_len + 1LL) > MAX_GENERATED)
		return error_at(e, lines->file, lines->line, lines->col,
				"%s: %lld lines of up to %d bytes exceed 1G",
				prefix, g->lines, g->max_len);
	if ((n = ymap_get(map, "seed"))) {
		if (spec_int_in_range(n, WHAT("seed"), 0, INT64_MAX, &v, e) < 0)
			return -1;
		g->seed = (unsigned long long)v;
	}
	if ((n = ymap_get(map, "final_newline")) &&
	    ynode_bool(n, WHAT("final_newline"), &g->final_newline, e) < 0)
		return -1;
#undef WHAT
	return 0;
}

/* {file: p}: relative to the exercise directory, and it must exist now, so
 * that a typo fails when the spec is loaded, not in the middle of grading. */
static int parse_text_file(struct spec_ctx *c, const struct ynode *key,
			   const struct ynode *val, const char *what,
			   struct spec_text *t, struct error *e)
{
	char *rel;

	if (spec_relative_path(val, what, &rel, e) < 0)
		return -1;
	t->kind = TEXT_FILE;
	t->path = path_join(c->s->dir, rel);
	if (!is_file(t->path)) {
		error_at(e, key->file, key->line, key->col,
			 "%s: file '%s' not found in the exercise directory (%s)",
			 what, rel, t->path);
		free(rel);
		return -1;
	}
	free(rel);
	return 0;
}


/* A text: an inline string, or a one-key map naming where it comes from. */
int spec_parse_text(struct spec_ctx *c, const struct ynode *n, enum text_use use,
		      const char *what, struct spec_text *t, struct error *e)
{
	static const char *const stdin_keys[] = { "file", "generate",
						  "reference", NULL };
	static const char *const check_keys[] = { "file", "reference", NULL };
	const char *forms = use == TEXT_FOR_STDIN ?
				    "a string, {file: PATH} or {generate: {...}}" :
				    "a string, {file: PATH} or {reference: true}";
	const struct ynode *key, *val;
	char sub[WHAT_MAX], got[96];
	int yes;

	t->line = n->line;
	t->col = n->col;
	if (n->type == YNODE_SCALAR && !ynode_is_null(n)) {
		t->kind = TEXT_INLINE;
		t->text = xmalloc(n->len + 1);
		memcpy(t->text, n->value, n->len + 1);
		t->len = n->len;
		return 0;
	}
	if (n->type != YNODE_MAP) {
		ynode_describe(n, got, sizeof(got));
		return error_at(e, n->file, n->line, n->col,
				"%s: expected %s, got %s", what, forms, got);
	}
	if (ymap_check_keys(n, use == TEXT_FOR_STDIN ? stdin_keys : check_keys,
			    what, e) < 0)
		return -1;
	if (n->n == 0)
		return error_at(e, n->file, n->line, n->col,
				"%s: expected %s, got an empty mapping", what,
				forms);
	if (n->n > 1)
		return error_at(e, n->items[2]->file, n->items[2]->line,
				n->items[2]->col,
				"%s: give only one of '%s' and '%s'", what,
				n->items[0]->value, n->items[2]->value);
	key = n->items[0];
	val = n->items[1];
	spec_whatf(sub, sizeof(sub), "%s.%s", what, key->value);
	if (!strcmp(key->value, "reference")) {
		if (use == TEXT_FOR_STDIN)
			return error_at(e, key->file, key->line, key->col,
					"%s: {reference: true} is not allowed for stdin; the input must be %s",
					what, forms);
		if (ynode_bool(val, sub, &yes, e) < 0)
			return -1;
		if (!yes)
			return error_at(e, val->file, val->line, val->col,
					"%s: only `true` makes sense here; give the text instead",
					sub);
		t->kind = TEXT_REFERENCE;
		return 0;
	}
	if (!strcmp(key->value, "file"))
		return parse_text_file(c, key, val, sub, t, e);
	t->kind = TEXT_GENERATE;
	if (ynode_expect(val, YNODE_MAP, sub, e) < 0)
		return -1;
	return parse_generate(val, sub, &t->gen, e);
}

static void text_release(struct spec_text *t)
{
	free(t->text);
	free(t->path);
	t->text = t->path = NULL;
}

/* ---- checks ---- */

struct check_type {
	const char *name;            /* the YAML key */
	const char *const *options;  /* keys only this kind takes, or NULL */
	/* t is the test whose check it is (its args are parsed already) */
	int (*parse)(struct spec_ctx *c, const struct ynode *val, const char *what,
		     const struct spec_test *t, struct spec_check *k,
		     struct error *e);
};

static int parse_check_text(struct spec_ctx *c, const struct ynode *val,
			    const char *what, const struct spec_test *t,
			    struct spec_check *k,
			    struct error *e)
{
	(void)t;
	return spec_parse_text(c, val, TEXT_FOR_CHECK, what, &k->expected, e);
}

static int parse_check_regex(struct spec_ctx *c, const struct ynode *val,
			     const char *what, const struct spec_test *t,
			     struct spec_check *k,
			     struct error *e)
{
	char msg[256];
	int rc;

	(void)c;
	(void)t;
	if (ynode_string(val, what, &k->pattern, e) < 0)
		return -1;
	k->re = xmalloc(sizeof(*k->re));
	rc = regcomp(k->re, k->pattern, REG_EXTENDED | REG_NEWLINE);
	if (rc) {
		regerror(rc, k->re, msg, sizeof(msg));
		/* A failed regcomp leaves nothing to regfree. */
		free(k->re);
		k->re = NULL;
		return error_at(e, val->file, val->line, val->col,
				"%s: invalid regular expression: %s", what,
				msg);
	}
	return 0;
}

static int parse_check_count(struct spec_ctx *c, const struct ynode *val,
			     const char *what, const struct spec_test *t,
			     struct spec_check *k,
			     struct error *e)
{
	(void)c;
	(void)t;
	return spec_int_in_range(val, what, 0, INT64_MAX, &k->count, e);
}

static const char *const numbers_options[] = { "abs_tol", "rel_tol", NULL };

/* Indexed by enum check_kind; a new kind adds its enum value and a row. */
static const struct check_type check_types[CHECK__COUNT] = {
	[CHECK_EXACT] = { "exact", NULL, parse_check_text },
	[CHECK_TRAILING_WS] = { "trailing_ws", NULL, parse_check_text },
	[CHECK_REGEX] = { "regex", NULL, parse_check_regex },
	[CHECK_CONTAINS] = { "contains", NULL, parse_check_text },
	[CHECK_NOT_CONTAINS] = { "not_contains", NULL, parse_check_text },
	[CHECK_ANY_ORDER] = { "any_order", NULL, parse_check_text },
	[CHECK_MULTISET] = { "multiset", NULL, parse_check_text },
	[CHECK_NUMBERS] = { "numbers", numbers_options, parse_check_text },
	[CHECK_LINE_COUNT] = { "line_count", NULL, parse_check_count },
	[CHECK_LAST_LINE] = { "last_line", NULL, parse_check_text },
	/* checks over event traces: spec_trace.c */
	[CHECK_EXACTLY_ONCE] = { "exactly_once", NULL, spec_parse_exactly_once },
	[CHECK_INSIDE] = { "inside", NULL, spec_parse_inside },
	[CHECK_ORDER_PER_KEY] = { "order_per_key", NULL, spec_parse_order_per_key },
	[CHECK_COMPUTED] = { "computed", NULL, spec_parse_computed },
};

const char *check_kind_name(enum check_kind k)
{
	if ((unsigned)k < CHECK__COUNT)
		return check_types[k].name;
	return "?";
}

static int is_option_of(const struct check_type *ct, const char *key)
{
	size_t i;

	for (i = 0; ct->options && ct->options[i]; i++)
		if (!strcmp(ct->options[i], key))
			return 1;
	return 0;
}

static int tolerance(const struct ynode *n, const char *what, double *out,
		     struct error *e)
{
	if (ynode_double(n, what, out, e) < 0)
		return -1;
	if (*out < 0)
		return error_at(e, n->file, n->line, n->col,
				"%s: must be >= 0, got %g", what, *out);
	return 0;
}

static int parse_check(struct spec_ctx *c, const struct ynode *item,
		       const char *what, const struct spec_test *t,
		       struct spec_check *k, struct error *e)
{
	/* Every kind, every option and `message`: for the unknown-key error. */
	const char *allowed[CHECK__COUNT + 8];
	const struct ynode *kind_key = NULL, *n;
	const struct check_type *ct = NULL;
	char sub[WHAT_MAX], names[256];
	size_t i, j, na = 0;

	k->line = item->line;
	k->col = item->col;
	k->abs_tol = DEF_ABS_TOL;
	k->rel_tol = 0;
	for (i = 0; i < CHECK__COUNT; i++)
		allowed[na++] = check_types[i].name;
	for (i = 0; i < CHECK__COUNT; i++)
		for (j = 0; check_types[i].options && check_types[i].options[j];
		     j++)
			if (name_index(allowed, na, check_types[i].options[j]) < 0 &&
			    na < COUNT(allowed) - 2)
				allowed[na++] = check_types[i].options[j];
	allowed[na++] = "message";
	allowed[na] = NULL;
	if (ymap_check_keys(item, allowed, what, e) < 0)
		return -1;

	for (i = 0; i < item->n; i++) {
		const struct ynode *key = item->items[2 * i];
		int ki = name_index(allowed, CHECK__COUNT, key->value);

		if (ki < 0)
			continue;
		if (kind_key)
			return error_at(e, key->file, key->line, key->col,
					"%s: a check has one kind, this one has two ('%s' and '%s'); write two checks",
					what, kind_key->value, key->value);
		kind_key = key;
		k->kind = (enum check_kind)ki;
		ct = &check_types[ki];
	}
	if (!ct) {
		spec_join_names(allowed, CHECK__COUNT, names, sizeof(names));
		return error_at(e, item->file, item->line, item->col,
				"%s: a check needs one of: %s", what, names);
	}
	/* Options of another kind are a mistake worth naming precisely. */
	for (i = 0; i < item->n; i++) {
		const struct ynode *key = item->items[2 * i];

		if (key == kind_key || !strcmp(key->value, "message") ||
		    is_option_of(ct, key->value))
			continue;
		for (j = 0; j < CHECK__COUNT; j++)
			if (is_option_of(&check_types[j], key->value))
				break;
		return error_at(e, key->file, key->line, key->col,
				"%s: '%s' only applies to a %s check, not to %s",
				what, key->value,
				j < CHECK__COUNT ? check_types[j].name : "?",
				ct->name);
	}
	spec_whatf(sub, sizeof(sub), "%s.%s", what, ct->name);
	if (ct->parse(c, ymap_get(item, ct->name), sub, t, k, e) < 0)
		return -1;
	if ((n = ymap_get(item, "abs_tol"))) {
		spec_whatf(sub, sizeof(sub), "%s.abs_tol", what);
		if (tolerance(n, sub, &k->abs_tol, e) < 0)
			return -1;
	}
	if ((n = ymap_get(item, "rel_tol"))) {
		spec_whatf(sub, sizeof(sub), "%s.rel_tol", what);
		if (tolerance(n, sub, &k->rel_tol, e) < 0)
			return -1;
	}
	if ((n = ymap_get(item, "message"))) {
		spec_whatf(sub, sizeof(sub), "%s.message", what);
		if (ynode_string(n, sub, &k->message, e) < 0)
			return -1;
	}
	return 0;
}

/* stdout: and stderr: of a test, appended to t->checks (already sized). */
int spec_parse_checks(struct spec_ctx *c, const struct ynode *list,
			const char *prefix, enum stream stream,
			struct spec_test *t, size_t *next, struct error *e)
{
	char what[WHAT_MAX];
	size_t i;

	if (ynode_expect(list, YNODE_SEQ, prefix, e) < 0)
		return -1;
	for (i = 0; i < list->n; i++) {
		struct spec_check *k = &t->checks[(*next)++];

		k->stream = stream;
		spec_whatf(what, sizeof(what), "%s[%zu]", prefix, i);
		if (ynode_expect(list->items[i], YNODE_MAP, what, e) < 0 ||
		    parse_check(c, list->items[i], what, t, k, e) < 0)
			return -1;
	}
	return 0;
}

/* ---- step types ---- */

int spec_parse_env(const struct ynode *map, const char *prefix,
		     struct spec_test *t, struct error *e)
{
	char what[WHAT_MAX];
	size_t i;

	if (ynode_expect(map, YNODE_MAP, prefix, e) < 0)
		return -1;
	t->env = xcalloc(map->n + 1, sizeof(*t->env));
	for (i = 0; i < map->n; i++) {
		const struct ynode *k = map->items[2 * i];
		char *name, *value;

		spec_whatf(what, sizeof(what), "%s key", prefix);
		/* Environment names: letters, digits, '_', not a digit first. */
		if (spec_name_string(k, what, "_", 1,
				"letters, digits and '_'", &name, e) < 0)
			return -1;
		if (name[0] >= '0' && name[0] <= '9') {
			free(name);
			return error_at(e, k->file, k->line, k->col,
					"%s: invalid name '%s': it must not start with a digit",
					what, k->value);
		}
		spec_whatf(what, sizeof(what), "%s.%s", prefix, name);
		if (ynode_string(map->items[2 * i + 1], what, &value, e) < 0) {
			free(name);
			return -1;
		}
		t->env[t->nenv++] = xasprintf("%s=%s", name, value);
		free(name);
		free(value);
	}
	return 0;
}

int spec_parse_exit(const struct ynode *n, const char *what, int *out,
		      struct error *e)
{
	long long v;
	char got[96];

	if (n->type == YNODE_SCALAR && !strcmp(n->value, "any")) {
		*out = -1;
		return 0;
	}
	if (ynode_int(n, what, &v, e) < 0) {
		ynode_describe(n, got, sizeof(got));
		return error_at(e, n->file, n->line, n->col,
				"%s: expected an exit status 0..255 or 'any', got %s",
				what, got);
	}
	if (v < 0 || v > 255)
		return error_at(e, n->file, n->line, n->col,
				"%s: exit status must be in 0..255 (or 'any'), got %lld",
				what, v);
	*out = (int)v;
	return 0;
}

static const char *const run_keys[] = { "args", "stdin", "env", "exit", NULL };

/* type: run -- the program once, with args, stdin and env. */
int spec_parse_run_keys(struct spec_ctx *c, const struct ynode *map,
			  const char *prefix, struct spec_test *t,
			  struct error *e)
{
	const struct ynode *n;
	char what[WHAT_MAX];

#define WHAT(key) (spec_whatf(what, sizeof(what), "%s.%s", prefix, key), what)
	t->exit_status = 0;
	if ((n = ymap_get(map, "args"))) {
		if (ynode_expect(n, YNODE_SEQ, WHAT("args"), e) < 0 ||
		    ynode_string_list(n, what, &t->args, &t->nargs, e) < 0)
			return -1;
	} else {
		t->args = xcalloc(1, sizeof(*t->args));
	}
	if ((n = ymap_get(map, "stdin")) &&
	    spec_parse_text(c, n, TEXT_FOR_STDIN, WHAT("stdin"), &t->in, e) < 0)
		return -1;
	if ((n = ymap_get(map, "env"))) {
		if (spec_parse_env(n, WHAT("env"), t, e) < 0)
			return -1;
	} else {
		t->env = xcalloc(1, sizeof(*t->env));
	}
	if ((n = ymap_get(map, "exit")) &&
	    spec_parse_exit(n, WHAT("exit"), &t->exit_status, e) < 0)
		return -1;
#undef WHAT
	return 0;
}

/* One row per kind of step; a kind other than `run` lives in
 * spec_<kind>.c (see spec_parse.h). */
static const struct spec_step_type step_types[] = {
	{ "run", STEP_RUN, run_keys, spec_parse_run_keys, NULL },
	{ "server", STEP_SERVER, spec_server_keys, spec_server_parse, spec_server_release },
	{ "unit", STEP_UNIT, spec_unit_keys, spec_unit_parse, spec_unit_release },
	{ "pty", STEP_PTY, spec_pty_keys, spec_parse_pty, spec_pty_release },
};

/* perturb: true | {rate: R, seed: S, sleep_us: U} */
static int parse_perturb(const struct ynode *n, const char *what,
			 struct spec_test *t, struct error *e)
{
	static const char *const keys[] = { "rate", "seed", "sleep_us", NULL };
	const struct ynode *k;
	char sub[WHAT_MAX];
	long long v;

	t->perturb_rate = 0.05;
	t->perturb_seed = 1;
	t->perturb_sleep_us = 100;
	if (n->type == YNODE_SCALAR)
		return ynode_bool(n, what, &t->perturb, e);
	if (ynode_expect(n, YNODE_MAP, what, e) < 0 ||
	    ymap_check_keys(n, keys, what, e) < 0)
		return -1;
	t->perturb = 1;
	if ((k = ymap_get(n, "rate"))) {
		spec_whatf(sub, sizeof(sub), "%s.rate", what);
		if (ynode_double(k, sub, &t->perturb_rate, e) < 0)
			return -1;
		if (!(t->perturb_rate > 0 && t->perturb_rate <= 1))
			return error_at(e, k->file, k->line, k->col,
					"%s: must be in (0, 1], got %g", sub,
					t->perturb_rate);
	}
	if ((k = ymap_get(n, "seed"))) {
		spec_whatf(sub, sizeof(sub), "%s.seed", what);
		if (spec_int_in_range(k, sub, 0, 4294967295LL, &v, e) < 0)
			return -1;
		t->perturb_seed = (unsigned long long)v;
	}
	if ((k = ymap_get(n, "sleep_us"))) {
		spec_whatf(sub, sizeof(sub), "%s.sleep_us", what);
		if (spec_int_in_range(k, sub, 1, 1000000, &v, e) < 0)
			return -1;
		t->perturb_sleep_us = (int)v;
	}
	return 0;
}

/* leftover_files: allow | forbid */
static int parse_leftover_files(const struct ynode *n, const char *what,
				int *forbid, struct error *e)
{
	static const char *const names[] = { "allow", "forbid" };

	return spec_enum_value(n, what, "leftover_files value", names, 2,
			       forbid, e);
}

static const char *const test_keys[] = {
	"name",   "points", "visibility", "description", "hint",   "type",
	"stdout", "stderr", "repeat",     "variants",    "limits",
	"leftover_files", "perturb", "bonus", "processes", NULL
};

static const struct spec_step_type *step_type_of(const struct ynode *map,
					    const char *prefix,
					    struct error *e)
{
	const struct ynode *n = ymap_get(map, "type");
	char what[WHAT_MAX], *v, names[128];
	const char *list[COUNT(step_types)];
	size_t i;

	if (!n)
		return &step_types[0];
	spec_whatf(what, sizeof(what), "%s.type", prefix);
	if (ynode_string(n, what, &v, e) < 0)
		return NULL;
	for (i = 0; i < COUNT(step_types); i++) {
		list[i] = step_types[i].name;
		if (!strcmp(v, step_types[i].name)) {
			free(v);
			return &step_types[i];
		}
	}
	spec_join_names(list, COUNT(step_types), names, sizeof(names));
	error_at(e, n->file, n->line, n->col,
		 "%s: unknown test type '%s' (expected: %s)", what, v, names);
	free(v);
	return NULL;
}

static int parse_test(struct spec_ctx *c, const struct ynode *map, size_t index,
		      struct spec_test *t, struct error *e)
{
	const char *allowed[COUNT(test_keys) + 16];
	const struct spec_step_type *st;
	const struct ynode *n, *out, *err;
	char prefix[WHAT_MAX], what[WHAT_MAX];
	struct spec_limits own;
	size_t i, na = 0, next = 0;
	long long v;
	int vis;

	snprintf(prefix, sizeof(prefix), "tests[%zu]", index);
	t->line = map->line;
	t->col = map->col;
	t->repeat = 1;
	t->variants = c->s->variants;
	t->exit_status = 0;
	if (ynode_expect(map, YNODE_MAP, prefix, e) < 0)
		return -1;
	if (!(st = step_type_of(map, prefix, e)))
		return -1;
	t->kind = st->kind;
	for (i = 0; test_keys[i]; i++)
		allowed[na++] = test_keys[i];
	for (i = 0; st->keys[i] && na < COUNT(allowed) - 1; i++)
		allowed[na++] = st->keys[i];
	allowed[na] = NULL;
	if (ymap_check_keys(map, allowed, prefix, e) < 0)
		return -1;

#define WHAT(key) (spec_whatf(what, sizeof(what), "%s.%s", prefix, key), what)
	if (spec_need(map, "name", prefix, &n, e) < 0 ||
	    spec_name_string(n, WHAT("name"), "_.-", 1, "A-Z, a-z, 0-9, '_', '.' and '-'",
			&t->name, e) < 0)
		return -1;
	for (i = 0; i < index; i++)
		if (!strcmp(c->s->tests[i].name, t->name))
			return error_at(e, n->file, n->line, n->col,
					"%s: duplicate test name '%s' (first used by the test at line %d)",
					what, t->name, c->s->tests[i].line);
	if (spec_need(map, "points", prefix, &n, e) < 0 ||
	    ynode_double(n, WHAT("points"), &t->points, e) < 0)
		return -1;
	if (t->points < 0)
		return error_at(e, n->file, n->line, n->col,
				"%s: points must be >= 0, got %g", what,
				t->points);
	if ((n = ymap_get(map, "visibility"))) {
		if (spec_enum_value(n, WHAT("visibility"), "visibility",
			       visibility_names, COUNT(visibility_names), &vis,
			       e) < 0)
			return -1;
		t->visibility = (enum visibility)vis;
	}
	if ((n = ymap_get(map, "description")) &&
	    ynode_string(n, WHAT("description"), &t->description, e) < 0)
		return -1;
	if ((n = ymap_get(map, "hint")) &&
	    ynode_string(n, WHAT("hint"), &t->hint, e) < 0)
		return -1;
	if ((n = ymap_get(map, "repeat"))) {
		if (spec_int_in_range(n, WHAT("repeat"), 1, MAX_REPEAT, &v, e) < 0)
			return -1;
		t->repeat = (int)v;
	}
	if ((n = ymap_get(map, "variants")) &&
	    parse_variants(n, WHAT("variants"), &t->variants, e) < 0)
		return -1;
	if ((n = ymap_get(map, "bonus")) &&
	    ynode_bool(n, WHAT("bonus"), &t->bonus, e) < 0)
		return -1;
	if ((n = ymap_get(map, "perturb"))) {
		if (parse_perturb(n, WHAT("perturb"), t, e) < 0)
			return -1;
		/* drd's own pthread_create handshake breaks under the
		 * preloaded wrappers (an assertion inside drd) */
		if (t->perturb && (t->variants & VARIANT_BIT(VARIANT_DRD)))
			return error_at(e, n->file, n->line, n->col,
					"%s: perturb is not supported under drd; use helgrind",
					what);
	}
	t->forbid_leftover_files = c->forbid_leftover_files;
	if ((n = ymap_get(map, "leftover_files")) &&
	    parse_leftover_files(n, WHAT("leftover_files"),
				 &t->forbid_leftover_files, e) < 0)
		return -1;
	limits_unset(&own);
	if ((n = ymap_get(map, "limits")) &&
	    parse_limits(n, WHAT("limits"), &own, e) < 0)
		return -1;
	limits_resolve(&t->limits, &own, &c->defaults);
	if (st->parse(c, map, prefix, t, e) < 0 ||
	    spec_parse_processes(map, prefix, t, e) < 0)
		return -1;

	out = ymap_get(map, "stdout");
	err = ymap_get(map, "stderr");
	t->nchecks = (out && out->type == YNODE_SEQ ? out->n : 0) +
		     (err && err->type == YNODE_SEQ ? err->n : 0);
	t->checks = xcalloc(t->nchecks + 1, sizeof(*t->checks));
	if (out && spec_parse_checks(c, out, WHAT("stdout"), STREAM_STDOUT, t, &next,
				e) < 0)
		return -1;
	if (err && spec_parse_checks(c, err, WHAT("stderr"), STREAM_STDERR, t, &next,
				e) < 0)
		return -1;
#undef WHAT
	return 0;
}

/* ---- the top level ---- */

static const char *const build_keys[] = { "sources",  "program", "cflags",
					  "ldflags",  "warnings", "timeout",
					  NULL };

static int parse_build(const struct ynode *map, struct spec_build *b,
		       struct error *e)
{
	const struct ynode *n;
	char what[WHAT_MAX];
	size_t i;
	int w;

	b->timeout_s = DEF_BUILD_TIMEOUT_S;
	b->warnings = WARNINGS_LIST;
	if (ymap_check_keys(map, build_keys, "build", e) < 0)
		return -1;
	if (spec_need(map, "sources", "build", &n, e) < 0)
		return -1;
	if (n->type == YNODE_SCALAR && !ynode_is_null(n)) {
		b->sources = xcalloc(2, sizeof(*b->sources));
		if (source_name(n, "build.sources", &b->sources[0], e) < 0)
			return -1;
		b->nsources = 1;
	} else {
		if (ynode_expect(n, YNODE_SEQ, "build.sources", e) < 0)
			return -1;
		if (!n->n)
			return error_at(e, n->file, n->line, n->col,
					"build.sources: needs at least one file");
		b->sources = xcalloc(n->n + 1, sizeof(*b->sources));
		for (i = 0; i < n->n; i++) {
			spec_whatf(what, sizeof(what), "build.sources[%zu]", i);
			if (source_name(n->items[i], what, &b->sources[i], e) < 0)
				return -1;
			b->nsources++;
		}
	}
	if ((n = ymap_get(map, "program"))) {
		if (spec_name_string(n, "build.program", "_.-", 1,
				"A-Z, a-z, 0-9, '_', '.' and '-'", &b->program,
				e) < 0)
			return -1;
	} else {
		const char *src = b->sources[0];
		size_t len = strlen(src);

		if (strcmp(src + len - 2, ".c")) {
			n = ymap_get(map, "sources");
			return error_at(e, n->file, n->line, n->col,
					"build: the first source '%s' does not end in .c; give build.program",
					b->sources[0]);
		}
		b->program = xstrndup(src, len - 2);
	}
	if ((n = ymap_get(map, "cflags"))) {
		if (ynode_string_list(n, "build.cflags", &b->cflags,
				      &b->ncflags, e) < 0)
			return -1;
	} else {
		b->cflags = xcalloc(1, sizeof(*b->cflags));
	}
	if ((n = ymap_get(map, "ldflags"))) {
		if (ynode_string_list(n, "build.ldflags", &b->ldflags,
				      &b->nldflags, e) < 0)
			return -1;
	} else {
		b->ldflags = xcalloc(1, sizeof(*b->ldflags));
	}
	if ((n = ymap_get(map, "warnings"))) {
		if (spec_enum_value(n, "build.warnings", "warnings policy",
			       warnings_names, COUNT(warnings_names), &w, e) < 0)
			return -1;
		b->warnings = (enum warnings_policy)w;
	}
	if ((n = ymap_get(map, "timeout")) &&
	    spec_positive_duration(n, "build.timeout", &b->timeout_s, e) < 0)
		return -1;
	return 0;
}

static const char *const top_keys[] = { "name",   "title",    "version",
					"build",  "limits",   "variants",
					"tests",  "findings", "leftover_files",
					NULL };

/* findings: {KIND: fail | ignore | {penalty: P, cap: C}} */
static int parse_finding_rules(struct spec *s, const struct ynode *map,
			       struct error *e)
{
	static const char *const rule_keys[] = { "penalty", "cap", NULL };
	size_t i;

	if (ynode_expect(map, YNODE_MAP, "findings", e) < 0)
		return -1;
	s->finding_rules = xcalloc(map->n + 1, sizeof(*s->finding_rules));
	for (i = 0; i < map->n; i++) {
		const struct ynode *k = map->items[2 * i], *v = map->items[2 * i + 1];
		struct spec_finding_rule *r = &s->finding_rules[s->nfinding_rules];
		const struct ynode *p;

		r->kind = xstrdup(k->value);
		r->line = k->line;
		r->col = k->col;
		r->cap = -1;
		s->nfinding_rules++;
		if (v->type == YNODE_SCALAR && !strcmp(v->value, "fail")) {
			r->mode = FINDING_FAIL;
			continue;
		}
		if (v->type == YNODE_SCALAR && !strcmp(v->value, "ignore")) {
			r->mode = FINDING_IGNORE;
			continue;
		}
		if (v->type != YNODE_MAP)
			return error_at(e, v->file, v->line, v->col,
					"findings.%s: expected fail, ignore or {penalty: P, cap: C}",
					r->kind);
		if (ymap_check_keys(v, rule_keys, "findings rule", e) < 0)
			return -1;
		r->mode = FINDING_PENALTY;
		if (!(p = ymap_get(v, "penalty")))
			return error_at(e, v->file, v->line, v->col,
					"findings.%s: missing key 'penalty'", r->kind);
		if (ynode_double(p, "penalty", &r->penalty, e) < 0)
			return -1;
		if (r->penalty < 0)
			return error_at(e, p->file, p->line, p->col,
					"findings.%s.penalty: must be >= 0", r->kind);
		if ((p = ymap_get(v, "cap"))) {
			if (ynode_double(p, "cap", &r->cap, e) < 0)
				return -1;
			if (r->cap < 0)
				return error_at(e, p->file, p->line, p->col,
						"findings.%s.cap: must be >= 0", r->kind);
		}
	}
	return 0;
}

const struct spec_finding_rule *spec_finding_rule(const struct spec *s,
						  const char *tool,
						  const char *kind)
{
	static const struct spec_finding_rule fail = { NULL, FINDING_FAIL, 0, -1, 0, 0 };
	static const struct spec_finding_rule ignore = { NULL, FINDING_IGNORE, 0, -1, 0, 0 };
	size_t i;

	for (i = 0; s && kind && i < s->nfinding_rules; i++)
		if (!strcmp(s->finding_rules[i].kind, kind))
			return &s->finding_rules[i];
	/* a hang's kind (tool "stacks") comes with a timeout that already
	 * failed the row: by default it explains, it does not cost more */
	return tool && (!strcmp(tool, "hygiene") || !strcmp(tool, "stacks")) ?
		       &ignore : &fail;
}

static int parse_spec(struct spec_ctx *c, const struct ynode *root,
		      struct error *e)
{
	struct spec *s = c->s;
	const struct ynode *n;
	size_t i;

	if (ynode_expect(root, YNODE_MAP, "spec", e) < 0 ||
	    ymap_check_keys(root, top_keys, "spec", e) < 0)
		return -1;
	if (spec_need(root, "name", "spec", &n, e) < 0 ||
	    spec_name_string(n, "name", "_-", 0, "a-z, 0-9, '_' and '-'", &s->name,
			e) < 0)
		return -1;
	if (spec_need(root, "title", "spec", &n, e) < 0 ||
	    ynode_string(n, "title", &s->title, e) < 0)
		return -1;
	if ((n = ymap_get(root, "version"))) {
		/* `version: 1.0` is a plain scalar: keep it as written. */
		if (ynode_string(n, "version", &s->version, e) < 0)
			return -1;
	} else {
		s->version = xstrdup("1");
	}
	if (spec_need(root, "build", "spec", &n, e) < 0 ||
	    ynode_expect(n, YNODE_MAP, "build", e) < 0 ||
	    parse_build(n, &s->build, e) < 0)
		return -1;
	limits_unset(&c->defaults);
	if ((n = ymap_get(root, "limits")) &&
	    parse_limits(n, "limits", &c->defaults, e) < 0)
		return -1;
	s->variants = VARIANT_BIT(VARIANT_PLAIN);
	if ((n = ymap_get(root, "variants")) &&
	    parse_variants(n, "variants", &s->variants, e) < 0)
		return -1;
	if ((n = ymap_get(root, "findings")) &&
	    parse_finding_rules(s, n, e) < 0)
		return -1;
	if ((n = ymap_get(root, "leftover_files")) &&
	    parse_leftover_files(n, "leftover_files", &c->forbid_leftover_files,
				 e) < 0)
		return -1;
	if (spec_need(root, "tests", "spec", &n, e) < 0 ||
	    ynode_expect(n, YNODE_SEQ, "tests", e) < 0)
		return -1;
	if (!n->n)
		return error_at(e, n->file, n->line, n->col,
				"tests: needs at least one test");
	s->tests = xcalloc(n->n, sizeof(*s->tests));
	for (i = 0; i < n->n; i++) {
		/* Counted before parsing so that spec_free() sees it. */
		s->ntests = i + 1;
		if (parse_test(c, n->items[i], i, &s->tests[i], e) < 0)
			return -1;
		if (!s->tests[i].bonus)
			s->max_points += s->tests[i].points;
	}
	{
		struct spec_limits none;

		limits_unset(&none);
		limits_resolve(&s->limits, &c->defaults, &none);
	}
	return 0;
}

int spec_parse(const char *text, size_t len, const char *path, const char *dir,
	       struct spec **out, struct error *e)
{
	struct ynode *root;
	struct spec_ctx c;
	struct spec *s;
	char *real;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	real = path_real(dir);
	if (!real)
		return error_at(e, path, 0, 0,
				"cannot resolve the exercise directory %s: %s",
				dir, strerror(errno));
	if (yaml_tree_parse(text, len, path, &root, e) < 0) {
		free(real);
		return -1;
	}
	s = xcalloc(1, sizeof(*s));
	s->dir = real;
	if (!(s->path = path_real(path))) {
		char *base = path_basename(path);

		s->path = path_join(real, base);
		free(base);
	}
	c.s = s;
	if (parse_spec(&c, root, e) < 0) {
		ynode_free(root);
		spec_free(s);
		return -1;
	}
	ynode_free(root);
	*out = s;
	return 0;
}

int spec_load(const char *exercise_dir, struct spec **out, struct error *e)
{
	char *path = path_join(exercise_dir, "spec.yaml");
	struct buf b;
	int rc;

	*out = NULL;
	buf_init(&b, MAX_SPEC_FILE + 1);
	/* The path goes in the message, not in e->file: there is no line to
	 * point at, and some callers print only e->msg. */
	if (buf_read_file(&b, path) < 0) {
		rc = error_set(e, "cannot read the spec %s: %s", path,
			       strerror(errno));
		goto out;
	}
	if (b.len > MAX_SPEC_FILE) {
		rc = error_set(e, "%s is larger than 1 MiB: not a spec", path);
		goto out;
	}
	rc = spec_parse(b.data, b.len, path, exercise_dir, out, e);
out:
	buf_release(&b);
	free(path);
	return rc;
}

void spec_free(struct spec *s)
{
	size_t i, j;

	if (!s)
		return;
	for (i = 0; i < s->ntests; i++) {
		struct spec_test *t = &s->tests[i];

		free(t->name);
		free(t->description);
		free(t->hint);
		strv_free(t->args);
		strv_free(t->env);
		text_release(&t->in);
		for (j = 0; t->checks && j < t->nchecks; j++) {
			struct spec_check *k = &t->checks[j];

			text_release(&k->expected);
			free(k->pattern);
			free(k->message);
			spec_trace_free(k->trace);
			if (k->re) {
				regfree(k->re);
				free(k->re);
			}
		}
		free(t->checks);
		for (j = 0; j < COUNT(step_types); j++)
			if (step_types[j].kind == t->kind && step_types[j].release)
				step_types[j].release(t);
		spec_processes_free(t->processes);
	}
	free(s->tests);
	for (i = 0; i < s->nfinding_rules; i++)
		free(s->finding_rules[i].kind);
	free(s->finding_rules);
	strv_free(s->build.sources);
	free(s->build.program);
	strv_free(s->build.cflags);
	strv_free(s->build.ldflags);
	free(s->name);
	free(s->title);
	free(s->version);
	free(s->path);
	free(s->dir);
	free(s);
}

const struct spec_test *spec_find_test(const struct spec *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ntests; i++)
		if (!strcmp(s->tests[i].name, name))
			return &s->tests[i];
	return NULL;
}

/* ---- materialising texts ---- */

/* splitmix64 (Steele, Lea and Flood, 2014): tiny, fast, and good enough to
 * make test input look random. Its exact output is part of the format (see
 * docs/spec.md): never change it, or every generated input changes. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Lines of printable ASCII (0x20..0x7e). Per line: one draw picks the
 * length (min + high 32 bits scaled to the range); then each draw gives 8
 * characters, 4 from each 32-bit half by repeated multiplication by 95 (the
 * integer part is the character, the fraction feeds the next one). Leftover
 * characters of a draw are discarded at the end of a line. */
static void generate(const struct spec_generate *g, char **data, size_t *len)
{
	uint64_t state = g->seed, range = (uint64_t)(g->max_len - g->min_len) + 1;
	size_t cap, o = 0;
	long long nlines = 0;
	char *p;

	if (g->lines)
		cap = (size_t)g->lines * ((size_t)g->max_len + 1);
	else
		cap = (size_t)g->size + (size_t)g->max_len + 1;
	p = xmalloc(cap + 1);
	for (;;) {
		size_t l, i = 0;

		if (g->lines ? nlines >= g->lines : (long long)o >= g->size)
			break;
		l = (size_t)g->min_len +
		    (size_t)(((splitmix64(&state) >> 32) * range) >> 32);
		while (i < l) {
			uint64_t r = splitmix64(&state);
			uint32_t half[2] = { (uint32_t)r, (uint32_t)(r >> 32) };
			int h, k;

			for (h = 0; h < 2; h++) {
				for (k = 0; k < 4 && i < l; k++, i++) {
					uint64_t m = (uint64_t)half[h] * 95;

					p[o++] = (char)(0x20 + (m >> 32));
					half[h] = (uint32_t)m;
				}
			}
		}
		p[o++] = '\n';
		nlines++;
	}
	if (!g->final_newline && o > 0)
		o--;
	p[o] = '\0';
	*data = p;
	*len = o;
}

int spec_text_materialize(const struct spec_text *t, char **data, size_t *len,
			  struct error *e)
{
	struct buf b;

	*data = NULL;
	*len = 0;
	switch (t->kind) {
	case TEXT_NONE:
		*data = xcalloc(1, 1);
		return 0;
	case TEXT_INLINE:
		*data = xmalloc(t->len + 1);
		memcpy(*data, t->text, t->len);
		(*data)[t->len] = '\0';
		*len = t->len;
		return 0;
	case TEXT_FILE:
		buf_init(&b, 0);
		if (buf_read_file(&b, t->path) < 0) {
			int err = errno;

			buf_release(&b);
			return error_set(e, "cannot read %s: %s", t->path,
					 strerror(err));
		}
		if (b.truncated) {
			buf_release(&b);
			return error_set(e, "%s is larger than %zu MiB",
					 t->path, BUF_DEFAULT_LIMIT >> 20);
		}
		*data = buf_detach(&b, len);
		buf_release(&b); /* frees whatever buf_detach() left in b */
		return 0;
	case TEXT_GENERATE:
		generate(&t->gen, data, len);
		return 0;
	case TEXT_REFERENCE:
		break;
	}
	return error_set(e,
			 "the reference solution's output is resolved by the grader, not by the spec");
}
