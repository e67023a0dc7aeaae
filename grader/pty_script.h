/*
 * pty_script.h - playing a `type: pty` script (spec_pty.h) against a
 * running program, as a user at a terminal would, and the job-control
 * wrapper that runs the program as an interactive shell runs a command.
 *
 * Why a wrapper. spawn.h makes the run's main process a session leader
 * with the terminal. A program run like that has an *orphaned* process
 * group (no member has a parent in the same session outside the group),
 * and the kernel discards a keyboard SIGTSTP whose action is the default
 * in an orphaned group: a process that forgets to ignore Ctrl-Z would not
 * stop, and the bug would go unseen. A shell instead runs a command in a
 * process group of its own, makes that group the terminal's foreground,
 * and stays in the session as its parent. pty_job_argv() puts the
 * grader's own wrapper in front of argv to do exactly that: the wrapper
 * (this same executable, re-executed with a marker argument that a
 * constructor catches before main) forks the program into a new process
 * group, gives it the terminal, waits for it, takes the terminal back and
 * exits with the program's status -- or dies of the same signal. The
 * program (role `main`) is the wrapper's first child; procwatch is told
 * (`wrapped`) and leaves the wrapper out of every figure.
 *
 * The player. pty_script_run() is called between spawn_start() and
 * spawn_finish() on a use_pty spawn whose on_tick feeds a procwatch. It
 * pumps the program's output into lines, plays each step, and stops at
 * the first step that fails. Every wait is scaled by `scale` (the
 * variant's time scale). What was pressed, sent and signalled, each line
 * that appeared and each failure go into `transcript`, with times since
 * the start of the run.
 *
 * Ownership: struct pty_run owns transcript and message;
 * pty_run_release() frees them. The caller owns the spawn, the script and
 * the watch.
 */
#ifndef GRADER_PTY_SCRIPT_H
#define GRADER_PTY_SCRIPT_H

#include "buf.h"
#include "error.h"
#include "procwatch.h"
#include "spawn.h"
#include "spec_pty.h"

enum pty_failure {
	PTY_OK = 0,
	PTY_FAIL_NO_LINE,   /* expect: the program ended without the line */
	PTY_FAIL_WAITED,    /* expect or wait_exit: nothing within the time */
	PTY_FAIL_ORDER,     /* order: lines missing or in another order */
	PTY_FAIL_EXIT,      /* wait_exit: another exit status, or a signal */
	PTY_FAIL_PROCESS,   /* signal: no such process; exits_before broken */
};

struct pty_run {
	/* input */
	const struct spec_pty *script;
	double scale;             /* multiplies every timeout and sleep */
	struct procwatch *pw;     /* the watch on_tick feeds (roles) */
	const char *spec_file;    /* for "spec.yaml:LINE" in messages */
	/* output */
	enum pty_failure failure;
	char *message;            /* why the script failed (NULL if it did not) */
	int fail_line;            /* spec line of the failing step */
	int ended;                /* the program ended during the script */
	struct buf transcript;
	/* private */
	size_t consumed;          /* bytes of sp->out cut into lines */
	size_t nlines;            /* complete lines so far */
	size_t cursor;            /* next line an expect may match */
	size_t *line_off;         /* start of each line in sp->out */
	size_t *line_len;
	double *line_t;
	size_t line_cap;
	char *captures[64];       /* value of each capture name, by step */
	const char *capture_names[64];
	size_t ncaptures;
};

void pty_run_init(struct pty_run *r, const struct spec_pty *script,
		  double scale, struct procwatch *pw, const char *spec_file);
void pty_run_release(struct pty_run *r);

/* Plays the script. Returns 0 (r->failure says how it went), -1 with e
 * filled on a fault of the grader. */
int pty_script_run(struct spawn *sp, struct pty_run *r, struct error *e);

/* After the script: lets the program end by itself (wait = 1: until it
 * ends or a limit of the spawn kills it) or ends it now (wait = 0: a
 * failed script), then collects the last lines and notes how it ended in
 * the transcript. spawn_finish() has been called when it returns. Returns
 * 0, or -1 on a fault (errno). */
int pty_script_finish(struct spawn *sp, struct pty_run *r, int wait);

/* A new argv that runs argv through the job-control wrapper (see above):
 * the array is the caller's (free() it), the strings stay argv's and a
 * static path. NULL with e filled if the grader's executable cannot be
 * found. */
const char **pty_job_argv(const char *const *argv, struct error *e);

#endif
