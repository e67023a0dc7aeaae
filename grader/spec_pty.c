/*
 * spec_pty.c - parsing `type: pty` tests (see spec_pty.h, docs/spec.md).
 *
 * A script is a list of one-action mappings. Every mistake is located at
 * the item or key that made it: an unknown action or key, a bad regex, an
 * unknown key name or signal, a role that is not one, a `$name` used
 * before an expect captured it.
 */
#define _GNU_SOURCE
#include "spec_pty.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch.h"
#include "spec.h"
#include "spec_parse.h"
#include "util.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_STEPS 10000

const char *const spec_pty_keys[] = { "args", "env", "exit", "script",
				      "timeout", NULL };

static const char *const action_names[PTY__COUNT] = {
	[PTY_EXPECT] = "expect",       [PTY_PRESS] = "press",
	[PTY_SEND] = "send",           [PTY_SIGNAL] = "signal",
	[PTY_SLEEP] = "sleep",         [PTY_WAIT_EXIT] = "wait_exit",
	[PTY_ORDER] = "order",         [PTY_EXITS_BEFORE] = "exits_before",
};

const char *pty_action_name(enum pty_action a)
{
	return a < PTY__COUNT ? action_names[a] : "?";
}

/* The options each action takes besides its own key. */
static const char *const *action_options(enum pty_action a)
{
	static const char *const expect[] = { "timeout", "capture", NULL };
	static const char *const wait_exit[] = { "timeout", NULL };
	static const char *const signal[] = { "to", NULL };
	static const char *const none[] = { NULL };

	switch (a) {
	case PTY_EXPECT: return expect;
	case PTY_WAIT_EXIT: return wait_exit;
	case PTY_SIGNAL: return signal;
	default: return none;
	}
}

/* Keys as a keyboard types them: what the line discipline turns into
 * signals (VINTR, VQUIT, VSUSP) or end of file (VEOF). */
static const struct {
	const char *name;
	const char *bytes;
} keys[] = {
	{ "ctrl-c", "\x03" },  { "ctrl-\\", "\x1c" }, { "ctrl-backslash", "\x1c" },
	{ "ctrl-z", "\x1a" },  { "ctrl-d", "\x04" },  { "enter", "\n" },
};

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP },   { "INT", SIGINT },   { "QUIT", SIGQUIT },
	{ "ILL", SIGILL },   { "ABRT", SIGABRT }, { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "SEGV", SIGSEGV }, { "PIPE", SIGPIPE },
	{ "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "USR1", SIGUSR1 },
	{ "USR2", SIGUSR2 }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },
	{ "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "WINCH", SIGWINCH },
};

int pty_signal_number(const char *name)
{
	size_t i;
	char *end;
	long n;

	if (name[0] >= '0' && name[0] <= '9') {
		n = strtol(name, &end, 10);
		return *end || n < 1 || n >= NSIG ? -1 : (int)n;
	}
	if (!strncmp(name, "SIG", 3))
		name += 3;
	for (i = 0; i < COUNT(signals); i++)
		if (!strcmp(name, signals[i].name))
			return signals[i].sig;
	return -1;
}

static int compile(const struct ynode *n, const char *what, const char *src,
		   regex_t *re, struct error *e)
{
	char msg[256];
	int rc = regcomp(re, src, REG_EXTENDED);

	if (rc) {
		regerror(rc, re, msg, sizeof(msg));
		return error_at(e, n->file, n->line, n->col,
				"%s: invalid regular expression: %s", what, msg);
	}
	return 0;
}

/* The names captured so far (for $name roles). */
struct captures {
	const char *names[64];
	size_t n;
};

static int parse_role(const struct ynode *n, const char *what,
		      const struct captures *caps, char **out,
		      struct error *e)
{
	size_t i;

	if (ynode_string(n, what, out, e) < 0)
		return -1;
	if ((*out)[0] == '$') {
		for (i = 0; i < caps->n; i++)
			if (!strcmp(caps->names[i], *out + 1))
				return 0;
		return error_at(e, n->file, n->line, n->col,
				"%s: '%s' names no capture of an earlier expect (add `capture: %s` to one)",
				what, *out, *out + 1);
	}
	if (procwatch_role_valid(*out) < 0)
		return error_at(e, n->file, n->line, n->col,
				"%s: '%s' is not a process role (expected main, child[N], child[N].child[M]..., or $name of a capture)",
				what, *out);
	return 0;
}

static int parse_step(const struct ynode *item, const char *what_item,
		      struct captures *caps, struct pty_step *st,
		      struct error *e)
{
	const struct ynode *v = NULL, *n;
	const char *allowed[8];
	char what[WHAT_MAX], names[160];
	size_t i, na = 0;
	int a = -1;

	st->line = item->line;
	st->col = item->col;
	st->exit_status = -1;
	if (ynode_expect(item, YNODE_MAP, what_item, e) < 0)
		return -1;
	/* exactly one action key */
	for (i = 0; i < item->n; i++) {
		const struct ynode *k = item->items[2 * i];
		int j;

		for (j = 0; j < PTY__COUNT; j++)
			if (k->type == YNODE_SCALAR && !strcmp(k->value, action_names[j]))
				break;
		if (j == PTY__COUNT)
			continue;
		if (a >= 0)
			return error_at(e, k->file, k->line, k->col,
					"%s: one action per item; '%s' and '%s' are two (make them two items)",
					what_item, action_names[a], k->value);
		a = j;
		v = item->items[2 * i + 1];
	}
	if (a < 0) {
		spec_join_names(action_names, PTY__COUNT, names, sizeof(names));
		return error_at(e, item->file, item->line, item->col,
				"%s: no action (expected one of: %s)", what_item,
				names);
	}
	st->kind = (enum pty_action)a;
	allowed[na++] = action_names[a];
	for (i = 0; action_options(st->kind)[i]; i++)
		allowed[na++] = action_options(st->kind)[i];
	allowed[na] = NULL;
	if (ymap_check_keys(item, allowed, what_item, e) < 0)
		return -1;

#define WHAT(key) (spec_whatf(what, sizeof(what), "%s.%s", what_item, key), what)
	if ((n = ymap_get(item, "timeout")) &&
	    spec_positive_duration(n, WHAT("timeout"), &st->timeout_s, e) < 0)
		return -1;
	WHAT(action_names[a]);
	switch (st->kind) {
	case PTY_EXPECT:
		if (ynode_string(v, what, &st->text, e) < 0)
			return -1;
		st->re = xmalloc(sizeof(*st->re));
		if (compile(v, what, st->text, st->re, e) < 0) {
			free(st->re);
			st->re = NULL;
			return -1;
		}
		if ((n = ymap_get(item, "capture"))) {
			if (spec_name_string(n, WHAT("capture"), "_", 0,
					     "a-z, 0-9 and '_'", &st->capture, e) < 0)
				return -1;
			if (st->re->re_nsub < 1)
				return error_at(e, n->file, n->line, n->col,
						"%s: the regex has no group to capture: put the pid in parentheses, e.g. 'worker ([0-9]+)'",
						what);
			if (caps->n < COUNT(caps->names))
				caps->names[caps->n++] = st->capture;
		}
		break;
	case PTY_PRESS:
		if (ynode_string(v, what, &st->text, e) < 0)
			return -1;
		for (i = 0; i < COUNT(keys); i++)
			if (!strcmp(st->text, keys[i].name)) {
				st->bytes = xstrdup(keys[i].bytes);
				st->len = strlen(st->bytes);
				break;
			}
		if (!st->bytes)
			return error_at(e, v->file, v->line, v->col,
					"%s: unknown key '%s' (expected ctrl-c, 'ctrl-\\', ctrl-z, ctrl-d or enter; type text with `send`)",
					what, st->text);
		break;
	case PTY_SEND:
		if (ynode_string(v, what, &st->text, e) < 0)
			return -1;
		if (!v->len)
			return error_at(e, v->file, v->line, v->col,
					"%s: empty text", what);
		st->bytes = xstrndup(v->value, v->len);
		st->len = v->len;
		break;
	case PTY_SIGNAL: {
		char *name;

		if (ynode_string(v, what, &name, e) < 0)
			return -1;
		st->signal = pty_signal_number(name);
		free(name);
		if (st->signal < 0)
			return error_at(e, v->file, v->line, v->col,
					"%s: unknown signal '%s' (e.g. SIGSTOP, SIGCONT, SIGUSR1, SIGTERM)",
					what, v->value);
		if ((n = ymap_get(item, "to"))) {
			if (parse_role(n, WHAT("to"), caps, &st->role, e) < 0)
				return -1;
		} else {
			st->role = xstrdup("main");
		}
		break;
	}
	case PTY_SLEEP:
		if (spec_positive_duration(v, what, &st->sleep_s, e) < 0)
			return -1;
		break;
	case PTY_WAIT_EXIT:
		if (spec_parse_exit(v, what, &st->exit_status, e) < 0)
			return -1;
		break;
	case PTY_ORDER:
		if (ynode_expect(v, YNODE_SEQ, what, e) < 0)
			return -1;
		if (v->n < 2)
			return error_at(e, v->file, v->line, v->col,
					"%s: needs at least two regexes (the first line matching each, in this order)",
					what);
		st->patterns = xcalloc(v->n + 1, sizeof(*st->patterns));
		st->res = xcalloc(v->n, sizeof(*st->res));
		for (i = 0; i < v->n; i++) {
			char w[WHAT_MAX];

			spec_whatf(w, sizeof(w), "%s[%zu]", what, i);
			if (ynode_string(v->items[i], w, &st->patterns[i], e) < 0 ||
			    compile(v->items[i], w, st->patterns[i], &st->res[i], e) < 0)
				return -1;
			st->npatterns++;
		}
		break;
	case PTY_EXITS_BEFORE: {
		char w[WHAT_MAX];

		if (ynode_expect(v, YNODE_SEQ, what, e) < 0)
			return -1;
		if (v->n != 2)
			return error_at(e, v->file, v->line, v->col,
					"%s: expected two roles [A, B] (A exits before B), got %zu",
					what, v->n);
		spec_whatf(w, sizeof(w), "%s[0]", what);
		if (parse_role(v->items[0], w, caps, &st->role_a, e) < 0)
			return -1;
		spec_whatf(w, sizeof(w), "%s[1]", what);
		if (parse_role(v->items[1], w, caps, &st->role_b, e) < 0)
			return -1;
		break;
	}
	default:
		break;
	}
#undef WHAT
	return 0;
}

int spec_parse_pty(struct spec_ctx *c, const struct ynode *map,
		   const char *prefix, struct spec_test *t, struct error *e)
{
	const struct ynode *n, *script;
	struct spec_pty *p;
	struct captures caps = { .n = 0 };
	char what[WHAT_MAX];
	size_t i;

	if (spec_parse_run_keys(c, map, prefix, t, e) < 0)
		return -1;
	p = xcalloc(1, sizeof(*p));
	t->pty = p;
	p->timeout_s = PTY_DEFAULT_TIMEOUT_S;
	spec_whatf(what, sizeof(what), "%s.timeout", prefix);
	if ((n = ymap_get(map, "timeout")) &&
	    spec_positive_duration(n, what, &p->timeout_s, e) < 0)
		return -1;
	spec_whatf(what, sizeof(what), "%s.script", prefix);
	if (spec_need(map, "script", prefix, &script, e) < 0 ||
	    ynode_expect(script, YNODE_SEQ, what, e) < 0)
		return -1;
	if (script->n == 0 || script->n > MAX_STEPS)
		return error_at(e, script->file, script->line, script->col,
				"%s: needs 1..%d items", what, MAX_STEPS);
	p->steps = xcalloc(script->n, sizeof(*p->steps));
	for (i = 0; i < script->n; i++) {
		spec_whatf(what, sizeof(what), "%s.script[%zu]", prefix, i);
		p->nsteps++;
		if (parse_step(script->items[i], what, &caps, &p->steps[i], e) < 0)
			return -1;
	}
	return 0;
}

void spec_pty_release(struct spec_test *t)
{
	struct spec_pty *p = t->pty;
	size_t i, j;

	if (!p)
		return;
	for (i = 0; i < p->nsteps; i++) {
		struct pty_step *st = &p->steps[i];

		free(st->text);
		if (st->re) {
			regfree(st->re);
			free(st->re);
		}
		free(st->capture);
		free(st->bytes);
		free(st->role);
		for (j = 0; j < st->npatterns; j++)
			regfree(&st->res[j]);
		free(st->res);
		strv_free(st->patterns);
		free(st->role_a);
		free(st->role_b);
	}
	free(p->steps);
	free(p);
	t->pty = NULL;
}
