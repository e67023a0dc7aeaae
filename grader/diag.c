/*
 * diag.c - turns the text reports of the sanitizers and of valgrind into
 * located findings. See diag.h for the kinds and the location rule.
 *
 * Both families are read in two steps. First the log is cut into reports,
 * each a headline followed by sections: a section is a title line and the
 * stack frames under it ("READ of size 4 ..." then #0 #1 ..., " Block was
 * alloc'd at" then at/by ...). Then a report is classified from its
 * headline and turned into a finding, whose location is the first
 * student frame of its main stack (the first section that has frames) and
 * whose message is built from the other sections (where a block was
 * freed, which thread made the other access, ...).
 *
 * The input is untrusted text (a student's program may write anything to
 * the same stream, a log may be cut anywhere): every line is bounded, and
 * nothing is assumed about what follows a line.
 */
#define _GNU_SOURCE
#include "diag.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "util.h"

#define LINE_MAX_BYTES 4096   /* longer lines are cut: frames are short */
#define STACK_FRAMES 5        /* frames kept in finding.stack */
#define SECTION_FRAMES 64     /* frames kept per section (deep recursion) */
#define REPORT_SECTIONS 256   /* sections kept per report */
#define MAX_FINDINGS 1000     /* per call: a flood of reports says enough */
#define MESSAGE_MAX 600       /* bytes of finding.message */
#define SOURCE_LINE_MAX 300   /* bytes of a quoted source line */

struct frame {
	char *function; /* NULL when unknown ("???", "<null>") */
	char *file;     /* as printed; NULL when none */
	int line;       /* 0 when unknown */
	char *module;   /* the binary or library, when printed */
};

struct section {
	char *title; /* the line that opened it, trimmed */
	struct frame *frames;
	size_t nframes;
};

/* sec[0].title is the headline. */
struct report {
	struct section *sec;
	size_t nsec;
};

struct ctx {
	enum variant v;
	const char *const *sources;
	struct finding **list;
	size_t *n;
	int added;
};

/* ---- small string helpers ---- */

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* A copy of s without leading and trailing blanks. */
static char *trim_dup(const char *s)
{
	size_t len;

	s = skip_ws(s);
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return xstrndup(s, len);
}

/* Cuts s at the first occurrence of any of the NULL-terminated markers. */
static void cut_at(char *s, const char *const *markers)
{
	for (; *markers; markers++) {
		char *p = strstr(s, *markers);

		if (p)
			*p = '\0';
	}
}

static void lower_first(char *s)
{
	if (s[0] && isupper((unsigned char)s[0]) &&
	    !isupper((unsigned char)s[1]))
		s[0] = (char)tolower((unsigned char)s[0]);
}

/* Parses up to 9 digits (no overflow whatever the input). */
static int parse_num(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n && i < 9 && isdigit((unsigned char)s[i]); i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* ---- the log, cut into clean lines ---- */

/*
 * Splits the log into lines, dropping ANSI escape sequences (the tools
 * colour their reports when asked to), carriage returns and other control
 * bytes (NULs included), and cutting each line at LINE_MAX_BYTES.
 */
static char **split_lines(const char *log, size_t len, size_t *nlines)
{
	char **lines = NULL;
	size_t n = 0, cap = 0, i = 0;
	struct buf cur;

	buf_init(&cur, LINE_MAX_BYTES);
	while (i <= len) {
		unsigned char ch = i < len ? (unsigned char)log[i] : '\n';

		if (ch == '\n') {
			if (n + 1 >= cap) {
				cap = cap ? 2 * cap : 64;
				lines = xrealloc(lines, cap * sizeof(*lines));
			}
			lines[n++] = buf_detach(&cur, NULL);
			buf_init(&cur, LINE_MAX_BYTES);
			i++;
			if (i == len)
				break; /* no empty line after a final newline */
			continue;
		}
		if (ch == 0x1b) {
			/* ESC [ parameters final-byte; or ESC and one byte */
			i++;
			if (i < len && log[i] == '[') {
				i++;
				while (i < len && !((unsigned char)log[i] >= 0x40 &&
						    (unsigned char)log[i] <= 0x7e) &&
				       log[i] != '\n')
					i++;
			}
			if (i < len && log[i] != '\n')
				i++;
			continue;
		}
		if (ch == '\t')
			buf_addch(&cur, ' ');
		else if (ch >= 0x20 && ch != 0x7f)
			buf_addch(&cur, (char)ch);
		i++;
	}
	buf_release(&cur);
	*nlines = n;
	return lines;
}

static void free_lines(char **lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* ---- reports ---- */

static void report_add_section(struct report *r, const char *title)
{
	struct section *s;

	if (r->nsec >= REPORT_SECTIONS)
		return;
	r->sec = xrealloc(r->sec, (r->nsec + 1) * sizeof(*r->sec));
	s = &r->sec[r->nsec++];
	memset(s, 0, sizeof(*s));
	s->title = trim_dup(title);
}

static void frame_release(struct frame *f)
{
	free(f->function);
	free(f->file);
	free(f->module);
	memset(f, 0, sizeof(*f));
}

/* Adds f (taken) to the last section. */
static void report_add_frame(struct report *r, struct frame *f)
{
	struct section *s;

	if (!r->nsec) {
		frame_release(f);
		return;
	}
	s = &r->sec[r->nsec - 1];
	if (s->nframes >= SECTION_FRAMES) {
		frame_release(f);
		return;
	}
	s->frames = xrealloc(s->frames, (s->nframes + 1) * sizeof(*s->frames));
	s->frames[s->nframes++] = *f;
}

static void report_release(struct report *r)
{
	size_t i, j;

	for (i = 0; i < r->nsec; i++) {
		for (j = 0; j < r->sec[i].nframes; j++)
			frame_release(&r->sec[i].frames[j]);
		free(r->sec[i].frames);
		free(r->sec[i].title);
	}
	free(r->sec);
	memset(r, 0, sizeof(*r));
}

static const char *headline(const struct report *r)
{
	return r->nsec ? r->sec[0].title : "";
}

/* The first section with frames at or after index from; NULL if none. */
static const struct section *stack_from(const struct report *r, size_t from)
{
	for (; from < r->nsec; from++)
		if (r->sec[from].nframes)
			return &r->sec[from];
	return NULL;
}

/* The first section whose title starts with prefix (or contains it when
 * anywhere is set); returns its index or -1. */
static long find_section(const struct report *r, const char *text, int anywhere)
{
	size_t i;

	for (i = 0; i < r->nsec; i++)
		if (anywhere ? strstr(r->sec[i].title, text) != NULL
			     : starts(r->sec[i].title, text))
			return (long)i;
	return -1;
}

/* ---- frames ---- */

/* "path:line[:col]" -> file and line; 0 if s is not one. */
static int split_location(const char *s, size_t len, char **file, int *line)
{
	size_t end = len, i;
	int nums[2] = { 0, 0 }, nnum = 0;

	while (nnum < 2) {
		i = end;
		while (i > 0 && isdigit((unsigned char)s[i - 1]))
			i--;
		if (i == end || i < 2 || s[i - 1] != ':')
			break;
		nums[nnum++] = parse_num(s + i, end - i);
		end = i - 1;
	}
	if (!nnum || !end)
		return 0;
	*line = nnum == 2 ? nums[1] : nums[0];
	*file = xstrndup(s, end);
	return 1;
}

static int ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/* Looks like a source file named without a line ("f.c"), or a module. */
static int looks_like_source(const char *s, size_t len)
{
	return ends_with(s, len, ".c") || ends_with(s, len, ".h") ||
	       ends_with(s, len, ".cc") || ends_with(s, len, ".cpp") ||
	       ends_with(s, len, ".S");
}

static int looks_like_module(const char *s, size_t len)
{
	return ends_with(s, len, ".o") || ends_with(s, len, ".so") ||
	       memmem(s, len, ".so.", 4) != NULL;
}

/* Index of the '(' matching the ')' at s[end - 1], or -1. */
static long open_paren(const char *s, size_t start, size_t end)
{
	int depth = 0;
	size_t i = end;

	while (i > start) {
		i--;
		if (s[i] == ')')
			depth++;
		else if (s[i] == '(' && --depth == 0)
			return (long)i;
	}
	return -1;
}

static char *module_name(const char *s, size_t len)
{
	const char *plus = memchr(s, '+', len);
	char *path = xstrndup(s, plus ? (size_t)(plus - s) : len);
	char *name = xstrdup(base_name(path));

	free(path);
	return name;
}

static void set_function(struct frame *f, const char *s, size_t len)
{
	char *plus;

	while (len > 0 && s[len - 1] == ' ')
		len--;
	while (len > 0 && *s == ' ')
		s++, len--;
	if (!len || (len == 6 && !memcmp(s, "<null>", 6)) ||
	    (len == 3 && !memcmp(s, "???", 3)))
		return;
	f->function = xstrndup(s, len);
	/* "foo+0x12": an offset from the symbol, not part of the name;
	 * "pthread_create@@GLIBC_2.34": a symbol version */
	plus = strstr(f->function, "+0x");
	if (plus && plus != f->function)
		*plus = '\0';
	plus = strchr(f->function, '@');
	if (plus && plus != f->function)
		*plus = '\0';
}

/*
 * A sanitizer frame, from after "#N ":
 *   0x55.. in main /src/f.c:12:5           (ASan, UBSan; column: clang)
 *   0x7f.. in __interceptor_malloc (/lib/libasan.so.8+0xb89cf) (BuildId: ..)
 *   0x7f.. (/lib/x86_64-linux-gnu/libc.so.6+0x29d90)
 *   worker /src/race.c:14 (prog+0x11d6)      (TSan: no address)
 *   malloc <null> (prog+0x4fc01) (BuildId: ..)
 */
static void parse_san_frame(const char *p, struct frame *f)
{
	size_t start, end;
	long open;
	const char *sp;

	memset(f, 0, sizeof(*f));
	p = skip_ws(p);
	if (starts(p, "0x")) {
		p += 2;
		while (isxdigit((unsigned char)*p))
			p++;
		p = skip_ws(p);
		if (starts(p, "in "))
			p += 3;
	}
	start = 0;
	end = strlen(p);
	/* peel trailing "(module+0x..)" and "(BuildId: ..)" groups */
	for (;;) {
		while (end > start && p[end - 1] == ' ')
			end--;
		if (end == start || p[end - 1] != ')')
			break;
		open = open_paren(p, start, end);
		if (open < 0 || ((size_t)open > start && p[open - 1] != ' '))
			break;
		if (starts(p + open + 1, "BuildId:")) {
			end = (size_t)open;
			continue;
		}
		if (memmem(p + open + 1, end - 2 - (size_t)open, "+0x", 3) ||
		    p[open + 1] == '/') {
			if (!f->module)
				f->module = module_name(p + open + 1,
							end - 2 - (size_t)open);
			end = (size_t)open;
			continue;
		}
		break;
	}
	if (end == start)
		return;
	/* "function location": the location is the last word, if any */
	sp = p + end;
	while (sp > p + start && sp[-1] != ' ')
		sp--;
	if (sp > p + start) {
		size_t flen = (size_t)(sp - 1 - p) - start;
		size_t toklen = (size_t)(p + end - sp);

		if (toklen == 6 && !memcmp(sp, "<null>", 6)) {
			set_function(f, p + start, flen);
			return;
		}
		if (split_location(sp, toklen, &f->file, &f->line)) {
			set_function(f, p + start, flen);
			return;
		}
		if (looks_like_source(sp, toklen)) {
			/* a file without line information */
			f->file = xstrndup(sp, toklen);
			set_function(f, p + start, flen);
			return;
		}
		if (looks_like_module(sp, toklen)) {
			if (!f->module)
				f->module = xstrndup(sp, toklen);
			set_function(f, p + start, flen);
			return;
		}
	}
	set_function(f, p + start, end - start);
}

/* "#12 ..." -> the text after the number, or NULL. */
static const char *san_frame_text(const char *s)
{
	s = skip_ws(s);
	if (*s != '#' || !isdigit((unsigned char)s[1]))
		return NULL;
	s++;
	while (isdigit((unsigned char)*s))
		s++;
	if (*s != ' ' && *s != '\0')
		return NULL;
	return s;
}

/*
 * A valgrind frame, from after "at " or "by ":
 *   0x1091B1: set (memory.c:21)
 *   0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
 *   0x484C7D6: ??? (in /usr/libexec/valgrind/vgpreload_helgrind-amd64-linux.so)
 *   0x4955B09: pipe (pipe.c:29)
 */
static void parse_vg_frame(const char *p, struct frame *f)
{
	size_t end;
	long open;

	memset(f, 0, sizeof(*f));
	if (starts(p, "0x")) {
		p += 2;
		while (isxdigit((unsigned char)*p))
			p++;
	}
	if (*p == ':')
		p++;
	p = skip_ws(p);
	end = strlen(p);
	while (end > 0 && p[end - 1] == ' ')
		end--;
	if (end > 0 && p[end - 1] == ')' && (open = open_paren(p, 0, end)) > 0 &&
	    p[open - 1] == ' ') {
		const char *in = p + open + 1;
		size_t inlen = end - 2 - (size_t)open;

		if (inlen > 3 && starts(in, "in ")) {
			f->module = module_name(in + 3, inlen - 3);
			set_function(f, p, (size_t)open);
			return;
		}
		if (split_location(in, inlen, &f->file, &f->line)) {
			set_function(f, p, (size_t)open);
			return;
		}
	}
	set_function(f, p, end);
}

/* "at 0x..." / "by 0x..." -> the text after the word, or NULL. */
static const char *vg_frame_text(const char *s)
{
	s = skip_ws(s);
	if ((starts(s, "at 0x") || starts(s, "by 0x")))
		return s + 3;
	return NULL;
}

/* ---- locating ---- */

/* A path of the system or of a tool's runtime (fallback without sources). */
static int system_path(const char *file)
{
	static const char *const parts[] = {
		"libsanitizer", "sanitizer_common", "compiler-rt", "sysdeps",
		"csu/", "libio/", "nptl/", "vg_replace", "valgrind", NULL
	};
	const char *const *p;

	if (starts(file, "/usr/") || starts(file, "/lib") || starts(file, "../"))
		return 1;
	for (p = parts; *p; p++)
		if (strstr(file, *p))
			return 1;
	return ends_with(file, strlen(file), ".S");
}

/* The name to record when file is one of the student's sources, else NULL:
 * the matching entry of sources, or (without sources) file's basename. */
static const char *student_name(const struct ctx *c, const char *file)
{
	const char *const *s;
	const char *base;

	if (!file || !*file)
		return NULL;
	base = base_name(file);
	if (!c->sources || !c->sources[0])
		return system_path(file) || !*base ? NULL : base;
	for (s = c->sources; *s; s++)
		if (**s && !strcmp(base_name(*s), base))
			return *s;
	return NULL;
}

static const struct frame *student_frame(const struct ctx *c,
					 const struct section *s,
					 const char **name)
{
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < s->nframes; i++) {
		const char *nm = student_name(c, s->frames[i].file);

		if (nm) {
			if (name)
				*name = nm;
			return &s->frames[i];
		}
	}
	return NULL;
}

/* "f.c:12" for the section's student frame; else the first frame with a
 * file outside the system and runtimes; else the first with a file
 * ("vasprintf.c:71"); else the first function; else "?". */
static char *where(const struct ctx *c, const struct section *s)
{
	const char *name = NULL;
	const struct frame *f = student_frame(c, s, &name);
	size_t i;

	if (f)
		return xasprintf("%s:%d", name, f->line);
	for (i = 0; s && i < s->nframes; i++)
		if (s->frames[i].file && !system_path(s->frames[i].file))
			return xasprintf("%s:%d", base_name(s->frames[i].file),
					 s->frames[i].line);
	for (i = 0; s && i < s->nframes; i++)
		if (s->frames[i].file)
			return xasprintf("%s:%d", base_name(s->frames[i].file),
					 s->frames[i].line);
	for (i = 0; s && i < s->nframes; i++)
		if (s->frames[i].function)
			return xstrdup(s->frames[i].function);
	return xstrdup("?");
}

static char *stack_text(const struct section *s)
{
	struct buf b;
	size_t i;

	buf_init(&b, 4096);
	for (i = 0; s && i < s->nframes && i < STACK_FRAMES; i++) {
		const struct frame *f = &s->frames[i];

		buf_adds(&b, f->function ? f->function : "??");
		if (f->file && f->line > 0)
			buf_addf(&b, " %s:%d", base_name(f->file), f->line);
		else if (f->file)
			buf_addf(&b, " %s", base_name(f->file));
		else if (f->module)
			buf_addf(&b, " (%s)", f->module);
		buf_addch(&b, '\n');
	}
	return buf_detach(&b, NULL);
}

/* One line of at most MESSAGE_MAX bytes, taken from m. */
static char *one_line(char *m)
{
	size_t i, o = 0;
	int space = 0;

	for (i = 0; m[i]; i++) {
		char ch = m[i];

		if (ch == '\n' || ch == '\r' || ch == '\t')
			ch = ' ';
		if (ch == ' ' && (space || o == 0))
			continue;
		space = ch == ' ';
		m[o++] = ch;
	}
	while (o > 0 && m[o - 1] == ' ')
		o--;
	m[o] = '\0';
	if (o > MESSAGE_MAX) {
		o = MESSAGE_MAX - 3;
		while (o > 0 && ((unsigned char)m[o] & 0xc0) == 0x80)
			o--;
		memcpy(m + o, "...", 4);
	}
	return m;
}

/* Appends a finding located at the student frame of `at`, with the stack
 * of `at`, and message (taken). */
static void emit(struct ctx *c, const char *tool, const char *kind,
		 const struct section *at, char *message)
{
	struct finding *f;
	const struct frame *fr;
	const char *name = NULL;

	if (c->added >= MAX_FINDINGS) {
		free(message);
		return;
	}
	*c->list = xrealloc(*c->list, (*c->n + 1) * sizeof(**c->list));
	f = &(*c->list)[(*c->n)++];
	memset(f, 0, sizeof(*f));
	f->tool = xstrdup(tool);
	f->kind = xstrdup(kind);
	f->variant = c->v;
	f->count = 1;
	fr = student_frame(c, at, &name);
	if (fr) {
		f->file = xstrdup(name);
		f->line = fr->line;
		f->function = fr->function ? xstrdup(fr->function) : NULL;
	}
	f->stack = stack_text(at);
	f->message = one_line(message);
	c->added++;
}

/* ---- AddressSanitizer, LeakSanitizer ---- */

/* The kind of an ASan headline (allocated), or NULL when unknown. */
static char *asan_kind(const char *h)
{
	static const struct {
		const char *prefix, *kind;
	} known[] = {
		{ "attempting double-free", "double-free" },
		{ "attempting free on address which was not malloc", "bad-free" },
		{ "SEGV", "segv" },
		{ "BUS", "bus-error" },
		{ "FPE", "fpe" },
		{ "ILL", "illegal-instruction" },
		{ "ABRT", "abort" },
		{ "requested allocation size", "allocation-size-too-big" },
		{ "allocator is out of memory", "out-of-memory" },
		{ "out of memory", "out-of-memory" },
		{ "attempting to call malloc_usable_size", "bad-malloc_usable_size" },
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (starts(h, known[i].prefix))
			return xstrdup(known[i].kind);
	/* ASan names most errors itself: "heap-buffer-overflow on address" */
	while (n < 64 && (islower((unsigned char)h[n]) ||
			  isdigit((unsigned char)h[n]) || h[n] == '-' || h[n] == '_'))
		n++;
	if (n > 2 && memchr(h, '-', n) && (h[n] == ' ' || h[n] == ':' || !h[n]))
		return xstrndup(h, n);
	return NULL;
}

/* "0 bytes to the right of 40-byte region", "overflows variable 'local'
 * (line 38)", ... from the "is located" sections; NULL if none. */
static char *asan_located(const struct report *r)
{
	long i = find_section(r, " is located ", 1);
	long var = find_section(r, "<== Memory access at offset ", 1);
	char *text, *p;
	static const char *const cuts[] = { " [0x", " defined in '", " (0x", NULL };

	if (var >= 0) {
		/* "[32, 48) 'local' (line 38) <== Memory access at offset 48
		 * overflows this variable" */
		const char *t = r->sec[var].title, *q = strchr(t, '\'');
		const char *arrow = strstr(t, "<== Memory access at offset ");
		const char *verb = arrow + strlen("<== Memory access at offset ");
		size_t vlen;

		while (isdigit((unsigned char)*verb))
			verb++;
		verb = skip_ws(verb);
		p = strstr(verb, " this variable");
		vlen = p ? (size_t)(p - verb) : strlen(verb);
		if (q && q < arrow) {
			size_t qlen = (size_t)(arrow - q);

			while (qlen > 0 && q[qlen - 1] == ' ')
				qlen--;
			return xasprintf("%.*s variable %.*s", (int)vlen, verb,
					 (int)qlen, q);
		}
	}
	if (i < 0)
		return NULL;
	p = strstr(r->sec[i].title, " is located ");
	text = xstrdup(p + strlen(" is located "));
	cut_at(text, cuts);
	/* the global's name follows "defined in '...'": keep "of size N" */
	p = strstr(r->sec[i].title, ") of size ");
	if (p && strstr(text, "global variable")) {
		char *with = xasprintf("%s%s", text, p + 1);

		free(text);
		text = with;
	}
	return text;
}

static void asan_emit(struct ctx *c, const struct report *r, const char *tool)
{
	const char *h = headline(r);
	char *kind = asan_kind(h);
	const struct section *at = stack_from(r, 0);
	struct buf m;
	long i;
	char *located;
	static const char *const cuts[] = { " on address 0x", " on 0x", ": 0x",
					    " in thread T", " (pc 0x", " at pc 0x",
					    NULL };

	buf_init(&m, 4096);
	i = find_section(r, "READ of size ", 0);
	if (i < 0)
		i = find_section(r, "WRITE of size ", 0);
	if (i >= 0) {
		char *acc = xstrdup(r->sec[i].title);
		static const char *const acc_cuts[] = { " at 0x", NULL };

		cut_at(acc, acc_cuts);
		acc[0] = (char)tolower((unsigned char)acc[0]);
		for (char *q = acc; *q && *q != ' '; q++)
			*q = (char)tolower((unsigned char)*q);
		buf_adds(&m, acc);
		free(acc);
	} else if (starts(h, "attempting double-free")) {
		buf_adds(&m, "double free");
	} else if (starts(h, "attempting free on address which was not malloc")) {
		buf_adds(&m, "free() of an address that malloc() did not return");
	} else {
		char *head = xstrdup(h);
		size_t hl;

		cut_at(head, cuts);
		hl = strlen(head);
		if (hl && head[hl - 1] == ':')
			head[hl - 1] = '\0';
		buf_adds(&m, head);
		free(head);
	}
	located = asan_located(r);
	if (located) {
		buf_addf(&m, ", %s", located);
		free(located);
	}
	i = find_section(r, "freed by thread ", 0);
	if (i >= 0 && r->sec[i].nframes) {
		char *w = where(c, &r->sec[i]);

		buf_addf(&m, ", freed at %s", w);
		free(w);
	}
	i = find_section(r, "previously allocated by thread ", 0);
	if (i < 0)
		i = find_section(r, "allocated by thread ", 0);
	if (i >= 0 && r->sec[i].nframes) {
		char *w = where(c, &r->sec[i]);

		buf_addf(&m, ", allocated at %s", w);
		free(w);
	}
	i = find_section(r, "The signal is caused by a ", 0);
	if (i >= 0) {
		char *t = xstrdup(r->sec[i].title + strlen("The signal is caused by "));
		size_t tl = strlen(t);

		if (tl && t[tl - 1] == '.')
			t[tl - 1] = '\0';
		buf_addf(&m, ", caused by %s", t);
		free(t);
	}
	i = find_section(r, "Hint: ", 0);
	if (i >= 0) {
		const char *hint = r->sec[i].title + strlen("Hint: ");
		size_t hl = strlen(hint);

		if (hl && hint[hl - 1] == '.')
			hl--;
		buf_addf(&m, " (%.*s)", (int)hl, hint);
	}
	if (!kind)
		kind = xasprintf("%s-other", tool);
	emit(c, tool, kind, at, buf_detach(&m, NULL));
	free(kind);
}

static void lsan_emit(struct ctx *c, const struct report *r)
{
	size_t i;

	if (!strstr(headline(r), "detected memory leaks")) {
		emit(c, "lsan", "lsan-other", stack_from(r, 0), xstrdup(headline(r)));
		return;
	}
	for (i = 1; i < r->nsec; i++) {
		const struct section *s = &r->sec[i];
		int direct = starts(s->title, "Direct leak of ");
		char *what, *msg;

		if (!direct && !starts(s->title, "Indirect leak of "))
			continue;
		/* "16 byte(s) in 1 object(s)" */
		what = xstrdup(strstr(s->title, " of ") + 4);
		{
			static const char *const cuts[] = { " allocated from", NULL };

			cut_at(what, cuts);
		}
		if (direct)
			msg = xasprintf("%s definitely lost (direct leak: no pointer to it remains)",
					what);
		else
			msg = xasprintf("%s indirectly lost (reachable only from other leaked blocks)",
					what);
		if (!student_frame(c, s, NULL) && s->nframes) {
			/* the stack stops inside libc (the fast unwinder cannot go
			 * further): name the caller of malloc, at least */
			const struct frame *f = &s->frames[s->nframes > 1 ? 1 : 0];
			char *with = xasprintf("%s, allocated in %s", msg,
					       f->function ? f->function : "??");

			free(msg);
			msg = with;
		}
		free(what);
		emit(c, "lsan", "memory-leak", s, msg);
	}
}

/* ---- UndefinedBehaviorSanitizer ---- */

static const char *ubsan_kind(const char *m)
{
	static const struct {
		const char *text, *kind;
	} known[] = {
		{ "signed integer overflow", "signed-integer-overflow" },
		{ "negation of", "signed-integer-overflow" },
		{ "division of", "signed-integer-overflow" }, /* INT_MIN / -1 */
		{ "shift exponent", "shift" },
		{ "left shift of", "shift" },
		{ "division by zero", "division-by-zero" },
		{ "null pointer passed as argument", "nonnull-argument" },
		{ "null pointer returned from function", "nonnull-return" },
		{ "null pointer", "null-pointer" },
		{ "misaligned address", "misaligned" },
		{ "out of bounds for type", "out-of-bounds-index" },
		{ "not a valid value for type '_Bool'", "invalid-bool-load" },
		{ "not a valid value for type 'bool'", "invalid-bool-load" },
		{ "not a valid value for type", "invalid-enum-load" },
		{ "insufficient space for an object", "object-size" },
		{ "pointer index expression", "pointer-overflow" },
		{ "addition of unsigned offset", "pointer-overflow" },
		{ "subtraction of unsigned offset", "pointer-overflow" },
		{ "applying", "pointer-overflow" },
		{ "variable length array bound", "vla-bound" },
		{ "unreachable program point", "unreachable" },
		{ "reached the end of a value-returning function", "missing-return" },
		{ "outside the range of representable values", "float-cast-overflow" },
		{ "implicit conversion", "implicit-conversion" },
		{ "through pointer to incorrect function type", "function-type" },
		{ "assumption of", "alignment-assumption" },
		{ "passing zero to", "builtin" },
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strstr(m, known[i].text))
			return known[i].kind;
	return "ubsan-other";
}

static void ubsan_emit(struct ctx *c, const struct report *r)
{
	const char *h = headline(r);
	const char *msg = strstr(h, ": runtime error: ");
	const struct section *at = stack_from(r, 0);
	char *file = NULL;
	int line = 0, before;
	const char *name;

	if (!msg) {
		/* "ERROR: UndefinedBehaviorSanitizer: SEGV on unknown address" */
		asan_emit(c, r, "ubsan");
		return;
	}
	before = c->added;
	emit(c, "ubsan", ubsan_kind(msg), at, xstrdup(msg + strlen(": runtime error: ")));
	/* without a stack (print_stacktrace=0) the headline has the place */
	if (c->added == before || (*c->list)[*c->n - 1].file)
		return;
	{
		const char *loc = msg;

		while (loc > h && loc[-1] != ' ')
			loc--;
		if (split_location(loc, (size_t)(msg - loc), &file, &line) &&
		    (name = student_name(c, file))) {
			struct finding *f = &(*c->list)[*c->n - 1];

			f->file = xstrdup(name);
			f->line = line;
		}
		free(file);
	}
}

/* ---- ThreadSanitizer ---- */

static const char *tsan_kind(const char *h)
{
	static const struct {
		const char *prefix, *kind;
	} known[] = {
		{ "data race", "data-race" },
		{ "lock-order-inversion", "lock-order-inversion" },
		{ "unlock of an unlocked mutex", "unlock-of-unlocked-mutex" },
		{ "destroy of a locked mutex", "destroy-locked-mutex" },
		{ "double lock of a mutex", "double-lock" },
		{ "read lock of a write locked mutex", "double-lock" },
		{ "use of an invalid mutex", "invalid-mutex" },
		{ "signal-unsafe call inside of a signal", "signal-unsafe-call-in-handler" },
		{ "signal handler spoils errno", "errno-spoiled-in-handler" },
		{ "thread leak", "thread-leak" },
		{ "heap-use-after-free", "heap-use-after-free" },
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (starts(h, known[i].prefix))
			return known[i].kind;
	return "tsan-other";
}

/* From "Read of size 4 at 0x.. by thread T2:" (or "Previous write ...
 * by main thread (mutexes: write M0):"): the access ("read of size 4", or
 * "read" when short) and who made it ("thread T2"). */
static void tsan_access(const char *title, int short_form, char **access,
			char **who)
{
	const char *at = strstr(title, " at 0x");
	const char *by = strstr(title, " by ");
	const char *t = title;
	size_t n;

	if (starts(t, "Previous "))
		t += strlen("Previous ");
	n = at ? (size_t)(at - t) : strlen(t);
	if (short_form) {
		const char *of = strstr(t, " of size ");

		if (of && (!at || of < at))
			n = (size_t)(of - t);
	}
	*access = xstrndup(t, n);
	for (char *q = *access; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	if (by) {
		char *w = xstrdup(by + 4);
		static const char *const cuts[] = { " (", ":", NULL };

		cut_at(w, cuts);
		*who = w;
	} else {
		*who = xstrdup("a thread");
	}
}

static char *tsan_race_message(const struct ctx *c, const struct report *r)
{
	const struct section *cur = stack_from(r, 0);
	long prev = find_section(r, "Previous ", 0);
	long loc = find_section(r, "Location is ", 0);
	struct buf m;
	char *acc, *who, *w;

	if (!cur)
		return xstrdup(headline(r));
	buf_init(&m, 4096);
	tsan_access(cur->title, 0, &acc, &who);
	w = where(c, cur);
	buf_addf(&m, "%s at %s by %s", acc, w, who);
	free(acc);
	free(who);
	free(w);
	if (prev >= 0) {
		tsan_access(r->sec[prev].title, 1, &acc, &who);
		w = where(c, &r->sec[prev]);
		buf_addf(&m, " races with %s at %s by %s", acc, w, who);
		free(acc);
		free(who);
		free(w);
	}
	if (loc >= 0) {
		/* "Location is global 'counter' of size 4 at 0x..." */
		char *l = xstrdup(r->sec[loc].title + strlen("Location is "));
		static const char *const cuts[] = { " of size", " at 0x", ".", NULL };

		cut_at(l, cuts);
		buf_addf(&m, " (%s)", l);
		free(l);
	}
	return buf_detach(&m, NULL);
}

static void tsan_emit(struct ctx *c, const struct report *r)
{
	char *h = xstrdup(headline(r));
	const char *kind;
	const struct section *at = stack_from(r, 0);
	struct buf m;
	char *p = strstr(h, " (pid=");
	size_t i;

	if (p)
		*p = '\0';
	kind = tsan_kind(h);
	buf_init(&m, 4096);
	if (!strcmp(kind, "data-race")) {
		char *msg = tsan_race_message(c, r);

		buf_adds(&m, msg);
		free(msg);
	} else if (!strcmp(kind, "lock-order-inversion")) {
		/* "Mutex M1 acquired here while holding mutex M0 in thread T1:" */
		static const char hold_text[] = " acquired here while holding mutex ";
		int first = 1;

		buf_adds(&m, "potential deadlock:");
		for (i = 0; i < r->nsec; i++) {
			const char *t = r->sec[i].title;
			const char *hold = strstr(t, hold_text), *held, *in;
			char *w;

			if (!starts(t, "Mutex ") || !hold)
				continue;
			held = hold + strlen(hold_text);
			in = strstr(held, " in thread ");
			w = where(c, &r->sec[i]);
			buf_addf(&m, "%s %.*s taken at %s while holding %.*s",
				 first ? "" : ";", (int)(hold - t - 6), t + 6, w,
				 (int)(in ? (size_t)(in - held) : strcspn(held, ":")),
				 held);
			if (in)
				buf_addf(&m, " (thread %.*s)",
					 (int)strcspn(in + 11, ":"), in + 11);
			free(w);
			first = 0;
		}
		if (first)
			buf_adds(&m, " lock-order-inversion");
	} else if (!strcmp(kind, "signal-unsafe-call-in-handler") && at &&
		   at->frames[0].function) {
		const char *fn = at->frames[0].function;

		if (starts(fn, "__interceptor_"))
			fn += strlen("__interceptor_");
		buf_addf(&m, "call to %s() inside a signal handler: it is not async-signal-safe",
			 fn);
	} else if (!strcmp(kind, "thread-leak")) {
		/* "Thread T1 (tid=3886, finished) created by main thread at:" */
		long t = find_section(r, "Thread T", 0);

		if (t >= 0) {
			char *w = where(c, &r->sec[t]);

			buf_addf(&m, "thread %.*s created at %s was never joined (nor detached)",
				 (int)strcspn(r->sec[t].title + 7, " :"),
				 r->sec[t].title + 7, w);
			free(w);
		} else {
			buf_adds(&m, h);
		}
	} else {
		long t;

		buf_adds(&m, h);
		t = find_section(r, " created at", 1);
		if (t >= 0 && starts(r->sec[t].title, "Mutex ") && r->sec[t].nframes) {
			char *w = where(c, &r->sec[t]);

			buf_addf(&m, "; the mutex was created at %s", w);
			free(w);
		}
		t = find_section(r, "and:", 0);
		if (t >= 0 && r->sec[t].nframes) {
			char *w = where(c, &r->sec[t]);

			buf_addf(&m, "; it was locked at %s", w);
			free(w);
		}
	}
	emit(c, "tsan", kind, at, buf_detach(&m, NULL));
	free(h);
}

/* ---- the sanitizers' stream ---- */

enum san { SAN_NONE, SAN_ASAN, SAN_LSAN, SAN_UBSAN, SAN_TSAN };

/* Which report starts at line s (pid prefix already skipped), or SAN_NONE.
 * *head is set to the headline: after "ERROR: AddressSanitizer: " etc.,
 * or the whole "file:line:col: runtime error: ..." text. */
static enum san san_start(const char *s, const char **head)
{
	static const struct {
		const char *prefix;
		enum san kind;
	} starts_with[] = {
		{ "ERROR: AddressSanitizer: ", SAN_ASAN },
		{ "ERROR: LeakSanitizer: ", SAN_LSAN },
		{ "WARNING: ThreadSanitizer: ", SAN_TSAN },
		{ "ERROR: ThreadSanitizer: ", SAN_TSAN },
		{ "ERROR: UndefinedBehaviorSanitizer: ", SAN_UBSAN },
	};
	const char *p;
	size_t i;

	s = skip_ws(s);
	for (i = 0; i < sizeof(starts_with) / sizeof(starts_with[0]); i++)
		if (starts(s, starts_with[i].prefix)) {
			*head = s + strlen(starts_with[i].prefix);
			return starts_with[i].kind;
		}
	p = strstr(s, ": runtime error: ");
	if (p) {
		/* the location is the word before; a program's own output may
		 * precede it on the same line */
		const char *loc = p;

		while (loc > s && loc[-1] != ' ')
			loc--;
		*head = loc;
		return SAN_UBSAN;
	}
	return SAN_NONE;
}

/* "==1234==" at the start of a line (ASan, LSan) */
static const char *skip_pid(const char *s)
{
	const char *p = s;

	if (!starts(p, "=="))
		return s;
	p += 2;
	if (!isdigit((unsigned char)*p))
		return s;
	while (isdigit((unsigned char)*p))
		p++;
	return starts(p, "==") ? p + 2 : s;
}

static void san_finish(struct ctx *c, enum san kind, struct report *r)
{
	switch (kind) {
	case SAN_ASAN:
		asan_emit(c, r, "asan");
		break;
	case SAN_LSAN:
		lsan_emit(c, r);
		break;
	case SAN_UBSAN:
		ubsan_emit(c, r);
		break;
	case SAN_TSAN:
		tsan_emit(c, r);
		break;
	case SAN_NONE:
		break;
	}
	report_release(r);
}

static void parse_sanitizers(struct ctx *c, char **lines, size_t n)
{
	struct report r = { NULL, 0 };
	enum san cur = SAN_NONE;
	size_t i, frames = 0, idle = 0;

	for (i = 0; i < n; i++) {
		const char *s = skip_pid(lines[i]);
		const char *head = NULL, *ft;
		enum san start = san_start(s, &head);
		const char *t = skip_ws(s);

		if (start != SAN_NONE) {
			san_finish(c, cur, &r);
			cur = start;
			report_add_section(&r, head);
			frames = idle = 0;
			continue;
		}
		if (cur == SAN_NONE)
			continue;
		if (starts(t, "SUMMARY: ") || starts(t, "ABORTING") ||
		    (t[0] == '=' && t[strspn(t, "=")] == '\0' && t[1] == '=')) {
			san_finish(c, cur, &r);
			cur = SAN_NONE;
			continue;
		}
		if ((ft = san_frame_text(s))) {
			struct frame f;

			parse_san_frame(ft, &f);
			report_add_frame(&r, &f);
			frames++;
			idle = 0;
			continue;
		}
		if (!*t) {
			/* UBSan's report is one stack: a blank line ends it */
			if (cur == SAN_UBSAN && frames) {
				san_finish(c, cur, &r);
				cur = SAN_NONE;
			}
			continue;
		}
		if (cur == SAN_UBSAN && (frames || ++idle > 6)) {
			/* the program's own output again */
			san_finish(c, cur, &r);
			cur = SAN_NONE;
			continue;
		}
		report_add_section(&r, t);
	}
	san_finish(c, cur, &r);
}

/* ---- valgrind ---- */

struct vg_stream {
	long pid;
	char **lines; /* borrowed from the split log */
	size_t n;
};

/* "==123== text" -> pid 123 and the text after "== " (or "" for a line
 * that is only the prefix); -1 for any other line. */
static long vg_prefix(const char *s, const char **text)
{
	const char *p = s;
	long pid = 0;
	int digits = 0;

	if (!starts(p, "=="))
		return -1;
	p += 2;
	while (isdigit((unsigned char)*p)) {
		if (digits++ < 9)
			pid = pid * 10 + (*p - '0');
		p++;
	}
	if (!digits || !starts(p, "=="))
		return -1;
	p += 2;
	if (*p == ' ')
		p++;
	*text = p;
	return pid;
}

/* "Thread 3:" (valgrind names the thread of the errors that follow) */
static int thread_context(const char *t)
{
	if (!starts(t, "Thread "))
		return 0;
	t += 7;
	if (!isdigit((unsigned char)*t))
		return 0;
	while (isdigit((unsigned char)*t))
		t++;
	return t[0] == ':' && t[1] == '\0';
}

/* The description after "Address 0x... is " in section i, for a message:
 * "0 bytes after a block of size 40 alloc'd", or the whole sentence when it
 * is not about a block ("address 0x8 is not stack'd, ..."). */
static char *vg_address_text(const struct report *r, long i)
{
	const char *t = r->sec[i].title;
	const char *is = strstr(t, " is ");
	char *text;

	if (is && isdigit((unsigned char)is[4]))
		return xstrdup(is + 4);
	text = xstrdup(t);
	lower_first(text);
	return text;
}

static char *vg_memory_message(const struct ctx *c, const struct report *r,
			       const char *what)
{
	struct buf m;
	long a = find_section(r, "Address 0x", 0);
	long alloc = find_section(r, "Block was alloc'd at", 0);

	buf_init(&m, 4096);
	buf_adds(&m, what);
	if (a >= 0) {
		char *addr = vg_address_text(r, a);

		buf_addf(&m, ": %s", addr);
		free(addr);
		if (r->sec[a].nframes) {
			char *w = where(c, &r->sec[a]);

			buf_addf(&m, " at %s", w);
			free(w);
		}
	}
	if (alloc >= 0 && r->sec[alloc].nframes) {
		char *w = where(c, &r->sec[alloc]);

		buf_addf(&m, " (block alloc'd at %s)", w);
		free(w);
	}
	return buf_detach(&m, NULL);
}

/* fd-leak message from "Open file descriptor 4: /etc/hostname" or "Open
 * AF_INET socket 5: 127.0.0.1:80 <-> ..."; NULL for an inherited one. */
static char *vg_fd_message(const struct report *r, const struct section *at)
{
	const char *t = headline(r) + strlen("Open ");
	const char *colon = strchr(t, ':');
	const char *opener = at && at->nframes ? at->frames[0].function : NULL;
	struct buf m;

	if (find_section(r, "<inherited from parent>", 0) >= 0 || !at)
		return NULL;
	buf_init(&m, 4096);
	buf_addf(&m, "%.*s", (int)(colon ? colon - t : (long)strlen(t)), t);
	if (colon && *skip_ws(colon + 1))
		buf_addf(&m, " (%s)", skip_ws(colon + 1));
	buf_adds(&m, " still open at exit");
	if (opener)
		buf_addf(&m, ", opened by %.*s()", (int)strcspn(opener, "@"), opener);
	return buf_detach(&m, NULL);
}

static void memcheck_emit(struct ctx *c, const struct report *r)
{
	const char *h = headline(r);
	const struct section *at = stack_from(r, 0);
	char *msg = NULL;
	const char *kind = NULL;

	if (starts(h, "Invalid read of size") || starts(h, "Invalid write of size")) {
		char *what = xstrdup(h);

		lower_first(what);
		kind = starts(h, "Invalid read") ? "invalid-read" : "invalid-write";
		msg = vg_memory_message(c, r, what);
		free(what);
	} else if (starts(h, "Invalid free()")) {
		long a = find_section(r, "Address 0x", 0);
		int twice = a >= 0 && strstr(r->sec[a].title, " free'd");

		kind = "invalid-free";
		msg = vg_memory_message(c, r, twice ? "double free" : "invalid free()");
	} else if (starts(h, "Mismatched free()")) {
		kind = "mismatched-free";
		msg = vg_memory_message(c, r, "mismatched free() / delete / delete []");
	} else if (starts(h, "Conditional jump or move depends on uninitialised") ||
		   starts(h, "Use of uninitialised value")) {
		long o = find_section(r, "Uninitialised value was created by ", 0);

		kind = "uninitialised-value";
		if (o >= 0 && r->sec[o].nframes) {
			char *w = where(c, &r->sec[o]);

			msg = xasprintf("%s (the value was created by %s at %s)", h,
					r->sec[o].title + strlen("Uninitialised value was created by "),
					w);
			free(w);
		} else {
			msg = xstrdup(h);
		}
	} else if (starts(h, "Syscall param ")) {
		kind = strstr(h, "unaddressable") ? "syscall-param-unaddressable"
						  : "syscall-param-uninitialised";
		msg = xstrdup(h);
	} else if (starts(h, "Source and destination overlap")) {
		kind = "overlapping-copy";
		msg = xstrdup(h);
	} else if (starts(h, "Argument '") && strstr(h, "fishy")) {
		kind = "fishy-argument";
		msg = xstrdup(h);
	} else if (strstr(h, " are definitely lost") || strstr(h, " are indirectly lost")) {
		kind = "memory-leak";
		msg = xstrdup(h);
		{
			static const char *const cuts[] = { " in loss record ", NULL };

			cut_at(msg, cuts);
		}
	} else if (strstr(h, " are possibly lost") || strstr(h, " are still reachable")) {
		return; /* not errors with --errors-for-leak-kinds=definite,indirect */
	} else if (starts(h, "Open ") && strchr(h, ':')) {
		kind = "fd-leak";
		msg = vg_fd_message(r, at);
		if (!msg)
			return;
	} else if (!at) {
		return; /* a summary or a notice, not an error */
	} else {
		emit(c, "memcheck", "memcheck-other", at, xstrdup(h));
		return;
	}
	emit(c, "memcheck", kind, at, msg);
}

/* Name of the lock at addr: 'data symbol "ma"' from the "Lock at ADDR was
 * first observed" section's Address line, else addr itself. */
static char *helgrind_lock_name(const struct report *r, const char *addr)
{
	size_t i, alen = strcspn(addr, " ");

	for (i = 0; i + 1 < r->nsec; i++) {
		const char *t = r->sec[i].title, *sym;

		if (!starts(t, "Lock at ") || strncasecmp(t + 8, addr, alen) ||
		    t[8 + alen] != ' ')
			continue;
		if (starts(r->sec[i + 1].title, "Address ") &&
		    (sym = strstr(r->sec[i + 1].title, "symbol \"")))
			return xstrndup(sym + 8, strcspn(sym + 8, "\""));
	}
	return xstrndup(addr, alen);
}

static const char *lock_addr(const char *title)
{
	const char *p = strstr(title, "lock at ");

	return p ? p + 8 : NULL;
}

static char *helgrind_order_message(const struct ctx *c, const struct report *r,
				    const struct section **at)
{
	long obs = find_section(r, "Observed (incorrect) order is: ", 0);
	long req = find_section(r, "Required order was established by ", 0);
	struct buf m;

	if (obs < 0 || (size_t)obs + 1 >= r->nsec ||
	    !starts(r->sec[obs + 1].title, "followed by a later acquisition"))
		return xstrdup(headline(r));
	buf_init(&m, 4096);
	{
		const char *first = lock_addr(r->sec[obs].title);
		const char *second = lock_addr(r->sec[obs + 1].title);
		char *n1 = first ? helgrind_lock_name(r, first) : xstrdup("?");
		char *n2 = second ? helgrind_lock_name(r, second) : xstrdup("?");
		char *w1 = where(c, &r->sec[obs]);
		char *w2 = where(c, &r->sec[obs + 1]);

		*at = &r->sec[obs + 1];
		buf_addf(&m, "lock order violated: %s taken at %s while holding %s (taken at %s)",
			 n2, w2, n1, w1);
		if (req >= 0 && (size_t)req + 1 < r->nsec) {
			char *w3 = where(c, &r->sec[req]);
			char *w4 = where(c, &r->sec[req + 1]);

			buf_addf(&m, ", the reverse of the order established at %s and %s",
				 w3, w4);
			free(w3);
			free(w4);
		}
		free(n1);
		free(n2);
		free(w1);
		free(w2);
	}
	return buf_detach(&m, NULL);
}

/* "(global "counter")" / "(heap block of size 16)" from an Address line */
static void add_address_owner(struct buf *m, const struct report *r)
{
	long a = find_section(r, "Address 0x", 0);
	const char *t, *p;

	if (a < 0)
		return;
	t = r->sec[a].title;
	if ((p = strstr(t, "symbol \"")))
		buf_addf(m, " (global \"%.*s\")", (int)strcspn(p + 8, "\""), p + 8);
	else if ((p = strstr(t, "a block of size ")))
		buf_addf(m, " (heap block of size %d)",
			 parse_num(p + 16, strlen(p + 16)));
	else if (strstr(t, "stack"))
		buf_adds(m, " (on a thread's stack)");
}

static char *helgrind_race_message(const struct ctx *c, const struct report *r,
				   const struct section *at)
{
	/* "Possible data race during read of size 4 at 0x10C02C by thread #3" */
	const char *h = headline(r);
	const char *during = strstr(h, " during ");
	const char *atx = strstr(h, " at 0x");
	const char *by = strstr(h, " by thread ");
	long prev = find_section(r, "This conflicts with a previous ", 0);
	struct buf m;
	char *w = where(c, at);

	buf_init(&m, 4096);
	if (during && atx && atx > during)
		buf_addf(&m, "%.*s", (int)(atx - during - 8), during + 8);
	else
		buf_adds(&m, "access");
	buf_addf(&m, " at %s by %s", w, by ? by + 4 : "a thread");
	free(w);
	if (prev >= 0) {
		/* "This conflicts with a previous write of size 4 by thread #2" */
		const char *t = r->sec[prev].title + strlen("This conflicts with a previous ");
		const struct section *ps = stack_from(r, (size_t)prev);
		const char *pby = strstr(t, " by ");

		w = where(c, ps);
		buf_addf(&m, " races with %.*s at %s by %s", (int)strcspn(t, " "), t, w,
			 pby ? pby + 4 : "another thread");
		free(w);
	}
	add_address_owner(&m, r);
	return buf_detach(&m, NULL);
}

static void helgrind_emit(struct ctx *c, const struct report *r)
{
	const char *h = headline(r);
	const struct section *at = stack_from(r, 0);
	const char *kind;
	char *msg = NULL;

	if (starts(h, "Possible data race during ")) {
		kind = "data-race";
		msg = helgrind_race_message(c, r, at);
	} else if (strstr(h, "lock order \"") && strstr(h, "violated")) {
		kind = "lock-order-violation";
		msg = helgrind_order_message(c, r, &at);
	} else if (strstr(h, "unlocked a not-locked lock")) {
		kind = "unlock-not-locked";
	} else if (strstr(h, "unlocked lock at") && strstr(h, "currently held by")) {
		kind = "unlock-not-owned";
	} else if (strstr(h, "of a locked mutex") || strstr(h, "of a locked lock")) {
		kind = "mutex-destroy-locked";
	} else if (strstr(h, "Exiting thread still holds")) {
		kind = "thread-exit-holding-lock";
	} else if (starts(h, "Thread #")) {
		kind = "pthread-api-misuse";
	} else if (!at) {
		return;
	} else {
		kind = "helgrind-other";
	}
	if (!msg) {
		struct buf m;
		const char *t = h;
		long o = find_section(r, "Lock at ", 0);
		long e = find_section(r, "with error code ", 0);

		/* "Thread #1: pthread_mutex_destroy of a locked mutex" */
		if (starts(t, "Thread #") && strstr(t, ": "))
			t = strstr(t, ": ") + 2;
		else if (starts(t, "Thread #") && strstr(t, "'s call to "))
			t = strstr(t, "'s call to ") + strlen("'s call to ");
		buf_init(&m, 4096);
		buf_adds(&m, t);
		lower_first(m.data);
		if (e >= 0)
			buf_addf(&m, " %s", r->sec[e].title);
		if (o >= 0 && strstr(r->sec[o].title, "first observed") &&
		    r->sec[o].nframes) {
			char *w = where(c, &r->sec[o]);

			buf_addf(&m, " (the lock was first observed at %s)", w);
			free(w);
		}
		msg = buf_detach(&m, NULL);
	}
	emit(c, "helgrind", kind, at, msg);
}

static void drd_emit(struct ctx *c, const struct report *r)
{
	const char *h = headline(r);
	const struct section *at = stack_from(r, 0);
	const char *kind;
	struct buf m;
	long o;

	buf_init(&m, 4096);
	if (starts(h, "Conflicting load by ") || starts(h, "Conflicting store by ")) {
		/* "Conflicting load by thread 3 at 0x0010c02c size 4" */
		const char *by = strstr(h, " by ") + 4;
		const char *atx = strstr(by, " at 0x");
		const char *size = strstr(h, " size ");
		long other = find_section(r, "Other segment start (", 0);
		long alloc = find_section(r, "Allocation context: ", 0);
		char *w = where(c, at);

		kind = "data-race";
		buf_adds(&m, starts(h, "Conflicting load") ? "load" : "store");
		if (size)
			buf_addf(&m, " of size %d", parse_num(size + 6, strlen(size + 6)));
		buf_addf(&m, " at %s by %.*s", w,
			 (int)(atx ? atx - by : (long)strlen(by)), by);
		free(w);
		if (other >= 0) {
			const char *t = r->sec[other].title + strlen("Other segment start (");

			buf_addf(&m, " races with an access by %.*s", (int)strcspn(t, ")"), t);
		}
		if (alloc >= 0) {
			const char *a = r->sec[alloc].title + strlen("Allocation context: ");
			const char *of = strstr(a, " of /");

			if (strcmp(a, "unknown"))
				buf_addf(&m, " (%.*s%s%s)",
					 (int)(of ? of - a : (long)strlen(a)), a,
					 of ? " of " : "", of ? base_name(of + 4) : "");
		}
		emit(c, "drd", kind, at, buf_detach(&m, NULL));
		return;
	}
	if (strstr(h, "not locked by calling thread") || strstr(h, "not locked by the calling thread"))
		kind = "unlock-not-owned";
	else if (strstr(h, " not locked"))
		kind = "unlock-not-locked";
	else if (starts(h, "Destroying locked "))
		kind = "mutex-destroy-locked";
	else if (strstr(h, "Recursive locking not allowed") || strstr(h, "is not a ") ||
		 strstr(h, "reinitialization") || strstr(h, "Probably a race condition") ||
		 strstr(h, "wait") || strstr(h, "Invalid") || strstr(h, "pthread_"))
		kind = "pthread-api-misuse";
	else if (!at) {
		buf_release(&m);
		return;
	} else
		kind = "drd-other";
	/* "Destroying locked mutex: mutex 0x1fff000480, recursion count 1,
	 * owner 1." -> "destroying locked mutex" */
	{
		const char *colon = strstr(h, ": ");
		char *t = xstrndup(h, colon ? (size_t)(colon - h) : strlen(h));
		size_t tl = strlen(t);

		if (tl && t[tl - 1] == '.')
			t[tl - 1] = '\0';
		lower_first(t);
		buf_adds(&m, t);
		free(t);
	}
	o = find_section(r, " was first observed at:", 1);
	if (o >= 0 && r->sec[o].nframes) {
		char *w = where(c, &r->sec[o]);

		buf_addf(&m, " (the lock was first observed at %s)", w);
		free(w);
	}
	emit(c, "drd", kind, at, buf_detach(&m, NULL));
}

static void vg_emit(struct ctx *c, const char *tool, const struct report *r)
{
	const char *h = headline(r);

	if (!r->nsec || !*h || thread_context(h))
		return;
	if (starts(h, "Process terminating with default action of signal ")) {
		/* "... of signal 11 (SIGSEGV)" then "Access not within mapped
		 * region at address 0x8" */
		char *why = r->nsec > 1 && !starts(r->sec[1].title, "If you believe")
				    ? xstrdup(r->sec[1].title)
				    : NULL;
		char *msg;

		if (why) {
			lower_first(why);
			msg = xasprintf("killed by signal %s: %s",
					h + strlen("Process terminating with default action of signal "),
					why);
		} else {
			msg = xasprintf("killed by signal %s",
					h + strlen("Process terminating with default action of signal "));
		}
		free(why);
		emit(c, tool, "fatal-signal", stack_from(r, 0), msg);
		return;
	}
	if (!strcmp(tool, "memcheck"))
		memcheck_emit(c, r);
	else if (!strcmp(tool, "helgrind"))
		helgrind_emit(c, r);
	else
		drd_emit(c, r);
}

/* Cuts one process's lines into reports: memcheck starts one at every
 * unindented line, drd at the first line after a blank one, helgrind
 * after its "-----" separators (its race reports hold blank lines). */
static void parse_vg_stream(struct ctx *c, const char *tool, const struct vg_stream *st)
{
	struct report r = { NULL, 0 };
	int helgrind = !strcmp(tool, "helgrind");
	int memcheck = !strcmp(tool, "memcheck");
	int skipping = 0; /* in a helgrind thread announcement */
	size_t i;

	for (i = 0; i < st->n; i++) {
		const char *text = st->lines[i], *ft;
		const char *t = skip_ws(text);

		if (helgrind && starts(t, "---")) {
			vg_emit(c, tool, &r);
			report_release(&r);
			skipping = strstr(t, "Thread-Announcement") != NULL;
			continue;
		}
		if (skipping)
			continue;
		if (!*t) {
			if (!helgrind) {
				vg_emit(c, tool, &r);
				report_release(&r);
			}
			continue;
		}
		if ((ft = vg_frame_text(t))) {
			struct frame f;

			parse_vg_frame(ft, &f);
			report_add_frame(&r, &f);
			continue;
		}
		if (r.nsec && memcheck && text[0] != ' ') {
			vg_emit(c, tool, &r);
			report_release(&r);
		}
		if (!r.nsec && !helgrind && thread_context(t))
			continue;
		report_add_section(&r, t);
	}
	vg_emit(c, tool, &r);
	report_release(&r);
}

static void parse_valgrind(struct ctx *c, const char *tool, char **lines, size_t n)
{
	struct vg_stream *st = NULL;
	size_t nst = 0, i, j;

	for (i = 0; i < n; i++) {
		const char *text;
		long pid = vg_prefix(lines[i], &text);

		if (pid < 0)
			continue;
		for (j = 0; j < nst && st[j].pid != pid; j++)
			;
		if (j == nst) {
			st = xrealloc(st, (nst + 1) * sizeof(*st));
			memset(&st[nst], 0, sizeof(*st));
			st[nst++].pid = pid;
		}
		st[j].lines = xrealloc(st[j].lines, (st[j].n + 1) * sizeof(char *));
		/* text points into lines[i], which outlives the streams */
		st[j].lines[st[j].n++] = (char *)text;
	}
	for (j = 0; j < nst; j++) {
		parse_vg_stream(c, tool, &st[j]);
		free(st[j].lines);
	}
	free(st);
}

int diag_parse(enum variant v, const char *log, size_t len,
	       const char *const *sources, struct finding **list, size_t *n)
{
	struct ctx c;
	char **lines;
	size_t nlines;

	if (!log || !list || !n)
		return 0;
	c.v = v;
	c.sources = sources;
	c.list = list;
	c.n = n;
	c.added = 0;
	lines = split_lines(log, len, &nlines);
	switch (v) {
	case VARIANT_MEMCHECK:
		parse_valgrind(&c, "memcheck", lines, nlines);
		break;
	case VARIANT_HELGRIND:
		parse_valgrind(&c, "helgrind", lines, nlines);
		break;
	case VARIANT_DRD:
		parse_valgrind(&c, "drd", lines, nlines);
		break;
	default:
		parse_sanitizers(&c, lines, nlines);
		break;
	}
	free_lines(lines, nlines);
	return c.added;
}

/* ---- merging, quoting ---- */

static int same_str(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static int same_finding(const struct finding *a, const struct finding *b)
{
	return same_str(a->kind, b->kind) && same_str(a->file, b->file) &&
	       a->line == b->line && same_str(a->function, b->function) &&
	       (a->file || same_str(a->message, b->message));
}


void diag_dedup(struct finding *list, size_t *n)
{
	size_t i, j, out = 0;

	if (!list || !n)
		return;
	for (i = 0; i < *n; i++) {
		for (j = 0; j < out; j++)
			if (same_finding(&list[j], &list[i]))
				break;
		if (j < out) {
			list[j].count += list[i].count > 0 ? list[i].count : 1;
			finding_release(&list[i]);
			continue;
		}
		if (out != i) {
			list[out] = list[i];
			memset(&list[i], 0, sizeof(list[i]));
		}
		out++;
	}
	*n = out;
}

char *diag_source_line(const char *srcdir, const char *file, int line)
{
	char *path, *text = NULL, *got = NULL;
	size_t cap = 0, len;
	ssize_t r;
	FILE *fp;
	int at = 0;

	if (!srcdir || !file || !*file || line < 1 || file[0] == '/' ||
	    !strcmp(file, "..") || starts(file, "../") || strstr(file, "/../") ||
	    (strlen(file) >= 3 && !strcmp(file + strlen(file) - 3, "/..")))
		return NULL;
	path = path_join(srcdir, file);
	fp = fopen(path, "r");
	free(path);
	if (!fp)
		return NULL;
	while ((r = getline(&text, &cap, fp)) >= 0) {
		if (++at == line) {
			len = (size_t)r;
			while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
				len--;
			if (len > SOURCE_LINE_MAX) {
				len = SOURCE_LINE_MAX;
				while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
					len--;
			}
			got = xstrndup(text, len);
			break;
		}
	}
	free(text);
	fclose(fp);
	return got;
}
