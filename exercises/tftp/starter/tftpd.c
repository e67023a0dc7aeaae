/*
 * tftpd.c - the `tftp` exercise: a TFTP server (RFC 1350) for the files of
 * one directory. Read README.md first: it gives the exact behaviour.
 *
 *	./tftpd -p PORT -d DIR [-t TIMEOUT_MS]
 *
 * Build and try by hand:
 *	cc -std=gnu11 -Wall -Wextra -pthread -O2 tftpd.c -o tftpd -lrt
 *	mkdir -p files && echo hello > files/hello.txt
 *	./tftpd -p 6969 -d files &
 *	curl -s tftp://127.0.0.1:6969/hello.txt
 *	kill %1
 * Run the tests (in this directory):
 *	grader check tftp
 *
 * This skeleton compiles and runs: it parses the command line, binds the
 * well-known port, prints the ready line, stops cleanly on SIGTERM, and
 * answers every request with an ERROR. The comments marked "Your code" say
 * what has to be added.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opcodes (RFC 1350; OACK is RFC 2347). */
enum { OP_RRQ = 1, OP_WRQ, OP_DATA, OP_ACK, OP_ERROR, OP_OACK };

/* Error codes of ERROR packets (RFC 1350). */
enum {
	E_UNDEF = 0,     /* not defined, see the message */
	E_NOTFOUND = 1,  /* file not found */
	E_ACCESS = 2,    /* access violation */
	E_DISKFULL = 3,  /* disk full or allocation exceeded */
	E_ILLEGAL = 4,   /* illegal TFTP operation */
	E_BADTID = 5,    /* unknown transfer ID */
	E_EXISTS = 6,    /* file already exists */
};

#define BLOCK_SIZE 512
#define MAX_RETRIES 5

static const char *dir_path;  /* the directory served (-d) */
static int timeout_ms = 1000; /* retransmission timeout (-t) */

static void usage(void)
{
	fprintf(stderr, "usage: tftpd -p PORT -d DIR [-t TIMEOUT_MS]\n");
	exit(2);
}

/* Parses a decimal integer in [lo, hi]; -1 on anything else. */
static long parse_num(const char *s, long lo, long hi)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	return v;
}

/* Numbers in TFTP packets are 2 bytes, most significant first. */
static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Sends an ERROR packet: opcode 5, code, message, NUL. */
static void send_error(int sock, const struct sockaddr_in *to, int code,
		       const char *msg)
{
	unsigned char p[4 + 128];
	size_t n = strlen(msg);

	if (n > sizeof(p) - 5)
		n = sizeof(p) - 5;
	put16(p, OP_ERROR);
	put16(p + 2, (unsigned)code);
	memcpy(p + 4, msg, n);
	p[4 + n] = '\0';
	/* UDP: a lost datagram is what retransmission is for. */
	(void)sendto(sock, p, 5 + n, 0, (const struct sockaddr *)to,
		     sizeof(*to));
}

/*
 * A request arrived on the well-known port.
 *
 * Your code:
 *   - check the packet: an opcode other than RRQ/WRQ gets ERROR 4; the
 *     file name and the mode must each end with a NUL byte; mode "octet"
 *     (or "netascii", which you may treat the same), in any letter case;
 *   - start the transfer in a new thread (or process) that opens a socket
 *     of its own on a new port -- bind to 127.0.0.1 port 0 -- and talks to
 *     the client from there: that port is the transfer ID. The main loop
 *     must go on accepting requests meanwhile (at least 8 transfers at
 *     once);
 *   - in the transfer: the name checks (ERROR 2 for '/' or a leading '.',
 *     except `.dir`), ERROR 1 / ERROR 6, the DATA/ACK lock-step with
 *     retransmission after timeout_ms (at most MAX_RETRIES times), ERROR 5
 *     to strangers, and for an upload a temporary file renamed at the end.
 */
static void handle_request(int sock, const struct sockaddr_in *from,
			   const unsigned char *pkt, size_t len)
{
	unsigned op = len >= 2 ? get16(pkt) : 0;

	if (op == OP_ERROR)
		return; /* never answer an ERROR */
	if (op != OP_RRQ && op != OP_WRQ) {
		send_error(sock, from, E_ILLEGAL, "Illegal TFTP operation");
		return;
	}
	send_error(sock, from, E_UNDEF, "Not implemented yet");
}

int main(int argc, char **argv)
{
	static unsigned char pkt[65536];
	struct sockaddr_in addr = { .sin_family = AF_INET };
	int port = -1, opt, sock, sigfd;
	struct stat st;
	sigset_t sigs;

	while ((opt = getopt(argc, argv, "p:d:t:")) != -1) {
		switch (opt) {
		case 'p':
			port = (int)parse_num(optarg, 1, 65535);
			if (port < 0)
				usage();
			break;
		case 'd':
			dir_path = optarg;
			break;
		case 't':
			timeout_ms = (int)parse_num(optarg, 1, 3600000);
			if (timeout_ms < 0)
				usage();
			break;
		default:
			usage();
		}
	}
	if (port < 0 || !dir_path || optind != argc)
		usage();
	if (stat(dir_path, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "tftpd: %s: not a directory\n", dir_path);
		return 1;
	}

	/*
	 * SIGTERM and SIGINT are blocked here, before any thread exists, so
	 * that every thread inherits the mask: the signals then wait to be
	 * read from sigfd by the main loop below, instead of interrupting some
	 * thread at a random place.
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, &sigs, NULL)) {
		fprintf(stderr, "tftpd: cannot block signals\n");
		return 1;
	}
	sigfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sigfd < 0) {
		perror("tftpd: signalfd");
		return 1;
	}

	/* The well-known port, on the loopback address only. */
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((uint16_t)port);
	if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr))) {
		fprintf(stderr, "tftpd: 127.0.0.1:%d: %s\n", port,
			strerror(errno));
		return 1;
	}
	/* Flushed: stdout is a pipe when the grader runs us. */
	printf("listening on %d\n", port);
	fflush(stdout);

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = sock, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
		};
		struct sockaddr_in from;
		socklen_t fromlen = sizeof(from);
		ssize_t n;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("tftpd: poll");
			return 1;
		}
		if (pfd[1].revents)
			break; /* SIGTERM or SIGINT */
		if (!(pfd[0].revents & POLLIN))
			continue;
		n = recvfrom(sock, pkt, sizeof(pkt), 0,
			     (struct sockaddr *)&from, &fromlen);
		if (n >= 0)
			handle_request(sock, &from, pkt, (size_t)n);
	}

	/*
	 * Your code: tell the running transfers to stop (a pipe whose write
	 * end you close here wakes every thread polling its read end), wait
	 * for them, and make sure no temporary upload file is left in DIR.
	 */
	close(sock);
	return 0;
}
