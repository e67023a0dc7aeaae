/*
 * diff.c - a unified diff of two texts, for the student's report.
 *
 * The two outputs of a test are usually equal for megabytes and differ in a
 * few lines, so the work is split in three:
 *
 *  1. The common prefix and suffix are found with memcmp() on the raw bytes
 *     and cut back to whole lines. Only the `context` lines next to the
 *     differing middle are ever split into lines.
 *  2. The middle is aligned with Myers' O(ND) algorithm in its linear-space
 *     form (the "middle snake" bisection, as in GNU diff and Google's
 *     diff-match-patch), on lines compared by hash first. Its cost is
 *     bounded twice: by the edit distance D (DIFF_MAX_COST) and by the
 *     number of line comparisons (DIFF_MAX_WORK), which repetitive input
 *     can make large even for a small D. A middle of more than
 *     DIFF_MAX_LINES lines is not even split into lines.
 *  3. When either bound is hit the texts are too different for a diff to
 *     help; the first differing lines of each side are shown instead, with a
 *     note saying so.
 *
 * The result is formatted like `diff -u` (hunk headers, "\ No newline at
 * end of file"), except that control characters and invalid UTF-8 in lines
 * are escaped (\r, \0, \xNN) so that the report shows them and stays text,
 * and that very long lines are cut.
 */
#define _GNU_SOURCE
#include "diff.h"
#include "buf.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Largest edit distance aligned; beyond it the fallback is shown. */
#define DIFF_MAX_COST 2000
/* Largest number of line comparisons spent aligning. */
#define DIFF_MAX_WORK 20000000L
/* Largest differing middle aligned, in lines of one side: bounds memory
 * (about 13 bytes a line) whatever the output limit of the test. */
#define DIFF_MAX_LINES 1000000
/* Lines of each side shown by the fallback, after the context. */
#define DIFF_FALLBACK_LINES 20
/* Characters of one line shown; the rest is summarised. */
#define DIFF_LINE_MAX 500

/* The lines of one side that the diff looks at: the last `context` lines of
 * the common prefix, the differing middle and the first `context` lines of
 * the common suffix. Line i is text[start[i] .. start[i+1]), its '\n'
 * included when it has one; its number in the whole text is base + i + 1. */
struct side {
	const char *text;
	size_t *start; /* n + 1 offsets */
	uint32_t *hash;
	unsigned char *changed; /* deleted (expected) or inserted (actual) */
	size_t n;
	size_t base;
};

struct myers {
	const struct side *e, *a;
	ptrdiff_t dmax;	    /* the budget for each search direction */
	ptrdiff_t *v1, *v2; /* furthest reach on each diagonal, 2 * voff + 1 */
	ptrdiff_t voff;
	long work;
};

static size_t line_bytes(const struct side *s, size_t i)
{
	return s->start[i + 1] - s->start[i];
}

static int has_newline(const struct side *s, size_t i)
{
	return line_bytes(s, i) > 0 && s->text[s->start[i + 1] - 1] == '\n';
}

/* FNV-1a; collisions only cost a memcmp(). */
static uint32_t hash_bytes(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

/* Splits text[from..to) into lines (to is the end of a line or of text). */
static void side_init(struct side *s, const char *text, size_t from, size_t to,
		      size_t base)
{
	const char *nl;
	size_t n = 0, p, cap = 16;

	s->text = text;
	s->base = base;
	s->start = xmalloc(cap * sizeof(*s->start));
	for (p = from; p < to; n++) {
		if (n + 2 > cap) {
			cap *= 2;
			s->start = xrealloc(s->start, cap * sizeof(*s->start));
		}
		s->start[n] = p;
		nl = memchr(text + p, '\n', to - p);
		p = nl ? (size_t)(nl - text) + 1 : to;
	}
	s->start[n] = to;
	s->n = n;
	s->hash = xmalloc((n ? n : 1) * sizeof(*s->hash));
	for (p = 0; p < n; p++)
		s->hash[p] = hash_bytes(text + s->start[p], line_bytes(s, p));
	s->changed = xcalloc(n ? n : 1, 1);
}

static void side_release(struct side *s)
{
	free(s->start);
	free(s->hash);
	free(s->changed);
}

/* ---- Myers ---- */

static int line_eq(struct myers *m, size_t i, size_t j)
{
	size_t n = line_bytes(m->e, i);

	m->work++;
	return m->e->hash[i] == m->a->hash[j] && n == line_bytes(m->a, j) &&
	       !memcmp(m->e->text + m->e->start[i], m->a->text + m->a->start[j],
		       n);
}

/*
 * Finds a point (*sx, *sy) on a shortest edit path of e[a0..a1) to
 * a[b0..b1) by running the search forwards from the start and backwards
 * from the end until the two meet (Myers 1986, section 4b). This is
 * diff-match-patch's diff_bisect with lines for characters. Returns 1 with
 * the point, 0 when there is none (replace everything), -1 when the budget
 * is spent.
 */
static int bisect(struct myers *m, size_t a0, size_t a1, size_t b0, size_t b1,
		  size_t *sx, size_t *sy)
{
	ptrdiff_t n = (ptrdiff_t)(a1 - a0), k = (ptrdiff_t)(b1 - b0);
	ptrdiff_t max_d = (n + k + 1) / 2, delta = n - k, off = m->voff;
	ptrdiff_t lo, hi, d, k1, k2, o, x1, y1, x2, y2;
	ptrdiff_t k1start = 0, k1end = 0, k2start = 0, k2end = 0;
	int front = delta % 2 != 0;

	/* only diagonals within dmax + 1 of the origin are ever written */
	lo = off - m->dmax - 1;
	hi = off + m->dmax + 1;
	for (o = lo; o <= hi; o++)
		m->v1[o] = m->v2[o] = -1;
	m->v1[off + 1] = 0;
	m->v2[off + 1] = 0;
	for (d = 0; d < max_d; d++) {
		if (d > m->dmax || m->work > DIFF_MAX_WORK)
			return -1;
		for (k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
			o = off + k1;
			if (k1 == -d ||
			    (k1 != d && m->v1[o - 1] < m->v1[o + 1]))
				x1 = m->v1[o + 1];
			else
				x1 = m->v1[o - 1] + 1;
			y1 = x1 - k1;
			while (x1 < n && y1 < k &&
			       line_eq(m, a0 + x1, b0 + y1)) {
				x1++;
				y1++;
			}
			m->v1[o] = x1;
			if (x1 > n) {
				k1end += 2;
			} else if (y1 > k) {
				k1start += 2;
			} else if (front) {
				o = off + delta - k1;
				if (o >= lo && o <= hi && m->v2[o] != -1 &&
				    x1 >= n - m->v2[o]) {
					*sx = a0 + (size_t)x1;
					*sy = b0 + (size_t)y1;
					return 1;
				}
			}
		}
		for (k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
			o = off + k2;
			if (k2 == -d ||
			    (k2 != d && m->v2[o - 1] < m->v2[o + 1]))
				x2 = m->v2[o + 1];
			else
				x2 = m->v2[o - 1] + 1;
			y2 = x2 - k2;
			while (x2 < n && y2 < k &&
			       line_eq(m, a1 - 1 - (size_t)x2,
				       b1 - 1 - (size_t)y2)) {
				x2++;
				y2++;
			}
			m->v2[o] = x2;
			if (x2 > n) {
				k2end += 2;
			} else if (y2 > k) {
				k2start += 2;
			} else if (!front) {
				o = off + delta - k2;
				if (o >= lo && o <= hi && m->v1[o] != -1) {
					x1 = m->v1[o];
					y1 = off + x1 - o;
					if (x1 >= n - x2) {
						*sx = a0 + (size_t)x1;
						*sy = b0 + (size_t)y1;
						return 1;
					}
				}
			}
		}
	}
	return 0;
}

/* Marks the lines of e[a0..a1) and a[b0..b1) that a shortest edit script
 * deletes and inserts. Returns 0, or -1 when the budget is spent. */
static int compareseq(struct myers *m, size_t a0, size_t a1, size_t b0,
		      size_t b1)
{
	size_t x, y;
	int r;

	while (a0 < a1 && b0 < b1 && line_eq(m, a0, b0)) {
		a0++;
		b0++;
	}
	while (a0 < a1 && b0 < b1 && line_eq(m, a1 - 1, b1 - 1)) {
		a1--;
		b1--;
	}
	if (a0 == a1 || b0 == b1) {
		memset(m->e->changed + a0, 1, a1 - a0);
		memset(m->a->changed + b0, 1, b1 - b0);
		return 0;
	}
	r = bisect(m, a0, a1, b0, b1, &x, &y);
	if (r < 0)
		return -1;
	if (r == 0) {
		memset(m->e->changed + a0, 1, a1 - a0);
		memset(m->a->changed + b0, 1, b1 - b0);
		return 0;
	}
	if (compareseq(m, a0, x, b0, y) < 0)
		return -1;
	return compareseq(m, x, a1, y, b1);
}

static int align(struct side *e, struct side *a, size_t a0, size_t a1,
		 size_t b0, size_t b1)
{
	struct myers m;
	int r;

	m.e = e;
	m.a = a;
	m.dmax = DIFF_MAX_COST / 2 + 1;
	m.voff = m.dmax + 2;
	m.v1 = xmalloc((2 * m.voff + 1) * sizeof(*m.v1));
	m.v2 = xmalloc((2 * m.voff + 1) * sizeof(*m.v2));
	m.work = 0;
	r = compareseq(&m, a0, a1, b0, b1);
	free(m.v1);
	free(m.v2);
	return r;
}

/* ---- output ---- */

struct writer {
	struct buf *out;
	size_t max;    /* 0 = no limit */
	size_t shown;  /* lines written, headers not counted */
	size_t hidden; /* lines beyond max */
};

/* Whether one more line may be written; counts it either way. */
static int room(struct writer *w)
{
	if (w->max && w->shown >= w->max) {
		w->hidden++;
		return 0;
	}
	w->shown++;
	return 1;
}


/* Appends the content of a line (no '\n'), its invisible bytes escaped. */
static void put_line(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, shown = 0, k;

	while (i < n) {
		if (shown == DIFF_LINE_MAX) {
			buf_addf(b, "... (%zu more bytes)", n - i);
			return;
		}
		shown++;
		if (u[i] == '\t' || (u[i] >= 0x20 && u[i] < 0x7f)) {
			buf_addch(b, s[i]);
		} else if (u[i] == '\r') {
			buf_adds(b, "\\r");
		} else if (u[i] == '\0') {
			buf_adds(b, "\\0");
		} else if (u[i] >= 0x80 && (k = utf8_printable_len(u + i, n - i))) {
			buf_add(b, s + i, k);
			i += k - 1;
		} else {
			buf_addf(b, "\\x%02x", u[i]);
		}
		i++;
	}
}

static void emit_line(struct writer *w, char tag, const struct side *s,
		      size_t i)
{
	size_t n = line_bytes(s, i);
	int nl = has_newline(s, i);

	if (room(w)) {
		buf_addch(w->out, tag);
		put_line(w->out, s->text + s->start[i], n - nl);
		buf_addch(w->out, '\n');
	}
	if (!nl && room(w))
		buf_adds(w->out, "\\ No newline at end of file\n");
}

/* "-3,4", GNU style: a range of one line is its number alone, an empty one
 * is the number of the line before it followed by ",0". */
static void put_range(struct buf *b, char tag, size_t first, size_t count)
{
	if (count == 1)
		buf_addf(b, "%c%zu", tag, first + 1);
	else if (count == 0)
		buf_addf(b, "%c%zu,0", tag, first);
	else
		buf_addf(b, "%c%zu,%zu", tag, first + 1, count);
}

static void emit_header(struct writer *w, const struct side *e, size_t i0,
			size_t ni, const struct side *a, size_t j0, size_t nj)
{
	if (!room(w))
		return;
	buf_adds(w->out, "@@ ");
	put_range(w->out, '-', e->base + i0, ni);
	buf_addch(w->out, ' ');
	put_range(w->out, '+', a->base + j0, nj);
	buf_adds(w->out, " @@\n");
}

/* A run of changed lines: e[i0..i1) replaced by a[j0..j1). */
struct block {
	size_t i0, i1, j0, j1;
};

static struct block *collect_blocks(const struct side *e, const struct side *a,
				    size_t *nblocks)
{
	struct block *v = NULL;
	size_t n = 0, cap = 0, i = 0, j = 0;

	while (i < e->n || j < a->n) {
		if (i < e->n && j < a->n && !e->changed[i] && !a->changed[j]) {
			i++;
			j++;
			continue;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n].i0 = i;
		v[n].j0 = j;
		while (i < e->n && e->changed[i])
			i++;
		while (j < a->n && a->changed[j])
			j++;
		v[n].i1 = i;
		v[n].j1 = j;
		/* unmatched unchanged lines would mean a broken alignment */
		if (v[n].i0 == i && v[n].j0 == j)
			die("diff: inconsistent alignment at line %zu",
			    e->base + i + 1);
		n++;
	}
	*nblocks = n;
	return v;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

static void emit_hunks(struct writer *w, const struct side *e,
		       const struct side *a, size_t context)
{
	struct block *v;
	size_t nb, first, last, k, i, j, is, ie, js, je;

	v = collect_blocks(e, a, &nb);
	for (first = 0; first < nb; first = last + 1) {
		/* blocks at most 2 * context lines apart share one hunk */
		for (last = first; last + 1 < nb &&
				   v[last + 1].i0 - v[last].i1 <= 2 * context;)
			last++;
		is = v[first].i0 - min_size(v[first].i0, context);
		js = v[first].j0 - (v[first].i0 - is);
		ie = v[last].i1 + min_size(e->n - v[last].i1, context);
		je = v[last].j1 + (ie - v[last].i1);
		emit_header(w, e, is, ie - is, a, js, je - js);
		i = is;
		j = js;
		for (k = first; k <= last; k++) {
			for (; i < v[k].i0; i++, j++)
				emit_line(w, ' ', e, i);
			for (; i < v[k].i1; i++)
				emit_line(w, '-', e, i);
			for (; j < v[k].j1; j++)
				emit_line(w, '+', a, j);
		}
		for (; i < ie; i++)
			emit_line(w, ' ', e, i);
	}
	free(v);
}

/* The texts cannot be aligned within the budget: show the context before
 * the first difference and the first lines of each side after it. */
static void emit_fallback(struct writer *w, const struct side *e,
			  const struct side *a, size_t ctx, size_t emid,
			  size_t amid)
{
	size_t ne = emid < DIFF_FALLBACK_LINES ? emid : DIFF_FALLBACK_LINES;
	size_t na = amid < DIFF_FALLBACK_LINES ? amid : DIFF_FALLBACK_LINES;
	size_t i;

	emit_header(w, e, 0, ctx + ne, a, 0, ctx + na);
	for (i = 0; i < ctx; i++)
		emit_line(w, ' ', e, i);
	for (i = ctx; i < ctx + ne; i++)
		emit_line(w, '-', e, i);
	for (i = ctx; i < ctx + na; i++)
		emit_line(w, '+', a, i);
	if (room(w))
		buf_adds(
		    w->out,
		    "(diff truncated: outputs differ too much to align)\n");
}

/* ---- the common prefix and suffix ---- */

static size_t common_prefix(const char *a, const char *b, size_t n)
{
	size_t i = 0;

	while (n - i >= 4096 && !memcmp(a + i, b + i, 4096))
		i += 4096;
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* Bytes a[..alen) and b[..blen) have in common at the end, at most n. */
static size_t common_suffix(const char *a, size_t alen, const char *b,
			    size_t blen, size_t n)
{
	size_t i = 0;

	while (n - i >= 4096 &&
	       !memcmp(a + alen - i - 4096, b + blen - i - 4096, 4096))
		i += 4096;
	while (i < n && a[alen - 1 - i] == b[blen - 1 - i])
		i++;
	return i;
}

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

static size_t count_lines(const char *s, size_t n)
{
	return count_nl(s, n) + (n > 0 && s[n - 1] != '\n');
}

/* The offset after k more lines of t[from..to) (to at most). */
static size_t skip_lines(const char *t, size_t from, size_t to, size_t k)
{
	const char *nl;

	while (k-- > 0 && from < to) {
		nl = memchr(t + from, '\n', to - from);
		from = nl ? (size_t)(nl - t) + 1 : to;
	}
	return from;
}

/* Whether offset pos of t starts a line, given that `from` does. */
static int at_line_start(const char *t, size_t from, size_t pos)
{
	return pos == from || t[pos - 1] == '\n';
}

int diff_unified(const char *expected, size_t elen, const char *actual,
		 size_t alen, const char *label_expected,
		 const char *label_actual, size_t context, size_t max_lines,
		 struct diff_result *r)
{
	struct side e, a;
	struct writer w;
	struct buf out;
	const char *nl;
	size_t p, ps, pre, sfx, se, sa, ts, tc, he, ha, emid, amid;
	int fallback = 0;

	memset(r, 0, sizeof(*r));
	if (!expected)
		expected = "", elen = 0;
	if (!actual)
		actual = "", alen = 0;
	p = common_prefix(expected, actual, min_size(elen, alen));
	if (elen == alen && p == elen) {
		r->equal = 1;
		r->text = xstrdup("");
		return 0;
	}

	/* the common prefix, in whole lines: [0, ps) */
	nl = p ? memrchr(expected, '\n', p) : NULL;
	ps = nl ? (size_t)(nl - expected) + 1 : 0;
	pre = count_nl(expected, ps);

	/* the common suffix, in whole lines: [se, elen) and [sa, alen) */
	sfx = common_suffix(expected, elen, actual, alen,
			    min_size(elen, alen) - ps);
	se = elen - sfx;
	sa = alen - sfx;
	if (sfx > 0 && !(at_line_start(expected, ps, se) &&
			 at_line_start(actual, ps, sa))) {
		/* the next '\n' lies in the common part: same on both sides */
		nl = memchr(expected + se, '\n', elen - se);
		if (nl) {
			sa += (size_t)(nl - (expected + se)) + 1;
			se = (size_t)(nl - expected) + 1;
		} else {
			se = elen;
			sa = alen;
		}
	}

	/* up to `context` lines either side of the middle */
	for (ts = ps, tc = 0; tc < context && ts > 0; tc++) {
		nl = memrchr(expected, '\n', ts - 1);
		ts = nl ? (size_t)(nl - expected) + 1 : 0;
	}
	emid = count_lines(expected + ps, se - ps);
	amid = count_lines(actual + ps, sa - ps);
	if (emid > DIFF_MAX_LINES || amid > DIFF_MAX_LINES ||
	    (emid > amid ? emid - amid : amid - emid) > DIFF_MAX_COST) {
		/* D is at least the difference in length: do not try; and
		 * split only the lines the fallback shows */
		fallback = 1;
		side_init(&e, expected, ts,
			  skip_lines(expected, ps, se, DIFF_FALLBACK_LINES),
			  pre - tc);
		side_init(&a, actual, ts,
			  skip_lines(actual, ps, sa, DIFF_FALLBACK_LINES),
			  pre - tc);
		emid = e.n - tc;
		amid = a.n - tc;
	} else {
		he = skip_lines(expected, se, elen, context);
		ha = sa + (he - se);
		side_init(&e, expected, ts, he, pre - tc);
		side_init(&a, actual, ts, ha, pre - tc);
		fallback = align(&e, &a, tc, tc + emid, tc, tc + amid) < 0;
	}

	buf_init(&out, 0);
	buf_addf(&out, "--- %s\n+++ %s\n",
		 label_expected ? label_expected : "expected",
		 label_actual ? label_actual : "actual");
	w.out = &out;
	w.max = max_lines;
	w.shown = 0;
	w.hidden = 0;
	if (fallback)
		emit_fallback(&w, &e, &a, tc, emid, amid);
	else
		emit_hunks(&w, &e, &a, context);
	if (w.hidden) {
		buf_addf(&out, "... (%zu more lines not shown)\n", w.hidden);
		r->truncated = 1;
	}
	r->text = buf_detach(&out, NULL);
	buf_release(&out);
	r->first_line = pre + 1;
	r->fallback = fallback;
	side_release(&e);
	side_release(&a);
	return 0;
}

void diff_result_release(struct diff_result *r)
{
	free(r->text);
	r->text = NULL;
}
