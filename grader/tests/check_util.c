/*
 * check_util.c - tests of buf.c, util.c and error.c.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "util.h"

START_TEST(buf_caps_and_flags_truncation)
{
	struct buf b;

	buf_init(&b, 10);
	ck_assert_uint_eq(buf_add(&b, "0123456789abc", 13), 10);
	ck_assert_int_eq(b.truncated, 1);
	ck_assert_uint_eq(b.len, 10);
	ck_assert_str_eq(b.data, "0123456789");
	ck_assert_uint_eq(buf_adds(&b, "x"), 0);
	buf_release(&b);
}
END_TEST

START_TEST(buf_grows_and_formats)
{
	struct buf b;
	char *d;
	size_t len;
	int i;

	buf_init(&b, 0);
	for (i = 0; i < 10000; i++)
		buf_addf(&b, "%d,", i);
	ck_assert_int_eq(b.truncated, 0);
	ck_assert(strncmp(b.data, "0,1,2,", 6) == 0);
	ck_assert_uint_eq(b.data[b.len], '\0');
	buf_addf(&b, "%s", "");
	d = buf_detach(&b, &len);
	ck_assert_uint_eq(strlen(d), len);
	ck_assert_uint_eq(b.len, 0);
	free(d);
	buf_release(&b);
}
END_TEST

START_TEST(buf_keeps_nul_bytes)
{
	struct buf b;

	buf_init(&b, 0);
	buf_add(&b, "a\0b", 3);
	ck_assert_uint_eq(b.len, 3);
	ck_assert_int_eq(memcmp(b.data, "a\0b", 3), 0);
	buf_release(&b);
}
END_TEST

START_TEST(sizes_and_durations_parse)
{
	long long v;
	double d;

	ck_assert_int_eq(parse_size("64K", &v), 0);
	ck_assert_int_eq(v, 65536);
	ck_assert_int_eq(parse_size("8M", &v), 0);
	ck_assert_int_eq(v, 8 << 20);
	ck_assert_int_eq(parse_size("1.5k", &v), 0);
	ck_assert_int_eq(v, 1536);
	ck_assert_int_eq(parse_size("2GiB", &v), 0);
	ck_assert_int_eq(v, 2LL << 30);
	ck_assert_int_eq(parse_size("12", &v), 0);
	ck_assert_int_eq(v, 12);
	ck_assert_int_eq(parse_size("lots", &v), -1);
	ck_assert_int_eq(parse_size("5X", &v), -1);
	ck_assert_int_eq(parse_size("-1", &v), -1);
	ck_assert_int_eq(parse_duration("500ms", &d), 0);
	ck_assert_double_eq_tol(d, 0.5, 1e-9);
	ck_assert_int_eq(parse_duration("3s", &d), 0);
	ck_assert_double_eq_tol(d, 3, 1e-9);
	ck_assert_int_eq(parse_duration("1m", &d), 0);
	ck_assert_double_eq_tol(d, 60, 1e-9);
	ck_assert_int_eq(parse_duration("2.5", &d), 0);
	ck_assert_double_eq_tol(d, 2.5, 1e-9);
	ck_assert_int_eq(parse_duration("soon", &d), -1);
	ck_assert_int_eq(parse_duration("3h", &d), -1);
}
END_TEST

START_TEST(paths_join_and_basename)
{
	char *p;

	p = path_join("a", "b");
	ck_assert_str_eq(p, "a/b");
	free(p);
	p = path_join("a/", "b");
	ck_assert_str_eq(p, "a/b");
	free(p);
	p = path_join("a", "/abs");
	ck_assert_str_eq(p, "/abs");
	free(p);
	p = path_basename("/x/y/sub/");
	ck_assert_str_eq(p, "sub");
	free(p);
	p = path_basename("plain");
	ck_assert_str_eq(p, "plain");
	free(p);
}
END_TEST

/* rm_rf must remove a student's tree without following a symlink out of it. */
START_TEST(rm_rf_never_follows_symlinks)
{
	char *root = make_temp_dir("test"), *outside = make_temp_dir("keep");
	char *victim = path_join(outside, "precious");
	char *tree = path_join(root, "tree"), *sub, *link, *locked;

	ck_assert_ptr_nonnull(root);
	ck_assert_int_eq(write_file_atomic(victim, "x", 1), 0);
	sub = path_join(tree, "a/b");
	ck_assert_int_eq(mkdir_p(sub), 0);
	link = path_join(tree, "a/escape");
	ck_assert_int_eq(symlink(outside, link), 0);
	locked = path_join(tree, "a/b/locked");
	ck_assert_int_eq(mkdir(locked, 0), 0);
	ck_assert_int_eq(rm_rf(tree), 0);
	ck_assert(!is_dir(tree));
	ck_assert(is_file(victim));
	rm_rf(root);
	rm_rf(outside);
	free(root);
	free(outside);
	free(victim);
	free(tree);
	free(sub);
	free(link);
	free(locked);
}
END_TEST

START_TEST(atomic_write_leaves_no_temp_file)
{
	char *dir = make_temp_dir("test"), *f = path_join(dir, "out.json");
	struct buf b;
	char cmd[512];

	ck_assert_int_eq(write_file_atomic(f, "{}\n", 3), 0);
	ck_assert_int_eq(write_file_atomic(f, "{\"a\":1}\n", 8), 0);
	buf_init(&b, 0);
	ck_assert_int_eq(buf_read_file(&b, f), 0);
	ck_assert_str_eq(b.data, "{\"a\":1}\n");
	snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 1", dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(write_file_atomic("/nonexistent-dir/x", "a", 1), -1);
	buf_release(&b);
	rm_rf(dir);
	free(dir);
	free(f);
}
END_TEST

START_TEST(error_formats_location)
{
	struct error e;
	char out[256];

	error_init(&e);
	ck_assert_int_eq(error_at(&e, "spec.yaml", 12, 4, "bad %s", "key"), -1);
	error_format(&e, out, sizeof(out));
	ck_assert_str_eq(out, "spec.yaml:12:4: bad key");
	error_at(&e, "spec.yaml", 3, 0, "x");
	error_format(&e, out, sizeof(out));
	ck_assert_str_eq(out, "spec.yaml:3: x");
	error_set(&e, "plain");
	error_format(&e, out, sizeof(out));
	ck_assert_str_eq(out, "plain");
}
END_TEST

Suite *make_util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, buf_caps_and_flags_truncation);
	tcase_add_test(tc, buf_grows_and_formats);
	tcase_add_test(tc, buf_keeps_nul_bytes);
	tcase_add_test(tc, sizes_and_durations_parse);
	tcase_add_test(tc, paths_join_and_basename);
	tcase_add_test(tc, rm_rf_never_follows_symlinks);
	tcase_add_test(tc, atomic_write_leaves_no_temp_file);
	tcase_add_test(tc, error_formats_location);
	suite_add_tcase(s, tc);
	return s;
}
