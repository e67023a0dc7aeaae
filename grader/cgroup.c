/*
 * cgroup.c - the per-run control group of spawn.c. See cgroup.h.
 *
 * Where the hierarchies are is found once per process, from
 * /proc/self/mountinfo (mount points) and /proc/self/cgroup (the grader's
 * own place in each). A run then gets one directory per usable hierarchy:
 *
 *   v2       tracking, cgroup.kill, cgroup.events, cpu.stat; memory.max and
 *            pids.max only when those controllers are delegated to us
 *   memory   (v1) memory.limit_in_bytes, the peak, the OOM-kill count --
 *            only when a memory limit is asked, or there is no v2 tree
 *   pids     (v1) pids.max -- only when a process limit is asked
 *   cpuacct  (v1) CPU time, only when there is no v2 tree
 *   freezer  (v1) stops a fork bomb while it is being killed, only when
 *            there is no cgroup.kill
 *
 * Hierarchies are used only when needed because joining one costs: moving
 * a process between cgroups waits for an RCU grace period, milliseconds on
 * a busy machine. The v2 one is free: the child is created in it directly
 * (clone3 with CLONE_INTO_CGROUP, see cgroup_clone_fd()). The child joins
 * the others itself, between fork and exec, by writing "0" to each
 * cgroup.procs, which cgroup_create() opened beforehand: that keeps the
 * child async-signal-safe and puts the program in its cgroups before it
 * runs a single instruction of its own.
 */
#define _GNU_SOURCE
#include "cgroup.h"
#include "buf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
	H_V2,
	H_MEMORY,
	H_PIDS,
	H_CPUACCT,
	H_FREEZER,
	H_COUNT
};

/* v1 controller names; the v2 tree has none. */
static const char *const hier_ctrl[H_COUNT] = {
	NULL, "memory", "pids", "cpuacct", "freezer"
};

/* Killing must end: a process stuck in the kernel is given this long. */
#define KILL_PATIENCE_S 5.0

/* Where this process creates its cgroups, per hierarchy (NULL: unusable). */
static char *hier_base[H_COUNT];
static pthread_once_t discover_once = PTHREAD_ONCE_INIT;
static unsigned int name_counter;

struct cgroup {
	char *dir[H_COUNT];     /* created directory, or NULL */
	int join_fd[H_COUNT];   /* its cgroup.procs for cgroup_enter(), or -1 */
	int v2_dir_fd;          /* dir[H_V2] for CLONE_INTO_CGROUP, or -1 */
	int v2_kill;            /* dir[H_V2] has cgroup.kill */
	int mem_hier;           /* hierarchy holding the memory files, or -1 */
	int pids_hier;          /* hierarchy holding pids.max, or -1 */
	int memory_limited;
	int pids_limited;
};

/* Does the comma-separated list contain word? */
static int list_has(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, word, n) == 0)
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* Splits line in place at spaces into at most max fields. */
static int split_fields(char *line, char **field, int max)
{
	int n = 0;
	char *p = line;

	while (*p && n < max) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		field[n++] = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

/* The grader's own cgroup path in the hierarchy `h` from /proc/self/cgroup
 * text (lines "id:controllers:path"); NULL when not listed. */
static char *own_path(const char *text, int h)
{
	const char *line = text;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char *copy = xstrndup(line, len);
		char *c1 = strchr(copy, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		char *res = NULL;

		if (c2) {
			*c2 = '\0';
			if (h == H_V2 ? (strcmp(copy, "0") == 0 && c1[1] == '\0')
				      : list_has(c1 + 1, hier_ctrl[h]))
				res = xstrdup(c2 + 1);
		}
		free(copy);
		if (res)
			return res;
		line = eol ? eol + 1 : NULL;
	}
	return NULL;
}

/* The directory to create run cgroups in, given a mount of the hierarchy:
 * the grader's own cgroup when it is visible under that mount, else the
 * mount point itself. */
static char *pick_base(const char *mnt, const char *mnt_root, const char *own)
{
	size_t rl = strlen(mnt_root);
	char *cand;

	if (own && strcmp(mnt_root, "/") == 0) {
		cand = xasprintf("%s%s", mnt, strcmp(own, "/") ? own : "");
	} else if (own && strncmp(own, mnt_root, rl) == 0 &&
		   (own[rl] == '/' || own[rl] == '\0')) {
		cand = xasprintf("%s%s", mnt, own + rl);
	} else {
		cand = NULL;
	}
	if (cand) {
		char *procs = path_join(cand, "cgroup.procs");
		int ok = access(procs, W_OK) == 0;

		free(procs);
		if (ok)
			return cand;
		free(cand);
	}
	cand = path_join(mnt, "cgroup.procs");
	if (access(cand, W_OK) != 0) {
		free(cand);
		return NULL;
	}
	free(cand);
	return xstrdup(mnt);
}

static void discover(void)
{
	struct buf mi, self;
	char *line, *next;

	buf_init(&mi, 0);
	buf_init(&self, 0);
	if (buf_read_file(&mi, "/proc/self/mountinfo") < 0 ||
	    buf_read_file(&self, "/proc/self/cgroup") < 0)
		goto out;
	for (line = mi.data; line && *line; line = next) {
		char *f[64];
		int n, i, sep = -1, h;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* Mount points with escaped characters are not ours to guess. */
		if (strchr(line, '\\'))
			continue;
		n = split_fields(line, f, 64);
		for (i = 6; i < n; i++) {
			if (strcmp(f[i], "-") == 0) {
				sep = i;
				break;
			}
		}
		if (sep < 0 || sep + 3 >= n)
			continue;
		for (h = 0; h < H_COUNT; h++) {
			char *own;

			if (hier_base[h])
				continue;
			if (h == H_V2 ? strcmp(f[sep + 1], "cgroup2") != 0
				      : (strcmp(f[sep + 1], "cgroup") != 0 ||
					 !list_has(f[sep + 3], hier_ctrl[h])))
				continue;
			own = own_path(self.data, h);
			hier_base[h] = pick_base(f[4], f[3], own);
			free(own);
		}
	}
out:
	buf_release(&mi);
	buf_release(&self);
}

static int no_cgroup_env(void)
{
	const char *v = getenv("GRADER_NO_CGROUP");

	return v && *v && strcmp(v, "0") != 0;
}

/* Writes s to dir/file. Returns 0 or -1 (errno set). */
static int write_file(const char *dir, const char *file, const char *s)
{
	char path[PATH_MAX];
	size_t len = strlen(s);
	ssize_t r;
	int fd, saved;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	do
		r = write(fd, s, len);
	while (r < 0 && errno == EINTR);
	saved = errno;
	close(fd);
	errno = saved;
	return r == (ssize_t)len ? 0 : -1;
}

/* Reads a small file dir/file into out (NUL-terminated). Returns the length
 * or -1 (errno set). */
static ssize_t read_small(const char *dir, const char *file, char *out, size_t n)
{
	char path[PATH_MAX];
	ssize_t r;
	size_t got = 0;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (got + 1 < n) {
		r = read(fd, out + got, n - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;

			close(fd);
			errno = saved;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	out[got] = '\0';
	return (ssize_t)got;
}

/* The number after "key " in a "key value" per line file; -1 if absent. */
static long long read_key(const char *dir, const char *file, const char *key)
{
	char text[4096];
	size_t kl = strlen(key);
	const char *p;

	if (!dir || read_small(dir, file, text, sizeof(text)) < 0)
		return -1;
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ')
			return strtoll(p + kl + 1, NULL, 10);
	}
	return -1;
}

/* A single number file; -1 if absent or unreadable. */
static long long read_number(const char *dir, const char *file)
{
	char text[64];

	if (!dir || read_small(dir, file, text, sizeof(text)) <= 0)
		return -1;
	return strtoll(text, NULL, 10);
}

static int file_exists(const char *dir, const char *file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

static void sleep_ms(double ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* rmdir, retried while the kernel is still letting go of the last task. */
static void remove_dir(const char *dir)
{
	double give_up = now_seconds() + 2.0;

	while (rmdir(dir) < 0) {
		if (errno == ENOENT || errno != EBUSY || now_seconds() > give_up)
			return;
		sleep_ms(1);
	}
}

/* Makes one directory per wanted hierarchy; 0, or -1 on a name clash (the
 * caller retries with another name). Hierarchies that refuse are skipped. */
static int make_dirs(struct cgroup *cg, const char *name, const int *want)
{
	int h;

	for (h = 0; h < H_COUNT; h++) {
		char *dir;

		if (!want[h] || !hier_base[h])
			continue;
		dir = path_join(hier_base[h], name);
		if (mkdir(dir, 0755) < 0) {
			int clash = errno == EEXIST;

			free(dir);
			if (clash)
				return -1;
			continue;
		}
		cg->dir[h] = dir;
	}
	return 0;
}

static void remove_dirs(struct cgroup *cg)
{
	int h;

	for (h = 0; h < H_COUNT; h++) {
		if (cg->join_fd[h] >= 0)
			close(cg->join_fd[h]);
		cg->join_fd[h] = -1;
		if (cg->dir[h])
			remove_dir(cg->dir[h]);
		free(cg->dir[h]);
		cg->dir[h] = NULL;
	}
}

static void set_limits(struct cgroup *cg, long long memory, int processes)
{
	char num[32];

	if (memory > 0 && cg->mem_hier >= 0) {
		const char *dir = cg->dir[cg->mem_hier];

		snprintf(num, sizeof(num), "%lld", memory);
		if (cg->mem_hier == H_MEMORY) {
			cg->memory_limited =
				write_file(dir, "memory.limit_in_bytes", num) == 0;
			/* Swap must not extend the limit; either file may be
			 * missing (no swap accounting), which is fine. */
			write_file(dir, "memory.memsw.limit_in_bytes", num);
			write_file(dir, "memory.swappiness", "0");
		} else {
			cg->memory_limited = write_file(dir, "memory.max", num) == 0;
			write_file(dir, "memory.swap.max", "0");
		}
	}
	if (processes > 0 && cg->pids_hier >= 0) {
		snprintf(num, sizeof(num), "%d", processes);
		cg->pids_limited =
			write_file(cg->dir[cg->pids_hier], "pids.max", num) == 0;
	}
}

struct cgroup *cgroup_create(long long memory, int processes)
{
	struct cgroup *cg;
	int want[H_COUNT] = { 0 };
	int h, attempt, tracked = 0;
	char ctrl[256];

	if (no_cgroup_env())
		return NULL;
	pthread_once(&discover_once, discover);

	cg = xcalloc(1, sizeof(*cg));
	for (h = 0; h < H_COUNT; h++)
		cg->join_fd[h] = -1;
	cg->v2_dir_fd = -1;
	cg->mem_hier = cg->pids_hier = -1;

	want[H_V2] = 1;
	want[H_MEMORY] = memory > 0 || !hier_base[H_V2];
	want[H_PIDS] = processes > 0 || (!hier_base[H_V2] && !hier_base[H_MEMORY]);
	want[H_CPUACCT] = !hier_base[H_V2];
	want[H_FREEZER] = !hier_base[H_V2];
	for (attempt = 0; attempt < 16; attempt++) {
		unsigned int n = __atomic_fetch_add(&name_counter, 1, __ATOMIC_RELAXED);
		char name[64];

		snprintf(name, sizeof(name), "grader-%ld-%u", (long)getpid(), n);
		if (make_dirs(cg, name, want) == 0)
			break;
		/* A stale directory of a dead grader that had our pid. */
		remove_dirs(cg);
	}

	if (cg->dir[H_V2]) {
		cg->v2_kill = file_exists(cg->dir[H_V2], "cgroup.kill");
		if (!cg->v2_kill && hier_base[H_FREEZER]) {
			/* An older kernel: the freezer has to stop fork bombs. */
			const char *slash = strrchr(cg->dir[H_V2], '/');
			int w[H_COUNT] = { 0 };

			w[H_FREEZER] = 1;
			make_dirs(cg, slash + 1, w);
		}
		if (read_small(cg->dir[H_V2], "cgroup.controllers", ctrl,
			       sizeof(ctrl)) >= 0) {
			char *p;

			for (p = ctrl; *p; p++)
				if (*p == ' ' || *p == '\n')
					*p = ',';
			if (!cg->dir[H_MEMORY] && list_has(ctrl, "memory"))
				cg->mem_hier = H_V2;
			if (!cg->dir[H_PIDS] && list_has(ctrl, "pids"))
				cg->pids_hier = H_V2;
		}
	}
	if (cg->dir[H_MEMORY])
		cg->mem_hier = H_MEMORY;
	if (cg->dir[H_PIDS])
		cg->pids_hier = H_PIDS;

	for (h = 0; h < H_COUNT; h++) {
		char *procs;

		if (!cg->dir[h])
			continue;
		procs = path_join(cg->dir[h], "cgroup.procs");
		cg->join_fd[h] = open(procs, O_WRONLY | O_CLOEXEC);
		free(procs);
		if (cg->join_fd[h] < 0) {
			remove_dir(cg->dir[h]);
			free(cg->dir[h]);
			cg->dir[h] = NULL;
			if (cg->mem_hier == h)
				cg->mem_hier = -1;
			if (cg->pids_hier == h)
				cg->pids_hier = -1;
			continue;
		}
		tracked = 1;
	}
	if (!tracked) {
		remove_dirs(cg);
		free(cg);
		return NULL;
	}
	if (cg->dir[H_V2])
		cg->v2_dir_fd = open(cg->dir[H_V2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	set_limits(cg, memory, processes);
	return cg;
}

int cgroup_memory_limited(const struct cgroup *cg)
{
	return cg && cg->memory_limited;
}

int cgroup_pids_limited(const struct cgroup *cg)
{
	return cg && cg->pids_limited;
}

int cgroup_clone_fd(const struct cgroup *cg)
{
	return cg->v2_dir_fd;
}

int cgroup_enter(const struct cgroup *cg, int in_v2)
{
	int h;

	for (h = 0; h < H_COUNT; h++) {
		ssize_t r;

		if (cg->join_fd[h] < 0 || (h == H_V2 && in_v2))
			continue;
		do
			r = write(cg->join_fd[h], "0", 1);
		while (r < 0 && errno == EINTR);
		if (r != 1)
			return r < 0 ? errno : EIO;
	}
	return 0;
}

void cgroup_started(struct cgroup *cg)
{
	int h;

	for (h = 0; h < H_COUNT; h++) {
		if (cg->join_fd[h] >= 0)
			close(cg->join_fd[h]);
		cg->join_fd[h] = -1;
	}
	if (cg->v2_dir_fd >= 0)
		close(cg->v2_dir_fd);
	cg->v2_dir_fd = -1;
}

/* The directory whose cgroup.procs lists the run's processes. */
static const char *track_dir(const struct cgroup *cg)
{
	int h;

	for (h = 0; h < H_COUNT; h++)
		if (cg->dir[h])
			return cg->dir[h];
	return NULL;
}

/* The pids in cgroup.procs; returns the count (*out: caller frees) or -1. */
static int read_pids(const struct cgroup *cg, pid_t **out)
{
	const char *dir = track_dir(cg);
	char *path;
	struct buf b;
	int n = 0, cap = 16;
	char *p, *end;

	*out = NULL;
	if (!dir)
		return -1;
	path = path_join(dir, "cgroup.procs");
	buf_init(&b, 0);
	if (buf_read_file(&b, path) < 0) {
		free(path);
		buf_release(&b);
		return -1;
	}
	free(path);
	*out = xmalloc((size_t)cap * sizeof(pid_t));
	for (p = b.data; *p; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p) {
			end = p + 1;
			continue;
		}
		if (n == cap) {
			cap *= 2;
			*out = xrealloc(*out, (size_t)cap * sizeof(pid_t));
		}
		(*out)[n++] = (pid_t)v;
	}
	buf_release(&b);
	return n;
}

int cgroup_list(const struct cgroup *cg, pid_t **out)
{
	int n = read_pids(cg, out);

	if (n < 0) {
		free(*out);
		*out = NULL;
	}
	return n;
}

int cgroup_count(const struct cgroup *cg, pid_t except)
{
	pid_t *pids;
	int n = read_pids(cg, &pids), i, count = 0;

	if (n < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (pids[i] != except)
			count++;
	free(pids);
	return count;
}

/* Waits for "populated 0" in the v2 cgroup.events, woken by its POLLPRI
 * notifications. Returns 1 when empty, 0 on time out. */
static int v2_wait_empty(const struct cgroup *cg, double seconds)
{
	char path[PATH_MAX];
	double give_up = now_seconds() + seconds;
	int fd, empty = 0;

	snprintf(path, sizeof(path), "%s/cgroup.events", cg->dir[H_V2]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	for (;;) {
		char text[256];
		ssize_t r = pread(fd, text, sizeof(text) - 1, 0);
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };
		double left = give_up - now_seconds();

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		text[r] = '\0';
		if (strstr(text, "populated 0")) {
			empty = 1;
			break;
		}
		if (left <= 0)
			break;
		/* Re-read at least every 10 ms in case a notification was
		 * missed between the read and the poll. */
		if (poll(&pfd, 1, left > 0.01 ? 10 : (int)(left * 1000) + 1) < 0 &&
		    errno != EINTR)
			break;
	}
	close(fd);
	return empty;
}

/* Freezes (1) or thaws (0) the v1 freezer cgroup; freezing waits until the
 * kernel reports FROZEN, briefly. */
static void freeze(const struct cgroup *cg, int on)
{
	const char *dir = cg->dir[H_FREEZER];
	double give_up = now_seconds() + 0.5;
	char state[32];

	if (!dir || write_file(dir, "freezer.state", on ? "FROZEN" : "THAWED") < 0)
		return;
	while (on && now_seconds() < give_up) {
		if (read_small(dir, "freezer.state", state, sizeof(state)) < 0 ||
		    strncmp(state, "FROZEN", 6) == 0)
			return;
		sleep_ms(0.5);
	}
}

int cgroup_kill(struct cgroup *cg)
{
	double give_up = now_seconds() + KILL_PATIENCE_S;

	if (cg->v2_kill && write_file(cg->dir[H_V2], "cgroup.kill", "1") == 0 &&
	    v2_wait_empty(cg, KILL_PATIENCE_S))
		return 0;
	/* No cgroup.kill: SIGKILL every member, with the freezer (when there
	 * is one) holding a fork bomb still, until nothing is left. */
	while (now_seconds() < give_up) {
		pid_t *pids;
		int n = read_pids(cg, &pids), i;

		if (n <= 0) {
			free(pids);
			return n == 0 ? 0 : -1;
		}
		freeze(cg, 1);
		for (i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		freeze(cg, 0);
		free(pids);
		sleep_ms(0.5);
	}
	return -1;
}

double cgroup_cpu_seconds(const struct cgroup *cg)
{
	long long v;

	if (cg->dir[H_V2]) {
		v = read_key(cg->dir[H_V2], "cpu.stat", "usage_usec");
		if (v >= 0)
			return (double)v / 1e6;
	}
	if (cg->dir[H_CPUACCT]) {
		v = read_number(cg->dir[H_CPUACCT], "cpuacct.usage");
		if (v >= 0)
			return (double)v / 1e9;
	}
	return -1;
}

long long cgroup_memory_peak(const struct cgroup *cg)
{
	if (cg->mem_hier == H_MEMORY)
		return read_number(cg->dir[H_MEMORY], "memory.max_usage_in_bytes");
	if (cg->mem_hier == H_V2)
		return read_number(cg->dir[H_V2], "memory.peak");
	return -1;
}

long long cgroup_oom_kills(const struct cgroup *cg)
{
	if (cg->mem_hier == H_MEMORY)
		return read_key(cg->dir[H_MEMORY], "memory.oom_control", "oom_kill");
	if (cg->mem_hier == H_V2)
		return read_key(cg->dir[H_V2], "memory.events", "oom_kill");
	return -1;
}

void cgroup_destroy(struct cgroup *cg)
{
	if (!cg)
		return;
	cgroup_started(cg);
	if (cgroup_count(cg, 0) != 0)
		cgroup_kill(cg);
	remove_dirs(cg);
	free(cg);
}
