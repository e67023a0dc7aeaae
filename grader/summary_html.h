/*
 * summary_html.h - OUTDIR/summary.html: one self-contained page for the
 * instructor, from a struct gradebook.
 *
 * No network, no script: the CSS is inline and the charts are inline SVG,
 * so the file can be mailed, opened offline or attached to a CI run. It
 * shows, in this order:
 *   1. the score histogram (bars in SUMMARY_BAR_COLOR; a test looks for
 *      that colour in the rendered picture),
 *   2. counts: students, graded, broken, grader errors, mean and median,
 *   3. the pass rate of every test (a bar per test),
 *   4. the most common findings (tool, kind, test: how many students),
 *   5. every student: status, score, and links to students/<id>/report.md
 *      and results.json (relative links, so the OUTDIR can be moved).
 * Nothing in it depends on when or where it was made: the page of merged
 * shards is byte-identical to the page of one local run.
 *
 * Ownership: the returned string is the caller's.
 */
#ifndef GRADER_SUMMARY_HTML_H
#define GRADER_SUMMARY_HTML_H

#include "error.h"
#include "gradebook.h"

/* The histogram bars' colour (#2b6cb0), as RGB, for the rendering test. */
#define SUMMARY_BAR_COLOR "#2b6cb0"
#define SUMMARY_BAR_RGB 0x2b, 0x6c, 0xb0

/* The page. Caller frees. */
char *summary_html(const struct gradebook *g);
/* Writes OUTDIR/summary.html atomically. Returns 0 or -1 + e. */
int summary_html_write(const struct gradebook *g, const char *outdir,
		       struct error *e);

/* The histogram's bins for scores out of max: one per point when max is
 * a whole number up to 20, else 10 equal bins. Sets *nbins and *width;
 * returns the bin of `score` (scores at max go to the last bin). */
int summary_bin_of(double score, double max, int *nbins, double *width);

#endif
