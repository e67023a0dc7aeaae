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
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>
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
#include "signals.h"
#include "spawn.h"
#include "toolchain.h"
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
	      "  -j, --jobs N     fixtures graded at once (default: the number of CPUs)\n"
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
		/* full marks: every row passed (bonus tests included), the
		 * score at least the maximum */
		for (t = 0; t < r->ntests; t++)
			if (r->tests[t].verdict != VERDICT_PASSED)
				break;
		if (t < r->ntests || r->score < r->max_score - 1e-9) {
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

/* Grades one fixture and renders its row(s) of the table into text.
 * Returns the number of differences, or -1 on a fault (message in text). */
static int validate_fixture(const struct spec *s, const char *fixtures,
			    const char *name, const char *outdir, int verbose,
			    struct buf *text)
{
	char *dir = path_join(fixtures, name);
	char *xpath = path_join(dir, "expect.yaml");
	struct fixture_expect *x = NULL;
	struct grade_result *r = NULL;
	struct grade_opts go;
	struct buf diffs;
	struct error e;
	int rc = 0;

	error_init(&e);
	buf_init(&diffs, 1 << 16);
	if (!is_file(xpath)) {
		buf_addf(text, "%-28s %-6s %s\n", name, "DIFF",
			 "no expect.yaml: what must it get?");
		rc = 1;
		goto out;
	}
	if (expect_load(xpath, s, &x, &e) < 0)
		goto fault;
	memset(&go, 0, sizeof(go));
	go.submission_dir = dir;
	go.submission_name = name;
	go.verbose = verbose;
	go.jobs = 1; /* the fixtures themselves are graded side by side */
	if (grade_submission(s, &go, &r, &e) < 0)
		goto fault;
	rc = expect_compare(x, r, &diffs);
	buf_addf(text, "%-28s %-6s %6g/%-6g %s\n", name, rc ? "DIFF" : "OK",
		 r->score, r->max_score, x->description ? x->description : "");
	if (rc) {
		const char *p = diffs.data;

		while (*p) {
			const char *eol = strchr(p, '\n');
			int len = eol ? (int)(eol - p) : (int)strlen(p);

			buf_addf(text, "      %.*s\n", len, p);
			p = eol ? eol + 1 : p + len;
		}
	}
	if (outdir) {
		char *od = path_join(outdir, name);

		if (report_write_all(r, od, &e) < 0) {
			free(od);
			goto fault;
		}
		free(od);
	}
	goto out;
fault: {
		char msg[2048];

		error_format(&e, msg, sizeof(msg));
		buf_addf(text, "grader: %s\n", msg);
		rc = -1;
	}
out:
	grade_result_free(r);
	expect_free(x);
	buf_release(&diffs);
	free(dir);
	free(xpath);
	return rc;
}

/* Grades the fixtures `jobs` at a time, each in a child process of its own
 * (most of a fixture's time is spent waiting for a hang to time out, so
 * they overlap well), and prints their rows in name order. */
static int run_fixtures(const struct spec *s, const char *fixtures,
			char **names, size_t n, const char *only,
			const char *outdir, int verbose, int jobs, int *checked,
			int *differences)
{
	char *tmp = make_temp_dir("validate");
	pid_t *pids = xcalloc(n + 1, sizeof(pid_t));
	size_t i, next = 0;
	int running = 0, rc = 0;

	if (!tmp) {
		fprintf(stderr, "grader: cannot create a temporary directory: %s\n",
			strerror(errno));
		free(pids);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	while (next < n || running > 0) {
		if (next < n && running < jobs) {
			pid_t pid;

			if (only && strcmp(only, names[next])) {
				next++;
				continue;
			}
			if (signals_stopping())
				break;
			(*checked)++;
			pid = fork();
			if (pid < 0) {
				perror("grader: fork");
				rc = -1;
				break;
			}
			if (pid == 0) {
				struct buf text;

				signals_setup(); /* the waiting thread did not survive fork */
				char *f = xasprintf("%s/%zu", tmp, next);
				int d;

				spawn_setup_process();
				buf_init(&text, 1 << 20);
				d = validate_fixture(s, fixtures, names[next], outdir,
						     verbose, &text);
				write_file_atomic(f, text.data, text.len);
				_exit(d < 0 ? 101 : d > 100 ? 100 : d);
			}
			pids[next++] = pid;
			running++;
			continue;
		}
		{
			int status;
			pid_t done = waitpid(-1, &status, 0);

			if (done < 0 && errno == EINTR)
				continue;
			if (done < 0)
				break;
			for (i = 0; i < n; i++) {
				if (pids[i] != done)
					continue;
				running--;
				if (!WIFEXITED(status) || WEXITSTATUS(status) == 101)
					rc = -1;
				else if (WEXITSTATUS(status) > 0)
					(*differences)++;
				break;
			}
		}
	}
	for (i = 0; i < n; i++) {
		char *f = xasprintf("%s/%zu", tmp, i);
		struct buf text;

		buf_init(&text, 1 << 20);
		if (pids[i] && buf_read_file(&text, f) == 0)
			fputs(text.data, stdout);
		else if (pids[i])
			printf("%-28s %-6s %s\n", names[i], "DIFF",
			       "(grading this fixture failed: no result)");
		buf_release(&text);
		free(f);
	}
	rm_rf(tmp);
	free(tmp);
	free(pids);
	return rc;
}

int cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fixtures", required_argument, NULL, 'f' },
		{ "runs", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "only", required_argument, NULL, 'O' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *fixtures_opt = NULL, *outdir = NULL, *only = NULL;
	char *exdir = NULL, *fixtures = NULL, **names = NULL;
	struct spec *s = NULL;
	struct error e;
	int runs = 2, verbose = 0, c, rc = 2, differences = 0, checked = 0;
	int jobs = cpu_count();
	size_t n = 0, i;
	double t0 = now_seconds();

	error_init(&e);
	while ((c = getopt_long(argc, argv, "o:j:vh", opts, NULL)) != -1) {
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
		case 'j':
			jobs = atoi(optarg);
			if (jobs < 1) {
				fprintf(stderr, "grader validate: -j needs a number >= 1\n");
				return 2;
			}
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
	/* probed once here, so that the children forked per fixture inherit
	 * the results instead of probing again each */
	{
		struct toolchain_status *st;
		size_t nst, ti;
		unsigned all = 0;

		for (ti = 0; ti < s->ntests; ti++)
			all |= s->tests[ti].variants;
		if (toolchain_check(all & ~VARIANT_BIT(VARIANT_PLAIN), &st, &nst,
				    &e) < 0) {
			error_print(&e, stderr);
			goto out;
		}
	}
	if (run_fixtures(s, fixtures, names, n, only, outdir, verbose, jobs,
			 &checked, &differences) < 0)
		goto out;
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
