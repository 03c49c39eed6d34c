/*
 * execve: load an ELF program (static, static-PIE, or dynamic with its
 * PT_INTERP) or a #! script from the guest VFS, never from a host path.
 * Everything that can fail is checked before the point of no return; then
 * the task's host address space is replaced by a fresh stub image, the
 * segments are mapped through the stub and filled from the file, and the
 * initial stack (argv, envp, auxv) is written as Linux's create_elf_tables.
 * Semantics: execve(2), Linux fs/exec.c and fs/binfmt_elf.c.
 */
#include <umk/capability.h>
#include <umk/sched.h>
#include <umk/ptrace.h>
#include <umk/fs.h>
#include <umk/filemap.h>
#include <umk/init.h>
#include <umk/signal_internal.h>
#include <umk/syscalls.h>
#include <mode.h>
#include "fs/internal.h"
#include <stub.h>
#include <os.h>
#include <elf.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/syscall.h>


#define MAX_ARG_STRLEN (32 * PAGE_SIZE)
/* Bytes of argv+envp strings: a quarter of RLIMIT_STACK, at least 128 KiB,
 * as Linux (fs/exec.c get_arg_page), and at most 6 MiB. */
static size_t max_arg_total(void)
{
	rlim_t lim = current->signal->rlim[RLIMIT_STACK].rlim_cur / 4;

	return max(min(lim, (rlim_t)6 << 20), (rlim_t)128 << 10);
}
#define BINPRM_BUF_SIZE 256
#define MAX_INTERP_DEPTH 4
#define ELF_ET_DYN_BASE 0x555555554000UL
#define MAX_PHNUM 64

struct strvec {
	int count;
	size_t bytes;			/* strings with their NULs */
	char **v;
};

struct elf_image {
	struct file *file;
	Elf64_Ehdr eh;
	Elf64_Phdr ph[MAX_PHNUM];
	unsigned long bias;		/* load address - p_vaddr */
	unsigned long end;		/* highest mapped address */
};

struct linux_binprm {
	char *filename;			/* as given, for AT_EXECFN */
	char *path;			/* the file that finally runs */
	struct strvec argv, envp;
	struct elf_image exe, interp;
	bool has_interp;
};

static void strvec_free(struct strvec *s)
{
	for (int i = 0; i < s->count; i++)
		kfree(s->v[i]);
	kfree(s->v);
	s->v = NULL;
	s->count = 0;
	s->bytes = 0;
}

static int strvec_push(struct strvec *s, int at, const char *str)
{
	char **v = krealloc(s->v, (s->count + 1) * sizeof(char *));
	char *copy = kstrdup(str);

	if (!v || !copy) {
		kfree(copy);
		if (v)
			s->v = v;
		return -ENOMEM;
	}
	s->v = v;
	memmove(&s->v[at + 1], &s->v[at], (s->count - at) * sizeof(char *));
	s->v[at] = copy;
	s->count++;
	s->bytes += strlen(copy) + 1;
	return s->bytes > max_arg_total() ? -E2BIG : 0;
}

/* Copy a NULL-terminated guest array of strings. */
static int copy_strings(struct strvec *s, struct uptr uv)
{
	char *buf;
	int err = 0;

	if (uptr_null(uv))
		return 0;
	buf = kmalloc(MAX_ARG_STRLEN);
	if (!buf)
		return -ENOMEM;
	for (int i = 0;; i++) {
		unsigned long p;
		long len;

		if (copy_from_user(&p, uptr_add(uv, i * 8), 8)) {
			err = -EFAULT;
			break;
		}
		if (!p)
			break;
		len = strncpy_from_user(buf, UPTR(p), MAX_ARG_STRLEN);
		if (len < 0) {
			err = len == -ENAMETOOLONG ? -E2BIG : len;
			break;
		}
		err = strvec_push(s, s->count, buf);
		if (err)
			break;
	}
	kfree(buf);
	return err;
}

static int read_exact(struct file *f, void *buf, size_t len, loff_t pos)
{
	ssize_t n = kernel_read(f, buf, len, &pos);

	if (n < 0)
		return n;
	return (size_t)n == len ? 0 : -ENOEXEC;
}

static int elf_check(struct elf_image *img)
{
	Elf64_Ehdr *eh = &img->eh;
	size_t phsize;

	if (read_exact(img->file, eh, sizeof(*eh), 0))
		return -ENOEXEC;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 ||
	    (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phnum == 0 || eh->e_phnum > MAX_PHNUM)
		return -ENOEXEC;
	phsize = eh->e_phnum * sizeof(Elf64_Phdr);
	if (read_exact(img->file, img->ph, phsize, eh->e_phoff))
		return -ENOEXEC;
	for (int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr *p = &img->ph[i];

		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_filesz > p->p_memsz ||
		    (p->p_vaddr & (PAGE_SIZE - 1)) != (p->p_offset & (PAGE_SIZE - 1)) ||
		    p->p_vaddr + p->p_memsz < p->p_vaddr ||
		    p->p_vaddr + p->p_memsz >= STUB_START)
			return -ENOEXEC;
	}
	return 0;
}

/* The PT_INTERP path of img into buf, or 0 if it has none. */
static int elf_interp(struct elf_image *img, char *buf, size_t size)
{
	for (int i = 0; i < img->eh.e_phnum; i++) {
		Elf64_Phdr *p = &img->ph[i];

		if (p->p_type != PT_INTERP)
			continue;
		if (p->p_filesz < 2 || p->p_filesz > size)
			return -ENOEXEC;
		if (read_exact(img->file, buf, p->p_filesz, p->p_offset))
			return -ENOEXEC;
		if (buf[p->p_filesz - 1] != 0)
			return -ENOEXEC;
		return 1;
	}
	return 0;
}

/* Parse "#!interp [arg]" in buf; rewrite argv. 1 if it was a script. */
static int load_script(struct linux_binprm *bprm, char *buf, size_t len,
		       char **interp)
{
	char *p, *end, *arg = NULL;
	int err;

	if (len < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	end = memchr(buf, '\n', len);
	if (!end) {
		if (len == BINPRM_BUF_SIZE)
			return -ENOEXEC;
		end = buf + len;
	}
	*end = 0;
	for (p = buf + 2; *p == ' ' || *p == '\t'; p++)
		;
	if (!*p)
		return -ENOEXEC;
	*interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p) {
		*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p) {
			char *e = p + strlen(p);

			while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = 0;
			arg = p;
		}
	}
	/* argv[0] is replaced by: interp [arg] path */
	if (bprm->argv.count > 0) {
		bprm->argv.bytes -= strlen(bprm->argv.v[0]) + 1;
		kfree(bprm->argv.v[0]);
		memmove(&bprm->argv.v[0], &bprm->argv.v[1],
			(bprm->argv.count - 1) * sizeof(char *));
		bprm->argv.count--;
	}
	if ((err = strvec_push(&bprm->argv, 0, bprm->path)) ||
	    (arg && (err = strvec_push(&bprm->argv, 0, arg))) ||
	    (err = strvec_push(&bprm->argv, 0, *interp)))
		return err;
	return 1;
}

/* Open and check everything; nothing of the task changes here. */
static int prepare_binprm(struct linux_binprm *bprm, const char *name)
{
	char buf[BINPRM_BUF_SIZE + 1], interp_path[PATH_MAX];
	int depth = 0, err;

	bprm->path = kstrdup(name);
	for (;;) {
		struct file *f = open_exec(bprm->path);
		char *interp = NULL;
		loff_t pos = 0;
		ssize_t n;

		if (IS_ERR(f))
			return PTR_ERR(f);
		n = kernel_read(f, buf, BINPRM_BUF_SIZE, &pos);
		if (n < 0) {
			fput(f);
			return n;
		}
		buf[n] = 0;
		err = load_script(bprm, buf, n, &interp);
		if (err < 0) {
			fput(f);
			return err;
		}
		if (err == 0) {
			bprm->exe.file = f;
			break;
		}
		fput(f);
		if (++depth > MAX_INTERP_DEPTH)
			return -ELOOP;
		kfree(bprm->path);
		bprm->path = kstrdup(interp);
		if (!bprm->path)
			return -ENOMEM;
	}
	err = elf_check(&bprm->exe);
	if (err)
		return err;
	err = elf_interp(&bprm->exe, interp_path, sizeof(interp_path));
	if (err < 0)
		return err;
	if (err == 1) {
		struct file *f = open_exec(interp_path);

		if (IS_ERR(f))
			return PTR_ERR(f);
		bprm->interp.file = f;
		bprm->has_interp = true;
		err = elf_check(&bprm->interp);
		if (err)
			return err == -ENOEXEC ? -ELIBBAD : err;
		if (bprm->interp.eh.e_type != ET_DYN &&
		    bprm->interp.eh.e_type != ET_EXEC)
			return -ELIBBAD;
	}
	return 0;
}

static void free_binprm(struct linux_binprm *bprm)
{
	strvec_free(&bprm->argv);
	strvec_free(&bprm->envp);
	if (bprm->exe.file)
		fput(bprm->exe.file);
	if (bprm->interp.file)
		fput(bprm->interp.file);
	kfree(bprm->path);
	kfree(bprm->filename);
}

static unsigned long elf_span(struct elf_image *img, unsigned long *lo)
{
	unsigned long min = ~0UL, maxe = 0;

	for (int i = 0; i < img->eh.e_phnum; i++) {
		Elf64_Phdr *p = &img->ph[i];

		if (p->p_type != PT_LOAD)
			continue;
		min = min(min, ALIGN_DOWN(p->p_vaddr, PAGE_SIZE));
		maxe = max(maxe, ALIGN_UP(p->p_vaddr + p->p_memsz, PAGE_SIZE));
	}
	*lo = min;
	return maxe - min;
}

static int elf_prot(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

/*
 * Reserve img's span in the current task's fresh address space when it is
 * position independent (at want if free, else where the host puts it) and
 * set its load bias. 0 or -errno.
 */
static int elf_reserve(struct task *t, struct elf_image *img,
		       unsigned long want)
{
	unsigned long lo, span = elf_span(img, &lo);
	long ret;

	img->bias = 0;
	if (img->eh.e_type != ET_DYN)
		return 0;
	ret = host_syscall(t, SYS_mmap, want, span, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			   (want ? MAP_FIXED_NOREPLACE : 0), -1, 0);
	if (ret < 0 && want)
		ret = host_syscall(t, SYS_mmap, 0, span, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				   -1, 0);
	if (ret < 0)
		return ret;
	img->bias = ret - lo;
	return 0;
}

/* A PT_LOAD's pages: [start, fend) hold file bytes, [fend, end) zeros. */
struct elf_seg {
	unsigned long start, fend, end;
};

static void elf_seg(struct elf_image *img, Elf64_Phdr *p, struct elf_seg *s)
{
	s->start = ALIGN_DOWN(img->bias + p->p_vaddr, PAGE_SIZE);
	s->fend = p->p_filesz ?
		ALIGN_UP(img->bias + p->p_vaddr + p->p_filesz, PAGE_SIZE) :
		s->start;
	s->end = ALIGN_UP(img->bias + p->p_vaddr + p->p_memsz, PAGE_SIZE);
	if (s->fend > s->end)
		s->fend = s->end;
}

static const char zero_page[PAGE_SIZE];

/*
 * Map img's segments privately from its page cache, as Linux's elf_map
 * maps them from the file: one stub batch receives the cache's memfd and
 * maps each segment's file pages with their final protection and its bss
 * anonymous (t's image is a fresh stub: host_batch_passing_fd), nothing
 * is copied,
 * and the guest faults in only the pages it touches (sharing them with
 * every other process running the file until it writes one). The bytes
 * of the last file page past p_filesz are zeroed (Linux padzero) when
 * p_memsz goes on. 0 or -errno.
 */
static int elf_map_cached(struct task *t, struct elf_image *img,
			  struct page_cache *c)
{
	struct stub_batch b = { 0 };
	struct elf_seg sg;
	long ret, last;
	int n = 0, fd = STUB_FRESH_FD;

	for (int i = 0; i < img->eh.e_phnum; i++) {
		Elf64_Phdr *p = &img->ph[i];

		if (p->p_type != PT_LOAD)
			continue;
		elf_seg(img, p, &sg);
		if (sg.fend > sg.start)
			b.calls[n++] = (struct stub_syscall){ SYS_mmap, {
				sg.start, sg.fend - sg.start, elf_prot(p->p_flags),
				MAP_PRIVATE | MAP_FIXED, fd,
				ALIGN_DOWN(p->p_offset, PAGE_SIZE) } };
		if (sg.end > sg.fend)
			b.calls[n++] = (struct stub_syscall){ SYS_mmap, {
				sg.fend, sg.end - sg.fend, elf_prot(p->p_flags),
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0 } };
		img->end = max(img->end, sg.end);
	}
	b.count = n;
	ret = host_batch_passing_fd(t, filemap_host_fd(c), &b, &last);
	if (ret != n)
		return ret < 0 ? ret : last;
	for (int i = 0; i < img->eh.e_phnum; i++) {
		Elf64_Phdr *p = &img->ph[i];
		unsigned long zero_at = img->bias + p->p_vaddr + p->p_filesz;

		if (p->p_type != PT_LOAD)
			continue;
		elf_seg(img, p, &sg);
		if (sg.fend > sg.start &&
		    filemap_add_private(t->mm, sg.start, sg.fend, c) < 0)
			return -ENOMEM;
		if (p->p_memsz > p->p_filesz && zero_at < sg.fend &&
		    copy_to_user_force(t->mm, zero_at, zero_page,
				       sg.fend - zero_at))
			return -EFAULT;
	}
	return 0;
}

/*
 * Map img's segments anonymous and writable, copy the file bytes in, then
 * set the final protections: for files without a page cache to map (tmpfs,
 * hostfs, procfs).
 */
static int elf_map_copy(struct task *t, struct elf_image *img)
{
	struct stub_batch b = { 0 };
	struct elf_seg sg;
	char *buf;
	long ret, last;
	int n = 0;

	for (int i = 0; i < img->eh.e_phnum; i++) {
		Elf64_Phdr *p = &img->ph[i];

		if (p->p_type != PT_LOAD)
			continue;
		elf_seg(img, p, &sg);
		b.calls[n++] = (struct stub_syscall){ SYS_mmap, {
			sg.start, sg.end - sg.start, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0 } };
		img->end = max(img->end, sg.end);
	}
	b.count = n;
	ret = host_batch(t, &b, &last);
	if (ret != n)
		return ret < 0 ? ret : last;

	buf = kmalloc(65536);
	if (!buf)
		return -ENOMEM;
	for (int i = 0; i < img->eh.e_phnum; i++) {
		Elf64_Phdr *p = &img->ph[i];
		uint64_t done = 0;

		if (p->p_type != PT_LOAD)
			continue;
		while (done < p->p_filesz) {
			size_t chunk = min(p->p_filesz - done, (uint64_t)65536);
			loff_t pos = p->p_offset + done;
			ssize_t got = kernel_read(img->file, buf, chunk, &pos);

			if (got <= 0 ||
			    copy_to_user(UPTR(img->bias + p->p_vaddr + done),
					 buf, got)) {
				kfree(buf);
				return -EIO;
			}
			done += got;
		}
	}
	kfree(buf);

	n = 0;
	for (int i = 0; i < img->eh.e_phnum; i++) {
		Elf64_Phdr *p = &img->ph[i];

		if (p->p_type != PT_LOAD)
			continue;
		elf_seg(img, p, &sg);
		b.calls[n++] = (struct stub_syscall){ SYS_mprotect, {
			sg.start, sg.end - sg.start, elf_prot(p->p_flags) } };
	}
	b.count = n;
	ret = host_batch(t, &b, &last);
	if (ret != n)
		return ret < 0 ? ret : last;
	return 0;
}

/* How many PT_LOAD segments img has. */
static int elf_nload(struct elf_image *img)
{
	int n = 0;

	for (int i = 0; i < img->eh.e_phnum; i++)
		n += img->ph[i].p_type == PT_LOAD;
	return n;
}

/*
 * Map img into the current task's fresh address space (ET_DYN: at want if
 * free, else where the host puts it): from its page cache when its file
 * has one to offer, else by copying.
 */
static int elf_map(struct task *t, struct elf_image *img, unsigned long want)
{
	struct page_cache *c;
	int err = elf_reserve(t, img, want);

	if (err)
		return err;
	if (2 * elf_nload(img) + 2 <= STUB_BATCH_MAX &&
	    (c = filemap_exec_get(img->file))) {
		err = elf_map_cached(t, img, c);
		filemap_put(c);
		return err;
	}
	return elf_map_copy(t, img);
}

static unsigned long elf_phdr_addr(struct elf_image *img)
{
	for (int i = 0; i < img->eh.e_phnum; i++)
		if (img->ph[i].p_type == PT_PHDR)
			return img->bias + img->ph[i].p_vaddr;
	for (int i = 0; i < img->eh.e_phnum; i++) {
		Elf64_Phdr *p = &img->ph[i];

		if (p->p_type == PT_LOAD && p->p_offset == 0)
			return img->bias + p->p_vaddr + img->eh.e_phoff;
	}
	return 0;
}

/* What the host told the stub in its auxv that the guest should see too. */
struct host_auxv {
	unsigned long sysinfo_ehdr, hwcap, hwcap2, minsigstksz;
};

/*
 * The stub's initial stack from sp on (argc, argv, envp, auxv), at most
 * two pages: the rest of sp's page in one read, then the next page if the
 * auxv goes on there. Words read into w (nw of them).
 */
#define STACK_WORDS (2 * PAGE_SIZE / 8)

static size_t read_stub_stack(unsigned long sp, unsigned long *w,
			      size_t *nw, size_t need)
{
	size_t bytes = *nw * 8, chunk;

	if (need <= *nw)
		return *nw;
	if (*nw >= STACK_WORDS)
		return *nw;
	chunk = PAGE_SIZE - ((sp + bytes) & (PAGE_SIZE - 1));
	chunk = min(chunk, STACK_WORDS * 8 - bytes);
	if (copy_from_user((char *)w + bytes, UPTR(sp + bytes), chunk) == 0)
		*nw += chunk / 8;
	return *nw;
}

static void read_host_auxv(struct task *t, struct host_auxv *h)
{
	unsigned long sp = t->regs.rsp, *w;
	size_t nw = 0, i;

	memset(h, 0, sizeof(*h));
	if (sp & 7)
		return;
	w = kmalloc(STACK_WORDS * 8);
	if (!w)
		return;
	if (read_stub_stack(sp, w, &nw, 1) < 1)
		goto out;
	if (w[0] > STACK_WORDS)
		goto out;
	i = 1 + w[0] + 1;		/* argc, argv[], NULL */
	for (;; i++) {			/* envp[], NULL */
		if (read_stub_stack(sp, w, &nw, i + 1) < i + 1)
			goto out;
		if (!w[i])
			break;
	}
	for (i++; ; i += 2) {
		if (read_stub_stack(sp, w, &nw, i + 2) < i + 2 ||
		    w[i] == AT_NULL)
			goto out;
		switch (w[i]) {
		case AT_SYSINFO_EHDR: h->sysinfo_ehdr = w[i + 1]; break;
		case AT_HWCAP: h->hwcap = w[i + 1]; break;
		case AT_HWCAP2: h->hwcap2 = w[i + 1]; break;
		case AT_MINSIGSTKSZ: h->minsigstksz = w[i + 1]; break;
		}
	}
out:
	kfree(w);
}

/* Build argc/argv/envp/auxv below the stub's stack pointer. */
static int create_elf_tables(struct task *t, struct linux_binprm *bprm,
			     unsigned long *sp_out)
{
	struct mm_struct *mm = t->mm;
	const struct cred *c = t->cred;
	struct host_auxv h;
	unsigned long top, p, strings, random_at, platform_at, execfn_at;
	unsigned long *auxv = mm->auxv, *ptrs;
	size_t nptrs, blk;
	char *block;
	int na = 0, argc = bprm->argv.count, envc = bprm->envp.count;
	size_t execfn_len = strlen(bprm->filename) + 1;

	read_host_auxv(t, &h);
	top = ALIGN_DOWN(t->regs.rsp - 256, 16);
	strings = bprm->argv.bytes + bprm->envp.bytes + execfn_len + 16 + 16;
	p = ALIGN_DOWN(top - strings, 16);
	blk = top - p;
	block = kzalloc(blk);
	if (!block)
		return -ENOMEM;

	/* Strings, from low to high: argv, envp, random, platform, execfn. */
	{
		char *w = block;
		unsigned long at = p;

		mm->arg_start = at;
		for (int i = 0; i < argc; i++) {
			size_t l = strlen(bprm->argv.v[i]) + 1;

			memcpy(w, bprm->argv.v[i], l);
			w += l;
			at += l;
		}
		mm->arg_end = at;
		mm->env_start = at;
		for (int i = 0; i < envc; i++) {
			size_t l = strlen(bprm->envp.v[i]) + 1;

			memcpy(w, bprm->envp.v[i], l);
			w += l;
			at += l;
		}
		mm->env_end = at;
		random_at = at;
		os_getrandom(w, 16);
		w += 16;
		at += 16;
		platform_at = at;
		memcpy(w, "x86_64", 7);
		w += 16;
		at += 16;
		execfn_at = at;
		memcpy(w, bprm->filename, execfn_len);
	}

#define NEW_AUX_ENT(id, val) do { auxv[na++] = (id); auxv[na++] = (val); } while (0)
	if (h.sysinfo_ehdr)
		NEW_AUX_ENT(AT_SYSINFO_EHDR, h.sysinfo_ehdr);
	if (h.minsigstksz)
		NEW_AUX_ENT(AT_MINSIGSTKSZ, h.minsigstksz);
	NEW_AUX_ENT(AT_HWCAP, h.hwcap);
	NEW_AUX_ENT(AT_PAGESZ, PAGE_SIZE);
	NEW_AUX_ENT(AT_CLKTCK, 100);
	NEW_AUX_ENT(AT_PHDR, elf_phdr_addr(&bprm->exe));
	NEW_AUX_ENT(AT_PHENT, sizeof(Elf64_Phdr));
	NEW_AUX_ENT(AT_PHNUM, bprm->exe.eh.e_phnum);
	NEW_AUX_ENT(AT_BASE, bprm->has_interp ? bprm->interp.bias : 0);
	NEW_AUX_ENT(AT_FLAGS, 0);
	NEW_AUX_ENT(AT_ENTRY, bprm->exe.bias + bprm->exe.eh.e_entry);
	NEW_AUX_ENT(AT_UID, c->uid);
	NEW_AUX_ENT(AT_EUID, c->euid);
	NEW_AUX_ENT(AT_GID, c->gid);
	NEW_AUX_ENT(AT_EGID, c->egid);
	NEW_AUX_ENT(AT_SECURE, 0);
	NEW_AUX_ENT(AT_RANDOM, random_at);
	NEW_AUX_ENT(AT_HWCAP2, h.hwcap2);
	NEW_AUX_ENT(AT_EXECFN, execfn_at);
	NEW_AUX_ENT(AT_PLATFORM, platform_at);
	NEW_AUX_ENT(AT_NULL, 0);
#undef NEW_AUX_ENT
	mm->auxv_len = na;

	nptrs = 1 + argc + 1 + envc + 1 + na;
	{
		unsigned long sp = ALIGN_DOWN(p - nptrs * 8, 16);
		size_t plen = nptrs * 8;
		unsigned long at;
		int k = 0;

		ptrs = kzalloc(plen);
		if (!ptrs) {
			kfree(block);
			return -ENOMEM;
		}
		ptrs[k++] = argc;
		at = mm->arg_start;
		for (int i = 0; i < argc; i++) {
			ptrs[k++] = at;
			at += strlen(bprm->argv.v[i]) + 1;
		}
		ptrs[k++] = 0;
		for (int i = 0; i < envc; i++) {
			ptrs[k++] = at;
			at += strlen(bprm->envp.v[i]) + 1;
		}
		ptrs[k++] = 0;
		memcpy(&ptrs[k], auxv, na * 8);
		if (copy_to_user_stack(UPTR(sp), ptrs, plen) ||
		    copy_to_user(UPTR(p), block, blk)) {
			kfree(ptrs);
			kfree(block);
			return -EFAULT;
		}
		kfree(ptrs);
		kfree(block);
		*sp_out = sp;
		mm->start_stack = sp;
	}
	return 0;
}

/* After the point of no return: any failure kills the task (SIGSEGV). */
static void __attribute__((noreturn)) exec_failed(int err)
{
	printk(KERN_ERR "umk: exec of pid %d failed after the point of no "
	       "return: %d\n", current->pid, err);
	do_exit(SIGSEGV);
}

/*
 * A non-leader thread execs: it takes over the leader's pid and place in
 * the process tree (Linux de_thread's exchange of tids); the old leader's
 * task, already dead, is freed.
 */
static void take_leader_identity(struct task *t)
{
	struct task *leader = t->group_leader, *c, *n;

	t->pid = leader->pid;
	t->group_leader = t;
	list_del_init(&t->thread_node);
	INIT_LIST_HEAD(&t->thread_group);
	list_add_tail(&t->thread_node, &t->thread_group);
	t->real_parent = leader->real_parent;
	t->exit_signal = leader->exit_signal;
	list_add(&t->sibling, &leader->sibling);
	list_del_init(&leader->sibling);
	list_for_each_entry_safe(c, n, &leader->children, sibling) {
		list_del_init(&c->sibling);
		list_add_tail(&c->sibling, &t->children);
		c->real_parent = t;
	}
	list_del_init(&leader->tasks);
	list_del_init(&leader->thread_node);
	ptrace_release_task(leader);
	if (--leader->sighand->count == 0)
		kfree(leader->sighand);
	put_cred(leader->cred);
	kfree(leader);
}

/* Kill the other threads of the group before exec (de_thread). Returns
 * true if the current task was not the leader (it is now). */
static bool de_thread(struct task *t)
{
	struct task *th;
	bool was_leader = thread_group_leader(t);

	if (t->signal->count == 1 && was_leader)
		return false;
	t->signal->group_exec_task = t;
	list_for_each_entry(th, &t->group_leader->thread_group, thread_node) {
		if (th != t && task_alive(th)) {
			th->pending.signal |= sigmask(SIGKILL);
			signal_wake_up(th);
		}
	}
	wait_event(t->signal->wait_chldexit, t->signal->count == 1);
	t->signal->group_exec_task = NULL;
	if (!was_leader)
		take_leader_identity(t);
	return !was_leader;
}

/* Load bprm into the current task, whose host image is a fresh stub. */
static void load_into_fresh_stub(struct task *t, struct linux_binprm *bprm)
{
	unsigned long sp, entry;
	int err;

	err = elf_map(t, &bprm->exe, bprm->exe.eh.e_type == ET_DYN ?
		      ELF_ET_DYN_BASE : 0);
	if (err)
		exec_failed(err);
	if (bprm->has_interp) {
		err = elf_map(t, &bprm->interp, 0);
		if (err)
			exec_failed(err);
		entry = bprm->interp.bias + bprm->interp.eh.e_entry;
	} else {
		entry = bprm->exe.bias + bprm->exe.eh.e_entry;
	}
	t->mm->start_brk = t->mm->brk = t->mm->brk_mapped = bprm->exe.end;
	t->mm->mmap_base = 0;
	err = create_elf_tables(t, bprm, &sp);
	if (err)
		exec_failed(err);
	t->mm->exe_file = get_file(bprm->exe.file);
	{
		struct user_regs_struct r = { 0 };

		r.cs = t->regs.cs;
		r.ss = t->regs.ss;
		r.ds = t->regs.ds;
		r.es = t->regs.es;
		r.eflags = 0x202;
		r.rip = entry;
		r.rsp = sp;
		r.orig_rax = -1;
		t->regs = r;
	}
}

static void set_comm(struct task *t, const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	strncpy(t->comm, base, sizeof(t->comm) - 1);
	t->comm[sizeof(t->comm) - 1] = 0;
}

/*
 * The whole of execve after argument copying. fresh: the task's host image
 * is already a fresh stub (the first process). Returns -errno before the
 * point of no return; after it, 0 or the task dies.
 */
static long do_execve_binprm(struct linux_binprm *bprm, bool fresh)
{
	struct task *t = current;
	struct mm_struct *mm;
	pid_t old_pid;
	long err;

	err = prepare_binprm(bprm, bprm->filename);
	if (err)
		return err;
	old_pid = t->pid;
	/* Point of no return. */
	de_thread(t);
	if (!fresh) {
		/* A new address space: the mode fills in its host side (and
		 * a host process it replaces leaves its CPU time to t's
		 * process, as exit_thread does). */
		mm = mm_alloc(0);
		if (!mm)
			do_exit(SIGKILL);
		if (um_mode->exec(t, mm) < 0) {
			mmput(mm);
			do_exit(SIGKILL);
		}
		mmput(t->mm);
		t->mm = mm;
	}
	/* Linux begin_new_exec: dumpable unless the ids differ. */
	t->mm->not_dumpable = t->cred->euid != t->cred->uid ||
			      t->cred->egid != t->cred->gid;
	vfork_release(t);
	load_into_fresh_stub(t, bprm);
	set_comm(t, bprm->path);
	exec_creds();			/* capabilities after execve */
	flush_signal_handlers(t);
	do_close_on_exec(t->files);
	t->clear_child_tid = 0;
	t->set_child_tid = 0;
	t->robust_list = 0;
	t->group_leader->did_exec = true;
	t->group_leader->self_exec_id++;	/* children's exit_signal: SIGCHLD */
	ptrace_exec_notify(old_pid);
	return 0;
}

static long do_execveat(int fd, struct uptr filename, struct uptr argv,
			struct uptr envp, int flags)
{
	struct linux_binprm bprm = { 0 };
	char *name;
	long err;

	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	name = getname(filename);
	if (IS_ERR(name))
		return PTR_ERR(name);
	if (fd != AT_FDCWD && name[0] != '/')
		err = -ENOSYS;	/* execveat relative to a directory fd */
	else
		err = 0;
	bprm.filename = name;
	if (!err)
		err = copy_strings(&bprm.argv, argv);
	if (!err)
		err = copy_strings(&bprm.envp, envp);
	if (!err && bprm.argv.count == 0)
		err = strvec_push(&bprm.argv, 0, "");
	if (!err)
		err = do_execve_binprm(&bprm, false);
	free_binprm(&bprm);
	return err;
}

SYSCALL_DEFINE3(execve, struct uptr, filename, struct uptr, argv, struct uptr, envp)
{
	return do_execveat(AT_FDCWD, filename, argv, envp, 0);
}

SYSCALL_DEFINE5(execveat, int, fd, struct uptr, filename, struct uptr, argv, struct uptr, envp, int, flags)
{
	return do_execveat(fd, filename, argv, envp, flags);
}

/*
 * Run a program from the kernel (init), in the current task whose host
 * image is a fresh stub: argv and envp are kernel strings, NULL-ended.
 * Returns -errno if the program cannot be started (the task is unchanged).
 */
long kernel_execve(const char *path, char *const argv[], char *const envp[])
{
	struct linux_binprm bprm = { 0 };
	long err = 0;

	bprm.filename = kstrdup(path);
	for (int i = 0; argv[i] && !err; i++)
		err = strvec_push(&bprm.argv, bprm.argv.count, argv[i]);
	for (int i = 0; envp[i] && !err; i++)
		err = strvec_push(&bprm.envp, bprm.envp.count, envp[i]);
	if (!err)
		err = do_execve_binprm(&bprm, true);
	free_binprm(&bprm);
	return err;
}
