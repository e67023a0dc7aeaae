/*
 * symcheck.c - a student's object files against what they may define and
 * call. See symcheck.h.
 *
 * nm -P -A -g lists every global symbol as "FILE: NAME TYPE [VALUE SIZE]";
 * readelf -S -W lists the sections, where constructors show up whatever
 * way they were written (attribute, section attribute, C++-style).
 */
#define _GNU_SOURCE
#include "symcheck.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "spawn.h"
#include "util.h"

#define MAX_PROBLEMS 12
#define TOOL_OUTPUT (16 << 20)

/* Names a library under test may never define: they decide how the test
 * process starts, ends, forks and is waited for. */
static const char *const never_defined[] = {
	"main",   "exit",   "_exit",   "_Exit",   "quick_exit", "atexit",
	"on_exit", "abort", "fork",    "vfork",   "clone",      "wait",
	"waitpid", "wait3", "wait4",   "waitid",  "kill",       "_init",
	"_fini",  NULL
};

/* The C library's input and output: the runner and Check record results
 * through them (a pipe, a temporary file), and a library linked into the
 * same program that replaced one would see, or write, those records. */
static const char *const io_names[] = {
	"write",  "writev", "pwrite",  "pwrite64", "read",   "readv",
	"pread",  "pread64", "open",   "open64",   "openat", "close",
	"pipe",   "pipe2",   "dup",    "dup2",     "dup3",   "fwrite",
	"fputs",  "fputc",   "putc",   "puts",     "printf", "fprintf",
	"vfprintf", "vprintf", "fflush", "fclose", "fopen",  "fdopen",
	"tmpfile", "mkstemp", "send",  "sendmsg",  "recv",   "recvmsg",
	NULL
};

/* Check's own names (check.h): replacing or calling them changes what the
 * runner records. */
static const char *const check_names[] = {
	"srunner_*", "suite_*", "tcase_*", "tr_*", "_ck_*", "ck_*",
	"check_*",   "_mark_point", NULL
};

static const char *const sanitizer_hooks[] = {
	"__asan_*", "__lsan_*", "__tsan_*", "__ubsan_*", "__msan_*",
	"__sanitizer_*", NULL
};

static const char *matches(const char *const *patterns, const char *name)
{
	size_t i;

	for (i = 0; patterns && patterns[i]; i++)
		if (fnmatch(patterns[i], name, 0) == 0)
			return patterns[i];
	return NULL;
}

const char *symcheck_builtin_reason(const char *name, int calling)
{
	if (matches(check_names, name))
		return calling ? "a library under test may not call Check's functions"
			       : "a library under test may not replace Check's functions";
	if (calling)
		return NULL;
	if (!strcmp(name, "main"))
		return "the unit tests bring their own main(): move yours to another file (or leave it out of the submission)";
	if (matches(never_defined, name))
		return "a library under test may not replace how processes start, end, fork or are waited for";
	if (matches(io_names, name))
		return "a library under test may not replace the C library's input and output, through which the tests report";
	if (matches(sanitizer_hooks, name))
		return "submissions may not configure or switch off the sanitizers";
	return NULL;
}

void symcheck_table_release(struct symcheck_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->syms[i].name);
	free(t->syms);
	memset(t, 0, sizeof(*t));
}

/* Runs a binutils tool on the objects; its stdout into out. */
static int run_tool(const char *tool, const char *const *opts,
		    const char *const *objs, size_t nobjs, struct buf *out,
		    struct error *e)
{
	const char **argv = xcalloc(nobjs + 8, sizeof(char *));
	struct spawn sp;
	size_t n = 0, i;
	int rc = 0;

	argv[n++] = tool;
	for (i = 0; opts[i]; i++)
		argv[n++] = opts[i];
	for (i = 0; i < nobjs; i++)
		argv[n++] = objs[i];
	argv[n] = NULL;
	spawn_init(&sp);
	sp.argv = argv;
	sp.wall_s = 60;
	sp.output = TOOL_OUTPUT;
	if (spawn_run(&sp, e) < 0) {
		rc = -1;
	} else if (sp.outcome != SPAWN_EXITED || sp.exit_code != 0) {
		rc = error_set(e, "%s failed on the unit test's objects (%s, status %d): %.300s",
			       tool, spawn_outcome_name(sp.outcome),
			       sp.exit_code, sp.err.data);
	} else {
		buf_add(out, sp.out.data, sp.out.len);
	}
	spawn_release(&sp);
	free(argv);
	return rc;
}

/* The index of the object a "FILE:" prefix names, or nobjs. */
static size_t object_of(const char *const *objs, size_t nobjs, const char *p,
			size_t len)
{
	size_t i;

	for (i = 0; i < nobjs; i++)
		if (strlen(objs[i]) == len && !strncmp(objs[i], p, len))
			return i;
	return nobjs;
}

int symcheck_read(const char *const *objs, size_t nobjs,
		  struct symcheck_table *t, struct error *e)
{
	static const char *const opts[] = { "-P", "-A", "-g", NULL };
	struct buf out;
	const char *p;
	size_t cap = 0;

	memset(t, 0, sizeof(*t));
	if (!nobjs)
		return 0;
	buf_init(&out, TOOL_OUTPUT);
	if (run_tool("/usr/bin/nm", opts, objs, nobjs, &out, e) < 0) {
		buf_release(&out);
		return -1;
	}
	for (p = out.data; *p;) {
		const char *eol = strchr(p, '\n'), *colon, *name, *sp;
		size_t obj;

		if (!eol)
			eol = p + strlen(p);
		colon = memmem(p, (size_t)(eol - p), ": ", 2);
		if (colon) {
			obj = object_of(objs, nobjs, p, (size_t)(colon - p));
			name = colon + 2;
			sp = memchr(name, ' ', (size_t)(eol - name));
			if (obj < nobjs && sp && sp > name && sp + 1 < eol) {
				struct symcheck_symbol *s;

				if (t->n == cap) {
					cap = cap ? cap * 2 : 64;
					t->syms = xrealloc(t->syms,
							   cap * sizeof(*t->syms));
				}
				s = &t->syms[t->n++];
				s->name = xstrndup(name, (size_t)(sp - name));
				s->type = sp[1];
				s->obj = obj;
			}
		}
		p = *eol ? eol + 1 : eol;
	}
	buf_release(&out);
	return 0;
}

static int is_defined(char type)
{
	return type != 'U' && type != 'w' && type != 'v';
}

int symcheck_defines(const struct symcheck_table *t, size_t obj,
		     const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->syms[i].obj == obj && is_defined(t->syms[i].type) &&
		    !strcmp(t->syms[i].name, name))
			return 1;
	return 0;
}

static int defined_anywhere(const struct symcheck_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (is_defined(t->syms[i].type) && !strcmp(t->syms[i].name, name))
			return 1;
	return 0;
}

static void add_problem(struct buf *b, int *count, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_problem(struct buf *b, int *count, const char *fmt, ...)
{
	va_list ap;

	if (++*count > MAX_PROBLEMS) {
		if (*count == MAX_PROBLEMS + 1)
			buf_adds(b, "... (more problems not shown)\n");
		return;
	}
	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
	buf_addch(b, '\n');
}

/* Sections in which code runs before main() or after it returns. */
static const char *const init_sections[] = {
	".init_array", ".preinit_array", ".ctors", ".fini_array", ".dtors",
	NULL
};

static void check_sections(const char *const *objs, const char *const *names,
			   size_t nobjs, const char *text, struct buf *b,
			   int *count)
{
	size_t cur = nobjs, i;
	const char *p;

	for (p = text; *p;) {
		const char *eol = strchr(p, '\n'), *br;

		if (!eol)
			eol = p + strlen(p);
		if (!strncmp(p, "File: ", 6)) {
			cur = object_of(objs, nobjs, p + 6, (size_t)(eol - p - 6));
		} else if (nobjs == 1) {
			cur = 0;
		}
		/* "  [ 6] .init_array   INIT_ARRAY ..." */
		br = memchr(p, ']', (size_t)(eol - p));
		if (cur < nobjs && br && br[1] == ' ') {
			const char *name = br + 1;
			size_t len;

			while (*name == ' ')
				name++;
			len = strcspn(name, " \n");
			for (i = 0; init_sections[i]; i++) {
				size_t sl = strlen(init_sections[i]);

				if (len >= sl && !strncmp(name, init_sections[i], sl) &&
				    (len == sl || name[sl] == '.'))
					add_problem(b, count,
						    "%s: has a constructor or destructor (section %.*s): no code of a library under test may run before main() or after it",
						    names[cur], (int)len, name);
			}
		}
		p = *eol ? eol + 1 : eol;
	}
}

int symcheck_objects(const char *const *objs, const char *const *names,
		     size_t nobjs, const struct symcheck_rules *r,
		     char **problem, struct error *e)
{
	static const char *const readelf_opts[] = { "-S", "-W", NULL };
	struct symcheck_table t;
	struct buf b, sections;
	char allowed[512] = "";
	size_t i;
	int count = 0;

	*problem = NULL;
	if (!nobjs)
		return 0;
	if (symcheck_read(objs, nobjs, &t, e) < 0)
		return -1;
	buf_init(&b, 1 << 16);
	for (i = 0; r->allow && r->allow[i]; i++)
		snprintf(allowed + strlen(allowed), sizeof(allowed) - strlen(allowed),
			 "%s%s", i ? ", " : "", r->allow[i]);
	if (!allowed[0])
		snprintf(allowed, sizeof(allowed), "(none)");
	for (i = 0; i < t.n; i++) {
		const struct symcheck_symbol *s = &t.syms[i];
		const char *why, *pat;

		if (!is_defined(s->type)) {
			if (s->type != 'U' || defined_anywhere(&t, s->name))
				continue;
			if ((why = symcheck_builtin_reason(s->name, 1)))
				add_problem(&b, &count, "%s: calls '%s': %s",
					    names[s->obj], s->name, why);
			else if ((pat = matches(r->deny, s->name)))
				add_problem(&b, &count,
					    "%s: calls '%s', which this exercise does not allow (rule '%s')",
					    names[s->obj], s->name, pat);
			continue;
		}
		if (s->type == 'i') {
			add_problem(&b, &count,
				    "%s: '%s' is an indirect function (ifunc): its resolver runs before main(), which a library under test may not do",
				    names[s->obj], s->name);
			continue;
		}
		if ((why = symcheck_builtin_reason(s->name, 0)))
			add_problem(&b, &count, "%s: defines '%s': %s",
				    names[s->obj], s->name, why);
		else if (r->suite_function && !strcmp(s->name, r->suite_function))
			add_problem(&b, &count,
				    "%s: defines '%s', the name of the instructor's test suite",
				    names[s->obj], s->name);
		else if ((pat = matches(r->deny, s->name)))
			add_problem(&b, &count,
				    "%s: defines '%s', which this exercise does not allow (rule '%s')",
				    names[s->obj], s->name, pat);
		else if (r->allow_given && !matches(r->allow, s->name))
			add_problem(&b, &count,
				    "%s: defines the global name '%s': only names matching %s may be global here (make helpers `static`)",
				    names[s->obj], s->name, allowed);
	}
	symcheck_table_release(&t);
	buf_init(&sections, TOOL_OUTPUT);
	if (run_tool("/usr/bin/readelf", readelf_opts, objs, nobjs, &sections,
		     e) < 0) {
		buf_release(&sections);
		buf_release(&b);
		return -1;
	}
	check_sections(objs, names, nobjs, sections.data, &b, &count);
	buf_release(&sections);
	if (count)
		*problem = buf_detach(&b, NULL);
	buf_release(&b);
	return 0;
}
