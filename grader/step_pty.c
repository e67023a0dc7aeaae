/*
 * step_pty.c - the `pty` step: the program on a terminal, run as an
 * interactive shell runs a command, driven by the test's script (see
 * spec_pty.h, pty_script.h). Every run is watched (procwatch), so that
 * the script can name processes by role and the `processes:` rules can
 * be judged; the transcript and the figures are the row's details.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "grade_step.h"
#include "procwatch.h"
#include "pty_script.h"
#include "spec_pty.h"
#include "util.h"

#define DETAILS_MAX (96 << 10)

/* The verdict of a failed script. */
static enum verdict script_verdict(enum pty_failure f)
{
	switch (f) {
	case PTY_FAIL_WAITED: return VERDICT_TIMEOUT;
	case PTY_FAIL_EXIT: return VERDICT_WRONG_EXIT;
	case PTY_FAIL_PROCESS: return PROCESS_RULE_VERDICT;
	default: return VERDICT_WRONG_OUTPUT;
	}
}

/* One run: fills ev and *details (transcript + figures). *own_message is
 * set when ev's message is the step's own (a script or process rule,
 * which names no hidden input). Returns 0, or -1 on a fault. */
static int run_once(struct grade_ctx *c, enum variant v, double scale,
		    struct run_eval *ev, char **details, int *own_message,
		    struct error *e)
{
	const struct spec_test *t = c->t;
	struct spawn sp;
	struct variant_run vr;
	struct procwatch pw;
	struct pty_run r;
	struct buf d;
	char **env = NULL;
	const char **argv = NULL, **jargv = NULL;
	int rc, started = 0, killed;

	*own_message = 0;
	memset(&vr, 0, sizeof(vr));
	spawn_init(&sp);
	procwatch_init(&pw, 1);
	pty_run_init(&r, t->pty, scale, &pw, "spec.yaml");
	rc = grade_prepare_run(c, c->program[build_variant_of(v)], v, scale,
			       &sp, &vr, &env, &argv, e);
	if (rc == 0 && !(jargv = pty_job_argv(argv, e)))
		rc = -1;
	if (rc == 0) {
		sp.argv = jargv;
		sp.use_pty = 1;
		sp.stdin_path = NULL;
		sp.stdin_data = NULL;
		sp.on_tick = procwatch_tick;
		sp.tick_arg = &pw;
		rc = spawn_start(&sp, e);
		started = rc == 0;
	}
	if (rc == 0 && pty_script_run(&sp, &r, e) < 0)
		rc = -1;
	killed = rc == 0 && r.failure && !r.ended;
	if (started && pty_script_finish(&sp, &r, rc == 0 && !r.failure) < 0 &&
	    rc == 0)
		rc = error_set(e, "pty step: pumping the program's output failed");
	if (rc == 0) {
		grade_evaluate(c, v, &sp, &vr, scale, ev);
		/* the script's failure is what went wrong first: it comes
		 * before the output checks and the exit status, and explains
		 * a run the grader ended itself (which looks like a death by
		 * SIGKILL); a death of the program's own, a tool finding or a
		 * limit come first */
		if (r.failure &&
		    (ev->verdict == VERDICT_PASSED ||
		     ev->verdict == VERDICT_WRONG_EXIT ||
		     ev->verdict == VERDICT_WRONG_OUTPUT ||
		     (killed && ev->verdict == VERDICT_CRASHED))) {
			ev->verdict = script_verdict(r.failure);
			free(ev->message);
			ev->message = xasprintf("%s (script step at spec.yaml:%d)",
						r.message, r.fail_line);
			*own_message = r.failure == PTY_FAIL_PROCESS;
		}
		buf_init(&d, DETAILS_MAX);
		buf_adds(&d, "terminal (< the program's lines, > what was typed or sent, = how it ended):\n");
		buf_add(&d, r.transcript.data, r.transcript.len);
		if (r.transcript.truncated)
			buf_adds(&d, "... (transcript cut)\n");
		buf_adds(&d, "\n");
		if (step_procs_judge(c, v, &pw, scale, ev, &d))
			*own_message = 1;
		*details = buf_detach(&d, NULL);
	}
	variant_run_release(&vr);
	if (!c->r->isolation && sp.isolation)
		c->r->isolation = xstrdup(sp.isolation);
	pty_run_release(&r);
	procwatch_release(&pw);
	strv_free(env);
	free(argv);
	free(jargv);
	spawn_release(&sp);
	return rc;
}

int step_pty(struct grade_ctx *c, enum variant v, struct test_outcome *row,
	     struct error *e)
{
	const struct spec_test *t = c->t;
	struct run_eval first_fail, last;
	char *fail_details = NULL, *last_details = NULL, *fail_msg = NULL;
	int have_fail = 0, own_fail = 0, own_last = 0, i;
	enum verdict this;
	double scale = variant_time_scale(v);

	memset(&first_fail, 0, sizeof(first_fail));
	memset(&last, 0, sizeof(last));
	for (i = 0; i < t->repeat; i++) {
		grade_eval_release(&last);
		free(last_details);
		last_details = NULL;
		if (run_once(c, v, scale, &last, &last_details, &own_last, e) < 0) {
			grade_eval_release(&first_fail);
			grade_eval_release(&last);
			free(fail_details);
			free(last_details);
			return -1;
		}
		row->runs++;
		this = last.verdict;
		if (this != VERDICT_PASSED) {
			row->failures++;
			if (!have_fail) {
				first_fail = last;
				memset(&last, 0, sizeof(last));
				fail_details = last_details;
				last_details = NULL;
				own_fail = own_last;
				have_fail = 1;
			}
		}
		if (c->o->verbose)
			fprintf(stderr, "  %s [%s] run %d/%d: %s\n", t->name,
				variant_name(v), i + 1, t->repeat,
				verdict_name(this));
	}
	if (have_fail && own_fail && first_fail.message)
		fail_msg = xstrdup(first_fail.message);
	grade_fill_row(c, row, v, have_fail ? &first_fail : &last);
	if (fail_msg && t->visibility != VIS_VISIBLE) {
		free(row->message);
		row->message = fail_msg;
		fail_msg = NULL;
	}
	free(fail_msg);
	if (have_fail && t->repeat > 1) {
		char *m = xasprintf("%s (failed %d of %d runs)",
				    row->message ? row->message : "failed",
				    row->failures, row->runs);

		free(row->message);
		row->message = m;
	}
	if (t->visibility == VIS_VISIBLE) {
		row->details = have_fail ? fail_details : last_details;
		if (have_fail)
			fail_details = NULL;
		else
			last_details = NULL;
	}
	free(fail_details);
	free(last_details);
	grade_eval_release(&first_fail);
	grade_eval_release(&last);
	return 0;
}
