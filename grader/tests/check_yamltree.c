/*
 * check_yamltree.c - tests of yamltree.c: the located tree built from
 * libyaml's events, what it refuses (syntax errors, duplicate keys, anchors,
 * aliases, tags) and the typed accessors with their error messages.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "yamltree.h"

/* Parses text as "t.yaml"; fails the test on a parse error. */
static struct ynode *parse_ok(const char *text)
{
	struct ynode *root = NULL;
	struct error e;

	error_init(&e);
	ck_assert_msg(yaml_tree_parse(text, strlen(text), "t.yaml", &root, &e) == 0,
		      "unexpected error: %d:%d: %s", e.line, e.col, e.msg);
	ck_assert_ptr_nonnull(root);
	return root;
}

/* Parses text expecting an error at line:col whose message contains word. */
static void parse_fails(const char *text, int line, int col, const char *word)
{
	struct ynode *root = (struct ynode *)1;
	struct error e;

	error_init(&e);
	ck_assert_int_eq(yaml_tree_parse(text, strlen(text), "t.yaml", &root, &e), -1);
	ck_assert_ptr_null(root);
	ck_assert_str_eq(e.file, "t.yaml");
	ck_assert_msg(e.line == line && e.col == col,
		      "error at %d:%d, expected %d:%d (%s)", e.line, e.col, line,
		      col, e.msg);
	ck_assert_msg(strstr(e.msg, word), "'%s' not in '%s'", word, e.msg);
}

/* Formats e as "file:line:col: msg". */
static const char *fmt(const struct error *e)
{
	static char out[2048];

	error_format(e, out, sizeof(out));
	return out;
}

START_TEST(test_map_positions_are_one_based)
{
	struct ynode *r = parse_ok("a: 1\nlist:\n  - x\n  - {k: v}\n");
	struct ynode *l, *m;

	ck_assert_int_eq(r->type, YNODE_MAP);
	ck_assert_uint_eq(r->n, 2);
	ck_assert_int_eq(r->line, 1);
	ck_assert_int_eq(r->col, 1);
	ck_assert_str_eq(r->items[0]->value, "a");
	ck_assert_int_eq(r->items[1]->line, 1);
	ck_assert_int_eq(r->items[1]->col, 4);
	l = ymap_get(r, "list");
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(l->type, YNODE_SEQ);
	ck_assert_uint_eq(l->n, 2);
	ck_assert_int_eq(l->items[0]->line, 3);
	ck_assert_int_eq(l->items[0]->col, 5);
	m = l->items[1];
	ck_assert_int_eq(m->type, YNODE_MAP);
	ck_assert_int_eq(m->line, 4);
	ck_assert_int_eq(m->col, 5);
	ck_assert_str_eq(ymap_get(m, "k")->value, "v");
	ck_assert_int_eq(ymap_get(m, "k")->col, 9);
	ck_assert_str_eq(m->file, "t.yaml");
	ynode_free(r);
}
END_TEST

START_TEST(test_plain_and_quoted_scalars)
{
	struct ynode *r = parse_ok("a: 12\nb: \"12\"\nc: '12'\nd: |\n  text\n");

	ck_assert_int_eq(ymap_get(r, "a")->plain, 1);
	ck_assert_int_eq(ymap_get(r, "b")->plain, 0);
	ck_assert_int_eq(ymap_get(r, "c")->plain, 0);
	ck_assert_int_eq(ymap_get(r, "d")->plain, 0);
	ck_assert_str_eq(ymap_get(r, "d")->value, "text\n");
	ck_assert_uint_eq(ymap_get(r, "d")->len, 5);
	ynode_free(r);
}
END_TEST

START_TEST(test_scalar_keeps_nul_bytes)
{
	struct ynode *r = parse_ok("s: \"a\\0b\\n\"\n");
	struct ynode *s = ymap_get(r, "s");

	ck_assert_uint_eq(s->len, 4);
	ck_assert_int_eq(memcmp(s->value, "a\0b\n", 4), 0);
	ynode_free(r);
}
END_TEST

START_TEST(test_empty_document_is_empty_map)
{
	static const char *const texts[] = { "", "# only a comment\n", "---\n",
					     "~\n" };
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct ynode *r = parse_ok(texts[i]);

		ck_assert_int_eq(r->type, YNODE_MAP);
		ck_assert_uint_eq(r->n, 0);
		ck_assert_ptr_null(ymap_get(r, "x"));
		ck_assert_str_eq(r->file, "t.yaml");
		ynode_free(r);
	}
}
END_TEST

START_TEST(test_syntax_error_located)
{
	parse_fails("a: 1\nb: c: d\n", 2, 5, "mapping values are not allowed");
	parse_fails("a: \"open\nb: 1\n", 3, 1, "unexpected end of stream");
	parse_fails("a:\n  - x\n - y\n", 3, 2, "did not find expected key");
}
END_TEST

START_TEST(test_invalid_utf8_located)
{
	parse_fails("a: 1\nb: x\xff\n", 2, 5, "invalid");
}
END_TEST

START_TEST(test_duplicate_key_at_second)
{
	parse_fails("a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a'");
	parse_fails("m: {x: 1, y: 2, x: 3}\n", 1, 17, "first at line 1, column 5");
}
END_TEST

START_TEST(test_anchor_alias_tag_refused)
{
	parse_fails("a: &x 1\nb: 2\n", 1, 4, "anchors (&x)");
	parse_fails("a: 1\nb: [1, *x]\n", 2, 8, "aliases (*x)");
	parse_fails("a: !!str 1\n", 1, 4, "tags (!!str)");
	parse_fails("a:\n  - !mine x\n", 2, 5, "tags (!mine)");
}
END_TEST

START_TEST(test_collection_key_refused)
{
	parse_fails("? [a, b]\n: 1\n", 1, 3, "mapping key");
}
END_TEST

START_TEST(test_second_document_refused)
{
	parse_fails("a: 1\n---\nb: 2\n", 2, 1, "second YAML document");
}
END_TEST

START_TEST(test_deep_nesting_refused)
{
	char text[512];
	size_t i;

	for (i = 0; i < 100; i++)
		text[i] = '[';
	text[i] = '\0';
	parse_fails(text, 1, 65, "nesting deeper than 64");
}
END_TEST

START_TEST(test_map_lookup_and_key)
{
	struct ynode *r = parse_ok("alpha: 1\nbeta: two\n");
	struct ynode *k = ymap_key(r, "beta");

	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(k->line, 2);
	ck_assert_int_eq(k->col, 1);
	ck_assert_str_eq(ymap_get(r, "beta")->value, "two");
	ck_assert_ptr_null(ymap_get(r, "bet"));
	ck_assert_ptr_null(ymap_key(r, "gamma"));
	ck_assert_ptr_null(ymap_get(ymap_get(r, "alpha"), "x"));
	ynode_free(r);
}
END_TEST

START_TEST(test_int)
{
	struct ynode *r = parse_ok("a: 42\nb: -7\nc: \"9\"\nd: 4.5\ne: 0x10\n"
				   "f: 99999999999999999999\ng: [1]\n");
	struct error e;
	long long v;

	error_init(&e);
	ck_assert_int_eq(ynode_int(ymap_get(r, "a"), "a", &v, &e), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(ynode_int(ymap_get(r, "b"), "b", &v, &e), 0);
	ck_assert_int_eq(v, -7);
	ck_assert_int_eq(ynode_int(ymap_get(r, "c"), "c", &v, &e), 0);
	ck_assert_int_eq(v, 9);
	ck_assert_int_eq(ynode_int(ymap_get(r, "d"), "count", &v, &e), -1);
	ck_assert_str_eq(fmt(&e), "t.yaml:4:4: count: expected an integer, got '4.5'");
	ck_assert_int_eq(ynode_int(ymap_get(r, "e"), "e", &v, &e), -1);
	ck_assert_int_eq(ynode_int(ymap_get(r, "f"), "f", &v, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "out of range"));
	ck_assert_int_eq(ynode_int(ymap_get(r, "g"), "g", &v, &e), -1);
	ck_assert_str_eq(fmt(&e), "t.yaml:7:4: g: expected an integer, got a list");
	ynode_free(r);
}
END_TEST

START_TEST(test_double)
{
	struct ynode *r = parse_ok("tests:\n  - points: 2.5\n  - points: '3'\n"
				   "  - points: many\n  - points: inf\n  - points: nan\n");
	struct ynode *t = ymap_get(r, "tests");
	struct error e;
	double v;

	error_init(&e);
	ck_assert_int_eq(ynode_double(ymap_get(t->items[0], "points"), "p", &v, &e), 0);
	ck_assert_double_eq(v, 2.5);
	ck_assert_int_eq(ynode_double(ymap_get(t->items[1], "points"), "p", &v, &e), 0);
	ck_assert_double_eq(v, 3);
	ck_assert_int_eq(ynode_double(ymap_get(t->items[2], "points"),
				      "tests[2].points", &v, &e), -1);
	ck_assert_str_eq(fmt(&e),
			 "t.yaml:4:13: tests[2].points: expected a number, got 'many'");
	ck_assert_int_eq(ynode_double(ymap_get(t->items[3], "points"), "p", &v, &e), -1);
	ck_assert_int_eq(ynode_double(ymap_get(t->items[4], "points"), "p", &v, &e), -1);
	ynode_free(r);
}
END_TEST

START_TEST(test_bool_only_plain_words)
{
	struct ynode *r = parse_ok("a: true\nb: no\nc: yes\nd: false\n"
				   "e: \"true\"\nf: 1\ng: True\n");
	struct error e;
	int v;

	error_init(&e);
	ck_assert_int_eq(ynode_bool(ymap_get(r, "a"), "a", &v, &e), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(ynode_bool(ymap_get(r, "b"), "b", &v, &e), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(ynode_bool(ymap_get(r, "c"), "c", &v, &e), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(ynode_bool(ymap_get(r, "d"), "d", &v, &e), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(ynode_bool(ymap_get(r, "e"), "flag", &v, &e), -1);
	ck_assert_str_eq(fmt(&e),
			 "t.yaml:5:4: flag: expected true or false (without quotes), got 'true'");
	ck_assert_int_eq(ynode_bool(ymap_get(r, "f"), "f", &v, &e), -1);
	ck_assert_str_eq(fmt(&e), "t.yaml:6:4: f: expected true or false, got '1'");
	ck_assert_int_eq(ynode_bool(ymap_get(r, "g"), "g", &v, &e), -1);
	ynode_free(r);
}
END_TEST

START_TEST(test_size)
{
	struct ynode *r = parse_ok("a: 64K\nb: 8M\nc: 123\nd: lots\ne: -1K\n"
				   "f: 1e300G\ng: {x: 1}\n");
	struct error e;
	long long v;

	error_init(&e);
	ck_assert_int_eq(ynode_size(ymap_get(r, "a"), "a", &v, &e), 0);
	ck_assert_int_eq(v, 64 * 1024);
	ck_assert_int_eq(ynode_size(ymap_get(r, "b"), "b", &v, &e), 0);
	ck_assert_int_eq(v, 8 << 20);
	ck_assert_int_eq(ynode_size(ymap_get(r, "c"), "c", &v, &e), 0);
	ck_assert_int_eq(v, 123);
	ck_assert_int_eq(ynode_size(ymap_get(r, "d"), "memory", &v, &e), -1);
	ck_assert_str_eq(fmt(&e),
			 "t.yaml:4:4: memory: expected a size such as 512, 64K, 8M or 2G, got 'lots'");
	ck_assert_int_eq(ynode_size(ymap_get(r, "e"), "e", &v, &e), -1);
	ck_assert_int_eq(ynode_size(ymap_get(r, "f"), "f", &v, &e), -1);
	ck_assert_int_eq(ynode_size(ymap_get(r, "g"), "g", &v, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "got a mapping"));
	ynode_free(r);
}
END_TEST

START_TEST(test_duration)
{
	struct ynode *r = parse_ok("a: 500ms\nb: 1m\nc: 2.5\nd: 3s\ne: fast\n"
				   "f: -1\ng: inf\n");
	struct error e;
	double v;

	error_init(&e);
	ck_assert_int_eq(ynode_duration(ymap_get(r, "a"), "a", &v, &e), 0);
	ck_assert_double_eq_tol(v, 0.5, 1e-12);
	ck_assert_int_eq(ynode_duration(ymap_get(r, "b"), "b", &v, &e), 0);
	ck_assert_double_eq(v, 60);
	ck_assert_int_eq(ynode_duration(ymap_get(r, "c"), "c", &v, &e), 0);
	ck_assert_double_eq(v, 2.5);
	ck_assert_int_eq(ynode_duration(ymap_get(r, "d"), "d", &v, &e), 0);
	ck_assert_double_eq(v, 3);
	ck_assert_int_eq(ynode_duration(ymap_get(r, "e"), "wall_time", &v, &e), -1);
	ck_assert_str_eq(fmt(&e),
			 "t.yaml:5:4: wall_time: expected a duration such as 10, 2.5s, 500ms or 1m, got 'fast'");
	ck_assert_int_eq(ynode_duration(ymap_get(r, "f"), "f", &v, &e), -1);
	ck_assert_int_eq(ynode_duration(ymap_get(r, "g"), "g", &v, &e), -1);
	ynode_free(r);
}
END_TEST

START_TEST(test_string)
{
	struct ynode *r = parse_ok("a: 12\nb:\nc: \"x\\0y\"\nd: [x]\ne: ''\n");
	struct error e;
	char *s;

	error_init(&e);
	ck_assert_int_eq(ynode_string(ymap_get(r, "a"), "a", &s, &e), 0);
	ck_assert_str_eq(s, "12");
	free(s);
	ck_assert_int_eq(ynode_string(ymap_get(r, "e"), "e", &s, &e), 0);
	ck_assert_str_eq(s, "");
	free(s);
	ck_assert_int_eq(ynode_string(ymap_get(r, "b"), "title", &s, &e), -1);
	ck_assert_str_eq(fmt(&e), "t.yaml:2:3: title: expected a string, got an empty value");
	ck_assert_int_eq(ynode_string(ymap_get(r, "c"), "c", &s, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "NUL byte"));
	ck_assert_int_eq(ynode_string(ymap_get(r, "d"), "d", &s, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "got a list"));
	ynode_free(r);
}
END_TEST

START_TEST(test_string_list)
{
	struct ynode *r = parse_ok("a: [x, \"y z\"]\nb: one\nc:\nd: {k: v}\n"
				   "e: [ok, [nested]]\nf: []\n");
	struct error e;
	char **v;
	size_t n;

	error_init(&e);
	ck_assert_int_eq(ynode_string_list(ymap_get(r, "a"), "a", &v, &n, &e), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0], "x");
	ck_assert_str_eq(v[1], "y z");
	ck_assert_ptr_null(v[2]);
	free(v[0]);
	free(v[1]);
	free(v);
	ck_assert_int_eq(ynode_string_list(ymap_get(r, "b"), "b", &v, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0], "one");
	ck_assert_ptr_null(v[1]);
	free(v[0]);
	free(v);
	ck_assert_int_eq(ynode_string_list(ymap_get(r, "c"), "c", &v, &n, &e), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(v[0]);
	free(v);
	ck_assert_int_eq(ynode_string_list(ymap_get(r, "f"), "f", &v, &n, &e), 0);
	ck_assert_uint_eq(n, 0);
	free(v);
	ck_assert_int_eq(ynode_string_list(ymap_get(r, "d"), "d", &v, &n, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "expected a list of strings"));
	ck_assert_int_eq(ynode_string_list(ymap_get(r, "e"), "args", &v, &n, &e), -1);
	ck_assert_str_eq(fmt(&e), "t.yaml:5:9: args[1]: expected a string, got a list");
	ynode_free(r);
}
END_TEST

START_TEST(test_expect_type)
{
	struct ynode *r = parse_ok("tests: [a]\n");
	struct error e;

	error_init(&e);
	ck_assert_int_eq(ynode_expect(ymap_get(r, "tests"), YNODE_SEQ, "tests", &e), 0);
	ck_assert_int_eq(ynode_expect(ymap_get(r, "tests"), YNODE_MAP, "tests", &e), -1);
	ck_assert_str_eq(fmt(&e), "t.yaml:1:8: tests: expected a mapping, got a list");
	ynode_free(r);
}
END_TEST

START_TEST(test_check_keys)
{
	static const char *const allowed[] = { "name", "points", "stdout", NULL };
	struct ynode *r = parse_ok("name: a\npoints: 1\n");
	struct ynode *bad = parse_ok("name: a\npionts: 1\n");
	struct ynode *far = parse_ok("name: a\nzzzzzz: 1\n");
	struct error e;

	error_init(&e);
	ck_assert_int_eq(ymap_check_keys(r, allowed, "test", &e), 0);
	ck_assert_int_eq(ymap_check_keys(bad, allowed, "test", &e), -1);
	ck_assert_str_eq(fmt(&e),
			 "t.yaml:2:1: unknown key 'pionts' in test (did you mean 'points'?); expected one of: name, points, stdout");
	ck_assert_int_eq(ymap_check_keys(far, allowed, "test", &e), -1);
	ck_assert_ptr_null(strstr(e.msg, "did you mean"));
	ck_assert_ptr_nonnull(strstr(e.msg, "unknown key 'zzzzzz' in test"));
	ynode_free(r);
	ynode_free(bad);
	ynode_free(far);
}
END_TEST

START_TEST(test_describe_shortens_and_escapes)
{
	struct ynode *r = parse_ok("a: \"line\\nnext\"\n"
				   "b: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
	char out[128];

	ynode_describe(ymap_get(r, "a"), out, sizeof(out));
	ck_assert_str_eq(out, "'line\\nnext'");
	ynode_describe(ymap_get(r, "b"), out, sizeof(out));
	ck_assert_uint_eq(strlen(out), 40 + 2 + 3);
	ck_assert_ptr_nonnull(strstr(out, "...'"));
	ynode_describe(r, out, sizeof(out));
	ck_assert_str_eq(out, "a mapping");
	ynode_free(r);
}
END_TEST

START_TEST(test_is_null)
{
	struct ynode *r = parse_ok("a:\nb: ~\nc: null\nd: ''\ne: x\n");

	ck_assert(ynode_is_null(ymap_get(r, "a")));
	ck_assert(ynode_is_null(ymap_get(r, "b")));
	ck_assert(ynode_is_null(ymap_get(r, "c")));
	ck_assert(!ynode_is_null(ymap_get(r, "d")));
	ck_assert(!ynode_is_null(ymap_get(r, "e")));
	ynode_free(r);
}
END_TEST

Suite *make_yamltree_suite(void)
{
	Suite *s = suite_create("yamltree");
	TCase *tc = tcase_create("tree");

	tcase_add_test(tc, test_map_positions_are_one_based);
	tcase_add_test(tc, test_plain_and_quoted_scalars);
	tcase_add_test(tc, test_scalar_keeps_nul_bytes);
	tcase_add_test(tc, test_empty_document_is_empty_map);
	tcase_add_test(tc, test_syntax_error_located);
	tcase_add_test(tc, test_invalid_utf8_located);
	tcase_add_test(tc, test_duplicate_key_at_second);
	tcase_add_test(tc, test_anchor_alias_tag_refused);
	tcase_add_test(tc, test_collection_key_refused);
	tcase_add_test(tc, test_second_document_refused);
	tcase_add_test(tc, test_deep_nesting_refused);
	tcase_add_test(tc, test_map_lookup_and_key);
	suite_add_tcase(s, tc);

	tc = tcase_create("accessors");
	tcase_add_test(tc, test_int);
	tcase_add_test(tc, test_double);
	tcase_add_test(tc, test_bool_only_plain_words);
	tcase_add_test(tc, test_size);
	tcase_add_test(tc, test_duration);
	tcase_add_test(tc, test_string);
	tcase_add_test(tc, test_string_list);
	tcase_add_test(tc, test_expect_type);
	tcase_add_test(tc, test_check_keys);
	tcase_add_test(tc, test_describe_shortens_and_escapes);
	tcase_add_test(tc, test_is_null);
	suite_add_tcase(s, tc);
	return s;
}
