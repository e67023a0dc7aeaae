/*
 * diag.h - the reports of the dynamic analysis tools, parsed into located
 * findings: AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer and
 * ThreadSanitizer (gcc's and clang's runtimes), and valgrind's memcheck,
 * helgrind and drd (text written by --log-file, "==PID== " prefixes).
 *
 * A finding is located at the FIRST frame of its main stack whose file is
 * one of the student's sources (compared by basename), so a leak allocated
 * by strdup() inside libc, or a lock taken inside pthread_mutex_lock(),
 * points at the student's line that called it. The main stack is the one
 * the tool reports first: the faulting access, the leaked block's
 * allocation, the current access of a race, the thread creation of a
 * thread leak. Frames without file information (libc, the sanitizer
 * runtime, "???" in valgrind's preload) are kept in the short stack but
 * never chosen as the location. When no frame qualifies, file is NULL.
 *
 * Kinds (finding.kind) are stable kebab-case names, so that a spec can name
 * the ones that fail a test:
 *   asan:     heap-buffer-overflow, stack-buffer-overflow,
 *             global-buffer-overflow, heap-use-after-free, double-free,
 *             bad-free, stack-use-after-return, stack-use-after-scope,
 *             stack-overflow, segv, bus-error, fpe, out-of-memory,
 *             allocation-size-too-big, ... (ASan's own kebab-case name
 *             when it gives one), else asan-other
 *   lsan:     memory-leak (message says "definitely lost" for a direct
 *             leak, "indirectly lost" for an indirect one, with the bytes)
 *   ubsan:    signed-integer-overflow, shift, division-by-zero,
 *             null-pointer, nonnull-argument, misaligned,
 *             out-of-bounds-index, invalid-bool-load, invalid-enum-load,
 *             object-size, pointer-overflow, vla-bound, unreachable,
 *             missing-return, float-cast-overflow, implicit-conversion,
 *             function-type, else ubsan-other
 *   tsan:     data-race, lock-order-inversion, unlock-of-unlocked-mutex,
 *             destroy-locked-mutex, double-lock, invalid-mutex,
 *             signal-unsafe-call-in-handler, errno-spoiled-in-handler,
 *             thread-leak, heap-use-after-free, else tsan-other
 *   memcheck: invalid-read, invalid-write, invalid-free (the message says
 *             "double free" when the block was already freed),
 *             mismatched-free, uninitialised-value,
 *             syscall-param-uninitialised, syscall-param-unaddressable,
 *             overlapping-copy, fishy-argument, memory-leak (definitely and
 *             indirectly lost records; "possibly lost" and "still
 *             reachable" are not errors for the grader and are skipped),
 *             fd-leak (one per descriptor still open at exit that the
 *             program opened: inherited ones are skipped), fatal-signal,
 *             else memcheck-other
 *   helgrind: data-race, lock-order-violation, unlock-not-locked,
 *             unlock-not-owned, mutex-destroy-locked,
 *             thread-exit-holding-lock, pthread-api-misuse,
 *             fatal-signal, else helgrind-other
 *   drd:      data-race (drd's "Conflicting load/store"),
 *             unlock-not-locked, unlock-not-owned, mutex-destroy-locked,
 *             pthread-api-misuse, fatal-signal, else drd-other
 *
 * Ownership: every string of a finding is allocated for it (the list owns
 * them; result.c's grade_result_free() releases them). diag_parse() never
 * keeps a pointer into `log` or `sources`.
 */
#ifndef GRADER_DIAG_H
#define GRADER_DIAG_H

#include <stddef.h>

#include "result.h"
#include "spec.h"

/*
 * Parses one tool report (the text of one log file; several files
 * concatenated are fine too). `v` selects the family: memcheck, helgrind
 * and drd read valgrind's format (lines of several processes are sorted
 * out by their ==PID== prefix); every other variant reads the sanitizers'
 * format, which may be mixed with a program's own output (gcc's UBSan
 * writes to stderr). `log` need not be NUL-terminated and may hold any
 * bytes: truncated reports, ANSI colour codes and garbage are tolerated.
 *
 * `sources` is the NULL-terminated list of the student's file names as the
 * spec gives them (e.g. "duplex.c", "src/util.c"); a frame's file matches
 * an entry when their basenames are equal, and finding.file is then that
 * entry, so diag_source_line(srcdir, f->file, f->line) reads it. With
 * sources NULL or empty, any frame whose file is not a system or runtime
 * path (/usr/..., libsanitizer, sysdeps, ...) counts as the student's, and
 * file is its basename.
 *
 * Appends the findings to *list (realloc'd; *n updated) with tool, kind,
 * file, line, function, stack (up to 5 frames "function file:line", one a
 * line), message (one line), count 1, penalty 0, variant v; test and
 * source_line are NULL (the caller fills them). Returns how many were
 * added.
 */
int diag_parse(enum variant v, const char *log, size_t len,
	       const char *const *sources, struct finding **list, size_t *n);

/*
 * Merges duplicates in place, keeping the first occurrence's position and
 * fields: findings with the same kind, file, line and function (and, when
 * file is NULL, the same message) become one whose count is the sum of
 * theirs. The merged-away findings' strings are freed; *n shrinks.
 */
void diag_dedup(struct finding *list, size_t *n);

/*
 * Returns line `line` (1-based) of srcdir/file without its newline (cut at
 * 300 bytes), for the report to quote; the caller frees it. NULL when the
 * file cannot be read, has fewer lines, or file is absolute or climbs out
 * of srcdir with "..".
 */
char *diag_source_line(const char *srcdir, const char *file, int line);

#endif
