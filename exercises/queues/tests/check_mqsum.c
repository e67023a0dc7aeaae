/*
 * check_mqsum.c - the instructor's Check suite for the `queues` exercise,
 * part b (the program ./mqsum NAME N). Unlike check_bqueue.c it links no
 * student code: each test runs the student's program, whose path is in
 * $UNIT_PROGRAM (the grader's `program: true`), as a child process.
 *
 * Why a suite rather than plain runs of the program: POSIX message queues
 * have global names, so every run uses a fresh name (two gradings at once,
 * or a queue a previous submission left behind, must not interfere), and
 * what must hold after the run -- the queue is gone, no child of mqsum is
 * left unreaped -- is checked right there, from the same process:
 *
 *  - mq_open("/NAME") after the run must fail with ENOENT (a leftover
 *    queue is removed by the test, so nothing outlives it);
 *  - this process makes itself a child subreaper, so a child that mqsum
 *    did not reap is adopted by the test and found with waitpid().
 *
 * By hand: cc -std=gnu11 -pthread tests/check_mqsum.c $(pkg-config --cflags
 * --libs check) -lrt -o check_mqsum && UNIT_PROGRAM=./mqsum ./check_mqsum
 * (build with -DMQSUM_CHECK_NO_MAIN to link make_mqsum_suite() elsewhere).
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OUT_MAX (64 << 10)
#define RUN_TIMEOUT_MS 60000

struct run {
	char name[64];       /* NAME as given (the queue is "/NAME") */
	char out[OUT_MAX + 1];
	char err[OUT_MAX + 1];
	size_t nout, nerr;
	int status;          /* waitpid status */
	int timed_out;
	int queue_left;      /* /NAME existed after the run (now removed) */
	int orphans;         /* children of mqsum found unreaped */
};

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static const char *program(void)
{
	const char *p = getenv("UNIT_PROGRAM");

	ck_assert_msg(p && *p, "UNIT_PROGRAM is not set: run this suite "
		      "with UNIT_PROGRAM=./mqsum");
	return p;
}

static void fresh_name(char *out, size_t n)
{
	static unsigned counter;
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	snprintf(out, n, "mqsum_test_%ld_%u_%ld", (long)getpid(), ++counter,
		 t.tv_nsec);
}

/* Reads what is available on fd into buf; returns 0 at end of file. */
static int drain(int fd, char *buf, size_t *len)
{
	char tmp[4096];
	ssize_t r = read(fd, tmp, sizeof(tmp));

	if (r < 0 && errno == EINTR)
		return 1;
	if (r <= 0)
		return 0;
	if (*len + (size_t)r > OUT_MAX)
		r = (ssize_t)(OUT_MAX - *len);
	memcpy(buf + *len, tmp, (size_t)r);
	*len += (size_t)r;
	buf[*len] = '\0';
	return 1;
}

/*
 * Runs the program with argv[1..] = args (NULL-terminated; "@" stands
 * for a fresh queue name), collects its output and status, then checks
 * what it left behind.
 */
static void run_mqsum(struct run *r, const char *const *args)
{
	const char *argv[8];
	int out[2], err[2], open_fds = 2, i, n = 0;
	long deadline;
	pid_t pid, w;

	memset(r, 0, sizeof(*r));
	fresh_name(r->name, sizeof(r->name));
	argv[n++] = "mqsum";
	for (i = 0; args[i] && n < 7; i++)
		argv[n++] = strcmp(args[i], "@") ? args[i] : r->name;
	argv[n] = NULL;
	/* orphans of mqsum come to us, not to init */
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(err, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		execv(program(), (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	deadline = now_ms() + RUN_TIMEOUT_MS;
	while (open_fds > 0 && now_ms() < deadline) {
		struct pollfd p[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };

		if (poll(p, 2, 200) <= 0)
			continue;
		if (p[0].fd >= 0 && p[0].revents &&
		    !drain(out[0], r->out, &r->nout)) {
			close(out[0]);
			out[0] = -1;
			open_fds--;
		}
		if (p[1].fd >= 0 && p[1].revents &&
		    !drain(err[0], r->err, &r->nerr)) {
			close(err[0]);
			err[0] = -1;
			open_fds--;
		}
	}
	for (;;) {
		w = waitpid(pid, &r->status, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (now_ms() >= deadline) {
			r->timed_out = 1;
			kill(pid, SIGKILL);
			waitpid(pid, &r->status, 0);
			break;
		}
		usleep(10000);
	}
	if (out[0] >= 0)
		close(out[0]);
	if (err[0] >= 0)
		close(err[0]);
	/* children of mqsum it did not wait for are ours now: an exited one
	 * is reaped here, one still running after 1 s is left for the grader
	 * (which kills and reports it); both are counted */
	deadline = now_ms() + 1000;
	for (;;) {
		int st;

		w = waitpid(-1, &st, WNOHANG);
		if (w > 0) {
			r->orphans++;
			continue;
		}
		if (w < 0 || now_ms() >= deadline)
			break;
		usleep(10000);
	}
	if (w == 0)
		r->orphans++;
	{
		char q[80];
		mqd_t mq;

		snprintf(q, sizeof(q), "/%s", r->name);
		mq = mq_open(q, O_RDONLY);
		if (mq != (mqd_t)-1) {
			r->queue_left = 1;
			mq_close(mq);
			mq_unlink(q);
		}
	}
}

/* The output as one line for a message: newlines shown as " | ". */
static const char *oneline(const char *s)
{
	static char buf[512];
	size_t i, o = 0;

	for (i = 0; s[i] && o < sizeof(buf) - 8; i++) {
		if (s[i] == '\n') {
			if (s[i + 1])
				o += (size_t)snprintf(buf + o, sizeof(buf) - o, " | ");
		} else {
			buf[o++] = s[i];
		}
	}
	if (s[i])
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, " ...");
	buf[o] = '\0';
	return o ? buf : "(nothing)";
}

static void expect_clean_exit(const struct run *r, const char *what)
{
	ck_assert_msg(!r->timed_out, "%s did not finish within %d s", what,
		      RUN_TIMEOUT_MS / 1000);
	ck_assert_msg(WIFEXITED(r->status),
		      "%s was killed by signal %d; stderr: %s", what,
		      WTERMSIG(r->status), oneline(r->err));
	ck_assert_msg(WEXITSTATUS(r->status) != 127 || r->nout,
		      "%s could not be started", what);
}

static void check_sum(long n)
{
	char arg[32], want[96], what[64];
	const char *args[] = { "@", arg, NULL };
	struct run *r = malloc(sizeof(*r));
	long long sum = (long long)n * (n + 1) / 2;

	ck_assert_ptr_nonnull(r);
	snprintf(arg, sizeof(arg), "%ld", n);
	snprintf(what, sizeof(what), "./mqsum NAME %ld", n);
	snprintf(want, sizeof(want), "sum %lld\nparent: done\n", sum);
	run_mqsum(r, args);
	expect_clean_exit(r, what);
	ck_assert_msg(WEXITSTATUS(r->status) == 0,
		      "%s exited with status %d (expected 0); stderr: %s", what,
		      WEXITSTATUS(r->status), oneline(r->err));
	ck_assert_msg(!strcmp(r->out, want),
		      "%s printed '%s', expected 'sum %lld | parent: done'",
		      what, oneline(r->out), sum);
	free(r);
}

START_TEST(mqsum_sum_0)
{
	check_sum(0);
}
END_TEST

START_TEST(mqsum_sum_1)
{
	check_sum(1);
}
END_TEST

START_TEST(mqsum_sum_10)
{
	check_sum(10);
}
END_TEST

START_TEST(mqsum_sum_100000)
{
	check_sum(100000);
}
END_TEST

START_TEST(mqsum_removes_queue)
{
	const char *args[] = { "@", "1000", NULL };
	struct run *r = malloc(sizeof(*r));

	ck_assert_ptr_nonnull(r);
	run_mqsum(r, args);
	expect_clean_exit(r, "./mqsum NAME 1000");
	ck_assert_msg(!r->queue_left,
		      "after ./mqsum NAME 1000 exited, the message queue /NAME "
		      "still existed (mq_unlink it once the child has it open)");
	free(r);
}
END_TEST

START_TEST(mqsum_reaps_child)
{
	const char *args[] = { "@", "1000", NULL };
	struct run *r = malloc(sizeof(*r));

	ck_assert_ptr_nonnull(r);
	run_mqsum(r, args);
	expect_clean_exit(r, "./mqsum NAME 1000");
	ck_assert_msg(r->orphans == 0,
		      "./mqsum NAME 1000 exited without waiting for its child "
		      "(%d process(es) left unreaped)", r->orphans);
	free(r);
}
END_TEST

START_TEST(mqsum_usage_errors)
{
	static const char *const cases[][3] = {
		{ NULL, NULL, NULL },
		{ "@", NULL, NULL },
		{ "@", "ten", NULL },
	};
	static const char *const shown[] = { "./mqsum", "./mqsum NAME",
					     "./mqsum NAME ten" };
	struct run *r = malloc(sizeof(*r));
	size_t i;

	ck_assert_ptr_nonnull(r);
	for (i = 0; i < 3; i++) {
		run_mqsum(r, cases[i]);
		expect_clean_exit(r, shown[i]);
		ck_assert_msg(WEXITSTATUS(r->status) == 2,
			      "%s exited with status %d, expected 2 (a usage error)",
			      shown[i], WEXITSTATUS(r->status));
		ck_assert_msg(r->nerr > 0,
			      "%s printed no usage line on standard error",
			      shown[i]);
		ck_assert_msg(!r->queue_left,
			      "%s left the message queue /NAME behind", shown[i]);
	}
	free(r);
}
END_TEST

static void add(Suite *s, const TTest *test)
{
	TCase *tc = tcase_create(test->name);

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

Suite *make_mqsum_suite(void)
{
	Suite *s = suite_create("mqsum");

	add(s, mqsum_sum_0);
	add(s, mqsum_sum_1);
	add(s, mqsum_sum_10);
	add(s, mqsum_sum_100000);
	add(s, mqsum_removes_queue);
	add(s, mqsum_reaps_child);
	add(s, mqsum_usage_errors);
	return s;
}

#ifndef MQSUM_CHECK_NO_MAIN
int main(void)
{
	SRunner *sr = srunner_create(make_mqsum_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
#endif
