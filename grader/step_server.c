/*
 * step_server.c - the `server` step: start the student's server, talk to it
 * with TFTP clients, stop it with SIGTERM, look at what it left. See
 * spec_server.h for the spec side and docs/spec.md ("Server tests").
 *
 * One run, in order:
 *   1. WORK/run/srv/files is the served directory ({dir}); the test's
 *      `files` are seeded into it and its `outside` files next to it
 *      (WORK/run/srv), and everything under WORK/run outside {dir} is
 *      listed, to find later what the server touched outside {dir}.
 *   2. A private network namespace (netns.h), or a free loopback port when
 *      there is none (said in the details). The server is spawned into it
 *      (spawn netns_fd) with the placeholders of its args replaced, and the
 *      main thread pumps its output until a complete line matches `ready`.
 *   3. A client thread joins the namespace and runs the actions in order,
 *      stopping at the first failure; `background` and `concurrent`
 *      actions get threads of their own (started from the client thread,
 *      so they are in the namespace too). The tftp-hpa client is spawned
 *      from the client thread with the same netns_fd. Meanwhile the main
 *      thread keeps pumping the server's output, and cancels every client
 *      (tftp_client_opts.cancel) if the server ends.
 *   4. SIGTERM to the server's main process (not its group: children it
 *      leaves behind must be seen), up to stop_timeout for it to exit;
 *      background clients are then cancelled and joined, spawn_finish()
 *      kills what is left and counts it.
 *   5. The served directory: the seeded files intact, every completed
 *      upload present, nothing else (no temporary dot file, no partial
 *      upload under its name); nothing changed outside it.
 *
 * Every action's outcome is one line of row->details (visible tests only);
 * the first failure is the row's message.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "grade_step.h"
#include "netns.h"
#include "spec_server.h"
#include "tftp_client.h"
#include "util.h"

#define NETNS_PORT 6969          /* inside a private namespace every port is free */
#define BARRIER_TIMEOUT_S 3.0    /* concurrent: all transfers under way by then */
#define CLIENT_FACTOR 1.5        /* our timeout: this x the window's top */
#define TFTP_HPA "/usr/bin/tftp"
#define TFTP_HPA_OUTPUT (1 << 20)
#define HPA_TIMEOUT_S 3          /* tftp-hpa gives up after this long without progress */
#define SERVED "srv/files"       /* {dir}, under WORK/run */

/* A file the directory must hold at the end (seeded or uploaded), or must
 * not hold (an upload that was aborted or refused: absent = 1). */
struct dir_entry {
	char *name;
	char *data;
	size_t len;
	int absent;
};

struct srv_run {
	struct grade_ctx *c;
	const struct spec_test *t;
	const struct spec_server *sv;
	enum variant v;
	double scale;
	struct netns ns;
	int port;
	int timeout_ms;          /* the server's, {timeout_ms} */
	char *root;              /* WORK/run */
	char *dir;               /* WORK/run/srv/files */
	char *clientdir;         /* WORK/client: tftp-hpa's local files */

	pthread_mutex_t lock;    /* guards everything below */
	struct dir_entry *files;
	size_t nfiles;
	struct buf log;          /* the details, one line per action */
	char *failure;           /* the first failing action's message */
	char *grader_problem;    /* not the student's fault: VERDICT_ERROR */
	pthread_t *bg;           /* background and concurrent threads */
	size_t nbg;
	int client_seq;          /* names of tftp-hpa's local files */

	int cancel;              /* atomic: every client stops */
	int client_done;         /* atomic: the client thread finished */
};

/* ---- shared state ---- */

static void run_log(struct srv_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void run_log(struct srv_run *run, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&run->lock);
	va_start(ap, fmt);
	buf_vaddf(&run->log, fmt, ap);
	va_end(ap);
	buf_addch(&run->log, '\n');
	pthread_mutex_unlock(&run->lock);
}

/* Records the first failure (takes msg). */
static void run_fail(struct srv_run *run, char *msg)
{
	pthread_mutex_lock(&run->lock);
	if (!run->failure)
		run->failure = msg;
	else
		free(msg);
	pthread_mutex_unlock(&run->lock);
}

static int run_failed(struct srv_run *run)
{
	int f;

	pthread_mutex_lock(&run->lock);
	f = run->failure != NULL || run->grader_problem != NULL;
	pthread_mutex_unlock(&run->lock);
	return f;
}

static int is_cancelled(struct srv_run *run)
{
	return __atomic_load_n(&run->cancel, __ATOMIC_ACQUIRE);
}

static void cancel_all(struct srv_run *run)
{
	__atomic_store_n(&run->cancel, 1, __ATOMIC_RELEASE);
}

/* What the directory must hold under name from now on (takes data). */
static void expect_entry(struct srv_run *run, const char *name, char *data,
			 size_t len, int absent)
{
	size_t i;

	pthread_mutex_lock(&run->lock);
	for (i = 0; i < run->nfiles; i++)
		if (!strcmp(run->files[i].name, name))
			break;
	if (i == run->nfiles) {
		run->files = xrealloc(run->files, (run->nfiles + 1) * sizeof(*run->files));
		run->files[i].name = xstrdup(name);
		run->files[i].data = NULL;
		run->nfiles++;
	}
	free(run->files[i].data);
	run->files[i].data = data;
	run->files[i].len = len;
	run->files[i].absent = absent;
	pthread_mutex_unlock(&run->lock);
}

/* Whether name is a file the directory held from the start. */
static int is_seeded(const struct spec_server *sv, const char *name)
{
	size_t i;

	for (i = 0; i < sv->nfiles; i++)
		if (!sv->files[i].outside && !strcmp(sv->files[i].name, name))
			return 1;
	return 0;
}

/* ---- small helpers ---- */

static char *shown_name(const char *name)
{
	struct buf b;

	buf_init(&b, 0);
	buf_addch(&b, '\'');
	for (; *name && b.len < 80; name++) {
		unsigned char ch = (unsigned char)*name;

		if (ch < 32 || ch == 127)
			buf_addf(&b, "\\x%02x", ch);
		else
			buf_addch(&b, (char)ch);
	}
	buf_addch(&b, '\'');
	return buf_detach(&b, NULL);
}

/* "12 bytes", "16 MiB" */
static char *size_text(size_t n)
{
	if (n >= (1u << 20) && n % (1u << 20) == 0)
		return xasprintf("%zu MiB", n >> 20);
	if (n >= 10240)
		return xasprintf("%zu bytes (%.1f KiB)", n, n / 1024.0);
	return xasprintf("%zu byte%s", n, n == 1 ? "" : "s");
}

/* Where got differs from want, for a message. */
static char *compare_bytes(const char *want, size_t wlen, const char *got,
			   size_t glen)
{
	size_t i, n = wlen < glen ? wlen : glen;
	char *w, *g, *m;

	for (i = 0; i < n && want[i] == got[i]; i++)
		;
	if (i == n && wlen == glen)
		return NULL;
	w = size_text(wlen);
	g = size_text(glen);
	if (i == n)
		m = xasprintf("%s where %s were expected (%s)", g, w,
			      glen < wlen ? "the end is missing" : "extra bytes at the end");
	else
		m = xasprintf("%s where %s were expected; the first difference is at byte %zu",
			      g, w, i);
	free(w);
	free(g);
	return m;
}

/* The listing a correct server gives for .dir: the regular files of DIR
 * not starting with '.', in strcmp order, one per line. */
static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *dir_listing(const char *dir, size_t *len)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	struct buf b;

	buf_init(&b, 0);
	while (d && (de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.' ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	if (d)
		closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		buf_addf(&b, "%s\n", names[i]);
		free(names[i]);
	}
	free(names);
	return buf_detach(&b, len);
}

/* Sleeps s seconds unless the run is cancelled. */
static void run_sleep(struct srv_run *run, double s)
{
	double until = now_seconds() + s;

	while (!is_cancelled(run) && now_seconds() < until) {
		double left = until - now_seconds();
		struct timespec ts = { 0, 0 };

		if (left > 0.05)
			left = 0.05;
		ts.tv_nsec = (long)(left * 1e9);
		nanosleep(&ts, NULL);
	}
}

/* ---- the grader's client ---- */

/* A retransmission window in ms, scaled for slow variants at the top. */
static void window_ms(const struct srv_run *run, double *lo, double *hi)
{
	*lo = run->sv->window_min * run->timeout_ms;
	*hi = run->sv->window_max * run->timeout_ms * run->scale;
}

static int client_timeout_ms(const struct srv_run *run)
{
	double lo, hi;

	if (run->sv->client_timeout_s > 0)
		return (int)(run->sv->client_timeout_s * 1000 * run->scale);
	window_ms(run, &lo, &hi);
	return (int)(hi * CLIENT_FACTOR);
}

static void make_opts(struct srv_run *run, const struct server_action *a,
		      struct tftp_client_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->port = run->port;
	o->mode = a->mode;
	o->timeout_ms = client_timeout_ms(run);
	o->retries = run->sv->client_retries;
	o->deadline_ms = (int)(run->sv->action_timeout_s * 1000 * run->scale);
	o->blksize = a->blksize;
	o->drop_nth_sent = a->f.drop_sent;
	o->drop_nth_received = a->f.drop_received;
	o->dup_ack_at_block = a->f.duplicate_ack;
	o->dup_data_at_block = a->f.duplicate_data;
	o->delay_at_block = a->f.delay_block;
	o->delay_ms = (int)(a->f.delay_s * 1000);
	o->foreign_tid_at_block = a->f.foreign_tid;
	o->abort_at_block = a->f.abort_block;
	o->stall_at_block = a->f.stall_block;
	o->stall_ms = (int)(a->f.stall_s * 1000);
	o->cancel = &run->cancel;
}

/* A gap (ms) measured after a loss, against the window; NULL when fine. */
static char *check_gap(struct srv_run *run, double gap, const char *what)
{
	double lo, hi;

	window_ms(run, &lo, &hi);
	if (gap < 0)
		return xasprintf("%s was never resent (the server's timeout is %d ms)",
				 what, run->timeout_ms);
	if (gap < lo || gap > hi)
		return xasprintf("%s was resent after %.0f ms; expected between %.0f and %.0f ms (the server's timeout is %d ms)",
				 what, gap, lo, hi, run->timeout_ms);
	return NULL;
}

/* The checks an action's faults call for, on a completed transfer. */
static char *check_faults(struct srv_run *run, const struct server_action *a,
			  const struct tftp_result *r)
{
	int get = a->verb != SV_PUT;

	/* only early copies: a copy after a timeout is a retransmission,
	 * which a loaded machine may cause legitimately */
	if (a->f.duplicate_ack && r->early_dups)
		return xasprintf("after a duplicate ACK %d, %d block(s) arrived twice at once (the Sorcerer's Apprentice bug: send the next block only on the first ACK of the current one; resend only on a timeout)",
				 a->f.duplicate_ack, r->early_dups);
	if (a->f.drop_received)
		return check_gap(run, r->drop_gap_ms,
				 get ? "the lost DATA" : "the lost ACK");
	if (a->f.drop_sent >= 2)
		return check_gap(run, r->drop_gap_ms,
				 get ? "the DATA whose ACK was lost" : "the ACK of the block before the lost DATA");
	if (a->f.foreign_tid && r->foreign_error_code != TFTP_EBADTID) {
		if (r->foreign_error_code == -1)
			return xstrdup("a packet from a foreign port got no ERROR 5 (unknown transfer ID) back");
		return xasprintf("a packet from a foreign port got ERROR %d back, expected 5 (unknown transfer ID)",
				 r->foreign_error_code);
	}
	return NULL;
}

static char *result_summary(const struct tftp_result *r)
{
	struct buf b;

	buf_init(&b, 0);
	buf_addf(&b, "%u block%s", r->blocks, r->blocks == 1 ? "" : "s");
	if (r->oack)
		buf_addf(&b, " of %d (OACK)", r->blksize);
	if (r->drop_gap_ms >= 0)
		buf_addf(&b, ", resent after %.0f ms", r->drop_gap_ms);
	if (r->retransmissions_seen)
		buf_addf(&b, ", %d retransmission(s)", r->retransmissions_seen);
	if (r->foreign_error_code >= 0)
		buf_addf(&b, ", foreign port got ERROR %d", r->foreign_error_code);
	buf_addf(&b, ", %.0f ms", r->elapsed_ms);
	return buf_detach(&b, NULL);
}

/* The expected bytes of a get: its `expect`, else the seeded file. */
static int get_expected(struct srv_run *run, const struct server_action *a,
			char **data, size_t *len, struct error *e)
{
	size_t i;

	if (a->content.kind != CONTENT_NONE)
		return server_content_materialize(&a->content, data, len, e);
	for (i = 0; i < run->sv->nfiles; i++)
		if (!run->sv->files[i].outside &&
		    !strcmp(run->sv->files[i].name, a->name))
			return server_content_materialize(
				&run->sv->files[i].content, data, len, e);
	*data = xcalloc(1, 1);
	*len = 0;
	return 0;
}

/* After a refused or interrupted upload: nothing under its name. */
static char *check_not_created(struct srv_run *run, const char *name)
{
	char *path, *msg = NULL;
	struct stat st;

	if (is_seeded(run->sv, name) || strchr(name, '/') || name[0] == '.')
		return NULL; /* seeded: checked intact at the end; others:
				 the end checks the whole tree */
	path = path_join(run->dir, name);
	if (lstat(path, &st) == 0)
		msg = xasprintf("a file of %lld bytes is left under that name: an upload must go to a temporary file, renamed only when complete",
				(long long)st.st_size);
	free(path);
	return msg;
}

/* One get/put/list/raw with the grader's client. Returns the failure (or
 * NULL) and the outcome for the details in *ok_text. */
static char *grader_transfer(struct srv_run *run, const struct server_action *a,
			     int sync_block, int (*sync)(void *), void *sync_arg,
			     char **ok_text)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	struct error e;
	struct buf got;
	char *want = NULL, *msg = NULL, *cmp;
	size_t wlen = 0;
	int rc, interrupted = a->f.abort_block || a->f.stall_block;

	make_opts(run, a, &o);
	o.sync_at_block = sync_block;
	o.sync = sync;
	o.sync_arg = sync_arg;
	error_init(&e);
	buf_init(&got, 0);
	if (a->verb == SV_RAW) {
		rc = tftp_raw(&o, a->raw, a->rawlen, &got, &r, &e);
		if (rc < 0)
			msg = xasprintf("no reply: %s", e.msg);
		else if (got.len < 2 || (unsigned char)got.data[1] != TFTP_ERROR ||
			 got.data[0])
			msg = xasprintf("the server accepted the packet (it answered with opcode %d) instead of sending ERROR %d",
					got.len >= 2 ? ((unsigned char)got.data[0] << 8 | (unsigned char)got.data[1]) : -1,
					a->error);
		else if (r.error_code != a->error)
			msg = xasprintf("ERROR %d (%s) where ERROR %d (%s) was expected",
					r.error_code, tftp_error_name(r.error_code),
					a->error, tftp_error_name(a->error));
		else
			*ok_text = xasprintf("ERROR %d (%s) as expected", a->error,
					     tftp_error_name(a->error));
		buf_release(&got);
		return msg;
	}
	if (a->verb == SV_PUT) {
		if (server_content_materialize(&a->content, &want, &wlen, &e) < 0) {
			pthread_mutex_lock(&run->lock);
			if (!run->grader_problem)
				run->grader_problem = xstrdup(e.msg);
			pthread_mutex_unlock(&run->lock);
			return xstrdup(e.msg);
		}
		rc = tftp_put(&o, a->name, want, wlen, &r, &e);
	} else {
		rc = tftp_get(&o, a->name, &got, &r, &e);
	}

	if (a->error >= 0) {
		if (rc == 0)
			msg = xasprintf("the transfer succeeded where ERROR %d (%s) was expected",
					a->error, tftp_error_name(a->error));
		else if (r.error_code < 0)
			msg = xasprintf("no ERROR %d (%s): %s", a->error,
					tftp_error_name(a->error), e.msg);
		else if (r.error_code != a->error)
			msg = xasprintf("ERROR %d (%s) where ERROR %d (%s) was expected",
					r.error_code, tftp_error_name(r.error_code),
					a->error, tftp_error_name(a->error));
		else
			*ok_text = xasprintf("ERROR %d (%s) as expected", a->error,
					     tftp_error_name(a->error));
		if (!msg && a->verb == SV_PUT)
			msg = check_not_created(run, a->name);
		if (a->verb == SV_PUT && !is_seeded(run->sv, a->name))
			expect_entry(run, a->name, NULL, 0, 1);
		goto out;
	}
	if (interrupted) {
		/* the call fails as injected; anything else is the server's */
		if (r.error_code >= 0)
			msg = xasprintf("ERROR %d (%s) before the client %s at block %d: %s",
					r.error_code, tftp_error_name(r.error_code),
					a->f.abort_block ? "aborted" : "stalled",
					a->f.abort_block ? a->f.abort_block : a->f.stall_block,
					r.error_msg);
		else if (!strstr(e.msg, "as requested") && !strstr(e.msg, "cancelled"))
			msg = xasprintf("the transfer failed before the client %s: %s",
					a->f.abort_block ? "aborted" : "stalled", e.msg);
		else if (a->retransmissions >= 0 && !strstr(e.msg, "cancelled") &&
			 r.retransmissions_seen + r.early_dups != a->retransmissions)
			msg = xasprintf("the server resent its last packet %d time(s) while the client was silent for %.1f s; expected exactly %d",
					r.retransmissions_seen + r.early_dups,
					a->f.stall_s, a->retransmissions);
		else if (a->retransmissions > 0 && !strstr(e.msg, "cancelled"))
			msg = check_gap(run, r.stall_gap_ms, "the last packet");
		if (!msg && a->verb == SV_PUT)
			msg = check_not_created(run, a->name);
		if (!msg)
			*ok_text = xasprintf("%s at block %d as planned%s%s",
					     a->f.abort_block ? "aborted" : "stalled",
					     a->f.abort_block ? a->f.abort_block : a->f.stall_block,
					     a->f.stall_block ? "; server retransmissions seen: " : "",
					     a->f.stall_block ? (r.retransmissions_seen + r.early_dups == 0 ? "0" : "some") : "");
		if (!msg && a->f.stall_block) {
			free(*ok_text);
			*ok_text = xasprintf("stalled at block %d as planned; the server resent %d time(s)%s",
					     a->f.stall_block,
					     r.retransmissions_seen + r.early_dups,
					     strstr(e.msg, "cancelled") ? " before it was stopped" : "");
		}
		if (a->verb == SV_PUT && !is_seeded(run->sv, a->name))
			expect_entry(run, a->name, NULL, 0, 1);
		goto out;
	}
	if (rc < 0) {
		msg = r.error_code >= 0
			      ? xasprintf("ERROR %d (%s) \"%s\"", r.error_code,
					  tftp_error_name(r.error_code), r.error_msg)
			      : xstrdup(e.msg);
		if (a->verb == SV_PUT && !is_seeded(run->sv, a->name))
			expect_entry(run, a->name, NULL, 0, 1);
		goto out;
	}
	if (a->verb == SV_PUT) {
		/* the server renamed the upload into place before its last ACK */
		char *path = path_join(run->dir, a->name);
		struct buf disk;

		buf_init(&disk, 0);
		if (buf_read_file(&disk, path) < 0)
			msg = xasprintf("the upload completed but %s is not in the served directory (%s)",
					a->name, strerror(errno));
		else if ((cmp = compare_bytes(want, wlen, disk.data, disk.len))) {
			msg = xasprintf("the uploaded file holds %s", cmp);
			free(cmp);
		}
		buf_release(&disk);
		free(path);
		expect_entry(run, a->name, want, wlen, 0);
		want = NULL;
	} else {
		struct error e2;

		error_init(&e2);
		if (a->verb == SV_LIST) {
			want = dir_listing(run->dir, &wlen);
		} else if (get_expected(run, a, &want, &wlen, &e2) < 0) {
			msg = xstrdup(e2.msg);
			goto out;
		}
		if ((cmp = compare_bytes(want, wlen, got.data, got.len))) {
			msg = xasprintf("received %s", cmp);
			free(cmp);
		}
	}
	if (!msg && a->expect_blksize &&
	    (!r.oack || r.blksize != a->expect_blksize))
		msg = r.oack ? xasprintf("the OACK granted blksize %d, expected %d",
					 r.blksize, a->expect_blksize)
			     : xasprintf("no OACK: the blksize option (%d) was ignored",
					 a->blksize);
	if (!msg)
		msg = check_faults(run, a, &r);
	if (!msg) {
		char *sz = size_text(a->verb == SV_PUT ? wlen : got.len);
		char *sum = result_summary(&r);

		*ok_text = xasprintf("ok, %s in %s", sz, sum);
		free(sz);
		free(sum);
	}
out:
	free(want);
	buf_release(&got);
	return msg;
}

/* ---- the tftp-hpa client ---- */

/* "Error code 1: File not found" in tftp-hpa's output: the code, or -1. */
static int hpa_error_code(const struct buf *out)
{
	const char *p = out->data ? strstr(out->data, "Error code ") : NULL;

	return p ? atoi(p + 11) : -1;
}

static char *hpa_transfer(struct srv_run *run, const struct server_action *a,
			  char **ok_text)
{
	struct spawn sp;
	struct error e;
	char port[16], *local, *want = NULL, *msg = NULL, *cmp, *script = NULL;
	const char *argv[4];
	size_t wlen = 0;
	int seq, code, n = 0;

	if (access(TFTP_HPA, X_OK) < 0) {
		pthread_mutex_lock(&run->lock);
		if (!run->grader_problem)
			run->grader_problem = xstrdup(
				"the tftp client of tftp-hpa (" TFTP_HPA ") is not installed on the grading machine (make deps)");
		pthread_mutex_unlock(&run->lock);
		return xstrdup("tftp-hpa is not installed");
	}
	pthread_mutex_lock(&run->lock);
	seq = ++run->client_seq;
	pthread_mutex_unlock(&run->lock);
	local = xasprintf("%s/local-%d", run->clientdir, seq);
	error_init(&e);
	if (a->verb == SV_PUT) {
		if (server_content_materialize(&a->content, &want, &wlen, &e) < 0 ||
		    write_file_atomic(local, want, wlen) < 0) {
			msg = xasprintf("cannot prepare the upload: %s",
					e.msg[0] ? e.msg : strerror(errno));
			unlink(local);
			free(want);
			free(local);
			return msg;
		}
	}
	/* commands on stdin rather than -c, to set the timeouts: tftp-hpa's
	 * own (25 s without progress) would make a failure slow */
	snprintf(port, sizeof(port), "%d", run->port);
	script = xasprintf("mode octet\nrexmt 1\ntimeout %d\n%s %s %s\nquit\n",
			   HPA_TIMEOUT_S, a->verb == SV_PUT ? "put" : "get",
			   a->verb == SV_PUT ? local : a->name,
			   a->verb == SV_PUT ? a->name : local);
	argv[n++] = TFTP_HPA;
	argv[n++] = "127.0.0.1";
	argv[n++] = port;
	argv[n] = NULL;
	spawn_init(&sp);
	sp.argv = argv;
	sp.cwd = run->clientdir;
	sp.stdin_data = script;
	sp.stdin_len = strlen(script);
	sp.wall_s = run->sv->action_timeout_s * run->scale;
	sp.merge_stderr = 1;
	sp.output = TFTP_HPA_OUTPUT;
	sp.netns_fd = run->ns.fd >= 0 ? run->ns.fd : 0;
	sp.host_net = run->ns.fd < 0; /* the fallback: the host's loopback */
	if (spawn_run(&sp, &e) < 0) {
		msg = xasprintf("cannot run tftp: %s", e.msg);
		goto out;
	}
	code = hpa_error_code(&sp.out);
	if (sp.outcome != SPAWN_EXITED) {
		msg = xasprintf("tftp did not finish (%s)", spawn_outcome_name(sp.outcome));
	} else if (a->error >= 0) {
		if (code != a->error)
			msg = code < 0 ? xasprintf("tftp reported no ERROR %d (%s): %s",
						   a->error, tftp_error_name(a->error),
						   sp.out.len ? sp.out.data : "(no output)")
				       : xasprintf("ERROR %d (%s) where ERROR %d (%s) was expected",
						   code, tftp_error_name(code), a->error,
						   tftp_error_name(a->error));
		else
			*ok_text = xasprintf("tftp got ERROR %d (%s) as expected",
					     code, tftp_error_name(code));
		if (a->verb == SV_PUT && !is_seeded(run->sv, a->name))
			expect_entry(run, a->name, NULL, 0, 1);
	} else if (code >= 0 || strstr(sp.out.data, "timed out") ||
		   strstr(sp.out.data, "tftp: ") || sp.exit_code != 0) {
		char *out = grade_excerpt(sp.out.data, sp.out.len, 300);

		msg = xasprintf("tftp failed (status %d): %s", sp.exit_code, out);
		free(out);
		if (a->verb == SV_PUT && !is_seeded(run->sv, a->name))
			expect_entry(run, a->name, NULL, 0, 1);
	} else {
		const char *path = a->verb == SV_PUT ? NULL : local;
		char *dpath = a->verb == SV_PUT ? path_join(run->dir, a->name) : NULL;
		struct buf got;

		buf_init(&got, 0);
		if (a->verb == SV_LIST)
			want = dir_listing(run->dir, &wlen);
		else if (a->verb == SV_GET &&
			 get_expected(run, a, &want, &wlen, &e) < 0)
			msg = xstrdup(e.msg);
		if (!msg && buf_read_file(&got, path ? path : dpath) < 0)
			msg = xasprintf("%s is missing after the transfer", path ? "tftp's local file" : a->name);
		else if (!msg && (cmp = compare_bytes(want, wlen, got.data, got.len))) {
			msg = xasprintf("%s %s", a->verb == SV_PUT ? "the uploaded file holds" : "tftp received", cmp);
			free(cmp);
		}
		if (!msg) {
			char *sz = size_text(got.len);

			*ok_text = xasprintf("ok with tftp-hpa, %s in %.0f ms", sz,
					     sp.wall_used * 1000);
			free(sz);
		}
		if (a->verb == SV_PUT) {
			expect_entry(run, a->name, want, wlen, 0);
			want = NULL;
		}
		buf_release(&got);
		free(dpath);
	}
out:
	spawn_release(&sp);
	free(script);
	unlink(local);
	free(local);
	free(want);
	return msg;
}

/* ---- actions ---- */

static char *action_title(const struct server_action *a)
{
	char *n = a->name ? shown_name(a->name) : NULL, *t;

	switch (a->verb) {
	case SV_GET:
		t = xasprintf("get %s", n);
		break;
	case SV_PUT:
		t = xasprintf("put %s", n);
		break;
	case SV_LIST:
		t = xasprintf("list %s", n);
		break;
	case SV_RAW: {
		struct buf b;
		size_t i;

		buf_init(&b, 0);
		for (i = 0; i < a->rawlen && i < 64; i++) {
			unsigned char ch = (unsigned char)a->raw[i];

			if (ch == 0)
				buf_adds(&b, "\\0");
			else if (ch < 32 || ch >= 127 || ch == '"' || ch == '\\')
				buf_addf(&b, "\\x%02x", ch);
			else
				buf_addch(&b, (char)ch);
		}
		t = xasprintf("raw packet \"%s\"%s (%zu bytes)", b.data,
			      a->rawlen > 64 ? "..." : "", a->rawlen);
		buf_release(&b);
		break;
	}
	case SV_WAIT:
		t = xasprintf("wait %g s", a->wait_s);
		break;
	default:
		t = xasprintf("%zu transfers at once", a->nsub);
	}
	free(n);
	if (a->blksize) {
		char *u = xasprintf("%s (blksize %d)", t, a->blksize);

		free(t);
		t = u;
	}
	return t;
}

static char *faults_text(const struct server_action *a)
{
	struct buf b;

	buf_init(&b, 0);
#define F(cond, ...) do { if (cond) { buf_adds(&b, b.len ? ", " : " ["); buf_addf(&b, __VA_ARGS__); } } while (0)
	F(a->f.drop_sent, "our packet %d lost", a->f.drop_sent);
	F(a->f.drop_received, "server's packet %d lost", a->f.drop_received);
	F(a->f.duplicate_ack, "ACK %d sent twice", a->f.duplicate_ack);
	F(a->f.duplicate_data, "DATA %d sent twice", a->f.duplicate_data);
	F(a->f.delay_block, "%g s pause at block %d", a->f.delay_s, a->f.delay_block);
	F(a->f.foreign_tid, "foreign port at block %d", a->f.foreign_tid);
	F(a->f.abort_block, "abort at block %d", a->f.abort_block);
	F(a->f.stall_block, "silent at block %d for %g s", a->f.stall_block, a->f.stall_s);
#undef F
	if (b.len)
		buf_addch(&b, ']');
	return buf_detach(&b, NULL);
}

/* Runs a transfer action and logs it; 0 when it went as the spec says. */
static int do_transfer(struct srv_run *run, const struct server_action *a,
		       int sync_block, int (*sync)(void *), void *arg,
		       const char *tag)
{
	char *title = action_title(a), *ft = faults_text(a), *ok = NULL, *msg;

	if (run->sv->client == SERVER_CLIENT_TFTP_HPA)
		msg = hpa_transfer(run, a, &ok);
	else
		msg = grader_transfer(run, a, sync_block, sync, arg, &ok);
	if (msg) {
		run_log(run, "%s%s%s: FAILED: %s", tag, title, ft, msg);
		run_fail(run, xasprintf("%s%s: %s", title, ft, msg));
	} else {
		run_log(run, "%s%s%s: %s", tag, title, ft, ok ? ok : "ok");
	}
	free(ok);
	free(title);
	free(ft);
	free(msg);
	return msg ? -1 : 0;
}

/* concurrent + overlap: every transfer waits before its block 1 until all
 * have got that far, so one served after another never all get there. */
struct barrier {
	pthread_mutex_t m;
	pthread_cond_t cv;
	size_t n, arrived;
	size_t arrived_at_break; /* how many had arrived when it broke */
	int broken;
	double timeout_s;
	int *cancel;             /* set when it breaks: the test has failed,
				    the clients stuck behind it need not wait */
};

static int barrier_wait(void *arg)
{
	struct barrier *b = arg;
	struct timespec until;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)b->timeout_s;
	until.tv_nsec += (long)((b->timeout_s - (double)(time_t)b->timeout_s) * 1e9);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&b->m);
	if (++b->arrived == b->n)
		pthread_cond_broadcast(&b->cv);
	while (b->arrived < b->n && !b->broken)
		if (pthread_cond_timedwait(&b->cv, &b->m, &until) == ETIMEDOUT) {
			b->broken = 1;
			b->arrived_at_break = b->arrived;
			__atomic_store_n(b->cancel, 1, __ATOMIC_RELEASE);
			pthread_cond_broadcast(&b->cv);
		}
	if (b->broken)
		rc = -1;
	pthread_mutex_unlock(&b->m);
	return rc;
}

struct job {
	struct srv_run *run;
	const struct server_action *a;
	struct barrier *bar;
	char tag[32];
};

static void *job_main(void *arg)
{
	struct job *j = arg;

	if (j->bar)
		do_transfer(j->run, j->a, 1, barrier_wait, j->bar, j->tag);
	else
		do_transfer(j->run, j->a, 0, NULL, NULL, j->tag);
	free(j);
	return NULL;
}

static int start_job(struct srv_run *run, const struct server_action *a,
		     struct barrier *bar, const char *tag, pthread_t *out)
{
	struct job *j = xcalloc(1, sizeof(*j));
	int rc;

	j->run = run;
	j->a = a;
	j->bar = bar;
	snprintf(j->tag, sizeof(j->tag), "%s", tag);
	rc = pthread_create(out, NULL, job_main, j);
	if (rc)
		free(j);
	return rc;
}

static int do_concurrent(struct srv_run *run, const struct server_action *a)
{
	struct barrier bar;
	pthread_t *t = xcalloc(a->nsub, sizeof(*t));
	size_t i, started = 0;
	char tag[32];

	memset(&bar, 0, sizeof(bar));
	pthread_mutex_init(&bar.m, NULL);
	pthread_cond_init(&bar.cv, NULL);
	bar.n = a->nsub;
	bar.timeout_s = BARRIER_TIMEOUT_S * run->scale;
	bar.cancel = &run->cancel;
	for (i = 0; i < a->nsub; i++) {
		snprintf(tag, sizeof(tag), "  [%zu] ", i + 1);
		if (start_job(run, &a->sub[i], a->overlap ? &bar : NULL, tag, &t[i]))
			break;
		started++;
	}
	if (started < a->nsub) {
		/* the barrier can never fill: let the started ones go */
		pthread_mutex_lock(&bar.m);
		bar.broken = 1;
		bar.arrived_at_break = bar.arrived;
		pthread_cond_broadcast(&bar.cv);
		pthread_mutex_unlock(&bar.m);
		pthread_mutex_lock(&run->lock);
		if (!run->grader_problem)
			run->grader_problem = xstrdup("cannot start a client thread");
		pthread_mutex_unlock(&run->lock);
	}
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	free(t);
	if (a->overlap && bar.broken && started == a->nsub) {
		char *m = xasprintf("only %zu of %zu transfers were under way after %g s: the server does not serve clients at the same time",
				    bar.arrived_at_break, bar.n, bar.timeout_s);

		run_log(run, "%zu transfers at once: FAILED: %s", a->nsub, m);
		/* this is the cause; the sub-transfers' failures follow from it */
		pthread_mutex_lock(&run->lock);
		free(run->failure);
		run->failure = xasprintf("%zu transfers at once: %s", a->nsub, m);
		pthread_mutex_unlock(&run->lock);
		free(m);
	} else if (!run_failed(run)) {
		run_log(run, "%zu transfers at once: all completed%s", a->nsub,
			a->overlap ? ", all under way at the same time" : "");
	}
	pthread_cond_destroy(&bar.cv);
	pthread_mutex_destroy(&bar.m);
	return run_failed(run) ? -1 : 0;
}

/* The client thread: joins the namespace, runs the actions in order. */
static void *client_main(void *arg)
{
	struct srv_run *run = arg;
	const struct spec_server *sv = run->sv;
	size_t i;

	if (netns_enter(&run->ns) < 0) {
		pthread_mutex_lock(&run->lock);
		run->grader_problem = xasprintf("cannot enter the test's network namespace: %s",
						strerror(errno));
		pthread_mutex_unlock(&run->lock);
		goto done;
	}
	for (i = 0; i < sv->nactions; i++) {
		const struct server_action *a = &sv->actions[i];

		if (is_cancelled(run) || run_failed(run)) {
			run_log(run, "(the remaining %zu action(s) were not run)",
				sv->nactions - i);
			break;
		}
		if (a->verb == SV_WAIT) {
			run_sleep(run, a->wait_s * run->scale);
			continue;
		}
		if (a->verb == SV_CONCURRENT) {
			do_concurrent(run, a);
			continue;
		}
		if (a->background) {
			pthread_t t;

			if (start_job(run, a, NULL, "(background) ", &t) == 0) {
				pthread_mutex_lock(&run->lock);
				run->bg = xrealloc(run->bg, (run->nbg + 1) * sizeof(*run->bg));
				run->bg[run->nbg++] = t;
				pthread_mutex_unlock(&run->lock);
			}
			continue;
		}
		do_transfer(run, a, 0, NULL, NULL, "");
	}
done:
	__atomic_store_n(&run->client_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* ---- the served directory ---- */

/* Seeds files; returns 0 or -1 with *problem set. */
static int seed_files(struct srv_run *run, char **problem)
{
	const struct spec_server *sv = run->sv;
	char *outdir = path_join(run->root, "srv");
	size_t i;

	if (mkdir_p(run->dir) < 0) {
		*problem = xasprintf("cannot create %s: %s", run->dir, strerror(errno));
		free(outdir);
		return -1;
	}
	for (i = 0; i < sv->nfiles; i++) {
		const struct server_file *f = &sv->files[i];
		char *path = path_join(f->outside ? outdir : run->dir, f->name);
		char *slash = strrchr(path, '/'), *data;
		size_t len;
		struct error e;

		error_init(&e);
		*slash = '\0';
		if (mkdir_p(path) < 0) {
			*problem = xasprintf("cannot create %s: %s", path, strerror(errno));
			free(path);
			free(outdir);
			return -1;
		}
		*slash = '/';
		if (server_content_materialize(&f->content, &data, &len, &e) < 0) {
			*problem = xasprintf("cannot prepare the file %s: %s", f->name, e.msg);
			free(path);
			free(outdir);
			return -1;
		}
		if (write_file_atomic(path, data, len) < 0) {
			*problem = xasprintf("cannot write %s: %s", path, strerror(errno));
			free(data);
			free(path);
			free(outdir);
			return -1;
		}
		/* writable by the server whatever its uid: under the sandbox it
		 * runs as a uid of its own, and a server that overwrites a file
		 * must be caught by the checks after the run ("'a.txt'
		 * changed"), as on a student's own machine, not stopped by a
		 * permission only the sandbox adds */
		if (chmod(path, 0666) < 0) {
			*problem = xasprintf("cannot chmod %s: %s", path, strerror(errno));
			free(data);
			free(path);
			free(outdir);
			return -1;
		}
		free(path);
		if (f->outside)
			free(data);
		else
			expect_entry(run, f->name, data, len, 0);
	}
	free(outdir);
	return 0;
}

/* Every entry under `top` (relative path, type, size, one per line, sorted),
 * skipping the subtree `skip` (absolute; NULL = none). */
static void walk(const char *top, const char *rel, const char *skip,
		 char ***names, size_t *n)
{
	char *path = rel[0] ? path_join(top, rel) : xstrdup(top);
	DIR *d;
	struct dirent *de;

	if (skip && !strcmp(path, skip)) {
		free(path);
		return;
	}
	d = opendir(path);
	while (d && (de = readdir(d))) {
		char *sub;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sub = rel[0] ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			char *line = xasprintf("%s %s %lld", sub,
					       S_ISDIR(st.st_mode) ? "dir" :
					       S_ISREG(st.st_mode) ? "file" : "other",
					       S_ISREG(st.st_mode) ? (long long)st.st_size : 0LL);

			*names = xrealloc(*names, (*n + 1) * sizeof(**names));
			(*names)[(*n)++] = line;
			if (S_ISDIR(st.st_mode))
				walk(top, sub, skip, names, n);
		}
		free(sub);
	}
	if (d)
		closedir(d);
	free(path);
}

static char *tree_listing(const char *top, const char *skip)
{
	char **names = NULL;
	size_t n = 0, i;
	struct buf b;

	buf_init(&b, 0);
	walk(top, "", skip, &names, &n);
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		buf_addf(&b, "%s\n", names[i]);
		free(names[i]);
	}
	free(names);
	return buf_detach(&b, NULL);
}

/* After the server has gone: DIR must hold exactly what is expected, and
 * nothing outside it may have changed. Returns the problems (NULL: none). */
static char *check_tree(struct srv_run *run, const char *outside_before)
{
	char **found = NULL, *after;
	size_t nfound = 0, i, j;
	struct buf b;

	buf_init(&b, 0);
	walk(run->dir, "", NULL, &found, &nfound);
	for (i = 0; i < nfound; i++) {
		/* "name type size" */
		char *sp2 = strrchr(found[i], ' '), *sp1;
		const struct dir_entry *want = NULL;

		*sp2 = '\0';
		sp1 = strrchr(found[i], ' ');
		*sp1 = '\0';
		if (!strcmp(sp1 + 1, "dir"))
			continue;
		for (j = 0; j < run->nfiles; j++)
			if (!strcmp(run->files[j].name, found[i]))
				want = &run->files[j];
		if (want && !want->absent)
			continue; /* compared below */
		if (strrchr(found[i], '/') ? strrchr(found[i], '/')[1] == '.' : found[i][0] == '.')
			buf_addf(&b, "; a temporary file '%s' (%s bytes) was left in the served directory",
				 found[i], sp2 + 1);
		else if (want)
			buf_addf(&b, "; '%s' (%s bytes) is there although its upload did not complete",
				 found[i], sp2 + 1);
		else
			buf_addf(&b, "; '%s' (%s bytes) appeared in the served directory",
				 found[i], sp2 + 1);
	}
	for (i = 0; i < run->nfiles; i++) {
		const struct dir_entry *f = &run->files[i];
		char *path, *cmp;
		struct buf disk;

		if (f->absent)
			continue;
		path = path_join(run->dir, f->name);
		buf_init(&disk, 0);
		if (buf_read_file(&disk, path) < 0)
			buf_addf(&b, "; '%s' is missing from the served directory", f->name);
		else if ((cmp = compare_bytes(f->data, f->len, disk.data, disk.len))) {
			buf_addf(&b, "; '%s' changed: it holds %s", f->name, cmp);
			free(cmp);
		}
		buf_release(&disk);
		free(path);
	}
	for (i = 0; i < nfound; i++)
		free(found[i]);
	free(found);
	after = tree_listing(run->root, run->dir);
	if (strcmp(after, outside_before)) {
		/* name the first line that differs */
		const char *p = outside_before, *q = after;

		while (*p && *p == *q) {
			p++;
			q++;
		}
		while (p > outside_before && p[-1] != '\n') {
			p--;
			q--;
		}
		buf_addf(&b, "; something outside the served directory changed (%.*s)",
			 (int)strcspn(*q ? q : p, "\n"), *q ? q : p);
	}
	free(after);
	if (!b.len) {
		buf_release(&b);
		return NULL;
	}
	{
		char *text = xstrdup(b.data + 2);

		buf_release(&b);
		return text;
	}
}

/* ---- the server ---- */

/* Whether a complete line of the output so far matches re. */
static int ready_seen(const struct buf *out, const regex_t *re)
{
	const char *nl;
	char *lines;
	int ok;

	if (!out->len || !(nl = memrchr(out->data, '\n', out->len)))
		return 0;
	lines = xstrndup(out->data, (size_t)(nl - out->data));
	ok = regexec(re, lines, 0, NULL, 0) == 0;
	free(lines);
	return ok;
}

static void run_release(struct srv_run *run)
{
	size_t i;

	for (i = 0; i < run->nfiles; i++) {
		free(run->files[i].name);
		free(run->files[i].data);
	}
	free(run->files);
	buf_release(&run->log);
	free(run->failure);
	free(run->grader_problem);
	free(run->bg);
	free(run->root);
	free(run->dir);
	if (run->clientdir)
		rm_rf(run->clientdir);
	free(run->clientdir);
	netns_release(&run->ns);
	pthread_mutex_destroy(&run->lock);
}

/* Replaces the placeholders in the run's argv (the entries that came from
 * the test's args); the new strings go to *owned. */
static void expand_argv(struct srv_run *run, const char **argv, char ***owned)
{
	size_t i, n = 0;

	for (i = 0; argv[i]; i++)
		n++;
	*owned = xcalloc(n + 1, sizeof(char *));
	for (i = 0, n = 0; argv[i]; i++) {
		if (!strchr(argv[i], '{'))
			continue;
		(*owned)[n] = server_expand(argv[i], run->port, run->dir,
					   run->timeout_ms, 0);
		argv[i] = (*owned)[n++];
	}
}

/* The command as a student would type it: the program as ./NAME, the
 * served directory as DIR (the grader's temporary paths are noise). */
static char *command_text(const char *const *argv, const char *program,
			  const char *dir)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; argv[i]; i++) {
		const char *a = argv[i], *p;

		if (i)
			buf_addch(&b, ' ');
		if (!strcmp(a, program)) {
			const char *base = strrchr(a, '/');

			buf_addf(&b, "./%s", base ? base + 1 : a);
			continue;
		}
		while ((p = strstr(a, dir))) {
			buf_add(&b, a, (size_t)(p - a));
			buf_adds(&b, "DIR");
			a = p + strlen(dir);
		}
		buf_adds(&b, a);
	}
	return buf_detach(&b, NULL);
}

/* Sets ev's verdict and message (replacing what grade_evaluate said). */
static void set_verdict(struct run_eval *ev, enum verdict v, char *msg)
{
	ev->verdict = v;
	free(ev->message);
	ev->message = msg;
	free(ev->diff);
	ev->diff = NULL;
}

int step_server(struct grade_ctx *c, enum variant v, struct test_outcome *row,
		struct error *e)
{
	const struct spec_test *t = c->t;
	const struct spec_server *sv = t->server;
	struct srv_run run;
	struct spawn sp;
	struct variant_run vr;
	struct run_eval ev;
	char **env = NULL, **owned = NULL, *problem = NULL, *outside = NULL;
	char *ready_src = NULL, *tree = NULL, *cmd = NULL;
	const char **argv = NULL;
	regex_t ready_re;
	int have_re = 0, started = 0, ready = 0, ended = 0, stop_late = 0;
	int client_started = 0, stopped = 0, rc = 0;
	double t0, ready_at = 0, stop_took = 0;
	pthread_t client;
	size_t i;

	memset(&run, 0, sizeof(run));
	memset(&ev, 0, sizeof(ev));
	pthread_mutex_init(&run.lock, NULL);
	buf_init(&run.log, 0);
	run.c = c;
	run.t = t;
	run.sv = sv;
	run.v = v;
	run.scale = variant_time_scale(v);
	run.ns.fd = -1;
	run.timeout_ms = (int)(sv->retransmit_timeout_s * 1000 + 0.5);
	spawn_init(&sp);
	memset(&vr, 0, sizeof(vr));

	if (grade_prepare_run(c, c->program[build_variant_of(v)], v, run.scale,
			      &sp, &vr, &env, &argv, e) < 0) {
		spawn_release(&sp);
		variant_run_release(&vr);
		strv_free(env);
		free(argv);
		run_release(&run);
		return -1;
	}
	run.root = xstrdup(c->rundir);
	run.dir = path_join(run.root, SERVED);
	run.clientdir = path_join(c->workdir, "client");
	if (rm_rf(run.clientdir) < 0 || mkdir_p(run.clientdir) < 0) {
		problem = xasprintf("cannot create %s: %s", run.clientdir, strerror(errno));
		goto judge;
	}
	if (seed_files(&run, &problem) < 0)
		goto judge;
	outside = tree_listing(run.root, run.dir);

	if (netns_create(&run.ns) == 0) {
		run.port = NETNS_PORT;
		run_log(&run, "network: a private namespace with only loopback up; port %d", run.port);
	} else {
		run.port = netns_free_udp_port();
		run_log(&run, "network: %s; using a free port on the host's loopback instead: %d",
			run.ns.why, run.port);
		if (run.port < 0) {
			problem = xasprintf("no free UDP port on 127.0.0.1: %s", strerror(errno));
			goto judge;
		}
	}
	expand_argv(&run, argv, &owned);
	ready_src = server_expand(sv->ready, run.port, run.dir, run.timeout_ms, 1);
	if (regcomp(&ready_re, ready_src, REG_EXTENDED | REG_NEWLINE | REG_NOSUB)) {
		problem = xasprintf("the ready pattern /%s/ does not compile", ready_src);
		goto judge;
	}
	have_re = 1;
	cmd = command_text(argv, c->program[build_variant_of(v)], run.dir);
	run_log(&run, "server: %s   (DIR: the served directory)", cmd);
	sp.netns_fd = run.ns.fd >= 0 ? run.ns.fd : 0;
	sp.host_net = run.ns.fd < 0; /* the fallback: the host's loopback */
	sp.stdin_path = NULL;
	if (spawn_start(&sp, e) < 0) {
		rc = -1;
		goto judge;
	}
	started = 1;

	/* ready line */
	t0 = now_seconds();
	while (!ended) {
		int r = spawn_pump(&sp, 0.02);

		if (ready_seen(&sp.out, &ready_re)) {
			ready = 1;
			break;
		}
		if (r != 0)
			ended = 1;
		else if (now_seconds() - t0 > sv->ready_timeout_s * run.scale)
			break;
	}
	ready_at = now_seconds() - t0;
	if (ready)
		run_log(&run, "ready after %.2f s", ready_at);

	/* actions */
	if (ready && pthread_create(&client, NULL, client_main, &run) == 0)
		client_started = 1;
	else if (ready)
		problem = xstrdup("cannot start the client thread");
	while (client_started && !__atomic_load_n(&run.client_done, __ATOMIC_ACQUIRE)) {
		if (!ended) {
			if (spawn_pump(&sp, 0.02) != 0) {
				ended = 1;
				cancel_all(&run);
				run_log(&run, "the server ended while the clients were running");
			}
		} else {
			usleep(10000);
		}
	}
	if (client_started)
		pthread_join(client, NULL);

	/* stop */
	if (ready && !ended) {
		double deadline = sv->stop_timeout_s * run.scale;

		t0 = now_seconds();
		stopped = 1;
		spawn_kill_pid(&sp, sp.pid, SIGTERM);
		while (!ended) {
			if (spawn_pump(&sp, 0.02) != 0)
				ended = 1;
			else if (now_seconds() - t0 > deadline)
				break;
		}
		stop_took = now_seconds() - t0;
		stop_late = !ended;
	}
	cancel_all(&run);
	pthread_mutex_lock(&run.lock);
	for (i = 0; i < run.nbg; i++) {
		pthread_t bt = run.bg[i];

		pthread_mutex_unlock(&run.lock);
		pthread_join(bt, NULL);
		pthread_mutex_lock(&run.lock);
	}
	pthread_mutex_unlock(&run.lock);
	spawn_finish(&sp);
	if (!c->r->isolation && sp.isolation)
		c->r->isolation = xstrdup(sp.isolation);
	if (stopped && !stop_late)
		run_log(&run, "SIGTERM: %s after %.2f s",
			sp.outcome == SPAWN_EXITED ? "exited" : spawn_outcome_name(sp.outcome),
			stop_took);
	if (sp.leftover)
		run_log(&run, "%d process(es) of the server were still running after it exited (killed)",
			sp.leftover);
	if (ready) {
		tree = check_tree(&run, outside);
		run_log(&run, "served directory: %s", tree ? tree : "as expected");
	}

judge:
	if (rc == 0 && started)
		grade_evaluate(c, v, &sp, &vr, run.scale, &ev);
	else
		memset(&ev, 0, sizeof(ev));
	if (rc < 0) {
		/* a fault of the grader: nothing to judge */
	} else if (problem || run.grader_problem) {
		set_verdict(&ev, VERDICT_ERROR,
			    xstrdup(problem ? problem : run.grader_problem));
	} else if (!ready) {
		if (ev.verdict == VERDICT_PASSED || ev.verdict == VERDICT_WRONG_EXIT ||
		    (ev.verdict == VERDICT_CRASHED && !ended)) {
			if (!ended)
				set_verdict(&ev, VERDICT_TIMEOUT,
					    xasprintf("no line matching /%s/ on stdout within %g s: print the ready line (and flush it) once the server accepts requests",
						      ready_src ? ready_src : sv->ready,
						      sv->ready_timeout_s * run.scale));
			else
				set_verdict(&ev, VERDICT_WRONG_EXIT,
					    xasprintf("the server exited (status %d) before printing a line matching /%s/",
						      sp.exit_code, ready_src ? ready_src : sv->ready));
		}
	} else if (ev.verdict == VERDICT_FINDING) {
		/* the tool's report is the cause of anything else */
	} else if (!stopped) {
		/* it crashed, hit a limit or exited while the clients ran: a
		 * crash or a limit says why; an exit is said here */
		if (ev.verdict == VERDICT_PASSED || ev.verdict == VERDICT_WRONG_EXIT)
			set_verdict(&ev, VERDICT_WRONG_EXIT,
				    xasprintf("the server exited (status %d) while the clients were running%s%s",
					      sp.exit_code, run.failure ? "; " : "",
					      run.failure ? run.failure : ""));
	} else if (run.failure) {
		set_verdict(&ev, VERDICT_WRONG_OUTPUT, xstrdup(run.failure));
	} else if (stop_late) {
		set_verdict(&ev, VERDICT_TIMEOUT,
			    xasprintf("did not exit within %g s of SIGTERM (it was killed): on SIGTERM, stop every transfer and exit 0 promptly",
				      sv->stop_timeout_s * run.scale));
		free(ev.limit);
		ev.limit = xasprintf("%g s after SIGTERM", sv->stop_timeout_s * run.scale);
	} else if (ev.verdict == VERDICT_CRASHED && ev.term_signal == SIGTERM) {
		set_verdict(&ev, VERDICT_CRASHED,
			    xstrdup("killed by SIGTERM: catch it, stop every transfer and exit with status 0"));
	} else if (ev.verdict != VERDICT_PASSED) {
		if (ev.verdict == VERDICT_WRONG_EXIT)
			set_verdict(&ev, VERDICT_WRONG_EXIT,
				    xasprintf("exited with status %d after SIGTERM, expected %d",
					      sp.exit_code, t->exit_status));
	} else if (sp.leftover) {
		set_verdict(&ev, VERDICT_WRONG_EXIT,
			    xasprintf("%d process(es) were left running after the server exited: wait for every child before exiting",
				      sp.leftover));
	} else if (tree) {
		set_verdict(&ev, VERDICT_WRONG_OUTPUT, xstrdup(tree));
	}

	if (rc == 0) {
		row->runs = 1;
		if (ev.verdict != VERDICT_PASSED)
			row->failures = 1;
		grade_fill_row(c, row, v, &ev);
		if (t->visibility == VIS_VISIBLE) {
			row->details = xstrndup(run.log.data, run.log.len);
			if (row->command && cmd) {
				/* the real command, not the spec's placeholders */
				free(row->command);
				row->command = xasprintf("%s   (DIR: the served directory)", cmd);
			}
		}
		if (c->o->verbose)
			fprintf(stderr, "  %s [%s]: %s\n%s", t->name, variant_name(v),
				verdict_name(ev.verdict), run.log.data);
	}
	grade_eval_release(&ev);
	if (have_re)
		regfree(&ready_re);
	spawn_release(&sp);
	variant_run_release(&vr);
	strv_free(env);
	free(argv);
	strv_free(owned);
	free(problem);
	free(outside);
	free(ready_src);
	free(tree);
	free(cmd);
	run_release(&run);
	return rc;
}
