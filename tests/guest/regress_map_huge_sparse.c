/*
 * regress_map_huge_sparse: mapping one page of a huge sparse file on the
 * root filesystem (ext4 in umk's guest) costs the holes nothing. umk fills
 * a file's page cache at its first mapping, skipping holes by SEEK_DATA
 * and SEEK_HOLE; ext2/3/4 had none, so a 1 TiB file truncated up from
 * two written blocks was read in full, zeros included, on the kernel
 * thread: every guest task stalled for minutes (trinity found it). Here a
 * child maps pages of such a file; without the fix the run times out.
 * Also checked: SEEK_DATA and SEEK_HOLE on the file before, through and
 * after the mapping (lseek(2)), and a store through the mapping reaching
 * read(2). The output is coarse (which side of a block boundary), so the
 * block size of the native filesystem does not matter.
 */
#include "guest.h"

#define KiB (1L << 10)
#define MiB (1L << 20)
#define GiB (1L << 30)
#define TiB (1L << 40)

/* Where SEEK_DATA from off lands, and SEEK_HOLE from there, in words. */
static void seeks(int fd, off_t off, const char *when)
{
	off_t d = lseek(fd, off, SEEK_DATA), h;

	if (d < 0) {
		say("%s: SEEK_DATA from %ld MiB: %s", when, (long)(off / MiB),
		    ename(errno));
		return;
	}
	h = lseek(fd, d, SEEK_HOLE);
	say("%s: SEEK_DATA from %ld MiB: %ld MiB + %ld KiB; its hole %s",
	    when, (long)(off / MiB), (long)(d / MiB), (long)(d % MiB / KiB),
	    h > d && h <= d + 64 * KiB ? "within 64 KiB after it" :
	    h < 0 ? ename(errno) : "elsewhere");
}

static void child(int fd, int ready)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *a, *b, *far;

	a = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	b = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, MiB);
	far = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 256 * GiB);
	if (a == MAP_FAILED || b == MAP_FAILED || far == MAP_FAILED) {
		say("child: mmap: %s", ename(errno));
		_exit(1);
	}
	say("child: mapped; bytes %c %c, at 256 GiB %d", a[0], b[0], far[0]);
	far[0] = 'C';
	a[1] = 'a';
	if (msync(far, pg, MS_SYNC) || msync(a, pg, MS_SYNC))
		say("child: msync: %s", ename(errno));
	if (write(ready, "m", 1) != 1)
		_exit(1);
	_exit(0);
}

int main(void)
{
	char buf[4096], c = 0;
	const char *dir;
	int fd, p[2], st;
	pid_t pid;

	test_start();
	dir = scratch_dir("regress_map_huge_sparse");
	fd = open("huge", O_RDWR | O_CREAT, 0600);
	memset(buf, 'A', sizeof(buf));
	chk("pwrite 4 KiB at 0", pwrite(fd, buf, sizeof(buf), 0));
	chk("pwrite 1 byte at 1 MiB", pwrite(fd, "B", 1, MiB));
	chk("ftruncate 1 TiB", ftruncate(fd, TiB));
	seeks(fd, 0, "before");
	seeks(fd, 4 * KiB, "before, from 4 KiB");
	seeks(fd, 2 * MiB, "before");
	ERR("SEEK_HOLE at the end", lseek(fd, TiB, SEEK_HOLE));
	ERR("SEEK_DATA past the end", lseek(fd, TiB + 1, SEEK_DATA));

	if (pipe(p))
		return 1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		child(fd, p[1]);
	}
	close(p[1]);
	say("child says %s", read(p[0], &c, 1) == 1 && c == 'm' ? "mapped" :
	    "nothing");
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		say("child: status %#x", st);

	c = 0;
	chk("pread at 256 GiB", pread(fd, &c, 1, 256 * GiB));
	say("read at 256 GiB: %c", c);
	chk("pread at 1", pread(fd, &c, 1, 1));
	say("read at 1: %c", c);
	seeks(fd, 2 * MiB, "after");
	seeks(fd, 257 * GiB, "after");
	close(fd);
	scratch_cleanup(dir);
	say("DONE regress_map_huge_sparse");
	return 0;
}
