/*
 * report.h - the writers of results.json, report.md and junit.xml, and the
 * summary printed on the terminal.
 *
 * Each writer renders a struct grade_result into a string (so golden-file
 * tests compare strings) and report_write_all() writes the three files
 * atomically (temporary file + rename) into OUTDIR.
 *
 * results.json follows Gradescope's schema (score, max_score,
 * execution_time, output, tests[] with name, score, max_score, status,
 * output, visibility) plus our own keys (exercise, submission, per test
 * variant and verdict, findings[]). It is written with jansson.
 *
 * report_github.c writes GitHub Classroom's result and Actions annotations
 * (declared below).
 *
 * For reproducible golden files, `flags` may ask to mask times and paths.
 *
 * Ownership: the returned strings are the caller's to free.
 */
#ifndef GRADER_REPORT_H
#define GRADER_REPORT_H

#include <stdio.h>

#include "buf.h"
#include "error.h"
#include "result.h"

enum {
	REPORT_MASK_TIMES = 1, /* every duration and timestamp prints as 0 / a fixed string */
};

char *report_json(const struct grade_result *r, int flags);
char *report_markdown(const struct grade_result *r, int flags);
char *report_junit(const struct grade_result *r, int flags);

/* Writes results.json, report.md and junit.xml into outdir (created).
 * Returns 0 or -1 with e filled. */
int report_write_all(const struct grade_result *r, const char *outdir,
		     struct error *e);

/*
 * GitHub Classroom / Actions (report_github.c; `--format github`).
 *
 * prefix is the submission directory's path inside the repository ("" or
 * NULL when it is the repository's root): annotations and `filename` name
 * files from the repository's root, as GitHub wants them.
 */

/* The classroom reporter's result object, indented (what
 * report_github_result() encodes; for reading and golden files). */
char *report_github_json(const struct grade_result *r, const char *prefix, int flags);
/* Base64 of the compact result object: the value of the step output
 * `result` that the grading reporter decodes. No newline. */
char *report_github_result(const struct grade_result *r, const char *prefix, int flags);
/* `::error file=F,line=L,title=T::message` lines (and `::warning` for
 * compiler warnings): one per finding, failing row and located compiler
 * message, each ending in a newline; "" when there is nothing to say. */
char *report_github_annotations(const struct grade_result *r, const char *prefix,
				int flags);
/* Appends `result=<base64>` to the file named by $GITHUB_OUTPUT, or prints
 * it to out when that variable is unset; then prints the annotations to
 * out. Returns 0, or -1 with e filled when $GITHUB_OUTPUT cannot be
 * written (the annotations are printed anyway). */
int report_github_write(const struct grade_result *r, const char *prefix, FILE *out,
			struct error *e);
/* `--format` of grade and check: "text" sets *github = 0, "github" 1.
 * Returns 0, or -1 for anything else. */
int report_format_parse(const char *name, int *github);
/* The prefix for a submission directory: its path relative to
 * $GITHUB_WORKSPACE (the checked-out repository) when it lies inside it,
 * else "". Caller frees. */
char *report_github_prefix(const char *submission_dir);
/* Standard base64 (RFC 4648, with padding, no newlines) of n bytes.
 * Caller frees. */
char *report_base64(const void *data, size_t n);

/* The readable summary for a terminal: one line per test, the score, where
 * the reports are. Colour only when `color` is set. */
void report_summary(const struct grade_result *r, FILE *f, int color,
		    const char *outdir);

/*
 * Helpers shared by the writers (report.c, report_md.c). Not for other
 * modules: they exist so that the three formats say the same thing the same
 * way, and so that the tests can reach them.
 */

/* Scores with at most two decimals and no trailing zeros: "2", "1.5",
 * "0.33". Writes into out (32 bytes are always enough) and returns it. */
char *report_score(double x, char *out, size_t outsz);

/* A copy of s that is valid UTF-8: every byte that does not start a
 * well-formed sequence becomes U+FFFD. With REPORT_CLEAN_CONTROLS, control
 * characters other than tab and newline (and U+FFFE/U+FFFF, which XML
 * forbids) are also replaced, by their visible Unicode "control picture"
 * (U+2400 + c; DEL is U+2421), so that a stray \r in a diff still shows.
 * NULL gives NULL. Caller frees. */
enum { REPORT_CLEAN_CONTROLS = 1 };
char *report_clean(const char *s, int flags);

/* "name" for the plain variant, "name [asan]" otherwise. Caller frees. */
char *report_test_label(const struct test_outcome *t);

/* Whether a row's details (diff, output, stderr, command) may be shown: only
 * visible tests. grade.c never stores them for the others; the writers
 * check again so that a mistake upstream cannot leak a hidden test. */
int report_test_is_visible(const struct test_outcome *t);

/* The build reported as "the" build: the plain one when it was built, else
 * the first variant's that was. NULL if nothing was built. */
const struct build_result *report_main_build(const struct grade_result *r,
					     enum variant *variant);
/* 1 if some build was attempted and failed. */
int report_build_failed(const struct grade_result *r);
/* The build a row's program came from, or NULL. */
const struct build_result *report_build_of(const struct grade_result *r,
					   const struct test_outcome *t);

/* Whether finding f was produced by row t. */
int report_finding_in_test(const struct finding *f, const struct test_outcome *t);

/* Markdown building blocks. Text from a student's program may contain any
 * byte: report_md_text() escapes what Markdown or HTML would interpret;
 * report_md_code() and report_md_block() choose a backtick fence longer
 * than any backtick run in the content. */
void report_md_text(struct buf *b, const char *s);
void report_md_code(struct buf *b, const char *s);
void report_md_block(struct buf *b, const char *info, const char *s);

/* The Markdown body of one row: description, message, command, diff,
 * limit, stderr, findings, hint -- whichever the row has. For a test that
 * is not visible: with `student` set, only "(hidden test: details are not
 * shown)"; otherwise (Gradescope, which hides the row itself) the message,
 * the limit and the hint. */
void report_md_details(struct buf *b, const struct grade_result *r,
		       const struct test_outcome *t, int student);

/* The message of a row that did not run because the program did not
 * compile (grade.c); report.md's build section already says why. */
#define REPORT_NOT_COMPILED "the program did not compile (see the build section)"

#endif
