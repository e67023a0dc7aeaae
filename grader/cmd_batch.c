/*
 * cmd_batch.c - `grader batch EXERCISE SUBMISSIONS_ROOT`: grade every
 * student, resumably, with a cache; or submit the same to Slurm.
 *
 * Exit status: 0 every student has a result (a broken submission's result
 * is a report saying so); 1 the grader failed on some student (their
 * report says so; rerun to retry them); 2 bad input or a fault of the
 * grader; 130 when interrupted (finished students are kept).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "buf.h"
#include "cli.h"
#include "gradebook.h"
#include "report.h"
#include "roster.h"
#include "slurm.h"
#include "spec.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("usage: grader batch EXERCISE SUBMISSIONS_ROOT [-o OUTDIR] [-j N] [--shard I/N]\n"
	      "                    [--variant LIST] [--quiet]\n"
	      "       grader batch --all [EXERCISES_ROOT] SUBMISSIONS_ROOT [options]\n"
	      "       grader batch EXERCISE SUBMISSIONS_ROOT -o OUTDIR --shards N --slurm [SBATCH OPTIONS...]\n"
	      "\n"
	      "Grades every student of SUBMISSIONS_ROOT: each subdirectory, .zip or .tar.gz\n"
	      "is one student (Gradescope and GitHub Classroom exports are recognised).\n"
	      "Each student gets OUTDIR/students/<id>/ (results.json, report.md, junit.xml,\n"
	      "batch.json); the batch writes OUTDIR/gradebook.csv and OUTDIR/summary.html.\n"
	      "Interrupted, it resumes where it stopped; unchanged students are not\n"
	      "graded again. See docs/batch.md.\n"
	      "\n"
	      "  -o, --output DIR   where everything goes (default reports/batch-<exercise>)\n"
	      "  -j, --jobs N       gradings at once (default: the number of CPUs)\n"
	      "      --all          every exercise of EXERCISES_ROOT (default: the grader's\n"
	      "                     exercises); a student's submission of X is <student>/X,\n"
	      "                     <student>/X.zip or X/ inside their archive; OUTDIR/X/ each\n"
	      "      --shard I/N    only the students of shard I of N (0 <= I < N)\n"
	      "      --variant LIST only these variants, e.g. plain\n"
	      "  -q, --quiet        no progress on stderr\n"
	      "      --shards N     with --slurm: how many array tasks (default 4)\n"
	      "      --slurm ...    submit a Slurm job array (one shard per task) and a merge\n"
	      "                     job; every argument after --slurm goes to sbatch\n"
	      "\n"
	      "Exit status: 0 all graded, 1 the grader failed on some student, 2 bad input,\n"
	      "130 interrupted.\n",
	      f);
}

static int parse_shard(const char *s, int *index, int *count)
{
	char *end;
	long i, n;

	i = strtol(s, &end, 10);
	if (end == s || *end != '/')
		return -1;
	s = end + 1;
	n = strtol(s, &end, 10);
	if (end == s || *end || n < 1 || n > 100000 || i < 0 || i >= n)
		return -1;
	*index = (int)i;
	*count = (int)n;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every exercise directory (holding spec.yaml) of root, sorted. */
static char **list_exercises(const char *root, size_t *n)
{
	DIR *d = opendir(root);
	struct dirent *de;
	char **v = xcalloc(1, sizeof(char *));

	*n = 0;
	if (!d)
		return v;
	while ((de = readdir(d))) {
		char *dir, *spec;

		if (de->d_name[0] == '.')
			continue;
		dir = path_join(root, de->d_name);
		spec = path_join(dir, "spec.yaml");
		if (is_file(spec)) {
			v = xrealloc(v, (*n + 2) * sizeof(char *));
			v[(*n)++] = dir;
			v[*n] = NULL;
		} else {
			free(dir);
		}
		free(spec);
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(char *), cmp_str);
	return v;
}

static char *self_exe(void)
{
	char *p = path_real("/proc/self/exe");

	if (!p)
		die("cannot find the grader's own executable (/proc/self/exe): %s",
		    strerror(errno));
	return p;
}

/* --all: OUTDIR/gradebook.csv with one column per exercise. */
static int write_all_gradebook(struct batch_exercise *ex, size_t nex,
			       const struct roster *r, const char *outdir,
			       struct error *e)
{
	struct gradebook *g = xcalloc(nex, sizeof(*g));
	char **ids = xcalloc(r->n + 1, sizeof(char *));
	struct buf b;
	size_t i, k;
	int rc = 0;
	char *p;

	for (i = 0; i < r->n; i++)
		ids[i] = r->students[i].id;
	for (k = 0; k < nex && rc == 0; k++)
		rc = gradebook_load(&g[k], ex[k].outdir, (const char *const *)ids, r->n, e);
	buf_init(&b, 0);
	buf_adds(&b, "student,score,max");
	for (k = 0; k < nex; k++) {
		buf_addch(&b, ',');
		gradebook_csv_field(&b, ex[k].spec->name, 1);
	}
	buf_adds(&b, "\r\n");
	for (i = 0; i < r->n && rc == 0; i++) {
		double score = 0, max = 0;
		char s[32];

		for (k = 0; k < nex; k++) {
			score += g[k].students[i].score;
			max += ex[k].spec->max_points;
		}
		gradebook_csv_field(&b, ids[i], 1);
		buf_addf(&b, ",%s", report_score(score, s, sizeof(s)));
		buf_addf(&b, ",%s", report_score(max, s, sizeof(s)));
		for (k = 0; k < nex; k++)
			buf_addf(&b, ",%s", report_score(g[k].students[i].score, s, sizeof(s)));
		buf_adds(&b, "\r\n");
	}
	p = path_join(outdir, "gradebook.csv");
	if (rc == 0 && write_file_atomic(p, b.data, b.len) < 0)
		rc = error_set(e, "%s: %s", p, strerror(errno));
	free(p);
	buf_release(&b);
	for (k = 0; k < nex; k++)
		if (g[k].students)
			gradebook_release(&g[k]);
	free(g);
	free(ids);
	return rc;
}

int cmd_batch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "shard", required_argument, NULL, 's' },
		{ "shards", required_argument, NULL, 'S' },
		{ "variant", required_argument, NULL, 'V' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct batch_opts bo;
	struct batch_counts counts;
	struct roster r;
	struct error e;
	struct spec **specs = NULL;
	struct batch_exercise *ex = NULL;
	char **exdirs = NULL, **outdirs = NULL, **sbatch_opts = NULL;
	char *outdir = NULL, *exe = NULL, *end, gdigest[DIGEST_HEX_LEN + 1];
	const char *subs;
	size_t nex = 0, i;
	int c, rc = 2, all = 0, quiet = 0, shards = 4, slurm = 0, nargs;
	unsigned variants = 0;

	memset(&bo, 0, sizeof(bo));
	memset(&r, 0, sizeof(r));
	error_init(&e);
	bo.jobs = cpu_count();
	/* everything after --slurm is sbatch's */
	for (nargs = 1; nargs < argc; nargs++)
		if (!strcmp(argv[nargs], "--slurm")) {
			slurm = 1;
			sbatch_opts = &argv[nargs + 1];
			argv[nargs] = NULL;
			break;
		}
	argc = nargs;
	while ((c = getopt_long(argc, argv, "o:j:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			free(outdir);
			outdir = xstrdup(optarg);
			break;
		case 'j':
			bo.jobs = (int)strtol(optarg, &end, 10);
			if (end == optarg || *end || bo.jobs < 1 || bo.jobs > 1024) {
				fprintf(stderr, "grader batch: -j needs a number from 1 to 1024, got '%s'\n",
					optarg);
				goto out;
			}
			break;
		case 'a':
			all = 1;
			break;
		case 's':
			if (parse_shard(optarg, &bo.shard_index, &bo.shard_count) < 0) {
				fprintf(stderr, "grader batch: --shard needs I/N with 0 <= I < N, got '%s'\n",
					optarg);
				goto out;
			}
			break;
		case 'S':
			shards = (int)strtol(optarg, &end, 10);
			if (end == optarg || *end || shards < 1 || shards > 10000) {
				fprintf(stderr, "grader batch: --shards needs a number from 1 to 10000, got '%s'\n",
					optarg);
				goto out;
			}
			break;
		case 'V':
			if (cli_parse_variants(optarg, &variants, &e) < 0) {
				error_print(&e, stderr);
				goto out;
			}
			bo.variant_arg = optarg;
			break;
		case 'q':
			quiet = 1;
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
	nargs = argc - optind;
	if (!(nargs == 2 || (all && nargs == 1))) {
		usage(stderr);
		goto out;
	}
	subs = argv[argc - 1];

	/* the exercises */
	if (all) {
		char *root = nargs == 2 ? xstrdup(argv[optind]) : cli_exercises_root();

		exdirs = list_exercises(root, &nex);
		if (!nex) {
			fprintf(stderr, "grader batch: %s: no exercise (no */spec.yaml)\n", root);
			free(root);
			goto out;
		}
		free(root);
	} else {
		char *d = cli_exercise_dir(argv[optind], &e);

		if (!d) {
			error_print(&e, stderr);
			goto out;
		}
		exdirs = xcalloc(2, sizeof(char *));
		exdirs[0] = d;
		nex = 1;
	}
	specs = xcalloc(nex, sizeof(*specs));
	for (i = 0; i < nex; i++)
		if (spec_load(exdirs[i], &specs[i], &e) < 0) {
			error_print(&e, stderr);
			goto out;
		}
	if (!outdir)
		outdir = all ? xstrdup("reports/batch-all")
			     : xasprintf("reports/batch-%s", specs[0]->name);
	if (mkdir_p(outdir) < 0) {
		fprintf(stderr, "grader batch: %s: %s\n", outdir, strerror(errno));
		goto out;
	}
	{
		char *abs = path_real(outdir);

		free(outdir);
		outdir = abs;
	}
	exe = self_exe();

	if (slurm) {
		struct slurm_plan p;
		char aid[64], mid[64];
		char *subs_abs = path_real(subs);

		if (all) {
			fprintf(stderr, "grader batch: --slurm grades one exercise; submit one per exercise\n");
			free(subs_abs);
			goto out;
		}
		if (!subs_abs || !is_dir(subs_abs)) {
			fprintf(stderr, "grader batch: %s: not a directory\n", subs);
			free(subs_abs);
			goto out;
		}
		memset(&p, 0, sizeof(p));
		p.grader_bin = exe;
		p.exercise = specs[0]->dir;
		p.submissions = subs_abs;
		p.outdir = outdir;
		p.shards = shards;
		p.variant_arg = bo.variant_arg;
		p.sbatch_opts = sbatch_opts;
		if (slurm_submit(&p, aid, mid, &e) < 0) {
			error_print(&e, stderr);
			free(subs_abs);
			goto out;
		}
		printf("submitted job array %s (%d shards) and merge job %s (afterok:%s)\n"
		       "results: %s/gradebook.csv and %s/summary.html once job %s has run\n",
		       aid, shards, mid, aid, outdir, outdir, mid);
		free(subs_abs);
		rc = 0;
		goto out;
	}

	if (roster_load(subs, &r, &e) < 0) {
		error_print(&e, stderr);
		goto out;
	}
	for (i = 0; i < r.nnotes; i++)
		fprintf(stderr, "grader batch: %s\n", r.notes[i]);
	if (bo.shard_count)
		roster_keep_shard(&r, bo.shard_index, bo.shard_count);

	if (batch_grader_digest(exe, gdigest, &e) < 0) {
		error_print(&e, stderr);
		goto out;
	}
	ex = xcalloc(nex, sizeof(*ex));
	outdirs = xcalloc(nex + 1, sizeof(char *));
	for (i = 0; i < nex; i++) {
		outdirs[i] = all ? path_join(outdir, specs[i]->name) : xstrdup(outdir);
		if (batch_exercise_init(&ex[i], specs[i], outdirs[i], gdigest, variants, &e) < 0) {
			error_print(&e, stderr);
			goto out;
		}
	}
	bo.variants = variants;
	bo.grader_bin = exe;
	bo.by_exercise_subdir = all;
	bo.progress = quiet ? BATCH_QUIET
		    : isatty(2) && getenv("TERM") && strcmp(getenv("TERM"), "dumb") ? BATCH_BAR
										     : BATCH_LINES;
	if (!quiet)
		fprintf(stderr, "grader batch: %zu student%s (%s layout)%s, %zu exercise%s, %d at once\n",
			r.n, r.n == 1 ? "" : "s", roster_layout_name(r.layout),
			bo.shard_count ? " in this shard" : "", nex, nex == 1 ? "" : "s", bo.jobs);
	if (batch_run(ex, nex, &r, &bo, &counts, &e) < 0) {
		error_print(&e, stderr);
		goto out;
	}
	if (counts.interrupted) {
		fprintf(stderr, "grader batch: interrupted; %zu of %zu done are kept: run the same command again to grade the rest\n",
			counts.cached + counts.graded + counts.broken + counts.errors, counts.total);
		rc = 130;
		goto out;
	}
	if (all && write_all_gradebook(ex, nex, &r, outdir, &e) < 0) {
		error_print(&e, stderr);
		goto out;
	}
	printf("%zu graded, %zu unchanged (cached), %zu broken, %zu grader errors in %.1f s\n"
	       "gradebook: %s/gradebook.csv\n",
	       counts.graded, counts.cached, counts.broken, counts.errors, counts.seconds, outdir);
	if (all)
		printf("summaries: %s/<exercise>/summary.html\n", outdir);
	else
		printf("summary:   %s/summary.html\n", outdir);
	rc = counts.errors ? 1 : 0;
out:
	roster_release(&r);
	if (specs)
		for (i = 0; i < nex; i++)
			spec_free(specs[i]);
	free(specs);
	free(ex);
	strv_free(exdirs);
	strv_free(outdirs);
	free(outdir);
	free(exe);
	return rc;
}
