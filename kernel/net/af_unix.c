/*
 * AF_UNIX sockets (unix(7), Linux net/unix/af_unix.c), entirely in the
 * kernel: SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET; filesystem names (a
 * S_IFSOCK inode made by bind, write permission needed to connect),
 * abstract names (per socket type, as Linux) and autobind; socketpair,
 * listen/accept with a backlog, shutdown; SCM_RIGHTS (files in flight are
 * counted and their cycles garbage-collected), SCM_CREDENTIALS,
 * SO_PASSCRED, SO_PEERCRED; send buffers accounted to the sender as Linux
 * does (sk_wmem_alloc against sk_sndbuf) and datagram queues bounded by
 * net.unix.max_dgram_qlen.
 *
 * A struct unix_sock can outlive its socket: the server end of a
 * connection waits in the listener's queue before accept (an embryo), and
 * a closed socket stays until the last skb that names it as sender is
 * consumed. Both are counted in refcnt.
 */
#include <umk/net.h>
#include <umk/signal.h>
#include <umk/sched.h>
#include <string.h>
#include <stdio.h>
#include <sys/un.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include "../fs/internal.h"
#include "../fs/proc/internal.h"
#include "internal.h"

/* Linux's sk_state values for unix sockets. */
enum { UNIX_ESTABLISHED = 1, UNIX_CLOSE = 7, UNIX_LISTEN = 10 };

#define UNIX_PATH_OFF	offsetof(struct sockaddr_un, sun_path)
#define SKB_OVERHEAD	576		/* truesize beyond the data */
#define STREAM_SKB_MAX	(32768 + 3776)	/* one stream skb at most */
#define SOCK_MIN_SNDBUF	4608
#define SOCK_MIN_RCVBUF	2304
#define MAX_RECURSION	4		/* of sockets passed in sockets */
#define SCM_MAX_FD	253

struct unix_address {
	int refcnt;
	int len;			/* of name in bytes, family included */
	struct sockaddr_un name;
};

struct unix_sock;

/* One message or stream chunk in a receive queue. */
struct unix_skb {
	struct list_head list;
	size_t len, consumed;		/* data bytes; stream: bytes read */
	size_t truesize;		/* charged to from->wmem */
	struct unix_sock *from;		/* the sender (referenced) */
	bool has_creds;
	struct ucred creds;
	struct file **fps;		/* SCM_RIGHTS (references) */
	int nfps;
	uid_t fp_uid;			/* who put them in flight */
	struct unix_sock *newsk;	/* a connection: the server end */
	char data[];
};

struct unix_sock {
	int refcnt;			/* socket, peer, skbs from it, queue */
	struct socket *sock;		/* NULL for an embryo or once closed */
	int type;
	int state;			/* UNIX_CLOSE, _LISTEN, _ESTABLISHED */
	int shutdown;			/* SHUT_RCV | SHUT_SEND, ours + peer's */
	int err;			/* pending error (sk_err) */
	bool dead;			/* released */
	struct unix_address *addr;	/* bound name (referenced) */
	struct path path;		/* a filesystem name's node */
	bool bound;			/* findable by its name */
	struct unix_sock *peer;		/* referenced */
	struct list_head recvq;		/* struct unix_skb */
	unsigned int qlen;
	size_t wmem;			/* truesize of our skbs still queued */
	int sndbuf, rcvbuf;
	int max_backlog;
	int recursion;			/* depth of sockets queued in us */
	struct wait_queue_head peer_wait;	/* senders waiting for room */
	bool has_peercred;
	struct ucred peercred;		/* SO_PEERCRED */
	int rcvlowat;			/* SO_RCVLOWAT */
	struct linger linger;		/* SO_LINGER */
	int opts[8];			/* the plain SOL_SOCKET options */
	unsigned long ino;		/* the socket's inode, for /proc */
	struct list_head node;		/* in unix_socks */
	int inflight;			/* our file in skbs: GC */
	long gc_refs;
	bool gc_candidate, gc_alive;
};

static LIST_HEAD(unix_socks);		/* every unix_sock */
static long unix_tot_inflight;
static int sysctl_wmem_default = 212992, sysctl_rmem_default = 212992;
static int sysctl_wmem_max = 212992, sysctl_rmem_max = 212992;
static int max_dgram_qlen = 10;

static const struct proto_ops unix_stream_ops, unix_dgram_ops,
	unix_seqpacket_ops;

static struct unix_sock *unix_sk(const struct socket *sock)
{
	return sock->sk;
}

static void unix_hold(struct unix_sock *u)
{
	u->refcnt++;
}

static void unix_put_addr(struct unix_address *a)
{
	if (a && --a->refcnt == 0)
		kfree(a);
}

static void unix_put(struct unix_sock *u)
{
	if (!u || --u->refcnt > 0)
		return;
	list_del_init(&u->node);
	unix_put_addr(u->addr);
	kfree(u);
}

/* A unix_sock for a socket of type (sock may be NULL: an embryo). */
static struct unix_sock *unix_alloc(int type)
{
	struct unix_sock *u = kzalloc(sizeof(*u));

	if (!u)
		return NULL;
	u->refcnt = 1;
	u->type = type;
	u->state = UNIX_CLOSE;
	u->sndbuf = sysctl_wmem_default;
	u->rcvbuf = sysctl_rmem_default;
	u->max_backlog = max_dgram_qlen;
	u->rcvlowat = 1;
	INIT_LIST_HEAD(&u->recvq);
	init_waitqueue_head(&u->peer_wait);
	list_add_tail(&u->node, &unix_socks);
	return u;
}

/* Wake whoever polls or blocks on u's socket. */
static void unix_wake(struct unix_sock *u, int band)
{
	if (u->sock)
		sock_wake(u->sock, band);
}

static void set_peercred(struct unix_sock *u)
{
	u->has_peercred = true;
	u->peercred = (struct ucred){ .pid = current->tgid,
				      .uid = current->cred->euid,
				      .gid = current->cred->egid };
}

static bool unix_writable(const struct unix_sock *u)
{
	return u->state != UNIX_LISTEN && (u->wmem << 2) <= (size_t)u->sndbuf;
}

static bool recvq_full(const struct unix_sock *u)
{
	return u->qlen > (unsigned int)u->max_backlog;
}

/* ---- files in flight and the garbage collector ------------------------- */

/* The unix_sock behind file, or NULL. */
static struct unix_sock *unix_get_socket(struct file *f)
{
	struct socket *sock = sock_from_file(f);

	if (!sock || sock->family != AF_UNIX)
		return NULL;
	return unix_sk(sock);
}

/* Per guest user, files they have in flight (Linux user->unix_inflight). */
struct inflight_user {
	uid_t uid;
	long count;
	struct list_head node;
};
static LIST_HEAD(inflight_users);

static struct inflight_user *inflight_of(uid_t uid, bool create)
{
	struct inflight_user *iu;

	list_for_each_entry(iu, &inflight_users, node)
		if (iu->uid == uid)
			return iu;
	if (!create)
		return NULL;
	iu = kzalloc(sizeof(*iu));
	if (iu) {
		iu->uid = uid;
		list_add(&iu->node, &inflight_users);
	}
	return iu;
}

static void unix_inflight(uid_t uid, struct file *f, int delta)
{
	struct unix_sock *u = unix_get_socket(f);
	struct inflight_user *iu = inflight_of(uid, delta > 0);

	if (u) {
		u->inflight += delta;
		unix_tot_inflight += delta;
	}
	if (iu)
		iu->count += delta;
}

static void skb_drop_fds(struct unix_skb *skb)
{
	for (int i = 0; i < skb->nfps; i++) {
		unix_inflight(skb->fp_uid, skb->fps[i], -1);
		fput(skb->fps[i]);
	}
	kfree(skb->fps);
	skb->fps = NULL;
	skb->nfps = 0;
}

static void unix_release_sock(struct unix_sock *u, bool embryo);

/* Free an skb: its files, the sender's charge, a queued connection. */
static void skb_free(struct unix_skb *skb)
{
	struct unix_sock *from = skb->from;

	skb_drop_fds(skb);
	if (skb->newsk)
		unix_release_sock(skb->newsk, true);
	if (from) {
		from->wmem -= skb->truesize;
		if (unix_writable(from))
			unix_wake(from, POLL_OUT);
		unix_put(from);
	}
	kfree(skb);
}

static void queue_unlink(struct unix_sock *u, struct unix_skb *skb)
{
	list_del_init(&skb->list);
	u->qlen--;
}

/* Unix sockets whose files sit in skbs of cand's queue (and, for a
 * listener, in its embryos' queues): call fn on each that is a GC
 * candidate. */
static void scan_children(struct unix_sock *cand,
			  void (*fn)(struct unix_sock *v))
{
	struct unix_skb *skb, *e;

	list_for_each_entry(skb, &cand->recvq, list) {
		for (int i = 0; i < skb->nfps; i++) {
			struct unix_sock *v = unix_get_socket(skb->fps[i]);

			if (v && v->gc_candidate)
				fn(v);
		}
		if (skb->newsk)
			list_for_each_entry(e, &skb->newsk->recvq, list)
				for (int i = 0; i < e->nfps; i++) {
					struct unix_sock *v =
						unix_get_socket(e->fps[i]);

					if (v && v->gc_candidate)
						fn(v);
				}
	}
}

static void dec_refs(struct unix_sock *v)
{
	v->gc_refs--;
}

static struct unix_sock **gc_stack;
static int gc_top;

static void mark_alive(struct unix_sock *v)
{
	if (v->gc_alive)
		return;
	v->gc_alive = true;
	gc_stack[gc_top++] = v;
}

/*
 * Linux unix_gc: a socket whose every file reference is in flight (but
 * for closing, a descriptor about to be dropped) is a candidate; a candidate referenced from outside the candidates, or
 * reachable from one that is, lives; the rest are cycles nobody can
 * reach again: their queues are purged, which drops the last references.
 */
static void unix_gc(struct file *closing)
{
	static bool running;
	struct unix_sock *u;
	LIST_HEAD(hitlist);
	struct unix_skb *skb, *n;
	int ncand = 0;

	if (running)
		return;		/* a release during the purge below */
	list_for_each_entry(u, &unix_socks, node) {
		struct file *f = u->sock ? u->sock->file : NULL;

		/* The descriptor being closed no longer counts. */
		u->gc_candidate = u->inflight > 0 && f &&
				  f->f_count - (f == closing) == u->inflight;
		u->gc_alive = false;
		u->gc_refs = u->inflight;
		ncand += u->gc_candidate;
	}
	if (!ncand)
		return;
	gc_stack = kmalloc(ncand * sizeof(*gc_stack));
	if (!gc_stack)
		return;
	gc_top = 0;
	list_for_each_entry(u, &unix_socks, node)
		if (u->gc_candidate)
			scan_children(u, dec_refs);
	list_for_each_entry(u, &unix_socks, node)
		if (u->gc_candidate && u->gc_refs > 0)
			mark_alive(u);
	while (gc_top > 0)
		scan_children(gc_stack[--gc_top], mark_alive);
	kfree(gc_stack);
	gc_stack = NULL;
	list_for_each_entry(u, &unix_socks, node) {
		if (!u->gc_candidate || u->gc_alive)
			continue;
		list_for_each_entry_safe(skb, n, &u->recvq, list) {
			if (!skb->nfps && !skb->newsk)
				continue;
			queue_unlink(u, skb);
			list_add_tail(&skb->list, &hitlist);
		}
	}
	list_for_each_entry(u, &unix_socks, node)
		u->gc_candidate = false;
	running = true;
	list_for_each_entry_safe(skb, n, &hitlist, list) {
		list_del_init(&skb->list);
		skb_free(skb);
	}
	running = false;
}

void unix_flush(struct file *closing)
{
	if (unix_tot_inflight)
		unix_gc(closing);
}

/* ---- names ------------------------------------------------------------ */

/* Linux unix_validate_addr. */
static int unix_validate_addr(const struct sockaddr_storage *ss, int len)
{
	if (len <= (int)UNIX_PATH_OFF || len > (int)sizeof(struct sockaddr_un))
		return -EINVAL;
	if (ss->ss_family != AF_UNIX)
		return -EINVAL;
	return 0;
}

/* The length of a filesystem name (Linux unix_mkname_bsd): the path up
 * to its NUL, plus the family, plus the NUL. */
static int unix_mkname_bsd(struct sockaddr_un *sun, int len)
{
	char *end = (char *)sun + sizeof(*sun);

	if (len < (int)sizeof(*sun))
		((char *)sun)[len] = '\0';
	else
		end[-1] = '\0';
	return strlen(sun->sun_path) + UNIX_PATH_OFF + 1;
}

static struct unix_address *unix_create_addr(const struct sockaddr_un *sun,
					     int len)
{
	struct unix_address *a = kzalloc(sizeof(*a));

	if (!a)
		return NULL;
	a->refcnt = 1;
	a->len = len;
	memcpy(&a->name, sun, len);
	return a;
}

static bool abstract_equal(const struct unix_sock *u,
			   const struct unix_address *a, int type)
{
	return u->bound && u->type == type && !u->path.dentry &&
	       u->addr->len == a->len &&
	       !memcmp(&u->addr->name, &a->name, a->len);
}

/* The bound socket with abstract name a of type (referenced), or NULL. */
static struct unix_sock *find_abstract(const struct unix_address *a, int type)
{
	struct unix_sock *u;

	list_for_each_entry(u, &unix_socks, node) {
		if (abstract_equal(u, a, type)) {
			unix_hold(u);
			return u;
		}
	}
	return NULL;
}

static struct unix_sock *find_by_inode(const struct inode *inode)
{
	struct unix_sock *u;

	list_for_each_entry(u, &unix_socks, node) {
		if (u->bound && u->path.dentry &&
		    u->path.dentry->d_inode == inode) {
			unix_hold(u);
			return u;
		}
	}
	return NULL;
}

/* Linux unix_find_bsd: the socket bound at the path in sun. */
static struct unix_sock *find_bsd(struct sockaddr_un *sun, int len, int type)
{
	struct unix_sock *u;
	struct path path;
	struct inode *inode;
	int err;

	unix_mkname_bsd(sun, len);
	err = kern_path_at(AT_FDCWD, sun->sun_path, LOOKUP_FOLLOW, &path);
	if (err)
		return ERR_PTR(err);
	inode = path.dentry->d_inode;
	err = inode_permission(inode, MAY_WRITE);
	if (err)
		goto out_put;
	err = -ECONNREFUSED;
	if (!S_ISSOCK(inode->i_mode))
		goto out_put;
	u = find_by_inode(inode);
	if (!u)
		goto out_put;
	if (u->type != type) {
		unix_put(u);
		err = -EPROTOTYPE;
		goto out_put;
	}
	path_put(&path);
	return u;
out_put:
	path_put(&path);
	return ERR_PTR(err);
}

/* Linux unix_find_other: the socket at addr (referenced) or ERR_PTR. */
static struct unix_sock *find_other(const struct sockaddr_storage *addr,
				    int len, int type)
{
	struct sockaddr_un sun;
	struct unix_address a;

	memcpy(&sun, addr, min(len, (int)sizeof(sun)));
	if (sun.sun_path[0])
		return find_bsd(&sun, len, type);
	a.len = len;
	memcpy(&a.name, &sun, len);
	return find_abstract(&a, type) ?: ERR_PTR(-ECONNREFUSED);
}

/* Linux unix_autobind: an abstract name of five hex digits. */
static int unix_autobind(struct unix_sock *u)
{
	static unsigned int ordernum;
	struct unix_address *a;
	unsigned int last;
	struct unix_sock *other;

	if (u->addr)
		return 0;
	a = kzalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->refcnt = 1;
	a->len = UNIX_PATH_OFF + 6;
	a->name.sun_family = AF_UNIX;
	if (!ordernum)
		ordernum = (unsigned int)ktime_get_ns() & 0xFFFFF;
	last = ordernum;
	for (;;) {
		ordernum = (ordernum + 1) & 0xFFFFF;
		snprintf(a->name.sun_path + 1, 6, "%05x", ordernum);
		other = find_abstract(a, u->type);
		if (!other)
			break;
		unix_put(other);
		if (ordernum == last) {
			kfree(a);
			return -ENOSPC;
		}
	}
	u->addr = a;
	u->bound = true;
	return 0;
}

static int unix_bind_bsd(struct unix_sock *u, struct sockaddr_un *sun,
			 int len)
{
	mode_t mode = S_IFSOCK | (0777 & ~current->fs->umask);
	struct unix_address *a;
	struct path path;
	int err;

	len = unix_mkname_bsd(sun, len);
	if (u->addr) {
		/* Linux makes the node first, then finds the socket bound and
		 * removes it again: EADDRINUSE if the name exists, else EINVAL. */
		err = kern_path_at(AT_FDCWD, sun->sun_path, 0, &path);
		if (!err)
			path_put(&path);
		return err ? -EINVAL : -EADDRINUSE;
	}
	a = unix_create_addr(sun, len);
	if (!a)
		return -ENOMEM;
	err = do_mknodat(AT_FDCWD, sun->sun_path, mode, 0);
	if (err)
		goto out;
	err = kern_path_at(AT_FDCWD, sun->sun_path, 0, &path);
	if (err)
		goto out;
	u->path = path;
	u->addr = a;
	u->bound = true;
	return 0;
out:
	unix_put_addr(a);
	return err == -EEXIST ? -EADDRINUSE : err;
}

static int unix_bind_abstract(struct unix_sock *u, struct sockaddr_un *sun,
			      int len)
{
	struct unix_address *a = unix_create_addr(sun, len);
	struct unix_sock *other;

	if (!a)
		return -ENOMEM;
	if (u->addr) {
		unix_put_addr(a);
		return -EINVAL;
	}
	other = find_abstract(a, u->type);
	if (other) {
		unix_put(other);
		unix_put_addr(a);
		return -EADDRINUSE;
	}
	u->addr = a;
	u->bound = true;
	return 0;
}

static int unix_bind(struct socket *sock, const struct sockaddr_storage *addr,
		     int len)
{
	struct unix_sock *u = unix_sk(sock);
	struct sockaddr_un sun;
	int err;

	if (len == (int)UNIX_PATH_OFF && addr->ss_family == AF_UNIX)
		return unix_autobind(u);
	err = unix_validate_addr(addr, len);
	if (err)
		return err;
	memcpy(&sun, addr, len);
	if (sun.sun_path[0])
		return unix_bind_bsd(u, &sun, len);
	return unix_bind_abstract(u, &sun, len);
}

static int unix_getname(struct socket *sock, struct sockaddr_storage *addr,
			int peer)
{
	struct unix_sock *u = unix_sk(sock);
	struct sockaddr_un *sun = (struct sockaddr_un *)addr;

	if (peer) {
		u = u->peer;
		if (!u)
			return -ENOTCONN;
	}
	if (!u->addr) {
		sun->sun_family = AF_UNIX;
		sun->sun_path[0] = 0;
		return UNIX_PATH_OFF;
	}
	memcpy(sun, &u->addr->name, u->addr->len);
	return u->addr->len;
}

/* ---- creation, release, connection -------------------------------------- */

static void purge_queue(struct unix_sock *u)
{
	struct unix_skb *skb, *n;

	list_for_each_entry_safe(skb, n, &u->recvq, list) {
		queue_unlink(u, skb);
		skb_free(skb);
	}
}

/* Linux unix_release_sock: the socket is closed (or an embryo dropped). */
static void unix_release_sock(struct unix_sock *u, bool embryo)
{
	struct unix_sock *pair = u->peer;
	struct path path = u->path;

	u->bound = false;
	u->dead = true;
	u->sock = NULL;
	u->shutdown = SHUTDOWN_MASK;
	u->path = (struct path){ NULL, NULL };
	u->state = UNIX_CLOSE;
	u->peer = NULL;
	wake_up(&u->peer_wait);
	if (pair) {
		if (u->type == SOCK_STREAM || u->type == SOCK_SEQPACKET) {
			pair->shutdown = SHUTDOWN_MASK;
			if (!list_empty(&u->recvq) || embryo)
				pair->err = ECONNRESET;
			unix_wake(pair, POLL_HUP);
		}
		wake_up(&pair->peer_wait);
		unix_put(pair);
	}
	purge_queue(u);
	if (path.dentry)
		path_put(&path);
	unix_put(u);
	if (unix_tot_inflight)
		unix_gc(NULL);
}

static void unix_release(struct socket *sock)
{
	struct unix_sock *u = unix_sk(sock);

	if (!u)
		return;
	sock->sk = NULL;
	unix_release_sock(u, false);
}

int unix_create(struct socket *sock, int protocol)
{
	struct unix_sock *u;

	if (protocol && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	switch (sock->type) {
	case SOCK_STREAM:
		sock->ops = &unix_stream_ops;
		break;
	case SOCK_RAW:
		sock->type = SOCK_DGRAM;
		__attribute__((fallthrough));
	case SOCK_DGRAM:
		sock->ops = &unix_dgram_ops;
		break;
	case SOCK_SEQPACKET:
		sock->ops = &unix_seqpacket_ops;
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}
	u = unix_alloc(sock->type);
	if (!u)
		return -ENOMEM;
	u->sock = sock;
	u->ino = sock->inode->i_ino;
	sock->sk = u;
	return 0;
}

static int unix_socketpair(struct socket *a, struct socket *b)
{
	struct unix_sock *ua = unix_sk(a), *ub = unix_sk(b);

	unix_hold(ua);
	unix_hold(ub);
	ua->peer = ub;
	ub->peer = ua;
	set_peercred(ua);
	set_peercred(ub);
	ua->state = ub->state = UNIX_ESTABLISHED;
	a->state = b->state = SS_CONNECTED;
	return 0;
}

static int unix_listen(struct socket *sock, int backlog)
{
	struct unix_sock *u = unix_sk(sock);

	if (sock->type != SOCK_STREAM && sock->type != SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	if (!u->addr)
		return -EINVAL;
	if (u->state != UNIX_CLOSE && u->state != UNIX_LISTEN)
		return -EINVAL;
	if (backlog > u->max_backlog)
		wake_up(&u->peer_wait);
	u->max_backlog = backlog;
	u->state = UNIX_LISTEN;
	set_peercred(u);
	return 0;
}

/* May the listener other take one more connection (or stop waiting)? */
static bool connect_may_go(struct unix_sock *other)
{
	return other->dead || (other->shutdown & SHUT_RCV) ||
	       !recvq_full(other);
}

static int unix_stream_connect(struct socket *sock,
			       const struct sockaddr_storage *addr, int len,
			       int flags)
{
	struct unix_sock *u = unix_sk(sock), *other, *newu;
	struct unix_skb *skb;
	uint64_t deadline = sock_snd_deadline(sock, flags ? MSG_DONTWAIT : 0);
	int err;

	err = unix_validate_addr(addr, len);
	if (err)
		return err;
	if ((sock->flags & SOCK_PASSCRED_F) && !u->addr) {
		err = unix_autobind(u);
		if (err)
			return err;
	}
restart:
	other = find_other(addr, len, sock->type);
	if (IS_ERR(other))
		return PTR_ERR(other);
	err = -ECONNREFUSED;
	if (other->state != UNIX_LISTEN || (other->shutdown & SHUT_RCV))
		goto out_put;
	if (recvq_full(other)) {
		err = sock_wait_event(other->peer_wait, connect_may_go(other),
				      deadline);
		unix_put(other);
		if (err)
			return err;
		goto restart;
	}
	if (u->state != UNIX_CLOSE) {
		err = u->state == UNIX_ESTABLISHED ? -EISCONN : -EINVAL;
		goto out_put;
	}
	err = -ENOMEM;
	newu = unix_alloc(sock->type);
	skb = kzalloc(sizeof(*skb));
	if (!newu || !skb) {
		unix_put(newu);
		kfree(skb);
		goto out_put;
	}
	/* The server end: peer is us, its name and creds the listener's. */
	unix_hold(u);
	newu->peer = u;
	newu->state = UNIX_ESTABLISHED;
	set_peercred(newu);
	if (other->path.dentry) {
		newu->path = other->path;
		path_get(&newu->path);
	}
	newu->addr = other->addr;
	newu->addr->refcnt++;
	u->has_peercred = other->has_peercred;
	u->peercred = other->peercred;
	sock->state = SS_CONNECTED;
	u->state = UNIX_ESTABLISHED;
	unix_hold(newu);
	u->peer = newu;
	skb->newsk = newu;
	list_add_tail(&skb->list, &other->recvq);
	other->qlen++;
	unix_wake(other, POLL_IN);
	err = 0;
out_put:
	unix_put(other);
	return err;
}

static int unix_dgram_connect(struct socket *sock,
			      const struct sockaddr_storage *addr, int len,
			      int flags)
{
	struct unix_sock *u = unix_sk(sock), *other = NULL, *old;
	int err;

	if (len < (int)sizeof(sa_family_t))
		return -EINVAL;
	if (addr->ss_family != AF_UNSPEC) {
		err = unix_validate_addr(addr, len);
		if (err)
			return err;
		if ((sock->flags & SOCK_PASSCRED_F) && !u->addr) {
			err = unix_autobind(u);
			if (err)
				return err;
		}
		other = find_other(addr, len, sock->type);
		if (IS_ERR(other))
			return PTR_ERR(other);
		if (other->peer && other->peer != u) {
			unix_put(other);
			return -EPERM;
		}
		u->state = UNIX_ESTABLISHED;
		other->state = UNIX_ESTABLISHED;
	}
	old = u->peer;
	u->peer = other;
	if (!other)
		u->state = UNIX_CLOSE;
	if (old) {
		wake_up(&old->peer_wait);
		if (other != old) {
			/* Linux unix_dgram_disconnected: the old peer's
			 * messages go, and it learns the link broke. */
			if (!list_empty(&u->recvq)) {
				purge_queue(u);
				wake_up(&u->peer_wait);
				if (!old->dead && old->peer == u) {
					old->err = ECONNRESET;
					unix_wake(old, POLL_ERR);
				}
			}
			if (!old->peer)
				old->state = UNIX_CLOSE;
		}
		unix_put(old);
	}
	return 0;
}

static int unix_accept(struct socket *sock, struct socket *newsock, int flags)
{
	struct unix_sock *u = unix_sk(sock), *tsk;
	struct unix_skb *skb;
	int err;

	if (sock->type != SOCK_STREAM && sock->type != SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	if (u->state != UNIX_LISTEN)
		return -EINVAL;
	err = sock_wait_event(sock->wq, !list_empty(&u->recvq) || u->err ||
			      (u->shutdown & SHUT_RCV),
			      sock_rcv_deadline(sock, flags ? MSG_DONTWAIT : 0));
	if (err)
		return err;
	if (u->err) {
		err = -u->err;
		u->err = 0;
		return err;
	}
	if (list_empty(&u->recvq))
		return -EINVAL;
	skb = list_first_entry(&u->recvq, struct unix_skb, list);
	queue_unlink(u, skb);
	tsk = skb->newsk;
	skb->newsk = NULL;
	skb_free(skb);
	wake_up(&u->peer_wait);
	newsock->state = SS_CONNECTED;
	newsock->flags |= sock->flags & SOCK_PASSCRED_F;
	newsock->sk = tsk;
	tsk->sock = newsock;
	tsk->ino = newsock->inode->i_ino;
	return 0;
}

static int unix_shutdown(struct socket *sock, int how)
{
	struct unix_sock *u = unix_sk(sock), *other = u->peer;
	int mode, peer_mode = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	mode = how + 1;
	u->shutdown |= mode;
	unix_wake(u, 0);
	wake_up(&u->peer_wait);
	if (other && (sock->type == SOCK_STREAM ||
		      sock->type == SOCK_SEQPACKET)) {
		if (mode & SHUT_RCV)
			peer_mode |= SHUT_SEND;
		if (mode & SHUT_SEND)
			peer_mode |= SHUT_RCV;
		other->shutdown |= peer_mode;
		wake_up(&other->peer_wait);
		unix_wake(other, peer_mode == SHUTDOWN_MASK ? POLL_HUP :
			  (peer_mode & SHUT_RCV) ? POLL_IN : 0);
	}
	return 0;
}

/* ---- control messages (Linux scm_send) ----------------------------------- */

struct scm {
	bool has_creds;
	struct ucred creds;
	struct file *fps[SCM_MAX_FD];
	int nfps;
};

static void scm_destroy(struct scm *scm)
{
	for (int i = 0; i < scm->nfps; i++)
		fput(scm->fps[i]);
	scm->nfps = 0;
}

static int scm_check_creds(const struct ucred *c)
{
	const struct cred *cr = current->cred;
	bool root = capable(cr);

	if ((c->pid == current->tgid || root) &&
	    (c->uid == cr->uid || c->uid == cr->euid || c->uid == cr->suid ||
	     root) &&
	    (c->gid == cr->gid || c->gid == cr->egid || c->gid == cr->sgid ||
	     root))
		return 0;
	return -EPERM;
}

static int scm_fp_copy(const struct cmsghdr *cm, struct scm *scm)
{
	int num = (cm->cmsg_len - sizeof(*cm)) / sizeof(int);
	const int *fds = (const int *)CMSG_DATA(cm);

	if (num <= 0)
		return 0;
	if (scm->nfps + num > SCM_MAX_FD)
		return -EINVAL;
	for (int i = 0; i < num; i++) {
		int fd;
		struct file *f;

		memcpy(&fd, fds + i, sizeof(fd));
		f = fget(fd);
		if (!f)
			return -EBADF;
		scm->fps[scm->nfps++] = f;
	}
	return 0;
}

/* Parse a send's control messages into scm; -EINVAL, -EBADF, -EPERM. */
static int scm_send(const struct kmsg *msg, struct scm *scm)
{
	const char *p = msg->control, *end = p + msg->controllen;
	int err;

	memset(scm, 0, sizeof(*scm));
	while (p && (size_t)(end - p) >= sizeof(struct cmsghdr)) {
		struct cmsghdr cm;

		memcpy(&cm, p, sizeof(cm));
		if (cm.cmsg_len < sizeof(cm) ||
		    cm.cmsg_len > (size_t)(end - p)) {
			err = -EINVAL;
			goto fail;
		}
		if (cm.cmsg_level == SOL_SOCKET) {
			switch (cm.cmsg_type) {
			case SCM_RIGHTS:
				err = scm_fp_copy((const struct cmsghdr *)p,
						  scm);
				break;
			case SCM_CREDENTIALS:
				err = -EINVAL;
				if (cm.cmsg_len != CMSG_LEN(sizeof(struct ucred)))
					break;
				memcpy(&scm->creds, CMSG_DATA((struct cmsghdr *)p),
				       sizeof(scm->creds));
				err = scm_check_creds(&scm->creds);
				scm->has_creds = !err;
				break;
			default:
				err = -EINVAL;
			}
			if (err)
				goto fail;
		}
		p += CMSG_ALIGN(cm.cmsg_len);
	}
	return 0;
fail:
	scm_destroy(scm);
	return err;
}

/* Linux too_many_unix_fds and the recursion limit: may these files fly? */
static int unix_attach_fds(struct scm *scm, struct unix_skb *skb,
			   int *level)
{
	struct inflight_user *iu = inflight_of(current->cred->uid, false);
	int max_level = 0;

	if (iu && iu->count >
	    (long)current->signal->rlim[RLIMIT_NOFILE].rlim_cur &&
	    !capable(current->cred))
		return -ETOOMANYREFS;
	for (int i = 0; i < scm->nfps; i++) {
		struct unix_sock *v = unix_get_socket(scm->fps[i]);

		if (v)
			max_level = max(max_level, v->recursion);
	}
	if (max_level > MAX_RECURSION)
		return -ETOOMANYREFS;
	skb->fps = kmalloc(scm->nfps * sizeof(*skb->fps));
	if (!skb->fps)
		return -ENOMEM;
	memcpy(skb->fps, scm->fps, scm->nfps * sizeof(*skb->fps));
	skb->nfps = scm->nfps;
	skb->fp_uid = current->cred->uid;
	scm->nfps = 0;
	for (int i = 0; i < skb->nfps; i++)
		unix_inflight(skb->fp_uid, skb->fps[i], 1);
	*level = max_level + 1;
	return 0;
}

/* A new skb of len data bytes from u (charged to it), with scm's
 * credentials and, when fds, its files. */
static struct unix_skb *skb_alloc(struct unix_sock *u, size_t len,
				  struct scm *scm, bool fds, int *level,
				  int *err)
{
	struct unix_skb *skb = kzalloc(sizeof(*skb) + len);

	*level = 0;
	if (!skb) {
		*err = -ENOBUFS;
		return NULL;
	}
	INIT_LIST_HEAD(&skb->list);
	skb->len = len;
	skb->truesize = len + SKB_OVERHEAD;
	skb->has_creds = scm->has_creds;
	skb->creds = scm->creds;
	if (fds && scm->nfps) {
		*err = unix_attach_fds(scm, skb, level);
		if (*err) {
			kfree(skb);
			return NULL;
		}
	}
	skb->from = u;
	unix_hold(u);
	u->wmem += skb->truesize;
	return skb;
}

/* Linux maybe_add_creds: the sender's, if either side asked for them. */
static void maybe_add_creds(struct unix_skb *skb, struct socket *sock,
			    struct unix_sock *other)
{
	if (skb->has_creds)
		return;
	if ((sock->flags & SOCK_PASSCRED_F) || !other->sock ||
	    (other->sock->flags & SOCK_PASSCRED_F)) {
		skb->has_creds = true;
		skb->creds = (struct ucred){ .pid = current->tgid,
					     .uid = current->cred->uid,
					     .gid = current->cred->gid };
	}
}

static void queue_skb(struct unix_sock *other, struct unix_skb *skb,
		      int level)
{
	list_add_tail(&skb->list, &other->recvq);
	other->qlen++;
	if (level > other->recursion)
		other->recursion = level;
	unix_wake(other, POLL_IN);
}

/* ---- sending ------------------------------------------------------------ */

static void send_sigpipe(int flags)
{
	if (!(flags & MSG_NOSIGNAL))
		send_sig_info(SIGPIPE, NULL, current, false);
}

/* Wait until u may allocate more send buffer (Linux sock_alloc_send_pskb). */
static int wait_for_wmem(struct socket *sock, struct unix_sock *u,
			 uint64_t deadline)
{
	return sock_wait_event(sock->wq, u->wmem < (size_t)u->sndbuf ||
			       (u->shutdown & SHUT_SEND) || u->err, deadline);
}

static long unix_stream_sendmsg(struct socket *sock, struct kmsg *msg,
				size_t len, int flags)
{
	struct unix_sock *u = unix_sk(sock), *other;
	uint64_t deadline = sock_snd_deadline(sock, flags);
	struct scm scm;
	size_t sent = 0;
	bool fds_sent = false;
	int ierr;
	long err;

	err = scm_send(msg, &scm);
	if (err)
		return err;
	err = -EOPNOTSUPP;
	if (flags & MSG_OOB)
		goto out;
	if (msg->namelen) {
		err = u->state == UNIX_ESTABLISHED ? -EISCONN : -EOPNOTSUPP;
		goto out;
	}
	other = u->peer;
	err = -ENOTCONN;
	if (!other)
		goto out;
	if (u->shutdown & SHUT_SEND) {
		send_sigpipe(flags);
		err = -EPIPE;
		goto out;
	}
	while (sent < len) {
		size_t size = min(len - sent, (size_t)(u->sndbuf >> 1) - 64);
		struct unix_skb *skb;
		int level;

		size = min(size, (size_t)STREAM_SKB_MAX);
		if (u->wmem >= (size_t)u->sndbuf) {
			err = wait_for_wmem(sock, u, deadline);
			if (err)
				goto out;
			other = u->peer;
			if (!other || other->dead ||
			    (other->shutdown & SHUT_RCV) ||
			    (u->shutdown & SHUT_SEND))
				goto pipe;
			continue;
		}
		skb = skb_alloc(u, size, &scm, !fds_sent, &level, &ierr);
		if (!skb) {
			err = ierr;
			goto out;
		}
		fds_sent = true;
		if (copy_from_iter(skb->data, size, &msg->iter)) {
			skb_free(skb);
			err = -EFAULT;
			goto out;
		}
		if (other->dead || (other->shutdown & SHUT_RCV)) {
			skb_free(skb);
			goto pipe;
		}
		maybe_add_creds(skb, sock, other);
		queue_skb(other, skb, level);
		sent += size;
	}
	scm_destroy(&scm);
	return sent;
pipe:
	if (!sent)
		send_sigpipe(flags);
	err = -EPIPE;
out:
	scm_destroy(&scm);
	return sent ? (long)sent : err;
}

/* May a datagram sender go on (Linux unix_wait_for_peer's condition)? */
static bool dgram_may_send(struct unix_sock *other)
{
	return other->dead || (other->shutdown & SHUT_RCV) ||
	       !recvq_full(other);
}

static long unix_dgram_sendmsg(struct socket *sock, struct kmsg *msg,
			       size_t len, int flags)
{
	struct unix_sock *u = unix_sk(sock), *other = NULL;
	uint64_t deadline = sock_snd_deadline(sock, flags);
	struct unix_skb *skb = NULL;
	struct scm scm;
	int level, ierr;
	long err;

	err = scm_send(msg, &scm);
	if (err)
		return err;
	err = -EOPNOTSUPP;
	if (flags & MSG_OOB)
		goto out;
	if (msg->namelen) {
		err = unix_validate_addr(&msg->name, msg->namelen);
		if (err)
			goto out;
	} else {
		other = u->peer;
		err = -ENOTCONN;
		if (!other)
			goto out;
		unix_hold(other);
	}
	if ((sock->flags & SOCK_PASSCRED_F) && !u->addr) {
		err = unix_autobind(u);
		if (err)
			goto out;
	}
	err = -EMSGSIZE;
	if (len > (size_t)u->sndbuf - 32)
		goto out;
	if (u->wmem >= (size_t)u->sndbuf) {
		err = wait_for_wmem(sock, u, deadline);
		if (err)
			goto out;
	}
	skb = skb_alloc(u, len, &scm, true, &level, &ierr);
	err = ierr;
	if (!skb)
		goto out;
	err = -EFAULT;
	if (copy_from_iter(skb->data, len, &msg->iter))
		goto out;
restart:
	if (!other) {
		err = -ECONNRESET;
		if (!msg->namelen)
			goto out;
		other = find_other(&msg->name, msg->namelen, sock->type);
		if (IS_ERR(other)) {
			err = PTR_ERR(other);
			other = NULL;
			goto out;
		}
	}
	err = -EPERM;
	if (other->peer && other->peer != u)
		goto out;
	if (other->dead) {
		unix_put(other);
		other = NULL;
		if (sock->type == SOCK_SEQPACKET) {
			err = -EPIPE;
			goto out;
		}
		if (u->peer && u->peer->dead) {
			struct unix_sock *old = u->peer;

			u->peer = NULL;
			u->state = UNIX_CLOSE;
			purge_queue(u);
			unix_put(old);
			err = -ECONNREFUSED;
			goto out;
		}
		goto restart;
	}
	err = -EPIPE;
	if (other->shutdown & SHUT_RCV)
		goto out;
	if (other != u && other->peer != u && recvq_full(other)) {
		err = sock_wait_event(other->peer_wait, dgram_may_send(other),
				      deadline);
		if (err)
			goto out;
		goto restart;
	}
	maybe_add_creds(skb, sock, other);
	queue_skb(other, skb, level);
	unix_put(other);
	scm_destroy(&scm);
	return len;
out:
	if (skb)
		skb_free(skb);
	unix_put(other);
	scm_destroy(&scm);
	return err;
}

static long unix_seqpacket_sendmsg(struct socket *sock, struct kmsg *msg,
				   size_t len, int flags)
{
	struct unix_sock *u = unix_sk(sock);
	int err;

	if (u->err) {
		err = -u->err;
		u->err = 0;
		return err;
	}
	if (u->state != UNIX_ESTABLISHED)
		return -ENOTCONN;
	msg->namelen = 0;
	return unix_dgram_sendmsg(sock, msg, len, flags);
}

/* ---- receiving ---------------------------------------------------------- */

/* Files a receive hands over: taken from an skb, installed at the end
 * (after SCM_CREDENTIALS, as Linux scm_recv orders them). */
struct recv_fds {
	struct file *fps[SCM_MAX_FD];
	int n;
};

/* Take the skb's files into r; peek: new references, the skb keeps its
 * own (Linux unix_peek_fds), else the skb's are moved. */
static void take_fds(struct recv_fds *r, struct unix_skb *skb, bool peek)
{
	for (int i = 0; i < skb->nfps && r->n < SCM_MAX_FD; i++) {
		if (!peek)
			unix_inflight(skb->fp_uid, skb->fps[i], -1);
		r->fps[r->n++] = peek ? get_file(skb->fps[i]) : skb->fps[i];
	}
	if (!peek) {
		kfree(skb->fps);
		skb->fps = NULL;
		skb->nfps = 0;
	}
}

/* Linux scm_detach_fds: new fds for the files that fit the control
 * buffer, one SCM_RIGHTS; the rest are closed and MSG_CTRUNC set. */
static void install_fds(struct kmsg *msg, struct recv_fds *r)
{
	size_t left = msg->ucontrol_len - msg->ucontrol_used;
	int room = left > CMSG_LEN(0) ? (left - CMSG_LEN(0)) / sizeof(int) : 0;
	int fds[SCM_MAX_FD], got = 0;

	for (int i = 0; i < r->n && got < room; i++) {
		int fd = get_unused_fd_install(get_file(r->fps[i]), 0,
					       msg->cmsg_cloexec);

		if (fd < 0)
			break;
		fds[got++] = fd;
	}
	if (got)
		put_cmsg(msg, SOL_SOCKET, SCM_RIGHTS, got * sizeof(int), fds);
	if (got < r->n)
		msg->flags |= MSG_CTRUNC;
	for (int i = 0; i < r->n; i++)
		fput(r->fps[i]);
	r->n = 0;
}

static void put_creds(struct kmsg *msg, struct unix_skb *skb)
{
	struct ucred c = { 0, 65534, 65534 };	/* none: overflow ids */

	if (skb->has_creds)
		c = skb->creds;
	put_cmsg(msg, SOL_SOCKET, SCM_CREDENTIALS, sizeof(c), &c);
}

static void copy_addr(struct kmsg *msg, struct unix_sock *from)
{
	msg->namelen = 0;
	if (from && from->addr) {
		memcpy(&msg->name, &from->addr->name, from->addr->len);
		msg->namelen = from->addr->len;
	}
}

static bool dgram_ready(struct unix_sock *u)
{
	return !list_empty(&u->recvq) || u->err || (u->shutdown & SHUT_RCV);
}

static long unix_dgram_recvmsg(struct socket *sock, struct kmsg *msg,
			       size_t len, int flags)
{
	struct unix_sock *u = unix_sk(sock);
	struct recv_fds r = { .n = 0 };
	struct unix_skb *skb;
	long err;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	for (;;) {
		if (!list_empty(&u->recvq))
			break;
		if (u->err) {
			err = -u->err;
			u->err = 0;
			return err;
		}
		if (u->shutdown & SHUT_RCV)
			return 0;
		if (sock->type == SOCK_SEQPACKET && u->state != UNIX_ESTABLISHED)
			return -ENOTCONN;
		err = sock_wait_event(sock->wq, dgram_ready(u),
				      sock_rcv_deadline(sock, flags));
		if (err)
			return err;
	}
	skb = list_first_entry(&u->recvq, struct unix_skb, list);
	wake_up(&u->peer_wait);
	copy_addr(msg, skb->from);
	if (len < skb->len)
		msg->flags |= MSG_TRUNC;
	else
		len = skb->len;
	if (copy_to_iter(&msg->iter, skb->data, len))
		return -EFAULT;
	if (sock->flags & SOCK_PASSCRED_F)
		put_creds(msg, skb);
	take_fds(&r, skb, flags & MSG_PEEK);
	install_fds(msg, &r);
	err = (flags & MSG_TRUNC) ? (long)skb->len : (long)len;
	if (!(flags & MSG_PEEK)) {
		queue_unlink(u, skb);
		skb_free(skb);
	}
	return err;
}

static long unix_seqpacket_recvmsg(struct socket *sock, struct kmsg *msg,
				   size_t len, int flags)
{
	if (unix_sk(sock)->state != UNIX_ESTABLISHED)
		return -ENOTCONN;
	return unix_dgram_recvmsg(sock, msg, len, flags);
}

static bool same_creds(const struct unix_skb *skb, bool has,
		       const struct ucred *c)
{
	if (skb->has_creds != has)
		return false;
	return !has || (skb->creds.pid == c->pid && skb->creds.uid == c->uid &&
			skb->creds.gid == c->gid);
}

/* Linux unix_stream_read_generic, without peek offsets. */
static long unix_stream_recvmsg(struct socket *sock, struct kmsg *msg,
				size_t size, int flags)
{
	struct unix_sock *u = unix_sk(sock);
	uint64_t deadline = sock_rcv_deadline(sock, flags);
	size_t target = (flags & MSG_WAITALL) ? size : 1, copied = 0;
	bool check_creds = false, has = false, name_done = false;
	struct ucred creds = { 0 };
	struct recv_fds r = { .n = 0 };
	struct unix_skb *skb;
	long err = 0;

	if (u->state != UNIX_ESTABLISHED)
		return -EINVAL;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (!(flags & MSG_WAITALL))
		target = u->rcvlowat;
	target = min(target, size);
	while (size) {
		size_t skip = 0, chunk;

		if (list_empty(&u->recvq)) {
			if (copied >= target)
				break;
			if (u->err) {
				err = -u->err;
				u->err = 0;
				break;
			}
			if (u->shutdown & SHUT_RCV)
				break;
			err = sock_wait_event(sock->wq, !list_empty(&u->recvq) ||
					      u->err || (u->shutdown & SHUT_RCV),
					      deadline);
			if (err)
				break;
			continue;
		}
		skb = list_first_entry(&u->recvq, struct unix_skb, list);
peek_next:
		if (check_creds) {
			if (!same_creds(skb, has, &creds))
				break;
		} else if (sock->flags & SOCK_PASSCRED_F) {
			has = skb->has_creds;
			creds = skb->creds;
			check_creds = true;
		}
		if (!name_done) {
			copy_addr(msg, skb->from);
			name_done = true;
		}
		chunk = min(skb->len - skb->consumed - skip, size);
		if (copy_to_iter(&msg->iter, skb->data + skb->consumed + skip,
				 chunk)) {
			if (!copied)
				err = -EFAULT;
			break;
		}
		copied += chunk;
		size -= chunk;
		if (!(flags & MSG_PEEK)) {
			bool had_fds = skb->nfps;

			skb->consumed += chunk;
			take_fds(&r, skb, false);
			if (skb->consumed < skb->len)
				break;
			queue_unlink(u, skb);
			skb_free(skb);
			if (had_fds)
				break;
		} else {
			if (skb->nfps) {
				take_fds(&r, skb, true);
				break;
			}
			if (skb->list.next == &u->recvq || !size)
				break;
			skb = list_entry(skb->list.next, struct unix_skb, list);
			skip = 0;
			goto peek_next;
		}
	}
	if (check_creds) {
		struct unix_skb fake = { .has_creds = has, .creds = creds };

		put_creds(msg, &fake);
	}
	install_fds(msg, &r);
	return copied ? (long)copied : err;
}

/* ---- poll, ioctl, options ----------------------------------------------- */

static unsigned int unix_poll(struct file *f, struct socket *sock,
			      struct poll_table *pt)
{
	struct unix_sock *u = unix_sk(sock);
	unsigned int mask = 0;

	poll_wait(f, &sock->wq, pt);
	if (u->err)
		mask |= POLLERR;
	if (u->shutdown == SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (u->shutdown & SHUT_RCV)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (!list_empty(&u->recvq))
		mask |= POLLIN | POLLRDNORM;
	if ((sock->type == SOCK_STREAM || sock->type == SOCK_SEQPACKET) &&
	    u->state == UNIX_CLOSE)
		mask |= POLLHUP;
	if (unix_writable(u))
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return mask;
}

static unsigned int unix_dgram_poll(struct file *f, struct socket *sock,
				    struct poll_table *pt)
{
	struct unix_sock *u = unix_sk(sock), *other;
	unsigned int mask = 0;
	bool writable;

	poll_wait(f, &sock->wq, pt);
	if (u->err)
		mask |= POLLERR;
	if (u->shutdown & SHUT_RCV)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (u->shutdown == SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (!list_empty(&u->recvq))
		mask |= POLLIN | POLLRDNORM;
	if (sock->type == SOCK_SEQPACKET && u->state == UNIX_CLOSE)
		mask |= POLLHUP;
	writable = unix_writable(u);
	other = u->peer;
	if (writable && other && other->peer != u && recvq_full(other) &&
	    !other->dead) {
		poll_wait(f, &other->peer_wait, pt);
		writable = false;
	}
	if (writable)
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return mask;
}

static long unix_ioctl(struct socket *sock, unsigned int cmd,
		       unsigned long arg)
{
	struct unix_sock *u = unix_sk(sock);
	struct unix_skb *skb;
	int amount = 0;

	switch (cmd) {
	case SIOCOUTQ:
		amount = u->wmem;
		break;
	case SIOCINQ:
		if (u->state == UNIX_LISTEN)
			return -EINVAL;
		if (sock->type == SOCK_DGRAM) {
			if (!list_empty(&u->recvq))
				amount = list_first_entry(&u->recvq,
					struct unix_skb, list)->len;
		} else {
			list_for_each_entry(skb, &u->recvq, list)
				amount += skb->len - skb->consumed;
		}
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return copy_to_user(UPTR(arg), &amount, sizeof(amount)) ? -EFAULT : 0;
}

static int get_int(const void *optval, unsigned int optlen, int *v)
{
	if (optlen < sizeof(int))
		return -EINVAL;
	memcpy(v, optval, sizeof(int));
	return 0;
}

/* The SOL_SOCKET options that are only recorded for a unix socket, and
 * their slots in u->opts: set and read back as Linux does (booleans as
 * 0/1), acting on nothing a unix socket does. */
static int plain_opt_slot(int optname)
{
	static const int plain[] = {
		SO_REUSEADDR, SO_REUSEPORT, SO_KEEPALIVE, SO_BROADCAST,
		SO_DONTROUTE, SO_OOBINLINE, SO_PRIORITY, SO_TIMESTAMP,
	};

	for (size_t i = 0; i < ARRAY_SIZE(plain); i++)
		if (plain[i] == optname)
			return i;
	return -1;
}

/* Linux sock_setsockopt for what unix sockets use. */
static int unix_setsockopt(struct socket *sock, int level, int optname,
			   const void *optval, unsigned int optlen)
{
	struct unix_sock *u = unix_sk(sock);
	int v, slot, err;
	unsigned int uv;

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (optname == SO_LINGER) {
		if (optlen < sizeof(struct linger))
			return -EINVAL;
		memcpy(&u->linger, optval, sizeof(u->linger));
		u->linger.l_onoff = !!u->linger.l_onoff;
		return 0;
	}
	err = get_int(optval, optlen, &v);
	if (err)
		return err;
	uv = v;
	switch (optname) {
	case SO_PASSCRED:
		if (v)
			sock->flags |= SOCK_PASSCRED_F;
		else
			sock->flags &= ~SOCK_PASSCRED_F;
		return 0;
	case SO_SNDBUF:
		uv = min(uv, (unsigned int)sysctl_wmem_max);
		u->sndbuf = max((int)min(uv, (unsigned int)INT32_MAX / 2) * 2,
				SOCK_MIN_SNDBUF);
		unix_wake(u, POLL_OUT);
		return 0;
	case SO_RCVBUF:
		uv = min(uv, (unsigned int)sysctl_rmem_max);
		u->rcvbuf = max((int)min(uv, (unsigned int)INT32_MAX / 2) * 2,
				SOCK_MIN_RCVBUF);
		return 0;
	case SO_RCVLOWAT:
		u->rcvlowat = v < 0 ? INT32_MAX : v ? v : 1;
		return 0;
	case SO_PRIORITY:
		if ((v < 0 || v > 6) && !capable(current->cred))
			return -EPERM;
		break;
	}
	slot = plain_opt_slot(optname);
	if (slot < 0)
		return -ENOPROTOOPT;
	u->opts[slot] = optname == SO_PRIORITY ? v : !!v;
	return 0;
}

static int unix_getsockopt(struct socket *sock, int level, int optname,
			   void *optval, int *optlen)
{
	struct unix_sock *u = unix_sk(sock);
	union {
		int i;
		struct ucred cred;
		struct linger ling;
	} v = { 0 };
	int len = sizeof(int), slot;

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (*optlen < 0)
		return -EINVAL;
	switch (optname) {
	case SO_PASSCRED:
		v.i = !!(sock->flags & SOCK_PASSCRED_F);
		break;
	case SO_SNDBUF:
		v.i = u->sndbuf;
		break;
	case SO_RCVBUF:
		v.i = u->rcvbuf;
		break;
	case SO_ERROR:
		v.i = u->err;
		u->err = 0;
		break;
	case SO_PROTOCOL:
		v.i = 0;
		break;
	case SO_ACCEPTCONN:
		v.i = u->state == UNIX_LISTEN;
		break;
	case SO_PEERCRED:
		len = sizeof(v.cred);
		v.cred = u->has_peercred ? u->peercred :
			 (struct ucred){ 0, -1, -1 };
		break;
	case SO_LINGER:
		len = sizeof(v.ling);
		v.ling = u->linger;
		break;
	case SO_RCVLOWAT:
		v.i = u->rcvlowat;
		break;
	case SO_SNDLOWAT:
		v.i = 1;
		break;
	default:
		slot = plain_opt_slot(optname);
		if (slot < 0)
			return -ENOPROTOOPT;
		v.i = u->opts[slot];
	}
	*optlen = min(*optlen, len);
	memcpy(optval, &v, *optlen);
	return 0;
}

static const struct proto_ops unix_stream_ops = {
	.family = AF_UNIX,
	.release = unix_release,
	.bind = unix_bind,
	.connect = unix_stream_connect,
	.socketpair = unix_socketpair,
	.accept = unix_accept,
	.getname = unix_getname,
	.poll = unix_poll,
	.ioctl = unix_ioctl,
	.listen = unix_listen,
	.shutdown = unix_shutdown,
	.setsockopt = unix_setsockopt,
	.getsockopt = unix_getsockopt,
	.sendmsg = unix_stream_sendmsg,
	.recvmsg = unix_stream_recvmsg,
};

static const struct proto_ops unix_dgram_ops = {
	.family = AF_UNIX,
	.release = unix_release,
	.bind = unix_bind,
	.connect = unix_dgram_connect,
	.socketpair = unix_socketpair,
	.getname = unix_getname,
	.poll = unix_dgram_poll,
	.ioctl = unix_ioctl,
	.shutdown = unix_shutdown,
	.setsockopt = unix_setsockopt,
	.getsockopt = unix_getsockopt,
	.sendmsg = unix_dgram_sendmsg,
	.recvmsg = unix_dgram_recvmsg,
};

static const struct proto_ops unix_seqpacket_ops = {
	.family = AF_UNIX,
	.release = unix_release,
	.bind = unix_bind,
	.connect = unix_stream_connect,
	.socketpair = unix_socketpair,
	.accept = unix_accept,
	.getname = unix_getname,
	.poll = unix_dgram_poll,
	.ioctl = unix_ioctl,
	.listen = unix_listen,
	.shutdown = unix_shutdown,
	.setsockopt = unix_setsockopt,
	.getsockopt = unix_getsockopt,
	.sendmsg = unix_seqpacket_sendmsg,
	.recvmsg = unix_seqpacket_recvmsg,
};

/* The host's net.core buffer sysctls, so sizes agree with native runs. */
void unix_init_sysctls(int wmem_default, int rmem_default, int wmem_max,
		       int rmem_max, int dgram_qlen)
{
	if (wmem_default > 0)
		sysctl_wmem_default = wmem_default;
	if (rmem_default > 0)
		sysctl_rmem_default = rmem_default;
	if (wmem_max > 0)
		sysctl_wmem_max = wmem_max;
	if (rmem_max > 0)
		sysctl_rmem_max = rmem_max;
	if (dgram_qlen > 0)
		max_dgram_qlen = dgram_qlen;
}

/* /proc/net/unix (Linux unix_seq_show). */
int unix_proc_show(struct seq_buf *m)
{
	struct unix_sock *u;

	seq_puts(m, "Num       RefCount Protocol Flags    Type St Inode Path\n");
	list_for_each_entry(u, &unix_socks, node) {
		int st;

		if (u->dead)
			continue;
		if (u->sock)
			st = u->state == UNIX_ESTABLISHED ? SS_CONNECTED :
							    SS_UNCONNECTED;
		else
			st = u->state == UNIX_ESTABLISHED ? SS_CONNECTING :
							    SS_DISCONNECTING;
		seq_printf(m, "%016x: %08X %08X %08X %04X %02X %5lu",
			   0, u->refcnt, 0,
			   u->state == UNIX_LISTEN ? (1 << 16) : 0,
			   u->type, st, u->sock ? u->ino : 0);
		if (u->addr) {
			int len = u->addr->len - UNIX_PATH_OFF;
			const char *p = u->addr->name.sun_path;

			seq_putc(m, ' ');
			if (u->path.dentry) {
				seq_puts(m, p);
			} else {
				seq_putc(m, '@');
				for (int i = 1; i < len; i++)
					seq_putc(m, p[i] ? p[i] : '@');
			}
		}
		seq_putc(m, '\n');
	}
	return m->err;
}
