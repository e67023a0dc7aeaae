/*
 * spec_server.h - the `type: server` test: a network server started with
 * placeholders in its arguments, a served directory seeded with files, and
 * a list of client actions run against it (docs/spec.md, "Server tests").
 *
 * The only protocol today is TFTP (RFC 1350/2347/2348), spoken by the
 * grader's own client (tftp_client.h, which can inject faults) or by
 * Debian's `tftp` client of tftp-hpa (get, put and list only). The runner
 * is step_server.c.
 *
 * Ownership: struct spec_server and everything under it belong to the
 * spec_test that points at it; spec_server_release() (called by spec_free
 * through the step-type table) frees it.
 */
#ifndef GRADER_SPEC_SERVER_H
#define GRADER_SPEC_SERVER_H

#include <stddef.h>

#include "error.h"
#include "spec.h"

struct spec_ctx;
struct ynode;

enum server_client {
	SERVER_CLIENT_GRADER = 0, /* tftp_client.c: every action and fault */
	SERVER_CLIENT_TFTP_HPA,   /* /usr/bin/tftp: get, put, list, wait */
};

/* The bytes of a file: seeded, uploaded, or expected from a download. */
enum server_content_kind {
	CONTENT_NONE = 0,
	CONTENT_TEXT,  /* a spec text: inline, {file: PATH}, {generate: ...} */
	CONTENT_BYTES, /* {bytes: SIZE, seed: N}: exactly SIZE bytes of
			  splitmix64 output (the algorithm is part of the
			  format, see docs/spec.md) */
};

struct server_content {
	enum server_content_kind kind;
	struct spec_text text;
	long long size;
	unsigned long long seed;
};

/* Produces the bytes (caller frees *data). CONTENT_NONE is empty. Returns
 * 0, or -1 with e filled (a missing file). */
int server_content_materialize(const struct server_content *c, char **data,
			       size_t *len, struct error *e);

/* Faults injected by the grader's client (tftp_client_opts); 0 = off.
 * Block and packet numbers are 1-based. */
struct server_faults {
	int drop_sent;      /* our n-th packet is lost (1 = the request) */
	int drop_received;  /* the server's n-th DATA/ACK/OACK is lost */
	int duplicate_ack;  /* get: ACK k sent twice */
	int duplicate_data; /* put: DATA k sent twice */
	int delay_block;    /* before ACK k / DATA k ... */
	double delay_s;     /* ... wait this long */
	int foreign_tid;    /* before ACK k / DATA k, a decoy from another
			       port, which must get ERROR 5 */
	int abort_block;    /* ERROR 0 instead of ACK k / DATA k */
	int stall_block;    /* silence instead of ACK k / DATA k ... */
	double stall_s;     /* ... listening this long (default 3 s) */
};

enum server_verb {
	SV_GET = 0,    /* download `name`; compare with `content` */
	SV_PUT,        /* upload `content` as `name`; compare DIR/name */
	SV_LIST,       /* download `name` (.dir); compare with the listing of
			  DIR computed by the grader at that moment */
	SV_RAW,        /* send `raw` to the well-known port; expect `error` */
	SV_WAIT,       /* sleep `wait_s` */
	SV_CONCURRENT, /* run `sub` at once, each in its own thread */
};

struct server_action {
	enum server_verb verb;
	char *name;                 /* GET, PUT, LIST */
	char *raw;                  /* RAW: the packet */
	size_t rawlen;
	double wait_s;              /* WAIT */
	struct server_content content; /* GET: expected (NONE: the seeded
					  file of that name); PUT: data */
	int error;                  /* expected ERROR code; -1: success */
	int blksize;                /* > 0: ask for the blksize option */
	int expect_blksize;         /* > 0: the OACK must grant this */
	char *mode;                 /* NULL = octet */
	struct server_faults f;
	int retransmissions;        /* stall: exactly this many resends; -1 */
	int background;             /* runs in its own thread until the
				       server has been stopped */
	struct server_action *sub;  /* CONCURRENT */
	size_t nsub;
	int overlap;                /* CONCURRENT: every transfer must be
				       under way at the same time */
	int line, col;
};

/* A file seeded into the served directory before the server starts. */
struct server_file {
	char *name; /* relative path; subdirectories are created */
	struct server_content content;
	int outside; /* 1: seeded next to the served directory (outside it) */
};

struct spec_server {
	char *protocol;             /* "tftp" */
	enum server_client client;
	char *ready;                /* regex (ERE) with placeholders */
	double ready_timeout_s;     /* default 5 s */
	double retransmit_timeout_s; /* the server's -t ({timeout_ms});
					default 1 s */
	double window_min, window_max; /* a retransmission must come after
					  [min, max] x retransmit_timeout;
					  default 0.5 and 3 */
	double stop_timeout_s;      /* SIGTERM to exit; default 2 s */
	double client_timeout_s;    /* our own retransmission timeout;
				       0: 1.5 x the window's upper end, so
				       that the server must act first but
				       our resend comes before a correct
				       server gives up (6 timeouts) */
	int client_retries;         /* default 1 */
	double action_timeout_s;    /* deadline of one action; default 30 s */
	struct server_file *files;
	size_t nfiles;
	struct server_action *actions;
	size_t nactions;
};

/* s with {port}, {dir} and {timeout_ms} replaced (regex metacharacters of
 * the values escaped when for_regex). Caller frees. */
char *server_expand(const char *s, int port, const char *dir, int timeout_ms,
		    int for_regex);

/* The step-type row's parser and release (spec_parse.h). */
int spec_server_parse(struct spec_ctx *c, const struct ynode *map,
		      const char *prefix, struct spec_test *t,
		      struct error *e);
void spec_server_release(struct spec_test *t);
extern const char *const spec_server_keys[];

#endif
