/*
 * check_lib.c - the suite of the unit step's own tests (check_unit.c):
 * `adds` checks lib_add, `hooked` calls lib_hook(), which a test
 * submission makes misbehave in the way $HOOK_MODE says.
 */
#include <check.h>

#include "lib.h"

START_TEST(adds)
{
	ck_assert_int_eq(lib_add(2, 3), 5);
}
END_TEST

START_TEST(hooked)
{
	lib_hook();
	ck_assert_int_eq(lib_add(1, 1), 2);
}
END_TEST

START_TEST(twice_a)
{
	ck_assert_int_eq(lib_add(0, 0), 0);
}
END_TEST

START_TEST(twice_b)
{
	ck_assert_int_eq(lib_add(0, 1), 1);
}
END_TEST

Suite *make_lib_suite(void)
{
	Suite *s = suite_create("lib");
	TCase *tc;

	tc = tcase_create("adds");
	tcase_add_test(tc, adds);
	suite_add_tcase(s, tc);
	tc = tcase_create("hooked");
	tcase_add_test(tc, hooked);
	suite_add_tcase(s, tc);
	tc = tcase_create("pair");
	tcase_add_test(tc, twice_a);
	tcase_add_test(tc, twice_b);
	suite_add_tcase(s, tc);
	return s;
}
