/*
 * unpack.h - unpacking a student's .zip or .tar.gz safely, with libarchive.
 *
 * A submission archive is hostile input. unpack_archive() reads it with
 * libarchive (which only parses; nothing is written by libarchive itself)
 * and creates the files itself under DESTDIR, refusing everything that
 * could reach outside it or exhaust the machine:
 *
 *  - absolute paths, `..` components, empty or over-long names: the
 *    archive is rejected (a zip-slip attempt is not a mistake);
 *  - symbolic links, hard links, devices, fifos, sockets: skipped and
 *    counted (a symlink is never created, so a later entry "through" it
 *    lands in a real directory under DESTDIR);
 *  - files are created with O_EXCL|O_NOFOLLOW inside directories this
 *    function made, so a duplicate entry cannot overwrite or follow
 *    anything;
 *  - caps on the number of entries, on each file's size and on the total
 *    size, counted on the bytes actually decompressed (never trusted from
 *    the headers), so a zip bomb stops at the cap;
 *  - modes are reduced to 0644 / 0755 (no setuid, no world-writable).
 *
 * The module is called `unpack` and not `archive` because libarchive owns
 * both the archive_* prefix and the <archive.h> header name.
 *
 * Ownership: nothing returned needs freeing; `e` carries the reason of a
 * refusal, meant for the student's report.
 */
#ifndef GRADER_UNPACK_H
#define GRADER_UNPACK_H

#include "error.h"

struct unpack_limits {
	long long max_total;  /* bytes decompressed in all; default 64 MiB */
	long long max_file;   /* bytes of one file; default 16 MiB */
	long max_entries;     /* entries of any kind; default 2000 */
	int max_depth;        /* directory levels; default 16 */
};

struct unpack_stats {
	long files, dirs;
	long skipped;         /* links and special files not created */
	long long bytes;
};

/* The defaults described above. */
void unpack_limits_default(struct unpack_limits *l);

/* 1 when name ends in .zip, .tar.gz or .tgz (case-insensitive): the
 * archives a student may submit. */
int unpack_is_archive(const char *name);

/* Unpacks archive `path` into destdir (created if missing; it must not hold
 * the archive's names already). Returns 0, or -1 with e saying why the
 * archive was refused or could not be read; destdir may then hold part of
 * it (the caller removes it). stats may be NULL. */
int unpack_archive(const char *path, const char *destdir,
		   const struct unpack_limits *lim, struct unpack_stats *stats,
		   struct error *e);

#endif
