/*
 * step_procs.c - judging a test's `processes:` rules (spec_procs.h) on
 * what procwatch saw, for every kind of step (see grade_step.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "grade_step.h"
#include "procwatch.h"
#include "spec_procs.h"
#include "util.h"

#define FIGURE_ROWS 40

/* The first broken rule, as a message; NULL when all hold. */
static char *broken_rule(const struct spec_processes *p,
			 const struct procwatch *pw, double scale)
{
	char role[64], prole[64];

	if (p->max_alive && pw->max_alive > p->max_alive)
		return xasprintf("processes: %d of the program's processes were alive at once (at %.2f s); at most %d may be",
				 pw->max_alive, pw->t_max_alive, p->max_alive);
	if (p->min_workers) {
		int w = procwatch_workers(pw, p->worker_cpu_s);

		if (w < p->min_workers)
			return xasprintf("processes: %d process%s besides main did work (used more than %.0f ms of CPU); at least %d must",
					 w, w == 1 ? "" : "es",
					 p->worker_cpu_s * 1000, p->min_workers);
	}
	if (p->zombie_s >= 0) {
		const struct pw_proc *z = procwatch_worst_zombie(pw);

		if (z && z->z_longest > p->zombie_s * scale)
			return xasprintf("processes: %s (pid %ld) stayed a zombie for at least %.0f ms from %.2f s while its parent %s ran on; it must be reaped (wait/waitpid) within %.0f ms",
					 procwatch_role_of(pw, z->pid, role, sizeof(role)),
					 (long)z->pid, z->z_longest * 1000, z->z_at,
					 procwatch_role_of(pw, z->z_parent, prole, sizeof(prole)),
					 p->zombie_s * scale * 1000);
	}
	if (p->no_stopped) {
		const struct pw_proc *s = procwatch_stopped(pw);

		if (s)
			return xasprintf("processes: %s (pid %ld) was stopped (state T) when last seen at %.2f s; no process may stop",
					 procwatch_role_of(pw, s->pid, role, sizeof(role)),
					 (long)s->pid, s->t_last);
	}
	if (p->exits_first) {
		pid_t a = procwatch_role_pid(pw, p->exits_first);
		pid_t b = procwatch_role_pid(pw, p->exits_second);

		if (a <= 0 || b <= 0)
			return xasprintf("processes: no process was seen as %s (it must exit before %s)",
					 a <= 0 ? p->exits_first : p->exits_second,
					 a <= 0 ? p->exits_second : p->exits_first);
		if (procwatch_exited_before(pw, b, a))
			return xasprintf("processes: %s (pid %ld) exited (seen at %.2f s) before %s (pid %ld); it must exit after it",
					 p->exits_second, (long)b,
					 procwatch_find(pw, b)->t_exit,
					 p->exits_first, (long)a);
	}
	return NULL;
}

/*
 * compare_args: the same test once more with other arguments (W=1 against
 * W=2: the course's "efficiency test"); the ratio of wall times is
 * reported, never graded -- on a shared machine it is a measurement, not
 * a property of the program. Returns nothing: a failure to run the
 * comparison is said in the details.
 */
static void compare(struct grade_ctx *c, enum variant v, double scale,
		    const struct run_eval *ev, struct buf *details)
{
	const struct spec_test *t = c->t;
	const struct spec_processes *p = t->processes;
	struct spawn sp;
	struct variant_run vr;
	struct error e;
	char **env = NULL;
	const char **argv = NULL, **cargv = NULL;
	size_t n = 0, i, keep;
	int rc;

	error_init(&e);
	memset(&vr, 0, sizeof(vr));
	spawn_init(&sp);
	rc = grade_prepare_run(c, c->program[build_variant_of(v)], v, scale,
			       &sp, &vr, &env, &argv, &e);
	if (rc == 0) {
		/* the test's args are argv's tail: put the others there */
		while (argv[n])
			n++;
		keep = n - t->nargs;
		cargv = xcalloc(keep + p->ncompare_args + 1, sizeof(*cargv));
		for (i = 0; i < keep; i++)
			cargv[i] = argv[i];
		for (i = 0; i < p->ncompare_args; i++)
			cargv[keep + i] = p->compare_args[i];
		sp.argv = cargv;
		rc = spawn_run(&sp, &e);
	}
	buf_adds(details, "speed-up (reported, not graded): ");
	if (rc < 0) {
		char msg[512];

		error_format(&e, msg, sizeof(msg));
		buf_addf(details, "the comparison run could not be made: %s\n", msg);
	} else if (sp.outcome != SPAWN_EXITED || sp.exit_code != 0) {
		buf_addf(details, "the comparison run failed (%s)\n",
			 spawn_outcome_name(sp.outcome));
	} else {
		buf_addf(details, "%.2f s of wall time with these arguments, %.2f s with [",
			 ev->wall_s, sp.wall_used);
		for (i = 0; i < p->ncompare_args; i++)
			buf_addf(details, "%s%s", i ? ", " : "", p->compare_args[i]);
		buf_addf(details, "]: %.2fx (CPU %.2f s against %.2f s; the machine may be shared)\n",
			 ev->wall_s > 0 ? sp.wall_used / ev->wall_s : 0,
			 ev->cpu_s, sp.cpu_used);
	}
	variant_run_release(&vr);
	strv_free(env);
	free(argv);
	free(cargv);
	spawn_release(&sp);
}

int step_procs_judge(struct grade_ctx *c, enum variant v,
		     const struct procwatch *pw, double scale,
		     struct run_eval *ev, struct buf *details)
{
	const struct spec_processes *p = c->t->processes;
	const struct pw_proc *z;
	char *msg;

	procwatch_format(pw, p ? p->worker_cpu_s : PROCS_DEFAULT_WORKER_CPU_S,
			 FIGURE_ROWS, details);
	if (!p)
		return 0;
	/* a lingering zombie is a hygiene finding whatever the verdict; the
	 * text is the same in every run so that it is one finding */
	z = procwatch_worst_zombie(pw);
	if (p->zombie_s >= 0 && z && z->z_longest > p->zombie_s * scale)
		grade_add_hygiene_finding(c, v, "zombie",
			xasprintf("a child stayed a zombie for more than %.0f ms while its parent ran on (it was not reaped with wait/waitpid)",
				  p->zombie_s * scale * 1000));
	if (p->compare_args && ev->verdict == VERDICT_PASSED)
		compare(c, v, scale, ev, details);
	if (ev->verdict != VERDICT_PASSED || !(msg = broken_rule(p, pw, scale)))
		return 0;
	ev->verdict = PROCESS_RULE_VERDICT;
	free(ev->message);
	ev->message = msg;
	return 1;
}
