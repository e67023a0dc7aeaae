/*
 * procacct.h - the exit status of every process of a run, from the
 * kernel's process accounting: a witness the program cannot touch.
 *
 * Why: sanitizers and valgrind write their reports from inside the
 * program's processes, as its uid, into a log directory the program can
 * also write. A process could delete or empty the report of another (a
 * child that hit a use-after-free, say) and hide the finding. The tools
 * also end a process that had an error with their own status (66,
 * VARIANT_TOOL_EXIT); for the main process the grader sees it, for the
 * others only their parent does -- and the parent is the program.
 *
 * BSD process accounting is per pid namespace (Linux >= 4.x): the run's
 * init, still root and still seeing the grader's files, turns it on into a
 * file of the grader's that the sandbox's view does not contain (spawn.h,
 * acct_path). The kernel then appends one record per process of the run
 * when it ends -- pid (as the run sees it, the number in the tool's log
 * name), command and exit status -- writing as root, whatever the run does.
 * After the run, every process that ended with the tool's status must
 * have its report in the log directory (grade.c).
 *
 * The file lies on a small tmpfs of its own (the kernel stops accounting
 * when the file system is 98% full, and the work directory's disk may be);
 * turning it on needs CAP_SYS_PACCT, so an ordinary user's `grader check`
 * has no witness and says so (procacct_words()).
 */
#ifndef GRADER_PROCACCT_H
#define GRADER_PROCACCT_H

#include <stddef.h>
#include <sys/types.h>

/* One ended process. */
struct procacct_exit {
	pid_t pid, ppid;       /* as the run's pid namespace numbers them */
	char comm[17];         /* the command's name (16 bytes at most) */
	int status;            /* wait status: WIFEXITED/WEXITSTATUS apply */
};

/* Prepares the accounting file for one run: dir is made (emptied first),
 * a tmpfs mounted on it when runfs is active, and an empty file created
 * in it, owned by root, mode 0600. Returns its path (to free), or NULL
 * when there can be no accounting (not root, no runfs) or it could not be
 * made (errno set). */
char *procacct_prepare(const char *dir);

/* Reads the records of the file at path: the processes that exited with
 * exit code `code` (not killed by a signal) are stored in out (up to max,
 * in the order they ended). *records is set to the number of valid
 * records read (0: accounting was off, or nothing ended). Returns the
 * number of processes that exited with `code` (may exceed max), or -1
 * when the file cannot be read (errno set). */
long procacct_read(const char *path, int code, struct procacct_exit *out,
		   size_t max, size_t *records);

/* The same on bytes in memory (the file's contents; for the tests). A
 * trailing partial record is ignored. */
long procacct_parse(const void *data, size_t len, int code,
		    struct procacct_exit *out, size_t max, size_t *records);

/* The run's init could not turn accounting on (errno err, sent by the
 * init): remembered for procacct_words(). */
void procacct_failed(int err);

/* `grader doctor`: runs `sh -c 'sh -c "exit 66"'` sandboxed with
 * accounting, and checks that the kernel recorded the inner shell's 66.
 * Returns 1 when the witness works, 0 when not, with why (a sentence)
 * in why. */
int procacct_probe(char *why, size_t size);

/* For the report's isolation line: whether the exit-status witness is
 * available and, if not, why. Static storage. */
const char *procacct_words(void);

#endif
