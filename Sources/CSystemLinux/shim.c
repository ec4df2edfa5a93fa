// accept4 is a GNU extension: declared only with _GNU_SOURCE, which the Swift-facing header must not set.
#define _GNU_SOURCE
#include <sys/socket.h>
#include "CSystemLinux.h"

int csl_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}
