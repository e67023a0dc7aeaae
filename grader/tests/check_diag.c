/*
 * check_diag.c - unit tests of diag.c on real tool logs: every captured log
 * of data/diag/ (gcc's and clang's ASan, LSan, UBSan and TSan, valgrind's
 * memcheck, helgrind and drd) parses to the exact kind, file, line and
 * function; messages and short stacks say what a student needs; the
 * first-student-frame rule; merging; truncated, interleaved, coloured and
 * random input; quoting a source line.
 *
 * The programs that produced the logs are in data/diag/src/ (the line
 * numbers asserted here are lines of those files), and data/diag/capture.sh
 * reproduces the logs with the options of variant.c.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "util.h"

#define DATA "data/diag/"

static const char *const sources[] = {
	"memory.c", "leak.c", "uninit.c", "ubsan.c", "race.c", "flag.c",
	"locks.c", "signal.c", "fdleak.c", "forks.c", NULL
};

struct parsed {
	struct finding *f;
	size_t n;
};

static void release(struct parsed *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->f[i].tool);
		free(p->f[i].kind);
		free(p->f[i].test);
		free(p->f[i].file);
		free(p->f[i].function);
		free(p->f[i].stack);
		free(p->f[i].message);
		free(p->f[i].source_line);
	}
	free(p->f);
	memset(p, 0, sizeof(*p));
}

static char *read_log(const char *name, size_t *len)
{
	struct buf b;
	char *path = xasprintf(DATA "%s", name);

	buf_init(&b, 0);
	ck_assert_msg(buf_read_file(&b, path) == 0, "cannot read %s", path);
	free(path);
	return buf_detach(&b, len);
}

/* Parses data/diag/<name> and checks the count returned against *n. */
static struct parsed parse_src(const char *name, enum variant v,
			       const char *const *src)
{
	struct parsed p = { NULL, 0 };
	size_t len;
	char *log = read_log(name, &len);
	int added = diag_parse(v, log, len, src, &p.f, &p.n);

	ck_assert_int_eq(added, (int)p.n);
	free(log);
	return p;
}

static struct parsed parse(const char *name, enum variant v)
{
	return parse_src(name, v, sources);
}

/* Asserts finding i's tool, kind, file, line and function. */
#define AT(p, i, tool_, kind_, file_, line_, fn_)                              \
	do {                                                                   \
		const struct finding *f_ = &(p).f[i];                          \
		ck_assert_str_eq(f_->tool, (tool_));                           \
		ck_assert_str_eq(f_->kind, (kind_));                           \
		ck_assert_pstr_eq(f_->file, (file_));                          \
		ck_assert_int_eq(f_->line, (line_));                           \
		ck_assert_pstr_eq(f_->function, (fn_));                        \
		ck_assert_int_eq(f_->count, 1);                                \
		ck_assert(f_->penalty == 0);                                   \
		ck_assert_ptr_null(f_->test);                                  \
		ck_assert_ptr_null(f_->source_line);                           \
	} while (0)

#define HAS(s, sub)                                                            \
	ck_assert_msg((s) && strstr((s), (sub)), "'%s' lacks '%s'",            \
		      (s) ? (s) : "(null)", (sub))

static int count_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- AddressSanitizer ---- */

START_TEST(asan_heap_overflow_gcc)
{
	struct parsed p = parse("gcc-asan-heap-overflow.log", VARIANT_ASAN);

	ck_assert_uint_eq(p.n, 1);
	AT(p, 0, "asan", "heap-buffer-overflow", "memory.c", 21, "set");
	ck_assert_int_eq(p.f[0].variant, VARIANT_ASAN);
	ck_assert_str_eq(p.f[0].message,
			 "write of size 4, 0 bytes to the right of 40-byte region, allocated at memory.c:26");
	ck_assert(!strncmp(p.f[0].stack,
			   "set memory.c:21\nheap_overflow memory.c:30\nmain memory.c:86\n",
			   strlen("set memory.c:21\nheap_overflow memory.c:30\nmain memory.c:86\n")));
	ck_assert_int_eq(count_lines(p.f[0].stack), 5);
	release(&p);
}
END_TEST

/* clang's report went to the ubsan.PID file (UBSAN_OPTIONS' log_path
 * wins) and has columns: the same finding. */
START_TEST(asan_heap_overflow_clang_and_colour)
{
	static const char *const logs[] = { "clang-asan-heap-overflow.log",
					    "clang-asan-heap-overflow-color.log" };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct parsed p = parse(logs[i], VARIANT_ASAN);

		ck_assert_uint_eq(p.n, 1);
		AT(p, 0, "asan", "heap-buffer-overflow", "memory.c", 21, "set");
		ck_assert_str_eq(p.f[0].message,
				 "write of size 4, 0 bytes to the right of 40-byte region, allocated at memory.c:26");
		ck_assert(!strchr(p.f[0].message, '\033'));
		ck_assert(!strchr(p.f[0].stack, '\033'));
		release(&p);
	}
}
END_TEST

START_TEST(asan_stack_overflow)
{
	struct parsed g = parse("gcc-asan-stack-overflow.log", VARIANT_ASAN);
	struct parsed c = parse("clang-asan-stack-overflow.log", VARIANT_ASAN);

	ck_assert_uint_eq(g.n, 1);
	ck_assert_uint_eq(c.n, 1);
	AT(g, 0, "asan", "stack-buffer-overflow", "memory.c", 16, "get");
	AT(c, 0, "asan", "stack-buffer-overflow", "memory.c", 16, "get");
	ck_assert_str_eq(g.f[0].message,
			 "read of size 4, overflows variable 'local' (line 38)");
	/* clang inlined stack_overflow() into main: the variable is local.i */
	ck_assert_str_eq(c.f[0].message,
			 "read of size 4, overflows variable 'local.i' (line 38)");
	HAS(g.f[0].stack, "get memory.c:16\nstack_overflow memory.c:40\n");
	release(&g);
	release(&c);
}
END_TEST

START_TEST(asan_global_overflow)
{
	struct parsed g = parse("gcc-asan-global-overflow.log", VARIANT_ASAN);
	struct parsed c = parse("clang-asan-global-overflow.log", VARIANT_ASAN);

	ck_assert_uint_eq(g.n, 1);
	ck_assert_uint_eq(c.n, 1);
	AT(g, 0, "asan", "global-buffer-overflow", "memory.c", 16, "get");
	AT(c, 0, "asan", "global-buffer-overflow", "memory.c", 16, "get");
	ck_assert_str_eq(g.f[0].message,
			 "read of size 4, 0 bytes to the right of global variable 'table' of size 32");
	ck_assert_str_eq(c.f[0].message, g.f[0].message);
	release(&g);
	release(&c);
}
END_TEST

START_TEST(asan_use_after_free)
{
	static const char *const logs[] = { "gcc-asan-use-after-free.log",
					    "clang-asan-use-after-free.log" };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct parsed p = parse(logs[i], VARIANT_ASAN);

		ck_assert_uint_eq(p.n, 1);
		AT(p, 0, "asan", "heap-use-after-free", "memory.c", 54, "use_after_free");
		ck_assert_str_eq(p.f[0].message,
				 "read of size 1, 1 bytes inside of 10-byte region, freed at memory.c:53, allocated at memory.c:50");
		release(&p);
	}
}
END_TEST

/* Frame #0 is free() in the ASan runtime: the location is the student's
 * caller, and the stack still shows free on top. */
START_TEST(asan_double_free)
{
	struct parsed g = parse("gcc-asan-double-free.log", VARIANT_ASAN);
	struct parsed c = parse("clang-asan-double-free.log", VARIANT_ASAN);

	ck_assert_uint_eq(g.n, 1);
	ck_assert_uint_eq(c.n, 1);
	AT(g, 0, "asan", "double-free", "memory.c", 63, "double_free");
	AT(c, 0, "asan", "double-free", "memory.c", 63, "double_free");
	ck_assert(!strncmp(g.f[0].stack,
			   "__interceptor_free asan_malloc_linux.cpp:52\ndouble_free memory.c:63\n",
			   strlen("__interceptor_free asan_malloc_linux.cpp:52\ndouble_free memory.c:63\n")));
	ck_assert(!strncmp(c.f[0].stack, "free (clang-asan-memory)\ndouble_free memory.c:63\n",
			   strlen("free (clang-asan-memory)\ndouble_free memory.c:63\n")));
	ck_assert_str_eq(g.f[0].message,
			 "double free, 0 bytes inside of 10-byte region, freed at memory.c:62, allocated at memory.c:59");
	release(&g);
	release(&c);
}
END_TEST

START_TEST(asan_bad_free)
{
	static const char *const logs[] = { "gcc-asan-bad-free.log",
					    "clang-asan-bad-free.log" };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct parsed p = parse(logs[i], VARIANT_ASAN);

		ck_assert_uint_eq(p.n, 1);
		AT(p, 0, "asan", "bad-free", "memory.c", 71, "bad_free");
		ck_assert_str_eq(p.f[0].message,
				 "free() of an address that malloc() did not return, 8 bytes inside of 10-byte region, allocated at memory.c:68");
		release(&p);
	}
}
END_TEST

START_TEST(asan_segv)
{
	static const char *const logs[] = { "gcc-asan-segv.log", "clang-asan-segv.log" };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct parsed p = parse(logs[i], VARIANT_ASAN);

		ck_assert_uint_eq(p.n, 1);
		AT(p, 0, "asan", "segv", "memory.c", 78, "wild");
		ck_assert_str_eq(p.f[0].message,
				 "SEGV on unknown address 0x000000000008, caused by a READ memory access (address points to the zero page)");
		release(&p);
	}
}
END_TEST

/* A parent and its child both fail: two files, two findings, one after
 * merging. */
START_TEST(asan_two_processes)
{
	struct parsed p = parse("gcc-asan-forks.log", VARIANT_ASAN);

	ck_assert_uint_eq(p.n, 2);
	AT(p, 0, "asan", "heap-use-after-free", "forks.c", 15, "stale");
	AT(p, 1, "asan", "heap-use-after-free", "forks.c", 15, "stale");
	diag_dedup(p.f, &p.n);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_int_eq(p.f[0].count, 2);
	release(&p);
	p = parse("clang-asan-forks.log", VARIANT_ASAN);
	ck_assert_uint_eq(p.n, 2);
	AT(p, 1, "asan", "heap-use-after-free", "forks.c", 15, "stale");
	release(&p);
	/* captured while the child was still writing its report: it ends
	 * after the access line, before any frame */
	p = parse("clang-asan-forks-truncated.log", VARIANT_ASAN);
	ck_assert_uint_eq(p.n, 2);
	AT(p, 0, "asan", "heap-use-after-free", "forks.c", 15, "stale");
	AT(p, 1, "asan", "heap-use-after-free", NULL, 0, NULL);
	ck_assert_str_eq(p.f[1].message, "read of size 4");
	ck_assert_str_eq(p.f[1].stack, "");
	release(&p);
}
END_TEST

/* ---- LeakSanitizer ---- */

static void check_lsan(const struct parsed *p)
{
	ck_assert_uint_eq(p->n, 4);
	AT(*p, 0, "lsan", "memory-leak", "leak.c", 18, "make_list");
	ck_assert_str_eq(p->f[0].message,
			 "16 byte(s) in 1 object(s) definitely lost (direct leak: no pointer to it remains)");
	/* strdup() is the runtime's interceptor: the student's copy_name */
	AT(*p, 2, "lsan", "memory-leak", "leak.c", 35, "copy_name");
	HAS(p->f[2].stack, "strdup");
	AT(*p, 3, "lsan", "memory-leak", "leak.c", 19, "make_list");
	ck_assert_str_eq(p->f[3].message,
			 "16 byte(s) in 1 object(s) indirectly lost (reachable only from other leaked blocks)");
}

START_TEST(lsan_leaks)
{
	struct parsed g = parse("gcc-lsan-leak.log", VARIANT_ASAN);
	struct parsed c = parse("clang-lsan-leak.log", VARIANT_ASAN);

	/* gcc's debug info names src/leak.c (relative), clang's an
	 * absolute path: both are the student's leak.c */
	check_lsan(&g);
	check_lsan(&c);
	/* asprintf's block: the fast unwinder stopped inside libc, so no
	 * frame is the student's; the message names the allocator's caller */
	AT(g, 1, "lsan", "memory-leak", NULL, 0, NULL);
	ck_assert_str_eq(g.f[1].message,
			 "14 byte(s) in 1 object(s) definitely lost (direct leak: no pointer to it remains), allocated in __vasprintf_internal");
	ck_assert_int_eq(count_lines(g.f[1].stack), 2);
	release(&g);
	release(&c);
}
END_TEST

/* With fast_unwind_on_malloc=0 the stack goes through libc's asprintf and
 * the runtime's interceptors to main: the first student frame is main. */
START_TEST(lsan_leak_through_libc)
{
	struct parsed p = parse("gcc-lsan-leak-full-unwind.log", VARIANT_ASAN);

	ck_assert_uint_eq(p.n, 4);
	AT(p, 1, "lsan", "memory-leak", "leak.c", 53, "main");
	ck_assert_str_eq(p.f[1].stack,
			 "__interceptor_malloc asan_malloc_linux.cpp:69\n"
			 "__vasprintf_internal vasprintf.c:71\n"
			 "__interceptor_vasprintf sanitizer_common_interceptors.inc:1693\n"
			 "__interceptor_asprintf sanitizer_common_interceptors.inc:1745\n"
			 "main leak.c:53\n");
	release(&p);
}
END_TEST

/* ---- UndefinedBehaviorSanitizer ---- */

static const struct {
	const char *log, *kind, *message;
	int line;
} ubsan_cases[] = {
	{ "gcc-ubsan-overflow.log", "signed-integer-overflow",
	  "signed integer overflow: 2147483647 + 1 cannot be represented in type 'int'", 21 },
	{ "clang-ubsan-overflow.log", "signed-integer-overflow",
	  "signed integer overflow: 2147483647 + 1 cannot be represented in type 'int'", 21 },
	{ "gcc-ubsan-shift.log", "shift", "shift exponent 33 is too large for 32-bit type 'int'", 23 },
	{ "clang-ubsan-shift.log", "shift", "shift exponent 33 is too large for 32-bit type 'int'", 23 },
	{ "gcc-ubsan-div.log", "division-by-zero", "division by zero", 25 },
	{ "clang-ubsan-div.log", "division-by-zero", "division by zero", 25 },
	{ "gcc-ubsan-null.log", "null-pointer", "load of null pointer of type 'int'", 27 },
	{ "clang-ubsan-null.log", "null-pointer", "load of null pointer of type 'int'", 27 },
	{ "gcc-ubsan-misaligned.log", "misaligned", "load of misaligned address", 29 },
	{ "clang-ubsan-misaligned.log", "misaligned", "load of misaligned address", 29 },
	{ "gcc-ubsan-index.log", "out-of-bounds-index", "index 4 out of bounds for type 'int [4]'", 31 },
	{ "clang-ubsan-index.log", "out-of-bounds-index", "index 4 out of bounds for type 'int[4]'", 31 },
	{ "gcc-ubsan-bool.log", "invalid-bool-load",
	  "load of value 5, which is not a valid value for type '_Bool'", 35 },
	{ "clang-ubsan-bool.log", "invalid-bool-load",
	  "load of value 5, which is not a valid value for type '_Bool'", 35 },
	{ "gcc-ubsan-objsize.log", "object-size", "with insufficient space for an object of type", 40 },
	{ "clang-ubsan-objsize.log", "object-size", "with insufficient space for an object of type 'int'", 40 },
};

START_TEST(ubsan_kinds)
{
	struct parsed p = parse(ubsan_cases[_i].log, VARIANT_ASAN);

	ck_assert_msg(p.n == 1, "%s: %zu findings", ubsan_cases[_i].log, p.n);
	AT(p, 0, "ubsan", ubsan_cases[_i].kind, "ubsan.c", ubsan_cases[_i].line, "main");
	HAS(p.f[0].message, ubsan_cases[_i].message);
	ck_assert(!strncmp(p.f[0].stack, "main ubsan.c:", 13));
	release(&p);
}
END_TEST

/* Without print_stacktrace=1 the headline's location is all there is. */
START_TEST(ubsan_without_stack)
{
	static const char log[] =
		"/tmp/diag/src/ubsan.c:23:9: runtime error: shift exponent 33 is too large for 32-bit type 'int'\n";
	static const char other[] =
		"/usr/include/x86_64-linux-gnu/bits/stdio2.h:7:1: runtime error: division by zero\n";
	struct parsed p = { NULL, 0 };

	ck_assert_int_eq(diag_parse(VARIANT_ASAN, log, strlen(log), sources, &p.f, &p.n), 1);
	AT(p, 0, "ubsan", "shift", "ubsan.c", 23, NULL);
	ck_assert_str_eq(p.f[0].stack, "");
	ck_assert_int_eq(diag_parse(VARIANT_ASAN, other, strlen(other), sources, &p.f, &p.n), 1);
	AT(p, 1, "ubsan", "division-by-zero", NULL, 0, NULL);
	release(&p);
}
END_TEST

/* gcc's UBSan writes to stderr, amid the program's own output. */
START_TEST(ubsan_amid_program_output)
{
	size_t len;
	char *log = read_log("gcc-ubsan-div.log", &len);
	char *mixed = xasprintf("result: 12\nno newline here, then %s#1 is my rank\n"
				"(still the program: a.c:3)\n", log);
	struct parsed p = { NULL, 0 };

	ck_assert_int_eq(diag_parse(VARIANT_ASAN, mixed, strlen(mixed), sources, &p.f, &p.n), 1);
	AT(p, 0, "ubsan", "division-by-zero", "ubsan.c", 25, "main");
	ck_assert_str_eq(p.f[0].message, "division by zero");
	ck_assert_int_eq(count_lines(p.f[0].stack), 4);
	release(&p);
	free(mixed);
	free(log);
}
END_TEST

/* ---- ThreadSanitizer ---- */

START_TEST(tsan_race)
{
	struct parsed g = parse("gcc-tsan-race.log", VARIANT_TSAN);
	struct parsed c = parse("clang-tsan-race.log", VARIANT_TSAN);

	ck_assert_uint_eq(g.n, 1);
	ck_assert_uint_eq(c.n, 1);
	AT(g, 0, "tsan", "data-race", "race.c", 14, "worker");
	AT(c, 0, "tsan", "data-race", "race.c", 15, "worker");
	ck_assert_int_eq(g.f[0].variant, VARIANT_TSAN);
	ck_assert_str_eq(g.f[0].message,
			 "read of size 4 at race.c:14 by thread T2 races with write at race.c:14 by thread T1 (global 'counter')");
	ck_assert_str_eq(c.f[0].message,
			 "write of size 4 at race.c:15 by thread T2 races with write at race.c:15 by thread T1 (global 'counter')");
	ck_assert_str_eq(g.f[0].stack, "worker race.c:14\n");
	release(&g);
	release(&c);
}
END_TEST

START_TEST(tsan_race_two_places)
{
	struct parsed g = parse("gcc-tsan-flag.log", VARIANT_TSAN);
	struct parsed k = parse("gcc-tsan-flag-color.log", VARIANT_TSAN);
	struct parsed c = parse("clang-tsan-flag.log", VARIANT_TSAN);

	ck_assert_uint_eq(g.n, 1);
	AT(g, 0, "tsan", "data-race", "flag.c", 26, "main");
	ck_assert_str_eq(g.f[0].message,
			 "read of size 4 at flag.c:26 by main thread races with write at flag.c:15 by thread T1 (global 'data')");
	ck_assert_uint_eq(k.n, 1);
	AT(k, 0, "tsan", "data-race", "flag.c", 26, "main");
	ck_assert_str_eq(k.f[0].message, g.f[0].message);
	ck_assert_uint_eq(c.n, 1);
	AT(c, 0, "tsan", "data-race", "flag.c", 26, "main");
	ck_assert_str_eq(c.f[0].message,
			 "read of size 1 at flag.c:26 by main thread races with write at flag.c:15 by thread T1 (global 'data')");
	release(&g);
	release(&k);
	release(&c);
}
END_TEST

START_TEST(tsan_lock_order)
{
	static const char *const logs[] = { "gcc-tsan-lock-order.log",
					    "clang-tsan-lock-order.log" };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct parsed p = parse(logs[i], VARIANT_TSAN);

		ck_assert_uint_eq(p.n, 1);
		AT(p, 0, "tsan", "lock-order-inversion", "locks.c", 19, "forward");
		ck_assert_str_eq(p.f[0].message,
				 "potential deadlock: M1 taken at locks.c:19 while holding M0 (thread T1); M0 taken at locks.c:29 while holding M1 (thread T2)");
		ck_assert(!strncmp(p.f[0].stack, "pthread_mutex_lock ", 19));
		HAS(p.f[0].stack, "\nforward locks.c:19\n");
		release(&p);
	}
}
END_TEST

START_TEST(tsan_unlock_unlocked)
{
	static const char *const logs[] = { "gcc-tsan-unlock.log", "clang-tsan-unlock.log" };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct parsed p = parse(logs[i], VARIANT_TSAN);

		ck_assert_uint_eq(p.n, 1);
		AT(p, 0, "tsan", "unlock-of-unlocked-mutex", "locks.c", 54, "main");
		ck_assert_str_eq(p.f[0].message,
				 "unlock of an unlocked mutex (or by a wrong thread); the mutex was created at locks.c:53");
		release(&p);
	}
}
END_TEST

START_TEST(tsan_destroy_locked)
{
	struct parsed g = parse("gcc-tsan-destroy-locked.log", VARIANT_TSAN);
	struct parsed c = parse("clang-tsan-destroy-locked.log", VARIANT_TSAN);

	ck_assert_uint_eq(g.n, 1);
	AT(g, 0, "tsan", "destroy-locked-mutex", "locks.c", 59, "main");
	ck_assert_str_eq(g.f[0].message,
			 "destroy of a locked mutex; the mutex was created at locks.c:57; it was locked at locks.c:58");
	/* clang's symbolizer gave this frame a file but no line */
	ck_assert_uint_eq(c.n, 1);
	AT(c, 0, "tsan", "destroy-locked-mutex", "locks.c", 0, "main");
	HAS(c.f[0].stack, "\nmain locks.c\n");
	release(&g);
	release(&c);
}
END_TEST

START_TEST(tsan_thread_leak)
{
	static const char *const logs[] = { "gcc-tsan-thread-leak.log",
					    "clang-tsan-thread-leak.log" };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct parsed p = parse(logs[i], VARIANT_TSAN);

		ck_assert_uint_eq(p.n, 1);
		AT(p, 0, "tsan", "thread-leak", "locks.c", 61, "main");
		ck_assert_str_eq(p.f[0].message,
				 "thread T1 created at locks.c:61 was never joined (nor detached)");
		release(&p);
	}
}
END_TEST

START_TEST(tsan_signal_unsafe)
{
	static const char *const logs[] = { "gcc-tsan-signal-unsafe.log",
					    "clang-tsan-signal-unsafe.log" };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct parsed p = parse(logs[i], VARIANT_TSAN);

		ck_assert_uint_eq(p.n, 2);
		AT(p, 0, "tsan", "signal-unsafe-call-in-handler", "signal.c", 15, "on_signal");
		AT(p, 1, "tsan", "signal-unsafe-call-in-handler", "signal.c", 19, "on_signal");
		ck_assert_str_eq(p.f[0].message,
				 "call to malloc() inside a signal handler: it is not async-signal-safe");
		HAS(p.f[1].message, "call to free()");
		/* the C++ frame of clang's runtime, parameters and all */
		HAS(p.f[0].stack, "CallUserSignalHandler");
		HAS(p.f[0].stack, "\nmain signal.c:30\n");
		release(&p);
	}
}
END_TEST

/* ---- memcheck ---- */

START_TEST(memcheck_invalid_write)
{
	struct parsed p = parse("memcheck-heap-overflow.log", VARIANT_MEMCHECK);

	/* the descriptors the runner inherited (3, 10, 251) are not leaks */
	ck_assert_uint_eq(p.n, 1);
	AT(p, 0, "memcheck", "invalid-write", "memory.c", 21, "set");
	ck_assert_int_eq(p.f[0].variant, VARIANT_MEMCHECK);
	ck_assert_str_eq(p.f[0].message,
			 "invalid write of size 4: 0 bytes after a block of size 40 alloc'd at memory.c:26");
	ck_assert_str_eq(p.f[0].stack,
			 "set memory.c:21\nheap_overflow memory.c:30\nmain memory.c:86\n");
	release(&p);
}
END_TEST

START_TEST(memcheck_use_after_free)
{
	struct parsed p = parse("memcheck-use-after-free.log", VARIANT_MEMCHECK);

	ck_assert_uint_eq(p.n, 1);
	AT(p, 0, "memcheck", "invalid-read", "memory.c", 54, "use_after_free");
	ck_assert_str_eq(p.f[0].message,
			 "invalid read of size 1: 1 bytes inside a block of size 10 free'd at memory.c:53 (block alloc'd at memory.c:50)");
	release(&p);
}
END_TEST

START_TEST(memcheck_invalid_free)
{
	struct parsed d = parse("memcheck-double-free.log", VARIANT_MEMCHECK);
	struct parsed b = parse("memcheck-bad-free.log", VARIANT_MEMCHECK);

	ck_assert_uint_eq(d.n, 1);
	AT(d, 0, "memcheck", "invalid-free", "memory.c", 63, "double_free");
	ck_assert_str_eq(d.f[0].message,
			 "double free: 0 bytes inside a block of size 10 free'd at memory.c:62 (block alloc'd at memory.c:59)");
	ck_assert(!strncmp(d.f[0].stack, "free (vgpreload_memcheck-amd64-linux.so)\n",
			   strlen("free (vgpreload_memcheck-amd64-linux.so)\n")));
	/* freeing p + 8 also leaks the block */
	ck_assert_uint_eq(b.n, 2);
	AT(b, 0, "memcheck", "invalid-free", "memory.c", 71, "bad_free");
	ck_assert_str_eq(b.f[0].message,
			 "invalid free(): 8 bytes inside a block of size 10 alloc'd at memory.c:68");
	AT(b, 1, "memcheck", "memory-leak", "memory.c", 68, "bad_free");
	ck_assert_str_eq(b.f[1].message, "10 bytes in 1 blocks are definitely lost");
	release(&d);
	release(&b);
}
END_TEST

START_TEST(memcheck_leaks)
{
	struct parsed p = parse("memcheck-leak.log", VARIANT_MEMCHECK);

	ck_assert_uint_eq(p.n, 3);
	/* allocated by malloc in the preload, called by strdup in libc */
	AT(p, 0, "memcheck", "memory-leak", "leak.c", 35, "copy_name");
	ck_assert_str_eq(p.f[0].message, "8 bytes in 1 blocks are definitely lost");
	ck_assert_str_eq(p.f[0].stack,
			 "malloc (vgpreload_memcheck-amd64-linux.so)\nstrdup strdup.c:42\n"
			 "copy_name leak.c:35\nmain leak.c:50\n");
	/* through asprintf and vasprintf inside libc */
	AT(p, 1, "memcheck", "memory-leak", "leak.c", 53, "main");
	AT(p, 2, "memcheck", "memory-leak", "leak.c", 18, "make_list");
	ck_assert_str_eq(p.f[2].message,
			 "32 (16 direct, 16 indirect) bytes in 1 blocks are definitely lost");
	release(&p);
}
END_TEST

START_TEST(memcheck_uninitialised)
{
	struct parsed p = parse("memcheck-uninit.log", VARIANT_MEMCHECK);

	ck_assert_uint_eq(p.n, 2);
	AT(p, 0, "memcheck", "uninitialised-value", "uninit.c", 11, "check");
	ck_assert_str_eq(p.f[0].message,
			 "Conditional jump or move depends on uninitialised value(s)");
	/* frame #0 is write() in libc */
	AT(p, 1, "memcheck", "syscall-param-uninitialised", "uninit.c", 24, "main");
	ck_assert_str_eq(p.f[1].message,
			 "Syscall param write(buf) points to uninitialised byte(s)");
	ck_assert_str_eq(p.f[1].stack, "write write.c:26\nmain uninit.c:24\n");
	release(&p);
}
END_TEST

START_TEST(memcheck_fd_leak)
{
	struct parsed p = parse("memcheck-fd-leak.log", VARIANT_MEMCHECK);

	ck_assert_uint_eq(p.n, 3);
	AT(p, 0, "memcheck", "fd-leak", "fdleak.c", 13, "main");
	ck_assert_str_eq(p.f[0].message,
			 "file descriptor 6 still open at exit, opened by pipe()");
	AT(p, 1, "memcheck", "fd-leak", "fdleak.c", 13, "main");
	AT(p, 2, "memcheck", "fd-leak", "fdleak.c", 10, "main");
	ck_assert_str_eq(p.f[2].message,
			 "file descriptor 4 (/etc/hostname) still open at exit, opened by open()");
	diag_dedup(p.f, &p.n);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_int_eq(p.f[0].count, 2);
	ck_assert_int_eq(p.f[0].line, 13);
	ck_assert_int_eq(p.f[1].count, 1);
	ck_assert_int_eq(p.f[1].line, 10);
	release(&p);
}
END_TEST

/* --track-fds always lists valgrind's own log file: nothing to report. */
START_TEST(memcheck_clean)
{
	struct parsed p = parse("memcheck-clean.log", VARIANT_MEMCHECK);

	ck_assert_uint_eq(p.n, 0);
	ck_assert_ptr_null(p.f);
}
END_TEST

START_TEST(memcheck_fatal_signal)
{
	struct parsed p = parse("memcheck-segv.log", VARIANT_MEMCHECK);

	ck_assert_uint_eq(p.n, 2);
	AT(p, 0, "memcheck", "invalid-read", "memory.c", 78, "wild");
	ck_assert_str_eq(p.f[0].message,
			 "invalid read of size 4: address 0x8 is not stack'd, malloc'd or (recently) free'd");
	AT(p, 1, "memcheck", "fatal-signal", "memory.c", 78, "wild");
	ck_assert_str_eq(p.f[1].message,
			 "killed by signal 11 (SIGSEGV): access not within mapped region at address 0x8");
	release(&p);
}
END_TEST

/* Two processes' logs, concatenated, then interleaved line by line as
 * if both had written to one file: the ==PID== prefixes sort them out. */
START_TEST(memcheck_interleaved_processes)
{
	size_t len, i, na = 0, nb = 0, plen;
	char *log = read_log("memcheck-forks.log", &len);
	struct parsed p = parse("memcheck-forks.log", VARIANT_MEMCHECK);
	struct parsed q = { NULL, 0 };
	char **a = xcalloc(len, sizeof(char *)), **b = xcalloc(len, sizeof(char *));
	char *line = log, *nl;
	struct buf mixed;

	ck_assert_uint_eq(p.n, 2);
	AT(p, 0, "memcheck", "invalid-read", "forks.c", 15, "stale");
	AT(p, 1, "memcheck", "invalid-read", "forks.c", 15, "stale");
	/* the lines of the first process ("==4772== ...") and the others' */
	plen = (size_t)(strstr(log + 2, "==") - log) + 2;
	for (; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		ck_assert_ptr_nonnull(nl);
		*nl = '\0';
		if (!strncmp(line, log, plen))
			a[na++] = line;
		else
			b[nb++] = line;
	}
	ck_assert_uint_gt(na, 5);
	ck_assert_uint_gt(nb, 5);
	buf_init(&mixed, 0);
	for (i = 0; i < na || i < nb; i++) {
		if (i < nb)
			buf_addf(&mixed, "%s\n", b[i]);
		if (i < na)
			buf_addf(&mixed, "%s\n", a[i]);
	}
	ck_assert_int_eq(diag_parse(VARIANT_MEMCHECK, mixed.data, mixed.len, sources,
				    &q.f, &q.n), 2);
	for (i = 0; i < 2; i++) {
		AT(q, i, "memcheck", "invalid-read", "forks.c", 15, "stale");
		ck_assert_str_eq(q.f[i].message, p.f[i].message);
		ck_assert_str_eq(q.f[i].stack, p.f[i].stack);
	}
	buf_release(&mixed);
	release(&p);
	release(&q);
	free(a);
	free(b);
	free(log);
}
END_TEST

/* ---- helgrind ---- */

START_TEST(helgrind_race)
{
	struct parsed p = parse("helgrind-race.log", VARIANT_HELGRIND);

	ck_assert_uint_eq(p.n, 2);
	AT(p, 0, "helgrind", "data-race", "race.c", 15, "worker");
	ck_assert_str_eq(p.f[0].message,
			 "read of size 4 at race.c:15 by thread #3 races with write at race.c:15 by thread #2 (global \"counter\")");
	AT(p, 1, "helgrind", "data-race", "race.c", 15, "worker");
	HAS(p.f[1].message, "write of size 4 at race.c:15 by thread #3");
	ck_assert(!strncmp(p.f[0].stack, "worker race.c:15\n", 17));
	diag_dedup(p.f, &p.n);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_int_eq(p.f[0].count, 2);
	release(&p);
}
END_TEST

START_TEST(helgrind_race_two_places)
{
	struct parsed p = parse("helgrind-flag.log", VARIANT_HELGRIND);

	/* thread announcements are not findings */
	ck_assert_uint_eq(p.n, 1);
	AT(p, 0, "helgrind", "data-race", "flag.c", 26, "main");
	ck_assert_str_eq(p.f[0].message,
			 "read of size 4 at flag.c:26 by thread #1 races with write at flag.c:15 by thread #2 (global \"data\")");
	release(&p);
}
END_TEST

START_TEST(helgrind_lock_order)
{
	struct parsed p = parse("helgrind-lock-order.log", VARIANT_HELGRIND);

	ck_assert_uint_eq(p.n, 1);
	/* where the second lock is taken in the wrong order */
	AT(p, 0, "helgrind", "lock-order-violation", "locks.c", 29, "backward");
	ck_assert_str_eq(p.f[0].message,
			 "lock order violated: ma taken at locks.c:29 while holding mb (taken at locks.c:28), the reverse of the order established at locks.c:18 and locks.c:19");
	release(&p);
}
END_TEST

START_TEST(helgrind_lock_misuse)
{
	struct parsed u = parse("helgrind-unlock.log", VARIANT_HELGRIND);
	struct parsed d = parse("helgrind-destroy-locked.log", VARIANT_HELGRIND);

	ck_assert_uint_eq(u.n, 2);
	AT(u, 0, "helgrind", "unlock-not-locked", "locks.c", 54, "main");
	HAS(u.f[0].message, "unlocked a not-locked lock");
	HAS(u.f[0].message, "first observed at locks.c:53");
	AT(u, 1, "helgrind", "pthread-api-misuse", "locks.c", 55, "main");
	ck_assert_str_eq(u.f[1].message,
			 "pthread_mutex_destroy failed with error code 16 (EBUSY: Device or resource busy)");
	ck_assert_uint_eq(d.n, 2);
	AT(d, 0, "helgrind", "mutex-destroy-locked", "locks.c", 59, "main");
	ck_assert_str_eq(d.f[0].message, "pthread_mutex_destroy of a locked mutex");
	ck_assert_str_eq(d.f[0].stack, "?? (vgpreload_helgrind-amd64-linux.so)\nmain locks.c:59\n");
	AT(d, 1, "helgrind", "pthread-api-misuse", "locks.c", 59, "main");
	release(&u);
	release(&d);
}
END_TEST

/* ---- drd ---- */

START_TEST(drd_race)
{
	struct parsed p = parse("drd-race.log", VARIANT_DRD);
	struct parsed f = parse("drd-flag.log", VARIANT_DRD);

	ck_assert_uint_eq(p.n, 3);
	AT(p, 0, "drd", "data-race", "race.c", 15, "worker");
	ck_assert_str_eq(p.f[0].message,
			 "load of size 4 at race.c:15 by thread 3 races with an access by thread 2 (BSS section of vg-race)");
	AT(p, 1, "drd", "data-race", "race.c", 15, "worker");
	HAS(p.f[1].message, "store of size 4");
	AT(p, 2, "drd", "data-race", "race.c", 14, "worker");
	ck_assert_uint_eq(f.n, 1);
	AT(f, 0, "drd", "data-race", "flag.c", 26, "main");
	release(&p);
	release(&f);
}
END_TEST

START_TEST(drd_lock_misuse)
{
	struct parsed u = parse("drd-unlock.log", VARIANT_DRD);
	struct parsed d = parse("drd-destroy-locked.log", VARIANT_DRD);

	ck_assert_uint_eq(u.n, 1);
	AT(u, 0, "drd", "unlock-not-locked", "locks.c", 54, "main");
	ck_assert_str_eq(u.f[0].message,
			 "mutex not locked (the lock was first observed at locks.c:53)");
	ck_assert_uint_eq(d.n, 1);
	AT(d, 0, "drd", "mutex-destroy-locked", "locks.c", 59, "main");
	ck_assert_str_eq(d.f[0].message,
			 "destroying locked mutex (the lock was first observed at locks.c:57)");
	/* the symbol version of pthread_mutex_destroy@* is dropped */
	ck_assert(!strncmp(d.f[0].stack, "pthread_mutex_destroy (", 23));
	release(&u);
	release(&d);
}
END_TEST

/* ---- the location rule ---- */

START_TEST(sources_by_basename)
{
	static const char *const nested[] = { "lib/util.c", "src/memory.c", NULL };
	static const char *const other[] = { "other.c", NULL };
	struct parsed p = parse_src("gcc-asan-heap-overflow.log", VARIANT_ASAN, nested);

	/* the finding names the spec's entry, ready for diag_source_line */
	AT(p, 0, "asan", "heap-buffer-overflow", "src/memory.c", 21, "set");
	release(&p);
	/* gcc's relative "src/leak.c" matches a bare "leak.c" too */
	p = parse_src("gcc-lsan-leak.log", VARIANT_ASAN, sources);
	AT(p, 0, "lsan", "memory-leak", "leak.c", 18, "make_list");
	release(&p);
	/* not one of the student's files: kind and stack, no location */
	p = parse_src("gcc-asan-heap-overflow.log", VARIANT_ASAN, other);
	ck_assert_uint_eq(p.n, 1);
	AT(p, 0, "asan", "heap-buffer-overflow", NULL, 0, NULL);
	HAS(p.f[0].stack, "set memory.c:21");
	HAS(p.f[0].message, "allocated at memory.c:26");
	release(&p);
}
END_TEST

/* Without a list of sources, the first frame outside the system and the
 * tools' runtimes is taken. */
START_TEST(sources_unknown)
{
	struct parsed p = parse_src("gcc-asan-double-free.log", VARIANT_ASAN, NULL);

	AT(p, 0, "asan", "double-free", "memory.c", 63, "double_free");
	release(&p);
	p = parse_src("gcc-tsan-lock-order.log", VARIANT_TSAN, NULL);
	AT(p, 0, "tsan", "lock-order-inversion", "locks.c", 19, "forward");
	release(&p);
	{
		static const char *const none[] = { NULL };

		p = parse_src("gcc-lsan-leak-full-unwind.log", VARIANT_ASAN, none);
		AT(p, 1, "lsan", "memory-leak", "leak.c", 53, "main");
		release(&p);
	}
}
END_TEST

/* Each family reads only its own format. */
START_TEST(family_by_variant)
{
	struct parsed p = parse("memcheck-leak.log", VARIANT_ASAN);

	ck_assert_uint_eq(p.n, 0);
	p = parse("gcc-asan-heap-overflow.log", VARIANT_MEMCHECK);
	ck_assert_uint_eq(p.n, 0);
	/* the plain variant reads sanitizer text (e.g. a stderr) too */
	p = parse("gcc-ubsan-shift.log", VARIANT_PLAIN);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_int_eq(p.f[0].variant, VARIANT_PLAIN);
	release(&p);
}
END_TEST

START_TEST(appends_to_list)
{
	struct parsed p = { NULL, 0 };
	size_t len;
	char *log = read_log("gcc-tsan-signal-unsafe.log", &len);

	p.f = xcalloc(1, sizeof(*p.f));
	p.n = 1;
	p.f[0].tool = xstrdup("hygiene");
	p.f[0].kind = xstrdup("zombie");
	ck_assert_int_eq(diag_parse(VARIANT_TSAN, log, len, sources, &p.f, &p.n), 2);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_str_eq(p.f[0].kind, "zombie");
	ck_assert_str_eq(p.f[1].kind, "signal-unsafe-call-in-handler");
	ck_assert_int_eq(diag_parse(VARIANT_TSAN, log, len, sources, &p.f, &p.n), 2);
	ck_assert_uint_eq(p.n, 5);
	diag_dedup(p.f, &p.n);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_int_eq(p.f[1].count, 2);
	ck_assert_int_eq(p.f[2].count, 2);
	release(&p);
	free(log);
}
END_TEST

/* Every captured log: well-formed findings (one-line message, at most 5
 * frames, the fields set), and at least one unless the log is clean. */
static enum variant variant_of(const char *name)
{
	if (!strncmp(name, "memcheck", 8))
		return VARIANT_MEMCHECK;
	if (!strncmp(name, "helgrind", 8))
		return VARIANT_HELGRIND;
	if (!strncmp(name, "drd", 3))
		return VARIANT_DRD;
	return strstr(name, "tsan") ? VARIANT_TSAN : VARIANT_ASAN;
}

static void check_well_formed(const struct parsed *p, enum variant v)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct finding *f = &p->f[i];

		ck_assert_ptr_nonnull(f->tool);
		ck_assert_ptr_nonnull(f->kind);
		ck_assert(f->kind[0] && !strchr(f->kind, ' '));
		ck_assert_ptr_nonnull(f->message);
		ck_assert(!strchr(f->message, '\n') && strlen(f->message) <= 600);
		ck_assert_ptr_nonnull(f->stack);
		ck_assert_int_le(count_lines(f->stack), 5);
		ck_assert(f->line >= 0);
		ck_assert(f->file || !f->function);
		ck_assert_int_eq(f->count, 1);
		ck_assert_int_eq(f->variant, v);
	}
}

START_TEST(every_log_well_formed)
{
	DIR *d = opendir(DATA);
	struct dirent *de;
	int logs = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		size_t nl = strlen(de->d_name);
		struct parsed p;
		enum variant v;

		if (nl < 5 || strcmp(de->d_name + nl - 4, ".log"))
			continue;
		v = variant_of(de->d_name);
		p = parse(de->d_name, v);
		check_well_formed(&p, v);
		if (strcmp(de->d_name, "memcheck-clean.log"))
			ck_assert_msg(p.n > 0, "%s: no finding", de->d_name);
		release(&p);
		logs++;
	}
	closedir(d);
	ck_assert_int_ge(logs, 71);
}
END_TEST

/* ---- merging ---- */

static struct finding mkf(const char *kind, const char *file, int line,
			  const char *fn, const char *msg, int count)
{
	struct finding f;

	memset(&f, 0, sizeof(f));
	f.tool = xstrdup("asan");
	f.kind = xstrdup(kind);
	f.file = file ? xstrdup(file) : NULL;
	f.line = line;
	f.function = fn ? xstrdup(fn) : NULL;
	f.message = xstrdup(msg);
	f.stack = xstrdup("");
	f.test = xstrdup("t1");
	f.count = count;
	return f;
}

START_TEST(dedup_merges_and_counts)
{
	struct parsed p = { NULL, 0 };

	p.f = xcalloc(8, sizeof(*p.f));
	p.f[p.n++] = mkf("memory-leak", "a.c", 10, "main", "16 bytes", 1);
	p.f[p.n++] = mkf("memory-leak", "a.c", 10, "main", "32 bytes", 3); /* merged */
	p.f[p.n++] = mkf("memory-leak", "a.c", 11, "main", "16 bytes", 1);
	p.f[p.n++] = mkf("memory-leak", "a.c", 10, "other", "16 bytes", 1);
	p.f[p.n++] = mkf("data-race", "a.c", 10, "main", "16 bytes", 1);
	p.f[p.n++] = mkf("memory-leak", NULL, 0, NULL, "in vasprintf", 1);
	p.f[p.n++] = mkf("memory-leak", NULL, 0, NULL, "in strdup", 1);
	p.f[p.n++] = mkf("memory-leak", NULL, 0, NULL, "in vasprintf", 2); /* merged */
	diag_dedup(p.f, &p.n);
	ck_assert_uint_eq(p.n, 6);
	ck_assert_int_eq(p.f[0].count, 4);
	ck_assert_str_eq(p.f[0].message, "16 bytes"); /* the first one's */
	ck_assert_str_eq(p.f[0].test, "t1");
	ck_assert_int_eq(p.f[1].line, 11);
	ck_assert_str_eq(p.f[2].function, "other");
	ck_assert_str_eq(p.f[3].kind, "data-race");
	ck_assert_str_eq(p.f[4].message, "in vasprintf");
	ck_assert_int_eq(p.f[4].count, 3);
	ck_assert_str_eq(p.f[5].message, "in strdup");
	ck_assert_int_eq(p.f[5].count, 1);
	release(&p);
	/* nothing to merge, and empty lists */
	diag_dedup(NULL, NULL);
	p.n = 0;
	diag_dedup(p.f, &p.n);
	ck_assert_uint_eq(p.n, 0);
}
END_TEST

/* ---- hostile input ---- */

/* Every prefix of every log (in steps) parses without harm, and the
 * findings that come out are well-formed. */
START_TEST(truncated_logs)
{
	DIR *d = opendir(DATA);
	struct dirent *de;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		size_t nl = strlen(de->d_name), len, cut;
		enum variant v;
		char *log;

		if (nl < 5 || strcmp(de->d_name + nl - 4, ".log"))
			continue;
		v = variant_of(de->d_name);
		log = read_log(de->d_name, &len);
		for (cut = 0; cut <= len; cut += 1 + len / 23) {
			struct parsed p = { NULL, 0 };
			char *copy = xstrndup(log, cut); /* exact size: valgrind sees overreads */

			ck_assert_int_eq(diag_parse(v, copy, cut, sources, &p.f, &p.n), (int)p.n);
			check_well_formed(&p, v);
			release(&p);
			free(copy);
		}
		free(log);
	}
	closedir(d);
}
END_TEST

/* A report cut right after its first frame still locates the error. */
START_TEST(truncated_after_first_frame)
{
	size_t len;
	char *log = read_log("gcc-asan-heap-overflow.log", &len);
	char *frame = strstr(log, "    #0 ");
	struct parsed p = { NULL, 0 };
	size_t cut;

	ck_assert_ptr_nonnull(frame);
	cut = (size_t)(strchr(frame, '\n') - log); /* no newline at the end */
	ck_assert_int_eq(diag_parse(VARIANT_ASAN, log, cut, sources, &p.f, &p.n), 1);
	AT(p, 0, "asan", "heap-buffer-overflow", "memory.c", 21, "set");
	ck_assert_str_eq(p.f[0].message, "write of size 4");
	release(&p);
	/* and one cut inside its headline is still that kind */
	cut = (size_t)(strstr(log, "heap-buffer-overflow") - log) + strlen("heap-buffer-overflow");
	ck_assert_int_eq(diag_parse(VARIANT_ASAN, log, cut, sources, &p.f, &p.n), 1);
	AT(p, 0, "asan", "heap-buffer-overflow", NULL, 0, NULL);
	release(&p);
	free(log);
}
END_TEST

static unsigned long long rng_state;

static unsigned rnd(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng_state >> 33);
}

START_TEST(random_bytes)
{
	static const char alphabet[] = "#0x(): \n\n==12== at by in/ .c:1<null>?-";
	int i;

	rng_state = 42;
	for (i = 0; i < 120; i++) {
		size_t len = rnd() % 3000, k;
		char *junk = xmalloc(len ? len : 1);
		enum variant v = (enum variant)(rnd() % VARIANT__COUNT);
		struct parsed p = { NULL, 0 };

		for (k = 0; k < len; k++)
			junk[k] = i % 2 ? (char)rnd() : alphabet[rnd() % (sizeof(alphabet) - 1)];
		ck_assert_int_eq(diag_parse(v, junk, len, sources, &p.f, &p.n), (int)p.n);
		check_well_formed(&p, v);
		release(&p);
		free(junk);
	}
}
END_TEST

/* Real logs with random bytes overwritten: the structure half survives,
 * which is where a parser trips. */
START_TEST(mutated_logs)
{
	static const char *const logs[] = {
		"gcc-asan-use-after-free.log", "clang-lsan-leak.log", "clang-tsan-lock-order.log",
		"gcc-tsan-flag-color.log", "memcheck-leak.log", "helgrind-lock-order.log",
		"drd-race.log", "memcheck-fd-leak.log", "clang-ubsan-misaligned.log",
	};
	static const char bytes[] = "\n\n()#:= 0x@'\"\033[\0";
	size_t i;
	int round;

	rng_state = 7;
	for (i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		size_t len;
		char *log = read_log(logs[i], &len);
		enum variant v = variant_of(logs[i]);

		for (round = 0; round < 30; round++) {
			char *copy = xmalloc(len);
			struct parsed p = { NULL, 0 };
			int k;

			memcpy(copy, log, len);
			for (k = 0; k < 12; k++)
				copy[rnd() % len] = bytes[rnd() % (sizeof(bytes) - 1)];
			ck_assert_int_eq(diag_parse(v, copy, len, sources, &p.f, &p.n), (int)p.n);
			check_well_formed(&p, v);
			release(&p);
			free(copy);
		}
		free(log);
	}
}
END_TEST

START_TEST(odd_lines)
{
	static const char *const texts[] = {
		"",
		"\n\n\n",
		"ERROR: AddressSanitizer: ",
		"ERROR: AddressSanitizer: heap-buffer-overflow\n    #0",
		"ERROR: AddressSanitizer: x\n#0 0x\n#1 0x12 in\n#2 0x1 in (\n#3 ) )(\n#4 a b:\n#5 :1:2\n",
		"WARNING: ThreadSanitizer: data race\n  Read of size\n  Previous \n  Location is \n",
		"WARNING: ThreadSanitizer: lock-order-inversion\n  Mutex  acquired here while holding mutex \n#0 x y.c:1\n",
		"WARNING: ThreadSanitizer: thread leak\n  Thread T\n",
		": runtime error: \n",
		"x.c:1:2: runtime error: y\n#0 0x1 in main x.c:99999999999999999999:7\n",
		"ERROR: LeakSanitizer: detected memory leaks\nDirect leak of \n#0 0x1 in f\n",
		"ERROR: AddressSanitizer: SEGV\n<== Memory access at offset \n 0x1 is located \n",
	};
	static const char *const vg[] = {
		"==1==",
		"==1== \n==1== Invalid read of size 4\n==1==    at 0x\n==1==    by 0x1: \n",
		"==1== Possible data race during \n==1==    at 0x1: f (\n",
		"==1== ---Thread-Announcement---\n==1== x\n==1== ----\n==1== Thread #1: lock order \"a\" violated\n"
		"==1== Observed (incorrect) order is: \n==1== followed by a later acquisition\n==1== Lock at 0x1 w\n",
		"==1== Conflicting load by \n==1==    at 0x1: f (a.c:1)\n==1== Other segment start (\n",
		"==1== Open file descriptor 4:\n==1==    at 0x1: open (a.c:1)\n==99999999999999999999== x\n",
		"==1== Process terminating with default action of signal \n",
		"==1== 8 bytes in 1 blocks are definitely lost\n==1==    at 0x1: ??? (in )\n",
	};
	size_t i;
	int v;
	struct parsed p = { NULL, 0 };
	char *longline = xmalloc(200001);

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		for (v = 0; v < VARIANT__COUNT; v++) {
			ck_assert_int_eq(diag_parse((enum variant)v, texts[i], strlen(texts[i]),
						    sources, &p.f, &p.n), (int)p.n);
			check_well_formed(&p, (enum variant)v);
			release(&p);
		}
	for (i = 0; i < sizeof(vg) / sizeof(vg[0]); i++)
		for (v = VARIANT_MEMCHECK; v <= VARIANT_DRD; v++) {
			ck_assert_int_eq(diag_parse((enum variant)v, vg[i], strlen(vg[i]), sources,
						    &p.f, &p.n), (int)p.n);
			check_well_formed(&p, (enum variant)v);
			release(&p);
		}
	/* an unknown report still makes a finding, named after its tool */
	ck_assert_int_eq(diag_parse(VARIANT_ASAN, texts[4], strlen(texts[4]), sources, &p.f, &p.n), 1);
	ck_assert_str_eq(p.f[0].kind, "asan-other");
	ck_assert_str_eq(p.f[0].message, "x");
	release(&p);
	/* a huge line is cut, not choked on */
	memset(longline, 'a', 200000);
	memcpy(longline, "ERROR: AddressSanitizer: heap-use-after-free ", 45);
	longline[200000] = '\0';
	ck_assert_int_eq(diag_parse(VARIANT_ASAN, longline, 200000, sources, &p.f, &p.n), 1);
	ck_assert_str_eq(p.f[0].kind, "heap-use-after-free");
	ck_assert_int_le((long)strlen(p.f[0].message), 600);
	release(&p);
	free(longline);
	/* NULL log */
	ck_assert_int_eq(diag_parse(VARIANT_ASAN, NULL, 10, sources, &p.f, &p.n), 0);
	ck_assert_uint_eq(p.n, 0);
}
END_TEST

/* A flood of reports is capped. */
START_TEST(flood_capped)
{
	struct buf b;
	struct parsed p = { NULL, 0 };
	int i;

	buf_init(&b, 0);
	for (i = 0; i < 3000; i++)
		buf_addf(&b, "==7== Invalid read of size 4\n==7==    at 0x1: f (memory.c:%d)\n==7== \n", i);
	ck_assert_int_eq(diag_parse(VARIANT_MEMCHECK, b.data, b.len, sources, &p.f, &p.n), 1000);
	AT(p, 999, "memcheck", "invalid-read", "memory.c", 999, "f");
	release(&p);
	buf_release(&b);
}
END_TEST

/* ---- quoting ---- */

START_TEST(source_line)
{
	char *s = diag_source_line(DATA "src", "memory.c", 21);
	char *dir, *path;
	FILE *fp;
	int i;

	ck_assert_str_eq(s, "\tp[i] = v;");
	free(s);
	s = diag_source_line(DATA "src", "race.c", 15);
	ck_assert_str_eq(s, "\t\tcounter++; /* unprotected read-modify-write */");
	free(s);
	s = diag_source_line(DATA "src", "memory.c", 1);
	ck_assert_str_eq(s, "/*");
	free(s);
	ck_assert_ptr_null(diag_source_line(DATA "src", "memory.c", 0));
	ck_assert_ptr_null(diag_source_line(DATA "src", "memory.c", 100000));
	ck_assert_ptr_null(diag_source_line(DATA "src", "missing.c", 1));
	ck_assert_ptr_null(diag_source_line(DATA "src", "../src/memory.c", 1));
	ck_assert_ptr_null(diag_source_line(DATA "src", "x/../../diag/src/memory.c", 1));
	ck_assert_ptr_null(diag_source_line(DATA "src", "/etc/passwd", 1));
	ck_assert_ptr_null(diag_source_line(NULL, "memory.c", 1));
	ck_assert_ptr_null(diag_source_line(DATA "src", NULL, 1));
	/* CRLF line ends, a last line without newline, a very long line */
	dir = make_temp_dir("diag");
	path = path_join(dir, "w.c");
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("int a;\r\nint b;\r\n", fp);
	for (i = 0; i < 1000; i++)
		fputc('x', fp);
	fputs("\nlast", fp);
	ck_assert_int_eq(fclose(fp), 0);
	s = diag_source_line(dir, "w.c", 2);
	ck_assert_str_eq(s, "int b;");
	free(s);
	s = diag_source_line(dir, "w.c", 3);
	ck_assert_uint_eq(strlen(s), 300);
	free(s);
	s = diag_source_line(dir, "w.c", 4);
	ck_assert_str_eq(s, "last");
	free(s);
	ck_assert_ptr_null(diag_source_line(dir, "w.c", 5));
	ck_assert_int_eq(rm_rf(dir), 0);
	free(path);
	free(dir);
}
END_TEST

Suite *make_diag_suite(void)
{
	Suite *s = suite_create("diag");
	TCase *t = tcase_create("asan");

	tcase_add_test(t, asan_heap_overflow_gcc);
	tcase_add_test(t, asan_heap_overflow_clang_and_colour);
	tcase_add_test(t, asan_stack_overflow);
	tcase_add_test(t, asan_global_overflow);
	tcase_add_test(t, asan_use_after_free);
	tcase_add_test(t, asan_double_free);
	tcase_add_test(t, asan_bad_free);
	tcase_add_test(t, asan_segv);
	tcase_add_test(t, asan_two_processes);
	tcase_add_test(t, lsan_leaks);
	tcase_add_test(t, lsan_leak_through_libc);
	tcase_add_loop_test(t, ubsan_kinds, 0,
			    (int)(sizeof(ubsan_cases) / sizeof(ubsan_cases[0])));
	tcase_add_test(t, ubsan_without_stack);
	tcase_add_test(t, ubsan_amid_program_output);
	suite_add_tcase(s, t);

	t = tcase_create("tsan");
	tcase_add_test(t, tsan_race);
	tcase_add_test(t, tsan_race_two_places);
	tcase_add_test(t, tsan_lock_order);
	tcase_add_test(t, tsan_unlock_unlocked);
	tcase_add_test(t, tsan_destroy_locked);
	tcase_add_test(t, tsan_thread_leak);
	tcase_add_test(t, tsan_signal_unsafe);
	suite_add_tcase(s, t);

	t = tcase_create("valgrind");
	tcase_add_test(t, memcheck_invalid_write);
	tcase_add_test(t, memcheck_use_after_free);
	tcase_add_test(t, memcheck_invalid_free);
	tcase_add_test(t, memcheck_leaks);
	tcase_add_test(t, memcheck_uninitialised);
	tcase_add_test(t, memcheck_fd_leak);
	tcase_add_test(t, memcheck_clean);
	tcase_add_test(t, memcheck_fatal_signal);
	tcase_add_test(t, memcheck_interleaved_processes);
	tcase_add_test(t, helgrind_race);
	tcase_add_test(t, helgrind_race_two_places);
	tcase_add_test(t, helgrind_lock_order);
	tcase_add_test(t, helgrind_lock_misuse);
	tcase_add_test(t, drd_race);
	tcase_add_test(t, drd_lock_misuse);
	suite_add_tcase(s, t);

	t = tcase_create("rules");
	tcase_add_test(t, sources_by_basename);
	tcase_add_test(t, sources_unknown);
	tcase_add_test(t, family_by_variant);
	tcase_add_test(t, appends_to_list);
	tcase_add_test(t, every_log_well_formed);
	tcase_add_test(t, dedup_merges_and_counts);
	tcase_add_test(t, source_line);
	suite_add_tcase(s, t);

	t = tcase_create("robustness");
	tcase_set_timeout(t, 60); /* the fuzzing runs long under valgrind */
	tcase_add_test(t, truncated_logs);
	tcase_add_test(t, truncated_after_first_frame);
	tcase_add_test(t, random_bytes);
	tcase_add_test(t, mutated_logs);
	tcase_add_test(t, odd_lines);
	tcase_add_test(t, flood_capped);
	suite_add_tcase(s, t);
	return s;
}
