/*
 * spec_unit.c - parses the keys of a `type: unit` test. See spec_unit.h and
 * docs/spec.md ("Unit tests").
 */
#define _GNU_SOURCE
#include "spec_unit.h"

#include <stdlib.h>
#include <string.h>

#include "spec_parse.h"
#include "util.h"

#define MAX_UNIT_TESTS 1000

const char *const spec_unit_keys[] = {
	"suite",  "suite_function", "case",    "tests",
	"sources", "headers",       "cflags",  "program",
	"max_cpu", "symbols",       "suppressions", "env",
	NULL
};

/* A file of the exercise directory: relative, no `..`, and it exists. */
static int exercise_file(struct spec_ctx *c, const struct ynode *n,
			 const char *what, char **abs, char **rel,
			 struct error *e)
{
	char *r, *p;

	if (spec_relative_path(n, what, &r, e) < 0)
		return -1;
	p = path_join(c->s->dir, r);
	if (!is_file(p)) {
		error_at(e, n->file, n->line, n->col,
			 "%s: no file '%s' in the exercise directory %s", what,
			 r, c->s->dir);
		free(p);
		free(r);
		return -1;
	}
	*abs = p;
	if (rel)
		*rel = r;
	else
		free(r);
	return 0;
}

/* A list of exercise files (a single scalar is a list of one). */
static int exercise_files(struct spec_ctx *c, const struct ynode *n,
			  const char *what, char ***out, size_t *count,
			  struct error *e)
{
	char sub[WHAT_MAX];
	size_t i, len = n->type == YNODE_SEQ ? n->n : 1;

	if (n->type != YNODE_SEQ && n->type != YNODE_SCALAR)
		return ynode_expect(n, YNODE_SEQ, what, e);
	*out = xcalloc(len + 1, sizeof(char *));
	for (i = 0; i < len; i++) {
		const struct ynode *item = n->type == YNODE_SEQ ? n->items[i] : n;

		spec_whatf(sub, sizeof(sub), "%s[%zu]", what, i);
		if (exercise_file(c, item, sub, &(*out)[i], NULL, e) < 0)
			return -1;
		(*count)++;
	}
	return 0;
}

/* A C identifier (the suite function). */
static int c_identifier(const struct ynode *n, const char *what, char **out,
			struct error *e)
{
	size_t i;

	if (ynode_string(n, what, out, e) < 0)
		return -1;
	for (i = 0; (*out)[i]; i++) {
		char ch = (*out)[i];

		if (!(ch == '_' || (ch >= 'a' && ch <= 'z') ||
		      (ch >= 'A' && ch <= 'Z') || (i && ch >= '0' && ch <= '9')))
			break;
	}
	if (i && !(*out)[i])
		return 0;
	error_at(e, n->file, n->line, n->col,
		 "%s: '%s' is not a C function name", what, *out);
	free(*out);
	*out = NULL;
	return -1;
}

/* A list of file names of the submission's top directory, ending in .c. */
static int source_list(const struct ynode *n, const char *what, char ***out,
		       size_t *count, struct error *e)
{
	size_t i, j;

	if (ynode_string_list(n, what, out, count, e) < 0)
		return -1;
	for (i = 0; i < *count; i++) {
		const char *s = (*out)[i];
		size_t len = strlen(s);
		const struct ynode *at = n->type == YNODE_SEQ ? n->items[i] : n;

		for (j = 0; j < len; j++)
			if (!strchr("abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-+",
				    s[j]))
				break;
		if (j < len || len < 3 || s[0] == '.' ||
		    strcmp(s + len - 2, ".c"))
			return error_at(e, at->file, at->line, at->col,
					"%s[%zu]: '%s' is not a .c file name of the submission's top directory",
					what, i, s);
	}
	return 0;
}

/* Glob patterns of symbol names: [A-Za-z0-9_.$] plus the glob characters. */
static int pattern_list(const struct ynode *n, const char *what, char ***out,
			size_t *count, struct error *e)
{
	size_t i, j;

	if (ynode_string_list(n, what, out, count, e) < 0)
		return -1;
	for (i = 0; i < *count; i++) {
		const char *s = (*out)[i];
		const struct ynode *at = n->type == YNODE_SEQ ? n->items[i] : n;

		for (j = 0; s[j]; j++)
			if (!strchr("abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.$*?[]!",
				    s[j]))
				break;
		if (!j || s[j])
			return error_at(e, at->file, at->line, at->col,
					"%s[%zu]: '%s' is not a symbol name or glob pattern (letters, digits, '_', '.', '$', '*', '?', '[...]')",
					what, i, s);
	}
	return 0;
}

/* make_<stem>_suite for tests/check_<stem>.c (or <stem>.c). */
static char *default_suite_function(const char *suite)
{
	const char *base = strrchr(suite, '/');
	size_t len;
	char *fn, *p;

	base = base ? base + 1 : suite;
	if (!strncmp(base, "check_", 6) && base[6] && base[6] != '.')
		base += 6;
	len = strlen(base);
	if (len > 2 && !strcmp(base + len - 2, ".c"))
		len -= 2;
	fn = xasprintf("make_%.*s_suite", (int)len, base);
	for (p = fn; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9')))
			*p = '_';
	return fn;
}

static int parse_symbols(const struct ynode *map, const char *what,
			 struct spec_unit *u, struct error *e)
{
	static const char *const keys[] = { "allow", "deny", NULL };
	const struct ynode *n;
	char sub[WHAT_MAX];

	if (ynode_expect(map, YNODE_MAP, what, e) < 0 ||
	    ymap_check_keys(map, keys, what, e) < 0)
		return -1;
	if ((n = ymap_get(map, "allow"))) {
		spec_whatf(sub, sizeof(sub), "%s.allow", what);
		if (pattern_list(n, sub, &u->allow, &u->nallow, e) < 0)
			return -1;
		u->allow_given = 1;
	}
	if ((n = ymap_get(map, "deny"))) {
		spec_whatf(sub, sizeof(sub), "%s.deny", what);
		if (pattern_list(n, sub, &u->deny, &u->ndeny, e) < 0)
			return -1;
	}
	return 0;
}

int spec_unit_parse(struct spec_ctx *c, const struct ynode *map,
		    const char *prefix, struct spec_test *t, struct error *e)
{
	struct spec_unit *u = xcalloc(1, sizeof(*u));
	const struct ynode *n;
	char what[WHAT_MAX];
	long long v;

	t->unit = u;
	u->ntests = 1;
	u->max_cpu_s = -1;
	/* the runner's exit status says nothing: the record does */
	t->exit_status = -1;
	t->args = xcalloc(1, sizeof(*t->args));
#define WHAT(key) (spec_whatf(what, sizeof(what), "%s.%s", prefix, key), what)
	if (spec_need(map, "suite", prefix, &n, e) < 0 ||
	    exercise_file(c, n, WHAT("suite"), &u->suite, &u->suite_rel, e) < 0)
		return -1;
	if (strlen(u->suite_rel) < 3 ||
	    strcmp(u->suite_rel + strlen(u->suite_rel) - 2, ".c"))
		return error_at(e, n->file, n->line, n->col,
				"%s: '%s' is not a C file: the suite is the .c file that defines the Suite function",
				what, u->suite_rel);
	if ((n = ymap_get(map, "suite_function"))) {
		if (c_identifier(n, WHAT("suite_function"), &u->suite_function,
				 e) < 0)
			return -1;
	} else {
		u->suite_function = default_suite_function(u->suite_rel);
	}
	if ((n = ymap_get(map, "case"))) {
		if (spec_name_string(n, WHAT("case"), "_.-", 1,
				     "A-Z, a-z, 0-9, '_', '.' and '-'",
				     &u->tcase, e) < 0)
			return -1;
	} else {
		u->tcase = xstrdup(t->name);
	}
	if ((n = ymap_get(map, "tests"))) {
		if (spec_int_in_range(n, WHAT("tests"), 1, MAX_UNIT_TESTS, &v,
				      e) < 0)
			return -1;
		u->ntests = (int)v;
	}
	if ((n = ymap_get(map, "sources"))) {
		if (source_list(n, WHAT("sources"), &u->sources, &u->nsources,
				e) < 0)
			return -1;
		u->sources_given = 1;
	} else {
		u->sources = xcalloc(1, sizeof(char *));
	}
	if ((n = ymap_get(map, "headers"))) {
		if (exercise_files(c, n, WHAT("headers"), &u->headers,
				   &u->nheaders, e) < 0)
			return -1;
	} else {
		u->headers = xcalloc(1, sizeof(char *));
	}
	if ((n = ymap_get(map, "cflags"))) {
		if (ynode_string_list(n, WHAT("cflags"), &u->cflags,
				      &u->ncflags, e) < 0)
			return -1;
	} else {
		u->cflags = xcalloc(1, sizeof(char *));
	}
	if ((n = ymap_get(map, "program")) &&
	    ynode_bool(n, WHAT("program"), &u->program, e) < 0)
		return -1;
	if ((n = ymap_get(map, "max_cpu")) &&
	    spec_positive_duration(n, WHAT("max_cpu"), &u->max_cpu_s, e) < 0)
		return -1;
	if ((n = ymap_get(map, "symbols")) &&
	    parse_symbols(n, WHAT("symbols"), u, e) < 0)
		return -1;
	if (!u->allow)
		u->allow = xcalloc(1, sizeof(char *));
	if (!u->deny)
		u->deny = xcalloc(1, sizeof(char *));
	if ((n = ymap_get(map, "suppressions"))) {
		if (exercise_files(c, n, WHAT("suppressions"), &u->suppressions,
				   &u->nsuppressions, e) < 0)
			return -1;
	} else {
		u->suppressions = xcalloc(1, sizeof(char *));
	}
	if ((n = ymap_get(map, "env"))) {
		if (spec_parse_env(n, WHAT("env"), t, e) < 0)
			return -1;
	} else {
		t->env = xcalloc(1, sizeof(*t->env));
	}
#undef WHAT
	return 0;
}

void spec_unit_release(struct spec_test *t)
{
	struct spec_unit *u = t->unit;

	if (!u)
		return;
	free(u->suite);
	free(u->suite_rel);
	free(u->suite_function);
	free(u->tcase);
	strv_free(u->sources);
	strv_free(u->headers);
	strv_free(u->cflags);
	strv_free(u->allow);
	strv_free(u->deny);
	strv_free(u->suppressions);
	free(u);
	t->unit = NULL;
}
