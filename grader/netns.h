/*
 * netns.h - a private network namespace per server test: only loopback,
 * up, and nothing else.
 *
 * A student's server and the grader's clients meet inside one: parallel
 * gradings never clash on ports (every namespace has all of them free) and
 * the server can reach no other machine nor any service of the grader's
 * host. The server joins it through spawn's netns_fd (the child setns()es
 * before exec); a grader thread joins it with netns_enter() before creating
 * its sockets, since a socket stays in the namespace it was created in.
 *
 * Creating one needs CAP_SYS_ADMIN (root). Where that fails -- an ordinary
 * user, a container that forbids it, or GRADER_NO_NETNS=1 in the grader's
 * environment -- netns_create() says why and the caller falls back to a free
 * port on the host's loopback (netns_free_udp_port()), which it must say in
 * its report.
 *
 * Ownership: struct netns owns its fd; netns_release() closes it. The
 * namespace lives as long as the fd or a process inside it does.
 */
#ifndef GRADER_NETNS_H
#define GRADER_NETNS_H

struct netns {
	int fd;        /* the namespace (/proc/thread-self/ns/net of its
			  creator), or -1: no namespace, use the host's */
	char why[256]; /* fd < 0: why there is none, for the report */
};

/* Makes a new network namespace with loopback up, from a helper thread
 * (unshare(CLONE_NEWNET) there, so the caller's own threads stay where they
 * are). Returns 0 with ns->fd open, or -1 with ns->fd = -1 and ns->why
 * filled: not an error, a fallback to take. */
int netns_create(struct netns *ns);

/* Moves the calling thread into ns (setns); a no-op when ns->fd < 0.
 * Sockets the thread creates afterwards, and threads and processes it
 * starts, belong to the namespace. Returns 0, or -1 with errno. */
int netns_enter(const struct netns *ns);

/* Closes the fd (the namespace goes away with its last process). */
void netns_release(struct netns *ns);

/* A UDP port on 127.0.0.1 that is free right now in the caller's
 * namespace (bound and released: another process may still take it before
 * the server binds it). Returns the port, or -1 with errno. */
int netns_free_udp_port(void);

#endif
