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

#include "cli.h"
#include "grade.h"
#include "report.h"
#include "spec.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("usage: grader grade EXERCISE SUBMISSION_DIR [-o OUTDIR] [--variant LIST]\n"
	      "                    [--min-score X] [--name NAME] [--keep] [-v]\n"
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
	      "\n"
	      "Exit status: 0 graded, 1 below --min-score, 2 bad input or grader fault.\n",
	      f);
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct grade_opts go;
	struct grade_result *r = NULL;
	struct spec *s = NULL;
	struct error e;
	char *outdir = NULL, *exdir = NULL, *end;
	double min_score = 0;
	int have_min = 0, c, rc = 2;

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
	go.submission_dir = argv[optind + 1];
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
	rc = have_min && r->score + 1e-9 < min_score ? 1 : 0;
out:
	grade_result_free(r);
	spec_free(s);
	free(exdir);
	free(outdir);
	return rc;
}
