/*
 * match.c - the checks a test makes on what a program printed.
 *
 * One function per enum check_kind, reached through the table `checkers`.
 * Each one compares the actual bytes with what the check asks for and, on a
 * failure, writes one line for the student into a struct buf and sets the
 * line of the actual output where things go wrong.
 *
 * Everything here works on (pointer, length) pairs: a student's program may
 * print NUL bytes or invalid UTF-8, and the outputs may be megabytes long,
 * so nothing is quadratic and nothing relies on strlen().
 */
#define _GNU_SOURCE
#include "match.h"
#include "match_trace.h"
#include "buf.h"
#include "util.h"

#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Characters of a line shown in a message; longer ones end in "...". */
#define QUOTE_MAX 80
/* When a long line differs far to the right, the quote starts this many
 * characters before the difference so that the difference is visible. */
#define QUOTE_LEAD 20

struct text {
	const char *s;
	size_t len;
};

/* A checker returns 1 when the check passes, 0 when it fails (m holds the
 * detail, *line the line of the actual output) and -1 on a fault of the
 * grader or of the spec (m says which). */
typedef int checker_fn(const struct spec_check *c, const struct text *a,
		       const struct text *e, struct buf *m, size_t *line);

/* ---- small text helpers ---- */

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Bytes a[0..n) and b[0..n) have in common at the start. memcmp() on large
 * blocks first: an 8 MiB output that differs at its end costs a few ms. */
static size_t common_prefix(const char *a, const char *b, size_t n)
{
	size_t i = 0;

	while (n - i >= 4096 && !memcmp(a + i, b + i, 4096))
		i += 4096;
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* Number of '\n' in s[0..n). */
static size_t count_nl(const char *s, size_t n)
{
	const char *p = s, *end = s + n, *nl;
	size_t k = 0;

	while (p < end && (nl = memchr(p, '\n', end - p))) {
		k++;
		p = nl + 1;
	}
	return k;
}

/* Lines of a text: a last line without '\n' counts too. */
static size_t count_lines(const char *s, size_t n)
{
	return count_nl(s, n) + (n > 0 && s[n - 1] != '\n');
}

/* Length of the line starting at s[pos], without its '\n'. */
static size_t line_len(const char *s, size_t n, size_t pos)
{
	const char *nl = memchr(s + pos, '\n', n - pos);

	return nl ? (size_t)(nl - (s + pos)) : n - pos;
}

/* Offset of the start of the line that contains offset pos. */
static size_t line_start(const char *s, size_t pos)
{
	const char *nl = pos ? memrchr(s, '\n', pos) : NULL;

	return nl ? (size_t)(nl - s) + 1 : 0;
}

static int is_line_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Length of s[0..n) without trailing spaces, tabs and carriage returns. */
static size_t rstrip_line(const char *s, size_t n)
{
	while (n > 0 && is_line_ws(s[n - 1]))
		n--;
	return n;
}

static size_t rstrip_space(const char *s, size_t n)
{
	while (n > 0 && is_space(s[n - 1]))
		n--;
	return n;
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/* Iterates over the lines of a text; `no` is the 1-based number of the line
 * last returned. */
struct line_iter {
	const char *s;
	size_t len, pos, no;
};

static void line_iter_init(struct line_iter *it, const char *s, size_t len)
{
	it->s = s;
	it->len = len;
	it->pos = 0;
	it->no = 0;
}

static int line_iter_next(struct line_iter *it, const char **ls, size_t *ll)
{
	size_t l;

	if (it->pos >= it->len)
		return 0;
	l = line_len(it->s, it->len, it->pos);
	*ls = it->s + it->pos;
	*ll = l;
	it->pos += l + (it->pos + l < it->len);
	it->no++;
	return 1;
}

/* ---- quoting for messages ---- */


/* Appends s[from..len) to m, escaped so that every byte is visible: \t, \r,
 * \n, \0, \xNN for the other control characters and invalid UTF-8, and,
 * when quoted, \\ and \"; valid UTF-8 passes through. At most QUOTE_MAX
 * characters are shown, then "..."; from > 0 starts with "...". */
static void put_escaped(struct buf *m, const char *s, size_t len, size_t from,
			int quoted)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = from, shown = 0, n;

	if (quoted)
		buf_addch(m, '"');
	if (from > 0)
		buf_adds(m, "...");
	while (i < len) {
		if (shown == QUOTE_MAX) {
			buf_adds(m, "...");
			break;
		}
		shown++;
		switch (u[i]) {
		case '\t':
			buf_adds(m, "\\t");
			break;
		case '\r':
			buf_adds(m, "\\r");
			break;
		case '\n':
			buf_adds(m, "\\n");
			break;
		case '\0':
			buf_adds(m, "\\0");
			break;
		case '\\':
			/* unquoted is for patterns, where \ means itself */
			buf_adds(m, quoted ? "\\\\" : "\\");
			break;
		case '"':
			buf_adds(m, quoted ? "\\\"" : "\"");
			break;
		default:
			if (u[i] >= 0x20 && u[i] < 0x7f) {
				buf_addch(m, s[i]);
			} else if (u[i] >= 0x80 &&
				   (n = utf8_printable_len(u + i, len - i))) {
				buf_add(m, s + i, n);
				i += n - 1;
			} else {
				buf_addf(m, "\\x%02x", u[i]);
			}
		}
		i++;
	}
	if (quoted)
		buf_addch(m, '"');
}

static void quote(struct buf *m, const char *s, size_t len)
{
	put_escaped(m, s, len, 0, 1);
}

void match_quote(struct buf *m, const char *s, size_t len)
{
	put_escaped(m, s, len, 0, 1);
}

void match_quote_pattern(struct buf *m, const char *pattern)
{
	buf_addch(m, '/');
	put_escaped(m, pattern, strlen(pattern), 0, 0);
	buf_addch(m, '/');
}

/* Where to start quoting two lines that share their first `common` bytes,
 * so that the first difference is on screen. */
static size_t quote_window(const char *s, size_t common)
{
	size_t from;

	if (common <= QUOTE_MAX - QUOTE_LEAD)
		return 0;
	from = common - QUOTE_LEAD;
	/* never start in the middle of a UTF-8 sequence */
	while (from > 0 && ((unsigned char)s[from] & 0xc0) == 0x80)
		from--;
	return from;
}

/* "2 spaces and a tab": what the trailing whitespace s[0..n) consists of. */
static void describe_ws(struct buf *m, const char *s, size_t n)
{
	size_t sp = 0, tab = 0, cr = 0, i;
	const char *sep = "";

	for (i = 0; i < n; i++) {
		sp += s[i] == ' ';
		tab += s[i] == '\t';
		cr += s[i] == '\r';
	}
	if (sp) {
		buf_addf(m, "%zu space%s", sp, plural(sp));
		sep = " and ";
	}
	if (tab) {
		buf_addf(m, "%s%zu tab%s", sep, tab, plural(tab));
		sep = " and ";
	}
	if (cr == 1)
		buf_addf(m, "%sa carriage return \\r", sep);
	else if (cr)
		buf_addf(m, "%s%zu carriage returns \\r", sep, cr);
}

/* "line 3 differs: expected "x", got "y"", with the first difference of long
 * lines in view and a word on differences that are hard to see. */
static void report_line_diff(struct buf *m, size_t k, const char *es, size_t el,
			     const char *as, size_t al)
{
	size_t common = common_prefix(es, as, min_size(el, al));
	size_t from = quote_window(es, common);
	size_t et = rstrip_line(es, el), at = rstrip_line(as, al);

	buf_addf(m, "line %zu differs", k);
	if (from)
		buf_addf(m, " at column %zu", common + 1);
	buf_adds(m, ": expected ");
	put_escaped(m, es, el, from, 1);
	buf_adds(m, ", got ");
	put_escaped(m, as, al, from, 1);
	if (et != at || memcmp(es, as, et))
		return;
	/* equal but for trailing whitespace: say so, it is invisible */
	if (et == el) {
		buf_adds(m, " (your line ends with ");
		describe_ws(m, as + at, al - at);
		buf_adds(m, ")");
	} else if (at == al) {
		buf_adds(m, " (the expected line ends with ");
		describe_ws(m, es + et, el - et);
		buf_adds(m, ", yours does not)");
	} else {
		buf_adds(m, " (only trailing whitespace differs: expected ");
		describe_ws(m, es + et, el - et);
		buf_adds(m, ", got ");
		describe_ws(m, as + at, al - at);
		buf_adds(m, ")");
	}
}

/* "output ends early: expected 5 lines, got 3; line 4 should be "x"". */
static void report_ends_early(struct buf *m, size_t want, size_t got,
			      const char *next, size_t next_len)
{
	if (got == 0)
		buf_addf(m, "no output: expected %zu line%s", want,
			 plural(want));
	else
		buf_addf(m, "output ends early: expected %zu line%s, got %zu",
			 want, plural(want), got);
	buf_addf(m, "; line %zu should be ", got + 1);
	quote(m, next, next_len);
}

static void report_extra(struct buf *m, size_t k, const char *s, size_t n)
{
	buf_addf(m, "unexpected extra output from line %zu: ", k);
	quote(m, s, n);
}

/* ---- exact ---- */

static int check_exact(const struct spec_check *c, const struct text *a,
		       const struct text *e, struct buf *m, size_t *line)
{
	size_t p, ls, k, el, al, elines;
	int e_nl, a_nl;

	(void)c;
	if (a->len == e->len && !memcmp(a->s, e->s, a->len))
		return 1;
	p = common_prefix(a->s, e->s, min_size(a->len, e->len));
	/* the bytes before p are equal, so the line starts are the same */
	ls = line_start(e->s, p);
	k = 1 + count_nl(e->s, ls);
	*line = k;
	if (ls == a->len) {
		elines = count_lines(e->s, e->len);
		report_ends_early(m, elines, k - 1, e->s + ls,
				  line_len(e->s, e->len, ls));
		return 0;
	}
	al = line_len(a->s, a->len, ls);
	if (ls == e->len) {
		report_extra(m, k, a->s + ls, al);
		return 0;
	}
	el = line_len(e->s, e->len, ls);
	if (el != al || p - ls < el) {
		report_line_diff(m, k, e->s + ls, el, a->s + ls, al);
		return 0;
	}
	/* same line, but one side has a '\n' after it and the other ends */
	e_nl = ls + el < e->len;
	a_nl = ls + al < a->len;
	if (e_nl && !a_nl) {
		elines = count_lines(e->s, e->len);
		if (elines == k) {
			buf_adds(m, "the last line has no newline at the end");
			return 0;
		}
		report_ends_early(m, elines, k, e->s + ls + el + 1,
				  line_len(e->s, e->len, ls + el + 1));
		*line = k + 1;
		return 0;
	}
	/* here the actual line has a '\n' and the expected one has none */
	if (ls + al + 1 == a->len) {
		buf_addf(m,
			 "line %zu ends with a newline, the expected output "
			 "does not",
			 k);
		return 0;
	}
	*line = k + 1;
	report_extra(m, k + 1, a->s + ls + al + 1,
		     line_len(a->s, a->len, ls + al + 1));
	return 0;
}

/* ---- trailing_ws ---- */

static int check_trailing_ws(const struct spec_check *c, const struct text *a,
			     const struct text *e, struct buf *m, size_t *line)
{
	struct line_iter ai, ei;
	const char *as, *es;
	size_t al, el;
	int ha, he;

	(void)c;
	/* trailing empty lines, and the trailing whitespace of the last line,
	 * go first: what remains is compared line by line */
	line_iter_init(&ai, a->s, rstrip_space(a->s, a->len));
	line_iter_init(&ei, e->s, rstrip_space(e->s, e->len));
	for (;;) {
		ha = line_iter_next(&ai, &as, &al);
		he = line_iter_next(&ei, &es, &el);
		if (!ha && !he)
			return 1;
		if (!ha) {
			*line = ai.no + 1;
			report_ends_early(m, count_lines(ei.s, ei.len), ai.no,
					  es, rstrip_line(es, el));
			return 0;
		}
		if (!he) {
			*line = ai.no;
			report_extra(m, ai.no, as, rstrip_line(as, al));
			return 0;
		}
		al = rstrip_line(as, al);
		el = rstrip_line(es, el);
		if (al != el || memcmp(as, es, al)) {
			*line = ai.no;
			report_line_diff(m, ai.no, es, el, as, al);
			return 0;
		}
	}
}

/* ---- regex ---- */

/* regexec() on text[0..n) whatever its NUL bytes; glibc's regoff_t is an
 * int, so a text beyond INT_MAX is searched in chunks cut at newlines (a
 * REG_NEWLINE pattern never matches across one). */
static int regex_search(const regex_t *re, const char *s, size_t n, int *rc)
{
	const size_t chunk = (size_t)INT_MAX / 2;
	regmatch_t pm[1];
	size_t len, cut;
	const char *nl;

	do {
		len = n;
		if (len > chunk) {
			nl = memrchr(s, '\n', chunk);
			len = nl ? (size_t)(nl - s) + 1 : chunk;
		}
		pm[0].rm_so = 0;
		pm[0].rm_eo = (regoff_t)len;
		*rc = regexec(re, s, 1, pm, REG_STARTEND);
		if (*rc != REG_NOMATCH)
			return *rc == 0;
		cut = len;
		s += cut;
		n -= cut;
	} while (n > 0);
	return 0;
}

static int check_regex(const struct spec_check *c, const struct text *a,
		       const struct text *e, struct buf *m, size_t *line)
{
	const char *pattern = c->pattern ? c->pattern : "";
	regex_t local;
	const regex_t *re = c->re;
	char err[256];
	int rc, found;

	(void)e;
	(void)line;
	if (!re) {
		/* a check made by hand rather than by spec_load() */
		rc = regcomp(&local, pattern, REG_EXTENDED | REG_NEWLINE);
		if (rc) {
			regerror(rc, &local, err, sizeof(err));
			buf_addf(m, "bad regular expression /%s/: %s", pattern,
				 err);
			return -1;
		}
		re = &local;
	}
	found = regex_search(re, a->s, a->len, &rc);
	if (re == &local)
		regfree(&local);
	if (found)
		return 1;
	if (rc != REG_NOMATCH) {
		buf_addf(m, "regular expression /%s/ failed (error %d)",
			 pattern, rc);
		return -1;
	}
	buf_adds(m, "no line matches /");
	put_escaped(m, pattern, strlen(pattern), 0, 0);
	buf_adds(m, "/");
	return 0;
}

/* ---- contains, not_contains ---- */

static int check_contains(const struct spec_check *c, const struct text *a,
			  const struct text *e, struct buf *m, size_t *line)
{
	(void)c;
	(void)line;
	if (memmem(a->s, a->len, e->s, e->len))
		return 1;
	buf_adds(m, "the output does not contain ");
	quote(m, e->s, e->len);
	return 0;
}

static int check_not_contains(const struct spec_check *c, const struct text *a,
			      const struct text *e, struct buf *m, size_t *line)
{
	const char *hit;
	size_t ls;

	(void)c;
	/* forbidding nothing cannot fail */
	if (e->len == 0)
		return 1;
	hit = memmem(a->s, a->len, e->s, e->len);
	if (!hit)
		return 1;
	ls = line_start(a->s, (size_t)(hit - a->s));
	*line = 1 + count_nl(a->s, ls);
	buf_addf(m, "line %zu must not contain ", *line);
	quote(m, e->s, e->len);
	buf_adds(m, ": ");
	quote(m, a->s + ls, line_len(a->s, a->len, ls));
	return 0;
}

/* ---- any_order, multiset: both sides' lines sorted ----
 *
 * Each side's lines are sorted by the top RADIX_KEY bits of a 64-bit hash
 * of their bytes with an LSD radix sort: O(n) and stable, so equal lines end
 * up next to each other in the order they were printed. A run of lines
 * that share those bits but are not all equal (rare: a few in a million
 * lines) is put in order by a comparison sort of the run. The sorted order
 * is therefore (hash, length, bytes, position), the same on both sides, and
 * one merge-like walk over the two arrays compares them.
 */

struct lref {
	uint64_t hash;
	uint32_t off; /* where the line starts in its text */
	uint32_t len; /* without its '\n' */
};

/* The sort key is the top RADIX_KEY bits of the hash, in passes of
 * RADIX_BITS: 2^22 buckets make a run of unequal lines rare. */
#define RADIX_BITS 11
#define RADIX_SIZE (1u << RADIX_BITS)
#define RADIX_PASSES 2
#define RADIX_KEY (RADIX_BITS * RADIX_PASSES)

/* FNV-1a, 64 bits, then MurmurHash3's finalizer: FNV alone leaves the top
 * bits, which the radix sort uses, nearly equal for short lines. */
static uint64_t hash_line(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static int lref_cmp_line(const char *xs, const struct lref *x, const char *ys,
			 const struct lref *y)
{
	int r;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	r = memcmp(xs + x->off, ys + y->off, x->len);
	return r < 0 ? -1 : r > 0;
}

/* For qsort_r() on a run of one radix key; the text is the argument. */
static int lref_cmp_run(const void *p, const void *q, void *text)
{
	const struct lref *x = p, *y = q;
	int r = lref_cmp_line(text, x, text, y);

	if (r)
		return r;
	return x->off < y->off ? -1 : x->off > y->off;
}

static void radix_sort(struct lref *v, size_t n)
{
	size_t(*count)[RADIX_SIZE], i, sum, c;
	struct lref *tmp, *src = v, *dst, *t;
	unsigned p, shift;

	count = xcalloc(RADIX_PASSES, sizeof(*count));
	for (i = 0; i < n; i++)
		for (p = 0, shift = 64 - RADIX_KEY; p < RADIX_PASSES;
		     p++, shift += RADIX_BITS)
			count[p][(v[i].hash >> shift) & (RADIX_SIZE - 1)]++;
	tmp = xmalloc(n * sizeof(*tmp));
	dst = tmp;
	for (p = 0; p < RADIX_PASSES; p++) {
		shift = 64 - RADIX_KEY + p * RADIX_BITS;
		/* a digit that every line shares would move nothing */
		if (count[p][(src[0].hash >> shift) & (RADIX_SIZE - 1)] == n)
			continue;
		for (i = 0, sum = 0; i < RADIX_SIZE; i++) {
			c = count[p][i];
			count[p][i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[p][(src[i].hash >> shift) &
				     (RADIX_SIZE - 1)]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	free(tmp);
	free(count);
}

static struct lref *lines_sorted(const struct text *t, size_t *n)
{
	struct line_iter it;
	struct lref *v;
	const char *s;
	size_t len, i, j, cnt = count_lines(t->s, t->len);
	int mixed;

	v = xmalloc((cnt ? cnt : 1) * sizeof(*v));
	line_iter_init(&it, t->s, t->len);
	for (*n = 0; line_iter_next(&it, &s, &len); (*n)++) {
		v[*n].hash = hash_line(s, len);
		v[*n].off = (uint32_t)(s - t->s);
		v[*n].len = (uint32_t)len;
	}
	if (*n > 1)
		radix_sort(v, *n);
	/* a run of one key holding different lines is put in order */
	for (i = 0; i < *n; i = j) {
		mixed = 0;
		for (j = i + 1; j < *n && v[j].hash >> (64 - RADIX_KEY) ==
					      v[i].hash >> (64 - RADIX_KEY);
		     j++)
			mixed |= lref_cmp_line(t->s, &v[i], t->s, &v[j]) != 0;
		if (mixed)
			qsort_r(v + i, j - i, sizeof(*v), lref_cmp_run,
				(void *)t->s);
	}
	return v;
}

/* End of the run of lines equal to v[i]. */
static size_t group_end(const char *s, const struct lref *v, size_t n, size_t i)
{
	size_t j = i + 1;

	while (j < n && !lref_cmp_line(s, &v[i], s, &v[j]))
		j++;
	return j;
}

/* What differs between the lines of the two sides, for both checks. The
 * "first" of each kind is the one that comes first in its own text. */
struct line_sets {
	/* a line of expected that actual has too few times */
	const struct lref *short_line; /* the earliest in expected */
	size_t short_want, short_got;
	/* the earliest line of actual that is one too many: the first
	 * occurrence beyond the expected count */
	const struct lref *extra_line;
	size_t extra_want, extra_got;
};

static void compare_line_sets(const struct text *a, const struct lref *av,
			      size_t na, const struct text *e,
			      const struct lref *ev, size_t ne, int counts,
			      struct line_sets *d)
{
	size_t i = 0, j = 0, ie, je, ec, ac;
	int r;

	memset(d, 0, sizeof(*d));
	while (i < ne || j < na) {
		if (i < ne && j < na)
			r = lref_cmp_line(e->s, &ev[i], a->s, &av[j]);
		else
			r = i < ne ? -1 : 1;
		ie = r <= 0 ? group_end(e->s, ev, ne, i) : i;
		je = r >= 0 ? group_end(a->s, av, na, j) : j;
		ec = ie - i;
		ac = je - j;
		if (!counts && ec && ac)
			ec = ac = 1;
		/* a group is in the order of the text: its first element is
		 * the earliest, av[j + ec] the first one too many */
		if (ac < ec &&
		    (!d->short_line || ev[i].off < d->short_line->off)) {
			d->short_line = &ev[i];
			d->short_want = ec;
			d->short_got = ac;
		}
		if (ac > ec &&
		    (!d->extra_line || av[j + ec].off < d->extra_line->off)) {
			d->extra_line = &av[j + ec];
			d->extra_want = ec;
			d->extra_got = ac;
		}
		i = ie;
		j = je;
	}
}

static int report_line_sets(struct buf *m, const struct text *a,
			    const struct text *e, const struct line_sets *d,
			    size_t *line)
{
	const struct lref *l;

	if (!d->short_line && !d->extra_line)
		return 1;
	if ((l = d->short_line)) {
		if (d->short_got == 0) {
			buf_adds(m, "missing line ");
			quote(m, e->s + l->off, l->len);
			if (d->short_want > 1)
				buf_addf(m, " (expected %zu times)",
					 d->short_want);
		} else {
			buf_adds(m, "line ");
			quote(m, e->s + l->off, l->len);
			buf_addf(m, " appears %zu time%s, expected %zu",
				 d->short_got, plural(d->short_got),
				 d->short_want);
		}
	}
	if ((l = d->extra_line)) {
		if (d->short_line)
			buf_adds(m, "; ");
		*line = 1 + count_nl(a->s, l->off);
		if (d->extra_want == 0) {
			buf_addf(m, "unexpected line %zu: ", *line);
			quote(m, a->s + l->off, l->len);
		} else {
			buf_adds(m, "line ");
			quote(m, a->s + l->off, l->len);
			buf_addf(m,
				 " appears %zu times, expected %zu "
				 "(one too many at line %zu)",
				 d->extra_got, d->extra_want, *line);
		}
	}
	return 0;
}

static int check_line_sets(const struct text *a, const struct text *e,
			   int counts, struct buf *m, size_t *line)
{
	struct line_sets d;
	struct lref *av, *ev;
	size_t na, ne;
	int r;

	/* offsets and lengths are 32 bits: 4 GiB is far beyond any output
	 * limit, but say so rather than be wrong */
	if (a->len > UINT32_MAX || e->len > UINT32_MAX) {
		buf_adds(m, "output too large to compare lines (over 4 GiB)");
		return -1;
	}
	av = lines_sorted(a, &na);
	ev = lines_sorted(e, &ne);
	compare_line_sets(a, av, na, e, ev, ne, counts, &d);
	r = report_line_sets(m, a, e, &d, line);
	free(av);
	free(ev);
	return r;
}

static int check_any_order(const struct spec_check *c, const struct text *a,
			   const struct text *e, struct buf *m, size_t *line)
{
	(void)c;
	return check_line_sets(a, e, 0, m, line);
}

static int check_multiset(const struct spec_check *c, const struct text *a,
			  const struct text *e, struct buf *m, size_t *line)
{
	(void)c;
	return check_line_sets(a, e, 1, m, line);
}

/* ---- numbers ---- */

struct token_iter {
	const char *s;
	size_t len, pos;
	size_t no;   /* 1-based index of the token last returned */
	size_t line; /* its line */
};

static void token_iter_init(struct token_iter *it, const struct text *t)
{
	it->s = t->s;
	it->len = t->len;
	it->pos = 0;
	it->no = 0;
	it->line = 1;
}

static int token_iter_next(struct token_iter *it, const char **ts, size_t *tl)
{
	size_t start;

	while (it->pos < it->len && is_space(it->s[it->pos]))
		it->line += it->s[it->pos++] == '\n';
	if (it->pos == it->len)
		return 0;
	start = it->pos;
	while (it->pos < it->len && !is_space(it->s[it->pos]))
		it->pos++;
	*ts = it->s + start;
	*tl = it->pos - start;
	it->no++;
	return 1;
}

/* Whether s[0..n) is a number as a whole, as strtod() reads it. */
static int parse_number(const char *s, size_t n, double *out)
{
	char small[128], *copy = small, *end;
	int ok;

	/* a NUL byte would end the number early: then it is not one */
	if (memchr(s, '\0', n))
		return 0;
	if (n >= sizeof(small))
		copy = xmalloc(n + 1);
	memcpy(copy, s, n);
	copy[n] = '\0';
	*out = strtod(copy, &end);
	ok = end == copy + n;
	if (copy != small)
		free(copy);
	return ok;
}

/* A token as the student sees it: numbers bare, words quoted. */
static void put_token(struct buf *m, const char *s, size_t n, int number)
{
	if (number)
		put_escaped(m, s, n, 0, 0);
	else
		quote(m, s, n);
}

static int check_numbers(const struct spec_check *c, const struct text *a,
			 const struct text *e, struct buf *m, size_t *line)
{
	struct token_iter ai, ei;
	const char *as, *es;
	size_t al, el, want;
	int ha, he, an, en;
	double x, y, tol;

	token_iter_init(&ai, a);
	token_iter_init(&ei, e);
	for (;;) {
		ha = token_iter_next(&ai, &as, &al);
		he = token_iter_next(&ei, &es, &el);
		if (!ha && !he)
			return 1;
		if (!ha) {
			for (want = ei.no; token_iter_next(&ei, &es, &el);)
				want++;
			/* no token of the actual output is wrong */
			*line = 0;
			buf_addf(
			    m,
			    "output ends early: expected %zu token%s, got %zu",
			    want, plural(want), ai.no);
			return 0;
		}
		*line = ai.line;
		if (!he) {
			buf_addf(m, "unexpected extra token %zu (line %zu): ",
				 ai.no, ai.line);
			quote(m, as, al);
			return 0;
		}
		if (al == el && !memcmp(as, es, al))
			continue;
		en = parse_number(es, el, &y);
		an = parse_number(as, al, &x);
		tol = c->abs_tol + c->rel_tol * fabs(y);
		if (en && an &&
		    (x == y || fabs(x - y) <= tol || (isnan(x) && isnan(y))))
			continue;
		buf_addf(m, "token %zu (line %zu) differs: expected ", ai.no,
			 ai.line);
		put_token(m, es, el, en);
		buf_adds(m, ", got ");
		put_token(m, as, al, an);
		if (en && an)
			buf_addf(m, " (off by %g, tolerance %g)", fabs(x - y),
				 tol);
		return 0;
	}
}

/* ---- line_count ---- */

static int check_line_count(const struct spec_check *c, const struct text *a,
			    const struct text *e, struct buf *m, size_t *line)
{
	size_t n = count_lines(a->s, a->len);

	(void)e;
	if (c->count >= 0 && (unsigned long long)c->count == n)
		return 1;
	buf_addf(m, "expected %lld line%s, got %zu", c->count,
		 c->count == 1 ? "" : "s", n);
	/* the first line too many, if there is one */
	if (c->count >= 0 && n > (unsigned long long)c->count)
		*line = (size_t)c->count + 1;
	return 0;
}

/* ---- last_line ---- */

static int check_last_line(const struct spec_check *c, const struct text *a,
			   const struct text *e, struct buf *m, size_t *line)
{
	size_t at = rstrip_space(a->s, a->len), et = rstrip_space(e->s, e->len);
	size_t start = at, lines = 1 + count_nl(e->s, et);
	const char *nl;

	(void)c;
	if (at == 0) {
		if (et == 0)
			return 1;
		buf_adds(m, "the output is empty, expected the last line ");
		quote(m, e->s, et);
		return 0;
	}
	/* an expected text of k lines is compared with the last k lines */
	while (lines-- > 0 && start > 0) {
		nl = memrchr(a->s, '\n', start - 1);
		start = nl ? (size_t)(nl - a->s) + 1 : 0;
	}
	if (at - start == et && !memcmp(a->s + start, e->s, et))
		return 1;
	*line = 1 + count_nl(a->s, start);
	lines = 1 + count_nl(e->s, et);
	if (lines > 1)
		buf_addf(m, "the last %zu lines are ", lines);
	else
		buf_adds(m, "the last line is ");
	quote(m, a->s + start, at - start);
	buf_adds(m, ", expected ");
	quote(m, e->s, et);
	return 0;
}

/* ---- checks over event traces: match_trace.c ---- */

/* A trace check without its trace is a check made by hand wrongly. */
static int no_trace(struct buf *m)
{
	buf_adds(m, "a trace check without its parsed trace");
	return -1;
}

static int check_exactly_once(const struct spec_check *c, const struct text *a,
			      const struct text *e, struct buf *m, size_t *line)
{
	(void)e;
	return c->trace ? match_exactly_once(c->trace, a->s, a->len, m, line)
			: no_trace(m);
}

static int check_inside(const struct spec_check *c, const struct text *a,
			const struct text *e, struct buf *m, size_t *line)
{
	(void)e;
	return c->trace ? match_inside(c->trace, a->s, a->len, m, line)
			: no_trace(m);
}

static int check_order_per_key(const struct spec_check *c,
			       const struct text *a, const struct text *e,
			       struct buf *m, size_t *line)
{
	(void)e;
	return c->trace ? match_order_per_key(c->trace, a->s, a->len, m, line)
			: no_trace(m);
}

static int check_computed(const struct spec_check *c, const struct text *a,
			  const struct text *e, struct buf *m, size_t *line)
{
	(void)e;
	return c->trace ? match_computed(c->trace, a->s, a->len, m, line)
			: no_trace(m);
}

static checker_fn *const checkers[CHECK__COUNT] = {
    [CHECK_EXACT] = check_exact,
    [CHECK_TRAILING_WS] = check_trailing_ws,
    [CHECK_REGEX] = check_regex,
    [CHECK_CONTAINS] = check_contains,
    [CHECK_NOT_CONTAINS] = check_not_contains,
    [CHECK_ANY_ORDER] = check_any_order,
    [CHECK_MULTISET] = check_multiset,
    [CHECK_NUMBERS] = check_numbers,
    [CHECK_LINE_COUNT] = check_line_count,
    [CHECK_LAST_LINE] = check_last_line,
    [CHECK_EXACTLY_ONCE] = check_exactly_once,
    [CHECK_INSIDE] = check_inside,
    [CHECK_ORDER_PER_KEY] = check_order_per_key,
    [CHECK_COMPUTED] = check_computed,
};

int match_check(const struct spec_check *c, const char *actual, size_t alen,
		const char *expected, size_t elen, struct match_result *r)
{
	struct text a = {actual ? actual : "", actual ? alen : 0};
	struct text e = {expected ? expected : "", expected ? elen : 0};
	struct buf m;
	size_t line = 0;
	int rc;

	r->ok = 0;
	r->message = NULL;
	r->line = 0;
	if ((unsigned)c->kind >= CHECK__COUNT || !checkers[c->kind]) {
		r->message =
		    xasprintf("unknown kind of check (%d)", (int)c->kind);
		return -1;
	}
	buf_init(&m, 0);
	rc = checkers[c->kind](c, &a, &e, &m, &line);
	if (rc == 1) {
		buf_release(&m);
		r->ok = 1;
		return 0;
	}
	if (rc == 0 && c->message && *c->message)
		r->message = xasprintf("%s (%s)", c->message, m.data);
	else
		r->message = buf_detach(&m, NULL);
	buf_release(&m);
	r->line = line;
	return rc < 0 ? -1 : 0;
}

void match_result_release(struct match_result *r)
{
	free(r->message);
	r->message = NULL;
}
