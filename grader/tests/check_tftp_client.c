/*
 * check_tftp_client.c - tests of the grader's TFTP client (tftp_client.c),
 * run against the reference server of the tftp exercise.
 *
 * The reference (exercises/tftp/solution/tftpd.c) is compiled into a temp
 * directory by the unchecked fixture, which also starts it once, with a
 * short retransmission timeout (-t 300) so that loss tests stay fast, on a
 * free loopback port, serving a directory of known files. Tests that need
 * their own server (SIGTERM, usage) start another one. Every assertion on
 * the client is thereby also a check of the reference server.
 *
 * TFTPD_CFLAGS in the environment is added to the server's compile command,
 * e.g. TFTPD_CFLAGS=-fsanitize=thread to run these tests against a
 * sanitised server.
 */
#include <check.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "tftp_client.h"
#include "util.h"

#define SERVER_TIMEOUT_MS 300
#define BIG_SIZE (1 << 20)
#define MID_SIZE (100 << 10)
#define UTF8_NAME "\xc3\xa9t\xc3\xa9"

struct server {
	pid_t pid;
	int port;
	int out_fd; /* its stdout, kept open so that it never gets SIGPIPE */
};

static char *work_dir; /* owns the binary and the served directory */
static char *serve_dir;
static char *server_bin;
static struct server srv = {.pid = -1, .out_fd = -1};
static char setup_failure[512];

/* Deterministic bytes, different for each seed. */
static unsigned char *make_data(size_t n, unsigned seed)
{
	unsigned char *p = xmalloc(n ? n : 1);
	unsigned x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (unsigned char)(x >> 16);
	}
	return p;
}

static void write_served(const char *name, const void *data, size_t n)
{
	char *path = path_join(serve_dir, name);

	if (write_file_atomic(path, data, n))
		die("cannot write %s", path);
	free(path);
}

static int free_udp_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), port = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* Reads the ready line; 0 when it is "listening on PORT". */
static int wait_ready(int fd, int port)
{
	char line[64], want[64];
	size_t n = 0;
	double until = now_seconds() + 5;

	snprintf(want, sizeof(want), "listening on %d\n", port);
	while (n < sizeof(line) - 1 && now_seconds() < until) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		r = read(fd, line + n, 1);
		if (r <= 0)
			return -1;
		n++;
		if (line[n - 1] == '\n')
			break;
	}
	line[n] = '\0';
	return strcmp(line, want) == 0 ? 0 : -1;
}

/* Runs bin with stdout on out_fd (-1: /dev/null) and stderr inherited, or
 * on /dev/null when quiet (a sanitiser's report must stay visible). */
static pid_t spawn(const char *bin, char *const argv[], int out_fd, int quiet)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (out_fd >= 0)
			dup2(out_fd, 1);
		else if (null >= 0)
			dup2(null, 1);
		if (quiet && null >= 0)
			dup2(null, 2);
		execv(bin, argv);
		_exit(127);
	}
	return pid;
}

/* Starts bin on a free port serving dir; tries a few ports (another
 * process may take the one we found). Returns 0 or -1. */
static int server_start(struct server *s, const char *bin, const char *dir,
			int timeout_ms)
{
	int attempt;

	for (attempt = 0; attempt < 10; attempt++) {
		char port[16], tmo[16];
		char *argv[] = {(char *)bin, "-p", port, "-d",
				(char *)dir, "-t", tmo,	 NULL};
		int p[2], status;

		s->port = free_udp_port();
		snprintf(port, sizeof(port), "%d", s->port);
		snprintf(tmo, sizeof(tmo), "%d", timeout_ms);
		if (s->port < 0 || pipe(p))
			return -1;
		/* Only the child's stdout should hold the write end. */
		fcntl(p[0], F_SETFD, FD_CLOEXEC);
		fcntl(p[1], F_SETFD, FD_CLOEXEC);
		s->pid = spawn(bin, argv, p[1], 0);
		close(p[1]);
		if (s->pid < 0) {
			close(p[0]);
			return -1;
		}
		if (wait_ready(p[0], s->port) == 0) {
			s->out_fd = p[0];
			return 0;
		}
		close(p[0]);
		kill(s->pid, SIGKILL);
		waitpid(s->pid, &status, 0);
		s->pid = -1;
	}
	return -1;
}

/* SIGTERM, then up to 3 s for it to exit (SIGKILL after). Returns the wait
 * status and stores how long the exit took. */
static int server_stop(struct server *s, double *took)
{
	double t0 = now_seconds();
	int status = -1;

	if (s->pid <= 0)
		return -1;
	kill(s->pid, SIGTERM);
	for (;;) {
		pid_t w = waitpid(s->pid, &status, WNOHANG);

		if (w == s->pid || (w < 0 && errno != EINTR))
			break;
		if (now_seconds() - t0 > 3) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
			status = -1;
			break;
		}
		usleep(5000);
	}
	if (took)
		*took = now_seconds() - t0;
	if (s->out_fd >= 0)
		close(s->out_fd);
	s->out_fd = -1;
	s->pid = -1;
	return status;
}

static void suite_setup(void)
{
	const char *root = getenv("GRADER_ROOT"), *extra;
	unsigned char *big, *exact;
	char *src, *cmd, *sub;
	int rc;

	setup_failure[0] = '\0';
	root = root ? root : "../..";
	work_dir = make_temp_dir("tftp");
	if (!work_dir) {
		snprintf(setup_failure, sizeof(setup_failure),
			 "cannot create a temp dir");
		return;
	}
	serve_dir = path_join(work_dir, "served");
	server_bin = path_join(work_dir, "tftpd_ref");
	src = xasprintf("%s/exercises/tftp/solution/tftpd.c", root);
	extra = getenv("TFTPD_CFLAGS");
	cmd = xasprintf("cc -std=gnu11 -Wall -Wextra -Werror -pthread -O2 %s "
			"-o '%s' '%s' -lrt",
			extra ? extra : "", server_bin, src);
	rc = system(cmd);
	free(cmd);
	if (rc != 0) {
		snprintf(setup_failure, sizeof(setup_failure),
			 "compiling %s failed (status %d)", src, rc);
		free(src);
		return;
	}
	free(src);

	sub = path_join(serve_dir, "sub");
	if (mkdir_p(sub))
		die("mkdir %s", sub);
	free(sub);
	big = make_data(BIG_SIZE, 1);
	exact = make_data(3 * 512, 2);
	write_served("small.txt", "hello, tftp\n", 12);
	write_served("empty", "", 0);
	write_served("exact1536", exact, 3 * 512);
	write_served("big", big, BIG_SIZE);
	write_served("mid", big, MID_SIZE);
	write_served(".hidden", "secret\n", 7);
	write_served("Alpha", "A\n", 2);
	write_served(UTF8_NAME, "e\n", 2);
	write_served("sub/inner", "inner\n", 6);
	free(big);
	free(exact);

	if (server_start(&srv, server_bin, serve_dir, SERVER_TIMEOUT_MS))
		snprintf(setup_failure, sizeof(setup_failure),
			 "the reference server did not start");
}

static void suite_teardown(void)
{
	server_stop(&srv, NULL);
	if (work_dir)
		rm_rf(work_dir);
	free(work_dir);
	free(serve_dir);
	free(server_bin);
	work_dir = serve_dir = server_bin = NULL;
}

static void require_server(void)
{
	ck_assert_msg(setup_failure[0] == '\0', "setup: %s", setup_failure);
}

static struct tftp_client_opts base_opts(void)
{
	struct tftp_client_opts o;

	memset(&o, 0, sizeof(o));
	o.port = srv.port;
	o.timeout_ms = 1000;
	o.deadline_ms = 15000;
	return o;
}

/* Gets name and asserts it equals want[0..n). */
static void get_and_compare(const struct tftp_client_opts *o, const char *name,
			    const void *want, size_t n, struct tftp_result *r)
{
	struct buf b;
	struct error e;

	buf_init(&b, 0);
	error_init(&e);
	ck_assert_msg(tftp_get(o, name, &b, r, &e) == 0, "get %s: %s", name,
		      e.msg);
	ck_assert_int_eq(r->ok, 1);
	ck_assert_uint_eq(b.len, n);
	ck_assert_msg(memcmp(b.data, want, n) == 0, "get %s: bytes differ",
		      name);
	ck_assert_uint_eq(r->bytes, n);
	buf_release(&b);
}

static void assert_served(const char *name, const void *want, size_t n)
{
	char *path = path_join(serve_dir, name);
	struct buf b;

	buf_init(&b, 0);
	ck_assert_msg(buf_read_file(&b, path) == 0, "%s missing", path);
	ck_assert_uint_eq(b.len, n);
	ck_assert_msg(memcmp(b.data, want, n) == 0, "%s: bytes differ", path);
	buf_release(&b);
	free(path);
}

/* All entries of dir (dot files too), sorted, one a line. */
static char *dir_snapshot(const char *dir)
{
	struct dirent **list;
	struct buf b;
	char *snap;
	int n = scandir(dir, &list, NULL, alphasort), i;

	buf_init(&b, 0);
	for (i = 0; i < n; i++) {
		buf_addf(&b, "%s\n", list[i]->d_name);
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	snap = buf_detach(&b, NULL);
	buf_release(&b);
	return snap;
}

/* Waits up to 2 s for dir to look like `want` again. */
static int dir_settles_to(const char *dir, const char *want)
{
	double until = now_seconds() + 2;

	for (;;) {
		char *now = dir_snapshot(dir);
		int same = strcmp(now, want) == 0;

		free(now);
		if (same)
			return 1;
		if (now_seconds() > until)
			return 0;
		usleep(20000);
	}
}

START_TEST(test_get_small)
{
	struct tftp_client_opts o;
	struct tftp_result r;

	require_server();
	o = base_opts();
	get_and_compare(&o, "small.txt", "hello, tftp\n", 12, &r);
	ck_assert_uint_eq(r.blocks, 1);
	ck_assert_int_eq(r.oack, 0);
	ck_assert_int_eq(r.blksize, 512);
	ck_assert_int_eq(r.dup_data, 0);
	ck_assert_int_eq(r.error_code, -1);
	/* Each transfer runs from its own port (its TID). */
	ck_assert_int_gt(r.server_tid, 0);
	ck_assert_int_ne(r.server_tid, srv.port);
}
END_TEST

START_TEST(test_get_empty)
{
	struct tftp_client_opts o;
	struct tftp_result r;

	require_server();
	o = base_opts();
	get_and_compare(&o, "empty", "", 0, &r);
	ck_assert_uint_eq(r.blocks, 1);
}
END_TEST

START_TEST(test_get_exact_multiple_of_512)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	unsigned char *want = make_data(3 * 512, 2);

	require_server();
	o = base_opts();
	get_and_compare(&o, "exact1536", want, 3 * 512, &r);
	/* Three full blocks and the empty one that ends the transfer. */
	ck_assert_uint_eq(r.blocks, 4);
	free(want);
}
END_TEST

START_TEST(test_get_one_mib)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	unsigned char *want = make_data(BIG_SIZE, 1);

	require_server();
	o = base_opts();
	get_and_compare(&o, "big", want, BIG_SIZE, &r);
	ck_assert_uint_eq(r.blocks, BIG_SIZE / 512 + 1);
	ck_assert_int_eq(r.dup_data, 0);
	ck_assert_int_eq(r.retransmissions_sent, 0);
	free(want);
}
END_TEST

START_TEST(test_get_respects_buffer_limit)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	struct error e;
	struct buf b;

	require_server();
	o = base_opts();
	buf_init(&b, 1000);
	error_init(&e);
	ck_assert_int_eq(tftp_get(&o, "exact1536", &b, &r, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "limit"));
	ck_assert_int_eq(r.ok, 0);
	buf_release(&b);
}
END_TEST

START_TEST(test_put_roundtrip)
{
	static const size_t sizes[] = {0, 100, 512, 1031, 4096, BIG_SIZE};
	struct tftp_client_opts o;
	size_t i;

	require_server();
	o = base_opts();
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *data = make_data(sizes[i], 10 + (unsigned)i);
		struct tftp_result r;
		struct error e;
		char name[32];

		snprintf(name, sizeof(name), "put-%zu", sizes[i]);
		error_init(&e);
		ck_assert_msg(tftp_put(&o, name, data, sizes[i], &r, &e) == 0,
			      "put %s: %s", name, e.msg);
		ck_assert_int_eq(r.ok, 1);
		ck_assert_uint_eq(r.blocks, sizes[i] / 512 + 1);
		ck_assert_uint_eq(r.bytes, sizes[i]);
		/* The file is in place once the last ACK came back. */
		assert_served(name, data, sizes[i]);
		get_and_compare(&o, name, data, sizes[i], &r);
		free(data);
	}
}
END_TEST

START_TEST(test_dir_listing)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	struct error e;
	struct buf b, want;
	struct dirent **list;
	int n, i;

	require_server();
	o = base_opts();
	/* Expected: the regular non-dot files, in bytewise order (which is
	 * strcmp's order and the C locale's alphasort). */
	buf_init(&want, 0);
	n = scandir(serve_dir, &list, NULL, alphasort);
	ck_assert_int_gt(n, 0);
	for (i = 0; i < n; i++) {
		char *p = path_join(serve_dir, list[i]->d_name);
		struct stat st;

		if (list[i]->d_name[0] != '.' && lstat(p, &st) == 0 &&
		    S_ISREG(st.st_mode))
			buf_addf(&want, "%s\n", list[i]->d_name);
		free(p);
		free(list[i]);
	}
	free(list);

	buf_init(&b, 0);
	error_init(&e);
	ck_assert_msg(tftp_get(&o, ".dir", &b, &r, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(b.data, want.data);
	/* And independently of scandir: */
	ck_assert_msg(strncmp(b.data, "Alpha\nbig\nempty\nexact1536\n", 26) ==
			  0,
		      "listing starts with: %.40s", b.data);
	ck_assert_ptr_nonnull(strstr(b.data, "\nsmall.txt\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "\n" UTF8_NAME "\n"));
	ck_assert_int_eq(b.data[b.len - 1], '\n');
	ck_assert_ptr_null(strstr(b.data, "hidden"));
	ck_assert_ptr_null(strstr(b.data, "sub"));
	ck_assert_ptr_null(strstr(b.data, "inner"));
	/* Bytewise: the UTF-8 name (first byte 0xc3) comes last. */
	ck_assert_str_eq(b.data + b.len - strlen(UTF8_NAME "\n"),
			 UTF8_NAME "\n");
	buf_release(&b);
	buf_release(&want);
}
END_TEST

static void expect_get_error(const char *name, int code)
{
	struct tftp_client_opts o = base_opts();
	struct tftp_result r;
	struct error e;
	struct buf b;

	buf_init(&b, 0);
	error_init(&e);
	ck_assert_msg(tftp_get(&o, name, &b, &r, &e) == -1,
		      "get '%s' succeeded", name);
	ck_assert_msg(r.error_code == code, "get '%s': error %d, want %d (%s)",
		      name, r.error_code, code, e.msg);
	ck_assert_int_eq(r.ok, 0);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "ERROR"));
	buf_release(&b);
}

static void expect_put_error(const char *name, int code)
{
	struct tftp_client_opts o = base_opts();
	struct tftp_result r;
	struct error e;

	error_init(&e);
	ck_assert_msg(tftp_put(&o, name, "x\n", 2, &r, &e) == -1,
		      "put '%s' succeeded", name);
	ck_assert_msg(r.error_code == code, "put '%s': error %d, want %d (%s)",
		      name, r.error_code, code, e.msg);
}

START_TEST(test_get_errors)
{
	require_server();
	expect_get_error("no-such-file", TFTP_ENOTFOUND);
	expect_get_error("../served/small.txt", TFTP_EACCESS);
	expect_get_error("/etc/passwd", TFTP_EACCESS);
	expect_get_error(".hidden", TFTP_EACCESS);
	expect_get_error("sub/inner", TFTP_EACCESS);
	expect_get_error("..", TFTP_EACCESS);
	expect_get_error("", TFTP_EACCESS);
}
END_TEST

START_TEST(test_put_errors)
{
	char *outside;

	require_server();
	expect_put_error("small.txt", TFTP_EEXISTS);
	assert_served("small.txt", "hello, tftp\n", 12);
	expect_put_error(".dir", TFTP_EACCESS);
	expect_put_error(".sneaky", TFTP_EACCESS);
	expect_put_error("../escaped", TFTP_EACCESS);
	expect_put_error("sub/x", TFTP_EACCESS);
	outside = path_join(work_dir, "escaped");
	ck_assert_int_eq(access(outside, F_OK), -1);
	free(outside);
}
END_TEST

/* Sends a raw packet; asserts an ERROR with code came back. */
static void expect_raw_error(const void *pkt, size_t len, int code)
{
	struct tftp_client_opts o = base_opts();
	struct tftp_result r;
	struct error e;
	struct buf reply;

	buf_init(&reply, 0);
	error_init(&e);
	ck_assert_msg(tftp_raw(&o, pkt, len, &reply, &r, &e) == 0, "%s", e.msg);
	ck_assert_uint_ge(reply.len, 4);
	ck_assert_int_eq((unsigned char)reply.data[1], TFTP_ERROR);
	ck_assert_msg(r.error_code == code, "raw: error %d, want %d",
		      r.error_code, code);
	buf_release(&reply);
}

START_TEST(test_raw_malformed)
{
	static const char bad_op[] = "\0\x09small.txt\0octet";
	static const char zero_op[] = "\0\0small.txt\0octet";
	static const char data_op[] = "\0\x03\0\x01hello";
	static const char no_nul[] = "\0\x01small.txt\0octet";
	static const char no_mode[] = "\0\x01small.txt";
	static const char mail[] = "\0\x01small.txt\0mail";

	require_server();
	expect_raw_error(bad_op, sizeof(bad_op), TFTP_EILLEGAL);
	expect_raw_error(zero_op, sizeof(zero_op), TFTP_EILLEGAL);
	expect_raw_error(data_op, sizeof(data_op) - 1, TFTP_EILLEGAL);
	expect_raw_error("\x01", 1, TFTP_EILLEGAL);
	/* sizeof - 1: the mode's terminating NUL is left out. */
	expect_raw_error(no_nul, sizeof(no_nul) - 1, TFTP_EILLEGAL);
	expect_raw_error(no_mode, sizeof(no_mode) - 1, TFTP_EILLEGAL);
	expect_raw_error(mail, sizeof(mail), TFTP_EILLEGAL);
}
END_TEST

START_TEST(test_raw_valid_request)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	struct error e;
	struct buf req, reply;

	require_server();
	o = base_opts();
	buf_init(&req, 0);
	buf_init(&reply, 0);
	tftp_build_request(&req, TFTP_RRQ, "small.txt", "NetASCII", 0);
	ck_assert_uint_eq(req.len, 2 + 10 + 9);
	ck_assert_int_eq(memcmp(req.data, "\0\x01small.txt\0NetASCII", 21), 0);
	error_init(&e);
	ck_assert_int_eq(tftp_raw(&o, req.data, req.len, &reply, &r, &e), 0);
	/* DATA block 1, with the file (netascii served as octet). */
	ck_assert_uint_eq(reply.len, 4 + 12);
	ck_assert_int_eq(memcmp(reply.data, "\0\x03\0\x01hello, tftp\n", 16),
			 0);
	ck_assert_int_eq(r.error_code, -1);
	buf_release(&req);
	buf_release(&reply);
}
END_TEST

START_TEST(test_build_request_blksize)
{
	static const char want[] = "\0\x02up\0octet\0blksize\0"
				   "1024";
	struct buf b;

	buf_init(&b, 0);
	tftp_build_request(&b, TFTP_WRQ, "up", NULL, 1024);
	ck_assert_uint_eq(b.len, sizeof(want));
	ck_assert_int_eq(memcmp(b.data, want, sizeof(want)), 0);
	buf_release(&b);
	ck_assert_str_eq(tftp_error_name(5), "Unknown transfer ID");
	ck_assert_str_eq(tftp_error_name(42), "Unknown error");
}
END_TEST

START_TEST(test_lost_data_is_retransmitted)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	unsigned char *want = make_data(BIG_SIZE, 1);

	require_server();
	o = base_opts();
	o.timeout_ms = 2000; /* longer than the server's: it must act first */
	o.drop_nth_received = 3;
	get_and_compare(&o, "big", want, BIG_SIZE, &r);
	ck_assert_msg(r.drop_gap_ms >= 200 && r.drop_gap_ms <= 1500,
		      "server resent after %.0f ms (timeout %d)", r.drop_gap_ms,
		      SERVER_TIMEOUT_MS);
	ck_assert_int_eq(r.retransmissions_sent, 0);
	ck_assert_int_eq(r.dup_data, 0);
	ck_assert_double_ge(r.max_gap_ms, 200);
	free(want);
}
END_TEST

START_TEST(test_lost_ack_is_retransmitted)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	unsigned char *want = make_data(3 * 512, 2);

	require_server();
	o = base_opts();
	o.timeout_ms = 2000;
	o.drop_nth_sent = 3; /* RRQ, ACK 1, ACK 2 */
	get_and_compare(&o, "exact1536", want, 3 * 512, &r);
	ck_assert_int_eq(r.dup_data, 1);
	ck_assert_int_eq(r.retransmissions_seen, 1);
	ck_assert_int_eq(r.early_dups, 0);
	ck_assert_msg(r.drop_gap_ms >= 200 && r.drop_gap_ms <= 1500,
		      "gap %.0f ms", r.drop_gap_ms);
	free(want);
}
END_TEST

START_TEST(test_lost_final_ack)
{
	struct tftp_client_opts o;
	struct tftp_result r;

	require_server();
	o = base_opts();
	o.timeout_ms = 2000;
	o.drop_nth_sent = 2; /* RRQ, then the ACK of the only block */
	get_and_compare(&o, "small.txt", "hello, tftp\n", 12, &r);
	/* We waited for the resent last block and acknowledged it. */
	ck_assert_int_eq(r.dup_data, 1);
	ck_assert_msg(r.drop_gap_ms >= 200 && r.drop_gap_ms <= 1500,
		      "gap %.0f ms", r.drop_gap_ms);
}
END_TEST

START_TEST(test_lost_request_is_resent)
{
	struct tftp_client_opts o;
	struct tftp_result r;

	require_server();
	o = base_opts();
	o.timeout_ms = 200;
	o.drop_nth_sent = 1;
	get_and_compare(&o, "small.txt", "hello, tftp\n", 12, &r);
	ck_assert_int_eq(r.retransmissions_sent, 1);
}
END_TEST

START_TEST(test_duplicate_ack_no_sorcerers_apprentice)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	unsigned char *want = make_data(BIG_SIZE, 1);

	require_server();
	o = base_opts();
	o.dup_ack_at_block = 2;
	get_and_compare(&o, "big", want, BIG_SIZE, &r);
	ck_assert_int_eq(r.dup_data, 0);
	ck_assert_int_eq(r.early_dups, 0);
	free(want);
}
END_TEST

START_TEST(test_put_duplicate_data)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	struct error e;
	unsigned char *data = make_data(5000, 30);

	require_server();
	o = base_opts();
	o.dup_data_at_block = 2;
	error_init(&e);
	ck_assert_msg(tftp_put(&o, "dupdata", data, 5000, &r, &e) == 0, "%s",
		      e.msg);
	assert_served("dupdata", data, 5000); /* block 2 written once */
	ck_assert_int_eq(r.retransmissions_sent, 0);
	ck_assert_int_le(r.dup_acks, 1);
	free(data);
}
END_TEST

START_TEST(test_put_lost_data)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	struct error e;
	unsigned char *data = make_data(3000, 31);

	require_server();
	o = base_opts();
	o.timeout_ms = 700;
	o.drop_nth_sent = 3; /* WRQ, DATA 1, DATA 2 */
	error_init(&e);
	ck_assert_msg(tftp_put(&o, "lostdata", data, 3000, &r, &e) == 0, "%s",
		      e.msg);
	assert_served("lostdata", data, 3000);
	/* The server resent ACK 1 after its timeout; we resent DATA 2 only
	 * after ours. */
	ck_assert_int_ge(r.dup_acks, 1);
	ck_assert_int_eq(r.retransmissions_sent, 1);
	ck_assert_msg(r.drop_gap_ms >= 200 && r.drop_gap_ms <= 1500,
		      "gap %.0f ms", r.drop_gap_ms);
	free(data);
}
END_TEST

START_TEST(test_put_lost_final_ack)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	struct error e;
	unsigned char *data = make_data(1536, 37);

	require_server();
	o = base_opts();
	o.timeout_ms = 500;
	o.drop_nth_received = 5; /* ACK 0..3, then the final ACK 4 */
	error_init(&e);
	ck_assert_msg(tftp_put(&o, "lostfinal", data, 1536, &r, &e) == 0, "%s",
		      e.msg);
	/* We resent the last DATA; the server, still dallying, re-ACKed. */
	ck_assert_int_eq(r.retransmissions_sent, 1);
	ck_assert_uint_eq(r.blocks, 4);
	assert_served("lostfinal", data, 1536);
	free(data);
}
END_TEST

START_TEST(test_foreign_tid_get)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	unsigned char *want = make_data(BIG_SIZE, 1);

	require_server();
	o = base_opts();
	o.foreign_tid_at_block = 5;
	get_and_compare(&o, "big", want, BIG_SIZE, &r);
	ck_assert_int_eq(r.foreign_error_code, TFTP_EBADTID);
	ck_assert_int_eq(r.dup_data, 0);
	free(want);
}
END_TEST

START_TEST(test_foreign_tid_put)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	struct error e;
	unsigned char *data = make_data(4000, 32);

	require_server();
	o = base_opts();
	o.foreign_tid_at_block = 3;
	error_init(&e);
	ck_assert_msg(tftp_put(&o, "foreign", data, 4000, &r, &e) == 0, "%s",
		      e.msg);
	ck_assert_int_eq(r.foreign_error_code, TFTP_EBADTID);
	assert_served("foreign", data, 4000); /* the decoy bytes not taken */
	free(data);
}
END_TEST

START_TEST(test_no_foreign_probe_reported)
{
	struct tftp_client_opts o;
	struct tftp_result r;

	require_server();
	o = base_opts();
	get_and_compare(&o, "small.txt", "hello, tftp\n", 12, &r);
	ck_assert_int_eq(r.foreign_error_code, -2);
	ck_assert_double_eq(r.drop_gap_ms, -1);
}
END_TEST

START_TEST(test_blksize_negotiated)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	struct error e;
	unsigned char *want = make_data(BIG_SIZE, 1);
	unsigned char *data = make_data(10000, 33);

	require_server();
	o = base_opts();
	o.blksize = 1024;
	get_and_compare(&o, "big", want, BIG_SIZE, &r);
	ck_assert_int_eq(r.oack, 1);
	ck_assert_int_eq(r.blksize, 1024);
	ck_assert_uint_eq(r.blocks, BIG_SIZE / 1024 + 1);

	error_init(&e);
	ck_assert_msg(tftp_put(&o, "blk1024", data, 10000, &r, &e) == 0, "%s",
		      e.msg);
	ck_assert_int_eq(r.oack, 1);
	ck_assert_uint_eq(r.blocks, 10000 / 1024 + 1);
	assert_served("blk1024", data, 10000);

	o.blksize = 65464; /* the largest RFC 2348 allows */
	get_and_compare(&o, "big", want, BIG_SIZE, &r);
	ck_assert_int_eq(r.blksize, 65464);
	ck_assert_uint_eq(r.blocks, BIG_SIZE / 65464 + 1);
	free(want);
	free(data);
}
END_TEST

START_TEST(test_blksize_out_of_range)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	unsigned char *exact = make_data(3 * 512, 2);

	require_server();
	o = base_opts();
	o.blksize = 4; /* below RFC 2348's minimum: option ignored */
	get_and_compare(&o, "exact1536", exact, 3 * 512, &r);
	ck_assert_int_eq(r.oack, 0);
	ck_assert_int_eq(r.blksize, 512);
	o.blksize = 100000; /* above: answered with at most 65464 */
	get_and_compare(&o, "exact1536", exact, 3 * 512, &r);
	ck_assert_int_eq(r.oack, 1);
	ck_assert_int_le(r.blksize, 65464);
	free(exact);
}
END_TEST

struct conc_job {
	struct tftp_client_opts o;
	struct tftp_result r;
	struct buf b;
	struct error e;
	int rc;
};

static void *conc_get(void *arg)
{
	struct conc_job *j = arg;

	j->rc = tftp_get(&j->o, "mid", &j->b, &j->r, &j->e);
	return NULL;
}

START_TEST(test_concurrent_gets)
{
	struct conc_job jobs[8];
	pthread_t t[8];
	unsigned char *want = make_data(BIG_SIZE, 1);
	double t0;
	int i;

	require_server();
	t0 = now_seconds();
	for (i = 0; i < 8; i++) {
		jobs[i].o = base_opts();
		/* Each client dawdles 250 ms on its first ACK: 8 transfers
		 * take about that long only if they overlap (2 s if not). */
		jobs[i].o.delay_at_block = 1;
		jobs[i].o.delay_ms = 250;
		buf_init(&jobs[i].b, 0);
		error_init(&jobs[i].e);
		ck_assert_int_eq(
		    pthread_create(&t[i], NULL, conc_get, &jobs[i]), 0);
	}
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 8; i++) {
		ck_assert_msg(jobs[i].rc == 0, "get %d: %s", i, jobs[i].e.msg);
		ck_assert_uint_eq(jobs[i].b.len, MID_SIZE);
		ck_assert_int_eq(memcmp(jobs[i].b.data, want, MID_SIZE), 0);
		buf_release(&jobs[i].b);
	}
	ck_assert_msg(now_seconds() - t0 < 1.5,
		      "8 transfers took %.2f s: not concurrent",
		      now_seconds() - t0);
	free(want);
}
END_TEST

START_TEST(test_aborted_upload_leaves_nothing)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	struct error e;
	unsigned char *data = make_data(5000, 34);
	char *before;

	require_server();
	before = dir_snapshot(serve_dir);
	o = base_opts();
	o.abort_at_block = 3;
	error_init(&e);
	ck_assert_int_eq(tftp_put(&o, "aborted", data, 5000, &r, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "aborted at block 3"));
	ck_assert_msg(dir_settles_to(serve_dir, before),
		      "the served directory kept something of the upload");
	free(before);
	free(data);
}
END_TEST

START_TEST(test_stalled_get_five_retransmissions)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	struct error e;
	struct buf b;

	require_server();
	o = base_opts();
	o.stall_at_block = 2;
	o.stall_ms = 2100; /* resends at 300..1500 ms, none at 1800 */
	buf_init(&b, 0);
	error_init(&e);
	ck_assert_int_eq(tftp_get(&o, "exact1536", &b, &r, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "stalled at block 2"));
	ck_assert_int_eq(r.dup_data, 5);
	ck_assert_int_eq(r.retransmissions_seen, 5);
	ck_assert_int_eq(r.early_dups, 0);
	ck_assert_msg(r.stall_gap_ms >= 200 && r.stall_gap_ms <= 1500,
		      "first resend after %.0f ms", r.stall_gap_ms);
	buf_release(&b);
}
END_TEST

START_TEST(test_stalled_upload_is_removed)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	struct error e;
	unsigned char *data = make_data(3000, 35);
	char *before;

	require_server();
	before = dir_snapshot(serve_dir);
	o = base_opts();
	o.stall_at_block = 2;
	o.stall_ms = 2100;
	error_init(&e);
	ck_assert_int_eq(tftp_put(&o, "stalled", data, 3000, &r, &e), -1);
	ck_assert_int_eq(r.dup_acks, 5); /* ACK 1, resent 5 times */
	ck_assert_msg(dir_settles_to(serve_dir, before),
		      "the served directory kept something of the upload");
	free(before);
	free(data);
}
END_TEST

START_TEST(test_dead_server_times_out)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	struct error e;
	struct buf b;
	double t0 = now_seconds();

	memset(&o, 0, sizeof(o));
	o.port = free_udp_port();
	o.timeout_ms = 100;
	o.retries = 2;
	buf_init(&b, 0);
	error_init(&e);
	ck_assert_int_eq(tftp_get(&o, "x", &b, &r, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "timeout"));
	ck_assert_int_eq(r.retransmissions_sent, 2);
	ck_assert_double_lt(now_seconds() - t0, 1.0);

	/* The overall deadline wins over a long timeout. */
	o.timeout_ms = 5000;
	o.deadline_ms = 300;
	t0 = now_seconds();
	error_init(&e);
	ck_assert_int_eq(tftp_put(&o, "x", "y", 1, &r, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "deadline"));
	ck_assert_double_lt(now_seconds() - t0, 1.0);
	ck_assert_double_ge(r.elapsed_ms, 290);

	o.host = "not-an-address";
	ck_assert_int_eq(tftp_get(&o, "x", &b, &r, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "address"));
	buf_release(&b);
}
END_TEST

struct put_job {
	struct tftp_client_opts o;
	struct tftp_result r;
	struct error e;
	unsigned char *data;
	int rc;
};

static void *stalling_put(void *arg)
{
	struct put_job *j = arg;

	j->rc = tftp_put(&j->o, "interrupted", j->data, 5000, &j->r, &j->e);
	return NULL;
}

/* Whether dir holds a dot file (other than . and ..): a temporary one. */
static int has_dot_file(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") &&
		    strcmp(de->d_name, ".."))
			found = 1;
	closedir(d);
	return found;
}

START_TEST(test_sigterm_mid_upload)
{
	struct server own = {.pid = -1, .out_fd = -1};
	struct put_job j;
	pthread_t t;
	char *dir, *final;
	double took;
	int status;

	require_server();
	dir = path_join(work_dir, "sigterm");
	ck_assert_int_eq(mkdir_p(dir), 0);
	ck_assert_int_eq(server_start(&own, server_bin, dir, 1000), 0);
	memset(&j, 0, sizeof(j));
	j.o.port = own.port;
	j.o.stall_at_block = 3; /* two blocks written, then silence */
	j.o.deadline_ms = 700;
	j.data = make_data(5000, 36);
	error_init(&j.e);
	ck_assert_int_eq(pthread_create(&t, NULL, stalling_put, &j), 0);
	usleep(300000);
	ck_assert_msg(has_dot_file(dir), "no temporary file during the upload");
	status = server_stop(&own, &took);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "server status %#x after SIGTERM", status);
	ck_assert_msg(took < 0.5, "exit took %.2f s", took);
	pthread_join(t, NULL);
	ck_assert_int_eq(j.rc, -1);
	ck_assert_msg(!has_dot_file(dir), "temporary file left behind");
	final = path_join(dir, "interrupted");
	ck_assert_int_eq(access(final, F_OK), -1);
	free(final);
	free(j.data);
	free(dir);
}
END_TEST

static int sync_calls;

static int sync_count(void *arg)
{
	(void)arg;
	sync_calls++;
	return 0;
}

static int sync_refuse(void *arg)
{
	(void)arg;
	sync_calls++;
	return -1;
}

START_TEST(test_sync_hook)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	struct error e;
	struct buf b;
	unsigned char *exact = make_data(3 * 512, 2);

	require_server();
	o = base_opts();
	o.sync_at_block = 2;
	o.sync = sync_count;
	sync_calls = 0;
	get_and_compare(&o, "exact1536", exact, 3 * 512, &r);
	ck_assert_int_eq(sync_calls, 1);

	/* refused: the transfer is abandoned there, with what came so far */
	o.sync = sync_refuse;
	sync_calls = 0;
	buf_init(&b, 0);
	error_init(&e);
	ck_assert_int_eq(tftp_get(&o, "exact1536", &b, &r, &e), -1);
	ck_assert_int_eq(sync_calls, 1);
	ck_assert_ptr_nonnull(strstr(e.msg, "abandoned at block 2"));
	ck_assert_uint_eq(b.len, 2 * 512);
	buf_release(&b);
	free(exact);
}
END_TEST

struct canceller {
	int *flag;
	int delay_us;
};

static void *cancel_later(void *arg)
{
	struct canceller *c = arg;

	usleep((useconds_t)c->delay_us);
	__atomic_store_n(c->flag, 1, __ATOMIC_RELEASE);
	return NULL;
}

START_TEST(test_cancel)
{
	struct tftp_client_opts o;
	struct tftp_result r;
	struct error e;
	struct buf b;
	struct canceller c;
	pthread_t t;
	int flag = 0;

	require_server();
	o = base_opts();
	o.stall_at_block = 2;
	o.stall_ms = 10000; /* would end as "stalled" without the cancel */
	o.cancel = &flag;
	c.flag = &flag;
	c.delay_us = 200000;
	buf_init(&b, 0);
	error_init(&e);
	ck_assert_int_eq(pthread_create(&t, NULL, cancel_later, &c), 0);
	ck_assert_int_eq(tftp_get(&o, "exact1536", &b, &r, &e), -1);
	pthread_join(t, NULL);
	ck_assert_msg(strstr(e.msg, "cancelled") != NULL, "%s", e.msg);

	/* already cancelled: fails before any transfer */
	o.stall_at_block = 0;
	error_init(&e);
	ck_assert_int_eq(tftp_put(&o, "never", "x", 1, &r, &e), -1);
	ck_assert_msg(strstr(e.msg, "cancelled") != NULL, "%s", e.msg);
	{
		char *never = path_join(serve_dir, "never");

		ck_assert_int_eq(access(never, F_OK), -1);
		free(never);
	}
	buf_release(&b);
}
END_TEST

static int run_status(char *const argv[])
{
	pid_t pid = spawn(argv[0], argv, -1, 1);
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

START_TEST(test_server_usage_errors)
{
	char *none[] = {server_bin, NULL};
	char *nonnum[] = {server_bin, "-p", "abc", "-d", serve_dir, NULL};
	char *nodir[] = {server_bin, "-p", "6969", NULL};
	char *badt[] = {server_bin, "-p", "6969", "-d",
			serve_dir,  "-t", "x",	  NULL};

	require_server();
	ck_assert_int_eq(run_status(none), 2);
	ck_assert_int_eq(run_status(nonnum), 2);
	ck_assert_int_eq(run_status(nodir), 2);
	ck_assert_int_eq(run_status(badt), 2);
}
END_TEST

Suite *make_tftp_client_suite(void)
{
	Suite *s = suite_create("tftp_client");
	TCase *tc = tcase_create("reference-server");
	TCase *off = tcase_create("no-server");

	tcase_add_unchecked_fixture(tc, suite_setup, suite_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_get_small);
	tcase_add_test(tc, test_get_empty);
	tcase_add_test(tc, test_get_exact_multiple_of_512);
	tcase_add_test(tc, test_get_one_mib);
	tcase_add_test(tc, test_get_respects_buffer_limit);
	tcase_add_test(tc, test_put_roundtrip);
	tcase_add_test(tc, test_dir_listing);
	tcase_add_test(tc, test_get_errors);
	tcase_add_test(tc, test_put_errors);
	tcase_add_test(tc, test_raw_malformed);
	tcase_add_test(tc, test_raw_valid_request);
	tcase_add_test(tc, test_lost_data_is_retransmitted);
	tcase_add_test(tc, test_lost_ack_is_retransmitted);
	tcase_add_test(tc, test_lost_final_ack);
	tcase_add_test(tc, test_lost_request_is_resent);
	tcase_add_test(tc, test_duplicate_ack_no_sorcerers_apprentice);
	tcase_add_test(tc, test_put_duplicate_data);
	tcase_add_test(tc, test_put_lost_data);
	tcase_add_test(tc, test_put_lost_final_ack);
	tcase_add_test(tc, test_foreign_tid_get);
	tcase_add_test(tc, test_foreign_tid_put);
	tcase_add_test(tc, test_no_foreign_probe_reported);
	tcase_add_test(tc, test_blksize_negotiated);
	tcase_add_test(tc, test_blksize_out_of_range);
	tcase_add_test(tc, test_concurrent_gets);
	tcase_add_test(tc, test_sync_hook);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_aborted_upload_leaves_nothing);
	tcase_add_test(tc, test_stalled_get_five_retransmissions);
	tcase_add_test(tc, test_stalled_upload_is_removed);
	tcase_add_test(tc, test_sigterm_mid_upload);
	tcase_add_test(tc, test_server_usage_errors);
	suite_add_tcase(s, tc);

	tcase_add_test(off, test_build_request_blksize);
	tcase_add_test(off, test_dead_server_times_out);
	suite_add_tcase(s, off);
	return s;
}
