/*
 * build.c - compile a submission in a private directory. See build.h.
 */
#define _GNU_SOURCE
#include "build.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "spawn.h"
#include "util.h"

/* A submission is a handful of files: anything larger is not a solution. */
#define BUILD_MAX_FILES 64
#define BUILD_MAX_FILE_BYTES (1LL << 20)
#define BUILD_OUTPUT_CAP ((long long)256 << 10)
#define BUILD_MEMORY ((long long)2 << 30)

static const char *const flags_plain[] = { "-O2", "-g", NULL };
static const char *const flags_asan[] = { "-O1", "-g", "-fno-omit-frame-pointer",
					   "-fsanitize=address,undefined",
					   "-fno-sanitize-recover=undefined", NULL };
static const char *const flags_tsan[] = { "-O1", "-g", "-fno-omit-frame-pointer",
					  "-fsanitize=thread", NULL };
static const char *const flags_valgrind[] = { "-O0", "-g", NULL };

const char *const *build_variant_flags(enum variant v)
{
	switch (build_variant_of(v)) {
	case VARIANT_ASAN:
		return flags_asan;
	case VARIANT_TSAN:
		return flags_tsan;
	case VARIANT_MEMCHECK:
		return flags_valgrind;
	default:
		return flags_plain;
	}
}

enum variant build_variant_of(enum variant v)
{
	if (v == VARIANT_HELGRIND || v == VARIANT_DRD)
		return VARIANT_MEMCHECK;
	return v;
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

/* Copies the regular .c/.h files of src into dst; lists the .c ones (sorted,
 * so the command line is the same on every machine). Problems the student
 * caused go to *problem (a compile-error message), not to e. */
static int copy_sources(const char *src, const char *dst, char ***cfiles,
			size_t *ncfiles, char **problem, struct error *e)
{
	DIR *d = opendir(src);
	struct dirent *de;
	size_t n = 0, count = 0;
	char **list = xcalloc(BUILD_MAX_FILES + 1, sizeof(char *));

	*problem = NULL;
	if (!d) {
		free(list);
		return error_set(e, "%s: cannot open submission directory: %s",
				 src, strerror(errno));
	}
	while ((de = readdir(d))) {
		struct stat st;
		char *from, *to;

		if (!has_suffix(de->d_name, ".c") && !has_suffix(de->d_name, ".h"))
			continue;
		if (de->d_name[0] == '.')
			continue;
		from = path_join(src, de->d_name);
		if (lstat(from, &st) < 0) {
			free(from);
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			if (!*problem && S_ISLNK(st.st_mode))
				*problem = xasprintf(
					"%s is a symbolic link: submit the file itself",
					de->d_name);
			free(from);
			continue;
		}
		if (++count > BUILD_MAX_FILES || st.st_size > BUILD_MAX_FILE_BYTES) {
			if (!*problem)
				*problem = xasprintf(
					"too many or too large source files (at most %d files of %lld KiB)",
					BUILD_MAX_FILES,
					BUILD_MAX_FILE_BYTES >> 10);
			free(from);
			continue;
		}
		to = path_join(dst, de->d_name);
		if (copy_file(from, to) < 0) {
			int saved = errno;

			free(from);
			free(to);
			closedir(d);
			while (n)
				free(list[--n]);
			free(list);
			return error_set(e, "copying %s into the build directory: %s",
					 de->d_name, strerror(saved));
		}
		/* the compiler runs as the sandbox's uid: it must read the
		 * copy whatever the student's mode was */
		if (chmod(to, 0644) < 0) {
			int saved = errno;

			free(from);
			free(to);
			closedir(d);
			while (n)
				free(list[--n]);
			free(list);
			return error_set(e, "copying %s into the build directory: %s",
					 de->d_name, strerror(saved));
		}
		free(from);
		free(to);
		if (has_suffix(de->d_name, ".c"))
			list[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(list, n, sizeof(char *), cmp_str);
	*cfiles = list;
	*ncfiles = n;
	return 0;
}

/* Keeps the "file:line:col: warning: ..." lines of the compiler's output. */
static void collect_warnings(struct build_result *out,
			     enum warnings_policy policy)
{
	const char *p = out->output;
	size_t cap = 8;

	out->warnings = xcalloc(cap + 1, sizeof(char *));
	out->nwarnings = 0;
	while (policy != WARNINGS_IGNORE && p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (memmem(p, len, ": warning: ", 11)) {
			if (out->nwarnings == cap) {
				cap *= 2;
				out->warnings = xrealloc(out->warnings,
							 (cap + 1) * sizeof(char *));
			}
			out->warnings[out->nwarnings++] = xstrndup(p, len);
			out->warnings[out->nwarnings] = NULL;
		}
		p = eol ? eol + 1 : NULL;
	}
}

/* The tools' options come only from the grader: a submission may not
 * define the sanitizers' hooks (__asan_default_options, __lsan_is_turned_off,
 * __tsan_*, __ubsan_*, ...) nor exempt code from them with attributes.
 * Scanning the source gives the student a file:line; the binary is checked
 * too (nm), for names a macro pastes together. */
static const char *const sanitizer_words[] = {
	"__asan_", "__lsan_", "__tsan_", "__ubsan_", "__msan_", "__sanitizer_",
	"no_sanitize", "no_address_safety_analysis",
	"disable_sanitizer_instrumentation", NULL
};

/* Scans one copied source file; returns a located message or NULL. */
static char *scan_file(const char *dir, const char *name)
{
	char *p = path_join(dir, name), *found = NULL;
	struct buf text;
	size_t i, k;
	int line = 1;

	buf_init(&text, BUILD_MAX_FILE_BYTES + 1);
	if (buf_read_file(&text, p) == 0) {
		for (i = 0; i < text.len && !found; i++) {
			if (text.data[i] == '\n')
				line++;
			for (k = 0; sanitizer_words[k] && !found; k++)
				if (!strncmp(text.data + i, sanitizer_words[k],
					     strlen(sanitizer_words[k])))
					found = xasprintf(
						"%s:%d: uses '%s...': submissions may not configure or switch off the sanitizers (the grader sets their options)",
						name, line, sanitizer_words[k]);
		}
	}
	buf_release(&text);
	free(p);
	return found;
}

static char *scan_for_sanitizer_hooks(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *found = NULL;

	if (!d)
		return NULL;
	while (!found && (de = readdir(d)))
		if (has_suffix(de->d_name, ".c") || has_suffix(de->d_name, ".h"))
			found = scan_file(dir, de->d_name);
	closedir(d);
	return found;
}

/* Symbols the sanitizer runtimes themselves put in an instrumented binary. */
static int runtime_symbol(const char *name, size_t len)
{
	static const char *const allowed[] = {
		"__asan_option_detect_stack_use_after_return", NULL
	};
	size_t i;

	for (i = 0; allowed[i]; i++)
		if (strlen(allowed[i]) == len && !strncmp(name, allowed[i], len))
			return 1;
	return 0;
}

static char *nm_for_sanitizer_hooks(const char *dir, const char *program,
				    struct error *e, int *fault)
{
	const char *argv[] = { "/usr/bin/nm", "--defined-only", program, NULL };
	struct spawn sp;
	char *found = NULL;
	const char *p;

	spawn_init(&sp);
	sp.argv = argv;
	sp.cwd = dir;
	sp.wall_s = 30;
	sp.output = 16 << 20;
	if (spawn_run(&sp, e) < 0) {
		*fault = 1;
		spawn_release(&sp);
		return NULL;
	}
	for (p = sp.out.data; p && *p && !found;) {
		const char *eol = strchr(p, '\n'), *name;
		size_t len;
		size_t k;

		if (!eol)
			eol = p + strlen(p);
		/* the line's last space: "ADDRESS T NAME" */
		name = memrchr(p, ' ', (size_t)(eol - p));
		if (name) {
			name++;
			len = (size_t)(eol - name);
			for (k = 0; sanitizer_words[k] && k < 6 && !found; k++)
				if (!strncmp(name, sanitizer_words[k],
					     strlen(sanitizer_words[k])) &&
				    !runtime_symbol(name, len))
					found = xasprintf(
						"the program defines '%.*s': submissions may not configure or switch off the sanitizers",
						(int)len, name);
		}
		p = *eol ? eol + 1 : eol;
	}
	spawn_release(&sp);
	return found;
}

static void fail_result(struct build_result *out, char *message)
{
	out->ok = 0;
	out->output = message;
	out->warnings = xcalloc(1, sizeof(char *));
	out->nwarnings = 0;
}

int build_submission(const struct spec *s, const char *src_dir,
		     const char *workdir, enum variant v,
		     struct build_result *out, char **program, struct error *e)
{
	enum variant bv = build_variant_of(v);
	char *dir, *prog, *problem = NULL;
	char **cfiles = NULL;
	size_t ncfiles = 0, i, argc = 0;
	const char **argv;
	const char *const *vf;
	struct buf cmd;
	struct spawn sp;
	double t0 = now_seconds();
	int rc = 0;

	memset(out, 0, sizeof(*out));
	*program = NULL;
	dir = xasprintf("%s/build-%s", workdir, variant_name(bv));
	if (mkdir_p(dir) < 0) {
		rc = error_set(e, "%s: %s", dir, strerror(errno));
		free(dir);
		return rc;
	}
	if (copy_sources(src_dir, dir, &cfiles, &ncfiles, &problem, e) < 0) {
		free(dir);
		return -1;
	}
	for (i = 0; i < s->build.nsources && !problem; i++) {
		char *p = path_join(dir, s->build.sources[i]);

		if (!is_file(p))
			problem = xasprintf("missing required file %s (the exercise needs: %s)",
					    s->build.sources[i], s->build.sources[0]);
		free(p);
	}
	if (!problem && ncfiles == 0)
		problem = xstrdup("no .c file in the submission");
	if (!problem)
		problem = scan_for_sanitizer_hooks(dir);
	if (problem) {
		fail_result(out, problem);
		out->command = xstrdup("");
		goto done;
	}

	prog = path_join(dir, s->build.program);
	argv = xcalloc(16 + s->build.ncflags + s->build.nldflags + ncfiles,
		       sizeof(char *));
	argv[argc++] = "cc";
	argv[argc++] = "-std=gnu11";
	argv[argc++] = "-Wall";
	argv[argc++] = "-Wextra";
	argv[argc++] = "-pthread";
	for (vf = build_variant_flags(bv); *vf; vf++)
		argv[argc++] = *vf;
	for (i = 0; i < s->build.ncflags; i++)
		argv[argc++] = s->build.cflags[i];
	if (s->build.warnings == WARNINGS_ERROR)
		argv[argc++] = "-Werror";
	argv[argc++] = "-o";
	argv[argc++] = s->build.program;
	for (i = 0; i < ncfiles; i++)
		argv[argc++] = cfiles[i];
	for (i = 0; i < s->build.nldflags; i++)
		argv[argc++] = s->build.ldflags[i];
	argv[argc++] = "-lrt";
	argv[argc] = NULL;

	buf_init(&cmd, 0);
	for (i = 0; i < argc; i++)
		buf_addf(&cmd, "%s%s", i ? " " : "", argv[i]);
	out->command = buf_detach(&cmd, NULL);
	buf_release(&cmd);

	spawn_init(&sp);
	argv[0] = "/usr/bin/cc";
	sp.argv = argv;
	sp.cwd = dir;
	sp.wall_s = s->build.timeout_s > 0 ? s->build.timeout_s : 60;
	sp.output = BUILD_OUTPUT_CAP;
	sp.merge_stderr = 1;
	sp.processes = 0;
	/* The compiler reads student-controlled input: it runs in the same
	 * sandbox as the program (spawn.h), seeing only its build directory
	 * and the system -- an #include or .incbin of the hidden tests, the
	 * reference or the reports finds nothing -- and with a memory cap
	 * (`.incbin "/dev/zero"` would grow without end). */
	sp.memory = BUILD_MEMORY;
	if (spawn_run(&sp, e) < 0) {
		spawn_release(&sp);
		free(argv);
		free(prog);
		rc = -1;
		goto done;
	}
	out->output = buf_detach(&sp.out, NULL);
	if (sp.outcome == SPAWN_EXEC_FAILED) {
		rc = error_set(e, "cannot run the C compiler (cc): %s",
			       strerror(sp.exec_errno));
	} else if (sp.outcome == SPAWN_TIMEOUT) {
		char *msg = xasprintf("%sthe compiler did not finish within %g s",
				      out->output, sp.wall_s);

		free(out->output);
		out->output = msg;
		out->ok = 0;
	} else {
		out->ok = sp.outcome == SPAWN_EXITED && sp.exit_code == 0 &&
			  is_file(prog);
	}
	collect_warnings(out, s->build.warnings);
	/* hooks spelled out in the sources were refused by the scan above;
	 * the symbol table finds those a macro assembled. Only where they can
	 * act: a plain build has no sanitizer runtime to configure, and nm
	 * (100 ms and more: it loads libbfd) is then the largest cost of a
	 * grading after the compiler. */
	if (out->ok && bv != VARIANT_PLAIN) {
		int fault = 0;
		char *hook = nm_for_sanitizer_hooks(dir, prog, e, &fault);

		if (fault)
			rc = -1;
		if (hook) {
			char *msg = xasprintf("%s%s\n", out->output, hook);

			free(out->output);
			out->output = msg;
			out->ok = 0;
			free(hook);
		}
	}
	if (out->ok)
		*program = prog;
	else
		free(prog);
	spawn_release(&sp);
	free(argv);
done:
	out->seconds = now_seconds() - t0;
	for (i = 0; i < ncfiles; i++)
		free(cfiles[i]);
	free(cfiles);
	free(dir);
	return rc;
}
