/*
 * cmd_check.c - `grader check [EXERCISE]`: a student's own check, run inside
 * the submission directory. Public tests only; the same feedback as grading.
 *
 * Exit status: 0 every public test passed, 1 some failed, 2 bad input or a
 * fault of the grader -- so a student's own CI can use it as is.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "grade.h"
#include "report.h"
#include "spec.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("usage: grader check [EXERCISE] [-o OUTDIR] [--variant LIST] [-v]\n"
	      "                    [--format text|github]\n"
	      "\n"
	      "Run inside your submission directory: builds your code and runs the\n"
	      "exercise's public tests, with the same feedback as the real grading\n"
	      "(hidden tests are not run). Without EXERCISE, the exercise is the one\n"
	      "whose required source files are in the current directory.\n"
	      "\n"
	      "  -o, --output DIR   where the reports go (default ./grader-report)\n"
	      "      --variant LIST only these variants, e.g. plain\n"
	      "  -j, --jobs N       variants run side by side (default: the number of CPUs)\n"
	      "  -v, --verbose      progress on stderr\n"
	      "      --format FMT   text (default): the summary; github: also the GitHub\n"
	      "                     Classroom result (to $GITHUB_OUTPUT as `result`, else\n"
	      "                     stdout) and ::error annotations (docs/github-classroom.md)\n"
	      "\n"
	      "Exit status: 0 all public tests passed, 1 some failed, 2 error.\n",
	      f);
}

/* The exercise whose required sources are all in the current directory. */
static char *detect_exercise(struct error *e)
{
	char *root = cli_exercises_root(), *found = NULL;
	DIR *d = opendir(root);
	struct dirent *de;
	int matches = 0;
	struct buf names;

	if (!d) {
		error_set(e, "no exercises directory at %s (set GRADER_EXERCISES)", root);
		free(root);
		return NULL;
	}
	buf_init(&names, 4096);
	while ((de = readdir(d))) {
		char *dir;
		struct spec *s = NULL;
		struct error ignored;
		size_t i;
		int all = 1;

		if (de->d_name[0] == '.')
			continue;
		dir = path_join(root, de->d_name);
		error_init(&ignored);
		if (spec_load(dir, &s, &ignored) < 0) {
			free(dir);
			continue;
		}
		for (i = 0; i < s->build.nsources; i++)
			if (!is_file(s->build.sources[i]))
				all = 0;
		if (all) {
			matches++;
			buf_addf(&names, " %s", s->name);
			free(found);
			found = xstrdup(dir);
		}
		spec_free(s);
		free(dir);
	}
	closedir(d);
	free(root);
	if (matches != 1) {
		if (matches == 0)
			error_set(e, "no exercise's source files are in this directory: name the exercise (`grader list`)");
		else
			error_set(e, "several exercises match this directory (%s ): name one",
				  names.data);
		free(found);
		found = NULL;
	}
	buf_release(&names);
	return found;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "variant", required_argument, NULL, 'V' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct grade_opts go;
	struct grade_result *r = NULL;
	struct spec *s = NULL;
	struct error e;
	const char *outdir = "grader-report";
	char *exdir = NULL;
	int c, rc = 2, github = 0;
	size_t i;

	memset(&go, 0, sizeof(go));
	error_init(&e);
	while ((c = getopt_long(argc, argv, "o:j:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			outdir = optarg;
			break;
		case 'V':
			if (cli_parse_variants(optarg, &go.variants, &e) < 0) {
				error_print(&e, stderr);
				return 2;
			}
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
				fprintf(stderr, "grader check: --format is text or github, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind > 1) {
		usage(stderr);
		return 2;
	}
	exdir = argc - optind == 1 ? cli_exercise_dir(argv[optind], &e)
				   : detect_exercise(&e);
	if (!exdir || spec_load(exdir, &s, &e) < 0) {
		error_print(&e, stderr);
		goto out;
	}
	go.submission_dir = ".";
	go.public_only = 1;
	{
		char *cwd = path_real(".");

		go.submission_name = cwd ? strrchr(cwd, '/') + 1 : "submission";
		if (grade_submission(s, &go, &r, &e) < 0) {
			free(cwd);
			error_print(&e, stderr);
			goto out;
		}
		free(cwd);
	}
	if (report_write_all(r, outdir, &e) < 0) {
		error_print(&e, stderr);
		goto out;
	}
	report_summary(r, stdout, cli_use_color(stdout), outdir);
	if (github) {
		char *prefix = report_github_prefix(".");
		int bad = report_github_write(r, prefix, stdout, &e) < 0;

		free(prefix);
		if (bad) {
			error_print(&e, stderr);
			rc = 2;
			goto out;
		}
	}
	rc = 0;
	for (i = 0; i < r->ntests; i++)
		if (r->tests[i].verdict != VERDICT_PASSED)
			rc = 1;
out:
	grade_result_free(r);
	spec_free(s);
	free(exdir);
	return rc;
}
