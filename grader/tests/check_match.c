/*
 * check_match.c - unit tests of match.c: every kind of check, passing and
 * failing, with the exact message and line the student would see; binary
 * input with NUL bytes; 8 MiB inputs.
 *
 * The checks are built by hand (no spec.yaml): what spec_load() would fill,
 * including the regex compiled with REG_EXTENDED | REG_NEWLINE. The checks
 * over event traces (exactly_once, inside, order_per_key, computed) hold
 * compiled patterns and evaluated expressions: those are made by
 * spec_parse() from a one-test spec, the way a grader run gets them.
 */
#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "match.h"
#include "spec.h"
#include "util.h"

/* A string literal and its length, NUL bytes included. */
#define LIT(s) (s), (sizeof(s) - 1)

static struct spec_check mk(enum check_kind kind)
{
	struct spec_check c;

	memset(&c, 0, sizeof(c));
	c.kind = kind;
	c.abs_tol = 1e-9;
	c.rel_tol = 0;
	return c;
}

/* Runs the check and asserts that it passes. The arguments are expanded
 * first so that LIT() can stand for a pointer and a length. */
#define PASS(...) PASS_(__VA_ARGS__)
#define PASS_(c, a, alen, e, elen)                                             \
	do {                                                                   \
		struct match_result r_;                                        \
		ck_assert_int_eq(                                              \
		    match_check((c), (a), (alen), (e), (elen), &r_), 0);       \
		ck_assert_msg(r_.ok, "unexpected failure: %s",                 \
			      r_.message ? r_.message : "(null)");             \
		ck_assert_ptr_null(r_.message);                                \
		ck_assert_uint_eq(r_.line, 0);                                 \
		match_result_release(&r_);                                     \
	} while (0)

/* Runs the check and asserts the exact message and line of its failure. */
#define FAIL(...) FAIL_(__VA_ARGS__)
#define FAIL_(c, a, alen, e, elen, msg, ln)                                    \
	do {                                                                   \
		struct match_result r_;                                        \
		ck_assert_int_eq(                                              \
		    match_check((c), (a), (alen), (e), (elen), &r_), 0);       \
		ck_assert_msg(!r_.ok, "unexpected pass");                      \
		ck_assert_str_eq(r_.message, (msg));                           \
		ck_assert_uint_eq(r_.line, (ln));                              \
		match_result_release(&r_);                                     \
	} while (0)

/* 8 MiB of numbered lines "line 000123 ...\n"; caller frees. */
#define BIG_LINE_LEN 32
#define BIG_LINES ((8u << 20) / BIG_LINE_LEN)
static char *big_text(size_t *len)
{
	char *t = xmalloc((size_t)BIG_LINES * BIG_LINE_LEN + 1);
	size_t i;

	for (i = 0; i < BIG_LINES; i++)
		snprintf(t + i * BIG_LINE_LEN, BIG_LINE_LEN + 1,
			 "line %06zu abcdefghijklmnopqrs\n", i);
	*len = (size_t)BIG_LINES * BIG_LINE_LEN;
	return t;
}

/* ---- exact ---- */

START_TEST(exact_equal)
{
	struct spec_check c = mk(CHECK_EXACT);

	PASS(&c, LIT("1: HELLO\n2: WORLD\n"), LIT("1: HELLO\n2: WORLD\n"));
	PASS(&c, LIT(""), LIT(""));
	PASS(&c, NULL, 0, LIT(""));
}
END_TEST

START_TEST(exact_line_differs)
{
	struct spec_check c = mk(CHECK_EXACT);

	FAIL(&c, LIT("1: HELLO\n2: world\n3: BYE\n"),
	     LIT("1: HELLO\n2: WORLD\n3: BYE\n"),
	     "line 2 differs: expected \"2: WORLD\", got \"2: world\"", 2);
	/* a shorter line is a differing line, not the end of the output */
	FAIL(&c, LIT("abc\nde\n"), LIT("abc\ndef\n"),
	     "line 2 differs: expected \"def\", got \"de\"", 2);
	FAIL(&c, LIT("x\n"), LIT("y\n"),
	     "line 1 differs: expected \"y\", got \"x\"", 1);
}
END_TEST

START_TEST(exact_ends_early)
{
	struct spec_check c = mk(CHECK_EXACT);

	FAIL(&c, LIT("a\nb\nc\n"), LIT("a\nb\nc\nd\ne\n"),
	     "output ends early: expected 5 lines, got 3; line 4 should be "
	     "\"d\"",
	     4);
	FAIL(&c, LIT(""), LIT("only\n"),
	     "no output: expected 1 line; line 1 should be \"only\"", 1);
	/* the last line is there but lacks its newline, and more is missing */
	FAIL(&c, LIT("a\nb"), LIT("a\nb\nc\n"),
	     "output ends early: expected 3 lines, got 2; line 3 should be "
	     "\"c\"",
	     3);
}
END_TEST

START_TEST(exact_extra_output)
{
	struct spec_check c = mk(CHECK_EXACT);

	FAIL(&c, LIT("1\n2\n3\n4\n5\n6\n7\n"), LIT("1\n2\n3\n4\n5\n"),
	     "unexpected extra output from line 6: \"6\"", 6);
	FAIL(&c, LIT("debug\n"), LIT(""),
	     "unexpected extra output from line 1: \"debug\"", 1);
	/* an expected last line without newline, then more output */
	FAIL(&c, LIT("a\nb\nc\n"), LIT("a\nb"),
	     "unexpected extra output from line 3: \"c\"", 3);
}
END_TEST

START_TEST(exact_final_newline)
{
	struct spec_check c = mk(CHECK_EXACT);

	FAIL(&c, LIT("a\nb\nc"), LIT("a\nb\nc\n"),
	     "the last line has no newline at the end", 3);
	FAIL(&c, LIT("a\nb\n"), LIT("a\nb"),
	     "line 2 ends with a newline, the expected output does not", 2);
}
END_TEST

START_TEST(exact_invisible_whitespace)
{
	struct spec_check c = mk(CHECK_EXACT);

	FAIL(&c, LIT("ok\r\nok\r\n"), LIT("ok\nok\n"),
	     "line 1 differs: expected \"ok\", got \"ok\\r\" (your line ends "
	     "with a carriage return \\r)",
	     1);
	FAIL(&c, LIT("a\nsum: 3  \n"), LIT("a\nsum: 3\n"),
	     "line 2 differs: expected \"sum: 3\", got \"sum: 3  \" (your line "
	     "ends with 2 spaces)",
	     2);
	FAIL(&c, LIT("x\n"), LIT("x\t\n"),
	     "line 1 differs: expected \"x\\t\", got \"x\" (the expected line "
	     "ends with 1 tab, yours does not)",
	     1);
	FAIL(&c, LIT("x \n"), LIT("x\t\n"),
	     "line 1 differs: expected \"x\\t\", got \"x \" (only trailing "
	     "whitespace differs: expected 1 tab, got 1 space)",
	     1);
	/* inner whitespace is shown escaped, no note */
	FAIL(&c, LIT("a\tb\n"), LIT("a    b\n"),
	     "line 1 differs: expected \"a    b\", got \"a\\tb\"", 1);
}
END_TEST

START_TEST(exact_long_lines)
{
	struct spec_check c = mk(CHECK_EXACT);
	char e[201], a[201], want[512];

	/* a difference at column 151 of a 200-character line is in view:
	 * the quotes start 20 characters before it */
	memset(e, 'x', 200);
	e[200] = '\0';
	memcpy(a, e, sizeof(a));
	a[150] = 'Y';
	snprintf(want, sizeof(want),
		 "line 1 differs at column 151: expected \"...%.70s\", got "
		 "\"...%.20sY%.49s\"",
		 e, e, e);
	FAIL(&c, a, 200, e, 200, want, 1);
	/* a difference near the start: the lines are cut at 80 characters */
	a[150] = 'x';
	a[0] = 'Y';
	snprintf(want, sizeof(want),
		 "line 1 differs: expected \"%.80s...\", got \"Y%.79s...\"", e,
		 e);
	FAIL(&c, a, 200, e, 200, want, 1);
}
END_TEST

START_TEST(exact_binary)
{
	struct spec_check c = mk(CHECK_EXACT);

	PASS(&c, LIT("a\0b\n\0\n"), LIT("a\0b\n\0\n"));
	FAIL(&c, LIT("a\0c\n"), LIT("a\0b\n"),
	     "line 1 differs: expected \"a\\0b\", got \"a\\0c\"", 1);
	/* the bytes after a NUL are compared too */
	FAIL(&c, LIT("\0\nx\0y\n"), LIT("\0\nx\0z\n"),
	     "line 2 differs: expected \"x\\0z\", got \"x\\0y\"", 2);
	/* valid UTF-8 is shown as is, invalid bytes and controls escaped;
	 * quotes and backslashes are escaped */
	FAIL(&c, LIT("caf\xc3\xa9 \xff\x01\"\\\n"), LIT("caf\xc3\xa9\n"),
	     "line 1 differs: expected \"caf\xc3\xa9\", got "
	     "\"caf\xc3\xa9 \\xff\\x01\\\"\\\\\"",
	     1);
}
END_TEST

START_TEST(exact_huge)
{
	struct spec_check c = mk(CHECK_EXACT);
	size_t len;
	char *e = big_text(&len), *a = xmalloc(len);
	char want[256];

	memcpy(a, e, len);
	PASS(&c, a, len, e, len);
	/* one byte of the very last line differs */
	a[len - 2] = '!';
	snprintf(want, sizeof(want),
		 "line %u differs: expected \"line %06u abcdefghijklmnopqrs\", "
		 "got \"line %06u abcdefghijklmnopqr!\"",
		 BIG_LINES, BIG_LINES - 1, BIG_LINES - 1);
	FAIL(&c, a, len, e, len, want, BIG_LINES);
	/* and the actual output stops in the middle */
	snprintf(want, sizeof(want),
		 "output ends early: expected %u lines, got %u; line %u should "
		 "be \"line %06u abcdefghijklmnopqrs\"",
		 BIG_LINES, BIG_LINES / 2, BIG_LINES / 2 + 1, BIG_LINES / 2);
	FAIL(&c, e, len / 2, e, len, want, BIG_LINES / 2 + 1);
	free(a);
	free(e);
}
END_TEST

START_TEST(custom_message)
{
	struct spec_check c = mk(CHECK_EXACT);

	c.message = "the parent must print its status line last";
	FAIL(&c, LIT("a\n"), LIT("b\n"),
	     "the parent must print its status line last (line 1 differs: "
	     "expected \"b\", got \"a\")",
	     1);
	PASS(&c, LIT("b\n"), LIT("b\n"));
	/* an empty message is no message */
	c.message = "";
	FAIL(&c, LIT("a\n"), LIT("b\n"),
	     "line 1 differs: expected \"b\", got \"a\"", 1);
}
END_TEST

/* ---- trailing_ws ---- */

START_TEST(trailing_ws_equal)
{
	struct spec_check c = mk(CHECK_TRAILING_WS);

	PASS(&c, LIT("a  \nb\t\r\n\n\n  \n"), LIT("a\nb\n"));
	PASS(&c, LIT("a\nb"), LIT("a \nb \n\n"));
	PASS(&c, LIT("\n\n"), LIT(""));
	/* empty lines inside still count */
	PASS(&c, LIT("a\n \nb\n"), LIT("a\n\nb\n"));
}
END_TEST

START_TEST(trailing_ws_differs)
{
	struct spec_check c = mk(CHECK_TRAILING_WS);

	/* leading whitespace matters */
	FAIL(&c, LIT("a\n b\n"), LIT("a\nb\n"),
	     "line 2 differs: expected \"b\", got \" b\"", 2);
	FAIL(&c, LIT("a  \nX  \n"), LIT("a\nb\n"),
	     "line 2 differs: expected \"b\", got \"X\"", 2);
	FAIL(&c, LIT("a\n\nb\n"), LIT("a\nb\n"),
	     "line 2 differs: expected \"b\", got \"\"", 2);
}
END_TEST

START_TEST(trailing_ws_length)
{
	struct spec_check c = mk(CHECK_TRAILING_WS);

	FAIL(&c, LIT("a \n\n\n"), LIT("a\nb  \nc\n"),
	     "output ends early: expected 3 lines, got 1; line 2 should be "
	     "\"b\"",
	     2);
	FAIL(&c, LIT("a\nb\nc  \n\n"), LIT("a\nb\n \n"),
	     "unexpected extra output from line 3: \"c\"", 3);
	FAIL(&c, LIT(" \n\n"), LIT("x\n"),
	     "no output: expected 1 line; line 1 should be \"x\"", 1);
}
END_TEST

/* ---- regex ---- */

static regex_t *compile(const char *pattern)
{
	regex_t *re = xmalloc(sizeof(*re));

	ck_assert_int_eq(regcomp(re, pattern, REG_EXTENDED | REG_NEWLINE), 0);
	return re;
}

static void uncompile(regex_t *re)
{
	regfree(re);
	free(re);
}

START_TEST(regex_some_line)
{
	struct spec_check c = mk(CHECK_REGEX);

	c.pattern = "^parent: child exited with status [0-9]+$";
	c.re = compile(c.pattern);
	PASS(&c, LIT("child: 2 lines\nparent: child exited with status 0\n"),
	     NULL, 0);
	/* the last line needs no newline for $ */
	PASS(&c, LIT("x\nparent: child exited with status 13"), NULL, 0);
	/* ^ and $ are line anchors, . does not cross lines */
	FAIL(&c, LIT("parent: child exited with status 0 (late)\n"), NULL, 0,
	     "no line matches /^parent: child exited with status [0-9]+$/", 0);
	FAIL(&c, LIT(""), NULL, 0,
	     "no line matches /^parent: child exited with status [0-9]+$/", 0);
	uncompile(c.re);

	c.pattern = "a.b";
	c.re = compile(c.pattern);
	FAIL(&c, LIT("a\nb\n"), NULL, 0, "no line matches /a.b/", 0);
	uncompile(c.re);
}
END_TEST

START_TEST(regex_binary)
{
	struct spec_check c = mk(CHECK_REGEX);

	c.pattern = "^done$";
	c.re = compile(c.pattern);
	/* NUL bytes do not end the text */
	PASS(&c, LIT("garbage\0\0\x01\ndone\n"), NULL, 0);
	FAIL(&c, LIT("\0done\n"), NULL, 0, "no line matches /^done$/", 0);
	uncompile(c.re);
	c.pattern = "x\"y\\.";
	c.re = compile(c.pattern);
	FAIL(&c, LIT("nothing"), NULL, 0, "no line matches /x\"y\\./", 0);
	uncompile(c.re);
}
END_TEST

START_TEST(regex_uncompiled)
{
	struct spec_check c = mk(CHECK_REGEX);
	struct match_result r;

	/* a check built without spec_load(): compiled on the fly */
	c.pattern = "b+c$";
	PASS(&c, LIT("a\nabbbc\nd\n"), NULL, 0);
	FAIL(&c, LIT("abbbcd\n"), NULL, 0, "no line matches /b+c$/", 0);
	/* a bad pattern is the spec's fault: -1 */
	c.pattern = "(unclosed";
	ck_assert_int_eq(match_check(&c, LIT("x"), NULL, 0, &r), -1);
	ck_assert_int_eq(r.ok, 0);
	ck_assert_ptr_nonnull(
	    strstr(r.message, "bad regular expression /(unclosed/"));
	match_result_release(&r);
}
END_TEST

START_TEST(regex_huge)
{
	struct spec_check c = mk(CHECK_REGEX);
	size_t len;
	char *t = big_text(&len);

	c.pattern = "^line 262143 ";
	c.re = compile(c.pattern);
	PASS(&c, t, len, NULL, 0);
	uncompile(c.re);
	c.pattern = "^parent: child exited";
	c.re = compile(c.pattern);
	FAIL(&c, t, len, NULL, 0, "no line matches /^parent: child exited/", 0);
	uncompile(c.re);
	free(t);
}
END_TEST

/* ---- contains, not_contains ---- */

START_TEST(contains)
{
	struct spec_check c = mk(CHECK_CONTAINS);

	PASS(&c, LIT("x\nchild: 2 lines\ny\n"), LIT("child: 2 lines"));
	/* across lines */
	PASS(&c, LIT("a\nb\nc\n"), LIT("b\nc"));
	PASS(&c, LIT("anything"), LIT(""));
	FAIL(&c, LIT("child: 3 lines\n"), LIT("child: 2 lines"),
	     "the output does not contain \"child: 2 lines\"", 0);
	FAIL(&c, LIT("b\nX\nc\n"), LIT("b\nc\n"),
	     "the output does not contain \"b\\nc\\n\"", 0);
	/* binary-safe on both sides */
	PASS(&c, LIT("\0\0ab\0cd"), LIT("b\0c"));
	FAIL(&c, LIT("ab\0cd"), LIT("b\0\0c"),
	     "the output does not contain \"b\\0\\0c\"", 0);
}
END_TEST

START_TEST(not_contains)
{
	struct spec_check c = mk(CHECK_NOT_CONTAINS);

	PASS(&c, LIT("all good\n"), LIT("error"));
	PASS(&c, LIT("all good\n"), LIT(""));
	FAIL(&c, LIT("a\nb\nfatal error: x\nerror\n"), LIT("error"),
	     "line 3 must not contain \"error\": \"fatal error: x\"", 3);
	FAIL(&c, LIT("\0\n\0\nx\0y\n"), LIT("\0y"),
	     "line 3 must not contain \"\\0y\": \"x\\0y\"", 3);
	/* a text spanning lines is located at the line where it starts */
	FAIL(&c, LIT("a\nb\nc\n"), LIT("b\nc"),
	     "line 2 must not contain \"b\\nc\": \"b\"", 2);
}
END_TEST

/* ---- any_order ---- */

START_TEST(any_order_equal)
{
	struct spec_check c = mk(CHECK_ANY_ORDER);

	PASS(&c, LIT("c\na\nb\n"), LIT("a\nb\nc\n"));
	/* duplicates and a missing final newline do not matter */
	PASS(&c, LIT("b\na\na\nb"), LIT("a\nb\n"));
	PASS(&c, LIT(""), LIT(""));
	/* binary lines */
	PASS(&c, LIT("x\0y\n\0\n"), LIT("\0\nx\0y\n"));
}
END_TEST

START_TEST(any_order_differs)
{
	struct spec_check c = mk(CHECK_ANY_ORDER);

	FAIL(&c, LIT("b\nx\na\n"), LIT("a\nb\nc\n"),
	     "missing line \"c\"; unexpected line 2: \"x\"", 2);
	FAIL(&c, LIT("b\na\n"), LIT("a\nb\nc\nd\n"), "missing line \"c\"", 0);
	/* the first unexpected line of the output is reported */
	FAIL(&c, LIT("a\nz\ny\nb\n"), LIT("a\nb\n"), "unexpected line 2: \"z\"",
	     2);
	/* lines are compared whole: a trailing space makes another line */
	FAIL(&c, LIT("a \n"), LIT("a\n"),
	     "missing line \"a\"; unexpected line 1: \"a \"", 1);
	/* "a\0b" and "a" share a prefix but are different lines */
	FAIL(&c, LIT("a\0b\n"), LIT("a\n"),
	     "missing line \"a\"; unexpected line 1: \"a\\0b\"", 1);
}
END_TEST

/* ---- multiset ---- */

START_TEST(multiset_equal)
{
	struct spec_check c = mk(CHECK_MULTISET);

	PASS(&c, LIT("p:2\np:1\np:3\np:1\n"), LIT("p:1\np:1\np:2\np:3\n"));
	PASS(&c, LIT("b\na"), LIT("a\nb\n"));
	PASS(&c, LIT(""), LIT(""));
}
END_TEST

START_TEST(multiset_counts)
{
	struct spec_check c = mk(CHECK_MULTISET);

	FAIL(
	    &c, LIT("p:1\np:3\np:2\np:3\n"), LIT("p:1\np:2\np:3\n"),
	    "line \"p:3\" appears 2 times, expected 1 (one too many at line 4)",
	    4);
	FAIL(&c, LIT("p:1\np:2\n"), LIT("p:1\np:2\np:2\n"),
	     "line \"p:2\" appears 1 time, expected 2", 0);
	FAIL(&c, LIT("p:1\n"), LIT("p:1\np:2\np:2\n"),
	     "missing line \"p:2\" (expected 2 times)", 0);
	FAIL(&c, LIT("p:1\nq\n"), LIT("p:1\np:2\n"),
	     "missing line \"p:2\"; unexpected line 2: \"q\"", 2);
	/* a duplicate counts: any_order would pass this */
	FAIL(&c, LIT("a\nb\na\n"), LIT("a\nb\n"),
	     "line \"a\" appears 2 times, expected 1 (one too many at line 3)",
	     3);
}
END_TEST

/* Fisher-Yates with a fixed LCG: reproducible shuffles. */
static void shuffle(const char **v, size_t n)
{
	unsigned long long s = 12345;
	const char *t;
	size_t i, j;

	for (i = n - 1; i > 0; i--) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		j = (size_t)(s >> 33) % (i + 1);
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

START_TEST(multiset_huge)
{
	struct spec_check c = mk(CHECK_MULTISET);
	size_t len, i, n = BIG_LINES;
	char *e = big_text(&len), *a = xmalloc(len);
	const char **lines = xmalloc(n * sizeof(*lines));
	char want[256];

	/* the same 262144 lines in another order */
	for (i = 0; i < n; i++)
		lines[i] = e + i * BIG_LINE_LEN;
	shuffle(lines, n);
	for (i = 0; i < n; i++)
		memcpy(a + i * BIG_LINE_LEN, lines[i], BIG_LINE_LEN);
	PASS(&c, a, len, e, len);
	c.kind = CHECK_ANY_ORDER;
	PASS(&c, a, len, e, len);
	/* one line changed into a copy of its neighbour */
	c.kind = CHECK_MULTISET;
	memcpy(a + 1000 * BIG_LINE_LEN, a + 999 * BIG_LINE_LEN, BIG_LINE_LEN);
	snprintf(want, sizeof(want),
		 "missing line \"%.*s\"; line \"%.*s\" appears 2 times, "
		 "expected 1 (one too many at line 1001)",
		 BIG_LINE_LEN - 1, lines[1000], BIG_LINE_LEN - 1, lines[999]);
	FAIL(&c, a, len, e, len, want, 1001);
	free(lines);
	free(a);
	free(e);
}
END_TEST

/* ---- numbers ---- */

START_TEST(numbers_equal)
{
	struct spec_check c = mk(CHECK_NUMBERS);

	PASS(&c, LIT("3.14 2.71\n"), LIT("3.14 2.71\n"));
	/* whitespace and formatting of numbers do not matter */
	PASS(&c, LIT("  3.140\n\n2.71e0   "), LIT("3.14 2.71\n"));
	PASS(&c, LIT("sum = 10\n"), LIT("sum =\t10.0"));
	c.abs_tol = 0.001;
	PASS(&c, LIT("3.1409 x 2.7105\n"), LIT("3.14 x 2.71\n"));
	c.abs_tol = 0;
	c.rel_tol = 0.01;
	PASS(&c, LIT("1005 -99.5\n"), LIT("1000 -100\n"));
	PASS(&c, LIT("inf nan"), LIT("inf nan"));
	PASS(&c, LIT(""), LIT(" \n"));
}
END_TEST

START_TEST(numbers_differ)
{
	struct spec_check c = mk(CHECK_NUMBERS);

	c.abs_tol = 0.001;
	FAIL(&c, LIT("mean 3.14\nsd 2.72\n"), LIT("mean 3.14\nsd 2.71\n"),
	     "token 4 (line 2) differs: expected 2.71, got 2.72 (off by 0.01, "
	     "tolerance 0.001)",
	     2);
	/* words are compared exactly */
	FAIL(&c, LIT("1 2\nMean 3\n"), LIT("1 2 mean 3"),
	     "token 3 (line 2) differs: expected \"mean\", got \"Mean\"", 2);
	FAIL(&c, LIT("x 12abc\n"), LIT("x 12\n"),
	     "token 2 (line 1) differs: expected 12, got \"12abc\"", 1);
	/* a NUL byte makes a token a word */
	FAIL(&c, LIT("1\0\n"), LIT("1\n"),
	     "token 1 (line 1) differs: expected 1, got \"1\\0\"", 1);
	c.abs_tol = 0;
	c.rel_tol = 0.01;
	FAIL(&c, LIT("1011"), LIT("1000"),
	     "token 1 (line 1) differs: expected 1000, got 1011 (off by 11, "
	     "tolerance 10)",
	     1);
}
END_TEST

START_TEST(numbers_count)
{
	struct spec_check c = mk(CHECK_NUMBERS);

	FAIL(&c, LIT("1 2\n3\n"), LIT("1 2 3 4 5\n"),
	     "output ends early: expected 5 tokens, got 3", 0);
	FAIL(&c, LIT("1 2\n\n3 oops\n"), LIT("1 2 3\n"),
	     "unexpected extra token 4 (line 3): \"oops\"", 3);
	FAIL(&c, LIT(""), LIT("42\n"),
	     "output ends early: expected 1 token, got 0", 0);
}
END_TEST

/* ---- line_count ---- */

START_TEST(line_count)
{
	struct spec_check c = mk(CHECK_LINE_COUNT);

	c.count = 3;
	PASS(&c, LIT("a\nb\nc\n"), NULL, 0);
	/* a last line without newline counts */
	PASS(&c, LIT("a\nb\nc"), NULL, 0);
	PASS(&c, LIT("\n\n\n"), NULL, 0);
	FAIL(&c, LIT("a\nb\nc\nd"), NULL, 0, "expected 3 lines, got 4", 4);
	FAIL(&c, LIT("a\nb\n"), NULL, 0, "expected 3 lines, got 2", 0);
	c.count = 1;
	FAIL(&c, LIT(""), NULL, 0, "expected 1 line, got 0", 0);
	c.count = 0;
	PASS(&c, LIT(""), NULL, 0);
	FAIL(&c, LIT("\0"), NULL, 0, "expected 0 lines, got 1", 1);
}
END_TEST

/* ---- last_line ---- */

START_TEST(last_line)
{
	struct spec_check c = mk(CHECK_LAST_LINE);

	PASS(&c, LIT("a\nparent: done\n"), LIT("parent: done"));
	/* trailing empty lines and whitespace on either side are ignored */
	PASS(&c, LIT("a\nparent: done  \r\n\n\n"), LIT("parent: done\n"));
	PASS(&c, LIT("parent: done"), LIT("parent: done\n"));
	FAIL(&c, LIT("parent: done\nchild: late\n\n"), LIT("parent: done\n"),
	     "the last line is \"child: late\", expected \"parent: done\"", 2);
	FAIL(&c, LIT("\n \n"), LIT("parent: done"),
	     "the output is empty, expected the last line \"parent: done\"", 0);
	/* an expected text of two lines is compared with the last two */
	PASS(&c, LIT("x\ny\nz\n"), LIT("y\nz\n"));
	FAIL(&c, LIT("x\ny\nz\n"), LIT("x\nz\n"),
	     "the last 2 lines are \"y\\nz\", expected \"x\\nz\"", 2);
}
END_TEST

/* ---- the dispatcher ---- */

START_TEST(bad_kind)
{
	struct spec_check c = mk(CHECK__COUNT);
	struct match_result r;
	char want[64];

	snprintf(want, sizeof(want), "unknown kind of check (%d)", CHECK__COUNT);
	ck_assert_int_eq(match_check(&c, LIT("x"), LIT("x"), &r), -1);
	ck_assert_int_eq(r.ok, 0);
	ck_assert_str_eq(r.message, want);
	match_result_release(&r);
	ck_assert_ptr_null(r.message);
}
END_TEST


/* ---- checks over event traces ---- */

/* A spec with one test (args `args`, a YAML flow list) whose only stdout
 * check is `check` (one YAML flow mapping). */
static struct spec *trace_spec(const char *args, const char *check)
{
	struct spec *s = NULL;
	struct error e;
	struct buf b;

	buf_init(&b, 0);
	buf_addf(&b,
		 "name: x\ntitle: X\nbuild: {sources: [x.c]}\ntests:\n"
		 "  - name: t\n    points: 1\n    args: %s\n    stdout:\n"
		 "      - %s\n",
		 args, check);
	error_init(&e);
	ck_assert_msg(spec_parse(b.data, b.len, "t.yaml", ".", &s, &e) == 0,
		      "%s", e.msg);
	buf_release(&b);
	return s;
}

#define TCHECK(s) (&(s)->tests[0].checks[0])

static const char *const PRODCONS =
	"{exactly_once: {item: '{p}:{i}', for: {p: '0..P-1', i: '0..N-1'}, "
	"vars: {P: $1, N: $2}, match: '^c[0-9]+ ([0-9]+:[0-9]+)$'}}";

START_TEST(exactly_once_passes)
{
	struct spec *s = trace_spec("[2, 3]", PRODCONS);

	/* any order, any consumer, lines that are not items ignored */
	PASS(TCHECK(s), LIT("c1 1:2\nc0 0:0\nc3 0:1\nc1 1:0\nc0 1:1\nc2 0:2\ntotal 6\n"),
	     NULL, 0);
	spec_free(s);
}
END_TEST

START_TEST(exactly_once_duplicate)
{
	struct spec *s = trace_spec("[2, 3]", PRODCONS);

	FAIL(TCHECK(s),
	     LIT("c1 1:2\nc0 0:0\nc3 0:1\nc1 1:0\nc0 0:0\nc0 1:1\nc2 0:2\n"),
	     NULL, 0,
	     "\"0:0\" printed twice (first at line 2, again at line 5)", 5);
	/* a duplicate that replaces an item: both are said, at the line of
	 * the duplicate */
	FAIL(TCHECK(s), LIT("c0 0:0\nc0 0:1\nc1 0:1\nc0 0:2\nc0 1:0\nc0 1:1\n"),
	     NULL, 0,
	     "\"0:1\" printed twice (first at line 2, again at line 3); "
	     "1 of 6 items missing: \"1:2\"",
	     3);
	spec_free(s);
}
END_TEST

START_TEST(exactly_once_missing_and_unexpected)
{
	struct spec *s = trace_spec("[2, 3]", PRODCONS);

	FAIL(TCHECK(s), LIT("c0 0:0\nc0 7:1\nc0 9:9\ntotal 6\n"), NULL, 0,
	     "line 2: unexpected item \"7:1\" (2 unexpected lines in all); "
	     "5 of 6 items missing: \"0:1\", \"0:2\", \"1:0\", ...",
	     2);
	FAIL(TCHECK(s), LIT(""), NULL, 0,
	     "6 of 6 items missing: \"0:0\", \"0:1\", \"0:2\", ...", 0);
	spec_free(s);
}
END_TEST

START_TEST(exactly_once_every_line)
{
	/* no `match`: every line is an item; words, ranges not from 0, and
	 * braces doubled in the template */
	struct spec *s = trace_spec(
	    "[]", "{exactly_once: {item: '{{{w}-{k}}}', for: {w: [a, b], k: '-1..0'}}}");

	PASS(TCHECK(s), LIT("{b-0}\n{a--1}\n{a-0}\n{b--1}"), NULL, 0);
	FAIL(TCHECK(s), LIT("{b-0}\n{a--1}\n{a-0}\n{b--1}\ntotal 4\n"), NULL, 0,
	     "line 5: unexpected item \"total 4\"", 5);
	spec_free(s);
}
END_TEST

START_TEST(exactly_once_repeated_items)
{
	/* a template that makes an item twice wants it twice */
	struct spec *s = trace_spec(
	    "[]", "{exactly_once: {item: '{w}', for: {w: [a, a, b]}}}");

	PASS(TCHECK(s), LIT("a\nb\na\n"), NULL, 0);
	FAIL(TCHECK(s), LIT("a\nb\n"), NULL, 0,
	     "1 of 3 items missing: \"a\"", 0);
	FAIL(TCHECK(s), LIT("a\nb\na\na\n"), NULL, 0,
	     "\"a\" printed 3 times, expected 2 (one too many at line 4)", 4);
	spec_free(s);
}
END_TEST

START_TEST(exactly_once_empty_set)
{
	struct spec *s = trace_spec("[4, 0]", PRODCONS);

	PASS(TCHECK(s), LIT("total 0\n"), NULL, 0);
	FAIL(TCHECK(s), LIT("c0 0:0\ntotal 0\n"), NULL, 0,
	     "line 1: unexpected item \"0:0\"", 1);
	spec_free(s);
}
END_TEST

START_TEST(exactly_once_huge)
{
	/* 100000 items printed in a scrambled order, one missing and
	 * replaced by a duplicate */
	struct spec *s = trace_spec("[16, 6250]", PRODCONS);
	size_t n = 16 * 6250, i, k;
	struct buf b;

	buf_init(&b, 0);
	for (i = 0; i < n; i++) {
		k = (i * 7919) % n; /* 7919 is prime, n is not its multiple */
		buf_addf(&b, "c%zu %zu:%zu\n", i % 5, k / 6250, k % 6250);
	}
	PASS(TCHECK(s), b.data, b.len, NULL, 0);
	buf_adds(&b, "c0 3:17\n");
	FAIL(TCHECK(s), b.data, b.len, NULL, 0,
	     "\"3:17\" printed twice (first at line 81794, again at line 100001)",
	     100001);
	buf_release(&b);
	spec_free(s);
}
END_TEST

static const char *const PARKING =
	"{inside: {enter: '^enter ([0-9]+)$', leave: '^leave ([0-9]+)$', "
	"max: 'K', vars: {K: $1}, reach: true}}";

START_TEST(inside_passes)
{
	struct spec *s = trace_spec("[2, 4]", PARKING);

	PASS(TCHECK(s),
	     LIT("enter 0\nenter 3\nleave 3\nenter 1\nleave 0\nleave 1\n"
		 "enter 2\nleave 2\ndone 4\n"),
	     NULL, 0);
	spec_free(s);
}
END_TEST

START_TEST(inside_too_many)
{
	struct spec *s = trace_spec("[2, 4]", PARKING);

	FAIL(TCHECK(s),
	     LIT("enter 0\nenter 3\nleave 3\nenter 1\nenter 2\nleave 0\n"),
	     NULL, 0, "line 5: \"enter 2\" makes 3 inside at once, at most 2 allowed",
	     5);
	spec_free(s);
}
END_TEST

START_TEST(inside_never_full)
{
	struct spec *s = trace_spec("[2, 4]", PARKING);

	FAIL(TCHECK(s), LIT("enter 0\nleave 0\nenter 1\nleave 1\n"), NULL, 0,
	     "never 2 inside at once: at most 1 were", 0);
	spec_free(s);
}
END_TEST

START_TEST(inside_pairs)
{
	struct spec *s = trace_spec("[2, 4]", PARKING);

	FAIL(TCHECK(s), LIT("enter 0\nleave 1\n"), NULL, 0,
	     "line 2: \"leave 1\" but \"1\" is not inside (no enter before it)", 2);
	FAIL(TCHECK(s), LIT("enter 0\nenter 0\n"), NULL, 0,
	     "line 2: \"enter 0\": \"0\" is already inside (it entered at line 1)", 2);
	FAIL(TCHECK(s), LIT("enter 0\nenter 1\nleave 0\n"), NULL, 0,
	     "line 2: \"enter 1\" is never followed by its leave", 2);
	spec_free(s);
}
END_TEST

START_TEST(inside_anonymous)
{
	/* without a capture group only the count matters */
	struct spec *s = trace_spec(
	    "[]", "{inside: {enter: '^in$', leave: '^out$', max: 2}}");

	PASS(TCHECK(s), LIT("in\nin\nout\nin\nout\nout\n"), NULL, 0);
	FAIL(TCHECK(s), LIT("in\nout\nout\n"), NULL, 0,
	     "line 3: \"out\" with nobody inside", 3);
	FAIL(TCHECK(s), LIT("in\nin\nin\n"), NULL, 0,
	     "line 3: \"in\" makes 3 inside at once, at most 2 allowed", 3);
	spec_free(s);
}
END_TEST

static const char *const ORDER =
	"{order_per_key: {events: ['^enter ([0-9]+)$', '^leave ([0-9]+)$']}}";

START_TEST(order_per_key_passes)
{
	struct spec *s = trace_spec("[]", ORDER);

	PASS(TCHECK(s), LIT("enter 1\nenter 2\nleave 2\nother\nleave 1\n"), NULL, 0);
	spec_free(s);
}
END_TEST

START_TEST(order_per_key_fails)
{
	struct spec *s = trace_spec("[]", ORDER);

	FAIL(TCHECK(s), LIT("enter 1\nleave 2\n"), NULL, 0,
	     "line 2: \"leave 2\" is out of order for \"2\": expected a line "
	     "matching /^enter ([0-9]+)$/ first",
	     2);
	FAIL(TCHECK(s), LIT("enter 1\nenter 1\n"), NULL, 0,
	     "line 2: \"enter 1\" is out of order for \"1\": expected a line "
	     "matching /^leave ([0-9]+)$/ after line 1",
	     2);
	FAIL(TCHECK(s), LIT("enter 1\nleave 1\nenter 1\n"), NULL, 0,
	     "line 3: \"enter 1\": \"1\" already went through all its events "
	     "(the last at line 2)",
	     3);
	FAIL(TCHECK(s), LIT("enter 1\nenter 2\nleave 1\n"), NULL, 0,
	     "line 2: \"enter 2\" is not followed by a line matching "
	     "/^leave ([0-9]+)$/",
	     2);
	spec_free(s);
}
END_TEST

START_TEST(order_per_key_cycle)
{
	struct spec *s = trace_spec(
	    "[]", "{order_per_key: {events: ['^enter ([0-9]+)$', '^leave ([0-9]+)$'], "
		  "cycle: true, complete: false}}");

	PASS(TCHECK(s), LIT("enter 1\nleave 1\nenter 1\nleave 1\nenter 1\n"), NULL, 0);
	FAIL(TCHECK(s), LIT("enter 1\nleave 1\nleave 1\n"), NULL, 0,
	     "line 3: \"leave 1\" is out of order for \"1\": expected a line "
	     "matching /^enter ([0-9]+)$/ after line 2",
	     3);
	spec_free(s);
}
END_TEST

START_TEST(computed_passes_and_fails)
{
	struct spec *s = trace_spec(
	    "[4, 200000]", "{computed: {match: '^count (-?[0-9]+)$', value: 'P*N', "
			   "vars: {P: $1, N: $2}}}");

	PASS(TCHECK(s), LIT("count 800000\nslots 4\n"), NULL, 0);
	FAIL(TCHECK(s), LIT("count 799998\nslots 4\n"), NULL, 0,
	     "line 1: \"count 799998\" has 799998, expected 800000 (= P*N)", 1);
	FAIL(TCHECK(s), LIT("slots 4\n"), NULL, 0,
	     "no line matches /^count (-?[0-9]+)$/: expected one with 800000 (= P*N)",
	     0);
	/* every matching line must have it */
	FAIL(TCHECK(s), LIT("count 800000\ncount 12\n"), NULL, 0,
	     "line 2: \"count 12\" has 12, expected 800000 (= P*N)", 2);
	spec_free(s);
}
END_TEST

START_TEST(computed_several_values)
{
	struct spec *s = trace_spec(
	    "[3, 10]", "{computed: {match: '^sum ([^ ]*) of ([0-9]+)$', "
		       "values: ['$2*($2-1)/2*$1', 30]}}");

	PASS(TCHECK(s), LIT("sum 135 of 30\n"), NULL, 0);
	FAIL(TCHECK(s), LIT("sum 1e3 of 30\n"), NULL, 0,
	     "line 1: \"sum 1e3 of 30\": \"1e3\" is not an integer, expected 135 "
	     "(= $2*($2-1)/2*$1)",
	     1);
	FAIL(TCHECK(s), LIT("sum 135 of 31\n"), NULL, 0,
	     "line 1: \"sum 135 of 31\" has 31, expected 30", 1);
	spec_free(s);
}
END_TEST

START_TEST(trace_message_and_no_trace)
{
	struct spec *s = trace_spec(
	    "[2]", "{computed: {match: '^n ([0-9]+)$', value: $1}, message: 'say n'}");
	struct spec_check c = mk(CHECK_INSIDE);
	struct match_result r;

	FAIL(TCHECK(s), LIT("n 3\n"), NULL, 0,
	     "say n (line 1: \"n 3\" has 3, expected 2 (= $1))", 1);
	spec_free(s);
	/* a trace check without its trace is a fault, not a verdict */
	ck_assert_int_eq(match_check(&c, LIT("x\n"), NULL, 0, &r), -1);
	ck_assert_ptr_nonnull(r.message);
	match_result_release(&r);
}
END_TEST

Suite *make_match_suite(void)
{
	Suite *s = suite_create("match");
	TCase *t = tcase_create("exact");

	tcase_add_test(t, exact_equal);
	tcase_add_test(t, exact_line_differs);
	tcase_add_test(t, exact_ends_early);
	tcase_add_test(t, exact_extra_output);
	tcase_add_test(t, exact_final_newline);
	tcase_add_test(t, exact_invisible_whitespace);
	tcase_add_test(t, exact_long_lines);
	tcase_add_test(t, exact_binary);
	tcase_add_test(t, exact_huge);
	tcase_add_test(t, custom_message);
	suite_add_tcase(s, t);

	t = tcase_create("trailing_ws");
	tcase_add_test(t, trailing_ws_equal);
	tcase_add_test(t, trailing_ws_differs);
	tcase_add_test(t, trailing_ws_length);
	suite_add_tcase(s, t);

	t = tcase_create("regex");
	tcase_add_test(t, regex_some_line);
	tcase_add_test(t, regex_binary);
	tcase_add_test(t, regex_uncompiled);
	tcase_add_test(t, regex_huge);
	suite_add_tcase(s, t);

	t = tcase_create("contains");
	tcase_add_test(t, contains);
	tcase_add_test(t, not_contains);
	suite_add_tcase(s, t);

	t = tcase_create("lines");
	tcase_add_test(t, any_order_equal);
	tcase_add_test(t, any_order_differs);
	tcase_add_test(t, multiset_equal);
	tcase_add_test(t, multiset_counts);
	tcase_add_test(t, multiset_huge);
	suite_add_tcase(s, t);

	t = tcase_create("numbers");
	tcase_add_test(t, numbers_equal);
	tcase_add_test(t, numbers_differ);
	tcase_add_test(t, numbers_count);
	suite_add_tcase(s, t);

	t = tcase_create("misc");
	tcase_add_test(t, line_count);
	tcase_add_test(t, last_line);
	tcase_add_test(t, bad_kind);
	suite_add_tcase(s, t);

	t = tcase_create("traces");
	tcase_set_timeout(t, 60); /* a hang guard for the 100000 items (ASan) */
	tcase_add_test(t, exactly_once_passes);
	tcase_add_test(t, exactly_once_duplicate);
	tcase_add_test(t, exactly_once_missing_and_unexpected);
	tcase_add_test(t, exactly_once_every_line);
	tcase_add_test(t, exactly_once_repeated_items);
	tcase_add_test(t, exactly_once_empty_set);
	tcase_add_test(t, exactly_once_huge);
	tcase_add_test(t, inside_passes);
	tcase_add_test(t, inside_too_many);
	tcase_add_test(t, inside_never_full);
	tcase_add_test(t, inside_pairs);
	tcase_add_test(t, inside_anonymous);
	tcase_add_test(t, order_per_key_passes);
	tcase_add_test(t, order_per_key_fails);
	tcase_add_test(t, order_per_key_cycle);
	tcase_add_test(t, computed_passes_and_fails);
	tcase_add_test(t, computed_several_values);
	tcase_add_test(t, trace_message_and_no_trace);
	suite_add_tcase(s, t);
	return s;
}
