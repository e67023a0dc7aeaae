/*
 * sandbox.c - the isolation of a run: namespaces, a file system view, a uid
 * of its own, no privileges. See sandbox.h for what the program sees.
 *
 * Two halves. sandbox_prepare() runs in the grader: it resolves every path
 * (realpath), decides what is visible and how, takes a uid slot and lends
 * the writable directories to that uid -- everything that may allocate or
 * fail for a reason of the grader's. sandbox_enter() and sandbox_drop()
 * run in the child between clone and exec: system calls only, on strings
 * and numbers the plan already holds (isolate and bubblewrap do the same
 * work; we need neither's set-uid helper because the grader is root or
 * uses an unprivileged user namespace).
 *
 * How the view is built in the child (pid 1 of new namespaces): make every
 * mount private, mount a tmpfs on NEWROOT (an existing directory, "/tmp":
 * the mount is private to the child), fill it -- binds of the system
 * directories read-only, a new /proc, a small /dev, private /tmp and
 * /dev/shm, the cwd and the command line's paths -- remount it read-only,
 * and pivot_root into it. Sources under NEWROOT itself (the grader's work
 * directory is under /tmp) are opened before the tmpfs hides them, and
 * bound from /proc/self/fd/N.
 */
#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stddef.h>
#include <limits.h>
#include <linux/capability.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sched.h>
#include <unistd.h>

#include "util.h"

#ifndef SYS_pivot_root
#define SYS_pivot_root 155
#endif
#ifndef ST_RELATIME
#define ST_RELATIME 4096
#endif

#define NEWROOT "/tmp"
#define MAX_BINDS 40

/* Mounted read-only from the host, when they exist; a symbolic link
 * (merged /usr) is copied as a link. */
static const char *const system_dirs[] = {
	"/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
	NULL
};
/* Device nodes bound into the private /dev. */
static const char *const devices[] = {
	"null", "zero", "full", "random", "urandom", "tty", NULL
};

enum bind_kind { BIND_RO, BIND_RW, BIND_LINK };

struct bind {
	char *src;        /* host path (BIND_LINK: the link's target) */
	char *dst;        /* NEWROOT + path */
	enum bind_kind kind;
	int is_dir;
	size_t depth;     /* '/' count: parents are mounted first */
};

struct lent {
	char *path;
	uid_t uid;
	gid_t gid;
};

struct sandbox {
	enum sandbox_level level;
	unsigned long long flags;
	char uid_map[48], gid_map[48];
	uid_t uid;
	gid_t gid;
	int slot_fd;
	long slot;
	struct bind b[MAX_BINDS];
	size_t nb;
	struct lent lent[MAX_BINDS];
	size_t nlent;
	char *d_proc, *d_dev, *d_shm, *d_tmp, *d_mqueue;
	char *shm_src;            /* bound on /dev/shm, or NULL: a tmpfs */
	const char *cwd_rw;       /* while preparing: the writable cwd */
	char *dev_dst[8], *dev_src[8];
	char *d_fd_link, *d_stdin, *d_stdout, *d_stderr;
	char tmpfs_opts[96], dev_opts[64], root_opts[64];
	int join_netns;
};

/* ---- the level ---- */

static pthread_once_t level_once = PTHREAD_ONCE_INIT;
static int level_now;

static int read_long(const char *path, long *v)
{
	char text[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (r <= 0)
		return -1;
	text[r] = '\0';
	*v = strtol(text, NULL, 10);
	return 0;
}

static void level_probe(void)
{
	const char *off = getenv("GRADER_NO_SANDBOX");
	long v;

	if (off && *off && strcmp(off, "0")) {
		level_now = SANDBOX_NONE;
	} else if (geteuid() == 0) {
		level_now = SANDBOX_ROOT;
	} else if ((read_long("/proc/sys/kernel/unprivileged_userns_clone", &v) == 0 &&
		    v == 0) ||
		   (read_long("/proc/sys/user/max_user_namespaces", &v) == 0 && v == 0)) {
		level_now = SANDBOX_NONE;
	} else {
		level_now = SANDBOX_USERNS;
	}
}

enum sandbox_level sandbox_level_available(void)
{
	const char *off = getenv("GRADER_NO_SANDBOX");

	pthread_once(&level_once, level_probe);
	/* read each time: tests switch it within one process */
	if (off && *off && strcmp(off, "0"))
		return SANDBOX_NONE;
	return (enum sandbox_level)__atomic_load_n(&level_now, __ATOMIC_RELAXED);
}

void sandbox_failed(enum sandbox_level level, int err)
{
	int want = level > SANDBOX_NONE ? (int)level - 1 : SANDBOX_NONE;
	int cur = __atomic_load_n(&level_now, __ATOMIC_RELAXED);

	(void)err;
	/* root that cannot unshare (a container) may still have user
	 * namespaces; lower only ever */
	while (cur > want &&
	       !__atomic_compare_exchange_n(&level_now, &cur, want, 0,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

enum sandbox_level sandbox_level(const struct sandbox *sb)
{
	return sb ? sb->level : SANDBOX_NONE;
}

unsigned long long sandbox_clone_flags(const struct sandbox *sb)
{
	return sb ? sb->flags : 0;
}

long sandbox_uid(const struct sandbox *sb)
{
	return sb && sb->level == SANDBOX_ROOT ? (long)sb->uid : -1;
}

/* ---- preparing ---- */

/* A machine-wide uid slot: an abstract unix socket name is held by one
 * socket at a time and freed when its holder dies, so no lock file is
 * ever left behind. */
static int take_slot(struct sandbox *sb)
{
	static unsigned next;
	unsigned start = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED);
	long k;

	for (k = 0; k < SANDBOX_SLOTS; k++) {
		long slot = (long)((start + (unsigned)k) % SANDBOX_SLOTS);
		struct sockaddr_un a;
		socklen_t len;
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -1;
		memset(&a, 0, sizeof(a));
		a.sun_family = AF_UNIX;
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				  (size_t)snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1,
						   "grader-uid-slot-%ld", slot));
		if (bind(fd, (struct sockaddr *)&a, len) == 0) {
			sb->slot_fd = fd;
			sb->slot = slot;
			sb->uid = (uid_t)(SANDBOX_UID_BASE + slot);
			sb->gid = (gid_t)(SANDBOX_UID_BASE + slot);
			return 0;
		}
		close(fd);
		if (errno != EADDRINUSE)
			return -1;
	}
	errno = EAGAIN;
	return -1;
}

static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

/* Already in the view, or never to be bound from the host. */
static int system_path(const char *real)
{
	static const char *const skip[] = { "/usr", "/etc", "/proc", "/dev",
					    "/sys", NULL };
	size_t i;

	if (!strcmp(real, "/"))
		return 1;
	for (i = 0; skip[i]; i++)
		if (under(real, skip[i]))
			return 1;
	return 0;
}

static size_t depth_of(const char *p)
{
	size_t d = 0;

	for (; *p; p++)
		d += *p == '/';
	return d;
}

/* Adds a bind of real (resolved) path; a path bound read-write stays so. */
static void add_bind(struct sandbox *sb, const char *real, enum bind_kind kind,
		     int is_dir)
{
	size_t i;

	for (i = 0; i < sb->nb; i++) {
		if (sb->b[i].kind != BIND_LINK && !strcmp(sb->b[i].src, real)) {
			if (kind == BIND_RW)
				sb->b[i].kind = BIND_RW;
			return;
		}
	}
	if (sb->nb == MAX_BINDS)
		return;
	sb->b[sb->nb].src = xstrdup(real);
	sb->b[sb->nb].dst = xasprintf(NEWROOT "%s", real);
	sb->b[sb->nb].kind = kind;
	sb->b[sb->nb].is_dir = is_dir;
	sb->b[sb->nb].depth = depth_of(real);
	sb->nb++;
}

/* A directory the program must write (root level): its uid is lent it
 * for the run, unless others may write it already. Only directories the
 * grader itself owns are lent. */
static void lend_dir(struct sandbox *sb, const char *real)
{
	struct stat st;

	if (sb->level != SANDBOX_ROOT || sb->nlent == MAX_BINDS)
		return;
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    (st.st_mode & S_IWOTH) || st.st_uid != geteuid())
		return;
	if (chown(real, sb->uid, sb->gid) < 0)
		return;
	sb->lent[sb->nlent].path = xstrdup(real);
	sb->lent[sb->nlent].uid = st.st_uid;
	sb->lent[sb->nlent].gid = st.st_gid;
	sb->nlent++;
}

/* One path named on the command line (text up to `len`). */
static void named_path(struct sandbox *sb, const char *text, size_t len,
		       const char *cwd_parent)
{
	char *p = xstrndup(text, len), *real = realpath(p, NULL);
	struct stat st;

	if (real) {
		if (sb->cwd_rw && strcmp(real, sb->cwd_rw) &&
		    under(real, sb->cwd_rw) && stat(real, &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			/* a directory inside the writable cwd (a server's
			 * served directory): seen through the cwd, and lent
			 * for writing like it */
			lend_dir(sb, real);
		} else if (!system_path(real) && stat(real, &st) == 0) {
			add_bind(sb, real, BIND_RO, S_ISDIR(st.st_mode));
		}
	} else if (errno == ENOENT) {
		char *slash = strrchr(p, '/');

		/* A name a tool will create (a log file, a prefix of
		 * them): its directory is written, if it lies beside the
		 * cwd (the grader's work directory) -- never elsewhere. */
		if (slash && slash != p) {
			*slash = '\0';
			real = realpath(p, NULL);
			if (real && cwd_parent && under(real, cwd_parent) &&
			    !system_path(real) && stat(real, &st) == 0 &&
			    S_ISDIR(st.st_mode)) {
				add_bind(sb, real, BIND_RW, 1);
				lend_dir(sb, real);
			}
		}
	}
	free(real);
	free(p);
}

/* Every absolute path in s: s itself, or after a '=' or ':' (option
 * syntax: --log-file=/x, KEY=/x, log_path=/x:exitcode=66). */
static void named_paths(struct sandbox *sb, const char *s, const char *cwd_parent)
{
	const char *p;

	for (p = s; *p; p++) {
		if (*p == '/' && (p == s || p[-1] == '=' || p[-1] == ':')) {
			size_t n = strcspn(p, ":,");

			named_path(sb, p, n, cwd_parent);
			p += n - 1;
		}
	}
}

static int cmp_bind(const void *a, const void *b)
{
	const struct bind *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return strcmp(x->src, y->src);
}

struct sandbox *sandbox_prepare(enum sandbox_level level,
				const struct sandbox_request *rq,
				struct error *e)
{
	struct sandbox *sb = xcalloc(1, sizeof(*sb));
	char *cwd_real = NULL, *cwd_parent = NULL;
	size_t i;

	sb->level = level;
	sb->slot_fd = -1;
	sb->slot = -1;
	sb->join_netns = rq->join_netns;
	sb->flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC;
	if (!rq->join_netns)
		sb->flags |= CLONE_NEWNET;
	if (level == SANDBOX_USERNS) {
		sb->flags |= CLONE_NEWUSER;
		snprintf(sb->uid_map, sizeof(sb->uid_map), "%ld %ld 1\n",
			 (long)geteuid(), (long)geteuid());
		snprintf(sb->gid_map, sizeof(sb->gid_map), "%ld %ld 1\n",
			 (long)getegid(), (long)getegid());
	} else if (take_slot(sb) < 0) {
		int saved = errno;

		free(sb);
		error_set(e, "sandbox: no free uid slot: %s", strerror(saved));
		return NULL;
	}
	snprintf(sb->tmpfs_opts, sizeof(sb->tmpfs_opts),
		 "size=%lld,nr_inodes=%d,mode=1777", SANDBOX_TMPFS_BYTES,
		 SANDBOX_TMPFS_INODES);
	snprintf(sb->dev_opts, sizeof(sb->dev_opts), "size=64k,nr_inodes=64,mode=755");
	snprintf(sb->root_opts, sizeof(sb->root_opts), "size=1m,nr_inodes=4096,mode=755");

	for (i = 0; system_dirs[i]; i++) {
		struct stat st;
		char target[PATH_MAX];
		ssize_t n;

		if (lstat(system_dirs[i], &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			n = readlink(system_dirs[i], target, sizeof(target) - 1);
			if (n <= 0 || sb->nb == MAX_BINDS)
				continue;
			target[n] = '\0';
			sb->b[sb->nb].src = xstrdup(target);
			sb->b[sb->nb].dst = xasprintf(NEWROOT "%s", system_dirs[i]);
			sb->b[sb->nb].kind = BIND_LINK;
			sb->b[sb->nb].depth = 1;
			sb->nb++;
		} else if (S_ISDIR(st.st_mode)) {
			add_bind(sb, system_dirs[i], BIND_RO, 1);
		}
	}

	/* The cwd: written by the program; the inherited one only seen. */
	cwd_real = realpath(rq->cwd ? rq->cwd : ".", NULL);
	if (cwd_real && !system_path(cwd_real)) {
		cwd_parent = xstrdup(cwd_real);
		*strrchr(cwd_parent, '/') = '\0';
		if (!*cwd_parent) {
			free(cwd_parent);
			cwd_parent = NULL;
		}
		add_bind(sb, cwd_real, rq->cwd ? BIND_RW : BIND_RO, 1);
		if (rq->cwd) {
			lend_dir(sb, cwd_real);
			sb->cwd_rw = cwd_real;
		}
	}
	if (rq->path)
		named_paths(sb, rq->path, cwd_parent);
	for (i = 0; rq->argv && rq->argv[i]; i++)
		named_paths(sb, rq->argv[i], cwd_parent);
	for (i = 0; rq->envp && rq->envp[i]; i++) {
		const char *eq = strchr(rq->envp[i], '=');

		if (eq && strncmp(rq->envp[i], "PATH=", 5))
			named_paths(sb, eq + 1, cwd_parent);
	}
	qsort(sb->b, sb->nb, sizeof(sb->b[0]), cmp_bind);
	sb->cwd_rw = NULL;
	free(cwd_real);
	free(cwd_parent);

	sb->d_proc = xstrdup(NEWROOT "/proc");
	sb->d_dev = xstrdup(NEWROOT "/dev");
	sb->d_shm = xstrdup(NEWROOT "/dev/shm");
	sb->shm_src = rq->shm_dir ? xstrdup(rq->shm_dir) : NULL;
	sb->d_mqueue = xstrdup(NEWROOT "/dev/mqueue");
	sb->d_tmp = xstrdup(NEWROOT "/tmp");
	sb->d_fd_link = xstrdup(NEWROOT "/dev/fd");
	sb->d_stdin = xstrdup(NEWROOT "/dev/stdin");
	sb->d_stdout = xstrdup(NEWROOT "/dev/stdout");
	sb->d_stderr = xstrdup(NEWROOT "/dev/stderr");
	for (i = 0; devices[i]; i++) {
		sb->dev_src[i] = xasprintf("/dev/%s", devices[i]);
		sb->dev_dst[i] = xasprintf(NEWROOT "/dev/%s", devices[i]);
	}
	return sb;
}

void sandbox_release(struct sandbox *sb)
{
	size_t i;

	if (!sb)
		return;
	for (i = 0; i < sb->nlent; i++) {
		if (chown(sb->lent[i].path, sb->lent[i].uid, sb->lent[i].gid) < 0) {
			/* the directory went away meanwhile: nothing to give back */
		}
		free(sb->lent[i].path);
	}
	for (i = 0; i < sb->nb; i++) {
		free(sb->b[i].src);
		free(sb->b[i].dst);
	}
	for (i = 0; devices[i]; i++) {
		free(sb->dev_src[i]);
		free(sb->dev_dst[i]);
	}
	free(sb->d_proc);
	free(sb->d_dev);
	free(sb->d_shm);
	free(sb->shm_src);
	free(sb->d_mqueue);
	free(sb->d_tmp);
	free(sb->d_fd_link);
	free(sb->d_stdin);
	free(sb->d_stdout);
	free(sb->d_stderr);
	if (sb->slot_fd >= 0)
		close(sb->slot_fd);
	free(sb);
}

/* ---- in the child: system calls only ----
 *
 * mount(2) ignores the source and type of a bind, remount or propagation
 * change; "none" rather than NULL keeps valgrind (make valgrind) quiet. */

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = (ssize_t)strlen(text), w;

	if (fd < 0)
		return errno;
	w = write(fd, text, (size_t)n);
	if (w != n) {
		int err = w < 0 ? errno : EIO;

		close(fd);
		return err;
	}
	close(fd);
	return 0;
}

/* mkdir -p on the new root, for a mount point (path is copied). */
static int make_dirs(const char *path)
{
	char p[PATH_MAX];
	size_t i, n = strlen(path);

	if (n >= sizeof(p))
		return ENAMETOOLONG;
	memcpy(p, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return errno;
		p[i] = i < n ? '/' : '\0';
	}
	return 0;
}

/* The parent directories of path, and path as an empty file. */
static int make_file(const char *path)
{
	char p[PATH_MAX];
	char *slash;
	size_t n = strlen(path);
	int fd, err;

	if (n >= sizeof(p))
		return ENAMETOOLONG;
	memcpy(p, path, n + 1);
	slash = strrchr(p, '/');
	if (slash && slash != p) {
		*slash = '\0';
		if ((err = make_dirs(p)) != 0)
			return err;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return errno == EEXIST || errno == EROFS ? 0 : errno;
	close(fd);
	return 0;
}

/* The flags a read-only remount must keep (a user namespace may not clear
 * nosuid, nodev, noexec or the atime flags of a mount it was given). */
static unsigned long kept_flags(const char *path)
{
	struct statfs sf;
	unsigned long f = 0;

	if (statfs(path, &sf) < 0)
		return 0;
	if (sf.f_flags & ST_NOSUID)
		f |= MS_NOSUID;
	if (sf.f_flags & ST_NODEV)
		f |= MS_NODEV;
	if (sf.f_flags & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sf.f_flags & ST_NOATIME)
		f |= MS_NOATIME;
	if (sf.f_flags & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sf.f_flags & ST_RELATIME)
		f |= MS_RELATIME;
	return f;
}

static int bind_fd(int fd, const char *dst, int ro)
{
	char src[64];

	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	if (mount(src, dst, "none", MS_BIND | MS_REC, NULL) < 0)
		return errno;
	if (ro && mount("none", dst, "none",
			MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | kept_flags(dst),
			NULL) < 0)
		return errno;
	return 0;
}

/* Loopback up in the new network namespace. */
static int loopback_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (s < 0)
		return errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		err = errno;
	} else {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			err = errno;
	}
	close(s);
	return err;
}

int sandbox_enter(const struct sandbox *sb)
{
	int fds[MAX_BINDS], shm_fd;
	size_t i;
	int err = 0;

	if (sb->level == SANDBOX_USERNS &&
	    ((err = write_text("/proc/self/setgroups", "deny")) != 0 ||
	     (err = write_text("/proc/self/uid_map", sb->uid_map)) != 0 ||
	     (err = write_text("/proc/self/gid_map", sb->gid_map)) != 0))
		return err;
	if (!sb->join_netns && (err = loopback_up()) != 0)
		return err;
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		return errno;
	/* Sources first: the tmpfs on NEWROOT hides what was below it. */
	for (i = 0; i < sb->nb; i++) {
		fds[i] = -1;
		if (sb->b[i].kind == BIND_LINK)
			continue;
		fds[i] = open(sb->b[i].src, O_PATH | O_CLOEXEC);
		if (fds[i] < 0)
			return errno;
	}
	shm_fd = -1;
	if (sb->shm_src &&
	    (shm_fd = open(sb->shm_src, O_PATH | O_CLOEXEC | O_DIRECTORY)) < 0)
		return errno;
	if (mount("tmpfs", NEWROOT, "tmpfs", MS_NOSUID | MS_NODEV, sb->root_opts) < 0)
		return errno;
	/* private /tmp, then /dev and /proc, then the binds, parents first */
	if ((err = make_dirs(sb->d_tmp)) != 0)
		return err;
	if (mount("tmpfs", sb->d_tmp, "tmpfs", MS_NOSUID | MS_NODEV, sb->tmpfs_opts) < 0)
		return errno;
	if ((err = make_dirs(sb->d_dev)) != 0)
		return err;
	if (mount("tmpfs", sb->d_dev, "tmpfs", MS_NOSUID | MS_NOEXEC, sb->dev_opts) < 0)
		return errno;
	for (i = 0; devices[i]; i++) {
		if ((err = make_file(sb->dev_dst[i])) != 0)
			return err;
		if (mount(sb->dev_src[i], sb->dev_dst[i], "none", MS_BIND, NULL) < 0 &&
		    errno != ENOENT)
			return errno;
	}
	if (symlink("/proc/self/fd", sb->d_fd_link) < 0 ||
	    symlink("/proc/self/fd/0", sb->d_stdin) < 0 ||
	    symlink("/proc/self/fd/1", sb->d_stdout) < 0 ||
	    symlink("/proc/self/fd/2", sb->d_stderr) < 0)
		return errno;
	if ((err = make_dirs(sb->d_shm)) != 0)
		return err;
	if (shm_fd >= 0) {
		/* the grader's per-run directory (opened before the tmpfs hid
		 * it): objects left there are seen after the run */
		if ((err = bind_fd(shm_fd, sb->d_shm, 0)) != 0)
			return err;
		close(shm_fd);
		if (mount("none", sb->d_shm, "none",
			  MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			return errno;
	} else if (mount("tmpfs", sb->d_shm, "tmpfs", MS_NOSUID | MS_NODEV,
			 sb->tmpfs_opts) < 0) {
		return errno;
	}
	if ((err = make_dirs(sb->d_mqueue)) != 0)
		return err;
	if (mount("mqueue", sb->d_mqueue, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0) {
		/* optional: mq_open() works without it */
	}
	if (mount("none", sb->d_dev, "none", MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC,
		  sb->dev_opts) < 0)
		return errno;
	if ((err = make_dirs(sb->d_proc)) != 0)
		return err;
	if (mount("proc", sb->d_proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return errno;
	for (i = 0; i < sb->nb; i++) {
		const struct bind *b = &sb->b[i];

		if (b->kind == BIND_LINK) {
			if (symlink(b->src, b->dst) < 0 && errno != EEXIST)
				return errno;
			continue;
		}
		err = b->is_dir ? make_dirs(b->dst) : make_file(b->dst);
		if (err)
			return err;
		if ((err = bind_fd(fds[i], b->dst, b->kind == BIND_RO)) != 0)
			return err;
		close(fds[i]);
	}
	if (mount("none", NEWROOT, "none", MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
		  sb->root_opts) < 0)
		return errno;
	/* pivot_root(".", "."): the old root lands on top of the new one,
	 * and is detached; no directory is needed for it. */
	if (chdir(NEWROOT) < 0)
		return errno;
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return errno;
	if (umount2(".", MNT_DETACH) < 0)
		return errno;
	if (chdir("/") < 0)
		return errno;
	return 0;
}

int sandbox_drop(const struct sandbox *sb)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	struct rlimit fsize = { SANDBOX_FILE_BYTES, SANDBOX_FILE_BYTES };
	int cap;

	/* the bounding set, while we still may (CAP_SETPCAP) */
	for (cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return errno;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (sb->level == SANDBOX_ROOT) {
		/* raw system calls: glibc's wrappers broadcast the change to
		 * every thread it knows of, and a child made by clone() from a
		 * grader with several threads still lists the parent's; it
		 * would wait forever for them to answer */
		if (syscall(SYS_setgroups, 0, NULL) < 0 ||
		    syscall(SYS_setresgid, sb->gid, sb->gid, sb->gid) < 0 ||
		    syscall(SYS_setresuid, sb->uid, sb->uid, sb->uid) < 0)
			return errno;
	}
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) < 0)
		return errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return errno;
	if (setrlimit(RLIMIT_FSIZE, &fsize) < 0)
		return errno;
	umask(022);
	return 0;
}

/* ---- words for the report ---- */

static pthread_once_t words_once = PTHREAD_ONCE_INIT;
/* [level][tracking is a cgroup][own network namespace] */
static char words[3][2][2][640];

static void words_fill(void)
{
	int cg, net;

	for (cg = 0; cg < 2; cg++) {
		for (net = 0; net < 2; net++) {
			const char *tr = cg ? "cgroup" : "process-group+subreaper";
			const char *ns = net ? "pid, mount, ipc and network (loopback only)"
					     : "pid, mount and ipc (the test's network namespace)";

			snprintf(words[SANDBOX_ROOT][cg][net], sizeof(words[0][0][0]),
				 "%s; sandbox: %s namespaces, a uid of its own, no capabilities, no_new_privs, "
				 "read-only system, private /tmp and /dev/shm, the grader's files hidden%s",
				 tr, ns,
				 cg ? "" : "; not available: cgroups (no memory limit; processes counted per uid)");
			snprintf(words[SANDBOX_USERNS][cg][net], sizeof(words[0][0][0]),
				 "%s; sandbox (unprivileged user namespace): %s namespaces, no capabilities, "
				 "no_new_privs, read-only system, private /tmp and /dev/shm, the grader's files hidden; "
				 "not available without root: a uid of its own (the program runs as you)%s",
				 tr, ns,
				 cg ? "" : ", cgroups (no memory limit; processes counted per namespace)");
			snprintf(words[SANDBOX_NONE][cg][net], sizeof(words[0][0][0]),
				 "%s; no sandbox (%s): the program runs as the grader's user and sees its files "
				 "and network%s",
				 tr,
				 getenv("GRADER_NO_SANDBOX") ? "GRADER_NO_SANDBOX is set"
							     : "no namespaces available here",
				 cg ? "" : "; no memory limit");
		}
	}
}

const char *sandbox_describe(const struct sandbox *sb, const char *tracking)
{
	int cg = tracking && !strcmp(tracking, "cgroup");
	int level = sb ? (int)sb->level : SANDBOX_NONE;
	int net = sb ? !sb->join_netns : 1;

	pthread_once(&words_once, words_fill);
	return words[level][cg][net];
}
