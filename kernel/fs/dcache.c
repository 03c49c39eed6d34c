/*
 * The dentry cache: the names the VFS has looked up, as a tree of dentries
 * per superblock (children on the parent's d_subdirs). Model: Linux
 * fs/dcache.c, without hashing (a directory's cached children are scanned).
 *
 * Rules:
 *  - a dentry holds one reference on its parent and one on its inode;
 *  - a hashed dentry is on its parent's d_subdirs; there is at most one
 *    hashed dentry per name, positive or negative;
 *  - a negative dentry stays hashed only while referenced, so the task that
 *    creates a name owns its (single) dentry, and negatives never pile up;
 *  - an unused positive dentry stays cached only on block-device
 *    filesystems, whose names change only through the VFS. procfs, devtmpfs
 *    and tmpfs dentries go at their last dput: umk has no d_revalidate, and
 *    those trees change behind the VFS's back (/proc/PID);
 *  - an unhashed (deleted) dentry is freed at its last dput.
 */
#include <umk/fs.h>
#include <string.h>
#include "internal.h"

static bool d_retain(const struct dentry *d)
{
	return d->d_sb && d->d_sb->s_type &&
	       (d->d_sb->s_type->fs_flags & FS_REQUIRES_DEV);
}

/* An unattached dentry named name (copied) of sb, count 1, no parent. */
static struct dentry *__d_alloc(struct super_block *sb, const char *name,
				unsigned int len)
{
	struct dentry *d = kzalloc(sizeof(*d));

	if (!d)
		return NULL;
	d->d_name = kstrndup(name, len);
	if (!d->d_name) {
		kfree(d);
		return NULL;
	}
	d->d_len = len;
	d->d_count = 1;
	d->d_sb = sb;
	d->d_parent = d;
	INIT_LIST_HEAD(&d->d_child);
	INIT_LIST_HEAD(&d->d_subdirs);
	return d;
}

/* Put d on parent's list of children (taking a reference on parent). */
static void d_hash_in(struct dentry *d, struct dentry *parent)
{
	d->d_parent = dget(parent);
	list_add(&d->d_child, &parent->d_subdirs);
	d->d_flags &= ~DCACHE_UNHASHED;
}

struct dentry *d_alloc(struct dentry *parent, const struct qstr *name)
{
	struct dentry *d = __d_alloc(parent->d_sb, name->name, name->len);

	if (d)
		d_hash_in(d, parent);
	return d;
}

struct dentry *d_make_root(struct inode *inode)
{
	struct dentry *d;

	if (!inode)
		return NULL;
	d = __d_alloc(inode->i_sb, "/", 1);
	if (!d) {
		iput(inode);
		return NULL;
	}
	d->d_inode = inode;
	return d;
}

struct dentry *dget(struct dentry *d)
{
	if (d)
		d->d_count++;
	return d;
}

/*
 * Free d (count 0): off its parent's list, its inode and name released.
 * Returns the parent whose reference d held (to be dropped), or NULL.
 */
static struct dentry *dentry_kill(struct dentry *d)
{
	struct dentry *parent = d_is_root(d) ? NULL : d->d_parent;

	if (!list_empty(&d->d_child))
		list_del_init(&d->d_child);
	iput(d->d_inode);
	kfree(d->d_name);
	kfree(d);
	return parent;
}

/*
 * Drop a reference. At zero a hashed positive dentry of a block-device
 * filesystem stays cached (with its parent chain); any other dentry is
 * freed, which drops its parent in turn.
 */
void dput(struct dentry *d)
{
	while (d) {
		if (--d->d_count > 0)
			return;
		if (d->d_count < 0) {
			printk(KERN_ERR "VFS: dput of unused dentry %s\n",
			       d->d_name);
			d->d_count = 0;
			return;
		}
		if (!d_is_root(d) && !d_unhashed(d) && d->d_inode &&
		    d_retain(d))
			return;
		d = dentry_kill(d);
	}
}

static bool d_name_eq(const struct dentry *d, const struct qstr *name)
{
	return d->d_len == name->len &&
	       memcmp(d->d_name, name->name, name->len) == 0;
}

struct dentry *d_lookup(struct dentry *parent, const struct qstr *name)
{
	struct dentry *d;

	list_for_each_entry(d, &parent->d_subdirs, d_child) {
		if (d_name_eq(d, name))
			return dget(d);
	}
	return NULL;
}

static int check_component(const struct qstr *name)
{
	if (name->len == 0 || memchr(name->name, '/', name->len) ||
	    memchr(name->name, '\0', name->len))
		return -EACCES;
	if ((name->len == 1 && name->name[0] == '.') ||
	    (name->len == 2 && name->name[0] == '.' && name->name[1] == '.'))
		return -EACCES;
	if (name->len > NAME_MAX_VFS)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * The dentry of name in the directory dir: from the cache, or from
 * dir's i_op->lookup (which may sleep). A name the filesystem does not have
 * comes back as a hashed negative dentry. No permission check: the path
 * walk checks search permission on dir. ERR_PTR(-ENOTDIR) when dir is not
 * a directory, -EACCES for "", ".", ".." or names with '/'.
 */
struct dentry *lookup_one(struct dentry *dir, const struct qstr *name)
{
	struct inode *dinode = dir->d_inode;
	struct inode *inode = NULL;
	struct dentry *d, *old;
	struct qstr q;
	int err;

	err = check_component(name);
	if (err)
		return ERR_PTR(err);
	d = d_lookup(dir, name);
	if (d)
		return d;
	if (!dinode)
		return ERR_PTR(-ENOENT);
	if (!S_ISDIR(dinode->i_mode) || !dinode->i_op || !dinode->i_op->lookup)
		return ERR_PTR(-ENOTDIR);

	d = __d_alloc(dir->d_sb, name->name, name->len);
	if (!d)
		return ERR_PTR(-ENOMEM);
	q = d_qstr(d);
	err = dinode->i_op->lookup(dinode, &q, &inode);
	if (err && err != -ENOENT)
		goto out_free;
	if (err)
		inode = NULL;

	/* The lookup may have slept: another task may have cached name. */
	old = d_lookup(dir, name);
	if (old) {
		iput(inode);
		dentry_kill(d);
		return old;
	}
	d->d_inode = inode;
	d_hash_in(d, dir);
	return d;

out_free:
	dentry_kill(d);
	return ERR_PTR(err);
}

void d_instantiate(struct dentry *d, struct inode *inode)
{
	d->d_inode = inode;
}

/* Unhash d after its name was removed: lookups no longer find it, holders
 * keep a valid (deleted) dentry, which is freed at its last dput. */
void d_delete(struct dentry *d)
{
	if (d_unhashed(d) || d_is_root(d))
		return;
	list_del_init(&d->d_child);
	d->d_flags |= DCACHE_UNHASHED;
}

/*
 * After a rename: d now is newname in newdir. The caller has unhashed the
 * dentry newname had before (d_delete). Without memory for the new name, d
 * is unhashed instead, so later lookups ask the filesystem.
 */
void d_move(struct dentry *d, struct dentry *newdir, const struct qstr *newname)
{
	struct dentry *olddir = d->d_parent;
	char *name = kstrndup(newname->name, newname->len);

	if (!name) {
		d_delete(d);
		return;
	}
	if (!list_empty(&d->d_child))
		list_del_init(&d->d_child);
	kfree(d->d_name);
	d->d_name = name;
	d->d_len = newname->len;
	if (newdir != olddir) {
		d_hash_in(d, newdir);
		dput(olddir);
	} else {
		list_add(&d->d_child, &newdir->d_subdirs);
		d->d_flags &= ~DCACHE_UNHASHED;
	}
}

bool is_subdir(struct dentry *d, struct dentry *anc)
{
	for (;;) {
		if (d == anc)
			return true;
		if (d_is_root(d))
			return false;
		d = d->d_parent;
	}
}

/* Free the unused dentries below parent, deepest first. A freed child's
 * reference on parent is dropped without freeing parent here. */
static void shrink_dcache_parent(struct dentry *parent)
{
	struct dentry *d, *next;

	list_for_each_entry_safe(d, next, &parent->d_subdirs, d_child) {
		if (!list_empty(&d->d_subdirs))
			shrink_dcache_parent(d);
		if (d->d_count == 0) {
			dentry_kill(d);
			parent->d_count--;
		}
	}
}

void shrink_dcache_sb(struct super_block *sb)
{
	if (sb->s_root)
		shrink_dcache_parent(sb->s_root);
}
