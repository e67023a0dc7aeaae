/*
 * match_trace.c - checks over the output of concurrent programs, read as a
 * trace of events, one per line: exactly_once (the selected lines are a
 * generated set of items, each once, in any order), inside (at most K
 * between enter and leave events), order_per_key (per key, the events in
 * a given order) and computed (numbers of a line equal values computed
 * from the test's arguments).
 *
 * A failure names the event that broke the rule and its line number in
 * the output. Every check is one pass over the lines with a hash table of
 * keys, so 10^6 events cost well under a second; lines are matched with
 * the spec's regular expressions one at a time (copied, NUL-terminated and
 * matched with REG_STARTEND: lines may hold NUL bytes).
 */
#define _GNU_SOURCE
#include "match_trace.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Items of an exactly_once check listed when missing. */
#define LIST_MISSING 3

/* ---- lines ---- */

struct lines {
	const char *s;
	size_t len, pos, no; /* no: 1-based number of the line last returned */
};

static int next_line(struct lines *it, const char **ls, size_t *ll)
{
	const char *nl;

	if (it->pos >= it->len)
		return 0;
	*ls = it->s + it->pos;
	nl = memchr(*ls, '\n', it->len - it->pos);
	*ll = nl ? (size_t)(nl - *ls) : it->len - it->pos;
	it->pos += *ll + 1;
	it->no++;
	return 1;
}

/* regexec() on the line s[0..n), copied into `line` and NUL-terminated
 * first: regexec's interceptor under AddressSanitizer runs strlen() on its
 * argument, which on a line inside an 8 MiB output would read to the end
 * of the output for every line. REG_STARTEND keeps NUL bytes in the line
 * ordinary characters. Offsets in pm are the line's. */
static int exec_line(const regex_t *re, const char *s, size_t n,
		     size_t nmatch, regmatch_t *pm, struct buf *line)
{
	buf_reset(line);
	buf_add(line, s, n);
	pm[0].rm_so = 0;
	pm[0].rm_eo = (regoff_t)n;
	return regexec(re, line->data, nmatch, pm, REG_STARTEND);
}

/* Matches p against the line s[0..n): 1 with *cs and *cl set to capture group
 * 1 (the whole match when the pattern has no group), 0 when it does not
 * match, -1 on a failure of regexec (m says so). `line` is scratch. */
static int match_line(const struct spec_pattern *p, const char *s, size_t n,
		      size_t group, const char **cs, size_t *cl, struct buf *m,
		      struct buf *line)
{
	regmatch_t pm[10];
	size_t g = group <= p->re.re_nsub ? group : 0;
	int rc;

	if (n > INT_MAX || g >= 10) {
		buf_adds(m, "a line too long to match (over 2 GiB)");
		return -1;
	}
	rc = exec_line(&p->re, s, n, g + 1, pm, line);
	if (rc == REG_NOMATCH)
		return 0;
	if (rc) {
		buf_addf(m, "regular expression /%s/ failed (error %d)", p->src,
			 rc);
		return -1;
	}
	if (pm[g].rm_so < 0) {
		*cs = s;
		*cl = 0;
	} else {
		*cs = s + pm[g].rm_so;
		*cl = (size_t)(pm[g].rm_eo - pm[g].rm_so);
	}
	return 1;
}

/* ---- a hash table of strings -> dense ids ----
 *
 * Keys are (pointer, length) pairs kept by the caller: items in the
 * exactly_once arena (stored as offsets, the arena may move while it
 * grows) or lines of the actual output. */

struct sent {
	uint64_t h;
	size_t off, len;
	size_t id1; /* id + 1; 0 = empty slot */
};

struct smap {
	struct sent *t;
	size_t mask, n;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static void smap_init(struct smap *m, size_t expect)
{
	size_t cap = 64;

	while (cap < 2 * expect + 2)
		cap *= 2;
	m->t = xcalloc(cap, sizeof(*m->t));
	m->mask = cap - 1;
	m->n = 0;
}

static void smap_release(struct smap *m)
{
	free(m->t);
	m->t = NULL;
}

static void smap_grow(struct smap *m)
{
	size_t cap = 2 * (m->mask + 1), i, j;
	struct sent *t = xcalloc(cap, sizeof(*t));

	for (i = 0; i <= m->mask; i++) {
		if (!m->t[i].id1)
			continue;
		for (j = m->t[i].h & (cap - 1); t[j].id1; j = (j + 1) & (cap - 1))
			;
		t[j] = m->t[i];
	}
	free(m->t);
	m->t = t;
	m->mask = cap - 1;
}

/* The id of key s[0..n) (stored keys live at base + off), or SIZE_MAX.
 * With `insert`, a missing key is added as id m->n (s must then lie in
 * base) and *created set. */
static size_t smap_id(struct smap *m, const char *base, const char *s,
		      size_t n, int insert, int *created)
{
	uint64_t h = hash_bytes(s, n);
	size_t j;

	if (created)
		*created = 0;
	for (j = h & m->mask; m->t[j].id1; j = (j + 1) & m->mask)
		if (m->t[j].h == h && m->t[j].len == n &&
		    !memcmp(base + m->t[j].off, s, n))
			return m->t[j].id1 - 1;
	if (!insert)
		return SIZE_MAX;
	m->t[j].h = h;
	m->t[j].off = (size_t)(s - base);
	m->t[j].len = n;
	m->t[j].id1 = ++m->n;
	if (created)
		*created = 1;
	if (2 * m->n > m->mask)
		smap_grow(m);
	return m->n - 1;
}

/* ---- exactly_once ---- */

/* The template cut into pieces: literal text, or a variable. */
struct piece {
	const char *text; /* literal, or NULL for a variable */
	size_t len;
	size_t var;
};

static size_t template_pieces(const struct spec_trace *tr, struct piece *p)
{
	const char *s = tr->item, *close;
	size_t n = 0, i, len;

	while (*s) {
		if (*s == '{' && s[1] != '{') {
			close = strchr(s, '}');
			len = (size_t)(close - s - 1);
			for (i = 0; i < tr->ntvars; i++)
				if (strlen(tr->tvars[i].name) == len &&
				    !memcmp(tr->tvars[i].name, s + 1, len))
					break;
			p[n].text = NULL;
			p[n++].var = i;
			s = close + 1;
			continue;
		}
		/* "{{" and "}}" stand for one brace */
		p[n].text = s;
		p[n].len = 1;
		if ((s[0] == '{' || s[0] == '}') && s[1] == s[0])
			s++;
		s++;
		while (*s && *s != '{' && *s != '}') {
			s++;
			p[n].len++;
		}
		n++;
	}
	return n;
}

struct item {
	size_t off;        /* in the arena */
	uint32_t len;
	uint32_t want;     /* how many times the template made it */
	uint32_t seen;
	size_t first_line; /* where it was printed first */
};

static void render(struct buf *arena, const struct spec_trace *tr,
		   const struct piece *p, size_t np, const long long *idx)
{
	const struct spec_tvar *tv;
	size_t i;

	for (i = 0; i < np; i++) {
		if (p[i].text) {
			/* the literal may hold a doubled brace: keep one */
			if (p[i].len && (p[i].text[0] == '{' || p[i].text[0] == '}') &&
			    p[i].text[1] == p[i].text[0]) {
				buf_addch(arena, p[i].text[0]);
				buf_add(arena, p[i].text + 2, p[i].len - 1);
			} else {
				buf_add(arena, p[i].text, p[i].len);
			}
			continue;
		}
		tv = &tr->tvars[p[i].var];
		if (tv->words)
			buf_adds(arena, tv->words[idx[p[i].var]]);
		else
			buf_addf(arena, "%lld", tv->lo + idx[p[i].var]);
	}
}

/* Every item of the template, in order (the first variable slowest). */
static struct item *generate_items(const struct spec_trace *tr,
				   struct buf *arena, struct smap *map,
				   size_t *nitems)
{
	struct piece *p = xcalloc(strlen(tr->item) + 1, sizeof(*p));
	long long *idx = xcalloc(tr->ntvars + 1, sizeof(*idx));
	struct item *items = xcalloc((size_t)tr->nitems + 1, sizeof(*items));
	size_t np = template_pieces(tr, p), start, id, v;
	long long k, cnt;
	int created;

	*nitems = 0;
	for (k = 0; k < tr->nitems; k++) {
		start = arena->len;
		render(arena, tr, p, np, idx);
		id = smap_id(map, arena->data, arena->data + start,
			     arena->len - start, 1, &created);
		if (created) {
			items[id].off = start;
			items[id].len = (uint32_t)(arena->len - start);
			(*nitems)++;
		} else {
			arena->len = start; /* the same item again */
		}
		items[id].want++;
		/* the odometer: the last variable turns fastest */
		for (v = tr->ntvars; v-- > 0;) {
			const struct spec_tvar *tv = &tr->tvars[v];

			cnt = tv->words ? (long long)tv->nwords : tv->hi - tv->lo + 1;
			if (++idx[v] < cnt)
				break;
			idx[v] = 0;
		}
	}
	free(p);
	free(idx);
	return items;
}

static void times(struct buf *m, uint32_t n)
{
	if (n == 1)
		buf_adds(m, "once");
	else if (n == 2)
		buf_adds(m, "twice");
	else
		buf_addf(m, "%u times", n);
}

int match_exactly_once(const struct spec_trace *tr, const char *a, size_t alen,
		       struct buf *m, size_t *line)
{
	struct buf arena, scratch;
	struct smap map;
	struct item *items, *it;
	struct lines ln = { a, alen, 0, 0 };
	const char *ls, *key, *unexp = NULL;
	size_t ll, kl, unexp_len = 0, nitems, id, i, listed;
	size_t unexp_line = 0, nunexp = 0, dup_line = 0, dup_id = 0, ndup = 0;
	long long missing = 0;
	int rc, first = 1;

	buf_init(&arena, SIZE_MAX / 2);
	buf_init(&scratch, 0);
	smap_init(&map, (size_t)tr->nitems);
	items = generate_items(tr, &arena, &map, &nitems);
	while (next_line(&ln, &ls, &ll)) {
		key = ls;
		kl = ll;
		if (tr->npats) {
			rc = match_line(&tr->pats[0], ls, ll, 1, &key, &kl, m, &scratch);
			if (rc < 0)
				goto fault;
			if (!rc)
				continue;
		}
		id = smap_id(&map, arena.data, key, kl, 0, NULL);
		if (id == SIZE_MAX) {
			if (!nunexp++) {
				unexp_line = ln.no;
				unexp = key;
				unexp_len = kl;
			}
			continue;
		}
		it = &items[id];
		if (++it->seen == 1)
			it->first_line = ln.no;
		if (it->seen == it->want + 1 && !dup_line) {
			dup_line = ln.no;
			dup_id = id;
		}
	}
	for (i = 0; i < nitems; i++) {
		missing += items[i].seen < items[i].want ? items[i].want - items[i].seen : 0;
		ndup += items[i].seen > items[i].want;
	}
	if (!ndup && !nunexp && !missing) {
		rc = 1;
		goto out;
	}
	if (ndup) {
		it = &items[dup_id];
		match_quote(m, arena.data + it->off, it->len);
		buf_adds(m, " printed ");
		times(m, it->seen);
		if (it->want == 1)
			buf_addf(m, " (first at line %zu, again at line %zu)",
				 it->first_line, dup_line);
		else
			buf_addf(m, ", expected %u (one too many at line %zu)",
				 it->want, dup_line);
		if (ndup > 1)
			buf_addf(m, "; %zu items in all are printed too often", ndup);
		first = 0;
		*line = dup_line;
	}
	if (nunexp) {
		buf_addf(m, "%sline %zu: unexpected item ", first ? "" : "; ",
			 unexp_line);
		match_quote(m, unexp, unexp_len);
		if (nunexp > 1)
			buf_addf(m, " (%zu unexpected lines in all)", nunexp);
		first = 0;
		if (!*line || unexp_line < *line)
			*line = unexp_line;
	}
	if (missing) {
		buf_addf(m, "%s%lld of %lld items missing: ", first ? "" : "; ",
			 missing, tr->nitems);
		for (i = 0, listed = 0; i < nitems && listed < LIST_MISSING; i++) {
			if (items[i].seen >= items[i].want)
				continue;
			if (listed++)
				buf_adds(m, ", ");
			match_quote(m, arena.data + items[i].off, items[i].len);
		}
		if (missing > LIST_MISSING)
			buf_adds(m, ", ...");
	}
	rc = 0;
	goto out;
fault:
	rc = -1;
out:
	free(items);
	smap_release(&map);
	buf_release(&arena);
	buf_release(&scratch);
	return rc;
}

/* ---- inside ---- */

struct who {
	size_t in;        /* how many times inside now (1 at most with a key) */
	size_t enter_line;
	const char *enter_s;
	size_t enter_len;
};

static struct who *who_get(struct smap *map, struct who **v, size_t *cap,
			   const char *a, const char *key, size_t kl, int insert)
{
	size_t id = smap_id(map, a, key, kl, insert, NULL);

	if (id == SIZE_MAX)
		return NULL;
	if (id >= *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*v = xrealloc(*v, *cap * sizeof(**v));
		memset(*v + id, 0, (*cap - id) * sizeof(**v));
	}
	return &(*v)[id];
}

static void say_key(struct buf *m, const char *key, size_t kl)
{
	match_quote(m, key, kl);
}

int match_inside(const struct spec_trace *tr, const char *a, size_t alen,
		 struct buf *m, size_t *line)
{
	struct lines ln = { a, alen, 0, 0 };
	const struct spec_pattern *en = &tr->pats[0], *le = &tr->pats[1];
	int keyed_in = en->re.re_nsub > 0, keyed_out = le->re.re_nsub > 0;
	struct smap map;
	struct buf scratch;
	struct who *v = NULL, *w, *left = NULL;
	size_t cap = 0, ll, kl, cur = 0, peak = 0, i;
	const char *ls, *key;
	int rc;

	smap_init(&map, 64);
	buf_init(&scratch, 0);
	while (next_line(&ln, &ls, &ll)) {
		rc = match_line(en, ls, ll, 1, &key, &kl, m, &scratch);
		if (rc < 0)
			goto out;
		if (rc) {
			if (!keyed_in)
				kl = 0;
			w = who_get(&map, &v, &cap, a, key, kl, 1);
			if (keyed_in && w->in) {
				*line = ln.no;
				buf_addf(m, "line %zu: ", ln.no);
				match_quote(m, ls, ll);
				buf_adds(m, ": ");
				say_key(m, key, kl);
				buf_addf(m, " is already inside (it entered at line %zu)",
					 w->enter_line);
				rc = 0;
				goto out;
			}
			w->in++;
			w->enter_line = ln.no;
			w->enter_s = ls;
			w->enter_len = ll;
			if (++cur > peak)
				peak = cur;
			if ((long long)cur > tr->max) {
				*line = ln.no;
				buf_addf(m, "line %zu: ", ln.no);
				match_quote(m, ls, ll);
				buf_addf(m, " makes %zu inside at once, at most %lld allowed",
					 cur, tr->max);
				rc = 0;
				goto out;
			}
			continue;
		}
		rc = match_line(le, ls, ll, 1, &key, &kl, m, &scratch);
		if (rc < 0)
			goto out;
		if (!rc)
			continue;
		if (!keyed_out)
			kl = 0;
		w = who_get(&map, &v, &cap, a, key, kl, 0);
		if (!w || !w->in) {
			*line = ln.no;
			buf_addf(m, "line %zu: ", ln.no);
			match_quote(m, ls, ll);
			if (keyed_out) {
				buf_adds(m, " but ");
				say_key(m, key, kl);
				buf_adds(m, " is not inside (no enter before it)");
			} else {
				buf_adds(m, " with nobody inside");
			}
			rc = 0;
			goto out;
		}
		w->in--;
		cur--;
	}
	/* who entered and never left: the earliest such enter */
	for (i = 0; i < map.n; i++)
		if (v[i].in && (!left || v[i].enter_line < left->enter_line))
			left = &v[i];
	if (left) {
		*line = left->enter_line;
		buf_addf(m, "line %zu: ", left->enter_line);
		match_quote(m, left->enter_s, left->enter_len);
		buf_adds(m, " is never followed by its leave");
		rc = 0;
		goto out;
	}
	if (tr->reach && (long long)peak < tr->max) {
		buf_addf(m, "never %lld inside at once: at most %zu were", tr->max,
			 peak);
		rc = 0;
		goto out;
	}
	rc = 1;
out:
	free(v);
	smap_release(&map);
	buf_release(&scratch);
	return rc;
}

/* ---- order_per_key ---- */

struct progress {
	size_t next;      /* events seen so far */
	size_t last_line; /* the line of the last one */
	const char *last_s;
	size_t last_len;
};

int match_order_per_key(const struct spec_trace *tr, const char *a,
			size_t alen, struct buf *m, size_t *line)
{
	struct lines ln = { a, alen, 0, 0 };
	struct smap map;
	struct buf scratch;
	struct progress *v = NULL, *p, *stuck = NULL;
	size_t cap = 0, ll, kl, j, want, id, i;
	const char *ls, *key;
	int rc = 0;

	smap_init(&map, 64);
	buf_init(&scratch, 0);
	while (next_line(&ln, &ls, &ll)) {
		for (j = 0; j < tr->npats; j++) {
			rc = match_line(&tr->pats[j], ls, ll, 1, &key, &kl, m, &scratch);
			if (rc)
				break;
		}
		if (rc < 0)
			goto out;
		if (j == tr->npats)
			continue;
		id = smap_id(&map, a, key, kl, 1, NULL);
		if (id >= cap) {
			cap = cap ? 2 * cap : 64;
			v = xrealloc(v, cap * sizeof(*v));
			memset(v + id, 0, (cap - id) * sizeof(*v));
		}
		p = &v[id];
		if (!tr->cycle && p->next == tr->npats) {
			*line = ln.no;
			buf_addf(m, "line %zu: ", ln.no);
			match_quote(m, ls, ll);
			buf_adds(m, ": ");
			match_quote(m, key, kl);
			buf_addf(m, " already went through all its events (the last at line %zu)",
				 p->last_line);
			rc = 0;
			goto out;
		}
		want = p->next % tr->npats;
		if (j != want) {
			*line = ln.no;
			buf_addf(m, "line %zu: ", ln.no);
			match_quote(m, ls, ll);
			buf_adds(m, " is out of order for ");
			match_quote(m, key, kl);
			buf_adds(m, ": expected a line matching ");
			match_quote_pattern(m, tr->pats[want].src);
			if (p->next)
				buf_addf(m, " after line %zu", p->last_line);
			else
				buf_adds(m, " first");
			rc = 0;
			goto out;
		}
		p->next++;
		p->last_line = ln.no;
		p->last_s = ls;
		p->last_len = ll;
	}
	rc = 1;
	if (!tr->complete)
		goto out;
	for (i = 0; i < map.n; i++)
		if (v[i].next % tr->npats && (!stuck || v[i].last_line < stuck->last_line))
			stuck = &v[i];
	if (stuck) {
		*line = stuck->last_line;
		buf_addf(m, "line %zu: ", stuck->last_line);
		match_quote(m, stuck->last_s, stuck->last_len);
		buf_adds(m, " is not followed by a line matching ");
		match_quote_pattern(m, tr->pats[stuck->next % tr->npats].src);
		rc = 0;
	}
out:
	free(v);
	smap_release(&map);
	buf_release(&scratch);
	return rc;
}

/* ---- computed ---- */

/* s[0..n) as a whole is a decimal integer (optional sign). */
static int parse_integer(const char *s, size_t n, long long *out)
{
	char small[32], *end;
	size_t i = 0;

	if (n == 0 || n >= sizeof(small))
		return -1;
	if (s[0] == '-' || s[0] == '+')
		i = 1;
	if (i == n)
		return -1;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	memcpy(small, s, n);
	small[n] = '\0';
	errno = 0;
	*out = strtoll(small, &end, 10);
	return errno ? -1 : 0;
}

/* "800000 (= P*N)", or just "800000" when the expression is the number. */
static void say_value(struct buf *m, long long v, const char *expr)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", v);
	buf_adds(m, num);
	if (expr && strcmp(expr, num))
		buf_addf(m, " (= %s)", expr);
}

int match_computed(const struct spec_trace *tr, const char *a, size_t alen,
		   struct buf *m, size_t *line)
{
	const struct spec_pattern *p = &tr->pats[0];
	struct lines ln = { a, alen, 0, 0 };
	regmatch_t pm[10];
	const char *ls, *cs;
	size_t ll, cl, g, found = 0;
	struct buf scratch;
	long long x;
	int rc = 0;

	if (tr->nvalues + 1 > 10) {
		buf_adds(m, "at most 9 values per computed check");
		return -1;
	}
	buf_init(&scratch, 0);
	while (next_line(&ln, &ls, &ll)) {
		if (ll > INT_MAX)
			continue;
		rc = exec_line(&p->re, ls, ll, tr->nvalues + 1, pm, &scratch);
		if (rc == REG_NOMATCH)
			continue;
		if (rc) {
			buf_addf(m, "regular expression /%s/ failed (error %d)",
				 p->src, rc);
			rc = -1;
			goto out;
		}
		found++;
		for (g = 0; g < tr->nvalues; g++) {
			cs = ls + (pm[g + 1].rm_so < 0 ? 0 : pm[g + 1].rm_so);
			cl = pm[g + 1].rm_so < 0 ? 0 :
				(size_t)(pm[g + 1].rm_eo - pm[g + 1].rm_so);
			if (parse_integer(cs, cl, &x) == 0 && x == tr->values[g])
				continue;
			*line = ln.no;
			buf_addf(m, "line %zu: ", ln.no);
			match_quote(m, ls, ll);
			if (parse_integer(cs, cl, &x) == 0) {
				buf_addf(m, " has %lld, expected ", x);
			} else {
				buf_adds(m, ": ");
				match_quote(m, cs, cl);
				buf_adds(m, " is not an integer, expected ");
			}
			say_value(m, tr->values[g], tr->exprs ? tr->exprs[g] : NULL);
			rc = 0;
			goto out;
		}
	}
	rc = found > 0;
	if (rc)
		goto out;
	buf_adds(m, "no line matches ");
	match_quote_pattern(m, p->src);
	buf_adds(m, ": expected one with ");
	for (g = 0; g < tr->nvalues; g++) {
		if (g)
			buf_adds(m, " and ");
		say_value(m, tr->values[g], tr->exprs ? tr->exprs[g] : NULL);
	}
out:
	buf_release(&scratch);
	return rc;
}
