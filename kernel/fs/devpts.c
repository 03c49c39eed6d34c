/*
 * devpts: the filesystem of pseudo-terminal slaves, /dev/pts. A tmpfs
 * instance (one for the whole guest, as Linux's initial instance) holding
 * "ptmx" and one character node N (136, N) per pseudo-terminal whose
 * master is open; the pty driver (kernel/drivers/pty.c) adds and removes
 * the nodes. Mount options gid=, mode=, ptmxmode= (and uid=, max=,
 * newinstance, accepted) as Linux. Model: Linux fs/devpts/inode.c.
 */
#include <umk/fs.h>
#include <umk/init.h>
#include <umk/tty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "internal.h"
#include "tmpfs.h"

#define DEVPTS_SUPER_MAGIC 0x1cd1

static struct devpts_opts {
	bool setuid, setgid;
	uid_t uid;
	gid_t gid;
	mode_t mode;			/* of the slave nodes */
	mode_t ptmxmode;
} opts = { .mode = 0600, .ptmxmode = 0 };

static struct file_system_type devpts_fs_type;

/* The mount of devpts, or NULL (no reference taken). */
static struct vfsmount *devpts_mnt(void)
{
	struct vfsmount *m;

	for_each_mount(m) {
		if (m->mnt_sb->s_type == &devpts_fs_type)
			return m;
	}
	return NULL;
}

static int parse_mode(const char *v, mode_t *res)
{
	char *end;
	unsigned long n = strtoul(v, &end, 8);

	if (!*v || *end || n > 07777)
		return -EINVAL;
	*res = n & 07777;
	return 0;
}

static int parse_id(const char *v, unsigned int *res)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (!*v || *end || n > 0xfffffffeUL)
		return -EINVAL;
	*res = n;
	return 0;
}

/* Linux parse_mount_options: -EINVAL for anything it does not know. */
static int parse_options(const char *data, struct devpts_opts *o)
{
	char *copy, *opt, *save = NULL;
	int err = 0;

	if (!data)
		return 0;
	copy = kstrdup(data);
	if (!copy)
		return -ENOMEM;
	for (opt = strtok_r(copy, ",", &save); opt && !err;
	     opt = strtok_r(NULL, ",", &save)) {
		if (!strncmp(opt, "uid=", 4)) {
			err = parse_id(opt + 4, &o->uid);
			o->setuid = true;
		} else if (!strncmp(opt, "gid=", 4)) {
			err = parse_id(opt + 4, &o->gid);
			o->setgid = true;
		} else if (!strncmp(opt, "mode=", 5)) {
			err = parse_mode(opt + 5, &o->mode);
		} else if (!strncmp(opt, "ptmxmode=", 9)) {
			err = parse_mode(opt + 9, &o->ptmxmode);
		} else if (!strncmp(opt, "max=", 4) ||
			   !strcmp(opt, "newinstance") || !strcmp(opt, "rw") ||
			   !strcmp(opt, "ro") || !strcmp(opt, "nosuid") ||
			   !strcmp(opt, "noexec") || !strcmp(opt, "relatime") ||
			   !strcmp(opt, "defaults")) {
			continue;
		} else {
			err = -EINVAL;
		}
	}
	kfree(copy);
	return err;
}

static int devpts_fill_super(struct super_block *sb, const char *dev_name,
			     void *data, int flags)
{
	struct devpts_opts o = { .mode = 0600, .ptmxmode = 0 };
	int err = parse_options(data, &o);

	if (err)
		return err;
	err = tmpfs_fill_super_mode(sb, NULL, 0755);
	if (err)
		return err;
	sb->s_magic = DEVPTS_SUPER_MAGIC;
	sb->s_xattr = 0;
	err = tmpfs_make_node(sb->s_root->d_inode, "ptmx",
			      S_IFCHR | o.ptmxmode,
			      makedev(TTYAUX_MAJOR, 2), NULL, NULL);
	if (err) {
		sb->s_op->put_super(sb);
		dput(sb->s_root);
		sb->s_root = NULL;
		return err;
	}
	opts = o;
	return 0;
}

void devpts_pty_new(int index, uid_t uid, gid_t gid)
{
	struct vfsmount *m = devpts_mnt();
	struct inode *inode;
	char name[16];

	if (!m)
		return;
	snprintf(name, sizeof(name), "%d", index);
	if (tmpfs_make_node(m->mnt_root->d_inode, name, S_IFCHR | opts.mode,
			    makedev(UNIX98_PTY_SLAVE_MAJOR, index), NULL,
			    &inode))
		return;
	inode->i_uid = opts.setuid ? opts.uid : uid;
	inode->i_gid = opts.setgid ? opts.gid : gid;
	iput(inode);
}

void devpts_pty_kill(int index)
{
	struct vfsmount *m = devpts_mnt();
	struct inode *dir;
	struct dentry *d;
	struct qstr q;
	char name[16];

	if (!m)
		return;
	dir = m->mnt_root->d_inode;
	snprintf(name, sizeof(name), "%d", index);
	q = (struct qstr){ .name = name, .len = strlen(name) };
	lock_dir();
	d = lookup_one(m->mnt_root, &q);
	if (!IS_ERR(d)) {
		if (d->d_inode && dir->i_op->unlink &&
		    !dir->i_op->unlink(dir, &q, d->d_inode))
			d_delete(d);
		dput(d);
	}
	unlock_dir();
}

struct file *devpts_open_slave(int index, unsigned int flags)
{
	struct vfsmount *m = devpts_mnt();
	struct path path;
	struct dentry *d;
	struct qstr q;
	char name[16];
	struct file *f;

	if (!m)
		return ERR_PTR(-ENOENT);
	snprintf(name, sizeof(name), "%d", index);
	q = (struct qstr){ .name = name, .len = strlen(name) };
	d = lookup_one(m->mnt_root, &q);
	if (IS_ERR(d))
		return ERR_PTR(PTR_ERR(d));
	if (!d->d_inode) {
		dput(d);
		return ERR_PTR(-ENOENT);
	}
	path.mnt = mntget(m);
	path.dentry = d;
	f = dentry_open(&path, flags);
	path_put(&path);
	return f;
}

static struct file_system_type devpts_fs_type = {
	.name = "devpts",
	.fill_super = devpts_fill_super,
};

int init_devpts(void)
{
	return register_filesystem(&devpts_fs_type);
}
