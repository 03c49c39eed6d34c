/*
 * Core dumps (Linux fs/coredump.c, fs/binfmt_elf.c elf_core_dump): a
 * signal whose default action dumps core writes an ELF core file named
 * "core" in the dying task's cwd, through the guest VFS with the task's
 * credentials, when RLIMIT_CORE allows at least a page; the wait status
 * then carries the core bit (WCOREDUMP). The file holds:
 *   PT_NOTE  NT_PRSTATUS (signal, ids, registers), NT_PRPSINFO (state,
 *            ids, command name and arguments), NT_SIGINFO, NT_AUXV,
 *            NT_FILE (the files umk maps for the process), NT_PRFPREG and
 *            NT_X86_XSTATE, for the dumping thread;
 *   PT_LOAD  one per mapping of the address space, as the host lists it
 *            in /proc/PID/maps less the stub; readable private and
 *            anonymous memory is dumped (coredump_filter 0x33), shared
 *            file mappings are not. Pages of zeros are left as holes.
 * So `gdb PROGRAM core` on the host shows the registers and a backtrace.
 * Not done: other threads' registers, core_pattern other than "core".
 */
#include <umk/sched.h>
#include <umk/fs.h>
#include <umk/coredump.h>
#include <umk/resource.h>
#include "fs/internal.h"
#include <umk/signal_internal.h>
#include <mode.h>
#include <stub.h>
#include <os.h>
#include <elf.h>
#include <string.h>
#include <stdio.h>
#include <sys/procfs.h>
#include <sys/user.h>

#define MAPS_MAX	(4 << 20)	/* bytes of host maps text read */
#define SEG_MAX		4096		/* PT_LOAD segments at most */
#define NOTES_MAX	(64 << 10)
#define DUMP_CHUNK	(64 << 10)
#define XSTATE_SW_BYTES	464		/* fxsave's software-reserved bytes */

struct core_seg {
	unsigned long start, end;
	unsigned int flags;		/* PF_R | PF_W | PF_X */
	bool dump;			/* its contents go into the file */
};

/* Where the dump is written, and how much RLIMIT_CORE lets it write. */
struct coredump_params {
	struct file *file;
	loff_t pos;
	rlim_t limit;
	int err;
};

/* ---- output ---- */

static void dump_emit(struct coredump_params *cp, const void *buf, size_t n)
{
	loff_t at = cp->pos;

	if (cp->err)
		return;
	if ((rlim_t)cp->pos + n > cp->limit) {
		cp->err = -EFBIG;
		return;
	}
	if (kernel_write(cp->file, buf, n, &at) != (ssize_t)n)
		cp->err = -EIO;
	cp->pos += n;
}

/* A hole of n bytes (Linux dump_skip): counted against the limit. */
static void dump_skip(struct coredump_params *cp, size_t n)
{
	if ((rlim_t)cp->pos + n > cp->limit)
		cp->err = -EFBIG;
	cp->pos += n;
}

/* ---- notes ---- */

struct note_buf {
	char *buf;
	size_t len;
};

static void add_note(struct note_buf *nb, const char *name, int type,
		     const void *desc, size_t dlen)
{
	Elf64_Nhdr nh = { .n_namesz = strlen(name) + 1, .n_descsz = dlen,
			  .n_type = type };
	size_t nlen = ALIGN_UP(nh.n_namesz, 4), need = sizeof(nh) + nlen +
		      ALIGN_UP(dlen, 4);

	if (nb->len + need > NOTES_MAX)
		return;
	memcpy(nb->buf + nb->len, &nh, sizeof(nh));
	memset(nb->buf + nb->len + sizeof(nh), 0, nlen + ALIGN_UP(dlen, 4));
	memcpy(nb->buf + nb->len + sizeof(nh), name, nh.n_namesz);
	memcpy(nb->buf + nb->len + sizeof(nh) + nlen, desc, dlen);
	nb->len += need;
}

static void ns_to_timeval(uint64_t ns, struct timeval *tv)
{
	tv->tv_sec = ns / 1000000000;
	tv->tv_usec = ns % 1000000000 / 1000;
}

static void note_prstatus(struct note_buf *nb, struct task *t, int sig)
{
	struct elf_prstatus ps;
	struct task *leader = t->group_leader;

	memset(&ps, 0, sizeof(ps));
	ps.pr_info.si_signo = ps.pr_cursig = sig;
	ps.pr_sigpend = t->pending.signal | t->signal->shared_pending.signal;
	ps.pr_sighold = t->blocked;
	ps.pr_pid = t->pid;
	ps.pr_ppid = leader->real_parent ? leader->real_parent->tgid : 0;
	ps.pr_pgrp = t->signal->pgrp;
	ps.pr_sid = t->signal->session;
	ns_to_timeval(t->utime_ns, &ps.pr_utime);
	ns_to_timeval(t->stime_ns, &ps.pr_stime);
	ns_to_timeval(t->signal->cutime_ns, &ps.pr_cutime);
	ns_to_timeval(t->signal->cstime_ns, &ps.pr_cstime);
	memcpy(&ps.pr_reg, &t->regs, sizeof(ps.pr_reg));
	ps.pr_fpvalid = 1;
	add_note(nb, "CORE", NT_PRSTATUS, &ps, sizeof(ps));
}

static void note_prpsinfo(struct note_buf *nb, struct task *t)
{
	struct elf_prpsinfo pi;
	struct mm_struct *mm = t->mm;
	size_t len = min(mm->arg_end - mm->arg_start, sizeof(pi.pr_psargs) - 1);

	memset(&pi, 0, sizeof(pi));
	if (len > 0 && access_remote_vm(mm, mm->arg_start, pi.pr_psargs,
					len, false) == (long)len) {
		for (size_t i = 0; i < len; i++)
			if (!pi.pr_psargs[i])
				pi.pr_psargs[i] = ' ';
		while (len && pi.pr_psargs[len - 1] == ' ')
			pi.pr_psargs[--len] = 0;
	} else {
		memset(pi.pr_psargs, 0, sizeof(pi.pr_psargs));
	}
	pi.pr_state = 0;
	pi.pr_sname = 'R';
	pi.pr_nice = t->nice;
	pi.pr_uid = t->cred->uid;
	pi.pr_gid = t->cred->gid;
	pi.pr_pid = t->tgid;
	pi.pr_ppid = t->group_leader->real_parent ?
		     t->group_leader->real_parent->tgid : 0;
	pi.pr_pgrp = t->signal->pgrp;
	pi.pr_sid = t->signal->session;
	memcpy(pi.pr_fname, t->comm, sizeof(pi.pr_fname));
	add_note(nb, "CORE", NT_PRPSINFO, &pi, sizeof(pi));
}

/* The load bias of the executable whose program headers are ph (from
 * AT_PHDR in the process's auxv), or 0. */
static unsigned long exe_load_bias(struct mm_struct *mm, const Elf64_Ehdr *eh,
				   const Elf64_Phdr *ph)
{
	unsigned long at_phdr = 0;

	for (int i = 0; i + 1 < mm->auxv_len && i + 1 < (int)ARRAY_SIZE(mm->auxv);
	     i += 2)
		if (mm->auxv[i] == AT_PHDR)
			at_phdr = mm->auxv[i + 1];
	if (eh->e_type != ET_DYN || !at_phdr)
		return 0;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset <= eh->e_phoff &&
		    eh->e_phoff < ph[i].p_offset + ph[i].p_filesz)
			return at_phdr - (ph[i].p_vaddr + eh->e_phoff -
					  ph[i].p_offset);
	return 0;
}

/*
 * NT_FILE: count, page size, {start, end, offset in pages}[], names. The
 * executable's PT_LOAD segments, found from its ELF program headers and
 * the load bias (the rest of the address space is anonymous to the host).
 */
static void note_file(struct note_buf *nb, struct task *t)
{
	struct mm_struct *mm = t->mm;
	uint64_t *desc = kzalloc((2 + 3 * 16) * sizeof(uint64_t) + 16 * 256);
	char path[256];
	Elf64_Ehdr eh;
	Elf64_Phdr ph[16];
	unsigned long bias;
	loff_t pos = 0;
	long plen;
	int n = 0;

	if (!desc)
		return;
	desc[1] = PAGE_SIZE;
	if (!mm->exe_file || kernel_read(mm->exe_file, &eh, sizeof(eh), &pos) !=
	    sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 16)
		goto out;
	pos = eh.e_phoff;
	if (kernel_read(mm->exe_file, ph, eh.e_phnum * sizeof(ph[0]), &pos) !=
	    (ssize_t)(eh.e_phnum * sizeof(ph[0])))
		goto out;
	plen = d_path(&mm->exe_file->f_path, &t->fs->root, path, sizeof(path));
	if (plen < 0)
		goto out;
	bias = exe_load_bias(mm, &eh, ph);
	for (int i = 0; i < eh.e_phnum; i++) {
		uint64_t *e = desc + 2 + 3 * n;

		if (ph[i].p_type != PT_LOAD || !ph[i].p_filesz)
			continue;
		e[0] = ALIGN_DOWN(bias + ph[i].p_vaddr, PAGE_SIZE);
		e[1] = ALIGN_UP(bias + ph[i].p_vaddr + ph[i].p_filesz, PAGE_SIZE);
		e[2] = ph[i].p_offset / PAGE_SIZE;
		n++;
	}
out:
	desc[0] = n;
	/* The entries, then one name per entry. */
	{
		size_t off = (2 + 3 * n) * sizeof(uint64_t), total = off;
		char *names = (char *)desc + off;

		for (int i = 0; i < n; i++) {
			memcpy(names + (total - off), path, strlen(path) + 1);
			total += strlen(path) + 1;
		}
		add_note(nb, "CORE", NT_FILE, desc, total);
	}
	kfree(desc);
}

/* The host's XCR0 less the features that lie past len bytes of the area
 * (AMX tiles, which a process must ask for): what the area holds. */
static uint64_t host_xcr0(size_t len)
{
	uint32_t lo, hi, eax, ebx, ecx, edx;
	uint64_t xcr0;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	xcr0 = ((uint64_t)hi << 32) | lo;
	for (int i = 2; i < 63; i++) {
		if (!(xcr0 & (1ULL << i)))
			continue;
		__asm__ volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx),
				 "=d"(edx) : "a"(0xd), "c"(i));
		if ((size_t)ebx + eax > len)
			xcr0 &= ~(1ULL << i);
	}
	return xcr0;
}

static void fill_notes(struct note_buf *nb, struct task *t,
		       const siginfo_t *info)
{
	size_t xlen = um_xstate_size();
	char *xstate = kzalloc(xlen);

	note_prstatus(nb, t, info->si_signo);
	note_prpsinfo(nb, t);
	add_note(nb, "CORE", NT_SIGINFO, info, sizeof(*info));
	add_note(nb, "CORE", NT_AUXV, t->mm->auxv,
		 min(t->mm->auxv_len, (int)ARRAY_SIZE(t->mm->auxv)) *
		 sizeof(unsigned long));
	note_file(nb, t);
	if (xstate && um_mode->get_fpregs(t, xstate, xlen) == 0) {
		add_note(nb, "CORE", NT_PRFPREG, xstate,
			 sizeof(struct user_fpregs_struct));
		/* The regset layout (Linux xstateregs_get), not the signal
		 * frame's: the software bytes hold XCR0, which debuggers
		 * read to size the area. */
		memset(xstate + XSTATE_SW_BYTES, 0, 48);
		*(uint64_t *)(xstate + XSTATE_SW_BYTES) = host_xcr0(xlen);
		add_note(nb, "LINUX", NT_X86_XSTATE, xstate, xlen);
	}
	kfree(xstate);
}

/* ---- the address space ---- */

/* The mappings of t's host process, as PT_LOAD segments (stub, [vvar] and
 * [vsyscall] left out). Returns how many, or -errno. */
static int read_segments(struct task *t, struct core_seg *segs)
{
	char path[64], *maps = kmalloc(MAPS_MAX + 1), *line, *nl;
	long len;
	int n = 0;

	if (!maps)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/proc/%d/maps", t->host_tid);
	len = os_read_file(path, maps, MAPS_MAX);
	if (len < 0) {
		kfree(maps);
		return len;
	}
	maps[len] = 0;
	for (line = maps; *line && n < SEG_MAX; line = nl + 1) {
		unsigned long start, end;
		char perms[8], name[128] = "";
		int at = 0;

		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = 0;
		if (sscanf(line, "%lx-%lx %7s %*x %*x:%*x %*u %n", &start, &end,
			   perms, &at) < 3 || !at)
			continue;
		sscanf(line + at, "%127s", name);
		if ((start < STUB_END && end > STUB_START) || end > TASK_SIZE_MAX ||
		    !strcmp(name, "[vvar]") || !strcmp(name, "[vvar_vclock]"))
			continue;
		segs[n].start = start;
		segs[n].end = end;
		segs[n].flags = (perms[0] == 'r' ? PF_R : 0) |
				(perms[1] == 'w' ? PF_W : 0) |
				(perms[2] == 'x' ? PF_X : 0);
		/* Shared mappings of umk's memfds are the page caches of
		 * files: not dumped, as Linux's default filter. */
		segs[n].dump = perms[0] == 'r' &&
			       !(perms[3] == 's' && strstr(name, "memfd:"));
		n++;
	}
	kfree(maps);
	return n;
}

static bool all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void dump_segment(struct coredump_params *cp, struct mm_struct *mm,
			 const struct core_seg *s, char *buf)
{
	for (unsigned long a = s->start; a < s->end && !cp->err; a += DUMP_CHUNK) {
		size_t n = min((unsigned long)DUMP_CHUNK, s->end - a);

		/* A page that cannot be read (past a file's end) is a hole,
		 * as Linux's dump_page of a missing page. */
		if (access_remote_vm(mm, a, buf, n, false) != (long)n || all_zero(buf, n))
			dump_skip(cp, n);
		else
			dump_emit(cp, buf, n);
	}
}

static int write_core(struct coredump_params *cp, struct task *t,
		      const siginfo_t *info)
{
	struct core_seg *segs = kmalloc(SEG_MAX * sizeof(*segs));
	struct note_buf nb = { kmalloc(NOTES_MAX), 0 };
	char *buf = kmalloc(DUMP_CHUNK);
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	loff_t data;
	int nseg, err = -ENOMEM;

	if (!segs || !nb.buf || !buf)
		goto out;
	nseg = err = read_segments(t, segs);
	if (err < 0)
		goto out;
	fill_notes(&nb, t, info);

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = nseg + 1;
	dump_emit(cp, &eh, sizeof(eh));

	data = sizeof(eh) + (nseg + 1) * sizeof(ph);
	memset(&ph, 0, sizeof(ph));
	ph.p_type = PT_NOTE;
	ph.p_offset = data;
	ph.p_filesz = nb.len;
	dump_emit(cp, &ph, sizeof(ph));
	data = ALIGN_UP(data + nb.len, PAGE_SIZE);
	for (int i = 0; i < nseg; i++) {
		memset(&ph, 0, sizeof(ph));
		ph.p_type = PT_LOAD;
		ph.p_offset = data;
		ph.p_vaddr = segs[i].start;
		ph.p_memsz = segs[i].end - segs[i].start;
		ph.p_filesz = segs[i].dump ? ph.p_memsz : 0;
		ph.p_flags = segs[i].flags;
		ph.p_align = PAGE_SIZE;
		data += ph.p_filesz;
		dump_emit(cp, &ph, sizeof(ph));
	}
	dump_emit(cp, nb.buf, nb.len);
	dump_skip(cp, ALIGN_UP(cp->pos, PAGE_SIZE) - cp->pos);
	for (int i = 0; i < nseg && !cp->err; i++)
		if (segs[i].dump)
			dump_segment(cp, t->mm, &segs[i], buf);
	err = cp->err;
out:
	kfree(buf);
	kfree(nb.buf);
	kfree(segs);
	return err;
}

/*
 * Create "core" in the cwd as Linux's do_coredump does for a plain
 * core_pattern: the task's credentials, mode 0600, no symlink followed,
 * and the result must be a regular file with one link that the dumper
 * owns. The file or ERR_PTR.
 */
static struct file *open_core_file(void)
{
	struct file *f = do_filp_open(AT_FDCWD, "core", O_CREAT | O_WRONLY |
				      O_NOFOLLOW | O_TRUNC | O_LARGEFILE, 0600);
	struct inode *inode;

	if (IS_ERR(f))
		return f;
	inode = f->f_inode;
	if (!S_ISREG(inode->i_mode) || inode->i_nlink != 1 ||
	    inode->i_uid != current->cred->fsuid) {
		fput(f);
		return ERR_PTR(-EPERM);
	}
	return f;
}

bool do_coredump(const siginfo_t *info)
{
	struct task *t = current;
	struct coredump_params cp = { .limit = rlimit(RLIMIT_CORE) };
	int err;

	/* Linux: no dump below a page (binfmt min_coredump), nor for a
	 * process that changed credentials (not dumpable). */
	if (cp.limit < PAGE_SIZE || !t->mm || t->host_tid <= 0 ||
	    t->mm->not_dumpable)
		return false;
	if (um_mode->get_regs(t) < 0)
		return false;
	cp.file = open_core_file();
	if (IS_ERR(cp.file))
		return false;
	err = write_core(&cp, t, info);
	/* The holes at the end are part of the file (Linux: dump_truncate). */
	if (!err && cp.file->f_inode->i_size < cp.pos)
		err = do_truncate(cp.file->f_path.dentry, cp.pos);
	fput(cp.file);
	return err == 0;
}
