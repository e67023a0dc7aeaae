/*
 * check_stacks.c - tests of stacks.c: live hung programs (tests/progs/
 * hang_*.c) are captured and classified -- a lock-order deadlock, a
 * condition wait nobody signals, a busy loop, a read on a pipe only the
 * reader can write to, a two-process deadlock over pipes -- with gdb and
 * with /proc alone (loop tests: _i == 0 gdb, _i == 1 /proc only), and the
 * student's file:line of every waiting thread is asserted; a valgrind run
 * (gdb skipped), a gdb that cannot be run, processes already gone. Then
 * gdb's output parsed as data (data/stacks/: captured at -O0, -O2, without
 * debug information, under TSan and ASan, with arguments printed; and a
 * hand-written file of odd cases), and garbage.
 *
 * A hung program prints "ready" before it blocks; the test then polls with
 * cheap /proc-only captures until the expected state is reached (the last
 * thread may still be on its way to its lock) and captures for real. The
 * polling has a generous bound as a hang guard only: nothing here asserts
 * a duration. The run is killed right after the capture, before anything
 * is asserted: a failed assertion ends the test process at once and must
 * not leave a hung program behind.
 */
#define _GNU_SOURCE
#include <check.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "spawn.h"
#include "stacks.h"
#include "util.h"

#define DATA "data/stacks/"
#define POLLS 200 /* x 0.05 s sample: the hang guard of the polling */

static const char *prog(const char *name)
{
	static char paths[4][4096];
	static int next;
	const char *dir = getenv("GRADER_TEST_PROGS");
	char *p = paths[next++ % 4];

	ck_assert_msg(dir && *dir, "GRADER_TEST_PROGS is not set");
	snprintf(p, sizeof(paths[0]), "%s/%s", dir, name);
	ck_assert_msg(access(p, X_OK) == 0, "%s is not built", p);
	return p;
}

static int have_gdb(void)
{
	return access("/usr/bin/gdb", X_OK) == 0 || access("/usr/local/bin/gdb", X_OK) == 0;
}

struct run {
	struct spawn sp;
	const char *argv[8];
	const char *sources[2];
	struct stacks st;
	pid_t *pids;
	int npids;
};

/* Starts progs/<name> (with `tool` in front when not NULL) and waits for
 * its "ready". */
static void run_start(struct run *r, const char *name, const char *tool)
{
	struct error e;
	int i = 0;

	memset(r, 0, sizeof(*r));
	spawn_setup_process();
	spawn_init(&r->sp);
	/* the stacks of the program are under test, not the sandbox (check_sandbox.c) */
	r->sp.no_sandbox = 1;
	if (tool) {
		r->argv[i++] = tool;
		r->argv[i++] = "-q";
	}
	r->argv[i++] = prog(name);
	r->argv[i] = NULL;
	r->sp.argv = r->argv;
	r->sp.wall_s = 120; /* hang guard; the test kills it long before */
	error_init(&e);
	ck_assert_msg(spawn_start(&r->sp, &e) == 0, "%s", e.msg);
	while (!strstr(r->sp.out.data, "ready"))
		ck_assert_msg(spawn_pump(&r->sp, 0.1) == 0,
			      "%s ended before it was ready: %s", name, r->sp.err.data);
}

/* Kills the run and checks nothing of it is left. Called before any
 * assertion on what was captured: a failed assertion ends the test process
 * at once (Check's fork mode, with _exit), and must not leave a hung
 * program behind. */
static void run_stop(struct run *r)
{
	int finished;
	size_t i;

	spawn_signal(&r->sp, SIGKILL);
	finished = spawn_finish(&r->sp);
	spawn_release(&r->sp);
	ck_assert_int_eq(finished, 0);
	for (i = 0; i < (size_t)r->npids; i++)
		ck_assert_msg(kill(r->pids[i], 0) < 0, "pid %d is still alive", (int)r->pids[i]);
}

/* Waits until `procs` processes are in the run's session; 0, or -1 when
 * they never appear (the hang guard). */
static int run_pids(struct run *r, int procs)
{
	int tries;

	for (tries = 0; tries < POLLS; tries++) {
		free(r->pids);
		r->npids = stacks_session_pids(r->sp.pid, &r->pids);
		if (r->npids >= procs && r->pids[0] == r->sp.pid)
			return 0;
		usleep(50000);
	}
	return -1;
}

/*
 * Polls with /proc-only captures until the verdict is `want` (the last
 * thread may still be on its way to its lock), captures with gdb (when
 * use_gdb; `gdb` is its path, NULL for the default), kills the run, and
 * only then asserts.
 */
static void run_capture(struct run *r, const char *source, enum stacks_verdict want,
			int use_gdb, int procs, const char *gdb)
{
	struct stacks_options o;
	int tries, found, captured = -1;

	found = run_pids(r, procs);
	r->sources[0] = source;
	r->sources[1] = NULL;
	stacks_options_init(&o);
	o.sources = r->sources;
	o.use_gdb = 0;
	o.sample_s = 0.05;
	for (tries = 0; found == 0 && tries < POLLS; tries++) {
		stacks_capture(&r->st, r->pids, (size_t)r->npids, &o);
		if (r->st.verdict == want)
			break;
		stacks_release(&r->st);
	}
	stacks_release(&r->st);
	if (found == 0) {
		o.use_gdb = use_gdb;
		o.sample_s = 0.2;
		if (gdb)
			o.gdb = gdb;
		captured = stacks_capture(&r->st, r->pids, (size_t)r->npids, &o);
	}
	run_stop(r);
	ck_assert_msg(found == 0, "only %d of %d processes appeared", r->npids, procs);
	ck_assert_int_eq(r->pids[0], r->sp.pid);
	ck_assert_int_eq(captured, 0);
	ck_assert_msg(r->st.verdict == want, "verdict %s, not %s: %s",
		      stacks_verdict_name(r->st.verdict), stacks_verdict_name(want),
		      r->st.summary);
}

static void run_end(struct run *r)
{
	stacks_release(&r->st);
	free(r->pids);
}

static const struct stacks_thread *thread_at(const struct stacks *st, size_t proc,
					     int index)
{
	size_t j;

	ck_assert_uint_gt(st->nprocs, proc);
	for (j = 0; j < st->procs[proc].nthreads; j++)
		if (st->procs[proc].threads[j].index == index)
			return &st->procs[proc].threads[j];
	ck_abort_msg("no thread %d in process %zu", index, proc);
	return NULL;
}

/* With gdb: the call and file:line; with /proc alone: the wait kind and
 * no location. */
static void assert_wait(const struct stacks_thread *t, int gdb, const char *call,
			enum stacks_wait wait, const char *file, int line)
{
	ck_assert_msg(!t->running, "thread %d runs", t->index);
	ck_assert_ptr_nonnull(t->call);
	if (gdb) {
		ck_assert_str_eq(t->call, call);
		ck_assert_int_eq(t->wait, wait);
		ck_assert_ptr_nonnull(t->file);
		ck_assert_str_eq(t->file, file);
		ck_assert_int_eq(t->line, line);
	} else {
		ck_assert_ptr_null(t->file);
		ck_assert_int_ne(t->wait, STACKS_WAIT_NONE);
	}
	ck_assert_int_eq(t->timed, 0);
}

static int use_gdb(int i)
{
	return i == 0 && have_gdb();
}

/* ---- live programs ---- */

START_TEST(lock_order_deadlock)
{
	struct run r;
	int gdb = use_gdb(_i);

	run_start(&r, "hang_lockorder", NULL);
	run_capture(&r, "hang_lockorder.c", STACKS_DEADLOCK, gdb, 1, NULL);
	ck_assert_uint_eq(r.st.nprocs, 1);
	ck_assert_uint_eq(r.st.procs[0].nthreads, 3);
	ck_assert_int_eq(r.st.procs[0].from_gdb, gdb);
	assert_wait(thread_at(&r.st, 0, 1), gdb, "pthread_join", STACKS_WAIT_JOIN,
		    "hang_lockorder.c", 46);
	assert_wait(thread_at(&r.st, 0, 2), gdb, "pthread_mutex_lock", STACKS_WAIT_MUTEX,
		    "hang_lockorder.c", 20);
	assert_wait(thread_at(&r.st, 0, 3), gdb, "pthread_mutex_lock", STACKS_WAIT_MUTEX,
		    "hang_lockorder.c", 30);
	/* /proc alone still tells a mutex from a join */
	ck_assert_int_eq(thread_at(&r.st, 0, 2)->wait, STACKS_WAIT_MUTEX);
	ck_assert_int_eq(thread_at(&r.st, 0, 1)->wait, STACKS_WAIT_JOIN);
	ck_assert_ptr_nonnull(strstr(r.st.summary, "Deadlock"));
	if (gdb) {
		ck_assert_msg(strstr(r.st.summary, "thread 2 waits in pthread_mutex_lock "
						   "at hang_lockorder.c:20 in first()"),
			      "%s", r.st.summary);
		ck_assert_ptr_nonnull(strstr(r.st.summary, "thread 3 waits in "
					     "pthread_mutex_lock at hang_lockorder.c:30"));
		ck_assert_ptr_nonnull(strstr(r.st.summary, "Thread 1 waits in pthread_join "
					     "at hang_lockorder.c:46"));
		ck_assert_uint_gt(thread_at(&r.st, 0, 2)->nframes, 1);
	} else {
		ck_assert_ptr_nonnull(strstr(r.st.summary, "probably pthread_mutex_lock"));
		ck_assert_ptr_nonnull(strstr(r.st.summary, "/proc only"));
	}
	run_end(&r);
}
END_TEST

START_TEST(cond_wait_forever)
{
	struct run r;
	int gdb = use_gdb(_i);

	run_start(&r, "hang_condwait", NULL);
	run_capture(&r, "hang_condwait.c", STACKS_DEADLOCK, gdb, 1, NULL);
	ck_assert_uint_eq(r.st.procs[0].nthreads, 2);
	assert_wait(thread_at(&r.st, 0, 1), gdb, "pthread_join", STACKS_WAIT_JOIN,
		    "hang_condwait.c", 31);
	assert_wait(thread_at(&r.st, 0, 2), gdb, "pthread_cond_wait", STACKS_WAIT_COND,
		    "hang_condwait.c", 18);
	if (gdb)
		ck_assert_msg(strstr(r.st.summary, "thread 2 waits in pthread_cond_wait at "
						   "hang_condwait.c:18"),
			      "%s", r.st.summary);
	run_end(&r);
}
END_TEST

START_TEST(busy_loop)
{
	struct run r;
	const struct stacks_thread *t;
	int gdb = use_gdb(_i);

	run_start(&r, "hang_spin", NULL);
	run_capture(&r, "hang_spin.c", STACKS_BUSY_LOOP, gdb, 1, NULL);
	t = thread_at(&r.st, 0, 2);
	ck_assert_int_eq(t->running, 1);
	ck_assert_int_eq(t->wait, STACKS_WAIT_NONE);
	ck_assert_ptr_null(t->call);
	ck_assert_int_eq(thread_at(&r.st, 0, 1)->running, 0);
	if (gdb) {
		/* stopped somewhere in the loop: its condition or its body */
		ck_assert_ptr_nonnull(t->file);
		ck_assert_str_eq(t->file, "hang_spin.c");
		ck_assert_msg(t->line == 15 || t->line == 16, "line %d", t->line);
		ck_assert_str_eq(t->function, "spinner");
		ck_assert_msg(strstr(r.st.summary, "thread 2 runs"), "%s", r.st.summary);
	}
	ck_assert_ptr_nonnull(strstr(r.st.summary, "Busy loop"));
	run_end(&r);
}
END_TEST

START_TEST(pipe_nobody_writes)
{
	struct run r;
	const struct stacks_thread *t;
	int gdb = use_gdb(_i);

	run_start(&r, "hang_pipe", NULL);
	run_capture(&r, "hang_pipe.c", STACKS_WAITING_FOR_INPUT, gdb, 1, NULL);
	t = thread_at(&r.st, 0, 1);
	assert_wait(t, gdb, "read", STACKS_WAIT_READ, "hang_pipe.c", 19);
	ck_assert_int_eq(t->wait, STACKS_WAIT_READ);
	ck_assert_int_eq(t->input_wait, 1);
	ck_assert_ptr_nonnull(t->detail);
	ck_assert_msg(strstr(t->detail, "only this process can write"), "%s", t->detail);
	ck_assert_ptr_nonnull(strstr(r.st.summary, "The program waits in read"));
	run_end(&r);
}
END_TEST

START_TEST(two_process_pipe_deadlock)
{
	struct run r;
	const struct stacks_thread *parent, *child;
	char *other;
	int gdb = use_gdb(_i);

	run_start(&r, "hang_pipes2", NULL);
	run_capture(&r, "hang_pipes2.c", STACKS_DEADLOCK, gdb, 2, NULL);
	ck_assert_uint_eq(r.st.nprocs, 2);
	ck_assert_int_eq(r.st.procs[0].pid, r.sp.pid);
	ck_assert_int_eq(r.st.procs[1].ppid, r.sp.pid);
	parent = thread_at(&r.st, 0, 1);
	child = thread_at(&r.st, 1, 1);
	assert_wait(parent, gdb, "read", STACKS_WAIT_READ, "hang_pipes2.c", 34);
	assert_wait(child, gdb, "read", STACKS_WAIT_READ, "hang_pipes2.c", 26);
	/* each read has a writer, the other process: no input wait */
	ck_assert_int_eq(parent->input_wait, 0);
	ck_assert_int_eq(child->input_wait, 0);
	other = xasprintf("a pipe written by process %d", (int)r.st.procs[1].pid);
	ck_assert_msg(parent->detail && !strcmp(parent->detail, other), "%s", parent->detail);
	free(other);
	other = xasprintf("Process %d (main) waits in read", (int)r.sp.pid);
	ck_assert_msg(strstr(r.st.summary, other), "%s", r.st.summary);
	free(other);
	run_end(&r);
}
END_TEST

/* Under valgrind, gdb is skipped on its own (it would show valgrind), and
 * /proc still classifies. */
START_TEST(valgrind_proc_only)
{
	struct run r;

	if (access("/usr/bin/valgrind", X_OK) != 0)
		return;
	run_start(&r, "hang_lockorder", "/usr/bin/valgrind");
	run_capture(&r, "hang_lockorder.c", STACKS_DEADLOCK, 1, 1, NULL);
	ck_assert_int_eq(r.st.procs[0].from_gdb, 0);
	ck_assert_ptr_nonnull(r.st.procs[0].note);
	ck_assert_ptr_nonnull(strstr(r.st.procs[0].note, "valgrind"));
	ck_assert_uint_ge(r.st.procs[0].nthreads, 3);
	ck_assert_ptr_nonnull(strstr(r.st.summary, "valgrind"));
	run_end(&r);
}
END_TEST

/* A gdb that cannot be run: a note, and /proc alone still classifies. */
START_TEST(gdb_missing)
{
	struct run r;

	run_start(&r, "hang_condwait", NULL);
	run_capture(&r, "hang_condwait.c", STACKS_DEADLOCK, 1, 1, "/nonexistent/gdb");
	ck_assert_int_eq(r.st.procs[0].from_gdb, 0);
	ck_assert_ptr_nonnull(r.st.procs[0].note);
	ck_assert_msg(strstr(r.st.procs[0].note, "gdb could not be run"), "%s",
		      r.st.procs[0].note);
	ck_assert_ptr_nonnull(strstr(r.st.summary, "gdb could not be run"));
	run_end(&r);
}
END_TEST

/* Processes that are gone (pids above any pid_max, or not pids): nothing
 * to capture, said so. */
START_TEST(nothing_alive)
{
	struct stacks st;
	pid_t pids[3] = { INT_MAX, -5, 0 };

	ck_assert_int_eq(stacks_capture(&st, pids, 3, NULL), -1);
	ck_assert_int_eq(st.verdict, STACKS_UNKNOWN);
	ck_assert_uint_eq(st.nprocs, 0);
	ck_assert_ptr_nonnull(strstr(st.summary, "Nothing to inspect"));
	stacks_release(&st);
	ck_assert_int_eq(stacks_capture(&st, NULL, 0, NULL), -1);
	ck_assert_ptr_nonnull(st.summary);
	stacks_release(&st);
}
END_TEST

/* ---- gdb's output as data ---- */

static char *read_data(const char *name, size_t *len)
{
	struct buf b;
	char *path = xasprintf(DATA "%s", name);

	buf_init(&b, 0);
	ck_assert_msg(buf_read_file(&b, path) == 0, "cannot read %s", path);
	free(path);
	return buf_detach(&b, len);
}

static const char *const lock_src[] = { "hang_lockorder.c", NULL };

/* Parses a data file into p (zeroed), returns the thread count. */
static int parse_file(struct stacks_process *p, const char *name,
		      const char *const *sources)
{
	size_t len;
	char *text = read_data(name, &len);
	int n;

	memset(p, 0, sizeof(*p));
	n = stacks_parse_gdb(p, text, len, sources);
	free(text);
	ck_assert_int_eq(n, (int)p->nthreads);
	ck_assert_int_eq(p->from_gdb, n > 0);
	return n;
}

static void process_release(struct stacks_process *p)
{
	struct stacks st;

	memset(&st, 0, sizeof(st));
	st.procs = xmalloc(sizeof(*st.procs));
	st.procs[0] = *p;
	st.nprocs = 1;
	stacks_release(&st);
	memset(p, 0, sizeof(*p));
}

static void assert_parsed(const struct stacks_thread *t, const char *call,
			  enum stacks_wait wait, const char *file, int line,
			  const char *function)
{
	ck_assert_msg(t->call && !strcmp(t->call, call), "thread %d: call %s, not %s",
		      t->index, t->call ? t->call : "NULL", call);
	ck_assert_int_eq(t->wait, wait);
	if (file) {
		ck_assert_ptr_nonnull(t->file);
		ck_assert_str_eq(t->file, file);
		ck_assert_int_eq(t->line, line);
	} else {
		ck_assert_ptr_null(t->file);
	}
	if (function) {
		ck_assert_ptr_nonnull(t->function);
		ck_assert_str_eq(t->function, function);
	}
}

static const struct stacks_thread *by_index(const struct stacks_process *p, int index)
{
	size_t j;

	for (j = 0; j < p->nthreads; j++)
		if (p->threads[j].index == index)
			return &p->threads[j];
	ck_abort_msg("no thread %d", index);
	return NULL;
}

/* -O0, -O2 and the arguments printed: the same answers. */
START_TEST(parse_lockorder)
{
	static const char *const files[] = {
		"lockorder-O0.txt", "lockorder-O2.txt", "lockorder-args.txt"
	};
	struct stacks_process p;
	struct stacks st;

	ck_assert_int_eq(parse_file(&p, files[_i], lock_src), 3);
	assert_parsed(by_index(&p, 1), "pthread_join", STACKS_WAIT_JOIN,
		      "hang_lockorder.c", 46, "main");
	assert_parsed(by_index(&p, 2), "pthread_mutex_lock", STACKS_WAIT_MUTEX,
		      "hang_lockorder.c", 20, "first");
	assert_parsed(by_index(&p, 3), "pthread_mutex_lock", STACKS_WAIT_MUTEX,
		      "hang_lockorder.c", 30, "second");
	/* the tid from "(LWP N)", frames top first, system frames kept */
	ck_assert_int_gt(by_index(&p, 2)->tid, 0);
	ck_assert_uint_eq(by_index(&p, 2)->nframes, 7);
	ck_assert_str_eq(by_index(&p, 2)->frames[0].function, "futex_wait");
	ck_assert_str_eq(by_index(&p, 2)->frames[0].file,
			 "../sysdeps/nptl/futex-internal.h");
	ck_assert_int_eq(by_index(&p, 2)->frames[0].line, 146);
	ck_assert_str_eq(by_index(&p, 2)->frames[6].function, "clone3");

	/* with states unknown (no /proc), the waits alone classify */
	memset(&st, 0, sizeof(st));
	st.procs = xmalloc(sizeof(*st.procs));
	st.procs[0] = p;
	st.nprocs = 1;
	stacks_classify(&st);
	ck_assert_int_eq(st.verdict, STACKS_DEADLOCK);
	ck_assert_msg(strstr(st.summary, "thread 2 waits in pthread_mutex_lock at "
					 "hang_lockorder.c:20 in first(); thread 3 waits in "
					 "pthread_mutex_lock at hang_lockorder.c:30 in second()"),
		      "%s", st.summary);
	stacks_release(&st);
}
END_TEST

/* No debug information in the program: functions, no file:line. */
START_TEST(parse_nodebug)
{
	struct stacks_process p;
	const struct stacks_thread *t;

	ck_assert_int_eq(parse_file(&p, "lockorder-nodebug.txt", lock_src), 3);
	t = by_index(&p, 2);
	assert_parsed(t, "pthread_mutex_lock", STACKS_WAIT_MUTEX, NULL, 0, NULL);
	ck_assert_str_eq(t->frames[4].function, "first");
	ck_assert_ptr_null(t->frames[4].file);
	ck_assert_ptr_null(t->frames[4].module);
	/* the join is named from glibc's internal frame */
	assert_parsed(by_index(&p, 1), "pthread_join", STACKS_WAIT_JOIN, NULL, 0, NULL);
	process_release(&p);
}
END_TEST

/* TSan's interceptors are seen through; its background thread is not the
 * program's. ASan: the plain stacks. */
START_TEST(parse_sanitizers)
{
	static const char *const src[] = { "hang_condwait.c", NULL };
	struct stacks_process p;
	struct stacks st;
	size_t j;
	int runtime = 0;

	ck_assert_int_eq(parse_file(&p, "condwait-tsan.txt", src), 3);
	assert_parsed(by_index(&p, 3), "pthread_cond_wait", STACKS_WAIT_COND,
		      "hang_condwait.c", 18, "consumer");
	assert_parsed(by_index(&p, 1), "pthread_join", STACKS_WAIT_JOIN,
		      "hang_condwait.c", 31, "main");
	for (j = 0; j < p.nthreads; j++)
		runtime += p.threads[j].runtime;
	ck_assert_int_eq(runtime, 1);
	ck_assert_int_eq(by_index(&p, 2)->runtime, 1);
	/* so the sleeping background thread does not make it "sleeping" */
	memset(&st, 0, sizeof(st));
	st.procs = xmalloc(sizeof(*st.procs));
	st.procs[0] = p;
	st.nprocs = 1;
	stacks_classify(&st);
	ck_assert_int_eq(st.verdict, STACKS_DEADLOCK);
	ck_assert_ptr_null(strstr(st.summary, "thread 2"));
	stacks_release(&st);

	ck_assert_int_eq(parse_file(&p, "condwait-asan.txt", src), 2);
	assert_parsed(by_index(&p, 2), "pthread_cond_wait", STACKS_WAIT_COND,
		      "hang_condwait.c", 18, "consumer");
	assert_parsed(by_index(&p, 1), "pthread_join", STACKS_WAIT_JOIN,
		      "hang_condwait.c", 31, "main");
	process_release(&p);
}
END_TEST

START_TEST(parse_pipes_and_spin)
{
	static const char *const pipes[] = { "hang_pipes2.c", NULL };
	static const char *const spin[] = { "hang_spin.c", NULL };
	struct stacks_process p;

	ck_assert_int_eq(parse_file(&p, "pipes2-O2.txt", pipes), 1);
	assert_parsed(by_index(&p, 1), "read", STACKS_WAIT_READ, "hang_pipes2.c", 34, "main");
	process_release(&p);
	ck_assert_int_eq(parse_file(&p, "spin-O2.txt", spin), 2);
	/* the spinner's top frame is the student's own: nothing it waits in */
	ck_assert_ptr_null(by_index(&p, 2)->call);
	ck_assert_str_eq(by_index(&p, 2)->file, "hang_spin.c");
	ck_assert_int_eq(by_index(&p, 2)->line, 15);
	process_release(&p);
}
END_TEST

START_TEST(parse_synthetic)
{
	static const char *const src[] = { "src/prodcons.c", "client.c", NULL };
	struct stacks_process p;
	const struct stacks_thread *t;

	ck_assert_int_eq(parse_file(&p, "synthetic.txt", src), 4);
	/* libc without symbols' line info: "from" modules; "??" frames; the
	 * location at the end of the line, not inside an argument; the
	 * source's name as the spec gives it */
	t = by_index(&p, 4);
	ck_assert_int_eq(t->tid, 1004);
	ck_assert_uint_eq(t->nframes, 4);
	ck_assert_ptr_null(t->frames[0].function);
	ck_assert_str_eq(t->frames[0].module, "/lib/x86_64-linux-gnu/libc.so.6");
	ck_assert_ptr_null(t->frames[3].function);
	ck_assert_ptr_null(t->frames[3].module);
	assert_parsed(t, "pthread_mutex_lock", STACKS_WAIT_MUTEX, "src/prodcons.c", 57,
		      "worker");
	/* stdio above read: what the student called */
	t = by_index(&p, 3);
	assert_parsed(t, "fgets", STACKS_WAIT_READ, "client.c", 12, "read_request");
	ck_assert_int_eq(t->timed, 0);
	/* sleep() over nanosleep: timed */
	t = by_index(&p, 2);
	assert_parsed(t, "sleep", STACKS_WAIT_SLEEP, "src/prodcons.c", 80, "poller");
	ck_assert_int_eq(t->timed, 1);
	/* "Thread 1 (process N)"; a full path matched by basename; glibc's
	 * internal name only; a garbage frame line kept as a frame */
	t = by_index(&p, 1);
	ck_assert_int_eq(t->tid, 1001);
	assert_parsed(t, "sem_wait", STACKS_WAIT_SEM, "src/prodcons.c", 101, "main");
	ck_assert_uint_eq(t->nframes, 4);
	process_release(&p);
}
END_TEST

/* Without sources: any file that is not the system's is the student's. */
START_TEST(parse_without_sources)
{
	struct stacks_process p;

	ck_assert_int_eq(parse_file(&p, "lockorder-O0.txt", NULL), 3);
	assert_parsed(by_index(&p, 2), "pthread_mutex_lock", STACKS_WAIT_MUTEX,
		      "hang_lockorder.c", 20, "first");
	process_release(&p);
	/* sources that match nothing: no location, the call still named */
	{
		static const char *const other[] = { "other.c", NULL };

		ck_assert_int_eq(parse_file(&p, "lockorder-O0.txt", other), 3);
		assert_parsed(by_index(&p, 2), "pthread_mutex_lock", STACKS_WAIT_MUTEX,
			      NULL, 0, NULL);
		process_release(&p);
	}
}
END_TEST

/* Random bytes, truncated outputs, huge lines: no crash, bounded. */
START_TEST(parse_garbage)
{
	struct stacks_process p;
	size_t len, cut, i;
	char *text = read_data("lockorder-O2.txt", &len);
	char *junk = xmalloc(70000);

	for (cut = 0; cut < len; cut += 37) {
		memset(&p, 0, sizeof(p));
		stacks_parse_gdb(&p, text, cut, lock_src);
		process_release(&p);
	}
	srand(7);
	for (i = 0; i < 70000; i++)
		junk[i] = (char)(rand() % 256);
	memcpy(junk, "Thread 1 (LWP 5):\n#0  ", 22);
	memset(&p, 0, sizeof(p));
	stacks_parse_gdb(&p, junk, 70000, lock_src);
	ck_assert_uint_le(p.nthreads, 1);
	process_release(&p);
	/* a frame line far longer than any real one, and many frames */
	for (i = 0; i < 70000; i++)
		junk[i] = (i % 100 == 99) ? '\n' : (i % 100 < 4 ? "#1  "[i % 100] : 'a');
	memcpy(junk, "Thread 9 (LWP 9):\n", 18);
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(stacks_parse_gdb(&p, junk, 70000, NULL), 1);
	ck_assert_uint_le(p.threads[0].nframes, 64);
	process_release(&p);
	free(junk);
	free(text);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(stacks_verdict_name(STACKS_DEADLOCK), "deadlock");
	ck_assert_str_eq(stacks_verdict_name(STACKS_BUSY_LOOP), "busy-loop");
	ck_assert_str_eq(stacks_verdict_name(STACKS_WAITING_FOR_INPUT), "waiting-for-input");
	ck_assert_str_eq(stacks_verdict_name(STACKS_SLEEPING), "sleeping");
	ck_assert_str_eq(stacks_verdict_name(STACKS_UNKNOWN), "unknown");
	ck_assert_str_eq(stacks_wait_name(STACKS_WAIT_COND), "condition variable");
	ck_assert_str_eq(stacks_wait_name((enum stacks_wait)99), "unknown");
}
END_TEST

Suite *make_stacks_suite(void)
{
	Suite *s = suite_create("stacks");
	TCase *live = tcase_create("live");
	TCase *data = tcase_create("data");

	/* gdb attaches in about 0.5 s; valgrind starts in about 2 s */
	tcase_set_timeout(live, 120);
	tcase_add_loop_test(live, lock_order_deadlock, 0, 2);
	tcase_add_loop_test(live, cond_wait_forever, 0, 2);
	tcase_add_loop_test(live, busy_loop, 0, 2);
	tcase_add_loop_test(live, pipe_nobody_writes, 0, 2);
	tcase_add_loop_test(live, two_process_pipe_deadlock, 0, 2);
	tcase_add_test(live, valgrind_proc_only);
	tcase_add_test(live, gdb_missing);
	tcase_add_test(live, nothing_alive);
	suite_add_tcase(s, live);

	tcase_add_loop_test(data, parse_lockorder, 0, 3);
	tcase_add_test(data, parse_nodebug);
	tcase_add_test(data, parse_sanitizers);
	tcase_add_test(data, parse_pipes_and_spin);
	tcase_add_test(data, parse_synthetic);
	tcase_add_test(data, parse_without_sources);
	tcase_add_test(data, parse_garbage);
	tcase_add_test(data, names);
	suite_add_tcase(s, data);
	return s;
}
