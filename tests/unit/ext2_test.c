/*
 * Host-side unit test of the ubd driver and the ext2/3/4 filesystem, linked
 * with the whole real kernel (the VFS around them, locks, printk: the test
 * process is the guest, tests/unit/fakes.c): makes images with mke2fs,
 * mounts them through fill_super, drives the inode and file operations
 * directly, unmounts and checks each image with `e2fsck -fn` (and some
 * contents with debugfs).
 * Prints TAP: "ok N - ..." / "not ok N - ...", then "1..N".
 */
#include <umk/fs.h>
#include <umk/init.h>
#include <umk/sched.h>
#include <umk/ubd.h>
#include <umk/uaccess.h>
#include <umk/timer.h>
#include <event.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include "fakes.h"

/* ---- helpers ------------------------------------------------------------ */

static char tmpdir[64];
static const struct file_operations *blk_fops;	/* major 98's, once registered */
static char img_path[128];	/* the image behind ubd0 */
static bool big_inodes;		/* its inodes have room for ext4's extra times */
static bool has_filetype;	/* its directory entries carry a file type */

/* The image behind ubd0 was remade (its size may differ): reopen. */
static void reopen_ubd(void)
{
	ubd_close_all();
	if (ubd_open_all())
		printf("Bail out! ubd_open_all\n");
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* `e2fsck -fn` exit status; its output goes to the TAP log on failure. */
static int fsck(const char *img)
{
	int st = run("e2fsck -fn %s > %s/fsck.out 2>&1", img, tmpdir);

	if (st)
		run("sed 's/^/# /' %s/fsck.out", tmpdir);
	return st;
}

/* Output of a debugfs request, first line, into buf. */
static void debugfs(const char *img, const char *req, char *buf, size_t len)
{
	char cmd[512];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "debugfs -R '%s' %s 2>/dev/null", req, img);
	buf[0] = '\0';
	p = popen(cmd, "r");
	if (!p)
		return;
	len = fread(buf, 1, len - 1, p);
	buf[len] = '\0';
	pclose(p);
}

/* Device number of ubdN. */
static dev_t ubd_dev(int n)
{
	return makedev(UBD_MAJOR, n << UBD_SHIFT);
}

/* Mount ubd device n with filesystem type; NULL and *err on failure. */
static struct super_block *mount_ubd(int n, const char *type, bool ro,
				     const char *opts, int *err)
{
	return mount_fs_dev(type, ubd_dev(n), "/dev/ubda", ro ? MS_RDONLY : 0,
			    opts, err);
}

/* Unmount as the kernel does; no inode may stay referenced. */
static void umount_ubd(struct super_block *sb)
{
	int left = umount_fs(sb);

	ok(left == 0, "no inode reference leaked at unmount (%d left)", left);
}

static struct inode *root_of(struct super_block *sb)
{
	return sb->s_root->d_inode;
}

static int lookup_err(struct inode *dir, const char *name)
{
	struct qstr n = q(name);
	struct inode *res = NULL;
	int err = dir->i_op->lookup(dir, &n, &res);

	if (!err)
		iput(res);
	return err;
}

static struct inode *create(struct inode *dir, const char *name, mode_t mode)
{
	struct qstr n = q(name);
	struct inode *res = NULL;

	return dir->i_op->create(dir, &n, mode, &res) ? NULL : res;
}

static struct inode *mkdir_(struct inode *dir, const char *name, mode_t mode)
{
	struct qstr n = q(name);
	struct inode *res = NULL;

	return dir->i_op->mkdir(dir, &n, mode, &res) ? NULL : res;
}

static int mkdir_err(struct inode *dir, const char *name)
{
	struct inode *d = mkdir_(dir, name, 0755);

	if (!d)
		return -1;
	iput(d);
	return 0;
}

static ssize_t pwrite_(struct inode *inode, const void *buf, size_t len,
		       loff_t off)
{
	struct file f;

	file_init(&f, inode, O_RDWR);
	return f.f_op->write(&f, buf, len, &off);
}

static ssize_t pread_(struct inode *inode, void *buf, size_t len, loff_t off)
{
	struct file f;

	file_init(&f, inode, O_RDONLY);
	return f.f_op->read(&f, buf, len, &off);
}

static int truncate_(struct inode *inode, loff_t size)
{
	struct iattr a = { .ia_valid = ATTR_SIZE, .ia_size = size };

	return inode->i_op->setattr(inode, &a);
}

static int unlink_(struct inode *dir, const char *name)
{
	struct inode *v = lookup(dir, name);
	struct qstr n = q(name);
	int err;

	if (!v)
		return -ENOENT;
	err = S_ISDIR(v->i_mode) ? dir->i_op->rmdir(dir, &n, v) :
				   dir->i_op->unlink(dir, &n, v);
	iput(v);
	return err;
}

static int rename_(struct inode *od, const char *on, struct inode *nd,
		   const char *nn, unsigned int flags)
{
	struct inode *ov = lookup(od, on), *nv = lookup(nd, nn);
	struct qstr oq = q(on), nq = q(nn);
	int err;

	if (!ov) {
		iput(nv);
		return -ENOENT;
	}
	err = od->i_op->rename(od, &oq, ov, nd, &nq, nv, flags);
	iput(ov);
	iput(nv);
	return err;
}

static long readlink_(struct inode *dir, const char *name, char *buf,
		      size_t size)
{
	struct inode *l = lookup(dir, name);
	long n;

	if (!l)
		return -ENOENT;
	n = l->i_op->readlink(l, buf, size);
	iput(l);
	return n;
}

/* readdir into a list of names, `per_call` entries per iterate call. */
struct names {
	struct dir_context ctx;
	int room;		/* entries this call may still take */
	int n;
	char name[1000][64];
	uint64_t ino[1000];
	unsigned char type[1000];
};

static bool names_actor(struct dir_context *ctx, const char *name, int len,
			loff_t pos, uint64_t ino, unsigned int type)
{
	struct names *l = container_of(ctx, struct names, ctx);

	if (!l->room || l->n >= 1000)
		return false;
	l->room--;
	snprintf(l->name[l->n], sizeof(l->name[0]), "%.*s", len, name);
	l->ino[l->n] = ino;
	l->type[l->n++] = type;
	return true;
}

static int readdir_(struct inode *dir, struct names *l, int per_call)
{
	struct file f;
	int err, before;

	memset(l, 0, sizeof(*l));
	l->ctx.actor = names_actor;
	file_init(&f, dir, O_RDONLY);
	do {
		before = l->n;
		l->room = per_call;
		err = f.f_op->iterate(&f, &l->ctx);
	} while (!err && l->n > before);
	return err;
}

static int find_name(struct names *l, const char *name)
{
	int i, found = 0;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->name[i], name))
			found++;
	return found;
}

/* ---- ubd ---------------------------------------------------------------- */

static void test_ubd(void)
{
	char err[256], path[160];

	ok(ubd_setup(16, "x", 0, err, sizeof(err)) == -EINVAL,
	   "ubd_setup: ubd16 is -EINVAL");
	ok(ubd_setup(1, "a.img,b.img", UBD_FLAG_NOCOW, err, sizeof(err)) ==
	   -EINVAL && strstr(err, "d flag"),
	   "ubd_setup: d with a COW file is -EINVAL (%s)", err);
	ok(ubd_setup(1, "", 0, err, sizeof(err)) == -EINVAL,
	   "ubd_setup: empty file name is -EINVAL");
	ok(ubd_parse_option("ubd16=x", err, sizeof(err)) == -EINVAL &&
	   ubd_parse_option("ubdq=x", err, sizeof(err)) == -EINVAL &&
	   strstr(err, "out of range"), "ubd_parse_option: ubd16, ubdq out "
	   "of range (%s)", err);
	ok(ubd_parse_option("ubd1x=x", err, sizeof(err)) == -EINVAL &&
	   strstr(err, "flag"), "ubd_parse_option: unknown flag (%s)", err);
	ok(ubd_parse_option("ubd1=", err, sizeof(err)) == -EINVAL,
	   "ubd_parse_option: no file");
	snprintf(path, sizeof(path), "%s/missing.img", tmpdir);
	ok(ubd_setup(7, path, 0, err, sizeof(err)) == 0 &&
	   ubd_setup(7, path, 0, err, sizeof(err)) == -EBUSY,
	   "ubd_setup: a device given twice is -EBUSY");
	ok(ubd_open_all() == -ENOENT, "ubd_open_all: missing image is -ENOENT");
	ok(ubd_get(7) && ubd_get(6) == NULL, "ubd_get");
	run("truncate -s 1M %s", path);		/* later opens succeed */
}

/* Device 1: a 1 MiB raw image through the block device f_op. */
static void test_ubd_blk(void)
{
	char err[128], path[160], buf[8192], out[512];

	struct inode node = { .i_rdev = ubd_dev(1) };
	struct file f;
	uint64_t size64 = 0;
	unsigned long sectors = 0;
	int ssz = 0, i;
	loff_t pos;

	snprintf(path, sizeof(path), "%s/raw.img", tmpdir);
	run("truncate -s 1M %s", path);
	ok(ubd_setup(1, path, false, err, sizeof(err)) == 0, "ubd_setup ubd1");
	ok(ubd_open_all() == 0, "ubd_open_all opens ubd1");
	ok(ubd_init() == 0 && (blk_fops = get_blkdev_fops(ubd_dev(1))) != NULL,
	   "ubd_init registers major 98");
	ok(ubd_get_by_dev(ubd_dev(1)) == ubd_get(1) &&
	   !ubd_get_by_dev(makedev(UBD_MAJOR, 17)) &&
	   !ubd_get_by_dev(makedev(8, 16)), "ubd_get_by_dev");
	ok(ubd_size(ubd_get(1)) == 1 << 20, "ubd_size is 1 MiB");
	memset(&f, 0, sizeof(f));
	f.f_inode = &node;
	f.f_mode = FMODE_READ | FMODE_WRITE;
	ok(blk_fops->open(&node, &f) == 0, "open /dev/ubdb");
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = i * 7;
	pos = 4096 - 100;
	ok(blk_fops->write(&f, buf, sizeof(buf), &pos) == sizeof(buf) &&
	   pos == 4096 - 100 + (loff_t)sizeof(buf), "write at an odd offset");
	memset(buf, 0, sizeof(buf));
	pos = 4096 - 100;
	ok(blk_fops->read(&f, buf, sizeof(buf), &pos) == sizeof(buf) &&
	   buf[1] == 7 && buf[8191] == (char)(8191 * 7), "read it back");
	pos = (1 << 20) - 10;
	ok(blk_fops->write(&f, buf, 100, &pos) == 10, "write crossing the end is short");
	ok(blk_fops->write(&f, buf, 100, &pos) == -ENOSPC, "write at the end is -ENOSPC");
	ok(blk_fops->read(&f, buf, 100, &pos) == 0, "read at the end is 0");
	ok(blk_fops->llseek(&f, 0, SEEK_END) == 1 << 20 &&
	   blk_fops->llseek(&f, 1, SEEK_END) == -EINVAL, "llseek SEEK_END");
	ok(blk_fops->ioctl(&f, BLKGETSIZE64, (unsigned long)&size64) == 0 &&
	   size64 == 1 << 20, "BLKGETSIZE64");
	ok(blk_fops->ioctl(&f, BLKGETSIZE, (unsigned long)&sectors) == 0 &&
	   sectors == 2048, "BLKGETSIZE");
	ok(blk_fops->ioctl(&f, BLKSSZGET, (unsigned long)&ssz) == 0 &&
	   ssz == 512, "BLKSSZGET");
	ok(blk_fops->ioctl(&f, BLKFLSBUF, 0) == 0, "BLKFLSBUF");
	ok(blk_fops->ioctl(&f, 0x1234, 0) == -ENOTTY, "unknown ioctl -ENOTTY");
	ok(blk_fops->fsync(&f, 0) == 0, "fsync");
	ubd_partitions(out, sizeof(out));
	ok(!strcmp(out, "major minor  #blocks  name\n\n"
		   "  98       16       1024 ubdb\n"
		   "  98      112       1024 ubdh\n"),
	   "/proc/partitions format");
}

/* ---- ext2/3/4 ----------------------------------------------------------- */

static void check_lookup_cache(struct inode *root)
{
	struct inode *a = lookup(root, "hello"), *b = lookup(root, "hello");

	ok(a && a == b && a->i_count >= 2, "two lookups give one inode");
	iput(a);
	iput(b);
	ok(lookup_err(root, "nope") == -ENOENT, "lookup of a missing name");
}

static void check_files(struct super_block *sb)
{
	struct inode *root = root_of(sb), *f;
	static char big[300000], back[300000];
	char buf[64];
	size_t i;

	f = create(root, "hello", 0644);
	ok(f && S_ISREG(f->i_mode) && (f->i_mode & 07777) == 0644 &&
	   f->i_nlink == 1 && f->i_size == 0, "create a regular file");
	if (!f)
		return;
	ok(pwrite_(f, "hello world\n", 12, 0) == 12 && f->i_size == 12,
	   "write 12 bytes");
	ok(pread_(f, buf, sizeof(buf), 0) == 12 && !memcmp(buf, "hello world\n", 12),
	   "read them back");
	ok(pread_(f, buf, sizeof(buf), 12) == 0, "read at EOF is 0");
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 31 + i / 4096);
	ok(pwrite_(f, big, sizeof(big), 5000) == sizeof(big) &&
	   f->i_size == 5000 + sizeof(big), "write 300 KB past EOF");
	ok(pread_(f, back, sizeof(back), 5000) == sizeof(back) &&
	   !memcmp(big, back, sizeof(big)), "read 300 KB back");
	ok(pread_(f, buf, 20, 11) == 20 && buf[0] == '\n' && buf[1] == 0 &&
	   buf[19] == 0, "gap after the old EOF reads as zeros");
	ok(f->i_blocks > 0 && f->i_blocks % 2 == 0, "i_blocks in sectors (%llu)",
	   (unsigned long long)f->i_blocks);
	ok(truncate_(f, 100000) == 0 && f->i_size == 100000, "truncate shrink");
	ok(pread_(f, back, 10, 99995) == 5 && !memcmp(back, big + 94995, 5),
	   "data up to the new size kept");
	pwrite_(f, "ABCDEFGHIJ", 10, 90);
	ok(truncate_(f, 100) == 0 && truncate_(f, 200000) == 0 &&
	   pread_(f, back, 20, 90) == 20 && !memcmp(back, "ABCDEFGHIJ", 10) &&
	   !memcmp(back + 10, "\0\0\0\0\0\0\0\0\0\0", 10) &&
	   pread_(f, back, 10, 150000) == 10 && !back[0] && !back[9],
	   "shrink then grow: the tail reads as zeros");
	ok(pwrite_(f, "x", 1, 5ULL << 30) == 1 &&
	   f->i_size == (5LL << 30) + 1 && f->i_blocks < 2000,
	   "sparse write at 5 GiB (large file)");
	ok(pread_(f, buf, 4, (5ULL << 30) - 3) == 4 && buf[3] == 'x' && !buf[0],
	   "read around 5 GiB");
	ok(truncate_(f, 12) == 0 && f->i_size == 12, "truncate back to 12");
	iput(f);
	check_lookup_cache(root);
}

static void check_dirs(struct super_block *sb)
{
	struct inode *root = root_of(sb), *d, *sub, *f;
	unsigned int root_links = root->i_nlink;
	static struct names l;
	char name[32];
	int i, err;

	d = mkdir_(root, "dir", 0755);
	ok(d && S_ISDIR(d->i_mode) && d->i_nlink == 2 &&
	   root->i_nlink == root_links + 1, "mkdir: links 2, parent + 1");
	if (!d)
		return;
	ok(mkdir_err(d, "sub") == 0 && d->i_nlink == 3, "mkdir dir/sub");
	f = create(d, "a", 0600);
	ok(f != NULL, "create dir/a");
	iput(f);
	ok(unlink_(root, "dir") == -ENOTEMPTY, "rmdir of a non-empty dir");
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "file-with-a-long-name-%03d", i);
		f = create(d, name, 0644);
		if (!f)
			break;
		iput(f);
	}
	ok(i == 300 && d->i_size > 4096, "300 entries grow the directory (%lld)",
	   (long long)d->i_size);
	err = readdir_(d, &l, 7);
	ok(!err && l.n == 304 && find_name(&l, ".") == 1 &&
	   find_name(&l, "..") == 1 && find_name(&l, "sub") == 1 &&
	   find_name(&l, "file-with-a-long-name-123") == 1,
	   "readdir 7 at a time sees every entry once (%d)", l.n);
	ok(l.type[0] == (has_filetype ? DT_DIR : DT_UNKNOWN) &&
	   l.ino[0] == d->i_ino, "\".\" first, d_type %d", l.type[0]);
	for (i = 0; i < l.n && strcmp(l.name[i], "a"); i++)
		;
	ok(i < l.n && l.type[i] == (has_filetype ? DT_REG : DT_UNKNOWN),
	   "d_type of a file");
	for (i = 0; i < 300; i += 2) {
		snprintf(name, sizeof(name), "file-with-a-long-name-%03d", i);
		if (unlink_(d, name))
			break;
	}
	ok(i == 300, "unlink every other entry");
	err = readdir_(d, &l, 1000);
	ok(!err && l.n == 154, "readdir after unlinks (%d)", l.n);
	sub = lookup(d, "sub");
	ok(sub && sub->i_nlink == 2, "dir/sub has 2 links");
	iput(sub);
	ok(unlink_(d, "sub") == 0 && d->i_nlink == 2, "rmdir: parent - 1");
	ok(lookup_err(d, "sub") == -ENOENT, "rmdir'ed name is gone");
	iput(d);
}

static void check_rename(struct super_block *sb)
{
	struct inode *root = root_of(sb), *d1, *d2, *x, *f, *p;
	unsigned int links;

	d1 = mkdir_(root, "r1", 0755);
	d2 = mkdir_(root, "r2", 0755);
	if (!d1 || !d2) {
		ok(false, "mkdir r1 r2");
		return;
	}
	f = create(d1, "f", 0644);
	pwrite_(f, "F", 1, 0);
	iput(f);
	f = create(d2, "g", 0644);
	pwrite_(f, "G", 1, 0);
	iput(f);
	ok(rename_(d1, "f", d2, "f2", 0) == 0 && lookup_err(d1, "f") == -ENOENT &&
	   lookup_err(d2, "f2") == 0, "rename a file across directories");
	ok(rename_(d2, "f2", d2, "g", RENAME_NOREPLACE) == -EEXIST,
	   "RENAME_NOREPLACE onto an existing name");
	ok(rename_(d2, "f2", d2, "g", 0) == 0, "rename over an existing file");
	f = lookup(d2, "g");
	ok(f && pread_(f, (char[2]){0}, 1, 0) == 1, "target now holds f");
	if (f) {
		char c = 0;

		pread_(f, &c, 1, 0);
		ok(c == 'F' && f->i_nlink == 1, "replaced content and links");
		iput(f);
	}
	x = mkdir_(d1, "moved", 0755);
	iput(x);
	links = d2->i_nlink;
	ok(rename_(d1, "moved", d2, "moved", 0) == 0 && d1->i_nlink == 2 &&
	   d2->i_nlink == links + 1, "move a directory: parents' links follow");
	x = lookup(d2, "moved");
	p = x ? lookup(x, "..") : NULL;
	ok(p && p == d2, "moved directory's \"..\" is updated");
	iput(p);
	iput(x);
	x = mkdir_(d1, "empty", 0755);
	iput(x);
	links = d1->i_nlink;
	ok(rename_(d2, "moved", d1, "empty", 0) == 0 &&
	   d1->i_nlink == links && d2->i_nlink == 2,
	   "directory over an empty directory");
	x = mkdir_(d2, "full", 0755);
	f = create(x, "in", 0644);
	iput(f);
	iput(x);
	ok(rename_(d1, "empty", d2, "full", 0) == -ENOTEMPTY,
	   "directory over a non-empty directory is -ENOTEMPTY");
	ok(rename_(d1, "empty", d2, "full", RENAME_EXCHANGE) == 0 &&
	   lookup_err(d1, "empty") == 0 && lookup_err(d2, "full") == 0,
	   "RENAME_EXCHANGE of two directories");
	x = lookup(d1, "empty");
	p = x ? lookup(x, "..") : NULL;
	ok(x && lookup_err(x, "in") == 0 && p == d1,
	   "exchanged directory has its content and \"..\"");
	iput(p);
	iput(x);
	ok(rename_(d1, "empty", d1, "empty", 0) == 0, "rename onto itself");
	iput(d1);
	iput(d2);
}

static void check_links(struct super_block *sb)
{
	struct inode *root = root_of(sb), *f, *l;
	struct qstr n = q("hard");
	char buf[4200], target[300];
	long len;

	f = lookup(root, "hello");
	ok(f && root->i_op->link(f, root, &n) == 0 && f->i_nlink == 2,
	   "link: nlink 2");
	l = lookup(root, "hard");
	ok(l == f, "the new name gives the same inode");
	iput(l);
	ok(unlink_(root, "hello") == 0 && f->i_nlink == 1, "unlink: nlink 1");
	iput(f);
	n = q("short");
	ok(root->i_op->symlink(root, &n, "hard", &l) == 0 && S_ISLNK(l->i_mode) &&
	   l->i_size == 4, "fast symlink");
	iput(l);
	ok(readlink_(root, "short", buf, sizeof(buf)) == 4 &&
	   !memcmp(buf, "hard", 4), "readlink of a fast symlink");
	memset(target, 'z', sizeof(target));
	target[0] = '/';
	target[299] = '\0';
	n = q("long");
	ok(root->i_op->symlink(root, &n, target, &l) == 0 && l->i_size == 299,
	   "slow symlink (299 bytes)");
	iput(l);
	len = readlink_(root, "long", buf, sizeof(buf));
	ok(len == 299 && !memcmp(buf, target, 299), "readlink of a slow symlink");
	ok(readlink_(root, "long", buf, 10) == 10, "readlink truncates");
	memset(buf, 'y', sizeof(buf));
	buf[4199] = '\0';
	n = q("toolong");
	ok(root->i_op->symlink(root, &n, buf, &l) == -ENAMETOOLONG,
	   "symlink longer than a block is -ENAMETOOLONG");
}

static void check_nodes(struct super_block *sb)
{
	struct inode *root = root_of(sb), *n;
	struct qstr name;

	name = q("null");
	ok(root->i_op->mknod(root, &name, S_IFCHR | 0666, makedev(1, 3), &n) == 0 &&
	   S_ISCHR(n->i_mode) && n->i_rdev == makedev(1, 3) && !n->i_fop,
	   "mknod char 1:3, no f_op");
	iput(n);
	name = q("bigdev");
	ok(root->i_op->mknod(root, &name, S_IFBLK | 0600, makedev(259, 70000), &n) == 0,
	   "mknod block 259:70000 (new encoding)");
	iput(n);
	name = q("fifo");
	ok(root->i_op->mknod(root, &name, S_IFIFO | 0644, 0, &n) == 0 &&
	   S_ISFIFO(n->i_mode) && !n->i_fop, "mknod fifo");
	iput(n);
	name = q("sock");
	ok(root->i_op->mknod(root, &name, S_IFSOCK | 0644, 0, &n) == 0,
	   "mknod socket");
	iput(n);
	n = lookup(root, "bigdev");
	ok(n && n->i_rdev == makedev(259, 70000) && S_ISBLK(n->i_mode),
	   "block device number after re-reading");
	iput(n);
}

static void check_attrs(struct super_block *sb)
{
	struct inode *root = root_of(sb), *f, *d, *g;
	struct iattr a = {
		.ia_valid = ATTR_MODE | ATTR_UID | ATTR_GID | ATTR_ATIME |
			    ATTR_MTIME,
		.ia_mode = S_IFREG | 04751, .ia_uid = 100000, .ia_gid = 70000,
		.ia_atime = { 1000000000, 123456789 },
		.ia_mtime = { 3000000000LL, 987654321 },
	};
	struct kstatfs st;
	char c;

	f = create(root, "attrs", 0644);
	ok(f && f->i_op->setattr(f, &a) == 0, "setattr mode, ids, times");
	iput(f);
	f = lookup(root, "attrs");
	ok(f && (f->i_mode & 07777) == 04751 && f->i_uid == 100000 &&
	   f->i_gid == 70000, "32-bit uid/gid and setuid mode kept");
	if (big_inodes)
		ok(f && f->i_atime.tv_sec == 1000000000 &&
		   f->i_atime.tv_nsec == 123456789 &&
		   f->i_mtime.tv_sec == 3000000000LL &&
		   f->i_mtime.tv_nsec == 987654321,
		   "nanosecond times, past 2038");
	else
		ok(f && f->i_atime.tv_sec == 1000000000 && !f->i_atime.tv_nsec,
		   "128-byte inodes keep seconds only");
	test_cred.fsuid = test_cred.euid = 1000;
	test_cred.cap_effective = 0;
	ok(f && pwrite_(f, "x", 1, 0) == 1 && !(f->i_mode & S_ISUID),
	   "a write by non-root clears setuid");
	test_cred.fsuid = test_cred.euid = 0;
	test_cred.cap_effective = CAP_FULL_SET;
	ok(f && f->i_mtime.tv_sec > 1600000000, "write updates mtime");
	if (f) {
		f->i_mode = S_IFREG | 0600;
		f->i_atime = (struct timespec){ 1234567, 0 };
		mark_inode_dirty(f);
	}
	iput(f);
	f = lookup(root, "attrs");
	ok(f && (f->i_mode & 07777) == 0600 && f->i_atime.tv_sec == 1234567,
	   "write_inode stores what mark_inode_dirty saw");
	iput(f);

	d = mkdir_(root, "sgid", 02775);
	a.ia_valid = ATTR_GID;
	a.ia_gid = 4242;
	ok(d && d->i_op->setattr(d, &a) == 0 && (d->i_mode & S_ISGID),
	   "setgid directory");
	test_cred.fsuid = 1000;
	test_cred.fsgid = 1000;
	g = create(d, "child", 0644);
	ok(g && g->i_gid == 4242 && g->i_uid == 1000,
	   "new file takes the setgid directory's group, caller's fsuid");
	iput(g);
	g = mkdir_(d, "subdir", 0755);
	ok(g && g->i_gid == 4242 && (g->i_mode & S_ISGID),
	   "new directory inherits the setgid bit");
	iput(g);
	test_cred.fsuid = test_cred.fsgid = 0;
	iput(d);

	/* An open file keeps its blocks until the last reference goes. */
	f = create(root, "open-unlinked", 0644);
	pwrite_(f, "data", 4, 0);
	ok(unlink_(root, "open-unlinked") == 0 && f->i_nlink == 0 &&
	   pread_(f, &c, 1, 2) == 1 && c == 't', "unlinked file still readable");
	iput(f);

	ok(sb->s_op->statfs(sb, &st) == 0 && st.f_type == 0xEF53 &&
	   st.f_namelen == 255 && st.f_bfree <= st.f_blocks &&
	   st.f_blocks > 0 && st.f_ffree < st.f_files, "statfs");
	ok(sb->s_op->sync_fs(sb, 1) == 0, "sync_fs");
}

/* Fill the filesystem: -ENOSPC, then free it again. */
static void check_enospc(struct super_block *sb)
{
	struct inode *root = root_of(sb), *f;
	static char chunk[1 << 20];
	ssize_t n = 0;
	int i;

	f = create(root, "filler", 0644);
	for (i = 0; f && i < 128; i++) {
		n = pwrite_(f, chunk, sizeof(chunk), (loff_t)i << 20);
		if (n != (ssize_t)sizeof(chunk))
			break;
	}
	ok(n >= 0 ? i < 128 : n == -ENOSPC, "filling the disk ends in -ENOSPC (%zd)",
	   n);
	iput(f);
	ok(unlink_(root, "filler") == 0, "unlink the filler");
}

/* ---- the read path: block maps against a model ------------------------- */

#define MODEL_MAX (2 << 20)

/* Compare [off, off + len) of f with the model of size size. */
static bool model_read_ok(struct inode *f, const char *model, size_t size,
			  size_t off, size_t len)
{
	static char back[MODEL_MAX + 70000];
	size_t want = off < size ? min(len, size - off) : 0;
	ssize_t n;

	memset(back, 0x5a, len);
	n = pread_(f, back, len, off);
	if (n != (ssize_t)want) {
		printf("# read %zu at %zu: %zd, want %zu\n", len, off, n, want);
		return false;
	}
	if (want && memcmp(back, model + off, want)) {
		printf("# read %zu at %zu: data differs\n", len, off);
		return false;
	}
	return true;
}

/* Read all of f in chunk-byte reads and compare with the model. */
static bool model_scan_ok(struct inode *f, const char *model, size_t size,
			  size_t chunk)
{
	size_t off;

	for (off = 0; off < size + chunk; off += chunk)
		if (!model_read_ok(f, model, size, off, chunk))
			return false;
	return true;
}

static void model_write(struct inode *f, char *model, size_t *size,
			size_t off, size_t len, bool *good)
{
	static char data[70000];

	for (size_t i = 0; i < len; i++)
		data[i] = (char)(rand() | 1);
	if (pwrite_(f, data, len, off) != (ssize_t)len) {
		*good = false;
		return;
	}
	memcpy(model + off, data, len);
	if (off + len > *size)
		*size = off + len;
}

static void model_truncate(struct inode *f, char *model, size_t *size,
			   size_t to, bool *good)
{
	if (truncate_(f, to)) {
		*good = false;
		return;
	}
	if (to > *size)
		memset(model + *size, 0, to - *size);
	else
		memset(model + to, 0, *size - to);	/* a later gap is zeros */
	*size = to;
}

/*
 * Reads through the cached block maps stay right while the file changes
 * under them: holes, partial last blocks, more runs than one map holds,
 * writes and truncates between reads, inode reuse, more files than map
 * slots.
 */
static void check_read_model(struct super_block *sb)
{
	static char model[MODEL_MAX], other[6][9000];
	struct inode *root = root_of(sb), *f, *g[6];
	size_t size = 0, off, len, i;
	bool good = true;
	int k;

	srand(42);
	f = create(root, "model", 0644);
	if (!f) {
		ok(false, "create the model file");
		return;
	}
	memset(model, 0, sizeof(model));
	for (i = 0; i < 80 && good; i++)
		model_write(f, model, &size, i * 8192 + (i % 7) * 100, 100 + i,
			    &good);
	ok(good && model_scan_ok(f, model, size, 65536) &&
	   model_scan_ok(f, model, size, 4097) &&
	   model_scan_ok(f, model, size, 1 << 20),
	   "80 small writes 8 KiB apart (more runs than a map) read back");
	for (i = 0; i < 40 && good; i++)
		model_write(f, model, &size, i * 8192 + 4096, 3000, &good);
	ok(good && model_scan_ok(f, model, size, 65536) &&
	   model_read_ok(f, model, size, 4000, 300000),
	   "filling holes after reading them: the new data reads back");
	for (k = 0; k < 300 && good; k++) {
		int op = rand() % 10;

		off = rand() % (MODEL_MAX - 70000);
		len = rand() % 3 ? rand() % 70000 : rand() % 20 + 1;
		if (op < 4)
			model_write(f, model, &size, off, len, &good);
		else if (op == 4)
			model_truncate(f, model, &size, rand() % MODEL_MAX,
				       &good);
		else if (!model_read_ok(f, model, size, op == 5 ? off :
					size - min(size, len / 2), len))
			good = false;
	}
	ok(good && f->i_size == (loff_t)size &&
	   model_scan_ok(f, model, size, 65536) &&
	   model_scan_ok(f, model, size, 12345),
	   "300 random writes, truncates and reads agree with a model");
	model_truncate(f, model, &size, 5000, &good);
	ok(good && model_read_ok(f, model, size, 0, 65536) &&
	   model_read_ok(f, model, size, 4095, 2) &&
	   model_read_ok(f, model, size, 4999, 10) &&
	   model_read_ok(f, model, size, 5000, 10),
	   "partial last block: reads stop at i_size");
	iput(f);
	ok(unlink_(root, "model") == 0, "unlink the model file");

	/* Inode reuse: the map of a freed inode must not serve its heir. */
	f = create(root, "reuse1", 0644);
	memset(model, 'A', 30000);
	ok(f && pwrite_(f, model, 30000, 0) == 30000 &&
	   model_read_ok(f, model, 30000, 0, 30000), "write and read reuse1");
	iput(f);
	unlink_(root, "reuse1");
	f = create(root, "reuse2", 0644);
	memset(model, 'B', 30000);
	ok(f && pwrite_(f, model, 7000, 20000) == 7000 &&
	   pread_(f, other[0], 9000, 19000) == 8000 && !other[0][999] &&
	   other[0][1000] == 'B' && other[0][7999] == 'B',
	   "a new file on a reused inode reads its own data");
	iput(f);
	unlink_(root, "reuse2");

	/* More files than map slots, read in turns. */
	for (k = 0; k < 6; k++) {
		char name[16];

		snprintf(name, sizeof(name), "turn%d", k);
		memset(other[k], 'a' + k, sizeof(other[k]));
		g[k] = create(root, name, 0644);
		if (!g[k] || pwrite_(g[k], other[k], sizeof(other[k]), 0) !=
		    (ssize_t)sizeof(other[k]))
			good = false;
	}
	for (i = 0; good && i < sizeof(other[0]); i += 1500)
		for (k = 0; k < 6; k++)
			if (!model_read_ok(g[k], other[k], sizeof(other[k]), i,
					   1500))
				good = false;
	ok(good, "six files read in turns");
	for (k = 0; k < 6; k++) {
		char name[16];

		snprintf(name, sizeof(name), "turn%d", k);
		iput(g[k]);
		unlink_(root, name);
	}
}

/* The battery of operations on a fresh image of type made by mkfs_opts. */
static void exercise(const char *type, const char *mkfs_opts, const char *size)
{
	struct super_block *sb;
	char out[4096];
	int e;

	printf("# %s: mke2fs %s (%s)\n", type, mkfs_opts, size);
	if (run("mke2fs -q -F %s %s %s >/dev/null 2>&1", mkfs_opts, img_path,
		size)) {
		ok(false, "mke2fs %s", mkfs_opts);
		return;
	}
	debugfs(img_path, "stats", out, sizeof(out));
	big_inodes = !strstr(out, "Inode size:	          128");
	has_filetype = strstr(out, " filetype") != NULL;
	reopen_ubd();
	sb = mount_ubd(0, type, false, NULL, &e);
	ok(sb != NULL, "mount %s read-write (%d)", type, e);
	if (!sb)
		return;
	check_files(sb);
	check_dirs(sb);
	check_rename(sb);
	check_links(sb);
	check_nodes(sb);
	check_attrs(sb);
	check_enospc(sb);
	check_read_model(sb);
	umount_ubd(sb);
	ok(fsck(img_path) == 0, "e2fsck -fn is clean after %s", type);
	debugfs(img_path, "cat /hard", out, sizeof(out));
	ok(!strncmp(out, "hello world\n", 12), "debugfs reads our file");
	debugfs(img_path, "stat /null", out, sizeof(out));
	ok(strstr(out, "Device major/minor number: 01:03") != NULL,
	   "debugfs agrees on the device number");
	debugfs(img_path, "stat /bigdev", out, sizeof(out));
	ok(strstr(out, "259:70000") != NULL || strstr(out, "103:11170") != NULL,
	   "debugfs agrees on a new-style device number");
}

/* An image made with mke2fs -d from a host tree, then changed. */
static void test_populated(const char *features)
{
	struct super_block *sb;
	struct inode *root, *d, *f;
	static struct names l;
	char src[160], buf[256];
	int e;

	snprintf(src, sizeof(src), "%s/tree", tmpdir);
	run("rm -rf %s && mkdir -p %s/etc %s/bin/deep/er && "
	    "echo root:x:0:0 > %s/etc/passwd && ln -s ../etc/passwd %s/bin/pw && "
	    "head -c 200000 /dev/urandom > %s/bin/blob && "
	    "cp %s/bin/blob %s/blob.copy && chmod 4755 %s/bin/blob",
	    src, src, src, src, src, src, src, tmpdir, src);
	printf("# mke2fs -d %s\n", features);
	if (run("mke2fs -q -F -t ext4 %s -d %s %s 16M >/dev/null 2>&1",
		features, src, img_path)) {
		ok(false, "mke2fs -d");
		return;
	}
	reopen_ubd();
	sb = mount_ubd(0, "ext4", true, NULL, &e);
	ok(sb != NULL, "mount a mke2fs -d image read-only");
	if (!sb)
		return;
	root = root_of(sb);
	d = lookup(root, "etc");
	f = d ? lookup(d, "passwd") : NULL;
	ok(f && pread_(f, buf, sizeof(buf), 0) == 11 && !memcmp(buf, "root:x:0:0\n", 11),
	   "read /etc/passwd");
	ok(f && pwrite_(f, "x", 1, 0) == -EROFS, "write on a ro mount is -EROFS");
	iput(f);
	iput(d);
	d = lookup(root, "bin");
	ok(d && readlink_(d, "pw", buf, sizeof(buf)) == 13 &&
	   !memcmp(buf, "../etc/passwd", 13), "readlink /bin/pw");
	ok(d && !readdir_(d, &l, 2) && l.n == 5 && find_name(&l, "deep") &&
	   find_name(&l, "blob"), "readdir /bin");
	iput(d);
	umount_ubd(sb);

	sb = mount_ubd(0, "ext4", false, "errors=remount-ro,noatime", &e);
	ok(sb != NULL, "mount it read-write with options");
	if (!sb)
		return;
	root = root_of(sb);
	d = lookup(root, "bin");
	f = d ? lookup(d, "blob") : NULL;
	if (f) {
		static char a[200000], b[200000];
		int fd;
		ssize_t got;

		snprintf(src, sizeof(src), "%s/blob.copy", tmpdir);
		fd = open(src, O_RDONLY);
		got = read(fd, a, sizeof(a));
		close(fd);
		ok(got == 200000 && pread_(f, b, sizeof(b), 0) == 200000 &&
		   !memcmp(a, b, sizeof(a)) && (f->i_mode & 07777) == 04755,
		   "a 200 KB file matches the host copy");
	} else {
		ok(false, "lookup /bin/blob");
	}
	iput(f);
	ok(d && rename_(d, "deep", root, "deep", 0) == 0, "move /bin/deep to /deep");
	ok(d && unlink_(d, "pw") == 0, "unlink /bin/pw");
	f = d ? create(d, "added", 0644) : NULL;
	ok(f && pwrite_(f, "tiny", 4, 0) == 4, "create and write in /bin");
	if (f) {
		static char buf2[5000];

		memset(buf2, 'q', sizeof(buf2));
		ok(pwrite_(f, buf2, sizeof(buf2), 4) == sizeof(buf2) &&
		   f->i_size == 5004, "grow it past a block");
		iput(f);
	}
	iput(d);
	d = lookup(root, "etc");
	f = d ? lookup(d, "passwd") : NULL;
	ok(f && pwrite_(f, "ROOT", 4, 0) == 4 && truncate_(f, 6) == 0 &&
	   pread_(f, buf, sizeof(buf), 0) == 6 && !memcmp(buf, "ROOT:x", 6),
	   "rewrite and truncate a small file");
	iput(f);
	ok(d && readdir_(d, &l, 1) == 0 && l.n == 3, "readdir /etc one by one");
	ok(d && unlink_(d, "passwd") == 0 && unlink_(root, "etc") == 0,
	   "empty and remove /etc");
	iput(d);
	ok(mkdir_err(root, "new") == 0, "mkdir /new");
	umount_ubd(sb);
	ok(fsck(img_path) == 0, "e2fsck -fn is clean after changing a -d image");
}

/* f, read through the filesystem in chunk-byte reads (at most 1 MiB),
 * equals host file path. */
static bool same_as_host(struct inode *f, const char *path, size_t chunk)
{
	static char a[1 << 20], b[1 << 20];
	ssize_t n, m;
	off_t off = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return false;
	do {
		n = pread(fd, a, chunk, off);
		m = pread_(f, b, chunk, off);
		if (n != m || (n > 0 && memcmp(a, b, n))) {
			printf("# %s at %lld: %zd bytes, want %zd\n", path,
			       (long long)off, m, n);
			break;
		}
		off += n;
	} while (n > 0);
	close(fd);
	return n == 0 && m == 0;
}

/*
 * SEEK_DATA and SEEK_HOLE over all of f, against its bytes: every range
 * between a hole and the next data reads as zeros, the data ranges tile
 * what is left, and the holes found (bytes) are counted into *holes.
 * False (with a note) when the walk and the bytes disagree.
 */
static bool seeks_agree(struct inode *f, const char *name, loff_t *holes)
{
	static char buf[1 << 16];
	struct file file;
	loff_t pos = 0, d, h;

	file_init(&file, f, O_RDONLY);
	*holes = 0;
	while (pos < f->i_size) {
		d = file.f_op->llseek(&file, pos, SEEK_DATA);
		if (d == -ENXIO)
			d = f->i_size;
		h = d < f->i_size ? file.f_op->llseek(&file, d, SEEK_HOLE) :
				    f->i_size;
		if (d < pos || h <= (d < f->i_size ? d : pos - 1) ||
		    h > f->i_size) {
			printf("# %s: from %lld: data %lld, hole %lld\n", name,
			       (long long)pos, (long long)d, (long long)h);
			return false;
		}
		*holes += d - pos;
		for (loff_t at = pos; at < d; ) {	/* the hole: zeros */
			ssize_t n = pread_(f, buf, min((loff_t)sizeof(buf),
						       d - at), at);

			if (n <= 0)
				return false;
			for (ssize_t j = 0; j < n; j++)
				if (buf[j]) {
					printf("# %s: byte %lld in a hole is "
					       "%#x\n", name,
					       (long long)(at + j), buf[j]);
					return false;
				}
			at += n;
		}
		pos = h;
	}
	return file.f_op->llseek(&file, f->i_size, SEEK_DATA) == -ENXIO &&
	       file.f_op->llseek(&file, f->i_size, SEEK_HOLE) == -ENXIO;
}

/*
 * Files made by mke2fs -d, read back on every layout: direct, indirect,
 * double and triple indirect blocks (ext2, ext3), extents, holes from
 * the host's sparse files, partial last blocks, unwritten extents.
 */
static void test_read_layouts(const char *type, const char *mkfs_opts)
{
	static const char *const names[] = {
		"dense", "sparse", "far", "small", "tiny", "empty", "block",
	};
	static const size_t chunks[] = { 65536, 4097, 1000, 1 << 20 };
	struct super_block *sb;
	struct inode *root, *f;
	char src[160], path[200], buf[8192];
	size_t i, c;
	int e, bad;

	snprintf(src, sizeof(src), "%s/layouts", tmpdir);
	run("rm -rf %s && mkdir -p %s && cd %s && "
	    "head -c 3000000 /dev/urandom > dense && "
	    "head -c 300000 /dev/urandom > gone && "
	    "dd if=/dev/urandom of=sparse bs=1000 count=7 seek=100 2>/dev/null && "
	    "dd if=/dev/urandom of=sparse bs=1000 count=300 seek=600 "
	    "conv=notrunc 2>/dev/null && truncate -s +3333 sparse && "
	    "dd if=/dev/urandom of=far bs=1000 count=3 seek=70000 2>/dev/null && "
	    "head -c 5000 /dev/urandom > small && printf x > tiny && "
	    ": > empty && : > unwritten && head -c 4096 /dev/urandom > block",
	    src, src, src);
	printf("# mke2fs -t %s %s -d\n", type, mkfs_opts);
	if (run("mke2fs -q -F -t %s %s -d %s %s 24M >/dev/null 2>&1", type,
		mkfs_opts, src, img_path)) {
		ok(false, "mke2fs -t %s %s -d", type, mkfs_opts);
		return;
	}
	if (!strcmp(type, "ext4"))
		run("debugfs -w -R 'rm /gone' %s >/dev/null 2>&1 && "
		    "debugfs -w -R 'fallocate /unwritten 0 39' %s >/dev/null "
		    "2>&1 && debugfs -w -R 'sif /unwritten size 40000' %s "
		    ">/dev/null 2>&1", img_path, img_path, img_path);
	reopen_ubd();
	sb = mount_ubd(0, type, true, NULL, &e);
	ok(sb != NULL, "mount the %s layouts image (%d)", type, e);
	if (!sb)
		return;
	root = root_of(sb);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		f = lookup(root, names[i]);
		snprintf(path, sizeof(path), "%s/%s", src, names[i]);
		for (c = 0, bad = 0; f && c < ARRAY_SIZE(chunks); c++)
			bad += !same_as_host(f, path, chunks[c]);
		ok(f && !bad, "%s: %s reads as the host file", type, names[i]);
		if (f && f->i_size) {
			loff_t holes;
			bool agree = seeks_agree(f, names[i], &holes);
			/* sparse has 600 KB of holes and far 70 MB: most of
			 * each must be found whatever the block size. */
			loff_t want = !strcmp(names[i], "sparse") ? 500000 :
				      !strcmp(names[i], "far") ? 69000000 : 0;

			ok(agree && holes >= want,
			   "%s: %s: SEEK_DATA and SEEK_HOLE agree with its "
			   "bytes (%lld bytes of holes)", type, names[i],
			   (long long)holes);
		}
		iput(f);
	}
	f = lookup(root, "unwritten");
	if (f && f->i_size == 40000) {
		memset(buf, 1, sizeof(buf));
		for (c = 0, bad = 0; c < 40000; c += sizeof(buf)) {
			ssize_t n = pread_(f, buf, sizeof(buf), c);

			bad += n != (ssize_t)min(sizeof(buf), 40000 - c);
			for (ssize_t j = 0; j < n; j++)
				bad += buf[j] != 0;
		}
		ok(!bad, "unwritten extents read as zeros");
		{
			struct file file;

			file_init(&file, f, O_RDONLY);
			ok(file.f_op->llseek(&file, 0, SEEK_DATA) == -ENXIO &&
			   file.f_op->llseek(&file, 100, SEEK_HOLE) == 100,
			   "unwritten extents are a hole to SEEK_DATA");
		}
	}
	iput(f);
	umount_ubd(sb);
}

/* ------------------------------------------------------------------ */
/* Crash consistency: every prefix of the writes a change makes.       */

/* The images of ubd0 and ubd1 (the s flag) in the crash cuts. */
static char crash_img[8][200];

/* The changes: each runs on a mounted copy of the base image. */
static void crash_create(struct inode *root)
{
	static char data[10000];
	struct inode *d = lookup(root, "d"), *f;
	char name[16];

	memset(data, 'c', sizeof(data));
	for (int i = 0; d && i < 6; i++) {
		snprintf(name, sizeof(name), "new%d", i);
		f = create(d, name, S_IFREG | 0644);
		if (f)
			pwrite_(f, data, 1 + i * 1999, 0);
		iput(f);
	}
	if (d) {	/* a slow symlink: its target in a block */
		struct qstr n = q("link");

		data[200] = '\0';
		f = NULL;
		if (!d->i_op->symlink(d, &n, data, &f))
			iput(f);
	}
	iput(d);
}

static void crash_unlink(struct inode *root)
{
	struct inode *d = lookup(root, "d");

	for (int i = 0; d && i < 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "old%d", i);
		unlink_(d, name);
	}
	iput(d);
	d = lookup(root, "e");
	if (d)
		unlink_(d, "x");
	iput(d);
	unlink_(root, "e");		/* rmdir */
}

static void crash_rename(struct inode *root)
{
	struct inode *d = lookup(root, "d");

	if (d) {
		rename_(d, "old3", d, "old4", 0);	/* over a file with data */
		rename_(d, "old5", root, "moved", 0);
		rename_(root, "top", d, "old1", 0);	/* over, across */
		rename_(root, "e", root, "e2", 0);	/* a directory, in place */
	}
	iput(d);
}

/* A fragmented file (an extent leaf block) goes, then a full directory
 * grows by a block and takes names and a link: the freed blocks are the
 * first handed out again. */
static void crash_grow_reuse(struct inode *root)
{
	struct inode *big = lookup(root, "big"), *d = lookup(root, "d"), *f;
	char name[48];

	f = create(root, "frag", S_IFREG | 0644);
	for (int i = 0; f && i < 12; i++)
		pwrite_(f, "x", 1, (loff_t)i * 65536);
	iput(f);
	unlink_(root, "frag");
	for (int i = 0; big && i < 150; i++) {
		snprintf(name, sizeof(name), "added-a-rather-long-name-%03d", i);
		f = create(big, name, S_IFREG | 0644);
		iput(f);
	}
	if (d)
		unlink_(d, "old5");
	f = big ? lookup(big, "added-a-rather-long-name-000") : NULL;
	if (f && d) {
		struct qstr n = q("hard");

		d->i_op->link(f, d, &n);
	}
	iput(f);
	iput(big);
	iput(d);
}

/* A file written sparsely: its extent tree grows past the inode's four
 * extents into a block of its own. */
static void crash_extents(struct inode *root)
{
	struct inode *f = create(root, "sparse", S_IFREG | 0644);

	for (int i = 0; f && i < 12; i++)
		pwrite_(f, "x", 1, (loff_t)i * 65536);
	iput(f);
}

/* Freed and reused at once: a directory and a file go in one directory,
 * a directory and files come in another (the lowest free inodes and
 * blocks are handed out again). */
static void crash_reuse(struct inode *root)
{
	static char data[9000];
	struct inode *d = lookup(root, "d"), *e = lookup(root, "e"), *sub, *f;

	memset(data, 'r', sizeof(data));
	if (e)
		unlink_(e, "x");
	unlink_(root, "e");		/* rmdir */
	if (d) {
		unlink_(d, "old3");
		sub = mkdir_(d, "m", S_IFDIR | 0755);
		f = sub ? create(sub, "g", S_IFREG | 0644) : NULL;
		if (f)
			pwrite_(f, data, sizeof(data), 0);
		iput(f);
		iput(sub);
	}
	iput(d);
	iput(e);
}

/* A name goes and another comes in the same block: a removal waiting
 * to go last, then a new directory and file that must not overtake it. */
static void crash_unlink_mkdir(struct inode *root)
{
	struct inode *d = lookup(root, "d"), *sub, *f;

	if (d) {
		unlink_(d, "old0");
		sub = mkdir_(d, "b", S_IFDIR | 0755);
		f = sub ? create(sub, "f", S_IFREG | 0644) : NULL;
		if (f)
			pwrite_(f, "data", 4, 0);
		iput(f);
		iput(sub);
		unlink_(d, "old2");
	}
	iput(d);
}

static void crash_mkdir(struct inode *root)
{
	static char data[5000];
	struct inode *sub, *f;
	char name[16];

	memset(data, 'm', sizeof(data));
	for (int i = 0; i < 3; i++) {	/* Orlov spreads them over groups */
		snprintf(name, sizeof(name), "sub%d", i);
		sub = mkdir_(root, name, S_IFDIR | 0755);
		f = sub ? create(sub, "f", S_IFREG | 0644) : NULL;
		if (f)
			pwrite_(f, data, sizeof(data), 0);
		iput(f);
		iput(sub);
	}
}

/*
 * Make change on the base image on ubd n (ubd1: the s flag, every write
 * its own request, so the cuts follow the order of the calls) and sync,
 * with the device's writes cut
 * after k requests for k = 0, 1, ... up to all of them: each cut is what
 * SIGKILL of umk at that moment leaves. e2fsck -p must mend every one
 * without a question, and -fn then find it clean. The number of cuts that
 * passed; *total gets how many there were.
 */
static int crash_cuts(int n, const char *base, void (*change)(struct inode *),
		      int *total)
{
	struct ubd *u = ubd_get(n);
	int good = 0, k, e;

	*total = 0;
	for (k = 0; k < 200; k++) {
		struct super_block *sb;
		unsigned long start;
		int st;

		run("cp %s %s", base, crash_img[n]);
		reopen_ubd();
		sb = mount_ubd(n, "ext4", false, NULL, &e);
		if (!sb)
			break;
		start = ubd_writes_queued(u);
		ubd_fail_writes_after(u, k);
		change(root_of(sb));
		sb->s_op->sync_fs(sb, 1);
		umount_fs(sb);
		ubd_fail_writes_after(u, -1);
		if (ubd_writes_queued(u) - start <= (unsigned long)k)
			break;		/* nothing was cut: all are done */
		(*total)++;
		st = run("e2fsck -fp %s > %s/fsck.out 2>&1", crash_img[n],
			 tmpdir);
		if (st < 4 && st >= 0 &&
		    !run("e2fsck -fn %s >> %s/fsck.out 2>&1", crash_img[n],
			 tmpdir))
			good++;
		else {
			printf("# cut after %d writes: e2fsck -p status %d\n",
			       k, st);
			run("grep -v '^$' %s/fsck.out | head -n 8 | "
			    "sed 's/^/# /'", tmpdir);
		}
	}
	return good;
}

/* The crash cuts of every change on ubd n; with the s flag (ubd6) not the
 * directory renamed in place nor those whose extent tree grows: README.md
 * says why. */
static void test_crash_order(int n, const char *mkfs_opts)
{
	static const struct {
		const char *name;
		void (*change)(struct inode *);
	} changes[] = {
		{ "create and write 6 files", crash_create },
		{ "unlink 3 files with data, rmdir", crash_unlink },
		{ "unlink, mkdir, create, unlink in one directory",
		  crash_unlink_mkdir },
		{ "rename over a file, to another directory, a directory "
		  "within its parent", crash_rename },
		{ "mkdir 3 directories with a file each", crash_mkdir },
		{ "a sparse file's extent tree grows", crash_extents },
		{ "a fragmented file goes, a full directory grows and takes "
		  "a link", crash_grow_reuse },
		{ "rmdir and unlink, then mkdir and create reusing them",
		  crash_reuse },
	};
	char src[160], base[200];
	int total, good;

	snprintf(src, sizeof(src), "%s/crashsrc", tmpdir);
	snprintf(base, sizeof(base), "%s/crashbase.img", tmpdir);
	run("rm -rf %s && mkdir -p %s/d %s/e && cd %s && "
	    "for i in 0 1 2 3 4 5; do head -c $((3000 * (i + 1))) "
	    "/dev/urandom > d/old$i; done && echo x > e/x && "
	    "head -c 5000 /dev/urandom > top && mkdir big && for i in "
	    "$(seq 100); do : > big/a-long-file-name-$i; done",
	    src, src, src, src);
	if (run("mke2fs -q -F -t ext4 %s -d %s %s 8M >/dev/null 2>&1",
		mkfs_opts, src, base)) {
		ok(false, "mke2fs %s for the crash cuts", mkfs_opts);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(changes); i++) {
		if (n == 6 && (changes[i].change == crash_rename ||
				changes[i].change == crash_extents ||
				changes[i].change == crash_grow_reuse))
			continue;
		good = crash_cuts(n, base, changes[i].change, &total);
		ok(total > 0 && good == total,
		   "crash cuts (%s%s): %s: e2fsck -p mends all %d of %d",
		   mkfs_opts, n ? ", s flag" : "", changes[i].name, good,
		   total);
	}
	reopen_ubd();
}

/* An htree-indexed directory (made by e2fsck -D) changed through ext2. */
static void test_htree(void)
{
	struct super_block *sb;
	struct inode *root, *d, *f;
	static struct names l;
	char src[160], name[64], out[4096];
	int e, i, bad = 0;

	snprintf(src, sizeof(src), "%s/htree", tmpdir);
	run("rm -rf %s && mkdir -p %s/big && cd %s/big && "
	    "for i in $(seq 1 400); do : > entry-with-a-longish-name-$i; done",
	    src, src, src);
	run("mke2fs -q -F -t ext4 -d %s %s 16M >/dev/null 2>&1", src, img_path);
	run("e2fsck -fyD %s >/dev/null 2>&1", img_path);
	debugfs(img_path, "htree /big", out, sizeof(out));
	ok(strstr(out, "Root node dump") != NULL, "e2fsck -D indexed /big");
	reopen_ubd();
	sb = mount_ubd(0, "ext4", false, NULL, &e);
	ok(sb != NULL, "mount the htree image");
	if (!sb)
		return;
	root = root_of(sb);
	d = lookup(root, "big");
	for (i = 1; d && i <= 400; i += 37) {
		snprintf(name, sizeof(name), "entry-with-a-longish-name-%d", i);
		bad += lookup_err(d, name) != 0;
	}
	ok(d && !bad, "lookups in an indexed directory");
	for (i = 0; d && i < 600; i++) {
		snprintf(name, sizeof(name), "added-to-the-hashed-directory-%d", i);
		f = create(d, name, 0644);
		if (!f)
			break;
		iput(f);
	}
	ok(i == 600, "600 creates split htree leaves (%d)", i);
	for (i = 1; d && i <= 400; i += 2) {
		snprintf(name, sizeof(name), "entry-with-a-longish-name-%d", i);
		bad += unlink_(d, name) != 0;
	}
	ok(!bad, "200 unlinks in an indexed directory");
	e = d ? readdir_(d, &l, 50) : -1;
	ok(!e && l.n == 802, "readdir sees 802 entries (%d, %d)", l.n, e);
	iput(d);
	umount_ubd(sb);
	ok(fsck(img_path) == 0, "e2fsck -fn is clean after htree changes");
}

/* Refusals: wrong type, bad options, unclean filesystem, not ext. */
static void test_refusals(void)
{
	struct super_block *sb;
	int e;

	run("mke2fs -q -F -t ext4 %s 8M >/dev/null 2>&1", img_path);
	reopen_ubd();
	sb = mount_ubd(0, "ext2", false, NULL, &e);
	ok(!sb && e == -EINVAL && strstr(kmsg_last(), "couldn't mount as ext2"),
	   "ext4 image as ext2 is -EINVAL");
	sb = mount_ubd(0, "ext3", false, NULL, &e);
	ok(!sb && e == -EINVAL, "ext4 image as ext3 is -EINVAL");
	sb = mount_ubd(0, "ext4", false, "bogus=1", &e);
	ok(!sb && e == -EINVAL && strstr(kmsg_last(), "Unrecognized mount option"),
	   "unknown mount option is -EINVAL");
	run("debugfs -w -R 'ssv state 0' %s >/dev/null 2>&1", img_path);
	reopen_ubd();	/* the block cache must not keep what debugfs changed */
	sb = mount_ubd(0, "ext4", false, NULL, &e);
	ok(!sb && e == -EROFS && strstr(kmsg_last(), "not cleanly unmounted"),
	   "unclean filesystem: read-write refused with -EROFS");
	sb = mount_ubd(0, "ext4", true, NULL, &e);
	ok(sb != NULL, "unclean filesystem mounts read-only");
	if (sb)
		umount_ubd(sb);
	run("debugfs -w -R 'ssv state 1' %s >/dev/null 2>&1", img_path);
	run("debugfs -w -R 'feature needs_recovery' %s >/dev/null 2>&1",
	    img_path);
	reopen_ubd();
	sb = mount_ubd(0, "ext4", false, NULL, &e);
	ok(sb != NULL,
	   "journal needing recovery (an empty one): replayed, mounts read-write");
	if (sb)
		umount_ubd(sb);
	run("truncate -s 0 %s && truncate -s 8M %s", img_path, img_path);
	reopen_ubd();
	sb = mount_ubd(0, "ext4", true, NULL, &e);
	ok(!sb && e == -EINVAL && strstr(kmsg_last(), "Can't find ext4 filesystem"),
	   "zeroed image: Can't find ext4 filesystem");
}

/* A read-only ubd device (ubd3, "ubd3r=") holding a copy of disk.img. */
static void test_ro_device(void)
{
	char err[128], path[160], buf[16];
	struct inode node = { .i_rdev = ubd_dev(3) };
	struct super_block *sb;
	struct file f;
	loff_t pos = 0;
	int e;

	snprintf(path, sizeof(path), "%s/ro.img", tmpdir);
	run("mke2fs -q -F -t ext4 %s 8M >/dev/null 2>&1", path);
	ok(ubd_setup(3, path, true, err, sizeof(err)) == 0 &&
	   ubd_open_all() == 0 && ubd_readonly(ubd_get(3)),
	   "read-only ubd3 opens");
	ok(ubd_write(ubd_get(3), "x", 0, 1) == -EROFS, "ubd_write on it: -EROFS");
	memset(&f, 0, sizeof(f));
	f.f_inode = &node;
	f.f_mode = FMODE_READ | FMODE_WRITE;
	ok(blk_fops->open(&node, &f) == -EROFS, "open for writing: -EROFS");
	f.f_mode = FMODE_READ;
	ok(blk_fops->open(&node, &f) == 0 &&
	   blk_fops->read(&f, buf, sizeof(buf), &pos) == sizeof(buf) &&
	   blk_fops->write(&f, buf, 1, &pos) == -EPERM,
	   "read-only open reads; a write is -EPERM");
	sb = mount_ubd(3, "ext4", false, NULL, &e);
	ok(!sb && e == -EROFS, "read-write mount of a ro device: -EROFS");
	sb = mount_ubd(3, "ext4", true, NULL, &e);
	ok(sb != NULL, "read-only mount of a ro device");
	ok(!mount_ubd(3, "ext4", true, NULL, &e) && e == -EBUSY,
	   "a second mount of the device: -EBUSY");
	if (sb)
		umount_ubd(sb);
}

/* Open errors, last: a configured device stays configured. */
static void test_open_errors(void)
{
	char err[128], path[160];

	snprintf(path, sizeof(path), "%s/adir", tmpdir);
	run("mkdir -p %s", path);
	ok(ubd_setup(4, path, false, err, sizeof(err)) == 0 &&
	   ubd_open_all() == -EISDIR, "a directory as image: -EISDIR");
	run("rmdir %s && truncate -s 1M %s", path, path);
	snprintf(path, sizeof(path), "%s/readonly.img", tmpdir);
	run("truncate -s 1M %s && chmod 444 %s", path, path);
	ubd_setup(5, path, 0, err, sizeof(err));
	{
		int r = ubd_open_all();

		ok(r == -EACCES || r == -EROFS,
		   "read-only image without the r flag: -EACCES (%d), even "
		   "for root", r);
	}
	run("chmod 644 %s", path);
	ok(ubd_open_all() == 0, "every device opens again");
}

int main(void)
{
	char err[128];

	unit_init();
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/umk-ext2-test.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	if (run("mke2fs -V >/dev/null 2>&1") < 0 ||
	    run("which e2fsck debugfs >/dev/null")) {
		printf("1..0 # SKIP e2fsprogs not installed\n");
		return 0;
	}
	test_ubd();
	test_ubd_blk();
	init_ext2_fs();
	snprintf(img_path, sizeof(img_path), "%s/disk.img", tmpdir);
	run("truncate -s 8M %s", img_path);
	ok(ubd_setup(0, img_path, false, err, sizeof(err)) == 0, "ubd_setup ubd0");

	exercise("ext4", "-t ext4", "8M");
	exercise("ext4", "-t ext4 -b 4096", "64M");
	exercise("ext4", "-t ext4 -b 1024 -g 1024 -N 4096", "24M");
	exercise("ext4", "-t ext4 -b 1024 -O ^metadata_csum,^64bit", "8M");
	exercise("ext4", "-t ext4 -O inline_data", "8M");
	exercise("ext4", "-t ext4 -I 128", "8M");
	exercise("ext3", "-t ext3", "8M");
	exercise("ext2", "-t ext2", "8M");
	exercise("ext2", "-t ext2 -b 4096 -O ^dir_index,^filetype", "16M");
	test_populated("");
	test_populated("-O inline_data");
	test_read_layouts("ext4", "");
	test_read_layouts("ext4", "-b 4096");
	test_read_layouts("ext3", "-b 1024");
	test_read_layouts("ext2", "-b 1024");
	test_read_layouts("ext2", "-b 4096");
	test_htree();
	snprintf(crash_img[0], sizeof(crash_img[0]), "%s", img_path);
	snprintf(crash_img[6], sizeof(crash_img[6]), "%s/sync.img", tmpdir);
	run("truncate -s 8M %s", crash_img[6]);
	ok(ubd_setup(6, crash_img[6], UBD_FLAG_SYNC, err, sizeof(err)) == 0,
	   "ubd_setup ubd6 with the s flag");
	reopen_ubd();
	test_crash_order(0, "-O ^has_journal");
	test_crash_order(0, "-O ^has_journal -b 1024 -g 1024 -N 512");
	test_crash_order(6, "-O ^has_journal");
	test_refusals();
	test_ro_device();
	test_open_errors();
	ubd_close_all();
	run("rm -rf %s", tmpdir);
	return tap_done();
}
