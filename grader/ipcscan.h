/*
 * ipcscan.h - the System V IPC objects and POSIX message queues that exist
 * in the caller's IPC namespace: what a run left behind.
 *
 * A sandboxed run has an IPC namespace of its own (sandbox.h), which dies
 * with it: what the program created and never removed cannot be looked
 * at afterwards. So the pid namespace's init (spawn.c), which lives in the
 * same IPC namespace, takes the inventory the moment the program's main
 * process exits and sends it to the grader with the exit status. The init
 * is a raw clone of a grader with threads: these functions are
 * async-signal-safe (no malloc, no stdio, no locks): open/read/getdents64
 * and hand-written parsing only.
 *
 * Sources: /proc/sysvipc/{shm,msg,sem} (each line "key id ...", the
 * objects of the reader's IPC namespace) and the mqueue file system the
 * sandbox mounts on /dev/mqueue (one entry per queue).
 */
#ifndef GRADER_IPCSCAN_H
#define GRADER_IPCSCAN_H

enum ipc_kind {
	IPC_KIND_SHM = 1, /* System V shared memory segment */
	IPC_KIND_MSG,     /* System V message queue */
	IPC_KIND_SEM,     /* System V semaphore set */
	IPC_KIND_MQ,      /* POSIX message queue */
};

#define IPC_NAME_MAX 48

struct ipc_object {
	int kind;                 /* enum ipc_kind */
	int key;                  /* System V key (0: IPC_PRIVATE) */
	char name[IPC_NAME_MAX];  /* POSIX queue name without '/', cut */
};

/* Appends to out[*n] (up to max) the objects listed in a
 * /proc/sysvipc-format file (a header line, then "key id ..." per object)
 * of the given kind, and the queues of an mqueue directory. Missing files
 * and directories are no objects. Return the number appended. */
int ipcscan_sysv(const char *file, int kind, struct ipc_object *out, int *n,
		 int max);
int ipcscan_mqueue(const char *dir, struct ipc_object *out, int *n, int max);

/* All of them, in the caller's IPC namespace: shm, msg, sem, then the
 * queues in /dev/mqueue. Returns the count. */
int ipcscan_all(struct ipc_object *out, int max);

#endif
