/*
 * cmd_unpack.c - `grader unpack ARCHIVE DESTDIR`: unpack a submission's
 * .zip or .tar.gz safely (unpack.h). `grader batch` runs it as a child
 * process, so a hostile archive that crashes or stalls the decompressor
 * costs one student, never the batch.
 *
 * Exit status: 0 unpacked; 1 the archive was refused or unreadable (the
 * reason on stderr, one line); 2 bad usage.
 */
#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "unpack.h"

static void usage(FILE *f)
{
	fputs("usage: grader unpack ARCHIVE DESTDIR\n"
	      "\n"
	      "Unpacks a .zip or .tar.gz into DESTDIR, refusing absolute paths and '..',\n"
	      "never creating links or special files, and stopping at 2000 entries,\n"
	      "16 MiB per file and 64 MiB in all.\n"
	      "\n"
	      "Exit status: 0 unpacked, 1 refused or unreadable, 2 bad usage.\n",
	      f);
}

int cmd_unpack(int argc, char **argv)
{
	struct unpack_stats st;
	struct error e;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 3) {
		usage(stderr);
		return 2;
	}
	error_init(&e);
	if (unpack_archive(argv[1], argv[2], NULL, &st, &e) < 0) {
		error_print(&e, stderr);
		return 1;
	}
	printf("%ld files, %ld directories, %lld bytes", st.files, st.dirs, st.bytes);
	if (st.skipped)
		printf("; %ld links or special files skipped", st.skipped);
	putchar('\n');
	return 0;
}
