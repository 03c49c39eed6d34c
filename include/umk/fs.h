/*
 * The VFS: inodes, dentries, mounts, open files, and the operation tables a
 * filesystem provides. Modelled on Linux include/linux/fs.h, simplified:
 * filesystem methods take and return kernel buffers (the syscall layer does
 * copy_from_user/copy_to_user), and lookup returns an inode, not a dentry.
 *
 * Reference counts: iget/ihold/iput for inodes, dget/dput for dentries,
 * mntget/mntput for mounts, get_file/fput for files. Everything runs on the
 * kernel thread; a method may sleep (wait_event) but holds no lock across it
 * except its filesystem's own struct mutex.
 */
#ifndef UMK_FS_H
#define UMK_FS_H

#include <umk/kernel.h>
#include <umk/sched.h>
#include <sys/stat.h>
#include <time.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/uio.h>

struct inode;
struct dentry;
struct file;
struct super_block;
struct vfsmount;
struct poll_table;
struct kstatfs;
struct path;
struct file_lock_context;
struct epitem;
struct inotify_watch;

struct qstr {
	const char *name;
	unsigned int len;
};

/* Attribute change for setattr (chmod, chown, truncate, utimes). */
#define ATTR_MODE	(1 << 0)
#define ATTR_UID	(1 << 1)
#define ATTR_GID	(1 << 2)
#define ATTR_SIZE	(1 << 3)
#define ATTR_ATIME	(1 << 4)
#define ATTR_MTIME	(1 << 5)
#define ATTR_CTIME	(1 << 6)
struct iattr {
	unsigned int ia_valid;
	mode_t ia_mode;
	uid_t ia_uid;
	gid_t ia_gid;
	loff_t ia_size;
	struct timespec ia_atime, ia_mtime, ia_ctime;
};

/* statfs(2) result, filled by super_operations.statfs. */
struct kstatfs {
	long f_type, f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	long f_namelen, f_frsize, f_flags;
	uint64_t f_fsid;
};

/*
 * Directory iteration: iterate() calls ctx->actor once per entry, starting
 * at ctx->pos (an opaque cookie the filesystem chose, 0 = start), and sets
 * ctx->pos to the cookie of the next entry before each call. When actor
 * returns false the buffer is full: stop without consuming that entry.
 * d_type is DT_REG, DT_DIR, ... (dirent.h).
 */
struct dir_context {
	bool (*actor)(struct dir_context *ctx, const char *name, int namelen,
		      loff_t pos, uint64_t ino, unsigned int d_type);
	loff_t pos;
};

/* All methods return 0 or a negative errno unless said otherwise. */
struct inode_operations {
	/* Find name in dir: *res gets a referenced inode. -ENOENT if absent. */
	int (*lookup)(struct inode *dir, const struct qstr *name,
		      struct inode **res);
	/* Create a regular file / directory / node / symlink named name in dir
	 * (the VFS has checked it is absent and that the caller may write dir).
	 * mode holds the type bits and the permission bits after umask; the new
	 * inode gets the caller's fsuid and fsgid (current->cred). */
	int (*create)(struct inode *dir, const struct qstr *name, mode_t mode,
		      struct inode **res);
	int (*mkdir)(struct inode *dir, const struct qstr *name, mode_t mode,
		     struct inode **res);
	int (*mknod)(struct inode *dir, const struct qstr *name, mode_t mode,
		     dev_t rdev, struct inode **res);
	int (*symlink)(struct inode *dir, const struct qstr *name,
		       const char *target, struct inode **res);
	/* New name for an existing inode (not a directory). */
	int (*link)(struct inode *old, struct inode *dir, const struct qstr *name);
	/* Remove name (victim is its inode, not a directory): drop a link. */
	int (*unlink)(struct inode *dir, const struct qstr *name,
		      struct inode *victim);
	/* Remove the empty directory name (the VFS checked it is empty via
	 * dir_is_empty? no: the filesystem returns -ENOTEMPTY itself). */
	int (*rmdir)(struct inode *dir, const struct qstr *name,
		     struct inode *victim);
	/* Move oldname in olddir to newname in newdir. new_victim is the inode
	 * newname names now, or NULL; the VFS checked type compatibility
	 * (dir over empty dir, non-dir over non-dir). flags: RENAME_NOREPLACE,
	 * RENAME_EXCHANGE (may be -EINVAL if unsupported). */
	int (*rename)(struct inode *olddir, const struct qstr *oldname,
		      struct inode *old_victim, struct inode *newdir,
		      const struct qstr *newname, struct inode *new_victim,
		      unsigned int flags);
	/* Symlink target into buf (not NUL-terminated); returns its length,
	 * truncated to size. */
	long (*readlink)(struct inode *inode, char *buf, size_t size);
	/* Magic links (procfs fd/N, exe, cwd, root): the path they stand for.
	 * When set, path walk follows this instead of readlink's text. */
	int (*get_link_path)(struct inode *inode, struct path *res);
	/* Apply attr (already checked by the VFS) and update ctime. */
	int (*setattr)(struct inode *inode, const struct iattr *attr);
	/* Extended attributes (umk/xattr.h; the VFS checked the name, its
	 * namespace against sb->s_xattr, permissions and sizes). name is
	 * the full name ("user.x"). getxattr: the value's length; with size
	 * != 0 also the value into value (-ERANGE when longer than size);
	 * -ENODATA when absent. setxattr: value NULL removes (-ENODATA when
	 * absent); XATTR_CREATE -EEXIST, XATTR_REPLACE -ENODATA; -ENOSPC,
	 * -E2BIG when it cannot be stored; updates ctime. listxattr: the
	 * names, each NUL-terminated, with getxattr's size rules. NULL
	 * methods: the inode holds no xattrs (-EOPNOTSUPP, empty list). */
	ssize_t (*getxattr)(struct inode *inode, const char *name, void *value,
			    size_t size);
	int (*setxattr)(struct inode *inode, const char *name,
			const void *value, size_t size, int flags);
	ssize_t (*listxattr)(struct inode *inode, char *list, size_t size);
};

struct poll_table;
struct read_sink;
struct file_operations {
	/* Called by open after the permission check; may replace f_op or set
	 * private_data. */
	int (*open)(struct inode *inode, struct file *file);
	/* Last reference to the open file dropped. */
	int (*release)(struct inode *inode, struct file *file);
	/* A descriptor of the file is closed (close, dup2 over it, exec,
	 * exit), whether or not it was the last reference. Optional. */
	void (*flush)(struct file *file);
	/* Read/write len bytes at *pos from/to a kernel buffer; advance *pos.
	 * Return bytes moved (0 at EOF) or -errno (-EAGAIN for O_NONBLOCK). */
	ssize_t (*read)(struct file *file, char *buf, size_t len, loff_t *pos);
	/* Optional, regular files whose data sits in a cache: read as read
	 * does, handing the bytes to sink s (umk/sink.h) out of the cache, so
	 * read(2) moves them into the guest without a bounce buffer. Bytes
	 * put (all flushed), or -errno (s's own error included). */
	ssize_t (*read_sink)(struct file *file, struct read_sink *s, size_t len,
			     loff_t *pos);
	ssize_t (*write)(struct file *file, const char *buf, size_t len,
			 loff_t *pos);
	/* Sockets: read(2)/readv(2) and write(2)/writev(2) as one call on
	 * the guest's iovecs (iov_base are guest addresses), so a datagram
	 * is one message whatever the vector. Used instead of read/write
	 * when set; read/write still serve kernel buffers (sendfile). */
	ssize_t (*read_iov)(struct file *file, const struct iovec *iov,
			    unsigned long nr);
	ssize_t (*write_iov)(struct file *file, const struct iovec *iov,
			     unsigned long nr);
	/* NULL: generic_file_llseek (SEEK_SET/CUR/END on i_size). */
	loff_t (*llseek)(struct file *file, loff_t off, int whence);
	int (*iterate)(struct file *file, struct dir_context *ctx);
	/* Readiness mask (POLLIN, POLLOUT, ...). When pt is not NULL, call
	 * poll_wait(file, wq, pt) for each wait queue an event would wake.
	 * NULL f_op->poll means always POLLIN|POLLOUT (regular files). */
	unsigned int (*poll)(struct file *file, struct poll_table *pt);
	/* ioctl: arg is the raw guest value (often a guest address: use
	 * UPTR(arg) with copy_*_user). -ENOTTY for unknown commands. */
	long (*ioctl)(struct file *file, unsigned int cmd, unsigned long arg);
	int (*fsync)(struct file *file, int datasync);
	/* O_ASYNC turned on (on = 1) or off on file, set through fd: add it
	 * to or remove it from the driver's fasync list (fasync_helper,
	 * umk/fasync.h). Optional: without it O_ASYNC sends nothing. */
	int (*fasync)(int fd, struct file *file, int on);
	/* mmap(2) of a device (kernel/mm.c calls it instead of the page
	 * cache's filemap_mmap): the guest address or -errno. Arguments as
	 * mmap's, len page aligned, MAP_FIXED ranges already checked. */
	long (*mmap)(struct file *file, unsigned long addr, unsigned long len,
		     unsigned long prot, unsigned long flags,
		     unsigned long off);
	unsigned int fop_flags;		/* FOP_* */
};
/* A character device whose read fills the whole count, as a regular
 * file's does (/dev/zero, /dev/urandom: Linux's read_iter loops), instead
 * of returning after one chunk as a stream; a signal ends it early. */
#define FOP_FULL_READ	0x1

struct super_operations {
	int (*statfs)(struct super_block *sb, struct kstatfs *buf);
	/* Write everything dirty to the device and flush it (wait != 0). */
	int (*sync_fs)(struct super_block *sb, int wait);
	/* Unmount: flush and free s_fs_info. */
	void (*put_super)(struct super_block *sb);
	/* Last reference to an inode dropped: free its private data, and when
	 * i_nlink == 0 free its blocks on disk (the file is gone). */
	void (*evict_inode)(struct inode *inode);
	/* Write inode attributes back (after setattr or timestamps). */
	int (*write_inode)(struct inode *inode);
};

struct inode {
	int i_count;			/* references (iget/ihold/iput) */
	struct super_block *i_sb;
	unsigned long i_ino;
	mode_t i_mode;			/* type and permission bits */
	uid_t i_uid;
	gid_t i_gid;
	unsigned int i_nlink;
	loff_t i_size;			/* bytes */
	uint64_t i_blocks;		/* 512-byte sectors */
	struct timespec i_atime, i_mtime, i_ctime;
	dev_t i_rdev;			/* for device nodes */
	unsigned int i_blkbits;		/* log2 of st_blksize */
	const struct inode_operations *i_op;
	const struct file_operations *i_fop;	/* copied into file->f_op */
	void *i_private;		/* owned by the filesystem */
	struct list_head i_sb_list;	/* in i_sb->s_inodes (inode cache) */
	struct pipe_inode_info *i_pipe;	/* FIFOs and pipes */
	struct page_cache *i_cache;	/* while guest-mapped (filemap.c) */
	struct file_lock_context *i_flctx;	/* advisory locks (locks.c) */
	struct inotify_watch *i_fsnotify_marks;	/* its watches (inotify.c) */
	/* Access ACL cache (posix_acl.c): valid when i_acl_cached; NULL
	 * then means no ACL. Freed by iput. */
	bool i_acl_cached;
	struct posix_acl *i_acl;
};

struct dentry {
	int d_count;			/* references (dget/dput) */
	char *d_name;			/* kmalloc'ed, NUL-terminated */
	unsigned int d_len;
	struct dentry *d_parent;	/* itself for a root */
	struct inode *d_inode;		/* holds one inode reference */
	struct super_block *d_sb;
	struct list_head d_child;	/* in d_parent->d_subdirs */
	struct list_head d_subdirs;	/* cached children */
	unsigned int d_flags;		/* DCACHE_* */
	int d_mounted;			/* mounts on this dentry */
};
#define DCACHE_UNHASHED 0x1		/* deleted: not found by lookup */

struct super_block {
	dev_t s_dev;
	unsigned long s_blocksize;	/* bytes */
	unsigned long s_magic;		/* statfs f_type */
	unsigned long s_flags;		/* MS_RDONLY, ... */
	struct file_system_type *s_type;
	const struct super_operations *s_op;
	struct dentry *s_root;
	void *s_fs_info;		/* owned by the filesystem */
	struct list_head s_inodes;	/* in-core inodes (the inode cache) */
	int s_active;			/* mounts using it */
	struct mutex s_lock;		/* the filesystem's sleeping lock */
	char s_id[32];			/* device name for messages */
	unsigned int s_xattr;		/* XATTR_NS_* held (umk/xattr.h) */
};

struct vfsmount {
	struct dentry *mnt_root;	/* root of the mounted tree */
	struct super_block *mnt_sb;
	struct vfsmount *mnt_parent;	/* itself for the root mount */
	struct dentry *mnt_mountpoint;	/* in mnt_parent */
	int mnt_flags;			/* MNT_READONLY, MNT_NOSUID, ... */
	int mnt_count;
	char *mnt_devname;		/* for /proc/mounts */
	struct list_head mnt_list;	/* in the global mount list, in order */
};
#define MNT_READONLY	0x1
#define MNT_NOSUID	0x2
#define MNT_NODEV	0x4
#define MNT_NOEXEC	0x8

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct file {
	int f_count;
	struct path f_path;
	struct inode *f_inode;
	const struct file_operations *f_op;
	unsigned int f_flags;		/* O_* flags as given to open */
	unsigned int f_mode;		/* FMODE_READ | FMODE_WRITE */
	loff_t f_pos;
	void *private_data;
	/* O_ASYNC owner (F_SETOWN): pid > 0 a process, < 0 a process group. */
	pid_t f_owner;
	uid_t f_owner_uid, f_owner_euid;	/* who set f_owner (sigio_perm) */
	int f_owner_sig;		/* F_SETSIG, 0 = SIGIO */
	struct cred *f_cred;		/* opener's credentials */
	struct epitem *f_ep;		/* epoll items watching it (eventpoll.c) */
};
#define FMODE_READ	0x1
#define FMODE_WRITE	0x2

struct file_system_type {
	const char *name;
	int fs_flags;			/* FS_REQUIRES_DEV */
	/* Fill sb (s_op, s_root, s_magic, s_blocksize) for a mount of dev_name
	 * (for FS_REQUIRES_DEV: sb->s_dev is the block device already found)
	 * with data (the mount option string, or NULL). flags: MS_RDONLY.
	 * -EINVAL when the device holds no such filesystem. */
	int (*fill_super)(struct super_block *sb, const char *dev_name,
			  void *data, int flags);
	struct file_system_type *next;
};
#define FS_REQUIRES_DEV 1

/* Filesystem registry (filesystems.c): /proc/filesystems, mount -t. */
int register_filesystem(struct file_system_type *fs);
struct file_system_type *get_fs_type(const char *name);
/* Writes /proc/filesystems text into buf; returns its length. */
size_t list_filesystems(char *buf, size_t len);

/* Inode cache (inode.c). */
/* A new in-core inode of sb with i_count 1, on sb->s_inodes; ino 0 means
 * the caller sets i_ino. Returns NULL on -ENOMEM. */
struct inode *new_inode(struct super_block *sb);
/* The cached inode ino of sb with a new reference, or NULL. */
struct inode *ilookup(struct super_block *sb, unsigned long ino);
void ihold(struct inode *inode);
/* Drop a reference; at zero: s_op->evict_inode and free. */
void iput(struct inode *inode);
/* Set i_atime/i_mtime/i_ctime to now (current_time). */
struct timespec current_time(void);
void inode_init_owner(struct inode *inode, struct inode *dir, mode_t mode);
/* Mark attributes changed: calls s_op->write_inode if there is one. */
void mark_inode_dirty(struct inode *inode);

/* Dentries (dcache.c). */
struct dentry *dget(struct dentry *d);
void dput(struct dentry *d);
/* A root dentry for sb holding inode (reference passed in). */
struct dentry *d_make_root(struct inode *inode);

/* Mounts (namespace.c). */
extern struct vfsmount *root_mnt;
struct vfsmount *mntget(struct vfsmount *m);
void mntput(struct vfsmount *m);
void path_get(const struct path *p);
void path_put(const struct path *p);
/* For each mount, in mount order: /proc/mounts. */
#define for_each_mount(m) list_for_each_entry(m, &mount_list, mnt_list)
extern struct list_head mount_list;
/* The absolute path of p as seen from root (d_path); returns its length or
 * -ENAMETOOLONG. A deleted entry gets " (deleted)" appended, as Linux. */
long d_path(const struct path *p, const struct path *root, char *buf,
	    size_t size);
/* Mount fstype from dev_name on the directory at mountpoint (do_mount). */
int do_mount(const char *dev_name, const struct path *mountpoint,
	     const char *fstype, unsigned long flags, void *data);

/* Path walk (namei.c). Flags: */
#define LOOKUP_FOLLOW		0x1	/* follow a final symlink */
#define LOOKUP_DIRECTORY	0x2	/* final component must be a dir */
#define LOOKUP_EMPTY		0x4	/* "" names dfd itself (AT_EMPTY_PATH) */
/* Resolve name relative to dfd (AT_FDCWD or a directory fd) with the
 * current task's root and credentials (search permission on every
 * directory, symlinks up to 40, ".." across mounts, never above the root).
 * On success *res holds references. Errors: -ENOENT, -ENOTDIR, -EACCES,
 * -ELOOP, -ENAMETOOLONG, -EBADF (dfd), -ENOTDIR (dfd not a directory). */
int kern_path_at(int dfd, const char *name, unsigned int flags,
		 struct path *res);
/* Resolve all but the last component: *parent gets the directory (with
 * references), *last points into name (not copied; NUL-terminated, no
 * trailing slashes kept in len; *trailing_slash tells if any). "/" and
 * names ending in "." or ".." give -EEXIST/-EBUSY as Linux (last->len 0:
 * the caller decides). */
int kern_path_parent(int dfd, const char *name, struct path *parent,
		     struct qstr *last, bool *trailing_slash);
/* Lookup of one component in a directory the caller resolved: a dentry
 * with a reference (d_inode NULL: negative, the name does not exist), or
 * ERR_PTR. Goes through the dcache. Does not cross mounts. */
struct dentry *lookup_one(struct dentry *dir, const struct qstr *name);
/* After a successful create/mkdir/mknod/symlink/link on dentry d (negative),
 * make it positive with inode (reference passed in). */
void d_instantiate(struct dentry *d, struct inode *inode);
/* After unlink/rmdir of d: unhash it (it stays valid for holders). */
void d_delete(struct dentry *d);
/* After rename: move d under newdir with newname. */
void d_move(struct dentry *d, struct dentry *newdir, const struct qstr *newname);
/* May the current task access inode with mask (MAY_READ 4, MAY_WRITE 2,
 * MAY_EXEC 1)? 0 or -EACCES (mode bits, owner/group/other, root override:
 * root may read/write anything and exec if any x bit is set). */
int inode_permission(struct inode *inode, int mask);
#define MAY_EXEC 1
#define MAY_WRITE 2
#define MAY_READ 4
/* -EROFS if the mount or superblock is read-only. */
int mnt_want_write(struct vfsmount *m);

/* Open files (open.c, file_table.c). */
/* Open the file at path with O_* flags (permission checks, O_TRUNC, f_op->open);
 * returns a file with one reference or ERR_PTR. */
struct file *dentry_open(const struct path *path, unsigned int flags);
/* open(2) in full on a kernel path string: O_CREAT, O_EXCL, O_TRUNC,
 * O_NOFOLLOW, O_DIRECTORY, O_PATH. mode before umask. */
struct file *do_filp_open(int dfd, const char *name, unsigned int flags,
			  mode_t mode);
/* A file with no path (pipes, anonymous): f_op given, inode referenced. */
struct file *alloc_file(struct inode *inode, const struct file_operations *fop,
			unsigned int flags);
struct file *get_file(struct file *f);
void fput(struct file *f);
ssize_t kernel_read(struct file *f, void *buf, size_t len, loff_t *pos);
ssize_t kernel_write(struct file *f, const void *buf, size_t len, loff_t *pos);
loff_t generic_file_llseek(struct file *f, loff_t off, int whence);
/* stat(2) fields from an inode. */
void generic_fillattr(struct inode *inode, struct stat *st);

/* File descriptor table (file_table.c): Linux struct files_struct. */
struct fdtable_entry {
	struct file *file;
	bool cloexec;
};
struct files_struct {
	int count;			/* tasks sharing it (CLONE_FILES) */
	int max_fds;			/* entries allocated in fd */
	struct fdtable_entry *fd;
};
/* The file at fd with a new reference, or NULL (-EBADF to the caller). */
struct file *fget(int fd);
/* Install file at the lowest free fd >= minfd, within RLIMIT_NOFILE; takes
 * over the caller's reference. Returns the fd or -EMFILE. */
int get_unused_fd_install(struct file *file, int minfd, bool cloexec);
/* Put file at fd (dup2): an old file there is closed. */
int replace_fd(int fd, struct file *file, bool cloexec);
int close_fd(int fd);
struct files_struct *dup_fd(struct files_struct *old);
void put_files_struct(struct files_struct *files);
/* Close every O_CLOEXEC fd (execve). */
void do_close_on_exec(struct files_struct *files);
/* The file at fd without taking a reference, or NULL. */
struct file *fcheck(int fd);
/* FD_CLOEXEC of fd (0/1) or -EBADF; set it: 0 or -EBADF. */
int get_close_on_exec(int fd);
int set_close_on_exec(int fd, bool on);
struct files_struct *alloc_files(void);

/* Per task filesystem context (Linux struct fs_struct). */
struct fs_struct {
	int users;
	struct path root, pwd;
	mode_t umask;
};
struct fs_struct *copy_fs_struct(struct fs_struct *old);
void put_fs_struct(struct fs_struct *fs);

/* poll support (select.c). */
struct poll_table {
	void (*qproc)(struct file *file, struct wait_queue_head *wq,
		      struct poll_table *pt);
};
static inline void poll_wait(struct file *file, struct wait_queue_head *wq,
			     struct poll_table *pt)
{
	if (pt && pt->qproc && wq)
		pt->qproc(file, wq, pt);
}

/* Sync every mounted filesystem and block device (sync(2), shutdown). */
void ksys_sync(void);

/* Character and block devices of devfs: the f_op for a device number, or
 * NULL (-ENXIO). Registered by the drivers (mem, tty, ubd). */
const struct file_operations *get_chrdev_fops(dev_t dev);
const struct file_operations *get_blkdev_fops(dev_t dev);
/* Open of a device node: sets file->f_op from the device number. */
int init_special_inode_open(struct inode *inode, struct file *file);


/* Device registry (kernel/drivers/devices.c): drivers register the f_op
 * of a major number at boot; /proc/devices lists them. 0 or -EBUSY. */
int register_chrdev(unsigned int major, const char *name,
		    const struct file_operations *fops);
int register_blkdev(unsigned int major, const char *name,
		    const struct file_operations *fops);
size_t list_devices(char *buf, size_t len);

/* Hot-plugged device nodes in devtmpfs (kernel/fs/devfs.c, Linux
 * drivers/base/devtmpfs.c): make or remove /dev/NAME in the devtmpfs
 * instance, if one is mounted (else nothing to do: its first mount makes
 * the nodes of every configured device). Removing a node that is absent
 * is not an error. 0 or -errno. */
int devtmpfs_create_node(const char *name, mode_t mode, dev_t dev);
int devtmpfs_delete_node(const char *name);

/* FIFOs and pipes (kernel/fs/pipe.c): the f_op that open() of a FIFO inode
 * uses; it allocates inode->i_pipe on first open. */
extern const struct file_operations fifo_fops;
/* F_GETPIPE_SZ: the buffer size in bytes of a pipe or FIFO file, or -EBADF
 * if f is not one. */
long pipe_fcntl_size(struct file *f);

#endif
