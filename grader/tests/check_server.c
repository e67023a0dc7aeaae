/*
 * check_server.c - tests of the `server` step: the spec side
 * (spec_server.c: keys, located errors, contents, placeholders) and the run
 * side (step_server.c) end to end through grade_submission(), against the
 * tftp exercise's reference server and against small misbehaving servers
 * written here (no ready line, SIGTERM ignored, a wrong exit status, a
 * child left behind, a temporary file left, a file written outside DIR).
 *
 * Every run happens in a private network namespace when the tests run as
 * root; one test forces the fallback (GRADER_NO_NETNS=1) and checks the
 * details say so.
 */
#define _GNU_SOURCE
#include <check.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "grade.h"
#include "result.h"
#include "spec.h"
#include "spec_server.h"
#include "util.h"

#define HEADER                                                           \
	"name: srv\ntitle: t\nbuild: {sources: [tftpd.c]}\n"              \
	"limits: {wall_time: 60s}\ntests:\n"
#define SERVER_KEYS                                                      \
	"    type: server\n    points: 1\n"                              \
	"    args: [-p, \"{port}\", -d, \"{dir}\", -t, \"{timeout_ms}\"]\n" \
	"    ready: '^listening on {port}$'\n"                           \
	"    retransmit_timeout: 300ms\n"

static const char *root(void)
{
	const char *r = getenv("GRADER_ROOT");

	return r ? r : "../..";
}

static int parse(const char *yaml, struct spec **s, struct error *e)
{
	error_init(e);
	return spec_parse(yaml, strlen(yaml), "spec.yaml", "/tmp", s, e);
}

/* ---- the spec side ---- */

START_TEST(test_parse_defaults_and_actions)
{
	static const char yaml[] = HEADER
		"  - name: t\n" SERVER_KEYS
		"    files: {a.txt: \"A\\n\", sub/b: {bytes: 10, seed: 1}}\n"
		"    outside: {secret: \"s\"}\n"
		"    actions:\n"
		"      - get: a.txt\n"
		"      - {put: up, data: x, faults: {drop_sent: 3, stall: 2, stall_time: 1s}, retransmissions: 5}\n"
		"      - {raw: \"\\0\\x09a\\0octet\\0\", error: 4}\n"
		"      - {list: .dir, blksize: 1024}\n"
		"      - wait: 50ms\n"
		"      - concurrent: [{get: a.txt}, {put: b, data: y}]\n";
	struct spec *s;
	struct error e;
	const struct spec_server *sv;

	ck_assert_msg(parse(yaml, &s, &e) == 0, "%s:%d: %s", e.file, e.line, e.msg);
	ck_assert_int_eq(s->tests[0].kind, STEP_SERVER);
	sv = s->tests[0].server;
	ck_assert_ptr_nonnull(sv);
	ck_assert_str_eq(sv->protocol, "tftp");
	ck_assert_int_eq(sv->client, SERVER_CLIENT_GRADER);
	ck_assert_double_eq(sv->retransmit_timeout_s, 0.3);
	ck_assert_double_eq(sv->window_min, 0.5);
	ck_assert_double_eq(sv->window_max, 3.0);
	ck_assert_double_eq(sv->stop_timeout_s, 2.0);
	ck_assert_double_eq(sv->ready_timeout_s, 5.0);
	ck_assert_int_eq(sv->client_retries, 1);
	ck_assert_uint_eq(sv->nfiles, 3);
	ck_assert_int_eq(sv->files[2].outside, 1);
	ck_assert_uint_eq(sv->nactions, 6);
	ck_assert_int_eq(sv->actions[0].verb, SV_GET);
	ck_assert_int_eq(sv->actions[0].error, -1);
	ck_assert_int_eq(sv->actions[1].f.drop_sent, 3);
	ck_assert_int_eq(sv->actions[1].f.stall_block, 2);
	ck_assert_double_eq(sv->actions[1].f.stall_s, 1.0);
	ck_assert_int_eq(sv->actions[1].retransmissions, 5);
	ck_assert_int_eq(sv->actions[2].verb, SV_RAW);
	ck_assert_uint_eq(sv->actions[2].rawlen, 10);
	ck_assert_int_eq(memcmp(sv->actions[2].raw, "\0\x09" "a\0octet\0", 10), 0);
	ck_assert_int_eq(sv->actions[3].blksize, 1024);
	ck_assert_int_eq(sv->actions[3].expect_blksize, 1024);
	ck_assert_double_eq(sv->actions[4].wait_s, 0.05);
	ck_assert_uint_eq(sv->actions[5].nsub, 2);
	ck_assert_int_eq(sv->actions[5].overlap, 1);
	spec_free(s);
}
END_TEST

/* Each bad spec must fail with this text, at this line. */
static const struct {
	const char *body;
	const char *msg;
	int line;
} bad[] = {
	{ "    args: [-p, \"{prot}\"]\n    ready: x\n    actions: [{wait: 1s}]\n",
	  "unknown placeholder '{prot}'", 9 },
	{ "    actions: [{wait: 1s}]\n", "ready", 6 },
	{ "    ready: x\n    actions: []\n", "at least one action", 10 },
	{ "    ready: x\n    actions: [{get: a, put: b}]\n", "only one of get", 10 },
	{ "    ready: x\n    actions: [{put: a, data: x, faults: {duplicate_ack: 2}}]\n",
	  "duplicate_ack is a fault of a get", 10 },
	{ "    ready: x\n    actions: [{get: a}]\n", "no file of that name is seeded", 10 },
	{ "    ready: x\n    actions: [{raw: \"\\x01\"}]\n", "needs `error`", 10 },
	{ "    ready: x\n    actions: [{get: a, error: 1, retransmissions: 5}]\n",
	  "give faults.stall", 10 },
	{ "    ready: x\n    actions: [{get: a, error: 1, faults: {lose: 1}}]\n",
	  "unknown key 'lose'", 10 },
	{ "    ready: x\n    actions: [{concurrent: [{get: a, error: 1}]}]\n",
	  "2 to 64 actions", 10 },
	{ "    ready: x\n    actions: [{put: a, data: x, background: true}]\n",
	  "should stall or be delayed", 10 },
	{ "    ready: x\n    client: tftp-hpa\n    actions: [{get: a, error: 1, faults: {drop_sent: 2}}]\n",
	  "tftp-hpa client only", 11 },
	{ "    ready: x\n    client: curl\n    actions: [{wait: 1s}]\n",
	  "unknown client 'curl'", 10 },
	{ "    ready: x\n    actions: [{put: a, data: x, expect: y}]\n",
	  "'expect' does not go with put", 10 },
	{ "    ready: '('\n    actions: [{wait: 1s}]\n", "invalid regular expression", 9 },
	{ "    ready: x\n    retransmit_window: [3, 1]\n    actions: [{wait: 1s}]\n",
	  "0 <= MIN < MAX", 10 },
	{ "    ready: x\n    files: {../x: a}\n    actions: [{wait: 1s}]\n",
	  "contains '..'", 10 },
	{ "    ready: x\n    stdin: abc\n    actions: [{wait: 1s}]\n",
	  "unknown key 'stdin'", 10 },
};

START_TEST(test_parse_errors)
{
	char *yaml = xasprintf(HEADER "  - name: t\n    type: server\n    points: 1\n%s",
			       bad[_i].body);
	struct spec *s = NULL;
	struct error e;

	ck_assert_msg(parse(yaml, &s, &e) == -1, "case %d parsed", _i);
	ck_assert_msg(strstr(e.msg, bad[_i].msg) != NULL, "case %d: %s", _i, e.msg);
	ck_assert_msg(e.line == bad[_i].line, "case %d: line %d, want %d (%s)", _i,
		      e.line, bad[_i].line, e.msg);
	free(yaml);
}
END_TEST

START_TEST(test_content_bytes_and_expand)
{
	struct server_content c;
	struct error e;
	char *data, *x;
	size_t len;
	static const unsigned char golden[10] = { 0xc1, 0x5c, 0x02, 0x89, 0xec,
						  0x2d, 0x0a, 0x91, 0x67, 0xec };

	memset(&c, 0, sizeof(c));
	c.kind = CONTENT_BYTES;
	c.size = 10;
	c.seed = 1;
	error_init(&e);
	ck_assert_int_eq(server_content_materialize(&c, &data, &len, &e), 0);
	ck_assert_uint_eq(len, 10);
	ck_assert_int_eq(memcmp(data, golden, 10), 0);
	free(data);
	c.size = 0;
	ck_assert_int_eq(server_content_materialize(&c, &data, &len, &e), 0);
	ck_assert_uint_eq(len, 0);
	free(data);

	x = server_expand("-p{port} {dir}/{timeout_ms}{x}", 6969, "/a.b", 300, 0);
	ck_assert_str_eq(x, "-p6969 /a.b/300{x}");
	free(x);
	x = server_expand("^on {dir}$", 1, "/a.b(c)", 1, 1);
	ck_assert_str_eq(x, "^on /a\\.b\\(c\\)$");
	free(x);
}
END_TEST

/* ---- the run side ---- */

struct graded {
	struct spec *spec;
	struct grade_result *r;
	char *tmp;
};

/* Grades `source` (a tftpd.c; NULL = the reference) under spec text. */
static void grade_text(const char *yaml, const char *source, struct graded *g)
{
	struct grade_opts o;
	struct error e;
	char *sub, *path;

	memset(g, 0, sizeof(*g));
	g->tmp = make_temp_dir("check-server");
	ck_assert_ptr_nonnull(g->tmp);
	sub = path_join(g->tmp, "sub");
	ck_assert_int_eq(mkdir_p(sub), 0);
	path = path_join(sub, "tftpd.c");
	if (source) {
		ck_assert_int_eq(write_file_atomic(path, source, strlen(source)), 0);
	} else {
		char *ref = xasprintf("%s/exercises/tftp/solution/tftpd.c", root());

		ck_assert_int_eq(copy_file(ref, path), 0);
		free(ref);
	}
	free(path);
	error_init(&e);
	ck_assert_msg(spec_parse(yaml, strlen(yaml), "spec.yaml", g->tmp, &g->spec, &e) == 0,
		      "%d: %s", e.line, e.msg);
	memset(&o, 0, sizeof(o));
	o.submission_dir = sub;
	ck_assert_msg(grade_submission(g->spec, &o, &g->r, &e) == 0, "%s", e.msg);
	free(sub);
}

static void graded_release(struct graded *g)
{
	grade_result_free(g->r);
	spec_free(g->spec);
	rm_rf(g->tmp);
	free(g->tmp);
}

static const struct test_outcome *row(const struct graded *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->r->ntests; i++)
		if (!strcmp(g->r->tests[i].name, name))
			return &g->r->tests[i];
	ck_abort_msg("no row %s", name);
	return NULL;
}

START_TEST(test_reference_passes_with_details)
{
	static const char yaml[] = HEADER
		"  - name: ok\n" SERVER_KEYS
		"    files: {a.txt: \"hello\\n\", b: {bytes: 1536, seed: 2}}\n"
		"    outside: {secret: \"s\\n\"}\n"
		"    actions:\n"
		"      - get: a.txt\n"
		"      - {get: b, faults: {drop_received: 2}}\n"
		"      - {put: up, data: {bytes: 3000, seed: 3}}\n"
		"      - list: .dir\n"
		"      - {get: ../secret, error: 2}\n"
		"      - {get: nope, error: 1}\n"
		"      - {raw: \"\\0\\x09a.txt\\0octet\\0\", error: 4}\n"
		"      - {put: gone, data: {bytes: 3000, seed: 4}, faults: {abort: 2}}\n"
		"  - name: hidden\n" SERVER_KEYS
		"    visibility: hidden\n"
		"    actions: [{get: nope, error: 1}]\n";
	struct graded g;
	const struct test_outcome *t;

	grade_text(yaml, NULL, &g);
	t = row(&g, "ok");
	ck_assert_msg(t->verdict == VERDICT_PASSED, "%s: %s", verdict_name(t->verdict),
		      t->message);
	ck_assert_ptr_nonnull(t->details);
	if (geteuid() == 0)
		ck_assert_ptr_nonnull(strstr(t->details, "private namespace"));
	ck_assert_ptr_nonnull(strstr(t->details, "get 'a.txt': ok, 6 bytes"));
	ck_assert_ptr_nonnull(strstr(t->details, "resent after"));
	ck_assert_ptr_nonnull(strstr(t->details, "ERROR 2 (Access violation) as expected"));
	ck_assert_ptr_nonnull(strstr(t->details, "aborted at block 2 as planned"));
	ck_assert_ptr_nonnull(strstr(t->details, "SIGTERM: exited after"));
	ck_assert_ptr_nonnull(strstr(t->details, "served directory: as expected"));
	t = row(&g, "hidden");
	ck_assert_int_eq(t->verdict, VERDICT_PASSED);
	ck_assert_ptr_null(t->details);
	graded_release(&g);
}
END_TEST

START_TEST(test_fallback_without_namespace)
{
	static const char yaml[] = HEADER
		"  - name: ok\n" SERVER_KEYS
		"    files: {a.txt: \"hello\\n\"}\n"
		"    actions: [{get: a.txt}, {put: b, data: x}]\n";
	struct graded g;
	const struct test_outcome *t;

	setenv("GRADER_NO_NETNS", "1", 1);
	grade_text(yaml, NULL, &g);
	unsetenv("GRADER_NO_NETNS");
	t = row(&g, "ok");
	ck_assert_msg(t->verdict == VERDICT_PASSED, "%s", t->message);
	ck_assert_ptr_nonnull(strstr(t->details, "GRADER_NO_NETNS is set"));
	ck_assert_ptr_nonnull(strstr(t->details, "free port on the host's loopback"));
	graded_release(&g);
}
END_TEST

START_TEST(test_tftp_hpa_client)
{
	static const char yaml[] = HEADER
		"  - name: hpa\n" SERVER_KEYS
		"    client: tftp-hpa\n"
		"    files: {a.txt: \"hello\\n\", e: \"\"}\n"
		"    actions:\n"
		"      - get: a.txt\n"
		"      - get: e\n"
		"      - {put: up, data: {bytes: 5000, seed: 5}}\n"
		"      - list: .dir\n"
		"      - {get: nope, error: 1}\n";
	struct graded g;
	const struct test_outcome *t;

	grade_text(yaml, NULL, &g);
	t = row(&g, "hpa");
	if (access("/usr/bin/tftp", X_OK) < 0) {
		ck_assert_int_eq(t->verdict, VERDICT_ERROR);
		ck_assert_ptr_nonnull(strstr(t->message, "tftp-hpa"));
	} else {
		ck_assert_msg(t->verdict == VERDICT_PASSED, "%s", t->message);
		ck_assert_ptr_nonnull(strstr(t->details, "ok with tftp-hpa"));
		ck_assert_ptr_nonnull(strstr(t->details, "tftp got ERROR 1"));
	}
	graded_release(&g);
}
END_TEST

/* A server that parses -p and -d, prints the ready line, then does what
 * BEHAVIOUR says; pause() until a signal. */
#define MINI_SERVER(BEHAVIOUR)                                               \
	"#include <signal.h>\n#include <stdio.h>\n#include <stdlib.h>\n"     \
	"#include <string.h>\n#include <unistd.h>\n"                         \
	"static void on_term(int s) { (void)s; _exit(0); }\n"                 \
	"int main(int argc, char **argv) {\n"                                \
	"  const char *port = \"?\", *dir = \".\";\n"                       \
	"  for (int i = 1; i + 1 < argc; i++) {\n"                           \
	"    if (!strcmp(argv[i], \"-p\")) port = argv[i + 1];\n"            \
	"    if (!strcmp(argv[i], \"-d\")) dir = argv[i + 1];\n"             \
	"  }\n"                                                              \
	"  (void)dir; signal(SIGTERM, on_term);\n"                            \
	BEHAVIOUR                                                            \
	"  for (;;) pause();\n}\n"

#define READY "  printf(\"listening on %s\\n\", port); fflush(stdout);\n"

static const struct {
	const char *source;
	enum verdict verdict;
	const char *msg;
} mini[] = {
	{ MINI_SERVER(""), VERDICT_TIMEOUT, "no line matching" },
	{ MINI_SERVER(READY "  signal(SIGTERM, SIG_IGN);\n"), VERDICT_TIMEOUT,
	  "did not exit within" },
	{ MINI_SERVER(READY "  signal(SIGTERM, SIG_DFL);\n"), VERDICT_CRASHED,
	  "killed by SIGTERM" },
	{ MINI_SERVER(READY "  if (fork() == 0) { signal(SIGTERM, SIG_IGN); for (;;) pause(); }\n"),
	  VERDICT_WRONG_EXIT, "left running" },
	{ MINI_SERVER(READY "  char p[4096]; snprintf(p, sizeof p, \"%s/.upload-1\", dir);\n"
			    "  FILE *f = fopen(p, \"w\"); if (f) fclose(f);\n"),
	  VERDICT_WRONG_OUTPUT, "temporary file '.upload-1'" },
	{ MINI_SERVER(READY "  char p[4096]; snprintf(p, sizeof p, \"%s/../../oops\", dir);\n"
			    "  FILE *f = fopen(p, \"w\"); if (f) fclose(f);\n"),
	  VERDICT_WRONG_OUTPUT, "outside the served directory changed (oops" },
	{ MINI_SERVER(READY "  char p[4096]; snprintf(p, sizeof p, \"%s/a.txt\", dir);\n"
			    "  FILE *f = fopen(p, \"w\"); if (f) fclose(f);\n"),
	  VERDICT_WRONG_OUTPUT, "'a.txt' changed" },
	{ MINI_SERVER(READY "  exit(0);\n"), VERDICT_WRONG_EXIT,
	  "exited (status 0) while the clients were running" },
};

START_TEST(test_misbehaving_servers)
{
	static const char yaml[] = HEADER
		"  - name: t\n" SERVER_KEYS
		"    ready_timeout: 1s\n"
		"    stop_timeout: 1s\n"
		"    files: {a.txt: \"A\\n\"}\n"
		"    actions: [{wait: 300ms}]\n";
	struct graded g;

	const struct test_outcome *t;

	/* under the sandbox (as root): the served directory and what lies
	 * beside it in the run's cwd are writable by the server, so what it
	 * leaves there is seen */

	grade_text(yaml, mini[_i].source, &g);
	t = row(&g, "t");
	ck_assert_msg(t->verdict == mini[_i].verdict, "case %d: %s (%s)", _i,
		      verdict_name(t->verdict), t->message);
	ck_assert_msg(t->message && strstr(t->message, mini[_i].msg), "case %d: %s",
		      _i, t->message);
	graded_release(&g);
}
END_TEST

Suite *make_server_suite(void)
{
	Suite *s = suite_create("server");
	TCase *spec = tcase_create("spec");
	TCase *run = tcase_create("run");

	tcase_add_test(spec, test_parse_defaults_and_actions);
	tcase_add_loop_test(spec, test_parse_errors, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(spec, test_content_bytes_and_expand);
	suite_add_tcase(s, spec);

	tcase_set_timeout(run, 120);
	tcase_add_test(run, test_reference_passes_with_details);
	tcase_add_test(run, test_fallback_without_namespace);
	tcase_add_test(run, test_tftp_hpa_client);
	tcase_add_loop_test(run, test_misbehaving_servers, 0,
			    (int)(sizeof(mini) / sizeof(mini[0])));
	suite_add_tcase(s, run);
	return s;
}
