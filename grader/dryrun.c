/*
 * dryrun.c - the shell script of `grader grade --dry-run`. See dryrun.h.
 *
 * It follows grade_submission() step by step with the same public pieces
 * the pipeline uses (build_variant_of/build_variant_flags for the compiler
 * command, variant_prepare for the tools' prefix and environment,
 * toolchain_prefix, the spec's args/env/stdin), so that what it prints is
 * what grading runs. A test (check_dryrun.c) holds it to that: the compile
 * command it prints is the one grading records in the build result.
 */
#define _GNU_SOURCE
#include "dryrun.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "build.h"
#include "toolchain.h"
#include "util.h"
#include "variant.h"

/* A shell word for s: single-quoted unless it is plainly safe. */
static void sh_word(struct buf *b, const char *s)
{
	const char *p;
	int plain = *s != '\0';

	for (p = s; *p && plain; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_-+./=:,@%", *p))
			plain = 0;
	if (plain) {
		buf_adds(b, s);
		return;
	}
	buf_addch(b, '\'');
	for (p = s; *p; p++) {
		if (*p == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addch(b, *p);
	}
	buf_addch(b, '\'');
}

/* A shell word for s in which every occurrence of `from` becomes the
 * (double-quoted) shell text `to`, e.g. a temporary path -> "$W/logs". */
static void sh_word_sub(struct buf *b, const char *s, const char *from, const char *to)
{
	size_t fl = strlen(from);
	const char *p = s, *hit;

	if (!fl || !strstr(s, from)) {
		sh_word(b, s);
		return;
	}
	while ((hit = strstr(p, from))) {
		if (hit > p) {
			char *part = xstrndup(p, (size_t)(hit - p));

			sh_word(b, part);
			free(part);
		}
		buf_addf(b, "\"%s\"", to);
		p = hit + fl;
	}
	if (*p)
		sh_word(b, p);
}

static int has_suffix(const char *s, const char *suf)
{
	size_t ls = strlen(s), lf = strlen(suf);

	return ls >= lf && !strcmp(s + ls - lf, suf);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files build.c copies (regular .c/.h files, not hidden) and the .c
 * ones it compiles, both sorted as build.c sorts them. */
static int list_sources(const char *dir, char ***all, size_t *nall, char ***cfiles,
			size_t *nc, struct error *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	*all = NULL;
	*cfiles = NULL;
	*nall = *nc = 0;
	if (!d)
		return error_set(e, "%s: cannot open submission directory: %s", dir,
				 strerror(errno));
	while ((de = readdir(d))) {
		struct stat st;
		char *p;

		if (de->d_name[0] == '.' ||
		    (!has_suffix(de->d_name, ".c") && !has_suffix(de->d_name, ".h")))
			continue;
		p = path_join(dir, de->d_name);
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			*all = xrealloc(*all, (*nall + 1) * sizeof(char *));
			(*all)[(*nall)++] = xstrdup(de->d_name);
			if (has_suffix(de->d_name, ".c")) {
				*cfiles = xrealloc(*cfiles, (*nc + 1) * sizeof(char *));
				(*cfiles)[(*nc)++] = xstrdup(de->d_name);
			}
		}
		free(p);
	}
	closedir(d);
	if (*nall)
		qsort(*all, *nall, sizeof(char *), cmp_str);
	if (*nc)
		qsort(*cfiles, *nc, sizeof(char *), cmp_str);
	return 0;
}

static void free_list(char **v, size_t n)
{
	while (n)
		free(v[--n]);
	free(v);
}

/* The compile step of one build: copy, then cc in the build directory.
 * `srcvar` is the shell variable holding the source directory; `dirvar`
 * the build directory's shell text. */
static int emit_build(struct buf *b, const struct spec *s, const char *src_dir,
		      const char *srcvar, const char *dirtext, enum variant bv,
		      struct error *e)
{
	char **all, **cfiles;
	size_t nall, nc, i;
	const char *const *vf;

	if (list_sources(src_dir, &all, &nall, &cfiles, &nc, e) < 0)
		return -1;
	buf_addf(b, "mkdir -p \"%s\"\n", dirtext);
	if (nall) {
		buf_adds(b, "cp --");
		for (i = 0; i < nall; i++) {
			buf_addf(b, " \"$%s\"/", srcvar);
			sh_word(b, all[i]);
		}
		buf_addf(b, " \"%s/\"\n", dirtext);
	}
	buf_addf(b, "(cd \"%s\" && exec cc -std=gnu11 -Wall -Wextra -pthread", dirtext);
	for (vf = build_variant_flags(bv); *vf; vf++) {
		buf_addch(b, ' ');
		sh_word(b, *vf);
	}
	for (i = 0; i < s->build.ncflags; i++) {
		buf_addch(b, ' ');
		sh_word(b, s->build.cflags[i]);
	}
	if (s->build.warnings == WARNINGS_ERROR)
		buf_adds(b, " -Werror");
	buf_adds(b, " -o ");
	sh_word(b, s->build.program);
	for (i = 0; i < nc; i++) {
		buf_addch(b, ' ');
		sh_word(b, cfiles[i]);
	}
	for (i = 0; i < s->build.nldflags; i++) {
		buf_addch(b, ' ');
		sh_word(b, s->build.ldflags[i]);
	}
	buf_adds(b, " -lrt) >\"$W/build.log\" 2>&1 || echo \"dry-run: the build failed (see $W/build.log)\" >&2\n");
	free_list(all, nall);
	free_list(cfiles, nc);
	return 0;
}

/* One run: fresh run and log directories, then the program under env -i
 * with the variant's prefix and environment and the test's. */
static int emit_run(struct buf *b, const struct spec_test *t, enum variant v,
		    const char *progtext, const char *stdin_text, struct error *e)
{
	struct variant_run vr;
	char *tmp = make_temp_dir("dryrun");
	char *logdir;
	const char *const *tp;
	size_t i;

	if (!tmp)
		return error_set(e, "cannot create a temporary directory: %s",
				 strerror(errno));
	logdir = path_join(tmp, "logs");
	if (variant_prepare(v, logdir, &vr) < 0) {
		error_set(e, "%s: %s", logdir, strerror(errno));
		rm_rf(tmp);
		free(tmp);
		free(logdir);
		return -1;
	}
	buf_adds(b, "rm -rf \"$W/run\" \"$W/logs\" && mkdir -p \"$W/run\" \"$W/logs\"\n");
	buf_adds(b, "(cd \"$W/run\" && exec env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8");
	for (i = 0; i < vr.nenv; i++) {
		buf_addch(b, ' ');
		sh_word_sub(b, vr.env[i], logdir, "$W/logs");
	}
	for (i = 0; i < t->nenv; i++) {
		buf_addch(b, ' ');
		sh_word(b, t->env[i]);
	}
	tp = v == VARIANT_PLAIN ? NULL : toolchain_prefix(v);
	for (i = 0; tp && tp[i]; i++) {
		buf_addch(b, ' ');
		sh_word(b, tp[i]);
	}
	for (i = 0; i < vr.nprefix; i++) {
		buf_addch(b, ' ');
		sh_word_sub(b, vr.prefix[i], logdir, "$W/logs");
	}
	buf_addf(b, " \"%s\"", progtext);
	for (i = 0; i < t->nargs; i++) {
		buf_addch(b, ' ');
		sh_word(b, t->args[i]);
	}
	buf_addf(b, " <%s) >\"$W/stdout\" 2>\"$W/stderr\" || :\n", stdin_text);
	variant_run_release(&vr);
	rm_rf(tmp);
	free(tmp);
	free(logdir);
	return 0;
}

static int needs_reference(const struct spec_test *t)
{
	size_t i;

	for (i = 0; i < t->nchecks; i++)
		if (t->checks[i].expected.kind == TEXT_REFERENCE)
			return 1;
	return 0;
}

static void limits_comment(struct buf *b, const struct spec_test *t, double scale)
{
	buf_addf(b, "# limits the grader enforces here (not this script): wall %g s, CPU %g s,"
		    " memory %lld MiB, output %lld KiB per stream, %d processes, %d open files\n",
		 t->limits.wall_s * scale, t->limits.cpu_s * scale, t->limits.memory >> 20,
		 t->limits.output >> 10, t->limits.processes, t->limits.open_files);
}

/* The stdin of test ti as shell text: a file of the exercise, /dev/null,
 * or a file written into inputs_dir now. */
static char *stdin_for(const struct spec_test *t, size_t ti, const char *inputs_dir,
		       struct error *e)
{
	struct buf w;
	char *data = NULL, *path, *out;
	size_t len = 0;

	buf_init(&w, 0);
	if (t->in.kind == TEXT_NONE) {
		buf_release(&w);
		return xstrdup("/dev/null");
	}
	if (t->in.kind == TEXT_FILE) {
		path = xstrdup(t->in.path);
	} else {
		if (spec_text_materialize(&t->in, &data, &len, e) < 0) {
			buf_release(&w);
			return NULL;
		}
		if (mkdir_p(inputs_dir) < 0) {
			error_set(e, "%s: %s", inputs_dir, strerror(errno));
			free(data);
			buf_release(&w);
			return NULL;
		}
		path = xasprintf("%s/stdin-%zu", inputs_dir, ti);
		if (write_file_atomic(path, data, len) < 0) {
			error_set(e, "cannot write %s: %s", path, strerror(errno));
			free(data);
			free(path);
			buf_release(&w);
			return NULL;
		}
		free(data);
	}
	sh_word(&w, path);
	free(path);
	out = buf_detach(&w, NULL);
	buf_release(&w);
	return out;
}

int dryrun_script(const struct spec *s, const struct grade_opts *o,
		  const char *inputs_dir, FILE *out, struct error *e)
{
	struct buf b;
	char *sub = NULL, *refdir = NULL, *inputs = NULL;
	unsigned needed = 0;
	int built[VARIANT__COUNT] = { 0 }, any_ref = 0, rc = -1;
	size_t ti;
	enum variant v;

	if (!is_dir(o->submission_dir))
		return error_set(e, "%s: not a directory", o->submission_dir);
	sub = path_real(o->submission_dir);
	if (!sub)
		return error_set(e, "%s: %s", o->submission_dir, strerror(errno));
	if (mkdir_p(inputs_dir) < 0 || !(inputs = path_real(inputs_dir))) {
		error_set(e, "%s: %s", inputs_dir, strerror(errno));
		free(sub);
		return -1;
	}
	refdir = o->reference_dir ? path_real(o->reference_dir)
				  : path_join(s->dir, "solution");
	buf_init(&b, 0);
	for (ti = 0; ti < s->ntests; ti++) {
		const struct spec_test *t = &s->tests[ti];

		if (o->public_only && t->visibility != VIS_VISIBLE)
			continue;
		needed |= t->variants & (o->variants ? o->variants : ~0u);
		if (t->variants & (o->variants ? o->variants : ~0u))
			any_ref |= needs_reference(t);
	}

	buf_adds(&b, "#!/bin/sh\n"
		     "# `grader grade --dry-run`: the compile and run commands grading runs,\n"
		     "# bare (no limits, no isolation, no checks). See grader/dryrun.h.\n"
		     "#   sh THIS [TEST...]   W=DIR keeps the working directory; SKIP_BUILD=1 reuses its builds\n");
	buf_addf(&b, "# exercise: %s   grader %s\n", s->name, GRADER_VERSION);
	buf_adds(&b, "set -u\n"
		     "if [ -n \"${W:-}\" ]; then mkdir -p \"$W\"; keep=1; else\n"
		     "\tW=$(mktemp -d \"${TMPDIR:-/tmp}/grader-dryrun-XXXXXX\") || exit 2; keep=0\n"
		     "fi\n"
		     "trap '[ \"$keep\" = 1 ] || rm -rf \"$W\"' EXIT\n"
		     "want() {\n"
		     "\t[ $# -gt 0 ] || return 1\n"
		     "\tt=$1; shift\n"
		     "\t[ \"$NTESTS\" -eq 0 ] && return 0\n"
		     "\tfor a in $TESTS; do [ \"$a\" = \"$t\" ] && return 0; done\n"
		     "\treturn 1\n"
		     "}\n"
		     "NTESTS=$#; TESTS=\"$*\"\n");
	buf_adds(&b, "SUB=");
	sh_word(&b, sub);
	buf_adds(&b, "\nREF=");
	sh_word(&b, refdir);
	buf_adds(&b, "\n\nif [ \"${SKIP_BUILD:-0}\" != 1 ]; then\n");
	/* grade.c: every needed build variant, in variant order, first */
	for (v = 0; v < VARIANT__COUNT; v++) {
		enum variant bv = build_variant_of(v);
		char *dirtext;

		if (!(needed & VARIANT_BIT(v)) || built[bv])
			continue;
		built[bv] = 1;
		dirtext = xasprintf("$W/build-%s", variant_name(bv));
		buf_addf(&b, "# build %s\n", variant_name(bv));
		if (emit_build(&b, s, sub, "SUB", dirtext, bv, e) < 0) {
			free(dirtext);
			goto out;
		}
		free(dirtext);
	}
	if (any_ref && is_dir(refdir)) {
		buf_adds(&b, "# the reference solution (grading builds it on first need)\n");
		if (emit_build(&b, s, refdir, "REF", "$W/ref/build-plain", VARIANT_PLAIN, e) < 0)
			goto out;
	}
	buf_adds(&b, "fi\n");

	for (ti = 0; ti < s->ntests; ti++) {
		const struct spec_test *t = &s->tests[ti];
		unsigned vs = t->variants & (o->variants ? o->variants : ~0u);
		char *in;
		int i;

		if ((o->public_only && t->visibility != VIS_VISIBLE) || !vs)
			continue;
		if (!(in = stdin_for(t, ti, inputs, e)))
			goto out;
		buf_addf(&b, "\n# ---- test %s\nif want ", t->name);
		sh_word(&b, t->name);
		buf_adds(&b, "; then\n");
		if (needs_reference(t)) {
			char *prog = xasprintf("$W/ref/build-plain/%s", s->build.program);

			buf_adds(&b, "# the reference solution's output, for the checks\n");
			if (emit_run(&b, t, VARIANT_PLAIN, prog, in, e) < 0) {
				free(prog);
				free(in);
				goto out;
			}
			free(prog);
		}
		for (v = 0; v < VARIANT__COUNT; v++) {
			char *prog;

			if (!(vs & VARIANT_BIT(v)))
				continue;
			prog = xasprintf("$W/build-%s/%s", variant_name(build_variant_of(v)),
					 s->build.program);
			buf_addf(&b, "# %s [%s], %d run%s\n", t->name, variant_name(v),
				 t->repeat, t->repeat == 1 ? "" : "s");
			limits_comment(&b, t, variant_time_scale(v));
			for (i = 0; i < t->repeat; i++) {
				if (emit_run(&b, t, v, prog, in, e) < 0) {
					free(prog);
					free(in);
					goto out;
				}
			}
			free(prog);
		}
		buf_adds(&b, "fi\n");
		free(in);
	}
	if (fwrite(b.data, 1, b.len, out) != b.len || fflush(out) != 0) {
		error_set(e, "writing the script: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	buf_release(&b);
	free(sub);
	free(refdir);
	free(inputs);
	return rc;
}
