/*
 * runfs.h - the working directory of a run as a tmpfs of its own, capped in
 * size and in number of files.
 *
 * Why: a run's cwd is the one place it may write whose contents the grader
 * reads afterwards (leftover files, a server's served directory, the unit
 * record FIFO), so it cannot be a tmpfs mounted inside the sandbox's own
 * mount namespace: that would vanish with the run. Instead the grader moves
 * itself, once, into a private mount namespace (runfs_init(), before any
 * thread exists: unshare(CLONE_NEWNS) only moves the calling thread) and
 * mounts a tmpfs on each run directory there. The sandbox's view binds the
 * cwd, tmpfs included; the grader reads it after the run and unmounts it
 * when the directory is removed. Nothing of it reaches the host's mount
 * table, and all of it goes when the grader exits, however it exits.
 *
 * The tmpfs's pages are charged to the memory cgroup of whoever writes
 * them: the run's writes count against its memory limit as well.
 *
 * Only as root (mounting needs CAP_SYS_ADMIN in the mount namespace's
 * owner, and an unprivileged grader has no such namespace of its own); an
 * ordinary user's `grader check` keeps a plain directory, bounded per file
 * by RLIMIT_FSIZE only, and says so in the report (runfs_words()).
 */
#ifndef GRADER_RUNFS_H
#define GRADER_RUNFS_H

/* Called once from main() before any thread is started: enters a private
 * mount namespace when running as root and not disabled by
 * GRADER_NO_SANDBOX. Afterwards runfs_active() tells whether it worked. */
void runfs_init(void);
int runfs_active(void);

/* Mounts a fresh tmpfs of at most `bytes` and `inodes` on the existing,
 * empty directory dir, owned by root, mode 0755. Does nothing (returns 0)
 * when runfs is not active. Returns -1 with errno otherwise. */
int runfs_mount(const char *dir, long long bytes, long long inodes);

/* For the report's isolation line: what the working directory is, and why
 * not a capped tmpfs when it is not. Static storage. */
const char *runfs_words(void);

#endif
