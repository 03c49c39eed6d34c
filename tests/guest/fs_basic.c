/*
 * fs_basic: file and directory system calls on the filesystem under $TMPDIR:
 * open/read/write/lseek/pread/pwrite/readv/writev, dup family, fcntl, names
 * (unlink, rename, link, symlink, readlink, mkdir, rmdir), getdents64, the
 * stat family, truncate, chmod, access, utimensat, getcwd/chdir, umask,
 * statfs; each with its hostile-argument and error cases.
 */
#include "guest.h"
#include <dirent.h>
#include <sys/statfs.h>
#include <sys/uio.h>

static int fd_flags(int fd)
{
	return fcntl(fd, F_GETFD);
}

static void test_open_rw(void)
{
	char buf[64] = "";
	int fd;

	ERR("open_missing", open("missing", O_RDONLY));
	fd = chk("open_creat", open("a", O_CREAT | O_RDWR | O_TRUNC, 0644));
	resv("write", write(fd, "hello world\n", 12));
	resv("lseek_set", lseek(fd, 6, SEEK_SET));
	resv("read", read(fd, buf, 5));
	say("read_data: %s", buf);
	resv("lseek_end", lseek(fd, 0, SEEK_END));
	resv("lseek_cur", lseek(fd, -6, SEEK_CUR));
	ERR("lseek_whence", lseek(fd, 0, 99));
	ERR("lseek_negative", lseek(fd, -100, SEEK_SET));
	resv("read_eof_at_end", (lseek(fd, 0, SEEK_END), read(fd, buf, 10)));

	memset(buf, 0, sizeof(buf));
	resv("pread", pread(fd, buf, 5, 0));
	say("pread_data: %s", buf);
	resv("pread_keeps_pos", lseek(fd, 0, SEEK_CUR));
	resv("pwrite", pwrite(fd, "HELLO", 5, 0));
	memset(buf, 0, sizeof(buf));
	pread(fd, buf, 12, 0);
	say("after_pwrite: %.11s", buf);
	ERR("pread_negative", pread(fd, buf, 5, -1));
	ERR("pwrite_negative", pwrite(fd, buf, 5, -1));

	lseek(fd, 0, SEEK_SET);
	ERR("read_bad1", syscall(SYS_read, fd, BAD1, 5L));
	lseek(fd, 0, SEEK_SET);
	ERR("read_bad2", syscall(SYS_read, fd, BAD2, 5L));
	lseek(fd, 0, SEEK_SET);
	ERR("read_unmapped", syscall(SYS_read, fd, unmapped_page(), 5L));
	ERR("write_bad1", syscall(SYS_write, fd, BAD1, 5L));
	ERR("write_bad2", syscall(SYS_write, fd, BAD2, 5L));
	ERR("write_unmapped", syscall(SYS_write, fd, unmapped_page(), 5L));
	ERR("read_badfd", read(999, buf, 1));
	ERR("write_badfd", write(-1, buf, 1));
	ERR("pread_badfd", pread(999, buf, 1, 0));
	resv("size_after_bad_writes", lseek(fd, 0, SEEK_END));
	{
		/* A buffer whose second page is inaccessible: the read stops
		 * there, with what came before it (and the file position
		 * moved by that much), as Linux's copy to user space does. */
		char *two = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char big[3 * 4096];

		memset(big, 'p', sizeof(big));
		mprotect(two + 4096, 4096, PROT_NONE);
		lseek(fd, 0, SEEK_SET);
		write(fd, big, sizeof(big));
		resv("pread_into_half_bad_buffer", pread(fd, two + 100, sizeof(big), 0));
		lseek(fd, 0, SEEK_SET);
		resv("read_into_half_bad_buffer", read(fd, two + 200, sizeof(big)));
		resv("pos_after_half_bad_read", lseek(fd, 0, SEEK_CUR));
		ERR("pread_into_bad_page", pread(fd, two + 4096, 100, 0));
		munmap(two, 2 * 4096);
	}
	close(fd);

	fd = open("a", O_RDONLY);
	ERR("write_on_rdonly", write(fd, "x", 1));
	close(fd);
	fd = open("a", O_WRONLY);
	ERR("read_on_wronly", read(fd, buf, 1));
	close(fd);

	fd = open("a", O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	write(fd, "tail\n", 5);
	resv("append_pos", lseek(fd, 0, SEEK_CUR));
	close(fd);
	ERR("close_badfd", close(fd));
	ERR("close_neg", close(-1));

	ERR("open_bad1", syscall(SYS_openat, AT_FDCWD, BAD1, O_RDONLY));
	ERR("open_bad2", syscall(SYS_openat, AT_FDCWD, BAD2, O_RDONLY));
	ERR("open_unmapped", syscall(SYS_openat, AT_FDCWD, unmapped_page(), O_RDONLY));
	ERR("open_excl_exists", open("a", O_CREAT | O_EXCL | O_RDWR, 0644));
	ERR("open_empty_path", open("", O_RDONLY));
	ERR("open_notdir_component", open("a/x", O_RDONLY));
	ERR("open_dir_directory_flag_on_file", open("a", O_RDONLY | O_DIRECTORY));
	ERR("open_dir_for_write", open(".", O_WRONLY));
	ERR("openat_badfd", openat(999, "a", O_RDONLY));
	fd = open("a", O_RDONLY);
	ERR("openat_file_as_dir", openat(fd, "x", O_RDONLY));
	close(fd);
	{
		char longname[300];
		memset(longname, 'n', 299);
		longname[299] = 0;
		ERR("open_nametoolong", open(longname, O_RDONLY));
	}
}

static void test_vectors(void)
{
	char a[4] = "", b[16] = "";
	struct iovec wv[3] = {
		{ "one ", 4 }, { "two ", 4 }, { "three\n", 6 },
	};
	struct iovec rv[2] = { { a, 3 }, { b, 10 } };
	struct iovec badv[1] = { { BAD1, 4 } };
	int fd = open("v", O_CREAT | O_RDWR | O_TRUNC, 0644);

	resv("writev", writev(fd, wv, 3));
	lseek(fd, 0, SEEK_SET);
	resv("readv", readv(fd, rv, 2));
	say("readv_data: [%s][%s]", a, b);
	ERR("writev_bad_iov", syscall(SYS_writev, fd, BAD1, 1L));
	ERR("writev_bad_base", syscall(SYS_writev, fd, badv, 1L));
	ERR("readv_bad_iov", syscall(SYS_readv, fd, BAD2, 1L));
	ERR("writev_neg_count", syscall(SYS_writev, fd, wv, -1L));
	ERR("writev_huge_count", syscall(SYS_writev, fd, wv, 100000L));
	resv("pwritev", pwritev(fd, wv, 1, 100));
	resv("size_after_pwritev", lseek(fd, 0, SEEK_END));
	close(fd);
}

static void test_dup_fcntl(void)
{
	int fd = open("a", O_RDWR), fd2 = open("a", O_RDONLY), d;

	close(fd);
	d = dup(fd2);
	yesno("dup_lowest", d == fd);
	close(d);
	fd = open("a", O_RDWR);
	resv("dup2_same", dup2(fd, fd) == fd ? 0 : -1);
	resv("dup2_100", dup2(fd, 100));
	resv("dup2_cloexec_clear", fd_flags(100));
	resv("dup3_cloexec", dup3(fd, 101, O_CLOEXEC));
	resv("dup3_flag", fd_flags(101));
	ERR("dup3_same", dup3(fd, fd, 0));
	ERR("dup3_badflags", dup3(fd, 102, 0x1234));
	ERR("dup_badfd", dup(999));
	ERR("dup2_badfd", dup2(999, 103));
	ERR("dup2_negtarget", dup2(fd, -1));
	lseek(fd, 3, SEEK_SET);
	resv("dup_shares_offset", lseek(100, 0, SEEK_CUR));
	close(100);
	close(101);

	resv("getfl_accmode", fcntl(fd, F_GETFL) & O_ACCMODE);
	resv("setfl_append", fcntl(fd, F_SETFL, O_APPEND));
	yesno("getfl_has_append", fcntl(fd, F_GETFL) & O_APPEND);
	d = fcntl(fd, F_DUPFD, 50);
	yesno("dupfd_ge_50", d >= 50);
	resv("dupfd_flags", fd_flags(d));
	close(d);
	d = fcntl(fd, F_DUPFD_CLOEXEC, 60);
	yesno("dupfd_cloexec_ge_60", d >= 60);
	resv("dupfd_cloexec_flags", fd_flags(d));
	close(d);
	resv("setfd", fcntl(fd, F_SETFD, FD_CLOEXEC));
	resv("getfd", fd_flags(fd));
	ERR("fcntl_badcmd", fcntl(fd, 9999));
	ERR("fcntl_badfd", fcntl(-1, F_GETFD));
	ERR("dupfd_neg", fcntl(fd, F_DUPFD, -1));
	close(fd);
	close(fd2);
}

static void test_names(void)
{
	char buf[64];
	struct stat st;
	ssize_t n;
	int fd;

	resv("mkdir", mkdir("d", 0755));
	ERR("mkdir_exists", mkdir("d", 0755));
	ERR("mkdir_missing_parent", mkdir("nope/x", 0755));
	ERR("mkdir_bad1", syscall(SYS_mkdirat, AT_FDCWD, BAD1, 0755));
	ERR("rmdir_file", rmdir("a"));
	ERR("rmdir_missing", rmdir("nope"));
	close(open("d/f", O_CREAT | O_WRONLY, 0644));
	ERR("rmdir_notempty", rmdir("d"));
	ERR("rmdir_dot", rmdir("d/."));
	ERR("unlink_dir", unlink("d"));
	ERR("unlink_missing", unlink("nope"));
	ERR("unlink_bad2", syscall(SYS_unlinkat, AT_FDCWD, BAD2, 0));
	ERR("unlinkat_badflag", unlinkat(AT_FDCWD, "d/f", 0x4000));

	resv("rename", rename("a", "b"));
	ERR("stat_old_name", stat("a", &st));
	resv("stat_new_size", stat("b", &st) ? -1 : st.st_size);
	close(open("c0", O_CREAT | O_WRONLY, 0644));
	resv("rename_replace", rename("c0", "v"));
	ERR("rename_missing", rename("nope", "x"));
	ERR("rename_into_self", rename("d", "d/sub"));
	ERR("rename_dir_over_file", rename("d", "b"));
	ERR("rename_file_over_dir", rename("b", "d"));
	ERR("rename_bad1", syscall(SYS_renameat, AT_FDCWD, BAD1, AT_FDCWD, "x"));
	ERR("renameat2_badflags", syscall(SYS_renameat2, AT_FDCWD, "b", AT_FDCWD, "x", 0x100));

	resv("link", link("b", "c"));
	resv("nlink_after_link", stat("b", &st) ? -1 : (long)st.st_nlink);
	ERR("link_exists", link("b", "c"));
	ERR("link_dir", link("d", "d2"));
	ERR("link_missing", link("nope", "x"));
	resv("unlink_link", unlink("c"));
	resv("nlink_after_unlink", stat("b", &st) ? -1 : (long)st.st_nlink);

	resv("symlink", symlink("b", "s"));
	ERR("symlink_exists", symlink("b", "s"));
	memset(buf, 0, sizeof(buf));
	n = readlink("s", buf, sizeof(buf));
	resv("readlink", n);
	say("readlink_data: %s", buf);
	resv("readlink_short_buf", readlink("s", buf, 0 + 1));
	ERR("readlink_zero", syscall(SYS_readlinkat, AT_FDCWD, "s", buf, 0L));
	ERR("readlink_file", readlink("b", buf, sizeof(buf)));
	ERR("readlink_bad1", syscall(SYS_readlinkat, AT_FDCWD, "s", BAD1, 64L));
	ERR("readlink_badpath", syscall(SYS_readlinkat, AT_FDCWD, BAD2, buf, 64L));
	yesno("lstat_is_link", lstat("s", &st) == 0 && S_ISLNK(st.st_mode));
	resv("lstat_link_size", st.st_size);
	yesno("stat_follows", stat("s", &st) == 0 && S_ISREG(st.st_mode));
	fd = open("s", O_RDONLY);
	memset(buf, 0, sizeof(buf));
	resv("read_via_symlink", read(fd, buf, 5));
	say("read_via_symlink_data: %s", buf);
	close(fd);
	ERR("open_nofollow", open("s", O_RDONLY | O_NOFOLLOW));
	symlink("loop", "loop");
	ERR("open_loop", open("loop", O_RDONLY));
	symlink("nowhere", "dangling");
	ERR("open_dangling", open("dangling", O_RDONLY));
	yesno("lstat_dangling", lstat("dangling", &st) == 0);
	symlink("d", "dlink");
	yesno("stat_through_dirlink", stat("dlink/f", &st) == 0);
	ERR("symlink_bad1", syscall(SYS_symlinkat, BAD1, AT_FDCWD, "x"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_getdents(void)
{
	char buf[4096], line[512] = "", *names[32];
	int fd, n, count = 0, nread;

	mkdir("d/e", 0755);
	close(open("d/g", O_CREAT | O_WRONLY, 0644));
	fd = open("d", O_RDONLY | O_DIRECTORY);
	while ((nread = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (n = 0; n < nread && count < 32;) {
			struct dirent64 *de = (void *)(buf + n);
			char t = de->d_type == DT_DIR ? 'd' : de->d_type == DT_REG ? 'f' : '?';
			if (asprintf(&names[count++], "%s:%c", de->d_name, t) < 0)
				return;
			n += de->d_reclen;
		}
	}
	resv("getdents_end", nread);
	qsort(names, count, sizeof(names[0]), cmp_str);
	for (n = 0; n < count; n++) {
		strcat(line, " ");
		strcat(line, names[n]);
		free(names[n]);
	}
	say("getdents:%s", line);
	lseek(fd, 0, SEEK_SET);
	ERR("getdents_bad1", syscall(SYS_getdents64, fd, BAD1, 4096L));
	lseek(fd, 0, SEEK_SET);
	ERR("getdents_unmapped", syscall(SYS_getdents64, fd, unmapped_page(), 4096L));
	lseek(fd, 0, SEEK_SET);
	ERR("getdents_small", syscall(SYS_getdents64, fd, buf, 1L));
	ERR("getdents_badfd", syscall(SYS_getdents64, 999, buf, 4096L));
	close(fd);
	fd = open("b", O_RDONLY);
	ERR("getdents_notdir", syscall(SYS_getdents64, fd, buf, 4096L));
	close(fd);

	DIR *dir = opendir("d/e");
	count = 0;
	while (readdir(dir))
		count++;
	resv("readdir_empty_dir_entries", count);
	closedir(dir);
}

static void test_stat(void)
{
	struct stat st;
	struct statx stx;
	int fd = open("st", O_CREAT | O_RDWR | O_TRUNC, 0640);

	write(fd, "0123456789", 10);
	yesno("stat_ok", stat("st", &st) == 0);
	say("stat: reg=%d mode=%04o size=%ld uid=%d gid=%d nlink=%ld",
	    S_ISREG(st.st_mode), st.st_mode & 07777, (long)st.st_size,
	    st.st_uid, st.st_gid, (long)st.st_nlink);
	yesno("stat_blksize", st.st_blksize > 0);
	yesno("fstat_ok", fstat(fd, &st) == 0 && st.st_size == 10);
	yesno("stat_dir", stat("d", &st) == 0 && S_ISDIR(st.st_mode));
	say("stat_dir_mode: %04o", st.st_mode & 07777);
	yesno("statx_ok", statx(AT_FDCWD, "st", 0, STATX_BASIC_STATS, &stx) == 0);
	say("statx: size=%lld mode=%04o has_size=%d", (long long)stx.stx_size,
	    stx.stx_mode & 07777, !!(stx.stx_mask & STATX_SIZE));
	yesno("statx_empty_path", statx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &stx) == 0 &&
	      stx.stx_size == 10);
	yesno("fstatat_nofollow", fstatat(AT_FDCWD, "s", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	      S_ISLNK(st.st_mode));
	ERR("stat_missing", stat("nope", &st));
	ERR("stat_bad1_path", syscall(SYS_newfstatat, AT_FDCWD, BAD1, &st, 0));
	ERR("stat_bad1_buf", syscall(SYS_newfstatat, AT_FDCWD, "st", BAD1, 0));
	ERR("stat_bad2_buf", syscall(SYS_newfstatat, AT_FDCWD, "st", BAD2, 0));
	ERR("stat_unmapped_buf", syscall(SYS_newfstatat, AT_FDCWD, "st", unmapped_page(), 0));
	ERR("fstat_bad_buf", syscall(SYS_fstat, fd, BAD1));
	ERR("fstat_badfd", fstat(-1, &st));
	ERR("fstatat_badflags", syscall(SYS_newfstatat, AT_FDCWD, "st", &st, 0x7));
	ERR("statx_badflags", syscall(SYS_statx, AT_FDCWD, "st", 0x80000000, STATX_SIZE, &stx));
	ERR("statx_reserved_mask", syscall(SYS_statx, AT_FDCWD, "st", 0, 0x80000000U, &stx));
	ERR("statx_bad_buf", syscall(SYS_statx, AT_FDCWD, "st", 0, STATX_SIZE, BAD1));
	close(fd);
}

static void test_truncate(void)
{
	struct stat st;
	char buf[8];
	int fd;

	resv("truncate", truncate("st", 4));
	resv("truncate_size", stat("st", &st) ? -1 : st.st_size);
	fd = open("st", O_RDWR);
	resv("ftruncate_grow", ftruncate(fd, 100));
	resv("ftruncate_size", fstat(fd, &st) ? -1 : st.st_size);
	memset(buf, 'x', sizeof(buf));
	resv("read_hole", pread(fd, buf, 8, 50));
	yesno("hole_is_zero", buf[0] == 0 && buf[7] == 0);
	ERR("ftruncate_negative", ftruncate(fd, -1));
	ERR("truncate_dir", truncate("d", 0));
	ERR("truncate_missing", truncate("nope", 0));
	ERR("truncate_bad1", syscall(SYS_truncate, BAD1, 0L));
	close(fd);
	fd = open("st", O_RDONLY);
	ERR("ftruncate_rdonly", ftruncate(fd, 0));
	close(fd);
	ERR("ftruncate_badfd", ftruncate(999, 0));
}

static void test_modes(void)
{
	struct stat st;
	struct timespec ts[2] = { { 1000000, 0 }, { 2000000, 500 } };
	struct timespec badts[2] = { { 0, 2000000000L }, { 0, 0 } };
	int fd;

	resv("chmod", chmod("st", 0600));
	say("chmod_mode: %04o", stat("st", &st) ? 0 : st.st_mode & 07777);
	fd = open("st", O_RDONLY);
	resv("fchmod", fchmod(fd, 04755));
	say("fchmod_mode: %04o", fstat(fd, &st) ? 0 : st.st_mode & 07777);
	ERR("fchmod_badfd", fchmod(999, 0644));
	close(fd);
	chmod("st", 0600);
	ERR("chmod_missing", chmod("nope", 0644));
	ERR("chmod_bad1", syscall(SYS_fchmodat, AT_FDCWD, BAD1, 0644));

	resv("access_rw", access("st", R_OK | W_OK));
	ERR("access_x_root_no_xbit", access("st", X_OK));
	resv("access_f", access("st", F_OK));
	ERR("access_missing", access("nope", F_OK));
	ERR("access_badmode", syscall(SYS_faccessat, AT_FDCWD, "st", 0x100));
	ERR("access_bad1", syscall(SYS_faccessat, AT_FDCWD, BAD1, F_OK));

	resv("utimensat", utimensat(AT_FDCWD, "st", ts, 0));
	stat("st", &st);
	say("utime: atime=%ld mtime=%ld mtime_ns=%ld", (long)st.st_atime,
	    (long)st.st_mtime, st.st_mtim.tv_nsec);
	resv("utimensat_now", utimensat(AT_FDCWD, "st", NULL, 0));
	stat("st", &st);
	yesno("utime_now_recent", st.st_mtime > 1600000000);
	ERR("utimensat_badnsec", syscall(SYS_utimensat, AT_FDCWD, "st", badts, 0));
	ERR("utimensat_bad_times", syscall(SYS_utimensat, AT_FDCWD, "st", BAD1, 0));
	ERR("utimensat_missing", utimensat(AT_FDCWD, "nope", ts, 0));
	ERR("utimensat_badflags", syscall(SYS_utimensat, AT_FDCWD, "st", ts, 0x1234));
}

static void test_cwd(const char *dir)
{
	char cwd[1024], small[2];
	struct stat st;
	int fd;

	yesno("getcwd_is_scratch", getcwd(cwd, sizeof(cwd)) && strcmp(cwd, dir) == 0);
	resv("chdir", chdir("d"));
	yesno("getcwd_sub", getcwd(cwd, sizeof(cwd)) && strlen(cwd) > 2 &&
	      strcmp(cwd + strlen(cwd) - 2, "/d") == 0);
	resv("chdir_dotdot", chdir(".."));
	yesno("getcwd_back", getcwd(cwd, sizeof(cwd)) && strcmp(cwd, dir) == 0);
	ERR("getcwd_small", syscall(SYS_getcwd, small, 2L));
	ERR("getcwd_bad1", syscall(SYS_getcwd, BAD1, 1024L));
	ERR("chdir_file", chdir("b"));
	ERR("chdir_missing", chdir("nope"));
	ERR("chdir_bad1", syscall(SYS_chdir, BAD1));
	fd = open("d", O_RDONLY | O_DIRECTORY);
	resv("fchdir", fchdir(fd));
	yesno("fchdir_where", stat("f", &st) == 0);
	close(fd);
	fd = open("../b", O_RDONLY);
	ERR("fchdir_file", fchdir(fd));
	close(fd);
	ERR("fchdir_badfd", fchdir(999));
	chdir(dir);

	say("umask_prev: %04o", umask(077));
	fd = open("um", O_CREAT | O_WRONLY, 0666);
	fstat(fd, &st);
	say("umask_applied: %04o", st.st_mode & 07777);
	close(fd);
	mkdir("umd", 0777);
	stat("umd", &st);
	say("umask_dir: %04o", st.st_mode & 07777);
	say("umask_restore: %04o", umask(022));
}

static void test_statfs(void)
{
	struct statfs sf;

	int fd = open(".", O_RDONLY | O_DIRECTORY);

	yesno("statfs_ok", statfs(".", &sf) == 0 && sf.f_bsize > 0 && sf.f_blocks > 0);
	yesno("fstatfs_ok", fstatfs(fd, &sf) == 0 && sf.f_bsize > 0);
	close(fd);
	ERR("statfs_missing", statfs("nope", &sf));
	ERR("statfs_bad_buf", syscall(SYS_statfs, ".", BAD1));
	ERR("statfs_bad_path", syscall(SYS_statfs, BAD2, &sf));
	ERR("fstatfs_badfd", fstatfs(999, &sf));
}

static void test_sync(void)
{
	int fd = open("b", O_RDWR);

	resv("fsync", fsync(fd));
	resv("fdatasync", fdatasync(fd));
	ERR("fsync_badfd", fsync(999));
	close(fd);
	sync();
	say("sync: ok");
}

int main(void)
{
	const char *dir;

	test_start();
	dir = realpath(scratch_dir("fs_basic"), NULL);
	test_open_rw();
	test_vectors();
	test_dup_fcntl();
	test_names();
	test_getdents();
	test_stat();
	test_truncate();
	test_modes();
	test_cwd(dir);
	test_statfs();
	test_sync();
	scratch_cleanup(dir);
	say("DONE fs_basic");
	return 0;
}
