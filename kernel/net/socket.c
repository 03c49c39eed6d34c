/*
 * The socket system calls (Linux net/socket.c): socket, socketpair, bind,
 * connect, listen, accept4, getsockname/getpeername, send/recv in all
 * their forms, shutdown, setsockopt/getsockopt. Mostly argument checking
 * and copying: guest addresses, iovecs and control buffers are copied in
 * once, bounded, and handed to the family's proto_ops. A socket is a file
 * on an unmounted sockfs whose inode (S_IFSOCK) points at its struct
 * socket; read, write, poll, ioctl and O_ASYNC reach it through the file.
 */
#include <umk/net.h>
#include <umk/syscalls.h>
#include <umk/signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include "../fs/internal.h"
#include "internal.h"

#define SOCKFS_MAGIC	0x534F434B
#define MAX_CONTROL	(128 * 1024)	/* Linux optmem_max: ENOBUFS above */
#define MAX_OPTLEN	4096		/* option values copied in or out */
#define SOCK_MAX_TYPE	11		/* SOCK_PACKET + 1 */
#define NPROTO		46		/* AF_MAX of Linux 6.1 */
#define SCM_MAX_FD	253

static struct super_block sockfs_sb = {
	.s_magic = SOCKFS_MAGIC,
	.s_id = "sockfs",
};
static const struct file_operations socket_file_ops;

/* ---- guest buffers -------------------------------------------------- */

int copy_from_iter(void *dst, size_t n, struct msg_iter *it)
{
	char *d = dst;

	if (n > it->count)
		n = it->count;
	if (it->kbuf) {
		memcpy(d, it->kbuf, n);
		it->kbuf += n;
		it->count -= n;
		return 0;
	}
	while (n) {
		const struct iovec *v = &it->iov[it->seg];
		size_t chunk = min(n, v->iov_len - it->seg_off);

		if (chunk && copy_from_user(d, UPTR((char *)v->iov_base +
						    it->seg_off), chunk))
			return -EFAULT;
		d += chunk;
		n -= chunk;
		iter_advance(it, chunk);
	}
	return 0;
}

int copy_to_iter(struct msg_iter *it, const void *src, size_t n)
{
	const char *s = src;

	if (n > it->count)
		n = it->count;
	if (it->kbuf) {
		memcpy(it->kbuf, s, n);
		it->kbuf += n;
		it->count -= n;
		return 0;
	}
	while (n) {
		const struct iovec *v = &it->iov[it->seg];
		size_t chunk = min(n, v->iov_len - it->seg_off);

		if (chunk && copy_to_user(UPTR((char *)v->iov_base +
					       it->seg_off), s, chunk))
			return -EFAULT;
		s += chunk;
		n -= chunk;
		iter_advance(it, chunk);
	}
	return 0;
}

void iter_advance(struct msg_iter *it, size_t n)
{
	if (n > it->count)
		n = it->count;
	it->count -= n;
	if (it->kbuf) {
		it->kbuf += n;
		return;
	}
	while (n || (it->seg < it->nr_segs &&
		     it->seg_off == it->iov[it->seg].iov_len)) {
		size_t left = it->iov[it->seg].iov_len - it->seg_off;

		if (n < left) {
			it->seg_off += n;
			return;
		}
		n -= left;
		it->seg++;
		it->seg_off = 0;
		if (it->seg >= it->nr_segs)
			return;
	}
}

int put_cmsg(struct kmsg *msg, int level, int type, size_t len,
	     const void *data)
{
	struct cmsghdr h = { .cmsg_level = level, .cmsg_type = type };
	size_t room = msg->ucontrol_len - msg->ucontrol_used;
	size_t full = CMSG_LEN(len), copy;
	struct uptr at = uptr_add(msg->ucontrol, msg->ucontrol_used);

	if (uptr_null(msg->ucontrol) || room < sizeof(h)) {
		msg->flags |= MSG_CTRUNC;
		return 0;
	}
	if (room < full) {
		msg->flags |= MSG_CTRUNC;
		full = room;
	}
	h.cmsg_len = full;
	copy = full - sizeof(h);
	if (copy_to_user(at, &h, sizeof(h)) ||
	    copy_to_user(uptr_add(at, sizeof(h)), data, copy))
		return -EFAULT;
	msg->ucontrol_used += min(CMSG_SPACE(len), room);
	return 0;
}

/* ---- sockfs and the socket's file ------------------------------------ */

struct socket *sock_from_file(struct file *file)
{
	if (!file || file->f_op != &socket_file_ops)
		return NULL;
	return file->private_data;
}

void sock_wake(struct socket *sock, int band)
{
	wake_up(&sock->wq);
	if (sock->fasync_list && band)
		kill_fasync(&sock->fasync_list, SIGIO, band);
}

static uint64_t deadline_of(uint64_t timeo_ns, int flags)
{
	if (flags & MSG_DONTWAIT)
		return ~0ULL;
	return timeo_ns ? ktime_get_ns() + timeo_ns : 0;
}

uint64_t sock_rcv_deadline(const struct socket *sock, int flags)
{
	return deadline_of(sock->rcvtimeo_ns, flags);
}

uint64_t sock_snd_deadline(const struct socket *sock, int flags)
{
	return deadline_of(sock->sndtimeo_ns, flags);
}

/* A struct socket with its sockfs inode, owned by the caller's fsuid. */
static struct socket *sock_alloc(int family, int type, int protocol)
{
	static unsigned long next_ino = 1;
	struct socket *sock = kzalloc(sizeof(*sock));
	struct inode *inode;

	if (!sock)
		return NULL;
	if (!sockfs_sb.s_inodes.next)
		INIT_LIST_HEAD(&sockfs_sb.s_inodes);
	inode = new_inode(&sockfs_sb);
	if (!inode) {
		kfree(sock);
		return NULL;
	}
	inode->i_ino = next_ino++;
	inode->i_mode = S_IFSOCK | 0777;
	inode->i_uid = current->cred->fsuid;
	inode->i_gid = current->cred->fsgid;
	inode->i_nlink = 1;
	inode->i_atime = inode->i_mtime = inode->i_ctime = current_time();
	inode->i_private = sock;
	sock->inode = inode;
	sock->family = family;
	sock->type = type;
	sock->protocol = protocol;
	sock->state = SS_UNCONNECTED;
	init_waitqueue_head(&sock->wq);
	return sock;
}

/* Free a socket that never got a file (the family's state included). */
static void sock_free(struct socket *sock)
{
	if (sock->ops && sock->ops->release)
		sock->ops->release(sock);
	sock->inode->i_private = NULL;
	iput(sock->inode);
	kfree(sock);
}

/* The file for sock (it takes over sock); flags: O_NONBLOCK. */
static struct file *sock_alloc_file(struct socket *sock, int flags)
{
	struct file *f = alloc_file(sock->inode, &socket_file_ops,
				    O_RDWR | (flags & O_NONBLOCK));

	if (IS_ERR(f)) {
		sock_free(sock);
		return f;
	}
	f->f_flags &= ~KO_LARGEFILE;
	f->private_data = sock;
	sock->file = f;
	return f;
}

static int sock_release_file(struct inode *inode, struct file *f)
{
	struct socket *sock = f->private_data;

	fasync_helper(-1, f, 0, &sock->fasync_list);
	if (sock->ops && sock->ops->release)
		sock->ops->release(sock);
	inode->i_private = NULL;
	kfree(sock);
	return 0;
}

static long sock_sendmsg(struct socket *sock, struct kmsg *msg, int flags)
{
	if (!sock->ops->sendmsg)
		return -EOPNOTSUPP;
	if (sock->file->f_flags & O_NONBLOCK)
		flags |= MSG_DONTWAIT;
	return sock->ops->sendmsg(sock, msg, msg->iter.count, flags);
}

static long sock_recvmsg(struct socket *sock, struct kmsg *msg, int flags)
{
	if (!sock->ops->recvmsg)
		return -EOPNOTSUPP;
	if (sock->file->f_flags & O_NONBLOCK)
		flags |= MSG_DONTWAIT;
	return sock->ops->recvmsg(sock, msg, msg->iter.count, flags);
}

static void iter_init(struct msg_iter *it, const struct iovec *iov,
		      unsigned long nr)
{
	*it = (struct msg_iter){ .iov = iov, .nr_segs = nr };
	for (unsigned long i = 0; i < nr; i++)
		it->count += iov[i].iov_len;
	iter_advance(it, 0);
}

/* read(2)/readv(2) of a socket: recvmsg without name or control. */
static ssize_t sock_read_iov(struct file *f, const struct iovec *iov,
			     unsigned long nr)
{
	struct kmsg msg = { 0 };

	iter_init(&msg.iter, iov, nr);
	if (!msg.iter.count)
		return 0;
	return sock_recvmsg(f->private_data, &msg, 0);
}

static ssize_t sock_write_iov(struct file *f, const struct iovec *iov,
			      unsigned long nr)
{
	struct kmsg msg = { 0 };

	iter_init(&msg.iter, iov, nr);
	return sock_sendmsg(f->private_data, &msg, 0);
}

/* Kernel buffers (sendfile): the same with one kernel segment. */
static ssize_t sock_read(struct file *f, char *buf, size_t len, loff_t *pos)
{
	struct kmsg msg = { .iter = { .kbuf = buf, .count = len } };

	return len ? sock_recvmsg(f->private_data, &msg, 0) : 0;
}

static ssize_t sock_write(struct file *f, const char *buf, size_t len,
			  loff_t *pos)
{
	struct kmsg msg = { .iter = { .kbuf = (char *)buf, .count = len } };

	return sock_sendmsg(f->private_data, &msg, 0);
}

static unsigned int sock_poll(struct file *f, struct poll_table *pt)
{
	struct socket *sock = f->private_data;

	return sock->ops->poll ? sock->ops->poll(f, sock, pt) : 0;
}

static long sock_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct socket *sock = f->private_data;
	long ret = -ENOIOCTLCMD;

	if (sock->ops->ioctl)
		ret = sock->ops->ioctl(sock, cmd, arg);
	if (ret == -ENOIOCTLCMD)
		ret = net_dev_ioctl(cmd, arg);
	return ret == -ENOIOCTLCMD ? -ENOTTY : ret;
}

/* A descriptor closed: AF_UNIX looks for cycles of files in flight that
 * nobody can reach any more (unix_gc). */
static void sock_flush(struct file *f)
{
	struct socket *sock = f->private_data;

	if (sock->family == AF_UNIX)
		unix_flush(f);
}

static int sock_fasync(int fd, struct file *f, int on)
{
	struct socket *sock = f->private_data;

	return fasync_helper(fd, f, on, &sock->fasync_list);
}

static const struct file_operations socket_file_ops = {
	.read = sock_read,
	.write = sock_write,
	.read_iov = sock_read_iov,
	.write_iov = sock_write_iov,
	.poll = sock_poll,
	.ioctl = sock_ioctl,
	.release = sock_release_file,
	.flush = sock_flush,
	.fasync = sock_fasync,
};

/* ---- socket and socketpair ------------------------------------------- */

/* Make sock's family state (Linux __sock_create after the checks). */
static int sock_create_family(struct socket *sock, int protocol)
{
	switch (sock->family) {
	case AF_UNIX:
		return unix_create(sock, protocol);
	case AF_INET:
	case AF_INET6:
		return inet_create(sock, protocol);
	case AF_NETLINK:
		return netlink_create(sock, protocol);
	default:
		return -EAFNOSUPPORT;
	}
}

/* socket(2)'s checks and creation; *res is the new socket. */
static int sock_create(int family, int type, int protocol,
		       struct socket **res)
{
	struct socket *sock;
	int err;

	if (family < 0 || family >= NPROTO)
		return -EAFNOSUPPORT;
	if (type < 0 || type >= SOCK_MAX_TYPE)
		return -EINVAL;
	sock = sock_alloc(family, type, protocol);
	if (!sock)
		return -ENFILE;
	err = sock_create_family(sock, protocol);
	if (err) {
		sock->ops = NULL;
		sock_free(sock);
		return err;
	}
	*res = sock;
	return 0;
}

/* Split socket(2)'s type into the type and the SOCK_* flags. */
static int sock_type_flags(int *type, int *flags)
{
	*flags = *type & ~0xf;
	*type &= 0xf;
	if (*flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	return 0;
}

SYSCALL_DEFINE3(socket, int, family, int, type, int, protocol)
{
	struct socket *sock;
	struct file *f;
	int flags, err;

	err = sock_type_flags(&type, &flags);
	if (err)
		return err;
	err = sock_create(family, type, protocol, &sock);
	if (err)
		return err;
	f = sock_alloc_file(sock, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	return get_unused_fd_install(f, 0, flags & SOCK_CLOEXEC);
}

SYSCALL_DEFINE4(socketpair, int, family, int, type, int, protocol, struct uptr, usockvec)
{
	struct socket *a, *b;
	struct file *fa, *fb;
	int flags, fd[2], err;

	err = sock_type_flags(&type, &flags);
	if (err)
		return err;
	err = sock_create(family, type, protocol, &a);
	if (err)
		return err;
	err = sock_create(family, type, protocol, &b);
	if (err) {
		sock_free(a);
		return err;
	}
	err = a->ops->socketpair ? a->ops->socketpair(a, b) : -EOPNOTSUPP;
	if (err) {
		sock_free(a);
		sock_free(b);
		return err;
	}
	fa = sock_alloc_file(a, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0);
	if (IS_ERR(fa)) {
		sock_free(b);
		return PTR_ERR(fa);
	}
	fb = sock_alloc_file(b, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0);
	if (IS_ERR(fb)) {
		fput(fa);
		return PTR_ERR(fb);
	}
	fd[0] = get_unused_fd_install(fa, 0, flags & SOCK_CLOEXEC);
	if (fd[0] < 0) {
		fput(fb);
		return fd[0];
	}
	fd[1] = get_unused_fd_install(fb, 0, flags & SOCK_CLOEXEC);
	if (fd[1] < 0) {
		close_fd(fd[0]);
		return fd[1];
	}
	if (copy_to_user(usockvec, fd, sizeof(fd))) {
		close_fd(fd[0]);
		close_fd(fd[1]);
		return -EFAULT;
	}
	return 0;
}

/* ---- addresses ------------------------------------------------------- */

/* The socket at fd with a file reference in *fp: -EBADF, -ENOTSOCK. */
static struct socket *sockfd_lookup(int fd, struct file **fp)
{
	struct file *f = fget_no_path(fd);
	struct socket *sock;

	if (!f)
		return ERR_PTR(-EBADF);
	sock = sock_from_file(f);
	if (!sock) {
		fput(f);
		return ERR_PTR(-ENOTSOCK);
	}
	*fp = f;
	return sock;
}

/* Linux move_addr_to_kernel. */
static int move_addr_to_kernel(struct uptr uaddr, int ulen,
			       struct sockaddr_storage *k)
{
	if (ulen < 0 || ulen > (int)sizeof(*k))
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	if (ulen == 0)
		return 0;
	return copy_from_user(k, uaddr, ulen) ? -EFAULT : 0;
}

/* Linux move_addr_to_user: copy what fits, report the real length. */
static int move_addr_to_user(const struct sockaddr_storage *k, int klen,
			     struct uptr uaddr, struct uptr ulenp)
{
	int len;

	if (copy_from_user(&len, ulenp, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (len > klen)
		len = klen;
	if (len && copy_to_user(uaddr, k, len))
		return -EFAULT;
	return copy_to_user(ulenp, &klen, sizeof(klen)) ? -EFAULT : 0;
}

SYSCALL_DEFINE3(bind, int, fd, struct uptr, umyaddr, int, addrlen)
{
	struct sockaddr_storage addr;
	struct socket *sock;
	struct file *f;
	int err;

	sock = sockfd_lookup(fd, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);
	err = move_addr_to_kernel(umyaddr, addrlen, &addr);
	if (!err)
		err = sock->ops->bind ? sock->ops->bind(sock, &addr, addrlen)
				      : -EOPNOTSUPP;
	fput(f);
	return err;
}

SYSCALL_DEFINE3(connect, int, fd, struct uptr, uservaddr, int, addrlen)
{
	struct sockaddr_storage addr;
	struct socket *sock;
	struct file *f;
	int err;

	sock = sockfd_lookup(fd, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);
	err = move_addr_to_kernel(uservaddr, addrlen, &addr);
	if (!err)
		err = sock->ops->connect ?
		      sock->ops->connect(sock, &addr, addrlen,
					 f->f_flags & O_NONBLOCK) :
		      -EOPNOTSUPP;
	fput(f);
	return err;
}

SYSCALL_DEFINE2(listen, int, fd, int, backlog)
{
	struct socket *sock;
	struct file *f;
	int err;

	sock = sockfd_lookup(fd, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);
	if ((unsigned int)backlog > SOMAXCONN_LINUX)
		backlog = SOMAXCONN_LINUX;
	err = sock->ops->listen ? sock->ops->listen(sock, backlog)
				: -EOPNOTSUPP;
	fput(f);
	return err;
}

static long do_accept4(int fd, struct uptr upeer, struct uptr upeer_len,
		       int flags)
{
	struct sockaddr_storage addr;
	struct socket *sock, *newsock;
	struct file *f, *newf;
	int len, newfd;
	long err;

	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	sock = sockfd_lookup(fd, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);
	err = -EOPNOTSUPP;
	if (!sock->ops->accept)
		goto out_put;
	err = -ENFILE;
	newsock = sock_alloc(sock->family, sock->type, sock->protocol);
	if (!newsock)
		goto out_put;
	newsock->ops = sock->ops;
	err = sock->ops->accept(sock, newsock, f->f_flags & O_NONBLOCK);
	if (err) {
		newsock->ops = NULL;
		sock_free(newsock);
		goto out_put;
	}
	newf = sock_alloc_file(newsock, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0);
	err = PTR_ERR(newf);
	if (IS_ERR(newf))
		goto out_put;
	if (!uptr_null(upeer)) {
		len = newsock->ops->getname(newsock, &addr, 1);
		err = len < 0 ? -ECONNABORTED :
		      move_addr_to_user(&addr, len, upeer, upeer_len);
		if (err) {
			fput(newf);
			goto out_put;
		}
	}
	newfd = get_unused_fd_install(newf, 0, flags & SOCK_CLOEXEC);
	err = newfd;
out_put:
	fput(f);
	return err;
}

SYSCALL_DEFINE4(accept4, int, fd, struct uptr, upeer_sockaddr, struct uptr, upeer_addrlen, int, flags)
{
	return do_accept4(fd, upeer_sockaddr, upeer_addrlen, flags);
}

SYSCALL_DEFINE3(accept, int, fd, struct uptr, upeer_sockaddr, struct uptr, upeer_addrlen)
{
	return do_accept4(fd, upeer_sockaddr, upeer_addrlen, 0);
}

static long do_getname(int fd, struct uptr usockaddr, struct uptr ulen,
		       int peer)
{
	struct sockaddr_storage addr;
	struct socket *sock;
	struct file *f;
	int len;
	long err;

	sock = sockfd_lookup(fd, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);
	memset(&addr, 0, sizeof(addr));
	len = sock->ops->getname ? sock->ops->getname(sock, &addr, peer)
				 : -EOPNOTSUPP;
	err = len < 0 ? len : move_addr_to_user(&addr, len, usockaddr, ulen);
	fput(f);
	return err;
}

SYSCALL_DEFINE3(getsockname, int, fd, struct uptr, usockaddr, struct uptr, usockaddr_len)
{
	return do_getname(fd, usockaddr, usockaddr_len, 0);
}

SYSCALL_DEFINE3(getpeername, int, fd, struct uptr, usockaddr, struct uptr, usockaddr_len)
{
	return do_getname(fd, usockaddr, usockaddr_len, 1);
}

/* ---- send and receive ------------------------------------------------- */

/* The guest's struct msghdr, copied in: iovecs (into iov, UIO_MAXIOV of
 * them), the name, and for a send the control buffer (kmalloc'ed into
 * msg->control: kfree it). Linux ___sys_sendmsg/recvmsg's copy-in. */
static long copy_msghdr_from_user(struct msghdr *um, struct uptr umsg,
				  struct kmsg *msg, struct iovec *iov,
				  bool send)
{
	long err;

	if (copy_from_user(um, umsg, sizeof(*um)))
		return -EFAULT;
	if (um->msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	if (um->msg_iovlen && copy_from_user(iov, UPTR(um->msg_iov),
					     um->msg_iovlen * sizeof(*iov)))
		return -EFAULT;
	for (size_t i = 0, total = 0; i < um->msg_iovlen; i++) {
		if ((ssize_t)iov[i].iov_len < 0 ||
		    total + iov[i].iov_len > (size_t)INT32_MAX)
			return -EINVAL;
		total += iov[i].iov_len;
	}
	iter_init(&msg->iter, iov, um->msg_iovlen);
	if ((int)um->msg_namelen < 0)
		return -EINVAL;
	if (um->msg_name && send) {
		int len = min((int)um->msg_namelen,
			      (int)sizeof(struct sockaddr_storage));

		err = move_addr_to_kernel(UPTR(um->msg_name), len, &msg->name);
		if (err)
			return err;
		msg->namelen = len;
	}
	if (!send) {
		msg->ucontrol = UPTR(um->msg_control);
		msg->ucontrol_len = um->msg_controllen;
		return 0;
	}
	if (!um->msg_controllen)
		return 0;
	if (um->msg_controllen > MAX_CONTROL)
		return -ENOBUFS;
	msg->control = kmalloc(um->msg_controllen);
	if (!msg->control)
		return -ENOBUFS;
	msg->controllen = um->msg_controllen;
	if (copy_from_user(msg->control, UPTR(um->msg_control),
			   um->msg_controllen))
		return -EFAULT;
	return 0;
}

/* One sendmsg on sock; returns bytes sent or -errno. */
static long sendmsg_one(struct socket *sock, struct uptr umsg, int flags)
{
	struct iovec *iov = kmalloc(UIO_MAXIOV * sizeof(*iov));
	struct kmsg msg = { 0 };
	struct msghdr um;
	long ret;

	if (!iov)
		return -ENOMEM;
	ret = copy_msghdr_from_user(&um, umsg, &msg, iov, true);
	if (!ret)
		ret = sock_sendmsg(sock, &msg, flags & ~MSG_CMSG_CLOEXEC);
	kfree(msg.control);
	kfree(iov);
	return ret;
}

/* One recvmsg: the name, control length and flags go back into the
 * guest's msghdr. Returns bytes received or -errno. */
static long recvmsg_one(struct socket *sock, struct uptr umsg, int flags)
{
	struct iovec *iov = kmalloc(UIO_MAXIOV * sizeof(*iov));
	struct kmsg msg = { 0 };
	struct msghdr um;
	socklen_t namelen;
	long ret, err;

	if (!iov)
		return -ENOMEM;
	ret = copy_msghdr_from_user(&um, umsg, &msg, iov, false);
	if (ret)
		goto out;
	msg.cmsg_cloexec = flags & MSG_CMSG_CLOEXEC;
	ret = sock_recvmsg(sock, &msg, flags & ~MSG_CMSG_CLOEXEC);
	if (ret < 0)
		goto out;
	/* Linux ___sys_recvmsg: the name (and its length) only when the
	 * guest gave a buffer; flags and control length always. */
	err = 0;
	if (um.msg_name) {
		namelen = min((socklen_t)msg.namelen, um.msg_namelen);
		if (namelen && copy_to_user(UPTR(um.msg_name), &msg.name,
					    namelen))
			err = -EFAULT;
		namelen = msg.namelen;
		if (!err && copy_to_user(uptr_add(umsg, offsetof(struct msghdr,
							msg_namelen)),
					 &namelen, sizeof(namelen)))
			err = -EFAULT;
	}
	um.msg_controllen = msg.ucontrol_used;
	if (!err && (copy_to_user(uptr_add(umsg, offsetof(struct msghdr,
							   msg_flags)),
				  &msg.flags, sizeof(msg.flags)) ||
		     copy_to_user(uptr_add(umsg, offsetof(struct msghdr,
							   msg_controllen)),
				  &um.msg_controllen,
				  sizeof(um.msg_controllen))))
		err = -EFAULT;
	if (err)
		ret = err;
out:
	kfree(iov);
	return ret;
}

SYSCALL_DEFINE6(sendto, int, fd, struct uptr, buff, size_t, len, unsigned int, flags, struct uptr, addr, int, addr_len)
{
	struct iovec iov = { (void *)buff.addr, min(len, (size_t)INT32_MAX) };
	struct kmsg msg = { 0 };
	struct socket *sock;
	struct file *f;
	long err;

	sock = sockfd_lookup(fd, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);
	iter_init(&msg.iter, &iov, 1);
	err = 0;
	if (!uptr_null(addr)) {
		err = move_addr_to_kernel(addr, addr_len, &msg.name);
		msg.namelen = addr_len;
	}
	if (!err)
		err = sock_sendmsg(sock, &msg, flags);
	fput(f);
	return err;
}

SYSCALL_DEFINE6(recvfrom, int, fd, struct uptr, ubuf, size_t, size, unsigned int, flags, struct uptr, addr, struct uptr, addr_len)
{
	struct iovec iov = { (void *)ubuf.addr, min(size, (size_t)INT32_MAX) };
	struct kmsg msg = { 0 };
	struct socket *sock;
	struct file *f;
	long ret, err;

	sock = sockfd_lookup(fd, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);
	iter_init(&msg.iter, &iov, 1);
	ret = sock_recvmsg(sock, &msg, flags & ~MSG_CMSG_CLOEXEC);
	if (ret >= 0 && !uptr_null(addr)) {
		err = move_addr_to_user(&msg.name, msg.namelen, addr, addr_len);
		if (err)
			ret = err;
	}
	fput(f);
	return ret;
}

SYSCALL_DEFINE3(sendmsg, int, fd, struct uptr, msg, unsigned int, flags)
{
	struct socket *sock;
	struct file *f;
	long ret;

	sock = sockfd_lookup(fd, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);
	ret = sendmsg_one(sock, msg, flags);
	fput(f);
	return ret;
}

SYSCALL_DEFINE3(recvmsg, int, fd, struct uptr, msg, unsigned int, flags)
{
	struct socket *sock;
	struct file *f;
	long ret;

	sock = sockfd_lookup(fd, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);
	ret = recvmsg_one(sock, msg, flags);
	fput(f);
	return ret;
}

#define UIO_MAXIOV_MMSG 1024	/* Linux caps vlen at UIO_MAXIOV */

/* struct mmsghdr: a msghdr and msg_len. */
#define MMSG_SIZE sizeof(struct mmsghdr)

SYSCALL_DEFINE4(sendmmsg, int, fd, struct uptr, mmsg, unsigned int, vlen, unsigned int, flags)
{
	struct socket *sock;
	struct file *f;
	unsigned int n = 0;
	long ret = 0;

	sock = sockfd_lookup(fd, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);
	vlen = min(vlen, (unsigned int)UIO_MAXIOV_MMSG);
	for (; n < vlen; n++) {
		struct uptr m = uptr_add(mmsg, n * MMSG_SIZE);
		unsigned int sent;

		ret = sendmsg_one(sock, m, flags);
		if (ret < 0)
			break;
		sent = ret;
		if (copy_to_user(uptr_add(m, offsetof(struct mmsghdr, msg_len)),
				 &sent, sizeof(sent))) {
			ret = -EFAULT;
			break;
		}
	}
	fput(f);
	return n ? (long)n : ret;
}

/* recvmmsg: up to vlen messages; with a timeout ts, none is started once
 * it passed, and ts gets the time left (Linux do_recvmmsg). */
static long recvmmsg_common(int fd, struct uptr mmsg, unsigned int vlen,
			    unsigned int flags, struct timespec *ts)
{
	uint64_t end = ts ? ktime_get_ns() + ts->tv_sec * 1000000000ULL +
			    ts->tv_nsec : 0;
	struct socket *sock;
	struct file *f;
	unsigned int n = 0;
	long ret = 0;

	sock = sockfd_lookup(fd, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);
	vlen = min(vlen, (unsigned int)UIO_MAXIOV_MMSG);
	for (; n < vlen; n++) {
		struct uptr m = uptr_add(mmsg, n * MMSG_SIZE);
		unsigned int got;

		ret = recvmsg_one(sock, m, flags & ~MSG_WAITFORONE);
		if (ret < 0)
			break;
		got = ret;
		if (copy_to_user(uptr_add(m, offsetof(struct mmsghdr, msg_len)),
				 &got, sizeof(got))) {
			ret = -EFAULT;
			break;
		}
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		if (ts && ktime_get_ns() >= end) {
			n++;
			break;
		}
	}
	fput(f);
	if (ts) {
		uint64_t now = ktime_get_ns(), left = end > now ? end - now : 0;

		ts->tv_sec = left / 1000000000;
		ts->tv_nsec = left % 1000000000;
	}
	if (n == 0)
		return ret;
	return n;
}

SYSCALL_DEFINE5(recvmmsg, int, fd, struct uptr, mmsg, unsigned int, vlen, unsigned int, flags, struct uptr, timeout)
{
	struct timespec ts;
	long ret;

	if (!uptr_null(timeout)) {
		if (copy_from_user(&ts, timeout, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
	}
	ret = recvmmsg_common(fd, mmsg, vlen, flags,
			      uptr_null(timeout) ? NULL : &ts);
	if (!uptr_null(timeout) && ret >= 0 &&
	    copy_to_user(timeout, &ts, sizeof(ts)))
		ret = -EFAULT;
	return ret;
}

SYSCALL_DEFINE2(shutdown, int, fd, int, how)
{
	struct socket *sock;
	struct file *f;
	int err;

	sock = sockfd_lookup(fd, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);
	err = sock->ops->shutdown ? sock->ops->shutdown(sock, how)
				  : -EOPNOTSUPP;
	fput(f);
	return err;
}

/* ---- options ----------------------------------------------------------- */

#ifndef SO_RCVTIMEO_NEW
#define SO_RCVTIMEO_NEW 66
#define SO_SNDTIMEO_NEW 67
#endif
#define SO_RCVTIMEO_OLD 20
#define SO_SNDTIMEO_OLD 21

/* SO_RCVTIMEO/SO_SNDTIMEO (Linux sock_set_timeout): a timeval, both the
 * old and the new (64-bit) layouts are the same on x86-64. */
static int set_timeout(uint64_t *ns, const void *optval, unsigned int optlen)
{
	struct timeval tv;

	if (optlen < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, optval, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0 || (tv.tv_sec == 0 && tv.tv_usec == 0)) {
		*ns = 0;
		return 0;
	}
	*ns = tv.tv_sec * 1000000000ULL + tv.tv_usec * 1000ULL;
	return 0;
}

static int get_timeout(uint64_t ns, void *optval, int *optlen)
{
	struct timeval tv = { ns / 1000000000, ns % 1000000000 / 1000 };

	*optlen = min(*optlen, (int)sizeof(tv));
	memcpy(optval, &tv, *optlen);
	return 0;
}

/* The SOL_SOCKET options every family shares; -ENOPROTOOPT for others. */
static int sock_common_getsockopt(struct socket *sock, int optname,
				  void *optval, int *optlen)
{
	int v;

	switch (optname) {
	case SO_RCVTIMEO_OLD:
	case SO_RCVTIMEO_NEW:
		return get_timeout(sock->rcvtimeo_ns, optval, optlen);
	case SO_SNDTIMEO_OLD:
	case SO_SNDTIMEO_NEW:
		return get_timeout(sock->sndtimeo_ns, optval, optlen);
	case SO_TYPE:
		v = sock->type;
		break;
	case SO_DOMAIN:
		v = sock->family;
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (*optlen < 0)
		return -EINVAL;
	*optlen = min(*optlen, (int)sizeof(v));
	memcpy(optval, &v, *optlen);
	return 0;
}

SYSCALL_DEFINE5(setsockopt, int, fd, int, level, int, optname, struct uptr, optval, int, optlen)
{
	struct socket *sock;
	struct file *f;
	void *kval = NULL;
	int err;

	sock = sockfd_lookup(fd, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);
	err = -EINVAL;
	if (optlen < 0)
		goto out;
	optlen = min(optlen, MAX_OPTLEN);
	err = -ENOMEM;
	kval = kzalloc(optlen + 1);
	if (!kval)
		goto out;
	err = -EFAULT;
	if (optlen && copy_from_user(kval, optval, optlen))
		goto out;
	if (level == SOL_SOCKET && (optname == SO_RCVTIMEO_OLD ||
				    optname == SO_RCVTIMEO_NEW))
		err = set_timeout(&sock->rcvtimeo_ns, kval, optlen);
	else if (level == SOL_SOCKET && (optname == SO_SNDTIMEO_OLD ||
					 optname == SO_SNDTIMEO_NEW))
		err = set_timeout(&sock->sndtimeo_ns, kval, optlen);
	else
		err = sock->ops->setsockopt ?
		      sock->ops->setsockopt(sock, level, optname, kval, optlen) :
		      -EOPNOTSUPP;
out:
	kfree(kval);
	fput(f);
	return err;
}

SYSCALL_DEFINE5(getsockopt, int, fd, int, level, int, optname, struct uptr, optval, struct uptr, optlen)
{
	struct socket *sock;
	struct file *f;
	void *kval = NULL;
	int len, err;

	sock = sockfd_lookup(fd, &f);
	if (IS_ERR(sock))
		return PTR_ERR(sock);
	err = -EFAULT;
	if (copy_from_user(&len, optlen, sizeof(len)))
		goto out;
	err = -EINVAL;
	if (len < 0)
		goto out;
	len = min(len, MAX_OPTLEN);
	err = -ENOMEM;
	kval = kzalloc(len + 1);
	if (!kval)
		goto out;
	err = -ENOPROTOOPT;
	if (level == SOL_SOCKET)
		err = sock_common_getsockopt(sock, optname, kval, &len);
	if (err == -ENOPROTOOPT)
		err = sock->ops->getsockopt ?
		      sock->ops->getsockopt(sock, level, optname, kval, &len) :
		      -EOPNOTSUPP;
	if (err)
		goto out;
	err = -EFAULT;
	if ((len && copy_to_user(optval, kval, len)) ||
	    copy_to_user(optlen, &len, sizeof(len)))
		goto out;
	err = 0;
out:
	kfree(kval);
	fput(f);
	return err;
}
