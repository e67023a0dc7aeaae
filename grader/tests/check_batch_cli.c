/*
 * check_batch_cli.c - end-to-end tests of `grader batch` and `grader merge`
 * on generated submissions of the tiny exercise data/cli/upper: the
 * gradebook's contents, broken students, the cache, resumption after
 * kill -9, shards + merge == one run, and summary.html as Chromium draws it.
 *
 * They run the built binary ($GRADER_BIN) as an instructor would.
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <jansson.h>
#include <png.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "summary_html.h"
#include "util.h"

#define EX "data/cli/upper"
#define FIX "data/cli/upper-fixtures"

static int sh(struct buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sh(struct buf *out, const char *fmt, ...)
{
	char *cmd, *full, chunk[4096];
	va_list ap;
	FILE *p;
	size_t n;
	int status;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
	va_end(ap);
	full = xasprintf("%s 2>&1", cmd);
	p = popen(full, "r");
	ck_assert_ptr_nonnull(p);
	buf_reset(out);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_add(out, chunk, n);
	status = pclose(p);
	free(cmd);
	free(full);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static const char *bin(void)
{
	const char *b = getenv("GRADER_BIN");

	ck_assert_msg(b != NULL, "GRADER_BIN is not set");
	return b;
}

static char *slurp(const char *path)
{
	struct buf b;

	buf_init(&b, 0);
	ck_assert_msg(buf_read_file(&b, path) == 0, "cannot read %s", path);
	return buf_detach(&b, NULL);
}

static char *slurp2(const char *dir, const char *file)
{
	char *p = path_join(dir, file), *t = slurp(p);

	free(p);
	return t;
}

static void put(const char *dir, const char *rel, const char *text)
{
	char *p = path_join(dir, rel), *slash = strrchr(p, '/');

	*slash = '\0';
	ck_assert_int_eq(mkdir_p(p), 0);
	*slash = '/';
	ck_assert_int_eq(write_file_atomic(p, text, strlen(text)), 0);
	free(p);
}

static void put_fixture(const char *subs, const char *student, const char *fixture)
{
	char *from = xasprintf("%s/%s/upper.c", FIX, fixture);
	char *text = slurp(from), *rel = xasprintf("%s/upper.c", student);

	put(subs, rel, text);
	free(from);
	free(text);
	free(rel);
}

/* A .zip holding proj/upper.c (a folder inside, as students zip). */
static void put_zip(const char *subs, const char *name, const char *fixture)
{
	char *from = xasprintf("%s/%s/upper.c", FIX, fixture);
	char *text = slurp(from), *path = path_join(subs, name);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	ck_assert_int_eq(archive_write_set_format_zip(a), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
	archive_entry_set_pathname(e, "proj/upper.c");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)strlen(text));
	ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_data(a, text, strlen(text)), (la_ssize_t)strlen(text));
	archive_entry_free(e);
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	free(from);
	free(text);
	free(path);
}

/* The class of the main tests: eleven students of every kind. */
static char *make_class(void)
{
	char *root = make_temp_dir("batch"), *subs = path_join(root, "subs");

	put_fixture(subs, "good1", "good");
	put_fixture(subs, "good2", "good");
	put_fixture(subs, "good3", "good");
	put_fixture(subs, "wrong", "wrong");
	put_fixture(subs, "crash", "crash");
	put_fixture(subs, "broken", "broken");   /* compile error */
	put_fixture(subs, "nested/src/lab1", "good"); /* sources deeper down */
	put(subs, "empty/README.txt", "I forgot my code\n");
	put_zip(subs, "zipped.zip", "good");
	put(subs, "badzip.zip", "this is not a zip file\n");
	put(subs, "notes.txt", "not a student\n");
	free(root);
	return subs;
}

static void free_class(char *subs)
{
	char *root = xstrdup(subs);

	*strrchr(root, '/') = '\0';
	rm_rf(root);
	free(root);
	free(subs);
}

static char *outdir_beside(const char *subs, const char *name)
{
	char *root = xstrdup(subs), *o;

	*strrchr(root, '/') = '\0';
	o = path_join(root, name);
	free(root);
	return o;
}

static json_t *student_json(const char *out, const char *id, const char *file)
{
	char *p = xasprintf("%s/students/%s/%s", out, id, file);
	json_error_t err;
	json_t *j = json_load_file(p, 0, &err);

	ck_assert_msg(j != NULL, "%s: %s", p, err.text);
	free(p);
	return j;
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "(none)";
}

static const char *expected_gradebook =
	"student,score,max,hello,empty,reference-big,secret\r\n"
	"badzip,0,5,0,0,0,0\r\n"
	"broken,0,5,0,0,0,0\r\n"
	"crash,4,5,2,0,1,1\r\n"
	"empty,0,5,0,0,0,0\r\n"
	"good1,5,5,2,1,1,1\r\n"
	"good2,5,5,2,1,1,1\r\n"
	"good3,5,5,2,1,1,1\r\n"
	"nested,5,5,2,1,1,1\r\n"
	"wrong,1,5,0,1,0,0\r\n"
	"zipped,5,5,2,1,1,1\r\n";

START_TEST(batch_grades_a_class_then_reuses_the_cache)
{
	char *subs = make_class(), *out = outdir_beside(subs, "out"), *t;
	struct buf o;
	json_t *j;
	char *started;

	buf_init(&o, 0);
	ck_assert_msg(sh(&o, "%s batch %s %s -o %s -j 2", bin(), EX, subs, out) == 0, "%s", o.data);
	ck_assert_msg(strstr(o.data, "notes.txt: not a directory nor"), "%s", o.data);
	ck_assert_msg(strstr(o.data, "8 graded, 0 unchanged (cached), 2 broken, 0 grader errors"),
		      "%s", o.data);
	t = slurp2(out, "gradebook.csv");
	ck_assert_str_eq(t, expected_gradebook);
	free(t);

	/* every student has the four files; the broken ones say why */
	{
		static const char *const ids[] = { "badzip", "broken", "crash", "empty", "good1",
						   "good2", "good3", "nested", "wrong", "zipped" };
		size_t i;

		for (i = 0; i < 10; i++) {
			static const char *const files[] = { "results.json", "report.md",
							     "junit.xml", "batch.json" };
			size_t k;

			for (k = 0; k < 4; k++) {
				char *p = xasprintf("%s/students/%s/%s", out, ids[i], files[k]);

				ck_assert_msg(is_file(p), "missing %s", p);
				free(p);
			}
		}
	}
	j = student_json(out, "badzip", "batch.json");
	ck_assert_str_eq(jstr(j, "status"), "broken");
	ck_assert_msg(strstr(jstr(j, "message"), "could not be unpacked"), "%s", jstr(j, "message"));
	json_decref(j);
	t = xasprintf("%s/students/badzip/report.md", out);
	{
		char *md = slurp(t);

		ck_assert_msg(strstr(md, "could not be unpacked"), "%s", md);
		free(md);
	}
	free(t);
	j = student_json(out, "empty", "batch.json");
	ck_assert_str_eq(jstr(j, "status"), "broken");
	ck_assert_msg(strstr(jstr(j, "message"), "no C source"), "%s", jstr(j, "message"));
	json_decref(j);
	j = student_json(out, "broken", "results.json");
	ck_assert(json_is_false(json_object_get(json_object_get(j, "build"), "ok")));
	json_decref(j);
	j = student_json(out, "good1", "batch.json");
	ck_assert_str_eq(jstr(j, "status"), "graded");
	ck_assert_int_eq((int)strlen(jstr(j, "key")), 64);
	started = xstrdup(jstr(j, "started_at"));
	json_decref(j);
	t = slurp2(out, "summary.html");
	ck_assert_msg(strstr(t, "<svg id=\"histogram\""), "no histogram");
	ck_assert_msg(strstr(t, "href=\"students/good1/report.md\""), "no link to a report");
	ck_assert_msg(!strstr(t, "<script"), "the summary must not need a script");
	ck_assert_msg(!strstr(t, "http://") || strstr(t, "http://www.w3.org/2000/svg"),
		      "no network resource");
	free(t);

	/* unchanged: nothing graded again, and quickly */
	ck_assert_msg(sh(&o, "%s batch %s %s -o %s -j 2", bin(), EX, subs, out) == 0, "%s", o.data);
	ck_assert_msg(strstr(o.data, "0 graded, 10 unchanged (cached), 0 broken"), "%s", o.data);
	j = student_json(out, "good1", "batch.json");
	ck_assert_str_eq(jstr(j, "started_at"), started);
	json_decref(j);
	t = slurp2(out, "gradebook.csv");
	ck_assert_str_eq(t, expected_gradebook);
	free(t);

	/* one student fixes their code: only they are graded again */
	put_fixture(subs, "wrong", "good");
	ck_assert_msg(sh(&o, "%s batch %s %s -o %s -j 2", bin(), EX, subs, out) == 0, "%s", o.data);
	ck_assert_msg(strstr(o.data, "1 graded, 9 unchanged (cached), 0 broken"), "%s", o.data);
	t = slurp2(out, "gradebook.csv");
	ck_assert_msg(strstr(t, "\r\nwrong,5,5,2,1,1,1\r\n"), "%s", t);
	free(t);

	free(started);
	rm_rf(out);
	free(out);
	free_class(subs);
	buf_release(&o);
}
END_TEST

START_TEST(batch_rejects_bad_input)
{
	char *subs = make_class(), *out = outdir_beside(subs, "out");
	struct buf o;

	buf_init(&o, 0);
	ck_assert_int_eq(sh(&o, "%s batch %s /nonexistent/subs -o %s", bin(), EX, out), 2);
	ck_assert_msg(strstr(o.data, "/nonexistent/subs: not a directory"), "%s", o.data);
	ck_assert_int_eq(sh(&o, "%s batch %s %s -o %s --shard 3/3", bin(), EX, subs, out), 2);
	ck_assert_msg(strstr(o.data, "--shard needs I/N"), "%s", o.data);
	ck_assert_int_eq(sh(&o, "%s batch %s %s -o %s -j 0", bin(), EX, subs, out), 2);
	ck_assert_int_eq(sh(&o, "%s batch data/cli/badspec %s -o %s", bin(), subs, out), 2);
	ck_assert_msg(strstr(o.data, "spec.yaml:"), "%s", o.data);
	ck_assert_int_eq(sh(&o, "%s merge %s -o %s", bin(), subs, out), 2);
	ck_assert_msg(strstr(o.data, "batch.json: missing"), "%s", o.data);
	rm_rf(out);
	free(out);
	free_class(subs);
	buf_release(&o);
}
END_TEST

START_TEST(batch_all_grades_every_exercise)
{
	char *root = make_temp_dir("all"), *ex = path_join(root, "ex");
	char *subs = path_join(root, "subs"), *out = path_join(root, "out"), *t;
	struct buf o;

	buf_init(&o, 0);
	/* two exercises: upper, and the same under the name upper2 */
	ck_assert_int_eq(sh(&o, "mkdir -p %s && cp -r %s %s/upper && cp -r %s %s/upper2 && "
				"sed -i 's/^name: upper$/name: upper2/' %s/upper2/spec.yaml",
			    ex, EX, ex, EX, ex, ex), 0);
	put_fixture(subs, "alice/upper", "good");   /* <student>/<exercise>/ */
	put_fixture(subs, "alice/upper2", "wrong");
	put_fixture(subs, "bob/upper", "good");     /* upper2 missing */
	ck_assert_msg(sh(&o, "%s batch --all %s %s -o %s -j 2", bin(), ex, subs, out) == 0, "%s",
		      o.data);
	ck_assert_msg(strstr(o.data, "nothing submitted for exercise upper2"), "%s", o.data);
	t = slurp2(out, "gradebook.csv");
	ck_assert_str_eq(t, "student,score,max,upper,upper2\r\n"
			    "alice,6,10,5,1\r\n"
			    "bob,5,10,5,0\r\n");
	free(t);
	t = xasprintf("%s/upper2/students/bob/batch.json", out);
	ck_assert(is_file(t));
	free(t);
	t = xasprintf("%s/upper/summary.html", out);
	ck_assert(is_file(t));
	free(t);
	rm_rf(root);
	free(root);
	free(ex);
	free(subs);
	free(out);
	buf_release(&o);
}
END_TEST

/* ---- kill -9 and resume ---- */

static int count_done(const char *out, int n, char **started)
{
	int i, done = 0;

	for (i = 0; i < n; i++) {
		char *p = xasprintf("%s/students/slow%d/batch.json", out, i);
		json_t *j = json_load_file(p, 0, NULL);

		if (j) {
			done++;
			if (started) {
				free(started[i]);
				started[i] = xstrdup(jstr(j, "started_at"));
			}
			json_decref(j);
		}
		free(p);
	}
	return done;
}

static int grader_processes_in(const char *dir)
{
	struct buf o;
	int n;

	buf_init(&o, 0);
	/* "[/]tmp/..." matches the path but not this shell's own command line */
	sh(&o, "pgrep -f -c -- '[%c]%s' || true", dir[0], dir + 1);
	n = atoi(o.data);
	buf_release(&o);
	return n;
}

START_TEST(batch_resumes_after_kill_9)
{
	/* a correct solution that takes its time: each grading lasts a
	 * couple of seconds, so the batch can be killed in the middle */
	static const char *slow =
		"#include <stdio.h>\n#include <unistd.h>\n"
		"int main(void) { int c; usleep(150000);\n"
		"  while ((c = getchar()) != EOF) putchar(c >= 'a' && c <= 'z' ? c - 32 : c);\n"
		"  return 0; }\n";
	enum { N = 8 };
	char *root = make_temp_dir("resume"), *subs = path_join(root, "subs");
	char *out = path_join(root, "out"), *started[N] = { 0 }, *before[N] = { 0 };
	char *jobs = xstrdup("1");
	const char *argv[12];
	struct buf o;
	pid_t pid;
	int i, done, status;
	double t0;

	buf_init(&o, 0);
	for (i = 0; i < N; i++) {
		char *rel = xasprintf("slow%d/upper.c", i);

		put(subs, rel, slow);
		free(rel);
	}
	argv[0] = bin();
	argv[1] = "batch";
	argv[2] = EX;
	argv[3] = subs;
	argv[4] = "-o";
	argv[5] = out;
	argv[6] = "-j";
	argv[7] = jobs;
	argv[8] = "-q";
	argv[9] = NULL;
	/* (<spawn.h> would be the grader's own header here: fork + exec) */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execv(bin(), (char *const *)argv);
		_exit(127);
	}
	/* kill it once two students are done (and the third is running) */
	t0 = now_seconds();
	while ((done = count_done(out, N, NULL)) < 2 && now_seconds() - t0 < 120) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	done = count_done(out, N, before);
	ck_assert_msg(done >= 2 && done < N, "%d students done when killed", done);
	/* the grading that was running finishes on its own (bounded by its
	 * limits) and writes only into the dead run's scratch directory */
	t0 = now_seconds();
	while (grader_processes_in(out) > 0 && now_seconds() - t0 < 60) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	ck_assert_int_eq(grader_processes_in(out), 0);
	ck_assert_int_eq(count_done(out, N, NULL), done);

	/* again: the finished ones are kept, the rest graded */
	ck_assert_msg(sh(&o, "%s batch %s %s -o %s -j 2", bin(), EX, subs, out) == 0, "%s", o.data);
	{
		char *want = xasprintf("%d graded, %d unchanged (cached)", N - done, done);

		ck_assert_msg(strstr(o.data, want), "expected '%s' in:\n%s", want, o.data);
		free(want);
	}
	ck_assert_int_eq(count_done(out, N, started), N);
	for (i = 0; i < N; i++)
		if (before[i])
			ck_assert_msg(!strcmp(before[i], started[i]),
				      "slow%d was graded again (%s, then %s)", i, before[i],
				      started[i]);
	{
		char *csv = slurp2(out, "gradebook.csv");

		for (i = 0; i < N; i++) {
			char *row = xasprintf("\r\nslow%d,5,5,2,1,1,1\r\n", i);

			ck_assert_msg(strstr(csv, row), "no full marks for slow%d:\n%s", i, csv);
			free(row);
		}
		free(csv);
	}
	{
		char *work = path_join(out, ".work");

		ck_assert_msg(!is_dir(work), "scratch left behind");
		free(work);
	}
	for (i = 0; i < N; i++) {
		free(started[i]);
		free(before[i]);
	}
	free(jobs);
	rm_rf(root);
	free(root);
	free(subs);
	free(out);
	buf_release(&o);
}
END_TEST

/* ---- shards and merge ---- */

START_TEST(shards_and_merge_equal_one_run)
{
	char *subs = make_class(), *out = outdir_beside(subs, "local");
	char *m = outdir_beside(subs, "merged"), *s[3], *a, *b;
	struct buf o;
	int i, total = 0;

	buf_init(&o, 0);
	ck_assert_msg(sh(&o, "%s batch %s %s -o %s -j 2 -q", bin(), EX, subs, out) == 0, "%s", o.data);
	for (i = 0; i < 3; i++) {
		char *name = xasprintf("shard%d", i), *ids = NULL;
		json_t *j;

		s[i] = outdir_beside(subs, name);
		free(name);
		ck_assert_msg(sh(&o, "%s batch %s %s -o %s -j 2 -q --shard %d/3", bin(), EX, subs,
				 s[i], i) == 0, "%s", o.data);
		j = json_load_file((ids = path_join(s[i], "batch.json")), 0, NULL);
		ck_assert_ptr_nonnull(j);
		ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "shard"),
								     "count")), 3);
		/* every shard has some students: the partition is not trivial */
		ck_assert_int_gt((int)json_array_size(json_object_get(j, "students")), 0);
		total += (int)json_array_size(json_object_get(j, "students"));
		json_decref(j);
		free(ids);
	}
	ck_assert_int_eq(total, 10);
	ck_assert_msg(sh(&o, "%s merge %s %s %s -o %s", bin(), s[2], s[0], s[1], m) == 0, "%s",
		      o.data);
	ck_assert_msg(strstr(o.data, "merged 10 students from 3 directories"), "%s", o.data);
	a = slurp2(out, "gradebook.csv");
	b = slurp2(m, "gradebook.csv");
	ck_assert_str_eq(a, expected_gradebook);
	ck_assert_str_eq(b, a);
	free(a);
	free(b);
	a = slurp2(out, "summary.html");
	b = slurp2(m, "summary.html");
	ck_assert_str_eq(b, a);
	free(a);
	free(b);
	a = xasprintf("%s/students/good2/report.md", m);
	ck_assert(is_file(a));
	free(a);

	/* a student twice, an unfinished shard, another exercise's shard */
	ck_assert_int_eq(sh(&o, "%s merge %s %s -o %s", bin(), s[0], s[0], m), 2);
	ck_assert_msg(strstr(o.data, "is in both"), "%s", o.data);
	ck_assert_int_eq(sh(&o, "rm -f %s/students/*/batch.json", s[1]), 0);
	ck_assert_int_eq(sh(&o, "%s merge %s %s %s -o %s", bin(), s[0], s[1], s[2], m), 2);
	ck_assert_msg(strstr(o.data, "did not finish"), "%s", o.data);
	ck_assert_int_eq(sh(&o, "sed -i 's/\"exercise\": \"upper\"/\"exercise\": \"other\"/' %s/batch.json", s[2]), 0);
	ck_assert_int_eq(sh(&o, "%s merge %s %s -o %s", bin(), s[0], s[2], m), 2);
	ck_assert_msg(strstr(o.data, "another exercise"), "%s", o.data);

	for (i = 0; i < 3; i++)
		free(s[i]);
	free(out);
	free(m);
	free_class(subs);
	buf_release(&o);
}
END_TEST

/* ---- summary.html in a browser ---- */

struct picture {
	png_image img;
	unsigned char *rgb;
};

/* Renders html_path with headless Chromium into a PNG and decodes it. */
static void render(const char *html_path, const char *scratch, struct picture *pic)
{
	char *profile = path_join(scratch, "chromium-profile");
	char *png = path_join(scratch, "shot.png");
	struct buf o;
	int rc;

	buf_init(&o, 0);
	rm_rf(profile);
	ck_assert_int_eq(mkdir_p(profile), 0);
	unlink(png);
	rc = sh(&o, "timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic "
		    "--no-first-run --disable-background-networking --disable-component-update "
		    "--disable-sync --hide-scrollbars --force-device-scale-factor=1 "
		    "--user-data-dir=%s --screenshot=%s --window-size=800,900 file://%s",
		profile, png, html_path);
	ck_assert_msg(rc == 0 && is_file(png), "chromium failed (%d):\n%s", rc, o.data);
	memset(pic, 0, sizeof(*pic));
	pic->img.version = PNG_IMAGE_VERSION;
	ck_assert_msg(png_image_begin_read_from_file(&pic->img, png), "%s", pic->img.message);
	pic->img.format = PNG_FORMAT_RGB;
	pic->rgb = xmalloc(PNG_IMAGE_SIZE(pic->img));
	ck_assert_msg(png_image_finish_read(&pic->img, NULL, pic->rgb, 0, NULL), "%s",
		      pic->img.message);
	ck_assert_int_eq(pic->img.width, 800);
	rm_rf(profile);
	free(profile);
	free(png);
	buf_release(&o);
}

/* The histogram's bars: runs of columns holding the bar colour in the
 * top 450 pixels; their heights (in pixels of that colour) in x order. */
static int bars(const struct picture *pic, int heights[16])
{
	static const unsigned char c[3] = { SUMMARY_BAR_RGB };
	int x, y, n = 0, in = 0;

	for (x = 0; x < (int)pic->img.width; x++) {
		int h = 0;

		for (y = 0; y < 450 && y < (int)pic->img.height; y++) {
			const unsigned char *p = pic->rgb + ((size_t)y * pic->img.width + (size_t)x) * 3;

			h += p[0] == c[0] && p[1] == c[1] && p[2] == c[2];
		}
		if (h > 2 && !in && n < 16)
			heights[n++] = h;
		else if (h > 2 && in && h > heights[n - 1])
			heights[n - 1] = h;
		in = h > 2;
	}
	return n;
}

START_TEST(summary_renders_the_histogram_in_chromium)
{
	char *root = make_temp_dir("render"), *subs = path_join(root, "subs");
	char *out = path_join(root, "out"), *none = path_join(root, "nobody");
	char *out0 = path_join(root, "out0"), *html;
	struct picture pic;
	struct buf o;
	int h[16], n, i;

	buf_init(&o, 0);
	/* scores 5 5 5 5 | 1 1 | 0: three bars, heights 4 : 2 : 1 */
	for (i = 0; i < 4; i++) {
		char *id = xasprintf("good%d", i);

		put_fixture(subs, id, "good");
		free(id);
	}
	put_fixture(subs, "wrong1", "wrong");
	put_fixture(subs, "wrong2", "wrong");
	put_fixture(subs, "broken", "broken");
	ck_assert_msg(sh(&o, "%s batch %s %s -o %s -j 2 -q", bin(), EX, subs, out) == 0, "%s", o.data);
	html = path_join(out, "summary.html");
	render(html, root, &pic);
	free(html);
	n = bars(&pic, h);
	ck_assert_msg(n == 3, "%d bars of the histogram's colour, expected 3", n);
	/* left to right: score 0 (1 student), 1 (2), 5 (4) */
	ck_assert_msg(h[2] > 150, "the tallest bar is %d px", h[2]);
	ck_assert_msg(abs(h[1] * 2 - h[2]) <= 4 && abs(h[0] * 4 - h[2]) <= 6,
		      "bar heights %d %d %d are not 1:2:4", h[0], h[1], h[2]);
	free(pic.rgb);

	/* nobody graded: the same page draws no bar at all */
	ck_assert_int_eq(mkdir_p(none), 0);
	ck_assert_msg(sh(&o, "%s batch %s %s -o %s -q", bin(), EX, none, out0) == 0, "%s", o.data);
	html = path_join(out0, "summary.html");
	render(html, root, &pic);
	free(html);
	ck_assert_int_eq(bars(&pic, h), 0);
	free(pic.rgb);

	rm_rf(root);
	free(root);
	free(subs);
	free(out);
	free(out0);
	free(none);
	buf_release(&o);
}
END_TEST

Suite *make_batch_cli_suite(void)
{
	Suite *s = suite_create("batch_cli");
	TCase *t = tcase_create("batch");

	/* hang guards only: gradings of ~2 s each, two at a time */
	tcase_set_timeout(t, 600);
	tcase_add_test(t, batch_grades_a_class_then_reuses_the_cache);
	tcase_add_test(t, batch_rejects_bad_input);
	tcase_add_test(t, batch_all_grades_every_exercise);
	tcase_add_test(t, batch_resumes_after_kill_9);
	tcase_add_test(t, shards_and_merge_equal_one_run);
	tcase_add_test(t, summary_renders_the_histogram_in_chromium);
	suite_add_tcase(s, t);
	return s;
}
