/*
 * unitbuild.h - building the binary of a `type: unit` test: the
 * instructor's Check suite + the grader's runner main
 * (grader/runtime/unit_main.c) + the student's object files, per variant.
 *
 * Layout, under the grading's private WORK directory:
 *   WORK/unit/<key>/check/      the student's files compiled -O0 without
 *                               sanitizers, for symcheck (symcheck.h)
 *   WORK/unit/<key>/sources     which of the student's files are linked
 *   WORK/unit/<key>/<variant>/  student/ (objects), suite.o, unit_main.o, runner
 *   .../FAILED                  the verdict and message of a failed build
 * <key> is a hash of everything that decides the build (suite, suite
 * function, sources, headers, cflags, symbol rules), so tests that agree on
 * it share one build per variant, and a result -- success or failure -- is
 * computed once per grading.
 *
 * Order matters for hidden suites: the student's files are compiled (in
 * student/) before anything of the suite is copied near them, and the
 * suite's copy (with the exercise's headers) is removed once suite.o
 * exists, so the student's code cannot #include it by a relative path.
 * (Absolute paths cannot be hidden from a compiler that is not sandboxed.)
 *
 * The student's files are compiled with the exercise's `headers` in place of
 * their own copies, with the variant's flags (build.h) plus the spec's
 * build.cflags and the test's cflags. Without `sources`, every .c file of
 * the submission is linked except those that define main() (the
 * exercise's programs).
 *
 * Ownership: unit_build_release() frees the strings of struct unit_build.
 */
#ifndef GRADER_UNITBUILD_H
#define GRADER_UNITBUILD_H

#include "error.h"
#include "result.h"
#include "spec.h"

struct unit_build {
	int ok;
	char *runner;          /* ok: absolute path of the test binary */
	enum verdict verdict;  /* !ok: VERDICT_COMPILE_ERROR (the student's
				  code) or VERDICT_ERROR (the suite, the
				  runtime, the machine) */
	char *message;         /* !ok: why, for the student */
	char *key;             /* the build key (16 hex digits) */
};

/* Builds (or finds already built in this WORK directory) the test binary
 * of unit test t for variant v. Returns 0 with out filled (ok or not), or
 * -1 with e filled on a fault of the grader. */
int unit_build_get(const struct spec *s, const struct spec_test *t,
		   const char *submission_dir, const char *workdir,
		   enum variant v, struct unit_build *out, struct error *e);
void unit_build_release(struct unit_build *b);

/* The build key of a unit test (what decides its binary). Caller frees. */
char *unit_build_key(const struct spec *s, const struct spec_test *t);

/* Where grader/runtime/ is: $GRADER_RUNTIME, else found from the grader's
 * binary (<repo>/grader/grader, <repo>/build/<x>/...), or NULL. Caller
 * frees. */
char *unit_runtime_dir(void);

#endif
