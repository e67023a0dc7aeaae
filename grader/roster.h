/*
 * roster.h - who is to be graded: the students of a submissions directory,
 * with ids that are safe as file names, and which shard each belongs to.
 *
 * Layouts recognised (roster_load() decides, and says which in `layout`):
 *
 *  - plain: every subdirectory of ROOT is a student (its name is the id),
 *    and so is every ROOT/<id>.zip, <id>.tar.gz or <id>.tgz. Hidden entries
 *    and other files are ignored (listed in `notes`).
 *  - Gradescope ("Export Submissions"): ROOT holds submission_metadata.yml
 *    and one submission_<n>/ folder per submission. The id is the first
 *    submitter's :sid:, else their :email:, else :name:, else the folder's
 *    name. A group submission gives one student per submitter (each graded
 *    on the same folder) so that everyone gets a row in the gradebook.
 *    ROOT may also be the export's one top-level folder
 *    (assignment_<n>_export/) inside the directory given.
 *  - GitHub Classroom (`gh classroom clone student-repos`, or the Classroom
 *    Assistant): ROOT is <assignment>-submissions/ holding
 *    <assignment>-<login>/ repositories, or the subdirectories are git
 *    repositories that all share a prefix ending in '-'. The id is the
 *    GitHub login (the name without the common prefix).
 *
 * Ids: bytes other than [A-Za-z0-9._@+-] become '_', a leading '.' too;
 * ids that then collide get "-2", "-3", ... in name order, so the mapping
 * is the same on every machine and in every shard.
 *
 * Shards: a student belongs to shard fnv1a64(id) mod N -- stable across
 * machines, runs and the order of the directory listing.
 *
 * Ownership: struct roster owns every string; roster_release() frees them.
 */
#ifndef GRADER_ROSTER_H
#define GRADER_ROSTER_H

#include <stddef.h>

#include "error.h"

enum roster_layout { ROSTER_PLAIN = 0, ROSTER_GRADESCOPE, ROSTER_CLASSROOM };
const char *roster_layout_name(enum roster_layout l); /* "plain", "gradescope", "github-classroom" */

struct roster_student {
	char *id;      /* unique, safe as a file name */
	char *input;   /* absolute path: a directory or an archive file */
	char *name;    /* a person's name when the layout gives one, else NULL */
};

struct roster {
	char *root;    /* absolute path of the directory the students are in */
	enum roster_layout layout;
	struct roster_student *students; /* sorted by id */
	size_t n;
	char **notes;  /* what was skipped and why, NULL-terminated */
	size_t nnotes;
};

/* Reads ROOT. Returns 0 (possibly with no student), or -1 with e when ROOT
 * cannot be read. */
int roster_load(const char *root, struct roster *r, struct error *e);
void roster_release(struct roster *r);

/* Keeps only the students of shard `index` of `count` (0 <= index < count). */
void roster_keep_shard(struct roster *r, int index, int count);

/* The shard of an id among count shards. */
int roster_shard_of(const char *id, int count);

/* The safe form of a name, as described above (without the collision
 * suffix). Caller frees. */
char *roster_safe_id(const char *name);

#endif
