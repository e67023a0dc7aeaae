/*
 * expect.c - fixture expectations. See expect.h.
 */
#include "expect.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "yamltree.h"

static const char *const top_keys[] = { "description", "build", "verdicts",
					"others", "score", "findings", "note",
					"observed", NULL };

static int parse_verdict(const struct ynode *n, const char *what,
			 enum verdict *v, struct error *e)
{
	char *name;
	int rc;

	if (ynode_string(n, what, &name, e) < 0)
		return -1;
	rc = verdict_parse(name, v);
	if (rc < 0)
		error_at(e, n->file, n->line, n->col,
			 "%s: unknown verdict '%s' (expected one of: passed, wrong_output, wrong_exit, crashed, timeout, output_limit, memory_limit, compile_error, finding, error)",
			 what, name);
	free(name);
	return rc;
}

/* `any`, one verdict, or a non-empty sequence of them. */
static int parse_verdict_set(const struct ynode *n, const char *what,
			     verdict_set *set, struct error *e)
{
	enum verdict v;
	size_t i;

	*set = 0;
	if (n->type == YNODE_SCALAR && !strcmp(n->value, "any")) {
		*set = VERDICT_SET_ANY;
		return 0;
	}
	if (n->type != YNODE_SEQ) {
		if (parse_verdict(n, what, &v, e) < 0)
			return -1;
		*set = 1u << v;
		return 0;
	}
	if (n->n == 0)
		return error_at(e, n->file, n->line, n->col,
				"%s: an empty list of verdicts (write `any`, or the verdicts the test may get)",
				what);
	for (i = 0; i < n->n; i++) {
		if (parse_verdict(n->items[i], what, &v, e) < 0)
			return -1;
		*set |= 1u << v;
	}
	return 0;
}

/* "timeout", "timeout or wrong_output", "any verdict" */
static void describe_set(struct buf *b, verdict_set set)
{
	int v, first = 1;

	if (set == VERDICT_SET_ANY) {
		buf_addf(b, "any verdict");
		return;
	}
	for (v = 0; v < VERDICT__COUNT; v++) {
		if (!(set & (1u << v)))
			continue;
		buf_addf(b, "%s%s", first ? "" : " or ",
			 verdict_name((enum verdict)v));
		first = 0;
	}
}

/* A verdicts key is "test" or "test [variant]". */
static int check_test_key(const struct spec *s, const struct ynode *k,
			  struct error *e)
{
	const char *br = strstr(k->value, " [");
	char *name = br ? xstrndup(k->value, (size_t)(br - k->value))
			: xstrdup(k->value);
	int rc = 0;

	if (!spec_find_test(s, name))
		rc = error_at(e, k->file, k->line, k->col,
			      "verdicts: no test named '%s' in %s", name, s->path);
	if (rc == 0 && br) {
		size_t len = strlen(br);
		char *vname = len > 3 ? xstrndup(br + 2, len - 3) : xstrdup("");
		enum variant v;

		if (br[len - 1] != ']' || variant_parse(vname, &v) < 0)
			rc = error_at(e, k->file, k->line, k->col,
				      "verdicts: '%s': expected \"test [variant]\" with a known variant",
				      k->value);
		free(vname);
	}
	free(name);
	return rc;
}

static int parse_findings(const struct ynode *n, struct fixture_expect *x,
			  struct error *e)
{
	static const char *const keys[] = { "kind", "file", "line", NULL };
	size_t i;

	if (ynode_expect(n, YNODE_SEQ, "findings", e) < 0)
		return -1;
	x->findings = xcalloc(n->n + 1, sizeof(*x->findings));
	for (i = 0; i < n->n; i++) {
		const struct ynode *m = n->items[i], *k;
		struct expect_finding *f = &x->findings[x->nfindings];
		long long line;

		if (ynode_expect(m, YNODE_MAP, "findings[]", e) < 0 ||
		    ymap_check_keys(m, keys, "findings[]", e) < 0)
			return -1;
		if (!(k = ymap_get(m, "kind")))
			return error_at(e, m->file, m->line, m->col,
					"findings[]: missing key 'kind'");
		if (ynode_string(k, "findings[].kind", &f->kind, e) < 0)
			return -1;
		x->nfindings++;
		if ((k = ymap_get(m, "file")) &&
		    ynode_string(k, "findings[].file", &f->file, e) < 0)
			return -1;
		if ((k = ymap_get(m, "line"))) {
			if (ynode_int(k, "findings[].line", &line, e) < 0)
				return -1;
			f->line = (int)line;
		}
	}
	return 0;
}

int expect_load(const char *path, const struct spec *s,
		struct fixture_expect **out, struct error *e)
{
	struct buf text;
	struct ynode *root = NULL, *n;
	struct fixture_expect *x;
	size_t i;

	*out = NULL;
	buf_init(&text, 1 << 20);
	if (buf_read_file(&text, path) < 0) {
		int saved = errno;

		buf_release(&text);
		return error_at(e, path, 0, 0, "cannot read: %s", strerror(saved));
	}
	if (yaml_tree_parse(text.data, text.len, path, &root, e) < 0) {
		buf_release(&text);
		return -1;
	}
	buf_release(&text);
	x = xcalloc(1, sizeof(*x));
	x->path = xstrdup(path);
	x->build_ok = 1;
	x->others = 1u << VERDICT_PASSED;
	if (ynode_expect(root, YNODE_MAP, "expect.yaml", e) < 0 ||
	    ymap_check_keys(root, top_keys, "expect.yaml", e) < 0)
		goto fail;
	if ((n = ymap_get(root, "description")) &&
	    ynode_string(n, "description", &x->description, e) < 0)
		goto fail;
	if ((n = ymap_get(root, "build"))) {
		char *b;

		if (ynode_string(n, "build", &b, e) < 0)
			goto fail;
		if (!strcmp(b, "ok"))
			x->build_ok = 1;
		else if (!strcmp(b, "compile_error"))
			x->build_ok = 0;
		else {
			error_at(e, n->file, n->line, n->col,
				 "build: expected ok or compile_error, got '%s'", b);
			free(b);
			goto fail;
		}
		free(b);
	}
	if ((n = ymap_get(root, "others"))) {
		if (parse_verdict_set(n, "others", &x->others, e) < 0)
			goto fail;
	}
	if ((n = ymap_get(root, "score"))) {
		static const char *const keys[] = { "min", "max", NULL };
		struct ynode *m;

		if (ynode_expect(n, YNODE_MAP, "score", e) < 0 ||
		    ymap_check_keys(n, keys, "score", e) < 0)
			goto fail;
		if ((m = ymap_get(n, "min"))) {
			if (ynode_double(m, "score.min", &x->score_min, e) < 0)
				goto fail;
			x->has_min = 1;
		}
		if ((m = ymap_get(n, "max"))) {
			if (ynode_double(m, "score.max", &x->score_max, e) < 0)
				goto fail;
			x->has_max = 1;
		}
	}
	if ((n = ymap_get(root, "verdicts"))) {
		if (ynode_expect(n, YNODE_MAP, "verdicts", e) < 0)
			goto fail;
		x->verdicts = xcalloc(n->n + 1, sizeof(*x->verdicts));
		for (i = 0; i < n->n; i++) {
			struct ynode *k = n->items[2 * i], *val = n->items[2 * i + 1];
			struct expect_verdict *ev = &x->verdicts[x->nverdicts];

			if (check_test_key(s, k, e) < 0)
				goto fail;
			if (parse_verdict_set(val, k->value, &ev->set, e) < 0)
				goto fail;
			ev->test = xstrdup(k->value);
			ev->line = k->line;
			ev->col = k->col;
			x->nverdicts++;
		}
	}
	if ((n = ymap_get(root, "findings")) && parse_findings(n, x, e) < 0)
		goto fail;
	ynode_free(root);
	*out = x;
	return 0;
fail:
	ynode_free(root);
	expect_free(x);
	return -1;
}

void expect_free(struct fixture_expect *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->nverdicts; i++)
		free(x->verdicts[i].test);
	free(x->verdicts);
	for (i = 0; i < x->nfindings; i++) {
		free(x->findings[i].kind);
		free(x->findings[i].file);
	}
	free(x->findings);
	free(x->description);
	free(x->path);
	free(x);
}

/* The verdict declared for test under variant v: "test [v]" first, then
 * "test". */
static const struct expect_verdict *find(const struct fixture_expect *x,
					 const char *test, enum variant v)
{
	char *key = xasprintf("%s [%s]", test, variant_name(v));
	const struct expect_verdict *plain = NULL, *exact = NULL;
	size_t i;

	for (i = 0; i < x->nverdicts; i++) {
		if (!strcmp(x->verdicts[i].test, key))
			exact = &x->verdicts[i];
		else if (!strcmp(x->verdicts[i].test, test))
			plain = &x->verdicts[i];
	}
	free(key);
	return exact ? exact : plain;
}

static int finding_matches(const struct expect_finding *want,
			   const struct finding *f)
{
	if (!f->kind || strcmp(f->kind, want->kind))
		return 0;
	if (want->file && (!f->file || strcmp(f->file, want->file)))
		return 0;
	return !want->line || f->line == want->line;
}

int expect_compare(const struct fixture_expect *x, const struct grade_result *r,
		   struct buf *diffs)
{
	int ndiff = 0;
	size_t i;
	int built = r->builds[VARIANT_PLAIN].ok;

	/* the build the fixture speaks of is the plain one, or the first
	 * variant built when plain was not */
	for (i = 0; built < 0 && i < VARIANT__COUNT; i++)
		built = r->builds[i].ok;
	if (x->build_ok && built == 0) {
		buf_addf(diffs, "build: expected ok, got compile_error\n");
		ndiff++;
	} else if (!x->build_ok && built != 0) {
		buf_addf(diffs, "build: expected compile_error, got ok\n");
		ndiff++;
	}
	for (i = 0; i < r->ntests; i++) {
		const struct test_outcome *t = &r->tests[i];
		const struct expect_verdict *ev = find(x, t->name, t->variant);
		verdict_set want;

		if (ev)
			want = ev->set;
		else if (!x->build_ok && x->others != VERDICT_SET_ANY)
			want = 1u << VERDICT_COMPILE_ERROR;
		else
			want = x->others;
		if (!(want & (1u << t->verdict))) {
			buf_addf(diffs, "%s [%s]: expected ", t->name,
				 variant_name(t->variant));
			describe_set(diffs, want);
			buf_addf(diffs, ", got %s%s%s\n", verdict_name(t->verdict),
				 t->message ? ": " : "",
				 t->message ? t->message : "");
			ndiff++;
		}
	}
	for (i = 0; i < x->nfindings; i++) {
		const struct expect_finding *want = &x->findings[i];
		size_t j;
		int found = 0;

		for (j = 0; j < r->nfindings && !found; j++)
			found = finding_matches(want, &r->findings[j]);
		if (!found) {
			buf_addf(diffs, "finding: expected %s", want->kind);
			if (want->file)
				buf_addf(diffs, " at %s:%d", want->file, want->line);
			buf_addf(diffs, ", not reported (reported:");
			for (j = 0; j < r->nfindings; j++)
				buf_addf(diffs, " %s@%s:%d", r->findings[j].kind,
					 r->findings[j].file ? r->findings[j].file : "?",
					 r->findings[j].line);
			buf_addf(diffs, "%s)\n", r->nfindings ? "" : " none");
			ndiff++;
		}
	}
	if (x->has_min && r->score < x->score_min - 1e-9) {
		buf_addf(diffs, "score: expected at least %g, got %g\n",
			 x->score_min, r->score);
		ndiff++;
	}
	if (x->has_max && r->score > x->score_max + 1e-9) {
		buf_addf(diffs, "score: expected at most %g, got %g\n",
			 x->score_max, r->score);
		ndiff++;
	}
	return ndiff;
}
