/*
 * spec.h - an exercise's spec.yaml, loaded and validated.
 *
 * spec_load() reads EXERCISE_DIR/spec.yaml with libyaml and fills a struct
 * spec in which every default is already resolved: a test's limits are the
 * spec's defaults overridden by the test's own, a test without `variants`
 * has the spec's default variants, and so on. Consumers never look at YAML.
 *
 * Anything wrong in the file -- an unknown key, a wrong type, a missing
 * required key, a bad regex, a duplicate test name -- is an error located at
 * file:line:column. Nothing is silently ignored.
 *
 * Extensibility: a test is a *step* (what runs: enum step_kind) plus
 * *checks* (what is asserted on the outcome: enum check_kind). A kind of
 * step other than `run` (pty script, unit-test suite, network client, ...)
 * adds an enum value, a pointer to its own struct in struct spec_test, its
 * parser in spec_<kind>.c (one row in spec.c's step_types, see
 * spec_parse.h) and its runner in step_<kind>.c (one row in grade.c's
 * step_table, see grade_step.h); the rest of struct spec_test does not
 * change.
 *
 * Ownership: the struct spec owns every string and array reachable from it;
 * spec_free() releases all of it.
 */
#ifndef GRADER_SPEC_H
#define GRADER_SPEC_H

#include <regex.h>
#include <stddef.h>

#include "error.h"

enum visibility {
	VIS_VISIBLE = 0,
	VIS_HIDDEN,
	VIS_AFTER_DUE_DATE,
};
const char *visibility_name(enum visibility v); /* "visible", ... (Gradescope's words) */

/* Build variants; a set of them is a bit mask (1u << VARIANT_x). */
enum variant {
	VARIANT_PLAIN = 0,
	VARIANT_ASAN,     /* AddressSanitizer + UBSan + LeakSanitizer */
	VARIANT_TSAN,     /* ThreadSanitizer */
	VARIANT_MEMCHECK, /* valgrind memcheck */
	VARIANT_HELGRIND, /* valgrind helgrind */
	VARIANT_DRD,      /* valgrind drd */
	VARIANT__COUNT
};
#define VARIANT_BIT(v) (1u << (v))
const char *variant_name(enum variant v);          /* "plain", "asan", ... */
int variant_parse(const char *name, enum variant *out); /* 0 or -1 */

enum warnings_policy {
	WARNINGS_LIST = 0, /* default: warnings are listed in the report */
	WARNINGS_ERROR,    /* any warning is a compile error */
	WARNINGS_IGNORE,   /* not reported */
};

/* Resource limits. A value < 0 means "not set" while parsing; after
 * spec_load() every field of a test's limits is set (defaults below). */
struct spec_limits {
	double wall_s;       /* wall-clock time; default 10 s */
	double cpu_s;        /* CPU time of the whole run; default = wall_s */
	long long memory;    /* bytes, whole process tree; default 512 MiB */
	long long output;    /* bytes per stream (stdout, stderr); default 8 MiB */
	int processes;       /* at most this many at once; default 64 */
	int open_files;      /* RLIMIT_NOFILE; default 256 */
	long long disk;      /* bytes the working directory may hold (its
				tmpfs, runfs.h); default 256 MiB */
	long long inodes;    /* files and directories in it; default 16384 */
};

/* Where a piece of text (stdin, or what a check expects) comes from. */
enum text_kind {
	TEXT_NONE = 0,  /* no stdin: /dev/null */
	TEXT_INLINE,    /* `stdin: "abc\n"` */
	TEXT_FILE,      /* `stdin: {file: data/in.txt}` relative to the exercise dir */
	TEXT_GENERATE,  /* `stdin: {generate: {...}}` deterministic from a seed */
	TEXT_REFERENCE, /* `{reference: true}`: what the reference solution
			   prints for the same test (only for expected text) */
};

/* Deterministic generated input: lines of printable ASCII from a seed. The
 * algorithm (splitmix64, documented in docs/spec.md) is part of the format:
 * the same parameters give the same bytes on every machine, forever. */
struct spec_generate {
	long long size;          /* total bytes (approximately; whole lines) */
	long long lines;         /* or a number of lines; 0 = use size */
	int min_len, max_len;    /* line length range, default 0..80 */
	unsigned long long seed; /* default 1 */
	int final_newline;       /* default 1 */
};

struct spec_text {
	enum text_kind kind;
	char *text;   /* TEXT_INLINE: the bytes */
	size_t len;
	char *path;   /* TEXT_FILE: absolute path */
	struct spec_generate gen;
	int line, col; /* where it was written */
};

enum stream { STREAM_STDOUT = 0, STREAM_STDERR };

enum check_kind {
	CHECK_EXACT = 0,   /* byte for byte */
	CHECK_TRAILING_WS, /* equal once trailing whitespace of every line, and
			      trailing empty lines, are ignored */
	CHECK_REGEX,       /* POSIX ERE, REG_NEWLINE: some line matches */
	CHECK_CONTAINS,    /* the text occurs somewhere */
	CHECK_NOT_CONTAINS,
	CHECK_ANY_ORDER,   /* the same lines, order ignored, duplicates ignored */
	CHECK_MULTISET,    /* the same lines with the same counts, any order */
	CHECK_NUMBERS,     /* same tokens; numeric ones equal within tolerance */
	CHECK_LINE_COUNT,  /* exactly `count` lines */
	CHECK_LAST_LINE,   /* the last line equals the expected text (trailing
			      whitespace ignored) */
	/* checks over event traces (struct spec_trace) */
	CHECK_EXACTLY_ONCE,  /* the selected lines are a generated set of items,
				each exactly once, in any order */
	CHECK_INSIDE,        /* at most `max` between enter/leave events (and
				exactly `max` at some point with `reach`) */
	CHECK_ORDER_PER_KEY, /* per key, the events come in the listed order */
	CHECK_COMPUTED,      /* numbers of a line equal computed values */
	CHECK__COUNT
};
const char *check_kind_name(enum check_kind k); /* the YAML key */

/* A regular expression of a trace check (REG_EXTENDED | REG_NEWLINE),
 * compiled; its capture group 1, if any, is what the check looks at. */
struct spec_pattern {
	char *src;
	regex_t re;
};

/* A variable of an exactly_once template and the values it runs over. */
struct spec_tvar {
	char *name;
	char **words;       /* a list of words (NULL-terminated), or NULL for */
	size_t nwords;
	long long lo, hi;   /* the range lo..hi, both included (empty if hi < lo) */
};

/* The checks over event traces. Every expression was evaluated when the
 * spec was loaded, with the test's arguments bound to $1, $2, ... and the
 * check's `vars`: only integers are left, so match.c stays pure. */
struct spec_trace {
	struct spec_pattern *pats; /* EXACTLY_ONCE, COMPUTED: [0] = `match`
				      (none: every whole line is an item);
				      INSIDE: [0] enter, [1] leave;
				      ORDER_PER_KEY: the events in order */
	size_t npats;
	/* EXACTLY_ONCE */
	char *item;                /* the template: "{p}:{i}" */
	struct spec_tvar *tvars;   /* in the order written: the first varies slowest */
	size_t ntvars;
	long long nitems;          /* product of the variables' counts */
	/* INSIDE */
	long long max;             /* at most this many inside */
	int reach;                 /* and exactly `max` at some point */
	/* ORDER_PER_KEY */
	int cycle;                 /* the events repeat (enter, leave, enter...) */
	int complete;              /* every key ends after its last event */
	/* COMPUTED */
	long long *values;         /* one per capture group of pats[0] */
	char **exprs;              /* their sources, for messages */
	size_t nvalues;
};

struct spec_check {
	enum check_kind kind;
	enum stream stream;
	struct spec_text expected; /* EXACT, TRAILING_WS, CONTAINS, NOT_CONTAINS,
				      ANY_ORDER, MULTISET, NUMBERS, LAST_LINE */
	char *pattern;             /* REGEX: the source text */
	regex_t *re;               /* REGEX: compiled (REG_EXTENDED|REG_NEWLINE) */
	double abs_tol, rel_tol;   /* NUMBERS; defaults 1e-9 and 0 */
	long long count;           /* LINE_COUNT */
	struct spec_trace *trace;  /* EXACTLY_ONCE, INSIDE, ORDER_PER_KEY,
				      COMPUTED */
	char *message;             /* optional: what to tell the student */
	int line, col;
};

/* What a test runs. */
struct spec_unit;
enum step_kind {
	STEP_RUN = 0, /* run the program once with args/stdin/env */
	STEP_SERVER,  /* start a server, run client actions (spec_server.h) */
	STEP_UNIT,    /* one case of a Check suite linked with the student's code (spec_unit.h) */
	STEP_PTY,     /* a script on a terminal (spec_pty.h) */
	STEP__COUNT
};

struct spec_test {
	char *name;
	double points;
	int bonus;         /* `bonus: true`: its points add to the score but
			      not to the maximum (extra credit) */
	enum visibility visibility;
	char *description; /* may be NULL */
	char *hint;        /* shown on failure; may be NULL */
	enum step_kind kind;

	/* STEP_RUN */
	char **args;        /* argv[1..], NULL-terminated; args[0] is not the program */
	size_t nargs;
	struct spec_text in; /* stdin */
	char **env;         /* "KEY=VALUE", NULL-terminated */
	size_t nenv;
	int exit_status;    /* expected; -1 = any */
	struct spec_server *server; /* STEP_SERVER (spec_server.h) */
	struct spec_unit *unit; /* STEP_UNIT (spec_unit.h) */

	struct spec_check *checks;
	size_t nchecks;

	int forbid_leftover_files; /* `leftover_files: forbid`: anything left
				      in the working directory after a run
				      is a hygiene finding (leftover-file) */
	struct spec_pty *pty;             /* STEP_PTY (spec_pty.h) */
	struct spec_processes *processes; /* `processes:` rules, any kind;
					     NULL = none (spec_procs.h) */

	int repeat;            /* must pass every run; default 1 */
	int perturb;           /* `perturb`: shake the schedule of every run
				  with the preloaded runtime/perturb.so */
	double perturb_rate;   /* (0, 1]; default 0.05 */
	unsigned long long perturb_seed; /* run i uses seed + i; default 1 */
	int perturb_sleep_us;  /* 1..1000000; default 100 */
	unsigned variants;     /* VARIANT_BIT mask; default the spec's */
	struct spec_limits limits; /* fully resolved */
	int line, col;         /* where the test starts in spec.yaml */
};

struct spec_build {
	char **sources;    /* required files, NULL-terminated (e.g. "duplex.c") */
	size_t nsources;
	char *program;     /* output binary name; default: first source minus .c */
	char **cflags;     /* extra flags, NULL-terminated */
	size_t ncflags;
	char **ldflags;
	size_t nldflags;
	enum warnings_policy warnings;
	double timeout_s;  /* compile time limit; default 60 */
};

/* How a kind of finding costs points (spec key `findings`). Without a
 * rule, a tool's finding (sanitizer, valgrind) fails the row of the test
 * and variant that produced it, and a hygiene finding (leftover-process,
 * ...) is reported at no cost. */
enum finding_mode {
	FINDING_FAIL = 0, /* the (test, variant) row fails */
	FINDING_PENALTY,  /* each distinct finding costs `penalty` points once,
			     at most `cap` points for the kind in all */
	FINDING_IGNORE,   /* reported, costs nothing */
};

struct spec_finding_rule {
	char *kind;        /* e.g. "memory-leak", "leftover-process" */
	enum finding_mode mode;
	double penalty;    /* FINDING_PENALTY */
	double cap;        /* FINDING_PENALTY; < 0 = no cap */
	int line, col;
};

struct spec {
	char *path;     /* absolute path of spec.yaml */
	char *dir;      /* absolute exercise directory */
	char *name;     /* required; [a-z0-9_-]+ */
	char *title;    /* required */
	char *version;  /* default "1" */
	struct spec_build build;
	struct spec_limits limits; /* the defaults */
	unsigned variants;         /* default VARIANT_BIT(VARIANT_PLAIN) */
	struct spec_test *tests;
	size_t ntests;
	double max_points;         /* sum of the points of tests that are not
				      bonus */
	struct spec_finding_rule *finding_rules;
	size_t nfinding_rules;
};

/* The rule for a kind of finding from tool `tool` ("hygiene" or a
 * sanitizer/valgrind tool): the spec's own, or the default described at
 * enum finding_mode (static storage). */
const struct spec_finding_rule *spec_finding_rule(const struct spec *s,
						  const char *tool,
						  const char *kind);

/* Loads EXERCISE_DIR/spec.yaml. Returns 0, or -1 with e filled. */
int spec_load(const char *exercise_dir, struct spec **out, struct error *e);
/* Parses YAML text; `path` names it in errors and `dir` resolves file: paths. */
int spec_parse(const char *text, size_t len, const char *path, const char *dir,
	       struct spec **out, struct error *e);
void spec_free(struct spec *s);

/* The test named name, or NULL. */
const struct spec_test *spec_find_test(const struct spec *s, const char *name);

/* Produces the bytes of a TEXT_INLINE, TEXT_FILE or TEXT_GENERATE text into a
 * newly allocated buffer. Returns 0, or -1 with e filled (e.g. file missing).
 * TEXT_NONE yields an empty text; TEXT_REFERENCE is resolved by the caller. */
int spec_text_materialize(const struct spec_text *t, char **data, size_t *len,
			  struct error *e);

#endif
