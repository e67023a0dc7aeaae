/*
 * main.c - the `grader` command: dispatches to one file per subcommand.
 *
 * Everything else lives in libgrader.a; this file only knows the table.
 */
#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "cli.h"
#include "runfs.h"
#include "signals.h"
#include "spawn.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "grade", cmd_grade, "grade one submission and write its reports" },
	{ "check", cmd_check, "a student's own check: public tests, run in the submission" },
	{ "validate", cmd_validate, "check a spec against its reference solution and fixtures" },
	{ "list", cmd_list, "list the exercises" },
	{ "doctor", cmd_doctor, "check that compilers, sanitizers and valgrind work here" },
	{ "batch", cmd_batch, "grade every student of a directory: gradebook, summary, cache" },
	{ "merge", cmd_merge, "combine the outputs of `batch --shard` runs" },
	{ "unpack", cmd_unpack, "unpack a submission's .zip/.tar.gz safely" },
};

static void usage(FILE *f)
{
	size_t i;

	fputs("usage: grader COMMAND [ARGS]\n\ncommands:\n", f);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n`grader COMMAND --help` describes each one. `grader --version`.\n", f);
}

int main(int argc, char **argv)
{
	size_t i;
	const char *name;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		if (argc > 2) {
			for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
				if (!strcmp(commands[i].name, argv[2])) {
					char *args[] = { argv[2], "--help", NULL };

					return commands[i].run(2, args);
				}
		}
		usage(stdout);
		return 0;
	}
	if (!strcmp(name, "--version")) {
		printf("grader %s\n", GRADER_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(commands[i].name, name)) {
			/* before any thread: it moves only the calling one */
			runfs_init();
			signals_setup();
			spawn_setup_process();
			return commands[i].run(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "grader: unknown command '%s'\n\n", name);
	usage(stderr);
	return 2;
}
