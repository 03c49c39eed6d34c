/*
 * sparse_map: a sparse tmpfs file stays sparse, also when mapped. Holes
 * cost nothing until written (st_blocks), SEEK_DATA and SEEK_HOLE find the
 * written pages (lseek(2)), and a store through a shared mapping of a
 * 2 GiB file adds exactly its page. The host side of the same case (the
 * host memory it costs) is measured by tests/limits/run.sh.
 */
#include "guest.h"
#include <sys/mount.h>

#define GiB (1L << 30)

static void seeks(int fd, const char *when)
{
	off_t d = lseek(fd, 0, SEEK_DATA);
	off_t h = d < 0 ? -1 : lseek(fd, d, SEEK_HOLE);

	if (d < 0)
		say("%s: SEEK_DATA from 0: %s", when, ename(errno));
	else
		say("%s: data at %ld MiB, hole at %ld MiB + %ld", when,
		    (long)(d >> 20), (long)(h >> 20), (long)(h & ((1 << 20) - 1)));
}

static void blocks(int fd, const char *when)
{
	struct stat st;

	fstat(fd, &st);
	say("%s: size %ld MiB, blocks %ld", when, (long)(st.st_size >> 20),
	    (long)st.st_blocks);
}

int main(void)
{
	const char *dir;
	char *p;
	int fd;

	test_start();
	dir = scratch_dir("sparse_map");
	if (mkdir("mnt", 0755) || mount("none", "mnt", "tmpfs", 0, "size=4g")) {
		say("mount tmpfs: %s", ename(errno));
		return 1;
	}
	fd = open("mnt/sparse", O_RDWR | O_CREAT, 0600);
	chk("ftruncate 2 GiB", ftruncate(fd, 2 * GiB));
	blocks(fd, "empty");
	seeks(fd, "empty");
	ERR("SEEK_HOLE past the end", lseek(fd, 3 * GiB, SEEK_HOLE));
	chk("pwrite at 1 GiB", pwrite(fd, "x", 1, GiB));
	blocks(fd, "one page written");
	seeks(fd, "one page written");
	p = mmap(NULL, 2 * GiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		say("mmap 2 GiB shared: %s", ename(errno));
		return 1;
	}
	say("through the mapping: byte at 1 GiB is %c", p[GiB]);
	p[512L << 20] = 'y';
	chk("msync", msync(p, 2 * GiB, MS_SYNC));
	chk("munmap", munmap(p, 2 * GiB));
	blocks(fd, "after a store at 512 MiB");
	seeks(fd, "after a store at 512 MiB");
	{
		char c = 0;
		pread(fd, &c, 1, 512L << 20);
		say("read back at 512 MiB: %c", c);
	}
	close(fd);
	umount("mnt");
	scratch_cleanup(dir);
	say("DONE sparse_map");
	return 0;
}
