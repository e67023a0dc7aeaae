/*
 * gradebook.c - gathering a batch OUTDIR's results; gradebook.csv. See
 * gradebook.h.
 */
#define _GNU_SOURCE
#include "gradebook.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

static json_t *load(const char *outdir, const char *id, const char *file, int *exists)
{
	char *p = xasprintf("%s/students/%s/%s", outdir, id, file);
	json_t *j = NULL;

	*exists = is_file(p);
	if (*exists)
		j = json_load_file(p, 0, NULL);
	free(p);
	return j;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static size_t column_of(struct gradebook *g, const char *label, double max)
{
	size_t i;

	for (i = 0; i < g->ncolumns; i++)
		if (!strcmp(g->columns[i].label, label))
			return i;
	g->columns = xrealloc(g->columns, (g->ncolumns + 1) * sizeof(*g->columns));
	memset(&g->columns[g->ncolumns], 0, sizeof(*g->columns));
	g->columns[g->ncolumns].label = xstrdup(label);
	g->columns[g->ncolumns].max = max;
	/* earlier students have no cell for the new column */
	for (i = 0; i < g->nstudents; i++) {
		size_t k;

		g->students[i].cells = xrealloc(g->students[i].cells,
						(g->ncolumns + 1) * sizeof(double));
		for (k = g->ncolumns; k <= g->ncolumns; k++)
			g->students[i].cells[k] = NAN;
	}
	return g->ncolumns++;
}

static void add_finding(struct gradebook *g, json_t *f, json_t *seen)
{
	const char *tool = str(f, "tool"), *kind = str(f, "kind"), *test = str(f, "test");
	char *key = xasprintf("%s\x1f%s\x1f%s", tool, kind, test);
	json_int_t count = json_integer_value(json_object_get(f, "count"));
	size_t i;

	if (count < 1)
		count = 1;
	for (i = 0; i < g->nfindings; i++) {
		struct gradebook_finding *x = &g->findings[i];

		if (!strcmp(x->tool, tool) && !strcmp(x->kind, kind) && !strcmp(x->test, test))
			break;
	}
	if (i == g->nfindings) {
		g->findings = xrealloc(g->findings, (g->nfindings + 1) * sizeof(*g->findings));
		memset(&g->findings[i], 0, sizeof(*g->findings));
		g->findings[i].tool = xstrdup(tool);
		g->findings[i].kind = xstrdup(kind);
		g->findings[i].test = xstrdup(test);
		g->nfindings++;
	}
	g->findings[i].count += count;
	/* a student counts once per kind of finding, however many rows */
	if (!json_object_get(seen, key)) {
		g->findings[i].students++;
		json_object_set_new(seen, key, json_true());
	}
	free(key);
}

static int cmp_finding(const void *a, const void *b)
{
	const struct gradebook_finding *x = a, *y = b;
	int c;

	if (x->students != y->students)
		return x->students > y->students ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if ((c = strcmp(x->kind, y->kind)))
		return c;
	if ((c = strcmp(x->tool, y->tool)))
		return c;
	return strcmp(x->test, y->test);
}

int gradebook_load(struct gradebook *g, const char *outdir,
		   const char *const *ids, size_t n, struct error *e)
{
	size_t i;

	memset(g, 0, sizeof(*g));
	g->students = xcalloc(n ? n : 1, sizeof(*g->students));
	for (i = 0; i < n; i++) {
		struct gradebook_student *s = &g->students[g->nstudents++];
		json_t *b, *res, *tests, *t, *findings, *f, *seen;
		int have_b, have_r;
		size_t k;

		s->id = xstrdup(ids[i]);
		s->cells = xcalloc(g->ncolumns + 1, sizeof(double));
		for (k = 0; k < g->ncolumns; k++)
			s->cells[k] = NAN;
		b = load(outdir, ids[i], "batch.json", &have_b);
		if (!b) {
			s->status = xstrdup("missing");
			g->missing++;
			continue;
		}
		s->status = xstrdup(str(b, "status"));
		if (json_is_string(json_object_get(b, "message")))
			s->message = xstrdup(str(b, "message"));
		json_decref(b);
		res = load(outdir, ids[i], "results.json", &have_r);
		if (!res) {
			if (have_r)
				return error_set(e, "%s/students/%s/results.json: not valid JSON",
						 outdir, ids[i]);
			free(s->status);
			s->status = xstrdup("missing");
			g->missing++;
			continue;
		}
		if (!strcmp(s->status, "graded"))
			g->graded++;
		else if (!strcmp(s->status, "broken"))
			g->broken++;
		else
			g->errors++;
		if (!g->exercise) {
			g->exercise = xstrdup(str(res, "exercise"));
			g->title = xstrdup(str(res, "title"));
			g->max_score = json_number_value(json_object_get(res, "max_score"));
		}
		s->score = json_number_value(json_object_get(res, "score"));
		s->max = json_number_value(json_object_get(res, "max_score"));
		tests = json_object_get(res, "tests");
		json_array_foreach(tests, k, t) {
			size_t c = column_of(g, str(t, "name"),
					     json_number_value(json_object_get(t, "max_score")));
			int passed = !strcmp(str(t, "status"), "passed");

			s->cells[c] = json_number_value(json_object_get(t, "score"));
			g->columns[c].ran++;
			g->columns[c].passed += passed;
		}
		seen = json_object();
		findings = json_object_get(res, "findings");
		json_array_foreach(findings, k, f)
			add_finding(g, f, seen);
		json_decref(seen);
		json_decref(res);
	}
	if (!g->exercise) {
		g->exercise = xstrdup("");
		g->title = xstrdup("");
	}
	if (g->nfindings)
		qsort(g->findings, g->nfindings, sizeof(*g->findings), cmp_finding);
	return 0;
}

void gradebook_release(struct gradebook *g)
{
	size_t i;

	for (i = 0; i < g->ncolumns; i++)
		free(g->columns[i].label);
	free(g->columns);
	for (i = 0; i < g->nstudents; i++) {
		free(g->students[i].id);
		free(g->students[i].status);
		free(g->students[i].message);
		free(g->students[i].cells);
	}
	free(g->students);
	for (i = 0; i < g->nfindings; i++) {
		free(g->findings[i].tool);
		free(g->findings[i].kind);
		free(g->findings[i].test);
	}
	free(g->findings);
	free(g->exercise);
	free(g->title);
	memset(g, 0, sizeof(*g));
}

void gradebook_csv_field(struct buf *b, const char *s, int text)
{
	const char *p;
	int quote = 0;

	if (text && strchr("=+-@\t\r", s[0]) && s[0]) {
		/* a formula in a spreadsheet: neutralised */
		struct buf t;

		buf_init(&t, 0);
		buf_addch(&t, '\'');
		buf_adds(&t, s);
		gradebook_csv_field(b, t.data, 0);
		buf_release(&t);
		return;
	}
	for (p = s; *p; p++)
		if (*p == ',' || *p == '"' || *p == '\r' || *p == '\n')
			quote = 1;
	if (!quote) {
		buf_adds(b, s);
		return;
	}
	buf_addch(b, '"');
	for (p = s; *p; p++) {
		if (*p == '"')
			buf_addch(b, '"');
		buf_addch(b, *p);
	}
	buf_addch(b, '"');
}

static void num_field(struct buf *b, double x)
{
	char s[32];

	if (isnan(x))
		return; /* an empty cell */
	buf_adds(b, report_score(x, s, sizeof(s)));
}

char *gradebook_csv(const struct gradebook *g)
{
	struct buf b;
	size_t i, k;

	buf_init(&b, 0);
	buf_adds(&b, "student,score,max");
	for (k = 0; k < g->ncolumns; k++) {
		buf_addch(&b, ',');
		gradebook_csv_field(&b, g->columns[k].label, 1);
	}
	buf_adds(&b, "\r\n");
	for (i = 0; i < g->nstudents; i++) {
		const struct gradebook_student *s = &g->students[i];
		int missing = !strcmp(s->status, "missing");

		gradebook_csv_field(&b, s->id, 1);
		buf_addch(&b, ',');
		num_field(&b, missing ? NAN : s->score);
		buf_addch(&b, ',');
		num_field(&b, missing ? NAN : s->max);
		for (k = 0; k < g->ncolumns; k++) {
			buf_addch(&b, ',');
			num_field(&b, s->cells[k]);
		}
		buf_adds(&b, "\r\n");
	}
	return buf_detach(&b, NULL);
}

int gradebook_write_csv(const struct gradebook *g, const char *outdir,
			struct error *e)
{
	char *csv = gradebook_csv(g), *p = path_join(outdir, "gradebook.csv");
	int rc = 0;

	if (write_file_atomic(p, csv, strlen(csv)) < 0)
		rc = error_set(e, "%s: %s", p, strerror(errno));
	free(csv);
	free(p);
	return rc;
}
