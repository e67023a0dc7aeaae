/*
 * unitrun.c - one case of a unit-test binary, run with its private record
 * channel. See unitrun.h and grader/runtime/unit_main.c (the other side).
 */
#define _GNU_SOURCE
#include "unitrun.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runfs.h"
#include "util.h"

#define CHANNEL_MAGIC "GRADER-UNIT-1"
#define RECORD_CAP (64 << 10)
#define PUMP_SLICE_S 0.01

/* ---- records ---- */

static void results_free(struct unit_result *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].file);
		free(v[i].tcase);
		free(v[i].message);
	}
	free(v);
}

void unit_record_release(struct unit_record *r)
{
	results_free(r->results, r->nresults);
	memset(r, 0, sizeof(*r));
}

/* "P 42\tfile\tcase\tmessage" into res; 0 or -1. */
static int parse_result(const char *p, size_t len, struct unit_result *res)
{
	const char *end = p + len, *f[3];
	size_t i;
	char *num_end;
	long line;

	memset(res, 0, sizeof(*res));
	if (len < 4 || !strchr("PFE", p[0]) || p[1] != ' ')
		return -1;
	res->rtype = p[0];
	line = strtol(p + 2, &num_end, 10);
	if (num_end == p + 2 || num_end >= end || *num_end != '\t')
		return -1;
	res->line = (int)line;
	f[0] = num_end + 1;
	for (i = 1; i < 3; i++) {
		const char *tab = memchr(f[i - 1], '\t', (size_t)(end - f[i - 1]));

		if (!tab)
			return -1;
		f[i] = tab + 1;
	}
	res->file = xstrndup(f[0], (size_t)(f[1] - f[0] - 1));
	res->tcase = xstrndup(f[1], (size_t)(f[2] - f[1] - 1));
	/* the message is the rest of the line (the runner turned tabs and
	 * newlines in it into spaces) */
	res->message = xstrndup(f[2], (size_t)(end - f[2]));
	return 0;
}

void unit_record_parse(const char *data, size_t len, const char *nonce,
		       struct unit_record *out)
{
	const char *p = data, *end = data + len;
	size_t nl = strlen(nonce);
	struct unit_result *cur = NULL;
	size_t ncur = 0;
	int in_record = 0, declared = 0;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t ll;

		if (!eol)
			eol = end;
		ll = (size_t)(eol - p);
		if (ll > nl && !memcmp(p, nonce, nl) && p[nl] == ' ') {
			const char *rest = p + nl + 1;
			size_t rl = ll - nl - 1;

			if (rl > 6 && !memcmp(rest, "begin ", 6)) {
				results_free(cur, ncur);
				cur = NULL;
				ncur = 0;
				in_record = 1;
				declared = atoi(rest + 6);
			} else if (in_record && rl > 7 && !memcmp(rest, "result ", 7)) {
				struct unit_result res;

				if (parse_result(rest + 7, rl - 7, &res) == 0) {
					cur = xrealloc(cur, (ncur + 1) * sizeof(*cur));
					cur[ncur++] = res;
				} else {
					in_record = 0; /* malformed: not a record */
				}
			} else if (in_record && rl == 3 && !memcmp(rest, "end", 3)) {
				in_record = 0;
				if ((size_t)declared == ncur && declared >= 0) {
					out->copies++;
					if (!out->complete) {
						out->complete = 1;
						out->ntests = declared;
						out->results = cur;
						out->nresults = ncur;
						cur = NULL;
						ncur = 0;
					}
				}
				results_free(cur, ncur);
				cur = NULL;
				ncur = 0;
			}
		} else if (ll > 0) {
			out->foreign++;
		}
		p = eol + 1;
	}
	results_free(cur, ncur);
}

/* ---- one run ---- */

void unit_run_init(struct unit_run *r)
{
	memset(r, 0, sizeof(*r));
	r->rec_fd = -1;
	spawn_init(&r->sp);
	buf_init(&r->rec, RECORD_CAP);
}

void unit_run_release(struct unit_run *r)
{
	if (r->started && !r->finished)
		unit_run_finish(r);
	spawn_release(&r->sp);
	variant_run_release(&r->vr);
	if (r->rec_fd >= 0)
		close(r->rec_fd);
	if (r->dir)
		rm_rf(r->dir);
	strv_free(r->extra_tool_args);
	strv_free(r->env);
	free(r->argv);
	free(r->dir);
	free(r->rundir);
	free(r->fifo);
	free(r->channel);
	buf_release(&r->rec);
	memset(r, 0, sizeof(*r));
	r->rec_fd = -1;
}

static int make_nonce(char out[33])
{
	unsigned char raw[16];
	size_t got = 0, i;

	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	for (i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

int unit_run_start(struct unit_run *r, const char *workdir, struct error *e)
{
	static unsigned long seq;
	char *logdir;
	size_t n = 0, i, nenv = 0;
	char **env;

	r->dir = xasprintf("%s/unit/runs/%ld-%lu", workdir, (long)getpid(), ++seq);
	r->rundir = path_join(r->dir, "run");
	/* in the run's cwd: the one directory a sandboxed run can both see
	 * and write (the record's nonce, not the path, is the secret) */
	r->fifo = path_join(r->rundir, ".grader-record");
	if (rm_rf(r->dir) < 0 || mkdir_p(r->rundir) < 0 ||
	    (r->disk > 0 && runfs_mount(r->rundir, r->disk, r->inodes) < 0))
		return error_set(e, "%s: %s", r->dir, strerror(errno));
	if (mkfifo(r->fifo, 0600) < 0 || chmod(r->fifo, 0666) < 0)
		return error_set(e, "mkfifo %s: %s", r->fifo, strerror(errno));
	/* read and write: the runner's open for writing never blocks, and
	 * the record stays readable after the runner ended */
	r->rec_fd = open(r->fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (r->rec_fd < 0)
		return error_set(e, "%s: %s", r->fifo, strerror(errno));
	if (make_nonce(r->nonce) < 0)
		return error_set(e, "getrandom: %s", strerror(errno));
	r->channel = xasprintf("%s %s %s\n", CHANNEL_MAGIC, r->nonce, r->fifo);
	logdir = path_join(r->dir, "logs");
	if (variant_prepare(r->v, logdir, &r->vr) < 0) {
		int saved = errno;

		error_set(e, "%s: %s", logdir, strerror(saved));
		free(logdir);
		return -1;
	}
	free(logdir);

	for (i = 0; r->tool_prefix && r->tool_prefix[i]; i++)
		n++;
	for (i = 0; r->extra_tool_args && r->extra_tool_args[i]; i++)
		n++;
	r->argv = xcalloc(n + r->vr.nprefix + 4, sizeof(char *));
	n = 0;
	for (i = 0; r->tool_prefix && r->tool_prefix[i]; i++)
		r->argv[n++] = r->tool_prefix[i];
	for (i = 0; i < r->vr.nprefix; i++)
		r->argv[n++] = r->vr.prefix[i];
	for (i = 0; r->extra_tool_args && r->extra_tool_args[i]; i++)
		r->argv[n++] = r->extra_tool_args[i];
	r->argv[n++] = r->runner;
	r->argv[n++] = r->tcase;
	r->argv[n] = NULL;

	/* the environment: a minimal base, the tool's options, the test's */
	for (i = 0; r->env && r->env[i]; i++)
		nenv++;
	env = xcalloc(3 + r->vr.nenv + nenv, sizeof(char *));
	n = 0;
	env[n++] = xstrdup("PATH=/usr/local/bin:/usr/bin:/bin");
	env[n++] = xstrdup("LANG=C.UTF-8");
	for (i = 0; i < r->vr.nenv; i++)
		env[n++] = xstrdup(r->vr.env[i]);
	for (i = 0; i < nenv; i++)
		env[n++] = r->env[i];
	env[n] = NULL;
	free(r->env);
	r->env = env;

	r->sp.argv = r->argv;
	r->sp.envp = (const char *const *)r->env;
	r->sp.cwd = r->rundir;
	r->sp.stdin_data = r->channel;
	r->sp.stdin_len = strlen(r->channel);
	r->sp.wall_s = r->wall_s;
	r->sp.cpu_s = r->cpu_s;
	r->sp.memory = r->memory;
	r->sp.processes = r->processes;
	r->sp.open_files = r->open_files;
	r->sp.output = r->output;
	if (spawn_start(&r->sp, e) < 0)
		return -1;
	r->started = 1;
	return 0;
}

int unit_run_finish(struct unit_run *r)
{
	char chunk[4096];
	int rc;

	if (!r->started || r->finished)
		return 0;
	rc = spawn_finish(&r->sp);
	r->finished = 1;
	for (;;) {
		ssize_t n = read(r->rec_fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf_add(&r->rec, chunk, (size_t)n);
		if (r->rec.truncated)
			break;
	}
	close(r->rec_fd);
	r->rec_fd = -1;
	unlink(r->fifo);
	return rc;
}

int unit_run_batch(struct unit_run **runs, size_t n, int jobs,
		   const char *workdir, struct error *e)
{
	size_t next = 0, i;
	int active = 0, rc = 0;

	if (jobs < 1)
		jobs = 1;
	while (next < n || active > 0) {
		while (rc == 0 && active < jobs && next < n) {
			if (unit_run_start(runs[next], workdir, e) < 0) {
				rc = -1;
				break;
			}
			next++;
			active++;
		}
		if (rc < 0)
			next = n; /* start nothing more; finish the others */
		active = 0;
		for (i = 0; i < n; i++) {
			struct unit_run *r = runs[i];
			int p;

			if (!r->started || r->finished)
				continue;
			p = rc < 0 ? 1 : spawn_pump(&r->sp, PUMP_SLICE_S);
			if (p != 0) {
				unit_run_finish(r);
				if (p < 0 && rc == 0)
					rc = error_set(e, "running a unit test failed: %s",
						       strerror(errno));
				continue;
			}
			active++;
		}
	}
	return rc;
}
