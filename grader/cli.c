/*
 * cli.c - helpers shared by the subcommands. See cli.h.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec.h"
#include "util.h"

char *cli_exercises_root(void)
{
	const char *env = getenv("GRADER_EXERCISES");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return xstrdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash, *cand;

		exe[n] = '\0';
		/* <repo>/grader/grader or <repo>/build/<x>/grader */
		for (int up = 0; up < 3; up++) {
			slash = strrchr(exe, '/');
			if (!slash)
				break;
			*slash = '\0';
			cand = path_join(exe, "exercises");
			if (is_dir(cand))
				return cand;
			free(cand);
		}
	}
	return xstrdup("exercises");
}

char *cli_exercise_dir(const char *arg, struct error *e)
{
	char *spec = path_join(arg, "spec.yaml");
	char *root, *dir;

	if (is_file(spec)) {
		free(spec);
		return path_real(arg);
	}
	free(spec);
	if (strchr(arg, '/')) {
		error_set(e, "%s: no spec.yaml in this directory", arg);
		return NULL;
	}
	root = cli_exercises_root();
	dir = path_join(root, arg);
	spec = path_join(dir, "spec.yaml");
	if (!is_file(spec)) {
		error_set(e, "no exercise named '%s' (looked for %s; `grader list` shows the exercises)",
			  arg, spec);
		free(spec);
		free(dir);
		free(root);
		return NULL;
	}
	free(spec);
	free(root);
	spec = path_real(dir);
	free(dir);
	return spec;
}

char *cli_fixtures_dir(const char *exercise_dir, const char *name)
{
	char *rel = xasprintf("%s/../../fixtures/%s", exercise_dir, name);
	char *real = path_real(rel);

	if (real) {
		free(rel);
		return real;
	}
	return rel;
}

int cli_parse_variants(const char *list, unsigned *mask, struct error *e)
{
	const char *p = list;

	*mask = 0;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *tok = xstrndup(p, len);
		enum variant v;

		if (len && variant_parse(tok, &v) < 0) {
			error_set(e, "unknown variant '%s' (expected plain, asan, tsan, memcheck, helgrind, drd)",
				  tok);
			free(tok);
			return -1;
		}
		if (len)
			*mask |= VARIANT_BIT(v);
		free(tok);
		p += len + (comma ? 1 : 0);
	}
	if (!*mask)
		return error_set(e, "--variant needs at least one variant");
	return 0;
}

int cli_use_color(FILE *f)
{
	const char *term = getenv("TERM");

	if (getenv("NO_COLOR"))
		return 0;
	if (term && !strcmp(term, "dumb"))
		return 0;
	return isatty(fileno(f));
}
