/*
 * symcheck.h - what a student's object files may define and call, checked
 * with nm and readelf before they are linked into a unit-test binary.
 *
 * A library under test runs inside the test's own process, so it could
 * change how the test is run or judged: define waitpid() or fork() (Check
 * in fork mode then scores every test as passed), define exit(), replace
 * one of Check's functions, run code before main() (a constructor that
 * sets CK_FORK), or call the runner's parent. The unit step refuses such
 * objects before running anything, naming the symbol and the file.
 *
 * Always refused (built in):
 *   - defining main, exit, _exit, _Exit, quick_exit, atexit, on_exit, abort,
 *     fork, vfork, clone, wait, waitpid, wait3, wait4, waitid, kill, _init,
 *     _fini, Check's functions (srunner_*, suite_*, tcase_*, tr_*, _ck_*,
 *     ck_*, check_*, _mark_point), the sanitizers' hooks (__asan_*,
 *     __lsan_*, __tsan_*, __ubsan_*, __msan_*, __sanitizer_*), and the
 *     suite function of the spec;
 *   - calling Check's functions;
 *   - constructors and destructors: a section .init_array, .preinit_array,
 *     .ctors, .fini_array or .dtors, and GNU indirect functions (their
 *     resolvers run while the program is loaded).
 * Refused by the spec (`symbols:` of a unit test):
 *   - deny: patterns of names that may be neither defined nor called;
 *   - allow: when given, every global name the student defines must match
 *     one of these patterns (static names are free).
 * Patterns are fnmatch(3) globs. A call is an undefined symbol of an
 * object that no other object of the student defines.
 *
 * The objects must be compiled without sanitizers: AddressSanitizer and
 * ThreadSanitizer add constructors of their own (unitbuild.c checks a
 * plain -O0 build).
 *
 * Ownership: the caller owns its arrays; *problem is the caller's (free()).
 */
#ifndef GRADER_SYMCHECK_H
#define GRADER_SYMCHECK_H

#include <stddef.h>

#include "error.h"

struct symcheck_rules {
	const char *const *allow;   /* NULL-terminated; used when allow_given */
	int allow_given;
	const char *const *deny;    /* NULL-terminated; may be NULL */
	const char *suite_function; /* may be NULL */
};

/* A global symbol of the objects, as nm reported it. */
struct symcheck_symbol {
	char *name;
	char type;   /* nm's letter: T, D, B, R, W, V, C, i, U, ... */
	size_t obj;  /* index into the objects */
};

struct symcheck_table {
	struct symcheck_symbol *syms;
	size_t n;
};

/* Reads the global symbols (defined and undefined) of objs with nm into
 * t (symcheck_table_release frees it). Returns 0, or -1 with e filled when
 * nm cannot be run or fails. */
int symcheck_read(const char *const *objs, size_t nobjs,
		  struct symcheck_table *t, struct error *e);
void symcheck_table_release(struct symcheck_table *t);

/* 1 when object `obj` defines `name` (a global, non-U symbol). */
int symcheck_defines(const struct symcheck_table *t, size_t obj,
		     const char *name);

/* Checks objs (shown to the student as names[i], e.g. "bqueue.c") against
 * the built-in rules and r. *problem is NULL when they are clean, else a
 * message of one line per violation (at most a dozen). Returns 0, or -1
 * with e filled when nm or readelf cannot be run. */
int symcheck_objects(const char *const *objs, const char *const *names,
		     size_t nobjs, const struct symcheck_rules *r,
		     char **problem, struct error *e);

/* The built-in rule a name breaks when defined (or called: calling = 1),
 * as a short reason, or NULL. Exposed for tests and docs. */
const char *symcheck_builtin_reason(const char *name, int calling);

#endif
