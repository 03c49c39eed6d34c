/*
 * hostfs_ops DIR: the file operations hostfs serves, in DIR (empty). The
 * hostfs suite (tests/hostfs/run.sh) runs it natively on a host directory
 * and inside umk on a hostfs mount of another, and compares the outputs
 * line by line; then it checks on the host what the guest left there.
 * Read, write, O_APPEND, mmap, readdir, rename, link, symlink, chmod,
 * truncate, fsync, statfs, locks, an open file whose name is gone, and
 * "user." extended attributes (the file "a" keeps user.left for the
 * host to see).
 *
 * hostfs_ops --getxattr FILE NAME: print FILE's attribute NAME (the suite
 * reads on the host what the guest set).
 */
#include "../guest/guest.h"
#include <dirent.h>
#include <sys/file.h>
#include <sys/statfs.h>
#include <sys/xattr.h>

static void put(const char *name, const char *text)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		say("put %s: %s", name, ename(errno));
	close(fd);
}

static void show(const char *label, const char *name)
{
	char buf[256] = "";
	int fd = open(name, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (n < 0)
		say("%s: %s", label, ename(errno));
	else
		say("%s: \"%.*s\"", label, (int)n, buf);
	close(fd);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *label, const char *dir)
{
	char *names[64], line[1024] = "";
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0;

	if (!dp) {
		say("%s: %s", label, ename(errno));
		return;
	}
	while ((d = readdir(dp)) && n < 64)
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			names[n++] = strdup(d->d_name);
	closedir(dp);
	qsort(names, n, sizeof(names[0]), cmp);
	for (int i = 0; i < n; i++) {
		strcat(line, " ");
		strcat(line, names[i]);
		free(names[i]);
	}
	say("%s:%s", label, line);
}

static void rw_tests(void)
{
	char buf[64] = "";
	int fd;

	put("a", "hello");
	show("read", "a");
	fd = open("a", O_WRONLY | O_APPEND);
	say("append: %zd", write(fd, " world", 6));
	close(fd);
	show("after append", "a");
	fd = open("a", O_RDWR);
	say("pwrite: %zd", pwrite(fd, "J", 1, 6));
	say("pread: %zd", pread(fd, buf, 5, 6));
	say("pread text: %.5s", buf);
	say("lseek end: %lld", (long long)lseek(fd, 0, SEEK_END));
	say("fsync: %d", fsync(fd));
	say("fdatasync: %d", fdatasync(fd));
	close(fd);
	fd = open("ro", O_RDWR | O_CREAT | O_EXCL, 0444);
	say("create 0444 rdwr: %s", fd >= 0 ? "ok" : ename(errno));
	say("write to it: %zd", write(fd, "x", 1));
	close(fd);
	say("create excl again: %s", open("ro", O_RDWR | O_CREAT | O_EXCL,
					   0644) < 0 ? ename(errno) : "opened");
	say("open missing: %s", open("nope", O_RDONLY) < 0 ? ename(errno) :
	    "opened");
	say("open EFAULT: %s", syscall(SYS_openat, AT_FDCWD, BAD1, O_RDONLY)
	    < 0 ? ename(errno) : "opened");
}

static void mmap_tests(void)
{
	int fd = open("m", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char *p;

	say("ftruncate: %d", ftruncate(fd, 4096));
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		say("mmap: %s", ename(errno));
		close(fd);
		return;
	}
	memcpy(p, "mapped", 6);
	say("msync: %d", msync(p, 4096, MS_SYNC));
	munmap(p, 4096);
	close(fd);
	show("mmap wrote", "m");
	say("truncate: %d", truncate("m", 3));
	show("after truncate", "m");
}

static void name_tests(void)
{
	struct stat st;
	char buf[64] = "";

	say("mkdir: %d", mkdir("d", 0755));
	put("d/f", "in d");
	say("rename dir: %d", rename("d", "e"));
	show("moved file", "e/f");
	say("rename file: %d", rename("e/f", "e/g"));
	list("e", "e");
	say("rmdir full: %s", rmdir("e") < 0 ? ename(errno) : "removed");
	say("link: %d", link("e/g", "h"));
	stat("h", &st);
	say("nlink: %lu", (unsigned long)st.st_nlink);
	say("symlink: %d", symlink("e/g", "s"));
	say("readlink: %zd", readlink("s", buf, sizeof(buf)));
	say("readlink text: %s", buf);
	show("through symlink", "s");
	lstat("s", &st);
	say("lstat link: %d", S_ISLNK(st.st_mode));
	say("chmod: %d", chmod("h", 0640));
	stat("e/g", &st);
	say("mode: %o", st.st_mode & 07777);
	say("owner root: %d", st.st_uid == 0 && st.st_gid == 0);
	say("unlink: %d %d", unlink("h"), unlink("e/g"));
	say("rmdir: %d", rmdir("e"));
	say("mkfifo: %d", mkfifo("p", 0600));
	lstat("p", &st);
	say("fifo: %d", S_ISFIFO(st.st_mode));
	unlink("p");
	unlink("s");
}

static void gone_tests(void)
{
	struct stat st;
	char buf[16] = "";
	int fd = open("gone", O_RDWR | O_CREAT | O_TRUNC, 0644);

	write(fd, "still here", 10);
	say("unlink open: %d", unlink("gone"));
	say("ftruncate gone: %d", ftruncate(fd, 5));
	fstat(fd, &st);
	say("fstat gone: size %lld nlink %lu", (long long)st.st_size,
	    (unsigned long)st.st_nlink);
	say("pread gone: %zd %.5s", pread(fd, buf, 10, 0), buf);
	close(fd);
}

static void lock_tests(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			    .l_len = 10 };
	int fd = open("l", O_RDWR | O_CREAT, 0644), fd2, st;
	pid_t pid;

	say("setlk: %d", fcntl(fd, F_SETLK, &fl));
	pid = fork();
	if (pid == 0) {
		int c = open("l", O_RDWR);

		_exit(fcntl(c, F_SETLK, &fl) < 0 && errno == EAGAIN ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	say("child sees lock: %d", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	say("flock: %d", flock(fd, LOCK_EX));
	fd2 = open("l", O_RDWR);
	say("flock other: %s", flock(fd2, LOCK_EX | LOCK_NB) < 0 ?
	    ename(errno) : "locked");
	close(fd2);
	close(fd);
	unlink("l");
}

/* The "user." names of a list, in order, space separated. */
static void show_user_names(const char *label, const char *list, ssize_t n)
{
	char line[512] = "";

	for (const char *p = list; n > 0 && p < list + n; p += strlen(p) + 1)
		if (!strncmp(p, "user.", 5) && strlen(line) + strlen(p) + 2 < sizeof(line)) {
			strcat(line, " ");
			strcat(line, p);
		}
	say("%s:%s", label, line);
}

static void xattr_tests(void)
{
	char buf[64] = "", list[512];
	ssize_t n;
	int fd;

	put("x", "xattrs");
	say("setxattr: %d", setxattr("x", "user.a", "bee", 3, 0));
	say("getxattr size: %zd", getxattr("x", "user.a", NULL, 0));
	n = getxattr("x", "user.a", buf, sizeof(buf));
	say("getxattr: %zd %.*s", n, n > 0 ? (int)n : 0, buf);
	say("getxattr small: %s", getxattr("x", "user.a", buf, 1) < 0 ?
	    ename(errno) : "fits");
	say("getxattr missing: %s", getxattr("x", "user.none", buf, sizeof(buf))
	    < 0 ? ename(errno) : "found");
	say("create existing: %s", setxattr("x", "user.a", "c", 1, XATTR_CREATE)
	    < 0 ? ename(errno) : "created");
	say("replace missing: %s", setxattr("x", "user.b", "c", 1, XATTR_REPLACE)
	    < 0 ? ename(errno) : "replaced");
	say("replace: %d", setxattr("x", "user.a", "wasp", 4, XATTR_REPLACE));
	say("empty value: %d", setxattr("x", "user.empty", "", 0, 0));
	say("getxattr empty: %zd", getxattr("x", "user.empty", buf, sizeof(buf)));
	say("bare prefix: %s", setxattr("x", "user.", "c", 1, 0) < 0 ?
	    ename(errno) : "set");
	n = listxattr("x", list, sizeof(list));
	if (n < 0)
		say("listxattr: %s", ename(errno));
	else
		show_user_names("listxattr", list, n);
	fd = open("x", O_RDONLY);
	n = fgetxattr(fd, "user.a", buf, sizeof(buf));
	say("fgetxattr: %zd %.*s", n, n > 0 ? (int)n : 0, buf);
	say("fsetxattr: %d", fsetxattr(fd, "user.f", "fd", 2, 0));
	n = flistxattr(fd, list, sizeof(list));
	if (n >= 0)
		show_user_names("flistxattr", list, n);
	say("fremovexattr: %d", fremovexattr(fd, "user.f"));
	close(fd);
	say("removexattr: %d", removexattr("x", "user.a"));
	say("removexattr again: %s", removexattr("x", "user.a") < 0 ?
	    ename(errno) : "removed");
	say("getxattr removed: %s", getxattr("x", "user.a", buf, sizeof(buf))
	    < 0 ? ename(errno) : "found");
	say("mkdir xd: %d", mkdir("xd", 0755));
	say("dir setxattr: %d", setxattr("xd", "user.d", "dir", 3, 0));
	n = getxattr("xd", "user.d", buf, sizeof(buf));
	say("dir getxattr: %zd %.*s", n, n > 0 ? (int)n : 0, buf);
	say("symlink xs: %d", symlink("x", "xs"));
	say("lsetxattr symlink: %s", lsetxattr("xs", "user.l", "l", 1, 0) < 0 ?
	    ename(errno) : "set");
	say("lgetxattr symlink: %s", lgetxattr("xs", "user.l", buf, sizeof(buf))
	    < 0 ? ename(errno) : "found");
	n = getxattr("xs", "user.empty", buf, sizeof(buf));
	say("getxattr through symlink: %s", n < 0 ? ename(errno) : "found");
	say("mkfifo xp: %d", mkfifo("xp", 0600));
	say("fifo setxattr: %s", setxattr("xp", "user.p", "p", 1, 0) < 0 ?
	    ename(errno) : "set");
	say("getxattr EFAULT: %s", syscall(SYS_getxattr, "xd", "user.d", BAD1, 10)
	    < 0 ? ename(errno) : "copied");
	say("setxattr EFAULT: %s", syscall(SYS_setxattr, "xd", "user.d", BAD1, 10, 0)
	    < 0 ? ename(errno) : "set");
	say("setxattr left on a: %d", setxattr("a", "user.left", "by guest", 8, 0));
	unlink("xp");
	unlink("xs");
	rmdir("xd");
	unlink("x");
}

int main(int argc, char **argv)
{
	struct statfs sfs;

	if (argc == 4 && !strcmp(argv[1], "--getxattr")) {
		char buf[256];
		ssize_t n = getxattr(argv[2], argv[3], buf, sizeof(buf));

		if (n < 0)
			say("%s", ename(errno));
		else
			say("%.*s", (int)n, buf);
		return n < 0;
	}
	if (argc < 2 || chdir(argv[1]) < 0) {
		say("usage: hostfs_ops DIR");
		return 1;
	}
	umask(022);
	rw_tests();
	mmap_tests();
	name_tests();
	gone_tests();
	lock_tests();
	xattr_tests();
	say("statfs: %d", statfs(".", &sfs));
	say("statfs sane: %d", sfs.f_bsize > 0 && sfs.f_blocks > 0);
	list("top", ".");
	say("DONE hostfs_ops");
	return 0;
}
