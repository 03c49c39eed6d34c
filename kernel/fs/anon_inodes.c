/*
 * The shared anonymous inode and the files made on it (Linux
 * fs/anon_inodes.c): one inode, 0600 with no type bits as on Linux, on a
 * superblock of its own that is never mounted.
 */
#include <umk/anon_inodes.h>
#include <stdio.h>
#include "internal.h"

#define ANON_INODE_FS_MAGIC 0x09041934

static struct super_block anon_inode_sb = {
	.s_magic = ANON_INODE_FS_MAGIC,
	.s_id = "anon_inodefs",
};
static struct inode *anon_inode;

static struct inode *get_anon_inode(void)
{
	if (anon_inode)
		return anon_inode;
	INIT_LIST_HEAD(&anon_inode_sb.s_inodes);
	anon_inode = new_inode(&anon_inode_sb);
	if (!anon_inode)
		return NULL;
	anon_inode->i_ino = 1;
	anon_inode->i_mode = 0600;
	anon_inode->i_atime = anon_inode->i_mtime = anon_inode->i_ctime =
		current_time();
	return anon_inode;	/* its first reference is never dropped */
}

struct file *anon_inode_getfile(const char *name,
				const struct file_operations *fops,
				void *priv, unsigned int flags)
{
	struct inode *inode = get_anon_inode();
	char dname[48];
	struct path path;
	struct file *f;

	if (!inode)
		return ERR_PTR(-ENOMEM);
	snprintf(dname, sizeof(dname), "anon_inode:%s", name);
	if (alloc_pseudo_path_name(inode, dname, &path))
		return ERR_PTR(-ENOMEM);
	ihold(inode);
	f = alloc_file(inode, fops, flags & (O_ACCMODE | O_NONBLOCK));
	if (IS_ERR(f)) {
		iput(inode);
		path_put(&path);
		return f;
	}
	path_put(&f->f_path);
	f->f_path = path;
	f->f_flags &= ~KO_LARGEFILE;
	f->private_data = priv;
	return f;
}

int anon_inode_getfd(const char *name, const struct file_operations *fops,
		     void *priv, unsigned int flags)
{
	struct file *f = anon_inode_getfile(name, fops, priv, flags);

	if (IS_ERR(f)) {
		kfree(priv);
		return PTR_ERR(f);
	}
	return get_unused_fd_install(f, 0, flags & O_CLOEXEC);
}
