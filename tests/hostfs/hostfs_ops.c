/*
 * hostfs_ops DIR: the file operations hostfs serves, in DIR (empty). The
 * hostfs suite (tests/hostfs/run.sh) runs it natively on a host directory
 * and inside umk on a hostfs mount of another, and compares the outputs
 * line by line; then it checks on the host what the guest left there.
 * Read, write, O_APPEND, mmap, readdir, rename, link, symlink, chmod,
 * truncate, fsync, statfs, locks, an open file whose name is gone.
 */
#include "../guest/guest.h"
#include <dirent.h>
#include <sys/file.h>
#include <sys/statfs.h>

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

int main(int argc, char **argv)
{
	struct statfs sfs;

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
	say("statfs: %d", statfs(".", &sfs));
	say("statfs sane: %d", sfs.f_bsize > 0 && sfs.f_blocks > 0);
	list("top", ".");
	say("DONE hostfs_ops");
	return 0;
}
