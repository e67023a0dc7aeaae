/*
 * util.h - small helpers every module uses: allocation that never returns
 * NULL, paths, files written atomically, trees copied and removed safely.
 *
 * die() is for a fault of the grader itself (out of memory, a broken
 * invariant): it prints and exits 2. Anything a user or a student can cause
 * is a struct error or a verdict instead (see ../shared/STYLE.md, rule 3).
 */
#ifndef GRADER_UTIL_H
#define GRADER_UTIL_H

#include <stddef.h>
#include <sys/types.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "grader: fatal: ..." and exits 2. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Seconds on the monotonic clock. */
double now_seconds(void);

/* "a/b" from a and b ("b" alone when b is absolute). Caller frees. */
char *path_join(const char *a, const char *b);
/* The last component of path ("." for ""), without trailing slashes. Caller frees. */
char *path_basename(const char *path);
/* Absolute, symlink-resolved path or NULL (errno set). Caller frees. */
char *path_real(const char *path);

int is_dir(const char *path);
int is_file(const char *path);

/* mkdir -p with mode 0755. Returns 0 or -1 (errno set). */
int mkdir_p(const char *path);

/* rm -rf that never follows a symlink out of the tree (uses openat and
 * AT_SYMLINK_NOFOLLOW semantics). Returns 0 or -1. */
int rm_rf(const char *path);

/* Writes data to path through a temporary file in the same directory and
 * rename(2), so a reader never sees a half-written file. Returns 0 or -1. */
int write_file_atomic(const char *path, const void *data, size_t len);

/* Copies one regular file (mode kept). Returns 0 or -1. */
int copy_file(const char *from, const char *to);

/* Creates a fresh private directory under $TMPDIR (or /tmp) named
 * grader-PREFIX-XXXXXX. Caller frees the path and removes the tree. */
char *make_temp_dir(const char *prefix);
/* Removes every directory make_temp_dir() made in this process (not in a
 * parent before a fork) that is still there (an interrupted grader's last
 * act: signals.h). */
void temp_dirs_remove_all(void);

/* Parses "12", "1.5k", "64K", "8M", "2G" (binary units) into bytes. */
int parse_size(const char *s, long long *out);
/* Parses "10", "2.5", "500ms", "3s", "1m" into seconds. */
int parse_duration(const char *s, double *out);

/* Length (2..4) of the valid, printable UTF-8 sequence at s (n bytes
 * available), or 0: overlong forms, surrogates and C1 controls are not
 * printable. Used wherever student output is quoted for a person. */
size_t utf8_printable_len(const unsigned char *s, size_t n);

/* Frees a NULL-terminated array of strings and the array (NULL is fine). */
void strv_free(char **v);

/* Number of online CPUs (at least 1). */
int cpu_count(void);

#endif
