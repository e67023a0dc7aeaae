/*
 * spec_pty.h - `type: pty` tests: a script played on a terminal.
 *
 *   - name: ctrl-c
 *     type: pty
 *     points: 2
 *     timeout: 5s                  # default wait of expect / wait_exit
 *     script:
 *       - expect: '^driver ready$'
 *       - press: ctrl-c            # ctrl-c, 'ctrl-\', ctrl-z, ctrl-d, enter
 *       - expect: "^driver: let's go$"
 *         timeout: 2s
 *       - send: "42\n"             # text typed on the keyboard
 *       - expect: '^worker ([0-9]+) ready$'
 *         capture: w               # group 1 is then the role $w
 *       - signal: SIGSTOP
 *         to: child[0]             # main (default), child[N]..., or $name
 *       - sleep: 300ms
 *       - wait_exit: 0             # the program ends, with that status (or any)
 *       - order: ['^conductor: ', '^driver: everyone off$']
 *       - exits_before: ["child[0]", main]
 *
 * The test also takes the `run` keys args, env and exit (not stdin: the
 * terminal is the input). Parsed by spec_parse_pty() through spec.c's
 * step_types; played by pty_script.h; judged by step_pty.c. docs/spec.md
 * documents every key.
 *
 * Ownership: struct spec_pty owns everything reachable from it;
 * spec_pty_release() frees it (and sets t->pty to NULL).
 */
#ifndef GRADER_SPEC_PTY_H
#define GRADER_SPEC_PTY_H

#include <regex.h>
#include <stddef.h>

#include "error.h"
#include "yamltree.h"

struct spec_ctx;
struct spec_test;

#define PTY_DEFAULT_TIMEOUT_S 5.0

enum pty_action {
	PTY_EXPECT = 0,  /* a line matching a regex appears */
	PTY_PRESS,       /* a key is typed */
	PTY_SEND,        /* text is typed */
	PTY_SIGNAL,      /* a signal is sent to a process named by role */
	PTY_SLEEP,       /* time passes */
	PTY_WAIT_EXIT,   /* the program ends (with a status) */
	PTY_ORDER,       /* lines appeared in this order */
	PTY_EXITS_BEFORE,/* process A exited before process B */
	PTY__COUNT
};
const char *pty_action_name(enum pty_action a); /* the YAML key */

struct pty_step {
	enum pty_action kind;
	int line, col;       /* where the item is in spec.yaml */
	char *text;          /* EXPECT: the regex source; PRESS: the key's
				name; SEND: the text (printable) */
	regex_t *re;         /* EXPECT */
	char *capture;       /* EXPECT: name of group 1, or NULL */
	char *bytes;         /* PRESS, SEND: what is written to the terminal */
	size_t len;
	double timeout_s;    /* EXPECT, WAIT_EXIT: 0 = the test's */
	double sleep_s;      /* SLEEP */
	int signal;          /* SIGNAL */
	char *role;          /* SIGNAL: main, child[N]..., or $name */
	int exit_status;     /* WAIT_EXIT: 0..255, -1 = any */
	char **patterns;     /* ORDER: sources */
	regex_t *res;        /* ORDER: compiled */
	size_t npatterns;
	char *role_a, *role_b; /* EXITS_BEFORE: a exits before b */
};

struct spec_pty {
	struct pty_step *steps;
	size_t nsteps;
	double timeout_s;    /* default wait; PTY_DEFAULT_TIMEOUT_S */
};

/* The keys a pty test adds to the common ones (spec.c's step_types). */
extern const char *const spec_pty_keys[];

/* Parses the pty keys of a test map into t (t->pty, and the run keys
 * args, env, exit). 0, or -1 with e located at file:line:col. */
int spec_parse_pty(struct spec_ctx *c, const struct ynode *map,
		   const char *prefix, struct spec_test *t, struct error *e);
void spec_pty_release(struct spec_test *t);

/* The signal number of "SIGSTOP", "STOP" or "19"; -1 if unknown. */
int pty_signal_number(const char *name);

#endif
