/*
 * check_netns.c - tests of netns.c: a namespace has loopback up and nothing
 * else, a thread that enters it talks over loopback inside it but cannot
 * reach the host's sockets, a spawned child joins it through netns_fd, two
 * namespaces have separate port spaces, and GRADER_NO_NETNS gives the
 * fallback with its reason.
 *
 * Creating a namespace needs root (CAP_SYS_ADMIN): without it the tests
 * check the fallback is reported instead.
 */
#define _GNU_SOURCE
#include <check.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "netns.h"
#include "spawn.h"
#include "util.h"

static int can_create(void)
{
	return geteuid() == 0;
}

/* A UDP socket bound to 127.0.0.1:port (0 = any), or -1. */
static int udp_bound(int port, int *got)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		close(fd);
		return -1;
	}
	if (got)
		*got = ntohs(a.sin_port);
	return fd;
}

/* What a thread saw inside the namespace. */
struct probe {
	const struct netns *ns;
	int enter_rc;
	int lo_up;          /* IFF_UP on lo */
	int interfaces;     /* lines of /proc/thread-self/net/dev after the 2 headers */
	int echo_ok;        /* a datagram over 127.0.0.1 arrived */
	int host_port;      /* a port bound in the host's namespace */
	int host_refused;   /* sending there from inside: ECONNREFUSED */
	int bind_rc;        /* binding `bind_port` inside */
	int bind_port;
};

static void *probe_main(void *arg)
{
	struct probe *p = arg;
	struct ifreq ifr;
	struct buf dev;
	int s, r, port, i;
	char c;

	p->enter_rc = netns_enter(p->ns);
	if (p->enter_rc < 0)
		return NULL;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0)
		p->lo_up = !!(ifr.ifr_flags & IFF_UP);
	if (s >= 0)
		close(s);

	buf_init(&dev, 0);
	if (buf_read_file(&dev, "/proc/thread-self/net/dev") == 0)
		for (i = 0; i < (int)dev.len; i++)
			if (dev.data[i] == '\n')
				p->interfaces++;
	p->interfaces -= 2;
	buf_release(&dev);

	/* loopback works inside */
	r = udp_bound(0, &port);
	s = udp_bound(0, NULL);
	if (r >= 0 && s >= 0) {
		struct sockaddr_in to;
		struct pollfd pf = {.fd = r, .events = POLLIN};

		memset(&to, 0, sizeof(to));
		to.sin_family = AF_INET;
		to.sin_port = htons((unsigned short)port);
		to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)) == 1 &&
		    poll(&pf, 1, 5000) == 1 && recv(r, &c, 1, 0) == 1)
			p->echo_ok = 1;
	}
	if (r >= 0)
		close(r);
	if (s >= 0)
		close(s);

	/* the host's port is not here: the kernel answers ICMP unreachable */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s >= 0) {
		struct sockaddr_in to;
		struct pollfd pf = {.fd = s, .events = POLLIN};

		memset(&to, 0, sizeof(to));
		to.sin_family = AF_INET;
		to.sin_port = htons((unsigned short)p->host_port);
		to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (connect(s, (struct sockaddr *)&to, sizeof(to)) == 0 &&
		    send(s, "x", 1, 0) == 1) {
			poll(&pf, 1, 5000);
			if (recv(s, &c, 1, MSG_DONTWAIT) < 0 && errno == ECONNREFUSED)
				p->host_refused = 1;
		}
		close(s);
	}
	if (p->bind_port) {
		s = udp_bound(p->bind_port, NULL);
		p->bind_rc = s >= 0 ? 0 : -1;
		if (s >= 0)
			close(s);
	}
	return NULL;
}

static void run_probe(struct probe *p)
{
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, probe_main, p), 0);
	pthread_join(t, NULL);
}

START_TEST(test_create_loopback_only)
{
	struct netns ns;
	struct probe p;
	int host, host_port;
	char c;

	if (!can_create()) {
		ck_assert_int_eq(netns_create(&ns), -1);
		ck_assert_ptr_nonnull(strstr(ns.why, "no private network namespace"));
		return;
	}
	ck_assert_msg(netns_create(&ns) == 0, "netns_create: %s", ns.why);
	ck_assert_int_ge(ns.fd, 0);
	host = udp_bound(0, &host_port);
	ck_assert_int_ge(host, 0);
	memset(&p, 0, sizeof(p));
	p.ns = &ns;
	p.host_port = host_port;
	run_probe(&p);
	ck_assert_int_eq(p.enter_rc, 0);
	ck_assert_int_eq(p.lo_up, 1);
	ck_assert_int_eq(p.interfaces, 1); /* lo and nothing else */
	ck_assert_int_eq(p.echo_ok, 1);
	ck_assert_int_eq(p.host_refused, 1);
	/* and nothing reached the host's socket */
	ck_assert_int_eq(recv(host, &c, 1, MSG_DONTWAIT), -1);
	close(host);
	netns_release(&ns);
	ck_assert_int_eq(ns.fd, -1);
}
END_TEST

START_TEST(test_caller_stays_outside)
{
	struct netns ns;
	char before[64], after[64];
	ssize_t n;

	if (!can_create())
		return;
	n = readlink("/proc/thread-self/ns/net", before, sizeof(before) - 1);
	ck_assert_int_gt(n, 0);
	before[n] = '\0';
	ck_assert_int_eq(netns_create(&ns), 0);
	n = readlink("/proc/thread-self/ns/net", after, sizeof(after) - 1);
	ck_assert_int_gt(n, 0);
	after[n] = '\0';
	ck_assert_str_eq(before, after);
	netns_release(&ns);
}
END_TEST

START_TEST(test_separate_port_spaces)
{
	struct netns a, b;
	struct probe pa, pb;
	int host, port;

	if (!can_create())
		return;
	ck_assert_int_eq(netns_create(&a), 0);
	ck_assert_int_eq(netns_create(&b), 0);
	/* a port taken on the host is free in both namespaces */
	host = udp_bound(0, &port);
	ck_assert_int_ge(host, 0);
	memset(&pa, 0, sizeof(pa));
	memset(&pb, 0, sizeof(pb));
	pa.ns = &a;
	pb.ns = &b;
	pa.host_port = pb.host_port = port;
	pa.bind_port = pb.bind_port = port;
	run_probe(&pa);
	run_probe(&pb);
	ck_assert_int_eq(pa.bind_rc, 0);
	ck_assert_int_eq(pb.bind_rc, 0);
	close(host);
	netns_release(&a);
	netns_release(&b);
}
END_TEST

START_TEST(test_spawned_child_joins)
{
	struct netns ns;
	struct spawn sp;
	struct error e;
	const char *argv[] = {"/bin/cat", "/proc/self/net/dev", NULL};
	int lines = 0;
	size_t i;

	if (!can_create())
		return;
	ck_assert_int_eq(netns_create(&ns), 0);
	spawn_init(&sp);
	error_init(&e);
	sp.argv = argv;
	sp.wall_s = 10;
	sp.netns_fd = ns.fd;
	ck_assert_msg(spawn_run(&sp, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(sp.outcome, SPAWN_EXITED);
	ck_assert_int_eq(sp.exit_code, 0);
	for (i = 0; i < sp.out.len; i++)
		if (sp.out.data[i] == '\n')
			lines++;
	ck_assert_int_eq(lines, 3); /* two headers and lo */
	ck_assert_ptr_nonnull(strstr(sp.out.data, "lo:"));
	spawn_release(&sp);
	netns_release(&ns);
}
END_TEST

START_TEST(test_fallback_when_disabled)
{
	struct netns ns;
	struct probe p;
	int port;

	setenv("GRADER_NO_NETNS", "1", 1);
	ck_assert_int_eq(netns_create(&ns), -1);
	unsetenv("GRADER_NO_NETNS");
	ck_assert_int_eq(ns.fd, -1);
	ck_assert_ptr_nonnull(strstr(ns.why, "GRADER_NO_NETNS"));
	/* entering "no namespace" stays on the host */
	memset(&p, 0, sizeof(p));
	p.ns = &ns;
	p.host_port = netns_free_udp_port();
	run_probe(&p);
	ck_assert_int_eq(p.enter_rc, 0);
	ck_assert_int_eq(p.echo_ok, 1);
	netns_release(&ns);

	port = netns_free_udp_port();
	ck_assert_int_gt(port, 0);
	ck_assert_int_le(port, 65535);
}
END_TEST

Suite *make_netns_suite(void)
{
	Suite *s = suite_create("netns");
	TCase *tc = tcase_create("netns");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_create_loopback_only);
	tcase_add_test(tc, test_caller_stays_outside);
	tcase_add_test(tc, test_separate_port_spaces);
	tcase_add_test(tc, test_spawned_child_joins);
	tcase_add_test(tc, test_fallback_when_disabled);
	suite_add_tcase(s, tc);
	return s;
}
