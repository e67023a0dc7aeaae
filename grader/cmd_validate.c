/*
 * cmd_validate.c - `grader validate EXERCISE_DIR`: does the spec catch the
 * bugs it should?
 *
 *  1. the spec loads;
 *  2. the reference solution gets full marks, on every one of --runs runs;
 *  3. every fixture of the exercise (fixtures/<name>/<fixture>/ with an
 *     expect.yaml) gets exactly the verdicts it declares.
 *
 * Prints a table; exits 0 when everything matches, 1 on any difference, 2
 * on bad input or a fault of the grader.
 */
#include <dirent.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "expect.h"
#include "grade.h"
#include "report.h"
#include "spec.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("usage: grader validate EXERCISE [--fixtures DIR] [--runs N] [-o OUTDIR]\n"
	      "                       [--only FIXTURE] [-v]\n"
	      "\n"
	      "Checks the spec, grades the reference solution (it must get full\n"
	      "marks on each of N runs, default 2), then grades every fixture and\n"
	      "compares its verdicts with those its expect.yaml declares.\n"
	      "\n"
	      "  --fixtures DIR   the fixtures (default fixtures/<exercise> of the repository)\n"
	      "  --runs N         how many times the reference is graded (default 2)\n"
	      "  -o, --output DIR also write each fixture's reports into DIR/<fixture>\n"
	      "  --only NAME      only this fixture (and the reference)\n"
	      "  -v, --verbose    progress on stderr\n"
	      "\n"
	      "Exit status: 0 all as declared, 1 a difference, 2 bad input or grader fault.\n",
	      f);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **list_dirs(const char *root, size_t *count)
{
	DIR *d = opendir(root);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;

	*count = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		char *p;

		if (de->d_name[0] == '.')
			continue;
		p = path_join(root, de->d_name);
		if (is_dir(p)) {
			names = xrealloc(names, (n + 1) * sizeof(char *));
			names[n++] = xstrdup(de->d_name);
		}
		free(p);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(char *), cmp_name);
	*count = n;
	return names;
}

static void print_indented(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *eol = strchr(p, '\n');
		int len = eol ? (int)(eol - p) : (int)strlen(p);

		printf("      %.*s\n", len, p);
		p = eol ? eol + 1 : p + len;
	}
}

/* Grades the reference `runs` times; each must be full marks. */
static int check_reference(const struct spec *s, int runs, int verbose,
			   int *differences)
{
	char *refdir = path_join(s->dir, "solution");
	int i, rc = 0;

	for (i = 0; i < runs; i++) {
		struct grade_opts go;
		struct grade_result *r = NULL;
		struct error e;
		size_t t;

		memset(&go, 0, sizeof(go));
		go.submission_dir = refdir;
		go.submission_name = "reference";
		go.verbose = verbose;
		error_init(&e);
		if (grade_submission(s, &go, &r, &e) < 0) {
			error_print(&e, stderr);
			rc = -1;
			break;
		}
		if (fabs(r->score - r->max_score) > 1e-9) {
			printf("%-28s %-6s %6g/%-6g %s\n", "reference", "DIFF", r->score,
			       r->max_score, "the reference solution must get full marks");
			for (t = 0; t < r->ntests; t++)
				if (r->tests[t].verdict != VERDICT_PASSED)
					printf("      %s [%s]: %s%s%s\n", r->tests[t].name,
					       variant_name(r->tests[t].variant),
					       verdict_name(r->tests[t].verdict),
					       r->tests[t].message ? ": " : "",
					       r->tests[t].message ? r->tests[t].message : "");
			if (r->builds[VARIANT_PLAIN].ok == 0 && r->builds[VARIANT_PLAIN].output)
				print_indented(r->builds[VARIANT_PLAIN].output);
			(*differences)++;
			grade_result_free(r);
			break;
		}
		if (i == runs - 1)
			printf("%-28s %-6s %6g/%-6g full marks on %d run%s\n", "reference",
			       "OK", r->score, r->max_score, runs, runs > 1 ? "s" : "");
		grade_result_free(r);
	}
	free(refdir);
	return rc;
}

int cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fixtures", required_argument, NULL, 'f' },
		{ "runs", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "only", required_argument, NULL, 'O' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *fixtures_opt = NULL, *outdir = NULL, *only = NULL;
	char *exdir = NULL, *fixtures = NULL, **names = NULL;
	struct spec *s = NULL;
	struct error e;
	int runs = 2, verbose = 0, c, rc = 2, differences = 0, checked = 0;
	size_t n = 0, i;
	double t0 = now_seconds();

	error_init(&e);
	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			fixtures_opt = optarg;
			break;
		case 'r':
			runs = atoi(optarg);
			if (runs < 1) {
				fprintf(stderr, "grader validate: --runs needs a number >= 1\n");
				return 2;
			}
			break;
		case 'o':
			outdir = optarg;
			break;
		case 'O':
			only = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return 2;
	}
	if (!(exdir = cli_exercise_dir(argv[optind], &e)) ||
	    spec_load(exdir, &s, &e) < 0) {
		error_print(&e, stderr);
		goto out;
	}
	printf("%-28s %-6s %6zu tests, %g points  %s\n", "spec", "OK", s->ntests,
	       s->max_points, s->path);
	if (check_reference(s, runs, verbose, &differences) < 0)
		goto out;

	fixtures = fixtures_opt ? xstrdup(fixtures_opt)
				: cli_fixtures_dir(exdir, s->name);
	names = list_dirs(fixtures, &n);
	for (i = 0; i < n; i++) {
		char *dir = path_join(fixtures, names[i]);
		char *xpath = path_join(dir, "expect.yaml");
		struct fixture_expect *x = NULL;
		struct grade_result *r = NULL;
		struct grade_opts go;
		struct buf diffs;

		if (only && strcmp(only, names[i])) {
			free(dir);
			free(xpath);
			continue;
		}
		checked++;
		buf_init(&diffs, 1 << 16);
		if (!is_file(xpath)) {
			printf("%-28s %-6s %s\n", names[i], "DIFF", "no expect.yaml: what must it get?");
			differences++;
		} else if (expect_load(xpath, s, &x, &e) < 0) {
			error_print(&e, stderr);
			free(dir);
			free(xpath);
			buf_release(&diffs);
			goto out;
		} else {
			memset(&go, 0, sizeof(go));
			go.submission_dir = dir;
			go.submission_name = names[i];
			go.verbose = verbose;
			if (grade_submission(s, &go, &r, &e) < 0) {
				error_print(&e, stderr);
				expect_free(x);
				free(dir);
				free(xpath);
				buf_release(&diffs);
				goto out;
			}
			if (expect_compare(x, r, &diffs)) {
				differences++;
				printf("%-28s %-6s %6g/%-6g %s\n", names[i], "DIFF",
				       r->score, r->max_score,
				       x->description ? x->description : "");
				print_indented(diffs.data);
			} else {
				printf("%-28s %-6s %6g/%-6g %s\n", names[i], "OK",
				       r->score, r->max_score,
				       x->description ? x->description : "");
			}
			if (outdir) {
				char *od = path_join(outdir, names[i]);

				if (report_write_all(r, od, &e) < 0)
					error_print(&e, stderr);
				free(od);
			}
		}
		grade_result_free(r);
		expect_free(x);
		buf_release(&diffs);
		free(dir);
		free(xpath);
	}
	if (only && !checked) {
		fprintf(stderr, "grader validate: no fixture named '%s' in %s\n", only,
			fixtures);
		goto out;
	}
	printf("%s: %d fixture%s checked, %d difference%s (%.1f s)\n", s->name,
	       checked, checked == 1 ? "" : "s", differences,
	       differences == 1 ? "" : "s", now_seconds() - t0);
	rc = differences ? 1 : 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(fixtures);
	spec_free(s);
	free(exdir);
	return rc;
}
