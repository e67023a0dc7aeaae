/*
 * hygiene_ipc.h - POSIX shared memory objects and named semaphores that a
 * run left behind in /dev/shm.
 *
 * shm_open("/x") creates /dev/shm/x and sem_open("/x") /dev/shm/sem.x;
 * both outlive the program unless it unlinks them. After each run the
 * grader looks in /dev/shm for objects the run made and left, reports each
 * as a hygiene finding (`shm-leftover`, `sem-leftover`) and removes it.
 *
 * A sandboxed run's /dev/shm is a directory of its own (WORK/shm-<tag>,
 * bound there by the sandbox): everything left in it is the run's. Without
 * the sandbox, telling the run's objects from those of runs going on at
 * the same time
 * (`grader validate` grades two fixtures at once) needs a mark of the run:
 * an object is the run's when its name holds the pid of the run's main
 * process as a whole number ("/shmcount-4242", "/sem.park.4242") and it
 * was last changed after the run started. Objects with fixed names cannot
 * be told apart this way; a private /dev/shm per run (INTEGRATION.md)
 * would catch those too, with the same finding.
 *
 * The finding's message names the object with the pid written as <pid>,
 * so the same forgotten unlink in every run is one finding.
 *
 * System V objects and POSIX message queues die with a sandboxed run's
 * IPC namespace: the init's inventory at the main process's exit
 * (ipcscan.h, spawn's ipc_left) becomes one `sysv-shm-leftover`,
 * `sysv-msg-leftover`, `sysv-sem-leftover` or `mq-leftover` finding each.
 */
#ifndef GRADER_HYGIENE_IPC_H
#define GRADER_HYGIENE_IPC_H

#include <sys/types.h>

#include "grade_step.h"

/* The entries of dir (normally "/dev/shm") that the run of main process
 * `pid`, started at `since` (seconds, CLOCK_REALTIME), left: names into *out
 * (NULL-terminated, the caller frees with strv_free); pid 0: every entry
 * (a run's private directory). With `remove`, each
 * one is also unlinked. Returns the count, or -1 when dir cannot be read
 * (no /dev/shm: nothing to find). */
int hygiene_ipc_scan(const char *dir, pid_t pid, double since, int remove,
		     char ***out);

/* "shmcount-<pid>" from "shmcount-4242" and 4242: the name as the finding
 * shows it. Caller frees. */
char *hygiene_ipc_pattern(const char *name, pid_t pid);

/* After a run: one hygiene finding per object the run left in /dev/shm,
 * each removed. */
void hygiene_ipc_check(struct grade_ctx *c, enum variant v,
		       const struct spawn *sp);

#endif
