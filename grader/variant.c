/*
 * variant.c - per-variant run configuration. See variant.h.
 */
#define _GNU_SOURCE
#include "variant.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

double variant_time_scale(enum variant v)
{
	static const double scale[VARIANT__COUNT] = {
		[VARIANT_PLAIN] = 1,     [VARIANT_ASAN] = 3,
		[VARIANT_TSAN] = 5,      [VARIANT_MEMCHECK] = 20,
		[VARIANT_HELGRIND] = 30, [VARIANT_DRD] = 30,
	};

	return v < VARIANT__COUNT ? scale[v] : 1;
}

static void vr_add(char ***list, size_t *n, char *s)
{
	*list = xrealloc(*list, (*n + 2) * sizeof(char *));
	(*list)[(*n)++] = s;
	(*list)[*n] = NULL;
}

static void valgrind_prefix(struct variant_run *vr, const char *tool)
{
	vr_add(&vr->prefix, &vr->nprefix, xstrdup("/usr/bin/valgrind"));
	vr_add(&vr->prefix, &vr->nprefix, xasprintf("--tool=%s", tool));
	vr_add(&vr->prefix, &vr->nprefix, xstrdup("-q"));
	vr_add(&vr->prefix, &vr->nprefix,
	       xasprintf("--error-exitcode=%d", VARIANT_TOOL_EXIT));
	vr_add(&vr->prefix, &vr->nprefix,
	       xasprintf("--log-file=%s/%s.%%p", vr->logdir, tool));
	vr_add(&vr->prefix, &vr->nprefix, xstrdup("--trace-children=yes"));
	vr_add(&vr->prefix, &vr->nprefix, xstrdup("--child-silent-after-fork=no"));
	if (!strcmp(tool, "memcheck")) {
		vr_add(&vr->prefix, &vr->nprefix, xstrdup("--leak-check=full"));
		vr_add(&vr->prefix, &vr->nprefix,
		       xstrdup("--errors-for-leak-kinds=definite,indirect"));
		vr_add(&vr->prefix, &vr->nprefix, xstrdup("--track-fds=yes"));
	}
}

int variant_prepare(enum variant v, const char *logdir, struct variant_run *vr)
{
	memset(vr, 0, sizeof(*vr));
	if (rm_rf(logdir) < 0 || mkdir(logdir, 0777) < 0)
		return -1;
	vr->logdir = xstrdup(logdir);
	vr->prefix = xcalloc(1, sizeof(char *));
	vr->env = xcalloc(1, sizeof(char *));
	switch (v) {
	case VARIANT_ASAN:
		vr_add(&vr->env, &vr->nenv,
		       xasprintf("ASAN_OPTIONS=log_path=%s/asan:exitcode=%d:"
				 "detect_leaks=1:halt_on_error=1:abort_on_error=0:"
				 "allocator_may_return_null=1:detect_stack_use_after_return=0:"
				 "fast_unwind_on_malloc=0",
				 logdir, VARIANT_TOOL_EXIT));
		vr_add(&vr->env, &vr->nenv,
		       xasprintf("UBSAN_OPTIONS=log_path=%s/ubsan:print_stacktrace=1:"
				 "halt_on_error=1:exitcode=%d",
				 logdir, VARIANT_TOOL_EXIT));
		vr_add(&vr->env, &vr->nenv,
		       xasprintf("LSAN_OPTIONS=exitcode=%d", VARIANT_TOOL_EXIT));
		break;
	case VARIANT_TSAN:
		vr_add(&vr->env, &vr->nenv,
		       xasprintf("TSAN_OPTIONS=log_path=%s/tsan:exitcode=%d:"
				 "halt_on_error=0:second_deadlock_stack=1",
				 logdir, VARIANT_TOOL_EXIT));
		break;
	case VARIANT_MEMCHECK:
		valgrind_prefix(vr, "memcheck");
		break;
	case VARIANT_HELGRIND:
		valgrind_prefix(vr, "helgrind");
		break;
	case VARIANT_DRD:
		valgrind_prefix(vr, "drd");
		break;
	default:
		break;
	}
	return 0;
}

void variant_run_release(struct variant_run *vr)
{
	size_t i;

	for (i = 0; i < vr->nprefix; i++)
		free(vr->prefix[i]);
	for (i = 0; i < vr->nenv; i++)
		free(vr->env[i]);
	free(vr->prefix);
	free(vr->env);
	free(vr->logdir);
	free(vr->acct_path);
	memset(vr, 0, sizeof(*vr));
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void append_log(const char *text, size_t len, long pid, void *arg)
{
	struct buf *out = arg;

	(void)pid;
	buf_add(out, text, len);
	if (text[len - 1] != '\n')
		buf_addch(out, '\n');
}

int variant_collect_logs(const struct variant_run *vr, struct buf *out)
{
	return variant_each_log(vr, append_log, out);
}

/* The pid a tool puts at the end of a log's name: "asan.1234" -> 1234;
 * -1 when the name does not end with ".<digits>". */
static long name_pid(const char *name)
{
	const char *dot = strrchr(name, '.');
	char *end;
	long pid;

	if (!dot || dot[1] < '0' || dot[1] > '9')
		return -1;
	errno = 0;
	pid = strtol(dot + 1, &end, 10);
	return *end || errno || pid <= 0 ? -1 : pid;
}

int variant_each_log(const struct variant_run *vr,
		     void (*fn)(const char *text, size_t len, long pid, void *arg),
		     void *arg)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	int reports = 0;

	if (!vr->logdir || !(d = opendir(vr->logdir)))
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		names = xrealloc(names, (n + 1) * sizeof(char *));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(char *), cmp_name);
	for (i = 0; i < n; i++) {
		char *p = path_join(vr->logdir, names[i]);
		struct buf one;

		buf_init(&one, 1 << 20);
		if (buf_read_file(&one, p) == 0 && one.len > 0) {
			reports++;
			fn(one.data, one.len, name_pid(names[i]), arg);
		}
		buf_release(&one);
		free(p);
		free(names[i]);
	}
	free(names);
	return reports;
}
