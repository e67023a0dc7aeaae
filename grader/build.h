/*
 * build.h - compiling a submission, once per variant, in a private directory.
 *
 * The submission's own .c and .h files (regular files only: never a symlink,
 * never a subdirectory) are copied into WORKDIR/build-<variant>/ and compiled
 * there, so nothing is ever written into the submission and a symlink cannot
 * pull an instructor's file into the build. A missing required source or a
 * compiler error is a compile-error *result* (ok = 0 with the compiler's
 * messages), not a fault of the grader; only a failure to run the compiler
 * at all is an error (-1).
 *
 * The compiler runs sandboxed like a student's program (spawn.h): it sees
 * the build directory and the system, nothing else of the grader's (no
 * hidden test can be #included or .incbin'd), under a memory cap.
 *
 * The command is
 *   cc -std=gnu11 -Wall -Wextra -pthread <variant flags> <spec cflags>
 *      -o <program> <sources> <spec ldflags> -lrt
 * with the variant flags of build_variant_flags().
 *
 * Ownership: build_result fields are owned by the caller's struct
 * grade_result (freed by grade_result_free); *program is the caller's.
 */
#ifndef GRADER_BUILD_H
#define GRADER_BUILD_H

#include "error.h"
#include "result.h"
#include "spec.h"

/* The extra compiler flags of a variant, NULL-terminated (static). */
const char *const *build_variant_flags(enum variant v);

/* Which build a variant runs: the valgrind variants share one build (plain
 * code with debug information), so a submission is compiled at most three
 * times (plain, asan, tsan) plus that one. */
enum variant build_variant_of(enum variant v);

/* Compiles the files of src_dir for variant v into workdir/build-<name>/.
 * On return out is filled; when out->ok, *program is the absolute path of
 * the binary. Returns 0, or -1 with e filled on a fault of the grader. */
int build_submission(const struct spec *s, const char *src_dir,
		     const char *workdir, enum variant v,
		     struct build_result *out, char **program,
		     struct error *e);

#endif
