/*
 * grade.c - the grading pipeline. See grade.h.
 *
 * Layout of the private working directory (removed at the end):
 *   WORK/build-<variant>/   the submission compiled per build variant
 *   WORK/ref/build-plain/   the reference solution, when a check needs it
 *   WORK/stdin-<n>          test n's standard input, materialised once
 *   WORK/run/               the program's working directory, new every run
 *   WORK/logs/              the tools' reports (sanitizers, valgrind)
 *
 * A test is a step (what runs) plus checks (what is asserted). Steps are
 * dispatched through step_table by enum step_kind, so a new kind of step
 * adds one function and one row.
 */
#define _GNU_SOURCE
#include "grade.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "build.h"
#include "diag.h"
#include "diff.h"
#include "match.h"
#include "report.h"
#include "runfs.h"
#include "spawn.h"
#include "toolchain.h"
#include "util.h"
#include "variant.h"
#include "grade_step.h"
#include "hygiene_ipc.h"
#include "procacct.h"

#define DIFF_CONTEXT 3
#define DIFF_MAX_LINES 60


void grade_eval_release(struct run_eval *ev)
{
	free(ev->message);
	free(ev->diff);
	free(ev->expected);
	free(ev->actual);
	free(ev->stderr_excerpt);
	free(ev->limit);
	memset(ev, 0, sizeof(*ev));
}

/* A printable excerpt of program output: NUL bytes shown as \0, cut after
 * max bytes with a note saying how much was left out. */
char *grade_excerpt(const char *data, size_t len, size_t max)
{
	struct buf b;
	size_t i, n = len < max ? len : max;

	buf_init(&b, max * 2 + 128);
	for (i = 0; i < n; i++) {
		if (data[i] == '\0')
			buf_adds(&b, "\\0");
		else
			buf_addch(&b, data[i]);
	}
	if (len > max)
		buf_addf(&b, "\n... (%zu more bytes not shown)\n", len - max);
	return buf_detach(&b, NULL);
}

static char *human_size(long long bytes)
{
	if (bytes >= (1LL << 30) && bytes % (1LL << 30) == 0)
		return xasprintf("%lld GiB", bytes >> 30);
	if (bytes >= (1LL << 20))
		return xasprintf("%.3g MiB", (double)bytes / (1 << 20));
	if (bytes >= (1LL << 10))
		return xasprintf("%.3g KiB", (double)bytes / (1 << 10));
	return xasprintf("%lld bytes", bytes);
}

static const char *signal_name(int sig)
{
	const char *abbrev = sigabbrev_np(sig);
	static __thread char name[32];

	if (!abbrev) {
		snprintf(name, sizeof(name), "signal %d", sig);
		return name;
	}
	snprintf(name, sizeof(name), "SIG%s", abbrev);
	return name;
}

/* The environment of a run: a minimal base, then the variant's tool
 * options, then the test's own variables (which win). */
static char **make_env(const struct variant_run *vr, const struct spec_test *t)
{
	size_t n = 0, i;
	char **env = xcalloc(4 + vr->nenv + t->nenv, sizeof(char *));

	env[n++] = xstrdup("PATH=/usr/local/bin:/usr/bin:/bin");
	env[n++] = xstrdup("LANG=C.UTF-8");
	for (i = 0; i < vr->nenv; i++)
		env[n++] = xstrdup(vr->env[i]);
	for (i = 0; i < t->nenv; i++)
		env[n++] = xstrdup(t->env[i]);
	env[n] = NULL;
	return env;
}


/* spawn's before_kill: a time limit was hit; before the tree dies, see
 * where every thread of every process waits (gdb, or /proc under
 * valgrind, where gdb shows valgrind's scheduler). */
static void capture_hang(struct spawn *sp, enum spawn_outcome why, void *arg)
{
	struct grade_ctx *c = arg;
	struct stacks_options o;
	pid_t *pids;
	int n;

	(void)why;
	n = spawn_pids(sp, &pids);
	if (n <= 0) {
		free(pids);
		return;
	}
	stacks_options_init(&o);
	o.sources = (const char *const *)c->s->build.sources;
	o.use_gdb = c->run_variant < VARIANT_MEMCHECK;
	if (c->have_hang)
		stacks_release(&c->hang);
	stacks_capture(&c->hang, pids, (size_t)n, &o);
	c->have_hang = 1;
	free(pids);
}

/* Where the schedule-perturbation library is: $GRADER_PERTURB_SO, else
 * where the Makefile built it next to the grader. */
static const char *perturb_so(void)
{
	const char *p = getenv("GRADER_PERTURB_SO");

	return p && *p ? p : GRADER_PERTURB_SO;
}

/* The test's `perturb`: the library preloaded, run i seeded with seed + i
 * (so that each repeat explores another schedule, each reproducible), set
 * last so that the test's own env cannot change them. ASan checks that
 * its runtime comes first among preloaded libraries; the perturbation
 * library only wraps calls it forwards, so that check is turned off. */
static int perturb_env(struct grade_ctx *c, enum variant v, char ***envp,
		       struct error *e)
{
	const struct spec_test *t = c->t;
	const char *so = perturb_so();
	char **env = *envp;
	size_t n = 0, i;

	if (access(so, R_OK) < 0)
		return error_set(e, "the schedule-perturbation library %s is missing (build the grader with make, or set GRADER_PERTURB_SO)",
				 so);
	while (env[n])
		n++;
	env = xrealloc(env, (n + 5) * sizeof(*env));
	for (i = 0; i < n; i++)
		if (v == VARIANT_ASAN && !strncmp(env[i], "ASAN_OPTIONS=", 13)) {
			char *x = xasprintf("%s:verify_asan_link_order=0", env[i]);

			free(env[i]);
			env[i] = x;
		}
	env[n++] = xasprintf("LD_PRELOAD=%s", so);
	env[n++] = xasprintf("GRADER_PERTURB_SEED=%llu",
			     t->perturb_seed + (unsigned long long)c->run_index);
	env[n++] = xasprintf("GRADER_PERTURB_RATE=%g", t->perturb_rate);
	env[n++] = xasprintf("GRADER_PERTURB_SLEEP_US=%d", t->perturb_sleep_us);
	env[n] = NULL;
	*envp = env;
	return 0;
}

/* Prepares sp to run `program args` of the current test once in a fresh
 * WORK/run directory (see grade_step.h). */
int grade_prepare_run(struct grade_ctx *c, const char *program,
		       enum variant v, double scale, struct spawn *sp,
		       struct variant_run *vr, char ***envp, const char ***argvp,
		       struct error *e)
{
	const struct spec_test *t = c->t;
	const char *rundir = c->rundir;
	const char *logdir = c->logdir;
	const char **argv;
	const char *const *tp;
	size_t n = 0, i;
	int rc = 0;

	/* mkdir, not mkdir_p: a work directory removed by an interrupted
	 * grader's clean-up (signals.h) must not come back */
	if (rm_rf(rundir) < 0 || mkdir(rundir, 0755) < 0 ||
	    runfs_mount(rundir, t->limits.disk, t->limits.inodes) < 0 ||
	    (c->shmdir && (rm_rf(c->shmdir) < 0 || mkdir(c->shmdir, 0700) < 0 ||
			   chmod(c->shmdir, 01777) < 0))) {
		rc = error_set(e, "%s: %s", rundir, strerror(errno));
		goto out;
	}
	if (variant_prepare(v, logdir, vr) < 0) {
		rc = error_set(e, "%s: %s", logdir, strerror(errno));
		goto out;
	}
	/* the witness of the tools' reports (procacct.h): as root only,
	 * for the variants that write reports */
	if (v != VARIANT_PLAIN && c->acctdir && runfs_active() &&
	    !(vr->acct_path = procacct_prepare(c->acctdir))) {
		rc = error_set(e, "%s: %s", c->acctdir, strerror(errno));
		goto out;
	}
	tp = v == VARIANT_PLAIN ? NULL : toolchain_prefix(v);
	for (i = 0; tp && tp[i]; i++)
		;
	argv = xcalloc(i + vr->nprefix + t->nargs + 2, sizeof(char *));
	for (i = 0; tp && tp[i]; i++)
		argv[n++] = tp[i];
	for (i = 0; i < vr->nprefix; i++)
		argv[n++] = vr->prefix[i];
	argv[n++] = program;
	for (i = 0; i < t->nargs; i++)
		argv[n++] = t->args[i];
	argv[n] = NULL;
	*argvp = argv;
	*envp = make_env(vr, t);
	if (t->perturb && perturb_env(c, v, envp, e) < 0) {
		rc = -1;
		goto out;
	}

	sp->argv = argv;
	sp->envp = (const char *const *)*envp;
	sp->cwd = rundir;
	sp->stdin_path = c->stdin_path;
	sp->wall_s = t->limits.wall_s * scale;
	sp->cpu_s = t->limits.cpu_s * scale;
	/* valgrind keeps its own shadow memory: give it room */
	sp->memory = v >= VARIANT_MEMCHECK ? t->limits.memory * 4 : t->limits.memory;
	/* ASan/TSan reserve huge virtual ranges and touch more: no RLIMIT_AS,
	 * and a cgroup limit with headroom */
	if (v == VARIANT_ASAN || v == VARIANT_TSAN)
		sp->memory = t->limits.memory * 3;
	sp->processes = t->limits.processes;
	sp->open_files = t->limits.open_files;
	sp->output = t->limits.output;
	if (c->have_hang) {
		stacks_release(&c->hang);
		c->have_hang = 0;
	}
	c->run_variant = v;
	sp->shm_dir = c->shmdir;
	sp->acct_path = vr->acct_path;
	sp->before_kill = capture_hang;
	sp->before_kill_arg = c;
out:
	return rc;
}

/* Builds the reference solution on first need (once, whichever worker
 * asks first; the others wait for it). */
static void ensure_reference(struct grade_ctx *c)
{
	struct ref_build *rb = c->ref;
	struct build_result br;
	struct error e;
	char *refdir, *refwork;

	pthread_mutex_lock(&rb->lock);
	if (rb->state) {
		pthread_mutex_unlock(&rb->lock);
		return;
	}
	refdir = c->o->reference_dir ? xstrdup(c->o->reference_dir)
				     : path_join(c->s->dir, "solution");
	refwork = path_join(c->workdir, "ref");
	error_init(&e);
	rb->state = -1;
	if (!is_dir(refdir)) {
		rb->problem = xasprintf("the reference solution %s is missing", refdir);
	} else if (mkdir_p(refwork) < 0 ||
		   build_submission(c->s, refdir, refwork, VARIANT_PLAIN, &br,
				    &rb->program, &e) < 0) {
		rb->problem = xasprintf("cannot build the reference solution: %s",
					e.msg);
	} else {
		if (br.ok)
			rb->state = 1;
		else
			rb->problem = xasprintf(
				"the reference solution does not compile:\n%s",
				br.output ? br.output : "");
		free(br.command);
		free(br.output);
		strv_free(br.warnings);
	}
	free(refdir);
	free(refwork);
	pthread_mutex_unlock(&rb->lock);
}

/* Runs the reference solution on the current test, once. */
static void run_reference(struct grade_ctx *c)
{
	struct spawn sp;
	struct variant_run vr;
	char **env = NULL;
	const char **argv = NULL;
	struct error e;

	if (c->ref_ran)
		return;
	ensure_reference(c);
	c->ref_ran = -1;
	if (c->ref->state < 0) {
		c->ref_failure = xstrdup(c->ref->problem);
		return;
	}
	error_init(&e);
	spawn_init(&sp);
	/* the reference gets generous limits: it is trusted, and a limit it
	 * hit would blame the student for the instructor's spec */
	if (grade_prepare_run(c, c->ref->program, VARIANT_PLAIN, 3, &sp, &vr,
			      &env, &argv, &e) < 0 ||
	    spawn_run(&sp, &e) < 0) {
		c->ref_failure = xasprintf("cannot run the reference solution: %s",
					   e.msg);
	} else if (sp.outcome != SPAWN_EXITED ||
		   (c->t->exit_status >= 0 && sp.exit_code != c->t->exit_status)) {
		c->ref_failure = xasprintf(
			"the reference solution failed on this test (%s, status %d): check the spec",
			spawn_outcome_name(sp.outcome), sp.exit_code);
	} else {
		c->ref_ran = 1;
		buf_add(&c->ref_out, sp.out.data, sp.out.len);
		buf_add(&c->ref_err, sp.err.data, sp.err.len);
	}
	variant_run_release(&vr);
	strv_free(env);
	free(argv);
	spawn_release(&sp);
}

/* Materialises stdin and the expected texts of the current test. Returns 0,
 * or -1 with a message for a VERDICT_ERROR row in *problem. */
static int prepare_test(struct grade_ctx *c, size_t index, char **problem)
{
	const struct spec_test *t = c->t;
	struct error e;
	char *data = NULL;
	size_t len = 0, i;

	error_init(&e);
	*problem = NULL;
	free(c->stdin_path);
	c->stdin_path = NULL;
	if (t->in.kind != TEXT_NONE) {
		if (spec_text_materialize(&t->in, &data, &len, &e) < 0) {
			*problem = xasprintf("cannot prepare the input: %s", e.msg);
			return -1;
		}
		c->stdin_path = xasprintf("%s/stdin-%s-%zu", c->workdir, c->tag,
					  index);
		if (write_file_atomic(c->stdin_path, data, len) < 0) {
			*problem = xasprintf("cannot write %s: %s", c->stdin_path,
					     strerror(errno));
			free(data);
			return -1;
		}
		c->stdin_len = len;
		free(data);
	}
	c->exp = xcalloc(t->nchecks + 1, sizeof(*c->exp));
	for (i = 0; i < t->nchecks; i++) {
		const struct spec_check *k = &t->checks[i];
		struct expected_text *x = &c->exp[i];

		if (k->expected.kind == TEXT_NONE)
			continue;
		if (k->expected.kind == TEXT_REFERENCE) {
			const struct buf *b;

			run_reference(c);
			if (c->ref_ran < 0) {
				*problem = xstrdup(c->ref_failure);
				return -1;
			}
			b = k->stream == STREAM_STDOUT ? &c->ref_out : &c->ref_err;
			x->data = xstrndup(b->data, b->len);
			x->len = b->len;
		} else if (spec_text_materialize(&k->expected, &x->data, &x->len,
						 &e) < 0) {
			*problem = xasprintf("cannot prepare the expected output: %s",
					     e.msg);
			return -1;
		}
		x->have = 1;
	}
	return 0;
}

static void finish_test(struct grade_ctx *c)
{
	size_t i;

	if (c->exp)
		for (i = 0; i < c->t->nchecks; i++)
			free(c->exp[i].data);
	free(c->exp);
	c->exp = NULL;
	buf_reset(&c->ref_out);
	buf_reset(&c->ref_err);
	c->ref_ran = 0;
	free(c->ref_failure);
	c->ref_failure = NULL;
	if (c->stdin_path)
		unlink(c->stdin_path);
}

/* The first line of a tool's report that says what it found. */
static char *tool_headline(const char *log)
{
	static const char *const marks[] = {
		"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
		"WARNING: ThreadSanitizer", "runtime error:",
		"Invalid read", "Invalid write", "Invalid free",
		"Conditional jump", "Use of uninitialised",
		"definitely lost", "Possible data race", "lock order",
		"Conflicting", "FILE DESCRIPTORS", NULL
	};
	size_t i;

	for (i = 0; marks[i]; i++) {
		const char *p = strstr(log, marks[i]);

		if (p) {
			const char *bol = p, *eol = strchr(p, '\n');

			while (bol > log && bol[-1] != '\n')
				bol--;
			while (*bol == '=' || (*bol >= '0' && *bol <= '9') ||
			       *bol == ' ')
				bol++;
			return xstrndup(bol, eol ? (size_t)(eol - bol) : strlen(bol));
		}
	}
	return xstrdup("the tool reported a problem");
}

/* Findings of the whole grading go to c->r->findings; each carries the
 * test and variant that first produced it (diag_dedup merges repeats). */
struct finding *grade_new_finding(struct grade_ctx *c, enum variant v)
{
	struct grade_result *r = c->r;
	struct finding *f;

	r->findings = xrealloc(r->findings, (r->nfindings + 1) * sizeof(*f));
	f = &r->findings[r->nfindings++];
	memset(f, 0, sizeof(*f));
	f->test = xstrdup(c->t->name);
	f->variant = v;
	f->count = 1;
	return f;
}

void grade_add_hygiene_finding(struct grade_ctx *c, enum variant v,
				const char *kind, char *message)
{
	struct finding *f = grade_new_finding(c, v);

	f->tool = xstrdup("hygiene");
	f->kind = xstrdup(kind);
	f->message = message;
}

/* What one process's report gave: the witness (exit_witness()) looks
 * its writer up by pid. */
struct log_of_pid {
	long pid;
	size_t findings; /* parsed from it */
	size_t off;      /* where its text starts in parse_logs.logs */
};

struct parse_logs {
	struct grade_ctx *c;
	enum variant v;
	struct buf *logs;
	size_t first; /* index of the first finding of this run */
	struct log_of_pid *pids;
	size_t npids;
};

/* One tool report (one file: tools write one per process, pid -1 when
 * the writer is not known): kept for the report's excerpt, and parsed
 * into located findings. */
static void parse_log(const char *text, size_t len, long pid, void *arg)
{
	struct parse_logs *pl = arg;
	struct grade_result *r = pl->c->r;
	size_t before = r->nfindings, i, off = pl->logs->len;

	buf_add(pl->logs, text, len);
	if (text[len - 1] != '\n')
		buf_addch(pl->logs, '\n');
	diag_parse(pl->v, text, len,
		   (const char *const *)pl->c->s->build.sources, &r->findings,
		   &r->nfindings);
	for (i = before; i < r->nfindings; i++) {
		struct finding *f = &r->findings[i];

		free(f->test);
		f->test = xstrdup(pl->c->t->name);
		f->variant = pl->v;
		if (f->count < 1)
			f->count = 1;
	}
	if (pid > 0) {
		pl->pids = xrealloc(pl->pids, (pl->npids + 1) * sizeof(*pl->pids));
		pl->pids[pl->npids].pid = pid;
		pl->pids[pl->npids].findings = r->nfindings - before;
		pl->pids[pl->npids].off = off;
		pl->npids++;
	}
}

static const struct log_of_pid *log_of(const struct parse_logs *pl, long pid)
{
	size_t i;

	for (i = 0; i < pl->npids; i++)
		if (pl->pids[i].pid == pid)
			return &pl->pids[i];
	return NULL;
}

static const struct finding *first_failing(const struct grade_ctx *c,
					   size_t from);

/* How many ended processes the witness lists by name in findings. */
#define WITNESS_MAX 8

/*
 * The exit-status witness (procacct.h). A tool ends a process in which it
 * found an error with its own status (VARIANT_TOOL_EXIT), after writing
 * its report into the log directory, which the program can write too.
 * Every process of the run that ended so must have left a report saying
 * what the tool found:
 *   - none (deleted or emptied by the program, or never written):
 *     a "report-missing" finding;
 *   - one the parser found no error in (cut short, or a kind of report
 *     it does not know): a "report-unread" finding with its first line.
 * Either fails the test whatever the spec's findings rules say: the
 * spec rates errors, and here the error is unknown. Only when no finding
 * of the run fails the test already (then the verdict stands; gcc's
 * UBSan writes its reports to stderr, which names no process). Returns
 * the index of the first such finding, or -1.
 */
static long exit_witness(struct grade_ctx *c, enum variant v,
			 const struct spawn *sp, const struct variant_run *vr,
			 const struct parse_logs *pl)
{
	struct procacct_exit ex[WITNESS_MAX];
	size_t records, i;
	long n, first = -1;

	if (!vr->acct_path)
		return -1;
	if (sp->acct_errno) {
		procacct_failed(sp->acct_errno);
		return -1;
	}
	n = procacct_read(vr->acct_path, VARIANT_TOOL_EXIT, ex, WITNESS_MAX, &records);
	if (n <= 0 || first_failing(c, pl->first))
		return -1;
	for (i = 0; i < (size_t)n && i < WITNESS_MAX; i++) {
		const struct log_of_pid *lp = log_of(pl, ex[i].pid);
		struct finding *f;

		if (lp && lp->findings)
			continue;
		f = grade_new_finding(c, v);
		f->tool = xstrdup(variant_name(v));
		if (!lp) {
			f->kind = xstrdup("report-missing");
			f->message = xasprintf(
				"process %ld (%s) ended with status %d, the status %s gives when it finds an error, but left no report in the log directory: the program deleted or emptied it, or the tool could not write it",
				(long)ex[i].pid, ex[i].comm, VARIANT_TOOL_EXIT,
				variant_name(v));
		} else {
			char *head = tool_headline(pl->logs->data + lp->off);

			f->kind = xstrdup("report-unread");
			f->message = xasprintf(
				"process %ld (%s) ended with status %d, the status %s gives when it finds an error, and its report names no error the grader can read (cut short?): %s",
				(long)ex[i].pid, ex[i].comm, VARIANT_TOOL_EXIT,
				variant_name(v), head);
			free(head);
		}
		if (first < 0)
			first = (long)(c->r->nfindings - 1);
	}
	if (first >= 0 && n > WITNESS_MAX) {
		struct finding *f = &c->r->findings[first];
		char *more = xasprintf("%s (and %ld more processes that ended so)",
				       f->message, n - WITNESS_MAX);

		free(f->message);
		f->message = more;
	}
	return first;
}

/* The first finding of this run (from index `from`) whose kind fails the
 * test under the spec's rules, or NULL. */
static const struct finding *first_failing(const struct grade_ctx *c,
					   size_t from)
{
	size_t i;

	for (i = from; i < c->r->nfindings; i++) {
		const struct finding *f = &c->r->findings[i];

		if (spec_finding_rule(c->s, f->tool, f->kind)->mode == FINDING_FAIL)
			return f;
	}
	return NULL;
}

/* Findings with a penalty rule cost points once each after deduplication
 * (the same bug hit by ten tests costs once; five leaks cost five times
 * one), at most the rule's cap per kind; the score never goes below 0. */
static void apply_penalties(const struct spec *s, struct grade_result *r)
{
	size_t i, j;
	double total = 0;

	for (i = 0; i < r->nfindings; i++) {
		struct finding *f = &r->findings[i];
		const struct spec_finding_rule *rule =
			spec_finding_rule(s, f->tool, f->kind);
		double spent = 0;

		if (rule->mode != FINDING_PENALTY)
			continue;
		for (j = 0; j < i; j++)
			if (r->findings[j].kind && f->kind &&
			    !strcmp(r->findings[j].kind, f->kind))
				spent += r->findings[j].penalty;
		f->penalty = rule->penalty;
		if (rule->cap >= 0 && spent + f->penalty > rule->cap)
			f->penalty = rule->cap > spent ? rule->cap - spent : 0;
		total += f->penalty;
	}
	r->score = r->score > total ? r->score - total : 0;
}

/* "heap-buffer-overflow at duplex.c:42 in main: READ of size 1" */
static char *finding_headline(const struct finding *f)
{
	struct buf b;

	buf_init(&b, 1024);
	buf_addf(&b, "%s", f->kind ? f->kind : "problem");
	if (f->file)
		buf_addf(&b, " at %s:%d", f->file, f->line);
	if (f->function)
		buf_addf(&b, " in %s", f->function);
	if (f->message)
		buf_addf(&b, ": %s", f->message);
	return buf_detach(&b, NULL);
}

static int not_dots(const struct dirent *de)
{
	return strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* "files left in the working directory: core, out.tmp (and 3 more)", or
 * NULL when the run left it empty. Names only: the directory is the
 * student's, and a symlink in it is listed, never followed. Sorted by
 * name, bytewise: readdir's order differs between file systems (the cwd
 * is a tmpfs as root, a plain directory otherwise), and the same files
 * must make the same message, one finding. */
static char *leftover_files(const char *dir)
{
	struct dirent **list = NULL;
	struct buf b;
	int count = scandir(dir, &list, not_dots, by_name), i;
	size_t n = 0;

	if (count < 0)
		return NULL;
	buf_init(&b, 4096);
	buf_adds(&b, "files left in the working directory: ");
	for (i = 0; i < count; i++) {
		const struct dirent *de = list[i];

		if (n < 5) {
			const unsigned char *p = (const unsigned char *)de->d_name;
			size_t k, len = strlen(de->d_name), shown = 0;

			if (n)
				buf_adds(&b, ", ");
			/* a name is the student's bytes: controls become '?' */
			for (k = 0; k < len && shown < 64; shown++) {
				size_t u = p[k] >= 0x80 ? utf8_printable_len(p + k, len - k) : 0;

				if (u) {
					buf_add(&b, (const char *)p + k, u);
					k += u;
				} else {
					buf_addch(&b, p[k] >= 0x20 && p[k] < 0x7f ? (char)p[k] : '?');
					k++;
				}
			}
		}
		n++;
	}
	for (i = 0; i < count; i++)
		free(list[i]);
	free(list);
	if (!n) {
		buf_release(&b);
		return NULL;
	}
	if (n > 5)
		buf_addf(&b, " (and %zu more)", n - 5);
	buf_adds(&b, " (the test asks the program to remove what it creates)");
	return buf_detach(&b, NULL);
}

/* The thread a hang is located at: for a deadlock, the first one blocked
 * on a lock, condition, semaphore or pipe in the student's code; for a
 * busy loop, the first running one; for input that never comes, the
 * reader. NULL when none is in the student's sources. */
static const struct stacks_thread *hang_thread(const struct stacks *st)
{
	const struct stacks_thread *any = NULL;
	size_t i, j;

	for (i = 0; i < st->nprocs; i++)
		for (j = 0; j < st->procs[i].nthreads; j++) {
			const struct stacks_thread *th = &st->procs[i].threads[j];
			int fits = 0;

			if (th->runtime || !th->file)
				continue;
			if (!any)
				any = th;
			switch (st->verdict) {
			case STACKS_DEADLOCK:
				fits = th->wait == STACKS_WAIT_MUTEX ||
				       th->wait == STACKS_WAIT_COND ||
				       th->wait == STACKS_WAIT_SEM ||
				       th->wait == STACKS_WAIT_FUTEX ||
				       th->wait == STACKS_WAIT_READ ||
				       th->wait == STACKS_WAIT_WRITE;
				break;
			case STACKS_BUSY_LOOP:
				fits = th->running;
				break;
			case STACKS_WAITING_FOR_INPUT:
				fits = th->input_wait;
				break;
			default:
				break;
			}
			if (fits)
				return th;
		}
	return st->verdict == STACKS_DEADLOCK ? any : NULL;
}

/* After a time limit: the kind of hang as a finding (deadlock, busy-loop,
 * waiting-for-input) located at the student's line, and its summary for
 * the verdict's message (owned by c->hang), or NULL when nothing was
 * learned. */
static const char *hang_finding(struct grade_ctx *c, enum variant v)
{
	const struct stacks *st = &c->hang;
	const struct stacks_thread *th;
	struct finding *f;
	struct buf stack;
	size_t i, j;

	if (!c->have_hang || st->verdict == STACKS_UNKNOWN || !st->summary)
		return NULL;
	if (st->verdict == STACKS_SLEEPING)
		return st->summary;
	th = hang_thread(st);
	f = grade_new_finding(c, v);
	f->tool = xstrdup("stacks");
	f->kind = xstrdup(stacks_verdict_name(st->verdict));
	f->message = xstrdup(st->summary);
	if (th) {
		f->file = xstrdup(th->file);
		f->line = th->line;
		f->function = th->function ? xstrdup(th->function) : NULL;
	}
	buf_init(&stack, 1 << 16);
	for (i = 0; i < st->nprocs; i++)
		for (j = 0; j < st->procs[i].nthreads; j++) {
			const struct stacks_thread *x = &st->procs[i].threads[j];

			if (x->runtime)
				continue;
			buf_addf(&stack, "process %ld thread %d: %s", (long)st->procs[i].pid,
				 x->index, x->running ? "running" : x->call ? x->call : "blocked");
			if (x->file)
				buf_addf(&stack, " at %s:%d", x->file, x->line);
			buf_addch(&stack, '\n');
		}
	f->stack = stack.len ? buf_detach(&stack, NULL) : NULL;
	buf_release(&stack);
	return st->summary;
}

/* Judges one finished run. */
void grade_evaluate(struct grade_ctx *c, enum variant v,
		     const struct spawn *sp, const struct variant_run *vr,
		     double scale, struct run_eval *ev)
{
	const struct spec_test *t = c->t;
	struct parse_logs pl;
	struct buf logs;
	const struct finding *failing;
	size_t i, parsed;
	long witness;
	int reports;

	memset(ev, 0, sizeof(*ev));
	ev->exit_code = sp->outcome == SPAWN_EXITED ? sp->exit_code : -1;
	ev->term_signal = sp->outcome == SPAWN_SIGNALED ? sp->term_signal : 0;
	ev->wall_s = sp->wall_used;
	ev->cpu_s = sp->cpu_used;
	ev->peak_memory = sp->peak_memory;
	ev->leftover = sp->leftover;
	if (sp->err.len)
		ev->stderr_excerpt = grade_excerpt(sp->err.data, sp->err.len,
					     STDERR_EXCERPT_BYTES);

	buf_init(&logs, 1 << 20);
	pl.c = c;
	pl.v = v;
	pl.logs = &logs;
	pl.first = c->r->nfindings;
	pl.pids = NULL;
	pl.npids = 0;
	reports = v == VARIANT_PLAIN ? 0 : variant_each_log(vr, parse_log, &pl);
	failing = NULL;
	/* gcc's UBSan, linked with ASan, ignores log_path and writes its
	 * reports to stderr: read them there. A student who prints a fake
	 * report can only hurt their own score. */
	if (v == VARIANT_ASAN && memmem(sp->err.data, sp->err.len,
					"runtime error:", 14)) {
		parse_log(sp->err.data, sp->err.len, -1, &pl);
		reports++;
	}
	witness = exit_witness(c, v, sp, vr, &pl);
	parsed = c->r->nfindings;
	/* the text is the same whatever the number of processes (valgrind
	 * adds its own), so the same daemon in every run is one finding */
	if (t->forbid_leftover_files) {
		char *left = leftover_files(c->rundir);

		if (left)
			grade_add_hygiene_finding(c, v, "leftover-file", left);
	}
	if (sp->leftover > 0)
		grade_add_hygiene_finding(c, v, "leftover-process",
				    xstrdup("processes were still running after the program exited (an orphan or a daemon); the grader killed them"));
	/* shared memory objects and named semaphores left in /dev/shm */
	hygiene_ipc_check(c, v, sp);
	if (sp->outcome == SPAWN_EXEC_FAILED) {
		ev->verdict = VERDICT_ERROR;
		ev->message = xasprintf("the program could not be started: %s",
					strerror(sp->exec_errno));
	} else if ((failing = witness >= 0 ? &c->r->findings[witness]
					   : first_failing(c, pl.first)) ||
		   (parsed == pl.first && reports > 0 &&
		    sp->outcome == SPAWN_EXITED &&
		    sp->exit_code == VARIANT_TOOL_EXIT)) {
		/* a finding is what the tool reported and the parser located,
		 * or a report the tool flagged with its exit status: a log
		 * holding only valgrind's own notes is not one */
		ev->verdict = VERDICT_FINDING;
		if (failing)
			ev->message = finding_headline(failing);
		else {
			char *head = tool_headline(logs.data);

			ev->message = xasprintf("%s reported: %s", variant_name(v), head);
			free(head);
		}
		/* the reports, unless the program erased them all */
		if (logs.len) {
			free(ev->stderr_excerpt);
			ev->stderr_excerpt = grade_excerpt(logs.data, logs.len,
							   EXCERPT_BYTES);
		}
	} else if (sp->outcome == SPAWN_TIMEOUT) {
		ev->verdict = VERDICT_TIMEOUT;
		ev->limit = xasprintf("wall time %g s", t->limits.wall_s * scale);
		const char *why = hang_finding(c, v);

		if (why)
			ev->message = xasprintf("did not finish within %g s and was killed. %s",
						t->limits.wall_s * scale, why);
		else
			ev->message = xasprintf(
				"did not finish within %g s and was killed (a deadlock, an endless loop, or waiting for input that never comes?)",
				t->limits.wall_s * scale);
	} else if (sp->outcome == SPAWN_CPU_LIMIT) {
		const char *why = hang_finding(c, v);

		ev->verdict = VERDICT_TIMEOUT;
		ev->limit = xasprintf("CPU time %g s", t->limits.cpu_s * scale);
		ev->message = xasprintf("used more than %g s of CPU time and was killed%s%s",
					t->limits.cpu_s * scale, why ? ". " : "",
					why ? why : "");
	} else if (sp->outcome == SPAWN_OUTPUT_LIMIT) {
		char *sz = human_size(t->limits.output);

		ev->verdict = VERDICT_OUTPUT_LIMIT;
		ev->limit = xasprintf("output %s per stream", sz);
		ev->message = xasprintf("printed more than %s and was killed", sz);
		free(sz);
	} else if (sp->outcome == SPAWN_MEMORY_LIMIT) {
		char *sz = human_size(sp->memory);

		ev->verdict = VERDICT_MEMORY_LIMIT;
		ev->limit = xasprintf("memory %s", sz);
		ev->message = xasprintf("used more than %s of memory and was killed", sz);
		free(sz);
	} else if (sp->outcome == SPAWN_SIGNALED) {
		ev->verdict = VERDICT_CRASHED;
		ev->message = xasprintf("killed by %s (%s)",
					signal_name(sp->term_signal),
					strsignal(sp->term_signal));
	}
	buf_release(&logs);
	free(pl.pids);
	if (ev->verdict != VERDICT_PASSED)
		return;

	for (i = 0; i < t->nchecks; i++) {
		const struct spec_check *k = &t->checks[i];
		const struct buf *got = k->stream == STREAM_STDOUT ? &sp->out : &sp->err;
		const struct expected_text *x = &c->exp[i];
		struct match_result m;

		memset(&m, 0, sizeof(m));
		match_check(k, got->data, got->len, x->have ? x->data : NULL,
			    x->have ? x->len : 0, &m);
		if (m.ok) {
			match_result_release(&m);
			continue;
		}
		ev->verdict = VERDICT_WRONG_OUTPUT;
		ev->message = xasprintf("%s: %s",
					k->stream == STREAM_STDOUT ? "stdout" : "stderr",
					m.message ? m.message : "check failed");
		ev->diff_line = m.line;
		if (x->have && (k->kind == CHECK_EXACT || k->kind == CHECK_TRAILING_WS)) {
			struct diff_result d;

			if (diff_unified(x->data, x->len, got->data, got->len,
					 "expected", "actual", DIFF_CONTEXT,
					 DIFF_MAX_LINES, &d) == 0) {
				ev->diff = d.text;
				d.text = NULL;
				if (d.first_line)
					ev->diff_line = d.first_line;
				diff_result_release(&d);
			}
			ev->expected = grade_excerpt(x->data, x->len, EXCERPT_BYTES);
		}
		ev->actual = grade_excerpt(got->data, got->len, EXCERPT_BYTES);
		match_result_release(&m);
		break;
	}
	if (t->exit_status >= 0 && sp->exit_code != t->exit_status) {
		if (ev->verdict == VERDICT_PASSED) {
			ev->verdict = VERDICT_WRONG_EXIT;
			ev->message = xasprintf("exited with status %d, expected %d",
						sp->exit_code, t->exit_status);
		} else {
			char *m = xasprintf("%s; and it exited with status %d, expected %d",
					    ev->message, sp->exit_code,
					    t->exit_status);

			free(ev->message);
			ev->message = m;
		}
	}
}

/* How a student can rerun a visible test by hand. */
static char *repro_command(const struct grade_ctx *c, enum variant v)
{
	const struct spec_test *t = c->t;
	struct buf b;
	size_t i;

	buf_init(&b, 4096);
	for (i = 0; i < t->nenv; i++)
		buf_addf(&b, "%s ", t->env[i]);
	if (v == VARIANT_MEMCHECK)
		buf_adds(&b, "valgrind --leak-check=full --track-fds=yes ");
	else if (v == VARIANT_HELGRIND || v == VARIANT_DRD)
		buf_addf(&b, "valgrind --tool=%s ", variant_name(v));
	buf_addf(&b, "./%s", c->s->build.program);
	for (i = 0; i < t->nargs; i++)
		buf_addf(&b, " '%s'", t->args[i]);
	switch (t->in.kind) {
	case TEXT_FILE: {
		const char *rel = t->in.path;
		size_t dl = strlen(c->s->dir);

		if (!strncmp(rel, c->s->dir, dl) && rel[dl] == '/')
			rel += dl + 1;
		buf_addf(&b, " < %s (in the exercise directory)", rel);
		break;
	}
	case TEXT_GENERATE:
		buf_addf(&b, " < (generated input: %zu bytes, seed %llu)",
			 c->stdin_len, t->in.gen.seed);
		break;
	case TEXT_INLINE:
		if (t->in.len <= 160) {
			struct buf q;

			buf_init(&q, 1024);
			for (i = 0; i < t->in.len; i++) {
				unsigned char ch = (unsigned char)t->in.text[i];

				if (ch == '\n')
					buf_adds(&q, "\\n");
				else if (ch == '\'' || ch == '\\')
					buf_addf(&q, "\\%c", ch);
				else if (ch < 32 || ch >= 127)
					buf_addf(&q, "\\%03o", ch);
				else
					buf_addch(&q, (char)ch);
			}
			buf_addf(&b, " < <(printf '%s')", q.data);
			buf_release(&q);
		} else {
			buf_addf(&b, " < (the test's %zu-byte input)", t->in.len);
		}
		break;
	default:
		buf_adds(&b, " < /dev/null");
	}
	return buf_detach(&b, NULL);
}

/* Copies the verdict of a run into the row, leaving out what a student must
 * not see for a hidden test. */
void grade_fill_row(struct grade_ctx *c, struct test_outcome *row,
		     enum variant v, struct run_eval *ev)
{
	const struct spec_test *t = c->t;
	int hidden = t->visibility != VIS_VISIBLE;

	row->verdict = ev->verdict;
	row->exit_code = ev->exit_code;
	row->term_signal = ev->term_signal;
	row->wall_s = ev->wall_s;
	row->cpu_s = ev->cpu_s;
	row->peak_memory = ev->peak_memory;
	row->leftover = ev->leftover;
	if (ev->verdict == VERDICT_PASSED)
		return;
	row->limit = ev->limit;
	ev->limit = NULL;
	row->hint = t->hint ? xstrdup(t->hint) : NULL;
	if (hidden) {
		/* the verdict and the limit only: a wrong-output message quotes
		 * the expected text, a diff shows it, stderr may echo input */
		if (ev->verdict == VERDICT_WRONG_OUTPUT)
			row->message = xstrdup("the output is not what this test expects");
		else if (ev->verdict == VERDICT_FINDING)
			row->message = xstrdup("a tool found a problem in this test");
		else {
			row->message = ev->message;
			ev->message = NULL;
		}
		return;
	}
	row->message = ev->message;
	row->diff = ev->diff;
	row->diff_line = ev->diff_line;
	row->expected = ev->expected;
	row->actual = ev->actual;
	row->stderr_excerpt = ev->stderr_excerpt;
	ev->message = ev->diff = ev->expected = ev->actual = NULL;
	ev->stderr_excerpt = NULL;
	row->command = repro_command(c, v);
}

static struct test_outcome *new_row(struct grade_ctx *c, enum variant v,
				   double points)
{
	struct grade_result *r = c->r;
	struct test_outcome *row;

	r->tests = xrealloc(r->tests, (r->ntests + 1) * sizeof(*r->tests));
	row = &r->tests[r->ntests++];
	memset(row, 0, sizeof(*row));
	row->name = xstrdup(c->t->name);
	row->variant = v;
	row->max_score = points;
	row->visibility = c->t->visibility;
	row->description = c->t->description ? xstrdup(c->t->description) : NULL;
	row->exit_code = -1;
	return row;
}

/* One row per kind of step; each lives in step_<kind>.c. */
static const struct step_ops {
	enum step_kind kind;
	grade_step_fn run;
} step_table[STEP__COUNT] = {
	[STEP_RUN] = { STEP_RUN, step_run },
	[STEP_SERVER] = { STEP_SERVER, step_server },
	[STEP_UNIT] = { STEP_UNIT, step_unit },
	[STEP_PTY] = { STEP_PTY, step_pty },
};

static int count_bits(unsigned m)
{
	return __builtin_popcount(m);
}

/* ---- running the variants side by side ---- */

/* What every worker shares: set before the threads start, read-only while
 * they run (but for the next-job counter and the fault). */
struct pool {
	const struct spec *s;
	const struct grade_opts *o;
	struct grade_result *r;        /* the merged result: builds, header */
	char *workdir;
	char *program[VARIANT__COUNT];
	char *broken[VARIANT__COUNT];  /* a broken toolchain's message */
	struct ref_build ref;
	enum variant jobs[VARIANT__COUNT];
	size_t njobs;
	/* builds: one job per build variant */
	enum variant builds[VARIANT__COUNT];
	size_t nbuilds;
	struct error build_err[VARIANT__COUNT];
	int build_fault[VARIANT__COUNT];
	/* runs: one job per variant, each with its own partial result */
	struct grade_result part[VARIANT__COUNT];
	struct error run_err[VARIANT__COUNT];
	int run_fault[VARIANT__COUNT];
	pthread_mutex_t lock;
	size_t next;
};

/* Runs every test of the spec under variant v, into its own partial
 * result (rows in test order, findings as they came). */
static int run_variant(struct pool *p, enum variant v, struct grade_result *part,
		       struct error *e)
{
	const struct spec *s = p->s;
	const struct grade_opts *o = p->o;
	struct grade_ctx c;
	size_t ti;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.o = o;
	c.r = part;
	c.workdir = p->workdir;
	c.tag = variant_name(v);
	c.rundir = xasprintf("%s/run-%s", p->workdir, c.tag);
	c.logdir = xasprintf("%s/logs-%s", p->workdir, c.tag);
	c.shmdir = xasprintf("%s/shm-%s", p->workdir, c.tag);
	c.acctdir = xasprintf("%s/acct-%s", p->workdir, c.tag);
	memcpy(c.program, p->program, sizeof(c.program));
	c.ref = &p->ref;
	buf_init(&c.ref_out, 0);
	buf_init(&c.ref_err, 0);
	for (ti = 0; ti < s->ntests && rc == 0; ti++) {
		const struct spec_test *t = &s->tests[ti];
		unsigned vs = t->variants & (o->variants ? o->variants : ~0u);
		double share = t->points / (count_bits(t->variants) ? count_bits(t->variants) : 1);
		struct test_outcome *row;
		char *problem = NULL;

		if ((o->public_only && t->visibility != VIS_VISIBLE) ||
		    !(vs & VARIANT_BIT(v)))
			continue;
		c.t = t;
		row = new_row(&c, v, share);
		if (t->bonus)
			row->bonus = 1;
		else
			part->max_score += share;
		if (p->broken[v]) {
			row->verdict = VERDICT_ERROR;
			row->message = xstrdup(p->broken[v]);
			continue;
		}
		if (!c.program[build_variant_of(v)]) {
			row->verdict = VERDICT_COMPILE_ERROR;
			row->message = xstrdup(REPORT_NOT_COMPILED);
			continue;
		}
		if (prepare_test(&c, ti, &problem) < 0) {
			row->verdict = VERDICT_ERROR;
			row->message = problem;
			finish_test(&c);
			continue;
		}
		if (step_table[t->kind].run(&c, v, row, e) < 0)
			rc = -1;
		else if (row->verdict == VERDICT_PASSED)
			row->score = share;
		part->score += row->score;
		finish_test(&c);
	}
	free(c.stdin_path);
	if (c.have_hang)
		stacks_release(&c.hang);
	buf_release(&c.ref_out);
	buf_release(&c.ref_err);
	free(c.rundir);
	free(c.logdir);
	free(c.shmdir);
	free(c.acctdir);
	return rc;
}

/* A worker thread: builds first (every build before any run, so that a
 * run never waits for a build another thread has not started), then
 * variants, taking the next job until none is left. */
static void *pool_worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t k;

		pthread_mutex_lock(&p->lock);
		k = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (k >= p->nbuilds)
			break;
		{
			enum variant bv = p->builds[k];

			if (p->o->verbose)
				fprintf(stderr, "building %s (%s)\n", p->r->submission,
					variant_name(bv));
			if (build_submission(p->s, p->o->submission_dir, p->workdir,
					     bv, &p->r->builds[bv], &p->program[bv],
					     &p->build_err[k]) < 0)
				p->build_fault[k] = 1;
		}
	}
	return NULL;
}

static void *pool_runner(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t k;

		pthread_mutex_lock(&p->lock);
		k = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (k >= p->njobs)
			break;
		if (run_variant(p, p->jobs[k], &p->part[k], &p->run_err[k]) < 0)
			p->run_fault[k] = 1;
	}
	return NULL;
}

/* Runs fn on `threads` threads (inline when 1) over p's jobs. */
static void pool_go(struct pool *p, void *(*fn)(void *), size_t threads)
{
	pthread_t th[VARIANT__COUNT];
	size_t i, started = 0;

	p->next = 0;
	if (threads > VARIANT__COUNT)
		threads = VARIANT__COUNT;
	for (i = 1; i < threads; i++)
		if (pthread_create(&th[started], NULL, fn, p) == 0)
			started++;
	fn(p); /* this thread works too; with no thread started, alone */
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

/* The finding's test, as an index in the spec (findings are ordered by
 * it when the workers' parts are merged). */
static size_t finding_test_index(const struct spec *s, const struct finding *f)
{
	size_t i;

	for (i = 0; f->test && i < s->ntests; i++)
		if (!strcmp(s->tests[i].name, f->test))
			return i;
	return s->ntests;
}

/* Merges the workers' parts into r as one sequential grading would have
 * filled it: rows test by test, each test's variants in order; findings by
 * test, then variant (a stable merge keeps each run's own order), so that
 * deduplication names the same first occurrence whatever the schedule. */
static void pool_merge(struct pool *p)
{
	struct grade_result *r = p->r;
	size_t cursor[VARIANT__COUNT] = { 0 }, total = 0, ti, k, n = 0;
	size_t *key;

	for (k = 0; k < p->njobs; k++)
		total += p->part[k].ntests;
	r->tests = xcalloc(total + 1, sizeof(*r->tests));
	for (ti = 0; ti < p->s->ntests; ti++)
		for (k = 0; k < p->njobs; k++) {
			struct grade_result *pt = &p->part[k];

			if (cursor[k] < pt->ntests &&
			    !strcmp(pt->tests[cursor[k]].name, p->s->tests[ti].name))
				r->tests[r->ntests++] = pt->tests[cursor[k]++];
		}
	for (k = 0; k < p->njobs; k++) {
		struct grade_result *pt = &p->part[k];

		r->score += pt->score;
		r->max_score += pt->max_score;
		if (!r->isolation && pt->isolation) {
			r->isolation = pt->isolation;
			pt->isolation = NULL;
		}
		free(pt->isolation);
		free(pt->tests);
		n += pt->nfindings;
	}
	if (r->isolation) {
		int tools = 0;
		char *with;

		for (k = 0; k < r->ntests; k++)
			tools |= r->tests[k].variant != VARIANT_PLAIN;
		/* the witness matters where tools write reports */
		with = tools ? xasprintf("%s; %s; %s", r->isolation, runfs_words(),
					 procacct_words())
			     : xasprintf("%s; %s", r->isolation, runfs_words());

		free(r->isolation);
		r->isolation = with;
	}
	/* findings: an insertion merge by test index, stable */
	r->findings = xcalloc(n + 1, sizeof(*r->findings));
	key = xcalloc(n + 1, sizeof(*key));
	for (k = 0; k < p->njobs; k++) {
		struct grade_result *pt = &p->part[k];
		size_t i;

		for (i = 0; i < pt->nfindings; i++) {
			size_t idx = finding_test_index(p->s, &pt->findings[i]);
			size_t j = r->nfindings;

			while (j > 0 && key[j - 1] > idx) {
				r->findings[j] = r->findings[j - 1];
				key[j] = key[j - 1];
				j--;
			}
			r->findings[j] = pt->findings[i];
			key[j] = idx;
			r->nfindings++;
		}
		free(pt->findings);
	}
	free(key);
}

static char *iso_now(void)
{
	char s[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(s);
}

int grade_submission(const struct spec *s, const struct grade_opts *o,
		     struct grade_result **out, struct error *e)
{
	struct pool p;
	struct grade_result *r;
	unsigned needed = 0, built = 0;
	size_t ti, k, threads;
	int fault = 0;
	enum variant v;
	double t0 = now_seconds();

	*out = NULL;
	if (!is_dir(o->submission_dir))
		return error_set(e, "%s: not a directory", o->submission_dir);
	memset(&p, 0, sizeof(p));
	p.s = s;
	p.o = o;
	p.workdir = make_temp_dir("work");
	if (!p.workdir)
		return error_set(e, "cannot create a temporary directory: %s",
				 strerror(errno));
	pthread_mutex_init(&p.lock, NULL);
	pthread_mutex_init(&p.ref.lock, NULL);

	r = xcalloc(1, sizeof(*r));
	p.r = r;
	r->exercise = xstrdup(s->name);
	r->title = xstrdup(s->title);
	r->submission = o->submission_name ? xstrdup(o->submission_name)
					   : path_basename(o->submission_dir);
	r->grader_version = xstrdup(GRADER_VERSION);
	r->started_at = iso_now();
	r->public_only = o->public_only;
	for (v = 0; v < VARIANT__COUNT; v++)
		r->builds[v].ok = -1;

	for (ti = 0; ti < s->ntests; ti++) {
		const struct spec_test *t = &s->tests[ti];
		unsigned vs = t->variants & (o->variants ? o->variants : ~0u);

		if (o->public_only && t->visibility != VIS_VISIBLE)
			continue;
		needed |= vs;
	}
	for (v = 0; v < VARIANT__COUNT; v++)
		if (needed & VARIANT_BIT(v))
			p.jobs[p.njobs++] = v;
	/* A variant whose tool is broken on this machine would blame the
	 * student for the machine: its rows get an error verdict instead. */
	if (needed & ~VARIANT_BIT(VARIANT_PLAIN)) {
		struct toolchain_status *st;
		size_t nst;

		if (toolchain_check(needed & ~VARIANT_BIT(VARIANT_PLAIN), &st, &nst,
				    e) < 0) {
			fault = 1;
		} else {
			for (v = 0; v < VARIANT__COUNT && v < nst; v++)
				if (st[v].probed && !st[v].ok) {
					p.broken[v] = xasprintf(
						"the %s toolchain does not work on this machine: %s (see `grader doctor`; not a fault of the submission)",
						variant_name(v),
						st[v].problem ? st[v].problem : "unknown problem");
					needed &= ~VARIANT_BIT(v);
				}
		}
	}
	for (v = 0; v < VARIANT__COUNT; v++) {
		enum variant bv = build_variant_of(v);

		if ((needed & VARIANT_BIT(v)) && !(built & VARIANT_BIT(bv))) {
			built |= VARIANT_BIT(bv);
			p.builds[p.nbuilds++] = bv;
			error_init(&p.build_err[p.nbuilds - 1]);
		}
	}
	threads = o->jobs > 0 ? (size_t)o->jobs : (size_t)cpu_count();
	if (!fault) {
		pool_go(&p, pool_worker, threads < p.nbuilds ? threads : p.nbuilds);
		for (k = 0; k < p.nbuilds && !fault; k++)
			if (p.build_fault[k]) {
				error_set(e, "%s", p.build_err[k].msg);
				fault = 1;
			}
	}
	if (!fault) {
		for (k = 0; k < p.njobs; k++)
			error_init(&p.run_err[k]);
		pool_go(&p, pool_runner, threads < p.njobs ? threads : p.njobs);
		for (k = 0; k < p.njobs && !fault; k++)
			if (p.run_fault[k]) {
				error_set(e, "%s", p.run_err[k].msg);
				fault = 1;
			}
	}
	pool_merge(&p);

	r->execution_time = now_seconds() - t0;
	if (r->nfindings) {
		size_t fi;

		diag_dedup(r->findings, &r->nfindings);
		apply_penalties(s, r);
		for (fi = 0; fi < r->nfindings; fi++)
			if (r->findings[fi].file && r->findings[fi].line > 0)
				r->findings[fi].source_line = diag_source_line(
					o->submission_dir, r->findings[fi].file,
					r->findings[fi].line);
	}
	for (v = 0; v < VARIANT__COUNT; v++) {
		free(p.program[v]);
		free(p.broken[v]);
	}
	free(p.ref.program);
	free(p.ref.problem);
	pthread_mutex_destroy(&p.lock);
	pthread_mutex_destroy(&p.ref.lock);
	if (!o->keep_workdir)
		rm_rf(p.workdir);
	else
		fprintf(stderr, "grader: working directory kept: %s\n", p.workdir);
	free(p.workdir);
	if (fault) {
		grade_result_free(r);
		return -1;
	}
	*out = r;
	return 0;
}
