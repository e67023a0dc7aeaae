/*
 * tftpd.c - reference solution of the tftp exercise: a TFTP server
 * (RFC 1350, plus the blksize option of RFC 2347/2348) for the files found
 * directly in one directory.
 *
 *   ./tftpd -p PORT -d DIR [-t TIMEOUT_MS]
 *
 * How it is built:
 *   - The main thread owns the well-known socket (127.0.0.1:PORT). It only
 *     parses requests; each well-formed RRQ/WRQ gets a detached worker thread
 *     with its own socket on a new ephemeral port: that port is the server's
 *     transfer ID (TID), so transfers never see each other's packets.
 *   - A worker is lock-step: send one packet, wait for the answer to it;
 *     retransmit the same packet when the timeout expires, give up after
 *     MAX_RETRIES retransmissions. Only a timeout ever causes a resend: an
 *     old or duplicate ACK is ignored, which is what avoids the Sorcerer's
 *     Apprentice bug (RFC 1123, 4.2.3.1).
 *   - Uploads go to a dot-named temporary file in DIR (never listed, never
 *     served) that is renamed into place without replacing anything once the
 *     last block arrived, so an aborted upload leaves nothing under its name.
 *   - SIGTERM/SIGINT are blocked in every thread and read from a signalfd by
 *     the main thread. It then closes the write end of the "stop" pipe whose
 *     read end every worker polls: all workers wake at once, remove their
 *     temporary files and leave; main waits until none is left and exits 0.
 *     Threads rather than processes, so there is no child to leave behind.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { OP_RRQ = 1, OP_WRQ, OP_DATA, OP_ACK, OP_ERROR, OP_OACK };

enum {
	E_UNDEF = 0,
	E_NOTFOUND = 1,
	E_ACCESS = 2,
	E_DISKFULL = 3,
	E_ILLEGAL = 4,
	E_BADTID = 5,
	E_EXISTS = 6,
};

#define DEFAULT_BLKSIZE 512
#define MIN_BLKSIZE 8
#define MAX_BLKSIZE 65464 /* RFC 2348 */
#define MAX_RETRIES 5
#define MAX_WORKERS 256
#define MAX_PACKET (MAX_BLKSIZE + 4)
#define NAME_MAX_LEN 255

/* Configuration, written once by main before any thread starts. */
static const char *dir_path;
static int timeout_ms = 1000;
static int stop_rd = -1; /* read end of the stop pipe: EOF means "leave now" */

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t live_cond = PTHREAD_COND_INITIALIZER;
static int live_workers;

/* One request accepted by the main thread, handed over to a worker. */
struct job {
	struct sockaddr_in peer;
	int opcode;
	int blksize; /* requested blksize (already clamped), 0 = no option */
	char name[NAME_MAX_LEN + 1];
};

/* The state of one transfer, owned by its worker. */
struct transfer {
	int sock;
	struct sockaddr_in peer;
	unsigned char out[MAX_PACKET]; /* the last packet sent, for resending */
	size_t outlen;
	unsigned char in[MAX_PACKET + 1];
	size_t inlen;
};

static void usage(void)
{
	fprintf(stderr, "usage: tftpd -p PORT -d DIR [-t TIMEOUT_MS]\n");
	exit(2);
}

static long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static int same_peer(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_addr.s_addr == b->sin_addr.s_addr &&
	       a->sin_port == b->sin_port;
}

static void send_to(int sock, const struct sockaddr_in *to, const void *p,
		    size_t n)
{
	/* A lost datagram is what retransmission is for; nothing to do here
	 * when sendto fails (ECONNREFUSED from a vanished client, ...). */
	(void)sendto(sock, p, n, 0, (const struct sockaddr *)to, sizeof(*to));
}

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
	send_to(sock, to, p, 5 + n);
}

/* Names are plain files of DIR: anything that could leave it or reach a
 * hidden (and so also a temporary) file is refused. */
static int name_allowed(const char *name)
{
	return name[0] != '\0' && name[0] != '.' && !strchr(name, '/');
}

/*
 * Sends t->out and waits for the packet that answers it: opcode want_op with
 * block number want_block, from the transfer's peer. Returns 0 with the answer
 * in t->in, or -1 when the transfer is over (the peer sent an ERROR or
 * something illegal, MAX_RETRIES resends went unanswered, or we are stopping).
 */
static int exchange(struct transfer *t, int want_op, unsigned want_block)
{
	long deadline = monotonic_ms() + timeout_ms;
	int resends = 0;

	send_to(t->sock, &t->peer, t->out, t->outlen);
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = t->sock, .events = POLLIN },
			{ .fd = stop_rd, .events = POLLIN },
		};
		struct sockaddr_in from;
		socklen_t fromlen = sizeof(from);
		long left = deadline - monotonic_ms();
		ssize_t n;
		unsigned op;

		if (left <= 0) {
			if (resends == MAX_RETRIES)
				return -1;
			resends++;
			send_to(t->sock, &t->peer, t->out, t->outlen);
			deadline = monotonic_ms() + timeout_ms;
			continue;
		}
		if (poll(pfd, 2, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd[1].revents)
			return -1;
		if (!(pfd[0].revents & POLLIN))
			continue;
		n = recvfrom(t->sock, t->in, sizeof(t->in), 0,
			     (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			continue; /* e.g. ECONNREFUSED reported by ICMP */
		if (!same_peer(&from, &t->peer)) {
			/* Somebody else: tell them, and carry on undisturbed. */
			if (n < 2 || get16(t->in) != OP_ERROR)
				send_error(t->sock, &from, E_BADTID,
					   "Unknown transfer ID");
			continue;
		}
		if (n < 4) {
			send_error(t->sock, &t->peer, E_ILLEGAL,
				   "Truncated packet");
			return -1;
		}
		op = get16(t->in);
		if (op == OP_ERROR)
			return -1;
		if ((int)op != want_op) {
			send_error(t->sock, &t->peer, E_ILLEGAL,
				   "Illegal TFTP operation");
			return -1;
		}
		t->inlen = (size_t)n;
		if (get16(t->in + 2) == want_block)
			return 0;
		/*
		 * A stale block number. An old DATA during an upload means our
		 * ACK of it was lost: ACK it again (our last packet is exactly
		 * that ACK). An old ACK during a download is ignored: resending
		 * DATA because of it would be the Sorcerer's Apprentice bug.
		 */
		if (want_op == OP_DATA &&
		    get16(t->in + 2) == ((want_block - 1) & 0xffff))
			send_to(t->sock, &t->peer, t->out, t->outlen);
	}
}

/* Builds the OACK for an accepted blksize into t->out. */
static void make_oack(struct transfer *t, int blksize)
{
	int n;

	put16(t->out, OP_OACK);
	n = snprintf((char *)t->out + 2, sizeof(t->out) - 2, "blksize%c%d",
		     '\0', blksize);
	t->outlen = 2 + (size_t)n + 1;
}

/* What a download reads from: an open file, or a listing held in memory. */
struct source {
	int fd; /* -1 for mem */
	char *mem;
	size_t memlen, off;
};

static ssize_t source_read(struct source *s, unsigned char *dst, size_t n)
{
	size_t got = 0;

	if (s->fd < 0) {
		if (n > s->memlen - s->off)
			n = s->memlen - s->off;
		memcpy(dst, s->mem + s->off, n);
		s->off += n;
		return (ssize_t)n;
	}
	while (got < n) {
		ssize_t r = read(s->fd, dst + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int cmp_names(const void *a, const void *b)
{
	/* strcmp compares as unsigned char: a bytewise order. */
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The `.dir` listing: regular, non-dot files of DIR, sorted, one a line. */
static int make_listing(struct source *s)
{
	DIR *d = opendir(dir_path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, len = 0, i;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			char **nn;

			cap = cap ? 2 * cap : 16;
			nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				goto fail;
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (!names[n])
			goto fail;
		len += strlen(names[n]) + 1;
		n++;
	}
	closedir(d);
	d = NULL;
	qsort(names, n, sizeof(*names), cmp_names);
	s->mem = malloc(len + 1);
	if (!s->mem)
		goto fail;
	s->memlen = 0;
	for (i = 0; i < n; i++) {
		size_t l = strlen(names[i]);

		memcpy(s->mem + s->memlen, names[i], l);
		s->mem[s->memlen + l] = '\n';
		s->memlen += l + 1;
	}
	s->fd = -1;
	s->off = 0;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return 0;
fail:
	if (d)
		closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return -1;
}

static void serve_rrq(struct transfer *t, const struct job *j)
{
	struct source src = { .fd = -1 };
	int blksize = j->blksize ? j->blksize : DEFAULT_BLKSIZE;
	unsigned block = 1;

	if (strcmp(j->name, ".dir") == 0) {
		if (make_listing(&src)) {
			send_error(t->sock, &t->peer, E_UNDEF,
				   "Cannot list the directory");
			return;
		}
	} else if (!name_allowed(j->name)) {
		send_error(t->sock, &t->peer, E_ACCESS, "Access violation");
		return;
	} else {
		char path[PATH_MAX];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir_path, j->name);
		src.fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (src.fd < 0) {
			if (errno == ENOENT)
				send_error(t->sock, &t->peer, E_NOTFOUND,
					   "File not found");
			else
				send_error(t->sock, &t->peer, E_ACCESS,
					   "Access violation");
			return;
		}
		if (fstat(src.fd, &st) || !S_ISREG(st.st_mode)) {
			send_error(t->sock, &t->peer, E_NOTFOUND,
				   "File not found");
			close(src.fd);
			return;
		}
	}

	/* RFC 2347: after an OACK the client confirms with ACK 0. */
	if (j->blksize) {
		make_oack(t, blksize);
		if (exchange(t, OP_ACK, 0))
			goto out;
	}
	for (;;) {
		ssize_t n = source_read(&src, t->out + 4, (size_t)blksize);

		if (n < 0) {
			send_error(t->sock, &t->peer, E_UNDEF, "Read error");
			goto out;
		}
		put16(t->out, OP_DATA);
		put16(t->out + 2, block);
		t->outlen = 4 + (size_t)n;
		if (exchange(t, OP_ACK, block))
			goto out;
		if (n < blksize)
			break; /* the short (maybe empty) block was acknowledged */
		block = (block + 1) & 0xffff; /* wraps like tftp-hpa */
	}
out:
	if (src.fd >= 0)
		close(src.fd);
	free(src.mem);
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Moves tmp to path unless path exists (then -1 with errno EEXIST). */
static int rename_noreplace(const char *tmp, const char *path)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* A file system without RENAME_NOREPLACE: link() never replaces. */
	if (link(tmp, path))
		return -1;
	unlink(tmp);
	return 0;
}

/* After the last ACK, stay to re-ACK a resent last DATA: the final ACK
 * may be lost (RFC 1350 section 6). As long as a client with our own
 * timeout and retry count could still be resending it. */
static void dally(struct transfer *t, unsigned block)
{
	long deadline = monotonic_ms() + (long)timeout_ms * (MAX_RETRIES + 1);

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = t->sock, .events = POLLIN },
			{ .fd = stop_rd, .events = POLLIN },
		};
		struct sockaddr_in from;
		socklen_t fromlen = sizeof(from);
		long left = deadline - monotonic_ms();
		ssize_t n;

		if (left <= 0 || poll(pfd, 2, (int)left) <= 0 || pfd[1].revents)
			return;
		n = recvfrom(t->sock, t->in, sizeof(t->in), 0,
			     (struct sockaddr *)&from, &fromlen);
		if (n < 4 || !same_peer(&from, &t->peer))
			continue;
		if (get16(t->in) == OP_DATA && get16(t->in + 2) == block)
			send_to(t->sock, &t->peer, t->out, t->outlen);
		else
			return;
	}
}

static void serve_wrq(struct transfer *t, const struct job *j)
{
	int blksize = j->blksize ? j->blksize : DEFAULT_BLKSIZE;
	char path[PATH_MAX], tmp[PATH_MAX];
	unsigned block = 1;
	struct stat st;
	int fd;

	if (!name_allowed(j->name)) {
		send_error(t->sock, &t->peer, E_ACCESS, "Access violation");
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", dir_path, j->name);
	if (lstat(path, &st) == 0) {
		send_error(t->sock, &t->peer, E_EXISTS, "File already exists");
		return;
	}
	/* A dot name: never listed nor served, and ours alone (mkstemp). */
	snprintf(tmp, sizeof(tmp), "%s/.upload-XXXXXX", dir_path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		send_error(t->sock, &t->peer, E_UNDEF,
			   "Cannot create a temporary file");
		return;
	}

	/* RFC 2347: for a WRQ the OACK takes the place of ACK 0. */
	if (j->blksize) {
		make_oack(t, blksize);
	} else {
		put16(t->out, OP_ACK);
		put16(t->out + 2, 0);
		t->outlen = 4;
	}
	for (;;) {
		size_t len;

		if (exchange(t, OP_DATA, block))
			goto abort;
		len = t->inlen - 4;
		if (len > (size_t)blksize) {
			send_error(t->sock, &t->peer, E_ILLEGAL,
				   "DATA longer than the block size");
			goto abort;
		}
		if (write_all(fd, t->in + 4, len)) {
			if (errno == ENOSPC || errno == EDQUOT || errno == EFBIG)
				send_error(t->sock, &t->peer, E_DISKFULL,
					   "Disk full or allocation exceeded");
			else
				send_error(t->sock, &t->peer, E_UNDEF,
					   "Write error");
			goto abort;
		}
		put16(t->out, OP_ACK);
		put16(t->out + 2, block);
		t->outlen = 4;
		if (len < (size_t)blksize)
			break;
		block = (block + 1) & 0xffff;
	}
	if (fchmod(fd, 0644) || close(fd)) {
		fd = -1;
		send_error(t->sock, &t->peer, E_UNDEF, "Write error");
		goto abort;
	}
	fd = -1;
	/* Renamed before the final ACK: once the client has its ACK, the file
	 * is there under its name. */
	if (rename_noreplace(tmp, path)) {
		if (errno == EEXIST)
			send_error(t->sock, &t->peer, E_EXISTS,
				   "File already exists");
		else
			send_error(t->sock, &t->peer, E_UNDEF, "Rename failed");
		goto abort;
	}
	send_to(t->sock, &t->peer, t->out, t->outlen);
	dally(t, block);
	return;
abort:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
}

static void *worker(void *arg)
{
	struct job *j = arg;
	struct transfer *t = malloc(sizeof(*t));
	struct sockaddr_in me = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		.sin_port = 0, /* a fresh ephemeral port: our TID */
	};

	if (t) {
		t->peer = j->peer;
		t->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (t->sock >= 0 &&
		    bind(t->sock, (struct sockaddr *)&me, sizeof(me)) == 0) {
			if (j->opcode == OP_RRQ)
				serve_rrq(t, j);
			else
				serve_wrq(t, j);
		}
		if (t->sock >= 0)
			close(t->sock);
		free(t);
	}
	free(j);
	pthread_mutex_lock(&live_lock);
	live_workers--;
	pthread_cond_broadcast(&live_cond);
	pthread_mutex_unlock(&live_lock);
	return NULL;
}

/* Reads the NUL-terminated string at *off of p[0..n); NULL if unterminated. */
static const char *next_string(const unsigned char *p, size_t n, size_t *off)
{
	const unsigned char *s = p + *off, *z;

	if (*off >= n)
		return NULL;
	z = memchr(s, '\0', n - *off);
	if (!z)
		return NULL;
	*off = (size_t)(z - p) + 1;
	return (const char *)s;
}

/* Parses a request on the well-known port and starts its worker. */
static void handle_request(int sock, const struct sockaddr_in *from,
			   const unsigned char *p, size_t n)
{
	const char *name, *mode, *opt, *val;
	size_t off = 2;
	struct job *j;
	pthread_t tid;
	pthread_attr_t attr;
	unsigned op;
	int blksize = 0, full;

	if (n < 2) {
		send_error(sock, from, E_ILLEGAL, "Truncated packet");
		return;
	}
	op = get16(p);
	if (op == OP_ERROR)
		return; /* never answer an ERROR */
	if (op != OP_RRQ && op != OP_WRQ) {
		send_error(sock, from, E_ILLEGAL, "Illegal TFTP operation");
		return;
	}
	name = next_string(p, n, &off);
	mode = name ? next_string(p, n, &off) : NULL;
	if (!name || !mode) {
		send_error(sock, from, E_ILLEGAL, "Malformed request");
		return;
	}
	if (strcasecmp(mode, "octet") && strcasecmp(mode, "netascii")) {
		send_error(sock, from, E_ILLEGAL, "Unsupported mode");
		return;
	}
	if (strlen(name) > NAME_MAX_LEN) {
		send_error(sock, from, E_ACCESS, "Name too long");
		return;
	}
	/* RFC 2347 options; an incomplete trailing pair is ignored. */
	while ((opt = next_string(p, n, &off)) &&
	       (val = next_string(p, n, &off))) {
		long v;

		if (strcasecmp(opt, "blksize"))
			continue; /* options we do not know are left out */
		v = parse_num(val, 0, LONG_MAX);
		if (v >= MIN_BLKSIZE)
			blksize = v > MAX_BLKSIZE ? MAX_BLKSIZE : (int)v;
	}

	pthread_mutex_lock(&live_lock);
	full = live_workers >= MAX_WORKERS;
	if (!full)
		live_workers++;
	pthread_mutex_unlock(&live_lock);
	if (full) {
		send_error(sock, from, E_UNDEF, "Server busy");
		return;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		goto fail;
	j->peer = *from;
	j->opcode = (int)op;
	j->blksize = blksize;
	snprintf(j->name, sizeof(j->name), "%s", name);
	if (pthread_attr_init(&attr))
		goto fail;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &attr, worker, j)) {
		pthread_attr_destroy(&attr);
		goto fail;
	}
	pthread_attr_destroy(&attr);
	return;
fail:
	free(j);
	pthread_mutex_lock(&live_lock);
	live_workers--;
	pthread_mutex_unlock(&live_lock);
	send_error(sock, from, E_UNDEF, "Out of resources");
}

int main(int argc, char **argv)
{
	static unsigned char pkt[MAX_PACKET + 1];
	struct sockaddr_in addr = { .sin_family = AF_INET };
	int port = -1, opt, sock, sigfd, stop_pipe[2];
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

	/* Blocked before any thread exists, so every thread inherits it and
	 * the signals wait for the signalfd of the main loop. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, &sigs, NULL)) {
		fprintf(stderr, "tftpd: cannot block signals\n");
		return 1;
	}
	sigfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sigfd < 0 || pipe2(stop_pipe, O_CLOEXEC)) {
		perror("tftpd: signalfd/pipe");
		return 1;
	}
	stop_rd = stop_pipe[0];

	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((uint16_t)port);
	if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr))) {
		fprintf(stderr, "tftpd: 127.0.0.1:%d: %s\n", port,
			strerror(errno));
		return 1;
	}
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
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		n = recvfrom(sock, pkt, sizeof(pkt), 0,
			     (struct sockaddr *)&from, &fromlen);
		if (n >= 0)
			handle_request(sock, &from, pkt, (size_t)n);
	}

	/* EOF on the stop pipe wakes every worker; wait for the last one. */
	close(stop_pipe[1]);
	pthread_mutex_lock(&live_lock);
	while (live_workers > 0)
		pthread_cond_wait(&live_cond, &live_lock);
	pthread_mutex_unlock(&live_lock);
	close(sock);
	return 0;
}
