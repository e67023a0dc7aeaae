/*
 * cmd_grade.c - `grader grade EXERCISE_DIR SUBMISSION_DIR`: grade one
 * submission and write its reports.
 *
 * Exit status: 0 grading completed (whatever the score); 1 --min-score was
 * given and not reached; 2 bad input or a fault of the grader.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "dryrun.h"
#include "grade.h"
#include "report.h"
#include "spec.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("usage: grader grade EXERCISE SUBMISSION_DIR [-o OUTDIR] [--variant LIST]\n"
	      "                    [--min-score X] [--name NAME] [--keep] [-v]\n"
	      "                    [--format text|github] [--dry-run] [--test LIST]\n"
	      "\n"
	      "Builds the submission, runs every test of the exercise's spec in a\n"
	      "private directory under the spec's limits, and writes results.json,\n"
	      "report.md and junit.xml into OUTDIR.\n"
	      "\n"
	      "  EXERCISE           an exercise directory (holding spec.yaml) or name\n"
	      "  -o, --output DIR   where the reports go (default reports/<exercise>/<submission>)\n"
	      "      --variant LIST only these variants, e.g. plain or plain,asan\n"
	      "      --min-score X  exit 1 when the score is below X\n"
	      "      --name NAME    the submission's name in the reports (default: its directory)\n"
	      "      --keep         keep the temporary working directory (debugging)\n"
	      "  -j, --jobs N       variants run side by side (default: the number of CPUs)\n"
	      "  -v, --verbose      progress on stderr\n"
	      "      --format FMT   text (default): the summary; github: also the GitHub\n"
	      "                     Classroom result (to $GITHUB_OUTPUT as `result`, else\n"
	      "                     stdout) and ::error annotations (docs/github-classroom.md)\n"
	      "      --test LIST    only these tests (comma-separated names), e.g. to time one\n"
	      "      --dry-run      print the compile and run commands grading would run,\n"
	      "                     as a shell script, and run nothing; generated inputs\n"
	      "                     are written into OUTDIR/inputs\n"
	      "\n"
	      "Exit status: 0 graded, 1 below --min-score, 2 bad input or grader fault.\n",
	      f);
}

/* --test: moves the named tests (in the spec's order) to the front of
 * s->tests and makes s->ntests their count, so that grading and the dry
 * run see only them. Nothing is freed or lost: the caller restores
 * s->ntests before spec_free(). An unknown name is an error that lists
 * the tests. */
static int select_tests(struct spec *s, const char *list, struct error *e)
{
	char *copy = xstrdup(list), *save = NULL, *name;
	unsigned char *want = xcalloc(s->ntests + 1, 1);
	size_t i, n = 0;
	int rc = 0;

	for (name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < s->ntests; i++)
			if (!strcmp(s->tests[i].name, name))
				break;
		if (i == s->ntests) {
			struct buf names;

			buf_init(&names, 0);
			for (i = 0; i < s->ntests; i++)
				buf_addf(&names, " %s", s->tests[i].name);
			rc = error_set(e, "%s: no test named '%s' (the tests are:%s)", s->path,
				       name, names.data);
			buf_release(&names);
			goto out;
		}
		want[i] = 1;
	}
	for (i = 0; i < s->ntests; i++) {
		if (want[i]) {
			/* rotate test i down to position n, keeping the others' order */
			struct spec_test t = s->tests[i];

			memmove(&s->tests[n + 1], &s->tests[n], (i - n) * sizeof(t));
			s->tests[n++] = t;
		}
	}
	if (n == 0)
		rc = error_set(e, "--test needs at least one test name");
	else
		s->ntests = n;
out:
	free(want);
	free(copy);
	return rc;
}

int cmd_grade(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "variant", required_argument, NULL, 'V' },
		{ "min-score", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		{ "keep", no_argument, NULL, 'k' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "format", required_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "test", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct grade_opts go;
	struct grade_result *r = NULL;
	struct spec *s = NULL;
	struct error e;
	char *outdir = NULL, *exdir = NULL, *end;
	const char *only = NULL;
	size_t all_tests = 0;
	double min_score = 0;
	int have_min = 0, c, rc = 2, github = 0, dry_run = 0;

	memset(&go, 0, sizeof(go));
	error_init(&e);
	while ((c = getopt_long(argc, argv, "o:j:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			free(outdir);
			outdir = xstrdup(optarg);
			break;
		case 'V':
			if (cli_parse_variants(optarg, &go.variants, &e) < 0) {
				error_print(&e, stderr);
				goto out;
			}
			break;
		case 'm':
			min_score = strtod(optarg, &end);
			if (end == optarg || *end) {
				fprintf(stderr, "grader grade: --min-score needs a number, got '%s'\n",
					optarg);
				goto out;
			}
			have_min = 1;
			break;
		case 'n':
			go.submission_name = optarg;
			break;
		case 'k':
			go.keep_workdir = 1;
			break;
		case 'j': {
			char *jend;
			long j = strtol(optarg, &jend, 10);

			if (jend == optarg || *jend || j < 1 || j > 64) {
				fprintf(stderr, "grader: --jobs needs a number from 1 to 64, got '%s'\n",
					optarg);
				goto out;
			}
			go.jobs = (int)j;
			break;
		}
		case 'v':
			go.verbose = 1;
			break;
		case 'f':
			if (report_format_parse(optarg, &github) < 0) {
				fprintf(stderr, "grader grade: --format is text or github, not '%s'\n",
					optarg);
				goto out;
			}
			break;
		case 'D':
			dry_run = 1;
			break;
		case 'T':
			only = optarg;
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		goto out;
	}
	if (!(exdir = cli_exercise_dir(argv[optind], &e)) ||
	    spec_load(exdir, &s, &e) < 0) {
		error_print(&e, stderr);
		goto out;
	}
	all_tests = s->ntests;
	if (only && select_tests(s, only, &e) < 0) {
		error_print(&e, stderr);
		goto out;
	}
	go.submission_dir = argv[optind + 1];
	if (dry_run) {
		char *inputs;

		if (!outdir) {
			char *dir = xasprintf("reports/%s", s->name);
			char *name = go.submission_name ? xstrdup(go.submission_name)
							: path_basename(go.submission_dir);

			outdir = path_join(dir, name);
			free(name);
			free(dir);
		}
		inputs = path_join(outdir, "inputs");
		rc = dryrun_script(s, &go, inputs, stdout, &e) < 0 ? 2 : 0;
		if (rc)
			error_print(&e, stderr);
		free(inputs);
		goto out;
	}
	if (grade_submission(s, &go, &r, &e) < 0) {
		error_print(&e, stderr);
		goto out;
	}
	if (!outdir) {
		char *dir = xasprintf("reports/%s", s->name);

		outdir = path_join(dir, r->submission);
		free(dir);
	}
	if (report_write_all(r, outdir, &e) < 0) {
		error_print(&e, stderr);
		goto out;
	}
	report_summary(r, stdout, cli_use_color(stdout), outdir);
	if (github) {
		char *prefix = report_github_prefix(go.submission_dir);
		int bad = report_github_write(r, prefix, stdout, &e) < 0;

		free(prefix);
		if (bad) {
			error_print(&e, stderr);
			goto out;
		}
	}
	rc = have_min && r->score + 1e-9 < min_score ? 1 : 0;
out:
	grade_result_free(r);
	if (s)
		s->ntests = all_tests; /* select_tests() only permuted them */
	spec_free(s);
	free(exdir);
	free(outdir);
	return rc;
}
