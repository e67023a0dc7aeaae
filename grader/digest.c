/*
 * digest.c - SHA-256 of bytes, files and trees. See digest.h.
 */
#define _GNU_SOURCE
#include "digest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* Deeper than any submission; bounds the recursion. */
#define DIGEST_MAX_DEPTH 64

void digest_init(struct digest *d)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		die("cannot initialise SHA-256 (libcrypto)");
	d->ctx = c;
}

void digest_release(struct digest *d)
{
	EVP_MD_CTX_free(d->ctx);
	d->ctx = NULL;
}

void digest_add(struct digest *d, const void *data, size_t len)
{
	if (len && EVP_DigestUpdate(d->ctx, data, len) != 1)
		die("SHA-256 update failed (libcrypto)");
}

static void add_u64(struct digest *d, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	digest_add(d, b, sizeof(b));
}

void digest_add_str(struct digest *d, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	add_u64(d, n);
	digest_add(d, s, n);
}

static int add_file(struct digest *d, const char *path, const struct stat *st,
		    struct error *e)
{
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return error_set(e, "%s: %s", path, strerror(errno));
	add_u64(d, (uint64_t)st->st_size);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;

			close(fd);
			return error_set(e, "%s: %s", path, strerror(saved));
		}
		if (n == 0)
			break;
		digest_add(d, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

static int skipped(const char *name, const char *const *skip)
{
	for (; skip && *skip; skip++)
		if (!strcmp(name, *skip))
			return 1;
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int no_dots(const struct dirent *de)
{
	return strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
}

static int add_entry(struct digest *d, const char *path, const char *rel,
		     const char *const *skip, int depth, struct error *e)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return error_set(e, "%s: %s", path, strerror(errno));
	if (S_ISREG(st.st_mode)) {
		digest_add(d, st.st_mode & 0100 ? "X" : "F", 1);
		digest_add_str(d, rel);
		return add_file(d, path, &st, e);
	}
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof(target) - 1);

		if (n < 0)
			return error_set(e, "%s: %s", path, strerror(errno));
		target[n] = '\0';
		digest_add(d, "L", 1);
		digest_add_str(d, rel);
		digest_add_str(d, target);
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		struct dirent **list = NULL;
		int n, i, rc = 0;

		if (depth > DIGEST_MAX_DEPTH)
			return error_set(e, "%s: nested deeper than %d directories", path,
					 DIGEST_MAX_DEPTH);
		digest_add(d, "D", 1);
		digest_add_str(d, rel);
		n = scandir(path, &list, no_dots, by_name);
		if (n < 0)
			return error_set(e, "%s: %s", path, strerror(errno));
		for (i = 0; i < n; i++) {
			if (!rc && !skipped(list[i]->d_name, skip)) {
				char *p = path_join(path, list[i]->d_name);
				char *r = *rel ? path_join(rel, list[i]->d_name)
					       : xstrdup(list[i]->d_name);

				rc = add_entry(d, p, r, skip, depth + 1, e);
				free(p);
				free(r);
			}
			free(list[i]);
		}
		free(list);
		digest_add(d, "E", 1); /* end of directory */
		return rc;
	}
	/* fifos, sockets, devices: their name only, never opened */
	digest_add(d, "S", 1);
	digest_add_str(d, rel);
	return 0;
}

int digest_add_path(struct digest *d, const char *path,
		    const char *const *skip, struct error *e)
{
	return add_entry(d, path, "", skip, 0, e);
}

void digest_hex(struct digest *d, char out[DIGEST_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (EVP_DigestFinal_ex(d->ctx, md, &n) != 1 || n * 2 != DIGEST_HEX_LEN)
		die("SHA-256 final failed (libcrypto)");
	for (i = 0; i < n; i++) {
		out[2 * i] = "0123456789abcdef"[md[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
	}
	out[DIGEST_HEX_LEN] = '\0';
}
