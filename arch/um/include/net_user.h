/*
 * Host sockets for the guest's network (arch/um/os-Linux/net_user.c).
 * umk owns every host socket; a guest task never holds one. With the
 * private network (the default) the sockets are made by a small helper
 * process that umk starts at boot in new user and network namespaces
 * (network only, when umk is root and user namespaces are refused): it
 * brings lo up and hands each socket it creates back to umk over a
 * socketpair (SCM_RIGHTS). A socket stays in the namespace it was made in,
 * so umk then binds, connects and sends on it as on any socket; as the
 * namespace's owner umk has the namespace's capabilities (it may bind
 * ports below 1024 there), and the kernel checks the guest's own
 * credentials first. With net=host umk makes them in its own namespace.
 * Every socket is non-blocking and close-on-exec. Calls return -errno.
 */
#ifndef UMK_NET_USER_H
#define UMK_NET_USER_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>

/*
 * Boot, before privileges are dropped and before any thread starts: start
 * the helper in new namespaces with lo up. Returns the fd of umk's end of
 * the helper's socketpair (non-blocking), or -errno (namespaces refused:
 * *why names the call that failed).
 */
int os_net_start_helper(const char **why);
/* The helper's host pid (its /proc/PID/net is the guest's), or 0. */
int os_net_helper_pid(void);
/* Ask the helper for a socket: send the request on helper_fd. 0 or
 * -errno (-EAGAIN: try again when helper_fd is writable). */
int os_net_helper_request(int helper_fd, int domain, int type, int protocol);
/* Take the helper's answer: a socket fd, -errno from the helper's
 * socket(), -EAGAIN (not there yet) or -EPIPE (the helper is gone). */
int os_net_helper_reply(int helper_fd);
/* A socket in umk's own network namespace (net=host). fd or -errno. */
int os_socket(int domain, int type, int protocol);

int os_bind(int fd, const void *addr, socklen_t len);
int os_connect(int fd, const void *addr, socklen_t len);
int os_listen(int fd, int backlog);
/* accept4: a new non-blocking, close-on-exec fd; the peer's address in
 * addr (*len: room in, length out). */
int os_accept(int fd, void *addr, socklen_t *len);
int os_shutdown(int fd, int how);
int os_getsockname(int fd, void *addr, socklen_t *len);
int os_getpeername(int fd, void *addr, socklen_t *len);
int os_setsockopt(int fd, int level, int name, const void *val,
		  socklen_t len);
int os_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
/* sendmsg/recvmsg with MSG_DONTWAIT and MSG_NOSIGNAL added: bytes or
 * -errno. m holds kernel buffers only. */
long os_sendmsg(int fd, const struct msghdr *m, int flags);
long os_recvmsg(int fd, struct msghdr *m, int flags);
/* An ioctl whose argument is a kernel buffer of fixed size (FIONREAD,
 * SIOCGIFFLAGS with a struct ifreq...). Result or -errno. */
int os_sock_ioctl(int fd, unsigned long cmd, void *arg);
/* The poll(2) bits fd has now (no waiting). */
unsigned int os_poll_now(int fd);
/* Raise umk's soft RLIMIT_NOFILE towards its hard limit (at most 65536)
 * for the host sockets; returns the soft limit now. */
long os_raise_nofile(void);
/* The host inode number of the socket fd (/proc/net/tcp's inode), or 0. */
unsigned long os_sock_ino(int fd);

#endif
