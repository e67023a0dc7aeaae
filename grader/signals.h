/*
 * signals.h - a grader interrupted (Ctrl-C, SIGTERM from a CI runner or a
 * batch scheduler, SIGHUP) leaves nothing behind.
 *
 * Student programs run in sessions and cgroups of their own, so a signal
 * that ends the grader would not reach them: a server, a daemon or a hung
 * run would outlive it, with its temporary directory. signals_setup()
 * blocks SIGINT, SIGTERM and SIGHUP in the calling thread (threads created
 * afterwards inherit the mask) and starts a thread that waits for them.
 * On one it:
 *   1. sends SIGTERM to every run in progress and every child of this
 *      process (a forked worker of `validate`, a `grader grade` of a
 *      batch: each cleans up after itself the same way) and gives them
 *      SIGNALS_GRACE_S to end;
 *   2. SIGKILLs whatever is left of the runs, and the orphans they left
 *      (adopted by the grader as their subreaper), until none is found;
 *   3. removes every temporary directory made by make_temp_dir();
 *   4. dies of the same signal (so a shell and a CI runner see it).
 *
 * Call it first thing in main(), before any thread exists, and again in a
 * child made by fork() that goes on working (threads do not survive fork;
 * the mask does). Programs started through spawn.h get a clean mask.
 */
#ifndef GRADER_SIGNALS_H
#define GRADER_SIGNALS_H

#define SIGNALS_GRACE_S 2.0

void signals_setup(void);

/* 1 once a signal is being handled: start nothing new (a caller that
 * forks workers by itself checks it before each fork). */
int signals_stopping(void);

#endif
