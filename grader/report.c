/*
 * report.c - what the three report writers share, writing them all into a
 * directory, and the summary printed on the terminal.
 *
 * Everything a report prints may come from a student's program (a message
 * quoting its output, a diff, its stderr), so every string goes through
 * report_clean() before it reaches a file: jansson refuses invalid UTF-8
 * and a malformed results.json fails a whole Gradescope run; XML 1.0
 * forbids most control characters; a terminal would obey escape sequences.
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

char *report_score(double x, char *out, size_t outsz)
{
	char *dot, *end;

	if (!isfinite(x))
		x = 0;
	snprintf(out, outsz, "%.2f", x);
	dot = strchr(out, '.');
	if (dot) {
		end = out + strlen(out);
		while (end > dot + 1 && end[-1] == '0')
			*--end = '\0';
		if (end == dot + 1)
			*dot = '\0';
	}
	if (!strcmp(out, "-0"))
		snprintf(out, outsz, "0");
	return out;
}

/* Length of the well-formed UTF-8 sequence at p (1 to 4) with its code
 * point in *cp, or 0 if p does not start one: overlong forms, surrogates
 * and values above U+10FFFF are refused, as jansson refuses them. p is
 * NUL-terminated, and NUL is never a continuation byte, so reading stops
 * there. */
static size_t utf8_seq(const unsigned char *p, unsigned *cp)
{
	unsigned c = p[0];
	unsigned lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		*cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		*cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0; /* overlong below U+0800 */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates U+D800..U+DFFF */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		*cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90; /* overlong below U+10000 */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		unsigned cc = p[i];

		if (cc < (i == 1 ? lo : 0x80) || cc > (i == 1 ? hi : 0xbf))
			return 0;
		*cp = (*cp << 6) | (cc & 0x3f);
	}
	return n;
}

static void add_utf8(struct buf *b, unsigned cp)
{
	char s[4];

	if (cp < 0x80) {
		buf_addch(b, (char)cp);
	} else if (cp < 0x800) {
		s[0] = (char)(0xc0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, s, 2);
	} else if (cp < 0x10000) {
		s[0] = (char)(0xe0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, s, 3);
	} else {
		s[0] = (char)(0xf0 | (cp >> 18));
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, s, 4);
	}
}

char *report_clean(const char *s, int flags)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b;
	char *out;

	if (!s)
		return NULL;
	/* every byte becomes at most 3 bytes (U+FFFD or a control picture) */
	buf_init(&b, strlen(s) * 3 + 16);
	while (*p) {
		unsigned cp;
		size_t n = utf8_seq(p, &cp);

		if (!n) {
			add_utf8(&b, 0xfffd);
			p++;
			continue;
		}
		if (flags & REPORT_CLEAN_CONTROLS) {
			if (cp < 0x20 && cp != '\t' && cp != '\n') {
				add_utf8(&b, 0x2400 + cp);
				p += n;
				continue;
			}
			if (cp == 0x7f) {
				add_utf8(&b, 0x2421);
				p += n;
				continue;
			}
			if (cp == 0xfffe || cp == 0xffff) {
				add_utf8(&b, 0xfffd);
				p += n;
				continue;
			}
		}
		buf_add(&b, p, n);
		p += n;
	}
	out = buf_detach(&b, NULL);
	buf_release(&b);
	return out;
}

char *report_test_label(const struct test_outcome *t)
{
	if (t->variant == VARIANT_PLAIN)
		return xstrdup(t->name ? t->name : "");
	return xasprintf("%s [%s]", t->name ? t->name : "",
			 variant_name(t->variant));
}

int report_test_is_visible(const struct test_outcome *t)
{
	return t->visibility == VIS_VISIBLE;
}

const struct build_result *report_main_build(const struct grade_result *r,
					     enum variant *variant)
{
	int v;

	for (v = 0; v < VARIANT__COUNT; v++) {
		if (r->builds[v].ok != -1) {
			if (variant)
				*variant = (enum variant)v;
			return &r->builds[v];
		}
	}
	return NULL;
}

int report_build_failed(const struct grade_result *r)
{
	int v;

	for (v = 0; v < VARIANT__COUNT; v++)
		if (r->builds[v].ok == 0)
			return 1;
	return 0;
}

const struct build_result *report_build_of(const struct grade_result *r,
					   const struct test_outcome *t)
{
	int v;

	if ((unsigned)t->variant < VARIANT__COUNT && r->builds[t->variant].ok != -1)
		return &r->builds[t->variant];
	/* The variant ran a build shared with another (the valgrind tools
	 * share one). Which one is build.c's business; for a compile error
	 * the build that failed is the one that explains it. */
	if (t->verdict == VERDICT_COMPILE_ERROR)
		for (v = 0; v < VARIANT__COUNT; v++)
			if (r->builds[v].ok == 0)
				return &r->builds[v];
	return report_main_build(r, NULL);
}

int report_finding_in_test(const struct finding *f, const struct test_outcome *t)
{
	return f->test && t->name && !strcmp(f->test, t->name) &&
	       f->variant == t->variant;
}

int report_write_all(const struct grade_result *r, const char *outdir,
		     struct error *e)
{
	static const struct {
		const char *name;
		char *(*render)(const struct grade_result *r, int flags);
	} files[] = {
		{ "results.json", report_json },
		{ "report.md", report_markdown },
		{ "junit.xml", report_junit },
	};
	size_t i;

	if (mkdir_p(outdir) < 0)
		return error_set(e, "cannot create %s: %s", outdir, strerror(errno));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = path_join(outdir, files[i].name);
		char *text = files[i].render(r, 0);
		int rc = write_file_atomic(path, text, strlen(text));

		if (rc < 0)
			error_set(e, "cannot write %s: %s", path, strerror(errno));
		free(text);
		free(path);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Terminal columns: names longer than SUMMARY_NAME_MAX push their own
 * line only, and the message is cut so that a line stays within
 * SUMMARY_WIDTH (but keeps at least SUMMARY_MESSAGE_MIN bytes). */
#define SUMMARY_NAME_MAX 32
#define SUMMARY_WIDTH 100
#define SUMMARY_MESSAGE_MIN 30

/* The first line of s, cut at max bytes on a character boundary. */
static char *first_line(const char *s, size_t max)
{
	size_t n = strcspn(s, "\n");

	if (n > max) {
		n = max;
		/* back off to the start of a UTF-8 character */
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		return xasprintf("%.*s...", (int)n, s);
	}
	if (s[n] == '\n')
		return xasprintf("%.*s ...", (int)n, s);
	return xstrndup(s, n);
}

void report_summary(const struct grade_result *r, FILE *f, int color,
		    const char *outdir)
{
	const struct build_result *mb = report_main_build(r, NULL);
	size_t i, namew = 0, pointsw = 0;
	char a[32], b[32];

	if (report_build_failed(r))
		fprintf(f, "Build: compile error (the compiler's messages are in the report)\n");
	else if (mb && mb->nwarnings)
		fprintf(f, "Build: compiled with %zu warning%s\n", mb->nwarnings,
			mb->nwarnings == 1 ? "" : "s");
	for (i = 0; i < r->ntests; i++) {
		const struct test_outcome *t = &r->tests[i];
		char *label = report_test_label(t);
		size_t w = strlen(label) + (report_test_is_visible(t) ? 0 : 9);
		char *pts = xasprintf("%s / %s", report_score(t->score, a, sizeof(a)),
				      report_score(t->max_score, b, sizeof(b)));

		if (w > namew)
			namew = w;
		if (strlen(pts) > pointsw)
			pointsw = strlen(pts);
		free(label);
		free(pts);
	}
	if (namew > SUMMARY_NAME_MAX)
		namew = SUMMARY_NAME_MAX;
	for (i = 0; i < r->ntests; i++) {
		const struct test_outcome *t = &r->tests[i];
		int pass = t->verdict == VERDICT_PASSED;
		char *label = report_test_label(t);
		char *name = xasprintf("%s%s%s", label,
				       report_test_is_visible(t) ? "" : " (hidden)",
				       t->bonus ? " (bonus)" : "");
		char *clean = report_clean(name, REPORT_CLEAN_CONTROLS);
		char *pts = xasprintf("%s / %s", report_score(t->score, a, sizeof(a)),
				      report_score(t->max_score, b, sizeof(b)));

		if (color)
			fprintf(f, "%s%s\033[0m", pass ? "\033[32m" : "\033[31m",
				pass ? "PASS" : "FAIL");
		else
			fputs(pass ? "PASS" : "FAIL", f);
		fprintf(f, "  %-*s  %*s  %s", (int)namew, clean, (int)pointsw, pts,
			verdict_title(t->verdict));
		if (!pass && t->message) {
			char *msg = report_clean(t->message, REPORT_CLEAN_CONTROLS);
			size_t used = 4 + 2 + namew + 2 + pointsw + 2 +
				      strlen(verdict_title(t->verdict)) + 2;
			size_t room = used + SUMMARY_MESSAGE_MIN < SUMMARY_WIDTH
					      ? SUMMARY_WIDTH - used - 3
					      : SUMMARY_MESSAGE_MIN;
			char *line = first_line(msg, room);

			fprintf(f, ": %s", line);
			free(line);
			free(msg);
		}
		fputc('\n', f);
		free(label);
		free(name);
		free(clean);
		free(pts);
	}
	fprintf(f, "Score: %s / %s\n", report_score(r->score, a, sizeof(a)),
		report_score(r->max_score, b, sizeof(b)));
	if (outdir) {
		char *path = path_join(outdir, "report.md");
		char *clean = report_clean(path, REPORT_CLEAN_CONTROLS);

		fprintf(f, "Reports: %s\n", clean);
		free(clean);
		free(path);
	}
}
