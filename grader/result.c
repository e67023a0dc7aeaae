/*
 * result.c - verdict names and the release of a struct grade_result.
 *
 * The verdict names are what machines read (results.json tags, JUnit
 * failure types, --verbose progress); the titles are what a student reads.
 * Both tables are indexed by enum verdict; a verdict added without a name
 * prints as "unknown", and the report tests check that every verdict has a
 * distinct name and title.
 */
#include "result.h"

#include <stdlib.h>
#include <string.h>

static const char *const verdict_names[VERDICT__COUNT] = {
	[VERDICT_PASSED] = "passed",
	[VERDICT_WRONG_OUTPUT] = "wrong_output",
	[VERDICT_WRONG_EXIT] = "wrong_exit",
	[VERDICT_CRASHED] = "crashed",
	[VERDICT_TIMEOUT] = "timeout",
	[VERDICT_OUTPUT_LIMIT] = "output_limit",
	[VERDICT_MEMORY_LIMIT] = "memory_limit",
	[VERDICT_COMPILE_ERROR] = "compile_error",
	[VERDICT_FINDING] = "finding",
	[VERDICT_ERROR] = "error",
};

static const char *const verdict_titles[VERDICT__COUNT] = {
	[VERDICT_PASSED] = "Passed",
	[VERDICT_WRONG_OUTPUT] = "Wrong output",
	[VERDICT_WRONG_EXIT] = "Wrong exit status",
	[VERDICT_CRASHED] = "Crashed",
	[VERDICT_TIMEOUT] = "Time limit exceeded",
	[VERDICT_OUTPUT_LIMIT] = "Output limit exceeded",
	[VERDICT_MEMORY_LIMIT] = "Memory limit exceeded",
	[VERDICT_COMPILE_ERROR] = "Compile error",
	[VERDICT_FINDING] = "Problem found by a tool",
	[VERDICT_ERROR] = "Could not be run",
};

const char *verdict_name(enum verdict v)
{
	if ((unsigned)v >= VERDICT__COUNT || !verdict_names[v])
		return "unknown";
	return verdict_names[v];
}

const char *verdict_title(enum verdict v)
{
	if ((unsigned)v >= VERDICT__COUNT || !verdict_titles[v])
		return "Unknown";
	return verdict_titles[v];
}

int verdict_parse(const char *name, enum verdict *out)
{
	int v;

	if (!name)
		return -1;
	for (v = 0; v < VERDICT__COUNT; v++) {
		if (verdict_names[v] && !strcmp(name, verdict_names[v])) {
			*out = (enum verdict)v;
			return 0;
		}
	}
	return -1;
}

static void test_result_release(struct test_outcome *t)
{
	free(t->name);
	free(t->description);
	free(t->message);
	free(t->hint);
	free(t->expected);
	free(t->actual);
	free(t->diff);
	free(t->stderr_excerpt);
	free(t->limit);
	free(t->command);
	free(t->details);
}

void finding_release(struct finding *f)
{
	free(f->tool);
	free(f->kind);
	free(f->test);
	free(f->file);
	free(f->function);
	free(f->stack);
	free(f->message);
	free(f->source_line);
	memset(f, 0, sizeof(*f));
}

static void build_result_release(struct build_result *b)
{
	size_t i;

	free(b->command);
	free(b->output);
	if (b->warnings)
		for (i = 0; i < b->nwarnings; i++)
			free(b->warnings[i]);
	free(b->warnings);
}

void grade_result_free(struct grade_result *r)
{
	size_t i;
	int v;

	if (!r)
		return;
	free(r->exercise);
	free(r->title);
	free(r->submission);
	free(r->grader_version);
	free(r->started_at);
	free(r->isolation);
	for (v = 0; v < VARIANT__COUNT; v++)
		build_result_release(&r->builds[v]);
	for (i = 0; i < r->ntests; i++)
		test_result_release(&r->tests[i]);
	free(r->tests);
	for (i = 0; i < r->nfindings; i++)
		finding_release(&r->findings[i]);
	free(r->findings);
	free(r);
}
