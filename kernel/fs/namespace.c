/*
 * Mounts and superblocks: the mount tree (mount_list, root_mnt), reference
 * counts on mounts and paths, d_path, mount(2), umount2(2), and the boot
 * time mount of the root filesystem. Model: Linux fs/namespace.c,
 * fs/super.c, fs/d_path.c and init/do_mounts.c, with one mount namespace
 * and private propagation only.
 *
 * References on a vfsmount: one for being in the tree (dropped by umount),
 * one per struct path that names it (fs_struct root/pwd, open files, path
 * walks), one per child mount (its mnt_parent). umount is refused with
 * -EBUSY while anything but the tree and the caller holds it.
 */
#include <umk/fs.h>
#include <umk/syscalls.h>
#include <umk/uaccess.h>
#include <umk/ubd.h>
#include <string.h>
#include <stdio.h>
#include <sys/sysmacros.h>
#include <umk/fsnotify.h>
#include "internal.h"

struct vfsmount *root_mnt;
LIST_HEAD(mount_list);

/* A superblock and its place in super_list (every live superblock). */
struct super_entry {
	struct super_block sb;
	struct list_head s_list;
};
static LIST_HEAD(super_list);

/* Anonymous device numbers (major 0) of the nodev filesystems. */
#define ANON_DEV_MAX 256
static bool anon_dev_used[ANON_DEV_MAX];

/* Filesystems that have one superblock however often they are mounted, as
 * Linux proc (per pid namespace), devtmpfs and sysfs. */
static const char *const single_instance_fs[] = { "proc", "devtmpfs", "sysfs",
						  "devpts" };

struct vfsmount *mntget(struct vfsmount *m)
{
	if (m)
		m->mnt_count++;
	return m;
}

static void deactivate_super(struct super_block *sb);

/* Drop a reference; the last one (only possible once the mount left the
 * tree) frees the mount and releases its superblock. */
void mntput(struct vfsmount *m)
{
	if (!m || --m->mnt_count > 0)
		return;
	if (m->mnt_parent == m)
		dput(m->mnt_mountpoint);
	dput(m->mnt_root);
	deactivate_super(m->mnt_sb);
	kfree(m->mnt_devname);
	kfree(m);
}

void path_get(const struct path *p)
{
	mntget(p->mnt);
	dget(p->dentry);
}

void path_put(const struct path *p)
{
	dput(p->dentry);
	mntput(p->mnt);
}

int mnt_want_write(struct vfsmount *m)
{
	if (!m)
		return 0;
	if ((m->mnt_flags & MNT_READONLY) || sb_rdonly(m->mnt_sb))
		return -EROFS;
	return 0;
}

struct vfsmount *lookup_mnt(struct vfsmount *mnt, struct dentry *dentry)
{
	struct vfsmount *m, *found = NULL;

	list_for_each_entry(m, &mount_list, mnt_list) {
		if (m != mnt && m->mnt_parent == mnt &&
		    m->mnt_mountpoint == dentry)
			found = m;
	}
	return found;
}

void follow_mount(struct path *path)
{
	while (path->dentry->d_mounted > 0) {
		struct vfsmount *m = lookup_mnt(path->mnt, path->dentry);

		if (!m)
			return;
		mntget(m);
		dget(m->mnt_root);
		path_put(path);
		path->mnt = m;
		path->dentry = m->mnt_root;
	}
}

/* --- d_path --- */

static int prepend(char **s, char *start, const char *str, size_t len)
{
	if ((size_t)(*s - start) < len)
		return -ENAMETOOLONG;
	*s -= len;
	memcpy(*s, str, len);
	return 0;
}

long __d_path(const struct path *p, const struct path *root, char *buf,
	      size_t size, bool *unreachable)
{
	struct dentry *d = p->dentry;
	struct vfsmount *mnt = p->mnt;
	char *end = buf + size, *s = end;
	int err;

	*unreachable = false;
	if (!d || !mnt)
		return -ENOENT;
	err = prepend(&s, buf, "", 1);
	while (!err && !(d == root->dentry && mnt == root->mnt)) {
		if (d == mnt->mnt_root || d_is_root(d)) {
			if (mnt->mnt_parent == mnt) {
				*unreachable = true;
				break;
			}
			d = mnt->mnt_mountpoint;
			mnt = mnt->mnt_parent;
			continue;
		}
		err = prepend(&s, buf, d->d_name, d->d_len);
		if (!err)
			err = prepend(&s, buf, "/", 1);
		d = d->d_parent;
	}
	if (!err && s == end - 1)
		err = prepend(&s, buf, "/", 1);
	if (err)
		return err;
	memmove(buf, s, end - s);
	return end - s - 1;
}

long d_path(const struct path *p, const struct path *root, char *buf,
	    size_t size)
{
	static const char deleted[] = " (deleted)";
	bool unreachable;
	long len;

	if (p->dentry && (p->dentry->d_flags & DCACHE_PSEUDO)) {
		if (p->dentry->d_len >= size)
			return -ENAMETOOLONG;
		memcpy(buf, p->dentry->d_name, p->dentry->d_len + 1);
		return p->dentry->d_len;
	}
	len = __d_path(p, root, buf, size, &unreachable);
	if (len < 0 || !d_unhashed(p->dentry))
		return len;
	if (len + sizeof(deleted) > size)
		return -ENAMETOOLONG;
	memcpy(buf + len, deleted, sizeof(deleted));
	return len + sizeof(deleted) - 1;
}

/* --- pseudo files --- */

/* The internal mount of pseudo files: one root, never in mount_list. */
static struct super_block pseudo_sb = {
	.s_inodes = LIST_HEAD_INIT(pseudo_sb.s_inodes),
	.s_blocksize = PAGE_SIZE,
	.s_id = "pseudo",
};
static struct vfsmount *pseudo_mnt;

static int pseudo_mount(void)
{
	struct inode *root;
	struct vfsmount *m;

	root = new_inode(&pseudo_sb);
	if (!root)
		return -ENOMEM;
	root->i_mode = S_IFDIR | 0500;
	root->i_ino = 1;
	pseudo_sb.s_root = d_make_root(root);
	m = kzalloc(sizeof(*m));
	if (!pseudo_sb.s_root || !m) {
		dput(pseudo_sb.s_root);
		pseudo_sb.s_root = NULL;
		kfree(m);
		return -ENOMEM;
	}
	m->mnt_sb = &pseudo_sb;
	m->mnt_root = dget(pseudo_sb.s_root);
	m->mnt_parent = m;
	m->mnt_mountpoint = dget(pseudo_sb.s_root);
	m->mnt_count = 1;
	INIT_LIST_HEAD(&m->mnt_list);
	pseudo_mnt = m;
	return 0;
}

int alloc_pseudo_path(struct inode *inode, struct path *res)
{
	char name[48];

	if (S_ISFIFO(inode->i_mode))
		snprintf(name, sizeof(name), "pipe:[%lu]", inode->i_ino);
	else if (S_ISSOCK(inode->i_mode))
		snprintf(name, sizeof(name), "socket:[%lu]", inode->i_ino);
	else
		snprintf(name, sizeof(name), "anon_inode:[%lu]", inode->i_ino);
	return alloc_pseudo_path_name(inode, name, res);
}

int alloc_pseudo_path_name(struct inode *inode, const char *name,
			   struct path *res)
{
	struct qstr q = { .name = name, .len = strlen(name) };
	struct dentry *d;

	if (!pseudo_mnt && pseudo_mount())
		return -ENOMEM;
	d = d_alloc(pseudo_sb.s_root, &q);
	if (!d)
		return -ENOMEM;
	d_delete(d);
	d->d_flags |= DCACHE_PSEUDO;
	ihold(inode);
	d_instantiate(d, inode);
	res->mnt = mntget(pseudo_mnt);
	res->dentry = d;
	return 0;
}

/* --- superblocks --- */

static dev_t get_anon_dev(void)
{
	for (int i = 1; i < ANON_DEV_MAX; i++) {
		if (!anon_dev_used[i]) {
			anon_dev_used[i] = true;
			return makedev(0, i);
		}
	}
	return 0;
}

static void free_anon_dev(dev_t dev)
{
	if (major(dev) == 0 && minor(dev) < ANON_DEV_MAX)
		anon_dev_used[minor(dev)] = false;
}

void iterate_supers(void (*fn)(struct super_block *sb, void *arg), void *arg)
{
	struct super_entry *e;

	list_for_each_entry(e, &super_list, s_list)
		fn(&e->sb, arg);
}

static bool is_single_instance(const struct file_system_type *type)
{
	for (size_t i = 0; i < ARRAY_SIZE(single_instance_fs); i++) {
		if (strcmp(type->name, single_instance_fs[i]) == 0)
			return true;
	}
	return false;
}

/* A live superblock of type (on dev for block filesystems), or NULL. */
static struct super_block *find_super(struct file_system_type *type, dev_t dev)
{
	struct super_entry *e;

	list_for_each_entry(e, &super_list, s_list) {
		if (type->fs_flags & FS_REQUIRES_DEV) {
			if (e->sb.s_dev == dev &&
			    (e->sb.s_type->fs_flags & FS_REQUIRES_DEV))
				return &e->sb;
		} else if (e->sb.s_type == type) {
			return &e->sb;
		}
	}
	return NULL;
}

/*
 * Last reference to a superblock (its last mount went): write it back, free
 * its dentries and inodes, and let the filesystem go (put_super). A
 * superblock whose inodes are still in use is kept, never freed under them.
 */
static void deactivate_super(struct super_block *sb)
{
	struct super_entry *e = container_of(sb, struct super_entry, sb);

	if (--sb->s_active > 0)
		return;
	fsnotify_sb_delete(sb);
	if (sb->s_op && sb->s_op->sync_fs && !sb_rdonly(sb))
		sb->s_op->sync_fs(sb, 1);
	shrink_dcache_sb(sb);
	dput(sb->s_root);
	sb->s_root = NULL;
	if (sb->s_op && sb->s_op->put_super)
		sb->s_op->put_super(sb);
	list_del_init(&e->s_list);
	if (!list_empty(&sb->s_inodes)) {
		printk(KERN_ERR "VFS: Busy inodes after unmount of %s. "
		       "Self-destruct in 5 seconds.  Have a nice day...\n",
		       sb->s_id);
		return;
	}
	if (!(sb->s_type->fs_flags & FS_REQUIRES_DEV))
		free_anon_dev(sb->s_dev);
	kfree(e);
}

/* "/dev/ubda", "ubda", "/dev/ubd0", "98:0": the ubd device number. */
static int parse_ubd_name(const char *name, dev_t *dev)
{
	unsigned int maj, min, n;
	char extra;
	int used = 0;

	if (sscanf(name, "%u:%u%c", &maj, &min, &extra) == 2) {
		*dev = makedev(maj, min);
		return 0;
	}
	if (strncmp(name, "/dev/", 5) == 0)
		name += 5;
	if (strncmp(name, "ubd", 3) != 0 || !name[3])
		return -ENOENT;
	name += 3;
	if (name[0] >= 'a' && name[0] < 'a' + UBD_MAX_DEV && !name[1]) {
		n = name[0] - 'a';			/* ubda..ubdp */
	} else if (name[0] >= '0' && name[0] <= '9' &&
		   sscanf(name, "%u%n", &n, &used) == 1 && !name[used] &&
		   n < UBD_MAX_DEV && (name[0] != '0' || !name[1])) {
		;					/* ubd0..ubd15 */
	} else {
		return -ENOENT;
	}
	*dev = makedev(UBD_MAJOR, n << UBD_SHIFT);
	return 0;
}

/*
 * The block device named dev_name (Linux lookup_bdev): a block device node,
 * or a ubd name when no such node exists yet (the root mount at boot comes
 * before any /dev). -ENOTBLK, -EACCES (nodev mount), -ENXIO (no device).
 */
static int lookup_bdev(const char *dev_name, dev_t *dev)
{
	struct path path;
	int err;

	if (!dev_name || !*dev_name)
		return -ENOENT;
	err = kern_path_at(AT_FDCWD, dev_name, LOOKUP_FOLLOW, &path);
	if (!err) {
		struct inode *inode = path.dentry->d_inode;

		if (!S_ISBLK(inode->i_mode))
			err = -ENOTBLK;
		else if (path.mnt->mnt_flags & MNT_NODEV)
			err = -EACCES;
		else
			*dev = inode->i_rdev;
		path_put(&path);
		if (err)
			return err;
	} else if (parse_ubd_name(dev_name, dev)) {
		return err;
	}
	if (major(*dev) != UBD_MAJOR || !ubd_get_by_dev(*dev))
		return -ENXIO;
	return 0;
}

/*
 * The superblock for a new mount of type (Linux sget + fill_super): an
 * existing one when the device (or single-instance filesystem) is already
 * mounted, with s_active raised; else a new one filled by the filesystem.
 */
static struct super_block *get_super_for_mount(struct file_system_type *type,
					       const char *dev_name,
					       unsigned long flags, void *data)
{
	struct super_entry *e;
	struct super_block *sb;
	dev_t dev = 0;
	int err;

	if (type->fs_flags & FS_REQUIRES_DEV) {
		err = lookup_bdev(dev_name, &dev);
		if (err)
			return ERR_PTR(err);
	}
	if ((type->fs_flags & FS_REQUIRES_DEV) || is_single_instance(type)) {
		sb = find_super(type, dev);
		if (sb) {
			if (sb->s_type != type)
				return ERR_PTR(-EBUSY);
			if (sb_rdonly(sb) && !(flags & MS_RDONLY))
				return ERR_PTR(-EBUSY);
			sb->s_active++;
			return sb;
		}
	}
	if (type->fs_flags & FS_REQUIRES_DEV) {
		if (ubd_readonly(ubd_get_by_dev(dev)) && !(flags & MS_RDONLY))
			return ERR_PTR(-EACCES);
	} else {
		dev = get_anon_dev();
		if (!dev)
			return ERR_PTR(-EMFILE);
	}

	e = kzalloc(sizeof(*e));
	if (!e) {
		err = -ENOMEM;
		goto out_free_dev;
	}
	sb = &e->sb;
	sb->s_dev = dev;
	sb->s_type = type;
	sb->s_flags = flags & (MS_RDONLY | MS_SYNCHRONOUS | MS_DIRSYNC |
			       MS_NOATIME | MS_NODIRATIME);
	sb->s_active = 1;
	INIT_LIST_HEAD(&sb->s_inodes);
	mutex_init(&sb->s_lock);
	if (type->fs_flags & FS_REQUIRES_DEV)
		snprintf(sb->s_id, sizeof(sb->s_id), "ubd%c",
			 'a' + (minor(dev) >> UBD_SHIFT));
	else
		snprintf(sb->s_id, sizeof(sb->s_id), "%s", type->name);
	err = type->fill_super(sb, dev_name, data, (int)flags);
	if (!err && !sb->s_root)
		err = -EINVAL;
	if (err)
		goto out_free_sb;
	if (!sb->s_blocksize)
		sb->s_blocksize = PAGE_SIZE;
	list_add_tail(&e->s_list, &super_list);
	return sb;

out_free_sb:
	kfree(e);
out_free_dev:
	if (!(type->fs_flags & FS_REQUIRES_DEV))
		free_anon_dev(dev);
	return ERR_PTR(err);
}

struct vfsmount *kern_mount(const char *fstype)
{
	struct file_system_type *type = get_fs_type(fstype);
	struct super_block *sb;
	struct vfsmount *m;

	if (!type)
		return ERR_PTR(-ENODEV);
	sb = get_super_for_mount(type, fstype, 0, NULL);
	if (IS_ERR(sb))
		return (struct vfsmount *)sb;
	m = kzalloc(sizeof(*m));
	if (m)
		m->mnt_devname = kstrdup(fstype);
	if (!m || !m->mnt_devname) {
		kfree(m);
		deactivate_super(sb);
		return ERR_PTR(-ENOMEM);
	}
	m->mnt_sb = sb;
	m->mnt_root = dget(sb->s_root);
	m->mnt_parent = m;
	m->mnt_mountpoint = dget(m->mnt_root);
	m->mnt_count = 1;
	INIT_LIST_HEAD(&m->mnt_list);
	return m;
}

static int ms_to_mnt_flags(unsigned long flags)
{
	int f = 0;

	if (flags & MS_RDONLY)
		f |= MNT_READONLY;
	if (flags & MS_NOSUID)
		f |= MNT_NOSUID;
	if (flags & MS_NODEV)
		f |= MNT_NODEV;
	if (flags & MS_NOEXEC)
		f |= MNT_NOEXEC;
	return f;
}

/*
 * Put a new mount of sb on mountpoint (NULL: the root mount). Takes over the
 * caller's s_active reference.
 */
static int attach_new_mount(struct super_block *sb, const char *dev_name,
			    const struct path *mountpoint, unsigned long flags)
{
	struct vfsmount *m = kzalloc(sizeof(*m));

	if (m)
		m->mnt_devname = kstrdup(dev_name ? dev_name : "none");
	if (!m || !m->mnt_devname) {
		kfree(m);
		deactivate_super(sb);
		return -ENOMEM;
	}
	m->mnt_sb = sb;
	m->mnt_root = dget(sb->s_root);
	m->mnt_count = 1;
	m->mnt_flags = ms_to_mnt_flags(flags);
	if (mountpoint) {
		m->mnt_parent = mntget(mountpoint->mnt);
		m->mnt_mountpoint = dget(mountpoint->dentry);
		mountpoint->dentry->d_mounted++;
	} else {
		m->mnt_parent = m;
		m->mnt_mountpoint = dget(m->mnt_root);
		root_mnt = m;
	}
	list_add_tail(&m->mnt_list, &mount_list);
	return 0;
}

/*
 * MS_REMOUNT: the per-mount flags change; the superblock's read-only state
 * cannot change yet (-EINVAL), since umk cannot tell whether files are open
 * for writing and the filesystems have no remount method.
 */
static int do_remount(const struct path *path, unsigned long flags)
{
	struct vfsmount *m = path->mnt;

	if (path->dentry != m->mnt_root)
		return -EINVAL;
	if (!(flags & MS_BIND) && !!(flags & MS_RDONLY) != sb_rdonly(m->mnt_sb))
		return -EINVAL;
	m->mnt_flags = ms_to_mnt_flags(flags);
	return 0;
}

/*
 * Mount fstype from dev_name on mountpoint (NULL only for the root mount at
 * boot). MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC apply; MS_REMOUNT changes
 * per-mount flags only; propagation flags are accepted (every mount is
 * private); MS_BIND and MS_MOVE are -EINVAL for now.
 */
int do_mount(const char *dev_name, const struct path *mountpoint,
	     const char *fstype, unsigned long flags, void *data)
{
	struct file_system_type *type;
	struct super_block *sb;

	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MSK;
	if (flags & MS_REMOUNT)
		return mountpoint ? do_remount(mountpoint, flags) : -EINVAL;
	if (flags & (MS_BIND | MS_MOVE))
		return -EINVAL;
	if (flags & (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE))
		return 0;
	if (!fstype)
		return -EINVAL;
	type = get_fs_type(fstype);
	if (!type)
		return -ENODEV;
	if (mountpoint) {
		if (!d_is_dir(mountpoint->dentry))
			return -ENOTDIR;
		if (d_unhashed(mountpoint->dentry))
			return -ENOENT;
	} else if (root_mnt) {
		return -EBUSY;
	}
	sb = get_super_for_mount(type, dev_name, flags, data);
	if (IS_ERR(sb))
		return PTR_ERR(sb);
	return attach_new_mount(sb, dev_name, mountpoint, flags);
}

/* Copy a mount(2) string argument; NULL stays NULL. */
static char *copy_mount_string(struct uptr p)
{
	char *s;
	long len;

	if (uptr_null(p))
		return NULL;
	s = kmalloc(PAGE_SIZE);
	if (!s)
		return ERR_PTR(-ENOMEM);
	len = strncpy_from_user(s, p, PAGE_SIZE);
	if (len < 0) {
		kfree(s);
		return ERR_PTR(len == -ENAMETOOLONG ? -EINVAL : len);
	}
	return s;
}

SYSCALL_DEFINE5(mount, struct uptr, dev_name, struct uptr, dir_name, struct uptr, type, unsigned long, flags, struct uptr, data)
{
	char *kdev, *ktype, *kdata, *kdir;
	struct path path;
	long err;

	kdev = copy_mount_string(dev_name);
	if (IS_ERR(kdev))
		return PTR_ERR(kdev);
	ktype = copy_mount_string(type);
	err = PTR_ERR(ktype);
	if (IS_ERR(ktype))
		goto out_free_dev;
	kdata = copy_mount_string(data);
	err = PTR_ERR(kdata);
	if (IS_ERR(kdata))
		goto out_free_type;
	kdir = getname(dir_name);
	err = PTR_ERR(kdir);
	if (IS_ERR(kdir))
		goto out_free_data;

	err = kern_path_at(AT_FDCWD, kdir, LOOKUP_FOLLOW, &path);
	if (err)
		goto out_free_dir;
	if (!capable(current->cred))
		err = -EPERM;
	else
		err = do_mount(kdev, &path, ktype, flags, kdata);
	path_put(&path);
out_free_dir:
	kfree(kdir);
out_free_data:
	kfree(kdata);
out_free_type:
	kfree(ktype);
out_free_dev:
	kfree(kdev);
	return err;
}

/* A mount directly below m, or NULL. */
static struct vfsmount *first_child(struct vfsmount *m)
{
	struct vfsmount *c;

	list_for_each_entry(c, &mount_list, mnt_list) {
		if (c != m && c->mnt_parent == m)
			return c;
	}
	return NULL;
}

/* Take m and every mount below it out of the tree (each becomes its own
 * root), dropping the tree's references. */
static void umount_tree(struct vfsmount *m)
{
	struct vfsmount *c;

	while ((c = first_child(m)))
		umount_tree(c);
	list_del_init(&m->mnt_list);
	m->mnt_mountpoint->d_mounted--;
	dput(m->mnt_mountpoint);
	mntput(m->mnt_parent);
	m->mnt_parent = m;
	m->mnt_mountpoint = dget(m->mnt_root);
	mntput(m);
}

/*
 * Unmount the mount whose root path names (the caller holds that path).
 * -EINVAL if path is not a mount root in the tree, -EBUSY for the root
 * mount, a mount with mounts below it, or one still in use (open files,
 * cwds). MNT_DETACH detaches at once, and the mount goes when its last
 * user does.
 */
static int do_umount(const struct path *path, int flags)
{
	struct vfsmount *m = path->mnt;

	if (!capable(current->cred))
		return -EPERM;
	if (path->dentry != m->mnt_root || list_empty(&m->mnt_list))
		return -EINVAL;
	if (m->mnt_parent == m)
		return -EBUSY;
	if (!(flags & MNT_DETACH) && (first_child(m) || m->mnt_count > 2))
		return -EBUSY;
	umount_tree(m);
	return 0;
}

SYSCALL_DEFINE2(umount2, struct uptr, name, int, flags)
{
	unsigned int lookup_flags = LOOKUP_FOLLOW;
	struct path path;
	char *kname;
	long err;

	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if (flags & (MNT_FORCE | MNT_EXPIRE))
		return -EINVAL;
	if (flags & UMOUNT_NOFOLLOW)
		lookup_flags = 0;
	kname = getname(name);
	if (IS_ERR(kname))
		return PTR_ERR(kname);
	err = kern_path_at(AT_FDCWD, kname, lookup_flags, &path);
	kfree(kname);
	if (err)
		return err;
	err = do_umount(&path, flags);
	path_put(&path);
	return err;
}

/* --- boot --- */

int set_fs_root_pwd(struct fs_struct *fs)
{
	struct path root;

	if (!root_mnt)
		return -ENOENT;
	root.mnt = root_mnt;
	root.dentry = root_mnt->mnt_root;
	path_get(&root);
	path_get(&root);
	if (fs->root.mnt)
		path_put(&fs->root);
	if (fs->pwd.mnt)
		path_put(&fs->pwd);
	fs->root = root;
	fs->pwd = root;
	return 0;
}

struct fs_struct *alloc_init_fs_struct(void)
{
	struct fs_struct *fs = kzalloc(sizeof(*fs));

	if (!fs)
		return NULL;
	fs->users = 1;
	fs->umask = 022;
	if (set_fs_root_pwd(fs)) {
		kfree(fs);
		return NULL;
	}
	return fs;
}

int mount_root(const char *dev_name, const char *fstype, unsigned long flags)
{
	static const char *const root_types[] = { "ext4", "ext3", "ext2" };
	const char *const *types = fstype ? &fstype : root_types;
	size_t ntypes = fstype ? 1 : ARRAY_SIZE(root_types);
	struct super_block *sb;
	dev_t dev = 0;
	int err = -ENODEV;

retry:
	for (size_t i = 0; i < ntypes; i++) {
		if (!get_fs_type(types[i]))
			continue;
		err = do_mount(dev_name, NULL, types[i], flags, NULL);
		if (err != -EACCES && err != -EROFS && err != -EINVAL)
			break;
	}
	if ((err == -EACCES || err == -EROFS || err == -EINVAL) &&
	    !(flags & MS_RDONLY)) {
		flags |= MS_RDONLY;
		goto retry;
	}
	if (err) {
		parse_ubd_name(dev_name, &dev);
		if (err == -EINVAL || err == -ENODEV)
			printk(KERN_EMERG "VFS: Unable to mount root fs on "
			       "unknown-block(%u,%u)\n", major(dev), minor(dev));
		else
			printk(KERN_EMERG "VFS: Cannot open root device \"%s\" "
			       "or unknown-block(%u,%u): error %d\n", dev_name,
			       major(dev), minor(dev), err);
		return err;
	}
	sb = root_mnt->mnt_sb;
	printk(KERN_INFO "VFS: Mounted root (%s filesystem)%s on device "
	       "%u:%u.\n", sb->s_type->name, sb_rdonly(sb) ? " readonly" : "",
	       major(sb->s_dev), minor(sb->s_dev));
	if (current && current->fs)
		set_fs_root_pwd(current->fs);
	if (init_task && init_task != current && init_task->fs)
		set_fs_root_pwd(init_task->fs);
	return 0;
}
