/*
 * check_batch_slurm.c - `grader batch --slurm` on a real one-node Slurm
 * cluster (slurm-wlm + munge on loopback, started by the test in a private
 * directory and stopped afterwards): the job array's shards plus the merge
 * job give the same gradebook and summary as one local run.
 *
 * The cluster comes from tests/batch-slurm-cluster.sh (see its header).
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "buf.h"
#include "util.h"

#define EX "data/cli/upper"
#define FIX "data/cli/upper-fixtures"

static int sh(struct buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sh(struct buf *out, const char *fmt, ...)
{
	char *cmd, *full, chunk[4096];
	va_list ap;
	FILE *p;
	size_t n;
	int status;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
	va_end(ap);
	full = xasprintf("%s 2>&1", cmd);
	p = popen(full, "r");
	ck_assert_ptr_nonnull(p);
	buf_reset(out);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_add(out, chunk, n);
	status = pclose(p);
	free(cmd);
	free(full);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char *slurp(const char *dir, const char *file)
{
	char *p = path_join(dir, file);
	struct buf b;

	buf_init(&b, 0);
	if (buf_read_file(&b, p) < 0)
		buf_adds(&b, "(missing)");
	free(p);
	return buf_detach(&b, NULL);
}

START_TEST(slurm_array_and_merge_equal_a_local_run)
{
	const char *bin = getenv("GRADER_BIN");
	char *root = make_temp_dir("slurm"), *subs = path_join(root, "subs");
	char *cluster = path_join(root, "cluster"), *local = path_join(root, "local");
	char *remote = path_join(root, "remote"), *conf;
	char *a = NULL, *b = NULL, *sa = NULL, *sb = NULL, *logs = NULL;
	struct buf o;
	int rc_start, rc_submit = -1, finished = 0, i;
	double t0;
	static const char *const students[][2] = {
		{ "ann", "good" }, { "ben", "wrong" }, { "cat", "crash" }, { "dan", "broken" },
		{ "eve", "good" }, { "fay", "good" }, { "gus", "wrong" },
	};

	ck_assert_ptr_nonnull(bin);
	/* munged runs as user munge and must reach its socket under root */
	ck_assert_int_eq(chmod(root, 0755), 0);
	buf_init(&o, 0);
	for (i = 0; i < 7; i++)
		ck_assert_int_eq(sh(&o, "mkdir -p %s/%s && cp %s/%s/upper.c %s/%s/", subs,
				    students[i][0], FIX, students[i][1], subs, students[i][0]), 0);
	ck_assert_msg(sh(&o, "%s batch %s %s -o %s -q", bin, EX, subs, local) == 0, "%s", o.data);

	conf = path_join(cluster, "etc/slurm.conf");
	rc_start = sh(&o, "./batch-slurm-cluster.sh start %s", cluster);
	if (rc_start == 0) {
		/* the cluster runs from here on: no assertion until it is stopped */
		rc_submit = sh(&o, "SLURM_CONF=%s %s batch %s %s -o %s --shards 3 --slurm --time=10",
			       conf, bin, EX, subs, remote);
		if (rc_submit == 0) {
			t0 = now_seconds();
			while (now_seconds() - t0 < 240) {
				struct buf q;
				struct timespec ts = { 0, 250 * 1000 * 1000 };

				buf_init(&q, 0);
				if (sh(&q, "SLURM_CONF=%s squeue -h", conf) == 0 && q.len == 0) {
					buf_release(&q);
					finished = 1;
					break;
				}
				buf_release(&q);
				nanosleep(&ts, NULL);
			}
		}
		{
			struct buf l;

			buf_init(&l, 0);
			sh(&l, "tail -n 5 %s/slurm/*.log", remote);
			logs = buf_detach(&l, NULL);
		}
		sh(&o, "./batch-slurm-cluster.sh stop %s", cluster);
	}
	ck_assert_msg(rc_start == 0, "the test cluster did not start:\n%s", o.data);
	ck_assert_msg(rc_submit == 0, "batch --slurm failed:\n%s", o.data);
	ck_assert_msg(finished, "the jobs did not finish in 240 s; logs:\n%s", logs);

	a = slurp(local, "gradebook.csv");
	b = slurp(remote, "gradebook.csv");
	ck_assert_msg(!strcmp(a, b), "local:\n%s\nslurm:\n%s\nlogs:\n%s", a, b, logs);
	ck_assert_msg(strstr(a, "\r\nann,5,5,2,1,1,1\r\n") && strstr(a, "\r\ndan,0,5,"), "%s", a);
	sa = slurp(local, "summary.html");
	sb = slurp(remote, "summary.html");
	ck_assert_str_eq(sa, sb);
	/* three array tasks really ran, each on its own shard */
	for (i = 0; i < 3; i++) {
		char *m = xasprintf("%s/shards/%d/batch.json", remote, i);

		ck_assert_msg(is_file(m), "no shard %d", i);
		free(m);
	}
	/* nothing of the cluster is left running */
	ck_assert_int_ne(sh(&o, "pgrep -f '[%c]%s'", cluster[0], cluster + 1), 0);

	free(a);
	free(b);
	free(sa);
	free(sb);
	free(logs);
	free(conf);
	rm_rf(root);
	free(root);
	free(subs);
	free(cluster);
	free(local);
	free(remote);
	buf_release(&o);
}
END_TEST

Suite *make_batch_slurm_suite(void)
{
	Suite *s = suite_create("batch_slurm");
	TCase *t = tcase_create("slurm");

	tcase_set_timeout(t, 600); /* a hang guard: the jobs take ~15 s */
	tcase_add_test(t, slurm_array_and_merge_equal_a_local_run);
	suite_add_tcase(s, t);
	return s;
}
