/*
 * procwatch.c - sampling a run's process tree (see procwatch.h).
 *
 * A tick: (1) list the pids to read -- the run's live members
 * (spawn_pids), their children from /proc/PID/task/TID/children (zombies
 * included: they stay on their parent's list until reaped), and every
 * record not yet known to be gone; (2) read each one's /proc/PID/stat;
 * (3) update the records, with zombies judged only after every state of
 * the tick is known (a zombie counts while its parent is alive in the same
 * tick); (4) count who is alive.
 */
#define _GNU_SOURCE
#include "procwatch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#define MAX_PROCS 4096 /* records kept; a fork bomb is stopped well before */

struct pw_stat {
	char state;
	pid_t ppid;
	char comm[17];
	double cpu_s;
	unsigned long long start;
};

/* /proc/PID/stat: the state, the parent, the command, utime+stime of the
 * process itself (not of its waited-for children) and the start time. */
static int stat_read(pid_t pid, long hz, struct pw_stat *ps)
{
	char path[64], text[1024];
	unsigned long long f[23];
	char *p, *open_paren;
	ssize_t r;
	size_t clen;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	do
		r = read(fd, text, sizeof(text) - 1);
	while (r < 0 && errno == EINTR);
	close(fd);
	if (r <= 0)
		return -1;
	text[r] = '\0';
	/* the command is in parentheses and may contain anything */
	open_paren = strchr(text, '(');
	p = strrchr(text, ')');
	if (!open_paren || !p || p < open_paren || p[1] != ' ' || !p[2])
		return -1;
	clen = (size_t)(p - open_paren - 1);
	if (clen > sizeof(ps->comm) - 1)
		clen = sizeof(ps->comm) - 1;
	memcpy(ps->comm, open_paren + 1, clen);
	ps->comm[clen] = '\0';
	ps->state = p[2];
	p += 3;
	for (i = 4; i <= 22; i++) {
		char *end;

		f[i] = strtoull(p, &end, 10);
		if (end == p)
			return -1;
		p = end;
	}
	ps->ppid = (pid_t)f[4];
	ps->cpu_s = (double)(f[14] + f[15]) / (double)hz;
	ps->start = f[22];
	return 0;
}

void procwatch_init(struct procwatch *pw, int wrapped)
{
	memset(pw, 0, sizeof(*pw));
	pw->wrapped = wrapped;
	pw->hz = sysconf(_SC_CLK_TCK);
	if (pw->hz <= 0)
		pw->hz = 100;
}

void procwatch_release(struct procwatch *pw)
{
	free(pw->v);
	free(pw->max_pids);
	memset(pw, 0, sizeof(*pw));
}

static struct pw_proc *find(const struct procwatch *pw, pid_t pid)
{
	size_t i;

	for (i = pw->n; i-- > 0;)
		if (pw->v[i].pid == pid)
			return &pw->v[i];
	return NULL;
}

const struct pw_proc *procwatch_find(const struct procwatch *pw, pid_t pid)
{
	return find(pw, pid);
}

/* A process the program owns: not the wrapper, not a helper. */
static int counted(const struct pw_proc *p)
{
	return !p->wrapper && !p->helper;
}

/* pids to read: appended once each. */
struct pidset {
	pid_t *v;
	size_t n, cap;
};

static void pidset_add(struct pidset *s, pid_t pid)
{
	size_t i;

	if (pid <= 0)
		return;
	for (i = 0; i < s->n; i++)
		if (s->v[i] == pid)
			return;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 32;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = pid;
}

/* The children of every thread of pid (zombies included). */
static void add_children(struct pidset *s, pid_t pid)
{
	char path[64], text[4096];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%ld/task", (long)pid);
	if (!(d = opendir(path)))
		return;
	while ((de = readdir(d)) != NULL) {
		char cpath[320], *p, *end;
		ssize_t r;
		int fd;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(cpath, sizeof(cpath), "/proc/%ld/task/%s/children",
			 (long)pid, de->d_name);
		fd = open(cpath, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		r = read(fd, text, sizeof(text) - 1);
		close(fd);
		if (r <= 0)
			continue;
		text[r] = '\0';
		for (p = text;; p = end) {
			long c = strtol(p, &end, 10);

			if (end == p)
				break;
			pidset_add(s, (pid_t)c);
		}
	}
	closedir(d);
}

/* A child that shares its parent's address space is not a fork of the
 * program but a helper: LeakSanitizer's tracer (cloned with CLONE_VM at
 * exit), or a vfork child that has not exec'd yet. */
static int shares_memory(pid_t parent, pid_t child)
{
	return syscall(SYS_kcmp, parent, child, KCMP_VM, 0, 0) == 0;
}

static struct pw_proc *add_proc(struct procwatch *pw, pid_t pid,
				const struct pw_stat *ps)
{
	struct pw_proc *p;

	if (pw->n >= MAX_PROCS)
		return NULL;
	if (pw->n == pw->cap) {
		pw->cap = pw->cap ? 2 * pw->cap : 32;
		pw->v = xrealloc(pw->v, pw->cap * sizeof(*pw->v));
	}
	p = &pw->v[pw->n++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid0 = p->ppid = ps->ppid;
	p->start_ticks = ps->start;
	memcpy(p->comm, ps->comm, sizeof(p->comm));
	p->t_seen = pw->t_now;
	p->t_exit = -1;
	p->z_start = -1;
	p->state = p->alive_state = ps->state;
	p->wrapper = pw->wrapped && pid == pw->root;
	if (ps->state != 'Z' && shares_memory(ps->ppid, pid))
		p->helper = 1;
	if (!pw->main && !p->helper &&
	    (pw->wrapped ? ps->ppid == pw->root : pid == pw->root))
		pw->main = pid;
	return p;
}

void procwatch_sample(struct procwatch *pw, struct spawn *sp)
{
	struct pidset s = { 0 };
	pid_t *live = NULL;
	int nlive, alive, i;
	size_t k;
	struct pw_stat *st;
	int *ok;

	if (!pw->root)
		pw->root = sp->pid;
	if (!pw->t0)
		pw->t0 = sp->t_start;
	pw->t_now = now_seconds() - pw->t0;
	pw->ticks++;

	nlive = spawn_pids(sp, &live);
	for (i = 0; i < nlive; i++)
		pidset_add(&s, live[i]);
	pidset_add(&s, sp->pid);
	for (k = 0; k < (size_t)(nlive > 0 ? nlive : 0); k++)
		add_children(&s, live[k]);
	for (k = 0; k < pw->n; k++)
		if (pw->v[k].state != '-')
			pidset_add(&s, pw->v[k].pid);
	free(live);

	st = xcalloc(s.n + 1, sizeof(*st));
	ok = xcalloc(s.n + 1, sizeof(*ok));
	for (k = 0; k < s.n; k++)
		ok[k] = stat_read(s.v[k], pw->hz, &st[k]) == 0;

	for (k = 0; k < s.n; k++) {
		struct pw_proc *p = find(pw, s.v[k]);

		/* a pid seen again with another start time was reused: a new
		 * process (find() returns the newest record of a pid) */
		if (ok[k] && (!p || p->start_ticks != st[k].start))
			add_proc(pw, s.v[k], &st[k]);
	}

	/* states */
	for (k = 0; k < pw->n; k++) {
		struct pw_proc *p = &pw->v[k];
		size_t j;
		int seen = 0;

		if (p->state == '-')
			continue;
		for (j = 0; j < s.n; j++)
			if (s.v[j] == p->pid) {
				seen = ok[j] && st[j].start == p->start_ticks;
				break;
			}
		if (!seen) {
			p->state = '-';
			if (p->t_exit < 0)
				p->t_exit = pw->t_now;
			p->z_start = -1;
			continue;
		}
		p->state = st[j].state;
		p->ppid = st[j].ppid;
		if (st[j].cpu_s > p->cpu_s)
			p->cpu_s = st[j].cpu_s;
		if (p->state == 'Z' || p->state == 'X') {
			if (p->t_exit < 0)
				p->t_exit = pw->t_now;
		} else {
			p->t_last = pw->t_now;
			p->alive_state = p->state;
		}
	}

	/* zombies under a live parent of the program */
	for (k = 0; k < pw->n; k++) {
		struct pw_proc *p = &pw->v[k], *parent;

		if (p->state != 'Z') {
			p->z_start = -1;
			continue;
		}
		parent = find(pw, p->ppid);
		if (!counted(p) || !parent || !counted(parent) ||
		    parent->t_exit >= 0) {
			p->z_start = -1;
			continue;
		}
		if (p->z_start < 0 || p->z_parent != p->ppid) {
			p->z_start = pw->t_now;
			p->z_parent = p->ppid;
		}
		if (pw->t_now - p->z_start >= p->z_longest) {
			p->z_longest = pw->t_now - p->z_start;
			p->z_at = p->z_start;
		}
	}

	alive = 0;
	for (k = 0; k < pw->n; k++)
		if (counted(&pw->v[k]) && pw->v[k].t_exit < 0)
			alive++;
	if (alive > pw->max_alive) {
		int m = 0;

		pw->max_alive = alive;
		pw->t_max_alive = pw->t_now;
		pw->max_pids = xrealloc(pw->max_pids, (size_t)alive * sizeof(pid_t));
		for (k = 0; k < pw->n && m < alive; k++)
			if (counted(&pw->v[k]) && pw->v[k].t_exit < 0)
				pw->max_pids[m++] = pw->v[k].pid;
		pw->nmax_pids = m;
	}
	free(st);
	free(ok);
	free(s.v);
}

void procwatch_tick(struct spawn *sp, void *arg)
{
	procwatch_sample(arg, sp);
}

/* ---- roles ---- */

/* The n-th counted child of parent by start time, or NULL. */
static const struct pw_proc *nth_child(const struct procwatch *pw,
				       pid_t parent, long n)
{
	const struct pw_proc *best = NULL;
	long idx;
	size_t k;

	/* records are in discovery order, which may differ from start
	 * order when two children appear within one tick: rank by start */
	for (k = 0; k < pw->n; k++) {
		const struct pw_proc *p = &pw->v[k];
		size_t j;

		if (p->ppid0 != parent || !counted(p) || p->pid == pw->main)
			continue;
		idx = 0;
		for (j = 0; j < pw->n; j++) {
			const struct pw_proc *q = &pw->v[j];

			if (q->ppid0 != parent || !counted(q) || q == p ||
			    q->pid == pw->main)
				continue;
			if (q->start_ticks < p->start_ticks ||
			    (q->start_ticks == p->start_ticks && j < k))
				idx++;
		}
		if (idx == n) {
			best = p;
			break;
		}
	}
	return best;
}

/* Walks a role; *steps receives the number of child[] steps. Returns the
 * pid (> 0), 0 when not seen, -1 when malformed. pw may be NULL (syntax
 * check only). */
static pid_t walk_role(const struct procwatch *pw, const char *role)
{
	const char *p = role;
	pid_t cur;

	if (strncmp(p, "main", 4) == 0) {
		p += 4;
		if (*p == '.' && p[1])
			p++;
		else if (*p)
			return -1;
	}
	cur = pw ? pw->main : 1;
	while (*p) {
		char *end;
		long n;
		const struct pw_proc *c;

		if (strncmp(p, "child[", 6) != 0)
			return -1;
		p += 6;
		if (*p < '0' || *p > '9')
			return -1;
		n = strtol(p, &end, 10);
		if (*end != ']' || n > 100000)
			return -1;
		p = end + 1;
		if (*p == '.') {
			p++;
			if (!*p)
				return -1;
		} else if (*p) {
			return -1;
		}
		if (!pw || cur <= 0)
			continue;
		c = nth_child(pw, cur, n);
		cur = c ? c->pid : 0;
	}
	return pw ? (cur > 0 ? cur : 0) : 1;
}

int procwatch_role_valid(const char *role)
{
	return *role && walk_role(NULL, role) > 0 ? 0 : -1;
}

pid_t procwatch_role_pid(const struct procwatch *pw, const char *role)
{
	if (procwatch_role_valid(role) < 0)
		return -1;
	return walk_role(pw, role);
}

const char *procwatch_role_of(const struct procwatch *pw, pid_t pid,
			      char *out, size_t outsz)
{
	pid_t chain[32];
	int depth = 0, i;
	const struct pw_proc *p = find(pw, pid);
	size_t len;

	/* climb to main through the first-seen parents */
	while (p && p->pid != pw->main && depth < 32) {
		chain[depth++] = p->pid;
		p = find(pw, p->ppid0);
	}
	if (!p || p->pid != pw->main || !pw->main) {
		snprintf(out, outsz, "pid %ld", (long)pid);
		return out;
	}
	snprintf(out, outsz, "main");
	len = 4;
	for (i = depth - 1; i >= 0; i--) {
		const struct pw_proc *c = find(pw, chain[i]);
		pid_t parent = c->ppid0;
		long n;

		for (n = 0; n < 100000; n++) {
			const struct pw_proc *q = nth_child(pw, parent, n);

			if (!q || q->pid == c->pid)
				break;
		}
		if (len == 4 && i == depth - 1)
			len = 0; /* "child[0]" rather than "main.child[0]" */
		len += (size_t)snprintf(out + len, len < outsz ? outsz - len : 0,
					"%schild[%ld]", len ? "." : "", n);
		if (len >= outsz)
			break;
	}
	return out;
}

/* ---- figures ---- */

int procwatch_count(const struct procwatch *pw)
{
	size_t k;
	int n = 0;

	for (k = 0; k < pw->n; k++)
		n += counted(&pw->v[k]);
	return n;
}

int procwatch_workers(const struct procwatch *pw, double cpu_s)
{
	size_t k;
	int n = 0;

	for (k = 0; k < pw->n; k++) {
		const struct pw_proc *p = &pw->v[k];

		if (counted(p) && p->pid != pw->main && p->cpu_s > cpu_s)
			n++;
	}
	return n;
}

const struct pw_proc *procwatch_worst_zombie(const struct procwatch *pw)
{
	const struct pw_proc *worst = NULL;
	size_t k;

	for (k = 0; k < pw->n; k++) {
		const struct pw_proc *p = &pw->v[k];

		if (!counted(p) || (p->z_longest <= 0 && p->z_start < 0))
			continue;
		if (!worst || p->z_longest > worst->z_longest)
			worst = p;
	}
	return worst;
}

const struct pw_proc *procwatch_stopped(const struct procwatch *pw)
{
	size_t k;

	for (k = 0; k < pw->n; k++) {
		const struct pw_proc *p = &pw->v[k];

		/* still there at the last look: one that was stopped, let
		 * go and ended between two ticks was last *seen* stopped */
		if (counted(p) && p->t_exit < 0 &&
		    (p->state == 'T' || p->state == 't'))
			return p;
	}
	return NULL;
}

int procwatch_exited_before(const struct procwatch *pw, pid_t b, pid_t a)
{
	const struct pw_proc *pa = find(pw, a), *pb = find(pw, b);

	if (!pa || !pb || pb->t_exit < 0)
		return 0;
	return pa->t_exit < 0 || pb->t_exit < pa->t_exit;
}

static const char *state_word(char s)
{
	switch (s) {
	case 'R': return "running";
	case 'S': return "sleeping";
	case 'D': return "disk wait";
	case 'T': return "STOPPED";
	case 't': return "STOPPED (traced)";
	case 'Z': return "zombie";
	case '-': return "gone";
	default: return "other";
	}
}

void procwatch_format(const struct procwatch *pw, double worker_cpu_s,
		      int max_rows, struct buf *out)
{
	const struct pw_proc *z = procwatch_worst_zombie(pw);
	const struct pw_proc *stopped = procwatch_stopped(pw);
	char role[64], prole[64];
	double last, best;
	size_t k;
	int rows = 0;

	buf_addf(out, "processes: %d seen, at most %d alive at once",
		 procwatch_count(pw), pw->max_alive);
	if (pw->max_alive)
		buf_addf(out, " (at %.2f s)", pw->t_max_alive);
	buf_addf(out, "; %d besides main used more than %.0f ms of CPU\n",
		 procwatch_workers(pw, worker_cpu_s), worker_cpu_s * 1000);
	if (z)
		buf_addf(out, "longest zombie: %s (pid %ld, %s) for at least %.0f ms from %.2f s under %s\n",
			 procwatch_role_of(pw, z->pid, role, sizeof(role)),
			 (long)z->pid, z->comm, z->z_longest * 1000, z->z_at,
			 procwatch_role_of(pw, z->z_parent, prole, sizeof(prole)));
	else
		buf_adds(out, "zombies: none seen under a live parent\n");
	if (stopped)
		buf_addf(out, "stopped at the end: %s (pid %ld)\n",
			 procwatch_role_of(pw, stopped->pid, role, sizeof(role)),
			 (long)stopped->pid);
	buf_addf(out, "%-18s %7s %7s %7s %7s %8s  %s\n", "role", "pid", "parent",
		 "start", "exit", "cpu", "last state");
	for (k = 0; k < pw->n; k++) {
		const struct pw_proc *p = &pw->v[k];
		char exit_s[16];

		if (!counted(p))
			continue;
		if (rows++ >= max_rows) {
			buf_addf(out, "... (%d more)\n",
				 procwatch_count(pw) - max_rows);
			break;
		}
		if (p->t_exit >= 0)
			snprintf(exit_s, sizeof(exit_s), "%.2f", p->t_exit);
		else
			snprintf(exit_s, sizeof(exit_s), "-");
		buf_addf(out, "%-18s %7ld %7ld %7.2f %7s %7.3fs  %s\n",
			 procwatch_role_of(pw, p->pid, role, sizeof(role)),
			 (long)p->pid, (long)p->ppid0, p->t_seen, exit_s,
			 p->cpu_s, state_word(p->state == '-' || p->state == 'Z'
						      ? p->state : p->alive_state));
	}
	/* exit order, by the tick that first saw each one dead: "a < b & c"
	 * (b and c first seen dead at the same tick, order unknown) */
	buf_adds(out, "exit order (first seen dead):");
	for (last = -1;; last = best) {
		const char *sep = "";

		best = -1;
		for (k = 0; k < pw->n; k++) {
			const struct pw_proc *p = &pw->v[k];

			if (counted(p) && p->t_exit > last &&
			    (best < 0 || p->t_exit < best))
				best = p->t_exit;
		}
		if (best < 0)
			break;
		if (last >= 0)
			buf_adds(out, " <");
		for (k = 0; k < pw->n; k++) {
			const struct pw_proc *p = &pw->v[k];

			if (counted(p) && p->t_exit == best) {
				buf_addf(out, "%s %s", sep,
					 procwatch_role_of(pw, p->pid, role,
							   sizeof(role)));
				sep = " &";
			}
		}
	}
	if (last < 0)
		buf_adds(out, " (none exited)");
	buf_adds(out, "\n");
}
