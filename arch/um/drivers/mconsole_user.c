/*
 * The mconsole's host side: the datagram socket, receiving and checking
 * requests, and the chunked replies, as UML arch/um/drivers/mconsole_user.c
 * does (same messages, same packet layout). Every datagram carries the
 * sender's host credentials (SO_PASSCRED); only umk's own host user is
 * answered, so the socket is reachable by nobody else even if its
 * directory's mode were loosened.
 */
#include <mconsole.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

int os_mconsole_open(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval send_timeout = { .tv_sec = 1 };
	int one = 1, fd, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout,
		       sizeof(send_timeout)) < 0 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, 0600) < 0)
		goto out_close;
	return fd;
out_close:
	err = -errno;
	close(fd);
	return err;
}

/* A reply to a version 0 client: the bare text (UML mconsole_reply_v0). */
static void reply_v0(int fd, const struct mc_request *req, const char *str)
{
	sendto(fd, str, strlen(str), MSG_DONTWAIT,
	       (const struct sockaddr *)req->origin, req->originlen);
}

/* The sender's host uid from the SCM_CREDENTIALS message, or -1. */
static long sender_uid(struct msghdr *msg)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred cred;

			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
			return cred.uid;
		}
	}
	return -1;
}

int os_mconsole_get_request(int fd, struct mc_request *req)
{
	char control[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { &req->request, sizeof(req->request) };
	struct msghdr msg = {
		.msg_name = req->origin, .msg_namelen = sizeof(req->origin),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	ssize_t n;

	memset(&req->request, 0, sizeof(req->request));
	n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	req->originlen = msg.msg_namelen;
	if (sender_uid(&msg) != (long)getuid())
		return 0;
	if ((size_t)n < offsetof(struct mconsole_request, data) ||
	    req->request.magic != MCONSOLE_MAGIC) {
		reply_v0(fd, req, "ERR Version 0 mconsole clients are not "
			 "supported by this driver");
		return 0;
	}
	if (req->request.len >= MCONSOLE_MAX_DATA) {
		os_mconsole_reply(fd, req, "Request too large", 1, 0);
		return 0;
	}
	if (req->request.version != MCONSOLE_VERSION) {
		os_mconsole_reply(fd, req, "This driver only supports version "
				  "2 clients", 1, 0);
		return 0;
	}
	req->request.data[req->request.len] = '\0';
	return 1;
}

int os_mconsole_reply(int fd, const struct mc_request *req, const char *str,
		      int err, int more)
{
	struct mconsole_reply reply;
	size_t total = strlen(str), len;

	do {
		reply.err = err;
		err = 0;
		len = total < MCONSOLE_MAX_DATA - 1 ? total : MCONSOLE_MAX_DATA - 1;
		reply.more = len == total ? more : 1;
		memcpy(reply.data, str, len);
		reply.data[len] = '\0';
		reply.len = len + 1;
		total -= len;
		str += len;
		if (sendto(fd, &reply, offsetof(struct mconsole_reply, data) +
			   reply.len, 0, (const struct sockaddr *)req->origin,
			   req->originlen) < 0)
			return -errno;
	} while (total > 0);
	return 0;
}

int os_mconsole_wait(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, -1) < 0 && errno != EINTR)
		return -errno;
	return 0;
}
