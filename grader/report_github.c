/*
 * report_github.c - GitHub Classroom and GitHub Actions output
 * (`--format github`).
 *
 * Two things come out of one grading on GitHub:
 *
 *  - The classroom reporter's result. GitHub Classroom's grading reporter
 *    (education/autograding-grading-reporter) reads, for each runner id,
 *    the environment variable <ID>_RESULTS, which the workflow fills from
 *    that step's output `result`: base64 of {"version": 1, "status":
 *    "pass"|"fail"|"error", "max_score": N, "tests": [{name, status, score,
 *    message, test_code, filename, line_no, execution_time}]}. It sums
 *    tests[].score against max_score, so the rows' scores must add up to
 *    our score: points taken off for findings travel as one extra row with
 *    a negative score. A step sets an output by appending `result=<value>`
 *    to the file named by $GITHUB_OUTPUT.
 *
 *  - Workflow-command annotations on stdout (`::error file=F,line=L,
 *    title=T::message`), which Actions turns into marks on the student's
 *    code in the run and the pull request: one per finding, one per failing
 *    row, one per compiler error (and warning) located by the compiler.
 *
 * Hidden rows carry only what grade.c stored for them (verdict, generic
 * message, hint): no command line, nothing from their input.
 *
 * Base64 is libcrypto's EVP_EncodeBlock; JSON is jansson, with every
 * string through report_clean() as in results.json.
 */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A row's message is the console line of the classroom reporter: long
 * enough for a message and a hint, short enough to stay a line or two. */
#define GITHUB_MESSAGE_MAX 2000
/* GitHub shows at most 10 error and 10 warning annotations per step; a few
 * more than that are printed (the log keeps them), not hundreds. */
#define GITHUB_MAX_COMPILER_ANNOTATIONS 20

static json_t *checked(json_t *j)
{
	if (!j)
		die("out of memory building the GitHub result");
	return j;
}

static void set(json_t *o, const char *key, json_t *v)
{
	if (json_object_set_new(o, key, v) < 0)
		die("out of memory building the GitHub result");
}

static json_t *jstr(const char *s)
{
	char *c = report_clean(s ? s : "", 0);
	json_t *j = checked(json_string(c));

	free(c);
	return j;
}

char *report_base64(const void *data, size_t n)
{
	/* 4 output bytes per 3 input bytes, rounded up, and EVP_EncodeBlock's NUL */
	size_t outsz = 4 * ((n + 2) / 3) + 1;
	char *out;

	if (n > (size_t)INT32_MAX / 2)
		die("base64: %zu bytes is too large", n);
	out = xmalloc(outsz);
	EVP_EncodeBlock((unsigned char *)out, data, (int)n);
	return out;
}

/* The first finding of row t that is located in a file, or NULL. */
static const struct finding *row_finding(const struct grade_result *r,
					 const struct test_outcome *t)
{
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		if (r->findings[i].file && report_finding_in_test(&r->findings[i], t))
			return &r->findings[i];
	return NULL;
}

/* "<prefix>/<file>" so that an annotation points into the repository when
 * the submission is a subdirectory of it. Caller frees. */
static char *repo_path(const char *prefix, const char *file)
{
	if (!prefix || !*prefix || file[0] == '/')
		return xstrdup(file);
	return path_join(prefix, file);
}

/* "Wrong output: stdout: line 2 differs. Hint: ..." capped. Caller frees. */
static char *row_message(const struct test_outcome *t)
{
	struct buf b;
	char *out;

	buf_init(&b, 0);
	if (t->verdict == VERDICT_PASSED) {
		buf_adds(&b, "passed");
	} else {
		buf_adds(&b, verdict_title(t->verdict));
		if (t->message)
			buf_addf(&b, ": %s", t->message);
		if (t->limit)
			buf_addf(&b, " (limit: %s)", t->limit);
		if (t->hint)
			buf_addf(&b, "\nHint: %s", t->hint);
	}
	/* report_clean() later turns a cut UTF-8 sequence into U+FFFD */
	if (b.len > GITHUB_MESSAGE_MAX)
		out = xasprintf("%.*s [...]", GITHUB_MESSAGE_MAX, b.data);
	else
		out = xstrdup(b.data);
	buf_release(&b);
	return out;
}

static const char *row_status(const struct test_outcome *t)
{
	if (t->verdict == VERDICT_PASSED)
		return "pass";
	return t->verdict == VERDICT_ERROR ? "error" : "fail";
}

static json_t *github_json(const struct grade_result *r, const char *prefix,
			   int flags)
{
	json_t *root = checked(json_object());
	json_t *tests = checked(json_array());
	double rows = 0;
	int failed = 0, errored = 0;
	size_t i;

	for (i = 0; i < r->ntests; i++) {
		const struct test_outcome *t = &r->tests[i];
		const struct finding *f = row_finding(r, t);
		json_t *o = checked(json_object());
		char *label = report_test_label(t);
		char *msg = row_message(t);
		char *file = f ? repo_path(prefix, f->file) : NULL;
		char *secs = xasprintf("%.2fs", flags & REPORT_MASK_TIMES ? 0.0 : t->wall_s);

		set(o, "name", jstr(label));
		set(o, "status", jstr(row_status(t)));
		set(o, "score", checked(json_real(t->score)));
		set(o, "message", jstr(msg));
		set(o, "test_code", jstr(report_test_is_visible(t) ? t->command : NULL));
		set(o, "filename", jstr(file));
		set(o, "line_no", checked(json_integer(f && f->line > 0 ? f->line : 0)));
		set(o, "execution_time", jstr(secs));
		if (json_array_append_new(tests, o) < 0)
			die("out of memory building the GitHub result");
		rows += t->score;
		failed |= t->verdict != VERDICT_PASSED && t->verdict != VERDICT_ERROR;
		errored |= t->verdict == VERDICT_ERROR;
		free(secs);
		free(file);
		free(msg);
		free(label);
	}
	/* The reporter adds up tests[].score: the findings' penalties have to
	 * be a row of their own, or the classroom total would be too high. */
	if (rows - r->score > 0.005) {
		json_t *o = checked(json_object());
		char a[32];
		char *msg = xasprintf("points taken off for findings: -%s",
				      report_score(rows - r->score, a, sizeof(a)));

		set(o, "name", jstr("finding penalties"));
		set(o, "status", jstr("fail"));
		set(o, "score", checked(json_real(r->score - rows)));
		set(o, "message", jstr(msg));
		set(o, "test_code", jstr(NULL));
		set(o, "filename", jstr(NULL));
		set(o, "line_no", checked(json_integer(0)));
		set(o, "execution_time", jstr("0.00s"));
		if (json_array_append_new(tests, o) < 0)
			die("out of memory building the GitHub result");
		failed = 1;
		free(msg);
	}
	set(root, "version", checked(json_integer(1)));
	/* "error" only when the grader could not run something and nothing
	 * else failed: a broken tool is not the student's fault, a failing
	 * test beside it still is. */
	set(root, "status", jstr(failed ? "fail" : errored ? "error" : "pass"));
	set(root, "max_score", checked(json_real(r->max_score)));
	set(root, "tests", tests);
	return root;
}

char *report_github_json(const struct grade_result *r, const char *prefix, int flags)
{
	json_t *root = github_json(r, prefix, flags);
	char *dumped = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	char *out;

	if (!dumped)
		die("out of memory writing the GitHub result");
	out = xasprintf("%s\n", dumped);
	free(dumped);
	json_decref(root);
	return out;
}

char *report_github_result(const struct grade_result *r, const char *prefix, int flags)
{
	json_t *root = github_json(r, prefix, flags);
	char *dumped = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(10));
	char *out;

	if (!dumped)
		die("out of memory writing the GitHub result");
	out = report_base64(dumped, strlen(dumped));
	free(dumped);
	json_decref(root);
	return out;
}

/* Workflow commands: in the message, %, CR and LF are escaped; in a
 * property value also ':' and ',' (they separate properties). Control
 * characters and invalid UTF-8 are made visible first. */
static void add_escaped(struct buf *b, const char *s, int property)
{
	char *c = report_clean(s ? s : "", REPORT_CLEAN_CONTROLS);
	const char *p;

	for (p = c; *p; p++) {
		switch (*p) {
		case '%': buf_adds(b, "%25"); break;
		case '\r': buf_adds(b, "%0D"); break;
		case '\n': buf_adds(b, "%0A"); break;
		case ':': buf_adds(b, property ? "%3A" : ":"); break;
		case ',': buf_adds(b, property ? "%2C" : ","); break;
		default: buf_addch(b, *p);
		}
	}
	free(c);
}

/* One `::LEVEL file=..,line=..,col=..,title=..::message` line; file NULL
 * or line/col 0 leave those properties out. */
static void annotation(struct buf *b, const char *level, const char *file,
		       int line, int col, const char *title, const char *message)
{
	const char *sep = " ";

	buf_addf(b, "::%s", level);
	if (file) {
		buf_adds(b, sep);
		buf_adds(b, "file=");
		add_escaped(b, file, 1);
		sep = ",";
		if (line > 0) {
			buf_addf(b, ",line=%d", line);
			if (col > 0)
				buf_addf(b, ",col=%d", col);
		}
	}
	if (title) {
		buf_adds(b, sep);
		buf_adds(b, "title=");
		add_escaped(b, title, 1);
	}
	buf_adds(b, "::");
	add_escaped(b, message, 0);
	buf_addch(b, '\n');
}

/* Parses "file:line:col: KIND: message" (gcc and clang) in line[0..len).
 * Returns 1 with the parts filled (file and message allocated), else 0. */
static int compiler_line(const char *line, size_t len, const char *kind,
			 char **file, int *lno, int *col, char **message)
{
	char *copy = xstrndup(line, len), *p, *end;
	size_t klen = strlen(kind);
	long l, c;

	p = strchr(copy, ':');
	if (!p || p == copy)
		goto no;
	*p++ = '\0';
	l = strtol(p, &end, 10);
	if (end == p || *end != ':' || l <= 0)
		goto no;
	p = end + 1;
	c = strtol(p, &end, 10);
	if (end == p || *end != ':' || c < 0)
		goto no;
	p = end + 1;
	if (*p != ' ' || strncmp(p + 1, kind, klen) || strncmp(p + 1 + klen, ": ", 2))
		goto no;
	*file = xstrdup(copy);
	*message = xstrdup(p + 1 + klen + 2);
	*lno = (int)(l > 1000000 ? 0 : l);
	*col = (int)(c > 100000 ? 0 : c);
	free(copy);
	return 1;
no:
	free(copy);
	return 0;
}

/* Annotations for the compiler's messages of KIND ("error" or "warning")
 * in text, at most GITHUB_MAX_COMPILER_ANNOTATIONS. Returns how many. */
static int compiler_annotations(struct buf *b, const char *text, const char *kind,
				const char *level, const char *title, const char *prefix)
{
	const char *p = text, *nl;
	int n = 0;

	while (p && *p && n < GITHUB_MAX_COMPILER_ANNOTATIONS) {
		char *file, *message, *path;
		int line, col;

		nl = strchr(p, '\n');
		if (compiler_line(p, nl ? (size_t)(nl - p) : strlen(p), kind, &file,
				  &line, &col, &message)) {
			path = repo_path(prefix, file);
			annotation(b, level, path, line, col, title, message);
			n++;
			free(path);
			free(file);
			free(message);
		}
		p = nl ? nl + 1 : NULL;
	}
	return n;
}

char *report_github_annotations(const struct grade_result *r, const char *prefix,
				int flags)
{
	const struct build_result *mb = report_main_build(r, NULL);
	struct buf b;
	size_t i;
	char *out;
	int v;

	(void)flags; /* annotations carry no time */
	buf_init(&b, 0);
	if (report_build_failed(r)) {
		for (v = 0; v < VARIANT__COUNT; v++) {
			const struct build_result *bd = &r->builds[v];

			if (bd->ok != 0)
				continue;
			if (!compiler_annotations(&b, bd->output, "error", "error",
						  "compile error", prefix))
				annotation(&b, "error", NULL, 0, 0, "compile error",
					   bd->output && *bd->output ? bd->output
								 : "the program did not compile");
			break; /* every variant fails the same way: once is enough */
		}
	} else if (mb) {
		for (i = 0; i < mb->nwarnings && i < GITHUB_MAX_COMPILER_ANNOTATIONS; i++)
			compiler_annotations(&b, mb->warnings[i], "warning", "warning",
					     "compiler warning", prefix);
	}
	for (i = 0; i < r->nfindings; i++) {
		const struct finding *f = &r->findings[i];
		char *path = f->file ? repo_path(prefix, f->file) : NULL;
		char *title = xasprintf("%s: %s", f->tool ? f->tool : "finding",
					f->kind ? f->kind : "finding");
		struct buf m;

		buf_init(&m, 0);
		buf_adds(&m, f->message ? f->message : f->kind ? f->kind : "");
		if (f->function)
			buf_addf(&m, " in %s", f->function);
		buf_addf(&m, " (test %s [%s]", f->test ? f->test : "?",
			 variant_name(f->variant));
		if (f->count > 1)
			buf_addf(&m, ", %d times", f->count);
		buf_addch(&m, ')');
		annotation(&b, "error", path, f->line, 0, title, m.data);
		buf_release(&m);
		free(title);
		free(path);
	}
	for (i = 0; i < r->ntests; i++) {
		const struct test_outcome *t = &r->tests[i];
		char *label, *title, *msg;

		if (t->verdict == VERDICT_PASSED || t->verdict == VERDICT_COMPILE_ERROR)
			continue;
		label = report_test_label(t);
		title = xasprintf("%s: %s", label, verdict_title(t->verdict));
		msg = row_message(t);
		annotation(&b, "error", NULL, 0, 0, title, msg);
		free(msg);
		free(title);
		free(label);
	}
	out = buf_detach(&b, NULL);
	buf_release(&b);
	return out;
}

int report_github_write(const struct grade_result *r, const char *prefix, FILE *out,
			struct error *e)
{
	const char *gh = getenv("GITHUB_OUTPUT");
	char *result = report_github_result(r, prefix, 0);
	char *notes = report_github_annotations(r, prefix, 0);
	int rc = 0;

	if (gh && *gh) {
		FILE *f = fopen(gh, "a");
		int bad = !f;

		if (f) {
			bad = fprintf(f, "result=%s\n", result) < 0;
			bad |= fclose(f) != 0;
		}
		if (bad) {
			error_set(e, "cannot write the step output to $GITHUB_OUTPUT (%s): %s",
				  gh, strerror(errno));
			rc = -1;
		}
	} else {
		fprintf(out, "result=%s\n", result);
	}
	fputs(notes, out);
	fflush(out);
	free(notes);
	free(result);
	return rc;
}

char *report_github_prefix(const char *submission_dir)
{
	const char *ws = getenv("GITHUB_WORKSPACE");
	char *root, *sub, *out = xstrdup("");
	size_t n;

	if (!ws || !*ws)
		return out;
	root = path_real(ws);
	sub = path_real(submission_dir);
	if (root && sub) {
		n = strlen(root);
		if (!strcmp(root, "/"))
			n = 0;
		if (!strncmp(sub, root, n) && sub[n] == '/') {
			free(out);
			out = xstrdup(sub + n + 1);
		}
	}
	free(root);
	free(sub);
	return out;
}

int report_format_parse(const char *name, int *github)
{
	if (!strcmp(name, "text"))
		*github = 0;
	else if (!strcmp(name, "github"))
		*github = 1;
	else
		return -1;
	return 0;
}
