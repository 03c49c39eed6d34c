/*
 * inotify: events on a watched directory (create, open, modify, close,
 * access, moves with cookies, delete, mkdir/rmdir) and on watched files
 * (modify, attrib, delete-self, ignored), IN_ONESHOT, IN_MASK_ADD and
 * IN_MASK_CREATE, IN_ONLYDIR, rm_watch, event merging, short buffers,
 * FIONREAD, poll and blocking reads, queue overflow, hostile arguments.
 */
#include "guest.h"
#include <poll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>

static uint32_t last_cookie;

/* Print every queued event (fd is non-blocking). */
static void drain(const char *tag, int fd)
{
	char buf[4096] __attribute__((aligned(8)));
	int n, any = 0;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			const char *c = "0";

			if (e->cookie) {
				c = e->cookie == last_cookie ? "same" : "new";
				last_cookie = e->cookie;
			}
			say("%s: wd=%d mask=0x%x cookie=%s len=%u name=%s", tag,
			    e->wd, e->mask, c, e->len, e->len ? e->name : "");
			p += sizeof(*e) + e->len;
			any = 1;
		}
	}
	if (!any)
		say("%s: none (%s)", tag, ename(errno));
}

static void test_dir(int in)
{
	int wd, fd;
	char buf[4];

	mkdir("d", 0755);
	wd = inotify_add_watch(in, "d", IN_ALL_EVENTS);
	say("dir_wd: %d", wd);
	fd = open("d/a", O_WRONLY | O_CREAT, 0644);
	write(fd, "x", 1);
	write(fd, "y", 1);
	close(fd);
	drain("create_write_close", in);
	fd = open("d/a", O_RDONLY);
	read(fd, buf, 1);
	close(fd);
	drain("open_read_close", in);
	rename("d/a", "d/b");
	drain("rename", in);
	chmod("d/b", 0600);
	drain("chmod_child", in);
	unlink("d/b");
	drain("unlink", in);
	mkdir("d/sub", 0755);
	rmdir("d/sub");
	drain("mkdir_rmdir", in);
	symlink("target", "d/ln");
	mknod("d/fifo", S_IFIFO | 0600, 0);
	unlink("d/ln");
	unlink("d/fifo");
	drain("symlink_mknod", in);
	fd = open("d", O_RDONLY | O_DIRECTORY);
	close(fd);
	drain("open_dir_itself", in);
	rmdir("d");
	drain("rmdir_watched", in);
}

static void test_file(int in)
{
	int wd, wd2, fd;

	fd = open("f", O_WRONLY | O_CREAT, 0644);
	wd = inotify_add_watch(in, "f", IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF);
	say("file_wd: %d", wd);
	write(fd, "abc", 3);
	ftruncate(fd, 1);
	fchmod(fd, 0640);
	close(fd);
	drain("file_modify_attrib", in);
	wd2 = inotify_add_watch(in, "f", IN_CLOSE_WRITE | IN_MASK_ADD);
	say("mask_add_same_wd: %s", wd2 == wd ? "yes" : "no");
	ERR("mask_create_exists", inotify_add_watch(in, "f", IN_OPEN | IN_MASK_CREATE));
	ERR("mask_add_and_create", inotify_add_watch(in, "f", IN_OPEN | IN_MASK_CREATE | IN_MASK_ADD));
	fd = open("f", O_WRONLY);
	close(fd);
	drain("after_mask_add", in);
	inotify_add_watch(in, "f", IN_OPEN);
	fd = open("f", O_RDONLY);
	close(fd);
	drain("mask_replaced", in);
	inotify_add_watch(in, "f", IN_DELETE_SELF);
	link("f", "f2");
	unlink("f");
	drain("unlink_one_link", in);
	unlink("f2");
	drain("unlink_last_link", in);
	ERR("rm_gone_wd", inotify_rm_watch(in, wd));

	fd = open("g", O_WRONLY | O_CREAT, 0644);
	wd = inotify_add_watch(in, "g", IN_MODIFY | IN_ONESHOT);
	write(fd, "1", 1);
	write(fd, "2", 1);
	close(fd);
	drain("oneshot", in);
	wd = inotify_add_watch(in, "g", IN_MODIFY);
	say("wd_after_oneshot: %d", wd);
	resv("rm_watch", inotify_rm_watch(in, wd));
	drain("rm_watch_ignored", in);
	ERR("rm_watch_again", inotify_rm_watch(in, wd));
	ERR("onlydir_on_file", inotify_add_watch(in, "g", IN_MODIFY | IN_ONLYDIR));
	symlink("g", "lnk");
	wd = inotify_add_watch(in, "lnk", IN_ATTRIB | IN_DONT_FOLLOW);
	wd2 = inotify_add_watch(in, "lnk", IN_ATTRIB);
	say("dont_follow_distinct: %s", wd != wd2 ? "yes" : "no");
	inotify_rm_watch(in, wd);
	inotify_rm_watch(in, wd2);
	drain("two_ignored", in);
	unlink("lnk");
	/* a move out of and into watched directories */
	mkdir("m1", 0755);
	mkdir("m2", 0755);
	inotify_add_watch(in, "m1", IN_MOVE);
	inotify_add_watch(in, "m2", IN_MOVE);
	wd = inotify_add_watch(in, "g", IN_MOVE_SELF | IN_ATTRIB | IN_DELETE_SELF);
	rename("g", "m1/g");
	rename("m1/g", "m2/g");
	fd = open("m2/h", O_CREAT | O_WRONLY, 0644);
	close(fd);
	rename("m2/h", "m2/g");
	drain("moves", in);
	unlink("m2/g");
	rmdir("m1");
	rmdir("m2");
	drain("cleanup_moves", in);
}

static void test_queue(int in)
{
	char small[16], buf[512];
	int wd, fd, n = -1, max = 16384, p[2];
	pid_t pid;
	struct pollfd pfd = { in, POLLIN, 0 };
	char c;

	mkdir("q", 0755);
	wd = inotify_add_watch(in, "q", IN_CREATE | IN_OPEN | IN_CLOSE);
	resv("poll_empty", poll(&pfd, 1, 0));
	fd = creat("q/a-long-name-here", 0644);
	close(fd);
	resv("poll_ready", poll(&pfd, 1, 0));
	ioctl(in, FIONREAD, &n);
	say("fionread: %d", n);
	ERR("read_too_small", read(in, small, sizeof(small)));
	resv("read_one", read(in, buf, 16 + 32));
	drain("rest", in);
	ERR("fionread_bad", syscall(SYS_ioctl, in, FIONREAD, BAD1));

	/* a blocking read woken by another process */
	fd = inotify_init();
	inotify_add_watch(fd, "q", IN_CREATE);
	pipe(p);
	pid = fork();
	if (pid == 0) {
		read(p[0], &c, 1);
		close(creat("q/child", 0644));
		_exit(0);
	}
	write(p[1], "g", 1);
	resv("blocking_read", read(fd, buf, sizeof(buf)));
	say("blocking_name: %s", ((struct inotify_event *)buf)->name);
	reap(pid);
	close(fd);
	close(p[0]);
	close(p[1]);

	/* overflow: more events than max_queued_events */
	fd = open("/proc/sys/fs/inotify/max_queued_events", O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = 0;
			max = atoi(buf);
		}
		close(fd);
	}
	for (int i = 0; i < max / 2 + 2; i++)
		close(open("q/child", O_RDONLY));
	{
		int events = 0, overflow = 0, total = 0;
		char big[65536] __attribute__((aligned(8)));

		while ((n = read(in, big, sizeof(big))) > 0) {
			for (char *q = big; q < big + n;) {
				struct inotify_event *e = (struct inotify_event *)q;

				if (e->mask & IN_Q_OVERFLOW)
					overflow++;
				else
					events++;
				if (e->mask & IN_Q_OVERFLOW)
					say("overflow_event: wd=%d mask=0x%x", e->wd, e->mask);
				q += sizeof(*e) + e->len;
				total++;
			}
		}
		say("overflow_count: %d", overflow);
		say("events_kept_is_max: %s", events == max ? "yes" : "no");
	}
	unlink("q/a-long-name-here");
	unlink("q/child");
	inotify_rm_watch(in, wd);
	rmdir("q");
	drain("queue_cleanup", in);
}

/* Unmounting a filesystem ends its watches: IN_UNMOUNT, IN_IGNORED. */
static void test_unmount(int in)
{
	int fd;

	mkdir("mnt", 0755);
	if (mount("none", "mnt", "tmpfs", 0, NULL)) {
		say("mount_tmpfs: %s", ename(errno));
		return;
	}
	fd = creat("mnt/file", 0644);
	close(fd);
	inotify_add_watch(in, "mnt/file", IN_ATTRIB);
	inotify_add_watch(in, "mnt", IN_CREATE);
	resv("umount_watched", umount("mnt"));
	drain("unmount", in);
	rmdir("mnt");
}

static void test_hostile(int in)
{
	int fd;

	ERR("init1_badflags", inotify_init1(1));
	fd = inotify_init1(IN_CLOEXEC);
	resv("init1_cloexec", fcntl(fd, F_GETFD));
	resv("init1_getfl", fcntl(fd, F_GETFL));
	close(fd);
	ERR("add_badfd", inotify_add_watch(9999, ".", IN_OPEN));
	ERR("add_not_inotify", inotify_add_watch(0, ".", IN_OPEN));
	ERR("add_zero_mask", inotify_add_watch(in, ".", 0));
	ERR("add_flags_only", inotify_add_watch(in, ".", IN_ONLYDIR));
	ERR("add_badfd_zero_mask", inotify_add_watch(9999, ".", 0));
	ERR("add_path_bad1", syscall(SYS_inotify_add_watch, in, BAD1, IN_OPEN));
	ERR("add_path_unmapped", syscall(SYS_inotify_add_watch, in, unmapped_page(), IN_OPEN));
	ERR("add_missing", inotify_add_watch(in, "nonexistent", IN_OPEN));
	ERR("rm_badfd", inotify_rm_watch(9999, 1));
	ERR("rm_not_inotify", inotify_rm_watch(0, 1));
	ERR("rm_unknown_wd", inotify_rm_watch(in, 12345));
	ERR("read_bad1_empty_nb", syscall(SYS_read, in, BAD1, 64));
	ERR("lseek", lseek(in, 0, SEEK_SET));
	ERR("write", write(in, "x", 1));
}

int main(void)
{
	const char *dir;
	int in;

	test_start();
	if (access("/proc/sys/fs/inotify/max_queued_events", R_OK))
		mount("proc", "/proc", "proc", 0, NULL);
	dir = scratch_dir("inotify");
	in = inotify_init1(IN_NONBLOCK);
	resv("getfl", fcntl(in, F_GETFL));
	test_dir(in);
	test_file(in);
	test_queue(in);
	test_unmount(in);
	test_hostile(in);
	close(in);
	scratch_cleanup(dir);
	say("DONE inotify");
	return 0;
}
