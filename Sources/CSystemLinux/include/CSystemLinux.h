// Linux system calls that Swift's Glibc module does not export (epoll, eventfd), plus thin wrappers
// for what Swift cannot call directly. Everything here is static inline: no code of our own in C.
#ifndef CSYSTEMLINUX_H
#define CSYSTEMLINUX_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>

/// `fcntl` is variadic in C, which Swift cannot call.
static inline int csl_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static inline int csl_set_cloexec(int fd) {
    int flags = fcntl(fd, F_GETFD, 0);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

static inline int csl_errno(void) { return errno; }

/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC in one call (a GNU extension, defined in shim.c).
int csl_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/// The epoll_event data union, read and written without Swift's union import quirks.
static inline void csl_epoll_event_set(struct epoll_event *ev, uint32_t events, uint64_t data) {
    ev->events = events;
    ev->data.u64 = data;
}
static inline uint64_t csl_epoll_event_data(const struct epoll_event *ev) { return ev->data.u64; }
static inline uint32_t csl_epoll_event_events(const struct epoll_event *ev) { return ev->events; }

static const uint32_t CSL_EPOLLIN = EPOLLIN;
static const uint32_t CSL_EPOLLOUT = EPOLLOUT;
static const uint32_t CSL_EPOLLERR = EPOLLERR;
static const uint32_t CSL_EPOLLHUP = EPOLLHUP;
static const uint32_t CSL_EPOLLRDHUP = EPOLLRDHUP;
static const uint32_t CSL_EPOLLET = EPOLLET;
static const int CSL_MSG_NOSIGNAL = MSG_NOSIGNAL;
static const int CSL_SOCK_STREAM = SOCK_STREAM;
static const int CSL_SOCK_NONBLOCK = SOCK_NONBLOCK;
static const int CSL_SOCK_CLOEXEC = SOCK_CLOEXEC;
static const int CSL_EFD_NONBLOCK = EFD_NONBLOCK;
static const int CSL_EFD_CLOEXEC = EFD_CLOEXEC;

#endif
