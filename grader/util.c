/*
 * util.c - see util.h.
 */
#define _GNU_SOURCE
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void die(const char *fmt, ...)
{
	va_list ap;

	fputs("grader: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		die("out of memory (%zu bytes)", n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("out of memory");
	return s;
}

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *path_join(const char *a, const char *b)
{
	size_t la;

	if (b[0] == '/' || !a || !a[0])
		return xstrdup(b);
	la = strlen(a);
	if (a[la - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

char *path_basename(const char *path)
{
	size_t end = strlen(path), start;

	while (end > 1 && path[end - 1] == '/')
		end--;
	if (end == 0)
		return xstrdup(".");
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	if (start == end)
		return xstrdup("/");
	return xstrndup(path + start, end - start);
}

char *path_real(const char *path)
{
	return realpath(path, NULL);
}

int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int mkdir_p(const char *path)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			rc = -1;
			break;
		}
		*s = '/';
	}
	if (rc == 0 && mkdir(p, 0755) < 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

/* A directory that will not go away with EBUSY is a mount point: a run's
 * working directory (runfs.h) whose grader was interrupted before it could
 * unmount it. Ours to detach: it lies in the grader's own temporary tree,
 * in the grader's own mount namespace. Then removes it. */
static int detach_and_rmdir(int dfd, const char *name)
{
	char path[64 + 256];

	if (errno != EBUSY)
		return -1;
	if (dfd == AT_FDCWD)
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dfd, name);
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
		return -1;
	return unlinkat(dfd, name, AT_REMOVEDIR);
}

/* Removes everything inside the directory dfd (consumed), never following a
 * symbolic link: a student's symlink to /etc is unlinked, not descended. */
static int rm_tree_at(int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		close(dfd);
		return -1;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						 O_CLOEXEC);

			/* A directory without read/exec permission: open it up
			 * first, it is ours to remove. */
			if (sub < 0 &&
			    fchmodat(dirfd(d), de->d_name, 0700, 0) == 0) {
				sub = openat(dirfd(d), de->d_name,
					     O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						     O_CLOEXEC);
			}
			if (sub >= 0 && rm_tree_at(sub) < 0)
				rc = -1;
			if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 &&
			    detach_and_rmdir(dirfd(d), de->d_name) < 0)
				rc = -1;
		} else if (unlinkat(dirfd(d), de->d_name, 0) < 0) {
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

int rm_rf(const char *path)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rm_tree_at(fd);
	if (rmdir(path) == 0)
		return 0;
	return detach_and_rmdir(AT_FDCWD, path);
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	const char *p = data;
	int fd, saved;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0 && errno != EINVAL)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	errno = saved;
	return -1;
}

int copy_file(const char *from, const char *to)
{
	char chunk[65536];
	struct stat st;
	int in, out, saved, rc = 0;

	in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0)
		return -1;
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(in);
		errno = EINVAL;
		return -1;
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		   st.st_mode & 0777);
	if (out < 0) {
		saved = errno;
		close(in);
		errno = saved;
		return -1;
	}
	for (;;) {
		ssize_t n = read(in, chunk, sizeof(chunk)), off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -1 : 0;
			break;
		}
		while (off < n) {
			ssize_t w = write(out, chunk + off, (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = -1;
				break;
			}
			off += w;
		}
		if (rc)
			break;
	}
	saved = errno;
	close(in);
	if (close(out) < 0)
		rc = -1;
	errno = saved;
	return rc;
}

/* Every temporary directory made, for temp_dirs_remove_all(). */
static pthread_mutex_t temp_lock = PTHREAD_MUTEX_INITIALIZER;
static char **temp_dirs;
static pid_t *temp_owners; /* the process that made it (fork copies the list) */
static size_t ntemp_dirs;

/* fork() in one thread while another holds temp_lock would leave the
 * child a lock nobody can release (seen: validate forking a worker while
 * the signal thread was cleaning up): hold it across every fork. */
static void temp_lock_prepare(void)
{
	pthread_mutex_lock(&temp_lock);
}

static void temp_lock_release(void)
{
	pthread_mutex_unlock(&temp_lock);
}

static void temp_lock_atfork(void)
{
	pthread_atfork(temp_lock_prepare, temp_lock_release, temp_lock_release);
}

static pthread_once_t temp_once = PTHREAD_ONCE_INIT;

char *make_temp_dir(const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	char *path;

	pthread_once(&temp_once, temp_lock_atfork);
	if (!tmp || !*tmp)
		tmp = "/tmp";
	path = xasprintf("%s/grader-%s-XXXXXX", tmp, prefix);
	if (!mkdtemp(path)) {
		free(path);
		return NULL;
	}
	pthread_mutex_lock(&temp_lock);
	temp_dirs = xrealloc(temp_dirs, (ntemp_dirs + 1) * sizeof(*temp_dirs));
	temp_owners = xrealloc(temp_owners, (ntemp_dirs + 1) * sizeof(*temp_owners));
	temp_owners[ntemp_dirs] = getpid();
	temp_dirs[ntemp_dirs++] = xstrdup(path);
	pthread_mutex_unlock(&temp_lock);
	return path;
}

void temp_dirs_remove_all(void)
{
	size_t i;

	pthread_once(&temp_once, temp_lock_atfork);
	pthread_mutex_lock(&temp_lock);
	for (i = 0; i < ntemp_dirs; i++)
		if (temp_owners[i] == getpid() && is_dir(temp_dirs[i]))
			rm_rf(temp_dirs[i]);
	pthread_mutex_unlock(&temp_lock);
}

int parse_size(const char *s, long long *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	switch (toupper((unsigned char)*end)) {
	case '\0':
		break;
	case 'K':
		v *= 1024.0;
		end++;
		break;
	case 'M':
		v *= 1024.0 * 1024.0;
		end++;
		break;
	case 'G':
		v *= 1024.0 * 1024.0 * 1024.0;
		end++;
		break;
	default:
		return -1;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return -1;
	*out = (long long)v;
	return 0;
}

int parse_duration(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	if (!strcmp(end, "") || !strcmp(end, "s"))
		;
	else if (!strcmp(end, "ms"))
		v /= 1000.0;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		v *= 60.0;
	else
		return -1;
	*out = v;
	return 0;
}

int cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

/* Length of the valid, printable UTF-8 sequence at s (2..4), or 0. C1
 * control characters (U+0080..U+009F) and surrogates count as invalid. */
size_t utf8_printable_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0xa0) || (len == 3 && cp < 0x800) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff)
		return 0;
	return len;
}

void strv_free(char **v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}
