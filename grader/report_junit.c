/*
 * report_junit.c - junit.xml, for CI systems (Jenkins, GitLab, GitHub
 * actions that read JUnit) that show a test run.
 *
 * One <testsuite> per exercise, one <testcase> per (test, variant) row with
 * classname "<exercise>.<variant>". A failed row carries a <failure> whose
 * type is the verdict's name and whose text says why (message, limit,
 * diff, the tools' findings, hint); a row that could not run (compile
 * error, a grader-side problem) carries an <error> instead, as JUnit
 * distinguishes a failing test from a broken one. The layout follows the
 * Jenkins JUnit schema (tests/data/report/junit.xsd), which the tests
 * validate against.
 *
 * XML 1.0 cannot carry most control characters at all, not even escaped,
 * and must be well-formed UTF-8: every string goes through report_clean()
 * with REPORT_CLEAN_CONTROLS before it is escaped.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Escapes s for XML text, or for an attribute value in double quotes
 * (where a newline would be normalised to a space by the parser unless
 * written as a character reference). */
static void xml_add(struct buf *b, const char *s, int attr)
{
	char *c, *p;

	if (!s)
		return;
	c = report_clean(s, REPORT_CLEAN_CONTROLS);
	for (p = c; *p; p++) {
		switch (*p) {
		case '&':
			buf_adds(b, "&amp;");
			break;
		case '<':
			buf_adds(b, "&lt;");
			break;
		case '>':
			buf_adds(b, "&gt;");
			break;
		case '"':
			buf_adds(b, attr ? "&quot;" : "\"");
			break;
		case '\'':
			buf_adds(b, attr ? "&apos;" : "'");
			break;
		case '\n':
			buf_adds(b, attr ? "&#10;" : "\n");
			break;
		case '\t':
			buf_adds(b, attr ? "&#9;" : "\t");
			break;
		default:
			buf_addch(b, *p);
		}
	}
	free(c);
}

static void attr(struct buf *b, const char *name, const char *value)
{
	buf_addf(b, " %s=\"", name);
	xml_add(b, value ? value : "", 1);
	buf_addch(b, '"');
}

static void attr_time(struct buf *b, double s, int flags)
{
	char t[64];

	snprintf(t, sizeof(t), "%.3f", flags & REPORT_MASK_TIMES ? 0.0 : s);
	attr(b, "time", t);
}

/* Adds "label" + text as its own paragraph of a plain-text block. */
static void text_part(struct buf *t, const char *label, const char *text)
{
	size_t len;

	if (!text)
		return;
	if (t->len)
		buf_addch(t, '\n');
	if (label)
		buf_adds(t, label);
	buf_adds(t, text);
	len = strlen(text);
	if (!len || text[len - 1] != '\n')
		buf_addch(t, '\n');
}

static void findings_text(struct buf *t, const struct grade_result *r,
			  const struct test_outcome *row)
{
	size_t i, n = 0;

	for (i = 0; i < r->nfindings; i++) {
		const struct finding *f = &r->findings[i];

		if (!report_finding_in_test(f, row))
			continue;
		if (!n++)
			buf_adds(t, t->len ? "\nFound in this test:\n" : "Found in this test:\n");
		buf_addf(t, "- %s: %s", f->tool ? f->tool : "tool",
			 f->kind ? f->kind : "problem");
		if (f->file) {
			buf_addf(t, " at %s", f->file);
			if (f->line > 0)
				buf_addf(t, ":%d", f->line);
		}
		if (f->function)
			buf_addf(t, " in %s", f->function);
		if (f->message)
			buf_addf(t, ": %s", f->message);
		buf_addch(t, '\n');
		if (f->source_line)
			buf_addf(t, "    %s\n", f->source_line);
	}
}

/* The text of a <failure>: why, in plain text. Hidden tests: the message,
 * the limit and the hint, which is all grade.c keeps for them. */
static char *failure_text(const struct grade_result *r, const struct test_outcome *t)
{
	int visible = report_test_is_visible(t);
	struct buf b;
	char *out;

	buf_init(&b, 0);
	text_part(&b, NULL, t->message ? t->message : verdict_title(t->verdict));
	text_part(&b, "Limit hit: ", t->limit);
	if (visible) {
		text_part(&b, "To run it yourself: ", t->command);
		if (t->diff) {
			char *head = t->diff_line
				? xasprintf("Expected vs actual, first difference at line %zu:\n",
					    t->diff_line)
				: xstrdup("Expected vs actual:\n");

			text_part(&b, head, t->diff);
			free(head);
		} else {
			text_part(&b, "Expected (excerpt):\n", t->expected);
			text_part(&b, "Your program's output (excerpt):\n", t->actual);
		}
		findings_text(&b, r, t);
	}
	text_part(&b, "Hint: ", t->hint);
	out = buf_detach(&b, NULL);
	buf_release(&b);
	return out;
}

static void testcase(struct buf *b, const struct grade_result *r,
		     const struct test_outcome *t, int flags)
{
	int visible = report_test_is_visible(t);
	char *classname = xasprintf("%s.%s", r->exercise ? r->exercise : "exercise",
				    variant_name(t->variant));
	struct buf out;

	buf_adds(b, "    <testcase");
	attr(b, "classname", classname);
	attr(b, "name", t->name);
	attr_time(b, t->wall_s, flags);
	free(classname);

	buf_init(&out, 0);
	if (visible && t->description)
		text_part(&out, NULL, t->description);
	if (visible && t->details)
		text_part(&out, NULL, t->details);
	if (t->verdict == VERDICT_PASSED && visible)
		findings_text(&out, r, t);

	if (t->verdict == VERDICT_PASSED && !out.len && !(visible && t->stderr_excerpt)) {
		buf_adds(b, "/>\n");
		buf_release(&out);
		return;
	}
	buf_adds(b, ">\n");
	if (t->verdict == VERDICT_COMPILE_ERROR || t->verdict == VERDICT_ERROR) {
		const struct build_result *br = report_build_of(r, t);
		const char *text = t->message ? t->message : verdict_title(t->verdict);

		if (t->verdict == VERDICT_COMPILE_ERROR && br && br->output && br->output[0])
			text = br->output;
		buf_adds(b, "      <error");
		attr(b, "message", t->message ? t->message : verdict_title(t->verdict));
		attr(b, "type", verdict_name(t->verdict));
		buf_adds(b, ">");
		xml_add(b, text, 0);
		buf_adds(b, "</error>\n");
	} else if (t->verdict != VERDICT_PASSED) {
		char *text = failure_text(r, t);

		buf_adds(b, "      <failure");
		attr(b, "message", t->message ? t->message : verdict_title(t->verdict));
		attr(b, "type", verdict_name(t->verdict));
		buf_adds(b, ">");
		xml_add(b, text, 0);
		buf_adds(b, "</failure>\n");
		free(text);
	}
	if (out.len) {
		buf_adds(b, "      <system-out>");
		xml_add(b, out.data, 0);
		buf_adds(b, "</system-out>\n");
	}
	if (visible && t->stderr_excerpt) {
		buf_adds(b, "      <system-err>");
		xml_add(b, t->stderr_excerpt, 0);
		buf_adds(b, "</system-err>\n");
	}
	buf_adds(b, "    </testcase>\n");
	buf_release(&out);
}

/* The suite's <system-out>: score and build, as a CI log would show. */
static char *suite_text(const struct grade_result *r)
{
	const struct build_result *mb = report_main_build(r, NULL);
	char a[32], m[32];
	struct buf b;
	size_t i;
	char *out;
	int v;

	buf_init(&b, 0);
	buf_addf(&b, "Score: %s / %s\n", report_score(r->score, a, sizeof(a)),
		 report_score(r->max_score, m, sizeof(m)));
	if (!mb) {
		buf_adds(&b, "Build: nothing was built\n");
	} else {
		buf_addf(&b, "Build: %s, %zu warning%s\n",
			 report_build_failed(r) ? "compile error" : "ok",
			 mb->nwarnings, mb->nwarnings == 1 ? "" : "s");
		if (mb->command)
			buf_addf(&b, "Command: %s\n", mb->command);
		for (i = 0; i < mb->nwarnings; i++)
			buf_addf(&b, "%s\n", mb->warnings[i]);
		for (v = 0; v < VARIANT__COUNT; v++) {
			const struct build_result *o = &r->builds[v];
			int w, seen = 0;

			if (o->ok != 0 || !o->output || !o->output[0])
				continue;
			/* the same messages for every variant: once is enough */
			for (w = 0; w < v; w++)
				seen |= r->builds[w].ok == 0 && r->builds[w].output &&
					!strcmp(r->builds[w].output, o->output);
			if (seen)
				buf_addf(&b, "The %s build failed the same way.\n",
					 variant_name((enum variant)v));
			else
				buf_addf(&b, "The %s build failed:\n%s%s",
					 variant_name((enum variant)v), o->output,
					 o->output[strlen(o->output) - 1] == '\n' ? "" : "\n");
		}
	}
	if (r->isolation)
		buf_addf(&b, "Isolation: %s\n", r->isolation);
	out = buf_detach(&b, NULL);
	buf_release(&b);
	return out;
}

char *report_junit(const struct grade_result *r, int flags)
{
	size_t i, failures = 0, errors = 0;
	char counts[128], a[32];
	const char *exercise = r->exercise ? r->exercise : "exercise";
	struct buf b;
	char *text, *out;

	for (i = 0; i < r->ntests; i++) {
		enum verdict v = r->tests[i].verdict;

		if (v == VERDICT_COMPILE_ERROR || v == VERDICT_ERROR)
			errors++;
		else if (v != VERDICT_PASSED)
			failures++;
	}
	buf_init(&b, 0);
	buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_adds(&b, "<testsuites");
	attr(&b, "name", exercise);
	snprintf(counts, sizeof(counts), " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\"",
		 r->ntests, failures, errors);
	buf_adds(&b, counts);
	attr_time(&b, r->execution_time, flags);
	buf_adds(&b, ">\n  <testsuite");
	attr(&b, "name", exercise);
	buf_adds(&b, counts);
	buf_adds(&b, " skipped=\"0\"");
	attr_time(&b, r->execution_time, flags);
	buf_adds(&b, ">\n    <properties>\n");
	buf_adds(&b, "      <property name=\"submission\"");
	attr(&b, "value", r->submission);
	buf_adds(&b, "/>\n      <property name=\"score\"");
	attr(&b, "value", report_score(r->score, a, sizeof(a)));
	buf_adds(&b, "/>\n      <property name=\"max_score\"");
	attr(&b, "value", report_score(r->max_score, a, sizeof(a)));
	buf_adds(&b, "/>\n      <property name=\"grader_version\"");
	attr(&b, "value", r->grader_version);
	buf_adds(&b, "/>\n      <property name=\"started_at\"");
	attr(&b, "value", flags & REPORT_MASK_TIMES ? "1970-01-01T00:00:00Z" : r->started_at);
	buf_adds(&b, "/>\n    </properties>\n");
	for (i = 0; i < r->ntests; i++)
		testcase(&b, r, &r->tests[i], flags);
	text = suite_text(r);
	buf_adds(&b, "    <system-out>");
	xml_add(&b, text, 0);
	buf_adds(&b, "</system-out>\n  </testsuite>\n</testsuites>\n");
	free(text);
	out = buf_detach(&b, NULL);
	buf_release(&b);
	return out;
}
