/*
 * cli.h - what the subcommands share: finding exercises and fixtures,
 * parsing a variant list, deciding on colour.
 */
#ifndef GRADER_CLI_H
#define GRADER_CLI_H

#include <stdio.h>

#include "error.h"

/* The directory holding the exercises: $GRADER_EXERCISES if set; else the
 * `exercises` directory of the repository the grader binary was built in
 * (<binary>/../../exercises); else ./exercises. Caller frees. */
char *cli_exercises_root(void);

/* Resolves an exercise argument: a directory holding spec.yaml, or the name
 * of an exercise under cli_exercises_root(). Caller frees; NULL + e. */
char *cli_exercise_dir(const char *arg, struct error *e);

/* fixtures/<name> beside the exercises directory of exercise_dir
 * (<exercise_dir>/../../fixtures/<name>). Caller frees. */
char *cli_fixtures_dir(const char *exercise_dir, const char *name);

/* "plain,asan" -> bit mask. Returns 0 or -1 with e. */
int cli_parse_variants(const char *list, unsigned *mask, struct error *e);

/* Colour only on a terminal, and never when NO_COLOR is set or TERM=dumb. */
int cli_use_color(FILE *f);

/* Every subcommand: `int cmd_x(int argc, char **argv)` returns the exit
 * status (0 ok, 1 a failure the command reports, 2 bad input/grader fault). */
int cmd_grade(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

#endif
