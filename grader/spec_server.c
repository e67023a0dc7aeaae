/*
 * spec_server.c - parses a `type: server` test (see spec_server.h and
 * docs/spec.md, "Server tests"), and produces the bytes of its files.
 *
 * What can be checked without running anything is checked here, located at
 * its line: unknown placeholders, a verb's keys, a fault that makes no
 * sense for the verb, an action the tftp-hpa client cannot do, a `get`
 * with nothing to compare with.
 */
#include "spec_server.h"

#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "spec_parse.h"
#include "util.h"
#include "yamltree.h"

#define DEF_READY_TIMEOUT_S 5.0
#define DEF_RETRANSMIT_S 1.0
#define DEF_WINDOW_MIN 0.5
#define DEF_WINDOW_MAX 3.0
#define DEF_STOP_TIMEOUT_S 2.0
#define DEF_CLIENT_RETRIES 1
#define DEF_ACTION_TIMEOUT_S 30.0
#define DEF_STALL_S 3.0
#define MAX_BYTES (256LL << 20) /* a bigger file is a typo */
#define MAX_CONCURRENT 64
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *const spec_server_keys[] = {
	"args",	       "env",		"exit",
	"protocol",    "client",	"ready",
	"ready_timeout", "retransmit_timeout", "retransmit_window",
	"stop_timeout",	 "client_timeout",     "client_retries",
	"action_timeout", "files",	       "outside",
	"actions",	 NULL
};

static const char *const placeholders[] = { "port", "dir", "timeout_ms" };

static const char *const verb_names[] = {
	[SV_GET] = "get",   [SV_PUT] = "put",   [SV_LIST] = "list",
	[SV_RAW] = "raw",   [SV_WAIT] = "wait", [SV_CONCURRENT] = "concurrent",
};

static const char *const action_keys[] = {
	"get",	 "put",	 "list",    "raw",	       "wait",
	"concurrent", "expect", "data", "error", "blksize",
	"expect_blksize", "mode", "faults", "retransmissions", "background",
	"overlap", NULL
};

static const char *const fault_keys[] = {
	"drop_sent", "drop_received", "duplicate_ack", "duplicate_data",
	"delay_block", "delay", "foreign_tid", "abort", "stall", "stall_time",
	NULL
};

/* ---- contents ---- */

/* splitmix64: the bytes of {bytes: N, seed: S} are its outputs from state
 * S, each written little-endian. Part of the format: never change it. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int server_content_materialize(const struct server_content *c, char **data,
			       size_t *len, struct error *e)
{
	if (c->kind == CONTENT_TEXT)
		return spec_text_materialize(&c->text, data, len, e);
	if (c->kind == CONTENT_BYTES) {
		uint64_t st = c->seed, v = 0;
		size_t i, n = (size_t)c->size;
		unsigned char *p = xmalloc(n + 1);

		for (i = 0; i < n; i++) {
			if (i % 8 == 0)
				v = splitmix64(&st);
			p[i] = (unsigned char)(v >> (8 * (i % 8)));
		}
		p[n] = '\0';
		*data = (char *)p;
		*len = n;
		return 0;
	}
	*data = xcalloc(1, 1);
	*len = 0;
	return 0;
}

static int parse_content(struct spec_ctx *c, const struct ynode *n,
			 const char *what, struct server_content *out,
			 struct error *e)
{
	static const char *const bytes_keys[] = { "bytes", "seed", NULL };
	const struct ynode *v;
	char sub[WHAT_MAX];
	long long x;

	if (n->type == YNODE_MAP && ymap_get(n, "bytes")) {
		if (ymap_check_keys(n, bytes_keys, what, e) < 0)
			return -1;
		v = ymap_get(n, "bytes");
		spec_whatf(sub, sizeof(sub), "%s.bytes", what);
		if (ynode_size(v, sub, &out->size, e) < 0)
			return -1;
		if (out->size < 0 || out->size > MAX_BYTES)
			return error_at(e, v->file, v->line, v->col,
					"%s: must be in 0..256M, got %lld", sub,
					out->size);
		out->seed = 1;
		if ((v = ymap_get(n, "seed"))) {
			spec_whatf(sub, sizeof(sub), "%s.seed", what);
			if (spec_int_in_range(v, sub, 0, INT64_MAX, &x, e) < 0)
				return -1;
			out->seed = (unsigned long long)x;
		}
		out->kind = CONTENT_BYTES;
		return 0;
	}
	out->kind = CONTENT_TEXT;
	return spec_parse_text(c, n, TEXT_FOR_STDIN, what, &out->text, e);
}

static void content_release(struct server_content *c)
{
	free(c->text.text);
	free(c->text.path);
	memset(c, 0, sizeof(*c));
}

/* ---- placeholders ---- */

/* Every {word} in s must be a known placeholder. */
static int check_placeholders(const struct ynode *n, const char *s,
			      const char *what, struct error *e)
{
	const char *p = s;

	while ((p = strchr(p, '{'))) {
		const char *end = strchr(p, '}');
		size_t i, len;

		if (!end)
			break;
		len = (size_t)(end - p - 1);
		for (i = 0; i < COUNT(placeholders); i++)
			if (strlen(placeholders[i]) == len &&
			    !strncmp(p + 1, placeholders[i], len))
				break;
		if (i == COUNT(placeholders) && len > 0 &&
		    strspn(p + 1, "abcdefghijklmnopqrstuvwxyz_") == len)
			return error_at(e, n->file, n->line, n->col,
					"%s: unknown placeholder '{%.*s}' (known: {port}, {dir}, {timeout_ms})",
					what, (int)len, p + 1);
		p = end + 1;
	}
	return 0;
}

char *server_expand(const char *s, int port, const char *dir, int timeout_ms,
		    int for_regex)
{
	struct buf b;
	char num[32];

	buf_init(&b, 0);
	while (*s) {
		const char *val = NULL;

		if (!strncmp(s, "{port}", 6)) {
			snprintf(num, sizeof(num), "%d", port);
			val = num;
			s += 6;
		} else if (!strncmp(s, "{timeout_ms}", 12)) {
			snprintf(num, sizeof(num), "%d", timeout_ms);
			val = num;
			s += 12;
		} else if (!strncmp(s, "{dir}", 5)) {
			val = dir;
			s += 5;
		} else {
			buf_addch(&b, *s++);
			continue;
		}
		for (; *val; val++) {
			if (for_regex && strchr("\\^$.[]|()*+?{}", *val))
				buf_addch(&b, '\\');
			buf_addch(&b, *val);
		}
	}
	return buf_detach(&b, NULL);
}

/* ---- actions ---- */

static int parse_faults(const struct ynode *m, const char *what,
			enum server_verb verb, struct server_faults *f,
			struct error *e)
{
	static const struct {
		const char *key;
		size_t off;
	} ints[] = {
		{ "drop_sent", offsetof(struct server_faults, drop_sent) },
		{ "drop_received", offsetof(struct server_faults, drop_received) },
		{ "duplicate_ack", offsetof(struct server_faults, duplicate_ack) },
		{ "duplicate_data", offsetof(struct server_faults, duplicate_data) },
		{ "delay_block", offsetof(struct server_faults, delay_block) },
		{ "foreign_tid", offsetof(struct server_faults, foreign_tid) },
		{ "abort", offsetof(struct server_faults, abort_block) },
		{ "stall", offsetof(struct server_faults, stall_block) },
	};
	const struct ynode *n;
	char sub[WHAT_MAX];
	long long v;
	size_t i;

	if (ynode_expect(m, YNODE_MAP, what, e) < 0 ||
	    ymap_check_keys(m, fault_keys, what, e) < 0)
		return -1;
	for (i = 0; i < COUNT(ints); i++) {
		if (!(n = ymap_get(m, ints[i].key)))
			continue;
		spec_whatf(sub, sizeof(sub), "%s.%s", what, ints[i].key);
		if (spec_int_in_range(n, sub, 1, 1000000, &v, e) < 0)
			return -1;
		*(int *)((char *)f + ints[i].off) = (int)v;
	}
	if ((n = ymap_get(m, "delay"))) {
		spec_whatf(sub, sizeof(sub), "%s.delay", what);
		if (spec_positive_duration(n, sub, &f->delay_s, e) < 0)
			return -1;
	}
	if ((n = ymap_get(m, "stall_time"))) {
		spec_whatf(sub, sizeof(sub), "%s.stall_time", what);
		if (spec_positive_duration(n, sub, &f->stall_s, e) < 0)
			return -1;
	}
	if (!f->stall_s)
		f->stall_s = DEF_STALL_S;
	if (f->duplicate_ack && verb != SV_GET)
		return error_at(e, m->file, m->line, m->col,
				"%s: duplicate_ack is a fault of a get (the client ACKs)",
				what);
	if (f->duplicate_data && verb != SV_PUT)
		return error_at(e, m->file, m->line, m->col,
				"%s: duplicate_data is a fault of a put (the client sends DATA)",
				what);
	if (!!f->delay_block != !!ymap_get(m, "delay"))
		return error_at(e, m->file, m->line, m->col,
				"%s: delay_block and delay go together", what);
	if (ymap_get(m, "stall_time") && !f->stall_block)
		return error_at(e, m->file, m->line, m->col,
				"%s: stall_time needs stall (the block to stall at)",
				what);
	if (f->abort_block && f->stall_block)
		return error_at(e, m->file, m->line, m->col,
				"%s: give only one of abort and stall", what);
	return 0;
}

static const struct server_file *seeded(const struct spec_server *sv,
					const char *name)
{
	size_t i;

	for (i = 0; i < sv->nfiles; i++)
		if (!sv->files[i].outside && !strcmp(sv->files[i].name, name))
			return &sv->files[i];
	return NULL;
}

static int parse_action(struct spec_ctx *c, const struct ynode *m,
			const char *what, int nested,
			const struct spec_server *sv, struct server_action *a,
			struct error *e);

static int parse_concurrent(struct spec_ctx *c, const struct ynode *list,
			    const char *what, const struct spec_server *sv,
			    struct server_action *a, struct error *e)
{
	char sub[WHAT_MAX];
	size_t i;

	if (ynode_expect(list, YNODE_SEQ, what, e) < 0)
		return -1;
	if (list->n < 2 || list->n > MAX_CONCURRENT)
		return error_at(e, list->file, list->line, list->col,
				"%s: give 2 to %d actions to run at once, got %zu",
				what, MAX_CONCURRENT, list->n);
	a->sub = xcalloc(list->n, sizeof(*a->sub));
	for (i = 0; i < list->n; i++) {
		a->nsub = i + 1;
		spec_whatf(sub, sizeof(sub), "%s[%zu]", what, i);
		if (parse_action(c, list->items[i], sub, 1, sv, &a->sub[i], e) < 0)
			return -1;
	}
	return 0;
}

static int parse_action(struct spec_ctx *c, const struct ynode *m,
			const char *what, int nested,
			const struct spec_server *sv, struct server_action *a,
			struct error *e)
{
	const struct ynode *n, *verb_key = NULL;
	char sub[WHAT_MAX], names[128];
	size_t i;
	long long v;
	int found = 0;

	a->line = m->line;
	a->col = m->col;
	a->error = -1;
	a->retransmissions = -1;
	a->overlap = 1;
	if (ynode_expect(m, YNODE_MAP, what, e) < 0 ||
	    ymap_check_keys(m, action_keys, what, e) < 0)
		return -1;
	for (i = 0; i < COUNT(verb_names); i++) {
		if (!ymap_get(m, verb_names[i]))
			continue;
		if (found++)
			return error_at(e, m->file, m->line, m->col,
					"%s: give only one of get, put, list, raw, wait and concurrent",
					what);
		a->verb = (enum server_verb)i;
		verb_key = ymap_key(m, verb_names[i]);
	}
	if (!found) {
		spec_join_names(verb_names, COUNT(verb_names), names, sizeof(names));
		return error_at(e, m->file, m->line, m->col,
				"%s: an action needs one of: %s", what, names);
	}
	n = ymap_get(m, verb_names[a->verb]);
	spec_whatf(sub, sizeof(sub), "%s.%s", what, verb_names[a->verb]);
	switch (a->verb) {
	case SV_GET:
	case SV_PUT:
	case SV_LIST:
		if (ynode_string(n, sub, &a->name, e) < 0)
			return -1;
		break;
	case SV_RAW:
		if (n->type != YNODE_SCALAR || n->len == 0)
			return error_at(e, n->file, n->line, n->col,
					"%s: expected the packet's bytes as a string (escapes such as \"\\0\\x09\" in double quotes)",
					sub);
		a->raw = xmalloc(n->len + 1);
		memcpy(a->raw, n->value, n->len + 1);
		a->rawlen = n->len;
		break;
	case SV_WAIT:
		if (spec_positive_duration(n, sub, &a->wait_s, e) < 0)
			return -1;
		break;
	case SV_CONCURRENT:
		if (nested)
			return error_at(e, verb_key->file, verb_key->line,
					verb_key->col,
					"%s: concurrent actions cannot be nested",
					what);
		if (parse_concurrent(c, n, sub, sv, a, e) < 0)
			return -1;
		break;
	}

	/* Which keys go with which verb. */
	{
		static const struct {
			const char *key;
			unsigned verbs; /* bit per verb */
		} allowed[] = {
			{ "expect", 1u << SV_GET },
			{ "data", 1u << SV_PUT },
			{ "error", 1u << SV_GET | 1u << SV_PUT | 1u << SV_LIST | 1u << SV_RAW },
			{ "blksize", 1u << SV_GET | 1u << SV_PUT | 1u << SV_LIST },
			{ "expect_blksize", 1u << SV_GET | 1u << SV_PUT | 1u << SV_LIST },
			{ "mode", 1u << SV_GET | 1u << SV_PUT | 1u << SV_LIST },
			{ "faults", 1u << SV_GET | 1u << SV_PUT | 1u << SV_LIST },
			{ "retransmissions", 1u << SV_GET | 1u << SV_PUT | 1u << SV_LIST },
			{ "background", 1u << SV_GET | 1u << SV_PUT | 1u << SV_LIST },
			{ "overlap", 1u << SV_CONCURRENT },
		};
		for (i = 0; i < COUNT(allowed); i++) {
			const struct ynode *k = ymap_key(m, allowed[i].key);

			if (k && !(allowed[i].verbs & (1u << a->verb)))
				return error_at(e, k->file, k->line, k->col,
						"%s: '%s' does not go with %s",
						what, allowed[i].key,
						verb_names[a->verb]);
		}
	}
#define WHAT(key) (spec_whatf(sub, sizeof(sub), "%s.%s", what, key), sub)
	if ((n = ymap_get(m, "error"))) {
		if (spec_int_in_range(n, WHAT("error"), 0, 8, &v, e) < 0)
			return -1;
		a->error = (int)v;
	} else if (a->verb == SV_RAW) {
		return error_at(e, m->file, m->line, m->col,
				"%s: a raw packet needs `error` (the code of the ERROR it must get back)",
				what);
	}
	if ((n = ymap_get(m, "expect")) &&
	    parse_content(c, n, WHAT("expect"), &a->content, e) < 0)
		return -1;
	if ((n = ymap_get(m, "data")) &&
	    parse_content(c, n, WHAT("data"), &a->content, e) < 0)
		return -1;
	if ((n = ymap_get(m, "blksize"))) {
		if (spec_int_in_range(n, WHAT("blksize"), 1, 100000, &v, e) < 0)
			return -1;
		a->blksize = (int)v;
		a->expect_blksize = v >= 8 && v <= 65464 ? (int)v : 0;
	}
	if ((n = ymap_get(m, "expect_blksize"))) {
		if (spec_int_in_range(n, WHAT("expect_blksize"), 8, 65464, &v, e) < 0)
			return -1;
		if (!a->blksize)
			return error_at(e, n->file, n->line, n->col,
					"%s: expect_blksize needs blksize", sub);
		a->expect_blksize = (int)v;
	}
	if ((n = ymap_get(m, "mode")) && ynode_string(n, WHAT("mode"), &a->mode, e) < 0)
		return -1;
	if ((n = ymap_get(m, "faults")) &&
	    parse_faults(n, WHAT("faults"), a->verb, &a->f, e) < 0)
		return -1;
	if ((n = ymap_get(m, "retransmissions"))) {
		if (spec_int_in_range(n, WHAT("retransmissions"), 0, 100, &v, e) < 0)
			return -1;
		if (!a->f.stall_block)
			return error_at(e, n->file, n->line, n->col,
					"%s: retransmissions are counted while the client stalls: give faults.stall",
					sub);
		a->retransmissions = (int)v;
	}
	if ((n = ymap_get(m, "background"))) {
		if (ynode_bool(n, WHAT("background"), &a->background, e) < 0)
			return -1;
		if (a->background && nested)
			return error_at(e, n->file, n->line, n->col,
					"%s: an action of a concurrent group cannot be in the background",
					sub);
	}
	if ((n = ymap_get(m, "overlap")) &&
	    ynode_bool(n, WHAT("overlap"), &a->overlap, e) < 0)
		return -1;
#undef WHAT
	if (a->verb == SV_GET && a->error < 0 && !a->f.abort_block &&
	    !a->f.stall_block && a->content.kind == CONTENT_NONE) {
		const struct server_file *f = seeded(sv, a->name);

		if (!f)
			return error_at(e, m->file, m->line, m->col,
					"%s: get '%s': give `expect` (no file of that name is seeded)",
					what, a->name);
	}
	if (a->verb == SV_PUT && a->content.kind == CONTENT_NONE &&
	    a->error < 0)
		return error_at(e, m->file, m->line, m->col,
				"%s: put '%s' needs `data`", what, a->name);
	if (a->error >= 0 && (a->f.abort_block || a->f.stall_block))
		return error_at(e, m->file, m->line, m->col,
				"%s: an expected error and an abort or stall exclude each other",
				what);
	if (a->background && !a->f.stall_block && !a->f.delay_block)
		return error_at(e, m->file, m->line, m->col,
				"%s: a background action should stall or be delayed (it is meant to be under way when the server is stopped)",
				what);
	if (sv->client == SERVER_CLIENT_TFTP_HPA) {
		const struct server_faults none = { 0 };
		struct server_faults f = a->f;

		f.stall_s = 0;
		if ((a->verb != SV_GET && a->verb != SV_PUT &&
		     a->verb != SV_LIST && a->verb != SV_WAIT) ||
		    memcmp(&f, &none, sizeof(f)) || a->blksize || a->mode ||
		    a->background)
			return error_at(e, m->file, m->line, m->col,
					"%s: the tftp-hpa client only gets, puts, lists and waits (no faults, raw packets, blksize, mode, background or concurrent actions)",
					what);
	}
	return 0;
}

static void action_release(struct server_action *a)
{
	size_t i;

	for (i = 0; i < a->nsub; i++)
		action_release(&a->sub[i]);
	free(a->sub);
	free(a->name);
	free(a->raw);
	free(a->mode);
	content_release(&a->content);
}

/* ---- files ---- */

static int parse_files(struct spec_ctx *c, const struct ynode *m,
		       const char *what, int outside, struct spec_server *sv,
		       struct error *e)
{
	char sub[WHAT_MAX];
	size_t i;

	if (ynode_expect(m, YNODE_MAP, what, e) < 0)
		return -1;
	sv->files = xrealloc(sv->files, (sv->nfiles + m->n + 1) * sizeof(*sv->files));
	for (i = 0; i < m->n; i++) {
		struct server_file *f = &sv->files[sv->nfiles];
		const struct ynode *k = m->items[2 * i];

		memset(f, 0, sizeof(*f));
		f->outside = outside;
		spec_whatf(sub, sizeof(sub), "%s.%s", what, k->value);
		if (spec_relative_path(k, sub, &f->name, e) < 0)
			return -1;
		sv->nfiles++;
		if (parse_content(c, m->items[2 * i + 1], sub, &f->content, e) < 0)
			return -1;
	}
	return 0;
}

/* ---- the test ---- */

int spec_server_parse(struct spec_ctx *c, const struct ynode *map,
		      const char *prefix, struct spec_test *t, struct error *e)
{
	static const char *const clients[] = { "grader", "tftp-hpa" };
	static const char *const protocols[] = { "tftp" };
	struct spec_server *sv = xcalloc(1, sizeof(*sv));
	const struct ynode *n;
	char what[WHAT_MAX], sub[WHAT_MAX];
	long long v;
	size_t i;
	int k;

	t->server = sv;
	sv->protocol = xstrdup("tftp");
	sv->ready_timeout_s = DEF_READY_TIMEOUT_S;
	sv->retransmit_timeout_s = DEF_RETRANSMIT_S;
	sv->window_min = DEF_WINDOW_MIN;
	sv->window_max = DEF_WINDOW_MAX;
	sv->stop_timeout_s = DEF_STOP_TIMEOUT_S;
	sv->client_retries = DEF_CLIENT_RETRIES;
	sv->action_timeout_s = DEF_ACTION_TIMEOUT_S;
	if (spec_parse_run_keys(c, map, prefix, t, e) < 0)
		return -1;
#define WHAT(key) (spec_whatf(what, sizeof(what), "%s.%s", prefix, key), what)
	n = ymap_get(map, "args");
	for (i = 0; i < t->nargs; i++) {
		spec_whatf(what, sizeof(what), "%s.args[%zu]", prefix, i);
		if (check_placeholders(n->items[i], t->args[i], what, e) < 0)
			return -1;
	}
	if ((n = ymap_get(map, "protocol")) &&
	    spec_enum_value(n, WHAT("protocol"), "protocol", protocols,
			    COUNT(protocols), &k, e) < 0)
		return -1;
	if ((n = ymap_get(map, "client"))) {
		if (spec_enum_value(n, WHAT("client"), "client", clients,
				    COUNT(clients), &k, e) < 0)
			return -1;
		sv->client = (enum server_client)k;
	}
	if (spec_need(map, "ready", prefix, &n, e) < 0 ||
	    ynode_string(n, WHAT("ready"), &sv->ready, e) < 0 ||
	    check_placeholders(n, sv->ready, what, e) < 0)
		return -1;
	{
		/* the placeholders stand for digits and paths: compile with
		 * samples to find mistakes now */
		regex_t re;
		char msg[160], *sample = server_expand(sv->ready, 6969,
						       "/srv/files", 1000, 1);
		int rc;

		rc = regcomp(&re, sample, REG_EXTENDED | REG_NEWLINE | REG_NOSUB);
		free(sample);
		if (rc) {
			regerror(rc, &re, msg, sizeof(msg));
			return error_at(e, n->file, n->line, n->col,
					"%s: invalid regular expression: %s",
					what, msg);
		}
		regfree(&re);
	}
	if ((n = ymap_get(map, "ready_timeout")) &&
	    spec_positive_duration(n, WHAT("ready_timeout"), &sv->ready_timeout_s, e) < 0)
		return -1;
	if ((n = ymap_get(map, "retransmit_timeout")) &&
	    spec_positive_duration(n, WHAT("retransmit_timeout"),
				   &sv->retransmit_timeout_s, e) < 0)
		return -1;
	if ((n = ymap_get(map, "retransmit_window"))) {
		WHAT("retransmit_window");
		if (ynode_expect(n, YNODE_SEQ, what, e) < 0)
			return -1;
		if (n->n != 2)
			return error_at(e, n->file, n->line, n->col,
					"%s: expected [MIN, MAX], two factors of retransmit_timeout",
					what);
		spec_whatf(sub, sizeof(sub), "%s[0]", what);
		if (ynode_double(n->items[0], sub, &sv->window_min, e) < 0)
			return -1;
		spec_whatf(sub, sizeof(sub), "%s[1]", what);
		if (ynode_double(n->items[1], sub, &sv->window_max, e) < 0)
			return -1;
		if (sv->window_min < 0 || sv->window_max <= sv->window_min)
			return error_at(e, n->file, n->line, n->col,
					"%s: need 0 <= MIN < MAX, got [%g, %g]",
					what, sv->window_min, sv->window_max);
	}
	if ((n = ymap_get(map, "stop_timeout")) &&
	    spec_positive_duration(n, WHAT("stop_timeout"), &sv->stop_timeout_s, e) < 0)
		return -1;
	if ((n = ymap_get(map, "client_timeout")) &&
	    spec_positive_duration(n, WHAT("client_timeout"), &sv->client_timeout_s, e) < 0)
		return -1;
	if ((n = ymap_get(map, "client_retries"))) {
		if (spec_int_in_range(n, WHAT("client_retries"), 1, 20, &v, e) < 0)
			return -1;
		sv->client_retries = (int)v;
	}
	if ((n = ymap_get(map, "action_timeout")) &&
	    spec_positive_duration(n, WHAT("action_timeout"), &sv->action_timeout_s, e) < 0)
		return -1;
	if ((n = ymap_get(map, "files")) &&
	    parse_files(c, n, WHAT("files"), 0, sv, e) < 0)
		return -1;
	if ((n = ymap_get(map, "outside")) &&
	    parse_files(c, n, WHAT("outside"), 1, sv, e) < 0)
		return -1;
	if (spec_need(map, "actions", prefix, &n, e) < 0 ||
	    ynode_expect(n, YNODE_SEQ, WHAT("actions"), e) < 0)
		return -1;
	if (n->n == 0)
		return error_at(e, n->file, n->line, n->col,
				"%s: give at least one action", what);
	sv->actions = xcalloc(n->n, sizeof(*sv->actions));
	for (i = 0; i < n->n; i++) {
		sv->nactions = i + 1;
		spec_whatf(sub, sizeof(sub), "%s.actions[%zu]", prefix, i);
		if (parse_action(c, n->items[i], sub, 0, sv, &sv->actions[i], e) < 0)
			return -1;
	}
#undef WHAT
	return 0;
}

void spec_server_release(struct spec_test *t)
{
	struct spec_server *sv = t->server;
	size_t i;

	if (!sv)
		return;
	for (i = 0; i < sv->nactions; i++)
		action_release(&sv->actions[i]);
	free(sv->actions);
	for (i = 0; i < sv->nfiles; i++) {
		free(sv->files[i].name);
		content_release(&sv->files[i].content);
	}
	free(sv->files);
	free(sv->protocol);
	free(sv->ready);
	free(t->server);
	t->server = NULL;
}
