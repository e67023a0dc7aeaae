/*
 * dryrun.h - `grader grade --dry-run`: the compile and run commands grading
 * would run, as a shell script, without running anything.
 *
 * The script does the work of grade_submission() with nothing around it: it
 * copies the submission's .c/.h files into a build directory per build
 * variant and compiles them with the same command line (build.h); then, per
 * test, per variant, per repeat, it runs the same argv with the same
 * environment (env -i: the grader passes nothing else), in a fresh run
 * directory, with the same stdin, capturing stdout and stderr into files.
 * Where a check compares with the reference solution, the reference is
 * built once and run before the test, as grading does. There are no limits,
 * no isolation, no checks, no verdicts: that difference is what `make
 * bench` measures (scripts/bench-pertest.sh).
 *
 * Usage of the script:  sh SCRIPT [TEST...]
 *   W=DIR         the working directory (default: a new one under $TMPDIR,
 *                 removed at the end; a given one is kept)
 *   SKIP_BUILD=1  reuse the builds already in $W
 *   TEST...       run only these tests (default: all)
 *
 * What the script cannot know without running anything: a variant whose
 * toolchain the grader would find broken (it would not run it; the script
 * does), and the `setarch -R` prefix of toolchain.h when the asan/tsan
 * probe has not run in this process (printed when it has).
 *
 * Inputs that are not files of the exercise (inline and generated stdin)
 * are written into inputs_dir, which the script then reads.
 */
#ifndef GRADER_DRYRUN_H
#define GRADER_DRYRUN_H

#include <stdio.h>

#include "error.h"
#include "grade.h"
#include "spec.h"

/* Writes the script for grading o->submission_dir against s (honouring
 * o->variants and o->public_only) to out. Returns 0, or -1 with e filled
 * (the submission is not a directory, an input cannot be produced or
 * written). */
int dryrun_script(const struct spec *s, const struct grade_opts *o,
		  const char *inputs_dir, FILE *out, struct error *e);

#endif
