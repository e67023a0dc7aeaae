/*
 * unitbuild.c - compiling and linking a unit test's binary. See unitbuild.h.
 */
#define _GNU_SOURCE
#include "unitbuild.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "build.h"
#include "spawn.h"
#include "spec_unit.h"
#include "symcheck.h"
#include "util.h"

#define CC "/usr/bin/cc"
#define MAX_FILES 64
#define MAX_FILE_BYTES (1LL << 20)
#define CC_OUTPUT_CAP ((long long)256 << 10)
#define MESSAGE_CAP 4000
/* Debian 12's `pkg-config --libs check`, static: a student's definition of
 * one of Check's functions is then a link error too. */
static const char *const check_libs[] = { "-lcheck_pic", "-lsubunit", "-lrt",
					  "-lm", NULL };

void unit_build_release(struct unit_build *b)
{
	free(b->runner);
	free(b->message);
	free(b->key);
	memset(b, 0, sizeof(*b));
}

/* ---- the key ---- */

static void fnv(uint64_t *h, const char *s)
{
	for (; s && *s; s++) {
		*h ^= (unsigned char)*s;
		*h *= 1099511628211ULL;
	}
	*h ^= 0xff; /* field separator */
	*h *= 1099511628211ULL;
}

static void fnv_list(uint64_t *h, char *const *v)
{
	for (; v && *v; v++)
		fnv(h, *v);
	fnv(h, "\x01");
}

char *unit_build_key(const struct spec *s, const struct spec_test *t)
{
	const struct spec_unit *u = t->unit;
	uint64_t h = 14695981039346656037ULL;

	fnv(&h, u->suite);
	fnv(&h, u->suite_function);
	fnv(&h, u->sources_given ? "given" : "auto");
	fnv_list(&h, u->sources);
	fnv_list(&h, u->headers);
	fnv_list(&h, u->cflags);
	fnv_list(&h, s->build.cflags);
	fnv_list(&h, s->build.ldflags);
	fnv(&h, u->allow_given ? "allow" : "any");
	fnv_list(&h, u->allow);
	fnv_list(&h, u->deny);
	return xasprintf("%016llx", (unsigned long long)h);
}

/* ---- where the runtime is ---- */

static char *runtime_in(const char *dir)
{
	static const char *const subs[] = { "runtime", "grader/runtime", NULL };
	size_t i;

	for (i = 0; subs[i]; i++) {
		char *cand = path_join(dir, subs[i]);
		char *file = path_join(cand, "unit_main.c");
		int ok = is_file(file);

		free(file);
		if (ok)
			return cand;
		free(cand);
	}
	return NULL;
}

char *unit_runtime_dir(void)
{
	const char *env = getenv("GRADER_RUNTIME");
	char exe[PATH_MAX], *found;
	ssize_t n;

	if (env && *env)
		return xstrdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		/* <repo>/grader/grader, <repo>/build/<x>/grader or check_grader */
		for (int up = 0; up < 3; up++) {
			char *slash = strrchr(exe, '/');

			if (!slash || slash == exe)
				break;
			*slash = '\0';
			if ((found = runtime_in(exe)))
				return found;
		}
	}
	env = getenv("GRADER_ROOT");
	if (env && *env && (found = runtime_in(env)))
		return found;
	return NULL;
}

/* ---- helpers ---- */

static int has_suffix(const char *s, const char *suf)
{
	size_t ls = strlen(s), lf = strlen(suf);

	return ls >= lf && !strcmp(s + ls - lf, suf);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Copies the regular .c/.h files of the submission into dst (the rules of
 * build.c: no symlink, no dot file, a bounded number and size) and lists
 * the .c ones, sorted. A problem of the submission goes to *problem. */
static int copy_student(const char *src, const char *dst, char ***cfiles,
			size_t *ncfiles, char **problem, struct error *e)
{
	DIR *d = opendir(src);
	struct dirent *de;
	char **list = xcalloc(MAX_FILES + 1, sizeof(char *));
	size_t n = 0, count = 0;

	*cfiles = list;
	*ncfiles = 0;
	if (!d)
		return error_set(e, "%s: cannot open the submission: %s", src,
				 strerror(errno));
	while ((de = readdir(d))) {
		struct stat st;
		char *from, *to;
		int rc;

		if (de->d_name[0] == '.' ||
		    (!has_suffix(de->d_name, ".c") && !has_suffix(de->d_name, ".h")))
			continue;
		from = path_join(src, de->d_name);
		if (lstat(from, &st) < 0 || !S_ISREG(st.st_mode) ||
		    ++count > MAX_FILES || st.st_size > MAX_FILE_BYTES) {
			if (!*problem)
				*problem = xasprintf(
					"%s: not a regular source file of at most %lld KiB (or too many files)",
					de->d_name, MAX_FILE_BYTES >> 10);
			free(from);
			continue;
		}
		to = path_join(dst, de->d_name);
		rc = copy_file(from, to);
		free(from);
		free(to);
		if (rc < 0) {
			closedir(d);
			return error_set(e, "copying %s: %s", de->d_name,
					 strerror(errno));
		}
		if (has_suffix(de->d_name, ".c") && n < MAX_FILES)
			list[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(list, n, sizeof(char *), cmp_str);
	*ncfiles = n;
	return 0;
}

static int copy_headers(const struct spec_unit *u, const char *dst,
			struct error *e)
{
	size_t i;

	for (i = 0; i < u->nheaders; i++) {
		char *base = path_basename(u->headers[i]);
		char *to = path_join(dst, base);
		int rc = copy_file(u->headers[i], to);

		free(base);
		free(to);
		if (rc < 0)
			return error_set(e, "copying %s: %s", u->headers[i],
					 strerror(errno));
	}
	return 0;
}

/* Runs the compiler; *ok says whether it succeeded, *output is what it
 * printed (caller frees). Returns -1 only when it cannot be run. */
static int run_cc(const char *const *argv, const char *cwd, double timeout,
		  int *ok, char **output, struct error *e)
{
	struct spawn sp;
	int rc = 0;

	spawn_init(&sp);
	sp.argv = argv;
	sp.cwd = cwd;
	sp.wall_s = timeout;
	sp.output = CC_OUTPUT_CAP;
	sp.merge_stderr = 1;
	*ok = 0;
	*output = NULL;
	if (spawn_run(&sp, e) < 0) {
		rc = -1;
	} else if (sp.outcome == SPAWN_EXEC_FAILED) {
		rc = error_set(e, "cannot run the C compiler (%s): %s", CC,
			       strerror(sp.exec_errno));
	} else {
		*ok = sp.outcome == SPAWN_EXITED && sp.exit_code == 0;
		if (sp.outcome == SPAWN_TIMEOUT)
			buf_addf(&sp.out, "\n(the compiler did not finish within %g s)\n",
				 timeout);
		*output = buf_detach(&sp.out, NULL);
	}
	spawn_release(&sp);
	return rc;
}

struct argv_b {
	const char **v;
	size_t n, cap;
};

static void av_add(struct argv_b *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 32;
		a->v = xrealloc(a->v, a->cap * sizeof(char *));
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void av_addv(struct argv_b *a, char *const *v)
{
	for (; v && *v; v++)
		av_add(a, *v);
}

/* The FAILED file: the verdict's name on the first line, the message. */
static int save_failure(const char *dir, enum verdict verdict,
			const char *message)
{
	char *p = path_join(dir, "FAILED");
	char *text = xasprintf("%s\n%s", verdict_name(verdict), message);
	int rc = write_file_atomic(p, text, strlen(text));

	free(p);
	free(text);
	return rc;
}

/* 1 when dir holds a FAILED file (out filled), 0 otherwise. */
static int load_failure(const char *dir, struct unit_build *out)
{
	char *p = path_join(dir, "FAILED");
	struct buf b;
	int found = 0;

	buf_init(&b, 1 << 20);
	if (buf_read_file(&b, p) == 0) {
		char *nl = strchr(b.data, '\n');

		found = 1;
		out->ok = 0;
		out->verdict = VERDICT_ERROR;
		if (nl) {
			*nl = '\0';
			if (verdict_parse(b.data, &out->verdict) < 0)
				out->verdict = VERDICT_ERROR;
			out->message = xstrdup(nl + 1);
		} else {
			out->message = xstrdup("the unit test could not be built");
		}
	}
	buf_release(&b);
	free(p);
	return found;
}

static char *capped(const char *head, const char *output)
{
	size_t len = output ? strlen(output) : 0;

	if (len > MESSAGE_CAP)
		return xasprintf("%s\n%.*s\n... (%zu more bytes)", head,
				 MESSAGE_CAP, output, len - MESSAGE_CAP);
	return xasprintf("%s\n%s", head, output ? output : "");
}

/* ---- stage 1: which files, and are they allowed (once per key) ---- */

/* Fills *sources (NULL-terminated) from KEYDIR/sources, building and
 * checking it first when needed. Returns 0 with *sources or a failure in
 * out, -1 on a fault. */
static int select_sources(const struct spec *s, const struct spec_unit *u,
			  const char *src, const char *keydir,
			  char ***sources, struct unit_build *out,
			  struct error *e)
{
	char *list_path = path_join(keydir, "sources");
	char *dir = path_join(keydir, "check");
	char **cfiles = NULL, **objs = NULL, **names = NULL;
	char *problem = NULL, *output = NULL;
	size_t ncfiles = 0, i, nsel = 0;
	struct symcheck_table tab;
	struct argv_b av = { 0 };
	int rc = -1, ok;

	memset(&tab, 0, sizeof(tab));
	*sources = NULL;
	if (load_failure(keydir, out)) {
		rc = 0;
		goto done;
	}
	if (is_file(list_path)) {
		struct buf b;

		buf_init(&b, 1 << 20);
		if (buf_read_file(&b, list_path) < 0) {
			buf_release(&b);
			rc = error_set(e, "%s: %s", list_path, strerror(errno));
			goto done;
		}
		*sources = xcalloc(MAX_FILES + 1, sizeof(char *));
		for (char *p = b.data, *nl; *p && nsel < MAX_FILES; p = nl + 1) {
			if (!(nl = strchr(p, '\n')))
				break;
			(*sources)[nsel++] = xstrndup(p, (size_t)(nl - p));
		}
		buf_release(&b);
		rc = 0;
		goto done;
	}
	if (u->sources_given && !u->nsources) {
		/* `sources: []`: the suite tests a program, links nothing */
		*sources = xcalloc(1, sizeof(char *));
		if (write_file_atomic(list_path, "", 0) < 0)
			rc = error_set(e, "%s: %s", list_path, strerror(errno));
		else
			rc = 0;
		goto done;
	}
	if (mkdir_p(dir) < 0) {
		rc = error_set(e, "%s: %s", dir, strerror(errno));
		goto done;
	}
	if (copy_student(src, dir, &cfiles, &ncfiles, &problem, e) < 0 ||
	    copy_headers(u, dir, e) < 0)
		goto done;
	for (i = 0; i < u->nsources && !problem; i++) {
		size_t j;

		for (j = 0; j < ncfiles && strcmp(cfiles[j], u->sources[i]); j++)
			;
		if (j == ncfiles)
			problem = xasprintf("missing required file %s", u->sources[i]);
	}
	if (!problem && !ncfiles)
		problem = xstrdup("no .c file in the submission");
	if (problem) {
		out->verdict = VERDICT_COMPILE_ERROR;
		out->message = problem;
		problem = NULL;
		goto failed;
	}
	av_add(&av, CC);
	av_add(&av, "-std=gnu11");
	av_add(&av, "-Wall");
	av_add(&av, "-Wextra");
	av_add(&av, "-pthread");
	av_add(&av, "-O0");
	av_add(&av, "-g");
	av_addv(&av, s->build.cflags);
	av_addv(&av, u->cflags);
	av_add(&av, "-c");
	av_addv(&av, u->sources_given ? u->sources : cfiles);
	if (run_cc(av.v, dir, s->build.timeout_s, &ok, &output, e) < 0)
		goto done;
	if (!ok) {
		out->verdict = VERDICT_COMPILE_ERROR;
		out->message = capped(
			"the library does not compile with the exercise's header(s):",
			output);
		goto failed;
	}
	/* the objects, and which of them to link */
	{
		char *const *files = u->sources_given ? u->sources : cfiles;
		size_t nfiles = u->sources_given ? u->nsources : ncfiles;

		objs = xcalloc(nfiles + 1, sizeof(char *));
		for (i = 0; i < nfiles; i++) {
			char *o = xstrdup(files[i]);

			o[strlen(o) - 1] = 'o';
			objs[i] = path_join(dir, o);
			free(o);
		}
		if (symcheck_read((const char *const *)objs, nfiles, &tab, e) < 0)
			goto done;
		*sources = xcalloc(nfiles + 1, sizeof(char *));
		names = xcalloc(nfiles + 1, sizeof(char *));
		for (i = 0; i < nfiles; i++) {
			if (!u->sources_given && symcheck_defines(&tab, i, "main"))
				continue;
			(*sources)[nsel] = xstrdup(files[i]);
			names[nsel] = xstrdup(files[i]);
			/* keep objs aligned with the selection */
			if (nsel != i) {
				char *tmp = objs[nsel];

				objs[nsel] = objs[i];
				objs[i] = tmp;
			}
			nsel++;
		}
	}
	if (!nsel) {
		out->verdict = VERDICT_COMPILE_ERROR;
		out->message = xstrdup(
			"no .c file without main() in the submission: the library to test is missing");
		goto failed;
	}
	{
		struct symcheck_rules r;

		r.allow = (const char *const *)u->allow;
		r.allow_given = u->allow_given;
		r.deny = (const char *const *)u->deny;
		r.suite_function = u->suite_function;
		if (symcheck_objects((const char *const *)objs,
				     (const char *const *)names, nsel, &r,
				     &problem, e) < 0)
			goto done;
	}
	if (problem) {
		out->verdict = VERDICT_COMPILE_ERROR;
		out->message = xasprintf(
			"the library was refused before testing:\n%s", problem);
		goto failed;
	}
	{
		struct buf b;

		buf_init(&b, 0);
		for (i = 0; i < nsel; i++)
			buf_addf(&b, "%s\n", (*sources)[i]);
		if (write_file_atomic(list_path, b.data, b.len) < 0) {
			buf_release(&b);
			rc = error_set(e, "%s: %s", list_path, strerror(errno));
			goto done;
		}
		buf_release(&b);
	}
	rc = 0;
	goto done;
failed:
	out->ok = 0;
	strv_free(*sources);
	*sources = NULL;
	if (save_failure(keydir, out->verdict, out->message) < 0)
		rc = error_set(e, "%s: %s", keydir, strerror(errno));
	else
		rc = 0;
done:
	symcheck_table_release(&tab);
	strv_free(cfiles);
	strv_free(objs);
	strv_free(names);
	free(problem);
	free(output);
	free(av.v);
	free(list_path);
	free(dir);
	return rc;
}

/* ---- objects shared by gradings ---- */

/*
 * The suite's object and the runner's main do not depend on the
 * submission: compiled once, they are kept in a cache of this machine,
 * $GRADER_CACHE or $TMPDIR/grader-cache-<uid> (GRADER_CACHE=off: none),
 * named by a hash of everything that went into them (source texts, flags,
 * the compiler binary). A directory that is not ours, or not a directory,
 * is not used.
 */
static char *cache_dir(void)
{
	const char *env = getenv("GRADER_CACHE"), *tmp = getenv("TMPDIR");
	struct stat st;
	char *dir;

	if (env && !strcmp(env, "off"))
		return NULL;
	if (env && *env)
		dir = xstrdup(env);
	else
		dir = xasprintf("%s/grader-cache-%ld", tmp && *tmp ? tmp : "/tmp",
				(long)getuid());
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		free(dir);
		return NULL;
	}
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != getuid() || (st.st_mode & 022)) {
		free(dir);
		return NULL;
	}
	return dir;
}

static void fnv_file(uint64_t *h, const char *path)
{
	struct buf b;

	buf_init(&b, 16 << 20);
	if (buf_read_file(&b, path) == 0) {
		size_t i;

		for (i = 0; i < b.len; i++) {
			*h ^= (unsigned char)b.data[i];
			*h *= 1099511628211ULL;
		}
	}
	fnv(h, path);
	buf_release(&b);
}

/* The compiler's identity: the binary cc resolves to, its size and time. */
static void fnv_compiler(uint64_t *h)
{
	struct stat st;
	char id[128];

	if (stat(CC, &st) == 0) {
		snprintf(id, sizeof(id), "%lld:%lld:%lld", (long long)st.st_size,
			 (long long)st.st_mtime, (long long)st.st_ino);
		fnv(h, id);
	}
}

/* The cache entry for an object compiled by argv from the given files. */
static char *cache_entry(const char *cache, const char *kind,
			 char *const *files, const char *const *argv)
{
	uint64_t h = 14695981039346656037ULL;

	if (!cache)
		return NULL;
	fnv(&h, kind);
	fnv_list(&h, files);
	for (; files && *files; files++)
		fnv_file(&h, *files);
	/* the flags, not where the object goes (a fresh directory each time) */
	for (; *argv; argv++) {
		if (!strcmp(*argv, "-o") && argv[1]) {
			argv++;
			continue;
		}
		fnv(&h, *argv);
	}
	fnv_compiler(&h);
	return xasprintf("%s/%s-%016llx.o", cache, kind, (unsigned long long)h);
}

/* Copies a fresh object into the cache, atomically (others may read). */
static void cache_store(const char *entry, const char *object)
{
	char *tmp = xasprintf("%s.%ld.tmp", entry, (long)getpid());

	if (copy_file(object, tmp) == 0 && rename(tmp, entry) == 0) {
		free(tmp);
		return;
	}
	unlink(tmp);
	free(tmp);
}

/* Compiles argv into `object` (named in argv), or takes it from the cache.
 * Same contract as run_cc. */
static int cached_cc(const char *cache, const char *kind, char *const *files,
		     const char *const *argv, const char *cwd, double timeout,
		     const char *object, int *ok, char **output,
		     struct error *e)
{
	char *entry = cache_entry(cache, kind, files, argv);
	int rc;

	if (entry && is_file(entry) && copy_file(entry, object) == 0) {
		free(entry);
		*ok = 1;
		*output = xstrdup("");
		return 0;
	}
	rc = run_cc(argv, cwd, timeout, ok, output, e);
	if (rc == 0 && *ok && entry)
		cache_store(entry, object);
	free(entry);
	return rc;
}

/* ---- stage 2: the binary of one variant ---- */

static int build_variant(const struct spec *s, const struct spec_unit *u,
			 const char *src, const char *vdir, enum variant bv,
			 char *const *sources, struct unit_build *out,
			 struct error *e)
{
	const char *const *vf = build_variant_flags(bv);
	char *student = path_join(vdir, "student");
	char *suitesrc = path_join(vdir, "suite-src");
	char *runtime = unit_runtime_dir();
	char *output = NULL, *problem = NULL, **cfiles = NULL, **objs = NULL;
	char *suite_base = path_basename(u->suite), *main_src = NULL;
	char *define = NULL, *suite_o = path_join(vdir, "suite.o");
	char *main_o = path_join(vdir, "unit_main.o");
	char *cache = cache_dir();
	size_t ncfiles = 0, i, n = 0;
	struct argv_b av = { 0 };
	int rc = -1, ok;

	for (n = 0; sources[n]; n++)
		;
	if (!runtime) {
		out->verdict = VERDICT_ERROR;
		out->message = xstrdup(
			"the grader's runtime (grader/runtime/unit_main.c) was not found: set GRADER_RUNTIME (a fault of the installation, not of the submission)");
		goto failed;
	}
	main_src = path_join(runtime, "unit_main.c");
	if (mkdir_p(student) < 0) {
		rc = error_set(e, "%s: %s", student, strerror(errno));
		goto done;
	}
	/* 1. the student's files, before anything of the suite is near */
	if (!n)
		goto suite;
	if (copy_student(src, student, &cfiles, &ncfiles, &problem, e) < 0 ||
	    copy_headers(u, student, e) < 0)
		goto done;
	av.n = 0;
	av_add(&av, CC);
	av_add(&av, "-std=gnu11");
	av_add(&av, "-Wall");
	av_add(&av, "-Wextra");
	av_add(&av, "-pthread");
	for (i = 0; vf[i]; i++)
		av_add(&av, vf[i]);
	av_addv(&av, s->build.cflags);
	av_addv(&av, u->cflags);
	av_add(&av, "-c");
	av_addv(&av, sources);
	if (run_cc(av.v, student, s->build.timeout_s, &ok, &output, e) < 0)
		goto done;
	if (!ok) {
		out->verdict = VERDICT_COMPILE_ERROR;
		out->message = capped("the library does not compile:", output);
		goto failed;
	}
	free(output);
	output = NULL;
suite:
	/* 2. the suite, from a copy removed at once */
	if (mkdir_p(suitesrc) < 0) {
		rc = error_set(e, "%s: %s", suitesrc, strerror(errno));
		goto done;
	}
	{
		char *to = path_join(suitesrc, suite_base);
		int crc = copy_file(u->suite, to);

		free(to);
		if (crc < 0 || copy_headers(u, suitesrc, e) < 0) {
			rm_rf(suitesrc);
			rc = crc < 0 ? error_set(e, "copying %s: %s", u->suite,
						 strerror(errno))
				     : -1;
			goto done;
		}
	}
	av.n = 0;
	av_add(&av, CC);
	av_add(&av, "-std=gnu11");
	av_add(&av, "-pthread");
	for (i = 0; vf[i]; i++)
		av_add(&av, vf[i]);
	av_addv(&av, u->cflags);
	av_add(&av, "-c");
	av_add(&av, suite_base);
	av_add(&av, "-o");
	av_add(&av, suite_o);
	{
		char **files = xcalloc(u->nheaders + 2, sizeof(char *));

		files[0] = u->suite;
		for (i = 0; i < u->nheaders; i++)
			files[i + 1] = u->headers[i];
		rc = cached_cc(cache, "suite", files, av.v, suitesrc,
			       s->build.timeout_s, suite_o, &ok, &output, e);
		free(files);
	}
	rm_rf(suitesrc);
	if (rc < 0)
		goto done;
	rc = -1;
	if (!ok) {
		out->verdict = VERDICT_ERROR;
		out->message = capped(
			"the instructor's test suite does not compile (a problem of the exercise, not of the submission):",
			output);
		goto failed;
	}
	free(output);
	output = NULL;
	/* 3. the runner's main */
	define = xasprintf("-DUNIT_SUITE_FN=%s", u->suite_function);
	av.n = 0;
	av_add(&av, CC);
	av_add(&av, "-std=gnu11");
	av_add(&av, "-pthread");
	for (i = 0; vf[i]; i++)
		av_add(&av, vf[i]);
	av_add(&av, define);
	av_add(&av, "-c");
	av_add(&av, main_src);
	av_add(&av, "-o");
	av_add(&av, main_o);
	{
		char *files[] = { main_src, NULL };

		if (cached_cc(cache, "unit_main", files, av.v, vdir,
			      s->build.timeout_s, main_o, &ok, &output, e) < 0)
			goto done;
	}
	if (!ok) {
		out->verdict = VERDICT_ERROR;
		out->message = capped("the grader's unit runner does not compile:",
				      output);
		goto failed;
	}
	free(output);
	output = NULL;
	/* 4. link */
	objs = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		char *o = xstrdup(sources[i]);

		o[strlen(o) - 1] = 'o';
		objs[i] = path_join("student", o);
		free(o);
	}
	av.n = 0;
	av_add(&av, CC);
	av_add(&av, "-pthread");
	for (i = 0; vf[i]; i++)
		av_add(&av, vf[i]);
	av_add(&av, "-o");
	av_add(&av, "runner");
	av_add(&av, "suite.o");
	av_add(&av, "unit_main.o");
	av_addv(&av, objs);
	av_addv(&av, s->build.ldflags);
	av_addv(&av, (char *const *)check_libs);
	if (run_cc(av.v, vdir, s->build.timeout_s, &ok, &output, e) < 0)
		goto done;
	if (!ok) {
		out->verdict = VERDICT_COMPILE_ERROR;
		out->message = capped(
			"the library does not link with the tests (a function of the header missing, or defined twice?):",
			output);
		goto failed;
	}
	out->ok = 1;
	out->runner = path_join(vdir, "runner");
	rc = 0;
	goto done;
failed:
	out->ok = 0;
	if (save_failure(vdir, out->verdict, out->message) < 0)
		rc = error_set(e, "%s: %s", vdir, strerror(errno));
	else
		rc = 0;
done:
	free(problem);
	free(output);
	strv_free(cfiles);
	strv_free(objs);
	free(av.v);
	free(student);
	free(suitesrc);
	free(runtime);
	free(suite_base);
	free(main_src);
	free(define);
	free(suite_o);
	free(main_o);
	free(cache);
	return rc;
}

int unit_build_get(const struct spec *s, const struct spec_test *t,
		   const char *submission_dir, const char *workdir,
		   enum variant v, struct unit_build *out, struct error *e)
{
	enum variant bv = build_variant_of(v);
	char *keydir, *vdir, *runner, **sources = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->key = unit_build_key(s, t);
	keydir = xasprintf("%s/unit/%s", workdir, out->key);
	vdir = path_join(keydir, variant_name(bv));
	runner = path_join(vdir, "runner");
	if (is_file(runner)) {
		out->ok = 1;
		out->runner = runner;
		runner = NULL;
		goto done;
	}
	if (load_failure(vdir, out))
		goto done;
	if (mkdir_p(vdir) < 0) {
		rc = error_set(e, "%s: %s", vdir, strerror(errno));
		goto done;
	}
	rc = select_sources(s, t->unit, submission_dir, keydir, &sources, out, e);
	if (rc < 0 || !sources)
		goto done;
	rc = build_variant(s, t->unit, submission_dir, vdir, bv, sources, out, e);
done:
	strv_free(sources);
	free(runner);
	free(vdir);
	free(keydir);
	return rc;
}
