/*
 * Interfaces shared by the VFS core files in kernel/fs/ that the
 * rest of the kernel does not need, plus the boot-time entry points
 * (mount_root, set_fs_root_pwd) that start_kernel calls.
 * Semantics follow Linux fs/internal.h and fs/namei.c.
 */
#ifndef UMK_FS_INTERNAL_H
#define UMK_FS_INTERNAL_H

#include <umk/fs.h>
#include <sys/mount.h>

#define MAXSYMLINKS	40	/* symlinks followed in one path walk */
#define NAME_MAX_VFS	255	/* longest path component */
#define PATH_MAX_VFS	4096	/* getname() buffer, NUL included */
#define S_IRWXUGO	0777
#define S_IALLUGO	07777

/* The kernel's O_LARGEFILE: glibc defines it as 0 on x86-64, but the
 * kernel sets 0100000 in f_flags of every open file (F_GETFL shows it). */
#define KO_LARGEFILE	0100000

/* --- boot (namespace.c, open.c) --- */

/*
 * Mount the root filesystem from dev_name ("/dev/ubda", "ubda", "98:0")
 * with fstype (NULL: try ext4, ext3, ext2) and MS_* flags. When no type
 * mounts read-write (-EACCES: read-only device, -EROFS: the filesystem
 * refuses writing, -EINVAL), all are retried read-only, as Linux
 * mount_block_root. Logs "VFS: Mounted
 * root (ext4 filesystem) on device 98:0." and sets root_mnt; if current or
 * init_task already has an fs_struct, its root and pwd are set too.
 * Returns 0 or -errno (after a "VFS: Cannot open root device" line).
 */
int mount_root(const char *dev_name, const char *fstype, unsigned long flags);
/* Point fs->root and fs->pwd at the root of root_mnt (references taken,
 * old ones dropped). 0, or -ENOENT when no root is mounted yet. */
int set_fs_root_pwd(struct fs_struct *fs);
/* A new fs_struct (users 1, umask 022) at the root of root_mnt, or NULL. */
struct fs_struct *alloc_init_fs_struct(void);

/* --- dcache.c --- */

/* d_flags of the dentries of pseudo files (pipes...): d_path is the name
 * alone, "pipe:[ino]", as Linux d_dname. */
#define DCACHE_PSEUDO	0x100

/* A new hashed negative dentry name in parent (parent referenced by it),
 * or NULL on -ENOMEM. */
struct dentry *d_alloc(struct dentry *parent, const struct qstr *name);
/* The cached dentry name in parent with a new reference, or NULL. */
struct dentry *d_lookup(struct dentry *parent, const struct qstr *name);
static inline bool d_unhashed(const struct dentry *d)
{
	return d->d_flags & DCACHE_UNHASHED;
}
static inline bool d_is_root(const struct dentry *d)
{
	return d->d_parent == d;
}
static inline bool d_is_dir(const struct dentry *d)
{
	return d->d_inode && S_ISDIR(d->d_inode->i_mode);
}
/* The name of d as a qstr (NUL-terminated, valid while d is referenced and
 * not moved). */
static inline struct qstr d_qstr(const struct dentry *d)
{
	return (struct qstr){ .name = d->d_name, .len = d->d_len };
}
/* True when anc is d or one of d's ancestors (within one filesystem). */
bool is_subdir(struct dentry *d, struct dentry *anc);
/* Free every unused dentry of sb's tree (umount). */
void shrink_dcache_sb(struct super_block *sb);

/* --- namei.c --- */

/*
 * Directory modifications (create, link, unlink, rename...) run under this
 * one sleeping lock, from the lookup of the last component to the dcache
 * update, so that two tasks never change one name at once (Linux uses the
 * directory's i_rwsem). Path walks do not take it. Never held across an
 * open that may sleep for long (FIFOs).
 */
void lock_dir(void);
void unlock_dir(void);

/* May the current task delete victim (a dentry of dir)? isdir: victim must
 * be a directory. 0 or -errno (Linux may_delete). */
int may_delete(struct inode *dir, struct dentry *victim, bool isdir);
/* May the current task create a name in the directory dentry dir? */
int may_create(struct dentry *dir);
/* Is current the owner of inode, or root (inode_owner_or_capable)? */
bool inode_owner_or_capable(const struct inode *inode);
/* Root for the filesystem checks (CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_CHOWN,
 * CAP_MKNOD): fsuid 0, as Linux drops the fs capabilities with fsuid. */
bool fs_capable(void);

/* Was the last component "." or ".."? (kern_path_parent results) */
static inline bool qstr_is_dot(const struct qstr *q)
{
	return q->len == 1 && q->name[0] == '.';
}
static inline bool qstr_is_dotdot(const struct qstr *q)
{
	return q->len == 2 && q->name[0] == '.' && q->name[1] == '.';
}

/* Descend into whatever is mounted on path (repeatedly), dropping and
 * taking references. */
void follow_mount(struct path *path);
/* The last vfsmount mounted on dentry inside mnt, or NULL (no reference). */
struct vfsmount *lookup_mnt(struct vfsmount *mnt, struct dentry *dentry);

/* mknod(2) on a kernel path name (for unix socket bind, mkfifo...). */
int do_mknodat(int dfd, const char *name, mode_t mode, dev_t dev);
/*
 * The path open(2) opens (Linux path_openat): without O_CREAT a plain walk;
 * with it the last component is created when absent (*created set), a
 * final symlink is followed to its target, which is created when dangling.
 * mode is before umask. The caller checks access to an existing file.
 */
int path_lookup_open(int dfd, const char *name, unsigned int flags,
		     mode_t mode, struct path *res, bool *created);

/* --- namespace.c --- */

static inline bool path_equal(const struct path *a, const struct path *b)
{
	return a->mnt == b->mnt && a->dentry == b->dentry;
}
/*
 * d_path with the reachability reported: *unreachable is set when p is not
 * below root (the path is then the one from p's own topmost mount).
 * Writes a NUL-terminated string at the start of buf; returns its length
 * or -ENAMETOOLONG. No " (deleted)" suffix.
 */
long __d_path(const struct path *p, const struct path *root, char *buf,
	      size_t size, bool *unreachable);
/*
 * A path for a file that lives on no mounted filesystem (Linux
 * alloc_file_pseudo): an unhashed DCACHE_PSEUDO dentry named after inode
 * ("pipe:[ino]", "socket:[ino]", "anon_inode:[...]") holding its own
 * reference on inode, on an internal mount that is in no mount list.
 * 0 or -ENOMEM.
 */
int alloc_pseudo_path(struct inode *inode, struct path *res);
/* The same with the dentry's name given ("anon_inode:[eventfd]"). */
int alloc_pseudo_path_name(struct inode *inode, const char *name,
			   struct path *res);
/* Is the superblock read-only? */
static inline bool sb_rdonly(const struct super_block *sb)
{
	return sb && (sb->s_flags & MS_RDONLY);
}
/*
 * An internal mount of fstype that is in no mount tree (Linux kern_mount):
 * the kernel's own view of procfs for the mconsole's `proc`. One reference;
 * mntput releases it. ERR_PTR(-ENODEV, -ENOMEM, the fill_super error).
 */
struct vfsmount *kern_mount(const char *fstype);
/* Call fn for every live superblock (sync). */
void iterate_supers(void (*fn)(struct super_block *sb, void *arg), void *arg);

/* --- open.c, attr.c --- */

/*
 * Open a program for execve (Linux do_open_execat): a regular file on a
 * mount without MNT_NOEXEC, with execute permission; read permission is
 * not needed. The file is open for reading. ERR_PTR(-EACCES...) otherwise.
 */
struct file *open_exec(const char *name);
/* fget() that refuses O_PATH files (Linux fdget): NULL means -EBADF. */
struct file *fget_no_path(int fd);
/* Change attributes of inode after the caller's checks (Linux
 * notify_change): ctime set to now, then i_op->setattr. */
int notify_change(struct dentry *dentry, struct iattr *attr);
/* Truncate inode to length (permission checks done by the caller); a
 * non-root caller's truncate clears setuid/setgid as Linux. */
int do_truncate(struct dentry *dentry, loff_t length);
/* The fd table entry of fd in the current task, or NULL if fd is not open. */
struct fdtable_entry *fd_entry(int fd);

#endif
