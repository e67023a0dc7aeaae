/*
 * buf.h - the one growable byte buffer, with a mandatory size cap.
 *
 * Everything read from a child (stdout, stderr, tool logs) goes through a
 * struct buf. Appending beyond `limit` keeps the first `limit` bytes, drops
 * the rest and sets `truncated`: a flood of output can never exhaust the
 * grader's memory. data is always NUL-terminated (data[len] == '\0'), so it
 * can be handed to string functions, but it may contain NUL bytes itself.
 *
 * Ownership: the buffer owns data; buf_release() frees it, buf_detach()
 * hands it to the caller.
 */
#ifndef GRADER_BUF_H
#define GRADER_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;     /* NUL-terminated; NULL only after buf_detach */
	size_t len;
	size_t cap;
	size_t limit;   /* maximum len; 0 means BUF_DEFAULT_LIMIT */
	int truncated;  /* set once something was dropped */
};

#define BUF_DEFAULT_LIMIT ((size_t)64 << 20)

void buf_init(struct buf *b, size_t limit);
void buf_release(struct buf *b);
/* Returns data (caller frees; never NULL) and leaves b empty, holding no
 * memory: it may be appended to again, or simply forgotten. */
char *buf_detach(struct buf *b, size_t *len);
void buf_reset(struct buf *b);

/* Append; return the number of bytes kept (less than n when capped). */
size_t buf_add(struct buf *b, const void *data, size_t n);
size_t buf_adds(struct buf *b, const char *s);
size_t buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
size_t buf_vaddf(struct buf *b, const char *fmt, va_list ap);
size_t buf_addch(struct buf *b, char c);

/* Reads fd until EOF into b (respecting the cap; the excess is read and
 * discarded). Returns 0, or -1 on a read error (errno set). */
int buf_read_fd(struct buf *b, int fd);

/* Reads a whole file; returns 0 or -1 (errno set). */
int buf_read_file(struct buf *b, const char *path);

#endif
