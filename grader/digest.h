/*
 * digest.h - SHA-256 of bytes, files and whole directory trees (libcrypto),
 * for the batch cache key.
 *
 * A tree is hashed as a canonical stream: its entries in byte order of their
 * relative paths, each as a type letter, the path, and for a regular file
 * its size and contents, for a symbolic link its target (never followed).
 * Names are length-prefixed, so no two different trees give the same
 * stream. The executable bits are included; times and owners are not (a
 * copy of the same files has the same digest).
 *
 * Entries named in `skip` (exact names, at any depth: ".git", "__MACOSX")
 * are left out, so a GitHub Classroom clone hashes the same whatever its
 * git metadata.
 *
 * Ownership: struct digest holds a libcrypto context; digest_release()
 * frees it (digest_hex() does not).
 */
#ifndef GRADER_DIGEST_H
#define GRADER_DIGEST_H

#include <stddef.h>

#include "error.h"

#define DIGEST_HEX_LEN 64

struct digest {
	void *ctx; /* EVP_MD_CTX */
};

void digest_init(struct digest *d);
void digest_release(struct digest *d);

void digest_add(struct digest *d, const void *data, size_t len);
/* A string with its length first, so that ("ab","c") != ("a","bc"). */
void digest_add_str(struct digest *d, const char *s);
/* A regular file, a symbolic link or a directory tree, as described above.
 * Returns 0 or -1 with e (unreadable entry). */
int digest_add_path(struct digest *d, const char *path,
		    const char *const *skip, struct error *e);

/* Finishes: 64 lower-case hex digits and a NUL into out. The digest may not
 * be added to afterwards (release it). */
void digest_hex(struct digest *d, char out[DIGEST_HEX_LEN + 1]);

#endif
