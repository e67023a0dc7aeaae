/*
 * spec_procs.c - parsing a test's `processes:` rules (see spec_procs.h).
 */
#include "spec_procs.h"

#include <stdlib.h>
#include <string.h>

#include "procwatch.h"
#include "spec.h"
#include "spec_parse.h"
#include "util.h"

static const char *const procs_keys[] = { "max_alive",  "min_workers",
					  "worker_cpu", "zombie_ms",
					  "no_stopped", "exits_before",
					  "compare_args", NULL };

/* A role of procwatch.h: main, child[N], child[N].child[M] ... */
static int parse_role(const struct ynode *n, const char *what, char **out,
		      struct error *e)
{
	if (ynode_string(n, what, out, e) < 0)
		return -1;
	if (procwatch_role_valid(*out) < 0) {
		error_at(e, n->file, n->line, n->col,
			 "%s: '%s' is not a process role (expected main, child[N], or child[N].child[M] ...)",
			 what, *out);
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int spec_parse_processes(const struct ynode *test_map, const char *prefix,
			 struct spec_test *t, struct error *e)
{
	const struct ynode *map = ymap_get(test_map, "processes"), *n;
	struct spec_processes *p;
	char what[WHAT_MAX], base[WHAT_MAX];
	long long v;

	if (!map)
		return 0;
	spec_whatf(base, sizeof(base), "%s.processes", prefix);
	if (ynode_expect(map, YNODE_MAP, base, e) < 0 ||
	    ymap_check_keys(map, procs_keys, base, e) < 0)
		return -1;
	p = xcalloc(1, sizeof(*p));
	t->processes = p;
	p->line = map->line;
	p->col = map->col;
	p->zombie_s = -1;
	p->worker_cpu_s = PROCS_DEFAULT_WORKER_CPU_S;
#define WHAT(key) (spec_whatf(what, sizeof(what), "%s.%s", base, key), what)
	if ((n = ymap_get(map, "max_alive"))) {
		if (spec_int_in_range(n, WHAT("max_alive"), 1, 100000, &v, e) < 0)
			return -1;
		p->max_alive = (int)v;
	}
	if ((n = ymap_get(map, "min_workers"))) {
		if (spec_int_in_range(n, WHAT("min_workers"), 1, 100000, &v, e) < 0)
			return -1;
		p->min_workers = (int)v;
	}
	if ((n = ymap_get(map, "worker_cpu")) &&
	    spec_positive_duration(n, WHAT("worker_cpu"), &p->worker_cpu_s, e) < 0)
		return -1;
	if ((n = ymap_get(map, "zombie_ms"))) {
		if (spec_int_in_range(n, WHAT("zombie_ms"), 0, 3600000, &v, e) < 0)
			return -1;
		p->zombie_s = (double)v / 1000;
	}
	if ((n = ymap_get(map, "no_stopped")) &&
	    ynode_bool(n, WHAT("no_stopped"), &p->no_stopped, e) < 0)
		return -1;
	if ((n = ymap_get(map, "exits_before"))) {
		if (ynode_expect(n, YNODE_SEQ, WHAT("exits_before"), e) < 0)
			return -1;
		if (n->n != 2)
			return error_at(e, n->file, n->line, n->col,
					"%s: expected two roles [A, B] (A exits before B), got %zu",
					what, n->n);
		if (parse_role(n->items[0], WHAT("exits_before[0]"),
			       &p->exits_first, e) < 0 ||
		    parse_role(n->items[1], WHAT("exits_before[1]"),
			       &p->exits_second, e) < 0)
			return -1;
		if (!strcmp(p->exits_first, p->exits_second))
			return error_at(e, n->file, n->line, n->col,
					"%s: the two roles are the same", base);
	}
	if ((n = ymap_get(map, "compare_args"))) {
		if (t->kind != STEP_RUN)
			return error_at(e, n->file, n->line, n->col,
					"%s: only a test of type run can compare runs",
					WHAT("compare_args"));
		if (ynode_expect(n, YNODE_SEQ, WHAT("compare_args"), e) < 0 ||
		    ynode_string_list(n, what, &p->compare_args,
				      &p->ncompare_args, e) < 0)
			return -1;
	}
#undef WHAT
	return 0;
}

void spec_processes_free(struct spec_processes *p)
{
	if (!p)
		return;
	free(p->exits_first);
	free(p->exits_second);
	strv_free(p->compare_args);
	free(p);
}
