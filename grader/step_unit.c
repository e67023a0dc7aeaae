/*
 * step_unit.c - the `unit` step: one test case of an instructor's Check
 * suite, linked with the student's library, run by the grader's runner in
 * a process of its own, passed only on the runner's completion record. See
 * grade_step.h, spec_unit.h, unitbuild.h, unitrun.h.
 *
 * Most unit tests sleep (timeouts, wake-ups), so running the 30 cases of a
 * suite one after another wastes the machine. The first time the pipeline
 * asks for a unit test under a variant, this step starts every unit test
 * still to come that shares its binary and variant, a few at once
 * (unit_run_batch), and keeps their finished runs; each is judged later,
 * when the pipeline reaches its row, so findings and hygiene reports land
 * on the right test. The kept runs live in a static table tied to the
 * grading's WORK directory (a new grading drops the old ones).
 *
 * Judging a run, in order: what grade_evaluate() sees (tool findings,
 * limits, a crash); the test's own CPU limit (max_cpu); the completion
 * record (missing: the test ended early -- exit() in the tested code;
 * twice: it forked); the number of tests the case reported; the first
 * Check test that did not pass (its message and file:line).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "grade_step.h"
#include "spec_unit.h"
#include "toolchain.h"
#include "unitbuild.h"
#include "unitrun.h"
#include "util.h"

/* Finished runs waiting for their row. */
struct unit_pending {
	size_t test;
	enum variant v;
	struct unit_run **runs;
	int nruns;
};

static struct {
	char *workdir;
	struct unit_pending *items;
	size_t n;
} kept;

static void pending_release(struct unit_pending *p)
{
	int i;

	for (i = 0; i < p->nruns; i++) {
		unit_run_release(p->runs[i]);
		free(p->runs[i]);
	}
	free(p->runs);
	memset(p, 0, sizeof(*p));
}

/* Drops what an earlier grading left (its WORK directory is gone). */
static void kept_reset(const char *workdir)
{
	size_t i;

	if (kept.workdir && !strcmp(kept.workdir, workdir))
		return;
	for (i = 0; i < kept.n; i++)
		pending_release(&kept.items[i]);
	free(kept.items);
	free(kept.workdir);
	kept.items = NULL;
	kept.n = 0;
	kept.workdir = xstrdup(workdir);
}

/* Removes and returns the kept runs of (test, v): 1, or 0 if none. */
static int kept_take(size_t test, enum variant v, struct unit_pending *out)
{
	size_t i;

	for (i = 0; i < kept.n; i++) {
		if (kept.items[i].test != test || kept.items[i].v != v)
			continue;
		*out = kept.items[i];
		kept.items[i] = kept.items[--kept.n];
		return 1;
	}
	return 0;
}

/* How many runs at once: sleeping tests overlap well, valgrind does not. */
static int batch_jobs(enum variant v)
{
	const char *env = getenv("GRADER_UNIT_JOBS");
	int cpus = cpu_count();

	if (env && atoi(env) > 0)
		return atoi(env);
	if (v >= VARIANT_MEMCHECK)
		return cpus;
	return cpus * 2 > 8 ? 8 : cpus * 2;
}

static char **run_env(const struct grade_ctx *c, const struct spec_test *t,
		      enum variant v)
{
	size_t n = 0, i;
	char **env = xcalloc(t->nenv + 2, sizeof(char *));

	for (i = 0; i < t->nenv; i++)
		env[n++] = xstrdup(t->env[i]);
	if (t->unit->program && c->program[build_variant_of(v)])
		env[n++] = xasprintf("UNIT_PROGRAM=%s",
				     c->program[build_variant_of(v)]);
	env[n] = NULL;
	return env;
}

static struct unit_run *new_run(const struct grade_ctx *c,
				const struct spec_test *t, enum variant v,
				const char *runner)
{
	struct unit_run *r = xmalloc(sizeof(*r));
	double scale = variant_time_scale(v);
	size_t i;

	unit_run_init(r);
	r->v = v;
	r->tool_prefix = v == VARIANT_PLAIN ? NULL : toolchain_prefix(v);
	if (v >= VARIANT_MEMCHECK && t->unit->nsuppressions) {
		r->extra_tool_args = xcalloc(t->unit->nsuppressions + 1,
					     sizeof(char *));
		for (i = 0; i < t->unit->nsuppressions; i++)
			r->extra_tool_args[i] = xasprintf(
				"--suppressions=%s", t->unit->suppressions[i]);
	}
	r->runner = runner;
	r->tcase = t->unit->tcase;
	r->env = run_env(c, t, v);
	r->wall_s = t->limits.wall_s * scale;
	r->cpu_s = t->limits.cpu_s * scale;
	/* the same headroom as grade_prepare_run() gives tools */
	r->memory = v >= VARIANT_MEMCHECK ? t->limits.memory * 4 : t->limits.memory;
	if (v == VARIANT_ASAN || v == VARIANT_TSAN)
		r->memory = t->limits.memory * 3;
	r->processes = t->limits.processes;
	r->open_files = t->limits.open_files;
	r->disk = t->limits.disk;
	r->inodes = t->limits.inodes;
	r->output = t->limits.output;
	return r;
}

/* Would the pipeline ask for test j under v? */
static int will_run(const struct grade_ctx *c, const struct spec_test *t,
		    enum variant v)
{
	unsigned vs = t->variants & (c->o->variants ? c->o->variants : ~0u);

	if (c->o->public_only && t->visibility != VIS_VISIBLE)
		return 0;
	return t->kind == STEP_UNIT && (vs & VARIANT_BIT(v));
}

/* Runs test `from` and every later unit test of the same binary under v,
 * a few at once, and keeps their runs. */
static int run_ahead(struct grade_ctx *c, enum variant v, size_t from,
		     const char *key, const char *runner, struct error *e)
{
	const struct spec *s = c->s;
	struct unit_run **all = NULL;
	size_t nall = 0, j;
	int rc;

	for (j = from; j < s->ntests; j++) {
		const struct spec_test *t = &s->tests[j];
		struct unit_pending p;
		char *k;
		int i, same;

		if (!will_run(c, t, v))
			continue;
		k = unit_build_key(s, t);
		same = !strcmp(k, key);
		free(k);
		if (!same)
			continue;
		memset(&p, 0, sizeof(p));
		p.test = j;
		p.v = v;
		p.nruns = t->repeat;
		p.runs = xcalloc((size_t)t->repeat, sizeof(*p.runs));
		all = xrealloc(all, (nall + (size_t)t->repeat) * sizeof(*all));
		for (i = 0; i < t->repeat; i++)
			all[nall++] = p.runs[i] = new_run(c, t, v, runner);
		kept.items = xrealloc(kept.items, (kept.n + 1) * sizeof(*kept.items));
		kept.items[kept.n++] = p;
	}
	rc = unit_run_batch(all, nall, batch_jobs(v), c->workdir, e);
	free(all);
	return rc;
}

static char *fmt_cpu(double s)
{
	if (s < 10)
		return xasprintf("%.0f ms", s * 1000);
	return xasprintf("%.1f s", s);
}

/* The unit-specific part of judging a run whose process ended normally. */
static void judge(const struct spec_test *t, const struct unit_run *r,
		  double scale, struct run_eval *ev)
{
	const struct spec_unit *u = t->unit;
	struct unit_record rec;
	char *msg = NULL;
	size_t i;

	if (ev->verdict != VERDICT_PASSED)
		return;
	unit_record_parse(r->rec.data, r->rec.len, r->nonce, &rec);
	if (u->max_cpu_s > 0 && r->sp.cpu_used > u->max_cpu_s * scale) {
		char *used = fmt_cpu(r->sp.cpu_used);
		char *max = fmt_cpu(u->max_cpu_s * scale);

		ev->verdict = VERDICT_TIMEOUT;
		ev->limit = xasprintf("CPU time %s (max_cpu)", max);
		msg = xasprintf("the test used %s of CPU time, more than the %s it may use: does the code busy-wait (poll in a loop) instead of sleeping until it is woken?",
				used, max);
		free(used);
		free(max);
	} else if (!rec.complete) {
		ev->verdict = VERDICT_WRONG_EXIT;
		msg = xasprintf("the test ended before it completed (exit status %d, and the test runner never reported): exit() or _exit() called in the tested code?%s",
				r->sp.exit_code,
				rec.foreign ? " (and something else wrote to the runner's private channel)" : "");
	} else if (rec.copies > 1) {
		ev->verdict = VERDICT_WRONG_EXIT;
		msg = xstrdup("the test completed more than once: the tested code created a process (fork) that went on running the test");
	} else if (rec.ntests != u->ntests) {
		ev->verdict = VERDICT_ERROR;
		if (rec.ntests == 0)
			msg = xasprintf("the suite %s has no test case named '%s' (a problem of the spec: see `case`)",
					u->suite_rel, u->tcase);
		else
			msg = xasprintf("the test case '%s' of %s ran %d tests, the spec declares %d (`tests`)",
					u->tcase, u->suite_rel, rec.ntests,
					u->ntests);
	} else {
		for (i = 0; i < rec.nresults; i++) {
			const struct unit_result *res = &rec.results[i];

			if (res->rtype == 'P')
				continue;
			ev->verdict = VERDICT_WRONG_OUTPUT;
			msg = xasprintf("%s%s:%d: %s",
					res->rtype == 'E' ? "error: " : "",
					res->file, res->line, res->message);
			break;
		}
	}
	if (msg) {
		free(ev->message);
		ev->message = msg;
	}
	unit_record_release(&rec);
}

/* How a student reruns a visible test with the suite's own main. */
static char *repro(const struct spec_test *t, enum variant v)
{
	const struct spec_unit *u = t->unit;
	struct buf b;
	size_t i;

	buf_init(&b, 4096);
	for (i = 0; i < t->nenv; i++)
		buf_addf(&b, "%s ", t->env[i]);
	buf_addf(&b, "CK_RUN_CASE=%s ", u->tcase);
	if (v >= VARIANT_MEMCHECK)
		buf_addf(&b, "CK_FORK=no valgrind --tool=%s ", variant_name(v));
	{
		const char *base = strrchr(u->suite_rel, '/');

		base = base ? base + 1 : u->suite_rel;
		buf_addf(&b, "./%.*s   # %s built with your code (see the statement)",
			 (int)(strlen(base) - 2), base, u->suite_rel);
	}
	return buf_detach(&b, NULL);
}

int step_unit(struct grade_ctx *c, enum variant v, struct test_outcome *row,
	      struct error *e)
{
	const struct spec_test *t = c->t;
	size_t ti = (size_t)(t - c->s->tests);
	double scale = variant_time_scale(v);
	struct unit_pending p;
	struct unit_build ub;
	struct run_eval first_fail, last;
	int have_fail = 0, i, rc;
	char *wdir;

	kept_reset(c->workdir);
	/* each variant's worker builds in a directory of its own: two
	 * sandboxed compilers (two uids) must never share one */
	wdir = xasprintf("%s/build-unit-%s", c->workdir, c->tag);
	rc = unit_build_get(c->s, t, c->o->submission_dir, wdir, v, &ub, e);
	free(wdir);
	if (rc < 0)
		return -1;
	if (!ub.ok) {
		row->verdict = ub.verdict;
		if (t->visibility != VIS_VISIBLE && ub.verdict == VERDICT_ERROR)
			row->message = xstrdup("the unit test could not be built: a problem of the exercise, not of the submission");
		else
			row->message = xstrdup(ub.message);
		row->hint = t->hint ? xstrdup(t->hint) : NULL;
		unit_build_release(&ub);
		return 0;
	}
	if (!kept_take(ti, v, &p)) {
		if (run_ahead(c, v, ti, ub.key, ub.runner, e) < 0 ||
		    !kept_take(ti, v, &p)) {
			unit_build_release(&ub);
			if (!e->msg[0])
				error_set(e, "unit test %s was not run", t->name);
			return -1;
		}
	}
	memset(&first_fail, 0, sizeof(first_fail));
	memset(&last, 0, sizeof(last));
	for (i = 0; i < p.nruns; i++) {
		struct unit_run *r = p.runs[i];

		grade_eval_release(&last);
		grade_evaluate(c, v, &r->sp, &r->vr, scale, &last);
		judge(t, r, scale, &last);
		row->runs++;
		if (!c->r->isolation && r->sp.isolation)
			c->r->isolation = xstrdup(r->sp.isolation);
		if (c->o->verbose)
			fprintf(stderr, "  %s [%s] run %d/%d: %s\n", t->name,
				variant_name(v), i + 1, p.nruns,
				verdict_name(last.verdict));
		if (last.verdict != VERDICT_PASSED) {
			row->failures++;
			if (!have_fail) {
				first_fail = last;
				memset(&last, 0, sizeof(last));
				have_fail = 1;
			}
		}
	}
	grade_fill_row(c, row, v, have_fail ? &first_fail : &last);
	if (t->visibility == VIS_VISIBLE) {
		free(row->command);
		row->command = repro(t, v);
		if (t->unit->max_cpu_s > 0) {
			char *used = fmt_cpu(row->cpu_s);
			char *max = fmt_cpu(t->unit->max_cpu_s * scale);

			row->details = xasprintf("CPU time used by the test: %s (at most %s)\n",
						 used, max);
			free(used);
			free(max);
		}
	} else if (row->verdict == VERDICT_WRONG_OUTPUT) {
		free(row->message);
		row->message = xstrdup("a check of this hidden unit test failed");
	}
	if (have_fail && p.nruns > 1) {
		char *m = xasprintf("%s (failed %d of %d runs)",
				    row->message ? row->message : "failed",
				    row->failures, row->runs);

		free(row->message);
		row->message = m;
	}
	grade_eval_release(&first_fail);
	grade_eval_release(&last);
	pending_release(&p);
	unit_build_release(&ub);
	return 0;
}
