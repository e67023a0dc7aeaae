/*
 * report_json.c - results.json: Gradescope's autograder schema plus our own
 * keys, written with jansson.
 *
 * Gradescope reads score, max_score, execution_time, output (+ its
 * output_format), visibility, stdout_visibility and tests[] (name, score,
 * max_score, status, number, output, output_format, tags, visibility) and
 * ignores the rest, so our keys (exercise, build, findings, each row's
 * verdict and measurements, ...) travel in the same file for scripts.
 *
 * A malformed results.json fails the whole Gradescope run, and jansson
 * refuses strings that are not valid UTF-8: every string goes through
 * report_clean() first (jstr), so a student printing arbitrary bytes still
 * gets a file that parses.
 */
#include "report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Warnings beyond this many are counted in the summary, not quoted. */
#define JSON_MAX_WARNINGS 50

static json_t *checked(json_t *j)
{
	if (!j)
		die("out of memory building results.json");
	return j;
}

static json_t *jstr(const char *s)
{
	char *c;
	json_t *j;

	if (!s)
		return checked(json_null());
	c = report_clean(s, 0);
	j = checked(json_string(c));
	free(c);
	return j;
}

/* A Markdown text, cleaned of control characters as well (Gradescope
 * renders it; a \r in a diff then shows as a visible symbol). */
static json_t *jmd(const char *s)
{
	char *c = report_clean(s, REPORT_CLEAN_CONTROLS);
	json_t *j = checked(json_string(c));

	free(c);
	return j;
}

static void set(json_t *o, const char *key, json_t *v)
{
	if (json_object_set_new(o, key, v) < 0)
		die("out of memory building results.json");
}

static void push(json_t *a, json_t *v)
{
	if (json_array_append_new(a, v) < 0)
		die("out of memory building results.json");
}

static json_t *jtime(double s, int flags)
{
	return checked(json_real(flags & REPORT_MASK_TIMES ? 0.0 : s));
}

static json_t *build_json(const struct build_result *b, enum variant v, int flags)
{
	json_t *o = checked(json_object());
	json_t *w = checked(json_array());
	size_t i;

	set(o, "variant", jstr(variant_name(v)));
	set(o, "ok", checked(json_boolean(b->ok == 1)));
	set(o, "command", jstr(b->command));
	set(o, "output", jstr(b->output));
	for (i = 0; i < b->nwarnings; i++)
		push(w, jstr(b->warnings[i]));
	set(o, "warnings", w);
	set(o, "seconds", jtime(b->seconds, flags));
	return o;
}

/* The top-level `output`: what Gradescope shows above the tests. It is the
 * only place there for the compiler's messages. */
static char *summary_md(const struct grade_result *r)
{
	const struct build_result *mb = report_main_build(r, NULL);
	size_t i, passed = 0;
	struct buf b;
	char a[32], m[32];
	char *out;

	buf_init(&b, 0);
	buf_addf(&b, "**Score: %s / %s**\n\n", report_score(r->score, a, sizeof(a)),
		 report_score(r->max_score, m, sizeof(m)));
	if (!mb) {
		buf_adds(&b, "Build: nothing was built.\n");
	} else if (report_build_failed(r)) {
		const struct build_result *bad = mb;
		int v;

		for (v = 0; bad->ok && v < VARIANT__COUNT; v++)
			if (r->builds[v].ok == 0)
				bad = &r->builds[v];
		buf_adds(&b, "Build: **compile error**, so the tests could not run.");
		if (bad->output && bad->output[0]) {
			buf_adds(&b, " The compiler said:\n\n");
			report_md_block(&b, "text", bad->output);
		} else {
			buf_addch(&b, '\n');
		}
	} else {
		buf_addf(&b, "Build: ok, %zu warning%s", mb->nwarnings,
			 mb->nwarnings == 1 ? "" : "s");
		if (mb->nwarnings) {
			struct buf w;
			char *text;

			buf_init(&w, 0);
			for (i = 0; i < mb->nwarnings && i < JSON_MAX_WARNINGS; i++)
				buf_addf(&w, "%s\n", mb->warnings[i]);
			if (mb->nwarnings > JSON_MAX_WARNINGS)
				buf_addf(&w, "... and %zu more\n",
					 mb->nwarnings - JSON_MAX_WARNINGS);
			text = buf_detach(&w, NULL);
			buf_release(&w);
			buf_adds(&b, ":\n\n");
			report_md_block(&b, "text", text);
			free(text);
		} else {
			buf_adds(&b, ".\n");
		}
	}
	for (i = 0; i < r->ntests; i++)
		passed += r->tests[i].verdict == VERDICT_PASSED;
	buf_addf(&b, "\nTests: %zu passed, %zu failed.\n", passed, r->ntests - passed);
	if (r->nfindings)
		buf_addf(&b, "Findings: %zu (see the failing tests).\n", r->nfindings);
	if (r->public_only)
		buf_adds(&b, "Only the public tests were run.\n");
	out = buf_detach(&b, NULL);
	buf_release(&b);
	return out;
}

static json_t *test_json(const struct grade_result *r, const struct test_outcome *t,
			 size_t number, int flags)
{
	json_t *o = checked(json_object());
	json_t *tags = checked(json_array());
	char *label = report_test_label(t);
	struct buf md;
	char *text;

	buf_init(&md, 0);
	report_md_details(&md, r, t, 0);
	text = buf_detach(&md, NULL);
	buf_release(&md);

	/* Gradescope's keys */
	set(o, "name", jstr(label));
	set(o, "score", checked(json_real(t->score)));
	set(o, "max_score", checked(json_real(t->max_score)));
	set(o, "status", jstr(t->verdict == VERDICT_PASSED ? "passed" : "failed"));
	set(o, "output", jmd(text));
	set(o, "output_format", jstr("md"));
	set(o, "visibility", jstr(visibility_name(t->visibility)));
	set(o, "number", checked(json_integer((json_int_t)number)));
	push(tags, jstr(verdict_name(t->verdict)));
	set(o, "tags", tags);
	/* ours */
	set(o, "test", jstr(t->name));
	set(o, "variant", jstr(variant_name(t->variant)));
	set(o, "verdict", jstr(verdict_name(t->verdict)));
	set(o, "message", jstr(t->message));
	set(o, "limit", jstr(t->limit));
	set(o, "runs", checked(json_integer(t->runs)));
	set(o, "failures", checked(json_integer(t->failures)));
	set(o, "exit_code", t->exit_code >= 0 ? checked(json_integer(t->exit_code))
					      : checked(json_null()));
	set(o, "signal", t->term_signal ? checked(json_integer(t->term_signal))
					: checked(json_null()));
	set(o, "wall_time", jtime(t->wall_s, flags));
	set(o, "cpu_time", jtime(t->cpu_s, flags));
	set(o, "peak_memory", checked(json_integer(
			flags & REPORT_MASK_TIMES ? 0 : (json_int_t)t->peak_memory)));
	set(o, "leftover_processes", checked(json_integer(t->leftover)));
	free(text);
	free(label);
	return o;
}

static json_t *finding_json(const struct finding *f)
{
	json_t *o = checked(json_object());

	set(o, "tool", jstr(f->tool));
	set(o, "kind", jstr(f->kind));
	set(o, "test", jstr(f->test));
	set(o, "variant", jstr(variant_name(f->variant)));
	set(o, "file", jstr(f->file));
	set(o, "line", f->line > 0 ? checked(json_integer(f->line)) : checked(json_null()));
	set(o, "function", jstr(f->function));
	set(o, "stack", jstr(f->stack));
	set(o, "message", jstr(f->message));
	set(o, "source_line", jstr(f->source_line));
	set(o, "count", checked(json_integer(f->count)));
	set(o, "penalty", checked(json_real(f->penalty)));
	return o;
}

char *report_json(const struct grade_result *r, int flags)
{
	json_t *root = checked(json_object());
	json_t *tests = checked(json_array());
	json_t *findings = checked(json_array());
	json_t *builds = checked(json_object());
	enum variant mv = VARIANT_PLAIN;
	const struct build_result *mb = report_main_build(r, &mv);
	char *summary = summary_md(r);
	char *dumped, *out;
	size_t i;
	int v;

	set(root, "score", checked(json_real(r->score)));
	set(root, "max_score", checked(json_real(r->max_score)));
	set(root, "execution_time", jtime(r->execution_time, flags));
	set(root, "output", jmd(summary));
	set(root, "output_format", jstr("md"));
	set(root, "visibility", jstr("visible"));
	set(root, "stdout_visibility", jstr("hidden"));
	for (i = 0; i < r->ntests; i++)
		push(tests, test_json(r, &r->tests[i], i + 1, flags));
	set(root, "tests", tests);

	set(root, "exercise", jstr(r->exercise));
	set(root, "title", jstr(r->title));
	set(root, "submission", jstr(r->submission));
	set(root, "grader_version", jstr(r->grader_version));
	set(root, "started_at", jstr(flags & REPORT_MASK_TIMES ? "1970-01-01T00:00:00Z"
							      : r->started_at));
	set(root, "isolation", jstr(r->isolation));
	set(root, "public_only", checked(json_boolean(r->public_only)));
	set(root, "build", mb ? build_json(mb, mv, flags) : checked(json_null()));
	for (v = 0; v < VARIANT__COUNT; v++)
		if (r->builds[v].ok != -1 && &r->builds[v] != mb)
			set(builds, variant_name((enum variant)v),
			    build_json(&r->builds[v], (enum variant)v, flags));
	set(root, "builds", builds);
	for (i = 0; i < r->nfindings; i++)
		push(findings, finding_json(&r->findings[i]));
	set(root, "findings", findings);

	/* at most 10 significant digits: 1/3 of a point prints as
	 * 0.3333333333, not 0.33333333333333331 */
	dumped = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	if (!dumped)
		die("out of memory writing results.json");
	out = xasprintf("%s\n", dumped);
	free(dumped);
	json_decref(root);
	free(summary);
	return out;
}
