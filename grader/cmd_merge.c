/*
 * cmd_merge.c - `grader merge OUTDIR... -o OUT`: combine the OUTDIRs of
 * `grader batch --shard` runs into one, with one gradebook and summary.
 *
 * Every input must be a finished batch of the same exercise with the same
 * spec and grader (its batch.json says so); a student may appear in one
 * input only, and must have a result there. Students' files are copied
 * (batch.json last, as `grader batch` does), and gradebook.csv and
 * summary.html are written by the same code as a local run, from the same
 * files in the same order: the output is identical to grading all students
 * in one run.
 *
 * Exit status: 0 merged; 2 bad input (unfinished shard, different
 * exercises, a student twice) or a fault.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "gradebook.h"
#include "summary_html.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("usage: grader merge OUTDIR... -o OUT\n"
	      "\n"
	      "Combines the output directories of `grader batch --shard I/N` runs (of\n"
	      "the same exercise) into OUT: every student's reports, one gradebook.csv\n"
	      "and one summary.html, the same as one run over all the students.\n"
	      "\n"
	      "Exit status: 0 merged, 2 bad input or fault.\n",
	      f);
}

static int copy_student(const char *from_root, const char *to_root, const char *id,
			struct error *e)
{
	static const char *const files[] = { "results.json", "report.md", "junit.xml",
					     "batch.json", NULL };
	char *from = xasprintf("%s/students/%s", from_root, id);
	char *to = xasprintf("%s/students/%s", to_root, id);
	char *bj = path_join(to, "batch.json");
	int i, rc = 0;

	if (mkdir_p(to) < 0) {
		rc = error_set(e, "%s: %s", to, strerror(errno));
		goto out;
	}
	unlink(bj); /* not done until its batch.json is in */
	for (i = 0; files[i] && !rc; i++) {
		char *a = path_join(from, files[i]), *b = path_join(to, files[i]);
		char *tmp = xasprintf("%s.merge-tmp", b);

		if (copy_file(a, tmp) < 0 || rename(tmp, b) < 0)
			rc = error_set(e, "copying %s to %s: %s", a, b, strerror(errno));
		free(a);
		free(b);
		free(tmp);
	}
out:
	free(from);
	free(to);
	free(bj);
	return rc;
}

static int write_manifest(const char *out, const char *exercise, const char *key,
			  char **ids, size_t n, char **inputs, size_t ninputs,
			  struct error *e)
{
	json_t *m = json_object(), *a = json_array(), *from = json_array();
	char *text, *p, *full;
	size_t i;
	int rc = 0;

	if (!m || !a || !from)
		die("out of memory");
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(ids[i]));
	for (i = 0; i < ninputs; i++)
		json_array_append_new(from, json_string(inputs[i]));
	json_object_set_new(m, "exercise", json_string(exercise));
	json_object_set_new(m, "exercise_key", json_string(key));
	json_object_set_new(m, "grader_version", json_string(GRADER_VERSION));
	json_object_set_new(m, "shard", json_null());
	json_object_set_new(m, "merged_from", from);
	json_object_set_new(m, "students", a);
	text = json_dumps(m, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (!text)
		die("out of memory");
	full = xasprintf("%s\n", text);
	p = path_join(out, "batch.json");
	if (write_file_atomic(p, full, strlen(full)) < 0)
		rc = error_set(e, "%s: %s", p, strerror(errno));
	free(p);
	free(full);
	free(text);
	json_decref(m);
	return rc;
}

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct error e;
	struct gradebook g;
	char *out = NULL, *out_real = NULL, *exercise = NULL, *key = NULL;
	char **all = NULL, **owner = NULL, **inputs = NULL;
	size_t nall = 0, i, k, ninputs;
	int c, rc = 2, have_g = 0;

	error_init(&e);
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			free(out);
			out = xstrdup(optarg);
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto done;
		default:
			usage(stderr);
			goto done;
		}
	}
	ninputs = (size_t)(argc - optind);
	if (!out || ninputs < 1) {
		usage(stderr);
		goto done;
	}
	if (mkdir_p(out) < 0 || !(out_real = path_real(out))) {
		fprintf(stderr, "grader merge: %s: %s\n", out, strerror(errno));
		goto done;
	}
	inputs = xcalloc(ninputs + 1, sizeof(char *));
	for (i = 0; i < ninputs; i++) {
		char **ids, *ex, *ky;
		size_t n;

		inputs[i] = path_real(argv[optind + i]);
		if (!inputs[i]) {
			fprintf(stderr, "grader merge: %s: %s\n", argv[optind + i], strerror(errno));
			goto done;
		}
		if (batch_manifest_ids(inputs[i], &ids, &n, &ex, &ky, &e) < 0) {
			error_print(&e, stderr);
			goto done;
		}
		if (!exercise) {
			exercise = ex;
			key = ky;
		} else {
			int same = !strcmp(exercise, ex) && !strcmp(key, ky);

			if (!same)
				fprintf(stderr, "grader merge: %s: %s\n", inputs[i],
					strcmp(exercise, ex)
						? "another exercise than the first input's"
						: "graded with another spec or grader than the first input (cache keys differ)");
			free(ex);
			free(ky);
			if (!same) {
				strv_free(ids);
				goto done;
			}
		}
		all = xrealloc(all, (nall + n + 1) * sizeof(char *));
		owner = xrealloc(owner, (nall + n + 1) * sizeof(char *));
		for (k = 0; k < n; k++) {
			char *bj = xasprintf("%s/students/%s/batch.json", inputs[i], ids[k]);
			int ok = is_file(bj);

			free(bj);
			if (!ok) {
				fprintf(stderr, "grader merge: %s: student %s has no result: that shard did not finish (rerun it)\n",
					inputs[i], ids[k]);
				strv_free(ids);
				goto done;
			}
			/* owner[]: which input the id came from */
			all[nall] = ids[k];
			owner[nall++] = inputs[i];
			ids[k] = NULL;
		}
		all[nall] = NULL;
		free(ids);
	}
	/* sort ids, keeping their owners */
	for (i = 1; i < nall; i++)
		for (k = i; k > 0 && strcmp(all[k - 1], all[k]) > 0; k--) {
			char *t = all[k], *o = owner[k];

			all[k] = all[k - 1];
			owner[k] = owner[k - 1];
			all[k - 1] = t;
			owner[k - 1] = o;
		}
	for (i = 1; i < nall; i++)
		if (!strcmp(all[i - 1], all[i])) {
			fprintf(stderr, "grader merge: student %s is in both %s and %s\n", all[i],
				owner[i - 1], owner[i]);
			goto done;
		}
	for (i = 0; i < nall; i++) {
		if (!strcmp(owner[i], out_real))
			continue; /* already there */
		if (copy_student(owner[i], out_real, all[i], &e) < 0) {
			error_print(&e, stderr);
			goto done;
		}
	}
	if (gradebook_load(&g, out_real, (const char *const *)all, nall, &e) < 0) {
		error_print(&e, stderr);
		goto done;
	}
	have_g = 1;
	if (gradebook_write_csv(&g, out_real, &e) < 0 || summary_html_write(&g, out_real, &e) < 0 ||
	    write_manifest(out_real, exercise, key, all, nall, inputs, ninputs, &e) < 0) {
		error_print(&e, stderr);
		goto done;
	}
	printf("merged %zu students from %zu director%s\ngradebook: %s/gradebook.csv\nsummary:   %s/summary.html\n",
	       nall, ninputs, ninputs == 1 ? "y" : "ies", out_real, out_real);
	rc = 0;
done:
	if (have_g)
		gradebook_release(&g);
	if (all)
		for (i = 0; i < nall; i++)
			free(all[i]);
	free(all);
	free(owner);
	strv_free(inputs);
	free(out);
	free(out_real);
	free(exercise);
	free(key);
	return rc;
}
