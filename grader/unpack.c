/*
 * unpack.c - safe extraction of submission archives. See unpack.h.
 *
 * libarchive only parses here; every directory and file is created by this
 * file with *at() calls relative to descriptors of directories it made
 * itself, so no path in the archive is ever resolved by the kernel from the
 * root or through a link.
 */
#define _GNU_SOURCE
#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define UNPACK_MAX_NAME 1024
#define UNPACK_MAX_COMPONENT 255

void unpack_limits_default(struct unpack_limits *l)
{
	l->max_total = 64LL << 20;
	l->max_file = 16LL << 20;
	l->max_entries = 2000;
	l->max_depth = 16;
}

static int ends_with_ci(const char *s, const char *suf)
{
	size_t ls = strlen(s), lf = strlen(suf);

	return ls > lf && !strcasecmp(s + ls - lf, suf);
}

int unpack_is_archive(const char *name)
{
	return ends_with_ci(name, ".zip") || ends_with_ci(name, ".tar.gz") ||
	       ends_with_ci(name, ".tgz");
}

/* Splits a member name into its components, refusing what could escape.
 * Returns the number of components (0 for a name that is only "." or "./"),
 * or -1 with e. comps point into `copy`, which the caller frees. */
static int split_name(const char *name, char **copy, char ***comps, int max_depth,
		      struct error *e)
{
	char *p, *tok;
	int n = 0;

	*copy = NULL;
	*comps = NULL;
	if (!name || !*name)
		return error_set(e, "an entry has an empty name");
	if (strlen(name) > UNPACK_MAX_NAME)
		return error_set(e, "an entry's name is longer than %d bytes", UNPACK_MAX_NAME);
	if (name[0] == '/')
		return error_set(e, "entry '%s' has an absolute path: refused", name);
	*copy = xstrdup(name);
	*comps = xcalloc((size_t)max_depth + 2, sizeof(char *));
	for (p = *copy; p; ) {
		tok = p;
		p = strchr(p, '/');
		if (p)
			*p++ = '\0';
		if (!*tok || !strcmp(tok, "."))
			continue;
		if (!strcmp(tok, ".."))
			return error_set(e, "entry '%s' climbs out with '..': refused", name);
		if (strlen(tok) > UNPACK_MAX_COMPONENT)
			return error_set(e, "entry '%s' has a component longer than %d bytes",
					 name, UNPACK_MAX_COMPONENT);
		if (n > max_depth)
			return error_set(e, "entry '%s' is nested deeper than %d directories",
					 name, max_depth);
		(*comps)[n++] = tok;
	}
	return n;
}

/* Opens (creating when needed) the directory comps[0..n) under root.
 * Returns a descriptor, or -1 with e. */
static int open_dirs(int root, char **comps, int n, struct error *e, const char *name)
{
	int fd = dup(root), i;

	if (fd < 0)
		return error_set(e, "dup: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		int next;

		if (mkdirat(fd, comps[i], 0755) < 0 && errno != EEXIST) {
			error_set(e, "creating the directory of '%s': %s", name, strerror(errno));
			close(fd);
			return -1;
		}
		next = openat(fd, comps[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			error_set(e, "entry '%s': '%s' is not a directory of the archive: %s",
				  name, comps[i], strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);
		fd = next;
	}
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Copies the current entry's data into a new file; counts every byte
 * decompressed against the caps. */
static int extract_file(struct archive *a, int dirfd, const char *base,
			const char *name, mode_t mode, const struct unpack_limits *lim,
			struct unpack_stats *st, struct error *e)
{
	char chunk[65536];
	long long this_file = 0;
	int fd, rc = 0;

	fd = openat(dirfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    mode & 0111 ? 0755 : 0644);
	if (fd < 0)
		return error_set(e, "entry '%s': %s", name,
				 errno == EEXIST ? "appears twice in the archive"
						 : strerror(errno));
	for (;;) {
		la_ssize_t n = archive_read_data(a, chunk, sizeof(chunk));

		if (n == 0)
			break;
		if (n < 0) {
			rc = error_set(e, "entry '%s' cannot be read: %s", name,
				       archive_error_string(a) ? archive_error_string(a)
							       : "unknown error");
			break;
		}
		this_file += n;
		st->bytes += n;
		if (this_file > lim->max_file) {
			rc = error_set(e, "entry '%s' is larger than %lld MiB uncompressed: refused",
				       name, lim->max_file >> 20);
			break;
		}
		if (st->bytes > lim->max_total) {
			rc = error_set(e, "the archive holds more than %lld MiB uncompressed: refused",
				       lim->max_total >> 20);
			break;
		}
		if (write_all(fd, chunk, (size_t)n) < 0) {
			rc = error_set(e, "writing '%s': %s", name, strerror(errno));
			break;
		}
	}
	if (close(fd) < 0 && !rc)
		rc = error_set(e, "writing '%s': %s", name, strerror(errno));
	return rc;
}

static int extract_entry(struct archive *a, struct archive_entry *ent, int root,
			 const struct unpack_limits *lim, struct unpack_stats *st,
			 struct error *e)
{
	const char *name = archive_entry_pathname(ent);
	mode_t type = archive_entry_filetype(ent);
	char *copy = NULL, **comps = NULL;
	int n, fd, rc = 0, is_dir;

	if (!name)
		name = archive_entry_pathname_utf8(ent);
	n = split_name(name, &copy, &comps, lim->max_depth, e);
	if (n < 0)
		goto out;
	if (archive_entry_hardlink(ent) || type == AE_IFLNK ||
	    (type != AE_IFREG && type != AE_IFDIR)) {
		/* Never created: a link could point anywhere, a device or a
		 * fifo is never part of a solution. */
		st->skipped++;
		goto out;
	}
	if (n == 0)
		goto out; /* "./" itself */
	is_dir = type == AE_IFDIR;
	fd = open_dirs(root, comps, is_dir ? n : n - 1, e, name);
	if (fd < 0) {
		rc = -1;
		goto out;
	}
	if (is_dir)
		st->dirs++;
	else {
		rc = extract_file(a, fd, comps[n - 1], name, archive_entry_perm(ent),
				  lim, st, e);
		st->files++;
	}
	close(fd);
out:
	free(copy);
	free(comps);
	return n < 0 ? -1 : rc;
}

int unpack_archive(const char *path, const char *destdir,
		   const struct unpack_limits *lim, struct unpack_stats *stats,
		   struct error *e)
{
	struct unpack_limits dl;
	struct unpack_stats local;
	struct archive *a;
	struct archive_entry *ent;
	long entries = 0;
	int root, rc = 0, r;

	if (!lim) {
		unpack_limits_default(&dl);
		lim = &dl;
	}
	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	if (mkdir_p(destdir) < 0)
		return error_set(e, "%s: %s", destdir, strerror(errno));
	root = open(destdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return error_set(e, "%s: %s", destdir, strerror(errno));
	a = archive_read_new();
	if (!a)
		die("out of memory (libarchive)");
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_filter_gzip(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		rc = error_set(e, "%s is not a readable .zip or .tar.gz archive: %s", path,
			       archive_error_string(a) ? archive_error_string(a) : "unknown format");
		goto out;
	}
	while ((r = archive_read_next_header(a, &ent)) != ARCHIVE_EOF) {
		if (r < ARCHIVE_WARN) {
			rc = error_set(e, "%s: damaged archive: %s", path,
				       archive_error_string(a) ? archive_error_string(a)
							       : "cannot read the next entry");
			break;
		}
		if (++entries > lim->max_entries) {
			rc = error_set(e, "the archive has more than %ld entries: refused",
				       lim->max_entries);
			break;
		}
		if (extract_entry(a, ent, root, lim, stats, e) < 0) {
			rc = -1;
			break;
		}
	}
out:
	archive_read_free(a);
	close(root);
	return rc;
}
