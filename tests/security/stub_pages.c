/*
 * The stub's pages: code and request page can be neither written, nor
 * unmapped, remapped, mprotect'ed, madvise'd or mapped over, nor used as a
 * buffer by a system call; the host-output page (STUB_RW) is writable by
 * design and only ever read as untrusted input. Every page of
 * [STUB_START, STUB_END) is tried.
 */
#include "probe.h"

static const char *region(unsigned long p)
{
	if (p < STUB_DATA)
		return "code";
	if (p < STUB_RW)
		return "request";
	return "rw";
}

struct tally {
	const char *name;
	int code, request, rw;
};

static void count(struct tally *t, unsigned long p, bool ok)
{
	const char *r = region(p);

	if (!ok)
		return;
	if (!strcmp(r, "code"))
		t->code++;
	else if (!strcmp(r, "request"))
		t->request++;
	else
		t->rw++;
}

static void report(const struct tally *t)
{
	say("%s succeeded on: code %d, request %d, rw %d pages",
	    t->name, t->code, t->request, t->rw);
}

int main(int argc, char **argv)
{
	struct tally store = { .name = "store" }, mprot = { .name = "mprotect" },
		     unmap = { .name = "munmap" }, madv = { .name = "madvise" },
		     fixed = { .name = "mmap_fixed" }, remap_from = { .name = "mremap_from" },
		     remap_to = { .name = "mremap_to" }, rd = { .name = "read_into" },
		     wr = { .name = "write_from" };
	int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY);

	canary_init(argc, argv);
	for (unsigned long p = STUB_START; p < STUB_END; p += 4096) {
		char *spare = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		count(&store, p, try_store(p, 0x5a) == 0);
		count(&mprot, p, syscall(SYS_mprotect, p, 4096,
				 PROT_READ | PROT_WRITE | PROT_EXEC) == 0);
		count(&madv, p, syscall(SYS_madvise, p, 4096, MADV_DONTNEED) == 0);
		count(&rd, p, syscall(SYS_read, zero, p, 1) == 1);
		count(&wr, p, syscall(SYS_write, null, p, 1) == 1);
		count(&remap_to, p, syscall(SYS_mremap, spare, 4096, 4096,
				    MREMAP_MAYMOVE | MREMAP_FIXED, p) == (long)p);
		count(&remap_from, p, syscall(SYS_mremap, p, 4096, 4096,
				      MREMAP_MAYMOVE) > 0);
		count(&fixed, p, syscall(SYS_mmap, p, 4096, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
				 == (long)p);
		count(&unmap, p, syscall(SYS_munmap, p, 4096) == 0);
		munmap(spare, 4096);
	}
	report(&store);
	report(&mprot);
	report(&madv);
	report(&rd);
	report(&wr);
	report(&remap_to);
	report(&remap_from);
	report(&fixed);
	report(&unmap);
	say("brk_to_stub: %s", syscall(SYS_brk, STUB_START + 4096) ==
	    STUB_START + 4096 ? "moved" : "refused");
	say("DONE stub_pages");
	return 0;
}
