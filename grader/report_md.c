/*
 * report_md.c - report.md, the report a student reads, and the Markdown
 * pieces that results.json's per-test output shares with it.
 *
 * Layout: title, submission, score; the build (the compiler's messages when
 * it failed, the warnings otherwise); a table of every (test, variant) row;
 * one section per failed row saying why, how to rerun it, what differed,
 * the limit hit, stderr and the hint; the tools' findings.
 *
 * Markdown is easy to break by accident: a student's output that contains
 * ``` would close a code block early, a "|" would split a table cell, a
 * "<script>" would be HTML. Text from a program is escaped
 * (report_md_text), and code blocks use a fence longer than any backtick
 * run inside them. Descriptions and hints come from the instructor's spec
 * and are Markdown on purpose, so they are copied as they are.
 */
#include "report.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Warnings beyond this many are counted, not listed. */
#define MD_MAX_WARNINGS 50

static int is_word(int c)
{
	return isalnum(c) || c >= 0x80;
}

/* "&amp;", "&#60;": what a renderer would turn into another character */
static int looks_like_entity(const unsigned char *p)
{
	const unsigned char *q = p + 1;

	if (*q == '#')
		q++;
	while (isalnum(*q))
		q++;
	return *q == ';' && q > p + 1 && !(q == p + 2 && p[1] == '#');
}

void report_md_text(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int bol = 1;

	if (!s)
		return;
	for (; *p; p++) {
		int c = *p;
		int esc = 0;

		switch (c) {
		case '\\': case '`': case '*': case '[': case ']':
		case '<': case '>': case '|': case '~':
			esc = 1;
			break;
		case '_':
			/* intraword underscores never emphasise (file_name.c) */
			esc = !(p > (const unsigned char *)s && is_word(p[-1]) &&
				is_word(p[1]));
			break;
		case '&':
			esc = looks_like_entity(p);
			break;
		case '#': case '-': case '+': case '=':
			/* headings, list items, setext underlines */
			esc = bol;
			break;
		default:
			break;
		}
		if (esc)
			buf_addch(b, '\\');
		buf_addch(b, (char)c);
		bol = c == '\n' || (bol && (c == ' ' || c == '\t'));
	}
}

/* The longest run of backticks in s. */
static size_t backtick_run(const char *s)
{
	size_t best = 0, run = 0;

	for (; *s; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

static void add_fence(struct buf *b, size_t n)
{
	while (n--)
		buf_addch(b, '`');
}

void report_md_code(struct buf *b, const char *s)
{
	size_t n = backtick_run(s ? s : "") + 1, len;
	const char *p;
	int pad;

	if (!s)
		s = "";
	len = strlen(s);
	/* CommonMark strips one space on each side; a backtick at an edge
	 * would otherwise merge with the fence */
	pad = len == 0 || s[0] == '`' || s[len - 1] == '`';
	add_fence(b, n);
	if (pad)
		buf_addch(b, ' ');
	for (p = s; *p; p++)
		buf_addch(b, *p == '\n' || *p == '\r' ? ' ' : *p);
	if (pad)
		buf_addch(b, ' ');
	add_fence(b, n);
}

void report_md_block(struct buf *b, const char *info, const char *s)
{
	size_t n = backtick_run(s ? s : "") + 1;
	size_t len;

	if (n < 3)
		n = 3;
	if (!s)
		s = "";
	len = strlen(s);
	add_fence(b, n);
	buf_adds(b, info ? info : "");
	buf_addch(b, '\n');
	buf_adds(b, s);
	if (len && s[len - 1] != '\n')
		buf_addch(b, '\n');
	add_fence(b, n);
	buf_addch(b, '\n');
}

/* Starts a new paragraph: a blank line after whatever came since start. */
static void para(struct buf *b, size_t start)
{
	if (b->len > start)
		buf_addch(b, '\n');
}

static void finding_where(struct buf *b, const struct finding *f)
{
	char *loc;

	if (!f->file)
		return;
	loc = f->line > 0 ? xasprintf("%s:%d", f->file, f->line) : xstrdup(f->file);
	buf_adds(b, " at ");
	report_md_code(b, loc);
	free(loc);
	if (f->function) {
		buf_adds(b, " in ");
		report_md_code(b, f->function);
	}
}

void report_md_details(struct buf *b, const struct grade_result *r,
		       const struct test_outcome *t, int student)
{
	size_t start = b->len, i, nf = 0;
	int visible = report_test_is_visible(t);
	int failed = t->verdict != VERDICT_PASSED;

	if (!visible && student) {
		buf_adds(b, "(hidden test: details are not shown)\n");
		return;
	}
	if (visible && t->description && t->description[0]) {
		buf_adds(b, t->description);
		if (t->description[strlen(t->description) - 1] != '\n')
			buf_addch(b, '\n');
	}
	if (visible && t->details) {
		para(b, start);
		report_md_block(b, "text", t->details);
	}
	if (!failed)
		return;
	para(b, start);
	buf_addf(b, "**%s**", verdict_title(t->verdict));
	if (t->message) {
		buf_adds(b, ": ");
		report_md_text(b, t->message);
	}
	buf_addch(b, '\n');
	if (visible && t->command) {
		const struct build_result *br = report_build_of(r, t);

		para(b, start);
		/* a sanitizer's finding shows only in a build made for it */
		if (t->variant != VARIANT_PLAIN && br && br->ok == 1 && br->command) {
			buf_addf(b, "To run it yourself, compile it for the %s variant:\n\n",
				 variant_name(t->variant));
			report_md_block(b, "sh", br->command);
			buf_adds(b, "\nthen run:\n\n");
		} else {
			buf_adds(b, "To run it yourself:\n\n");
		}
		report_md_block(b, "sh", t->command);
	}
	if (visible && t->diff) {
		para(b, start);
		if (t->diff_line)
			buf_addf(b, "Expected vs actual, first difference at line %zu:\n\n",
				 t->diff_line);
		else
			buf_adds(b, "Expected vs actual:\n\n");
		report_md_block(b, "diff", t->diff);
	} else if (visible) {
		if (t->diff_line) {
			para(b, start);
			buf_addf(b, "First difference at line %zu.\n", t->diff_line);
		}
		if (t->expected) {
			para(b, start);
			buf_adds(b, "Expected (excerpt):\n\n");
			report_md_block(b, "text", t->expected);
		}
		if (t->actual) {
			para(b, start);
			buf_adds(b, "Your program's output (excerpt):\n\n");
			report_md_block(b, "text", t->actual);
		}
	}
	if (t->limit) {
		para(b, start);
		buf_adds(b, "Limit hit: ");
		report_md_text(b, t->limit);
		buf_addch(b, '\n');
	}
	if (visible && t->stderr_excerpt) {
		para(b, start);
		/* for a tool's verdict grade.c puts the tool's report there */
		buf_adds(b, t->verdict == VERDICT_FINDING
				    ? "The tool's report (excerpt):\n\n"
				    : "Standard error (excerpt):\n\n");
		report_md_block(b, "text", t->stderr_excerpt);
	}
	for (i = 0; visible && i < r->nfindings; i++) {
		const struct finding *f = &r->findings[i];

		if (!report_finding_in_test(f, t))
			continue;
		if (!nf++) {
			para(b, start);
			buf_adds(b, "Found in this test:\n\n");
		}
		buf_adds(b, "- ");
		report_md_text(b, f->tool);
		buf_adds(b, ": ");
		report_md_text(b, f->kind);
		finding_where(b, f);
		if (f->message) {
			buf_adds(b, ": ");
			report_md_text(b, f->message);
		}
		buf_addch(b, '\n');
	}
	if (t->hint) {
		para(b, start);
		buf_adds(b, "Hint: ");
		buf_adds(b, t->hint);
		if (!t->hint[0] || t->hint[strlen(t->hint) - 1] != '\n')
			buf_addch(b, '\n');
	}
}

/* "title (N warnings)" lines and the compiler's messages. */
static void md_build(struct buf *b, const struct grade_result *r)
{
	enum variant mv = VARIANT_PLAIN;
	const struct build_result *mb = report_main_build(r, &mv);
	size_t i;
	int v;

	buf_adds(b, "## Build\n\n");
	if (!mb) {
		buf_adds(b, "Nothing was built.\n\n");
		return;
	}
	if (!mb->ok) {
		buf_adds(b, "**The program did not compile**, so no test could run. ");
		if (mb->output && mb->output[0]) {
			buf_adds(b, "The compiler said:\n\n");
			report_md_block(b, "text", mb->output);
		} else {
			buf_adds(b, "The compiler printed no message.\n");
		}
	} else if (!mb->nwarnings) {
		buf_adds(b, "The program compiled without warnings.\n");
	} else {
		buf_addf(b, "The program compiled, with %zu warning%s:\n\n",
			 mb->nwarnings, mb->nwarnings == 1 ? "" : "s");
		for (i = 0; i < mb->nwarnings && i < MD_MAX_WARNINGS; i++) {
			buf_adds(b, "- ");
			report_md_code(b, mb->warnings[i]);
			buf_addch(b, '\n');
		}
		if (mb->nwarnings > MD_MAX_WARNINGS)
			buf_addf(b, "- ... and %zu more\n",
				 mb->nwarnings - MD_MAX_WARNINGS);
	}
	/* a sanitizer build can fail where the plain one compiled (a flag, a
	 * link error); the same messages again would only be noise */
	for (v = 0; v < VARIANT__COUNT; v++) {
		const struct build_result *o = &r->builds[v];

		if (o == mb || o->ok != 0)
			continue;
		if (!mb->ok && o->output && mb->output && !strcmp(o->output, mb->output))
			continue;
		buf_addf(b, "\nThe %s build did not compile", variant_name((enum variant)v));
		if (o->output && o->output[0]) {
			buf_adds(b, ":\n\n");
			report_md_block(b, "text", o->output);
		} else {
			buf_adds(b, ".\n");
		}
	}
	if (mb->command && *mb->command) {
		buf_adds(b, "\nCompiler command: ");
		report_md_code(b, mb->command);
		buf_addch(b, '\n');
	}
	buf_addch(b, '\n');
}

static void md_points(struct buf *b, const struct test_outcome *t)
{
	char a[32], m[32];

	buf_addf(b, "%s / %s", report_score(t->score, a, sizeof(a)),
		 report_score(t->max_score, m, sizeof(m)));
}

static void md_tests(struct buf *b, const struct grade_result *r)
{
	size_t i;

	buf_adds(b, "## Tests\n\n");
	if (!r->ntests) {
		buf_adds(b, "No test was run.\n\n");
		return;
	}
	buf_adds(b, "| Test | Variant | Verdict | Points |\n");
	buf_adds(b, "|------|---------|---------|-------:|\n");
	for (i = 0; i < r->ntests; i++) {
		const struct test_outcome *t = &r->tests[i];

		buf_adds(b, "| ");
		report_md_text(b, t->name);
		if (!report_test_is_visible(t))
			buf_adds(b, " (hidden)");
		if (t->bonus)
			buf_adds(b, " (bonus)");
		buf_addf(b, " | %s | %s%s%s | ", variant_name(t->variant),
			 t->verdict == VERDICT_PASSED ? "" : "**",
			 verdict_title(t->verdict),
			 t->verdict == VERDICT_PASSED ? "" : "**");
		md_points(b, t);
		buf_adds(b, " |\n");
	}
	buf_addch(b, '\n');
}

static void md_failures(struct buf *b, const struct grade_result *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->ntests; i++) {
		const struct test_outcome *t = &r->tests[i];

		/* the build section already says why nothing ran -- unless
		 * the row has its own reason (a unit test's refused symbol,
		 * its suite that did not link) */
		if (t->verdict == VERDICT_PASSED ||
		    (t->verdict == VERDICT_COMPILE_ERROR &&
		     (!t->message || !strcmp(t->message, REPORT_NOT_COMPILED))))
			continue;
		if (!n++)
			buf_adds(b, "## Failed tests\n\n");
		buf_adds(b, "### ");
		report_md_text(b, t->name);
		if (t->variant != VARIANT_PLAIN)
			buf_addf(b, " [%s]", variant_name(t->variant));
		buf_addf(b, ": %s (", verdict_title(t->verdict));
		md_points(b, t);
		buf_adds(b, " points)\n\n");
		report_md_details(b, r, t, 1);
		buf_addch(b, '\n');
	}
}

/* What the steps observed in tests that passed (a failed test shows its
 * details in its own section). */
static void md_observations(struct buf *b, const struct grade_result *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->ntests; i++) {
		const struct test_outcome *t = &r->tests[i];

		if (t->verdict != VERDICT_PASSED || !t->details ||
		    !report_test_is_visible(t))
			continue;
		if (!n++)
			buf_adds(b, "## Observations\n\n");
		buf_adds(b, "### ");
		report_md_text(b, t->name);
		if (t->variant != VARIANT_PLAIN)
			buf_addf(b, " [%s]", variant_name(t->variant));
		buf_adds(b, "\n\n");
		report_md_block(b, "text", t->details);
		buf_addch(b, '\n');
	}
}

static void md_findings(struct buf *b, const struct grade_result *r)
{
	char s[32];
	size_t i;

	if (!r->nfindings)
		return;
	buf_adds(b, "## Findings\n\n");
	for (i = 0; i < r->nfindings; i++) {
		const struct finding *f = &r->findings[i];

		buf_adds(b, "### ");
		report_md_text(b, f->tool ? f->tool : "tool");
		buf_adds(b, ": ");
		report_md_text(b, f->kind ? f->kind : "problem");
		finding_where(b, f);
		buf_adds(b, "\n\n");
		if (f->message) {
			report_md_text(b, f->message);
			buf_adds(b, "\n\n");
		}
		if (f->source_line) {
			buf_adds(b, "The line:\n\n");
			report_md_block(b, "c", f->source_line);
			buf_addch(b, '\n');
		}
		if (f->test) {
			buf_adds(b, "- First seen in test ");
			report_md_code(b, f->test);
			if (f->variant != VARIANT_PLAIN)
				buf_addf(b, " [%s]", variant_name(f->variant));
			buf_addch(b, '\n');
		}
		buf_addf(b, "- Occurrences: %d\n", f->count);
		if (f->penalty > 0)
			buf_addf(b, "- Penalty: %s point%s\n",
				 report_score(f->penalty, s, sizeof(s)),
				 f->penalty == 1 ? "" : "s");
		else
			buf_adds(b, "- Penalty: none\n");
		if (f->stack) {
			buf_adds(b, "\nWhere it happened:\n\n");
			report_md_block(b, "text", f->stack);
		}
		buf_addch(b, '\n');
	}
}

char *report_markdown(const struct grade_result *r, int flags)
{
	struct buf b;
	char a[32], m[32];
	char *raw, *out;

	buf_init(&b, 0);
	buf_adds(&b, "# ");
	report_md_text(&b, r->title ? r->title : r->exercise);
	buf_adds(&b, "\n\n");
	buf_adds(&b, "- Exercise: ");
	report_md_code(&b, r->exercise);
	buf_adds(&b, "\n- Submission: ");
	report_md_code(&b, r->submission);
	buf_addf(&b, "\n- Graded: %s",
		 flags & REPORT_MASK_TIMES ? "1970-01-01T00:00:00Z"
					   : (r->started_at ? r->started_at : "unknown"));
	if (r->grader_version)
		buf_addf(&b, " by grader %s", r->grader_version);
	buf_addch(&b, '\n');
	buf_addf(&b, "\n**Score: %s / %s**\n\n", report_score(r->score, a, sizeof(a)),
		 report_score(r->max_score, m, sizeof(m)));
	if (r->public_only)
		buf_adds(&b, "Only the public tests were run: the hidden tests count when the submission is graded.\n\n");
	md_build(&b, r);
	md_tests(&b, r);
	md_failures(&b, r);
	md_findings(&b, r);
	md_observations(&b, r);
	if (r->isolation) {
		buf_adds(&b, "---\n\nThe tests ran isolated with: ");
		report_md_text(&b, r->isolation);
		buf_addch(&b, '\n');
	}
	raw = buf_detach(&b, NULL);
	buf_release(&b);
	out = report_clean(raw, REPORT_CLEAN_CONTROLS);
	free(raw);
	return out;
}
