/*
 * expr.c - integer expressions of spec.yaml, by recursive descent.
 *
 * Evaluated directly while parsing: an expression is evaluated once, when
 * the spec is loaded, so there is no tree to keep. Every arithmetic step
 * is overflow-checked, because an instructor's P*N*N on big arguments must
 * be an error at load time rather than a wrong expected value.
 */
#include "expr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct parser {
	const char *s;
	size_t pos;
	int depth;
	expr_lookup_fn *lookup;
	void *arg;
	struct expr_error *err;
};

static int fail(struct parser *p, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;

	p->err->pos = pos;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static void skip_space(struct parser *p)
{
	while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t')
		p->pos++;
}

static int is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int parse_expr(struct parser *p, long long *out);

static int parse_number(struct parser *p, long long *out)
{
	size_t start = p->pos;
	long long v = 0;

	while (is_digit(p->s[p->pos])) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, p->s[p->pos] - '0', &v))
			return fail(p, start, "number too large (beyond 64 bits)");
		p->pos++;
	}
	*out = v;
	return 0;
}

static int parse_name(struct parser *p, long long *out)
{
	size_t start = p->pos;
	char msg[sizeof(p->err->msg) - 40];

	if (p->s[p->pos] == '$') {
		p->pos++;
		if (!is_digit(p->s[p->pos]))
			return fail(p, start, "'$' must be followed by an argument number ($1, $2, ...)");
		while (is_digit(p->s[p->pos]))
			p->pos++;
	} else {
		while (is_name_start(p->s[p->pos]) || is_digit(p->s[p->pos]))
			p->pos++;
	}
	msg[0] = '\0';
	if (p->lookup &&
	    p->lookup(p->s + start, p->pos - start, out, msg, sizeof(msg),
		      p->arg) == 0)
		return 0;
	if (msg[0])
		return fail(p, start, "%s", msg);
	return fail(p, start, "unknown name '%.*s'", (int)(p->pos - start),
		    p->s + start);
}

static int parse_primary(struct parser *p, long long *out)
{
	size_t open;
	char c;

	skip_space(p);
	c = p->s[p->pos];
	if (is_digit(c))
		return parse_number(p, out);
	if (is_name_start(c) || c == '$')
		return parse_name(p, out);
	if (c == '(') {
		open = p->pos++;
		if (++p->depth > EXPR_MAX_DEPTH)
			return fail(p, open, "nested more than %d levels deep",
				    EXPR_MAX_DEPTH);
		if (parse_expr(p, out) < 0)
			return -1;
		p->depth--;
		skip_space(p);
		if (p->s[p->pos] != ')')
			return fail(p, p->pos, "missing ')' (for the '(' at offset %zu)",
				    open + 1);
		p->pos++;
		return 0;
	}
	if (c == '\0')
		return fail(p, p->pos, "expression ends early: expected a number, a name or '('");
	return fail(p, p->pos, "unexpected '%c': expected a number, a name or '('", c);
}

static int parse_unary(struct parser *p, long long *out)
{
	size_t at;
	char c;

	skip_space(p);
	c = p->s[p->pos];
	if (c != '-' && c != '+')
		return parse_primary(p, out);
	at = p->pos++;
	if (++p->depth > EXPR_MAX_DEPTH)
		return fail(p, at, "nested more than %d levels deep", EXPR_MAX_DEPTH);
	if (parse_unary(p, out) < 0)
		return -1;
	p->depth--;
	if (c == '-' && __builtin_sub_overflow(0, *out, out))
		return fail(p, at, "overflow: the negation does not fit in 64 bits");
	return 0;
}

static int parse_term(struct parser *p, long long *out)
{
	long long r;
	size_t at;
	char op;

	if (parse_unary(p, out) < 0)
		return -1;
	for (;;) {
		skip_space(p);
		op = p->s[p->pos];
		if (op != '*' && op != '/' && op != '%')
			return 0;
		at = p->pos++;
		if (parse_unary(p, &r) < 0)
			return -1;
		if (op == '*') {
			if (__builtin_mul_overflow(*out, r, out))
				return fail(p, at, "overflow: the product does not fit in 64 bits");
			continue;
		}
		if (r == 0)
			return fail(p, at, "division by zero");
		if (r == -1 && *out == (-9223372036854775807LL - 1))
			return fail(p, at, "overflow: -2^63 / -1 does not fit in 64 bits");
		*out = op == '/' ? *out / r : *out % r;
	}
}

static int parse_expr(struct parser *p, long long *out)
{
	long long r;
	size_t at;
	char op;

	if (parse_term(p, out) < 0)
		return -1;
	for (;;) {
		skip_space(p);
		op = p->s[p->pos];
		if (op != '+' && op != '-')
			return 0;
		at = p->pos++;
		if (parse_term(p, &r) < 0)
			return -1;
		if (op == '+' ? __builtin_add_overflow(*out, r, out)
			      : __builtin_sub_overflow(*out, r, out))
			return fail(p, at, "overflow: the %s does not fit in 64 bits",
				    op == '+' ? "sum" : "difference");
	}
}

int expr_eval(const char *src, expr_lookup_fn *lookup, void *arg,
	      long long *out, struct expr_error *err)
{
	struct parser p = { src, 0, 0, lookup, arg, err };

	err->pos = 0;
	err->msg[0] = '\0';
	if (parse_expr(&p, out) < 0)
		return -1;
	skip_space(&p);
	if (src[p.pos] == ')')
		return fail(&p, p.pos, "unmatched ')'");
	if (src[p.pos])
		return fail(&p, p.pos, "unexpected '%c' after the expression",
			    src[p.pos]);
	return 0;
}
