/*
 * check_match.c - unit tests of match.c: every kind of check, passing and
 * failing, with the exact message and line the student would see; binary
 * input with NUL bytes; 8 MiB inputs.
 *
 * The checks are built by hand (no spec.yaml): what spec_load() would fill,
 * including the regex compiled with REG_EXTENDED | REG_NEWLINE.
 */
#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
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

	ck_assert_int_eq(match_check(&c, LIT("x"), LIT("x"), &r), -1);
	ck_assert_int_eq(r.ok, 0);
	ck_assert_str_eq(r.message, "unknown kind of check (10)");
	match_result_release(&r);
	ck_assert_ptr_null(r.message);
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
	return s;
}
