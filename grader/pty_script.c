/*
 * pty_script.c - the script player and the job-control wrapper of pty
 * runs (see pty_script.h).
 */
#define _GNU_SOURCE
#include "pty_script.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "util.h"

#define SLICE_S 0.005          /* how often the player looks at the output */
#define TRANSCRIPT_MAX (48 << 10)
#define SHOWN_LINE_MAX 200     /* a line longer than this is cut in the transcript */

/* ---- the job-control wrapper ------------------------------------------ */

/* argv[1] of the re-executed grader that makes it the wrapper. Nothing a
 * user would type: the grader's commands never see it. */
#define JOB_MARK "--grader-internal-pty-job"

/*
 * The wrapper's whole life, in the re-executed grader before its main()
 * (and before any of the grader's own state exists). It is the session
 * leader and has the terminal (spawn did that): it forks the program into
 * a new process group, makes that group the terminal's foreground, waits
 * for the program, takes the terminal back (so that its own exit does not
 * hang up the program's group: processes the program left behind stay for
 * spawn to find) and ends as the program ended.
 */
static int job_main(char **argv)
{
	struct sigaction ign, dfl;
	sigset_t none;
	int status, sig;
	pid_t pid, r;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	/* what an interactive shell ignores; SIGTTOU above all, or giving
	 * the terminal away from the background would stop us */
	sigaction(SIGTTOU, &ign, NULL);
	sigaction(SIGTTIN, &ign, NULL);
	sigaction(SIGTSTP, &ign, NULL);
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	pid = fork();
	if (pid < 0) {
		perror("grader pty job: fork");
		return 126;
	}
	if (pid == 0) {
		/* both sides set the group and the foreground, so neither
		 * order of running after fork leaves a window */
		setpgid(0, 0);
		tcsetpgrp(STDIN_FILENO, getpid());
		sigaction(SIGTTOU, &dfl, NULL);
		sigaction(SIGTTIN, &dfl, NULL);
		sigaction(SIGTSTP, &dfl, NULL);
		sigaction(SIGINT, &dfl, NULL);
		sigaction(SIGQUIT, &dfl, NULL);
		execvp(argv[0], argv);
		fprintf(stderr, "grader: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	tcsetpgrp(STDIN_FILENO, pid);
	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	tcsetpgrp(STDIN_FILENO, getpgrp());
	if (r < 0)
		return 126;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	/* die of the same signal, so the grader sees what the program did */
	sig = WTERMSIG(status);
	sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	raise(sig);
	return 128 + sig;
}

/* glibc passes (argc, argv, envp) to constructors: the wrapper takes over
 * before main() of whichever program linked this file (the grader, or the
 * test runner that re-executes itself the same way). */
__attribute__((constructor)) static void job_hook(int argc, char **argv,
						  char **envp)
{
	(void)envp;
	if (argc >= 3 && argv && argv[1] && !strcmp(argv[1], JOB_MARK))
		_exit(job_main(argv + 2));
}

static char self_exe[PATH_MAX];
static int self_errno;

static void find_self(void)
{
	ssize_t len = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);

	if (len <= 0) {
		self_errno = len < 0 ? errno : ENOENT;
		self_exe[0] = '\0';
		return;
	}
	self_exe[len] = '\0';
}

const char **pty_job_argv(const char *const *argv, struct error *e)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const char **v;
	size_t n = 0, i;

	/* validate grades fixtures on several threads */
	pthread_once(&once, find_self);
	if (!self_exe[0]) {
		error_set(e, "cannot find the grader's own executable (/proc/self/exe): %s",
			  strerror(self_errno));
		return NULL;
	}
	while (argv[n])
		n++;
	v = xcalloc(n + 3, sizeof(*v));
	v[0] = self_exe;
	v[1] = JOB_MARK;
	for (i = 0; i < n; i++)
		v[i + 2] = argv[i];
	return v;
}

/* ---- the player --------------------------------------------------------- */

void pty_run_init(struct pty_run *r, const struct spec_pty *script,
		  double scale, struct procwatch *pw, const char *spec_file)
{
	memset(r, 0, sizeof(*r));
	r->script = script;
	r->scale = scale > 0 ? scale : 1;
	r->pw = pw;
	r->spec_file = spec_file ? spec_file : "spec.yaml";
	buf_init(&r->transcript, TRANSCRIPT_MAX);
}

void pty_run_release(struct pty_run *r)
{
	size_t i;

	free(r->message);
	buf_release(&r->transcript);
	free(r->line_off);
	free(r->line_len);
	free(r->line_t);
	for (i = 0; i < r->ncaptures; i++)
		free(r->captures[i]);
	memset(r, 0, sizeof(*r));
}

static double elapsed(const struct spawn *sp)
{
	return now_seconds() - sp->t_start;
}

/* A transcript entry: "  1.234 X text". */
static void note(struct pty_run *r, const struct spawn *sp, char mark,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void note(struct pty_run *r, const struct spawn *sp, char mark,
		 const char *fmt, ...)
{
	va_list ap;

	buf_addf(&r->transcript, "%8.3f %c ", elapsed(sp), mark);
	va_start(ap, fmt);
	buf_vaddf(&r->transcript, fmt, ap);
	va_end(ap);
	buf_addch(&r->transcript, '\n');
}

/* Printable form of a line or of typed text (control bytes as ^X, the
 * rest as is), cut at max bytes. */
static void add_printable(struct buf *b, const char *s, size_t len, size_t max)
{
	size_t i;

	for (i = 0; i < len && i < max; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\n')
			buf_adds(b, "\\n");
		else if (ch < 32 || ch == 127)
			buf_addf(b, "^%c", ch == 127 ? '?' : ch + 64);
		else
			buf_addch(b, (char)ch);
	}
	if (len > max)
		buf_addf(b, "... (%zu more bytes)", len - max);
}

/* The text an expect sees of line i: without a trailing \r, and without
 * a control key's echo (^C, ^\, ^Z) at its start, should a program have
 * turned echo back on. */
static void line_text(const struct spawn *sp, const struct pty_run *r,
		      size_t i, const char **s, size_t *len)
{
	const char *p = sp->out.data + r->line_off[i];
	size_t n = r->line_len[i];

	while (n >= 2 && p[0] == '^' &&
	       (p[1] == 'C' || p[1] == '\\' || p[1] == 'Z')) {
		p += 2;
		n -= 2;
	}
	if (n && p[n - 1] == '\r')
		n--;
	*s = p;
	*len = n;
}

static void add_line(struct pty_run *r, const struct spawn *sp, size_t off,
		     size_t len)
{
	if (r->nlines == r->line_cap) {
		r->line_cap = r->line_cap ? 2 * r->line_cap : 64;
		r->line_off = xrealloc(r->line_off, r->line_cap * sizeof(size_t));
		r->line_len = xrealloc(r->line_len, r->line_cap * sizeof(size_t));
		r->line_t = xrealloc(r->line_t, r->line_cap * sizeof(double));
	}
	r->line_off[r->nlines] = off;
	r->line_len[r->nlines] = len;
	r->line_t[r->nlines] = elapsed(sp);
	r->nlines++;
	buf_addf(&r->transcript, "%8.3f < ", elapsed(sp));
	add_printable(&r->transcript, sp->out.data + off, len, SHOWN_LINE_MAX);
	buf_addch(&r->transcript, '\n');
}

/* Cuts what arrived into lines; at the end (`final`) an unterminated last
 * line counts too. */
static void take_lines(struct pty_run *r, const struct spawn *sp, int final)
{
	for (;;) {
		const char *start = sp->out.data + r->consumed;
		const char *nl = memchr(start, '\n', sp->out.len - r->consumed);

		if (!nl)
			break;
		add_line(r, sp, r->consumed, (size_t)(nl - start));
		r->consumed = (size_t)(nl - sp->out.data) + 1;
	}
	if (final && r->consumed < sp->out.len) {
		add_line(r, sp, r->consumed, sp->out.len - r->consumed);
		r->consumed = sp->out.len;
	}
}

/* The program has ended: collect everything (spawn_finish drains the
 * terminal and gives the watch its last look), once. */
static void finish(struct spawn *sp, struct pty_run *r)
{
	if (r->ended)
		return;
	r->ended = 1;
	spawn_finish(sp);
	take_lines(r, sp, 1);
	if (sp->outcome == SPAWN_EXITED)
		note(r, sp, '=', "exited with status %d", sp->exit_code);
	else if (sp->outcome == SPAWN_SIGNALED)
		note(r, sp, '=', "killed by SIG%s", sigabbrev_np(sp->term_signal)
			? sigabbrev_np(sp->term_signal) : "?");
	else
		note(r, sp, '=', "ended: %s", spawn_outcome_name(sp->outcome));
}

/* Pumps for one slice; notices the end. Returns -1 on a fault. */
static int pump(struct spawn *sp, struct pty_run *r)
{
	int rc;

	if (r->ended)
		return 0;
	rc = spawn_pump(sp, SLICE_S);
	if (rc < 0)
		return -1;
	take_lines(r, sp, 0);
	if (rc == 1)
		finish(sp, r);
	return 0;
}

static void fail(struct pty_run *r, const struct spawn *sp,
		 const struct pty_step *st, enum pty_failure f,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void fail(struct pty_run *r, const struct spawn *sp,
		 const struct pty_step *st, enum pty_failure f,
		 const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	r->failure = f;
	r->fail_line = st->line;
	r->message = m;
	note(r, sp, '!', "%s:%d: %s", r->spec_file, st->line, m);
}

static double wait_of(const struct pty_run *r, const struct pty_step *st)
{
	return (st->timeout_s > 0 ? st->timeout_s : r->script->timeout_s) *
	       r->scale;
}

static const char *capture_value(const struct pty_run *r, const char *name)
{
	size_t i;

	for (i = r->ncaptures; i-- > 0;)
		if (!strcmp(r->capture_names[i], name))
			return r->captures[i];
	return NULL;
}

/* The first line from `from` matching re: its index, or -1. Captures
 * group 1 into *cap when asked. */
static long find_line(const struct spawn *sp, const struct pty_run *r,
		      size_t from, const regex_t *re, char **cap)
{
	size_t i;

	for (i = from; i < r->nlines; i++) {
		const char *s;
		size_t len;
		char *z;
		regmatch_t m[2];
		int hit;

		line_text(sp, r, i, &s, &len);
		z = xstrndup(s, len);
		hit = regexec(re, z, 2, m, 0) == 0;
		if (hit && cap && m[1].rm_so >= 0)
			*cap = xstrndup(z + m[1].rm_so,
					(size_t)(m[1].rm_eo - m[1].rm_so));
		free(z);
		if (hit)
			return (long)i;
	}
	return -1;
}

static int do_expect(struct spawn *sp, struct pty_run *r,
		     const struct pty_step *st)
{
	double limit = wait_of(r, st), deadline = now_seconds() + limit;
	char *cap = NULL;
	long i;

	for (;;) {
		i = find_line(sp, r, r->cursor, st->re,
			      st->capture ? &cap : NULL);
		if (i >= 0)
			break;
		if (r->ended) {
			fail(r, sp, st, PTY_FAIL_NO_LINE,
			     "the program ended without printing a line matching '%s'",
			     st->text);
			return 0;
		}
		if (now_seconds() >= deadline) {
			fail(r, sp, st, PTY_FAIL_WAITED,
			     "waited %g s for a line matching '%s'; none came",
			     limit, st->text);
			return 0;
		}
		if (pump(sp, r) < 0)
			return -1;
	}
	r->cursor = (size_t)i + 1;
	if (st->capture && r->ncaptures < 64) {
		r->capture_names[r->ncaptures] = st->capture;
		r->captures[r->ncaptures++] = cap ? cap : xstrdup("");
	} else {
		free(cap);
	}
	return 0;
}

/* The pid of a role or $capture, after a fresh look at the tree. */
static pid_t resolve(struct spawn *sp, struct pty_run *r, const char *role)
{
	if (role[0] == '$') {
		const char *v = capture_value(r, role + 1);
		char *end;
		long pid;

		if (!v)
			return 0;
		pid = strtol(v, &end, 10);
		if (*end || pid <= 0)
			return 0;
		/* the program printed the pid it sees, which inside the
		 * sandbox's pid namespace is not the grader's */
		pid = spawn_host_pid(sp, (pid_t)pid);
		return pid > 0 ? (pid_t)pid : 0;
	}
	if (!r->ended)
		procwatch_sample(r->pw, sp);
	return procwatch_role_pid(r->pw, role);
}

static int do_signal(struct spawn *sp, struct pty_run *r,
		     const struct pty_step *st)
{
	const char *abbrev = sigabbrev_np(st->signal);
	pid_t pid;
	int tries;

	if (r->ended) {
		fail(r, sp, st, PTY_FAIL_PROCESS,
		     "the program had already ended when SIG%s was to be sent to %s",
		     abbrev, st->role);
		return 0;
	}
	/* a process just forked may not have been seen yet: look again for
	 * a moment */
	for (tries = 0; (pid = resolve(sp, r, st->role)) <= 0 && tries < 20; tries++)
		if (pump(sp, r) < 0)
			return -1;
	if (pid <= 0 || spawn_kill_pid(sp, pid, st->signal) < 0) {
		fail(r, sp, st, PTY_FAIL_PROCESS,
		     "could not send SIG%s to %s: %s", abbrev, st->role,
		     pid <= 0 ? "no such process was seen"
			      : "it is not a live process of the program");
		return 0;
	}
	note(r, sp, '>', "SIG%s to %s (pid %ld)", abbrev, st->role, (long)pid);
	return 0;
}

static int do_wait_exit(struct spawn *sp, struct pty_run *r,
			const struct pty_step *st)
{
	double limit = wait_of(r, st), deadline = now_seconds() + limit;

	while (!r->ended) {
		if (now_seconds() >= deadline) {
			fail(r, sp, st, PTY_FAIL_WAITED,
			     "waited %g s for the program to end; it did not",
			     limit);
			return 0;
		}
		if (pump(sp, r) < 0)
			return -1;
	}
	if (sp->outcome == SPAWN_SIGNALED)
		fail(r, sp, st, PTY_FAIL_EXIT, "the program was killed by SIG%s",
		     sigabbrev_np(sp->term_signal) ? sigabbrev_np(sp->term_signal) : "?");
	else if (sp->outcome != SPAWN_EXITED)
		fail(r, sp, st, PTY_FAIL_EXIT, "the program did not end normally (%s)",
		     spawn_outcome_name(sp->outcome));
	else if (st->exit_status >= 0 && sp->exit_code != st->exit_status)
		fail(r, sp, st, PTY_FAIL_EXIT,
		     "the program exited with status %d, expected %d",
		     sp->exit_code, st->exit_status);
	return 0;
}

static void do_order(struct spawn *sp, struct pty_run *r,
		     const struct pty_step *st)
{
	long prev = -1, at;
	size_t i;

	for (i = 0; i < st->npatterns; i++) {
		at = find_line(sp, r, 0, &st->res[i], NULL);
		if (at < 0) {
			fail(r, sp, st, PTY_FAIL_ORDER, "no line matching '%s'",
			     st->patterns[i]);
			return;
		}
		if (at <= prev) {
			fail(r, sp, st, PTY_FAIL_ORDER,
			     "the first line matching '%s' (line %ld) came before the first matching '%s' (line %ld)",
			     st->patterns[i], at + 1, st->patterns[i - 1], prev + 1);
			return;
		}
		prev = at;
	}
}

static void do_exits_before(struct spawn *sp, struct pty_run *r,
			    const struct pty_step *st)
{
	pid_t a = resolve(sp, r, st->role_a), b = resolve(sp, r, st->role_b);

	if (a <= 0 || b <= 0) {
		fail(r, sp, st, PTY_FAIL_PROCESS, "no process was seen as %s",
		     a <= 0 ? st->role_a : st->role_b);
		return;
	}
	if (procwatch_exited_before(r->pw, b, a))
		fail(r, sp, st, PTY_FAIL_PROCESS,
		     "%s (pid %ld) exited before %s (pid %ld); it must exit after it",
		     st->role_b, (long)b, st->role_a, (long)a);
}

int pty_script_finish(struct spawn *sp, struct pty_run *r, int wait)
{
	if (!r->ended && wait) {
		note(r, sp, ' ', "(the script is over: waiting for the program to end)");
		while (!r->ended)
			if (pump(sp, r) < 0)
				return -1;
	}
	if (!r->ended)
		note(r, sp, ' ', "(the grader ends the program)");
	finish(sp, r);
	return 0;
}

int pty_script_run(struct spawn *sp, struct pty_run *r, struct error *e)
{
	size_t i;

	for (i = 0; i < r->script->nsteps && !r->failure; i++) {
		const struct pty_step *st = &r->script->steps[i];
		int rc = 0;

		take_lines(r, sp, 0);
		/* a look at the tree before every action, besides the ticks:
		 * a process that lives for less than a tick (a fast program
		 * answers a key in a few ms) is still seen by the roles */
		if (!r->ended)
			procwatch_sample(r->pw, sp);
		switch (st->kind) {
		case PTY_EXPECT:
			rc = do_expect(sp, r, st);
			break;
		case PTY_PRESS:
		case PTY_SEND: {
			struct buf shown;

			buf_init(&shown, 1024);
			if (st->kind == PTY_PRESS)
				buf_adds(&shown, st->text);
			else {
				buf_addch(&shown, '"');
				add_printable(&shown, st->bytes, st->len, 120);
				buf_addch(&shown, '"');
			}
			if (r->ended) {
				fail(r, sp, st, PTY_FAIL_NO_LINE,
				     "the program had already ended when %s was to be typed",
				     shown.data);
			} else if (spawn_pty_write(sp, st->bytes, st->len) < 0) {
				fail(r, sp, st, PTY_FAIL_NO_LINE,
				     "could not type %s: the terminal is gone (%s)",
				     shown.data, strerror(errno));
			} else {
				note(r, sp, '>', "%s", shown.data);
			}
			buf_release(&shown);
			break;
		}
		case PTY_SIGNAL:
			rc = do_signal(sp, r, st);
			break;
		case PTY_SLEEP: {
			double until = now_seconds() + st->sleep_s * r->scale;

			note(r, sp, ' ', "(%g s pass)", st->sleep_s * r->scale);
			while (!r->ended && now_seconds() < until)
				if ((rc = pump(sp, r)) < 0)
					break;
			break;
		}
		case PTY_WAIT_EXIT:
			rc = do_wait_exit(sp, r, st);
			break;
		case PTY_ORDER:
			do_order(sp, r, st);
			break;
		case PTY_EXITS_BEFORE:
			do_exits_before(sp, r, st);
			break;
		default:
			break;
		}
		if (rc < 0)
			return error_set(e, "pty script: pumping the program's output failed: %s",
					 strerror(errno));
	}
	take_lines(r, sp, r->ended);
	return 0;
}
