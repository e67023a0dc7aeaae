/*
 * spec_parse.h - what spec.c shares with the parsers of step kinds.
 *
 * spec.c parses the common part of spec.yaml; the keys a kind of step adds
 * to a test (`type: pty`, `type: unit`, ...) are parsed by that kind's own
 * file (spec_<kind>.c) through the helpers below, so every kind reports
 * errors the same way: located at file:line:col, naming the key's path
 * ("tests[2].script[3].expect").
 *
 * Private to the spec loader and its step parsers; consumers use spec.h.
 */
#ifndef GRADER_SPEC_PARSE_H
#define GRADER_SPEC_PARSE_H

#include <stddef.h>

#include "error.h"
#include "spec.h"
#include "yamltree.h"

/* Where `what` strings (the path of a key in messages) are built. */
#define WHAT_MAX 160

/* The state of one spec_parse(). */
struct spec_ctx {
	struct spec *s;              /* being filled; s->dir resolves paths */
	struct spec_limits defaults; /* the top-level limits, unresolved */
	int forbid_leftover_files;   /* the top-level `leftover_files` */
};

/* A kind of step: the value of a test's `type:`, the keys it adds to the
 * common test keys, the parser of those keys (called after the common keys
 * are parsed; fills the kind's part of t), and the release of that part. */
struct spec_step_type {
	const char *name;
	enum step_kind kind;
	const char *const *keys;
	int (*parse)(struct spec_ctx *c, const struct ynode *map,
		     const char *prefix, struct spec_test *t, struct error *e);
	void (*release)(struct spec_test *t); /* may be NULL */
};

/* Formats the path of a key for messages ("tests[2].stdout[0].regex"). */
const char *spec_whatf(char *out, size_t outsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "a, b, c" from a table of names. */
void spec_join_names(const char *const *names, size_t n, char *out,
		     size_t outsz);
/* A required key of map: *out, or -1 with e located at the map. */
int spec_need(const struct ynode *map, const char *key, const char *what,
	      const struct ynode **out, struct error *e);
/* A string made only of [a-z0-9] (plus A-Z when upper) and `extra`;
 * `charset` says so in the error. */
int spec_name_string(const struct ynode *n, const char *what,
		     const char *extra, int upper, const char *charset,
		     char **out, struct error *e);
/* A relative path without `..` (a spec never reaches outside its dir). */
int spec_relative_path(const struct ynode *n, const char *what, char **out,
		       struct error *e);
int spec_int_in_range(const struct ynode *n, const char *what, long long lo,
		      long long hi, long long *out, struct error *e);
int spec_positive_duration(const struct ynode *n, const char *what,
			   double *out, struct error *e);
/* One name of a fixed set; the error lists them. */
int spec_enum_value(const struct ynode *n, const char *what,
		    const char *noun, const char *const *names, size_t count,
		    int *out, struct error *e);

enum text_use { TEXT_FOR_STDIN, TEXT_FOR_CHECK };
/* A text: an inline string, {file: PATH}, {generate: {...}} (stdin) or
 * {reference: true} (checks). */
int spec_parse_text(struct spec_ctx *c, const struct ynode *n,
		    enum text_use use, const char *what, struct spec_text *t,
		    struct error *e);
/* The `run` keys (args, stdin, env, exit) into t: a kind that runs the
 * program with arguments and an environment reuses them. */
int spec_parse_run_keys(struct spec_ctx *c, const struct ynode *map,
			const char *prefix, struct spec_test *t,
			struct error *e);
int spec_parse_env(const struct ynode *map, const char *prefix,
		   struct spec_test *t, struct error *e);
/* An exit status 0..255 or `any` (-1). */
int spec_parse_exit(const struct ynode *n, const char *what, int *out,
		    struct error *e);
/* A list of output checks, appended to t->checks from index *next. */
int spec_parse_checks(struct spec_ctx *c, const struct ynode *list,
		      const char *prefix, enum stream stream,
		      struct spec_test *t, size_t *next, struct error *e);

#endif
