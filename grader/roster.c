/*
 * roster.c - the students of a submissions directory. See roster.h.
 */
#define _GNU_SOURCE
#include "roster.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "unpack.h"
#include "util.h"

const char *roster_layout_name(enum roster_layout l)
{
	switch (l) {
	case ROSTER_GRADESCOPE:
		return "gradescope";
	case ROSTER_CLASSROOM:
		return "github-classroom";
	default:
		return "plain";
	}
}

char *roster_safe_id(const char *name)
{
	size_t n = strlen(name), i;
	char *s;

	if (n > 120)
		n = 120;
	s = xstrndup(name, n);
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' ||
		      c == '+' || c == '-'))
			s[i] = '_';
	}
	if (s[0] == '.')
		s[0] = '_';
	if (!s[0]) {
		free(s);
		s = xstrdup("student");
	}
	return s;
}

int roster_shard_of(const char *id, int count)
{
	uint64_t h = 14695981039346656037ULL;
	const unsigned char *p;

	for (p = (const unsigned char *)id; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return count > 0 ? (int)(h % (uint64_t)count) : 0;
}

static void add_note(struct roster *r, char *note)
{
	r->notes = xrealloc(r->notes, (r->nnotes + 2) * sizeof(char *));
	r->notes[r->nnotes++] = note;
	r->notes[r->nnotes] = NULL;
}

static void add_student(struct roster *r, const char *id_source, const char *input,
			const char *name)
{
	struct roster_student *s;

	r->students = xrealloc(r->students, (r->n + 1) * sizeof(*r->students));
	s = &r->students[r->n++];
	s->id = roster_safe_id(id_source);
	s->input = xstrdup(input);
	s->name = name ? xstrdup(name) : NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The visible entries of dir, sorted. */
static char **list_entries(const char *dir, size_t *n, struct error *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;

	*n = 0;
	if (!d) {
		error_set(e, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		v = xrealloc(v, (*n + 2) * sizeof(char *));
		v[(*n)++] = xstrdup(de->d_name);
		v[*n] = NULL;
	}
	closedir(d);
	if (!v)
		v = xcalloc(1, sizeof(char *));
	qsort(v, *n, sizeof(char *), cmp_str);
	return v;
}

/* The archive's name without its extension. */
static char *strip_archive_ext(const char *name)
{
	static const char *const exts[] = { ".tar.gz", ".tgz", ".zip", NULL };
	size_t ln = strlen(name);
	int i;

	for (i = 0; exts[i]; i++) {
		size_t le = strlen(exts[i]);

		if (ln > le && !strcasecmp(name + ln - le, exts[i]))
			return xstrndup(name, ln - le);
	}
	return xstrdup(name);
}

/* ---- Gradescope ---- */

/* A scalar after "key:" on a metadata line, unquoted. Caller frees. */
static char *yaml_scalar(const char *p)
{
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\r' || p[n - 1] == '\t'))
		n--;
	if (n >= 2 && (p[0] == '\'' || p[0] == '"') && p[n - 1] == p[0]) {
		p++;
		n -= 2;
	}
	return xstrndup(p, n);
}

struct gs_submitter {
	char *name, *sid, *email;
};

static void gs_flush(struct roster *r, const char *folder_path, const char *folder,
		     struct gs_submitter *sub)
{
	const char *id = sub->sid && *sub->sid ? sub->sid
		       : sub->email && *sub->email ? sub->email
		       : sub->name && *sub->name ? sub->name : folder;

	if (folder_path && is_dir(folder_path))
		add_student(r, id, folder_path, sub->name);
	free(sub->name);
	free(sub->sid);
	free(sub->email);
	memset(sub, 0, sizeof(*sub));
}

/* submission_metadata.yml is YAML written by Ruby (":submitters:" keys,
 * sometimes !ruby/object tags that a strict parser refuses), so it is read
 * line by line: a top-level "submission_<n>:" key starts a record; inside
 * its ":submitters:" list, each "- " item is one person. */
static int load_gradescope(struct roster *r, const char *root, const char *meta,
			   struct error *e)
{
	struct buf b;
	char *line, *next, *folder = NULL, *folder_path = NULL;
	struct gs_submitter sub = { 0 };
	int in_submitters = 0, submitters_indent = 0, have = 0, seen = 0, rec_indent = -1;

	buf_init(&b, 16 << 20);
	if (buf_read_file(&b, meta) < 0) {
		buf_release(&b);
		return error_set(e, "%s: %s", meta, strerror(errno));
	}
	for (line = b.data; line && *line; line = next) {
		int indent = 0;
		char *p;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		for (p = line; *p == ' '; p++)
			indent++;
		if (!*p || *p == '#')
			continue;
		if (indent == 0) {
			char *colon = strchr(p, ':');

			/* the previous record ends; without submitters its
			 * folder's name is the id */
			if (have || (folder && !seen))
				gs_flush(r, folder_path, folder, &sub);
			have = 0;
			seen = 0;
			rec_indent = -1;
			in_submitters = 0;
			free(folder);
			free(folder_path);
			folder = colon ? xstrndup(p, (size_t)(colon - p)) : NULL;
			folder_path = folder && !strchr(folder, '/') && folder[0] != '.'
					      ? path_join(root, folder) : NULL;
			continue;
		}
		if (rec_indent < 0)
			rec_indent = indent;
		/* only the record's own list: :history: entries have theirs */
		if (indent == rec_indent && !strncmp(p, ":submitters:", 12)) {
			in_submitters = 1;
			submitters_indent = indent;
			continue;
		}
		if (!in_submitters)
			continue;
		if (indent <= submitters_indent && *p != '-') {
			in_submitters = 0;
			continue;
		}
		if (*p == '-') {
			if (have)
				gs_flush(r, folder_path, folder, &sub);
			have = 1;
			seen++;
			for (p++; *p == ' '; p++)
				;
		}
		if (!strncmp(p, ":name:", 6)) {
			free(sub.name);
			sub.name = yaml_scalar(p + 6);
		} else if (!strncmp(p, ":sid:", 5)) {
			free(sub.sid);
			sub.sid = yaml_scalar(p + 5);
		} else if (!strncmp(p, ":email:", 7)) {
			free(sub.email);
			sub.email = yaml_scalar(p + 7);
		}
	}
	if (have || (folder && !seen))
		gs_flush(r, folder_path, folder, &sub);
	free(folder);
	free(folder_path);
	buf_release(&b);
	return 0;
}

/* ---- GitHub Classroom ---- */

/* The longest common prefix of names that ends in '-' (and leaves every
 * name a non-empty rest), or 0. */
static size_t dash_prefix(char **names, size_t n)
{
	size_t lcp, i, k;

	if (n == 0)
		return 0;
	lcp = strlen(names[0]);
	for (i = 1; i < n; i++) {
		for (k = 0; k < lcp && names[i][k] == names[0][k]; k++)
			;
		lcp = k;
	}
	while (lcp > 0 && names[0][lcp - 1] != '-')
		lcp--;
	for (i = 0; i < n; i++)
		if (strlen(names[i]) <= lcp)
			return 0;
	return lcp;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t ls = strlen(s), lf = strlen(suf);

	return ls > lf && !strcmp(s + ls - lf, suf);
}

/* ---- all ---- */

static int cmp_student(const void *a, const void *b)
{
	const struct roster_student *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : strcmp(x->input, y->input);
}

/* Sorts, then renames colliding ids to id-2, id-3, ... */
static void make_unique(struct roster *r)
{
	size_t i, j;

	if (r->n < 2)
		return;
	qsort(r->students, r->n, sizeof(*r->students), cmp_student);
	for (i = 0; i < r->n; i = j) {
		int k = 2;

		for (j = i + 1; j < r->n && !strcmp(r->students[j].id, r->students[i].id); j++) {
			char *id;
			size_t m;
			int taken;

			do {
				id = xasprintf("%s-%d", r->students[i].id, k++);
				for (taken = 0, m = 0; m < r->n && !taken; m++)
					taken = !strcmp(r->students[m].id, id);
				if (taken)
					free(id);
			} while (taken);
			free(r->students[j].id);
			r->students[j].id = id;
		}
	}
	qsort(r->students, r->n, sizeof(*r->students), cmp_student);
}

int roster_load(const char *root, struct roster *r, struct error *e)
{
	char **names = NULL, *meta = NULL, *base = NULL;
	size_t n = 0, i, ndirs = 0, ngit = 0, prefix = 0;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->notes = xcalloc(1, sizeof(char *));
	r->root = path_real(root);
	if (!r->root || !is_dir(r->root)) {
		rc = error_set(e, "%s: not a directory%s%s", root, errno ? ": " : "",
			       errno ? strerror(errno) : "");
		goto out;
	}
	/* the export's single top-level folder, when given its parent */
	meta = path_join(r->root, "submission_metadata.yml");
	if (!is_file(meta)) {
		if (!(names = list_entries(r->root, &n, e))) {
			rc = -1;
			goto out;
		}
		if (n == 1) {
			char *sub = path_join(r->root, names[0]);
			char *m2 = path_join(sub, "submission_metadata.yml");

			if (is_file(m2)) {
				free(r->root);
				r->root = sub;
				free(meta);
				meta = m2;
				sub = NULL;
			} else {
				free(m2);
			}
			free(sub);
		}
		strv_free(names);
		names = NULL;
	}
	if (is_file(meta)) {
		r->layout = ROSTER_GRADESCOPE;
		rc = load_gradescope(r, r->root, meta, e);
		goto out;
	}

	if (!(names = list_entries(r->root, &n, e))) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		char *p = path_join(r->root, names[i]);

		if (is_dir(p)) {
			char *git = path_join(p, ".git");

			ndirs++;
			ngit += is_dir(git) || is_file(git);
			free(git);
		}
		free(p);
	}
	base = path_basename(r->root);
	if (ndirs > 0) {
		char **dirs = xcalloc(ndirs + 1, sizeof(char *));
		size_t k = 0;

		for (i = 0; i < n; i++) {
			char *p = path_join(r->root, names[i]);

			if (is_dir(p))
				dirs[k++] = names[i];
			free(p);
		}
		if (has_suffix(base, "-submissions")) {
			/* <assignment>-submissions/<assignment>-<login>/ */
			size_t lb = strlen(base) - strlen("-submissions") + 1;

			prefix = lb;
			for (i = 0; i < ndirs; i++)
				if (strncmp(dirs[i], base, lb - 1) || dirs[i][lb - 1] != '-' ||
				    !dirs[i][lb])
					prefix = 0;
		}
		if (!prefix && ngit == ndirs && ndirs >= 2)
			prefix = dash_prefix(dirs, ndirs);
		free(dirs);
	}
	r->layout = prefix ? ROSTER_CLASSROOM : ROSTER_PLAIN;
	for (i = 0; i < n; i++) {
		char *p = path_join(r->root, names[i]);

		if (is_dir(p)) {
			add_student(r, names[i] + prefix, p, NULL);
		} else if (is_file(p) && unpack_is_archive(names[i])) {
			char *id = strip_archive_ext(names[i]);

			add_student(r, id, p, NULL);
			free(id);
		} else {
			add_note(r, xasprintf("%s: not a directory nor a .zip/.tar.gz archive: skipped",
					      names[i]));
		}
		free(p);
	}
out:
	if (rc == 0)
		make_unique(r);
	strv_free(names);
	free(meta);
	free(base);
	return rc;
}

void roster_keep_shard(struct roster *r, int index, int count)
{
	size_t i, k = 0;

	for (i = 0; i < r->n; i++) {
		if (roster_shard_of(r->students[i].id, count) == index) {
			r->students[k++] = r->students[i];
		} else {
			free(r->students[i].id);
			free(r->students[i].input);
			free(r->students[i].name);
		}
	}
	r->n = k;
}

void roster_release(struct roster *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->students[i].id);
		free(r->students[i].input);
		free(r->students[i].name);
	}
	free(r->students);
	strv_free(r->notes);
	free(r->root);
	memset(r, 0, sizeof(*r));
}
