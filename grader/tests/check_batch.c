/*
 * check_batch.c - unit tests of batch grading's parts: unpacking hostile
 * archives (zip slip, absolute paths, links, bombs, too many entries), the
 * tree digest behind the cache key, CSV quoting, the shard partition and
 * the recognition of submission layouts.
 *
 * Archives are written here with libarchive's writer, so each test builds
 * exactly the hostile entry it is about.
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "digest.h"
#include "gradebook.h"
#include "roster.h"
#include "summary_html.h"
#include "unpack.h"
#include "util.h"

/* ---- writing test archives ---- */

enum { ENT_FILE, ENT_DIR, ENT_SYMLINK, ENT_HARDLINK, ENT_FIFO };

struct ent {
	int type;
	const char *name;
	const char *data;  /* file contents, or the link target */
	long long zeros;   /* ENT_FILE: this many zero bytes instead of data */
};

/* Writes ents into path as a zip (zip=1) or a .tar.gz. */
static void write_archive(const char *path, int zip, const struct ent *ents, size_t n)
{
	struct archive *a = archive_write_new();
	size_t i;

	ck_assert_ptr_nonnull(a);
	if (zip) {
		ck_assert_int_eq(archive_write_set_format_zip(a), ARCHIVE_OK);
	} else {
		ck_assert_int_eq(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
		ck_assert_int_eq(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	}
	ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		long long size = ents[i].type == ENT_FILE
			? (ents[i].zeros ? ents[i].zeros : (long long)strlen(ents[i].data)) : 0;

		archive_entry_set_pathname(e, ents[i].name);
		archive_entry_set_perm(e, 0644);
		switch (ents[i].type) {
		case ENT_FILE:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, size);
			break;
		case ENT_DIR:
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
			break;
		case ENT_SYMLINK:
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, ents[i].data);
			break;
		case ENT_HARDLINK:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, ents[i].data);
			break;
		case ENT_FIFO:
			archive_entry_set_filetype(e, AE_IFIFO);
			break;
		}
		ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
		if (ents[i].type == ENT_FILE) {
			if (ents[i].zeros) {
				static char zero[65536];
				long long left = ents[i].zeros;

				while (left > 0) {
					size_t c = left > (long long)sizeof(zero) ? sizeof(zero)
										 : (size_t)left;

					ck_assert_int_eq(archive_write_data(a, zero, c), (la_ssize_t)c);
					left -= (long long)c;
				}
			} else if (size) {
				ck_assert_int_eq(archive_write_data(a, ents[i].data, (size_t)size),
						 size);
			}
		}
		archive_entry_free(e);
	}
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

struct sandbox {
	char *root;    /* temp dir */
	char *archive; /* root/a.zip or a.tar.gz */
	char *dest;    /* root/dest/inner: where we unpack */
	char *outside; /* root/dest: must hold nothing but inner */
};

static void sandbox_init(struct sandbox *s, int zip)
{
	s->root = make_temp_dir("unpack");
	ck_assert_ptr_nonnull(s->root);
	s->archive = path_join(s->root, zip ? "a.zip" : "a.tar.gz");
	s->outside = path_join(s->root, "dest");
	s->dest = path_join(s->outside, "inner");
}

static void sandbox_free(struct sandbox *s)
{
	rm_rf(s->root);
	free(s->root);
	free(s->archive);
	free(s->dest);
	free(s->outside);
}

/* Number of entries in dir (without . and ..). */
static int count_entries(const char *dir)
{
	struct buf out;
	char *cmd = xasprintf("ls -A '%s' | wc -l", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;

	buf_init(&out, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(fscanf(p, "%d", &n), 1);
	pclose(p);
	free(cmd);
	buf_release(&out);
	return n;
}

static char *read_text(const char *path)
{
	struct buf b;

	buf_init(&b, 0);
	ck_assert_msg(buf_read_file(&b, path) == 0, "cannot read %s", path);
	return buf_detach(&b, NULL);
}

static void unpack_both_formats(void (*body)(int zip))
{
	body(1);
	body(0);
}

static void good_body(int zip)
{
	static const struct ent ents[] = {
		{ ENT_DIR, "proj/", NULL, 0 },
		{ ENT_FILE, "proj/upper.c", "int main(void) { return 0; }\n", 0 },
		{ ENT_FILE, "./proj/sub/notes.txt", "hello\n", 0 },
		{ ENT_FILE, "top.h", "#define X 1\n", 0 },
	};
	struct sandbox s;
	struct unpack_stats st;
	struct error e;
	char *p, *t;

	sandbox_init(&s, zip);
	write_archive(s.archive, zip, ents, 4);
	error_init(&e);
	ck_assert_msg(unpack_archive(s.archive, s.dest, NULL, &st, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(st.files, 3);
	ck_assert_int_eq(st.skipped, 0);
	p = path_join(s.dest, "proj/upper.c");
	t = read_text(p);
	ck_assert_str_eq(t, "int main(void) { return 0; }\n");
	free(t);
	free(p);
	p = path_join(s.dest, "proj/sub/notes.txt");
	ck_assert(is_file(p));
	free(p);
	sandbox_free(&s);
}

START_TEST(unpack_extracts_a_normal_archive)
{
	unpack_both_formats(good_body);
}
END_TEST

/* An archive holding `bad` must be refused with a message containing
 * `why`, and nothing may appear beside DEST. */
static void refused(int zip, const struct ent *ents, size_t n, const char *why)
{
	struct sandbox s;
	struct error e;

	sandbox_init(&s, zip);
	write_archive(s.archive, zip, ents, n);
	error_init(&e);
	ck_assert_int_eq(unpack_archive(s.archive, s.dest, NULL, NULL, &e), -1);
	ck_assert_msg(strstr(e.msg, why), "expected '%s' in: %s", why, e.msg);
	ck_assert_int_eq(count_entries(s.outside), 1); /* only inner/ */
	sandbox_free(&s);
}

static void slip_body(int zip)
{
	static const struct ent slip[] = {
		{ ENT_FILE, "ok.c", "x\n", 0 },
		{ ENT_FILE, "../evil.c", "pwned\n", 0 },
	};
	static const struct ent deep_slip[] = {
		{ ENT_FILE, "a/b/../../../evil.c", "pwned\n", 0 },
	};

	refused(zip, slip, 2, "'..'");
	refused(zip, deep_slip, 1, "'..'");
}

START_TEST(unpack_refuses_zip_slip)
{
	unpack_both_formats(slip_body);
}
END_TEST

static void absolute_body(int zip)
{
	struct sandbox s;
	struct error e;
	char *target;
	struct ent ents[1];

	sandbox_init(&s, zip);
	target = path_join(s.outside, "abs-evil.c");
	ents[0] = (struct ent){ ENT_FILE, target, "pwned\n", 0 };
	write_archive(s.archive, zip, ents, 1);
	error_init(&e);
	ck_assert_int_eq(unpack_archive(s.archive, s.dest, NULL, NULL, &e), -1);
	ck_assert_msg(strstr(e.msg, "absolute"), "%s", e.msg);
	ck_assert(!is_file(target));
	free(target);
	sandbox_free(&s);
}

START_TEST(unpack_refuses_absolute_paths)
{
	unpack_both_formats(absolute_body);
}
END_TEST

static void symlink_body(void)
{
	struct sandbox s;
	struct unpack_stats st;
	struct error e;
	struct ent ents[4];
	struct stat sb;
	char *p, *outside_file;

	sandbox_init(&s, 0);
	/* a link to a directory outside, then a file "through" it; a link to
	 * a file outside; a hard link to a file outside */
	ents[0] = (struct ent){ ENT_SYMLINK, "link", s.outside, 0 };
	ents[1] = (struct ent){ ENT_FILE, "link/evil.c", "pwned\n", 0 };
	ents[2] = (struct ent){ ENT_SYMLINK, "passwd", "/etc/passwd", 0 };
	ents[3] = (struct ent){ ENT_HARDLINK, "hard", "/etc/passwd", 0 };
	write_archive(s.archive, 0, ents, 4); /* zip has no hard links: tar */
	error_init(&e);
	ck_assert_msg(unpack_archive(s.archive, s.dest, NULL, &st, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(st.skipped, 3);
	/* no link was created; evil.c landed in a real directory inside */
	p = path_join(s.dest, "link");
	ck_assert_int_eq(lstat(p, &sb), 0);
	ck_assert(S_ISDIR(sb.st_mode));
	free(p);
	p = path_join(s.dest, "passwd");
	ck_assert_int_eq(lstat(p, &sb), -1);
	free(p);
	p = path_join(s.dest, "hard");
	ck_assert_int_eq(lstat(p, &sb), -1);
	free(p);
	outside_file = path_join(s.outside, "evil.c");
	ck_assert(!is_file(outside_file));
	free(outside_file);
	ck_assert_int_eq(count_entries(s.outside), 1);
	sandbox_free(&s);
}

START_TEST(unpack_never_creates_links)
{
	symlink_body();
}
END_TEST

START_TEST(unpack_refuses_symlink_in_zip_too)
{
	struct sandbox s;
	struct unpack_stats st;
	struct error e;
	struct ent ents[2];
	struct stat sb;
	char *p;

	sandbox_init(&s, 1);
	ents[0] = (struct ent){ ENT_SYMLINK, "link", "/tmp", 0 };
	ents[1] = (struct ent){ ENT_FILE, "a.c", "x\n", 0 };
	write_archive(s.archive, 1, ents, 2);
	error_init(&e);
	ck_assert_msg(unpack_archive(s.archive, s.dest, NULL, &st, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(st.skipped, 1);
	ck_assert_int_eq(st.files, 1);
	p = path_join(s.dest, "link");
	ck_assert_int_eq(lstat(p, &sb), -1);
	free(p);
	sandbox_free(&s);
}
END_TEST

static void bomb_body(int zip)
{
	/* 80 MiB of zeros compress to well under 1 MiB: the default total
	 * cap (64 MiB) must stop it, counted on decompressed bytes */
	static const struct ent one_big[] = { { ENT_FILE, "zeros.c", NULL, 80LL << 20 } };
	struct sandbox s;
	struct error e;
	struct stat sb;
	char *p;

	sandbox_init(&s, zip);
	write_archive(s.archive, zip, one_big, 1);
	ck_assert_int_eq(stat(s.archive, &sb), 0);
	ck_assert_int_lt(sb.st_size, 1 << 20);
	error_init(&e);
	ck_assert_int_eq(unpack_archive(s.archive, s.dest, NULL, NULL, &e), -1);
	ck_assert_msg(strstr(e.msg, "larger than 16 MiB"), "%s", e.msg);
	p = path_join(s.dest, "zeros.c");
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_int_le(sb.st_size, (16 << 20) + 65536);
	free(p);
	sandbox_free(&s);
}

START_TEST(unpack_stops_a_bomb_at_the_file_cap)
{
	unpack_both_formats(bomb_body);
}
END_TEST

START_TEST(unpack_stops_a_bomb_at_the_total_cap)
{
	struct ent ents[5];
	struct sandbox s;
	struct error e;
	char names[5][16];
	int i;

	sandbox_init(&s, 0);
	for (i = 0; i < 5; i++) {
		snprintf(names[i], sizeof(names[i]), "f%d.c", i);
		ents[i] = (struct ent){ ENT_FILE, names[i], NULL, 15LL << 20 };
	}
	write_archive(s.archive, 0, ents, 5);
	error_init(&e);
	ck_assert_int_eq(unpack_archive(s.archive, s.dest, NULL, NULL, &e), -1);
	ck_assert_msg(strstr(e.msg, "more than 64 MiB"), "%s", e.msg);
	sandbox_free(&s);
}
END_TEST

START_TEST(unpack_caps_the_number_of_entries)
{
	struct unpack_limits lim;
	struct ent *ents = xcalloc(30, sizeof(*ents));
	char (*names)[16] = xcalloc(30, 16);
	struct sandbox s;
	struct error e;
	int i;

	sandbox_init(&s, 1);
	for (i = 0; i < 30; i++) {
		snprintf(names[i], 16, "f%02d.c", i);
		ents[i] = (struct ent){ ENT_FILE, names[i], "x\n", 0 };
	}
	write_archive(s.archive, 1, ents, 30);
	unpack_limits_default(&lim);
	lim.max_entries = 29;
	error_init(&e);
	ck_assert_int_eq(unpack_archive(s.archive, s.dest, &lim, NULL, &e), -1);
	ck_assert_msg(strstr(e.msg, "more than 29 entries"), "%s", e.msg);
	lim.max_entries = 30;
	rm_rf(s.dest);
	error_init(&e);
	ck_assert_msg(unpack_archive(s.archive, s.dest, &lim, NULL, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(count_entries(s.dest), 30);
	sandbox_free(&s);
	free(ents);
	free(names);
}
END_TEST

START_TEST(unpack_refuses_duplicates_fifos_and_garbage)
{
	static const struct ent dup[] = {
		{ ENT_FILE, "a.c", "first\n", 0 },
		{ ENT_FILE, "a.c", "second\n", 0 },
	};
	static const struct ent fifo[] = { { ENT_FIFO, "pipe", NULL, 0 } };
	struct sandbox s;
	struct unpack_stats st;
	struct error e;

	refused(0, dup, 2, "appears twice");

	sandbox_init(&s, 0);
	write_archive(s.archive, 0, fifo, 1);
	error_init(&e);
	ck_assert_int_eq(unpack_archive(s.archive, s.dest, NULL, &st, &e), 0);
	ck_assert_int_eq(st.skipped, 1);
	ck_assert_int_eq(count_entries(s.dest), 0);
	sandbox_free(&s);

	sandbox_init(&s, 1);
	ck_assert_int_eq(write_file_atomic(s.archive, "not an archive\n", 15), 0);
	error_init(&e);
	ck_assert_int_eq(unpack_archive(s.archive, s.dest, NULL, NULL, &e), -1);
	ck_assert_msg(strstr(e.msg, "not a readable"), "%s", e.msg);
	/* a damaged archive: the tail of a valid one cut off */
	{
		static const struct ent ents[] = { { ENT_FILE, "big.c", NULL, 1 << 20 } };

		write_archive(s.archive, 0, ents, 1);
		ck_assert_int_eq(truncate(s.archive, 200), 0);
		rm_rf(s.dest);
		error_init(&e);
		ck_assert_int_eq(unpack_archive(s.archive, s.dest, NULL, NULL, &e), -1);
	}
	sandbox_free(&s);
	ck_assert(unpack_is_archive("a.ZIP") && unpack_is_archive("b.tar.gz") &&
		  unpack_is_archive("c.tgz") && !unpack_is_archive("d.tar") &&
		  !unpack_is_archive(".zip"));
}
END_TEST

/* ---- the digest behind the cache key ---- */

static void digest_of(const char *path, char out[DIGEST_HEX_LEN + 1])
{
	static const char *const skip[] = { ".git", NULL };
	struct digest d;
	struct error e;

	error_init(&e);
	digest_init(&d);
	ck_assert_msg(digest_add_path(&d, path, skip, &e) == 0, "%s", e.msg);
	digest_hex(&d, out);
	digest_release(&d);
}

static void put(const char *dir, const char *name, const char *text)
{
	char *p = path_join(dir, name);

	ck_assert_int_eq(write_file_atomic(p, text, strlen(text)), 0);
	free(p);
}

START_TEST(digest_follows_contents_names_and_modes_only)
{
	char *root = make_temp_dir("digest"), *a = path_join(root, "a"), *b = path_join(root, "b");
	char da[DIGEST_HEX_LEN + 1], db[DIGEST_HEX_LEN + 1], *p;
	struct digest d1, d2;

	ck_assert_int_eq(mkdir_p(a), 0);
	ck_assert_int_eq(mkdir_p(b), 0);
	put(a, "x.c", "int x;\n");
	put(a, "y.c", "int y;\n");
	put(b, "y.c", "int y;\n"); /* other creation order */
	put(b, "x.c", "int x;\n");
	digest_of(a, da);
	digest_of(b, db);
	ck_assert_str_eq(da, db);
	ck_assert_int_eq((int)strlen(da), DIGEST_HEX_LEN);

	/* .git is left out */
	p = path_join(b, ".git");
	ck_assert_int_eq(mkdir_p(p), 0);
	put(p, "HEAD", "ref: refs/heads/main\n");
	free(p);
	digest_of(b, db);
	ck_assert_str_eq(da, db);

	/* one byte changed */
	put(b, "x.c", "int X;\n");
	digest_of(b, db);
	ck_assert_str_ne(da, db);
	put(b, "x.c", "int x;\n");
	digest_of(b, db);
	ck_assert_str_eq(da, db);

	/* a rename */
	p = path_join(b, "x.c");
	{
		char *q = path_join(b, "z.c");

		ck_assert_int_eq(rename(p, q), 0);
		digest_of(b, db);
		ck_assert_str_ne(da, db);
		ck_assert_int_eq(rename(q, p), 0);
		free(q);
	}
	/* the executable bit */
	ck_assert_int_eq(chmod(p, 0755), 0);
	digest_of(b, db);
	ck_assert_str_ne(da, db);
	ck_assert_int_eq(chmod(p, 0644), 0);
	free(p);

	/* a symlink is hashed as a link, never followed */
	p = path_join(b, "l");
	ck_assert_int_eq(symlink("/etc/passwd", p), 0);
	digest_of(b, db);
	ck_assert_str_ne(da, db);
	unlink(p);
	free(p);
	/* a file moved into a subdirectory */
	p = path_join(b, "sub");
	ck_assert_int_eq(mkdir_p(p), 0);
	digest_of(b, db);
	ck_assert_str_ne(da, db);
	rm_rf(p);
	free(p);
	digest_of(b, db);
	ck_assert_str_eq(da, db);

	/* strings are length-prefixed: ("ab","c") != ("a","bc") */
	digest_init(&d1);
	digest_init(&d2);
	digest_add_str(&d1, "ab");
	digest_add_str(&d1, "c");
	digest_add_str(&d2, "a");
	digest_add_str(&d2, "bc");
	digest_hex(&d1, da);
	digest_hex(&d2, db);
	ck_assert_str_ne(da, db);
	digest_release(&d1);
	digest_release(&d2);

	/* a known SHA-256: of the empty input */
	digest_init(&d1);
	digest_hex(&d1, da);
	digest_release(&d1);
	ck_assert_str_eq(da, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

	rm_rf(root);
	free(root);
	free(a);
	free(b);
}
END_TEST

/* ---- CSV ---- */

static char *field(const char *s, int text)
{
	struct buf b;

	buf_init(&b, 0);
	gradebook_csv_field(&b, s, text);
	return buf_detach(&b, NULL);
}

START_TEST(csv_quotes_per_rfc4180)
{
	static const struct {
		const char *in;
		int text;
		const char *out;
	} cases[] = {
		{ "alice", 1, "alice" },
		{ "", 1, "" },
		{ "Doe, Jane", 1, "\"Doe, Jane\"" },
		{ "say \"hi\"", 1, "\"say \"\"hi\"\"\"" },
		{ "two\nlines", 1, "\"two\nlines\"" },
		{ "cr\rhere", 1, "\"cr\rhere\"" },
		{ "élève", 1, "élève" },
		{ "=HYPERLINK(\"x\")", 1, "\"'=HYPERLINK(\"\"x\"\")\"" },
		{ "+1", 1, "'+1" },
		{ "-2", 1, "'-2" },
		{ "@SUM(A1)", 1, "'@SUM(A1)" },
		{ "-2", 0, "-2" },
		{ "a,b", 0, "\"a,b\"" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *f = field(cases[i].in, cases[i].text);

		ck_assert_msg(!strcmp(f, cases[i].out), "'%s' -> '%s', expected '%s'",
			      cases[i].in, f, cases[i].out);
		free(f);
	}
}
END_TEST

START_TEST(csv_gradebook_rows_and_empty_cells)
{
	struct gradebook g;
	struct gradebook_column cols[2] = { { "hello", 2, 0, 0 }, { "x, \"y\" [asan]", 1, 0, 0 } };
	double c1[2] = { 2, 0.5 }, c2[2] = { 1.0 / 3, NAN };
	struct gradebook_student st[3] = {
		{ "alice", "graded", NULL, 2.5, 3, c1 },
		{ "=bob", "graded", NULL, 1.0 / 3, 3, c2 },
		{ "carol", "missing", NULL, 0, 0, c2 },
	};
	char *csv;

	memset(&g, 0, sizeof(g));
	g.columns = cols;
	g.ncolumns = 2;
	g.students = st;
	g.nstudents = 3;
	csv = gradebook_csv(&g);
	ck_assert_str_eq(csv, "student,score,max,hello,\"x, \"\"y\"\" [asan]\"\r\n"
			      "alice,2.5,3,2,0.5\r\n"
			      "'=bob,0.33,3,0.33,\r\n"
			      "carol,,,0.33,\r\n");
	free(csv);
}
END_TEST

/* ---- shards ---- */

START_TEST(shards_partition_the_students)
{
	char id[32];
	int n, i, *seen;

	for (n = 1; n <= 9; n++) {
		seen = xcalloc((size_t)n, sizeof(int));
		for (i = 0; i < 1000; i++) {
			int s;

			snprintf(id, sizeof(id), "student%04d", i);
			s = roster_shard_of(id, n);
			ck_assert_int_ge(s, 0);
			ck_assert_int_lt(s, n);
			ck_assert_int_eq(s, roster_shard_of(id, n)); /* stable */
			seen[s]++;
		}
		/* 1000 ids over at most 9 shards: none is empty or holds most */
		for (i = 0; i < n; i++) {
			ck_assert_int_gt(seen[i], 1000 / n / 2);
			ck_assert_int_lt(seen[i], 1000 / n * 2);
		}
		free(seen);
	}
	/* a fixed value: the same on every machine, forever (FNV-1a 64) */
	ck_assert_int_eq(roster_shard_of("", 1000), (int)(14695981039346656037ULL % 1000));
	ck_assert_int_eq(roster_shard_of("a", 1000), (int)(0xaf63dc4c8601ec8cULL % 1000));
}
END_TEST

/* ---- layouts ---- */

static char *mkroot(const char *name)
{
	char *t = make_temp_dir("roster"), *r = path_join(t, name);

	ck_assert_int_eq(mkdir_p(r), 0);
	free(t);
	return r;
}

static void mk(const char *root, const char *rel, const char *text)
{
	char *p = path_join(root, rel), *slash = strrchr(p, '/');

	*slash = '\0';
	ck_assert_int_eq(mkdir_p(p), 0);
	*slash = '/';
	if (text)
		ck_assert_int_eq(write_file_atomic(p, text, strlen(text)), 0);
	else
		ck_assert_int_eq(mkdir_p(p), 0);
	free(p);
}

static void cleanup_root(char *root)
{
	char *parent = xstrdup(root);

	*strrchr(parent, '/') = '\0';
	rm_rf(parent);
	free(parent);
	free(root);
}

START_TEST(roster_plain_layout_ids_and_collisions)
{
	char *root = mkroot("subs");
	struct roster r;
	struct error e;

	mk(root, "bob/upper.c", "x");
	mk(root, "alice/upper.c", "x");
	mk(root, "alice.zip", "PK");
	mk(root, "Jane Doe (1)/upper.c", "x");
	mk(root, "carol.tar.gz", "x");
	mk(root, "notes.txt", "not a student");
	mk(root, ".hidden/upper.c", "x");
	error_init(&e);
	ck_assert_msg(roster_load(root, &r, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(roster_layout_name(r.layout), "plain");
	ck_assert_uint_eq(r.n, 5);
	ck_assert_str_eq(r.students[0].id, "Jane_Doe__1_");
	ck_assert_str_eq(r.students[1].id, "alice");
	ck_assert_str_eq(r.students[2].id, "alice-2");
	ck_assert_msg(strstr(r.students[1].input, "/alice") && !strstr(r.students[1].input, ".zip"),
		      "%s", r.students[1].input);
	ck_assert_msg(strstr(r.students[2].input, "alice.zip"), "%s", r.students[2].input);
	ck_assert_str_eq(r.students[3].id, "bob");
	ck_assert_str_eq(r.students[4].id, "carol");
	ck_assert_uint_eq(r.nnotes, 1);
	ck_assert_msg(strstr(r.notes[0], "notes.txt"), "%s", r.notes[0]);
	roster_keep_shard(&r, 0, 1);
	ck_assert_uint_eq(r.n, 5);
	roster_release(&r);
	{
		char *s = roster_safe_id("../../etc");

		ck_assert_str_eq(s, "_._.._etc");
		free(s);
		s = roster_safe_id("");
		ck_assert_str_eq(s, "student");
		free(s);
	}
	cleanup_root(root);
}
END_TEST

START_TEST(roster_gradescope_export)
{
	char *parent = mkroot("download"), *root = path_join(parent, "assignment_42_export");
	struct roster r;
	struct error e;

	mk(root, "submission_metadata.yml",
	   "submission_101:\n"
	   "  :submitters:\n"
	   "  - :name: Alice Liddell\n"
	   "    :sid: '2023001'\n"
	   "    :email: alice@example.edu\n"
	   "  :created_at: 2024-03-01 10:00:00.000000000 -08:00\n"
	   "  :score: !ruby/object:BigDecimal 18:0.4e1\n"
	   "  :history:\n"
	   "  - :id: 99\n"
	   "    :submitters:\n"
	   "    - :name: Somebody Else\n"
	   "      :sid: '999'\n"
	   "submission_102:\n"
	   "  :submitters:\n"
	   "  - :name: Bob Group\n"
	   "    :sid: ''\n"
	   "    :email: bob@example.edu\n"
	   "  - :name: \"Carol Group\"\n"
	   "    :sid: \"2023003\"\n"
	   "submission_103:\n"
	   "  :created_at: 2024-03-01\n");
	mk(root, "submission_101/upper.c", "x");
	mk(root, "submission_102/upper.c", "x");
	mk(root, "submission_103/upper.c", "x");
	error_init(&e);
	/* given the folder that holds the export's one top-level folder */
	ck_assert_msg(roster_load(parent, &r, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(roster_layout_name(r.layout), "gradescope");
	ck_assert_uint_eq(r.n, 4);
	ck_assert_str_eq(r.students[0].id, "2023001");
	ck_assert_str_eq(r.students[0].name, "Alice Liddell");
	ck_assert_msg(strstr(r.students[0].input, "submission_101"), "%s", r.students[0].input);
	ck_assert_str_eq(r.students[1].id, "2023003");
	ck_assert_msg(strstr(r.students[1].input, "submission_102"), "%s", r.students[1].input);
	ck_assert_str_eq(r.students[2].id, "bob@example.edu");
	ck_assert_msg(strstr(r.students[2].input, "submission_102"), "%s", r.students[2].input);
	ck_assert_str_eq(r.students[3].id, "submission_103");
	roster_release(&r);
	free(root);
	cleanup_root(parent);
}
END_TEST

START_TEST(roster_github_classroom_layouts)
{
	char *root = mkroot("pipes-lab-submissions");
	struct roster r;
	struct error e;

	mk(root, "pipes-lab-octocat/upper.c", "x");
	mk(root, "pipes-lab-mona-lisa/upper.c", "x");
	error_init(&e);
	ck_assert_msg(roster_load(root, &r, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(roster_layout_name(r.layout), "github-classroom");
	ck_assert_uint_eq(r.n, 2);
	ck_assert_str_eq(r.students[0].id, "mona-lisa");
	ck_assert_str_eq(r.students[1].id, "octocat");
	roster_release(&r);
	cleanup_root(root);

	/* clones in a folder of any name: git repositories sharing a prefix */
	root = mkroot("clones");
	mk(root, "hw1-ada/.git/HEAD", "ref\n");
	mk(root, "hw1-ada/upper.c", "x");
	mk(root, "hw1-alan/.git/HEAD", "ref\n");
	mk(root, "hw1-alan/upper.c", "x");
	ck_assert_msg(roster_load(root, &r, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(roster_layout_name(r.layout), "github-classroom");
	ck_assert_str_eq(r.students[0].id, "ada");
	ck_assert_str_eq(r.students[1].id, "alan");
	roster_release(&r);
	cleanup_root(root);

	/* the same without .git: plain, names kept */
	root = mkroot("clones");
	mk(root, "hw1-ada/upper.c", "x");
	mk(root, "hw1-alan/upper.c", "x");
	ck_assert_msg(roster_load(root, &r, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(roster_layout_name(r.layout), "plain");
	ck_assert_str_eq(r.students[0].id, "hw1-ada");
	roster_release(&r);
	cleanup_root(root);

	ck_assert_int_eq(roster_load("/nonexistent/dir", &r, &e), -1);
	ck_assert_msg(strstr(e.msg, "not a directory"), "%s", e.msg);
	roster_release(&r);
}
END_TEST

START_TEST(summary_bins)
{
	int n;
	double w;

	ck_assert_int_eq(summary_bin_of(0, 5, &n, &w), 0);
	ck_assert_int_eq(n, 6);
	ck_assert_int_eq(summary_bin_of(5, 5, &n, &w), 5);
	ck_assert_int_eq(summary_bin_of(4.99, 5, &n, &w), 4);
	ck_assert_int_eq(summary_bin_of(100, 100, &n, &w), 9);
	ck_assert_int_eq(n, 10);
	ck_assert_int_eq(summary_bin_of(55, 100, &n, &w), 5);
	ck_assert_int_eq(summary_bin_of(2.5, 7.5, &n, &w), 3);
	ck_assert_int_eq(n, 10);
}
END_TEST

Suite *make_batch_suite(void)
{
	Suite *s = suite_create("batch");
	TCase *t = tcase_create("unpack");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, unpack_extracts_a_normal_archive);
	tcase_add_test(t, unpack_refuses_zip_slip);
	tcase_add_test(t, unpack_refuses_absolute_paths);
	tcase_add_test(t, unpack_never_creates_links);
	tcase_add_test(t, unpack_refuses_symlink_in_zip_too);
	tcase_add_test(t, unpack_stops_a_bomb_at_the_file_cap);
	tcase_add_test(t, unpack_stops_a_bomb_at_the_total_cap);
	tcase_add_test(t, unpack_caps_the_number_of_entries);
	tcase_add_test(t, unpack_refuses_duplicates_fifos_and_garbage);
	suite_add_tcase(s, t);
	t = tcase_create("parts");
	tcase_add_test(t, digest_follows_contents_names_and_modes_only);
	tcase_add_test(t, csv_quotes_per_rfc4180);
	tcase_add_test(t, csv_gradebook_rows_and_empty_cells);
	tcase_add_test(t, shards_partition_the_students);
	tcase_add_test(t, roster_plain_layout_ids_and_collisions);
	tcase_add_test(t, roster_gradescope_export);
	tcase_add_test(t, roster_github_classroom_layouts);
	tcase_add_test(t, summary_bins);
	suite_add_tcase(s, t);
	return s;
}
