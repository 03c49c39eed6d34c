/*
 * coredump: core-dumping signals set WCOREDUMP in the wait status and
 * write an ELF core file named `core` in the task's cwd when RLIMIT_CORE
 * allows (Linux fs/coredump.c, fs/binfmt_elf.c elf_core_dump): ET_CORE
 * for x86-64, a PT_NOTE with NT_PRSTATUS (the killing signal, the pid, the
 * registers), NT_PRPSINFO (the command name), NT_AUXV, NT_FILE and
 * NT_FPREGSET, and PT_LOAD segments that hold the process's memory.
 * RLIMIT_CORE 0 and signals that do not dump leave no file and no core bit.
 * The file checks need the host's core_pattern to be Linux's default
 * "core" (no pipe to a crash collector); otherwise the test says so.
 */
#include "guest.h"
#include <sys/mount.h>
#include <elf.h>
#include <stdbool.h>
#include <sys/procfs.h>

#define MARKER "umk-core-marker-7d1f"

static char marker_buf[64];		/* .bss: written, so dumped */

static void read_proc(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = 0;
}

static bool plain_core_pattern(void)
{
	char pat[256], pid[16];

	read_proc("/proc/sys/kernel/core_pattern", pat, sizeof(pat));
	read_proc("/proc/sys/kernel/core_uses_pid", pid, sizeof(pid));
	return !strcmp(pat, "core") && !strcmp(pid, "0");
}

/* The child: raise the limit, mark memory, die of sig in dir. */
static pid_t dying_child(const char *dir, int sig, rlim_t limit)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit rl;

		/* Only the soft limit: raising the hard one needs
		 * CAP_SYS_RESOURCE, which a container's root may lack. */
		getrlimit(RLIMIT_CORE, &rl);
		rl.rlim_cur = limit == RLIM_INFINITY ? rl.rlim_max : limit;
		if (setrlimit(RLIMIT_CORE, &rl) || chdir(dir))
			_exit(100);
		strcpy(marker_buf, MARKER);
		if (sig == SIGSEGV)
			*(volatile int *)0 = 1;
		if (sig == SIGABRT)
			abort();
		kill(getpid(), sig);
		_exit(101);
	}
	return pid;
}

struct core_facts {
	bool elf, load, marker, prstatus, prpsinfo, auxv, file, fpregs;
	int cursig;
	pid_t pid;
	char fname[17];
};

static void parse_notes(const char *p, size_t len, struct core_facts *cf)
{
	size_t off = 0;

	while (off + sizeof(Elf64_Nhdr) <= len) {
		const Elf64_Nhdr *nh = (const void *)(p + off);
		const char *desc = p + off + sizeof(*nh) + ((nh->n_namesz + 3) & ~3);

		if (desc + nh->n_descsz > p + len)
			break;
		if (nh->n_type == NT_PRSTATUS &&
		    nh->n_descsz >= sizeof(struct elf_prstatus)) {
			const struct elf_prstatus *ps = (const void *)desc;

			cf->prstatus = true;
			cf->cursig = ps->pr_cursig;
			cf->pid = ps->pr_pid;
		} else if (nh->n_type == NT_PRPSINFO &&
			   nh->n_descsz >= sizeof(struct elf_prpsinfo)) {
			const struct elf_prpsinfo *pi = (const void *)desc;

			cf->prpsinfo = true;
			memcpy(cf->fname, pi->pr_fname, 16);
		} else if (nh->n_type == NT_AUXV) {
			cf->auxv = nh->n_descsz > 0;
		} else if (nh->n_type == NT_FILE) {
			cf->file = nh->n_descsz > 0;
		} else if (nh->n_type == NT_FPREGSET) {
			cf->fpregs = nh->n_descsz >= 512;
		}
		off = desc - p + ((nh->n_descsz + 3) & ~3);
	}
}

/* Read the whole file (bounded) into a fresh buffer. */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	char *buf;

	if (fd < 0 || fstat(fd, &st) || st.st_size > (256 << 20)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc(st.st_size + 1);
	*len = 0;
	while (buf && *len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + *len, st.st_size - *len);
		if (n <= 0)
			break;
		*len += n;
	}
	close(fd);
	return buf;
}

static void examine_core(const char *path, struct core_facts *cf)
{
	size_t len = 0;
	char *buf = slurp(path, &len);
	const Elf64_Ehdr *eh = (const void *)buf;

	memset(cf, 0, sizeof(*cf));
	if (!buf || len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_CORE ||
	    eh->e_machine != EM_X86_64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff + (size_t)eh->e_phnum * sizeof(Elf64_Phdr) > len) {
		free(buf);
		return;
	}
	cf->elf = true;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(buf + eh->e_phoff) + i;

		if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
			continue;
		if (ph->p_type == PT_NOTE)
			parse_notes(buf + ph->p_offset, ph->p_filesz, cf);
		if (ph->p_type == PT_LOAD) {
			cf->load = true;
			if (memmem(buf + ph->p_offset, ph->p_filesz, MARKER,
				   strlen(MARKER)))
				cf->marker = true;
		}
	}
	free(buf);
}

static void one_signal(const char *base, int sig, rlim_t limit, bool files)
{
	char dir[600], core[700];
	const char *name = sigabbrev_np(sig);
	struct core_facts cf;
	pid_t pid;
	int st;

	snprintf(dir, sizeof(dir), "%s/%s-%lu", base, name,
		 (unsigned long)(limit == RLIM_INFINITY ? 1 : 0));
	snprintf(core, sizeof(core), "%s/core", dir);
	if (mkdir(dir, 0755)) {
		say("mkdir: %s", ename(errno));
		return;
	}
	pid = dying_child(dir, sig, limit);
	if (waitpid(pid, &st, 0) != pid) {
		say("waitpid: %s", ename(errno));
		return;
	}
	say("SIG%s limit %s: %s, WCOREDUMP %s", name,
	    limit ? "unlimited" : "0", wstr(st),
	    WIFSIGNALED(st) && WCOREDUMP(st) ? "yes" : "no");
	if (!files)
		return;
	if (access(core, F_OK)) {
		say("SIG%s limit %s: no core file", name, limit ? "unlimited" : "0");
		return;
	}
	examine_core(core, &cf);
	say("SIG%s core: ELF core x86-64 %s, PT_LOAD %s, marker %s", name,
	    cf.elf ? "yes" : "no", cf.load ? "yes" : "no",
	    cf.marker ? "yes" : "no");
	say("SIG%s notes: prstatus %s (signal %s, pid %s), prpsinfo %s (%s), "
	    "auxv %s, file %s, fpregset %s", name, cf.prstatus ? "yes" : "no",
	    cf.cursig == sig ? "right" : "wrong",
	    cf.pid == pid ? "right" : "wrong", cf.prpsinfo ? "yes" : "no",
	    cf.fname, cf.auxv ? "yes" : "no", cf.file ? "yes" : "no",
	    cf.fpregs ? "yes" : "no");
}

int main(void)
{
	const char *base;
	bool files;

	struct rlimit rl;

	setvbuf(stdout, NULL, _IONBF, 0);
	umask(022);
	getrlimit(RLIMIT_CORE, &rl);
	if (rl.rlim_max != RLIM_INFINITY) {
		say("RLIMIT_CORE hard limit is not unlimited: cannot test");
		return 1;
	}
	/* umk's test shell runs without /proc mounted */
	if (access("/proc/self/stat", R_OK))
		mount("proc", "/proc", "proc", 0, NULL);
	base = scratch_dir("coredump");
	files = plain_core_pattern();
	say("core_pattern: %s", files ? "core" : "not Linux's default: file checks skipped");
	one_signal(base, SIGQUIT, RLIM_INFINITY, files);
	one_signal(base, SIGSEGV, RLIM_INFINITY, files);
	one_signal(base, SIGABRT, RLIM_INFINITY, files);
	one_signal(base, SIGQUIT, 0, files);
	one_signal(base, SIGTERM, RLIM_INFINITY, files);
	scratch_cleanup(base);
	say("DONE coredump");
	return 0;
}
