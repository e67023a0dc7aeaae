/*
 * ipcscan.c - what is left in an IPC namespace. See ipcscan.h: everything
 * here must stay async-signal-safe.
 */
#define _GNU_SOURCE
#include "ipcscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The file is read whole into a fixed buffer: a private namespace's list
 * is short, and a longer one is cut where the buffer ends (the objects in
 * it are reported, the rest are not). */
int ipcscan_sysv(const char *file, int kind, struct ipc_object *out, int *n,
		 int max)
{
	char buf[32768], *p, *nl;
	size_t have = 0;
	int fd = open(file, O_RDONLY | O_CLOEXEC), added = 0;
	ssize_t r;

	if (fd < 0)
		return 0;
	while (have < sizeof(buf) - 1) {
		r = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		have += (size_t)r;
	}
	close(fd);
	buf[have] = '\0';
	/* the first line is the header */
	for (p = strchr(buf, '\n'); p && (nl = strchr(++p, '\n')); p = nl) {
		long long key = 0;
		int neg = 0, digits = 0;

		while (*p == ' ')
			p++;
		if (*p == '-') {
			neg = 1;
			p++;
		}
		while (*p >= '0' && *p <= '9') {
			key = key * 10 + (*p++ - '0');
			digits++;
		}
		if (!digits || *n >= max)
			continue;
		out[*n].kind = kind;
		out[*n].key = (int)(neg ? -key : key);
		out[*n].name[0] = '\0';
		(*n)++;
		added++;
	}
	return added;
}

/* getdents64 on the directory: opendir() would malloc */
int ipcscan_mqueue(const char *dir, struct ipc_object *out, int *n, int max)
{
	char buf[4096];
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), added = 0;
	long r;

	if (fd < 0)
		return 0;
	while ((r = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		long off = 0;

		while (off < r) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			size_t len = strlen(d->d_name);

			off += d->d_reclen;
			if (d->d_name[0] == '.' || *n >= max)
				continue;
			if (len >= IPC_NAME_MAX)
				len = IPC_NAME_MAX - 1;
			out[*n].kind = IPC_KIND_MQ;
			out[*n].key = 0;
			memcpy(out[*n].name, d->d_name, len);
			out[*n].name[len] = '\0';
			(*n)++;
			added++;
		}
	}
	close(fd);
	return added;
}

int ipcscan_all(struct ipc_object *out, int max)
{
	int n = 0;

	ipcscan_sysv("/proc/sysvipc/shm", IPC_KIND_SHM, out, &n, max);
	ipcscan_sysv("/proc/sysvipc/msg", IPC_KIND_MSG, out, &n, max);
	ipcscan_sysv("/proc/sysvipc/sem", IPC_KIND_SEM, out, &n, max);
	ipcscan_mqueue("/dev/mqueue", out, &n, max);
	return n;
}
