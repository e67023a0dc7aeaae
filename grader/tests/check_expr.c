/*
 * check_expr.c - unit tests of expr.c: precedence, C's division, names and
 * $k bound by the caller, and every error (overflow, division by zero,
 * syntax) with the offset it points at.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "expr.h"

/* P = 4, N = 200000, $1 = 7, BIG = 2^62; anything else is unknown, and
 * "$9" explains itself. */
static int lookup(const char *name, size_t len, long long *out, char *msg,
		  size_t msgsz, void *arg)
{
	(void)arg;
	if (len == 1 && name[0] == 'P')
		*out = 4;
	else if (len == 1 && name[0] == 'N')
		*out = 200000;
	else if (len == 2 && !memcmp(name, "$1", 2))
		*out = 7;
	else if (len == 3 && !memcmp(name, "BIG", 3))
		*out = 1LL << 62;
	else if (len == 2 && !memcmp(name, "$9", 2)) {
		snprintf(msg, msgsz, "$9: the test has 1 argument");
		return -1;
	} else
		return -1;
	return 0;
}

static long long eval_ok(const char *src)
{
	struct expr_error err;
	long long v = -12345;

	ck_assert_msg(expr_eval(src, lookup, NULL, &v, &err) == 0,
		      "'%s': %s", src, err.msg);
	return v;
}

static void eval_fails(const char *src, size_t pos, const char *msg)
{
	struct expr_error err;
	long long v;

	ck_assert_msg(expr_eval(src, lookup, NULL, &v, &err) == -1,
		      "'%s' was accepted", src);
	ck_assert_str_eq(err.msg, msg);
	ck_assert_uint_eq(err.pos, pos);
}

START_TEST(expr_arithmetic)
{
	ck_assert_int_eq(eval_ok("42"), 42);
	ck_assert_int_eq(eval_ok(" 1 + 2 * 3 "), 7);
	ck_assert_int_eq(eval_ok("(1 + 2) * 3"), 9);
	ck_assert_int_eq(eval_ok("10 - 4 - 3"), 3);      /* left to right */
	ck_assert_int_eq(eval_ok("100 / 10 / 5"), 2);
	ck_assert_int_eq(eval_ok("-7 / 2"), -3);         /* truncated, as C */
	ck_assert_int_eq(eval_ok("-7 % 2"), -1);
	ck_assert_int_eq(eval_ok("--3"), 3);
	ck_assert_int_eq(eval_ok("-(2+3)*+2"), -10);
	ck_assert_int_eq(eval_ok("P*N*(N-1)/2"), 79999600000LL);
	ck_assert_int_eq(eval_ok("$1 * P"), 28);
	ck_assert_int_eq(eval_ok("9223372036854775807"), LLONG_MAX);
	ck_assert_int_eq(eval_ok("-9223372036854775807 - 1"), LLONG_MIN);
	ck_assert_int_eq(eval_ok("BIG + (BIG - 1)"), LLONG_MAX);
}
END_TEST

START_TEST(expr_errors)
{
	eval_fails("", 0, "expression ends early: expected a number, a name or '('");
	eval_fails("1 +", 3, "expression ends early: expected a number, a name or '('");
	eval_fails("P*(N", 4, "missing ')' (for the '(' at offset 3)");
	eval_fails("P)", 1, "unmatched ')'");
	eval_fails("P N", 2, "unexpected 'N' after the expression");
	eval_fails("2 ^ 3", 2, "unexpected '^' after the expression");
	eval_fails("Q + 1", 0, "unknown name 'Q'");
	eval_fails("1 + $9", 4, "$9: the test has 1 argument");
	eval_fails("$x", 0, "'$' must be followed by an argument number ($1, $2, ...)");
	eval_fails("N / (P - 4)", 2, "division by zero");
	eval_fails("N % 0", 2, "division by zero");
	eval_fails("9223372036854775808", 0, "number too large (beyond 64 bits)");
	eval_fails("BIG * 2", 4, "overflow: the product does not fit in 64 bits");
	eval_fails("BIG + BIG", 4, "overflow: the sum does not fit in 64 bits");
	eval_fails("-BIG - BIG - 1", 11, "overflow: the difference does not fit in 64 bits");
	eval_fails("(-9223372036854775807 - 1) / -1", 27,
		   "overflow: -2^63 / -1 does not fit in 64 bits");
	eval_fails("-(-9223372036854775807 - 1)", 0,
		   "overflow: the negation does not fit in 64 bits");
}
END_TEST

START_TEST(expr_depth)
{
	char deep[2 * EXPR_MAX_DEPTH + 8];
	size_t i, n = EXPR_MAX_DEPTH + 1;
	struct expr_error err;
	long long v;

	/* nesting is bounded: a hostile spec cannot overflow the stack */
	for (i = 0; i < n; i++)
		deep[i] = '(';
	deep[n] = '1';
	for (i = 0; i < n; i++)
		deep[n + 1 + i] = ')';
	deep[2 * n + 1] = '\0';
	ck_assert_int_eq(expr_eval(deep, lookup, NULL, &v, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "nested more than"));
	ck_assert_int_eq(eval_ok("((((((1))))))"), 1);
	/* no lookup at all: every name is unknown */
	ck_assert_int_eq(expr_eval("P", NULL, NULL, &v, &err), -1);
	ck_assert_str_eq(err.msg, "unknown name 'P'");
}
END_TEST

Suite *make_expr_suite(void)
{
	Suite *s = suite_create("expr");
	TCase *t = tcase_create("expr");

	tcase_add_test(t, expr_arithmetic);
	tcase_add_test(t, expr_errors);
	tcase_add_test(t, expr_depth);
	suite_add_tcase(s, t);
	return s;
}
