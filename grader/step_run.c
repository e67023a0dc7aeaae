/*
 * step_run.c - the `run` step: the program once with args, stdin and env,
 * `repeat` times; every run must pass. See grade_step.h.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "grade_step.h"
#include "procwatch.h"
#include "util.h"

/* STEP_RUN: run the program `repeat` times; every run must pass. */
int step_run(struct grade_ctx *c, enum variant v,
		    struct test_outcome *row, struct error *e)
{
	const struct spec_test *t = c->t;
	struct run_eval first_fail, last;
	char *details = NULL, *fail_details = NULL;
	int have_fail = 0, i;
	unsigned long long first_seed = 0;
	struct buf seeds;
	double scale = variant_time_scale(v);

	buf_init(&seeds, 4096);
	buf_adds(&seeds, "");
	memset(&first_fail, 0, sizeof(first_fail));
	memset(&last, 0, sizeof(last));
	for (i = 0; i < t->repeat; i++) {
		struct spawn sp;
		struct variant_run vr;
		char **env = NULL;
		const char **argv = NULL;
		const char *sp_isolation;
		enum verdict this;
		struct procwatch pw;
		int rc;

		spawn_init(&sp);
		c->run_index = i;
		procwatch_init(&pw, 0);
		rc = grade_prepare_run(c, c->program[build_variant_of(v)], v,
				       scale, &sp, &vr, &env, &argv, e);
		if (t->processes) { /* `processes:` rules: watch the tree */
			sp.on_tick = procwatch_tick;
			sp.tick_arg = &pw;
		}
		if (rc == 0)
			rc = spawn_run(&sp, e);
		if (rc == 0) {
			grade_eval_release(&last);
			grade_evaluate(c, v, &sp, &vr, scale, &last);
			if (t->processes) {
				struct buf d;

				buf_init(&d, 64 << 10);
				step_procs_judge(c, v, &pw, scale, &last, &d);
				free(details);
				details = buf_detach(&d, NULL);
			}
		}
		procwatch_release(&pw);
		sp_isolation = sp.isolation; /* static string */
		variant_run_release(&vr);
		strv_free(env);
		free(argv);
		spawn_release(&sp);
		if (rc < 0) {
			grade_eval_release(&first_fail);
			grade_eval_release(&last);
			buf_release(&seeds);
			free(details);
			free(fail_details);
			return -1;
		}
		row->runs++;
		if (!c->r->isolation && sp_isolation)
			c->r->isolation = xstrdup(sp_isolation);
		this = last.verdict;
		if (this != VERDICT_PASSED) {
			if (!row->failures)
				first_seed = t->perturb_seed + (unsigned long long)i;
			if (t->perturb && row->failures < 8)
				buf_addf(&seeds, "%s%llu", row->failures ? ", " : "",
					 t->perturb_seed + (unsigned long long)i);
			row->failures++;
			if (!have_fail) {
				first_fail = last;
				memset(&last, 0, sizeof(last));
				fail_details = details;
				details = NULL;
				have_fail = 1;
			}
		}
		if (c->o->verbose)
			fprintf(stderr, "  %s [%s] run %d/%d: %s\n", t->name,
				variant_name(v), i + 1, t->repeat,
				verdict_name(this));
	}
	grade_fill_row(c, row, v, have_fail ? &first_fail : &last);
	if (have_fail && (t->repeat > 1 || t->perturb)) {
		char *m;

		if (t->perturb)
			m = xasprintf("%s (failed %d of %d runs with schedule perturbation, rate %g; failing seeds %s%s: rerun one with LD_PRELOAD=perturb.so GRADER_PERTURB_RATE=%g GRADER_PERTURB_SEED=%llu)",
				      row->message ? row->message : "failed",
				      row->failures, row->runs, t->perturb_rate,
				      seeds.data, row->failures > 8 ? ", ..." : "",
				      t->perturb_rate, first_seed);
		else
			m = xasprintf("%s (failed %d of %d runs)",
				      row->message ? row->message : "failed",
				      row->failures, row->runs);
		free(row->message);
		row->message = m;
	}
	buf_release(&seeds);
	if (t->visibility == VIS_VISIBLE) {
		row->details = have_fail ? fail_details : details;
		if (have_fail)
			fail_details = NULL;
		else
			details = NULL;
	}
	free(details);
	free(fail_details);
	grade_eval_release(&first_fail);
	grade_eval_release(&last);
	return 0;
}

