/*
 * child_case.h - runs the body of a test case in a child process of its
 * own and fails the case with the body's reason.
 *
 * For cases that change the whole process in a way later cases must not
 * inherit (runfs_init() enters a mount namespace of its own): the body
 * runs in a fresh fork, single-threaded as the grader's main() is, and
 * reports by its exit status, 0 for success or an index into why[].
 */
#ifndef GRADER_TESTS_CHILD_CASE_H
#define GRADER_TESTS_CHILD_CASE_H

#include <check.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static inline void child_case(int (*body)(const char *), const char *arg,
			      const char *const *why, size_t nwhy)
{
	pid_t pid = fork();
	int st, code;

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(body(arg));
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st), "the child died (status %d)", st);
	code = WEXITSTATUS(st);
	ck_assert_msg(code == 0, "%s (%d)",
		      (size_t)code < nwhy && why[code] ? why[code]
						       : "unexpected exit status",
		      code);
}

#endif
