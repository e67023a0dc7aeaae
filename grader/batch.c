/*
 * batch.c - grading many students in child processes, resumably, with a
 * cache. See batch.h for the layout and the guarantees.
 *
 * The loop: compute every job's cache key; the jobs whose student
 * directory already holds a batch.json with that key are done. The rest
 * are sorted longest-expected first and started `jobs` at a time; each
 * running job is one struct spawn, pumped without blocking in turn, with a
 * short sleep when nothing happened (a finished child is noticed within
 * 10 ms). A job ends by moving its reports into students/<id>/ and writing
 * students/<id>/batch.json last.
 */
#define _GNU_SOURCE
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "build.h"
#include "gradebook.h"
#include "report.h"
#include "result.h"
#include "spawn.h"
#include "summary_html.h"
#include "unpack.h"
#include "toolchain.h"
#include "util.h"
#include "variant.h"

extern char **environ;

#define BATCH_KEY_FORMAT "grader-batch-cache-1"
#define BATCH_UNPACK_TIMEOUT 120.0
#define BATCH_CHILD_OUTPUT ((long long)256 << 10)
#define BATCH_LOCATE_DEPTH 4
#define BATCH_LOCATE_MAX_DIRS 2000

static const char *const digest_skip[] = { ".git", "__MACOSX", NULL };

/* ---- keys and estimates ---- */

int batch_grader_digest(const char *exe, char out[DIGEST_HEX_LEN + 1],
			struct error *e)
{
	struct digest d;
	int rc;

	digest_init(&d);
	digest_add_str(&d, BATCH_KEY_FORMAT);
	digest_add_str(&d, GRADER_VERSION);
	rc = digest_add_path(&d, exe, NULL, e);
	digest_hex(&d, out);
	digest_release(&d);
	return rc;
}

/* Rows of test t under the selection, as grade.c makes them. */
static unsigned test_variants(const struct spec_test *t, unsigned variants)
{
	return t->variants & (variants ? variants : ~0u);
}

int batch_exercise_init(struct batch_exercise *ex, const struct spec *s,
			const char *outdir, const char *grader_digest,
			unsigned variants, struct error *e)
{
	struct digest d;
	unsigned built = 0;
	size_t i;
	int rc;
	enum variant v;

	memset(ex, 0, sizeof(*ex));
	ex->spec = s;
	ex->outdir = outdir;
	digest_init(&d);
	digest_add_str(&d, grader_digest);
	rc = digest_add_path(&d, s->dir, digest_skip, e);
	{
		char sel[32];

		snprintf(sel, sizeof(sel), "variants=%u", variants);
		digest_add_str(&d, sel);
	}
	digest_hex(&d, ex->key);
	digest_release(&d);
	if (rc < 0)
		return -1;

	/* Relative weights: what matters is the order. A run is charged its
	 * wall limit (capped: limits are generous) times the variant's time
	 * scale, each variant's build a few seconds. */
	for (i = 0; i < s->ntests; i++) {
		const struct spec_test *t = &s->tests[i];
		unsigned vs = test_variants(t, variants);

		ex->variants |= vs;
		for (v = 0; v < VARIANT__COUNT; v++) {
			double w = t->limits.wall_s < 2 ? t->limits.wall_s : 2;

			if (!(vs & VARIANT_BIT(v)))
				continue;
			built |= VARIANT_BIT(build_variant_of(v));
			ex->estimate += 0.1 * w * variant_time_scale(v) * t->repeat;
			ex->timeout += t->limits.wall_s * variant_time_scale(v) *
				       (t->repeat + 1);
		}
	}
	for (v = 0; v < VARIANT__COUNT; v++)
		if (built & VARIANT_BIT(v)) {
			ex->estimate += v == VARIANT_PLAIN ? 0.5 : 1.5;
			ex->timeout += s->build.timeout_s * 2;
		}
	ex->timeout = ex->timeout * 2 + 120;
	return 0;
}

/* ---- jobs ---- */

enum job_phase { JOB_PENDING = 0, JOB_UNPACK, JOB_GRADE, JOB_DONE };

struct job {
	const struct roster_student *st;
	struct batch_exercise *ex;
	char *input;       /* a directory or an archive; NULL: nothing submitted */
	int is_archive;
	char *subdir;      /* --all with an archive: the exercise's folder in it */
	char key[DIGEST_HEX_LEN + 1];
	double estimate;
	char *sdir;        /* <outdir>/students/<id> */
	char *work;        /* <outdir>/.work/<id> */
	enum job_phase phase;
	int cached;
	struct spawn sp;
	char **argv;
	double t0;
	char *started_at;
};

static char *iso_now(void)
{
	char s[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(s);
}

static json_t *load_json(const char *dir, const char *file)
{
	char *p = path_join(dir, file);
	json_t *j = json_load_file(p, 0, NULL);

	free(p);
	return j;
}

static int write_json(const char *dir, const char *file, json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
	char *p = path_join(dir, file), *full;
	int rc;

	if (!text)
		die("out of memory writing %s", file);
	full = xasprintf("%s\n", text);
	rc = write_file_atomic(p, full, strlen(full));
	free(text);
	free(full);
	free(p);
	return rc;
}

/* Where student st's submission of exercise ex is. */
static void job_resolve_input(struct job *j, const struct batch_opts *o)
{
	const char *in = j->st->input;
	const char *name = j->ex->spec->name;
	static const char *const exts[] = { ".zip", ".tar.gz", ".tgz", NULL };
	int i;

	if (!o->by_exercise_subdir) {
		j->input = xstrdup(in);
		j->is_archive = !is_dir(in);
		return;
	}
	if (!is_dir(in)) {
		/* one archive for all exercises: the folder is looked up inside */
		j->input = xstrdup(in);
		j->is_archive = 1;
		j->subdir = xstrdup(name);
		return;
	}
	j->input = path_join(in, name);
	if (is_dir(j->input))
		return;
	free(j->input);
	j->input = NULL;
	for (i = 0; exts[i]; i++) {
		char *f = xasprintf("%s/%s%s", in, name, exts[i]);

		if (is_file(f)) {
			j->input = f;
			j->is_archive = 1;
			return;
		}
		free(f);
	}
}

static int job_key(struct job *j, unsigned variants, struct error *e)
{
	struct digest d;
	int rc = 0;

	(void)variants;
	digest_init(&d);
	digest_add_str(&d, j->ex->key);
	digest_add_str(&d, j->st->id);
	digest_add_str(&d, j->subdir ? j->subdir : "");
	if (j->input) {
		digest_add_str(&d, j->is_archive ? "archive" : "directory");
		rc = digest_add_path(&d, j->input, digest_skip, e);
	} else {
		digest_add_str(&d, "missing");
	}
	digest_hex(&d, j->key);
	digest_release(&d);
	return rc;
}

/* Is the student done with this key? Also takes the previous duration as
 * the estimate when there is one. */
static int job_cached(struct job *j)
{
	json_t *b = load_json(j->sdir, "batch.json");
	const char *key, *status;
	char *res;
	int ok = 0;

	if (!b)
		return 0;
	key = json_string_value(json_object_get(b, "key"));
	status = json_string_value(json_object_get(b, "status"));
	if (json_is_number(json_object_get(b, "seconds")))
		j->estimate = json_number_value(json_object_get(b, "seconds"));
	res = path_join(j->sdir, "results.json");
	if (key && status && !strcmp(key, j->key) &&
	    (!strcmp(status, "graded") || !strcmp(status, "broken")) && is_file(res))
		ok = 1;
	free(res);
	json_decref(b);
	return ok;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_c_file(const char *dir, const char *want)
{
	char *p;
	DIR *d;
	struct dirent *de;
	int found = 0;

	if (want) {
		p = path_join(dir, want);
		found = is_file(p);
		free(p);
		return found;
	}
	if (!(d = opendir(dir)))
		return 0;
	while (!found && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] != '.' && n > 2 && !strcmp(de->d_name + n - 2, ".c")) {
			p = path_join(dir, de->d_name);
			found = is_file(p);
			free(p);
		}
	}
	closedir(d);
	return found;
}

/* Breadth-first, in name order, at most BATCH_LOCATE_DEPTH levels: the
 * first directory that `match` accepts. Hidden entries and __MACOSX are not
 * entered. Caller frees. */
static char *find_dir(const char *root, int (*match)(const char *dir, const char *arg),
		      const char *arg)
{
	char **queue = xcalloc(1, sizeof(char *));
	int *depth = xcalloc(1, sizeof(int));
	size_t head = 0, tail = 0, cap = 1;
	char *found = NULL;

	queue[tail] = xstrdup(root);
	depth[tail++] = 0;
	while (head < tail && !found) {
		char *dir = queue[head];
		int dep = depth[head++];
		DIR *d;
		struct dirent *de;
		char **names = NULL;
		size_t n = 0, i;

		if (match(dir, arg)) {
			found = xstrdup(dir);
			break;
		}
		if (dep >= BATCH_LOCATE_DEPTH || tail >= BATCH_LOCATE_MAX_DIRS || !(d = opendir(dir)))
			continue;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.' || !strcmp(de->d_name, "__MACOSX"))
				continue;
			names = xrealloc(names, (n + 1) * sizeof(char *));
			names[n++] = xstrdup(de->d_name);
		}
		closedir(d);
		if (n)
			qsort(names, n, sizeof(char *), cmp_str);
		for (i = 0; i < n; i++) {
			char *p = path_join(dir, names[i]);
			struct stat stt;

			if (lstat(p, &stt) == 0 && S_ISDIR(stt.st_mode) &&
			    tail < BATCH_LOCATE_MAX_DIRS) {
				if (tail == cap) {
					cap *= 2;
					queue = xrealloc(queue, cap * sizeof(char *));
					depth = xrealloc(depth, cap * sizeof(int));
				}
				queue[tail] = p;
				depth[tail++] = dep + 1;
			} else {
				free(p);
			}
			free(names[i]);
		}
		free(names);
	}
	for (head = 0; head < tail; head++)
		free(queue[head]);
	free(queue);
	free(depth);
	return found;
}

static int match_required(const char *dir, const char *want)
{
	return has_c_file(dir, want);
}

static int match_any_c(const char *dir, const char *unused)
{
	(void)unused;
	return has_c_file(dir, NULL);
}

static int match_name(const char *dir, const char *name)
{
	char *b = path_basename(dir);
	int m = !strcmp(b, name);

	free(b);
	return m;
}

/* The directory to grade: where the exercise's first required source is,
 * else the first with any .c file. NULL when there is no C source. */
static char *locate_sources(const char *root, const struct spec *s, const char *subdir)
{
	char *base = subdir ? find_dir(root, match_name, subdir) : xstrdup(root);
	char *dir = NULL;

	if (!base)
		return NULL;
	if (s->build.nsources)
		dir = find_dir(base, match_required, s->build.sources[0]);
	if (!dir)
		dir = find_dir(base, match_any_c, NULL);
	free(base);
	return dir;
}

/* A student directory that holds one archive and no C source (an LMS
 * download: alice/submission.zip) is that archive. Caller frees. */
static char *lone_archive(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *found = NULL;
	int archives = 0, sources = 0;

	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		if (n > 2 && (!strcmp(de->d_name + n - 2, ".c") || !strcmp(de->d_name + n - 2, ".h")))
			sources++;
		else if (unpack_is_archive(de->d_name)) {
			archives++;
			free(found);
			found = path_join(dir, de->d_name);
		} else {
			char *p = path_join(dir, de->d_name);

			if (is_dir(p))
				sources++; /* a folder may hold the sources */
			free(p);
		}
	}
	closedir(d);
	if (archives == 1 && !sources)
		return found;
	free(found);
	return NULL;
}

/* ---- failure reports ---- */

int batch_write_failure_reports(const struct spec *s, const char *id,
				int verdict, const char *message,
				const char *dir, struct error *e)
{
	struct grade_result *r = xcalloc(1, sizeof(*r));
	size_t i;
	int v, rc;

	r->exercise = xstrdup(s->name);
	r->title = xstrdup(s->title);
	r->submission = xstrdup(id);
	r->grader_version = xstrdup(GRADER_VERSION);
	r->started_at = iso_now();
	for (v = 0; v < VARIANT__COUNT; v++)
		r->builds[v].ok = -1;
	if (verdict == VERDICT_COMPILE_ERROR) {
		/* the report's build section is where a student looks for why
		 * nothing ran */
		r->builds[VARIANT_PLAIN].ok = 0;
		r->builds[VARIANT_PLAIN].command = xstrdup("");
		r->builds[VARIANT_PLAIN].output = xstrdup(message);
		r->builds[VARIANT_PLAIN].warnings = xcalloc(1, sizeof(char *));
	}
	for (i = 0; i < s->ntests; i++) {
		const struct spec_test *t = &s->tests[i];
		int nv = __builtin_popcount(t->variants);

		for (v = 0; v < VARIANT__COUNT; v++) {
			struct test_outcome *row;

			if (!(t->variants & VARIANT_BIT(v)))
				continue;
			r->tests = xrealloc(r->tests, (r->ntests + 1) * sizeof(*r->tests));
			row = &r->tests[r->ntests++];
			memset(row, 0, sizeof(*row));
			row->name = xstrdup(t->name);
			row->variant = (enum variant)v;
			row->max_score = t->points / (nv ? nv : 1);
			row->visibility = t->visibility;
			row->description = t->description ? xstrdup(t->description) : NULL;
			row->verdict = (enum verdict)verdict;
			row->message = xstrdup(message);
			row->exit_code = -1;
			r->max_score += row->max_score;
		}
	}
	rc = report_write_all(r, dir, e);
	grade_result_free(r);
	return rc;
}

/* ---- running ---- */

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

struct loop {
	struct job *jobs;
	size_t njobs;
	const struct batch_opts *o;
	struct batch_counts *c;
	size_t done;          /* cached + finished */
	size_t finished_run;  /* finished in this run (not cached) */
	size_t to_grade;
	size_t failed;
	double t0, last_draw;
	int bar_drawn;
};

static void fmt_duration(double s, char *out, size_t n)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(out, n, "%ldh%02ldm", t / 3600, t / 60 % 60);
	else if (t >= 60)
		snprintf(out, n, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(out, n, "%lds", t);
}

static void draw_bar(struct loop *L, int force)
{
	double now = now_seconds();
	size_t total = L->c->total, width = 30, fill, i;
	char eta[32] = "--";
	struct buf b;

	if (L->o->progress != BATCH_BAR || (!force && now - L->last_draw < 0.2))
		return;
	L->last_draw = now;
	fill = total ? L->done * width / total : width;
	if (L->finished_run > 0 && L->to_grade > L->finished_run)
		fmt_duration((now - L->t0) / (double)L->finished_run *
			     (double)(L->to_grade - L->finished_run), eta, sizeof(eta));
	else if (L->to_grade && L->to_grade == L->finished_run)
		snprintf(eta, sizeof(eta), "0s");
	buf_init(&b, 0);
	buf_adds(&b, "\r[");
	for (i = 0; i < width; i++)
		buf_addch(&b, i < fill ? '#' : '.');
	buf_addf(&b, "] %zu/%zu  failed %zu  ETA %s\033[K", L->done, total, L->failed, eta);
	fputs(b.data, stderr);
	fflush(stderr);
	buf_release(&b);
	L->bar_drawn = 1;
}

static void report_line(struct loop *L, const struct job *j, const char *status,
			double score, double max, const char *message)
{
	char a[32], m[32];

	if (L->o->progress != BATCH_LINES)
		return;
	if (!strcmp(status, "graded"))
		fprintf(stderr, "[%zu/%zu] %s (%s): %s/%s in %.1f s\n", L->done, L->c->total,
			j->st->id, j->ex->spec->name, report_score(score, a, sizeof(a)),
			report_score(max, m, sizeof(m)), now_seconds() - j->t0);
	else
		fprintf(stderr, "[%zu/%zu] %s (%s): %s: %s\n", L->done, L->c->total,
			j->st->id, j->ex->spec->name, status, message ? message : "");
	fflush(stderr);
}

static void job_free_argv(struct job *j)
{
	strv_free(j->argv);
	j->argv = NULL;
}

static int job_start(struct job *j, char **argv, double timeout, struct error *e)
{
	job_free_argv(j);
	j->argv = argv;
	spawn_init(&j->sp);
	/* the grader's own `grade` and `unpack`: trusted, and they sandbox
	 * the student's programs themselves (a sandbox around them would
	 * hide the submissions and OUTDIR they must read and write) */
	j->sp.no_sandbox = 1;
	j->sp.argv = (const char *const *)j->argv;
	j->sp.envp = (const char *const *)environ;
	j->sp.wall_s = timeout;
	j->sp.output = BATCH_CHILD_OUTPUT;
	if (spawn_start(&j->sp, e) < 0) {
		spawn_release(&j->sp);
		return -1;
	}
	return 0;
}

static char **argv_new(const char *first, ...)
{
	char **v = xcalloc(24, sizeof(char *));
	size_t n = 0;
	const char *s;
	va_list ap;

	va_start(ap, first);
	for (s = first; s && n < 23; s = va_arg(ap, const char *))
		v[n++] = xstrdup(s);
	va_end(ap);
	return v;
}

/* The last non-empty line of a child's stderr (its error message), or a
 * description of how it ended. Caller frees. */
static char *child_problem(const struct spawn *sp, const char *what)
{
	const char *s = sp->err.data;
	size_t len = sp->err.len;

	while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	if (sp->outcome == SPAWN_TIMEOUT)
		return xasprintf("%s did not finish within %.0f s", what, sp->wall_s);
	if (sp->outcome == SPAWN_SIGNALED)
		return xasprintf("%s crashed (%s)", what, strsignal(sp->term_signal));
	if (sp->outcome == SPAWN_EXEC_FAILED)
		return xasprintf("%s could not be started: %s", what, strerror(sp->exec_errno));
	if (len) {
		size_t start = len;

		while (start && s[start - 1] != '\n')
			start--;
		/* the child's error_print() prefix says nothing to a student */
		if (len - start > 8 && !strncmp(s + start, "grader: ", 8))
			start += 8;
		return xasprintf("%.*s", (int)(len - start), s + start);
	}
	return xasprintf("%s failed (exit %d)", what, sp->exit_code);
}

/* Writes students/<id>/batch.json: the student is done. */
static int job_record(struct job *j, const char *status, double score, double max,
		      const char *message, struct error *e)
{
	json_t *b = json_object();
	char *rel;
	int rc = 0;

	if (!b)
		die("out of memory");
	rel = j->input ? xstrdup(j->input) : xstrdup("");
	json_object_set_new(b, "student", json_string(j->st->id));
	if (j->st->name)
		json_object_set_new(b, "name", json_string(j->st->name));
	json_object_set_new(b, "exercise", json_string(j->ex->spec->name));
	json_object_set_new(b, "key", json_string(j->key));
	json_object_set_new(b, "status", json_string(status));
	json_object_set_new(b, "score", json_real(score));
	json_object_set_new(b, "max_score", json_real(max));
	json_object_set_new(b, "message", message ? json_string(message) : json_null());
	json_object_set_new(b, "input", json_string(rel));
	json_object_set_new(b, "started_at", json_string(j->started_at ? j->started_at : ""));
	json_object_set_new(b, "seconds", json_real(now_seconds() - j->t0));
	json_object_set_new(b, "grader_version", json_string(GRADER_VERSION));
	if (write_json(j->sdir, "batch.json", b) < 0)
		rc = error_set(e, "%s/batch.json: %s", j->sdir, strerror(errno));
	json_decref(b);
	free(rel);
	return rc;
}

/* Ends a job that produced no grading of its own: writes the failure
 * reports and the record. */
static int job_fail(struct loop *L, struct job *j, const char *status, int verdict,
		    const char *message, struct error *e)
{
	double max = 0;
	json_t *res;

	if (batch_write_failure_reports(j->ex->spec, j->st->id, verdict, message, j->sdir, e) < 0)
		return -1;
	if ((res = load_json(j->sdir, "results.json"))) {
		max = json_number_value(json_object_get(res, "max_score"));
		json_decref(res);
	}
	if (job_record(j, status, 0, max, message, e) < 0)
		return -1;
	if (!strcmp(status, "broken"))
		L->c->broken++;
	else
		L->c->errors++;
	L->failed++;
	L->done++;
	L->finished_run++;
	j->phase = JOB_DONE;
	report_line(L, j, status, 0, max, message);
	rm_rf(j->work);
	return 0;
}

static int job_start_grade(struct loop *L, struct job *j, const char *root, struct error *e)
{
	char *src = locate_sources(root, j->ex->spec, j->subdir);
	char *out;
	char **argv;

	if (!src) {
		char *msg = j->subdir
			? xasprintf("no folder '%s' with C sources in the submission", j->subdir)
			: xstrdup("no C source file (.c) in the submission");
		int rc = job_fail(L, j, "broken", VERDICT_COMPILE_ERROR, msg, e);

		free(msg);
		return rc;
	}
	out = path_join(j->work, "out");
	argv = argv_new(L->o->grader_bin, "grade", j->ex->spec->dir, src, "-o", out,
			"--name", j->st->id, NULL);
	if (L->o->variant_arg) {
		size_t n = 0;

		while (argv[n])
			n++;
		argv[n++] = xstrdup("--variant");
		argv[n++] = xstrdup(L->o->variant_arg);
	}
	free(src);
	free(out);
	j->phase = JOB_GRADE;
	if (job_start(j, argv, j->ex->timeout, e) < 0) {
		char msg[1200];

		error_format(e, msg, sizeof(msg));
		error_init(e);
		return job_fail(L, j, "error", VERDICT_ERROR, msg, e);
	}
	return 0;
}

static int job_launch(struct loop *L, struct job *j, struct error *e)
{
	char *bj = path_join(j->sdir, "batch.json");
	char *archive = NULL;
	int rc;

	/* no longer done: a crash from here on leaves the student to regrade */
	unlink(bj);
	free(bj);
	j->t0 = now_seconds();
	free(j->started_at);
	j->started_at = iso_now();
	if (mkdir_p(j->sdir) < 0)
		return error_set(e, "%s: %s", j->sdir, strerror(errno));
	rm_rf(j->work);
	if (mkdir_p(j->work) < 0)
		return error_set(e, "%s: %s", j->work, strerror(errno));
	if (!j->input) {
		char *msg = xasprintf("nothing submitted for exercise %s (looked for %s/%s, %s.zip, %s.tar.gz)",
				      j->ex->spec->name, j->st->input, j->ex->spec->name,
				      j->ex->spec->name, j->ex->spec->name);

		rc = job_fail(L, j, "broken", VERDICT_COMPILE_ERROR, msg, e);
		free(msg);
		return rc;
	}
	if (j->is_archive) {
		archive = xstrdup(j->input);
	} else {
		char *src = locate_sources(j->input, j->ex->spec, j->subdir);

		if (!src)
			archive = lone_archive(j->input);
		free(src);
	}
	if (archive) {
		char *dest = path_join(j->work, "src");
		char **argv = argv_new(L->o->grader_bin, "unpack", archive, dest, NULL);

		free(dest);
		free(archive);
		j->phase = JOB_UNPACK;
		if (job_start(j, argv, BATCH_UNPACK_TIMEOUT, e) < 0) {
			char msg[1200];

			error_format(e, msg, sizeof(msg));
			error_init(e);
			return job_fail(L, j, "error", VERDICT_ERROR, msg, e);
		}
		return 0;
	}
	return job_start_grade(L, j, j->input, e);
}

/* Moves the three reports in, then writes batch.json. */
static int job_finish_graded(struct loop *L, struct job *j, struct error *e)
{
	static const char *const files[] = { "results.json", "report.md", "junit.xml", NULL };
	char *out = path_join(j->work, "out");
	json_t *res = load_json(out, "results.json");
	double score, max;
	int i;

	if (!res) {
		free(out);
		return job_fail(L, j, "error", VERDICT_ERROR,
				"the grader wrote no readable results.json", e);
	}
	score = json_number_value(json_object_get(res, "score"));
	max = json_number_value(json_object_get(res, "max_score"));
	json_decref(res);
	for (i = 0; files[i]; i++) {
		char *from = path_join(out, files[i]), *to = path_join(j->sdir, files[i]);

		if (rename(from, to) < 0) {
			int saved = errno;

			free(from);
			free(to);
			free(out);
			return error_set(e, "moving %s into %s: %s", files[i], j->sdir,
					 strerror(saved));
		}
		free(from);
		free(to);
	}
	free(out);
	if (job_record(j, "graded", score, max, NULL, e) < 0)
		return -1;
	L->c->graded++;
	L->done++;
	L->finished_run++;
	j->phase = JOB_DONE;
	report_line(L, j, "graded", score, max, NULL);
	rm_rf(j->work);
	return 0;
}

/* A child of job j has ended. */
static int job_step(struct loop *L, struct job *j, struct error *e)
{
	struct spawn *sp = &j->sp;
	int ok = sp->outcome == SPAWN_EXITED && sp->exit_code == 0;
	int rc;

	if (j->phase == JOB_UNPACK) {
		char *msg = ok ? NULL : child_problem(sp, "unpacking");

		spawn_release(sp);
		if (!ok) {
			char *full = xasprintf("the submission could not be unpacked: %s", msg);

			rc = job_fail(L, j, "broken", VERDICT_COMPILE_ERROR, full, e);
			free(full);
			free(msg);
			return rc;
		}
		{
			char *src = path_join(j->work, "src");

			rc = job_start_grade(L, j, src, e);
			free(src);
		}
		return rc;
	}
	/* JOB_GRADE */
	if (!ok) {
		char *msg = child_problem(sp, "grading");
		char *full = xasprintf("the grader failed on this submission (not the student's fault; rerun the batch to retry): %s",
				       msg);

		spawn_release(sp);
		rc = job_fail(L, j, "error", VERDICT_ERROR, full, e);
		free(full);
		free(msg);
		return rc;
	}
	spawn_release(sp);
	return job_finish_graded(L, j, e);
}

static int cmp_job(const void *a, const void *b)
{
	const struct job *x = *(struct job *const *)a, *y = *(struct job *const *)b;
	int c;

	if (x->estimate != y->estimate)
		return x->estimate > y->estimate ? -1 : 1;
	c = strcmp(x->st->id, y->st->id);
	return c ? c : strcmp(x->ex->spec->name, y->ex->spec->name);
}

static int lock_outdir(const char *outdir, struct error *e)
{
	char *p = path_join(outdir, ".lock");
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	free(p);
	if (fd < 0)
		return error_set(e, "%s: cannot create .lock: %s", outdir, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return error_set(e, "%s: another `grader batch` is writing into it", outdir);
	}
	return fd;
}

static int write_manifest(const struct batch_exercise *ex, const struct roster *r,
			  const struct batch_opts *o, const struct batch_counts *c,
			  const char *started_at, struct error *e)
{
	json_t *m = json_object(), *ids = json_array(), *counts = json_object();
	size_t i;
	int rc = 0;

	if (!m || !ids || !counts)
		die("out of memory");
	for (i = 0; i < r->n; i++)
		json_array_append_new(ids, json_string(r->students[i].id));
	json_object_set_new(m, "exercise", json_string(ex->spec->name));
	json_object_set_new(m, "title", json_string(ex->spec->title));
	json_object_set_new(m, "exercise_key", json_string(ex->key));
	json_object_set_new(m, "grader_version", json_string(GRADER_VERSION));
	json_object_set_new(m, "submissions", json_string(r->root));
	json_object_set_new(m, "layout", json_string(roster_layout_name(r->layout)));
	if (o->shard_count > 0) {
		json_t *sh = json_object();

		json_object_set_new(sh, "index", json_integer(o->shard_index));
		json_object_set_new(sh, "count", json_integer(o->shard_count));
		json_object_set_new(m, "shard", sh);
	} else {
		json_object_set_new(m, "shard", json_null());
	}
	json_object_set_new(m, "students", ids);
	json_object_set_new(counts, "total", json_integer((json_int_t)r->n));
	json_object_set_new(counts, "cached", json_integer((json_int_t)c->cached));
	json_object_set_new(counts, "graded", json_integer((json_int_t)c->graded));
	json_object_set_new(counts, "broken", json_integer((json_int_t)c->broken));
	json_object_set_new(counts, "errors", json_integer((json_int_t)c->errors));
	json_object_set_new(m, "counts", counts);
	json_object_set_new(m, "jobs", json_integer(o->jobs));
	json_object_set_new(m, "started_at", json_string(started_at));
	json_object_set_new(m, "seconds", json_real(c->seconds));
	json_object_set_new(m, "peak_rss_kib", json_integer(c->peak_rss_kib));
	if (write_json(ex->outdir, "batch.json", m) < 0)
		rc = error_set(e, "%s/batch.json: %s", ex->outdir, strerror(errno));
	json_decref(m);
	return rc;
}

int batch_manifest_ids(const char *outdir, char ***ids, size_t *n,
		       char **exercise, char **spec_key, struct error *e)
{
	json_t *m = load_json(outdir, "batch.json"), *list, *v;
	size_t i;

	*ids = NULL;
	*n = 0;
	if (!m || !json_is_array(list = json_object_get(m, "students"))) {
		json_decref(m);
		return error_set(e, "%s/batch.json: missing or unreadable (not the output of `grader batch`, or a batch that did not finish)",
				 outdir);
	}
	*ids = xcalloc(json_array_size(list) + 1, sizeof(char *));
	json_array_foreach(list, i, v) {
		if (json_is_string(v))
			(*ids)[(*n)++] = xstrdup(json_string_value(v));
	}
	qsort(*ids, *n, sizeof(char *), cmp_str);
	if (exercise)
		*exercise = xstrdup(json_string_value(json_object_get(m, "exercise")) ?: "");
	if (spec_key)
		*spec_key = xstrdup(json_string_value(json_object_get(m, "exercise_key")) ?: "");
	json_decref(m);
	return 0;
}

/* Gradebook and summary of one exercise's OUTDIR, for the roster's ids. */
static int write_outputs(const struct batch_exercise *ex, const struct roster *r,
			 struct error *e)
{
	char **ids = xcalloc(r->n + 1, sizeof(char *));
	struct gradebook g;
	size_t i;
	int rc;

	for (i = 0; i < r->n; i++)
		ids[i] = r->students[i].id;
	rc = gradebook_load(&g, ex->outdir, (const char *const *)ids, r->n, e);
	free(ids);
	if (rc < 0)
		return -1;
	rc = gradebook_write_csv(&g, ex->outdir, e);
	if (rc == 0)
		rc = summary_html_write(&g, ex->outdir, e);
	gradebook_release(&g);
	return rc;
}

/* The variants' toolchain probes, once for the whole batch rather than once
 * per grading: run here, and shared with every `grade` child through
 * GRADER_TOOLCHAIN_CACHE (toolchain.h), a file of this run's scratch
 * directory, so that a toolchain installed or fixed since the last batch
 * is probed anew. A variant found broken is each child's to report. */
static void probe_once(const struct batch_exercise *ex, size_t nex)
{
	struct toolchain_status *st;
	unsigned mask = 0;
	size_t k, n;
	struct error e;
	char *dir, *file;

	for (k = 0; k < nex; k++)
		mask |= ex[k].variants;
	mask &= ~VARIANT_BIT(VARIANT_PLAIN);
	if (!mask || getenv("GRADER_TOOLCHAIN_CACHE"))
		return;
	dir = path_join(ex[0].outdir, ".work");
	file = xasprintf("%s/toolchain-%ld.json", dir, (long)getpid());
	if (mkdir_p(dir) == 0) {
		setenv("GRADER_TOOLCHAIN_CACHE", file, 1);
		error_init(&e);
		toolchain_check(mask, &st, &n, &e);
	}
	free(dir);
	free(file);
}

int batch_run(struct batch_exercise *ex, size_t nex, const struct roster *r,
	      const struct batch_opts *o, struct batch_counts *counts,
	      struct error *e)
{
	struct loop L;
	struct job **order = NULL;
	int *locks = xcalloc(nex, sizeof(int));
	size_t i, k, next = 0, running = 0;
	struct sigaction sa, old_int, old_term, old_hup;
	char *started_at = iso_now();
	int rc = 0;
	struct rusage ru;

	memset(&L, 0, sizeof(L));
	memset(counts, 0, sizeof(*counts));
	L.o = o;
	L.c = counts;
	L.t0 = now_seconds();
	for (i = 0; i < nex; i++)
		locks[i] = -1;
	for (i = 0; i < nex; i++) {
		char *p;

		if (mkdir_p(ex[i].outdir) < 0) {
			rc = error_set(e, "%s: %s", ex[i].outdir, strerror(errno));
			goto out;
		}
		if ((locks[i] = lock_outdir(ex[i].outdir, e)) < 0) {
			rc = -1;
			goto out;
		}
		/* scratch of an earlier, interrupted run */
		p = path_join(ex[i].outdir, ".work");
		rm_rf(p);
		free(p);
	}
	if (nex > 0)
		probe_once(ex, nex);

	L.njobs = r->n * nex;
	L.jobs = xcalloc(L.njobs ? L.njobs : 1, sizeof(struct job));
	order = xcalloc(L.njobs ? L.njobs : 1, sizeof(struct job *));
	counts->total = L.njobs;
	for (k = 0; k < nex; k++) {
		for (i = 0; i < r->n; i++) {
			struct job *j = &L.jobs[k * r->n + i];
			char *students = path_join(ex[k].outdir, "students");
			/* per run: gradings orphaned by a kill -9 of an earlier
			 * run write into their own run's directory, never ours */
			char *work = xasprintf("%s/.work/%ld", ex[k].outdir, (long)getpid());

			j->st = &r->students[i];
			j->ex = &ex[k];
			j->estimate = ex[k].estimate;
			j->sdir = path_join(students, j->st->id);
			j->work = path_join(work, j->st->id);
			free(students);
			free(work);
			job_resolve_input(j, o);
			if (job_key(j, o->variants, e) < 0) {
				/* unreadable files: graded anyway, so the
				 * report says what is wrong */
				error_init(e);
				memset(j->key, '0', DIGEST_HEX_LEN);
				j->key[DIGEST_HEX_LEN] = '\0';
			}
			if (job_cached(j)) {
				j->cached = 1;
				j->phase = JOB_DONE;
				counts->cached++;
				L.done++;
			} else {
				order[L.to_grade++] = j;
			}
		}
	}
	qsort(order, L.to_grade, sizeof(*order), cmp_job);
	if (o->progress == BATCH_LINES && counts->cached)
		fprintf(stderr, "%zu of %zu unchanged since the last run: kept\n", counts->cached,
			counts->total);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	stop_signal = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);

	draw_bar(&L, 1);
	while ((next < L.to_grade || running) && !stop_signal) {
		int progressed = 0;

		while (running < (size_t)o->jobs && next < L.to_grade && !stop_signal) {
			struct job *j = order[next++];

			if (job_launch(&L, j, e) < 0) {
				rc = -1;
				goto stop;
			}
			if (j->phase == JOB_UNPACK || j->phase == JOB_GRADE)
				running++;
			progressed = 1;
		}
		for (i = 0; i < L.to_grade; i++) {
			struct job *j = order[i];
			int r2;

			if (j->phase != JOB_UNPACK && j->phase != JOB_GRADE)
				continue;
			r2 = spawn_pump(&j->sp, 0);
			if (r2 == 0)
				continue;
			spawn_finish(&j->sp);
			if (job_step(&L, j, e) < 0) {
				running--;
				rc = -1;
				goto stop;
			}
			if (j->phase == JOB_DONE)
				running--;
			progressed = 1;
		}
		draw_bar(&L, progressed);
		if (!progressed && !stop_signal) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
stop:
	/* interrupted or failed: kill what runs; those students stay undone */
	for (i = 0; i < L.to_grade; i++) {
		struct job *j = order[i];

		if (j->phase == JOB_UNPACK || j->phase == JOB_GRADE) {
			spawn_signal(&j->sp, SIGKILL);
			spawn_finish(&j->sp);
			spawn_release(&j->sp);
			rm_rf(j->work);
			j->phase = JOB_PENDING;
		}
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (L.bar_drawn) {
		draw_bar(&L, 1);
		fputc('\n', stderr);
	}
	counts->interrupted = stop_signal != 0;
	counts->seconds = now_seconds() - L.t0;
	getrusage(RUSAGE_SELF, &ru);
	counts->peak_rss_kib = ru.ru_maxrss;
	if (rc == 0 && !counts->interrupted) {
		for (k = 0; k < nex && rc == 0; k++) {
			char *p = path_join(ex[k].outdir, ".work");

			rm_rf(p);
			free(p);
			rc = write_outputs(&ex[k], r, e);
			if (rc == 0)
				rc = write_manifest(&ex[k], r, o, counts, started_at, e);
		}
	}
out:
	for (i = 0; i < L.njobs; i++) {
		struct job *j = &L.jobs[i];

		free(j->input);
		free(j->subdir);
		free(j->sdir);
		free(j->work);
		free(j->started_at);
		job_free_argv(j);
	}
	free(L.jobs);
	free(order);
	for (i = 0; i < nex; i++)
		if (locks[i] >= 0)
			close(locks[i]);
	free(locks);
	free(started_at);
	return rc;
}
