/*
 * tftp_client.h - the grader's own TFTP client (RFC 1350, with the options
 * extension of RFC 2347 and blksize of RFC 2348), used to test students'
 * TFTP servers.
 *
 * Besides plain get and put it can misbehave on purpose, one fault per
 * field of struct tftp_client_opts (lose a packet, send one twice, be slow,
 * talk from a foreign port, go silent or abort), and it measures how the
 * server reacted in struct tftp_result: duplicates received (early ones are
 * the Sorcerer's Apprentice bug, late ones are retransmissions), the delay
 * of a retransmission after a loss, ERROR packets and their codes.
 *
 * Every call is bounded by an overall deadline: a server that never answers
 * costs at most deadline_ms (a foreign-TID probe may add up to one
 * timeout, capped at 1 s, waiting for its ERROR 5). The client talks IPv4
 * to opts.host (127.0.0.1 by default) and binds its own sockets to
 * 127.0.0.1, so it is meant for servers on the loopback interface.
 *
 * Errors: functions return 0 on success and -1 on failure, with a sentence
 * in the struct error (never printed) and the details in the struct
 * tftp_result. They call die() only on a grader fault (out of memory).
 *
 * Ownership: the caller owns every struct passed in. opts and its strings
 * are only read, during the call. tftp_get appends the file to the caller's
 * struct buf (initialised by the caller, who releases it); tftp_raw does the
 * same with the reply. tftp_result holds no pointers and needs no release.
 * The functions keep no global state and may run in several threads at once.
 */
#ifndef GRADER_TFTP_CLIENT_H
#define GRADER_TFTP_CLIENT_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

/* Opcodes (RFC 1350, OACK from RFC 2347). */
enum tftp_opcode {
	TFTP_RRQ = 1,
	TFTP_WRQ = 2,
	TFTP_DATA = 3,
	TFTP_ACK = 4,
	TFTP_ERROR = 5,
	TFTP_OACK = 6,
};

/* Error codes of ERROR packets (0-7 RFC 1350, 8 RFC 2347). */
enum tftp_errcode {
	TFTP_EUNDEF = 0,
	TFTP_ENOTFOUND = 1,
	TFTP_EACCESS = 2,
	TFTP_EDISKFULL = 3,
	TFTP_EILLEGAL = 4,
	TFTP_EBADTID = 5,
	TFTP_EEXISTS = 6,
	TFTP_ENOUSER = 7,
	TFTP_EOPTION = 8,
};

/*
 * What to connect to, how patient to be, and which faults to inject.
 * Zero-initialise it and set what you need: every 0 means "default" or "off".
 * Packet and block counts are 1-based.
 */
struct tftp_client_opts {
	const char *host; /* IPv4 address; NULL = "127.0.0.1" */
	int port;	  /* the server's well-known port */
	const char *mode; /* NULL = "octet" */
	int timeout_ms;	  /* our retransmission timeout; 0 = 1000 */
	int retries;	  /* our retransmissions before giving up; 0 = 5 */
	int deadline_ms;  /* hard limit for the whole call; 0 = 30000 */
	int blksize;	  /* >0: request the blksize option with this value */
	int early_dup_ms; /* a duplicate closer than this to the previous
			     copy is "early" (not a timeout); 0 = 100 */

	/* Faults. A "dropped" packet is counted as sent or received but never
	 * leaves / is ignored as if the network had lost it. */
	int drop_nth_sent;     /* drop our n-th outgoing packet (1 = request) */
	int drop_nth_received; /* ignore the server's n-th DATA/ACK/OACK */
	int dup_ack_at_block;  /* get: send the ACK of block k twice */
	int dup_data_at_block; /* put: send DATA k twice */
	int delay_at_block;    /* before our ACK k (get) / DATA k (put)... */
	int delay_ms;	       /* ...wait this long (packets keep queueing) */
	int foreign_tid_at_block; /* before our ACK k (get) / DATA k (put),
				     send a decoy of it (put: garbage bytes)
				     from a second socket, which must get
				     ERROR 5 back; the transfer goes on */
	int abort_at_block;	  /* send ERROR 0 instead of ACK k / DATA k and
				     stop (the call then fails) */
	int stall_at_block;	  /* go silent instead of ACK k / DATA k, but
				     keep listening for stall_ms (counting the
				     server's retransmissions), then fail */
	int stall_ms;		  /* 0 = 3000 */

	/* Coordination with the caller's other clients (both optional). */
	int sync_at_block;	   /* before our ACK k / DATA k, call sync() */
	int (*sync)(void *arg);	   /* ...which returns 0 to go on, or -1 to
				      abort (ERROR 0 to the server; the call
				      fails). Packets queue while it waits. */
	void *sync_arg;
	const int *cancel;	   /* once *cancel is nonzero (read
				      atomically), the call fails within about
				      50 ms: "cancelled" */
};

struct tftp_result {
	int ok;		     /* transfer complete (get: last block received
				and acknowledged; put: last ACK received) */
	int error_code;	     /* code of the server's ERROR packet; -1 none */
	char error_msg[256]; /* its text (sanitised), "" when none */
	int oack;	     /* the server answered with an OACK */
	int blksize;	     /* block size in use (512 unless negotiated) */
	int server_tid;	     /* the server's transfer port; 0 = none yet */
	unsigned blocks;     /* distinct DATA blocks transferred */
	size_t bytes;	     /* payload bytes transferred */
	int dup_data;	     /* get: DATA for a block already received */
	int dup_acks;	     /* put: ACK for a block already acknowledged */
	int early_dups;	     /* duplicates arriving < early_dup_ms after the
				previous copy. In a get these are the
				Sorcerer's Apprentice bug: a correct server
				resends only after its timeout */
	int retransmissions_seen; /* duplicates arriving later: timeouts */
	int retransmissions_sent; /* ours, after our own timeouts */
	int stray_packets;   /* packets from foreign ports, answered ERROR 5 */
	double max_gap_ms;   /* longest interval between two consecutive
				packets of the server (it includes any
				delay or loss we injected) */
	double drop_gap_ms;  /* from the injected drop to the next packet of
				the server: its retransmission delay; -1 if
				no drop or nothing followed */
	double stall_gap_ms; /* stall: first resend after going silent; -1 */
	int foreign_error_code; /* code of the ERROR the decoy socket got;
				   -1 nothing came, -2 no decoy was sent */
	double elapsed_ms;	/* duration of the whole call */
};

/* Downloads name; appends its bytes to out. Returns 0 or -1 (e set). */
int tftp_get(const struct tftp_client_opts *o, const char *name,
	     struct buf *out, struct tftp_result *r, struct error *e);

/* Uploads len bytes of data under name. Returns 0 or -1 (e set). */
int tftp_put(const struct tftp_client_opts *o, const char *name,
	     const void *data, size_t len, struct tftp_result *r,
	     struct error *e);

/*
 * Sends the len bytes of pkt (anything: a malformed request, a bad opcode)
 * to the server's well-known port and waits up to timeout_ms, resending up
 * to retries times, for the first reply from the server's host. The reply
 * is appended to reply, and an ERROR reply is decoded into r->error_code and
 * r->error_msg. Any other reply (the server accepted the packet) is answered
 * with ERROR 0 so that the server stops. Returns 0 when a reply came, -1 if
 * none did (e set).
 */
int tftp_raw(const struct tftp_client_opts *o, const void *pkt, size_t len,
	     struct buf *reply, struct tftp_result *r, struct error *e);

/* Appends an RRQ/WRQ packet to out: opcode, name, mode (NULL = "octet"),
 * and the blksize option when blksize > 0. For building tftp_raw probes. */
void tftp_build_request(struct buf *out, int opcode, const char *name,
			const char *mode, int blksize);

/* "File not found", ... for codes 0-8; "Unknown error" otherwise. */
const char *tftp_error_name(int code);

#endif
