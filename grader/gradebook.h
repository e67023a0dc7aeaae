/*
 * gradebook.h - the results of a batch OUTDIR, gathered for export:
 * gradebook.csv (this file) and summary.html (summary_html.h).
 *
 * gradebook_load() reads, for each student id given, only
 * students/<id>/batch.json and students/<id>/results.json -- the files
 * `grader batch` leaves and `grader merge` copies -- so a merged OUTDIR and
 * a local one give byte-identical outputs. Students are read one at a time
 * and only scores, verdicts and finding kinds are kept: memory grows with
 * the number of students times the number of tests, never with the size
 * of their reports.
 *
 * gradebook.csv: RFC 4180 (CRLF line ends; a field holding a comma, a
 * quote, CR or LF is quoted, quotes doubled), UTF-8, one header line:
 *
 *   student,score,max,<test 1>,<test 2>,...
 *
 * one column per row of results.json (a test, or "test [variant]" when it
 * runs under several variants), in the spec's order; scores with at most
 * two decimals. A text cell that a spreadsheet would take for a formula
 * (starting with = + - @, tab or CR) gets a leading apostrophe, the usual
 * defence against CSV injection: student ids may come from students.
 *
 * Ownership: struct gradebook owns everything; gradebook_release().
 */
#ifndef GRADER_GRADEBOOK_H
#define GRADER_GRADEBOOK_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

struct gradebook_column {
	char *label;        /* results.json tests[].name */
	double max;
	size_t passed;      /* students who passed it */
	size_t ran;         /* students with a result for it */
};

struct gradebook_student {
	char *id;
	char *status;       /* "graded", "broken", "error", or "missing" (no
			       batch.json: not graded yet) */
	char *message;      /* why, for broken/error; NULL otherwise */
	double score, max;
	double *cells;      /* per column; NAN when the student has no such row */
};

struct gradebook_finding {
	char *tool, *kind, *test;
	size_t students;    /* how many students have it */
	long long count;    /* occurrences in all */
};

struct gradebook {
	char *exercise, *title;  /* from the first results.json; "" if none */
	double max_score;
	struct gradebook_column *columns;
	size_t ncolumns;
	struct gradebook_student *students; /* in the order given */
	size_t nstudents;
	struct gradebook_finding *findings; /* most students first */
	size_t nfindings;
	size_t graded, broken, errors, missing;
};

/* Reads OUTDIR's students `ids`. Returns 0, or -1 + e when a results.json
 * exists but cannot be parsed (a corrupted OUTDIR). */
int gradebook_load(struct gradebook *g, const char *outdir,
		   const char *const *ids, size_t n, struct error *e);
void gradebook_release(struct gradebook *g);

/* The CSV text described above. Caller frees. */
char *gradebook_csv(const struct gradebook *g);
/* Writes OUTDIR/gradebook.csv atomically. Returns 0 or -1 + e. */
int gradebook_write_csv(const struct gradebook *g, const char *outdir,
			struct error *e);

/* One CSV field, quoted when needed (RFC 4180); with `text` set, the
 * formula defence above applies. */
void gradebook_csv_field(struct buf *b, const char *s, int text);

#endif
