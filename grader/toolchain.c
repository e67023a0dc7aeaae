/*
 * toolchain.c - probes that the compiler, the sanitizers and valgrind work
 * here, once per process, and the host checks of `grader doctor`.
 * See toolchain.h.
 */
#define _GNU_SOURCE
#include "toolchain.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "buf.h"
#include "build.h"
#include "procacct.h"
#include "spawn.h"
#include "util.h"
#include "variant.h"

#define VALGRIND "/usr/bin/valgrind"
#define PROBE_OUTPUT_CAP ((long long)256 << 10)

/* One source for every probe: argv[1] picks the behaviour, so each variant
 * needs one compilation. The overflow goes through a volatile global
 * pointer: with a local one gcc -O1 drops the store (it is freed next) or
 * UBSan's object-size check catches it first; ASan itself must report it. The correct mode uses threads, a mutex and the
 * heap, so a tool that cannot cope with any of those fails it. The counter
 * is volatile so the racy loop stays a loop at -O1. */
static const char probe_src[] =
	"#include <pthread.h>\n"
	"#include <stdio.h>\n"
	"#include <stdlib.h>\n"
	"#include <string.h>\n"
	"static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;\n"
	"static volatile long counter;\n"
	"static int locked;\n"
	"static char *leaked;\n"
	"static char *volatile heap;\n"
	"static void *work(void *arg)\n"
	"{\n"
	"\tint i;\n"
	"\t(void)arg;\n"
	"\tfor (i = 0; i < 1000; i++) {\n"
	"\t\tif (locked)\n\t\t\tpthread_mutex_lock(&m);\n"
	"\t\tcounter++;\n"
	"\t\tif (locked)\n\t\t\tpthread_mutex_unlock(&m);\n"
	"\t}\n"
	"\treturn NULL;\n"
	"}\n"
	"static int two_threads(void)\n"
	"{\n"
	"\tpthread_t a, b;\n"
	"\tif (pthread_create(&a, NULL, work, NULL) || pthread_create(&b, NULL, work, NULL))\n"
	"\t\treturn 1;\n"
	"\tpthread_join(a, NULL);\n"
	"\tpthread_join(b, NULL);\n"
	"\treturn 0;\n"
	"}\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"\tconst char *mode = argc > 1 ? argv[1] : \"ok\";\n"
	"\tif (!strcmp(mode, \"ok\")) {\n"
	"\t\tchar *p = malloc(16);\n"
	"\t\tif (!p)\n\t\t\treturn 1;\n"
	"\t\tsnprintf(p, 16, \"toolchain-ok\");\n"
	"\t\tlocked = 1;\n"
	"\t\tif (two_threads())\n\t\t\treturn 1;\n"
	"\t\tprintf(\"%s %ld\\n\", p, counter);\n"
	"\t\tfree(p);\n"
	"\t\treturn 0;\n"
	"\t}\n"
	"\tif (!strcmp(mode, \"overflow\")) {\n"
	"\t\tvolatile int i = 8;\n"
	"\t\theap = malloc(8);\n"
	"\t\tif (!heap)\n\t\t\treturn 1;\n"
	"\t\theap[i] = 1;\n"
	"\t\tfree(heap);\n"
	"\t\treturn 0;\n"
	"\t}\n"
	"\tif (!strcmp(mode, \"race\"))\n"
	"\t\treturn two_threads();\n"
	"\tif (!strcmp(mode, \"leak\")) {\n"
	"\t\tleaked = malloc(100);\n"
	"\t\tif (!leaked)\n\t\t\treturn 1;\n"
	"\t\tleaked[0] = 1;\n"
	"\t\tleaked = NULL;\n"
	"\t\treturn 0;\n"
	"\t}\n"
	"\treturn 3;\n"
	"}\n";
#define PROBE_EXPECTED "toolchain-ok 2000\n"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct toolchain_status table[VARIANT__COUNT];
static int use_setarch[VARIANT__COUNT];
static unsigned probe_count;
static const char *test_cc;
static int simulate_aslr;

static char machine[sizeof(((struct utsname *)0)->machine)];
static const char *setarch_prefix[] = { "setarch", machine, "-R", NULL };
static const char *const no_prefix[] = { NULL };

const char *toolchain_state_name(enum toolchain_state s)
{
	switch (s) {
	case TOOLCHAIN_OK:
		return "OK";
	case TOOLCHAIN_DEGRADED:
		return "DEGRADED";
	case TOOLCHAIN_MISSING:
		return "MISSING";
	default:
		return "BROKEN";
	}
}

/* Reads a small integer from a /proc file; -1 when absent or unreadable. */
static long read_proc_long(const char *path)
{
	struct buf b;
	long v = -1;

	buf_init(&b, 4096);
	if (buf_read_file(&b, path) == 0 && b.len > 0) {
		char *end;

		errno = 0;
		v = strtol(b.data, &end, 10);
		if (errno || end == b.data)
			v = -1;
	}
	buf_release(&b);
	return v;
}

int toolchain_mmap_rnd_bits(void)
{
	if (simulate_aslr)
		return 32;
	return (int)read_proc_long("/proc/sys/vm/mmap_rnd_bits");
}

static const char *probe_cc(void)
{
	const char *cc = getenv("GRADER_CC");

	if (test_cc)
		return test_cc;
	return cc && *cc ? cc : "/usr/bin/cc";
}

/* The first non-blank line of s, at most 200 bytes, into out. */
static void first_line(const char *s, char *out, size_t outsz)
{
	size_t n;

	while (*s == '\n' || *s == '\r' || *s == ' ' || *s == '\t')
		s++;
	for (n = 0; s[n] && s[n] != '\n' && n < 200; n++)
		;
	snprintf(out, outsz, "%.*s", (int)n, s);
}

/* The first line of a valgrind or sanitizer report that says something:
 * valgrind starts its lines with ==pid==, sanitizers with a row of '='. */
static void report_line(const char *s, char *out, size_t outsz)
{
	const char *p = s;

	out[0] = '\0';
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *t = p;

		if (*t == '=' && (t = strstr(t + 1, "== ")) && t < p + len)
			t += 3;
		else if (*p == '=')
			t = p + len;
		else
			t = p;
		while (t < p + len && (*t == ' ' || *t == '\t'))
			t++;
		if (t < p + len) {
			snprintf(out, outsz, "%.*s", (int)(p + len - t), t);
			return;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
}

static void describe_outcome(const struct spawn *sp, char *out, size_t outsz)
{
	switch (sp->outcome) {
	case SPAWN_EXITED:
		snprintf(out, outsz, "exit %d", sp->exit_code);
		break;
	case SPAWN_SIGNALED:
		snprintf(out, outsz, "killed by signal %d", sp->term_signal);
		break;
	case SPAWN_EXEC_FAILED:
		snprintf(out, outsz, "cannot be started: %s", strerror(sp->exec_errno));
		break;
	default:
		snprintf(out, outsz, "%s", spawn_outcome_name(sp->outcome));
		break;
	}
}

static void set_status(struct toolchain_status *st, enum toolchain_state s,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_status(struct toolchain_status *st, enum toolchain_state s,
		       const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	st->state = s;
	st->ok = s == TOOLCHAIN_OK || s == TOOLCHAIN_DEGRADED;
	free(st->problem);
	st->problem = NULL;
	if (!fmt)
		return;
	buf_init(&b, 4096);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	st->problem = buf_detach(&b, NULL);
}

/* What one run of the probe produced. */
struct probe_run {
	struct spawn sp;
	struct buf logs;  /* the tool's reports */
	int reports;      /* how many non-empty reports */
};

static void probe_run_release(struct probe_run *r)
{
	spawn_release(&r->sp);
	buf_release(&r->logs);
}

/* Runs `[setarch] [tool prefix] prog mode` as grade.c would. Returns 0 (r
 * filled, whatever the outcome) or -1 on a fault of the grader. */
static int run_probe(const char *tmp, const char *prog, const char *mode,
		     enum variant v, int setarch, struct probe_run *r,
		     struct error *e)
{
	struct variant_run vr;
	char *logdir = path_join(tmp, "logs");
	const char **argv;
	const char **envp;
	size_t n = 0, i;
	int rc = 0;

	spawn_init(&r->sp);
	buf_init(&r->logs, 1 << 20);
	r->reports = 0;
	if (variant_prepare(v, logdir, &vr) < 0) {
		rc = error_set(e, "%s: %s", logdir, strerror(errno));
		free(logdir);
		return rc;
	}
	argv = xcalloc(vr.nprefix + 6, sizeof(char *));
	if (setarch)
		for (i = 0; setarch_prefix[i]; i++)
			argv[n++] = setarch_prefix[i];
	for (i = 0; i < vr.nprefix; i++)
		argv[n++] = vr.prefix[i];
	argv[n++] = prog;
	argv[n++] = mode;
	argv[n] = NULL;
	envp = xcalloc(vr.nenv + 3, sizeof(char *));
	n = 0;
	envp[n++] = "PATH=/usr/local/bin:/usr/bin:/bin";
	envp[n++] = "LANG=C.UTF-8";
	for (i = 0; i < vr.nenv; i++)
		envp[n++] = vr.env[i];
	envp[n] = NULL;

	r->sp.argv = argv;
	r->sp.envp = envp;
	r->sp.cwd = tmp;
	r->sp.wall_s = 60;
	r->sp.output = PROBE_OUTPUT_CAP;
	if (spawn_run(&r->sp, e) < 0)
		rc = -1;
	else
		r->reports = variant_collect_logs(&vr, &r->logs);
	variant_run_release(&vr);
	free(argv);
	free(envp);
	free(logdir);
	return rc;
}

/* Whether a valgrind log holds nothing but --track-fds entries for
 * descriptors "<inherited from parent>". valgrind 3.19 lists its own
 * --log-file that way, so every memcheck log has such a block; a program
 * that opened nothing cannot be blamed for it. */
static int only_inherited_fds(const char *log)
{
	const char *p = log;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *t = p, *end = p + len;

		if (*t == '=' && (t = strstr(p + 1, "==")) && t < end)
			t += 2;
		else
			t = p;
		while (t < end && (*t == ' ' || *t == '\t'))
			t++;
		if (t < end && strncmp(t, "FILE DESCRIPTORS:", 17) &&
		    strncmp(t, "Open file descriptor", 20) &&
		    strncmp(t, "<inherited from parent>", 23))
			return 0;
		if (!nl)
			break;
		p = nl + 1;
	}
	return 1;
}

/* The correct program worked: exit 0, the expected output, no report. */
static int good_run(const struct probe_run *r)
{
	return r->sp.outcome == SPAWN_EXITED && r->sp.exit_code == 0 &&
	       !strcmp(r->sp.out.data, PROBE_EXPECTED) &&
	       (r->reports == 0 || only_inherited_fds(r->logs.data));
}

/* Whether a failed asan/tsan start looks like the mmap_rnd_bits problem. */
static int aslr_failure(const struct probe_run *r, int rnd_bits)
{
	static const char *const marks[] = {
		"unexpected memory mapping", "Shadow memory range interleaves",
		"ReserveShadowMemoryRange", "failed to allocate", NULL };
	size_t i;

	if (rnd_bits >= 32)
		return 1;
	for (i = 0; marks[i]; i++)
		if (strstr(r->sp.err.data, marks[i]) || strstr(r->logs.data, marks[i]))
			return 1;
	return 0;
}

/* Why the correct program failed, as a sentence with its fix. */
static void explain_bad_run(struct toolchain_status *st, enum variant v,
			    const struct probe_run *r)
{
	char what[128], line[256] = "";
	const char *name = variant_name(v);

	describe_outcome(&r->sp, what, sizeof(what));
	if (r->sp.outcome == SPAWN_EXEC_FAILED && v >= VARIANT_MEMCHECK) {
		set_status(st, TOOLCHAIN_MISSING,
			   "valgrind cannot be run (%s): apt-get install valgrind", what);
		return;
	}
	if (strstr(r->sp.err.data, "libc6-dbg") ||
	    strstr(r->logs.data, "mandatory") || strstr(r->sp.err.data, "mandatory")) {
		set_status(st, TOOLCHAIN_BROKEN,
			   "valgrind cannot start without libc's debug symbols: apt-get install libc6-dbg");
		return;
	}
	if (r->reports > 0)
		report_line(r->logs.data, line, sizeof(line));
	if (!line[0])
		report_line(r->sp.err.data, line, sizeof(line));
	if (!line[0] && strcmp(r->sp.out.data, PROBE_EXPECTED))
		snprintf(line, sizeof(line), "unexpected output '%.60s'", r->sp.out.data);
	set_status(st, TOOLCHAIN_BROKEN,
		   "a correct test program fails under %s (%s)%s%s", name, what,
		   line[0] ? ": " : "", line);
}

/* The planted bug of each tool, and a word its report must contain. */
static void planted_bug(enum variant v, const char **mode, const char **what,
			const char **mark)
{
	switch (v) {
	case VARIANT_ASAN:
		*mode = "overflow", *what = "heap buffer overflow";
		*mark = "heap-buffer-overflow";
		break;
	case VARIANT_TSAN:
		*mode = "race", *what = "data race", *mark = "data race";
		break;
	case VARIANT_MEMCHECK:
		*mode = "leak", *what = "memory leak", *mark = "definitely lost";
		break;
	case VARIANT_HELGRIND:
		*mode = "race", *what = "data race", *mark = "data race";
		break;
	default: /* drd */
		*mode = "race", *what = "data race", *mark = "Conflicting";
		break;
	}
}

/* Compiles the probe for v into tmp/t-<variant>. Returns 1 when it built,
 * 0 when it did not (st says why), -1 on a fault of the grader. */
static int compile_probe(const char *tmp, enum variant v, const char *out,
			 struct toolchain_status *st, struct error *e)
{
	const char *argv[32];
	const char *const *f;
	const char *cc = probe_cc();
	struct spawn sp;
	size_t n = 0;
	char line[256];
	int rc = 1;

	argv[n++] = cc;
	argv[n++] = "-std=gnu11";
	argv[n++] = "-Wall";
	argv[n++] = "-Wextra";
	argv[n++] = "-pthread";
	for (f = build_variant_flags(v); *f && n < 24; f++)
		argv[n++] = *f;
	argv[n++] = "-o";
	argv[n++] = out;
	argv[n++] = "t.c";
	argv[n++] = "-lrt";
	argv[n] = NULL;

	spawn_init(&sp);
	sp.argv = argv;
	sp.cwd = tmp;
	sp.wall_s = 60;
	sp.merge_stderr = 1;
	sp.output = PROBE_OUTPUT_CAP;
	if (spawn_run(&sp, e) < 0) {
		spawn_release(&sp);
		return -1;
	}
	if (sp.outcome == SPAWN_EXEC_FAILED) {
		set_status(st, TOOLCHAIN_MISSING,
			   "C compiler %s cannot be run (%s): apt-get install gcc",
			   cc, strerror(sp.exec_errno));
		rc = 0;
	} else if (sp.outcome != SPAWN_EXITED || sp.exit_code != 0) {
		const char *o = sp.out.data;

		first_line(o, line, sizeof(line));
		if (strstr(o, "-lasan") || strstr(o, "libasan"))
			set_status(st, TOOLCHAIN_MISSING,
				   "the compiler's ASan runtime is missing: apt-get install libasan8");
		else if (strstr(o, "-lubsan") || strstr(o, "libubsan"))
			set_status(st, TOOLCHAIN_MISSING,
				   "the compiler's UBSan runtime is missing: apt-get install libubsan1");
		else if (strstr(o, "-ltsan") || strstr(o, "libtsan"))
			set_status(st, TOOLCHAIN_MISSING,
				   "the compiler's TSan runtime is missing: apt-get install libtsan2");
		else
			set_status(st, TOOLCHAIN_BROKEN,
				   "%s cannot compile a test program with the %s flags: %s",
				   cc, variant_name(v), line[0] ? line : "no message");
		rc = 0;
	}
	spawn_release(&sp);
	return rc;
}

/* Probes one variant into st. Returns 0, or -1 on a fault of the grader. */
static int probe_variant(const char *tmp, enum variant v,
			 struct toolchain_status *st, struct error *e)
{
	char *prog = xasprintf("%s/t-%s", tmp, variant_name(v));
	const char *mode, *what, *mark;
	struct probe_run r;
	int setarch = 0, have_run = 0, rc = 0, built;
	int sanitizer = v == VARIANT_ASAN || v == VARIANT_TSAN;
	int rnd_bits = toolchain_mmap_rnd_bits();
	char how[128];

	probe_count++;
	st->v = v;
	st->probed = 1;
	if (v >= VARIANT_MEMCHECK && access(VALGRIND, X_OK) < 0) {
		set_status(st, TOOLCHAIN_MISSING,
			   "valgrind not installed: apt-get install valgrind");
		goto out;
	}
	built = compile_probe(tmp, v, prog, st, e);
	if (built <= 0) {
		rc = built;
		goto out;
	}

	/* The simulated mmap_rnd_bits failure skips the first run, as if it
	 * had died at start-up. */
	if (!(simulate_aslr && sanitizer)) {
		if (run_probe(tmp, prog, "ok", v, 0, &r, e) < 0) {
			rc = -1;
			goto out;
		}
		have_run = 1;
	}
	if ((!have_run || !good_run(&r)) && sanitizer &&
	    (!have_run || aslr_failure(&r, rnd_bits))) {
		struct probe_run r2;

		if (run_probe(tmp, prog, "ok", v, 1, &r2, e) < 0) {
			if (have_run)
				probe_run_release(&r);
			rc = -1;
			goto out;
		}
		if (good_run(&r2)) {
			if (have_run)
				probe_run_release(&r);
			r = r2;
			have_run = 1;
			setarch = 1;
		} else if (r2.sp.outcome == SPAWN_EXEC_FAILED ||
			   strstr(r2.sp.err.data, "personality")) {
			char line[256];

			first_line(r2.sp.outcome == SPAWN_EXEC_FAILED ? "setarch not found"
								      : r2.sp.err.data,
				   line, sizeof(line));
			set_status(st, TOOLCHAIN_BROKEN,
				   "%s dies at start-up with vm.mmap_rnd_bits=%d and address randomisation cannot be disabled here (%s): run `sysctl vm.mmap_rnd_bits=28`",
				   variant_name(v), rnd_bits, line);
			probe_run_release(&r2);
			if (have_run)
				probe_run_release(&r);
			goto out;
		} else if (!have_run) {
			r = r2;
			have_run = 1;
		} else {
			probe_run_release(&r2);
		}
	}
	if (!good_run(&r)) {
		explain_bad_run(st, v, &r);
		probe_run_release(&r);
		goto out;
	}
	probe_run_release(&r);
	if (v == VARIANT_PLAIN) {
		set_status(st, TOOLCHAIN_OK, NULL);
		goto out;
	}

	planted_bug(v, &mode, &what, &mark);
	if (run_probe(tmp, prog, mode, v, setarch, &r, e) < 0) {
		rc = -1;
		goto out;
	}
	describe_outcome(&r.sp, how, sizeof(how));
	if (r.sp.outcome != SPAWN_EXITED || r.sp.exit_code != VARIANT_TOOL_EXIT ||
	    r.reports == 0 || !strstr(r.logs.data, mark))
		set_status(st, TOOLCHAIN_BROKEN,
			   "%s did not report a planted %s (%s, %d report%s in the log directory)",
			   variant_name(v), what, how, r.reports, r.reports == 1 ? "" : "s");
	else if (setarch)
		set_status(st, TOOLCHAIN_DEGRADED,
			   "works with address randomisation disabled (vm.mmap_rnd_bits=%d)",
			   rnd_bits);
	else
		set_status(st, TOOLCHAIN_OK, NULL);
	probe_run_release(&r);
out:
	use_setarch[v] = st->ok && setarch;
	free(prog);
	return rc;
}

/* ---- the probes' results shared between processes ----
 *
 * `grader batch` runs one `grade` process per submission, each of which
 * would probe its variants again (a second or more for the valgrind
 * ones). With GRADER_TOOLCHAIN_CACHE naming a file, results are read from
 * it and written to it; they are trusted only when its key matches: the
 * grader's version, this host and kernel, and the compiler and valgrind
 * binaries as they are now (path, size, mtime). Test overrides (a fake
 * compiler, simulated ASLR) never use the file. */

static void cache_key(struct buf *b)
{
	const char *const files[] = { probe_cc(), VALGRIND };
	struct utsname u;
	struct stat st;
	size_t i;

	memset(&u, 0, sizeof(u));
	uname(&u);
	buf_addf(b, "grader %s; %s %s %s %s", GRADER_VERSION, u.nodename,
		 u.sysname, u.release, u.machine);
	for (i = 0; i < 2; i++) {
		const char *f = files[i];

		if (stat(f, &st) == 0)
			buf_addf(b, "; %s %lld %lld", f, (long long)st.st_size,
				 (long long)st.st_mtime);
		else
			buf_addf(b, "; %s missing", f);
	}
}

static const char *cache_path(void)
{
	const char *p = getenv("GRADER_TOOLCHAIN_CACHE");

	return p && *p && !test_cc && !simulate_aslr ? p : NULL;
}

/* Fills the variants of mask not probed yet from the file. */
static void cache_load(unsigned mask)
{
	const char *path = cache_path();
	json_t *root, *vs, *x;
	struct buf key;
	enum variant v;
	unsigned wanted = 0;

	/* read only when something asked for is not known yet */
	for (v = 0; v < VARIANT__COUNT; v++)
		if ((mask & VARIANT_BIT(v)) && !table[v].probed)
			wanted |= VARIANT_BIT(v);
	if (!wanted || !path || !(root = json_load_file(path, 0, NULL)))
		return;
	buf_init(&key, 4096);
	cache_key(&key);
	if (!json_is_string(json_object_get(root, "key")) ||
	    strcmp(json_string_value(json_object_get(root, "key")), key.data))
		goto out;
	vs = json_object_get(root, "variants");
	for (v = 0; v < VARIANT__COUNT; v++) {
		json_t *problem;

		if (!(mask & VARIANT_BIT(v)) || table[v].probed ||
		    !(x = json_object_get(vs, variant_name(v))) ||
		    !json_is_integer(json_object_get(x, "state")))
			continue;
		table[v].v = v;
		table[v].probed = 1;
		table[v].state = (enum toolchain_state)json_integer_value(json_object_get(x, "state"));
		table[v].ok = table[v].state == TOOLCHAIN_OK ||
			      table[v].state == TOOLCHAIN_DEGRADED;
		problem = json_object_get(x, "problem");
		table[v].problem = json_is_string(problem)
					   ? xstrdup(json_string_value(problem)) : NULL;
		table[v].seconds = 0;
		use_setarch[v] = json_is_true(json_object_get(x, "setarch"));
	}
out:
	buf_release(&key);
	json_decref(root);
}

/* Writes every probed variant (atomically: children of a batch may read
 * while another writes). */
static void cache_save(void)
{
	const char *path = cache_path();
	json_t *root, *vs;
	struct buf key;
	enum variant v;
	char *text;

	if (!path)
		return;
	buf_init(&key, 4096);
	cache_key(&key);
	root = json_object();
	vs = json_object();
	json_object_set_new(root, "key", json_string(key.data));
	json_object_set_new(root, "variants", vs);
	for (v = 0; v < VARIANT__COUNT; v++) {
		json_t *x;

		if (!table[v].probed)
			continue;
		x = json_object();
		json_object_set_new(x, "state", json_integer(table[v].state));
		json_object_set_new(x, "problem", table[v].problem
					 ? json_string(table[v].problem) : json_null());
		json_object_set_new(x, "setarch", json_boolean(use_setarch[v]));
		json_object_set_new(vs, variant_name(v), x);
	}
	text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (text)
		write_file_atomic(path, text, strlen(text));
	free(text);
	json_decref(root);
	buf_release(&key);
}

int toolchain_check(unsigned variants_mask, struct toolchain_status **out,
		    size_t *n, struct error *e)
{
	char *tmp = NULL, *src;
	int rc = 0;
	enum variant v;
	struct utsname u;

	pthread_mutex_lock(&lock);
	if (!machine[0]) {
		if (uname(&u) < 0)
			die("uname: %s", strerror(errno));
		snprintf(machine, sizeof(machine), "%s", u.machine);
	}
	cache_load(variants_mask);
	for (v = 0; v < VARIANT__COUNT; v++) {
		double t0;

		if (!(variants_mask & VARIANT_BIT(v)) || table[v].probed)
			continue;
		if (!tmp) {
			if (!(tmp = make_temp_dir("toolchain"))) {
				rc = error_set(e, "cannot create a temporary directory: %s",
					       strerror(errno));
				break;
			}
			src = path_join(tmp, "t.c");
			if (write_file_atomic(src, probe_src, sizeof(probe_src) - 1) < 0) {
				rc = error_set(e, "%s: %s", src, strerror(errno));
				free(src);
				break;
			}
			free(src);
		}
		t0 = now_seconds();
		rc = probe_variant(tmp, v, &table[v], e);
		table[v].seconds = now_seconds() - t0;
		if (rc < 0) {
			/* A fault is not a verdict: probe again next time. */
			free(table[v].problem);
			memset(&table[v], 0, sizeof(table[v]));
			break;
		}
	}
	if (tmp) {
		rm_rf(tmp);
		free(tmp);
		if (rc == 0)
			cache_save();
	}
	*out = table;
	*n = VARIANT__COUNT;
	pthread_mutex_unlock(&lock);
	return rc;
}

const char *const *toolchain_prefix(enum variant v)
{
	int on;

	pthread_mutex_lock(&lock);
	on = v < VARIANT__COUNT && use_setarch[v];
	pthread_mutex_unlock(&lock);
	return on ? setarch_prefix : no_prefix;
}

static void forget(void)
{
	enum variant v;

	for (v = 0; v < VARIANT__COUNT; v++) {
		free(table[v].problem);
		memset(&table[v], 0, sizeof(table[v]));
		use_setarch[v] = 0;
	}
}

unsigned toolchain_probe_count(void)
{
	unsigned c;

	pthread_mutex_lock(&lock);
	c = probe_count;
	pthread_mutex_unlock(&lock);
	return c;
}

void toolchain_set_cc_for_tests(const char *cc)
{
	pthread_mutex_lock(&lock);
	test_cc = cc;
	forget();
	pthread_mutex_unlock(&lock);
}

void toolchain_simulate_aslr_for_tests(int on)
{
	pthread_mutex_lock(&lock);
	simulate_aslr = on;
	forget();
	pthread_mutex_unlock(&lock);
}

/* ---- host checks (grader doctor) ---- */

static void add_row(struct toolchain_host_check *out, size_t max, size_t *n,
		    const char *name, enum toolchain_state s, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static void add_row(struct toolchain_host_check *out, size_t max, size_t *n,
		    const char *name, enum toolchain_state s, const char *fmt, ...)
{
	va_list ap;

	if (*n >= max)
		return;
	snprintf(out[*n].name, sizeof(out[*n].name), "%s", name);
	out[*n].state = s;
	va_start(ap, fmt);
	vsnprintf(out[*n].detail, sizeof(out[*n].detail), fmt, ap);
	va_end(ap);
	(*n)++;
}

/* First line of `prog --version`; 0, or -1 when it cannot be run. */
static int tool_version(const char *prog, char *line, size_t linesz)
{
	const char *argv[] = { prog, "--version", NULL };
	struct spawn sp;
	struct error e;
	int rc = -1;

	error_init(&e);
	spawn_init(&sp);
	sp.argv = argv;
	sp.wall_s = 20;
	sp.output = 64 << 10; /* stderr apart: gdb warns there without $HOME */
	if (spawn_run(&sp, &e) == 0 && sp.outcome == SPAWN_EXITED && sp.exit_code == 0) {
		first_line(sp.out.data, line, linesz);
		rc = 0;
	}
	spawn_release(&sp);
	return rc;
}

/* The grader's own cgroup in a hierarchy: the path part of the line of
 * /proc/self/cgroup whose controller list is `controller` ("" for v2).
 * Caller frees; NULL when not found. */
static char *own_cgroup(const char *controller)
{
	struct buf b;
	char *res = NULL, *p, *line;

	buf_init(&b, 1 << 16);
	if (buf_read_file(&b, "/proc/self/cgroup") < 0) {
		buf_release(&b);
		return NULL;
	}
	for (line = b.data; line && *line; line = p) {
		char *c1, *c2;

		p = strchr(line, '\n');
		if (p)
			*p++ = '\0';
		c1 = strchr(line, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		if (!strcmp(c1 + 1, controller) ||
		    (*controller && strstr(c1 + 1, controller))) {
			res = xstrdup(c2 + 1);
			break;
		}
	}
	buf_release(&b);
	return res;
}

/* mkdir + rmdir of a test cgroup below our own in hierarchy base.
 * Returns 0, or an errno value. */
static int try_child_cgroup(const char *base, const char *own)
{
	char *dir = xasprintf("%s%s/grader-doctor-%ld", base,
			      strcmp(own, "/") ? own : "", (long)getpid());
	int err = 0;

	if (mkdir(dir, 0755) < 0)
		err = errno;
	else if (rmdir(dir) < 0)
		err = errno;
	free(dir);
	return err;
}

static void check_cgroups(struct toolchain_host_check *out, size_t max, size_t *n)
{
	const char *base = NULL;
	char *own;
	int err, kill;
	static const char *const v1[] = { "memory", "pids", NULL };
	size_t i;

	if (is_file("/sys/fs/cgroup/unified/cgroup.procs"))
		base = "/sys/fs/cgroup/unified";
	else if (is_file("/sys/fs/cgroup/cgroup.procs"))
		base = "/sys/fs/cgroup";
	if (!base) {
		add_row(out, max, n, "cgroup v2", TOOLCHAIN_MISSING,
			"no cgroup2 hierarchy mounted: runs are tracked by process group + subreaper");
	} else {
		char *k = path_join(base, "cgroup.kill");

		kill = is_file(k);
		free(k);
		own = own_cgroup("");
		err = own ? try_child_cgroup(base, own) : ENOENT;
		if (!err && kill)
			add_row(out, max, n, "cgroup v2", TOOLCHAIN_OK,
				"%s: cgroup.kill present, child cgroup of %s created", base,
				own);
		else if (!err)
			add_row(out, max, n, "cgroup v2", TOOLCHAIN_DEGRADED,
				"%s: child cgroup created, but no cgroup.kill (kernel < 5.14): escaped processes are killed one by one",
				base);
		else
			add_row(out, max, n, "cgroup v2", TOOLCHAIN_DEGRADED,
				"%s: cannot create a child cgroup under %s (%s)%s: runs are tracked by process group + subreaper",
				base, own ? own : "?", strerror(err),
				kill ? "" : ", no cgroup.kill");
		free(own);
	}
	for (i = 0; v1[i]; i++) {
		char *b = xasprintf("/sys/fs/cgroup/%s", v1[i]);
		char *procs = path_join(b, "cgroup.procs");
		int present = is_file(procs);
		char name[32];

		free(procs);
		snprintf(name, sizeof(name), "cgroup v1 %s", v1[i]);
		if (!present) {
			/* Pure v2 hosts have no v1 hierarchies; limits go
			 * through v2 controllers there. */
			add_row(out, max, n, name, base ? TOOLCHAIN_OK : TOOLCHAIN_DEGRADED,
				"not mounted%s", base ? " (limits through cgroup v2 if delegated)" : "");
			free(b);
			continue;
		}
		own = own_cgroup(v1[i]);
		err = own ? try_child_cgroup(b, own) : ENOENT;
		if (!err)
			add_row(out, max, n, name, TOOLCHAIN_OK, "child cgroup of %s created", own);
		else
			add_row(out, max, n, name, TOOLCHAIN_DEGRADED,
				"cannot create a child cgroup (%s): %s limits not enforced",
				strerror(err), strcmp(v1[i], "memory") ? "process" : "memory");
		free(own);
		free(b);
	}
}

size_t toolchain_host_checks(struct toolchain_host_check *out, size_t max)
{
	size_t n = 0;
	char line[256];
	long clone, maxns;
	int bits;

	if (tool_version(probe_cc(), line, sizeof(line)) == 0)
		add_row(out, max, &n, "cc", TOOLCHAIN_OK, "%s", line);
	else
		add_row(out, max, &n, "cc", TOOLCHAIN_MISSING,
			"%s --version fails: apt-get install gcc", probe_cc());
	if (tool_version(VALGRIND, line, sizeof(line)) == 0)
		add_row(out, max, &n, "valgrind", TOOLCHAIN_OK, "%s", line);
	else
		add_row(out, max, &n, "valgrind", TOOLCHAIN_MISSING,
			"valgrind not installed: apt-get install valgrind");
	if (tool_version("gdb", line, sizeof(line)) == 0)
		add_row(out, max, &n, "gdb", TOOLCHAIN_OK, "%s", line);
	else
		add_row(out, max, &n, "gdb", TOOLCHAIN_MISSING,
			"gdb not installed (no stacks of hung programs): apt-get install gdb");

	bits = toolchain_mmap_rnd_bits();
	if (bits < 0)
		add_row(out, max, &n, "mmap_rnd_bits", TOOLCHAIN_OK,
			"/proc/sys/vm/mmap_rnd_bits unreadable");
	else if (bits >= 32)
		add_row(out, max, &n, "mmap_rnd_bits", TOOLCHAIN_DEGRADED,
			"vm.mmap_rnd_bits=%d: ASan/TSan need address randomisation disabled (setarch -R), or `sysctl vm.mmap_rnd_bits=28`",
			bits);
	else
		add_row(out, max, &n, "mmap_rnd_bits", TOOLCHAIN_OK,
			"vm.mmap_rnd_bits=%d", bits);

	check_cgroups(out, max, &n);

	clone = read_proc_long("/proc/sys/kernel/unprivileged_userns_clone");
	maxns = read_proc_long("/proc/sys/user/max_user_namespaces");
	if (clone == 0)
		add_row(out, max, &n, "user namespaces", TOOLCHAIN_DEGRADED,
			"disabled for unprivileged users: sysctl kernel.unprivileged_userns_clone=1");
	else if (maxns == 0)
		add_row(out, max, &n, "user namespaces", TOOLCHAIN_DEGRADED,
			"user.max_user_namespaces=0: sysctl user.max_user_namespaces=10000");
	else if (maxns < 0)
		add_row(out, max, &n, "user namespaces", TOOLCHAIN_MISSING,
			"/proc/sys/user/max_user_namespaces unreadable: kernel without user namespaces?");
	else
		add_row(out, max, &n, "user namespaces", TOOLCHAIN_OK,
			"unprivileged user namespaces enabled (max_user_namespaces=%ld)",
			maxns);
	/* the witness of the tools' reports (procacct.h) */
	{
		char why[256];
		int ok = procacct_probe(why, sizeof(why));

		add_row(out, max, &n, "exit witness", ok ? TOOLCHAIN_OK : TOOLCHAIN_DEGRADED,
			"%s", why);
	}
	return n;
}
