/*
 * spec_trace.c - the checks over event traces, from spec.yaml to a
 * struct spec_trace in which every expression is already a number.
 *
 * The names an expression may use are the test's arguments ($1, $2, ...,
 * which must be integers) and the check's own `vars`, bound in the order
 * they are written (a var may use the arguments and the vars before it).
 * Evaluating at load time means a spec that cannot be computed -- an
 * argument that is not a number, P*N overflowing -- is refused with its
 * location before any student program runs, and match.c never sees an
 * expression.
 */
#define _GNU_SOURCE
#include "spec_trace.h"
#include "expr.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The names expressions of one check may use. */
struct bindings {
	const struct spec_test *t;
	char **names;
	long long *values;
	size_t n;
};

static void bindings_release(struct bindings *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->names[i]);
	free(b->names);
	free(b->values);
}

/* An argument as an integer: the whole string, decimal, optional sign. */
static int arg_integer(const char *s, long long *out)
{
	char *end;

	if (!*s)
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static int lookup(const char *name, size_t len, long long *out, char *msg,
		  size_t msgsz, void *arg)
{
	const struct bindings *b = arg;
	size_t i;
	long k;

	if (name[0] == '$') {
		k = strtol(name + 1, NULL, 10);
		if (k < 1 || (size_t)k > b->t->nargs) {
			snprintf(msg, msgsz,
				 "%.*s: the test has %zu argument%s", (int)len,
				 name, b->t->nargs, b->t->nargs == 1 ? "" : "s");
			return -1;
		}
		if (arg_integer(b->t->args[k - 1], out) < 0) {
			snprintf(msg, msgsz,
				 "%.*s is the argument '%.40s', not an integer",
				 (int)len, name, b->t->args[k - 1]);
			return -1;
		}
		return 0;
	}
	for (i = 0; i < b->n; i++)
		if (strlen(b->names[i]) == len && !memcmp(b->names[i], name, len)) {
			*out = b->values[i];
			return 0;
		}
	return -1;
}

/* Evaluates the expression text[0..] written at node n (an error points at
 * the offending column: +1 for the opening quote of a quoted scalar). */
static int eval_at(const struct bindings *b, const struct ynode *n,
		   const char *text, const char *what, long long *out,
		   struct error *e)
{
	struct expr_error xe;

	if (expr_eval(text, lookup, (void *)b, out, &xe) == 0)
		return 0;
	return error_at(e, n->file, n->line,
			n->col + (int)xe.pos + !n->plain,
			"%s: %s (in '%s')", what, xe.msg, text);
}

static int eval_node(const struct bindings *b, const struct ynode *n,
		     const char *what, long long *out, struct error *e)
{
	if (n->type != YNODE_SCALAR || ynode_is_null(n) ||
	    memchr(n->value, '\0', n->len)) {
		char got[96];

		ynode_describe(n, got, sizeof(got));
		return error_at(e, n->file, n->line, n->col,
				"%s: expected an integer expression (\"P*N\", \"$1 + 1\"), got %s",
				what, got);
	}
	return eval_at(b, n, n->value, what, out, e);
}

static int is_var_name(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	      s[0] == '_'))
		return 0;
	for (i = 1; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return i <= 32;
}

/* `vars: {P: $1, N: $2, T: P*N}`. */
static int parse_vars(const struct ynode *map, const char *what,
		      const struct spec_test *t, struct bindings *b,
		      struct error *e)
{
	char sub[WHAT_MAX];
	size_t i;

	memset(b, 0, sizeof(*b));
	b->t = t;
	if (!map)
		return 0;
	spec_whatf(sub, sizeof(sub), "%s.vars", what);
	if (ynode_expect(map, YNODE_MAP, sub, e) < 0)
		return -1;
	b->names = xcalloc(map->n + 1, sizeof(*b->names));
	b->values = xcalloc(map->n + 1, sizeof(*b->values));
	for (i = 0; i < map->n; i++) {
		const struct ynode *k = map->items[2 * i], *v = map->items[2 * i + 1];

		if (!is_var_name(k->value))
			return error_at(e, k->file, k->line, k->col,
					"%s: invalid name '%s': letters, digits and '_', not a digit first, at most 32",
					sub, k->value);
		spec_whatf(sub, sizeof(sub), "%s.vars.%s", what, k->value);
		if (eval_node(b, v, sub, &b->values[i], e) < 0)
			return -1;
		/* names are visible from the next var on */
		b->names[b->n++] = xstrdup(k->value);
		spec_whatf(sub, sizeof(sub), "%s.vars", what);
	}
	return 0;
}

static int parse_pattern(const struct ynode *n, const char *what, size_t min_groups,
			 struct spec_pattern *p, struct error *e)
{
	char msg[256];
	int rc;

	if (ynode_string(n, what, &p->src, e) < 0)
		return -1;
	rc = regcomp(&p->re, p->src, REG_EXTENDED | REG_NEWLINE);
	if (rc) {
		regerror(rc, &p->re, msg, sizeof(msg));
		free(p->src);
		p->src = NULL;
		return error_at(e, n->file, n->line, n->col,
				"%s: invalid regular expression: %s", what, msg);
	}
	if (p->re.re_nsub < min_groups) {
		regfree(&p->re);
		free(p->src);
		p->src = NULL;
		return error_at(e, n->file, n->line, n->col,
				"%s: the regular expression needs %zu capture group%s '( )', it has %zu",
				what, min_groups, min_groups == 1 ? "" : "s",
				(size_t)p->re.re_nsub);
	}
	return 0;
}

/* Checks the keys of the kind's mapping; its fields come back in *tr. */
static int begin(const struct ynode *val, const char *what,
		 const char *const *keys, struct spec_check *k,
		 struct error *e)
{
	if (ynode_expect(val, YNODE_MAP, what, e) < 0 ||
	    ymap_check_keys(val, keys, what, e) < 0)
		return -1;
	k->trace = xcalloc(1, sizeof(*k->trace));
	return 0;
}

static int need(const struct ynode *map, const char *key, const char *what,
		const struct ynode **out, struct error *e)
{
	return spec_need(map, key, what, out, e);
}

static int get_bool(const struct ynode *map, const char *key, const char *what,
		    int *out, struct error *e)
{
	const struct ynode *n = ymap_get(map, key);
	char sub[WHAT_MAX];

	if (!n)
		return 0;
	spec_whatf(sub, sizeof(sub), "%s.%s", what, key);
	return ynode_bool(n, sub, out, e);
}

/* ---- exactly_once ---- */

/* A range "A..B" (expressions, both included) or a list of words. */
static int parse_tvar(const struct bindings *b, const struct ynode *key,
		      const struct ynode *val, const char *what,
		      struct spec_tvar *tv, struct error *e)
{
	char sub[WHAT_MAX], *dots, *copy;
	int rc;

	spec_whatf(sub, sizeof(sub), "%s.for.%s", what, key->value);
	if (!is_var_name(key->value))
		return error_at(e, key->file, key->line, key->col,
				"%s: invalid name '%s': letters, digits and '_', not a digit first",
				sub, key->value);
	tv->name = xstrdup(key->value);
	if (val->type == YNODE_SEQ) {
		if (val->n == 0)
			return error_at(e, val->file, val->line, val->col,
					"%s: an empty list makes no items; give at least one word",
					sub);
		if (ynode_string_list(val, sub, &tv->words, &tv->nwords, e) < 0)
			return -1;
		return 0;
	}
	if (val->type != YNODE_SCALAR || ynode_is_null(val) ||
	    !(dots = strstr(val->value, "..")))
		return error_at(e, val->file, val->line, val->col,
				"%s: expected a range \"FIRST..LAST\" (\"0..N-1\") or a list of words",
				sub);
	copy = xstrndup(val->value, (size_t)(dots - val->value));
	rc = eval_at(b, val, copy, sub, &tv->lo, e);
	free(copy);
	if (rc < 0)
		return -1;
	/* the column of the second expression is past the dots */
	{
		struct ynode shifted = *val;

		shifted.col += (int)(dots + 2 - val->value);
		if (eval_at(b, &shifted, dots + 2, sub, &tv->hi, e) < 0)
			return -1;
	}
	return 0;
}

static long long tvar_count(const struct spec_tvar *tv)
{
	if (tv->words)
		return (long long)tv->nwords;
	if (tv->hi < tv->lo)
		return 0;
	/* hi - lo + 1 may overflow for absurd ranges: the caller caps it */
	if (tv->lo < 0 && tv->hi > tv->lo + SPEC_TRACE_MAX_ITEMS)
		return SPEC_TRACE_MAX_ITEMS + 1;
	if (tv->hi - tv->lo >= SPEC_TRACE_MAX_ITEMS)
		return SPEC_TRACE_MAX_ITEMS + 1;
	return tv->hi - tv->lo + 1;
}

/* The template: `{name}` is a variable of `for`, `{{` and `}}` are braces;
 * every variable is used (otherwise the same item would repeat). */
static int check_template(const struct ynode *n, const char *what,
			  const struct spec_trace *tr, struct error *e)
{
	const char *s = tr->item, *close;
	unsigned char used[64] = { 0 };
	size_t i, len;

	for (; *s; s++) {
		if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}')) {
			s++;
			continue;
		}
		if (*s == '}')
			return error_at(e, n->file, n->line, n->col,
					"%s: a '}' without '{' (write '}}' for a brace)",
					what);
		if (*s != '{')
			continue;
		close = strchr(s, '}');
		if (!close)
			return error_at(e, n->file, n->line, n->col,
					"%s: a '{' without '}' (write '{{' for a brace)",
					what);
		len = (size_t)(close - s - 1);
		for (i = 0; i < tr->ntvars; i++)
			if (strlen(tr->tvars[i].name) == len &&
			    !memcmp(tr->tvars[i].name, s + 1, len))
				break;
		if (i == tr->ntvars)
			return error_at(e, n->file, n->line, n->col,
					"%s: '{%.*s}' is not a variable of `for`",
					what, (int)len, s + 1);
		used[i] = 1;
		s = close;
	}
	for (i = 0; i < tr->ntvars; i++)
		if (!used[i])
			return error_at(e, n->file, n->line, n->col,
					"%s: the variable '%s' of `for` is not used: every item would repeat",
					what, tr->tvars[i].name);
	return 0;
}

int spec_parse_exactly_once(struct spec_ctx *c, const struct ynode *val,
			    const char *what, const struct spec_test *t,
			    struct spec_check *k, struct error *e)
{
	static const char *const keys[] = { "item", "for", "match", "vars", NULL };
	const struct ynode *item, *fr, *n;
	struct spec_trace *tr;
	struct bindings b;
	char sub[WHAT_MAX];
	long long cnt;
	size_t i;
	int rc = -1;

	(void)c;
	if (begin(val, what, keys, k, e) < 0)
		return -1;
	tr = k->trace;
	if (parse_vars(ymap_get(val, "vars"), what, t, &b, e) < 0)
		goto out;
	if (need(val, "item", what, &item, e) < 0 ||
	    ynode_string(item, spec_whatf(sub, sizeof(sub), "%s.item", what),
			 &tr->item, e) < 0)
		goto out;
	tr->nitems = 1;
	if ((fr = ymap_get(val, "for"))) {
		spec_whatf(sub, sizeof(sub), "%s.for", what);
		if (ynode_expect(fr, YNODE_MAP, sub, e) < 0)
			goto out;
		if (fr->n > 64) {
			error_at(e, fr->file, fr->line, fr->col,
				 "%s: at most 64 variables", sub);
			goto out;
		}
		tr->tvars = xcalloc(fr->n + 1, sizeof(*tr->tvars));
		for (i = 0; i < fr->n; i++) {
			if (parse_tvar(&b, fr->items[2 * i], fr->items[2 * i + 1],
				       what, &tr->tvars[tr->ntvars++], e) < 0)
				goto out;
			cnt = tvar_count(&tr->tvars[i]);
			if (cnt > 0 && tr->nitems > SPEC_TRACE_MAX_ITEMS / cnt) {
				error_at(e, fr->file, fr->line, fr->col,
					 "%s: more than %lld items", sub,
					 SPEC_TRACE_MAX_ITEMS);
				goto out;
			}
			tr->nitems *= cnt;
		}
	}
	spec_whatf(sub, sizeof(sub), "%s.item", what);
	if (check_template(item, sub, tr, e) < 0)
		goto out;
	if ((n = ymap_get(val, "match"))) {
		tr->pats = xcalloc(1, sizeof(*tr->pats));
		spec_whatf(sub, sizeof(sub), "%s.match", what);
		if (parse_pattern(n, sub, 0, &tr->pats[0], e) < 0)
			goto out;
		tr->npats = 1;
	}
	rc = 0;
out:
	bindings_release(&b);
	return rc;
}

/* ---- inside ---- */

int spec_parse_inside(struct spec_ctx *c, const struct ynode *val,
		      const char *what, const struct spec_test *t,
		      struct spec_check *k, struct error *e)
{
	static const char *const keys[] = { "enter", "leave", "max", "reach",
					    "vars", NULL };
	const struct ynode *en, *le, *mx;
	struct spec_trace *tr;
	struct bindings b;
	char sub[WHAT_MAX];
	int rc = -1;

	(void)c;
	if (begin(val, what, keys, k, e) < 0)
		return -1;
	tr = k->trace;
	if (parse_vars(ymap_get(val, "vars"), what, t, &b, e) < 0)
		goto out;
	if (need(val, "enter", what, &en, e) < 0 ||
	    need(val, "leave", what, &le, e) < 0 ||
	    need(val, "max", what, &mx, e) < 0)
		goto out;
	tr->pats = xcalloc(2, sizeof(*tr->pats));
	if (parse_pattern(en, spec_whatf(sub, sizeof(sub), "%s.enter", what), 0,
			  &tr->pats[0], e) < 0)
		goto out;
	tr->npats = 1;
	if (parse_pattern(le, spec_whatf(sub, sizeof(sub), "%s.leave", what), 0,
			  &tr->pats[1], e) < 0)
		goto out;
	tr->npats = 2;
	if (eval_node(&b, mx, spec_whatf(sub, sizeof(sub), "%s.max", what),
		      &tr->max, e) < 0)
		goto out;
	if (tr->max < 0) {
		error_at(e, mx->file, mx->line, mx->col,
			 "%s: must be >= 0, got %lld", sub, tr->max);
		goto out;
	}
	if (get_bool(val, "reach", what, &tr->reach, e) < 0)
		goto out;
	rc = 0;
out:
	bindings_release(&b);
	return rc;
}

/* ---- order_per_key ---- */

int spec_parse_order_per_key(struct spec_ctx *c, const struct ynode *val,
			     const char *what, const struct spec_test *t,
			     struct spec_check *k, struct error *e)
{
	static const char *const keys[] = { "events", "cycle", "complete", NULL };
	const struct ynode *ev;
	struct spec_trace *tr;
	char sub[WHAT_MAX];
	size_t i;

	(void)c;
	(void)t;
	if (begin(val, what, keys, k, e) < 0)
		return -1;
	tr = k->trace;
	tr->complete = 1;
	if (need(val, "events", what, &ev, e) < 0 ||
	    ynode_expect(ev, YNODE_SEQ,
			 spec_whatf(sub, sizeof(sub), "%s.events", what), e) < 0)
		return -1;
	if (ev->n < 2)
		return error_at(e, ev->file, ev->line, ev->col,
				"%s: at least two events, in the order they must come",
				sub);
	tr->pats = xcalloc(ev->n, sizeof(*tr->pats));
	for (i = 0; i < ev->n; i++) {
		spec_whatf(sub, sizeof(sub), "%s.events[%zu]", what, i);
		if (parse_pattern(ev->items[i], sub, 1, &tr->pats[i], e) < 0)
			return -1;
		tr->npats++;
	}
	if (get_bool(val, "cycle", what, &tr->cycle, e) < 0 ||
	    get_bool(val, "complete", what, &tr->complete, e) < 0)
		return -1;
	return 0;
}

/* ---- computed ---- */

int spec_parse_computed(struct spec_ctx *c, const struct ynode *val,
			const char *what, const struct spec_test *t,
			struct spec_check *k, struct error *e)
{
	static const char *const keys[] = { "match", "value", "values", "vars",
					    NULL };
	const struct ynode *m, *one, *many;
	struct spec_trace *tr;
	struct bindings b;
	char sub[WHAT_MAX];
	size_t i, n;
	int rc = -1;

	(void)c;
	if (begin(val, what, keys, k, e) < 0)
		return -1;
	tr = k->trace;
	if (parse_vars(ymap_get(val, "vars"), what, t, &b, e) < 0)
		goto out;
	if (need(val, "match", what, &m, e) < 0)
		goto out;
	tr->pats = xcalloc(1, sizeof(*tr->pats));
	if (parse_pattern(m, spec_whatf(sub, sizeof(sub), "%s.match", what), 1,
			  &tr->pats[0], e) < 0)
		goto out;
	tr->npats = 1;
	if (tr->pats[0].re.re_nsub > 9) {
		error_at(e, m->file, m->line, m->col,
			 "%s: at most 9 capture groups, this one has %zu", sub,
			 (size_t)tr->pats[0].re.re_nsub);
		goto out;
	}
	one = ymap_get(val, "value");
	many = ymap_get(val, "values");
	if (!one == !many) {
		error_at(e, val->file, val->line, val->col,
			 "%s: give one of 'value' (one number) and 'values' (a list, one per capture group)",
			 what);
		goto out;
	}
	if (many && ynode_expect(many, YNODE_SEQ,
				 spec_whatf(sub, sizeof(sub), "%s.values", what),
				 e) < 0)
		goto out;
	n = one ? 1 : many->n;
	if (n != tr->pats[0].re.re_nsub) {
		const struct ynode *at = one ? one : many;

		error_at(e, at->file, at->line, at->col,
			 "%s: %zu value%s for %zu capture group%s of match; give one value per group",
			 what, n, n == 1 ? "" : "s",
			 (size_t)tr->pats[0].re.re_nsub,
			 tr->pats[0].re.re_nsub == 1 ? "" : "s");
		goto out;
	}
	tr->values = xcalloc(n, sizeof(*tr->values));
	tr->exprs = xcalloc(n + 1, sizeof(*tr->exprs));
	for (i = 0; i < n; i++) {
		const struct ynode *x = one ? one : many->items[i];

		if (one)
			spec_whatf(sub, sizeof(sub), "%s.value", what);
		else
			spec_whatf(sub, sizeof(sub), "%s.values[%zu]", what, i);
		if (eval_node(&b, x, sub, &tr->values[i], e) < 0)
			goto out;
		tr->exprs[i] = xstrdup(x->value);
		tr->nvalues++;
	}
	rc = 0;
out:
	bindings_release(&b);
	return rc;
}

void spec_trace_free(struct spec_trace *tr)
{
	size_t i;

	if (!tr)
		return;
	for (i = 0; i < tr->npats; i++) {
		regfree(&tr->pats[i].re);
		free(tr->pats[i].src);
	}
	free(tr->pats);
	free(tr->item);
	for (i = 0; i < tr->ntvars; i++) {
		free(tr->tvars[i].name);
		strv_free(tr->tvars[i].words);
	}
	free(tr->tvars);
	free(tr->values);
	strv_free(tr->exprs);
	free(tr);
}
