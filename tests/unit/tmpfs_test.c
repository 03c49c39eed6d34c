/*
 * Host-side unit test of tmpfs, devtmpfs, the device registry and the mem
 * devices (kernel/fs/tmpfs.c, devfs.c, kernel/drivers/devices.c, mem.c),
 * linked with the whole real kernel and driven through the filesystem
 * methods directly on superblocks of tests/unit/fakes.c.
 * Prints TAP: "ok N - ..." / "not ok N - ...", then "1..N".
 */
#include <umk/fs.h>
#include <umk/init.h>
#include <umk/mm.h>
#include <umk/ubd.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "../../kernel/fs/tmpfs.h"
#include "fakes.h"

/* ---- helpers ------------------------------------------------------------ */

static struct inode *root_of(struct super_block *sb)
{
	return sb->s_root->d_inode;
}

static struct inode *create(struct inode *dir, const char *name)
{
	struct qstr n = q(name);
	struct inode *res = NULL;

	if (dir->i_op->create(dir, &n, 0644, &res))
		return NULL;
	return res;
}

static struct inode *mkdir_(struct inode *dir, const char *name)
{
	struct qstr n = q(name);
	struct inode *res = NULL;

	if (dir->i_op->mkdir(dir, &n, 0755, &res))
		return NULL;
	return res;
}

static ssize_t pwrite_(struct inode *inode, const void *buf, size_t len,
		       loff_t off)
{
	struct file f;

	file_init(&f, inode, O_WRONLY);
	return f.f_op->write(&f, buf, len, &off);
}

static ssize_t pread_(struct inode *inode, void *buf, size_t len, loff_t off)
{
	struct file f;

	file_init(&f, inode, O_RDONLY);
	return f.f_op->read(&f, buf, len, &off);
}

static int truncate_to(struct inode *inode, loff_t size)
{
	struct iattr a = { .ia_valid = ATTR_SIZE, .ia_size = size };

	return inode->i_op->setattr(inode, &a);
}

static int rename_(struct inode *od, const char *on, struct inode *nd,
		   const char *nn, unsigned int flags)
{
	struct qstr a = q(on), b = q(nn);
	struct inode *ov = lookup(od, on), *nv = lookup(nd, nn);
	int err = od->i_op->rename(od, &a, ov, nd, &b, nv, flags);

	iput(ov);
	iput(nv);
	return err;
}

/* A readdir actor that takes at most `room` entries per call and records
 * the names it saw. */
struct collect {
	struct dir_context ctx;
	int room;
	int n;
	char names[512][32];
	uint64_t inos[512];
};

static bool collect_actor(struct dir_context *ctx, const char *name,
			  int namelen, loff_t pos, uint64_t ino,
			  unsigned int d_type)
{
	struct collect *c = container_of(ctx, struct collect, ctx);

	if (c->room == 0 || c->n >= 512)
		return false;
	c->room--;
	snprintf(c->names[c->n], sizeof(c->names[0]), "%.*s", namelen, name);
	c->inos[c->n++] = ino;
	return true;
}

static int count_name(struct collect *c, const char *name)
{
	int i, k = 0;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->names[i], name))
			k++;
	return k;
}

/* Read a whole directory `chunk` entries per iterate call. */
static int readdir_all(struct inode *dir, struct collect *c, int chunk)
{
	struct file f;
	int err, guard = 0;

	file_init(&f, dir, O_RDONLY);
	memset(c, 0, sizeof(*c));
	c->ctx.actor = collect_actor;
	do {
		int before = c->n;

		c->room = chunk;
		c->ctx.pos = f.f_pos;
		err = f.f_op->iterate(&f, &c->ctx);
		f.f_pos = c->ctx.pos;
		if (err)
			return err;
		if (c->n == before)
			break;
	} while (++guard < 10000);
	return 0;
}

/* ---- tests -------------------------------------------------------------- */

static void test_mount_and_statfs(void)
{
	struct super_block *sb;
	struct kstatfs st;
	int err;

	sb = mount_fs("tmpfs", "size=1m,mode=0700,uid=5,gid=6,nosuid", &err);
	ok(sb != NULL, "tmpfs mounts with size=,mode=,uid=,gid= (err %d)", err);
	if (!sb)
		return;
	ok(root_of(sb)->i_mode == (S_IFDIR | 0700) &&
	   root_of(sb)->i_uid == 5 && root_of(sb)->i_gid == 6,
	   "mode= and uid=/gid= set the root directory");
	sb->s_op->statfs(sb, &st);
	ok(st.f_type == TMPFS_MAGIC && st.f_blocks == 256 && st.f_bfree == 256,
	   "statfs: TMPFS_MAGIC, 256 blocks of 4 KiB");
	umount_fs(sb);
	ok(mount_fs("tmpfs", "bogus=1", &err) == NULL && err == -EINVAL,
	   "unknown mount option is -EINVAL");
	sb = mount_fs("tmpfs", NULL, &err);
	ok(sb && root_of(sb)->i_mode == (S_IFDIR | 01777),
	   "default root mode is 01777");
	if (sb)
		umount_fs(sb);
}

static void test_files(void)
{
	int left;
	struct super_block *sb;
	struct inode *root, *a, *b;
	char buf[8192];
	struct kstatfs st;
	int err, i;
	bool zeros;
	ssize_t n;

	test_cred.fsuid = 1000;
	test_cred.fsgid = 100;
	sb = mount_fs("tmpfs", "size=64k", &err);
	root = root_of(sb);
	a = create(root, "a");
	ok(a && S_ISREG(a->i_mode) && (a->i_mode & 07777) == 0644 &&
	   a->i_uid == 1000 && a->i_gid == 100,
	   "create: regular file owned by fsuid/fsgid");
	ok(create(root, "a") == NULL, "create of an existing name fails");
	n = pwrite_(a, "hello world", 11, 0);
	memset(buf, 0, sizeof(buf));
	ok(n == 11 && pread_(a, buf, sizeof(buf), 0) == 11 &&
	   !memcmp(buf, "hello world", 11) && a->i_size == 11,
	   "write then read back");
	ok(pread_(a, buf, 10, 11) == 0, "read at EOF is 0");
	ok(truncate_to(a, 5) == 0 && a->i_size == 5, "truncate down");
	ok(truncate_to(a, 100000) == 0 && a->i_size == 100000 &&
	   a->i_blocks == 8, "truncate up is sparse (one page kept)");
	n = pread_(a, buf, 8192, 0);
	zeros = true;
	for (i = 5; i < 8192; i++)
		zeros &= buf[i] == 0;
	ok(n == 8192 && !memcmp(buf, "hello", 5) && zeros,
	   "bytes past the old size read as zeros");
	b = create(root, "big");
	memset(buf, 'x', sizeof(buf));
	for (i = 0, n = 0; i < 20 && n >= 0; i++)
		n = pwrite_(b, buf, 8192, i * 8192);
	ok(n == -ENOSPC, "size= limit gives -ENOSPC");
	sb->s_op->statfs(sb, &st);
	ok(st.f_bfree == 0, "statfs shows the filesystem full");
	ok(truncate_to(b, 0) == 0 && b->i_blocks == 0, "truncate to 0 frees pages");
	sb->s_op->statfs(sb, &st);
	ok(st.f_bfree == 16 - 1, "freed pages are back in statfs");
	n = pwrite_(b, "far", 3, 1ULL << 40);
	memset(buf, 1, 16);
	ok(n == 3 && b->i_size == (1LL << 40) + 3 &&
	   pread_(b, buf, 16, (1ULL << 40) - 13) == 16 && buf[0] == 0 &&
	   !memcmp(buf + 13, "far", 3), "a write at 1 TiB makes a sparse file");
	{
		struct file f;
		loff_t pos = 0;

		file_init(&f, b, O_WRONLY | O_APPEND);
		n = f.f_op->write(&f, "!", 1, &pos);
		ok(n == 1 && b->i_size == (1LL << 40) + 4 &&
		   pos == (1LL << 40) + 4, "O_APPEND writes at the end");
	}
	iput(a);
	iput(b);
	left = umount_fs(sb);
	ok(left == 0, "unmount frees every inode (%d left)", left);
	test_cred.fsuid = test_cred.fsgid = 0;
}

static void test_readdir(void)
{
	int left;
	static struct collect c;
	struct super_block *sb;
	struct inode *root, *d, *x;
	char name[32];
	int err, i, dups = 0, missing = 0;
	struct file f;

	sb = mount_fs("tmpfs", NULL, &err);
	root = root_of(sb);
	d = mkdir_(root, "d");
	ok(d && root->i_nlink == 3 && d->i_nlink == 2, "mkdir fixes nlink");
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		iput(create(d, name));
	}
	err = readdir_all(d, &c, 7);
	ok(err == 0 && c.n == 102 &&
	   !strcmp(c.names[0], ".") && !strcmp(c.names[1], "..") &&
	   c.inos[1] == root->i_ino,
	   "readdir 7 at a time sees . .. and 100 files (%d)", c.n);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		if (count_name(&c, name) != 1)
			missing++;
	}
	ok(missing == 0, "every name exactly once");

	/* Remove and add entries in the middle of a walk. */
	file_init(&f, d, O_RDONLY);
	memset(&c, 0, sizeof(c));
	c.ctx.actor = collect_actor;
	c.room = 30;
	f.f_op->iterate(&f, &c.ctx);
	f.f_pos = c.ctx.pos;
	for (i = 10; i < 60; i += 2) {
		struct qstr n;

		snprintf(name, sizeof(name), "f%d", i);
		n = q(name);
		x = lookup(d, name);
		d->i_op->unlink(d, &n, x);
		iput(x);
	}
	iput(create(d, "late"));
	for (;;) {
		int before = c.n;

		c.room = 9;
		c.ctx.pos = f.f_pos;
		f.f_op->iterate(&f, &c.ctx);
		f.f_pos = c.ctx.pos;
		if (c.n == before)
			break;
	}
	for (i = 0; i < c.n; i++)
		if (count_name(&c, c.names[i]) != 1)
			dups++;
	ok(dups == 0 && count_name(&c, "late") == 1 &&
	   count_name(&c, "f99") == 1 && count_name(&c, "f27") == 1 &&
	   count_name(&c, "f58") == 0,
	   "walk survives unlinks and creates: no duplicates, new name at end");
	ok(d->i_size == 20 * (2 + 100 - 25 + 1), "directory size is 20 per entry");
	iput(d);
	left = umount_fs(sb);
	ok(left == 0, "unmount frees every inode (%d left)", left);
}

static void test_rename(void)
{
	int left;
	static struct collect c;
	struct super_block *sb;
	struct inode *root, *a, *b, *d1, *d2, *d3, *x, *sub;
	char buf[16];
	int err, before;

	sb = mount_fs("tmpfs", NULL, &err);
	root = root_of(sb);
	a = create(root, "a");
	b = create(root, "b");
	pwrite_(a, "AAA", 3, 0);
	pwrite_(b, "BBB", 3, 0);
	before = sb_inode_count(sb);
	iput(b);
	ok(rename_(root, "a", root, "b", 0) == 0, "rename over an existing file");
	x = lookup(root, "b");
	ok(x == a && lookup(root, "a") == NULL && sb_inode_count(sb) == before - 1,
	   "target replaced and freed, old name gone");
	iput(x);
	ok(pread_(a, buf, 3, 0) == 3 && !memcmp(buf, "AAA", 3),
	   "moved file keeps its data");
	iput(create(root, "c"));
	ok(rename_(root, "b", root, "c", RENAME_NOREPLACE) == -EEXIST,
	   "RENAME_NOREPLACE on an existing name is -EEXIST");
	ok(rename_(root, "b", root, "c", RENAME_EXCHANGE) == 0 &&
	   (x = lookup(root, "c")) == a, "RENAME_EXCHANGE swaps names");
	iput(x);

	d1 = mkdir_(root, "d1");
	d2 = mkdir_(root, "d2");
	d3 = mkdir_(root, "d3");
	sub = mkdir_(d1, "sub");
	iput(create(d3, "file"));
	ok(root->i_nlink == 5 && d1->i_nlink == 3, "nlink counts subdirectories");
	ok(rename_(root, "d1", d1, "x", 0) == -EINVAL,
	   "directory into its own subtree is -EINVAL");
	ok(rename_(root, "d2", root, "d3", 0) == -ENOTEMPTY,
	   "directory over a non-empty directory is -ENOTEMPTY");
	ok(rename_(root, "d1", root, "d2", 0) == 0 && root->i_nlink == 4,
	   "directory over an empty directory");
	ok(rename_(d1, "sub", d3, "sub2", 0) == 0 && d1->i_nlink == 2 &&
	   d3->i_nlink == 3, "directory moved between parents fixes nlink");
	readdir_all(sub, &c, 100);
	ok(c.n == 2 && c.inos[1] == d3->i_ino, "'..' follows the move");
	ok(rename_(root, "c", d3, "sub2", 0) == -EISDIR &&
	   rename_(d3, "sub2", root, "c", 0) == -ENOTDIR,
	   "type mismatches are -EISDIR/-ENOTDIR");
	iput(d1);
	iput(d2);
	iput(d3);
	iput(sub);
	iput(a);
	left = umount_fs(sb);
	ok(left == 0, "unmount frees every inode (%d left)", left);
}

static void test_unlink_links(void)
{
	int left;
	static struct collect c;
	struct super_block *sb;
	struct inode *root, *a, *d, *s, *x = NULL;
	struct qstr n;
	char buf[64];
	int err, before;
	long len;

	sb = mount_fs("tmpfs", NULL, &err);
	root = root_of(sb);
	a = create(root, "a");
	pwrite_(a, "data", 4, 0);
	n = q("hard");
	ok(root->i_op->link(a, root, &n) == 0 && a->i_nlink == 2,
	   "link adds a name");
	n = q("a");
	ok(root->i_op->unlink(root, &n, a) == 0 && a->i_nlink == 1 &&
	   (x = lookup(root, "hard")) == a, "unlink of one name keeps the other");
	iput(x);
	before = sb_inode_count(sb);
	n = q("hard");
	root->i_op->unlink(root, &n, a);
	ok(a->i_nlink == 0 && sb_inode_count(sb) == before &&
	   pread_(a, buf, 4, 0) == 4 && !memcmp(buf, "data", 4),
	   "unlinked file stays readable while referenced");
	iput(a);
	ok(sb_inode_count(sb) == before - 1, "last reference frees it");
	ok(root->i_op->link(root, root, &n) == -EPERM, "link of a directory: -EPERM");

	d = mkdir_(root, "d");
	iput(create(d, "f"));
	n = q("d");
	ok(root->i_op->rmdir(root, &n, d) == -ENOTEMPTY,
	   "rmdir of a non-empty directory is -ENOTEMPTY");
	n = q("f");
	x = lookup(d, "f");
	d->i_op->unlink(d, &n, x);
	iput(x);
	n = q("d");
	ok(root->i_op->rmdir(root, &n, d) == 0 && root->i_nlink == 2 &&
	   d->i_nlink == 0, "rmdir of an empty directory");
	ok(readdir_all(d, &c, 10) == -ENOENT, "readdir of a removed dir: -ENOENT");
	ok(create(d, "new") == NULL, "create in a removed dir fails");
	iput(d);

	n = q("ln");
	s = NULL;
	ok(root->i_op->symlink(root, &n, "/some/target", &s) == 0 &&
	   S_ISLNK(s->i_mode) && s->i_size == 12, "symlink");
	len = s->i_op->readlink(s, buf, sizeof(buf));
	ok(len == 12 && !memcmp(buf, "/some/target", 12), "readlink");
	ok(s->i_op->readlink(s, buf, 4) == 4, "readlink truncates to size");
	iput(s);
	left = umount_fs(sb);
	ok(left == 0, "unmount frees every inode (%d left)", left);
}

/* Open a device node as do_dentry_open does: the special f_op, then its
 * open. */
static int open_special(struct inode *inode, struct file *f)
{
	int err = init_special_inode_open(inode, f);

	if (!err && f->f_op->open)
		err = f->f_op->open(inode, f);
	return err;
}

static void test_setattr_and_nodes(void)
{
	int left;
	struct super_block *sb;
	struct inode *root, *a, *nd;
	struct iattr at = { 0 };
	struct file f;
	struct qstr n;
	char buf[16];
	int err;

	sb = mount_fs("tmpfs", NULL, &err);
	root = root_of(sb);
	a = create(root, "a");
	at.ia_valid = ATTR_MODE | ATTR_UID | ATTR_GID | ATTR_MTIME;
	at.ia_mode = 04711;
	at.ia_uid = 7;
	at.ia_gid = 8;
	at.ia_mtime.tv_sec = 12345;
	ok(a->i_op->setattr(a, &at) == 0 && a->i_mode == (S_IFREG | 04711) &&
	   a->i_uid == 7 && a->i_gid == 8 && a->i_mtime.tv_sec == 12345,
	   "setattr mode, uid, gid, mtime");
	ok(truncate_to(root, 0) == -EISDIR, "size of a directory: -EISDIR");

	n = q("null");
	ok(root->i_op->mknod(root, &n, S_IFCHR | 0666, makedev(1, 3), &nd) == 0 &&
	   S_ISCHR(nd->i_mode) && nd->i_rdev == makedev(1, 3) && !nd->i_fop,
	   "mknod of a char device: no i_fop");
	ok(truncate_to(nd, 0) == 0, "O_TRUNC size on a device node is ignored");
	ok(init_chrdevs() == 0, "init_chrdevs registers mem");
	file_init(&f, nd, O_RDWR);
	ok(open_special(nd, &f) == 0 && f.f_op->read(&f, buf, 16,
	   &f.f_pos) == 0 && f.f_op->write(&f, "x", 1, &f.f_pos) == 1,
	   "/dev/null: EOF on read, writes succeed");
	nd->i_rdev = makedev(1, 7);
	file_init(&f, nd, O_RDWR);
	memset(buf, 1, sizeof(buf));
	ok(open_special(nd, &f) == 0 &&
	   f.f_op->read(&f, buf, 16, &f.f_pos) == 16 && buf[15] == 0 &&
	   f.f_op->write(&f, "x", 1, &f.f_pos) == -ENOSPC,
	   "/dev/full: zeros, -ENOSPC");
	nd->i_rdev = makedev(1, 9);
	file_init(&f, nd, O_RDONLY);
	{
		char again[16];

		memset(buf, 0, sizeof(buf));
		memset(again, 0, sizeof(again));
		ok(open_special(nd, &f) == 0 &&
		   f.f_op->read(&f, buf, 16, &f.f_pos) == 16 &&
		   f.f_op->read(&f, again, 16, &f.f_pos) == 16 &&
		   memcmp(buf, again, 16) != 0,
		   "/dev/urandom: two reads give different bytes");
	}
	nd->i_rdev = makedev(1, 1);
	file_init(&f, nd, O_RDONLY);
	ok(open_special(nd, &f) == -ENXIO, "minor 1 (/dev/mem): -ENXIO");
	nd->i_rdev = makedev(77, 0);
	file_init(&f, nd, O_RDONLY);
	ok(open_special(nd, &f) == -ENXIO, "unregistered major: -ENXIO");
	ok(register_chrdev(1, "again", &fifo_fops) == -EBUSY,
	   "register_chrdev of a taken major: -EBUSY");
	{
		char text[512];

		list_devices(text, sizeof(text));
		ok(!strncmp(text, "Character devices:\n  1 mem\n", 27) &&
		   strstr(text, "\nBlock devices:\n"), "/proc/devices format");
	}
	n = q("fifo");
	iput(nd);
	ok(root->i_op->mknod(root, &n, S_IFIFO | 0600, 0, &nd) == 0, "mknod FIFO");
	file_init(&f, nd, O_WRONLY | O_NONBLOCK);
	ok(open_special(nd, &f) == -ENXIO,
	   "FIFO: O_WRONLY|O_NONBLOCK without a reader is -ENXIO");
	file_init(&f, nd, O_RDONLY | O_NONBLOCK);
	ok(open_special(nd, &f) == 0 && f.f_op && f.f_op != &fifo_fops &&
	   f.f_op->read(&f, buf, sizeof(buf), &f.f_pos) == 0,
	   "FIFO: O_RDONLY|O_NONBLOCK opens at once, reads EOF (no writer)");
	if (f.f_op && f.f_op->release)
		f.f_op->release(nd, &f);
	iput(nd);
	iput(a);
	left = umount_fs(sb);
	ok(left == 0, "unmount frees every inode (%d left)", left);
}

static void test_devtmpfs(void)
{
	int left;
	struct super_block *sb;
	struct inode *root, *x;
	char buf[64];
	int err;
	long len;

	sb = mount_fs("devtmpfs", NULL, &err);
	ok(sb != NULL, "devtmpfs mounts");
	if (!sb)
		return;
	root = root_of(sb);
	ok(root->i_mode == (S_IFDIR | 0755), "devtmpfs root is 0755");
	x = lookup(root, "null");
	ok(x && x->i_mode == (S_IFCHR | 0666) && x->i_rdev == makedev(1, 3) &&
	   x->i_uid == 0, "null is (1,3) 0666 root");
	iput(x);
	x = lookup(root, "console");
	ok(x && x->i_mode == (S_IFCHR | 0600) && x->i_rdev == makedev(5, 1),
	   "console is (5,1) 0600");
	iput(x);
	x = lookup(root, "ubda");
	ok(x && x->i_mode == (S_IFBLK | 0660) && x->i_rdev == makedev(98, 0) &&
	   lookup(root, "ubdb") == NULL, "ubda for the configured disk only");
	iput(x);
	x = lookup(root, "stdin");
	len = x ? x->i_op->readlink(x, buf, sizeof(buf)) : 0;
	ok(len == 15 && !memcmp(buf, "/proc/self/fd/0", 15), "stdin symlink");
	iput(x);
	x = lookup(root, "shm");
	ok(x && x->i_mode == (S_IFDIR | 01777), "shm is 01777");
	iput(x);
	left = umount_fs(sb);
	ok(left == 0, "unmount frees every inode (%d left)", left);
}

#define PLANNED 76

/* ubda: a configured disk (never opened), for devtmpfs's node. */
static void setup_ubda(void)
{
	char err[128];

	ok(ubd_setup(0, "/nonexistent/ubda.img", 0, err, sizeof(err)) == 0,
	   "ubd0 configured");
}

int main(void)
{
	unit_init();
	setup_ubda();
	init_tmpfs();
	init_devtmpfs();
	test_mount_and_statfs();
	test_files();
	test_readdir();
	test_rename();
	test_unlink_links();
	test_setattr_and_nodes();
	test_devtmpfs();
	if (test_no != PLANNED)
		diag("planned %d tests, ran %d", PLANNED, test_no);
	ok(test_no == PLANNED, "ran every planned test");
	return tap_done();
}
