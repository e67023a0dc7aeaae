/*
 * buf.c - capped growable buffer. See buf.h.
 */
#include "buf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void buf_init(struct buf *b, size_t limit)
{
	b->limit = limit ? limit : BUF_DEFAULT_LIMIT;
	b->cap = 64;
	b->len = 0;
	b->truncated = 0;
	b->data = xmalloc(b->cap);
	b->data[0] = '\0';
}

void buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *d = b->data;

	if (len)
		*len = b->len;
	/* Left empty without allocating: a caller that detaches and walks
	 * away leaks nothing, and one that appends again gets a new block. */
	b->data = NULL;
	b->len = b->cap = 0;
	b->truncated = 0;
	return d ? d : xstrdup("");
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->truncated = 0;
	if (b->data)
		b->data[0] = '\0';
}

static void buf_grow(struct buf *b, size_t want)
{
	size_t ncap = b->cap ? b->cap : 64;

	if (b->data && want + 1 <= b->cap)
		return;
	while (ncap < want + 1)
		ncap = ncap * 2;
	b->data = xrealloc(b->data, ncap);
	b->cap = ncap;
}

size_t buf_add(struct buf *b, const void *data, size_t n)
{
	size_t room = b->limit - b->len;

	if (!b->data) {
		buf_grow(b, 0);
		b->data[0] = '\0';
	}
	if (n > room) {
		b->truncated = 1;
		n = room;
	}
	if (n == 0)
		return 0;
	buf_grow(b, b->len + n);
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

size_t buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

size_t buf_addch(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

size_t buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	char small[512];
	va_list cp;
	int n;
	size_t kept;
	char *big;

	va_copy(cp, ap);
	n = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	if (n < 0)
		return 0;
	if ((size_t)n < sizeof(small))
		return buf_add(b, small, (size_t)n);
	big = xmalloc((size_t)n + 1);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	kept = buf_add(b, big, (size_t)n);
	free(big);
	return kept;
}

size_t buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return n;
}

int buf_read_fd(struct buf *b, int fd)
{
	char chunk[65536];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		buf_add(b, chunk, (size_t)n);
	}
}

int buf_read_file(struct buf *b, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc, saved;

	if (fd < 0)
		return -1;
	rc = buf_read_fd(b, fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}
