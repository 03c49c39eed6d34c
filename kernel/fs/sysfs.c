/*
 * sysfs: a read-only view of umk's devices for the tools that look there
 * (lscpu, nproc, ip, lsblk, udev-less Debian scripts): the one CPU, the
 * loopback interface, the ubd disks with their size and device number.
 * One instance, built at mount as a tmpfs tree, then made read-only.
 * Layout and formats: Linux Documentation/ABI (sysfs-devices-system-cpu,
 * sysfs-class-net, sysfs-block) and UML's ubd.
 */
#include <umk/fs.h>
#include <umk/init.h>
#include <umk/ubd.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include "internal.h"
#include "tmpfs.h"

#define SYSFS_MAGIC 0x62656572

/* The directory dir/name (made when absent), referenced in *res. */
static int mkdir_p(struct inode *dir, const char *path, struct inode **res)
{
	char part[64];
	const char *p = path;
	struct inode *cur = dir;
	int err = 0;

	ihold(cur);
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		struct qstr q = { .name = part, .len = n };
		struct inode *next;

		if (n >= sizeof(part)) {
			err = -ENAMETOOLONG;
			break;
		}
		memcpy(part, p, n);
		part[n] = 0;
		err = cur->i_op->lookup(cur, &q, &next);
		if (err == -ENOENT)
			err = tmpfs_make_node(cur, part, S_IFDIR | 0755, 0, NULL,
					      &next);
		if (err)
			break;
		iput(cur);
		cur = next;
		p += n + (slash ? 1 : 0);
	}
	if (err) {
		iput(cur);
		return err;
	}
	*res = cur;
	return 0;
}

/* A 0444 file path (under root) holding text. */
static int put_file(struct inode *root, const char *dirpath, const char *name,
		    const char *text)
{
	struct inode *dir, *inode;
	struct file *f;
	loff_t pos = 0;
	int err;

	err = mkdir_p(root, dirpath, &dir);
	if (err)
		return err;
	err = tmpfs_make_node(dir, name, S_IFREG | 0444, 0, NULL, &inode);
	iput(dir);
	if (err)
		return err;
	f = alloc_file(inode, inode->i_fop, O_WRONLY);
	if (IS_ERR(f))
		return PTR_ERR(f);
	err = kernel_write(f, text, strlen(text), &pos);
	fput(f);
	return err < 0 ? err : 0;
}

static int put_link(struct inode *root, const char *dirpath, const char *name,
		    const char *target)
{
	struct inode *dir;
	int err = mkdir_p(root, dirpath, &dir);

	if (err)
		return err;
	err = tmpfs_make_node(dir, name, S_IFLNK | 0777, 0, target, NULL);
	iput(dir);
	return err;
}

static int populate_cpu(struct inode *root)
{
	static const char *const one_cpu[] = {
		"online", "possible", "present",
	};
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(one_cpu) && !err; i++)
		err = put_file(root, "devices/system/cpu", one_cpu[i], "0\n");
	if (!err)
		err = put_file(root, "devices/system/cpu", "kernel_max", "0\n");
	if (!err)
		err = put_file(root, "devices/system/cpu/cpu0", "online", "1\n");
	return err;
}

static int populate_net(struct inode *root)
{
	static const struct {
		const char *name, *text;
	} lo[] = {
		{ "address", "00:00:00:00:00:00\n" },
		{ "broadcast", "00:00:00:00:00:00\n" },
		{ "addr_len", "6\n" },
		{ "flags", "0x9\n" },
		{ "ifindex", "1\n" },
		{ "iflink", "1\n" },
		{ "mtu", "65536\n" },
		{ "operstate", "unknown\n" },
		{ "type", "772\n" },
		{ "tx_queue_len", "1000\n" },
	};
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(lo) && !err; i++)
		err = put_file(root, "devices/virtual/net/lo", lo[i].name,
			       lo[i].text);
	if (!err)
		err = put_link(root, "class/net", "lo",
			       "../../devices/virtual/net/lo");
	return err;
}

/* /sys/block/ubdX -> the device directory with size (512-byte sectors),
 * dev (major:minor), ro and removable, as Linux's block layer shows. */
static int populate_block(struct inode *root)
{
	char dir[96], link[112], text[64], name[8];
	int err = 0;

	for (int i = 0; i < UBD_MAX_DEV && !err; i++) {
		struct ubd *u = ubd_get(i);

		if (!u)
			continue;
		snprintf(name, sizeof(name), "ubd%c", 'a' + i);
		snprintf(dir, sizeof(dir),
			 "devices/platform/uml-blkdev.%d/block/%s", i, name);
		snprintf(text, sizeof(text), "%llu\n",
			 (unsigned long long)(ubd_size(u) / 512));
		err = put_file(root, dir, "size", text);
		snprintf(text, sizeof(text), "%d:%d\n", UBD_MAJOR,
			 i << UBD_SHIFT);
		if (!err)
			err = put_file(root, dir, "dev", text);
		if (!err)
			err = put_file(root, dir, "removable", "0\n");
		if (!err)
			err = put_file(root, dir, "ro", "0\n");
		snprintf(link, sizeof(link), "../%s", dir);
		if (!err)
			err = put_link(root, "block", name, link);
	}
	return err;
}

static int sysfs_fill_super(struct super_block *sb, const char *dev_name,
			    void *data, int flags)
{
	struct inode *root;
	struct inode *d;
	int err = tmpfs_fill_super_mode(sb, NULL, 0755);

	if (err)
		return err;
	sb->s_magic = SYSFS_MAGIC;
	sb->s_xattr = 0;
	root = sb->s_root->d_inode;
	err = populate_cpu(root);
	if (!err)
		err = populate_net(root);
	if (!err)
		err = populate_block(root);
	for (const char *const *p = (const char *const[]){ "kernel", "fs",
	     "dev/block", "dev/char", "bus", "firmware", "module", NULL };
	     *p && !err; p++) {
		err = mkdir_p(root, *p, &d);
		if (!err)
			iput(d);
	}
	if (err) {
		sb->s_op->put_super(sb);
		dput(sb->s_root);
		sb->s_root = NULL;
		return err;
	}
	sb->s_flags |= MS_RDONLY;
	return 0;
}

static struct file_system_type sysfs_fs_type = {
	.name = "sysfs",
	.fill_super = sysfs_fill_super,
};

int init_sysfs(void)
{
	return register_filesystem(&sysfs_fs_type);
}
