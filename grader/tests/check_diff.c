/*
 * check_diff.c - unit tests of diff.c: golden diffs made once with GNU
 * `diff -u` (headers replaced), the "\ No newline at end of file" marker,
 * the max_lines cap, the fallback for texts too different to align, 8 MiB
 * inputs, escaping, and a randomized check that every diff is a correct and
 * minimal edit script.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diff.h"
#include "util.h"

#define HEAD "--- expected\n+++ actual\n"
#define MARKER "\\ No newline at end of file\n"

/* Lines "line 1\n" .. "line 20\n", as the golden cases were made from. */
#define L1_4 "line 1\nline 2\nline 3\nline 4\n"
#define L6_9 "line 6\nline 7\nline 8\nline 9\n"
#define L10 "line 10\n"
#define L11 "line 11\n"
#define L12 "line 12\n"
#define L13 "line 13\n"
#define L14_16 "line 14\nline 15\nline 16\n"
#define L17 "line 17\n"
#define L18_20 "line 18\nline 19\nline 20\n"
#define L20 L1_4 "line 5\n" L6_9 L10 L11 L12 L13 L14_16 L17 L18_20

struct golden {
	const char *name;
	const char *e, *a;
	size_t context;
	size_t first_line;
	const char *diff; /* after HEAD */
};

static const struct golden goldens[] = {
    {"one change", L20,
     L1_4 "line 5\n" L6_9 "line ten\n" L11 L12 L13 L14_16 L17 L18_20, 3, 10,
     "@@ -7,7 +7,7 @@\n"
     " line 7\n line 8\n line 9\n"
     "-line 10\n"
     "+line ten\n"
     " line 11\n line 12\n line 13\n"},
    {"two hunks", L20,
     "line 1\nline 2\nLINE 3\nline 4\nline 5\n" L6_9 L10 L11 L12 L13 L14_16
     "LINE 17\n" L18_20,
     3, 3,
     "@@ -1,6 +1,6 @@\n"
     " line 1\n line 2\n"
     "-line 3\n"
     "+LINE 3\n"
     " line 4\n line 5\n line 6\n"
     "@@ -14,7 +14,7 @@\n"
     " line 14\n line 15\n line 16\n"
     "-line 17\n"
     "+LINE 17\n"
     " line 18\n line 19\n line 20\n"},
    /* 6 equal lines between two changes: one hunk at context 3 */
    {"merged", L20, L1_4 "X\n" L6_9 L10 L11 "Y\n" L13 L14_16 L17 L18_20, 3, 5,
     "@@ -2,14 +2,14 @@\n"
     " line 2\n line 3\n line 4\n"
     "-line 5\n"
     "+X\n"
     " line 6\n line 7\n line 8\n line 9\n line 10\n line 11\n"
     "-line 12\n"
     "+Y\n"
     " line 13\n line 14\n line 15\n"},
    /* 7 equal lines: two hunks */
    {"not merged", L20, L1_4 "X\n" L6_9 L10 L11 L12 "Y\n" L14_16 L17 L18_20, 3,
     5,
     "@@ -2,7 +2,7 @@\n"
     " line 2\n line 3\n line 4\n"
     "-line 5\n"
     "+X\n"
     " line 6\n line 7\n line 8\n"
     "@@ -10,7 +10,7 @@\n"
     " line 10\n line 11\n line 12\n"
     "-line 13\n"
     "+Y\n"
     " line 14\n line 15\n line 16\n"},
    {"insert at start", L20, "new 1\nnew 2\n" L20, 3, 1,
     "@@ -1,3 +1,5 @@\n"
     "+new 1\n"
     "+new 2\n"
     " line 1\n line 2\n line 3\n"},
    {"delete at end", L20, L1_4 "line 5\n" L6_9 L10 L11 L12 L13 L14_16 L17, 3,
     18,
     "@@ -15,6 +15,3 @@\n"
     " line 15\n line 16\n line 17\n"
     "-line 18\n"
     "-line 19\n"
     "-line 20\n"},
    {"empty expected", "", "a\nb\nc\n", 3, 1,
     "@@ -0,0 +1,3 @@\n"
     "+a\n+b\n+c\n"},
    {"empty actual", "a\nb\n", "", 3, 1,
     "@@ -1,2 +0,0 @@\n"
     "-a\n-b\n"},
    /* empty ranges and one-line ranges, GNU style */
    {"context 0", "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n",
     "line 1\nline 2\nline 3\ninserted\nline 4\nline 6\n", 0, 4,
     "@@ -3,0 +4 @@\n"
     "+inserted\n"
     "@@ -5 +5,0 @@\n"
     "-line 5\n"},
    {"no newline in actual", "a\nb\nc\n", "a\nb\nc", 3, 3,
     "@@ -1,3 +1,3 @@\n"
     " a\n b\n"
     "-c\n"
     "+c\n"
     "\\ No newline at end of file\n"},
    {"no newline in expected", "a\nb\nc", "a\nb\nc\n", 3, 3,
     "@@ -1,3 +1,3 @@\n"
     " a\n b\n"
     "-c\n"
     "\\ No newline at end of file\n"
     "+c\n"},
    {"no newline in both", "a\nb\nold", "a\nb\nnew", 3, 3,
     "@@ -1,3 +1,3 @@\n"
     " a\n b\n"
     "-old\n"
     "\\ No newline at end of file\n"
     "+new\n"
     "\\ No newline at end of file\n"},
    {"no newline in context", "x\na\nb\nc", "y\na\nb\nc", 3, 1,
     "@@ -1,4 +1,4 @@\n"
     "-x\n"
     "+y\n"
     " a\n b\n c\n"
     "\\ No newline at end of file\n"},
    {"mixed", "a\nb\nc\nd\ne\nf\ng\n", "a\nc\nd\nX\ne\nf\ng\nh\n", 2, 2,
     "@@ -1,7 +1,8 @@\n"
     " a\n"
     "-b\n"
     " c\n d\n"
     "+X\n"
     " e\n f\n g\n"
     "+h\n"},
};

START_TEST(golden)
{
	const struct golden *g = &goldens[_i];
	struct diff_result r;
	char *want = xasprintf(HEAD "%s", g->diff);

	ck_assert_int_eq(diff_unified(g->e, strlen(g->e), g->a, strlen(g->a),
				      "expected", "actual", g->context, 0, &r),
			 0);
	ck_assert_msg(!strcmp(r.text, want), "%s: got\n%s\nwant\n%s", g->name,
		      r.text, want);
	ck_assert_int_eq(r.equal, 0);
	ck_assert_int_eq(r.truncated, 0);
	ck_assert_int_eq(r.fallback, 0);
	ck_assert_uint_eq(r.first_line, g->first_line);
	diff_result_release(&r);
	ck_assert_ptr_null(r.text);
	free(want);
}
END_TEST

START_TEST(equal_inputs)
{
	struct diff_result r;

	ck_assert_int_eq(
	    diff_unified("a\nb", 3, "a\nb", 3, NULL, NULL, 3, 0, &r), 0);
	ck_assert_int_eq(r.equal, 1);
	ck_assert_str_eq(r.text, "");
	ck_assert_uint_eq(r.first_line, 0);
	diff_result_release(&r);
	ck_assert_int_eq(diff_unified(NULL, 0, "", 0, NULL, NULL, 3, 0, &r), 0);
	ck_assert_int_eq(r.equal, 1);
	ck_assert_str_eq(r.text, "");
	diff_result_release(&r);
}
END_TEST

START_TEST(labels)
{
	struct diff_result r;

	ck_assert_int_eq(diff_unified("a\n", 2, "b\n", 2, "expected output",
				      "your output", 3, 0, &r),
			 0);
	ck_assert_str_eq(r.text, "--- expected output\n+++ your output\n"
				 "@@ -1 +1 @@\n-a\n+b\n");
	diff_result_release(&r);
	/* NULL labels have defaults */
	ck_assert_int_eq(diff_unified("a\n", 2, "b\n", 2, NULL, NULL, 3, 0, &r),
			 0);
	ck_assert_str_eq(r.text, HEAD "@@ -1 +1 @@\n-a\n+b\n");
	diff_result_release(&r);
}
END_TEST

START_TEST(invisible_bytes)
{
	struct diff_result r;

	/* \r, NUL, control characters and invalid UTF-8 are made visible;
	 * tabs and valid UTF-8 are kept */
	static const char a[] = "ok\r\nx\0\x01\xff\t\xc3\xa9\n";

	ck_assert_int_eq(
	    diff_unified("ok\nx\n", 5, a, sizeof(a) - 1, NULL, NULL, 3, 0, &r),
	    0);
	ck_assert_str_eq(r.text, HEAD "@@ -1,2 +1,2 @@\n"
				      "-ok\n"
				      "-x\n"
				      "+ok\\r\n"
				      "+x\\0\\x01\\xff\t\xc3\xa9\n");
	ck_assert_uint_eq(r.first_line, 1);
	diff_result_release(&r);
}
END_TEST

START_TEST(long_line)
{
	struct diff_result r;
	char e[602], a[602], *want;

	memset(e, 'x', 600);
	memset(a, 'y', 600);
	e[600] = a[600] = '\n';
	e[601] = a[601] = '\0';
	ck_assert_int_eq(diff_unified(e, 601, a, 601, NULL, NULL, 3, 0, &r), 0);
	want = xasprintf(HEAD "@@ -1 +1 @@\n-%.500s... (100 more bytes)\n"
			      "+%.500s... (100 more bytes)\n",
			 e, a);
	ck_assert_str_eq(r.text, want);
	free(want);
	diff_result_release(&r);
}
END_TEST

/* "p1\np2\n..." for i in [from, to), into b. */
static void numbered(struct buf *b, const char *prefix, int from, int to)
{
	int i;

	for (i = from; i < to; i++)
		buf_addf(b, "%s%d\n", prefix, i);
}

START_TEST(max_lines)
{
	struct buf e, a;
	struct diff_result r;

	buf_init(&e, 0);
	buf_init(&a, 0);
	numbered(&e, "a", 1, 11);
	numbered(&a, "b", 1, 11);
	/* the hunk has 21 lines: header, 10 deleted, 10 inserted */
	ck_assert_int_eq(
	    diff_unified(e.data, e.len, a.data, a.len, NULL, NULL, 3, 5, &r),
	    0);
	ck_assert_str_eq(r.text, HEAD "@@ -1,10 +1,10 @@\n-a1\n-a2\n-a3\n-a4\n"
				      "... (16 more lines not shown)\n");
	ck_assert_int_eq(r.truncated, 1);
	diff_result_release(&r);
	/* exactly at the cap: nothing cut */
	ck_assert_int_eq(
	    diff_unified(e.data, e.len, a.data, a.len, NULL, NULL, 3, 21, &r),
	    0);
	ck_assert_int_eq(r.truncated, 0);
	ck_assert_ptr_null(strstr(r.text, "not shown"));
	ck_assert_ptr_nonnull(strstr(r.text, "+b10\n"));
	diff_result_release(&r);
	/* the no-newline marker counts as a line */
	ck_assert_int_eq(
	    diff_unified("a\nb", 3, "a\nc", 3, NULL, NULL, 3, 4, &r), 0);
	ck_assert_str_eq(r.text, HEAD "@@ -1,2 +1,2 @@\n a\n-b\n"
				      "\\ No newline at end of file\n"
				      "... (2 more lines not shown)\n");
	diff_result_release(&r);
	buf_release(&e);
	buf_release(&a);
}
END_TEST

START_TEST(fallback)
{
	struct buf e, a, want;
	struct diff_result r;
	int i;

	/* 5 common lines, then 3000 lines that share nothing: D = 6000 */
	buf_init(&e, 0);
	buf_init(&a, 0);
	buf_init(&want, 0);
	numbered(&e, "same ", 1, 6);
	numbered(&a, "same ", 1, 6);
	numbered(&e, "expected ", 1, 3001);
	numbered(&a, "actual ", 1, 3001);
	ck_assert_int_eq(
	    diff_unified(e.data, e.len, a.data, a.len, NULL, NULL, 3, 0, &r),
	    0);
	buf_adds(&want, HEAD "@@ -3,23 +3,23 @@\n same 3\n same 4\n same 5\n");
	for (i = 1; i <= 20; i++)
		buf_addf(&want, "-expected %d\n", i);
	for (i = 1; i <= 20; i++)
		buf_addf(&want, "+actual %d\n", i);
	buf_adds(&want, "(diff truncated: outputs differ too much to align)\n");
	ck_assert_str_eq(r.text, want.data);
	ck_assert_int_eq(r.fallback, 1);
	ck_assert_int_eq(r.truncated, 0);
	ck_assert_uint_eq(r.first_line, 6);
	diff_result_release(&r);

	/* the lengths alone differ by more than the budget */
	buf_reset(&a);
	buf_reset(&want);
	numbered(&a, "x", 1, 2600);
	ck_assert_int_eq(
	    diff_unified("a\nb\n", 4, a.data, a.len, NULL, NULL, 3, 0, &r), 0);
	buf_adds(&want, HEAD "@@ -1,2 +1,20 @@\n-a\n-b\n");
	for (i = 1; i <= 20; i++)
		buf_addf(&want, "+x%d\n", i);
	buf_adds(&want, "(diff truncated: outputs differ too much to align)\n");
	ck_assert_str_eq(r.text, want.data);
	ck_assert_int_eq(r.fallback, 1);
	ck_assert_uint_eq(r.first_line, 1);
	diff_result_release(&r);

	/* and the fallback respects max_lines too */
	ck_assert_int_eq(
	    diff_unified("a\nb\n", 4, a.data, a.len, NULL, NULL, 3, 3, &r), 0);
	ck_assert_str_eq(r.text, HEAD "@@ -1,2 +1,20 @@\n-a\n-b\n"
				      "... (21 more lines not shown)\n");
	ck_assert_int_eq(r.truncated, 1);
	diff_result_release(&r);
	buf_release(&e);
	buf_release(&a);
	buf_release(&want);
}
END_TEST

/* Below the budget the texts are aligned, however many changes. */
START_TEST(many_changes_aligned)
{
	struct buf e, a;
	struct diff_result r;
	const char *p;
	int i, hunks = 0;

	buf_init(&e, 0);
	buf_init(&a, 0);
	for (i = 0; i < 5000; i++) {
		buf_addf(&e, "line %d\n", i);
		/* every 10th line changed: D = 1000 */
		buf_addf(&a, i % 10 == 5 ? "LINE %d\n" : "line %d\n", i);
	}
	ck_assert_int_eq(
	    diff_unified(e.data, e.len, a.data, a.len, NULL, NULL, 3, 0, &r),
	    0);
	ck_assert_int_eq(r.fallback, 0);
	ck_assert_uint_eq(r.first_line, 6);
	/* 9 equal lines between changes: one hunk each */
	ck_assert_ptr_nonnull(strstr(r.text, HEAD "@@ -3,7 +3,7 @@\n line 2\n"
						  " line 3\n line 4\n-line 5\n"
						  "+LINE 5\n line 6\n"));
	ck_assert_ptr_nonnull(strstr(r.text,
				     "@@ -4993,7 +4993,7 @@\n line 4992\n"
				     " line 4993\n line 4994\n-line 4995\n"
				     "+LINE 4995\n line 4996\n line 4997\n"
				     " line 4998\n"));
	for (p = r.text; (p = strstr(p, "\n@@ ")); p++)
		hunks++;
	ck_assert_int_eq(hunks, 500);
	diff_result_release(&r);
	buf_release(&e);
	buf_release(&a);
}
END_TEST

#define BIG_LINES 262144 /* of 32 bytes: 8 MiB */

static char *big_text(size_t *len)
{
	char *t = xmalloc((size_t)BIG_LINES * 32 + 1);
	size_t i;

	for (i = 0; i < BIG_LINES; i++)
		snprintf(t + i * 32, 33, "line %06zu abcdefghijklmnopqrs\n", i);
	*len = (size_t)BIG_LINES * 32;
	return t;
}

START_TEST(huge_one_line)
{
	size_t len;
	char *e = big_text(&len), *a = xmalloc(len), *want;
	struct diff_result r;

	memcpy(a, e, len);
	ck_assert_int_eq(diff_unified(e, len, a, len, NULL, NULL, 3, 0, &r), 0);
	ck_assert_int_eq(r.equal, 1);
	diff_result_release(&r);

	/* line 200001 (0-based 200000) differs */
	memcpy(a + 200000 * 32, "CHANGED", 7);
	ck_assert_int_eq(diff_unified(e, len, a, len, NULL, NULL, 3, 100, &r),
			 0);
	want = xasprintf(HEAD "@@ -199998,7 +199998,7 @@\n"
			      " line 199997 abcdefghijklmnopqrs\n"
			      " line 199998 abcdefghijklmnopqrs\n"
			      " line 199999 abcdefghijklmnopqrs\n"
			      "-line 200000 abcdefghijklmnopqrs\n"
			      "+CHANGED0000 abcdefghijklmnopqrs\n"
			      " line 200001 abcdefghijklmnopqrs\n"
			      " line 200002 abcdefghijklmnopqrs\n"
			      " line 200003 abcdefghijklmnopqrs\n");
	ck_assert_str_eq(r.text, want);
	ck_assert_uint_eq(r.first_line, 200001);
	ck_assert_int_eq(r.fallback, 0);
	free(want);
	diff_result_release(&r);

	/* the actual output stops early and without its last newline */
	ck_assert_int_eq(
	    diff_unified(e, len, e, len - 1, NULL, NULL, 1, 100, &r), 0);
	ck_assert_str_eq(r.text, HEAD "@@ -262143,2 +262143,2 @@\n"
				      " line 262142 abcdefghijklmnopqrs\n"
				      "-line 262143 abcdefghijklmnopqrs\n"
				      "+line 262143 abcdefghijklmnopqrs\n"
				      "\\ No newline at end of file\n");
	diff_result_release(&r);
	free(a);
	free(e);
}
END_TEST

/* Two 8 MiB texts with nothing in common: the fallback, quickly. */
START_TEST(huge_all_different)
{
	size_t len, i;
	char *e = big_text(&len), *a = xmalloc(len);
	struct diff_result r;

	memcpy(a, e, len);
	for (i = 0; i < BIG_LINES; i++)
		a[i * 32] = 'L';
	ck_assert_int_eq(diff_unified(e, len, a, len, NULL, NULL, 3, 50, &r),
			 0);
	ck_assert_int_eq(r.fallback, 1);
	ck_assert_int_eq(r.truncated, 0);
	ck_assert_uint_eq(r.first_line, 1);
	ck_assert_ptr_nonnull(strstr(r.text, HEAD
				     "@@ -1,20 +1,20 @@\n"
				     "-line 000000 abcdefghijklmnopqrs\n"));
	ck_assert_ptr_nonnull(strstr(r.text,
				     "+Line 000019 abcdefghijklmnopqrs\n"
				     "(diff truncated: outputs differ too "
				     "much to align)\n"));
	diff_result_release(&r);
	free(a);
	free(e);
}
END_TEST

/* ---- randomized: every diff is a correct, minimal edit script ---- */

static unsigned long long rng = 88172645463325252ULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Up to 30 lines over a small alphabet, so that lines repeat. */
static void random_text(struct buf *b, unsigned alphabet)
{
	unsigned n = rnd(30), i;

	for (i = 0; i < n; i++)
		buf_addf(b, "%c\n", 'a' + rnd(alphabet));
	if (b->len && rnd(5) == 0)
		b->len--, b->data[b->len] = '\0'; /* no final newline */
}

/* Derives b from a by a few random edits. */
static void mutate(const struct buf *a, struct buf *b, unsigned alphabet)
{
	size_t i;

	for (i = 0; i < a->len; i += 2) {
		switch (rnd(8)) {
		case 0: /* delete */
			break;
		case 1: /* insert */
			buf_addf(b, "%c\n", 'a' + rnd(alphabet));
			buf_add(b, a->data + i, i + 1 < a->len ? 2 : 1);
			break;
		case 2: /* replace */
			buf_addf(b, "%c\n", 'A' + rnd(alphabet));
			break;
		default:
			buf_add(b, a->data + i, i + 1 < a->len ? 2 : 1);
		}
	}
	if (rnd(4) == 0)
		buf_adds(b, "z\n");
}

static size_t count_lines(const char *s, size_t n)
{
	size_t k = 0, i;

	for (i = 0; i < n; i++)
		k += s[i] == '\n';
	return k + (n > 0 && s[n - 1] != '\n');
}

/* Length of the longest common subsequence of lines, by dynamic
 * programming: the reference the diff's size is checked against. The texts
 * have at most 30 lines, their mutations at most 61. */
#define LCS_MAX 64
static size_t lcs(const char *x, size_t xn, const char *y, size_t yn)
{
	static const char *xl[LCS_MAX], *yl[LCS_MAX];
	static size_t xlen[LCS_MAX], ylen[LCS_MAX], t[LCS_MAX + 1][LCS_MAX + 1];
	size_t n = 0, m = 0, i, j;
	const char *p, *nl;

	ck_assert_uint_le(count_lines(x, xn), LCS_MAX);
	ck_assert_uint_le(count_lines(y, yn), LCS_MAX);

	for (p = x; p < x + xn; p = nl ? nl + 1 : x + xn, n++) {
		nl = memchr(p, '\n', x + xn - p);
		xl[n] = p;
		xlen[n] = nl ? (size_t)(nl - p) + 1 : (size_t)(x + xn - p);
	}
	for (p = y; p < y + yn; p = nl ? nl + 1 : y + yn, m++) {
		nl = memchr(p, '\n', y + yn - p);
		yl[m] = p;
		ylen[m] = nl ? (size_t)(nl - p) + 1 : (size_t)(y + yn - p);
	}
	for (i = 0; i <= n; i++)
		for (j = 0; j <= m; j++)
			if (!i || !j)
				t[i][j] = 0;
			else if (xlen[i - 1] == ylen[j - 1] &&
				 !memcmp(xl[i - 1], yl[j - 1], xlen[i - 1]))
				t[i][j] = t[i - 1][j - 1] + 1;
			else
				t[i][j] = t[i - 1][j] > t[i][j - 1]
					      ? t[i - 1][j]
					      : t[i][j - 1];
	return t[n][m];
}

START_TEST(random_edit_scripts)
{
	struct buf e, a, re, ra;
	struct diff_result r;
	const char *p, *nl;
	size_t changes;
	int iter, tag;

	buf_init(&e, 0);
	buf_init(&a, 0);
	buf_init(&re, 0);
	buf_init(&ra, 0);
	for (iter = 0; iter < 400; iter++) {
		unsigned alphabet = 2 + rnd(6);

		buf_reset(&e);
		buf_reset(&a);
		buf_reset(&re);
		buf_reset(&ra);
		random_text(&e, alphabet);
		mutate(&e, &a, alphabet);
		/* context larger than the texts: one hunk shows all */
		ck_assert_int_eq(diff_unified(e.data, e.len, a.data, a.len,
					      NULL, NULL, 100, 0, &r),
				 0);
		ck_assert_int_eq(r.equal, e.len == a.len &&
					      !memcmp(e.data, a.data, e.len));
		if (r.equal) {
			diff_result_release(&r);
			continue;
		}
		ck_assert_int_eq(r.fallback, 0);
		/* rebuild both texts from the hunk */
		changes = 0;
		tag = 0;
		p = r.text + strlen(HEAD);
		ck_assert(!strncmp(p, "@@ ", 3));
		p = strchr(p, '\n') + 1;
		for (; *p; p = nl + 1) {
			nl = strchr(p, '\n');
			ck_assert_ptr_nonnull(nl);
			if (*p == '\\') {
				/* the line before has no newline: take it
				 * off the side(s) that line belongs to */
				ck_assert(
				    !strncmp(p, MARKER, sizeof(MARKER) - 1));
				ck_assert(tag != 0);
				if (tag != '+')
					re.data[--re.len] = '\0';
				if (tag != '-')
					ra.data[--ra.len] = '\0';
				continue;
			}
			tag = *p;
			ck_assert(tag == ' ' || tag == '-' || tag == '+');
			changes += tag != ' ';
			if (tag != '+')
				buf_add(&re, p + 1, (size_t)(nl - p));
			if (tag != '-')
				buf_add(&ra, p + 1, (size_t)(nl - p));
		}
		diff_result_release(&r);
		ck_assert_uint_eq(re.len, e.len);
		ck_assert(!memcmp(re.data, e.data, e.len));
		ck_assert_uint_eq(ra.len, a.len);
		ck_assert(!memcmp(ra.data, a.data, a.len));
		/* minimal: no shorter edit script exists */
		ck_assert_uint_eq(changes,
				  count_lines(e.data, e.len) +
				      count_lines(a.data, a.len) -
				      2 * lcs(e.data, e.len, a.data, a.len));
	}
	buf_release(&e);
	buf_release(&a);
	buf_release(&re);
	buf_release(&ra);
}
END_TEST

Suite *make_diff_suite(void)
{
	Suite *s = suite_create("diff");
	TCase *t = tcase_create("golden");

	tcase_add_loop_test(t, golden, 0,
			    (int)(sizeof(goldens) / sizeof(goldens[0])));
	tcase_add_test(t, equal_inputs);
	tcase_add_test(t, labels);
	tcase_add_test(t, invisible_bytes);
	tcase_add_test(t, long_line);
	suite_add_tcase(s, t);

	t = tcase_create("limits");
	tcase_add_test(t, max_lines);
	tcase_add_test(t, fallback);
	tcase_add_test(t, many_changes_aligned);
	tcase_add_test(t, huge_one_line);
	tcase_add_test(t, huge_all_different);
	tcase_add_test(t, random_edit_scripts);
	suite_add_tcase(s, t);
	return s;
}
