/*
 * Unit test of the VFS core on the host: the real path walk, dcache,
 * mounts, open, stat, attr, readdir and fcntl code of kernel/fs/ on a tmpfs
 * root, called through the sys_* handlers with host pointers as guest
 * pointers (the test process is the guest: tests/unit/fakes.c), linked
 * with the rest of the real kernel. Calls go through the handlers' typed
 * wrappers, the entries of the dispatch table. Expected results are
 * Linux's. TAP.
 */
#include <umk/fs.h>
#include <umk/syscalls.h>
#include <umk/init.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/vfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <umk/ubd.h>
#include "../../kernel/fs/internal.h"
#include "fakes.h"

static struct cred root_cred = { .usage = 1000, .cap_effective = CAP_FULL_SET,
				 .cap_permitted = CAP_FULL_SET,
				 .cap_bset = CAP_FULL_SET };
static struct cred user_cred = { .usage = 1000, .uid = 1000, .euid = 1000,
				 .suid = 1000, .fsuid = 1000, .gid = 100,
				 .egid = 100, .sgid = 100, .fsgid = 100 };
#define task test_task

/* The VFS's complaints in the kernel log about reference leaks (busy
 * inodes at unmount) and double puts. */
static int busy_complaints(void)
{
	return kmsg_count("Busy inodes") + kmsg_count("dput of unused");
}

#define CHECK(expr, want) do {						\
	long __r = (expr);						\
	ok(__r == (want), "%s == %s (got %ld)", #expr, #want, __r);	\
} while (0)

static void as_user(void) { task.cred = &user_cred; }
static void as_root(void) { task.cred = &root_cred; }

static mode_t mode_of(const char *path)
{
	struct stat st;

	if (SYS(lstat, U(path), U(&st)))
		return 0;
	return st.st_mode;
}

static char *cwd(void)
{
	static char buf[256];
	long r = SYS(getcwd, U(buf), sizeof(buf));

	return r > 0 ? buf : "(error)";
}

/* ubdb (98:16): a 1 MiB image for the mounts of a block filesystem. */
static char ubdb_path[] = "/tmp/umk-vfs-test.XXXXXX";

static void setup(void)
{
	char err[128];
	int fd;

	unit_init();
	init_task = &task;
	task.cred = &root_cred;
	list_add_tail(&task.tasks, &task_list);
	fd = mkstemp(ubdb_path);
	ok(fd >= 0 && ftruncate(fd, 1 << 20) == 0 && close(fd) == 0 &&
	   ubd_setup(1, ubdb_path, 0, err, sizeof(err)) == 0 &&
	   ubd_open_all() == 0 && ubd_init() == 0,
	   "ubdb on a 1 MiB file (%s)", ubdb_path);
	init_tmpfs();
	CHECK(mount_root("none", "tmpfs", 0), 0);
	ok(task.fs->root.mnt == root_mnt, "mount_root set the root");
}

static void test_mkdir_and_walk(void)
{
	struct stat st;

	CHECK(SYS(mkdir, U("/a"), 0777), 0);
	CHECK(mode_of("/a"), S_IFDIR | 0755);
	CHECK(SYS(mkdir, U("/a"), 0755), -EEXIST);
	CHECK(SYS(mkdir, U("/a/b/c"), 0755), -ENOENT);
	CHECK(SYS(mkdir, U("/a/b"), 0755), 0);
	CHECK(SYS(mkdir, U("/a/b/c/"), 0755), 0);
	CHECK(SYS(mkdir, U("/"), 0755), -EEXIST);
	CHECK(SYS(mkdir, U("/a/."), 0755), -EEXIST);
	CHECK(SYS(mkdir, U("/a/.."), 0755), -EEXIST);
	CHECK(SYS(mkdir, U(""), 0755), -ENOENT);
	CHECK(SYS(mkdir, U((void *)16), 0755), -EFAULT);
	CHECK(SYS(stat, U("/a//b///c/"), U(&st)), 0);
	CHECK(SYS(stat, U("/a/b/../b/./c/../../b"), U(&st)), 0);
	CHECK(SYS(stat, U("/../../a/b"), U(&st)), 0);
	CHECK(SYS(stat, U("/nope"), U(&st)), -ENOENT);
	CHECK(SYS(stat, U("/a/b"), U((void *)8)), -EFAULT);

	char longname[300];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	longname[0] = '/';
	CHECK(SYS(stat, U(longname), U(&st)), -ENAMETOOLONG);
	CHECK(SYS(mkdir, U(longname), 0755), -ENAMETOOLONG);
	longname[256] = '\0';
	CHECK(SYS(mkdir, U(longname), 0755), 0);
	CHECK(SYS(rmdir, U(longname)), 0);
}

static void test_files(void)
{
	struct stat st;
	int fd;

	fd = SYS(open, U("/a/f"), O_CREAT | O_WRONLY | O_EXCL, 0666);
	ok(fd >= 0, "create /a/f (fd %d)", fd);
	CHECK(mode_of("/a/f"), S_IFREG | 0644);
	CHECK(SYS(open, U("/a/f"), O_CREAT | O_EXCL | O_RDONLY, 0666), -EEXIST);
	CHECK(SYS(open, U("/a/f/"), O_CREAT | O_RDONLY, 0666), -EISDIR);
	CHECK(SYS(open, U("/a/f/"), O_RDONLY, 0), -ENOTDIR);
	CHECK(SYS(open, U("/a/f/x"), O_RDONLY, 0), -ENOTDIR);
	CHECK(SYS(open, U("/a"), O_WRONLY, 0), -EISDIR);
	CHECK(SYS(open, U("/a"), O_RDONLY | O_CREAT, 0), -EISDIR);
	CHECK(SYS(open, U("/a/f"), O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	CHECK(SYS(open, U("/a/new"), O_RDONLY | O_DIRECTORY | O_CREAT, 0), -EINVAL);
	CHECK(SYS(fstat, fd, U(&st)), 0);
	ok(S_ISREG(st.st_mode) && st.st_nlink == 1, "fstat of the new file");
	CHECK(SYS(fcntl, fd, F_GETFL, 0), O_WRONLY | KO_LARGEFILE);
	CHECK(SYS(fcntl, fd, F_SETFL, O_APPEND | O_NONBLOCK | O_RDWR), 0);
	CHECK(SYS(fcntl, fd, F_GETFL, 0), O_WRONLY | KO_LARGEFILE | O_APPEND | O_NONBLOCK);
	CHECK(SYS(fcntl, fd, F_GETFD, 0), 0);
	CHECK(SYS(fcntl, fd, F_SETFD, FD_CLOEXEC), 0);
	CHECK(SYS(fcntl, fd, F_GETFD, 0), FD_CLOEXEC);
	CHECK(SYS(ioctl, fd, FIONCLEX, 0), 0);
	CHECK(SYS(fcntl, fd, F_GETFD, 0), 0);
	CHECK(SYS(fcntl, fd, F_SETLK, 0), -EFAULT);	/* a NULL struct flock */
	{
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

		CHECK(SYS(fcntl, fd, F_SETLK, U(&fl)), 0);
		fl.l_type = F_UNLCK;
		CHECK(SYS(fcntl, fd, F_SETLK, U(&fl)), 0);
	}
	CHECK(SYS(fcntl, fd, F_GETPIPE_SZ, 0), -EBADF);
	CHECK(SYS(fcntl, fd, 12345, 0), -EINVAL);
	long d = SYS(fcntl, fd, F_DUPFD_CLOEXEC, 10);
	CHECK(d, 10);
	CHECK(SYS(fcntl, 10, F_GETFD, 0), FD_CLOEXEC);
	CHECK(SYS(close, 10), 0);
	CHECK(SYS(close, 10), -EBADF);
	CHECK(SYS(ftruncate, fd, 1000), 0);
	CHECK(SYS(stat, U("/a/f"), U(&st)), 0);
	CHECK(st.st_size, 1000);
	CHECK(SYS(ftruncate, fd, -1L), -EINVAL);
	CHECK(SYS(truncate, U("/a/f"), 10), 0);
	CHECK(SYS(truncate, U("/a"), 10), -EISDIR);
	CHECK(SYS(close, fd), 0);
	fd = SYS(open, U("/a/f"), O_RDONLY, 0);
	CHECK(SYS(ftruncate, fd, 0), -EINVAL);
	int n = 0;
	CHECK(SYS(ioctl, fd, FIONREAD, (unsigned long)&n), 0);
	CHECK(n, 10);
	CHECK(SYS(ioctl, fd, 0x1234, 0), -ENOTTY);
	CHECK(SYS(close, fd), 0);
	fd = SYS(open, U("/a/f"), O_RDWR | O_TRUNC, 0);
	CHECK(SYS(fstat, fd, U(&st)), 0);
	CHECK(st.st_size, 0);
	CHECK(SYS(close, fd), 0);
	fd = SYS(creat, U("/a/g"), 0600);
	ok(fd >= 0, "creat");
	CHECK(SYS(close, fd), 0);
	CHECK(SYS(creat, U("/a/g/"), 0600), -EISDIR);
	CHECK(SYS(mknod, U("/a/fifo"), S_IFIFO | 0644, 0), 0);
	CHECK(mode_of("/a/fifo"), S_IFIFO | 0644);
	CHECK(SYS(mknod, U("/a/dir"), S_IFDIR | 0644, 0), -EPERM);
	CHECK(SYS(mknod, U("/a/reg"), 0644, 0), 0);
	CHECK(mode_of("/a/reg"), S_IFREG | 0644);
	CHECK(SYS(unlink, U("/a/reg")), 0);
	CHECK(SYS(access, U("/a/f"), R_OK | W_OK), 0);
	CHECK(SYS(access, U("/a/f"), X_OK), -EACCES);
	CHECK(SYS(access, U("/a/f"), 8), -EINVAL);
	CHECK(SYS(access, U("/a"), X_OK), 0);
}

static void test_symlinks(void)
{
	struct stat st;
	char buf[64];
	int fd;

	CHECK(SYS(symlink, U("f"), U("/a/lf")), 0);
	CHECK(SYS(symlink, U("/a/b"), U("/a/lb")), 0);
	CHECK(SYS(symlink, U("loop1"), U("/a/loop2")), 0);
	CHECK(SYS(symlink, U("loop2"), U("/a/loop1")), 0);
	CHECK(SYS(symlink, U("missing"), U("/a/dangling")), 0);
	CHECK(SYS(symlink, U(""), U("/a/empty")), -ENOENT);
	CHECK(SYS(symlink, U("x"), U("/a/f")), -EEXIST);
	CHECK(mode_of("/a/lf") & S_IFMT, S_IFLNK);
	CHECK(SYS(stat, U("/a/lf"), U(&st)), 0);
	ok(S_ISREG(st.st_mode), "stat follows a relative symlink");
	CHECK(SYS(stat, U("/a/lb/c"), U(&st)), 0);
	CHECK(SYS(stat, U("/a/lb/"), U(&st)), 0);
	CHECK(SYS(stat, U("/a/lf/"), U(&st)), -ENOTDIR);
	CHECK(SYS(stat, U("/a/loop1"), U(&st)), -ELOOP);
	CHECK(SYS(lstat, U("/a/loop1"), U(&st)), 0);
	CHECK(SYS(stat, U("/a/dangling"), U(&st)), -ENOENT);
	CHECK(SYS(readlink, U("/a/lb"), U(buf), sizeof(buf)), 4);
	ok(memcmp(buf, "/a/b", 4) == 0, "readlink text");
	CHECK(SYS(readlink, U("/a/lb"), U(buf), 2), 2);
	CHECK(SYS(readlink, U("/a/f"), U(buf), sizeof(buf)), -EINVAL);
	CHECK(SYS(readlink, U("/a/lb"), U(buf), 0), -EINVAL);
	CHECK(SYS(readlink, U("/a/lb"), U((void *)8), 10), -EFAULT);
	CHECK(SYS(open, U("/a/lf"), O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	fd = SYS(open, U("/a/lf"), O_PATH | O_NOFOLLOW, 0);
	ok(fd >= 0, "O_PATH|O_NOFOLLOW opens the link itself");
	CHECK(SYS(fstat, fd, U(&st)), 0);
	ok(S_ISLNK(st.st_mode), "fstat of an O_PATH symlink");
	CHECK(SYS(readlinkat, fd, U(""), U(buf), sizeof(buf)), 1);
	CHECK(SYS(ioctl, fd, FIOCLEX, 0), -EBADF);
	CHECK(SYS(fcntl, fd, F_GETFL, 0), O_PATH | O_NOFOLLOW | KO_LARGEFILE);
	CHECK(SYS(fcntl, fd, F_SETFL, 0), -EBADF);
	CHECK(SYS(close, fd), 0);
	fd = SYS(open, U("/a/dangling"), O_CREAT | O_WRONLY, 0644);
	ok(fd >= 0, "O_CREAT through a dangling symlink");
	SYS(close, fd);
	CHECK(SYS(stat, U("/a/missing"), U(&st)), 0);
	CHECK(SYS(open, U("/a/lf"), O_CREAT | O_EXCL | O_WRONLY, 0644), -EEXIST);
	CHECK(SYS(open, U("/a/loop1"), O_CREAT | O_WRONLY, 0644), -ELOOP);
	CHECK(SYS(newfstatat, AT_FDCWD, U("/a/lf"), U(&st), AT_SYMLINK_NOFOLLOW), 0);
	ok(S_ISLNK(st.st_mode), "newfstatat AT_SYMLINK_NOFOLLOW");
	CHECK(SYS(newfstatat, AT_FDCWD, U("/a/lf"), U(&st), 0x40000), -EINVAL);
	CHECK(SYS(unlink, U("/a/missing")), 0);
	CHECK(SYS(unlink, U("/a/dangling")), 0);
}

static void test_cwd_and_dfd(void)
{
	struct stat st;
	int dfd;

	CHECK(SYS(chdir, U("/a/b")), 0);
	ok(strcmp(cwd(), "/a/b") == 0, "getcwd %s", cwd());
	CHECK(SYS(stat, U("c"), U(&st)), 0);
	CHECK(SYS(stat, U("../f"), U(&st)), 0);
	CHECK(SYS(chdir, U("../lb/c")), 0);
	ok(strcmp(cwd(), "/a/b/c") == 0, "getcwd through a symlink %s", cwd());
	char small[4];
	CHECK(SYS(getcwd, U(small), sizeof(small)), -ERANGE);
	CHECK(SYS(getcwd, U((void *)8), 100), -EFAULT);
	CHECK(SYS(chdir, U("/a/f")), -ENOTDIR);
	CHECK(SYS(chdir, U("/")), 0);
	ok(strcmp(cwd(), "/") == 0, "getcwd of / (%s)", cwd());
	CHECK(SYS(getcwd, U(small), 2), 2);

	dfd = SYS(open, U("/a"), O_RDONLY | O_DIRECTORY, 0);
	ok(dfd >= 0, "open dir /a");
	CHECK(SYS(newfstatat, dfd, U("b/c"), U(&st), 0), 0);
	CHECK(SYS(mkdirat, dfd, U("viadfd"), 0700), 0);
	CHECK(mode_of("/a/viadfd"), S_IFDIR | 0700);
	CHECK(SYS(unlinkat, dfd, U("viadfd"), AT_REMOVEDIR), 0);
	CHECK(SYS(unlinkat, dfd, U("viadfd"), 0x1), -EINVAL);
	CHECK(SYS(newfstatat, dfd, U(""), U(&st), AT_EMPTY_PATH), 0);
	ok(S_ISDIR(st.st_mode), "AT_EMPTY_PATH stats the dfd");
	CHECK(SYS(newfstatat, dfd, U(""), U(&st), 0), -ENOENT);
	CHECK(SYS(fchdir, dfd), 0);
	ok(strcmp(cwd(), "/a") == 0, "fchdir (%s)", cwd());
	CHECK(SYS(close, dfd), 0);
	int fd = SYS(open, U("/a/f"), O_RDONLY, 0);
	CHECK(SYS(newfstatat, fd, U("x"), U(&st), 0), -ENOTDIR);
	CHECK(SYS(newfstatat, fd, U("/a"), U(&st), 0), 0);
	CHECK(SYS(fchdir, fd), -ENOTDIR);
	CHECK(SYS(close, fd), 0);
	CHECK(SYS(newfstatat, 99, U("x"), U(&st), 0), -EBADF);
	CHECK(SYS(chdir, U("/")), 0);
}

static void test_rename_link_unlink(void)
{
	struct stat st, st2;

	CHECK(SYS(mkdir, U("/r"), 0755), 0);
	CHECK(SYS(mkdir, U("/r/d1"), 0755), 0);
	CHECK(SYS(mkdir, U("/r/d2"), 0755), 0);
	CHECK(SYS(mkdir, U("/r/d2/sub"), 0755), 0);
	CHECK(SYS(close, SYS(creat, U("/r/f1"), 0644)), 0);
	CHECK(SYS(close, SYS(creat, U("/r/f2"), 0644)), 0);
	CHECK(SYS(rename, U("/r/f1"), U("/r/f3")), 0);
	CHECK(SYS(stat, U("/r/f1"), U(&st)), -ENOENT);
	CHECK(SYS(stat, U("/r/f3"), U(&st)), 0);
	CHECK(SYS(rename, U("/r/f3"), U("/r/f2")), 0);
	CHECK(SYS(stat, U("/r/f3"), U(&st)), -ENOENT);
	CHECK(SYS(rename, U("/r/f2"), U("/r/d1")), -EISDIR);
	CHECK(SYS(rename, U("/r/d1"), U("/r/f2")), -ENOTDIR);
	CHECK(SYS(rename, U("/r/d1"), U("/r/d1/x")), -EINVAL);
	CHECK(SYS(rename, U("/r/d1"), U("/r/d2")), -ENOTEMPTY);
	CHECK(SYS(rename, U("/r/d2/sub"), U("/r/d2")), -ENOTEMPTY);
	CHECK(SYS(rename, U("/r/d2/sub"), U("/r/d1")), 0);
	CHECK(SYS(stat, U("/r/d1"), U(&st)), 0);
	CHECK(SYS(stat, U("/r/d2/sub"), U(&st)), -ENOENT);
	CHECK(SYS(rename, U("/r/f2"), U("/r/f2")), 0);
	CHECK(SYS(rename, U("/r/f2/"), U("/r/f4")), -ENOTDIR);
	CHECK(SYS(rename, U("/r/f2"), U("/r/f4/")), -ENOTDIR);
	CHECK(SYS(rename, U("/r/d1/"), U("/r/d3/")), 0);
	CHECK(SYS(rename, U("/r/."), U("/r/x")), -EBUSY);
	CHECK(SYS(rename, U("/"), U("/r/x")), -EBUSY);
	CHECK(SYS(rename, U("/r/nope"), U("/r/x")), -ENOENT);
	CHECK(SYS(renameat2, AT_FDCWD, U("/r/f2"), AT_FDCWD, U("/r/d3"),
			    RENAME_NOREPLACE), -EEXIST);
	CHECK(SYS(renameat2, AT_FDCWD, U("/r/f2"), AT_FDCWD, U("/r/f5"),
			    RENAME_EXCHANGE), -EINVAL);
	CHECK(SYS(renameat2, AT_FDCWD, U("/r/f2"), AT_FDCWD, U("/r/f5"), 8), -EINVAL);
	CHECK(SYS(renameat2, AT_FDCWD, U("/r/f2"), AT_FDCWD, U("/r/f5"),
			    RENAME_NOREPLACE), 0);

	CHECK(SYS(link, U("/r/f5"), U("/r/hard")), 0);
	CHECK(SYS(stat, U("/r/f5"), U(&st)), 0);
	CHECK(SYS(stat, U("/r/hard"), U(&st2)), 0);
	ok(st.st_ino == st2.st_ino && st.st_nlink == 2, "hard link (nlink %lu)",
	   (unsigned long)st.st_nlink);
	CHECK(SYS(link, U("/r/d3"), U("/r/dl")), -EPERM);
	CHECK(SYS(link, U("/r/f5"), U("/r/hard")), -EEXIST);
	CHECK(SYS(link, U("/r/nope"), U("/r/x")), -ENOENT);
	CHECK(SYS(rename, U("/r/f5"), U("/r/hard")), 0);
	CHECK(SYS(stat, U("/r/f5"), U(&st)), 0);

	CHECK(SYS(unlink, U("/r/d3")), -EISDIR);
	CHECK(SYS(unlink, U("/r/d3/")), -EISDIR);
	CHECK(SYS(unlink, U("/r/f5/")), -ENOTDIR);
	CHECK(SYS(unlink, U("/r/.")), -EISDIR);
	CHECK(SYS(rmdir, U("/r/f5")), -ENOTDIR);
	CHECK(SYS(rmdir, U("/r/.")), -EINVAL);
	CHECK(SYS(rmdir, U("/r/..")), -ENOTEMPTY);
	CHECK(SYS(rmdir, U("/")), -EBUSY);
	CHECK(SYS(rmdir, U("/r")), -ENOTEMPTY);
	CHECK(SYS(unlink, U("/r/f5")), 0);
	CHECK(SYS(unlink, U("/r/hard")), 0);
	CHECK(SYS(unlink, U("/r/hard")), -ENOENT);
	CHECK(SYS(rmdir, U("/r/d3")), 0);
	CHECK(SYS(rmdir, U("/r/d2/")), 0);

	/* A removed cwd. */
	CHECK(SYS(mkdir, U("/r/gone"), 0755), 0);
	CHECK(SYS(chdir, U("/r/gone")), 0);
	CHECK(SYS(rmdir, U("/r/gone")), 0);
	char buf[64];
	CHECK(SYS(getcwd, U(buf), sizeof(buf)), -ENOENT);
	CHECK(SYS(mkdir, U("x"), 0755), -ENOENT);
	CHECK(SYS(open, U("x"), O_CREAT | O_RDWR, 0644), -ENOENT);
	CHECK(SYS(stat, U("."), U(&st)), 0);
	CHECK(SYS(chdir, U("/")), 0);
	CHECK(SYS(rmdir, U("/r")), 0);
}

static void test_permissions(void)
{
	struct stat st;

	CHECK(SYS(mkdir, U("/p"), 0777), 0);
	CHECK(SYS(chmod, U("/p"), 01777), 0);
	CHECK(mode_of("/p"), S_IFDIR | 01777);
	CHECK(SYS(mkdir, U("/p/rootonly"), 0700), 0);
	CHECK(SYS(close, SYS(creat, U("/p/rootfile"), 0644)), 0);
	as_user();
	CHECK(SYS(stat, U("/p/rootonly/x"), U(&st)), -EACCES);
	CHECK(SYS(mkdir, U("/p/rootonly/x"), 0755), -EACCES);
	CHECK(SYS(open, U("/p/rootfile"), O_WRONLY, 0), -EACCES);
	CHECK(SYS(open, U("/p/rootfile"), O_RDONLY | O_TRUNC, 0), -EACCES);
	CHECK(SYS(unlink, U("/p/rootfile")), -EPERM);
	CHECK(SYS(rename, U("/p/rootfile"), U("/p/mine")), -EPERM);
	CHECK(SYS(chmod, U("/p/rootfile"), 0777), -EPERM);
	CHECK(SYS(chown, U("/p/rootfile"), 1000, -1), -EPERM);
	CHECK(SYS(utimensat, AT_FDCWD, U("/p/rootfile"), U(NULL), 0), -EACCES);
	CHECK(SYS(mknod, U("/p/dev"), S_IFCHR | 0600, 0x0101), -EPERM);
	CHECK(SYS(chroot, U("/p")), -EPERM);
	CHECK(SYS(mkdir, U("/p/mine"), 0777), 0);
	CHECK(SYS(stat, U("/p/mine"), U(&st)), 0);
	ok(st.st_uid == 1000 && st.st_gid == 100, "new dir owned by fsuid/fsgid");
	CHECK(SYS(close, SYS(open, U("/p/mine/f"), O_CREAT | O_RDWR, 04755)), 0);
	CHECK(mode_of("/p/mine/f"), S_IFREG | 04755);
	CHECK(SYS(chown, U("/p/mine/f"), -1, 100), 0);
	CHECK(mode_of("/p/mine/f"), S_IFREG | 0755);
	CHECK(SYS(chown, U("/p/mine/f"), -1, 0), -EPERM);
	CHECK(SYS(chmod, U("/p/mine/f"), 02755), 0);
	CHECK(mode_of("/p/mine/f"), S_IFREG | 02755);
	struct timespec ts[2] = { { 1000, 0 }, { 2000, UTIME_OMIT } };
	CHECK(SYS(utimensat, AT_FDCWD, U("/p/mine/f"), U(ts), 0), 0);
	CHECK(SYS(stat, U("/p/mine/f"), U(&st)), 0);
	ok(st.st_atime == 1000 && st.st_mtime != 2000, "utimensat OMIT");
	ts[1].tv_nsec = 1000000000;
	CHECK(SYS(utimensat, AT_FDCWD, U("/p/mine/f"), U(ts), 0), -EINVAL);
	CHECK(SYS(utimensat, AT_FDCWD, U("/p/mine/f"), U((void *)8), 0), -EFAULT);
	CHECK(SYS(chmod, U("/p/mine"), 0500), 0);
	CHECK(SYS(unlink, U("/p/mine/f")), -EACCES);
	CHECK(SYS(access, U("/p/mine"), W_OK), -EACCES);
	CHECK(SYS(chmod, U("/p/mine"), 0755), 0);
	CHECK(SYS(unlink, U("/p/mine/f")), 0);
	as_root();
	CHECK(SYS(chown, U("/p/mine"), 0, 0), 0);
	CHECK(SYS(access, U("/p/rootonly"), R_OK | W_OK | X_OK), 0);
	CHECK(SYS(access, U("/p/rootfile"), X_OK), -EACCES);
	/* access uses the real ids. */
	struct cred mixed = root_cred;
	mixed.uid = 1000;
	task.cred = &mixed;
	CHECK(SYS(access, U("/p/rootonly"), R_OK), -EACCES);
	CHECK(SYS(faccessat2, AT_FDCWD, U("/p/rootonly"), R_OK, AT_EACCESS), 0);
	as_root();
	CHECK(SYS(rmdir, U("/p/mine")), 0);
	CHECK(SYS(rmdir, U("/p/rootonly")), 0);
	CHECK(SYS(unlink, U("/p/rootfile")), 0);
	CHECK(SYS(mkdir, U("/p/sg"), 02775), 0);
	CHECK(mode_of("/p/sg"), S_IFDIR | 0755);
	CHECK(SYS(chown, U("/p/sg"), 0, 50), 0);
	CHECK(SYS(chmod, U("/p/sg"), 02775), 0);
	CHECK(SYS(mkdir, U("/p/sg/child"), 0755), 0);
	CHECK(SYS(stat, U("/p/sg/child"), U(&st)), 0);
	ok(st.st_gid == 50 && (st.st_mode & S_ISGID), "setgid dir inheritance");
	CHECK(SYS(rmdir, U("/p/sg/child")), 0);
	CHECK(SYS(rmdir, U("/p/sg")), 0);
	CHECK(SYS(umask, 077), 022);
	CHECK(SYS(mkdir, U("/p/um"), 0777), 0);
	CHECK(mode_of("/p/um"), S_IFDIR | 0700);
	CHECK(SYS(umask, 022), 077);
	CHECK(SYS(rmdir, U("/p/um")), 0);
	CHECK(SYS(rmdir, U("/p")), 0);
}

static void test_readdir(void)
{
	char buf[4096];
	int fd, names = 0, total = 0;
	bool dot = false, dotdot = false, f = false;
	long n;

	fd = SYS(open, U("/a"), O_RDONLY | O_DIRECTORY, 0);
	CHECK(SYS(getdents64, fd, U(buf), 10), -EINVAL);
	while ((n = SYS(getdents64, fd, U(buf), 64)) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			names++;
			dot |= !strcmp(d->d_name, ".");
			dotdot |= !strcmp(d->d_name, "..");
			f |= !strcmp(d->d_name, "f") && d->d_type == DT_REG;
			off += d->d_reclen;
			ok(d->d_reclen % 8 == 0, "reclen %u aligned", d->d_reclen);
		}
		total++;
	}
	CHECK(n, 0);
	ok(dot && dotdot && f && total > 1, "getdents64 over %d calls: %d names",
	   total, names);
	CHECK(SYS(getdents64, fd, U((void *)8), 4096), 0);
	CHECK(SYS(close, fd), 0);
	fd = SYS(open, U("/a"), O_RDONLY | O_DIRECTORY, 0);
	CHECK(SYS(getdents64, fd, U((void *)8), 4096), -EFAULT);
	n = SYS(getdents, fd, U(buf), sizeof(buf));
	ok(n > 0, "getdents");
	int old = 0;
	for (long off = 0; off < n;) {
		unsigned short reclen = *(unsigned short *)(buf + off + 16);
		char *name = buf + off + 18;

		if (!strcmp(name, "f") && buf[off + reclen - 1] == DT_REG)
			old++;
		off += reclen;
	}
	CHECK(old, 1);
	CHECK(SYS(close, fd), 0);
	fd = SYS(open, U("/a/f"), O_RDONLY, 0);
	CHECK(SYS(getdents64, fd, U(buf), sizeof(buf)), -ENOTDIR);
	CHECK(SYS(close, fd), 0);
	CHECK(SYS(getdents64, 77, U(buf), sizeof(buf)), -EBADF);
}

static void test_mounts(void)
{
	struct stat st, st2;
	struct statfs sfs;
	int fd;

	CHECK(SYS(mkdir, U("/mnt"), 0755), 0);
	CHECK(SYS(mount, U("none"), U("/mnt"), U("tmpfs"), MS_NOSUID, U("size=1m")), 0);
	CHECK(SYS(stat, U("/mnt"), U(&st)), 0);
	CHECK(SYS(stat, U("/"), U(&st2)), 0);
	ok(st.st_dev != st2.st_dev, "mounted tmpfs has its own st_dev");
	CHECK(SYS(mount, U("none"), U("/mnt"), U("nofs"), 0, U(NULL)), -ENODEV);
	CHECK(SYS(mount, U("none"), U("/a/f"), U("tmpfs"), 0, U(NULL)), -ENOTDIR);
	CHECK(SYS(mount, U("none"), U("/mnt"), U("tmpfs"), MS_BIND, U(NULL)), -EINVAL);
	CHECK(SYS(statfs, U("/mnt"), U(&sfs)), 0);
	ok(sfs.f_flags & ST_NOSUID, "statfs f_flags has ST_NOSUID");
	CHECK(SYS(mkdir, U("/mnt/x"), 0755), 0);
	CHECK(SYS(close, SYS(creat, U("/mnt/x/file"), 0644)), 0);
	CHECK(SYS(rename, U("/mnt/x/file"), U("/a/file")), -EXDEV);
	CHECK(SYS(link, U("/mnt/x/file"), U("/a/file")), -EXDEV);
	CHECK(SYS(rmdir, U("/mnt")), -EBUSY);
	CHECK(SYS(rename, U("/mnt"), U("/mnt2")), -EBUSY);
	CHECK(SYS(chdir, U("/mnt/x")), 0);
	ok(strcmp(cwd(), "/mnt/x") == 0, "cwd in a mount (%s)", cwd());
	CHECK(SYS(stat, U("../../a/f"), U(&st)), 0);
	CHECK(SYS(umount2, U("/mnt"), 0), -EBUSY);
	CHECK(SYS(chdir, U("..")), 0);
	ok(strcmp(cwd(), "/mnt") == 0, "cwd at the mount root (%s)", cwd());
	CHECK(SYS(chdir, U("..")), 0);
	ok(strcmp(cwd(), "/") == 0, "'..' leaves the mount (%s)", cwd());
	fd = SYS(open, U("/mnt/x/file"), O_RDONLY, 0);
	CHECK(SYS(umount2, U("/mnt"), 0), -EBUSY);
	CHECK(SYS(close, fd), 0);
	CHECK(SYS(umount2, U("/mnt/x"), 0), -EINVAL);
	CHECK(SYS(umount2, U("/"), 0), -EBUSY);
	CHECK(SYS(umount2, U("/mnt"), MNT_FORCE), -EINVAL);
	as_user();
	CHECK(SYS(umount2, U("/mnt"), 0), -EPERM);
	CHECK(SYS(mount, U("none"), U("/mnt"), U("tmpfs"), 0, U(NULL)), -EPERM);
	as_root();
	int before = busy_complaints();
	CHECK(SYS(umount2, U("/mnt"), 0), 0);
	CHECK(busy_complaints(), before);
	CHECK(SYS(stat, U("/mnt/x"), U(&st)), -ENOENT);

	/* Stacked mounts, and a chroot with an unreachable cwd. */
	CHECK(SYS(mount, U("a"), U("/mnt"), U("tmpfs"), 0, U(NULL)), 0);
	CHECK(SYS(mkdir, U("/mnt/lower"), 0755), 0);
	CHECK(SYS(mount, U("b"), U("/mnt"), U("tmpfs"), 0, U(NULL)), 0);
	CHECK(SYS(stat, U("/mnt/lower"), U(&st)), -ENOENT);
	CHECK(SYS(mkdir, U("/mnt/jail"), 0755), 0);
	CHECK(SYS(chdir, U("/mnt")), 0);
	CHECK(SYS(chroot, U("jail")), 0);
	ok(strncmp(cwd(), "(unreachable)/", 14) == 0, "unreachable cwd (%s)", cwd());
	CHECK(SYS(chdir, U("/")), 0);
	ok(strcmp(cwd(), "/") == 0, "cwd at the new root (%s)", cwd());
	CHECK(SYS(stat, U("/.."), U(&st)), 0);
	CHECK(SYS(stat, U("/../../a"), U(&st)), -ENOENT);
	CHECK(SYS(mkdir, U("/in"), 0755), 0);
	/* Back out of the jail. */
	set_fs_root_pwd(task.fs);
	CHECK(SYS(stat, U("/mnt/jail/in"), U(&st)), 0);
	CHECK(SYS(umount2, U("/mnt"), 0), 0);
	CHECK(SYS(stat, U("/mnt/lower"), U(&st)), 0);
	CHECK(SYS(umount2, U("/mnt"), MNT_DETACH), 0);
	CHECK(SYS(umount2, U("/mnt"), 0), -EINVAL);
	CHECK(busy_complaints(), before);
	CHECK(SYS(rmdir, U("/mnt")), 0);

	char list[256];
	size_t len = list_filesystems(list, sizeof(list));
	ok(len > 0 && strstr(list, "nodev\ttmpfs\n"), "list_filesystems");
	ok(list_filesystems(list, 5) == 4, "list_filesystems truncates");
}

static void test_d_path(void)
{
	struct path p;
	char buf[128];
	int fd;

	CHECK(kern_path_at(AT_FDCWD, "/a/b/c", 0, &p), 0);
	CHECK(d_path(&p, &task.fs->root, buf, sizeof(buf)), 6);
	ok(strcmp(buf, "/a/b/c") == 0, "d_path %s", buf);
	CHECK(d_path(&p, &task.fs->root, buf, 5), -ENAMETOOLONG);
	path_put(&p);
	fd = SYS(open, U("/a/tmp"), O_CREAT | O_RDWR, 0600);
	CHECK(SYS(unlink, U("/a/tmp")), 0);
	struct file *f = fget(fd);
	CHECK(d_path(&f->f_path, &task.fs->root, buf, sizeof(buf)), 16);
	ok(strcmp(buf, "/a/tmp (deleted)") == 0, "deleted d_path %s", buf);
	fput(f);
	struct stat st;
	CHECK(SYS(fstat, fd, U(&st)), 0);
	CHECK(st.st_nlink, 0);
	CHECK(SYS(close, fd), 0);
}

static int evicted;
static void count_evict(struct inode *inode) { evicted++; }
static const struct super_operations count_sops = {
	.evict_inode = count_evict,
};

/* ilookup through the lazily filled inode hash, with inodes whose number
 * is set late, and eviction at the last iput. */
static void test_inode_cache(void)
{
	struct super_block sb = { .s_op = &count_sops, .s_blocksize = 1024 };
	struct inode *in[300], *a, *b, *c;
	bool all = true;

	INIT_LIST_HEAD(&sb.s_inodes);
	for (int i = 0; i < 300; i++) {
		in[i] = new_inode(&sb);
		in[i]->i_ino = i + 1;
		if (i % 100 == 0)
			ilookup(&sb, 100000);
	}
	CHECK(in[0]->i_blkbits, 10);
	for (int i = 0; i < 300; i++) {
		struct inode *f = ilookup(&sb, i + 1);

		all &= f == in[i] && f->i_count == 2;
		iput(f);
	}
	ok(all, "ilookup finds every inode");
	a = new_inode(&sb);
	b = new_inode(&sb);
	b->i_ino = 1000;
	ok(ilookup(&sb, 1000) == b, "ilookup of a new inode");
	c = new_inode(&sb);
	c->i_ino = 1001;
	ok(ilookup(&sb, 1001) == c, "ilookup after an unnumbered inode");
	a->i_ino = 999;
	ok(ilookup(&sb, 999) == a, "an inode numbered late is found");
	iput(a);
	iput(a);
	CHECK(evicted, 1);
	ok(ilookup(&sb, 999) == NULL, "an evicted inode is gone");
	iput(b);
	iput(b);
	iput(c);
	iput(c);
	for (int i = 0; i < 300; i++)
		iput(in[i]);
	CHECK(evicted, 303);
	ok(list_empty(&sb.s_inodes), "s_inodes empty");
	ok(ilookup(&sb, 5) == NULL, "no inode after all were put");
}

/* A file on no filesystem gets a pseudo path named after its inode. */
static void test_pseudo_files(void)
{
	struct inode *inode = new_inode(NULL);
	struct statfs sfs;
	struct file *f;
	char buf[32];
	int fd;

	inode->i_mode = S_IFIFO | 0600;
	inode->i_ino = 7;
	f = alloc_file(inode, NULL, O_WRONLY);
	ok(!IS_ERR(f) && f->f_inode == inode && inode->i_count == 2,
	   "alloc_file takes the inode over, its dentry holds one more");
	CHECK(d_path(&f->f_path, &task.fs->root, buf, sizeof(buf)), 8);
	ok(strcmp(buf, "pipe:[7]") == 0, "pseudo d_path %s", buf);
	CHECK(f->f_mode, FMODE_WRITE);
	fd = get_unused_fd_install(f, 0, false);
	CHECK(SYS(fstatfs, fd, U(&sfs)), 0);
	CHECK(sfs.f_type, 0x50495045);
	CHECK(SYS(newfstatat, fd, U("x"), U(&sfs), 0), -ENOTDIR);
	CHECK(SYS(close, fd), 0);
}

static void run_suite(void)
{
	test_mkdir_and_walk();
	test_files();
	test_symlinks();
	test_cwd_and_dfd();
	test_rename_link_unlink();
	test_permissions();
	test_readdir();
	test_d_path();
}

/*
 * The same suite on a "block device" filesystem (tmpfs registered with
 * FS_REQUIRES_DEV on ubdb), where unused dentries stay cached,
 * inside a chroot; then the mount must come apart without busy inodes.
 */
static void test_cached_dentries(void)
{
	static struct file_system_type devtmp;
	struct stat st, st2;
	int before = busy_complaints();

	devtmp = *get_fs_type("tmpfs");
	devtmp.name = "devtmp";
	devtmp.fs_flags = FS_REQUIRES_DEV;
	CHECK(register_filesystem(&devtmp), 0);
	CHECK(register_filesystem(&devtmp), -EBUSY);
	CHECK(SYS(mkdir, U("/dm"), 0755), 0);
	CHECK(SYS(mkdir, U("/dm2"), 0755), 0);
	CHECK(SYS(mount, U("/dev/ubdc"), U("/dm"), U("devtmp"), 0, U(NULL)), -ENXIO);
	CHECK(SYS(mount, U("/a/f"), U("/dm"), U("devtmp"), 0, U(NULL)), -ENOTBLK);
	CHECK(SYS(mount, U("/dev/ubdb"), U("/dm"), U("devtmp"), 0, U(NULL)), 0);
	CHECK(SYS(mount, U("/dev/ubdb"), U("/dm2"), U("devtmp"), MS_RDONLY, U(NULL)), 0);
	CHECK(SYS(mount, U("/dev/ubdb"), U("/dm2"), U("tmpfs"), 0, U(NULL)), 0);
	CHECK(SYS(umount2, U("/dm2"), 0), 0);
	CHECK(SYS(mkdir, U("/dm/shared"), 0755), 0);
	CHECK(SYS(stat, U("/dm/shared"), U(&st)), 0);
	CHECK(SYS(stat, U("/dm2/shared"), U(&st2)), 0);
	ok(st.st_dev == st2.st_dev && st.st_ino == st2.st_ino &&
	   major(st.st_dev) == 98, "two mounts of ubdb share the superblock");
	CHECK(SYS(mkdir, U("/dm2/ro"), 0755), -EROFS);
	CHECK(SYS(mkdir, U("/dm2/shared"), 0755), -EEXIST);
	CHECK(SYS(open, U("/dm2/shared"), O_RDONLY, 0) >= 0, 1);
	CHECK(SYS(access, U("/dm2/shared"), W_OK), -EROFS);
	CHECK(SYS(rmdir, U("/dm/shared")), 0);
	CHECK(SYS(umount2, U("/dm2"), 0), -EBUSY);
	for (int fd = 0; fd < 64; fd++)
		SYS(close, fd);
	CHECK(SYS(umount2, U("/dm2"), 0), 0);

	CHECK(SYS(chdir, U("/dm")), 0);
	CHECK(SYS(chroot, U(".")), 0);
	run_suite();
	set_fs_root_pwd(task.fs);
	CHECK(SYS(umount2, U("/dm"), 0), 0);
	CHECK(busy_complaints(), before);
	CHECK(SYS(rmdir, U("/dm")), 0);
	CHECK(SYS(rmdir, U("/dm2")), 0);
}

int main(void)
{
	setup();
	test_inode_cache();
	run_suite();
	test_mounts();
	test_cached_dentries();
	test_pseudo_files();
	CHECK(busy_complaints(), 0);
	ubd_close_all();
	unlink(ubdb_path);
	return tap_done();
}
