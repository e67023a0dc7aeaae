/*
 * cmd_list.c - `grader list`: the exercises, with titles and points.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "spec.h"
#include "util.h"

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cmd_list(int argc, char **argv)
{
	char *root;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	int rc = 0;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		puts("usage: grader list\n\n"
		     "Lists the exercises (from $GRADER_EXERCISES, or the exercises/\n"
		     "directory beside the grader) with their titles, tests and points.");
		return 0;
	}
	if (argc > 1) {
		fputs("usage: grader list\n", stderr);
		return 2;
	}
	root = cli_exercises_root();
	if (!(d = opendir(root))) {
		fprintf(stderr, "grader: %s: no exercises directory (set GRADER_EXERCISES)\n",
			root);
		free(root);
		return 2;
	}
	while ((de = readdir(d))) {
		char *spec;

		if (de->d_name[0] == '.')
			continue;
		spec = xasprintf("%s/%s/spec.yaml", root, de->d_name);
		if (is_file(spec)) {
			names = xrealloc(names, (n + 1) * sizeof(char *));
			names[n++] = xstrdup(de->d_name);
		}
		free(spec);
	}
	closedir(d);
	qsort(names, n, sizeof(char *), cmp_name);
	printf("%-14s %6s %6s  %s\n", "EXERCISE", "TESTS", "POINTS", "TITLE");
	for (i = 0; i < n; i++) {
		char *dir = path_join(root, names[i]);
		struct spec *s = NULL;
		struct error e;

		error_init(&e);
		if (spec_load(dir, &s, &e) < 0) {
			char msg[2048];

			error_format(&e, msg, sizeof(msg));
			printf("%-14s %6s %6s  (invalid spec: %s)\n", names[i], "-", "-", msg);
			rc = 2;
		} else {
			printf("%-14s %6zu %6g  %s\n", s->name, s->ntests, s->max_points,
			       s->title);
		}
		spec_free(s);
		free(dir);
		free(names[i]);
	}
	free(names);
	free(root);
	return rc;
}
