/*
 * unit_main.c - the main() of a `type: unit` test binary.
 *
 * This file is NOT part of libgrader.a: the grader compiles it once per
 * build variant, with -DUNIT_SUITE_FN=<the suite function named in the
 * spec>, and links it with the instructor's Check suite and the student's
 * object files (grader/unitrun.c). It must stay free of anything the grader
 * defines: it runs in the student's process.
 *
 * One process runs exactly one Check test case (argv[1]), and the grader
 * starts one process per graded test. Why this file exists instead of
 * Check's own runner in fork mode: in fork mode Check's parent scores a
 * test that calls exit(0) as passed, and a student waitpid() that forces
 * status 0 passes everything (see /work/shared/FACTS.md). Here:
 *
 *  - the test runs in CK_NOFORK mode, set through srunner_set_fork_status()
 *    (so CK_FORK in the environment is ignored), and every other CK_*
 *    variable that selects, skips or logs tests is removed first;
 *  - a test passes only when this runner, after srunner_run() returned,
 *    writes a completion record to a private channel: a FIFO whose path
 *    and a per-run random nonce arrive on standard input (read, then
 *    replaced by /dev/null, before any test code runs -- constructors are
 *    refused by the grader's symbol check). Nothing the test prints on
 *    stdout/stderr can become a record, and a test that ends the process
 *    (exit(0), _exit(0), a signal) never writes one;
 *  - the record states how many tests ran, so a case the suite does not
 *    have, or one holding more tests than the spec declares, is seen.
 *
 * Record (one write, lines of text; fields never contain a tab or newline):
 *   <nonce> begin <ntests>
 *   <nonce> result <P|F|E> <line>\t<file>\t<test case>\t<message>   (x ntests)
 *   <nonce> end
 *
 * Exit status: 0 once the record is written (the verdict is in the record;
 * a sanitizer or valgrind changes the status when it found something), 3
 * when the channel cannot be set up (no record: the grader fails the test).
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef UNIT_SUITE_FN
#error "compile with -DUNIT_SUITE_FN=<the Suite *(void) function of the suite>"
#endif

Suite *UNIT_SUITE_FN(void);

#define CHANNEL_MAGIC "GRADER-UNIT-1"
#define CHANNEL_MAX 4096
#define RECORD_MAX 16384
#define MESSAGE_MAX 1500

/* What the grader told us. The channel line is wiped once parsed, so the
 * nonce is not left next to a recognisable marker in memory. */
static char channel[CHANNEL_MAX];
static char nonce[80];
static int record_fd = -1;

/* Reads the one channel line from fd 0 (until newline or EOF), then puts
 * /dev/null in its place so a test that reads stdin gets end of file. */
static int read_channel(void)
{
	size_t n = 0;
	char *sp, *nl, *path;
	int fd;

	while (n < sizeof(channel) - 1) {
		ssize_t r = read(0, channel + n, sizeof(channel) - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (memchr(channel, '\n', n))
			break;
	}
	channel[n] = '\0';
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != 0) {
		dup2(fd, 0);
		close(fd);
	}
	nl = strchr(channel, '\n');
	if (!nl || strncmp(channel, CHANNEL_MAGIC " ", strlen(CHANNEL_MAGIC) + 1))
		goto fail;
	*nl = '\0';
	path = channel + strlen(CHANNEL_MAGIC) + 1;
	sp = strchr(path, ' ');
	if (!sp || sp == path || (size_t)(sp - path) >= sizeof(nonce))
		goto fail;
	memcpy(nonce, path, (size_t)(sp - path));
	path = sp + 1;
	record_fd = open(path, O_WRONLY | O_CLOEXEC);
fail:
	memset(channel, 0, sizeof(channel));
	return record_fd < 0 || !nonce[0] ? -1 : 0;
}

/* Appends s to the record, with tabs and newlines (and other control
 * characters) turned into spaces so that a field stays one field. */
static void put_field(char *rec, size_t *len, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s && s[i] && i < max && *len < RECORD_MAX - 64; i++) {
		unsigned char ch = (unsigned char)s[i];

		rec[(*len)++] = ch < 32 || ch == 127 ? ' ' : (char)ch;
	}
}

static void put_text(char *rec, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n < RECORD_MAX) {
		memcpy(rec + *len, s, n);
		*len += n;
	}
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void write_record(SRunner *sr)
{
	static char rec[RECORD_MAX];
	char num[64];
	size_t len = 0;
	int n = srunner_ntests_run(sr), i;
	TestResult **results = n > 0 ? srunner_results(sr) : NULL;

	snprintf(num, sizeof(num), " begin %d\n", n);
	put_text(rec, &len, nonce);
	put_text(rec, &len, num);
	for (i = 0; i < n && results; i++) {
		TestResult *tr = results[i];
		int rt = tr_rtype(tr);

		put_text(rec, &len, nonce);
		snprintf(num, sizeof(num), " result %c %d\t",
			 rt == CK_PASS ? 'P' : rt == CK_FAILURE ? 'F' : 'E',
			 tr_lno(tr));
		put_text(rec, &len, num);
		put_field(rec, &len, tr_lfile(tr), 256);
		put_text(rec, &len, "\t");
		put_field(rec, &len, tr_tcname(tr), 256);
		put_text(rec, &len, "\t");
		put_field(rec, &len, tr_msg(tr), MESSAGE_MAX);
		put_text(rec, &len, "\n");
	}
	free(results);
	put_text(rec, &len, nonce);
	put_text(rec, &len, " end\n");
	(void)write_all(record_fd, rec, len);
	close(record_fd);
	record_fd = -1;
}

int main(int argc, char **argv)
{
	static const char *const ck_vars[] = {
		"CK_FORK", "CK_RUN_SUITE", "CK_RUN_CASE", "CK_INCLUDE_TAGS",
		"CK_EXCLUDE_TAGS", "CK_VERBOSITY", "CK_LOG_FILE_NAME",
		"CK_XML_LOG_FILE_NAME", "CK_TAP_LOG_FILE_NAME",
		"CK_SUBUNIT_LOG_FILE_NAME", "CK_TIMEOUT_MULTIPLIER",
		"CK_DEFAULT_TIMEOUT", NULL
	};
	SRunner *sr;
	size_t i;

	if (read_channel() < 0) {
		fprintf(stderr, "unit runner: no channel from the grader: run "
				"this test through the grader\n");
		return 3;
	}
	if (argc != 2 || !argv[1][0]) {
		fprintf(stderr, "usage: %s TEST_CASE\n", argv[0]);
		return 3;
	}
	for (i = 0; ck_vars[i]; i++)
		unsetenv(ck_vars[i]);
	sr = srunner_create(UNIT_SUITE_FN());
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run(sr, NULL, argv[1], CK_SILENT);
	write_record(sr);
	srunner_free(sr);
	fflush(NULL);
	return 0;
}
