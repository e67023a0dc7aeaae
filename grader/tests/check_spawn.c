/*
 * check_spawn.c - tests of spawn.c (and cgroup.c through it): exit codes,
 * signals, exec failures, stdin and capped output, every limit, and that
 * nothing of a run survives spawn_finish() -- escaped daemons and fork bombs
 * included.
 *
 * The programs run are built from tests/progs/spawn_*.c (and asan_ok.c)
 * into $GRADER_TEST_PROGS. Every test that kills a tree runs twice (a loop
 * test): _i == 0 with cgroups where they are writable, _i == 1 with
 * GRADER_NO_CGROUP=1, the process-group + subreaper fallback.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spawn.h"
#include "util.h"

/* Under valgrind the child between fork and exec is valgrind's, which
 * fakes RLIMIT_NOFILE: that one check is left out there. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#define FALLBACK "process-group+subreaper"

/* The path of a test program; the last four stay valid. */
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

/* Whether the cgroup path can be expected here. */
static int cgroups_usable(void)
{
	return geteuid() == 0 &&
	       (access("/sys/fs/cgroup/unified/cgroup.procs", W_OK) == 0 ||
		access("/sys/fs/cgroup/cgroup.procs", W_OK) == 0 ||
		access("/sys/fs/cgroup/pids/cgroup.procs", W_OK) == 0 ||
		access("/sys/fs/cgroup/memory/cgroup.procs", W_OK) == 0);
}

/* Mode 0: cgroups if possible; mode 1: the fallback. Returns the isolation
 * the run must report. */
static const char *set_mode(int mode)
{
	if (mode)
		setenv("GRADER_NO_CGROUP", "1", 1);
	else
		unsetenv("GRADER_NO_CGROUP");
	return !mode && cgroups_usable() ? "cgroup" : FALLBACK;
}

/* The isolation starts with the tracking mechanism, then the sandbox's
 * words. */
static void assert_isolation(const char *got, const char *tracking)
{
	size_t n = strlen(tracking);

	ck_assert_ptr_nonnull(got);
	ck_assert_msg(!strncmp(got, tracking, n) && got[n] == ';',
		      "isolation '%s' does not start with '%s;'", got, tracking);
}

static void setup(void)
{
	spawn_setup_process();
}

/* CK_FORK=no runs every test in one process: leave no mode behind. */
static void teardown(void)
{
	unsetenv("GRADER_NO_CGROUP");
}

/* Alive = exists and is not a zombie. */
static int pid_alive(pid_t pid)
{
	char path[64], text[512], *p;
	FILE *f;
	size_t n;

	if (kill(pid, 0) < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	p = strrchr(text, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* Every "<key> <pid>" line of text must name a dead process; returns how
 * many there were. */
static int assert_all_dead(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *p = text;
	int n = 0;

	while (p && *p) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ') {
			pid_t pid = (pid_t)strtol(p + kl + 1, NULL, 10);

			ck_assert_int_gt(pid, 1);
			ck_assert_msg(!pid_alive(pid), "%s %ld still alive", key, (long)pid);
			n++;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

static void run_ok(struct spawn *sp)
{
	struct error e;

	error_init(&e);
	ck_assert_msg(spawn_run(sp, &e) == 0, "spawn_run: %s", e.msg);
}

START_TEST(test_exit_code)
{
	struct spawn sp;
	const char *argv[] = { prog("spawn_exit"), "3", NULL };

	spawn_init(&sp);
	sp.argv = argv;
	run_ok(&sp);
	ck_assert_str_eq(spawn_outcome_name(sp.outcome), "exited");
	ck_assert_int_eq(sp.exit_code, 3);
	ck_assert_str_eq(sp.out.data, "out\nout2\n");
	ck_assert_str_eq(sp.err.data, "err\n");
	ck_assert_int_eq(sp.leftover, 0);
	ck_assert(sp.wall_used > 0 && sp.wall_used < 5);
	spawn_release(&sp);

	/* The same struct again, with stderr merged into stdout. */
	spawn_init(&sp);
	argv[1] = "0";
	sp.argv = argv;
	sp.merge_stderr = 1;
	run_ok(&sp);
	ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
	ck_assert_int_eq(sp.exit_code, 0);
	ck_assert_str_eq(sp.out.data, "out\nerr\nout2\n");
	ck_assert_uint_eq(sp.err.len, 0);
	spawn_release(&sp);
}
END_TEST

START_TEST(test_signal_death)
{
	struct spawn sp;
	const char *argv[] = { prog("spawn_segv"), NULL };

	spawn_init(&sp);
	sp.argv = argv;
	run_ok(&sp);
	ck_assert_int_eq(sp.outcome, SPAWN_SIGNALED);
	ck_assert_int_eq(sp.term_signal, SIGSEGV);
	ck_assert_str_eq(sp.out.data, "before\n");
	spawn_release(&sp);
}
END_TEST

static void expect_exec_failure(const char *const *argv, const char *cwd, int err)
{
	struct spawn sp;

	spawn_init(&sp);
	sp.argv = argv;
	sp.cwd = cwd;
	run_ok(&sp);
	ck_assert_str_eq(spawn_outcome_name(sp.outcome), "exec-failed");
	ck_assert_int_eq(sp.exec_errno, err);
	ck_assert_uint_eq(sp.out.len, 0);
	spawn_release(&sp);
}

START_TEST(test_exec_failure)
{
	const char *missing[] = { "/nonexistent/grader-test-prog", NULL };
	const char *not_in_path[] = { "grader-no-such-program", NULL };
	const char *not_exec[] = { "/etc/passwd", NULL };
	const char *ok[] = { "/bin/true", NULL };

	expect_exec_failure(missing, NULL, ENOENT);
	expect_exec_failure(not_in_path, NULL, ENOENT);
	expect_exec_failure(not_exec, NULL, EACCES);   /* no x bit: root too */
	expect_exec_failure(ok, "/nonexistent-dir", ENOENT);
}
END_TEST

START_TEST(test_path_lookup)
{
	struct spawn sp;
	const char *argv[] = { "true", NULL };

	spawn_init(&sp);
	sp.argv = argv;
	run_ok(&sp);
	ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
	ck_assert_int_eq(sp.exit_code, 0);
	spawn_release(&sp);
}
END_TEST

START_TEST(test_stdin_file)
{
	struct spawn sp;
	struct buf want;
	struct error e;
	const char *argv[] = { prog("spawn_cat"), NULL };

	buf_init(&want, 0);
	ck_assert_int_eq(buf_read_file(&want, "data/spawn/input.txt"), 0);
	ck_assert_uint_gt(want.len, 0);
	spawn_init(&sp);
	sp.argv = argv;
	sp.stdin_path = "data/spawn/input.txt";
	run_ok(&sp);
	ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
	ck_assert_uint_eq(sp.out.len, want.len);
	ck_assert(memcmp(sp.out.data, want.data, want.len) == 0);
	spawn_release(&sp);
	buf_release(&want);

	/* A stdin file that does not exist is the caller's error. */
	spawn_init(&sp);
	sp.argv = argv;
	sp.stdin_path = "data/spawn/no-such-file";
	error_init(&e);
	ck_assert_int_eq(spawn_run(&sp, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "no-such-file"));
	spawn_release(&sp);

	/* No stdin at all: /dev/null, an immediate EOF. */
	spawn_init(&sp);
	sp.argv = argv;
	run_ok(&sp);
	ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
	ck_assert_uint_eq(sp.out.len, 0);
	spawn_release(&sp);
}
END_TEST

START_TEST(test_stdin_data_echo)
{
	struct spawn sp;
	const char *argv[] = { prog("spawn_cat"), NULL };
	size_t len = (size_t)5 << 20, i;
	char *data = xmalloc(len);
	unsigned int x = 12345;

	/* Pseudo-random bytes, NULs included. */
	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		data[i] = (char)(x >> 16);
	}
	spawn_init(&sp);
	sp.argv = argv;
	sp.stdin_data = data;
	sp.stdin_len = len;
	sp.wall_s = 20;
	run_ok(&sp);
	ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
	ck_assert_int_eq(sp.exit_code, 0);
	ck_assert_uint_eq(sp.out.len, len);
	ck_assert(memcmp(sp.out.data, data, len) == 0);
	ck_assert(!sp.out.truncated);
	spawn_release(&sp);

	/* Empty data: EOF at once. */
	spawn_init(&sp);
	sp.argv = argv;
	sp.stdin_data = "";
	sp.stdin_len = 0;
	run_ok(&sp);
	ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
	ck_assert_uint_eq(sp.out.len, 0);
	spawn_release(&sp);
	free(data);
}
END_TEST

START_TEST(test_stdin_not_read)
{
	struct spawn sp;
	const char *argv[] = { prog("spawn_noread"), NULL, NULL };
	const char *delays[] = { "0", "100" };
	size_t len = (size_t)8 << 20;
	char *data = xmalloc(len);
	double t;
	int k;
	void (*old)(int);

	memset(data, 'a', len);
	/* The grader must survive EPIPE without relying on SIGPIPE being
	 * ignored. */
	old = signal(SIGPIPE, SIG_DFL);
	for (k = 0; k < 2; k++) {
		argv[1] = delays[k];
		spawn_init(&sp);
		sp.argv = argv;
		sp.stdin_data = data;
		sp.stdin_len = len;
		sp.wall_s = 10;
		t = now_seconds();
		run_ok(&sp);
		ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
		ck_assert_int_eq(sp.exit_code, 0);
		ck_assert_str_eq(sp.out.data, "done\n");
		ck_assert_msg(now_seconds() - t < 5, "took %.2f s", now_seconds() - t);
		spawn_release(&sp);
	}
	signal(SIGPIPE, old);
	free(data);
}
END_TEST

START_TEST(test_child_setup)
{
	struct spawn sp;
	const char *argv[] = { prog("spawn_inspect"), NULL };
	const char *env[] = { "FOO=bar", "PATH=/bin", NULL };
	int leak = open("/dev/null", O_RDONLY);   /* not close-on-exec */
	const char *nofile;
	/* Ignored in the grader, default in the child. */
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);

	ck_assert_int_ge(leak, 0);
	spawn_init(&sp);
	sp.argv = argv;
	sp.cwd = "/tmp";
	sp.open_files = 64;
	run_ok(&sp);
	ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
	nofile = strstr(sp.out.data, "nofile ");
	ck_assert_ptr_nonnull(nofile);
	if (!RUNNING_ON_VALGRIND)
		ck_assert(strncmp(nofile, "nofile 64\n", 10) == 0);
	/* Everything but the limit's value. */
	ck_assert_int_eq(nofile - sp.out.data, (long)strlen(
			 "cwd /tmp\n"
			 "env PATH=/usr/local/bin:/usr/bin:/bin\n"
			 "env LANG=C\n"
			 "fds 0 1 2\n"
			 "sigpipe default\n"
			 "blocked 0\n"
			 "core 0\n"));
	ck_assert(strncmp(sp.out.data,
			  "cwd /tmp\n"
			  "env PATH=/usr/local/bin:/usr/bin:/bin\n"
			  "env LANG=C\n"
			  "fds 0 1 2\n"
			  "sigpipe default\n"
			  "blocked 0\n"
			  "core 0\n", (size_t)(nofile - sp.out.data)) == 0);
	ck_assert_str_eq(strchr(nofile, '\n') + 1, "leader 1\n");
	spawn_release(&sp);

	spawn_init(&sp);
	sp.argv = argv;
	sp.envp = env;
	run_ok(&sp);
	ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
	ck_assert_ptr_nonnull(strstr(sp.out.data, "\nenv FOO=bar\nenv PATH=/bin\nfds 0 1 2\n"));
	ck_assert_ptr_null(strstr(sp.out.data, "LANG"));
	spawn_release(&sp);
	close(leak);
	signal(SIGPIPE, old);
}
END_TEST

START_TEST(test_wall_timeout)
{
	struct spawn sp;
	const char *argv[] = { prog("spawn_sleep"), NULL };
	const char *iso = set_mode(_i);
	double t = now_seconds();

	spawn_init(&sp);
	sp.argv = argv;
	sp.wall_s = 0.3;
	run_ok(&sp);
	t = now_seconds() - t;
	assert_isolation(sp.isolation, iso);
	ck_assert_str_eq(spawn_outcome_name(sp.outcome), "timeout");
	ck_assert_int_eq(sp.term_signal, SIGKILL);
	ck_assert_msg(sp.wall_used >= 0.3 && sp.wall_used < 1.5, "wall %.3f", sp.wall_used);
	ck_assert_msg(t < 3.0, "run took %.3f s", t);
	ck_assert_str_eq(sp.out.data, "sleeping\n");
	spawn_release(&sp);
}
END_TEST

START_TEST(test_cpu_limit)
{
	struct spawn sp;
	/* Two spinners with cgroups: the limit is on the whole tree. The
	 * fallback only sees the main process's time: one spinner. */
	const char *argv[] = { prog("spawn_spin"), _i ? "1" : "2", NULL };
	const char *iso = set_mode(_i);

	spawn_init(&sp);
	sp.argv = argv;
	sp.cpu_s = 0.4;
	sp.wall_s = 15;
	run_ok(&sp);
	assert_isolation(sp.isolation, iso);
	ck_assert_str_eq(spawn_outcome_name(sp.outcome), "cpu-limit");
	ck_assert_msg(sp.cpu_used >= 0.35 && sp.cpu_used < 2.0, "cpu %.3f", sp.cpu_used);
	if (!_i && strcmp(iso, "cgroup") == 0)
		ck_assert_int_eq(sp.leftover, 1);
	spawn_release(&sp);
}
END_TEST

START_TEST(test_output_limit)
{
	struct spawn sp;
	const char *argv[] = { prog("spawn_flood"), _i & 2 ? "err" : "out", NULL };
	const char *iso = set_mode(_i & 1);
	struct buf *b;

	spawn_init(&sp);
	sp.argv = argv;
	sp.output = 100000;
	sp.wall_s = 10;
	run_ok(&sp);
	assert_isolation(sp.isolation, iso);
	ck_assert_str_eq(spawn_outcome_name(sp.outcome), "output-limit");
	b = _i & 2 ? &sp.err : &sp.out;
	ck_assert_uint_eq(b->len, 100000);
	ck_assert(b->truncated);
	ck_assert_int_eq(b->data[0], 'x');
	ck_assert_int_eq(b->data[99999], 'x');
	ck_assert_uint_eq((_i & 2 ? &sp.out : &sp.err)->len, 0);
	ck_assert(sp.wall_used < 5);
	spawn_release(&sp);
}
END_TEST

START_TEST(test_escaped_daemon)
{
	struct spawn sp;
	const char *argv[] = { prog("spawn_daemon"), NULL };
	const char *iso = set_mode(_i);
	char *p;
	pid_t daemon;

	spawn_init(&sp);
	sp.argv = argv;
	sp.wall_s = 10;
	/* the pids the program prints are the host's only without a pid
	 * namespace (check_sandbox.c tests the sandboxed case) */
	sp.no_sandbox = 1;
	run_ok(&sp);
	assert_isolation(sp.isolation, iso);
	ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
	ck_assert_int_eq(sp.exit_code, 0);
	ck_assert_int_eq(sp.leftover, 1);
	p = strstr(sp.out.data, "daemon ");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(strstr(sp.out.data, "main exits\n"));
	daemon = (pid_t)strtol(p + 7, NULL, 10);
	ck_assert_int_gt(daemon, 1);
	ck_assert_msg(!pid_alive(daemon), "daemon %ld survived", (long)daemon);
	/* Reaped, not only dead: no zombie left with us. */
	ck_assert_int_eq(kill(daemon, 0), -1);
	spawn_release(&sp);
}
END_TEST

START_TEST(test_fork_bomb)
{
	struct spawn sp;
	/* The fallback as root has no process limit: the bomb's own cap. */
	const char *argv[] = { prog("spawn_forkbomb"), _i ? "60" : "300", NULL };
	const char *iso = set_mode(_i);
	const char *forks_line;
	int forks, pids;

	spawn_init(&sp);
	sp.argv = argv;
	sp.processes = 20;
	sp.wall_s = 20;
	sp.no_sandbox = 1; /* host pids: see test_escaped_daemon */
	run_ok(&sp);
	assert_isolation(sp.isolation, iso);
	ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
	forks_line = strstr(sp.out.data, "forks ");
	ck_assert_ptr_nonnull(forks_line);
	forks = atoi(forks_line + 6);
	pids = assert_all_dead(sp.out.data, "pid");
	ck_assert_int_eq(pids, forks);
	ck_assert_int_ge(forks, 1);
	ck_assert_int_eq(sp.leftover, forks);
	if (strcmp(iso, "cgroup") == 0 || geteuid() != 0)
		ck_assert_int_lt(forks, 20);   /* pids.max, or RLIMIT_NPROC */
	else
		ck_assert_int_le(forks, 60);   /* root: no limit without cgroups */
	spawn_release(&sp);
}
END_TEST

START_TEST(test_memory_limit)
{
	struct spawn sp;
	const char *argv[] = { prog("spawn_hog"), "300", NULL };

	set_mode(0);
	spawn_init(&sp);
	sp.argv = argv;
	sp.memory = 64 << 20;
	sp.wall_s = 20;
	run_ok(&sp);
	if (geteuid() == 0 && access("/sys/fs/cgroup/memory/cgroup.procs", W_OK) == 0)
		ck_assert(sp.memory_enforced);
	if (sp.memory_enforced) {
		ck_assert_str_eq(spawn_outcome_name(sp.outcome), "memory-limit");
		ck_assert_uint_eq(sp.out.len, 0);
		ck_assert(sp.peak_memory <= (64 << 20) + (1 << 20));
		ck_assert(sp.peak_memory >= (32 << 20));
	} else {
		ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
	}
	spawn_release(&sp);
}
END_TEST

START_TEST(test_asan_under_memory_limit)
{
	struct spawn sp;
	const char *argv[] = { prog("asan_ok"), NULL };

	set_mode(0);
	spawn_init(&sp);
	sp.argv = argv;
	sp.memory = 256 << 20;
	sp.wall_s = 20;
	run_ok(&sp);
	ck_assert_msg(sp.outcome == SPAWN_EXITED && sp.exit_code == 0,
		      "%s %d: %s", spawn_outcome_name(sp.outcome), sp.exit_code, sp.err.data);
	ck_assert_str_eq(sp.out.data, "ok 1000\n");
	spawn_release(&sp);
}
END_TEST

START_TEST(test_peak_memory)
{
	struct spawn sp;
	const char *argv[] = { prog("spawn_hog"), "50", NULL };

	/* 0: cgroup, no memory limit (ru_maxrss); 1: fallback; 2: cgroup
	 * with a memory limit (the cgroup's peak). */
	set_mode(_i == 1);
	spawn_init(&sp);
	sp.argv = argv;
	sp.wall_s = 20;
	if (_i == 2)
		sp.memory = 512 << 20;
	run_ok(&sp);
	ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
	ck_assert_str_eq(sp.out.data, "touched 50\n");
	ck_assert_msg(sp.peak_memory >= (50LL << 20), "peak %lld", sp.peak_memory);
	ck_assert_msg(sp.peak_memory < (200LL << 20), "peak %lld", sp.peak_memory);
	spawn_release(&sp);
}
END_TEST

START_TEST(test_interactive)
{
	struct spawn sp;
	struct error e;
	const char *argv[] = { prog("spawn_sleep"), NULL };
	const char *iso = set_mode(_i);
	double t;

	spawn_init(&sp);
	sp.argv = argv;
	error_init(&e);
	ck_assert_int_eq(spawn_start(&sp, &e), 0);
	assert_isolation(sp.isolation, iso);
	t = now_seconds();
	while (!strstr(sp.out.data, "\n") && now_seconds() - t < 10)
		ck_assert_int_eq(spawn_pump(&sp, 0.05), 0);
	ck_assert_int_eq(spawn_pump(&sp, 0), 0);
	ck_assert_str_eq(sp.out.data, "sleeping\n");
	/* It ignores SIGTERM... */
	ck_assert_int_eq(spawn_signal(&sp, SIGTERM), 0);
	ck_assert_int_eq(spawn_pump(&sp, 0.1), 0);
	/* ... but not SIGKILL. */
	ck_assert_int_eq(spawn_signal(&sp, SIGKILL), 0);
	ck_assert_int_eq(spawn_pump(&sp, 5), 1);
	ck_assert_int_eq(spawn_finish(&sp), 0);
	ck_assert_int_eq(sp.outcome, SPAWN_SIGNALED);
	ck_assert_int_eq(sp.term_signal, SIGKILL);
	ck_assert_int_eq(spawn_signal(&sp, SIGKILL), -1);
	spawn_release(&sp);

	/* Finishing early kills the run, daemon included. The daemon's
	 * printed pid is read: no sandbox (its pid namespace would print
	 * its own numbers; check_sandbox.c covers the sandboxed daemon). */
	argv[0] = prog("spawn_daemon");
	spawn_init(&sp);
	sp.no_sandbox = 1;
	sp.argv = argv;
	ck_assert_int_eq(spawn_start(&sp, &e), 0);
	ck_assert_int_eq(spawn_finish(&sp), 0);
	ck_assert_int_le(sp.leftover, 2);
	if (strstr(sp.out.data, "daemon "))
		assert_all_dead(sp.out.data, "daemon");
	spawn_release(&sp);
}
END_TEST

struct tick_seen {
	int ticks;
	int most;  /* the most processes seen at once */
};

static void count_tick(struct spawn *sp, void *arg)
{
	struct tick_seen *ts = arg;
	pid_t *pids;
	int n = spawn_pids(sp, &pids);

	ts->ticks++;
	if (n > ts->most)
		ts->most = n;
	free(pids);
}

static void pump_until(struct spawn *sp, const char *text)
{
	double t = now_seconds();

	while (!strstr(sp->out.data ? sp->out.data : "", text) &&
	       now_seconds() - t < 10)
		ck_assert_int_eq(spawn_pump(sp, 0.05), 0);
	ck_assert_msg(strstr(sp->out.data, text), "'%s' never came; got '%s'",
		      text, sp->out.data);
}

/* A run on a pseudo-terminal: keys reach the foreground group as signals,
 * are not echoed, and the observer sees the tree. */
START_TEST(test_pty)
{
	struct spawn sp;
	struct error e;
	struct tick_seen ts = { 0, 0 };
	const char *argv[] = { prog("spawn_tty"), NULL };

	set_mode(_i);
	spawn_init(&sp);
	sp.argv = argv;
	sp.use_pty = 1;
	sp.wall_s = 30;
	sp.on_tick = count_tick;
	sp.tick_arg = &ts;
	sp.tick_s = 0.01;
	error_init(&e);
	ck_assert_int_eq(spawn_start(&sp, &e), 0);
	pump_until(&sp, "tty=1 fg=1\n");
	ck_assert_int_eq(spawn_pty_write(&sp, "\x03", 1), 0);
	pump_until(&sp, "INT\n");
	ck_assert_int_ge(ts.ticks, 1);
	ck_assert_int_eq(ts.most, 2);
	ck_assert_int_eq(spawn_pty_write(&sp, "\x1c", 1), 0); /* Ctrl-\ */
	ck_assert_int_eq(spawn_pump(&sp, 10), 1);
	ck_assert_int_eq(spawn_finish(&sp), 0);
	ck_assert_int_eq(sp.outcome, SPAWN_SIGNALED);
	ck_assert_int_eq(sp.term_signal, SIGQUIT);
	ck_assert_ptr_null(strstr(sp.out.data, "^C"));
	ck_assert_str_eq(sp.out.data, "tty=1 fg=1\nINT\n");
	ck_assert_int_eq(spawn_pty_write(&sp, "x", 1), -1);
	spawn_release(&sp);
}
END_TEST

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void *new_netns(void *arg)
{
	int *fd = arg;

	*fd = -1;
	if (unshare(CLONE_NEWNET) == 0)
		*fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	return NULL;
}

/* netns_fd: the program runs in the namespace it names. */
START_TEST(test_netns)
{
	struct spawn sp;
	const char *argv[] = { "/bin/cat", "/proc/net/dev", NULL };
	pthread_t th;
	int fd;

	pthread_create(&th, NULL, new_netns, &fd);
	pthread_join(th, NULL);
	if (fd < 0)
		return; /* no CAP_SYS_ADMIN: nothing to test */
	spawn_init(&sp);
	sp.argv = argv;
	sp.netns_fd = fd;
	run_ok(&sp);
	ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
	ck_assert_int_eq(sp.exit_code, 0);
	/* a new namespace has loopback only */
	ck_assert_ptr_nonnull(strstr(sp.out.data, "lo:"));
	ck_assert_int_eq(count_lines(sp.out.data), 3);
	spawn_release(&sp);
	close(fd);
}
END_TEST

START_TEST(test_two_runs_at_once)
{
	struct spawn a, b;
	struct error e;
	const char *sleeper[] = { prog("spawn_sleep"), NULL };
	const char *quick[] = { prog("spawn_exit"), "7", NULL };
	const char *iso = set_mode(_i);

	spawn_init(&a);
	spawn_init(&b);
	a.argv = sleeper;
	a.wall_s = 0.5;
	b.argv = quick;
	error_init(&e);
	ck_assert_int_eq(spawn_start(&a, &e), 0);
	ck_assert_int_eq(spawn_start(&b, &e), 0);
	while (spawn_pump(&b, -1) == 0)
		;
	ck_assert_int_eq(spawn_finish(&b), 0);
	ck_assert_int_eq(b.outcome, SPAWN_EXITED);
	ck_assert_int_eq(b.exit_code, 7);
	/* b's finishing (orphan reaping included) left a alone. */
	ck_assert_int_eq(spawn_pump(&a, 0), 0);
	while (spawn_pump(&a, -1) == 0)
		;
	ck_assert_int_eq(spawn_finish(&a), 0);
	assert_isolation(a.isolation, iso);
	ck_assert_int_eq(a.outcome, SPAWN_TIMEOUT);
	spawn_release(&a);
	spawn_release(&b);
}
END_TEST

START_TEST(test_overhead)
{
	const char *argv[] = { "/bin/true", NULL };
	const char *iso = set_mode(_i);
	double t = now_seconds();
	int k;

	for (k = 0; k < 50; k++) {
		struct spawn sp;

		spawn_init(&sp);
		sp.argv = argv;
		run_ok(&sp);
		ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
		ck_assert_int_eq(sp.exit_code, 0);
		assert_isolation(sp.isolation, iso);
		spawn_release(&sp);
	}
	t = now_seconds() - t;
	printf("spawn: 50 runs of /bin/true (%s): %.2f ms per run\n", iso, t * 1000 / 50);
}
END_TEST

Suite *make_spawn_suite(void)
{
	Suite *s = suite_create("spawn");
	TCase *tc = tcase_create("basics");
	TCase *tree = tcase_create("tree");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_exit_code);
	tcase_add_test(tc, test_signal_death);
	tcase_add_test(tc, test_exec_failure);
	tcase_add_test(tc, test_path_lookup);
	tcase_add_test(tc, test_stdin_file);
	tcase_add_test(tc, test_stdin_data_echo);
	tcase_add_test(tc, test_stdin_not_read);
	tcase_add_test(tc, test_child_setup);
	tcase_add_test(tc, test_memory_limit);
	tcase_add_test(tc, test_asan_under_memory_limit);
	tcase_add_loop_test(tc, test_peak_memory, 0, 3);
	suite_add_tcase(s, tc);

	/* _i: 0 = cgroups (where writable), 1 = GRADER_NO_CGROUP=1. */
	tcase_add_checked_fixture(tree, setup, teardown);
	tcase_set_timeout(tree, 60);
	tcase_add_loop_test(tree, test_wall_timeout, 0, 2);
	tcase_add_loop_test(tree, test_cpu_limit, 0, 2);
	tcase_add_loop_test(tree, test_output_limit, 0, 4);
	tcase_add_loop_test(tree, test_escaped_daemon, 0, 2);
	tcase_add_loop_test(tree, test_fork_bomb, 0, 2);
	tcase_add_loop_test(tree, test_interactive, 0, 2);
	tcase_add_loop_test(tree, test_two_runs_at_once, 0, 2);
	tcase_add_loop_test(tree, test_overhead, 0, 2);
	tcase_add_loop_test(tree, test_pty, 0, 2);
	tcase_add_test(tree, test_netns);
	suite_add_tcase(s, tree);
	return s;
}
