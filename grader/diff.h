/*
 * diff.h - a unified diff of two texts, for the student's report.
 *
 * Line-based, Myers' algorithm after trimming the common prefix and suffix,
 * so two 8 MiB outputs that differ in one line cost O(N) and not O(N^2).
 * When the differing middle is too large for the algorithm's budget, the
 * diff falls back to showing the first differing region only, and says so.
 * Output is capped at max_lines lines ("... (N more lines not shown)").
 * max_lines counts the lines after the "---"/"+++" header (hunk headers and
 * "\ No newline at end of file" included); 0 means no cap.
 *
 * Lines are shown as `diff -u` shows them, except that control characters
 * other than tab and invalid UTF-8 are escaped (\r, \0, \xNN) and a line
 * longer than 500 characters is cut ("... (N more bytes)").
 */
#ifndef GRADER_DIFF_H
#define GRADER_DIFF_H

#include <stddef.h>

struct diff_result {
	char *text;          /* the unified diff ("--- expected\n+++ actual\n@@ ..."), NUL-terminated */
	size_t first_line;   /* first differing line, 1-based in the expected text; 0 if equal */
	int equal;
	int truncated;       /* output was cut at max_lines */
	int fallback;        /* too different to align: only the first
				differing lines of each side are shown */
};

/* Returns 0 and fills r; the caller frees r->text with diff_result_release(). */
int diff_unified(const char *expected, size_t elen, const char *actual,
		 size_t alen, const char *label_expected,
		 const char *label_actual, size_t context, size_t max_lines,
		 struct diff_result *r);
void diff_result_release(struct diff_result *r);

#endif
