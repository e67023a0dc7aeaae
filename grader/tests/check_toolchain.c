/*
 * check_toolchain.c - the toolchain probes and `grader doctor`: the
 * variants installed here work, results are cached, a broken compiler is a
 * problem rather than a crash, the setarch fallback, the command's output.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "sandbox.h"
#include "toolchain.h"
#include "util.h"

static struct toolchain_status *probe(unsigned mask)
{
	struct toolchain_status *st = NULL;
	struct error e;
	size_t n = 0;

	error_init(&e);
	ck_assert_int_eq(toolchain_check(mask, &st, &n, &e), 0);
	ck_assert_ptr_nonnull(st);
	ck_assert_uint_eq(n, VARIANT__COUNT);
	return st;
}

START_TEST(test_plain_asan_ok)
{
	struct toolchain_status *st = probe(VARIANT_BIT(VARIANT_PLAIN) |
					    VARIANT_BIT(VARIANT_ASAN));

	ck_assert_msg(st[VARIANT_PLAIN].ok, "plain: %s", st[VARIANT_PLAIN].problem);
	ck_assert_int_eq(st[VARIANT_PLAIN].state, TOOLCHAIN_OK);
	ck_assert_msg(st[VARIANT_ASAN].ok, "asan: %s", st[VARIANT_ASAN].problem);
	ck_assert(st[VARIANT_ASAN].probed);
	ck_assert_int_eq(st[VARIANT_ASAN].v, VARIANT_ASAN);
	ck_assert(st[VARIANT_ASAN].seconds > 0);
	/* not asked for: not probed */
	ck_assert(!st[VARIANT_TSAN].probed);
	ck_assert(!st[VARIANT_HELGRIND].probed);
	ck_assert_uint_eq(toolchain_probe_count(), 2);
	/* with mmap_rnd_bits 28 nothing needs setarch */
	ck_assert_ptr_null(toolchain_prefix(VARIANT_ASAN)[0]);
}
END_TEST

START_TEST(test_memcheck_ok)
{
	struct toolchain_status *st = probe(VARIANT_BIT(VARIANT_MEMCHECK));

	ck_assert_msg(st[VARIANT_MEMCHECK].ok, "memcheck: %s",
		      st[VARIANT_MEMCHECK].problem);
	ck_assert_ptr_null(st[VARIANT_MEMCHECK].problem);
}
END_TEST

START_TEST(test_cached)
{
	struct toolchain_status *a, *b;
	unsigned count;

	a = probe(VARIANT_BIT(VARIANT_PLAIN));
	count = toolchain_probe_count();
	ck_assert_uint_eq(count, 1);
	b = probe(VARIANT_BIT(VARIANT_PLAIN));
	ck_assert_ptr_eq(a, b);
	ck_assert_uint_eq(toolchain_probe_count(), count);
	ck_assert(b[VARIANT_PLAIN].ok);
	/* a new variant is probed, the old one is not again */
	b = probe(VARIANT_BIT(VARIANT_PLAIN) | VARIANT_BIT(VARIANT_TSAN));
	ck_assert_uint_eq(toolchain_probe_count(), count + 1);
	ck_assert_msg(b[VARIANT_TSAN].ok, "tsan: %s", b[VARIANT_TSAN].problem);
}
END_TEST

/* GRADER_TOOLCHAIN_CACHE: what one process probed, the next one reads
 * (no probe); a file whose key does not match this machine is ignored. */
START_TEST(test_shared_cache_file)
{
	char *dir = make_temp_dir("tcache"), *file = path_join(dir, "t.json");
	struct toolchain_status *st;
	struct buf text;
	char *k;
	unsigned count;

	setenv("GRADER_TOOLCHAIN_CACHE", file, 1);
	st = probe(VARIANT_BIT(VARIANT_PLAIN) | VARIANT_BIT(VARIANT_ASAN));
	ck_assert_uint_eq(toolchain_probe_count(), 2);
	ck_assert(st[VARIANT_ASAN].ok);
	buf_init(&text, 1 << 20);
	ck_assert_int_eq(buf_read_file(&text, file), 0);
	ck_assert_ptr_nonnull(strstr(text.data, "\"asan\""));
	ck_assert_ptr_nonnull(strstr(text.data, "/usr/bin/cc"));

	/* another process: simulated by forgetting the table */
	toolchain_set_cc_for_tests(NULL);
	count = toolchain_probe_count();
	st = probe(VARIANT_BIT(VARIANT_PLAIN) | VARIANT_BIT(VARIANT_ASAN));
	ck_assert_uint_eq(toolchain_probe_count(), count);
	ck_assert(st[VARIANT_ASAN].probed && st[VARIANT_ASAN].ok);
	ck_assert_int_eq(st[VARIANT_ASAN].state, TOOLCHAIN_OK);

	/* a file written elsewhere (another grader version or host) */
	k = strstr(text.data, "grader ");
	ck_assert_ptr_nonnull(k);
	k[0] = 'G';
	ck_assert_int_eq(write_file_atomic(file, text.data, text.len), 0);
	toolchain_set_cc_for_tests(NULL);
	count = toolchain_probe_count();
	probe(VARIANT_BIT(VARIANT_ASAN));
	ck_assert_uint_eq(toolchain_probe_count(), count + 1);

	unsetenv("GRADER_TOOLCHAIN_CACHE");
	buf_release(&text);
	rm_rf(dir);
	free(file);
	free(dir);
}
END_TEST

START_TEST(test_broken_cc)
{
	struct toolchain_status *st;

	toolchain_set_cc_for_tests("/nonexistent/cc");
	st = probe(VARIANT_BIT(VARIANT_PLAIN) | VARIANT_BIT(VARIANT_ASAN));
	ck_assert(!st[VARIANT_PLAIN].ok);
	ck_assert_int_eq(st[VARIANT_PLAIN].state, TOOLCHAIN_MISSING);
	ck_assert_ptr_nonnull(strstr(st[VARIANT_PLAIN].problem, "/nonexistent/cc"));
	ck_assert_ptr_nonnull(strstr(st[VARIANT_PLAIN].problem, "apt-get install gcc"));
	ck_assert(!st[VARIANT_ASAN].ok);

	/* a compiler that runs but fails is BROKEN */
	toolchain_set_cc_for_tests("/bin/false");
	st = probe(VARIANT_BIT(VARIANT_PLAIN));
	ck_assert(!st[VARIANT_PLAIN].ok);
	ck_assert_int_eq(st[VARIANT_PLAIN].state, TOOLCHAIN_BROKEN);
	ck_assert_ptr_nonnull(strstr(st[VARIANT_PLAIN].problem, "cannot compile"));

	/* back to the real one: the cache was forgotten */
	toolchain_set_cc_for_tests(NULL);
	st = probe(VARIANT_BIT(VARIANT_PLAIN));
	ck_assert(st[VARIANT_PLAIN].ok);
}
END_TEST

START_TEST(test_aslr_fallback)
{
	struct toolchain_status *st;
	const char *const *pre;

	toolchain_simulate_aslr_for_tests(1);
	ck_assert_int_eq(toolchain_mmap_rnd_bits(), 32);
	st = probe(VARIANT_BIT(VARIANT_ASAN) | VARIANT_BIT(VARIANT_PLAIN));
	ck_assert_msg(st[VARIANT_ASAN].ok, "asan: %s", st[VARIANT_ASAN].problem);
	ck_assert_int_eq(st[VARIANT_ASAN].state, TOOLCHAIN_DEGRADED);
	ck_assert_str_eq(st[VARIANT_ASAN].problem,
			 "works with address randomisation disabled (vm.mmap_rnd_bits=32)");
	pre = toolchain_prefix(VARIANT_ASAN);
	ck_assert_str_eq(pre[0], "setarch");
	ck_assert_str_eq(pre[2], "-R");
	ck_assert_ptr_null(pre[3]);
	/* plain has no sanitizer runtime: no workaround */
	ck_assert_int_eq(st[VARIANT_PLAIN].state, TOOLCHAIN_OK);
	ck_assert_ptr_null(toolchain_prefix(VARIANT_PLAIN)[0]);
	toolchain_simulate_aslr_for_tests(0);
	ck_assert_ptr_null(toolchain_prefix(VARIANT_ASAN)[0]);
}
END_TEST

START_TEST(test_host_checks)
{
	struct toolchain_host_check h[16];
	size_t n = toolchain_host_checks(h, 16), i;
	int cc = 0, gdb = 0, userns = 0, witness = 0;

	ck_assert_uint_ge(n, 5);
	for (i = 0; i < n; i++) {
		if (!strcmp(h[i].name, "cc")) {
			cc = 1;
			ck_assert_int_eq(h[i].state, TOOLCHAIN_OK);
			ck_assert_ptr_nonnull(strstr(h[i].detail, "gcc") ? h[i].detail
					      : strstr(h[i].detail, "cc"));
		}
		if (!strcmp(h[i].name, "gdb")) {
			gdb = 1;
			ck_assert_int_eq(h[i].state, TOOLCHAIN_OK);
			ck_assert_ptr_nonnull(strstr(h[i].detail, "GNU gdb"));
		}
		if (!strcmp(h[i].name, "user namespaces"))
			userns = 1;
		/* this process never entered runfs's mount namespace */
		if (!strcmp(h[i].name, "exit witness")) {
			witness = 1;
			ck_assert_int_eq(h[i].state, TOOLCHAIN_DEGRADED);
			ck_assert_ptr_nonnull(strstr(h[i].detail, "needs root"));
		}
	}
	ck_assert(cc && gdb && userns && witness);
	/* a short table truncates, never overflows */
	ck_assert_uint_eq(toolchain_host_checks(h, 2), 2);
}
END_TEST

static int run_doctor(const char *args, struct buf *out)
{
	const char *bin = getenv("GRADER_BIN");
	char *cmd;
	FILE *f;
	char chunk[4096];
	size_t got;
	int st;

	ck_assert_msg(bin != NULL, "GRADER_BIN not set");
	cmd = xasprintf("%s doctor %s 2>&1", bin, args);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, got);
	st = pclose(f);
	free(cmd);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

START_TEST(test_doctor_command)
{
	static const char *const names[] = { "plain", "asan", "tsan", "memcheck",
					     "helgrind", "drd" };
	struct buf out;
	size_t i;

	buf_init(&out, 0);
	ck_assert_int_eq(run_doctor("", &out), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *row = xasprintf("variant %s", names[i]);

		ck_assert_msg(strstr(out.data, row), "no row for %s in:\n%s", names[i],
			      out.data);
		free(row);
	}
	ck_assert_ptr_nonnull(strstr(out.data, "every variant probed works"));
	ck_assert_ptr_null(strstr(out.data, "BROKEN"));
	/* as root the grader's probe sees the kernel record a child's 66 */
	if (geteuid() == 0 && !getenv("GRADER_NO_SANDBOX") &&
	    sandbox_level_available() == SANDBOX_ROOT)
		ck_assert_msg(strstr(out.data, "process accounting per run: the exit status of every process"),
			      "no working exit witness in:\n%s", out.data);
	buf_release(&out);
}
END_TEST

START_TEST(test_doctor_options)
{
	struct buf out;

	buf_init(&out, 0);
	ck_assert_int_eq(run_doctor("--variant plain --json", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "\"variant\": \"plain\""));
	ck_assert_ptr_null(strstr(out.data, "\"variant\": \"asan\""));
	ck_assert_ptr_nonnull(strstr(out.data, "\"ok\": true"));
	buf_reset(&out);
	ck_assert_int_eq(run_doctor("--variant bogus", &out), 2);
	ck_assert_ptr_nonnull(strstr(out.data, "unknown variant"));
	buf_reset(&out);
	ck_assert_int_eq(run_doctor("--help", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "usage: grader doctor"));
	buf_reset(&out);
	/* a broken compiler makes the command fail, not crash */
	setenv("GRADER_CC", "/nonexistent/cc", 1);
	ck_assert_int_eq(run_doctor("--variant plain", &out), 1);
	unsetenv("GRADER_CC");
	ck_assert_ptr_nonnull(strstr(out.data, "MISSING"));
	buf_release(&out);
}
END_TEST

Suite *make_toolchain_suite(void)
{
	Suite *s = suite_create("toolchain");
	TCase *tc = tcase_create("probe");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_plain_asan_ok);
	tcase_add_test(tc, test_memcheck_ok);
	tcase_add_test(tc, test_cached);
	tcase_add_test(tc, test_shared_cache_file);
	tcase_add_test(tc, test_broken_cc);
	tcase_add_test(tc, test_aslr_fallback);
	tcase_add_test(tc, test_host_checks);
	tcase_add_test(tc, test_doctor_command);
	tcase_add_test(tc, test_doctor_options);
	suite_add_tcase(s, tc);
	return s;
}
