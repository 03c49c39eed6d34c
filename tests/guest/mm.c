/*
 * mm: address space calls: brk growth and shrink, anonymous and file mmap
 * (private and shared), munmap and mprotect observed through caught SIGSEGV,
 * mremap, madvise(MADV_DONTNEED), SIGBUS past the end of a file, sharing
 * across fork; system calls from code mapped near umk's stub; with hostile
 * arguments.
 */
#include "guest.h"

#define PG 4096UL

static sigjmp_buf jb;
static volatile int fault_code;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	fault_code = si->si_code;
	siglongjmp(jb, sig);
}

/* "none", or the signal and si_code a read (write) of p raised. */
static const char *probe(volatile char *p, int write)
{
	static char buf[32];
	int sig;

	if ((sig = sigsetjmp(jb, 1)) == 0) {
		if (write)
			*p = 1;
		else
			(void)*p;
		return "none";
	}
	snprintf(buf, sizeof(buf), "%s code=%d", sigabbrev_np(sig) ?: "?", fault_code);
	return buf;
}

static void test_brk(void)
{
	char *start = (char *)syscall(SYS_brk, 0), *cur;
	long r;

	r = syscall(SYS_brk, start + 1024 * 1024);
	yesno("brk_grow", r == (long)(start + 1024 * 1024));
	memset(start, 0x5a, 1024 * 1024);
	yesno("brk_memory_usable", start[1024 * 1024 - 1] == 0x5a);
	r = syscall(SYS_brk, start + 4096);
	yesno("brk_shrink", r == (long)(start + 4096));
	say("brk_beyond_shrunk: %s", probe(start + 512 * 1024, 0));
	r = syscall(SYS_brk, start + 2 * 4096);
	yesno("brk_regrow_zeroed", r == (long)(start + 2 * 4096) && start[4096 + 10] == 0);
	cur = (char *)syscall(SYS_brk, 0);
	yesno("brk_query", cur == start + 2 * 4096);
	r = syscall(SYS_brk, 4096);
	yesno("brk_too_low_unchanged", r == (long)cur);
	r = syscall(SYS_brk, 0x7fffffffffffUL);
	yesno("brk_huge_unchanged", r == (long)cur);
	syscall(SYS_brk, start);
	{
		char *p = malloc(100000);
		yesno("malloc_after_brk", p != NULL);
		free(p);
	}
}

static void test_anon(void)
{
	char *p, *q;
	int i, zero = 1;

	p = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	yesno("mmap_anon", p != MAP_FAILED && ((unsigned long)p & (PG - 1)) == 0);
	for (i = 0; i < 16 * (int)PG; i++)
		zero &= p[i] == 0;
	yesno("mmap_anon_zeroed", zero);
	memset(p, 7, 16 * PG);
	resv("munmap_middle", munmap(p + 4 * PG, 2 * PG));
	say("touch_before_hole: %s", probe(p + 4 * PG - 1, 1));
	say("touch_hole: %s", probe(p + 4 * PG, 1));
	say("touch_after_hole: %s", probe(p + 6 * PG, 0));
	resv("munmap_all", munmap(p, 16 * PG));
	say("touch_unmapped: %s", probe(p, 0));
	resv("munmap_unmapped_again", munmap(p, 16 * PG));

	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strcpy(p, "keep");
	resv("mprotect_ro", mprotect(p, PG, PROT_READ));
	say("write_ro: %s", probe(p, 1));
	say("read_ro: %s", probe(p, 0));
	yesno("ro_contents_kept", strcmp(p, "keep") == 0);
	say("write_next_page_rw: %s", probe(p + PG, 1));
	resv("mprotect_none", mprotect(p, PG, PROT_NONE));
	say("read_none: %s", probe(p, 0));
	resv("mprotect_rw", mprotect(p, PG, PROT_READ | PROT_WRITE));
	say("write_rw: %s", probe(p, 1));
	ERR("mprotect_unaligned", mprotect(p + 1, PG, PROT_READ));
	ERR("mprotect_badprot", mprotect(p, PG, 0x1000));
	ERR("mprotect_unmapped", mprotect(unmapped_page(), PG, PROT_READ));

	q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(q, 3, PG);
	resv("madvise_dontneed", madvise(q, PG, MADV_DONTNEED));
	yesno("dontneed_zeroed", q[0] == 0 && q[PG - 1] == 0);
	ERR("madvise_badadvice", madvise(q, PG, 9999));
	ERR("madvise_unaligned", madvise(q + 1, PG, MADV_DONTNEED));
	resv("madvise_willneed", madvise(q, PG, MADV_WILLNEED));

	memset(p, 9, 4 * PG);
	q = mremap(p, 4 * PG, 64 * PG, MREMAP_MAYMOVE);
	yesno("mremap_grow", q != MAP_FAILED);
	yesno("mremap_kept_contents", q[0] == 9 && q[4 * PG - 1] == 9 && q[4 * PG] == 0);
	q[64 * PG - 1] = 1;
	p = mremap(q, 64 * PG, 2 * PG, 0);
	yesno("mremap_shrink_in_place", p == q);
	say("touch_after_shrink: %s", probe(q + 10 * PG, 0));
	ERR("mremap_badflags", (long)mremap(p, 2 * PG, 4 * PG, 0x100));
	ERR("mremap_unaligned", (long)mremap(p + 1, PG, 2 * PG, MREMAP_MAYMOVE));
	ERR("mremap_unmapped", (long)mremap(unmapped_page(), PG, 2 * PG, MREMAP_MAYMOVE));
	munmap(p, 2 * PG);
}

static void test_errors(void)
{
	void *p;

	ERR("mmap_no_type", (long)mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0));
	ERR("mmap_zero_len", (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	ERR("mmap_badfd", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 999, 0));
	ERR("mmap_unaligned_off", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 0, 1));
	ERR("mmap_fixed_unaligned", (long)mmap((void *)0x10001, PG, PROT_READ,
					       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	ERR("mmap_huge_len", (long)mmap(NULL, -PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	ERR("munmap_unaligned", munmap((void *)0x10001, PG));
	ERR("munmap_zero_len", munmap((void *)0x10000, 0));
	ERR("munmap_kernel", munmap((void *)0xffff800000000000UL, PG));

	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	((char *)p)[0] = 1;
	yesno("map_fixed_replaces",
	      mmap(p, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == p &&
	      ((char *)p)[0] == 0);
	ERR("map_fixed_noreplace", (long)mmap(p, PG, PROT_READ,
					      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
	munmap(p, 2 * PG);
}

/*
 * mmap's checks in Linux's order (ksys_mmap_pgoff, do_mmap): the fd
 * first (EBADF even for a zero length or a bad type), then the length,
 * then per-file checks: MAP_SHARED_VALIDATE refuses flags outside
 * LEGACY_MAP_MASK (EOPNOTSUPP, MAP_SYNC included: no file here is DAX)
 * where MAP_SHARED ignores them, access (EACCES) before ENODEV. Unknown
 * prot bits are ignored by mmap (only mprotect checks them).
 */
static void test_arg_order(void)
{
	int fd, pfd[2], zero, opath;

	ERR("mmap_len0_fd-1", (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE, -1, 0));
	ERR("mmap_len0_badfd_shared", (long)mmap(NULL, 0, PROT_READ, MAP_SHARED, 99, 0));
	ERR("mmap_notype_fd-1", (long)mmap(NULL, PG, PROT_READ, 0, -1, 0));
	ERR("mmap_hugelen_fd-1", (long)mmap(NULL, -PG, PROT_READ, MAP_PRIVATE, -1, 0));
	ERR("mmap_fixed_unaligned_fd-1", (long)mmap((void *)0x10001, PG, PROT_READ,
						    MAP_PRIVATE | MAP_FIXED, -1, 0));
	ERR("mmap_badprot_fd-1", (long)mmap(NULL, PG, 0x100, MAP_PRIVATE, -1, 0));
	ERR("mmap_badprot_anon", (long)mmap(NULL, PG, 0x100 | PROT_READ,
					    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));

	fd = open("validate", O_CREAT | O_RDWR | O_TRUNC, 0644);
	ftruncate(fd, PG);
	ERR("validate_ok", (long)mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE, fd, 0));
	ERR("validate_unknown", (long)mmap(NULL, PG, PROT_READ,
					   MAP_SHARED_VALIDATE | 0x200000, fd, 0));
	ERR("validate_sync", (long)mmap(NULL, PG, PROT_READ,
					MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0));
	ERR("validate_legacy_flags", (long)mmap(NULL, PG, PROT_READ,
						MAP_SHARED_VALIDATE | MAP_NORESERVE |
						MAP_POPULATE | MAP_STACK, fd, 0));
	ERR("shared_unknown_ignored", (long)mmap(NULL, PG, PROT_READ,
						 MAP_SHARED | 0x200000, fd, 0));
	ERR("private_unknown_ignored", (long)mmap(NULL, PG, PROT_READ,
						  MAP_PRIVATE | 0x200000, fd, 0));
	ERR("validate_anon", (long)mmap(NULL, PG, PROT_READ,
					MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0));
	ERR("file_type0", (long)mmap(NULL, PG, PROT_READ, 0, fd, 0));
	ERR("file_len0_type0", (long)mmap(NULL, 0, PROT_READ, 0, fd, 0));
	ERR("file_hugetlb", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, fd, 0));
	ERR("file_map_growsdown", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, fd, 0));
	ERR("file_prot_growsdown", (long)mmap(NULL, PG, PROT_READ | PROT_GROWSDOWN, MAP_PRIVATE, fd, 0));
	ERR("anon_shared_growsdown", (long)mmap(NULL, PG, PROT_READ,
						MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0));
	close(fd);
	fd = open("validate", O_RDONLY);
	ERR("validate_unknown_rdonly_write", (long)mmap(NULL, PG, PROT_READ | PROT_WRITE,
							MAP_SHARED_VALIDATE | 0x200000, fd, 0));
	close(fd);
	opath = open("validate", O_PATH);
	ERR("mmap_opath", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, opath, 0));
	close(opath);
	unlink("validate");

	zero = open("/dev/zero", O_RDWR);
	ERR("zero_validate_ok", (long)mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE, zero, 0));
	ERR("zero_validate_unknown", (long)mmap(NULL, PG, PROT_READ,
						MAP_SHARED_VALIDATE | 0x200000, zero, 0));
	close(zero);
	pipe(pfd);
	ERR("pipe_read_end", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, pfd[0], 0));
	ERR("pipe_write_end", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, pfd[1], 0));
	ERR("pipe_validate_unknown", (long)mmap(NULL, PG, PROT_READ,
						MAP_SHARED_VALIDATE | 0x200000, pfd[0], 0));
	close(pfd[0]);
	close(pfd[1]);
}

static void test_file(void)
{
	char data[2 * PG], buf[8] = "";
	int fd, i, same = 1;
	char *p;

	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = 'A' + i % 26;
	fd = open("mapped", O_CREAT | O_RDWR | O_TRUNC, 0644);
	write(fd, data, sizeof(data));

	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	yesno("mmap_private_file", p != MAP_FAILED);
	for (i = 0; i < (int)sizeof(data); i++)
		same &= p[i] == data[i];
	yesno("private_contents", same);
	p[0] = 'z';
	pread(fd, buf, 1, 0);
	say("private_write_not_in_file: %c", buf[0]);
	munmap(p, 2 * PG);

	p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, PG);
	say("mmap_offset_first_byte: %c", p == MAP_FAILED ? '?' : p[0]);
	munmap(p, PG);

	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	yesno("mmap_shared_file", p != MAP_FAILED);
	memcpy(p + 10, "SHARED", 6);
	resv("msync", msync(p, 2 * PG, MS_SYNC));
	pread(fd, buf, 6, 10);
	say("shared_write_in_file: %.6s", buf);
	pwrite(fd, "w", 1, 100);
	say("file_write_in_map: %c", p[100]);
	ERR("msync_badflags", msync(p, PG, MS_SYNC | MS_ASYNC));
	munmap(p, 2 * PG);

	p = mmap(NULL, 4 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	say("read_past_eof_page: %s", probe(p + 3 * PG, 0));
	say("read_eof_partial_page: %s", probe(p + 2 * PG - 1, 0));
	munmap(p, 4 * PG);
	close(fd);

	fd = open("mapped", O_RDONLY);
	ERR("mmap_shared_write_rdonly", (long)mmap(NULL, PG, PROT_WRITE, MAP_SHARED, fd, 0));
	resv("mmap_private_write_rdonly_ok",
	     mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0) == MAP_FAILED ? -1 : 0);
	close(fd);
	fd = open("mapped", O_WRONLY);
	ERR("mmap_wronly", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0));
	close(fd);
	fd = open(".", O_RDONLY);
	ERR("mmap_dir", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0));
	close(fd);

	unlink("mapped");

	/* Once nothing maps a file any more, its writes and truncations
	 * still show in the next mapping and in read(). */
	fd = open("unmapped", O_CREAT | O_RDWR | O_TRUNC, 0644);
	write(fd, data, sizeof(data));
	p = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
	say("unmapped_first_map: %c", p == MAP_FAILED ? '?' : p[0]);
	munmap(p, 2 * PG);
	close(fd);
	fd = open("unmapped", O_RDWR);
	pwrite(fd, "Q", 1, 0);
	ftruncate(fd, PG + 10);
	ftruncate(fd, 2 * PG);
	p = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	say("remap_sees_write: %c", p == MAP_FAILED ? '?' : p[0]);
	say("remap_sees_truncate: %d %d", p == MAP_FAILED ? -1 : p[PG + 9],
	    p == MAP_FAILED ? -1 : p[PG + 10]);
	munmap(p, 2 * PG);
	buf[0] = '?';
	pread(fd, buf, 1, PG + 100);
	say("read_sees_truncate: %d", buf[0]);
	close(fd);
	unlink("unmapped");
}

static void test_fork_sharing(void)
{
	char *shared = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *priv = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static char data_seg[64] = "parent";
	pid_t pid;

	strcpy(shared, "parent");
	strcpy(priv, "parent");
	pid = fork();
	if (pid == 0) {
		strcpy(shared, "child");
		strcpy(priv, "child");
		strcpy(data_seg, "child");
		_exit(0);
	}
	say("fork_child: %s", reap(pid));
	say("after_fork: shared=%s private=%s data=%s", shared, priv, data_seg);
}

static void test_stack(void)
{
	volatile char *p = alloca(2 * 1024 * 1024);
	int i;

	for (i = 0; i < 2 * 1024 * 1024; i += 4096)
		p[i] = 1;
	say("stack_grows_2mib: yes");
}

/* A system call made by code at addr (mapped there, fixed) gives the
 * answer it gives from the program's own text: getpid. umk's stub lives
 * at 0x7ff000000000; the host's filter must tell its 16 MiB from the rest
 * of that 4 GiB window, where ld.so or mmap may put a guest's code. */
static void test_code_at(unsigned long addr)
{
	static const unsigned char getpid_code[] = {
		0xb8, 39, 0, 0, 0,	/* mov $SYS_getpid, %eax */
		0x0f, 0x05,		/* syscall */
		0xc3,			/* ret */
	};
	void *p = mmap((void *)addr, PG, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	long (*fn)(void) = p;

	if (p != (void *)addr) {
		say("code_at_%#lx: %s", addr, p == MAP_FAILED ?
		    strerrorname_np(errno) : "elsewhere");
		if (p != MAP_FAILED)
			munmap(p, PG);
		return;
	}
	memcpy(p, getpid_code, sizeof(getpid_code));
	say("code_at_%#lx: getpid %s", addr,
	    fn() == getpid() ? "agrees" : "differs");
	munmap(p, PG);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER };
	const char *dir;

	test_start();
	dir = scratch_dir("mm");
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	test_brk();
	test_anon();
	test_errors();
	test_arg_order();
	test_file();
	test_fork_sharing();
	test_stack();
	test_code_at(0x7ff010000000UL);
	test_code_at(0x7ff0ff000000UL);
	test_code_at(0x7fef00000000UL);
	scratch_cleanup(dir);
	say("DONE mm");
	return 0;
}
