/*
 * sandbox.h - what a run can see and do: namespaces, a file system view of
 * its own, a uid of its own, no privileges. Used by spawn.c only.
 *
 * spawn.c decides the processes (see the top of spawn.c): the sandboxed
 * child is created by clone() with sandbox_clone_flags(), becomes the pid 1
 * ("init") of a new pid namespace, calls sandbox_enter() to build the file
 * system view, forks the program's process, which calls sandbox_drop()
 * before exec. Everything is computed by sandbox_prepare() before the
 * fork; sandbox_enter() and sandbox_drop() make system calls only (no
 * allocation, no lock): they run between fork and exec.
 *
 * The view (the child's own mount namespace, pivot_root into a tmpfs):
 *   /usr /etc and /bin /lib /lib64 /sbin (or their symbolic links): read-only
 *   /proc          the new pid namespace's (nothing of the host shows)
 *   /dev           null zero full random urandom tty, fd -> /proc/self/fd,
 *                  a private /dev/shm (tmpfs, capped)
 *   /tmp           private tmpfs (capped)
 *   the cwd        read-write (as root: the run's own uid owns it)
 *   paths named on the command line: every absolute path in argv, and in
 *                  an envp value or an option after '=' or ':' (so a tool's
 *                  --log-file=DIR/x.%p or ASAN_OPTIONS=log_path=DIR/asan):
 *                  an existing one read-only, a not yet existing one's
 *                  directory read-write (where a tool writes its report).
 *                  Paths under the system directories are already there.
 * and nothing else: not /home, /root, /work, /var, /run, the grader's work
 * directory (its other parts: stdin files, the reference's build), the
 * exercise directory (hidden tests, expected outputs, the reference
 * solution) nor the report directory -- unless the command line names them.
 *
 * Levels, tried in this order, the first that works kept for the process:
 *   SANDBOX_ROOT    the grader is root: new pid, mount, ipc, net namespaces;
 *                   the program runs as uid/gid SANDBOX_UID_BASE + slot (a
 *                   slot per run going on, machine-wide), with no
 *                   capabilities and no_new_privs;
 *   SANDBOX_USERNS  an ordinary user where the kernel allows unprivileged
 *                   user namespaces: the same namespaces inside a new user
 *                   namespace (the user's uid mapped to itself), no
 *                   capabilities, no_new_privs -- but the program runs as
 *                   the user (RLIMIT_NPROC then counts per namespace);
 *   SANDBOX_NONE    nothing works (or GRADER_NO_SANDBOX=1): the program
 *                   runs as the grader's user and sees what it sees.
 * sandbox_describe() says which, and what is missing, in words for the
 * report.
 *
 * Residual risks (docs/security.md): the tool log directory is writable by
 * the program (the tool writes there as the program's uid), so a program
 * can delete its own reports -- the tool's exit status still flags a run
 * that had one; the cwd is the real directory, whose size only
 * RLIMIT_FSIZE (per file) and the run's time bound.
 *
 * Ownership: sandbox_prepare() returns a plan owned by the caller, freed by
 * sandbox_release() (which also gives back the uid slot and the owners of
 * the directories it lent).
 */
#ifndef GRADER_SANDBOX_H
#define GRADER_SANDBOX_H

#include <sys/types.h>

#include "error.h"

enum sandbox_level {
	SANDBOX_NONE = 0,
	SANDBOX_USERNS,
	SANDBOX_ROOT,
};

/* First uid (and gid) of the slots; slot n runs as SANDBOX_UID_BASE + n. */
#define SANDBOX_UID_BASE 60000
#define SANDBOX_SLOTS 1000

/* Caps of the private tmpfs mounts (/tmp, /dev/shm) and of any one file
 * written (RLIMIT_FSIZE). */
#define SANDBOX_TMPFS_BYTES (128LL << 20)
#define SANDBOX_TMPFS_INODES 16384
#define SANDBOX_FILE_BYTES (64LL << 20)

struct sandbox;

/* What a run asks of the sandbox. */
struct sandbox_request {
	const char *path;          /* the resolved executable */
	const char *const *argv;
	const char *const *envp;
	const char *cwd;           /* NULL: the grader's cwd */
	int join_netns;            /* 1: the child joins the caller's network
				      namespace (no new one) */
	const char *shm_dir;       /* a directory of the grader's to be the
				      run's /dev/shm (what the run leaves
				      there stays visible to the grader);
				      NULL: a private tmpfs */
};

/* The most a run can get here, probed once per process: SANDBOX_ROOT for
 * root, SANDBOX_USERNS for others, SANDBOX_NONE with GRADER_NO_SANDBOX=1;
 * lowered by sandbox_failed(). */
enum sandbox_level sandbox_level_available(void);

/* Records that level did not work here (a clone or a child's set-up
 * failed with err): later runs start one level lower. */
void sandbox_failed(enum sandbox_level level, int err);

/* The plan of one run at `level` (> SANDBOX_NONE). Returns NULL with e
 * filled on a fault (no free uid slot...). */
struct sandbox *sandbox_prepare(enum sandbox_level level,
				const struct sandbox_request *rq,
				struct error *e);

enum sandbox_level sandbox_level(const struct sandbox *sb);

/* The CLONE_NEW* flags of the child (init of the new pid namespace). */
unsigned long long sandbox_clone_flags(const struct sandbox *sb);

/* In the child (pid 1 of its namespaces), before forking the program:
 * user namespace maps, loopback up, the file system view; afterwards the
 * child's root and cwd are the new root's. Returns 0 or an errno value. */
int sandbox_enter(const struct sandbox *sb);

/* In the program's process, last before exec: its uid/gid (root level),
 * no capabilities, no_new_privs, umask 022, RLIMIT_FSIZE. Returns 0 or an
 * errno value. */
int sandbox_drop(const struct sandbox *sb);

/* The uid the program runs as (root level), else -1. */
long sandbox_uid(const struct sandbox *sb);

/* A sentence for the report: what isolated the run and what was not
 * available. `tracking` is spawn's ("cgroup" or "process-group+
 * subreaper"). Static storage. */
const char *sandbox_describe(const struct sandbox *sb, const char *tracking);

/* Gives back what the plan borrowed (uid slot, directory owners); NULL is
 * accepted. */
void sandbox_release(struct sandbox *sb);

#endif
