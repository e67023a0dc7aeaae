/*
 * tftp_client.c - the grader's TFTP client, with fault injection and
 * measurements. See tftp_client.h for the API.
 *
 * One struct session per call. The client is lock-step like the protocol:
 * it sends one packet (xmit), then waits (wait_packet) for the server's
 * answer until its own timeout, retransmitting its last packet at most
 * `retries` times. Like a correct sender it never resends because of a
 * duplicate: only a timeout does. It does re-ACK a duplicate DATA, as RFC
 * 1350 asks of a receiver, which is exactly what lets a server with the
 * Sorcerer's Apprentice bug show it: each duplicate then doubles again.
 *
 * Arrival times come from the kernel (SO_TIMESTAMPNS), so that a packet
 * that queued while we slept on purpose still has its true arrival time;
 * those timestamps are CLOCK_REALTIME, hence two clocks below: rt_ms() for
 * measuring gaps, mono_ms() for deadlines.
 */
#include "tftp_client.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_BLKSIZE 65464 /* RFC 2348 */
#define MIN_BLKSIZE 8
#define DEFAULT_BLKSIZE 512
#define PKT_MAX (MAX_BLKSIZE + 4)
#define RECV_MAX 65536 /* more than PKT_MAX, to notice oversized packets */
#define CANCEL_POLL_MS 50 /* how often a cancellable wait looks at *cancel */
#define RECV_SLICE_MS 20  /* a blocking receive returns at least this often */

struct session {
	const struct tftp_client_opts *o;
	struct tftp_result *r;
	struct error *e;
	int sock;
	int decoy;		   /* foreign-TID socket, -1 when none */
	struct sockaddr_in server; /* the well-known port */
	struct sockaddr_in peer;   /* the server's TID once known */
	int peer_known;
	int timeout_ms, retries, early_ms;
	double mono_start, mono_deadline;

	unsigned char out[PKT_MAX]; /* our last packet, for retransmission */
	size_t outlen;
	unsigned char in[RECV_MAX];
	size_t inlen;
	double in_ts; /* arrival of in[], rt_ms() clock */

	int sent_count, recv_count; /* for drop_nth_sent / drop_nth_received */
	int dropped_last;	    /* our last xmit was dropped on purpose */
	int drop_pending;	    /* a drop waits for the next arrival */
	double drop_ts;
	double last_rx_ts; /* previous arrival, for max_gap_ms */
};

static double ts_ms(const struct timespec *ts)
{
	return (double)ts->tv_sec * 1e3 + (double)ts->tv_nsec / 1e6;
}

static double rt_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts_ms(&ts);
}

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts_ms(&ts);
}

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

const char *tftp_error_name(int code)
{
	static const char *const names[] = {
	    "Not defined",
	    "File not found",
	    "Access violation",
	    "Disk full or allocation exceeded",
	    "Illegal TFTP operation",
	    "Unknown transfer ID",
	    "File already exists",
	    "No such user",
	    "Option negotiation failed",
	};

	if (code < 0 || code > 8)
		return "Unknown error";
	return names[code];
}

void tftp_build_request(struct buf *out, int opcode, const char *name,
			const char *mode, int blksize)
{
	unsigned char op[2];

	put16(op, (unsigned)opcode);
	buf_add(out, op, 2);
	buf_add(out, name, strlen(name) + 1);
	mode = mode ? mode : "octet";
	buf_add(out, mode, strlen(mode) + 1);
	if (blksize > 0) {
		buf_add(out, "blksize", 8);
		buf_addf(out, "%d", blksize);
		buf_addch(out, '\0');
	}
}

static int cancelled(const struct session *s)
{
	return s->o->cancel && __atomic_load_n(s->o->cancel, __ATOMIC_ACQUIRE);
}

static void result_init(struct tftp_result *r)
{
	memset(r, 0, sizeof(*r));
	r->error_code = -1;
	r->blksize = DEFAULT_BLKSIZE;
	r->drop_gap_ms = -1;
	r->stall_gap_ms = -1;
	r->foreign_error_code = -2;
}

/* A socket on 127.0.0.1 with an ephemeral port and kernel timestamps. */
static int open_socket(struct error *e)
{
	struct sockaddr_in me = {.sin_family = AF_INET};
	struct timeval slice = {.tv_sec = 0, .tv_usec = RECV_SLICE_MS * 1000};
	int one = 1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return error_set(e, "tftp: socket: %s", strerror(errno));
	me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &slice, sizeof(slice))) {
		error_set(e, "tftp: socket setup: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int session_open(struct session *s, const struct tftp_client_opts *o,
			struct tftp_result *r, struct error *e)
{
	const char *host = o->host ? o->host : "127.0.0.1";

	memset(s, 0, sizeof(*s));
	s->o = o;
	s->r = r;
	s->e = e;
	s->decoy = -1;
	s->sock = -1;
	s->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 1000;
	s->retries = o->retries > 0 ? o->retries : 5;
	s->early_ms = o->early_dup_ms > 0 ? o->early_dup_ms : 100;
	s->mono_start = mono_ms();
	s->mono_deadline =
	    s->mono_start + (o->deadline_ms > 0 ? o->deadline_ms : 30000);
	result_init(r);
	if (o->port <= 0 || o->port > 65535)
		return error_set(e, "tftp: bad server port %d", o->port);
	s->server.sin_family = AF_INET;
	s->server.sin_port = htons((uint16_t)o->port);
	if (inet_pton(AF_INET, host, &s->server.sin_addr) != 1)
		return error_set(e, "tftp: bad server address '%s'", host);
	s->sock = open_socket(e);
	return s->sock < 0 ? -1 : 0;
}

static void session_close(struct session *s)
{
	/* The decoy's ERROR 5 is normally in before the transfer ends; give a
	 * slow server a short grace period before deciding it never came. */
	if (s->decoy >= 0 && s->r->foreign_error_code == -1) {
		double until =
		    mono_ms() + (s->timeout_ms < 1000 ? s->timeout_ms : 1000);

		while (s->r->foreign_error_code == -1) {
			struct pollfd p = {.fd = s->decoy, .events = POLLIN};
			unsigned char b[516];
			double left = until - mono_ms();
			ssize_t n;

			if (left <= 0 || poll(&p, 1, (int)left + 1) <= 0)
				break;
			n = recv(s->decoy, b, sizeof(b), 0);
			if (n >= 4 && get16(b) == TFTP_ERROR)
				s->r->foreign_error_code = (int)get16(b + 2);
		}
	}
	if (s->decoy >= 0)
		close(s->decoy);
	if (s->sock >= 0)
		close(s->sock);
	s->r->elapsed_ms = mono_ms() - s->mono_start;
}

static void send_raw(int fd, const struct sockaddr_in *to, const void *p,
		     size_t n)
{
	/* A failed send is a lost datagram, which the protocol handles. */
	(void)sendto(fd, p, n, 0, (const struct sockaddr *)to, sizeof(*to));
}

static void send_error_to(int fd, const struct sockaddr_in *to, int code,
			  const char *msg)
{
	unsigned char p[128];
	size_t n = strlen(msg);

	if (n > sizeof(p) - 5)
		n = sizeof(p) - 5;
	put16(p, TFTP_ERROR);
	put16(p + 2, (unsigned)code);
	memcpy(p + 4, msg, n);
	p[4 + n] = '\0';
	send_raw(fd, to, p, n + 5);
}

/* Sends (or, when it is the one to drop, pretends to send) s->out. */
static void xmit(struct session *s)
{
	const struct sockaddr_in *to = s->peer_known ? &s->peer : &s->server;

	s->sent_count++;
	if (s->o->drop_nth_sent && s->sent_count == s->o->drop_nth_sent) {
		s->dropped_last = 1;
		s->drop_pending = 1;
		s->drop_ts = rt_ms();
		return;
	}
	s->dropped_last = 0;
	send_raw(s->sock, to, s->out, s->outlen);
}

static void make_ack(struct session *s, unsigned block)
{
	put16(s->out, TFTP_ACK);
	put16(s->out + 2, block & 0xffff);
	s->outlen = 4;
}

/* recvmsg with the kernel's arrival time in *ts (rt_ms clock). */
static ssize_t recv_stamped(int fd, void *p, size_t n, struct sockaddr_in *from,
			    double *ts)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = p, .iov_len = n};
	struct msghdr m = {
	    .msg_name = from,
	    .msg_namelen = sizeof(*from),
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = ctl.buf,
	    .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	ssize_t got = recvmsg(fd, &m, 0);

	*ts = rt_ms();
	if (got < 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec t;

			memcpy(&t, CMSG_DATA(c), sizeof(t));
			*ts = ts_ms(&t);
		}
	}
	return got;
}

static void read_decoy(struct session *s)
{
	unsigned char b[RECV_MAX];
	ssize_t n = recv(s->decoy, b, sizeof(b), MSG_DONTWAIT);

	if (n >= 4 && get16(b) == TFTP_ERROR && s->r->foreign_error_code == -1)
		s->r->foreign_error_code = (int)get16(b + 2);
}

/*
 * Waits until mono time `until` (capped by the deadline) for a packet from
 * the server's TID. Packets from elsewhere are answered with ERROR 5 and
 * skipped; the packet chosen by drop_nth_received is skipped as if lost.
 * Returns 1 with the packet in s->in, 0 on timeout, -1 once the overall
 * deadline has passed or the socket failed (e set).
 */
static int wait_packet(struct session *s, double until)
{
	for (;;) {
		struct pollfd p[2] = {
		    {.fd = s->sock, .events = POLLIN},
		    {.fd = s->decoy, .events = POLLIN},
		};
		struct sockaddr_in from;
		double now = mono_ms(), left;
		ssize_t n;
		unsigned op;
		int pr;

		if (cancelled(s))
			return error_set(s->e, "tftp: cancelled");
		if (now >= s->mono_deadline)
			return error_set(s->e,
					 "tftp: no result within the deadline "
					 "of %.0f ms",
					 s->mono_deadline - s->mono_start);
		if (now >= until)
			return 0;
		left =
		    (until < s->mono_deadline ? until : s->mono_deadline) - now;
		if (s->o->cancel && left > CANCEL_POLL_MS)
			left = CANCEL_POLL_MS;
		if (s->decoy >= 0) {
			pr = poll(p, 2, (int)left + 1);
			if (pr < 0 && errno == EINTR)
				continue;
			if (pr < 0)
				return error_set(s->e, "tftp: poll: %s",
						 strerror(errno));
			if (p[1].revents & POLLIN)
				read_decoy(s);
			if (!(p[0].revents & POLLIN))
				continue;
		}
		/* Without a decoy, a blocking receive (SO_RCVTIMEO slices)
		 * saves the poll: one system call less per packet, which
		 * halves the time of a 16 MiB lock-step transfer on a busy
		 * machine. */
		memset(&from, 0, sizeof(from));
		n = recv_stamped(s->sock, s->in, sizeof(s->in), &from,
				 &s->in_ts);
		if (n < 0)
			continue; /* a slice ended (EAGAIN), a signal, or an
				     ICMP error surfacing: like a loss */
		if (from.sin_addr.s_addr != s->server.sin_addr.s_addr)
			continue;
		if (!s->peer_known) {
			s->peer = from;
			s->peer_known = 1;
			s->r->server_tid = ntohs(from.sin_port);
		} else if (from.sin_port != s->peer.sin_port) {
			/* Not our transfer (e.g. a second transfer started
			 * by a resent request): RFC 1350 says ERROR 5. */
			s->r->stray_packets++;
			if (n < 2 || get16(s->in) != TFTP_ERROR)
				send_error_to(s->sock, &from, TFTP_EBADTID,
					      "Unknown transfer ID");
			continue;
		}
		s->inlen = (size_t)n;
		op = n >= 2 ? get16(s->in) : 0;
		if (op == TFTP_DATA || op == TFTP_ACK || op == TFTP_OACK) {
			s->recv_count++;
			if (s->o->drop_nth_received &&
			    s->recv_count == s->o->drop_nth_received) {
				s->drop_pending = 1;
				s->drop_ts = s->in_ts;
				continue;
			}
		}
		if (s->drop_pending) {
			s->r->drop_gap_ms = s->in_ts - s->drop_ts;
			s->drop_pending = 0;
		}
		if (s->last_rx_ts > 0 &&
		    s->in_ts - s->last_rx_ts > s->r->max_gap_ms)
			s->r->max_gap_ms = s->in_ts - s->last_rx_ts;
		s->last_rx_ts = s->in_ts;
		return 1;
	}
}

/* Records the server's ERROR packet (in s->in) and fails. */
static int got_error(struct session *s)
{
	size_t i, n = 0;

	s->r->error_code = s->inlen >= 4 ? (int)get16(s->in + 2) : 0;
	for (i = 4; i < s->inlen && s->in[i] && n < sizeof(s->r->error_msg) - 1;
	     i++) {
		unsigned char c = s->in[i];

		s->r->error_msg[n++] = c >= 32 && c < 127 ? (char)c : '?';
	}
	s->r->error_msg[n] = '\0';
	return error_set(s->e, "server sent ERROR %d (%s): \"%s\"",
			 s->r->error_code, tftp_error_name(s->r->error_code),
			 s->r->error_msg);
}

/* A protocol violation by the server: tell it (ERROR 4) and fail. */
static int violation(struct session *s, const char *what)
{
	if (s->peer_known)
		send_error_to(s->sock, &s->peer, TFTP_EILLEGAL, what);
	return error_set(s->e, "protocol violation by the server: %s", what);
}

/* Classifies a duplicate by its distance to the previous copy. */
static void note_dup(struct session *s, double *prev_ts)
{
	if (s->in_ts - *prev_ts < s->early_ms)
		s->r->early_dups++;
	else
		s->r->retransmissions_seen++;
	*prev_ts = s->in_ts;
}

/*
 * Parses an OACK: only blksize may be in it (the only option we ask for),
 * with a value in [8, what we asked]. Returns the block size or -1.
 */
static int parse_oack(struct session *s)
{
	size_t off = 2;
	int blksize = -1;

	while (off < s->inlen) {
		const unsigned char *name = s->in + off, *val, *z;
		long v;
		char *end;

		z = memchr(name, '\0', s->inlen - off);
		if (!z)
			return -1;
		val = z + 1;
		if (val >= s->in + s->inlen)
			return -1;
		z = memchr(val, '\0', (size_t)(s->in + s->inlen - val));
		if (!z || strcasecmp((const char *)name, "blksize"))
			return -1;
		errno = 0;
		v = strtol((const char *)val, &end, 10);
		if (errno || *end || end == (const char *)val ||
		    v < MIN_BLKSIZE || v > s->o->blksize)
			return -1;
		blksize = (int)v;
		off = (size_t)(z - s->in) + 1;
	}
	return blksize;
}

static void sleep_ms(struct session *s, int ms)
{
	double until = mono_ms() + ms;

	if (until > s->mono_deadline)
		until = s->mono_deadline;
	for (;;) {
		double left = until - mono_ms();
		struct timespec ts;

		if (left <= 0 || cancelled(s))
			return;
		if (s->o->cancel && left > CANCEL_POLL_MS)
			left = CANCEL_POLL_MS;
		ts.tv_sec = (time_t)(left / 1e3);
		ts.tv_nsec = (long)((left - (double)ts.tv_sec * 1e3) * 1e6);
		nanosleep(&ts, NULL);
	}
}

/*
 * The faults that replace or precede our packet for block k (ACK k of a
 * get, DATA k of a put; the packet is already in s->out). Returns 1 when the
 * packet must not be sent because we abort or stall (the call then fails
 * with e set), 0 to go on and send it.
 */
static int stall(struct session *s, unsigned block, int want_op);

static int before_block(struct session *s, unsigned k, int want_op)
{
	const struct tftp_client_opts *o = s->o;

	if (o->sync && o->sync_at_block && (unsigned)o->sync_at_block == k &&
	    o->sync(o->sync_arg) < 0) {
		send_error_to(s->sock, &s->peer, TFTP_EUNDEF,
			      "Transfer abandoned by the client");
		error_set(s->e, "tftp: abandoned at block %u (sync failed)", k);
		return 1;
	}
	if (cancelled(s)) {
		error_set(s->e, "tftp: cancelled");
		return 1;
	}
	if (o->abort_at_block && (unsigned)o->abort_at_block == k) {
		send_error_to(s->sock, &s->peer, TFTP_EUNDEF,
			      "Transfer aborted by the client");
		error_set(s->e, "tftp: aborted at block %u as requested", k);
		return 1;
	}
	if (o->stall_at_block && (unsigned)o->stall_at_block == k) {
		stall(s, k, want_op);
		return 1;
	}
	if (o->delay_at_block && (unsigned)o->delay_at_block == k &&
	    o->delay_ms > 0)
		sleep_ms(s, o->delay_ms);
	if (o->foreign_tid_at_block && (unsigned)o->foreign_tid_at_block == k &&
	    s->decoy < 0) {
		unsigned char decoy[PKT_MAX];

		s->decoy = open_socket(s->e);
		if (s->decoy < 0)
			return 0; /* the transfer can go on without it */
		memcpy(decoy, s->out, s->outlen);
		/* A decoy DATA carries other bytes: a server that takes it
		 * corrupts the file, which the grader can see. */
		if (get16(decoy) == TFTP_DATA)
			memset(decoy + 4, 0xee, s->outlen - 4);
		s->r->foreign_error_code = -1;
		send_raw(s->decoy, &s->peer, decoy, s->outlen);
	}
	return 0;
}

/*
 * Goes silent instead of answering block k and listens for stall_ms,
 * counting the server's retransmissions of its last packet (DATA k for a
 * get, ACK k-1 for a put: want_op names what we would be waiting for).
 */
static int stall(struct session *s, unsigned k, int want_op)
{
	int ms = s->o->stall_ms > 0 ? s->o->stall_ms : 3000;
	double until = mono_ms() + ms, prev = s->in_ts, silent = s->in_ts;
	/* What the server resends: DATA k in a get, ACK k-1 in a put. Its
	 * timer started when it sent that, i.e. about when it arrived here. */
	unsigned block = want_op == TFTP_ACK ? k - 1 : k;
	int rc;

	while ((rc = wait_packet(s, until)) == 1) {
		unsigned op = s->inlen >= 2 ? get16(s->in) : 0;

		if (op == TFTP_ERROR) {
			got_error(s);
			break;
		}
		if (s->inlen < 4 || (get16(s->in + 2) != (block & 0xffff) &&
				     !(op == TFTP_OACK && block == 0)))
			continue;
		if (s->r->stall_gap_ms < 0)
			s->r->stall_gap_ms = s->in_ts - silent;
		note_dup(s, &prev);
		if (op == TFTP_DATA)
			s->r->dup_data++;
		else
			s->r->dup_acks++;
	}
	if (rc < 0)
		return -1;
	return error_set(s->e,
			 "tftp: stalled at block %u as requested; the server "
			 "resent %d time(s)",
			 k, s->r->retransmissions_seen + s->r->early_dups);
}

/* Our timeout expired: resend, or give up after `retries` resends. */
static int on_timeout(struct session *s, int *resends, double *until,
		      const char *waiting_for)
{
	if (*resends >= s->retries)
		return error_set(s->e,
				 "tftp: timeout waiting for %s (%d "
				 "retransmission(s) of ours unanswered)",
				 waiting_for, *resends);
	(*resends)++;
	s->r->retransmissions_sent++;
	xmit(s);
	*until = mono_ms() + s->timeout_ms;
	return 0;
}

int tftp_get(const struct tftp_client_opts *o, const char *name,
	     struct buf *out, struct tftp_result *r, struct error *e)
{
	struct session *s = xcalloc(1, sizeof(*s));
	unsigned expect = 1; /* next block, counted without wrapping */
	int resends = 0, got_oack = 0, finished = 0, rc = -1;
	double until, prev_copy = 0;
	char what[64];

	if (session_open(s, o, r, e))
		goto out;
	{
		struct buf req;

		buf_init(&req, PKT_MAX);
		tftp_build_request(&req, TFTP_RRQ, name, o->mode, o->blksize);
		memcpy(s->out, req.data, req.len);
		s->outlen = req.len;
		buf_release(&req);
	}
	xmit(s);
	until = mono_ms() + s->timeout_ms;
	for (;;) {
		int w = wait_packet(s, until);
		unsigned op, blk;
		size_t len;

		if (w < 0)
			goto out;
		if (w == 0) {
			snprintf(what, sizeof(what), "DATA block %u", expect);
			if (finished && resends < s->retries) {
				/* Our last ACK was dropped on purpose and
				 * the server did not resend: resend it. */
				on_timeout(s, &resends, &until, what);
				if (!s->dropped_last)
					break;
				continue;
			}
			if (on_timeout(s, &resends, &until, what))
				goto out;
			continue;
		}
		if (s->inlen < 4) {
			violation(s, "truncated packet");
			goto out;
		}
		op = get16(s->in);
		blk = get16(s->in + 2);
		if (op == TFTP_ERROR) {
			got_error(s);
			goto out;
		}
		if (op == TFTP_OACK) {
			int bs;

			if (expect != 1 || o->blksize <= 0) {
				violation(s, "unexpected OACK");
				goto out;
			}
			if (got_oack) { /* our ACK 0 was lost: again */
				note_dup(s, &prev_copy);
				xmit(s);
				continue;
			}
			bs = parse_oack(s);
			if (bs < 0) {
				send_error_to(s->sock, &s->peer, TFTP_EOPTION,
					      "Bad OACK");
				error_set(e, "server sent an invalid OACK");
				goto out;
			}
			got_oack = 1;
			r->oack = 1;
			r->blksize = bs;
			prev_copy = s->in_ts;
			make_ack(s, 0);
			xmit(s);
			resends = 0;
			until = mono_ms() + s->timeout_ms;
			continue;
		}
		if (op != TFTP_DATA) {
			violation(s, "expected DATA");
			goto out;
		}
		len = s->inlen - 4;
		if (len > (size_t)r->blksize) {
			snprintf(what, sizeof(what),
				 "DATA of %zu bytes, block size %d", len,
				 r->blksize);
			violation(s, what);
			goto out;
		}
		if (expect > 1 && blk == ((expect - 1) & 0xffff)) {
			/* Already have it: the server resent, or has the
			 * Sorcerer's Apprentice bug. Re-ACK as RFC 1350 says.
			 */
			r->dup_data++;
			note_dup(s, &prev_copy);
			xmit(s);
			if (finished && !s->dropped_last)
				break;
			continue;
		}
		if (blk != (expect & 0xffff)) {
			snprintf(what, sizeof(what),
				 "DATA block %u while expecting %u", blk,
				 expect & 0xffff);
			violation(s, what);
			goto out;
		}
		if (buf_add(out, s->in + 4, len) < len) {
			error_set(e,
				  "tftp: %s is larger than the limit of %zu "
				  "bytes",
				  name, out->limit);
			goto out;
		}
		r->blocks++;
		r->bytes += len;
		prev_copy = s->in_ts;
		make_ack(s, expect);
		if (before_block(s, expect, TFTP_DATA))
			goto out;
		xmit(s);
		if (o->dup_ack_at_block &&
		    (unsigned)o->dup_ack_at_block == expect)
			xmit(s);
		resends = 0;
		until = mono_ms() + s->timeout_ms;
		expect++;
		if (len < (size_t)r->blksize) {
			/* The end, unless our last ACK was lost (on purpose):
			 * then wait for the server's retransmission. */
			finished = 1;
			if (!s->dropped_last)
				break;
		}
	}
	r->ok = 1;
	rc = 0;
out:
	session_close(s);
	free(s);
	return rc;
}

int tftp_put(const struct tftp_client_opts *o, const char *name,
	     const void *data, size_t len, struct tftp_result *r,
	     struct error *e)
{
	struct session *s = xcalloc(1, sizeof(*s));
	const unsigned char *bytes = data;
	unsigned cur = 0;  /* the block whose ACK we wait for (unwrapped) */
	unsigned last = 0; /* number of the final (short) block */
	int resends = 0, got_oack = 0, rc = -1;
	double until, prev_copy = 0;
	char what[64];

	if (session_open(s, o, r, e))
		goto out;
	{
		struct buf req;

		buf_init(&req, PKT_MAX);
		tftp_build_request(&req, TFTP_WRQ, name, o->mode, o->blksize);
		memcpy(s->out, req.data, req.len);
		s->outlen = req.len;
		buf_release(&req);
	}
	xmit(s);
	until = mono_ms() + s->timeout_ms;
	for (;;) {
		int w = wait_packet(s, until);
		unsigned op, blk;
		size_t off, n;

		if (w < 0)
			goto out;
		if (w == 0) {
			snprintf(what, sizeof(what), "ACK %u", cur);
			if (on_timeout(s, &resends, &until, what))
				goto out;
			continue;
		}
		if (s->inlen < 4) {
			violation(s, "truncated packet");
			goto out;
		}
		op = get16(s->in);
		blk = get16(s->in + 2);
		if (op == TFTP_ERROR) {
			got_error(s);
			goto out;
		}
		if (op == TFTP_OACK) {
			int bs;

			if (cur == 1 && got_oack) {
				/* A resent OACK: a duplicate of "ACK 0". */
				r->dup_acks++;
				note_dup(s, &prev_copy);
				continue;
			}
			if (o->blksize <= 0 || cur != 0) {
				violation(s, "unexpected OACK");
				goto out;
			}
			bs = parse_oack(s);
			if (bs < 0) {
				send_error_to(s->sock, &s->peer, TFTP_EOPTION,
					      "Bad OACK");
				error_set(e, "server sent an invalid OACK");
				goto out;
			}
			got_oack = 1;
			r->oack = 1;
			r->blksize = bs;
			blk = 0; /* the OACK stands for ACK 0 */
		} else if (op != TFTP_ACK) {
			violation(s, "expected ACK");
			goto out;
		} else if (cur > 0 && blk == ((cur - 1) & 0xffff)) {
			/* Never resend on a duplicate ACK (RFC 1123). */
			r->dup_acks++;
			note_dup(s, &prev_copy);
			continue;
		} else if (blk != (cur & 0xffff)) {
			snprintf(what, sizeof(what),
				 "ACK %u while expecting %u", blk,
				 cur & 0xffff);
			violation(s, what);
			goto out;
		}
		/* ACK cur (or OACK) received. */
		prev_copy = s->in_ts;
		if (cur == 0)
			last = (unsigned)(len / (size_t)r->blksize) + 1;
		else {
			r->blocks++;
			r->bytes += cur == last ? len % (size_t)r->blksize
						: (size_t)r->blksize;
		}
		if (cur == last && cur > 0)
			break;
		cur++;
		off = (size_t)(cur - 1) * (size_t)r->blksize;
		n = len - off < (size_t)r->blksize ? len - off
						   : (size_t)r->blksize;
		put16(s->out, TFTP_DATA);
		put16(s->out + 2, cur & 0xffff);
		memcpy(s->out + 4, bytes + off, n);
		s->outlen = 4 + n;
		if (before_block(s, cur, TFTP_ACK))
			goto out;
		xmit(s);
		if (o->dup_data_at_block &&
		    (unsigned)o->dup_data_at_block == cur)
			xmit(s);
		resends = 0;
		until = mono_ms() + s->timeout_ms;
	}
	r->ok = 1;
	rc = 0;
out:
	session_close(s);
	free(s);
	return rc;
}

int tftp_raw(const struct tftp_client_opts *o, const void *pkt, size_t len,
	     struct buf *reply, struct tftp_result *r, struct error *e)
{
	struct session *s = xcalloc(1, sizeof(*s));
	int resends = 0, rc = -1, w;
	double until;

	if (session_open(s, o, r, e))
		goto out;
	if (len > sizeof(s->out)) {
		error_set(e, "tftp: raw packet of %zu bytes is too large", len);
		goto out;
	}
	memcpy(s->out, pkt, len);
	s->outlen = len;
	xmit(s);
	until = mono_ms() + s->timeout_ms;
	while ((w = wait_packet(s, until)) == 0)
		if (on_timeout(s, &resends, &until, "a reply"))
			goto out;
	if (w < 0)
		goto out;
	buf_add(reply, s->in, s->inlen);
	if (s->inlen >= 2 && get16(s->in) == TFTP_ERROR) {
		got_error(s);
		error_init(e); /* a reply came: that is the success here */
	} else {
		/* The server accepted what we sent: stop its transfer. */
		send_error_to(s->sock, &s->peer, TFTP_EUNDEF, "Probe finished");
	}
	rc = 0;
out:
	session_close(s);
	free(s);
	return rc;
}
