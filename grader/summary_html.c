/*
 * summary_html.c - the batch's one-page summary. See summary_html.h.
 */
#define _GNU_SOURCE
#include "summary_html.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "report.h"
#include "util.h"

#define HIST_W 640
#define HIST_H 260
#define HIST_TOP 20
#define HIST_BOTTOM 40
#define HIST_LEFT 40

/* Text from reports (test names, messages, ids) into HTML: escaped, and
 * made valid UTF-8 first. */
static void esc(struct buf *b, const char *s)
{
	char *c = report_clean(s ? s : "", REPORT_CLEAN_CONTROLS);
	const char *p;

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
			buf_adds(b, "&quot;");
			break;
		case '\'':
			buf_adds(b, "&#39;");
			break;
		default:
			buf_addch(b, *p);
		}
	}
	free(c);
}

/* A path segment of a link: everything but unreserved bytes %-encoded. */
static void url(struct buf *b, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			buf_addch(b, (char)*p);
		else
			buf_addf(b, "%%%02X", *p);
	}
}

int summary_bin_of(double score, double max, int *nbins, double *width)
{
	int bin;

	if (max > 0 && max <= 20 && fabs(max - round(max)) < 1e-9) {
		*nbins = (int)round(max) + 1;
		*width = 1;
		bin = (int)floor(score + 1e-9);
	} else {
		*nbins = 10;
		*width = max > 0 ? max / 10 : 1;
		bin = (int)floor(score / *width + 1e-9);
	}
	if (bin < 0)
		bin = 0;
	if (bin >= *nbins)
		bin = *nbins - 1;
	return bin;
}

static void histogram(struct buf *b, const struct gradebook *g)
{
	int nbins = 1, i, *counts, top = 1;
	double width = 1, bw;
	size_t s;
	char x[32], y[32];

	summary_bin_of(0, g->max_score, &nbins, &width);
	counts = xcalloc((size_t)nbins, sizeof(int));
	for (s = 0; s < g->nstudents; s++) {
		const struct gradebook_student *st = &g->students[s];

		if (strcmp(st->status, "missing"))
			counts[summary_bin_of(st->score, g->max_score, &nbins, &width)]++;
	}
	for (i = 0; i < nbins; i++)
		if (counts[i] > top)
			top = counts[i];
	bw = (double)(HIST_W - HIST_LEFT - 10) / nbins;
	buf_addf(b, "<svg id=\"histogram\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"score histogram\">\n",
		 HIST_W, HIST_H, HIST_W, HIST_H);
	buf_addf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", HIST_LEFT,
		 HIST_H - HIST_BOTTOM, HIST_W - 10, HIST_H - HIST_BOTTOM);
	buf_addf(b, "<text x=\"4\" y=\"%d\" font-size=\"12\">%d</text>\n", HIST_TOP + 4, top);
	buf_addf(b, "<text x=\"4\" y=\"%d\" font-size=\"12\">0</text>\n", HIST_H - HIST_BOTTOM);
	for (i = 0; i < nbins; i++) {
		double h = (double)counts[i] / top * (HIST_H - HIST_TOP - HIST_BOTTOM);
		double x0 = HIST_LEFT + i * bw + 2;

		if (counts[i])
			buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
				    "<title>%d student%s</title></rect>\n",
				 x0, HIST_H - HIST_BOTTOM - h, bw - 4, h, SUMMARY_BAR_COLOR,
				 counts[i], counts[i] == 1 ? "" : "s");
		if (counts[i])
			buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%d</text>\n",
				 x0 + (bw - 4) / 2, HIST_H - HIST_BOTTOM - h - 3, counts[i]);
		report_score(i * width, x, sizeof(x));
		if (width == 1)
			buf_addf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
				 x0 + (bw - 4) / 2, HIST_H - HIST_BOTTOM + 14, x);
		else {
			report_score((i + 1) * width, y, sizeof(y));
			buf_addf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%s–%s</text>\n",
				 x0 + (bw - 4) / 2, HIST_H - HIST_BOTTOM + 14, x, y);
		}
	}
	buf_addf(b, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">score</text>\n",
		 (HIST_W + HIST_LEFT) / 2, HIST_H - 6);
	buf_adds(b, "</svg>\n");
	free(counts);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void stats(struct buf *b, const struct gradebook *g)
{
	double *v = xcalloc(g->nstudents + 1, sizeof(double)), sum = 0;
	size_t n = 0, i;
	char m1[32], m2[32], mx[32];

	for (i = 0; i < g->nstudents; i++)
		if (strcmp(g->students[i].status, "missing")) {
			v[n++] = g->students[i].score;
			sum += g->students[i].score;
		}
	qsort(v, n, sizeof(double), cmp_double);
	buf_addf(b, "<p class=\"counts\">%zu students: %zu graded, %zu broken submissions, "
		    "%zu grader errors%s",
		 g->nstudents, g->graded, g->broken, g->errors,
		 g->missing ? ", " : "");
	if (g->missing)
		buf_addf(b, "<strong>%zu not graded yet</strong>", g->missing);
	buf_adds(b, ".");
	if (n) {
		double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;

		buf_addf(b, " Mean %s, median %s, out of %s.",
			 report_score(sum / (double)n, m1, sizeof(m1)),
			 report_score(med, m2, sizeof(m2)),
			 report_score(g->max_score, mx, sizeof(mx)));
	}
	buf_adds(b, "</p>\n");
	free(v);
}

static void pass_rates(struct buf *b, const struct gradebook *g)
{
	size_t k;

	buf_adds(b, "<h2>Pass rate per test</h2>\n<table class=\"rates\">\n"
		    "<tr><th>test</th><th>points</th><th>passed</th><th></th></tr>\n");
	for (k = 0; k < g->ncolumns; k++) {
		const struct gradebook_column *c = &g->columns[k];
		double rate = c->ran ? (double)c->passed / (double)c->ran : 0;
		char pts[32];

		buf_adds(b, "<tr><td>");
		esc(b, c->label);
		buf_addf(b, "</td><td class=\"num\">%s</td><td class=\"num\">%zu/%zu (%.0f%%)</td>"
			    "<td><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"12\">"
			    "<rect width=\"200\" height=\"12\" fill=\"#e2e8f0\"/>"
			    "<rect width=\"%.1f\" height=\"12\" fill=\"#38a169\"/></svg></td></tr>\n",
			 report_score(c->max, pts, sizeof(pts)), c->passed, c->ran, rate * 100,
			 rate * 200);
	}
	buf_adds(b, "</table>\n");
}

static void findings(struct buf *b, const struct gradebook *g)
{
	size_t i;

	buf_adds(b, "<h2>Most common findings</h2>\n");
	if (!g->nfindings) {
		buf_adds(b, "<p>No sanitizer, valgrind or hygiene finding in any submission.</p>\n");
		return;
	}
	buf_adds(b, "<table class=\"findings\">\n<tr><th>finding</th><th>tool</th><th>first seen in test</th>"
		    "<th>students</th><th>occurrences</th></tr>\n");
	for (i = 0; i < g->nfindings && i < 20; i++) {
		const struct gradebook_finding *f = &g->findings[i];

		buf_adds(b, "<tr><td>");
		esc(b, f->kind);
		buf_adds(b, "</td><td>");
		esc(b, f->tool);
		buf_adds(b, "</td><td>");
		esc(b, f->test);
		buf_addf(b, "</td><td class=\"num\">%zu</td><td class=\"num\">%lld</td></tr>\n",
			 f->students, f->count);
	}
	buf_adds(b, "</table>\n");
	if (g->nfindings > 20)
		buf_addf(b, "<p>... and %zu less common ones.</p>\n", g->nfindings - 20);
}

static void students(struct buf *b, const struct gradebook *g)
{
	size_t i;

	buf_adds(b, "<h2>Students</h2>\n<table class=\"students\">\n"
		    "<tr><th>student</th><th>score</th><th>status</th><th>reports</th></tr>\n");
	for (i = 0; i < g->nstudents; i++) {
		const struct gradebook_student *s = &g->students[i];
		char sc[32], mx[32];

		buf_adds(b, "<tr><td>");
		esc(b, s->id);
		if (strcmp(s->status, "missing"))
			buf_addf(b, "</td><td class=\"num\">%s/%s</td><td class=\"%s\">",
				 report_score(s->score, sc, sizeof(sc)),
				 report_score(s->max, mx, sizeof(mx)), s->status);
		else
			buf_adds(b, "</td><td></td><td class=\"missing\">");
		esc(b, s->status);
		if (s->message) {
			buf_adds(b, ": ");
			esc(b, s->message);
		}
		buf_adds(b, "</td><td>");
		if (strcmp(s->status, "missing")) {
			buf_adds(b, "<a href=\"students/");
			url(b, s->id);
			buf_adds(b, "/report.md\">report.md</a> <a href=\"students/");
			url(b, s->id);
			buf_adds(b, "/results.json\">results.json</a>");
		}
		buf_adds(b, "</td></tr>\n");
	}
	buf_adds(b, "</table>\n");
}

char *summary_html(const struct gradebook *g)
{
	struct buf b;

	buf_init(&b, 0);
	buf_adds(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
	esc(&b, g->title[0] ? g->title : g->exercise);
	buf_adds(&b, ": batch summary</title>\n<style>\n"
		     "body{font-family:sans-serif;margin:16px 24px;color:#1a202c;background:#fff}\n"
		     "h1{font-size:20px;margin:0 0 8px}h2{font-size:17px;margin:24px 0 8px}\n"
		     "table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left;"
		     "border-bottom:1px solid #e2e8f0;font-size:14px}\n"
		     "td.num{text-align:right}td.broken,td.error,td.missing{color:#c53030}\n"
		     "</style>\n</head>\n<body>\n<h1>");
	esc(&b, g->title[0] ? g->title : g->exercise);
	if (g->exercise[0]) {
		buf_adds(&b, " <small>(");
		esc(&b, g->exercise);
		buf_adds(&b, ")</small>");
	}
	buf_adds(&b, "</h1>\n<h2 style=\"margin-top:8px\">Score histogram</h2>\n");
	histogram(&b, g);
	stats(&b, g);
	pass_rates(&b, g);
	findings(&b, g);
	students(&b, g);
	buf_addf(&b, "<p><small>grader %s; scores per test in gradebook.csv</small></p>\n"
		     "</body>\n</html>\n", GRADER_VERSION);
	return buf_detach(&b, NULL);
}

int summary_html_write(const struct gradebook *g, const char *outdir,
		       struct error *e)
{
	char *html = summary_html(g), *p = path_join(outdir, "summary.html");
	int rc = 0;

	if (write_file_atomic(p, html, strlen(html)) < 0)
		rc = error_set(e, "%s: %s", p, strerror(errno));
	free(html);
	free(p);
	return rc;
}
