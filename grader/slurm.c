/*
 * slurm.c - submitting the batch to Slurm. See slurm.h.
 */
#define _GNU_SOURCE
#include "slurm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "spawn.h"
#include "util.h"

extern char **environ;

char *slurm_shell_quote(const char *s)
{
	struct buf b;
	const char *p;
	int plain = *s != '\0';

	for (p = s; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || strchr("_./:=@%+,-", *p);
	if (plain)
		return xstrdup(s);
	buf_init(&b, 0);
	buf_addch(&b, '\'');
	for (p = s; *p; p++) {
		if (*p == '\'')
			buf_adds(&b, "'\\''");
		else
			buf_addch(&b, *p);
	}
	buf_addch(&b, '\'');
	return buf_detach(&b, NULL);
}

static void add_word(struct buf *b, const char *w)
{
	char *q = slurm_shell_quote(w);

	buf_addch(b, ' ');
	buf_adds(b, q);
	free(q);
}

static int write_script(const char *path, const char *text, struct error *e)
{
	if (write_file_atomic(path, text, strlen(text)) < 0 || chmod(path, 0755) < 0)
		return error_set(e, "%s: %s", path, strerror(errno));
	return 0;
}

/* Runs sbatch --parsable [opts] [extra] script; the job id into id. */
static int sbatch(const struct slurm_plan *p, const char *extra, const char *script,
		  char id[64], struct error *e)
{
	const char **argv;
	struct spawn sp;
	size_t n = 0, i;
	int rc = 0;

	for (i = 0; p->sbatch_opts && p->sbatch_opts[i]; i++)
		;
	argv = xcalloc(i + 5, sizeof(char *));
	argv[n++] = "sbatch";
	argv[n++] = "--parsable";
	for (i = 0; p->sbatch_opts && p->sbatch_opts[i]; i++)
		argv[n++] = p->sbatch_opts[i];
	if (extra)
		argv[n++] = extra;
	argv[n++] = script;
	spawn_init(&sp);
	sp.argv = argv;
	sp.envp = (const char *const *)environ;
	sp.wall_s = 120;
	if (spawn_run(&sp, e) < 0) {
		rc = -1;
	} else if (sp.outcome == SPAWN_EXEC_FAILED) {
		rc = error_set(e, "sbatch: cannot run it (%s): is Slurm installed here?",
			       strerror(sp.exec_errno));
	} else if (sp.outcome != SPAWN_EXITED || sp.exit_code != 0) {
		rc = error_set(e, "sbatch refused %s: %s", script,
			       sp.err.len ? sp.err.data : spawn_outcome_name(sp.outcome));
	} else {
		/* "<id>" or "<id>;<cluster>" */
		size_t len = strcspn(sp.out.data, ";\n");

		if (len == 0 || len > 63) {
			rc = error_set(e, "sbatch printed no job id for %s", script);
		} else {
			memcpy(id, sp.out.data, len);
			id[len] = '\0';
		}
	}
	spawn_release(&sp);
	free(argv);
	return rc;
}

int slurm_submit(const struct slurm_plan *p, char array_id[64], char merge_id[64],
		 struct error *e)
{
	char *dir = path_join(p->outdir, "slurm");
	char *array_sh = path_join(dir, "array.sh"), *merge_sh = path_join(dir, "merge.sh");
	char *shards = path_join(p->outdir, "shards");
	char *dep = NULL;
	struct buf a, m;
	int i, rc = -1;

	buf_init(&a, 0);
	buf_init(&m, 0);
	if (mkdir_p(dir) < 0 || mkdir_p(shards) < 0) {
		error_set(e, "%s: %s", dir, strerror(errno));
		goto out;
	}
	buf_adds(&a, "#!/bin/sh\n# Written by `grader batch --slurm`: one shard of the batch per array task.\n");
	buf_addf(&a, "#SBATCH --job-name=grader-batch\n#SBATCH --array=0-%d\n", p->shards - 1);
	buf_addf(&a, "#SBATCH --output=%s/shard-%%a.log\n", dir);
	buf_adds(&a, "set -e\nexec");
	add_word(&a, p->grader_bin);
	add_word(&a, "batch");
	add_word(&a, p->exercise);
	add_word(&a, p->submissions);
	add_word(&a, "-o");
	buf_adds(&a, " ");
	{
		char *q = slurm_shell_quote(shards);

		buf_addf(&a, "%s/\"$SLURM_ARRAY_TASK_ID\"", q);
		free(q);
	}
	buf_addf(&a, " --shard \"$SLURM_ARRAY_TASK_ID\"/%d -j \"${SLURM_CPUS_PER_TASK:-1}\"",
		 p->shards);
	if (p->variant_arg) {
		add_word(&a, "--variant");
		add_word(&a, p->variant_arg);
	}
	buf_addch(&a, '\n');

	buf_adds(&m, "#!/bin/sh\n# Written by `grader batch --slurm`: merges the shards once all succeeded.\n");
	buf_addf(&m, "#SBATCH --job-name=grader-merge\n#SBATCH --output=%s/merge.log\n", dir);
	buf_adds(&m, "set -e\nexec");
	add_word(&m, p->grader_bin);
	add_word(&m, "merge");
	for (i = 0; i < p->shards; i++) {
		char *s = xasprintf("%s/%d", shards, i);

		add_word(&m, s);
		free(s);
	}
	add_word(&m, "-o");
	add_word(&m, p->outdir);
	buf_addch(&m, '\n');

	if (write_script(array_sh, a.data, e) < 0 || write_script(merge_sh, m.data, e) < 0)
		goto out;
	if (sbatch(p, NULL, array_sh, array_id, e) < 0)
		goto out;
	dep = xasprintf("--dependency=afterok:%s", array_id);
	if (sbatch(p, dep, merge_sh, merge_id, e) < 0)
		goto out;
	rc = 0;
out:
	buf_release(&a);
	buf_release(&m);
	free(dep);
	free(dir);
	free(array_sh);
	free(merge_sh);
	free(shards);
	return rc;
}
